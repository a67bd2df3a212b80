"""Soyuz-2.1a 3-DOF ascent and US76 atmosphere against published figures and physical laws.

References (graded as in shared/reference/domain.md, quoted inline because tests may not
read shared/):
* domain.md 1.2 (ascent timeline of a crewed Soyuz-2.1a): max-Q about T+65 s at about
  11.1 km (C); fairing T+153.3 s at about 79 km and 2.2 km/s (B/C); core separation 287.7 s
  at about 157 km and 3.8 km/s (B/C); third-stage cutoff T+525.9 s (B/C); spacecraft
  separation T+529 s (A/B).
* domain.md 1.3: nominal insertion orbit 200 +- 2 x 242 +- 5 km, i = 51.66 deg (B).
* RussianSpaceWeb, Soyuz first stage page: strap-ons separate at about 118 s, about 48 km,
  about 1.8 km/s (B).
* Arianespace Soyuz CSG User's Manual (via vehicles.toml sources): gross mass of one
  booster 44,413 kg, of the core 99,765 kg.
* U.S. Standard Atmosphere 1976 (NOAA-S/T 76-1562), tabulated values at geometric altitudes.
The published speeds do not say whether they are inertial or Earth-relative; we compare
the inertial speed (the two differ by about 0.3 km/s here).
"""
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest

from gyrfalcon.errors import GyrfalconError, InputError
from gyrfalcon.launch import ascent as A
from gyrfalcon.launch.ascent import AscentResult, fly_ascent
from gyrfalcon.launch.atmosphere import AtmosphereRangeError, us76, us76_point
from gyrfalcon.launch.insertion import inplane_plane_normal
from gyrfalcon.launch.vehicles import UnknownVehicleError, load_spacecraft, load_vehicle
from gyrfalcon.time import parse_utc

LAT = math.radians(45.9961)   # Baikonur 31/6, domain.md 1.4
LON = math.radians(63.5639)
ALT = 104.0
LIFTOFF = "2025-11-27T09:27:57.4Z"   # Soyuz MS-28, domain.md 1.1
TOML = Path(__file__).resolve().parents[2] / "src" / "gyrfalcon" / "launch" / "data" / "vehicles.toml"


@pytest.fixture(scope="module")
def nominal() -> AscentResult:
    t0 = parse_utc(LIFTOFF)
    n = inplane_plane_normal(LAT, LON, ALT, t0, math.radians(51.66))
    return fly_ascent(t0, pad_lat_rad=LAT, pad_lon_rad=LON, pad_alt_m=ALT, plane_normal_gcrf=n)


# --- insertion against domain.md 1.2-1.3 -------------------------------------------------
def test_insertion_orbit_is_200_by_242_km_at_51_66_deg(nominal):
    el = nominal.elements
    assert el.perigee_altitude_m / 1e3 == pytest.approx(200.0, abs=2.0)
    assert el.apogee_altitude_m / 1e3 == pytest.approx(242.0, abs=5.0)
    assert math.degrees(el.i_rad) == pytest.approx(51.66, abs=0.02)


def test_insertion_orbit_from_state_by_vis_viva(nominal):
    # independent of the elements code: vis-viva and angular momentum from the GCRF state
    mu = 3.986004418e14
    r, v = nominal.insertion.r_m, nominal.insertion.v_mps
    rn, vn = np.linalg.norm(r), np.linalg.norm(v)
    a = 1.0 / (2.0 / rn - vn * vn / mu)
    h = np.linalg.norm(np.cross(r, v))
    e = math.sqrt(max(0.0, 1.0 - h * h / (mu * a)))
    assert (a * (1 - e) - 6378137.0) / 1e3 == pytest.approx(200.0, abs=2.0)
    assert (a * (1 + e) - 6378137.0) / 1e3 == pytest.approx(242.0, abs=5.0)
    # insertion near perigee: flight-path angle within 0.05 deg of zero
    assert math.degrees(math.asin(float(r @ v) / (rn * vn))) == pytest.approx(0.0, abs=0.05)


