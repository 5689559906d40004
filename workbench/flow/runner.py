"""Run the deal → invoice flow: pull, build, hold, check Xero, send in batches, record every step.

`run_flow` is the whole run; `send_drafts` is its sending half over drafts already built (the part that
touches the client's books). The order of a run, and why:

1. Take the engagement's flow lock (one run at a time; the OS drops it if the process dies), open a run.
2. Pull Xero and the CRM incrementally; pick the won deals and build their drafts from the plan.
3. Settle the ledger rows an earlier, killed run left `intended`/`sending` (`reconcile`), so the
   ledger says what Xero holds before any rule reads it.
4. Hold what must not be sent (`selection`): already invoiced (by the ledger, by the pull, and by Xero
   asked by Reference), not allowed in this run, invalid, rejected before with the very same draft.
   Then apply the pilot's cap.
5. Commit an `intended` row per invoice; then per batch of at most 50, commit `sending` with the batch's
   Idempotency-Key, send with `summarizeErrors=false`, commit each element's answer. The stop switch is
   read before each batch. A dry run stops after step 4 and sends nothing.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from workbench.errors import ConfigurationError, EngagementError, MalformedResponse, WorkbenchError
from workbench.flow.drafts import HoldReason, InvoiceDraft
from workbench.flow.ledger import Batch, CreatedInvoice, Ledger, LedgerRow
from workbench.flow.reconcile import (
    PulledInvoice,
    Reconciliation,
    existing_invoices,
    invoiced_by_pull,
    reconcile,
    reference_key,
)
from workbench.flow.run_report import CallCounter, DealOutcome, RunReport
from workbench.flow.selection import FlowMode, Item, check_options, effective_status, resolve_allow, select
from workbench.plan.model import InvoiceStatus, Plan
from workbench.plan.versions import PlanVersion, latest_version, load_version
from workbench.store import Engagement, utc_now
from workbench.xero.client import MAX_WRITE_BATCH, XeroClient

REPORTS_FOLDER = Path("reports")
LOCK_NAME = "flow.lock"
Stop = Callable[[], bool] | threading.Event


@dataclass(frozen=True)
class FlowProgress:
    """Where a run is, for a progress bar: the stage, how far through it, and what it is doing."""

    stage: str  # pull, build, check, send, write-back, done
    done: int
    total: int
    detail: str = ""


ProgressCallback = Callable[[FlowProgress], None]


@dataclass
class SendResult:
    """What `send_drafts` did (the ledger holds the same, row by row)."""

    run_id: int
    not_candidates: list[str] = field(default_factory=list)
    reconciliation: Reconciliation = field(default_factory=Reconciliation)
    batches: int = 0
    stopped: bool = False
    error: str | None = None


@dataclass
class FlowRun:
    """A finished run: its report (also in the ledger and in `files`)."""

    report: RunReport
    files: tuple[Path, ...] = ()
    drafts: tuple[InvoiceDraft, ...] = ()  # every draft the run built, sent or not (a dry run shows them)

    @property
    def run_id(self) -> int:
        return self.report.run_id

    @property
    def created(self) -> list[DealOutcome]:
        return self.report.created

    @property
    def rejected(self) -> list[DealOutcome]:
        return self.report.rejected

    @property
    def skipped(self) -> list[DealOutcome]:
        return self.report.skipped

    @property
    def would_create(self) -> list[DealOutcome]:
        return self.report.would_create


@contextmanager
def flow_lock(engagement: Engagement) -> Iterator[None]:
    """One flow run per engagement at a time. An OS file lock: a killed run's lock goes with it, so
    rows it left unfinished are certainly nobody's when the next run reconciles them."""
    path = engagement.root / LOCK_NAME
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise EngagementError(
                f"another flow run is in progress on engagement '{engagement.name}'",
                hint="wait for it to finish (or stop it), then run again",
            ) from None
        yield
    finally:
        os.close(handle)


def _stopped(stop: Stop | None) -> bool:
    if stop is None:
        return False
    if isinstance(stop, threading.Event):
        return stop.is_set()
    return bool(stop())


