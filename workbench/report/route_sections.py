"""The report's closing sections: the route recommendation (reasons, costs, gotchas) and the next steps,
each step read from what the profile found, the route and the plan version."""

from __future__ import annotations

from workbench.app_support import route_view as rv
from workbench.plan.versions import PlanVersion
from workbench.profile.health import HealthProfile
from workbench.report import markup as m
from workbench.report.health_sections import vat_not_charged
from workbench.route.decision import RouteRecommendation
from workbench.route.from_profile import data_evidence
from workbench.route.inputs import ROUTE_LABELS

COST_HEADERS = {
    "route": "route",
    "option": "option",
    "available": "available",
    "monthly_gbp": "monthly, ex VAT",
    "one_off_gbp": "one-off",
    "amortised_monthly_gbp": "monthly with the one-off spread",
    "basis": "how it was reached",
}


def route(rec: RouteRecommendation) -> str:
    cost = rec.recommended_cost
    parts = [
        m.paragraph(f"{ROUTE_LABELS[rec.route].capitalize()}: {rec.headline}", "recommendation"),
        m.figures(
            [
                ("monthly (GBP, ex VAT)", m.cell_text(cost.monthly_gbp)),
                ("one-off", m.cell_text(cost.one_off_gbp)),
                (f"monthly over {cost.amortise_months} months", m.cell_text(cost.amortised_monthly_gbp)),
            ]
        ),
    ]
    if rec.preconditions:
        parts += [m.heading(3, "Before any route"), m.bullets(rec.preconditions)]
    if rec.warnings:
        parts += [m.heading(3, "Warnings"), m.bullets(rec.warnings)]
    parts += [
        m.heading(3, "Per flow"),
        m.table(rv.flows_frame(rec), {"flow": "flow", "route": "route", "why": "why"}),
        m.heading(3, "Reasons"),
        m.bullets(rec.reasons),
        m.heading(3, "Cost of every route"),
        m.table(rv.costs_frame(rec), COST_HEADERS),
        m.heading(3, "The seed guide's gotchas in this data"),
        m.table(
            rv.gotchas_frame(rec),
            {"gotcha": "gotcha", "status": "status", "evidence": "evidence", "advice": "advice"},
        ),
    ]
    if rec.assumptions:
        parts += [m.heading(3, "Assumed (questions left open)"), m.bullets(rec.assumptions)]
    return "".join(parts)


def next_steps(profile: HealthProfile, rec: RouteRecommendation, plan: PlanVersion) -> list[str]:
    """What to do next, in order, in the client's own numbers."""
    evidence = data_evidence(profile.volumes, profile.findings)
    steps: list[str] = [*rec.preconditions]
    clusters = sum(evidence.duplicate_clusters.values())
    if clusters:
        copies = sum(evidence.duplicate_records.values())
        steps.append(
            f"Merge the {clusters:,} duplicate clusters ({copies:,} second copies), keeping each cluster's "
            "suggested survivor, before anything syncs."
        )
    steps.append(profile.matching.key_recommendation.text)
    vat = profile.vat
    high = int(vat["severity"].eq("high").sum()) if not vat.empty else 0
    if high:
        steps.append(
            f"Have finance correct the {high:,} high-severity VAT findings "
            f"({m.cell_text(vat_not_charged(vat))} of VAT not charged or declared on UK sales) and sign off "
            "the tax mapping."
        )
    hygiene_high = int(profile.hygiene["severity"].eq("high").sum()) if not profile.hygiene.empty else 0
    if hygiene_high:
        steps.append(f"Clear the {hygiene_high:,} high-severity hygiene findings (see Hygiene above).")
    signed = "signed off" if plan.plan.signed_off else "not signed off yet"
    steps.append(
        f"Send mapping-plan.xlsx (plan version {plan.version}, {signed}) to the client: they edit the "
        "yellow cells, sign off and send it back; `workbench plan import` checks every edit."
    )
    steps.append(
        f"Build the {ROUTE_LABELS[rec.route]} route; for the deal → invoice flow, dry-run it against the "
        "signed-off plan, then pilot a small allow-list that creates DRAFT invoices only."
    )
    return steps


def next_steps_list(profile: HealthProfile, rec: RouteRecommendation, plan: PlanVersion) -> str:
    items = "".join(f"<li>{m.esc(step)}</li>" for step in next_steps(profile, rec, plan))
    return f"<ol>{items}</ol>"
