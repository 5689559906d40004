"""A problem in a returned workbook, named by sheet, row, column and value, with why and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic_core import ErrorDetails

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class WorkbookProblem:
    """`row` is the Excel row number (None when the row is gone, or the problem is the whole sheet)."""

    sheet: str
    row: int | None
    column: str
    value: object
    why: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.sheet}, row {self.row}" if self.row is not None else self.sheet
        column = f", column '{self.column}'" if self.column else ""
        value = f" {self.value!r}" if self.value not in (None, "") else " (blank)"
        return f"{self.severity}: {where}{column}:{value}: {self.why}"


def explain(error: ErrorDetails, raw: Any) -> str:
    """A pydantic error as a client reads it."""
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind in ("missing", "string_too_short") or raw is None or raw == "":
        return "this cell cannot be empty"
    if kind == "enum":
        return f"not one of the choices ({context.get('expected', '')}); pick one from the dropdown"
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return "enter a whole number"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return "should be " + str(error["msg"]).removeprefix("Input should be ")
    if kind in ("bool_parsing", "bool_type"):
        return "enter Yes or No"
    if kind.startswith("date"):
        return "enter a date, e.g. 25/11/2026"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return str(error["msg"])
