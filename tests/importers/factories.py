"""Small Pipedrive-style export files, written fresh into a test's tmp_path (no binary fixtures)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

Cells = Sequence[object]

ORGANISATIONS: list[Cells] = [
    [
        "Organization - ID",
        "Organization - Name",
        "Organization - Address",
        "Organization - VAT number",
        "Organization - Owner",
        "Organization - Organization created",
        "Organization - Website",
        "Organization - Sector",
    ],
    [
        1,
        "Acme Ltd",
        "1 High St, London SW1A 1AA, UK",
        "GB123456789",
        "Jo Bloggs",
        "2024-01-05 10:00:00",
        "https://www.acme.co.uk/",
        "Manufacturing",
    ],
    [2, "Beta LLP", "", "", "Jo Bloggs", "05/02/2024", "", ""],
]
PEOPLE: list[Cells] = [
    [
        "Person - ID",
        "Person - Name",
        "Person - Email - Work",
        "Person - Email - Home",
        "Person - Phone - Work",
        "Person - Organization",
        "Person - Owner",
        "Person - Job title",
    ],
    [
        101,
        "Jan Novák",
        "jan@acme.co.uk",
        "jan@home.example, jn@other.example",
        "020 7946 0000",
        "Acme Ltd",
        "Jo Bloggs",
        "Buyer",
    ],
    [102, "Sam Smith", "", "", "", "Beta LLP", "Al Owner", ""],
]
DEALS: list[Cells] = [
    [
        "Deal - ID",
        "Deal - Title",
        "Deal - Value",
        "Deal - Currency",
        "Deal - Status",
        "Deal - Organization",
        "Deal - Contact person",
        "Deal - Owner",
        "Deal - Pipeline",
        "Deal - Stage",
        "Deal - Won time",
        "Deal - Expected close date",
        "Deal - Lost reason",
    ],
    [
        1001,
        "Acme renewal",
        "£1,200.50",
        "GBP",
        "Won",
        "Acme Ltd",
        "Jan Novák",
        "Jo Bloggs",
        "Sales",
        "Closed",
        "2024-03-01 12:00:00",
        "31/03/2024",
        "",
    ],
    [
        1002,
        "Beta pilot",
        "980",
        "GBP",
        "Lost",
        "Beta LLP",
        "Sam Smith",
        "Al Owner",
        "Sales",
        "Proposal",
        "",
        "",
        "Too pricey",
    ],
    [
        1003,
        "Beta phase 2",
        "",
        "GBP",
        "Open",
        "Beta LLP",
        "",
        "Al Owner",
        "Sales",
        "Proposal",
        "",
        "2024-09-30",
        "",
    ],
]
PRODUCTS: list[Cells] = [
    [
        "Product - ID",
        "Product - Name",
        "Product - Product code",
        "Product - Unit",
        "Product - Tax",
        "Product - Price",
        "Product - Currency",
    ],
    [7, "Support plan", "SUP-1", "month", "20", "150.00", "GBP"],
]


def write_csv(
    path: Path, rows: Sequence[Cells], *, encoding: str = "utf-8", delimiter: str = ",", bom: bool = False
) -> Path:
    """A CSV as Excel or Pipedrive would write it: quoted where needed, CRLF line ends."""

    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        if any(c in text for c in (delimiter, '"', "\n", "\r")):
            text = '"' + text.replace('"', '""') + '"'
        return text

    text = "".join(delimiter.join(cell(v) for v in row) + "\r\n" for row in rows)
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(
    path: Path, rows: Sequence[Cells], *, sheets: dict[str, Sequence[Cells]] | None = None
) -> Path:
    """An .xlsx with `rows` on the first sheet; values keep their Python types (dates become date cells)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Export"
    for row in rows:
        sheet.append([None if v == "" else v for v in row])
    for title, extra in (sheets or {}).items():
        other = workbook.create_sheet(title)
        for row in extra:
            other.append(list(row))
    workbook.save(path)
    return path


def without_default_style(path: Path) -> Path:
    """Rewrite an .xlsx without named cell styles, as some exporters write it (openpyxl then warns)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    styles = parts["xl/styles.xml"].decode()
    parts["xl/styles.xml"] = re.sub(r"<cellStyles\b.*?</cellStyles>", "", styles, flags=re.S).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def typed(rows: Sequence[Cells]) -> list[list[object]]:
    """Rows as an XLSX export holds them: numbers as numbers, ISO date-times as date cells."""
    out: list[list[object]] = []
    for row in rows:
        converted: list[object] = []
        for value in row:
            if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", value):
                converted.append(datetime.fromisoformat(value))
            elif isinstance(value, str) and re.fullmatch(r"\d+\.\d+", value):
                converted.append(float(value))
            else:
                converted.append(value)
        out.append(converted)
    return out


def export_files(folder: Path, fmt: str = "csv") -> dict[str, Path]:
    """One file per entity, as Pipedrive's "Export data" gives them."""
    files = {"organisations": ORGANISATIONS, "people": PEOPLE, "deals": DEALS, "products": PRODUCTS}
    out: dict[str, Path] = {}
    for name, rows in files.items():
        path = folder / f"{name}.{fmt}"
        out[name] = write_csv(path, rows) if fmt == "csv" else write_xlsx(path, typed(rows))
    return out
