from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import EngagementError
from workbench.plan.model import Plan, content_hash
from workbench.plan.versions import latest_version, list_versions, load_version, save_version
from workbench.store import Engagement


def test_versions_are_appended_and_never_changed(tiny: Engagement, plan: Plan) -> None:
    assert latest_version(tiny) is None
    first = save_version(tiny, plan, origin="proposed", note="from the pull")
    edited = plan.model_copy(update={"client": "Tiny Trading (edited)"})
    second = save_version(tiny, edited, origin="client workbook", based_on=first.version, note="plan.xlsx")
    assert (first.version, second.version) == (1, 2)
    assert load_version(tiny, 1).plan == plan and load_version(tiny, 1).content_hash == content_hash(plan)
    assert latest_version(tiny) == second and second.based_on == 1
    assert [(v.version, v.origin, v.note) for v in list_versions(tiny)] == [
        (1, "proposed", "from the pull"),
        (2, "client workbook", "plan.xlsx"),
    ]
    actions = tiny.audit_log()["action"].tolist()
    assert actions.count("plan version stored") == 2


def test_versions_survive_reopening_and_a_missing_one_says_which_exist(tmp_path: Path, plan: Plan) -> None:
    with Engagement.open("keep", tmp_path) as engagement:
        save_version(engagement, plan, origin="proposed")
        identity = engagement.engagement_id
    with Engagement.open("keep", tmp_path) as engagement:
        assert engagement.engagement_id == identity  # given once, then kept
        assert load_version(engagement, 1).plan == plan
        with pytest.raises(EngagementError, match="no plan version 7") as caught:
            load_version(engagement, 7)
        assert "its versions are: 1" in str(caught.value)


def test_each_engagement_has_its_own_id(tmp_path: Path) -> None:
    with Engagement.open("one", tmp_path) as one, Engagement.open("two", tmp_path) as two:
        assert one.engagement_id != two.engagement_id and len(one.engagement_id) == 32