def test_insertion_at_t_plus_529_s(nominal):
    assert nominal.insertion_met_s == pytest.approx(529.0, abs=5.0)
    assert nominal.cutoff_met_s == pytest.approx(525.9, abs=5.0)
    sep = nominal.event("spacecraft-separation")
    assert sep.met_s == nominal.insertion_met_s
    assert sep.utc.startswith("2025-11-27T09:36:")   # 09:27:57.4 + 8 min 49 s +- 5 s


def test_insertion_state_is_in_the_target_plane_and_carries_the_spacecraft_mass(nominal):
    n = nominal.plane_normal_gcrf
    r, v = nominal.insertion.r_m, nominal.insertion.v_mps
    assert abs(float(r @ n)) / np.linalg.norm(r) < 1e-5
    assert abs(float(v @ n)) / np.linalg.norm(v) < 1e-5
    assert nominal.insertion.frame == "GCRF"
    assert nominal.insertion.mass_kg == pytest.approx(7152.0)   # Soyuz MS-28, domain.md 1.1


# --- timeline against domain.md 1.2 and RSW -----------------------------------------------
def test_max_q_near_65_s_and_11_km(nominal):
    q = nominal.event("max-q")
    assert q.met_s == pytest.approx(65.0, abs=15.0)
    assert q.altitude_m / 1e3 == pytest.approx(11.1, abs=3.0)
    assert q.dynamic_pressure_pa == pytest.approx(nominal.trajectory.dynamic_pressure_pa.max(), rel=0.01)


def test_strapon_separation_near_48_km_and_1_8_km_s(nominal):
    ev = nominal.event("strapons-separation")
    assert ev.met_s == pytest.approx(118.0, abs=1.0)
    assert ev.altitude_m / 1e3 == pytest.approx(48.0, abs=10.0)
    assert ev.inertial_speed_mps / 1e3 == pytest.approx(1.8, abs=0.3)


def test_fairing_jettison_near_79_km_and_2_2_km_s(nominal):
    ev = nominal.event("fairing-jettison")
    assert ev.altitude_m / 1e3 == pytest.approx(79.0, abs=10.0)
    assert ev.inertial_speed_mps / 1e3 == pytest.approx(2.2, abs=0.3)


def test_core_separation_near_157_km_and_3_8_km_s(nominal):
    ev = nominal.event("core-separation")
    assert ev.met_s == pytest.approx(288.0, abs=1.0)
    assert ev.altitude_m / 1e3 == pytest.approx(157.0, abs=15.0)
    assert ev.inertial_speed_mps / 1e3 == pytest.approx(3.8, abs=0.3)
    # core burn: published cutoff 286.7 s (RSW), about 286 s (parsec.ro)
    assert nominal.event("core-cutoff").met_s == pytest.approx(286.7, abs=2.0)


def test_timeline_is_ordered_and_complete(nominal):
    names = [e.name for e in nominal.timeline]
    for name in ("liftoff", "max-q", "les-jettison", "strapons-separation", "fairing-jettison",
                 "core-separation", "third-stage-ignition", "aft-skirt-jettison", "third-stage-cutoff",
                 "spacecraft-separation"):
        assert name in names
    mets = [e.met_s for e in nominal.timeline]
    assert mets == sorted(mets)
    # the vehicle climbs and speeds up through the powered events
    alts = [nominal.event(n).altitude_m for n in ("max-q", "strapons-separation", "fairing-jettison",
                                                   "core-separation", "third-stage-cutoff")]
    assert alts == sorted(alts)


def test_ground_track_heads_northeast_into_kazakhstan_and_russia(nominal):
    tr = nominal.trajectory
    # launches go northeast (domain.md 1.5): latitude and longitude both grow
    assert tr.lat_rad[-1] > LAT and tr.lon_rad[-1] > LON
    assert tr.downrange_m[-1] / 1e3 == pytest.approx(1650.0, rel=0.15)
    # samples every second
    assert np.all(np.diff(tr.met_s) <= 1.0 + 1e-9)


# --- mass and propellant bookkeeping --------------------------------------------------------
def _v(x):
    return x["value"]


