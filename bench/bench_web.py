"""Load test of the web API on loopback: GET /api/runs/<run>/timeline for a fixed time.

    python bench/bench_web.py [--seconds 30] [--connections 32] [--runs DIR]

The server is ``gyrfalcon.web.app.create_app`` with its default limits on uvicorn (one
process, 127.0.0.1, a free port) in a child process; the client is a second process with
``--connections`` keep-alive HTTP/1.1 connections (asyncio, raw sockets, so that the client
costs little CPU) that each send the next request as soon as the previous answer has been
read whole. Every answer must be ``200`` with the run's exact timeline.json bytes; anything
else counts as an error. ``--runs``: a directory of run directories (default: the MS-28
mission flown now with ``gyrfalcon.mission.runner`` into a temporary directory).
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import socket
import sys
import tempfile
import time
from pathlib import Path


def _serve(runs: str, port: int, data: str) -> None:
    import uvicorn

    from gyrfalcon.web.app import WebConfig, create_app

    app = create_app(WebConfig(out_dir=Path(runs), token="bench-" + "x" * 40, db=os.path.join(data, "m.sqlite")))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def _client(port: int, target: str, expected: bytes, seconds: float, connections: int):
    request = (f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n\r\n").encode()
    ok = errors = 0
    latencies = []
    stop_at = time.perf_counter() + seconds

    async def one():
        nonlocal ok, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        length = int(v)
                body = await reader.readexactly(length)
                latencies.append(time.perf_counter() - t0)
                if status == 200 and body == expected:
                    ok += 1
                else:
                    errors += 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    results = await asyncio.gather(*(one() for _ in range(connections)), return_exceptions=True)
    elapsed = time.perf_counter() - t0
    conn_errors = sum(1 for r in results if isinstance(r, BaseException))
    return ok, errors + conn_errors, elapsed, sorted(latencies)


def _client_proc(port, target, expected, seconds, connections, q):
    q.put(asyncio.run(_client(port, target, expected, seconds, connections)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--runs", type=Path, default=None)
    args = ap.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix="bench-web-")
    runs = args.runs
    if runs is None:
        from gyrfalcon.mission.runner import fly, write_outputs
        from gyrfalcon.mission.scenario import default_scenario, default_scenario_text

        runs = Path(tmp) / "runs"
        sc = default_scenario()
        write_outputs(fly(sc), runs / sc.name, default_scenario_text())
    run = sorted(d.name for d in runs.iterdir() if (d / "COMPLETE").is_file())[0]
    expected = (runs / run / "timeline.json").read_bytes()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctx = mp.get_context("spawn")
    server = ctx.Process(target=_serve, args=(str(runs), port, tmp), daemon=True)
    server.start()
    try:
        t0 = time.monotonic()
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() - t0 > 60:
                    raise SystemExit("server did not start")
                time.sleep(0.1)
        target = f"/api/runs/{run}/timeline"
        q = ctx.Queue()
        warm = ctx.Process(target=_client_proc, args=(port, target, expected, 2.0, args.connections, q))
        warm.start(); q.get(); warm.join()
        cl = ctx.Process(target=_client_proc, args=(port, target, expected, args.seconds, args.connections, q))
        cl.start()
        ok, errors, elapsed, lat = q.get()
        cl.join()
    finally:
        server.terminate()
        server.join(10)
    n = ok + errors
    pct = (lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1e3) if lat else (lambda p: float("nan"))
    print(f"GET {target}: {len(expected)} bytes, {args.connections} connections, {elapsed:.1f} s, "
          f"{os.cpu_count()} cores")
    print(f"  {n} requests, {ok / elapsed:.0f} requests/s OK, {errors} errors; latency ms p50 {pct(0.5):.1f} "
          f"p99 {pct(0.99):.1f} max {lat[-1] * 1e3 if lat else float('nan'):.1f}")
    return 0 if errors == 0 and ok / elapsed >= 500 else 1


if __name__ == "__main__":
    sys.exit(main())
