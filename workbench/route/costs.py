"""Indicative monthly and one-off cost of each route for the flows it would carry, in GBP.

A figure the price table does not know (an unpublished marketplace fee) is listed as unpriced rather
than guessed, so the total says "from £X" until the consultant adds it with `--prices`.
"""

from __future__ import annotations

import math
from decimal import Decimal

from pydantic import BaseModel, Field, computed_field

from workbench.route.case import Case
from workbench.route.inputs import FLOW_LABELS, FLOWS, Flow
from workbench.route.prices import TierChoice, cheapest_make, cheapest_zapier, pounds
from workbench.route.words import count, gbp, listed

ZERO = Decimal(0)


class CostItem(BaseModel):
    label: str
    monthly_gbp: Decimal | None = None  # None: not in the price table
    one_off_gbp: Decimal = ZERO
    source: str


class RouteCost(BaseModel):
    route: str
    option: str
    flows: list[Flow]
    available: bool = True
    unavailable_reason: str | None = None
    items: list[CostItem] = Field(default_factory=list)
    basis: str = ""  # how the figure was reached, in the client's numbers
    amortise_months: int = 24

    @computed_field  # type: ignore[prop-decorator]
    @property
    def monthly_gbp(self) -> Decimal:
        return pounds(sum((i.monthly_gbp for i in self.items if i.monthly_gbp is not None), ZERO))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def one_off_gbp(self) -> Decimal:
        return pounds(sum((i.one_off_gbp for i in self.items), ZERO))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def amortised_monthly_gbp(self) -> Decimal:
        return pounds(self.monthly_gbp + self.one_off_gbp / self.amortise_months)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unpriced(self) -> list[str]:
        return [i.label for i in self.items if i.monthly_gbp is None]

    def summary(self) -> str:
        if not self.available and not self.items:
            return f"not available: {self.unavailable_reason}"
        monthly = gbp(self.monthly_gbp) + "/month"
        if self.unpriced:
            monthly = f"from {monthly} + {listed(self.unpriced)} (not in the price table)"
        if self.one_off_gbp:
            monthly += (
                f", {gbp(self.one_off_gbp)} one-off ({gbp(self.amortised_monthly_gbp)}/month over "
                f"{self.amortise_months} months)"
            )
        if not self.available:
            monthly += f" — but {self.unavailable_reason}"
        return monthly


def _flows_text(flows: list[Flow]) -> str:
    return listed([FLOW_LABELS[f].split(" (")[0] for f in flows])


def _salesforce_addon(case: Case) -> list[CostItem]:
    edition = case.answers.salesforce_edition
    if case.answers.crm != "salesforce" or edition not in ("essentials", "professional"):
        return []
    figure = case.prices.salesforce_api_addon
    users = max(1, case.answers.salesforce_users)
    per_user = case.prices.figure_gbp(figure)
    return [
        CostItem(
            label=f"Salesforce API add-on × {users} user(s)",
            monthly_gbp=None if per_user is None else per_user * users,
            source=figure.source,
        )
    ]


# --- route 1 ----------------------------------------------------------------------------------------
def native_cost(case: Case, flows: list[Flow]) -> RouteCost:
    connector = case.connector
    if connector is None or not connector.maintained or case.answers.connector_available is False:
        why = (
            f"no maintained connector in the catalogue for {case.answers.crm}"
            if connector is None or not connector.maintained
            else "the client says no connector is available to them"
        )
        return RouteCost(route="native", option="none", flows=flows, available=False, unavailable_reason=why)
    missing = [f for f in flows if f not in connector.flows]
    fee = case.prices.connectors.get(case.connector_id or "")
    items = [
        CostItem(
            label=f"{connector.name} fee",
            monthly_gbp=None if fee is None else case.prices.figure_gbp(fee),
            source=fee.source if fee is not None else "not in the price table: add it under 'connectors'",
        )
    ]
    needs_ops_hub = (
        connector.custom_fields == "ops_hub"
        and case.custom_fields > 0
        and not case.answers.hubspot_operations_hub
        and any(f in flows for f in ("contacts", "deal_to_invoice"))
    )
    if needs_ops_hub:
        hub = case.prices.connectors.get("hubspot_operations_hub")
        items.append(
            CostItem(
                label="HubSpot Operations Hub",
                monthly_gbp=None if hub is None else case.prices.figure_gbp(hub),
                source=hub.source if hub is not None else "not in the price table",
            )
        )
    return RouteCost(
        route="native",
        option=connector.name,
        flows=flows,
        available=not missing,
        unavailable_reason=f"{connector.name} does not carry {_flows_text(missing)}" if missing else None,
        items=items,
        basis=f"{connector.name} for {_flows_text(flows)}",
    )


