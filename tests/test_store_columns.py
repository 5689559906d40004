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
from workbench.connections import Connector, CrmConnection
from workbench.pull.runner import pull
from workbench.sandbox.app import Sandbox
from workbench.sandbox.demo import DemoSize
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


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The tables whose copy was encoded from rows ("encoded") or patched from the base's ("patched")."""
    seen: dict[str, list[str]] = {"encoded": [], "patched": []}
    real_encode, real_patch = store_columns.encode, store_columns.patch

    def encode(table: Table, rows: list[tuple[Any, ...]]) -> bytes:
        seen["encoded"].append(table.name)
        return real_encode(table, rows)

    def patch(table: Table, *args: Any) -> tuple[bytes, int] | None:
        seen["patched"].append(table.name)
        return real_patch(table, *args)

    monkeypatch.setattr(store_columns, "encode", encode)
    monkeypatch.setattr(store_columns, "patch", patch)
    return seen


def assert_reads_as_its_rows(engagement: Engagement, *names: str) -> None:
    for name in names:
        expected = from_rows(engagement, name)
        pd.testing.assert_frame_equal(engagement.table(name), expected, check_exact=True)


def test_a_table_an_incremental_snapshot_leaves_unchanged_shares_its_bases_copy(
    tmp_path: Path, made: dict[str, list[str]]
) -> None:
    with Engagement.open("unchanged", tmp_path) as engagement:
        first = engagement.write_snapshot(
            "pipedrive",
            {"organisations": awkward_rows(), "stages": [{"stage_id": "1", "name": "Won"}]},
            cursors={},
        )
        assert made["encoded"] == ["organisations", "stages"]
        made["encoded"].clear()
        second = engagement.write_snapshot(
            "pipedrive",
            {"stages": [{"stage_id": "2", "name": "Lost"}]},
            cursors={},
            base_snapshot_id=first.snapshot_id,
        )
        assert second.counts == {"organisations": 4, "stages": 2}
        # the organisations' copy is the first snapshot's; the stages' the first's with a row added
        assert made == {"encoded": [], "patched": ["stages"]}
        assert_reads_as_its_rows(engagement, "organisations", "stages")


def line(invoice_id: str | None, line_id: str | None, amount: str, description: str) -> dict[str, Any]:
    return {"invoice_id": invoice_id, "line_id": line_id, "line_amount": Decimal(amount),
            "description": description}  # fmt: skip


def test_a_patched_copy_reads_as_the_rows_the_snapshot_holds(
    tmp_path: Path, made: dict[str, list[str]]
) -> None:
    base_lines = [
        line("1", "a", "10.00", "kept"), line("1", "b", "20.00", "replaced by key"),
        line("2", "c", "30.00", "dropped with its invoice"), line("2", "d", "40.00", "dropped too"),
        line(None, "e", "50.00", "no invoice: a NULL key part matches nothing"),
        line("3", "f", "60.00", "kept, last"),
    ]  # fmt: skip
    with Engagement.open("patched", tmp_path) as engagement:
        first = engagement.write_snapshot("xero", {"invoice_lines": base_lines}, cursors={})
        made["encoded"].clear()
        changed = [
            line("1", "b", "21.00", "the new b"),
            line("2", "g", "70.00", "invoice 2's one line now"),
            line("4", "h", "1E+3", "a value no base row held"),
        ]
        second = engagement.write_snapshot(
            "xero",
            {"invoice_lines": changed},
            cursors={},
            base_snapshot_id=first.snapshot_id,
            replace={"invoice_lines": ("invoice_id", {"2", "9"})},
        )
        assert made == {"encoded": [], "patched": ["invoice_lines"]}
        assert second.counts == {"invoice_lines": 6}
        assert_reads_as_its_rows(engagement, "invoice_lines")
        read = engagement.table("invoice_lines")
        assert read["line_id"].tolist() == ["a", "e", "f", "b", "g", "h"]  # the base's order, then the new
        assert [str(v) for v in read["line_amount"]] == ["10.00", "50.00", "60.00", "21.00", "70.00", "1E+3"]
        third = engagement.write_snapshot(
            "xero",
            {"invoice_lines": [line("3", "f", "61.00", "again")]},
            cursors={},
            base_snapshot_id=second.snapshot_id,
        )
        assert third.counts == {"invoice_lines": 6} and made["encoded"] == []
        assert_reads_as_its_rows(engagement, "invoice_lines")


def test_a_patched_copy_whose_rows_are_not_the_snapshots_is_made_from_the_rows_instead(
    tmp_path: Path, made: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = store_columns.patch

    def one_row_short(table: Table, *args: Any) -> tuple[bytes, int] | None:
        patched = real(table, *args)
        return None if patched is None else (patched[0], patched[1] - 1)

    with Engagement.open("mismatch", tmp_path) as engagement:
        first = engagement.write_snapshot("pipedrive", {"organisations": awkward_rows()}, cursors={})
        monkeypatch.setattr(store_columns, "patch", one_row_short)
        made["encoded"].clear()
        renamed = {"org_id": "2", "source": "pipedrive", "name": "Renamed Ltd"}
        engagement.write_snapshot(
            "pipedrive", {"organisations": [renamed]}, cursors={}, base_snapshot_id=first.snapshot_id
        )
        assert made["encoded"] == ["organisations"]
        assert_reads_as_its_rows(engagement, "organisations")


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


def test_after_an_incremental_pull_every_table_reads_from_its_copy_as_from_its_rows(
    tmp_path: Path, made: dict[str, list[str]]
) -> None:
    sandbox = Sandbox.demo(7, DemoSize.scaled(40), crm="hubspot")
    with (
        Engagement.open("again", tmp_path) as engagement,
        Connector(
            crm=CrmConnection(kind="hubspot-sandbox"), sandbox=sandbox, store=TokenStore(tmp_path / "tokens")
        ) as connector,
    ):
        for source in connector.sources(engagement):
            pull(engagement, source)
        sandbox.clock.advance(3600)  # a user edits every fifth deal's amount
        store = sandbox.hubspot.store
        for deal_id in sorted(store.objects["deals"])[::5]:
            deal = store.objects["deals"][deal_id]
            amount = Decimal(str(deal["properties"].get("amount") or 0)) + 1
            properties = {**deal["properties"], "amount": str(amount)}
            store.put("deals", {**deal, "properties": properties, "updatedAt": sandbox.clock.now()})
        made["encoded"].clear()
        crm = connector.crm_source(engagement)
        assert pull(engagement, crm).mode == "incremental"
        # the record tables' copies come from the base's (the small lists a pull reads whole are new)
        assert "deals" in made["patched"]
        assert not {"organisations", "people", "deals", "deal_lines"} & set(made["encoded"])
        assert_reads_as_its_rows(engagement, *(n for n in TABLES if engagement._latest_with(n, None)))
