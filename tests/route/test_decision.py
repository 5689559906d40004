"""The seed's "stop at the first yes" list with realistic clients: each branch, hybrids, tie-breakers,
costs for every route, and reasons that quote the numbers they were given."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.route.factories import answers, tax, volumes
from workbench.route.decision import recommend
from workbench.route.prices import load_prices
from workbench.route.thresholds import load_thresholds


def text(rec) -> str:
    return "\n".join(rec.all_reasons)


def test_question_1_a_standard_hubspot_client_takes_the_native_connector() -> None:
    client = volumes(
        deals_won_per_month=110, invoices_per_month=120, payments_per_month=115, tax=tax(zero_share=0.05)
    )
    rec = recommend(answers(crm="hubspot", connector_covers_process=True), client)
    assert rec.route == "native"
    assert [c.question for c in rec.flows] == [1, 1, 1]
    assert "120 invoices a month (≤ 300)" in text(rec)
    assert "95% of sales lines at 20%" in text(rec)
    assert rec.costs["native"].monthly_gbp == Decimal("0.00")
    assert rec.recommended_cost.option == "HubSpot Xero (Data Sync)"


def test_question_2_custom_fields_logic_and_an_extra_app_take_middleware() -> None:
    client = volumes(
        deals_won_per_month=250,
        invoices_per_month=260,
        payments_per_month=240,
        contact_changes_per_month=90,
        custom_fields=12,
        custom_field_names=["Sector", "VAT number", "PO number", "Cost centre", "Region", "Account manager"],
        tax=tax(zero_share=0.08),
    )
    rec = recommend(answers(crm="pipedrive", custom_logic=True, extra_apps=["PandaDoc"]), client)
    assert rec.route == "middleware"
    assert [c.question for c in rec.flows] == [2, 2, 2]
    deal = next(c for c in rec.flows if c.flow == "deal_to_invoice")
    said = "; ".join(deal.ruled_out["native"])
    assert "12 custom field(s) in use (Sector, VAT number, PO number, Cost centre, Region, ...)" in said
    assert "3 apps in the flow (PandaDoc besides the CRM and Xero)" in said
    assert "custom logic" in said
    status = next(c for c in rec.flows if c.flow == "invoice_status")
    assert "Cloudify Pipedrive–Xero does not carry invoice status" in "; ".join(status.ruled_out["native"])
    # 250×4 + 240×2 + 90×2 = 1,660 tasks +5%; Make 3 × 2,880 + 250×5 + 240×3 + 90×3
    assert (rec.load.zapier_tasks, rec.load.make_ops) == (1743, 10880)
    assert "about 1,743 Zapier tasks or 10,880 Make ops a month" in text(rec)
    # ×1.3: Zapier 2,266 needs the 5,000 plan ($89); Make 14,144 fits Core 20,000 ($18 → £14.22)
    assert rec.costs["middleware"].option == "Make Core 20,000"
    assert rec.costs["middleware"].monthly_gbp == Decimal("14.22")
    assert "Zapier 1,743 tasks × 1.3 = 2,266 → Professional 5,000" in rec.costs["middleware"].basis


def busy_two_way_client():
    return volumes(
        deals_won_per_month=6000,
        invoices_per_month=6500,
        payments_per_month=6200,
        contact_changes_per_month=2500,
        peak_month_invoices=9000,
        custom_fields=30,
        tax=tax(reverse_charge_share=0.08, ec_share=0.04),
    )


def test_question_3_two_way_high_volume_and_reverse_charge_take_a_custom_build() -> None:
    rec = recommend(
        answers(crm="pipedrive", two_way=["contacts", "invoices"], in_house_developer=True),
        busy_two_way_client(),
    )
    assert rec.route == "custom"
    assert [c.question for c in rec.flows] == [3, 3, 3]
    deal = next(c for c in rec.flows if c.flow == "deal_to_invoice")
    said = "; ".join(deal.reasons)
    assert "12% of sales lines are domestic reverse charge or EU outside-scope (over 5%)" in said
    assert "true two-way invoice sync" in said
    assert f"about {rec.load.middleware_xero_calls_peak_day:,} calls on a peak day" in said
    assert "6,500 invoices" in text(rec)
    custom = rec.costs["custom"]
    assert custom.one_off_gbp == Decimal(
        "9500.00"
    )  # £4,000 for the flows + 2 × £2,000 two-way + £1,500 tax rules
    assert custom.monthly_gbp == Decimal("60.00")  # £5 Custom Connection + £10 hosting + 0.5 h × £90


def test_hybrid_native_contacts_and_status_with_a_custom_deal_to_invoice() -> None:
    client = volumes(invoices_per_month=180, deals_won_per_month=170, tax=tax(reverse_charge_share=0.09))
    rec = recommend(answers(crm="hubspot", in_house_developer=True), client)
    assert rec.route == "hybrid"
    assert rec.split == {"contacts": "native", "deal_to_invoice": "custom", "invoice_status": "native"}
    assert rec.headline == (
        "hybrid: native / marketplace connector for contacts / companies; custom integration for won deal → "
        "draft invoice; native / marketplace connector for invoice status, payments and balance"
    )
    hybrid = rec.costs["hybrid"]
    assert hybrid is rec.recommended_cost
    assert hybrid.monthly_gbp == Decimal("60.00")  # Data Sync £0 + the custom piece's run cost
    assert hybrid.one_off_gbp == Decimal(
        "3500.00"
    )  # the deal → invoice flow £2,000 + reverse-charge rules £1,500
    assert "9% of sales lines are domestic reverse charge" in text(rec)
    assert set(rec.costs) == {"native", "middleware", "custom", "hybrid"}


def test_hybrid_marketplace_app_with_middleware_for_the_return_flow() -> None:
    rec = recommend(answers(crm="pipedrive"), volumes())
    assert rec.split == {"contacts": "native", "deal_to_invoice": "native", "invoice_status": "middleware"}
    hybrid = rec.costs["hybrid"]
    assert hybrid.option == "Cloudify Pipedrive–Xero + Make Core 10,000"
    assert hybrid.unpriced == ["native: Cloudify Pipedrive–Xero fee"]
    assert any("Unpriced: native: Cloudify Pipedrive–Xero fee" in w for w in rec.warnings)


def test_three_routes_fold_the_middleware_flow_into_the_custom_piece(tmp_path: Path) -> None:
    client = volumes(currencies=["GBP", "CHF"], tax=tax(reverse_charge_share=0.09))
    folded = recommend(answers(crm="hubspot", in_house_developer=True), client)
    assert folded.split == {"contacts": "native", "deal_to_invoice": "custom", "invoice_status": "custom"}
    status = next(c for c in folded.flows if c.flow == "invoice_status")
    assert status.reasons[-1].startswith("moved to the custom piece")
    override = tmp_path / "thresholds.json"
    override.write_text('{"fold_middleware_into_custom": {"value": false, "source": "consultant"}}')
    kept = recommend(
        answers(crm="hubspot", in_house_developer=True), client, thresholds=load_thresholds(override)
    )
    assert kept.split["invoice_status"] == "middleware"


def test_no_technical_owner_keeps_middleware_when_only_cost_says_custom(tmp_path: Path) -> None:
    dear = tmp_path / "prices.json"
    dear.write_text(
        '{"zapier": {"tiers": [{"name": "Pro", "units": 750, "monthly": "300", "source": "quote"}]},'
        ' "make": {"tiers": [{"name": "Core", "units": 20000, "monthly": "250", "source": "quote"}]}}'
    )
    prices = load_prices(dear)
    owner = recommend(answers(crm="other", in_house_developer=True), volumes(), prices=prices)
    assert owner.route == "custom"
    assert "middleware would cost about £197.50/month (Make Core), above £150" in text(owner)
    nobody = recommend(answers(crm="other"), volumes(), prices=prices)
    assert nobody.route == "middleware"
    assert "no in-house technical owner, so middleware is kept despite: middleware would cost" in text(nobody)


def test_a_high_duplicate_rate_puts_a_clean_up_sprint_first() -> None:
    rec = recommend(answers(crm="hubspot"), volumes(duplicate_rate=0.125, duplicate_side="xero_contacts"))
    assert rec.preconditions == [
        "A clean-up sprint before any route: 12.5% of xero_contacts records are duplicates (above 10%) "
        "([J] routes-and-vat §6.3 tie-breaker: duplicate rate > 10% (cf. the > 15% audit trigger "
        "[T: elefanterevops]))"
    ]
    assert recommend(answers(crm="hubspot"), volumes(duplicate_rate=0.04)).preconditions == []


def test_a_latency_need_below_the_connectors_lag_moves_to_instant_middleware() -> None:
    rec = recommend(answers(crm="hubspot", latency_minutes=5), volumes())
    assert rec.route == "middleware"
    assert "HubSpot Xero (Data Sync) syncs within 10 minutes; the client needs 5" in text(rec)
    assert rec.load.make_instant and rec.load.make_polling_ops == 0


def test_the_client_saying_the_connector_does_not_fit_rules_it_out() -> None:
    rec = recommend(answers(crm="hubspot", connector_covers_process=False), volumes())
    assert "native" not in rec.split.values()
    assert "the client says HubSpot Xero (Data Sync) does not fit their process" in text(rec)


def test_every_route_has_an_indicative_cost() -> None:
    for crm in ("hubspot", "pipedrive", "salesforce", "other"):
        rec = recommend(answers(crm=crm, salesforce_edition="enterprise"), volumes())
        assert {"native", "middleware", "custom"} <= set(rec.costs)
        for cost in rec.costs.values():
            summary = cost.summary()
            assert "£" in summary or summary.startswith("not available"), (crm, summary)
    other = recommend(answers(crm="other"), volumes())
    assert (
        other.costs["native"].summary() == "not available: no maintained connector in the catalogue for other"
    )


def test_a_budget_below_the_recommended_cost_is_warned() -> None:
    rec = recommend(
        answers(crm="other", budget_monthly_gbp=Decimal("10"), budget_one_off_gbp=Decimal("0")), volumes()
    )
    assert rec.route == "middleware"
    assert any("over the £10.00 monthly budget" in w for w in rec.warnings)


def test_unanswered_questions_are_listed_as_assumptions() -> None:
    rec = recommend(answers(crm="hubspot"), volumes())
    assert "the connector's objects and rules fit the process (not confirmed)" in rec.assumptions
    assert "every object syncs one way" in rec.assumptions
    answered = recommend(answers(crm="hubspot", two_way=[], connector_covers_process=True), volumes())
    assert "every object syncs one way" not in answered.assumptions


def test_the_thresholds_it_used_travel_with_their_sources() -> None:
    rec = recommend(answers(crm="hubspot"), volumes())
    assert rec.thresholds["native_max_invoices_per_month"].value == 300
    assert rec.thresholds["native_max_invoices_per_month"].source.startswith("[J]")
    assert all(t.source[:2] in ("[P", "[T", "[G", "[J") for t in rec.thresholds.values())


def test_a_threshold_override_changes_the_decision(tmp_path: Path) -> None:
    client = volumes(invoices_per_month=200, deals_won_per_month=190)
    assert recommend(answers(crm="hubspot"), client).route == "native"
    override = tmp_path / "thresholds.yaml"
    override.write_text(
        "thresholds:\n  native_max_invoices_per_month: {value: 150, source: '[J] consultant, tighter'}\n"
    )
    tighter = recommend(answers(crm="hubspot"), client, thresholds=load_thresholds(override))
    assert tighter.split["deal_to_invoice"] == "middleware"
    assert "200 invoices a month, above 150 ([J] consultant, tighter)" in text(tighter)
