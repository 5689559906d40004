"""What every page of the app shares: the session's settings, the current engagement, the health profile
cached per session, the pull, and the guard that turns any failure into a message.

Session state holds names and choices only (engagement name, connection kinds and names, widget values),
the per-session profile and the session's in-process sandbox; never a secret, never an open database
connection.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, Literal, TypeVar, cast

import streamlit as st

from workbench.app_support.problems import Problem, describe
from workbench.connections import Connector, CrmConnection, XeroConnection
from workbench.http import Transport
from workbench.profile.health import STEPS, HealthProfile, run_profile
from workbench.profile.tables import ProfileTables, data_as_of
from workbench.pull.runner import Mode, Progress, PullResult, pull
from workbench.pull.source import Source
from workbench.store import Engagement
from workbench.tokens import TokenStore

log = logging.getLogger("workbench.app")

DEMO_ENGAGEMENT = "demo"
# session keys
ENGAGEMENT = "engagement"
XERO = "xero_connection"
CRM = "crm_connection"
CRM_FILES = "crm_files_only"  # the CRM comes from uploaded exports: pull Xero only
SEED = "sandbox_seed"
SANDBOX = "session_sandbox"  # ((seed, crm), Sandbox): the in-process sandbox this session pulls and writes to
PROFILE = "health_profile"
VIEWS = "profile_views"  # (profile key, {name: (depends, value)}): what pages draw from the profile
ROUTE_RECOMMENDATION = "route_recommendation"  # (key, (recommendation, note)) from the Route page
STARTED = "session_started"
DEMO_CHECKED = "demo_checked"  # the first-start pull was considered in this session
NOTICES = "notices"
PROGRESS_EVERY_SECONDS = 0.2

Which = Literal["both", "xero", "crm"]
T = TypeVar("T")


# --- seams --------------------------------------------------------------------------------------------
def service_transport() -> Transport | None:
    """The HTTP transport the app's direct calls to Xero use (sign-ins, custom connections): the
    network. Tests hand in the sandbox's in-process transport here."""
    return None


def token_store() -> TokenStore:
    return TokenStore()


# --- failures -----------------------------------------------------------------------------------------
def show_problem(problem: Problem) -> None:
    text = problem.message + (f"\n\n**What to do:** {problem.hint}" if problem.hint else "")
    st.error(text)
    if problem.details is not None:
        with st.expander("details"):
            st.code(problem.details, language=None)


@contextmanager
def guard(action: str) -> Iterator[None]:
    """Run the block; a failure ends the block (not the page) and shows as a message: a workbench error
    as its message and hint, anything else as one line plus details without secrets."""
    try:
        yield
    except Exception as exc:
        problem = describe(exc, action)
        if not problem.expected:
            log.warning("unexpected failure while %s: %s", action, problem.details)
        show_problem(problem)


def run_page(title: str, render: Callable[[], None]) -> None:
    """Draw a page: the session's defaults, the sidebar and pending notices first, then `render`
    inside a guard. Pages do this themselves, not only the main script, because Streamlit may run a
    page file directly (the first request of a server to a page URL, and AppTest's reruns, go through
    its `pages/` folder mode)."""
    st.set_page_config(page_title=f"{title} · Integration Health Check", layout="wide")
    start_session()
    with st.sidebar:
        st.markdown(f"**Engagement:** {engagement_name()}")
        st.caption(connection_summary())
    show_notices()
    with guard(f"showing the {title} page"):
        render()


def notify(message: str, kind: Literal["success", "info", "warning"] = "success") -> None:
    """A message shown once, on the next render of whichever page comes next."""
    st.session_state.setdefault(NOTICES, []).append((kind, message))


def show_notices() -> None:
    for kind, message in st.session_state.pop(NOTICES, []):
        getattr(st, kind)(message)


# --- session settings ---------------------------------------------------------------------------------
def start_session() -> None:
    """Defaults for a new session: the demo engagement on the sandbox when there is no other one (or
    it exists), else the first engagement by name."""
    if STARTED in st.session_state:
        return
    names = Engagement.names()
    st.session_state.setdefault(
        ENGAGEMENT, DEMO_ENGAGEMENT if DEMO_ENGAGEMENT in names or not names else names[0]
    )
    st.session_state.setdefault(XERO, XeroConnection())
    st.session_state.setdefault(CRM, CrmConnection())
    st.session_state.setdefault(CRM_FILES, False)
    st.session_state.setdefault(SEED, 7)
    st.session_state[STARTED] = True


