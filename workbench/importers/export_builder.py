"""The canonical CRM tables built from loaded export files: records by id or a synthetic id, links by id
or by name, owners, stages and the field list, with a warning for every guess."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from workbench.canonical import TABLES as CANONICAL
from workbench.canonical import Row
from workbench.importers.columns import (
    DETECTION_ORDER,
    ColumnMapping,
    Entity,
    EntityColumns,
    header_label,
    normalise_header,
    normalise_name,
)
from workbench.importers.export_files import LoadedFile, RowCells
from workbench.pull.source import CanonicalBatch

SOURCE = "pipedrive-export"
BUILD_ORDER: tuple[Entity, ...] = ("organisations", "products", "people", "deals")  # linked-to first
TABLES = ("organisations", "people", "deals", "products", "crm_users", "stages", "crm_fields")
_SHOWN_EXAMPLES = 5


@dataclass
class FileSummary:
    """What one file was read as."""

    path: Path
    entity: Entity
    rows: int
    format: str
    columns: dict[str, str]  # field → the header that fed it
    unmapped: list[str]  # headers kept only in custom_fields (own entity) or ignored (other entities)


@dataclass
class ImportResult:
    batch: CanonicalBatch
    warnings: list[str] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.batch.rows.items()}


# --- building the tables ---------------------------------------------------------------------------
@dataclass
class _Index:
    """The records of one entity built so far: by id (with where they came from) and by name."""

    noun: str
    files: list[str] = field(default_factory=list)
    origin: dict[str, tuple[str, int]] = field(default_factory=dict)
    rows: dict[str, Row] = field(default_factory=dict)
    by_name: dict[str, list[str]] = field(default_factory=dict)

    def synthetic(self, natural: str) -> str:
        candidate, n = natural, 1
        while candidate in self.origin:
            n += 1
            candidate = f"{natural}~{n}"
        return candidate


class TableBuilder:
    """Adds loaded files entity by entity (linked-to entities first) and returns the batch."""

    def __init__(self, mapping: ColumnMapping, loaded: list[LoadedFile]) -> None:
        self.mapping = mapping
        self.rows: dict[str, list[Row]] = {t: [] for t in TABLES}
        self.index: dict[Entity, _Index] = {
            e: _Index(mapping.entity(e).noun, [i.name for i in loaded if i.entity == e]) for e in BUILD_ORDER
        }
        self.users: dict[str, Row] = {}
        self.stages: dict[str, Row] = {}
        self.fields: dict[tuple[str, str], Row] = {}
        self.warnings: list[str] = []
        self.notes: dict[tuple[str, str], list[str]] = {}  # (file, what) → examples
        self.summaries: list[FileSummary] = []

    def result(self) -> ImportResult:
        self.rows["crm_users"] = list(self.users.values())
        self.rows["stages"] = list(self.stages.values())
        self.rows["crm_fields"] = list(self.fields.values())
        for (name, what), examples in self.notes.items():
            shown = ", ".join(examples[:_SHOWN_EXAMPLES]) + (", …" if len(examples) > _SHOWN_EXAMPLES else "")
            count = f"{len(examples)} row" + ("s" if len(examples) > 1 else "")
            self.warnings.append(f"{name}: {what} ({count}): {shown}")
        return ImportResult(CanonicalBatch(rows=self.rows), self.warnings, self.summaries)

    def add_file(self, item: LoadedFile) -> None:
        self.warnings.extend(item.table.warnings)
        build = {
            "organisations": self._organisation,
            "people": self._person,
            "deals": self._deal,
            "products": self._product,
        }[item.entity]
        own = self.mapping.entity(item.entity)
        id_field = next(n for n, k in own.kinds.items() if k == "id")
        synthetic = 0
        for row_number, values in item.table:
            cells = RowCells(item, row_number, values, self.mapping)
            row, natural = build(cells)
            key_column = CANONICAL[item.entity].key[-1]
            given = cells.text(id_field)
            if given is None:
                synthetic += 1
            self._register(item, cells, id_field, key_column, row, given, natural)
        if synthetic:
            header = own.example(id_field)
            self.warnings.append(
                f"{item.name}: {synthetic} of {len(item.table)} rows have no '{header}', so their ids were "
                "made from names or emails (e.g. 'name:…'); export with the ID column shown for ids that "
                "survive renames"
            )
        self._field_rows(item)
        self.summaries.append(
            FileSummary(
                item.table.path,
                item.entity,
                len(item.table),
                item.table.format,
                dict(item.columns.single) | {k: ", ".join(v) for k, v in item.columns.multi.items()},
                item.columns.unmapped,
            )
        )

    def _register(
        self,
        item: LoadedFile,
        cells: RowCells,
        id_field: str,
        key: str,
        row: Row,
        given: str | None,
        natural: str,
    ) -> None:
        index = self.index[item.entity]
        record_id = given if given is not None else index.synthetic(natural)
        row[key] = record_id
        if record_id in index.origin:
            first_file, first_row = index.origin[record_id]
            if index.rows[record_id] == row:
                self._note(
                    item.name,
                    f"repeats {_a(index.noun)} already read, skipped",
                    f"row {cells.row} (same as {first_file} row {first_row})",
                )
                return
            raise cells.error(
                id_field,
                f"{index.noun} id '{record_id}' appears twice, with different data (first in {first_file}, "
                f"row {first_row})",
                "remove the duplicate row, or leave out one of two overlapping export files",
            )
        index.origin[record_id] = (item.name, cells.row)
        index.rows[record_id] = row
        name = row.get("name") or row.get("title")
        if isinstance(name, str):
            index.by_name.setdefault(normalise_name(name), []).append(record_id)
        self.rows[item.entity].append(row)

    # entities ------------------------------------------------------------------------------------
    def _organisation(self, cells: RowCells) -> tuple[Row, str]:
        name = self._required(cells, "name", "the organisation has no name")
        website, address = cells.text("website"), cells.text("address")
        owner_id, owner_name = self._owner(cells)
        row: Row = {
            "source": SOURCE,
            "org_id": None,
            "name": name,
            "website": website,
            "email_domain": domain_of(website),
            "address": address,
            "city": cells.text("city"),
            "postcode": cells.text("postcode") or uk_postcode_in(address),
            "country": cells.text("country"),
            "vat_number": cells.text("vat_number"),
            "company_number": cells.text("company_number"),
            "xero_contact_id": cells.text("xero_contact_id"),
            "owner_id": owner_id,
            "owner_name": owner_name,
            "created_at": cells.instant("created_at"),
            "updated_at": cells.instant("updated_at"),
            "is_deleted": False,
            "custom_fields": cells.extras(),
        }
        return row, f"name:{normalise_name(name)}"

    def _person(self, cells: RowCells) -> tuple[Row, str]:
        first, last = cells.text("first_name"), cells.text("last_name")
        name = cells.text("name") or " ".join(p for p in (first, last) if p) or None
        if name is None:
            raise cells.error("name", "the person has no name", "fill in the name, or delete the row")
        emails = _contact_points(cells.many("emails"))
        phones = _contact_points(cells.many("phones"))
        row: Row = {
            "source": SOURCE,
            "person_id": None,
            "org_id": self._link(cells, "organisations", "org_ref", "org_name"),
            "name": name,
            "first_name": first,
            "last_name": last,
            "email": emails[0]["value"] if emails else None,
            "emails": emails,
            "phone": phones[0]["value"] if phones else None,
            "job_title": cells.text("job_title"),
            "owner_id": self._owner(cells)[0],
            "created_at": cells.instant("created_at"),
            "updated_at": cells.instant("updated_at"),
            "is_deleted": False,
            "custom_fields": cells.extras() | ({"Phones": phones} if len(phones) > 1 else {}),
        }
        natural = f"email:{str(row['email']).casefold()}" if row["email"] else f"name:{normalise_name(name)}"
        return row, natural

    def _deal(self, cells: RowCells) -> tuple[Row, str]:
        title = self._required(cells, "title", "the deal has no title")
        value, currency = self._amount(cells, "value", "currency")
        status = self._status(cells)
        pipeline, stage = cells.text("pipeline_name"), cells.text("stage_name")
        owner_id, owner_name = self._owner(cells)
        org_name = cells.text("org_name")
        row: Row = {
            "source": SOURCE,
            "deal_id": None,
            "title": title,
            "org_id": self._link(cells, "organisations", "org_ref", "org_name"),
            "person_id": self._link(cells, "people", "person_ref", "person_name"),
            "owner_id": owner_id,
            "owner_name": owner_name,
            "value": value,
            "currency": currency,
            "status": status,
            "is_won": None if status is None else status == "won",
            "pipeline_id": f"name:{normalise_name(pipeline)}" if pipeline else None,
            "pipeline_name": pipeline,
            "stage_id": self._stage(pipeline, stage),
            "stage_name": stage,
            "won_time": cells.instant("won_time"),
            "lost_time": cells.instant("lost_time"),
            "close_time": cells.instant("close_time"),
            "expected_close_date": cells.day("expected_close_date"),
            "created_at": cells.instant("created_at"),
            "updated_at": cells.instant("updated_at"),
            "is_deleted": status == "deleted",
            "custom_fields": cells.extras(),
        }
        natural = f"title:{normalise_name(title)}" + (f" @ {normalise_name(org_name)}" if org_name else "")
        return row, natural

    def _product(self, cells: RowCells) -> tuple[Row, str]:
        name = self._required(cells, "name", "the product has no name")
        price, currency = self._amount(cells, "price", "price_currency")
        code = cells.text("code")
        row: Row = {
            "source": SOURCE,
            "product_id": None,
            "code": code,
            "name": name,
            "unit": cells.text("unit"),
            "tax_percent": cells.number("tax_percent"),
            "prices": [] if price is None else [{"currency": currency, "price": str(price)}],
            "is_deleted": False,
            "updated_at": cells.instant("updated_at"),
        }
        return row, (f"code:{normalise_name(code)}" if code else f"name:{normalise_name(name)}")

    # parts ---------------------------------------------------------------------------------------
    @staticmethod
    def _required(cells: RowCells, name: str, message: str) -> str:
        text = cells.text(name)
        if text is None:
            raise cells.error(name, message, "fill it in, or delete the row")
        return text

    def _amount(
        self, cells: RowCells, value_field: str, currency_field: str
    ) -> tuple[Decimal | None, str | None]:
        parsed = cells.money(value_field)
        column = cells.currency(currency_field)
        amount, named = parsed if parsed is not None else (None, None)
        if named == "$" and column is None:
            raise cells.error(
                value_field,
                f"'{cells.text(value_field)}' says '$' but not which dollar",
                f"fill in the currency column ({cells.item.columns.columns.example(currency_field)}) with "
                "USD, AUD, CAD…",
            )
        if named not in (None, "$") and column is not None and named != column:
            raise cells.error(
                value_field,
                f"'{cells.text(value_field)}' is in {named} but the currency column says {column}",
                "correct one of the two cells",
            )
        currency = column or (named if named != "$" else None) or self.mapping.default_currency
        return amount, currency

    def _status(self, cells: RowCells) -> str | None:
        text = cells.text("status")
        if text is None:
            return None
        status = self.mapping.statuses.get(text.casefold())
        if status is None:
            known = ", ".join(sorted(self.mapping.statuses))
            raise cells.error(
                "status",
                f"'{text}' is not a deal status we know ({known})",
                "correct the cell, or map the word to open/won/lost/deleted: "
                f"ColumnMapping.from_dict({{'statuses': {{'{text}': 'won'}}}})",
            )
        return status

    def _owner(self, cells: RowCells) -> tuple[str | None, str | None]:
        name = cells.text("owner_name")
        if name is None:
            return None, None
        user_id = f"name:{normalise_name(name)}"
        self.users.setdefault(
            user_id, {"source": SOURCE, "user_id": user_id, "name": name, "email": None, "is_active": None}
        )
        return user_id, name

    def _stage(self, pipeline: str | None, stage: str | None) -> str | None:
        if stage is None:
            return None
        pipeline_id = f"name:{normalise_name(pipeline)}" if pipeline else None
        stage_id = (
            f"{pipeline_id}/{normalise_name(stage)}" if pipeline_id else f"name:{normalise_name(stage)}"
        )
        self.stages.setdefault(
            stage_id,
            {
                "source": SOURCE,
                "stage_id": stage_id,
                "pipeline_id": pipeline_id,
                "pipeline_name": pipeline,
                "name": stage,
                "order_nr": None,
                "deal_probability": None,
            },
        )
        return stage_id

    def _link(self, cells: RowCells, target: Entity, ref_field: str, name_field: str) -> str | None:
        index = self.index[target]
        where = " or ".join(index.files)
        ref, name = cells.text(ref_field), cells.text(name_field)
        if ref is not None:
            if index.files and ref not in index.origin:
                self._note(
                    cells.item.name,
                    f"names {_a(index.noun)} id that is not in {where}",
                    f"row {cells.row} '{ref}'",
                )
            return ref
        if name is None:
            return None
        ids = index.by_name.get(normalise_name(name), [])
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            self._note(
                cells.item.name,
                f"names {_a(index.noun)} that {len(ids)} records share, so it was left unlinked",
                f"row {cells.row} '{name}'",
            )
            return None
        if index.files:
            self._note(
                cells.item.name,
                f"names {_a(index.noun)} that is not in {where} (a name-based link 'name:…' is kept)",
                f"row {cells.row} '{name}'",
            )
        else:
            self._note(
                cells.item.name,
                f"links {_a(index.noun)} by name only, as no {target} export was given",
                f"row {cells.row} '{name}'",
            )
        return f"name:{normalise_name(name)}"

    def _note(self, file_name: str, what: str, example: str) -> None:
        self.notes.setdefault((file_name, what), []).append(example)

    def _field_rows(self, item: LoadedFile) -> None:
        """One crm_fields row per column: the entity its prefix names (else the file's), what it feeds."""
        entities = [self.mapping.entity(e) for e in DETECTION_ORDER]
        for header in item.table.headers:
            if header.startswith("(column "):  # a column with no header: no field to describe
                continue
            owner: EntityColumns = next(
                (e for e in entities if e.owns(header)), self.mapping.entity(item.entity)
            )
            feeds = owner.field_of(header)
            key = (owner.api_entity, normalise_header(header))
            self.fields.setdefault(
                key,
                {
                    "source": SOURCE,
                    "entity": owner.api_entity,
                    "field_key": header,
                    "name": header_label(header),
                    "field_type": owner.kinds[feeds] if feeds else None,
                    "is_custom": False if feeds else None,
                    "options": None,
                },
            )


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _contact_points(found: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """Emails or phones as Pipedrive's API shapes them ({value, label, primary}), first one primary."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for header, value in found:
        if value.casefold() in seen:
            continue
        seen.add(value.casefold())
        parts = normalise_header(header).split(" - ")
        out.append({"value": value, "label": parts[2] if len(parts) > 2 else None, "primary": not out})
    return out


def domain_of(website: str | None) -> str | None:
    """The host of a website, without "www.": "https://www.Acme.co.uk/about" → "acme.co.uk"."""
    if not website:
        return None
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", website.strip().lower())
    host = re.split(r"[/?#:\s]", text, maxsplit=1)[0].removeprefix("www.")
    return host if "." in host else None


_UK_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)


def uk_postcode_in(address: str | None) -> str | None:
    """A UK postcode found in a one-line address (Pipedrive's combined address field), formatted."""
    if not address:
        return None
    found = _UK_POSTCODE.findall(address)
    return f"{found[-1][0]} {found[-1][1]}".upper() if found else None
