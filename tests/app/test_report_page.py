"""The Report page: one click writes the report's three files for the engagement, each downloadable;
the route of the Route page goes into it; names can be withheld."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import page_problems
from workbench.app_support.questionnaire import answers_from
from workbench.plan.versions import list_versions
from workbench.profile.health import HealthProfile
from workbench.route.decision import recommend
from workbench.route.from_profile import route_inputs
from workbench.store import Engagement

REPORT = "pages/report.py"
FOLDER = Path("reports") / "demo"


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run where reports/ may be written (the app writes relative to where it was started)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _downloads(at: AppTest) -> dict[str, str]:
    return {b.proto.label: b.proto.url for b in at.get("download_button")}


def test_writing_the_report_makes_three_files_to_download(
    profiled_app: Callable[[], AppTest], in_tmp: Path
) -> None:
    at = profiled_app().run().switch_page(REPORT).run()
    assert page_problems(at) == []
    assert at.title[0].value == "Report"
    assert any("default answers" in i.value for i in at.info)  # no Route page answers yet
    assert _downloads(at) == {}
    at.button(key="report_write").click().run()
    assert page_problems(at) == []
    for name in ("health-check.html", "mapping-plan.xlsx", "findings.csv"):
        assert (in_tmp / FOLDER / name).stat().st_size > 0
    assert any(str((in_tmp / FOLDER).resolve()) in s.value for s in at.success)
    assert any("Proposed plan version 1" in i.value for i in at.info)
    assert set(_downloads(at)) == {
        "Download the report (HTML)",
        "Download the mapping plan (Excel)",
        "Download the findings (CSV)",
    }
    with Engagement.open("demo", create=False) as engagement:
        assert [v.version for v in list_versions(engagement)] == [1]
    # the downloads stay on the page across reruns
    at.run()
    assert len(_downloads(at)) == 3


def test_the_route_page_answers_go_into_the_report(
    profiled_app: Callable[[], AppTest], demo_profile: HealthProfile, in_tmp: Path
) -> None:
    answers, _ = answers_from({}, demo_profile.tables)
    default = recommend(
        answers, *route_inputs(demo_profile.volumes, demo_profile.findings, demo_profile.tables)
    )
    at = profiled_app().run().switch_page("pages/route.py").run()
    at.selectbox(key="route_audit_or_residency").select("yes")
    at.button(key="route_submit").click().run()
    headline = at.success[0].value.split(" — ", 1)[1]
    at.switch_page(REPORT).run()
    assert not any("default answers" in i.value for i in at.info)
    at.button(key="report_write").click().run()
    assert page_problems(at) == []
    page = (in_tmp / FOLDER / "health-check.html").read_text()
    assert headline != default.headline
    assert html.escape(headline) in page and html.escape(default.headline) not in page


def test_a_redacted_report_withholds_people(profiled_app: Callable[[], AppTest], in_tmp: Path) -> None:
    at = profiled_app().run().switch_page(REPORT).run()
    at.checkbox(key="report_redact").check()
    at.button(key="report_write").click().run()
    assert page_problems(at) == []
    assert any("withheld" in s.value for s in at.success)
    page = (in_tmp / FOLDER / "health-check.html").read_text()
    assert "[person]" in page and "names and email addresses are withheld" in page