def engagement_name() -> str:
    return str(st.session_state.get(ENGAGEMENT) or DEMO_ENGAGEMENT)


def choose_engagement(name: str) -> None:
    st.session_state[ENGAGEMENT] = name
    st.session_state.pop(PROFILE, None)


def xero_connection() -> XeroConnection:
    value = st.session_state.get(XERO)
    return value if isinstance(value, XeroConnection) else XeroConnection()


def crm_connection() -> CrmConnection:
    value = st.session_state.get(CRM)
    return value if isinstance(value, CrmConnection) else CrmConnection()


def on_sandbox() -> bool:
    return xero_connection().kind == "sandbox" and (crm_connection().kind == "sandbox" or crm_files_only())


def crm_files_only() -> bool:
    return bool(st.session_state.get(CRM_FILES))


def connection_summary() -> str:
    xero, crm = xero_connection(), crm_connection()
    xero_text = {"sandbox": "sandbox", "custom": f"custom connection '{xero.name}'"}.get(
        xero.kind, f"signed-in connection '{xero.name}'"
    )
    if crm_files_only():
        crm_text = "uploaded exports"
    else:
        crm_text = {
            "sandbox": "sandbox",
            "hubspot-sandbox": "sandbox (HubSpot)",
            "pipedrive-token": f"API token '{crm.name}'",
            "hubspot-token": f"HubSpot private-app token '{crm.saved_as}'",
        }.get(crm.kind, f"OAuth connection '{crm.saved_as}'")
    return f"Xero: {xero_text} · CRM: {crm_text}"


@contextmanager
def open_engagement(create: bool = True) -> Iterator[Engagement]:
    """The session's engagement, opened for this run only (SQLite connections are not kept)."""
    with Engagement.open(engagement_name(), create=create) as engagement:
        yield engagement


# --- pulling ------------------------------------------------------------------------------------------
class PullProgress:
    """A progress bar and a line per source: endpoint i/n, pages, records, the API budget left."""

    def __init__(self) -> None:
        self.bar = st.progress(0.0, text="starting the pull...")
        self.line = st.empty()
        self._shown = 0.0

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if not progress.finished and now - self._shown < PROGRESS_EVERY_SECONDS:
            return  # a 100,000-organisation pull has thousands of pages: redraw a few times a second
        self._shown = now
        budget = ", ".join(f"{k} {v:,}" for k, v in progress.budget.items() if v is not None)
        if progress.finished:
            self.bar.progress(1.0, text=f"{progress.source}: done, {progress.total_records:,} records")
        else:
            share = (progress.endpoint_index + 0.5) / max(1, progress.endpoint_count)
            self.bar.progress(
                min(share, 1.0),
                text=f"{progress.source} [{progress.endpoint_index + 1}/{progress.endpoint_count}] "
                f"{progress.endpoint}: page {progress.pages}, {progress.records:,} records",
            )
        self.line.caption(f"API budget left: {budget}" if budget else "API budget: not reported yet")


def pull_engagement(engagement: Engagement, which: Which = "both", mode: Mode = "auto") -> list[PullResult]:
    """Pull the session's connections into `engagement`, showing progress; like `workbench pull`."""
    results = []
    files_only = crm_files_only()
    with session_connector() as connector:
        sources: list[Source] = []
        if which in ("both", "xero"):
            sources.append(connector.xero_source())
        if which in ("both", "crm") and not files_only:
            sources.append(connector.crm_source(engagement))
        for source in sources:
            st.write(f"**{source.name}**")
            results.append(pull(engagement, source, mode=mode, progress=PullProgress()))
    st.session_state.pop(PROFILE, None)
    return results


