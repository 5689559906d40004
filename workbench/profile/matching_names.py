"""How two canonical company names compare in the CRM <-> Xero match: exact, one typo apart, one inside
the other, near, or unrelated."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

NAME_NEAR = 85  # token_sort_ratio from which two names count as near (see POINTS in matching_scores)


def name_evidence(
    left: pd.Series, right: pd.Series, left_trading: pd.Series, right_trading: pd.Series
) -> pd.DataFrame:
    """How two canonical company names compare, per pair: `exact` (same words, or one is the other's
    trading name), `typo` (one word one keystroke apart), `subset` (one's words all in the other),
    `near` (token_sort >= NAME_NEAR), `unrelated` (no word, initials or spelling in common)."""
    a, b = left.tolist(), right.tolist()
    sort = np.asarray(process.cpdist(a, b, scorer=fuzz.token_sort_ratio, workers=-1), dtype=float)
    subset = np.asarray(process.cpdist(a, b, scorer=fuzz.token_set_ratio, workers=-1), dtype=float)
    named = left.astype(bool).to_numpy() & right.astype(bool).to_numpy()
    frame = pd.DataFrame({"l": left, "r": right, "lt": left_trading, "rt": right_trading})
    exact = _any_equal(frame, ("l", "lt"), ("r", "rt")).to_numpy() | (named & (sort >= 100))
    exact |= named & (left.str.replace(" ", "").to_numpy() == right.str.replace(" ", "").to_numpy())
    typo = np.zeros(len(a), dtype=bool)
    unrelated = np.zeros(len(a), dtype=bool)
    for i in np.flatnonzero(named & ~exact):
        if sort[i] >= 80:
            typo[i] = one_slip(a[i], b[i])
        else:
            unrelated[i] = not (set(a[i].split()) & set(b[i].split())) and not _acronym(a[i], b[i])
    return pd.DataFrame(
        {
            "exact": exact,
            "typo": typo,
            "subset": named & ~exact & (subset >= 100),
            "near": named & ~exact & (sort >= NAME_NEAR),
            "unrelated": unrelated,
            "score": sort.round(1),
        },
        index=left.index,
    )


def one_slip(a: str, b: str) -> bool:
    """One word differs by one dropped, doubled, swapped or changed letter ("Brightwatr" / "Brightwater");
    "Northern" / "Southern" differ by two and stay apart."""
    left, right = a.split(), b.split()
    if len(left) != len(right):
        return False
    differ = [(x, y) for x, y in zip(left, right, strict=True) if x != y]
    if len(differ) != 1:
        return False
    x, y = differ[0]
    return min(len(x), len(y)) >= 4 and DamerauLevenshtein.distance(x, y) <= 1


def _acronym(a: str, b: str) -> bool:
    """ "copper beech garden centre" / "cbgc trading": one name's initials are a word of the other."""

    def initials(name: str) -> str:
        words = name.split()
        return "".join(w[0] for w in words) if len(words) >= 2 else ""

    return bool(initials(a) and initials(a) in b.split()) or bool(initials(b) and initials(b) in a.split())


def _any_equal(p: pd.DataFrame, left: tuple[str, ...], right: tuple[str, ...]) -> pd.Series:
    equal = pd.Series(False, index=p.index)
    for a in left:
        for b in right:
            equal |= p[a].astype(bool) & p[a].eq(p[b])
    return equal
