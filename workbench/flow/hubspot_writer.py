"""The write-back onto HubSpot: deal and company properties by internal name, one PATCH when one record
changed, else batch updates of at most 100 records a call.

The flow's properties are found by label or internal name and created (only when the operator agrees)
in the object's own information group, as text (`string`) and `number` properties. HubSpot numbers carry
no currency: the amount due is in the deal's currency.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import partial
from typing import Any, ClassVar

from workbench.errors import ApiError
from workbench.flow.crm_fields import FieldKey
from workbench.flow.crm_writer import CrmWriter, Definition, Written
from workbench.flow.writeback_fields import WritebackField
from workbench.hubspot.client import BATCH_LIMIT, HubSpotClient

OBJECT_TYPE = {"deal": "deals", "organization": "companies"}
# the flow's field types -> the HubSpot (type, fieldType) it creates
CREATED_AS = {"varchar": ("string", "text"), "monetary": ("number", "number")}


def property_name(label: str) -> str:
    """The internal name the flow gives a property it creates: `"Xero InvoiceID"` -> `"xero_invoiceid"`."""
    return re.sub(r"[^0-9a-z]+", "_", label.casefold()).strip("_")


class HubSpotWriter(CrmWriter):
    crm = "hubspot"
    label = "HubSpot"
    field_word = "property"
    entity_words: ClassVar[Mapping[str, str]] = {"deal": "deal", "organization": "company"}
    compatible: ClassVar[Mapping[str, tuple[str, ...]]] = {"varchar": ("string",), "monetary": ("number",)}
    settings = "Settings > Properties"
    create_rights = "the crm.schemas.deals.write and crm.schemas.companies.write scopes"

    def __init__(self, client: HubSpotClient) -> None:
        super().__init__(client.session)
        self.client = client

    def definitions(self, entity: str) -> list[Definition]:
        out = []
        for d in self.client.property_definitions(OBJECT_TYPE[entity]):
            if d.get("hubspotDefined"):
                continue
            name, label = str(d.get("name") or ""), str(d.get("label") or d.get("name") or "")
            read_only = bool((d.get("modificationMetadata") or {}).get("readOnlyValue"))
            out.append(Definition(name, label, str(d.get("type") or ""), (label, name), read_only))
        return out

    def create(self, wanted: WritebackField) -> FieldKey:
        kind, field_type = CREATED_AS[wanted.field_type]
        made = self.client.create_property(
            OBJECT_TYPE[wanted.entity],
            property_name(wanted.name),
            wanted.name,
            kind=kind,
            field_type=field_type,
        )
        return FieldKey(wanted, str(made.get("name")), str(made.get("label") or wanted.name), kind)

    def write(self, entity: str, patches: Mapping[str, Mapping[str, Any]]) -> Written:
        object_type = OBJECT_TYPE[entity]
        result = Written()
        if len(patches) == 1:
            ((record_id, patch),) = patches.items()
            send = partial(self.client.update_object, object_type, record_id, patch)
            self.write_one(result, record_id, send)
            return result
        items = list(patches.items())
        for start in range(0, len(items), BATCH_LIMIT):
            chunk: dict[str | int, Mapping[str, Any]] = dict(items[start : start + BATCH_LIMIT])
            try:
                answer = self.client.update_objects(object_type, chunk)
            except ApiError as error:
                if error.status != 400:
                    raise
                # HubSpot refuses a whole batch when one value is invalid; its detail names the property
                result.failed.update(dict.fromkeys(map(str, chunk), error.detail))
                continue
            ids = [str(i) for i in chunk]
            result.failed.update({i: answer.errors.get(i, "not found") for i in answer.missing if i in ids})
            result.written += [i for i in ids if i not in answer.missing]
        return result
