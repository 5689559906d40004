"""The day an engagement's data is read as of: when the newest pull saw the services, not today."""

from __future__ import annotations

from datetime import UTC, date, datetime

from workbench.store import Engagement, today


def _instant(text: str) -> datetime | None:
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None  # a cursor that is a page token, not a time
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def profile_day(engagement: Engagement) -> date:
    """The newest cursor of any snapshot (Xero's cursors are the server's clock, so this is the day the
    service last answered), else the newest snapshot's creation day, else today.

    Cursors rather than creation times because a sandbox runs on its own clock: its demo client is
    generated as of a fixed day, and judging "overdue" or "recent" by the machine's day would shift
    every finding. For a real service the two agree to within the pull's duration.
    """
    snapshots = engagement.snapshots()
    cursors = [_instant(c) for info in snapshots for c in info.cursors.values() if isinstance(c, str)]
    seen = [c for c in cursors if c is not None]
    if seen:
        return max(seen).date()
    created = [_instant(info.created_at) for info in snapshots]
    made = [c for c in created if c is not None]
    return max(made).date() if made else today()
