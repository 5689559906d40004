"""One client's case as the decision reads it: the inputs, the configuration and the figures derived
from them once (custom fields that must reach Xero, tax complexity, the whole-process load)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from workbench.route.inputs import DataEvidence, DiscoveryAnswers, Flow, MeasuredVolumes
from workbench.route.load import Load, estimate_load
from workbench.route.prices import PriceTable
from workbench.route.thresholds import Connector, Thresholds


@dataclass(frozen=True)
class Case:
    answers: DiscoveryAnswers
    volumes: MeasuredVolumes
    evidence: DataEvidence
    thresholds: Thresholds
    prices: PriceTable

    # --- the connector --------------------------------------------------------------------------
    @cached_property
    def connector_id(self) -> str | None:
        return self.thresholds.connector_id(self.answers.crm, self.answers.connector)

    @cached_property
    def connector(self) -> Connector | None:
        return self.thresholds.connector_for(self.answers.crm, self.answers.connector)

    # --- answers and measurements combined -------------------------------------------------------
    @property
    def custom_fields(self) -> int:
        """F: the fields the client named, else every custom field the profile found in use."""
        if self.answers.custom_fields_to_xero is not None:
            return self.answers.custom_fields_to_xero
        return self.volumes.custom_fields

    @property
    def custom_fields_said(self) -> str:
        if self.answers.custom_fields_to_xero is not None:
            return f"{self.custom_fields} custom field(s) must reach Xero"
        names = self.volumes.custom_field_names
        shown = f" ({', '.join(names[:5])}{', ...' if len(names) > 5 else ''})" if names else ""
        return f"{self.custom_fields} custom field(s) in use{shown}"

    @property
    def two_way_contacts(self) -> bool:
        return "contacts" in self.answers.two_way

    @property
    def two_way_invoices(self) -> bool:
        return "invoices" in self.answers.two_way

    @property
    def currencies(self) -> list[str]:
        return sorted(set(self.volumes.currencies))

    @property
    def multi_currency(self) -> bool:
        if self.answers.multi_currency is not None:
            return self.answers.multi_currency
        return len(self.currencies) > 1

    @property
    def line_level_tax_share(self) -> float:
        """The largest of: lines on reverse-charge or outside-scope codes; invoices mixing rates."""
        tax = self.volumes.tax
        lines = tax.reverse_charge_share + tax.ec_share + tax.no_vat_share
        return max(lines, tax.mixed_rate_share)

    @property
    def complex_tax_share(self) -> float:
        """Lines needing rules beyond a tax map: domestic reverse charge and EU outside-scope sales."""
        return self.volumes.tax.reverse_charge_share + self.volumes.tax.ec_share

    def value(self, name: str) -> float:
        return self.thresholds.value(name)

    def load_for(self, flows: list[Flow], *, instant: bool | None = None) -> Load:
        return estimate_load(
            self.volumes,
            self.thresholds.load,
            two_way_contacts=self.two_way_contacts,
            days_per_month=self.value("days_per_month"),
            business_days_per_month=self.value("business_days_per_month"),
            flows=flows,
            instant=self.make_instant if instant is None else instant,
        )

    @property
    def make_instant(self) -> bool:
        """Webhook triggers in Make when the client cannot wait for the next poll."""
        latency = self.answers.latency_minutes
        return latency is not None and latency < self.thresholds.load.make.polling_interval_minutes

    @cached_property
    def load(self) -> Load:
        return self.load_for(["contacts", "deal_to_invoice", "invoice_status"])
