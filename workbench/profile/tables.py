"""The canonical tables a profile reads, loaded once from an engagement."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

import pandas as pd

from workbench.canonical import TABLES
from workbench.errors import EngagementError
from workbench.store import Engagement, today


class TableReader(Protocol):
    """Reads a canonical table (or only some of its columns), e.g. `workbench.store.SnapshotReader`."""

    def __call__(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame: ...


READING = "reading tables"  # the profile's progress while tables read on demand are read


@dataclass(frozen=True)
class ProfileTables(Mapping[str, pd.DataFrame]):
    """Canonical table name -> DataFrame (every canonical table present, empty if never pulled).

    `as_of` is the day the analysis reads the data as of: overdue balances and "recent" activity are
    judged against it, not against the machine's clock, so a profile of an old snapshot is stable.
    With a `loader` a table is read the first time it is asked for (`load` reads some ahead), so a
    profile can start on the tables it needs first while the others are still to be read.
    """

    frames: dict[str, pd.DataFrame]
    as_of: date = field(default_factory=today)
    loader: TableReader | None = None

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(f"there is no canonical table {name!r}")
        frame = self.frames.get(name)
        if frame is None and self.loader is not None:
            frame = self.frames[name] = self.loader(name)
        if frame is None:
            return pd.DataFrame(columns=list(TABLES[name].columns))
        return frame

    def __iter__(self) -> Iterator[str]:
        return iter(TABLES)

    def __len__(self) -> int:
        return len(TABLES)

    def columns(self, name: str, columns: Sequence[str]) -> pd.DataFrame:
        """Only these columns of a table: from the table if read, else read on their own (and not kept),
        far cheaper than the whole table when a few columns are all a step needs of it."""
        if name in self.frames or self.loader is None:
            return self[name][list(columns)]
        return self.loader(name, columns)

    def unread(self) -> list[str]:
        """The tables a `loader` has still to read."""
        return [name for name in TABLES if self.loader is not None and name not in self.frames]

    def load(self, names: Iterable[str] = TABLES) -> None:
        """Read these tables now (all by default), if not read yet."""
        for name in names:
            self[name]

    def read_all(self) -> ProfileTables:
        """These tables with every one read and no reader left (nor the database connection it holds)."""
        self.load()
        return ProfileTables(dict(self.frames), self.as_of)

    @classmethod
    def from_engagement(
        cls, engagement: Engagement, as_of: date | None = None, *, lazy: bool = False
    ) -> ProfileTables:
        """The latest tables of every source; `as_of` defaults to the day the data was pulled.

        `lazy` reads each table when first asked for, from the snapshots that are latest now (from any
        process, after the engagement is closed too)."""
        as_of = as_of or data_as_of(engagement)
        if lazy:
            return cls({}, as_of, engagement.reader())
        return cls({name: engagement.table(name) for name in TABLES}, as_of)


def pulled_tables(engagement: Engagement, as_of: date | None = None, *, lazy: bool = False) -> ProfileTables:
    """As `ProfileTables.from_engagement`, refusing an engagement with nothing pulled or imported yet."""
    if not engagement.snapshots():
        raise EngagementError(
            f"engagement '{engagement.name}' has no pulled data yet",
            hint=f"run `workbench pull --engagement {engagement.name}` (or `workbench import`) first",
        )
    return ProfileTables.from_engagement(engagement, as_of, lazy=lazy)


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
