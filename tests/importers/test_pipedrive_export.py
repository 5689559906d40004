"""Pipedrive export files → canonical batch → engagement snapshot, and every way it can refuse."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from tests.importers.factories import (
    DEALS,
    ORGANISATIONS,
    PEOPLE,
    PRODUCTS,
    export_files,
    typed,
    without_default_style,
    write_csv,
    write_xlsx,
)
from workbench.errors import ConfigurationError, InputFileError
from workbench.importers import (
    SOURCE,
    ColumnMapping,
    ImportResult,
    import_into_engagement,
    import_pipedrive_export,
)
from workbench.store import Engagement


def by_id(result: ImportResult, table: str, key: str) -> dict[str, dict[str, object]]:
    return {str(row[key]): row for row in result.batch.rows[table]}


# --- happy paths -------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_entity_is_read_and_linked(tmp_path: Path, fmt: str) -> None:
    files = export_files(tmp_path, fmt)
    result = import_pipedrive_export(list(files.values()))

    assert result.counts == {
        "organisations": 2,
        "people": 2,
        "deals": 3,
        "products": 1,
        "crm_users": 2,
        "stages": 2,
        "crm_fields": 36,
    }
    assert {f.path.name: f.entity for f in result.files} == {
        f"{e}.{fmt}": e for e in ("organisations", "people", "deals", "products")
    }
    assert [w for w in result.warnings if "openpyxl" in w] == []

    acme = by_id(result, "organisations", "org_id")["1"]
    assert acme["name"] == "Acme Ltd" and acme["source"] == SOURCE
    assert acme["vat_number"] == "GB123456789"
    assert acme["postcode"] == "SW1A 1AA" and acme["email_domain"] == "acme.co.uk"
    assert acme["owner_id"] == "name:jo bloggs" and acme["owner_name"] == "Jo Bloggs"
    assert acme["created_at"] == datetime(2024, 1, 5, 10, 0, tzinfo=UTC)
    assert acme["custom_fields"] == {"Sector": "Manufacturing"}
    assert by_id(result, "organisations", "org_id")["2"]["created_at"] == datetime(2024, 2, 5, tzinfo=UTC)

    jan = by_id(result, "people", "person_id")["101"]
    assert jan["org_id"] == "1" and jan["email"] == "jan@acme.co.uk" and jan["phone"] == "020 7946 0000"
    assert jan["emails"] == [
        {"value": "jan@acme.co.uk", "label": "work", "primary": True},
        {"value": "jan@home.example", "label": "home", "primary": False},
        {"value": "jn@other.example", "label": "home", "primary": False},
    ]
    assert jan["job_title"] == "Buyer" and jan["owner_id"] == "name:jo bloggs"
    assert by_id(result, "people", "person_id")["102"]["org_id"] == "2"

    deals = by_id(result, "deals", "deal_id")
    won = deals["1001"]
    assert (
        won["value"] == Decimal("1200.50") and isinstance(won["value"], Decimal) and won["currency"] == "GBP"
    )
    assert (won["status"], won["is_won"], won["is_deleted"]) == ("won", True, False)
    assert (won["org_id"], won["person_id"]) == ("1", "101")
    assert won["won_time"] == datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert won["expected_close_date"] == date(2024, 3, 31)
    assert (won["pipeline_id"], won["stage_id"], won["stage_name"]) == (
        "name:sales",
        "name:sales/closed",
        "Closed",
    )
    assert deals["1002"]["custom_fields"] == {"Lost reason": "Too pricey"}
    assert (deals["1002"]["status"], deals["1002"]["is_won"]) == ("lost", False)
    assert deals["1003"]["value"] is None and deals["1003"]["person_id"] is None

    product = by_id(result, "products", "product_id")["7"]
    assert product["code"] == "SUP-1" and product["tax_percent"] == Decimal("20")
    prices = product["prices"]
    assert isinstance(prices, list) and len(prices) == 1
    price = prices[0]
    assert price["currency"] == "GBP" and Decimal(price["price"]) == Decimal("150")

    assert by_id(result, "crm_users", "user_id")["name:al owner"]["name"] == "Al Owner"
    assert by_id(result, "stages", "stage_id")["name:sales/proposal"]["pipeline_name"] == "Sales"
    fields = {(f["entity"], f["field_key"]): f for f in result.batch.rows["crm_fields"]}
    assert fields[("organization", "Organization - VAT number")]["field_type"] == "text"
    assert fields[("organization", "Organization - Sector")]["is_custom"] is None  # unknown from an export
    assert fields[("deal", "Deal - Value")] | {} == {
        "source": SOURCE,
        "entity": "deal",
        "field_key": "Deal - Value",
        "name": "Value",
        "field_type": "money",
        "is_custom": False,
        "options": None,
    }


def test_file_order_does_not_matter(tmp_path: Path) -> None:
    files = export_files(tmp_path)
    forward = import_pipedrive_export(list(files.values()))
    backward = import_pipedrive_export(list(reversed(files.values())))
    for table in ("organisations", "people", "deals"):
        assert sorted(map(repr, forward.batch.rows[table])) == sorted(map(repr, backward.batch.rows[table]))


def test_xlsx_date_cells_and_numbers(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        [
            "Deal - Title",
            "Deal - Value",
            "Deal - Currency",
            "Deal - Expected close date",
            "Deal - Won time",
            "Deal - ID",
        ],
        ["A", 1200.5, "GBP", datetime(2024, 3, 31), datetime(2024, 3, 1, 12, 0), 55.0],
        ["B", 99, "EUR", 45382, None, 56],
    ]
    result = import_pipedrive_export([write_xlsx(tmp_path / "deals.xlsx", rows)])
    deals = by_id(result, "deals", "deal_id")
    assert deals["55"]["value"] == Decimal("1200.5") and deals["55"]["expected_close_date"] == date(
        2024, 3, 31
    )
    assert deals["55"]["won_time"] == datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert deals["56"]["value"] == Decimal("99") and deals["56"]["expected_close_date"] == date(2024, 3, 31)


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"), [("cp1252", False, ","), ("utf-8", True, ","), ("utf-8", False, ";")]
)
def test_excel_resaved_csvs(tmp_path: Path, encoding: str, bom: bool, delimiter: str) -> None:
    orgs = write_csv(tmp_path / "orgs.csv", ORGANISATIONS, encoding=encoding, bom=bom, delimiter=delimiter)
    people = write_csv(tmp_path / "people.csv", PEOPLE, encoding=encoding, bom=bom, delimiter=delimiter)
    result = import_pipedrive_export([orgs, people])
    jan = by_id(result, "people", "person_id")["101"]
    assert jan["name"] == "Jan Novák" and jan["org_id"] == "1"
    assert len(jan["emails"]) == 3  # type: ignore[arg-type]


def test_a_deals_export_with_person_and_organisation_columns_is_still_deals(tmp_path: Path) -> None:
    rows = [
        ["Organization - Name", "Person - Name", "Deal - Title", "Person - Email - Work"],
        ["Acme Ltd", "Jan", "Renewal", "jan@acme.co.uk"],
    ]
    result = import_pipedrive_export([write_csv(tmp_path / "export.csv", rows)])
    deal = result.batch.rows["deals"][0]
    assert result.files[0].entity == "deals"
    assert (deal["org_id"], deal["person_id"]) == ("name:acme ltd", "name:jan")
    assert deal["custom_fields"] == {"Person - Email - Work": "jan@acme.co.uk"}


def test_import_vocabulary_headers_are_read_too(tmp_path: Path) -> None:
    rows = [
        [
            "Deal - Title",
            "Deal - Value",
            "Deal - Currency of value",
            "Organization",
            "Contact person",
            "Deal - Stage (pipeline)",
            "Deal - Pipedrive System ID",
            "Deal - Creation date",
        ],
        ["Renewal", "100.0", "GBP", "Acme Ltd", "Jan", "Won", "77", "2024-01-02"],
    ]
    deal = import_pipedrive_export([write_csv(tmp_path / "deals.csv", rows)]).batch.rows["deals"][0]
    assert deal["deal_id"] == "77" and deal["currency"] == "GBP" and deal["stage_name"] == "Won"
    assert deal["org_id"] == "name:acme ltd" and deal["created_at"] == datetime(2024, 1, 2, tzinfo=UTC)


# --- ids and links without id columns ---------------------------------------------------------------
def test_without_id_columns_ids_are_synthetic_and_links_go_by_name(tmp_path: Path) -> None:
    orgs = write_csv(
        tmp_path / "orgs.csv", [["Organization - Name"], ["Acme Ltd"], ["ACME  ltd"], ["Beta LLP"]]
    )
    people = write_csv(
        tmp_path / "people.csv",
        [
            ["Person - Name", "Person - Email", "Person - Organization"],
            ["Jan", "Jan@Acme.co.uk", "Beta LLP"],
            ["Jan", "", "acme ltd"],
            ["Kim", "", "Gamma Ltd"],
        ],
    )
    deals = write_csv(
        tmp_path / "deals.csv",
        [
            ["Deal - Title", "Deal - Organization", "Deal - Contact person"],
            ["Renewal", "Beta LLP", "Kim"],
            ["Renewal", "Beta LLP", "Jan"],
        ],
    )
    result = import_pipedrive_export([orgs, people, deals])

    assert [r["org_id"] for r in result.batch.rows["organisations"]] == [
        "name:acme ltd",
        "name:acme ltd~2",
        "name:beta llp",
    ]
    people_rows = result.batch.rows["people"]
    assert [(p["person_id"], p["org_id"]) for p in people_rows] == [
        ("email:jan@acme.co.uk", "name:beta llp"),
        ("name:jan", None),  # two organisations are called "Acme Ltd": left unlinked, with a warning
        ("name:kim", "name:gamma ltd"),  # not in the organisations file: a name link, with a warning
    ]
    deal_rows = result.batch.rows["deals"]
    assert [d["deal_id"] for d in deal_rows] == ["title:renewal @ beta llp", "title:renewal @ beta llp~2"]
    assert [d["person_id"] for d in deal_rows] == ["name:kim", None]  # two people are called Jan

    warnings = "\n".join(result.warnings)
    assert "orgs.csv: 3 of 3 rows have no 'Organization - ID'" in warnings
    assert (
        "people.csv: names an organisation that 2 records share, so it was left unlinked (1 row): "
        "row 3 'acme ltd'" in warnings
    )
    assert (
        "people.csv: names an organisation that is not in orgs.csv (a name-based link 'name:…' is kept) "
        "(1 row): row 4 'Gamma Ltd'" in warnings
    )
    assert "deals.csv: names a person that 2 records share" in warnings


def test_links_by_id_columns_and_unknown_ids_warn(tmp_path: Path) -> None:
    orgs = write_csv(tmp_path / "orgs.csv", ORGANISATIONS)
    people = write_csv(
        tmp_path / "people.csv",
        [
            ["Person - ID", "Person - Name", "Person - Organization ID", "Person - Organization"],
            ["5", "Jan", "2", "Acme Ltd"],  # the id wins over the name
            ["6", "Kim", "99", ""],
        ],
    )
    result = import_pipedrive_export([orgs, people])
    assert [p["org_id"] for p in result.batch.rows["people"]] == ["2", "99"]
    assert (
        "people.csv: names an organisation id that is not in orgs.csv (1 row): row 3 '99'" in result.warnings
    )


def test_without_an_organisations_file_links_are_by_name_and_say_so(tmp_path: Path) -> None:
    result = import_pipedrive_export([write_csv(tmp_path / "people.csv", PEOPLE)])
    assert [p["org_id"] for p in result.batch.rows["people"]] == ["name:acme ltd", "name:beta llp"]
    assert any(
        "links an organisation by name only, as no organisations export was given" in w
        for w in result.warnings
    )
    assert result.batch.rows["organisations"] == []


def test_the_same_record_in_two_overlapping_files_is_read_once(tmp_path: Path) -> None:
    first = write_csv(tmp_path / "open.csv", DEALS[:2])
    second = write_csv(tmp_path / "all.csv", DEALS)
    result = import_pipedrive_export([first, second])
    assert len(result.batch.rows["deals"]) == 3
    assert any(
        "all.csv: repeats a deal already read, skipped (1 row): row 2 (same as open.csv row 2)" in w
        for w in result.warnings
    )


# --- mapping overrides --------------------------------------------------------------------------------
def test_a_users_own_headers_can_be_mapped(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "companies.csv", [["Company", "VAT Reg", "Created"], ["Acme", "GB1", "12/25/2024"]]
    )
    mapping = ColumnMapping.from_dict(
        {
            "organisations": {"name": "Company", "vat_number": "VAT Reg", "created_at": "Created"},
            "date_order": "MDY",
        }
    )
    org = import_pipedrive_export([path], mapping).batch.rows["organisations"][0]
    assert (org["name"], org["vat_number"]) == ("Acme", "GB1")
    assert org["created_at"] == datetime(2024, 12, 25, tzinfo=UTC)


def test_a_file_can_be_pinned_to_an_entity(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", [["Name", "Email"], ["Jan", "jan@acme.co.uk"]])
    mapping = ColumnMapping(files={"list.csv": "people"}).with_columns("people", name="Name", emails="Email")
    person = import_pipedrive_export([path], mapping).batch.rows["people"][0]
    assert (person["name"], person["email"]) == ("Jan", "jan@acme.co.uk")


def test_statuses_timezone_and_default_currency_come_from_the_mapping(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "deals.csv",
        [
            ["Deal - Title", "Deal - Status", "Deal - Value", "Deal - Won time"],
            ["A", "Gewonnen", "10", "2024-07-01 09:00:00"],
        ],
    )
    mapping = ColumnMapping.from_dict(
        {"statuses": {"gewonnen": "won"}, "timezone": "Europe/London", "default_currency": "GBP"}
    )
    deal = import_pipedrive_export([path], mapping).batch.rows["deals"][0]
    assert (deal["status"], deal["is_won"], deal["currency"]) == ("won", True, "GBP")
    assert deal["won_time"] == datetime(2024, 7, 1, 8, 0, tzinfo=UTC)


def test_semicolon_files_refuse_ambiguous_amounts_unless_told(tmp_path: Path) -> None:
    rows = [["Deal - Title", "Deal - Value"], ["A", "1,200"]]
    path = write_csv(tmp_path / "deals.csv", rows, delimiter=";")
    with pytest.raises(InputFileError, match="ambiguous") as caught:
        import_pipedrive_export([path])
    assert (caught.value.row, caught.value.column) == (2, "Deal - Value")
    told = import_pipedrive_export([path], ColumnMapping(decimal_separator=","))
    assert told.batch.rows["deals"][0]["value"] == Decimal("1.200")


# --- errors name file, row and column ----------------------------------------------------------------
def _deals_with(tmp_path: Path, column: str, value: object) -> Path:
    headers = list(DEALS[0])
    row = list(DEALS[1])
    row[headers.index(column)] = value
    return write_csv(tmp_path / "deals.csv", [DEALS[0], DEALS[2], row])


@pytest.mark.parametrize(
    ("column", "value", "message", "hint"),
    [
        ("Deal - Value", "twelve", "'twelve' is not an amount (column C)", "digits"),
        ("Deal - Value", "£10", "'£10' is in GBP", "correct one"),
        ("Deal - Currency", "pounds", "'pounds' is not a currency code (column D)", "ISO 4217"),
        (
            "Deal - Status",
            "Maybe",
            "'Maybe' is not a deal status we know (deleted, lost, open, won)",
            "statuses",
        ),
        ("Deal - Won time", "yesterday", "'yesterday' is not a date", "yyyy-mm-dd"),
        ("Deal - Expected close date", "12/25/2024", "no month 25", "date_order='MDY'"),
        ("Deal - Expected close date", "03/04/24", "two-digit year", "in full"),
        ("Deal - Title", "", "the deal has no title (column B)", "fill it in"),
        (
            "Deal - ID",
            "1002",
            "deal id '1002' appears twice, with different data (first in deals.csv, row 2)",
            "duplicate",
        ),
    ],
)
def test_an_unreadable_value_names_file_row_column_and_value(
    tmp_path: Path, column: str, value: str, message: str, hint: str
) -> None:
    if column == "Deal - Value" and value == "£10":
        path = _deals_with(tmp_path, "Deal - Currency", "EUR")
        path = write_csv(path, [DEALS[0], DEALS[2], [*DEALS[1][:2], "£10", "EUR", *DEALS[1][4:]]])
    else:
        path = _deals_with(tmp_path, column, value)
    with pytest.raises(InputFileError) as caught:
        import_pipedrive_export([path])
    error = caught.value
    assert (error.path, error.row) == (str(path), 3)  # the header is row 1, as in Excel
    assert error.column == (column if column != "Deal - Currency" or value != "EUR" else "Deal - Value")
    assert message in str(error) and hint in (error.hint or "")
    assert str(error).startswith(f"{path}, row 3, column '{error.column}': ")


def test_a_dollar_amount_needs_the_currency_column(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "deals.csv", [["Deal - Title", "Deal - Value", "Deal - Currency"], ["A", "$10", ""]]
    )
    with pytest.raises(InputFileError, match="not which dollar") as caught:
        import_pipedrive_export([path])
    assert "Deal - Currency" in (caught.value.hint or "")
    fine = write_csv(
        tmp_path / "deals.csv", [["Deal - Title", "Deal - Value", "Deal - Currency"], ["A", "$10", "AUD"]]
    )
    assert import_pipedrive_export([fine]).batch.rows["deals"][0]["currency"] == "AUD"


def test_a_missing_required_column_lists_what_was_found_and_how_to_map_it(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "deals.csv", [["Deal - Name", "Deal - Value"], ["A", "1"]])
    with pytest.raises(InputFileError) as caught:
        import_pipedrive_export([path])
    error = caught.value
    assert (error.path, error.row, error.column) == (str(path), 1, "Deal - Title")
    assert "looks like a deal export but has no column for title (expected 'Deal - Title')" in str(error)
    assert "found columns 'Deal - Name', 'Deal - Value'" in (error.hint or "")
    assert "with_columns('deals', title='<that header>')" in (error.hint or "")


def test_people_need_some_name_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", [["Person - Email"], ["a@b.c"]])
    with pytest.raises(InputFileError, match="name / first_name / last_name") as caught:
        import_pipedrive_export([path])
    assert "'Person - Name', 'Person - First name' or 'Person - Last name'" in str(caught.value)


def test_a_file_that_is_no_known_export_says_what_was_expected(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "invoices.csv", [["Invoice number", "Total"], ["INV-1", "10"]])
    with pytest.raises(InputFileError, match="does not look like a Pipedrive export") as caught:
        import_pipedrive_export([path])
    hint = caught.value.hint or ""
    assert "'Deal - Title'" in hint and "found columns 'Invoice number', 'Total'" in hint and "files=" in hint


def test_no_files_or_the_same_file_twice_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no files"):
        import_pipedrive_export([])
    path = write_csv(tmp_path / "deals.csv", DEALS)
    with pytest.raises(ConfigurationError, match="given twice"):
        import_pipedrive_export([path, tmp_path / "." / "deals.csv"])


def test_openpyxl_warnings_reach_the_import_warnings(tmp_path: Path) -> None:
    path = without_default_style(write_xlsx(tmp_path / "orgs.xlsx", typed(ORGANISATIONS)))
    result = import_pipedrive_export([path])
    assert len(result.batch.rows["organisations"]) == 2
    assert any(w.startswith("orgs.xlsx: while reading the workbook, openpyxl noted") for w in result.warnings)


# --- into an engagement -------------------------------------------------------------------------------
def test_round_trip_into_an_engagement_with_proper_dtypes(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    files = export_files(tmp_path / "in", "xlsx")
    with Engagement.open("x", tmp_path) as engagement:
        info = import_into_engagement(engagement, list(files.values()))
        assert info.source == SOURCE and info.counts["deals"] == 3 and info.counts["organisations"] == 2
        assert engagement.latest_snapshot(SOURCE) == info

        deals = engagement.table("deals").set_index("deal_id")
        assert deals.loc["1001", "value"] == Decimal("1200.5") and isinstance(
            deals.loc["1001", "value"], Decimal
        )
        assert deals["value"].dtype == object
        assert pd.isna(deals.loc["1003", "value"])
        assert str(deals["won_time"].dtype) == "datetime64[ns, UTC]" or str(deals["won_time"].dtype).endswith(
            ", UTC]"
        )
        assert deals.loc["1001", "won_time"] == pd.Timestamp("2024-03-01 12:00", tz="UTC")
        assert pd.api.types.is_datetime64_dtype(deals["expected_close_date"])
        assert deals.loc["1001", "expected_close_date"] == pd.Timestamp("2024-03-31")
        assert str(deals["is_won"].dtype) == "boolean" and bool(deals.loc["1001", "is_won"])
        assert deals.loc["1002", "custom_fields"] == {"Lost reason": "Too pricey"}

        people = engagement.table("people").set_index("person_id")
        assert people.loc["101", "org_id"] == "1" and people.loc["101", "emails"][0]["label"] == "work"
        products = engagement.table("products")
        assert products.loc[0, "tax_percent"] == Decimal("20")
        assert len(engagement.table("crm_users")) == 2 and len(engagement.table("stages")) == 2

        log = engagement.audit_log()
        assert "files imported" in set(log["action"])


def test_nothing_is_written_when_any_file_fails(tmp_path: Path) -> None:
    good = export_files(tmp_path)
    with Engagement.open("x", tmp_path) as engagement:
        first = import_into_engagement(engagement, list(good.values()))
        before = engagement.table("organisations")
        broken = write_csv(
            tmp_path / "deals2.csv", [DEALS[0], DEALS[1], [*DEALS[2][:2], "lots", *DEALS[2][3:]]]
        )
        with pytest.raises(InputFileError) as caught:
            import_into_engagement(engagement, [good["organisations"], good["people"], broken])
        assert (caught.value.row, caught.value.column) == (3, "Deal - Value")
        assert engagement.snapshots() == [first]
        pd.testing.assert_frame_equal(engagement.table("organisations"), before)
        assert len(engagement.table("deals")) == 3


def test_an_import_is_a_whole_new_picture(tmp_path: Path) -> None:
    files = export_files(tmp_path)
    smaller = write_csv(tmp_path / "orgs-now.csv", ORGANISATIONS[:2])
    with Engagement.open("x", tmp_path) as engagement:
        import_into_engagement(engagement, list(files.values()))
        second = import_into_engagement(engagement, [smaller])
        assert second.counts["organisations"] == 1 and second.counts["deals"] == 0
        assert list(engagement.table("organisations")["org_id"]) == ["1"]
        assert engagement.table("deals").empty


def test_products_read_alone(tmp_path: Path) -> None:
    result = import_pipedrive_export([write_csv(tmp_path / "products.csv", PRODUCTS)])
    assert result.files[0].entity == "products" and result.counts["products"] == 1
