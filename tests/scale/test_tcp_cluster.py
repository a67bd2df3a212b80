"""Scale-out the way a user's cluster runs: a Dask scheduler and two workers started as separate
processes (`dask scheduler` / `dask worker`) talking TCP on loopback; the campaign goes through
`gyrfalcon montecarlo --scheduler tcp://127.0.0.1:PORT` and must give the local (one-process)
table bit for bit. Then one worker is SIGKILLed mid-campaign: the campaign still completes, again
bit for bit (its chunk is re-run on the other worker).

Reference: the one-process campaign (the runs' rows do not depend on chunking or placement:
one SeedSequence stream per run)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from gyrfalcon.scale.campaign import run_campaign

N = 16
SEED = 5
MAIN = "from gyrfalcon.cli.app import main; main()"


def _wait_for(pred, timeout_s: float, what: str, procs=()):
    t0 = time.monotonic()
    while not pred():
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(f"{what}: a process exited early with {p.returncode}: {p.stderr.read()[-2000:]}")
        if time.monotonic() - t0 > timeout_s:
            raise TimeoutError(f"{what}: not ready after {timeout_s:.0f} s")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def tcp_cluster(tmp_path_factory):
    """(scheduler address, {worker name: Popen}) of a scheduler and two worker processes on loopback."""
    d = tmp_path_factory.mktemp("dask")
    sfile = d / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    procs = []

    def start(args, name):
        p = subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=subprocess.DEVNULL,
                             stderr=open(d / f"{name}.log", "w"), env=env, cwd=d)
        p.stderr = open(d / f"{name}.log")          # for _wait_for's message
        procs.append(p)
        return p

    try:
        start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
               "--scheduler-file", str(sfile)], "scheduler")
        _wait_for(lambda: sfile.is_file() and sfile.stat().st_size > 0, 60, "dask scheduler", procs)
        addr = json.loads(sfile.read_text())["address"]
        assert addr.startswith("tcp://127.0.0.1:")
        workers = {}
        for name in ("w1", "w2"):
            workers[name] = start(["worker", addr, "--name", name, "--nthreads", "1", "--no-nanny",
                                   "--no-dashboard", "--host", "127.0.0.1"], name)
        from distributed import Client

        with Client(addr, timeout=30) as c:
            _wait_for(lambda: len(c.scheduler_info()["workers"]) == 2, 60, "two dask workers", procs)
        yield addr, workers
    finally:
        # workers first, then the scheduler (a worker whose scheduler is gone retries for ~20 s
        # before it exits on SIGTERM); what does not exit in 5 s is killed
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@pytest.fixture(scope="module")
def local(ms28_text, nominal):
    return run_campaign(ms28_text, N, campaign_seed=SEED, chunk_size=4, nominal=nominal)


def test_montecarlo_through_a_tcp_scheduler_is_bit_for_bit_local(tcp_cluster, local, tmp_path):
    import pyarrow.parquet as pq

    addr, workers = tcp_cluster
    out = tmp_path / "mc"
    r = subprocess.run([sys.executable, "-c", MAIN, "montecarlo", "--runs", str(N), "--seed", str(SEED),
                        "--chunk", "4", "--scheduler", addr, "--out", str(out), "--json"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    table = pq.read_table(out / "runs.parquet")
    assert table.num_rows == N
    assert table.equals(local.table)
    summ = json.loads((out / "summary.json").read_text())
    assert summ["runs"] == N and summ["workers"] == 2
    assert summ["captured"] == local.summary.captured


def test_a_worker_killed_mid_campaign_still_completes_it(tcp_cluster, ms28_text, nominal, local):
    addr, workers = tcp_cluster
    victim = workers["w1"]
    assert victim.poll() is None
    killed = []

    def progress(done, total):
        if not killed:       # after the first chunk: SIGKILL one worker process (its running chunk is lost)
            os.kill(victim.pid, signal.SIGKILL)
            killed.append(done)

    res = run_campaign(ms28_text, N, campaign_seed=SEED, chunk_size=2, nominal=nominal, scheduler=addr,
                       progress=progress)
    assert killed and killed[0] < N
    victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    assert res.table.equals(local.table)
