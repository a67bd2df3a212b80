"""``gyrfalcon run`` as a user meets it on the edges (issue 14 audit): a what-if from a pad out of
service, a scheme that does not fit the phase, ``--no-return`` without a stay, the rule notes'
arrival time, a station OEM shorter than the flight, a run that flies nothing.

References: Site 31/6 damaged on 27 Nov 2025 until 3 Mar 2026 (domain.md 7.1-7.2); Soyuz MS-28
launched 27 Nov 2025 09:27:57.4 UTC on a two-orbit profile (domain.md 1.1); Soyuz MS-18 launched
9 Apr 2021 07:42:41 UTC (tests/data/flights_2020_2022.csv); the ISS element sets of
tests/data/iss_tles.csv. The other commands (``windows``, ``rendezvous``) are the references for
what ``run`` must agree with.
"""
import gzip
import json
import re
from importlib.resources import files
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gyrfalcon.cli.app import app
from gyrfalcon.mission import runner as mission_runner
from gyrfalcon.mission.scenario import ScenarioError, parse_scenario
from gyrfalcon.time import parse_utc, seconds_between

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data"

MS28_LAUNCH = "2025-11-27T09:27:57.4Z"     # domain.md 1.1
PAD_REPAIRED = "2026-03-03"                 # domain.md 7.2


def _dt(a, b) -> float:
    return float(seconds_between(parse_utc(a), parse_utc(b)))


def _scenario(launch: str, *, what_if: bool = False, scheme: str = "two-orbit", extra: str = "") -> str:
    """Soyuz MS-28 from Site 31/6, no return, no report or CZML."""
    return (f'name = "edge"\nseed = 0\nwhat_if = {str(what_if).lower()}\n'
            '[vehicle]\nspacecraft = "soyuz-ms"\nlauncher = "soyuz-2.1a"\nname = "Soyuz MS-28"\n'
            f'[launch]\npad = "baikonur-31"\n{launch}\nsearch_days = 3\n'
            f'[rendezvous]\nscheme = "{scheme}"\n[docking]\nport = "rassvet-nadir"\n'
            '[return]\nenabled = false\n[output]\nczml = false\nreport = false\n' + extra)


@pytest.fixture(scope="module")
def whatif_window():
    """The first two-orbit window from Site 31/6 on or after 1 Dec 2025 with the pad treated as in
    service, as ``gyrfalcon windows --what-if`` gives it (the reference ``run`` must agree with)."""
    res = runner.invoke(app, ["windows", "--from", "2025-12-01", "--days", "3", "--what-if", "--json"])
    assert res.exit_code == 0, res.output
    wins = [w for w in json.loads(res.stdout) if w["feasible"]]
    assert wins and all(w["what_if"] for w in wins)
    return wins[0]["launch_utc"]


def test_the_window_search_of_a_whatif_treats_the_pad_as_in_service(whatif_window):
    sc = parse_scenario(_scenario('first_feasible_after = "2025-12-01"', what_if=True))
    eph = mission_runner.station_ephemeris(sc)
    liftoff, wins = mission_runner._window(sc, eph)
    assert abs(_dt(whatif_window, liftoff)) < 0.5 and wins[0].feasible
    # the pad is out of service then (until 3 Mar 2026): without the what-if no window is feasible
    plain = parse_scenario(_scenario('first_feasible_after = "2025-12-01"'))
    with pytest.raises(mission_runner.MissionError, match=r"for the pad .*back in service on " + PAD_REPAIRED):
        mission_runner._window(plain, eph)


