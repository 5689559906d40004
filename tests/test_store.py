"""The engagement store: folder and file modes, typed round trips, snapshots, upserts, purge."""

from __future__ import annotations

import os
import pickle
import stat
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import EngagementError
from workbench.store import Engagement
from workbench.store_values import json_values as _json_values
from workbench.store_values import parse_times as _times


def invoice(invoice_id: str, total: str, status: str = "AUTHORISED") -> dict:
    return {
        "invoice_id": invoice_id,
        "type": "ACCREC",
        "invoice_number": f"INV-{invoice_id}",
        "total": Decimal(total),
        "date": date(2026, 1, 31),
        "status": status,
        "updated_at": datetime(2026, 2, 1, 9, 30, tzinfo=UTC),
        "sent_to_contact": False,
    }


def test_engagement_folder_is_private_and_listed(tmp_path: Path) -> None:
    with Engagement.open("acme-2026", tmp_path) as engagement:
        assert stat.S_IMODE(engagement.root.stat().st_mode) == 0o700
        assert stat.S_IMODE(engagement.database.stat().st_mode) == 0o600
    assert Engagement.names(tmp_path) == ["acme-2026"]


@pytest.mark.parametrize("name", ["", "../escape", "a/b", ".hidden", "x" * 65])
def test_unsafe_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(EngagementError, match="not a usable engagement name"):
        Engagement.open(name, tmp_path)


def test_typed_round_trip_keeps_decimals_dates_and_instants(tmp_path: Path) -> None:
    with Engagement.open("typed", tmp_path) as engagement:
        engagement.write_snapshot("xero", {"invoices": [invoice("1", "1200.10")]}, cursors={})
        frame = engagement.table("invoices")
    row = frame.iloc[0]
    assert row["total"] == Decimal("1200.10") and isinstance(row["total"], Decimal)
    assert row["date"].date() == date(2026, 1, 31)
    assert row["updated_at"] == datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
    assert not row["sent_to_contact"]


def test_repeated_text_and_amounts_read_back_as_shared_objects_with_the_same_values(tmp_path: Path) -> None:
    rows = [invoice(str(n), "10.00" if n % 2 else "20.00", "PAID" if n % 3 else "DRAFT") for n in range(300)]
    rows[7]["status"] = None
    with Engagement.open("shared", tmp_path) as engagement:
        engagement.write_snapshot("xero", {"invoices": rows}, cursors={})
        frame = engagement.table("invoices").sort_values("invoice_id", key=lambda s: s.astype(int))
    assert frame["status"].tolist() == [r["status"] for r in rows]
    assert frame["total"].tolist() == [r["total"] for r in rows]
    assert frame["status"].dtype == object and frame["status"].isna().sum() == 1
    assert len({id(v) for v in frame["status"].dropna()}) == 2  # one "PAID", one "DRAFT"
    assert len({id(v) for v in frame["total"]}) == 2
    assert len({id(v) for v in frame["invoice_id"]}) == 300  # ids are each their own


def test_incremental_snapshot_upserts_and_replaces(tmp_path: Path) -> None:
    with Engagement.open("upsert", tmp_path) as engagement:
        first = engagement.write_snapshot(
            "xero",
            {
                "invoices": [invoice("1", "10"), invoice("2", "20")],
                "invoice_lines": [
                    {"invoice_id": "1", "line_id": "a"},
                    {"invoice_id": "1", "line_id": "b"},
                    {"invoice_id": "2", "line_id": "c"},
                ],
            },
            cursors={"invoices": "2026-02-01T09:30:00"},
        )
        second = engagement.write_snapshot(
            "xero",
            {
                "invoices": [invoice("2", "25", "PAID"), invoice("3", "30")],
                "invoice_lines": [{"invoice_id": "2", "line_id": "d"}],
            },
            cursors={"invoices": "2026-03-01T00:00:00"},
            base_snapshot_id=first.snapshot_id,
            replace={"invoice_lines": ("invoice_id", {"2"})},
        )
        assert second.counts == {"invoices": 3, "invoice_lines": 3}
        invoices = engagement.table("invoices").set_index("invoice_id")
        assert invoices.loc["2", "total"] == Decimal("25") and invoices.loc["2", "status"] == "PAID"
        lines = engagement.table("invoice_lines")
        assert sorted(lines["line_id"]) == ["a", "b", "d"]
        old = engagement.table("invoices", first.snapshot_id)
        assert len(old) == 2  # snapshots are versions: the first is intact
        assert engagement.latest_snapshot("xero").cursors == {"invoices": "2026-03-01T00:00:00"}


