"""The flight-level API (gyrfalcon.api): the README's example, inputs of every kind, typed errors,
presentations that match the numbers, and agreement with the real Soyuz MS-28 flight.

References: Soyuz MS-28 liftoff 2025-11-27 09:27:57.4 UTC (Roscosmos, domain.md); NASA's ISS
ephemeris of 2025-11-24 (packaged) against a public TLE of the same day (their positions agree
to 0.22 km at the TLE epoch, shared/reference/iss_tles.csv).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gyrfalcon as gf
from gyrfalcon.time import parse_utc, seconds_between

ROOT = Path(__file__).resolve().parents[1]
TLE_2025_11_24 = ("1 25544U 98067A   25328.54472231  .00014120  00000-0  26353-3 0  9998",
                  "2 25544  51.6316 232.5414 0003895 163.7073 196.4042 15.49046550540034")
TLE_2025_11_24_EARLY = ("1 25544U 98067A   25328.22215535  .00013951  00000-0  26056-3 0  9996",
                        "2 25544  51.6316 234.1374 0003908 162.5046 197.6078 15.49037704539984")
MS28_LIFTOFF = "2025-11-27T09:27:57.4Z"


def _s(a, b) -> float:
    return float(seconds_between(parse_utc(a), parse_utc(b)))


@pytest.fixture(scope="module")
def tle():
    return gf.tle_from_lines(*TLE_2025_11_24)


@pytest.fixture(scope="module")
def window(tle):
    return gf.next_window(tle, "baikonur-31", after="2025-11-26", scheme="two-orbit")


@pytest.fixture(scope="module")
def plan(tle, window):
    return gf.plan_rendezvous(tle, window)


def test_readme_python_example_runs_as_written_in_at_most_six_lines():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.+?)\n```", text, flags=re.M | re.S)
    assert blocks, "the README has no python example"
    task = blocks[0]
    assert task.splitlines()[0] == "import gyrfalcon as gf"
    assert len(task.splitlines()) <= 6          # "ISS from a TLE -> next Baikonur window -> plan -> burns"
    for block in blocks:
        out = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines() if len(blocks) == 1 else subprocess.run(
        [sys.executable, "-c", task], capture_output=True, text=True, cwd=ROOT, timeout=300).stdout.splitlines()
    burns = [ln.split() for ln in lines if re.match(r"^(DV\d|braking)\s", ln)]
    assert [b[0] for b in burns] == ["DV1", "DV2", "DV3", "braking"]
    total = float(re.search(r"total ([0-9.]+) m/s", out.stdout).group(1))
    assert sum(float(b[7]) for b in burns) == pytest.approx(total, abs=0.03)   # the |dv| column adds up


def test_window_from_a_tle_predicts_the_real_ms28_liftoff(window):
    assert window.feasible and window.scheme == "two-orbit" and window.pad_id == "baikonur-31"
    assert abs(_s(MS28_LIFTOFF, window.launch_utc)) < 6.0
    assert "LaunchWindow(two-orbit from baikonur-31: liftoff 2025-11-27T09:2" in repr(window)


def test_plan_from_a_tle_agrees_with_the_plan_from_nasas_ephemeris(plan, window):
    """The same liftoff planned against NASA's ephemeris instead of the TLE: two independent
    sources of the station's orbit (0.22 km apart at the TLE epoch) give the same flight."""
    nasa = gf.plan_rendezvous(None, window.launch_utc, pad="baikonur-31", scheme="two-orbit", trajectory_step_s=0)
    assert isinstance(plan, gf.api.RendezvousPlan) and isinstance(plan, type(nasa).__mro__[1])
    assert [b.name for b in plan.burns] == [b.name for b in nasa.burns] == ["DV1", "DV2", "DV3", "braking"]
    assert plan.total_dv_mps == pytest.approx(nasa.total_dv_mps, abs=2.0)
    for a, b in zip(plan.burns, nasa.burns):
        assert abs(_s(a.utc, b.utc)) < 30.0
    assert 100.0 < plan.total_dv_mps < 130.0          # flown: about 117 m/s (domain.md)


