from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pandas as pd
import pytest

from tests.profile.demo import PulledDemo
from tests.profile.hygiene_frames import contact, deal, invoice, line, org, person, profile
from workbench.profile.tables import ProfileTables
from workbench.profile.volumes import AVERAGE_MONTHS, measure_volumes


def _client() -> ProfileTables:
    fields = [
        {
            "source": "pipedrive",
            "entity": "organization",
            "field_key": "a1",
            "name": "Sector",
            "is_custom": True,
        },
        {
            "source": "pipedrive",
            "entity": "organization",
            "field_key": "a2",
            "name": "Legacy code",
            "is_custom": True,
        },
        {
            "source": "pipedrive",
            "entity": "deal",
            "field_key": "b1",
            "name": "VAT treatment",
            "is_custom": True,
        },
        {"source": "pipedrive", "entity": "deal", "field_key": "title", "name": "Title", "is_custom": False},
    ]
    return profile(
        organisations=[
            org(
                "1",
                "Acme Ltd",
                xero_contact_id="c1",
                custom_fields={"Sector": "Retail"},
                updated_at="2026-10-01T00:00Z",
            ),
            org(
                "2",
                "Beta Ltd",
                xero_contact_id="c2",
                custom_fields={"Sector": "", "9f3e": "x"},
                updated_at="2026-10-01T00:00Z",
            ),
            org("3", "Gamma Ltd", xero_contact_id="c3", custom_fields={}, updated_at="2025-01-01T00:00Z"),
        ],
        people=[person("p1", "1", "Ann Lee", "ann@acme.co.uk")],
        deals=[
            deal("1", "1", won="2025-11-03", custom_fields={"VAT treatment": "Standard rated (20%)"}),
            deal("2", "1", won="2026-03-09", currency="EUR", value="500.00"),
            deal("3", "2", won="2026-03-28"),
            deal("4", "2", status="open", won=None),
        ],
        deal_lines=[
            {
                "source": "pipedrive",
                "line_id": "1",
                "deal_id": "1",
                "product_code": "CONS-DAY",
                "quantity": "2",
            },
            {
                "source": "pipedrive",
                "line_id": "2",
                "deal_id": "2",
                "product_code": "CONS-DAY",
                "quantity": "1",
            },
            {"source": "pipedrive", "line_id": "3", "deal_id": "3", "product_code": "KIT", "quantity": "1"},
        ],
        products=[
            {"source": "pipedrive", "product_id": "1", "code": "CONS-DAY", "name": "Consultancy"},
            {"source": "pipedrive", "product_id": "2", "code": "KIT", "name": "Kit"},
        ],
        items=[
            {"item_id": "x1", "code": "CONS-DAY", "name": "Consultancy"},
            {"item_id": "x2", "code": "MILES"},
        ],
        crm_fields=fields,
        xero_contacts=[
            contact("c1", "Acme Ltd", updated_at="2026-11-01T00:00Z"),
            contact("c2", "Beta Ltd", updated_at="2024-01-01T00:00Z"),
            contact("c3", "Gamma Ltd", updated_at="2026-11-01T00:00Z"),
        ],
        invoices=[
            invoice("i1", "c1", "PD-1", date="2025-11-04"),
            invoice("i2", "c1", "PD-2", date="2026-03-10", currency="EUR", total="600.00"),
            invoice("i3", "c2", "PD-3", date="2026-03-29"),
            invoice("i4", "c2", "PD-3", date="2026-03-30", status="VOIDED"),
            invoice("b1", "c3", None, date="2026-03-05", type="ACCPAY"),
            invoice("i5", "c1", None, date="2026-11-02", status="DRAFT"),
        ],
        invoice_lines=[
            line("i1", "1"),
            line("i1", "2"),
            line("i2", "1"),
            line("i3", "1"),
            line("i4", "1"),
            line("b1", "1"),
        ],
        payments=[{"payment_id": "y1", "invoice_id": "i1", "date": "2025-11-20", "amount": "1200.00"}],
    )


def test_monthly_counts_and_averages() -> None:
    volumes = measure_volumes(_client())
    monthly = volumes.monthly.set_index("month")
    assert monthly.index[0] == "2025-01" and monthly.index[-1] == "2026-11"  # from the first org created
    assert monthly.loc[
        "2026-03", ["deals_won", "sales_invoices", "sales_invoice_lines", "bills"]
    ].tolist() == [
        2,
        3,  # a voided invoice was still created, so a sync still carried it
        3,
        1,
    ]
    assert monthly.loc["2025-11", "payments"] == 1
    events = volumes.events.set_index("event")
    # the twelve full months Nov 2025 - Oct 2026: 1 + 3 sales invoices
    assert events.loc["sales_invoices", "average_per_month"] == round(4 / AVERAGE_MONTHS, 1)
    assert (events.loc["sales_invoices", "peak_month"], events.loc["sales_invoices", "peak"]) == (
        "2026-03",
        3,
    )
    assert (volumes.peak_month, volumes.peak_month_invoices) == ("2026-03", 3)
    # Nov 2026 is partial: shown, not averaged
    assert (
        monthly.loc["2026-11", "sales_invoices"] == 1 and events.loc["sales_invoices", "last_full_month"] == 0
    )


