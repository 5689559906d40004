"""CRM objects v3: list pages (`after` cursor), one by id, PATCH one, batch read and batch update.

What a read returns: the properties asked for (`properties=` repeated or comma separated; unknown names
left out, known but empty ones as null) or the object type's defaults, and with `associations=` the
associated ids per type. Writes check every property against its definition (exists, writable, typed,
an enumeration's option) and answer HubSpot's 400 naming the property otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from workbench.sandbox.hubspot.context import Call
from workbench.sandbox.hubspot.encode import instant, property_text, typed
from workbench.sandbox.hubspot.errors import HubSpotError, detail, error_body, not_found, validation
from workbench.sandbox.hubspot.properties import ALIASES, DEFAULT_READ, MODIFIED, OBJECT_TYPES
from workbench.sandbox.hubspot.store import PortalStore

Record = dict[str, Any]
MAX_LIST_LIMIT = 100
DEFAULT_LIST_LIMIT = 10
MAX_BATCH_INPUTS = 100
SINGULAR = {
    "companies": "company",
    "contacts": "contact",
    "deals": "deal",
    "line_items": "line_item",
    "products": "product",
}


def system_values(store: PortalStore, object_type: str, record: Record) -> dict[str, Any]:
    """Derived properties: ids and dates, and for deals whether the stage is closed and won."""
    values: dict[str, Any] = {
        "hs_object_id": int(record["id"]),
        "createdate": record["createdAt"],
        MODIFIED[object_type]: record["updatedAt"],
    }
    if object_type == "deals":
        found = store.stages.get(str(record["properties"].get("dealstage")))
        metadata = found[1]["metadata"] if found else {}
        closed = bool(metadata.get("isClosed"))
        probability = Decimal(str(metadata.get("probability", 0))) if found else None
        values["hs_is_closed"] = closed
        values["hs_is_closed_won"] = closed and probability == 1
        values["hs_deal_stage_probability"] = probability
    return values


def all_values(call: Call, object_type: str, record: Record) -> dict[str, Any]:
    return {**record["properties"], **system_values(call.store, object_type, record)}


def wanted_properties(call: Call, object_type: str, names: Iterable[str] | None) -> list[str]:
    """The property names a read draws: the defaults, or the known ones among those asked for."""
    if names is None:
        return list(DEFAULT_READ[object_type])
    known = call.store.definition_map(object_type)
    return [n for n in dict.fromkeys(names) if n in known]


def render(
    call: Call, object_type: str, record: Record, names: list[str], associations: list[str] | None = None
) -> Record:
    values = all_values(call, object_type, record)
    out: Record = {
        "id": str(record["id"]),
        "properties": {n: property_text(values.get(n)) for n in names},
        "createdAt": instant(record["createdAt"]),
        "updatedAt": instant(record["updatedAt"]),
        "archived": bool(record.get("archived")),
    }
    if record.get("archived"):
        out["archivedAt"] = instant(record["updatedAt"])
    if associations:
        linked: Record = {}
        for target in associations:
            pairs = call.store.associated(object_type, int(record["id"]), target)
            if pairs:
                kind = f"{SINGULAR[object_type]}_to_{SINGULAR[target]}"
                linked[target] = {"results": [{"id": str(i), "type": kind} for i, _ in pairs]}
        if linked:
            out["associations"] = linked
    return out


def _association_types(call: Call) -> list[str]:
    return [ALIASES[t] for t in call.list_param("associations") if t in ALIASES]


def _limit(call: Call, maximum: int, default: int) -> int:
    raw = call.request.param("limit")
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise validation(f"limit must be a positive integer, not {raw!r}")
    return min(int(raw), maximum)  # HubSpot caps an over-large list limit rather than refusing it


def list_objects(call: Call) -> Record:
    object_type = call.object_type
    limit = _limit(call, MAX_LIST_LIMIT, DEFAULT_LIST_LIMIT)
    after = call.request.param("after")
    start_id = 0
    if after:
        if not after.isdigit():
            raise validation(f"after must be the paging cursor of an earlier page, not {after!r}")
        start_id = int(after)
    archived = (call.request.param("archived") or "false").lower() == "true"
    names = wanted_properties(call, object_type, call.list_param("properties") or None)
    associations = _association_types(call)
    if archived:
        chosen = sorted(
            (r for r in call.store.objects[object_type].values() if r.get("archived")),
            key=lambda r: int(r["id"]),
        )
        chosen = [r for r in chosen if int(r["id"]) >= start_id]
        page, more = chosen[:limit], len(chosen) > limit
        following = chosen[limit] if more else None
    else:
        _, records = call.store.ordered(object_type, "id")
        begin = call.store.after(object_type, "id", (0, start_id - 1))
        page = records[begin : begin + limit]
        following = records[begin + limit] if begin + limit < len(records) else None
    body: Record = {"results": [render(call, object_type, r, names, associations) for r in page]}
    if following is not None:
        cursor = str(following["id"])
        body["paging"] = {"next": {"after": cursor, "link": call.link(after=cursor)}}
    return body


def _record(call: Call, object_type: str, object_id: str) -> Record:
    record = call.store.objects[object_type].get(int(object_id)) if object_id.isdigit() else None
    if record is None or record.get("archived"):
        raise not_found(SINGULAR[object_type], object_id)
    return record


def get_object(call: Call) -> Record:
    object_type = call.object_type
    if call.request.param("idProperty"):
        raise HubSpotError(
            501, error_body("idProperty look-ups are not emulated by the sandbox", "NOT_IMPLEMENTED")
        )
    record = _record(call, object_type, call.params["id"])
    names = wanted_properties(call, object_type, call.list_param("properties") or None)
    return render(call, object_type, record, names, _association_types(call))


def _checked(call: Call, object_type: str, values: Any, where: str) -> dict[str, Any]:
    """The typed values of a write's `properties`, or a 400 naming every bad property."""
    if not isinstance(values, dict):
        raise validation(f"Invalid input JSON on {where}: properties must be an object")
    definitions = call.store.definition_map(object_type)
    problems: list[dict[str, Any]] = []
    out: dict[str, Any] = {}
    for name, raw in values.items():
        definition = definitions.get(name)
        if definition is None:
            problems.append(detail(f'Property "{name}" does not exist', "PROPERTY_DOESNT_EXIST", name))
            continue
        if definition["modificationMetadata"]["readOnlyValue"]:
            problems.append(
                detail(f'"{name}" is a read only property; its value cannot be set.', "READ_ONLY_VALUE", name)
            )
            continue
        try:
            value = typed(definition["type"], raw)
        except ValueError as exc:
            problems.append(detail(f'Property values were not valid: "{name}": {exc}', "INVALID_VALUE", name))
            continue
        if definition["type"] == "enumeration" and value is not None and definition["options"]:
            allowed = [o["value"] for o in definition["options"]]
            if value not in allowed:
                problems.append(
                    detail(
                        f'{value!r} was not one of the allowed options for "{name}": {", ".join(allowed)}',
                        "INVALID_OPTION",
                        name,
                    )
                )
                continue
        if name == "dealstage" and value is not None and value not in call.store.stages:
            problems.append(detail(f"{value!r} is not a stage of any deal pipeline", "INVALID_OPTION", name))
            continue
        out[name] = value
    if problems:
        raise validation(f"Property values were not valid: {len(problems)} problem(s)", *problems)
    return out


