"""The plan the workbench proposes from the pull: the seed guide's directions, the CRM fields the client
really fills (custom fields by name), the products really sold and the codes the tenant really uses.

Every proposal carries its evidence ("filled on 115 of 300 organisations", "200/OUTPUT2 ×212 on sales
lines") so the client can judge it in the workbook.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from workbench.plan.model import (
    CrmRecord,
    DealInvoiceMap,
    Direction,
    FieldMapping,
    Master,
    MatchKey,
    MatchKeyRule,
    OnMatch,
    Plan,
    SignOff,
    SyncObject,
    SyncObjectRule,
    TaxDecidedBy,
)
from workbench.plan.tax_defaults import propose_deal_invoice, propose_tax_rules
from workbench.plan.tenant import CRM_ENTITIES, TenantCodes
from workbench.plan.usage import counted
from workbench.profile.tables import ProfileTables
from workbench.profile.volumes import custom_fields_in_use

_TABLES = {CrmRecord.ORGANISATION: "organisations", CrmRecord.PERSON: "people", CrmRecord.DEAL: "deals"}
_NOUNS = {CrmRecord.ORGANISATION: "organisations", CrmRecord.PERSON: "people", CrmRecord.DEAL: "deals"}

# Custom fields recognised by name: what the CRM calls them varies, what they hold does not.
ROLE_PATTERNS = {
    "vat_number": (CrmRecord.ORGANISATION, re.compile(r"\b(vat|tax)\b.*\b(number|no|reg)", re.I)),
    "company_number": (CrmRecord.ORGANISATION, re.compile(r"\bcompany\b.*\b(number|no|reg)|\bcrn\b", re.I)),
    "contact_id": (CrmRecord.ORGANISATION, re.compile(r"\bxero\b.*\bid\b|\bcontact ?id\b", re.I)),
    "vat_treatment": (CrmRecord.DEAL, re.compile(r"\b(vat|tax)\b.*\b(treatment|rate|code|type)\b", re.I)),
}

OBJECTS = (
    (SyncObject.CONTACTS, Direction.CRM_TO_XERO,
     "An organisation is created or changed in the CRM, and when a won deal needs its contact",
     "Sales owns the relationship; one master avoids two systems both 'winning'."),
    (SyncObject.DEAL_INVOICE, Direction.CRM_TO_XERO,
     "A deal is marked won (status won, won time set); a stage name never means won",
     "Removes manual invoice creation; the invoice is a DRAFT for finance to review."),
    (SyncObject.INVOICES, Direction.XERO_TO_CRM,
     "An invoice is created or its status changes in Xero (read by If-Modified-Since)",
     "Sales sees what has been billed without opening Xero; header totals, not line detail."),
    (SyncObject.PAYMENTS, Direction.XERO_TO_CRM,
     "A payment is recorded against an invoice in Xero",
     "See who has paid without asking finance."),
    (SyncObject.BALANCE, Direction.XERO_TO_CRM,
     "Daily: balance changes do not change a contact's UpdatedDateUTC, so they are polled",
     "Flag accounts on stop before selling more."),
)  # fmt: skip

# (record, Pipedrive field key, name if the CRM lists none, canonical column filled, Xero field, transform,
#  required, notes)
STANDARD_FIELDS = (
    (CrmRecord.ORGANISATION, "name", "Name", "name", "Contact.Name",
     "trim spaces; legal form kept as written", True,
     "Xero matches names loosely: the match keys, not the name, decide which contact"),
    (CrmRecord.ORGANISATION, "address", "Address", "address", "Contact.Addresses[STREET]",
     "split into lines, city, postcode and country", False, ""),
    (CrmRecord.PERSON, "emails", "Email", "email", "Contact.EmailAddress",
     "primary email of the organisation's main person", False,
     "CRM organisations carry no email; it comes from their people"),
    (CrmRecord.PERSON, "first_name", "First name", "first_name", "Contact.FirstName", "", False,
     "the organisation's main person"),
    (CrmRecord.PERSON, "last_name", "Last name", "last_name", "Contact.LastName", "", False,
     "the organisation's main person"),
    (CrmRecord.PERSON, "phones", "Phone", "phone", "Contact.Phones[DEFAULT]",
     "primary phone, as written", False, ""),
)  # fmt: skip

# Written back onto the CRM: (object, record, CRM field to use or create, Xero field, notes)
RETURN_FIELDS = (
    (SyncObject.INVOICES, CrmRecord.DEAL, "Xero invoice number", "Invoice.InvoiceNumber",
     "lets sales quote the invoice"),
    (SyncObject.INVOICES, CrmRecord.DEAL, "Xero invoice status", "Invoice.Status", "DRAFT to PAID"),
    (SyncObject.INVOICES, CrmRecord.DEAL, "Invoiced total", "Invoice.Total", "header total, not lines"),
    (SyncObject.INVOICES, CrmRecord.DEAL, "Invoice due date", "Invoice.DueDate", "for chasing"),
    (SyncObject.PAYMENTS, CrmRecord.DEAL, "Amount due", "Invoice.AmountDue", "what is still to pay"),
    (SyncObject.PAYMENTS, CrmRecord.DEAL, "Paid on", "Invoice.FullyPaidOnDate", "set once fully paid"),
    (SyncObject.BALANCE, CrmRecord.ORGANISATION, "Outstanding balance",
     "Contact.Balances.AccountsReceivable.Outstanding", "what the customer owes"),
    (SyncObject.BALANCE, CrmRecord.ORGANISATION, "Overdue balance",
     "Contact.Balances.AccountsReceivable.Overdue", "flag accounts on stop"),
)  # fmt: skip

SIGN_OFF_ROLES = ("Finance (VAT and tax mapping)", "Sales / CRM owner", "Consultant")


@dataclass(frozen=True)
class FieldRoles:
    """The CRM's own names for the custom fields the plan relies on (None when the CRM has none)."""

    vat_number: str | None
    company_number: str | None
    contact_id: str | None
    vat_treatment: str | None

    @classmethod
    def find(cls, tenant: TenantCodes) -> FieldRoles:
        found = {}
        for role, (record, pattern) in ROLE_PATTERNS.items():
            found[role] = next((n for n in tenant.field_names(record) if pattern.search(n)), None)
        return cls(**found)


