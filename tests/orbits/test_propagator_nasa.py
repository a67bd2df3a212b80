"""Our best ISS model against NASA's own prediction (the shipped 2025-11-24 OEM).

NASA's file is a prediction with their force model (high-degree gravity, their atmosphere
and solar-flux forecast); we start from its first state (2025-11-24T12:00 UTC, EME2000 ->
GCRF) with EGM2008 36x36 + Sun and Moon (DE421) + NRLMSISE-00 drag (the OEM's mass, area
and Cd), the density scale fitted to the first 12 h of the file only, and compare at
+24 h and +72 h (before the 74S docking). Figures achieved (heyoka 7.13, EOP/space
weather bundled with it): fit RMS 2.4 m, drag scale 1.29, |dr| 59 m at 24 h and 0.86 km at
72 h. The ``full`` preset (EGM2008 8x8 + NRLMSISE-00, no fit) is 0.83 km off at 24 h.
"""
from __future__ import annotations

import numpy as np
import pytest

from gyrfalcon.orbits.forces import Drag, ForceModel, NRLMSISE00, PointMass, SphericalHarmonics, ThirdBody
from gyrfalcon.orbits.iss import iss_ephemeris
from gyrfalcon.orbits.propagator import Propagator, estimate_drag_scale


@pytest.fixture(scope="module")
def oem():
    return iss_ephemeris("GCRF")


def errors_km(oem, eph, hours):
    out = []
    for h in hours:
        r_nasa, _ = oem.interpolate(h * 3600.0)
        r_ours, _ = eph.interpolate(h * 3600.0)
        out.append(np.linalg.norm(r_nasa - r_ours) / 1e3)
    return out


def test_best_model_with_fitted_drag_scale_tracks_nasa(oem):
    sc = oem.meta["spacecraft"]
    assert (sc.mass_kg, sc.drag_area_m2, sc.drag_coeff) == (494318.8, 1526.6, 1.4)
    model = ForceModel((PointMass(), SphericalHarmonics(36, 36), ThirdBody("sun"), ThirdBody("moon"),
                        Drag(NRLMSISE00(), cd=sc.drag_coeff, area_m2=sc.drag_area_m2)), "iss-best")
    p = Propagator(model)
    s0 = oem.state_at_index(0)
    fit = estimate_drag_scale(p, s0, oem, 12 * 3600.0)
    assert fit.n_points == 180 and fit.rms_m < 4.0                 # achieved 2.4 m
    assert 1.0 < fit.drag_scale < 1.6                               # achieved 1.29
    eph = p.propagate(s0, 72 * 3600.0, step_s=120.0, params={"drag_scale": fit.drag_scale})
    e24, e72 = errors_km(oem, eph, (24, 72))
    assert e24 < 0.075, f"24 h: {e24:.3f} km"                       # achieved 0.059 km (goal <= 1 km)
    assert e72 < 1.0, f"72 h: {e72:.3f} km"                         # achieved 0.86 km


def test_full_preset_without_fit(oem):
    sc = oem.meta["spacecraft"]
    p = Propagator("full", params={"drag_area_m2": sc.drag_area_m2, "drag_cd": sc.drag_coeff})
    eph = p.propagate(oem.state_at_index(0), 24 * 3600.0, step_s=120.0)
    (e24,) = errors_km(oem, eph, (24,))
    assert e24 < 0.9, f"24 h: {e24:.3f} km"                          # achieved 0.83 km
