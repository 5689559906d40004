"""Which file column feeds which canonical field, and how cell values are read (money, dates, flags).

The default mapping follows Pipedrive's `Entity - Field` header convention, with the spellings seen in
its list-view exports ("Deal - Currency", "Person - Email - Work", "Deal - Organization ID") and in its
import vocabulary ("Deal - Currency of value", "Person - Email (Work)", "Deal - Pipedrive System ID",
"Organization - Name*"). Headers are compared after normalising case, spacing, a trailing "*",
"Organisation"/"Organization" and "Email (Work)"/"Email - Work", so those variants need no alias.

Every alias list is data: `ColumnMapping.with_columns("deals", value="Amount")` or
`ColumnMapping.from_dict({"deals": {"value": "Amount"}, "date_order": "MDY"})` puts the user's header
first; the defaults stay as fallbacks. How each cell is read is `workbench.importers.cell_values`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, Literal, cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workbench.errors import ConfigurationError
from workbench.importers.cell_values import DateOrder, DecimalMode

Entity = Literal["organisations", "people", "deals", "products"]
ENTITIES: tuple[Entity, ...] = get_args(Entity)
DETECTION_ORDER: tuple[Entity, ...] = ("deals", "products", "people", "organisations")
"""A deals export may carry person and organisation columns, a people export organisation columns
(Pipedrive's list views add the linked records' fields), so the richest entity is tried first."""

Kind = Literal["id", "text", "money", "currency", "date", "datetime", "status", "percent", "link"]
DEAL_STATUSES = ("open", "won", "lost", "deleted")


@dataclass(frozen=True)
class EntityColumns:
    """The columns of one entity's export: per field, the headers that may carry it, best first."""

    entity: Entity
    noun: str  # "organisation", for messages
    api_entity: str  # Pipedrive's object name ("organization"), for crm_fields
    prefixes: tuple[str, ...]  # the header prefixes of this entity's own fields ("Organization")
    fields: Mapping[str, tuple[str, ...]]
    kinds: Mapping[str, Kind]
    required: tuple[tuple[str, ...], ...] = ()  # each group: at least one of these fields must be present
    multi: frozenset[str] = frozenset()  # fields that collect every present column (emails, phones)

    def with_aliases(self, **aliases: str | Sequence[str]) -> EntityColumns:
        unknown = sorted(set(aliases) - set(self.fields))
        if unknown:
            raise ConfigurationError(
                f"{self.entity} has no field {', '.join(map(repr, unknown))}",
                hint=f"map one of: {', '.join(self.fields)}",
            )
        fields = dict(self.fields)
        for name, headers in aliases.items():
            given = (headers,) if isinstance(headers, str) else tuple(headers)
            fields[name] = tuple(dict.fromkeys((*given, *fields[name])))
        return dataclasses.replace(self, fields=fields)

    def owns(self, header: str) -> bool:
        """Whether a header is one of this entity's own (prefixed) columns."""
        key = normalise_header(header)
        return any(key.startswith(normalise_header(p) + " - ") for p in self.prefixes)

    def field_of(self, header: str) -> str | None:
        """The field a header can feed, if any."""
        key = normalise_header(header)
        for name, aliases in self.fields.items():
            if any(normalise_header(a) == key for a in aliases):
                return name
        return None

    def resolve(self, headers: Sequence[str]) -> ResolvedColumns:
        """Which header in the file feeds each field; headers no field uses are listed as unmapped."""
        by_key = {normalise_header(h): h for h in headers}
        single: dict[str, str] = {}
        multi: dict[str, list[str]] = {}
        used: set[str] = set()
        for name, aliases in self.fields.items():
            present = [by_key[k] for k in dict.fromkeys(normalise_header(a) for a in aliases) if k in by_key]
            present = [h for h in present if h not in used]
            if not present:
                continue
            if name in self.multi:
                multi[name] = present
                used.update(present)
            else:
                single[name] = present[0]
                used.add(present[0])
        unmapped = [h for h in headers if h not in used]
        return ResolvedColumns(self, single, multi, unmapped)

    def example(self, name: str) -> str:
        return self.fields[name][0] if self.fields[name] else name


