"""The canonical tables a profile reads, loaded once from an engagement."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from workbench.canonical import TABLES
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
        frames = {name: engagement.table(name) for name in TABLES}
        return cls(frames, as_of or today())