def session_connector() -> Connector:
    """A Connector on the session's connections. On the sandbox it uses this session's own in-process
    sandbox (a Connector alone starts a fresh one), so the invoices a pilot creates there are in Xero
    for the session's next run, as they would be in a real organisation."""
    xero, crm = xero_connection(), crm_connection()
    seed = int(st.session_state.get(SEED, 7))
    if xero.kind != "sandbox" and crm.kind not in ("sandbox", "hubspot-sandbox"):
        return Connector(xero, crm, seed=seed)
    # the demo client is generated for its CRM: a HubSpot client's invoices reference HubSpot deals
    flavour = (seed, "hubspot" if crm.kind == "hubspot-sandbox" else "pipedrive")
    kept = st.session_state.get(SANDBOX)
    if kept is None or kept[0] != flavour:
        from workbench.sandbox.app import Sandbox

        kept = (flavour, Sandbox.demo(seed, crm=flavour[1]))
        st.session_state[SANDBOX] = kept
    return Connector(xero, crm, sandbox=kept[1], seed=seed)


def ensure_demo_pulled() -> None:
    """On a session's first run: an empty demo engagement on the sandbox is pulled at once, so the
    health check is on screen without a click."""
    if st.session_state.get(DEMO_CHECKED) or engagement_name() != DEMO_ENGAGEMENT or not on_sandbox():
        return
    st.session_state[DEMO_CHECKED] = True
    with open_engagement() as engagement:
        if engagement.snapshots():
            return
        with st.status("First start: pulling the sandbox demo client...", expanded=True) as status:
            try:
                results = pull_engagement(engagement)
            except Exception:
                status.update(label="The demo pull stopped", state="error")
                raise
            records = sum(e.records for r in results for e in r.endpoints)
            status.update(label=f"Demo client pulled: {records:,} records", state="complete", expanded=False)


# --- the profile, once per session and snapshot -------------------------------------------------------
def profile_key(engagement: Engagement, as_of: date) -> tuple[Any, ...]:
    snapshots = tuple(info.snapshot_id for info in engagement.snapshots())
    return (str(engagement.root), snapshots, as_of.isoformat())


def health_profile(engagement: Engagement) -> HealthProfile | None:
    """The engagement's health profile, computed once per session and set of snapshots (kept in this
    session's state only: client data is never shared between sessions). None before any pull."""
    if not engagement.snapshots():
        st.info(
            f"Engagement '{engagement.name}' has no data yet: pull it (Pull page) or upload the CRM's "
            "exports (Connect page)."
        )
        return None
    as_of = data_as_of(engagement)
    key = profile_key(engagement, as_of)
    cached = st.session_state.get(PROFILE)
    if cached is not None and cached[0] == key:
        return cast(HealthProfile, cached[1])
    if st.session_state.pop(PROFILE, None) is not None:  # free the old one before building the next
        gc.unfreeze()  # so that what of it only the garbage collector can free is freed
    st.session_state.pop(VIEWS, None)
    with st.status("Profiling the engagement...", expanded=False) as status:
        bar = st.progress(0.0)

        def step(name: str, done: int, total: int) -> None:
            bar.progress(done / total, text=f"{name} ({done}/{total})")

        tables = ProfileTables.from_engagement(engagement, as_of, lazy=True)
        profile = run_profile(tables, progress=step)
        # every table read, and the reader's database connection let go (session state holds none)
        profile = dataclasses.replace(profile, tables=tables.read_all())
        took = sum(profile.seconds.values())
        status.update(label=f"Profiled in {took:.1f} s ({', '.join(STEPS)})", state="complete")
    st.session_state[PROFILE] = (key, profile)
    # the profile lives as long as the session: kept out of every later collection's walk over memory
    gc.freeze()
    return profile


def current_profile() -> HealthProfile | None:
    with open_engagement() as engagement:
        return health_profile(engagement)


def derived(name: str, build: Callable[[], T], depends: Any = None) -> T:
    """`build()` once per session, health profile and `depends` (the filters it reads): the figures
    and tables pages draw from the profile, so that a rerun (every click) redraws them without
    building them again. One value per name is kept: a new `depends` replaces the old one."""
    key = cast(tuple[Any, Any], st.session_state.get(PROFILE, (None, None)))[0]
    views_key, views = st.session_state.get(VIEWS, (None, {}))
    if key is None:
        return build()
    if views_key != key:
        views = {}
        st.session_state[VIEWS] = (key, views)
    found = views.get(name)
    if found is not None and found[0] == depends:
        return cast(T, found[1])
    value = build()
    views[name] = (depends, value)
    return value
