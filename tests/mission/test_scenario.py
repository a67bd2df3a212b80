"""Scenario files: validation errors name the key and what is allowed, fast, exit code 2, no output left.

References: the pad catalogue ids (launch/data/sites.toml), the calendar (no 30 February), the
shipped example files; the CLI contract of cli/common.py (one line, exit code 2).
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gyrfalcon.cli.app import app
from gyrfalcon.mission.scenario import (ScenarioError, default_scenario, default_scenario_text, load_scenario,
                                        parse_scenario, template_text)

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

GOOD = """
name = "t"
[launch]
pad = "baikonur-31"
time = "2025-11-27T09:28:00Z"
[return]
enabled = false
"""


def _err(res) -> str:
    out = (res.stderr if hasattr(res, "stderr") and res.stderr else "") or res.output
    return " ".join(out.split())


def test_packaged_default_is_the_shipped_scenario_file():
    assert default_scenario_text() == (ROOT / "scenarios" / "soyuz-ms-28.toml").read_text(encoding="utf-8")
    sc = default_scenario()
    # Soyuz MS-28 (domain.md 1.1): Baikonur 31/6, Rassvet nadir, crew of three, landing planned 26 Jul 2026 (5.4)
    assert (sc.launch.pad, sc.docking.port, sc.stay.land_on) == ("baikonur-31", "rassvet-nadir", "2026-07-26")
    assert sc.crew.names == ("Sergey Kud-Sverchkov", "Sergey Mikayev", "Christopher Williams")
    assert sc.crew.callsign == "Gyrfalcon"
    assert sc.faults.countdown == ("pad-cabin-not-locked",)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_scenario_validates(path):
    sc = load_scenario(path)
    assert sc.name == path.stem


def test_template_validates_and_scenario_init_writes_it(tmp_path):
    parse_scenario(template_text())
    target = tmp_path / "new.toml"
    res = runner.invoke(app, ["scenario", "init", str(target)])
    assert res.exit_code == 0, res.output
    assert load_scenario(target).name == "my-flight"
    # the template passes its own check (it used to name a flight that took MS-28's port: audit)
    checked = runner.invoke(app, ["scenario", "check", str(target)])
    assert checked.exit_code == 0 and "OK" in checked.output, checked.output
    again = runner.invoke(app, ["scenario", "init", str(target)])
    assert again.exit_code == 2 and "--overwrite" in _err(again)
    for flag in ("--overwrite", "--force"):        # the file outputs' option, and its old name
        assert runner.invoke(app, ["scenario", "init", str(target), "--ms28", flag]).exit_code == 0
        assert load_scenario(target).name == "soyuz-ms-28"
        target.write_text(template_text())


@pytest.mark.parametrize("patch, key, allowed", [
    ('pad = "baikonur-99"', "launch.pad", ["baikonur-31", "vostochny-1s"]),
    ('pads = "baikonur-31"', "launch.pads", ["pad", "first_feasible_after"]),
])
def test_launch_errors_name_the_key_and_the_allowed_values(patch, key, allowed):
    text = GOOD.replace('pad = "baikonur-31"', patch)
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text, "x.toml")
    msg = str(exc.value)
    assert msg.startswith(f"x.toml: {key}:"), msg
    for a in allowed:
        assert a in msg
    assert "\n" not in msg


def test_a_pad_that_can_never_serve_the_launcher_or_the_crew_is_refused_when_read():
    """Before: ``scenario check`` said OK to a Soyuz-FG from Site 31/6 (the FG flew crews from Site
    1/5 only, sites.toml) and ``run`` refused it at the countdown. The launch-site catalogue is the
    reference: Site 31/6 launches soyuz-2.1a/2.1b, Site 1/5 soyuz-fg/soyuz-u, Vostochny 1S is not
    crew-rated. A pad's date (Site 1/5 retired in 2019) stays a liftoff rule, open to a what-if."""
    fg = GOOD.replace("[launch]", '[vehicle]\nlauncher = "soyuz-fg"\n[launch]')
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(fg, "x.toml")
    msg = str(exc.value)
    assert msg.startswith("x.toml: vehicle.launcher: pad baikonur-31 does not launch 'soyuz-fg'"), msg
    assert "launch.pad = 'baikonur-1'" in msg and "launcher = 'soyuz-2.1a'" in msg
    assert parse_scenario(fg.replace("baikonur-31", "baikonur-1"), "x.toml").launch.pad == "baikonur-1"
    with pytest.raises(ScenarioError, match=r"launch.pad: pad vostochny-1s is not crew-rated .*baikonur-31"):
        parse_scenario(GOOD.replace("baikonur-31", "vostochny-1s"), "x.toml")
    cargo = GOOD.replace("baikonur-31", "vostochny-1s").replace("[launch]", '[vehicle]\nspacecraft = "progress-ms"\n[launch]')
    assert parse_scenario(cargo, "x.toml").launch.pad == "vostochny-1s"


