"""For the write-back, refresh and loop tests: Xero invoices as Xero sends them (hand-built, one per
deal), each CRM's emulator behind the product's client (`crm_side`), and the small sandbox demo pulled
into an engagement with a signed-off plan (`flow_setup`), on either CRM."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tests.hubspot.harness import hubspot_harness
from tests.pipedrive.harness import pipedrive_harness
from tests.sandbox.hubspot_support import hubspot_portal
from tests.sandbox.pipedrive_support import pipedrive_company
from workbench.connections import Connector, CrmConnection
from workbench.flow.crm_fields import FieldKeys, current_values
from workbench.flow.writeback import CrmView, ensure_fields
from workbench.flow.writeback_fields import WritebackField
from workbench.hubspot.client import HubSpotClient
from workbench.pipedrive.client import PipedriveClient
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
    source: str = "pipedrive",
    **values: Any,
) -> dict[str, Any]:
    invoice_id = values.pop("invoice_id", f"11111111-0000-4000-8000-{int(deal_id):012d}")
    return {
        "Type": "ACCREC",
        "InvoiceID": invoice_id,
        "InvoiceNumber": number if number is not None else f"INV-{int(deal_id):04d}",
        "Reference": values.pop("reference", deal_reference(source, deal_id)),
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


CRMS = ("pipedrive", "hubspot")
_ENTITY_STORE = {"pipedrive": {"deal": "deals", "organization": "organizations"},
                 "hubspot": {"deal": "deals", "organization": "companies"}}  # fmt: skip


def stored_values(crm: str, emulator: Any, entity: str, record_id: str | int) -> dict[str, Any]:
    """A record's custom values by code, as `crm`'s emulator holds them (not as any client reads them)."""
    table = _ENTITY_STORE[crm][entity]
    if crm == "hubspot":
        return dict(emulator.store.objects[table][int(record_id)]["properties"])
    return dict(emulator.store.tables[table][int(record_id)].get("custom_fields") or {})


@dataclass
class CrmSide:
    """One CRM's emulator behind the product's client, over a small company of the tests' own
    (`pipedrive_company`, `hubspot_portal`), deal ids from 1."""

    crm: str
    client: PipedriveClient | HubSpotClient
    emulator: Any
    exchanges: list[Any] = field(default_factory=list)

    def stored(self, entity: str, record_id: str | int) -> dict[str, Any]:
        return stored_values(self.crm, self.emulator, entity, record_id)

    def writes(self, since: int = 0) -> list[str]:
        """`METHOD path` of every write request since `since` (an index into the exchanges)."""
        return [f"{e.method} {e.path}" for e in self.exchanges[since:] if e.method in ("PATCH", "POST")
                and not e.path.endswith(("/search", "/batch/read"))]  # fmt: skip

    def mark(self) -> int:
        return len(self.exchanges)

    def view(self) -> CrmView:
        """What the CRM shows now, raw (custom values by code)."""
        if isinstance(self.client, PipedriveClient):
            deals, orgs = self.client.list_all("deals"), self.client.list_all("organizations")
            return CrmView(
                deal_orgs={str(d["id"]): str(d["org_id"]) if d.get("org_id") else None for d in deals},
                deal_fields={str(d["id"]): d.get("custom_fields") for d in deals},
                org_fields={str(o["id"]): o.get("custom_fields") for o in orgs},
            )
        store = self.emulator.store
        deals = {str(i): self.stored("deal", i) for i in store.objects["deals"]}
        return CrmView(
            deal_orgs={d: _first(store.associated("deals", int(d), "companies")) for d in deals},
            deal_fields=deals,
            org_fields={str(i): self.stored("organization", i) for i in store.objects["companies"]},
        )


def _first(pairs: list[tuple[int, int]]) -> str | None:
    return str(pairs[0][0]) if pairs else None


def crm_side(crm: str, deals: int = 12, *, portal: Any = None) -> CrmSide:
    """The product's client for `crm` on its emulator over a small company with `deals` deals."""
    if crm == "hubspot":
        hs = hubspot_harness(portal if portal is not None else hubspot_portal(companies=12, deals=deals))
        return CrmSide(crm, hs.client, hs.emulator, hs.exchanges)  # type: ignore[arg-type]
    pd_ = pipedrive_harness(portal if portal is not None else pipedrive_company(deals=deals))
    return CrmSide(crm, pd_.client, pd_.emulator, pd_.exchanges)  # type: ignore[arg-type]


SIGNED_ON = dt.date(2026, 11, 20)
WON_AFTER = dt.date(2025, 1, 1)  # early enough that the small demo has won deals not yet invoiced


@dataclass
class Setup:
    engagement: Engagement
    connector: Connector
    plan: PlanVersion
    keys: FieldKeys
    crm: str = "pipedrive"

    def shown(self, entity: str, record_id: str | int, wanted: WritebackField) -> Any:
        """The flow's value on a record as the in-process sandbox holds it, compared as the flow does."""
        sandbox: Any = self.connector.sandbox
        emulator = sandbox.hubspot if self.crm == "hubspot" else sandbox.pipedrive
        values = stored_values(self.crm, emulator, entity, record_id)
        return current_values(values, [self.keys.of(wanted)])[wanted.key]


def crm_connection(crm: str) -> CrmConnection:
    """The connection to the sandbox's Pipedrive or HubSpot."""
    return CrmConnection(kind="hubspot-sandbox" if crm == "hubspot" else "sandbox")


def flow_setup(tmp_path: Path, *, create_fields: bool = True, crm: str = "pipedrive") -> Iterator[Setup]:
    """The small demo (40 organisations) kept in `crm`, pulled, its proposed plan signed off with an
    early cut-off, and the flow's CRM fields created when `create_fields` (as an operator agreeing would)."""
    sandbox = Sandbox.demo(7, DemoSize.scaled(40), crm=crm)
    with (
        Engagement.open("loop", tmp_path / "engagements") as engagement,
        Connector(
            crm=crm_connection(crm), sandbox=sandbox, store=TokenStore(tmp_path / "tokens")
        ) as connector,
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
        yield Setup(engagement, connector, version, keys, crm)
