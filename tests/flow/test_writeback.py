"""Write-back onto deals through the Pipedrive emulator: the flow's fields found or created (only when
allowed), values under the right hashes, and nothing rewritten that the deal already shows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.flow.writeback_support import xero_invoice
from tests.pipedrive.harness import PipedriveHarness, pipedrive_harness
from tests.sandbox.pipedrive_support import INVOICE_FIELD, pipedrive_company
from workbench.errors import ConfigurationError
from workbench.flow.writeback import (
    CREATE_FIELDS_OPTION,
    FieldKeys,
    ensure_fields,
    invoice_state,
    write_back,
)
from workbench.flow.writeback_fields import (
    DEAL_AMOUNT_DUE,
    DEAL_INVOICE_ID,
    DEAL_INVOICE_NUMBER,
    DEAL_INVOICE_STATUS,
    ORGANISATION_ACCOUNT_STATUS,
    WRITEBACK_FIELDS,
)

TODAY = date(2026, 11, 26)


def _patches(harness: PipedriveHarness, since: int = 0) -> list[str]:
    return [e.path for e in harness.exchanges[since:] if e.method == "PATCH"]


def _deal_fields(harness: PipedriveHarness, deal_id: int) -> dict[str, Any]:
    answer = harness.client.session.request("GET", f"{harness.client.v2}/deals/{deal_id}")
    fields: dict[str, Any] = answer.json()["data"]["custom_fields"]
    return fields


@pytest.fixture
def harness() -> PipedriveHarness:
    return pipedrive_harness(pipedrive_company(deals=12))


@pytest.fixture
def keys(harness: PipedriveHarness) -> FieldKeys:
    return ensure_fields(harness.client, create=True)


def test_missing_fields_are_an_error_naming_them_and_the_option(harness: PipedriveHarness) -> None:
    with pytest.raises(ConfigurationError) as raised:
        ensure_fields(harness.client, create=False)
    message = str(raised.value)
    for wanted in WRITEBACK_FIELDS:
        if wanted is not DEAL_INVOICE_NUMBER:  # the factory company has that one already
            assert f"'{wanted.name}'" in message
    assert f"'{DEAL_INVOICE_NUMBER.name}'" not in message
    assert CREATE_FIELDS_OPTION in raised.value.hint
    assert not [e for e in harness.exchanges if e.method != "GET"]  # nothing created


def test_fields_are_created_once_when_allowed_and_found_by_name_after(harness: PipedriveHarness) -> None:
    keys = ensure_fields(harness.client, create=True)
    assert keys.of(DEAL_INVOICE_NUMBER).code == INVOICE_FIELD  # the existing field is reused
    assert set(keys.created) == {f.name for f in WRITEBACK_FIELDS} - {DEAL_INVOICE_NUMBER.name}
    posts = [e.path for e in harness.exchanges if e.method == "POST"]
    assert sorted(posts) == ["/api/v2/dealFields"] * 3 + ["/api/v2/organizationFields"]
    assert keys.calls == 2 + 4  # two field listings, four creations
    defined = {f["field_code"]: f for f in harness.client.list_all("dealFields")}
    assert defined[keys.of(DEAL_AMOUNT_DUE).code]["field_type"] == "monetary"
    assert defined[keys.of(DEAL_INVOICE_STATUS).code]["field_type"] == "varchar"
    org_fields = {f["field_code"]: f for f in harness.client.list_all("organizationFields")}
    assert org_fields[keys.of(ORGANISATION_ACCOUNT_STATUS).code]["field_name"] == "Xero account status"
    again = ensure_fields(harness.client, create=False)
    assert again.created == () and again.calls == 2
    assert {k: v.code for k, v in again.keys.items()} == {k: v.code for k, v in keys.keys.items()}


def test_a_field_of_the_wrong_type_or_twice_over_is_an_error() -> None:
    company = pipedrive_company(deals=4)
    company.deal_fields.append(
        {"field_code": "9" * 40, "field_name": "xero amount due", "field_type": "enum",
         "is_custom_field": True, "options": [{"id": 1, "label": "x"}]}
    )  # fmt: skip
    with pytest.raises(ConfigurationError, match="is a enum field; the flow writes monetary or double"):
        ensure_fields(pipedrive_harness(company).client, create=True)
    company = pipedrive_company(deals=4)
    company.deal_fields.append(
        {"field_code": "8" * 40, "field_name": "Xero Invoice Number", "field_type": "varchar",
         "is_custom_field": True}
    )  # fmt: skip
    with pytest.raises(ConfigurationError, match="2 deal fields called 'Xero invoice number'"):
        ensure_fields(pipedrive_harness(company).client, create=True)


def test_values_land_under_the_right_hashes(harness: PipedriveHarness, keys: FieldKeys) -> None:
    invoice = xero_invoice(3, amount_due="1234.56")
    result = write_back(harness.client, keys, [invoice], today=TODAY)
    assert result.written == ["3"] and result.calls == 1
    shown = _deal_fields(harness, 3)
    assert shown[keys.of(DEAL_INVOICE_NUMBER).code] == "INV-0003"
    assert shown[keys.of(DEAL_INVOICE_ID).code] == invoice["InvoiceID"]
    assert shown[keys.of(DEAL_INVOICE_STATUS).code] == "DRAFT"
    assert shown[keys.of(DEAL_AMOUNT_DUE).code] == {"value": 1234.56, "currency": "GBP"}
    assert _deal_fields(harness, 4)[keys.of(DEAL_INVOICE_ID).code] is None  # no other deal touched


def test_a_rerun_writes_nothing_and_a_change_writes_only_what_changed(
    harness: PipedriveHarness, keys: FieldKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[dict[str, Any]] = []
    patch = harness.client.update_deal_custom_fields

    def spy(deal_id: int | str, values: dict[str, Any]) -> dict[str, Any]:
        sent.append(dict(values))
        return patch(deal_id, values)

    monkeypatch.setattr(harness.client, "update_deal_custom_fields", spy)
    invoices = [xero_invoice(n) for n in (1, 2, 3)]
    assert write_back(harness.client, keys, invoices, current={}, today=TODAY).written == ["1", "2", "3"]
    # what the deals show now, raw from Pipedrive (keyed by hash)
    shown = {str(n): _deal_fields(harness, n) for n in (1, 2, 3)}
    mark = len(harness.exchanges)
    again = write_back(harness.client, keys, invoices, current=shown, today=TODAY)
    assert (again.written, again.unchanged, again.calls) == ([], 3, 0)
    assert _patches(harness, mark) == []
    # deal 2 paid in Xero: one PATCH, carrying only the status and the amount due
    paid = xero_invoice(2, status="PAID", amount_due="0.00", total="120.00")
    changed = write_back(harness.client, keys, [invoices[0], paid, invoices[2]], current=shown, today=TODAY)
    assert changed.written == ["2"] and _patches(harness, mark) == ["/api/v2/deals/2"]
    changed_fields = (DEAL_INVOICE_STATUS, DEAL_AMOUNT_DUE)
    assert set(sent[-1]) == {keys.of(f).code for f in changed_fields}
    after = _deal_fields(harness, 2)
    assert after[keys.of(DEAL_INVOICE_STATUS).code] == "PAID"
    assert after[keys.of(DEAL_AMOUNT_DUE).code] == {"value": 0, "currency": "GBP"}
    assert after[keys.of(DEAL_INVOICE_NUMBER).code] == "INV-0002"


def test_a_snapshot_by_field_name_counts_as_shown(harness: PipedriveHarness, keys: FieldKeys) -> None:
    """The canonical deals table keys custom fields by name and stores money as text."""
    snapshot = {
        "5": {
            "Xero invoice number": "INV-0005",
            "Xero InvoiceID": xero_invoice(5)["InvoiceID"],
            "Xero invoice status": "DRAFT",
            "Xero amount due": {"value": "120.00", "currency": "GBP"},
            "VAT treatment": "Standard rated (20%)",
        }
    }
    result = write_back(harness.client, keys, [xero_invoice(5)], current=snapshot, today=TODAY)
    assert (result.written, result.unchanged) == ([], 1)
    snapshot["5"]["Xero amount due"] = {"value": "120.00", "currency": "EUR"}
    assert write_back(harness.client, keys, [xero_invoice(5)], current=snapshot, today=TODAY).written == ["5"]


def test_invoices_that_bill_no_deal_or_were_not_created_are_left_alone(
    harness: PipedriveHarness, keys: FieldKeys
) -> None:
    invoices = [
        xero_invoice(6, reference="PO 4471"),
        xero_invoice(7, reference="PD-7/02"),  # an instalment: not the flow's one invoice per deal
        xero_invoice(8, reference="HS-8"),  # another CRM's deal
        xero_invoice(9, invoice_id="00000000-0000-0000-0000-000000000000", StatusAttributeString="ERROR"),
    ]
    result = write_back(harness.client, keys, invoices, today=TODAY)
    assert (result.written, result.not_deals, result.calls) == ([], 4, 0)


def test_overdue_is_worked_out_from_the_due_date_and_amount_due() -> None:
    state = invoice_state(xero_invoice(1, status="AUTHORISED", due=date(2026, 11, 20)))
    assert state is not None and state.amount_due == Decimal("120.00")
    assert state.deal_status(date(2026, 11, 20)) == "AUTHORISED"  # due today is not late
    assert state.deal_status(date(2026, 11, 21)) == "OVERDUE"
    settled = invoice_state(xero_invoice(1, status="AUTHORISED", amount_due="0", due=date(2026, 1, 1)))
    assert settled is not None and settled.deal_status(TODAY) == "AUTHORISED"


def test_an_amount_due_field_made_as_a_number_gets_a_number() -> None:
    company = pipedrive_company(deals=4)
    company.deal_fields.append(
        {
            "field_code": "7" * 40,
            "field_name": "Xero amount due",
            "field_type": "double",
            "is_custom_field": True,
        }
    )
    harness = pipedrive_harness(company)
    keys = ensure_fields(harness.client, create=True)
    assert keys.of(DEAL_AMOUNT_DUE).code == "7" * 40
    write_back(harness.client, keys, [xero_invoice(2, amount_due="99.95")], today=TODAY)
    shown = _deal_fields(harness, 2)
    assert shown["7" * 40] == 99.95
    again = write_back(harness.client, keys, [xero_invoice(2, amount_due="99.95")], current={"2": shown})
    assert again.written == []


def test_a_deal_gone_from_the_crm_is_reported_and_the_rest_written(
    harness: PipedriveHarness, keys: FieldKeys
) -> None:
    result = write_back(harness.client, keys, [xero_invoice(999), xero_invoice(4)], today=TODAY)
    assert result.written == ["4"] and list(result.failed) == ["999"]
    assert "not found" in result.failed["999"].lower()


def test_the_writer_goes_by_the_crm_and_names_one_it_cannot_write_to() -> None:
    from tests.hubspot.harness import hubspot_harness
    from workbench.flow.crm_writer import writer_for
    from workbench.flow.hubspot_writer import HubSpotWriter
    from workbench.flow.pipedrive_writer import PipedriveWriter

    assert isinstance(writer_for(pipedrive_harness(pipedrive_company(deals=1)).client), PipedriveWriter)
    hubspot = writer_for(hubspot_harness().client)
    assert isinstance(hubspot, HubSpotWriter) and writer_for(hubspot) is hubspot
    with pytest.raises(ConfigurationError, match="cannot write invoice details back to object") as raised:
        writer_for(object())
    assert raised.value.hint is not None and "--no-write-back" in raised.value.hint
