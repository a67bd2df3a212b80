"""``POST /api/runs`` refuses before queueing whatever ``gyrfalcon scenario check`` refuses (and
``gyrfalcon run`` refuses before flying), in the same one line: the launch geometry (the pad near
the scheme's plane, then the phase at insertion), then the station rules, each refusal completed
as the command line completes it (the nearest launch that fits, the station data's age, the pads
in service), for the embedded station and for an uploaded one (``station_oem`` / ``station_tle``),
for a fixed ``launch.time`` and for a window search.

Before (audit): only the station rules were checked, at a fixed ``launch.time``, and without
their completion; a liftoff ``run`` refuses for its plane or phase was queued (202) and the job
then failed, or was refused for another reason than the one ``run`` gives.

Every expected message is the command line's own line (``scenario check`` on the same scenario,
with the station file it names where the request uploads one), never a text written here.
References: Soyuz MS-28 lifted off 2025-11-27 09:27:57.4 UTC from Baikonur Site 31/6 on a
two-orbit profile, which damaged the pad until 2026-03-03; Soyuz MS-21 lifted off 2022-03-18
15:55:18 UTC to Prichal nadir, the last element set before it in tests/data/iss_tles_public.csv
being 29.9 days old; Progress MS-13 lifted off 2019-12-06 09:34:11 UTC from Site 31/6, Site 1/5
being retired since 2019-09-26 (tests/cli/test_refusal_context.py).
"""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gyrfalcon.cli.app import app
from gyrfalcon.mission.scenario import default_scenario_text
from tests.typer_apps import one_line_exit_2

from .conftest import TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}
DATA = Path(__file__).resolve().parents[1] / "data"
OLD_TLES = DATA / "iss_tles_public.csv"
AN_HOUR_LATE = "2025-11-27T10:27:57Z"       # MS-28 an hour late: the pad out of the station's plane
TWENTY_MIN_EARLY = "2025-11-27T09:07:57Z"   # in reach of the plane, the phase not a two-orbit one
runner = CliRunner()
pytestmark = pytest.mark.filterwarnings("ignore::gyrfalcon.errors.StationDataWarning")


def _scenario(name: str, launch: dict, **keys) -> str:
    """The packaged MS-28 scenario named ``name``, lifting off as ``launch`` says (``time``, or
    ``first_feasible_after`` and ``search_days``), with ``keys`` (TOML keys met once in it) set
    to their values (``None``: the key removed)."""
    text = default_scenario_text().split("[real]")[0].replace('name = "soyuz-ms-28"', f'name = "{name}"', 1)
    lines = "".join(f"{k} = {json.dumps(v)}\n" for k, v in launch.items())
    text, n = re.subn(r"(?m)^first_feasible_after = .*\nsearch_days = .*\n", lines, text)
    assert n == 1
    for key, value in keys.items():
        text, n = re.subn(rf"(?m)^{key} = .*$", "" if value is None else f"{key} = {json.dumps(value)}", text)
        assert n == 1, key
    return text


def _check_line(tmp_path, text: str, station: Path | None = None) -> str:
    """The one line ``gyrfalcon scenario check`` refuses ``text`` with (exit 2), without its
    ``error: ``; ``station``: the station file the scenario names as ``target.ephemeris`` (what
    the request uploads)."""
    if station is not None:
        head, tail = text.split("[target]\n", 1)
        assert 'ephemeris = "embedded"' in tail
        text = head + "[target]\n" + tail.replace('ephemeris = "embedded"', f"ephemeris = {json.dumps(str(station))}", 1)
    f = tmp_path / "scenario.toml"
    f.write_text(text)
    line = one_line_exit_2(runner.invoke(app, ["scenario", "check", str(f)]))
    assert line.startswith("error: "), line
    return line[len("error: "):]


def _assert_refused_as_the_cli_refuses(client, body: dict, line: str, uploads: Path | None = None) -> dict:
    """``POST /api/runs`` with ``body``: 422, the command line's ``line`` as ``detail``, the broken
    station rule (if any, as the line names it) as ``rule``, and no job; no station upload left."""
    before = sorted(uploads.iterdir()) if uploads is not None and uploads.is_dir() else []
    r = client.post("/api/runs", json=body, headers=AUTH)
    assert r.status_code == 422, r.json()
    got = r.json()
    rule = re.search(r"\(rule ([a-z0-9-]+)\)", line)
    assert got == {"detail": line, "rule": rule.group(1) if rule else None}
    assert client.get("/api/jobs").json() == []
    if uploads is not None:
        assert (sorted(uploads.iterdir()) if uploads.is_dir() else []) == before
    return got


# --- the launch geometry, embedded station ---------------------------------------------------------
@pytest.mark.parametrize("launch", [AN_HOUR_LATE, TWENTY_MIN_EARLY], ids=["an-hour-late", "twenty-min-early"])
def test_a_fixed_liftoff_run_refuses_for_its_plane_or_phase_is_refused_before_it_is_queued(client, tmp_path,
                                                                                            launch):
    """Before: an hour late, 422 for the pad rule (the pad damaged at the real launch), not the
    plane that `run` refuses first; twenty minutes early, 202, and the job failed in its window
    phase with `run`'s line."""
    text = _scenario("web-geometry", {"time": launch})
    line = _check_line(tmp_path, text)
    assert "nearest launch that fits" in line           # the completion, not the bare planner refusal
    _assert_refused_as_the_cli_refuses(client, {"scenario_toml": text}, line)


