"""The workbench's one exception tree. Every error says what went wrong and what to do next.

Messages never carry secrets: tokens and client secrets stay in the token store (`workbench.auth`).
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base of every error the workbench raises on purpose; `hint` says what to do next."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        message = super().__str__()
        return f"{message} — {self.hint}" if self.hint else message


class ConfigurationError(WorkbenchError):
    """A setting, connection or argument is missing or inconsistent."""


class AuthError(WorkbenchError):
    """A service refused our credentials."""


class ReconnectRequired(AuthError):
    """The stored grant is gone (revoked, expired, rotated away): the user must connect again."""


class ApiError(WorkbenchError):
    """A service answered with an error we do not retry."""

    def __init__(
        self, service: str, status: int, endpoint: str, detail: str, *, hint: str | None = None
    ) -> None:
        self.service, self.status, self.endpoint, self.detail = service, status, endpoint, detail
        super().__init__(f"{service} answered {status} on {endpoint}: {detail}", hint=hint)


class RateLimitExhausted(WorkbenchError):
    """A budget that will not come back soon (e.g. Xero's day limit) is spent."""

    def __init__(self, service: str, limit: str, retry_after_seconds: float | None) -> None:
        self.service, self.limit, self.retry_after_seconds = service, limit, retry_after_seconds
        wait = f" for about {retry_after_seconds / 3600:.1f} h" if retry_after_seconds else ""
        super().__init__(
            f"{service}'s {limit} limit is used up{wait}",
            hint="rerun later: the pull resumes from the last completed page",
        )


class TransientFailure(WorkbenchError):
    """Retries ran out on 5xx answers, timeouts or dropped connections."""


class MalformedResponse(WorkbenchError):
    """A service sent a body we cannot read (truncated JSON, unexpected shape)."""

    @classmethod
    def answer(cls, service: str, endpoint: str, why: str) -> MalformedResponse:
        """`service`'s answer to `endpoint` that cannot be read, and why; a rerun keeps completed pages."""
        return cls(
            f"{service}'s answer to {endpoint} cannot be read: {why}",
            hint="run the pull again later; completed pages are kept",
        )


class PullFailed(WorkbenchError):
    """A pull stopped part-way; what was completed is kept and a rerun resumes from `page`."""

    def __init__(self, source: str, endpoint: str, page: int | str, cause: Exception) -> None:
        self.source, self.endpoint, self.page, self.cause = source, endpoint, page, cause
        super().__init__(
            f"pulling {source} {endpoint} stopped at page {page}: {cause}",
            hint="completed pages are saved; run the same pull again to resume from this page",
        )


class InputFileError(WorkbenchError):
    """A file the user gave us cannot be read as expected; names the file, row and column."""

    def __init__(
        self,
        path: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path, self.row, self.column = path, row, column
        where = (
            path + (f", row {row}" if row is not None else "") + (f", column '{column}'" if column else "")
        )
        super().__init__(f"{where}: {message}", hint=hint)


class EngagementError(WorkbenchError):
    """An engagement folder is missing, locked or inconsistent."""
