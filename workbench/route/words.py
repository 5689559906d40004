"""How reasons quote numbers: counts with thousands separators, shares as percentages, pounds."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from workbench.route.prices import pounds


def count(value: float) -> str:
    """`1,850`, `28.8`: whole numbers without decimals, others to one place."""
    if abs(value - round(value)) < 0.05:
        return f"{round(value):,}"
    return f"{value:,.1f}"


def share(value: float) -> str:
    """`14.2%` (`0%` and `100%` exact)."""
    percent = value * 100
    if abs(percent - round(percent)) < 0.05:
        return f"{round(percent)}%"
    return f"{percent:.1f}%"


def gbp(amount: Decimal | None) -> str:
    return "unknown" if amount is None else f"£{pounds(amount):,.2f}"


def listed(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def cite(source: str) -> str:
    """A source as reasons show it: `(… [J] routes-and-vat §6.3 …)`."""
    return f"({source})"
