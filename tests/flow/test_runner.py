"""The sending half of the flow (`send_drafts`) against the in-process sandbox, with drafts built by hand:
batches, Xero's per-element rejections, token expiry, 429s, timeouts replayed by Idempotency-Key, the
stop switch, dry runs, pilots' allow-lists and caps, and re-runs that create nothing new; then whole
runs. Each runs with the demo client's deals in Pipedrive (`PD-` references) and in HubSpot (`HS-`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.flow.sandbox_drafts import (
    RequestLog,
    crm_of,
    draft,
    fixed,
    invoices_by_reference,
    refused,
    small_sandbox,
)
from tests.flow.writeback_support import CRMS, crm_connection
from workbench.connections import Connector
from workbench.errors import ConfigurationError
from workbench.flow.drafts import Held, HoldReason
from workbench.flow.ledger import Ledger
from workbench.flow.runner import FlowProgress, flow_lock, run_flow, send_drafts
from workbench.flow.selection import DEFAULT_PILOT_CAP, check_options, effective_status, resolve_allow
from workbench.http import SteppedClock
from workbench.plan.model import InvoiceStatus, SignOff
from workbench.plan.versions import PlanVersion
from workbench.references import deal_reference
from workbench.sandbox.app import Sandbox
from workbench.sandbox.faults import FaultRule
from workbench.store import Engagement
from workbench.xero.client import XeroClient


@pytest.fixture(params=CRMS)
def sandbox(request: pytest.FixtureRequest) -> Sandbox:
    return small_sandbox(crm=request.param)


@pytest.fixture
def engagement() -> Iterator[Engagement]:
    with Engagement.open("flow-test") as opened:
        yield opened


@pytest.fixture
def clock(sandbox: Sandbox) -> SteppedClock:
    return SteppedClock(now=sandbox.clock.timestamp, advance=sandbox.clock.advance)


@pytest.fixture
def connector(sandbox: Sandbox, clock: SteppedClock) -> Iterator[Connector]:
    with Connector(crm=crm_connection(crm_of(sandbox)), sandbox=sandbox, clock=clock) as opened:
        yield opened


@pytest.fixture
def xero(connector: Connector) -> XeroClient:
    return connector.xero_source().client


def deals(first: int, count: int) -> list[str]:
    return [str(first + i) for i in range(count)]


def send(engagement: Engagement, xero: XeroClient, items: list, **options):  # type: ignore[no-untyped-def]
    ledger = Ledger(engagement)
    run_id = ledger.start_run(options.get("mode", "dry-run"), 1, {})
    with flow_lock(engagement):
        result = send_drafts(engagement, ledger, run_id, xero, items, **options)
    return ledger, run_id, result


def ref(sandbox: Sandbox, deal_id: str) -> str:
    """The invoice Reference of a deal of the sandbox's CRM (`PD-12`, `HS-12`)."""
    return deal_reference(crm_of(sandbox), deal_id)


def states(ledger: Ledger, run_id: int) -> dict[str, str]:
    return {row.deal_id: row.state for row in ledger.rows(run_id)}


def test_a_pilot_creates_drafts_once_and_a_rerun_creates_nothing(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient
) -> None:
    items = [draft(sandbox, d) for d in deals(90001, 3)]
    log = RequestLog(xero.session.client)
    ledger, run_id, _ = send(engagement, xero, items, mode="pilot", cap=5)
    rows = ledger.rows(run_id)
    assert [r.state for r in rows] == ["created"] * 3
    assert all(r.invoice_id and r.invoice_number.startswith("INV-") for r in rows)
    assert {r.invoice_status for r in rows} == {"DRAFT"}
    held = invoices_by_reference(sandbox)
    assert all(len(held[d.reference]) == 1 and held[d.reference][0]["Status"] == "DRAFT" for d in items)
    assert log.counts["PUT"] == 1

    ledger, again, _ = send(engagement, xero, items, mode="pilot", cap=5)
    assert {r.reason for r in ledger.rows(again)} == {HoldReason.ALREADY_INVOICED.value}
    assert all(r.invoice_number for r in ledger.rows(again))  # the held row names the invoice it has
    assert log.counts["PUT"] == 1
    assert {
        len(v) for k, v in invoices_by_reference(sandbox).items() if k.startswith(ref(sandbox, "9000"))
    } == {1}


