"""The JSON API on a real run directory (MS-28, written by the io writers) and a real manifest
store (the built-in late-2025 manifest in SQLite).

Independent references:
* MS-28 liftoff 2025-11-27 09:27:57.4 UTC, docked to Rassvet (MRM1 nadir) 12:34:35 UTC
  (missions.csv, domain.md 1.1);
* on 1 Dec 2025 all eight ISS ports were occupied (the seed articles of the late-2025
  manifest, gyrfalcon.traffic.builtin);
* LVLH round trip: the chaser ephemeris was built from the rendezvous plan's LVLH relative
  trajectory (tests/io/test_report.py); reading both OEMs back and rotating into the station's
  LVLH frame must give that trajectory again (OEM text keeps millimetres).
"""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from .conftest import RUN, TOKEN, wait_for_job

AUTH = {"Authorization": f"Bearer {TOKEN}"}
MS28_LIFTOFF = "2025-11-27T09:27:57.402Z"
MS28_DOCKED_S = 12 * 3600 + 34 * 60 + 35
MS28_PLANNED_S = 12 * 3600 + 38 * 60 + 32
"""The operators' planned contact (NASA OEM 2025-11-24 "74S Dock"), never an input of the model."""


def _sod(utc: str) -> float:
    h, m, s = utc[11:].rstrip("Z").split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


# --- runs --------------------------------------------------------------------------------------
def test_health_names_no_server_path(client, runs_dir):
    """Found by an audit: /api/health (no token needed) gave the run folder's full path."""
    d = client.get("/api/health").json()
    assert d["status"] == "ok" and d["runs_dir"] == runs_dir.name and "/" not in d["runs_dir"]


def test_runs_lists_only_finished_runs(client, runs_dir):
    r = client.get("/api/runs")
    assert r.status_code == 200
    runs = r.json()
    assert [x["name"] for x in runs] == [RUN]        # 'half-done' has no COMPLETE
    assert runs[0]["launch_utc"] == MS28_LIFTOFF
    assert abs(_sod(runs[0]["contact_utc"]) - MS28_DOCKED_S) < 300
    assert set(runs[0]["files"]) == {"timeline.json", "flight.czml", "chaser.oem", "station.oem", "report.html",
                                     "scenario.toml"}
    assert client.get("/api/runs/half-done/timeline").status_code == 404


def test_timeline_is_the_runs_file_with_the_contact_event(client, runs_dir):
    r = client.get(f"/api/runs/{RUN}/timeline")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.content == (runs_dir / RUN / "timeline.json").read_bytes()
    contact = [e for e in r.json()["events"] if e["name"] == "contact"]
    assert len(contact) == 1
    assert abs(_sod(contact[0]["utc"]) - MS28_DOCKED_S) < 300
    assert contact[0]["phase"] == "docking"


def test_files_are_served_with_their_types(client):
    czml = client.get(f"/api/runs/{RUN}/files/flight.czml")
    assert czml.status_code == 200
    doc = czml.json()
    assert doc[0]["id"] == "document"
    assert doc[0]["clock"]["interval"].startswith("2025-11-27T09:27:57.40")
    assert {"chaser", "station"} <= {p["id"] for p in doc}
    oem = client.get(f"/api/runs/{RUN}/files/chaser.oem")
    assert oem.status_code == 200 and oem.headers["content-type"].startswith("text/plain")
    assert oem.text.startswith("CCSDS_OEM_VERS")
    rep = client.get(f"/api/runs/{RUN}/files/report.html")
    assert rep.status_code == 200 and "default-src 'none'" in rep.headers["content-security-policy"]
    assert rep.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/api/runs/{RUN}/files/COMPLETE").status_code == 422      # not an output file


