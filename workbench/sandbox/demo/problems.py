"""The planted problems: their kinds, how many of each a client of a given size gets, and the log.

Counts scale with the part of the client each problem lives in (organisations, people, deals...), so a
bigger client has proportionally more, and every kind appears at least once.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from workbench.sandbox.demo.dataset import PlantedProblem

T = TypeVar("T")

PROBLEM_KINDS = (
    "duplicate_organization",
    "duplicate_person",
    "duplicate_contact",
    "crm_org_without_xero_contact",
    "xero_contact_without_crm_org",
    "vat_total_is_deal_value_times_1_2",
    "vat_total_is_deal_value_divided_by_1_2",
    "zero_rated_domestic_sale",
    "exempt_domestic_sale",
    "standard_rated_eu_b2b_service",
    "invalid_vat_number",
    "reverse_charge_customer",
    "mixed_line_amount_types",
    "rounding_difference",
    "won_deal_not_invoiced",
    "invoice_reference_without_deal",
    "deal_invoiced_twice",
    "archived_contact_with_open_deal",
    "overdue_customer_with_open_deal",
    "missing_email",
    "missing_address",
)
# kind -> (the DemoSize attribute it scales with, share of that many records)
RATES: dict[str, tuple[str, float]] = {
    "duplicate_organization": ("organisations", 0.04),
    "duplicate_person": ("people", 0.015),
    "duplicate_contact": ("xero_contacts", 0.03),
    "crm_org_without_xero_contact": ("organisations", 0.025),
    "xero_contact_without_crm_org": ("xero_contacts", 0.025),
    "vat_total_is_deal_value_times_1_2": ("deals", 0.008),
    "vat_total_is_deal_value_divided_by_1_2": ("deals", 0.006),
    "zero_rated_domestic_sale": ("deals", 0.006),
    "exempt_domestic_sale": ("deals", 0.004),
    "standard_rated_eu_b2b_service": ("organisations", 0.02),
    "invalid_vat_number": ("organisations", 0.035),
    "reverse_charge_customer": ("organisations", 0.02),
    "mixed_line_amount_types": ("organisations", 0.02),
    "rounding_difference": ("deals", 0.007),
    "won_deal_not_invoiced": ("deals", 0.01),
    "invoice_reference_without_deal": ("invoices", 0.003),
    "deal_invoiced_twice": ("deals", 0.006),
    "archived_contact_with_open_deal": ("xero_contacts", 0.015),
    "overdue_customer_with_open_deal": ("organisations", 0.04),
    "missing_email": ("people", 0.02),
    "missing_address": ("organisations", 0.04),
}


def target_counts(size: Any) -> dict[str, int]:
    """How many of each problem to plant (the generator plants fewer only where candidates run out)."""
    return {kind: max(1, round(getattr(size, attr) * share)) for kind, (attr, share) in RATES.items()}


def pick(
    rng: random.Random, candidates: Sequence[T], k: int, ok: Callable[[T], bool] | None = None
) -> list[T]:
    """Up to k distinct candidates (in a seeded random order) that pass `ok` when they are reached.

    `ok` is checked lazily, so it can look at reservations made by earlier picks of the same call.
    """
    chosen: list[T] = []
    if k <= 0:
        return chosen
    order = list(range(len(candidates)))
    rng.shuffle(order)
    for i in order:
        candidate = candidates[i]
        if ok is None or ok(candidate):
            chosen.append(candidate)
            if len(chosen) == k:
                break
    return chosen


class ProblemLog:
    """The planted problems in the order they were planted."""

    def __init__(self) -> None:
        self.problems: list[PlantedProblem] = []

    def add(self, kind: str, records: dict[str, list[str | int]], detail: str = "") -> None:
        if kind not in PROBLEM_KINDS:
            raise ValueError(f"unknown problem kind {kind!r}")
        self.problems.append(PlantedProblem(kind, {k: list(v) for k, v in records.items()}, detail))
