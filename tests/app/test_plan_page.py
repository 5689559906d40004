"""The Mapping plan page: propose, edit in the tables (checked like a returned workbook), save a new
version; download the workbook and read a returned one back with its problems by sheet, row, column."""

from __future__ import annotations

import io
from collections.abc import Callable

from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from tests.app.conftest import page_problems
from workbench.excel.layout import HEADER_ROW
from workbench.plan.versions import list_versions
from workbench.store import Engagement

PLAN = "pages/plan.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _proposed(profiled_app: Callable[[], AppTest]) -> AppTest:
    at = profiled_app().run().switch_page(PLAN).run()
    assert any("No plan yet" in i.value for i in at.info)
    at.button(key="plan_propose").click().run()
    assert page_problems(at) == []
    return at


def _versions() -> list[tuple[int, str, int | None]]:
    with Engagement.open("demo", create=False) as engagement:
        return [(v.version, v.origin, v.based_on) for v in list_versions(engagement)]


def _edit(at: AppTest, section: str, rows: dict[int, dict[str, object]]) -> None:
    at.session_state[f"plan_1_{section}"] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}


def test_a_proposed_plan_shows_every_sheet_of_the_workbook(profiled_app: Callable[[], AppTest]) -> None:
    at = _proposed(profiled_app)
    assert _versions() == [(1, "proposed", None)]
    assert [t.label for t in at.tabs][:6] == [
        "Objects",
        "Field mapping",
        "Tax mapping",
        "Match keys",
        "Sign-off",
        "Deal to invoice",
    ]
    tax = at.data_editor(key="plan_1_tax_rules").value
    assert {"ID", "Account code", "Tax type"} <= set(tax.columns)
    assert any("Version 1" in m.value for m in at.markdown)


def test_an_edit_with_an_unknown_tax_code_is_refused_by_sheet_row_and_column(
    profiled_app: Callable[[], AppTest],
) -> None:
    at = _proposed(profiled_app)
    _edit(at, "tax_rules", {0: {"Tax type": "NOPE"}})
    at.button(key="plan_save").click().run()
    assert not at.exception
    assert any("problems to fix first: nothing was saved" in e.value for e in at.error)
    problems = next(d.value for d in at.dataframe if "why" in d.value.columns)
    first = problems[problems["severity"] == "error"].iloc[0]
    assert (first["sheet"], first["row"], first["column"], first["value"]) == (
        "Tax mapping",
        1,
        "Tax type",
        "NOPE",
    )
    assert "OUTPUT2" in first["why"]  # it lists the tenant's own sales rates
    assert _versions() == [(1, "proposed", None)]


def test_a_valid_edit_is_saved_as_a_new_version(profiled_app: Callable[[], AppTest]) -> None:
    at = _proposed(profiled_app)
    _edit(at, "tax_rules", {0: {"Tax type": "ZERORATEDOUTPUT"}})
    at.number_input(key="plan_1_due_days").set_value(14)
    at.button(key="plan_save").click().run()
    assert page_problems(at) == []
    assert any("Saved plan version 2 (2 changes)" in s.value for s in at.success)
    assert _versions() == [(1, "proposed", None), (2, "consultant", 1)]
    with Engagement.open("demo", create=False) as engagement:
        saved = list_versions(engagement)[-1].plan
    assert saved.tax_rules[0].tax_type == "ZERORATEDOUTPUT" and saved.deal_invoice.due_days == 14


def test_the_workbook_downloads_and_a_returned_edit_is_read_back(profiled_app: Callable[[], AppTest]) -> None:
    at = _proposed(profiled_app)
    at.button(key="plan_prepare").click().run()
    download = at.get("download_button")[0]
    assert download.proto.label == "Download demo-mapping-plan-v1.xlsx"
    content = at.session_state["plan_workbook"][2]
    assert content[:2] == b"PK"

    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Tax mapping"]
    headers = [c.value for c in sheet[HEADER_ROW]]
    sheet.cell(row=HEADER_ROW + 1, column=headers.index("Tax type") + 1, value="NOPE")
    returned = io.BytesIO()
    workbook.save(returned)

    at.file_uploader(key="plan_upload").set_value(("returned.xlsx", returned.getvalue(), XLSX)).run()
    at.button(key="plan_import").click().run()
    assert not at.exception
    assert any("errors for the client to fix: nothing was stored" in e.value for e in at.error)
    problems = next(d.value for d in at.dataframe if "why" in d.value.columns)
    wrong = problems[problems["severity"] == "error"].iloc[0]
    assert (wrong["sheet"], wrong["row"], wrong["column"]) == ("Tax mapping", HEADER_ROW + 1, "Tax type")
    assert _versions() == [(1, "proposed", None)]


def test_a_file_that_is_not_a_workbook_is_a_message(profiled_app: Callable[[], AppTest]) -> None:
    at = _proposed(profiled_app)
    at.file_uploader(key="plan_upload").set_value(("plan.xlsx", b"not a workbook", XLSX)).run()
    at.button(key="plan_import").click().run()
    assert not at.exception
    assert any(e.value.startswith("plan.xlsx: ") and "workbench-plan-" not in e.value for e in at.error)
