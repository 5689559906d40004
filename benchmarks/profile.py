"""Profile figures: seconds and peak memory of the whole health profile, how time grows with size, and
recall / precision per planted problem kind.

Run: `.venv/bin/python benchmarks/profile.py [--sizes 10000,30000,100000] [--repeat N] [--cache DIR]`
Each size is the sandbox demo client scaled to that many organisations (two people, two deals, 4/3 of
a Xero contact and two invoices per organisation), pulled once through the product's own clients into
an engagement kept under `--cache` (pulling 100,000 organisations takes a while; later runs reuse it).
The profile then runs in a fresh process as `workbench profile` runs it: the engagement's tables read
as the profile asks for them (the duplicates step starts once its tables are in, the rest are read
meanwhile), with `--workers` lanes (its workers are forked from that process). So the time measured
is from opening the engagement to the last finding; the seconds spent reading tables in the calling
process are printed beside it. Wall seconds depend on what else the machine runs, so CPU seconds (the
process and its workers) are printed too. Peak memory is sampled once a second as the process tree's
PSS (proportional set size: a page a forked worker still shares with its parent counts once, split
between them; sampling more often costs the profile measurable kernel time at this size); the peak
RSS of the process plus that of its workers is printed too, an upper bound that counts shared pages
twice. Prints the figures the README quotes; asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

DEFAULT_CACHE = Path.home() / ".cache" / "workbench-benchmarks"


def engagement_folder(cache: Path, organisations: int) -> Path:
    """Named after the store's format too: an engagement pulled before the store kept columnar copies
    of its tables would be read as no new pull is."""
    from workbench.store_columns import FORMAT

    return cache / f"demo-7-{organisations}-{FORMAT.replace('/', '-')}"


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


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


class TreeMemory:
    """Samples the PSS of this process and its descendants (Linux /proc) on a thread; `peak_mb`."""

    def __init__(self, every: float = 1.0) -> None:
        self.every, self.peak_kb = every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float | None:
        return self.peak_kb / 1024 if self.peak_kb else None

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in _tree(os.getpid())))
            self._stop.wait(self.every)


def _tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending.extend(int(c) for c in children.read_text().split())
            except OSError:
                continue
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TimedReader:
    """The lazy tables' reader, timing each table it reads (in the calling process)."""

    def __init__(self, read: Callable[[str], Any]) -> None:
        self.read, self.seconds = read, 0.0

    def __call__(self, name: str, columns: Any = None) -> Any:
        started = time.perf_counter()
        try:
            return self.read(name, columns)
        finally:
            self.seconds += time.perf_counter() - started


