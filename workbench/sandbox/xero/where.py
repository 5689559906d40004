"""Xero's `where` filter language: parse once, evaluate per record.

Supports what integrations send: `Field==value`, `!=`, `>=`, `<=`, `>`, `<`, `=`; dotted paths
(`Contact.ContactID`); `"text"`, `Guid("...")`, `DateTime(2024, 01, 01[, h, m, s])`, numbers, `true`,
`false`, `null`; `AND`/`OR`/`NOT` (also `&&`, `||`) and parentheses; and the string methods
`.Contains("x")`, `.StartsWith("x")`, `.EndsWith("x")`. String comparison ignores case, as Xero's does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<op>==|!=|>=|<=|&&|\|\||=|>|<|\(|\)|,|\.)
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)

Predicate = Callable[[dict[str, Any]], bool]


class WhereError(ValueError):
    """A filter Xero would reject with a 400; the message says what is wrong."""


@dataclass
class _Tok:
    kind: str
    text: str


def _tokenise(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        found = _TOKEN.match(text, position)
        if not found or found.end() == position:
            raise WhereError(f"The where clause could not be parsed near '{text[position : position + 20]}'.")
        kind = found.lastgroup or ""
        tokens.append(_Tok(kind, found.group(kind)))
        position = found.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenise(text)
        self.index = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, text: str | None = None) -> _Tok:
        token = self.peek()
        if token is None or (text is not None and token.text.upper() != text.upper()):
            raise WhereError(f"The where clause is incomplete: expected {text or 'more'}.")
        self.index += 1
        return token

    def at(self, *texts: str) -> bool:
        token = self.peek()
        return token is not None and token.text.upper() in texts

    def parse(self) -> Predicate:
        predicate = self.or_expr()
        if self.peek() is not None:
            raise WhereError(f"Unexpected '{self.peek().text}' in the where clause.")  # type: ignore[union-attr]
        return predicate

    def or_expr(self) -> Predicate:
        left = self.and_expr()
        while self.at("OR", "||"):
            self.take()
            left = _either(left, self.and_expr())
        return left

    def and_expr(self) -> Predicate:
        left = self.unary()
        while self.at("AND", "&&"):
            self.take()
            left = _both(left, self.unary())
        return left

    def unary(self) -> Predicate:
        if self.at("NOT", "!"):
            self.take()
            inner = self.unary()
            return lambda r: not inner(r)
        if self.at("("):
            self.take("(")
            inner = self.or_expr()
            self.take(")")
            return inner
        return self.comparison()

    def path(self) -> list[str]:
        token = self.take()
        if token.kind != "word":
            raise WhereError(f"Expected a field name, found '{token.text}'.")
        parts = [token.text]
        while self.at(".") and self._next_is_field():
            self.take(".")
            parts.append(self.take().text)
        return parts

    def _next_is_field(self) -> bool:
        after = self.tokens[self.index + 1] if self.index + 1 < len(self.tokens) else None
        following = self.tokens[self.index + 2] if self.index + 2 < len(self.tokens) else None
        return bool(after and after.kind == "word" and not (following and following.text == "("))

    def comparison(self) -> Predicate:
        path = self.path()
        if self.at("."):
            self.take(".")
            method = self.take().text.lower()
            self.take("(")
            argument = self.value()
            self.take(")")
            return _method(path, method, argument)
        token = self.take()
        if token.kind != "op" or token.text not in ("==", "=", "!=", ">=", "<=", ">", "<"):
            raise WhereError(f"Expected a comparison after {'.'.join(path)}, found '{token.text}'.")
        return _compare(path, token.text, self.value())

    def value(self) -> Any:
        token = self.take()
        if token.kind == "string":
            return bytes(token.text[1:-1], "utf-8").decode("unicode_escape")
        if token.kind == "number":
            return Decimal(token.text)
        word = token.text.lower()
        if word in ("true", "false"):
            return word == "true"
        if word == "null":
            return None
        if word == "guid":
            self.take("(")
            inner = self.value()
            self.take(")")
            return str(inner).lower()
        if word in ("datetime", "datetimeoffset"):
            self.take("(")
            numbers = [int(self.take().text)]
            while self.at(","):
                self.take(",")
                numbers.append(int(self.take().text))
            self.take(")")
            try:
                year, month, day, hour, minute, second = ([*numbers, 0, 0, 0])[:6]
                return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
            except (TypeError, ValueError) as exc:
                raise WhereError(f"DateTime{tuple(numbers)} is not a valid date.") from exc
        raise WhereError(f"'{token.text}' is not a value Xero understands in a where clause.")


def _either(first: Predicate, second: Predicate) -> Predicate:
    return lambda record: first(record) or second(record)


def _both(first: Predicate, second: Predicate) -> Predicate:
    return lambda record: first(record) and second(record)


def _lookup(record: dict[str, Any], path: list[str]) -> Any:
    value: Any = record
    for part in path:
        if not isinstance(value, dict):
            return None
        if part in value:
            value = value[part]
            continue
        lowered = part.lower()
        value = next((v for k, v in value.items() if k.lower() == lowered), None)
    return value


def _normalise(value: Any) -> Any:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, float | int) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, str):
        return value.lower()
    return value


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


def _compare(path: list[str], op: str, literal: Any) -> Predicate:
    wanted = _normalise(literal)
    operation = _OPS[op]

    def predicate(record: dict[str, Any]) -> bool:
        actual = _normalise(_lookup(record, path))
        if actual is None or wanted is None:
            return operation(actual, wanted) if op in ("==", "=", "!=") else False
        try:
            return operation(actual, wanted)
        except TypeError:
            return False

    return predicate


def _method(path: list[str], method: str, argument: Any) -> Predicate:
    needle = str(argument).lower()
    tests: dict[str, Callable[[str], bool]] = {
        "contains": lambda s: needle in s,
        "startswith": lambda s: s.startswith(needle),
        "endswith": lambda s: s.endswith(needle),
    }
    if method not in tests:
        raise WhereError(f"The method '{method}' is not supported in a where clause.")
    test = tests[method]
    return lambda record: isinstance(v := _lookup(record, path), str) and test(v.lower())


def compile_where(text: str) -> Predicate:
    """Compile a `where` value into a predicate over stored records; raise WhereError if Xero would 400."""
    return _Parser(text).parse()


def equality_key(text: str) -> tuple[str, str] | None:
    """If the filter is one `Field=="value"` test, that field and value (lets callers use an index)."""
    found = re.fullmatch(r'\s*([A-Za-z.]+)\s*==?\s*"((?:[^"\\]|\\.)*)"\s*', text)
    return (found.group(1), found.group(2)) if found else None