def test_liftoff_mass_is_the_sum_of_the_parts_and_matches_published_gross_masses(nominal):
    cat = tomllib.loads(TOML.read_text())
    veh = cat["vehicle"]["soyuz-2.1a"]
    total = 0.0
    for st in veh["stage"]:
        unit = _v(st["dry_mass_kg"]) + _v(st["propellant_kg"]) + _v(st["h2o2_kg"]) + _v(st["other_kg"])
        total += st["count"] * unit
        if st["id"] == "strapons":
            assert unit == pytest.approx(44413.0, rel=0.001)   # Arianespace gross mass of a booster
        if st["id"] == "core":
            assert unit == pytest.approx(99765.0, rel=0.001)   # Arianespace gross mass of the core
    total += sum(_v(j["mass_kg"]) for j in veh["jettison"] if "part_of_stage" not in j)
    total += _v(cat["spacecraft"]["soyuz-ms"]["launch_mass_kg"])
    assert nominal.liftoff_mass_kg == pytest.approx(total, abs=1e-6)
    assert nominal.event("liftoff").mass_kg == pytest.approx(total, abs=1e-6)


def test_mass_never_grows_and_ends_with_the_spacecraft(nominal):
    m = nominal.trajectory.mass_kg
    assert np.all(np.diff(m) <= 1e-6)
    assert nominal.insertion.mass_kg == pytest.approx(7152.0)
    assert m[-1] == pytest.approx(nominal.event("third-stage-cutoff").mass_kg)   # coast: no mass change
    # just before separation: spacecraft + Blok I dry (without the aft skirt) + gases + unburnt propellant
    blok = load_vehicle().stage("blok-i")
    skirt = load_vehicle().jettison("aft-skirt").mass_kg
    cutoff = nominal.event("third-stage-cutoff")
    expected = 7152.0 + blok.dry_mass_kg - skirt + blok.other_kg + nominal.propellant_left_kg["blok-i"]
    assert cutoff.mass_kg == pytest.approx(expected, abs=0.5)


def test_no_stage_burns_more_propellant_than_it_carries(nominal):
    for stage, left in nominal.propellant_left_kg.items():
        assert left >= -1e-6, stage
    # the third stage keeps a small reserve at the energy cutoff (under 2 t of its 22.9 t)
    assert 0.0 <= nominal.propellant_left_kg["blok-i"] < 2000.0


def test_sensed_acceleration_stays_under_4_5_g(nominal):
    # crewed Soyuz ascents peak at about 4 g before the strap-ons throttle down (T+112 s)
    acc = nominal.trajectory.accel_g
    assert 3.0 < acc.max() < 4.5
    assert nominal.trajectory.met_s[int(np.argmax(acc))] == pytest.approx(112.0, abs=6.0)


# --- numerics ----------------------------------------------------------------------------
def test_free_flight_conserves_energy_with_j2():
    # no thrust, no drag: E = v^2/2 + U_J2 is conserved (axis = GCRF z in this test context)
    from scipy.integrate import solve_ivp

    ctx = A._Context(k=(0.0, 0.0, 1.0), w=(0.0, 0.0, 7.292115e-5), mach=(0.0, 1.0), cd=(0.2, 0.2))
    seg = A._Segment(0.0, 6000.0, 7000.0, 0.0, 0.0, 0.0, 0.0, "coast")
    rhs = A._make_rhs(ctx, seg)
    y0 = np.array([6778e3, 0.0, 0.0, 0.0, 4800.0, 6000.0])
    sol = solve_ivp(rhs, (0.0, 6000.0), y0, method="DOP853", rtol=1e-12, atol=1e-9)

    def energy(y):
        return 0.5 * float(y[3:] @ y[3:]) + A.potential_energy_j2(y[:3])

    e0 = energy(y0)
    drift = max(abs(energy(y) - e0) for y in sol.y.T)
    assert drift / abs(e0) < 1e-10
    # J2 really is on: the orbit's z-angular momentum is conserved, the total is not
    hz = [float(np.cross(y[:3], y[3:])[2]) for y in sol.y.T]
    hn = [float(np.linalg.norm(np.cross(y[:3], y[3:]))) for y in sol.y.T]
    assert max(abs(h - hz[0]) for h in hz) / hz[0] < 1e-10
    assert max(abs(h - hn[0]) for h in hn) / hn[0] > 1e-6


