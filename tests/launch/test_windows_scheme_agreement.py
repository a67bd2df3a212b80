"""``windows``, ``rendezvous --scheme auto`` and the refusal hints agree on which liftoffs fit a scheme.

Case: the Soyuz MS-27 launch day, 8 Apr 2025, with NASA's ISS OEM fb1131d (created 1 Apr, excerpt
of +-3 h around the liftoff in tests/data, see its README). MS-27 flew two-orbit from 05:47:15.3
(shared/reference/flights_2023_2026.csv); at that in-plane liftoff the ISS is 15 deg ahead, so a
four-orbit flight (18-40 deg, domain.md 2.1) needs a liftoff some 50 s later. Independent check of
the slip: the phase grows with the liftoff at the station's mean motion less the pad's eastward
drift along the plane, ``n - omega_E cos i`` (3.72 deg/min for the ISS), a closed form.
"""
from __future__ import annotations

import math
import pathlib
import re

import numpy as np
import pytest

from gyrfalcon.io.oem import load_oem
from gyrfalcon.launch.windows import MAX_SLIP_S, find_windows, phase_at_insertion_rad
from gyrfalcon.time import add_seconds, iso_utc, parse_utc, seconds_between

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
OEM = DATA / "iss_oem_fb1131d_launch_2025-04-08_excerpt.txt.gz"
MS27 = "2025-04-08T05:47:15.309Z"           # flights_2023_2026.csv (two-orbit, real)
START, DAYS = "2025-04-08T03:00:00Z", 0.2   # inside the excerpt (02:47 to 08:47 UTC)


@pytest.fixture(scope="module")
def eph():
    return load_oem(OEM).ephemeris("GCRF")


@pytest.fixture(scope="module")
def day(eph):
    return {s: find_windows(eph, "baikonur-31", s, START, DAYS) for s in ("two-orbit", "four-orbit", "two-day")}


def test_four_orbit_window_found_on_the_ms27_day(eph, day):
    (two,), (four,) = day["two-orbit"], day["four-orbit"]
    # the two-orbit window is MS-27's own liftoff, in its plane (no slip)
    assert two.feasible and two.slip_s == 0.0
    assert abs(float(seconds_between(parse_utc(MS27), two.launch_utc))) < 15.0
    ph2 = math.degrees(two.phase_at_insertion_rad)
    assert 10.0 <= ph2 <= 18.0
    # the four-orbit window: the nearest liftoff whose phase is inside 18-40 deg
    assert four.feasible and 18.0 <= math.degrees(four.phase_at_insertion_rad) <= 40.0
    assert 0.0 < four.slip_s <= MAX_SLIP_S and "liftoff moved +" in four.reason and "from the in-plane liftoff" in four.reason
    # closed form: phase rate n - omega_E cos(i) of the ISS orbit (from the ephemeris itself)
    s = eph.at(two.launch_utc)
    r, v = np.linalg.norm(s.r_m), np.linalg.norm(s.v_mps)
    a = 1.0 / (2.0 / r - v * v / 3.986004418e14)
    n = math.sqrt(3.986004418e14 / a ** 3)
    cos_i = float(np.cross(s.r_m, s.v_mps)[2] / np.linalg.norm(np.cross(s.r_m, s.v_mps)))
    rate_deg_s = math.degrees(n - 7.292115e-5 * cos_i)
    expected = (math.degrees(four.phase_at_insertion_rad) - ph2) / rate_deg_s
    assert abs(float(seconds_between(two.launch_utc, four.launch_utc)) - expected) < 1.0
    # the in-plane liftoff of the four-orbit plane is the two-orbit one to a few seconds (J2 bias of
    # 15 vs 18 deg of catch-up)
    assert abs(float(seconds_between(two.launch_utc, four.inplane_launch_utc))) < 5.0


def test_windows_auto_and_hints_agree(eph, day):
    from gyrfalcon.api import nearest_feasible_launches
    from gyrfalcon.launch.sites import load_sites
    from gyrfalcon.rendezvous.schemes import choose_scheme

    pad = load_sites().get("baikonur-31")
    (four,), (two_day,) = day["four-orbit"], day["two-day"]
    # the window's phase is the phase rendezvous computes at that liftoff, and auto flies four-orbit there
    ph = phase_at_insertion_rad(eph, pad, four.launch_utc)
    assert abs(math.degrees(ph - four.phase_at_insertion_rad)) < 1e-6
    assert choose_scheme(ph).scheme.name == "four-orbit"
    assert choose_scheme(ph, preferred="four-orbit").scheme.name == "four-orbit"
    # the two-day window (the J2-biased plane, ~3 min later) has a phase that also fits four-orbit
    assert two_day.feasible and 18.0 <= math.degrees(two_day.phase_at_insertion_rad) <= 40.0
    auto_there = choose_scheme(phase_at_insertion_rad(eph, pad, two_day.launch_utc)).scheme.name
    assert auto_there == "four-orbit"
    # a four-orbit refusal at MS-27's liftoff names the four-orbit window as the nearest launch
    (w,) = nearest_feasible_launches(eph, pad, MS27, "four-orbit")
    assert w.scheme == "four-orbit" and iso_utc(w.launch_utc, 1) == iso_utc(four.launch_utc, 1)
    # auto's hint never labels a liftoff with a scheme auto would not fly there
    hint = nearest_feasible_launches(eph, pad, add_seconds(parse_utc(MS27), 3600.0), "auto")
    assert [x.scheme for x in hint] == ["two-orbit", "four-orbit"]       # 05:50 is four-orbit under auto
    for x in hint:
        assert choose_scheme(phase_at_insertion_rad(eph, pad, x.launch_utc)).scheme.name == x.scheme