# sending --------------------------------------------------------------------------------------------
def send_drafts(
    engagement: Engagement,
    ledger: Ledger,
    run_id: int,
    xero: XeroClient,
    items: Sequence[Item],
    *,
    mode: FlowMode = "dry-run",
    allow: Sequence[str] = (),
    cap: int | None = None,
    invoice_status: str = InvoiceStatus.DRAFT.value,
    stop: Stop | None = None,
    progress: ProgressCallback | None = None,
    retry_rejected: bool = False,
    reconciled: Reconciliation | None = None,
    confirm: Callable[[int], bool] | None = None,
    pulled: Mapping[tuple[str, str], PulledInvoice] | None = None,
) -> SendResult:
    """Hold, check Xero, and (unless a dry run) send `items`, recording every step in the ledger.

    `cap` is the run's own (as `check_options` returns it). `confirm(n)` is asked, once the n invoices
    to create are known and before any is sent; False sends nothing. `pulled` (`invoiced_by_pull`) holds
    deals the pulled Xero invoices already bill. Call inside `flow_lock`.
    """
    result = SendResult(run_id)
    if reconciled is None:
        _report(progress, "check", 0, 0, "settling the ledger against Xero")
        reconciled = reconcile(ledger, xero, run_id)
    result.reconciliation = reconciled
    allowed: set[tuple[str, str]] | None = None
    if allow:
        allowed, result.not_candidates = resolve_allow(allow, items)
    selection = select(ledger, items, allowed, retry_rejected, pulled or {})
    _report(progress, "check", 0, len(selection.send), "asking Xero which references exist")
    existing = existing_invoices(xero, [d.reference for d in selection.send])
    to_send: list[InvoiceDraft] = []
    for draft in selection.send:
        found = existing.get(reference_key(draft.reference))
        if found is not None:
            selection.hold(
                draft,
                HoldReason.ALREADY_INVOICED,
                f"Xero already has {found.invoice_number or found.invoice_id} ({found.status}) with "
                f"Reference {draft.reference}",
                found,
            )
        elif cap is not None and len(to_send) >= cap:
            selection.hold(draft, HoldReason.NOT_ALLOWED, f"over this run's cap of {cap} invoices")
        else:
            to_send.append(draft)
    wrong = [d for d in to_send if d.status != invoice_status]
    if wrong:
        raise ConfigurationError(
            f"deal {wrong[0].deal_id}'s draft has status {wrong[0].status}, but this run creates "
            f"{invoice_status} invoices only",
            hint="nothing was sent; report this: the builder and the run disagree on the status",
        )
    ledger.record_held(run_id, selection.held)
    if mode == "dry-run":
        ledger.record_drafts(run_id, to_send, state="dry-run", why="would be created (dry run)")
        return result
    if to_send and confirm is not None and not confirm(len(to_send)):
        result.stopped = True
        ledger.record_drafts(run_id, to_send, state="unsent", why="the operator did not confirm the run")
        return result
    row_ids = ledger.record_drafts(run_id, to_send)
    batches = plan_batches(to_send, result.reconciliation.released_batches)
    key_prefix = f"wb-{engagement.engagement_id[:12]}"
    sent = 0
    for index, (batch, earlier) in enumerate(batches):
        if _stopped(stop):
            result.stopped = True
            left = [row_ids[d.reference] for later, _ in batches[index:] for d in later]
            ledger.mark_unsent(left, f"the stop switch halted the run before batch {index + 1}")
            break
        _report(progress, "send", sent, len(to_send), f"batch {index + 1} of {len(batches)}")
        ids = [row_ids[d.reference] for d in batch]
        opened = ledger.resume_batch(earlier, ids) if earlier else ledger.start_batch(run_id, ids, key_prefix)
        try:
            _send_batch(ledger, xero, batch, opened)
        except WorkbenchError as exc:
            # the batch's rows stay `sending`: the next run asks Xero about them before sending anything
            result.error = f"batch {index + 1} of {len(batches)}: {exc}"
            left = [row_ids[d.reference] for later, _ in batches[index + 1 :] for d in later]
            ledger.mark_unsent(left, f"the run stopped at batch {index + 1}: {exc}")
            break
        result.batches += 1
        sent += len(batch)
    _report(progress, "send", sent, len(to_send), "sent")
    return result


def plan_batches(
    drafts: Sequence[InvoiceDraft], released: dict[int, list[LedgerRow]]
) -> list[tuple[list[InvoiceDraft], int | None]]:
    """Batches of at most 50, each with the earlier batch it repeats (None: a new batch).

    An earlier batch that Xero shows no sign of (`Reconciliation.released_batches`) is sent again whole,
    under its own key, when this run sends exactly the same drafts: if Xero acted on it after all, it
    replays its answer instead of creating the invoices twice.
    """
    pool = {d.reference: d for d in drafts}
    batches: list[tuple[list[InvoiceDraft], int | None]] = []
    for batch_id, rows in sorted(released.items()):
        again = [pool.get(row.reference) for row in rows]
        if all(
            d is not None and d.fingerprint() == r.draft_fingerprint for d, r in zip(again, rows, strict=True)
        ):
            batches.append(([d for d in again if d is not None], batch_id))
            for row in rows:
                del pool[row.reference]
    rest = [d for d in drafts if d.reference in pool]
    batches += [(rest[i : i + MAX_WRITE_BATCH], None) for i in range(0, len(rest), MAX_WRITE_BATCH)]
    return batches


