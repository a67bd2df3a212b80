"""The differential corrector on closed-form cases and the impulse model against Orekit."""
import math

import numpy as np
import pytest

from gyrfalcon.constants import MU_EARTH_M3_S2, WGS84_A_M
from gyrfalcon.orbits.state import State
from gyrfalcon.rendezvous import targeting as tg
from gyrfalcon.rendezvous.twobody import TwoBodyDynamics, hohmann_dv_mps
from gyrfalcon.time import add_seconds, parse_utc

MU = MU_EARTH_M3_S2


def test_rocket_equation_matches_orekit_masses(orekit_ms28):
    # Orekit ImpulseManeuver, Isp 302 s: header masses before/after each burn
    for k, b in orekit_ms28["burns"].items():
        t = parse_utc("2025-11-27T10:00Z")
        before = State(t, b["before"][:3], b["before"][3:], mass_kg=b["mass_before"])
        # along the inertial velocity (Orekit's TNW +T) expressed in RTN
        vhat = before.v_mps / np.linalg.norm(before.v_mps)
        dv_rtn = tg.inertial_to_rtn(before.r_m, before.v_mps, vhat * b["dv"])
        after = tg.apply_impulse(before, dv_rtn, isp_s=302.0)
        assert after.mass_kg == pytest.approx(b["mass_after"], abs=1e-6), k
        assert np.allclose(after.v_mps, b["v_after"], atol=1e-8), k


def test_burn_duration_constant_thrust():
    # m(t) = m0 - mdot t, dv = Isp g0 ln(m0 / m1): invert by hand
    m0, F, isp = 7000.0, 2950.0, 302.0
    mdot = F / (isp * 9.80665)
    d = tg.burn_duration_s(m0, 50.0, F, isp)
    assert isp * 9.80665 * math.log(m0 / (m0 - mdot * d)) == pytest.approx(50.0, abs=1e-9)


def test_corrector_finds_the_hohmann_transfer():
    # chaser circular at 300 km, station circular at 400 km, coplanar, station leading by
    # pi - n2 T_H: two burns T_H apart with rendezvous at the second are exactly Hohmann's.
    r1, r2 = WGS84_A_M + 300e3, WGS84_A_M + 400e3
    dv1, dv2, _, tof = hohmann_dv_mps(r1, r2)
    n2 = math.sqrt(MU / r2 ** 3)
    lead = math.pi - n2 * tof
    inc = math.radians(51.6)
    rot = np.array([[1, 0, 0], [0, math.cos(inc), -math.sin(inc)], [0, math.sin(inc), math.cos(inc)]])

    def circ(r, ang):
        v = math.sqrt(MU / r)
        return rot @ np.array([r * math.cos(ang), r * math.sin(ang), 0]), rot @ np.array(
            [-v * math.sin(ang), v * math.cos(ang), 0])

    t0 = parse_utc("2025-11-27T10:00Z")
    ch0 = State(t0, *circ(r1, 0.0), mass_kg=7000.0)
    st0 = State(t0, *circ(r2, lead))
    dyn = TwoBodyDynamics()
    times = (t0, add_seconds(t0, tof))
    chain = tg.ImpulsiveChain(ch0, times, dyn.propagate_to(st0, times[1]), np.zeros(3), np.zeros(3),
                              dyn.propagate_to, 302.0)
    x, F, _, rep = tg.min_norm_newton(chain.evaluate, chain.jacobian, np.zeros(6), mode="step",
                                      tol_position_m=1e-3, tol_velocity_mps=1e-6)
    assert rep.converged
    x = x.reshape(2, 3)
    assert np.allclose(x[0], [0, dv1, 0], atol=2e-5)
    assert np.allclose(x[1], [0, dv2, 0], atol=2e-5)
    # 6 equations, 6 unknowns: the least-norm ('total') mode gives the same unique answer
    x2, *_ = tg.min_norm_newton(chain.evaluate, chain.jacobian, np.zeros(6), mode="total",
                               tol_position_m=1e-3, tol_velocity_mps=1e-6)
    assert np.allclose(x2, x.reshape(-1), atol=2e-5)


def test_cw_min_norm_burns_reach_the_aim_in_cw():
    from gyrfalcon.rendezvous.cw import stm

    n = 1.13e-3
    X0 = np.array([-30e3, 0.0, 5e3, 8.5, 0.3, 0.0])
    tk = [0.0, 1500.0, 3100.0, 4600.0]
    X_aim = np.array([-2000.0, 0, 1000.0, 1.0, 0, -0.5])
    dv = tg.cw_min_norm_burns(n, X0, tk, 4600.0, X_aim)
    X = X0.copy()
    t = 0.0
    for k, t_k in enumerate(tk):
        X = stm(n, t_k - t) @ X
        X[3:] += dv[k]
        t = t_k
    assert np.allclose(X, X_aim, atol=1e-6)


def test_curvilinear_state_is_lvlh_near_the_station():
    from gyrfalcon.frames import chaser_from_relative

    r = WGS84_A_M + 420e3
    v = math.sqrt(MU / r)
    st = State(parse_utc("2025-11-27T10:00Z"), [r, 0, 0], [0, v * math.cos(0.9), v * math.sin(0.9)])
    ch = chaser_from_relative(st, [-300.0, 40.0, 100.0], [0.2, -0.1, 0.05])
    X = tg.curvilinear_state(st.r_m, st.v_mps, ch.r_m, ch.v_mps)
    assert np.allclose(X[:3], [-300.0, 40.0, 100.0], atol=0.05)
    assert np.allclose(X[3:], [0.2, -0.1, 0.05], atol=2e-4)


