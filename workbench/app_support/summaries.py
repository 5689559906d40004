"""The figures the app's charts plot, read from a health profile (no new analysis: shares and
counts of what the profile found)."""

from __future__ import annotations

import pandas as pd

from workbench.profile.health import HealthProfile
from workbench.profile.matching import KEY_ORDER, MatchResult
from workbench.profile.volumes import Volumes
from workbench.route.from_profile import DUPLICATE_KINDS, data_evidence

TABLE_LABELS = {
    "organisations": ("CRM", "CRM organisations"),
    "people": ("CRM", "CRM people"),
    "xero_contacts": ("Xero", "Xero contacts"),
}
KEY_LABELS = {
    "stored_contact_id": "stored Xero ContactID",
    "vat_number": "VAT number",
    "invoice_reference": "invoice reference",
    "email": "email address",
    "email_domain": "email/web domain",
    "name": "company name",
}
MONTHLY_SERIES = {"deals_won": "deals won", "sales_invoices": "sales invoices raised"}


def duplicate_rates(profile: HealthProfile) -> pd.DataFrame:
    """Per table: live records, clusters, records that are a second copy, and that as a share of live
    (the rate the route's clean-up precondition reads)."""
    evidence = data_evidence(profile.volumes, profile.findings)
    rows = []
    for table in DUPLICATE_KINDS.values():
        system, name = TABLE_LABELS[table]
        live = evidence.live_records.get(table, 0)
        copies = evidence.duplicate_records.get(table, 0)
        rows.append(
            {
                "system": system,
                "table": table,
                "label": name,
                "live": live,
                "clusters": evidence.duplicate_clusters.get(table, 0),
                "duplicates": copies,
                "rate": round(copies / live, 4) if live else 0.0,
            }
        )
    return pd.DataFrame(rows, columns=["system", "table", "label", "live", "clusters", "duplicates", "rate"])


def match_coverage(matching: MatchResult) -> pd.DataFrame:
    """What became of each CRM organisation: linked one-to-one (by the key that made the link), a
    duplicate of an organisation already linked, or not matched; with shares of all of them."""
    links = matching.links
    one = links[links["assignment"].eq("one_to_one")]
    by_key = one["key"].value_counts()
    rows = [
        {"outcome": f"linked by {KEY_LABELS.get(k, k)}", "key": k, "organisations": int(by_key[k])}
        for k in KEY_ORDER
        if by_key.get(k, 0)
    ]
    duplicates = int(links["assignment"].eq("duplicate_org").sum())
    if duplicates:
        rows.append(
            {"outcome": "duplicate of a linked organisation", "key": None, "organisations": duplicates}
        )
    rows.append({"outcome": "not matched", "key": None, "organisations": len(matching.unmatched_crm)})
    frame = pd.DataFrame(rows, columns=["outcome", "key", "organisations"])
    total = int(frame["organisations"].sum())
    frame["share"] = (frame["organisations"] / total).round(4) if total else 0.0
    return frame


def key_coverage(matching: MatchResult) -> pd.DataFrame:
    """Per key, the share of CRM organisations and of Xero customers that carry it (long form)."""
    table = matching.key_recommendation.table
    long = table.melt(
        id_vars=["key"], value_vars=["crm_populated", "xero_populated"], var_name="side", value_name="share"
    )
    long["side"] = long["side"].map(
        {"crm_populated": "CRM organisations", "xero_populated": "Xero customers"}
    )
    long["key"] = long["key"].map(lambda k: KEY_LABELS.get(k, k))
    return long


def monthly_activity(volumes: Volumes) -> pd.DataFrame:
    """Deals won and sales invoices raised per month (long form: month, series, count)."""
    monthly = volumes.monthly
    columns = [c for c in MONTHLY_SERIES if c in monthly.columns]
    if monthly.empty or not columns:
        return pd.DataFrame(columns=["month", "series", "count"])
    long = monthly[["month", *columns]].melt(id_vars=["month"], var_name="series", value_name="count")
    long["month"] = long["month"].astype(str)
    long["series"] = long["series"].map(MONTHLY_SERIES)
    return long
