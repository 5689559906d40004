"""Pull: both systems into the engagement, with progress (endpoint, pages, records, API budget left)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages import _common as common
from workbench.pull.runner import Mode

LAST_PULL = "last_pull"
WHICH: dict[common.Which, str] = {"both": "Xero and the CRM", "xero": "Xero only", "crm": "the CRM only"}
MODES: dict[Mode, str] = {"auto": "incremental when there is a snapshot", "full": "everything again"}


def render() -> None:
    st.title("Pull")
    st.markdown(f"Engagement **{common.engagement_name()}** · {common.connection_summary()}")
    if common.crm_files_only():
        st.caption("The CRM comes from uploaded exports (Connect page), so a pull takes Xero only.")

    left, right = st.columns(2)
    which: common.Which = left.radio(
        "What", list(WHICH), format_func=WHICH.__getitem__, horizontal=True, key="pull_which"
    )
    mode: Mode = right.radio(
        "How", list(MODES), format_func=MODES.__getitem__, horizontal=True, key="pull_mode"
    )

    if st.button("Pull now", type="primary", key="pull_button"):
        with common.guard("pulling"), common.open_engagement() as engagement:
            results = common.pull_engagement(engagement, which, mode)
            st.session_state[LAST_PULL] = [
                {
                    "source": result.source,
                    "pull": result.mode + (" (resumed)" if result.resumed else ""),
                    "snapshot": result.snapshot.snapshot_id,
                    "endpoint": report.name,
                    "records": report.records,
                    "calls": report.pages_fetched,
                    "minimum calls": report.minimum_calls,
                }
                for result in results
                for report in result.endpoints
            ]
            st.success(
                f"Pulled {sum(r.pages_fetched for r in results):,} pages into snapshot(s) "
                + ", ".join(str(r.snapshot.snapshot_id) for r in results)
                + "."
            )

    if st.session_state.get(LAST_PULL):
        st.subheader("Last pull")
        st.dataframe(pd.DataFrame(st.session_state[LAST_PULL]), hide_index=True, width="stretch")
        st.caption(
            "Calls equal to the minimum mean no page was fetched twice. A failed pull keeps its pages: "
            "pull again to resume where it stopped."
        )


common.run_page("Pull", render)
