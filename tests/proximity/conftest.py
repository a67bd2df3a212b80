"""Shared, module-cached approach runs (each full simulation takes about half a second)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def nominal_runs():
    from gyrfalcon.proximity.approach import simulate_approach

    return {seed: simulate_approach(seed=seed) for seed in (0, 1, 2)}
