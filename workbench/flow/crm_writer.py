"""The write-back's view of one CRM: its definitions of the flow's fields, and writing changed values.

`CrmWriter` holds what both CRMs share (finding the flow's fields by name, the duplicate and type checks
and their errors, creating the missing ones only when the operator agrees); each CRM's writer
(`pipedrive_writer`, `hubspot_writer`) lists and creates definitions and sends values its own way.
Which values changed is worked out before a writer is called (`crm_fields.changed_values`), so a writer
only ever sends what differs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from workbench.errors import ApiError, ConfigurationError
from workbench.flow.crm_fields import CREATE_FIELDS_OPTION, FieldKey, FieldKeys
from workbench.flow.writeback_fields import WRITEBACK_FIELDS, WritebackField
from workbench.http import ApiSession
from workbench.pipedrive.canonicalise import normalise_field_name

# the statuses by which a CRM refuses one record (gone, or a value it will not take): the others go on
REFUSED_ONE = (400, 404, 410)


@dataclass(frozen=True)
class Definition:
    """One custom field (property) as the CRM lists it: what values go under, what it is called."""

    code: str  # Pipedrive's field hash, HubSpot's internal property name
    name: str  # as the snapshot keys its values (Pipedrive's field name, HubSpot's label)
    field_type: str
    spellings: tuple[str, ...]  # the names it is found by (HubSpot: label and internal name)
    read_only: bool = False


@dataclass
class Written:
    """The records a write changed, and those the CRM refused (id -> its words)."""

    written: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


class CrmWriter(ABC):
    """The flow's fields in one CRM, and the writes onto its deals and organisations."""

    crm: str  # the source name the ledger and the references use ("pipedrive", "hubspot")
    label: str  # the CRM's name in messages
    field_word: str  # "field" or "property"
    entity_words: ClassVar[
        Mapping[str, str]
    ]  # the flow's entity ("deal", "organization") as the CRM calls it
    compatible: ClassVar[Mapping[str, tuple[str, ...]]]  # flow type -> the CRM types its values can go into
    settings: str  # where in the CRM's settings an operator edits the definitions
    create_rights: str  # what creating definitions needs

    def __init__(self, session: ApiSession) -> None:
        self.session = session

    @property
    def calls(self) -> int:
        return self.session.stats.calls

    @abstractmethod
    def definitions(self, entity: str) -> list[Definition]:
        """The custom fields (properties) defined on `entity` ("deal" or "organization")."""

    @abstractmethod
    def create(self, wanted: WritebackField) -> FieldKey:
        """Create one of the flow's fields in the CRM."""

    @abstractmethod
    def write(self, entity: str, patches: Mapping[str, Mapping[str, Any]]) -> Written:
        """Send `{record id: {code: wire value}}` (only changed values) onto records of `entity`."""

    @staticmethod
    def write_one(result: Written, record_id: str, send: Callable[[], object]) -> None:
        """Send one record's values with `send`; a refusal of that record alone is noted in `result`
        (e.g. the deal was deleted since) and the others go on."""
        try:
            send()
        except ApiError as error:
            if error.status not in REFUSED_ONE:
                raise
            result.failed[record_id] = error.detail
        else:
            result.written.append(record_id)

    def ensure_fields(self, *, create: bool) -> FieldKeys:
        """Find the flow's deal and organisation fields by name; create the missing ones only if `create`."""
        before = self.calls
        found: dict[str, FieldKey] = {}
        missing: list[WritebackField] = []
        for entity in ("deal", "organization"):
            defined = self.definitions(entity)
            for wanted in (f for f in WRITEBACK_FIELDS if f.entity == entity):
                key = self._find(defined, wanted)
                if key is None:
                    missing.append(wanted)
                else:
                    found[wanted.key] = key
        if missing and not create:
            names = ", ".join(f"{self._what(f.entity)} '{f.name}'" for f in missing)
            raise ConfigurationError(
                f"{self.label} has no {names}; the flow writes the Xero invoice back into these",
                hint=f"run `workbench flow refresh --engagement NAME {CREATE_FIELDS_OPTION}` to create them "
                f"and write back what the flow created (needs {self.create_rights}), or create them in "
                f"{self.label} by these names",
            )
        for wanted in missing:
            found[wanted.key] = self.create(wanted)
        return FieldKeys(found, tuple(f.name for f in missing), self.calls - before)

    def _what(self, entity: str) -> str:
        return f"{self.entity_words[entity]} {self.field_word}"

    def _find(self, defined: Sequence[Definition], wanted: WritebackField) -> FieldKey | None:
        target = normalise_field_name(wanted.name)
        matches = [d for d in defined if target in {normalise_field_name(s) for s in d.spellings}]
        if not matches:
            return None
        what = self._what(wanted.entity)
        if len(matches) > 1:
            codes = ", ".join(d.code for d in matches)
            raise ConfigurationError(
                f"{self.label} has {len(matches)} {_plural(what)} called '{wanted.name}' ({codes})",
                hint=f"rename or delete all but one in {self.label} ({self.settings}), then run again",
            )
        match = matches[0]
        allowed = self.compatible[wanted.field_type]
        if match.read_only or match.field_type not in allowed:
            kind = "read-only" if match.read_only else f"a {match.field_type}"
            raise ConfigurationError(
                f"the {what} '{match.name}' is {kind} {self.field_word}; the flow writes "
                f"{' or '.join(allowed)} values into it",
                hint=f"change the {self.field_word}'s type in {self.label}, or rename it and run with "
                f"{CREATE_FIELDS_OPTION} to create one the flow can write",
            )
        return FieldKey(wanted, match.code, match.name, match.field_type)


def _plural(words: str) -> str:
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def writer_for(crm: object) -> CrmWriter:
    """The writer for a CRM client (a `PipedriveClient` or `HubSpotClient`), or for a writer itself."""
    from workbench.flow.hubspot_writer import HubSpotWriter
    from workbench.flow.pipedrive_writer import PipedriveWriter
    from workbench.hubspot.client import HubSpotClient
    from workbench.pipedrive.client import PipedriveClient

    if isinstance(crm, CrmWriter):
        return crm
    if isinstance(crm, PipedriveClient):
        return PipedriveWriter(crm)
    if isinstance(crm, HubSpotClient):
        return HubSpotWriter(crm)
    raise ConfigurationError(
        f"the flow cannot write invoice details back to {type(crm).__name__}",
        hint="run the flow with --no-write-back; the invoices and the ledger are unaffected",
    )