def test_lvlh_track_round_trips_the_planned_relative_trajectory(client, ms28):
    from gyrfalcon.time import parse_utc, seconds_between

    result, _ = ms28
    r = client.get(f"/api/runs/{RUN}/lvlh", params={"last_s": 3000})
    assert r.status_code == 200
    tr = r.json()
    assert len(tr["utc"]) >= 20
    rt = result.rendezvous.relative_trajectory
    ins = parse_utc(result.rendezvous.insertion_utc)
    t_plan = np.asarray(rt.t_s, float)
    for k in (0, len(tr["utc"]) // 2, len(tr["utc"]) - 1):
        s = float(seconds_between(ins, parse_utc(tr["utc"][k])))
        i = int(np.argmin(np.abs(t_plan - s)))
        assert abs(t_plan[i] - s) < 1e-3
        got = np.array([tr["x_m"][k], tr["y_m"][k], tr["z_m"][k]])
        assert np.linalg.norm(got - rt.rho_lvlh_m[i]) < 1.0, (k, got, rt.rho_lvlh_m[i])
    # the approach ends near the station: the last planned point is within a few km
    assert np.hypot(tr["x_m"][-1], tr["z_m"][-1]) < 20e3


# --- manifest reading --------------------------------------------------------------------------
def test_occupancy_on_a_date_and_at_docking(client):
    d = client.get("/api/manifest/occupancy", params={"date": "2025-12-01"}).json()
    assert d["occupied_count"] == 8 and len(d["ports"]) == 8
    at = client.get("/api/manifest/occupancy", params={"at": "2025-11-27T12:40:00Z"}).json()
    assert at["ports"]["rassvet-nadir"] == "Soyuz MS-28"
    before = client.get("/api/manifest/occupancy", params={"at": "2025-11-27T12:00:00Z"}).json()
    assert before["ports"]["rassvet-nadir"] is None
    assert client.get("/api/manifest/occupancy").status_code == 422        # neither at nor date
    bad = client.get("/api/manifest/occupancy", params={"at": "yesterday"})
    assert bad.status_code == 422 and "yesterday" in bad.json()["detail"]


def test_intervals_cover_the_runs_dates(client):
    iv = client.get("/api/manifest/intervals",
                    params={"start": "2025-11-24T00:00:00Z", "end": "2025-12-12T00:00:00Z"}).json()
    ms28 = [i for i in iv if i["vehicle"] == "Soyuz MS-28"]
    assert len(ms28) == 1 and ms28[0]["port"] == "rassvet-nadir"
    assert abs(_sod(ms28[0]["from_utc"]) - MS28_DOCKED_S) < 300 and ms28[0]["from_utc"].startswith("2025-11-27")
    ms27 = [i for i in iv if i["vehicle"] == "Soyuz MS-27"]
    assert ms27 and ms27[0]["to_utc"].startswith("2025-12-09")       # MS-27 undocked 9 Dec 2025
    assert client.get("/api/manifest/intervals",
                      params={"start": "2025-12-12T00:00:00Z", "end": "2025-11-24T00:00:00Z"}).status_code == 422


# --- manifest writing --------------------------------------------------------------------------
def _db_bytes(tmp_path):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(tmp_path.glob("manifest.sqlite*")) if not p.name.endswith("-shm")}


NEW_SOYUZ = {"kind": "arrival", "t_utc": "2025-12-01T10:00:00Z", "vehicle": "Soyuz MS-99", "port": "rassvet-nadir",
             "vehicle_type": "soyuz-ms"}


def test_writes_without_the_token_are_refused(client, tmp_path):
    before = _db_bytes(tmp_path)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                    {"Authorization": TOKEN}):
        r = client.post("/api/manifest/events", json=NEW_SOYUZ, headers=headers)
        assert r.status_code == 401, headers
        assert r.headers["www-authenticate"] == "Bearer"
        r = client.post("/api/runs", json={"scenario_toml": "name = 'x'"}, headers=headers)
        assert r.status_code == 401
    assert _db_bytes(tmp_path) == before
    assert client.get("/api/jobs").json() == []


def test_a_refused_change_is_422_with_the_rule_and_writes_nothing(client, tmp_path):
    n = len(client.get("/api/manifest/events").json())
    before = _db_bytes(tmp_path)
    assert before   # the store's file exists
    # Rassvet nadir holds Soyuz MS-28 from 27 Nov 2025: one vehicle per port
    r = client.post("/api/manifest/events", json=NEW_SOYUZ, headers=AUTH)
    assert r.status_code == 422
    body = r.json()
    assert body["rule"] == "one-vehicle-per-port"
    assert "rassvet-nadir" in body["detail"] and "Soyuz MS-28" in body["detail"]
    assert _db_bytes(tmp_path) == before
    assert len(client.get("/api/manifest/events").json()) == n
    # an unreadable event: 422 from validation, nothing written either
    r = client.post("/api/manifest/events", json={**NEW_SOYUZ, "kind": "teleport"}, headers=AUTH)
    assert r.status_code == 422 and "kind" in r.json()["detail"]
    r = client.post("/api/manifest/events", json={**NEW_SOYUZ, "t_utc": "2025-13-45T99:00:00Z"}, headers=AUTH)
    assert r.status_code == 422
    assert _db_bytes(tmp_path) == before


def test_an_accepted_change_is_recorded(client):
    # Progress MS-31 leaves Poisk zenith (a departure needs only its port to be its own)
    ev = {"kind": "departure", "t_utc": "2025-12-20T10:00:00Z", "vehicle": "Progress MS-31"}
    r = client.post("/api/manifest/events", json=ev, headers=AUTH)
    assert r.status_code == 201, r.json()
    assert r.json()["vehicle"] == "Progress MS-31" and r.json()["id"] is not None
    occ = client.get("/api/manifest/occupancy", params={"date": "2025-12-21"}).json()
    assert occ["ports"]["poisk-zenith"] is None
    occ = client.get("/api/manifest/occupancy", params={"date": "2025-12-19"}).json()
    assert occ["ports"]["poisk-zenith"] == "Progress MS-31"


# --- runs started through the API --------------------------------------------------------------
def test_uploads_are_validated_before_anything_runs(client):
    cases = {
        "not toml ][": "not valid TOML",
        "name = 'x'\n": "launch",                                                  # missing [launch]
        "name = '../../etc'\n[launch]\nutc = '2025-11-27T09:27:57.4Z'\n": "name",
        ("name = 'evil'\n[launch]\nutc = '2025-11-27T09:27:57.4Z'\n[target]\nephemeris = '/etc/passwd'\n"):
            "cannot name a file",
    }
    for text, words in cases.items():
        r = client.post("/api/runs", json={"scenario_toml": text}, headers=AUTH)
        assert r.status_code == 422, text
        assert words in r.json()["detail"], (text, r.json())
    assert client.get("/api/jobs").json() == []


