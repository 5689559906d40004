"""The keys each side of the CRM <-> Xero match offers, normalised the way `workbench.profile.names`
reads them: VAT number, emails and business domains, canonical name, postcode and city."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.profile.names import (
    is_free_mail_domain,
    normalise_email,
    normalise_postcode,
    normalise_vat_number,
    parse_company_name,
    registrable_domain,
    website_domain,
)
from workbench.profile.shared_reads import blank, live_organisations, record_keys
from workbench.profile.tables import ProfileTables

# Pairs are (organisation row, contact row): integer positions into `CrmSide.orgs` and the contacts;
# FLAGS are the exact keys a pair can agree on.
PAIR = ["o", "c"]
FLAGS = ["stored", "vat_agrees", "email_agrees", "domain_agrees"]
Memo = dict[Callable[[Any], Any], dict[Any, Any]]


def map_unique(values: pd.Series, fn: Callable[[Any], Any], memo: Memo | None = None) -> pd.Series:
    """`fn` applied once per distinct value (the name and key readers are per-value Python); `memo`
    carries the readings across calls, so a name or domain on both sides is read once per run. Blanks
    read as missing."""
    codes, readings = _read_distinct(values, fn, memo)
    mapped = pd.Series(readings, dtype=None if readings else object)
    return pd.Series(mapped.array.take(codes, allow_fill=True), index=values.index)


def _read_distinct(
    values: pd.Series, fn: Callable[[Any], Any], memo: Memo | None
) -> tuple[np.ndarray, list[Any]]:
    """Each row's position among the distinct values (-1 for a blank) and `fn` of each distinct value:
    positions taken from one small list are far cheaper than a per-row dict look-up."""
    seen = {} if memo is None else memo.setdefault(fn, {})
    codes, distinct = pd.factorize(values)
    unread = [value for value in distinct.tolist() if value not in seen]
    seen.update(zip(unread, map(fn, unread), strict=True))
    return codes, [seen[value] for value in distinct.tolist()]


def _name_parts(names: pd.Series, memo: Memo | None = None) -> pd.DataFrame:
    codes, parsed = _read_distinct(names, parse_company_name, memo)

    def part(read: Callable[[Any], Any], blank_name: Any) -> Any:
        return pd.Series([read(p) for p in parsed] + [blank_name]).to_numpy()[codes]

    return pd.DataFrame(
        {
            "core": part(lambda p: p.core, ""),
            "trading": part(lambda p: p.trading_name or "", ""),
            "form": part(lambda p: p.legal_form, None),
        },
        index=names.index,
    )


@dataclass(frozen=True)
class CrmSide:
    """Live organisations with their comparable keys (row `i` of `orgs` is organisation `i` everywhere
    below), and the emails and business domains each has (website, stated domain, its people's
    addresses), one row per (organisation row, value)."""

    orgs: pd.DataFrame
    emails: pd.DataFrame  # row, email
    domains: pd.DataFrame  # row, domain


def crm_keys(tables: ProfileTables, memo: Memo | None = None) -> CrmSide:
    """The CRM side's keys, each normalised the way `workbench.profile.names` reads it."""
    orgs = live_organisations(tables).astype({"org_id": str}).reset_index(drop=True)
    out = pd.DataFrame(
        {
            "source": orgs["source"],
            "org_id": orgs["org_id"],
            "name": orgs["name"],
            "vat": map_unique(orgs["vat_number"], normalise_vat_number, memo),
            "postcode": map_unique(orgs["postcode"], normalise_postcode, memo),
            "city": map_unique(orgs["city"], _fold_city, memo),
        }
    )
    out = out.join(_name_parts(orgs["name"], memo))
    out["key"] = record_keys(out)
    emails, domains = _org_emails_and_domains(tables, orgs, out["key"], memo)
    return CrmSide(out, emails, domains)


def _fold_city(city: str) -> str | None:
    text = " ".join(str(city).casefold().split())
    return text or None


def _org_emails_and_domains(
    tables: ProfileTables, orgs: pd.DataFrame, org_keys: pd.Series, memo: Memo | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    people = tables["people"]
    people = people[~people["is_deleted"].fillna(False).astype(bool) & people["org_id"].notna()]
    row = pd.Index(org_keys).get_indexer(record_keys(people))
    listed = people["emails"].explode()
    listed = listed.map(lambda e: e.get("value") if isinstance(e, dict) else e)
    rows = np.concatenate([row, row[people.index.get_indexer(listed.index)]])
    everyone = pd.DataFrame({"row": rows, "email": np.concatenate([people["email"], listed])})
    everyone = everyone[(everyone["row"] >= 0) & everyone["email"].notna()].drop_duplicates()
    everyone["email"] = map_unique(everyone["email"].astype(str), normalise_email, memo)
    everyone = everyone.dropna().drop_duplicates()
    org_rows = np.arange(len(orgs))
    domains = pd.concat(
        [
            pd.DataFrame(
                {"row": everyone["row"].to_numpy(), "domain": _email_domains(everyone["email"], memo)}
            ),
            pd.DataFrame({"row": org_rows, "domain": map_unique(orgs["website"], website_domain, memo)}),
            pd.DataFrame({"row": org_rows, "domain": map_unique(orgs["email_domain"], _domain, memo)}),
        ],
        ignore_index=True,
    )
    domains = domains.dropna().drop_duplicates().astype({"domain": str})
    return everyone.reset_index(drop=True), domains.reset_index(drop=True)


def _email_domains(emails: pd.Series, memo: Memo | None = None) -> pd.Series:
    """`email_domain` of already-normalised addresses, read once per distinct address and host."""
    hosts: dict[Any, Any] = {} if memo is None else memo.setdefault(_domain, {})

    def domain_of(email: Any) -> str | None:
        host = str(email).rpartition("@")[2]
        if host not in hosts:
            hosts[host] = _domain(host)
        return hosts[host]

    return map_unique(emails, domain_of)


def _domain(value: str) -> str | None:
    domain = registrable_domain(value)
    return None if domain is None or is_free_mail_domain(domain) else domain


def xero_keys(tables: ProfileTables, memo: Memo | None = None) -> pd.DataFrame:
    """Xero contacts that can be matched (merged-away ones are skipped: their survivor stands in)."""
    contacts = tables["xero_contacts"]
    contacts = contacts[blank(contacts["merged_to_contact_id"])].astype({"contact_id": str})
    contacts = contacts.reset_index(drop=True)
    out = pd.DataFrame(
        {
            "contact_id": contacts["contact_id"],
            "name": contacts["name"],
            "status": contacts["status"].fillna("ACTIVE").astype(str).str.upper(),
            "vat": map_unique(contacts["tax_number"], normalise_vat_number, memo),
            "email": map_unique(contacts["email"], normalise_email, memo),
            "postcode": map_unique(contacts["postcode"], normalise_postcode, memo),
            "city": map_unique(contacts["city"], _fold_city, memo),
            "contact_number": contacts["contact_number"],
            "account_number": contacts["account_number"],
        }
    )
    out["domain"] = _email_domains(out["email"], memo)
    return out.join(_name_parts(contacts["name"], memo))
