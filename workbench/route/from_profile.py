"""The route's inputs from a profile: `MeasuredVolumes` and the gotcha evidence, read from the volumes
object, the findings table (columns of `workbench.profile.findings`) and the canonical tables.

Contact changes are a lower bound: a snapshot keeps only each record's last edit, so a record changed
twice in the window counts once. Custom fields count those filled on organisations and deals (what an
invoice or a Xero contact can carry), leaving out fields that hold Xero's own ids (they are the link,
not data to map).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from workbench.profile.findings import FINDING_COLUMNS
from workbench.profile.tables import ProfileTables
from workbench.profile.volumes import BOTH_SIDES_WINDOW_DAYS, Volumes
from workbench.route.inputs import DataEvidence, MeasuredVolumes, TaxProfile

DUPLICATE_KINDS = {
    "duplicate_organization": "organisations",
    "duplicate_person": "people",
    "duplicate_contact": "xero_contacts",
}
# the side a duplicate rate is judged on: the records a sync matches on
RATE_TABLES = ("organisations", "xero_contacts")
MAPPED_TABLES = ("organisations", "deals")
_XERO_ID = re.compile(r"xero", re.IGNORECASE)
_DRC = re.compile(r"reverse\s*charge", re.IGNORECASE)
_EC = re.compile(r"\bEC\b", re.IGNORECASE)


def route_inputs(
    volumes: Volumes, findings: pd.DataFrame, tables: ProfileTables | None = None
) -> tuple[MeasuredVolumes, DataEvidence]:
    """Volumes and evidence for `recommend`; without `tables` the tax profile and Xero-side contact
    changes are left at their defaults."""
    findings = findings if not findings.empty else pd.DataFrame(columns=list(FINDING_COLUMNS))
    evidence = data_evidence(volumes, findings)
    rate, side = duplicate_rate(evidence)
    average = volumes.events.set_index("event")["average_per_month"]
    crm_changes, xero_changes = contact_changes(volumes, tables)
    names = mapped_custom_fields(volumes.custom_fields)
    currencies = volumes.currencies
    used = currencies[(currencies["deals"] > 0) | (currencies["sales_invoices"] > 0)]
    measured = MeasuredVolumes(
        deals_won_per_month=float(average.get("deals_won", 0.0)),
        invoices_per_month=float(average.get("sales_invoices", 0.0)),
        payments_per_month=float(average.get("payments", 0.0)),
        contact_changes_per_month=crm_changes,
        xero_contact_changes_per_month=xero_changes,
        average_lines_per_invoice=volumes.average_lines_per_invoice or 1.0,
        custom_fields=len(names),
        custom_field_names=names,
        currencies=[str(c) for c in used["currency"]] or ["GBP"],
        tax=tax_profile(tables) if tables is not None else TaxProfile(),
        duplicate_rate=rate,
        duplicate_side=side,
        peak_month=volumes.peak_month,
        peak_month_invoices=float(volumes.peak_month_invoices) if volumes.peak_month else None,
    )
    return measured, evidence


def data_evidence(volumes: Volumes, findings: pd.DataFrame) -> DataEvidence:
    clusters: dict[str, int] = {}
    records: dict[str, int] = {}
    for kind, table in DUPLICATE_KINDS.items():
        rows = findings[findings["kind"] == kind]
        clusters[table] = len(rows)
        records[table] = sum(max(0, len(_members(r, table)) - 1) for r in rows["records"])
    both = volumes.edited_both_sides.iloc[0] if len(volumes.edited_both_sides) else None
    calls = volumes.api_calls
    return DataEvidence(
        finding_counts={str(k): int(n) for k, n in findings["kind"].value_counts().items()},
        duplicate_clusters=clusters,
        duplicate_records=records,
        live_records={
            str(t): int(n) for t, n in zip(volumes.counts["table"], volumes.counts["live"], strict=True)
        },
        backfill_xero_calls=int(calls.loc[calls["system"].eq("xero"), "calls"].sum()) if len(calls) else None,
        linked_pairs=int(both["linked_pairs"]) if both is not None else None,
        edited_both_sides=int(both["both_edited"]) if both is not None else None,
        both_sides_window_days=int(both["window_days"]) if both is not None else None,
    )


def _members(records: Any, table: str) -> list[str]:
    return list(records.get(table, [])) if isinstance(records, dict) else []


def duplicate_rate(evidence: DataEvidence) -> tuple[float, str | None]:
    """Records that are a second copy of another, as a share of the live records, on the worse of the
    CRM organisations and the Xero contacts."""
    worst, side = 0.0, None
    for table in RATE_TABLES:
        live = evidence.live_records.get(table, 0)
        if live:
            rate = evidence.duplicate_records.get(table, 0) / live
            if rate > worst:
                worst, side = rate, table
    return round(worst, 4), side


def contact_changes(volumes: Volumes, tables: ProfileTables | None) -> tuple[float, float | None]:
    """(CRM, Xero) contact changes a month: records last changed within the window, per month."""
    months = BOTH_SIDES_WINDOW_DAYS / 30
    if tables is None:
        average = volumes.events.set_index("event")["average_per_month"]
        both = volumes.edited_both_sides
        edited = float(both["crm_edited"].iloc[0]) / months if len(both) else 0.0
        return float(average.get("organisations_created", 0.0)) + edited, None
    since = pd.Timestamp(tables.as_of, tz="UTC") - pd.Timedelta(days=BOTH_SIDES_WINDOW_DAYS)

    def changed(frame: pd.DataFrame) -> float:
        if frame.empty:
            return 0.0
        stamps = pd.to_datetime(frame["updated_at"], utc=True)
        return round(float((stamps >= since).sum()) / months, 1)

    orgs = tables["organisations"]
    orgs = orgs[~orgs["is_deleted"].fillna(False).astype(bool)]
    return changed(orgs), changed(tables["xero_contacts"])


def mapped_custom_fields(custom_fields: pd.DataFrame) -> list[str]:
    """Names of the custom fields filled on organisations and deals, Xero-id fields left out."""
    if custom_fields.empty:
        return []
    filled = custom_fields[
        custom_fields["table"].isin(MAPPED_TABLES) & (custom_fields["populated"].fillna(0).astype(int) > 0)
    ]
    names = [str(n) for n in filled["field"] if not _XERO_ID.search(str(n))]
    return sorted(set(names), key=names.index)


def tax_profile(tables: ProfileTables) -> TaxProfile:
    """Shares of live sales-invoice lines per kind of tax, read through the tenant's own tax rates."""
    invoices = tables["invoices"]
    sales = invoices[invoices["type"].eq("ACCREC") & ~invoices["status"].isin(["VOIDED", "DELETED"])]
    lines = tables["invoice_lines"][["invoice_id", "tax_type"]]  # only what is read: no copy of the rest
    lines = lines[lines["invoice_id"].isin(sales["invoice_id"].unique())]
    if lines.empty:
        return TaxProfile(invoices=len(sales))
    rates = tables["tax_rates"].drop_duplicates("tax_type").set_index("tax_type")
    codes = lines["tax_type"]
    kind_of = {code: tax_kind(code, rates) for code in codes.dropna().unique()}  # a few dozen codes
    kinds = codes.map(kind_of).fillna("other")
    shares = kinds.value_counts(normalize=True)
    per_invoice = lines.dropna(subset=["tax_type"]).groupby("invoice_id")["tax_type"].nunique()
    return TaxProfile(
        lines=len(lines),
        standard_share=round(float(shares.get("standard", 0.0)), 4),
        reduced_share=round(float(shares.get("reduced", 0.0)), 4),
        zero_share=round(float(shares.get("zero", 0.0)), 4),
        exempt_share=round(float(shares.get("exempt", 0.0)), 4),
        no_vat_share=round(float(shares.get("no_vat", 0.0)), 4),
        ec_share=round(float(shares.get("ec", 0.0)), 4),
        reverse_charge_share=round(float(shares.get("reverse_charge", 0.0)), 4),
        other_share=round(float(shares.get("other", 0.0)), 4),
        invoices=len(sales),
        mixed_rate_invoices=int((per_invoice > 1).sum()),
    )


