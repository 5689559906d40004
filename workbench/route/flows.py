"""The seed guide's "how to choose", asked of each flow in turn, stopping at the first yes:

1. Is the process standard, and does a maintained native connector cover it? → the connector.
2. Custom logic or extra apps, low-to-moderate volume, mostly one-way? → middleware.
3. Reliable two-way sync, higher volume or non-standard rules? → custom.

Each question is the §6.3 conditions for that route; every condition that fails is kept as a reason
quoting the client's numbers. A flow that reaches question 3 only for cost or volume ("soft" reasons)
stays on middleware when nobody can own code (the §6.3 tie-breaker).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from workbench.route.case import Case
from workbench.route.costs import middleware_cost
from workbench.route.gates import Gate
from workbench.route.inputs import FLOW_LABELS, FLOWS, Flow, Route
from workbench.route.load import Load
from workbench.route.words import cite, count, gbp, share

QUESTIONS = {
    1: "a standard process a maintained connector covers",
    2: "custom logic or extra apps at low-to-moderate volume, mostly one-way",
    3: "two-way sync, higher volume or non-standard rules",
}
FIELD_FLOWS: tuple[Flow, ...] = ("contacts", "deal_to_invoice")  # flows that carry custom fields


class FlowChoice(BaseModel):
    flow: Flow
    label: str
    route: Route
    question: int  # which question of the seed's list said yes
    reasons: list[str]  # why this route
    ruled_out: dict[Route, list[str]] = Field(default_factory=dict)  # why an earlier question said no


def _gated(gates: list[Gate], flow: Flow, route: Route) -> list[str]:
    return [f"{g.title} ({g.evidence})" for g in gates if g.applies and route in g.excludes.get(flow, [])]


def native_blockers(case: Case, flow: Flow, gates: list[Gate]) -> list[str]:
    """Why route 1 cannot carry `flow` (empty: it can)."""
    answers, connector, t = case.answers, case.connector, case.thresholds
    if connector is None or not connector.maintained:
        return [f"no maintained connector for {answers.crm}"]
    if answers.connector_available is False:
        return ["the client says no connector is available to them"]
    out = _gated(gates, flow, "native")
    if answers.connector_covers_process is False:
        out.append(f"the client says {connector.name} does not fit their process")
    direction = connector.flows.get(flow)
    if direction is None:
        out.append(f"{connector.name} does not carry {FLOW_LABELS[flow]}")
    if flow == "contacts" and case.two_way_contacts and direction == "one_way":
        out.append(f"{connector.name} syncs contacts one way only; the client edits them on both sides")
    if flow == "invoice_status" and "payments" in answers.two_way and direction == "one_way":
        out.append(f"{connector.name} carries payments one way only")
    if flow == "deal_to_invoice" and case.two_way_invoices:
        out.append(
            "invoices must sync both ways with conflict rules (route 1 allows two-way for contacts "
            "and payment status only)"
        )
    if flow in FIELD_FLOWS:
        fields, limit = case.custom_fields, case.value("native_max_custom_fields")
        if fields > limit:
            out.append(
                f"{case.custom_fields_said}: more than the {count(limit)} a connector maps well "
                f"{cite(t.source('native_max_custom_fields'))}"
            )
        elif fields and connector.custom_fields == "no":
            out.append(f"{case.custom_fields_said}; {connector.name} maps no custom fields")
    if flow == "deal_to_invoice":
        out += _native_invoice_blockers(case)
    lag, latency = connector.lag_minutes, answers.latency_minutes
    if lag is not None and latency is not None and latency < lag:
        out.append(f"{connector.name} syncs within {count(lag)} minutes; the client needs {count(latency)}")
    if answers.audit_or_residency:
        out.append("the client needs its own logs, idempotency records or data residency")
    return out


def _native_invoice_blockers(case: Case) -> list[str]:
    answers, t, volumes = case.answers, case.thresholds, case.volumes
    out = []
    rate, top = volumes.tax.top_standard_rate
    floor = case.value("native_min_single_rate_share")
    if volumes.tax.lines and top < floor:
        out.append(
            f"only {share(top)} of {count(volumes.tax.lines)} sales lines use one rate ({rate}); "
            f"a connector needs {share(floor)} {cite(t.source('native_min_single_rate_share'))}"
        )
    invoices, most = volumes.invoices_per_month, case.value("native_max_invoices_per_month")
    if invoices > most:
        out.append(
            f"{count(invoices)} invoices a month, above {count(most)} "
            f"{cite(t.source('native_max_invoices_per_month'))}"
        )
    apps, most_apps = answers.apps_in_flow, case.value("native_max_apps")
    if apps > most_apps:
        out.append(
            f"{count(apps)} apps in the flow ({', '.join(answers.extra_apps)} besides the CRM and "
            f"Xero), above {count(most_apps)}"
        )
    if answers.custom_logic:
        out.append("custom logic (branching, approvals or conditional mappings)")
    if answers.non_standard_tax:
        out.append("a conditional tax map")
    if answers.non_standard_invoice_numbering:
        out.append("non-standard invoice numbering")
    return out


def middleware_blockers(case: Case, flow: Flow, gates: list[Gate], load: Load) -> tuple[list[str], list[str]]:
    """(hard, soft) reasons middleware cannot carry `flow`: hard ones are things middleware cannot do;
    soft ones are cost and volume, which a client with no technical owner may accept."""
    answers, t = case.answers, case.thresholds
    hard = _gated(gates, flow, "middleware")
    if not answers.can_own_automations and not answers.in_house_developer:
        hard.append("nobody at the client can own Zaps or Make scenarios")
    if answers.audit_or_residency:
        hard.append("the client needs its own logs, idempotency records or data residency")
    if flow in FIELD_FLOWS:
        fields, limit = case.custom_fields, case.value("middleware_max_custom_fields")
        if fields > limit:
            hard.append(
                f"{case.custom_fields_said}: more than {count(limit)} "
                f"{cite(t.source('middleware_max_custom_fields'))}"
            )
    if flow == "deal_to_invoice":
        complex_share, limit = case.complex_tax_share, case.value("complex_tax_share")
        if complex_share > limit:
            hard.append(
                f"{share(complex_share)} of sales lines are domestic reverse charge or EU "
                f"outside-scope (over {share(limit)}): customer-status and evidence rules "
                f"{cite(t.source('complex_tax_share'))}"
            )
        if case.two_way_invoices:
            hard.append("true two-way invoice sync with field-level conflict rules")
        apps, most = answers.apps_in_flow, case.value("middleware_max_apps")
        if apps > most:
            hard.append(f"{count(apps)} apps in the flow, above {count(most)}")
    soft = []
    tasks_limit, ops_limit = case.value("middleware_max_zapier_tasks"), case.value("middleware_max_make_ops")
    if load.zapier_tasks > tasks_limit and load.make_ops > ops_limit:
        soft.append(
            f"{count(load.zapier_tasks)} Zapier tasks and {count(load.make_ops)} Make ops a month, "
            f"above {count(tasks_limit)} and {count(ops_limit)} {cite(t.source('middleware_max_make_ops'))}"
        )
    return hard, soft


def choose_flows(case: Case, gates: list[Gate]) -> list[FlowChoice]:
    """One choice per flow, by the seed's list."""
    native = {flow: native_blockers(case, flow, gates) for flow in FLOWS}
    middleware_flows = [f for f in FLOWS if native[f]]
    load = case.load_for(middleware_flows)
    over_budget = _middleware_too_dear(case, middleware_flows)
    choices = []
    for flow in FLOWS:
        if not native[flow]:
            choices.append(_native_choice(case, flow))
            continue
        hard, soft = middleware_blockers(case, flow, gates, load)
        soft = soft + over_budget
        ruled_out: dict[Route, list[str]] = {"native": native[flow]}
        if not hard and not soft:
            choices.append(_choice(flow, "middleware", 2, native[flow] + _fits(load), ruled_out))
        elif not hard and not case.answers.in_house_developer:
            owner = "no in-house technical owner, so middleware is kept despite: " + "; ".join(soft)
            choices.append(_choice(flow, "middleware", 2, [*native[flow], owner], ruled_out))
        else:
            ruled_out["middleware"] = hard + soft
            choices.append(_choice(flow, "custom", 3, hard + soft, ruled_out))
    return choices