def test_plan_table_and_plot_present_the_plan(plan):
    table = plan.table()
    assert f"total {plan.total_dv_mps:.2f} m/s" in table
    for b in plan.burns:
        assert f"{b.dv_mps:.2f}" in table and b.name in table
    fig = plan.plot()
    ax = fig.axes[0]
    x_km = ax.lines[0].get_xdata()
    assert len(x_km) == len(plan.relative_trajectory.t_s)
    assert np.allclose(x_km, plan.relative_trajectory.rho_lvlh_m[:, 0] / 1e3)
    assert "km" in ax.get_xlabel()


def test_windows_table_lists_every_window_and_only_one_is_feasible_around_ms28(tle):
    wins = gf.find_windows(tle, "baikonur-31", start="2025-11-26", days=3, scheme="two-orbit")
    assert isinstance(wins, gf.api.LaunchWindows) and len(wins) == 3
    assert [w.launch_utc.utc_strftime("%d") for w in wins.feasible] == ["27"]
    lines = wins.table().splitlines()
    assert len(lines) == 2 + len(wins)
    assert "pad baikonur-31 is damaged" in lines[-1]       # 28 Nov: the pad MS-28 wrecked
    assert len(wins.plot().axes[0].collections) == 2


def test_one_element_set_object_gets_the_checks_a_file_gets():
    """Before: a single TLE object was sampled with SGP4 directly, without the loader's checks: a
    set of 2020 served a 2025 launch without a word, where the same set in a file is refused."""
    from gyrfalcon.errors import InputError

    old = gf.tle_from_lines("1 25544U 98067A   20200.20503472  .00000290  00000-0  13213-4 0  9992",
                            "2 25544  51.6421 194.9479 0001278 129.0349  50.4204 15.49516142236824")
    for call in (lambda: gf.station_ephemeris(old, around="2025-11-27"),
                 lambda: gf.next_window(old, "baikonur-31", after="2025-11-27", scheme="two-orbit")):
        with pytest.raises(InputError, match="days earlier"):
            call()
    # 4.9 days old at the time it serves: used, with the staleness warning the command line prints
    with pytest.warns(gf.StationDataWarning, match="days older than"):
        gf.station_ephemeris(gf.tle_from_lines(*TLE_2025_11_24), around="2025-11-29T12:00:00Z")


def test_station_inputs_of_every_kind_give_the_same_station(tmp_path, tle):
    t = parse_utc("2025-11-27T10:00:00Z")
    ref = gf.sgp4_ephemeris(tle).at(t).r_m
    path = tmp_path / "iss.tle"
    path.write_text("\n".join(TLE_2025_11_24_EARLY + TLE_2025_11_24) + "\n")
    # a file, a list of sets and one set go through the one station loader (orbit determination on
    # the sets dated before t): the same orbit, a few km from the latest set's own SGP4 after 3 days
    from_file = gf.station_ephemeris(path, around=t)
    from_list = gf.station_ephemeris([gf.tle_from_lines(*TLE_2025_11_24_EARLY), tle], around=t)
    one = tmp_path / "one.tle"
    one.write_text("\n".join(TLE_2025_11_24) + "\n")
    for other in (from_list, gf.station_ephemeris(tle, around=t), gf.station_ephemeris(one, around=t)):
        assert np.linalg.norm(other.at(t).r_m - from_file.at(t).r_m) < 1e-3
    assert 10.0 < np.linalg.norm(from_file.at(t).r_m - ref) < 20e3
    nasa = gf.station_ephemeris(None)
    from gyrfalcon.orbits.iss import iss_default_path

    oem = gf.load_oem(iss_default_path())
    assert np.linalg.norm(gf.station_ephemeris(oem).at(t).r_m - nasa.at(t).r_m) < 1e-3
    eme = oem.ephemeris("EME2000")
    assert np.linalg.norm(gf.station_ephemeris(eme).at(t).r_m - nasa.at(t).r_m) < 1e-3   # rotated to GCRF
    assert np.linalg.norm(eme.at(t).r_m - nasa.at(t).r_m) > 0.3    # the frame bias (~1e-7 rad: 0.7 m here)
    # NASA's prediction and the TLE of the same day: a few km apart three days later (domain.md: 10-20 km)
    assert 0.05e3 < np.linalg.norm(nasa.at(t).r_m - ref) < 30e3


