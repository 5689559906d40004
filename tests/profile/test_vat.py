from __future__ import annotations

import random
from decimal import Decimal

import pandas as pd
import pytest
from stdnum.gb import vat as stdnum_gb

from tests.profile.demo import PulledDemo
from tests.profile.vat_frames import Line, VatClient, uk_customer
from workbench.canonical import TABLES
from workbench.profile.evaluation import score_findings
from workbench.profile.findings import FINDING_COLUMNS
from workbench.profile.matching import match_crm_to_xero
from workbench.profile.vat import find_vat_problems
from workbench.profile.vat_money import to_pence, xero_line_tax
from workbench.profile.vat_numbers import _gb_standard_valid, vat_number_problems
from workbench.profile.vat_rates import (
    CHARGED,
    EXEMPT,
    NO_VAT,
    OTHER,
    REVERSE_CHARGE,
    ZERO_RATED,
    tax_rate_table,
)

VAT_KINDS = (
    "vat_total_is_deal_value_times_1_2",
    "vat_total_is_deal_value_divided_by_1_2",
    "zero_rated_domestic_sale",
    "exempt_domestic_sale",
    "standard_rated_eu_b2b_service",
    "invalid_vat_number",
    "reverse_charge_customer",
    "mixed_line_amount_types",
    "rounding_difference",
)


def kinds(findings: pd.DataFrame) -> list[str]:
    return sorted(findings["kind"])


def only(findings: pd.DataFrame, kind: str) -> pd.Series:
    chosen = findings[findings["kind"] == kind]
    assert len(chosen) == 1, findings[["kind", "subject_id", "explanation"]].to_string()
    return chosen.iloc[0]


# --- money and the tenant's rates ---------------------------------------------------------------------
def test_pence_are_exact_and_tax_is_xero_rounding() -> None:
    amounts = pd.Series(
        [Decimal("1234.56"), None, Decimal("0.005"), Decimal("-3.335"), Decimal("99999999.99")]
    )
    assert to_pence(amounts).tolist() == [123456, pd.NA, 1, -334, 9999999999]
    line = pd.Series([1000, 5, 123456, 2], dtype="Int64")
    rate = pd.Series([200_000, 200_000, 200_000, 50_000], dtype="Int64")
    kinds_ = pd.Series(["Exclusive", "Inclusive", "Inclusive", "Exclusive"])
    # 1000p x 20% = 200p; 5p incl. 20% -> 0.833p -> 1p; 123456p incl. -> 20576p; 2p x 5% -> 0.1p -> 0p
    assert xero_line_tax(line, rate, kinds_).tolist() == [200, 1, 20576, 0]
    assert xero_line_tax(line, rate, pd.Series(["NoTax"] * 4)).tolist() == [0, 0, 0, 0]


def test_tax_rates_are_read_from_the_tenant_not_assumed() -> None:
    rates = tax_rate_table(VatClient().tables()["tax_rates"])
    assert rates.loc["OUTPUT2", "treatment"] == CHARGED
    assert rates.loc["ZERORATEDOUTPUT", "treatment"] == ZERO_RATED
    assert rates.loc["EXEMPTOUTPUT", "treatment"] == EXEMPT
    assert rates.loc["NONE", "treatment"] == NO_VAT
    # The reverse charge shows 20% but computes 0%: the customer accounts for the VAT.
    assert rates.loc["DRCHARGE20", "treatment"] == REVERSE_CHARGE
    assert rates.loc["DRCHARGE20", "rate_units"] == 0 and rates.loc["DRCHARGE20", "nominal_units"] == 200_000
    assert not rates.loc["CAPEXOUTPUT", "active"] and not rates.loc["INPUT2", "revenue"]
    # A renamed or user-defined rate is read by what Xero reports it as, then by name.
    custom = pd.DataFrame(
        columns=list(TABLES["tax_rates"].columns),
        data=[
            {"tax_type": "TAX001", "name": "Books (zero rated)", "report_tax_type": None, "display_rate": 0},
            {
                "tax_type": "TAX002",
                "name": "Self-billed acquisitions",
                "display_rate": 20,
                "effective_rate": 0,
            },
        ],
    )
    custom_rates = tax_rate_table(custom)
    assert custom_rates.loc["TAX001", "treatment"] == ZERO_RATED
    assert custom_rates.loc["TAX002", "treatment"] == OTHER


