"""The columnar copies of snapshot tables: read instead of the rows, they give the very frame the rows
give, for every canonical table of a pulled demo client and for awkward values; a table without a
readable copy reads from its rows."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.sandbox.sandbox_factory import small_sandbox
from workbench import store_columns
from workbench.canonical import TABLES, Table
from workbench.connections import Connector
from workbench.pull.runner import pull
from workbench.store import Engagement, _read_table
from workbench.store_columns import FORMAT
from workbench.tokens import TokenStore


def from_rows(engagement: Engagement, name: str, snapshot_id: int | None = None) -> pd.DataFrame:
    """The table read from its rows alone: the copies of a throwaway connection's view hidden."""
    db = sqlite3.connect(engagement.database)
    try:
        db.execute("CREATE TEMP TABLE snapshot_columns (snapshot_id, table_name, format, data)")
        assert db.execute("SELECT COUNT(*) FROM snapshot_columns").fetchone() == (0,)
        sid = snapshot_id if snapshot_id is not None else engagement._latest_with(name, None)
        return _read_table(db, name, sid)
    finally:
        db.close()


def copies(engagement: Engagement) -> dict[tuple[int, str], str]:
    rows = engagement.db.execute("SELECT snapshot_id, table_name, format FROM snapshot_columns").fetchall()
    return {(sid, name): fmt for sid, name, fmt in rows}


@pytest.fixture(scope="module")
def pulled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("columnar")
    with (
        Engagement.open("demo", home) as engagement,
        Connector(sandbox=small_sandbox(), store=TokenStore(home / "tokens")) as connector,
    ):
        for source in connector.sources(engagement):
            pull(engagement, source)
    return home


def test_every_table_of_a_pulled_client_reads_from_its_copy_as_from_its_rows(pulled: Path) -> None:
    with Engagement.open("demo", pulled, create=False) as engagement:
        kept = copies(engagement)
        for name in TABLES:
            snapshot = engagement._latest_with(name, None)
            if snapshot is None:
                continue
            assert kept[(snapshot, name)] == FORMAT, name
            pd.testing.assert_frame_equal(
                engagement.table(name), from_rows(engagement, name), check_exact=True
            )
        assert len(engagement.table("invoices")) > 100 and len(engagement.table("deals")) > 100


def test_some_columns_read_from_a_copy_as_those_columns_of_the_whole_table(pulled: Path) -> None:
    with Engagement.open("demo", pulled, create=False) as engagement:
        reader = engagement.reader()
        columns = ["custom_fields", "value", "won_time", "is_deleted", "org_id"]
        pd.testing.assert_frame_equal(reader("deals", columns), engagement.table("deals")[columns])


def awkward_rows() -> list[dict]:
    base = {"org_id": "1", "source": "pipedrive", "name": "Acme Ltd"}
    return [
        {**base, "custom_fields": {"nested": [1, {"a": None}], "£": "café"}, "is_deleted": False,
         "created_at": datetime(2026, 2, 1, 9, 30, 0, 250000, tzinfo=UTC)},
        {"org_id": "2", "source": "pipedrive", "name": None, "custom_fields": None, "is_deleted": None},
        {**base, "org_id": "3", "name": "Ünïcode & Sons — “quoted”", "custom_fields": [],
         "is_deleted": True, "created_at": datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)},
        {**base, "org_id": "4", "name": "", "custom_fields": {}},
    ]  # fmt: skip


def test_awkward_values_read_back_from_the_copy_as_from_the_rows(tmp_path: Path) -> None:
    lines = [
        {"invoice_id": "1", "line_id": "a", "unit_amount": Decimal("1.10"), "quantity": Decimal("-0.00")},
        {"invoice_id": "1", "line_id": "b", "unit_amount": Decimal("1E+3"), "quantity": None},
        {"invoice_id": "2", "line_id": "c", "unit_amount": Decimal("1.1"), "quantity": Decimal("3")},
    ]
    invoices = [
        {"invoice_id": "1", "date": date(2024, 2, 29), "total": Decimal("1200.10")},
        {"invoice_id": "2", "date": None, "total": None},
    ]
    with Engagement.open("awkward", tmp_path) as engagement:
        engagement.write_snapshot("pipedrive", {"organisations": awkward_rows()}, cursors={})
        engagement.write_snapshot("xero", {"invoice_lines": lines, "invoices": invoices}, cursors={})
        for name in ("organisations", "invoice_lines", "invoices"):
            read = engagement.table(name)
            pd.testing.assert_frame_equal(read, from_rows(engagement, name), check_exact=True)
        amounts = engagement.table("invoice_lines")["unit_amount"].tolist()
        assert [str(a) for a in amounts] == ["1.10", "1E+3", "1.1"]  # exponents kept, not normalised
        fields = engagement.table("organisations")["custom_fields"]
        assert fields.iloc[0] == {"nested": [1, {"a": None}], "£": "café"} and fields.iloc[1] is None
        assert fields.iloc[2] is not engagement.table("organisations")["custom_fields"].iloc[2]


