"""An engagement: one folder (mode 0700) holding one SQLite database for one client.

It keeps versioned snapshots of the canonical tables with the cursors of the pull that made them, the
raw pages of pulls in progress (so a failed pull resumes), every version of the client's mapping
plan (append-only), and an audit log. Nothing else in the workbench writes to disk except exports.
Secrets never come here: tokens live in the token store.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import stat
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from workbench import store_columns
from workbench.canonical import TABLES, Row, Table
from workbench.errors import EngagementError
from workbench.store_values import column_sql_type, to_sql, typed_frame

DATABASE_NAME = "engagement.sqlite"
SCHEMA_VERSION = 1
_SNAPSHOT_COLUMNS = "snapshot_id, source, created_at, counts, cursors, pull_id, base_snapshot_id"
_PLAN_COLUMNS = "version, created_at, origin, based_on, content_hash, plan, note"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pulls (
    pull_id INTEGER PRIMARY KEY, source TEXT NOT NULL, mode TEXT NOT NULL, status TEXT NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT, error TEXT, base_snapshot_id INTEGER, cursors TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pull_endpoints (
    pull_id INTEGER NOT NULL, endpoint TEXT NOT NULL, status TEXT NOT NULL, next_token TEXT,
    pages INTEGER NOT NULL DEFAULT 0, records INTEGER NOT NULL DEFAULT 0, cursor TEXT,
    PRIMARY KEY (pull_id, endpoint));
CREATE TABLE IF NOT EXISTS pull_pages (
    pull_id INTEGER NOT NULL, endpoint TEXT NOT NULL, page_no INTEGER NOT NULL, token TEXT,
    records TEXT NOT NULL, fetched_at TEXT NOT NULL, PRIMARY KEY (pull_id, endpoint, page_no));
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id INTEGER PRIMARY KEY, source TEXT NOT NULL, pull_id INTEGER, created_at TEXT NOT NULL,
    base_snapshot_id INTEGER, counts TEXT NOT NULL, cursors TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshot_columns (
    snapshot_id INTEGER NOT NULL, table_name TEXT NOT NULL, format TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (snapshot_id, table_name));
CREATE TABLE IF NOT EXISTS plan_versions (
    version INTEGER PRIMARY KEY, created_at TEXT NOT NULL, origin TEXT NOT NULL, based_on INTEGER,
    content_hash TEXT NOT NULL, plan TEXT NOT NULL, note TEXT NOT NULL DEFAULT '');
"""


def default_home() -> Path:
    """Where engagements live unless told: $WORKBENCH_HOME/engagements, else ~/.local/share/workbench."""
    if os.environ.get("WORKBENCH_HOME"):
        return Path(os.environ["WORKBENCH_HOME"]) / "engagements"
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "workbench" / "engagements"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PlanVersionRecord:
    """One stored version of the mapping plan, as JSON text (`workbench.plan.versions` reads it)."""

    version: int
    created_at: str
    origin: str
    based_on: int | None
    content_hash: str
    plan_json: str
    note: str


@dataclass
class SnapshotInfo:
    snapshot_id: int
    source: str
    created_at: str
    counts: dict[str, int]
    cursors: dict[str, str]
    pull_id: int | None
    base_snapshot_id: int | None


