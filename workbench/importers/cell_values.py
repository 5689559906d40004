"""How one cell of a CRM export is read: money, numbers, currencies, dates and instants, plain text.

Every reader returns None for an empty cell and raises `ValueProblem` (with a hint on how to write the
value) for one it cannot read without guessing.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Literal

DateOrder = Literal["DMY", "MDY"]
DecimalMode = Literal["auto", ".", ","]


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
