"""Property-based (Hypothesis): random text, numbers and dates into the scenario loader, the time
and duration parsers and the command line never give a traceback: either a result or a
GyrfalconError (on the command line: exit 0, or one line and exit code 2)."""
from __future__ import annotations

import json
import tomllib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gyrfalcon.cli.app import app
from gyrfalcon.errors import GyrfalconError

runner = CliRunner()
FAST = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
CLI = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow,
                                                                      HealthCheck.function_scoped_fixture])

digits = lambda n: st.integers(0, 10**n - 1).map(lambda x: f"{x:0{n}d}")
date_like = st.one_of(
    st.builds(lambda y, m, d: f"{y}-{m}-{d}", digits(4), digits(2), digits(2)),
    st.builds(lambda y, m, d, h, mi, s, z: f"{y}-{m}-{d}T{h}:{mi}:{s}{z}", digits(4), digits(2), digits(2),
              digits(2), digits(2), digits(2),
              st.one_of(st.just("Z"), st.just(""), st.builds(lambda sg, a, b: f"{sg}{a}:{b}", st.sampled_from("+-"),
                                                              digits(2), digits(2)))),
    st.builds(lambda y, d, h: f"{y}-{d}T{h}:00", digits(4), digits(3), digits(2)),
    st.text(max_size=40),
)


def _ok_or_ours(fn, *args):
    try:
        return fn(*args)
    except GyrfalconError:
        return None


@FAST
@given(date_like)
def test_parse_utc_never_raises_anything_else(text):
    from gyrfalcon.time import iso_utc, parse_utc

    t = _ok_or_ours(parse_utc, text)
    if t is not None:                      # what it accepts is a real instant that prints back
        assert iso_utc(t).endswith("Z")


@FAST
@given(st.one_of(st.text(max_size=20), st.floats(allow_nan=True).map(str), st.integers().map(lambda i: f"{i}h")))
def test_parse_duration_never_raises_anything_else(text):
    from gyrfalcon.cli.durations import parse_duration_s

    v = _ok_or_ours(parse_duration_s, text)
    assert v is None or v > 0


@FAST
@given(st.text(max_size=60))
def test_parse_fault_never_raises_anything_else(text):
    from gyrfalcon.cli.approach import parse_fault

    _ok_or_ours(parse_fault, text)


scalar = st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                   st.text(max_size=15), date_like)
KEYS = {"": ["name", "title", "seed", "whatever"], "launch": ["pad", "time", "first_feasible_after", "search_days"],
        "stay": ["land_on", "days"], "docking": ["port"], "rendezvous": ["scheme"], "crew": ["names", "callsign"],
        "return": ["enabled", "zone", "mode"], "vehicle": ["spacecraft", "name"], "output": ["oem_step_s", "oem"],
        "dispersions": ["seed", "kurs"]}


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(v)


@st.composite
def scenario_texts(draw):
    lines = []
    for table, keys in KEYS.items():
        if table and not draw(st.booleans()):
            continue
        if table:
            lines.append(f"[{table}]")
        for k in keys:
            if draw(st.integers(0, 3)):
                lines.append(f"{k} = {_toml_value(draw(scalar))}")
    return "\n".join(lines) + "\n"


@FAST
@given(st.one_of(scenario_texts(), st.text(max_size=200)))
def test_the_scenario_loader_never_raises_anything_else(text):
    from gyrfalcon.mission.scenario import parse_scenario

    _ok_or_ours(parse_scenario, text, "<fuzz>")


@FAST
@given(scenario_texts())
def test_the_dispersions_parser_never_raises_anything_else(text):
    from gyrfalcon.scale.dispersions import parse_dispersions

    try:
        data = tomllib.loads(text).get("dispersions")
    except tomllib.TOMLDecodeError:
        return
    _ok_or_ours(parse_dispersions, data, "<fuzz>")


def _clean(res):
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    assert res.exit_code in (0, 2), (res.exit_code, res.output)
    if res.exit_code == 2:
        assert res.output.strip(), "a refusal must say why"


@CLI
@given(scenario_texts())
def test_cli_scenario_check_on_random_files(tmp_path_factory, text):
    f = tmp_path_factory.mktemp("s") / "s.toml"
    f.write_text(text)
    _clean(runner.invoke(app, ["scenario", "check", str(f)]))


@CLI
@given(date_like)
def test_cli_dates(text):
    _clean(runner.invoke(app, ["traffic", "show", "--builtin", "--date", text]))
    _clean(runner.invoke(app, ["station", "--at", text, "--json"]))


@CLI
@given(st.text(max_size=12), st.text(max_size=12), st.sampled_from(["two-body", "zonal", "x", ""]))
def test_cli_propagate_numbers_and_words(duration, step, model):
    # an invalid --from-state makes every combination end before a propagation
    _clean(runner.invoke(app, ["propagate", "--from-state", "{}", "--duration", duration, "--step", step,
                               "--model", model]))


@CLI
@given(st.integers(-2**70, 2**70), st.integers(-2**70, 2**70), st.integers(-5, 5000))
def test_cli_montecarlo_numbers(tmp_path_factory, runs, seed, workers):
    blocker = tmp_path_factory.mktemp("m") / "file"
    blocker.write_text("not a folder")          # every accepted combination stops at the output check
    res = runner.invoke(app, ["montecarlo", "--runs", str(runs), "--seed", str(seed), "--workers", str(workers),
                              "--out", str(blocker)])
    _clean(res)
    assert res.exit_code == 2 and blocker.read_text() == "not a folder"