def test_a_scenario_refused_for_its_plane_and_the_pad_is_refused_for_the_plane_as_a_what_if_too(client,
                                                                                                tmp_path):
    """The launch geometry is a limit of the launcher: refused before the station rules, what-if or not
    (as `run --what-if` refuses it)."""
    text = _scenario("web-geometry", {"time": AN_HOUR_LATE}).replace("seed = 0\n", "seed = 0\nwhat_if = true\n", 1)
    assert re.search(r"(?m)^what_if = true$", text)
    line = _check_line(tmp_path, text)
    assert "out of the target plane" in line
    _assert_refused_as_the_cli_refuses(client, {"scenario_toml": text}, line)


def test_stale_station_data_behind_a_refusal_are_said_as_the_cli_says_them(client, tmp_path):
    """The packaged NASA OEM was created 2025-11-24 20:10 UTC: a liftoff on 3 Dec 2025 off the plane
    is refused with the data's age (before: 422 for the pad rule, without it)."""
    text = _scenario("web-stale", {"time": "2025-12-03T00:00:00Z"})
    line = _check_line(tmp_path, text)
    assert "; note: the station data were made" in line
    _assert_refused_as_the_cli_refuses(client, {"scenario_toml": text}, line)


# --- a window search -------------------------------------------------------------------------------
def test_a_window_search_run_refuses_is_refused_before_it_is_queued(client, tmp_path):
    """MS-28 searching from 28 Nov 2025, its pad damaged since the 27th: no window. Before: 202,
    and the job failed with this line."""
    text = _scenario("web-search", {"first_feasible_after": "2025-11-28", "search_days": 3})
    line = _check_line(tmp_path, text)
    assert line.startswith("launch: no feasible")
    _assert_refused_as_the_cli_refuses(client, {"scenario_toml": text}, line)


# --- uploaded stations -----------------------------------------------------------------------------
def test_an_uploaded_oem_is_checked_for_the_launch_geometry_before_queueing(client, runs_dir, tmp_path):
    """NASA's ISS OEM uploaded as station_oem: MS-28 an hour late, refused for its plane as
    `scenario check` refuses it with that file as target.ephemeris (before: 422 for the pad rule);
    the upload is deleted."""
    from gyrfalcon.mission.outdir import UPLOAD_DIR
    from gyrfalcon.orbits.iss import iss_default_path

    oem = gzip.decompress(iss_default_path().read_bytes()).decode()
    station = tmp_path / "iss.oem"
    station.write_text(oem)
    text = _scenario("web-oem", {"time": AN_HOUR_LATE})
    line = _check_line(tmp_path, text, station).replace(str(station), "station_oem (uploaded)")
    assert "out of the target plane" in line
    _assert_refused_as_the_cli_refuses(client, {"scenario_toml": text, "station_oem": oem}, line,
                                       uploads=runs_dir / UPLOAD_DIR)


def test_uploaded_stale_element_sets_behind_a_phase_refusal_are_said_as_the_cli_says_them(client, runs_dir,
                                                                                          tmp_path):
    """Soyuz MS-21 from element sets 29.9 days old: the phase refused with the sets' age (before:
    202; the job failed)."""
    from gyrfalcon.mission.outdir import UPLOAD_DIR

    text = _scenario("web-ms21", {"time": "2022-03-18T15:55:18.451Z"}, port="prichal-nadir", enabled=False,
                     land_on=None, countdown=[])
    line = _check_line(tmp_path, text, OLD_TLES).replace(str(OLD_TLES), "station_tle (uploaded)")
    assert "; note: the station data end" in line
    _assert_refused_as_the_cli_refuses(client, {"scenario_toml": text, "station_tle": OLD_TLES.read_text()}, line,
                                       uploads=runs_dir / UPLOAD_DIR)


def test_a_retired_pad_is_refused_with_the_pads_in_service_as_the_cli_says_them(client, runs_dir, tmp_path):
    """Progress MS-13 from Site 1/5, retired with no return recorded (station_tle): the pad rule
    with the pads in service that fly that liftoff (before: the rule alone)."""
    from gyrfalcon.mission.outdir import UPLOAD_DIR

    text = _scenario("web-ms13", {"time": "2019-12-06T09:34:11Z"}, spacecraft="progress-ms", launcher="soyuz-fg",
                     pad="baikonur-1", names=[], countdown=[], enabled=False, land_on=None)
    text = text.replace("[stay]\n", "[stay]\ndays = 180\n", 1)
    line = _check_line(tmp_path, text, OLD_TLES).replace(str(OLD_TLES), "station_tle (uploaded)")
    assert "pads in service then that fly progress-ms at this liftoff" in line
    _assert_refused_as_the_cli_refuses(client, {"scenario_toml": text, "station_tle": OLD_TLES.read_text()}, line,
                                       uploads=runs_dir / UPLOAD_DIR)
