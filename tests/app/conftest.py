"""The app under AppTest: a demo engagement pulled once per test session and copied into each test's
isolated WORKBENCH_HOME, its health profile computed once, and the sandbox standing in for Xero."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from streamlit.testing.v1 import AppTest

import pages._common as common
from tests.profile.demo import pulled_demo
from workbench.profile.health import HealthProfile, run_profile
from workbench.profile.tables import ProfileTables, data_as_of
from workbench.sandbox.app import Sandbox
from workbench.sandbox.transport import SandboxTransport
from workbench.store import Engagement

APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"
TIMEOUT_SECONDS = 60  # a loaded CI machine; a normal run takes a few seconds


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding engagements/demo: the sandbox demo pulled once for the whole session; tests copy
    it, never change it."""
    folder = tmp_path_factory.mktemp("app-demo")
    pulled_demo(folder)
    return folder


@pytest.fixture(scope="session")
def demo_profile(demo_template: Path) -> HealthProfile:
    """The template's health profile, computed once, as the app computes it."""
    with Engagement.open("demo", demo_template / "engagements", create=False) as engagement:
        tables = ProfileTables.from_engagement(engagement, data_as_of(engagement))
    return run_profile(tables)


@pytest.fixture
def demo_home(demo_template: Path, isolated_environment: Path) -> Path:
    """This test's WORKBENCH_HOME holding a copy of the pulled demo engagement."""
    shutil.copytree(demo_template / "engagements" / "demo", isolated_environment / "engagements" / "demo")
    return isolated_environment


def new_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT_SECONDS)


@pytest.fixture
def app(demo_home: Path) -> Callable[[], AppTest]:
    """A fresh app session over the copied demo engagement."""
    return new_app


@pytest.fixture
def profiled_app(demo_home: Path, demo_profile: HealthProfile) -> Callable[[], AppTest]:
    """A fresh app session over the copied demo with its profile already in the session (as after the
    first health page), so page tests do not each spend seconds profiling."""

    def make() -> AppTest:
        at = new_app()
        with Engagement.open("demo", demo_home / "engagements", create=False) as engagement:
            key = common.profile_key(engagement, demo_profile.tables.as_of)
        at.session_state[common.PROFILE] = (key, demo_profile)
        return at

    return make


@pytest.fixture
def sandbox_services(monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """Route the app's own calls to Xero (sign-ins, custom connections) to an in-process sandbox."""
    sandbox = Sandbox.demo(7)
    monkeypatch.setattr(common, "service_transport", lambda: SandboxTransport(sandbox))
    return sandbox


def follow(sandbox: Sandbox, url: str) -> str:
    """What a browser does with the sandbox's consent page: it redirects at once; return where to."""
    with httpx.Client(transport=SandboxTransport(sandbox)) as client:
        answer = client.get(url)
    assert answer.status_code == 302, answer.text
    return str(answer.headers["Location"])


def page_problems(at: AppTest) -> list[str]:
    """Exceptions and error messages on the page, for asserting a clean render."""
    return [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]


def rendered_text(at: AppTest) -> str:
    """Every element's protobuf as text: what the browser would receive."""

    def walk(node: object) -> Iterator[str]:
        proto = getattr(node, "proto", None)
        if proto is not None:
            yield str(proto)
        children = getattr(node, "children", {})
        for child in children.values() if isinstance(children, dict) else children:
            yield from walk(child)

    return "\n".join(walk(at._tree))


def session_dump(at: AppTest) -> str:
    """Everything the session holds, widget values and internal keys included."""
    state = at._session_state._state
    parts = [repr(v) for v in state._old_state.values()]
    parts += [repr(v) for v in state._new_session_state.values()]
    parts += [repr(w) for w in state._new_widget_state.states.values()]
    parts += [repr(v) for v in at.session_state.to_dict().values()]
    return "\n".join(parts)
