"""Every analysis is a function from canonical tables to findings: none prints, reads or writes files.

Checked on the source of `workbench/profile/` (the loader `tables.py` excepted: reading the engagement
is its job), so a new module that starts printing or opening files fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import workbench.profile

PACKAGE = Path(workbench.profile.__file__).parent
LOADER = {"tables.py"}
FORBIDDEN_CALLS = {"print", "open", "input", "breakpoint"}
FORBIDDEN_METHODS = {
    "read_text", "read_bytes", "write_text", "write_bytes", "read_csv", "read_excel", "read_parquet",
    "read_sql", "to_csv", "to_excel", "to_parquet", "to_sql", "connect",
}  # fmt: skip
FORBIDDEN_IMPORTS = {"sqlite3", "httpx", "streamlit", "workbench.store", "workbench.sandbox", "pathlib"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.glob("*.py") if p.name not in LOADER)


def _violations(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
                found.append(f"line {node.lineno}: calls {node.func.id}()")
            if isinstance(node.func, ast.Attribute) and node.func.attr in FORBIDDEN_METHODS:
                found.append(f"line {node.lineno}: calls .{node.func.attr}()")
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found.extend(
            f"line {node.lineno}: imports {n}"
            for n in names
            if any(n == f or n.startswith(f + ".") for f in FORBIDDEN_IMPORTS)
        )
    return found


@pytest.mark.parametrize("module", _modules(), ids=lambda p: p.name)
def test_no_analysis_prints_or_touches_files(module: Path) -> None:
    assert _violations(module.read_text()) == []


def test_the_check_catches_printing_and_file_reads() -> None:
    source = "import sqlite3\nfrom pathlib import Path\nprint(1)\nPath('x').read_text()\nframe.to_csv('f')\n"
    assert len(_violations(source)) == 5
