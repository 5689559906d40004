"""Contact keys read for comparison: email addresses and domains (free-mail excluded), websites, UK
phone numbers, postcodes and VAT numbers.

Each reading is a pure, cached function of one value that returns None when the value carries
nothing comparable, so a blank never "agrees" with another blank.
"""

from __future__ import annotations

import re
from functools import lru_cache

from workbench.profile.text import CACHE_SIZE as _CACHE
from workbench.profile.text import fold

# --- emails and web domains -------------------------------------------------------------------------
# Free-mail providers: a shared domain there says nothing about two records being one business.
_FREE_MAIL = frozenset(
    {
        "gmail.com", "googlemail.com", "hotmail.com", "hotmail.co.uk", "outlook.com", "outlook.co.uk",
        "live.com", "live.co.uk", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "aol.co.uk",
        "aim.com", "btinternet.com", "btopenworld.com", "bt.com", "sky.com", "virginmedia.com",
        "ntlworld.com", "blueyonder.co.uk", "talktalk.net", "tiscali.co.uk", "plus.com", "plusnet.com",
        "orange.net", "wanadoo.co.uk", "fsmail.net", "freeserve.co.uk", "o2.co.uk", "ymail.com",
        "rocketmail.com", "protonmail.com", "proton.me", "pm.me", "gmx.com", "gmx.co.uk", "gmx.net",
        "mail.com", "zoho.com", "fastmail.com", "hushmail.com", "tutanota.com", "qq.com", "163.com",
    }
)  # fmt: skip
_FREE_MAIL_FAMILIES = ("yahoo", "hotmail", "outlook", "live", "yandex", "gmx", "web", "libero", "laposte")
# Second-level public suffixes under which a registrable domain has three labels (acme.co.uk).
_SECOND_LEVEL = frozenset(
    {
        "co.uk", "org.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk", "ac.uk", "gov.uk", "sch.uk", "nhs.uk",
        "police.uk", "com.au", "net.au", "org.au", "co.nz", "org.nz", "co.za", "com.br", "co.jp",
        "co.in", "com.cn", "com.sg", "com.hk", "co.il", "com.mx", "com.tr", "co.kr",
    }
)  # fmt: skip


_HOST = re.compile(r"[0-9a-z-]+(?:\.[0-9a-z-]+)+")


def _registrable(host: str) -> str:
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and f"{labels[-2]}.{labels[-1]}" in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


@lru_cache(maxsize=_CACHE)
def registrable_domain(host: str | None) -> str | None:
    """`www.shop.acme.co.uk` -> `acme.co.uk` (a short suffix table, not the full Public Suffix List)."""
    if not host:
        return None
    host = fold(host).strip().strip(".")
    if not _HOST.fullmatch(host) or (host.count(".") == 1 and host in _SECOND_LEVEL):
        return None
    return _registrable(host)


def is_free_mail_domain(domain: str | None) -> bool:
    if not domain:
        return False
    domain = domain.casefold()
    return domain in _FREE_MAIL or domain.split(".")[0] in _FREE_MAIL_FAMILIES


@lru_cache(maxsize=_CACHE)
def normalise_email(email: str | None) -> str | None:
    """`" John.Smith@ACME.co.uk "` -> `john.smith@acme.co.uk`; anything without a user and a domain
    -> None."""
    if not email or "@" not in str(email):
        return None
    user, _, host = fold(str(email).strip().strip("<>").strip()).rpartition("@")
    host = host.strip(".")
    if not user or not _HOST.fullmatch(host):
        return None
    return f"{user}@{host}"


@lru_cache(maxsize=_CACHE)
def email_domain(email: str | None) -> str | None:
    """The business domain of an email address (`acme.co.uk`); None for free-mail providers."""
    address = normalise_email(email)
    if address is None:
        return None
    domain = _registrable(address.rpartition("@")[2])
    return None if is_free_mail_domain(domain) else domain


@lru_cache(maxsize=_CACHE)
def website_domain(url: str | None) -> str | None:
    """`https://www.Acme.co.uk/about` -> `acme.co.uk`."""
    text = str(url).strip() if url else ""
    if not text:
        return None
    if "@" in text and "//" not in text:
        return email_domain(text)
    host = text.partition("//")[2] if "//" in text else text
    for end in "/?#":
        host = host.partition(end)[0]
    host = host.rpartition("@")[2].partition(":")[0]
    return registrable_domain(host)


# --- phones, postcodes, VAT numbers -----------------------------------------------------------------
_NOT_DIGIT = re.compile(r"\D")
_LETTER = re.compile(r"[^\d\s()+./-]")
_PHONE_MARKS = b" +()-./\t"
_NOT_ALNUM_UPPER = re.compile(r"[^0-9A-Z]")
_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#)\s*\d+\s*$", re.IGNORECASE)


@lru_cache(maxsize=_CACHE)
def normalise_phone(phone: str | None) -> str | None:
    """A phone number as comparable digits: UK numbers in national form (`+44 (0)20 7946 0000`,
    `0044 20 7946 0000` and `020 7946 0000` -> `02079460000`), others as `+` country code and number.
    Extensions are dropped; fewer than 7 digits -> None."""
    text = str(phone).strip() if phone else ""
    if not text:
        return None
    if not text[-1].isdigit() or _LETTER.search(text):
        text = _EXTENSION.sub("", text)
    text = text.replace("(0)", "")
    international = text.startswith("+")
    digits = text.encode().translate(None, _PHONE_MARKS).decode() if text.isascii() else text
    if not digits.isdigit():
        digits = _NOT_DIGIT.sub("", digits)
    if not international and digits.startswith("00"):
        international, digits = True, digits[2:]
    if international:
        if digits.startswith("44"):
            national = digits[2:]
            digits = national if national.startswith("0") else "0" + national
        else:
            digits = "+" + digits
    elif digits.startswith("44") and len(digits) == 12:
        digits = "0" + digits[2:]
    return digits if len(digits.lstrip("+")) >= 7 else None


_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{2})$")


@lru_cache(maxsize=_CACHE)
def normalise_postcode(postcode: str | None) -> str | None:
    """A UK postcode in standard form (`sw1a1aa` -> `SW1A 1AA`); other postcodes upper-cased without
    spaces or dashes."""
    if not postcode or not str(postcode).strip():
        return None
    compact = _NOT_ALNUM_UPPER.sub("", fold(str(postcode)).upper())
    if not compact:
        return None
    uk = _UK_POSTCODE.match(compact)
    return f"{uk.group(1)} {uk.group(2)}" if uk else compact


def postcode_outward(postcode: str | None) -> str | None:
    """The outward code of a UK postcode (`SW1A 1AA` -> `SW1A`); None when it is not a UK postcode."""
    normal = normalise_postcode(postcode)
    if normal is None or " " not in normal:
        return None
    return normal.split(" ")[0]


@lru_cache(maxsize=_CACHE)
def normalise_vat_number(vat: str | None) -> str | None:
    """A VAT number for comparison: GB numbers as their first 9 digits (a 12-digit branch number is the
    same registration), others as country prefix + number; no digits or letters -> None."""
    if not vat or not str(vat).strip():
        return None
    compact = _NOT_ALNUM_UPPER.sub("", fold(str(vat)).upper())
    if compact.startswith(("GB", "XI")):  # XI: Northern Ireland goods trade, the same registration
        compact = compact[2:]
    if compact.isdigit():
        return compact[:9] if len(compact) >= 9 else compact
    return compact or None
