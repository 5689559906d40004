"""The emulator's own copy of one company's records, and what the API changed since generation."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from workbench.sandbox.demo.dataset import PipedriveCompany
from workbench.sandbox.pipedrive.fields import ENTITIES, system_fields
from workbench.sandbox.pipedrive.paging import SortedRecords, sort_key

Record = dict[str, Any]

TABLES = ("deals", "organizations", "persons", "products", "stages", "pipelines", "deal_products", "users",
          "currencies")  # fmt: skip
# Tables whose records carry add_time/update_time (filled in when the dataset left them out).
TIMED = ("deals", "organizations", "persons", "products", "stages", "pipelines", "deal_products")
# Tables whose records the API can change (and so export_state carries).
WRITABLE = ("deals", "organizations")
FIELD_ATTRS = {entity: f"{entity}_fields" for entity in ENTITIES}


def _whole_seconds(value: Any) -> Any:
    """Instants at the wire's precision, so paging and `updated_since` agree with what clients saw."""
    if isinstance(value, datetime):
        # the dataset contract is aware UTC; a naive instant is read as UTC rather than failing compares
        return value.replace(microsecond=0, tzinfo=value.tzinfo or UTC)
    if isinstance(value, dict):
        return {k: _whole_seconds(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_seconds(v) for v in value]
    return value


class CompanyStore:
    """Records by table and id, field definitions by entity, and the ids the API has touched."""

    def __init__(self, company: PipedriveCompany, now: datetime) -> None:
        self.company_id = company.company_id
        self.company_domain = company.company_domain
        self.tables: dict[str, dict[int, Record]] = {}
        for table in TABLES:
            records = _whole_seconds(copy.deepcopy(getattr(company, table)))
            if table in TIMED:
                for record in records:
                    record["add_time"] = record.get("add_time") or now.replace(microsecond=0)
                    record["update_time"] = record.get("update_time") or record["add_time"]
            self.tables[table] = {int(r["id"]): r for r in records}
        self.fields: dict[str, list[Record]] = {}
        for entity, attr in FIELD_ATTRS.items():
            fields = [self._normal_field(f) for f in _whole_seconds(copy.deepcopy(getattr(company, attr)))]
            if not any(not f.get("is_custom_field") for f in fields):
                fields = system_fields(entity) + fields
            self.fields[entity] = fields
        self.changed: dict[str, set[int]] = {table: set() for table in WRITABLE}
        self.created_fields: dict[str, list[str]] = {entity: [] for entity in ENTITIES}
        # Indexes over the tables, rebuilt lazily after a write: a list request reads one page from a
        # sorted index instead of sorting the whole table, so paging N records costs O(N), not O(N²).
        self._version = 0
        self._indexes: dict[tuple[str, str, str], tuple[int, Any]] = {}

    @staticmethod
    def _normal_field(field: Record) -> Record:
        if "field_code" not in field and "key" in field:
            field["field_code"] = field["key"]
        if "field_name" not in field and "name" in field:
            field["field_name"] = field["name"]
        return field

    def field_by_code(self, entity: str) -> dict[str, Record]:
        return {f["field_code"]: f for f in self.fields[entity]}

    def next_option_id(self) -> int:
        ids = [o["id"] for fields in self.fields.values() for f in fields for o in f.get("options") or []
               if isinstance(o.get("id"), int)]  # fmt: skip
        return max(ids, default=0) + 1

    def put(self, table: str, record: Record) -> None:
        self.tables[table][int(record["id"])] = record
        self.changed[table].add(int(record["id"]))
        self._version += 1

    def _index(self, kind: str, table: str, field: str, build: Callable[[], Any]) -> Any:
        cached = self._indexes.get((kind, table, field))
        if cached is None or cached[0] != self._version:
            cached = (self._version, build())
            self._indexes[(kind, table, field)] = cached
        return cached[1]

    def ordered(self, table: str, field: str) -> SortedRecords:
        """The table's records in ascending `sort_key(record, field)` order, with those keys."""

        def build() -> SortedRecords:
            pairs = sorted(((sort_key(r, field), r) for r in self.tables[table].values()), key=lambda p: p[0])
            return SortedRecords([k for k, _ in pairs], [r for _, r in pairs])

        return cast(SortedRecords, self._index("ordered", table, field, build))

    def grouped(self, table: str, field: str) -> dict[Any, list[Record]]:
        """The table's records by the value of `field` (records without it are left out)."""

        def build() -> dict[Any, list[Record]]:
            groups: dict[Any, list[Record]] = {}
            for record in self.tables[table].values():
                if record.get(field) is not None:
                    groups.setdefault(record[field], []).append(record)
            return groups

        return cast(dict[Any, list[Record]], self._index("grouped", table, field, build))

    def add_field(self, entity: str, field: Record) -> None:
        self.fields[entity].append(field)
        self.created_fields[entity].append(field["field_code"])

    def export_state(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            table: {i: copy.deepcopy(self.tables[table][i]) for i in sorted(ids)}
            for table, ids in self.changed.items()
        }
        by_code = {entity: self.field_by_code(entity) for entity in ENTITIES}
        for entity, codes in self.created_fields.items():
            state[FIELD_ATTRS[entity]] = [copy.deepcopy(by_code[entity][c]) for c in codes]
        return state

    def import_state(self, state: dict[str, Any]) -> None:
        for table in WRITABLE:
            for record in (state.get(table) or {}).values():
                self.put(table, copy.deepcopy(record))
        for entity, attr in FIELD_ATTRS.items():
            known = self.field_by_code(entity)
            for field in state.get(attr) or []:
                if field["field_code"] not in known:
                    self.add_field(entity, copy.deepcopy(field))