# --- route 2 ----------------------------------------------------------------------------------------
class MiddlewareQuote(BaseModel):
    platform: str
    needed: int  # estimate × headroom
    choice: TierChoice
    monthly_gbp: Decimal


def middleware_quotes(case: Case, flows: list[Flow]) -> list[MiddlewareQuote]:
    """Zapier and Make, each at the cheapest tier covering the estimate × headroom."""
    load = case.load_for(flows)
    headroom = case.value("middleware_headroom")
    prices = case.prices
    tasks = math.ceil(load.zapier_tasks * headroom)
    ops = math.ceil(load.make_ops * headroom)
    zapier = cheapest_zapier(tasks, prices.zapier)
    make = cheapest_make(ops, prices.make)
    return [
        MiddlewareQuote(
            platform="Zapier",
            needed=tasks,
            choice=zapier,
            monthly_gbp=prices.to_gbp(zapier.monthly, prices.zapier.currency),
        ),
        MiddlewareQuote(
            platform="Make",
            needed=ops,
            choice=make,
            monthly_gbp=prices.to_gbp(make.monthly, prices.make.currency),
        ),
    ]


def _billing(billing: str) -> str:
    return {"annual": "billed annually", "monthly": "billed monthly"}.get(billing, "billing basis not stated")


def middleware_cost(case: Case, flows: list[Flow]) -> RouteCost:
    load = case.load_for(flows)
    quotes = middleware_quotes(case, flows)
    fitting = [q for q in quotes if q.choice.fits]
    best = min(fitting or quotes, key=lambda q: q.monthly_gbp)
    unit = {"Zapier": "tasks", "Make": "ops"}
    estimates = {"Zapier": load.zapier_tasks, "Make": load.make_ops}
    described = []
    for q in quotes:
        extra = f" + {count(q.choice.extra_units)} extra" if q.choice.extra_units else ""
        fits = "" if q.choice.fits else " (above the price table's ladder: add the tier)"
        described.append(
            f"{q.platform} {count(estimates[q.platform])} {unit[q.platform]} × "
            f"{case.value('middleware_headroom')} = {count(q.needed)} → {q.choice.tier}{extra}, "
            f"{gbp(q.monthly_gbp)}/month ({_billing(q.choice.billing)}){fits}"
        )
    polling = (
        "instant (webhook) triggers"
        if load.make_instant
        else f"{count(load.make_polling_ops)} of Make's ops are polling"
    )
    item = CostItem(
        label=f"{best.platform} {best.choice.tier}",
        monthly_gbp=best.monthly_gbp if best.choice.fits else None,
        source=best.choice.source,
    )
    return RouteCost(
        route="middleware",
        option=f"{best.platform} {best.choice.tier}",
        flows=flows,
        items=[item, *_salesforce_addon(case)],
        basis="; ".join(described) + f"; {polling}",
    )


