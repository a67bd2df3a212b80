"""Frames against Orekit 13 (tests/data/frames_check.csv and copied header values), Vallado's
published TEME example, closed-form geometry and round trips.

Measured agreement with Orekit (IERS 2010, Bulletin B, cubic EOP interpolation) when this
file was written: GCRF->ITRF matrix elements <= 1.9e-9; ITRF positions <= 1.2 cm (0.2 mm
at the daily EOP nodes), ITRF velocities <= 4.4e-5 m/s; geodetic lat/lon <= 2.0e-9 rad and
altitude <= 1.2e-5 m end to end (8e-14 rad and 6e-7 m from Orekit's own ITRF position).
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from gyrfalcon import frames as F
from gyrfalcon.constants import WGS84_A_M, WGS84_B_M
from gyrfalcon.errors import GyrfalconError, InputError, UnknownFrameError
from gyrfalcon.orbits.state import FRAMES, State
from gyrfalcon.time import parse_utc, timescale

DATA = Path(__file__).parent / "data"


# ---------------------------------------------------------------------------------------
# reference data
# ---------------------------------------------------------------------------------------
def _load_frames_check():
    lines = [ln for ln in (DATA / "frames_check.csv").read_text().splitlines() if not ln.startswith("#")]
    names = lines[0].split(",")
    rows = [dict(zip(names, ln.split(","))) for ln in lines[1:]]
    return rows


ROWS = _load_frames_check()


def _col(rows, *names):
    return np.array([[float(r[n]) for n in names] for r in rows])


def _times(rows):
    ts = timescale()
    tl = [parse_utc(r["utc"]) for r in rows]
    # build the array Time from whole + fraction: a single float JD would lose ~40 us
    return ts.tt_jd(np.array([t.whole for t in tl]), np.array([t.tt_fraction for t in tl]))


# Orekit two_body_1d.csv header: EME2000 -> GCRF matrix M (v_gcrf = M v_eme2000), rows
OREKIT_M = np.array([
    [9.99999999999994227e-01, 7.07827947785733752e-08, -8.05621738098697167e-08],
    [-7.07827974419919802e-08, 9.99999999999997113e-01, -3.30604088398055234e-08],
    [8.05621714697613378e-08, 3.30604145422213641e-08, 9.99999999999996225e-01],
])
# same header: first OEM row (EME2000) and its GCRF conversion by Orekit
OEM_T = "2025-11-24T12:00:00.000"
OEM_EME2000 = ([4594538.080583650, -518497.562387511, 4971920.043568070],
               [3048.85405621686, 6705.89447957430, -2115.99401224387])
OEM_GCRF = ([4594537.6433342295, -518498.051975477, 4971920.396572272],
            [3048.8547013478737, 6705.89433372349, -2115.9935449219083])
# burns_ms28.csv header: initial GCRF state and Orekit's ITRF state of the first row
BURNS_T = "2025-11-27T09:36:46.000"
BURNS_GCRF = ([1978531.028126225, -3615669.3453809833, 5126815.439079414],
              [6415.49248297388, 4387.128943384825, 618.1530687449234])
BURNS_ITRF = ([135695.77960797888, 4113314.0699128117, 5131678.12790542],
              [-7452.3318461334, -545.735731535863, 634.4966230506865])


# ---------------------------------------------------------------------------------------
# EME2000 <-> GCRF
# ---------------------------------------------------------------------------------------
def test_frame_bias_matrix_matches_orekit():
    m = F.eme2000_to_gcrf_matrix()
    # skyfield's first-order matrix and Orekit's differ by 6.8e-13 (xi0 rounding): 5 um at ISS
    assert np.abs(m - OREKIT_M).max() < 1e-12
    # first-order matrix: orthonormal to 6e-15 (products of the 1e-7 off-diagonal terms)
    assert np.abs(m @ m.T - np.eye(3)).max() < 1e-14
    assert np.abs(F.gcrf_to_eme2000_matrix() @ m - np.eye(3)).max() < 1e-14


def test_eme2000_state_to_gcrf_matches_orekit():
    s = State(parse_utc(OEM_T), *OEM_EME2000, frame="EME2000")
    g = s.to("GCRF")
    assert np.linalg.norm(g.r_m - OEM_GCRF[0]) < 1e-5
    assert np.linalg.norm(g.v_mps - OEM_GCRF[1]) < 1e-8
    # the bias really moves the ISS by 0.745 m (Orekit header)
    assert np.linalg.norm(g.r_m - s.r_m) == pytest.approx(0.745, abs=0.001)


# ---------------------------------------------------------------------------------------
# GCRF <-> ITRF against Orekit
# ---------------------------------------------------------------------------------------
def test_gcrf_to_itrf_matrix_matches_orekit():
    rot = F.gcrf_to_itrf_matrix(_times(ROWS))
    ref = _col(ROWS, *[f"r{i}{j}" for i in (1, 2, 3) for j in (1, 2, 3)]).reshape(-1, 3, 3)
    assert rot.shape == (len(ROWS), 3, 3)
    assert np.abs(rot - ref).max() < 4e-9  # measured 1.9e-9 (UT1 A vs B, interpolation)
    # (N, 3, 3) and its inverse
    back = F.itrf_to_gcrf_matrix(_times(ROWS))
    assert np.abs(np.matmul(back, rot) - np.eye(3)).max() < 1e-14


def test_itrf_positions_and_velocities_match_orekit():
    t = _times(ROWS)
    r, v = F.gcrf_to_itrf(t, _col(ROWS, "x_gcrf", "y_gcrf", "z_gcrf"), _col(ROWS, "vx_gcrf", "vy_gcrf", "vz_gcrf"))
    dr = np.linalg.norm(r - _col(ROWS, "x_itrf", "y_itrf", "z_itrf"), axis=1)
    dv = np.linalg.norm(v - _col(ROWS, "vx_itrf", "vy_itrf", "vz_itrf"), axis=1)
    assert dr.max() < 0.025  # measured 1.2 cm
    assert dv.max() < 1e-4  # measured 4.4e-5 m/s (includes the -w x r term: 500 m/s)
    # on the daily EOP nodes (00:00 and 23:59:59 UTC) A/B and interpolation differences vanish;
    # what is left is the model; without dX, dY this would be 1.2 cm
    nodes = [k for k, row in enumerate(ROWS) if row["utc"][11:] in ("00:00:00.000", "23:59:59.000")]
    assert len(nodes) == 2
    assert dr[nodes].max() < 1e-3  # measured 0.17 mm


def test_itrf_is_not_tirf():
    # polar motion is applied: TIRF (no polar motion) differs from ITRF by ~10 m at ISS distance
    t = _times(ROWS)
    r = F.gcrf_to_itrf(t, _col(ROWS, "x_gcrf", "y_gcrf", "z_gcrf"))
    tirf = _col(ROWS, "x_tirf", "y_tirf", "z_tirf")
    assert np.linalg.norm(r - tirf, axis=1).min() > 3.0


def test_burns_header_itrf_state_matches_orekit():
    s = State(parse_utc(BURNS_T), *BURNS_GCRF)
    i = s.to("ITRF")
    assert np.linalg.norm(i.r_m - BURNS_ITRF[0]) < 0.025  # measured 1.04 cm
    assert np.linalg.norm(i.v_mps - BURNS_ITRF[1]) < 1e-4  # measured 2.3e-5 m/s


def test_scalar_time_with_many_vectors_broadcasts():
    t = parse_utc(ROWS[0]["utc"])
    r = np.array([[4e6, 3e6, 5e6], [1e6, 2e6, 3e6]])
    out = F.gcrf_to_itrf(t, r)
    assert out.shape == (2, 3)
    assert np.allclose(out[1], F.gcrf_to_itrf(t, r[1]), atol=1e-9, rtol=0)


# ---------------------------------------------------------------------------------------
# geodetic
# ---------------------------------------------------------------------------------------
def test_geodetic_of_orekit_itrf_positions():
    lat, lon, alt = F.geodetic_from_itrf(_col(ROWS, "x_itrf", "y_itrf", "z_itrf"))
    ref = _col(ROWS, "lat_deg", "lon_deg", "alt_m")
    assert np.abs(lat - np.radians(ref[:, 0])).max() < 1e-12  # measured 8e-14
    assert np.abs(lon - np.radians(ref[:, 1])).max() < 1e-12
    assert np.abs(alt - ref[:, 2]).max() < 1e-5  # measured 6e-7 m


def test_geodetic_end_to_end_from_gcrf():
    r = F.gcrf_to_itrf(_times(ROWS), _col(ROWS, "x_gcrf", "y_gcrf", "z_gcrf"))
    lat, lon, alt = F.geodetic_from_itrf(r)
    ref = _col(ROWS, "lat_deg", "lon_deg", "alt_m")
    assert np.abs(lat - np.radians(ref[:, 0])).max() < 5e-9  # measured 5.6e-10
    assert np.abs(lon - np.radians(ref[:, 1])).max() < 5e-9  # measured 2.0e-9
    assert np.abs(alt - ref[:, 2]).max() < 1e-4  # measured 1.2e-5 m


def test_geodetic_closed_form_points():
    lat, lon, alt = F.geodetic_from_itrf([WGS84_A_M + 400e3, 0.0, 0.0])
    assert (lat, lon, alt) == pytest.approx((0.0, 0.0, 400e3), abs=1e-9)
    lat, lon, alt = F.geodetic_from_itrf([0.0, -(WGS84_A_M + 10.0), 0.0])
    assert (lat, lon, alt) == pytest.approx((0.0, -math.pi / 2, 10.0), abs=1e-9)
    lat, lon, alt = F.geodetic_from_itrf([0.0, 0.0, -(WGS84_B_M + 250e3)])
    assert (lat, alt) == pytest.approx((-math.pi / 2, 250e3), abs=1e-9)
    # 45 deg on the surface: x = z (1 - e2)^-1 ... closed form N = a / sqrt(1 - e2/2)
    e2 = 1.0 - (WGS84_B_M / WGS84_A_M) ** 2
    n = WGS84_A_M / math.sqrt(1.0 - e2 / 2.0)
    p = n / math.sqrt(2.0)
    z = n * (1.0 - e2) / math.sqrt(2.0)
    lat, lon, alt = F.geodetic_from_itrf([p, 0.0, z])
    assert lat == pytest.approx(math.pi / 4, abs=1e-14)
    assert alt == pytest.approx(0.0, abs=1e-8)


def test_geodetic_round_trip_grid():
    lat = np.radians(np.array([-90.0, -89.999, -60.0, -10.0, 0.0, 30.0, 45.9961, 75.0, 90.0]))
    lon = np.radians(np.array([-180.0, -120.0, -30.0, 0.0, 63.5639, 90.0, 150.0, 179.9, 10.0]))
    alt = np.array([0.0, -100.0, 104.0, 200e3, 420e3, 1e6, 36e6, 5e3, 1.0])
    r = F.itrf_from_geodetic(lat, lon, alt)
    assert r.shape == (9, 3)
    lat2, lon2, alt2 = F.geodetic_from_itrf(r)
    assert np.abs(lat2 - lat).max() < 1e-13
    assert np.abs(alt2 - alt).max() < 1e-6
    ok = np.abs(np.cos(lat)) > 1e-9  # longitude is undefined at the poles
    dlon = np.angle(np.exp(1j * (lon2 - lon)))
    assert np.abs(dlon[ok]).max() < 1e-13


# ---------------------------------------------------------------------------------------
# TEME
# ---------------------------------------------------------------------------------------
# Vallado et al., AIAA 2006-6753 / Vallado (2013) Example 3-15, 2004-04-06 07:51:28.386009 UTC
VALLADO_T = "2004-04-06T07:51:28.386009"
VALLADO_TEME = (np.array([5094.18016210, 6127.64465950, 6380.34453270]) * 1e3,
                np.array([-4.746131487, 0.785818041, 5.531931288]) * 1e3)
VALLADO_GCRF = (np.array([5102.508958, 6123.011401, 6378.136928]) * 1e3,
                np.array([-4.743220157, 0.790536497, 5.533755727]) * 1e3)


def test_teme_to_gcrf_matches_vallado_example():
    r, v = F.teme_to_gcrf(parse_utc(VALLADO_T), *VALLADO_TEME)
    assert np.linalg.norm(r - VALLADO_GCRF[0]) < 0.03  # measured 1.1 cm
    assert np.linalg.norm(v - VALLADO_GCRF[1]) < 1e-4  # measured 6e-6 m/s


def test_teme_to_itrf_equals_direct_gmst82_path():
    # an independent route: skyfield's direct TEME -> PEF (GMST 1982) -> ITRF (polar motion)
    from skyfield.sgp4lib import TEME_to_ITRF

    t = F._time(parse_utc(VALLADO_T))
    _, xp, yp = t.polar_motion_angles()
    s = State(t, *VALLADO_TEME, frame="TEME").to("ITRF")
    asec = math.pi / 648000.0
    r, v = TEME_to_ITRF(t.whole, VALLADO_TEME[0] / 1e3, VALLADO_TEME[1] / 1e3 * 86400.0,
                        float(xp) * asec, float(yp) * asec, t.ut1_fraction)
    assert np.linalg.norm(s.r_m - r * 1e3) < 1e-4
    # velocity: skyfield uses the GMST 1982 rate, we the IERS nominal rate (1e-11 rad/s apart)
    assert np.linalg.norm(s.v_mps - v * 1e3 / 86400.0) < 1e-3


# ---------------------------------------------------------------------------------------
# State.to round trips and errors
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("a", FRAMES)
@pytest.mark.parametrize("b", FRAMES)
def test_state_round_trip_every_pair(a, b):
    s0 = State(parse_utc(BURNS_T), *BURNS_GCRF, mass_kg=7152.0)
    s = s0.to(a)
    back = s.to(b).to(a).to("GCRF")
    assert back.frame == "GCRF" and back.mass_kg == 7152.0
    assert np.linalg.norm(back.r_m - s0.r_m) < 1e-6
    assert np.linalg.norm(back.v_mps - s0.v_mps) < 1e-9
    assert s.to(a) is s


def test_itrf_speed_is_inertial_minus_earth_rotation():
    # closed form: a point fixed in ITRF (zero Earth-relative velocity) moves at w x r in GCRF
    t = parse_utc(BURNS_T)
    r_itrf = np.array([WGS84_A_M + 400e3, 0.0, 0.0])
    r, v = F.itrf_to_gcrf(t, r_itrf, np.zeros(3))
    assert np.linalg.norm(v) == pytest.approx(7.292115e-5 * (WGS84_A_M + 400e3), rel=1e-6)
    assert abs(v @ r) < 1e-12 * np.linalg.norm(v) * np.linalg.norm(r)


def test_unknown_frames_raise_typed_errors():
    s = State(parse_utc(BURNS_T), *BURNS_GCRF)
    with pytest.raises(UnknownFrameError, match="use one of GCRF"):
        s.to("ECI")
    with pytest.raises(UnknownFrameError, match="LVLH"):
        F.relative_state(s, s, frame="VVLH")
    with pytest.raises(InputError, match=r"shape \(3,\)"):
        F.gcrf_to_itrf(parse_utc(BURNS_T), [1.0, 2.0])
    assert issubclass(UnknownFrameError, GyrfalconError)


def test_foreign_timescale_gets_polar_motion():
    # a Time from a plain skyfield timescale (no polar motion table) is re-based on ours
    from skyfield.api import load

    t_plain = load.timescale(builtin=True).utc(2025, 11, 1)
    t_ours = parse_utc("2025-11-01T00:00:00")
    assert np.abs(F.gcrf_to_itrf_matrix(t_plain) - F.gcrf_to_itrf_matrix(t_ours)).max() < 1e-11


# ---------------------------------------------------------------------------------------
# local orbital frames
# ---------------------------------------------------------------------------------------
MU = 3.986004418e14


def _circular(radius_m=6778e3, inc_rad=math.radians(51.6), raan_rad=0.7, u_rad=0.3):
    """Position and velocity on a circular orbit at argument of latitude u (hand-built)."""
    n_hat = np.array([math.cos(raan_rad), math.sin(raan_rad), 0.0])
    m_hat = np.array([-math.sin(raan_rad) * math.cos(inc_rad), math.cos(raan_rad) * math.cos(inc_rad),
                      math.sin(inc_rad)])
    speed = math.sqrt(MU / radius_m)
    r = radius_m * (math.cos(u_rad) * n_hat + math.sin(u_rad) * m_hat)
    v = speed * (-math.sin(u_rad) * n_hat + math.cos(u_rad) * m_hat)
    return r, v


def test_lvlh_and_rtn_axes_on_circular_orbit():
    r, v = _circular()
    tgt = State(parse_utc(BURNS_T), r, v)
    t_hat = v / np.linalg.norm(v)
    r_hat = r / np.linalg.norm(r)
    h_hat = np.cross(r, v) / np.linalg.norm(np.cross(r, v))
    ahead = State(tgt.t, r + 1000.0 * t_hat, v)
    above = State(tgt.t, r + 1000.0 * r_hat, v)
    left = State(tgt.t, r + 1000.0 * h_hat, v)

    rho, _ = F.relative_state(tgt, ahead, "LVLH")
    assert rho == pytest.approx([1000.0, 0.0, 0.0], abs=1e-6)
    rho, _ = F.relative_state(tgt, above, "LVLH")
    assert rho == pytest.approx([0.0, 0.0, -1000.0], abs=1e-6)
    rho, _ = F.relative_state(tgt, left, "LVLH")
    assert rho == pytest.approx([0.0, -1000.0, 0.0], abs=1e-6)

    rho, _ = F.relative_state(tgt, above, "RTN")
    assert rho == pytest.approx([1000.0, 0.0, 0.0], abs=1e-6)
    rho, _ = F.relative_state(tgt, ahead, "RTN")
    assert rho == pytest.approx([0.0, 1000.0, 0.0], abs=1e-6)
    rho, _ = F.relative_state(tgt, left, "RTN")
    assert rho == pytest.approx([0.0, 0.0, 1000.0], abs=1e-6)
    # right-handed orthonormal triads
    for m in (F.lvlh_matrix(r, v), F.rtn_matrix(r, v)):
        assert np.abs(m @ m.T - np.eye(3)).max() < 1e-15
        assert np.linalg.det(m) == pytest.approx(1.0, abs=1e-15)


def test_co_orbiting_chaser_has_zero_rotating_frame_velocity():
    # same circular orbit, 0.01 rad ahead: closed form rho = R (sin d, 0, 1 - cos d) in LVLH,
    # and no relative motion as seen from the rotating frame
    radius, d = 6778e3, 0.01
    r_t, v_t = _circular(radius_m=radius, u_rad=0.3)
    r_c, v_c = _circular(radius_m=radius, u_rad=0.3 + d)
    tgt, ch = State(parse_utc(BURNS_T), r_t, v_t), State(parse_utc(BURNS_T), r_c, v_c)
    rho, rho_dot = F.relative_state(tgt, ch, "LVLH")
    assert rho == pytest.approx([radius * math.sin(d), 0.0, radius * (1 - math.cos(d))], abs=1e-6)
    assert np.linalg.norm(rho_dot) < 1e-9
    # inertial relative velocity is NOT zero (about 2 * v * sin(d/2) = 76.7 m/s)
    assert np.linalg.norm(v_c - v_t) == pytest.approx(2 * math.sqrt(MU / radius) * math.sin(d / 2), rel=1e-12)
    rho, rho_dot = F.relative_state(tgt, ch, "RTN")
    assert rho == pytest.approx([-radius * (1 - math.cos(d)), radius * math.sin(d), 0.0], abs=1e-6)
    assert np.linalg.norm(rho_dot) < 1e-9


def test_radial_offset_drift_matches_cw_rate():
    # a chaser on its own circular orbit 1 km lower moves ahead at (R - dz)(n_c - n) as seen
    # from the rotating frame: 1.5 n dz to first order in dz/R (the Clohessy-Wiltshire drift)
    radius, dz = 6778e3, 1000.0
    r_t, v_t = _circular(radius_m=radius)
    r_c, v_c = _circular(radius_m=radius - dz)
    tgt, ch = State(parse_utc(BURNS_T), r_t, v_t), State(parse_utc(BURNS_T), r_c, v_c)
    rho, rho_dot = F.relative_state(tgt, ch, "LVLH")
    n = math.sqrt(MU / radius**3)
    assert rho == pytest.approx([0.0, 0.0, dz], abs=1e-6)
    n_c = math.sqrt(MU / (radius - dz) ** 3)
    assert rho_dot[0] == pytest.approx((radius - dz) * (n_c - n), rel=1e-9)
    assert rho_dot[0] == pytest.approx(1.5 * n * dz, rel=1e-4)  # lower = faster = moves ahead (+x)
    assert abs(rho_dot[1]) < 1e-12 and abs(rho_dot[2]) < 1e-12


@pytest.mark.parametrize("frame", ["LVLH", "RTN"])
def test_relative_state_round_trip(frame):
    tgt = State(parse_utc(BURNS_T), *BURNS_GCRF)
    ch = State(tgt.t, tgt.r_m + [1500.0, -300.0, 800.0], tgt.v_mps + [0.4, 1.2, -0.7])
    rho, rho_dot = F.relative_state(tgt, ch, frame)
    back = F.chaser_from_relative(tgt, rho, rho_dot, frame)
    assert np.linalg.norm(back.r_m - ch.r_m) < 1e-8
    assert np.linalg.norm(back.v_mps - ch.v_mps) < 1e-11
    # an ITRF target gives the same relative state (computed in GCRF) and returns an ITRF chaser
    rho2, rho_dot2 = F.relative_state(tgt.to("ITRF"), ch, frame)
    assert np.abs(rho2 - rho).max() < 1e-6 and np.abs(rho_dot2 - rho_dot).max() < 1e-9
    back_i = F.chaser_from_relative(tgt.to("ITRF"), rho, rho_dot, frame)
    assert back_i.frame == "ITRF"
    assert np.linalg.norm(back_i.to("GCRF").r_m - ch.r_m) < 1e-6


def test_relative_state_needs_same_instant():
    tgt = State(parse_utc(BURNS_T), *BURNS_GCRF)
    ch = State(parse_utc("2025-11-27T09:36:47.000"), *BURNS_GCRF)
    with pytest.raises(InputError, match="1 s apart"):
        F.relative_state(tgt, ch)
