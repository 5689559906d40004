from __future__ import annotations

import pandas as pd
import pytest

from tests.profile.demo import PulledDemo
from tests.profile.hygiene_frames import contact, deal, invoice, kinds, org, person, profile
from workbench.profile.evaluation import score_findings
from workbench.profile.findings import FINDING_COLUMNS
from workbench.profile.hygiene import WON_INVOICE_GRACE_DAYS, find_hygiene_problems
from workbench.profile.matching import match_crm_to_xero

HYGIENE_KINDS = (
    "won_deal_not_invoiced",
    "invoice_reference_without_deal",
    "deal_invoiced_twice",
    "archived_contact_with_open_deal",
    "overdue_customer_with_open_deal",
    "missing_email",
    "missing_address",
)


def _acme(**contact_fields: object) -> dict[str, list[dict[str, object]]]:
    """One linked customer (org 1 stores Xero contact c1) billed for deal 1 under PD-1."""
    return {
        "organisations": [org("1", "Acme Ltd", xero_contact_id="c1")],
        "xero_contacts": [contact("c1", "Acme Ltd", **contact_fields)],
        "deals": [deal("1", "1", won="2026-06-01")],
        "invoices": [invoice("i1", "c1", "PD-1", date="2026-06-02")],
    }


# --- won_deal_not_invoiced --------------------------------------------------------------------------
def test_won_deal_without_invoice_is_found_after_the_grace_period() -> None:
    base = _acme()
    base["deals"] += [
        deal("2", "1", won="2026-10-01"),  # 50 days: forgotten
        deal("3", "1", won="2026-11-15"),  # 5 days: inside the billing cycle
        deal("4", "1", status="lost", won="2026-10-01"),
        deal("5", "1", won="2026-10-01", value="0"),  # nothing to bill
    ]
    findings = find_hygiene_problems(profile(**base))
    assert kinds(findings, "won_deal_not_invoiced") == ["2"]
    row = findings[findings["kind"] == "won_deal_not_invoiced"].iloc[0]
    assert row["severity"] == "high"
    assert (
        "PD-2" in row["explanation"]
        and "£1,000.00" in row["explanation"]
        and "Acme Ltd" in row["explanation"]
    )
    assert row["records"]["xero_contacts"] == ["c1"]
    assert row["evidence"]["days_since_won"] == 50


def test_grace_period_edge() -> None:
    base = _acme()
    base["deals"] += [deal("2", "1", won="2026-11-06"), deal("3", "1", won="2026-11-07")]
    assert WON_INVOICE_GRACE_DAYS == 14
    assert kinds(find_hygiene_problems(profile(**base)), "won_deal_not_invoiced") == ["2"]


def test_voided_invoice_does_not_count_but_an_instalment_does() -> None:
    base = _acme()
    base["deals"] += [deal("2", "1", won="2026-10-01"), deal("3", "1", won="2026-10-01")]
    base["invoices"] += [
        invoice("i2", "c1", "PD-2", status="VOIDED"),
        invoice("i3", "c1", "PD-3/01", status="AUTHORISED"),
    ]
    assert kinds(find_hygiene_problems(profile(**base)), "won_deal_not_invoiced") == ["2"]


def test_deals_won_before_the_reference_convention_are_not_judged() -> None:
    base = _acme()  # the first invoice quoting a deal is dated 2 Jun 2026
    base["deals"] += [deal("2", "1", won="2026-05-01"), deal("3", "1", won="2026-05-25")]
    assert kinds(find_hygiene_problems(profile(**base)), "won_deal_not_invoiced") == ["3"]


def test_no_reference_convention_gives_one_finding_not_one_per_deal() -> None:
    base = _acme()
    base["invoices"] = [invoice("i1", "c1", "PO-4471")]
    findings = find_hygiene_problems(profile(**base))
    assert kinds(findings, "won_deal_not_invoiced") == []
    assert len(findings[findings["kind"] == "invoices_do_not_reference_deals"]) == 1


def test_won_deal_of_an_org_without_contact_says_so() -> None:
    base = _acme()
    base["organisations"].append(org("2", "Brightwater Plumbing"))
    base["deals"].append(deal("7", "2", won="2026-09-01"))
    row = find_hygiene_problems(profile(**base)).set_index("subject_id").loc["7"]
    assert "no Xero contact" in row["explanation"] and "Create (or link)" in row["fix"]


