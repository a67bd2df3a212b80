"""Event detection against independent references: NASA's listed ascending node, Kepler's
equation (apsides, range), the frames module's geodetic height and the elements module's
argument of latitude."""
from __future__ import annotations

import gzip
import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq, minimize_scalar

from gyrfalcon.errors import InputError
from gyrfalcon.frames import gcrf_to_itrf, geodetic_from_itrf
from gyrfalcon.orbits.elements import KeplerianElements
from gyrfalcon.orbits.ephemeris import Ephemeris
from gyrfalcon.orbits.events import (
    AltitudeCrossing,
    Apsis,
    ArgumentOfLatitude,
    NodeCrossing,
    RangeToTarget,
    find_events,
)
from gyrfalcon.orbits.forces import ForceModel, PointMass
from gyrfalcon.orbits.maneuvers import ImpulsiveBurn
from gyrfalcon.orbits.propagator import Propagator
from gyrfalcon.orbits.state import State
from gyrfalcon.time import parse_utc, seconds_between

DATA = Path(__file__).resolve().parents[1] / "data"
MU = 3.986004415e14
KEPLER = ForceModel((PointMass(MU),), "kepler-events")


def orekit_two_body():
    with gzip.open(DATA / "orekit_two_body_1d.csv.gz", "rt") as f:
        lines = f.read().splitlines()
    meta = dict(l[2:].split(": ", 1) for l in lines if l.startswith("# ") and ": " in l)
    v = [float(x) for x in re.findall(r"=\s*([-0-9.e+]+)", meta["initial_state_gcrf_m_mps"])[:6]]
    epoch = parse_utc(meta["epoch_utc"])
    rows = [l.split(",") for l in lines if not l.startswith("#")][1:]
    t = np.array([float(seconds_between(epoch, parse_utc(r[0]))) for r in rows])
    y = np.array([[float(x) for x in r[1:7]] for r in rows])
    return State(epoch, v[:3], v[3:], "GCRF"), Ephemeris(epoch, t, y[:, :3], y[:, 3:], "GCRF", "orekit")


def kepler(state, dt):
    """Closed-form two-body position at ``dt`` seconds after ``state`` (elliptic)."""
    el = KeplerianElements.from_state(state, MU)
    M = el.mean_anomaly_rad + el.mean_motion_rad_s * dt
    E = M
    for _ in range(50):
        E -= (E - el.e * math.sin(E) - M) / (1 - el.e * math.cos(E))
    nu = 2 * math.atan2(math.sqrt(1 + el.e) * math.sin(E / 2), math.sqrt(1 - el.e) * math.cos(E / 2))
    return KeplerianElements(el.a_m, el.e, el.i_rad, el.raan_rad, el.argp_rad, nu, MU).to_rv()


def test_ascending_node_matches_nasa_oem_listing():
    """NASA's OEM comment: 'ISS first asc. node: EPOCH = 2025-11-24T13:04:24.020 ... LAN(DEG) = -27.30007'
    (the equator of date, LAN = Earth-fixed longitude)."""
    from gyrfalcon.orbits.iss import iss_ephemeris

    oem = iss_ephemeris("GCRF")
    s0 = oem.state_at_index(0)
    sc = oem.meta["spacecraft"]
    p = Propagator("full", params={"drag_area_m2": sc.drag_area_m2, "drag_cd": sc.drag_coeff})
    ev = p.find_events(s0, 7000.0, [NodeCrossing("ascending")])
    assert [e.name for e in ev] == ["ascending_node"]
    dt = float(seconds_between(parse_utc("2025-11-24T13:04:24.020"), ev[0].t))
    assert abs(dt) < 0.02                                          # achieved +6.6 ms
    r = gcrf_to_itrf(ev[0].t, ev[0].state.r_m)
    lon = math.degrees(math.atan2(r[1], r[0]))
    assert abs(lon - (-27.30007)) < 5e-4                           # achieved -2.4e-4 deg
    lat, _, _ = geodetic_from_itrf(r)
    assert abs(lat) < 1e-9                                         # on the equator of date


def test_apsides_follow_keplers_equation():
    s0, _ = orekit_two_body()
    s = State(s0.t, s0.r_m, 1.03 * s0.v_mps, "GCRF")              # e ~ 0.06
    el = KeplerianElements.from_state(s, MU)
    n, M0 = el.mean_motion_rad_s, el.mean_anomaly_rad
    T = 4 * el.period_s
    ev = find_events(Propagator(KEPLER), s, T, [Apsis()])
    expected = sorted([((2 * math.pi * k - M0) / n, "periapsis") for k in range(1, 6)]
                      + [((math.pi + 2 * math.pi * k - M0) / n, "apoapsis") for k in range(0, 5)])
    expected = [x for x in expected if 0 < x[0] < T]
    assert [e.name for e in ev] == [x[1] for x in expected]
    assert max(abs(e.t_s - x[0]) for e, x in zip(ev, expected)) < 1e-4


