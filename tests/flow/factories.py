"""A small hand-built client for the invoice flow, "Northgate Supplies Ltd", and its signed-off plan.

Every draft the flow builds from here can be worked out by hand. Deals won on or after 1/11/2026 (the
plan's cut-off; the data is read as of 25/11/2026):

| deal | organisation | contact found by | lines | what it shows |
|---|---|---|---|---|
| 101 | Acme Ltd | stored ContactID C1 | WIDGET 3 × 19.99, BOOK 2 × 12.50, GADGET 1 × 40 | GADGET unmapped |
| 102 | Beta Builders Ltd | VAT number (C2) | SERVICE 1 × 1,000 | domestic reverse charge |
| 103 | Gamma Books | nothing: a new contact | BOOK 10 × 8.75 less 10% | zero rated, discount |
| 104 | Delta Design Ltd | stored ContactID C4, archived | value 500 | held: archived contact |
| 105 | Echo Events Ltd | name only, two contacts | value 120 | held: ambiguous / review |
| 106 | Fjord Consulting B.V. | email (C7) | SERVICE 2 × 750, EUR | EU B2B, outside the scope |
| 107 | Harbour Hotels Ltd | stored ContactID C8 | WIDGET 1 × 100, USD | USD is not enabled |

Not candidates: 108 (won before the cut-off), 109 (open), 110 (lost), 111 (won, deleted in the CRM).
Money: 101 is 59.97 + 25.00 + 40.00 = 124.97 net, VAT 11.99 + 0 + 8.00 = 19.99, total 144.96.

The client keeps its deals in Pipedrive unless a factory is told `source="hubspot"` (the same canonical
rows, as the HubSpot pull writes them: custom properties keyed by label, companies for organisations).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from workbench.canonical import Row
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
    TaxBasis,
    TaxRule,
)
from workbench.profile.tables import ProfileTables
from workbench.store import Engagement

AS_OF = date(2026, 11, 25)
WON_AFTER = date(2026, 11, 1)
RUN_DATE = date(2026, 11, 26)
SOURCE = "pipedrive"
TREATMENT_FIELD = "VAT treatment"
CONTACT_ID_FIELD = "Xero contact ID"
STANDARD, ZERO, DRC, EU_B2B, EXEMPT = (
    "Standard rated (20%)",
    "Zero rated",
    "Domestic reverse charge",
    "Outside scope (EU B2B reverse charge)",
    "Exempt",
)
CANDIDATES = ["101", "102", "103", "104", "105", "106", "107"]
_CREATED = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def won_at(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 14, 30, tzinfo=UTC)


# --- CRM --------------------------------------------------------------------------------------------
def organisation(org_id: str, name: str, **values: Any) -> Row:
    stored = values.pop("xero_contact_id", None)
    custom = {CONTACT_ID_FIELD: stored} if stored else {}
    source = values.pop("source", SOURCE)
    return {
        "source": source, "org_id": org_id, "name": name, "address": values.pop("address", None),
        "city": None, "postcode": None, "country": "United Kingdom", "vat_number": None,
        "company_number": None, "xero_contact_id": stored, "created_at": _CREATED, "updated_at": _CREATED,
        "is_deleted": False, "custom_fields": custom, **values,
    }  # fmt: skip


def person(person_id: str, org_id: str, name: str, email: str | None, source: str = SOURCE) -> Row:
    first, _, last = name.partition(" ")
    return {
        "source": source, "person_id": person_id, "org_id": org_id, "name": name, "first_name": first,
        "last_name": last, "email": email, "emails": [{"value": email, "primary": True}] if email else [],
        "phone": "0113 496 0000", "created_at": _CREATED, "updated_at": _CREATED, "is_deleted": False,
        "custom_fields": {},
    }  # fmt: skip


def deal(
    deal_id: str, org_id: str, *, won: datetime | None, treatment: str | None = None, **values: Any
) -> Row:
    status = values.pop("status", "won" if won else "open")
    source = values.pop("source", SOURCE)
    return {
        "source": source, "deal_id": deal_id, "title": values.pop("title", f"Deal {deal_id}"),
        "org_id": org_id, "person_id": values.pop("person_id", None), "value": Decimal("0"),
        "currency": "GBP", "status": status, "is_won": status == "won", "won_time": won,
        "close_time": won, "expected_close_date": None, "created_at": _CREATED,
        "updated_at": won or _CREATED, "is_deleted": False,
        "custom_fields": {TREATMENT_FIELD: treatment} if treatment else {}, **values,
    }  # fmt: skip


def deal_line(
    line_id: str, deal_id: str, code: str, quantity: str, price: str, discount: str = "0", **values: Any
) -> Row:
    source = values.pop("source", SOURCE)
    return {
        "source": source, "line_id": line_id, "deal_id": deal_id, "product_id": f"P-{code}",
        "product_code": code, "name": values.pop("name", code.title()), "quantity": Decimal(quantity),
        "unit_price": Decimal(price), "discount": Decimal(discount), "discount_type": "percentage",
        "tax_percent": None, "tax_method": "exclusive", "currency": "GBP", **values,
    }  # fmt: skip


def crm_fields(source: str = SOURCE) -> list[Row]:
    """The client's custom fields: Pipedrive's by hash, HubSpot's properties by internal name."""
    hubspot = source == "hubspot"
    options = [{"id": f"v{i}" if hubspot else i, "label": v}
               for i, v in enumerate((STANDARD, ZERO, DRC, EU_B2B, EXEMPT), 1)]  # fmt: skip
    return [
        {"source": source, "entity": "deal", "field_key": "vat_treatment" if hubspot else "a" * 40,
         "name": TREATMENT_FIELD, "field_type": "enumeration" if hubspot else "enum", "is_custom": True,
         "options": options},
        {"source": source, "entity": "company" if hubspot else "organization",
         "field_key": "xero_contact_id" if hubspot else "b" * 40, "name": CONTACT_ID_FIELD,
         "field_type": "string" if hubspot else "varchar", "is_custom": True, "options": None},
    ]  # fmt: skip