class Engagement:
    """One client's engagement folder and database. Open with `Engagement.open(name)`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.name = root.name
        self.database = root / DATABASE_NAME
        self.db = sqlite3.connect(self.database, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(_SCHEMA)
        for table in TABLES.values():
            columns = ", ".join(f'"{c}" {column_sql_type(k)}' for c, k in table.columns.items())
            self.db.execute(
                f'CREATE TABLE IF NOT EXISTS "{table.name}" (snapshot_id INTEGER NOT NULL, {columns})'
            )
            self.db.execute(
                f'CREATE INDEX IF NOT EXISTS "{table.name}_snapshot" ON "{table.name}" (snapshot_id)'
            )
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        for path in (self.database,):
            if path.exists():
                path.chmod(stat.S_IRUSR | stat.S_IWUSR)

    # lifecycle ---------------------------------------------------------------------------------------
    @classmethod
    def open(cls, name: str, home: Path | None = None, *, create: bool = True) -> Engagement:
        if not _NAME.match(name):
            raise EngagementError(
                f"'{name}' is not a usable engagement name",
                hint="use letters, digits, '.', '_' or '-' (up to 64 characters), e.g. acme-2026",
            )
        root = (home or default_home()) / name
        if not root.exists():
            if not create:
                raise EngagementError(
                    f"there is no engagement called '{name}' in {root.parent}",
                    hint="check the name with `workbench engagement list`",
                )
            root.mkdir(parents=True, mode=0o700)
        root.chmod(stat.S_IRWXU)
        return cls(root)

    @staticmethod
    def names(home: Path | None = None) -> list[str]:
        base = home or default_home()
        return sorted(p.name for p in base.iterdir() if (p / DATABASE_NAME).exists()) if base.exists() else []

    @staticmethod
    def purge(name: str, home: Path | None = None) -> Path:
        """Delete an engagement's folder and everything in it (the client's personal data)."""
        if not _NAME.match(name):
            raise EngagementError(f"'{name}' is not an engagement name")
        root = (home or default_home()) / name
        if not (root / DATABASE_NAME).exists():
            raise EngagementError(
                f"there is no engagement called '{name}' in {root.parent}",
                hint="check the name with `workbench engagement list`",
            )
        shutil.rmtree(root)
        return root

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Engagement:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @property
    def engagement_id(self) -> str:
        """A random id given to the engagement once: exports carry it, so a file is tied to this
        engagement even if another one has the same name (or this folder is renamed)."""
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('engagement_id', ?)", (uuid.uuid4().hex,))
        return str(self.db.execute("SELECT value FROM meta WHERE key = 'engagement_id'").fetchone()[0])

    # audit -------------------------------------------------------------------------------------------
    def audit(self, action: str, **detail: Any) -> None:
        self.db.execute(
            "INSERT INTO audit_log (at, action, detail) VALUES (?, ?, ?)",
            (utc_now().isoformat(), action, json.dumps(detail, sort_keys=True, default=str)),
        )

    def audit_log(self) -> pd.DataFrame:
        rows = self.db.execute("SELECT at, action, detail FROM audit_log ORDER BY id").fetchall()
        return pd.DataFrame(rows, columns=["at", "action", "detail"])

    # pulls -------------------------------------------------------------------------------------------
    def unfinished_pull(self, source: str) -> int | None:
        row = self.db.execute(
            "SELECT pull_id FROM pulls WHERE source = ? AND status IN ('running', 'failed') "
            "ORDER BY pull_id DESC LIMIT 1",
            (source,),
        ).fetchone()
        return int(row[0]) if row else None

    def start_pull(
        self, source: str, mode: str, base_snapshot_id: int | None, cursors: dict[str, str]
    ) -> int:
        cursor = self.db.execute(
            "INSERT INTO pulls (source, mode, status, started_at, base_snapshot_id, cursors) "
            "VALUES (?, ?, 'running', ?, ?, ?)",
            (source, mode, utc_now().isoformat(), base_snapshot_id, json.dumps(cursors)),
        )
        self.audit("pull started", source=source, mode=mode, pull_id=cursor.lastrowid)
        return int(cursor.lastrowid or 0)

    def pull_info(self, pull_id: int) -> dict[str, Any]:
        row = self.db.execute(
            "SELECT source, mode, status, base_snapshot_id, cursors FROM pulls WHERE pull_id=?", (pull_id,)
        ).fetchone()
        return {
            "source": row[0],
            "mode": row[1],
            "status": row[2],
            "base_snapshot_id": row[3],
            "cursors": json.loads(row[4]),
        }

    def mark_pull(self, pull_id: int, status: str, error: str | None = None) -> None:
        self.db.execute(
            "UPDATE pulls SET status = ?, error = ?, finished_at = ? WHERE pull_id = ?",
            (status, error, utc_now().isoformat(), pull_id),
        )
        self.audit(f"pull {status}", pull_id=pull_id, error=error)

    def endpoint_state(self, pull_id: int, endpoint: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT status, next_token, pages, records, cursor FROM pull_endpoints "
            "WHERE pull_id=? AND endpoint=?",
            (pull_id, endpoint),
        ).fetchone()
        if row is None:
            return None
        return {"status": row[0], "next_token": row[1], "pages": row[2], "records": row[3], "cursor": row[4]}

    def save_page(
        self,
        pull_id: int,
        endpoint: str,
        token: str | None,
        records: list[dict[str, Any]],
        next_token: str | None,
        cursor: str | None,
    ) -> int:
        """Save one fetched page and where to go next, atomically; returns the page number saved."""
        with self.transaction() as db:
            state = self.endpoint_state(pull_id, endpoint)
            page_no = (state["pages"] if state else 0) + 1
            db.execute(
                "INSERT INTO pull_pages VALUES (?, ?, ?, ?, ?, ?)",
                (pull_id, endpoint, page_no, token, json.dumps(records, default=str), utc_now().isoformat()),
            )
            best_cursor = max(filter(None, [cursor, state["cursor"] if state else None]), default=None)
            db.execute(
                "INSERT INTO pull_endpoints (pull_id, endpoint, status, next_token, pages, records, cursor) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pull_id, endpoint) DO UPDATE SET "
                "status=excluded.status, next_token=excluded.next_token, pages=excluded.pages, "
                "records=pull_endpoints.records + ?, cursor=excluded.cursor",
                (
                    pull_id,
                    endpoint,
                    "complete" if next_token is None else "partial",
                    next_token,
                    page_no,
                    len(records),
                    best_cursor,
                    len(records),
                ),
            )
        return page_no

    def saved_records(self, pull_id: int, endpoint: str) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        for (payload,) in self.db.execute(
            "SELECT records FROM pull_pages WHERE pull_id=? AND endpoint=? ORDER BY page_no",
            (pull_id, endpoint),
        ):
            records.extend(json.loads(payload))
        return records

    def drop_pull_pages(self, pull_id: int) -> None:
        self.db.execute("DELETE FROM pull_pages WHERE pull_id = ?", (pull_id,))

    # plan versions -----------------------------------------------------------------------------------
    def add_plan_version(
        self, plan_json: str, *, content_hash: str, origin: str, based_on: int | None = None, note: str = ""
    ) -> PlanVersionRecord:
        """Store a new plan version; earlier versions are never changed or removed."""
        created = utc_now().isoformat()
        cursor = self.db.execute(
            "INSERT INTO plan_versions (created_at, origin, based_on, content_hash, plan, note) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (created, origin, based_on, content_hash, plan_json, note),
        )
        version = int(cursor.lastrowid or 0)
        self.audit("plan version stored", version=version, origin=origin, based_on=based_on)
        return PlanVersionRecord(version, created, origin, based_on, content_hash, plan_json, note)

    def plan_version(self, version: int | None = None) -> PlanVersionRecord | None:
        """That plan version, or the latest when `version` is None; None if there is none."""
        query = f"SELECT {_PLAN_COLUMNS} FROM plan_versions"
        row = (
            self.db.execute(query + " ORDER BY version DESC LIMIT 1").fetchone()
            if version is None
            else self.db.execute(query + " WHERE version = ?", (version,)).fetchone()
        )
        return PlanVersionRecord(*row) if row else None

    def plan_versions(self) -> list[PlanVersionRecord]:
        rows = self.db.execute(f"SELECT {_PLAN_COLUMNS} FROM plan_versions ORDER BY version").fetchall()
        return [PlanVersionRecord(*row) for row in rows]

    # snapshots ---------------------------------------------------------------------------------------
    def latest_snapshot(self, source: str) -> SnapshotInfo | None:
        row = self.db.execute(
            f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots WHERE source = ? ORDER BY snapshot_id DESC LIMIT 1",
            (source,),
        ).fetchone()
        return self._snapshot(row) if row else None

    def snapshots(self, source: str | None = None) -> list[SnapshotInfo]:
        query = f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots"
        rows = self.db.execute(
            query + (" WHERE source = ?" if source else "") + " ORDER BY snapshot_id",
            (source,) if source else (),
        ).fetchall()
        return [self._snapshot(r) for r in rows]

    @staticmethod
    def _snapshot(row: tuple[Any, ...]) -> SnapshotInfo:
        return SnapshotInfo(row[0], row[1], row[2], json.loads(row[3]), json.loads(row[4]), row[5], row[6])

    def write_snapshot(
        self,
        source: str,
        rows: dict[str, list[Row]],
        *,
        cursors: dict[str, str],
        pull_id: int | None = None,
        base_snapshot_id: int | None = None,
        replace: dict[str, tuple[str, set[str]]] | None = None,
        complete: set[str] | None = None,
    ) -> SnapshotInfo:
        """A new snapshot of `source`: the base snapshot's rows (if any) with `rows` upserted by key.

        Tables in `complete` take `rows` alone, without the base snapshot's rows.
        """
        unknown = [name for name in rows if name not in TABLES]
        if unknown:
            raise EngagementError(f"unknown canonical tables {unknown}")
        created = utc_now().isoformat()
        with self.transaction() as db:
            snapshot_id = int(
                db.execute(
                    "INSERT INTO snapshots (source, pull_id, created_at, base_snapshot_id, counts, cursors) "
                    "VALUES (?, ?, ?, ?, '{}', ?)",
                    (source, pull_id, created, base_snapshot_id, json.dumps(cursors)),
                ).lastrowid
                or 0
            )
            touched = set(rows) | (set(self._tables_of(base_snapshot_id)) if base_snapshot_id else set())
            counts: dict[str, int] = {}
            for name in sorted(touched):
                table = TABLES[name]
                base = None if name in (complete or set()) else base_snapshot_id
                counts[name] = self._write_table(
                    db, table, snapshot_id, base, rows.get(name, []), (replace or {}).get(name)
                )
            db.execute(
                "UPDATE snapshots SET counts = ? WHERE snapshot_id = ?", (json.dumps(counts), snapshot_id)
            )
        self.audit("snapshot written", source=source, snapshot_id=snapshot_id, counts=counts)
        return SnapshotInfo(snapshot_id, source, created, counts, cursors, pull_id, base_snapshot_id)

    def _tables_of(self, snapshot_id: int | None) -> dict[str, int]:
        if snapshot_id is None:
            return {}
        row = self.db.execute("SELECT counts FROM snapshots WHERE snapshot_id = ?", (snapshot_id,)).fetchone()
        return json.loads(row[0]) if row else {}

    def _write_table(
        self,
        db: sqlite3.Connection,
        table: Table,
        snapshot_id: int,
        base_snapshot_id: int | None,
        rows: list[Row],
        replace: tuple[str, set[str]] | None,
    ) -> int:
        columns = list(table.columns)
        quoted = ", ".join(f'"{c}"' for c in columns)
        if base_snapshot_id is not None:
            db.execute(
                f'INSERT INTO "{table.name}" (snapshot_id, {quoted}) SELECT ?, {quoted} FROM '
                f'"{table.name}" WHERE snapshot_id = ?',
                (snapshot_id, base_snapshot_id),
            )
            if replace is not None:
                column, values = replace
                self._delete_where_in(db, table.name, snapshot_id, column, values)
            keys = {tuple(str(r.get(k)) for k in table.key) for r in rows}
            if keys:
                self._delete_keys(db, table, snapshot_id, keys)
        placeholders = ", ".join("?" for _ in range(len(columns) + 1))
        added = [self._sql_row(table, snapshot_id, row) for row in rows]
        db.executemany(f'INSERT INTO "{table.name}" (snapshot_id, {quoted}) VALUES ({placeholders})', added)
        if base_snapshot_id is not None:
            count = db.execute(f'SELECT COUNT(*) FROM "{table.name}" WHERE snapshot_id = ?', (snapshot_id,))
            written = int(count.fetchone()[0])
            change = _Change(keys, replace, [row[1:] for row in added])
            if _copy_from_base(db, table, base_snapshot_id, snapshot_id, change, written):
                return written
        read = db.execute(f'SELECT {quoted} FROM "{table.name}" WHERE snapshot_id = ?', (snapshot_id,))
        return _write_columnar_copy(db, table, snapshot_id, read.fetchall())

    @staticmethod
    def _sql_row(table: Table, snapshot_id: int, row: Row) -> tuple[Any, ...]:
        unknown = set(row) - set(table.columns)
        if unknown:
            raise EngagementError(f"table {table.name} has no columns {sorted(unknown)}")
        return (snapshot_id, *(to_sql(row.get(c), k) for c, k in table.columns.items()))

    @staticmethod
    def _delete_where_in(
        db: sqlite3.Connection, name: str, snapshot_id: int, column: str, values: Iterable[str]
    ) -> None:
        # one pass over the snapshot against a temporary set, not one scan of it per value
        db.execute("CREATE TEMP TABLE IF NOT EXISTS _doomed (value TEXT PRIMARY KEY)")
        db.execute("DELETE FROM _doomed")
        db.executemany("INSERT OR IGNORE INTO _doomed (value) VALUES (?)", ((str(v),) for v in values))
        db.execute(
            f'DELETE FROM "{name}" WHERE snapshot_id = ? '
            f'AND CAST("{column}" AS TEXT) IN (SELECT value FROM _doomed)',
            (snapshot_id,),
        )

    @staticmethod
    def _delete_keys(
        db: sqlite3.Connection, table: Table, snapshot_id: int, keys: set[tuple[str, ...]]
    ) -> None:
        # keys joined with a separator no id contains, so a composite key is one indexed text value
        joined = " || char(31) || ".join(f'CAST("{k}" AS TEXT)' for k in table.key)
        db.execute("CREATE TEMP TABLE IF NOT EXISTS _doomed_keys (value TEXT PRIMARY KEY)")
        db.execute("DELETE FROM _doomed_keys")
        db.executemany(
            "INSERT OR IGNORE INTO _doomed_keys (value) VALUES (?)", (("\x1f".join(k),) for k in keys)
        )
        db.execute(
            f'DELETE FROM "{table.name}" WHERE snapshot_id = ? '
            f"AND {joined} IN (SELECT value FROM _doomed_keys)",
            (snapshot_id,),
        )

    def table(self, name: str, snapshot_id: int | None = None, *, source: str | None = None) -> pd.DataFrame:
        """A canonical table as a DataFrame: from `snapshot_id`, else the latest snapshot that has it."""
        if name not in TABLES:
            raise EngagementError(
                f"there is no canonical table '{name}'", hint=f"use one of: {', '.join(sorted(TABLES))}"
            )
        if snapshot_id is None:
            snapshot_id = self._latest_with(name, source)
        return _read_table(self.db, name, snapshot_id)

    def reader(self) -> SnapshotReader:
        """Reads the latest tables as they are now, later and from any process (see `SnapshotReader`)."""
        return SnapshotReader(self.database, {name: self._latest_with(name, None) for name in TABLES})

    def _latest_with(self, name: str, source: str | None) -> int | None:
        for info in reversed(self.snapshots(source)):
            if name in info.counts:
                return info.snapshot_id
        return None


def _write_columnar_copy(
    db: sqlite3.Connection, table: Table, snapshot_id: int, rows: list[tuple[Any, ...]]
) -> int:
    """Keep the columnar copy of a snapshot's table (`workbench.store_columns`) made from its rows as
    written; a table without one reads from its rows. The number of rows."""
    # a value the copy cannot hold, or a copy larger than SQLite keeps: the rows alone
    with contextlib.suppress(pa.ArrowException, ValueError, sqlite3.DataError):
        _keep_copy(db, table.name, snapshot_id, store_columns.encode(table, rows))
    return len(rows)


def _stored_copy(db: sqlite3.Connection, name: str, snapshot_id: int) -> bytes | None:
    """A snapshot's columnar copy of a table, if it has one of the current format."""
    row = db.execute(
        "SELECT data FROM snapshot_columns WHERE snapshot_id = ? AND table_name = ? AND format = ?",
        (snapshot_id, name, store_columns.FORMAT),
    ).fetchone()
    return None if row is None else bytes(row[0])