def test_altitude_crossings_are_exact_and_none_is_missed():
    s0, _ = orekit_two_body()
    p = Propagator("j2")
    ev = find_events(p, s0, 3 * 3600.0, [AltitudeCrossing(420e3)])
    assert len(ev) >= 4 and {e.name for e in ev} == {"altitude_420km_up", "altitude_420km_down"}
    for e in ev:
        _, _, h = geodetic_from_itrf(gcrf_to_itrf(e.t, e.state.r_m))
        assert abs(h - 420e3) < 0.02
    # every sign change of the frames module's height on a 20 s grid is found
    eph = p.propagate(s0, 3 * 3600.0, step_s=20.0)
    h = np.array([geodetic_from_itrf(gcrf_to_itrf(eph.times[i], eph.r_m[i]))[2] for i in range(len(eph))])
    assert np.count_nonzero(np.diff(np.sign(h - 420e3))) == len(ev)
    only_down = find_events(p, s0, 3 * 3600.0, [AltitudeCrossing(420e3, "down")])
    assert [e.t_s for e in only_down] == pytest.approx([e.t_s for e in ev if e.name.endswith("down")], abs=1e-6)


def test_argument_of_latitude_matches_the_elements_module():
    s0, _ = orekit_two_body()
    u0 = math.radians(123.0)
    ev = find_events(Propagator(KEPLER), s0, 86400.0, [ArgumentOfLatitude(u0, equator="gcrf")])
    el = KeplerianElements.from_state(s0, MU)
    nu = u0 - el.argp_rad                                          # Kepler: time to reach u0
    E = 2 * math.atan2(math.sqrt(1 - el.e) * math.sin(nu / 2), math.sqrt(1 + el.e) * math.cos(nu / 2))
    t_first = ((E - el.e * math.sin(E)) - el.mean_anomaly_rad) % (2 * math.pi) / el.mean_motion_rad_s
    expected = t_first + el.period_s * np.arange(int((86400.0 - t_first) // el.period_s) + 1)
    assert len(ev) == len(expected) == 16
    assert np.max(np.abs(np.array([e.t_s for e in ev]) - expected)) < 1e-4
    for e in ev:
        assert e.name == "arglat_123deg"
        assert abs(KeplerianElements.from_state(e.state, MU).arglat_rad - u0) < 1e-8


def test_nodes_on_the_gcrf_equator_and_of_date_differ_as_expected():
    s0, _ = orekit_two_body()
    ev = find_events(Propagator(KEPLER), s0, 6000.0, [NodeCrossing("both", equator="gcrf")])
    # the ISS starts at 47 deg N heading south: descending node first, then ascending
    assert [e.name for e in ev] == ["descending_node", "ascending_node"]
    for e in ev:
        assert abs(e.state.r_m[2]) < 1e-5
    assert ev[0].state.v_mps[2] < 0 < ev[1].state.v_mps[2]
    tod = find_events(Propagator(KEPLER), s0, 6000.0, [NodeCrossing("ascending")])
    # the true equator is tilted ~0.145 deg from the GCRF one: the node moves by ~1-2 s
    assert 0.1 < abs(tod[0].t_s - ev[1].t_s) < 3.0


def test_range_crossing_and_closest_approach_against_kepler():
    s0, _ = orekit_two_body()
    # target: Kepler's closed form sampled every 30 s (Lagrange interpolation to ~1e-6 m)
    ts = np.arange(0.0, 20001.0, 30.0)
    rv = [kepler(s0, t) for t in ts]
    target = Ephemeris(s0.t, ts, [x[0] for x in rv], [x[1] for x in rv], "GCRF", "target")
    # along-track +0.5 m/s: the chaser drifts behind; find when the range passes 2 km
    chaser0 = State(s0.t, s0.r_m, s0.v_mps + 0.5 * s0.v_mps / np.linalg.norm(s0.v_mps), "GCRF")

    def rng(t, c0):
        return np.linalg.norm(kepler(c0, t)[0] - kepler(s0, t)[0])

    t_star = brentq(lambda t: rng(t, chaser0) - 2000.0, 60.0, 20000.0)
    ev = find_events(Propagator(KEPLER), s0, 20000.0, [RangeToTarget(target, 2000.0)],
                     maneuvers=(ImpulsiveBurn(0.0, 0.5),))
    assert ev[0].name == "range_2km_out"
    assert abs(ev[0].t_s - t_star) < 1e-2 and abs(ev[0].value - 2000.0) < 0.05
    # radial +1 m/s: back near the target after one orbit
    radial = State(s0.t, s0.r_m, s0.v_mps + s0.r_m / np.linalg.norm(s0.r_m), "GCRF")
    period = KeplerianElements.from_state(s0, MU).period_s
    best = minimize_scalar(lambda t: rng(t, radial), bounds=(0.9 * period, 1.1 * period), method="bounded",
                           options={"xatol": 1e-4})
    ev = find_events(Propagator(KEPLER), s0, 1.2 * period, [RangeToTarget(target)],
                     maneuvers=(ImpulsiveBurn(0.0, [1.0, 0.0, 0.0], frame="RTN"),))
    ca = [e for e in ev if e.t_s > 0.5 * period]
    assert ca[0].name == "closest_approach"
    assert abs(ca[0].t_s - best.x) < 0.05 and abs(ca[0].value - best.fun) < 0.05


def test_event_input_errors():
    with pytest.raises(InputError, match="ascending"):
        NodeCrossing("up")
    with pytest.raises(InputError, match="true_of_date"):
        NodeCrossing(equator="ecliptic")
    with pytest.raises(InputError, match="finite"):
        AltitudeCrossing(float("nan"))