def test_lines_per_invoice_counts_sales_invoices_only() -> None:
    assert measure_volumes(_client()).average_lines_per_invoice == round(5 / 5, 2)


def test_custom_fields_in_use() -> None:
    fields = measure_volumes(_client()).custom_fields.set_index(["table", "field"])
    assert fields.loc[("organisations", "Sector"), ["populated", "records"]].tolist() == [1, 3]  # "" is empty
    assert fields.loc[("organisations", "Legacy code"), "populated"] == 0  # defined, never filled
    assert not fields.loc[("organisations", "9f3e"), "defined"]  # on records, in no definition
    assert fields.loc[("deals", "VAT treatment"), "share"] == 0.25
    assert ("deals", "Title") not in fields.index  # standard fields are not custom


def test_currencies_products_and_counts() -> None:
    volumes = measure_volumes(_client())
    currencies = volumes.currencies.set_index("currency")
    assert currencies.loc["EUR", ["deals", "sales_invoices"]].tolist() == [1, 1]
    assert currencies.loc["EUR", "invoiced_total"] == Decimal("600.00")
    assert currencies.loc["GBP", "sales_invoices"] == 3  # the voided one is not invoiced money
    products = volumes.products.set_index("code")
    assert products.loc["CONS-DAY", ["crm_product", "xero_item", "deal_lines", "deals"]].tolist() == [
        True,
        True,
        2,
        2,
    ]
    assert products.loc["KIT", "xero_item"] == False  # noqa: E712 - a CRM product with no Xero item
    assert products.loc["MILES", "crm_product"] == False  # noqa: E712
    counts = volumes.counts.set_index("table")
    assert counts.loc["invoices", ["records", "live"]].tolist() == [6, 5]


def test_edited_on_both_sides_within_the_window() -> None:
    edited = measure_volumes(_client()).edited_both_sides.iloc[0]
    # org 1 and c1 both edited in the last 90 days; org 2 edited but c2 not; c3 edited but org 3 not
    assert edited[["linked_pairs", "crm_edited", "xero_edited", "both_edited"]].tolist() == [3, 2, 2, 1]
    assert edited["share_both"] == round(1 / 3, 3)
    links = pd.DataFrame({"source": ["pipedrive"], "org_id": ["3"], "contact_id": ["c1"]})
    assert measure_volumes(_client(), links).edited_both_sides.iloc[0]["linked_pairs"] == 1


def test_empty_engagement() -> None:
    volumes = measure_volumes(profile())
    assert volumes.average_lines_per_invoice == 0.0 and volumes.peak_month is None
    assert len(volumes.monthly) == 1 and volumes.custom_fields.empty


@pytest.mark.parametrize("which", ["demo", "other_demo", "hubspot_demo"])
def test_demo_volumes_match_counts_taken_straight_from_the_frames(
    which: str, request: pytest.FixtureRequest
) -> None:
    pulled: PulledDemo = request.getfixturevalue(which)
    tables = pulled.tables
    volumes = measure_volumes(tables)
    deals, invoices, lines = tables["deals"], tables["invoices"], tables["invoice_lines"]
    won = deals[deals["status"] == "won"]
    by_month = Counter(f"{t:%Y-%m}" for t in won["won_time"])
    assert volumes.monthly.set_index("month")["deals_won"].loc[lambda s: s > 0].to_dict() == dict(by_month)
    sales = invoices[invoices["type"] == "ACCREC"]
    assert volumes.monthly["sales_invoices"].sum() == len(sales)
    assert volumes.monthly["bills"].sum() == len(invoices) - len(sales)
    assert volumes.average_lines_per_invoice == round(
        lines["invoice_id"].isin(set(sales["invoice_id"])).sum() / len(sales), 2
    )
    peak = Counter(f"{d:%Y-%m}" for d in sales["date"]).most_common(1)[0]
    assert (volumes.peak_month, volumes.peak_month_invoices) == peak
    counts = volumes.counts.set_index("table")["records"]
    for name, expected in pulled.manifest["counts"].items():
        table = {
            "xero.contacts": "xero_contacts",
            "xero.invoices": "invoices",
            "pipedrive.deals": "deals",
        }.get(name)
        if table:
            assert counts[table] == expected, name
    sector = sum(1 for f in tables["organisations"]["custom_fields"] if f.get("Sector"))
    fields = volumes.custom_fields.set_index(["table", "field"])
    assert fields.loc[("organisations", "Sector"), "populated"] == sector
    currencies = volumes.currencies.set_index("currency")["deals"]
    assert currencies.to_dict() == deals["currency"].value_counts().to_dict()
