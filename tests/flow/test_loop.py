"""Loop prevention end to end on the sandbox, kept in Pipedrive or HubSpot: run the flow, write back, pull
again (the written deals come back updated), and a second run sends nothing and writes nothing back;
plus the own-update predicate on raw records of both CRMs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.flow.writeback_support import CRMS, Setup, flow_setup
from workbench.flow.crm_fields import FieldKey, FieldKeys, current_values
from workbench.flow.ledger import Ledger
from workbench.flow.loop import changed_by_others, is_own_update
from workbench.flow.run_report import is_write_call
from workbench.flow.runner import run_flow
from workbench.flow.writeback_fields import DEAL_INVOICE_ID, DEAL_INVOICE_STATUS
from workbench.hubspot.client import HubSpotClient
from workbench.pull.runner import pull
from workbench.store import Engagement


@pytest.fixture(params=CRMS)
def setup(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Setup]:
    yield from flow_setup(tmp_path, crm=request.param)


def _deals(engagement: Engagement, crm: str) -> dict[str, dict[str, Any]]:
    frame = engagement.table("deals", source=crm)
    return {str(row["deal_id"]): row for row in frame.to_dict("records")}


def test_write_back_does_not_retrigger_the_flow(setup: Setup) -> None:
    engagement, connector = setup.engagement, setup.connector
    first = run_flow(engagement, setup.plan, connector, mode="live", reports_dir=None).report
    created = {o.deal_id: o.invoice_id for o in first.outcomes if o.outcome == "created"}
    assert first.status == "finished" and created, first.error
    assert first.write_back["written"] == len(created) and first.write_back["failed"] == {}
    before = _deals(engagement, setup.crm)  # the snapshot the first run built from (before its write-back)

    second = run_flow(engagement, setup.plan, connector, mode="live", reports_dir=None).report

    # the second run's incremental pull brought the written deals back, showing the flow's values
    after = _deals(engagement, setup.crm)
    keys = setup.keys.for_entity("deal")
    for deal_id, invoice_id in created.items():
        shown = current_values(after[deal_id]["custom_fields"], keys)
        assert shown[DEAL_INVOICE_ID.key] == invoice_id and shown[DEAL_INVOICE_STATUS.key] == "DRAFT"
        assert after[deal_id]["updated_at"] > before[deal_id]["updated_at"]
        assert is_own_update(before[deal_id], after[deal_id])
    assert changed_by_others(before, after).isdisjoint(created)
    # ...and nothing was sent or written back
    assert second.status == "finished", second.error
    assert not [o for o in second.outcomes if o.outcome == "created"]
    assert {o.deal_id for o in second.outcomes if o.reason == "already invoiced"} >= set(created)
    assert second.write_back["written"] == 0
    assert [c for c in second.calls if is_write_call(c)] == []
    assert [c for c in second.write_back["calls"] if is_write_call(c)] == []
    # the deal fingerprint the ledger keeps did not move with the write-back
    ledger = Ledger(engagement)
    rows = [
        {r.deal_id: r.deal_fingerprint for r in ledger.rows(run)} for run in (first.run_id, second.run_id)
    ]
    assert all(rows[1][deal_id] == rows[0][deal_id] != "" for deal_id in created)

    # a person editing a written deal is a change the flow sees
    deal_id = sorted(created)[0]
    crm = connector.crm_source(engagement)
    if isinstance(crm.client, HubSpotClient):
        crm.client.update_deal(deal_id, {"dealname": "Renamed by a person"})
    else:
        crm.client.session.request(
            "PATCH", f"{crm.client.v2}/deals/{deal_id}", json={"title": "Renamed by a person"}, retryable=True
        )
    pull(engagement, crm, mode="auto")
    edited = _deals(engagement, setup.crm)
    assert not is_own_update(after[deal_id], edited[deal_id])
    assert changed_by_others(after, edited) == {deal_id}


def test_own_fields_by_hash_on_raw_records() -> None:
    code = "f" * 40
    keys = FieldKeys({DEAL_INVOICE_ID.key: FieldKey(DEAL_INVOICE_ID, code, "Xero InvoiceID", "varchar")})
    raw = {"id": 7, "title": "Deal 7", "update_time": "2026-11-20T09:00:00Z", "custom_fields": {code: None}}
    written = {**raw, "update_time": "2026-11-20T09:05:00Z", "custom_fields": {code: "inv-7"}}
    assert is_own_update(raw, written, keys)
    assert not is_own_update(raw, written)  # without the keys a hash is just another field
    assert not is_own_update(raw, {**written, "value": 10}, keys)


def test_own_properties_by_name_on_raw_hubspot_records() -> None:
    keys = FieldKeys(
        {DEAL_INVOICE_ID.key: FieldKey(DEAL_INVOICE_ID, "xero_invoiceid", "Xero InvoiceID", "string")}
    )
    raw = {"id": "7", "updatedAt": "2026-11-20T09:00:00.000Z", "archived": False,
           "properties": {"dealname": "Deal 7", "hs_lastmodifieddate": "2026-11-20T09:00:00.000Z",
                          "xero_invoiceid": None}}  # fmt: skip
    written = {**raw, "updatedAt": "2026-11-20T09:05:00.000Z",
               "properties": {**raw["properties"], "hs_lastmodifieddate": "2026-11-20T09:05:00.000Z",
                              "xero_invoiceid": "inv-7"}}  # fmt: skip
    assert is_own_update(raw, written, keys)
    assert not is_own_update(raw, written)  # without the keys an internal name is just another property
    renamed = {**written, "properties": {**written["properties"], "dealname": "Deal seven"}}
    assert not is_own_update(raw, renamed, keys)
    assert changed_by_others({"7": raw}, {"7": written, "8": raw}, keys) == {"8"}


MISSING = {
    "pipedrive": (
        "Pipedrive has no deal field 'Xero invoice number'",
        {"pipedrive GET dealFields": 1, "pipedrive GET organizationFields": 1},
    ),
    "hubspot": (
        "HubSpot has no deal property 'Xero invoice number'",
        {"hubspot GET properties/deals": 1, "hubspot GET properties/companies": 1},
    ),
}


@pytest.mark.parametrize("crm", CRMS)
def test_missing_fields_skip_the_write_back_and_say_why(tmp_path: Path, crm: str) -> None:
    for setup in flow_setup(tmp_path, create_fields=False, crm=crm):
        report = run_flow(setup.engagement, setup.plan, setup.connector, mode="live", reports_dir=None).report
        assert report.status == "finished" and [o for o in report.outcomes if o.outcome == "created"]
        missing, calls = MISSING[crm]
        assert missing in report.write_back["skipped"]
        assert "--create-fields" in report.write_back["hint"]
        assert report.write_back["calls"] == calls
