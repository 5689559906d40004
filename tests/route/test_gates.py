"""Each hard gate of routes-and-vat §6.2: when it applies, the evidence it quotes, and what it rules out."""

from __future__ import annotations

from decimal import Decimal

from tests.route.factories import answers, tax, volumes
from workbench.route.decision import RouteRecommendation, recommend


def gate(rec: RouteRecommendation, name: str):
    return next(g for g in rec.gates if g.gate == name)


def test_every_gate_is_reported_whether_or_not_it_applies() -> None:
    rec = recommend(answers(crm="hubspot"), volumes())
    assert [g.gate for g in rec.gates] == [
        "pipedrive_native_unavailable",
        "xero_by_xero_retired",
        "hubspot_custom_fields_need_ops_hub",
        "hubspot_invoice_edit_lock",
        "salesforce_write_back",
        "salesforce_api_addon",
        "xero_api_headroom",
        "xero_invoice_volume_advisory",
        "line_level_tax",
        "currencies_beyond_connector",
    ]
    assert not any(g.applies for g in rec.gates)
    assert rec.route == "native"


def test_pipedrive_native_app_is_closed_so_route_one_is_a_marketplace_app() -> None:
    marketplace = recommend(answers(crm="pipedrive"), volumes())
    assert gate(marketplace, "pipedrive_native_unavailable").applies
    assert marketplace.split["contacts"] == "native"  # Cloudify carries it
    own_app = recommend(answers(crm="pipedrive", connector="pipedrive_native"), volumes())
    assert gate(own_app, "pipedrive_native_unavailable").excludes == {
        "contacts": ["native"],
        "deal_to_invoice": ["native"],
        "invoice_status": ["native"],
    }
    assert "native" not in own_app.split.values()


def test_xero_by_xero_is_retired() -> None:
    rec = recommend(answers(crm="hubspot", uses_xero_by_xero=True, connector="xero_by_xero"), volumes())
    assert gate(rec, "xero_by_xero_retired").applies
    assert "native" not in rec.split.values()
    assert "13 Mar 2026" in gate(rec, "xero_by_xero_retired").title


def test_hubspot_custom_fields_need_operations_hub() -> None:
    without = recommend(answers(crm="hubspot", custom_fields_to_xero=3), volumes())
    g = gate(without, "hubspot_custom_fields_need_ops_hub")
    assert g.applies and "3 custom field(s) must reach Xero" in g.evidence
    assert without.split["contacts"] == without.split["deal_to_invoice"] == "middleware"
    assert without.split["invoice_status"] == "native"  # carries no custom fields
    with_hub = recommend(
        answers(crm="hubspot", custom_fields_to_xero=3, hubspot_operations_hub=True), volumes()
    )
    assert not gate(with_hub, "hubspot_custom_fields_need_ops_hub").applies
    assert with_hub.route == "native"


def test_hubspot_invoices_edited_in_xero_break_the_native_invoice_sync() -> None:
    rec = recommend(answers(crm="hubspot", invoices_edited_in_xero=True), volumes())
    assert gate(rec, "hubspot_invoice_edit_lock").applies
    assert rec.split == {"contacts": "native", "deal_to_invoice": "middleware", "invoice_status": "native"}


def test_salesforce_write_back_rules_out_breadwinner() -> None:
    rec = recommend(
        answers(crm="salesforce", salesforce_edition="enterprise", salesforce_write_back=True), volumes()
    )
    assert gate(rec, "salesforce_write_back").applies
    assert set(rec.split.values()) == {"middleware"}
    plain = recommend(answers(crm="salesforce", salesforce_edition="enterprise"), volumes())
    assert plain.route == "native"


def test_salesforce_below_enterprise_budgets_the_api_addon() -> None:
    rec = recommend(
        answers(crm="salesforce", salesforce_edition="professional", salesforce_users=8), volumes()
    )
    assert gate(rec, "salesforce_api_addon").applies
    assert "8 user(s)" in gate(rec, "salesforce_api_addon").evidence
    for route in ("middleware", "custom"):
        addon = next(i for i in rec.costs[route].items if i.label.startswith("Salesforce API add-on"))
        assert addon.monthly_gbp == Decimal("158.00")  # 8 × US$25 × 0.79
    assert not any(i.label.startswith("Salesforce") for i in rec.costs["native"].items)


def test_peak_api_calls_above_the_headroom_rule_out_middleware() -> None:
    busy = volumes(
        deals_won_per_month=6000,
        invoices_per_month=6500,
        payments_per_month=6200,
        contact_changes_per_month=2500,
        peak_month_invoices=9000,
    )
    rec = recommend(answers(crm="other", two_way=["contacts"], in_house_developer=True), busy)
    g = gate(rec, "xero_api_headroom")
    assert g.applies
    assert f"{rec.load.middleware_xero_calls_peak_day:,}" in g.evidence
    assert rec.load.middleware_xero_calls_peak_day > 3000
    assert rec.route == "custom"
    quiet = recommend(answers(crm="other"), volumes())
    assert not gate(quiet, "xero_api_headroom").applies


def test_more_than_a_thousand_invoices_a_month_triggers_the_advisory() -> None:
    rec = recommend(answers(crm="other"), volumes(invoices_per_month=1500))
    g = gate(rec, "xero_invoice_volume_advisory")
    assert g.applies and g.evidence == "1,500 sales invoices a month"
    assert not gate(
        recommend(answers(crm="other"), volumes(invoices_per_month=1000)), "xero_invoice_volume_advisory"
    ).applies


def test_line_level_tax_rules_out_a_one_tax_per_deal_connector_only() -> None:
    drc = volumes(tax=tax(reverse_charge_share=0.03))
    hubspot = recommend(answers(crm="hubspot"), drc)
    g = gate(hubspot, "line_level_tax")
    assert g.applies and "3% of sales lines domestic reverse charge" in g.evidence
    assert hubspot.split["deal_to_invoice"] == "middleware"  # Data Sync's per-line tax is not documented
    cloudify = recommend(answers(crm="pipedrive"), drc)
    assert gate(cloudify, "line_level_tax").applies
    assert gate(cloudify, "line_level_tax").excludes == {}  # Cloudify taxes per line
    assert cloudify.split["deal_to_invoice"] == "native"
    assert not gate(recommend(answers(crm="hubspot"), volumes()), "line_level_tax").applies


def test_flat_rate_and_reverse_charge_need_manual_handling() -> None:
    rec = recommend(answers(crm="hubspot", flat_rate_vat=True), volumes(tax=tax(reverse_charge_share=0.02)))
    assert "Flat Rate scheme does not support DRC" in gate(rec, "line_level_tax").effect


def test_currencies_beyond_hubspots_six() -> None:
    chf = recommend(answers(crm="hubspot"), volumes(currencies=["GBP", "EUR", "CHF"]))
    g = gate(chf, "currencies_beyond_connector")
    assert g.applies and "CHF beyond the connector's" in g.evidence
    assert chf.split == {
        "contacts": "native",
        "deal_to_invoice": "middleware",
        "invoice_status": "middleware",
    }
    euro = recommend(answers(crm="hubspot"), volumes(currencies=["GBP", "EUR"]))
    assert not gate(euro, "currencies_beyond_connector").applies
    assert euro.route == "native"
