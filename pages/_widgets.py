"""Widgets several pages use: a findings table with filters, download and evidence; a duplicate
cluster opened to its records; a chart."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pages import _common as common
from workbench.app_support import evidence as ev
from workbench.app_support import findings_view as fv
from workbench.profile.duplicates import DuplicateResult

SHOWN_CHOICES = 500  # a selectbox of more findings than this is unusable: filter first
SHOWN_ROWS = 1_000  # a table is sent to the browser on every click: longer ones show this many, download all


def chart(name: str, build: Callable[[], go.Figure]) -> None:
    """A Plotly figure built once per session and profile: building one costs far more than drawing."""
    st.plotly_chart(common.derived(f"chart_{name}", build), width="stretch", config={"displaylogo": False})


def long_table(frame: pd.DataFrame, key: str) -> None:
    """A table of any length: its first SHOWN_ROWS rows on the page, all of them as a CSV download."""
    st.dataframe(frame.head(SHOWN_ROWS), hide_index=True, width="stretch")
    if len(frame) > SHOWN_ROWS:
        st.caption(f"The first {SHOWN_ROWS:,} of {len(frame):,} rows are shown: download them all.")
    st.download_button(
        "Download as CSV",
        data=lambda: frame.to_csv(index=False).encode("utf-8-sig"),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )


def findings_explorer(findings: pd.DataFrame, key: str, tables: Mapping[str, pd.DataFrame]) -> None:
    """Findings filterable by kind and severity, downloadable as CSV, each one opening to its evidence.
    What a filter shows is built once per filter (see common.derived): other clicks only redraw it."""
    if findings.empty:
        st.success("No findings here.")
        return
    left, right = st.columns([3, 1])
    kind_choices = common.derived(f"{key}_kind_choices", lambda: fv.kinds(findings))
    severity_choices = common.derived(f"{key}_severity_choices", lambda: fv.severities(findings))
    kinds = left.multiselect("Kind", kind_choices, key=f"{key}_kinds", placeholder="every kind")
    severities = right.multiselect(
        "Severity", severity_choices, key=f"{key}_severities", placeholder="every severity"
    )
    chosen, table, labels = common.derived(
        f"{key}_chosen",
        lambda: _chosen_findings(findings, kinds, severities),
        depends=(tuple(kinds), tuple(severities)),
    )
    st.caption(f"{len(chosen):,} of {len(findings):,} findings")
    st.dataframe(table, hide_index=True, width="stretch")
    if len(chosen) > len(table):
        st.caption(f"The first {len(table):,} are shown: filter by kind or severity, or download them all.")
    st.download_button(
        "Download these findings (CSV)",
        data=lambda: fv.findings_csv(chosen),  # written when clicked, not on every rerun
        file_name=f"{key}-findings.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )
    if chosen.empty:
        return
    picked = st.selectbox(
        "Open a finding",
        list(range(len(labels))),
        index=None,
        format_func=labels.__getitem__,
        key=f"{key}_open",
        placeholder="choose a finding to see its evidence and records",
    )
    if len(chosen) > SHOWN_CHOICES:
        st.caption(f"The first {SHOWN_CHOICES} are listed: filter by kind or severity to reach the others.")
    if picked is not None:
        finding_detail(chosen.iloc[picked], tables)


def _chosen_findings(
    findings: pd.DataFrame, kinds: list[str], severities: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The filtered findings, the rows of them shown in the table, and the labels to open one by."""
    chosen = fv.filter_findings(findings, kinds, severities)
    table = fv.shown(chosen.head(SHOWN_ROWS))
    labels = [fv.finding_label(chosen.iloc[i]) for i in range(min(len(chosen), SHOWN_CHOICES))]
    return chosen, table, labels


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
    of_table, names = common.derived(
        "clusters_of_table", lambda: _clusters_of(clusters, tables, table), depends=table
    )
    listing = of_table[["cluster_id", "size", "band", "survivor", "survivor_reason"]]
    st.dataframe(listing.head(SHOWN_ROWS), hide_index=True, width="stretch")
    if len(listing) > SHOWN_ROWS:
        st.caption(
            f"The first {SHOWN_ROWS:,} of {len(listing):,} clusters are listed; every one can be opened."
        )
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


def _clusters_of(
    clusters: pd.DataFrame, tables: Mapping[str, pd.DataFrame], table: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    of_table = clusters[clusters["table"] == table].reset_index(drop=True)
    return of_table, _member_names(tables, table, of_table)


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