@dataclass
class ResolvedColumns:
    columns: EntityColumns
    single: dict[str, str]
    multi: dict[str, list[str]]
    unmapped: list[str]

    def header(self, name: str) -> str | None:
        return self.single.get(name)

    def missing(self) -> list[tuple[str, ...]]:
        """The required field groups with no column in the file."""
        present = set(self.single) | set(self.multi)
        return [group for group in self.columns.required if not present.intersection(group)]


def _entity(
    entity: Entity,
    noun: str,
    api_entity: str,
    prefixes: tuple[str, ...],
    fields: dict[str, tuple[Kind, tuple[str, ...]]],
    required: tuple[tuple[str, ...], ...],
    multi: frozenset[str] = frozenset(),
) -> EntityColumns:
    return EntityColumns(
        entity,
        noun,
        api_entity,
        prefixes,
        {name: aliases for name, (_, aliases) in fields.items()},
        {name: kind for name, (kind, _) in fields.items()},
        required,
        multi,
    )


def _address_part(part: str, *extra: str) -> tuple[str, ...]:
    # Pipedrive spells address subfields "<Field> - <part> of <Field>" in its import sheet and
    # "<Field> - <part>" in some exports.
    return (f"Organization - Address - {part} of Address", f"Organization - Address - {part}", *extra)


PIPEDRIVE_ORGANISATIONS = _entity(
    "organisations",
    "organisation",
    "organization",
    ("Organization",),
    {
        "org_id": ("id", ("Organization - ID", "Organization - Pipedrive System ID")),
        "name": ("text", ("Organization - Name",)),
        "address": ("text", ("Organization - Address", *_address_part("Full/combined address"))),
        "city": ("text", _address_part("City/town/village/locality", "Organization - City")),
        "postcode": ("text", _address_part("ZIP/Postal code", "Organization - Postcode")),
        "country": ("text", _address_part("Country", "Organization - Country")),
        "website": ("text", ("Organization - Website",)),
        "vat_number": (
            "text",
            (
                "Organization - VAT number",
                "Organization - VAT",
                "Organization - VAT registration number",
                "Organization - VAT no",
                "Organization - Tax number",
            ),
        ),
        "company_number": (
            "text",
            (
                "Organization - Company number",
                "Organization - Company registration number",
                "Organization - Companies House number",
                "Organization - Registration number",
            ),
        ),
        "xero_contact_id": ("text", ("Organization - Xero contact ID", "Organization - Xero ContactID")),
        "owner_name": ("text", ("Organization - Owner",)),
        "created_at": (
            "datetime",
            (
                "Organization - Organization created",
                "Organization - Created",
                "Organization - Creation date",
                "Organization - Add time",
            ),
        ),
        "updated_at": ("datetime", ("Organization - Update time", "Organization - Updated")),
    },
    (("name",),),
)

PIPEDRIVE_PEOPLE = _entity(
    "people",
    "person",
    "person",
    ("Person",),
    {
        "person_id": ("id", ("Person - ID", "Person - Pipedrive System ID")),
        "name": ("text", ("Person - Name",)),
        "first_name": ("text", ("Person - First name",)),
        "last_name": ("text", ("Person - Last name",)),
        "emails": (
            "text",
            ("Person - Email - Work", "Person - Email", "Person - Email - Home", "Person - Email - Other"),
        ),
        "phones": (
            "text",
            (
                "Person - Phone - Work",
                "Person - Phone",
                "Person - Phone - Mobile",
                "Person - Phone - Home",
                "Person - Phone - Other",
            ),
        ),
        "job_title": ("text", ("Person - Job title", "Person - Title")),
        "org_name": ("link", ("Person - Organization", "Organization name", "Organization - Name")),
        "org_ref": ("link", ("Person - Organization ID", "Organization - ID")),
        "owner_name": ("text", ("Person - Owner",)),
        "created_at": (
            "datetime",
            ("Person - Person created", "Person - Created", "Person - Creation date", "Person - Add time"),
        ),
        "updated_at": ("datetime", ("Person - Update time", "Person - Updated")),
    },
    (("name", "first_name", "last_name"),),
    frozenset({"emails", "phones"}),
)

