"""Customers still being sold to that should not be: archived Xero contacts and overdue payers with open
CRM deals."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from workbench.profile.finding_text import deal_list, totals_by_currency
from workbench.profile.findings import Finding
from workbench.profile.hygiene_reads import (
    ZERO,
    as_of_day,
    open_deals,
    record_names,
)
from workbench.profile.shared_reads import group_records, live_organisations
from workbench.profile.tables import ProfileTables


def _open_deals_by_contact(
    tables: ProfileTables, links: pd.DataFrame, contact_ids: pd.Series
) -> pd.DataFrame:
    """One row per (Xero contact among `contact_ids`, open deal of an organisation linked to it)."""
    deals = open_deals(tables)[["source", "deal_id", "org_id", "title", "value", "currency"]]
    deals = deals.astype({"org_id": str, "deal_id": str})
    on = ["source", "org_id"] if not links.empty and links["source"].notna().all() else ["org_id"]
    link = links.loc[links["contact_id"].isin(contact_ids), [*on, "contact_id"]].drop_duplicates()
    return link.merge(deals, on=on).sort_values(["contact_id", "deal_id"])


def archived_contacts_with_open_deals(tables: ProfileTables, links: pd.DataFrame) -> list[Finding]:
    """Archived Xero contacts whose CRM organisation still has open deals: winning one would bill a
    contact Xero hides from invoicing (or one archived because it was merged into another)."""
    contacts = tables["xero_contacts"]
    archived = contacts.loc[contacts["status"].astype(str).str.upper().eq("ARCHIVED"), "contact_id"]
    # An archived second record of a customer whose own contact is active bills nothing: the deals go
    # to the active one. Only the contact the organisation itself is linked to counts.
    own = links[links["assignment"].ne("duplicate_contact")]
    pairs = _open_deals_by_contact(tables, own, archived.astype(str))
    names = record_names(contacts, "contact_id")
    org_names = record_names(live_organisations(tables), "org_id")
    findings = []
    for contact_id, group in sorted(group_records(pairs, ["contact_id"]).items()):
        orgs = sorted({d["org_id"] for d in group})
        findings.append(
            Finding(
                kind="archived_contact_with_open_deal",
                severity="high",
                subject_table="xero_contacts",
                subject_id=str(contact_id),
                explanation=(
                    f"Xero contact {names.get(contact_id, contact_id)} is archived, but "
                    f"{', '.join(org_names.get(o, o) for o in orgs)} has {len(group)} open deal(s): "
                    f"{deal_list(group)}."
                ),
                fix=(
                    "Restore the contact in Xero if the customer is live again, or point the organisation at "
                    "the contact that replaced it, before any of these deals is won and invoiced."
                ),
                records={
                    "xero_contacts": [str(contact_id)],
                    "organisations": orgs,
                    "deals": [d["deal_id"] for d in group],
                },
                evidence={"open_deals": len(group)},
            )
        )
    return findings


def overdue_invoices(tables: ProfileTables) -> pd.DataFrame:
    """AUTHORISED sales invoices past their due date with money still owed, as of `tables.as_of`."""
    invoices = tables["invoices"]
    due = invoices[
        invoices["type"].eq("ACCREC")
        & invoices["status"].eq("AUTHORISED")
        & (pd.to_datetime(invoices["due_date"]) < as_of_day(tables))
    ]
    owed = due["amount_due"].map(lambda v: v is not None and not pd.isna(v) and Decimal(str(v)) > ZERO)
    return due[owed.astype(bool)]


def overdue_customers_with_open_deals(tables: ProfileTables, links: pd.DataFrame) -> list[Finding]:
    """Xero customers with overdue invoices whose CRM organisation has open deals: sales is chasing new
    work from a customer finance is chasing for money (the "customer on stop" a sync should surface)."""
    overdue = overdue_invoices(tables).astype({"contact_id": str}).sort_values(["due_date", "invoice_number"])
    pairs = _open_deals_by_contact(tables, links, overdue["contact_id"])
    late_by_contact = group_records(overdue, ["contact_id"])
    names = record_names(tables["xero_contacts"], "contact_id")
    as_of = as_of_day(tables)
    findings = []
    for contact_id, group in sorted(group_records(pairs, ["contact_id"]).items()):
        late = late_by_contact[contact_id]
        owed = totals_by_currency(late, "amount_due")
        oldest = (as_of - pd.Timestamp(late[0]["due_date"])).days
        findings.append(
            Finding(
                kind="overdue_customer_with_open_deal",
                severity="high",
                subject_table="xero_contacts",
                subject_id=str(contact_id),
                explanation=(
                    f"{names.get(contact_id, contact_id)} owes {owed} on {len(late)} overdue invoice(s) "
                    f"({', '.join(str(i['invoice_number']) for i in late)}; oldest {oldest} days past due) "
                    f"while {len(group)} deal(s) are open in the CRM: {deal_list(group)}."
                ),
                fix=(
                    "Tell the deal owners before they close more work; decide with finance whether the "
                    "account is on stop, and sync the overdue balance to the CRM organisation so sales can "
                    "see it."
                ),
                records={
                    "xero_contacts": [str(contact_id)],
                    "invoices": [str(i["invoice_id"]) for i in late],
                    "organisations": sorted({d["org_id"] for d in group}),
                    "deals": [d["deal_id"] for d in group],
                },
                evidence={"overdue_invoices": len(late), "owed": owed, "oldest_days_overdue": oldest},
            )
        )
    return findings