def test_a_batch_in_which_xero_refuses_some_invoices(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient
) -> None:
    good, bad, good2 = draft(sandbox, "90011"), refused(sandbox, "90012"), draft(sandbox, "90013")
    log = RequestLog(xero.session.client)
    ledger, run_id, _ = send(engagement, xero, [good, bad, good2], mode="live")
    assert states(ledger, run_id) == {"90011": "created", "90012": "rejected", "90013": "created"}
    (rejected,) = [r for r in ledger.rows(run_id) if r.state == "rejected"]
    assert any("205" in m and "archived" in m for m in rejected.messages)  # Xero's own words
    assert bad.reference not in invoices_by_reference(sandbox)

    # unchanged, the refused deal is not sent again; once its cause is fixed, it is
    ledger, rerun, _ = send(engagement, xero, [good, bad, good2], mode="live")
    (held,) = [r for r in ledger.rows(rerun) if r.deal_id == "90012"]
    assert held.reason == HoldReason.REJECTED_UNCHANGED.value and "archived" in held.why
    assert log.counts["PUT"] == 1
    ledger, third, _ = send(engagement, xero, [good, fixed(bad), good2], mode="live")
    assert states(ledger, third)["90012"] == "created"
    assert len(invoices_by_reference(sandbox)[bad.reference]) == 1


def test_batches_hold_at_most_fifty_with_a_key_per_batch(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient
) -> None:
    items = [draft(sandbox, d) for d in deals(91000, 120)]
    keys: list[str] = []
    xero.session.client.event_hooks["request"].append(
        lambda request: keys.append(request.headers["Idempotency-Key"]) if request.method == "PUT" else None
    )
    ledger, run_id, result = send(engagement, xero, items, mode="live")
    assert result.batches == 3 and len(keys) == len(set(keys)) == 3
    sizes = [sum(1 for r in ledger.rows(run_id) if r.idempotency_key == key) for key in keys]
    assert sizes == [50, 50, 20]
    batch_ids = sorted({r.batch_id for r in ledger.rows(run_id)})
    assert [k.rsplit("-", 1)[1] for k in keys] == [str(b) for b in batch_ids]
    assert all(
        len(v) == 1 for k, v in invoices_by_reference(sandbox).items() if k.startswith(ref(sandbox, "91"))
    )


def test_a_token_expiring_mid_run_is_refreshed_and_nothing_is_sent_twice(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient
) -> None:
    sandbox.faults.add(FaultRule("expire_token", system="xero", path="/Invoices", on_calls=(3,)))
    items = [draft(sandbox, d) for d in deals(92000, 110)]
    ledger, run_id, result = send(engagement, xero, items, mode="live")
    assert result.error is None
    assert set(states(ledger, run_id).values()) == {"created"}
    found = invoices_by_reference(sandbox)
    assert all(len(found[d.reference]) == 1 for d in items)


def test_a_429_is_waited_out_as_xero_says_and_the_batch_sent_once(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient, clock: SteppedClock
) -> None:
    # calls 1-3 to /Invoices look the 60 references up (25 a query); call 4 is the first batch
    rule = sandbox.faults.add(FaultRule("429", system="xero", path="/Invoices", on_calls=(4,)))
    items = [draft(sandbox, d) for d in deals(93000, 60)]
    log = RequestLog(xero.session.client)
    ledger, run_id, _ = send(engagement, xero, items, mode="live")
    assert rule.fired == 1
    assert clock.slept >= 60  # the sandbox's Retry-After, on the injected clock: nobody slept
    assert set(states(ledger, run_id).values()) == {"created"}
    assert log.requests[3][0] == "PUT" and log.counts["PUT"] == 3  # the refused batch sent again
    assert all(len(invoices_by_reference(sandbox)[d.reference]) == 1 for d in items)


