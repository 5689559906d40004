"""For the write-back, refresh and loop tests: Xero invoices as Xero sends them (hand-built, one per
deal), and the small sandbox demo pulled into an engagement with a signed-off plan (`flow_setup`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from workbench.connections import Connector
from workbench.flow.crm_fields import FieldKeys
from workbench.flow.writeback import ensure_fields
from workbench.plan.defaults import propose_plan
from workbench.plan.versions import PlanVersion, save_version
from workbench.profile.tables import ProfileTables
from workbench.pull.runner import pull
from workbench.references import deal_reference
from workbench.sandbox.app import Sandbox
from workbench.sandbox.demo import DemoSize
from workbench.store import Engagement
from workbench.tokens import TokenStore


def xero_date(day: date) -> str:
    """A date in Xero's `/Date(ms+0000)/` wire form."""
    instant = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return f"/Date({int(instant.timestamp() * 1000)}+0000)/"


def xero_invoice(
    deal_id: str | int,
    *,
    number: str | None = None,
    status: str = "DRAFT",
    amount_due: str = "120.00",
    currency: str = "GBP",
    due: date = date(2026, 12, 20),
    updated: date = date(2026, 11, 26),
    contact_id: str = "c0000000-0000-4000-8000-000000000001",
    **values: Any,
) -> dict[str, Any]:
    invoice_id = values.pop("invoice_id", f"11111111-0000-4000-8000-{int(deal_id):012d}")
    return {
        "Type": "ACCREC",
        "InvoiceID": invoice_id,
        "InvoiceNumber": number if number is not None else f"INV-{int(deal_id):04d}",
        "Reference": values.pop("reference", deal_reference("pipedrive", deal_id)),
        "Contact": {"ContactID": contact_id, "Name": "Customer Ltd"},
        "Status": status,
        "CurrencyCode": currency,
        "AmountDue": float(amount_due),  # JSON numbers, as httpx decodes them
        "Total": float(values.pop("total", amount_due)),
        "DueDate": xero_date(due),
        "UpdatedDateUTC": xero_date(updated),
        "StatusAttributeString": "OK",
        **values,
    }


SIGNED_ON = dt.date(2026, 11, 20)
WON_AFTER = dt.date(2025, 1, 1)  # early enough that the small demo has won deals not yet invoiced


@dataclass
class Setup:
    engagement: Engagement
    connector: Connector
    plan: PlanVersion
    keys: FieldKeys


def flow_setup(tmp_path: Path, *, create_fields: bool = True) -> Iterator[Setup]:
    """The small demo (40 organisations) pulled, its proposed plan signed off with an early cut-off, and
    the flow's CRM fields created when `create_fields` (as an operator agreeing would)."""
    sandbox = Sandbox.demo(7, DemoSize.scaled(40))
    with (
        Engagement.open("loop", tmp_path / "engagements") as engagement,
        Connector(sandbox=sandbox, store=TokenStore(tmp_path / "tokens")) as connector,
    ):
        for source in connector.sources(engagement):
            pull(engagement, source)
        plan = propose_plan(ProfileTables.from_engagement(engagement))
        signed = tuple(
            s.model_copy(update={"name": "Pat Finance", "signed_on": SIGNED_ON}) for s in plan.sign_off
        )
        deal_invoice = plan.deal_invoice.model_copy(update={"won_after": WON_AFTER})
        plan = plan.model_copy(update={"sign_off": signed, "deal_invoice": deal_invoice})
        version = save_version(engagement, plan, origin="consultant")
        keys = (
            ensure_fields(connector.crm_source(engagement).client, create=True)
            if create_fields
            else FieldKeys({})
        )
        yield Setup(engagement, connector, version, keys)