# --- tax codes and stored tax ---------------------------------------------------------------------------
def test_codes_the_tenant_does_not_have_has_retired_or_cannot_use_on_income() -> None:
    client = uk_customer(VatClient())
    client.invoice("1", "c-uk", [Line("Consultancy", "100.00", "TAX999")])
    client.invoice("2", "c-uk", [Line("Old asset sale", "100.00", "CAPEXOUTPUT")], status="DRAFT")
    client.invoice("3", "c-uk", [Line("Consultancy", "100.00", "INPUT2")])
    client.invoice("4", "supplier", [Line("Stationery", "50.00", "INPUT2")], kind="ACCPAY")
    client.invoice("5", "c-uk", [Line("Consultancy", "100.00", "TAX999")], status="VOIDED")
    findings = find_vat_problems(client.tables())
    assert kinds(findings) == ["inactive_tax_type", "non_revenue_tax_type", "unknown_tax_type"]
    unknown = only(findings, "unknown_tax_type")
    assert unknown["subject_id"] == "1" and "TAX999" in unknown["explanation"]
    assert "Acme Widgets Ltd" in unknown["explanation"] and "£100.00" in unknown["explanation"]
    inactive = only(findings, "inactive_tax_type")
    assert inactive["severity"] == "high" and "refuse to approve" in inactive["explanation"]
    assert only(findings, "non_revenue_tax_type")["records"]["invoices"] == ["3"]


def test_without_tax_rates_no_code_is_judged() -> None:
    client = uk_customer(VatClient())
    client.rows["tax_rates"] = []
    client.invoice("1", "c-uk", [Line("Consultancy", "100.00", "TAX999")])
    assert find_vat_problems(client.tables()).empty


def test_stored_tax_is_checked_against_xero_per_line_rounding() -> None:
    client = uk_customer(VatClient())
    client.invoice("1", "c-uk", [Line("Consultancy", "100.00", tax="19.99")])
    # 3 lines at 20% whose VAT rounds per line: correct, however far from VAT on the total
    client.invoice("2", "c-uk", [Line("A", "10.03"), Line("B", "10.03"), Line("C", "10.03")])
    client.invoice("3", "c-uk", [Line("Consultancy", "120.00")], line_amount_types="Inclusive")
    client.invoice("4", "c-uk", [Line("Consultancy", "100.00")], total_tax="25.00")
    findings = find_vat_problems(client.tables())
    wrong = findings[findings["kind"] == "tax_amount_mismatch"]
    assert sorted(wrong["subject_id"]) == ["1", "4"]
    line = wrong[wrong["subject_id"] == "1"].iloc[0]
    assert "£19.99" in line["explanation"] and "£20.00" in line["explanation"]
    assert line["evidence"]["difference_pence"] == -1 and line["severity"] == "low"
    assert "total tax £25.00" in wrong[wrong["subject_id"] == "4"].iloc[0]["explanation"]


# --- zero-rated, exempt and no-VAT sales at home ----------------------------------------------------
def test_zero_rated_and_exempt_sales_of_standard_rated_products_to_uk_customers() -> None:
    client = uk_customer(VatClient()).deal("5", "1000.00", "o-c-uk", title="Acme - consultancy")
    client.invoice("1", "c-uk", [Line("Consultancy", "1000.00", "ZERORATEDOUTPUT", "CONS")], reference="PD-5")
    client.invoice("2", "c-uk", [Line("Consultancy", "400.00", "EXEMPTOUTPUT", "CONS")])
    findings = find_vat_problems(client.tables())
    assert kinds(findings) == ["exempt_domestic_sale", "zero_rated_domestic_sale"]
    zero = only(findings, "zero_rated_domestic_sale")
    assert zero["records"]["deals"] == ["5"] and zero["subject_table"] == "deals"
    assert zero["severity"] == "high" and "CONS defaults to OUTPUT2" in zero["explanation"]
    assert "£200.00 of VAT" in zero["explanation"] and "Acme - consultancy" in zero["explanation"]
    exempt = only(findings, "exempt_domestic_sale")
    assert exempt["subject_table"] == "invoices" and exempt["records"]["invoices"] == ["2"]


