"""The flow's ledger: one row per run, per batch, and per deal a run looked at, in the engagement database.

A deal's row moves `intended` → `sending` (with its batch and Idempotency-Key) → `created` / `rejected`,
and every step is committed before the HTTP call it precedes, so a run killed at any moment leaves rows
that say exactly what might have reached Xero (`intended`, `sending`); `reconcile` settles those against
Xero before anything is sent again. Deals a run does not send are `held` (with the reason), `unsent`
(the run stopped before their batch, or a crash did and Xero has no invoice for them) or `dry-run`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from workbench.flow.drafts import Held, InvoiceDraft
from workbench.store import Engagement, utc_now

DealState = Literal["intended", "sending", "created", "rejected", "held", "unsent", "dry-run"]
PENDING_STATES: tuple[DealState, ...] = ("intended", "sending")
RunStatus = Literal["running", "finished", "stopped", "failed", "interrupted"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS flow_runs (
    run_id INTEGER PRIMARY KEY, mode TEXT NOT NULL, plan_version INTEGER NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL, options TEXT NOT NULL,
    error TEXT, report TEXT);
CREATE TABLE IF NOT EXISTS flow_batches (
    batch_id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES flow_runs (run_id),
    idempotency_key TEXT NOT NULL UNIQUE, size INTEGER NOT NULL, state TEXT NOT NULL,
    sent_at TEXT NOT NULL, answered_at TEXT);
CREATE TABLE IF NOT EXISTS flow_deals (
    row_id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES flow_runs (run_id),
    source TEXT NOT NULL, deal_id TEXT NOT NULL, deal_title TEXT NOT NULL, reference TEXT NOT NULL,
    draft_fingerprint TEXT NOT NULL, deal_fingerprint TEXT NOT NULL, state TEXT NOT NULL,
    batch_id INTEGER REFERENCES flow_batches (batch_id), idempotency_key TEXT,
    invoice_id TEXT, invoice_number TEXT, invoice_status TEXT, total TEXT, amount_due TEXT,
    messages TEXT NOT NULL DEFAULT '[]', reason TEXT, why TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS flow_deals_deal ON flow_deals (source, deal_id);
CREATE INDEX IF NOT EXISTS flow_deals_state ON flow_deals (state);
"""
_NOT_DRY_RUN = "run_id IN (SELECT run_id FROM flow_runs WHERE mode != 'dry-run')"
_COLUMNS = (
    "row_id, run_id, source, deal_id, deal_title, reference, draft_fingerprint, deal_fingerprint, state, "
    "batch_id, idempotency_key, invoice_id, invoice_number, invoice_status, total, amount_due, messages, "
    "reason, why, updated_at"
)


@dataclass(frozen=True)
class LedgerRow:
    """One deal in one run, as the ledger holds it."""

    row_id: int
    run_id: int
    source: str
    deal_id: str
    deal_title: str
    reference: str
    draft_fingerprint: str
    deal_fingerprint: str
    state: DealState
    batch_id: int | None
    idempotency_key: str | None
    invoice_id: str | None
    invoice_number: str | None
    invoice_status: str | None
    total: Decimal | None
    amount_due: Decimal | None
    messages: tuple[str, ...]
    reason: str | None
    why: str
    updated_at: str

    @classmethod
    def from_sql(cls, row: Sequence[Any]) -> LedgerRow:
        values = list(row)
        values[14] = Decimal(values[14]) if values[14] is not None else None
        values[15] = Decimal(values[15]) if values[15] is not None else None
        values[16] = tuple(json.loads(values[16]))
        return cls(*values)


@dataclass(frozen=True)
class CreatedInvoice:
    """What Xero says about an invoice it holds (from a create answer or a look-up by Reference)."""

    invoice_id: str
    invoice_number: str
    status: str
    total: Decimal | None
    amount_due: Decimal | None

    @classmethod
    def from_xero(cls, invoice: dict[str, Any]) -> CreatedInvoice:
        return cls(
            str(invoice.get("InvoiceID") or ""),
            str(invoice.get("InvoiceNumber") or ""),
            str(invoice.get("Status") or ""),
            _decimal(invoice.get("Total")),
            _decimal(invoice.get("AmountDue")),
        )


