"""Refusals that say what lies behind them (user audit): the age of the station data behind a
refusal computed from them, the pads in service instead of a retired one, a vehicle the model
does not fly refused first, and the window search's ``what_if`` and launcher as the command has them.

References: Soyuz MS-21 lifted off 2022-03-18 15:55:18 UTC from Baikonur 31/6 on a two-orbit
profile to Prichal nadir (tests/data/flights_2020_2022.csv); the last element set before it in
tests/data/iss_tles_public.csv is of 2022-02-16 (29.9 days), in tests/data/iss_tles.csv of 2022-03-12
(5.9 days). Progress MS-13 lifted off 2019-12-06 09:34:11 UTC from Site 31/6; Site 1/5 is retired
since 2019-09-26 with no return recorded (launch/data/sites.toml). The rendezvous model flies
soyuz-ms and progress-ms (rendezvous/data/schemes.toml).
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import gyrfalcon as gf
from gyrfalcon.cli.app import app
from tests.typer_apps import one_line_exit_2

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data"
OLD_TLES = str(DATA / "iss_tles_public.csv")      # ends 2022-02-16 before MS-21
FRESH_TLES = str(DATA / "iss_tles.csv")           # ends 2022-03-12 before MS-21
MS21 = "2022-03-18T15:55:18.451Z"
MS13 = "2019-12-06T09:34:11Z"
pytestmark = pytest.mark.filterwarnings("ignore::gyrfalcon.errors.StationDataWarning")


# ---- 1. the station data's age in a refusal computed from them --------------------------------
def test_a_phase_refusal_from_stale_element_sets_says_how_old_they_are_and_fresh_sets_fly():
    """Before: "station 62.4 deg ahead ... move the liftoff" alone (the staleness warning is dropped
    with a refusal). The same flight from the sets 5.9 days old flies, 17.8 deg ahead."""
    args = ["rendezvous", "--scheme", "two-orbit", "--port", "prichal-nadir", "--launch", MS21]
    line = one_line_exit_2(runner.invoke(app, [*args, "--station-tle", OLD_TLES]),
                           "the reason is the phase", "; note: the station data end 29.9 days before the launch",
                           "the phase may be wrong", "use element sets from the days before the launch")
    km = re.search(r"\(~(\d+) km along-track error expected\)", line).group(1)
    st = gf.load_station(OLD_TLES, at_utc=MS21)
    assert any(f"expect ~{km} km of along-track error" in w for w in st.warnings)   # the loader's own figure
    ok = runner.invoke(app, [*args, "--station-tle", FRESH_TLES, "--json"])
    assert ok.exit_code == 0, ok.output
    d = json.loads(ok.stdout)
    assert d["scheme"] == "two-orbit" and 10.0 <= d["phase_at_insertion_deg"] <= 18.0


def test_windows_refused_from_stale_sets_says_how_old_they_are_and_the_library_too():
    line = one_line_exit_2(runner.invoke(app, ["windows", "--station-tle", OLD_TLES, "--from", "2022-03-18",
                                               "--days", "1"]),
                           "refused for the phase", "note: the station data end 29.3 days before the search start")
    assert line.index("refused for the phase") < line.index("note:")
    with pytest.raises(gf.GyrfalconError, match=r"note: the station data end 29\.3 days"):
        gf.next_window(OLD_TLES, "baikonur-31", after="2022-03-18", days=1, scheme="two-orbit")
    with pytest.raises(gf.GyrfalconError, match=r"the phase may be wrong"):
        gf.fly_rendezvous(OLD_TLES, MS21, scheme="two-orbit", port="prichal-nadir", trajectory_step_s=0)


def test_fresh_data_add_no_note_and_a_refusal_for_the_pad_alone_gets_none():
    """The packaged OEM (created 2025-11-24) is 1.4 days old on 26 Nov: a phase refusal without a
    note. On 5 Dec (10.2 days) the two-orbit window is refused for the pad alone (Site 31/6 damaged
    until 3 Mar 2026; 16.5 deg, inside the range, with --what-if): no note either."""
    line = one_line_exit_2(runner.invoke(app, ["windows", "--from", "2025-11-26", "--days", "1"]),
                           "refused for the phase")
    assert "note:" not in line
    line = one_line_exit_2(runner.invoke(app, ["windows", "--from", "2025-12-05", "--days", "1"]),
                           "1 window refused for the pad", "back in service on 2026-03-03", "--what-if")
    assert "note:" not in line
    from gyrfalcon.refusals import station_data_note

    eph = gf.load_station(OLD_TLES, at_utc=MS21).ephemeris()
    assert eph.meta["data_end_utc"].startswith("2022-02-16")
    from gyrfalcon.time import add_seconds

    end = gf.parse_utc(eph.meta["data_end_utc"])
    assert station_data_note(eph, add_seconds(end, 2.9 * 86400.0)) == ""            # 2.9 days: fresh enough
    assert station_data_note(eph, add_seconds(end, 3.1 * 86400.0)).startswith(
        "; note: the station data end 3.1 days before the launch (~")
    assert station_data_note(gf.sgp4_ephemeris(gf.load_tles(OLD_TLES)[0]), MS21) == ""   # not the loader's: no claim


# ---- 2. a retired pad: the pads in service, never "search more days" ----------------------------
def test_a_retired_pad_names_the_pad_in_service_that_flies_the_liftoff_and_it_does():
    """Before: "... no return to service is recorded; to fly it anyway as a what-if" only."""
    line = one_line_exit_2(runner.invoke(app, ["rendezvous", "--station-tle", OLD_TLES, "--pad", "baikonur-1",
                                               "--launch", MS13, "--vehicle", "progress-ms"]),
                           "retired", "pads in service then that fly progress-ms at this liftoff: "
                           "pad baikonur-31 (Soyuz-2.1a)", "--what-if")
    assert line.index("pad baikonur-31 (") < line.index("to fly it anyway") and "--pad" not in line
    plan = gf.plan_rendezvous(OLD_TLES, MS13, pad="baikonur-31", vehicle="progress-ms", trajectory_step_s=0)
    assert plan.burns and not plan.what_if


def test_windows_from_a_retired_pad_name_the_pad_in_service_and_no_more_days():
    """Before: "... search more days, with a station that covers them" for Site 1/5, retired in 2019."""
    line = one_line_exit_2(runner.invoke(app, ["windows", "--pad", "baikonur-1", "--from", "2025-11-26",
                                               "--days", "2"]),
                           "more days will not help", "pad baikonur-31 (Soyuz-2.1a; its first two-orbit window "
                           "2025-11-27T09:28", "--what-if")
    assert "search more days" not in line and "--pad baikonur-31" not in line
    res = runner.invoke(app, ["windows", "--pad", "baikonur-31", "--from", "2025-11-26", "--days", "2", "--json"])
    assert res.exit_code == 0, res.output
    assert [w["launch_utc"][:16] for w in json.loads(res.stdout) if w["feasible"]] == ["2025-11-27T09:28"]
    with pytest.raises(gf.GyrfalconError, match="more days will not help") as exc:
        gf.next_window(None, "baikonur-1", after="2025-11-26", days=2, scheme="two-orbit")
    assert "search more days" not in str(exc.value)


def test_windows_from_a_pad_under_repair_past_the_data_say_search_from_its_return():
    """Site 31/6 is out of service from 27 Nov 2025 to 3 Mar 2026 (catalogue's repair date) and the
    packaged ephemeris ends 9 Dec 2025. Before: "... search more days, with a station that covers
    them", which more days of any station cannot satisfy before March."""
    line = one_line_exit_2(runner.invoke(app, ["windows", "--from", "2025-11-29", "--days", "3"]),
                           "none before the ISS ephemeris ends (2025-12-09",
                           "the pad returns to service after that (2026-03-03): search from its return")
    assert "search more days" not in line
    from gyrfalcon.launch.sites import load_sites
    pad = load_sites().get("baikonur-31")
    assert pad.next_available("2025-12-09T12:00:00Z").utc_strftime("%Y-%m-%d") == "2026-03-03"


def test_a_phase_refusal_from_a_retired_pad_gives_the_nearest_launch_from_the_pad_in_service():
    line = one_line_exit_2(runner.invoke(app, ["rendezvous", "--station-tle", OLD_TLES, "--pad", "baikonur-1",
                                               "--launch", "2019-12-07T09:11:00Z", "--vehicle", "progress-ms",
                                               "--scheme", "two-orbit"]),
                           "the reason is the phase", "other days will not help from baikonur-1",
                           "from pad baikonur-31 (Soyuz-2.1a), in service then: nearest launch that fits")
    assert "windows --pad baikonur-1" not in line and "--pad baikonur-31" not in line
    t = re.search(r"nearest launch that fits: (\S+) \(two-orbit", line).group(1)
    plan = gf.plan_rendezvous(OLD_TLES, t, pad="baikonur-31", vehicle="progress-ms", scheme="two-orbit",
                              trajectory_step_s=0)
    assert plan.scheme == "two-orbit"


# ---- 3. find_windows / next_window take what_if as `windows --what-if` ---------------------------
def test_find_windows_what_if_reads_the_pad_as_in_service_as_the_command_does():
    """Before: TypeError (no such argument), though the refusal said "what_if=True in Python"."""
    plain = gf.find_windows(None, "baikonur-1", start="2025-11-26", days=2)
    wi = gf.find_windows(None, "baikonur-1", start="2025-11-26", days=2, what_if=True)
    assert not plain.feasible and all(not w.what_if for w in plain)
    assert len(wi.feasible) == 1 and all(w.what_if for w in wi) and "WHAT-IF" in repr(wi[0])
    res = runner.invoke(app, ["windows", "--pad", "baikonur-1", "--from", "2025-11-26", "--days", "2", "--what-if",
                              "--json"])
    assert res.exit_code == 0, res.output
    cli = json.loads(res.stdout)
    assert [w["launch_utc"] for w in cli] == [gf.iso_utc(w.launch_utc, 1) for w in wi]
    assert [w["feasible"] for w in cli] == [w.feasible for w in wi] and all(w["what_if"] for w in cli)
    nxt = gf.next_window(None, "baikonur-1", after="2025-11-26", days=2, scheme="two-orbit", what_if=True)
    assert nxt.what_if and nxt.launch_utc.tt == wi.feasible[0].launch_utc.tt
    with pytest.raises(gf.InputError, match="what_if must be True or False"):
        gf.find_windows(None, "baikonur-1", start="2025-11-26", days=2, what_if="yes")


def test_the_window_launcher_is_the_pads_own_and_one_it_does_not_launch_is_refused():
    """Before: find_windows(None, 'baikonur-1') flew the Soyuz-2.1a's plane lead from Site 1/5,
    which launches the Soyuz-FG only (``gyrfalcon run`` refuses that pair)."""
    from gyrfalcon.launch.windows import plane_lead_s

    w = gf.find_windows(None, "baikonur-1", start="2025-11-26", days=1, what_if=True)[0]
    assert w.plane_lead_s == plane_lead_s("soyuz-fg", "soyuz-ms") != plane_lead_s("soyuz-2.1a", "soyuz-ms")
    with pytest.raises(gf.InputError, match=r"does not launch 'soyuz-2\.1a'.*use vehicle='soyuz-fg'"):
        gf.find_windows(None, "baikonur-1", start="2025-11-26", days=1, vehicle="soyuz-2.1a")
    with pytest.raises(gf.InputError, match="does not launch"):
        gf.next_window(None, "baikonur-1", after="2025-11-26", days=1, vehicle="soyuz-2.1a")
    same = gf.find_windows(None, "baikonur-1", start="2025-11-26", days=1, vehicle="soyuz-fg", what_if=True)[0]
    assert same.launch_utc.tt == w.launch_utc.tt
    assert math.isclose(gf.find_windows(None, start="2025-11-26", days=1)[0].plane_lead_s,
                        plane_lead_s("soyuz-2.1a", "soyuz-ms"))


# ---- 4. a vehicle the model does not fly: the first refusal --------------------------------------
@pytest.mark.parametrize("extra", [[], ["--pad", "ksc-39a"], ["--pad", "ksc-39a", "--what-if"]])
def test_a_vehicle_the_model_does_not_fly_is_the_first_refusal(extra):
    """Before: "pad baikonur-31 ... does not support vehicle 'falcon-9'", then with --pad ksc-39a an
    out-of-plane refusal; only --what-if said "unknown vehicle 'crew-dragon'"."""
    line = one_line_exit_2(runner.invoke(app, ["rendezvous", "--vehicle", "crew-dragon", *extra]),
                           "--vehicle crew-dragon: not a vehicle the rendezvous model flies",
                           "use --vehicle progress-ms or --vehicle soyuz-ms")
    assert "pad" not in line and "plane" not in line
    with pytest.raises(gf.InputError, match=r"vehicle 'crew-dragon': .*use vehicle='progress-ms' or "
                                            r"vehicle='soyuz-ms'"):
        gf.fly_rendezvous(None, "2025-11-27T09:27:57.4Z", pad="ksc-39a", vehicle="crew-dragon")
    with pytest.raises(gf.InputError, match="not a vehicle the rendezvous model flies"):
        gf.plan_rendezvous(None, "2025-11-27T09:27:57.4Z", vehicle="Crew-Dragon")


def test_find_windows_told_a_spacecraft_as_vehicle_names_the_spacecraft_argument():
    """In Python ``vehicle`` is the launcher (``spacecraft`` the Soyuz or Progress); on the command
    line ``--vehicle`` is the spacecraft. Before: "use vehicle='soyuz-2.1a'" only (a user audit)."""
    with pytest.raises(gf.GyrfalconError, match=r"for the spacecraft give spacecraft='progress-ms'") as exc:
        gf.find_windows(None, start="2025-11-26", days=1, vehicle="Progress_MS")
    assert "does not launch 'Progress_MS'" in str(exc.value)
    cargo = gf.find_windows(None, start="2025-11-26", days=2, spacecraft="progress-ms")
    crew = gf.find_windows(None, start="2025-11-26", days=2)
    # the spacecraft argument is what `--vehicle` sets: Progress's plane lead is 11 s shorter (schemes.toml)
    assert [round(float((c.launch_utc - p.launch_utc) * 86400.0)) for c, p in zip(crew, cargo)] == [-11, -11]
