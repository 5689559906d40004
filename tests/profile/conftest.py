from __future__ import annotations

import pytest

from tests.profile.demo import PulledDemo, pulled_demo


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> PulledDemo:
    """The default demo client (seed 7), pulled once per test session; read it, never change it."""
    return pulled_demo(tmp_path_factory.mktemp("demo"))
