"""`workbench route`: profile an engagement's pulled data and print the route recommendation."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from workbench.profile.tables import ProfileTables, pulled_tables
from workbench.profile.volumes import Volumes
from workbench.route.decision import recommend
from workbench.route.documents import read_document, validation_problem
from workbench.route.from_profile import route_inputs
from workbench.route.inputs import DiscoveryAnswers
from workbench.route.prices import load_prices
from workbench.route.render import recommendation_text
from workbench.route.thresholds import load_thresholds
from workbench.store import Engagement

KNOWN_CRMS = ("pipedrive", "hubspot", "salesforce")


def profile_engagement(tables: ProfileTables) -> tuple[Volumes, pd.DataFrame]:
    """Volumes and every finding of the profile."""
    # imported here so the CLI's other commands start without loading the profile's matchers
    from workbench.profile.health import run_profile

    health = run_profile(tables)
    return health.volumes, health.findings


def read_answers(path: Path | None, tables: ProfileTables) -> tuple[DiscoveryAnswers, str | None]:
    """The questionnaire from `path`; the CRM, when it does not say, is the one the data came from."""
    given: dict[str, Any] = read_document(path) if path is not None else {}
    note = None
    if "crm" not in given:
        sources = tables["organisations"]["source"].dropna().astype(str).str.lower().unique()
        crm = next((s for s in sources if s in KNOWN_CRMS), None)
        if crm is not None:
            given = {"crm": crm, **given}
            note = f"CRM taken from the pulled data: {crm}"
    try:
        return DiscoveryAnswers.model_validate(given), note
    except ValidationError as exc:
        raise validation_problem(path, exc) from exc


def day_argument(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None


def _run(args: argparse.Namespace) -> int:
    prices = load_prices(Path(args.prices) if args.prices else None)
    thresholds = load_thresholds(Path(args.thresholds) if args.thresholds else None)
    with Engagement.open(args.engagement, create=False) as engagement:
        tables = pulled_tables(engagement, args.as_of, lazy=True)
        answers, note = read_answers(Path(args.answers) if args.answers else None, tables)
        volumes, findings = profile_engagement(tables)
    measured, evidence = route_inputs(volumes, findings, tables)
    rec = recommend(answers, measured, evidence, prices=prices, thresholds=thresholds)
    if args.json:
        print(rec.model_dump_json(indent=2))
        return 0
    print(
        recommendation_text(
            rec, title=f"Engagement '{args.engagement}'. ", show_thresholds=args.show_thresholds
        )
    )
    if note:
        print(f"\n({note})")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "route",
        help="recommend a route (native, middleware, custom or hybrid) with reasons, costs and risks",
        description="Profile the engagement's pulled data, read the discovery answers and print the route "
        "recommendation: the route per flow with reasons in the client's own numbers, an indicative "
        "monthly cost for every route, and the seed guide's gotchas marked present or not.",
    )
    parser.add_argument("--engagement", required=True, help="engagement name, e.g. acme-2026")
    parser.add_argument("--answers", help="discovery answers, YAML or JSON (fields of DiscoveryAnswers)")
    parser.add_argument(
        "--prices", help="price overrides, YAML or JSON (laid over workbench/route/prices.json)"
    )
    parser.add_argument(
        "--thresholds", help="threshold overrides, YAML or JSON (laid over workbench/route/thresholds.json)"
    )
    parser.add_argument(
        "--as-of", type=day_argument, help="read the data as of this day (default: the day it was pulled)"
    )
    parser.add_argument("--json", action="store_true", help="print the recommendation as JSON")
    parser.add_argument("--show-thresholds", action="store_true", help="list every threshold and its source")
    parser.set_defaults(run=_run)