def propose_plan(tables: ProfileTables, *, client: str | None = None) -> Plan:
    """The proposed plan for this engagement's pull."""
    tenant = TenantCodes.from_tables(tables)
    roles = FieldRoles.find(tenant)
    crm = _crm_source(tables)
    deal_invoice = propose_deal_invoice(tables, tenant, roles.contact_id, roles.vat_treatment)
    if roles.vat_treatment is None:
        deal_invoice = deal_invoice.model_copy(update={"tax_decided_by": TaxDecidedBy.PRODUCT_ONLY})
    deal_invoice = with_cut_off(deal_invoice, tables)
    return Plan(
        crm=crm,
        client=client or tenant.organisation_name or "",
        objects=propose_objects(),
        fields=propose_fields(tables, tenant, roles),
        deal_invoice=deal_invoice,
        tax_rules=propose_tax_rules(tables, tenant, roles.vat_treatment, deal_invoice),
        match_keys=propose_match_keys(tables),
        sign_off=tuple(SignOff(id=f"S{i:02d}", role=role) for i, role in enumerate(SIGN_OFF_ROLES, 1)),
    )


def with_cut_off(deal_invoice: DealInvoiceMap, tables: ProfileTables) -> DealInvoiceMap:
    """The flow's first cut-off: deals won from the first day of the data's month on.

    Older won deals were billed by hand (or deliberately never), so a first run must not sweep them up.
    """
    cut_off = tables.as_of.replace(day=1)
    deals = tables["deals"]
    won = deals[deals["is_won"].fillna(False).astype(bool) & deals["won_time"].notna()]
    days = pd.to_datetime(won["won_time"], utc=True).dt.date
    since = int((days >= cut_off).sum())
    evidence = (
        f"the first day of the month the data is read as of ({tables.as_of:%d/%m/%Y}): "
        f"{counted(since, 'won deal')} since then, {counted(len(won) - since, 'earlier won deal')} "
        "left alone (billed by hand or never to be); move it back only for deals still to invoice"
    )
    return deal_invoice.model_copy(
        update={"won_after": cut_off, "evidence": {**deal_invoice.evidence, "won_after": evidence}}
    )


