"""How the client workbook looks and locks: header and editable-cell styles, widths, protection.

Protection has no password on purpose: it keeps the structure from accidental edits (a sorted-away ID,
a renamed sheet); an Excel sheet password is an obfuscation, not security, and a client who must
change the structure can ask. Editable cells are unlocked and yellow, so what to edit is visible.
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14, color="1F4E78")
SUBTITLE_FONT = Font(bold=True, size=11, color="1F4E78")
NOTE_FONT = Font(italic=True, color="595959")
LABEL_FONT = Font(bold=True)
EDITABLE_FILL = PatternFill("solid", fgColor="FFF2CC")
HIGH_FILL = PatternFill("solid", fgColor="F8CBAD")
UNLOCKED = Protection(locked=False)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")
TEXT_FORMAT = "@"  # keeps codes such as account 090 as text when typed
DATE_FORMAT = "DD/MM/YYYY"
MIN_WIDTH, MAX_WIDTH = 6, 60


def style_header(ws: Worksheet, row: int, headers: Iterable[str]) -> None:
    for column, header in enumerate(headers, 1):
        cell = ws.cell(row=row, column=column, value=header)
        cell.fill, cell.font, cell.alignment = HEADER_FILL, HEADER_FONT, HEADER_ALIGNMENT


def set_width(ws: Worksheet, column: int, values: Iterable[object], cap: int = MAX_WIDTH) -> None:
    """openpyxl has no autofit: the longest value (header included), within bounds; long text wraps."""
    longest = max((len(str(v)) for v in values if v is not None), default=0)
    ws.column_dimensions[get_column_letter(column)].width = max(MIN_WIDTH, min(cap, longest + 2))


def protect(ws: Worksheet) -> None:
    """Lock the sheet but let the client filter, sort and resize (False means "allowed")."""
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def lock_structure(wb: Workbook) -> None:
    """No sheets added, removed, renamed or unhidden (the hidden identity sheet stays hidden)."""
    wb.security = WorkbookProtection(lockStructure=True)