def crm_rows(source: str = SOURCE) -> dict[str, list[Row]]:
    """The CRM side: organisations, people, deals and their products (edit the lists, then `flow_tables`),
    kept in `source` ("pipedrive" or "hubspot")."""
    rows = _crm_rows()
    for table in rows.values():
        for row in table:
            row["source"] = source
    rows["crm_fields"] = crm_fields(source)
    return rows


def _crm_rows() -> dict[str, list[Row]]:
    orgs = [
        organisation("1", "Acme Ltd", xero_contact_id="C1", vat_number="GB123456789"),
        organisation("2", "Beta Builders Ltd", vat_number="GB 987 6543 21"),
        organisation("3", "Gamma Books", address="3 Mill Lane, York YO1 7AA, United Kingdom", city="York",
                     postcode="YO1 7AA", vat_number="gb 555 1234 56"),
        organisation("4", "Delta Design Ltd", xero_contact_id="C4"),
        organisation("5", "Echo Events Ltd"),
        organisation("6", "Fjord Consulting B.V.", country="Netherlands", vat_number="NL123456789B01"),
        organisation("7", "Harbour Hotels Ltd", xero_contact_id="C8"),
    ]  # fmt: skip
    people = [
        person("31", "3", "Grace Hopper", "grace@gammabooks.co.uk"),
        person("61", "6", "Anna de Vries", "anna@fjordconsulting.nl"),
        person("51", "5", "Eve Echo", None),
    ]
    deals = [
        deal("101", "1", won=won_at(3), treatment=STANDARD, value=Decimal("144.96"), title="Acme - widgets"),
        deal("102", "2", won=won_at(5), treatment=DRC, value=Decimal("1000")),
        deal("103", "3", won=won_at(10), treatment=ZERO, value=Decimal("78.75"), person_id="31"),
        deal("104", "4", won=won_at(12), treatment=STANDARD, value=Decimal("500")),
        deal("105", "5", won=won_at(14), value=Decimal("120")),
        deal("106", "6", won=won_at(15), treatment=EU_B2B, value=Decimal("1500"), currency="EUR"),
        deal("107", "7", won=won_at(16), treatment=STANDARD, value=Decimal("120"), currency="USD"),
        deal("108", "1", won=won_at(20, month=10), treatment=STANDARD, value=Decimal("50")),
        deal("109", "1", won=None, value=Decimal("75")),
        deal("110", "2", won=None, status="lost", value=Decimal("80")),
        deal("111", "3", won=won_at(18), treatment=ZERO, value=Decimal("90"), is_deleted=True),
    ]
    lines = [
        deal_line("1", "101", "WIDGET", "3", "19.99"),
        deal_line("2", "101", "BOOK", "2", "12.50"),
        deal_line("3", "101", "GADGET", "1", "40"),
        deal_line("4", "102", "SERVICE", "1", "1000"),
        deal_line("5", "103", "BOOK", "10", "8.75", "10"),
        deal_line("6", "106", "SERVICE", "2", "750", currency="EUR"),
        deal_line("7", "107", "WIDGET", "1", "100", currency="USD"),
        deal_line("8", "108", "WIDGET", "1", "50"),
    ]
    return {
        "organisations": orgs,
        "people": people,
        "deals": deals,
        "deal_lines": lines,
    }


