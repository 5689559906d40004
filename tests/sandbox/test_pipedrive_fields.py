"""Field definitions: the v2 shapes, paging, and creating custom fields that deals then carry."""

from __future__ import annotations

import re

import pytest

from tests.sandbox.pipedrive_support import (
    APPLICATION_KEYS,
    INVOICE_FIELD,
    PRIORITY_FIELD,
    VALIDATION_KEYS,
    VAT_FIELD,
    assert_error,
    call,
    check,
    make_emulator,
    pipedrive_company,
)
from workbench.sandbox.pipedrive import PipedriveEmulator

HASH = re.compile(r"^[0-9a-f]{40}$")


@pytest.fixture
def emulator() -> PipedriveEmulator:
    return make_emulator()[0]


def test_deal_fields_list_builtin_and_custom_fields(emulator: PipedriveEmulator) -> None:
    fields = call(emulator, "GET", "/api/v2/dealFields", "limit=500")[1].payload()["data"]
    by_code = {f["field_code"]: f for f in fields}
    assert by_code["title"]["is_custom_field"] is False
    assert by_code["value"]["subfields"] == [
        {"field_code": "value", "field_name": "Amount of Value", "field_type": "double"},
        {"field_code": "currency", "field_name": "Currency of Value", "field_type": "varchar"},
    ]
    assert [o["id"] for o in by_code["status"]["options"]] == ["open", "won", "lost", "deleted"]
    priority = by_code[PRIORITY_FIELD]
    assert priority["is_custom_field"] is True and priority["field_type"] == "enum"
    assert priority["options"] == [
        {"id": 1, "label": "Low"},
        {"id": 2, "label": "Medium"},
        {"id": 3, "label": "High"},
    ]
    assert "ui_visibility" not in priority  # only on request
    custom = [f["field_code"] for f in fields if f["is_custom_field"]]
    assert len(custom) == 5 and all(HASH.match(code) for code in custom)


def test_include_fields_adds_the_optional_parts(emulator: PipedriveEmulator) -> None:
    field = call(
        emulator, "GET", f"/api/v2/dealFields/{INVOICE_FIELD}", "include_fields=ui_visibility,required_fields"
    )
    data = field[1].payload()["data"]
    assert data["ui_visibility"]["show_in_pipelines"] == {"show_in_all": True, "pipeline_ids": []}
    assert data["required_fields"] == {"enabled": False, "stage_ids": [], "statuses": {}}
    assert "important_fields" not in data
    org = call(emulator, "GET", f"/api/v2/organizationFields/{VAT_FIELD}", "include_fields=ui_visibility")[1]
    assert "show_in_add_deal_dialog" in org.payload()["data"]["ui_visibility"]
    bad = call(emulator, "GET", "/api/v2/productFields", "include_fields=important_fields")[1]
    assert_error(bad, 400, VALIDATION_KEYS, contains="include_fields")


def test_fields_page_with_a_cursor(emulator: PipedriveEmulator) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        query = "limit=7" + (f"&cursor={cursor}" if cursor else "")
        request, response = call(emulator, "GET", "/api/v2/dealFields", query)
        check(request, response)
        body = response.payload()
        seen.extend(f["field_code"] for f in body["data"])
        cursor = body["additional_data"]["next_cursor"]
        if cursor is None:
            break
    everything = [
        f["field_code"] for f in call(emulator, "GET", "/api/v2/dealFields", "limit=500")[1].payload()["data"]
    ]
    assert seen == everything and len(seen) == len(set(seen)) == 23


def test_create_a_deal_field_then_write_it_on_a_deal(emulator: PipedriveEmulator) -> None:
    request, response = call(
        emulator,
        "POST",
        "/api/v2/dealFields",
        body={"field_name": "Xero invoice status", "field_type": "varchar"},
    )
    assert response.status == 200, response.body
    check(request, response)
    created = response.payload()["data"]
    code = created["field_code"]
    assert HASH.match(code) and code not in (INVOICE_FIELD, PRIORITY_FIELD)
    assert created["is_custom_field"] is True and created["field_name"] == "Xero invoice status"
    assert call(emulator, "GET", f"/api/v2/dealFields/{code}")[1].payload()["data"]["field_type"] == "varchar"
    assert call(emulator, "GET", "/api/v2/deals/2")[1].payload()["data"]["custom_fields"][code] is None
    patched = call(emulator, "PATCH", "/api/v2/deals/2", body={"custom_fields": {code: "DRAFT"}})[1]
    assert patched.status == 200
    assert call(emulator, "GET", "/api/v2/deals/2")[1].payload()["data"]["custom_fields"][code] == "DRAFT"
    state = emulator.export_state()
    assert [f["field_code"] for f in state["deal_fields"]] == [code]
    assert set(state["deals"]) == {2}


