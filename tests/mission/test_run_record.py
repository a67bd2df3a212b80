"""The scenario a run saves (``gyrfalcon run --out DIR``) flies the same flight again, whatever
the command line changed (``--seed``, ``--what-if``, ``--no-return``, ``--station-tle``);
``scenario check`` applies the station rules ``run`` applies before flying; ``run --json`` gives
the station report as an object.

References: Site 31/6 damaged on 27 Nov 2025 until 3 Mar 2026 (domain.md 7.1-7.2); Soyuz MS-18
launched 9 Apr 2021 07:42:41 UTC (tests/data/flights_2020_2022.csv) with the ISS element sets of
tests/data/iss_tles.csv; reproducibility: the same scenario and seed give identical files
(runner docstring), so a re-run of the saved scenario must give the same chaser OEM byte for
byte (its states to the millisecond).
"""
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gyrfalcon.cli.app import app
from gyrfalcon.mission.scenario import default_scenario_text, load_scenario, parse_scenario

from tests.scenario_texts import quick

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data"
PAD_DAMAGED_LIFTOFF = "2025-12-01T07:54:36.9Z"     # Site 31/6 out of service then (domain.md 7.2)


def _edge(launch_time: str, *, name: str = "edge", extra: str = "") -> str:
    """Soyuz MS-28 from Site 31/6 at a fixed liftoff, no return, no report or CZML."""
    return (f'name = "{name}"\nseed = 0\n[vehicle]\nspacecraft = "soyuz-ms"\nlauncher = "soyuz-2.1a"\n'
            f'name = "Soyuz MS-28"\n[launch]\npad = "baikonur-31"\ntime = "{launch_time}"\n'
            '[rendezvous]\nscheme = "two-orbit"\n[docking]\nport = "rassvet-nadir"\n'
            '[return]\nenabled = false\n[output]\nczml = false\nreport = false\n' + extra)


def _unflown(sc):
    from gyrfalcon.mission.result import MissionResult

    return MissionResult(scenario=sc, seed=sc.seed, launch_utc=None, insertion_utc=None, contact_utc=None,
                         landing_utc=None, total_dv_mps=None, scenario_source="<embedded soyuz-ms-28.toml>")


def _invoke(*args):
    res = runner.invoke(app, [str(a) for a in args])
    return res.exit_code, res


@pytest.mark.parametrize("table, key, value, text, expect", [
    (None, "seed", 5, 'name = "a"\nseed = 1\n[launch]\npad = "p"\n', 'name = "a"\nseed = 5\n[launch]\npad = "p"\n'),
    (None, "what_if", True, '# c\nname = "a"\n\n[launch]\npad = "p"\n',
     '# c\nname = "a"\nwhat_if = true\n\n[launch]\npad = "p"\n'),
    ("return", "enabled", False, '[return]\nenabled = true\n[[faults.kurs_dropout]]\nstart_s = 1\n',
     '[return]\nenabled = false\n[[faults.kurs_dropout]]\nstart_s = 1\n'),
    # a key below an array of tables is not the table's: added to the table itself
    ("return", "zone", "soyuz", '[return]\nenabled = true\n[[x]]\nzone = "a"\n',
     '[return]\nenabled = true\nzone = "soyuz"\n[[x]]\nzone = "a"\n'),
    (None, "seed", 5, 'seed = 1\nx = { seed = 2 }\n', 'seed = 5\nx = { seed = 2 }\n'),
])
def test_set_table_key_top_level_and_typed_values(table, key, value, text, expect):
    from gyrfalcon.mission.outdir import set_table_key

    assert set_table_key(text, table, key, value) == expect