def test_a_whatif_from_a_pad_out_of_service_is_flown_and_says_so(tmp_path, whatif_window):
    f = tmp_path / "wi.toml"
    f.write_text(_scenario(f'time = "{whatif_window}"'))
    # rules are rules: refused before anything is flown
    res = runner.invoke(app, ["run", str(f), "--json", "--no-files"])
    assert res.exit_code == 2 and "pad-operational" in res.output and "--what-if" in res.output
    # as a what-if: the countdown runs on the pad treated as in service and the flight docks
    res = runner.invoke(app, ["run", str(f), "--json", "--no-files", "--what-if"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["what_if"] is True and abs(_dt(whatif_window, d["launch_utc"])) < 0.1
    assert d["contact_utc"] is not None and 2.5 * 3600 < _dt(d["launch_utc"], d["contact_utc"]) < 4 * 3600
    assert not any("scrubbed" in n for n in d["notes"])
    said = [n for n in d["notes"] if "treat it as in service" in n]
    assert len(said) == 1 and "damaged" in said[0] and PAD_REPAIRED in said[0]
    assert any(n.startswith("what-if: breaks rule pad-operational") for n in d["notes"])
    checks = [e for e in d["events"] if e["name"] == "check pad-available"]
    assert not checks or "damaged" not in checks[0]["notes"]


def test_a_run_whose_countdown_scrubs_does_not_end_as_a_success(tmp_path, monkeypatch, whatif_window):
    # the rules check and the countdown read the same pad board, so a scrub is reached here only with
    # the check switched off: the count on the damaged pad must then scrub, and the run exit 3
    monkeypatch.setattr(mission_runner, "_rules_check", lambda *a, **k: ())
    f = tmp_path / "scrub.toml"
    f.write_text(_scenario(f'time = "{whatif_window}"'))
    out = tmp_path / "o"
    res = runner.invoke(app, ["run", str(f), "--json", "--out", str(out)])
    assert res.exit_code == 3, res.output
    assert "nothing flown" in res.output and "damaged" in res.output
    d = json.loads(res.stdout)
    assert d["launch_utc"] is None and d["contact_utc"] is None
    assert (out / "COMPLETE").is_file() and (out / "timeline.json").is_file()


def test_a_scheme_that_does_not_fit_is_refused_with_all_four_parts(tmp_path):
    # 26 Nov 2025 at 09:53:38.3: the station is far behind (a two-day phase); two-orbit asked for
    launch = "2025-11-26T09:53:38.3Z"
    f = tmp_path / "scheme.toml"
    f.write_text(_scenario(f'time = "{launch}"'))
    res = runner.invoke(app, ["run", str(f), "--no-files"])
    assert res.exit_code == 2
    line = res.output.strip()
    assert len(line.splitlines()) == 1, line
    assert "the reason is the phase" in line                                  # which of phase or pad
    assert re.search(r"station -?\d+\.\d deg ahead at insertion: outside the two-orbit range", line)   # the phase
    assert 'set rendezvous.scheme = "two-day"' in line and "ask for" not in line   # the scheme that fits, as a key
    assert "pad baikonur-31 available (not a reason)" in line
    m = re.search(r"nearest launch that fits: (\S+) \(two-orbit", line)      # the nearest launch that fits
    assert m is not None, line
    # the next two-orbit window after it is the real Soyuz MS-28 liftoff (domain.md 1.1)
    assert abs(_dt(MS28_LAUNCH, m.group(1))) < 15.0
    # and `gyrfalcon rendezvous` gives the same nearest launch for the same liftoff
    ref = runner.invoke(app, ["rendezvous", "--launch", launch, "--scheme", "two-orbit"])
    assert ref.exit_code == 2 and m.group(1) in ref.output


def test_no_return_asks_for_no_stay_and_no_landing_day():
    text = _scenario('time = "2025-11-27T09:28:01Z"').replace("[return]\nenabled = false\n", "")
    with pytest.raises(ScenarioError, match="stay"):
        parse_scenario(text)
    sc = parse_scenario(text, no_return=True)
    assert sc.return_.enabled is False
    # a landing day no embedded station trajectory serves (30 days after launch)
    late = text + "[stay]\ndays = 30\n"
    with pytest.raises(ScenarioError, match="stay.days: a landing on"):
        parse_scenario(late)
    assert parse_scenario(late, no_return=True).return_.enabled is False


def test_no_return_flies_a_2021_flight_from_element_sets_without_a_stay(tmp_path):
    # Soyuz MS-18 (9 Apr 2021), the ISS from the three sets before it; the scenario asks for a
    # 10-day stay whose landing day no embedded trajectory serves: --no-return must not need it.
    # With the return, the same element sets serve it (refused before 8 Dec 2026: a return past
    # the target's span needed the embedded data): 19 Apr has no reachable pass over the Soyuz zone,
    # nor 20 Apr, and the first is on 21 Apr (as `gyrfalcon landing --date` lists them from the sets)
    from tests.scenario_texts import ms18_station_tle

    tle = ms18_station_tle(tmp_path)
    f = tmp_path / "ms18.toml"
    f.write_text(_scenario('time = "2021-04-09T07:42:41Z"').replace("[return]\nenabled = false\n",
                                                                     "[stay]\ndays = 10\n[return]\nenabled = true\n")
                 .replace("Soyuz MS-28", "Soyuz MS-18"))
    res = runner.invoke(app, ["run", str(f), "--station-tle", str(tle), "--no-files", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["landing_utc"].startswith("2021-04-21")
    assert any("no reachable pass on 2021-04-19" in n for n in d["notes"])
    res = runner.invoke(app, ["run", str(f), "--station-tle", str(tle), "--no-files", "--no-return", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["launch_utc"].startswith("2021-04-09T07:42:41") and d["contact_utc"] is not None
    assert d["landing_utc"] is None


def test_the_rule_notes_give_the_simulated_arrival():
    """A Progress MS on MS-28's two-orbit liftoff to Poisk zenith, held by Progress MS-31 then (the
    late-2025 manifest), as a what-if (as scenarios/progress-ms-33-whatif.toml): the rule note names
    the simulated contact (it used to give liftoff + the scheme's nominal duration, minutes away
    from it, while the manifest note gave the simulated one), and the broken rule is said once."""
    text = (_scenario('time = "2025-11-27T09:28:01Z"', what_if=True).replace("soyuz-ms", "progress-ms")
            .replace("Soyuz MS-28", "Progress MS-33").replace("rassvet-nadir", "poisk-zenith"))
    r = mission_runner.fly(parse_scenario(text))
    assert r.contact_utc is not None
    from gyrfalcon.launch.windows import load_schemes

    nominal_h = load_schemes()["two-orbit"].duration_h     # the estimate made before the flight
    assert abs(_dt(r.launch_utc, r.contact_utc) - nominal_h * 3600.0) > 30.0     # so the two would differ
    stamps = {m for n in r.notes for m in re.findall(r"arrival of Progress MS-33 at poisk-zenith on (\S+?)Z", n)}
    assert len(stamps) == 1, r.notes
    assert abs(_dt(stamps.pop() + "Z", r.contact_utc)) < 1.0
    assert any(n.startswith("what-if: breaks rule one-vehicle-per-port") for n in r.notes)
    assert sum("one-vehicle-per-port" in n for n in r.notes) == 1, r.notes
    # a cargo ship has no launch escape system: its timeline has the fairing, not a tower
    names = {e.name for e in r.events}
    assert "fairing jettison" in names and "escape tower jettison" not in names


def _short_oem(path: Path, end_utc: str) -> Path:
    """The packaged NASA OEM of 2025-11-24 cut at ``end_utc`` (header kept, stop times moved)."""
    src = files("gyrfalcon.orbits") / "data" / "ISS.OEM_J2K_EPH_created-2025-11-24_54cc94f.txt.gz"
    stop = end_utc.rstrip("Z")
    out = []
    for line in gzip.decompress(src.read_bytes()).decode().splitlines():
        if re.match(r"^\d{4}-\d\d-\d\dT", line) and line.split()[0] > stop:
            continue
        if line.startswith(("USEABLE_STOP_TIME", "STOP_TIME")):
            line = line.split("=")[0] + "= " + stop
        out.append(line)
    path.write_text("\n".join(out) + "\n")
    return path


def test_a_station_oem_that_ends_before_contact_is_extended_and_said(tmp_path):
    oem = _short_oem(tmp_path / "short.oem", "2025-11-27T12:23:57.000Z")   # before MS-28's contact
    res = runner.invoke(app, ["run", "--station-oem", str(oem), "--no-files", "--no-return", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["contact_utc"] is not None and _dt("2025-11-27T12:23:57Z", d["contact_utc"]) > 0
    flown = [n for n in d["notes"] if "flown against the station extended by propagation" in n]
    assert len(flown) == 1 and "2025-11-27T12:23:57Z" in flown[0]
    # and on stderr, as the station loader's warnings of every command
    assert re.search(r"warning: .*short\.oem ends 2025-11-27T12:23:57Z; extended by propagation", res.stderr)
    assert "warning: the OEM ends 2025-11-27T12:23:57Z" in res.stderr


def test_the_result_marks_the_station_warnings_apart_from_the_description(tmp_path):
    """The warnings ``run`` prints on stderr are the result's own (the station loader's, and the
    flight flown past the OEM's end), each also a "station: " note; the description of the data is
    a note only (before: ``run`` took every "station: " note but the first)."""
    from gyrfalcon.mission.scenario import default_scenario_text

    oem = _short_oem(tmp_path / "short.oem", "2025-11-27T12:23:57.000Z")   # before MS-28's contact
    r = mission_runner.fly(parse_scenario(default_scenario_text(), target_ephemeris=str(oem), no_return=True))
    assert r.contact_utc is not None
    assert any(re.search(r"short\.oem ends 2025-11-27T12:23:57Z; extended by propagation", w) for w in r.warnings)
    assert any(w.startswith("the OEM ends 2025-11-27T12:23:57Z: the flight from") for w in r.warnings)
    station_notes = [n for n in r.notes if n.startswith("station: ")]
    assert station_notes == [station_notes[0]] + [f"station: {w}" for w in r.warnings]
    assert station_notes[0][len("station: "):] not in r.warnings and "short.oem" in station_notes[0]
