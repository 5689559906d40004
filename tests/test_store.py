"""The engagement store: folder and file modes, typed round trips, snapshots, upserts, purge."""

from __future__ import annotations

import stat
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from workbench.errors import EngagementError
from workbench.store import Engagement


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