def test_created_field_codes_are_unique_and_option_ids_fresh(emulator: PipedriveEmulator) -> None:
    before = {o["id"] for f in emulator.store.fields["deal"] for o in f.get("options") or []}
    codes, new_ids = set(), []
    for _ in range(3):
        body = {"field_name": "Same name", "field_type": "enum", "options": [{"label": "A"}, {"label": "B"}]}
        request, response = call(emulator, "POST", "/api/v2/dealFields", body=body)
        check(request, response)
        data = response.payload()["data"]
        codes.add(data["field_code"])
        new_ids.extend(o["id"] for o in data["options"])
        assert [o["label"] for o in data["options"]] == ["A", "B"]
    assert len(codes) == 3
    assert len(new_ids) == len(set(new_ids)) == 6 and not set(new_ids) & before


def test_created_monetary_field_and_state_import() -> None:
    emulator, _ = make_emulator()
    _, response = call(
        emulator, "POST", "/api/v2/dealFields", body={"field_name": "Invoice total", "field_type": "monetary"}
    )
    code = response.payload()["data"]["field_code"]
    assert [s["field_code"] for s in response.payload()["data"]["subfields"]] == [code, f"{code}_currency"]
    call(
        emulator,
        "PATCH",
        "/api/v2/deals/4",
        body={"custom_fields": {code: {"value": 99.99, "currency": "GBP"}}},
    )
    state = emulator.export_state()
    fresh, _ = make_emulator(pipedrive_company())
    fresh.import_state(state)
    assert call(fresh, "GET", f"/api/v2/dealFields/{code}")[1].status == 200
    deal = call(fresh, "GET", "/api/v2/deals/4")[1].payload()["data"]
    assert deal["custom_fields"][code] == {"value": 99.99, "currency": "GBP"}


@pytest.mark.parametrize("entity", ["organizationFields", "personFields", "productFields"])
def test_other_entities_take_custom_fields_too(emulator: PipedriveEmulator, entity: str) -> None:
    request, response = call(
        emulator,
        "POST",
        f"/api/v2/{entity}",
        body={"field_name": "Tier", "field_type": "set", "options": [{"label": "Gold"}]},
    )
    assert response.status == 200, response.body
    check(request, response)
    code = response.payload()["data"]["field_code"]
    listing = call(emulator, "GET", f"/api/v2/{entity}", "limit=500")[1].payload()["data"]
    assert code in {f["field_code"] for f in listing}
    assert "ui_visibility" in response.payload()["data"]


@pytest.mark.parametrize(
    ("path", "body", "mentions"),
    [
        ("/api/v2/dealFields", {"field_type": "varchar"}, "field_name"),
        ("/api/v2/dealFields", {"field_name": "", "field_type": "varchar"}, "field_name"),
        ("/api/v2/dealFields", {"field_name": "x" * 256, "field_type": "varchar"}, "field_name"),
        ("/api/v2/dealFields", {"field_name": "X", "field_type": "url"}, "field_type"),
        ("/api/v2/dealFields", {"field_name": "X", "field_type": "int"}, "field_type"),
        ("/api/v2/dealFields", {"field_name": "X", "field_type": "enum"}, "options"),
        (
            "/api/v2/dealFields",
            {"field_name": "X", "field_type": "enum", "options": [{"name": "A"}]},
            "label",
        ),
        (
            "/api/v2/dealFields",
            {"field_name": "X", "field_type": "varchar", "options": [{"label": "A"}]},
            "options",
        ),
        ("/api/v2/dealFields", {"field_name": "X", "field_type": "varchar", "key": "abc"}, "key"),
        (
            "/api/v2/productFields",
            {"field_name": "X", "field_type": "varchar", "description": "d"},
            "description",
        ),
        ("/api/v2/organizationFields", ["not", "an", "object"], "body"),
    ],
)
def test_bad_field_bodies_are_400(
    emulator: PipedriveEmulator, path: str, body: object, mentions: str
) -> None:
    assert_error(call(emulator, "POST", path, body=body)[1], 400, VALIDATION_KEYS, contains=mentions)
    assert emulator.export_state()["deal_fields"] == []


def test_unknown_field_code_is_404(emulator: PipedriveEmulator) -> None:
    assert_error(call(emulator, "GET", "/api/v2/personFields/nope")[1], 404, APPLICATION_KEYS)
