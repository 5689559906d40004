"""Text folding shared by the name and key readings: case, accents, the letters NFKD keeps."""

from __future__ import annotations

import unicodedata

CACHE_SIZE = 1 << 18  # distinct values each cached reading remembers (a 100,000-organisation client fits)
# Letters NFKD does not decompose (OpenRefine's fingerprint keyer maps the same ones).
_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "þ": "th", "ð": "d", "ł": "l", "œ": "oe", "đ": "d"})


def fold(text: str | None) -> str:
    """Casefold, strip accents (NFKD), map the few letters NFKD keeps; no other change."""
    if not text:
        return ""
    text = str(text).casefold()
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(c for c in text if not unicodedata.combining(c))
