"""Every page renders on the pulled demo without an exception or an error, and first start pulls the demo."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

import pages._common as common
from tests.app.conftest import new_app, page_problems
from workbench.store import Engagement

PAGES = (
    "pages/engagement.py",
    "pages/connect.py",
    "pages/pull.py",
    "pages/duplicates.py",
    "pages/vat.py",
    "pages/hygiene.py",
    "pages/route.py",
    "pages/plan.py",
    "pages/flow.py",
    "pages/report.py",
)


def test_every_page_renders_cleanly(profiled_app: Callable[[], AppTest]) -> None:
    at = profiled_app().run()
    assert page_problems(at) == []
    assert at.title[0].value == "Engagement"
    for page in PAGES:
        at.switch_page(page).run()
        assert page_problems(at) == [], page
        assert at.title, page
    titles = {at.switch_page(p).run().title[0].value for p in PAGES}
    assert titles == {
        "Engagement",
        "Connect",
        "Pull",
        "Duplicates & matching",
        "VAT",
        "Hygiene & volumes",
        "Route",
        "Mapping plan",
        "Pilot flow",
        "Report",
    }


def test_the_health_pages_show_the_profiles_figures(profiled_app: Callable[[], AppTest]) -> None:
    at = profiled_app().run()
    at.switch_page("pages/duplicates.py").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["CRM organisations"].endswith("duplicates")
    assert metrics["CRM organisations not matched"] == "73"
    assert len(at.get("plotly_chart")) == 3
    at.switch_page("pages/vat.py").run()
    assert {m.label for m in at.metric} >= {"VAT findings", "High", "Medium", "Low"}
    assert int(next(m.value for m in at.metric if m.label == "VAT findings")) > 0
    at.switch_page("pages/hygiene.py").run()
    assert any(m.label == "Deals won a month" for m in at.metric)


def test_first_start_with_nothing_configured_pulls_the_sandbox_demo(isolated_environment: object) -> None:
    assert Engagement.names() == []
    at = new_app().run()
    assert page_problems(at) == []
    assert at.session_state[common.ENGAGEMENT] == "demo"
    with Engagement.open("demo", create=False) as engagement:
        sources = {info.source for info in engagement.snapshots()}
    assert sources == {"xero", "pipedrive"}
    assert any("snapshots" in m.value and "20 Nov 2026" in m.value for m in at.markdown)
    at.switch_page("pages/vat.py").run()
    assert page_problems(at) == []
    assert int(next(m.value for m in at.metric if m.label == "VAT findings")) > 0


def test_a_second_session_does_not_pull_again(app: Callable[[], AppTest]) -> None:
    with Engagement.open("demo", create=False) as engagement:
        before = len(engagement.snapshots())
    app().run()
    with Engagement.open("demo", create=False) as engagement:
        assert len(engagement.snapshots()) == before


@pytest.mark.parametrize("page", PAGES[3:])  # the health pages, the route and the plan
def test_health_pages_before_any_pull_say_what_to_do(page: str, isolated_environment: object) -> None:
    with Engagement.open("empty"):
        pass
    at = new_app()
    at.session_state[common.ENGAGEMENT] = "empty"
    at.session_state[common.STARTED] = True
    at.run()
    at.switch_page(page).run()
    assert page_problems(at) == []
    if page != "pages/route.py":  # the questionnaire comes first there
        assert any("no data yet" in i.value for i in at.info)
