"""Everything but the objects: associations (v4 per record and batch read), deal pipelines, owners and
property definitions (list, one, create)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from workbench.sandbox.hubspot.context import Call
from workbench.sandbox.hubspot.encode import instant
from workbench.sandbox.hubspot.errors import HubSpotError, detail, error_body, not_found, validation
from workbench.sandbox.hubspot.properties import ALIASES, check_new_property, render
from workbench.sandbox.hubspot.store import LABELS

Record = dict[str, Any]
MAX_ASSOCIATION_PAGE = 500
MAX_ASSOCIATION_BATCH = 1000
MAX_OWNER_PAGE = 500


def _object_type(name: str) -> str:
    object_type = ALIASES.get(name)
    if object_type is None:
        raise HubSpotError(400, error_body(f"Unable to infer object type from: {name}", "VALIDATION_ERROR"))
    return object_type


def _types(type_id: int) -> list[Record]:
    return [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": LABELS.get(type_id)}]


def record_associations(call: Call) -> Record:
    """`GET /crm/v4/objects/{from}/{id}/associations/{to}`: the associated ids with their types, paged."""
    source, target = _object_type(call.params["from"]), _object_type(call.params["to"])
    object_id = call.params["id"]
    if not object_id.isdigit() or int(object_id) not in call.store.objects[source]:
        raise not_found(source, object_id)
    pairs = call.store.associated(source, int(object_id), target)
    raw_limit = call.request.param("limit") or str(MAX_ASSOCIATION_PAGE)
    limit = min(int(raw_limit), MAX_ASSOCIATION_PAGE) if raw_limit.isdigit() and int(raw_limit) > 0 else 0
    if not limit:
        raise validation(f"limit must be a positive integer, not {raw_limit!r}")
    after = call.request.param("after") or "0"
    start = int(after) if after.isdigit() else 0
    grouped: dict[int, list[int]] = {}
    for to_id, type_id in pairs:
        grouped.setdefault(to_id, []).append(type_id)
    ids = sorted(grouped)
    page = ids[start : start + limit]
    body: Record = {
        "results": [
            {"toObjectId": i, "associationTypes": [t for type_id in grouped[i] for t in _types(type_id)]}
            for i in page
        ]
    }
    if start + limit < len(ids):
        body["paging"] = {"next": {"after": str(start + limit), "link": call.link(after=str(start + limit))}}
    return body


def batch_associations(call: Call) -> tuple[int, Record]:
    """`POST /crm/v4/associations/{from}/{to}/batch/read` with up to 1,000 `{"id"}` inputs."""
    source, target = _object_type(call.params["from"]), _object_type(call.params["to"])
    started = call.now
    body = call.body()
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not all(isinstance(i, dict) and "id" in i for i in inputs):
        raise validation('Invalid input JSON: the body must be {"inputs": [{"id": "..."}]}')
    if len(inputs) > MAX_ASSOCIATION_BATCH:
        raise validation(f"Batch read takes at most {MAX_ASSOCIATION_BATCH} inputs; {len(inputs)} were sent")
    results, missing = [], []
    for item in inputs:
        object_id = str(item["id"])
        if not object_id.isdigit() or int(object_id) not in call.store.objects[source]:
            missing.append(object_id)
            continue
        grouped: dict[int, list[int]] = {}
        for to_id, type_id in call.store.associated(source, int(object_id), target):
            grouped.setdefault(to_id, []).append(type_id)
        if grouped:
            results.append(
                {
                    "from": {"id": object_id},
                    "to": [
                        {
                            "toObjectId": i,
                            "associationTypes": [t for type_id in types for t in _types(type_id)],
                        }
                        for i, types in sorted(grouped.items())
                    ],
                }
            )
        else:
            missing.append(object_id)
    out: Record = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": instant(started),
        "completedAt": instant(call.now),
    }
    if not missing:
        return 200, out
    out["numErrors"] = len(missing)
    out["errors"] = [
        {
            "status": "error",
            "category": "OBJECT_NOT_FOUND",
            "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
            "message": f"No {target} is associated with {source} {i}.",
            "context": {"fromObjectId": [i]},
        }
        for i in missing
    ]
    return 207, out


def _probability(value: Any) -> str:
    """`1.0`, `0.25`: HubSpot writes a stage's probability as a decimal with at least one fraction digit."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text if "." in text else f"{text}.0"


