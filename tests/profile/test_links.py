"""Invoice References read back as the deals they bill."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.profile.links import invoice_deal_links
from workbench.profile.tables import ProfileTables
from workbench.references import DealReference, deal_reference, parse_deal_reference


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PD-1172", DealReference("pipedrive", "1172")),
        ("PD-1172/03", DealReference("pipedrive", "1172", 3)),
        (" pd 0042 / 1 ", DealReference("pipedrive", "42", 1)),
        ("HS-9", DealReference("hubspot", "9")),
        ("PO-1172", None),
        ("", None),
        (None, None),
        ("Deal 1172", None),
    ],
)
def test_references_name_a_deal_only_in_the_deal_form(text: object, expected: DealReference | None) -> None:
    assert parse_deal_reference(text) == expected


def test_the_flow_writes_what_the_profile_reads() -> None:
    assert deal_reference("pipedrive", 12, 3) == "PD-12/03"
    assert parse_deal_reference(deal_reference("hubspot", "77")) == DealReference("hubspot", "77")
    with pytest.raises(ValueError, match="no invoice reference prefix"):
        deal_reference("salesforce", 1)


def test_links_cover_live_sales_invoices_and_say_whether_the_deal_exists() -> None:
    invoices = pd.DataFrame(
        [
            ("i1", "ACCREC", "AUTHORISED", "PD-1", "INV-1"),
            ("i2", "ACCREC", "PAID", "PD-2/01", "INV-2"),
            ("i3", "ACCREC", "VOIDED", "PD-1", "INV-3"),  # voided: bills nothing
            ("i4", "ACCPAY", "AUTHORISED", "PD-1", "BILL-1"),  # a bill, not a sale
            ("i5", "ACCREC", "DRAFT", "PO-77", "INV-5"),  # a purchase order number
            ("i6", "ACCREC", "DRAFT", "PD-99", "INV-6"),  # names a deal that does not exist
        ],
        columns=["invoice_id", "type", "status", "reference", "invoice_number"],
    )
    deals = pd.DataFrame({"source": ["pipedrive", "pipedrive"], "deal_id": ["1", "2"]})
    links = invoice_deal_links(ProfileTables({"invoices": invoices, "deals": deals}))
    assert links["invoice_id"].tolist() == ["i1", "i2", "i6"]
    assert links["deal_id"].tolist() == ["1", "2", "99"]
    assert links["instalment"].tolist() == [pd.NA, 1, pd.NA]
    assert links["deal_exists"].tolist() == [True, True, False]
