"""After a crash: unfinished ledger rows settled against Xero by Reference before anything is sent, and
which Xero invoices count as "already invoiced"."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.flow.sandbox_drafts import RequestLog, draft, invoices_by_reference, small_sandbox
from workbench.connections import Connector
from workbench.flow.drafts import HoldReason
from workbench.flow.ledger import Ledger
from workbench.flow.reconcile import SETTLE_SECONDS, existing_invoices, reconcile
from workbench.flow.runner import flow_lock, send_drafts
from workbench.sandbox.app import Sandbox
from workbench.store import Engagement
from workbench.xero.client import XeroClient, encode_json


@pytest.fixture
def sandbox() -> Sandbox:
    return small_sandbox(organisations=20)


@pytest.fixture
def engagement() -> Iterator[Engagement]:
    with Engagement.open("reconcile-test") as opened:
        yield opened


@pytest.fixture
def xero(sandbox: Sandbox) -> Iterator[XeroClient]:
    with Connector(sandbox=sandbox) as connector:
        yield connector.xero_source().client


def no_wait(seconds: float) -> None:
    return None


def set_status(xero: XeroClient, invoice_id: str, status: str) -> None:
    response = xero.session.request(
        "POST",
        f"{xero.base_url}/Invoices/{invoice_id}",
        headers={**xero._headers(), "Content-Type": "application/json"},
        content=encode_json({"Invoices": [{"InvoiceID": invoice_id, "Status": status}]}),
    )
    assert response.status_code == 200, response.text


def test_deleted_and_voided_invoices_do_not_count_and_every_other_status_does(
    sandbox: Sandbox, xero: XeroClient
) -> None:
    made = {}
    for deal_id, status in (("501", "DRAFT"), ("502", "AUTHORISED"), ("503", "DRAFT"), ("504", "AUTHORISED")):
        (answer,) = xero.create_invoices(
            [draft(sandbox, deal_id, status=status).payload()], idempotency_key=deal_id
        )
        made[deal_id] = answer["InvoiceID"]
    set_status(xero, made["503"], "DELETED")
    set_status(xero, made["504"], "VOIDED")
    found = existing_invoices(xero, ["PD-501", "PD-502", "PD-503", "pd-504 ", "PD-505"])
    assert set(found) == {"pd-501", "pd-502"}
    assert found["pd-502"].status == "AUTHORISED" and found["pd-502"].invoice_id == made["502"]


def test_rows_a_killed_run_left_behind_are_settled_against_xero(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient
) -> None:
    ledger = Ledger(engagement)
    dead = ledger.start_run("live", 1, {})
    sent_drafts = [draft(sandbox, "601"), draft(sandbox, "602")]
    ids = ledger.record_drafts(dead, [*sent_drafts, draft(sandbox, "603")])
    batch = ledger.start_batch(dead, [ids["PD-601"], ids["PD-602"]], "wb")
    xero.create_invoices([d.payload() for d in sent_drafts], idempotency_key=batch.idempotency_key)
    # ... and the run died before it recorded Xero's answer; PD-603 was never sent

    now = ledger.start_run("live", 1, {})
    result = reconcile(ledger, xero, now, settle_seconds=0)
    assert result.interrupted_runs == [dead]
    rows = {r.deal_id: r for r in ledger.rows(dead)}
    found = invoices_by_reference(sandbox)
    assert rows["601"].state == rows["602"].state == "created"
    assert rows["601"].invoice_id == found["PD-601"][0]["InvoiceID"]
    assert "found in Xero by Reference" in rows["601"].why
    assert rows["603"].state == "unsent" and ledger.pending() == []
    assert result.released_batches == {}  # the batch reached Xero: it is never sent again
    assert ledger.run(dead).status == "interrupted"  # type: ignore[union-attr]


def test_a_batch_xero_never_saw_is_sent_again_under_its_own_key(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient
) -> None:
    ledger = Ledger(engagement)
    dead = ledger.start_run("live", 1, {})
    items = [draft(sandbox, "701"), draft(sandbox, "702")]
    ids = ledger.record_drafts(dead, items)
    batch = ledger.start_batch(dead, list(ids.values()), "wb")  # committed, then killed before sending

    keys: list[str] = []
    xero.session.client.event_hooks["request"].append(
        lambda request: keys.append(request.headers["Idempotency-Key"]) if request.method == "PUT" else None
    )
    run_id = ledger.start_run("live", 1, {})
    with flow_lock(engagement):
        reconciled = reconcile(ledger, xero, run_id, settle_seconds=0)
        assert list(reconciled.released_batches) == [batch.batch_id]
        send_drafts(engagement, ledger, run_id, xero, items, mode="live", reconciled=reconciled)
    assert keys == [batch.idempotency_key]
    assert [r.state for r in ledger.rows(run_id)] == ["created", "created"]
    assert all(len(invoices_by_reference(sandbox)[d.reference]) == 1 for d in items)


def test_a_changed_draft_is_not_sent_under_the_old_key(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient
) -> None:
    ledger = Ledger(engagement)
    dead = ledger.start_run("live", 1, {})
    ids = ledger.record_drafts(dead, [draft(sandbox, "801")])
    batch = ledger.start_batch(dead, list(ids.values()), "wb")
    keys: list[str] = []
    xero.session.client.event_hooks["request"].append(
        lambda request: keys.append(request.headers["Idempotency-Key"]) if request.method == "PUT" else None
    )
    run_id = ledger.start_run("live", 1, {})
    with flow_lock(engagement):
        reconciled = reconcile(ledger, xero, run_id, settle_seconds=0)
        changed = draft(sandbox, "801", amount="150.00")  # the deal changed since the crash
        send_drafts(engagement, ledger, run_id, xero, [changed], mode="live", reconciled=reconciled)
    assert keys and keys[0] != batch.idempotency_key
    assert invoices_by_reference(sandbox)["PD-801"][0]["SubTotal"] == 150


def test_a_batch_sent_moments_ago_is_looked_up_only_once_it_has_settled(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient
) -> None:
    ledger = Ledger(engagement)
    dead = ledger.start_run("live", 1, {})
    ids = ledger.record_drafts(dead, [draft(sandbox, "901")])
    ledger.start_batch(dead, list(ids.values()), "wb")
    waits: list[float] = []
    log = RequestLog(xero.session.client)
    reconcile(ledger, xero, ledger.start_run("live", 1, {}), sleep=waits.append)
    assert len(waits) == 1 and 0 < waits[0] <= SETTLE_SECONDS
    assert log.counts["GET"] == 1


def test_a_run_killed_after_xero_answered_creates_nothing_twice(
    sandbox: Sandbox, engagement: Engagement, xero: XeroClient
) -> None:
    class Killed(BaseException):
        """Stands in for SIGKILL: nothing after it runs, no except clause catches it."""

    def die_after_put(response: httpx.Response) -> None:
        if response.request.method == "PUT":
            raise Killed

    items = [draft(sandbox, str(n)) for n in range(1001, 1061)]
    ledger = Ledger(engagement)
    dead = ledger.start_run("live", 1, {})
    xero.session.client.event_hooks["response"].append(die_after_put)
    with pytest.raises(Killed), flow_lock(engagement):
        send_drafts(engagement, ledger, dead, xero, items, mode="live")
    xero.session.client.event_hooks["response"].remove(die_after_put)
    assert {r.state for r in ledger.rows(dead)} == {"sending", "intended"}

    log = RequestLog(xero.session.client)
    run_id = ledger.start_run("live", 1, {})
    with flow_lock(engagement):
        reconciled = reconcile(ledger, xero, run_id, settle_seconds=0)
        send_drafts(engagement, ledger, run_id, xero, items, mode="live", reconciled=reconciled)
    rows = ledger.rows(run_id)
    assert sum(r.reason == HoldReason.ALREADY_INVOICED.value for r in rows) == 50  # batch 1, recovered
    assert sum(r.state == "created" for r in rows) == 10  # batch 2, never sent before
    assert log.counts["PUT"] == 1
    assert all(len(invoices_by_reference(sandbox)[d.reference]) == 1 for d in items)
