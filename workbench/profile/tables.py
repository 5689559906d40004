"""The canonical tables a profile reads, loaded once from an engagement."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from workbench.canonical import TABLES
from workbench.errors import EngagementError
from workbench.store import Engagement, today


@dataclass(frozen=True)
class ProfileTables(Mapping[str, pd.DataFrame]):
    """Canonical table name -> DataFrame (every canonical table present, empty if never pulled).

    `as_of` is the day the analysis reads the data as of: overdue balances and "recent" activity are
    judged against it, not against the machine's clock, so a profile of an old snapshot is stable.
    """

    frames: Mapping[str, pd.DataFrame]
    as_of: date = field(default_factory=today)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(f"there is no canonical table {name!r}")
        frame = self.frames.get(name)
        if frame is None:
            return pd.DataFrame(columns=list(TABLES[name].columns))
        return frame

    def __iter__(self) -> Iterator[str]:
        return iter(TABLES)

    def __len__(self) -> int:
        return len(TABLES)

    @classmethod
    def from_engagement(cls, engagement: Engagement, as_of: date | None = None) -> ProfileTables:
        """The latest tables of every source; `as_of` defaults to the day the data was pulled."""
        frames = {name: engagement.table(name) for name in TABLES}
        return cls(frames, as_of or data_as_of(engagement))


def pulled_tables(engagement: Engagement, as_of: date | None = None) -> ProfileTables:
    """As `ProfileTables.from_engagement`, refusing an engagement with nothing pulled or imported yet."""
    if not engagement.snapshots():
        raise EngagementError(
            f"engagement '{engagement.name}' has no pulled data yet",
            hint=f"run `workbench pull --engagement {engagement.name}` (or `workbench import`) first",
        )
    return ProfileTables.from_engagement(engagement, as_of)


def data_as_of(engagement: Engagement) -> date:
    """The day the engagement's data describes: Xero's own clock at the newest Xero pull (its cursors
    are server time, so a sandbox or a machine with a wrong clock still reads right), else the day of
    the newest snapshot, else today."""
    snapshots = engagement.snapshots()
    for info in reversed(snapshots):
        if info.source == "xero" and info.cursors:
            return max(datetime.fromisoformat(c.replace("Z", "+00:00")) for c in info.cursors.values()).date()
    if snapshots:
        return datetime.fromisoformat(snapshots[-1].created_at).date()
    return today()
