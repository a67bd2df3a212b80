"""Shared helpers for the rendezvous tests (reference data in tests/rendezvous/data)."""
from __future__ import annotations

import pathlib
import re

import numpy as np
import pytest

DATA = pathlib.Path(__file__).parent / "data"


def _vec(text):
    return np.array([float(x) for x in re.findall(r"=\s*(-?[\d.eE+-]+)", text)])


@pytest.fixture(scope="session")
def orekit_ms28():
    """Header of the Orekit burns_ms28 run as a dict, plus parsed states (GCRF, m, m/s)."""
    meta = {}
    rows = []
    for line in (DATA / "orekit_burns_ms28_excerpt.csv").read_text().splitlines():
        if line.startswith("# "):
            k, v = line[2:].split(": ", 1)
            meta[k] = v
        elif line and not line.startswith("utc"):
            rows.append(line.split(","))
    out = {"meta": meta, "rows": rows}
    out["chaser0"] = _vec(meta["initial_state_gcrf_m_mps"])
    out["iss0"] = _vec(meta["iss_state_at_insertion_gcrf_m_mps"].split("(")[0])
    burns = {}
    for k in ("burn_DV1", "burn_DV2", "burn_DV3", "burn_DV4"):
        v = meta[k]
        before = _vec(v.split("state before:")[1].split(", mass")[0])
        mass_b = float(re.search(r"state before:.*?mass ([\d.]+) kg", v).group(1))
        after_v = _vec(v.split("after:")[1].split(", mass")[0])
        mass_a = float(re.search(r"after:.*?mass ([\d.]+) kg", v).group(1))
        dv = float(re.search(r"dv = ([\d.]+) m/s", v).group(1))
        burns[k] = dict(before=before, mass_before=mass_b, v_after=after_v, mass_after=mass_a, dv=dv)
    out["burns"] = burns
    return out
