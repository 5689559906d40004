"""Later status refresh from Xero onto the deals the flow invoiced and onto their organisations.

Deals get their invoice's status (DRAFT, SUBMITTED, AUTHORISED, OVERDUE, PAID, VOIDED, DELETED) and
amount due. Organisations get "Xero account status", by this rule, over every approved (AUTHORISED)
sales invoice of the Xero contacts the flow billed them through:
- "on stop": money still owed on an invoice more than `ON_STOP_DAYS` (60) days past its due date;
- "overdue": money owed past a due date, none of it more than `ON_STOP_DAYS` days;
- "in good standing": nothing owed past a due date (a bill due today is not late).
An organisation billed through several Xero contacts takes the worst of them. Unallocated credit notes
are not netted off: an invoice is owed until Xero shows the credit allocated to it.

Only values that differ from what the CRM shows are written (Pipedrive: one PATCH per record at most;
HubSpot: batch updates of up to 100 records, deals and companies apart).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.connections import Connector
from workbench.flow.crm_writer import writer_for
from workbench.flow.writeback import (
    CrmView,
    FieldKeys,
    InvoiceState,
    WriteBackResult,
    changed_values,
    crm_view,
    current_values,
    invoice_state,
    write_back,
)
from workbench.flow.writeback_fields import ORGANISATION_ACCOUNT_STATUS
from workbench.store import Engagement
from workbench.xero.client import XeroClient

ON_STOP_DAYS = 60
ON_STOP, OVERDUE, IN_GOOD_STANDING = "on stop", "overdue", "in good standing"
_SEVERITY = {IN_GOOD_STANDING: 0, OVERDUE: 1, ON_STOP: 2}


def account_status(invoices: Iterable[InvoiceState], today: dt.date, on_stop_days: int = ON_STOP_DAYS) -> str:
    """The account status of one customer from its sales invoices (see the module docstring)."""
    status = IN_GOOD_STANDING
    for invoice in invoices:
        if invoice.is_overdue(today, by_more_than=on_stop_days):
            return ON_STOP
        if invoice.is_overdue(today):
            status = OVERDUE
    return status


def worst(statuses: Iterable[str]) -> str:
    return max(statuses, key=_SEVERITY.__getitem__, default=IN_GOOD_STANDING)


@dataclass
class RefreshResult:
    deals: WriteBackResult = field(default_factory=WriteBackResult)
    organisations_written: list[str] = field(default_factory=list)
    organisations_unchanged: int = 0
    organisations_failed: dict[str, str] = field(default_factory=dict)  # org id -> the CRM's refusal
    account_statuses: dict[str, str] = field(default_factory=dict)  # org id -> status worked out
    not_in_xero: list[str] = field(default_factory=list)  # deal ids whose InvoiceID Xero did not return
    xero_calls: int = 0
    crm_calls: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "deals_written": len(self.deals.written),
            "deals_unchanged": self.deals.unchanged,
            "organisations_written": len(self.organisations_written),
            "organisations_unchanged": self.organisations_unchanged,
            "organisations_failed": dict(self.organisations_failed),
            "on_stop": sorted(o for o, s in self.account_statuses.items() if s == ON_STOP),
            "overdue": sorted(o for o, s in self.account_statuses.items() if s == OVERDUE),
            "not_in_xero": list(self.not_in_xero),
            "xero_calls": self.xero_calls,
            "crm_calls": self.crm_calls,
        }


def refresh_statuses(
    xero: XeroClient,
    crm: object,
    keys: FieldKeys,
    invoiced: Mapping[str, str],
    view: CrmView,
    *,
    today: dt.date,
    on_stop_days: int = ON_STOP_DAYS,
) -> RefreshResult:
    """Read the invoices `invoiced` names (deal id -> InvoiceID) and their customers' approved invoices
    from Xero; write changed statuses onto the deals and account statuses onto their organisations
    (`crm` is a CRM client or its writer)."""
    writer = writer_for(crm)
    xero_before, crm_before = xero.session.stats.calls, writer.calls
    result = RefreshResult()
    deal_of = {invoice_id: deal_id for deal_id, invoice_id in invoiced.items()}
    states: list[InvoiceState] = []
    for raw in xero.get_invoices_by_ids(list(invoiced.values())):
        deal_id = deal_of.get(str(raw.get("InvoiceID")))
        state = invoice_state(raw, deal_id=deal_id) if deal_id else None
        if state is not None:
            states.append(state)
    seen = {s.deal_id for s in states}
    result.not_in_xero = [d for d in invoiced if d not in seen]
    result.deals = write_back(writer, keys, states, current=view.deal_fields, today=today)

    contacts_of_org: dict[str, set[str]] = {}
    for state in states:
        org_id = view.deal_orgs.get(state.deal_id)
        if org_id and state.contact_id:
            contacts_of_org.setdefault(str(org_id), set()).add(state.contact_id)
    owed: dict[str, list[InvoiceState]] = {}
    contact_ids = sorted({c for contacts in contacts_of_org.values() for c in contacts})
    for raw in xero.get_invoices_of_contacts(contact_ids, statuses=("AUTHORISED",)):
        state = invoice_state(raw, deal_id="") if raw.get("Type") == "ACCREC" else None
        if state is not None and state.contact_id:
            owed.setdefault(state.contact_id, []).append(state)
    org_keys = [keys.of(ORGANISATION_ACCOUNT_STATUS)]
    patches: dict[str, dict[str, Any]] = {}
    for org_id, contacts in sorted(contacts_of_org.items()):
        status = worst(account_status(owed.get(c, ()), today, on_stop_days) for c in contacts)
        result.account_statuses[org_id] = status
        shown = current_values(view.org_fields.get(org_id), org_keys) if org_id in view.org_fields else None
        patch = changed_values(org_keys, {ORGANISATION_ACCOUNT_STATUS.key: status}, shown)
        if patch:
            patches[org_id] = patch
        else:
            result.organisations_unchanged += 1
    written = writer.write("organization", patches)
    result.organisations_written, result.organisations_failed = written.written, written.failed
    result.xero_calls = xero.session.stats.calls - xero_before
    result.crm_calls = writer.calls - crm_before
    return result


def refresh_engagement(
    engagement: Engagement,
    connector: Connector,
    *,
    create_fields: bool = False,
    today: dt.date | None = None,
    pull_first: bool = True,
    on_stop_days: int = ON_STOP_DAYS,
) -> RefreshResult:
    """The refresh for every deal the flow has invoiced (by the ledger), under the flow's lock.

    `pull_first` pulls Xero and the CRM incrementally first, so the comparison sees the CRM as it is
    and `today` (default: the day the data describes, by Xero's clock) is current.
    """
    from workbench.flow.ledger import Ledger
    from workbench.flow.runner import flow_lock
    from workbench.profile.tables import data_as_of
    from workbench.pull.runner import pull

    with flow_lock(engagement):
        xero_source = connector.xero_source()
        crm_source = connector.crm_source(engagement)
        writer = writer_for(crm_source.client)
        keys = writer.ensure_fields(create=create_fields)  # before the pull: fail fast
        if pull_first:
            for source in (xero_source, crm_source):
                pull(engagement, source, mode="auto")
        invoiced = {
            deal_id: row.invoice_id
            for (crm, deal_id), row in sorted(Ledger(engagement).invoiced().items())
            if crm == crm_source.name and row.invoice_id
        }
        view = crm_view(engagement, crm_source.name)
        day = today or data_as_of(engagement)
        return refresh_statuses(
            xero_source.client, writer, keys, invoiced, view, today=day, on_stop_days=on_stop_days
        )