def _keep_copy(db: sqlite3.Connection, name: str, snapshot_id: int, copy: bytes) -> None:
    db.execute(
        "INSERT OR REPLACE INTO snapshot_columns VALUES (?, ?, ?, ?)",
        (snapshot_id, name, store_columns.FORMAT, copy),
    )


@dataclass(frozen=True)
class _Change:
    """What an incremental snapshot changed in one table of its base: the keys of the rows it replaced,
    the rows it took out by a column's values, and the rows it added (SQL values)."""

    keys: set[tuple[str, ...]]
    replace: tuple[str, set[str]] | None
    added: list[tuple[Any, ...]]

    @property
    def none(self) -> bool:
        return not self.added and not (self.replace and self.replace[1])


def _copy_from_base(
    db: sqlite3.Connection, table: Table, base_snapshot_id: int, snapshot_id: int, change: _Change, rows: int
) -> bool:
    """Make an incremental snapshot's columnar copy of a table from its base's, without reading its rows
    back: the base's own copy when nothing changed (an incremental pull leaves most tables so), else
    the base's patched (`store_columns.patch`). False when the base has no copy of the current format,
    or the patched copy's rows are not the `rows` the snapshot holds (its copy is then made from them)."""
    if change.none:
        shared = db.execute(
            "INSERT INTO snapshot_columns SELECT ?, table_name, format, data FROM snapshot_columns "
            "WHERE snapshot_id = ? AND table_name = ? AND format = ?",
            (snapshot_id, base_snapshot_id, table.name, store_columns.FORMAT),
        )
        return shared.rowcount == 1
    base = _stored_copy(db, table.name, base_snapshot_id)
    try:
        patched = (
            None
            if base is None
            else store_columns.patch(table, base, change.keys, change.replace, change.added)
        )
        if patched is None or patched[1] != rows:
            return False
        _keep_copy(db, table.name, snapshot_id, patched[0])
    except (pa.ArrowException, ValueError, sqlite3.DataError):
        return False
    return True


