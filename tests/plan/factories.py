"""A tiny hand-built client, "Tiny Trading Ltd", written into a real engagement so the plan reads the same
typed DataFrames production does. Every default the plan proposes can be worked out by hand from here.

CRM (Pipedrive, or the same in HubSpot with `crm="hubspot"`): 3 organisations with custom fields "VAT
number", "Xero contact ID", "Sector" and a never-filled "Old code"; deals carry a "VAT treatment"
(Standard / Zero rated / Domestic reverse charge / Exempt). Products WIDGET (20%), BOOK (0%), SERVICE
(20%, no Xero item).
Xero: items WIDGET 200/OUTPUT2 and BOOK 200/ZERORATEDOUTPUT; sales lines OUTPUT2 ×3, ZERORATEDOUTPUT ×2,
DRCHARGE20 ×1; invoices due 30, 30, 14 and 30 days after their date (median 30).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from workbench.canonical import Row
from workbench.profile.tables import ProfileTables
from workbench.store import Engagement

AS_OF = date(2026, 11, 25)
VAT_TREATMENTS = ["Standard rated (20%)", "Zero rated", "Domestic reverse charge", "Exempt"]
_T = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _field(entity: str, key: str, name: str, custom: bool = False, options: list[str] | None = None) -> Row:
    return {
        "source": "pipedrive",
        "entity": entity,
        "field_key": key,
        "name": name,
        "field_type": "enum" if options else "varchar",
        "is_custom": custom,
        "options": [{"id": i, "label": o} for i, o in enumerate(options, 1)] if options else None,
    }


def crm_rows() -> dict[str, list[Row]]:
    hashes = {n: f"{i:040x}" for i, n in enumerate(("vat", "xero", "sector", "old", "treatment"), 1)}
    fields = [
        _field("organization", "name", "Name"),
        _field("organization", "address", "Address"),
        _field("organization", hashes["vat"], "VAT number", True),
        _field("organization", hashes["xero"], "Xero contact ID", True),
        _field("organization", hashes["sector"], "Sector", True, ["Retail", "Construction"]),
        _field("organization", hashes["old"], "Old code", True),
        _field("person", "name", "Name"),
        _field("person", "emails", "Email"),
        _field("person", "first_name", "First name"),
        _field("person", "last_name", "Last name"),
        _field("person", "phones", "Phone"),
        _field("deal", "title", "Title"),
        _field("deal", "value", "Value"),
        _field("deal", hashes["treatment"], "VAT treatment", True, VAT_TREATMENTS),
    ]

    def org(org_id: str, name: str, custom: dict[str, str], vat: str | None, xero: str | None) -> Row:
        return {
            "source": "pipedrive", "org_id": org_id, "name": name, "address": "1 High St, Leeds LS1 1AA",
            "city": "Leeds", "postcode": "LS1 1AA", "country": "United Kingdom", "vat_number": vat,
            "xero_contact_id": xero, "created_at": _T, "updated_at": _T, "is_deleted": False,
            "custom_fields": custom,
        }  # fmt: skip

    orgs = [
        org("1", "Acme Ltd", {"VAT number": "GB123456789", "Xero contact ID": "C1", "Sector": "Retail"},
            "GB123456789", "C1"),
        org("2", "Beta Builders Ltd", {"Xero contact ID": "C2", "Sector": "Construction"}, None, "C2"),
        org("3", "Gamma Books", {}, None, None),
    ]  # fmt: skip
    people = [
        {"source": "pipedrive", "person_id": str(100 + i), "org_id": str(i), "name": f"Person {i}",
         "first_name": "Person", "last_name": str(i), "email": f"p{i}@example.co.uk", "phone": None,
         "created_at": _T, "updated_at": _T, "is_deleted": False, "custom_fields": {}}
        for i in (1, 2, 3)
    ]  # fmt: skip

    def deal(deal_id: str, org_id: str, won: bool, treatment: str | None) -> Row:
        return {
            "source": "pipedrive", "deal_id": deal_id, "title": f"Deal {deal_id}", "org_id": org_id,
            "value": Decimal("100"), "currency": "GBP", "status": "won" if won else "open", "is_won": won,
            "won_time": _T if won else None, "created_at": _T, "updated_at": _T, "is_deleted": False,
            "custom_fields": {"VAT treatment": treatment} if treatment else {},
        }  # fmt: skip

    deals = [
        deal("10", "1", True, "Standard rated (20%)"),
        deal("11", "2", True, "Domestic reverse charge"),
        deal("12", "3", True, "Zero rated"),
        deal("13", "1", False, None),
    ]

    def line(line_id: str, deal_id: str, code: str, method: str = "exclusive") -> Row:
        return {
            "source": "pipedrive", "line_id": line_id, "deal_id": deal_id, "product_id": code,
            "product_code": code, "name": code.title(), "quantity": Decimal(1), "unit_price": Decimal(50),
            "tax_method": method, "currency": "GBP",
        }  # fmt: skip

    lines = [line("1", "10", "WIDGET"), line("2", "10", "BOOK"), line("3", "11", "WIDGET"),
             line("4", "12", "BOOK"), line("5", "13", "SERVICE", "inclusive")]  # fmt: skip
    products = [
        {"source": "pipedrive", "product_id": code, "code": code, "name": name, "tax_percent": Decimal(pct),
         "is_deleted": False, "updated_at": _T}
        for code, name, pct in (
            ("WIDGET", "Widget", 20), ("BOOK", "Printed book", 0), ("SERVICE", "Service", 20)
        )
    ]  # fmt: skip
    return {
        "crm_fields": fields,
        "organisations": orgs,
        "people": people,
        "deals": deals,
        "deal_lines": lines,
        "products": products,
    }


def xero_rows() -> dict[str, list[Row]]:
    def rate(
        tax_type: str, name: str, pct: int, revenue: bool, status: str = "ACTIVE", report: str = ""
    ) -> Row:
        return {
            "tax_type": tax_type, "name": name, "status": status, "report_tax_type": report or tax_type,
            "effective_rate": Decimal(pct), "display_rate": Decimal(pct), "can_apply_to_revenue": revenue,
            "can_apply_to_expenses": not revenue,
        }  # fmt: skip

    rates = [
        rate("OUTPUT2", "20% (VAT on Income)", 20, True, report="OUTPUT"),
        rate("INPUT2", "20% (VAT on Expenses)", 20, False, report="INPUT"),
        rate("RROUTPUT", "5% (VAT on Income)", 5, True, report="OUTPUT"),
        rate("ZERORATEDOUTPUT", "Zero Rated Income", 0, True),
        rate("EXEMPTOUTPUT", "Exempt Income", 0, True),
        rate("NONE", "No VAT", 0, True),
        rate("DRCHARGE20", "Domestic Reverse Charge @ 20% (VAT on Income)", 20, True, report="DRCHARGE"),
        rate("CAPEXOUTPUT", "17.5% (VAT on Capital Sales)", 17, False, "ARCHIVED"),
    ]

    def account(code: str, name: str, kind: str, klass: str, status: str = "ACTIVE") -> Row:
        return {"account_id": f"A{code}", "code": code, "name": name, "type": kind, "status": status,
                "account_class": klass}  # fmt: skip

    accounts = [
        account("200", "Sales", "REVENUE", "REVENUE"),
        account("260", "Other Revenue", "REVENUE", "REVENUE"),
        account("205", "Old Sales", "REVENUE", "REVENUE", "ARCHIVED"),
        account("400", "Advertising", "OVERHEADS", "EXPENSE"),
    ]
    items = [
        {"item_id": "I1", "code": "WIDGET", "name": "Widget", "is_sold": True, "sales_account_code": "200",
         "sales_tax_type": "OUTPUT2"},
        {"item_id": "I2", "code": "BOOK", "name": "Printed book", "is_sold": True,
         "sales_account_code": "200", "sales_tax_type": "ZERORATEDOUTPUT"},
        {"item_id": "I3", "code": "MILEAGE", "name": "Mileage", "is_sold": False},
    ]  # fmt: skip
    contacts = [
        {"contact_id": f"C{i}", "name": name, "status": "ACTIVE", "email": f"p{i}@example.co.uk",
         "tax_number": tax, "is_customer": True}
        for i, name, tax in (
            (1, "Acme Limited", "GB 123 4567 89"), (2, "Beta Builders", None), (3, "Gamma Books", None)
        )
    ]  # fmt: skip
    day = date(2026, 1, 10)

    def invoice(invoice_id: str, reference: str, contact: str, due: int, kind: str = "ACCREC") -> Row:
        return {
            "invoice_id": invoice_id, "type": kind, "invoice_number": invoice_id, "reference": reference,
            "contact_id": contact, "date": day, "due_date": day + timedelta(days=due), "status": "AUTHORISED",
            "line_amount_types": "Exclusive", "currency": "GBP", "total": Decimal(120),
        }  # fmt: skip

    invoices = [
        invoice("INV-1", "PD-10", "C1", 30),
        invoice("INV-2", "PD-11", "C2", 30),
        invoice("INV-3", "PD-12", "C3", 14),
        invoice("INV-4", "PO 7781", "C1", 30),
        invoice("BILL-1", "", "C1", 30, "ACCPAY"),
    ]

    def sale(invoice_id: str, line_id: str, item: str | None, account: str, tax: str) -> Row:
        vat = Decimal("10.00") if tax in ("OUTPUT2", "INPUT2") else Decimal("0.00")
        return {"invoice_id": invoice_id, "line_id": line_id, "position": int(line_id), "item_code": item,
                "account_code": account, "tax_type": tax, "quantity": Decimal(1), "unit_amount": Decimal(50),
                "line_amount": Decimal(50), "tax_amount": vat}  # fmt: skip

    lines = [
        sale("INV-1", "1", "WIDGET", "200", "OUTPUT2"),
        sale("INV-1", "2", "BOOK", "200", "ZERORATEDOUTPUT"),
        sale("INV-2", "3", "WIDGET", "200", "DRCHARGE20"),
        sale("INV-3", "4", "BOOK", "200", "ZERORATEDOUTPUT"),
        sale("INV-4", "5", None, "200", "OUTPUT2"),
        sale("INV-4", "6", None, "260", "OUTPUT2"),
        sale("BILL-1", "7", None, "400", "INPUT2"),
    ]
    organisation = {
        "organisation_id": "ORG-1", "name": "Tiny Trading Ltd", "version": "UK", "base_currency": "GBP",
        "country_code": "GB", "pays_tax": True, "tax_number": "GB999999973",
        "default_sales_tax": "Tax Exclusive",
    }  # fmt: skip
    return {
        "tax_rates": rates,
        "accounts": accounts,
        "items": items,
        "xero_contacts": contacts,
        "invoices": invoices,
        "invoice_lines": lines,
        "xero_organisation": [organisation],
    }


HUBSPOT_ENTITIES = {"organization": "company", "person": "contact", "deal": "deal", "product": "product"}
HUBSPOT_TYPES = {"enum": "enumeration", "varchar": "string"}


def _internal_name(label: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", label.casefold()).strip("_")


def as_hubspot(
    crm: dict[str, list[Row]], xero: dict[str, list[Row]]
) -> tuple[dict[str, list[Row]], dict[str, list[Row]]]:
    """The same client kept in HubSpot: HubSpot's object names, custom properties by internal name
    (no hashes), enumeration option values, and invoice references naming HubSpot deals."""
    hubspot: dict[str, list[Row]] = {
        table: [{**row, "source": "hubspot"} for row in rows] for table, rows in crm.items()
    }
    for field in hubspot["crm_fields"]:
        options = field["options"]
        field.update(
            entity=HUBSPOT_ENTITIES[str(field["entity"])],
            field_key=_internal_name(str(field["name"])) if field["is_custom"] else field["field_key"],
            field_type=HUBSPOT_TYPES[str(field["field_type"])],
            options=[{"id": _internal_name(o["label"]), "label": o["label"]} for o in options]
            if isinstance(options, list)
            else None,
        )
    invoices = [
        {**row, "reference": re.sub(r"^PD-", "HS-", str(row["reference"]))} for row in xero["invoices"]
    ]
    return hubspot, {**xero, "invoices": invoices}


def tiny_engagement(home: Path, name: str = "tiny", crm: str = "pipedrive") -> Engagement:
    """A fresh engagement holding the tiny client's Xero and CRM snapshots (close it after use); `crm`
    is the CRM it is kept in (pipedrive or hubspot: the same client either way)."""
    crm_tables, xero_tables = crm_rows(), xero_rows()
    if crm == "hubspot":
        crm_tables, xero_tables = as_hubspot(crm_tables, xero_tables)
    engagement = Engagement.open(name, home)
    engagement.write_snapshot("xero", xero_tables, cursors={})
    engagement.write_snapshot(crm, crm_tables, cursors={})
    return engagement


def tiny_tables(engagement: Engagement) -> ProfileTables:
    return ProfileTables.from_engagement(engagement, AS_OF)
