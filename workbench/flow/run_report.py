"""What a flow run did, deal by deal, and the API calls it used: kept in the ledger and written to files.

The report is read back from the ledger rows of the run (the ledger is the record; the report is its
summary), so what it says is what the ledger holds. Files go to `reports/<engagement>/flow-run-<id>.json`
and `.md`; neither carries a secret (there is none in the ledger).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from workbench.flow.ledger import LedgerRow

# how each ledger state reads in a report
OUTCOME_WORDS = {
    "created": "created",
    "rejected": "rejected by Xero",
    "held": "skipped",
    "unsent": "not sent",
    "dry-run": "would be created",
    "intended": "unknown until the next run checks Xero",
    "sending": "unknown until the next run checks Xero",
}


@dataclass(frozen=True)
class DealOutcome:
    """One deal's outcome in one run, in the operator's words."""

    source: str
    deal_id: str
    deal_title: str
    reference: str
    outcome: str  # a value of OUTCOME_WORDS
    reason: str | None = None  # the HoldReason text of a skipped deal
    why: str = ""
    invoice_id: str | None = None
    invoice_number: str | None = None
    invoice_status: str | None = None
    total: Decimal | None = None
    amount_due: Decimal | None = None
    messages: tuple[str, ...] = ()

    @classmethod
    def from_row(cls, row: LedgerRow) -> DealOutcome:
        return cls(
            row.source,
            row.deal_id,
            row.deal_title,
            row.reference,
            OUTCOME_WORDS.get(row.state, row.state),
            row.reason,
            row.why,
            row.invoice_id,
            row.invoice_number,
            row.invoice_status,
            row.total,
            row.amount_due,
            row.messages,
        )


class CallCounter:
    """Counts the HTTP requests an httpx client sends, by service, method and endpoint.

    Hooked on the client itself, so retries, 429s waited out and requests re-sent after a token refresh
    are each counted: the figure is what the service's rate limits see.
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def attach(self, client: httpx.Client, service: str) -> None:
        def count(request: httpx.Request) -> None:
            self.counts[f"{service} {request.method} {endpoint_name(request.url.path)}"] += 1

        client.event_hooks["request"] = [*client.event_hooks.get("request", []), count]

    def by_method(self, method: str) -> int:
        return sum(n for key, n in self.counts.items() if key.split(" ")[1] == method)

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.counts.items()))


def endpoint_name(path: str) -> str:
    """`/api.xro/2.0/Invoices` -> `Invoices`; `/api/v2/deals/12` -> `deals/{id}`; `/v1/deals/12/products`
    -> `deals/{id}/products`; HubSpot's `/crm/v3/objects/deals/12` -> `objects/deals/{id}` (ids folded,
    so calls group by endpoint)."""
    parts = [p for p in path.split("/") if p]
    for marker in ("2.0", "v2", "v1", "v3", "v4"):
        if marker in parts:
            parts = parts[parts.index(marker) + 1 :]
            break
    return "/".join("{id}" if _is_id(p) else p for p in parts) or "/"


# HubSpot reads that are POSTs (a search, or a batch read by ids): they change nothing
_READ_POSTS = ("/search", "/batch/read")


def is_write_call(name: str) -> bool:
    """Whether a call counted as `"<service> <METHOD> <endpoint>"` changes something in that service."""
    _, method, endpoint = [*name.split(" ", 2), "", ""][:3]
    if method == "POST":
        return not endpoint.endswith(_READ_POSTS)
    return method in ("PUT", "PATCH", "DELETE")


def _is_id(part: str) -> bool:
    return part.isdigit() or (len(part) == 36 and part.count("-") == 4)