def test_an_answer_lost_to_a_timeout_is_replayed_by_its_idempotency_key(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient
) -> None:
    # Xero creates the batch but the answer comes too late: the retry with the same key replays it
    # (call 1 to /Invoices looks the references up; call 2 is the batch)
    sandbox.faults.add(FaultRule("slow", system="xero", path="/Invoices", on_calls=(2,), delay_seconds=90))
    items = [draft(sandbox, d) for d in deals(94000, 5)]
    log = RequestLog(xero.session.client)
    ledger, run_id, _ = send(engagement, xero, items, mode="live")
    assert log.counts["PUT"] == 2
    assert set(states(ledger, run_id).values()) == {"created"}
    found = invoices_by_reference(sandbox)
    assert all(len(found[d.reference]) == 1 for d in items)
    assert {r.invoice_id for r in ledger.rows(run_id)} == {found[d.reference][0]["InvoiceID"] for d in items}


def test_a_dry_run_makes_no_write_call(sandbox: Sandbox, engagement: Engagement, xero: XeroClient) -> None:
    items = [draft(sandbox, d) for d in deals(95000, 70)] + [refused(sandbox, "95100")]
    log = RequestLog(xero.session.client)
    ledger, run_id, _ = send(engagement, xero, items, mode="dry-run")
    assert set(log.counts) == {"GET"}
    assert set(states(ledger, run_id).values()) == {"dry-run"}
    assert {r.total for r in ledger.rows(run_id)} == {Decimal("120.00")}  # what each would come to
    assert not any(k.startswith(ref(sandbox, "95")) for k in invoices_by_reference(sandbox))
    assert ledger.pending() == [] and ledger.invoiced() == {}


def test_a_pilot_never_exceeds_its_allow_list_or_its_cap(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient
) -> None:
    items = [draft(sandbox, d) for d in deals(96000, 12)]
    allow = [ref(sandbox, "96001"), "96003", ref(sandbox, "96005"), "96007", ref(sandbox, "99999")]
    log = RequestLog(xero.session.client)
    ledger, run_id, result = send(engagement, xero, items, mode="pilot", allow=allow, cap=3)
    created = {r.deal_id for r in ledger.rows(run_id) if r.state == "created"}
    assert created == {"96001", "96003", "96005"}
    assert result.not_candidates == [ref(sandbox, "99999")]
    reasons = {r.deal_id: r.why for r in ledger.rows(run_id) if r.state == "held"}
    assert reasons["96007"] == "over this run's cap of 3 invoices"
    assert reasons["96002"] == "not in this run's allow-list"
    assert log.counts["PUT"] == 1
    made = {k for k in invoices_by_reference(sandbox) if k.startswith(ref(sandbox, "96"))}
    assert made == {ref(sandbox, d) for d in ("96001", "96003", "96005")}

    # the next pilot run carries on with the rest of the allow-list, still within it
    ledger, rerun, _ = send(engagement, xero, items, mode="pilot", allow=allow, cap=3)
    assert {r.deal_id for r in ledger.rows(rerun) if r.state == "created"} == {"96007"}
    made = {k for k in invoices_by_reference(sandbox) if k.startswith(ref(sandbox, "96"))}
    assert made == {ref(sandbox, d) for d in ("96001", "96003", "96005", "96007")}