# --- Xero -------------------------------------------------------------------------------------------
def tax_rate(tax_type: str, name: str, effective: str, *, revenue: bool = True, **values: Any) -> Row:
    return {
        "tax_type": tax_type, "name": name, "status": "ACTIVE", "report_tax_type": tax_type,
        "effective_rate": Decimal(effective), "display_rate": Decimal(values.pop("display", effective)),
        "can_apply_to_revenue": revenue, "can_apply_to_expenses": not revenue, **values,
    }  # fmt: skip


def contact(contact_id: str, name: str, **values: Any) -> Row:
    return {"contact_id": contact_id, "name": name, "status": "ACTIVE", "is_customer": True, **values}


def xero_rows() -> dict[str, list[Row]]:
    """The Xero side: organisation, currencies, tax rates, accounts, items, contacts."""
    rates = [
        tax_rate("OUTPUT2", "20% (VAT on Income)", "20"),
        tax_rate("RROUTPUT", "5% (VAT on Income)", "5"),
        tax_rate("ZERORATEDOUTPUT", "Zero Rated Income", "0"),
        tax_rate("EXEMPTOUTPUT", "Exempt Income", "0"),
        tax_rate("NONE", "No VAT", "0"),
        # Xero computes no tax on a reverse-charge sale: the customer accounts for it
        tax_rate("DRCHARGE20", "Domestic Reverse Charge @ 20% (VAT on Income)", "0", display="20"),
        tax_rate("INPUT2", "20% (VAT on Expenses)", "20", revenue=False),
        tax_rate("OLDOUTPUT", "17.5% (VAT on Income)", "17.5", status="ARCHIVED"),
    ]

    def account(code: str, name: str, kind: str, status: str = "ACTIVE") -> Row:
        klass = "REVENUE" if kind in ("REVENUE", "SALES", "OTHERINCOME") else "EXPENSE"
        return {"account_id": f"A{code}", "code": code, "name": name, "type": kind, "status": status,
                "account_class": klass}  # fmt: skip

    accounts = [
        account("200", "Sales", "REVENUE"),
        account("210", "Consulting Sales", "SALES"),
        account("260", "Other Revenue", "REVENUE"),
        account("205", "Old Sales", "REVENUE", "ARCHIVED"),
        account("400", "Advertising", "OVERHEADS"),
    ]
    items = [
        {"item_id": "I1", "code": "WIDGET", "name": "Widget", "is_sold": True, "sales_account_code": "200",
         "sales_tax_type": "OUTPUT2"},
        {"item_id": "I2", "code": "BOOK", "name": "Printed book", "is_sold": True,
         "sales_account_code": "200", "sales_tax_type": "ZERORATEDOUTPUT"},
        {"item_id": "I3", "code": "MILEAGE", "name": "Mileage", "is_sold": False, "is_purchased": True},
    ]  # fmt: skip
    contacts = [
        contact("C1", "Acme Limited", tax_number="GB 123 4567 89", email="accounts@acme.co.uk"),
        contact("C2", "Beta Builders", tax_number="GB987654321"),
        contact("C4", "Delta Design Ltd", status="ARCHIVED"),
        contact("C5", "Echo Events Limited"),
        contact("C6", "ECHO EVENTS LTD."),
        contact("C7", "Fjord Consulting BV", email="Anna@FjordConsulting.nl", default_currency="EUR"),
        contact("C8", "Harbour Hotels Ltd"),
        contact("C9", "Acme (old)", merged_to_contact_id="C1"),
    ]
    organisation = {
        "organisation_id": "ORG-NG", "name": "Northgate Supplies Ltd", "version": "UK",
        "base_currency": "GBP", "country_code": "GB", "pays_tax": True, "tax_number": "GB999999973",
        "default_sales_tax": "Tax Exclusive",
    }  # fmt: skip
    currencies = [{"code": "GBP", "description": "British Pound"}, {"code": "EUR", "description": "Euro"}]
    return {
        "xero_organisation": [organisation],
        "currencies": currencies,
        "tax_rates": rates,
        "accounts": accounts,
        "items": items,
        "xero_contacts": contacts,
    }


