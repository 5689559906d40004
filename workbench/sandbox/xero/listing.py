"""GET list semantics shared by every collection: filters, order, If-Modified-Since and paging."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from workbench.sandbox.demo.dataset import Record
from workbench.sandbox.wire import Request
from workbench.sandbox.xero.encode import parse_if_modified_since
from workbench.sandbox.xero.store import ID_FIELDS, TenantStore
from workbench.sandbox.xero.where import WhereError, compile_where

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_ORDER_PART = re.compile(r"^\s*([A-Za-z.]+)\s*(ASC|DESC)?\s*$", re.IGNORECASE)

# collection -> (csv list parameter -> field it filters)
_LIST_PARAMETERS: dict[str, dict[str, str]] = {
    "Invoices": {
        "IDs": "InvoiceID",
        "InvoiceNumbers": "InvoiceNumber",
        "ContactIDs": "Contact.ContactID",
        "Statuses": "Status",
    },
    "Contacts": {"IDs": "ContactID"},
    "CreditNotes": {},
    "Payments": {},
}
# which statuses are hidden unless includeArchived=true
_ARCHIVED = {"Contacts": ("ContactStatus", "ARCHIVED"), "Invoices": ("Status", "ARCHIVED")}


class ListError(ValueError):
    """A list request Xero would answer with 400; the message is Xero's."""


@dataclass
class Page:
    records: list[Record]
    pagination: dict[str, int] | None


def _field(record: Record, dotted: str) -> Any:
    value: Any = record
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _sort_value(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, datetime):
        return (1, value if value.tzinfo else value.replace(tzinfo=UTC))
    if isinstance(value, date):
        return (1, datetime(value.year, value.month, value.day, tzinfo=UTC))
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return (2, Decimal(str(value)))
    return (3, str(value).lower())


def _order_key(collection: str, order: str | None) -> Callable[[Record], tuple[Any, ...]]:
    id_field = ID_FIELDS[collection]
    parts: list[tuple[str, bool]] = []
    for chunk in (order or "").split(","):
        if not chunk.strip():
            continue
        found = _ORDER_PART.match(chunk)
        if not found:
            raise ListError(f"The order clause '{order}' could not be parsed.")
        parts.append((found.group(1), (found.group(2) or "ASC").upper() == "DESC"))
    if not parts:
        parts = (
            [("UpdatedDateUTC", False)]
            if collection not in ("Accounts", "TaxRates", "Currencies", "Items")
            else []
        )

    def key(record: Record) -> tuple[Any, ...]:
        values = tuple(
            _Reverse(_sort_value(_field(record, f))) if descending else _sort_value(_field(record, f))
            for f, descending in parts
        )
        return (*values, str(record.get(id_field)))

    return key


class _Reverse:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Reverse) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reverse) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)


class Lister:
    """Answers list GETs; remembers the last result per query so paging through it is cheap."""

    def __init__(self) -> None:
        self._cache: dict[tuple[Any, ...], list[Record]] = {}

    def run(self, store: TenantStore, collection: str, request: Request) -> Page:
        param = lambda name: request.param(name, case_insensitive=True)  # noqa: E731
        where = param("where")
        order = param("order")
        include_archived = (param("includeArchived") or "").lower() == "true"
        ims_header = request.headers.get("If-Modified-Since")
        modified_since = parse_if_modified_since(ims_header) if ims_header else None
        lists = tuple(
            (field, tuple(v.strip().lower() for v in (param(name) or "").split(",") if v.strip()))
            for name, field in _LIST_PARAMETERS.get(collection, {}).items()
            if param(name)
        )
        key = (
            store.tenant_id,
            store.version,
            collection,
            where,
            order,
            include_archived,
            modified_since,
            lists,
        )
        matches = self._cache.get(key)
        if matches is None:
            matches = self._select(store, collection, where, order, include_archived, modified_since, lists)
            self._cache = {key: matches}
        return self._page(matches, param("page"), param("pageSize"))

    def _select(
        self,
        store: TenantStore,
        collection: str,
        where: str | None,
        order: str | None,
        include_archived: bool,
        modified_since: datetime | None,
        lists: tuple[tuple[str, tuple[str, ...]], ...],
    ) -> list[Record]:
        try:
            predicate = compile_where(where) if where else None
        except WhereError as exc:
            raise ListError(str(exc)) from exc
        archived = _ARCHIVED.get(collection)
        selected = []
        for record in store.collections[collection].values():
            if archived and not include_archived and record.get(archived[0]) == archived[1]:
                continue
            if modified_since is not None:
                updated = record.get("UpdatedDateUTC")
                if not isinstance(updated, datetime) or updated.replace(microsecond=0) < modified_since:
                    continue
            if any(str(_field(record, field) or "").lower() not in values for field, values in lists):
                continue
            if predicate is not None and not predicate(record):
                continue
            selected.append(record)
        selected.sort(key=_order_key(collection, order))
        return selected

    @staticmethod
    def _page(matches: list[Record], page_raw: str | None, size_raw: str | None) -> Page:
        if page_raw is None or page_raw == "":
            return Page(matches, None)
        try:
            page = max(1, int(page_raw))
            size = int(size_raw) if size_raw else DEFAULT_PAGE_SIZE
        except ValueError as exc:
            raise ListError("The page and pageSize parameters must be whole numbers.") from exc
        size = min(max(size, 1), MAX_PAGE_SIZE)  # Xero adjusts out-of-range sizes rather than failing
        count = len(matches)
        start = (page - 1) * size
        return Page(
            matches[start : start + size],
            {
                "page": page,
                "pageSize": size,
                "pageCount": math.ceil(count / size) if count else 0,
                "itemCount": count,
            },
        )
