"""Import a CRM's CSV/XLSX exports into the canonical CRM tables (for when there is no API access yet).

Pipedrive first: `import_pipedrive_export(paths)` reads the per-entity export files (organisations,
people, deals, products) into one `CanonicalBatch`; `import_into_engagement` writes it as one snapshot,
all or nothing. Column names and value conventions are data (`ColumnMapping`), overridable per client.
"""

from workbench.importers.columns import ColumnMapping, EntityColumns
from workbench.importers.pipedrive_export import (
    SOURCE,
    FileSummary,
    ImportResult,
    detect_entity,
    import_into_engagement,
    import_pipedrive_export,
)
from workbench.importers.readers import TableFile, read_table

__all__ = [
    "SOURCE",
    "ColumnMapping",
    "EntityColumns",
    "FileSummary",
    "ImportResult",
    "TableFile",
    "detect_entity",
    "import_into_engagement",
    "import_pipedrive_export",
    "read_table",
]
