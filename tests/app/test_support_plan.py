"""The plan editor's tables: the workbook's columns and the tenant's codes as choices, and edits read
back by the workbook's own checks."""

from __future__ import annotations

from workbench.app_support import plan_editor as pe
from workbench.excel.layout import SECTION_SHEETS
from workbench.plan.defaults import propose_plan
from workbench.plan.tenant import TenantCodes
from workbench.profile.health import HealthProfile

TAX = next(sheet for sheet in SECTION_SHEETS if sheet.section == "tax_rules")
MATCH_KEYS = next(sheet for sheet in SECTION_SHEETS if sheet.section == "match_keys")


def test_dropdowns_hold_the_tenants_real_codes(demo_profile: HealthProfile) -> None:
    plan = propose_plan(demo_profile.tables)
    tenant = TenantCodes.from_tables(demo_profile.tables)
    columns = {c.header: c for c in pe.editor_columns(TAX, pe.choices(plan, tenant))}
    assert columns["Tax type"].kind == "select"
    assert list(columns["Tax type"].options) == tenant.revenue_tax_types
    assert list(columns["Account code"].options) == tenant.revenue_account_codes
    assert not columns["ID"].editable and not columns["Evidence"].editable
    assert "Account name" not in columns  # a lookup column only echoes the code's name
    order = {c.header: c for c in pe.editor_columns(MATCH_KEYS, pe.choices(plan, tenant))}["Order"]
    assert (order.kind, order.bounds) == ("number", (1, 99))


def test_an_unchanged_plan_reads_back_with_no_changes(demo_profile: HealthProfile) -> None:
    plan = propose_plan(demo_profile.tables)
    tenant = TenantCodes.from_tables(demo_profile.tables)
    frames = {sheet.name: pe.section_frame(plan, sheet) for sheet in SECTION_SHEETS}
    result = pe.apply_edits(plan, frames, pe.deal_invoice_values(plan), tenant)
    assert result.changes == () and result.errors == []
    assert result.plan == plan


def test_edits_are_checked_and_placed_by_sheet_row_and_column(demo_profile: HealthProfile) -> None:
    plan = propose_plan(demo_profile.tables)
    tenant = TenantCodes.from_tables(demo_profile.tables)
    tax = pe.section_frame(plan, TAX)
    tax.loc[2, "Tax type"] = "NOPE"
    tax.loc[0, "Description"] = "Standard workshop kit"
    result = pe.apply_edits(plan, {TAX.name: tax}, {"due_days": "soon"}, tenant)
    placed = {(p.sheet, p.row, p.column): p.why for p in result.errors}
    assert ("Tax mapping", 3, "Tax type") in placed
    assert ("Deal to invoice", None, "Days until due") in placed
    (change,) = result.changes
    assert (change.sheet, change.row_id, change.kind) == ("Tax mapping", plan.tax_rules[0].id, "changed")
    assert (change.old, change.new) == (plan.tax_rules[0].description, "Standard workshop kit")
    assert result.plan.tax_rules[2].tax_type == plan.tax_rules[2].tax_type  # the bad cell kept its value
    frame = pe.problems_frame(result.problems)
    assert list(frame.columns) == ["severity", "sheet", "row", "column", "value", "why"]
    assert str(frame["row"].dtype) == "Int64"


def test_a_row_added_in_the_table_gets_the_next_id(demo_profile: HealthProfile) -> None:
    plan = propose_plan(demo_profile.tables)
    tenant = TenantCodes.from_tables(demo_profile.tables)
    tax = pe.section_frame(plan, TAX)
    added: dict[str, object] = {column: None for column in tax.columns}
    code = tenant.revenue_tax_types[0]
    account = tenant.revenue_account_codes[0]
    added.update({"Applies to": "Product", "CRM value": "NEW-1", "Account code": account, "Tax type": code})
    tax.loc[len(tax)] = added
    result = pe.apply_edits(plan, {TAX.name: tax}, {}, tenant)
    assert result.errors == []
    new = result.plan.tax_rules[-1]
    assert (new.crm_value, new.tax_type) == ("NEW-1", code)
    assert new.id == f"T{len(plan.tax_rules) + 1:02d}"