def test_the_stop_switch_halts_the_run_between_batches(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient
) -> None:
    stop = threading.Event()

    def progress(update: FlowProgress) -> None:
        if update.stage == "send" and update.detail == "batch 1 of 3":
            stop.set()  # pressed while batch 1 is on its way: it completes, batch 2 never starts

    items = [draft(sandbox, d) for d in deals(97000, 101)]
    ledger, run_id, result = send(engagement, xero, items, mode="live", stop=stop, progress=progress)
    assert result.stopped and result.batches == 1
    counted = list(states(ledger, run_id).values())
    assert counted.count("created") == 50 and counted.count("unsent") == 51
    assert "stop switch" in next(r.why for r in ledger.rows(run_id) if r.state == "unsent")
    ledger, rerun, _ = send(engagement, xero, items, mode="live")
    assert list(states(ledger, rerun).values()).count("created") == 51
    assert all(len(invoices_by_reference(sandbox)[d.reference]) == 1 for d in items)


def test_already_in_xero_by_reference_is_not_sent(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient
) -> None:
    item = draft(sandbox, "98001")
    xero.create_invoices([item.payload()], idempotency_key="made-by-hand")  # not through the flow
    log = RequestLog(xero.session.client)
    ledger, run_id, _ = send(engagement, xero, [item], mode="live")
    (row,) = ledger.rows(run_id)
    assert row.reason == HoldReason.ALREADY_INVOICED.value and "Xero already has INV-" in row.why
    assert log.counts["PUT"] == 0


def test_held_and_invalid_deals_are_recorded_and_never_sent(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient
) -> None:
    invalid = draft(sandbox, "98101", problems=("line 1: no account code",))
    held = Held(crm_of(sandbox), "98102", "Deal 98102", HoldReason.NO_CONTACT, "no Xero contact matches")
    log = RequestLog(xero.session.client)
    ledger, run_id, _ = send(engagement, xero, [invalid, held], mode="live")
    rows = {r.deal_id: r for r in ledger.rows(run_id)}
    assert rows["98101"].reason == HoldReason.INVALID.value and "no account code" in rows["98101"].why
    assert rows["98102"].reason == HoldReason.NO_CONTACT.value and rows["98102"].reference == ref(
        sandbox, "98102"
    )
    assert log.counts["PUT"] == 0


def test_a_draft_whose_status_differs_from_the_runs_is_refused_before_anything_is_sent(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient
) -> None:
    items = [draft(sandbox, "98201"), draft(sandbox, "98202", status="AUTHORISED")]
    log = RequestLog(xero.session.client)
    with pytest.raises(ConfigurationError, match="status AUTHORISED"):
        send(engagement, xero, items, mode="live")
    assert log.counts["PUT"] == 0


# options ---------------------------------------------------------------------------------------------
def plan_version(signed: bool, status: InvoiceStatus = InvoiceStatus.DRAFT) -> PlanVersion:
    from tests.flow.factories import flow_plan

    plan = flow_plan(status=status)
    if not signed:
        plan = plan.model_copy(update={"sign_off": (SignOff(id="S01", role="Finance"),)})
    return PlanVersion(1, plan, "2026-11-25", "consultant", None, "hash", "")


def test_invoices_are_draft_unless_the_plan_and_the_operator_both_ask_for_more() -> None:
    authorised = plan_version(True, InvoiceStatus.AUTHORISED).plan
    assert effective_status(authorised, None) == "DRAFT"  # the plan alone is not enough
    assert effective_status(plan_version(True).plan, None) == "DRAFT"
    assert effective_status(authorised, "authorised") == "AUTHORISED"
    with pytest.raises(ConfigurationError, match="plan says DRAFT"):
        effective_status(plan_version(True).plan, "AUTHORISED")  # the operator alone is not enough
    with pytest.raises(ConfigurationError, match="not an invoice status"):
        effective_status(authorised, "PAID")


