"""The profile → route adapter on small hand-built volumes, findings and tables."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from workbench.profile.findings import FINDING_COLUMNS
from workbench.profile.tables import ProfileTables
from workbench.profile.volumes import Volumes
from workbench.route.from_profile import route_inputs, tax_kind, tax_profile

AS_OF = date(2026, 6, 30)


def _stamp(days_before: int) -> datetime:
    return datetime(2026, 6, 30, 12, tzinfo=UTC) - timedelta(days=days_before)


def hand_volumes() -> Volumes:
    return Volumes(
        counts=pd.DataFrame(
            {
                "table": ["organisations", "xero_contacts", "people"],
                "records": [205, 260, 400],
                "live": [200, 250, 400],
            }
        ),
        monthly=pd.DataFrame(),
        events=pd.DataFrame(
            {
                "event": ["deals_won", "sales_invoices", "payments", "organisations_created"],
                "average_per_month": [40.0, 62.5, 58.0, 3.0],
            }
        ),
        custom_fields=pd.DataFrame(
            {
                "entity": ["organization", "organization", "deal", "person", "deal", "product"],
                "table": ["organisations", "organisations", "deals", "people", "deals", "products"],
                "field": [
                    "Sector",
                    "Xero contact ID",
                    "PO number",
                    "Job role",
                    "Unused",
                    "Xero account code",
                ],
                "populated": pd.array([150, 120, 30, 400, 0, None], dtype="Int64"),
            }
        ),
        currencies=pd.DataFrame(
            {
                "currency": ["EUR", "GBP", "USD"],
                "deals": [3, 100, 0],
                "deal_value": [Decimal(1), Decimal(2), Decimal(0)],
                "sales_invoices": [0, 700, 0],
                "invoiced_total": [Decimal(0), Decimal(2), Decimal(0)],
            }
        ),
        products=pd.DataFrame(),
        edited_both_sides=pd.DataFrame(
            [{"window_days": 90, "linked_pairs": 150, "crm_edited": 12, "xero_edited": 9, "both_edited": 4}]
        ),
        api_calls=pd.DataFrame(
            {"system": ["xero", "xero", "pipedrive"], "table": ["a", "b", "c"], "calls": [1, 3, 2]}
        ),
        average_lines_per_invoice=1.8,
        peak_month="2026-03",
        peak_month_invoices=95,
    )


def hand_findings() -> pd.DataFrame:
    rows = [
        ("duplicate_organization", {"organisations": ["o1", "o2", "o3"]}),
        ("duplicate_organization", {"organisations": ["o4", "o5"]}),
        ("possible_duplicate_organization", {"organisations": ["o6", "o7"]}),
        ("duplicate_contact", {"xero_contacts": ["c1", "c2"]}),
        ("reverse_charge_customer", {"invoices": ["i2"]}),
    ]
    return pd.DataFrame(
        [
            {"kind": kind, "severity": "high", "subject_table": next(iter(records)), "subject_id": "x",
             "records": records, "explanation": "", "fix": "", "evidence": {}}
            for kind, records in rows
        ],
        columns=list(FINDING_COLUMNS),
    )  # fmt: skip


def hand_tables() -> ProfileTables:
    invoices = pd.DataFrame(
        {
            "invoice_id": ["i1", "i2", "i3", "i4", "b1"],
            "type": ["ACCREC", "ACCREC", "ACCREC", "ACCREC", "ACCPAY"],
            "status": ["PAID", "AUTHORISED", "DRAFT", "VOIDED", "PAID"],
        }
    )
    lines = pd.DataFrame(
        {
            "invoice_id": ["i1", "i1", "i2", "i2", "i3", "i4", "b1"],
            "line_id": list("abcdefg"),
            "tax_type": [
                "OUTPUT2",
                "OUTPUT2",
                "OUTPUT2",
                "DRCHARGE20",
                "ZERORATEDOUTPUT",
                "EXEMPTOUTPUT",
                "INPUT2",
            ],
        }
    )
    rates = pd.DataFrame(
        {
            "tax_type": ["OUTPUT2", "DRCHARGE20", "ZERORATEDOUTPUT", "EXEMPTOUTPUT", "INPUT2"],
            "name": [
                "20% (VAT on Income)",
                "Domestic Reverse Charge @ 20% (VAT on Income)",
                "Zero Rated Income",
                "Exempt Income",
                "20% (VAT on Expenses)",
            ],
            "display_rate": [Decimal(20), Decimal(0), Decimal(0), Decimal(0), Decimal(20)],
            "can_apply_to_revenue": [True, True, True, True, False],
        }
    )
    orgs = pd.DataFrame(
        {
            "org_id": [f"o{i}" for i in range(8)],
            "updated_at": [_stamp(d) for d in (1, 10, 30, 60, 85, 89, 120, 400)],
            "is_deleted": [False, False, False, False, False, False, False, True],
        }
    )
    contacts = pd.DataFrame({"contact_id": list("abcd"), "updated_at": [_stamp(d) for d in (5, 50, 95, 200)]})
    frames = {"invoices": invoices, "invoice_lines": lines, "tax_rates": rates, "organisations": orgs,
              "xero_contacts": contacts}  # fmt: skip
    return ProfileTables(frames, AS_OF)


def test_volumes_and_evidence_come_from_the_profile() -> None:
    measured, evidence = route_inputs(hand_volumes(), hand_findings(), hand_tables())
    assert (measured.deals_won_per_month, measured.invoices_per_month, measured.payments_per_month) == (
        40,
        62.5,
        58,
    )
    assert measured.average_lines_per_invoice == 1.8
    # filled on organisations and deals, the Xero id field left out (it is the link, not data)
    assert measured.custom_field_names == ["Sector", "PO number"]
    assert measured.custom_fields == 2
    assert measured.currencies == ["EUR", "GBP"]
    assert (measured.peak_month, measured.peak_month_invoices) == ("2026-03", 95)
    # 6 live organisations and 2 Xero contacts changed in the last 90 days, per 30-day month
    assert (measured.contact_changes_per_month, measured.xero_contact_changes_per_month) == (2.0, 0.7)
    # certain/likely clusters only: 2 + 1 organisations to merge away of 200 live; 1 of 250 contacts
    assert evidence.duplicate_clusters == {"organisations": 2, "people": 0, "xero_contacts": 1}
    assert evidence.duplicate_records == {"organisations": 3, "people": 0, "xero_contacts": 1}
    assert (measured.duplicate_rate, measured.duplicate_side) == (0.015, "organisations")
    assert evidence.finding_counts["possible_duplicate_organization"] == 1
    assert evidence.backfill_xero_calls == 4
    assert (evidence.linked_pairs, evidence.edited_both_sides, evidence.both_sides_window_days) == (
        150,
        4,
        90,
    )


def test_the_tax_profile_reads_live_sales_lines_through_the_tenants_rates() -> None:
    profile = tax_profile(hand_tables())
    assert profile.lines == 5  # the voided invoice and the bill are left out
    assert (profile.standard_share, profile.reverse_charge_share, profile.zero_share) == (0.6, 0.2, 0.2)
    assert (profile.invoices, profile.mixed_rate_invoices) == (3, 1)
    assert profile.non_standard_share == pytest.approx(0.4)


def test_without_tables_contact_changes_come_from_the_volumes() -> None:
    measured, _ = route_inputs(hand_volumes(), hand_findings())
    # 3 organisations created a month + 12 linked ones edited in 90 days
    assert (measured.contact_changes_per_month, measured.xero_contact_changes_per_month) == (7.0, None)
    assert measured.tax.lines == 0


def test_no_findings_is_an_empty_evidence_not_an_error() -> None:
    _, evidence = route_inputs(hand_volumes(), pd.DataFrame())
    assert evidence.finding_counts == {}
    assert evidence.duplicate_records == {"organisations": 0, "people": 0, "xero_contacts": 0}


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("OUTPUT2", "standard"),
        ("RROUTPUT", "reduced"),
        ("ZERORATEDOUTPUT", "zero"),
        ("EXEMPTOUTPUT", "exempt"),
        ("NONE", "no_vat"),
        ("ECZROUTPUTSERVICES", "ec"),
        ("DRCHARGE5", "reverse_charge"),
        ("INPUT2", "other"),  # a purchase-side code on a sales line
        (None, "other"),
    ],
)
def test_tax_kinds(code, kind) -> None:
    rates = hand_tables()["tax_rates"].set_index("tax_type")
    assert tax_kind(code, rates) == kind
