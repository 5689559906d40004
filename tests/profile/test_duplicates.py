from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.profile.demo import PulledDemo, pulled_demo
from workbench.canonical import TABLES
from workbench.profile.duplicates import find_duplicates
from workbench.profile.evaluation import DUPLICATE_KINDS, score_findings
from workbench.profile.tables import ProfileTables

AS_OF = date(2026, 6, 30)


def rows(table: str, *records: dict[str, Any]) -> pd.DataFrame:
    """Canonical rows of `table`, every column not given blank."""
    columns = list(TABLES[table].columns)
    return pd.DataFrame([{c: r.get(c) for c in columns} for r in records], columns=columns)


def when(day: int) -> datetime:
    return datetime(2024, 1, day, 9, tzinfo=UTC)


def client(**frames: pd.DataFrame) -> ProfileTables:
    return ProfileTables(frames, AS_OF)


def org(org_id: str, name: str, **fields: Any) -> dict[str, Any]:
    return {
        "source": "pipedrive",
        "org_id": org_id,
        "name": name,
        "created_at": when(1),
        "is_deleted": False,
        **fields,
    }


def person(person_id: str, name: str, **fields: Any) -> dict[str, Any]:
    first, _, last = name.partition(" ")
    return {
        "source": "pipedrive", "person_id": person_id, "name": name, "first_name": first, "last_name": last,
        "created_at": when(1), "is_deleted": False, **fields,
    }  # fmt: skip


def contact(contact_id: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"contact_id": contact_id, "name": name, "status": "ACTIVE", "updated_at": when(1), **fields}


def by_kind(result: Any, kind: str) -> pd.DataFrame:
    return result.findings[result.findings["kind"] == kind]


# --- organisations ----------------------------------------------------------------------------------
def test_duplicate_organisations_become_one_finding_with_a_survivor() -> None:
    address = {"address": "4 Mill Lane, Leeds LS1 4AB, United Kingdom", "postcode": "LS1 4AB"}
    tables = client(
        organisations=rows(
            "organisations",
            org("10", "Regent Brickwork Ltd", **address, vat_number="GB980780684", created_at=when(3)),
            org("11", "REGENT BRICKWORK LIMITED", **address, xero_contact_id="c-1", created_at=when(5)),
            org("12", "Regent Brrickwork Ltd", **address, created_at=when(9)),
            org("20", "Northern Trust Ltd", postcode="YO1 7HH"),
            org("21", "Southern Trust Ltd", postcode="YO1 7HH"),
        ),
        deals=rows("deals", {"source": "pipedrive", "deal_id": "1", "org_id": "12"}),
    )
    result = find_duplicates(tables)
    found = by_kind(result, "duplicate_organization")
    assert len(found) == 1
    finding = found.iloc[0]
    assert sorted(finding["records"]["organisations"]) == ["10", "11", "12"]
    assert finding["subject_id"] == "11"  # holds the Xero ContactID, before deals and age
    assert finding["severity"] in ("high", "medium")
    assert "Regent Brrickwork Ltd" in finding["explanation"] and "Xero ContactID" in finding["fix"]
    assert finding["evidence"]["pairs"] and "postcode" in finding["evidence"]["pairs"][0]["agreed"]
    cluster = result.clusters.iloc[0]
    assert cluster["survivor"] == "11" and cluster["size"] == 3
    # Northern / Southern Trust share a postcode and most letters: at most a review, never a duplicate
    assert not any("20" in r["organisations"] for r in found["records"])
    review = by_kind(result, "possible_duplicate_organization")
    assert [sorted(r["organisations"]) for r in review["records"]] in ([], [["20", "21"]])


def test_shared_domain_with_a_different_name_is_a_possible_duplicate_only() -> None:
    tables = client(
        organisations=rows(
            "organisations",
            org("1", "Harbour Lights Cafe Ltd", website="https://harbourlights.co.uk"),
            org("2", "Harbour Events Ltd", email_domain="harbourlights.co.uk"),
        )
    )
    result = find_duplicates(tables)
    assert by_kind(result, "duplicate_organization").empty
    review = by_kind(result, "possible_duplicate_organization")
    assert len(review) == 1 and review.iloc[0]["severity"] == "low"
    assert sorted(review.iloc[0]["records"]["organisations"]) == ["1", "2"]
    assert "the same email/web domain" in review.iloc[0]["explanation"]


def test_deleted_organisations_are_not_duplicates() -> None:
    tables = client(
        organisations=rows("organisations", org("1", "Acme Ltd"), org("2", "ACME LIMITED", is_deleted=True))
    )
    assert find_duplicates(tables).findings.empty


