"""Which file column feeds which canonical field, and how cell values are read (money, dates, flags).

The default mapping follows Pipedrive's `Entity - Field` header convention, with the spellings seen in
its list-view exports ("Deal - Currency", "Person - Email - Work", "Deal - Organization ID") and in its
import vocabulary ("Deal - Currency of value", "Person - Email (Work)", "Deal - Pipedrive System ID",
"Organization - Name*"). Headers are compared after normalising case, spacing, a trailing "*",
"Organisation"/"Organization" and "Email (Work)"/"Email - Work", so those variants need no alias.

Every alias list is data: `ColumnMapping.with_columns("deals", value="Amount")` or
`ColumnMapping.from_dict({"deals": {"value": "Amount"}, "date_order": "MDY"})` puts the user's header
first; the defaults stay as fallbacks.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Literal, cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workbench.errors import ConfigurationError

Entity = Literal["organisations", "people", "deals", "products"]
ENTITIES: tuple[Entity, ...] = get_args(Entity)
DETECTION_ORDER: tuple[Entity, ...] = ("deals", "products", "people", "organisations")
"""A deals export may carry person and organisation columns, a people export organisation columns
(Pipedrive's list views add the linked records' fields), so the richest entity is tried first."""

DateOrder = Literal["DMY", "MDY"]
DecimalMode = Literal["auto", ".", ","]
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


# --- values ----------------------------------------------------------------------------------------
class ValueProblem(ValueError):
    """A cell value cannot be read; `hint` says how to fix it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


_CURRENCY_SYMBOLS = {"£": "GBP", "€": "EUR", "$": "$"}  # "$" is resolved against the currency column
_AMOUNT = re.compile(
    r"(?P<sign1>[-−])?\s*(?P<cur1>[£€$]|[A-Za-z]{3}(?![A-Za-z]))?\s*(?P<sign2>[-−])?\s*"
    r"(?P<num>[0-9.,][0-9.,\s\u00a0\u202f']*?)\s*(?P<cur2>[£€$]|[A-Za-z]{3})?\s*(?P<sign3>[-−])?"
)
_MONEY_HINT = "write the amount as digits, e.g. 1200.50, £1,200.50 or 1.200,50"


