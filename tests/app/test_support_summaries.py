"""The figures behind the charts agree with the profile they are read from."""

from __future__ import annotations

from workbench.app_support import charts, summaries
from workbench.profile.health import HealthProfile


def test_duplicate_rates_are_copies_over_live_records(demo_profile: HealthProfile) -> None:
    rates = summaries.duplicate_rates(demo_profile).set_index("table")
    clusters = demo_profile.duplicates.findings["kind"].value_counts()
    assert rates.loc["organisations", "clusters"] == clusters["duplicate_organization"]
    live = demo_profile.volumes.counts.set_index("table")["live"]
    for table in ("organisations", "people", "xero_contacts"):
        row = rates.loc[table]
        assert row["live"] == live[table]
        assert row["duplicates"] >= row["clusters"]  # a cluster of n holds n - 1 copies
        assert row["rate"] == round(row["duplicates"] / row["live"], 4)
    figure = charts.duplicate_rates_figure(rates.reset_index())
    assert {trace.name for trace in figure.data} == {"CRM", "Xero"}


def test_match_coverage_accounts_for_every_crm_organisation(demo_profile: HealthProfile) -> None:
    coverage = summaries.match_coverage(demo_profile.matching)
    organisations = len(demo_profile.tables["organisations"])
    assert coverage["organisations"].sum() == organisations
    assert round(coverage["share"].sum(), 2) == 1.0
    not_matched = coverage.set_index("outcome").loc["not matched", "organisations"]
    assert not_matched == len(demo_profile.matching.unmatched_crm)
    linked = coverage[coverage["key"].notna()]
    one_to_one = demo_profile.matching.links["assignment"].eq("one_to_one").sum()
    assert linked["organisations"].sum() == one_to_one
    assert len(charts.match_coverage_figure(coverage).data) == len(coverage)


def test_key_coverage_and_monthly_activity_are_long_form(demo_profile: HealthProfile) -> None:
    keys = summaries.key_coverage(demo_profile.matching)
    assert set(keys["side"]) == {"CRM organisations", "Xero customers"}
    assert len(keys) == 2 * len(demo_profile.matching.key_recommendation.table)
    activity = summaries.monthly_activity(demo_profile.volumes)
    assert set(activity["series"]) == {"deals won", "sales invoices raised"}
    monthly = demo_profile.volumes.monthly
    won = activity[activity["series"] == "deals won"]["count"].sum()
    assert won == monthly["deals_won"].sum()
    assert len(charts.monthly_figure(activity).data) == 2


def test_findings_by_kind_stack_by_severity(demo_profile: HealthProfile) -> None:
    figure = charts.findings_by_kind_figure(demo_profile.vat, "VAT")
    assert {trace.name for trace in figure.data} == set(demo_profile.vat["severity"])
    total = sum(sum(trace.x) for trace in figure.data)
    assert total == len(demo_profile.vat)
