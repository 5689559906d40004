"""Personal data taken out of what a report shows: people's names and every email address.

A name is withheld wherever the pulled data holds it as a person's name (CRM people, the contact person
on a Xero contact, CRM users and record owners), in any case and spacing; an email address is withheld
by its shape, whoever it belongs to. Company names, record ids, amounts and dates stay: the client needs
them to act on a finding, and they name a business, not a person.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from workbench.profile.tables import ProfileTables

NAME_MARK = "[person]"
EMAIL_MARK = "[email]"
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*", re.UNICODE)
# (table, columns joined into one name): each is a person's name in the canonical tables
NAME_SOURCES = (
    ("people", ("name",)),
    ("people", ("first_name", "last_name")),
    ("xero_contacts", ("first_name", "last_name")),
    ("crm_users", ("name",)),
    ("organisations", ("owner_name",)),
    ("deals", ("owner_name",)),
)
TEXT_COLUMNS = ("explanation", "fix")
NESTED_COLUMNS = ("evidence",)


class Redaction(Protocol):
    """What the report calls to take personal data out (a `Redactor`, or `KeepAll` to keep it)."""

    def text(self, text: str) -> str: ...
    def value(self, value: Any) -> Any: ...
    def findings(self, frame: pd.DataFrame) -> pd.DataFrame: ...
    def frame(self, frame: pd.DataFrame) -> pd.DataFrame: ...


def _bare(word: str) -> str:
    return word[:-2] if len(word) > 2 and word[-2:].casefold() in ("'s", "’s") else word


def _words(text: str) -> tuple[str, ...]:
    return tuple(_bare(word).casefold() for word in WORD.findall(text))


@dataclass(frozen=True)
class Redactor:
    """Replaces the names it knows (as runs of words) and any email address in text and nested values."""

    names: frozenset[tuple[str, ...]]
    longest: int

    @classmethod
    def from_names(cls, names: Iterable[str]) -> Redactor:
        keys = frozenset(key for key in (_words(str(n)) for n in names) if key)
        return cls(keys, max((len(k) for k in keys), default=0))

    @classmethod
    def from_tables(cls, tables: ProfileTables) -> Redactor:
        """Every person's name the pulled data holds."""
        names: list[str] = []
        for table, columns in NAME_SOURCES:
            frame = tables[table]
            if frame.empty or not set(columns) <= set(frame.columns):
                continue
            parts = [frame[c].fillna("").astype(str) for c in columns]
            joined = parts[0].str.cat(parts[1:], sep=" ") if len(parts) > 1 else parts[0]
            names.extend(joined[joined.str.strip().ne("")].unique())
        return cls.from_names(names)

    def text(self, text: str) -> str:
        """`text` with emails and known names replaced by [email] and [person]."""
        text = EMAIL.sub(EMAIL_MARK, text)
        if not self.names:
            return text
        # a possessive ("Riley Middleton's") is the name plus 's: the name is matched, the 's kept
        words = [(w.start(), w.start() + len(_bare(w.group()))) for w in WORD.finditer(text)]
        folded = [text[start:end].casefold() for start, end in words]
        # a name's words are apart by spaces only: "Riley & Wright Ltd" is not the person Riley Wright
        spaced = [not text[a[1] : b[0]].strip() for a, b in itertools.pairwise(words)]
        pieces: list[str] = []
        at = 0  # position in text up to which pieces are written
        i = 0
        while i < len(words):
            most = 1
            while most < min(self.longest, len(words) - i) and spaced[i + most - 1]:
                most += 1
            span = next((n for n in range(most, 0, -1) if tuple(folded[i : i + n]) in self.names), 0)
            if not span:
                i += 1
                continue
            pieces += [text[at : words[i][0]], NAME_MARK]
            at = words[i + span - 1][1]
            i += span
        pieces.append(text[at:])
        return "".join(pieces)

    def value(self, value: Any) -> Any:
        """A nested value (dicts, lists, strings) with every string redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.value(item) for item in value)
        return value

    def findings(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A findings table with its explanations, fixes and evidence redacted (ids and kinds kept)."""
        if frame.empty:
            return frame
        out = frame.copy()
        for column in TEXT_COLUMNS:
            if column in out.columns:
                out[column] = out[column].map(lambda v: self.text(v) if isinstance(v, str) else v)
        for column in NESTED_COLUMNS:
            if column in out.columns:
                out[column] = out[column].map(self.value)
        return out

    def frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Any table with every text cell redacted."""
        return frame.map(self.value) if not frame.empty else frame


class KeepAll:
    """The redactor of an unredacted report: everything passes through."""

    def text(self, text: str) -> str:
        return text

    def value(self, value: Any) -> Any:
        return value

    def findings(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame

    def frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame
