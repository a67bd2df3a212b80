"""End-to-end rendezvous plans with the full force model against flown missions.

Flight facts (shared reference, copied in data/README.md): liftoff and docking times from
missions.csv; MS-28 burn times from domain.md 2.3; ISS trajectories from NASA's OEMs.
Insertion from the launch module's parametric model into the ISS plane at liftoff (the
in-plane launch of domain.md 2.2).
"""
import math
import pathlib

import numpy as np
import pytest

from gyrfalcon.io.oem import load_oem
from gyrfalcon.launch.insertion import parametric_insertion
from gyrfalcon.orbits.iss import iss_ephemeris
from gyrfalcon.rendezvous import schemes
from gyrfalcon.rendezvous.plan import plan_rendezvous, recommended_plane_normal
from gyrfalcon.rendezvous.schemes import load_schemes
from gyrfalcon.time import add_seconds, parse_utc, seconds_between

DATA = pathlib.Path(__file__).parent / "data"

PAD = (math.radians(45.9961), math.radians(63.5639), 104.0)   # Baikonur 31/6, domain.md 1.4
MS28_LIFTOFF = "2025-11-27T09:27:57.402"


def _insertion(eph, liftoff, bias_for_scheme=True):
    """Insertion in the ISS plane at liftoff; for a two-day flight in the plane that J2 brings onto the ISS's."""
    t = parse_utc(liftoff)
    s = eph.at(t)
    h = np.cross(s.r_m, s.v_mps)
    ins = parametric_insertion(*PAD, t, h / np.linalg.norm(h))
    st = eph.at(ins.t)
    choice = schemes.choose_scheme(schemes.phase_angle_rad(st.r_m, st.v_mps, ins.r_gcrf_m))
    if bias_for_scheme and choice.scheme.aim_slot.kind == "time":
        n = recommended_plane_normal(s.r_m, s.v_mps, choice.scheme.aim_slot.after_insertion_s, choice.catch_up_rad)
        ins = parametric_insertion(*PAD, t, n)
    return ins


@pytest.fixture(scope="module")
def ms28_plan():
    eph = iss_ephemeris()
    ins = _insertion(eph, MS28_LIFTOFF)
    return plan_rendezvous(ins.state, liftoff=MS28_LIFTOFF, station=eph, vehicle="soyuz-ms")


def test_ms28_contact_and_total_dv(ms28_plan):
    p = ms28_plan
    assert p.scheme == "two-orbit"
    # contact 12:34:35 UTC (missions.csv): within 5 min
    err = float(seconds_between(parse_utc("2025-11-27T12:34:35"), parse_utc(p.nominal_contact_utc)))
    assert abs(err) < 300
    # total about 117 m/s (domain.md 2.3): within 15 %
    assert p.total_dv_mps == pytest.approx(117.0, rel=0.15)
    assert p.impulsive_total_dv_mps == pytest.approx(117.0, rel=0.15)
    # and never below the Hohmann 221 -> 418 km minimum of 113 m/s by more than the ~1 km
    # difference in the real orbits
    assert p.total_dv_mps > 110.0


def test_ms28_burn_epochs_match_the_flown_ones(ms28_plan):
    # CHECK against the flown profile (domain.md 2.3), which the planner never reads: the burn
    # epochs follow from the arrival rule (contact two revolutions after insertion) and the
    # half-revolution chain of burns. The final rendezvous (transfer DV3, braking) lands within
    # 2 min of the flown one; the first-orbit phasing pair, whose placement is not published,
    # within 8 min
    flown = {"DV1": 34 * 60, "DV2": 3600 + 5 * 60 + 38, "DV3": 3600 + 55 * 60 + 49, "braking": 2 * 3600 + 39 * 60 + 58}
    tol = {"DV1": 480, "DV2": 480, "DV3": 120, "braking": 120}
    for b in ms28_plan.burns:
        assert abs(b.met_s - flown[b.name]) < tol[b.name], (b.name, b.met_s)
    assert [b.orbit for b in ms28_plan.burns] == [1, 1, 2, 2]
    # braking range at the burn's START: MS-28 braked at 2.27 km. The least-propellant split puts
    # about 45 m/s in the braking (flown: 5.35 m/s + DPO), a 108 s burn centred on the aim point
    # (2.24 km), which therefore starts nearer, at about 1.1 km (a known limit, docs/validation.md)
    assert 0.9e3 < ms28_plan.burns[-1].range_to_station_m < 2.5e3
    # the arrival rule is stated
    assert "2 revolutions after insertion" in ms28_plan.arrival_rule


def test_ms28_targeting_meets_the_aim_point(ms28_plan):
    p = ms28_plan
    assert p.miss_position_m < 10.0 and p.miss_velocity_mps < 0.01
    assert p.corrector["impulsive"]["converged"] and p.corrector["finite"]["converged"]
    a = load_schemes().approach
    assert p.aim_rho_lvlh_m == pytest.approx(a.aim_rho_lvlh_m)
    assert float(seconds_between(parse_utc(p.aim_utc), parse_utc(p.nominal_contact_utc))) == pytest.approx(a.planning_approach_s)
    # the hand-over state at the aim epoch is the aim point relative to the ISS ephemeris
    from gyrfalcon.frames import relative_state
    from gyrfalcon.orbits.state import State

    ch = State.from_dict(p.chaser_at_aim)
    rho, rho_dot = relative_state(iss_ephemeris().at(ch.t), ch)
    assert np.allclose(rho, a.aim_rho_lvlh_m, atol=10.0)
    assert np.allclose(rho_dot, p.aim_rho_dot_lvlh_mps, atol=0.01)


def test_ms28_finite_burns_obey_the_rocket_equation(ms28_plan):
    veh = schemes.get_vehicle("soyuz-ms")
    g0 = 9.80665
    m = veh.mass_at_insertion_kg
    for b in ms28_plan.burns:
        prop = m * (1 - math.exp(-b.dv_mps / (veh.main_engine_isp_s * g0)))
        assert b.propellant_kg == pytest.approx(prop, rel=1e-6)
        assert b.duration_s == pytest.approx(prop * veh.main_engine_isp_s * g0 / veh.main_engine_thrust_n, rel=1e-9)
        assert b.mass_after_kg == pytest.approx(m - prop, abs=1e-3)
        m = b.mass_after_kg
    # finite and impulsive plans differ only by gravity losses of burns of one to two minutes
    assert ms28_plan.total_dv_mps == pytest.approx(ms28_plan.impulsive_total_dv_mps, abs=1.0)
    assert max(b.duration_s for b in ms28_plan.burns) < 200.0
    # the orbit after the last burn is near the ISS's (413-422 km in late 2025, domain.md 6)
    last = ms28_plan.burns[-1]
    assert 405e3 < last.perigee_altitude_m < last.apogee_altitude_m < 440e3


def test_ms28_table_and_json(ms28_plan):
    import json

    lines = ms28_plan.table_lines()
    assert lines[0].startswith("scheme two-orbit") and len(lines) == 2 + 4 + 2
    assert lines[2].split()[0] == "DV1" and "contact 2025-11-27T12:" in lines[-1]
    d = json.loads(json.dumps(ms28_plan.to_dict(with_trajectory=True)))
    assert len(d["burns"]) == 4 and len(d["relative_trajectory"]["t_s"]) == len(ms28_plan.relative_trajectory.t_s)


def test_ms28_relative_trajectory(ms28_plan):
    tr = ms28_plan.relative_trajectory
    rng = np.linalg.norm(tr.rho_lvlh_m, axis=1)
    # starts 1,500-1,800 km behind (10-18 deg at 6,800 km) and below, ends at the aim point
    assert 1.4e6 < rng[0] < 1.9e6 and tr.rho_lvlh_m[0, 0] < 0 and tr.rho_lvlh_m[0, 2] > 0
    assert rng[-1] < 2.5e3
    # one segment per coast and per finite burn, increasing within each, a boundary shared by both
    bounds = list(tr.segment_starts) + [len(tr.t_s)]
    assert len(tr.segment_starts) == 2 * len(ms28_plan.burns) + 1
    for a, b in zip(bounds[:-1], bounds[1:]):
        assert np.all(np.diff(tr.t_s[a:b]) > 0)
    for k in tr.segment_starts[1:]:
        assert tr.t_s[k] == tr.t_s[k - 1]
    # the burn segments span the burns: from ignition to cutoff, centred on the burn's epoch
    for i, burn in enumerate(ms28_plan.burns):
        a, b = bounds[2 * i + 1], bounds[2 * i + 2]
        assert tr.t_s[b - 1] - tr.t_s[a] == pytest.approx(burn.duration_s, abs=1e-6)


