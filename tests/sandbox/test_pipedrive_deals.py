"""Deals: list filters, include options, PATCH (custom fields inside `custom_fields` only) and state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.sandbox.pipedrive_support import (
    APPLICATION_KEYS,
    BUDGET_FIELD,
    INVOICE_FIELD,
    PRIORITY_FIELD,
    RENEWAL_FIELD,
    START,
    TAGS_FIELD,
    VALIDATION_KEYS,
    assert_error,
    call,
    check,
    make_emulator,
    pipedrive_company,
)
from workbench.sandbox import jsonstate
from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.pipedrive import PipedriveEmulator

NOW = "2026-03-10T09:30:00Z"


@pytest.fixture
def setup() -> tuple[PipedriveEmulator, SandboxClock]:
    company = pipedrive_company(deals=40)
    company.deals[4]["is_archived"] = True  # deal 5
    company.deals[5].update(is_deleted=True, update_time=START - timedelta(days=3))  # deal 6, recently
    company.deals[6].update(is_deleted=True, update_time=START - timedelta(days=45))  # deal 7, purged by now
    return make_emulator(company)


def _ids(emulator: PipedriveEmulator, query: str) -> list[int]:
    _, response = call(emulator, "GET", "/api/v2/deals", query + "&limit=500")
    assert response.status == 200, response.body
    return [d["id"] for d in response.payload()["data"]]


def test_status_filter(setup: tuple[PipedriveEmulator, SandboxClock]) -> None:
    emulator, _ = setup
    everything = _ids(emulator, "")
    assert 5 not in everything and 6 not in everything and 7 not in everything
    assert len(everything) == 37
    won = _ids(emulator, "status=won")
    assert won == [n for n in range(1, 41) if n % 4 == 1 and n not in (5,)]
    assert _ids(emulator, "status=open,lost") == [n for n in everything if n % 4 in (0, 2, 3)]
    assert _ids(emulator, "status=deleted") == [6]
    assert 6 in _ids(emulator, "status=won,deleted")
    assert_error(
        call(emulator, "GET", "/api/v2/deals", "status=closed")[1], 400, VALIDATION_KEYS, contains="status"
    )


def test_id_and_link_filters(setup: tuple[PipedriveEmulator, SandboxClock]) -> None:
    emulator, _ = setup
    assert _ids(emulator, "ids=3,1,9,999,5") == [1, 3, 9]
    assert _ids(emulator, "org_id=4") == [3, 23]
    assert _ids(emulator, "person_id=4&owner_id=1") == [3]
    assert set(_ids(emulator, "pipeline_id=2")) == {n for n in range(2, 41, 2) if n != 6}
    assert _ids(emulator, "stage_id=2&pipeline_id=1") == [n for n in range(1, 41, 2) if n % 3 == 1 and n != 7]
    too_many = ",".join(str(n) for n in range(1, 102))
    assert_error(
        call(emulator, "GET", "/api/v2/deals", f"ids={too_many}")[1], 400, VALIDATION_KEYS, contains="ids"
    )
    assert_error(call(emulator, "GET", "/api/v2/deals", "ids=1,two")[1], 400, VALIDATION_KEYS)
    assert_error(call(emulator, "GET", "/api/v2/deals", "filter_id=7")[1], 404, APPLICATION_KEYS)


def test_get_one_serves_archived_and_include_fields(setup: tuple[PipedriveEmulator, SandboxClock]) -> None:
    emulator, _ = setup
    archived = call(emulator, "GET", "/api/v2/deals/5")[1].payload()["data"]
    assert archived["is_archived"] is True
    request, response = call(
        emulator, "GET", "/api/v2/deals/1", "include_fields=first_won_time,products_count"
    )
    check(request, response)
    deal = response.payload()["data"]
    assert deal["first_won_time"] == deal["won_time"] == "2026-03-09T07:30:00Z"
    assert deal["products_count"] == 1
    bad = call(emulator, "GET", "/api/v2/deals/1", "include_fields=first_won_time,colour")[1]
    assert_error(bad, 400, VALIDATION_KEYS, contains="include_fields")


def test_custom_fields_every_key_by_default_or_the_ones_asked_for(
    setup: tuple[PipedriveEmulator, SandboxClock],
) -> None:
    emulator, _ = setup
    deal = call(emulator, "GET", "/api/v2/deals/3")[1].payload()["data"]
    assert deal["custom_fields"] == {
        INVOICE_FIELD: None,
        PRIORITY_FIELD: 1,
        BUDGET_FIELD: None,
        TAGS_FIELD: None,
        RENEWAL_FIELD: None,
    }
    only = call(
        emulator, "GET", "/api/v2/deals/3", f"custom_fields={PRIORITY_FIELD}&include_option_labels=true"
    )
    assert only[1].payload()["data"]["custom_fields"] == {PRIORITY_FIELD: {"id": 1, "label": "Low"}}
    sixteen = ",".join(f"{n:040x}" for n in range(16))
    assert_error(call(emulator, "GET", "/api/v2/deals", f"custom_fields={sixteen}")[1], 400, VALIDATION_KEYS)


def test_patch_custom_fields_persists_and_shows_in_get_and_list(
    setup: tuple[PipedriveEmulator, SandboxClock],
) -> None:
    emulator, clock = setup
    clock.advance(3600)
    body = {
        "custom_fields": {
            INVOICE_FIELD: "INV-0042",
            BUDGET_FIELD: {"value": 1234.56, "currency": "GBP"},
            TAGS_FIELD: [1, 3],
            RENEWAL_FIELD: "2027-01-31",
            PRIORITY_FIELD: None,
        }
    }
    request, response = call(emulator, "PATCH", "/api/v2/deals/3", body=body)
    assert response.status == 200, response.body
    check(request, response)
    expected = {
        INVOICE_FIELD: "INV-0042",
        PRIORITY_FIELD: None,
        BUDGET_FIELD: {"value": 1234.56, "currency": "GBP"},
        TAGS_FIELD: [1, 3],
        RENEWAL_FIELD: "2027-01-31",
    }
    assert response.payload()["data"]["custom_fields"] == expected
    assert response.payload()["data"]["update_time"] == "2026-03-10T10:30:00Z"
    assert call(emulator, "GET", "/api/v2/deals/3")[1].payload()["data"]["custom_fields"] == expected
    changed = call(emulator, "GET", "/api/v2/deals", "updated_since=2026-03-10T10:30:00Z")[1].payload()[
        "data"
    ]
    assert [d["id"] for d in changed] == [3]
    assert changed[0]["custom_fields"][INVOICE_FIELD] == "INV-0042"
    # a later PATCH of other fields keeps what was written before
    call(emulator, "PATCH", "/api/v2/deals/3", body={"custom_fields": {INVOICE_FIELD: "INV-0043"}})
    fields = call(emulator, "GET", "/api/v2/deals/3")[1].payload()["data"]["custom_fields"]
    assert fields[INVOICE_FIELD] == "INV-0043" and fields[TAGS_FIELD] == [1, 3]


def test_top_level_hash_keys_are_rejected_like_v2_does(setup: tuple[PipedriveEmulator, SandboxClock]) -> None:
    emulator, _ = setup
    _, response = call(emulator, "PATCH", "/api/v2/deals/3", body={INVOICE_FIELD: "INV-1", "title": "Kept?"})
    body = assert_error(response, 400, VALIDATION_KEYS)
    assert body["error"] == (
        f"Validation failed: {INVOICE_FIELD}: Parameter '{INVOICE_FIELD}' is not allowed for this request"
    )
    assert (
        call(emulator, "GET", "/api/v2/deals/3")[1].payload()["data"]["title"] == "Deal 3"
    )  # nothing applied


@pytest.mark.parametrize(
    ("custom", "mentions"),
    [
        ({"0" * 40: "x"}, "Unknown custom field"),
        ({"title": "x"}, "Unknown custom field"),  # built-in fields are not custom fields
        ({INVOICE_FIELD: 42}, INVOICE_FIELD),
        ({INVOICE_FIELD: "x" * 256}, "255"),
        ({PRIORITY_FIELD: "2"}, PRIORITY_FIELD),  # option ids are numbers in v2
        ({PRIORITY_FIELD: 9}, "options"),
        ({TAGS_FIELD: []}, "null to clear"),
        ({TAGS_FIELD: [1, 7]}, TAGS_FIELD),
        ({BUDGET_FIELD: 100}, BUDGET_FIELD),
        ({BUDGET_FIELD: {"value": "100", "currency": "GBP"}}, "number"),
        ({RENEWAL_FIELD: "31/01/2027"}, "YYYY-MM-DD"),
    ],
)
def test_bad_custom_field_values_are_400(
    setup: tuple[PipedriveEmulator, SandboxClock], custom: dict[str, object], mentions: str
) -> None:
    emulator, _ = setup
    _, response = call(emulator, "PATCH", "/api/v2/deals/3", body={"custom_fields": custom})
    assert_error(response, 400, VALIDATION_KEYS, contains=mentions)


@pytest.mark.parametrize(
    "body",
    [
        {"value": "100"},
        {"owner_id": True},
        {"status": "deleted"},
        {"currency": "pounds"},
        {"visible_to": 2},
        {"expected_close_date": "2026-13-01"},
        {"label_ids": [1, "2"]},
        {"stage_id": 99},
        {"owner_id": 99},
        {"title": ""},
        {"custom_fields": [1]},
        [1, 2],
    ],
)
def test_bad_standard_values_are_400(setup: tuple[PipedriveEmulator, SandboxClock], body: object) -> None:
    emulator, _ = setup
    assert_error(call(emulator, "PATCH", "/api/v2/deals/3", body=body)[1], 400, VALIDATION_KEYS)


def test_patch_rejects_broken_json_and_unknown_deals(setup: tuple[PipedriveEmulator, SandboxClock]) -> None:
    emulator, _ = setup
    assert_error(call(emulator, "PATCH", "/api/v2/deals/3", body=b"{not json")[1], 400, VALIDATION_KEYS)
    assert_error(call(emulator, "PATCH", "/api/v2/deals/999", body={"title": "x"})[1], 404, APPLICATION_KEYS)


def test_status_moves_set_and_clear_their_times(setup: tuple[PipedriveEmulator, SandboxClock]) -> None:
    emulator, _ = setup
    request, response = call(emulator, "PATCH", "/api/v2/deals/3", body={"status": "won"})
    check(request, response)
    won = response.payload()["data"]
    assert won["status"] == "won" and won["won_time"] == won["close_time"] == NOW and won["lost_time"] is None
    reopened = call(emulator, "PATCH", "/api/v2/deals/3", body={"status": "open"})[1].payload()["data"]
    assert reopened["won_time"] is None and reopened["close_time"] is None
    lost = call(emulator, "PATCH", "/api/v2/deals/3", body={"status": "lost", "lost_reason": "Went quiet"})[1]
    assert lost.payload()["data"]["lost_reason"] == "Went quiet"
    assert_error(
        call(emulator, "PATCH", "/api/v2/deals/4", body={"lost_reason": "x"})[1], 400, VALIDATION_KEYS
    )
    assert_error(call(emulator, "PATCH", "/api/v2/deals/4", body={"won_time": NOW})[1], 400, VALIDATION_KEYS)
    stamped = call(
        emulator, "PATCH", "/api/v2/deals/4", body={"status": "won", "won_time": "2026-03-01T12:00:00Z"}
    )
    assert stamped[1].payload()["data"]["won_time"] == "2026-03-01T12:00:00Z"


def test_stage_and_pipeline_moves(setup: tuple[PipedriveEmulator, SandboxClock]) -> None:
    emulator, _ = setup
    moved = call(emulator, "PATCH", "/api/v2/deals/3", body={"stage_id": 5})[1].payload()["data"]
    assert (moved["pipeline_id"], moved["stage_id"], moved["stage_change_time"]) == (2, 5, NOW)
    first = call(emulator, "PATCH", "/api/v2/deals/3", body={"pipeline_id": 1})[1].payload()["data"]
    assert (first["pipeline_id"], first["stage_id"]) == (1, 1)
    mismatch = call(emulator, "PATCH", "/api/v2/deals/3", body={"pipeline_id": 1, "stage_id": 6})[1]
    assert_error(mismatch, 400, VALIDATION_KEYS, contains="pipeline")


def test_money_keeps_its_decimals_and_state_round_trips(
    setup: tuple[PipedriveEmulator, SandboxClock],
) -> None:
    emulator, _ = setup
    call(
        emulator,
        "PATCH",
        "/api/v2/deals/8",
        body={
            "value": 1234.56,
            "currency": "EUR",
            "person_id": None,
            "custom_fields": {INVOICE_FIELD: "INV-8"},
        },
    )
    state = emulator.export_state()
    assert set(state["deals"]) == {8}
    exported = state["deals"][8]
    assert exported["value"] == Decimal("1234.56") and isinstance(exported["value"], Decimal)
    assert exported["update_time"] == datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    assert exported["person_id"] is None and exported["custom_fields"][INVOICE_FIELD] == "INV-8"
    assert state["deal_fields"] == []
    fresh, _ = make_emulator(pipedrive_company(deals=40))
    assert call(fresh, "GET", "/api/v2/deals/8")[1].payload()["data"]["value"] == 800.5
    fresh.import_state(jsonstate.loads(jsonstate.dumps(state)))  # what the served sandbox persists
    deal = call(fresh, "GET", "/api/v2/deals/8")[1].payload()["data"]
    assert (deal["value"], deal["currency"], deal["custom_fields"][INVOICE_FIELD]) == (
        1234.56,
        "EUR",
        "INV-8",
    )
    assert fresh.export_state()["deals"] == state["deals"]


def test_the_dataset_is_not_mutated() -> None:
    company = pipedrive_company(deals=5)
    emulator, _ = make_emulator(company)
    call(emulator, "PATCH", "/api/v2/deals/2", body={"title": "Changed"})
    assert company.deals[1]["title"] == "Deal 2"
