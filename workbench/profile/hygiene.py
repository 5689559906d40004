"""Record hygiene a CRM <-> Xero sync trips over: won deals never billed, references naming no deal,
deals billed twice, archived or overdue customers still being sold to, records missing an email,
address or country.

Every rule judges "late" and "overdue" against `tables.as_of`, never the machine clock. Organisations
are tied to Xero contacts by `org_links` (the matcher's links); without them, by the Xero ContactID
stored on the CRM organisation.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from workbench.profile.finding_text import deal_list, totals_by_currency
from workbench.profile.findings import Finding, Severity, concat_findings, findings_frame, money
from workbench.profile.links import invoice_deal_links, live_sales_invoices
from workbench.profile.shared_reads import blank, group_records, live_organisations
from workbench.profile.stored_contact_ids import stored_contact_links
from workbench.profile.tables import ProfileTables
from workbench.references import deal_reference

# A won deal is normally invoiced on the day or at the next weekly/fortnightly billing run; two weeks
# after winning, no invoice means it has been forgotten (or is billed under a reference nobody can
# trace). Shorter would flag deals still inside an ordinary billing cycle.
WON_INVOICE_GRACE_DAYS = 14
ZERO = Decimal(0)


def find_hygiene_problems(
    tables: ProfileTables, org_links: pd.DataFrame | None = None, deal_links: pd.DataFrame | None = None
) -> pd.DataFrame:
    """All hygiene findings as one findings table (see `workbench.profile.findings`). `deal_links` is
    `links.invoice_deal_links(tables)` when the caller already has it (a profile reads it once)."""
    links = org_contact_links(tables, org_links)
    refs = invoice_deal_links(tables) if deal_links is None else deal_links
    customers = sales_customers(tables)
    return concat_findings(
        [
            findings_frame(won_deals_not_invoiced(tables, links, refs)),
            findings_frame(invoice_references_without_deal(tables, refs)),
            findings_frame(deals_invoiced_twice(tables, refs)),
            findings_frame(archived_contacts_with_open_deals(tables, links)),
            findings_frame(overdue_customers_with_open_deals(tables, links)),
            findings_frame(missing_emails(tables, customers)),
            findings_frame(missing_addresses(tables, customers)),
            findings_frame(missing_countries(tables, customers)),
        ]
    )


# --- shared reads -----------------------------------------------------------------------------------
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


def _day(value: object) -> str:
    return "unknown date" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d %b %Y}"


def _names(frame: pd.DataFrame, id_column: str, name_column: str = "name") -> dict[str, str]:
    return dict(
        zip(frame[id_column].astype(str), frame[name_column].fillna("(no name)").astype(str), strict=True)
    )


def _as_of(tables: ProfileTables) -> pd.Timestamp:
    return pd.Timestamp(tables.as_of)


def _utc_day(values: pd.Series) -> pd.Series:
    """Datetimes (tz-aware or not) as naive calendar days, so they compare with `as_of`."""
    stamps = pd.to_datetime(values, utc=True)
    return stamps.dt.tz_localize(None).dt.normalize()


# --- deals and invoices -----------------------------------------------------------------------------
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
    won_day = _utc_day(deals["won_time"].fillna(deals["close_time"]))
    cutoff = _as_of(tables) - pd.Timedelta(days=WON_INVOICE_GRACE_DAYS)
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
    org_names = _names(live_organisations(tables), "org_id")
    linked = _first_contact(links)
    contact_names = _names(tables["xero_contacts"], "contact_id")
    as_of = _as_of(tables)
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
                    f"was won on {_day(deal['won_day'])}, {days} days ago, and no live Xero sales invoice "
                    f"quotes {reference}"
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
                    "won_on": _day(deal["won_day"]),
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
    names = _names(tables["xero_contacts"], "contact_id")
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
                    f"({money(ref['total'], ref['currency'])}, {_day(ref['date'])}) has Reference "
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
            f"{r['invoice_number']} ({money(r['total'], r['currency'])}, {_day(r['date'])}, {r['status']})"
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


# --- customers being sold to ------------------------------------------------------------------------
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
    names = _names(contacts, "contact_id")
    org_names = _names(live_organisations(tables), "org_id")
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
        & (pd.to_datetime(invoices["due_date"]) < _as_of(tables))
    ]
    owed = due["amount_due"].map(lambda v: v is not None and not pd.isna(v) and Decimal(str(v)) > ZERO)
    return due[owed.astype(bool)]


def overdue_customers_with_open_deals(tables: ProfileTables, links: pd.DataFrame) -> list[Finding]:
    """Xero customers with overdue invoices whose CRM organisation has open deals: sales is chasing new
    work from a customer finance is chasing for money (the "customer on stop" a sync should surface)."""
    overdue = overdue_invoices(tables).astype({"contact_id": str}).sort_values(["due_date", "invoice_number"])
    pairs = _open_deals_by_contact(tables, links, overdue["contact_id"])
    late_by_contact = group_records(overdue, ["contact_id"])
    names = _names(tables["xero_contacts"], "contact_id")
    as_of = _as_of(tables)
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


# --- what a sync needs on each record ---------------------------------------------------------------
def sales_customers(tables: ProfileTables) -> set[str]:
    """Xero contacts that are customers: flagged so, or billed on a live sales invoice."""
    contacts = tables["xero_contacts"]
    flagged = contacts.loc[contacts["is_customer"].fillna(False).astype(bool), "contact_id"].astype(str)
    billed = live_sales_invoices(tables)["contact_id"].dropna().astype(str)
    return set(flagged) | set(billed)


def _contact_role(contacts: pd.DataFrame, customers: set[str]) -> pd.Series:
    is_customer = contacts["contact_id"].astype(str).isin(customers)
    is_supplier = contacts["is_supplier"].fillna(False).astype(bool)
    role = pd.Series("contact", index=contacts.index)
    return role.mask(is_supplier, "supplier").mask(is_customer, "customer")


def _orgs_with_deals(tables: ProfileTables, deals: pd.DataFrame) -> set[str]:
    return set(deals["org_id"].dropna().astype(str))


def missing_emails(tables: ProfileTables, customers: set[str] | None = None) -> list[Finding]:
    """CRM people without any email, and active Xero contacts without one.

    A Xero customer without an email cannot be sent the invoices a sync raises (high when it is one);
    a supplier without one gets no remittance advice (low). Archived contacts take no new documents
    and are left alone.
    """
    findings: list[Finding] = []
    people = tables["people"]
    people = people[~people["is_deleted"].fillna(False).astype(bool)]
    no_email = blank(people["email"]).to_numpy(dtype=bool)
    no_email[no_email] = [_no_emails(listed) for listed in people["emails"].to_numpy()[no_email]]
    deals = live_deals(tables)
    on_deals = set(deals.loc[deals["status"].isin(["open", "won"]), "person_id"].dropna().astype(str))
    org_names = _names(live_organisations(tables), "org_id")
    for person in people[no_email].itertuples(index=False):
        pid = str(person.person_id)
        org = org_names.get(str(person.org_id)) if pd.notna(person.org_id) else None
        active = pid in on_deals
        findings.append(
            Finding(
                kind="missing_email",
                severity="medium" if active else "low",
                subject_table="people",
                subject_id=pid,
                explanation=(
                    f"CRM person {person.name}"
                    + (f" at {org}" if org else "")
                    + " has no email address"
                    + (" and is the contact on an open or won deal." if active else ".")
                ),
                fix=(
                    f"Add {person.name}'s email in the CRM; a contact synced to Xero without one cannot be "
                    "emailed."
                ),
                records={"people": [pid], **({"organisations": [str(person.org_id)]} if org else {})},
                evidence={"on_open_or_won_deal": active},
            )
        )
    contacts = live_contacts(tables)
    role = _contact_role(contacts, sales_customers(tables) if customers is None else customers)
    missing = blank(contacts["email"])
    for contact, kind in zip(contacts[missing].itertuples(index=False), role[missing], strict=True):
        severity: Severity = "high" if kind == "customer" else "low"
        why = (
            "so the invoices a sync raises cannot be emailed to it"
            if kind == "customer"
            else "so remittance advice cannot be sent"
            if kind == "supplier"
            else "so nothing raised for it can be emailed"
        )
        findings.append(
            Finding(
                kind="missing_email",
                severity=severity,
                subject_table="xero_contacts",
                subject_id=str(contact.contact_id),
                explanation=f"Xero {kind} {contact.name} has no email address, {why}.",
                fix=(
                    f"Add the accounts email for {contact.name} in Xero (or sync it from the CRM "
                    "organisation)."
                ),
                records={"xero_contacts": [str(contact.contact_id)]},
                evidence={"role": kind},
            )
        )
    return findings


def _no_emails(value: Any) -> bool:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Iterable):
        return not any(str(v.get("value") if isinstance(v, dict) else v).strip() for v in value if v)
    return True


def _has_address(frame: pd.DataFrame) -> pd.Series:
    """A postal address is a street line or a postcode; a city alone cannot be posted to."""
    return ~(blank(frame["address"]) & blank(frame["postcode"]))


def missing_addresses(tables: ProfileTables, customers: set[str] | None = None) -> list[Finding]:
    """CRM organisations and active Xero contacts without a postal address.

    A full UK VAT invoice must show the customer's name and address (HMRC VAT Notice 700, 16.6), so a
    Xero customer without one is high; a CRM organisation with won deals is medium (its address is what
    a sync would create the Xero contact with); prospects and suppliers are low.
    """
    findings: list[Finding] = []
    orgs = live_organisations(tables)
    won_orgs = _orgs_with_deals(tables, won_deals(tables))
    for org in orgs[~_has_address(orgs)].itertuples(index=False):
        customer = str(org.org_id) in won_orgs
        findings.append(
            Finding(
                kind="missing_address",
                severity="medium" if customer else "low",
                subject_table="organisations",
                subject_id=str(org.org_id),
                explanation=(
                    f"CRM organisation {org.name} has no postal address"
                    + (" but has won deals to invoice." if customer else ".")
                ),
                fix=f"Add {org.name}'s billing address (street, town, postcode, country) in the CRM.",
                records={"organisations": [str(org.org_id)]},
                evidence={"has_won_deals": customer},
            )
        )
    contacts = live_contacts(tables)
    role = _contact_role(contacts, sales_customers(tables) if customers is None else customers)
    missing = ~_has_address(contacts)
    for contact, kind in zip(contacts[missing].itertuples(index=False), role[missing], strict=True):
        findings.append(
            Finding(
                kind="missing_address",
                severity="high" if kind == "customer" else "low",
                subject_table="xero_contacts",
                subject_id=str(contact.contact_id),
                explanation=(
                    f"Xero {kind} {contact.name} has no postal address"
                    + (", which a full VAT invoice must show." if kind == "customer" else ".")
                ),
                fix=f"Add {contact.name}'s postal address in Xero (or sync it from the CRM organisation).",
                records={"xero_contacts": [str(contact.contact_id)]},
                evidence={"role": kind},
            )
        )
    return findings


def missing_countries(tables: ProfileTables, customers: set[str] | None = None) -> list[Finding]:
    """Addresses without a country (records with no address at all are `missing_address`).

    The country decides the VAT treatment of a sale (UK, EU business, rest of the world), so a customer
    address without one leaves the tax code to guesswork.
    """
    findings: list[Finding] = []
    orgs = live_organisations(tables)
    for org in orgs[_has_address(orgs) & blank(orgs["country"])].itertuples(index=False):
        findings.append(
            Finding(
                kind="missing_country",
                severity="low",
                subject_table="organisations",
                subject_id=str(org.org_id),
                explanation=(
                    f"CRM organisation {org.name}'s address ({org.address or org.postcode}) has no country."
                ),
                fix=f"Set the country on {org.name}'s address in the CRM.",
                records={"organisations": [str(org.org_id)]},
            )
        )
    contacts = live_contacts(tables)
    customers = sales_customers(tables) if customers is None else customers
    no_country = _has_address(contacts) & blank(contacts["country"])
    for contact in contacts[no_country].itertuples(index=False):
        customer = str(contact.contact_id) in customers
        findings.append(
            Finding(
                kind="missing_country",
                severity="medium" if customer else "low",
                subject_table="xero_contacts",
                subject_id=str(contact.contact_id),
                explanation=(
                    f"Xero contact {contact.name}'s address ({contact.address or contact.postcode}) has no "
                    "country"
                    + (", so the VAT treatment of its sales cannot be checked." if customer else ".")
                ),
                fix=f"Set the country on {contact.name}'s address in Xero.",
                records={"xero_contacts": [str(contact.contact_id)]},
            )
        )
    return findings
