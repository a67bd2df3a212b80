"""Kurs-like sensor model (gyrfalcon.proximity.kurs).

References: the NIITP accuracies quoted in domain.md 3.1 (range 10 m, range rate 1.5 cm/s,
angles 15 arcmin, operating range >= 100 km), sample statistics of seeded noise, and finite
differences for the measurement Jacobian.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from gyrfalcon.errors import InputError
from gyrfalcon.proximity.kurs import KursFault, KursModel, measurement_jacobian

ROWS = np.eye(3)  # boresight along LVLH z (nadir port)


def test_published_accuracies_and_range_scaling():
    k = KursModel()
    assert k.range_sigma_m(80_000.0) == 10.0                      # NIITP 10 m (long range)
    assert k.range_rate_sigma_mps == 0.015                          # 1.5 cm/s
    assert math.degrees(k.angle_sigma_rad) * 60 == pytest.approx(15.0)  # 15 arcmin
    assert k.acquisition_range_m == 100_000.0                       # >= 100 km
    # assumption: proportional to range inside 10 km (0.1 %), floor 1 cm
    assert k.range_sigma_m(2270.0) == pytest.approx(2.27)
    assert k.range_sigma_m(150.0) == pytest.approx(0.15)
    assert k.range_sigma_m(1.0) == 0.01


def test_noise_statistics_match_the_stated_sigmas():
    k = KursModel()
    rng = np.random.default_rng(7)
    d, v = np.array([30.0, -20.0, 500.0]), np.array([0.01, 0.0, -0.3])
    truth = k.ideal(d, v, ROWS)
    z = np.array([k.measure(float(i), d, v, 0.01, ROWS, rng).values for i in range(4000)])
    err = z[:, :4] - truth
    std = err.std(axis=0)
    sig = k.sigmas(truth[0])[:4]
    assert np.all(np.abs(std / sig - 1) < 0.05)                     # 4000 samples: std known to ~1.1 %
    assert np.all(np.abs(err.mean(axis=0)) < 4 * sig / math.sqrt(4000))   # unbiased by default
    assert abs(z[:, 4].mean() - 0.01) < 4 * k.roll_sigma_rad / math.sqrt(4000)


def test_seeded_and_deterministic():
    k = KursModel()
    d, v = np.array([0.0, 0.0, 100.0]), np.zeros(3)
    a = k.measure(0.0, d, v, 0.0, ROWS, np.random.default_rng(3)).values
    b = k.measure(0.0, d, v, 0.0, ROWS, np.random.default_rng(3)).values
    c = k.measure(0.0, d, v, 0.0, ROWS, np.random.default_rng(4)).values
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_dropout_bias_jump_and_acquisition():
    k = KursModel(faults=(KursFault("dropout", 10.0, 5.0), KursFault("bias_jump", 20.0, channel="range", bias=3.0)))
    d, v = np.array([0.0, 0.0, 100.0]), np.zeros(3)
    rng = np.random.default_rng(0)
    assert k.measure(9.0, d, v, 0.0, ROWS, rng) is not None
    assert k.measure(12.0, d, v, 0.0, ROWS, rng) is None
    assert k.measure(15.0, d, v, 0.0, ROWS, rng) is not None
    jumped = np.array([k.measure(25.0 + i, d, v, 0.0, ROWS, rng).values[0] for i in range(400)])
    assert jumped.mean() == pytest.approx(103.0, abs=4 * 0.1 / math.sqrt(400))
    assert KursModel().measure(0.0, np.array([0, 0, 150e3]), v, 0.0, ROWS, rng) is None   # beyond acquisition


def test_bias_is_a_fixed_multiple_of_the_current_sigma():
    k = KursModel(bias_fraction=1.0)
    b = np.array([k.draw_bias(np.random.default_rng(s)) for s in range(2000)])
    assert np.all(np.abs(b.std(axis=0) - 1) < 0.07)
    assert not np.any(KursModel().draw_bias(np.random.default_rng(0)))
    bias = np.array([2.0, 0.0, 0.0, 0.0, 0.0])
    for rng_m in (1000.0, 50.0):
        d = np.array([0.0, 0.0, rng_m])
        z = np.array([k.measure(0.0, d, np.zeros(3), 0.0, ROWS, np.random.default_rng(i), bias).values[0]
                      for i in range(400)])
        assert z.mean() - rng_m == pytest.approx(2.0 * k.range_sigma_m(rng_m), abs=4 * k.range_sigma_m(rng_m) / 20)


def test_jacobian_matches_finite_differences():
    rows = np.array([[1.0, 0, 0], [0, 0.6, 0.8], [0, -0.8, 0.6]])
    d, v = np.array([12.0, -30.0, 140.0]), np.array([0.05, 0.02, -0.2])
    h = measurement_jacobian(d, v, rows)
    x = np.concatenate([d, v])
    num = np.zeros((4, 6))
    for j in range(6):
        e = np.zeros(6)
        e[j] = 1e-6
        num[:, j] = (KursModel.ideal((x + e)[:3], (x + e)[3:], rows) - KursModel.ideal((x - e)[:3], (x - e)[3:], rows)) / 2e-6
    assert np.allclose(h, num, atol=1e-8)


def test_bad_inputs():
    with pytest.raises(InputError, match="unknown Kurs fault kind"):
        KursFault("jam", 0.0)
    with pytest.raises(InputError, match="unknown Kurs channel"):
        KursFault("bias_jump", 0.0, channel="azimuth")
    with pytest.raises(InputError, match="positive finite"):
        KursModel(update_interval_s=0.0)
    with pytest.raises(InputError, match="range is zero"):
        KursModel.ideal(np.zeros(3), np.zeros(3), ROWS)


def test_angles_stay_well_conditioned_ninety_degrees_off_the_port_axis():
    # a dispersed hand-over can sit level with a nadir port (line of sight ~90 deg off its axis):
    # the analytic Jacobian must still equal central differences of the measurement (independent
    # reference), and elevation must stay bounded (no flip from +90 to -90 deg across the plane)
    import numpy as np
    from gyrfalcon.proximity.kurs import KursModel, measurement_jacobian

    rows = np.eye(3)                             # u = V-bar, w = cross-track, a = nadir
    v = np.array([-3.0, 0.1, 0.2])
    for d in (np.array([-2000.0, 15.0, 1.0]), np.array([-2000.0, 15.0, -1.0]), np.array([-300.0, -40.0, 120.0])):
        h = measurement_jacobian(d, v, rows)
        x = np.concatenate([d, v])
        num = np.empty((4, 6))
        for j in range(6):
            e = np.zeros(6); e[j] = 1e-4 * max(1.0, abs(x[j]))
            zp, zm = KursModel.ideal((x + e)[:3], (x + e)[3:], rows), KursModel.ideal((x - e)[:3], (x - e)[3:], rows)
            dz = zp - zm
            dz[2:] = (dz[2:] + np.pi) % (2 * np.pi) - np.pi
            num[:, j] = dz / (2 * e[j])
        assert np.allclose(h, num, rtol=1e-5, atol=1e-9)
        el = KursModel.ideal(d, v, rows)[3]
        assert abs(el - np.arcsin(d[1] / np.linalg.norm(d))) < 1e-12


def test_a_fault_bias_beyond_what_kurs_measures_is_refused_in_one_line():
    """Found by an audit: kurs-bias@600:range=1e300 overflowed in the filter (a traceback)."""
    import pytest

    from gyrfalcon.errors import InputError
    from gyrfalcon.proximity.kurs import BIAS_LIMITS, KursFault

    for channel, (limit, _unit) in BIAS_LIMITS.items():
        KursFault("bias_jump", 600.0, channel=channel, bias=-limit)          # the limit itself is taken
        for bad in (limit * 1.001, float("inf"), float("nan")):
            with pytest.raises(InputError, match=f"Kurs {channel} bias .*within"):
                KursFault("bias_jump", 600.0, channel=channel, bias=bad)
