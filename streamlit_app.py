"""The consultant's app: one thin page per step of the health check, over the workbench library.

Run it with `streamlit run streamlit_app.py`. With no configuration it opens the demo engagement on
the sandbox (pulling it on first start), so the whole health check is a few clicks away.
"""

from __future__ import annotations

import streamlit as st

from pages import _common as common
from pages import _signin as signin

st.set_page_config(
    page_title="Integration Health Check", page_icon=":material/health_and_safety:", layout="wide"
)
common.start_session()
signin.complete_if_returning()
on_connect = signin.land_on_connect()

PAGES = {
    "Set up": [
        st.Page(
            "pages/engagement.py", title="Engagement", icon=":material/folder_open:", default=not on_connect
        ),
        st.Page("pages/connect.py", title="Connect", icon=":material/link:", default=on_connect),
        st.Page("pages/pull.py", title="Pull", icon=":material/download:"),
    ],
    "Health check": [
        st.Page("pages/duplicates.py", title="Duplicates & matching", icon=":material/join_inner:"),
        st.Page("pages/vat.py", title="VAT", icon=":material/receipt_long:"),
        st.Page("pages/hygiene.py", title="Hygiene & volumes", icon=":material/monitoring:"),
    ],
    "Decide": [
        st.Page("pages/route.py", title="Route", icon=":material/alt_route:"),
        st.Page("pages/plan.py", title="Mapping plan", icon=":material/table_edit:"),
        st.Page("pages/flow.py", title="Pilot flow", icon=":material/send:"),
        st.Page("pages/report.py", title="Report", icon=":material/summarize:"),
    ],
}
page = st.navigation(PAGES)
with common.guard("pulling the sandbox demo client"):
    common.ensure_demo_pulled()
page.run()  # each page draws the sidebar and notices, and guards itself (see common.run_page)
