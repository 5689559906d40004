"""The seed guide's gotchas as a checklist: each marked present or not in this client's data, with the
evidence. `present` is None when the profile that would show it was not run."""

from __future__ import annotations

from pydantic import BaseModel

from workbench.route.case import Case
from workbench.route.inputs import Flow, Route
from workbench.route.words import count, listed, share

DUPLICATE_TABLES = {
    "organisations": "CRM organisation",
    "people": "CRM person",
    "xero_contacts": "Xero contact",
}
LINK_KINDS = ("crm_org_without_xero_contact", "xero_contact_without_crm_org", "stored_contact_id_invalid")
VAT_KINDS = (
    "unknown_tax_type",
    "inactive_tax_type",
    "non_revenue_tax_type",
    "tax_amount_mismatch",
    "zero_rated_domestic_sale",
    "exempt_domestic_sale",
    "no_vat_domestic_sale",
    "standard_rated_eu_b2b_service",
    "reverse_charge_customer",
    "mixed_line_amount_types",
    "vat_total_is_deal_value_times_1_2",
    "vat_total_is_deal_value_divided_by_1_2",
    "invalid_vat_number",
    "vat_number_differs",
)
ROUNDING_KINDS = ("rounding_difference", "currency_mismatch")
REFERENCE_KINDS = (
    "invoices_do_not_reference_deals",
    "invoice_reference_without_deal",
    "won_deal_not_invoiced",
)


# how a count of findings of each kind reads in the checklist ("12 invoices adding VAT twice")
KIND_WORDS = {
    "crm_org_without_xero_contact": "CRM organisations with no Xero contact",
    "xero_contact_without_crm_org": "Xero customers with no CRM organisation",
    "stored_contact_id_invalid": "stored Xero ContactIDs that no longer resolve",
    "unknown_tax_type": "invoices with tax codes the tenant does not have",
    "inactive_tax_type": "invoices with retired tax codes",
    "non_revenue_tax_type": "invoices with purchase-side tax codes on sales",
    "tax_amount_mismatch": "invoices whose stored VAT is not Xero's rounding",
    "zero_rated_domestic_sale": "zero-rated sales to UK customers",
    "exempt_domestic_sale": "exempt sales to UK customers",
    "no_vat_domestic_sale": "no-VAT sales to UK customers",
    "standard_rated_eu_b2b_service": "EU business customers charged UK VAT",
    "reverse_charge_customer": "reverse-charge customers charged VAT",
    "mixed_line_amount_types": "customers invoiced both tax-inclusive and exclusive",
    "vat_total_is_deal_value_times_1_2": "invoices adding VAT to a VAT-inclusive deal value",
    "vat_total_is_deal_value_divided_by_1_2": "invoices taking VAT out of a VAT-exclusive deal value",
    "invalid_vat_number": "VAT numbers failing their check",
    "vat_number_differs": "VAT numbers differing between CRM and Xero",
    "rounding_difference": "invoices pennies off their deal (rounding)",
    "currency_mismatch": "invoices in another currency than their deal",
    "deal_invoiced_twice": "deals invoiced twice",
    "invoices_do_not_reference_deals": "signs that invoices do not carry the deal id",
    "invoice_reference_without_deal": "invoice references naming no deal",
    "won_deal_not_invoiced": "won deals never invoiced",
}


class Gotcha(BaseModel):
    key: str
    title: str
    present: bool | None
    evidence: str
    advice: str


def _kinds(case: Case, kinds: tuple[str, ...]) -> list[str]:
    counts = case.evidence.finding_counts
    return [f"{count(counts[k])} {KIND_WORDS.get(k, k.replace('_', ' '))}" for k in kinds if counts.get(k)]


def _profiled(case: Case) -> bool:
    return bool(case.evidence.finding_counts or case.evidence.live_records)


def gotcha_checklist(case: Case, split: dict[Flow, Route]) -> list[Gotcha]:
    return [
        _duplicates(case),
        _vat(case),
        _direction(case),
        _rate_limits(case, split),
        _tokens(case, split),
        _draft_status(case),
        _currency(case),
        _reference(case),
    ]


def _duplicates(case: Case) -> Gotcha:
    evidence = case.evidence
    parts = []
    for table, noun in DUPLICATE_TABLES.items():
        clusters = evidence.duplicate_clusters.get(table, 0)
        if clusters:
            records = evidence.duplicate_records.get(table, 0)
            live = evidence.live_records.get(table)
            of = f" of {count(live)}" if live else ""
            parts.append(f"{count(clusters)} {noun} duplicate groups ({count(records)} records to merge{of})")
    parts += _kinds(case, LINK_KINDS)
    rate = case.volumes.duplicate_rate
    if rate:
        parts.append(f"duplicate rate {share(rate)} ({case.volumes.duplicate_side or 'worst side'})")
    present = bool(parts) if _profiled(case) or rate else None
    return Gotcha(
        key="duplicate_contacts",
        title="Duplicate contacts",
        present=present,
        evidence=listed(parts) if parts else _none(present, "no duplicate groups or unlinked records"),
        advice="Decide the match key and store the Xero ContactID on the CRM record; merge duplicates first.",
    )


