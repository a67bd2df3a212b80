"""Answers a user audit found wrong or unclear (7 Dec 2026), against the project's reference data:
the late-2025 record and its 2026 plan (Soyuz MS-28 docked to Rassvet nadir on 27 Nov 2025 and
lands on 26 Jul 2026, seed articles; Progress MS-33, planned for 21 Dec 2025, flew on 22 Mar 2026,
domain.md 7.2), and the packaged NASA ISS file of 2026-07-01 that `gyrfalcon run` flies the
default return with."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from gyrfalcon.cli.app import app

runner = CliRunner()


def _text(res) -> str:
    return " ".join(res.output.split())


def test_a_day_of_the_2026_plan_says_it_is_a_plan_and_a_day_past_the_record_says_so(tmp_path, monkeypatch):
    """Before: `traffic show --date 2026-01-15 --builtin` put Progress MS-33 at Poisk without a word
    (the plan made before the pad damage), and the database's own manifest kept vehicles docked
    whose departures it does not record."""
    planned = runner.invoke(app, ["traffic", "show", "--date", "2026-01-15", "--builtin"])
    assert planned.exit_code == 0, planned.output
    assert "Progress MS-33" in planned.output
    assert "a plan, not a record (Progress MS-33, planned for 21 Dec 2025, flew on 22 Mar 2026)" in _text(planned)
    monkeypatch.setenv("GYRFALCON_DATA_DIR", str(tmp_path))
    stored = runner.invoke(app, ["traffic", "show", "--date", "2026-01-15", "--json"])
    assert stored.exit_code == 0, stored.output
    note = json.loads(stored.stdout)["note"]
    assert note.startswith("the manifest's last event is on 2025-12-09")
    recorded = runner.invoke(app, ["traffic", "show", "--date", "2025-12-01", "--json"])
    assert json.loads(recorded.stdout).get("note") is None        # a recorded day: all eight ports


def test_ms28s_return_is_planned_from_rassvet_with_the_data_run_uses(tmp_path):
    """Before: `landing --undock 2026-07-26T07:01Z` undocked MS-28 from Prichal (it is at Rassvet)
    and without --station-oem refused the day, 228 days past the packaged 2025 file, while `run`
    flies that return with its packaged excerpt of NASA's 2026-07-01 file."""
    res = runner.invoke(app, ["landing", "--undock", "2026-07-26T07:01Z", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["port"] == "rassvet-nadir"
    assert "2026-07-01" in d["source"]
    assert d["landing_utc"].startswith("2026-07-26T10:")      # the morning's pass over the Soyuz zone


def test_traffic_show_at_an_instant_and_a_day_with_a_time_refused():
    """Before: `traffic show --date 2025-11-27T10:00Z` showed the end of the day without a word.
    Now a day with a time is refused (exit 2, naming --at) and `--at` shows the instant: Soyuz MS-28
    docked to Rassvet nadir at 12:34:35 UTC that day (seed articles), so Rassvet is free at 10:00
    and taken at 12:40."""
    refused = runner.invoke(app, ["traffic", "show", "--builtin", "--date", "2025-11-27T10:00Z"])
    assert refused.exit_code == 2 and "--at 2025-11-27T10:00Z" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    before = json.loads(runner.invoke(app, ["traffic", "show", "--builtin", "--at", "2025-11-27T10:00Z",
                                            "--json"]).stdout)
    after = json.loads(runner.invoke(app, ["traffic", "show", "--builtin", "--at", "2025-11-27T12:40Z",
                                           "--json"]).stdout)
    assert before["ports"]["rassvet-nadir"] is None and after["ports"]["rassvet-nadir"] == "Soyuz MS-28"
    table = runner.invoke(app, ["traffic", "show", "--builtin", "--at", "2025-11-27T12:40Z"])
    assert table.exit_code == 0 and "at 2025-11-27T12:40:00Z" in table.output
    both = runner.invoke(app, ["traffic", "show", "--builtin", "--date", "2025-11-27", "--at", "2025-11-27T12:40Z"])
    assert both.exit_code == 2 and "give one of --date" in both.output


def test_a_gantt_reaching_into_the_2026_plan_says_it_is_a_plan(tmp_path):
    """The built-in chart runs to July 2026: from 15 Dec 2025 that is the plan made before the pad
    damage (Progress MS-33 flew on 22 Mar 2026, not 21 Dec 2025), as `traffic show` says; a chart
    ending on a recorded day carries no note."""
    res = runner.invoke(app, ["traffic", "gantt", "--builtin", "--out", str(tmp_path / "plan.png")])
    assert res.exit_code == 0 and "a plan, not a record" in _text(res)
    res = runner.invoke(app, ["traffic", "gantt", "--builtin", "--out", str(tmp_path / "rec.png"),
                              "--to", "2025-12-01"])
    assert res.exit_code == 0 and "note:" not in res.output


def test_montecarlo_takes_the_what_if_its_refusal_suggests(tmp_path):
    """An audit: a campaign refused for a station rule said "--what-if on the command line", an
    option montecarlo did not have. It has it now, as `run` does: the two-day what-if scenario with
    its what_if line removed is refused naming --what-if, and flown with it (the pad damaged by
    the Soyuz MS-28 launch of 27 Nov 2025 is the rule broken, seed articles)."""
    from pathlib import Path

    text = Path("scenarios/soyuz-two-day-whatif.toml").read_text(encoding="utf-8")
    plain = tmp_path / "plain.toml"
    plain.write_text(text.replace("what_if = true", "what_if = false"), encoding="utf-8")
    refused = runner.invoke(app, ["montecarlo", str(plain), "--runs", "2", "--out", str(tmp_path / "a")])
    assert refused.exit_code == 2 and "--what-if" in refused.stderr
    assert not (tmp_path / "a").exists()
    flown = runner.invoke(app, ["montecarlo", str(plain), "--runs", "2", "--out", str(tmp_path / "b"), "--what-if",
                                "--json"])
    assert flown.exit_code == 0, flown.output
    assert json.loads(flown.stdout)["runs"] == 2 and "what-if" in flown.stderr
