"""Invoice and credit-note arithmetic the way Xero does it: per line, 2 dp, half up, then summed.

Xero: "calculates tax on a per line basis, rounding to two decimal places, and then sums the tax totals
of each line to calculate the total invoice tax" (developer.xero.com, rounding in Xero).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value: Any, default: str = "0") -> Decimal:
    if value is None or value == "":
        return Decimal(default)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def line_amount(line: dict[str, Any]) -> Decimal:
    """Quantity x UnitAmount less the discount (rate or amount), rounded to 2 dp."""
    quantity = to_decimal(line.get("Quantity"), "1")
    unit = to_decimal(line.get("UnitAmount"))
    gross = quantity * unit
    if line.get("DiscountAmount") not in (None, ""):
        return round2(gross - to_decimal(line["DiscountAmount"]))
    rate = to_decimal(line.get("DiscountRate"))
    return round2(gross * (HUNDRED - rate) / HUNDRED)


def line_tax(amount: Decimal, rate_percent: Decimal, line_amount_types: str) -> Decimal:
    if line_amount_types == "NoTax" or rate_percent == 0:
        return Decimal("0.00")
    if line_amount_types == "Inclusive":
        return round2(amount * rate_percent / (HUNDRED + rate_percent))
    return round2(amount * rate_percent / HUNDRED)


def apply_totals(document: dict[str, Any], rate_for: Callable[[str], Decimal]) -> dict[str, Any]:
    """Fill LineAmount/TaxAmount on every line and SubTotal/TotalTax/Total/TotalDiscount on the document.

    `rate_for(tax_type)` gives the effective percentage of a tenant's tax rate. A line's TaxAmount the
    caller supplied is kept (Xero lets it be overridden), as on the real API.
    """
    kind = document.get("LineAmountTypes") or "Exclusive"
    subtotal = total_tax = discount_total = Decimal("0.00")
    for line in document.get("LineItems") or []:
        amount = line_amount(line)
        undiscounted = round2(to_decimal(line.get("Quantity"), "1") * to_decimal(line.get("UnitAmount")))
        discount_total += undiscounted - amount
        if line.get("TaxAmount") not in (None, ""):
            tax = round2(to_decimal(line["TaxAmount"]))
        else:
            tax = line_tax(amount, rate_for(line.get("TaxType") or "NONE"), kind)
        line["LineAmount"] = amount
        line["TaxAmount"] = tax
        subtotal += amount - tax if kind == "Inclusive" else amount
        total_tax += tax
    document["SubTotal"] = subtotal
    document["TotalTax"] = total_tax
    document["Total"] = subtotal + total_tax
    document["TotalDiscount"] = discount_total
    return document


def sum_amounts(values: Iterable[Any]) -> Decimal:
    return sum((to_decimal(v) for v in values), Decimal("0.00"))