def test_ms27_contact():
    eph = load_oem(DATA / "iss_oem_fb1131d_ms27_excerpt.txt.gz").ephemeris("GCRF")
    liftoff = "2025-04-08T05:47:15.309"
    # a launch Insertion carries its liftoff time
    p = plan_rendezvous(_insertion(eph, liftoff), station=eph, trajectory_step_s=0)
    assert p.liftoff_utc == "2025-04-08T05:47:15.309Z"
    assert p.scheme == "two-orbit"
    err = float(seconds_between(parse_utc("2025-04-08T08:57:45"), parse_utc(p.nominal_contact_utc)))
    assert abs(err) < 300
    assert p.total_dv_mps == pytest.approx(117.0, rel=0.15)
    assert p.miss_position_m < 10.0 and p.miss_velocity_mps < 0.01


def test_progress_ms31_two_day_contact():
    eph = load_oem(DATA / "iss_oem_8cabb7b_ms31_excerpt.txt.gz").ephemeris("GCRF")
    liftoff = "2025-07-03T19:32:40.257"
    p = plan_rendezvous(_insertion(eph, liftoff).state, liftoff=liftoff, station=eph, vehicle="progress-ms",
                        trajectory_step_s=0)
    assert p.scheme == "two-day"
    err = float(seconds_between(parse_utc("2025-07-05T21:25:00"), parse_utc(p.nominal_contact_utc)))
    assert abs(err) < 900
    # five burns of a two-day profile; MS-01's came to about 116 m/s with its braking (domain.md 2.5)
    assert len(p.burns) == 5 and p.total_dv_mps < 135.0
    assert p.miss_position_m < 10.0 and p.miss_velocity_mps < 0.01
    assert [b.orbit for b in p.burns][:3] == [3, 4, 17]


@pytest.mark.parametrize("offset_s", [-75.0, -40.0, 25.0, 50.0])
def test_targeting_converges_across_the_two_orbit_window(offset_s):
    # liftoff moved around MS-28's: the ISS phase at insertion sweeps the 10-18 deg window
    eph = iss_ephemeris()
    t = add_seconds(parse_utc(MS28_LIFTOFF), offset_s)
    p = plan_rendezvous(_insertion(eph, t).state, liftoff=t, station=eph, trajectory_step_s=0)
    assert p.scheme == "two-orbit"
    assert 10.0 <= p.phase_at_insertion_deg <= 18.0
    assert p.miss_position_m < 10.0 and p.miss_velocity_mps < 0.01
    assert p.total_dv_mps < 135.0


def test_auto_takes_four_orbit_and_a_named_scheme_is_refused():
    eph = iss_ephemeris()
    t = add_seconds(parse_utc(MS28_LIFTOFF), 120.0)     # the ISS is 22 deg ahead at insertion
    ins = _insertion(eph, t).state
    with pytest.raises(schemes.SchemeMismatchError, match="fits this phase is four-orbit"):
        plan_rendezvous(ins, liftoff=t, station=eph, scheme="two-orbit", trajectory_step_s=0)
    p = plan_rendezvous(ins, liftoff=t, station=eph, scheme="auto", trajectory_step_s=0)
    assert p.scheme == "four-orbit"
    assert "outside the two-orbit range 10-18 deg" in p.scheme_reason
    assert p.miss_position_m < 10.0 and p.miss_velocity_mps < 0.01
    # about 6 h to contact (TMA-19M: 6 h 21 min, domain.md 2.4; a check, not an input)
    assert 5.5 * 3600 < p.nominal_contact_met_s < 6.6 * 3600


