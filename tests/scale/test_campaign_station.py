"""A campaign's station data: its warnings reach the user, the summary and the report; its bytes
are part of the campaign's identity (a changed station file is never resumed)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"

# Soyuz MS-27 (liftoff 2025-04-08 05:47:15 UTC) planned on NASA's OEM created 2025-04-01: the data
# are 7.2 days old and NASA's own event summary plans a reboost (2025-04-02) before the flight.
MS27 = """name = "ms27"
title = "Soyuz MS-27"
seed = 1

[vehicle]
spacecraft = "soyuz-ms"
launcher = "soyuz-2.1a"
name = "Soyuz MS-27"

[launch]
pad = "baikonur-31"
time = "2025-04-08T05:47:15Z"

[target]
station = "iss"
ephemeris = "embedded"

[rendezvous]
scheme = "two-orbit"

[docking]
port = "prichal-nadir"

[return]
enabled = false

[output]
oem = true
czml = false
report = false
"""


def _cli():
    import typer

    from gyrfalcon.cli.montecarlo import register

    app = typer.Typer()
    register(app)

    @app.command("noop")
    def _noop():  # a second command so that typer keeps the sub-command name
        pass

    return app


def test_montecarlo_reports_the_station_warnings_as_run_does(tmp_path):
    from typer.testing import CliRunner

    from gyrfalcon.mission.runner import target_station
    from gyrfalcon.mission.scenario import parse_scenario

    oem = tmp_path / "iss_2025-04-01.txt.gz"
    shutil.copy(DATA / "iss_oem_fb1131d_launch_2025-04-08_excerpt.txt.gz", oem)
    scen = tmp_path / "ms27.toml"
    scen.write_text(MS27)
    # what `gyrfalcon run` notes for the same flight (the one loader, same launch time)
    expected = target_station(parse_scenario(MS27, str(scen), target_ephemeris=str(oem)), str(scen)).warnings
    assert any("7.2 days older" in w for w in expected) and any("planned burn" in w for w in expected)
    out = tmp_path / "mc"
    res = CliRunner().invoke(_cli(), ["montecarlo", str(scen), "--runs", "2", "--station-oem", str(oem),
                                      "--out", str(out)])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    for w in expected:
        assert " ".join(f"warning: {w}".split()) in text
    summ = json.loads((out / "summary.json").read_text())
    assert summ["station_warnings"] == list(expected)
    html = (out / "report.html").read_text()
    assert "Station data warnings" in html and "7.2 days older" in html and "GMT092 ISS Reboost" in html


def _folder_with_unfinished_campaign(tmp_path, tle: Path):
    """An output folder as a killed campaign on ``tle`` leaves it: owner file, manifest, no COMPLETE."""
    from gyrfalcon.mission import outdir as od
    from gyrfalcon.mission.scenario import default_scenario_text, parse_scenario
    from gyrfalcon.scale.campaign import MANIFEST_FILE, campaign_manifest
    from gyrfalcon.scale.dispersions import Dispersions

    sc = parse_scenario(default_scenario_text(), "<embedded>", target_ephemeris=str(tle))
    out = tmp_path / "mc"
    out.mkdir()
    od.atomic_write_text(out / od.OWNER_FILE, "gyrfalcon montecarlo output\n")
    man = campaign_manifest(sc, Dispersions(), 0, 2, 2, True, True)
    (out / MANIFEST_FILE).write_text(json.dumps(man))
    (out / "chunks").mkdir()
    return sc, out, man


def test_a_changed_station_file_is_another_campaign(tmp_path):
    from gyrfalcon.scale.campaign import CampaignFolderError, campaign_manifest, run_campaign_in_folder
    from gyrfalcon.scale.dispersions import Dispersions

    tle = tmp_path / "series.txt"
    lines = (DATA / "iss_tles_ms28_series.txt").read_text().splitlines(keepends=True)
    tle.write_text("".join(lines))
    sc, out, before = _folder_with_unfinished_campaign(tmp_path, tle)
    assert len(before["station_sha256"]) == 64
    assert campaign_manifest(sc, Dispersions(), 0, 2, 2, True, True) == before   # same bytes: resumable
    tle.write_text("".join(lines[:-3]))      # the same path, one element set fewer
    after = campaign_manifest(sc, Dispersions(), 0, 2, 2, True, True)
    assert after["station_sha256"] != before["station_sha256"]
    assert {k for k in before if before[k] != after[k]} == {"station_sha256"}
    with pytest.raises(CampaignFolderError, match="other station data.*give a new --out"):
        run_campaign_in_folder(sc, 2, out, dispersions=Dispersions(), campaign_seed=0, chunk_size=2)
    assert not (out / "COMPLETE").exists() and (out / "campaign.json").read_text() == json.dumps(before)


def test_the_embedded_station_is_named_not_hashed():
    from gyrfalcon.mission.scenario import default_scenario
    from gyrfalcon.scale.campaign import station_identity

    assert station_identity(default_scenario()) == "embedded"


def test_a_what_if_campaign_says_so_everywhere(tmp_path):
    """A Soyuz on MS-28's liftoff to Poisk zenith, which Progress MS-31 held then (the late-2025
    manifest, domain.md 4.1), flown as a what-if: the campaign says which rule it breaks on the
    terminal, in summary.json and in report.html, as `gyrfalcon run` notes it."""
    from typer.testing import CliRunner

    from gyrfalcon.mission.scenario import default_scenario_text

    text = (default_scenario_text().replace('seed = 0', 'seed = 0\nwhat_if = true', 1)
            .replace('"rassvet-nadir"', '"poisk-zenith"', 1))
    scen = tmp_path / "wi.toml"
    scen.write_text(text)
    out = tmp_path / "mc"
    res = CliRunner().invoke(_cli(), ["montecarlo", str(scen), "--runs", "2", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "what-if: breaks rule one-vehicle-per-port" in " ".join(res.output.split())
    summ = json.loads((out / "summary.json").read_text())
    assert summ["what_if"] is True and any("Progress MS-31" in n for n in summ["rule_notes"])
    assert "What-if: station rules broken" in (out / "report.html").read_text()


def test_a_refused_campaign_leaves_the_finished_one_in_its_folder(tmp_path):
    """Found by an audit: a campaign refused by a station rule (or its station data) first cleared
    the finished campaign in --out (its runs, summary, report, chunks) and left a folder that
    could not be resumed. The nominal flight is now checked before anything is cleared; and a
    replaced campaign's chunk folder loses only its chunk files."""
    from gyrfalcon.mission import outdir as od
    from gyrfalcon.mission.scenario import default_scenario_text
    from gyrfalcon.scale.campaign import run_campaign_in_folder
    from gyrfalcon.traffic.flight_rules import WhatIfRequiredError

    out = tmp_path / "mc"
    (out / "chunks").mkdir(parents=True)
    files = {od.OWNER_FILE: "gyrfalcon montecarlo output\n", "campaign.json": '{"runs": 5}\n',
             "runs.parquet": "PAR1", "summary.json": "{}\n", od.COMPLETE_FILE: "gyrfalcon montecarlo complete\n",
             "chunks/runs-000000000-000000005.parquet": "PAR1", "chunks/README.txt": "mine"}
    for name, text in files.items():
        (out / name).write_text(text)
    occupied = (default_scenario_text().replace('first_feasible_after = "2025-11-27"', 'time = "2025-11-27T09:27:57.4Z"')
                .replace('port = "rassvet-nadir"', 'port = "poisk-zenith"'))       # Progress MS-31 is there
    with pytest.raises(WhatIfRequiredError, match="poisk-zenith is occupied"):
        run_campaign_in_folder(occupied, 5, out)
    assert {n: (out / n).read_text() for n in files} == files


def test_json_outputs_write_no_value_as_null_not_nan():
    """Found by an audit: a campaign capturing no run wrote "contact_delay_p_s": [NaN, ...] into
    summary.json and --json, which strict JSON readers (JavaScript's JSON.parse) refuse."""
    import json as _json

    from gyrfalcon.io.jsontext import json_text
    from gyrfalcon.scale.report import _pct

    text = json_text({"contact_delay_p_s": _pct([None, float("nan")]), "runs": 3})
    assert _json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}")) == \
        {"contact_delay_p_s": [None, None, None, None], "runs": 3}