def test_wrong_inputs_say_what_to_pass(window):
    with pytest.raises(gf.GyrfalconError, match="cannot use a int as the station; pass None"):
        gf.plan_rendezvous(42, window)
    with pytest.raises(gf.GyrfalconError, match="launch is required; pass a LaunchWindow"):
        gf.plan_rendezvous(None)
    with pytest.raises(gf.GyrfalconError, match="fly_approach needs a RendezvousPlan"):
        gf.fly_approach("rassvet-nadir")
    with pytest.raises(gf.GyrfalconError, match="unknown scheme 'three-orbit'"):
        gf.next_window(None, "baikonur-31", scheme="three-orbit")
    with pytest.raises(gf.GyrfalconError, match="no station file"):
        gf.find_windows("no-such-file.oem")
    with pytest.raises(gf.GyrfalconError, match="cannot read fault 'x'"):
        gf.fly_approach(None, faults="x")
    with pytest.raises(gf.GyrfalconError, match="outside it"):
        gf.plan_rendezvous(None, "2026-01-10T09:00:00Z")
    with pytest.raises(gf.GyrfalconError, match="docking.port: unknown port 'cupola'"):
        gf.load_scenario(docking={"port": "cupola"})


def test_approach_from_the_plan_captures_near_the_real_contact(plan, tle):
    res = gf.fly_approach(plan, tle)
    assert res.verdict == "captured" and res.start_utc == plan.arrival_utc
    assert abs(_s("2025-11-27T12:34:35Z", res.contact_utc)) < 6 * 60      # real MS-28 contact
    table = res.table()
    assert all(p.name in table for p in res.phases) and res.contact_utc in table
    assert res.plot().axes


def test_load_scenario_applies_changes_and_round_trips(tmp_path):
    sc = gf.load_scenario(name="ms-28-prichal", seed=3, docking={"port": "prichal-nadir"},
                          faults={"kurs_dropout": [{"start_s": 600, "duration_s": 30}]})
    assert (sc.name, sc.seed, sc.docking.port) == ("ms-28-prichal", 3, "prichal-nadir")
    assert sc.faults.kurs_dropout[0].duration_s == 30
    assert sc.launch.pad == "baikonur-31"                       # the rest is MS-28's
    path = tmp_path / "s.toml"
    path.write_text(gf.api.scenario_text(sc))
    assert gf.load_scenario(path) == sc
    assert gf.load_scenario(path.read_text()) == sc


def test_pad_outage_reports_progress_ms33_slip():
    res = gf.pad_outage("baikonur-31", start="2025-11-27", end="2026-03-03")
    slip = res.slip_of("Progress MS-33")
    # back 3 Mar 2026 + 16 d turnaround = 19 Mar; planned 21 Dec 2025: 88 days
    assert _s(slip.planned_utc, slip.replanned_utc) / 86400.0 == pytest.approx(slip.slip_days, abs=0.01)
    assert slip.replanned_utc.startswith("2026-03-19")
    assert "Progress MS-33" in res.table() and "88.0" in res.table()
    assert "1 launches slip" in repr(res)


