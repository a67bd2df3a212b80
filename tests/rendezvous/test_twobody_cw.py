"""Two-body and Clohessy-Wiltshire tools of the planner against closed forms."""
import math

import numpy as np
import pytest

from gyrfalcon.constants import MU_EARTH_M3_S2, WGS84_A_M
from gyrfalcon.errors import InputError
from gyrfalcon.rendezvous import cw
from gyrfalcon.rendezvous.twobody import arglat_rad, hohmann_dv_mps, kepler_propagate, time_to_arglat_s

MU = MU_EARTH_M3_S2


def _circular(r, angle=0.0, inc=0.0):
    v = math.sqrt(MU / r)
    pos = np.array([r * math.cos(angle), r * math.sin(angle), 0.0])
    vel = np.array([-v * math.sin(angle), v * math.cos(angle), 0.0])
    rot = np.array([[1, 0, 0], [0, math.cos(inc), -math.sin(inc)], [0, math.sin(inc), math.cos(inc)]])
    return rot @ pos, rot @ vel


def test_kepler_circular_orbit_turns_at_mean_motion():
    r = WGS84_A_M + 420e3
    r0, v0 = _circular(r)
    n = math.sqrt(MU / r ** 3)
    for dt in (100.0, 1234.5, 5000.0, -777.0):
        r1, v1 = kepler_propagate(r0, v0, dt)
        exp_r, exp_v = _circular(r, n * dt)
        assert np.allclose(r1, exp_r, atol=1e-5)
        assert np.allclose(v1, exp_v, atol=1e-8)


def test_kepler_eccentric_conserves_energy_and_momentum_and_matches_kepler_equation():
    # 200 x 242 km insertion orbit started at perigee: after t, the mean anomaly is n t
    rp, ra = WGS84_A_M + 200e3, WGS84_A_M + 242e3
    a, e = 0.5 * (rp + ra), (ra - rp) / (ra + rp)
    r0 = np.array([rp, 0, 0])
    v0 = np.array([0, math.sqrt(MU * (2 / rp - 1 / a)), 0])
    n = math.sqrt(MU / a ** 3)
    t = 2000.0
    r1, v1 = kepler_propagate(r0, v0, t)
    E = n * t
    for _ in range(50):
        E = n * t + e * math.sin(E)
    expected_r = a * (1 - e * math.cos(E))
    assert abs(np.linalg.norm(r1) - expected_r) < 1e-4
    en = lambda r, v: v @ v / 2 - MU / np.linalg.norm(r)
    assert abs(en(r1, v1) - en(r0, v0)) < 1e-6
    assert np.allclose(np.cross(r1, v1), np.cross(r0, v0), rtol=1e-12)


def test_hohmann_textbook_leo_to_geo():
    # Vallado, Fundamentals of Astrodynamics, Example 6-1: 191.34411 km -> 35781.34857 km:
    # dv total 3.935224 km/s, transfer time 5.256713 h (Vallado's mu and R = 6378.137 km)
    r1 = 6378.137e3 + 191.34411e3
    r2 = 6378.137e3 + 35781.34857e3
    dv1, dv2, tot, tof = hohmann_dv_mps(r1, r2, 3.986004418e14)
    assert tot == pytest.approx(3935.224, abs=0.5)
    assert tof / 3600 == pytest.approx(5.256713, abs=1e-4)


def test_hohmann_domain_figure_for_soyuz():
    # domain.md 2.3: "A Hohmann transfer 221 -> 418 km costs 113 m/s (D)"
    assert hohmann_dv_mps(WGS84_A_M + 221e3, WGS84_A_M + 418e3)[2] == pytest.approx(113.0, abs=1.0)


def test_time_to_arglat_lands_on_the_requested_arglat():
    rp, ra = WGS84_A_M + 200e3, WGS84_A_M + 242e3
    a = 0.5 * (rp + ra)
    inc = math.radians(51.66)
    r0, _ = _circular(rp, math.radians(84.0), inc)
    v_dir = _circular(rp, math.radians(84.0), inc)[1]
    v0 = v_dir / np.linalg.norm(v_dir) * math.sqrt(MU * (2 / rp - 1 / a))
    u0 = arglat_rad(r0, v0)
    assert math.degrees(u0) == pytest.approx(84.0, abs=1e-9)
    for du in (math.radians(102.5), math.radians(229.0), math.radians(426.0), math.radians(11990.0)):
        dt = time_to_arglat_s(r0, v0, du)
        r1, v1 = kepler_propagate(r0, v0, dt)
        assert math.remainder(arglat_rad(r1, v1) - (u0 + du), 2 * math.pi) == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(InputError):
        time_to_arglat_s(r0, v0, -1.0)


def test_cw_stm_matches_two_body_relative_motion_at_short_range():
    from gyrfalcon.frames import relative_state
    from gyrfalcon.orbits.state import State
    from gyrfalcon.time import add_seconds, parse_utc

    r = WGS84_A_M + 420e3
    n = math.sqrt(MU / r ** 3)
    rt, vt = _circular(r, 0.3, math.radians(51.6))
    t0 = parse_utc("2025-11-27T12:00Z")
    tgt = State(t0, rt, vt)
    from gyrfalcon.frames import chaser_from_relative

    X0 = np.array([-150.0, 20.0, 60.0, 0.05, -0.02, 0.1])
    ch = chaser_from_relative(tgt, X0[:3], X0[3:])
    for dt in (600.0, 1800.0, 2700.0):
        t1 = add_seconds(t0, dt)
        rt1, vt1 = kepler_propagate(rt, vt, dt)
        rc1, vc1 = kepler_propagate(ch.r_m, ch.v_mps, dt)
        rho, rho_dot = relative_state(State(t1, rt1, vt1), State(t1, rc1, vc1))
        X1 = cw.stm(n, dt) @ X0
        # linearisation error ~ (range / radius) * range: well under a metre at 200 m
        assert np.allclose(rho, X1[:3], atol=0.05)
        assert np.allclose(rho_dot, X1[3:], atol=5e-5)


def test_cw_two_point_vbar_half_orbit_hop_closed_form():
    # from (-d, 0, 0) to the origin in half an orbit: only a radial velocity n d / 4 toward the Earth
    n, d = 1.13e-3, 1000.0
    v = cw.two_point_velocity(n, [-d, 0, 0], [0, 0, 0], math.pi / n)
    assert np.allclose(v, [0.0, 0.0, n * d / 4], atol=1e-12)
    with pytest.raises(InputError):
        cw.two_point_velocity(n, [-d, 0, 0], [0, 0, 0], 2 * math.pi / n)
