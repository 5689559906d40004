"""Candidate pairs for a record matcher: the union of several cheap blocking rules.

Comparing every record with every other is quadratic; a blocking rule only pairs records that share
something cheap to compute (a VAT number, a postcode, the first word of a name, a place in a sorted
list), and the union of several rules keeps the pairs a single rule would miss. Work grows with the
records times the block sizes, so it stays near-linear as long as no block is huge, and huge blocks
(a shared placeholder value, the client's own office postcode) are left out: they say nothing about
two records being one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

Pairs = tuple[np.ndarray, np.ndarray]
"""Two equal-length int64 arrays of row positions: pair k is (first[k], second[k])."""


@dataclass(frozen=True)
class Block:
    """Pair records sharing a value in any of `columns` (one key space, so a trading name in one
    column meets a legal name in another). Values shared by more than `max_size` records are skipped."""

    columns: tuple[str, ...]
    max_size: int = 100

    @property
    def label(self) -> str:
        return "block:" + "|".join(self.columns)


@dataclass(frozen=True)
class SortedNeighbourhood:
    """Sort records on `column` and pair each with the next `window - 1` (catches a typo after the
    first letters that an exact key misses)."""

    column: str
    window: int = 5

    @property
    def label(self) -> str:
        return f"neighbours:{self.column}"


BlockingRule = Block | SortedNeighbourhood


@dataclass(frozen=True)
class BlockingStats:
    """What each rule contributed, and the values skipped as too common (a data-quality hint)."""

    candidates: int
    per_rule: dict[str, int]
    skipped_values: dict[str, list[tuple[str, int]]]


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int64 array (a sort and a diff: faster than `np.unique` here)."""
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _keys(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Row positions holding a value, and the values there (blanks and "" are no key)."""
    array = values.to_numpy(dtype=object)
    present = np.flatnonzero(pd.notna(array) & (array != ""))
    return present, array[present]


def _within_groups(codes: np.ndarray, rows: np.ndarray, max_size: int) -> Pairs:
    """All pairs of `rows` with equal `codes`, in groups of at most `max_size`."""
    order = np.argsort(codes, kind="stable")
    codes, rows = codes[order], rows[order]
    firsts: list[np.ndarray] = []
    seconds: list[np.ndarray] = []
    for d in range(1, max_size):
        if d >= len(codes):
            break
        same = codes[:-d] == codes[d:]
        if not same.any():
            break  # groups are contiguous: no run of length d+1 means none longer either
        firsts.append(rows[:-d][same])
        seconds.append(rows[d:][same])
    if not firsts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(firsts), np.concatenate(seconds)


def _block_pairs(frame: pd.DataFrame, rule: Block) -> tuple[Pairs, list[tuple[str, int]]]:
    found = [_keys(frame[column]) for column in rule.columns]
    rows = np.concatenate([r for r, _ in found]) if found else np.empty(0, np.int64)
    keys = np.concatenate([k for _, k in found]) if found else np.empty(0, object)
    codes, uniques = pd.factorize(keys)
    # a record holding the same key in two columns counts once
    entries = _distinct(codes.astype(np.int64) * max(len(frame), 1) + rows)
    codes, rows = entries // max(len(frame), 1), entries % max(len(frame), 1)
    sizes = np.bincount(codes, minlength=len(uniques))
    too_big = np.flatnonzero(sizes > rule.max_size)
    skipped = sorted(((str(uniques[c]), int(sizes[c])) for c in too_big), key=lambda s: -s[1])
    keep = sizes[codes] <= rule.max_size
    return _within_groups(codes[keep], rows[keep], rule.max_size), skipped[:20]


def _neighbour_pairs(frame: pd.DataFrame, rule: SortedNeighbourhood) -> Pairs:
    present, keys = _keys(frame[rule.column])
    # fixed-width unicode sorts in C; an object array would compare Python strings
    order = present[np.argsort(keys.astype(str), kind="stable")] if len(keys) else present
    firsts = [order[:-d] for d in range(1, rule.window) if d < len(order)]
    seconds = [order[d:] for d in range(1, rule.window) if d < len(order)]
    if not firsts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(firsts), np.concatenate(seconds)


def candidate_pairs(
    frame: pd.DataFrame, rules: Sequence[BlockingRule], split: int | None = None
) -> tuple[Pairs, BlockingStats]:
    """Unique candidate pairs (first < second) of `frame`'s rows under the union of `rules`.

    With `split` (linking two tables stacked as rows `[0, split)` and `[split, n)`), only pairs across
    the split are kept, first from the left table.
    """
    n = len(frame)
    encoded: list[np.ndarray] = []
    per_rule: dict[str, int] = {}
    skipped: dict[str, list[tuple[str, int]]] = {}
    for rule in rules:
        if isinstance(rule, Block):
            (a, b), skip = _block_pairs(frame, rule)
            if skip:
                skipped[rule.label] = skip
        else:
            a, b = _neighbour_pairs(frame, rule)
        first, second = np.minimum(a, b), np.maximum(a, b)
        keep = first != second
        if split is not None:
            keep &= (first < split) & (second >= split)
        code = first[keep].astype(np.int64) * n + second[keep]
        per_rule[rule.label] = len(_distinct(code))
        encoded.append(code)
    codes = _distinct(np.concatenate(encoded)) if encoded else np.empty(0, np.int64)
    pairs = (codes // max(n, 1), codes % max(n, 1))
    return pairs, BlockingStats(len(codes), per_rule, skipped)
