"""How duplicates really look: legal-form swaps, case, punctuation, '&'/'and', 'The', typos, stray
spaces, trading names, and records that share only an email domain or a VAT number.

Each function returns the variant's display name; variants whose folded name differs from the original
claim it in `taken`, so a variant never collides with a different company by accident.
"""

from __future__ import annotations

import random
from typing import Any

from workbench.sandbox.demo.names import NICKNAMES, name_key

ORG_VARIANTS = (
    "legal_form",
    "case",
    "punctuation",
    "ampersand",
    "leading_the",
    "typo",
    "stray_spaces",
    "trading_name",
    "shared_email_domain",
    "shared_vat_number",
)
# Xero keeps contact names unique regardless of case, so a pure case variant cannot exist there.
CONTACT_VARIANTS = tuple(k for k in ORG_VARIANTS if k != "case")
PERSON_VARIANTS = ("case", "typo", "nickname", "stray_spaces", "initial")
FORM_SWAP = {
    "Ltd": "Limited",
    "Limited": "Ltd",
    "LLP": "Limited Liability Partnership",
    "PLC": "Public Limited Company",
    "": "Ltd",
    "DAC": "Designated Activity Company",
    "GmbH": "G.m.b.H.",
    "SAS": "S.A.S.",
    "SARL": "S.A.R.L.",
    "B.V.": "BV",
    "Inc.": "Incorporated",
    "LLC": "L.L.C.",
}


def applicable(kind: str, company: Any) -> bool:
    if kind == "ampersand":
        return " & " in company.stem or " and " in company.stem
    if kind == "shared_vat_number":
        return company.vat is not None
    if kind == "shared_email_domain":
        return company.email_domain == company.domain
    return True


def _join(stem: str, form: str) -> str:
    return f"{stem} {form}" if form else stem


def _claim(stem: str, taken: set[str]) -> bool:
    key = name_key(stem)
    if key in taken:
        return False
    taken.add(key)
    return True


def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip inside a word: a dropped, doubled, swapped or changed letter."""
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(4)
    if op == 0:
        return word[:i] + word[i + 1 :]
    if op == 1:
        return word[:i] + word[i] + word[i:]
    if op == 2 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    swap = "e" if word[i] != "e" else "a"
    return word[:i] + swap + word[i + 1 :]


def _typo_stem(stem: str, rng: random.Random) -> str:
    words = stem.split(" ")
    spots = [n for n, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not spots:
        return stem + "s"
    n = rng.choice(spots)
    words[n] = typo(words[n], rng)
    return " ".join(words)


def variant_name(kind: str, stem: str, form: str, rng: random.Random, taken: set[str]) -> str:
    """The display name of a duplicate of `stem form` of the given kind."""
    name = _join(stem, form)
    first = stem.split(" ")[0]
    if kind == "legal_form":
        return _join(stem, FORM_SWAP.get(form, "Limited"))
    if kind == "case":
        return name.upper()
    if kind == "punctuation":
        if form and not form.endswith("."):
            return f"{stem} {form}."
        return f"{stem.replace(' ', '-', 1)} {form}".strip() if " " in stem else f"{stem}, {form}".strip(", ")
    if kind == "ampersand":
        swapped = stem.replace(" & ", " and ") if " & " in stem else stem.replace(" and ", " & ")
        return _join(swapped, form)
    if kind == "leading_the":
        return f"The {name}"
    if kind == "stray_spaces":
        rest = name[len(first) :]
        return f"{first} {rest} " if rest else f" {name} "
    if kind == "typo":
        for _ in range(20):
            candidate = _typo_stem(stem, rng)
            if candidate != stem and _claim(candidate, taken):
                return _join(candidate, form)
        return _join(stem + " Services", form)
    if kind == "trading_name":
        for word in ("Holdings", "Group Holdings", "Trading", "Enterprises"):
            legal = f"{first} {word}"
            if _claim(legal, taken):
                return f"{legal} {form or 'Ltd'} t/a {stem}"
        return f"{stem} {form or 'Ltd'} t/a {first}"
    # shared_email_domain / shared_vat_number: a differently named record of the same business
    for template in ("{first} Group", "{first} Holdings", "{first} Services", "{stem} UK", "{stem} (Old)"):
        candidate = template.format(first=first, stem=stem)
        if candidate != stem and _claim(candidate, taken):
            return _join(candidate, form)
    return _join(f"{stem} Account {rng.randint(2, 99)}", form)


def person_variant(kind: str, first: str, last: str, rng: random.Random) -> tuple[str, str]:
    """(first, last) of a duplicate person record."""
    if kind == "nickname" and first in NICKNAMES:
        return NICKNAMES[first], last
    if kind == "typo" and len(last) >= 4:
        return first, typo(last, rng)
    if kind == "stray_spaces":
        return f"{first} ", f" {last}"
    if kind == "initial":
        return f"{first[0]}.", last
    return first.upper(), last.upper()
