"""Middleware and API load from measured volumes (routes-and-vat §6.4): Zapier tasks and Make
operations a month, and Xero API calls on an average and on a peak day.

Zapier bills successful actions only (triggers, filters and polls are free); Make bills every module
run, a polling trigger's empty checks included, so a poll every 15 minutes costs 2,880 operations a
30-day month before any work is done. Xero calls are what the route spends of the organisation's
5,000 a day: a custom build batches invoices 50 to a request and hears changes by webhook, while
middleware writes one record per call and polls Xero for what changed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from pydantic import BaseModel

from workbench.route.inputs import FLOWS, Flow, MeasuredVolumes
from workbench.route.thresholds import LoadModel

MINUTES_PER_DAY = 24 * 60


class Load(BaseModel):
    """The load of the flows a route carries (all three unless `flows` says otherwise)."""

    flows: list[Flow]
    events: dict[Flow, float]  # events a month per flow
    zapier_tasks: int
    zapier_tasks_by_flow: dict[Flow, float]
    make_ops: int
    make_polling_ops: int
    make_work_ops: int
    make_instant: bool  # True: webhooks instead of polling triggers (no polling operations)
    xero_calls_day: int  # custom build: batched writes, webhooks
    xero_calls_peak_day: int
    middleware_xero_calls_day: int  # middleware: one write per record, Xero polled for changes
    middleware_xero_calls_peak_day: int


def flow_events(volumes: MeasuredVolumes, two_way_contacts: bool) -> dict[Flow, float]:
    """Events a month each flow handles: won deals, payments, and contact changes per direction."""
    contacts = volumes.contact_changes_per_month
    if two_way_contacts:
        contacts += volumes.xero_side_contact_changes
    return {
        "deal_to_invoice": volumes.deals_won_per_month,
        "invoice_status": volumes.payments_per_month,
        "contacts": contacts,
    }


def zapier_tasks(events: dict[Flow, float], model: LoadModel) -> tuple[float, dict[Flow, float]]:
    """Σ events × successful actions, plus the error/replay buffer."""
    by_flow = {
        flow: n * model.zapier.actions_per_event.get(flow, 0) * (1 + model.zapier.error_buffer)
        for flow, n in events.items()
    }
    return sum(by_flow.values()), by_flow


def make_ops(
    events: dict[Flow, float], lines_per_invoice: float, model: LoadModel, *, instant: bool
) -> tuple[float, float]:
    """(polling operations, work operations) a 30-day month.

    Polling: 43,200 / interval per polling trigger; instant (webhook) triggers avoid it. Work: events
    × the modules each run passes through, iterator modules once per invoice line.
    """
    make = model.make
    polling = 0.0
    if not instant:
        checks = 30 * MINUTES_PER_DAY / make.polling_interval_minutes
        polling = sum(make.polling_triggers.get(flow, 0) * checks for flow in events)
    work = 0.0
    for flow, n in events.items():
        lines = lines_per_invoice if flow != "contacts" else 0.0
        work += n * (make.modules_per_event.get(flow, 0) + make.modules_per_line.get(flow, 0) * lines)
    return polling, work


def xero_calls_per_day(
    volumes: MeasuredVolumes,
    model: LoadModel,
    flows: Iterable[Flow],
    *,
    two_way_contacts: bool,
    days: float,
    scale: float = 1.0,
    batched: bool = True,
    polls_per_day: float = 0.0,
) -> float:
    """Calls_day ≈ ceil(I_day/50) + C_day×2 + P_day×1 + webhook GETs + polls; when not `batched`
    (middleware) each invoice costs a contact lookup and its own write. `days` spreads the month;
    `scale` lifts it to the peak month."""
    xero = model.xero
    carried = set(flows)
    calls = polls_per_day
    if "deal_to_invoice" in carried:
        invoices = volumes.invoices_per_month * scale / days
        calls += (
            math.ceil(invoices / xero.batch_size) if batched else invoices * xero.middleware_calls_per_invoice
        )
    if "contacts" in carried:
        calls += volumes.contact_changes_per_month * scale / days * xero.calls_per_crm_contact_change
        if two_way_contacts:
            calls += volumes.xero_side_contact_changes * scale / days * xero.calls_per_xero_contact_change
    if "invoice_status" in carried:
        calls += volumes.payments_per_month * scale / days * xero.calls_per_payment
    return calls


def estimate_load(
    volumes: MeasuredVolumes,
    model: LoadModel,
    *,
    two_way_contacts: bool,
    days_per_month: float,
    business_days_per_month: float,
    flows: Iterable[Flow] = FLOWS,
    instant: bool = False,
) -> Load:
    """Every §6.4 figure for the flows given."""
    carried = [f for f in FLOWS if f in set(flows)]
    events = {f: n for f, n in flow_events(volumes, two_way_contacts).items() if f in carried}
    tasks, tasks_by_flow = zapier_tasks(events, model)
    polling, work = make_ops(events, volumes.average_lines_per_invoice, model, instant=instant)
    # middleware hears of Xero-side changes by polling Xero: payments, and contacts when two-way
    xero_triggers = int("invoice_status" in carried) + int("contacts" in carried and two_way_contacts)
    polls = xero_triggers * model.zapier.xero_polls_per_day_per_trigger
    peak = volumes.peak_factor

    def calls(days: float, scale: float, batched: bool, polls_per_day: float) -> int:
        value = xero_calls_per_day(
            volumes, model, carried, two_way_contacts=two_way_contacts, days=days, scale=scale,
            batched=batched, polls_per_day=polls_per_day,
        )  # fmt: skip
        return math.ceil(round(value, 6))

    return Load(
        flows=carried,
        events=events,
        zapier_tasks=round(tasks),
        zapier_tasks_by_flow=tasks_by_flow,
        make_ops=round(polling + work),
        make_polling_ops=round(polling),
        make_work_ops=round(work),
        make_instant=instant,
        xero_calls_day=calls(days_per_month, 1.0, True, 0.0),
        xero_calls_peak_day=calls(business_days_per_month, peak, True, 0.0),
        middleware_xero_calls_day=calls(days_per_month, 1.0, False, polls),
        middleware_xero_calls_peak_day=calls(business_days_per_month, peak, False, polls),
    )
