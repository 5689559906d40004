"""Plotly figures for the app: duplicate rates per system, match coverage, VAT findings by kind and
severity, deals won and invoices raised per month. Each takes the frame its summary returns."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.profile.findings import SEVERITIES

SEVERITY_COLOURS = {"high": "#c0392b", "medium": "#e67e22", "low": "#f1c40f"}
SYSTEM_COLOURS = {"CRM": "#2e86c1", "Xero": "#13b5ea"}
_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 50, "b": 10}, "legend_title_text": ""}


def duplicate_rates_figure(rates: pd.DataFrame) -> go.Figure:
    """Share of live records that are a second copy, per table, coloured by system."""
    figure = px.bar(
        rates,
        x="label",
        y="rate",
        color="system",
        color_discrete_map=SYSTEM_COLOURS,
        text=rates["rate"].map(lambda r: f"{r:.1%}"),
        hover_data={"live": True, "clusters": True, "duplicates": True, "rate": ":.1%"},
        title="Duplicate rate (records that are a second copy, share of live records)",
    )
    figure.update_layout(**_LAYOUT, xaxis_title="", yaxis_title="", yaxis_tickformat=".0%")
    return figure


def match_coverage_figure(coverage: pd.DataFrame) -> go.Figure:
    """CRM organisations by outcome of the match, one stacked bar."""
    figure = px.bar(
        coverage,
        x="share",
        y=["CRM organisations"] * len(coverage),
        color="outcome",
        orientation="h",
        text=coverage["organisations"].astype(str),
        hover_data={"organisations": True, "share": ":.1%"},
        title="CRM organisations matched to a Xero contact, by the key that linked them",
    )
    figure.update_layout(**_LAYOUT, xaxis_title="", yaxis_title="", xaxis_tickformat=".0%", height=260)
    return figure


def key_coverage_figure(coverage: pd.DataFrame) -> go.Figure:
    """Per matching key, the share of records carrying it on each side."""
    figure = px.bar(
        coverage,
        x="key",
        y="share",
        color="side",
        barmode="group",
        title="Which keys each side carries (share of records)",
    )
    figure.update_layout(**_LAYOUT, xaxis_title="", yaxis_title="", yaxis_tickformat=".0%")
    return figure


def findings_by_kind_figure(findings: pd.DataFrame, title: str) -> go.Figure:
    """Findings per kind, stacked by severity, most frequent kind on top."""
    if findings.empty:
        counts = pd.DataFrame(columns=["kind", "severity", "findings"])
    else:
        counts = findings.groupby(["kind", "severity"]).size().rename("findings").reset_index()
    order = counts.groupby("kind")["findings"].sum().sort_values().index.tolist() if len(counts) else []
    figure = px.bar(
        counts,
        x="findings",
        y="kind",
        color="severity",
        orientation="h",
        color_discrete_map=SEVERITY_COLOURS,
        category_orders={"severity": list(SEVERITIES), "kind": order[::-1]},
        title=title,
    )
    figure.update_layout(
        **_LAYOUT, xaxis_title="findings", yaxis_title="", height=max(260, 40 + 28 * len(order))
    )
    return figure


def monthly_figure(activity: pd.DataFrame) -> go.Figure:
    """Deals won and sales invoices raised per month, as lines."""
    figure = px.line(
        activity,
        x="month",
        y="count",
        color="series",
        markers=True,
        title="Deals won and invoices raised per month",
    )
    figure.update_layout(**_LAYOUT, xaxis_title="", yaxis_title="per month")
    return figure
