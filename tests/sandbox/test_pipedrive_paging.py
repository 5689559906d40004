"""v2 cursor paging over a 1,200-deal company: every deal once, in order; strict limits and timestamps."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.sandbox.pipedrive_support import (
    VALIDATION_KEYS,
    assert_error,
    call,
    check,
    make_emulator,
    pipedrive_company,
)
from workbench.sandbox.pipedrive import PipedriveEmulator, PipedriveLimits

BIG_LIMITS = PipedriveLimits(burst_limit=10_000)


@pytest.fixture(scope="module")
def big() -> PipedriveEmulator:
    company = pipedrive_company(deals=1200)
    company.deals[10]["is_archived"] = True  # archived deals are not in GET /deals
    company.deals[11]["is_deleted"] = True  # nor are deleted ones, unless status=deleted
    return make_emulator(company, BIG_LIMITS)[0]


def _all_pages(
    emulator: PipedriveEmulator, query: str, validate: bool = False
) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        request, response = call(
            emulator, "GET", "/api/v2/deals", query + (f"&cursor={cursor}" if cursor else "")
        )
        assert response.status == 200, response.body
        if validate:
            check(request, response)
        body = response.payload()
        items.extend(body["data"])
        pages += 1
        cursor = body["additional_data"]["next_cursor"]
        if cursor is None:
            return items, pages
        assert pages < 100


def test_paging_by_id_returns_every_deal_once_in_order(big: PipedriveEmulator) -> None:
    deals, pages = _all_pages(big, "limit=500", validate=True)
    ids = [d["id"] for d in deals]
    assert pages == 3
    assert ids == sorted(ids)
    assert ids == [n for n in range(1, 1201) if n not in (11, 12)]


def test_default_page_is_100(big: PipedriveEmulator) -> None:
    body = call(big, "GET", "/api/v2/deals")[1].payload()
    assert len(body["data"]) == 100
    assert body["additional_data"]["next_cursor"]
    assert len(_all_pages(big, "")[0]) == 1198


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("field", ["update_time", "add_time"])
def test_paging_by_time_keeps_ties_together(big: PipedriveEmulator, field: str, direction: str) -> None:
    deals, _ = _all_pages(big, f"limit=137&sort_by={field}&sort_direction={direction}")
    assert len(deals) == 1198 and len({d["id"] for d in deals}) == 1198
    keys = [(d[field], d["id"]) for d in deals]
    assert keys == sorted(keys, reverse=direction == "desc")
    assert len({d[field] for d in deals}) < 400  # the fixture really has ties across page boundaries


def test_updated_since_is_inclusive_and_updated_until_exclusive(big: PipedriveEmulator) -> None:
    everything, _ = _all_pages(big, "limit=500")
    since, until = "2026-02-20T05:30:00Z", "2026-03-01T08:30:00Z"
    assert any(d["update_time"] == since for d in everything)
    assert any(d["update_time"] == until for d in everything)
    expected = sorted(d["id"] for d in everything if since <= d["update_time"] < until)
    got, _ = _all_pages(big, f"limit=200&sort_by=update_time&updated_since={since}&updated_until={until}")
    assert sorted(d["id"] for d in got) == expected
    assert any(d["update_time"] == since for d in got)
    assert not any(d["update_time"] == until for d in got)
    offset, _ = _all_pages(big, "limit=500&updated_since=2026-02-20T06:30:00%2B01:00")
    assert sorted(d["id"] for d in offset) == sorted(d["id"] for d in everything if d["update_time"] >= since)


@pytest.mark.parametrize(
    "value",
    ["2026-02-20T05:30:00.000Z", "2026-02-20 05:30:00", "2026-02-20", "2026-02-20T05:30:00", "yesterday", ""],
)
def test_malformed_updated_since_is_400(big: PipedriveEmulator, value: str) -> None:
    for name in ("updated_since", "updated_until"):
        _, response = call(big, "GET", "/api/v2/deals", f"{name}={value}")
        assert_error(response, 400, VALIDATION_KEYS, contains=name)
    assert_error(call(big, "GET", "/api/v2/organizations", f"updated_since={value}")[1], 400, VALIDATION_KEYS)


@pytest.mark.parametrize("limit", ["501", "1000", "0", "-5", "ten", "2.5"])
def test_bad_limit_is_400(big: PipedriveEmulator, limit: str) -> None:
    for path in ("/api/v2/deals", "/api/v2/persons", "/api/v2/dealFields", "/api/v2/deals/1/products"):
        assert_error(call(big, "GET", path, f"limit={limit}")[1], 400, VALIDATION_KEYS, contains="limit")


def test_limit_500_is_allowed(big: PipedriveEmulator) -> None:
    assert len(call(big, "GET", "/api/v2/deals", "limit=500")[1].payload()["data"]) == 500


def _cursor(marker: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(marker).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("sort_by", "cursor"),
    [
        ("id", "not-a-cursor!"),
        ("id", "eyJ"),
        ("id", _cursor([1, 2])),
        ("id", _cursor({"field": "id", "fieldValue": 7, "sortDirection": "asc"})),
        ("id", _cursor({"field": "id", "fieldValue": "seven", "sortDirection": "asc", "id": 7})),
        ("id", _cursor({"field": "id", "fieldValue": 7, "sortDirection": "asc", "id": "7"})),
        ("update_time", _cursor({"field": "update_time", "fieldValue": 7, "sortDirection": "asc", "id": 7})),
        (
            "update_time",
            _cursor(
                {"field": "update_time", "fieldValue": "2026-01-01 00:00:00", "sortDirection": "asc", "id": 7}
            ),
        ),
    ],
)
def test_bad_cursor_is_400(big: PipedriveEmulator, sort_by: str, cursor: str) -> None:
    _, response = call(big, "GET", "/api/v2/deals", f"sort_by={sort_by}&cursor={cursor}")
    assert_error(response, 400, VALIDATION_KEYS, contains="cursor")


def test_cursor_is_opaque_but_bound_to_its_sort(big: PipedriveEmulator) -> None:
    first = call(big, "GET", "/api/v2/deals", "limit=3&sort_by=update_time")[1].payload()
    cursor = first["additional_data"]["next_cursor"]
    marker = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    last = first["data"][-1]
    assert marker == {
        "field": "update_time",
        "fieldValue": last["update_time"],
        "sortDirection": "asc",
        "id": last["id"],
    }
    assert_error(call(big, "GET", "/api/v2/deals", f"cursor={cursor}")[1], 400, VALIDATION_KEYS)
    assert_error(
        call(big, "GET", "/api/v2/deals", f"sort_by=update_time&sort_direction=desc&cursor={cursor}")[1],
        400,
        VALIDATION_KEYS,
    )
    assert call(big, "GET", "/api/v2/deals", f"sort_by=update_time&cursor={cursor}")[1].status == 200


def test_a_hand_made_cursor_resumes_after_its_id(big: PipedriveEmulator) -> None:
    cursor = _cursor({"field": "id", "fieldValue": 1195, "sortDirection": "asc", "id": 1195})
    body = call(big, "GET", "/api/v2/deals", f"cursor={cursor}")[1].payload()
    assert [d["id"] for d in body["data"]] == [1196, 1197, 1198, 1199, 1200]
    assert body["additional_data"]["next_cursor"] is None


def test_bad_sort_parameters_are_400(big: PipedriveEmulator) -> None:
    assert_error(
        call(big, "GET", "/api/v2/deals", "sort_by=title")[1], 400, VALIDATION_KEYS, contains="sort_by"
    )
    assert_error(call(big, "GET", "/api/v2/deals", "sort_direction=up")[1], 400, VALIDATION_KEYS)
    assert call(big, "GET", "/api/v2/products", "sort_by=name")[1].status == 200
    assert_error(call(big, "GET", "/api/v2/deals", "sort_by=name")[1], 400, VALIDATION_KEYS)


def test_an_update_between_pages_moves_the_deal_to_the_end() -> None:
    emulator, clock = make_emulator(pipedrive_company(deals=30))
    first = call(emulator, "GET", "/api/v2/deals", "limit=10&sort_by=update_time")[1].payload()
    clock.advance(60)
    moved = first["data"][0]["id"]
    assert call(emulator, "PATCH", f"/api/v2/deals/{moved}", body={"title": "Renamed"})[1].status == 200
    cursor = first["additional_data"]["next_cursor"]
    rest = _all_pages(emulator, f"limit=10&sort_by=update_time&cursor={cursor}")[0]
    assert rest[-1]["id"] == moved and rest[-1]["title"] == "Renamed"
    assert rest[-1]["update_time"] == (datetime(2026, 3, 10, 9, 31, tzinfo=UTC)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
