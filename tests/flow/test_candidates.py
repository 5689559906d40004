"""Which deals the flow considers: won, not deleted, won on or after the plan's cut-off, from its CRM
(each case for a client on Pipedrive and one on HubSpot, whose won is `hs_is_closed_won`: see
`tests/hubspot/test_canonicalise.py` for how that becomes the canonical `is_won`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.flow.factories import CANDIDATES, crm_rows, deal, flow_plan, flow_tables
from tests.flow.writeback_support import CRMS
from workbench.errors import ConfigurationError
from workbench.flow.candidates import won_deals


@pytest.fixture(params=CRMS)
def crm(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_won_deals_after_the_cut_off_oldest_first(tmp_path: Path, crm: str) -> None:
    tables = flow_tables(tmp_path, crm=crm_rows(crm))
    candidates = won_deals(tables, flow_plan(crm=crm))
    # 108 was won in October (before the cut-off), 109 is open, 110 lost, 111 deleted in the CRM
    assert candidates["deal_id"].tolist() == CANDIDATES
    assert candidates["value"].iloc[0] == Decimal("144.96")  # the canonical columns come through as read


def test_the_cut_off_is_the_won_time_s_utc_day_inclusive(tmp_path: Path, crm: str) -> None:
    rows = crm_rows(crm)
    rows["deals"] = [
        deal("1", "1", won=datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC), source=crm),
        deal("2", "1", won=datetime(2026, 11, 1, 0, 0, 0, tzinfo=UTC), source=crm),
        deal("3", "1", won=datetime(2026, 11, 1, 0, 0, 1, tzinfo=UTC), source=crm),
    ]
    tables = flow_tables(tmp_path, crm=rows)
    assert won_deals(tables, flow_plan(crm=crm))["deal_id"].tolist() == ["2", "3"]
    assert won_deals(tables, flow_plan(crm=crm, won_after=date(2026, 11, 2)))["deal_id"].tolist() == []


def test_won_means_the_crm_says_won_not_a_stage_name(tmp_path: Path, crm: str) -> None:
    rows = crm_rows(crm)
    at = datetime(2026, 11, 5, 10, tzinfo=UTC)
    other = "pipedrive" if crm == "hubspot" else "hubspot"
    rows["deals"] = [
        # a stage is not a win (HubSpot's "closedwon" stage of a pipeline whose probability is not 1)
        deal("1", "1", won=at, stage_name="Closed won", status="open", is_won=False, source=crm),
        deal("2", "1", won=None, status="won", source=crm),  # won with no won time: the CRM never said when
        deal("3", "1", won=at, source=crm),
        deal("4", "1", won=at, source=other),  # another CRM's deal: the plan is for this one
    ]
    tables = flow_tables(tmp_path, crm=rows)
    assert won_deals(tables, flow_plan(crm=crm))["deal_id"].tolist() == ["3"]


def test_ties_on_won_time_go_in_deal_number_order(tmp_path: Path, crm: str) -> None:
    rows = crm_rows(crm)
    at = datetime(2026, 11, 5, 10, tzinfo=UTC)
    rows["deals"] = [deal(i, "1", won=at, source=crm) for i in ("10", "9", "100")]
    tables = flow_tables(tmp_path, crm=rows)
    assert won_deals(tables, flow_plan(crm=crm))["deal_id"].tolist() == ["9", "10", "100"]


def test_a_plan_without_a_cut_off_is_refused_rather_than_sweeping_up_every_won_deal(tmp_path: Path) -> None:
    tables = flow_tables(tmp_path)
    with pytest.raises(ConfigurationError) as raised:
        won_deals(tables, flow_plan(won_after=None))
    assert "'Deals won on or after' is blank" in str(raised.value)
    assert "'Deal to invoice' sheet" in raised.value.hint