def test_integration_tolerance_is_converged():
    t0 = parse_utc(LIFTOFF)
    n = inplane_plane_normal(LAT, LON, ALT, t0, math.radians(51.66))
    fl = A._Flight(load_vehicle(), 7152.0, t0, LAT, LON, ALT, n, 200e3, 242e3)
    x, *_ = A._solve(fl, A._initial_guess(fl))
    ref = fl.fly(x)
    fl.rtol, fl.atol = 1e-12, 1e-7
    tight = fl.fly(x)
    assert np.linalg.norm(ref["y_sep"][:3] - tight["y_sep"][:3]) < 10.0
    assert abs(ref["cutoff"] - tight["cutoff"]) < 0.01


def test_guidance_converges_quickly(nominal):
    g = nominal.guidance
    assert abs(g.radius_error_m) < 20.0
    assert abs(g.flight_path_angle_rad) < 1e-4
    assert g.plane_error_rad < 1e-5
    assert g.trajectories <= 40
    # a few-degree kick toward the north-east, pitching down through the upper stages
    assert 0.5 < math.degrees(g.kick_rad) < 6.0
    assert 45.0 < math.degrees(g.azimuth_rad) < 75.0
    assert g.pitch_rate_per_s < 0.0


def test_progress_insertion_orbit_193_by_245_km_by_inclination_and_raan():
    # Progress MS generic insertion 193 x 245 km (domain.md 1.3, C); plane given by i and RAAN
    from gyrfalcon.frames import gcrf_to_teme

    t0 = parse_utc("2025-07-03T19:32:00Z")
    n = inplane_plane_normal(LAT, LON, ALT, t0, math.radians(51.66))
    nt = gcrf_to_teme(t0, n)
    raan = math.atan2(nt[0], -nt[1])
    res = fly_ascent(t0, pad_lat_rad=LAT, pad_lon_rad=LON, pad_alt_m=ALT, inclination_rad=math.radians(51.66),
                     raan_rad=raan, perigee_alt_m=193e3, apogee_alt_m=245e3, payload_kg=7280.0)
    assert res.elements.perigee_altitude_m / 1e3 == pytest.approx(193.0, abs=0.5)
    assert res.elements.apogee_altitude_m / 1e3 == pytest.approx(245.0, abs=0.5)
    assert math.degrees(res.elements.raan_rad) == pytest.approx(math.degrees(raan) % 360.0, abs=0.01)
    assert res.insertion_met_s == pytest.approx(529.0, abs=10.0)


# --- bad input ---------------------------------------------------------------------------
def test_bad_targets_raise_typed_errors_that_say_what_works():
    t0 = parse_utc(LIFTOFF)
    n = inplane_plane_normal(LAT, LON, ALT, t0, math.radians(51.66))
    kw = dict(pad_lat_rad=LAT, pad_lon_rad=LON, pad_alt_m=ALT)
    with pytest.raises(InputError, match="200 km x 242 km"):
        fly_ascent(t0, plane_normal_gcrf=n, perigee_alt_m=250e3, apogee_alt_m=200e3, **kw)
    with pytest.raises(InputError, match="unit vector"):
        fly_ascent(t0, plane_normal_gcrf=2.0 * n, **kw)
    with pytest.raises(InputError, match="plane_normal_gcrf"):
        fly_ascent(t0, **kw)
    from gyrfalcon.time import add_seconds
    with pytest.raises(InputError, match="in-plane time"):
        # the same plane an hour later: the pad is about 4 deg out of it
        fly_ascent(add_seconds(t0, 3600.0), plane_normal_gcrf=n, **kw)
    with pytest.raises(GyrfalconError, match="in-plane time"):
        # 30 minutes late: 2.2 deg out of plane, more yaw than the third stage's reserve can pay
        fly_ascent(add_seconds(t0, 1800.0), plane_normal_gcrf=n, **kw)
    with pytest.raises(UnknownVehicleError, match="soyuz-2.1a"):
        fly_ascent(t0, plane_normal_gcrf=n, vehicle="soyuz-u", **kw)   # not in the catalogue (soyuz-fg is, since issue 14)
    with pytest.raises(GyrfalconError):
        load_spacecraft("dragon")