def _send_batch(ledger: Ledger, xero: XeroClient, drafts: Sequence[InvoiceDraft], batch: Batch) -> None:
    row_ids = batch.row_ids
    answers = xero.create_invoices([d.payload() for d in drafts], idempotency_key=batch.idempotency_key)
    if len(answers) != len(drafts):
        raise MalformedResponse(
            f"Xero answered {len(answers)} elements to a batch of {len(drafts)}",
            hint="the next run checks every reference of this batch in Xero before sending again",
        )
    created: list[tuple[int, CreatedInvoice, str]] = []
    rejected: list[tuple[int, list[str]]] = []
    for row_id, draft, answer in zip(row_ids, drafts, answers, strict=True):
        returned = str(answer.get("Reference") or "")
        if returned and reference_key(returned) != reference_key(draft.reference):
            raise MalformedResponse(
                f"Xero's answer for {draft.reference} names Reference {returned}",
                hint="the next run checks every reference of this batch in Xero before sending again",
            )
        status = str(answer.get("StatusAttributeString") or "").upper()
        if status == "ERROR" or answer.get("HasErrors") or not answer.get("InvoiceID"):
            messages = [
                str(e.get("Message")) for e in answer.get("ValidationErrors") or [] if e and e.get("Message")
            ]
            rejected.append((row_id, messages or ["Xero gave no reason"]))
        else:
            warnings = [str(w.get("Message")) for w in answer.get("Warnings") or [] if w and w.get("Message")]
            note = "created" + (f" with warnings: {'; '.join(warnings)}" if warnings else "")
            created.append((row_id, CreatedInvoice.from_xero(answer), note))
    ledger.record_answers(batch.batch_id, created, rejected)


def _report(progress: ProgressCallback | None, stage: str, done: int, total: int, detail: str = "") -> None:
    if progress is not None:
        progress(FlowProgress(stage, done, total, detail))


# the whole run --------------------------------------------------------------------------------------
def run_flow(
    engagement: Engagement,
    plan_version: PlanVersion | int | None,
    connector: Any,
    *,
    mode: FlowMode = "dry-run",
    allow: Sequence[str] = (),
    cap: int | None = None,
    status: str | None = None,
    stop: Stop | None = None,
    progress: ProgressCallback | None = None,
    run_date: date | None = None,
    write_back: bool = True,
    create_fields: bool = False,
    retry_rejected: bool = False,
    reports_dir: Path | None = REPORTS_FOLDER,
    confirm: Callable[[str, int], bool] | None = None,
) -> FlowRun:
    """One run of the flow (see the module docstring); `plan_version` None takes the latest version.

        `connector` is a `workbench.connections.Connector`. After creates, the invoices are written back to
    the CRM (`workbench.flow.writeback.write_back_run`) unless `write_back` is False; `create_fields` lets
    it create the CRM fields it writes when they are missing. `confirm(organisation, n)` is asked before the
        first invoice is sent (a live run's operator types the organisation's name). A failure part-way is
        recorded in the ledger and the report (status `failed`, with the error) rather than raised, so what
        was done is on record.
    """
    plan = _plan(engagement, plan_version)
    run_cap = check_options(mode, plan, allow, cap)
    invoice_status = effective_status(plan.plan, status)
    counter = CallCounter()
    with flow_lock(engagement):
        ledger = Ledger(engagement)
        options = {"allow": list(allow), "cap": run_cap, "status": invoice_status, "write_back": write_back}
        options["create_fields"] = create_fields
        run_id = ledger.start_run(mode, plan.version, options)
        started = utc_now().isoformat()
        outcome = SendResult(run_id)
        write_back_summary: dict[str, Any] = {}
        run_status = "finished"
        items: list[Item] = []
        try:
            xero_source = connector.xero_source()
            crm_source = connector.crm_source(engagement)
            counter.attach(xero_source.client.session.client, "xero")
            counter.attach(crm_source.client.session.client, crm_source.name)
            xero = xero_source.client
            _pull(engagement, [xero_source, crm_source], progress)
            items, pulled = _build(engagement, plan.plan, run_date, invoice_status, progress)
            outcome = send_drafts(
                engagement,
                ledger,
                run_id,
                xero,
                items,
                mode=mode,
                allow=allow,
                cap=run_cap,
                invoice_status=invoice_status,
                stop=stop,
                progress=progress,
                retry_rejected=retry_rejected,
                pulled=pulled,
                confirm=(lambda n: confirm(organisation_name(engagement), n)) if confirm else None,
            )
            if outcome.error:
                run_status = "failed"
            elif outcome.stopped:
                run_status = "stopped"
            if write_back and mode != "dry-run":
                write_back_summary = _write_back(
                    engagement, ledger, run_id, connector, create_fields, progress
                )
        except WorkbenchError as exc:
            run_status, outcome.error = "failed", str(exc)
        report = _run_report(
            engagement, ledger, run_id, mode, plan.version, invoice_status, started, run_status, outcome
        )
        report.allow, report.cap = tuple(allow), run_cap
        report.write_back = write_back_summary
        report.calls = counter.as_dict()
        ledger.finish_run(run_id, run_status, report.to_json(), outcome.error)  # type: ignore[arg-type]
        files = report.write_files(reports_dir / engagement.name) if reports_dir is not None else ()
        _report(progress, "done", 1, 1, run_status)
        drafts = tuple(item for item in items if isinstance(item, InvoiceDraft))
        return FlowRun(report, tuple(files), drafts)


