"""The editable price table: middleware tiers, Xero API tiers, custom-build rates and connector fees.

Shipped as `prices.json` (every figure with its source and the day it was entered); a consultant's file
overrides any part of it (`load_prices(path)`). Prices stay in the vendor's currency and are turned
into GBP with the table's own FX rates, so a new rate is one edit.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.errors import ConfigurationError
from workbench.route.documents import merged, read_document, shipped, validation_problem
from workbench.route.inputs import Flow

PENNY = Decimal("0.01")


def pounds(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rate(_Strict):
    rate: Decimal = Field(gt=0)
    source: str
    as_of: str | None = None


class Figure(_Strict):
    """One sourced figure; `value` None means "not known: add it"."""

    value: Decimal | None
    currency: str = "GBP"
    source: str
    as_of: str | None = None
    per: str | None = None
    calls_per_day: int | None = None


class Flag(_Strict):
    value: bool
    source: str
    as_of: str | None = None


class Tier(_Strict):
    name: str
    units: int = Field(ge=0)
    monthly: Decimal = Field(ge=0)
    billing: str = "monthly"
    source: str
    as_of: str | None = None


class XeroTier(_Strict):
    name: str
    monthly: Decimal = Field(ge=0)
    currency: str = "AUD"
    connections: int
    calls_per_day: int
    source: str
    as_of: str | None = None


class Zapier(_Strict):
    currency: str
    note: str = ""
    overage_multiplier: Figure
    overage_cap_multiple: Figure
    tiers: list[Tier] = Field(min_length=1)


class Make(_Strict):
    currency: str
    note: str = ""
    extra_pack_units: Figure
    tiers: list[Tier] = Field(min_length=1)


class Xero(_Strict):
    note: str = ""
    custom_connection: Figure
    tiers: list[XeroTier]
    assume_bespoke_exemption: Flag


class Build(_Strict):
    currency: str = "GBP"
    source: str
    as_of: str | None = None
    per_flow: dict[Flow, Decimal]
    per_two_way_object: Decimal
    complex_tax: Decimal
    per_extra_app: Decimal
    multi_currency: Decimal
    minimum: Decimal
    maximum: Decimal


class Custom(_Strict):
    hosting_monthly: Figure
    support_hours_per_month: Figure
    hourly_rate: Figure
    amortise_months: Figure
    build: Build


class PriceTable(_Strict):
    about: str = ""
    fx_to_gbp: dict[str, Rate]
    zapier: Zapier
    make: Make
    xero: Xero
    custom: Custom
    connectors: dict[str, Figure]
    salesforce_api_addon: Figure
    workato_yearly_from: Figure

    def to_gbp(self, amount: Decimal, currency: str) -> Decimal:
        """`amount` in `currency` as pounds (unrounded: round once, at the end of a sum)."""
        rate = self.fx_to_gbp.get(currency.upper())
        if rate is None:
            raise ConfigurationError(
                f"the price table has no FX rate for {currency}",
                hint=f"add fx_to_gbp.{currency.upper()} to your --prices file",
            )
        return amount * rate.rate

    def figure_gbp(self, figure: Figure) -> Decimal | None:
        return None if figure.value is None else self.to_gbp(figure.value, figure.currency)


def load_prices(path: Path | None = None) -> PriceTable:
    """The shipped price table, with the consultant's file at `path` laid over it."""
    document = shipped("prices.json")
    if path is not None:
        document = merged(document, read_document(path))
    try:
        return PriceTable.model_validate(document)
    except ValidationError as exc:
        raise validation_problem(path, exc) from exc


class TierChoice(BaseModel):
    """The cheapest way a tier ladder carries `units` a month, in the vendor's currency."""

    tier: str
    tier_units: int
    units: int
    extra_units: int
    monthly: Decimal
    billing: str
    source: str
    fits: bool  # False: above everything the ladder (with overage or packs) can carry


def cheapest_zapier(units: int, zapier: Zapier) -> TierChoice:
    """Lowest monthly cost covering `units` tasks: a tier alone, or a lower tier plus pay-per-task
    overage (1.25× its per-task price, up to 3× its limit)."""
    multiplier = zapier.overage_multiplier.value or Decimal(1)
    cap = zapier.overage_cap_multiple.value or Decimal(1)
    options = []
    for tier in zapier.tiers:
        if tier.units <= 0:
            continue
        extra = max(0, units - tier.units)
        if Decimal(tier.units) * cap < units:
            continue
        per_task = tier.monthly / tier.units * multiplier
        options.append((tier.monthly + per_task * extra, tier, extra))
    return _choice(units, options, zapier.tiers)


def cheapest_make(units: int, make: Make) -> TierChoice:
    """Lowest monthly cost covering `units` operations: a tier, or a tier plus extra packs bought at
    that tier's per-operation price."""
    pack = int(make.extra_pack_units.value or 0)
    options = []
    for tier in make.tiers:
        extra = max(0, units - tier.units)
        if extra and (pack <= 0 or tier.monthly == 0):  # the Free plan buys no packs
            continue
        packs = math.ceil(extra / pack) if extra else 0
        per_op = tier.monthly / tier.units if tier.units else Decimal(0)
        options.append((tier.monthly + per_op * pack * packs, tier, packs * pack))
    return _choice(units, options, make.tiers)


def _choice(units: int, options: list[tuple[Decimal, Tier, int]], tiers: list[Tier]) -> TierChoice:
    if not options:
        top = max(tiers, key=lambda t: t.units)
        return TierChoice(
            tier=top.name, tier_units=top.units, units=units, extra_units=max(0, units - top.units),
            monthly=top.monthly, billing=top.billing, source=top.source, fits=False,
        )  # fmt: skip
    cost, tier, extra = min(options, key=lambda o: (o[0], o[1].units))
    return TierChoice(
        tier=tier.name, tier_units=tier.units, units=units, extra_units=extra,
        monthly=cost, billing=tier.billing, source=tier.source, fits=True,
    )  # fmt: skip


def document_of(table: PriceTable) -> dict[str, Any]:
    """The table as plain data (what `--prices` files are written against)."""
    return table.model_dump(mode="json")
