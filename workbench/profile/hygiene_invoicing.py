"""Hygiene of deals and their invoices: won deals never invoiced, invoice references naming no deal,
deals invoiced twice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from workbench.profile.findings import Finding, money
from workbench.profile.hygiene_reads import (
    ZERO,
    as_of_day,
    day_text,
    live_deals,
    record_names,
    utc_day,
    won_deals,
)
from workbench.profile.links import invoice_deal_links, live_sales_invoices
from workbench.profile.shared_reads import group_records, live_organisations
from workbench.profile.tables import ProfileTables
from workbench.references import deal_reference

# A won deal is normally invoiced on the day or at the next weekly/fortnightly billing run; two weeks
# after winning, no invoice means it has been forgotten (or is billed under a reference nobody can
# trace). Shorter would flag deals still inside an ordinary billing cycle.
WON_INVOICE_GRACE_DAYS = 14


def won_deals_not_invoiced(
    tables: ProfileTables, links: pd.DataFrame, refs: pd.DataFrame | None = None
) -> list[Finding]:
    """Won deals, past the grace period, that no live sales invoice references (PD-<id> or PD-<id>/nn)."""
    refs = invoice_deal_links(tables) if refs is None else refs
    if refs.empty:
        # Without a single invoice quoting a deal, "no invoice references it" is true of every deal
        # and says nothing: the convention is not in use, which is a finding of its own.
        return _references_not_in_use(tables)
    columns = ["source", "deal_id", "org_id", "title", "value", "currency", "won_time", "close_time"]
    deals = won_deals(tables)[columns].astype({"deal_id": str})
    won_day = utc_day(deals["won_time"].fillna(deals["close_time"]))
    cutoff = as_of_day(tables) - pd.Timedelta(days=WON_INVOICE_GRACE_DAYS)
    # Deals won before the first deal-referencing invoice (less one grace period, the usual lag from
    # winning to billing) predate the convention; their invoices cannot be expected to quote them.
    dates = tables["invoices"].set_index("invoice_id")["date"]
    horizon = pd.Timestamp(dates.reindex(refs["invoice_id"]).min()) - pd.Timedelta(
        days=WON_INVOICE_GRACE_DAYS
    )
    billable = deals["value"].isna() | deals["value"].ne(ZERO)  # a zero-value deal bills nothing
    invoiced = _deal_keys(deals).isin(_deal_keys(refs))
    due = deals[(won_day <= cutoff) & (won_day >= horizon) & billable & ~invoiced]
    due = due.assign(won_day=won_day[due.index], org_key=_org_keys(due, links))
    org_names = record_names(live_organisations(tables), "org_id")
    linked = _first_contact(links)
    contact_names = record_names(tables["xero_contacts"], "contact_id")
    as_of = as_of_day(tables)
    findings = []
    for deal in due.to_dict("records"):
        deal_id, source = deal["deal_id"], deal["source"]
        reference = (
            deal_reference(source, deal_id) if source in ("pipedrive", "hubspot") else f"deal {deal_id}"
        )
        org = org_names.get(str(deal["org_id"]), f"organisation {deal['org_id']}")
        contact = linked.get(deal["org_key"])
        days = (as_of - deal["won_day"]).days
        if contact is None:
            fix = (
                f"Create (or link) the Xero contact for {org}, store its ContactID on the organisation, then "
                f"raise the invoice with Reference {reference}."
            )
        else:
            fix = (
                f"Raise the invoice to Xero contact {contact_names.get(contact, contact)} with Reference "
                f"{reference}, or add {reference} to the invoice that already bills it."
            )
        findings.append(
            Finding(
                kind="won_deal_not_invoiced",
                severity="high",
                subject_table="deals",
                subject_id=deal_id,
                explanation=(
                    f"Deal {deal_id} '{deal['title']}' for {org} ({money(deal['value'], deal['currency'])}) "
                    f"was won on {day_text(deal['won_day'])}, {days} days ago, and no live Xero sales "
                    f"invoice quotes {reference}"
                    + ("; the organisation has no Xero contact." if contact is None else ".")
                ),
                fix=fix,
                records={
                    "deals": [deal_id],
                    "organisations": [str(deal["org_id"])] if pd.notna(deal["org_id"]) else [],
                    **({"xero_contacts": [contact]} if contact else {}),
                },
                evidence={
                    "value": deal["value"],
                    "currency": deal["currency"],
                    "won_on": day_text(deal["won_day"]),
                    "days_since_won": days,
                    "grace_days": WON_INVOICE_GRACE_DAYS,
                    "has_xero_contact": contact is not None,
                },
            )
        )
    return findings


def _deal_keys(frame: pd.DataFrame) -> pd.Series:
    return frame["source"].astype(str) + "\x1f" + frame["deal_id"].astype(str)


def _org_keys(frame: pd.DataFrame, links: pd.DataFrame) -> pd.Series:
    """The key `_first_contact` files each row's organisation under (with its CRM when links name it)."""
    by_source = not links.empty and links["source"].notna().all()
    org = frame["org_id"].astype(str)
    return frame["source"].astype(str) + "\x1f" + org if by_source else org


