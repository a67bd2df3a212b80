"""Shared nominal of the Monte Carlo tests: the embedded Soyuz MS-28 scenario (built once, ~6 s)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def ms28_text():
    from gyrfalcon.mission.scenario import default_scenario_text

    return default_scenario_text()


@pytest.fixture(scope="session")
def nominal(ms28_text):
    from gyrfalcon.scale.flight import build_nominal

    return build_nominal(ms28_text, "<embedded soyuz-ms-28.toml>")
