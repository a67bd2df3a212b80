"""Vectorised approach (gyrfalcon.proximity.batch) against the scalar closed-loop simulation (the truth).

References: :func:`gyrfalcon.proximity.approach.simulate_approach` run by run (same models, same
seeds); binomial / mean standard errors for the statistical comparison; bit-for-bit equality of
a run's outcome across batch compositions.
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from gyrfalcon.errors import InputError
from gyrfalcon.proximity.approach import ApproachConfig, simulate_approach
from gyrfalcon.proximity.batch import simulate_approach_batch
from gyrfalcon.proximity.guidance import ManualScript, OperatorCommand, ThrusterModel
from gyrfalcon.proximity.kurs import KursFault, KursModel

# a biased Kurs (the campaign default, 1 sigma per channel) plus an unannounced range-rate bias jump
# of 4 cm/s at 300 s: the filter's bias-aware gate absorbs the stated bias alone (every run captured),
# the jump makes a few percent of the runs abort, so outcomes differ between runs
BIASED = ApproachConfig(kurs=KursModel(bias_fraction=1.0, faults=(KursFault("bias_jump", 300.0, channel="range_rate",
                                                                            bias=0.04),)))


@pytest.fixture(scope="module")
def biased_batch():
    return simulate_approach_batch(BIASED, seeds=range(200))


def test_noise_off_nominal_matches_scalar_to_a_cm_and_a_second():
    # Kurs noise scaled down 100 times, exact thrusters, 10 cm initial navigation error: the
    # (nearly) deterministic nominal approach, scalar (scaled KursModel) against batch (noise scale)
    f, k0 = 0.01, KursModel()
    quiet_kurs = replace(k0, range_sigma_far_m=k0.range_sigma_far_m * f, range_sigma_min_m=k0.range_sigma_min_m * f,
                         range_rate_sigma_mps=k0.range_rate_sigma_mps * f, angle_sigma_rad=k0.angle_sigma_rad * f,
                         roll_sigma_rad=k0.roll_sigma_rad * f)
    quiet = replace(ApproachConfig(), thrusters=ThrusterModel(dv_error_fraction=0.0), nav_sigma0_pos_m=0.1,
                    nav_sigma0_vel_mps=0.001)
    s = simulate_approach(replace(quiet, kurs=quiet_kurs), seed=3)
    b = simulate_approach_batch(quiet, seeds=[3], kurs_noise_scale=f)
    assert s.verdict == b.verdict[0] == "captured"
    assert abs(s.contact_s - b.contact_s[0]) < 1.0
    assert abs(s.contact.lateral_offset_m - b.lateral_offset_m[0]) < 0.01
    assert abs(s.contact.closing_speed_mps - b.closing_speed_mps[0]) < 1e-3
    assert abs(s.min_distance_m - b.min_distance_m[0]) < 0.01
    assert abs(s.dv_l1_mps - b.dv_l1_mps[0]) < 0.01 * s.dv_l1_mps
    assert tuple(p.name for p in s.phases) == tuple(p[0] for p in b.phases[0])
    # and the published-scale figures of the scalar model (approach.py docstring): 10.4 min final approach
    fa = [p for p in b.phases[0] if p[0] == "final_approach"][0]
    assert abs((fa[2] - fa[1]) / 60.0 - 10.4) < 0.5


@pytest.mark.parametrize("seed", [0, 7])
def test_noisy_run_follows_the_scalar_run_of_the_same_seed(seed):
    s = simulate_approach(BIASED, seed=seed)
    b = simulate_approach_batch(BIASED, seeds=[seed, seed + 1])
    assert s.verdict == b.verdict[0]
    assert abs(s.contact_s - b.contact_s[0]) < 1e-3
    assert s.events == b.events[0]
    assert abs(s.propellant_kg - b.propellant_kg[0]) < 1e-3


def test_statistics_agree_with_independent_scalar_runs(biased_batch):
    # 24 scalar runs on other seeds against 200 batch runs: capture rate within 3 binomial standard
    # errors (floored at 1/n), mean contact time within 3 standard errors of the difference
    scal = [simulate_approach(BIASED, seed=s) for s in range(5000, 5024)]
    p_s = np.mean([r.verdict == "captured" for r in scal])
    p_b = np.mean([v == "captured" for v in biased_batch.verdict])
    se = math.hypot(max(math.sqrt(p_s * (1 - p_s) / 24), 1 / 24), max(math.sqrt(p_b * (1 - p_b) / 200), 1 / 200))
    assert abs(p_s - p_b) <= 3 * se
    ts = np.array([r.contact_s for r in scal if r.contact_s is not None])
    tb = biased_batch.contact_s[np.isfinite(biased_batch.contact_s)]
    se_t = math.hypot(ts.std(ddof=1) / math.sqrt(len(ts)), tb.std(ddof=1) / math.sqrt(len(tb)))
    assert abs(ts.mean() - tb.mean()) <= 3 * se_t + 0.05
    # the bias jump really makes failures (aborts after rejected Kurs updates), not 200 identical runs
    assert 0.8 < p_b < 1.0 and tb.std() > 0.1


def test_a_runs_outcome_does_not_depend_on_its_batch(biased_batch):
    picks = [3, 117, 42]
    alone = simulate_approach_batch(BIASED, seeds=picks)
    for j, s in enumerate(picks):
        assert alone.verdict[j] == biased_batch.verdict[s]
        assert alone.events[j] == biased_batch.events[s]
        for name in ("contact_s", "propellant_kg", "dv_l1_mps", "min_distance_m", "lateral_offset_m"):
            a, b = getattr(alone, name)[j], getattr(biased_batch, name)[s]
            assert (a == b) or (math.isnan(a) and math.isnan(b)), name


def test_failed_runs_match_the_scalar_failures(biased_batch):
    failed = [i for i, v in enumerate(biased_batch.verdict) if v != "captured"][:2]
    assert failed
    for i in failed:
        s = simulate_approach(BIASED, seed=i)
        assert s.verdict == biased_batch.verdict[i]
        assert s.events == biased_batch.events[i]


def test_per_run_states_and_dropout_fault():
    cfg = replace(BIASED, kurs=replace(BIASED.kurs, faults=(KursFault("dropout", 100.0, 20.0),)))
    ref = simulate_approach(cfg, seed=4)
    rho = np.array(ref.rho_lvlh_m[0]) + [5.0, 0.0, -3.0]
    s = simulate_approach(replace(cfg, initial_rho_m=tuple(rho), initial_rho_dot_mps=tuple(ref.rho_dot_lvlh_mps[0]),
                                  thrusters=ThrusterModel(mass_kg=7000.0)), seed=4)
    b = simulate_approach_batch(cfg, seeds=[4, 4], initial_rho_m=[ref.rho_lvlh_m[0], rho],
                                initial_rho_dot_mps=ref.rho_dot_lvlh_mps[0], mass_kg=[6875.0, 7000.0])
    assert b.events[0] == ref.events and b.events[1] == s.events
    assert any("hold" in e for e in s.events)
    assert abs(b.contact_s[1] - s.contact_s) < 1e-3


def test_bad_input_is_refused_with_a_hint():
    man = ManualScript(commands=(OperatorCommand(0.2, at_s=0),), takeover_at_s=10.0)
    with pytest.raises(InputError, match="simulate_approach"):
        simulate_approach_batch(replace(ApproachConfig(), manual=man), seeds=[0])
    with pytest.raises(InputError, match="shape"):
        simulate_approach_batch(seeds=[0, 1], mass_kg=[1.0, 2.0, 3.0])
    with pytest.raises(InputError, match="at least one seed"):
        simulate_approach_batch(seeds=[])


def test_kurs_inconsistent_inside_the_blind_limit_backs_away_at_once_in_both():
    """An audit found a run that, with a diverged filter 3 m from the port, held on its estimate
    (the Kurs-inconsistent path) and drifted into the station, where the Kurs-lost path backs
    away inside the 20 m blind limit. Both paths now back away there, in the scalar and the
    vectorised approach alike. A 3 m range bias from 1700 s (MS-28's final approach, about 5 m
    out): the approach is abandoned without contact."""
    cfg = ApproachConfig(kurs=KursModel(faults=(KursFault("bias_jump", 1700.0, channel="range", bias=3.0),)))
    s = simulate_approach(cfg, seed=0)
    b = simulate_approach_batch(cfg, seeds=[0])
    assert s.verdict == b.verdict[0] == "aborted" and s.contact is None
    inside = [e for e in s.events if "Kurs inconsistent at" in e and "inside the 20 m blind limit" in e]
    assert inside and "back_away" in inside[0]
    assert s.events == b.events[0]
    assert s.min_distance_m > 1.0
