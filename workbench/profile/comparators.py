"""How a matcher compares two records, field by field, vectorised over all candidate pairs at once.

Each comparator turns a pair of prepared values into points (roughly log2 of how much likelier the
outcome is for one real entity than for two): agreement earns points, a conflict between two present
values costs points, a blank on either side is no evidence at all.

- `Exact`: equal normalised keys (VAT number, email, phone, postcode).
- `Fuzzy`: a rapidfuzz similarity 0-100 mapped to points by `levels`; the best over alternative
  columns counts (a legal name against a trading name).
- `Edits`: at most `max_edits` keystrokes apart (a dropped, doubled, changed or swapped letter): the
  shape of a typo, which a similarity threshold alone cannot tell from a different word
  ("Peak Cycles"/"Peak Cecles" is one slip; "Northern"/"Southern" two).
- `Prefix`: one value starts the other ("j" and "john").
- `Best`: the most favourable of several readings of one attribute, so the attribute counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any, Literal

import numpy as np
import pandas as pd
from rapidfuzz import distance, fuzz, process

Scorer = Literal["ratio", "token_sort_ratio", "token_set_ratio", "partial_ratio", "jaro_winkler"]
_SCORERS: dict[str, Any] = {
    "ratio": fuzz.ratio,
    "token_sort_ratio": fuzz.token_sort_ratio,
    "token_set_ratio": fuzz.token_set_ratio,
    "partial_ratio": fuzz.partial_ratio,
    "jaro_winkler": distance.JaroWinkler.normalized_similarity,
}
_MULTIPLIER = {"jaro_winkler": 100.0}


@dataclass(frozen=True)
class Exact:
    name: str
    column: str
    agree: float
    disagree: float = 0.0


@dataclass(frozen=True)
class Fuzzy:
    """`levels` are (minimum similarity, points), highest first; under all of them, `below` points."""

    name: str
    columns: tuple[str, ...]
    levels: tuple[tuple[float, float], ...]
    below: float = 0.0
    scorer: Scorer = "token_sort_ratio"


@dataclass(frozen=True)
class Edits:
    """Different values at most `max_edits` edits apart (Damerau-Levenshtein, adjacent swaps count
    once), both at least `min_length` long; otherwise `disagree`."""

    name: str
    columns: tuple[str, ...]
    agree: float
    max_edits: int = 1
    min_length: int = 6
    disagree: float = 0.0


@dataclass(frozen=True)
class Prefix:
    """One value is a prefix of the other but they differ; equal values do not count here."""

    name: str
    column: str
    agree: float
    disagree: float = 0.0


@dataclass(frozen=True)
class Best:
    name: str
    comparators: tuple[Exact | Fuzzy | Edits | Prefix, ...]


Comparator = Exact | Fuzzy | Edits | Prefix | Best


class Columns:
    """A prepared frame's columns as arrays, decoded once per match (not per comparator or pair)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._codes: dict[str, np.ndarray] = {}
        self._text: dict[str, np.ndarray] = {}
        self._present: dict[str, np.ndarray] = {}
        self._lengths: dict[str, np.ndarray] = {}

    def text(self, column: str) -> np.ndarray:
        """The values as str, "" for a blank."""
        if column not in self._text:
            values = self.frame[column].to_numpy(dtype=object, copy=True)
            values[pd.isna(values)] = ""
            if pd.api.types.infer_dtype(values, skipna=False) not in ("string", "empty"):
                values = np.array([str(v) for v in values], dtype=object)
            self._text[column] = values
        return self._text[column]

    def present(self, column: str) -> np.ndarray:
        if column not in self._present:
            self._present[column] = self.lengths(column) > 0
        return self._present[column]

    def lengths(self, column: str) -> np.ndarray:
        if column not in self._lengths:
            text = self.text(column)
            self._lengths[column] = np.fromiter(map(len, text), np.int64, len(text))
        return self._lengths[column]

    def codes(self, column: str) -> np.ndarray:
        """Integer codes of the values, -1 for a blank."""
        if column not in self._codes:
            values = self.text(column).copy()
            values[~self.present(column)] = None
            self._codes[column] = pd.factorize(values, use_na_sentinel=True)[0]
        return self._codes[column]


AGREE, MISSING, DISAGREE = 1, 0, -1
_NONE = -2  # below every outcome, so the best over column alternatives ignores absent ones


def _points(outcome: np.ndarray, agree: float, disagree: float) -> np.ndarray:
    return np.select([outcome == AGREE, outcome == DISAGREE], [agree, disagree], 0.0)


