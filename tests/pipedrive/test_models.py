"""The wire models read the official specs' own examples: instants to aware UTC, money to Decimal."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel

from tests.spec_validation import load_spec_dict
from workbench.pipedrive.models import (
    Deal,
    DealProduct,
    FieldDefinition,
    Organization,
    Person,
    Pipeline,
    Product,
    Stage,
    User,
    parse_instant,
)


def example(spec: str, path: str, method: str = "get") -> Any:
    operation = load_spec_dict(spec)["paths"][path][method]
    return operation["responses"]["200"]["content"]["application/json"]["example"]["data"]


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/deals", Deal),
        ("/organizations", Organization),
        ("/persons", Person),
        ("/products", Product),
        ("/deals/products", DealProduct),
        ("/stages", Stage),
        ("/pipelines", Pipeline),
        ("/dealFields", FieldDefinition),
        ("/organizationFields", FieldDefinition),
        ("/personFields", FieldDefinition),
        ("/productFields", FieldDefinition),
    ],
)
def test_every_v2_list_example_parses(path: str, model: type[BaseModel]) -> None:
    records = example("pipedrive-v2", path)
    assert records and all(model.model_validate(record) for record in records)


def test_deal_example_reads_instants_dates_and_money() -> None:
    deal = Deal.model_validate(example("pipedrive-v2", "/deals")[0])
    assert deal.update_time == datetime(2021, 1, 1, tzinfo=UTC) and deal.update_time.utcoffset() is not None
    assert deal.expected_close_date == date(2021, 1, 1)
    assert deal.value == Decimal("200") and isinstance(deal.value, Decimal)
    assert deal.probability == Decimal("90")
    assert deal.status == "open" and not deal.is_won


def test_money_never_passes_through_float_error() -> None:
    line = DealProduct.model_validate(
        {"id": 1, "deal_id": 2, "item_price": 0.1, "quantity": 3, "sum": 99.99, "discount": 0, "tax": 20}
    )
    assert line.item_price == Decimal("0.1") and line.sum == Decimal("99.99")
    assert Deal.model_validate({"id": 1, "value": 1234.56, "status": "won"}).value == Decimal("1234.56")


def test_person_example_primary_email_and_phone() -> None:
    person = Person.model_validate(example("pipedrive-v2", "/persons")[0])
    assert person.primary_email == "email1@email.com" and person.primary_phone == "12345"
    assert [e.value for e in person.emails] == ["email1@email.com", "email2@email.com"]
    assert person.job_title == "Manager"


def test_field_definition_example_resolves_option_labels() -> None:
    priority = next(
        FieldDefinition.model_validate(f)
        for f in example("pipedrive-v2", "/dealFields")
        if f["is_custom_field"]
    )
    assert priority.field_name == "Priority" and priority.field_type == "enum"
    assert priority.option_label(3) == "High" and priority.option_label("2") == "Medium"
    assert priority.option_label(99) == 99


def test_v1_users_example_reads_space_separated_utc_times() -> None:
    users = [User.model_validate(u) for u in example("pipedrive-v1", "/users")]
    assert users[0].name == "John Doe" and users[0].active_flag
    assert users[0].last_login == datetime(2019, 11, 21, 8, 45, 56, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-10T09:30:00Z", datetime(2026, 3, 10, 9, 30, tzinfo=UTC)),
        ("2026-03-10T10:30:00+01:00", datetime(2026, 3, 10, 9, 30, tzinfo=UTC)),
        ("2026-03-10 09:30:00", datetime(2026, 3, 10, 9, 30, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_instants_become_aware_utc(text: str | None, expected: datetime | None) -> None:
    assert parse_instant(text) == expected


def test_extra_fields_are_ignored_and_bad_values_are_reported_by_field() -> None:
    assert Organization.model_validate({"id": 1, "name": "A", "something_new": {"x": 1}}).name == "A"
    with pytest.raises(ValueError, match="update_time"):
        Organization.model_validate({"id": 1, "update_time": "last tuesday"})
