"""Pilot flow: a dry run of won deals → DRAFT invoices first, then a pilot of allow-listed deals once the
operator types the Xero organisation's name; the created, held and rejected deals and the ledger after.
A live run is not offered here: it is the CLI's (`workbench flow --mode live`)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pages import _common as common
from workbench.app_support import flow_view as fv
from workbench.flow.runner import FlowProgress, FlowRun
from workbench.store import Engagement

DRY_RUN = "flow_last_dry_run"  # (engagement name, FlowRun, drafts table) of this session's last dry run
PILOT = "flow_last_pilot"  # (engagement name, FlowRun) of this session's last pilot


class RunProgress:
    """A progress bar fed by run_flow's progress callback."""

    def __init__(self) -> None:
        self.bar = st.progress(0.0, text="starting...")

    def __call__(self, progress: FlowProgress) -> None:
        share, text = fv.progress_step(progress)
        self.bar.progress(share, text=text)


def _run(label: str, start: Callable[[RunProgress], FlowRun]) -> FlowRun:
    with st.status(label, expanded=True) as status:
        try:
            run = start(RunProgress())
        except Exception:
            status.update(label=f"{label} stopped", state="error")
            raise
        state = "complete" if run.report.status == "finished" else "error"
        status.update(label=f"{label}: run {run.run_id} {run.report.status}", state=state, expanded=False)
    return run


def _dry_run(engagement: Engagement) -> None:
    if st.button("Dry run", type="primary", key="flow_dry_run"):
        with common.session_connector() as connector:
            run = _run("Dry run", lambda p: fv.dry_run(engagement, connector, p))
        drafts = fv.drafts_frame(run)
        st.session_state[DRY_RUN] = (engagement.name, run, drafts)
        st.session_state.pop(PILOT, None)
    kept = st.session_state.get(DRY_RUN)
    if not kept or kept[0] != engagement.name:
        st.caption("A dry run pulls both systems and shows every invoice it would create; it sends nothing.")
        return
    _, run, drafts = kept
    pilot = st.session_state.get(PILOT)
    if pilot and pilot[0] == engagement.name and pilot[1].run_id > run.run_id:
        st.caption(
            f"Dry run {run.run_id}, before pilot run {pilot[1].run_id}: run it again to see what is left."
        )
    if run.report.error:
        st.error(f"The dry run failed: {run.report.error}")
    st.subheader(f"Would create ({len(run.would_create)})")
    st.dataframe(drafts, hide_index=True, width="stretch")
    st.subheader(f"Held ({len(run.skipped)})")
    st.dataframe(fv.outcomes_frame(run.skipped), hide_index=True, width="stretch")


def _pilot(engagement: Engagement, state: fv.PlanState) -> None:
    kept = st.session_state.get(DRY_RUN)
    if not kept or kept[0] != engagement.name:
        return
    st.divider()
    st.subheader("Pilot")
    if not state.signed_off:
        st.warning(
            f"No pilot: plan version {state.version} is not signed off.\n\n**What to do:** {fv.UNSIGNED_HINT}"
        )
        return
    choices = fv.sendable(kept[1])
    if not choices:
        st.info("The dry run found nothing to create: no pilot to run.")
        return
    allow = st.multiselect("Deals to invoice (the allow-list)", choices, key="flow_allow")
    cap = st.number_input("At most this many invoices", 1, None, fv.DEFAULT_PILOT_CAP, key="flow_cap")
    organisation = fv.organisation_name(engagement)
    typed = st.text_input(
        f"Type the Xero organisation's name to confirm: **{organisation}**",
        key="flow_confirm",
        help="The pilot creates DRAFT invoices in this organisation.",
    )
    ready = bool(allow) and fv.name_matches(typed, organisation)
    if st.button("Run pilot", type="primary", disabled=not ready, key="flow_pilot"):
        with common.session_connector() as connector:
            run = _run(
                "Pilot",
                lambda p: fv.pilot(engagement, connector, allow, int(cap), typed, p),
            )
        st.session_state[PILOT] = (engagement.name, run)
    st.caption("A live run (every candidate) is not offered here: use `workbench flow --mode live`.")


def _results(engagement: Engagement) -> None:
    kept = st.session_state.get(PILOT)
    if kept and kept[0] == engagement.name:
        run: FlowRun = kept[1]
        if run.report.error:
            st.error(f"The pilot stopped: {run.report.error}")
        st.subheader(f"Created ({len(run.created)})")
        st.dataframe(fv.outcomes_frame(run.created), hide_index=True, width="stretch")
        st.subheader(f"Held ({len(run.skipped)})")
        st.dataframe(fv.outcomes_frame(run.skipped), hide_index=True, width="stretch")
        st.subheader(f"Rejected by Xero ({len(run.rejected)})")
        st.dataframe(fv.outcomes_frame(run.rejected), hide_index=True, width="stretch")
        calls = fv.calls_frame(run)
        st.markdown(f"**API calls used: {int(calls['count'].sum()):,}**")
        st.dataframe(calls, hide_index=True, width="stretch")
    ledger = fv.ledger_frame(engagement)
    if not ledger.empty:
        st.subheader("Ledger (last outcome per deal)")
        st.dataframe(ledger, hide_index=True, width="stretch")


def render() -> None:
    st.title("Pilot flow")
    st.caption(
        "Won deals → DRAFT invoices in Xero, from the signed-off mapping plan: a dry run first, then a "
        "pilot of the deals you pick. A deal is never invoiced twice."
    )
    if common.crm_files_only():
        st.info("The flow reads the CRM through its API: connect the CRM on the Connect page first.")
        return
    with common.open_engagement() as engagement:
        if not engagement.snapshots():
            st.info(
                f"Engagement '{engagement.name}' has no data yet: pull it (Pull page), then propose the "
                "mapping plan (Mapping plan page)."
            )
            return
        state = fv.plan_state(engagement)
        if state is None:
            st.info("No mapping plan yet: propose one on the Mapping plan page (and have it signed off).")
            return
        st.markdown(f"**{state.caption}**")
        if not state.signed_off:
            st.caption(f"A pilot needs a signed-off plan: {fv.UNSIGNED_HINT}.")
        _dry_run(engagement)
        _pilot(engagement, state)
        _results(engagement)


common.run_page("Pilot flow", render)