def test_a_fixed_launch_that_breaks_a_station_rule_is_refused_before_it_is_queued(client, tmp_path):
    """MS-28 again on 1 Dec 2025 at the two-orbit window the model finds then (07:54:37 UTC, with
    the pad taken as in service): its pad was wrecked four days before (the launch-site catalogue's
    repair date, 3 Mar 2026) and Rassvet nadir holds MS-28 itself: 422 naming the rule, in the line
    `scenario check` refuses it with, no job. (It was 29 Nov 09:00 UTC, a liftoff whose phase no
    two-orbit flight fits: `run` refuses that for the phase, before the station rules.)"""
    from typer.testing import CliRunner

    from gyrfalcon.cli.app import app
    from gyrfalcon.mission.scenario import default_scenario_text
    from tests.typer_apps import one_line_exit_2

    text = (default_scenario_text().replace('name = "soyuz-ms-28"', 'name = "api-busy"', 1)
            .replace('first_feasible_after = "2025-11-27"', 'time = "2025-12-01T07:54:37Z"', 1))
    assert 'time = "2025-12-01T07:54:37Z"' in text
    (tmp_path / "busy.toml").write_text(text)
    line = one_line_exit_2(CliRunner().invoke(app, ["scenario", "check", str(tmp_path / "busy.toml")]),
                           "(rule pad-operational)")
    r = client.post("/api/runs", json={"scenario_toml": text}, headers=AUTH)
    assert r.status_code == 422, r.json()
    d = r.json()
    assert d == {"detail": line.removeprefix("error: "), "rule": "pad-operational"}
    assert "back in service on 2026-03-03" in d["detail"] and "what_if = true" in d["detail"]
    assert all(j["run"] != "api-busy" for j in client.get("/api/jobs").json())


def test_a_run_started_through_the_api_finishes_and_is_listed(client, runs_dir, tmp_path):
    import time

    from gyrfalcon.mission.scenario import default_scenario_text

    text = default_scenario_text().replace('name = "soyuz-ms-28"', 'name = "api-ms-28"', 1)
    assert 'name = "api-ms-28"' in text
    # a separate output directory so the session's run directory stays as it is
    app_out = tmp_path / "out"
    from fastapi.testclient import TestClient

    from gyrfalcon.web.app import create_app

    from .conftest import make_config

    with TestClient(create_app(make_config(app_out, tmp_path)), base_url="http://127.0.0.1") as c:
        r = c.post("/api/runs", json={"scenario_toml": text}, headers=AUTH)
        assert r.status_code == 202, r.json()
        job = r.json()
        assert job["run"] == "api-ms-28" and job["state"] in ("queued", "running")
        again = c.post("/api/runs", json={"scenario_toml": text}, headers=AUTH)
        assert again.status_code == 409
        seen = set()
        t0 = time.monotonic()
        while True:
            j = c.get(f"/api/jobs/{job['id']}").json()
            seen.update(p for p, s in j["phases"].items() if s == "running")
            if j["state"] in ("done", "failed") or time.monotonic() - t0 > 240:
                break
            time.sleep(0.2)
        assert j["state"] == "done", j
        assert all(s in ("done", "skip") for s in j["phases"].values()), j["phases"]
        assert seen        # progress was observable while it ran
        runs = c.get("/api/runs").json()
        assert [x["name"] for x in runs] == ["api-ms-28"]
        # the runner picks its own window: within a minute of the real liftoff (09:27:57.4 UTC)
        assert runs[0]["launch_utc"].startswith("2025-11-27")
        assert abs(_sod(runs[0]["launch_utc"]) - _sod(MS28_LIFTOFF)) < 60
        tl = c.get("/api/runs/api-ms-28/timeline").json()
        contact = [e for e in tl["events"] if e["name"] == "contact"]
        assert contact and abs(_sod(contact[0]["utc"]) - MS28_PLANNED_S) < 120     # docs/validation.md "Flights"
        assert c.get("/api/jobs/" + "0" * 32).status_code == 404
        assert c.get("/api/jobs/not-a-job").status_code == 422