def _plan(engagement: Engagement, plan_version: PlanVersion | int | None) -> PlanVersion:
    if isinstance(plan_version, PlanVersion):
        return plan_version
    if plan_version is not None:
        return load_version(engagement, plan_version)
    latest = latest_version(engagement)
    if latest is None:
        raise ConfigurationError(
            f"engagement '{engagement.name}' has no mapping plan yet",
            hint=f"run `workbench plan export --engagement {engagement.name}` and have the client "
            "sign it off",
        )
    return latest


def organisation_name(engagement: Engagement) -> str:
    """The Xero organisation's name, as last pulled."""
    frame = engagement.table("xero_organisation")
    names = [str(n) for n in frame.get("name", []) if isinstance(n, str) and n.strip()]
    return names[0] if names else ""


def _pull(engagement: Engagement, sources: Sequence[Any], progress: ProgressCallback | None) -> None:
    from workbench.pull.runner import Progress, pull

    for source in sources:

        def show(p: Progress, name: str = source.name) -> None:
            if progress is not None and not p.finished:
                progress(FlowProgress("pull", p.endpoint_index, p.endpoint_count, f"{name} {p.endpoint}"))

        pull(engagement, source, mode="auto", progress=show)


def _build(
    engagement: Engagement,
    plan: Plan,
    run_date: date | None,
    invoice_status: str,
    progress: ProgressCallback | None,
) -> tuple[list[Item], dict[tuple[str, str], PulledInvoice]]:
    """The candidates and their drafts, by the builder (`workbench.flow.build`), and the deals the
    pulled Xero invoices bill."""
    from workbench.flow.build import build_drafts
    from workbench.flow.candidates import won_deals
    from workbench.profile.tables import ProfileTables

    tables = ProfileTables.from_engagement(engagement)
    deals = won_deals(tables, plan)
    _report(progress, "build", 0, len(deals), "building drafts")
    items = build_drafts(plan, tables, deals, run_date=run_date or tables.as_of, status=invoice_status)
    _report(progress, "build", len(deals), len(deals), "drafts built")
    return list(items), invoiced_by_pull(tables)


def _write_back(
    engagement: Engagement,
    ledger: Ledger,
    run_id: int,
    connector: Any,
    create_fields: bool,
    progress: ProgressCallback | None,
) -> dict[str, Any]:
    """The CRM write-back of the invoices the flow created (this run's, and any an earlier run created
    but stopped before writing back)."""
    from workbench.flow.writeback import write_back_run

    _report(progress, "write-back", 0, 1, "writing invoice numbers back to the CRM")
    try:
        summary = write_back_run(engagement, ledger, run_id, connector, create_fields=create_fields)
    except WorkbenchError as exc:
        # the invoices exist and the ledger says so; the next run (or `workbench flow refresh`) writes
        # back what this one could not
        return {"failed": str(exc)}
    _report(progress, "write-back", 1, 1, "written back")
    return dict(summary)


def _run_report(
    engagement: Engagement,
    ledger: Ledger,
    run_id: int,
    mode: str,
    plan_version: int,
    invoice_status: str,
    started: str,
    status: str,
    outcome: SendResult,
) -> RunReport:
    recovered = [
        DealOutcome(
            row.source,
            row.deal_id,
            row.deal_title,
            row.reference,
            "created",
            why=f"sent by run {row.run_id}, which stopped before recording Xero's answer",
            invoice_id=invoice.invoice_id,
            invoice_number=invoice.invoice_number,
            invoice_status=invoice.status,
            total=invoice.total,
            amount_due=invoice.amount_due,
        )
        for row, invoice in outcome.reconciliation.recovered
    ]
    return RunReport(
        run_id=run_id,
        engagement=engagement.name,
        mode=mode,
        plan_version=plan_version,
        invoice_status=invoice_status,
        started_at=started,
        finished_at=utc_now().isoformat(),
        status=status,
        error=outcome.error,
        outcomes=[DealOutcome.from_row(row) for row in ledger.rows(run_id)],
        not_candidates=list(outcome.not_candidates),
        recovered=recovered,
    )
