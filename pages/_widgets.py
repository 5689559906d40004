"""Widgets several pages use: a findings table with filters, download and evidence; a duplicate
cluster opened to its records; a chart."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from workbench.app_support import evidence as ev
from workbench.app_support import findings_view as fv
from workbench.profile.duplicates import DuplicateResult

SHOWN_CHOICES = 500  # a selectbox of more findings than this is unusable: filter first


def chart(figure: go.Figure) -> None:
    st.plotly_chart(figure, width="stretch", config={"displaylogo": False})


def findings_explorer(findings: pd.DataFrame, key: str, tables: Mapping[str, pd.DataFrame]) -> None:
    """Findings filterable by kind and severity, downloadable as CSV, each one opening to its evidence."""
    if findings.empty:
        st.success("No findings here.")
        return
    left, right = st.columns([3, 1])
    kinds = left.multiselect("Kind", fv.kinds(findings), key=f"{key}_kinds", placeholder="every kind")
    severities = right.multiselect(
        "Severity", fv.severities(findings), key=f"{key}_severities", placeholder="every severity"
    )
    chosen = fv.filter_findings(findings, kinds, severities)
    st.caption(f"{len(chosen):,} of {len(findings):,} findings")
    st.dataframe(fv.shown(chosen), hide_index=True, width="stretch")
    st.download_button(
        "Download these findings (CSV)",
        data=fv.findings_csv(chosen),
        file_name=f"{key}-findings.csv",
        mime="text/csv",
        key=f"{key}_csv",
    )
    if chosen.empty:
        return
    positions = list(range(min(len(chosen), SHOWN_CHOICES)))
    labels = {i: fv.finding_label(chosen.iloc[i]) for i in positions}
    picked = st.selectbox(
        "Open a finding",
        positions,
        index=None,
        format_func=labels.__getitem__,
        key=f"{key}_open",
        placeholder="choose a finding to see its evidence and records",
    )
    if len(chosen) > SHOWN_CHOICES:
        st.caption(f"The first {SHOWN_CHOICES} are listed: filter by kind or severity to reach the others.")
    if picked is not None:
        finding_detail(chosen.iloc[picked], tables)


def finding_detail(row: pd.Series, tables: Mapping[str, pd.DataFrame]) -> None:
    with st.container(border=True):
        st.markdown(
            f"**{row['kind']}** · severity **{row['severity']}** · {row['subject_table']} {row['subject_id']}"
        )
        st.write(row["explanation"])
        st.markdown(f"**Fix:** {row['fix']}")
        lines = ev.evidence_lines(row["evidence"] if isinstance(row["evidence"], Mapping) else {})
        if lines:
            st.markdown("**Evidence**\n\n" + "\n".join(lines))
        records_panel(row["records"] if isinstance(row["records"], Mapping) else {}, tables)


def records_panel(records: Mapping[str, list[str]], tables: Mapping[str, pd.DataFrame]) -> None:
    """The records a finding names, one tab per table, fields down and records across."""
    found = {t: f for t, f in ev.finding_records(tables, records).items() if not f.empty}
    if not found:
        st.caption("The records it names are not in this snapshot.")
        return
    tabs = st.tabs([f"{table} ({len(records.get(table, []))})" for table in found])
    for tab, (table, rows) in zip(tabs, found.items(), strict=True):
        with tab:
            st.dataframe(ev.side_by_side(rows, table), width="stretch")
            if len(records.get(table, [])) > len(rows):
                st.caption(f"Showing {len(rows)} of {len(records[table])}.")


def cluster_explorer(duplicates: DuplicateResult, tables: Mapping[str, pd.DataFrame]) -> None:
    """Duplicate clusters by table; one opens to its members side by side, the pairs' evidence and the
    suggested survivor."""
    clusters = duplicates.clusters
    if clusters.empty:
        st.success("No duplicate clusters.")
        return
    table_names = list(dict.fromkeys(clusters["table"]))
    table = st.radio("Records", table_names, horizontal=True, key="cluster_table")
    of_table = clusters[clusters["table"] == table].reset_index(drop=True)
    listing = of_table[["cluster_id", "size", "band", "survivor", "survivor_reason"]]
    st.dataframe(listing, hide_index=True, width="stretch")
    names = _member_names(tables, table, of_table)
    picked = st.selectbox(
        "Open a cluster",
        list(of_table["cluster_id"]),
        index=None,
        format_func=lambda c: f"{c}: {names.get(c, '')}",
        key="cluster_open",
        placeholder="choose a cluster to compare its records",
    )
    if picked is None:
        return
    cluster = of_table[of_table["cluster_id"] == picked].iloc[0]
    members = [str(m) for m in cluster["members"]]
    with st.container(border=True):
        st.markdown(
            f"**{picked}** · {cluster['size']} records · band **{cluster['band']}** · keep "
            f"**{cluster['survivor']}** ({cluster['survivor_reason']}), merge the others into it"
        )
        rows = ev.finding_records(tables, {table: members}).get(table, pd.DataFrame())
        st.dataframe(ev.side_by_side(rows, table), width="stretch")
        pairs = duplicates.pairs
        inside = pairs[
            (pairs["table"] == table)
            & pairs["left"].astype(str).isin(members)
            & pairs["right"].astype(str).isin(members)
        ]
        for pair in inside.itertuples():
            evidence = pair.evidence if isinstance(pair.evidence, Mapping) else {}
            with st.expander(f"{pair.left} ↔ {pair.right}: score {pair.score:g}, {pair.band}"):
                st.markdown("\n".join(ev.evidence_lines(evidence)))


def _member_names(tables: Mapping[str, pd.DataFrame], table: str, clusters: pd.DataFrame) -> dict[str, str]:
    """Cluster id → its members' names, to tell clusters apart in a list."""
    frame = tables[table]
    column = ev.id_column(table)
    if frame.empty or "name" not in frame.columns:
        return {}
    names = dict(zip(frame[column].astype(str), frame["name"].astype(str), strict=True))
    return {
        str(c): " / ".join(names.get(str(m), str(m)) for m in members)
        for c, members in zip(clusters["cluster_id"], clusters["members"], strict=True)
    }
