"""Clusters from scored pairs: connected components, then a guard against chaining.

Connected components alone chain: A~B and B~C put A and C together however unlike they are (on
FEBRL3 a low threshold gives one giant cluster, matching.md §8). So every component of three or more
records is re-clustered by average linkage over all its internal pairs (scored even when blocking never
paired them): a record joins a group only if its average score against the group's members reaches
the threshold, the same cut dedupe's hierarchical clustering makes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

import numpy as np

ScorePairs = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""Scores of the row pairs (first[k], second[k]), for internal pairs blocking did not produce."""

# A component bigger than this is scored on its known edges only (unknown pairs count as no support):
# all-pairs scoring is quadratic, and a component that big is a data problem to show, not to resolve.
MAX_FULLY_SCORED = 60


@dataclass(frozen=True)
class Cluster:
    """Row positions of one cluster and its cohesion: the lowest average score at which its members
    were joined (for a pair, the pair's score)."""

    members: tuple[int, ...]
    cohesion: float


def connected_components(n: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """A component label per row (the smallest row position in its component)."""
    labels = np.arange(n)
    if len(first) == 0:
        return labels
    while True:
        low = np.minimum(labels[first], labels[second])
        before = labels.copy()
        np.minimum.at(labels, first, low)
        np.minimum.at(labels, second, low)
        labels = labels[labels]  # pointer jumping: follow each label to its own label
        if np.array_equal(labels, before):
            return labels


def _average_linkage(
    members: list[int], scores: dict[tuple[int, int], float], threshold: float
) -> list[Cluster]:
    """Merge the two groups with the highest average pair score until none reaches `threshold`."""
    k = len(members)
    matrix = np.zeros((k, k))
    for x, y in combinations(range(k), 2):
        matrix[x, y] = matrix[y, x] = scores.get((members[x], members[y]), 0.0)
    np.fill_diagonal(matrix, -np.inf)
    sizes = np.ones(k)
    groups: list[list[int] | None] = [[m] for m in members]
    cohesion = np.full(k, np.inf)
    while True:
        flat = int(np.argmax(matrix))
        i, j = divmod(flat, k)
        best = matrix[i, j]
        if not np.isfinite(best) or best < threshold:
            break
        merged = (sizes[i] * matrix[i] + sizes[j] * matrix[j]) / (sizes[i] + sizes[j])
        matrix[i], matrix[:, i] = merged, merged
        matrix[j], matrix[:, j] = -np.inf, -np.inf
        matrix[i, i] = -np.inf
        sizes[i] += sizes[j]
        group_i, group_j = groups[i], groups[j]
        assert group_i is not None and group_j is not None
        groups[i], groups[j] = group_i + group_j, None
        cohesion[i] = min(cohesion[i], cohesion[j], best)
    return [
        Cluster(tuple(sorted(g)), float(cohesion[n]))
        for n, g in enumerate(groups)
        if g is not None and len(g) > 1
    ]


def clusters_from_edges(
    n: int,
    first: np.ndarray,
    second: np.ndarray,
    scores: np.ndarray,
    threshold: float,
    score_pairs: ScorePairs,
) -> list[Cluster]:
    """Clusters of rows joined by edges scoring at least `threshold`, chains split (module docstring)."""
    strong = scores >= threshold
    first, second, scores = first[strong], second[strong], scores[strong]
    labels = connected_components(n, first, second)
    sizes = np.bincount(labels, minlength=n)
    clusters: list[Cluster] = []
    edge_labels = labels[first]
    for k in np.flatnonzero(sizes[edge_labels] == 2):
        clusters.append(Cluster((int(first[k]), int(second[k])), float(scores[k])))
    if not (sizes >= 3).any():
        return clusters
    in_big = np.flatnonzero(sizes[labels] >= 3)
    in_big = in_big[np.argsort(labels[in_big], kind="stable")]
    cuts = np.flatnonzero(np.diff(labels[in_big])) + 1
    members_of = {int(g[0]): [int(r) for r in g] for g in np.split(in_big, cuts)}
    known: dict[tuple[int, int], float] = {}
    for k in np.flatnonzero(sizes[edge_labels] >= 3):
        known[(int(first[k]), int(second[k]))] = float(scores[k])
    todo = [
        pair
        for members in members_of.values()
        if len(members) <= MAX_FULLY_SCORED
        for pair in combinations(members, 2)
        if pair not in known
    ]
    if todo:
        a = np.array([p[0] for p in todo], dtype=np.int64)
        b = np.array([p[1] for p in todo], dtype=np.int64)
        known.update(zip(todo, (float(s) for s in score_pairs(a, b)), strict=True))
    for members in members_of.values():
        clusters.extend(_average_linkage(members, known, threshold))
    return sorted(clusters, key=lambda c: c.members)
