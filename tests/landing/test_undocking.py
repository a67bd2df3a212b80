"""Undocking and separation in the proximity model, against Clohessy-Wiltshire and domain.md 5.1."""
import dataclasses
import math

import numpy as np
import pytest

from gyrfalcon.constants import G0_MPS2
from gyrfalcon.errors import EphemerisRangeError
from gyrfalcon.landing.undocking import UnsafeDepartureError, depart, separation_direction_lvlh
from gyrfalcon.landing.vehicle import load_return_vehicle
from gyrfalcon.orbits.iss import iss_ephemeris
from gyrfalcon.proximity.relative import cw_stm

UNDOCK = "2025-12-09T01:41Z"   # Soyuz MS-27 from Prichal (domain.md 5.2)


@pytest.fixture(scope="module")
def dep():
    return depart(iss_ephemeris(), UNDOCK, duration_s=1800.0)


def test_springs_then_separation_burn_as_published(dep):
    # domain.md 5.1 (CSA): springs 0.12 m/s; separation burn ~3 min later at 15-20 m, 8 s, 0.53 m/s
    assert np.linalg.norm(dep.rho_dot_lvlh_mps[1]) == pytest.approx(0.12, abs=2e-3)
    assert np.linalg.norm(dep.separation_dv_lvlh_mps) == pytest.approx(0.53, rel=1e-12)
    rho0 = dep.rho_lvlh_m[0]
    moved = np.linalg.norm(dep.rho_lvlh_m[180] - rho0)
    assert 15.0 <= moved <= 25.0                               # "at 15-20 m" (+ the ISS's own 21 m offset geometry)
    assert dep.separation_burn_utc.startswith("2025-12-09T01:44:00")


def test_leaves_keep_out_sphere_below_and_ahead(dep):
    assert dep.kos_radius_m == 200.0
    assert 300.0 < dep.kos_exit_t_s < 900.0
    assert dep.min_range_after_exit_m > 200.0
    x, _, z = dep.rho_lvlh_m[-1]
    assert x > 0 and z > 0           # ahead (V-bar) and below (R-bar): the safe side of a retrograde departure


def test_matches_clohessy_wiltshire(dep):
    # closed-form CW with the same impulses (springs at 0, the burn as one impulse mid-burn)
    n = 2 * math.pi / (92.9 * 60.0)                           # domain.md 6: ISS period about 92.9 min
    x0 = np.concatenate([dep.rho_lvlh_m[0], dep.spring_dv_lvlh_mps])
    x = cw_stm(n, 184.0) @ x0
    x[3:] += np.asarray(dep.separation_dv_lvlh_mps)
    x = cw_stm(n, 1800.0 - 184.0) @ x
    err = np.linalg.norm(dep.rho_lvlh_m[-1] - x[:3])
    assert err < 0.03 * np.linalg.norm(x[:3])


def test_mass_after_separation_burn(dep):
    veh = load_return_vehicle()
    m = veh.undocking_mass_kg * math.exp(-0.53 / (291.0 * G0_MPS2))     # DPO-B Isp 291 s (vehicles.toml)
    assert dep.state.mass_kg == pytest.approx(m, rel=1e-9)
    assert dep.state.frame == "GCRF"


def test_burn_back_toward_the_station_is_refused():
    # the separation burn pointed back along the port axis (tilt 180 deg) cancels the springs'
    # 0.12 m/s and brings the Soyuz back at 0.41 m/s: it never clears the 200 m sphere
    veh = dataclasses.replace(load_return_vehicle(), separation_burn_retro_deg=180.0)
    with pytest.raises(UnsafeDepartureError, match="keep-out sphere"):
        depart(iss_ephemeris(), UNDOCK, vehicle=veh, duration_s=1800.0)


def test_station_offset_makes_a_radial_departure_drift_ahead():
    # CW: released 18.7 m below the station's centre with the station's angular rate, the Soyuz
    # drifts ahead by 6 (n t - sin n t) z0 (about 0.7 km per orbit) even with a purely radial burn
    veh = dataclasses.replace(load_return_vehicle(), separation_burn_retro_deg=0.0)
    d = depart(iss_ephemeris(), UNDOCK, vehicle=veh, duration_s=5574.0, step_s=2.0)
    n = 2 * math.pi / 5574.0
    x0 = np.concatenate([d.rho_lvlh_m[0], d.spring_dv_lvlh_mps])
    x = cw_stm(n, 182.0) @ x0
    x[3:] += np.asarray(d.separation_dv_lvlh_mps)
    x = cw_stm(n, 5574.0 - 182.0) @ x
    assert x[0] > 500.0 and d.rho_lvlh_m[-1][0] > 500.0     # ~6 * 2 pi * 18.7 m = 0.7 km ahead after an orbit
    assert np.linalg.norm(d.rho_lvlh_m[-1] - x[:3]) < 0.1 * np.linalg.norm(x[:3])


def test_direction_and_errors():
    d = separation_direction_lvlh([0, 0, 1], 30.0)
    assert d == pytest.approx([-0.5, 0.0, math.sqrt(3) / 2])
    with pytest.raises(EphemerisRangeError, match="covers"):
        depart(iss_ephemeris(), "2025-12-09T11:50Z")
