"""Who each Xero customer is for VAT: where it belongs, whether it is VAT-registered, what it does.

A VAT verdict on a sale turns on the customer: a UK customer, an overseas business (with a VAT number as
evidence it is in business, HMRC VATPOSS06500) or an overseas consumer, and whether it is a construction
business the domestic reverse charge can apply to. Xero's contact is read first, then the linked CRM
organisation fills the gaps (a contact with no address, a VAT number typed only in the CRM).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from workbench.profile.tables import ProfileTables
from workbench.profile.vat_text import codes, lookup, per_unique, stripped

UK = "uk"
ABROAD = "abroad"
# The UK VAT area: Great Britain, Northern Ireland and the Isle of Man (which shares UK VAT); Jersey and
# Guernsey are outside it.
_UK_COUNTRIES = frozenset(
    {
        "united kingdom",
        "uk",
        "u.k.",
        "gb",
        "gbr",
        "great britain",
        "britain",
        "england",
        "scotland",
        "wales",
        "northern ireland",
        "isle of man",
        "united kingdom of great britain and northern ireland",
    }
)
_UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][A-Z]{2}$")
_PREFIX = re.compile(r"^([A-Z]{2})")
_SECTOR_KEY = re.compile(r"sector|industry", re.IGNORECASE)
# Construction trades, as a sector value or in a company's name ("Westfield Builders Ltd"): the work the
# domestic reverse charge covers (VAT Notice 735, construction services). Bare "engineering" is not
# one: most engineering firms make things.
CONSTRUCTION_TRADES = re.compile(
    r"construct|builders?\b|building contractor|civil engineer|structural engineer|groundwork|"
    r"scaffold|roofing|roofers?\b|joinery|joiners?\b|carpent|plaster|dry ?lining|brick ?(?:work|lay)|"
    r"plumb|heating|electrical|electricians?\b|demolition|shopfit|flooring|glazing|glaziers?\b|"
    r"tiling|paving|surfacing|piling|insulation|decorat|painters? and decorators|steel erect|"
    r"fit[- ]?out|refurbishment",
    re.IGNORECASE,
)
PROFILE_COLUMNS = [
    "name",
    "location",
    "country",
    "vat_number",
    "vat_prefix",
    "sales_tax_type",
    "default_treatment",
]


def _country_location(country: object) -> str | None:
    text = str(country).strip().casefold()
    if not text:
        return None
    return UK if text in _UK_COUNTRIES else ABROAD


_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def _vat_prefix(number: object) -> str | None:
    match = _PREFIX.match(_NOT_ALNUM.sub("", str(number).upper()))
    return match.group(1) if match else None


def _prefix_location(prefix: object) -> str | None:
    return UK if prefix in ("GB", "XI") else ABROAD


def _postcode_location(postcode: object) -> str | None:
    return UK if _UK_POSTCODE.match(str(postcode).strip().upper()) else None


def location_of_country(country: pd.Series) -> pd.Series:
    """'uk' / 'abroad' from a free-text country, None when it is blank."""
    return per_unique(country, _country_location)


def vat_prefix(vat_numbers: pd.Series) -> pd.Series:
    """The two-letter country prefix of a VAT number ('GB', 'DE', ...), None when it has none."""
    return per_unique(vat_numbers, _vat_prefix)


def _first(*candidates: pd.Series) -> pd.Series:
    out = candidates[0]
    for candidate in candidates[1:]:
        out = out.where(out.notna(), candidate)
    return out


def location(country: pd.Series, postcode: pd.Series, prefix: pd.Series) -> pd.Series:
    """'uk' / 'abroad' from the country, else a UK-shaped postcode, else the VAT number's prefix."""
    return _first(
        location_of_country(country),
        per_unique(postcode, _postcode_location),
        per_unique(prefix, _prefix_location),
    )


def construction_flags(custom_fields: pd.Series) -> list[bool]:
    """Whether each CRM record's sector / industry field names construction work."""
    keys: dict[object, bool] = {}
    values: dict[object, bool] = {}
    flags = []
    for fields in custom_fields:
        found = False
        if isinstance(fields, dict):
            for key, value in fields.items():
                if not isinstance(key, str) or not isinstance(value, str):
                    continue
                if keys.setdefault(key, bool(_SECTOR_KEY.search(key))):
                    found = found or values.setdefault(value, bool(CONSTRUCTION_TRADES.search(value)))
        flags.append(found)
    return flags


def contact_org_links(tables: ProfileTables, org_links: pd.DataFrame | None) -> pd.DataFrame:
    """(contact_id, org_id) pairs: the CRM <-> Xero link table when given, else the organisation's own
    stored Xero contact id."""
    if org_links is not None:
        links = org_links[["contact_id", "org_id"]]
    else:
        organisations = tables["organisations"]
        links = organisations.loc[organisations["xero_contact_id"].notna(), ["xero_contact_id", "org_id"]]
        links = links.rename(columns={"xero_contact_id": "contact_id"})
    links = links.dropna().astype(str)
    return links.drop_duplicates().reset_index(drop=True)