PIPEDRIVE_DEALS = _entity(
    "deals",
    "deal",
    "deal",
    ("Deal",),
    {
        "deal_id": ("id", ("Deal - ID", "Deal - Pipedrive System ID")),
        "title": ("text", ("Deal - Title",)),
        "value": ("money", ("Deal - Value",)),
        "currency": ("currency", ("Deal - Currency", "Deal - Currency of value")),
        "status": ("status", ("Deal - Status",)),
        "org_name": ("link", ("Deal - Organization", "Organization", "Organization - Name")),
        "org_ref": ("link", ("Deal - Organization ID", "Organization - ID")),
        "person_name": ("link", ("Deal - Contact person", "Contact person", "Person - Name")),
        "person_ref": ("link", ("Deal - Contact person ID", "Person - ID")),
        "owner_name": ("text", ("Deal - Owner",)),
        "pipeline_name": ("text", ("Deal - Pipeline",)),
        "stage_name": ("text", ("Deal - Stage", "Deal - Stage (pipeline)")),
        "won_time": ("datetime", ("Deal - Won time",)),
        "lost_time": ("datetime", ("Deal - Lost time",)),
        "close_time": ("datetime", ("Deal - Deal closed on", "Deal - Closed on", "Deal - Close time")),
        "expected_close_date": ("date", ("Deal - Expected close date",)),
        "created_at": (
            "datetime",
            ("Deal - Deal created", "Deal - Creation date", "Deal - Created", "Deal - Add time"),
        ),
        "updated_at": ("datetime", ("Deal - Update time", "Deal - Updated")),
    },
    (("title",),),
)

PIPEDRIVE_PRODUCTS = _entity(
    "products",
    "product",
    "product",
    ("Product",),
    {
        "product_id": ("id", ("Product - ID", "Product - Pipedrive System ID")),
        "name": ("text", ("Product - Name",)),
        "code": ("text", ("Product - Product code", "Product - Code")),
        "unit": ("text", ("Product - Unit",)),
        "tax_percent": ("percent", ("Product - Tax", "Product - Tax %")),
        "price": ("money", ("Product - Price", "Product - Unit price")),
        "price_currency": ("currency", ("Product - Currency",)),
        "updated_at": ("datetime", ("Product - Update time", "Product - Updated")),
    },
    (("name",),),
)

DEFAULT_STATUSES: dict[str, str] = {s: s for s in DEAL_STATUSES}


