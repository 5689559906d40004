"""Hand-built canonical frames for the VAT rules: a small UK tenant with its own tax rates, items,
accounts and CRM products, and builders for customers, deals and invoices.

Invoice totals are worked out here the way Xero does (per line, 2 dp, half up) unless a test overrides
them, so each test states only the one thing that is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from workbench.canonical import TABLES
from workbench.profile.tables import ProfileTables

AS_OF = date(2026, 11, 20)
CENT = Decimal("0.01")
# (TaxType, Name, Status, ReportTaxType, display %, effective %, revenue, expenses)
RATES = (
    ("OUTPUT2", "20% (VAT on Income)", "ACTIVE", "OUTPUT", "20", "20", True, False),
    ("RROUTPUT", "5% (VAT on Income)", "ACTIVE", "OUTPUT", "5", "5", True, False),
    ("ZERORATEDOUTPUT", "Zero Rated Income", "ACTIVE", "ZERORATEDOUTPUT", "0", "0", True, False),
    ("EXEMPTOUTPUT", "Exempt Income", "ACTIVE", "EXEMPTOUTPUT", "0", "0", True, False),
    ("NONE", "No VAT", "ACTIVE", "NONE", "0", "0", True, True),
    (
        "DRCHARGE20",
        "Domestic Reverse Charge @ 20% (VAT on Income)",
        "ACTIVE",
        "DRCHARGE",
        "20",
        "0",
        True,
        False,
    ),
    (
        "DRCHARGESUPPLY20",
        "Domestic Reverse Charge @ 20% (VAT on Expenses)",
        "ACTIVE",
        "DRCHARGESUPPLY",
        "20",
        "0",
        False,
        True,
    ),
    ("INPUT2", "20% (VAT on Expenses)", "ACTIVE", "INPUT", "20", "20", False, True),
    (
        "CAPEXOUTPUT",
        "17.5% (VAT on Capital Sales)",
        "ARCHIVED",
        "CAPITALSALESOUTPUT",
        "17.5",
        "17.5",
        True,
        False,
    ),
)
# (Code, Name, sales TaxType, account)
ITEMS = (
    ("CONS", "Consultancy", "OUTPUT2", "200"),
    ("BOOK", "Printed manual", "ZERORATEDOUTPUT", "200"),
    ("FIT", "Fit-out day", "OUTPUT2", "200"),
    ("MILES", "Mileage", "NONE", "260"),
)
# CRM products: (code, name, tax %); DEV exists in the CRM only
PRODUCTS = (("CONS", "Consultancy", "20"), ("BOOK", "Printed manual", "0"), ("DEV", "Development", "20"))
ACCOUNTS = (("200", "Sales", "REVENUE", "OUTPUT2"), ("260", "Other Revenue", "REVENUE", "NONE"))


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Line:
    description: str
    amount: str
    tax_type: str = "OUTPUT2"
    item_code: str | None = None
    account_code: str = "200"
    tax: str | None = None  # override of the tax Xero would compute


@dataclass
class VatClient:
    """A tenant being built: call the adders, then `tables()`."""

    pays_vat: bool = True
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rows["tax_rates"] = [
            {
                "tax_type": code,
                "name": name,
                "status": status,
                "report_tax_type": report,
                "display_rate": Decimal(display),
                "effective_rate": Decimal(effective),
                "can_apply_to_revenue": revenue,
                "can_apply_to_expenses": expenses,
            }
            for code, name, status, report, display, effective, revenue, expenses in RATES
        ]
        self.rows["items"] = [
            {
                "item_id": f"item-{code}",
                "code": code,
                "name": name,
                "is_sold": True,
                "sales_tax_type": tax,
                "sales_account_code": account,
            }
            for code, name, tax, account in ITEMS
        ]
        self.rows["products"] = [
            {
                "source": "pipedrive",
                "product_id": code,
                "code": code,
                "name": name,
                "tax_percent": Decimal(pct),
            }
            for code, name, pct in PRODUCTS
        ]
        self.rows["accounts"] = [
            {
                "account_id": f"acc-{code}",
                "code": code,
                "name": name,
                "type": kind,
                "status": "ACTIVE",
                "tax_type": tax,
            }
            for code, name, kind, tax in ACCOUNTS
        ]
        self.rows["xero_organisation"] = [
            {"organisation_id": "org", "name": "Tenant Ltd", "country_code": "GB", "pays_tax": self.pays_vat}
        ]

    def _add(self, table: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)

    def contact(
        self,
        contact_id: str,
        name: str,
        country: str | None = "United Kingdom",
        tax_number: str | None = None,
        sales_tax_type: str | None = None,
        postcode: str | None = None,
    ) -> VatClient:
        self._add(
            "xero_contacts",
            {
                "contact_id": contact_id,
                "name": name,
                "status": "ACTIVE",
                "country": country,
                "tax_number": tax_number,
                "sales_tax_type": sales_tax_type,
                "postcode": postcode,
                "merged_to_contact_id": None,
            },
        )
        return self

    def org(
        self,
        org_id: str,
        name: str,
        contact_id: str | None = None,
        country: str | None = "United Kingdom",
        vat_number: str | None = None,
        sector: str | None = None,
    ) -> VatClient:
        self._add(
            "organisations",
            {
                "source": "pipedrive",
                "org_id": org_id,
                "name": name,
                "country": country,
                "postcode": None,
                "vat_number": vat_number,
                "xero_contact_id": contact_id,
                "is_deleted": False,
                "custom_fields": {"Sector": sector} if sector else {},
            },
        )
        return self

    def deal(
        self,
        deal_id: str,
        value: str,
        org_id: str | None = None,
        currency: str = "GBP",
        title: str | None = None,
        vat_treatment: str | None = None,
    ) -> VatClient:
        self._add(
            "deals",
            {
                "source": "pipedrive",
                "deal_id": deal_id,
                "title": title or f"Deal {deal_id}",
                "org_id": org_id,
                "value": Decimal(value),
                "currency": currency,
                "status": "won",
                "is_won": True,
                "is_deleted": False,
                "custom_fields": {"VAT treatment": vat_treatment} if vat_treatment else {},
            },
        )
        return self

    def invoice(
        self,
        invoice_id: str,
        contact_id: str,
        lines: list[Line],
        line_amount_types: str = "Exclusive",
        reference: str | None = None,
        status: str = "AUTHORISED",
        currency: str = "GBP",
        kind: str = "ACCREC",
        total_tax: str | None = None,
        credited: str = "0",
    ) -> VatClient:
        rates = {r["tax_type"]: r["effective_rate"] for r in self.rows["tax_rates"]}
        subtotal = tax_total = Decimal("0.00")
        for position, line in enumerate(lines, start=1):
            amount = Decimal(line.amount)
            rate = rates.get(line.tax_type, Decimal(0)) / 100
            if line.tax is not None:
                tax = Decimal(line.tax)
            elif line_amount_types == "NoTax":
                tax = Decimal("0.00")
            elif line_amount_types == "Inclusive":
                tax = _round(amount * rate / (1 + rate))
            else:
                tax = _round(amount * rate)
            subtotal += amount - tax if line_amount_types == "Inclusive" else amount
            tax_total += tax
            self._add(
                "invoice_lines",
                {
                    "invoice_id": invoice_id,
                    "line_id": f"{invoice_id}-{position}",
                    "position": position,
                    "description": line.description,
                    "quantity": Decimal(1),
                    "unit_amount": amount,
                    "item_code": line.item_code,
                    "account_code": line.account_code,
                    "tax_type": line.tax_type,
                    "tax_amount": tax,
                    "line_amount": amount,
                },
            )
        self._add(
            "invoices",
            {
                "invoice_id": invoice_id,
                "type": kind,
                "invoice_number": f"INV-{invoice_id}",
                "reference": reference,
                "contact_id": contact_id,
                "date": pd.Timestamp(AS_OF),
                "status": status,
                "line_amount_types": line_amount_types,
                "currency": currency,
                "subtotal": subtotal,
                "total_tax": Decimal(total_tax) if total_tax is not None else tax_total,
                "total": subtotal + tax_total,
                "amount_credited": Decimal(credited),
            },
        )
        return self

    def tables(self) -> ProfileTables:
        frames = {
            name: pd.DataFrame(rows, columns=list(TABLES[name].columns)) for name, rows in self.rows.items()
        }
        return ProfileTables(frames, AS_OF)


def uk_customer(client: VatClient, contact_id: str = "c-uk", name: str = "Acme Widgets Ltd") -> VatClient:
    """A UK customer known on both sides (organisation o-<contact> stores the contact id)."""
    return client.contact(contact_id, name, tax_number="GB980780684").org(
        f"o-{contact_id}", name, contact_id, vat_number="GB980780684"
    )
