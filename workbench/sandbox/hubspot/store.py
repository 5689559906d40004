"""The emulator's own copy of one portal: objects by type and id, property definitions, associations,
pipelines and owners, and what the API changed since generation (for the state file).

Objects keep their property values typed (Decimal, datetime, bool); system properties (`hs_object_id`,
`createdate`, the last-modified date) and the deal calculations (`hs_is_closed_won`, ...) are derived
when an object is drawn, so a write that moves a deal's stage moves its won flag too.
"""

from __future__ import annotations

import copy
from bisect import bisect_right
from datetime import UTC, datetime
from typing import Any

from workbench.sandbox.demo.dataset import HubSpotPortal
from workbench.sandbox.hubspot.properties import OBJECT_TYPES, custom_definition, standard_definitions

Record = dict[str, Any]
# stored direction -> (association type id from -> to, and back); HUBSPOT_DEFINED ids
TYPE_IDS = {
    ("contacts", "companies"): (1, 2),
    ("deals", "companies"): (5, 6),
    ("deals", "contacts"): (3, 4),
    ("deals", "line_items"): (19, 20),
}
LABELS = {1: "Primary", 2: "Primary", 5: "Primary", 6: "Primary"}


def _utc(value: Any) -> Any:
    """A copy with every instant aware UTC (new dicts and lists all the way down: the portal is shared)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC)
    if isinstance(value, dict):
        return {k: _utc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_utc(v) for v in value]
    return value


class PortalStore:
    """Records and definitions of one portal; `ordered()` answers list pages from a sorted index."""

    def __init__(self, portal: HubSpotPortal) -> None:
        self.portal_id = portal.portal_id
        self.objects: dict[str, dict[int, Record]] = {
            t: {int(r["id"]): _utc(r) for r in getattr(portal, t)} for t in OBJECT_TYPES
        }
        self.owners = [_utc(o) for o in portal.owners]
        self.pipelines = [_utc(p) for p in portal.pipelines]
        self.stages = {s["id"]: (p["id"], s) for p in self.pipelines for s in p["stages"]}
        self.definitions: dict[str, list[Record]] = {
            t: standard_definitions(t) + [custom_definition(d) for d in portal.properties.get(t, [])]
            for t in OBJECT_TYPES
        }
        # (from type, to type) -> from id -> [(to id, type id)]
        self.links: dict[tuple[str, str], dict[int, list[tuple[int, int]]]] = {}
        for key, pairs in portal.associations.items():
            source, target = key.split("/")
            forward, backward = TYPE_IDS[(source, target)]
            for from_id, to_ids in pairs.items():
                for to_id in to_ids:
                    self._link(source, int(from_id), target, int(to_id), forward)
                    self._link(target, int(to_id), source, int(from_id), backward)
        self.changed: dict[str, set[int]] = {t: set() for t in OBJECT_TYPES}
        self.created_definitions: dict[str, list[str]] = {t: [] for t in OBJECT_TYPES}
        self._version = 0
        self._indexes: dict[tuple[str, str], tuple[int, list[tuple[Any, int]], list[Record]]] = {}
        # one search query's matches, so paging through it reads the records once, not once a page
        self._searches: dict[str, tuple[int, list[Record]]] = {}

    def search_matches(self, query: str) -> list[Record] | None:
        cached = self._searches.get(query)
        return cached[1] if cached is not None and cached[0] == self._version else None

    def keep_search(self, query: str, matched: list[Record]) -> None:
        if len(self._searches) > 32:
            self._searches.clear()
        self._searches[query] = (self._version, matched)

    def _link(self, source: str, from_id: int, target: str, to_id: int, type_id: int) -> None:
        self.links.setdefault((source, target), {}).setdefault(from_id, []).append((to_id, type_id))

    def associated(self, source: str, from_id: int, target: str) -> list[tuple[int, int]]:
        """(to id, association type id) of one record's associations to `target`, by id."""
        return sorted(self.links.get((source, target), {}).get(from_id, []))

    def definition_map(self, object_type: str) -> dict[str, Record]:
        return {d["name"]: d for d in self.definitions[object_type]}

    def add_definition(self, object_type: str, definition: Record) -> None:
        self.definitions[object_type].append(definition)
        self.created_definitions[object_type].append(definition["name"])

    def put(self, object_type: str, record: Record) -> None:
        self.objects[object_type][int(record["id"])] = record
        self.changed[object_type].add(int(record["id"]))
        self._version += 1

    def ordered(self, object_type: str, field: str) -> tuple[list[tuple[Any, int]], list[Record]]:
        """Live (not archived) records sorted by (field value, id), beside those keys; built once per
        write, so paging N records costs O(N) rather than a sort per page."""
        cached = self._indexes.get((object_type, field))
        if cached is None or cached[0] != self._version:
            live = [r for r in self.objects[object_type].values() if not r.get("archived")]
            pairs = sorted(((_key(r, field), r) for r in live), key=lambda p: p[0])
            cached = (self._version, [k for k, _ in pairs], [r for _, r in pairs])
            self._indexes[(object_type, field)] = cached
        return cached[1], cached[2]

    def after(self, object_type: str, field: str, key: tuple[Any, int]) -> int:
        keys, _ = self.ordered(object_type, field)
        return bisect_right(keys, key)

    def export_state(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            t: {i: copy.deepcopy(self.objects[t][i]) for i in sorted(ids)} for t, ids in self.changed.items()
        }
        by_name = {t: self.definition_map(t) for t in OBJECT_TYPES}
        state["definitions"] = {
            t: [copy.deepcopy(by_name[t][n]) for n in names] for t, names in self.created_definitions.items()
        }
        return state

    def import_state(self, state: dict[str, Any]) -> None:
        for object_type in OBJECT_TYPES:
            for record in (state.get(object_type) or {}).values():
                self.put(object_type, copy.deepcopy(record))
            known = self.definition_map(object_type)
            for definition in (state.get("definitions") or {}).get(object_type) or []:
                if definition["name"] not in known:
                    self.add_definition(object_type, copy.deepcopy(definition))


def _key(record: Record, field: str) -> tuple[Any, int]:
    if field == "id":
        return (0, int(record["id"]))
    if field in ("updatedAt", "createdAt"):
        return (record[field], int(record["id"]))
    value = record["properties"].get(field)
    return ((value is not None, value if value is not None else 0), int(record["id"]))
