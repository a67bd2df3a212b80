"""The server over real HTTP (uvicorn on 127.0.0.1, a free port): path traversal with raw
request targets (no client-side normalisation), every endpoint against the OpenAPI schema
(schemathesis, bounded), and ``gyrfalcon serve`` printing its token once."""
from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time

import pytest

from .conftest import RUN, TOKEN, LiveServer, free_port


@pytest.fixture()
def live(app_factory, runs_dir, tmp_path):
    # a directory and a file outside the runs directory that traversal must not reach
    secret = runs_dir.parent / "outside"
    secret.mkdir(exist_ok=True)
    (secret / "COMPLETE").write_text("x")
    (secret / "timeline.json").write_text('{"secret": true}')
    link = runs_dir / "escape"
    if not link.exists():
        os.symlink(secret, link)
    with LiveServer(app_factory()) as s:
        yield s


def _raw_get(port: int, target: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", f"127.0.0.1:{port}")
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


TRAVERSALS = [
    "/api/runs/../timeline",
    "/api/runs/..%2f..%2fetc/timeline",
    "/api/runs/%2e%2e/timeline",
    "/api/runs/%2e%2e%2foutside/timeline",
    "/api/runs/escape/timeline",                      # a symlink out of the runs directory
    "/api/runs/escape/files/timeline.json",
    "/api/runs/half-done/timeline",                   # no COMPLETE
    "/api/runs/.hidden/timeline",
    f"/api/runs/{RUN}/files/..%2f..%2foutside%2ftimeline.json",
    f"/api/runs/{RUN}/files/../../outside/timeline.json",
    f"/api/runs/{RUN}/files/%2e%2e%2fCOMPLETE",
    f"/api/runs/{RUN}/files/COMPLETE",
    f"/api/runs/{RUN}/files/timeline.json%00.oem",
    "/api/runs/" + "a" * 300 + "/timeline",
    "/static/../app.py",
    "/static/..%2fapp.py",
    "/static/%2e%2e/%2e%2e/web/app.py",
    "/cesium/..%2f..%2fapp.py",
    "/cesium/../../../security.py",
]


def test_path_traversal_gets_404_or_422(live):
    for target in TRAVERSALS:
        status, body = _raw_get(live.port, target)
        assert status in (404, 422), (target, status, body[:200])
        assert b"secret" not in body and b"import" not in body, target
    # the legitimate paths work over the same raw client
    assert _raw_get(live.port, f"/api/runs/{RUN}/timeline")[0] == 200
    assert _raw_get(live.port, "/static/viewer.js")[0] == 200


def test_every_endpoint_conforms_to_its_schema(live):
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings

    from schemathesis.specs.openapi.checks import positive_data_acceptance

    # excluded: "positive data acceptance" (a schema-valid body must not get 422). The schema
    # cannot express a scenario's or a manifest change's meaning (valid TOML naming a known
    # pad, an event that keeps every station rule); those 422s are the documented answer.
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    paths = set(schema.raw_schema["paths"])
    assert {"/api/runs", "/api/runs/{run}/timeline", "/api/runs/{run}/files/{name}", "/api/manifest/occupancy",
            "/api/manifest/events", "/api/manifest/intervals", "/api/jobs/{job_id}"} <= paths
    failures, calls = [], 0
    for op in schema.get_all_operations():
        operation = op.ok()
        method = operation.method.upper()

        @settings(max_examples=25, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            nonlocal calls
            headers = {"Authorization": f"Bearer {TOKEN}"} if method == "POST" else {}
            calls += 1
            try:
                case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
            except Exception as exc:  # collect: report every operation's failure at once
                failures.append(f"{method} {operation.path}: {str(exc)[:600]}")
                raise

        try:
            run()
        except Exception:  # noqa: BLE001 - recorded above
            pass
    assert calls >= 100
    assert failures == []


def test_serve_prints_the_token_once(tmp_path):
    port = free_port()
    env = {**os.environ, "GYRFALCON_DATA_DIR": str(tmp_path / "data")}
    code = ("import typer, sys; from gyrfalcon.cli.serve import register; a = typer.Typer(); register(a); "
            "a.command('noop')(lambda: None); a()")
    args = [sys.executable, "-c", code, "serve", "--port", str(port), "--out", str(tmp_path / "runs"),
            "--db", str(tmp_path / "m.sqlite")]

    def start_and_stop():
        import urllib.request

        p = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            t0 = time.monotonic()
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                        assert r.status == 200
                    break
                except OSError:
                    if p.poll() is not None or time.monotonic() - t0 > 60:
                        raise AssertionError("serve did not start: " + (p.stdout.read() if p.stdout else ""))
                    time.sleep(0.2)
        finally:
            p.terminate()
            out, _ = p.communicate(timeout=20)
        return out

    first = start_and_stop()
    token_file = tmp_path / "data" / "web-token"
    token = token_file.read_text().strip()
    assert (token_file.stat().st_mode & 0o777) == 0o600
    assert token in first and f"http://127.0.0.1:{port}/" in first
    second = start_and_stop()
    assert token not in second and str(token_file) in second
