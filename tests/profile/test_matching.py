from __future__ import annotations

import pandas as pd
import pytest

from tests.profile.demo import PulledDemo
from tests.profile.hygiene_frames import contact, deal, invoice, kinds, org, person, profile
from workbench.profile.evaluation import score_findings
from workbench.profile.matching import (
    KEY_ORDER,
    RECOMMENDATION_COLUMNS,
    MatchResult,
    match_crm_to_xero,
    resolve_stored_contact_ids,
)


def _links(result: MatchResult) -> dict[str, tuple[str, str, str]]:
    """org id -> (contact id, key, assignment)."""
    return {
        o: (c, k, a)
        for o, c, k, a in zip(
            result.links["org_id"],
            result.links["contact_id"],
            result.links["key"],
            result.links["assignment"],
            strict=True,
        )
    }


def _match(**tables: list[dict[str, object]]) -> MatchResult:
    return match_crm_to_xero(profile(**tables))


# --- each key on its own ----------------------------------------------------------------------------
def test_stored_contact_id_links_even_when_nothing_else_agrees() -> None:
    result = _match(
        organisations=[org("1", "Kiln Surveyors", xero_contact_id="c9", postcode="LL1 4WY")],
        xero_contacts=[contact("c9", "K. S. Partnership", postcode="CF10 1EE")],
    )
    assert _links(result) == {"1": ("c9", "stored_contact_id", "one_to_one")}
    assert result.links.loc[0, "band"] == "certain"


def test_vat_number_in_any_spelling_links_different_names() -> None:
    result = _match(
        organisations=[org("1", "Quarmby Education", vat_number="GB 904 1185 55")],
        xero_contacts=[contact("c1", "QES Training Ltd", tax_number="904118555", postcode="BS8 6EL")],
    )
    assert _links(result)["1"][:2] == ("c1", "vat_number")


def test_different_vat_numbers_keep_same_named_companies_apart() -> None:
    result = _match(
        organisations=[org("1", "Harbour Foods Ltd", vat_number="GB904118555")],
        xero_contacts=[contact("c1", "Harbour Foods Limited", tax_number="GB342221893")],
    )
    assert result.links.empty


def test_a_persons_business_email_domain_links_the_org() -> None:
    result = _match(
        organisations=[org("1", "Copper Beech Garden Centre", postcode=None, address="Unit 3")],
        people=[person("p1", "1", "Amy Cole", "amy.cole@copperbeechgarden.co.uk")],
        xero_contacts=[
            contact("c1", "CBGC Trading", email="accounts@copperbeechgarden.co.uk", postcode="HU1 2AA")
        ],
    )
    assert _links(result)["1"][:2] == ("c1", "email_domain")


def test_free_mail_domain_alone_links_nothing_but_the_same_address_does() -> None:
    result = _match(
        organisations=[
            org("1", "Ann Lee Designs", postcode="YO1 7HH"),
            org("2", "Bob Ray Joinery", postcode="YO2 8AB"),
        ],
        people=[
            person("p1", "1", "Ann Lee", "ann.lee@gmail.com"),
            person("p2", "2", "Bob Ray", "bobray@gmail.com"),
        ],
        xero_contacts=[
            contact("c1", "A Lee", email="ann.lee@gmail.com", postcode="M1 1AE"),
            contact("c2", "Carl Smith", email="carl.smith@gmail.com", postcode="M2 2BB"),
        ],
    )
    assert _links(result) == {"1": ("c1", "email", "one_to_one")}


def test_invoices_billing_an_orgs_deals_link_it_to_their_contact() -> None:
    result = _match(
        organisations=[org("1", "Trent Architects", postcode="NG1 1AA")],
        deals=[deal("5", "1"), deal("6", "1")],
        xero_contacts=[contact("c1", "TA Design Partnership", postcode="DE1 1BB")],
        invoices=[invoice("i1", "c1", "PD-5"), invoice("i2", "c1", "PD-6")],
    )
    assert _links(result)["1"][:2] == ("c1", "invoice_reference")
    assert result.links.loc[0, "reference_invoices"] == 2


def test_canonical_name_links_legal_form_and_case_variants() -> None:
    result = _match(
        organisations=[org("1", "ACME (UK) LIMITED"), org("2", "The Vickers Outfitters")],
        xero_contacts=[
            contact("c1", "Acme Ltd."),
            contact("c2", "Vickers Holdings Ltd t/a Vickers Outfitters"),
        ],
    )
    assert _links(result) == {"1": ("c1", "name", "one_to_one"), "2": ("c2", "name", "one_to_one")}


def test_a_typo_needs_the_postcode_beside_it() -> None:
    result = _match(
        organisations=[
            org("1", "Brightwater Plumbing Ltd", postcode="LS6 2AB"),
            org("2", "Stonebridge Joinery Ltd", postcode="LS7 3CD"),
        ],
        xero_contacts=[
            contact("c1", "Brightwatr Plumbing Ltd", postcode="LS6 2AB"),
            contact("c2", "Stonebrige Joinery Ltd", postcode="M1 1AE"),
        ],
    )
    assert _links(result) == {"1": ("c1", "name", "one_to_one")}