def profile_once(cache: Path, organisations: int, workers: int | None) -> dict[str, object]:
    """Read the cached engagement while profiling it; the figures as a dict (run in a fresh process)."""
    from workbench.profile.evaluation import score_findings
    from workbench.profile.health import run_profile
    from workbench.profile.tables import ProfileTables
    from workbench.store import Engagement

    folder = engagement_folder(cache, organisations)
    manifest = json.loads((folder / "manifest.json").read_text())
    with TreeMemory() as memory:
        started, cpu = time.perf_counter(), _cpu_seconds(resource.RUSAGE_SELF)
        with Engagement.open("demo", folder / "engagements", create=False) as engagement:
            lazy = ProfileTables.from_engagement(engagement, date.fromisoformat(manifest["as_of"]), lazy=True)
        assert lazy.loader is not None
        reader = TimedReader(lazy.loader)
        tables = dataclasses.replace(lazy, loader=reader)
        health = run_profile(tables, workers=workers)
        profiled = time.perf_counter() - started
    # run_profile has joined its workers, so the children's usage is the workers'
    profile_cpu = _cpu_seconds(resource.RUSAGE_SELF) - cpu + _cpu_seconds(resource.RUSAGE_CHILDREN)
    peak = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    scores = score_findings(health.findings, manifest["problems"])
    return {
        "organisations": organisations,
        "rows": {
            name: len(tables[name])
            for name in ("organisations", "people", "deals", "xero_contacts", "invoices", "invoice_lines")
        },
        "read_seconds": reader.seconds,
        "profile_seconds": profiled,
        "profile_cpu_seconds": profile_cpu,
        "steps": health.seconds,
        "step_cpu_seconds": health.cpu_seconds,
        "peak_rss_mb": peak / 1024,
        "peak_pss_mb": memory.peak_mb,
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


def _in_fresh_process(
    step: str, cache: Path, organisations: int, workers: int | None
) -> dict[str, Any] | None:
    command = [sys.executable, __file__, f"--{step}", str(organisations), "--cache", str(cache)]
    if workers is not None:
        command += ["--workers", str(workers)]
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(output) if step == "profile-one" else None


def report(figures: list[dict[str, Any]]) -> None:
    print(
        f"{'organisations':>13} {'people':>8} {'deals':>8} {'contacts':>9} {'invoices':>9} {'inv lines':>9} "
        f"{'total s':>7} {'CPU s':>7} {'read s':>7} {'PSS MB':>7} {'RSS MB':>7}"
    )
    for f in figures:
        rows = f["rows"]
        print(
            f"{rows['organisations']:>13,} {rows['people']:>8,} {rows['deals']:>8,} "
            f"{rows['xero_contacts']:>9,} {rows['invoices']:>9,} {rows['invoice_lines']:>9,} "
            f"{f['profile_seconds']:>7.1f} {f['profile_cpu_seconds']:>7.1f} {f['read_seconds']:>7.1f} "
            f"{f['peak_pss_mb'] or float('nan'):>7,.0f} {f['peak_rss_mb']:>7,.0f}"
        )
    first, last = figures[0], figures[-1]
    size_ratio = last["organisations"] / first["organisations"]
    if size_ratio > 1:
        print(
            f"\ngrowth from {first['organisations']:,} to {last['organisations']:,} organisations "
            f"({size_ratio:.0f}x the records), time per record at the largest / at the smallest:"
        )
        for label, key in (
            ("wall", "profile_seconds"),
            ("CPU", "profile_cpu_seconds"),
            ("reading", "read_seconds"),
        ):
            ratio = last[key] / first[key] / size_ratio
            print(f"  {label:<13} {ratio:.2f} (1.00 is linear; {last[key] / first[key]:.1f}x the time)")
    print(f"\nsteps at {last['organisations']:,} organisations, wall / CPU seconds:")
    for step, wall in last["steps"].items():
        print(f"  {step:<11} {wall:>6.1f} {last['step_cpu_seconds'][step]:>6.1f}")
    print(f"\nplanted problems at {last['organisations']:,} organisations:")
    print(f"  {'kind':<40} {'planted':>8} {'found':>7} {'recall':>7} {'precision':>9}")
    for s in last["scores"]:
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
    parser.add_argument(
        "--workers", type=int, help="lanes the profile runs in (default: as the product picks)"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="profile the largest size this many times (median and each)"
    )
    parser.add_argument("--pull-one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pull_one:
        pull_once(args.cache, args.pull_one)
        return
    if args.profile_one:
        print(json.dumps(profile_once(args.cache, args.profile_one, args.workers)))
        return
    figures = []
    sizes = [int(s) for s in args.sizes.split(",")]
    for organisations in sizes:
        print(f"pulling (once) and profiling {organisations:,} organisations...", file=sys.stderr, flush=True)
        _in_fresh_process("pull-one", args.cache, organisations, None)
        result = _in_fresh_process("profile-one", args.cache, organisations, args.workers)
        assert result is not None
        figures.append(result)
    again = [figures[-1]]
    for _ in range(args.repeat - 1):
        print(f"profiling {sizes[-1]:,} organisations again...", file=sys.stderr, flush=True)
        result = _in_fresh_process("profile-one", args.cache, sizes[-1], args.workers)
        assert result is not None
        again.append(result)
    report(figures)
    if len(again) > 1:
        report_repeats(again)


def report_repeats(runs: list[dict[str, Any]]) -> None:
    """Each run at the largest size and the median: a shared machine's runs differ."""
    print(f"\n{len(runs)} runs at {runs[0]['organisations']:,} organisations (total s / CPU s / PSS MB):")
    for run in runs:
        seconds, cpu, pss = run["profile_seconds"], run["profile_cpu_seconds"], run["peak_pss_mb"] or 0
        print(f"  {seconds:6.1f} {cpu:7.1f} {pss:7,.0f}")
    print(f"  median total {statistics.median(r['profile_seconds'] for r in runs):.1f} s")


if __name__ == "__main__":
    main()