def _crm_source(tables: ProfileTables) -> str:
    sources = pd.concat([tables["organisations"]["source"], tables["deals"]["source"]]).dropna()
    return str(sources.mode().iloc[0]) if not sources.empty else "pipedrive"


def propose_objects() -> tuple[SyncObjectRule, ...]:
    return tuple(
        SyncObjectRule(id=f"O{i}", object=o, direction=d, trigger=trigger, notes=why)
        for i, (o, d, trigger, why) in enumerate(OBJECTS, 1)
    )


def _live(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[~frame["is_deleted"].fillna(False).astype(bool)] if "is_deleted" in frame else frame


def _filled(values: pd.Series) -> int:
    text = values.dropna().astype(str).str.strip()
    return int((text != "").sum())


def _in_use(populated: object, records: object, record: CrmRecord) -> str:
    if populated is None or records is None or pd.isna(populated) or pd.isna(records):
        return "not measured"
    return f"filled on {int(str(populated)):,} of {int(str(records)):,} {_NOUNS.get(record, 'records')}"


def _standard_names(tables: ProfileTables) -> dict[tuple[CrmRecord, str], str]:
    fields = tables["crm_fields"]
    names = {}
    for row in fields.itertuples(index=False):
        record = CRM_ENTITIES.get(str(row.entity).lower())
        if record is not None and not bool(row.is_custom):
            names[(record, str(row.field_key))] = str(row.name)
    return names


def propose_fields(tables: ProfileTables, tenant: TenantCodes, roles: FieldRoles) -> tuple[FieldMapping, ...]:
    rows: list[dict[str, object]] = []
    names = _standard_names(tables)
    for record, key, fallback, column, xero, transform, required, notes in STANDARD_FIELDS:
        frame = _live(tables[_TABLES[record]])
        rows.append(
            dict(
                object=SyncObject.CONTACTS, crm_record=record, crm_field=names.get((record, key), fallback),
                xero_field=xero, direction=Direction.CRM_TO_XERO, master=Master.CRM, transform=transform,
                required=required, in_use=_in_use(_filled(frame[column]), len(frame), record), notes=notes,
            )
        )  # fmt: skip
    rows.extend(_custom_rows(tables, roles))
    for sync_object, record, name, xero, notes in RETURN_FIELDS:
        existing = next((n for n in tenant.field_names(record) if n.casefold() == name.casefold()), None)
        rows.append(
            dict(
                object=sync_object, crm_record=record, crm_field=existing or name, xero_field=xero,
                direction=Direction.XERO_TO_CRM, master=Master.XERO, in_use="" if existing else "to create",
                notes=notes if existing else f"create this {record.value.lower()} field in the CRM; {notes}",
            )
        )  # fmt: skip
    return tuple(FieldMapping.model_validate({"id": f"F{i:02d}", **row}) for i, row in enumerate(rows, 1))


def _custom_rows(tables: ProfileTables, roles: FieldRoles) -> Iterable[dict[str, object]]:
    """Custom fields someone fills, by name: the known roles mapped, the rest listed as not synced."""
    usage = custom_fields_in_use(tables)
    proposals: dict[str | None, dict[str, object]] = {
        roles.vat_number: dict(
            object=SyncObject.CONTACTS, xero_field="Contact.TaxNumber", direction=Direction.CRM_TO_XERO,
            master=Master.CRM, transform="upper case, no spaces, country prefix kept (GB123456789)",
            notes="checked against the VAT number rules before it is sent",
        ),
        roles.company_number: dict(
            object=SyncObject.CONTACTS, xero_field="Contact.CompanyNumber", direction=Direction.CRM_TO_XERO,
            master=Master.CRM, transform="upper case, no spaces", notes="",
        ),
        roles.contact_id: dict(
            object=SyncObject.CONTACTS, xero_field="Contact.ContactID", direction=Direction.XERO_TO_CRM,
            master=Master.XERO, required=True,
            notes="written back once the contact is matched or created: the most reliable match key",
        ),
        roles.vat_treatment: dict(
            object=SyncObject.DEAL_INVOICE, xero_field="Invoice.LineItems.TaxType",
            direction=Direction.CRM_TO_XERO, master=Master.CRM,
            notes="each value maps to a tax type on the Tax mapping sheet",
        ),
    }  # fmt: skip
    mapped: dict[str, dict[str, object]] = {name: p for name, p in proposals.items() if name is not None}
    for row in usage.itertuples(index=False):
        record = CRM_ENTITIES.get(str(row.entity).lower())
        if record is None:
            continue
        known = mapped.get(str(row.field))
        filled = row.populated
        if known is None and (pd.isna(filled) or int(str(filled)) == 0):
            continue  # a field nobody fills needs no mapping
        on_deals = record in (CrmRecord.DEAL, CrmRecord.PRODUCT)
        base: dict[str, object] = dict(
            object=SyncObject.DEAL_INVOICE if on_deals else SyncObject.CONTACTS,
            direction=Direction.NOT_SYNCED, master=None, xero_field=None,
            notes="no Xero counterpart; it stays in the CRM",
        )  # fmt: skip
        yield {
            **base,
            **(known or {}),
            "crm_record": record,
            "crm_field": str(row.field),
            "in_use": _in_use(filled, row.records, record),
        }


def _share(values: pd.Series, of: int) -> str:
    return f"{_filled(values) / of:.0%}" if of else "n/a"


def propose_match_keys(tables: ProfileTables) -> tuple[MatchKeyRule, ...]:
    """The seed's match-key policy with each key's coverage on both sides of this engagement."""
    orgs = _live(tables["organisations"])
    contacts = tables["xero_contacts"]
    contacts = contacts[contacts["status"].fillna("ACTIVE").eq("ACTIVE")]
    people = _live(tables["people"])
    with_email = set(people.loc[people["email"].notna(), "org_id"].dropna().astype(str))
    email_share = f"{orgs['org_id'].astype(str).isin(with_email).mean():.0%}" if len(orgs) else "n/a"
    n, m = len(orgs), len(contacts)
    keys = [
        (MatchKey.STORED_ID, OnMatch.LINK, _share(orgs["xero_contact_id"], n), "n/a (Xero's own id)",
         "the most reliable key: store it back on the CRM record once a match is made"),
        (MatchKey.VAT_NUMBER, OnMatch.LINK, _share(orgs["vat_number"], n), _share(contacts["tax_number"], m),
         "compared after normalising (GB prefix, spaces)"),
        (MatchKey.COMPANY_NUMBER, OnMatch.LINK, _share(orgs["company_number"], n),
         _share(contacts["company_number"], m), ""),
        (MatchKey.EMAIL, OnMatch.LINK, email_share, _share(contacts["email"], m),
         "a person's email at the organisation; only when one Xero contact has it"),
        (MatchKey.DOMAIN, OnMatch.REVIEW, _share(orgs["email_domain"], n), _share(contacts["email"], m),
         "free-mail domains are ignored; groups share domains, so a person checks"),
        (MatchKey.NAME, OnMatch.REVIEW, _share(orgs["name"], n), _share(contacts["name"], m),
         "'ACME Ltd' = 'Acme Limited'; two businesses can share a name, so a person checks"),
        (MatchKey.SIMILAR_NAME, OnMatch.REVIEW, _share(orgs["name"], n), _share(contacts["name"], m),
         "typos and trading names; never linked without a person"),
    ]  # fmt: skip
    # a key neither side fills (often the company number) would only clutter the policy
    keys = [key for key in keys if not (key[2] in ("0%", "n/a") and key[3] in ("0%", "n/a"))]
    return tuple(
        MatchKeyRule(id=f"K{i}", order=i, key=k, when_matched=w, crm_coverage=c, xero_coverage=x, notes=note)
        for i, (k, w, c, x, note) in enumerate(keys, 1)
    )
