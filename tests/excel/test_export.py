from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tests.excel.workbook import headers, row_of
from workbench.excel.cover import GotchaRow, RouteCostRow, RouteSummary
from workbench.excel.engagement import ExportResult
from workbench.excel.identity import IDENTITY_SHEET
from workbench.excel.layout import FIRST_ROW
from workbench.plan.model import content_hash
from workbench.profile.findings import Finding, findings_frame
from workbench.store import Engagement

SHEETS = [
    "Cover", "Objects", "Field mapping", "Deal to invoice", "Tax mapping", "Match keys", "Duplicates",
    "VAT findings", "Gotchas", "Sign-off", "Lists", IDENTITY_SHEET,
]  # fmt: skip


def _list(wb: object, name: str) -> list[str]:
    reference = wb.defined_names[name].attr_text  # type: ignore[attr-defined]
    sheet, cells = reference.split("!")
    ws = wb[sheet.strip("'")]  # type: ignore[index]
    return [c.value for (c,) in ws[cells.replace("$", "")]]


def _validation_for(ws: Worksheet, coordinate: str) -> str | None:
    for validation in ws.data_validations.dataValidation:
        if coordinate in validation.sqref:
            return str(validation.formula1)
    return None


def test_sheets_in_order_with_the_lists_hidden_and_the_identity_very_hidden(
    tiny: Engagement, mapping_workbook: Callable[..., ExportResult]
) -> None:
    result = mapping_workbook()
    wb = load_workbook(result.path)
    assert wb.sheetnames == SHEETS
    assert wb["Lists"].sheet_state == "hidden" and wb[IDENTITY_SHEET].sheet_state == "veryHidden"
    assert wb.security is not None and wb.security.lockStructure
    identity = {r[0]: r[1] for r in wb[IDENTITY_SHEET].iter_rows(values_only=True)}
    assert identity["engagement_id"] == tiny.engagement_id and identity["engagement_name"] == "tiny"
    assert identity["plan_version"] == "1" and identity["content_hash"] == content_hash(result.version.plan)
    assert result.proposed and result.version.origin == "proposed"


def test_dropdowns_offer_only_the_tenants_usable_codes(mapping_workbook: Callable[..., ExportResult]) -> None:
    wb = load_workbook(mapping_workbook().path)
    assert _list(wb, "RevenueTaxTypes") == [
        "DRCHARGE20",
        "EXEMPTOUTPUT",
        "NONE",
        "OUTPUT2",
        "RROUTPUT",
        "ZERORATEDOUTPUT",
    ]  # fmt: skip  (no INPUT2: expenses only; no CAPEXOUTPUT: archived)
    assert _list(wb, "RevenueAccounts") == ["200", "260"]  # 205 archived, 400 an expense
    assert _list(wb, "ItemCodes") == ["BOOK", "WIDGET"]  # MILEAGE is not sold
    assert _list(wb, "Directions") == ["CRM → Xero", "Xero → CRM", "Two-way", "Not synced"]
    assert "VAT number" in _list(wb, "CrmFields") and "Xero invoice status" in _list(wb, "CrmFields")
    tax = wb["Tax mapping"]
    columns = headers(tax)
    first = FIRST_ROW
    letter = tax.cell(row=first, column=columns["Tax type"]).column_letter
    assert _validation_for(tax, f"{letter}{first}") == "=RevenueTaxTypes"
    assert _validation_for(wb["Field mapping"], f"F{first}") == "=Directions"
    deal = wb["Deal to invoice"]
    assert _validation_for(deal, f"E{row_of(deal, 'status')}") == "=InvoiceStatuses"
    assert _validation_for(deal, f"E{row_of(deal, 'due_days')}") == "0"  # a whole number from 0


