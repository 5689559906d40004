"""A small sandbox demo (40 organisations) pulled and profiled once per session; each test gets its own
copy of the engagement, since writing a report proposes a plan and writes to the audit log."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.profile.demo import pulled_demo
from workbench.commands.route import read_answers
from workbench.excel.engagement import current_or_proposed
from workbench.plan.versions import PlanVersion
from workbench.profile.health import HealthProfile, run_profile
from workbench.route.decision import RouteRecommendation, recommend
from workbench.route.from_profile import route_inputs
from workbench.store import Engagement

ORGANISATIONS = 40


@dataclass(frozen=True)
class Checked:
    """What a report is written from."""

    engagement: Engagement
    profile: HealthProfile
    rec: RouteRecommendation
    plan: PlanVersion


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, HealthProfile]:
    folder = tmp_path_factory.mktemp("report-demo")
    demo = pulled_demo(folder, organisations=ORGANISATIONS)
    return folder, run_profile(demo.tables)


@pytest.fixture
def demo_home(small_demo: tuple[Path, HealthProfile], isolated_environment: Path) -> Path:
    """This test's WORKBENCH_HOME with a copy of the pulled small demo as engagement `demo`."""
    shutil.copytree(small_demo[0] / "engagements" / "demo", isolated_environment / "engagements" / "demo")
    return isolated_environment


def route_and_plan(engagement: Engagement, profile: HealthProfile) -> tuple[RouteRecommendation, PlanVersion]:
    """The route with the default answers, and the current plan version (proposed if none), as
    `workbench report` takes them."""
    answers, _ = read_answers(None, profile.tables)
    rec = recommend(answers, *route_inputs(profile.volumes, profile.findings, profile.tables))
    plan, _ = current_or_proposed(engagement, profile.tables)
    return rec, plan


@pytest.fixture
def checked(small_demo: tuple[Path, HealthProfile], demo_home: Path) -> Iterator[Checked]:
    """The copied engagement open, its profile, the route with default answers and plan version 1."""
    profile = small_demo[1]
    with Engagement.open("demo", create=False) as engagement:
        yield Checked(engagement, profile, *route_and_plan(engagement, profile))


def xlsx_text(path: Path) -> str:
    """Every XML part of a workbook as text (cells, shared strings, sheet names)."""
    with zipfile.ZipFile(path) as book:
        return "\n".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
