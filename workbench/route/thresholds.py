"""The decision's configuration: thresholds (each with its source), the load model and the connectors.

Shipped as `thresholds.json`; `load_thresholds(path)` lays a consultant's file over it. A threshold
marked [J] in its source is judgement, not fact, and is the first thing to tune for a client.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.errors import ConfigurationError
from workbench.route.documents import merged, read_document, shipped, validation_problem
from workbench.route.inputs import Crm, Flow

Direction = Literal["one_way", "two_way"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Threshold(_Strict):
    value: float
    source: str


class Switch(_Strict):
    value: bool
    source: str


class ZapierLoad(_Strict):
    actions_per_event: dict[Flow, float]
    actions_source: str
    error_buffer: float = Field(ge=0)
    error_buffer_source: str
    xero_polls_per_day_per_trigger: float = Field(ge=0)
    polling_source: str


class MakeLoad(_Strict):
    modules_per_event: dict[Flow, float]
    modules_per_line: dict[Flow, float]
    modules_source: str
    polling_triggers: dict[Flow, int]
    polling_interval_minutes: float = Field(gt=0)
    polling_source: str


class XeroLoad(_Strict):
    batch_size: int = Field(gt=0)
    batch_source: str
    middleware_calls_per_invoice: float
    middleware_calls_source: str
    calls_per_crm_contact_change: float
    calls_per_payment: float
    calls_per_xero_contact_change: float
    calls_source: str


class LoadModel(_Strict):
    zapier: ZapierLoad
    make: MakeLoad
    xero: XeroLoad


class Connector(_Strict):
    """What one native or marketplace connector carries, from its vendor's documentation."""

    name: str
    crm: Crm
    maintained: bool
    flows: dict[Flow, Direction]
    custom_fields: Literal["yes", "no", "ops_hub"]
    line_level_tax: bool | None  # None: the sources do not say
    currencies: list[str] | None  # None: the sources do not say
    lag_minutes: float | None
    invoice_edit_lock: bool  # invoices it creates must be edited where they were created
    source: str


class Thresholds(_Strict):
    about: str = ""
    thresholds: dict[str, Threshold]
    load: LoadModel
    default_connector: dict[Crm, str | None]
    connectors: dict[str, Connector]
    fold_middleware_into_custom: Switch

    def value(self, name: str) -> float:
        return self.threshold(name).value

    def threshold(self, name: str) -> Threshold:
        try:
            return self.thresholds[name]
        except KeyError:
            raise ConfigurationError(
                f"threshold {name!r} is missing from the configuration",
                hint="restore it from workbench/route/thresholds.json",
            ) from None

    def source(self, name: str) -> str:
        return self.threshold(name).source

    def connector_for(self, crm: Crm, chosen: str | None) -> Connector | None:
        """The catalogue entry the answers name, else the CRM's usual connector (None: there is none)."""
        key = chosen or self.default_connector.get(crm)
        if key is None:
            return None
        if key not in self.connectors:
            raise ConfigurationError(
                f"connector {key!r} is not in the catalogue ({', '.join(sorted(self.connectors))})",
                hint="use one of those ids, or add the connector under 'connectors' in a --thresholds file",
            )
        return self.connectors[key]

    def connector_id(self, crm: Crm, chosen: str | None) -> str | None:
        return chosen or self.default_connector.get(crm)


def load_thresholds(path: Path | None = None) -> Thresholds:
    """The shipped configuration, with the consultant's file at `path` laid over it."""
    document = shipped("thresholds.json")
    if path is not None:
        document = merged(document, read_document(path))
    try:
        return Thresholds.model_validate(document)
    except ValidationError as exc:
        raise validation_problem(path, exc) from exc
