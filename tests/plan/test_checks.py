from __future__ import annotations

from typing import Any

import pytest

from workbench.plan.checks import PlanProblem, check_plan
from workbench.plan.model import (
    Direction,
    FieldMapping,
    InvoiceStatus,
    LineAmountTypes,
    Master,
    MatchKey,
    OnMatch,
    Plan,
    SectionName,
    SignOff,
    TaxBasis,
    TaxRule,
)
from workbench.plan.tenant import TenantCodes


def _with(plan: Plan, section: SectionName, row_id: str, **changes: Any) -> Plan:
    rows = tuple(r.model_copy(update=changes) if r.id == row_id else r for r in plan.section(section))
    return plan.model_copy(update={section: rows})


def _errors(plan: Plan, tenant: TenantCodes) -> list[tuple[str, str | None, str, object]]:
    return [
        (p.section, p.row_id, p.field, p.value) for p in check_plan(plan, tenant) if p.severity == "error"
    ]


def _rule(plan: Plan, value: str) -> TaxRule:
    return next(r for r in plan.tax_rules if r.crm_value == value)


def test_the_proposed_plan_has_no_errors(plan: Plan, tenant: TenantCodes) -> None:
    problems = check_plan(plan, tenant)
    assert [p for p in problems if p.severity == "error"] == []
    # the CRM fields the return flows write do not exist yet: each is a warning naming the field
    created = {p.value for p in problems if p.field == "crm_field"}
    assert {"Xero invoice number", "Amount due", "Outstanding balance"} <= created


@pytest.mark.parametrize(
    ("tax_type", "why"),
    [
        ("VAT20", "'VAT20' is not a tax rate in this Xero organisation"),
        ("CAPEXOUTPUT", "CAPEXOUTPUT (17.5% (VAT on Capital Sales)) is archived in Xero"),
        ("INPUT2", "INPUT2 (20% (VAT on Expenses)) cannot be used on sales"),
    ],
)
def test_tax_types_must_be_active_sales_rates_of_this_tenant(
    plan: Plan, tenant: TenantCodes, tax_type: str, why: str
) -> None:
    widget = _rule(plan, "WIDGET")
    problems = check_plan(_with(plan, "tax_rules", widget.id, tax_type=tax_type), tenant)
    [problem] = [p for p in problems if p.severity == "error"]
    assert (problem.section, problem.row_id, problem.field, problem.value) == (
        "tax_rules",
        widget.id,
        "tax_type",
        tax_type,
    )
    assert problem.why.startswith(why)
    # the message lists what the client can use instead: the tenant's active sales rates only
    assert (
        "OUTPUT2" in problem.why
        and "INPUT2," not in problem.why
        and "CAPEXOUTPUT" not in problem.why.split(":")[-1]
    )


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("999", "there is no account '999'"),
        ("205", "account 205 (Old Sales) is archived"),
        ("400", "account 400 (Advertising) is a OVERHEADS account, not revenue"),
    ],
)
def test_accounts_must_be_active_revenue_accounts(
    plan: Plan, tenant: TenantCodes, code: str, why: str
) -> None:
    book = _rule(plan, "BOOK")
    [problem] = [
        p
        for p in check_plan(_with(plan, "tax_rules", book.id, account_code=code), tenant)
        if p.severity == "error"
    ]
    assert (problem.row_id, problem.field) == (book.id, "account_code") and problem.why.startswith(why)


def test_items_must_exist_and_unsold_items_warn(plan: Plan, tenant: TenantCodes) -> None:
    book = _rule(plan, "BOOK")
    assert _errors(_with(plan, "tax_rules", book.id, item_code="NOPE"), tenant) == [
        ("tax_rules", book.id, "item_code", "NOPE")
    ]
    warned = check_plan(_with(plan, "tax_rules", book.id, item_code="MILEAGE"), tenant)
    assert [(p.field, p.severity) for p in warned if p.row_id == book.id] == [("item_code", "warning")]


def test_a_product_needs_an_account_and_a_tax_type_but_a_treatment_may_defer(
    plan: Plan, tenant: TenantCodes
) -> None:
    widget = _rule(plan, "WIDGET")
    blank = _with(plan, "tax_rules", widget.id, account_code=None, tax_type=None)
    assert _errors(blank, tenant) == [
        ("tax_rules", widget.id, "account_code", None),
        ("tax_rules", widget.id, "tax_type", None),
    ]
    standard = _rule(plan, "Standard rated (20%)")
    assert standard.applies_to is TaxBasis.VAT_TREATMENT and standard.tax_type is None  # the product decides


