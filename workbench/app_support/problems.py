"""What the app shows when something fails: the workbench's own errors as their message and hint, and
anything unexpected as one short line plus details that carry no secrets."""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import WorkbenchError

SHOWN_FRAMES = 6
# anything that looks like a credential: a value after a credential-ish word, or a long opaque run of
# token characters (access tokens, secrets, codes, verifiers are all 24+ such characters)
_AFTER_WORD = re.compile(
    r"(?i)\b([\w-]*(?:secret|token|password|authorization|bearer|code|verifier|api[_-]?key|assertion))"
    r"(\s*[=:]\s*|\s+)([^\s,;&'\"]+)"
)
_OPAQUE = re.compile(r"[A-Za-z0-9_\-.~+]{24,}={0,2}")
REDACTED = "[redacted]"


@dataclass(frozen=True)
class Problem:
    """One failure as the page shows it: `message` and `hint` always, `details` only when unexpected."""

    message: str
    hint: str
    details: str | None = None

    @property
    def expected(self) -> bool:
        return self.details is None


def redact(text: str) -> str:
    """`text` with every credential-looking value replaced by [redacted]."""
    text = _AFTER_WORD.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return _OPAQUE.sub(REDACTED, text)


def describe(exc: BaseException, action: str) -> Problem:
    """How to show `exc`, raised while doing `action` ("pulling Xero")."""
    if isinstance(exc, WorkbenchError):
        message = str(exc.args[0]) if exc.args else type(exc).__name__
        return Problem(message, exc.hint)
    summary = f"Something unexpected went wrong while {action} ({type(exc).__name__})."
    hint = "what was saved before this is kept; try again, and if it happens again send the details below"
    return Problem(summary, hint, _details(exc))


def _details(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)[-SHOWN_FRAMES:]
    lines = [f"{type(exc).__name__}: {redact(str(exc))}", "", "where (innermost last):"]
    lines += [f"  {_short(frame.filename)}:{frame.lineno} in {frame.name}" for frame in frames]
    return "\n".join(lines)


def _short(filename: str) -> str:
    """A frame's file from its package on (`workbench/store.py`), not the machine's full path."""
    parts = Path(filename).parts
    for anchor in ("workbench", "pages", "streamlit", "site-packages"):
        if anchor in parts:
            index = len(parts) - 1 - parts[::-1].index(anchor)
            return "/".join(parts[index + (1 if anchor == "site-packages" else 0) :])
    return Path(filename).name
