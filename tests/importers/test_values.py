"""Money, date and currency cells: what is read, and what is refused rather than guessed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from workbench.importers.cell_values import (
    ValueProblem,
    parse_currency,
    parse_date,
    parse_instant,
    parse_money,
    parse_number,
)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("£1,200.50", "1200.50", "GBP"),
        ("1200.5", "1200.5", None),
        ("1.200,50", "1200.50", None),
        ("1,200", "1200", None),  # UK: a comma before three digits groups thousands
        ("1.200", "1.200", None),  # UK: a single dot is the decimal point
        ("1,5", "1.5", None),  # only a decimal comma reads this way
        ("12,50 €", "12.50", "EUR"),
        ("1 200,50", "1200.50", None),
        ("1\u00a0234\u00a0567.89", "1234567.89", None),
        ("1,234,567.89", "1234567.89", None),
        ("1.234.567", "1234567", None),
        ("0,500", "0.500", None),
        ("-£5.00", "-5.00", "GBP"),
        ("£-5.00", "-5.00", "GBP"),
        ("(1,200.00)", "-1200.00", None),
        ("GBP 1,200", "1200", "GBP"),
        ("1200 eur", "1200", "EUR"),
        ("$5", "5", "$"),
        ("  42 ", "42", None),
        (".5", "0.5", None),
    ],
)
def test_money_text_is_read(text: str, amount: str, currency: str | None) -> None:
    assert parse_money(text) == (Decimal(amount), currency)


@pytest.mark.parametrize(
    ("value", "amount"), [(1200, "1200"), (1200.5, "1200.5"), (0.1, "0.1"), (Decimal("3.10"), "3.10")]
)
def test_money_cells_from_xlsx_keep_their_digits(value: object, amount: str) -> None:
    assert parse_money(value) == (Decimal(amount), None)


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_empty_money_is_none(empty: object) -> None:
    assert parse_money(empty) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "is not an amount"),
        ("12..5", "not a number"),
        ("1,2,3", "not a number"),
        ("1.2.3,4,5", "not a number"),
        ("1,20.5", "not a number"),
        ("£5 €", "two currencies"),
        ("--5", "more than one minus"),
        ("-(5)", "not an amount"),
        ("1 2", "spaces inside"),
        (True, "true/false"),
        (float("nan"), "finite"),
    ],
)
def test_money_that_is_not_a_number_is_refused(text: object, message: str) -> None:
    with pytest.raises(ValueProblem, match=message) as caught:
        parse_money(text)
    assert caught.value.hint


@pytest.mark.parametrize("text", ["1,200", "1.200", "12.345"])
def test_three_digit_groups_are_ambiguous_in_semicolon_files(text: str) -> None:
    with pytest.raises(ValueProblem, match="ambiguous") as caught:
        parse_money(text, strict_groups=True)
    assert "decimal_separator" in caught.value.hint


def test_unambiguous_amounts_still_read_in_semicolon_files() -> None:
    assert parse_money("1.200,50", strict_groups=True) == (Decimal("1200.50"), None)
    assert parse_money("12,5", strict_groups=True) == (Decimal("12.5"), None)
    assert parse_money("1200", strict_groups=True) == (Decimal("1200"), None)


@pytest.mark.parametrize(
    ("text", "amount"), [("1.200", "1200"), ("1,5", "1.5"), ("1.200,5", "1200.5"), ("1200", "1200")]
)
def test_a_declared_decimal_comma(text: str, amount: str) -> None:
    assert parse_money(text, ",") == (Decimal(amount), None)


@pytest.mark.parametrize(
    ("decimal", "text"), [(",", "1,200.50"), (".", "1,5"), (".", "1.200,50"), (",", "1.5")]
)
def test_a_declared_separator_refuses_the_other_convention(decimal: str, text: str) -> None:
    with pytest.raises(ValueProblem):
        parse_money(text, decimal)  # type: ignore[arg-type]


def test_numbers_take_a_percent_sign_but_no_currency() -> None:
    assert parse_number("20%") == Decimal("20")
    assert parse_number("17,5") == Decimal("17.5")
    with pytest.raises(ValueProblem, match="currency"):
        parse_number("£20")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-04-03", date(2026, 4, 3)),
        ("03/04/2026", date(2026, 4, 3)),  # UK: day first
        ("3/4/2026", date(2026, 4, 3)),
        ("03.04.2026", date(2026, 4, 3)),
        ("03-04-2026", date(2026, 4, 3)),
        ("31/12/2026", date(2026, 12, 31)),
        ("2026/04/03", date(2026, 4, 3)),
        ("3 April 2026", date(2026, 4, 3)),
        ("3 Apr 2026", date(2026, 4, 3)),
        ("Apr 3, 2026", date(2026, 4, 3)),
        ("3 Sept 2026", date(2026, 9, 3)),
        ("03-Apr-2026", date(2026, 4, 3)),
        ("2026-04-03 14:05:00", date(2026, 4, 3)),
        ("45631", date(1899, 12, 30) + timedelta(days=45631)),  # an Excel serial pasted as text
        (45631, date(1899, 12, 30) + timedelta(days=45631)),
        (datetime(2026, 4, 3, 9, 30), date(2026, 4, 3)),
        (date(2026, 4, 3), date(2026, 4, 3)),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_read(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


def test_month_first_dates_when_the_mapping_says_so() -> None:
    assert parse_date("03/04/2026", "MDY") == date(2026, 3, 4)
    assert parse_date("12/25/2026", "MDY") == date(2026, 12, 25)


@pytest.mark.parametrize(
    ("text", "order", "message", "hint"),
    [
        ("12/25/2026", "DMY", "no month 25", "date_order='MDY'"),
        ("25/12/2026", "MDY", "no month 25", "date_order='DMY'"),
        ("03/04/26", "DMY", "two-digit year", "dd/mm/yyyy"),
        ("31/02/2026", "DMY", "not a valid dd/mm/yyyy date", "yyyy-mm-dd"),
        ("2026-13-01", "DMY", "not a valid date", "yyyy-mm-dd"),
        ("next Tuesday", "DMY", "is not a date", "yyyy-mm-dd"),
        ("Q3 2026", "DMY", "without guessing", "yyyy-mm-dd"),
        ("123", "DMY", "is a number, not a date", "yyyy-mm-dd"),
        (True, "DMY", "true/false", "yyyy-mm-dd"),
    ],
)
def test_ambiguous_or_unreadable_dates_are_refused(text: object, order: str, message: str, hint: str) -> None:
    with pytest.raises(ValueProblem, match=message) as caught:
        parse_date(text, order)  # type: ignore[arg-type]
    assert hint in caught.value.hint


LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        ("2026-04-03 14:05:00", UTC, datetime(2026, 4, 3, 14, 5, tzinfo=UTC)),
        ("2026-04-03 14:05:00", LONDON, datetime(2026, 4, 3, 13, 5, tzinfo=UTC)),  # BST
        ("2026-01-03 14:05", LONDON, datetime(2026, 1, 3, 14, 5, tzinfo=UTC)),  # GMT
        ("2026-04-03T14:05:00+02:00", LONDON, datetime(2026, 4, 3, 12, 5, tzinfo=UTC)),
        ("2026-04-03T14:05:00Z", LONDON, datetime(2026, 4, 3, 14, 5, tzinfo=UTC)),
        ("03/04/2026 2:05 PM", UTC, datetime(2026, 4, 3, 14, 5, tzinfo=UTC)),
        ("03/04/2026 14:05:09", UTC, datetime(2026, 4, 3, 14, 5, 9, tzinfo=UTC)),
        ("3 April 2026 14:05", UTC, datetime(2026, 4, 3, 14, 5, tzinfo=UTC)),
        ("2026-04-03", UTC, datetime(2026, 4, 3, tzinfo=UTC)),
        (datetime(2026, 4, 3, 14, 5), LONDON, datetime(2026, 4, 3, 13, 5, tzinfo=UTC)),
        (45631.5, UTC, datetime(2024, 12, 5, 12, 0, tzinfo=UTC)),
    ],
)
def test_instants_are_aware_utc(value: object, zone: ZoneInfo, expected: datetime) -> None:
    result = parse_instant(value, zone)
    assert result == expected and result is not None and result.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "code"), [("GBP", "GBP"), ("gbp", "GBP"), (" £ ", "GBP"), ("€", "EUR"), ("", None)]
)
def test_currencies(text: str, code: str | None) -> None:
    assert parse_currency(text) == code


@pytest.mark.parametrize(
    ("text", "message"), [("$", "which dollar"), ("pounds", "not a currency code"), ("GB", "not a")]
)
def test_unclear_currencies_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueProblem, match=message):
        parse_currency(text)
