from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from workbench.plan.model import (
    CrmRecord,
    Direction,
    FieldMapping,
    Master,
    Plan,
    SignOff,
    SyncObject,
    TaxBasis,
    TaxRule,
    content_hash,
    next_id,
    plan_json,
)


def _field(**changes: object) -> FieldMapping:
    values: dict[str, object] = {
        "id": "F01",
        "object": "Contacts / companies",
        "crm_record": "Organisation",
        "crm_field": "VAT number",
        "xero_field": "Contact.TaxNumber",
        "direction": "CRM → Xero",
        "master": "CRM",
    }
    return FieldMapping.model_validate({**values, **changes})


def test_cells_read_as_the_workbook_shows_them() -> None:
    row = _field(master="", required="Yes", transform=None, notes="  keep  ")
    assert row.object is SyncObject.CONTACTS and row.crm_record is CrmRecord.ORGANISATION
    assert row.direction is Direction.CRM_TO_XERO
    assert row.master is None and row.required is True
    assert row.transform == "" and row.notes == "keep"


def test_a_direction_outside_the_list_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        _field(direction="Sideways")
    assert caught.value.errors()[0]["loc"] == ("direction",)


def test_custom_fields_are_named_never_keyed_by_hash() -> None:
    with pytest.raises(ValidationError, match="not its 40-character key"):
        _field(crm_field="9020d50f6ca8b26e56e50f05c025ce1eed514354")


def test_codes_typed_as_numbers_stay_codes_and_tax_types_read_upper_case() -> None:
    rule = TaxRule.model_validate(
        {
            "id": "T01",
            "applies_to": "Product",
            "crm_value": 12,
            "account_code": 200.0,
            "tax_type": " output2 ",
        }
    )
    assert rule.applies_to is TaxBasis.PRODUCT
    assert (rule.crm_value, rule.account_code, rule.tax_type) == ("12", "200", "OUTPUT2")


@pytest.mark.parametrize(
    "typed", ["25/11/2026", "2026-11-25", datetime(2026, 11, 25), date(2026, 11, 25), "25.11.2026"]
)
def test_sign_off_dates_as_clients_type_them(typed: object) -> None:
    assert SignOff(id="S01", role="Finance", signed_on=typed).signed_on == date(2026, 11, 25)  # type: ignore[arg-type]


def test_ids_must_be_unique_within_a_section(plan: Plan) -> None:
    twice = plan.model_dump()
    twice["fields"] = [*twice["fields"], twice["fields"][0]]
    with pytest.raises(ValidationError, match="F01"):
        Plan.model_validate(twice)


def test_next_id_follows_the_highest_number() -> None:
    assert next_id("fields", ["F01", "F09", "custom"]) == "F10"
    assert next_id("tax_rules", []) == "T01"


def test_content_hash_follows_content_and_survives_a_json_round_trip(plan: Plan) -> None:
    again = Plan.model_validate_json(plan_json(plan))
    assert again == plan and content_hash(again) == content_hash(plan)
    changed = plan.model_copy(
        update={"fields": (*plan.fields[1:], plan.fields[0].model_copy(update={"master": Master.XERO}))}
    )
    assert content_hash(changed) != content_hash(plan)


def test_signed_off_needs_a_name_and_a_date(plan: Plan) -> None:
    assert not plan.signed_off
    named = plan.model_copy(update={"sign_off": (SignOff(id="S01", role="Finance", name="Jo"),)})
    assert not named.signed_off
    dated = plan.model_copy(
        update={"sign_off": (SignOff(id="S01", role="Finance", name="Jo", signed_on=date(2026, 11, 25)),)}
    )
    assert dated.signed_off