@dataclass(frozen=True)
class ColumnMapping:
    """How to read one CRM's exports: columns per entity and the value conventions of the files.

    `date_order` reads numeric dates: "DMY" (UK, the default) or "MDY" (US); a value that only fits
    the other order is refused, never guessed. `decimal_separator` "auto" reads "1,200.50" and
    "1.200,50" alike and treats "1,200" as 1200 (UK) except in semicolon-delimited files, where it
    is ambiguous and refused. `timezone` is where exported date-times without an offset were
    written; they are stored as UTC. `files` pins an entity to a file name when detection cannot tell.
    """

    organisations: EntityColumns = PIPEDRIVE_ORGANISATIONS
    people: EntityColumns = PIPEDRIVE_PEOPLE
    deals: EntityColumns = PIPEDRIVE_DEALS
    products: EntityColumns = PIPEDRIVE_PRODUCTS
    statuses: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_STATUSES))
    date_order: DateOrder = "DMY"
    decimal_separator: DecimalMode = "auto"
    timezone: str = "UTC"
    default_currency: str | None = None
    files: Mapping[str, Entity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.date_order not in get_args(DateOrder):
            raise ConfigurationError(f"date_order '{self.date_order}' is not one of DMY, MDY")
        if self.decimal_separator not in get_args(DecimalMode):
            raise ConfigurationError(
                f"decimal_separator '{self.decimal_separator}' is not one of 'auto', '.', ','"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigurationError(
                f"timezone '{self.timezone}' is not a known time zone", hint="use a name like Europe/London"
            ) from exc
        bad = {k: v for k, v in self.statuses.items() if v not in DEAL_STATUSES}
        if bad:
            raise ConfigurationError(
                f"deal statuses {bad} map to unknown values", hint=f"map each to one of {DEAL_STATUSES}"
            )
        if self.default_currency is not None and not re.fullmatch(r"[A-Z]{3}", self.default_currency):
            raise ConfigurationError(
                f"default_currency '{self.default_currency}' is not an ISO 4217 code", hint="e.g. GBP"
            )
        bad_files = {k: v for k, v in self.files.items() if v not in ENTITIES}
        if bad_files:
            raise ConfigurationError(
                f"files {bad_files} name unknown entities", hint=f"use one of {ENTITIES}"
            )

    @classmethod
    def pipedrive(cls) -> ColumnMapping:
        """The default: Pipedrive's "Export data" / list-view export headers, UK value conventions."""
        return cls()

    @property
    def zone(self) -> tzinfo:
        return ZoneInfo(self.timezone)

    def entity(self, name: Entity) -> EntityColumns:
        return cast(EntityColumns, getattr(self, name))

    def with_columns(self, entity: Entity, **aliases: str | Sequence[str]) -> ColumnMapping:
        """This mapping with the given headers tried first for `entity`'s fields."""
        if entity not in ENTITIES:
            raise ConfigurationError(f"'{entity}' is not an entity", hint=f"use one of {ENTITIES}")
        changes: dict[str, Any] = {entity: self.entity(entity).with_aliases(**aliases)}
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: ColumnMapping | None = None) -> ColumnMapping:
        """Overrides from plain data (e.g. parsed JSON) on top of `base` (default: Pipedrive's).

        `{"deals": {"value": "Amount"}, "statuses": {"gewonnen": "won"}, "date_order": "MDY",
        "decimal_separator": ",", "timezone": "Europe/London", "default_currency": "GBP",
        "files": {"contacts.csv": "people"}}`
        """
        mapping = base or cls.pipedrive()
        settings = ("statuses", "date_order", "decimal_separator", "timezone", "default_currency", "files")
        unknown = sorted(set(data) - set(ENTITIES) - set(settings))
        if unknown:
            raise ConfigurationError(
                f"unknown mapping keys {unknown}", hint=f"use entities {ENTITIES} or settings {settings}"
            )
        for entity in ENTITIES:
            if entity in data:
                mapping = mapping.with_columns(entity, **dict(data[entity]))
        changes: dict[str, Any] = {k: data[k] for k in settings if k in data and k != "statuses"}
        if "statuses" in data:
            extra = {str(k).strip().casefold(): v for k, v in dict(data["statuses"]).items()}
            changes["statuses"] = {**mapping.statuses, **extra}
        if "files" in data:
            changes["files"] = {**mapping.files, **dict(data["files"])}
        return dataclasses.replace(mapping, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Every alias and setting, as plain data (`from_dict` reads it back)."""
        out: dict[str, Any] = {e: {k: list(v) for k, v in self.entity(e).fields.items()} for e in ENTITIES}
        out.update(
            statuses=dict(self.statuses),
            date_order=self.date_order,
            decimal_separator=self.decimal_separator,
            timezone=self.timezone,
            default_currency=self.default_currency,
            files=dict(self.files),
        )
        return out


# --- names and headers ---------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def normalise_header(header: str) -> str:
    """Compare-key of a header: case, spacing, "*", "Organisation" and "X (Work)" vs "X - Work" ignored."""
    text = unicodedata.normalize("NFKC", header).replace("\ufeff", "").strip().rstrip("*").strip()
    text = re.sub(r"\s*\(([^()]*)\)$", r" - \1", text)
    text = re.sub(r"\s+-\s+", " - ", text)
    text = " ".join(text.split()).casefold()
    return text.replace("organisation", "organization")


def header_label(header: str) -> str:
    """The field label of a prefixed header: "Organization - VAT number" → "VAT number"."""
    parts = re.split(r"\s+-\s+", header.strip(), maxsplit=1)
    return parts[1] if len(parts) == 2 else header.strip()


def normalise_name(name: str) -> str:
    """Compare-key of a record name (for linking by name and synthetic ids): case and spacing only.

    Punctuation is kept on purpose: "Acme Ltd" and "Acme Ltd." are two Pipedrive records; merging
    near-duplicates is the profile's job, not the importer's.
    """
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()
