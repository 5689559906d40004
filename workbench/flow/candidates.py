"""The deals the invoice flow considers: won, not deleted, won on or after the plan's cut-off.

Won means the CRM says won (`is_won`, with a won time); a stage called "Closed won" never does. The
cut-off compares the won time's UTC calendar day, the same day the invoice is dated by.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from workbench.errors import ConfigurationError
from workbench.plan.model import Plan


def won_deals(tables: Mapping[str, pd.DataFrame], plan: Plan) -> pd.DataFrame:
    """The candidate deals of the plan's CRM, oldest win first (ties by deal id)."""
    cut_off = plan.deal_invoice.won_after
    if cut_off is None:
        raise ConfigurationError(
            "the plan sets no cut-off for the invoice flow ('Deals won on or after' is blank)",
            hint="enter the first day whose won deals the flow should invoice on the 'Deal to invoice' "
            "sheet and re-import the plan; older won deals are left alone",
        )
    deals = tables["deals"]
    won_time = pd.to_datetime(deals["won_time"], utc=True)
    chosen = (
        deals["source"].eq(plan.crm)
        & deals["is_won"].fillna(False).astype(bool)
        & ~deals["is_deleted"].fillna(False).astype(bool)
        & won_time.notna()
        & (won_time >= pd.Timestamp(cut_off, tz="UTC"))
    )
    candidates = deals[chosen].assign(_won=won_time[chosen], _id=deals.loc[chosen, "deal_id"].astype(str))
    candidates = candidates.sort_values(["_won", "_id"], key=_natural, kind="stable")
    return candidates.drop(columns=["_won", "_id"]).reset_index(drop=True)


def _natural(column: pd.Series) -> pd.Series:
    """Deal ids in number order where they are numbers ("9" before "10")."""
    if column.name != "_id":
        return column
    return column.str.zfill(20)