def flow_engagement(
    home: Path,
    crm: dict[str, list[Row]] | None = None,
    xero: dict[str, list[Row]] | None = None,
    name: str = "northgate",
) -> Engagement:
    """A fresh engagement holding the client's Xero and CRM snapshots (close it after use); the CRM
    snapshot is the CRM the rows' organisations name."""
    rows = crm if crm is not None else crm_rows()
    source = next((str(o["source"]) for o in rows.get("organisations", [])), SOURCE)
    engagement = Engagement.open(name, home)
    engagement.write_snapshot("xero", xero if xero is not None else xero_rows(), cursors={})
    engagement.write_snapshot(source, rows, cursors={})
    return engagement


def flow_tables(
    home: Path,
    crm: dict[str, list[Row]] | None = None,
    xero: dict[str, list[Row]] | None = None,
    as_of: date = AS_OF,
) -> ProfileTables:
    """The client's canonical tables as production reads them (typed by the engagement store)."""
    with flow_engagement(home, crm, xero) as engagement:
        return ProfileTables.from_engagement(engagement, as_of)


# --- the plan ---------------------------------------------------------------------------------------
def product_rule(
    rule_id: str, code: str, account: str | None, tax: str | None, item: str | None = None
) -> TaxRule:
    return TaxRule(
        id=rule_id, applies_to=TaxBasis.PRODUCT, crm_value=code, item_code=item, account_code=account,
        tax_type=tax,
    )  # fmt: skip


def treatment_rule(rule_id: str, label: str, tax: str | None) -> TaxRule:
    return TaxRule(id=rule_id, applies_to=TaxBasis.VAT_TREATMENT, crm_value=label, tax_type=tax)


