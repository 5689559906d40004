"""Which deals the flow considers: won, not deleted, won on or after the plan's cut-off, from its CRM."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.flow.factories import CANDIDATES, crm_rows, deal, flow_plan, flow_tables
from workbench.errors import ConfigurationError
from workbench.flow.candidates import won_deals


def test_won_deals_after_the_cut_off_oldest_first(tmp_path: Path) -> None:
    tables = flow_tables(tmp_path)
    candidates = won_deals(tables, flow_plan())
    # 108 was won in October (before the cut-off), 109 is open, 110 lost, 111 deleted in the CRM
    assert candidates["deal_id"].tolist() == CANDIDATES
    assert candidates["value"].iloc[0] == Decimal("144.96")  # the canonical columns come through as read


def test_the_cut_off_is_the_won_time_s_utc_day_inclusive(tmp_path: Path) -> None:
    rows = crm_rows()
    rows["deals"] = [
        deal("1", "1", won=datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC)),
        deal("2", "1", won=datetime(2026, 11, 1, 0, 0, 0, tzinfo=UTC)),
        deal("3", "1", won=datetime(2026, 11, 1, 0, 0, 1, tzinfo=UTC)),
    ]
    tables = flow_tables(tmp_path, crm=rows)
    assert won_deals(tables, flow_plan())["deal_id"].tolist() == ["2", "3"]
    assert won_deals(tables, flow_plan(won_after=date(2026, 11, 2)))["deal_id"].tolist() == []


def test_won_means_the_crm_says_won_not_a_stage_name(tmp_path: Path) -> None:
    rows = crm_rows()
    at = datetime(2026, 11, 5, 10, tzinfo=UTC)
    rows["deals"] = [
        deal("1", "1", won=at, stage_name="Closed won", status="open", is_won=False),  # a stage is not a win
        deal("2", "1", won=None, status="won"),  # won with no won time: the CRM never said when
        deal("3", "1", won=at),
        deal("4", "1", won=at, source="hubspot"),  # another CRM's deal: the plan is for Pipedrive
    ]
    tables = flow_tables(tmp_path, crm=rows)
    assert won_deals(tables, flow_plan())["deal_id"].tolist() == ["3"]


def test_ties_on_won_time_go_in_deal_number_order(tmp_path: Path) -> None:
    rows = crm_rows()
    at = datetime(2026, 11, 5, 10, tzinfo=UTC)
    rows["deals"] = [deal(i, "1", won=at) for i in ("10", "9", "100")]
    tables = flow_tables(tmp_path, crm=rows)
    assert won_deals(tables, flow_plan())["deal_id"].tolist() == ["9", "10", "100"]


def test_a_plan_without_a_cut_off_is_refused_rather_than_sweeping_up_every_won_deal(tmp_path: Path) -> None:
    tables = flow_tables(tmp_path)
    with pytest.raises(ConfigurationError) as raised:
        won_deals(tables, flow_plan(won_after=None))
    assert "'Deals won on or after' is blank" in str(raised.value)
    assert "'Deal to invoice' sheet" in raised.value.hint
