"""Route inputs for tests: the §6.4 worked example and a few realistic UK SMB clients."""

from __future__ import annotations

from typing import Any

from workbench.route.inputs import DataEvidence, DiscoveryAnswers, MeasuredVolumes, TaxProfile


def answers(**given: Any) -> DiscoveryAnswers:
    return DiscoveryAnswers(**given)


def tax(**shares: Any) -> TaxProfile:
    """A tax profile of 1,000 lines on 800 invoices; the 20% share is what the others leave."""
    values: dict[str, Any] = {"lines": 1000, "invoices": 800, **shares}
    named = (
        "reduced_share",
        "zero_share",
        "exempt_share",
        "no_vat_share",
        "ec_share",
        "reverse_charge_share",
    )
    if "standard_share" not in shares:
        values["standard_share"] = round(1.0 - sum(values.get(k, 0.0) for k in named), 4)
    return TaxProfile(**values)


def volumes(**given: Any) -> MeasuredVolumes:
    """A small UK services firm: 40 won deals, 60 invoices, 55 payments, 30 contact changes a month."""
    values: dict[str, Any] = {
        "deals_won_per_month": 40,
        "invoices_per_month": 60,
        "payments_per_month": 55,
        "contact_changes_per_month": 30,
        "average_lines_per_invoice": 1.5,
        "tax": tax(),
        **given,
    }
    return MeasuredVolumes(**values)


def worked_example() -> MeasuredVolumes:
    """routes-and-vat §6.4: HubSpot, D = I = 200/month, P = 180, C = 150 changes each way."""
    return MeasuredVolumes(
        deals_won_per_month=200,
        invoices_per_month=200,
        payments_per_month=180,
        contact_changes_per_month=150,
        xero_contact_changes_per_month=150,
    )


def evidence(**given: Any) -> DataEvidence:
    """A profiled client with nothing wrong (every gotcha measurable, none present)."""
    values: dict[str, Any] = {
        "finding_counts": {},
        "live_records": {"organisations": 400, "xero_contacts": 420, "people": 900},
        "backfill_xero_calls": 12,
        "linked_pairs": 380,
        "edited_both_sides": 0,
        "both_sides_window_days": 90,
        **given,
    }
    return DataEvidence(**values)