def _middleware_too_dear(case: Case, flows: list[Flow]) -> list[str]:
    if not flows:
        return []
    cost = middleware_cost(case, flows)
    limit = case.value("middleware_max_monthly_gbp")
    if cost.monthly_gbp <= limit:
        return []
    source = case.thresholds.source("middleware_max_monthly_gbp")
    return [
        f"middleware would cost about {gbp(cost.monthly_gbp)}/month ({cost.option}), above "
        f"£{count(limit)}, where a custom build runs for less {cite(source)}"
    ]


def _fits(load: Load) -> list[str]:
    return [
        f"the load fits middleware: about {count(load.zapier_tasks)} Zapier tasks or "
        f"{count(load.make_ops)} Make ops a month"
    ]


def _native_choice(case: Case, flow: Flow) -> FlowChoice:
    connector = case.connector
    assert connector is not None  # native_blockers said yes, so there is one
    direction = connector.flows[flow].replace("_", "-")
    reasons = [f"{connector.name} carries {FLOW_LABELS[flow]} ({direction})"]
    if flow in FIELD_FLOWS:
        reasons.append(
            f"{case.custom_fields_said}, within the {count(case.value('native_max_custom_fields'))} "
            "a connector maps"
        )
    if flow == "deal_to_invoice":
        rate, top = case.volumes.tax.top_standard_rate
        reasons.append(
            f"{share(top)} of sales lines at {rate}; {count(case.volumes.invoices_per_month)} "
            f"invoices a month (≤ {count(case.value('native_max_invoices_per_month'))})"
        )
    return _choice(flow, "native", 1, reasons, {})


def _choice(
    flow: Flow, route: Route, question: int, reasons: list[str], ruled_out: dict[Route, list[str]]
) -> FlowChoice:
    return FlowChoice(
        flow=flow,
        label=FLOW_LABELS[flow],
        route=route,
        question=question,
        reasons=reasons,
        ruled_out=ruled_out,
    )
