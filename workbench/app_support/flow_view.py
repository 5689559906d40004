"""What the app's Pilot flow page shows: the plan it runs on, a dry run's drafts and holds, a pilot's
outcomes, the ledger, as tables; every run goes through `workbench.flow.runner.run_flow`.

The dry run's report names each deal's outcome; the invoice itself (contact, lines, VAT) is the
builder's draft, built again from the same pull and plan, so the table shows what would be sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from workbench.errors import ConfigurationError
from workbench.flow.drafts import InvoiceDraft
from workbench.flow.ledger import Ledger
from workbench.flow.run_report import DealOutcome
from workbench.flow.runner import FlowProgress, FlowRun, ProgressCallback, organisation_name, run_flow
from workbench.flow.selection import DEFAULT_PILOT_CAP
from workbench.plan.versions import latest_version
from workbench.route.words import gbp
from workbench.store import Engagement

__all__ = ["DEFAULT_PILOT_CAP", "organisation_name"]

STAGES = ("pull", "build", "check", "send", "write-back", "done")  # FlowProgress.stage, in run order
UNSIGNED_HINT = (
    "have the client sign it off (a name and a date on the Sign-off sheet of the Excel workbook), then "
    "read the returned workbook on the Mapping plan page; a dry run works on an unsigned plan"
)


@dataclass(frozen=True)
class PlanState:
    """The plan version a run uses, and whether a pilot may run on it."""

    version: int
    signed_off: bool
    signed_by: tuple[str, ...]

    @property
    def caption(self) -> str:
        if self.signed_off:
            return f"Plan version {self.version}: signed off by {', '.join(self.signed_by)}"
        return f"Plan version {self.version}: not signed off"


def plan_state(engagement: Engagement) -> PlanState | None:
    """The latest plan version (what `run_flow` takes), None when there is no plan yet."""
    version = latest_version(engagement)
    if version is None:
        return None
    signers = tuple(
        f"{row.name} ({row.role}, {row.signed_on:%d %b %Y})"
        for row in version.plan.sign_off
        if row.name and row.signed_on
    )
    return PlanState(version.version, version.plan.signed_off, signers)


def dry_run(engagement: Engagement, connector: Any, progress: ProgressCallback | None = None) -> FlowRun:
    """A dry run on the latest plan: pulls, builds, holds and asks Xero which references exist; sends
    nothing."""
    return run_flow(engagement, None, connector, mode="dry-run", progress=progress)


def pilot(
    engagement: Engagement,
    connector: Any,
    allow: Sequence[str],
    cap: int,
    typed_name: str,
    progress: ProgressCallback | None = None,
) -> FlowRun:
    """A pilot of the allow-listed deals (at most `cap`), once the operator typed the organisation's
    name; the run itself refuses an unsigned plan."""
    if not name_matches(typed_name, organisation_name(engagement)):
        raise ConfigurationError(
            f"'{typed_name}' is not the Xero organisation's name, so the pilot was not started",
            hint=f"type the name exactly as shown: {organisation_name(engagement)}",
        )
    return run_flow(engagement, None, connector, mode="pilot", allow=list(allow), cap=cap, progress=progress)


def name_matches(typed: str, organisation: str) -> bool:
    """The typed confirmation: the organisation's name exactly (surrounding spaces aside)."""
    return bool(organisation) and typed.strip() == organisation


def progress_step(progress: FlowProgress) -> tuple[float, str]:
    """A progress bar's share done and its text, from the run's stage and how far through it is."""
    index = STAGES.index(progress.stage) if progress.stage in STAGES else 0
    within = progress.done / progress.total if progress.total else 0.0
    share = 1.0 if progress.stage == "done" else (index + min(within, 1.0)) / (len(STAGES) - 1)
    count = f" ({progress.done:,}/{progress.total:,})" if progress.total else ""
    return min(share, 1.0), f"{progress.stage}: {progress.detail}{count}"


def _contact(draft: InvoiceDraft) -> str:
    if draft.contact.contact_id:
        return draft.contact.contact_id
    return f"new: {(draft.contact.new_contact or {}).get('Name', '')}"


def _lines(draft: InvoiceDraft) -> str:
    first = draft.lines[0].description if draft.lines else ""
    more = f" (+{len(draft.lines) - 1} more)" if len(draft.lines) > 1 else ""
    return first + more


def drafts_frame(run: FlowRun) -> pd.DataFrame:
    """Every invoice the dry run would create: deal, reference, contact and how it was matched, lines,
    subtotal, VAT and total in pounds, status."""
    drafts = {draft.reference: draft for draft in run.drafts}
    rows = []
    for outcome in run.would_create:
        draft = drafts.get(outcome.reference)
        rows.append(
            {
                "deal": f"{outcome.deal_id} {outcome.deal_title}",
                "reference": outcome.reference,
                "contact": _contact(draft) if draft else "",
                "matched by": draft.contact.matched_by if draft else "",
                "lines": _lines(draft) if draft else "",
                "subtotal": _money(draft.subtotal if draft else None),
                "VAT": _money(draft.total_tax if draft else None),
                "total": _money(draft.total if draft else outcome.total),
                "status": draft.status if draft else run.report.invoice_status,
            }
        )
    columns = ["deal", "reference", "contact", "matched by", "lines", "subtotal", "VAT", "total", "status"]
    return pd.DataFrame(rows, columns=columns)


def _money(amount: Decimal | None) -> str:
    return "" if amount is None else gbp(amount)


def outcomes_frame(outcomes: Sequence[DealOutcome]) -> pd.DataFrame:
    """Deals with their outcome: the invoice Xero gave (number, status, total) or the reason held or
    Xero's messages."""
    rows = [
        {
            "deal": f"{o.deal_id} {o.deal_title}",
            "reference": o.reference,
            "outcome": o.outcome,
            "invoice": o.invoice_number or "",
            "invoice status": o.invoice_status or "",
            "total": _money(o.total),
            "reason": o.reason or "",
            "why": "; ".join(o.messages) if o.messages else o.why,
        }
        for o in outcomes
    ]
    columns = ["deal", "reference", "outcome", "invoice", "invoice status", "total", "reason", "why"]
    return pd.DataFrame(rows, columns=columns)


def sendable(run: FlowRun) -> list[str]:
    """The references a pilot could create after this dry run (what the allow-list offers)."""
    return [o.reference for o in run.would_create]


def calls_frame(run: FlowRun) -> pd.DataFrame:
    """The API calls the run used (its write-back's included), by service, method and endpoint."""
    calls = run.report.all_calls()
    return pd.DataFrame({"call": list(calls), "count": list(calls.values())}, columns=["call", "count"])


def ledger_frame(engagement: Engagement) -> pd.DataFrame:
    """The last outcome of every deal the flow has handled (dry runs left out), as `workbench flow
    ledger` lists it."""
    rows = [
        {
            "deal": f"{r.deal_id} {r.deal_title}",
            "reference": r.reference,
            "state": r.state,
            "invoice": r.invoice_number or "",
            "invoice status": r.invoice_status or "",
            "total": _money(r.total),
            "run": r.run_id,
            "why": f"{r.reason}: {r.why}" if r.reason else r.why,
        }
        for r in Ledger(engagement).last_outcomes()
    ]
    columns = ["deal", "reference", "state", "invoice", "invoice status", "total", "run", "why"]
    return pd.DataFrame(rows, columns=columns)