def test_legitimate_zero_rating_overseas_sales_and_unregistered_tenants_are_left_alone() -> None:
    client = uk_customer(VatClient())
    client.contact("c-fr", "Dupont SARL", "France", tax_number="FR40303265045")
    # a printed manual is zero-rated by law, and the tenant's item says so
    client.invoice("1", "c-uk", [Line("Printed manual", "24.00", "ZERORATEDOUTPUT")])
    client.invoice("2", "c-fr", [Line("Consultancy", "500.00", "ZERORATEDOUTPUT", "CONS")])
    # mileage on a NoTax invoice: the tenant's own item carries no VAT
    client.invoice("3", "c-uk", [Line("Mileage", "45.00", "NONE", "MILES", "260")], line_amount_types="NoTax")
    assert find_vat_problems(client.tables()).empty
    unregistered = uk_customer(VatClient(pays_vat=False))
    unregistered.invoice(
        "1", "c-uk", [Line("Consultancy", "100.00", "NONE", "CONS")], line_amount_types="NoTax"
    )
    assert find_vat_problems(unregistered.tables()).empty


def test_the_evidence_a_product_is_standard_rated_comes_from_crm_products_and_accounts_too() -> None:
    client = uk_customer(VatClient())
    # DEV is only a CRM product (20%); 'Hosting - March' names nothing but is posted to Sales (20%)
    client.invoice("1", "c-uk", [Line("Development", "950.00", "ZERORATEDOUTPUT")])
    client.invoice("2", "c-uk", [Line("Hosting - March", "60.00", "ZERORATEDOUTPUT")])
    client.invoice("3", "c-uk", [Line("Consultancy - March", "300.00")], line_amount_types="NoTax")
    findings = find_vat_problems(client.tables()).set_index("subject_id")
    assert findings.loc["1", "kind"] == "zero_rated_domestic_sale" and findings.loc["1", "severity"] == "high"
    assert "CRM product DEV carries 20% VAT" in findings.loc["1", "explanation"]
    assert findings.loc["2", "severity"] == "medium" and "account 200" in findings.loc["2", "explanation"]
    assert findings.loc["3", "kind"] == "no_vat_domestic_sale"  # 'Consultancy - March' is item CONS
    assert "on a NoTax invoice where the Xero item CONS" in findings.loc["3", "explanation"]


def test_a_contact_without_an_address_is_placed_by_its_crm_organisation() -> None:
    client = VatClient().contact("c1", "Acme Widgets Ltd", country=None)
    client.org("o1", "Acme Widgets", "c1", country="United Kingdom")
    client.invoice("1", "c1", [Line("Consultancy", "100.00", "ZERORATEDOUTPUT", "CONS")])
    assert kinds(find_vat_problems(client.tables())) == ["zero_rated_domestic_sale"]
    unknown = VatClient().contact("c1", "Acme Widgets Ltd", country=None)
    unknown.invoice("1", "c1", [Line("Consultancy", "100.00", "ZERORATEDOUTPUT", "CONS")])
    assert find_vat_problems(unknown.tables()).empty  # nowhere known: not called a domestic sale


# --- overseas businesses ------------------------------------------------------------------------------
def test_uk_vat_charged_to_an_overseas_business() -> None:
    client = VatClient().contact("c-fr", "Dupont SARL", "France", tax_number="FR40303265045")
    client.org("o-fr", "Dupont", "c-fr", country="France")
    client.invoice("1", "c-fr", [Line("Consultancy", "500.00", item_code="CONS")], currency="EUR")
    client.invoice("2", "c-fr", [Line("Consultancy", "300.00", item_code="CONS")], currency="EUR")
    finding = only(find_vat_problems(client.tables()), "standard_rated_eu_b2b_service")
    assert finding["subject_id"] == "c-fr" and finding["records"]["invoices"] == ["1", "2"]
    assert finding["records"]["organisations"] == ["o-fr"]
    assert "€160.00" in finding["explanation"] and "FR40303265045" in finding["explanation"]


def test_overseas_consumers_and_uk_registered_foreigners_pay_uk_vat() -> None:
    client = VatClient().contact("c-fr", "Marie Dupont", "France")  # no VAT number: a consumer
    client.contact("c-ie", "Dublin Branch", "Ireland", tax_number="GB980780684")
    client.invoice("1", "c-fr", [Line("Consultancy", "500.00", item_code="CONS")])
    client.invoice("2", "c-ie", [Line("Consultancy", "500.00", item_code="CONS")])
    assert find_vat_problems(client.tables()).empty


def test_an_overseas_business_is_known_by_its_vat_prefix_or_its_crm_vat_number() -> None:
    client = VatClient().contact("c-de", "Berlin GmbH", country=None, tax_number="DE136695976")
    client.contact("c-nl", "Utrecht BV", "Netherlands").org(
        "o-nl", "Utrecht", "c-nl", "Netherlands", "NL004495445B01"
    )
    client.invoice("1", "c-de", [Line("Consultancy", "100.00", item_code="CONS")])
    client.invoice("2", "c-nl", [Line("Consultancy", "100.00", item_code="CONS")])
    findings = find_vat_problems(client.tables())
    assert sorted(findings.loc[findings["kind"] == "standard_rated_eu_b2b_service", "subject_id"]) == [
        "c-de",
        "c-nl",
    ]


