"""VAT: invoices whose tax is wrong or risky, by kind and severity, each open to its evidence."""

from __future__ import annotations

import streamlit as st

from pages import _common as common
from pages import _widgets as widgets
from workbench.app_support import charts
from workbench.app_support.findings_view import severities


def render() -> None:
    st.title("VAT")
    profile = common.current_profile()
    if profile is None:
        return
    vat = profile.vat
    st.caption(f"Data as of {profile.tables.as_of:%d %b %Y}")

    counts = vat["severity"].value_counts() if not vat.empty else None
    columns = st.columns(4)
    columns[0].metric("VAT findings", f"{len(vat):,}")
    for column, severity in zip(columns[1:], ("high", "medium", "low"), strict=True):
        column.metric(severity.capitalize(), f"{int(counts.get(severity, 0)) if counts is not None else 0:,}")
    if not vat.empty:
        widgets.chart("vat", lambda: charts.findings_by_kind_figure(vat, "VAT findings by kind and severity"))
        st.caption("Severities present: " + ", ".join(severities(vat)))
    widgets.findings_explorer(vat, "vat", profile.tables)


common.run_page("VAT", render)