def _exact(c: Exact, cols: Columns, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    codes = cols.codes(c.column)
    ca, cb = codes[a], codes[b]
    outcome = np.where((ca >= 0) & (cb >= 0), np.where(ca == cb, AGREE, DISAGREE), MISSING)
    return _points(outcome, c.agree, c.disagree)


def _pairwise(
    scorer: Any, left: np.ndarray, right: np.ndarray, workers: int, multiplier: float = 1.0
) -> np.ndarray:
    if len(left) == 0:
        return np.empty(0)
    scores = process.cpdist(
        list(left), list(right), scorer=scorer, workers=workers, score_multiplier=multiplier
    )
    return np.asarray(scores, dtype=float)


def _prefix(c: Prefix, cols: Columns, a: np.ndarray, b: np.ndarray, workers: int) -> np.ndarray:
    text, lengths = cols.text(c.column), cols.lengths(c.column)
    outcome = np.zeros(len(a), dtype=np.int8)
    both = np.flatnonzero(cols.present(c.column)[a] & cols.present(c.column)[b])
    x, y = a[both], b[both]
    common = _pairwise(distance.Prefix.similarity, text[x], text[y], workers)
    shorter = np.minimum(lengths[x], lengths[y])
    outcome[both] = np.where((common == shorter) & (lengths[x] != lengths[y]), AGREE, DISAGREE)
    return _points(outcome, c.agree, c.disagree)


Score = Any  # (left rows, right rows, left column, right column) -> values for those pairs


def _best_over_columns(
    columns: tuple[str, ...], cols: Columns, a: np.ndarray, b: np.ndarray, score: Score, initial: float
) -> np.ndarray:
    """Best (max) of `score` over every pairing of the alternative columns; `initial` where no
    alternative is present on both sides."""
    best = np.full(len(a), initial, dtype=float)
    for left, right in product(columns, columns):
        both = np.flatnonzero(cols.present(left)[a] & cols.present(right)[b])
        if len(both):
            best[both] = np.maximum(best[both], score(a[both], b[both], left, right))
    return best


def similarity(c: Fuzzy, cols: Columns, a: np.ndarray, b: np.ndarray, workers: int) -> np.ndarray:
    """Best similarity over the column alternatives; -1 where no alternative is present on both sides."""
    scorer, multiplier = _SCORERS[c.scorer], _MULTIPLIER.get(c.scorer, 1.0)

    def score(x: np.ndarray, y: np.ndarray, left: str, right: str) -> np.ndarray:
        return _pairwise(scorer, cols.text(left)[x], cols.text(right)[y], workers, multiplier)

    return _best_over_columns(c.columns, cols, a, b, score, -1.0)


def _fuzzy(c: Fuzzy, sim: np.ndarray) -> np.ndarray:
    points = np.select([sim >= low for low, _ in c.levels], [p for _, p in c.levels], default=c.below)
    return np.where(sim < 0, 0.0, points)


def _edits(c: Edits, cols: Columns, a: np.ndarray, b: np.ndarray, workers: int) -> np.ndarray:
    def typo_like(x: np.ndarray, y: np.ndarray, left: str, right: str) -> np.ndarray:
        edits = _pairwise(distance.OSA.distance, cols.text(left)[x], cols.text(right)[y], workers)
        shortest = np.minimum(cols.lengths(left)[x], cols.lengths(right)[y])
        return np.where((edits >= 1) & (edits <= c.max_edits) & (shortest >= c.min_length), AGREE, DISAGREE)

    outcome = _best_over_columns(c.columns, cols, a, b, typo_like, _NONE)
    return _points(np.where(outcome == _NONE, MISSING, outcome), c.agree, c.disagree)


def evaluate(
    comparators: tuple[Comparator, ...], cols: Columns, a: np.ndarray, b: np.ndarray, workers: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Scores of the pairs (a[k], b[k]), and the evidence: points per comparator, similarity per
    fuzzy comparator (`<name>_similarity`, -1 where a side was blank)."""
    total = np.zeros(len(a))
    evidence: dict[str, np.ndarray] = {}

    def one(c: Exact | Fuzzy | Edits | Prefix) -> np.ndarray:
        if isinstance(c, Exact):
            return _exact(c, cols, a, b)
        if isinstance(c, Prefix):
            return _prefix(c, cols, a, b, workers)
        if isinstance(c, Edits):
            return _edits(c, cols, a, b, workers)
        sim = similarity(c, cols, a, b, workers)
        evidence[f"{c.name}_similarity"] = np.round(sim, 1)
        return _fuzzy(c, sim)

    for comparator in comparators:
        if isinstance(comparator, Best):
            readings = []
            for c in comparator.comparators:
                reading = one(c)
                if c.name != comparator.name:
                    evidence[c.name] = reading  # each reading stays visible, only the best counts
                readings.append(reading)
            points = np.max(np.stack(readings), axis=0)
        else:
            points = one(comparator)
        evidence[comparator.name] = points
        total += points
    return total, evidence
