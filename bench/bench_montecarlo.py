"""Benchmark of Monte Carlo campaigns (gyrfalcon.scale): dispersed MS-28 two-orbit rendezvous + approach.

    python bench/bench_montecarlo.py               # 40 runs: 1 process, then a 2-worker local Dask cluster
    python bench/bench_montecarlo.py --runs 200

Cases: the nominal (plan + guidance sensitivities, once per campaign); runs in this process with
and without the closed-loop approach; the same campaign on a local dask.distributed cluster of
2 worker processes (cluster start-up included; the tables are checked to be identical).
"""
from __future__ import annotations

import argparse
import os
import platform
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    from gyrfalcon.mission.scenario import default_scenario_text
    from gyrfalcon.scale.campaign import run_campaign
    from gyrfalcon.scale.flight import build_nominal

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    text = default_scenario_text()
    a = time.perf_counter()
    nom = build_nominal(text, "<embedded soyuz-ms-28.toml>")
    print(f"nominal (window, plan, sensitivities, nominal approach): {time.perf_counter() - a:.1f} s")
    n = args.runs
    r0 = run_campaign(text, n, nominal=nom, approach=False, campaign_seed=1)
    print(f"rendezvous only, 1 process: {n} runs in {r0.wall_s:.1f} s = {n / r0.wall_s:.1f} runs/s")
    r1 = run_campaign(text, n, nominal=nom, campaign_seed=1)
    print(f"rendezvous + approach, 1 process: {n} runs in {r1.wall_s:.1f} s = {n / r1.wall_s:.2f} runs/s")
    a = time.perf_counter()
    r2 = run_campaign(text, n, nominal=nom, campaign_seed=1, workers=args.workers, chunk_size=max(1, n // 8))
    w = time.perf_counter() - a
    print(f"rendezvous + approach, {args.workers} Dask worker processes: {n} runs in {w:.1f} s with cluster "
          f"start ({r2.wall_s:.1f} s in run_campaign) = {n / w:.2f} runs/s; identical table: "
          f"{r2.table.equals(r1.table)}")
    s = r1.summary
    print(f"summary: success {100 * s.success_rate:.0f} % +- {100 * s.success_rate_stderr:.0f} %, rendezvous dv "
          f"p5/50/95 {s.rendezvous_dv_p_mps[0]:.2f}/{s.rendezvous_dv_p_mps[1]:.2f}/{s.rendezvous_dv_p_mps[2]:.2f} m/s,"
          f" failures {dict(s.failures)}")
    print(f"10,000 runs at this rate: {10000 / (n / w):.0f} s on {args.workers} workers")


if __name__ == "__main__":
    main()