# --- route 3 ----------------------------------------------------------------------------------------
def build_cost(case: Case, flows: list[Flow]) -> tuple[Decimal, list[str]]:
    """One-off build estimate for the flows, and what it is made of."""
    build = case.prices.custom.build
    parts: list[tuple[str, Decimal]] = [(FLOW_LABELS[f].split(" (")[0], build.per_flow[f]) for f in flows]
    two_way = [o for o in case.answers.two_way if _two_way_in(o, flows)]
    if two_way:
        parts.append((f"two-way {listed(two_way)}", build.per_two_way_object * len(two_way)))
    if "deal_to_invoice" in flows and case.complex_tax_share > case.value("complex_tax_share"):
        parts.append(("reverse-charge / outside-scope tax rules", build.complex_tax))
    if case.answers.extra_apps:
        parts.append(
            (
                f"extra apps ({', '.join(case.answers.extra_apps)})",
                build.per_extra_app * len(case.answers.extra_apps),
            )
        )
    if case.multi_currency and ("deal_to_invoice" in flows or "invoice_status" in flows):
        parts.append(("multi-currency", build.multi_currency))
    total = sum((amount for _, amount in parts), ZERO)
    clamped = min(max(total, build.minimum), build.maximum)
    words = [f"{name} {gbp(amount)}" for name, amount in parts]
    if clamped != total:
        words.append(f"held to the {gbp(build.minimum)}–{gbp(build.maximum)} range")
    return clamped, words


def _two_way_in(obj: str, flows: list[Flow]) -> bool:
    return {"contacts": "contacts", "invoices": "deal_to_invoice", "payments": "invoice_status"}[obj] in flows


def custom_cost(case: Case, flows: list[Flow]) -> RouteCost:
    prices = case.prices
    custom = prices.custom
    load = case.load_for(flows)
    starter = next((t for t in prices.xero.tiers if t.name == "Starter"), None)
    exempt = prices.xero.assume_bespoke_exemption.value
    items: list[CostItem]
    if exempt and starter is not None and load.xero_calls_peak_day <= starter.calls_per_day:
        items = [
            CostItem(label="Xero API: Starter (bespoke exemption)", monthly_gbp=ZERO, source=starter.source)
        ]
    else:
        connection = prices.xero.custom_connection
        items = [
            CostItem(
                label="Xero Custom Connection",
                monthly_gbp=prices.figure_gbp(connection),
                source=connection.source,
            )
        ]
    hours = custom.support_hours_per_month.value or ZERO
    rate = prices.figure_gbp(custom.hourly_rate) or ZERO
    build, parts = build_cost(case, flows)
    items += [
        CostItem(
            label="hosting",
            monthly_gbp=prices.figure_gbp(custom.hosting_monthly),
            source=custom.hosting_monthly.source,
        ),
        CostItem(
            label=f"upkeep {count(float(hours))} h × {gbp(rate)}",
            monthly_gbp=hours * rate,
            source=custom.support_hours_per_month.source,
        ),
        CostItem(label="build", monthly_gbp=ZERO, one_off_gbp=build, source=custom.build.source),
        *_salesforce_addon(case),
    ]
    limit = case.value("xero_calls_per_day")
    fits = "" if load.xero_calls_peak_day <= limit else f" — above Xero's {count(limit)} a day"
    return RouteCost(
        route="custom",
        option="custom build",
        flows=flows,
        items=items,
        amortise_months=int(custom.amortise_months.value or 24),
        basis=f"build: {'; '.join(parts)}; about {count(load.xero_calls_day)} Xero calls a day, "
        f"{count(load.xero_calls_peak_day)} on a peak day{fits}",
    )


def hybrid_cost(case: Case, split: dict[Flow, str]) -> RouteCost:
    """The recommended split: each route's cost for the flows it carries, added up."""
    parts = []
    for route, cost_of in (("native", native_cost), ("middleware", middleware_cost), ("custom", custom_cost)):
        flows = [f for f in FLOWS if split.get(f) == route]
        if flows:
            parts.append(cost_of(case, flows))
    items, seen = [], set()
    for part in parts:
        for item in part.items:
            if item.label.startswith("Salesforce API add-on"):  # one add-on, however many routes use it
                if item.label in seen:
                    continue
                seen.add(item.label)
            items.append(item.model_copy(update={"label": f"{part.route}: {item.label}"}))
    unavailable = [p for p in parts if not p.available]
    return RouteCost(
        route="hybrid",
        option=" + ".join(p.option for p in parts),
        flows=list(FLOWS),
        available=not unavailable,
        unavailable_reason="; ".join(p.unavailable_reason or "" for p in unavailable) or None,
        items=items,
        basis=" | ".join(f"{p.route}: {p.basis}" for p in parts),
        amortise_months=next((p.amortise_months for p in parts if p.route == "custom"), 24),
    )
