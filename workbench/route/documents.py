"""Reading the route's editable tables: a shipped JSON file, with a consultant's own file laid over it.

A consultant's file (YAML or JSON) only has to hold what it changes: mappings merge key by key into
the shipped table, while a list (a tier ladder, say) replaces the shipped list whole, because half a
ladder merged with another is no ladder at all.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from workbench.errors import InputFileError


def shipped(name: str) -> dict[str, Any]:
    """A JSON table shipped inside `workbench.route`."""
    text = resources.files("workbench.route").joinpath(name).read_text(encoding="utf-8")
    document = json.loads(text)
    if not isinstance(document, dict):
        raise ValueError(f"workbench/route/{name} must hold a JSON object")
    return document


def read_document(path: Path) -> dict[str, Any]:
    """A YAML (.yaml/.yml) or JSON file holding one mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputFileError(str(path), f"cannot be read ({exc.strerror})", hint="check the path") from exc
    if path.suffix.lower() in (".yaml", ".yml"):
        document = _yaml(path, text)
    else:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputFileError(
                str(path), f"is not valid JSON: {exc.msg}", row=exc.lineno, hint="fix the file and rerun"
            ) from exc
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise InputFileError(str(path), "must hold a mapping of names to values at the top level")
    return document


def _yaml(path: Path, text: str) -> Any:
    try:
        import yaml
    except ImportError as exc:  # pyyaml is a test extra; a JSON file needs nothing extra
        raise InputFileError(
            str(path), "is YAML, but PyYAML is not installed", hint="pip install pyyaml, or write it as JSON"
        ) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise InputFileError(
            str(path), f"is not valid YAML: {exc}", row=row, hint="fix it and rerun"
        ) from exc


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`base` with `override` laid over it (mappings merged recursively, everything else replaced)."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def validation_problem(path: Path | None, exc: Exception) -> InputFileError:
    """A pydantic ValidationError on an edited table, as an error naming the file and the fields."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors()[:5]]
        message = "; ".join(parts)
    else:
        message = str(exc)
    return InputFileError(
        str(path) if path else "the shipped table", message, hint="correct those entries and rerun"
    )
