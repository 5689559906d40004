"""Canonical tables as matcher input: one row per record, indexed by its id, each key read once the way
`workbench.profile.names` reads it, blanks as None.

Written as plain loops over Python lists because the readings are per value anyway; each reading runs
once per distinct value (many records share a postcode, a domain, a first name).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
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

T = TypeVar("T")


def _each(values: list[Any], reading: Callable[[str], T]) -> list[T | None]:
    """`reading` of every str value (once per distinct value); None for anything else."""
    distinct: dict[Hashable, T] = {v: reading(v) for v in dict.fromkeys(values) if isinstance(v, str)}
    return [distinct.get(v) if isinstance(v, str) else None for v in values]


def _values(frame: pd.DataFrame, name: str) -> list[Any]:
    """A column as a list, None for blanks (and for a column the table does not have)."""
    if name not in frame.columns:
        return [None] * len(frame)
    column = frame[name]
    return column.astype(object).where(column.notna(), None).tolist()


def _live(frame: pd.DataFrame) -> pd.DataFrame:
    """Records not deleted in the source (a deleted CRM record is gone, not a duplicate)."""
    if "is_deleted" not in frame.columns:
        return frame
    return frame[~frame["is_deleted"].fillna(False).astype(bool)]


def _frame(columns: dict[str, list[Any]], ids: list[Any]) -> pd.DataFrame:
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


def street_key(address: str | None, postcode: str | None) -> str | None:
    """An address as folded words without the postcode and country (a street line to compare)."""
    if not address:
        return None
    drop = set((postcode or "").casefold().split()) | _COUNTRY_WORDS  # postcodes come normalised
    return " ".join(w for w in name_words(address) if w not in drop) or None


def business_domain(host: str | None) -> str | None:
    """The registrable domain of a host, None for free-mail providers."""
    domain = registrable_domain(host)
    return None if is_free_mail_domain(domain) else domain


def _company_columns(
    names: list[Any], postcodes: list[str | None], addresses: list[Any]
) -> dict[str, list[Any]]:
    """The name parts, the postcode and the place keys of company records.

    `first_outward` is the name's first word with the outward code of a UK postcode (the whole code
    abroad): "acme LS1"; `address_key` is postcode + street, one building's door.
    """
    parsed = _each(names, parse_company_name)
    core = [p.core or None if p is not None else None for p in parsed]
    first = [c.split(" ", 1)[0] if c else None for c in core]
    streets = [street_key(a, p) for a, p in zip(addresses, postcodes, strict=True)]
    outward = [p.split(" ", 1)[0] if p else None for p in postcodes]
    return {
        "name_core": core,
        "name_trading": [p.trading_name if p is not None else None for p in parsed],
        # "Co"/"& Co" is too weak a form to conflict with anything
        "legal_form": [p.legal_form if p is not None and p.legal_form != "co" else None for p in parsed],
        "name_first": first,
        "name_sorted": [" ".join(sorted(c.split())) if c else None for c in core],
        "postcode": postcodes,
        "street": streets,
        "first_outward": [f"{f} {o}" if f and o else None for f, o in zip(first, outward, strict=True)],
        "address_key": [f"{p} {s}" if p and s else None for p, s in zip(postcodes, streets, strict=True)],
    }


# --- the three tables -------------------------------------------------------------------------------
def prepare_organisations(organisations: pd.DataFrame) -> pd.DataFrame:
    """CRM organisations as matcher input, indexed by org_id (deleted ones left out)."""
    live = _live(organisations)
    postcodes = _each(_values(live, "postcode"), normalise_postcode)
    columns = _company_columns(_values(live, "name"), postcodes, _values(live, "address"))
    # the website's domain, else the one the CRM derived from the organisation's people
    website = _each(_values(live, "website"), website_domain)
    derived = _each(_values(live, "email_domain"), registrable_domain)
    columns["domain"] = [w or d for w, d in zip(website, derived, strict=True)]
    columns["vat"] = _each(_values(live, "vat_number"), normalise_vat_number)
    columns["company_number"] = _each(_values(live, "company_number"), company_number)
    columns["xero_contact_id"] = _values(live, "xero_contact_id")
    return _frame(columns, _values(live, "org_id"))


def prepare_xero_contacts(contacts: pd.DataFrame) -> pd.DataFrame:
    """Xero contacts as matcher input, indexed by ContactID (see `workbench.profile.duplicates` for
    which contacts are left out)."""
    postcodes = _each(_values(contacts, "postcode"), normalise_postcode)
    columns = _company_columns(_values(contacts, "name"), postcodes, _values(contacts, "address"))
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
    columns["person"] = _each(people, lambda p: " ".join(person_name_tokens(p)) or None)
    return _frame(columns, _values(contacts, "contact_id"))


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


def _words(text: str) -> str | None:
    return " ".join(person_name_tokens(text)) or None


def prepare_people(people: pd.DataFrame) -> pd.DataFrame:
    """CRM people as matcher input, indexed by person_id (deleted ones left out)."""
    live = _live(people)
    first = _each(_values(live, "first_name"), _words)
    last = _each(_values(live, "last_name"), _words)
    names = _values(live, "name")
    # first_name/last_name when the CRM has them, else the first and last words of the full name
    given: list[str | None] = []
    family: list[str | None] = []
    for f, la, name in zip(first, last, names, strict=True):
        words = (_words(name) or "").split() if (f is None or la is None) and isinstance(name, str) else []
        given.append(f.split(" ", 1)[0] if f else (words[0] if len(words) > 1 else None))
        family.append(la or (words[-1] if words else None))
    columns: dict[str, list[Any]] = {
        "given": given,
        "family": family,
        "given_formal": _each(given, formal_given_name),
        "full": [" ".join(w for w in (g, f) if w) or None for g, f in zip(given, family, strict=True)],
        "email": _each(_values(live, "email"), personal_email),
        "phone": _each(_values(live, "phone"), normalise_phone),
        "org_id": _values(live, "org_id"),
    }
    return _frame(columns, _values(live, "person_id"))
