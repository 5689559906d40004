"""The token store: one JSON file per connection, outside any engagement folder, readable by its owner only.

The directory is created 0700 and every file 0600 from the moment it exists (never chmod-ed after the
fact). A save writes a temp file in the same directory, fsyncs it and `os.replace`s it over the old one,
so a crash leaves either the old token or the new one, never half of each. Secrets never leave the
files: `StoredToken`'s repr redacts them and validation errors hide their input.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.errors import ConfigurationError

try:  # POSIX: serialise refreshes across processes too (the CLI and the app may share a connection)
    import fcntl
except ImportError:  # pragma: no cover - Windows: the in-process lock still holds
    fcntl = None  # type: ignore[assignment]

TOKEN_DIR_ENV = "WORKBENCH_TOKEN_DIR"
DIR_MODE = 0o700
FILE_MODE = 0o600
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_SECRET_FIELDS = ("access_token", "refresh_token", "id_token")
_REDACTED = "<redacted>"

_locks: dict[tuple[str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


class StoredToken(BaseModel):
    """One connection's token set. `expires_at` is epoch seconds (None: the token does not expire)."""

    model_config = ConfigDict(hide_input_in_errors=True, extra="ignore")

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None
    scope: list[str] = Field(default_factory=list)
    token_type: str = "Bearer"
    id_token: str | None = None
    tenant_id: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    def expires_within(self, seconds: float, now: Callable[[], float]) -> bool:
        return self.expires_at is not None and self.expires_at - now() <= seconds

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            if name in _SECRET_FIELDS and value is not None:
                yield name, _REDACTED
            elif name == "extra":  # may hold anything a service sent: show the keys only
                yield name, sorted(value)
            else:
                yield name, value


def default_token_dir() -> Path:
    """$WORKBENCH_TOKEN_DIR, else $XDG_CONFIG_HOME/workbench/tokens, else ~/.config/workbench/tokens."""
    explicit = os.environ.get(TOKEN_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME")
    base = Path(config).expanduser() if config else Path.home() / ".config"
    return base / "workbench" / "tokens"


class TokenStore:
    """Connection name → `StoredToken`, one file each, in a directory only the owner can read."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_token_dir()

    def __repr__(self) -> str:
        return f"TokenStore({str(self.directory)!r})"

    def load(self, name: str) -> StoredToken | None:
        path = self._path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return StoredToken.model_validate(json.loads(text))
        except (ValueError, ValidationError):
            raise ConfigurationError(
                f"the stored token for '{name}' is unreadable ({path})",
                hint=f"connect '{name}' again to replace it, or delete the file",
            ) from None

    def save(self, name: str, token: StoredToken) -> None:
        """Atomically replace the stored token: temp file (0600) + fsync + os.replace + fsync of the dir."""
        path = self._path(name)
        self._ensure_directory()
        data = json.dumps(token.model_dump(mode="json"), indent=2, sort_keys=True).encode("utf-8")
        temp = self.directory / f".{name}.{secrets.token_hex(6)}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            raise
        self._fsync_directory()

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.json") if not p.name.startswith("."))

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Hold `name` exclusively: one refresh at a time in this process and, on POSIX, across processes."""
        self._path(name)
        self._ensure_directory()
        key = (str(self.directory.resolve()), name)
        with _locks_guard:
            thread_lock = _locks.setdefault(key, threading.Lock())
        with thread_lock:
            if fcntl is None:  # pragma: no cover
                yield
                return
            fd = os.open(self.directory / f".{name}.lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # closing releases the flock

    def _path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise ConfigurationError(
                f"'{name}' is not a valid connection name",
                hint="use letters, digits, '.', '_' or '-', starting with a letter or digit",
            )
        return self.directory / f"{name}.json"

    def _ensure_directory(self) -> None:
        self.directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        if self.directory.stat().st_mode & 0o077:
            self.directory.chmod(DIR_MODE)

    def _fsync_directory(self) -> None:
        if os.name != "posix":  # pragma: no cover
            return
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
