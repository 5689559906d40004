"""Every notebook in notebooks/ runs top to bottom on the sandbox, unedited, in a kernel of this
environment, with no cell in error and its key output present."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CELL_TIMEOUT_SECONDS = 300  # a loaded CI machine; each cell takes seconds
# what each notebook must show: text anywhere in its outputs
EXPECTED = {
    "01_pull.py": ["organisations", "minimum calls", "xero: done"],
    "02_duplicates_and_matching.py": [
        "Which key to store",
        "survivor_reason",
        "application/vnd.plotly.v1+json",
    ],
    "03_vat.py": ["VAT findings by kind and severity", "**Fix:**", "Wrote "],
    "04_route_and_plan.py": ["health-check.html", "Plan version 1 (proposed from the pull)", "monthly_gbp"],
    "05_pilot_flow.py": ["signed off by Jo Bloggs", "would be created", "Pilot run 2: finished, 2 created"],
}
# the engagement each notebook pulls the sandbox into (the pilot's own: its invoices live in the kernel)
ENGAGEMENTS = {"05_pilot_flow.py": "demo-pilot"}
# files each notebook writes where it runs
WRITTEN = {
    "03_vat.py": ["demo-notebook-vat-findings.csv"],
    "04_route_and_plan.py": [
        f"reports/demo-notebook/{n}" for n in ("health-check.html", "mapping-plan.xlsx", "findings.csv")
    ],
    "05_pilot_flow.py": [f"reports/demo-pilot/flow-run-{n}" for n in ("1.json", "1.md", "2.json", "2.md")],
}
WHICH_PYTHON = "import sys; print('kernel python:', sys.executable)"


def _texts(notebook: Any) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output["text"])
            for mime, value in output.get("data", {}).items():
                parts.append(mime)
                parts.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(parts)


def _errors(notebook: Any) -> list[str]:
    return [
        f"{o.get('ename')}: {o.get('evalue')}"
        for cell in notebook.cells
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    ]


def test_every_notebook_is_listed() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_notebook_runs_on_the_sandbox(
    name: str, tmp_path: Path, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core's own paths, without its warning
    notebook = jupytext.read(NOTEBOOKS / name)
    parameters = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1 and "ENGAGEMENT = " in parameters[0].source  # to switch to a real client
    notebook.cells.append(nbformat.v4.new_code_cell(WHICH_PYTHON))
    # the kernel inherits the test's environment: WORKBENCH_HOME points at this test's empty home
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=CELL_TIMEOUT_SECONDS,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    assert _errors(notebook) == []
    text = _texts(notebook)
    assert f"kernel python: {sys.executable}" in text  # this environment's interpreter, not another
    for expected in EXPECTED[name]:
        assert expected in text, expected
    assert (isolated_environment / "engagements" / ENGAGEMENTS.get(name, "demo-notebook")).is_dir()
    for written in WRITTEN.get(name, []):
        assert (tmp_path / written).stat().st_size > 0, written