# --- invoice_reference_without_deal -----------------------------------------------------------------
def test_reference_to_a_missing_or_deleted_deal() -> None:
    base = _acme()
    base["deals"].append(deal("8", "1", is_deleted=True))
    base["invoices"] += [
        invoice("i2", "c1", "PD-999"),
        invoice("i3", "c1", "PD-8"),
        invoice("i4", "c1", "PD-998", status="VOIDED"),  # cancelled: bills nothing
        invoice("i5", "c1", "PO-998"),  # not a deal reference
        invoice("i6", "c1", "HS-5"),  # a CRM that was never pulled
    ]
    findings = find_hygiene_problems(profile(**base))
    assert kinds(findings, "invoice_reference_without_deal") == ["i2", "i3"]
    by_id = findings.set_index("subject_id")
    assert "does not exist" in by_id.loc["i2", "explanation"] and "'PD-999'" in by_id.loc["i2", "explanation"]
    assert "deleted deal" in by_id.loc["i3", "explanation"]


# --- deal_invoiced_twice ----------------------------------------------------------------------------
def test_deal_invoiced_twice_but_not_a_schedule_or_a_voided_retry() -> None:
    base = _acme()
    base["deals"] += [deal(d, "1", won="2026-07-01") for d in ("2", "3", "4", "5", "6")]
    base["invoices"] += [
        invoice("a1", "c1", "PD-2"),
        invoice("a2", "c1", "PD-2", status="AUTHORISED", date="2026-07-20"),  # twice
        invoice("b1", "c1", "PD-3/01"),
        invoice("b2", "c1", "PD-3/02"),  # a schedule
        invoice("c1x", "c1", "PD-4", status="VOIDED"),
        invoice("c2", "c1", "PD-4"),  # re-issued after a void
        invoice("d1", "c1", "PD-5/03"),
        invoice("d2", "c1", "PD-5/03", status="DRAFT"),  # one instalment twice
        invoice("e1", "c1", "PD-6", amount_credited="1200.00"),  # fully credited
        invoice("e2", "c1", "PD-6"),
    ]
    findings = find_hygiene_problems(profile(**base))
    assert kinds(findings, "deal_invoiced_twice") == ["2", "5"]
    row = findings.set_index("subject_id").loc["2"]
    assert sorted(row["records"]["invoices"]) == ["a1", "a2"]
    assert "INV-a1" in row["explanation"] and "INV-a2" in row["explanation"]
    assert row["severity"] == "high"


# --- customers still being sold to ------------------------------------------------------------------
def test_archived_contact_with_open_deal() -> None:
    base = _acme(status="ARCHIVED")
    base["organisations"] += [
        org("2", "Beta Ltd", xero_contact_id="c2"),
        org("3", "Gamma Ltd", xero_contact_id="c3"),
    ]
    base["xero_contacts"] += [contact("c2", "Beta Ltd"), contact("c3", "Gamma Ltd", status="ARCHIVED")]
    base["deals"] += [
        deal("20", "1", status="open", won=None),
        deal("21", "2", status="open", won=None),  # active contact: fine
        deal("22", "3", status="lost", won="2026-01-01"),  # archived, nothing open: fine
    ]
    findings = find_hygiene_problems(profile(**base))
    assert kinds(findings, "archived_contact_with_open_deal") == ["c1"]
    row = findings[findings["kind"] == "archived_contact_with_open_deal"].iloc[0]
    assert row["records"]["deals"] == ["20"] and row["records"]["organisations"] == ["1"]


def test_links_from_the_matcher_replace_the_stored_ids() -> None:
    base = _acme(status="ARCHIVED")
    base["organisations"] = [org("1", "Acme Ltd")]  # no stored ContactID
    base["deals"].append(deal("20", "1", status="open", won=None))
    tables = profile(**base)
    assert kinds(find_hygiene_problems(tables), "archived_contact_with_open_deal") == []
    links = pd.DataFrame({"source": ["pipedrive"], "org_id": ["1"], "contact_id": ["c1"]})
    assert kinds(find_hygiene_problems(tables, links), "archived_contact_with_open_deal") == ["c1"]


def test_overdue_customer_with_open_deal() -> None:
    base = _acme()
    base["organisations"] += [org(o, f"Org {o}", xero_contact_id=f"c{o}") for o in "23456"]
    base["xero_contacts"] += [contact(f"c{o}", f"Org {o}") for o in "23456"]
    overdue = {"status": "AUTHORISED", "amount_due": "1200.00", "amount_paid": "0.00"}
    base["invoices"] += [
        invoice("o1", "c1", "PO-1", due_date="2026-11-19", **overdue),  # a day late: overdue
        invoice("o2", "c2", "PO-2", due_date="2026-11-20", **overdue),  # due today: not yet
        invoice("o3", "c3", "PO-3", due_date="2026-10-01", **{**overdue, "status": "DRAFT"}),  # not sent
        invoice("o4", "c4", "PO-4", due_date="2026-10-01", **{**overdue, "amount_due": "0.00"}),
        invoice("o5", "c5", "PO-5", due_date="2026-10-01", **overdue),  # overdue, but nothing open
        invoice("o6", "c6", "PO-6", due_date="2026-10-01", **overdue),
    ]
    base["deals"] += [deal(f"3{o}", o, status="open", won=None) for o in "1234"]
    base["deals"].append(deal("35", "5", status="lost", won="2026-10-01"))
    base["deals"].append(deal("37", "6", status="open", won=None, is_deleted=True))
    findings = find_hygiene_problems(profile(**base))
    assert kinds(findings, "overdue_customer_with_open_deal") == ["c1"]
    row = findings[findings["kind"] == "overdue_customer_with_open_deal"].iloc[0]
    assert "£1,200.00" in row["explanation"] and "INV-o1" in row["explanation"]
    assert row["records"]["invoices"] == ["o1"] and row["evidence"]["oldest_days_overdue"] == 1


