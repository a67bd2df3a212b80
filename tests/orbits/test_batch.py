"""BatchFlight (heyoka batch mode, per-lane clocks and finite burns) against closed forms, the
scalar propagator, and its own lane independence."""
import math

import numpy as np
import pytest

from gyrfalcon.constants import G0_MPS2
from gyrfalcon.errors import InputError
from gyrfalcon.orbits.batch import BatchFlight
from gyrfalcon.orbits.maneuvers import FiniteBurn
from gyrfalcon.orbits.propagator import Propagator
from gyrfalcon.orbits.state import State
from gyrfalcon.time import add_seconds, parse_utc

T0 = parse_utc("2025-11-27T09:36:49Z")
R0 = np.array([4594537.643, -518498.052, 4971920.397])
V0 = np.array([3048.8547, 6705.8943, -2115.9935])
THRUST, ISP, M0 = 2950.0, 302.0, 7152.0


def lanes(n, seed=3):
    rng = np.random.default_rng(seed)
    return R0 + rng.uniform(-2e3, 2e3, (n, 3)), V0 + rng.uniform(-2.0, 2.0, (n, 3))


def test_finite_burn_matches_the_rocket_equation():
    """A 5 s burn fixed in GCRF: mass by the constant mass flow exactly, and the velocity change over
    a coasting twin lane equals ve ln(m0/m1) along the thrust (the two lanes' gravity differs by
    the gravity gradient over the few metres they drift apart: ~1e-5 m/s)."""
    prop = Propagator("two-body")
    r, v = np.array([R0, R0]), np.array([V0, V0])
    fl = BatchFlight(prop, T0, r, v, [M0, M0])
    fl.advance(100.0)
    d = np.array([0.36, 0.48, 0.8])
    fl.advance(105.0, thrust_n=[0.0, THRUST], isp_s=ISP, direction=d, frame="GCRF")
    m1 = M0 - THRUST / (ISP * G0_MPS2) * 5.0
    assert fl.mass_kg[0] == M0
    assert fl.mass_kg[1] == pytest.approx(m1, abs=1e-9)
    dv = fl.v_mps[1] - fl.v_mps[0]
    assert np.linalg.norm(dv - ISP * G0_MPS2 * math.log(M0 / m1) * d) < 1e-4


def test_batch_follows_the_scalar_propagator_with_burns():
    """Three lanes, J2 + two finite burns over 2.5 h, against Propagator.propagate_to with the same
    FiniteBurn: same model, different integrator mode -> agreement to well below a millimetre."""
    prop = Propagator("j2")
    R, V = lanes(3)
    dirs = np.array([[0.0, 1.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.6, 0.8]])
    fl = BatchFlight(prop, T0, R, V, np.full(3, M0), t_s=[0.0, 1.5, -0.7], span_s=9000.0)
    fl.advance([1500.0, 1500.0, 1500.0])
    fl.advance([1530.0, 1510.0, 1545.0], thrust_n=THRUST, isp_s=ISP, direction=dirs)
    fl.advance(6000.0)
    fl.advance([6020.0, 6020.0, 6020.0], thrust_n=[THRUST, 0.0, THRUST], isp_s=ISP, direction=dirs)
    fl.advance(9000.0)
    for i, (t0, end1) in enumerate(zip((0.0, 1.5, -0.7), (1530.0, 1510.0, 1545.0))):
        s = State(add_seconds(T0, t0), R[i], V[i], "GCRF", M0)
        b1 = FiniteBurn(add_seconds(T0, 1500.0), end1 - 1500.0, THRUST, ISP, "RTN", tuple(dirs[i]))
        burns = (b1,) if i == 1 else (b1, FiniteBurn(add_seconds(T0, 6000.0), 20.0, THRUST, ISP, "RTN",
                                                       tuple(dirs[i])))
        ref = prop.propagate_to(s, add_seconds(T0, 9000.0), maneuvers=burns)
        assert np.linalg.norm(fl.r_m[i] - ref.r_m) < 1e-3
        assert np.linalg.norm(fl.v_mps[i] - ref.v_mps) < 1e-6
        assert fl.mass_kg[i] == pytest.approx(ref.mass_kg, abs=1e-9)
    assert fl.t_s.tolist() == [9000.0] * 3


def test_a_lane_does_not_depend_on_its_block_mates():
    """Bit for bit: lane 5 alone, with other lanes of earlier/later start times, and in reverse order."""
    prop = Propagator("j2")
    R, V = lanes(11)
    t0 = np.linspace(-1.0, 1.0, 11)
    dirs = np.tile([0.0, 1.0, 0.0], (11, 1))

    def fly(ix):
        ix = list(ix)
        ids = np.array(ix)
        fl = BatchFlight(prop, T0, R[ix], V[ix], np.full(len(ix), M0), t_s=t0[ix], span_s=4000.0)
        fl.advance(1000.0)
        fl.advance(1000.0 + 3.0 * (ids % 7) + 0.5 * ids, thrust_n=THRUST, isp_s=ISP, direction=dirs[ix])
        fl.advance(4000.0)
        return fl.r_m[ix.index(5)], fl.v_mps[ix.index(5)]

    a = fly([5])
    for ix in ([5, 0], [10, 5], list(range(11)), list(range(11))[::-1], [5, 3, 7, 1, 9, 2, 8, 4, 6]):
        b = fly(ix)
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]), ix


def test_a_failed_lane_is_frozen_and_reported_the_others_fly_on():
    prop = Propagator("two-body", floor_m=100e3)
    R = np.array([R0, R0])
    V = np.array([V0, V0 * 0.985])         # the second one's perigee is at 26 km
    fl = BatchFlight(prop, T0, R, V, [M0, M0])
    fl.advance(6000.0)
    assert fl.ok.tolist() == [True, False]
    assert "floor" in fl.error[1] and fl.error[0] == ""
    assert fl.t_s[0] == 6000.0 and fl.t_s[1] < 6000.0


def test_bad_inputs_are_refused_with_what_works():
    prop = Propagator("two-body")
    fl = BatchFlight(prop, T0, [R0], [V0], [M0])
    with pytest.raises(InputError, match="forward"):
        fl.advance(-10.0)
    with pytest.raises(InputError, match="unit"):
        fl.advance(10.0, thrust_n=THRUST, isp_s=ISP, direction=[0.0, 2.0, 0.0])
    with pytest.raises(InputError, match="RTN"):
        fl.advance(10.0, thrust_n=THRUST, isp_s=ISP, direction=[0.0, 1.0, 0.0], frame="LVLH")
    with pytest.raises(InputError, match="mass_kg"):
        BatchFlight(prop, T0, [R0], [V0], [0.0])
    with pytest.raises(InputError, match=r"\(n, 3\)"):
        BatchFlight(prop, T0, [R0], [V0, V0], [M0])
