"""Duplicates & matching: duplicate records within each system, and which CRM organisation is which
Xero contact."""

from __future__ import annotations

import streamlit as st

from pages import _common as common
from pages import _widgets as widgets
from workbench.app_support import charts, summaries


def render() -> None:
    st.title("Duplicates & matching")
    profile = common.current_profile()
    if profile is None:
        return
    tables = profile.tables
    st.caption(f"Data as of {tables.as_of:%d %b %Y}")

    rates = common.derived("duplicate_rates", lambda: summaries.duplicate_rates(profile))
    for column, row in zip(st.columns(len(rates)), rates.itertuples(), strict=True):
        column.metric(row.label, f"{row.rate:.1%} duplicates", f"{row.clusters} clusters", delta_color="off")

    clusters_tab, duplicate_findings_tab, matching_tab = st.tabs(
        ["Duplicate clusters", "Duplicate findings", "CRM ↔ Xero matching"]
    )
    with clusters_tab:
        widgets.chart("duplicate_rates", lambda: charts.duplicate_rates_figure(rates))
        widgets.cluster_explorer(profile.duplicates, tables)
    with duplicate_findings_tab:
        widgets.findings_explorer(profile.duplicates.findings, "duplicates", tables)
    with matching_tab:
        matching = profile.matching
        coverage = common.derived("match_coverage", lambda: summaries.match_coverage(matching))
        linked = int(coverage.loc[coverage["outcome"].str.startswith("linked"), "organisations"].sum())
        total = int(coverage["organisations"].sum())
        a, b, c = st.columns(3)
        a.metric("CRM organisations linked one-to-one", f"{linked:,} of {total:,}")
        b.metric("CRM organisations not matched", f"{len(matching.unmatched_crm):,}")
        c.metric("Xero contacts with no CRM organisation", f"{len(matching.unmatched_xero):,}")
        widgets.chart("match_coverage", lambda: charts.match_coverage_figure(coverage))
        widgets.chart("key_coverage", lambda: charts.key_coverage_figure(summaries.key_coverage(matching)))
        st.subheader("Which key to store")
        st.write(matching.key_recommendation.text)
        with st.expander("Keys in numbers"):
            st.dataframe(matching.key_recommendation.table, hide_index=True, width="stretch")
        with st.expander(f"Links ({len(matching.links):,})"):
            widgets.long_table(matching.links, "matching-links")
        st.subheader("Matching findings")
        widgets.findings_explorer(matching.findings, "matching", tables)


common.run_page("Duplicates & matching", render)