def _first_contact(links: pd.DataFrame) -> dict[str, str]:
    """Organisation key -> the contact it is linked to (the first link when several)."""
    if links.empty:
        return {}
    keys = _org_keys(links, links)
    return dict(zip(keys[::-1], links["contact_id"][::-1], strict=True))


def _references_not_in_use(tables: ProfileTables) -> list[Finding]:
    won = won_deals(tables)
    sales = live_sales_invoices(tables)
    if won.empty or sales.empty:
        return []
    return [
        Finding(
            kind="invoices_do_not_reference_deals",
            severity="medium",
            subject_table="invoices",
            subject_id="*",
            explanation=(
                f"None of the {len(sales)} live sales invoices quotes a CRM deal in its Reference, so the "
                f"{len(won)} won deals cannot be traced to their invoices."
            ),
            fix=(
                "Adopt the deal reference convention (PD-<deal id>, PD-<deal id>/<nn> for instalments) on "
                "new invoices before the sync goes live; it is what stops a re-run billing a deal twice."
            ),
            evidence={"won_deals": len(won)},
        )
    ]


def _with_invoice_details(tables: ProfileTables, refs: pd.DataFrame) -> pd.DataFrame:
    columns = ["contact_id", "date", "total", "amount_credited", "currency"]
    return refs.join(tables["invoices"].set_index("invoice_id")[columns], on="invoice_id")


def invoice_references_without_deal(tables: ProfileTables, refs: pd.DataFrame | None = None) -> list[Finding]:
    """Live sales invoices whose Reference names a deal the CRM does not have (or has deleted)."""
    refs = invoice_deal_links(tables) if refs is None else refs
    # A reference to a CRM that was never pulled cannot be judged (a tenant fed by two CRMs).
    refs = refs[refs["source"].isin(tables["deals"]["source"].dropna().unique())]
    deals = tables["deals"]
    deleted = _deal_keys(refs).isin(_deal_keys(deals[deals["is_deleted"].fillna(False).astype(bool)]))
    orphans = _with_invoice_details(tables, refs.assign(deal_deleted=deleted.to_numpy(dtype=bool)))
    orphans = orphans[~orphans["deal_exists"].astype(bool) | orphans["deal_deleted"]]
    names = record_names(tables["xero_contacts"], "contact_id")
    findings = []
    for ref in orphans.to_dict("records"):
        contact = str(ref["contact_id"])
        what = "a deleted deal" if ref["deal_deleted"] else "a deal that does not exist in the CRM"
        findings.append(
            Finding(
                kind="invoice_reference_without_deal",
                severity="medium",
                subject_table="invoices",
                subject_id=str(ref["invoice_id"]),
                explanation=(
                    f"Invoice {ref['invoice_number']} to {names.get(contact, contact)} "
                    f"({money(ref['total'], ref['currency'])}, {day_text(ref['date'])}) has Reference "
                    f"{ref['reference']!r}, which names {what} ({ref['source']} deal {ref['deal_id']})."
                ),
                fix=(
                    f"Find the deal invoice {ref['invoice_number']} bills and correct its Reference to that "
                    "deal's number (or restore the deal); a sync keyed on the reference cannot tell it was "
                    "billed."
                ),
                records={"invoices": [str(ref["invoice_id"])], "xero_contacts": [contact]},
                evidence={
                    "reference": ref["reference"],
                    "deal_id": ref["deal_id"],
                    "deal_deleted": bool(ref["deal_deleted"]),
                },
            )
        )
    return findings


