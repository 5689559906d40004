"""Wire models: the spec's own response examples parse; /Date(..)/ values, negative and offset; money."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from workbench.xero.models import (
    MODELS,
    Contact,
    Invoice,
    Organisation,
    Payment,
    parse_xero_date,
    parse_xero_datetime,
)

SPEC = Path("/work/shared/specs/xero/xero_accounting.yaml")
COLLECTION = {"Organisation": "Organisations"}


@functools.cache
def spec() -> dict[str, Any]:
    with SPEC.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.load(handle, Loader=yaml.CSafeLoader)
    return loaded


def example(resource: str, path: str | None = None) -> list[dict[str, Any]]:
    """The records of the spec's 200 example for GET `path` (default `/{resource}`)."""
    operation = spec()["paths"][path or f"/{resource}"]["get"]
    body = operation["responses"]["200"]["content"]["application/json"]["example"]
    records: list[dict[str, Any]] = body[COLLECTION.get(resource, resource)]
    return records


@pytest.mark.parametrize("resource", sorted(MODELS))
def test_the_specs_response_examples_parse(resource: str) -> None:
    records = example(resource)
    assert records
    for record in records:
        MODELS[resource].model_validate(record)


def test_the_specs_single_invoice_example_has_decimal_lines() -> None:
    (invoice,) = [Invoice.model_validate(r) for r in example("Invoices", "/Invoices/{InvoiceID}")]
    (line,) = invoice.line_items
    assert line.unit_amount == Decimal("148062.76") and line.quantity == Decimal("1.0")
    assert line.line_item_id == "b18f39d9-7739-4246-9288-72afe939d2d5"


def test_spec_invoice_example_values() -> None:
    invoice = Invoice.model_validate(example("Invoices")[0])
    assert invoice.invoice_id == "d4956132-ed94-4dd7-9eaa-aa22dfdf06f2"
    assert invoice.date == date(2018, 10, 20) and type(invoice.date) is date  # /Date(1539993600000+0000)/
    assert invoice.updated_date_utc is not None and invoice.updated_date_utc.tzinfo == UTC
    assert invoice.contact is not None and invoice.contact.contact_id
    assert all(isinstance(line.line_amount, Decimal) for line in invoice.line_items)
    assert isinstance(invoice.total, Decimal)


def test_spec_payment_and_organisation_examples() -> None:
    payment = Payment.model_validate(example("Payments")[0])
    assert payment.amount == Decimal("46.00") and payment.date == date(2018, 11, 29)
    assert payment.invoice is not None and payment.invoice.invoice_id
    org = Organisation.model_validate(example("Organisation")[0])
    assert org.version == "NZ" and org.base_currency == "NZD" and org.pays_tax is True


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("/Date(1539993600000+0000)/", date(2018, 10, 20)),
        ("/Date(1539993600000)/", date(2018, 10, 20)),
        ("/Date(-80006400000+0000)/", date(1967, 6, 20)),  # pre-1970: 926 days before the epoch
        ("/Date(0+0000)/", date(1970, 1, 1)),
        # midnight in Auckland (+13:00) is the previous afternoon in UTC: the day meant is the 15th
        ("/Date(1455447600000+1300)/", date(2016, 2, 15)),
        ("2018-10-20T00:00:00", date(2018, 10, 20)),
        ("2018-10-20", date(2018, 10, 20)),
    ],
)
def test_date_only_fields_give_the_calendar_date_xero_meant(raw: str, expected: date) -> None:
    assert parse_xero_date(raw) == expected


def test_a_utc_midnight_date_is_never_shifted_to_a_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Pacific/Honolulu")
    if hasattr(time, "tzset"):
        time.tzset()
    try:
        assert Invoice.model_validate({"InvoiceID": "x", "Date": "/Date(1539993600000+0000)/"}).date == date(
            2018, 10, 20
        )
    finally:
        monkeypatch.delenv("TZ")
        if hasattr(time, "tzset"):
            time.tzset()


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("/Date(1439434356790)/", datetime(2015, 8, 13, 2, 52, 36, 790000, tzinfo=UTC)),
        ("/Date(1439434356790+0000)/", datetime(2015, 8, 13, 2, 52, 36, 790000, tzinfo=UTC)),
        # the milliseconds are UTC whatever the offset says
        ("/Date(1419937200000+1300)/", datetime(2014, 12, 30, 11, 0, tzinfo=UTC)),
        ("/Date(-1000+0000)/", datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)),
        ("2018-11-02T16:31:30Z", datetime(2018, 11, 2, 16, 31, 30, tzinfo=UTC)),
        ("2018-11-02T16:31:30", datetime(2018, 11, 2, 16, 31, 30, tzinfo=UTC)),
    ],
)
def test_instants_are_aware_utc(raw: str, expected: datetime) -> None:
    parsed = parse_xero_datetime(raw)
    assert parsed == expected and parsed.tzinfo == UTC


def test_money_is_decimal_from_its_shortest_text() -> None:
    invoice = Invoice.model_validate(
        {"InvoiceID": "x", "Total": 99.99, "SubTotal": "83.33", "TotalTax": 16, "AmountDue": None}
    )
    assert invoice.total == Decimal("99.99") and str(invoice.total) == "99.99"
    assert invoice.sub_total == Decimal("83.33") and invoice.total_tax == Decimal(16)
    assert invoice.amount_due is None


def test_unknown_fields_are_ignored_and_names_work_too() -> None:
    contact = Contact.model_validate({"ContactID": "c1", "Name": "Acme", "SomethingNew": {"x": 1}})
    assert contact.name == "Acme"
    by_name = Contact.model_validate({"contact_id": "c2", "email_address": "a@b.c"})
    assert by_name.email_address == "a@b.c"


def test_a_bad_value_names_the_wire_field() -> None:
    with pytest.raises(ValidationError) as raised:
        Invoice.model_validate({"InvoiceID": "x", "Date": "/Date(not-a-date)/"})
    assert raised.value.errors()[0]["loc"] == ("Date",)
    with pytest.raises(ValidationError) as raised:
        Invoice.model_validate({"InvoiceID": "x", "Total": "twelve"})
    assert raised.value.errors()[0]["loc"] == ("Total",)
