"""Every problem of a returned workbook is reported, by sheet, row, column and value, and never stops
the others from being read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.excel.workbook import add_row, headers, id_where, open_for_edit, row_of, set_cell
from tests.plan.factories import tiny_tables
from workbench.excel.engagement import ExportResult, import_plan
from workbench.excel.reimport import ReimportResult
from workbench.store import Engagement


def _import(tiny: Engagement, path: Path) -> ReimportResult:
    return import_plan(tiny, path, tables=tiny_tables(tiny)).result


def _errors(result: ReimportResult) -> list[tuple[object, ...]]:
    return [(p.sheet, p.row, p.column, p.value, p.why) for p in result.errors]


def test_ids_that_are_unknown_or_repeated_are_reported_and_skipped(
    tmp_path: Path, tiny: Engagement, mapping_workbook: Callable[..., ExportResult]
) -> None:
    wb = open_for_edit(mapping_workbook().path)
    ws = wb["Field mapping"]
    copy_row = add_row(wb, "Field mapping", {"Object": "Contacts / companies", "CRM record": "Person",
                                             "CRM field": "Email", "Xero field": "Contact.EmailAddress",
                                             "Direction": "CRM → Xero"})  # fmt: skip
    ws.cell(row=copy_row, column=1).value = "F03"
    made_up = add_row(wb, "Field mapping", {"Object": "Contacts / companies", "CRM record": "Person",
                                            "CRM field": "Phone", "Direction": "Not synced"})  # fmt: skip
    ws.cell(row=made_up, column=1).value = "F77"
    wb.save(tmp_path / "ids.xlsx")
    result = _import(tiny, tmp_path / "ids.xlsx")
    assert _errors(result) == [
        (
            "Field mapping",
            copy_row,
            "ID",
            "F03",
            f"this row repeats row {row_of(ws, 'F03')}; keep one of them",
        ),
        (
            "Field mapping",
            made_up,
            "ID",
            "F77",
            "this ID is not in the exported plan; clear the ID to add the row as new",
        ),
    ]
    assert result.changes == ()


def test_bad_cells_each_get_their_own_problem(
    tmp_path: Path, tiny: Engagement, mapping_workbook: Callable[..., ExportResult]
) -> None:
    wb = open_for_edit(mapping_workbook().path)
    vat = id_where(wb["Field mapping"], "CRM field", "VAT number")
    hashed = set_cell(wb, "Field mapping", vat, "CRM field", "9020d50f6ca8b26e56e50f05c025ce1eed514354")
    days = set_cell(wb, "Deal to invoice", "due_days", "Value", "fourteen")
    status = set_cell(wb, "Deal to invoice", "status", "Value", "Approved")
    signed = set_cell(wb, "Sign-off", "S02", "Date", "31/02/2026")
    set_cell(wb, "Sign-off", "S02", "Name", "Al Jones")
    incomplete = add_row(
        wb, "Field mapping", {"CRM record": "Person", "CRM field": "Phone"}
    )  # no object or direction
    wb.save(tmp_path / "cells.xlsx")
    result = _import(tiny, tmp_path / "cells.xlsx")
    assert [(p.sheet, p.row, p.column, p.value) for p in result.errors] == [
        ("Field mapping", hashed, "CRM field", "9020d50f6ca8b26e56e50f05c025ce1eed514354"),
        ("Field mapping", incomplete, "Object", None),
        ("Field mapping", incomplete, "Direction", None),
        ("Sign-off", signed, "Date", "31/02/2026"),
        ("Deal to invoice", days, "Value", "fourteen"),
        ("Deal to invoice", status, "Value", "Approved"),
        ("Sign-off", signed, "Date", None),  # the date stayed blank, so Al Jones signed without one
    ]
    whys = [p.why for p in result.errors]
    assert whys[0] == "name the CRM field as the CRM shows it (e.g. 'VAT number'), not its 40-character key"
    assert whys[1] == whys[2] == "this cell cannot be empty"
    assert whys[3] == "there is no day 31/02/2026; enter a date, e.g. 25/11/2026"
    assert whys[4] == "enter a whole number"
    assert whys[5].startswith("not one of the choices ('DRAFT', 'SUBMITTED' or 'AUTHORISED')")
    assert [(c.sheet, c.row_id, c.column) for c in result.changes] == [("Sign-off", "S02", "Name")]


def test_out_of_range_and_a_missing_column_keep_the_exported_values(
    tmp_path: Path, tiny: Engagement, mapping_workbook: Callable[..., ExportResult]
) -> None:
    wb = open_for_edit(mapping_workbook().path)
    days = set_cell(wb, "Deal to invoice", "due_days", "Value", 400)
    reference = set_cell(wb, "Deal to invoice", "reference", "Value", "INV-<deal id>")
    ws = wb["Match keys"]
    ws.delete_cols(headers(ws)["When it matches"])
    wb.save(tmp_path / "columns.xlsx")
    result = _import(tiny, tmp_path / "columns.xlsx")
    assert _errors(result) == [
        ("Match keys", 3, "When it matches", None, "this column is missing; its exported values are kept"),
        ("Deal to invoice", days, "Value", 400, "should be less than or equal to 365"),
    ]
    assert result.changes == ()
    assert [(p.sheet, p.row, p.value, p.why) for p in result.warnings if p.sheet == "Deal to invoice"] == [
        (
            "Deal to invoice",
            reference,
            "INV-<deal id>",
            "'Invoice reference' is fixed by the flow; the change was ignored",
        )
    ]