# --- domestic reverse charge --------------------------------------------------------------------------
def _builders() -> VatClient:
    client = VatClient()
    # the tenant's practice: fit-out days to a VAT-registered builder go under the reverse charge
    client.contact("c-a", "Alpha Builders Ltd", tax_number="GB980780684")
    client.invoice("1", "c-a", [Line("Fit-out day", "480.00", "DRCHARGE20", "FIT")])
    return client


def test_reverse_charge_customer_charged_vat() -> None:
    client = _builders().contact("c-b", "Bravo Ltd", tax_number="GB 361 1236 46", sales_tax_type="DRCHARGE20")
    client.invoice("2", "c-b", [Line("Fit-out day", "960.00", "OUTPUT2", "FIT")])
    finding = only(find_vat_problems(client.tables()), "reverse_charge_customer")
    assert finding["subject_id"] == "c-b" and finding["severity"] == "high"
    assert "default sales tax is DRCHARGE20" in finding["explanation"] and "£192.00" in finding["explanation"]
    assert "DRCHARGE20 (20%)" in finding["fix"] and "end user" in finding["fix"]


def test_how_sure_a_reverse_charge_finding_is_follows_what_says_so() -> None:
    client = _builders()
    client.contact("c-n", "Northern Roofing Ltd", tax_number="GB361123646")  # its name: medium
    client.contact("c-s", "Hale & Co", tax_number="GB361123646").org(
        "o-s", "Hale & Co", "c-s", sector="Construction"
    )
    client.contact("c-x", "Smith & Jones", tax_number="GB361123646")  # nothing else: low
    for n, contact in enumerate(("c-n", "c-s", "c-x"), start=2):
        client.invoice(str(n), contact, [Line("Fit-out day", "480.00", "OUTPUT2", "FIT")])
    findings = find_vat_problems(client.tables()).set_index("subject_id")
    assert findings["kind"].eq("reverse_charge_customer").all()
    assert (
        findings.loc["c-n", "severity"] == "medium"
        and "construction trade" in findings.loc["c-n", "explanation"]
    )
    assert (
        findings.loc["c-s", "severity"] == "medium"
        and "construction sector" in findings.loc["c-s", "explanation"]
    )
    assert findings.loc["c-x", "severity"] == "low"


def test_free_text_reverse_charge_services_are_recognised_by_their_description() -> None:
    client = VatClient().contact("c-a", "Alpha Ltd", tax_number="GB980780684", sales_tax_type="DRCHARGE20")
    client.contact("c-b", "Bravo Ltd", tax_number="GB361123646", sales_tax_type="DRCHARGE20")
    client.invoice("1", "c-a", [Line("Groundworks day", "600.00", "DRCHARGE20")])
    client.invoice("2", "c-b", [Line("Groundworks day", "600.00", "OUTPUT2")])
    finding = only(find_vat_problems(client.tables()), "reverse_charge_customer")
    assert finding["subject_id"] == "c-b" and "Groundworks day" in finding["explanation"]


def test_no_reverse_charge_without_a_vat_number_or_for_other_services() -> None:
    client = _builders()
    client.contact("c-b", "Bravo Builders", sales_tax_type="DRCHARGE20")  # not VAT-registered
    client.contact("c-c", "Charlie Builders Ltd", tax_number="GB361123646", sales_tax_type="DRCHARGE20")
    client.invoice("2", "c-b", [Line("Fit-out day", "480.00", "OUTPUT2", "FIT")])
    client.invoice("3", "c-c", [Line("Consultancy", "750.00", "OUTPUT2", "CONS")])  # not construction work
    assert find_vat_problems(client.tables()).empty


# --- mixed Exclusive / Inclusive -----------------------------------------------------------------------
def test_a_customer_invoiced_both_tax_exclusive_and_tax_inclusive() -> None:
    client = uk_customer(VatClient())
    client.invoice("1", "c-uk", [Line("Consultancy", "100.00")])
    client.invoice("2", "c-uk", [Line("Consultancy", "120.00")], line_amount_types="Inclusive")
    finding = only(find_vat_problems(client.tables()), "mixed_line_amount_types")
    assert finding["records"]["xero_contacts"] == ["c-uk"] and finding["records"]["organisations"] == [
        "o-c-uk"
    ]
    assert "1 tax-exclusive (INV-1)" in finding["explanation"]


