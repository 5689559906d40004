"""Profile figures: seconds and peak memory of the whole health profile, how time grows with size, and
recall / precision per planted problem kind.

Run: `.venv/bin/python benchmarks/profile.py [--sizes 10000,30000,100000] [--cache DIR]`
Each size is the sandbox demo client scaled to that many organisations (two people, two deals, 4/3 of
a Xero contact and two invoices per organisation), pulled once through the product's own clients into
an engagement kept under `--cache` (pulling 100,000 organisations takes a while; later runs reuse it).
The profile then runs in a fresh process, so its peak memory is the profile's own: loading the tables
from the engagement, then `run_profile`. Prints the figures the README quotes; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

DEFAULT_CACHE = Path.home() / ".cache" / "workbench-benchmarks"


def engagement_folder(cache: Path, organisations: int) -> Path:
    return cache / f"demo-7-{organisations}"


def pull_once(cache: Path, organisations: int) -> None:
    """Pull the demo client of that size into its cached engagement, with its manifest beside it."""
    from workbench.connections import Connector
    from workbench.pull.runner import pull
    from workbench.sandbox.app import Sandbox
    from workbench.sandbox.demo import DemoSize
    from workbench.store import Engagement
    from workbench.tokens import TokenStore

    folder = engagement_folder(cache, organisations)
    if (folder / "manifest.json").exists():
        return
    sandbox = Sandbox.demo(7, DemoSize.scaled(organisations))
    with (
        Engagement.open("demo", folder / "engagements") as engagement,
        Connector(sandbox=sandbox, store=TokenStore(folder / "tokens")) as connector,
    ):
        for source in connector.sources(engagement):
            pull(engagement, source)
    (folder / "manifest.json").write_text(json.dumps(sandbox.client.manifest.to_json()))


def profile_once(cache: Path, organisations: int) -> dict[str, object]:
    """Load the cached engagement and profile it; the figures as a dict (run in a fresh process)."""
    from workbench.profile.evaluation import score_findings
    from workbench.profile.health import run_profile
    from workbench.profile.tables import ProfileTables
    from workbench.store import Engagement

    folder = engagement_folder(cache, organisations)
    manifest = json.loads((folder / "manifest.json").read_text())
    started = time.perf_counter()
    with Engagement.open("demo", folder / "engagements", create=False) as engagement:
        tables = ProfileTables.from_engagement(engagement, date.fromisoformat(manifest["as_of"]))
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    health = run_profile(tables)
    profiled = time.perf_counter() - started
    scores = score_findings(health.findings, manifest["problems"])
    return {
        "organisations": organisations,
        "rows": {
            name: len(tables[name])
            for name in ("organisations", "people", "deals", "xero_contacts", "invoices", "invoice_lines")
        },
        "load_seconds": loaded,
        "profile_seconds": profiled,
        "steps": health.seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "findings": len(health.findings),
        "scores": [
            {
                "kind": s.kind,
                "planted": s.planted,
                "found": s.found,
                "recall": s.recall,
                "precision": s.precision,
            }
            for s in scores
        ],
    }


def _in_fresh_process(step: str, cache: Path, organisations: int) -> dict[str, object] | None:
    command = [sys.executable, __file__, f"--{step}", str(organisations), "--cache", str(cache)]
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(output) if step == "profile-one" else None


def report(figures: list[dict[str, object]]) -> None:
    print(
        f"{'organisations':>13} {'orgs':>8} {'people':>8} {'deals':>8} {'contacts':>9} {'invoices':>9} "
        f"{'inv lines':>9} {'load s':>7} {'profile s':>9} {'peak MB':>8} {'s per 10k orgs':>14}"
    )
    for f in figures:
        rows = f["rows"]
        assert isinstance(rows, dict)
        per_10k = float(f["profile_seconds"]) / (int(f["organisations"]) / 10_000)  # type: ignore[arg-type]
        print(
            f"{f['organisations']:>13,} {rows['organisations']:>8,} {rows['people']:>8,} {rows['deals']:>8,} "
            f"{rows['xero_contacts']:>9,} {rows['invoices']:>9,} {rows['invoice_lines']:>9,} "
            f"{f['load_seconds']:>7.1f} {f['profile_seconds']:>9.1f} {f['peak_mb']:>8,.0f} {per_10k:>14.2f}"
        )
    first, last = figures[0], figures[-1]
    size_ratio = int(last["organisations"]) / int(first["organisations"])  # type: ignore[call-overload]
    time_ratio = float(last["profile_seconds"]) / float(first["profile_seconds"])  # type: ignore[arg-type]
    print(
        f"\ngrowth: {size_ratio:.0f}x the records took {time_ratio:.1f}x the time "
        f"(linear would be {size_ratio:.0f}x)"
    )
    print(
        f"\nsteps at {last['organisations']:,} organisations (seconds): "
        + ", ".join(f"{k} {v:.1f}" for k, v in dict(last["steps"]).items())
    )  # type: ignore[call-overload]
    print(f"\nplanted problems at {last['organisations']:,} organisations:")
    print(f"  {'kind':<40} {'planted':>8} {'found':>7} {'recall':>7} {'precision':>9}")
    for s in last["scores"]:  # type: ignore[attr-defined]
        print(
            f"  {s['kind']:<40} {s['planted']:>7,} {s['found']:>7,} "
            f"{s['recall']:>7.3f} {s['precision']:>9.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="10000,30000,100000", help="organisations per client, comma-separated"
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where pulled engagements are kept")
    parser.add_argument("--pull-one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pull_one:
        pull_once(args.cache, args.pull_one)
        return
    if args.profile_one:
        print(json.dumps(profile_once(args.cache, args.profile_one)))
        return
    figures = []
    for organisations in (int(s) for s in args.sizes.split(",")):
        print(f"pulling (once) and profiling {organisations:,} organisations...", file=sys.stderr, flush=True)
        _in_fresh_process("pull-one", args.cache, organisations)
        result = _in_fresh_process("profile-one", args.cache, organisations)
        assert result is not None
        figures.append(result)
    report(figures)


if __name__ == "__main__":
    main()