# --- what a sync needs on each record ---------------------------------------------------------------
def test_missing_email() -> None:
    base = _acme()
    base["people"] = [
        person("p1", "1", "Ann Lee"),  # nothing at all
        person("p2", "1", "Bob Ray", email=None, emails=["bob@acme.co.uk"]),  # listed email only
        person("p3", "1", "Cat Day", email="cat@acme.co.uk"),
    ]
    base["xero_contacts"] += [
        contact("c2", "Quiet Customer Ltd", email=None),
        contact("c3", "Old Customer Ltd", email=None, status="ARCHIVED"),
        contact("c4", "Paper Supplies Ltd", email="  ", is_customer=False, is_supplier=True),
    ]
    base["invoices"].append(invoice("i2", "c2"))
    findings = find_hygiene_problems(profile(**base))
    assert kinds(findings, "missing_email") == ["c2", "c4", "p1"]
    by_id = findings[findings["kind"] == "missing_email"].set_index("subject_id")
    assert by_id.loc["c2", "severity"] == "high" and by_id.loc["c4", "severity"] == "low"
    assert by_id.loc["p1", "subject_table"] == "people"


def test_missing_address_and_country() -> None:
    base = _acme()
    base["organisations"] += [
        org("2", "No Address Ltd", address=None, postcode=None, city="York", country=None),
        org("3", "Postcode Only Ltd", address=None, postcode="YO1 7HH"),
        org("4", "Nowhere Ltd", country=" "),
    ]
    base["xero_contacts"] += [
        contact("c2", "Blank Ltd", address=None, city=None, postcode=None, country=None),
        contact("c3", "Gone Ltd", address=None, postcode=None, status="ARCHIVED"),
        contact("c4", "Abroad Ltd", country=None),
    ]
    findings = find_hygiene_problems(profile(**base))
    assert kinds(findings, "missing_address") == ["2", "c2"]
    assert kinds(findings, "missing_country") == ["4", "c4"]
    row = findings[(findings["kind"] == "missing_address") & (findings["subject_id"] == "c2")].iloc[0]
    assert row["severity"] == "high" and "full VAT invoice" in row["explanation"]


def test_clean_client_has_no_findings_and_the_columns_hold() -> None:
    findings = find_hygiene_problems(profile(**_acme()))
    assert findings.empty and list(findings.columns) == list(FINDING_COLUMNS)
    assert find_hygiene_problems(profile()).empty


# --- the demo client --------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["demo", "other_demo", "hubspot_demo"])
def test_demo_recall_and_precision(which: str, request: pytest.FixtureRequest) -> None:
    pulled: PulledDemo = request.getfixturevalue(which)
    links = match_crm_to_xero(pulled.tables).links
    findings = find_hygiene_problems(pulled.tables, links)
    scores = {s.kind: s for s in score_findings(findings, pulled.problems)}
    for kind in HYGIENE_KINDS:
        score = scores[kind]
        assert score.planted > 0, kind
        assert score.recall >= 0.98, (kind, score)
        assert score.precision >= 0.95, (kind, score)
    assert findings["explanation"].str.len().gt(20).all() and findings["fix"].str.len().gt(20).all()


def test_an_archived_duplicate_of_an_active_contact_is_not_reported() -> None:
    base = _acme()
    base["organisations"] = [org("1", "Acme Ltd")]
    base["xero_contacts"].append(contact("c2", "Acme Limited (old)", status="ARCHIVED"))
    base["deals"].append(deal("20", "1", status="open", won=None))
    links = pd.DataFrame(
        {
            "source": ["pipedrive", "pipedrive"],
            "org_id": ["1", "1"],
            "contact_id": ["c1", "c2"],
            "assignment": ["one_to_one", "duplicate_contact"],
        }
    )
    tables = profile(**base)
    assert kinds(find_hygiene_problems(tables, links), "archived_contact_with_open_deal") == []
    primary_archived = links.assign(contact_id=["c2", "c1"])
    assert kinds(find_hygiene_problems(tables, primary_archived), "archived_contact_with_open_deal") == ["c2"]