def tax_kind(code: Any, rates: pd.DataFrame) -> str:
    """standard / reduced / zero / exempt / no_vat / ec / reverse_charge / other, from the tenant's
    rate (name and percentage) where it has one, else from the UK code."""
    if not isinstance(code, str) or not code:
        return "other"
    name, rate = "", None
    if code in rates.index:
        row = rates.loc[code]
        name = str(row.get("name") or "")
        for column in ("display_rate", "effective_rate"):
            value = row.get(column)
            if value is not None and not pd.isna(value):
                rate = float(value)
                break
        revenue = row.get("can_apply_to_revenue")
        if revenue is not None and not pd.isna(revenue) and not bool(revenue):
            return "other"  # a purchase-side code on a sales line
    upper = code.upper()
    if upper.startswith("DRCHARGE") or _DRC.search(name):
        return "reverse_charge"
    if upper.startswith("EC") or _EC.search(name):
        return "ec"
    if upper == "NONE" or "no vat" in name.lower():
        return "no_vat"
    if "EXEMPT" in upper or "exempt" in name.lower():
        return "exempt"
    if rate is None:
        rate = {"OUTPUT2": 20.0, "RROUTPUT": 5.0, "ZERORATEDOUTPUT": 0.0}.get(upper)
    return {20.0: "standard", 5.0: "reduced", 0.0: "zero"}.get(rate, "other") if rate is not None else "other"
