"""Organizations: PATCH (custom fields inside `custom_fields` only, as the v2 spec says) and a created
organization field written through it."""

from __future__ import annotations

import pytest

from tests.sandbox.pipedrive_support import (
    APPLICATION_KEYS,
    VALIDATION_KEYS,
    VAT_FIELD,
    assert_error,
    call,
    check,
    make_emulator,
)
from workbench.sandbox import jsonstate
from workbench.sandbox.clock import SandboxClock
from workbench.sandbox.pipedrive import PipedriveEmulator


@pytest.fixture
def setup() -> tuple[PipedriveEmulator, SandboxClock]:
    return make_emulator()


def test_patch_sets_custom_and_standard_fields_and_moves_update_time(
    setup: tuple[PipedriveEmulator, SandboxClock],
) -> None:
    emulator, clock = setup
    clock.advance(3600)
    body = {"custom_fields": {VAT_FIELD: "GB999999973"}, "website": "https://org3.example"}
    request, response = call(emulator, "PATCH", "/api/v2/organizations/3", body=body)
    assert response.status == 200, response.body
    check(request, response)
    data = response.payload()["data"]
    assert data["custom_fields"] == {VAT_FIELD: "GB999999973"}
    assert data["website"] == "https://org3.example" and data["name"] == "Org 3 Ltd"
    assert data["update_time"] == "2026-03-10T10:30:00Z"
    again = call(emulator, "GET", "/api/v2/organizations/3")[1].payload()["data"]
    assert again["custom_fields"] == {VAT_FIELD: "GB999999973"} and again["website"] == "https://org3.example"
    changed = call(emulator, "GET", "/api/v2/organizations", "updated_since=2026-03-10T10:30:00Z")[1]
    assert [o["id"] for o in changed.payload()["data"]] == [3]
    # null clears a custom field; other fields keep what was written before
    call(emulator, "PATCH", "/api/v2/organizations/3", body={"custom_fields": {VAT_FIELD: None}})
    cleared = call(emulator, "GET", "/api/v2/organizations/3")[1].payload()["data"]
    assert cleared["custom_fields"] == {VAT_FIELD: None} and cleared["website"] == "https://org3.example"


def test_created_organization_field_takes_values(setup: tuple[PipedriveEmulator, SandboxClock]) -> None:
    emulator, _ = setup
    created = call(
        emulator,
        "POST",
        "/api/v2/organizationFields",
        body={"field_name": "Xero account status", "field_type": "varchar"},
    )[1]
    assert created.status == 200, created.body
    code = created.payload()["data"]["field_code"]
    assert len(code) == 40
    request, response = call(
        emulator, "PATCH", "/api/v2/organizations/4", body={"custom_fields": {code: "on stop"}}
    )
    assert response.status == 200, response.body
    check(request, response)
    listed = call(emulator, "GET", "/api/v2/organizations", "ids=4")[1].payload()["data"]
    assert listed[0]["custom_fields"][code] == "on stop"


def test_top_level_hash_is_rejected_and_nothing_applied(
    setup: tuple[PipedriveEmulator, SandboxClock],
) -> None:
    emulator, _ = setup
    _, response = call(emulator, "PATCH", "/api/v2/organizations/3", body={VAT_FIELD: "GB1", "name": "New"})
    body = assert_error(response, 400, VALIDATION_KEYS, contains=f"Parameter '{VAT_FIELD}' is not allowed")
    assert "New" not in body["error"]
    assert call(emulator, "GET", "/api/v2/organizations/3")[1].payload()["data"]["name"] == "Org 3 Ltd"


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"name": ""}, "name"),
        ({"owner_id": 99}, "User with id 99"),
        ({"visible_to": 2}, "visible_to"),
        ({"label_ids": ["1"]}, "label_ids"),
        ({"address": "1 High Street"}, "address"),
        ({"address": {"town": "Leeds"}}, "town"),
        ({"employee_count": "ten"}, "employee_count"),
        ({"website": 5}, "website"),
        ({"custom_fields": {"0" * 40: "x"}}, "Unknown custom field"),
        ({"custom_fields": {VAT_FIELD: 42}}, VAT_FIELD),
        ([1], "JSON object"),
    ],
)
def test_bad_values_are_400(
    setup: tuple[PipedriveEmulator, SandboxClock], body: object, mentions: str
) -> None:
    emulator, _ = setup
    _, response = call(emulator, "PATCH", "/api/v2/organizations/3", body=body)
    assert_error(response, 400, VALIDATION_KEYS, contains=mentions)


def test_unknown_and_deleted_organizations_are_404(setup: tuple[PipedriveEmulator, SandboxClock]) -> None:
    emulator, _ = setup
    for org_id in (999, 22):  # 22 is deleted in the factory company
        _, response = call(emulator, "PATCH", f"/api/v2/organizations/{org_id}", body={"name": "x"})
        assert_error(response, 404, APPLICATION_KEYS, contains="Organization not found")


def test_state_round_trip_keeps_organization_writes(setup: tuple[PipedriveEmulator, SandboxClock]) -> None:
    emulator, _ = setup
    created = call(
        emulator,
        "POST",
        "/api/v2/organizationFields",
        body={"field_name": "Xero account status", "field_type": "varchar"},
    )[1]
    code = created.payload()["data"]["field_code"]
    call(emulator, "PATCH", "/api/v2/organizations/5", body={"custom_fields": {code: "overdue"}})
    state = emulator.export_state()
    assert set(state["organizations"]) == {5} and state["deals"] == {}
    fresh, _ = make_emulator()
    fresh.import_state(jsonstate.loads(jsonstate.dumps(state)))  # what the served sandbox persists
    org = call(fresh, "GET", "/api/v2/organizations/5")[1].payload()["data"]
    assert org["custom_fields"][code] == "overdue"
