"""Everything but deals: organizations (read and PATCH), persons, products, pipelines, stages and the field
definitions (v2), users and currencies (v1)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from workbench.sandbox.pipedrive import shapes
from workbench.sandbox.pipedrive.context import Call, one, page
from workbench.sandbox.pipedrive.deals import PATCH_FIELDS as DEAL_PATCH_FIELDS
from workbench.sandbox.pipedrive.encode import is_json_int, to_wire
from workbench.sandbox.pipedrive.errors import not_allowed_parameter, not_found, validation_failed
from workbench.sandbox.pipedrive.fields import (
    INCLUDABLE,
    build_field,
    check_custom_values,
    check_field_body,
    new_field_code,
    render_custom_values,
    render_field,
)
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
from workbench.sandbox.pipedrive.paging import Page, paginate, paginate_sorted, read_page

Record = dict[str, Any]
_COMMON_COUNTS = (
    "next_activity_id", "last_activity_id", "open_deals_count", "related_open_deals_count",
    "closed_deals_count", "related_closed_deals_count", "email_messages_count", "activities_count",
    "done_activities_count", "undone_activities_count", "files_count", "notes_count", "followers_count",
    "won_deals_count", "related_won_deals_count", "lost_deals_count", "related_lost_deals_count",
    "smart_bcc_email",
)  # fmt: skip
INCLUDE_FIELDS = {
    "organization": (*_COMMON_COUNTS, "people_count"),
    "person": (*_COMMON_COUNTS, "participant_open_deals_count", "participant_closed_deals_count",
               "last_incoming_mail_time", "last_outgoing_mail_time", "marketing_status", "doi_status"),
}  # fmt: skip
_LINK = {"organization": "org_id", "person": "person_id"}
_DEAL_STATUS_COUNTS = {"open_deals_count": ("open",), "closed_deals_count": ("won", "lost"),
                       "won_deals_count": ("won",), "lost_deals_count": ("lost",)}  # fmt: skip


def _extra(call: Call, entity: str, record: Record, name: str) -> Any:
    if name in record:
        return record[name]
    base = name.removeprefix("related_").removeprefix("participant_")
    if base in _DEAL_STATUS_COUNTS:
        link = _LINK[entity]
        return sum(1 for deal in call.store.tables["deals"].values()
                   if deal.get(link) == record["id"] and not deal.get("is_deleted")
                   and deal.get("status") in _DEAL_STATUS_COUNTS[base])  # fmt: skip
    if name == "people_count":
        return sum(1 for p in call.store.tables["persons"].values() if p.get("org_id") == record["id"])
    if name == "smart_bcc_email":
        return f"{call.store.company_domain}+{entity}{record['id']}@pipedrivemail.com"
    return 0 if name.endswith("_count") else None


def _contact_renderer(call: Call, entity: str) -> Callable[[Record], Any]:
    include = choice_list(call.request, "include_fields", INCLUDE_FIELDS[entity]) or []
    only = custom_field_keys(call.request)
    labels = bool_param(call.request, "include_option_labels")
    bool_param(call.request, "include_labels")  # validated; label names are not part of the dataset
    shape = shapes.organization if entity == "organization" else shapes.person
    fields = call.store.fields[entity]

    def render(record: Record) -> Any:
        out = shape(record, call.now)
        out["custom_fields"] = render_custom_values(record.get("custom_fields") or {}, fields, only=only,
                                                    option_labels=labels)  # fmt: skip
        for name in include:
            out[name] = _extra(call, entity, record, name)
        return to_wire(out)

    return render


def _product_renderer(call: Call) -> Callable[[Record], Any]:
    only = custom_field_keys(call.request)
    fields = call.store.fields["product"]

    def render(record: Record) -> Any:
        out = shapes.product(record, call.now)
        out["custom_fields"] = render_custom_values(record.get("custom_fields") or {}, fields, only=only)
        return to_wire(out)

    return render


def _listing(call: Call, table: str, paging: Page, **wanted: int | None) -> tuple[list[Record], str | None]:
    """One page of a table's live records that pass the request's id, owner and time filters."""
    request = call.request
    if int_param(request, "filter_id") is not None:
        raise not_found("Filter not found")
    ids = id_list(request, "ids")
    since, until = time_param(request, "updated_since"), time_param(request, "updated_until")

    def keep(record: Record) -> bool:
        return (
            not record.get("is_deleted")
            and (ids is None or record["id"] in ids)
            and matches(record, **wanted)
            and in_window(record, since, until)
        )

    return paginate_sorted(call.store.ordered(table, paging.sort_by), paging, keep)


def _get(call: Call, table: str, label: str) -> Record:
    record = call.store.tables[table].get(call.path_id())
    if record is None:
        raise not_found(f"{label} not found")
    return record


def list_organizations(call: Call) -> Record:
    paging = read_page(call.request)
    render = _contact_renderer(call, "organization")
    chunk, next_cursor = _listing(call, "organizations", paging, owner_id=int_param(call.request, "owner_id"))
    return page([render(r) for r in chunk], next_cursor)


def get_organization(call: Call) -> Record:
    render = _contact_renderer(call, "organization")
    return one(render(_get(call, "organizations", "Organization")))


_ADDRESS_PARTS = frozenset({
    "value", "country", "admin_area_level_1", "admin_area_level_2", "locality", "sublocality", "route",
    "street_number", "subpremise", "postal_code",
})  # fmt: skip


def _address(value: Any) -> Record:
    if not isinstance(value, dict):
        raise ValueError("Must be an object")
    unknown = sorted(set(value) - _ADDRESS_PARTS)
    if unknown:
        raise ValueError(f"Unknown address part(s) {', '.join(unknown)}")
    if not all(isinstance(v, str) for v in value.values()):
        raise ValueError("Every address part must be a string")
    return dict(value)


def _optional_text(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError("Must be a string")
    return value


def _optional_int(value: Any) -> int | None:
    if value is not None and not is_json_int(value):
        raise ValueError("Must be an integer")
    return None if value is None else int(value)


# Every key PATCH /organizations/{id} accepts (v2 spec request body) and how its value is read.
ORGANIZATION_PATCH_FIELDS: dict[str, Callable[[Any], Any]] = {
    "name": DEAL_PATCH_FIELDS["title"], "owner_id": DEAL_PATCH_FIELDS["owner_id"],
    "visible_to": DEAL_PATCH_FIELDS["visible_to"], "label_ids": DEAL_PATCH_FIELDS["label_ids"],
    "address": _address, "website": _optional_text, "linkedin": _optional_text,
    "industry": _optional_int, "annual_revenue": _optional_int, "employee_count": _optional_int,
}  # fmt: skip


def patch_organization(call: Call) -> Record:
    """Update an organization; custom fields only inside `custom_fields` (a top-level hash is a 400)."""
    current = _get(call, "organizations", "Organization")
    if current.get("is_deleted"):
        raise not_found("Organization not found")
    body = call.body()
    if not isinstance(body, dict):
        raise validation_failed("body: Must be a JSON object")
    problems: list[str] = []
    changes: Record = {}
    for key, value in body.items():
        if key == "custom_fields":
            continue
        check = ORGANIZATION_PATCH_FIELDS.get(key)
        if check is None:
            problems.append(not_allowed_parameter(key))
            continue
        try:
            changes[key] = check(value)
        except ValueError as error:
            problems.append(f"{key}: {error}")
    custom: Record = {}
    if "custom_fields" in body:
        custom, more = check_custom_values(body["custom_fields"], call.store.field_by_code("organization"))
        problems.extend(more)
    if "owner_id" in changes and changes["owner_id"] not in call.store.tables["users"]:
        problems.append(f"owner_id: User with id {changes['owner_id']} not found")
    if problems:
        raise validation_failed(*problems)
    record = copy.deepcopy(current)
    record.update(changes)
    values = dict(record.get("custom_fields") or {})
    for code, value in custom.items():
        if value is None:
            values.pop(code, None)
        else:
            values[code] = value
    record["custom_fields"] = values
    record["update_time"] = call.now
    call.store.put("organizations", record)
    return one(_contact_renderer(call, "organization")(record))


def list_persons(call: Call) -> Record:
    request = call.request
    paging = read_page(request)
    render = _contact_renderer(call, "person")
    wanted = {"owner_id": int_param(request, "owner_id"), "org_id": int_param(request, "org_id")}
    deal_id = int_param(request, "deal_id")
    if deal_id is not None:
        deal = call.store.tables["deals"].get(deal_id) or {}
        wanted["id"] = deal.get("person_id") or -1
    chunk, next_cursor = _listing(call, "persons", paging, **wanted)
    return page([render(r) for r in chunk], next_cursor)


def get_person(call: Call) -> Record:
    render = _contact_renderer(call, "person")
    return one(render(_get(call, "persons", "Person")))


def list_products(call: Call) -> Record:
    paging = read_page(call.request, ("id", "name", "add_time", "update_time"))
    render = _product_renderer(call)
    chunk, next_cursor = _listing(call, "products", paging, owner_id=int_param(call.request, "owner_id"))
    return page([render(r) for r in chunk], next_cursor)


def get_product(call: Call) -> Record:
    return one(_product_renderer(call)(_get(call, "products", "Product")))


def list_stages(call: Call) -> Record:
    paging = read_page(call.request, ("id", "update_time", "add_time", "order_nr"))
    pipeline_id = int_param(call.request, "pipeline_id")
    records = [s for s in call.store.tables["stages"].values()
               if not s.get("is_deleted") and matches(s, pipeline_id=pipeline_id)]  # fmt: skip
    chunk, next_cursor = paginate(records, paging)
    return page([to_wire(shapes.stage(s, call.now)) for s in chunk], next_cursor)


def get_stage(call: Call) -> Record:
    return one(to_wire(shapes.stage(_get(call, "stages", "Stage"), call.now)))


def list_pipelines(call: Call) -> Record:
    paging = read_page(call.request)
    records = [p for p in call.store.tables["pipelines"].values() if not p.get("is_deleted")]
    chunk, next_cursor = paginate(records, paging)
    return page([to_wire(shapes.pipeline(p, call.now)) for p in chunk], next_cursor)


def get_pipeline(call: Call) -> Record:
    return one(to_wire(shapes.pipeline(_get(call, "pipelines", "Pipeline"), call.now)))


def _field_parts(call: Call, entity: str) -> tuple[str, ...]:
    return tuple(choice_list(call.request, "include_fields", INCLUDABLE[entity]) or ())


def list_fields(call: Call, entity: str) -> Record:
    parts = _field_parts(call, entity)
    paging = read_page(call.request, sort_fields=None)
    numbered = [{"id": n, "field": f} for n, f in enumerate(call.store.fields[entity], start=1)]
    chunk, next_cursor = paginate(numbered, paging)
    return page([render_field(item["field"], entity, parts) for item in chunk], next_cursor)


def get_field(call: Call, entity: str) -> Record:
    parts = _field_parts(call, entity)
    field = call.store.field_by_code(entity).get(call.params["field_code"])
    if field is None:
        raise not_found("Field not found")
    return one(render_field(field, entity, parts))


def create_field(call: Call, entity: str) -> Record:
    body = call.body()
    problems = check_field_body(entity, body)
    if problems:
        raise validation_failed(*problems)
    taken = {code for fields in call.store.fields.values() for code in (f["field_code"] for f in fields)}
    code = new_field_code(entity, body["field_name"], taken)
    field = build_field(entity, body, code, call.store.next_option_id(), call.now)
    call.store.add_field(entity, field)
    return one(render_field(field, entity, INCLUDABLE[entity]))


def _user(call: Call, record: Record) -> Any:
    return to_wire(shapes.user(record, call.now, me=record["id"] == call.user_id), v1=True)


def list_users(call: Call) -> Record:
    users = sorted(call.store.tables["users"].values(), key=lambda u: u["id"])
    return one([_user(call, u) for u in users])


def get_user(call: Call) -> Record:
    record = call.store.tables["users"].get(call.path_id())
    if record is None:
        raise not_found("User not found or not accessible.")
    return one(_user(call, record))


def me(call: Call) -> Record:
    record = call.store.tables["users"].get(call.user_id) or {"id": call.user_id, "name": "Sandbox user"}
    data = _user(call, record)
    domain = call.store.company_domain
    data.update(
        company_id=call.store.company_id,
        company_name=record.get("company_name") or domain.replace("-", " ").title(),
        company_domain=domain,
        company_country=record.get("company_country") or "GB",
        company_industry=record.get("company_industry") or "Professional services",
        language=record.get("language") or {"language_code": "en", "country_code": "GB"},
    )
    return one(data)


def list_currencies(call: Call) -> Record:
    records: list[Record] = list(call.store.tables["currencies"].values()) or list(shapes.DEFAULT_CURRENCIES)
    term = (call.request.param("term") or "").lower()
    chosen = [c for c in records if not term or term in f"{c.get('code', '')} {c.get('name', '')}".lower()]
    return one([to_wire(shapes.currency(c, call.now)) for c in sorted(chosen, key=lambda c: int(c["id"]))])
