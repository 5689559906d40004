"""HTML pieces of the report, every piece of text escaped on its way in: headings, paragraphs, lists,
tables, figures, and plotly charts embedded so the file works offline."""

from __future__ import annotations

import html
import numbers
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workbench.profile.findings import money

CHART_CONFIG = {"displaylogo": False, "responsive": True}


def esc(value: Any) -> str:
    """A value as escaped text (an empty value as an empty string)."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True)


def cell_text(value: Any) -> str:
    """A table cell in words: Decimal money as £, booleans as yes/no, counts with separators."""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return "" if value is None else str(value)


def heading(level: int, text: str, anchor: str | None = None) -> str:
    attribute = f' id="{esc(anchor)}"' if anchor else ""
    return f"<h{level}{attribute}>{esc(text)}</h{level}>"


def paragraph(text: str, css: str | None = None) -> str:
    attribute = f' class="{esc(css)}"' if css else ""
    return f"<p{attribute}>{esc(text)}</p>"


def bullets(items: Iterable[str]) -> str:
    listed = "".join(f"<li>{esc(item)}</li>" for item in items)
    return f"<ul>{listed}</ul>" if listed else ""


def figures(pairs: Sequence[tuple[str, str]]) -> str:
    """Headline figures as tiles: (label, value)."""
    tiles = "".join(
        f'<div class="tile"><div class="value">{esc(value)}</div><div class="label">{esc(label)}</div></div>'
        for label, value in pairs
    )
    return f'<div class="tiles">{tiles}</div>'


def table(frame: pd.DataFrame, headers: Mapping[str, str] | None = None, css: str = "") -> str:
    """A DataFrame as a table: only the columns `headers` names (all when None), in that order."""
    columns = list(headers) if headers is not None else [str(c) for c in frame.columns]
    labels = headers or {c: c for c in columns}
    head = "".join(f"<th>{esc(labels[c])}</th>" for c in columns)
    rows = []
    for record in frame[columns].itertuples(index=False, name=None):
        rows.append("<tr>" + "".join(f"<td>{esc(cell_text(v))}</td>" for v in record) + "</tr>")
    body = "".join(rows) or f'<tr><td colspan="{len(columns)}">none</td></tr>'
    attribute = f' class="{esc(css)}"' if css else ""
    return f"<table{attribute}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def definitions(pairs: Iterable[tuple[str, str]]) -> str:
    """A list of label: value lines (a finding's evidence)."""
    items = "".join(f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>" for label, value in pairs)
    return f"<dl>{items}</dl>" if items else ""


def details(summary: str, body: str, css: str = "", *, opened: bool = False) -> str:
    """A block that opens on a click (already-escaped `body`)."""
    attribute = (f' class="{esc(css)}"' if css else "") + (" open" if opened else "")
    return f"<details{attribute}><summary>{esc(summary)}</summary>{body}</details>"


class Charts:
    """Embeds plotly figures; plotly.js goes inline once, with the first chart, so the file needs no
    network and stays one copy of the library however many charts it holds."""

    def __init__(self) -> None:
        self.embedded = 0

    def __call__(self, figure: go.Figure) -> str:
        markup = figure.to_html(
            full_html=False,
            include_plotlyjs=self.embedded == 0,
            include_mathjax=False,
            config=CHART_CONFIG,
            default_width="100%",
        )
        self.embedded += 1
        return f'<div class="chart">{markup}</div>'
