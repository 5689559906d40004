"""Report: write the health-check report's files for the engagement (the HTML report, the Excel mapping
plan, the findings as CSV) into reports/<engagement>/, and download each."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import streamlit as st

from pages import _common as common
from workbench.app_support import questionnaire as q
from workbench.excel.engagement import current_or_proposed
from workbench.profile.health import HealthProfile
from workbench.report import write_report
from workbench.route.decision import RouteRecommendation, recommend
from workbench.route.from_profile import route_inputs
from workbench.store import Engagement

WRITTEN = "report_written"  # (engagement name, folder, redacted, [paths]) of this session's last report
DOWNLOADS = (
    ("report_download_html", "the report (HTML)", "text/html"),
    (
        "report_download_plan",
        "the mapping plan (Excel)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("report_download_findings", "the findings (CSV)", "text/csv"),
)


def _recommendation(engagement: Engagement, profile: HealthProfile) -> tuple[RouteRecommendation, bool]:
    """The Route page's recommendation for this data when there is one, else the default answers'
    (and whether the defaults were used)."""
    cached = st.session_state.get(common.ROUTE_RECOMMENDATION)
    if cached is not None and cached[0][0] == common.profile_key(engagement, profile.tables.as_of):
        return cast(RouteRecommendation, cached[1][0]), False

    def default_route() -> RouteRecommendation:
        answers, _ = q.answers_from({}, profile.tables)
        return recommend(answers, *route_inputs(profile.volumes, profile.findings, profile.tables))

    # worked out once per session and profile: route_inputs reads every invoice line (seconds at scale)
    return common.derived("report_default_route", default_route), True


def _downloads(paths: list[Path]) -> None:
    missing = [p for p in paths if not p.is_file()]
    if missing:
        st.warning(f"{missing[0]} is no longer there: write the report again.")
        return
    columns = st.columns(len(DOWNLOADS))
    for column, (key, what, mime), path in zip(columns, DOWNLOADS, paths, strict=True):
        column.download_button(
            f"Download {what}",
            data=path.read_bytes,  # read when clicked, not on every rerun (the HTML is a few MB)
            file_name=path.name,
            mime=mime,
            key=key,
            on_click="ignore",
        )


def render() -> None:
    st.title("Report")
    st.caption(
        "One folder for the client: the health-check report (a single HTML file with its charts, opens "
        "offline), the Excel mapping plan and every finding as CSV."
    )
    profile = common.current_profile()
    if profile is None:
        return
    with common.open_engagement() as engagement:
        rec, defaults = _recommendation(engagement, profile)
        if defaults:
            st.info(
                "The route in the report uses the default answers: answer the questionnaire on the Route "
                "page first to put the client's own answers in it."
            )
        redact = st.checkbox(
            "Withhold people's names and email addresses",
            key="report_redact",
            help="For a report that leaves the engagement team: company names, ids and amounts stay.",
        )
        if st.button("Write the report", type="primary", key="report_write"):
            plan, proposed = current_or_proposed(engagement, profile.tables)
            with st.spinner("Writing the report..."):
                files = write_report(engagement, profile, rec, plan, redact=redact)
            if proposed:
                st.info(f"Proposed plan version {plan.version} from the pull for the report.")
            st.session_state[WRITTEN] = (engagement.name, str(files.folder), redact, [str(p) for p in files])
    written = st.session_state.get(WRITTEN)
    if not written or written[0] != common.engagement_name():
        return
    _, folder, redacted, paths = written
    withheld = " (people's names and email addresses withheld)" if redacted else ""
    st.success(f"Report written to `{Path(folder).resolve()}`{withheld}.")
    _downloads([Path(p) for p in paths])


common.run_page("Report", render)
