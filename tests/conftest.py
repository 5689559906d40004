"""Test-wide safety: no real credentials, no real home folders, no network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

CREDENTIAL_VARIABLES = (
    "XERO_CLIENT_ID",
    "XERO_CLIENT_SECRET",
    "XERO_TENANT_ID",
    "PIPEDRIVE_API_TOKEN",
    "PIPEDRIVE_CLIENT_ID",
    "PIPEDRIVE_CLIENT_SECRET",
    "HUBSPOT_ACCESS_TOKEN",
    "WORKBENCH_XERO_CLIENT_SECRET",
    "WORKBENCH_PIPEDRIVE_CLIENT_SECRET",
    "WORKBENCH_HUBSPOT_CLIENT_SECRET",
)


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Clear credentials from the environment and point every workbench folder at a fresh temp dir."""
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("workbench-home")
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.setenv("WORKBENCH_TOKEN_DIR", str(home / "tokens"))
    yield home