@pytest.mark.parametrize("override", ["seed", "what_if", "no_return"])
def test_saved_scenario_records_each_command_line_override(tmp_path, override):
    """As ``run`` applies them (parse_scenario(no_return=...), then seed/what_if by model_copy): the
    saved scenario parses back to the values flown, says which option set them, and passes
    ``scenario check``."""
    from gyrfalcon.mission.runner import write_outputs

    text = default_scenario_text()
    sc = parse_scenario(text, "<embedded soyuz-ms-28.toml>", no_return=override == "no_return")
    if override == "seed":
        sc = sc.model_copy(update={"seed": 5})
    if override == "what_if":
        sc = sc.model_copy(update={"what_if": True})
    write_outputs(_unflown(sc), tmp_path / "o", text)
    saved = (tmp_path / "o" / "scenario.toml").read_text()
    back = load_scenario(tmp_path / "o" / "scenario.toml")
    assert (back.seed, back.what_if, back.return_.enabled) == (sc.seed, sc.what_if, sc.return_.enabled)
    assert (back.seed, back.what_if, back.return_.enabled) != (0, False, True)       # the override is there
    option = {"seed": "--seed", "what_if": "--what-if", "no_return": "--no-return"}[override]
    assert f"given by {option}" in saved.split("\n\n")[0]
    assert back.model_dump() == sc.model_dump()
    code, res = _invoke("scenario", "check", tmp_path / "o" / "scenario.toml")
    assert code == 0 and "OK" in res.output, res.output


def _ms18(tmp_path):
    from tests.scenario_texts import ms18_station_tle

    tle = ms18_station_tle(tmp_path)
    f = tmp_path / "ms18.toml"
    f.write_text(_edge("2021-04-09T07:42:41Z", name="ms18").replace("Soyuz MS-28", "Soyuz MS-18").replace(
        "[return]\nenabled = false\n", "[stay]\ndays = 10\n[return]\nenabled = true\n"))
    return f, tle


def test_no_return_and_station_tle_run_is_saved_checked_and_flown_again_to_the_ms(tmp_path):
    """The audit's case: MS-18 (2021) from element sets given by option, the 10-day stay's return
    impossible (no station data for its landing day) and switched off by --no-return. The saved
    scenario passes `scenario check` and flies the same flight: same timeline, same chaser OEM."""
    f, tle = _ms18(tmp_path)
    code, res = _invoke("run", f, "--station-tle", tle, "--no-return", "--json", "--out", tmp_path / "a")
    assert code == 0, res.output
    first = json.loads(res.stdout)
    saved = tmp_path / "a" / "scenario.toml"
    back = load_scenario(saved)
    assert back.return_.enabled is False and back.target.ephemeris == "target-ephemeris.tle"
    code, res = _invoke("scenario", "check", saved)
    assert code == 0 and "OK" in res.output, res.output
    code, res = _invoke("run", saved, "--json", "--out", tmp_path / "b")
    assert code == 0, res.output
    again = json.loads(res.stdout)
    assert again["contact_utc"] == first["contact_utc"] is not None and again["events"] == first["events"]
    assert (tmp_path / "a" / "chaser.oem").read_bytes() == (tmp_path / "b" / "chaser.oem").read_bytes()
    # the record flown again carries one "as flown" header, not two (an audit found them stacking)
    record = (tmp_path / "b" / "scenario.toml").read_text()
    assert record.count("# as flown by `gyrfalcon run`") == 1
    # the station report as an object (item: run --json), the one the station loader gives
    from gyrfalcon.mission.runner import target_station

    st = first["station"]
    ref = target_station(load_scenario(f, target_ephemeris=str(tle), no_return=True), str(f))
    assert st == json.loads(json.dumps(ref.to_dict()))
    assert st["kind"] == "elements" and st["drag"]["drag_scale"] > 0 and st["warnings"]
    # one set before liftoff: the loader's words say how the state and drag were obtained
    assert st["drag"]["method"] == "last-set" and any("not enough to fit the series" in w for w in st["warnings"])
    assert st["data_end_utc"] < "2021-04-09T07:42:41Z"          # sets dated after the launch are never used
    assert any(n.startswith("station: ") for n in first["notes"])   # the notes are kept


def test_seed_override_is_saved_and_the_rerun_docks_at_the_same_millisecond(tmp_path):
    from gyrfalcon.mission.runner import fly

    f = tmp_path / "quick.toml"
    f.write_text(quick(0))
    code, res = _invoke("run", f, "--seed", "5", "--json", "--out", tmp_path / "a")
    assert code == 0, res.output
    first = json.loads(res.stdout)
    saved = tmp_path / "a" / "scenario.toml"
    assert load_scenario(saved).seed == 5 == first["seed"]
    again = fly(load_scenario(saved), source=str(saved))
    ref = fly(parse_scenario(quick(5)))              # the flight the option asked for
    assert again.approach.contact_s == ref.approach.contact_s
    assert again.contact_utc == first["contact_utc"] is not None
    assert again.to_json_dict()["events"] == first["events"]