# --- security ----------------------------------------------------------------------------------
def test_request_size_limit(client):
    big = {"scenario_toml": "# " + "x" * (4 * 1024 * 1024)}
    r = client.post("/api/runs", content=json.dumps(big), headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 413
    d = r.json()["detail"]       # the limit and the fields that fill a body, not a cut-off sentence
    assert "limit of 4194304 bytes (4.00 MiB)" in d and "station_oem" in d and d.endswith("as base64)")

    def chunks():
        yield b'{"scenario_toml": "'
        yield b'x"}'

    r = client.post("/api/runs", content=chunks(), headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 411
    # without the token, a streamed body is refused (401) before it is read (audit: 200 MB were read
    # and then refused as a JSON error)
    sent = []

    def endless():
        for _ in range(10_000):
            sent.append(1)
            yield b"x" * 65536

    r = client.post("/api/manifest/events", content=endless(), headers={"Content-Type": "application/json"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer" and "Bearer <token>" in r.json()["detail"]
    assert len(sent) < 100


def test_rate_limits(app_factory):
    from fastapi.testclient import TestClient

    app = app_factory(read_rate_per_s=0.5, read_burst=3, write_rate_per_min=1, write_burst=2,
                      auth_fail_rate_per_min=1, auth_fail_burst=2)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        codes = [c.get("/api/health").status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        r = c.get("/api/health")
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        w = [c.post("/api/manifest/events", json=NEW_SOYUZ).status_code for _ in range(3)]
        assert w == [401, 401, 429]     # unauthorised attempts are limited too (no brute force)
        w = [c.post("/api/manifest/events", json=NEW_SOYUZ, headers={"Authorization": "Bearer x" * 2}).status_code
             for _ in range(2)]
        assert w == [429, 429]          # a wrong token is the same failed attempt


def test_failed_auth_does_not_use_up_the_token_holders_limit(app_factory):
    """Failed attempts are limited per client address in their own bucket: a flood of them,
    from the token holder's own address or another, leaves the token holder's writes alone."""
    from fastapi.testclient import TestClient

    app = app_factory(write_rate_per_min=1, write_burst=3, auth_fail_rate_per_min=1, auth_fail_burst=2)
    other = TestClient(app, base_url="http://127.0.0.1", client=("10.9.8.7", 5555))
    with TestClient(app, base_url="http://127.0.0.1") as c:
        for who in (c, other):  # a guesser on the holder's address, then one from elsewhere
            w = [who.post("/api/manifest/events", json=NEW_SOYUZ, headers={"Authorization": "Bearer nope"}).status_code
                 for _ in range(6)]
            assert w == [401, 401, 429, 429, 429, 429]
        # the token holder still has its whole burst of 3 (422: the port is taken, but the request got in)
        codes = [c.post("/api/manifest/events", json=NEW_SOYUZ, headers=AUTH).status_code for _ in range(4)]
        assert codes == [422, 422, 422, 429]
        # and the holder's limit is the holder's, from any address
        assert other.post("/api/manifest/events", json=NEW_SOYUZ, headers=AUTH).status_code == 429


def test_foreign_host_header_is_refused(client):
    # DNS rebinding: a page on another name must not reach the loopback API
    bad = client.get("/api/health", headers={"Host": "evil.example"})
    assert bad.status_code == 400 and "'evil.example' is not served here" in bad.json()["detail"]
    assert "localhost" in bad.json()["detail"]                                 # what would work
    assert client.get("/api/health", headers={"Host": "evil.example.localhost"}).status_code == 400
    for ok in ("localhost:8765", "LOCALHOST", "127.0.0.1:8765", "[::1]:8765"):
        assert client.get("/api/health", headers={"Host": ok}).status_code == 200, ok
    # a websocket handshake under a foreign name is closed (policy violation), not answered in HTTP
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as exc:
        with client.websocket_connect("/ws", headers={"Host": "evil.example"}):
            pass
    assert exc.value.code == 1008


def test_token_file_permissions(tmp_path):
    from gyrfalcon.web.security import TokenFileError, load_or_create_token

    p = tmp_path / "sub" / "web-token"
    tok, created = load_or_create_token(p)
    assert created and (p.stat().st_mode & 0o777) == 0o600 and len(tok) >= 43
    p.chmod(0o644)
    with pytest.raises(TokenFileError, match="chmod 600"):
        load_or_create_token(p)
    p.chmod(0o600)
    p.write_text("short\n")
    with pytest.raises(TokenFileError, match="no usable token"):
        load_or_create_token(p)


# --- the page ----------------------------------------------------------------------------------
def test_viewer_page_and_its_policy(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "http" not in csp      # nothing from elsewhere
    assert '<script src="/cesium/Cesium.js">' in r.text
    # Cesium is served by the app itself, with the NaturalEarthII imagery it ships
    assert client.get("/cesium/Cesium.js").status_code == 200
    tms = client.get("/cesium/Assets/Textures/NaturalEarthII/tilemapresource.xml")
    assert tms.status_code == 200 and "TileMap" in tms.text
    assert client.get("/cesium/Widgets/widgets.css").status_code == 200
    assert client.get("/docs").status_code == 200 and client.get("/openapi.json").json()["info"]["title"] == "Gyrfalcon"


def test_viewer_page_without_cesium_says_how_to_install_it(app_factory, tmp_path):
    from fastapi.testclient import TestClient

    with TestClient(app_factory(cesium_dir=tmp_path / "no-cesium"), base_url="http://127.0.0.1") as c:
        r = c.get("/")
        assert r.status_code == 503 and "build_cesium.sh" in r.text
        assert c.get("/api/health").json()["cesium"] is None


# --- files: only regular files inside the run folder ------------------------------------------
def test_only_regular_files_inside_the_run_folder_are_served(runs_dir, manifest_seed, tmp_path):
    """A run folder whose report.html is a symbolic link to a file outside, whose chaser.oem
    is a FIFO and whose flight.czml is a directory: none of them is served (404), the FIFO
    does not hang the server; a link to a regular file inside the same folder is served."""
    import os
    import shutil

    from fastapi.testclient import TestClient

    from gyrfalcon.web.app import create_app

    from .conftest import make_config

    out = tmp_path / "runs"
    run = out / "tricky"
    shutil.copytree(runs_dir / RUN, run)
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2\n")
    (run / "report.html").unlink()
    (run / "report.html").symlink_to(secret)
    (run / "chaser.oem").unlink()
    os.mkfifo(run / "chaser.oem")
    (run / "flight.czml").unlink()
    (run / "flight.czml").mkdir()
    (run / "scenario.toml").unlink()
    (run / "scenario.toml").symlink_to("timeline.json")   # relative link, stays inside: fine
    shutil.copy(manifest_seed, tmp_path / "manifest.sqlite")
    with TestClient(create_app(make_config(out, tmp_path)), base_url="http://127.0.0.1") as c:
        for name in ("report.html", "chaser.oem", "flight.czml"):
            r = c.get(f"/api/runs/tricky/files/{name}")
            assert r.status_code == 404, name
            assert "hunter2" not in r.text
        r = c.get("/api/runs/tricky/files/scenario.toml")
        assert r.status_code == 200 and r.content == (run / "timeline.json").read_bytes()
        assert c.get("/api/runs/tricky/lvlh").status_code == 404            # chaser.oem is a FIFO
        listed = {x["name"]: x["files"] for x in c.get("/api/runs").json()}
        assert set(listed["tricky"]) == {"timeline.json", "station.oem", "scenario.toml"}
        # the timeline itself as a link out of the folder: not served, not listed
        (run / "timeline.json").rename(tmp_path / "tl.json")
        (run / "timeline.json").symlink_to(tmp_path / "tl.json")
        assert c.get("/api/runs/tricky/timeline").status_code == 404
        assert "tricky" not in {x["name"] for x in c.get("/api/runs").json()}


# --- manifest edits with ETag / If-Match ------------------------------------------------------
def test_move_and_remove_need_the_current_etag(app_factory, tmp_path):
    """GET gives the event's ETag; PATCH/DELETE without If-Match is 428, with a stale ETag 412
    and nothing written; with the current one the change is made and the ETag moves on."""
    from fastapi.testclient import TestClient

    with TestClient(app_factory(write_burst=50), base_url="http://127.0.0.1") as client:
        _etag_checks(client, tmp_path)


def _etag_checks(client, tmp_path):
    evs = client.get("/api/manifest/events").json()
    launch = next(e for e in evs if e["kind"] == "launch" and e["vehicle"] == "Soyuz MS-28")
    eid = launch["id"]
    r = client.get(f"/api/manifest/events/{eid}")
    assert r.status_code == 200 and r.headers["etag"] == f'"{eid}.1"' and r.json()["version"] == 1
    move = {"t_utc": "2025-11-27T09:20:00Z"}
    assert client.patch(f"/api/manifest/events/{eid}", json=move).status_code == 401      # token first
    r = client.patch(f"/api/manifest/events/{eid}", json=move, headers=AUTH)
    assert r.status_code == 428 and "If-Match" in r.json()["detail"]
    before = _db_bytes(tmp_path)
    r = client.patch(f"/api/manifest/events/{eid}", json=move, headers={**AUTH, "If-Match": f'"{eid}.7"'})
    assert r.status_code == 412 and r.headers["etag"] == f'"{eid}.1"'
    r = client.patch(f"/api/manifest/events/{eid}", json=move, headers={**AUTH, "If-Match": f'"{eid + 1}.1"'})
    assert r.status_code == 412              # another event's ETag
    assert _db_bytes(tmp_path) == before
    r = client.patch(f"/api/manifest/events/{eid}", json=move, headers={**AUTH, "If-Match": f'"{eid}.1"'})
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == f'"{eid}.2"' and r.json()["t_utc"] == "2025-11-27T09:20:00.000Z"
    # the same request again is now stale: a second client that read version 1 cannot overwrite
    r = client.patch(f"/api/manifest/events/{eid}", json={"t_utc": "2025-11-27T09:25:00Z"},
                     headers={**AUTH, "If-Match": f'"{eid}.1"'})
    assert r.status_code == 412
    assert client.get(f"/api/manifest/events/{eid}").json()["t_utc"] == "2025-11-27T09:20:00.000Z"
    # a rule still applies with the right version (422, not 412)
    r = client.patch(f"/api/manifest/events/{eid}", json={"t_utc": "2025-11-28T00:00:00Z"},
                     headers={**AUTH, "If-Match": f'"{eid}.2"'})
    assert r.status_code == 422 and r.json()["rule"] == "arrival-after-launch"
    # removal: a new event, removed with its ETag; its id is not handed out again
    r = client.post("/api/manifest/events", headers=AUTH, json={
        "kind": "arrival", "t_utc": "2031-01-01T00:00:00Z", "vehicle": "Progress X", "port": "prichal-nadir",
        "vehicle_type": "progress-ms"})
    assert r.status_code == 201, r.text
    new_id, etag = r.json()["id"], r.headers["etag"]
    assert client.delete(f"/api/manifest/events/{new_id}", headers=AUTH).status_code == 428
    assert client.delete(f"/api/manifest/events/{new_id}", headers={**AUTH, "If-Match": f'"{new_id}.9"'}).status_code == 412
    r = client.delete(f"/api/manifest/events/{new_id}", headers={**AUTH, "If-Match": etag})
    assert r.status_code == 200 and r.json()["id"] == new_id
    assert client.get(f"/api/manifest/events/{new_id}").status_code == 404
    r = client.post("/api/manifest/events", headers=AUTH, json={
        "kind": "arrival", "t_utc": "2031-01-01T00:00:00Z", "vehicle": "Progress Y", "port": "prichal-nadir",
        "vehicle_type": "progress-ms"})
    assert r.status_code == 201, r.text
    assert r.json()["id"] == new_id + 1
    # If-Match: * changes whatever is stored
    r = client.delete(f"/api/manifest/events/{new_id + 1}", headers={**AUTH, "If-Match": "*"})
    assert r.status_code == 200


# --- the API docs page, offline ------------------------------------------------------------------
def test_docs_page_uses_only_local_assets(client):
    """/docs names no other host: every script, style and icon is served by the app itself,
    and its Content-Security-Policy allows nothing else."""
    import re

    r = client.get("/docs")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "http" not in csp
    refs = re.findall(r'(?:src|href)="([^"]+)"', r.text) + re.findall(r"url: '([^']+)'", r.text)
    assert len(refs) >= 4 and all(u.startswith("/") and not u.startswith("//") for u in refs), refs
    assert "http://" not in r.text and "https://" not in r.text
    for u in refs:
        assert client.get(u).status_code == 200, u
    assert '"validatorUrl": null' in r.text          # no validator badge fetched from elsewhere
    js = client.get("/docs-assets/swagger-ui-bundle.js")
    assert js.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert "SwaggerUIBundle" in js.text


def test_a_run_started_with_station_element_sets(tmp_path):
    """POST /api/runs with ``station_tle`` (the text of a TLE series): checked before the run
    (a bad text is a 422), fitted on the sets dated before the launch only."""
    from pathlib import Path

    from fastapi.testclient import TestClient

    from gyrfalcon.web.app import create_app

    from .conftest import make_config

    tles = (Path(__file__).resolve().parents[1] / "data" / "iss_tles_ms28_series.txt").read_text()
    text = ('name = "api-tle"\n[launch]\npad = "baikonur-31"\ntime = "2025-11-27T09:28:01Z"\n'
            '[rendezvous]\nscheme = "two-orbit"\n[return]\nenabled = false\n[output]\nczml = false\nreport = false\n')
    with TestClient(create_app(make_config(tmp_path / "out", tmp_path)), base_url="http://127.0.0.1") as c:
        bad = c.post("/api/runs", json={"scenario_toml": text, "station_tle": "hello"}, headers=AUTH)
        assert bad.status_code == 422 and "OEM" in bad.json()["detail"]
        wrong = c.post("/api/runs", json={"scenario_toml": text, "station_oem": tles}, headers=AUTH)
        assert wrong.status_code == 422 and "station_oem must hold an OEM" in wrong.json()["detail"]
        started = c.post("/api/runs", json={"scenario_toml": text, "station_tle": tles}, headers=AUTH)
        assert started.status_code == 202, started.json()
        job = wait_for_job(c, started.json()["id"])
        assert job["state"] == "done" and job["warnings"] == started.json()["warnings"], job
        contact = next(e["utc"] for e in c.get("/api/runs/api-tle/timeline").json()["events"] if e["name"] == "contact")
        assert contact.startswith("2025-11-27T12:")      # MS-28 docked 12:34:35 UTC
        # the notes name the upload by its field, never by the server's path
        tl = c.get("/api/runs/api-tle/timeline").text
        assert "station_tle (uploaded)" in tl and ".station-uploads" not in tl
        st = json.loads(tl)["station"]          # the station report object, named by the field too
        assert "station_tle (uploaded)" in st["source"]
        assert st["kind"] == "elements" and st["drag"]["drag_scale"] > 0
        # the saved scenario names its station copy: listed and served as the run's other files
        assert "target-ephemeris.txt" in {x["name"]: x["files"] for x in c.get("/api/runs").json()}["api-tle"]
        assert c.get("/api/runs/api-tle/files/target-ephemeris.txt").text == tles
    # the saved scenario records the station flown: a copy beside it, which `scenario check` reads
    run = tmp_path / "out" / "api-tle"
    saved = (run / "scenario.toml").read_text()
    assert 'ephemeris = "target-ephemeris.txt"' in saved and "station_tle (uploaded)" in saved
    assert (run / "target-ephemeris.txt").read_text() == tles and ".station-uploads" not in saved
    from typer.testing import CliRunner

    from gyrfalcon.cli.app import app

    res = CliRunner().invoke(app, ["scenario", "check", str(run / "scenario.toml")])
    assert res.exit_code == 0 and "OK" in res.output, res.output
    # the warnings `scenario check` gives (a set dated after the launch left out, a manoeuvre) reach
    # the client in the job's reply and in the run's timeline notes, the upload named by its field
    warned = [ln[len("warning: "):].replace(str(run / "target-ephemeris.txt"), "station_tle (uploaded)")
              for ln in res.stderr.splitlines() if ln.startswith("warning: ")]
    notes = json.loads(tl)["notes"]
    assert warned and all(f"station: {w}" in notes for w in warned), (warned, notes)
    assert warned == job["warnings"], (warned, job["warnings"])


def test_a_whole_nasa_oem_fits_and_upload_paths_stay_on_the_server(client):
    """A station text the size of a whole NASA ISS OEM (0.72-0.79 MB) passes the size limits; the
    reply to a bad one names the request field, not the file the server saved it in."""
    text = 'name = "big"\n[launch]\npad = "baikonur-31"\ntime = "2025-11-27T09:28:01Z"\n'
    for field in ("station_oem", "station_tle"):
        r = client.post("/api/runs", json={"scenario_toml": text, field: "x" * 900_000}, headers=AUTH)
        d = r.json()["detail"]
        assert r.status_code == 422 and "at most" not in d, d           # refused for its content, not its size
        assert f"{field} (uploaded)" in d and ".station-uploads" not in d and "/" not in d.split("(uploaded)")[0], d
    r = client.post("/api/runs", json={"scenario_toml": text, "station_oem": "x" * 3_000_001}, headers=AUTH)
    assert r.status_code == 422 and "station_oem" in r.json()["detail"] and "3000000" in r.json()["detail"]


def test_a_gzip_station_file_is_accepted_as_base64():
    import base64
    import gzip
    from pathlib import Path

    from gyrfalcon.errors import InputError
    from gyrfalcon.web.app import _maybe_gunzip

    gz = (Path(__file__).resolve().parents[1] / "data" / "iss_oem_fb1131d_day1_excerpt.txt.gz").read_bytes()
    assert _maybe_gunzip(base64.b64encode(gz).decode(), "station_oem") == gzip.decompress(gz).decode()
    assert _maybe_gunzip("CCSDS_OEM_VERS = 2.0\n", "station_oem") == "CCSDS_OEM_VERS = 2.0\n"
    with pytest.raises(InputError, match="station_tle: starts like a gzip file"):
        _maybe_gunzip("H4sI" + "A" * 10, "station_tle")


def test_station_copies_named_by_the_saved_scenario_are_served_and_listed(runs_dir, manifest_seed, tmp_path):
    """A run's scenario.toml names the station data copied beside it (target-ephemeris.oem,
    return-ephemeris.txt.gz): both are listed and served byte for byte; a copy that is a link
    out of the folder is neither; other names stay refused (422)."""
    import shutil

    from fastapi.testclient import TestClient

    from gyrfalcon.web.app import create_app

    from .conftest import make_config

    out = tmp_path / "runs"
    run = out / "copies"
    shutil.copytree(runs_dir / RUN, run)
    oem = (run / "station.oem").read_bytes()
    (run / "target-ephemeris.oem").write_bytes(oem)
    (run / "return-ephemeris.txt.gz").write_bytes(b"\x1f\x8b gzip bytes")
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2\n")
    (run / "target-ephemeris.txt").symlink_to(secret)
    shutil.copy(manifest_seed, tmp_path / "manifest.sqlite")
    with TestClient(create_app(make_config(out, tmp_path)), base_url="http://127.0.0.1") as c:
        listed = {x["name"]: x["files"] for x in c.get("/api/runs").json()}["copies"]
        assert {"target-ephemeris.oem", "return-ephemeris.txt.gz"} <= set(listed)
        assert "target-ephemeris.txt" not in listed
        r = c.get("/api/runs/copies/files/target-ephemeris.oem")
        assert r.status_code == 200 and r.content == oem and r.headers["content-type"].startswith("text/plain")
        r = c.get("/api/runs/copies/files/return-ephemeris.txt.gz")
        assert r.status_code == 200 and r.headers["content-type"] == "application/gzip"
        r = c.get("/api/runs/copies/files/target-ephemeris.txt")
        assert r.status_code == 404 and "hunter2" not in r.text
        assert c.get("/api/runs/copies/files/target-ephemeris.json").status_code == 404   # not written
        for bad in ("other-ephemeris.oem", "target-ephemeris..oem", "COMPLETE", ".gyrfalcon-output"):
            assert c.get(f"/api/runs/copies/files/{bad}").status_code == 422, bad


def test_queued_runs_cancelled_at_shutdown_leave_no_station_upload(tmp_path):
    """Found by an audit: stopping the server with runs queued left their uploads on disk."""
    import threading

    from gyrfalcon.web.jobs import JobQueue

    q = JobQueue(tmp_path, max_pending=3)
    gate = threading.Event()
    q._pool.submit(gate.wait)                      # the one worker is busy: what follows stays queued
    up = tmp_path / "up.txt"
    up.write_text("sets")
    sc = type("S", (), {"name": "queued"})()
    q.submit(sc, "name = 'queued'", upload=up)
    q.shutdown()
    gate.set()
    assert not up.exists()


def test_a_failed_job_marks_the_phase_it_failed_in(tmp_path, monkeypatch):
    """Found by an audit: a job that failed while writing its outputs still showed that phase as
    'running'."""
    import time

    from gyrfalcon.errors import GyrfalconError
    from gyrfalcon.mission import runner as mission_runner
    from gyrfalcon.web.jobs import JobQueue

    def failing_fly(scenario, source, progress):
        progress("countdown", "start")
        raise GyrfalconError("the countdown was refused")

    monkeypatch.setattr(mission_runner, "fly", failing_fly)
    q = JobQueue(tmp_path)
    job = q.submit(type("S", (), {"name": "x"})(), "name = 'x'")
    t0 = time.monotonic()
    while q.get(job.id).state in ("queued", "running") and time.monotonic() - t0 < 30:
        time.sleep(0.05)
    done = q.get(job.id)
    q.shutdown()
    assert done.state == "failed" and done.phases["countdown"] == "failed" and "running" not in done.phases.values()


def test_a_cut_json_body_says_so_and_what_works(client):
    """Found by an audit: a truncated body gave 422 'body.20: JSON decode error'."""
    r = client.post("/api/manifest/events", content=b'{"kind": "arrival", "t_u',
                    headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"].startswith("the request body is not valid JSON (at character 20); send one JSON object")


# --- found by an audit of the API (8 Dec 2026) ---------------------------------------------------
def test_a_station_upload_that_does_not_reach_the_launch_is_refused_before_it_is_queued(client):
    """It was accepted (202) and the job then failed in its ascent. NASA's ISS file of 24 Nov 2025
    starts on 24 Nov 2025 12:00; a launch on 20 Nov 2025 is before it (a file that ends before the
    launch is extended by propagation, with the staleness warning; one that starts after it cannot be)."""
    import gzip

    from gyrfalcon.orbits.iss import iss_default_path

    oem = gzip.decompress(iss_default_path().read_bytes()).decode()
    text = ('name = "too-late"\nwhat_if = true\n[launch]\npad = "baikonur-31"\ntime = "2025-11-20T10:00:00Z"\n'
            '[return]\nenabled = false\n')
    r = client.post("/api/runs", json={"scenario_toml": text, "station_oem": oem}, headers=AUTH)
    assert r.status_code == 422, r.json()
    assert "launch.time" in r.json()["detail"] and "must cover the liftoff" in r.json()["detail"]
    assert ".station-uploads" not in r.json()["detail"]
    assert client.get("/api/jobs").json() == []


def test_control_characters_in_a_manifest_event_are_refused(client):
    """A NUL and a right-to-left override were stored and printed into every table."""
    before = client.get("/api/manifest/events").json()
    for field, value in (("vehicle", "Evil\u202eX"), ("vehicle", "A\x00B"), ("notes", "ok\x00")):
        ev = {"kind": "departure", "t_utc": "2025-12-20T10:00:00Z", "vehicle": "Progress MS-31", field: value}
        r = client.post("/api/manifest/events", json=ev, headers=AUTH)
        assert r.status_code == 422 and "control or format character" in r.json()["detail"], r.json()
    assert client.get("/api/manifest/events").json() == before
    # line breaks and tabs stay allowed in notes (CRLF from a form or Windows too)
    ev = {"kind": "departure", "t_utc": "2025-12-20T10:00:00Z", "vehicle": "Progress MS-31",
          "notes": "line 1\r\nline 2\tend"}
    r = client.post("/api/manifest/events", json=ev, headers=AUTH)
    assert r.status_code == 201, r.json()
    assert r.json()["notes"] == "line 1\r\nline 2\tend"


def test_a_move_with_nothing_to_change_names_the_api_fields(client):
    ev = client.get("/api/manifest/events").json()[0]
    r = client.get(f"/api/manifest/events/{ev['id']}")
    r = client.patch(f"/api/manifest/events/{ev['id']}", json={}, headers={**AUTH, "If-Match": r.headers["etag"]})
    assert r.status_code == 422
    assert "t_utc" in r.json()["detail"] and "--to" not in r.json()["detail"]


def test_a_link_to_a_run_is_not_a_second_run_nor_a_free_name(client, runs_dir):
    """A symbolic link in the runs folder: not listed as a run of its own, not served, and its name
    not free for a new run (a dangling link would have been flown into and refused at the end)."""
    (runs_dir / "alias").symlink_to(runs_dir / RUN)
    (runs_dir / "dangling").symlink_to(runs_dir.parent / "nowhere")
    try:
        assert [x["name"] for x in client.get("/api/runs").json()] == [RUN]
        assert client.get("/api/runs/alias/timeline").status_code == 404
        from gyrfalcon.mission.scenario import default_scenario_text

        text = default_scenario_text().replace('name = "soyuz-ms-28"', 'name = "dangling"')
        assert 'name = "dangling"' in text
        r = client.post("/api/runs", json={"scenario_toml": text}, headers=AUTH)
        assert r.status_code == 409, r.json()
    finally:
        (runs_dir / "alias").unlink()
        (runs_dir / "dangling").unlink()


def test_a_wrong_method_says_which_work_and_every_error_has_the_same_shape(client):
    """Found by an audit: 405 said only "Method Not Allowed", HEAD /api/health was refused although
    the security layer counts HEAD as a read, and the middleware's 401 had no "rule" key."""
    r = client.put("/api/runs", headers=AUTH)
    assert r.status_code == 405 and "PUT is not allowed on /api/runs; use" in r.json()["detail"]
    assert "POST" in r.json()["detail"] and set(r.json()) == {"detail", "rule"}
    assert r.headers["allow"] == "GET, POST"          # both routes of the path, as the detail says
    r = client.put("/api/manifest/events/1", headers=AUTH)
    assert r.status_code == 405 and r.headers["allow"] == "DELETE, GET, PATCH" and "use DELETE, GET, PATCH" in r.json()["detail"]
    assert client.head("/api/health").status_code == 200
    r = client.post("/api/manifest/events", json=NEW_SOYUZ, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and set(r.json()) == {"detail", "rule"}
