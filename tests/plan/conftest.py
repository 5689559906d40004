from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.plan.factories import tiny_engagement, tiny_tables
from workbench.plan.defaults import propose_plan
from workbench.plan.model import Plan
from workbench.plan.tenant import TenantCodes
from workbench.profile.tables import ProfileTables
from workbench.store import Engagement


@pytest.fixture(scope="session", params=["pipedrive", "hubspot"])
def crm(request: pytest.FixtureRequest) -> str:
    """The CRM the tiny client keeps its deals in: every plan test runs for both."""
    return str(request.param)


@pytest.fixture
def tiny(tmp_path: Path, crm: str) -> Iterator[Engagement]:
    """The tiny client's engagement, fresh for each test that writes to it."""
    engagement = tiny_engagement(tmp_path / "engagements", crm=crm)
    yield engagement
    engagement.close()


@pytest.fixture(scope="session")
def tables(tmp_path_factory: pytest.TempPathFactory, crm: str) -> ProfileTables:
    """The tiny client's tables, read once; read them, never change them."""
    with tiny_engagement(tmp_path_factory.mktemp("tiny") / "engagements", crm=crm) as engagement:
        return tiny_tables(engagement)


@pytest.fixture(scope="session")
def tenant(tables: ProfileTables) -> TenantCodes:
    return TenantCodes.from_tables(tables)


@pytest.fixture(scope="session")
def plan(tables: ProfileTables) -> Plan:
    return propose_plan(tables)
