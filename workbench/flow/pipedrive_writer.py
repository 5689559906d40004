"""The write-back onto Pipedrive: deal and organization fields by hash, one PATCH per changed record."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, ClassVar

from workbench.errors import ConfigurationError
from workbench.flow.crm_fields import CREATE_FIELDS_OPTION, FieldKey
from workbench.flow.crm_writer import CrmWriter, Definition, Written
from workbench.flow.writeback_fields import WritebackField
from workbench.pipedrive.client import PipedriveClient

_FIELDS_RESOURCE = {"deal": "dealFields", "organization": "organizationFields"}


class PipedriveWriter(CrmWriter):
    crm = "pipedrive"
    label = "Pipedrive"
    field_word = "field"
    entity_words: ClassVar[Mapping[str, str]] = {"deal": "deal", "organization": "organization"}
    # Field types the flow can write each of its values into (an operator may have made the field already).
    compatible: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "varchar": ("varchar", "text", "varchar_auto"),
        "monetary": ("monetary", "double"),
    }
    settings = "Settings > Data fields"
    create_rights = "a Pipedrive admin, or the deal-fields:full and contact-fields:full scopes"

    def __init__(self, client: PipedriveClient) -> None:
        super().__init__(client.session)
        self.client = client

    def definitions(self, entity: str) -> list[Definition]:
        return [
            Definition(
                str(d.get("field_code")),
                str(d.get("field_name")),
                str(d.get("field_type") or ""),
                (str(d.get("field_name") or ""),),
            )
            for d in self.client.list_all(_FIELDS_RESOURCE[entity])
            if d.get("is_custom_field")
        ]

    def create(self, wanted: WritebackField) -> FieldKey:
        made = self.client.create_field(wanted.entity, wanted.name, wanted.field_type)
        code = made.get("field_code")
        if not isinstance(code, str) or not code:
            raise ConfigurationError(
                f"Pipedrive created the {wanted.entity} field '{wanted.name}' but sent no field_code",
                hint="look the field up in Pipedrive (Settings > Data fields) and run again without "
                f"{CREATE_FIELDS_OPTION}",
            )
        return FieldKey(wanted, code, wanted.name, wanted.field_type)

    def write(self, entity: str, patches: Mapping[str, Mapping[str, Any]]) -> Written:
        update = (
            self.client.update_deal_custom_fields
            if entity == "deal"
            else self.client.update_organization_custom_fields
        )
        result = Written()
        for record_id, patch in patches.items():
            self.write_one(result, record_id, partial(update, record_id, patch))
        return result
