"""Uploaded CRM export files into an engagement, as `workbench import` does with files on disk.

Uploads are written under their own names to a private temporary folder for the importer (which reads
paths and tells CSV from XLSX by name), removed afterwards; errors name the uploaded file, never that
folder.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import ConfigurationError, InputFileError
from workbench.importers import ColumnMapping, import_into_engagement
from workbench.store import Engagement


@dataclass(frozen=True)
class ImportOutcome:
    snapshot_id: int
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)


class UploadRejected(InputFileError):
    """An uploaded file could not be read: names the file as uploaded, its row and column."""

    def __init__(self, file: str, problem: str, *, row: int | None, column: str | None, hint: str) -> None:
        super().__init__(file, problem, row=row, column=column, hint=hint)
        self.file, self.problem = file, problem


def rejected(exc: InputFileError, folder: str) -> UploadRejected:
    """`exc` (about a file in the temporary `folder`) as the uploaded file's problem."""
    text = str(exc.args[0]).replace(f"{folder}/", "")
    where = exc.path.replace(f"{folder}/", "")
    problem = text.split(": ", 1)[1] if text.startswith(where) and ": " in text else text
    return UploadRejected(Path(exc.path).name, problem, row=exc.row, column=exc.column, hint=exc.hint)


def read_mapping(raw: bytes | None) -> ColumnMapping | None:
    """Column aliases from an uploaded JSON file (see `ColumnMapping.from_dict`)."""
    if raw is None:
        return None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ConfigurationError(
            f"the column-alias file is not JSON ({type(exc).__name__})",
            hint="upload a JSON object of aliases, or no alias file",
        ) from None
    return ColumnMapping.from_dict(data)


def import_uploads(
    engagement: Engagement, files: Sequence[tuple[str, bytes]], mapping_json: bytes | None = None
) -> ImportOutcome:
    """Import (name, content) uploads as one new snapshot: all or nothing."""
    if not files:
        raise ConfigurationError("no files to import", hint="choose the exported files first")
    mapping = read_mapping(mapping_json)
    with tempfile.TemporaryDirectory(prefix="workbench-upload-") as folder:
        paths = []
        for name, content in files:
            path = Path(folder) / Path(name).name
            path.write_bytes(content)
            paths.append(path)
        try:
            info = import_into_engagement(engagement, paths, mapping)
        except InputFileError as exc:
            raise rejected(exc, folder) from None
    log = engagement.audit_log().tail(1)
    warnings = json.loads(log.iloc[0]["detail"]).get("warnings", []) if len(log) else []
    return ImportOutcome(info.snapshot_id, dict(info.counts), [str(w) for w in warnings])
