"""Findings of the CRM <-> Xero match: won business with no Xero contact, Xero customers with no CRM
organisation, stored ContactIDs that point nowhere."""

from __future__ import annotations

import pandas as pd

from workbench.profile.finding_text import deal_list, totals_by_currency
from workbench.profile.findings import Finding
from workbench.profile.links import live_sales_invoices
from workbench.profile.shared_reads import group_records, record_keys
from workbench.profile.tables import ProfileTables

# A Xero customer not invoiced for this long is a lapsed customer: still worth a CRM record, less urgent.
RECENT_CUSTOMER_DAYS = 365
WON_INVOICE_GRACE_DAYS = 14  # as in hygiene: two weeks from winning to billing is an ordinary cycle


def orgs_without_contact(tables: ProfileTables, unmatched: pd.DataFrame, refs: pd.DataFrame) -> list[Finding]:
    """Unmatched organisations that have won deals: those deals must be invoiced to a Xero contact that
    does not exist (or that no key can find). Organisations with only open or lost deals, or none, are
    prospects: unmatched is their normal state, so they are listed, not reported."""
    deals = tables["deals"]
    columns = [
        "source",
        "deal_id",
        "org_id",
        "title",
        "value",
        "currency",
        "status",
        "is_won",
        "won_time",
        "close_time",
    ]
    deals = deals.loc[~deals["is_deleted"].fillna(False).astype(bool), columns].astype(
        {"org_id": str, "deal_id": str}
    )
    won = deals[
        deals["status"].astype(str).str.lower().eq("won") | deals["is_won"].fillna(False).astype(bool)
    ]
    won = won.merge(unmatched[["source", "org_id", "name"]], on=["source", "org_id"])
    won_day = pd.to_datetime(won["won_time"].fillna(won["close_time"]), utc=True).dt.tz_localize(None)
    won = won.assign(late=(pd.Timestamp(tables.as_of) - won_day) > pd.Timedelta(days=WON_INVOICE_GRACE_DAYS))
    invoiced = set(record_keys(refs, "deal_id"))
    won = won.assign(invoiced=record_keys(won, "deal_id").isin(invoiced))
    findings = []
    for (source, org_id), group in sorted(group_records(won, ["source", "org_id"]).items()):
        name = group[0]["name"]
        unbilled = [d["deal_id"] for d in group if not d["invoiced"]]
        late = any(d["late"] and d["deal_id"] in unbilled for d in group)
        findings.append(
            Finding(
                kind="crm_org_without_xero_contact",
                # won work that should already have been billed cannot be, until the contact exists
                severity="high" if late else "medium",
                subject_table="organisations",
                subject_id=str(org_id),
                explanation=(
                    f"CRM organisation {name} has {len(group)} won deal(s), {deal_list(group)}, but matches "
                    "no Xero contact by stored ContactID, VAT number, invoice reference, email, domain or "
                    "name."
                ),
                fix=(
                    f"Search Xero for {name} under another name; link it by storing its ContactID on the "
                    "organisation, or create the contact from the CRM record before invoicing."
                ),
                records={"organisations": [str(org_id)], "deals": [d["deal_id"] for d in group]},
                evidence={"won_deals": len(group), "unbilled_deals": unbilled, "source": source},
            )
        )
    return findings


def contacts_without_org(tables: ProfileTables, unmatched: pd.DataFrame) -> list[Finding]:
    """Unmatched active Xero contacts that are customers (billed on a live sales invoice).

    Suppliers only buy from nobody in the CRM's sense and archived contacts are finished business:
    neither needs a CRM organisation. A customer does: sales cannot see its billing, and the first deal
    the CRM wins for it will create a second Xero contact.
    """
    active = unmatched[unmatched["status"].eq("ACTIVE")]
    names = dict(zip(active["contact_id"], active["name"], strict=True))
    sales = live_sales_invoices(tables)
    sales = sales[sales["contact_id"].isin(set(names))]
    recent = pd.Timestamp(tables.as_of) - pd.Timedelta(days=RECENT_CUSTOMER_DAYS)
    findings = []
    for contact_id, group in sorted(group_records(sales, ["contact_id"]).items()):
        name = names[contact_id]
        last = max(pd.Timestamp(i["date"]) for i in group)
        findings.append(
            Finding(
                kind="xero_contact_without_crm_org",
                severity="medium" if last >= recent else "low",
                subject_table="xero_contacts",
                subject_id=str(contact_id),
                explanation=(
                    f"Xero customer {name} has {len(group)} live sales invoice(s) "
                    f"({totals_by_currency(group, 'total')}, last on {last:%d %b %Y}) but matches no CRM "
                    "organisation."
                ),
                fix=(
                    f"Find {name} in the CRM under another name and store this ContactID on it, or create "
                    "the organisation (with the ContactID) so the sync does not create a second Xero contact."
                ),
                records={
                    "xero_contacts": [str(contact_id)],
                    "invoices": [str(i["invoice_id"]) for i in group],
                },
                evidence={"sales_invoices": len(group), "last_invoice": f"{last:%Y-%m-%d}"},
            )
        )
    return findings


def invalid_stored_ids(tables: ProfileTables, stored: pd.DataFrame) -> list[Finding]:
    """Stored Xero ContactIDs that point at no contact, or at one merged into another."""
    names = dict(
        zip(tables["organisations"]["org_id"].astype(str), tables["organisations"]["name"], strict=True)
    )
    contacts = tables["xero_contacts"]
    contact_names = dict(zip(contacts["contact_id"].astype(str), contacts["name"], strict=True))
    findings = []
    for row in stored[stored["state"].ne("ok")].itertuples(index=False):
        org = names.get(row.org_id, row.org_id)
        if row.state == "missing":
            explanation = (
                f"CRM organisation {org} stores Xero ContactID {row.stored_contact_id}, which is no contact "
                "in this Xero tenant (deleted, another tenant, or mistyped)."
            )
            fix = f"Replace the stored ContactID on {org} with the right contact's (see the match links)."
        else:
            survivor = contact_names.get(row.contact_id, row.contact_id)
            explanation = (
                f"CRM organisation {org} stores Xero ContactID {row.stored_contact_id}, a contact merged "
                f"into {survivor} ({row.contact_id})."
            )
            fix = f"Store {row.contact_id} on {org}; Xero keeps only the surviving contact live."
        findings.append(
            Finding(
                kind="stored_contact_id_invalid",
                severity="high" if row.state == "missing" else "medium",
                subject_table="organisations",
                subject_id=str(row.org_id),
                explanation=explanation,
                fix=fix,
                records={
                    "organisations": [str(row.org_id)],
                    **({"xero_contacts": [row.contact_id]} if row.contact_id else {}),
                },
                evidence={"stored_contact_id": row.stored_contact_id, "state": row.state},
            )
        )
    return findings