def _read_table(
    db: sqlite3.Connection, name: str, snapshot_id: int | None, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    table = TABLES[name]
    unknown = [c for c in columns or () if c not in table.columns]
    if unknown:
        raise EngagementError(
            f"table {name} has no columns {unknown}", hint=f"use some of: {', '.join(table.columns)}"
        )
    if snapshot_id is None:
        return typed_frame(table, [], columns)
    copy = _stored_copy(db, name, snapshot_id)
    if copy is not None:
        try:
            return store_columns.decode(table, copy, columns)
        except pa.ArrowException:  # the rows are the record: read them
            pass
    quoted = ", ".join(f'"{c}"' for c in (table.columns if columns is None else columns))
    rows = db.execute(f'SELECT {quoted} FROM "{name}" WHERE snapshot_id = ?', (snapshot_id,)).fetchall()
    return typed_frame(table, rows, columns)


class SnapshotReader:
    """The canonical tables of fixed snapshots, read on demand: each process (a forked profile worker
    too) opens its own read-only connection, since a SQLite connection must not cross a fork, and a
    pull that lands meanwhile changes nothing it reads (snapshots are never rewritten)."""

    def __init__(self, database: Path, snapshot_ids: dict[str, int | None]) -> None:
        self.database, self.snapshot_ids = database, snapshot_ids
        self._connection: tuple[int, sqlite3.Connection] | None = None
        self._inherited: list[sqlite3.Connection] = []

    def __call__(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The table, or only these of its columns."""
        if name not in self.snapshot_ids:
            raise EngagementError(
                f"there is no canonical table '{name}'", hint=f"use one of: {', '.join(sorted(TABLES))}"
            )
        return _read_table(self._db(), name, self.snapshot_ids[name], columns)

    def _db(self) -> sqlite3.Connection:
        if self._connection is None or self._connection[0] != os.getpid():
            if self._connection is not None:  # the parent's, inherited: kept, never closed from here
                self._inherited.append(self._connection[1])
            db = sqlite3.connect(f"{self.database.as_uri()}?mode=ro", uri=True, check_same_thread=False)
            self._connection = (os.getpid(), db)
        return self._connection[1]

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_connection": None, "_inherited": []}


def today() -> date:
    return utc_now().date()
