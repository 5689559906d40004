"""What a route decision reads: the client's discovery answers and the volumes measured from the pull.

Answers left out keep their defaults, and the recommendation lists each defaulted answer it relied on
as an assumption (`DiscoveryAnswers.defaulted`), so a consultant sees which questions are still open.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, NonNegativeInt

Crm = Literal["pipedrive", "hubspot", "salesforce", "other"]
Flow = Literal["contacts", "deal_to_invoice", "invoice_status"]
Route = Literal["native", "middleware", "custom"]
TwoWayObject = Literal["contacts", "invoices", "payments"]
SalesforceEdition = Literal["essentials", "professional", "enterprise", "unlimited"]

FLOWS: tuple[Flow, ...] = ("contacts", "deal_to_invoice", "invoice_status")
ROUTES: tuple[Route, ...] = ("native", "middleware", "custom")
# The seed guide's table of what to sync, one flow per row group.
FLOW_LABELS: dict[Flow, str] = {
    "contacts": "contacts / companies (CRM → Xero)",
    "deal_to_invoice": "won deal → draft invoice (CRM → Xero)",
    "invoice_status": "invoice status, payments and balance (Xero → CRM)",
}
ROUTE_LABELS: dict[str, str] = {
    "native": "native / marketplace connector",
    "middleware": "middleware (Make or Zapier)",
    "custom": "custom integration (direct APIs)",
    "hybrid": "hybrid (a route per flow)",
}


class DiscoveryAnswers(BaseModel):
    """The short discovery questionnaire (routes-and-vat §6.1 inputs the data cannot show)."""

    model_config = ConfigDict(extra="forbid")

    crm: Crm = "pipedrive"
    connector: str | None = Field(
        None, description="connector id from the catalogue (thresholds.json); default: the CRM's usual one"
    )
    connector_available: bool | None = Field(
        None, description="a maintained native/marketplace connector is available to this client"
    )
    connector_covers_process: bool | None = Field(
        None, description="the client confirmed the connector's objects and rules fit their process"
    )
    two_way: list[TwoWayObject] = Field(default_factory=list, description="objects edited on both sides")
    invoices_edited_in_xero: bool = Field(
        False, description="finance edits invoices in Xero after the CRM created them"
    )
    custom_logic: bool = Field(False, description="branching rules, approvals or conditional mappings")
    extra_apps: list[str] = Field(default_factory=list, description="apps in the flow beyond CRM and Xero")
    non_standard_tax: bool = Field(False, description="a conditional tax map (by product, customer, ...)")
    non_standard_invoice_numbering: bool = False
    multi_currency: bool | None = Field(None, description="None: take it from the currencies measured")
    custom_fields_to_xero: NonNegativeInt | None = Field(
        None, description="custom CRM fields that must reach Xero; None: every custom field in use"
    )
    in_house_developer: bool = Field(False, description="someone who can own code: a technical owner")
    can_own_automations: bool = Field(True, description="a client user can own Zaps or Make scenarios")
    budget_monthly_gbp: Decimal | None = None
    budget_one_off_gbp: Decimal | None = None
    latency_minutes: NonNegativeInt | None = Field(None, description="the longest acceptable sync delay")
    hubspot_operations_hub: bool = Field(False, description="HubSpot: a paid Operations Hub subscription")
    uses_xero_by_xero: bool = Field(False, description="HubSpot: still relies on the retired Xero app")
    salesforce_edition: SalesforceEdition | None = None
    salesforce_users: NonNegativeInt = 0
    salesforce_write_back: bool = Field(False, description="edits made in Salesforce must reach Xero")
    flat_rate_vat: bool = False
    audit_or_residency: bool = Field(False, description="own logs, idempotency records or data residency")
    licenses_workato: bool = False

    @property
    def defaulted(self) -> list[str]:
        """The answers nobody gave, in questionnaire order."""
        return [name for name in type(self).model_fields if name not in self.model_fields_set]

    @property
    def apps_in_flow(self) -> int:
        """A in §6.3: every app the flow touches, CRM and Xero included."""
        return 2 + len(self.extra_apps)


class TaxProfile(BaseModel):
    """How the client's sales lines are taxed (shares of lines; counts of invoices)."""

    model_config = ConfigDict(extra="forbid")

    lines: NonNegativeInt = 0
    standard_share: NonNegativeFloat = 1.0  # 20% VAT on income (OUTPUT2 or the tenant's 20% rate)
    reduced_share: NonNegativeFloat = 0.0
    zero_share: NonNegativeFloat = 0.0
    exempt_share: NonNegativeFloat = 0.0
    no_vat_share: NonNegativeFloat = 0.0  # outside the scope of UK VAT ("No VAT")
    ec_share: NonNegativeFloat = 0.0  # zero-rated EC goods/services: EU sales outside UK VAT
    reverse_charge_share: NonNegativeFloat = 0.0  # domestic reverse charge (construction)
    other_share: NonNegativeFloat = 0.0  # unknown codes, purchase-side codes on sales
    invoices: NonNegativeInt = 0
    mixed_rate_invoices: NonNegativeInt = 0  # invoices whose lines carry more than one tax type

    @property
    def non_standard_share(self) -> float:
        """Share of lines not on 20% VAT (the §6.1 "non-OUTPUT2 lines")."""
        return max(0.0, 1.0 - self.standard_share)

    @property
    def top_standard_rate(self) -> tuple[str, float]:
        """The most used of the four plain rates (20%, 5%, 0%, exempt) and its share of lines."""
        shares = {
            "20%": self.standard_share,
            "5%": self.reduced_share,
            "zero-rated": self.zero_share,
            "exempt": self.exempt_share,
        }
        name = max(shares, key=lambda k: shares[k])
        return name, shares[name]

    @property
    def mixed_rate_share(self) -> float:
        return self.mixed_rate_invoices / self.invoices if self.invoices else 0.0