def test_top_level_is_lazy_and_lists_the_verbs():
    out = subprocess.run([sys.executable, "-c", "import sys, gyrfalcon; print('gyrfalcon.api' in sys.modules, "
                          "'plan_rendezvous' in dir(gyrfalcon))"], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_the_low_level_planner_says_what_to_pass_for_a_tle(tle):
    from gyrfalcon.rendezvous.plan import plan_rendezvous

    ins = gf.api.insertion_into_station_plane(gf.station_ephemeris(None), "baikonur-31", MS28_LIFTOFF, "two-orbit")
    with pytest.raises(gf.GyrfalconError, match="station must be an Ephemeris .*got a TLE.*station_ephemeris"):
        plan_rendezvous(ins, station=tle)


def test_run_mission_carries_time_objects_and_presents_its_phases(tmp_path):
    import json

    from gyrfalcon.time import iso_utc

    m = gf.run_mission(with_return=False)
    assert isinstance(m, gf.api.MissionResult) and isinstance(m.rendezvous, gf.api.RendezvousPlan)
    assert iso_utc(m.times.liftoff, 1) == m.launch_utc and iso_utc(m.times.contact, 1) == m.contact_utc
    assert m.times.landing is None and m.landing_utc is None
    for e in m.events:                                     # each event's Time is its text and its MET
        assert iso_utc(e.t, 1) == e.utc
        assert float(seconds_between(m.times.liftoff, e.t)) == pytest.approx(e.met_s, abs=0.051)
    assert abs(_s("2025-11-27T12:34:35Z", m.contact_utc)) < 6 * 60        # the real MS-28 contact
    assert len(m.table().splitlines()) == len(m.events) + 2
    assert m.rendezvous.table().count("\n") >= 4 and "soyuz-ms-28" in repr(m)
    assert m.plot("lvlh").axes
    written = m.save(tmp_path / "out")
    assert written["timeline"] == "timeline.json"
    assert json.loads((tmp_path / "out" / "timeline.json").read_text())["contact_utc"] == m.contact_utc
    assert gf.load_scenario(tmp_path / "out" / "scenario.toml") == m.scenario     # the scenario as flown


def test_bad_arguments_get_one_line_input_errors_not_python_ones():
    """Found by an audit: each reached numpy, skyfield or an attribute lookup as a bare error."""
    import datetime as dt

    from gyrfalcon.errors import InputError

    iss = gf.tle_from_lines(*TLE_2025_11_24)
    calls = {
        "step_s": lambda: gf.sgp4_ephemeris(iss, step_s=0),
        "pad must be": lambda: gf.find_windows(None, 31),
        "trajectory_step_s": lambda: gf.plan_rendezvous(None, MS28_LIFTOFF, trajectory_step_s=float("nan")),
        "a fault is": lambda: gf.fly_approach(faults=5),
        "must be numbers": lambda: gf.api.parse_fault("kurs-dropout@1.2.3"),
        "turnaround_days": lambda: gf.pad_outage(turnaround_days=float("nan")),
        "runs must be an integer": lambda: gf.monte_carlo(runs=2.5),
        "days must be a number of days": lambda: gf.next_window(None, days=-2),
        "days from 0.001 to 366": lambda: gf.next_window(None, days=1000),
        "more than 10,000,000": lambda: gf.sgp4_ephemeris(iss, step_s=1e-3),
        "is outside the ephemeris": lambda: gf.station_ephemeris().slice("2030-11-28", "2030-11-29"),
        "ends before it starts": lambda: gf.station_ephemeris().slice("2025-11-28", "2025-11-27"),
        "altitudes are in metres": lambda: gf.KeplerianElements.from_altitudes(200, 242, 0.9),
        "is a folder": lambda: gf.load_oem(ROOT),
        "year must be a number": lambda: gf.utc(None),
        "hour must be a number": lambda: gf.utc(2025, 1, 1, float("nan")),
        "places must be a whole number": lambda: gf.iso_utc("2025-01-01", -1),
        "give the path of a TLE file, not None": lambda: gf.load_tles(None),
        "OMM file": lambda: gf.load_omm(ROOT / "no-such.json"),
        "seed must be": lambda: gf.fly_approach(seed=-1),
        "seed must be ": lambda: gf.run_mission(seed="a"),
        "no time zone": lambda: gf.pad_outage(start=dt.datetime(2025, 11, 27)),
        "cannot read 'None'": lambda: gf.iso_utc(None),
        "takes one instant": lambda: gf.station_ephemeris().at(gf.utc(2025, 11, 27, 9, [0, 1, 2])),
    }
    for words, call in calls.items():
        with pytest.raises(InputError, match=words.strip()) as exc:
            call()
        assert "\n" not in str(exc.value), words
    assert gf.iso_utc(gf.utc(dt.datetime(2025, 11, 27, 9, tzinfo=dt.timezone.utc))) == "2025-11-27T09:00:00.000Z"


def test_the_api_module_is_an_attribute_right_after_import():
    out = subprocess.run([sys.executable, "-c", "import gyrfalcon as gf; print(callable(gf.api.scenario_text))"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout.strip() == "True", out.stderr[-2000:]


def test_every_result_has_a_table_and_a_plot(window):
    """README: 'each result has a .table() and a .plot()'; a window and a day's landing passes had
    no plot. The landing passes of 9 Dec 2025 (packaged NASA ephemeris): one reachable, at 04 UTC."""
    fig = window.plot()
    assert fig.axes[0].collections and "phase" in fig.axes[0].get_ylabel()
    day = gf.landing_opportunities(None, "2025-12-09")
    assert [o.pass_utc[:13] for o in day.reachable] == ["2025-12-09T04"] and "reachable" in day.table()
    ax = day.plot().axes[0]
    plotted = sum(len(c.get_offsets()) for c in ax.collections)
    assert plotted == len(day.opportunities) and "km" in ax.get_ylabel()


def test_load_scenario_drops_the_real_flight_of_another_vehicle():
    """Found by an audit: a Progress MS-99 made from the packaged Soyuz MS-28 scenario kept MS-28's
    [real] table, and its report compared it with MS-28's real liftoff, contact and landing."""
    ms28 = gf.load_scenario()
    assert ms28.real is not None
    other = gf.load_scenario(vehicle={"spacecraft": "progress-ms", "name": "Progress MS-99"},
                             crew={"names": [], "callsign": ""}, return_={"enabled": False})
    assert other.real is None
    assert gf.load_scenario(ms28, vehicle={"name": "Soyuz MS-99"}).real is None
    # the same vehicle flown later is still compared with its real flight
    assert gf.load_scenario(name="ms-28-late", launch={"first_feasible_after": "2025-11-28"}).real == ms28.real


def test_library_refusals_found_by_the_bad_input_audit(tmp_path):
    """Each was a raw TypeError/ValueError/OverflowError/MemoryError, a silent truthy "no", or minutes
    of allocation; now one GyrfalconError line before any heavy work."""
    import datetime as dt

    cases = [
        (lambda: gf.monte_carlo(runs=10**12), "needs about"),
        (lambda: gf.monte_carlo(runs=1, workers=10**6), "at most 1024"),
        (lambda: gf.monte_carlo(runs=1, seed="x"), "seed must be an integer"),
        (lambda: gf.monte_carlo(runs=1, seed=2**70), "seed must be an integer from 0 to"),
        (lambda: gf.monte_carlo(runs=1, dispersions=5), "dispersions must be a path"),
        (lambda: gf.monte_carlo(runs=1, progress=5), "progress must be a function"),
        (lambda: gf.run_mission(progress=5), "progress must be a function"),
        (lambda: gf.run_mission(with_return="no"), "with_return must be True or False"),
        (lambda: gf.plan_rendezvous(None, MS28_LIFTOFF, what_if="no"), "what_if must be True or False"),
        (lambda: gf.plan_rendezvous(None, MS28_LIFTOFF, trajectory_step_s=1e-6), "1 to 600 s"),
        (lambda: gf.find_windows(days=None), "days must be a number of days"),
        (lambda: gf.plan_return(undock="2025-12-09T01:41Z", target_lat_deg=47.4, target_lon_deg=69.6,
                                target_alt_m="x"), "ground altitude 'x': give a number"),
    ]
    bad = tmp_path / "latin1.toml"
    bad.write_bytes("name = 'é'\n".encode("latin-1"))
    cases.append((lambda: gf.monte_carlo(str(bad), runs=1), "is not UTF-8 text"))
    for call, words in cases:
        with pytest.raises(gf.GyrfalconError, match=words):
            call()
    # a datetime start, as the docstring says: accepted (it was refused for its milliseconds)
    r = gf.pad_outage(start=dt.datetime(2025, 11, 27, 9, 28, 8, tzinfo=dt.timezone.utc))
    assert r.slip_of("Progress MS-33").replanned_utc.startswith("2026-03-19")


def test_monte_carlo_takes_a_scenario_object_and_equal_campaigns_compare_equal():
    """run_mission takes a Scenario; monte_carlo refused one. Two runs of one campaign are the
    same campaign (their wall times differ and are not compared)."""
    a = gf.monte_carlo(gf.load_scenario(), runs=2, seed=1)
    b = gf.monte_carlo(None, runs=2, seed=1)
    assert a.summary == b.summary and a.table.equals(b.table)
    assert gf.monte_carlo(None, runs=2, seed=1) == b and b.wall_s > 0
    # the dispersions reported are those flown: their seed is the campaign's (it read 0: an audit)
    assert a.dispersions.seed == 1 and a.campaign_seed == 1


def test_pad_outage_reads_a_date_object_as_the_same_date_string():
    """Found by an audit: start=datetime.date(2025, 11, 27) meant 00:00 (three launches slipped),
    the string '2025-11-27' 'lost after that day's launch' (one)."""
    import datetime as dt

    assert gf.pad_outage(start=dt.date(2025, 11, 27)).slips == gf.pad_outage(start="2025-11-27").slips


def test_two_day_windows_are_plotted_inside_their_band():
    """A library audit: the windows plot drew the phase wrapped to 0-360 deg against the two-day
    band (200-420 deg), so the feasible 27 Nov 2025 two-day window (lead 386 deg) fell at 26 deg,
    outside its own band. It now draws the lead as the scheme counts it."""
    wins = gf.find_windows(None, "baikonur-31", start="2025-11-25", days=6, scheme="two-day")
    feasible = [w for w in wins if w.feasible]
    assert feasible
    fig = wins.plot()
    ax = fig.axes[0]
    filled = ax.collections[0].get_offsets()[:, 1]          # the feasible scatter, drawn first
    assert len(filled) == len(feasible)
    assert all(200.0 <= y <= 420.0 for y in filled)
    assert any(y > 360.0 for y in filled)                  # 27 Nov 2025: a lead past one turn


def test_the_public_station_helpers_read_any_station_and_refuse_unknown_names():
    """A library audit: `insertion_into_station_plane(None, ...)` raised AttributeError and
    `nearest_feasible_launches(eph, "nope", ...)` returned [] (it swallowed the unknown pad).
    Both now take any station source (None: the packaged ISS file) and refuse an unknown pad or
    scheme. Reference: MS-28 launched at 09:27:57.4 UTC inside the two-orbit window (seeds)."""
    from gyrfalcon.api import insertion_into_station_plane, nearest_feasible_launches
    from gyrfalcon.errors import GyrfalconError

    ms28 = "2025-11-27T09:27:57.4Z"
    ins = insertion_into_station_plane(None, "baikonur-31", ms28)
    assert 500.0 < ins.met_s < 560.0                       # Soyuz-2.1a + Soyuz MS: SECO about 8.8 min
    near = nearest_feasible_launches(None, "baikonur-31", "2025-11-27T08:00Z", "two-orbit")
    from gyrfalcon.time import seconds_between

    assert abs(float(seconds_between(gf.parse_utc(ms28), near[0].launch_utc))) < 60.0
    for call in (lambda: insertion_into_station_plane(None, "nope", ms28),
                 lambda: nearest_feasible_launches(None, "nope", ms28),
                 lambda: nearest_feasible_launches(None, "baikonur-31", ms28, "three-orbit")):
        with pytest.raises(GyrfalconError):
            call()


def test_a_scenario_change_takes_an_aware_datetime_and_refuses_a_naive_one():
    """A library audit: `load_scenario(launch={...: <aware datetime>})` failed with "cannot write a
    datetime into a scenario". An aware datetime is its instant (written as ISO 8601 UTC); a naive
    one is refused as everywhere else; another object is refused saying what a scenario takes."""
    import datetime as dt

    from gyrfalcon.errors import GyrfalconError

    msk = dt.timezone(dt.timedelta(hours=3))                 # Moscow time, as Roscosmos gives it
    sc = gf.load_scenario(launch={"first_feasible_after": dt.datetime(2025, 11, 27, 3, 0, tzinfo=msk)})
    assert sc.launch.first_feasible_after == "2025-11-27T00:00:00.000Z"
    with pytest.raises(GyrfalconError, match="no time zone"):
        gf.load_scenario(launch={"first_feasible_after": dt.datetime(2025, 11, 27)})
    with pytest.raises(GyrfalconError, match="times as ISO 8601"):
        gf.load_scenario(launch={"first_feasible_after": object()})
