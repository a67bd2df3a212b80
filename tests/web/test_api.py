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

from .conftest import RUN, TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}
MS28_LIFTOFF = "2025-11-27T09:27:57.402Z"
MS28_DOCKED_S = 12 * 3600 + 34 * 60 + 35


def _sod(utc: str) -> float:
    h, m, s = utc[11:].rstrip("Z").split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


# --- runs --------------------------------------------------------------------------------------
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
        assert contact and abs(_sod(contact[0]["utc"]) - MS28_DOCKED_S) < 300
        assert c.get("/api/jobs/" + "0" * 32).status_code == 404
        assert c.get("/api/jobs/not-a-job").status_code == 422


# --- security ----------------------------------------------------------------------------------
def test_request_size_limit(client):
    big = {"scenario_toml": "# " + "x" * (300 * 1024)}
    r = client.post("/api/runs", content=json.dumps(big), headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 413

    def chunks():
        yield b'{"scenario_toml": "'
        yield b'x"}'

    r = client.post("/api/runs", content=chunks(), headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 411


def test_rate_limits(app_factory):
    from fastapi.testclient import TestClient

    app = app_factory(read_rate_per_s=0.5, read_burst=3, write_rate_per_min=1, write_burst=2)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        codes = [c.get("/api/health").status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        r = c.get("/api/health")
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        w = [c.post("/api/manifest/events", json=NEW_SOYUZ).status_code for _ in range(3)]
        assert w == [401, 401, 429]     # unauthorised attempts count too (no brute force)


def test_foreign_host_header_is_refused(client):
    # DNS rebinding: a page on another name must not reach the loopback API
    assert client.get("/api/health", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/api/health", headers={"Host": "localhost:8765"}).status_code == 200


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


def test_a_run_started_with_station_element_sets(tmp_path):
    """POST /api/runs with ``station_tle`` (the text of a TLE series): checked before the run
    (a bad text is a 422), fitted on the sets dated before the launch only."""
    import time
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
        r = c.post("/api/runs", json={"scenario_toml": text, "station_tle": tles}, headers=AUTH)
        assert r.status_code == 202, r.json()
        t0 = time.monotonic()
        while True:
            j = c.get(f"/api/jobs/{r.json()['id']}").json()
            if j["state"] in ("done", "failed") or time.monotonic() - t0 > 240:
                break
            time.sleep(0.2)
        assert j["state"] == "done", j
        tl = c.get("/api/runs/api-tle/timeline").json()
        contact = [e for e in tl["events"] if e["name"] == "contact"]
        assert contact and contact[0]["utc"].startswith("2025-11-27T12:")      # MS-28 docked 12:34:35 UTC