class MeasuredVolumes(BaseModel):
    """The §6.1 volumes, per month unless named otherwise (from the profile, or typed in)."""

    model_config = ConfigDict(extra="forbid")

    deals_won_per_month: NonNegativeFloat
    invoices_per_month: NonNegativeFloat
    payments_per_month: NonNegativeFloat
    contact_changes_per_month: NonNegativeFloat = Field(description="CRM contact creates and updates")
    xero_contact_changes_per_month: NonNegativeFloat | None = Field(
        None, description="Xero-side contact changes (two-way only); None: as many as the CRM's"
    )
    average_lines_per_invoice: NonNegativeFloat = 1.0
    custom_fields: NonNegativeInt = 0
    custom_field_names: list[str] = Field(default_factory=list)
    currencies: list[str] = Field(default_factory=lambda: ["GBP"])
    tax: TaxProfile = Field(default_factory=TaxProfile)
    duplicate_rate: NonNegativeFloat = 0.0  # records that are a second copy, on the worse side
    duplicate_side: str | None = None  # which table that rate is of
    peak_month: str | None = None
    peak_month_invoices: NonNegativeFloat | None = None

    @property
    def xero_side_contact_changes(self) -> float:
        if self.xero_contact_changes_per_month is None:
            return self.contact_changes_per_month
        return self.xero_contact_changes_per_month

    @property
    def peak_factor(self) -> float:
        """How much busier the peak month is than the average one (at least 1)."""
        if not self.peak_month_invoices or not self.invoices_per_month:
            return 1.0
        return max(1.0, self.peak_month_invoices / self.invoices_per_month)


class DataEvidence(BaseModel):
    """What the profile found, as the gotcha checklist quotes it."""

    model_config = ConfigDict(extra="forbid")

    finding_counts: dict[str, int] = Field(default_factory=dict)  # finding kind -> findings
    duplicate_clusters: dict[str, int] = Field(default_factory=dict)  # table -> certain/likely clusters
    duplicate_records: dict[str, int] = Field(default_factory=dict)  # table -> records to merge away
    live_records: dict[str, int] = Field(default_factory=dict)  # table -> live records
    backfill_xero_calls: int | None = None  # read calls a first full sync of Xero needs
    linked_pairs: int | None = None
    edited_both_sides: int | None = None  # linked pairs edited on both sides in the window
    both_sides_window_days: int | None = None

    def count(self, *kinds: str) -> int:
        return sum(self.finding_counts.get(kind, 0) for kind in kinds)
