"""Write-back onto deals through each CRM's emulator (Pipedrive and HubSpot, the shared cases run on
both): the flow's fields found or created (only when allowed), values under the right codes in the
emulator's own state, and nothing rewritten that the deal already shows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.flow.writeback_support import CRMS, CrmSide, crm_side, xero_invoice
from tests.pipedrive.harness import PipedriveHarness, pipedrive_harness
from tests.sandbox.pipedrive_support import INVOICE_FIELD, pipedrive_company
from workbench.errors import ConfigurationError
from workbench.flow.crm_fields import current_values
from workbench.flow.crm_writer import Written, writer_for
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


@pytest.fixture(params=CRMS)
def side(request: pytest.FixtureRequest) -> CrmSide:
    """Either CRM's emulator (12 deals) with the flow's fields created."""
    return crm_side(request.param)


def _ready(side: CrmSide) -> FieldKeys:
    return ensure_fields(side.client, create=True)


def _shown(side: CrmSide, keys: FieldKeys, deal_id: int) -> dict[str, Any]:
    """The flow's values on a deal as the emulator holds them, compared as the flow compares."""
    return current_values(side.stored("deal", deal_id), keys.for_entity("deal"))


def _amount(side: CrmSide, amount: str, currency: str = "GBP") -> tuple[Decimal, str | None]:
    """An amount due as it reads back: a Pipedrive monetary field keeps the currency, a HubSpot number
    does not (the deal's own currency is the amount's)."""
    return Decimal(amount), currency if side.crm == "pipedrive" else None


# both CRMs ----------------------------------------------------------------------------------------------
def test_missing_fields_are_an_error_naming_each_and_nothing_is_created(side: CrmSide) -> None:
    with pytest.raises(ConfigurationError) as raised:
        ensure_fields(side.client, create=False)
    message = str(raised.value)
    label, organisation = ("Pipedrive", "organization field") if side.crm == "pipedrive" else (
        "HubSpot", "company property")  # fmt: skip
    assert message.startswith(f"{label} has no ")
    assert f"{organisation} '{ORGANISATION_ACCOUNT_STATUS.name}'" in message
    for wanted in WRITEBACK_FIELDS:
        if not (side.crm == "pipedrive" and wanted is DEAL_INVOICE_NUMBER):  # Pipedrive's company has it
            assert f"'{wanted.name}'" in message
    assert CREATE_FIELDS_OPTION in raised.value.hint
    assert side.writes() == []


def test_values_land_under_the_right_codes(side: CrmSide) -> None:
    keys = _ready(side)
    mark = side.mark()
    invoice = xero_invoice(3, amount_due="1234.56", source=side.crm)
    result = write_back(side.client, keys, [invoice], today=TODAY)
    assert result.written == ["3"] and result.calls == 1 and len(side.writes(mark)) == 1
    assert _shown(side, keys, 3) == {
        DEAL_INVOICE_NUMBER.key: "INV-0003",
        DEAL_INVOICE_ID.key: invoice["InvoiceID"],
        DEAL_INVOICE_STATUS.key: "DRAFT",
        DEAL_AMOUNT_DUE.key: _amount(side, "1234.56"),
    }
    assert side.stored("deal", 3)[keys.of(DEAL_INVOICE_ID).code] == invoice["InvoiceID"]
    assert side.stored("deal", 4).get(keys.of(DEAL_INVOICE_ID).code) is None  # no other deal touched


