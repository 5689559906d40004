"""The flow's ledger: rows committed before each call (visible to another connection at once), the
states a deal moves through, and the questions the runner asks of it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from decimal import Decimal

import pytest

from tests.flow.sandbox_drafts import draft, small_sandbox
from workbench.flow.drafts import Held, HoldReason
from workbench.flow.ledger import CreatedInvoice, Ledger
from workbench.sandbox.app import Sandbox
from workbench.store import Engagement


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return small_sandbox(organisations=20)


@pytest.fixture
def engagement() -> Iterator[Engagement]:
    with Engagement.open("ledger-test") as opened:
        yield opened


def invoice(number: str, total: str = "120.00") -> CreatedInvoice:
    return CreatedInvoice(f"id-{number}", number, "DRAFT", Decimal(total), Decimal(total))


def other_connection(engagement: Engagement) -> sqlite3.Connection:
    return sqlite3.connect(engagement.database)


def test_each_step_is_committed_before_it_returns(sandbox: Sandbox, engagement: Engagement) -> None:
    ledger = Ledger(engagement)
    run_id = ledger.start_run("pilot", 3, {"cap": 5})
    ids = ledger.record_drafts(run_id, [draft(sandbox, "1"), draft(sandbox, "2")])
    reader = other_connection(engagement)  # another process would see exactly this
    assert reader.execute("SELECT state FROM flow_deals ORDER BY row_id").fetchall() == [
        ("intended",),
        ("intended",),
    ]
    batch = ledger.start_batch(run_id, list(ids.values()), "wb-test")
    assert batch.idempotency_key == f"wb-test-batch-{batch.batch_id}"
    seen = reader.execute("SELECT state, idempotency_key FROM flow_deals ORDER BY row_id").fetchall()
    assert seen == [("sending", batch.idempotency_key)] * 2
    assert reader.execute("SELECT state FROM flow_batches").fetchall() == [("sending",)]
    ledger.record_answers(
        batch.batch_id, [(ids["PD-1"], invoice("INV-1"), "created")], [(ids["PD-2"], ["No."])]
    )
    assert reader.execute("SELECT state FROM flow_deals ORDER BY row_id").fetchall() == [
        ("created",),
        ("rejected",),
    ]
    assert reader.execute("SELECT state FROM flow_batches").fetchall() == [("answered",)]


def test_rows_keep_xeros_answers_exactly(sandbox: Sandbox, engagement: Engagement) -> None:
    ledger = Ledger(engagement)
    run_id = ledger.start_run("live", 1, {})
    ids = ledger.record_drafts(run_id, [draft(sandbox, "7"), draft(sandbox, "8")])
    batch = ledger.start_batch(run_id, list(ids.values()), "wb")
    ledger.record_answers(
        batch.batch_id,
        [(ids["PD-7"], invoice("INV-7", "1234.56"), "created")],
        [(ids["PD-8"], ["Account code '205' has been archived", "Second reason"])],
    )
    created, rejected = ledger.rows(run_id)
    assert (created.invoice_number, created.total, created.amount_due) == (
        "INV-7",
        Decimal("1234.56"),
        Decimal("1234.56"),
    )
    assert created.draft_fingerprint == draft(sandbox, "7").fingerprint()
    assert created.deal_fingerprint == "deal-7-100.00"
    assert rejected.messages == ("Account code '205' has been archived", "Second reason")
    assert rejected.why == "Xero refused it: Account code '205' has been archived; Second reason"


def test_last_outcome_per_deal_ignores_dry_runs_and_the_invoiced_deals_stay_invoiced(
    sandbox: Sandbox, engagement: Engagement
) -> None:
    ledger = Ledger(engagement)
    first = ledger.start_run("pilot", 1, {})
    ids = ledger.record_drafts(first, [draft(sandbox, "10"), draft(sandbox, "11")])
    batch = ledger.start_batch(first, list(ids.values()), "wb")
    ledger.record_answers(
        batch.batch_id, [(ids["PD-10"], invoice("INV-10"), "created")], [(ids["PD-11"], ["No"])]
    )
    dry = ledger.start_run("dry-run", 1, {})
    ledger.record_drafts(dry, [draft(sandbox, "11")], state="dry-run")
    later = ledger.start_run("pilot", 1, {})
    held = Held("pipedrive", "10", "Deal 10", HoldReason.NOT_ALLOWED, "not in this run's allow-list")
    ledger.record_held(later, [(held, "PD-10", None)])

    outcomes = {row.deal_id: row for row in ledger.last_outcomes()}
    assert outcomes["10"].state == "held" and outcomes["11"].state == "rejected"
    with_dry = {row.deal_id: row.state for row in ledger.last_outcomes(include_dry_runs=True)}
    assert with_dry["11"] == "dry-run"
    assert set(ledger.invoiced()) == {("pipedrive", "10")}  # a later hold does not undo an invoice
    assert ledger.last_sent()[("pipedrive", "11")].state == "rejected"


def test_runs_are_recorded_with_their_report(engagement: Engagement) -> None:
    ledger = Ledger(engagement)
    run_id = ledger.start_run("pilot", 2, {"allow": ["PD-1"], "cap": 5})
    dead = ledger.start_run("pilot", 2, {})
    assert ledger.mark_interrupted(dead) == [run_id]
    ledger.finish_run(dead, "finished", {"summary": {"created": 1}})
    first, second = ledger.runs()
    assert (first.status, first.options["cap"]) == ("interrupted", 5)
    assert (second.status, second.report) == ("finished", {"summary": {"created": 1}})
    actions = list(engagement.audit_log()["action"])
    assert "flow run started" in actions and "flow run finished" in actions


def test_a_resumed_batch_keeps_its_key(sandbox: Sandbox, engagement: Engagement) -> None:
    ledger = Ledger(engagement)
    first = ledger.start_run("live", 1, {})
    ids = ledger.record_drafts(first, [draft(sandbox, "20")])
    batch = ledger.start_batch(first, list(ids.values()), "wb")
    ledger.mark_unsent(ids.values(), "crashed")
    second = ledger.start_run("live", 1, {})
    again = ledger.record_drafts(second, [draft(sandbox, "20")])
    resumed = ledger.resume_batch(batch.batch_id, list(again.values()))
    assert resumed.idempotency_key == batch.idempotency_key
    assert [r.state for r in ledger.rows(second)] == ["sending"]
    assert [r.state for r in ledger.rows(first)] == ["unsent"]
