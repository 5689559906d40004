"""Read a CSV or XLSX file as a header row and (row number, {header: value}) pairs.

Row numbers are the ones the user sees in Excel: the header is row 1, the first record row 2 (a CSV
record with a quoted line break still counts as one row, as Excel shows it). Blank rows are skipped but
keep their number. CSV values are text; XLSX values keep the cell's type (str, int, float, datetime,
bool), so a date cell arrives as a datetime, not as Excel's serial number.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from workbench.errors import InputFileError

Row = dict[str, object]
FileFormat = Literal["csv", "xlsx"]

DELIMITERS = (",", ";", "\t", "|")
_SNIFF_RECORDS = 50
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 binary Excel format (OLE2)
_SAVE_AS_CSV = "in Excel use File → Save As → 'CSV UTF-8 (Comma delimited)' or save as .xlsx"
_HIDDEN_SPACES = ("\ufeff", "\u200b")


@dataclass
class TableFile:
    """One sheet of records: its headers as written in the file and its non-blank rows."""

    path: Path
    format: FileFormat
    headers: list[str]
    rows: list[tuple[int, Row]]
    encoding: str | None = None  # CSV only: the encoding the text was read with
    delimiter: str | None = None  # CSV only
    sheet: str | None = None  # XLSX only: the sheet read
    warnings: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[int, Row]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def column_letter(self, header: str) -> str:
        """The spreadsheet letter of a header's column ("A", "B", …, "AA")."""
        return column_letter(self.headers.index(header) + 1)


def column_letter(number: int) -> str:
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def read_table(path: Path | str) -> TableFile:
    """Read a CSV or XLSX file; the format is told from the content, not the extension."""
    path = Path(path)
    try:
        head = None
        if path.is_file():
            with path.open("rb") as handle:
                head = handle.read(8)
    except OSError as exc:
        raise InputFileError(str(path), f"cannot be opened: {exc.strerror or exc}") from exc
    if head is None:
        raise InputFileError(
            str(path), "there is no such file", hint="check the path; give each exported file separately"
        )
    if head.startswith(_XLSX_MAGIC):
        return read_xlsx(path)
    if head.startswith(_XLS_MAGIC):
        raise InputFileError(
            str(path),
            "this is an old binary Excel workbook (.xls), which cannot be read",
            hint="open it in Excel and save it as .xlsx (Excel Workbook) or CSV UTF-8",
        )
    return read_csv(path)


# --- CSV -------------------------------------------------------------------------------------------
def read_csv(path: Path) -> TableFile:
    """Read a CSV: UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1252; delimiter sniffed."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(str(path), f"cannot be opened: {exc.strerror or exc}") from exc
    text, encoding = decode_text(raw, str(path))
    delimiter = sniff_delimiter(text)
    records = _csv_records(text, delimiter, str(path))
    if not records or not any(cell.strip() for cell in records[0]):
        raise InputFileError(
            str(path),
            "the first row is empty; expected the column headers there",
            row=1,
            hint="export again from the CRM, or delete the rows above the headers",
        )
    headers = _headers(path, records[0])
    rows: list[tuple[int, Row]] = []
    for index, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        _check_width(path, index, headers, cells, delimiter)
        rows.append((index, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers)}))
    return TableFile(path, "csv", headers, rows, encoding=encoding, delimiter=delimiter)


def decode_text(raw: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV and the encoding that read it. A BOM decides; else UTF-8, else Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        if b"\x00" in raw[:4096]:
            raise InputFileError(
                name, "this is not a text CSV file (it contains binary data)", hint=_SAVE_AS_CSV
            )
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputFileError(
        name,
        "the text is neither UTF-8 nor Windows-1252 (Western European), so it cannot be read",
        hint=_SAVE_AS_CSV,
    )


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header row into the most columns (comma when nothing splits it).

    Counting parsed header cells, not raw characters, keeps a quoted "Name, Ltd" header from voting.
    """
    sample = text[: 64 * 1024]
    best, best_width = ",", 1
    for delimiter in DELIMITERS:
        try:
            header = next(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter), [])
        except csv.Error:
            continue
        if len(header) > best_width:
            best, best_width = delimiter, len(header)
    return best