def deals_invoiced_twice(tables: ProfileTables, refs: pd.DataFrame | None = None) -> list[Finding]:
    """Deals whose same billing (the whole deal, or one instalment) is on two or more live sales invoices.

    Instalments `PD-12/01`, `PD-12/02` are a schedule, not a duplicate; voided and deleted invoices
    bill nothing, and neither does an invoice fully cancelled by a credit note.
    """
    refs = invoice_deal_links(tables) if refs is None else refs
    refs = refs[refs["deal_exists"].astype(bool)]
    if refs.empty:
        return []
    part = refs["instalment"].astype("Int64").fillna(0)
    # one integer per billing (deal, instalment): grouping on it is far cheaper than on three columns
    billing = pd.factorize(_deal_keys(refs) + "/" + part.astype(str))[0]
    counts = refs.groupby(billing)["invoice_id"].transform("nunique")
    doubled = _with_invoice_details(tables, refs[counts > 1].assign(part=part[counts > 1]))
    credited = [
        _fully_credited(t, c) for t, c in zip(doubled["total"], doubled["amount_credited"], strict=True)
    ]
    doubled = doubled[~np.asarray(credited, dtype=bool)]
    # after dropping credited ones, a billing is doubled only if two invoices still carry it
    still = doubled.groupby(["source", "deal_id", "part"])["invoice_id"].transform("nunique") > 1
    doubled = doubled[still].sort_values(["source", "deal_id", "date", "invoice_number"])
    if doubled.empty:
        return []
    billed = live_deals(tables)[["source", "deal_id", "title", "value", "currency"]].astype({"deal_id": str})
    billed = billed[_deal_keys(billed).isin(_deal_keys(doubled))]
    deals = {
        (d["source"], d["deal_id"]): d
        for d in billed[["source", "deal_id", "title", "value", "currency"]].to_dict("records")
    }
    findings = []
    for (source, deal_id), group in sorted(group_records(doubled, ["source", "deal_id"]).items()):
        deal = deals.get((source, deal_id), {"title": "(deleted)", "value": None, "currency": "GBP"})
        listed = ", ".join(
            f"{r['invoice_number']} ({money(r['total'], r['currency'])}, {day_text(r['date'])}, "
            f"{r['status']})"
            for r in group
        )
        references = sorted({r["reference"] for r in group})
        per_part: dict[Any, list[Any]] = {}
        for r in group:
            per_part.setdefault(r["part"], []).append(r["total"])
        same_amount = any(len(set(totals)) < len(totals) for totals in per_part.values())
        findings.append(
            Finding(
                kind="deal_invoiced_twice",
                # identical amounts are a re-run or re-keyed invoice; different ones may be a split bill
                severity="high" if same_amount else "medium",
                subject_table="deals",
                subject_id=str(deal_id),
                explanation=(
                    f"Deal {deal_id} '{deal['title']}' ({money(deal['value'], deal['currency'])}) is billed "
                    f"more than once under {', '.join(references)}: {listed}."
                ),
                fix=(
                    "Confirm with finance which invoice stands; void or credit the other (or, if it is a "
                    f"planned instalment, renumber it {references[0].split('/')[0]}/<nn>)."
                ),
                records={
                    "deals": [str(deal_id)],
                    "invoices": [str(r["invoice_id"]) for r in group],
                    "xero_contacts": sorted({str(r["contact_id"]) for r in group}),
                },
                evidence={
                    "invoice_numbers": [r["invoice_number"] for r in group],
                    "totals": [r["total"] for r in group],
                    "references": references,
                },
            )
        )
    return findings


def _fully_credited(total: object, credited: object) -> bool:
    if total is None or credited is None or pd.isna(total) or pd.isna(credited):
        return False
    return Decimal(str(total)) > ZERO and Decimal(str(credited)) >= Decimal(str(total))
