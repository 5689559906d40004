"""`workbench flow`: the deal → draft invoice run (dry run by default), `workbench flow ledger`, and
`workbench flow refresh` (in `flow_refresh`)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from types import FrameType
from typing import TextIO

from workbench.commands.flow_refresh import register_refresh
from workbench.commands.pull import CRM_KINDS, crm_connection
from workbench.connections import Connector, XeroConnection
from workbench.errors import ConfigurationError
from workbench.flow.run_report import DealOutcome, RunReport
from workbench.flow.runner import REPORTS_FOLDER, FlowProgress, run_flow
from workbench.flow.selection import MODES, FlowMode
from workbench.store import Engagement

ROWS_SHOWN = 40  # per section on screen; the report files hold every row


class FlowProgressBar:
    """A one-line bar per stage on a terminal (plain lines when not a terminal)."""

    WIDTH = 24

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self._last: tuple[str, str] = ("", "")

    def __call__(self, progress: FlowProgress) -> None:
        share = progress.done / progress.total if progress.total else 1.0
        filled = round(self.WIDTH * min(share, 1.0))
        bar = "#" * filled + "." * (self.WIDTH - filled)
        text = f"{progress.stage:<10} [{bar}] {progress.done}/{progress.total} {progress.detail}".rstrip()
        if self.live:
            self.stream.write("\r\033[K" + text + ("\n" if progress.stage == "done" else ""))
        elif (progress.stage, progress.detail) != self._last:
            self.stream.write(text + "\n")
        self._last = (progress.stage, progress.detail)
        self.stream.flush()


def parse_allow(values: Sequence[str]) -> list[str]:
    """`--allow PD-12,PD-15 --allow 17` -> ['PD-12', 'PD-15', '17']."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _confirm_live(yes: bool) -> object:
    def confirm(organisation: str, count: int) -> bool:
        if yes:
            return True
        if not sys.stdin.isatty():
            raise ConfigurationError(
                "a live run needs --yes, or the Xero organisation's name typed at a terminal",
                hint="rerun with --yes once a pilot has been checked in Xero",
            )
        answer = input(
            f"About to create {count} invoices in the Xero organisation '{organisation}'. "
            "Type its name to go on: "
        )
        return answer.strip().casefold() == organisation.strip().casefold() != ""

    return confirm