def _pipeline(pipeline: Record) -> Record:
    def stamp(record: Record) -> Record:
        return {
            "createdAt": instant(record["createdAt"]),
            "updatedAt": instant(record["updatedAt"]),
            "archived": bool(record.get("archived")),
        }

    stages = [
        {
            "id": s["id"],
            "label": s["label"],
            "displayOrder": s["displayOrder"],
            "metadata": {
                "isClosed": "true" if s["metadata"]["isClosed"] else "false",
                "probability": _probability(s["metadata"]["probability"]),
            },
            "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
            **stamp(s),
        }
        for s in sorted(pipeline["stages"], key=lambda s: s["displayOrder"])
    ]
    return {
        "id": pipeline["id"],
        "label": pipeline["label"],
        "displayOrder": pipeline["displayOrder"],
        "stages": stages,
        **stamp(pipeline),
    }


def list_pipelines(call: Call) -> Record:
    if call.params["objectType"] not in ("deals", "0-3", "deal"):
        raise HubSpotError(
            400, error_body(f"Pipelines are not emulated for {call.params['objectType']}", "VALIDATION_ERROR")
        )
    return {"results": [_pipeline(p) for p in sorted(call.store.pipelines, key=lambda p: p["displayOrder"])]}


def get_pipeline(call: Call) -> Record:
    for pipeline in call.store.pipelines:
        if pipeline["id"] == call.params["pipelineId"]:
            return _pipeline(pipeline)
    raise not_found("pipeline", call.params["pipelineId"])


def list_owners(call: Call) -> Record:
    archived = (call.request.param("archived") or "false").lower() == "true"
    raw_limit = call.request.param("limit") or "100"
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_OWNER_PAGE:
        raise validation(f"limit must be between 1 and {MAX_OWNER_PAGE}, not {raw_limit!r}")
    limit = int(raw_limit)
    owners = sorted(
        (o for o in call.store.owners if bool(o.get("archived")) == archived), key=lambda o: o["id"]
    )
    after = call.request.param("after") or "0"
    start = int(after) if after.isdigit() else 0
    page = owners[start : start + limit]
    body: Record = {
        "results": [
            {
                "id": str(o["id"]),
                "email": o["email"],
                "firstName": o["firstName"],
                "lastName": o["lastName"],
                "userId": o["userId"],
                "createdAt": instant(o["createdAt"]),
                "updatedAt": instant(o["updatedAt"]),
                "archived": bool(o.get("archived")),
                "teams": [],
            }
            for o in page
        ]
    }
    if start + limit < len(owners):
        body["paging"] = {"next": {"after": str(start + limit), "link": call.link(after=str(start + limit))}}
    return body


def list_properties(call: Call) -> Record:
    object_type = _object_type(call.params["objectType"])
    return {"results": [render(d) for d in call.store.definitions[object_type]]}


def get_property(call: Call) -> Record:
    object_type = _object_type(call.params["objectType"])
    found = call.store.definition_map(object_type).get(call.params["propertyName"])
    if found is None:
        raise not_found("property", call.params["propertyName"])
    return render(found)


def create_property(call: Call) -> tuple[int, Record]:
    object_type = _object_type(call.params["objectType"])
    taken = set(call.store.definition_map(object_type))
    created = check_new_property(call.body(), taken, call.now)
    # a property goes into a group the object type already has (HubSpot's own groups are always there)
    groups = {d["groupName"] for d in call.store.definitions[object_type]}
    if created["groupName"] not in groups:
        raise validation(
            f"Property group {created['groupName']!r} does not exist",
            detail(
                f"{created['groupName']!r} is not a property group of {object_type}",
                "INVALID_GROUP",
                "groupName",
            ),
        )
    call.store.add_definition(object_type, created)
    return 201, render(created)