def tax_rules() -> tuple[TaxRule, ...]:
    return (
        product_rule("T01", "WIDGET", "200", "OUTPUT2", item="WIDGET"),
        product_rule("T02", "BOOK", "200", "ZERORATEDOUTPUT", item="BOOK"),
        product_rule("T03", "SERVICE", "210", "OUTPUT2"),
        product_rule("T04", "ENERGY", "200", "RROUTPUT"),
        treatment_rule("T05", STANDARD, None),  # blank: each product's own tax type
        treatment_rule("T06", ZERO, "ZERORATEDOUTPUT"),
        treatment_rule("T07", DRC, "DRCHARGE20"),
        treatment_rule("T08", EU_B2B, "NONE"),
        treatment_rule("T09", EXEMPT, "EXEMPTOUTPUT"),
    )


def match_keys(*keys: tuple[MatchKey, OnMatch]) -> tuple[MatchKeyRule, ...]:
    """Match keys in this order (default: the seed's policy: exact keys link, domain and name review)."""
    chosen: Iterable[tuple[MatchKey, OnMatch]] = keys or (
        (MatchKey.STORED_ID, OnMatch.LINK),
        (MatchKey.VAT_NUMBER, OnMatch.LINK),
        (MatchKey.COMPANY_NUMBER, OnMatch.LINK),
        (MatchKey.EMAIL, OnMatch.LINK),
        (MatchKey.DOMAIN, OnMatch.REVIEW),
        (MatchKey.NAME, OnMatch.REVIEW),
    )
    return tuple(
        MatchKeyRule(id=f"K{i}", order=i, key=key, when_matched=on) for i, (key, on) in enumerate(chosen, 1)
    )


def plan_fields() -> tuple[FieldMapping, ...]:
    return (
        FieldMapping(
            id="F01", object=SyncObject.CONTACTS, crm_record=CrmRecord.ORGANISATION,
            crm_field=CONTACT_ID_FIELD, xero_field="Contact.ContactID", direction=Direction.XERO_TO_CRM,
            master=Master.XERO, required=True,
        ),
        FieldMapping(
            id="F02", object=SyncObject.DEAL_INVOICE, crm_record=CrmRecord.DEAL, crm_field=TREATMENT_FIELD,
            xero_field="Invoice.LineItems.TaxType", direction=Direction.CRM_TO_XERO, master=Master.CRM,
        ),
    )  # fmt: skip


def flow_plan(
    *,
    rules: tuple[TaxRule, ...] | None = None,
    keys: tuple[MatchKeyRule, ...] | None = None,
    crm: str = SOURCE,
    **settings: Any,
) -> Plan:
    """The client's signed-off plan (for its deals in `crm`); keyword arguments override the deal →
    invoice settings."""
    deal_invoice = DealInvoiceMap(
        **{
            "contact_id_field": CONTACT_ID_FIELD,
            "default_account_code": "260",
            "default_tax_type": "OUTPUT2",
            "won_after": WON_AFTER,
            **settings,
        }
    )
    return Plan(
        crm=crm,
        client="Northgate Supplies Ltd",
        objects=(),
        fields=plan_fields(),
        deal_invoice=deal_invoice,
        tax_rules=rules if rules is not None else tax_rules(),
        match_keys=keys if keys is not None else match_keys(),
        sign_off=(
            SignOff(id="S01", role="Finance (VAT and tax mapping)", name="Jo Bloggs", signed_on=AS_OF),
        ),
    )


def by_deal(outcomes: Iterable[Any]) -> dict[str, Any]:
    """Drafts and holds (`build.build_drafts`) keyed by deal id."""
    return {outcome.deal_id: outcome for outcome in outcomes}


def edited(
    rows: dict[str, list[Row]], table: str, key: str, value: str, **changes: Any
) -> dict[str, list[Row]]:
    """`rows` with the row of `table` whose `key` is `value` changed (a copy; the rows are not touched)."""
    out = {name: [dict(row) for row in table_rows] for name, table_rows in rows.items()}
    matched = [row for row in out[table] if row.get(key) == value]
    if not matched:
        raise KeyError(f"no {table} row with {key} = {value!r}")
    for row in matched:
        row.update(changes)
    return out