def _stop_on_interrupt(stop: threading.Event) -> None:
    """Ctrl+C once: finish the batch on its way, send no more. Twice: stop at once."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("\nStopping after the batch on its way (Ctrl+C again to stop at once).", file=sys.stderr)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, handler)


def _run(args: argparse.Namespace) -> int:
    if not args.engagement:
        print("error: --engagement is required", file=sys.stderr)
        return 2
    mode: FlowMode = args.mode
    xero = XeroConnection(kind=args.xero, name=args.xero_name, tenant_id=args.tenant)
    crm = crm_connection(args)
    stop = threading.Event()
    _stop_on_interrupt(stop)
    with (
        Engagement.open(args.engagement, create=False) as engagement,
        Connector(xero, crm, seed=args.seed, sandbox_url=args.sandbox_url) as connector,
    ):
        run = run_flow(
            engagement,
            args.plan_version,
            connector,
            mode=mode,
            allow=parse_allow(args.allow),
            cap=args.cap,
            status=args.status,
            stop=stop,
            progress=FlowProgressBar(),
            run_date=date.fromisoformat(args.run_date) if args.run_date else None,
            write_back=not args.no_write_back,
            create_fields=args.create_fields,
            retry_rejected=args.retry_rejected,
            reports_dir=Path(args.reports),
            confirm=_confirm_live(args.yes) if mode == "live" else None,  # type: ignore[arg-type]
        )
    print_report(run.report)
    for path in run.files:
        print(f"Report: {path}")
    return 1 if run.report.status == "failed" else 0


def print_report(report: RunReport, stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    print(
        f"Flow run {report.run_id} ({report.mode}, plan version {report.plan_version}, "
        f"{report.invoice_status}): {report.status}" + (f": {report.error}" if report.error else ""),
        file=out,
    )
    sections: list[tuple[str, list[DealOutcome]]] = [
        ("Created", report.created),
        ("Would be created", report.would_create),
        ("Rejected by Xero", report.rejected),
        ("Skipped", report.skipped),
        ("Not sent", report.having("not sent")),
        ("Recovered from an interrupted run", report.recovered),
    ]
    for title, rows in sections:
        if not rows:
            continue
        print(f"\n{title} ({len(rows)})", file=out)
        for outcome in rows[:ROWS_SHOWN]:
            print("  " + _line(outcome), file=out)
        if len(rows) > ROWS_SHOWN:
            print(f"  ... and {len(rows) - ROWS_SHOWN} more (see the report file)", file=out)
    if report.not_candidates:
        names = ", ".join(report.not_candidates)
        print(f"\nAllow-list entries that are not candidates (never sent): {names}", file=out)
    if report.write_back:
        told = ", ".join(f"{k} {v}" for k, v in report.write_back.items() if k != "calls")
        print(f"\nWrite-back: {told}", file=out)
    calls = report.all_calls()
    print(f"\nAPI calls: {sum(calls.values())} ({report.write_calls()} writes)", file=out)
    for key, count in calls.items():
        print(f"  {key:<40} {count:>5}", file=out)


def _line(outcome: DealOutcome) -> str:
    deal = f"{outcome.reference or outcome.deal_id:<10} {outcome.deal_title[:30]:<30}"
    total = f"{outcome.total:,.2f}" if outcome.total is not None else ""
    if outcome.outcome == "created":
        return f"{deal} {outcome.invoice_number or '':<10} {outcome.invoice_status or '':<10} {total:>12}"
    if outcome.outcome == "would be created":
        return f"{deal} {total:>12}"
    if outcome.outcome == "rejected by Xero":
        return f"{deal} {'; '.join(outcome.messages)}"
    if outcome.outcome == "skipped":
        return f"{deal} {outcome.reason}: {outcome.why}"
    return f"{deal} {outcome.why}"


def _ledger(args: argparse.Namespace) -> int:
    from workbench.flow.ledger import Ledger

    with Engagement.open(args.engagement, create=False) as engagement:
        ledger = Ledger(engagement)
        rows = ledger.last_outcomes(include_dry_runs=args.dry_runs)
        runs = ledger.runs()
        print(f"Engagement '{engagement.name}': {len(runs)} flow runs, {len(rows)} deals in the ledger")
        for run in runs[-5:]:
            print(
                f"  run {run.run_id} {run.mode:<8} plan v{run.plan_version} {run.status:<11} {run.started_at}"
            )
        if rows:
            print(f"\n{'deal':<10} {'reference':<10} {'outcome':<10} {'invoice':<10} {'status':<10} run  why")
        for row in rows:
            invoice = row.invoice_number or ""
            why = row.reason + ": " + row.why if row.reason else row.why
            print(
                f"{row.deal_id:<10} {row.reference:<10} {row.state:<10} {invoice:<10} "
                f"{row.invoice_status or '':<10} {row.run_id:<4} {why}"
            )
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "flow",
        help="create draft invoices in Xero from won deals (dry run unless told otherwise)",
        description="Pull both systems, build each won deal's invoice from the signed-off plan, and show "
        "(dry-run, the default) or create (pilot: an allow-list and/or a cap, default 5; live: every "
        "candidate) DRAFT invoices. Safe to re-run: a deal is never invoiced twice.",
    )
    parser.add_argument("--engagement", help="engagement name, e.g. acme-2026")
    parser.add_argument("--mode", choices=MODES, default="dry-run", help="dry-run (default), pilot or live")
    parser.add_argument(
        "--allow", action="append", default=[], help="deals a pilot may invoice: PD-12,PD-15 or deal ids"
    )
    parser.add_argument("--cap", type=int, help="most invoices this run creates (pilot default 5)")
    parser.add_argument("--status", help="DRAFT (default); more only if the signed-off plan says the same")
    parser.add_argument("--yes", action="store_true", help="a live run without the typed confirmation")
    parser.add_argument("--no-write-back", action="store_true", help="do not write invoices back to the CRM")
    parser.add_argument(
        "--create-fields", action="store_true", help="create the CRM fields the write-back needs if missing"
    )
    parser.add_argument(
        "--retry-rejected", action="store_true", help="send again deals Xero refused, even if unchanged"
    )
    parser.add_argument("--plan-version", type=int, help="the plan version to run (default: the latest)")
    parser.add_argument("--run-date", help="the day the run counts as (YYYY-MM-DD; default: the data's day)")
    parser.add_argument("--reports", default=str(REPORTS_FOLDER), help="folder for the run report files")
    parser.add_argument("--xero", choices=("sandbox", "custom", "oauth"), default="sandbox")
    parser.add_argument("--xero-name", default="xero", help="name of the saved Xero connection (oauth)")
    parser.add_argument("--tenant", help="Xero tenant id (default: the connection's)")
    parser.add_argument(
        "--crm",
        choices=CRM_KINDS,
        default="sandbox",
        help="sandbox (the sandbox's Pipedrive), hubspot-sandbox, pipedrive-token, pipedrive-oauth, or "
        "hubspot (the connection `workbench connect hubspot` saved; or hubspot-token / hubspot-oauth)",
    )
    parser.add_argument("--crm-name", help="name of the saved CRM connection (default: pipedrive or hubspot)")
    parser.add_argument("--pipedrive-domain", help="COMPANY in COMPANY.pipedrive.com (API-token connections)")
    parser.add_argument("--seed", type=int, default=7, help="sandbox demo client seed (default 7)")
    parser.add_argument(
        "--sandbox-url", help="a served sandbox (`workbench sandbox serve`), e.g. http://127.0.0.1:8765"
    )
    parser.set_defaults(run=_run)
    sub = parser.add_subparsers(dest="flow_command")
    ledger = sub.add_parser("ledger", help="the last outcome of every deal the flow has looked at")
    ledger.add_argument("--engagement", required=True, help="engagement name")
    ledger.add_argument("--dry-runs", action="store_true", help="include dry runs' rows")
    ledger.set_defaults(run=_ledger)
    register_refresh(sub)