def test_cli_windows_and_rendezvous_refusal_agree():
    from typer.testing import CliRunner

    from gyrfalcon.cli.app import app

    runner = CliRunner()
    res = runner.invoke(app, ["windows", "--station-oem", str(OEM), "--from", START, "--days", str(DAYS),
                              "--scheme", "four-orbit", "--json"])
    assert res.exit_code == 0, res.output
    import json

    (row,) = json.loads(res.stdout)
    assert row["feasible"] and row["slip_s"] > 0
    res = runner.invoke(app, ["rendezvous", "--station-oem", str(OEM), "--launch", MS27,
                              "--scheme", "four-orbit", "--port", "prichal-nadir"])
    assert res.exit_code == 2
    line = " ".join(res.output.split())
    assert "outside the four-orbit range 18-40 deg" in line and "the reason is the phase" in line
    m = re.search(r"nearest launch that fits: (\S+) \(four-orbit, phase ([0-9.]+) deg[;)]", line)
    assert m, line
    # the excerpt ends 4 h after liftoff: the suggestion says how far its flight needs station data
    # (liftoff + the catalogue's 6.35 h + 2 h), as flying it would refuse without them
    assert "its flight needs station data to about 2025-04-08T14:09" in line, line
    assert abs(float(seconds_between(parse_utc(row["launch_utc"]), parse_utc(m.group(1))))) < 0.1
    assert abs(float(m.group(2)) - row["phase_at_insertion_deg"]) < 0.05


def test_off_plane_ascent_refusal_names_the_windows_command():
    from gyrfalcon.errors import InputError
    from gyrfalcon.launch.ascent import fly_ascent
    from gyrfalcon.launch.insertion import inplane_plane_normal

    lat, lon = math.radians(45.9961), math.radians(63.5639)
    t0 = parse_utc("2025-11-27T09:27:57.4Z")
    n = inplane_plane_normal(lat, lon, 104.0, t0, math.radians(51.66))
    with pytest.raises(InputError, match="`gyrfalcon windows`"):
        fly_ascent(add_seconds(t0, 3600.0), pad_lat_rad=lat, pad_lon_rad=lon, pad_alt_m=104.0, plane_normal_gcrf=n)


def test_a_slipped_window_reconciles_liftoff_in_plane_liftoff_and_slip(eph, day):
    """Re-audit: a slipped row said "+52 s off the in-plane one" while its plane_lead_s became
    163.8 s and the table's "in-plane" column (the pad's crossing of the station's plane) was
    2 min 39 s away. Now plane_lead_s is the ascent model's constant, the in-plane liftoff is that
    lead before the pad crosses the plane flown, and liftoff - in-plane liftoff == slip_s.
    Independent check: the implied plane lead of the window's own liftoff into the plane of its
    catch-up (launch.windows.implied_plane_lead_s, the pad's crossing of that plane)."""
    from gyrfalcon.launch.windows import implied_plane_lead_s, plane_lead_s

    (four,) = day["four-orbit"]
    lead = plane_lead_s("soyuz-2.1a", "soyuz-ms")
    assert four.plane_lead_s == lead and day["two-orbit"][0].plane_lead_s == lead
    imp = implied_plane_lead_s(eph, "baikonur-31", "four-orbit", four.launch_utc, catch_up_rad=four.catch_up_rad)
    # the pad crosses the plane flown imp s after the liftoff, so the in-plane liftoff is lead s before that
    assert abs((lead - imp["plane_lead_s"]) - four.slip_s) < 0.5
    assert abs(float(seconds_between(four.inplane_launch_utc, four.launch_utc)) - four.slip_s) < 1e-6
    # the note names that slip, that in-plane liftoff and the phase there (outside 18-40 deg)
    m = re.search(r"liftoff moved ([+-]\d+) s from the in-plane liftoff (\d\d:\d\d:\d\d\.\d) \(phase there "
                  r"([0-9.]+) deg, outside the range\); yaw steering not charged", four.reason)
    assert m is not None, four.reason
    assert int(m.group(1)) == round(four.slip_s)
    assert m.group(2) == iso_utc(four.inplane_launch_utc, 1)[11:-1]
    ph = math.degrees(phase_at_insertion_rad(eph, "baikonur-31", four.inplane_launch_utc))
    assert abs(float(m.group(3)) - ph) < 0.06 and not 18.0 <= ph <= 40.0
    # JSON: the same numbers
    d = four.to_dict()
    assert d["plane_lead_s"] == round(lead, 1)
    assert abs(float(seconds_between(parse_utc(d["inplane_launch_utc"]), parse_utc(d["launch_utc"]))) - d["slip_s"]) <= 0.11
