"""The Route page: the questionnaire answered in the form gives a recommendation with reasons, costs
and gotchas; open questions become assumptions; a bad answer is a message."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from tests.app.conftest import page_problems


def _route(profiled_app: Callable[[], AppTest]) -> AppTest:
    return profiled_app().run().switch_page("pages/route.py").run()


def test_answering_the_questionnaire_gives_a_recommendation(profiled_app: Callable[[], AppTest]) -> None:
    at = _route(profiled_app)
    assert any("Recommend a route" in i.value for i in at.info)
    at.selectbox(key="route_custom_logic").select("yes")
    at.selectbox(key="route_in_house_developer").select("yes")
    at.multiselect(key="route_two_way").select("invoices")
    at.text_input(key="route_budget_monthly_gbp").input("300")
    at.button(key="route_submit").click().run()
    assert page_problems(at) == []
    headline = at.success[0].value
    assert headline.startswith("**") and " — " in headline
    assert any("CRM taken from the pulled data: pipedrive" in c.value for c in at.caption)
    costs = next(d.value for d in at.dataframe if "monthly_gbp" in d.value.columns)
    assert {"native", "middleware", "custom"} <= set(costs["route"]) and costs["recommended"].iloc[0]
    gotchas = next(d.value for d in at.dataframe if "gotcha" in d.value.columns)
    assert "present" in set(gotchas["status"])
    assumed = next(e for e in at.expander if e.label.startswith("Assumed"))
    text = " ".join(m.value for m in assumed.markdown)
    assert "every custom field in use must reach Xero" in text
    assert "no custom logic" not in text and "no in-house developer" not in text


def test_the_answers_survive_leaving_the_page(profiled_app: Callable[[], AppTest]) -> None:
    at = _route(profiled_app)
    at.selectbox(key="route_custom_logic").select("yes")
    at.button(key="route_submit").click().run()
    first = at.success[0].value
    at.switch_page("pages/vat.py").run()
    at.switch_page("pages/route.py").run()
    assert at.selectbox(key="route_custom_logic").value == "yes"
    assert at.success[0].value == first


def test_open_questions_are_listed_as_assumptions(profiled_app: Callable[[], AppTest]) -> None:
    at = _route(profiled_app)
    at.button(key="route_submit").click().run()
    assumed = next(e for e in at.expander if e.label.startswith("Assumed"))
    text = " ".join(m.value for m in assumed.markdown)
    assert "no custom logic" in text and "no in-house developer" in text


def test_an_unusable_answer_is_a_message(profiled_app: Callable[[], AppTest]) -> None:
    at = _route(profiled_app)
    at.text_input(key="route_latency_minutes").input("soon")
    at.button(key="route_submit").click().run()
    assert not at.exception
    assert any("must be a whole number" in e.value for e in at.error)
