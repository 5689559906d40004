"""The route recommendation: hard gates, then the seed's list per flow, then the split, costs and risks.

`recommend` is the one entry point. The route is one of native, middleware or custom when every flow
lands on it, else a hybrid with the route of each flow. Costs are given for every route (each carrying
all three flows) and, for a hybrid, for the split itself.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from workbench.route.case import Case
from workbench.route.costs import RouteCost, custom_cost, hybrid_cost, middleware_cost, native_cost
from workbench.route.flows import QUESTIONS, FlowChoice, choose_flows
from workbench.route.gates import Gate, hard_gates
from workbench.route.gotchas import Gotcha, gotcha_checklist
from workbench.route.inputs import (
    FLOW_LABELS,
    FLOWS,
    ROUTE_LABELS,
    DataEvidence,
    DiscoveryAnswers,
    Flow,
    MeasuredVolumes,
    Route,
)
from workbench.route.load import Load
from workbench.route.prices import PriceTable, load_prices
from workbench.route.thresholds import Threshold, Thresholds, load_thresholds
from workbench.route.words import cite, count, gbp, listed, share

RouteName = Literal["native", "middleware", "custom", "hybrid"]
# answers whose default decides something; the others only matter when given
ASSUMED = {
    "crm": "the CRM is {value}",
    "connector_covers_process": "the connector's objects and rules fit the process (not confirmed)",
    "two_way": "every object syncs one way",
    "custom_logic": "no custom logic",
    "extra_apps": "no apps beyond the CRM and Xero",
    "custom_fields_to_xero": "every custom field in use must reach Xero",
    "in_house_developer": "no in-house developer",
    "budget_monthly_gbp": "no monthly budget given",
    "latency_minutes": "no latency need given",
}


class RouteRecommendation(BaseModel):
    route: RouteName
    headline: str
    flows: list[FlowChoice]
    reasons: list[str]
    gates: list[Gate]
    costs: dict[str, RouteCost]  # native, middleware, custom (all flows) and, for a hybrid, hybrid
    gotchas: list[Gotcha]
    preconditions: list[str]
    warnings: list[str]
    assumptions: list[str]
    load: Load
    thresholds: dict[str, Threshold]

    @property
    def all_reasons(self) -> list[str]:
        """The general reasons, then one line per flow (what a cover sheet prints)."""
        per_flow = [
            f"{FLOW_LABELS[c.flow]} → {ROUTE_LABELS[c.route]}, yes at question {c.question} of the seed's "
            f"list ({QUESTIONS[c.question]}): " + "; ".join(c.reasons)
            for c in self.flows
        ]
        return [*self.reasons, *per_flow]

    @property
    def split(self) -> dict[Flow, Route]:
        return {c.flow: c.route for c in self.flows}

    @property
    def recommended_cost(self) -> RouteCost:
        return self.costs[self.route]


def recommend(
    answers: DiscoveryAnswers,
    volumes: MeasuredVolumes,
    evidence: DataEvidence | None = None,
    *,
    prices: PriceTable | None = None,
    thresholds: Thresholds | None = None,
) -> RouteRecommendation:
    """The route for this client, with reasons in its own numbers, costs and risks."""
    case = Case(
        answers=answers,
        volumes=volumes,
        evidence=evidence or DataEvidence(),
        thresholds=thresholds or load_thresholds(),
        prices=prices or load_prices(),
    )
    gates = hard_gates(case)
    choices = _fold(case, choose_flows(case, gates))
    routes = {c.route for c in choices}
    route: RouteName = next(iter(routes)) if len(routes) == 1 else "hybrid"
    split = {c.flow: c.route for c in choices}
    costs = {
        "native": native_cost(case, list(FLOWS)),
        "middleware": middleware_cost(case, list(FLOWS)),
        "custom": custom_cost(case, list(FLOWS)),
    }
    if route == "hybrid":
        costs["hybrid"] = hybrid_cost(case, dict(split))
    return RouteRecommendation(
        route=route,
        headline=_headline(route, choices),
        flows=choices,
        reasons=_reasons(case, gates),
        gates=gates,
        costs=costs,
        gotchas=gotcha_checklist(case, split),
        preconditions=_preconditions(case),
        warnings=_warnings(case, split, costs[route]),
        assumptions=_assumptions(case),
        load=case.load,
        thresholds=dict(case.thresholds.thresholds),
    )


def _fold(case: Case, choices: list[FlowChoice]) -> list[FlowChoice]:
    """With all three routes in play, the custom piece takes the middleware flows too: it already
    talks to both APIs, and a third platform is one more bill and one more place to fail."""
    routes = {c.route for c in choices}
    if not case.thresholds.fold_middleware_into_custom.value or routes != {"native", "middleware", "custom"}:
        return choices
    why = f"moved to the custom piece: {case.thresholds.fold_middleware_into_custom.source}"
    return [
        c.model_copy(update={"route": "custom", "question": 3, "reasons": [*c.reasons, why]})
        if c.route == "middleware"
        else c
        for c in choices
    ]


def _headline(route: RouteName, choices: list[FlowChoice]) -> str:
    if route != "hybrid":
        return f"{ROUTE_LABELS[route]} for every flow"
    parts = [
        f"{ROUTE_LABELS[c.route].split(' (')[0]} for {FLOW_LABELS[c.flow].split(' (')[0]}" for c in choices
    ]
    return "hybrid: " + "; ".join(parts)


def _reasons(case: Case, gates: list[Gate]) -> list[str]:
    volumes, load = case.volumes, case.load
    out = [
        f"Volumes: {count(volumes.deals_won_per_month)} won deals, {count(volumes.invoices_per_month)} "
        f"invoices ({count(volumes.average_lines_per_invoice)} lines per invoice) and "
        f"{count(volumes.payments_per_month)} payments a month; {count(volumes.contact_changes_per_month)} "
        f"contact changes; {case.custom_fields_said}; "
        f"{share(volumes.tax.standard_share)} of sales lines at 20%."
    ]
    out.append(
        f"Load: about {count(load.zapier_tasks)} Zapier tasks or {count(load.make_ops)} Make ops a month; "
        f"about {count(load.xero_calls_peak_day)} Xero calls on a peak day batched "
        f"({count(load.middleware_xero_calls_peak_day)} via middleware)."
    )
    for gate in gates:
        if gate.applies:
            out.append(f"Gate — {gate.title}: {gate.evidence}. {gate.effect} {cite(gate.source)}")
    return out


def _preconditions(case: Case) -> list[str]:
    rate, limit = case.volumes.duplicate_rate, case.value("duplicate_cleanup_rate")
    if rate > limit:
        side = case.volumes.duplicate_side or "the worse side"
        return [
            f"A clean-up sprint before any route: {share(rate)} of {side} records are duplicates "
            f"(above {share(limit)}) {cite(case.thresholds.source('duplicate_cleanup_rate'))}"
        ]
    return []


def _warnings(case: Case, split: dict[Flow, Route], chosen: RouteCost) -> list[str]:
    answers, out = case.answers, []
    if answers.budget_monthly_gbp is not None and chosen.monthly_gbp > answers.budget_monthly_gbp:
        out.append(
            f"The recommended route runs at {gbp(chosen.monthly_gbp)}/month, over the "
            f"{gbp(answers.budget_monthly_gbp)} monthly budget."
        )
    if answers.budget_one_off_gbp is not None and chosen.one_off_gbp > answers.budget_one_off_gbp:
        out.append(
            f"The recommended route needs {gbp(chosen.one_off_gbp)} one-off, over the "
            f"{gbp(answers.budget_one_off_gbp)} budget."
        )
    if chosen.unpriced:
        out.append(f"Unpriced: {listed(chosen.unpriced)} — add the figures with --prices before quoting.")
    if answers.licenses_workato:
        yearly = case.prices.workato_yearly_from
        out.append(
            f"The client already licenses Workato (from about {yearly.currency} "
            f"{count(float(yearly.value or 0))} a year {cite(yearly.source)}): its recipes can replace "
            "Zapier or Make for the middleware flows."
        )
    if "custom" in split.values() and not answers.in_house_developer:
        out.append(
            "No in-house developer: the custom piece needs a partner on retainer (upkeep is in its cost)."
        )
    return out


def _assumptions(case: Case) -> list[str]:
    given = case.answers.model_fields_set
    out = [
        text.format(value=getattr(case.answers, name)) for name, text in ASSUMED.items() if name not in given
    ]
    if case.connector is not None and case.answers.connector is None:
        out.append(f"the connector is {case.connector.name} (the usual one for {case.answers.crm})")
    return out
