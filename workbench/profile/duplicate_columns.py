"""Canonical tables as matcher input: one row per record, indexed by its id, each key read once the way
`workbench.profile.names` reads it, blanks as None.

Written as plain loops over Python lists because the readings are per value anyway; each reading runs
once per distinct value (many records share a postcode, a domain, a first name).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any, TypeVar

import pandas as pd

from workbench.profile.names import (
    formal_given_name,
    is_free_mail_domain,
    name_words,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    normalise_vat_number,
    parse_company_name,
    person_name_tokens,
    registrable_domain,
    website_domain,
)
from workbench.profile.text import CACHE_SIZE

T = TypeVar("T")


def _each(values: list[Any], reading: Callable[[str], T]) -> list[T | None]:
    """`reading` of every str value (once per distinct value); None for anything else."""
    distinct: dict[Hashable, T] = {v: reading(v) for v in dict.fromkeys(values) if isinstance(v, str)}
    return [distinct.get(v) if isinstance(v, str) else None for v in values]


def _values(frame: pd.DataFrame, name: str) -> list[Any]:
    """A column as a list, None for a blank that is not text (and for a column the table lacks)."""
    if name not in frame.columns:
        return [None] * len(frame)
    return [v if isinstance(v, str) else None for v in frame[name].tolist()]


def _keys(frame: pd.DataFrame, name: str) -> list[str | None]:
    """An id or reference column as text ("57" whether stored as 57 or "57"), None for a blank."""
    if name not in frame.columns:
        return [None] * len(frame)
    return [None if v is None or v != v or v == "" else str(v) for v in frame[name].tolist()]


def _live(frame: pd.DataFrame) -> pd.DataFrame:
    """Records not deleted in the source (a deleted CRM record is gone, not a duplicate)."""
    if "is_deleted" not in frame.columns:
        return frame
    return frame[~frame["is_deleted"].fillna(False).astype(bool)]


def _frame(columns: dict[str, list[Any]], ids: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.Index([str(i) for i in ids]), dtype=object)


# --- pieces shared by company records ---------------------------------------------------------------
_COUNTRY_WORDS = frozenset(
    {"united", "kingdom", "uk", "gb", "england", "scotland", "wales", "great", "britain"}
)


def company_number(value: str | None) -> str | None:
    """A Companies House number as 8 characters ("1234567" -> "01234567", "sc 123456" -> "SC123456")."""
    compact = "".join(name_words(value or "")).upper()
    if not compact:
        return None
    return compact.zfill(8) if compact.isdigit() and len(compact) < 8 else compact


def street_key(address: str | None, postcode: str | None, city: str | None = None) -> str | None:
    """An address as folded words without the postcode, town and country (the street line to compare:
    two businesses in one town share those, not a street)."""
    if not address:
        return None
    town = _place_words(city or "")
    postcode_words = (postcode or "").casefold().split()
    kept = [w for w in name_words(address) if w not in town and w not in postcode_words]
    return " ".join(kept) or None


@lru_cache(maxsize=CACHE_SIZE)
def _place_words(city: str) -> frozenset[str]:
    return frozenset(name_words(city)) | _COUNTRY_WORDS


def business_domain(host: str | None) -> str | None:
    """The registrable domain of a host, None for free-mail providers."""
    domain = registrable_domain(host)
    return None if is_free_mail_domain(domain) else domain


def _company_columns(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """The name parts, the postcode and the place keys of company records.

    A UK postcode (`postcode_uk`) is a handful of addresses, a postcode abroad (`postcode_abroad`) often
    a whole district, so they are weighed apart. `first_outward` is the name's first word with the
    outward code of a UK postcode (the whole code abroad): "acme LS1"; `address_key` is postcode +
    street, one building's door.
    """
    names, addresses, cities = _values(frame, "name"), _values(frame, "address"), _values(frame, "city")
    postcodes = _each(_values(frame, "postcode"), normalise_postcode)
    parsed = _each(names, parse_company_name)
    core = [p.core or None if p is not None else None for p in parsed]
    first = [c.split(" ", 1)[0] if c else None for c in core]
    streets = [street_key(a, p, c) for a, p, c in zip(addresses, postcodes, cities, strict=True)]
    outward = [p.split(" ", 1)[0] if p else None for p in postcodes]
    return {
        "name_core": core,
        "name_trading": [p.trading_name if p is not None else None for p in parsed],
        # "Co"/"& Co" is too weak a form to conflict with anything
        "legal_form": [p.legal_form if p is not None and p.legal_form != "co" else None for p in parsed],
        "name_first": first,
        "name_sorted": [" ".join(sorted(c.split())) if c else None for c in core],
        # normalised UK postcodes hold a space ("LS1 4AB"), others are compacted ("20095")
        "postcode_uk": [p if p and " " in p else None for p in postcodes],
        "postcode_abroad": [p if p and " " not in p else None for p in postcodes],
        "street": streets,
        "first_outward": [f"{f} {o}" if f and o else None for f, o in zip(first, outward, strict=True)],
        "address_key": [f"{p} {s}" if p and s else None for p, s in zip(postcodes, streets, strict=True)],
    }


# --- the three tables -------------------------------------------------------------------------------
def prepare_organisations(organisations: pd.DataFrame) -> pd.DataFrame:
    """CRM organisations as matcher input, indexed by org_id (deleted ones left out)."""
    live = _live(organisations)
    columns = _company_columns(live)
    # the website's domain, else the one the CRM derived from the organisation's people
    website = _each(_values(live, "website"), website_domain)
    derived = _each(_values(live, "email_domain"), registrable_domain)
    columns["domain"] = [w or d for w, d in zip(website, derived, strict=True)]
    columns["vat"] = _each(_values(live, "vat_number"), normalise_vat_number)
    columns["company_number"] = _each(_values(live, "company_number"), company_number)
    columns["xero_contact_id"] = _keys(live, "xero_contact_id")
    return _frame(columns, _keys(live, "org_id"))


def prepare_xero_contacts(contacts: pd.DataFrame) -> pd.DataFrame:
    """Xero contacts as matcher input, indexed by ContactID (see `workbench.profile.duplicates` for
    which contacts are left out)."""
    columns = _company_columns(contacts)
    emails = _each(_values(contacts, "email"), normalise_email)
    columns["email"] = emails
    columns["domain"] = _each([e.rpartition("@")[2] if e else None for e in emails], business_domain)
    columns["phone"] = _each(_values(contacts, "phone"), normalise_phone)
    columns["vat"] = _each(_values(contacts, "tax_number"), normalise_vat_number)
    columns["company_number"] = _each(_values(contacts, "company_number"), company_number)
    people = [
        f"{f or ''} {la or ''}"
        for f, la in zip(_values(contacts, "first_name"), _values(contacts, "last_name"), strict=True)
    ]
    columns["person"] = _each(people, _words)
    return _frame(columns, _keys(contacts, "contact_id"))


# Mailboxes a team shares: the same address on two people says nothing about them being one person.
ROLE_MAILBOXES = frozenset(
    {
        "info", "accounts", "account", "sales", "admin", "office", "hello", "enquiries", "enquiry",
        "contact", "finance", "billing", "invoices", "invoice", "support", "team", "reception", "mail",
        "payments", "purchasing", "orders", "bookings", "hr", "jobs", "marketing", "noreply", "no-reply",
    }
)  # fmt: skip


def personal_email(email: str | None) -> str | None:
    """A normalised email address that belongs to one person (not `info@`, `accounts@`...)."""
    address = normalise_email(email)
    if address is None or address.split("@")[0] in ROLE_MAILBOXES:
        return None
    return address


@lru_cache(maxsize=CACHE_SIZE)
def _words(text: str) -> str | None:
    """A person's name as folded words (cached: a Xero contact's person is often a CRM person too)."""
    return " ".join(person_name_tokens(text)) or None


def prepare_people(people: pd.DataFrame) -> pd.DataFrame:
    """CRM people as matcher input, indexed by person_id (deleted ones left out)."""
    live = _live(people)
    first = _each(_values(live, "first_name"), _words)
    last = _each(_values(live, "last_name"), _words)
    names = _values(live, "name")
    # first_name/last_name when the CRM has them, else the first and last words of the full name
    given: list[str | None] = []
    middle: list[str | None] = []
    family: list[str | None] = []
    for f, la, name in zip(first, last, names, strict=True):
        words = (_words(name) or "").split() if (f is None or la is None) and isinstance(name, str) else []
        forenames = f.split(" ") if f else words[:-1]
        surnames = la.split(" ") if la else words[-1:]
        # an initial at the front of the last name is a middle initial ("R. Dunmore")
        while len(surnames) > 1 and len(surnames[0]) == 1:
            forenames.append(surnames.pop(0))
        given.append(forenames[0] if forenames else None)
        # "Phoebe R." and "Phoebe B." are two people; "Phoebe" alone says nothing either way
        middle.append(" ".join(forenames[1:]) or None)
        family.append(" ".join(surnames) or None)
    columns: dict[str, list[Any]] = {
        "given": given,
        "middle": middle,
        "family": family,
        "given_formal": _each(given, formal_given_name),
        "full": [" ".join(w for w in (g, f) if w) or None for g, f in zip(given, family, strict=True)],
        "email": _each(_values(live, "email"), personal_email),
        "phone": _each(_values(live, "phone"), normalise_phone),
        "org_id": _keys(live, "org_id"),
    }
    return _frame(columns, _keys(live, "person_id"))
