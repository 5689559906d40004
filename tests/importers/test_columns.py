"""The column mapping: default Pipedrive headers, header variants, and user overrides as plain data."""

from __future__ import annotations

import json

import pytest

from workbench.errors import ConfigurationError
from workbench.importers.columns import (
    PIPEDRIVE_DEALS,
    PIPEDRIVE_PEOPLE,
    ColumnMapping,
    header_label,
    normalise_header,
    normalise_name,
)


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("Organization - Name*", "Organization - Name"),
        ("organisation - name", "Organization - Name"),
        ("  Organization -  Name ", "Organization - Name"),
        ("\ufeffOrganization - Name", "Organization - Name"),
        ("Person - Email (Work)", "Person - Email - Work"),
        ("Deal - Stage (pipeline)", "Deal - Stage - pipeline"),
    ],
)
def test_header_variants_compare_equal(variant: str, canonical: str) -> None:
    assert normalise_header(variant) == normalise_header(canonical)


def test_hyphens_inside_words_are_kept() -> None:
    assert normalise_header("Person - E-mail") != normalise_header("Person - E - mail")


def test_labels_and_names() -> None:
    assert header_label("Organization - VAT number") == "VAT number"
    assert header_label("Deal - Address - City") == "Address - City"
    assert header_label("Amount") == "Amount"
    assert normalise_name("  ACME   Ltd ") == "acme ltd"
    assert normalise_name("Acme Ltd.") != normalise_name("Acme Ltd")  # near-duplicates are the profile's job


def test_resolve_prefers_earlier_aliases_and_collects_multi_fields() -> None:
    headers = ["Deal - Currency of value", "Deal - Currency", "Deal - Title", "Deal - Notes"]
    resolved = PIPEDRIVE_DEALS.resolve(headers)
    assert resolved.single["currency"] == "Deal - Currency"
    assert resolved.unmapped == ["Deal - Currency of value", "Deal - Notes"]
    assert resolved.missing() == []
    people = PIPEDRIVE_PEOPLE.resolve(
        ["Person - Email (Home)", "Person - Email - Work", "Person - First name"]
    )
    assert people.multi["emails"] == ["Person - Email - Work", "Person - Email (Home)"]
    assert people.missing() == []  # a first name satisfies the name requirement
    assert PIPEDRIVE_PEOPLE.resolve(["Person - Email"]).missing() == [("name", "first_name", "last_name")]


def test_with_columns_puts_the_users_header_first_and_keeps_the_defaults() -> None:
    mapping = ColumnMapping.pipedrive().with_columns("deals", value="Amount", title=["Name", "Deal name"])
    assert mapping.deals.fields["value"][:2] == ("Amount", "Deal - Value")
    assert mapping.deals.fields["title"][:3] == ("Name", "Deal name", "Deal - Title")
    assert ColumnMapping.pipedrive().deals.fields["value"][0] == "Deal - Value"  # the default is untouched


def test_unknown_fields_and_entities_are_refused_with_the_choices() -> None:
    with pytest.raises(ConfigurationError, match="no field 'amount'") as caught:
        ColumnMapping.pipedrive().with_columns("deals", amount="Amount")
    assert "value" in str(caught.value)
    with pytest.raises(ConfigurationError, match="not an entity"):
        ColumnMapping.pipedrive().with_columns("leads", title="x")  # type: ignore[arg-type]


def test_from_dict_reads_plain_json_and_to_dict_round_trips() -> None:
    data = json.loads(
        '{"organisations": {"vat_number": "VAT Reg No"}, "statuses": {"Gewonnen": "won"}, '
        '"date_order": "MDY", "decimal_separator": ",", "timezone": "Europe/London", '
        '"default_currency": "GBP", "files": {"contacts.csv": "people"}}'
    )
    mapping = ColumnMapping.from_dict(data)
    assert mapping.organisations.fields["vat_number"][0] == "VAT Reg No"
    assert mapping.statuses["gewonnen"] == "won" and mapping.statuses["won"] == "won"
    assert (mapping.date_order, mapping.decimal_separator, mapping.timezone) == ("MDY", ",", "Europe/London")
    assert mapping.default_currency == "GBP" and mapping.files == {"contacts.csv": "people"}
    again = ColumnMapping.from_dict(json.loads(json.dumps(mapping.to_dict())))
    assert again.to_dict() == mapping.to_dict()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"leads": {}}, "unknown mapping keys"),
        ({"date_order": "YMD"}, "date_order"),
        ({"decimal_separator": ";"}, "decimal_separator"),
        ({"timezone": "Mars/Olympus"}, "not a known time zone"),
        ({"statuses": {"closed": "done"}}, "unknown values"),
        ({"default_currency": "pounds"}, "ISO 4217"),
        ({"files": {"x.csv": "leads"}}, "unknown entities"),
        ({"deals": {"amount": "Amount"}}, "no field"),
    ],
)
def test_bad_overrides_are_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        ColumnMapping.from_dict(data)