def test_northern_and_southern_trust_are_not_linked() -> None:
    result = _match(
        organisations=[org("1", "Northern Trust Ltd")],
        xero_contacts=[contact("c1", "Southern Trust Ltd")],
    )
    assert result.links.empty


def test_same_name_different_legal_form_is_not_enough() -> None:
    result = _match(
        organisations=[org("1", "Jones LLP", postcode="CF10 1EE")],
        xero_contacts=[contact("c1", "Jones Ltd", postcode="NP20 1AA")],
    )
    assert result.links.empty


# --- stored ids that no longer work -----------------------------------------------------------------
def test_stored_id_of_a_merged_contact_follows_the_merge_and_is_reported() -> None:
    tables = profile(
        organisations=[org("1", "Acme Ltd", xero_contact_id="old")],
        xero_contacts=[
            contact("old", "Acme Ltd (old)", status="ARCHIVED", merged_to_contact_id="mid"),
            contact("mid", "Acme Ltd (2)", status="ARCHIVED", merged_to_contact_id="new"),
            contact("new", "Acme Ltd"),
        ],
    )
    resolved = resolve_stored_contact_ids(tables).iloc[0]
    assert (resolved["contact_id"], resolved["state"]) == ("new", "merged")
    result = match_crm_to_xero(tables)
    assert _links(result)["1"][:2] == ("new", "stored_contact_id")
    found = result.findings[result.findings["kind"] == "stored_contact_id_invalid"]
    assert found["subject_id"].tolist() == ["1"] and found.iloc[0]["severity"] == "medium"
    assert "old" not in result.unmatched_xero and "mid" not in result.unmatched_xero


def test_stored_id_of_a_missing_contact_is_reported_and_other_keys_still_match() -> None:
    result = _match(
        organisations=[org("1", "Acme Ltd", xero_contact_id="gone", vat_number="GB904118555")],
        xero_contacts=[contact("c1", "Acme Trading", tax_number="GB904118555")],
    )
    assert _links(result)["1"][:2] == ("c1", "vat_number")
    found = result.findings[result.findings["kind"] == "stored_contact_id_invalid"].iloc[0]
    assert found["severity"] == "high" and "gone" in found["explanation"]


# --- duplicates on either side ----------------------------------------------------------------------
def test_two_xero_contacts_of_one_org_are_one_link_and_one_duplicate() -> None:
    result = _match(
        organisations=[org("1", "Acme Ltd", xero_contact_id="c1")],
        people=[person("p1", "1", "Amy Cole", "amy@acme.co.uk")],
        xero_contacts=[
            contact("c1", "Acme Ltd", email="amy@acme.co.uk"),
            contact("c2", "Acme Limited", email="amy@acme.co.uk"),
        ],
        invoices=[invoice("i1", "c1"), invoice("i2", "c2")],
    )
    rows = result.links.set_index("contact_id")
    assert rows.loc["c1", "assignment"] == "one_to_one"
    assert rows.loc["c2", "assignment"] == "duplicate_contact" and rows.loc["c2", "org_id"] == "1"
    assert result.unmatched_xero == []
    assert kinds(result.findings, "xero_contact_without_crm_org") == []


def test_two_orgs_storing_one_contact_are_one_link_and_one_duplicate() -> None:
    result = _match(
        organisations=[
            org("1", "Acme Ltd", xero_contact_id="c1", website="https://www.acme.co.uk"),
            org("2", "Acme Limited", xero_contact_id="c1"),
        ],
        xero_contacts=[contact("c1", "Acme Ltd", email="accounts@acme.co.uk")],
        deals=[deal("1", "1"), deal("2", "2")],
    )
    assert {o: a for o, (_, _, a) in _links(result).items()} == {"1": "one_to_one", "2": "duplicate_org"}
    assert kinds(result.findings, "crm_org_without_xero_contact") == []