def test_pilot_and_live_need_a_signed_off_plan_and_the_right_options() -> None:
    unsigned, signed = plan_version(False), plan_version(True)
    with pytest.raises(ConfigurationError, match="not signed off"):
        check_options("pilot", unsigned, (), None)
    with pytest.raises(ConfigurationError, match="not signed off"):
        check_options("live", unsigned, (), None)
    assert check_options("dry-run", unsigned, (), None) is None
    assert check_options("pilot", signed, ("PD-1",), None) == DEFAULT_PILOT_CAP
    assert check_options("pilot", signed, (), 2) == 2
    with pytest.raises(ConfigurationError, match="belongs to a pilot"):
        check_options("live", signed, ("PD-1",), None)
    with pytest.raises(ConfigurationError, match="creates nothing"):
        check_options("pilot", signed, (), 0)


def test_allow_list_entries_name_deals_by_reference_or_id(sandbox: Sandbox) -> None:
    items = [draft(sandbox, "12"), replace(draft(sandbox, "15"), deal_id="15")]
    other = "HS-12" if crm_of(sandbox) == "pipedrive" else "PD-12"  # the other CRM's deal 12
    chosen, unknown = resolve_allow([ref(sandbox, "12"), " 15 ", other, "77", ""], items)
    assert chosen == {(crm_of(sandbox), "12"), (crm_of(sandbox), "15")}
    assert unknown == [other, "77"]


def test_only_one_run_at_a_time(engagement: Engagement) -> None:
    from workbench.errors import EngagementError

    with (
        flow_lock(engagement),
        pytest.raises(EngagementError, match="in progress"),
        Engagement.open(engagement.name) as other,
        flow_lock(other),
    ):
        pass
    with flow_lock(engagement):  # released when the first run ends
        pass


# the whole run: pull, build (workbench.flow.build), hold, send ----------------------------------------
@pytest.fixture(params=CRMS)
def unbilled(request: pytest.FixtureRequest) -> Sandbox:
    from tests.flow.served_flow_sandbox import build

    return build(30, 7, date(2026, 2, 1), answer_delay=0, crm=request.param)


def signed_plan(engagement: Engagement, connector: Connector, **deal_invoice: object) -> PlanVersion:
    from workbench.plan.defaults import propose_plan
    from workbench.plan.versions import save_version
    from workbench.profile.tables import ProfileTables
    from workbench.pull.runner import pull

    for source in connector.sources(engagement):
        pull(engagement, source)
    plan = propose_plan(ProfileTables.from_engagement(engagement))
    settings = plan.deal_invoice.model_copy(update={"won_after": date(2026, 2, 1), **deal_invoice})
    signed = (SignOff(id="S01", role="Finance", name="Jo Bloggs", signed_on=date(2026, 11, 20)),)
    return save_version(
        engagement,
        plan.model_copy(update={"deal_invoice": settings, "sign_off": signed}),
        origin="consultant",
    )


def test_a_whole_run_dry_then_pilot_then_live_then_again(
    unbilled: Sandbox, engagement: Engagement, tmp_path: Path
) -> None:
    with Connector(crm=crm_connection(crm_of(unbilled)), sandbox=unbilled) as connector:
        version = signed_plan(engagement, connector, status=InvoiceStatus.AUTHORISED)
        dry = run_flow(engagement, version, connector, reports_dir=tmp_path)
        would = [o.reference for o in dry.would_create]
        assert len(would) > 5 and dry.report.write_calls() == 0
        assert {d.reference for d in dry.drafts} >= set(would)  # the drafts it built, to show
        assert dry.files == (
            tmp_path / "flow-test" / "flow-run-1.json",
            tmp_path / "flow-test" / "flow-run-1.md",
        )

        pilot = run_flow(engagement, version, connector, mode="pilot", cap=3, reports_dir=None)
        assert [o.reference for o in pilot.created] == would[:3]
        assert pilot.report.calls["xero PUT Invoices"] == 1
        found = invoices_by_reference(unbilled)
        # the plan asks for AUTHORISED, the operator did not: DRAFT
        assert {found[r][0]["Status"] for r in would[:3]} == {"DRAFT"}

        live = run_flow(engagement, version, connector, mode="live", reports_dir=None)
        assert [o.reference for o in live.created] == would[3:]
        assert {o.reason for o in live.skipped if o.reference in would[:3]} == {
            HoldReason.ALREADY_INVOICED.value
        }

        again = run_flow(engagement, version, connector, mode="live", reports_dir=None)
        assert again.created == [] and "xero PUT Invoices" not in again.report.calls
        found = invoices_by_reference(unbilled)
        assert all(len(found[r]) == 1 for r in would)
    stored = Ledger(engagement).run(again.run_id)
    assert stored is not None and stored.status == "finished" and stored.report["summary"]["created"] == 0


