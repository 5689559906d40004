"""Xero invoices as Xero sends them, for the write-back and refresh tests (hand-built, one per deal)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from workbench.references import deal_reference


def xero_date(day: date) -> str:
    """A date in Xero's `/Date(ms+0000)/` wire form."""
    instant = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return f"/Date({int(instant.timestamp() * 1000)}+0000)/"


def xero_invoice(
    deal_id: str | int,
    *,
    number: str | None = None,
    status: str = "DRAFT",
    amount_due: str = "120.00",
    currency: str = "GBP",
    due: date = date(2026, 12, 20),
    updated: date = date(2026, 11, 26),
    contact_id: str = "c0000000-0000-4000-8000-000000000001",
    **values: Any,
) -> dict[str, Any]:
    invoice_id = values.pop("invoice_id", f"11111111-0000-4000-8000-{int(deal_id):012d}")
    return {
        "Type": "ACCREC",
        "InvoiceID": invoice_id,
        "InvoiceNumber": number if number is not None else f"INV-{int(deal_id):04d}",
        "Reference": values.pop("reference", deal_reference("pipedrive", deal_id)),
        "Contact": {"ContactID": contact_id, "Name": "Customer Ltd"},
        "Status": status,
        "CurrencyCode": currency,
        "AmountDue": float(amount_due),  # JSON numbers, as httpx decodes them
        "Total": float(values.pop("total", amount_due)),
        "DueDate": xero_date(due),
        "UpdatedDateUTC": xero_date(updated),
        "StatusAttributeString": "OK",
        **values,
    }