def test_an_empty_table_has_a_copy_that_reads_as_the_empty_rows(tmp_path: Path) -> None:
    with Engagement.open("empty", tmp_path) as engagement:
        engagement.write_snapshot("xero", {"payments": []}, cursors={})
        pd.testing.assert_frame_equal(engagement.table("payments"), from_rows(engagement, "payments"))
        assert engagement.table("payments").empty


def test_an_incremental_snapshot_gets_its_own_copy_of_its_rows(tmp_path: Path) -> None:
    with Engagement.open("increment", tmp_path) as engagement:
        first = engagement.write_snapshot("pipedrive", {"organisations": awkward_rows()}, cursors={})
        second = engagement.write_snapshot(
            "pipedrive",
            {"organisations": [{"org_id": "2", "source": "pipedrive", "name": "Renamed Ltd"}]},
            cursors={},
            base_snapshot_id=first.snapshot_id,
        )
        assert set(copies(engagement)) == {
            (first.snapshot_id, "organisations"),
            (second.snapshot_id, "organisations"),
        }
        newer = engagement.table("organisations").set_index("org_id")
        assert newer.loc["2", "name"] == "Renamed Ltd" and len(newer) == 4
        assert (
            engagement.table("organisations", first.snapshot_id).set_index("org_id").loc["2", "name"] is None
        )
        pd.testing.assert_frame_equal(
            engagement.table("organisations"), from_rows(engagement, "organisations")
        )


def test_a_table_an_incremental_snapshot_leaves_unchanged_shares_its_bases_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[str] = []
    real = store_columns.encode

    def encode(table: Table, rows: list[tuple[Any, ...]]) -> bytes:
        encoded.append(table.name)
        return real(table, rows)

    monkeypatch.setattr(store_columns, "encode", encode)
    with Engagement.open("unchanged", tmp_path) as engagement:
        first = engagement.write_snapshot(
            "pipedrive",
            {"organisations": awkward_rows(), "stages": [{"stage_id": "1", "name": "Won"}]},
            cursors={},
        )
        encoded.clear()
        second = engagement.write_snapshot(
            "pipedrive",
            {"stages": [{"stage_id": "2", "name": "Lost"}]},
            cursors={},
            base_snapshot_id=first.snapshot_id,
        )
        assert second.counts == {"organisations": 4, "stages": 2}
        assert encoded == ["stages"]  # the organisations' copy is the first snapshot's, shared
        for name in ("organisations", "stages"):
            expected = from_rows(engagement, name)
            pd.testing.assert_frame_equal(engagement.table(name), expected, check_exact=True)


def test_a_copy_that_does_not_decode_or_is_of_another_format_is_passed_over(tmp_path: Path) -> None:
    with Engagement.open("broken", tmp_path) as engagement:
        engagement.write_snapshot("pipedrive", {"organisations": awkward_rows()}, cursors={})
        expected = from_rows(engagement, "organisations")
        engagement.db.execute("UPDATE snapshot_columns SET data = x'00112233'")
        pd.testing.assert_frame_equal(engagement.table("organisations"), expected)
        engagement.db.execute("UPDATE snapshot_columns SET format = 'arrow-ipc-lz4/0'")
        pd.testing.assert_frame_equal(engagement.table("organisations"), expected)


def test_a_copy_larger_than_sqlite_keeps_is_not_kept_and_the_table_reads_from_its_rows(
    tmp_path: Path,
) -> None:
    with Engagement.open("large", tmp_path) as engagement:
        engagement.db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 4000)  # a row fits, the table's copy does not
        rows = [{"org_id": str(n), "source": "pipedrive", "name": f"Business {n} Ltd"} for n in range(200)]
        info = engagement.write_snapshot("pipedrive", {"organisations": rows}, cursors={})
        assert info.counts == {"organisations": 200} and copies(engagement) == {}
        assert engagement.table("organisations")["name"].tolist() == [r["name"] for r in rows]
