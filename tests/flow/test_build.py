"""Draft invoices built from the plan: lines, codes, dates, reference, currency, status, Xero's rounding."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.flow.factories import (
    RUN_DATE,
    by_deal,
    crm_rows,
    deal,
    deal_line,
    edited,
    flow_plan,
    flow_tables,
    xero_rows,
)
from tests.profile.demo import PulledDemo, pulled_demo
from workbench.errors import ConfigurationError
from workbench.flow.build import build_drafts, deal_fingerprint
from workbench.flow.candidates import won_deals
from workbench.flow.contacts import NEW_CONTACT
from workbench.flow.drafts import DraftLine, Held, HoldReason, InvoiceDraft
from workbench.flow.validate import validate
from workbench.plan.defaults import propose_plan
from workbench.plan.model import (
    DueDateRule,
    InvoiceDate,
    InvoiceStatus,
    LineAmountTypes,
    Plan,
    TaxDecidedBy,
    UnitAmountFrom,
)
from workbench.plan.tenant import TenantCodes
from workbench.profile.tables import ProfileTables
from workbench.sandbox.xero.totals import apply_totals

D = Decimal


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> ProfileTables:
    return flow_tables(tmp_path_factory.mktemp("build"))


def build(tables: ProfileTables, plan: Plan | None = None, **options: Any) -> dict[str, InvoiceDraft | Held]:
    plan = plan or flow_plan()
    return by_deal(build_drafts(plan, tables, won_deals(tables, plan), run_date=RUN_DATE, **options))


def draft_of(outcome: InvoiceDraft | Held) -> InvoiceDraft:
    assert isinstance(outcome, InvoiceDraft), outcome
    return outcome


def amounts(draft: InvoiceDraft) -> list[tuple[Decimal, Decimal]]:
    return [(line.line_amount, line.tax_amount) for line in draft.lines]


def test_a_deal_s_products_become_lines_with_the_mapped_codes_and_xero_s_totals(
    tables: ProfileTables,
) -> None:
    draft = draft_of(build(tables)["101"])
    assert draft.lines == (
        DraftLine("Widget", D(3), D("19.99"), "200", "OUTPUT2", D("59.97"), D("11.99"), item_code="WIDGET",
                  account_from="Tax mapping row T01 (product WIDGET)",
                  tax_from="Tax mapping row T01 (product WIDGET)"),
        DraftLine("Book", D(2), D("12.50"), "200", "ZERORATEDOUTPUT", D("25.00"), D("0.00"), item_code="BOOK",
                  account_from="Tax mapping row T02 (product BOOK)",
                  tax_from="Tax mapping row T02 (product BOOK)"),
        # GADGET has no Tax mapping row: the plan's defaults, and no ItemCode
        DraftLine("Gadget", D(1), D(40), "260", "OUTPUT2", D("40.00"), D("8.00"),
                  account_from="the Deal to invoice sheet ('Account for unmapped products')",
                  tax_from="the Deal to invoice sheet ('Tax type for unmapped products')"),
    )  # fmt: skip
    assert (draft.subtotal, draft.total_tax, draft.total) == (D("124.97"), D("19.99"), D("144.96"))
    assert draft.payload() == {
        "Type": "ACCREC",
        "Contact": {"ContactID": "C1"},
        "Reference": "PD-101",
        "CurrencyCode": "GBP",
        "LineAmountTypes": "Exclusive",
        "Date": "2026-11-03",
        "DueDate": "2026-12-03",
        "Status": "DRAFT",
        "LineItems": [
            {"Description": "Widget", "Quantity": D(3), "UnitAmount": D("19.99"), "AccountCode": "200",
             "TaxType": "OUTPUT2", "ItemCode": "WIDGET"},
            {"Description": "Book", "Quantity": D(2), "UnitAmount": D("12.50"), "AccountCode": "200",
             "TaxType": "ZERORATEDOUTPUT", "ItemCode": "BOOK"},
            {"Description": "Gadget", "Quantity": D(1), "UnitAmount": D(40), "AccountCode": "260",
             "TaxType": "OUTPUT2"},
        ],
    }  # fmt: skip
    assert draft.sendable and draft.org_id == "1" and len(draft.deal_fingerprint) == 64


def test_vat_treatments_decide_the_tax_type_before_the_product(tables: ProfileTables) -> None:
    built = build(tables)
    reverse = draft_of(
        built["102"]
    )  # domestic reverse charge: Xero computes no VAT, the customer accounts for it
    assert [(line.tax_type, line.tax_from) for line in reverse.lines] == [
        ("DRCHARGE20", "Tax mapping row T07 (VAT treatment 'Domestic reverse charge')")
    ]
    assert reverse.lines[0].account_code == "210" and reverse.total == D("1000.00")
    eu = draft_of(built["106"])  # an EU business customer: outside the scope of UK VAT, billed in euros
    assert [(line.tax_type, line.tax_amount) for line in eu.lines] == [("NONE", D("0.00"))]
    assert (eu.currency, eu.total) == ("EUR", D("1500.00"))
    zero = draft_of(built["103"])  # zero rated, 10% off: 10 × 8.75 less 10%
    assert zero.lines[0].discount_rate == D(10) and zero.payload()["LineItems"][0]["DiscountRate"] == D(10)
    assert amounts(zero) == [(D("78.75"), D("0.00"))] and zero.total == D("78.75")
    # decided by product only, the reverse-charge deal's SERVICE is standard rated
    by_product = draft_of(build(tables, flow_plan(tax_decided_by=TaxDecidedBy.PRODUCT_ONLY))["102"])
    assert (by_product.lines[0].tax_type, by_product.total_tax) == ("OUTPUT2", D("200.00"))


def test_the_reverse_charge_needs_the_customer_s_vat_number(tmp_path: Path) -> None:
    xero = edited(xero_rows(), "xero_contacts", "contact_id", "C2", tax_number=None)
    crm = edited(crm_rows(), "organisations", "org_id", "2", xero_contact_id="C2", custom_fields={})
    held = build(flow_tables(tmp_path, crm=crm, xero=xero))["102"]
    assert isinstance(held, Held) and held.reason is HoldReason.INVALID
    assert held.why == (
        "deal 102 'Deal 102': TaxType DRCHARGE20 is the domestic reverse charge, which needs the customer's "
        "VAT number on the invoice, and Xero contact C2 has none: add it (in Xero, or on the organisation "
        "in the CRM), or map the deal's VAT treatment to another tax type"
    )


def test_a_treatment_the_tax_mapping_does_not_list_holds_the_deal(tmp_path: Path) -> None:
    crm = edited(crm_rows(), "deals", "deal_id", "101", custom_fields={"VAT treatment": "Mystery rate"})
    held = build(flow_tables(tmp_path, crm=crm))["101"]
    assert isinstance(held, Held) and held.reason is HoldReason.INVALID
    assert held.why.startswith(
        "deal 101 'Acme - widgets': its VAT treatment 'Mystery rate' has no row on the Tax mapping sheet"
    )


def test_inclusive_amounts_carry_their_vat_inside(tmp_path: Path) -> None:
    crm = crm_rows()
    crm["deal_lines"] = [
        deal_line("1", "101", "WIDGET", "1", "120.00", tax_method="inclusive"),
        deal_line("2", "101", "WIDGET", "1", "10.01", tax_method="inclusive"),
    ]
    draft = draft_of(
        build(flow_tables(tmp_path, crm=crm), flow_plan(line_amount_types=LineAmountTypes.INCLUSIVE))["101"]
    )
    # £120.00 at 20% inclusive is £20.00 of VAT; £10.01 is 10.01 × 20/120 = 1.668.. -> £1.67
    assert amounts(draft) == [(D("120.00"), D("20.00")), (D("10.01"), D("1.67"))]
    assert (draft.subtotal, draft.total_tax, draft.total) == (D("108.34"), D("21.67"), D("130.01"))
    assert draft.payload()["LineAmountTypes"] == "Inclusive"


def test_rounding_is_per_line_half_up(tmp_path: Path) -> None:
    crm = crm_rows()
    crm["deal_lines"] = [
        deal_line(
            "1", "101", "ENERGY", "1", "10.10"
        ),  # 5% of 10.10 = 0.505 -> 0.51 (half-even would say 0.50)
        deal_line("2", "101", "WIDGET", "2.5", "0.25"),  # 0.625 -> 0.63; its VAT 0.126 -> 0.13
        deal_line("3", "101", "WIDGET", "1", "0.03"),  # 0.006 -> 0.01
        deal_line("4", "101", "WIDGET", "1", "0.03"),  # per line: 0.01 + 0.01, where 20% of 0.06 is 0.01
    ]
    draft = draft_of(build(flow_tables(tmp_path, crm=crm))["101"])
    assert amounts(draft) == [
        (D("10.10"), D("0.51")),
        (D("0.63"), D("0.13")),
        (D("0.03"), D("0.01")),
        (D("0.03"), D("0.01")),
    ]
    assert (draft.subtotal, draft.total_tax, draft.total) == (D("10.79"), D("0.66"), D("11.45"))


def test_a_crm_price_that_includes_vat_on_an_exclusive_plan_is_held(tmp_path: Path) -> None:
    crm = edited(crm_rows(), "deal_lines", "line_id", "2", tax_method="inclusive")
    held = build(flow_tables(tmp_path, crm=crm))["101"]
    assert isinstance(held, Held) and held.reason is HoldReason.INVALID
    assert held.why == (
        "deal 101 'Acme - widgets': product 'Book': the CRM says its price includes VAT but the plan says "
        "CRM amounts are Exclusive: correct the deal's products in the CRM, or change 'CRM amounts are' on "
        "the Deal to invoice sheet"
    )
    assert held.draft is not None and held.draft.problems == (held.why,)


def test_an_amount_discount_is_sent_as_xero_s_discount_amount(tmp_path: Path) -> None:
    crm = edited(crm_rows(), "deal_lines", "line_id", "1", discount=D(5), discount_type="amount")
    draft = draft_of(build(flow_tables(tmp_path, crm=crm))["101"])
    assert amounts(draft)[0] == (D("54.97"), D("10.99"))  # 3 × 19.99 - 5.00
    assert draft.payload()["LineItems"][0]["DiscountAmount"] == D(5)


def test_deal_value_as_one_line_and_a_deal_without_products(tables: ProfileTables) -> None:
    draft = draft_of(build(tables, flow_plan(unit_amount_from=UnitAmountFrom.VALUE))["101"])
    assert [(line.description, line.quantity, line.unit_amount, line.account_code, line.tax_type)
            for line in draft.lines] == [("Acme - widgets", D(1), D("144.96"), "260", "OUTPUT2")]  # fmt: skip
    assert (draft.total_tax, draft.total) == (D("28.99"), D("173.95"))
    # deal 104 has no products: one line from its value (its contact is archived, so it is held anyway)
    held = build(tables)["104"]
    assert isinstance(held, Held) and held.draft is not None
    assert amounts(held.draft) == [(D("500.00"), D("100.00"))]


def test_dates_follow_the_plan(tmp_path: Path) -> None:
    tables = flow_tables(tmp_path, crm=edited(crm_rows(), "deals", "deal_id", "101",
                                              expected_close_date=date(2026, 12, 20)))  # fmt: skip
    on_run = draft_of(build(tables, flow_plan(invoice_date=InvoiceDate.RUN, due_days=14))["101"])
    assert (on_run.date, on_run.due_date) == (RUN_DATE, date(2026, 12, 10))
    by_close = build(tables, flow_plan(due_date_rule=DueDateRule.EXPECTED_CLOSE))
    assert draft_of(by_close["101"]).due_date == date(2026, 12, 20)
    held = by_close["102"]  # no expected close date to take the due date from
    assert isinstance(held, Held) and held.reason is HoldReason.INVALID
    assert (
        "DueDate: the plan takes it from the deal's expected close date, but the deal has no expected "
        in held.why
    )


def test_the_invoice_date_is_the_utc_day_of_the_win(tmp_path: Path) -> None:
    crm = edited(crm_rows(), "deals", "deal_id", "101", won_time=datetime(2026, 11, 3, 23, 59, tzinfo=UTC))
    assert draft_of(build(flow_tables(tmp_path, crm=crm))["101"]).date == date(2026, 11, 3)


@pytest.mark.parametrize(
    ("planned", "asked", "sent"),
    [
        (InvoiceStatus.AUTHORISED, "AUTHORISED", "AUTHORISED"),  # both ask for it
        (InvoiceStatus.AUTHORISED, None, "DRAFT"),  # the plan alone
        (InvoiceStatus.DRAFT, "AUTHORISED", "DRAFT"),  # the operator alone
        (InvoiceStatus.AUTHORISED, "submitted", "DRAFT"),  # they disagree
        (InvoiceStatus.SUBMITTED, "submitted", "SUBMITTED"),
    ],
)
def test_the_status_is_draft_unless_plan_and_operator_both_ask_for_the_same_more(
    tables: ProfileTables, planned: InvoiceStatus, asked: str | None, sent: str
) -> None:
    draft = draft_of(build(tables, flow_plan(status=planned), status=asked)["101"])
    assert draft.status == sent and draft.payload()["Status"] == sent


def test_an_unknown_operator_status_is_refused(tables: ProfileTables) -> None:
    with pytest.raises(ConfigurationError, match="there is no invoice status 'PAID'"):
        build(tables, status="PAID")


def test_every_candidate_gets_a_draft_or_a_reason(tables: ProfileTables) -> None:
    built = build(tables)
    outcome = {deal_id: (o.reason if isinstance(o, Held) else "draft") for deal_id, o in built.items()}
    assert outcome == {
        "101": "draft",
        "102": "draft",
        "103": "draft",
        "104": HoldReason.CONTACT_REVIEW,  # the stored contact is archived
        "105": HoldReason.CONTACT_REVIEW,  # only a name, and two contacts have it
        "106": "draft",
        "107": HoldReason.INVALID,  # USD is not enabled
    }
    usd = built["107"]
    assert isinstance(usd, Held) and usd.why == (
        "deal 107 'Deal 107': CurrencyCode USD is not enabled in this Xero organisation (enabled: EUR, "
        "GBP): add USD under Settings → Currencies in Xero, or change the deal's currency"
    )
    archived = built["104"]
    assert isinstance(archived, Held) and archived.why.startswith("'Delta Design Ltd' matches Xero contact")
    assert archived.draft is not None and not archived.draft.sendable


def test_the_deal_fingerprint_ignores_the_flow_s_own_write_back(tmp_path: Path) -> None:
    rows = crm_rows()
    deal_row = next(d for d in rows["deals"] if d["deal_id"] == "101")
    lines = [line for line in rows["deal_lines"] if line["deal_id"] == "101"]
    before = deal_fingerprint(deal_row, lines)
    written_back = {
        **deal_row,
        "updated_at": datetime(2026, 11, 27, tzinfo=UTC),
        "custom_fields": {**deal_row["custom_fields"], "Xero invoice number": "INV-0042", "Sales note": "x"},
    }
    assert deal_fingerprint(written_back, lines, ignore_fields={"Sales note"}) == before
    raw_key = {**deal_row, "a" * 40: "INV-0042"}  # a raw record's custom field beside the others, by key
    assert deal_fingerprint(raw_key, lines, ignore_fields={"a" * 40}) == before
    assert deal_fingerprint(written_back, lines) != before  # a field the flow does not own is a change
    assert deal_fingerprint({**deal_row, "value": D("150")}, lines) != before
    assert deal_fingerprint(deal_row, [{**lines[0], "quantity": D(4)}, *lines[1:]]) != before
    assert deal_fingerprint(deal_row, list(reversed(lines))) == before  # line order as read does not matter
    # the builder stores it, and the same deal pulled again (another snapshot) has the same one
    assert draft_of(build(flow_tables(tmp_path, crm=rows))["101"]).deal_fingerprint == deal_fingerprint(
        *_typed(flow_tables(tmp_path / "again", crm=rows), "101")
    )


def _typed(tables: ProfileTables, deal_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    deals = tables["deals"]
    lines = tables["deal_lines"]
    return (
        deals[deals["deal_id"] == deal_id].iloc[0].to_dict(),
        lines[lines["deal_id"] == deal_id].to_dict("records"),
    )


def test_a_deal_with_no_value_and_no_products_is_not_sent(tmp_path: Path) -> None:
    crm = crm_rows()
    crm["deals"].append(deal("120", "1", won=datetime(2026, 11, 20, tzinfo=UTC), value=D(0)))
    held = build(flow_tables(tmp_path, crm=crm, xero=xero_rows()))["120"]
    assert isinstance(held, Held) and held.reason is HoldReason.INVALID
    assert "the invoice total is GBP 0.00: a sales invoice must be for more than nothing" in held.why


# --- the sandbox demo client ------------------------------------------------------------------------
DEMO_CUT_OFF = date(2026, 9, 1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> PulledDemo:
    return pulled_demo(tmp_path_factory.mktemp("demo"))


def _rates(tables: ProfileTables) -> dict[str, Decimal]:
    rates = tables["tax_rates"]
    return dict(zip(rates["tax_type"], rates["effective_rate"], strict=True))


@pytest.mark.slow
def test_every_won_demo_deal_after_the_cut_off_gets_a_valid_draft_or_a_reason(demo: PulledDemo) -> None:
    tables = demo.tables
    proposed = propose_plan(tables)
    plan = proposed.model_copy(
        update={"deal_invoice": proposed.deal_invoice.model_copy(update={"won_after": DEMO_CUT_OFF})}
    )
    outcomes = build_drafts(plan, tables, won_deals(tables, plan), run_date=tables.as_of)

    deals = tables["deals"]
    won = deals[
        deals["is_won"].fillna(False).astype(bool)
        & ~deals["is_deleted"].fillna(False).astype(bool)
        & (pd.to_datetime(deals["won_time"], utc=True).dt.date >= DEMO_CUT_OFF)
    ]
    assert sorted(o.deal_id for o in outcomes) == sorted(won["deal_id"].astype(str))
    assert len(outcomes) > 50

    tenant = TenantCodes.from_tables(tables)
    rates = _rates(tables)
    drafts = [o for o in outcomes if isinstance(o, InvoiceDraft)]
    assert len(drafts) > len(outcomes) / 2
    for draft in drafts:
        assert validate(draft, tenant) == () and draft.status == "DRAFT"
        assert draft.payload()["LineAmountTypes"] in ("Exclusive", "Inclusive", "NoTax")
        # the sandbox's own reading of Xero's arithmetic (shares no code with the flow) agrees to the penny
        xero = apply_totals(draft.payload(), lambda tax_type: rates[tax_type])
        assert (xero["SubTotal"], xero["TotalTax"], xero["Total"]) == (
            draft.subtotal,
            draft.total_tax,
            draft.total,
        )
    for held in (o for o in outcomes if isinstance(o, Held)):
        assert held.why and held.draft is not None and held.draft.problems
        if held.reason is HoldReason.INVALID:
            assert held.why == "; ".join(held.draft.problems)

    by_id = by_deal(outcomes)
    # planted: organisations with won deals but no Xero contact get one created with the invoice
    for problem in demo.problems:
        if problem["kind"] == "crm_org_without_xero_contact":
            for deal_id in problem["records"]["pipedrive.deal"]:
                outcome = by_id[str(deal_id)]
                assert isinstance(outcome, InvoiceDraft) and outcome.contact.matched_by == NEW_CONTACT
                assert outcome.contact.new_contact and outcome.contact.new_contact["Name"]
    # products the CRM prices including VAT cannot go out on the plan's Exclusive invoices
    lines = tables["deal_lines"]
    inclusive = set(lines.loc[lines["tax_method"].eq("inclusive"), "deal_id"].astype(str)) & set(by_id)
    assert inclusive
    for deal_id in inclusive:
        outcome = by_id[deal_id]
        assert isinstance(outcome, Held)
        assert outcome.draft is not None and any("price includes VAT" in p for p in outcome.draft.problems)
    # domestic reverse charge deals carry the reverse-charge code and no VAT
    treatment = won["custom_fields"].map(lambda f: f.get("VAT treatment") if isinstance(f, dict) else None)
    reverse = [by_id[str(i)] for i in won.loc[treatment.eq("Domestic reverse charge"), "deal_id"]]
    reverse_drafts = [o for o in reverse if isinstance(o, InvoiceDraft)]
    assert reverse_drafts
    for draft in reverse_drafts:
        assert {line.tax_type for line in draft.lines} == {"DRCHARGE20"} and draft.total_tax == 0
