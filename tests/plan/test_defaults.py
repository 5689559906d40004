from __future__ import annotations

from pathlib import Path

import pytest

from tests.profile.demo import pulled_demo
from workbench.plan.checks import check_plan
from workbench.plan.defaults import propose_plan
from workbench.plan.model import (
    CrmRecord,
    Direction,
    LineAmountTypes,
    Master,
    MatchKey,
    Plan,
    SyncObject,
    TaxBasis,
    TaxDecidedBy,
    UnitAmountFrom,
)
from workbench.plan.tenant import TenantCodes


def test_objects_follow_the_seed_guide(plan: Plan) -> None:
    directions = {o.object: o.direction for o in plan.objects}
    assert directions == {
        SyncObject.CONTACTS: Direction.CRM_TO_XERO,
        SyncObject.DEAL_INVOICE: Direction.CRM_TO_XERO,
        SyncObject.INVOICES: Direction.XERO_TO_CRM,
        SyncObject.PAYMENTS: Direction.XERO_TO_CRM,
        SyncObject.BALANCE: Direction.XERO_TO_CRM,
    }


def test_fields_are_the_ones_in_use_with_custom_fields_by_name(plan: Plan) -> None:
    by_name = {(f.crm_record, f.crm_field): f for f in plan.fields}
    vat = by_name[(CrmRecord.ORGANISATION, "VAT number")]
    assert (vat.xero_field, vat.direction, vat.master, vat.in_use) == (
        "Contact.TaxNumber", Direction.CRM_TO_XERO, Master.CRM, "filled on 1 of 3 organisations"
    )  # fmt: skip
    contact_id = by_name[(CrmRecord.ORGANISATION, "Xero contact ID")]
    assert (contact_id.direction, contact_id.master, contact_id.required) == (
        Direction.XERO_TO_CRM,
        Master.XERO,
        True,
    )
    sector = by_name[(CrmRecord.ORGANISATION, "Sector")]
    assert (sector.direction, sector.xero_field, sector.in_use) == (
        Direction.NOT_SYNCED, None, "filled on 2 of 3 organisations"
    )  # fmt: skip
    treatment = by_name[(CrmRecord.DEAL, "VAT treatment")]
    assert (treatment.object, treatment.xero_field) == (SyncObject.DEAL_INVOICE, "Invoice.LineItems.TaxType")
    # a custom field nobody fills needs no mapping
    assert (CrmRecord.ORGANISATION, "Old code") not in by_name
    assert by_name[(CrmRecord.ORGANISATION, "Name")].required
    assert by_name[(CrmRecord.PERSON, "Email")].xero_field == "Contact.EmailAddress"
    # no custom field is ever named by its hash key
    assert not any(f.crm_field and len(f.crm_field) == 40 for f in plan.fields)


def test_return_flows_write_fields_the_crm_must_create(plan: Plan) -> None:
    back = [
        (f.object, f.crm_field, f.xero_field) for f in plan.fields if f.direction is Direction.XERO_TO_CRM
    ]
    assert (SyncObject.INVOICES, "Xero invoice status", "Invoice.Status") in back
    assert (SyncObject.PAYMENTS, "Amount due", "Invoice.AmountDue") in back
    assert (SyncObject.BALANCE, "Overdue balance", "Contact.Balances.AccountsReceivable.Overdue") in back
    status = next(f for f in plan.fields if f.xero_field == "Invoice.Status")
    assert status.in_use == "to create" and status.master is Master.XERO


def test_deal_invoice_settings_come_from_the_tenants_own_invoices(plan: Plan, crm: str) -> None:
    settings = plan.deal_invoice
    assert settings.contact_id_field == "Xero contact ID"
    assert settings.default_account_code == "200"  # on 5 of 6 sales lines; the bill's 400 is not a sale
    assert settings.default_tax_type == "OUTPUT2"  # 3 of 6 sales lines
    assert settings.due_days == 30  # median of 30, 30, 14 and 30
    assert settings.line_amount_types is LineAmountTypes.EXCLUSIVE  # 4 exclusive deal lines, 1 inclusive
    assert settings.unit_amount_from is UnitAmountFrom.PRODUCTS
    assert settings.tax_decided_by is TaxDecidedBy.TREATMENT_FIRST
    assert settings.status.value == "DRAFT"
    assert settings.evidence["default_tax_type"] == "OUTPUT2 (20% (VAT on Income)) is on 3 of 6 sales lines"
    assert plan.crm == crm
    assert plan.reference_format == {"pipedrive": "PD-<deal id>", "hubspot": "HS-<deal id>"}[crm]


def test_products_take_their_xero_items_codes_with_the_evidence(plan: Plan) -> None:
    products = {r.crm_value: r for r in plan.tax_rules if r.applies_to is TaxBasis.PRODUCT}
    assert set(products) == {"WIDGET", "BOOK", "SERVICE"}
    widget = products["WIDGET"]
    assert (widget.item_code, widget.account_code, widget.tax_type) == ("WIDGET", "200", "OUTPUT2")
    assert widget.evidence.startswith(
        "Xero item WIDGET: 200/OUTPUT2; sales lines 200/OUTPUT2 ×1, 200/DRCHARGE20 ×1"
    )
    assert widget.notes == "1 sales line used another tax type: see the VAT findings"
    assert (products["BOOK"].tax_type, products["BOOK"].notes) == ("ZERORATEDOUTPUT", "")
    # no Xero item: no ItemCode, and the rate comes from the CRM product's 20%
    service = products["SERVICE"]
    assert (service.item_code, service.account_code, service.tax_type) == (None, "200", "OUTPUT2")


def test_vat_treatments_take_what_their_invoices_used(plan: Plan) -> None:
    treatments = {r.crm_value: r.tax_type for r in plan.tax_rules if r.applies_to is TaxBasis.VAT_TREATMENT}
    assert treatments == {
        "Standard rated (20%)": None,  # each product's own rate applies
        "Zero rated": "ZERORATEDOUTPUT",  # deal 12's invoice
        "Domestic reverse charge": "DRCHARGE20",  # deal 11's invoice
        "Exempt": "EXEMPTOUTPUT",  # never invoiced: proposed from the name
    }


def test_match_keys_start_with_the_stored_contact_id_and_drop_unfilled_keys(plan: Plan) -> None:
    keys = [k.key for k in plan.match_keys]
    assert keys[0] is MatchKey.STORED_ID and plan.match_keys[0].crm_coverage == "67%"
    assert MatchKey.COMPANY_NUMBER not in keys  # neither side has a company number
    assert [k.order for k in plan.match_keys] == list(range(1, len(keys) + 1))


@pytest.mark.slow
def test_the_demo_clients_proposed_plan_passes_its_own_checks(tmp_path: Path) -> None:
    demo = pulled_demo(tmp_path)
    plan = propose_plan(demo.tables)
    tenant = TenantCodes.from_tables(demo.tables)
    assert [str(p) for p in check_plan(plan, tenant) if p.severity == "error"] == []
    codes = {r.tax_type for r in plan.tax_rules if r.tax_type}
    assert codes <= set(tenant.revenue_tax_types)
    assert {r.crm_value for r in plan.tax_rules if r.applies_to is TaxBasis.PRODUCT} == set(tenant.products)