def test_structure_is_locked_and_only_editable_cells_are_unlocked(
    mapping_workbook: Callable[..., ExportResult],
) -> None:
    wb = load_workbook(mapping_workbook().path)
    for name in (
        "Objects",
        "Field mapping",
        "Deal to invoice",
        "Tax mapping",
        "Match keys",
        "Sign-off",
        "Cover",
    ):
        ws = wb[name]
        assert ws.protection.sheet, name
        assert not ws.protection.autoFilter and not ws.protection.sort  # filtering and sorting allowed
    fields = wb["Field mapping"]
    columns = headers(fields)
    assert fields.freeze_panes == f"B{FIRST_ROW}" and fields.auto_filter.ref.startswith("A3:K")
    assert fields.cell(row=FIRST_ROW, column=columns["ID"]).protection.locked
    assert fields.cell(row=FIRST_ROW, column=columns["In use"]).protection.locked
    assert not fields.cell(row=FIRST_ROW, column=columns["Direction"]).protection.locked
    # the spare rows under the data are editable too, so a client can add a mapping
    spare = fields.max_row
    assert fields.cell(row=spare, column=columns["ID"]).value is None
    assert not fields.cell(row=spare, column=columns["CRM field"]).protection.locked
    assert fields.column_dimensions["E"].width > fields.column_dimensions["A"].width
    deal = wb["Deal to invoice"]
    assert deal.cell(row=row_of(deal, "reference"), column=5).value == "PD-<deal id>"
    assert deal.cell(row=row_of(deal, "reference"), column=5).protection.locked
    assert not deal.cell(row=row_of(deal, "status"), column=5).protection.locked


def _duplicate(i: int, severity: str, size: int) -> Finding:
    members = [str(i * 10 + k) for k in range(size)]
    return Finding(
        kind="duplicate_organization", severity=severity, subject_table="organisations",  # type: ignore[arg-type]
        subject_id=members[0], explanation=f"cluster {i}", fix="merge", records={"organisations": members},
    )  # fmt: skip


def test_cover_findings_and_gotchas_show_what_they_are_given(
    mapping_workbook: Callable[..., ExportResult],
) -> None:
    duplicates = findings_frame(
        [
            _duplicate(1, "low", 2),
            _duplicate(2, "high", 2),
            _duplicate(3, "high", 5),
            _duplicate(4, "medium", 3),
        ]
    )
    vat = findings_frame(
        [
            Finding(
                "tax_code_not_active", "high", "invoices", "INV-1", "INV-1 uses a deleted rate", "recode it"
            )
        ]
    )
    route = RouteSummary(
        "hybrid: native contacts, custom deal → invoice",
        ("612 won deals a year need tax logic per product",),
        (
            RouteCostRow("middleware: Make", None),
            RouteCostRow("custom", Decimal("120"), Decimal("4000"), "upkeep"),
        ),
        (GotchaRow("Duplicate contacts", True, "4 clusters", "merge first"), GotchaRow("Currency", False)),
    )
    wb = load_workbook(
        mapping_workbook(route=route, duplicates=duplicates, vat_findings=vat, top_duplicates=3).path
    )
    cover = [r for r in wb["Cover"].iter_rows(values_only=True)]
    texts = [str(c) for row in cover for c in row if c is not None]
    assert "hybrid: native contacts, custom deal → invoice" in texts
    assert "• 612 won deals a year need tax logic per product" in texts
    assert "not priced" in texts and "£120" in texts
    assert "Duplicate clusters" in texts and "4 (2 certain)" in texts
    dupes = wb["Duplicates"]
    listed = [r for r in dupes.iter_rows(min_row=FIRST_ROW, values_only=True)]
    assert [(r[0], r[4], r[6]) for r in listed] == [
        ("high", 5, "cluster 3"),
        ("high", 2, "cluster 2"),
        ("medium", 3, "cluster 4"),
    ]
    assert "Showing the top 3 of 4." in dupes.cell(row=2, column=1).value
    assert [r[:4] for r in wb["VAT findings"].iter_rows(min_row=FIRST_ROW, values_only=True)] == [
        ("high", "tax code not active", "Xero invoices", "INV-1")
    ]
    gotchas = [r[:3] for r in wb["Gotchas"].iter_rows(min_row=4, values_only=True)]
    assert gotchas == [("Duplicate contacts", "Yes", "4 clusters"), ("Currency", "No", None)]


def test_without_a_route_the_seed_gotchas_are_listed_unassessed(
    mapping_workbook: Callable[..., ExportResult],
) -> None:
    wb = load_workbook(mapping_workbook().path)
    rows = [r for r in wb["Gotchas"].iter_rows(min_row=4, values_only=True)]
    assert [r[0] for r in rows][:2] == ["Duplicate contacts", "Tax codes and VAT"]
    assert {r[1] for r in rows} == {"Not assessed"}
    assert wb["Duplicates"].cell(row=FIRST_ROW, column=1).value == "none found"
