"""The typo pass of the CRM <-> Xero match: pairs whose names are one keystroke apart, found through
blocking keys of which one survives any single typo."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from workbench.profile.matching_keys import PAIR
from workbench.profile.matching_names import one_slip

FUZZY_BLOCK_LIMIT = 200  # records per blocking key in the fuzzy pass; bigger blocks are not specific


def typo_pairs(orgs: pd.DataFrame, contacts: pd.DataFrame, exact: pd.DataFrame) -> pd.DataFrame:
    """One-keystroke typo pairs ("Brightwatr" / "Brightwater Plumbing") for records no exact key paired.

    Only such a typo earns a fuzzy pair enough points to be linked (with a postcode beside it), so the
    blocks are built to hold one (see `_typo_keys`): "same first word" would pair thousands of records.
    Blocks are integer-coded so the joins stay cheap at 100,000 records a side.
    """
    cores = pd.Index(pd.unique(pd.concat([orgs["core"], contacts["core"]]).astype(str)))
    cores = cores[cores.str.len() > 0]
    if cores.empty:
        return pd.DataFrame(columns=PAIR)
    keyed = pd.DataFrame({"core": np.arange(len(cores)), "block": [_typo_keys(c) for c in cores]})
    keyed = keyed.explode("block")
    keyed["block"] = pd.factorize(keyed["block"])[0]
    org_rows = _blocks(cores.get_indexer(orgs["core"].astype(str)), keyed)
    contact_rows = _blocks(cores.get_indexer(contacts["core"].astype(str)), keyed)
    sizes = np.bincount(np.concatenate([org_rows["block"], contact_rows["block"]]), minlength=1)
    org_rows = org_rows[sizes[org_rows["block"]] <= FUZZY_BLOCK_LIMIT]
    contact_rows = contact_rows[sizes[contact_rows["block"]] <= FUZZY_BLOCK_LIMIT]
    paired_orgs = np.zeros(len(orgs), dtype=bool)
    paired_contacts = np.zeros(len(contacts), dtype=bool)
    if not exact.empty:
        paired_orgs[exact["o"].to_numpy(dtype=np.int64)] = True
        paired_contacts[exact["c"].to_numpy(dtype=np.int64)] = True
    lone_o = org_rows[~paired_orgs[org_rows["row"]]]
    lone_c = contact_rows[~paired_contacts[contact_rows["row"]]]
    joined = pd.concat(
        [lone_o.merge(contact_rows, on="block"), org_rows.merge(lone_c, on="block")], ignore_index=True
    )
    joined = joined.drop_duplicates(["row_x", "row_y"])
    if joined.empty:
        return pd.DataFrame(columns=PAIR)
    # each distinct pair of names is judged once, however many records carry them
    names = joined.drop_duplicates(["core_x", "core_y"])
    left, right = cores[names["core_x"]].tolist(), cores[names["core_y"]].tolist()
    close = np.asarray(process.cpdist(left, right, scorer=fuzz.ratio, workers=-1)) >= 80
    slips = names.loc[[bool(k) and one_slip(a, b) for a, b, k in zip(left, right, close, strict=True)]]
    joined = joined.merge(slips[["core_x", "core_y"]], on=["core_x", "core_y"])
    return pd.DataFrame({"o": joined["row_x"].to_numpy(), "c": joined["row_y"].to_numpy()})


def _blocks(core_of_row: np.ndarray, keyed: pd.DataFrame) -> pd.DataFrame:
    """(row, core, block) for every record with a name, from its core's typo keys."""
    rows = pd.DataFrame({"row": np.arange(len(core_of_row)), "core": core_of_row})
    rows = rows[rows["core"] >= 0]
    return rows.merge(keyed, on="core").astype({"block": np.int64})


def _typo_keys(core: str) -> list[str]:
    """Blocking keys of which one survives any single typo.

    Per word: the other words, and the word's first (or last) two letters; one keystroke in a word of
    four or more letters leaves one end intact (bar a swap of the middle two letters of a four-letter
    word). One-word names: their first or last two letters.
    """
    words = core.split()
    if len(words) == 1:
        return [f"<{core[:2]}", f">{core[-2:]}"]
    keys = []
    for i, word in enumerate(words):
        others = " ".join(words[:i] + words[i + 1 :])
        keys.append(f"{i}<{word[:2]}|{others}")
        keys.append(f"{i}>{word[-2:]}|{others}")
    return keys