# --- what stays unmatched, and which of it is a problem ---------------------------------------------
def test_unmatched_records_and_which_of_them_are_findings() -> None:
    result = _match(
        organisations=[
            org("1", "Customer With Won Deal", postcode="AB1 1AA"),
            org("2", "Prospect With Open Deal", postcode="AB2 2AA"),
            org("3", "Prospect With Nothing", postcode="AB3 3AA"),
        ],
        deals=[
            deal("10", "1", won="2026-10-01"),
            deal("11", "2", status="open", won=None),
            deal("12", "2", status="lost", won="2026-05-01"),
        ],
        xero_contacts=[
            contact("c1", "Billed Customer Ltd", postcode="M1 1AA"),
            contact("c2", "Paper Supplier Ltd", postcode="M2 2AA", is_customer=False, is_supplier=True),
            contact("c3", "Lapsed Archived Ltd", postcode="M3 3AA", status="ARCHIVED"),
            contact("c4", "Never Billed Ltd", postcode="M4 4AA", is_customer=False),
        ],
        invoices=[
            invoice("i1", "c1", "PO-1"),
            invoice("i2", "c2", type="ACCPAY"),
            invoice("i3", "c3", "PO-3"),
        ],
    )
    assert sorted(result.unmatched_crm) == ["1", "2", "3"]
    assert sorted(result.unmatched_xero) == ["c1", "c2", "c3", "c4"]
    assert kinds(result.findings, "crm_org_without_xero_contact") == ["1"]
    assert kinds(result.findings, "xero_contact_without_crm_org") == ["c1"]
    org_row = result.findings[result.findings["subject_id"] == "1"].iloc[0]
    assert org_row["severity"] == "high" and org_row["records"]["deals"] == ["10"]
    assert "Customer With Won Deal" in org_row["explanation"] and "£1,000.00" in org_row["explanation"]


# --- the key recommendation -------------------------------------------------------------------------
def test_key_recommendation_counts_coverage_and_agreement() -> None:
    result = _match(
        organisations=[
            org("1", "Acme Ltd", xero_contact_id="c1", vat_number="GB904118555"),
            org("2", "Beta Ltd", vat_number="GB342221893"),
            org("3", "Gamma Ltd"),
            org("4", "Delta Ltd", postcode="ZZ9 9ZZ"),
        ],
        xero_contacts=[
            contact("c1", "Acme Ltd", tax_number="GB904118555"),
            contact("c2", "Beta Ltd", tax_number="342221893"),
            contact("c3", "Gamma Ltd", tax_number="GB641088644"),
            contact("c4", "Other Ltd", contact_number="CUS-001"),
        ],
        invoices=[invoice(f"i{n}", f"c{n}") for n in range(1, 5)],
    )
    table = result.key_recommendation.table.set_index("key")
    assert list(result.key_recommendation.table.columns) == RECOMMENDATION_COLUMNS
    assert list(table.index) == list(KEY_ORDER)
    assert table.loc["stored_contact_id", "crm_populated"] == 0.25
    assert (
        table.loc["vat_number", "crm_populated"] == 0.5 and table.loc["vat_number", "xero_populated"] == 0.75
    )
    assert table.loc["vat_number", "comparable_links"] == 2 and table.loc["vat_number", "agreement"] == 1.0
    assert table.loc["stored_contact_id", "links"] == 1 and table.loc["vat_number", "links"] == 1
    assert table.loc["name", "links"] == 1
    text = result.key_recommendation.text
    assert "ContactID" in text and "1 of 4 organisations" in text and "Write back the 2 ContactIDs" in text
    assert "AccountNumber" in text  # ContactNumber already carries the client's own codes
    assert "add a VAT number field" in text


def test_empty_tables_match_nothing() -> None:
    result = match_crm_to_xero(profile())
    assert result.links.empty and result.unmatched_crm == [] and result.findings.empty
    assert len(result.key_recommendation.table) == len(KEY_ORDER)


# --- the demo client --------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["demo", "other_demo", "hubspot_demo"])
def test_demo_links_and_findings(which: str, request: pytest.FixtureRequest) -> None:
    pulled: PulledDemo = request.getfixturevalue(which)
    result = match_crm_to_xero(pulled.tables)
    truth = {(str(t[pulled.org_key]), str(t["xero.contact"])) for t in pulled.manifest["links"]}
    found = set(zip(result.links["org_id"], result.links["contact_id"], strict=True))
    assert len(found & truth) / len(found) >= 0.99
    # every org and contact of a truly linked company is linked (one-to-one or as a duplicate)
    assert {o for o, _ in truth} <= {o for o, _ in found}
    assert {c for _, c in truth} <= {c for _, c in found}
    scores = {s.kind: s for s in score_findings(result.findings, pulled.problems)}
    for kind in ("crm_org_without_xero_contact", "xero_contact_without_crm_org"):
        assert scores[kind].planted > 0
        assert scores[kind].recall >= 0.98, scores[kind]
        assert scores[kind].precision >= 0.95, scores[kind]


def test_demo_without_stored_ids_or_references_still_links(demo: PulledDemo) -> None:
    """The stored ids and invoice references make the demo easy; the natural keys alone must hold up."""
    frames = dict(demo.tables.frames)
    frames["organisations"] = frames["organisations"].assign(xero_contact_id=None)
    frames["invoices"] = frames["invoices"].assign(reference=None)
    tables = type(demo.tables)(frames, demo.tables.as_of)
    result = match_crm_to_xero(tables)
    truth = {(str(t["pipedrive.organization"]), str(t["xero.contact"])) for t in demo.manifest["links"]}
    found = set(zip(result.links["org_id"], result.links["contact_id"], strict=True))
    assert len(found & truth) / len(found) >= 0.98
    assert len(found & truth) / len(truth) >= 0.95
    assert isinstance(result.links, pd.DataFrame)
