"""Small reads every analysis of the canonical tables shares: blank text, live organisations, one key per
record across CRMs, rows grouped as plain dicts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.profile.tables import ProfileTables


def blank(values: pd.Series) -> pd.Series:
    """True where a text column is missing or only whitespace (a number or date is never blank)."""
    # `isspace` is `strip() == ""` for a non-empty str, without building every stripped copy
    text = np.fromiter(
        (isinstance(v, str) and (not v or v.isspace()) for v in values.tolist()),
        dtype=bool,
        count=len(values),
    )
    return pd.Series(text | values.isna().to_numpy(dtype=bool), index=values.index)


def live_organisations(tables: ProfileTables) -> pd.DataFrame:
    """Organisations not deleted in the CRM."""
    orgs = tables["organisations"]
    return orgs[~orgs["is_deleted"].fillna(False).astype(bool)]


def record_keys(frame: pd.DataFrame, id_column: str = "org_id") -> pd.Series:
    """One text key per row from the CRM and its record id, for fast membership tests across frames
    (ids are only unique within one CRM)."""
    return frame["source"].astype(str) + "\x1f" + frame[id_column].astype(str)


def group_records(frame: pd.DataFrame, keys: list[str]) -> dict[Any, list[dict[str, Any]]]:
    """Rows as dicts grouped by `keys` (a tuple key for several): building findings group by group from
    plain dicts is far cheaper than slicing a DataFrame per group."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in frame.to_dict("records"):
        key = tuple(row[k] for k in keys) if len(keys) > 1 else row[keys[0]]
        groups.setdefault(key, []).append(row)
    return groups
