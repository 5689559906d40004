"""The crash test: `workbench flow` in a subprocess against a served sandbox, killed with SIGKILL at
random moments over and over and rerun each time, must leave exactly one invoice per allowed won deal
and none for any other deal.

The sandbox runs in its own process (`tests.flow.served_flow_sandbox`: recent won deals left unbilled,
answers to /Invoices delayed after Xero has acted, so kills land with created batches on their way
back). Each flow process is forked from one that has imported the workbench already
(`tests.flow.cli_forker`), so the interpreter's start-up (about 1.5 s of CPU, several seconds of wall
time on a busy machine) is not paid fifty times over. Kill delays are
drawn from a seeded generator over the length of a whole run, so they land in the pull, the build,
the look-ups, the send and after it; where each kill landed is read off the run's progress lines.

It runs for a client on Pipedrive and, with fewer kills (the same paths, a third of the time), for one
on HubSpot, whose write-back goes through batch updates.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.flow.writeback_support import crm_connection
from workbench.connections import Connector
from workbench.flow.ledger import Ledger
from workbench.flow.reconcile import CANCELLED_STATUSES
from workbench.plan.defaults import propose_plan
from workbench.plan.model import SignOff
from workbench.plan.versions import save_version
from workbench.profile.tables import ProfileTables
from workbench.pull.runner import pull
from workbench.references import deal_reference
from workbench.store import Engagement

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
UNBILLED_SINCE = date(2026, 2, 1)
ORGANISATIONS = 80
ANSWER_DELAY = 0.3  # the served sandbox answers each PUT this late, after acting on it
FORK_SECONDS = 0.2  # a forked run's own start: the engagement opened, the plan read
PILOT_CAP = 1  # so the allowed deals take two dozen runs that reach Xero, and kills meet them
ENGAGEMENT = "crash"


@dataclass(frozen=True)
class Case:
    crm: str
    pilot_kills: int
    live_kills: int
    allowed: int  # how many of the deals to invoice the pilot's allow-list names
    must_land: frozenset[str]  # the stages the pilot's kills must have hit (fewer kills, fewer stages)

    @property
    def kind(self) -> str:
        return "hubspot-sandbox" if self.crm == "hubspot" else "sandbox"


# the HubSpot case kills too few times to be sure of hitting the short build; the sends and the
# write-back (batch updates, the part that differs) it does hit
CASES = [
    Case("pipedrive", 50, 6, 24, frozenset({"pull", "build", "send", "write-back"})),
    Case("hubspot", 16, 3, 8, frozenset({"send", "write-back"})),
]


@pytest.fixture(params=CASES, ids=[c.crm for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def served_sandbox(case: Case) -> Iterator[str]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.flow.served_flow_sandbox",
            "--organisations",
            str(ORGANISATIONS),
            "--unbilled-since",
            UNBILLED_SINCE.isoformat(),
            "--answer-delay",
            str(ANSWER_DELAY),
            "--crm",
            case.crm,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline() if server.stdout else ""
        assert line.startswith("URL "), f"the sandbox did not start: {line!r}"
        yield line.split()[1]
    finally:
        server.kill()
        server.wait(timeout=30)
        if server.stdout:
            server.stdout.close()


def prepare(url: str, crm: str) -> None:
    """The engagement: pulled once, with the plan proposed from the pull, cut-off set and signed off."""
    with (
        Engagement.open(ENGAGEMENT) as engagement,
        Connector(crm=crm_connection(crm), sandbox_url=url) as connector,
    ):
        for source in connector.sources(engagement):
            pull(engagement, source)
        plan = propose_plan(ProfileTables.from_engagement(engagement))
        deal_invoice = plan.deal_invoice.model_copy(update={"won_after": UNBILLED_SINCE})
        signed = SignOff(
            id="S01", role="Finance (VAT and tax mapping)", name="Jo Bloggs", signed_on=date(2026, 11, 20)
        )
        save_version(
            engagement,
            plan.model_copy(update={"deal_invoice": deal_invoice, "sign_off": (signed,)}),
            origin="consultant",
        )


def xero_invoices(url: str) -> dict[str, list[str]]:
    """Every live sales invoice in the served Xero, InvoiceIDs by Reference, read through the client."""
    found: dict[str, list[str]] = {}
    with Connector(sandbox_url=url) as connector:
        client = connector.xero_source().client
        for page in client.iter_pages("Invoices", params={"where": 'Type=="ACCREC"'}):
            for invoice in page.records:
                if invoice.get("Status") not in CANCELLED_STATUSES:
                    found.setdefault(str(invoice.get("Reference") or ""), []).append(invoice["InvoiceID"])
    return found


class Forker:
    """The CLI process factory (`tests.flow.cli_forker`): one interpreter imports the workbench once
    and forks a real `workbench` process per run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.flow.cli_forker"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        self.runs = 0

    def ask(self, command: dict[str, Any]) -> dict[str, int]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        answer: dict[str, int] = json.loads(self.process.stdout.readline())
        return answer

    def start(self, argv: list[str]) -> tuple[int, Path, Path]:
        self.runs += 1
        out, err = self.folder / f"run-{self.runs}.out", self.folder / f"run-{self.runs}.err"
        pid = self.ask({"run": argv, "out": str(out), "err": str(err)})["pid"]
        return pid, out, err

    def wait(self, pid: int) -> int:
        return self.ask({"wait": pid})["status"]

    def close(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            if stream:
                stream.close()
        self.process.wait(timeout=30)


@dataclass
class Flow:
    """`workbench flow` runs against the served sandbox, started by the forker."""

    forker: Forker
    url: str
    arguments: list[str]
    case: Case

    def argv(self) -> list[str]:
        folder = str(self.forker.folder)
        return [
            "flow",
            "--engagement",
            ENGAGEMENT,
            "--sandbox-url",
            self.url,
            "--crm",
            self.case.kind,
            "--reports",
            folder,
            *self.arguments,
        ]

    def run(self) -> tuple[dict[str, Any], float]:
        """One run to its end: its report and how long it took."""
        started = time.monotonic()
        pid, out, err = self.forker.start(self.argv())
        status = self.forker.wait(pid)
        took = time.monotonic() - started
        assert status == 0, err.read_text()
        lines = out.read_text().splitlines()
        report = next(line[len("Report: ") :] for line in lines if line.endswith(".json"))
        return json.loads(Path(report).read_text()), took

    def crash_repeatedly(self, kills: int, horizon: float, rng: random.Random) -> Counter[str]:
        """Run, kill at a random moment of the run, rerun, until `kills` runs were killed. Returns where
        the kills landed (the last progress stage each run showed).

        One moment in three is drawn over the whole run, up to a little past its length (`horizon`
        seconds at first, then the length of the last run that got to its end: a busy machine makes runs
        slower, or faster again). The others wait for a stage that lasts only moments, the build, the
        send (a batch on its way, its answer not back yet) or the write-back, and kill within it.
        """
        landed: Counter[str] = Counter()
        done = 0
        while done < kills:
            pid, out, err = self.forker.start(self.argv())
            target = rng.choice(("anywhere", "anywhere", "build", "send", "send", "write-back"))
            if target == "anywhere":
                time.sleep(rng.uniform(0.0, horizon * 1.15))
            elif wait_for_stage(err, target, deadline=time.monotonic() + 4 * horizon + 30):
                time.sleep(rng.uniform(0.0, ANSWER_DELAY if target == "send" else 0.2))
            os.kill(pid, signal.SIGKILL)  # a run that ended already is a zombie until waited for: no effect
            status = self.forker.wait(pid)
            if status == -signal.SIGKILL:
                done += 1
                landed[last_stage(err.read_text())] += 1
            else:
                assert status == 0, err.read_text()
                horizon = run_length(out) + FORK_SECONDS
        return landed


def wait_for_stage(err: Path, stage: str, deadline: float) -> bool:
    """Wait until the run's progress shows `stage` ("send": a batch on its way); False if the run got to
    its end (or the deadline) first."""
    while time.monotonic() < deadline:
        text = err.read_text() if err.exists() else ""
        for line in text.splitlines():
            words = line.split()
            if words and words[0] == stage and (stage != "send" or "batch" in words):
                return True
            if words and words[0] == "done":
                return False
        time.sleep(0.02)
    return False


def run_length(out: Path) -> float:
    """Seconds from a run's start to its report, as the report says."""
    path = next(line[len("Report: ") :] for line in out.read_text().splitlines() if line.endswith(".json"))
    report = json.loads(Path(path).read_text())
    return (
        datetime.fromisoformat(report["finished_at"]) - datetime.fromisoformat(report["started_at"])
    ).total_seconds()


def last_stage(progress: str) -> str:
    """Where a run was when it died, from its progress lines ("send" = a batch on its way)."""
    lines = [line.split() for line in progress.splitlines() if line.strip()]
    stages = [
        words for words in lines if words[0] in ("pull", "build", "check", "send", "write-back", "done")
    ]
    if not stages:
        return "start"
    last = stages[-1]
    if last[0] == "send" and last[-1] == "sent":
        return "after send"
    return last[0]


def finish(flow: Flow) -> None:
    """Unkilled runs until one creates nothing more (a pilot's cap allows so many a run)."""
    for _ in range(20):
        report, _ = flow.run()
        if report["summary"]["created"] == 0:
            return
    raise AssertionError("the flow kept creating invoices after twenty full runs")


@pytest.fixture
def forker(tmp_path: Path) -> Iterator[Forker]:
    started = Forker(tmp_path)
    try:
        yield started
    finally:
        started.close()


def test_killed_at_random_the_flow_leaves_one_invoice_per_allowed_deal(
    served_sandbox: str, forker: Forker, case: Case
) -> None:
    url = served_sandbox
    prepare(url, case.crm)
    before = xero_invoices(url)
    unknown = deal_reference(case.crm, "999999")
    preview, run_seconds = Flow(forker, url, ["--mode", "dry-run"], case).run()
    outcomes = preview["outcomes"]
    would = [o["reference"] for o in outcomes if o["outcome"] == "would be created"]
    invalid = [o["reference"] for o in outcomes if o["reason"] == "failed local validation"]
    # the demo's invalid deals price VAT-inclusive products, which HubSpot line items cannot say
    both_kinds = len(would) >= 30 and (invalid or case.crm == "hubspot")
    assert both_kinds, "the served demo should have unbilled deals of both kinds"
    refused = invalid[:1]  # allowed, but never sent
    assert not set(would) & set(before)
    assert {r.split("-")[0] for r in would} == {"HS" if case.crm == "hubspot" else "PD"}
    allowed, not_allowed = would[: case.allowed], would[case.allowed :]
    allow = [*allowed, *refused, unknown]

    rng = random.Random(20261201)
    horizon = run_seconds + 0.3  # a pilot run also sends, answered 0.3 s late
    pilot_options = [
        "--mode",
        "pilot",
        "--allow",
        ",".join(allow),
        "--cap",
        str(PILOT_CAP),
        "--create-fields",
    ]
    pilot = Flow(forker, url, pilot_options, case)
    landed = pilot.crash_repeatedly(case.pilot_kills, horizon, rng)
    finish(pilot)
    print(f"\npilot: one run takes {run_seconds:.1f} s; {case.pilot_kills} kills landed: {dict(landed)}")
    assert case.must_land <= set(landed), landed

    after = xero_invoices(url)
    for reference in allowed:
        assert len(after.get(reference, [])) == 1, reference
    for reference in [*not_allowed, *refused, unknown]:
        assert reference not in after, reference
    unchanged = {k: sorted(v) for k, v in before.items()}
    assert {k: sorted(v) for k, v in after.items() if k not in allowed} == unchanged
    with Engagement.open(ENGAGEMENT) as engagement:
        ledger = Ledger(engagement)
        assert ledger.pending() == []
        invoiced = {row.reference: row.invoice_id for row in ledger.invoiced().values()}
        assert invoiced == {reference: after[reference][0] for reference in allowed}

    # then live: every candidate, killed again and again
    live = Flow(forker, url, ["--mode", "live", "--yes", "--create-fields"], case)
    landed = live.crash_repeatedly(case.live_kills, horizon, rng)
    finish(live)
    print(f"live: {case.live_kills} kills landed: {dict(landed)}")
    final = xero_invoices(url)
    for reference in would:
        assert len(final.get(reference, [])) == 1, reference
    assert not set(refused) & set(final) and unknown not in final
    assert {k: sorted(v) for k, v in final.items() if k not in would} == unchanged
    assert {k: v for k, v in final.items() if k in allowed} == {
        k: v for k, v in after.items() if k in allowed
    }

    # and each invoiced deal shows its invoice in the CRM, written back despite the kills
    Flow(forker, url, ["--mode", "dry-run"], case).run()  # pulls the CRM as it is now
    with Engagement.open(ENGAGEMENT) as engagement:
        deals = engagement.table("deals", source=case.crm)
        shown = {
            deal_reference(case.crm, deal_id): (fields or {}).get("Xero InvoiceID")
            for deal_id, fields in zip(deals["deal_id"], deals["custom_fields"], strict=True)
        }
    assert {reference: shown.get(reference) for reference in would} == {r: final[r][0] for r in would}