def parse_money(
    value: object, decimal: DecimalMode = "auto", *, strict_groups: bool = False
) -> tuple[Decimal, str | None] | None:
    """An amount and the currency its text named (ISO code, or "$"), or None for an empty cell.

    "1,200" is ambiguous between 1200 and 1.2; `strict_groups` (set for semicolon-delimited files,
    which come from decimal-comma locales) refuses it instead of reading the UK 1200.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueProblem("a true/false cell is not an amount", _MONEY_HINT)
    if isinstance(value, int | Decimal):
        return Decimal(value), None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueProblem("is not a finite amount", _MONEY_HINT)
        return Decimal(repr(value)), None
    text = str(value).strip()
    if not text:
        return None
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1].strip()
    match = _AMOUNT.fullmatch(text)
    if match is None or not any(c.isdigit() for c in match["num"]):
        raise ValueProblem("is not an amount", _MONEY_HINT)
    signs = [s for s in (match["sign1"], match["sign2"], match["sign3"]) if s]
    if len(signs) > 1 or (signs and negative):
        raise ValueProblem("has more than one minus sign", _MONEY_HINT)
    codes = {_currency_token(c) for c in (match["cur1"], match["cur2"]) if c}
    if len(codes) > 1:
        raise ValueProblem(f"names two currencies ({', '.join(sorted(codes))})", _MONEY_HINT)
    amount = Decimal(_plain_number(match["num"], decimal, strict_groups))
    return (-amount if negative or signs else amount), (codes.pop() if codes else None)


def parse_number(
    value: object, decimal: DecimalMode = "auto", *, strict_groups: bool = False
) -> Decimal | None:
    """A plain number such as a tax rate ("20", "20%", "17,5")."""
    if isinstance(value, str):
        value = value.strip().removesuffix("%").strip()
    parsed = parse_money(value, decimal, strict_groups=strict_groups)
    if parsed is None:
        return None
    if parsed[1] is not None:
        raise ValueProblem("is a number with a currency, where a plain number was expected", "write e.g. 20")
    return parsed[0]


def _currency_token(token: str) -> str:
    return _CURRENCY_SYMBOLS.get(token, token.upper())


def _grouped(text: str, separator: str) -> bool:
    return re.fullmatch(rf"\d{{1,3}}({re.escape(separator)}\d{{3}})+", text) is not None


def _plain_number(text: str, decimal: DecimalMode, strict_groups: bool) -> str:
    text = re.sub(r"[\s\u00a0\u202f']+", " ", text).strip()
    if " " in text:
        if not re.fullmatch(r"\d{1,3}( \d{3})+([.,]\d+)?", text):
            raise ValueProblem("has spaces inside the number", _MONEY_HINT)
        text = text.replace(" ", "")
    dot, comma = "." in text, "," in text
    if dot and comma:
        point = "." if text.rfind(".") > text.rfind(",") else ","
        if decimal != "auto" and point != decimal:
            raise ValueProblem(
                f"uses '{point}' as the decimal separator but the mapping says '{decimal}'",
                "fix the value, or set ColumnMapping(decimal_separator=...) to match the file",
            )
        whole, fraction = text.rsplit(point, 1)
        thousands = "," if point == "." else "."
        if not (_grouped(whole, thousands) or whole.isdigit()) or not fraction.isdigit():
            raise ValueProblem("mixes '.' and ',' in a way that is not a number", _MONEY_HINT)
        return f"{whole.replace(thousands, '')}.{fraction}"
    separator = "." if dot else "," if comma else None
    if separator is None:
        if not text.isdigit():
            raise ValueProblem("is not a number", _MONEY_HINT)
        return text
    parts = text.split(separator)
    if len(parts) > 2 or (decimal != "auto" and decimal != separator):
        if decimal == separator or not _grouped(text, separator):
            raise ValueProblem(f"uses '{separator}' in a way that is not a number", _MONEY_HINT)
        return text.replace(separator, "")
    whole, fraction = parts
    if not fraction.isdigit() or not (whole.isdigit() or whole == ""):
        raise ValueProblem("is not a number", _MONEY_HINT)
    if decimal == "auto" and len(fraction) == 3 and whole not in ("", "0") and len(whole) <= 3:
        if strict_groups:
            raise ValueProblem(
                f"is ambiguous: '{text}' could mean {whole}{fraction} or {whole}.{fraction}",
                "this file is semicolon-delimited, where ',' is often the decimal separator: set "
                "ColumnMapping(decimal_separator=',') or '.' to say which the file uses",
            )
        if separator == ",":
            return whole + fraction  # UK: a comma before three digits groups thousands
    return f"{whole or '0'}.{fraction}"


def parse_currency(value: object) -> str | None:
    """An ISO 4217 code from "GBP", "gbp", "£" or "€"; "$" is refused (USD, AUD, CAD, …?)."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    code = _currency_token(text)
    if code == "$":
        raise ValueProblem(
            "'$' does not say which dollar", "write the ISO currency code instead, e.g. USD, AUD or CAD"
        )
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueProblem("is not a currency code", "write the ISO 4217 code, e.g. GBP, EUR or USD")
    return code


# --- dates -----------------------------------------------------------------------------------------
_EXCEL_EPOCH = datetime(1899, 12, 30)
_SERIAL_RANGE = (20000, 80000)  # 1954-10-03 … 2119-01-10: anything else is not a date serial
_TIME = r"(?:[ T]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?\s*(?P<ampm>[AaPp][Mm])?)?"
_NUMERIC_DATE = re.compile(r"(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{1,4})" + _TIME)
_YEAR_FIRST = re.compile(r"(?P<y>\d{4})[/.](?P<a>\d{1,2})[/.](?P<b>\d{1,2})" + _TIME)
_NAMED_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d-%b-%Y", "%d-%B-%Y")
_DATE_HINT = "write dates as yyyy-mm-dd or dd/mm/yyyy, or format the column as a date in Excel"


def parse_date(value: object, order: DateOrder = "DMY") -> date | None:
    """A calendar day; a date-time value gives its own day."""
    parts = _date_parts(value, order)
    return parts[0] if parts else None


def parse_instant(value: object, zone: tzinfo, order: DateOrder = "DMY") -> datetime | None:
    """An aware UTC instant; values without an offset are read in `zone`, a bare date at midnight."""
    parts = _date_parts(value, order)
    if parts is None:
        return None
    day, clock, offset = parts
    moment = datetime.combine(day, clock or time(0), tzinfo=offset or zone)
    return moment.astimezone(UTC)


