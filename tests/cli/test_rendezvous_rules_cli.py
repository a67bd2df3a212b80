"""``gyrfalcon rendezvous`` / ``windows`` as a user runs them (issue 14 audit items 1-4, 8, 9):
refusals in one line with exit code 2, what-if output without literal markup, the phase printed
in the convention of the range it is compared with.

References: Soyuz MS-28 lifted off 2025-11-27 09:27:57.4 UTC and docked at Rassvet nadir (late-2025
record, domain.md 4.1); Baikonur 31/6 damaged until 3 Mar 2026 (launch-site catalogue); the
two-day range 200-420 deg (launch/data/schemes.toml, SoyCOM widened).
"""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gyrfalcon.cli.app import app

from tests.typer_apps import one_line_exit_2 as _one_line_exit_2

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data"
MS27_OEM = DATA / "iss_oem_fb1131d_launch_2025-04-08_excerpt.txt.gz"


def test_a_liftoff_out_of_the_station_plane_is_refused_what_if_or_not():
    for extra in ([], ["--what-if"]):
        _one_line_exit_2(runner.invoke(app, ["rendezvous", "--station-oem", str(MS27_OEM), "--launch",
                                             "2025-04-08T07:30:00Z", *extra]),
                         "5.32 deg out of the target plane", "at most 3 deg", "gyrfalcon windows")


def test_a_damaged_pad_is_refused_with_its_repair_date_before_any_work():
    _one_line_exit_2(runner.invoke(app, ["rendezvous", "--launch", "2025-12-01T07:54:36.9Z"]),
                     "pad-operational", "damaged", "back in service on 2026-03-03", "--what-if")


def test_ms28s_own_liftoff_on_a_two_day_plan_is_not_blocked_by_ms28_in_any_spelling():
    """Before: exit 2 'rassvet-nadir is occupied by Soyuz MS-28' (the flight blocked by itself)."""
    res = runner.invoke(app, ["rendezvous", "--scheme", "two-day", "--port", "Rassvet-Nadir", "--vehicle", "Soyuz-MS",
                              "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["scheme"] == "two-day" and d["notes"] == [] and d["what_if"] is False
    assert d["contact_utc"].startswith("2025-11-29"), d["contact_utc"]
    # MS-28's 14.7 deg is, counted as the two-day scheme counts it, 374.7 deg (range 200-420)
    assert 14.0 < d["phase_at_insertion_deg"] < 15.5
    assert abs(d["catch_up_deg"] - d["phase_at_insertion_deg"] - 360.0) < 1e-9


def test_a_what_if_prints_plain_text_and_the_phase_as_the_range_reads():
    """Before: '[bold yellow]WHAT-IF[/]: ...' printed literally, and 'station -66.7 deg ahead ...
    inside the two-day range 200-420 deg' where `windows` shows 293.3."""
    res = runner.invoke(app, ["rendezvous", "--launch", "2025-11-26T09:53:38.3Z", "--scheme", "two-day", "--what-if"])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "[bold" not in out and "[/]" not in out
    assert out.splitlines()[0].startswith("WHAT-IF: flown as asked")
    flat = " ".join(out.split())
    assert "station 293.3 deg ahead at insertion: inside the two-day range 200-420 deg" in flat
    assert "note: what-if: breaks rule one-vehicle-per-port" in flat and "Soyuz MS-28" in flat


def test_windows_what_if_prints_plain_text():
    res = runner.invoke(app, ["windows", "--from", "2025-12-01", "--days", "1", "--what-if"])
    assert res.exit_code == 0, res.output
    assert "[bold" not in res.stdout and "[/]" not in res.stdout
    assert res.stdout.splitlines()[0].startswith("WHAT-IF: the pad is treated as in service")
