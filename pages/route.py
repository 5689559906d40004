"""Route: the discovery questionnaire, then the recommended route with its reasons, the cost of every
route and the seed's gotchas present or not."""

from __future__ import annotations

import json
from typing import Any, cast

import streamlit as st

from pages import _common as common
from workbench.app_support import questionnaire as q
from workbench.app_support import route_view as rv
from workbench.route.decision import RouteRecommendation, recommend
from workbench.route.from_profile import route_inputs
from workbench.route.inputs import ROUTE_LABELS

ANSWERS = "route_answers"  # kept apart from the widgets' keys, which Streamlit drops off-page
RECOMMENDATION = common.ROUTE_RECOMMENDATION
GROUPS = {"discovery": "Discovery", "hubspot": "HubSpot only", "salesforce": "Salesforce only"}


def _widget(question: q.Question, saved: Any) -> None:
    key = f"route_{question.field}"
    if question.kind in ("yesno", "choice"):
        choices = q.options(question)
        st.selectbox(question.prompt, choices, index=choices.index(saved) if saved in choices else 0, key=key)
    elif question.kind == "multi":
        st.multiselect(question.prompt, q.options(question), default=saved or [], key=key)
    else:
        st.text_input(question.prompt, value=str(saved or ""), key=key)


def _recommendation(answers: dict[str, Any]) -> tuple[RouteRecommendation, str | None] | None:
    """The recommendation for these answers over the session's profile, kept per session."""
    profile = common.current_profile()
    if profile is None:
        return None
    with common.open_engagement() as engagement:
        key = (common.profile_key(engagement, profile.tables.as_of), json.dumps(answers, sort_keys=True))
    cached = st.session_state.get(RECOMMENDATION)
    if cached is not None and cached[0] == key:
        return cast(tuple[RouteRecommendation, str | None], cached[1])
    given, note = q.answers_from(answers, profile.tables)
    measured, evidence = route_inputs(profile.volumes, profile.findings, profile.tables)
    result = (recommend(given, measured, evidence), note)
    st.session_state[RECOMMENDATION] = (key, result)
    return result


def render() -> None:
    st.title("Route")
    st.caption(
        "Answer what the data cannot show; leave a question open and the recommendation says what it assumed."
    )
    saved_answers: dict[str, Any] = dict(st.session_state.get(ANSWERS, {}))
    with st.form("route_questionnaire"):
        for group, title in GROUPS.items():
            questions = [question for question in q.QUESTIONS if question.group == group]
            container = st.container() if group == "discovery" else st.expander(title)
            with container:
                columns = st.columns(2)
                for number, question in enumerate(questions):
                    with columns[number % 2]:
                        _widget(question, saved_answers.get(question.field))
        submitted = st.form_submit_button("Recommend a route", type="primary", key="route_submit")
    if submitted:
        saved_answers = {
            question.field: st.session_state.get(f"route_{question.field}") for question in q.QUESTIONS
        }
        st.session_state[ANSWERS] = saved_answers

    if ANSWERS not in st.session_state:
        st.info("Answer what you know and press **Recommend a route**.")
        return

    with common.guard("recommending a route"):
        outcome = _recommendation(saved_answers)
        if outcome is None:
            return
        rec, note = outcome
        st.success(f"**{ROUTE_LABELS[rec.route].capitalize()}** — {rec.headline}")
        if note:
            st.caption(note)
        cost = rec.recommended_cost
        a, b, c = st.columns(3)
        a.metric("Monthly (GBP, ex VAT)", f"£{cost.monthly_gbp:,.2f}")
        b.metric("One-off", f"£{cost.one_off_gbp:,.2f}")
        c.metric(f"Monthly over {cost.amortise_months} months", f"£{cost.amortised_monthly_gbp:,.2f}")
        for precondition in rec.preconditions:
            st.warning(f"**Before any route:** {precondition}")
        for warning in rec.warnings:
            st.warning(warning)

        st.subheader("Per flow")
        st.dataframe(rv.flows_frame(rec), hide_index=True, width="stretch")
        st.subheader("Reasons")
        st.markdown("\n".join(f"- {reason}" for reason in rec.reasons))
        st.subheader("Cost of every route")
        st.dataframe(rv.costs_frame(rec), hide_index=True, width="stretch")
        st.subheader("Gotchas")
        st.dataframe(rv.gotchas_frame(rec), hide_index=True, width="stretch")
        with st.expander("Hard gates"):
            st.dataframe(rv.gates_frame(rec), hide_index=True, width="stretch")
        if rec.assumptions:
            with st.expander(f"Assumed ({len(rec.assumptions)} open questions)", expanded=True):
                st.markdown("\n".join(f"- {assumption}" for assumption in rec.assumptions))


common.run_page("Route", render)