@dataclass(frozen=True)
class Batch:
    batch_id: int
    idempotency_key: str
    row_ids: tuple[int, ...]


@dataclass(frozen=True)
class RunRecord:
    run_id: int
    mode: str
    plan_version: int
    started_at: str
    finished_at: str | None
    status: str
    options: dict[str, Any]
    error: str | None
    report: dict[str, Any] | None


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class Ledger:
    """The flow's tables in an engagement's database; every method commits before it returns."""

    def __init__(self, engagement: Engagement) -> None:
        self.engagement = engagement
        self.db: sqlite3.Connection = engagement.db
        # a committed row must survive a power cut too, not only a killed process
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)

    # runs --------------------------------------------------------------------------------------------
    def start_run(self, mode: str, plan_version: int, options: dict[str, Any]) -> int:
        cursor = self.db.execute(
            "INSERT INTO flow_runs (mode, plan_version, started_at, status, options) "
            "VALUES (?, ?, ?, 'running', ?)",
            (mode, plan_version, utc_now().isoformat(), json.dumps(options, sort_keys=True, default=str)),
        )
        run_id = int(cursor.lastrowid or 0)
        self.engagement.audit("flow run started", run_id=run_id, mode=mode, plan_version=plan_version)
        return run_id

    def finish_run(
        self, run_id: int, status: RunStatus, report: dict[str, Any], error: str | None = None
    ) -> None:
        self.db.execute(
            "UPDATE flow_runs SET status = ?, finished_at = ?, error = ?, report = ? WHERE run_id = ?",
            (status, utc_now().isoformat(), error, json.dumps(report, sort_keys=True, default=str), run_id),
        )
        self.engagement.audit("flow run " + status, run_id=run_id, error=error)

    def mark_interrupted(self, before_run: int) -> list[int]:
        """Runs still `running` before `before_run`: their process died (the flow lock says so)."""
        ids = [
            int(r[0])
            for r in self.db.execute(
                "SELECT run_id FROM flow_runs WHERE status = 'running' AND run_id < ?", (before_run,)
            )
        ]
        with self.engagement.transaction() as db:
            for run_id in ids:
                db.execute(
                    "UPDATE flow_runs SET status = 'interrupted', finished_at = ? WHERE run_id = ?",
                    (utc_now().isoformat(), run_id),
                )
        return ids

    def run(self, run_id: int) -> RunRecord | None:
        row = self.db.execute(
            "SELECT run_id, mode, plan_version, started_at, finished_at, status, options, error, report "
            "FROM flow_runs WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            return None
        run, mode, version, started, finished, status, options, error, report = row
        return RunRecord(
            run, mode, version, started, finished, status, json.loads(options), error,
            json.loads(report) if report is not None else None,
        )  # fmt: skip

    def runs(self) -> list[RunRecord]:
        ids = [int(r[0]) for r in self.db.execute("SELECT run_id FROM flow_runs ORDER BY run_id")]
        return [record for run_id in ids if (record := self.run(run_id)) is not None]

    # deal rows ---------------------------------------------------------------------------------------
    def record_drafts(
        self, run_id: int, drafts: Iterable[InvoiceDraft], state: DealState = "intended", why: str = ""
    ) -> dict[str, int]:
        """One row per draft in `state`, in one transaction; returns row ids by Reference."""
        now = utc_now().isoformat()
        ids: dict[str, int] = {}
        with self.engagement.transaction() as db:
            for draft in drafts:
                cursor = db.execute(
                    "INSERT INTO flow_deals (run_id, source, deal_id, deal_title, reference, "
                    "draft_fingerprint, deal_fingerprint, state, why, total, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run_id,
                        draft.source,
                        draft.deal_id,
                        draft.deal_title,
                        draft.reference,
                        draft.fingerprint(),
                        draft.deal_fingerprint,
                        state,
                        why,
                        _text(draft.total),  # the draft's; Xero's own total replaces it once created
                        now,
                    ),
                )
                ids[draft.reference] = int(cursor.lastrowid or 0)
        return ids

    def record_held(self, run_id: int, held: Iterable[tuple[Held, str, CreatedInvoice | None]]) -> None:
        """Held deals with their Reference (and, for one already invoiced, the invoice it has)."""
        now = utc_now().isoformat()
        with self.engagement.transaction() as db:
            for item, reference, invoice in held:
                draft = item.draft
                db.execute(
                    "INSERT INTO flow_deals (run_id, source, deal_id, deal_title, reference, "
                    "draft_fingerprint, deal_fingerprint, state, reason, why, invoice_id, invoice_number, "
                    "invoice_status, total, amount_due, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 'held', ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run_id,
                        item.source,
                        item.deal_id,
                        item.deal_title,
                        reference,
                        draft.fingerprint() if draft else "",
                        draft.deal_fingerprint if draft else "",
                        item.reason.value,
                        item.why,
                        invoice.invoice_id if invoice else None,
                        invoice.invoice_number if invoice else None,
                        invoice.status if invoice else None,
                        _text(invoice.total) if invoice else None,
                        _text(invoice.amount_due) if invoice else None,
                        now,
                    ),
                )

    def start_batch(self, run_id: int, row_ids: Sequence[int], key_prefix: str) -> Batch:
        """A batch row and its deals moved to `sending`, committed before the batch is sent.

        The Idempotency-Key is derived from the batch id, so sending this batch again replays it.
        """
        now = utc_now().isoformat()
        with self.engagement.transaction() as db:
            # BEGIN IMMEDIATE makes this connection the only writer: the next id is ours to take
            batch_id = int(
                db.execute("SELECT COALESCE(MAX(batch_id), 0) + 1 FROM flow_batches").fetchone()[0]
            )
            key = f"{key_prefix}-batch-{batch_id}"
            db.execute(
                "INSERT INTO flow_batches (batch_id, run_id, idempotency_key, size, state, sent_at) "
                "VALUES (?, ?, ?, ?, 'sending', ?)",
                (batch_id, run_id, key, len(row_ids), now),
            )
            db.executemany(
                "UPDATE flow_deals SET state = 'sending', batch_id = ?, idempotency_key = ?, updated_at = ? "
                "WHERE row_id = ?",
                ((batch_id, key, now, row_id) for row_id in row_ids),
            )
        return Batch(batch_id, key, tuple(row_ids))

    def resume_batch(self, batch_id: int, row_ids: Sequence[int]) -> Batch:
        """Send an earlier batch again, with its own Idempotency-Key: Xero replays its first answer if
        it did act on it after all. The rows (this run's, same drafts) move to `sending` first."""
        now = utc_now().isoformat()
        with self.engagement.transaction() as db:
            (key,) = db.execute(
                "SELECT idempotency_key FROM flow_batches WHERE batch_id = ?", (batch_id,)
            ).fetchone()
            db.execute(
                "UPDATE flow_batches SET state = 'sending', sent_at = ?, answered_at = NULL "
                "WHERE batch_id = ?",
                (now, batch_id),
            )
            db.executemany(
                "UPDATE flow_deals SET state = 'sending', batch_id = ?, idempotency_key = ?, updated_at = ? "
                "WHERE row_id = ?",
                ((batch_id, key, now, row_id) for row_id in row_ids),
            )
        return Batch(batch_id, str(key), tuple(row_ids))

    def batch_sent_at(self, batch_ids: Iterable[int]) -> dict[int, str]:
        """When each batch was (last) handed to Xero, as ISO UTC."""
        wanted = sorted(set(batch_ids))
        marks = ", ".join("?" for _ in wanted)
        rows = self.db.execute(
            f"SELECT batch_id, sent_at FROM flow_batches WHERE batch_id IN ({marks})", wanted
        ).fetchall()
        return {int(b): str(at) for b, at in rows}

    def record_answers(
        self,
        batch_id: int | None,
        created: Iterable[tuple[int, CreatedInvoice, str]],
        rejected: Iterable[tuple[int, Sequence[str]]],
    ) -> None:
        """Xero's answer per element (created with its ids and a note; rejected with its messages)."""
        now = utc_now().isoformat()
        with self.engagement.transaction() as db:
            for row_id, invoice, why in created:
                db.execute(
                    "UPDATE flow_deals SET state = 'created', invoice_id = ?, invoice_number = ?, "
                    "invoice_status = ?, total = ?, amount_due = ?, why = ?, updated_at = ? WHERE row_id = ?",
                    (
                        invoice.invoice_id,
                        invoice.invoice_number,
                        invoice.status,
                        _text(invoice.total),
                        _text(invoice.amount_due),
                        why,
                        now,
                        row_id,
                    ),
                )
            for row_id, messages in rejected:
                db.execute(
                    "UPDATE flow_deals SET state = 'rejected', messages = ?, why = ?, updated_at = ? "
                    "WHERE row_id = ?",
                    (json.dumps(list(messages)), "Xero refused it: " + "; ".join(messages), now, row_id),
                )
            if batch_id is not None:
                db.execute(
                    "UPDATE flow_batches SET state = 'answered', answered_at = ? WHERE batch_id = ?",
                    (now, batch_id),
                )

    def mark_unsent(self, row_ids: Iterable[int], why: str) -> None:
        now = utc_now().isoformat()
        with self.engagement.transaction() as db:
            db.executemany(
                "UPDATE flow_deals SET state = 'unsent', why = ?, updated_at = ? WHERE row_id = ?",
                ((why, now, row_id) for row_id in row_ids),
            )

    # questions ---------------------------------------------------------------------------------------
    def rows(self, run_id: int) -> list[LedgerRow]:
        return self._select("WHERE run_id = ? ORDER BY row_id", (run_id,))

    def pending(self) -> list[LedgerRow]:
        """Rows a run committed but never settled: Xero may or may not have their invoices."""
        marks = ", ".join("?" for _ in PENDING_STATES)
        return self._select(f"WHERE state IN ({marks}) ORDER BY row_id", PENDING_STATES)

    def invoiced(self) -> dict[tuple[str, str], LedgerRow]:
        """The newest `created` row per deal: the deals the flow has invoiced."""
        return self._latest("state = 'created'")

    def last_sent(self) -> dict[tuple[str, str], LedgerRow]:
        """The newest created-or-rejected row per deal: Xero's last answer about it."""
        return self._latest("state IN ('created', 'rejected')")

    def last_outcomes(self, *, include_dry_runs: bool = False) -> list[LedgerRow]:
        """The newest row per deal (dry runs left out unless asked for), ordered by source and deal id."""
        condition = "1 = 1" if include_dry_runs else _NOT_DRY_RUN
        rows = self._latest(condition).values()
        return sorted(rows, key=lambda r: (r.source, _deal_order(r.deal_id)))

    def _latest(self, condition: str) -> dict[tuple[str, str], LedgerRow]:
        rows = self._select(
            "WHERE row_id IN "
            f"(SELECT MAX(row_id) FROM flow_deals WHERE {condition} GROUP BY source, deal_id)",
            (),
        )
        return {(r.source, r.deal_id): r for r in rows}

    def _select(self, where: str, params: Sequence[Any]) -> list[LedgerRow]:
        return [
            LedgerRow.from_sql(row)
            for row in self.db.execute(f"SELECT {_COLUMNS} FROM flow_deals {where}", tuple(params))
        ]


def _deal_order(deal_id: str) -> tuple[int, str]:
    return (int(deal_id), "") if deal_id.isdigit() else (2**63, deal_id)
