"""Which candidates a run may send: the mode's options, the operator's allow-list and cap, and the hold
rules (already invoiced, not allowed, invalid, rejected before with the same draft).

Every candidate ends up either to send or held with a reason an operator can act on; nothing here
calls Xero (the runner asks Xero which references exist, then applies the cap).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from workbench.errors import ConfigurationError
from workbench.flow.drafts import Held, HoldReason, InvoiceDraft
from workbench.flow.ledger import CreatedInvoice, Ledger, LedgerRow
from workbench.flow.reconcile import PulledInvoice
from workbench.plan.model import InvoiceStatus, Plan
from workbench.plan.versions import PlanVersion
from workbench.references import deal_reference, parse_deal_reference

FlowMode = Literal["dry-run", "pilot", "live"]
MODES: tuple[FlowMode, ...] = ("dry-run", "pilot", "live")
DEFAULT_PILOT_CAP = 5
Item = InvoiceDraft | Held


def effective_status(plan: Plan, requested: str | None) -> str:
    """DRAFT unless the plan and the operator both ask for the same higher status."""
    if requested is None or requested.upper() == InvoiceStatus.DRAFT:
        return InvoiceStatus.DRAFT.value
    wanted = requested.upper()
    if wanted not in {s.value for s in InvoiceStatus}:
        raise ConfigurationError(
            f"'{requested}' is not an invoice status the flow can create",
            hint="use DRAFT (the default), SUBMITTED or AUTHORISED",
        )
    planned = plan.deal_invoice.status.value
    if planned != wanted:
        raise ConfigurationError(
            f"the operator asked for {wanted} invoices but the signed-off plan says {planned}",
            hint="invoices go out as DRAFT unless the plan and the operator agree: drop --status, or have "
            f"the client sign off a plan with status {wanted}",
        )
    return wanted


def check_options(mode: str, plan: PlanVersion, allow: Sequence[str], cap: int | None) -> int | None:
    """The cap this run uses; refuses a mode its options or its plan do not allow."""
    if mode not in MODES:
        raise ConfigurationError(f"'{mode}' is not a flow mode", hint="use dry-run, pilot or live")
    if cap is not None and cap < 1:
        raise ConfigurationError(f"a cap of {cap} creates nothing", hint="give a cap of 1 or more")
    if mode == "live" and (allow or cap is not None):
        raise ConfigurationError(
            "a live run sends every candidate; an allow-list or a cap belongs to a pilot",
            hint="use --mode pilot with --allow/--cap, or drop them for live",
        )
    if mode != "dry-run" and not plan.plan.signed_off:
        raise ConfigurationError(
            f"plan version {plan.version} is not signed off, so the flow cannot create invoices from it",
            hint="have the client sign it off (name and date on the Sign-off sheet) and import the "
            "workbook with `workbench plan import`; a dry run works on an unsigned plan",
        )
    if mode == "pilot":
        return cap if cap is not None else DEFAULT_PILOT_CAP
    return cap


def _deal_key(item: Item) -> tuple[str, str]:
    return item.source, item.deal_id


def reference_of(item: Item) -> str:
    if isinstance(item, InvoiceDraft):
        return item.reference
    if item.draft is not None:
        return item.draft.reference
    try:
        return deal_reference(item.source, item.deal_id)
    except ValueError:
        return ""


def resolve_allow(allow: Sequence[str], items: Sequence[Item]) -> tuple[set[tuple[str, str]], list[str]]:
    """The candidates an allow-list names (by Reference `PD-12` or by deal id `12`), and the entries
    that name no candidate (reported, never sent)."""
    by_deal = {_deal_key(item) for item in items}
    ids: dict[str, set[tuple[str, str]]] = {}
    for source, deal_id in by_deal:
        ids.setdefault(deal_id, set()).add((source, deal_id))
    chosen: set[tuple[str, str]] = set()
    unknown: list[str] = []
    for entry in (e.strip() for e in allow):
        if not entry:
            continue
        parsed = parse_deal_reference(entry)
        keys = {(parsed.source, parsed.deal_id)} & by_deal if parsed else ids.get(entry, set())
        if keys:
            chosen |= keys
        else:
            unknown.append(entry)
    return chosen, unknown


@dataclass
class Selection:
    send: list[InvoiceDraft] = field(default_factory=list)
    held: list[tuple[Held, str, CreatedInvoice | None]] = field(default_factory=list)

    def hold(self, item: Item, reason: HoldReason, why: str, invoice: CreatedInvoice | None = None) -> None:
        draft = item if isinstance(item, InvoiceDraft) else item.draft
        held = Held(item.source, item.deal_id, item.deal_title, reason, why, draft)
        self.held.append((held, reference_of(item), invoice))


def select(
    ledger: Ledger,
    items: Sequence[Item],
    allowed: set[tuple[str, str]] | None,
    retry_rejected: bool,
    pulled: Mapping[tuple[str, str], PulledInvoice],
) -> Selection:
    """Every candidate either to send or held with its reason (before asking Xero)."""
    selection = Selection()
    invoiced = ledger.invoiced()
    last_sent = ledger.last_sent()
    for item in items:
        key = _deal_key(item)
        done = invoiced.get(key)
        seen = pulled.get(key)
        if done is not None:
            selection.hold(
                item,
                HoldReason.ALREADY_INVOICED,
                f"the flow created {done.invoice_number or done.invoice_id} for it in run {done.run_id}",
                _invoice_of(done),
            )
        elif seen is not None:
            selection.hold(
                item,
                HoldReason.ALREADY_INVOICED,
                f"Xero has {seen.invoice.invoice_number or seen.invoice.invoice_id} ({seen.invoice.status}) "
                f"with Reference '{seen.reference}' (in this run's pull)",
                seen.invoice,
            )
        elif allowed is not None and key not in allowed:
            selection.hold(item, HoldReason.NOT_ALLOWED, "not in this run's allow-list")
        elif isinstance(item, Held):
            selection.held.append((item, reference_of(item), None))
        elif not item.sendable:
            selection.hold(item, HoldReason.INVALID, "; ".join(item.problems))
        elif (
            not retry_rejected
            and (last := last_sent.get(key)) is not None
            and last.state == "rejected"
            and last.draft_fingerprint == item.fingerprint()
        ):
            selection.hold(
                item,
                HoldReason.REJECTED_UNCHANGED,
                f"Xero refused the same invoice in run {last.run_id}: {'; '.join(last.messages)}; "
                "fix the cause in the CRM or the plan (or rerun with --retry-rejected once fixed in Xero)",
            )
        else:
            selection.send.append(item)
    return selection


def _invoice_of(row: LedgerRow) -> CreatedInvoice:
    return CreatedInvoice(
        row.invoice_id or "", row.invoice_number or "", row.invoice_status or "", row.total, row.amount_due
    )
