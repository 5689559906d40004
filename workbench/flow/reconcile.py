"""Before anything is sent: settle the ledger's unfinished rows against Xero, and find which of the
references about to be sent Xero already holds.

Which Xero invoices count as "this deal is already invoiced": every ACCREC invoice carrying the deal's
Reference in any status except DELETED and VOIDED. A DRAFT counts (someone may be reviewing it; a
second draft is exactly the duplicate the flow must never make); so do SUBMITTED, AUTHORISED and PAID.
(The same statuses as the profile's `workbench.profile.links`, which `invoiced_by_pull` reuses to read
the pulled invoices' references in every form, instalments included.) A DELETED draft or a VOIDED
invoice is one somebody cancelled, usually to issue a corrected one, so by
itself it does not block the deal. That is only safe because the ledger remembers what the flow made:
a deal the flow invoiced stays "already invoiced" (`Ledger.invoiced`) even if its invoice is later
deleted or voided in Xero; re-issuing a cancelled invoice is the accountant's call, not the flow's.

An unfinished row (`intended` or `sending`) belongs to a run that died: the flow lock guarantees no
live run owns it. If Xero holds its Reference, the crashed run's batch reached Xero, and the row
becomes `created` with Xero's ids; if not, nothing of it reached Xero and the deal is eligible again.
A batch the dead run handed over moments ago may still be on its way in (a killed process's request
can outlive it by a little), so its look-up waits until `SETTLE_SECONDS` have passed since it was sent;
and a batch none of whose references Xero holds is kept whole (`released_batches`), so the runner can
send it again under its own Idempotency-Key, which Xero answers with its first answer if it did act.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from workbench.flow.ledger import CreatedInvoice, Ledger, LedgerRow
from workbench.profile.links import invoice_deal_links
from workbench.profile.tables import ProfileTables
from workbench.xero.client import XeroClient

CANCELLED_STATUSES = frozenset({"DELETED", "VOIDED"})
SETTLE_SECONDS = 2.0


def reference_key(reference: str) -> str:
    """References compared as Xero's `where` compares strings: case and outer spaces ignored."""
    return reference.strip().lower()


@dataclass
class Reconciliation:
    """What Xero holds for the references asked about, and what became of the ledger's loose ends."""

    existing: dict[str, CreatedInvoice] = field(default_factory=dict)  # by reference_key
    recovered: list[tuple[LedgerRow, CreatedInvoice]] = field(default_factory=list)
    released: list[LedgerRow] = field(default_factory=list)
    released_batches: dict[int, list[LedgerRow]] = field(default_factory=dict)  # batch id -> rows, in order
    interrupted_runs: list[int] = field(default_factory=list)

    def invoice_for(self, reference: str) -> CreatedInvoice | None:
        return self.existing.get(reference_key(reference))


def existing_invoices(xero: XeroClient, references: Iterable[str]) -> dict[str, CreatedInvoice]:
    """Xero's live (not deleted or voided) sales invoice per reference, keyed by `reference_key`.

    When several carry one reference (a duplicate made by hand), the first Xero lists is kept: any one
    of them is enough to say the deal is invoiced.
    """
    wanted = sorted({r for r in references if r})
    found: dict[str, CreatedInvoice] = {}
    if not wanted:
        return found
    for invoice in xero.get_invoices_by_reference(wanted):
        if not _counts(invoice):
            continue
        found.setdefault(
            reference_key(str(invoice.get("Reference") or "")), CreatedInvoice.from_xero(invoice)
        )
    return found


@dataclass(frozen=True)
class PulledInvoice:
    """A live sales invoice in the pull whose Reference names a deal (in any form the profile reads)."""

    invoice: CreatedInvoice
    reference: str


def invoiced_by_pull(tables: ProfileTables) -> dict[tuple[str, str], PulledInvoice]:
    """Deals a live (not deleted or voided) sales invoice in the pulled Xero tables names, by (CRM, deal
    id). It reads references as the profile does (`PD 12`, `pd-12/02` for an instalment), so an invoice
    raised by hand with a reference the exact look-up would miss still counts."""
    links = invoice_deal_links(tables)
    invoices = tables["invoices"].set_index("invoice_id")
    found: dict[tuple[str, str], PulledInvoice] = {}
    for link in links.itertuples(index=False):
        record = invoices.loc[link.invoice_id] if link.invoice_id in invoices.index else None
        invoice = CreatedInvoice(
            str(link.invoice_id),
            str(link.invoice_number or ""),
            str(link.status or ""),
            _money(record, "total"),
            _money(record, "amount_due"),
        )
        found.setdefault((str(link.source), str(link.deal_id)), PulledInvoice(invoice, str(link.reference)))
    return found


def _money(record: Any, column: str) -> Decimal | None:
    if record is None:
        return None
    value = record[column]
    if isinstance(value, pd.Series):  # an id listed twice: the first row
        value = value.iloc[0]
    return value if isinstance(value, Decimal) else None


def _counts(invoice: dict[str, Any]) -> bool:
    return (
        str(invoice.get("Type") or "ACCREC") == "ACCREC"
        and str(invoice.get("Status") or "").upper() not in CANCELLED_STATUSES
    )


def reconcile(
    ledger: Ledger,
    xero: XeroClient,
    run_id: int,
    references: Iterable[str] = (),
    *,
    settle_seconds: float = SETTLE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> Reconciliation:
    """Settle every unfinished ledger row against Xero and look `references` up, in one set of calls.

    Call it only while holding the flow lock (`workbench.flow.runner.flow_lock`): then no unfinished
    row belongs to a run that is still alive.
    """
    result = Reconciliation(interrupted_runs=ledger.mark_interrupted(run_id))
    pending = [row for row in ledger.pending() if row.run_id != run_id]
    sent = ledger.batch_sent_at(row.batch_id for row in pending if row.batch_id is not None)
    if sent and settle_seconds > 0:
        newest = max(datetime.fromisoformat(at).timestamp() for at in sent.values())
        sleep(max(0.0, newest + settle_seconds - time.time()))
    result.existing = existing_invoices(xero, [*references, *(row.reference for row in pending)])
    recovered: list[tuple[int, CreatedInvoice, str]] = []
    released: list[int] = []
    for row in pending:
        invoice = result.invoice_for(row.reference)
        if invoice is not None:
            recovered.append(
                (row.row_id, invoice, f"run {row.run_id} stopped after sending; found in Xero by Reference")
            )
            result.recovered.append((row, invoice))
        else:
            released.append(row.row_id)
            result.released.append(row)
    touched = {row.batch_id for row, _ in result.recovered}
    for row in result.released:
        if row.batch_id is not None and row.batch_id not in touched:
            result.released_batches.setdefault(row.batch_id, []).append(row)
    if recovered:
        ledger.record_answers(None, recovered, ())
    if released:
        ledger.mark_unsent(
            released, "the run stopped before Xero created an invoice for it (checked by Reference)"
        )
    return result