def _apply(call: Call, object_type: str, record: Record, values: dict[str, Any]) -> Record:
    updated = {**record, "properties": {**record["properties"], **values}, "updatedAt": call.now}
    updated["properties"] = {k: v for k, v in updated["properties"].items() if v is not None}
    call.store.put(object_type, updated)
    return updated


def patch_object(call: Call) -> Record:
    object_type = call.object_type
    body = call.body()
    if not isinstance(body, dict) or "properties" not in body:
        raise validation('Invalid input JSON: the body must be {"properties": {...}}')
    record = _record(call, object_type, call.params["id"])
    values = _checked(call, object_type, body["properties"], "PATCH")
    updated = _apply(call, object_type, record, values)
    return render(call, object_type, updated, wanted_properties(call, object_type, None) + list(values))


def _inputs(call: Call) -> list[Any]:
    body = call.body()
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list):
        raise validation('Invalid input JSON: the body must be {"inputs": [...]}')
    if len(inputs) > MAX_BATCH_INPUTS:
        raise validation(
            f"Batch input size is limited to {MAX_BATCH_INPUTS} inputs; {len(inputs)} were sent",
            detail("too many inputs", "TOO_MANY_INPUTS"),
        )
    return inputs


def _batch_answer(
    call: Call, started: datetime, results: list[Record], missing: list[str]
) -> tuple[int, Record]:
    body: Record = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": instant(started),
        "completedAt": instant(call.now),
    }
    if not missing:
        return 200, body
    body["numErrors"] = 1
    body["errors"] = [
        {
            "status": "error",
            "category": "OBJECT_NOT_FOUND",
            "message": "Could not get some "
            f"{call.object_type} objects, they may be deleted or not exist. Check that ids are valid.",
            "context": {"ids": missing},
        }
    ]
    return 207, body


def batch_update(call: Call) -> tuple[int, Record]:
    object_type = call.object_type
    started = call.now
    inputs = _inputs(call)
    checked: list[tuple[str, dict[str, Any]]] = []
    for item in inputs:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str | int):
            raise validation("Invalid input JSON: each input needs an id and properties")
        checked.append((str(item["id"]), _checked(call, object_type, item.get("properties"), "batch/update")))
    results, missing = [], []
    for object_id, values in checked:
        record = call.store.objects[object_type].get(int(object_id)) if object_id.isdigit() else None
        if record is None or record.get("archived"):
            missing.append(object_id)
            continue
        updated = _apply(call, object_type, record, values)
        results.append(
            render(call, object_type, updated, wanted_properties(call, object_type, None) + list(values))
        )
    return _batch_answer(call, started, results, missing)


def batch_read(call: Call) -> tuple[int, Record]:
    object_type = call.object_type
    started = call.now
    inputs = _inputs(call)
    body = call.body()
    names = wanted_properties(call, object_type, body.get("properties") or None)
    results, missing = [], []
    for item in inputs:
        object_id = str(item.get("id")) if isinstance(item, dict) else ""
        record = call.store.objects[object_type].get(int(object_id)) if object_id.isdigit() else None
        if record is None or record.get("archived"):
            missing.append(object_id)
        else:
            results.append(render(call, object_type, record, names))
    return _batch_answer(call, started, results, missing)


__all__ = ["OBJECT_TYPES", "batch_read", "batch_update", "get_object", "list_objects", "patch_object"]