# --- people -----------------------------------------------------------------------------------------
def test_duplicate_people_by_email_despite_name_variants() -> None:
    tables = client(
        people=rows(
            "people",
            person("1", "Robert Jones", email="rob.jones@acme.co.uk", org_id="5", phone="0113 496 0000"),
            person("2", "Bob Jones", email="Rob.Jones@ACME.co.uk", org_id="5", created_at=when(8)),
            person("3", "R. Jones", email="rob.jones@acme.co.uk", org_id="5", created_at=when(9)),
            # a colleague on the shared office line and the shared mailbox is someone else
            person("4", "Sarah Patel", email="info@acme.co.uk", org_id="5", phone="0113 496 0000"),
            person("5", "Sarah Patel", email="info@acme.co.uk", org_id="6"),
        ),
        deals=rows("deals", {"source": "pipedrive", "deal_id": "9", "person_id": "2"}),
    )
    result = find_duplicates(tables)
    found = by_kind(result, "duplicate_person")
    assert [sorted(r["people"]) for r in found["records"]] == [["1", "2", "3"]]
    assert found.iloc[0]["subject_id"] == "2"  # has the deal
    # same name, different organisations, only a shared mailbox: at most a review
    assert all("4" not in r["people"] for r in found["records"])


def test_different_middle_initials_are_two_people() -> None:
    office = {"org_id": "7", "phone": "01905 873070"}
    tables = client(
        people=rows(
            "people",
            person("1", "Phoebe R. Dunmore", email="pdunmore@isaacs.co.uk", **office),
            person("2", "Phoebe B. Dunmore", email="phoebeb.dunmore@isaacs.co.uk", **office),
            person("3", "Phoebe Dunmore", email="pdunmore@isaacs.co.uk", **office),
        )
    )
    found = by_kind(find_duplicates(tables), "duplicate_person")
    assert [sorted(r["people"]) for r in found["records"]] == [["1", "3"]]


def test_namesakes_at_different_organisations_are_not_duplicates() -> None:
    tables = client(
        people=rows(
            "people",
            person("1", "John Smith", email="john.smith@acme.co.uk", org_id="1"),
            person("2", "John Smith", email="jsmith@other.co.uk", org_id="2"),
        )
    )
    assert find_duplicates(tables).findings.empty


# --- Xero contacts ----------------------------------------------------------------------------------
def test_xero_near_duplicates_survivor_is_the_active_contact_with_invoices() -> None:
    same = {"email": "accounts@dales.co.uk", "phone": "+44 01522 202786", "postcode": "LN7 8EU"}
    tables = client(
        xero_contacts=rows(
            "xero_contacts",
            contact("a", "Dales Computing Limited", **same, status="ARCHIVED", updated_at=when(20)),
            contact("b", "Dales Computing Ltd.", **same),
            contact("c", "Dales Computing Ltd (old)", **same, merged_to_contact_id="b"),
        ),
        invoices=rows("invoices", {"invoice_id": "i1", "contact_id": "b"}),
    )
    result = find_duplicates(tables)
    found = by_kind(result, "duplicate_contact")
    assert len(found) == 1
    finding = found.iloc[0]
    # the merged-away contact is history, not a duplicate to fix
    assert sorted(finding["records"]["xero_contacts"]) == ["a", "b"]
    assert finding["subject_id"] == "b"
    # the only other member is archived already: a reminder, not an urgent fix
    assert finding["severity"] == "low" and "archived" in finding["explanation"]


def test_branch_records_are_likely_duplicates_with_the_addresses_against_them() -> None:
    shared = {"email": "accounts@acme-hire.co.uk", "phone": "0113 496 0000"}
    tables = client(
        xero_contacts=rows(
            "xero_contacts",
            contact("a", "Acme Hire Ltd - Leeds", **shared, postcode="LS1 4AB", address="1 Park Row"),
            contact("b", "Acme Hire Ltd - York", **shared, postcode="YO1 7HH", address="9 Stonegate"),
        )
    )
    found = by_kind(find_duplicates(tables), "duplicate_contact")
    assert len(found) == 1
    # one mailbox and one phone line: one business; two addresses: perhaps branches kept on purpose
    assert found.iloc[0]["severity"] == "medium"
    assert "the same email address" in found.iloc[0]["explanation"]
    assert "against it: different postcodes" in found.iloc[0]["explanation"]


def test_no_tables_no_findings() -> None:
    result = find_duplicates(client())
    assert result.findings.empty and result.pairs.empty and result.clusters.empty


# --- the demo client --------------------------------------------------------------------------------
def assert_duplicates_found(demo: PulledDemo) -> None:
    scores = {s.kind: s for s in score_findings(find_duplicates(demo.tables).findings, demo.problems)}
    for kind in DUPLICATE_KINDS:
        score = scores[kind]
        assert score.planted > 0
        assert score.recall >= 0.98, (kind, score)
        assert score.precision >= 0.95, (kind, score)


def test_demo_duplicates_recall_and_precision(demo: PulledDemo) -> None:
    assert_duplicates_found(demo)


def test_hubspot_demo_duplicates_recall_and_precision(hubspot_demo: PulledDemo) -> None:
    assert_duplicates_found(hubspot_demo)


@pytest.fixture(scope="module")
def other_demo(tmp_path_factory: pytest.TempPathFactory) -> PulledDemo:
    return pulled_demo(Path(tmp_path_factory.mktemp("demo11")), seed=11, organisations=1000)


def test_other_demo_duplicates_recall_and_precision(other_demo: PulledDemo) -> None:
    assert_duplicates_found(other_demo)