def test_notax_and_voided_invoices_do_not_make_a_customer_mixed() -> None:
    client = uk_customer(VatClient())
    client.invoice("1", "c-uk", [Line("Consultancy", "100.00")])
    client.invoice("2", "c-uk", [Line("Mileage", "45.00", "NONE", "MILES", "260")], line_amount_types="NoTax")
    client.invoice(
        "3", "c-uk", [Line("Consultancy", "120.00")], line_amount_types="Inclusive", status="VOIDED"
    )
    assert find_vat_problems(client.tables()).empty


# --- deal value against the invoice ------------------------------------------------------------------
def _gross_tenant() -> VatClient:
    """Deals whose values include VAT and whose invoices agree (value = invoice total)."""
    client = uk_customer(VatClient())
    for n in range(1, 4):
        client.deal(f"10{n}", "120.00", "o-c-uk").invoice(
            f"10{n}", "c-uk", [Line("Consultancy", "100.00", item_code="CONS")], reference=f"PD-10{n}"
        )
    return client


def test_vat_added_to_a_value_that_already_included_it() -> None:
    client = _gross_tenant().deal("7", "1200.00", "o-c-uk", title="Acme - workshop")
    client.invoice("7", "c-uk", [Line("Acme - workshop", "1200.00")], reference="PD-7")
    finding = only(find_vat_problems(client.tables()), "vat_total_is_deal_value_times_1_2")
    assert finding["subject_id"] == "7" and finding["records"]["invoices"] == ["7"]
    assert "£1,440.00" in finding["explanation"] and "overcharged £240.00" in finding["explanation"]


def test_vat_taken_out_and_then_invoiced_as_inclusive() -> None:
    client = _gross_tenant().deal("8", "1200.00", "o-c-uk")
    client.invoice(
        "8", "c-uk", [Line("Workshop", "1000.00")], line_amount_types="Inclusive", reference="PD-8"
    )
    finding = only(find_vat_problems(client.tables()), "vat_total_is_deal_value_divided_by_1_2")
    assert "£200.00 less than agreed" in finding["explanation"]


def test_per_line_rounding_against_vat_on_the_total() -> None:
    # three lines of 10.03: VAT per line 3 x 2.01 = 6.03, on the total round(30.09 x 0.2) = 6.02
    client = _gross_tenant().deal("9", "36.11", "o-c-uk")
    client.invoice(
        "9", "c-uk", [Line("A", "10.03"), Line("B", "10.03"), Line("C", "10.03")], reference="PD-9"
    )
    finding = only(find_vat_problems(client.tables()), "rounding_difference")
    assert finding["severity"] == "low" and finding["evidence"]["vat_on_total_matches"]
    assert "£0.01 more" in finding["explanation"]


def test_instalments_discounts_credit_notes_and_price_changes_are_not_vat_errors() -> None:
    client = _gross_tenant()
    # 12 monthly instalments of 83.33 + 16.67 VAT, 10 billed so far: 1,000.00 = the value / 1.2
    client.deal("12", "1200.00", "o-c-uk")
    for month in range(1, 11):
        client.invoice(
            f"12-{month}", "c-uk", [Line("Support - month", "83.33")], reference=f"PD-12/{month:02d}"
        )
    # a negotiated discount after the deal was won: a real price change
    client.deal("13", "1200.00", "o-c-uk").invoice(
        "13", "c-uk", [Line("Workshop", "950.00")], reference="PD-13"
    )
    # VAT added twice, already put right by a credit note of the excess
    client.deal("14", "1200.00", "o-c-uk")
    client.invoice("14", "c-uk", [Line("Workshop", "1200.00")], reference="PD-14", credited="240.00")
    assert find_vat_problems(client.tables()).empty


def test_a_deal_invoiced_in_another_currency() -> None:
    client = _gross_tenant().deal("15", "1200.00", "o-c-uk", currency="EUR")
    client.invoice("15", "c-uk", [Line("Workshop", "1200.00")], reference="PD-15")
    assert kinds(find_vat_problems(client.tables())) == ["currency_mismatch"]


