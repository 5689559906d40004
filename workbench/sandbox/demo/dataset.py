"""The demo client as plain data: what the generator makes and the emulators serve.

Records are dicts keyed by the *wire* field names of each API (Xero PascalCase, Pipedrive v2
snake_case) holding Python values: money as `Decimal`, calendar dates as `datetime.date`, instants as
timezone-aware UTC `datetime`, ids as `str` (Xero GUIDs) or `int` (Pipedrive ids). Each emulator turns
them into its own wire encoding (`/Date(ms+0000)/`, RFC 3339, ...), so the generator never formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

Record = dict[str, Any]


@dataclass
class XeroTenant:
    """One Xero organisation (tenant) and everything the Accounting API serves for it."""

    tenant_id: str
    tenant_name: str
    organisation: Record
    contacts: list[Record] = field(default_factory=list)
    invoices: list[Record] = field(default_factory=list)
    credit_notes: list[Record] = field(default_factory=list)
    payments: list[Record] = field(default_factory=list)
    tax_rates: list[Record] = field(default_factory=list)
    accounts: list[Record] = field(default_factory=list)
    items: list[Record] = field(default_factory=list)
    currencies: list[Record] = field(default_factory=list)


@dataclass
class PipedriveCompany:
    """One Pipedrive company account and everything its API serves."""

    company_id: int
    company_domain: str
    users: list[Record] = field(default_factory=list)
    pipelines: list[Record] = field(default_factory=list)
    stages: list[Record] = field(default_factory=list)
    organizations: list[Record] = field(default_factory=list)
    persons: list[Record] = field(default_factory=list)
    products: list[Record] = field(default_factory=list)
    deals: list[Record] = field(default_factory=list)
    deal_products: list[Record] = field(default_factory=list)
    deal_fields: list[Record] = field(default_factory=list)
    organization_fields: list[Record] = field(default_factory=list)
    person_fields: list[Record] = field(default_factory=list)
    product_fields: list[Record] = field(default_factory=list)
    currencies: list[Record] = field(default_factory=list)


@dataclass
class HubSpotPortal:
    """One HubSpot account (portal) and everything its CRM API serves.

    Objects are `{"id", "createdAt", "updatedAt", "archived", "properties": {name: Python value}}`;
    `associations["deals/companies"]` maps a deal id to its company ids (one direction is stored, the
    emulator serves both). `properties` holds the portal's custom property definitions per object type.
    """

    portal_id: int
    owners: list[Record] = field(default_factory=list)
    pipelines: list[Record] = field(default_factory=list)
    companies: list[Record] = field(default_factory=list)
    contacts: list[Record] = field(default_factory=list)
    deals: list[Record] = field(default_factory=list)
    line_items: list[Record] = field(default_factory=list)
    products: list[Record] = field(default_factory=list)
    properties: dict[str, list[Record]] = field(default_factory=dict)
    associations: dict[str, dict[int, list[int]]] = field(default_factory=dict)


@dataclass
class PlantedProblem:
    """One planted, labelled problem: its kind, and the records involved, per system and entity.

    `records` maps an entity name (see `ENTITIES`) to the ids involved, e.g.
    `{"pipedrive.organization": [12, 57]}` or `{"pipedrive.deal": [301], "xero.invoice": ["<guid>"]}`.
    """

    kind: str
    records: dict[str, list[str | int]]
    detail: str = ""


ENTITIES = (
    "pipedrive.organization",
    "pipedrive.person",
    "pipedrive.deal",
    "hubspot.company",
    "hubspot.contact",
    "hubspot.deal",
    "xero.contact",
    "xero.invoice",
)


@dataclass
class Manifest:
    """The ground truth of one generated client: parameters, record counts and every planted problem."""

    seed: int
    params: dict[str, Any]
    as_of: date
    counts: dict[str, int]
    problems: list[PlantedProblem]
    # The true CRM <-> Xero correspondence: {"pipedrive.organization": id, "xero.contact": id} per pair of
    # records that are the same real company (duplicates included), for scoring matchers.
    links: list[dict[str, str | int]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        by_kind: dict[str, int] = {}
        for problem in self.problems:
            by_kind[problem.kind] = by_kind.get(problem.kind, 0) + 1
        return {
            "seed": self.seed,
            "params": self.params,
            "as_of": self.as_of.isoformat(),
            "counts": self.counts,
            "problem_counts": dict(sorted(by_kind.items())),
            "problems": [{"kind": p.kind, "records": p.records, "detail": p.detail} for p in self.problems],
            "links": self.links,
        }


@dataclass
class DemoClient:
    """A generated UK SMB: its Xero tenant, its Pipedrive company and the ground truth.

    `crm` is the CRM the client's invoices were raised from (their references name its deals); the
    HubSpot form of the same CRM data is rendered on demand (`workbench.sandbox.demo.hubspot_side`).
    """

    xero: XeroTenant
    pipedrive: PipedriveCompany
    manifest: Manifest
    crm: str = "pipedrive"
    hubspot: HubSpotPortal | None = None