def test_scenario_check_applies_runs_station_rules_and_the_saved_whatif_passes(tmp_path):
    """A fixed liftoff from the damaged pad: `scenario check` refuses it as `run` does (rule,
    reason, the what-if hint), before any flight; `run --what-if --out` flies it and saves
    what_if = true, so that check and a re-run of the saved scenario accept it."""
    f = tmp_path / "pad.toml"
    f.write_text(_edge(PAD_DAMAGED_LIFTOFF))
    code, check = _invoke("scenario", "check", f)
    code_run, run = _invoke("run", f, "--json", "--no-files")
    assert code == code_run == 2
    line = " ".join(check.output.split())
    assert "pad-operational" in line and "what_if = true" in line and "2026-03-03" in line
    assert " ".join(run.output.split()) == line                         # the same refusal, word for word
    code, res = _invoke("run", f, "--what-if", "--json", "--out", tmp_path / "a")
    assert code == 0, res.output
    first = json.loads(res.stdout)
    saved = tmp_path / "a" / "scenario.toml"
    assert load_scenario(saved).what_if is True
    code, res = _invoke("scenario", "check", saved)
    assert code == 0 and "(what-if)" in res.output, res.output
    assert "pad-operational" in res.output                              # the breach is still said
    code, res = _invoke("run", saved, "--json", "--no-files")
    assert code == 0, res.output
    assert json.loads(res.stdout)["contact_utc"] == first["contact_utc"] is not None


def test_scenario_check_of_a_legal_fixed_liftoff_says_the_rules_were_checked(tmp_path):
    f = tmp_path / "q.toml"
    f.write_text(quick(0))
    code, res = _invoke("scenario", "check", f)
    assert code == 0 and "station rules checked at that liftoff" in " ".join(res.output.split()), res.output


def test_scenario_check_finds_the_window_run_would_fly_and_checks_the_rules_there(tmp_path):
    """A scenario whose liftoff comes from a window search (all three shipped ones): `scenario
    check` finds the window `run` finds and checks the station rules at it. The shipped two-day
    what-if (a Soyuz to Rassvet nadir) finds 2025-11-25 10:16 UTC and, its arrival two days later
    being at Rassvet when Soyuz MS-28 arrives there on 27 Nov 12:34 (domain.md 4.1), breaks
    one-vehicle-per-port; without its what-if flag the same check refuses it in one line, exit 2."""
    import shutil

    src = Path(__file__).resolve().parents[2] / "scenarios" / "soyuz-two-day-whatif.toml"
    f = tmp_path / "w.toml"
    shutil.copy(src, f)
    code, res = _invoke("scenario", "check", f)
    out = " ".join(res.output.split())
    assert code == 0 and "liftoff 2025-11-25T10:16:14Z" in out and "one-vehicle-per-port" in out, res.output
    f.write_text(src.read_text().replace("what_if = true  ", "what_if = false "))
    code, res = _invoke("scenario", "check", f)
    assert code == 2 and "one-vehicle-per-port" in res.output and "what-if" in res.output, res.output


def test_a_record_flown_again_keeps_one_header(tmp_path):
    """An audit: each re-run of a saved scenario.toml stacked another '# as flown by' header. The
    record's own header lines are dropped before the new one is written; the scenario is unchanged."""
    from gyrfalcon.mission.runner import _without_record_header

    text = ("# as flown by `gyrfalcon run`: seed 0, liftoff 2025-11-27T09:28:01.3Z\n"
            "# seed = 3: given by --seed\n"
            "# target.ephemeris = 'iss.oem': a copy of /data/iss.oem\n"
            "# Soyuz MS-28, the user's own comment\nname = \"x\"\n")
    assert _without_record_header(text) == "# Soyuz MS-28, the user's own comment\nname = \"x\"\n"
    assert _without_record_header("# my header\nname = 1\n") == "# my header\nname = 1\n"