def test_a_product_mapped_twice_is_an_error(plan: Plan, tenant: TenantCodes) -> None:
    widget = _rule(plan, "WIDGET")
    twice = plan.model_copy(
        update={
            "tax_rules": (*plan.tax_rules, widget.model_copy(update={"id": "T99", "crm_value": "widget"}))
        }
    )
    assert _errors(twice, tenant) == [("tax_rules", "T99", "crm_value", "widget")]


def _field(plan: Plan, crm_field: str) -> FieldMapping:
    return next(f for f in plan.fields if f.crm_field == crm_field)


@pytest.mark.parametrize(
    ("changes", "field", "why"),
    [
        ({"master": Master.XERO}, "master", "CRM → Xero means CRM is the master"),
        ({"direction": Direction.TWO_WAY, "master": None}, "master", "a two-way field needs a master"),
        (
            {"direction": Direction.NOT_SYNCED, "required": True},
            "direction",
            "a required mapping has to be synced",
        ),
        ({"xero_field": "Contact.Nickname"}, "xero_field", "not a Xero field the plan can map"),
        (
            {"xero_field": "Contact.Balances.AccountsReceivable.Outstanding"},
            "direction",
            "Xero sets Contact.Balances",
        ),
        ({"xero_field": None}, "xero_field", "name the Xero field for CRM → Xero"),
    ],
)
def test_field_directions_and_masters_agree(
    plan: Plan, tenant: TenantCodes, changes: dict[str, Any], field: str, why: str
) -> None:
    vat = _field(plan, "VAT number")
    problems = [
        p for p in check_plan(_with(plan, "fields", vat.id, **changes), tenant) if p.severity == "error"
    ]
    assert [(p.row_id, p.field) for p in problems] == [(vat.id, field)]
    assert problems[0].why.startswith(why)


def test_two_crm_fields_writing_one_xero_field_is_an_error(plan: Plan, tenant: TenantCodes) -> None:
    address = _field(plan, "Address")
    clash = _with(plan, "fields", address.id, xero_field="Contact.TaxNumber")
    [(_, row_id, field, value)] = _errors(clash, tenant)
    assert (row_id, field, value) == (_field(plan, "VAT number").id, "xero_field", "Contact.TaxNumber")


def test_xero_computed_objects_cannot_flow_from_the_crm(plan: Plan, tenant: TenantCodes) -> None:
    payments = next(o for o in plan.objects if o.object.value.startswith("Payments"))
    assert _errors(_with(plan, "objects", payments.id, direction=Direction.TWO_WAY), tenant) == [
        ("objects", payments.id, "direction", "Two-way")
    ]
    deals = next(o for o in plan.objects if o.object.value.startswith("Won deal"))
    assert _errors(_with(plan, "objects", deals.id, direction=Direction.XERO_TO_CRM), tenant) == [
        ("objects", deals.id, "direction", "Xero → CRM")
    ]


def test_deal_invoice_defaults_are_checked_and_risky_choices_warn(plan: Plan, tenant: TenantCodes) -> None:
    risky = plan.deal_invoice.model_copy(
        update={
            "default_tax_type": "INPUT2",
            "default_account_code": None,
            "status": InvoiceStatus.AUTHORISED,
            "line_amount_types": LineAmountTypes.NO_TAX,
            "won_after": None,
        }
    )
    problems = check_plan(plan.model_copy(update={"deal_invoice": risky}), tenant)
    found = {(p.field, p.severity) for p in problems if p.section == "deal_invoice"}
    assert found == {
        ("default_account_code", "error"),
        ("default_tax_type", "error"),
        ("status", "warning"),
        ("line_amount_types", "warning"),  # the tenant is VAT registered
        ("won_after", "warning"),  # the flow refuses to run without a cut-off
    }


def test_match_keys_and_sign_off(plan: Plan, tenant: TenantCodes) -> None:
    first, second = plan.match_keys[0], plan.match_keys[1]
    keys = _with(plan, "match_keys", second.id, key=first.key, order=first.order)
    assert _errors(keys, tenant) == [
        ("match_keys", second.id, "key", first.key.value),
        ("match_keys", second.id, "order", 1),
    ]
    similar = next(k for k in plan.match_keys if k.key is MatchKey.SIMILAR_NAME)
    warned = check_plan(_with(plan, "match_keys", similar.id, when_matched=OnMatch.LINK), tenant)
    assert [(p.row_id, p.severity) for p in warned if p.section == "match_keys"] == [(similar.id, "warning")]
    half = plan.model_copy(update={"sign_off": (SignOff(id="S01", role="Finance", name="Jo Bloggs"),)})
    assert _errors(half, tenant) == [("sign_off", "S01", "signed_on", None)]
    assert str(PlanProblem("sign_off", "S01", "signed_on", None, "add the date")) == (
        "error: sign_off S01, signed_on = None: add the date"
    )
