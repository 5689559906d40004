"""The issue's "done when": export, edit as a client would, re-import, get exactly those changes and
exactly those errors; nothing of the exported version is lost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from tests.excel.workbook import add_row, cell, delete_row, headers, id_where, open_for_edit, row_of, set_cell
from tests.plan.factories import tiny_tables
from workbench.excel.engagement import ExportResult, import_plan
from workbench.plan.model import Direction, Master, SyncObject
from workbench.plan.versions import list_versions, load_version
from workbench.store import Engagement


def _valid_edits(path: Path, saved_as: Path) -> dict[str, str]:
    wb = open_for_edit(path)
    ids = {
        "vat": id_where(wb["Field mapping"], "CRM field", "VAT number"),
        "book": id_where(wb["Tax mapping"], "CRM value", "BOOK"),
    }
    set_cell(wb, "Field mapping", ids["vat"], "Direction", "Two-way")
    set_cell(wb, "Tax mapping", ids["book"], "Account code", "260")
    set_cell(wb, "Deal to invoice", "due_days", "Value", 14)
    set_cell(wb, "Sign-off", "S01", "Name", "Jo Bloggs")
    set_cell(wb, "Sign-off", "S01", "Date", datetime(2026, 11, 25))
    add_row(
        wb,
        "Field mapping",
        {
            "Object": "Contacts / companies",
            "CRM record": "Organisation",
            "CRM field": "Address",
            "Xero field": "Contact.Addresses[POBOX]",
            "Direction": "CRM → Xero",
            "Master": "CRM",
            "Required": "No",
        },
    )
    wb.save(saved_as)
    return ids


def _changes(result_changes: tuple[object, ...]) -> set[tuple[object, ...]]:
    return {(c.sheet, c.row_id, c.kind, c.column, c.old, c.new) for c in result_changes}  # type: ignore[attr-defined]


def test_a_client_edited_workbook_comes_back_with_exactly_its_changes_and_errors(
    tmp_path: Path, tiny: Engagement, mapping_workbook: Callable[..., ExportResult]
) -> None:
    exported = mapping_workbook()
    edited = tmp_path / "Tiny plan - reviewed by finance.xlsx"  # renamed on the way back
    ids = _valid_edits(exported.path, edited)
    wb = open_for_edit(edited)
    ids["widget"] = id_where(wb["Tax mapping"], "CRM value", "WIDGET")
    ids["address"] = id_where(wb["Field mapping"], "CRM field", "Address")
    ids["name"] = id_where(wb["Field mapping"], "Xero field", "Contact.Name")
    ids["payments"] = id_where(wb["Objects"], "Object", SyncObject.PAYMENTS.value)
    set_cell(wb, "Tax mapping", ids["widget"], "Tax type", "VAT20")  # an unknown tax code
    set_cell(wb, "Objects", ids["payments"], "Direction", "Sideways")  # a direction that does not exist
    delete_row(wb, "Field mapping", ids["name"])  # a deleted required row
    set_cell(wb, "Field mapping", ids["address"], "Master", "Finance")  # a dropdown typed over
    wb.save(edited)
    rows = {
        "widget": row_of(wb["Tax mapping"], ids["widget"]),
        "payments": row_of(wb["Objects"], ids["payments"]),
        "address": row_of(wb["Field mapping"], ids["address"]),
    }

    outcome = import_plan(tiny, edited, tables=tiny_tables(tiny))
    result = outcome.result

    assert [(p.sheet, p.row, p.column, p.value) for p in result.errors] == [
        ("Objects", rows["payments"], "Direction", "Sideways"),
        ("Field mapping", rows["address"], "Master", "Finance"),
        ("Field mapping", None, "ID", ids["name"]),
        ("Tax mapping", rows["widget"], "Tax type", "VAT20"),
    ]
    whys = [p.why for p in result.errors]
    assert whys[0].startswith(
        "not one of the choices ('CRM → Xero', 'Xero → CRM', 'Two-way' or 'Not synced')"
    )
    assert whys[1].startswith("not one of the choices ('CRM' or 'Xero')")
    assert (
        whys[2]
        == f"required row {ids['name']} (Contacts / companies / Name / Contact.Name) was deleted; it is kept"
    )
    assert whys[3].startswith(
        "'VAT20' is not a tax rate in this Xero organisation; use one of its sales rates: "
    )
    # the only warnings are the return-flow CRM fields the client still has to create
    assert result.warnings and all("create it before go-live" in p.why for p in result.warnings)

    new_id = f"F{len(exported.version.plan.fields) + 1:02d}"
    assert _changes(result.changes) == {
        ("Field mapping", ids["vat"], "changed", "Direction", Direction.CRM_TO_XERO, Direction.TWO_WAY),
        ("Field mapping", new_id, "added", "", None, None),
        ("Tax mapping", ids["book"], "changed", "Account code", "200", "260"),
        ("Deal to invoice", "due_days", "changed", "Days until due", 30, 14),
        ("Sign-off", "S01", "changed", "Name", None, "Jo Bloggs"),
        ("Sign-off", "S01", "changed", "Date", None, date(2026, 11, 25)),
    }
    # every failing cell kept its exported value, and the deleted required row is still there
    plan = result.plan
    by_id = {f.id: f for f in plan.fields}
    assert by_id[ids["address"]].master is Master.CRM and ids["name"] in by_id
    assert next(r for r in plan.tax_rules if r.id == ids["widget"]).tax_type == "OUTPUT2"
    assert next(o for o in plan.objects if o.id == ids["payments"]).direction is Direction.XERO_TO_CRM
    added = by_id[new_id]
    assert (added.crm_field, added.xero_field, added.in_use) == ("Address", "Contact.Addresses[POBOX]", "")

    # with errors nothing is stored: version 1 stays the only one, unchanged
    assert outcome.saved is None
    assert [v.version for v in list_versions(tiny)] == [1]
    assert load_version(tiny, 1).plan == exported.version.plan
    assert tiny.audit_log()["action"].tolist()[-1] == "plan import rejected"


def test_a_workbook_without_errors_becomes_a_new_version_and_the_old_one_is_kept(
    tmp_path: Path, tiny: Engagement, mapping_workbook: Callable[..., ExportResult]
) -> None:
    exported = mapping_workbook()
    edited = tmp_path / "signed.xlsx"
    ids = _valid_edits(exported.path, edited)

    outcome = import_plan(tiny, edited, tables=tiny_tables(tiny))

    assert outcome.result.errors == [] and len(outcome.result.changes) == 6
    assert outcome.saved is not None
    assert (outcome.saved.version, outcome.saved.based_on, outcome.saved.origin) == (2, 1, "client workbook")
    assert outcome.saved.note == "signed.xlsx: 6 changes"
    stored = load_version(tiny, 2).plan
    assert stored.signed_off and stored.deal_invoice.due_days == 14
    assert next(f for f in stored.fields if f.id == ids["vat"]).direction is Direction.TWO_WAY
    assert load_version(tiny, 1).plan == exported.version.plan  # the exported version is untouched

    # the next export is version 2; the old workbook still imports, with a warning that it is stale
    again = mapping_workbook("v2.xlsx")
    assert (again.version.version, again.proposed) == (2, False)
    assert cell(open_for_edit(again.path), "Deal to invoice", "due_days", "Value") == 14
    stale = import_plan(tiny, edited, tables=tiny_tables(tiny)).result
    assert stale.warnings[0].sheet == "Cover" and "version 2 was stored after" in stale.warnings[0].why


def test_unedited_workbook_has_no_changes_and_emptied_rows_count_as_deleted(
    tmp_path: Path, tiny: Engagement, mapping_workbook: Callable[..., ExportResult]
) -> None:
    exported = mapping_workbook()
    untouched = import_plan(tiny, exported.path, tables=tiny_tables(tiny))
    assert untouched.result.changes == () and untouched.result.errors == []
    assert untouched.saved is None and [v.version for v in list_versions(tiny)] == [1]  # nothing new to keep

    wb = open_for_edit(exported.path)
    sector = id_where(wb["Field mapping"], "CRM field", "Sector")
    ws = wb["Field mapping"]
    for header in headers(ws):
        if header not in ("ID", "In use"):
            set_cell(wb, "Field mapping", sector, header, None)
    set_cell(wb, "Field mapping", "F01", "In use", "everyone")  # a locked column, edited anyway
    wb.save(tmp_path / "emptied.xlsx")
    result = import_plan(tiny, tmp_path / "emptied.xlsx", tables=tiny_tables(tiny)).result
    assert [(c.row_id, c.kind) for c in result.changes] == [(sector, "removed")]
    assert [(p.column, p.value, p.severity) for p in result.problems if p.column == "In use"] == [
        ("In use", "everyone", "warning")
    ]


def test_the_won_deals_cut_off_is_proposed_exported_as_a_date_and_read_back(
    tmp_path: Path, tiny: Engagement, mapping_workbook: Callable[..., ExportResult]
) -> None:
    exported = mapping_workbook()
    proposed = exported.version.plan.deal_invoice
    # the tiny client's data is read as of 25/11/2026: the flow starts with that month's won deals;
    # its three won deals were all won in March, so none is swept up by the first run
    assert proposed.won_after == date(2026, 11, 1)
    assert proposed.evidence["won_after"].startswith(
        "the first day of the month the data is read as of (25/11/2026): 0 won deals since then, "
        "3 earlier won deals left alone"
    )
    wb = open_for_edit(exported.path)
    assert cell(wb, "Deal to invoice", "won_after", "Value") == datetime(2026, 11, 1)

    set_cell(wb, "Deal to invoice", "won_after", "Value", "01/03/2026")  # typed as a UK date
    wb.save(tmp_path / "earlier.xlsx")
    outcome = import_plan(tiny, tmp_path / "earlier.xlsx", tables=tiny_tables(tiny))
    assert outcome.result.errors == []
    assert _changes(outcome.result.changes) == {
        (
            "Deal to invoice",
            "won_after",
            "changed",
            "Deals won on or after",
            date(2026, 11, 1),
            date(2026, 3, 1),
        )
    }
    assert outcome.saved is not None and load_version(tiny, 2).plan.deal_invoice.won_after == date(2026, 3, 1)

    row = set_cell(wb, "Deal to invoice", "won_after", "Value", "31/02/2026")
    wb.save(tmp_path / "no such day.xlsx")
    bad = import_plan(tiny, tmp_path / "no such day.xlsx", tables=tiny_tables(tiny)).result
    assert [(p.sheet, p.row, p.column, p.value) for p in bad.errors] == [
        ("Deal to invoice", row, "Value", "31/02/2026")
    ]
    assert "there is no day 31/02/2026" in bad.errors[0].why
