"""Guidance building blocks (gyrfalcon.proximity.guidance): thrusters, reference profiles, schedules, TORU script.

References: the rocket equation; the DPO-B figures (130 N each, Isp 291 s; Energia via
launch/data/vehicles.toml, C) and the assumed two thrusters per direction and 30 ms minimum
on-time; closed-form properties of the cubic profiles; domain.md 3.2 for the schedules
(1.7 m/s at 400 m, about 0.1 m/s at contact).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from gyrfalcon.errors import InputError
from gyrfalcon.proximity.guidance import (AttitudeModel, GuidanceParams, ManualScript, OperatorCommand,
                                          ThrusterModel, hermite_range, smoothstep)


def test_minimum_impulse_and_saturation():
    thr = ThrusterModel()
    m = 6875.0
    bit = 2 * 130.0 * 0.03 / m
    sat = 2 * 130.0 * 1.0 / m
    assert thr.min_dv_mps(m) == pytest.approx(bit)
    out = thr.quantize([0.4 * bit, -0.7 * bit, 5 * bit], m, 1.0)
    assert np.allclose(out, [0.0, -bit, 5 * bit])
    assert np.allclose(thr.quantize([1.0, -1.0, 0.0], m, 1.0), [sat, -sat, 0.0])


def test_propellant_follows_rocket_equation():
    thr = ThrusterModel()
    used = thr.propellant_kg([0.3, -0.4, 0.0], 6875.0)        # per-axis thrusters: |0.3| + |0.4|
    assert used == pytest.approx(6875.0 * (1 - math.exp(-0.7 / (291.0 * 9.80665))), rel=1e-12)


def test_reference_profiles():
    assert smoothstep(0.0) == (0.0, 0.0) and smoothstep(1.0) == (1.0, 0.0)
    r0, rd0 = hermite_range(0.0, 360.0, 400.0, -1.7, 150.0)
    assert (r0, rd0) == pytest.approx((400.0, -1.7))
    # monotone: never closer than the station-keeping range, never moving outwards
    ts = np.linspace(0, 360, 721)
    r = np.array([hermite_range(t, 360.0, 400.0, -1.7, 150.0) for t in ts])
    assert np.all(r[:, 1] <= 1e-12) and r[:, 0].min() >= 150.0 - 1e-9
    # derivative check
    h = 1e-3
    num = (hermite_range(100 + h, 360.0, 400.0, -1.7, 150.0)[0] - hermite_range(100 - h, 360.0, 400.0, -1.7, 150.0)[0]) / (2 * h)
    assert num == pytest.approx(hermite_range(100.0, 360.0, 400.0, -1.7, 150.0)[1], rel=1e-6)


def test_schedules_match_published_rates():
    g = GuidanceParams()
    assert g.closing_speed(400.0) == pytest.approx(1.7)       # TMA-19: 1.7 m/s at 400 m
    assert 0.1 <= g.final_speed(0.0) <= 0.15                  # about 0.1 m/s at contact
    assert 0.2 <= g.final_speed(60.0) <= 0.3                  # "about 0.25 m/s early"
    # closing time 2.27 km -> 400 m for d(range)/dt = -(a + b range): ln((a + b r0)/(a + b r1)) / b
    t = math.log(g.closing_speed(2270.0) / g.closing_speed(400.0)) / g.closing_rate_per_s
    assert 8 * 60 <= t <= 12 * 60                             # about 10 min


def test_attitude_limit_cycles_stay_well_inside_the_envelope():
    am = AttitudeModel()
    p = am.draw(np.random.default_rng(5))
    angles = np.array([am.angles(t, p)[0] for t in range(0, 600)])
    rates = np.array([am.angles(t, p)[1] for t in range(0, 600)])
    assert np.abs(angles).max() <= math.radians(1.0) + 1e-12
    assert np.abs(rates).max() <= 2 * math.pi * math.radians(1.0) / 60.0 + 1e-12   # < 0.6 deg/s


def test_operator_script_order():
    s = ManualScript((OperatorCommand(0.0, at_s=0.0), OperatorCommand(0.3, at_s=30.0),
                      OperatorCommand(0.12, below_range_m=10.0)))
    assert s.closing_speed(10.0, 150.0) == 0.0
    assert s.closing_speed(40.0, 150.0) == 0.3
    assert s.closing_speed(400.0, 9.0) == 0.12


def test_bad_inputs():
    with pytest.raises(InputError, match="finite number >= 0"):
        GuidanceParams(hold_after_s=-1.0)
    with pytest.raises(InputError, match="positive number"):
        ThrusterModel(mass_kg=0.0)
    with pytest.raises(InputError, match="within \\+-1 m/s"):
        OperatorCommand(3.0, at_s=0.0)