@dataclass
class RunReport:
    run_id: int
    engagement: str
    mode: str
    plan_version: int
    invoice_status: str
    started_at: str
    finished_at: str
    status: str  # finished, stopped or failed
    error: str | None = None
    allow: tuple[str, ...] = ()
    cap: int | None = None
    outcomes: list[DealOutcome] = field(default_factory=list)
    not_candidates: list[str] = field(default_factory=list)  # allow-list entries no candidate matched
    recovered: list[DealOutcome] = field(default_factory=list)  # earlier runs' rows settled first
    write_back: dict[str, Any] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)  # "xero PUT Invoices" -> n

    def having(self, outcome: str) -> list[DealOutcome]:
        return [o for o in self.outcomes if o.outcome == outcome]

    @property
    def created(self) -> list[DealOutcome]:
        return self.having("created")

    @property
    def rejected(self) -> list[DealOutcome]:
        return self.having("rejected by Xero")

    @property
    def skipped(self) -> list[DealOutcome]:
        return self.having("skipped")

    @property
    def would_create(self) -> list[DealOutcome]:
        return self.having("would be created")

    def skipped_by_reason(self) -> dict[str, int]:
        return dict(Counter(o.reason or "" for o in self.skipped).most_common())

    def all_calls(self) -> dict[str, int]:
        """`calls` with the write-back's own (it counts the calls of its CRM client in `write_back`)."""
        every = Counter(self.calls)
        every.update(self.write_back.get("calls") or {})
        return dict(sorted(every.items()))

    def write_calls(self) -> int:
        return sum(n for key, n in self.all_calls().items() if is_write_call(key))

    def to_json(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["summary"] = {
            "created": len(self.created),
            "would be created": len(self.would_create),
            "rejected": len(self.rejected),
            "skipped": self.skipped_by_reason(),
            "not sent": len(self.having("not sent")),
            "api calls": sum(self.all_calls().values()),
            "write calls": self.write_calls(),
        }
        return json.loads(json.dumps(payload, default=str))

    def to_markdown(self) -> str:
        lines = [
            f"# Flow run {self.run_id} — {self.engagement}",
            "",
            f"Mode **{self.mode}**, plan version {self.plan_version}, invoices as {self.invoice_status}; "
            f"{self.started_at} to {self.finished_at}; {self.status}"
            + (f": {self.error}" if self.error else "")
            + ".",
        ]
        if self.allow or self.cap is not None:
            lines.append(f"Allow-list: {', '.join(self.allow) or 'none'}; cap: {self.cap}.")
        sections = [
            ("Created", self.created, ("Deal", "Reference", "Invoice", "Status", "Total", "Amount due")),
            ("Would be created", self.would_create, ("Deal", "Reference", "Total")),
            ("Rejected by Xero", self.rejected, ("Deal", "Reference", "Xero's message")),
            ("Skipped", self.skipped, ("Deal", "Reference", "Reason", "Why")),
            ("Not sent", self.having("not sent"), ("Deal", "Reference", "Why")),
            ("Recovered from an interrupted run", self.recovered, ("Deal", "Reference", "Invoice", "Why")),
        ]
        for title, rows, columns in sections:
            if rows:
                lines += [
                    "",
                    f"## {title} ({len(rows)})",
                    "",
                    *_table(columns, [_cells(o, columns) for o in rows]),
                ]
        if self.not_candidates:
            lines += [
                "",
                "## Allow-list entries that are not candidates (never sent)",
                "",
                *(f"- {entry}" for entry in self.not_candidates),
            ]
        if self.write_back:
            told = [f"- {k}: {v}" for k, v in self.write_back.items() if k != "calls"]
            lines += ["", "## Write-back to the CRM", "", *told]
        calls = self.all_calls()
        lines += ["", f"## API calls ({sum(calls.values())})", ""]
        lines += _table(("Service, method, endpoint", "Calls"), [(k, str(v)) for k, v in calls.items()])
        return "\n".join(lines) + "\n"

    def write_files(self, folder: Path) -> tuple[Path, Path]:
        """`flow-run-<id>.json` and `.md` in `folder` (created if missing)."""
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / f"flow-run-{self.run_id}"
        json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
        json_path.write_text(json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        md_path.write_text(self.to_markdown(), encoding="utf-8")
        return json_path, md_path


def _cells(outcome: DealOutcome, columns: tuple[str, ...]) -> tuple[str, ...]:
    values = {
        "Deal": f"{outcome.deal_id} {outcome.deal_title}".strip(),
        "Reference": outcome.reference,
        "Invoice": outcome.invoice_number or "",
        "Status": outcome.invoice_status or "",
        "Total": "" if outcome.total is None else f"{outcome.total:,.2f}",
        "Amount due": "" if outcome.amount_due is None else f"{outcome.amount_due:,.2f}",
        "Reason": outcome.reason or "",
        "Why": outcome.why,
        "Xero's message": "; ".join(outcome.messages) or outcome.why,
    }
    return tuple(values[c] for c in columns)


def _table(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    return [line(columns), line(tuple("---" for _ in columns)), *(line(r) for r in rows)]
