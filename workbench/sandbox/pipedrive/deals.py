"""Deals (v2): list with filters and cursor paging, get one, PATCH (custom fields inside `custom_fields`
only), and the products attached to deals."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from workbench.sandbox.pipedrive import shapes
from workbench.sandbox.pipedrive.context import Call, one, page
from workbench.sandbox.pipedrive.encode import is_json_int, parse_date, parse_decimal, parse_rfc3339, to_wire
from workbench.sandbox.pipedrive.errors import not_allowed_parameter, not_found, validation_failed
from workbench.sandbox.pipedrive.fields import check_custom_values, render_custom_values
from workbench.sandbox.pipedrive.filters import (
    bool_param,
    choice_list,
    custom_field_keys,
    id_list,
    in_window,
    int_param,
    matches,
    time_param,
)
from workbench.sandbox.pipedrive.paging import paginate, paginate_sorted, read_page

Record = dict[str, Any]
STATUSES = ("open", "won", "lost", "deleted")
DELETED_VISIBLE_FOR = timedelta(days=30)
INCLUDE_FIELDS = (
    "next_activity_id", "last_activity_id", "first_won_time", "products_count", "files_count", "notes_count",
    "followers_count", "email_messages_count", "activities_count", "done_activities_count",
    "undone_activities_count", "participants_count", "last_incoming_mail_time", "last_outgoing_mail_time",
    "smart_bcc_email", "source_lead_id",
)  # fmt: skip


def _is_deleted(deal: Record) -> bool:
    return bool(deal.get("is_deleted")) or deal.get("status") == "deleted"


def _extra(call: Call, deal: Record, name: str) -> Any:
    if name in deal:
        return deal[name]
    if name == "first_won_time":
        return deal.get("won_time") if deal.get("status") == "won" else None
    if name == "products_count":
        return len(call.store.grouped("deal_products", "deal_id").get(deal["id"], ()))
    if name == "participants_count":
        return 1 if deal.get("person_id") else 0
    if name == "smart_bcc_email":
        return f"{call.store.company_domain}+deal{deal['id']}@pipedrivemail.com"
    if name.endswith("_count"):
        return 0
    return None


def _renderer(call: Call) -> Callable[[Record], Any]:
    """How this request wants deals drawn (include_fields, custom_fields, include_option_labels)."""
    include = choice_list(call.request, "include_fields", INCLUDE_FIELDS) or []
    only = custom_field_keys(call.request)
    labels = bool_param(call.request, "include_option_labels")
    bool_param(call.request, "include_labels")  # validated; label names are not part of the dataset
    fields = call.store.fields["deal"]

    def render(deal: Record) -> Any:
        out = shapes.deal(deal, call.now)
        out["custom_fields"] = render_custom_values(deal.get("custom_fields") or {}, fields, only=only,
                                                    option_labels=labels)  # fmt: skip
        for name in include:
            out[name] = _extra(call, deal, name)
        return to_wire(out)

    return render


def list_deals(call: Call) -> Record:
    request = call.request
    paging = read_page(request)
    render = _renderer(call)
    statuses = choice_list(request, "status", STATUSES)
    ids = id_list(request, "ids")
    since, until = time_param(request, "updated_since"), time_param(request, "updated_until")
    wanted = {name: int_param(request, name)
              for name in ("owner_id", "person_id", "org_id", "pipeline_id", "stage_id")}  # fmt: skip
    if int_param(request, "filter_id") is not None:
        raise not_found("Filter not found")
    deleted_since = call.now - DELETED_VISIBLE_FOR

    def keep(deal: Record) -> bool:
        if deal.get("is_archived"):
            return False
        if _is_deleted(deal):
            if not statuses or "deleted" not in statuses or deal["update_time"] < deleted_since:
                return False
        elif statuses and deal.get("status") not in statuses:
            return False
        if ids is not None and deal["id"] not in ids:
            return False
        return matches(deal, **wanted) and in_window(deal, since, until)

    chunk, next_cursor = paginate_sorted(call.store.ordered("deals", paging.sort_by), paging, keep)
    return page([render(d) for d in chunk], next_cursor)


def _deal(call: Call) -> Record:
    deal = call.store.tables["deals"].get(call.path_id())
    if deal is None:
        raise not_found("Deal not found")
    return deal


def get_deal(call: Call) -> Record:
    render = _renderer(call)
    return one(render(_deal(call)))


def _int(value: Any) -> int:
    if not is_json_int(value):
        raise ValueError("Must be an integer")
    return int(value)


def _optional(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else check(value)


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("Must be a string")
    return value


def _title(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("Must be a non-empty string")
    return value


def _number(value: Any) -> Any:
    parsed = parse_decimal(value)
    if parsed is None:
        raise ValueError("Must be a number")
    return parsed


def _currency(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 3:
        raise ValueError("Must be a 3-letter currency code")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("Must be a boolean")
    return value


def _status(value: Any) -> str:
    if value not in ("open", "won", "lost"):
        raise ValueError("Must be one of open, won, lost")
    return str(value)


def _visible_to(value: Any) -> int:
    if not is_json_int(value) or value not in (1, 3, 5, 7):
        raise ValueError("Must be one of 1, 3, 5, 7")
    return int(value)


def _instant(value: Any) -> datetime:
    parsed = parse_rfc3339(value) if isinstance(value, str) else None
    if parsed is None and isinstance(value, str):
        parsed = parse_rfc3339(
            value.replace(" ", "T") + "Z"
        )  # archive_time is documented as YYYY-MM-DD HH:MM:SS
    if parsed is None:
        raise ValueError("Must be a date-time, e.g. 2025-01-01T10:20:00Z")
    return parsed


def _date(value: Any) -> Any:
    parsed = parse_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError("Must be a date in YYYY-MM-DD format")
    return parsed


def _label_ids(value: Any) -> list[int]:
    if not isinstance(value, list) or not all(is_json_int(v) for v in value):
        raise ValueError("Must be an array of integers")
    return [int(v) for v in value]


# Every key PATCH /deals/{id} accepts (v2 spec request body) and how its value is read.
PATCH_FIELDS: dict[str, Callable[[Any], Any]] = {
    "title": _title, "owner_id": _int, "person_id": _optional(_int), "org_id": _optional(_int),
    "pipeline_id": _int, "stage_id": _int, "value": _number, "currency": _currency, "is_deleted": _bool,
    "is_archived": _bool, "archive_time": _instant, "status": _status, "probability": _optional(_number),
    "lost_reason": _optional(_string), "visible_to": _visible_to, "close_time": _optional(_instant),
    "won_time": _instant, "lost_time": _instant, "expected_close_date": _optional(_date),
    "label_ids": _label_ids,
}  # fmt: skip
_REFERENCES = {"owner_id": ("users", "User"), "person_id": ("persons", "Person"),
               "org_id": ("organizations", "Organization"), "pipeline_id": ("pipelines", "Pipeline"),
               "stage_id": ("stages", "Stage")}  # fmt: skip


def _read_patch(call: Call, body: Any) -> tuple[Record, Record]:
    """(standard changes, custom field changes) of a PATCH body, or a 400 naming every problem."""
    if not isinstance(body, dict):
        raise validation_failed("body: Must be a JSON object")
    problems: list[str] = []
    changes: Record = {}
    for key, value in body.items():
        if key == "custom_fields":
            continue
        check = PATCH_FIELDS.get(key)
        if check is None:  # e.g. a custom field hash at the top level, as v1 allowed
            problems.append(not_allowed_parameter(key))
            continue
        try:
            changes[key] = check(value)
        except ValueError as error:
            problems.append(f"{key}: {error}")
    custom: Record = {}
    if "custom_fields" in body:
        custom, custom_problems = check_custom_values(body["custom_fields"], call.store.field_by_code("deal"))
        problems.extend(custom_problems)
    for key, (table, label) in _REFERENCES.items():
        if changes.get(key) is not None and changes[key] not in call.store.tables[table]:
            problems.append(f"{key}: {label} with id {changes[key]} not found")
    if problems:
        raise validation_failed(*problems)
    return changes, custom


def patch_deal(call: Call) -> Record:
    current = _deal(call)
    changes, custom = _read_patch(call, call.body())
    deal = copy.deepcopy(current)
    stage = call.store.tables["stages"].get(changes.get("stage_id", -1))
    if stage is not None:
        if "pipeline_id" in changes and stage.get("pipeline_id") != changes["pipeline_id"]:
            raise validation_failed("stage_id: The stage does not belong to the given pipeline")
        changes.setdefault("pipeline_id", stage.get("pipeline_id"))
    elif "pipeline_id" in changes and changes["pipeline_id"] != deal.get("pipeline_id"):
        # moving pipeline without naming a stage lands the deal in the new pipeline's first stage
        stages = [
            s for s in call.store.tables["stages"].values() if s.get("pipeline_id") == changes["pipeline_id"]
        ]
        if stages:
            changes["stage_id"] = min(stages, key=lambda s: (s.get("order_nr") or 0, s["id"]))["id"]
    if "stage_id" in changes and changes["stage_id"] != deal.get("stage_id"):
        deal["stage_change_time"] = call.now
    _apply_status(deal, changes, call.now)
    if changes.get("is_archived") and "archive_time" not in changes:
        changes["archive_time"] = call.now
    deal.update(changes)
    if custom:
        values = dict(deal.get("custom_fields") or {})
        for code, value in custom.items():
            if value is None:
                values.pop(code, None)
            else:
                values[code] = value
        deal["custom_fields"] = values
    deal["update_time"] = call.now
    call.store.put("deals", deal)
    return one(_renderer(call)(deal))


def _apply_status(deal: Record, changes: Record, now: datetime) -> None:
    """Status moves set or clear won/lost/close times; those times only go with their status."""
    status = changes.get("status", deal.get("status"))
    problems = []
    if "won_time" in changes and status != "won":
        problems.append("won_time: Can only be set if deal status is won")
    if "lost_time" in changes and status != "lost":
        problems.append("lost_time: Can only be set if deal status is lost")
    if changes.get("lost_reason") is not None and status != "lost":
        problems.append("lost_reason: Can only be set if deal status is lost")
    if changes.get("close_time") is not None and status not in ("won", "lost"):
        problems.append("close_time: Can only be set if deal status is won or lost")
    if problems:
        raise validation_failed(*problems)
    if "status" not in changes or changes["status"] == deal.get("status"):
        return
    if status == "won":
        changes.setdefault("won_time", now)
        changes.setdefault("close_time", changes["won_time"])
        deal.update(lost_time=None, lost_reason=None)
    elif status == "lost":
        changes.setdefault("lost_time", now)
        changes.setdefault("close_time", changes["lost_time"])
        deal["won_time"] = None
    else:
        deal.update(won_time=None, lost_time=None, close_time=None, lost_reason=None)


def _render_line(call: Call, line: Record) -> Any:
    filled = dict(line)
    deal = call.store.tables["deals"].get(line.get("deal_id", -1)) or {}
    product = call.store.tables["products"].get(line.get("product_id", -1)) or {}
    filled.setdefault("name", product.get("name"))
    filled.setdefault("currency", deal.get("currency"))
    return to_wire(shapes.deal_product(filled, call.now))


def products_of_deal(call: Call) -> Record:
    deal = _deal(call)
    paging = read_page(call.request, ("id", "add_time", "update_time", "order_nr"))
    lines = call.store.grouped("deal_products", "deal_id").get(deal["id"], [])
    chunk, next_cursor = paginate(lines, paging)
    return page([_render_line(call, line) for line in chunk], next_cursor)


def deal_products(call: Call) -> Record:
    deal_ids = set(id_list(call.request, "deal_ids", required=True) or [])
    paging = read_page(call.request, ("id", "deal_id", "add_time", "update_time", "order_nr"))
    by_deal = call.store.grouped("deal_products", "deal_id")
    lines = [line for deal_id in deal_ids for line in by_deal.get(deal_id, ())]
    chunk, next_cursor = paginate(lines, paging)
    return page([_render_line(call, line) for line in chunk], next_cursor)
