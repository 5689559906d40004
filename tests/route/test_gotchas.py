"""The seed's gotchas, each marked present or not from this client's data, with the evidence."""

from __future__ import annotations

from tests.route.factories import answers, evidence, tax, volumes
from workbench.route.decision import recommend

KEYS = [
    "duplicate_contacts",
    "tax_codes_vat",
    "one_way_vs_two_way",
    "xero_rate_limits",
    "oauth_token_expiry",
    "draft_vs_approved",
    "currency_rounding",
    "deal_reference",
]


def checklist(rec):
    return {g.key: g for g in rec.gotchas}


def test_a_clean_client_has_every_gotcha_checked_and_none_present() -> None:
    rec = recommend(answers(crm="hubspot"), volumes(tax=tax(standard_share=1.0)), evidence())
    gotchas = checklist(rec)
    assert list(gotchas) == KEYS
    assert {k: g.present for k, g in gotchas.items()} == dict.fromkeys(KEYS, False)
    assert gotchas["one_way_vs_two_way"].evidence == "none of 380 linked pairs edited on both sides"
    assert gotchas["currency_rounding"].evidence == "one currency (GBP); no rounding findings"


def test_findings_mark_their_gotchas_present_with_counts() -> None:
    found = evidence(
        finding_counts={
            "duplicate_organization": 12,
            "crm_org_without_xero_contact": 8,
            "reverse_charge_customer": 6,
            "vat_total_is_deal_value_times_1_2": 12,
            "deal_invoiced_twice": 9,
            "rounding_difference": 10,
            "invoice_reference_without_deal": 9,
            "won_deal_not_invoiced": 15,
        },
        duplicate_clusters={"organisations": 12},
        duplicate_records={"organisations": 14},
        edited_both_sides=2,
        linked_pairs=241,
    )
    client = volumes(currencies=["EUR", "GBP", "USD"], duplicate_rate=0.035, duplicate_side="organisations")
    gotchas = checklist(recommend(answers(crm="pipedrive"), client, found))
    assert gotchas["duplicate_contacts"].present
    assert gotchas["duplicate_contacts"].evidence == (
        "12 CRM organisation duplicate groups (14 records to merge of 400), 8 CRM organisations with no "
        "Xero contact and duplicate rate 3.5% (organisations)"
    )
    assert gotchas["tax_codes_vat"].present
    assert "6 reverse-charge customers charged VAT" in gotchas["tax_codes_vat"].evidence
    assert "12 invoices adding VAT to a VAT-inclusive deal value" in gotchas["tax_codes_vat"].evidence
    assert gotchas["one_way_vs_two_way"].present
    assert "2 of 241 linked organisation/contact pairs edited on both sides in the last 90 days" in (
        gotchas["one_way_vs_two_way"].evidence
    )
    assert gotchas["draft_vs_approved"].evidence == "9 deals invoiced twice"
    assert gotchas["currency_rounding"].evidence == (
        "currencies in use: EUR, GBP, USD and 10 invoices pennies off their deal (rounding)"
    )
    assert (
        gotchas["deal_reference"].evidence
        == "9 invoice references naming no deal and 15 won deals never invoiced"
    )


def test_without_a_profile_the_data_gotchas_are_not_measured() -> None:
    gotchas = checklist(recommend(answers(crm="hubspot"), volumes(tax=tax(lines=0))))
    for key in ("duplicate_contacts", "tax_codes_vat", "draft_vs_approved", "deal_reference"):
        assert gotchas[key].present is None, key
        assert gotchas[key].evidence == "not measured: run the profile first"


def test_token_expiry_applies_to_a_custom_piece_only() -> None:
    native = checklist(recommend(answers(crm="hubspot"), volumes(), evidence()))
    assert not native["oauth_token_expiry"].present
    custom = checklist(
        recommend(
            answers(crm="hubspot", in_house_developer=True),
            volumes(tax=tax(reverse_charge_share=0.09)),
            evidence(),
        )
    )
    assert custom["oauth_token_expiry"].present
    assert "Custom Connection" in custom["oauth_token_expiry"].evidence


def test_a_backfill_beyond_the_daily_headroom_is_a_rate_limit_risk() -> None:
    gotchas = checklist(
        recommend(
            answers(crm="hubspot"), volumes(), evidence(finding_counts={"won_deal_not_invoiced": 160_000})
        )
    )
    assert gotchas["xero_rate_limits"].present
    assert "3,200 batched calls to create the missing invoices" in gotchas["xero_rate_limits"].evidence
