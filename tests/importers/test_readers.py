from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.importers.factories import ORGANISATIONS, typed, without_default_style, write_csv, write_xlsx
from workbench.errors import InputFileError
from workbench.importers.readers import column_letter, read_table

ROWS = [["Person - Name", "Person - Organization"], ["Jan Novák", "Café £ Ltd"], ["", ""], ["Sam", "Beta"]]


def test_csv_rows_are_numbered_as_excel_shows_them_and_blank_rows_are_skipped(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "people.csv", ROWS))
    assert table.format == "csv" and table.headers == ["Person - Name", "Person - Organization"]
    assert [(n, r["Person - Name"]) for n, r in table] == [(2, "Jan Novák"), (4, "Sam")]


@pytest.mark.parametrize(
    ("encoding", "bom", "read_as"),
    [
        ("utf-8", False, "utf-8"),
        ("utf-8", True, "utf-8-sig"),
        ("cp1252", False, "cp1252"),
        ("utf-16", False, "utf-16"),
    ],
)
def test_csv_encodings_are_sniffed(tmp_path: Path, encoding: str, bom: bool, read_as: str) -> None:
    table = read_table(write_csv(tmp_path / "people.csv", ROWS, encoding=encoding, bom=bom))
    assert table.encoding == read_as
    assert table.headers[0] == "Person - Name"  # no BOM left on the first header
    assert table.rows[0][1] == {"Person - Name": "Jan Novák", "Person - Organization": "Café £ Ltd"}


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiters_are_sniffed(tmp_path: Path, delimiter: str) -> None:
    rows = [["Deal - Title", "Deal - Value"], ["Big, important deal", "1.200,50"]]
    table = read_table(write_csv(tmp_path / "deals.csv", rows, delimiter=delimiter))
    assert table.delimiter == delimiter
    assert table.rows == [(2, {"Deal - Title": "Big, important deal", "Deal - Value": "1.200,50"})]


def test_a_quoted_line_break_stays_one_row(tmp_path: Path) -> None:
    rows = [["Organization - Name", "Organization - Address"], ["Acme", "1 High St\nLondon"], ["Beta", "x"]]
    table = read_table(write_csv(tmp_path / "orgs.csv", rows))
    assert [(n, r["Organization - Address"]) for n, r in table] == [(2, "1 High St\nLondon"), (3, "x")]


def test_extra_cells_name_the_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text("Deal - Title,Deal - Value\r\nA,1\r\nB,1,200\r\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_table(path)
    error = caught.value
    assert (error.path, error.row) == (str(path), 3)
    assert "'200' in column C" in str(error) and "quotes" in str(error)


def test_duplicate_headers_are_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "orgs.csv", [["Organization - Name", "organization - name "], ["a", "b"]])
    with pytest.raises(InputFileError, match="columns A and B") as caught:
        read_table(path)
    assert caught.value.row == 1 and caught.value.column == "organization - name"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "first row is empty"),
        (b"\r\n\r\nA,B\r\n", "first row is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old binary Excel workbook"),
        (b"Name\x00\x01\x02,B\r\n", "not a text CSV"),
        (b"PK\x03\x04 not really a zip", "cannot be read as an Excel workbook"),
        (b"Deal - Title\r\n\x81\x8d\x8f\x90\x9d\xff\xfe", "neither UTF-8 nor Windows-1252"),
    ],
)
def test_unreadable_files_get_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message) as caught:
        read_table(path)
    assert caught.value.path == str(path) and caught.value.hint


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file") as caught:
        read_table(tmp_path / "nope.csv")
    assert caught.value.path.endswith("nope.csv")


def test_xlsx_keeps_cell_types_and_excel_row_numbers(tmp_path: Path) -> None:
    rows: list[list[object]] = [*typed(ORGANISATIONS[:2]), [None] * 8, typed(ORGANISATIONS[2:])[0]]
    table = read_table(write_xlsx(tmp_path / "orgs.xlsx", rows))
    assert table.format == "xlsx" and table.sheet == "Export" and not table.warnings
    assert [n for n, _ in table] == [2, 4]
    first = table.rows[0][1]
    assert first["Organization - ID"] == 1
    assert first["Organization - Organization created"] == datetime(2024, 1, 5, 10, 0)
    assert table.rows[1][1]["Organization - Address"] is None


def test_xlsx_with_another_sheet_reads_the_first_and_says_so(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "orgs.xlsx", ORGANISATIONS, sheets={"Notes": [["x"]]})
    table = read_table(path)
    assert len(table) == 2
    assert table.warnings == ["orgs.xlsx: only the first sheet 'Export' was read (not 'Notes')"]


def test_openpyxl_warnings_become_import_warnings_not_python_warnings(tmp_path: Path) -> None:
    # pytest runs with warnings as errors: an escaped openpyxl UserWarning would fail this test
    table = read_table(without_default_style(write_xlsx(tmp_path / "orgs.xlsx", ORGANISATIONS)))
    assert len(table) == 2
    assert any("openpyxl noted: Workbook contains no default style" in w for w in table.warnings)


def test_xlsx_value_without_a_header_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "orgs.xlsx", [["Organization - Name"], ["Acme", None, "stray"]])
    with pytest.raises(InputFileError, match="'stray' in column C, which has no header") as caught:
        read_table(path)
    assert caught.value.row == 2


def test_xlsx_is_recognised_by_content_not_extension(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "orgs.xlsx", ORGANISATIONS)
    renamed = path.rename(tmp_path / "orgs.csv")
    assert read_table(renamed).format == "xlsx"


def test_unnamed_columns_get_a_placeholder_name(tmp_path: Path) -> None:
    table = read_table(
        write_csv(tmp_path / "orgs.csv", [["Organization - Name", "", "X", ""], ["a", "b", "c", ""]])
    )
    assert table.headers == ["Organization - Name", "(column B)", "X"]


@pytest.mark.parametrize(("number", "letters"), [(1, "A"), (26, "Z"), (27, "AA"), (52, "AZ"), (703, "AAA")])
def test_column_letters(number: int, letters: str) -> None:
    assert column_letter(number) == letters
