"""Soyuz MS-22's uncrewed fast return (28 Mar 2023), planned with the uncrewed profile.

As flown (published: SERADATA_MS22 and NASA_MS22 in landing/data/return.toml): undocking from
Rassvet at 09:57 UTC, deorbit burn about 55 min later, landing at 11:42 (Seradata) to 11:46 UTC
(NASA), i.e. about 11:45. The station's orbit comes from the last ISS TLE we have before the
undocking (2023-03-23 09:31 UTC, 5 days earlier; tests/data/README.md), propagated with SGP4:
no NASA ephemeris covers the date. The burn time and the landing are predicted by the planner
(first reachable pass after the profile's minimum gap, burn solved on it); nothing is fitted to
MS-22. With the crewed profile (at least 90 min from undocking to the burn) the same undocking
finds no landing within a day: the failure the profile fixes.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gyrfalcon.io.oem import convert_samples
from gyrfalcon.landing.deorbit import NoLandingError
from gyrfalcon.landing.plan import plan_landing
from gyrfalcon.landing.vehicle import load_return_vehicle
from gyrfalcon.orbits.ephemeris import Ephemeris
from gyrfalcon.orbits.tle import load_tles
from gyrfalcon.time import add_seconds, iso_utc, parse_utc, seconds_between

TLES = Path(__file__).resolve().parents[1] / "data" / "iss_tle_2023-03_before_ms22_return.txt"
UNDOCK = "2023-03-28T09:57:00Z"
LANDING = "2023-03-28T11:45:00Z"


@pytest.fixture(scope="module")
def station():
    sets = load_tles(TLES)
    el = sets[-1]
    assert iso_utc(el.epoch) == "2023-03-23T09:31:55.906Z"          # 4.85 d before the undocking
    assert all(float(seconds_between(s.epoch, parse_utc(UNDOCK))) > 0 for s in sets)   # all dated before it
    times = add_seconds(parse_utc("2023-03-28T08:00:00Z"), 60.0 * np.arange(7 * 60))
    teme = el.propagate(times)
    r, v = convert_samples(teme.epoch, teme.t_s, teme.r_m, teme.v_mps, "TEME", "GCRF")
    return Ephemeris(teme.epoch, teme.t_s, r, v, "GCRF", "ISS")


def test_the_tles_agree_with_each_other(station):
    # the three sets (three independent public files) describe one orbit: the two earlier ones,
    # propagated to the last one's epoch, are within a few km of it (no manoeuvre in between)
    sets = load_tles(TLES)
    ref = sets[-1].state_at(sets[-1].epoch).r_m
    for s in sets[:-1]:
        assert np.linalg.norm(s.state_at(sets[-1].epoch).r_m - ref) < 5e3


def test_uncrewed_profile_is_the_soyuz_with_a_fast_departure():
    crewed, uncrewed = load_return_vehicle("soyuz-ms"), load_return_vehicle("soyuz-ms-uncrewed")
    assert uncrewed.min_deorbit_after_undock_s == 1800.0 < crewed.min_deorbit_after_undock_s == 5400.0
    assert uncrewed.figures["deorbit_after_undock_s"]["source"].startswith("SERADATA_MS22")
    same = [f for f in crewed.__dataclass_fields__ if f not in ("id", "name", "figures", "deorbit_after_undock_s",
                                                               "min_deorbit_after_undock_s")]
    assert all(getattr(crewed, f) == getattr(uncrewed, f) for f in same)


def test_ms22_return_predicted_within_5_minutes(station):
    plan = plan_landing(station, UNDOCK, vehicle="soyuz-ms-uncrewed", port="rassvet-nadir")
    d = plan.to_dict()
    landing_err = float(seconds_between(parse_utc(LANDING), parse_utc(d["landing_utc"])))
    assert abs(landing_err) < 300.0, d["landing_utc"]               # predicted 11:44:06 UTC
    # the burn: about 55 min after undocking (SERADATA_MS22), predicted 53 min (10:50:30)
    assert d["deorbit_burn"]["after_undock_s"] == pytest.approx(55 * 60, abs=5 * 60)
    assert d["undock_to_landing_s"] < 2 * 3600                      # "less than two hours after undocking"
    assert d["miss_km"] < 30.0                                      # in the Soyuz zone (AUS accuracy ~28 km)


def test_crewed_profile_finds_no_landing_that_day(station):
    with pytest.raises(NoLandingError, match="no pass within a day of undocking at 2023-03-28T09:57:00.000Z"):
        plan_landing(station, UNDOCK, vehicle="soyuz-ms", port="rassvet-nadir")
