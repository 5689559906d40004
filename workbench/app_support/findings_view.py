"""Findings tables as the app lists them: filtered by kind and severity, shown without their nested
columns, labelled one line each, and written as CSV with the nested columns as JSON."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

import pandas as pd

from workbench.profile.findings import FINDING_COLUMNS, SEVERITIES

SHOWN_COLUMNS = ["severity", "kind", "subject_table", "subject_id", "explanation", "fix"]
NESTED_COLUMNS = ("records", "evidence")


def kinds(frame: pd.DataFrame) -> list[str]:
    """The finding kinds present, most frequent first."""
    if frame.empty:
        return []
    return [str(k) for k in frame["kind"].value_counts().index]


def severities(frame: pd.DataFrame) -> list[str]:
    """The severities present, most severe first."""
    present = set(frame["severity"]) if not frame.empty else set()
    return [s for s in SEVERITIES if s in present]


def filter_findings(
    frame: pd.DataFrame,
    kinds: Collection[str] = (),
    severities: Collection[str] = (),
    tables: Collection[str] = (),
) -> pd.DataFrame:
    """The findings of those kinds, severities and subject tables (an empty choice keeps all)."""
    if frame.empty:
        return frame
    keep = pd.Series(True, index=frame.index)
    if kinds:
        keep &= frame["kind"].isin(list(kinds))
    if severities:
        keep &= frame["severity"].isin(list(severities))
    if tables:
        keep &= frame["subject_table"].isin(list(tables))
    return frame[keep].reset_index(drop=True)


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns a person reads, plus how many records each finding names."""
    if frame.empty:
        return pd.DataFrame(columns=[*SHOWN_COLUMNS, "records"])
    counted = frame[SHOWN_COLUMNS].copy()
    counted["records"] = frame["records"].map(_record_count)
    return counted


def finding_label(row: pd.Series | dict[str, Any]) -> str:
    """One line naming a finding: severity, kind, and the start of its explanation."""
    explanation = str(row["explanation"])
    short = explanation if len(explanation) <= 90 else explanation[:87].rstrip() + "..."
    return f"[{row['severity']}] {row['kind']} — {short}"


def findings_csv(frame: pd.DataFrame) -> bytes:
    """Findings as UTF-8 CSV (with a BOM, so Excel reads £ right); records and evidence as JSON."""
    columns = [c for c in FINDING_COLUMNS if c in frame.columns]
    out = frame[columns].copy() if not frame.empty else pd.DataFrame(columns=columns)
    for column in NESTED_COLUMNS:
        if column in out.columns:
            out[column] = out[column].map(lambda v: json.dumps(v, sort_keys=True, default=str))
    return out.to_csv(index=False).encode("utf-8-sig")


def _record_count(records: Any) -> int:
    return sum(len(ids) for ids in records.values()) if isinstance(records, dict) else 0
