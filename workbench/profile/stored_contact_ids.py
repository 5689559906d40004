"""The Xero ContactIDs CRM organisations store, followed through Xero's merges to the contact they mean."""

from __future__ import annotations

import pandas as pd

from workbench.profile.shared_reads import blank, live_organisations
from workbench.profile.tables import ProfileTables

# A merge chain longer than this is a data loop, not a real history of merges.
MAX_MERGE_HOPS = 10
STORED_COLUMNS = ["source", "org_id", "stored_contact_id", "contact_id", "state"]


def resolve_stored_contact_ids(tables: ProfileTables) -> pd.DataFrame:
    """Every live CRM organisation's stored Xero ContactID and the contact it resolves to.

    `state` is `ok`, `merged` (the stored contact was merged away in Xero: `contact_id` is the survivor)
    or `missing` (no such contact in the tenant: `contact_id` is None).
    """
    orgs = live_organisations(tables)
    stored = orgs.loc[~blank(orgs["xero_contact_id"]), ["source", "org_id", "xero_contact_id"]]
    stored = stored.rename(columns={"xero_contact_id": "stored_contact_id"}).astype({"org_id": str})
    stored["stored_contact_id"] = stored["stored_contact_id"].astype(str).str.strip()
    contacts = tables["xero_contacts"]
    current = follow_merges(stored["stored_contact_id"], contacts)
    was_merged = current.ne(stored["stored_contact_id"])
    exists = current.isin(set(contacts["contact_id"].astype(str)))
    state = pd.Series("ok", index=stored.index).mask(was_merged, "merged").mask(~exists, "missing")
    out = stored.assign(contact_id=current.where(exists, None), state=state)
    return out[STORED_COLUMNS].reset_index(drop=True)


def follow_merges(contact_ids: pd.Series, contacts: pd.DataFrame) -> pd.Series:
    """Each contact id replaced by the contact it was merged into (through chains of merges)."""
    merged_to = contacts.set_index(contacts["contact_id"].astype(str))["merged_to_contact_id"]
    merged_to = merged_to[~blank(merged_to)].astype(str)
    current = contact_ids.astype(str)
    for _ in range(MAX_MERGE_HOPS):
        step = current.map(merged_to)
        if step.isna().all():
            break
        current = step.fillna(current)
    return current


def stored_contact_links(tables: ProfileTables) -> pd.DataFrame:
    """Org -> Xero contact links from the stored ContactIDs that resolve to a contact."""
    resolved = resolve_stored_contact_ids(tables)
    links = resolved.loc[resolved["contact_id"].notna(), ["source", "org_id", "contact_id"]]
    return links.reset_index(drop=True)
