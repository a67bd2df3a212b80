"""``gyrfalcon run`` checks the launch geometry as ``gyrfalcon rendezvous`` does, before anything is
flown (audit): a liftoff out of the station's plane and a phase the scheme does not fit are refused
in one line naming the nearest launch that fits; and ``run`` prints the station data's warnings
that the runner marks as warnings, whatever the order of its notes.

References: Soyuz MS-28 launched 27 Nov 2025 09:27:57.4 UTC from Baikonur Site 31/6 on a two-orbit
profile (domain.md 1.1); the two-orbit phase range 10-18 deg (rendezvous/data/schemes.toml);
``gyrfalcon rendezvous --scheme two-orbit`` at the same liftoff is the reference wording.
"""
from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from gyrfalcon.cli.app import app
from gyrfalcon.mission.scenario import default_scenario_text
from tests.typer_apps import one_line_exit_2

runner = CliRunner()
AN_HOUR_LATE = "2025-11-27T10:28:00Z"      # the pad 3.7 deg out of the station's plane
TWENTY_MIN_EARLY = "2025-11-27T09:08:00Z"  # in reach of the plane; the station 300 deg ahead (a two-day phase)


def _ms28_at(tmp_path, launch: str):
    """The default MS-28 scenario (two-orbit, pad damaged by its own launch) lifting off at ``launch``."""
    text, n = re.subn(r"(?m)^first_feasible_after = .*$", f'time = "{launch}"', default_scenario_text())
    assert n == 1
    f = tmp_path / "late.toml"
    f.write_text(text)
    return f


@pytest.fixture()
def nothing_flown(monkeypatch):
    """The countdown and the guided ascent fail the test if they are reached."""
    import gyrfalcon.launch.ascent as ascent
    import gyrfalcon.launch.countdown as countdown

    def reached(*a, **k):
        raise AssertionError("reached before the launch geometry was checked")

    monkeypatch.setattr(ascent, "fly_ascent", reached)
    monkeypatch.setattr(countdown, "run_countdown", reached)


def _rendezvous_line(launch: str) -> str:
    return one_line_exit_2(runner.invoke(app, ["rendezvous", "--launch", launch, "--scheme", "two-orbit"]))


def _nearest_two_orbit_phase(line: str) -> float:
    m = re.search(r"; nearest launch that fits: \S+ \(two-orbit, phase ([0-9.]+) deg\)$", line)
    assert m is not None, line
    return float(m.group(1))


@pytest.mark.parametrize("what_if", [False, True])
def test_an_out_of_plane_liftoff_is_refused_with_the_nearest_launch_as_rendezvous_says_it(tmp_path, nothing_flown,
                                                                                            what_if):
    """Before: "the pad is 3.62 deg out of the target plane ... lists the launch times" (from the
    ascent, with --what-if; without it the pad rule came first and asked for a what-if that
    cannot help), with no launch that fits."""
    out = tmp_path / "out"
    args = ["run", str(_ms28_at(tmp_path, AN_HOUR_LATE)), "--out", str(out)] + (["--what-if"] if what_if else [])
    line = one_line_exit_2(runner.invoke(app, args), "launch.time: 2025-11-27T10:28:00.0Z from baikonur-31: ",
                           "out of the target plane at liftoff")
    ref = _rendezvous_line(AN_HOUR_LATE)
    assert line.split(" from baikonur-31: ", 1)[1] == ref.split(" from baikonur-31: ", 1)[1]
    assert 10.0 <= _nearest_two_orbit_phase(line) <= 18.0
    assert not out.exists()


def test_a_phase_out_of_the_scheme_is_refused_before_the_ascent(tmp_path, nothing_flown):
    """Before: "the third stage runs dry about 11 m/s short of the target orbit" (the ascent flown
    into the two-day plane 'auto' chose, not the scenario's two-orbit one), where rendezvous
    names the phase, the scheme that fits and the nearest launch that fits."""
    out = tmp_path / "out"
    line = one_line_exit_2(runner.invoke(app, ["run", str(_ms28_at(tmp_path, TWENTY_MIN_EARLY)), "--out", str(out)]),
                           'rendezvous.scheme = "two-orbit": launch 2025-11-27T09:08:00.0Z from baikonur-31: ',
                           'set rendezvous.scheme = "two-day" (or "auto")', "move launch.time to a two-orbit window")
    ref = _rendezvous_line(TWENTY_MIN_EARLY)
    phase = re.compile(r"station [0-9.]+ deg ahead at insertion: outside the two-orbit range [^;]*")
    assert phase.search(line).group(0) == phase.search(ref).group(0)
    assert line.split("; pad ", 1)[1] == ref.split("; pad ", 1)[1]     # the pad's part and the nearest launch
    assert 10.0 <= _nearest_two_orbit_phase(line) <= 18.0
    assert "third stage" not in line and not out.exists()



@pytest.mark.parametrize("launch", [AN_HOUR_LATE, TWENTY_MIN_EARLY])
def test_scenario_check_refuses_what_run_refuses_in_the_same_words(tmp_path, nothing_flown, launch):
    """`scenario check` checks the launch geometry as `run` does before flying (it used to say OK
    for a liftoff `run` refuses): the same one line, the nearest launch that fits included."""
    sc = _ms28_at(tmp_path, launch)
    checked = one_line_exit_2(runner.invoke(app, ["scenario", "check", str(sc)]), "nearest launch that fits")
    flown = one_line_exit_2(runner.invoke(app, ["run", str(sc), "--no-files"]))
    assert checked.split(": ", 1)[1] == flown.split(": ", 1)[1]

def test_run_prints_the_warnings_the_result_marks_not_the_station_notes_after_the_first(monkeypatch):
    """Before: every "station: " note but the first was printed as a warning, which relied on the
    runner writing the description of the data first."""
    import gyrfalcon.mission.runner as mission_runner
    from gyrfalcon.mission.result import MissionResult
    from gyrfalcon.mission.scenario import parse_scenario

    described = "station: packaged NASA ISS OEM (the description of the data)"
    result = MissionResult(scenario=parse_scenario(default_scenario_text()), seed=0, launch_utc="2025-11-27T09:27:57.4Z",
                           insertion_utc=None, contact_utc=None, landing_utc=None, total_dv_mps=None,
                           notes=("station: the data are old", described), warnings=("the data are old",))
    monkeypatch.setattr(mission_runner, "fly", lambda sc, **kw: result)
    res = runner.invoke(app, ["run", "--no-files", "--json"])
    assert res.exit_code == 0, res.output
    assert [ln for ln in res.stderr.splitlines() if "warning" in ln] == ["warning: the data are old"]
