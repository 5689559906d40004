"""A generic record matcher: block, compare, score, band, cluster — configured, not coded, per record type.

The same engine finds duplicate CRM organisations, CRM people, Xero contacts and FEBRL person records,
and links two tables (CRM organisations to Xero contacts). A `MatcherConfig` says which prepared
columns block candidate pairs (`workbench.profile.blocking`) and how each is compared
(`workbench.profile.comparators`). A pair's score is the sum of its comparators' points, a
Fellegi-Sunter match weight with the weights written down so every verdict can be explained.
`Bands` cut scores into certain / likely / possible; clusters join likely-or-better pairs, with a
guard against chaining (`workbench.profile.clustering`).

Frames handed to the matcher are *prepared*: one row per record, the index the record id, every
configured column already normalised (`workbench.profile.names`), blanks as None or "".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from workbench.profile.blocking import (
    Block,
    BlockingRule,
    BlockingStats,
    SortedNeighbourhood,
    candidate_pairs,
)
from workbench.profile.clustering import clusters_from_edges
from workbench.profile.comparators import Best, Columns, Comparator, Edits, Exact, Fuzzy, Prefix, evaluate

__all__ = [
    "Bands",
    "Best",
    "Block",
    "Edits",
    "Exact",
    "Fuzzy",
    "MatchResult",
    "MatcherConfig",
    "Prefix",
    "SortedNeighbourhood",
    "dedupe",
    "link",
    "pair_evidence",
    "score_pairs",
]

Band = Literal["certain", "likely", "possible"]
BANDS: tuple[Band, ...] = ("certain", "likely", "possible")


@dataclass(frozen=True)
class Bands:
    """Score cut-offs. Clusters join pairs of at least `likely`; `possible` pairs go to review."""

    certain: float
    likely: float
    possible: float

    def of(self, scores: np.ndarray) -> np.ndarray:
        return np.select(
            [scores >= self.certain, scores >= self.likely, scores >= self.possible],
            ["certain", "likely", "possible"],
            default="",
        )

    def band(self, score: float) -> Band | None:
        for name, cut in zip(BANDS, (self.certain, self.likely, self.possible), strict=True):
            if score >= cut:
                return name
        return None


@dataclass(frozen=True)
class MatcherConfig:
    comparators: tuple[Comparator, ...]
    blocking: tuple[BlockingRule, ...]
    bands: Bands
    workers: int = 2  # rapidfuzz threads (the profile budget assumes two cores)


@dataclass(frozen=True)
class MatchCluster:
    """Record ids of one cluster; `cohesion` is the lowest average pair score its members joined at."""

    members: tuple[str, ...]
    cohesion: float
    band: Band


@dataclass(frozen=True)
class MatchResult:
    """`pairs`: one row per candidate pair scoring at least `possible` — `left`, `right` (record ids),
    `score`, `band`, then each comparator's points and each fuzzy comparator's `<name>_similarity`.
    `clusters`: for a dedupe, the clusters (two or more records each)."""

    pairs: pd.DataFrame
    clusters: list[MatchCluster] = field(default_factory=list)
    blocking: BlockingStats | None = None


def _ids(frame: pd.DataFrame) -> np.ndarray:
    return frame.index.astype(str).to_numpy(dtype=object)


def _pairs_frame(
    ids: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    scores: np.ndarray,
    evidence: dict[str, np.ndarray],
    bands: Bands,
    keep: np.ndarray | None = None,
) -> pd.DataFrame:
    if keep is not None:
        a, b, scores = a[keep], b[keep], scores[keep]
        evidence = {k: v[keep] for k, v in evidence.items()}
    frame = pd.DataFrame(
        {"left": ids[a], "right": ids[b], "score": np.round(scores, 2), "band": bands.of(scores)}
    )
    for name, values in evidence.items():
        frame[name] = values
    return frame.sort_values(["score", "left", "right"], ascending=[False, True, True], ignore_index=True)


def dedupe(frame: pd.DataFrame, config: MatcherConfig) -> MatchResult:
    """Duplicate pairs (at least `possible`) and clusters (joined at `likely`, chains split) in one table."""
    ids = _ids(frame)
    (a, b), stats = candidate_pairs(frame, config.blocking)
    cols = Columns(frame)
    scores, evidence = evaluate(config.comparators, cols, a, b, config.workers)

    def rescore(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return evaluate(config.comparators, cols, x, y, config.workers)[0]

    clusters = [
        MatchCluster(
            tuple(str(ids[m]) for m in c.members), c.cohesion, config.bands.band(c.cohesion) or "likely"
        )
        for c in clusters_from_edges(len(frame), a, b, scores, config.bands.likely, rescore)
    ]
    pairs = _pairs_frame(ids, a, b, scores, evidence, config.bands, scores >= config.bands.possible)
    return MatchResult(pairs, clusters, stats)


def link(left: pd.DataFrame, right: pd.DataFrame, config: MatcherConfig) -> MatchResult:
    """Scored pairs (at least `possible`) between two prepared tables with the same columns; `left`
    ids are from `left`, `right` ids from `right`."""
    stacked = pd.concat([left, right], ignore_index=True)
    ids = np.concatenate([_ids(left), _ids(right)])
    (a, b), stats = candidate_pairs(stacked, config.blocking, split=len(left))
    scores, evidence = evaluate(config.comparators, Columns(stacked), a, b, config.workers)
    pairs = _pairs_frame(ids, a, b, scores, evidence, config.bands, scores >= config.bands.possible)
    return MatchResult(pairs, [], stats)


def score_pairs(
    frame: pd.DataFrame, config: MatcherConfig, first: Sequence[int], second: Sequence[int]
) -> pd.DataFrame:
    """Scores and evidence of given row-position pairs of one prepared frame (to explain any pair)."""
    a, b = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
    scores, evidence = evaluate(config.comparators, Columns(frame), a, b, config.workers)
    return _pairs_frame(_ids(frame), a, b, scores, evidence, config.bands)


_META = frozenset({"left", "right", "score", "band"})


def pair_evidence(row: pd.Series | dict[str, Any], config: MatcherConfig) -> dict[str, Any]:
    """One pair's evidence: which comparators agreed and which conflicted (top level), the points of
    every reading (sub-comparators of a `Best` included) and the similarities."""
    values = dict(row)
    similarity = {
        str(key).removesuffix("_similarity"): float(value)
        for key, value in values.items()
        if str(key).endswith("_similarity") and float(value) >= 0
    }
    points = {
        str(key): float(value)
        for key, value in values.items()
        if key not in _META and not str(key).endswith("_similarity")
    }
    return {
        "left": str(values["left"]),
        "right": str(values["right"]),
        "score": float(values["score"]),
        "band": str(values["band"]) or None,
        "agreed": [c.name for c in config.comparators if points[c.name] > 0],
        "conflicted": [c.name for c in config.comparators if points[c.name] < 0],
        "points": points,
        "similarity": similarity,
    }
