"""Load formulas of routes-and-vat §6.4, checked against its worked example and hand sums."""

from __future__ import annotations

import pytest

from tests.route.factories import volumes, worked_example
from workbench.route.load import estimate_load, flow_events, make_ops, xero_calls_per_day, zapier_tasks
from workbench.route.thresholds import load_thresholds


@pytest.fixture
def model():
    return load_thresholds().load


def example_load(model, **options):
    return estimate_load(
        worked_example(),
        model,
        two_way_contacts=True,
        days_per_month=30,
        business_days_per_month=21,
        **options,
    )


def test_zapier_tasks_match_the_worked_example(model) -> None:
    load = example_load(model)
    # 200×4 + 180×2 + 300×2 = 1,760, +5% ≈ 1,850
    assert load.zapier_tasks == 1848
    assert abs(load.zapier_tasks - 1850) <= 5
    assert load.zapier_tasks_by_flow == pytest.approx(
        {"deal_to_invoice": 840, "invoice_status": 378, "contacts": 630}
    )


def test_make_ops_match_the_worked_example(model) -> None:
    load = example_load(model)
    # 3 polling scenarios × 2,880 + (200×5 + 180×3 + 300×3)
    assert (load.make_polling_ops, load.make_work_ops, load.make_ops) == (8640, 2440, 11080)


def test_instant_triggers_drop_the_polling_term(model) -> None:
    load = example_load(model, instant=True)
    assert (load.make_polling_ops, load.make_ops) == (0, 2440)


def test_xero_calls_of_the_worked_example_stay_well_under_100_a_day(model) -> None:
    load = example_load(model)
    # ceil(6.67/50) + 5×2 (CRM contact changes) + 5 (Xero-side webhook GETs) + 6 payments
    assert load.xero_calls_day == 22
    # peak day: the month over 21 working days: 1 + 14.29 + 7.14 + 8.57
    assert load.xero_calls_peak_day == 31
    assert load.xero_calls_peak_day < 100
    # middleware writes one call per record and polls Xero for payments and contact changes (2 × 720)
    # middleware: a lookup and a write per invoice (2 × 6.67), Xero polled for payments and contacts (2 × 720)
    assert load.middleware_xero_calls_day == 1475


def test_one_way_contacts_count_the_crm_side_only(model) -> None:
    events = flow_events(worked_example(), two_way_contacts=False)
    assert events == {"deal_to_invoice": 200, "invoice_status": 180, "contacts": 150}
    total, _ = zapier_tasks(events, model)
    assert total == pytest.approx((800 + 360 + 300) * 1.05)


def test_iterator_modules_run_once_per_invoice_line(model) -> None:
    per_line = model.model_copy(
        update={"make": model.make.model_copy(update={"modules_per_line": {"deal_to_invoice": 1}})}
    )
    events = {"deal_to_invoice": 200.0}
    _, plain = make_ops(events, 3.0, model, instant=True)
    _, iterated = make_ops(events, 3.0, per_line, instant=True)
    assert (plain, iterated) == (1000, 1600)


def test_batched_invoice_writes_are_fifty_to_a_call(model) -> None:
    busy = volumes(invoices_per_month=3000, contact_changes_per_month=0, payments_per_month=0)
    batched = xero_calls_per_day(busy, model, ["deal_to_invoice"], two_way_contacts=False, days=30)
    one_by_one = xero_calls_per_day(
        busy, model, ["deal_to_invoice"], two_way_contacts=False, days=30, batched=False
    )
    assert (batched, one_by_one) == (2, 200)


def test_the_peak_month_scales_the_peak_day(model) -> None:
    peaky = volumes(invoices_per_month=100, peak_month_invoices=250)
    assert peaky.peak_factor == 2.5
    load = estimate_load(peaky, model, two_way_contacts=False, days_per_month=30, business_days_per_month=21)
    flat = estimate_load(
        volumes(invoices_per_month=100),
        model,
        two_way_contacts=False,
        days_per_month=30,
        business_days_per_month=21,
    )
    assert load.middleware_xero_calls_peak_day > flat.middleware_xero_calls_peak_day
    assert load.xero_calls_day == flat.xero_calls_day  # the average day is unchanged
