"""Fixtures for the web tests: a run directory written by the io writers from the MS-28
MissionResult of tests/mission/test_report.py (until the runner lands), and a live server
(uvicorn on 127.0.0.1, a free port, in a thread) with a temporary manifest store."""
from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

RUN = "soyuz-ms-28"
TOKEN = "test-token-" + "x" * 40


def write_run_dir(result, out: Path, scenario_text: str = "name = \"soyuz-ms-28\"\n") -> Path:
    """The output layout of gyrfalcon.mission.result, written with the io writers."""
    from gyrfalcon.io.czml import write_czml
    from gyrfalcon.io.oem import write_oem
    from gyrfalcon.mission.report import write_report

    out.mkdir(parents=True)
    (out / "timeline.json").write_text(json.dumps(result.to_json_dict(), indent=2) + "\n")
    write_report(result, out / "report.html")
    write_oem(out / "chaser.oem", result.chaser, object_name="Soyuz MS-28", object_id="2025-MS28")
    write_oem(out / "station.oem", result.station, object_name="ISS", object_id="1998-067A")
    write_czml(result, out / "flight.czml")
    (out / "scenario.toml").write_text(scenario_text)
    (out / "COMPLETE").write_text("gyrfalcon run complete\n")
    return out


@pytest.fixture(scope="session")
def ms28():
    from tests.mission.test_report import build_ms28_result

    return build_ms28_result()


@pytest.fixture(scope="session")
def runs_dir(ms28, tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    write_run_dir(ms28[0], root / RUN)
    # an unfinished run (no COMPLETE) that must not be listed or served
    partial = root / "half-done"
    partial.mkdir()
    (partial / "timeline.json").write_text("{}")
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving ``app`` on 127.0.0.1:<free port> in a daemon thread."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    access_log=False, lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        t0 = time.monotonic()
        while not self.server.started:
            if time.monotonic() - t0 > 20 or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


def wait_for_job(client, job_id: str, timeout_s: float = 240.0) -> dict:
    """Poll ``GET /api/jobs/{id}`` until the job is done or failed (or ``timeout_s`` passes); the last state."""
    t0 = time.monotonic()
    while True:
        j = client.get(f"/api/jobs/{job_id}").json()
        if j["state"] in ("done", "failed") or time.monotonic() - t0 > timeout_s:
            return j
        time.sleep(0.2)


def run_contact_utc(client, body: dict, run: str, headers: dict) -> str:
    """Start ``POST /api/runs`` with ``body``, wait for it, and return the run's contact (UTC ISO
    string from its timeline); asserts the run was accepted, finished and has a contact."""
    r = client.post("/api/runs", json=body, headers=headers)
    assert r.status_code == 202, r.json()
    j = wait_for_job(client, r.json()["id"])
    assert j["state"] == "done", j
    events = client.get(f"/api/runs/{run}/timeline").json()["events"]
    contact = [e for e in events if e["name"] == "contact"]
    assert contact, events
    return contact[0]["utc"]


def make_config(runs_dir: Path, tmp: Path, **kw):
    from gyrfalcon.web.app import WebConfig

    return WebConfig(out_dir=runs_dir, token=TOKEN, db=str(tmp / "manifest.sqlite"), **kw)


@pytest.fixture(scope="session")
def manifest_seed(tmp_path_factory):
    """A manifest database with the built-in late-2025 manifest (copied per test that writes)."""
    from gyrfalcon.traffic.store import ManifestStore

    p = tmp_path_factory.mktemp("seed") / "manifest.sqlite"
    with ManifestStore(p) as s:
        s.load_builtin()
    return p


@pytest.fixture()
def app_factory(runs_dir, manifest_seed, tmp_path):
    from gyrfalcon.web.app import create_app

    def make(**kw):
        db = tmp_path / "manifest.sqlite"
        if not db.exists():
            shutil.copy(manifest_seed, db)
        return create_app(make_config(runs_dir, tmp_path, **kw))

    return make


@pytest.fixture()
def client(app_factory):
    from fastapi.testclient import TestClient

    with TestClient(app_factory(), base_url="http://127.0.0.1") as c:
        yield c
