"""A recommendation as plain text, the way `workbench route` prints it."""

from __future__ import annotations

from workbench.route.decision import RouteRecommendation
from workbench.route.inputs import ROUTE_LABELS

MARKS = {True: "present", False: "not present", None: "not measured"}


def recommendation_text(rec: RouteRecommendation, *, title: str = "", show_thresholds: bool = False) -> str:
    lines = [f"{title}Route: {rec.route.upper()} — {rec.headline}"]
    if rec.preconditions:
        lines += ["", "Before any route:"] + [f"  ! {p}" for p in rec.preconditions]
    lines += ["", "Per flow:"]
    for choice in rec.flows:
        lines.append(f"  {choice.label}: {ROUTE_LABELS[choice.route]} (question {choice.question})")
        lines += [f"      - {r}" for r in choice.reasons]
    lines += ["", "Reasons:"] + [f"  - {r}" for r in rec.reasons]
    lines += ["", "Indicative cost (GBP, ex VAT):"]
    for name, cost in rec.costs.items():
        mark = " ← recommended" if name == rec.route else ""
        lines.append(f"  {name:<11} {cost.option}: {cost.summary()}{mark}")
        if cost.basis:
            lines.append(f"              {cost.basis}")
    lines += ["", "Hard gates:"]
    for gate in rec.gates:
        lines.append(f"  [{'x' if gate.applies else ' '}] {gate.title}: {gate.evidence}")
    lines += ["", "Gotchas:"]
    for gotcha in rec.gotchas:
        lines.append(f"  [{MARKS[gotcha.present]}] {gotcha.title}: {gotcha.evidence}")
    if rec.warnings:
        lines += ["", "Warnings:"] + [f"  ! {w}" for w in rec.warnings]
    if rec.assumptions:
        lines += ["", "Assumed (answer these with --answers):"] + [f"  ? {a}" for a in rec.assumptions]
    if show_thresholds:
        lines += ["", "Thresholds (edit with --thresholds):"]
        lines += [f"  {name} = {t.value:g}  {t.source}" for name, t in rec.thresholds.items()]
    return "\n".join(lines)
