"""Reads the hygiene rules share: org <-> Xero contact links, live, open and won deals, active contacts,
record names and calendar days."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from workbench.profile.stored_contact_ids import stored_contact_links
from workbench.profile.tables import ProfileTables

ZERO = Decimal(0)


def org_contact_links(tables: ProfileTables, org_links: pd.DataFrame | None = None) -> pd.DataFrame:
    """`source, org_id, contact_id, assignment` per org <-> Xero contact link: the matcher's, or the
    stored ids (each then the organisation's own contact, `one_to_one`)."""
    links = stored_contact_links(tables) if org_links is None else org_links.copy()
    if "source" not in links.columns:
        links["source"] = None
    if "assignment" not in links.columns:
        links["assignment"] = "one_to_one"
    links = links.loc[links["contact_id"].notna(), ["source", "org_id", "contact_id", "assignment"]]
    links = links.astype({"org_id": str, "contact_id": str})
    return links.drop_duplicates(["source", "org_id", "contact_id"]).reset_index(drop=True)


def live_deals(tables: ProfileTables) -> pd.DataFrame:
    deals = tables["deals"]
    return deals[~deals["is_deleted"].fillna(False).astype(bool)]


def open_deals(tables: ProfileTables) -> pd.DataFrame:
    deals = live_deals(tables)
    return deals[deals["status"].astype(str).str.lower().eq("open")]


def won_deals(tables: ProfileTables) -> pd.DataFrame:
    deals = live_deals(tables)
    won = deals["status"].astype(str).str.lower().eq("won") | deals["is_won"].fillna(False).astype(bool)
    return deals[won]


def live_contacts(tables: ProfileTables) -> pd.DataFrame:
    """ACTIVE Xero contacts: archived ones take no new documents and GDPRREQUEST ones are erased on
    purpose, so neither needs its details completed."""
    contacts = tables["xero_contacts"]
    return contacts[contacts["status"].fillna("ACTIVE").astype(str).str.upper().eq("ACTIVE")]


def day_text(value: object) -> str:
    return "unknown date" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d %b %Y}"


def record_names(frame: pd.DataFrame, id_column: str, name_column: str = "name") -> dict[str, str]:
    return dict(
        zip(frame[id_column].astype(str), frame[name_column].fillna("(no name)").astype(str), strict=True)
    )


def as_of_day(tables: ProfileTables) -> pd.Timestamp:
    return pd.Timestamp(tables.as_of)


def utc_day(values: pd.Series) -> pd.Series:
    """Datetimes (tz-aware or not) as naive calendar days, so they compare with `as_of`."""
    stamps = pd.to_datetime(values, utc=True)
    return stamps.dt.tz_localize(None).dt.normalize()