def _vat(case: Case) -> Gotcha:
    parts = _kinds(case, VAT_KINDS)
    tax = case.volumes.tax
    if tax.lines and tax.non_standard_share:
        parts.append(f"{share(tax.non_standard_share)} of {count(tax.lines)} sales lines not at 20%")
    flagged = bool(_kinds(case, VAT_KINDS)) or case.line_level_tax_share > case.value("line_level_tax_share")
    present = flagged if _profiled(case) or tax.lines else None
    return Gotcha(
        key="tax_codes_vat",
        title="Tax codes and VAT",
        present=present,
        evidence=listed(parts) if parts else _none(present, "no VAT findings; every sales line at 20%"),
        advice="Set LineAmountTypes and TaxType explicitly from the tenant's tax rates; finance signs off "
        "the tax mapping.",
    )


def _direction(case: Case) -> Gotcha:
    wanted = case.answers.two_way
    evidence = case.evidence
    parts = [f"the client wants two-way {listed(list(wanted))}"] if wanted else []
    if evidence.edited_both_sides:
        parts.append(
            f"{count(evidence.edited_both_sides)} of {count(evidence.linked_pairs or 0)} linked "
            f"organisation/contact pairs edited on both sides in the last "
            f"{evidence.both_sides_window_days} days"
        )
    present = bool(parts)
    if not parts and evidence.linked_pairs is not None:
        parts.append(f"none of {count(evidence.linked_pairs)} linked pairs edited on both sides")
    return Gotcha(
        key="one_way_vs_two_way",
        title="One-way vs two-way sync",
        present=present,
        evidence=listed(parts) if parts else "no two-way need given or measured",
        advice="One master per field; two-way only with a loop guard and clear conflict rules.",
    )


def _rate_limits(case: Case, split: dict[Flow, Route]) -> Gotcha:
    limit = case.value("xero_calls_headroom_per_day")
    backfill = case.evidence.backfill_xero_calls
    writes = -(-case.evidence.count("won_deal_not_invoiced") // case.thresholds.load.xero.batch_size)
    load = case.load
    uses_middleware = "middleware" in split.values()
    peak = load.middleware_xero_calls_peak_day if uses_middleware else load.xero_calls_peak_day
    parts = [f"about {count(peak)} Xero calls on a peak day by the recommended route"]
    if backfill is not None:
        parts.append(f"a first full read of Xero takes {count(backfill)} calls")
    if writes:
        parts.append(f"{count(writes)} batched calls to create the missing invoices")
    present = peak > limit or (backfill or 0) + writes > limit
    return Gotcha(
        key="xero_rate_limits",
        title="Xero API rate limits",
        present=present,
        evidence=listed(parts) + f" (headroom {count(limit)} of Xero's 5,000 a day)",
        advice="Batch, throttle and retry with backoff; backfill history over several days.",
    )


def _tokens(case: Case, split: dict[Flow, Route]) -> Gotcha:
    custom = [f for f, r in split.items() if r == "custom"]
    return Gotcha(
        key="oauth_token_expiry",
        title="OAuth token expiry",
        present=bool(custom),
        evidence=(
            "the recommended route builds a custom piece: it must store and rotate its own tokens "
            "(a Xero Custom Connection uses client credentials, with no refresh token to lose)"
            if custom
            else "the connector or middleware platform refreshes the tokens"
        ),
        advice="Persist rotated refresh tokens before use; alert when a connection stops refreshing.",
    )


def _draft_status(case: Case) -> Gotcha:
    parts = _kinds(case, ("deal_invoiced_twice",))
    present = bool(parts) if _profiled(case) else None
    return Gotcha(
        key="draft_vs_approved",
        title="Draft vs approved vs sent",
        present=present,
        evidence=listed(parts) if parts else _none(present, "no deal billed twice"),
        advice="Create invoices as DRAFT; finance approves and sends until the flow is trusted.",
    )


def _currency(case: Case) -> Gotcha:
    parts = _kinds(case, ROUNDING_KINDS)
    if case.multi_currency:
        parts.insert(0, f"currencies in use: {', '.join(case.currencies)}")
    present = bool(parts)
    return Gotcha(
        key="currency_rounding",
        title="Currency and rounding",
        present=present,
        evidence=listed(parts)
        if parts
        else f"one currency ({', '.join(case.currencies)}); no rounding findings",
        advice="Send the currency and line amounts; let Xero compute tax and totals (it rounds per line).",
    )


def _reference(case: Case) -> Gotcha:
    parts = _kinds(case, REFERENCE_KINDS)
    present = bool(parts) if _profiled(case) else None
    return Gotcha(
        key="deal_reference",
        title="Reference = CRM deal id",
        present=present,
        evidence=listed(parts) if parts else _none(present, "every invoice traces to a deal"),
        advice="Write the deal id into the invoice Reference; check it before creating (no second invoice).",
    )


def _none(present: bool | None, absent: str) -> str:
    return "not measured: run the profile first" if present is None else absent