# --- vehicle catalogue ---------------------------------------------------------------------
def test_every_figure_in_the_catalogue_has_a_declared_source_and_a_grade():
    cat = tomllib.loads(TOML.read_text())
    sources = set(cat["sources"])
    count = 0

    def walk(node, where):
        nonlocal count
        if isinstance(node, dict):
            if "value" in node:
                count += 1
                assert node["source"].split()[0] in sources, where
                assert node["grade"] in ("A", "B", "C", "D", "?"), where
                if node["grade"] == "?":
                    assert node.get("note"), f"{where}: an estimate must say how it was chosen"
                return
            for k, v in node.items():
                walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]")

    walk(cat["vehicle"], "vehicle")
    walk(cat["spacecraft"], "spacecraft")
    assert count > 60


def test_engine_figures_are_consistent_with_the_published_burn_times():
    veh = load_vehicle()
    strap, core, blok = veh.stage("strapons"), veh.stage("core"), veh.stage("blok-i")
    # a booster at its published thrust and Isp empties its 39.16 t in about 118-120 s
    assert strap.propellant_kg / strap.mass_flow_kgps == pytest.approx(118.0, abs=4.0)
    # the core's 90.1 t lasts about the published 286 s
    assert core.propellant_kg / core.mass_flow_kgps == pytest.approx(286.0, abs=3.0)
    # RD-0110: 30.38 tf vacuum (KBKhA); a ~240 s burn needs 22-23 t
    assert blok.thrust_vac_n == pytest.approx(30.38 * 9.80665 * 1000.0, rel=1e-4)
    assert 238.0 * blok.mass_flow_kgps < blok.propellant_kg


def test_spacecraft_propulsion_catalogue():
    ms = load_spacecraft("soyuz-ms")
    assert ms.main_thrust_n == pytest.approx(2950.0, rel=0.05)
    assert ms.main_isp_s == pytest.approx(302.0, abs=5.0)
    assert load_spacecraft("progress-ms").main_engine.startswith("SKD")


# --- US Standard Atmosphere 1976 --------------------------------------------------------------
@pytest.mark.parametrize("h_m, t_k, p_pa, rho", [
    (0.0, 288.15, 101325.0, 1.2250),
    (11000.0, 216.77, 22700.0, 0.36480),
    (20000.0, 216.65, 5529.3, 8.8910e-2),
    (30000.0, 226.51, 1197.0, 1.8410e-2),
    (50000.0, 270.65, 79.779, 1.0269e-3),
    (80000.0, 198.64, 1.0524, 1.8458e-5),
])
def test_us76_lower_atmosphere_matches_the_published_table(h_m, t_k, p_pa, rho):
    t, p, d, _ = us76_point(h_m)
    assert t == pytest.approx(t_k, abs=0.01)
    assert p == pytest.approx(p_pa, rel=5e-4)
    assert d == pytest.approx(rho, rel=5e-4)


@pytest.mark.parametrize("h_km, rho", [(220.0, 1.367e-10), (360.0, 5.805e-12), (580.0, 1.546e-13)])
def test_us76_upper_atmosphere_between_table_nodes(h_km, rho):
    # US76 values at altitudes that are not nodes of our table: log-linear interpolation within 6 %
    assert us76_point(h_km * 1e3)[2] == pytest.approx(rho, rel=0.06)


def test_us76_is_continuous_at_86_km_and_monotonic():
    below, above = us76_point(85999.999), us76_point(86000.0)
    assert below[1] == pytest.approx(above[1], rel=1e-3)
    assert below[2] == pytest.approx(above[2], rel=1e-3)
    h = np.linspace(0.0, 1200e3, 2401)
    s = us76(h)
    assert np.all(np.diff(s.density_kg_m3) < 0) and np.all(np.diff(s.pressure_pa) < 0)
    assert float(us76(0.0).speed_of_sound_mps) == pytest.approx(340.294, abs=0.01)


def test_us76_refuses_altitudes_below_minus_5_km():
    with pytest.raises(AtmosphereRangeError, match="above -5 km"):
        us76_point(-5001.0)
    with pytest.raises(AtmosphereRangeError):
        us76_point(float("nan"))
