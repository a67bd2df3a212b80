"""Campaign engine: identical results whatever the workers, re-flown runs, seed stability, outputs."""
from __future__ import annotations

import math

import numpy as np
import pytest

from gyrfalcon.scale.campaign import chunks, run_campaign, run_chunk, write_parquet
from gyrfalcon.scale.dispersions import Dispersions
from gyrfalcon.scale.report import write_html

N = 8


@pytest.fixture(scope="module")
def serial(ms28_text, nominal):
    return run_campaign(ms28_text, N, campaign_seed=1, chunk_size=3, nominal=nominal)


def test_chunks_cover_every_run_once():
    parts = chunks(10, 3)
    assert [i for a, b in parts for i in range(a, b)] == list(range(10))


def test_two_dask_workers_give_the_same_table_bit_for_bit(ms28_text, nominal, serial):
    threaded = run_campaign(ms28_text, N, campaign_seed=1, chunk_size=2, nominal=nominal, workers=2,
                            processes=False)
    assert threaded.table.equals(serial.table)
    assert threaded.summary == serial.summary


def test_two_worker_processes_give_the_same_table_bit_for_bit(ms28_text, nominal, serial):
    # a real local cluster of two processes; each builds its own integrators
    proc = run_campaign(ms28_text, N, campaign_seed=1, chunk_size=4, nominal=nominal, workers=2, processes=True)
    assert proc.table.equals(serial.table)
    assert proc.summary == serial.summary


def test_any_run_is_reflown_exactly(nominal, serial):
    row = run_chunk(nominal, Dispersions(), 1, 5, 6)[0]
    ref = {k: v[5] for k, v in serial.table.to_pydict().items()}
    assert row == ref


def test_summary_is_stable_across_campaign_seeds(ms28_text, nominal, serial):
    other = run_campaign(ms28_text, N, campaign_seed=2, chunk_size=4, nominal=nominal)
    a, b = serial.summary, other.summary
    # success rates agree within 3 combined binomial standard errors (floored at 1/N for p = 0 or 1)
    se = math.hypot(max(a.success_rate_stderr, 1 / N), max(b.success_rate_stderr, 1 / N))
    assert abs(a.success_rate - b.success_rate) <= 3 * se
    # median rendezvous dv within 3 standard errors of a median (1.2533 s / sqrt(N), each campaign)
    dv_a = np.array(serial.table.column("rendezvous_dv_mps").to_pylist())
    dv_b = np.array(other.table.column("rendezvous_dv_mps").to_pylist())
    se_med = 1.2533 * math.hypot(dv_a.std(ddof=1), dv_b.std(ddof=1)) / math.sqrt(N)
    assert abs(a.rendezvous_dv_p_mps[1] - b.rendezvous_dv_p_mps[1]) <= 3 * se_med
    # and the dispersions really disperse: the runs differ (not one value N times)
    assert dv_a.std() > 0.01


def test_parquet_and_html_outputs(tmp_path, serial):
    import pyarrow.parquet as pq

    write_parquet(serial.table, tmp_path / "runs.parquet")
    back = pq.read_table(tmp_path / "runs.parquet")
    assert back.equals(serial.table) and back.num_rows == N
    write_html(serial, tmp_path / "report.html")
    html = (tmp_path / "report.html").read_text()
    assert f"{100 * serial.summary.success_rate:.1f} %" in html and html.count("<img") >= 4


def test_cli_montecarlo(tmp_path, monkeypatch, nominal):
    import json

    import typer
    from typer.testing import CliRunner

    from gyrfalcon.cli.montecarlo import register

    app = typer.Typer()
    register(app)

    @app.command("noop")
    def _noop():  # a second command so that typer keeps the sub-command name
        pass

    res = CliRunner().invoke(app, ["montecarlo", "--runs", "2", "--seed", "3", "--out", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["runs"] == 2 and s["campaign_seed"] == 3
    assert (tmp_path / "runs.parquet").is_file() and (tmp_path / "report.html").is_file()
    bad = CliRunner().invoke(app, ["montecarlo", "--runs", "2", "--dispersions", str(tmp_path / "none.toml")])
    assert bad.exit_code != 0 and "no dispersions file" in bad.output


def test_an_existing_cluster_is_used_by_its_address(ms28_text, nominal, serial):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        res = run_campaign(ms28_text, 4, campaign_seed=1, chunk_size=2, nominal=nominal,
                           scheduler=cluster.scheduler_address)
    assert res.table.equals(serial.table.slice(0, 4))


def test_a_worker_killed_mid_campaign_costs_only_its_chunk(ms28_text, nominal, serial):
    import os
    import signal

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as admin:
        pids = admin.run(os.getpid)
        victim = sorted(pids.values())[0]
        killed = []

        def progress(done, total):
            if not killed:           # after the first chunk: SIGKILL one worker (its running chunk is lost)
                os.kill(victim, signal.SIGKILL)
                killed.append(done)

        res = run_campaign(ms28_text, N, campaign_seed=1, chunk_size=2, nominal=nominal,
                           scheduler=cluster.scheduler_address, progress=progress)
    assert killed and killed[0] < N
    assert res.table.equals(serial.table)


def test_the_scenarios_dispersions_table_is_used(ms28_text, nominal):
    text = ms28_text + "\n[dispersions]\nseed = 12\n[dispersions.burns]\nmagnitude_sigma_fraction = 0.0\n"
    res = run_campaign(text, 3, nominal=nominal, approach=False)
    assert res.campaign_seed == 12 and res.dispersions.burns.magnitude_sigma_fraction == 0.0
    rows = run_chunk(nominal, res.dispersions, 12, 0, 3, approach=False)
    assert [r["rendezvous_dv_mps"] for r in rows] == res.table.column("rendezvous_dv_mps").to_pylist()
    assert res.table.column("perigee_offset_m").to_pylist() != [0.0, 0.0, 0.0]


def test_a_finished_campaign_set_aside_comes_back_whole_however_far_the_set_aside_went(tmp_path):
    """The set-aside of a finished campaign being replaced, undone after an interruption: cut short
    (some files moved), or complete with the new campaign's manifest and a chunk written."""
    import os

    from gyrfalcon.scale import campaign as cp

    def finished(folder):
        (folder / "chunks").mkdir(parents=True)
        files = {"COMPLETE": "done", "runs.parquet": "runs", "summary.json": "{}", "report.html": "<p>",
                 "campaign.json": '{"seed": 1}', "chunks/runs-000000000-000000002.parquet": "chunk"}
        for name, text in files.items():
            (folder / name).write_text(text)
        return files

    def contents(folder):
        return {p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*") if p.is_file()}

    cut = tmp_path / "cut"
    files = finished(cut)
    prev = cut / cp.PREVIOUS_DIR
    (prev / "chunks").mkdir(parents=True)
    for name in ("COMPLETE", "runs.parquet"):       # interrupted after two moves
        os.replace(cut / name, prev / name)
    assert cp._restore_previous(cut) and contents(cut) == files and not prev.exists()

    whole = tmp_path / "whole"
    files = finished(whole)
    cp._set_aside(whole, keep=True)
    assert not (whole / "campaign.json").exists() and (whole / cp.PREVIOUS_DIR / "campaign.json").exists()
    (whole / "campaign.json").write_text('{"seed": 2}')                       # the new campaign's
    (whole / "chunks" / "runs-000000000-000000002.parquet").write_text("new chunk")
    assert cp._restore_previous(whole) and contents(whole) == files
    assert not cp._restore_previous(whole)                                    # nothing set aside any more