def test_unknown_columns_and_tables_are_refused(tmp_path: Path) -> None:
    with Engagement.open("strict", tmp_path) as engagement:
        with pytest.raises(EngagementError, match="no columns"):
            engagement.write_snapshot(
                "xero", {"invoices": [{"invoice_id": "1", "colour": "red"}]}, cursors={}
            )
        with pytest.raises(EngagementError, match="no canonical table"):
            engagement.table("spreadsheets")


def test_purge_deletes_everything(tmp_path: Path) -> None:
    with Engagement.open("gone", tmp_path) as engagement:
        engagement.write_snapshot("xero", {"invoices": [invoice("1", "10")]}, cursors={})
    removed = Engagement.purge("gone", tmp_path)
    assert not removed.exists() and Engagement.names(tmp_path) == []
    with pytest.raises(EngagementError, match="no engagement called"):
        Engagement.purge("gone", tmp_path)


def test_complete_tables_replace_the_base_outright(tmp_path: Path) -> None:
    with Engagement.open("complete", tmp_path) as engagement:
        first = engagement.write_snapshot(
            "xero", {"currencies": [{"code": "GBP"}, {"code": "EUR"}]}, cursors={}
        )
        engagement.write_snapshot(
            "xero",
            {"currencies": [{"code": "GBP"}]},
            cursors={},
            base_snapshot_id=first.snapshot_id,
            complete={"currencies"},
        )
        assert list(engagement.table("currencies")["code"]) == ["GBP"]


def test_a_reader_reads_the_snapshots_latest_when_made_after_the_connection_closed_and_in_a_fork(
    tmp_path: Path,
) -> None:
    with Engagement.open("reader", tmp_path) as engagement:
        engagement.write_snapshot("xero", {"invoices": [invoice("1", "10.00")]}, cursors={})
        reader = engagement.reader()
        engagement.write_snapshot("xero", {"invoices": [invoice("2", "20.00")]}, cursors={})
    assert reader("invoices")["invoice_id"].tolist() == ["1"]  # the snapshot latest when it was made
    assert reader("payments").empty  # never pulled
    assert pickle.loads(pickle.dumps(reader))("invoices")["total"].tolist() == [Decimal("10.00")]
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the forked child reports through the pipe
        try:
            os.write(write, ",".join(reader("invoices")["invoice_id"]).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    assert os.read(read, 100) == b"1"
    with pytest.raises(EngagementError, match="no canonical table 'invoice'"):
        reader("invoice")


def test_stored_instants_and_days_read_as_pandas_reads_iso_text() -> None:
    instants = pd.Series(
        ["2026-02-01T09:30:00+00:00", None, "2026-02-01T09:30:00.250000+00:00", "1999-12-31T23:59:59+00:00"],
        dtype=object,
    )
    expected = pd.to_datetime(instants, utc=True, format="ISO8601")
    pd.testing.assert_series_equal(_times(instants, utc=True), expected)
    days = pd.Series(["2026-01-31", None, "2024-02-29"], dtype=object)
    pd.testing.assert_series_equal(_times(days, utc=False), pd.to_datetime(days, format="ISO8601"))
    # text the store never writes (another offset) still reads right, by pandas
    other = pd.Series(["2026-02-01T10:30:00+01:00", None], dtype=object)
    assert _times(other, utc=True).iloc[0] == datetime(2026, 2, 1, 9, 30, tzinfo=UTC)


def test_json_cells_decode_each_to_its_own_object() -> None:
    texts = ['{"a": [1, 2]}', None, '{"a": [1, 2]}', '"text"', "[]"]
    values = _json_values(texts)
    assert values == [{"a": [1, 2]}, None, {"a": [1, 2]}, "text", []]
    values[0]["a"].append(3)
    assert values[2] == {"a": [1, 2]}  # equal texts never share a mutable value
    assert _json_values([None, None]) == [None, None]
    with pytest.raises(ValueError):
        _json_values(['{"a": 1}', '{"a": '])
    with pytest.raises(ValueError, match="Extra data"):  # two values in one cell are not two cells
        _json_values(["1, 2"])