def test_matched_drift_equals_the_numerical_j2_drift():
    # chaser 200 km below the station, both circular and coplanar at 51.64 deg: the CW drift
    # with the matched rate must equal the phase the chaser gains in a J2 propagation
    from gyrfalcon.orbits.propagator import Propagator
    from gyrfalcon.rendezvous.schemes import phase_angle_rad

    inc = math.radians(51.64)
    rot = np.array([[1, 0, 0], [0, math.cos(inc), -math.sin(inc)], [0, math.sin(inc), math.cos(inc)]])

    def circ(r, ang):
        v = math.sqrt(MU / r)
        return rot @ np.array([r * math.cos(ang), r * math.sin(ang), 0]), rot @ np.array(
            [-v * math.sin(ang), v * math.cos(ang), 0])

    t0 = parse_utc("2025-11-27T10:00Z")
    rt, rc = WGS84_A_M + 420e3, WGS84_A_M + 220e3
    st = State(t0, *circ(rt, 0.3))
    ch = State(t0, *circ(rc, 0.1))
    X = tg.curvilinear_state(st.r_m, st.v_mps, ch.r_m, ch.v_mps, match_drift=True)
    n_t = math.sqrt(MU / rt ** 3)
    drift_cw = 6 * n_t * X[2] - 3 * X[3]                       # m/s along track
    p = Propagator("j2")
    T = 5 * 5400.0
    s1, c1 = p.propagate_to(st, add_seconds(t0, T)), p.propagate_to(ch, add_seconds(t0, T))
    gained = (phase_angle_rad(st.r_m, st.v_mps, ch.r_m) - phase_angle_rad(s1.r_m, s1.v_mps, c1.r_m)) % (2 * math.pi)
    # the phase gained over ~5 orbits (~80 deg) is the CW drift within half a percent
    assert drift_cw * T / np.linalg.norm(st.r_m) == pytest.approx(gained, rel=5e-3)
    # the plain first-order CW rate would be some 20 % off
    X_plain = tg.curvilinear_state(st.r_m, st.v_mps, ch.r_m, ch.v_mps)
    assert abs((6 * n_t * X_plain[2] - 3 * X_plain[3]) * T / np.linalg.norm(st.r_m) / gained - 1) > 0.1


def test_j2_secular_world_follows_the_j2_propagator():
    # the first-guess world against the numerical J2 propagator over two days, with burns
    from gyrfalcon.frames import relative_state
    from gyrfalcon.orbits.propagator import Propagator
    from gyrfalcon.rendezvous.twobody import J2SecularDynamics

    t0 = parse_utc("2025-11-27T09:36:46")
    ch = State(t0, [1978531.028126225, -3615669.3453809833, 5126815.439079414],
               [6415.49248297388, 4387.128943384825, 618.1530687449234])
    a, b = J2SecularDynamics(), Propagator("j2")
    sa = sb = ch
    for k, (hours, dv) in enumerate([(3.25, [0, 30, 5]), (5.5, [0, 40, -5]), (24.5, [0, 20, 3]), (49.0, None)]):
        t = add_seconds(t0, hours * 3600)
        sa, sb = a.propagate_to(sa, t), b.propagate_to(sb, t)
        if dv is not None:
            sa, sb = tg.apply_impulse(sa, dv), tg.apply_impulse(sb, dv)
    rho, _ = relative_state(sb, sa)
    assert np.linalg.norm(rho) < 60e3        # vs > 1,000 km for a pure two-body world


def test_corrector_reports_failure_as_a_typed_error():
    calls = {"n": 0}

    def evaluate(x):
        calls["n"] += 1
        return np.array([1e6 * (1 + calls["n"]), 0, 0, 0, 0, 0]), None   # gets worse every time

    with pytest.raises(tg.TargetingError, match="could not reduce the miss"):
        tg.min_norm_newton(evaluate, lambda x, c: np.eye(6), np.zeros(6))


def test_fast_frame_helpers_equal_the_frames_module():
    """The correctors' scalar RTN rows and cached relative state against gyrfalcon.frames (same definitions)."""
    import numpy as np

    from gyrfalcon.frames import relative_state, rtn_matrix
    from gyrfalcon.orbits.state import State
    from gyrfalcon.rendezvous import targeting as tg
    from gyrfalcon.time import add_seconds, parse_utc

    rng = np.random.default_rng(3)
    t = parse_utc("2025-11-27T12:00Z")
    for _ in range(20):
        r = rng.normal(size=3) * 7e6
        v = rng.normal(size=3) * 7.5e3
        assert np.allclose(tg._rtn_rows3(r, v), rtn_matrix(r, v), atol=1e-15)
        dv = rng.normal(size=3)
        assert np.allclose(tg.inertial_to_rtn(r, v, tg.rtn_to_inertial(r, v, dv)), dv, atol=1e-12)
        target = State(t, r, v)
        chaser = State(t, r + rng.normal(size=3) * 2e3, v + rng.normal(size=3))
        a, b = tg.RelativeTo(target)(chaser), relative_state(target, chaser)
        assert np.allclose(a[0], b[0], atol=1e-9) and np.allclose(a[1], b[1], atol=1e-12)
    # a chaser at another instant is refused as by relative_state
    import pytest

    from gyrfalcon.errors import InputError

    with pytest.raises(InputError, match="same instant"):
        tg.RelativeTo(target)(State(add_seconds(t, 1.0), chaser.r_m, chaser.v_mps))
    with pytest.raises(InputError, match="local orbital frame undefined"):
        tg.rtn_to_inertial([7e6, 0, 0], [1e3, 0, 0], [0, 1.0, 0])