def test_unknown_top_level_key_and_bad_choices():
    with pytest.raises(ScenarioError, match=r"x.toml: vehicel: unknown key; allowed here: .*vehicle"):
        parse_scenario(GOOD + '\n[vehicel]\nname = "x"\n', "x.toml")
    with pytest.raises(ScenarioError, match=r"rendezvous.scheme: 'one-orbit' is not allowed.*two-orbit"):
        parse_scenario(GOOD + '\n[rendezvous]\nscheme = "one-orbit"\n', "x.toml")
    with pytest.raises(ScenarioError, match=r"docking.port: unknown port 'zarya-nadir'; allowed: rassvet-nadir") as e:
        parse_scenario(GOOD + '\n[docking]\nport = "zarya-nadir"\n', "x.toml")
    # the ports of the past labelled as such (an audit: listed as if they were today's)
    assert str(e.value).endswith("unity-nadir (past ports: pirs-nadir, nauka-nadir)")
    with pytest.raises(ScenarioError, match=r"faults.countdown.*allowed: pad-cabin-not-locked"):
        parse_scenario(GOOD + '\n[faults]\ncountdown = ["cabin"]\n', "x.toml")


def test_impossible_dates_and_spans():
    # 30 February does not exist
    bad = GOOD.replace("enabled = false", "enabled = true") + '\n[stay]\nland_on = "2026-02-30"\n'
    with pytest.raises(ScenarioError, match=r"stay.land_on: date '2026-02-30' does not exist"):
        parse_scenario(bad, "x.toml")
    with pytest.raises(ScenarioError, match=r"launch.time: .*2025-11-31 does not exist"):
        parse_scenario(GOOD.replace("2025-11-27T09:28:00Z", "2025-11-31T09:28:00Z"), "x.toml")
    # the embedded NASA OEM spans 2025-11-24 12:00 to 2025-12-09 12:00 (its header)
    with pytest.raises(ScenarioError, match=r"launch.time: .*outside the embedded ISS ephemeris"):
        parse_scenario(GOOD.replace("2025-11-27T09:28:00Z", "2026-03-10T09:28:00Z"), "x.toml")
    with pytest.raises(ScenarioError, match=r"exactly one of launch.time"):
        parse_scenario(GOOD.replace('time = "2025-11-27T09:28:00Z"', ""), "x.toml")


def test_missing_ephemeris_file_names_the_key(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(GOOD + '\n[target]\nephemeris = "iss-missing.oem"\n')
    with pytest.raises(ScenarioError, match=r"target.ephemeris: no file 'iss-missing.oem'"):
        load_scenario(f)
    # a folder is named as one (as the commands' --station-oem says), not as a missing file
    (tmp_path / "adir").mkdir()
    f.write_text(GOOD + '\n[target]\nephemeris = "adir"\n')
    with pytest.raises(ScenarioError, match=r"target.ephemeris: 'adir' is a folder \(looked at .*\); give a file "
                                            r"inside it"):
        load_scenario(f)


def test_cli_bad_scenario_is_one_line_exit_2_and_leaves_no_output(tmp_path):
    # how fast it is refused is measured in bench/bench_checks.py, not asserted here
    f = tmp_path / "bad.toml"
    f.write_text(GOOD.replace('pad = "baikonur-31"', 'pad = "cape-nowhere"'))
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(f), "--out", str(out)])
    assert res.exit_code == 2
    line = _err(res)
    assert line.startswith("error:") and "launch.pad" in line and "baikonur-31" in line and "Traceback" not in line
    assert not out.exists() and list(tmp_path.iterdir()) == [f]


