"""A route recommendation as tables the app shows: the route per flow, the cost of every route, the
hard gates and the seed's gotchas."""

from __future__ import annotations

import pandas as pd

from workbench.route.decision import RouteRecommendation
from workbench.route.inputs import ROUTE_LABELS

PRESENCE = {True: "present", False: "not present", None: "not measured"}


def flows_frame(rec: RouteRecommendation) -> pd.DataFrame:
    rows = [
        {
            "flow": choice.label,
            "route": ROUTE_LABELS[choice.route],
            "question": choice.question,
            "why": "; ".join(choice.reasons),
        }
        for choice in rec.flows
    ]
    return pd.DataFrame(rows, columns=["flow", "route", "question", "why"])


def costs_frame(rec: RouteRecommendation) -> pd.DataFrame:
    """One row per route with its monthly, one-off and amortised cost (GBP, ex VAT), recommended first."""
    rows = [
        {
            "route": name,
            "recommended": name == rec.route,
            "option": cost.option,
            "available": cost.available,
            "monthly_gbp": cost.monthly_gbp,
            "one_off_gbp": cost.one_off_gbp,
            "amortised_monthly_gbp": cost.amortised_monthly_gbp,
            "summary": cost.summary(),
            "basis": cost.basis,
        }
        for name, cost in rec.costs.items()
    ]
    frame = pd.DataFrame(rows)
    return frame.sort_values("recommended", ascending=False, kind="stable", ignore_index=True)


def gates_frame(rec: RouteRecommendation) -> pd.DataFrame:
    rows = [
        {
            "gate": g.title,
            "applies": g.applies,
            "evidence": g.evidence,
            "effect": g.effect,
            "source": g.source,
        }
        for g in rec.gates
    ]
    return pd.DataFrame(rows, columns=["gate", "applies", "evidence", "effect", "source"])


def gotchas_frame(rec: RouteRecommendation) -> pd.DataFrame:
    """The seed's gotchas, present ones first."""
    rows = [
        {"gotcha": g.title, "status": PRESENCE[g.present], "evidence": g.evidence, "advice": g.advice}
        for g in rec.gotchas
    ]
    order = {"present": 0, "not measured": 1, "not present": 2}
    frame = pd.DataFrame(rows, columns=["gotcha", "status", "evidence", "advice"])
    return frame.sort_values("status", key=lambda c: c.map(order), kind="stable", ignore_index=True)
