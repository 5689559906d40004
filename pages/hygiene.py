"""Hygiene & volumes: records that will break or mislead a sync, and the volumes a route is priced on."""

from __future__ import annotations

import streamlit as st

from pages import _common as common
from pages import _widgets as widgets
from workbench.app_support import charts, summaries


def render() -> None:
    st.title("Hygiene & volumes")
    profile = common.current_profile()
    if profile is None:
        return
    volumes = profile.volumes
    st.caption(f"Data as of {profile.tables.as_of:%d %b %Y}")

    hygiene_tab, volumes_tab = st.tabs(["Hygiene", "Volumes"])
    with hygiene_tab:
        if not profile.hygiene.empty:
            widgets.chart(
                "hygiene",
                lambda: charts.findings_by_kind_figure(
                    profile.hygiene, "Hygiene findings by kind and severity"
                ),
            )
        widgets.findings_explorer(profile.hygiene, "hygiene", profile.tables)
    with volumes_tab:
        events = volumes.events.set_index("event")["average_per_month"]
        a, b, c, d = st.columns(4)
        a.metric("Deals won a month", f"{events.get('deals_won', 0):,.0f}")
        b.metric("Sales invoices a month", f"{events.get('sales_invoices', 0):,.0f}")
        c.metric("Payments a month", f"{events.get('payments', 0):,.0f}")
        d.metric("Lines per invoice", f"{volumes.average_lines_per_invoice:,.2f}")
        if volumes.peak_month:
            st.caption(
                f"Busiest month: {volumes.peak_month} with {volumes.peak_month_invoices:,} sales invoices."
            )
        widgets.chart("monthly", lambda: charts.monthly_figure(summaries.monthly_activity(volumes)))
        st.subheader("Events per month")
        st.dataframe(volumes.events, hide_index=True, width="stretch")
        left, right = st.columns(2)
        with left:
            st.subheader("Records")
            st.dataframe(volumes.counts, hide_index=True, width="stretch")
            st.subheader("Currencies")
            st.dataframe(volumes.currencies, hide_index=True, width="stretch")
        with right:
            st.subheader("API calls for a first full sync")
            st.dataframe(volumes.api_calls, hide_index=True, width="stretch")
            st.subheader("Edited on both sides")
            st.dataframe(volumes.edited_both_sides, hide_index=True, width="stretch")
        with st.expander(f"Custom fields ({len(volumes.custom_fields)})"):
            st.dataframe(volumes.custom_fields, hide_index=True, width="stretch")
        with st.expander(f"Products ({len(volumes.products)})"):
            st.dataframe(volumes.products, hide_index=True, width="stretch")


common.run_page("Hygiene & volumes", render)
