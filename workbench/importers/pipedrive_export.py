"""Pipedrive's CSV/XLSX exports → canonical CRM tables (organisations, people, deals, products, owners,
stages, field list), all or nothing.

Each file's entity is told from its headers. Exports link records by name ("Person - Organization",
"Deal - Contact person"), ids only when the user added the ID columns, so: a row's own id is its
"<Entity> - ID" when present, else a deterministic synthetic one ("name:acme ltd", "email:jo@acme.com",
"~2" for a repeat); links use the linked record's id column when present, else its name, looked up in
the files given. A name found nowhere keeps a "name:<normalised>" link and a warning; a name several
records share is left unlinked, with a warning. Owners, pipelines and stages exist only as names in an
export, so their ids are synthetic too.

Reading a file is `export_files`, building the tables `export_builder`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workbench.errors import ConfigurationError
from workbench.importers.columns import ColumnMapping
from workbench.importers.export_builder import (
    BUILD_ORDER,
    SOURCE,
    FileSummary,
    ImportResult,
    TableBuilder,
)
from workbench.importers.export_files import detect_entity, load_file
from workbench.store import Engagement, SnapshotInfo

# importable from here as before the split
__all__ = [
    "SOURCE",
    "FileSummary",
    "ImportResult",
    "detect_entity",
    "import_into_engagement",
    "import_pipedrive_export",
]


def import_pipedrive_export(
    paths: Sequence[Path | str], mapping: ColumnMapping | None = None
) -> ImportResult:
    """Read Pipedrive export files into one canonical batch; raises `InputFileError` on the first
    unreadable file, missing column or value (nothing is returned half-done)."""
    mapping = mapping or ColumnMapping.pipedrive()
    files = [Path(p) for p in paths]
    if not files:
        raise ConfigurationError(
            "no files to import", hint="give the exported organisations, people and deals files"
        )
    repeated = sorted({p.name for p in files if sum(q.resolve() == p.resolve() for q in files) > 1})
    if repeated:
        raise ConfigurationError(
            f"the same file is given twice: {', '.join(repeated)}", hint="give each file once"
        )
    loaded = [load_file(path, mapping) for path in files]
    builder = TableBuilder(mapping, loaded)
    for entity in BUILD_ORDER:
        for item in loaded:
            if item.entity == entity:
                builder.add_file(item)
    return builder.result()


def import_into_engagement(
    engagement: Engagement, paths: Sequence[Path | str], mapping: ColumnMapping | None = None
) -> SnapshotInfo:
    """Import export files as one new `pipedrive-export` snapshot (a whole picture, not an update).

    Nothing is written unless every file reads cleanly. The import's warnings go to the audit log;
    call `import_pipedrive_export` first to show them before writing.
    """
    result = import_pipedrive_export(paths, mapping)
    info = engagement.write_snapshot(SOURCE, result.batch.rows, cursors={})
    engagement.audit(
        "files imported",
        source=SOURCE,
        snapshot_id=info.snapshot_id,
        files=[{"file": f.path.name, "entity": f.entity, "rows": f.rows} for f in result.files],
        warnings=result.warnings,
    )
    return info