def test_bad_scenario_whole_process_one_line_exit_2(tmp_path):
    # the whole `gyrfalcon run BAD.toml` process, interpreter start-up included (its duration:
    # bench/bench_checks.py)
    f = tmp_path / "bad.toml"
    f.write_text(GOOD + "\nwhatever = 1\n")
    p = subprocess.run([sys.executable, "-m", "gyrfalcon.cli.app", "run", str(f), "--out", str(tmp_path / "o")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "whatever: unknown key" in p.stderr
    assert not (tmp_path / "o").exists()


def test_missing_scenario_file_exit_2(tmp_path):
    res = runner.invoke(app, ["run", str(tmp_path / "nope.toml")])
    assert res.exit_code == 2 and "scenario init" in _err(res)


def test_scenario_check_command():
    res = runner.invoke(app, ["scenario", "check", str(ROOT / "scenarios" / "soyuz-ms-28.toml")])
    assert res.exit_code == 0 and "OK" in res.output


def test_tle_target_is_sampled_with_sgp4_and_agrees_with_nasa(tmp_path):
    # TLE of 2025-11-24 13:04 UTC (tests/data/iss_tles.csv) against NASA's OEM of the same day (the embedded
    # ephemeris): SGP4 near its epoch is good to a few km
    import csv

    import numpy as np

    from gyrfalcon.mission.runner import station_ephemeris
    from gyrfalcon.orbits.iss import iss_ephemeris
    from gyrfalcon.time import parse_utc

    rows = list(csv.DictReader(open(ROOT / "tests" / "data" / "iss_tles.csv")))
    row = next(r for r in rows if r["epoch_utc"].startswith("2025-11-24 13:04"))
    tle = tmp_path / "iss.tle"
    tle.write_text(f"ISS (ZARYA)\n{row['tle_line1']}\n{row['tle_line2']}\n")
    f = tmp_path / "s.toml"
    f.write_text(GOOD + '\n[target]\nephemeris = "iss.tle"\n')
    sc = load_scenario(f)
    eph = station_ephemeris(sc, str(f))
    assert eph.frame == "GCRF"
    t = parse_utc("2025-11-24T18:00:00Z")
    assert np.linalg.norm(eph.at(t).r_m - iss_ephemeris().at(t).r_m) < 5e3


def test_return_needs_a_station_trajectory_on_the_landing_day_and_a_soyuz():
    base = GOOD.replace("enabled = false", "enabled = true")
    # embedded: NASA OEM to 2025-12-09 12:00; the 2026-07-01 OEM excerpt ends 2026-07-16 (+ up to 5 weeks)
    with pytest.raises(ScenarioError, match=r"stay.land_on: a landing on 2026-03-01 needs the station's trajectory"):
        parse_scenario(base + '\n[stay]\nland_on = "2026-03-01"\n', "x.toml")
    parse_scenario(base + '\n[stay]\nland_on = "2026-07-26"\n', "x.toml")
    parse_scenario(base + '\n[stay]\ndays = 10\n', "x.toml")
    prog = base.replace("[launch]", '[vehicle]\nspacecraft = "progress-ms"\nname = "Progress MS-99"\n[launch]')
    with pytest.raises(ScenarioError, match=r"return.enabled: a Progress MS does not come home"):
        parse_scenario(prog + '\n[stay]\ndays = 10\n', "x.toml")


def test_a_string_where_a_list_goes_says_how_to_write_the_list():
    """Found by an audit: `names = "Sergey"` gave pydantic's "Input should be a valid tuple"."""
    text = template_text().replace('names = ["Commander", "Flight engineer 1", "Flight engineer 2"]',
                                   'names = "Sergey"', 1)
    assert 'names = "Sergey"' in text
    with pytest.raises(ScenarioError, match=r"crew.names: 'Sergey' is not a list; write it as a TOML array"):
        parse_scenario(text)


def test_an_unquoted_toml_time_says_to_quote_it():
    """Found by an audit: `time = 2025-11-27T09:27:57.4Z` (a TOML date-time) gave pydantic's
    "Input should be a valid string"."""
    with pytest.raises(ScenarioError, match=r'launch.time: 2025-11-27 09:27:57.4.* is a TOML date/time, not a '
                                            r'string; quote it, e.g. "2025-11-27T09:27:57.4Z"'):
        parse_scenario(GOOD.replace('time = "2025-11-27T09:28:00Z"', "time = 2025-11-27T09:27:57.4Z"), "x.toml")


def test_scenario_check_says_the_liftoff_in_utc(tmp_path):
    """A liftoff written with an offset is echoed in UTC, as `run` flies it (found by an audit)."""
    p = tmp_path / "tz.toml"
    p.write_text(GOOD.replace('"2025-11-27T09:28:00Z"', '"2025-11-27T12:27:57.4+03:00"'))
    res = runner.invoke(app, ["scenario", "check", str(p)])
    assert res.exit_code == 0 and "liftoff 2025-11-27T09:27:57.4Z" in " ".join(res.output.split()), res.output


def test_a_stay_shorter_than_a_day_and_nan_numbers_are_refused_with_the_range():
    """Found by an audit: stay.days = 0.1 flew (undocking before the launch, landing before the
    contact); nan said only "Input should be less than or equal to 60"."""
    text = GOOD.replace("[return]\nenabled = false\n", "[stay]\ndays = 0.1\n")
    with pytest.raises(ScenarioError, match=r"stay.days: 0.1 is out of range; give a number >= 1 and <= 400"):
        parse_scenario(text, "x.toml")
    with pytest.raises(ScenarioError, match=r"launch.search_days: nan is not a finite number; give a number > 0 and <= 60"):
        parse_scenario(GOOD.replace('time = "2025-11-27T09:28:00Z"',
                                    'first_feasible_after = "2025-11-27"\nsearch_days = nan'), "x.toml")


def test_a_day_of_year_or_leap_second_launch_time_is_refused_as_a_time():
    """Found by an audit: '2025-331T09:28:01Z' passed the time check and then failed in the port
    dates with "Invalid isoformat string", naming no key."""
    for t in ("2025-331T09:28:01Z", "2016-12-31T23:59:60Z"):
        with pytest.raises(ScenarioError, match=r"launch.time: .*give a calendar date and time"):
            parse_scenario(GOOD.replace('"2025-11-27T09:28:00Z"', f'"{t}"'), "x.toml")


@pytest.mark.parametrize("old, new, words", [
    ("[return]\nenabled = false\n", '[return]\nenabled = "no"\n', "return.enabled: 'no' is not true or false"),
    ('name = "t"', 'name = "t"\nwhat_if = "yes"', "what_if: 'yes' is not true or false; write it without quotes"),
    ('name = "t"', 'name = "t"\nseed = "5"', "seed: '5' is not a whole number >= 0 and <= 9223372036854775807"),
    ('name = "t"', 'name = "t"\nseed = 5.0', "without a decimal point"),
    ('name = "t"', 'name = "t"\n[output]\noem = "off"', "output.oem: 'off' is not true or false"),
])
def test_a_quoted_switch_or_number_is_refused_not_converted(old, new, words):
    """Found by an audit: what_if = "yes" (or 1) quietly made a what-if, which overrides the station
    rules, and oem = "off" wrote an OEM; "5" and "3" were read as numbers."""
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    with pytest.raises(ScenarioError, match=re.escape(words)):
        parse_scenario(text, "x.toml")


def test_a_name_that_cannot_name_a_folder_says_what_can():
    with pytest.raises(ScenarioError, match=r"name: '\.\./evil' cannot name a folder; use letters, digits"):
        parse_scenario(GOOD.replace('name = "t"', 'name = "../evil"'), "x.toml")


def test_the_template_lists_every_pad_of_the_catalogue():
    """Found by an audit: the template sent users to `windows --help`, which lists no pads."""
    from gyrfalcon.launch.sites import load_sites

    line = template_text().split("pad = ", 1)[1].split("[", 1)[0]
    assert all(pid in line for pid in load_sites().ids), line


def test_a_fixed_launch_before_the_embedded_ephemeris_is_refused_when_read():
    """Found by an audit: a fixed launch.time up to a day before the embedded file passed
    `scenario check` (a day's lead is for a window search only) and `run` then refused it."""
    text = GOOD.replace('time = "2025-11-27T09:28:00Z"', 'time = "2025-11-24T02:00:00Z"')
    with pytest.raises(ScenarioError, match=r"launch.time: 2025-11-24T02:00:00Z is outside the embedded ISS ephemeris"):
        parse_scenario(text, "x.toml")
    parse_scenario(GOOD.replace('time = "2025-11-27T09:28:00Z"', 'first_feasible_after = "2025-11-24"'), "x.toml")


def test_station_data_must_reach_the_launch():
    """The rule `run`, `scenario check` and the web API apply before anything is flown (an audit
    found a file ending before the launch passing `scenario check`). The packaged ISS file covers
    2025-11-24T12:00 to 2025-12-09T12:00."""
    from gyrfalcon.errors import InputError
    from gyrfalcon.mission.runner import check_station_serves_launch
    from gyrfalcon.orbits.iss import iss_ephemeris

    eph = iss_ephemeris("GCRF")
    ok = parse_scenario(GOOD, "x.toml")
    check_station_serves_launch(ok, eph)
    late = ok.model_copy(update={"launch": ok.launch.model_copy(update={"time": "2025-12-09T11:30:00Z"})})
    with pytest.raises(InputError, match=r"launch.time: 2025-12-09T11:30:00Z: the station data \(2025-11-24T12:00:00Z "
                                         r"to 2025-12-09T12:00:00Z\) must cover the liftoff and the hour after it"):
        check_station_serves_launch(late, eph)
    search = ok.model_copy(update={"launch": ok.launch.model_copy(
        update={"time": None, "first_feasible_after": "2025-12-10", "search_days": 3.0})})
    with pytest.raises(InputError, match=r"launch.first_feasible_after: the window search 2025-12-10T00:00:00Z"):
        check_station_serves_launch(search, eph)
    inside = search.launch.model_copy(update={"first_feasible_after": "2025-12-08"})
    check_station_serves_launch(ok.model_copy(update={"launch": inside}), eph)


def test_a_past_port_is_answered_with_the_free_and_the_occupied_ports_of_the_day():
    """Found by an audit: a scenario docking at Pirs (a port until 26 Jul 2021) on MS-28's date was
    offered Prichal, Poisk and Zvezda aft, all taken then (built-in record, domain.md 4.1); the
    free port is Rassvet nadir, which the flight's own recorded stay (Soyuz MS-28) frees."""
    from gyrfalcon.mission.scenario import default_scenario_text

    text = default_scenario_text().replace('port = "rassvet-nadir"', 'port = "pirs-nadir"')
    with pytest.raises(ScenarioError) as e:
        parse_scenario(text, "x.toml")
    msg = str(e.value)
    assert "pirs-nadir was a port only until 2021-07-26" in msg
    assert "free ports that take soyuz-ms on 2025-11-27T00:00:00Z: rassvet-nadir;" in msg
    assert "prichal-nadir (Soyuz MS-27)" in msg and "zvezda-aft (Progress MS-32)" in msg
