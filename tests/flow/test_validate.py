"""Local validation: each problem Xero would reject a draft for, or book differently, named before a write."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from tests.flow.factories import RUN_DATE, by_deal, flow_plan, flow_tables
from workbench.flow.build import build_drafts
from workbench.flow.candidates import won_deals
from workbench.flow.drafts import ContactChoice, DraftLine, InvoiceDraft
from workbench.flow.validate import invoice_totals, line_amount, line_tax, validate
from workbench.plan.tenant import TenantCodes
from workbench.profile.tables import ProfileTables

D = Decimal
DEAL = "deal 101 'Acme - widgets'"


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> ProfileTables:
    return flow_tables(tmp_path_factory.mktemp("validate"))


@pytest.fixture(scope="module")
def tenant(tables: ProfileTables) -> TenantCodes:
    return TenantCodes.from_tables(tables)


@pytest.fixture(scope="module")
def good(tables: ProfileTables) -> InvoiceDraft:
    plan = flow_plan()
    draft = by_deal(build_drafts(plan, tables, won_deals(tables, plan), run_date=RUN_DATE))["101"]
    assert isinstance(draft, InvoiceDraft)
    return draft


def with_line(draft: InvoiceDraft, position: int, **changes: object) -> InvoiceDraft:
    lines = list(draft.lines)
    lines[position] = replace(lines[position], **changes)  # type: ignore[arg-type]
    return replace(draft, lines=tuple(lines))


def test_xero_s_arithmetic() -> None:
    assert line_amount(D(3), D("19.99")) == D("59.97")
    assert line_amount(D("1.5"), D("0.25")) == D("0.38")  # 0.375, half up
    assert line_amount(D(10), D("8.75"), discount_rate=D(10)) == D("78.75")
    assert line_amount(D(1), D("0.05"), discount_rate=D(10)) == D("0.05")  # 0.045, half up
    assert line_amount(D(2), D(50), discount_amount=D("0.01")) == D("99.99")
    assert line_tax(D("120.00"), D(20), "Inclusive") == D("20.00")
    assert line_tax(D("100.00"), D(20), "Exclusive") == D("20.00")
    assert line_tax(D("10.10"), D(5), "Exclusive") == D("0.51")
    assert line_tax(D("100.00"), D(20), "NoTax") == D("0.00")
    assert line_tax(D("1.00"), D("17.5"), "Exclusive") == D("0.18")  # 0.175
    # tax is rounded line by line and then summed: 3 × 3.81 = 11.43, where 15% of the total would be 11.44
    lines = [(D("25.43"), line_tax(D("25.43"), D(15), "Exclusive"))] * 3
    assert invoice_totals(lines, "Exclusive") == (D("76.29"), D("11.43"), D("87.72"))
    assert invoice_totals([(D("120.00"), D("20.00"))], "Inclusive") == (D("100.00"), D("20.00"), D("120.00"))


def test_a_draft_built_from_the_plan_validates(good: InvoiceDraft, tenant: TenantCodes) -> None:
    assert validate(good, tenant) == ()


def test_tax_types_must_exist_be_active_and_apply_to_sales(good: InvoiceDraft, tenant: TenantCodes) -> None:
    where = f"{DEAL}, line 1 'Widget'"
    fix = "change the tax type on Tax mapping row T01 (product WIDGET)"
    cases = {
        "VAT20": f"{where}: TaxType VAT20 is not a tax rate in this Xero organisation: {fix}",
        "OLDOUTPUT": f"{where}: TaxType OLDOUTPUT is archived in Xero: {fix}",
        "INPUT2": f"{where}: TaxType INPUT2 (20% (VAT on Expenses)) cannot be used on sales: {fix}",
        None: f"{where}: TaxType is blank, so Xero would pick its own: {fix}",
    }
    for tax_type, problem in cases.items():
        problems = validate(with_line(good, 0, tax_type=tax_type), tenant)
        assert problem in problems, (tax_type, problems)
    # with NoTax, Xero ignores the tax type: nothing to check
    no_tax = with_line(good, 0, tax_type="VAT20")
    no_tax = replace(no_tax, line_amount_types="NoTax")
    assert not any("TaxType" in p for p in validate(no_tax, tenant))


def test_accounts_must_exist_be_active_and_take_sales(good: InvoiceDraft, tenant: TenantCodes) -> None:
    at = f"{DEAL}, line 3 'Gadget'"
    fix = "change the account on the Deal to invoice sheet ('Account for unmapped products')"
    cases = {
        "999": f"{at}: AccountCode 999 is not in this Xero chart of accounts: {fix}",
        "205": f"{at}: AccountCode 205 is archived in Xero: {fix}",
        "400": f"{at}: AccountCode 400 (Advertising) is not a sales account (its type is OVERHEADS): {fix}",
        None: f"{at}: AccountCode is blank: {fix}",
    }
    for code, problem in cases.items():
        assert validate(with_line(good, 2, account_code=code), tenant) == (problem,)
    # REVENUE, SALES and OTHERINCOME accounts all take sales
    assert validate(with_line(good, 2, account_code="210"), tenant) == ()


def test_item_codes_must_be_xero_items_that_are_sold(good: InvoiceDraft, tenant: TenantCodes) -> None:
    assert validate(with_line(good, 0, item_code="NOPE"), tenant) == (
        f"{DEAL}, line 1 'Widget': ItemCode NOPE is not a Xero item: change the Xero item code on Tax "
        "mapping row T01 (product WIDGET)",
    )
    assert (
        "ItemCode MILEAGE is not set up as sold in Xero"
        in validate(with_line(good, 0, item_code="MILEAGE"), tenant)[0]
    )


def test_the_currency_must_be_enabled(good: InvoiceDraft, tenant: TenantCodes) -> None:
    assert validate(replace(good, currency="EUR"), tenant) == ()
    assert validate(replace(good, currency="JPY"), tenant) == (
        f"{DEAL}: CurrencyCode JPY is not enabled in this Xero organisation (enabled: EUR, GBP): add JPY "
        "under Settings → Currencies in Xero, or change the deal's currency",
    )
    # the base currency is always there, even when the currencies list was not pulled
    assert validate(good, replace(tenant, currencies=())) == ()


def test_totals_must_be_what_xero_will_compute(good: InvoiceDraft, tenant: TenantCodes) -> None:
    off_by_a_penny = with_line(good, 0, tax_amount=D("12.00"))
    assert validate(off_by_a_penny, tenant) == (
        f"{DEAL}, line 1 'Widget': TaxAmount GBP 12.00 but Xero will compute GBP 11.99 at 20%",
    )
    assert validate(with_line(good, 0, line_amount=D("59.96")), tenant)[0] == (
        f"{DEAL}, line 1 'Widget': LineAmount GBP 59.96 but Xero will compute GBP 59.97"
    )
    assert validate(replace(good, total=D("144.95")), tenant) == (
        f"{DEAL}: Total GBP 144.95 but Xero will compute GBP 144.96",
    )
    assert validate(replace(good, total_tax=D("20.00")), tenant) == (
        f"{DEAL}: TotalTax GBP 20.00 but Xero will compute GBP 19.99",
    )
    # a price with more decimal places than Xero keeps
    sub_penny = with_line(good, 0, unit_amount=D("19.995"), line_amount=D("59.99"), tax_amount=D("12.00"))
    assert any("UnitAmount 19.995 has more than 2 decimal places" in p for p in validate(sub_penny, tenant))


def test_nothing_to_bill_and_no_one_to_bill(good: InvoiceDraft, tenant: TenantCodes) -> None:
    credit = DraftLine("Refund", D(1), D(-10), "200", "OUTPUT2", D("-10.00"), D("-2.00"))
    negative = replace(good, lines=(credit,), subtotal=D("-10.00"), total_tax=D("-2.00"), total=D("-12.00"))
    assert validate(negative, tenant) == (
        f"{DEAL}: the invoice total is GBP -12.00: a sales invoice must be for more than nothing; correct "
        "the deal's value or products in the CRM",
    )
    nobody = replace(good, contact=ContactChoice(matched_by="no contact"))
    assert validate(nobody, tenant) == (
        f"{DEAL}: no Xero contact: the deal needs a contact matched by the plan's match keys, or created",
    )
    bad_email = ContactChoice(
        matched_by="new contact", new_contact={"Name": "Gamma", "EmailAddress": "gamma@"}
    )
    assert validate(replace(good, contact=bad_email), tenant) == (
        f"{DEAL}: new contact EmailAddress 'gamma@' is not an email address Xero accepts: correct it in the "
        "CRM",
    )
    assert validate(replace(good, lines=(), subtotal=D(0), total_tax=D(0), total=D(0)), tenant)[0] == (
        f"{DEAL}: no invoice lines: the deal has no products and no value"
    )
