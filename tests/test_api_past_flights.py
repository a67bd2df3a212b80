"""Past flights through the public Python API (``gyrfalcon.api``): windows, the flown rendezvous,
a whole mission from a scenario, and the return, with the ISS from element sets dated before the
flight and ports checked on the flight's date.

References (never inputs): ``tests/data/flights_2020_2022.csv`` (Soyuz MS-22 launched 2022-09-21
13:54:49.531 UTC, docked to Rassvet nadir 17:06:33 UTC, russianspaceweb.com/soyuz-ms-22.html);
Soyuz MS-11 launched 2018-12-03 11:31:52.519 UTC on a Soyuz-FG from Site 1/5, four-orbit
(russianspaceweb.com/soyuz-ms-11.html); port dates of ``station/data/iss.toml``. The 15 min bound
is the issue's two-day validation tolerance, loose for a station fitted to a 3.5-day-old TLE.
"""
from __future__ import annotations

import pytest

import gyrfalcon as gf
from gyrfalcon.station.catalog import PortNotAvailableError
from gyrfalcon.time import parse_utc, seconds_between

from .cli.test_past_flights import (DATA, MS11_LAUNCH, MS22_DOCKED, MS22_LAUNCH, MS22_SCENARIO, TOLERANCE_S,
                                    tle_file)


def _abs_s(a, b) -> float:
    return abs(float(seconds_between(parse_utc(a), parse_utc(b))))


@pytest.fixture(scope="module")
def ms22_tle(tmp_path_factory):
    return tle_file(tmp_path_factory.mktemp("api-past") / "ms22.tle", ["2022-09"])


def test_fly_rendezvous_of_soyuz_ms_22(ms22_tle):
    # the set is 3.5 days old at liftoff: the library warns as the command line does
    with pytest.warns(gf.StationDataWarning, match="days older than 2022-09-21"):
        plan, appr = gf.fly_rendezvous(str(ms22_tle), MS22_LAUNCH, port="rassvet-nadir", vehicle="soyuz-ms",
                                       trajectory_step_s=0)
    assert plan.scheme == "two-orbit" and appr.verdict == "captured"
    assert _abs_s(appr.contact_utc, MS22_DOCKED) < TOLERANCE_S, appr.contact_utc


def test_fly_rendezvous_refuses_a_port_gone_by_then(ms22_tle):
    with pytest.raises(PortNotAvailableError, match="pirs-nadir was a port only until 2021-07-26.*prichal-nadir"):
        gf.fly_rendezvous(str(ms22_tle), MS22_LAUNCH, port="pirs-nadir", trajectory_step_s=0)


def test_next_window_of_soyuz_ms_11_on_the_soyuz_fg():
    w = gf.next_window(str(DATA / "iss_tles_2018-12_before_ms11.txt"), "baikonur-1", after="2018-12-03",
                       scheme="four-orbit", days=1, vehicle="soyuz-fg")
    assert w.feasible and _abs_s(w.launch_utc, MS11_LAUNCH) < 60.0, w


def test_next_window_of_soyuz_ms_13_on_the_soyuz_fg(tmp_path):
    """Soyuz MS-13 (launched 2019-07-20 16:28:20.238 UTC on a Soyuz-FG from Site 1/5, four-orbit;
    spacefacts.info, tests/data/flights_2018_2019.csv), a flight the Soyuz-FG plane lead was not
    measured on (Soyuz MS-08 and MS-11 were): the window search from the ISS set of 16 Jul 2019
    (public, tests/data/iss_tles_public.csv) puts the liftoff within 5 s of the real one (1 s
    measured; 12 s with the Soyuz-2.1a lead used before)."""
    tle = tle_file(tmp_path / "ms13.tle", ["2019-07-16"], "iss_tles_public.csv")
    w = gf.next_window(str(tle), "baikonur-1", after="2019-07-20T12:00:00Z", scheme="four-orbit", days=1,
                       vehicle="soyuz-fg")
    assert w.feasible and _abs_s(w.inplane_launch_utc, "2019-07-20T16:28:20.238Z") < 5.0, w


def test_run_mission_of_a_past_flight_from_its_scenario(ms22_tle):
    sc = gf.load_scenario(MS22_SCENARIO, target={"ephemeris": str(ms22_tle)})
    res = gf.run_mission(sc)
    assert res.launch_utc.startswith("2022-09-21T13:54:49")
    assert _abs_s(res.contact_utc, MS22_DOCKED) < TOLERANCE_S, res.contact_utc
    assert not any("does not fit" in n for n in res.notes), res.notes


def test_plan_return_refuses_a_port_gone_by_then():
    with pytest.raises(PortNotAvailableError, match="nauka-nadir was a port only until 2021-11-25"):
        gf.plan_return(str(DATA / "iss_tle_2023-03_before_ms22_return.txt"), "2023-03-28T07:57:00Z",
                       vehicle="soyuz-ms-uncrewed", port="nauka-nadir")