def test_impulsive_chain_reproduces_orekit_burns(orekit_ms28):
    """The burn chain (propagate, burn, propagate) against Orekit's run of the same four burns (J2..J6)."""
    from gyrfalcon.orbits.propagator import Propagator
    from gyrfalcon.orbits.state import State
    from gyrfalcon.rendezvous import targeting as tg

    meta = orekit_ms28["meta"]
    t0 = parse_utc(meta["epoch_utc"])
    x0 = orekit_ms28["chaser0"]
    ch0 = State(t0, x0[:3], x0[3:], mass_kg=7152.0)
    prop = Propagator("zonal")
    liftoff = parse_utc("2025-11-27T09:27:57.400")
    mets = [34 * 60, 3600 + 5 * 60 + 38, 3600 + 55 * 60 + 49, 2 * 3600 + 39 * 60 + 58]
    s = ch0
    for k, met in zip(orekit_ms28["burns"], mets):
        s = prop.propagate_to(s, add_seconds(liftoff, met))
        before = orekit_ms28["burns"][k]["before"]
        assert np.allclose(s.r_m, before[:3], atol=0.5), k          # the propagator agrees with Orekit
        vhat = s.v_mps / np.linalg.norm(s.v_mps)
        s = tg.apply_impulse(s, tg.inertial_to_rtn(s.r_m, s.v_mps, vhat * orekit_ms28["burns"][k]["dv"]), 302.0)
    last = orekit_ms28["rows"][-1]
    s = prop.propagate_to(s, parse_utc(last[0]))
    assert np.allclose(s.r_m, [float(c) for c in last[1:4]], atol=0.5)
    assert s.mass_kg == pytest.approx(float(last[7]), abs=1e-5)


@pytest.mark.parametrize("catch_up_deg", [205.0, 300.0, 410.0])
def test_two_day_range_costs_stay_near_hohmann(catch_up_deg):
    """Across the two-day window (200-420 deg, launch/data/schemes.toml) the plan stays within 125 m/s
    (Hohmann 221 -> 418 km = 113 m/s + 10 %), with the launch plane of recommended_plane_normal.
    J2 dynamics throughout (the cost is a property of the scheme, not of drag)."""
    from scipy.spatial.transform import Rotation

    from gyrfalcon.orbits.propagator import Propagator
    from gyrfalcon.orbits.state import State

    eph = iss_ephemeris()
    ins = _insertion(eph, MS28_LIFTOFF, bias_for_scheme=False)
    st = eph.at(ins.t)
    h = np.cross(st.r_m, st.v_mps)
    h /= np.linalg.norm(h)
    phase = math.degrees(schemes.phase_angle_rad(st.r_m, st.v_mps, ins.r_gcrf_m))
    # move the spacecraft back along the station's orbit to set the catch-up, then tilt its
    # plane to the recommended one (about the line of nodes of the two planes)
    rot = Rotation.from_rotvec(-h * math.radians(catch_up_deg - phase)).as_matrix()
    r, v = rot @ ins.r_gcrf_m, rot @ ins.v_gcrf_mps
    aim_s = schemes.get_scheme("two-day").aim_slot.after_insertion_s
    n = recommended_plane_normal(st.r_m, st.v_mps, aim_s, math.radians(catch_up_deg))
    hc = np.cross(r, v) / np.linalg.norm(np.cross(r, v))
    axis = np.cross(hc, n)
    tilt = Rotation.from_rotvec(axis / np.linalg.norm(axis) * math.asin(np.linalg.norm(axis))).as_matrix()
    ch0 = State(ins.t, tilt @ r, tilt @ v, mass_kg=7280.0)
    j2 = Propagator("j2")
    p = plan_rendezvous(ch0, station=eph, scheme="two-day", dynamics={"j2": j2, "final": j2},
                        finite=False, trajectory_step_s=0)
    assert p.scheme == "two-day" and p.catch_up_deg == pytest.approx(catch_up_deg, abs=0.01)
    assert p.total_dv_mps < 125.0
    assert p.miss_position_m < 10.0 and p.miss_velocity_mps < 0.01


def test_bad_inputs_are_typed_errors():
    from gyrfalcon.errors import EphemerisRangeError, InputError
    from gyrfalcon.orbits.state import State

    with pytest.raises(InputError, match="must be a gyrfalcon State"):
        plan_rendezvous([1.0, 2.0, 3.0])
    # a date the packaged ISS ephemeris (24 Nov - 9 Dec 2025) does not cover
    s = State(parse_utc("2026-01-10T10:00Z"), [6.6e6, 0, 0], [0, 7770.0, 0])
    with pytest.raises(EphemerisRangeError, match="outside it"):
        plan_rendezvous(s)
    eph = iss_ephemeris()
    ins = _insertion(eph, MS28_LIFTOFF)
    with pytest.raises(InputError, match="unknown vehicle"):
        plan_rendezvous(ins, vehicle="dragon")
    with pytest.raises(schemes.UnknownSchemeError):
        plan_rendezvous(ins, scheme="one-orbit")
