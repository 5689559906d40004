"""A small, hand-made Xero tenant for emulator tests (the demo generator is tested on its own)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from workbench.sandbox.demo.dataset import XeroTenant
from workbench.sandbox.xero.totals import apply_totals

TENANT_ID = "6f1c1b9e-5d43-4c3a-9a44-0d6f4f0a1111"
CONTACT_IDS = [f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 31)]
UPDATED = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _rate(tax_type: str, name: str, rate: str, revenue: bool, status: str = "ACTIVE") -> dict:
    return {
        "Name": name,
        "TaxType": tax_type,
        "ReportTaxType": "OUTPUT" if revenue else "INPUT",
        "TaxComponents": [
            {"Name": "VAT", "Rate": Decimal(rate), "IsCompound": False, "IsNonRecoverable": False}
        ],
        "Status": status,
        "CanApplyToAssets": True,
        "CanApplyToEquity": True,
        "CanApplyToExpenses": not revenue,
        "CanApplyToLiabilities": True,
        "CanApplyToRevenue": revenue,
        "DisplayTaxRate": Decimal(rate),
        "EffectiveRate": Decimal(rate),
    }


def _account(code: str, name: str, kind: str, status: str = "ACTIVE", tax: str | None = None) -> dict:
    return {
        "AccountID": f"a0000000-0000-4000-8000-{int(code):012d}",
        "Code": code,
        "Name": name,
        "Type": kind,
        "Status": status,
        "TaxType": tax or "NONE",
        "Class": "REVENUE" if kind == "REVENUE" else "EXPENSE",
        "EnablePaymentsToAccount": False,
        "UpdatedDateUTC": UPDATED,
    }


def small_tenant(invoices: int = 250) -> XeroTenant:
    tax_rates = [
        _rate("OUTPUT2", "20% (VAT on Income)", "20.0000", True),
        _rate("INPUT2", "20% (VAT on Expenses)", "20.0000", False),
        _rate("ZERORATEDOUTPUT", "Zero Rated Income", "0.0000", True),
        _rate("NONE", "No VAT", "0.0000", True),
        _rate("CAPEXOUTPUT", "17.5% (VAT on Capital Sales)", "17.5000", True, status="ARCHIVED"),
    ]
    accounts = [
        _account("200", "Sales", "REVENUE", tax="OUTPUT2"),
        _account("205", "Old Consulting Sales", "REVENUE", status="ARCHIVED", tax="OUTPUT2"),
        _account("400", "Advertising", "OVERHEADS", tax="INPUT2"),
    ]
    contacts = [
        {
            "ContactID": cid,
            "Name": f"Customer {n:02d} Ltd",
            "ContactStatus": "ARCHIVED" if n == 30 else "ACTIVE",
            "EmailAddress": f"accounts@customer{n:02d}.co.uk",
            "IsCustomer": True,
            "IsSupplier": False,
            "Addresses": [],
            "Phones": [],
            "ContactPersons": [],
            "UpdatedDateUTC": datetime(2026, 1, 1, tzinfo=UTC).replace(day=1 + n % 28),
        }
        for n, cid in enumerate(CONTACT_IDS, start=1)
    ]
    rates = {r["TaxType"]: r["EffectiveRate"] for r in tax_rates}
    docs = []
    for n in range(1, invoices + 1):
        status = ("AUTHORISED", "PAID", "DRAFT", "VOIDED")[n % 4]
        invoice = {
            "InvoiceID": f"10000000-0000-4000-8000-{n:012d}",
            "Type": "ACCREC",
            "InvoiceNumber": f"INV-{n:05d}",
            "Reference": f"PD-{1000 + n}",
            "Contact": {"ContactID": CONTACT_IDS[n % 29]},
            "Date": date(2025, 1 + n % 12, 1 + n % 28),
            "DueDate": date(2025, 1 + n % 12, 1 + n % 28),
            "Status": status,
            "LineAmountTypes": "Exclusive",
            "CurrencyCode": "GBP",
            "CurrencyRate": Decimal(1),
            "LineItems": [
                {
                    "LineItemID": f"20000000-0000-4000-8000-{n:012d}",
                    "Description": "Consulting",
                    "Quantity": Decimal(n % 3 + 1),
                    "UnitAmount": Decimal("99.99"),
                    "AccountCode": "200",
                    "TaxType": "OUTPUT2",
                }
            ],
            "UpdatedDateUTC": datetime(2026, 1 + n % 10, 1 + n % 28, 8, n % 60, tzinfo=UTC),
        }
        apply_totals(invoice, lambda t: rates.get(t, Decimal(0)))
        paid = invoice["Total"] if status == "PAID" else Decimal("0.00")
        invoice.update(AmountPaid=paid, AmountCredited=Decimal("0.00"), AmountDue=invoice["Total"] - paid)
        docs.append(invoice)
    return XeroTenant(
        tenant_id=TENANT_ID,
        tenant_name="Test Widgets Ltd",
        organisation={
            "OrganisationID": TENANT_ID,
            "Name": "Test Widgets Ltd",
            "Version": "UK",
            "BaseCurrency": "GBP",
            "CountryCode": "GB",
            "PaysTax": True,
            "TaxNumber": "GB123456789",
            "OrganisationType": "COMPANY",
            "OrganisationStatus": "ACTIVE",
            "Class": "STANDARD",
            "Edition": "BUSINESS",
            "CreatedDateUTC": datetime(2020, 1, 1, tzinfo=UTC),
        },
        contacts=contacts,
        invoices=docs,
        tax_rates=tax_rates,
        accounts=accounts,
        items=[
            {
                "ItemID": "30000000-0000-4000-8000-000000000001",
                "Code": "CONSULT-DAY",
                "Name": "Consulting day",
                "Description": "One day of consulting",
                "IsSold": True,
                "IsPurchased": False,
                "SalesDetails": {"UnitPrice": Decimal("850.00"), "AccountCode": "200", "TaxType": "OUTPUT2"},
                "IsTrackedAsInventory": False,
                "UpdatedDateUTC": UPDATED,
            }
        ],
        currencies=[{"Code": "GBP", "Description": "British Pound"}, {"Code": "EUR", "Description": "Euro"}],
    )