def test_where_deal_values_exclude_vat_value_plus_vat_is_right() -> None:
    client = uk_customer(VatClient())
    for n in range(1, 4):  # this CRM's values are net: invoice subtotal = value
        client.deal(f"{n}", "100.00", "o-c-uk").invoice(
            f"{n}", "c-uk", [Line("Consultancy", "100.00")], reference=f"PD-{n}"
        )
    assert find_vat_problems(client.tables()).empty


# --- VAT numbers ---------------------------------------------------------------------------------------
def test_vat_numbers_that_fail_their_check_digits() -> None:
    client = VatClient()
    client.org("o1", "Good Spacing Ltd", vat_number="GB 980 7806 84")
    client.org("o2", "Typo Ltd", vat_number="GB980780685")
    client.org("o3", "Branch Ltd", vat_number="980780684001")
    client.org("o4", "Not Registered Ltd", vat_number="n/a")
    client.contact("c1", "Short Ltd", tax_number="GB98078068")
    client.contact("c2", "Berlin GmbH", "Germany", tax_number="DE136695978")
    client.contact("c3", "Austin Inc", "United States", tax_number="12-3456789")  # an EIN: not checked
    client.contact("c4", "Health Board", tax_number="GBHA500")
    client.contact("c5", "Slip Ltd", tax_number="UK980780684")
    findings = find_vat_problems(client.tables())
    invalid = findings[findings["kind"] == "invalid_vat_number"].set_index("subject_id")
    assert sorted(invalid.index) == ["c1", "c2", "c5", "o2"]
    assert "prefix GB" in invalid.loc["c5", "explanation"]
    assert (
        invalid.loc["o2", "subject_table"] == "organisations"
        and "check digits" in invalid.loc["o2", "explanation"]
    )
    assert "wrong number of digits" in invalid.loc["c1", "explanation"]
    assert invalid.loc["c1", "records"] == {"xero_contacts": ["c1"]}


def test_the_vectorised_gb_check_agrees_with_stdnum() -> None:
    rng = random.Random(5)
    numbers = [f"{rng.randrange(10**9):09d}" for _ in range(3000)] + ["980780684", "100000000", "001000000"]
    numbers += [f"{n}{rng.randrange(1000):03d}" for n in numbers[:300]]
    ours = _gb_standard_valid(pd.Series(numbers, dtype=object)).tolist()
    assert ours == [stdnum_gb.is_valid(n) for n in numbers]
    assert any(ours) and not all(ours)
    reasons = vat_number_problems(pd.Series(["GB980780684", "980780685", None]), pd.Series([None] * 3))
    assert reasons.isna().tolist() == [True, False, True]


def test_linked_records_with_two_different_valid_numbers() -> None:
    client = VatClient()
    client.contact("c1", "Acme Ltd", tax_number="GB 980 7806 84").org(
        "o1", "Acme", "c1", vat_number="980780684"
    )
    client.contact("c2", "Beta Ltd", tax_number="GB361123646").org(
        "o2", "Beta", "c2", vat_number="GB980780684"
    )
    findings = find_vat_problems(client.tables())
    finding = only(findings, "vat_number_differs")
    assert finding["records"] == {"organisations": ["o2"], "xero_contacts": ["c2"]}
    # the link table, when given, is what says which records are the same company
    links = pd.DataFrame({"org_id": ["o2"], "contact_id": ["c1"], "key": ["name"]})
    assert find_vat_problems(client.tables(), links).empty


def test_a_clean_client_has_no_findings_and_the_columns_hold() -> None:
    findings = find_vat_problems(_gross_tenant().tables())
    assert findings.empty and list(findings.columns) == list(FINDING_COLUMNS)
    assert find_vat_problems(VatClient().tables()).empty


# --- the demo client -----------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["demo", "other_demo", "hubspot_demo"])
@pytest.mark.parametrize("linked", [False, True])
def test_demo_recall_and_precision(which: str, linked: bool, request: pytest.FixtureRequest) -> None:
    pulled: PulledDemo = request.getfixturevalue(which)
    links = match_crm_to_xero(pulled.tables).links if linked else None
    findings = find_vat_problems(pulled.tables, links)
    scores = {s.kind: s for s in score_findings(findings, pulled.problems)}
    for kind in VAT_KINDS:
        score = scores[kind]
        assert score.planted > 0, kind
        assert score.recall >= 0.98, (kind, score)
        assert score.precision >= 0.95, (kind, score)
    assert findings["explanation"].str.len().gt(40).all() and findings["fix"].str.len().gt(40).all()
    assert not findings["kind"].isin(["tax_amount_mismatch", "unknown_tax_type", "currency_mismatch"]).any()