def test_an_invoice_raised_by_hand_under_another_form_of_the_reference_counts(
    unbilled: Sandbox, engagement: Engagement
) -> None:
    with Connector(crm=crm_connection(crm_of(unbilled)), sandbox=unbilled) as connector:
        version = signed_plan(engagement, connector)
        would = [o.reference for o in run_flow(engagement, version, connector, reports_dir=None).would_create]
        by_hand = draft(unbilled, "1")
        instalment = {**by_hand.payload(), "Reference": f"{would[0].lower().replace('-', ' ')}/01"}
        connector.xero_source().client.create_invoices([instalment], idempotency_key="by-hand")
        run = run_flow(engagement, version, connector, mode="live", reports_dir=None)
    (held,) = [o for o in run.skipped if o.reference == would[0]]
    assert held.reason == HoldReason.ALREADY_INVOICED.value
    assert f"Reference '{instalment['Reference']}' (in this run's pull)" in held.why
    assert len(invoices_by_reference(unbilled).get(would[0], [])) == 0
    assert [o.reference for o in run.created] == would[1:]


def test_the_report_counts_every_call_by_service_method_and_endpoint() -> None:
    from workbench.flow.run_report import DealOutcome, RunReport, endpoint_name

    assert endpoint_name("/api.xro/2.0/Invoices") == "Invoices"
    assert endpoint_name("/xero/api.xro/2.0/Invoices/0f3e1c2a-1b2c-4d5e-8f90-123456789abc") == "Invoices/{id}"
    assert endpoint_name("/pipedrive/api/v2/deals/12") == "deals/{id}"
    assert endpoint_name("/v1/deals/12/products") == "deals/{id}/products"
    assert endpoint_name("/hubspot/crm/v3/objects/deals/12") == "objects/deals/{id}"
    assert endpoint_name("/crm/v3/objects/companies/batch/update") == "objects/companies/batch/update"
    report = RunReport(1, "acme", "pilot", 2, "DRAFT", "start", "end", "finished")
    report.calls = {"xero GET Invoices": 2, "xero PUT Invoices": 1}
    report.write_back = {"written": 1, "calls": {"pipedrive PATCH deals/{id}": 1, "xero GET Invoices": 1}}
    report.outcomes = [
        DealOutcome(
            "pipedrive", "7", "Deal 7", "PD-7", "created", invoice_number="INV-9", total=Decimal("120")
        )
    ]
    assert report.all_calls() == {
        "pipedrive PATCH deals/{id}": 1,
        "xero GET Invoices": 3,
        "xero PUT Invoices": 1,
    }
    assert report.write_calls() == 2
    report.calls["hubspot POST objects/deals/search"] = 4  # a HubSpot search reads, though it is a POST
    report.calls["hubspot POST objects/deals/batch/update"] = 1
    assert report.write_calls() == 3
    del (
        report.calls["hubspot POST objects/deals/search"],
        report.calls["hubspot POST objects/deals/batch/update"],
    )
    assert report.to_json()["summary"]["api calls"] == 5
    markdown = report.to_markdown()
    assert "| 7 Deal 7 | PD-7 | INV-9 |  | 120.00 |  |" in markdown
    assert "| xero GET Invoices | 3 |" in markdown and "## API calls (5)" in markdown