@dataclass(frozen=True)
class Customers:
    """The per-contact VAT profile (`profile`, PROFILE_COLUMNS, indexed by contact_id), the
    (contact_id, org_id) pairs it was read through and the CRM organisations behind them."""

    profile: pd.DataFrame
    pairs: pd.DataFrame
    organisations: pd.DataFrame

    def in_construction(self, contact_ids: Iterable[str]) -> set[str]:
        """Which of these contacts the CRM lists in the construction sector (read for these only)."""
        mine = self.pairs[self.pairs["contact_id"].isin(set(contact_ids))]
        orgs = self.organisations[self.organisations["org_id"].astype(str).isin(mine["org_id"])]
        building = set(orgs.loc[construction_flags(orgs["custom_fields"]), "org_id"].astype(str))
        return set(mine.loc[mine["org_id"].isin(building), "contact_id"])

    def named_as_builders(self, contact_ids: Iterable[str]) -> set[str]:
        """Which of these contacts' names (Xero's or a linked CRM organisation's) name a construction
        trade."""
        wanted = set(contact_ids)
        names = self.profile.loc[self.profile.index.isin(wanted), "name"]
        found = {c for c, n in names.items() if isinstance(n, str) and CONSTRUCTION_TRADES.search(n)}
        mine = self.pairs[self.pairs["contact_id"].isin(wanted - found)]
        orgs = self.organisations.assign(org_id=self.organisations["org_id"].astype(str))
        orgs = orgs[orgs["org_id"].isin(mine["org_id"])]
        trade = {
            o
            for o, n in zip(orgs["org_id"], orgs["name"], strict=True)
            if isinstance(n, str) and CONSTRUCTION_TRADES.search(n)
        }
        return found | set(mine.loc[mine["org_id"].isin(trade), "contact_id"])

    def orgs_of(self, contact_ids: Iterable[str]) -> dict[str, list[str]]:
        """The CRM organisations of the given contacts (only these: building it for all is slow)."""
        wanted = set(contact_ids)
        out: dict[str, list[str]] = {}
        mine = self.pairs[self.pairs["contact_id"].isin(wanted)]
        for contact_id, org_id in zip(mine["contact_id"], mine["org_id"], strict=True):
            out.setdefault(contact_id, [])
            if org_id not in out[contact_id]:
                out[contact_id].append(org_id)
        return out


def customers(
    tables: ProfileTables, rates: pd.DataFrame, links: pd.DataFrame, deal_orgs: pd.DataFrame | None = None
) -> Customers:
    """Every Xero contact's VAT profile. `rates` is `vat_rates.tax_rate_table`; `links` the pairs of
    `contact_org_links`; `deal_orgs` more pairs, read from the deals a contact's invoices bill."""
    contacts = tables["xero_contacts"].drop_duplicates("contact_id")
    contacts = contacts.set_index(contacts["contact_id"].astype(str))
    organisations = tables["organisations"].drop_duplicates("org_id")
    orgs = pd.DataFrame(
        {"org_id": organisations["org_id"].astype(str), "vat": stripped(organisations["vat_number"])}
    )
    orgs["country"] = stripped(organisations["country"])
    orgs["location"] = location(organisations["country"], organisations["postcode"], vat_prefix(orgs["vat"]))
    extra = [] if deal_orgs is None or deal_orgs.empty else [deal_orgs]
    pairs = pd.concat([links, *extra]).drop_duplicates() if extra else links
    org_side = pairs.merge(orgs, on="org_id", how="inner")

    def first_per_contact(column: str) -> pd.Series:
        known = org_side[org_side[column].notna()].drop_duplicates("contact_id")
        return known.set_index("contact_id")[column].reindex(contacts.index).astype(object)

    profile = pd.DataFrame(index=contacts.index)
    profile["name"] = contacts["name"]
    profile["vat_number"] = _first(stripped(contacts["tax_number"]), first_per_contact("vat"))
    profile["vat_prefix"] = vat_prefix(profile["vat_number"])
    profile["country"] = _first(stripped(contacts["country"]), first_per_contact("country"))
    profile["location"] = _first(
        location_of_country(contacts["country"]),
        first_per_contact("location"),
        location(contacts["country"], contacts["postcode"], profile["vat_prefix"]),
    )
    profile["sales_tax_type"] = codes(contacts["sales_tax_type"])
    profile["default_treatment"] = lookup(profile["sales_tax_type"], rates["treatment"])
    return Customers(profile[PROFILE_COLUMNS], pairs, organisations)
