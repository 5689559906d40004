"""What a sync needs on each record: CRM people, organisations and Xero contacts missing an email, an
address or a country."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from workbench.profile.findings import Finding, Severity
from workbench.profile.hygiene_reads import (
    live_contacts,
    live_deals,
    record_names,
    won_deals,
)
from workbench.profile.links import live_sales_invoices
from workbench.profile.shared_reads import blank, live_organisations
from workbench.profile.tables import ProfileTables


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
    org_names = record_names(live_organisations(tables), "org_id")
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
