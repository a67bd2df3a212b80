"""The web API gives the command line's answers, and says what works when a request is wrong
(found by an audit of the API, 7 Dec 2026).

References: the command line's own wording for the same inputs (``gyrfalcon run`` completes a
scheme refusal with the pad's part and the nearest launch that fits; a flight that is not
captured exits 3 with "approach ended without capture"); ``traffic show --json`` for the
occupancy; the late-2025 manifest (all eight ports occupied on 1 Dec 2025; Soyuz MS-28 docked
to Rassvet); the scheme ranges of rendezvous/data/schemes.toml (26 Nov 2025 09:53:38 UTC: the
station is 293 deg ahead, a two-day phase).
"""
from __future__ import annotations

import dataclasses
import json
import shutil
import time

from typer.testing import CliRunner

from .conftest import RUN, TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _wait(q, job_id, limit_s=240):
    t0 = time.monotonic()
    while q.get(job_id).state in ("queued", "running") and time.monotonic() - t0 < limit_s:
        time.sleep(0.05)
    return q.get(job_id)


def test_a_job_whose_scheme_does_not_fit_fails_with_the_command_lines_whole_refusal(tmp_path):
    """Before: the job's error stopped after "...or move launch.time to a two-orbit window", where
    `gyrfalcon run` adds the pad's part and the nearest launch that fits."""
    from gyrfalcon.mission.scenario import parse_scenario
    from gyrfalcon.web.jobs import JobQueue
    from tests.cli.test_refusal_wording import _scenario

    text = _scenario("2025-11-26T09:53:38.3Z")
    q = JobQueue(tmp_path)
    job = q.submit(parse_scenario(text, "<upload>"), text)
    done = _wait(q, job.id)
    q.shutdown()
    assert done.state == "failed"
    assert "the reason is the phase" in done.error and 'set rendezvous.scheme = "two-day"' in done.error
    assert "pad baikonur-31 available (not a reason)" in done.error
    assert "nearest launch that fits: 2025-11-27T09:2" in done.error, done.error


def test_a_flight_written_but_not_docked_ends_failed_with_the_reason(tmp_path, monkeypatch, ms28):
    """Before: a flight whose approach aborted was reported "done" with no error; the command line
    exits 3 with "approach ended without capture". The outputs are written either way."""
    from gyrfalcon.mission import runner as mission_runner
    from gyrfalcon.web.jobs import JobQueue

    result = ms28[0]
    aborted = dataclasses.replace(result, approach=dataclasses.replace(result.approach, verdict="aborted"))
    assert result.shortfall() is None
    written = []
    monkeypatch.setattr(mission_runner, "fly", lambda scenario, source, progress: aborted)
    monkeypatch.setattr(mission_runner, "write_outputs", lambda res, out, text, progress: written.append(out))
    q = JobQueue(tmp_path)
    done = _wait(q, q.submit(type("S", (), {"name": "aborted"})(), "name = 'aborted'").id)
    q.shutdown()
    assert written and done.state == "failed"
    assert done.error.startswith("approach ended without capture: verdict aborted"), done.error
    assert done.error == aborted.shortfall()[1]


def test_a_run_folder_with_a_foreign_timeline_is_left_out_of_the_listing(runs_dir, manifest_seed, tmp_path):
    """Before: one finished folder whose timeline.json was a JSON list (or had a number for a time)
    made GET /api/runs a 500 for every run."""
    from fastapi.testclient import TestClient

    from gyrfalcon.web.app import create_app

    from .conftest import make_config

    out = tmp_path / "out"
    shutil.copytree(runs_dir / RUN, out / RUN)
    for name, content in (("listed-as-list", "[]"), ("number-time", json.dumps({"launch_utc": 5})),
                          ("no-times", "{}")):
        (out / name).mkdir()
        (out / name / "timeline.json").write_text(content)
        (out / name / "COMPLETE").write_text("gyrfalcon run complete\n")
    # a user's folder with a COMPLETE file of its own and a copy of a run's timeline: not a run
    shutil.copytree(runs_dir / RUN, out / "users-copy")
    (out / "users-copy" / "COMPLETE").write_text("done\n")
    shutil.copy(manifest_seed, tmp_path / "manifest.sqlite")
    with TestClient(create_app(make_config(out, tmp_path)), base_url="http://127.0.0.1") as c:
        r = c.get("/api/runs")
    assert r.status_code == 200, r.text
    assert [x["name"] for x in r.json()] == [RUN]


def test_wrong_requests_say_what_works(client):
    cases = [
        (client.get(f"/api/runs/{RUN}/files/COMPLETE"), 422, "not a file a run writes; use timeline.json"),
        (client.get(f"/api/runs/{RUN}/lvlh", params={"last_s": "nan"}), 422, "0 < last_s <= 86400"),
        (client.get("/api/manifest/events/99999"), 404, "list them at GET /api/manifest/events"),
        (client.get("/api/manifest/occupancy", params={"date": "1-12-2025"}), 422, "YYYY-MM-DD"),
        (client.post("/api/manifest/events", content=json.dumps({"kind": "arrival"}).encode(),
                     headers={**AUTH, "Content-Type": "text/plain"}), 422, "Content-Type: application/json"),
        (client.post("/api/manifest/events", content=b"[" * 3000 + b"]" * 3000,
                     headers={**AUTH, "Content-Type": "application/json"}), 400, "Content-Type: application/json"),
    ]
    for r, status, text in cases:
        assert r.status_code == status, (r.url, r.text)
        detail = r.json()["detail"]
        assert text in detail and "pattern" not in detail and "gyrfalcon traffic" not in detail, detail


def test_the_occupancy_names_the_vehicle_types_as_traffic_show_does(client):
    from gyrfalcon.cli.app import app

    api = client.get("/api/manifest/occupancy", params={"date": "2025-12-01"}).json()
    cli = json.loads(CliRunner().invoke(app, ["traffic", "show", "--date", "2025-12-01", "--builtin", "--json"]).output)
    assert api["vehicle_types"] == cli["vehicle_types"]
    assert api["vehicle_types"]["Soyuz MS-28"] == "soyuz-ms" and len(api["vehicle_types"]) == 8


def test_serve_refuses_a_db_in_a_folder_that_does_not_exist(tmp_path):
    """Before: the server started, then answered 503 to every manifest request."""
    from gyrfalcon.cli.app import app
    from tests.typer_apps import one_line_exit_2

    one_line_exit_2(CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "none" / "m.sqlite"),
                                             "--out", str(tmp_path)]),
                    "no folder", "create the folder")
    assert not (tmp_path / "none").exists()