def _csv_records(text: str, delimiter: str, name: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records: list[list[str]] = []
    try:
        for cells in reader:
            records.append(cells)
    except csv.Error as exc:
        raise InputFileError(
            name,
            f"the CSV is malformed near line {reader.line_num}: {exc}",
            row=len(records) + 1,
            hint="check that quotes are closed; re-export the file or save it again from Excel",
        ) from exc
    return records


def _check_width(path: Path, row: int, headers: list[str], cells: list[str], delimiter: str) -> None:
    extra = [(i, c) for i, c in enumerate(cells) if i >= len(headers) and c.strip()]
    if not extra:
        return
    position, value = extra[0]
    shown = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}[delimiter]
    raise InputFileError(
        str(path),
        f"this row has {len(cells)} cells but the header row has {len(headers)} columns "
        f"(first extra value '{value}' in column {column_letter(position + 1)})",
        row=row,
        hint=f"a value probably contains the delimiter ({shown}) without quotes; "
        "re-export the file, or put quotes around that value",
    )


def _headers(path: Path, cells: Sequence[object]) -> list[str]:
    """The header names, stripped; unnamed columns get "(column X)"; duplicates are refused."""
    headers: list[str] = []
    while cells and (cells[-1] is None or not str(cells[-1]).strip()):
        cells = cells[:-1]  # trailing unnamed, empty header cells
    for position, cell in enumerate(cells, start=1):
        name = "" if cell is None else str(cell)
        for hidden in _HIDDEN_SPACES:
            name = name.replace(hidden, "")
        name = " ".join(name.split())
        headers.append(name or f"(column {column_letter(position)})")
    seen: dict[str, int] = {}
    for position, name in enumerate(headers, start=1):
        key = name.casefold()
        if key in seen:
            raise InputFileError(
                str(path),
                f"two columns have the same header (columns {column_letter(seen[key])} and "
                f"{column_letter(position)})",
                row=1,
                column=name,
                hint="rename one of them so each header is unique, then import again",
            )
        seen[key] = position
    return headers


# --- XLSX ------------------------------------------------------------------------------------------
def read_xlsx(path: Path) -> TableFile:
    """Read the first worksheet of an .xlsx/.xlsm workbook (openpyxl, read-only, cached values).

    openpyxl warns about things it cannot keep (a missing default style, data-validation extensions);
    none matters when only reading values, so they are caught here and reported as import warnings.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    notes: list[str] = []
    # A file object, not the path: openpyxl refuses paths whose extension is not .xlsx/.xlsm.
    with warnings.catch_warnings(record=True) as caught, path.open("rb") as handle:
        warnings.simplefilter("always")
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise InputFileError(
                str(path),
                f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc})",
                hint="open it in Excel and save it again as .xlsx, or export it as CSV",
            ) from exc
        try:
            sheets = [s for s in workbook.worksheets if hasattr(s, "iter_rows")]
            if not sheets:
                raise InputFileError(str(path), "the workbook has no worksheet with data")
            sheet = sheets[0]
            if len(sheets) > 1:
                others = ", ".join(f"'{s.title}'" for s in sheets[1:])
                notes.append(f"{path.name}: only the first sheet '{sheet.title}' was read (not {others})")
            sheet.reset_dimensions()  # some writers record wrong dimensions; read every row that exists
            raw_rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            title = sheet.title
        finally:
            workbook.close()
    for warning in caught:
        notes.append(f"{path.name}: while reading the workbook, openpyxl noted: {warning.message}")
    if not raw_rows or not any(_filled(v) for v in raw_rows[0]):
        raise InputFileError(
            str(path),
            f"the first row of sheet '{title}' is empty; expected the column headers there",
            row=1,
            hint="delete the rows above the headers, or export again from the CRM",
        )
    headers = _headers(path, raw_rows[0])
    rows: list[tuple[int, Row]] = []
    for index, values in enumerate(raw_rows[1:], start=2):
        if not any(_filled(v) for v in values):
            continue
        extra = [(i, v) for i, v in enumerate(values) if i >= len(headers) and _filled(v)]
        if extra:
            position, value = extra[0]
            raise InputFileError(
                str(path),
                f"there is a value '{value}' in column {column_letter(position + 1)}, which has no header",
                row=index,
                hint="give that column a header in row 1, or delete the stray value",
            )
        rows.append((index, {h: (values[i] if i < len(values) else None) for i, h in enumerate(headers)}))
    return TableFile(path, "xlsx", headers, rows, sheet=title, warnings=notes)


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())
