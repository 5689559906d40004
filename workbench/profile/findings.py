"""The findings table every analysis returns, and the record-reference convention it uses.

A finding is one thing that would break (or quietly corrupt) a sync, backed by the ids of the records
involved so the client can check it. Records are referenced by canonical table name
(`organisations`, `people`, `deals`, `xero_contacts`, `invoices`, ...) so a finding reads the same
whichever CRM the rows came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import pandas as pd

Severity = Literal["high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low")

CURRENCY_SIGNS = {"GBP": "£", "EUR": "€", "USD": "$"}

FINDING_COLUMNS = (
    "kind",
    "severity",
    "subject_table",
    "subject_id",
    "records",
    "explanation",
    "fix",
    "evidence",
)


@dataclass(frozen=True)
class Finding:
    """One problem. `subject_*` names the record the finding is about (what a fix acts on)."""

    kind: str
    severity: Severity
    subject_table: str
    subject_id: str
    explanation: str
    fix: str
    records: Mapping[str, Sequence[str]] = field(default_factory=dict)
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"finding {self.kind}: severity {self.severity!r} is not one of {SEVERITIES}")

    def row(self) -> dict[str, Any]:
        records = {table: [str(i) for i in ids] for table, ids in self.records.items()}
        records.setdefault(self.subject_table, [])
        if str(self.subject_id) not in records[self.subject_table]:
            records[self.subject_table].insert(0, str(self.subject_id))
        return {
            "kind": self.kind,
            "severity": self.severity,
            "subject_table": self.subject_table,
            "subject_id": str(self.subject_id),
            "records": records,
            "explanation": self.explanation,
            "fix": self.fix,
            "evidence": dict(self.evidence),
        }


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings as a DataFrame with the columns of `FINDING_COLUMNS`, most severe first."""
    frame = pd.DataFrame([f.row() for f in findings], columns=list(FINDING_COLUMNS))
    if frame.empty:
        return frame.astype({"kind": object, "severity": object})
    order = {s: i for i, s in enumerate(SEVERITIES)}
    frame = frame.sort_values(
        ["severity", "kind", "subject_id"], key=lambda c: c.map(order) if c.name == "severity" else c
    )
    return frame.reset_index(drop=True)


def concat_findings(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Several findings tables as one, keeping the column order even when all are empty."""
    parts = [f for f in frames if not f.empty]
    if not parts:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(FINDING_COLUMNS)]


def money(amount: object, currency: object = "GBP") -> str:
    """An amount as an explanation shows it: `£1,234.50`, `EUR 80.00` (Decimal, never via float)."""
    code = currency if isinstance(currency, str) and currency else "GBP"
    try:
        missing = amount is None or bool(pd.isna(amount))
    except (TypeError, ValueError):
        missing = False
    if missing:
        return "no value"
    value = Decimal(str(amount))
    sign = CURRENCY_SIGNS.get(code)
    return f"{sign}{value:,.2f}" if sign else f"{code} {value:,.2f}"
