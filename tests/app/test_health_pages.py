"""The health pages: findings filtered and downloaded, a duplicate cluster and a VAT finding opened to
their evidence and records, and a failure inside a page shown as a message with safe details."""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import pages._widgets as widgets
from tests.app.conftest import page_problems, rendered_text
from workbench.profile.health import HealthProfile


def _page(profiled_app: Callable[[], AppTest], page: str) -> AppTest:
    return profiled_app().run().switch_page(page).run()


def test_a_duplicate_cluster_opens_to_its_records_side_by_side(
    profiled_app: Callable[[], AppTest], demo_profile: HealthProfile
) -> None:
    at = _page(profiled_app, "pages/duplicates.py")
    cluster = demo_profile.duplicates.clusters.iloc[0]
    at.selectbox(key="cluster_open").select(cluster["cluster_id"]).run()
    assert page_problems(at) == []
    assert any(f"keep **{cluster['survivor']}**" in m.value for m in at.markdown)
    members = [str(m) for m in cluster["members"]]
    side_by_side = next(d.value for d in at.dataframe if list(d.value.columns) == members)
    assert "name" in side_by_side.index
    pair_titles = [e.label for e in at.expander]
    assert any(members[0] in t and members[1] in t and "score" in t for t in pair_titles)


def test_clusters_of_xero_contacts_are_one_click_away(
    profiled_app: Callable[[], AppTest], demo_profile: HealthProfile
) -> None:
    at = _page(profiled_app, "pages/duplicates.py")
    at.radio(key="cluster_table").set_value("xero_contacts").run()
    contacts = demo_profile.duplicates.clusters
    contacts = contacts[contacts["table"] == "xero_contacts"]
    listing = at.dataframe[0].value
    assert list(listing["cluster_id"]) == list(contacts["cluster_id"])


def test_findings_filter_by_kind_and_severity_and_download_as_csv(
    profiled_app: Callable[[], AppTest], demo_profile: HealthProfile
) -> None:
    at = _page(profiled_app, "pages/vat.py")
    vat = demo_profile.vat
    kind = str(vat["kind"].value_counts().index[0])
    at.multiselect(key="vat_kinds").select(kind).run()
    shown = at.dataframe[0].value
    assert len(shown) == int((vat["kind"] == kind).sum()) and set(shown["kind"]) == {kind}
    at.multiselect(key="vat_severities").select("low").run()
    both = vat[(vat["kind"] == kind) & (vat["severity"] == "low")]
    assert len(at.dataframe[0].value) == len(both)
    assert any(f"{len(both):,} of {len(vat):,} findings" == c.value for c in at.caption)

    at.multiselect(key="vat_severities").unselect("low").run()
    download = at.get("download_button")[0]
    assert download.proto.label == "Download these findings (CSV)"


def test_the_findings_csv_holds_the_filtered_rows_with_their_evidence(demo_profile: HealthProfile) -> None:
    from workbench.app_support.findings_view import filter_findings, findings_csv

    chosen = filter_findings(demo_profile.vat, severities=["high"])
    frame = pd.read_csv(io.BytesIO(findings_csv(chosen)), encoding="utf-8-sig")
    assert len(frame) == len(chosen) and set(frame["severity"]) == {"high"}
    assert frame["evidence"].str.startswith("{").all()


def test_a_vat_finding_opens_to_its_evidence_in_money_and_its_records(
    profiled_app: Callable[[], AppTest], demo_profile: HealthProfile
) -> None:
    at = _page(profiled_app, "pages/vat.py")
    vat = demo_profile.vat
    position = int((vat["kind"] == "vat_total_is_deal_value_times_1_2").to_numpy().argmax())
    finding = vat.iloc[position]
    at.selectbox(key="vat_open").select_index(position).run()
    assert page_problems(at) == []
    evidence = next(m.value for m in at.markdown if m.value.startswith("**Evidence**"))
    assert "**Overcharged**: £" in evidence and "pence" not in evidence
    tabs = [t.label for t in at.tabs]
    assert f"invoices ({len(finding['records']['invoices'])})" in tabs
    assert f"deals ({len(finding['records']['deals'])})" in tabs
    deal_id = finding["records"]["deals"][0]
    assert any(list(d.value.columns) == [deal_id] for d in at.dataframe)


def test_matching_shows_coverage_and_the_key_to_store(profiled_app: Callable[[], AppTest]) -> None:
    at = _page(profiled_app, "pages/duplicates.py")
    text = rendered_text(at)
    assert "Make the link permanent by storing the Xero ContactID" in text
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["CRM organisations linked one-to-one"] == "215 of 300"


def test_an_unexpected_failure_is_a_short_message_with_details_but_no_secret(
    profiled_app: Callable[[], AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjFDQUY4RTY2NzcyRDZEQzAyOEQ2NzI2RkQwMjYxNTgxNTcwRUZDMTkifQ"

    def broken(*args: object) -> None:
        raise RuntimeError(f"upstream said: Authorization: Bearer {token}")

    monkeypatch.setattr(widgets, "cluster_explorer", broken)
    at = _page(profiled_app, "pages/duplicates.py")
    assert not at.exception
    assert any(
        "Something unexpected went wrong while showing the Duplicates & matching page" in e.value
        for e in at.error
    )
    assert at.expander[-1].label == "details"
    details = at.code[-1].value
    assert details.startswith("RuntimeError: upstream said: Authorization: [redacted]")
    assert "pages/duplicates.py" in details and "/work/" not in details
    assert token not in rendered_text(at)