def test_a_rerun_writes_nothing_and_a_change_writes_only_what_changed(
    side: CrmSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = _ready(side)
    writer = writer_for(side.client)
    sent: list[dict[str, dict[str, Any]]] = []
    write = writer.write

    def spy(entity: str, patches: Any) -> Written:
        sent.append({k: dict(v) for k, v in patches.items()})
        return write(entity, patches)

    monkeypatch.setattr(writer, "write", spy)
    invoices = [xero_invoice(n, source=side.crm) for n in (1, 2, 3)]
    mark = side.mark()
    assert write_back(writer, keys, invoices, current={}, today=TODAY).written == ["1", "2", "3"]
    # Pipedrive: a PATCH a deal; HubSpot: one batch update
    first = side.writes(mark)
    assert len(first) == (3 if side.crm == "pipedrive" else 1), first
    # what the deals hold now, raw (by code)
    shown = {str(n): side.stored("deal", n) for n in (1, 2, 3)}
    mark = side.mark()
    again = write_back(writer, keys, invoices, current=shown, today=TODAY)
    assert (again.written, again.unchanged, again.calls) == ([], 3, 0)
    assert side.writes(mark) == []
    # deal 2 paid in Xero: one write, carrying only the status and the amount due
    paid = xero_invoice(2, status="PAID", amount_due="0.00", total="120.00", source=side.crm)
    changed = write_back(writer, keys, [invoices[0], paid, invoices[2]], current=shown, today=TODAY)
    assert changed.written == ["2"] and len(side.writes(mark)) == 1
    assert side.writes(mark)[0].startswith("PATCH ") and side.writes(mark)[0].endswith("/deals/2")
    assert list(sent[-1]) == ["2"]
    assert set(sent[-1]["2"]) == {keys.of(DEAL_INVOICE_STATUS).code, keys.of(DEAL_AMOUNT_DUE).code}
    after = _shown(side, keys, 2)
    assert after[DEAL_INVOICE_STATUS.key] == "PAID" and after[DEAL_AMOUNT_DUE.key] == _amount(side, "0")
    assert after[DEAL_INVOICE_NUMBER.key] == "INV-0002"


def test_a_snapshot_by_field_name_counts_as_shown(side: CrmSide) -> None:
    """The canonical deals table keys custom fields by name (HubSpot: by label) and stores money as text."""
    keys = _ready(side)
    amount: Any = {"value": "120.00", "currency": "GBP"} if side.crm == "pipedrive" else "120.00"
    snapshot = {
        "5": {
            "Xero invoice number": "INV-0005",
            "Xero InvoiceID": xero_invoice(5)["InvoiceID"],
            "Xero invoice status": "DRAFT",
            "Xero amount due": amount,
            "VAT treatment": "Standard rated (20%)",
        }
    }
    invoice = xero_invoice(5, source=side.crm)
    result = write_back(side.client, keys, [invoice], current=snapshot, today=TODAY)
    assert (result.written, result.unchanged) == ([], 1)
    snapshot["5"]["Xero amount due"] = (
        {"value": "120.00", "currency": "EUR"} if side.crm == "pipedrive" else "119.99"
    )
    assert write_back(side.client, keys, [invoice], current=snapshot, today=TODAY).written == ["5"]


def test_invoices_that_bill_no_deal_or_were_not_created_are_left_alone(side: CrmSide) -> None:
    keys = _ready(side)
    prefix, other = ("PD", "HS") if side.crm == "pipedrive" else ("HS", "PD")
    invoices = [
        xero_invoice(6, reference="PO 4471"),
        xero_invoice(7, reference=f"{prefix}-7/02"),  # an instalment: not the flow's one invoice per deal
        xero_invoice(8, reference=f"{other}-8"),  # another CRM's deal
        xero_invoice(
            9,
            invoice_id="00000000-0000-0000-0000-000000000000",
            StatusAttributeString="ERROR",
            source=side.crm,
        ),
    ]
    mark = side.mark()
    result = write_back(side.client, keys, invoices, today=TODAY)
    assert (result.written, result.not_deals, result.calls) == ([], 4, 0) and side.writes(mark) == []


def test_a_deal_gone_from_the_crm_is_reported_and_the_rest_written(side: CrmSide) -> None:
    keys = _ready(side)
    invoices = [xero_invoice(999, source=side.crm), xero_invoice(4, source=side.crm)]
    result = write_back(side.client, keys, invoices, today=TODAY)
    assert result.written == ["4"] and list(result.failed) == ["999"]
    assert _shown(side, keys, 4)[DEAL_INVOICE_NUMBER.key] == "INV-0004"
    said = result.failed["999"].lower()
    assert "not found" in said if side.crm == "pipedrive" else "deleted or not exist" in said
    # HubSpot alone: one deal is a PATCH, whose 404 is reported the same way
    alone = write_back(side.client, keys, [xero_invoice(998, source=side.crm)], today=TODAY)
    assert alone.written == [] and list(alone.failed) == ["998"]


# Pipedrive ---------------------------------------------------------------------------------------------


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


# HubSpot -----------------------------------------------------------------------------------------------
def _definitions(side: CrmSide, object_type: str) -> dict[str, dict[str, Any]]:
    return dict(side.emulator.store.definition_map(object_type))


def test_hubspot_properties_are_created_once_in_the_object_s_group_and_found_by_label_after() -> None:
    side = crm_side("hubspot")
    keys = ensure_fields(side.client, create=True)
    assert set(keys.created) == {f.name for f in WRITEBACK_FIELDS}
    assert (
        sorted(side.writes()) == ["POST /crm/v3/properties/companies"] + ["POST /crm/v3/properties/deals"] * 4
    )
    assert keys.calls == 2 + 5  # two property listings, five creations
    deals, companies = _definitions(side, "deals"), _definitions(side, "companies")
    made = {f.key: deals.get(keys.of(f).code) or companies[keys.of(f).code] for f in WRITEBACK_FIELDS}
    assert {k: (d["type"], d["fieldType"]) for k, d in made.items()} == {
        DEAL_INVOICE_NUMBER.key: ("string", "text"),
        DEAL_INVOICE_ID.key: ("string", "text"),
        DEAL_INVOICE_STATUS.key: ("string", "text"),
        DEAL_AMOUNT_DUE.key: ("number", "number"),
        ORGANISATION_ACCOUNT_STATUS.key: ("string", "text"),
    }
    assert {d["groupName"] for k, d in made.items() if k != "account_status"} == {"dealinformation"}
    assert made["account_status"]["groupName"] == "companyinformation"
    assert (
        made[DEAL_INVOICE_ID.key]["name"] == "xero_invoiceid"
        and made[DEAL_INVOICE_ID.key]["label"] == "Xero InvoiceID"
    )
    mark = side.mark()
    again = ensure_fields(side.client, create=False)
    assert again.created == () and again.calls == 2 and side.writes(mark) == []
    assert {k: v.code for k, v in again.keys.items()} == {k: v.code for k, v in keys.keys.items()}


def _portal_with(**deal_property: Any) -> Any:
    from tests.sandbox.hubspot_support import hubspot_portal

    portal = hubspot_portal(companies=12, deals=4)
    portal.properties["deals"].append({"groupName": "dealinformation", **deal_property})
    return portal


def test_a_hubspot_property_found_by_its_label_or_name_is_reused_and_checked() -> None:
    # an operator's own property, named differently but labelled the flow's way, is the field
    side = crm_side("hubspot", portal=_portal_with(name="inv_no", label="Xero Invoice Number", type="string",
                                                   fieldType="text"))  # fmt: skip
    keys = ensure_fields(side.client, create=True)
    assert keys.of(DEAL_INVOICE_NUMBER).code == "inv_no" and DEAL_INVOICE_NUMBER.name not in keys.created
    write_back(side.client, keys, [xero_invoice(2, source="hubspot")], today=TODAY)
    assert side.stored("deal", 2)["inv_no"] == "INV-0002"

    option = {"label": "x", "value": "x", "displayOrder": 0, "hidden": False}
    wrong = _portal_with(
        name="xero_amount_due", label="Amount owed", type="enumeration", fieldType="select", options=[option]
    )
    with pytest.raises(ConfigurationError, match="deal property 'Amount owed' is a enumeration property; "
                       "the flow writes number values") as raised:  # fmt: skip
        ensure_fields(crm_side("hubspot", portal=wrong).client, create=True)
    assert CREATE_FIELDS_OPTION in raised.value.hint and "HubSpot" in raised.value.hint
    twice = _portal_with(name="xero_invoice_number", label="Invoice no.", type="string", fieldType="text")
    twice.properties["deals"].append({"groupName": "dealinformation", "name": "inv_no", "type": "string",
                                      "label": "Xero invoice number", "fieldType": "text"})  # fmt: skip
    with pytest.raises(ConfigurationError, match="HubSpot has 2 deal properties called 'Xero invoice number' "
                       r"\(xero_invoice_number, inv_no\)") as raised:  # fmt: skip
        ensure_fields(crm_side("hubspot", portal=twice).client, create=True)
    assert "Settings > Properties" in raised.value.hint


def test_hubspot_writes_many_deals_in_batches_of_a_hundred() -> None:
    side = crm_side("hubspot", deals=150)
    keys = ensure_fields(side.client, create=True)
    mark = side.mark()
    invoices = [xero_invoice(n, source="hubspot") for n in range(1, 151)]
    result = write_back(side.client, keys, invoices, today=TODAY)
    assert len(result.written) == 150 and result.failed == {} and result.calls == 2
    assert side.writes(mark) == ["POST /crm/v3/objects/deals/batch/update"] * 2
    assert all(_shown(side, keys, n)[DEAL_INVOICE_NUMBER.key] == f"INV-{n:04d}" for n in range(1, 151))
    shown = {str(n): side.stored("deal", n) for n in range(1, 151)}
    mark = side.mark()
    assert write_back(side.client, keys, invoices, current=shown, today=TODAY).unchanged == 150
    assert side.writes(mark) == []


def test_a_batch_hubspot_refuses_whole_is_reported_for_each_of_its_deals() -> None:
    side = crm_side("hubspot")
    keys = ensure_fields(side.client, create=True)
    # someone deletes a property after the flow found it: HubSpot refuses every update naming it
    gone = keys.of(DEAL_INVOICE_STATUS).code
    store = side.emulator.store
    store.definitions["deals"] = [d for d in store.definitions["deals"] if d["name"] != gone]
    result = write_back(side.client, keys, [xero_invoice(n, source="hubspot") for n in (1, 2)], today=TODAY)
    assert result.written == [] and sorted(result.failed) == ["1", "2"]
    assert gone in result.failed["1"]
    assert side.stored("deal", 1).get(keys.of(DEAL_INVOICE_NUMBER).code) is None  # nothing half-written
