from __future__ import annotations

import pytest

from tests.profile.demo import PulledDemo, pulled_demo


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> PulledDemo:
    """The default demo client (seed 7), pulled once per test session; read it, never change it."""
    return pulled_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def other_demo(tmp_path_factory: pytest.TempPathFactory) -> PulledDemo:
    """A second demo client (seed 11, 800 organisations), so no rule is tuned to seed 7's data."""
    return pulled_demo(tmp_path_factory.mktemp("other-demo"), seed=11, organisations=800)


@pytest.fixture(scope="session")
def hubspot_demo(tmp_path_factory: pytest.TempPathFactory) -> PulledDemo:
    """The default demo client (seed 7) kept in HubSpot instead, pulled through the HubSpot client."""
    return pulled_demo(tmp_path_factory.mktemp("hubspot-demo"), crm="hubspot")
