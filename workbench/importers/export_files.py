"""One Pipedrive export file read for import: the entity it holds (told from its headers), its columns
resolved against the mapping, and each row's cells read as typed values."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from workbench.errors import InputFileError
from workbench.importers.cell_values import (
    ValueProblem,
    cell_text,
    parse_currency,
    parse_date,
    parse_instant,
    parse_money,
    parse_number,
)
from workbench.importers.columns import (
    DETECTION_ORDER,
    ColumnMapping,
    Entity,
    ResolvedColumns,
    header_label,
    normalise_header,
)
from workbench.importers.readers import TableFile, read_table

_SHOWN_HEADERS = 25


# --- files -----------------------------------------------------------------------------------------
@dataclass
class LoadedFile:
    table: TableFile
    entity: Entity
    columns: ResolvedColumns
    strict_groups: bool  # semicolon-delimited: "1,200" is ambiguous
    extra_keys: dict[str, str]  # unmapped header → its custom_fields key

    @property
    def name(self) -> str:
        return self.table.path.name


def detect_entity(table: TableFile, mapping: ColumnMapping) -> Entity:
    """The entity a file exports, from its headers (or `mapping.files`)."""
    pinned = mapping.files.get(table.path.name)
    if pinned is not None:
        return pinned
    for entity in DETECTION_ORDER:
        columns = mapping.entity(entity)
        names = {normalise_header(a) for group in columns.required for f in group for a in columns.fields[f]}
        if any(columns.owns(h) or normalise_header(h) in names for h in table.headers):
            return entity
    raise InputFileError(
        str(table.path),
        "this does not look like a Pipedrive export of organisations, people, deals or products",
        row=1,
        hint="expected headers like 'Organization - Name', 'Person - Name', 'Deal - Title' or "
        f"'Product - Name' in row 1; found {_listing(table.headers)}. If this file uses other headers, map "
        "them, e.g. ColumnMapping.pipedrive().with_columns('organisations', name='Company'), or pin its "
        f"entity with ColumnMapping(files={{'{table.path.name}': 'organisations'}})",
    )


def load_file(path: Path, mapping: ColumnMapping) -> LoadedFile:
    table = read_table(path)
    entity = detect_entity(table, mapping)
    columns = mapping.entity(entity).resolve(table.headers)
    for group in columns.missing():
        entity_columns = mapping.entity(entity)
        expected = [a for f in group for a in entity_columns.fields[f]]
        raise InputFileError(
            str(path),
            f"this looks like a {entity_columns.noun} export but has no column for "
            f"{' / '.join(group)} (expected {_alternatives(expected)})",
            row=1,
            column=expected[0],
            hint=f"found {_listing(table.headers)}. If one of those holds it, map it: "
            f"ColumnMapping.pipedrive().with_columns('{entity}', {group[0]}='<that header>'); otherwise "
            "export again with that column shown",
        )
    strict = table.delimiter == ";" and mapping.decimal_separator == "auto"
    own = mapping.entity(entity)
    extra_keys = {h: header_label(h) if own.owns(h) else h for h in columns.unmapped}
    return LoadedFile(table, entity, columns, strict, extra_keys)


def _listing(headers: Sequence[str]) -> str:
    shown = ", ".join(f"'{h}'" for h in headers[:_SHOWN_HEADERS])
    more = len(headers) - _SHOWN_HEADERS
    return f"columns {shown}" + (f" and {more} more" if more > 0 else "") if headers else "no columns"


def _alternatives(headers: Sequence[str]) -> str:
    quoted = [f"'{h}'" for h in dict.fromkeys(headers)]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


# --- one row ---------------------------------------------------------------------------------------
class RowCells:
    """Typed access to one row's fields; an unreadable value raises an `InputFileError` naming the
    file, the row as Excel numbers it, the column and the value."""

    def __init__(self, item: LoadedFile, row: int, values: dict[str, object], mapping: ColumnMapping) -> None:
        self.item, self.row, self.values, self.mapping = item, row, values, mapping

    def raw(self, name: str) -> tuple[str | None, object]:
        header = self.item.columns.header(name)
        return header, (self.values.get(header) if header else None)

    def text(self, name: str) -> str | None:
        return cell_text(self.raw(name)[1])

    def many(self, name: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for header in self.item.columns.multi.get(name, []):
            text = cell_text(self.values.get(header))
            if text:
                out.extend((header, part.strip()) for part in re.split(r"[,;]", text) if part.strip())
        return out

    def money(self, name: str) -> tuple[Decimal, str | None] | None:
        return self._read(
            name,
            lambda v: parse_money(v, self.mapping.decimal_separator, strict_groups=self.item.strict_groups),
        )

    def number(self, name: str) -> Decimal | None:
        return self._read(
            name,
            lambda v: parse_number(v, self.mapping.decimal_separator, strict_groups=self.item.strict_groups),
        )

    def currency(self, name: str) -> str | None:
        return self._read(name, parse_currency)

    def instant(self, name: str) -> Any:
        return self._read(name, lambda v: parse_instant(v, self.mapping.zone, self.mapping.date_order))

    def day(self, name: str) -> Any:
        return self._read(name, lambda v: parse_date(v, self.mapping.date_order))

    def _read(self, name: str, parse: Any) -> Any:
        _, value = self.raw(name)
        try:
            return parse(value)
        except ValueProblem as problem:
            raise self.error(name, f"'{cell_text(value)}' {problem}", problem.hint) from None

    def error(self, name: str, message: str, hint: str) -> InputFileError:
        header = self.item.columns.header(name) or self.item.columns.columns.example(name)
        where = (
            f" (column {self.item.table.column_letter(header)})" if header in self.item.table.headers else ""
        )
        return InputFileError(
            str(self.item.table.path), message + where, row=self.row, column=header, hint=hint
        )

    def extras(self) -> dict[str, Any]:
        """Every non-empty column no field used: own fields by label ("VAT number"), others by header."""
        out: dict[str, Any] = {}
        for header, key in self.item.extra_keys.items():
            text = cell_text(self.values.get(header))
            if text is not None:
                out[key] = text
        return out
