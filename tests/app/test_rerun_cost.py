"""What a rerun (every click) does again: figures and filtered findings are built once per session,
profile and filter; long tables send a bounded number of rows; CSV downloads are written on click."""

from __future__ import annotations

import gc
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import pages._widgets as widgets
from pages._common import PROFILE
from tests.app.conftest import page_problems
from workbench.app_support import charts, findings_view
from workbench.profile.health import HealthProfile
from workbench.route import from_profile


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_rerun_draws_the_same_figures_without_building_them_again(
    profiled_app: Callable[[], AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _counting(monkeypatch, charts, "duplicate_rates_figure")
    at = profiled_app().run().switch_page("pages/duplicates.py").run()
    at.run()
    at.radio(key="cluster_table").set_value("people").run()
    assert page_problems(at) == []
    assert len(built) == 1
    assert len(at.get("plotly_chart")) == 3  # still drawn on every run


def test_filtered_findings_are_built_once_per_filter(
    profiled_app: Callable[[], AppTest], demo_profile: HealthProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    filtered = _counting(monkeypatch, findings_view, "filter_findings")
    written = _counting(monkeypatch, findings_view, "findings_csv")
    at = profiled_app().run().switch_page("pages/vat.py").run()
    at.run()
    assert len(filtered) == 1
    kind = str(demo_profile.vat["kind"].value_counts().index[0])
    at.multiselect(key="vat_kinds").select(kind).run()
    at.run()
    assert len(filtered) == 2
    assert set(at.dataframe[0].value["kind"]) == {kind}
    assert written == []  # the CSV is written when the button is clicked, not on each run


def test_a_long_findings_table_shows_its_first_rows_and_says_so(
    profiled_app: Callable[[], AppTest], demo_profile: HealthProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(widgets, "SHOWN_ROWS", 5)
    at = profiled_app().run().switch_page("pages/vat.py").run()
    assert len(at.dataframe[0].value) == 5
    total = len(demo_profile.vat)
    assert any(c.value.startswith("The first 5 are shown") for c in at.caption)
    assert any(c.value == f"{total:,} of {total:,} findings" for c in at.caption)


def test_a_long_links_table_shows_its_first_rows_with_all_of_them_to_download(
    profiled_app: Callable[[], AppTest], demo_profile: HealthProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(widgets, "SHOWN_ROWS", 7)
    at = profiled_app().run().switch_page("pages/duplicates.py").run()
    links = len(demo_profile.matching.links)
    shown = [
        d.value for d in at.dataframe if list(d.value.columns) == list(demo_profile.matching.links.columns)
    ]
    assert [len(frame) for frame in shown] == [7]
    assert any(c.value == f"The first 7 of {links:,} rows are shown: download them all." for c in at.caption)
    assert "Download as CSV" in [b.proto.label for b in at.get("download_button")]


def test_a_long_cluster_list_shows_its_first_rows_and_every_cluster_can_be_opened(
    profiled_app: Callable[[], AppTest], demo_profile: HealthProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(widgets, "SHOWN_ROWS", 3)
    at = profiled_app().run().switch_page("pages/duplicates.py").run()
    clusters = demo_profile.duplicates.clusters
    organisations = clusters[clusters["table"] == "organisations"]
    assert len(at.dataframe[0].value) == 3
    assert any(c.value.startswith(f"The first 3 of {len(organisations):,} clusters") for c in at.caption)
    assert len(at.selectbox(key="cluster_open").options) == len(organisations)


def test_the_report_page_works_the_default_route_out_once(
    profiled_app: Callable[[], AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    worked_out = _counting(monkeypatch, from_profile, "route_inputs")  # the page imports it on each run
    at = profiled_app().run().switch_page("pages/report.py").run()
    at.run()
    at.checkbox(key="report_redact").check().run()
    assert page_problems(at) == []
    assert len(worked_out) == 1


def test_the_session_profile_is_kept_out_of_garbage_collection_and_holds_no_connection(
    app: Callable[[], AppTest],
) -> None:
    gc.unfreeze()
    try:
        at = app().run().switch_page("pages/duplicates.py").run()
        assert page_problems(at) == []
        assert gc.get_freeze_count() > 0  # a full collection no longer walks the profile's objects
        profile = at.session_state[PROFILE][1]
        assert profile.tables.loader is None and not profile.tables.unread()
    finally:
        gc.unfreeze()


def test_streamlit_runs_no_full_garbage_collection_after_each_run() -> None:
    # on a large engagement that collection was most of every click's time (benchmarks/app.py)
    config = tomllib.loads((Path(__file__).parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
