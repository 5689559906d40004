"""A one-line progress display for long work on a terminal (and plain lines when not a terminal)."""

from __future__ import annotations

import sys
from typing import TextIO

from workbench.pull.runner import Progress


class ProgressLine:
    """Shows a pull's progress: endpoint i/n, pages and records so far, the API budget left."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self._last_endpoint = ""

    def __call__(self, progress: Progress) -> None:
        budget = ", ".join(f"{k} {v}" for k, v in progress.budget.items() if v is not None)
        if progress.finished:
            text = f"{progress.source}: done, {progress.total_records:,} records"
        else:
            text = (
                f"{progress.source} [{progress.endpoint_index + 1}/{progress.endpoint_count}] "
                f"{progress.endpoint}: page {progress.pages}, {progress.records:,} records"
            )
        if budget:
            text += f" (budget left: {budget})"
        if self.live:
            self.stream.write("\r\033[K" + text + ("\n" if progress.finished else ""))
        elif progress.finished or progress.endpoint != self._last_endpoint:
            self.stream.write(text + "\n")
        self._last_endpoint = progress.endpoint
        self.stream.flush()
