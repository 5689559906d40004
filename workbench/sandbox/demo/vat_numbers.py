"""VAT numbers: valid UK (mod 97 / 9755) and EU ones for clean records, realistic invalid ones to plant.

UK: nine digits whose weighted sum (8..2 over the first seven, then the last two as a number) is
0 mod 97 (older numbers) or 42 mod 97 (the "9755" scheme since 2010), as HMRC and python-stdnum check.
"""

from __future__ import annotations

import random
import re

GB_WEIGHTS = (8, 7, 6, 5, 4, 3, 2)
GB_NINE = re.compile(r"^(?:GB)?(\d{9}|\d{12})$")
_IE_LETTERS = "WABCDEFGHIJKLMNOPQRSTUV"


def compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value).upper()


def gb_checksum(nine: str) -> int:
    return (sum(w * int(d) for w, d in zip(GB_WEIGHTS, nine[:7], strict=True)) + int(nine[7:9])) % 97


def is_valid_gb(value: str) -> bool:
    """Format and check digits of a GB VAT number ("GB 980 7806 84", "980780684", branch 12 digits)."""
    match = GB_NINE.match(compact(value))
    return match is not None and gb_checksum(match.group(1)[:9]) in (0, 42)


def gb_vat(rng: random.Random) -> str:
    """A valid GB VAT number, as 'GB' + nine digits."""
    body = f"{rng.randint(1, 9)}{rng.randrange(10**6):06d}"
    weighted = sum(w * int(d) for w, d in zip(GB_WEIGHTS, body, strict=True))
    check = (-weighted) % 97 if rng.random() < 0.4 else (-weighted - 55) % 97
    return f"GB{body}{check:02d}"


def gb_display(number: str, rng: random.Random) -> str:
    """The ways people type a valid GB number into a CRM field."""
    digits = number[2:]
    style = rng.random()
    if style < 0.55:
        return number
    if style < 0.8:
        return f"GB {digits[:3]} {digits[3:7]} {digits[7:]}"
    return digits


def _de(rng: random.Random) -> str:
    body = f"{rng.randint(1, 9)}{rng.randrange(10**7):07d}"
    product = 10
    for digit in body:
        total = (int(digit) + product) % 10 or 10
        product = (2 * total) % 11
    return f"DE{body}{(11 - product) % 10}"


def _nl(rng: random.Random) -> str:
    while True:
        body = f"{rng.randint(1, 9)}{rng.randrange(10**7):07d}"
        check = sum((9 - i) * int(d) for i, d in enumerate(body)) % 11
        if check < 10:
            return f"NL{body}{check}B{rng.randint(1, 9):02d}"


def _fr(rng: random.Random) -> str:
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        doubled = d * 2 if i % 2 == 0 else d
        total += doubled - 9 if doubled > 9 else doubled
    siren = int("".join(map(str, digits)) + str((10 - total % 10) % 10))
    return f"FR{(12 + 3 * (siren % 97)) % 97:02d}{siren:09d}"


def _ie(rng: random.Random) -> str:
    body = f"{rng.randrange(10**7):07d}"
    check = _IE_LETTERS[sum((8 - i) * int(d) for i, d in enumerate(body)) % 23]
    return f"IE{body}{check}"


EU_MAKERS = {"DE": _de, "NL": _nl, "FR": _fr, "IE": _ie}


def vat_for(country: str, rng: random.Random) -> str | None:
    if country == "GB":
        return gb_vat(rng)
    maker = EU_MAKERS.get(country)
    return maker(rng) if maker else None


def corrupt_gb(number: str, rng: random.Random) -> tuple[str, str]:
    """An invalid variant of a GB number and why it is invalid (a typo'd digit, a dropped digit...)."""
    digits = number[2:]
    while True:
        style = rng.randrange(4)
        if style == 0:
            i = rng.randrange(9)
            bad = f"GB{digits[:i]}{(int(digits[i]) + rng.randint(1, 9)) % 10}{digits[i + 1 :]}"
            reason = "check digits fail (one digit mistyped)"
        elif style == 1:
            i = rng.randrange(9)
            bad = f"GB{digits[:i]}{digits[i + 1 :]}"
            reason = "eight digits (one dropped)"
        elif style == 2:
            bad = f"GB{digits}{rng.randint(0, 9)}"
            reason = "ten digits (one extra)"
        else:
            i = rng.randrange(9)
            bad = (
                f"GB{digits[:i]}{digits[i + 1]}{digits[i]}{digits[i + 2 :]}" if i < 8 else f"GB{digits[:8]}O"
            )
            reason = "check digits fail (digits swapped)" if i < 8 else "letter O in place of the last digit"
        if not is_valid_gb(bad):
            return bad, reason