def _date_parts(value: object, order: DateOrder) -> tuple[date, time | None, tzinfo | None] | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date(), value.timetz().replace(tzinfo=None), value.tzinfo
    if isinstance(value, date):
        return value, None, None
    if isinstance(value, bool):
        raise ValueProblem("a true/false cell is not a date", _DATE_HINT)
    if isinstance(value, int | float):
        return _serial(float(value))
    text = " ".join(str(value).split())
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):  # an Excel serial pasted as text, else refused as a number
        return _serial(float(text))
    if re.match(r"\d{4}-\d{1,2}-\d{1,2}", text):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueProblem("is not a valid date", _DATE_HINT) from None
        return moment.date(), moment.timetz().replace(tzinfo=None), moment.tzinfo
    match = _YEAR_FIRST.fullmatch(text)
    if match:
        return _build(int(match["y"]), int(match["a"]), int(match["b"]), match, "yyyy/mm/dd")
    match = _NUMERIC_DATE.fullmatch(text)
    if match:
        return _numeric(match, order)
    return _named(text)


def _serial(number: float) -> tuple[date, time | None, None]:
    if not _SERIAL_RANGE[0] <= number < _SERIAL_RANGE[1]:
        raise ValueProblem("is a number, not a date", _DATE_HINT)
    moment = _EXCEL_EPOCH + timedelta(days=number)
    moment = moment.replace(microsecond=0) + timedelta(seconds=round(moment.microsecond / 1e6))
    return moment.date(), (moment.time() if number % 1 else None), None


def _numeric(match: re.Match[str], order: DateOrder) -> tuple[date, time | None, None]:
    a, b, year = int(match["a"]), int(match["b"]), match["y"]
    shown = "dd/mm/yyyy" if order == "DMY" else "mm/dd/yyyy"
    if len(year) != 4:
        raise ValueProblem(
            "has a two-digit year, which is ambiguous",
            f"write the year in full ({shown}) or format the column as a date in Excel",
        )
    day, month = (a, b) if order == "DMY" else (b, a)
    if month > 12 and day <= 12:
        other = "MDY" if order == "DMY" else "DMY"
        raise ValueProblem(
            f"is not a {shown} date (there is no month {month}); the file looks like it writes "
            f"{'month' if order == 'DMY' else 'day'} first",
            f"if the whole file is written that way, import with ColumnMapping(date_order='{other}'); "
            "otherwise correct this cell",
        )
    return _build(int(year), month, day, match, shown)


def _build(
    year: int, month: int, day: int, match: re.Match[str], shown: str
) -> tuple[date, time | None, None]:
    try:
        return date(year, month, day), _clock(match), None
    except ValueError:
        raise ValueProblem(f"is not a valid {shown} date", _DATE_HINT) from None


def _clock(match: re.Match[str]) -> time | None:
    if match["h"] is None:
        return None
    hour, minute, second = int(match["h"]), int(match["mi"]), int(match["s"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueProblem("has an invalid 12-hour time", _DATE_HINT)
        hour = hour % 12 + (12 if match["ampm"].lower() == "pm" else 0)
    return time(hour, minute, second)


def _named(text: str) -> tuple[date, time | None, None]:
    cleaned = text.replace(",", " ").replace("Sept ", "Sep ")
    cleaned = " ".join(cleaned.split())
    clock: time | None = None
    found = re.search(r"\s(\d{1,2}):(\d{2})(?::(\d{2}))?$", cleaned)
    if found:
        cleaned = cleaned[: found.start()]
        try:
            clock = time(int(found[1]), int(found[2]), int(found[3] or 0))
        except ValueError:
            raise ValueProblem("has an invalid time", _DATE_HINT) from None
    for pattern in _NAMED_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date(), clock, None
        except ValueError:
            continue
    if re.search(r"\d", text) is None:
        raise ValueProblem("is not a date", _DATE_HINT)
    raise ValueProblem("is not a date in a form we can read without guessing", _DATE_HINT)


def cell_text(value: object) -> str | None:
    """A cell as text: stripped, None when empty; whole floats lose their ".0" (Excel ids, phones)."""
    if isinstance(value, str):
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value).strip()
    return text or None
