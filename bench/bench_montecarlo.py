"""Benchmark of Monte Carlo campaigns (gyrfalcon.scale): dispersed MS-28 two-orbit rendezvous + approach.

    python bench/bench_montecarlo.py               # 1000 runs: 1 process, then a 2-worker local Dask cluster,
                                                   # then the 10,000-run campaign on 2 workers
    python bench/bench_montecarlo.py --runs 1000 --approach-runs 4000 --big 0

Cases: the nominal (plan + guidance sensitivities, once per campaign); runs in this process without
the approach, with the vectorised approach (chunks of ``--chunk`` runs stepped together,
gyrfalcon.proximity.batch) and, for 20 runs, with the scalar approach; the vectorised approach alone
(``--approach-runs`` MS-28 aim-point runs in one batch, Kurs bias 1 sigma); the campaign on a
local dask.distributed cluster of 2 worker processes (cluster start-up included; the tables are
checked to be identical); and ``--big`` runs (default 10,000) on that cluster, timed from the
scenario text to the summary (nominal plan, cluster start and all), as ``gyrfalcon montecarlo
--runs 10000 --workers 2`` does it.
"""
from __future__ import annotations

import argparse
import os
import platform
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--chunk", type=int, default=1024)
    ap.add_argument("--big", type=int, default=10000)
    ap.add_argument("--approach-runs", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    from gyrfalcon.mission.scenario import default_scenario_text
    from gyrfalcon.proximity.approach import ApproachConfig
    from gyrfalcon.proximity.batch import simulate_approach_batch
    from gyrfalcon.proximity.kurs import KursModel
    from gyrfalcon.scale.campaign import run_campaign
    from gyrfalcon.scale.flight import build_nominal

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    text = default_scenario_text()
    a = time.perf_counter()
    nom = build_nominal(text, "<embedded soyuz-ms-28.toml>")
    print(f"nominal (window, plan, sensitivities, nominal approach): {time.perf_counter() - a:.1f} s")
    m = args.approach_runs
    simulate_approach_batch(seeds=[0])                       # ephemeris and port loaders warm
    a = time.perf_counter()
    ra = simulate_approach_batch(ApproachConfig(kurs=KursModel(bias_fraction=1.0)), seeds=range(m))
    w = time.perf_counter() - a
    print(f"vectorised approach alone, 1 process: {m} runs in {w:.1f} s = {m / w:.0f} runs/s "
          f"({1e3 * w / m:.1f} ms/run; captured {sum(v == 'captured' for v in ra.verdict)})")
    n = args.runs
    r0 = run_campaign(text, n, nominal=nom, approach=False, campaign_seed=1, chunk_size=args.chunk)
    print(f"rendezvous only, 1 process: {n} runs in {r0.wall_s:.1f} s = {n / r0.wall_s:.1f} runs/s")
    rs = run_campaign(text, 20, nominal=nom, campaign_seed=1, batch=False)
    print(f"rendezvous + scalar approach, 1 process: 20 runs in {rs.wall_s:.1f} s = {20 / rs.wall_s:.2f} runs/s")
    r1 = run_campaign(text, n, nominal=nom, campaign_seed=1, chunk_size=args.chunk)
    print(f"rendezvous + vectorised approach (chunks of {args.chunk}), 1 process: {n} runs in {r1.wall_s:.1f} s = "
          f"{n / r1.wall_s:.1f} runs/s")
    same = r1.table.slice(0, 20).column("verdict").equals(rs.table.column("verdict"))
    print(f"  first 20 verdicts identical to the scalar approach's: {same}")
    a = time.perf_counter()
    r2 = run_campaign(text, n, nominal=nom, campaign_seed=1, workers=args.workers, chunk_size=max(1, n // 4))
    w = time.perf_counter() - a
    print(f"rendezvous + vectorised approach, {args.workers} Dask worker processes (chunks of {max(1, n // 4)}): "
          f"{n} runs in {w:.1f} s with cluster start ({r2.wall_s:.1f} s in run_campaign) = {n / w:.1f} runs/s; "
          f"identical table: {r2.table.equals(r1.table)}")
    s = r1.summary
    print(f"summary: success {100 * s.success_rate:.1f} % +- {100 * s.success_rate_stderr:.1f} %, rendezvous dv "
          "p5/50/95/99 " + "/".join(f"{x:.2f}" for x in s.rendezvous_dv_p_mps) + " m/s,"
          f" failures {dict(s.failures)}")
    print(f"10,000 runs at the 1-process rate: {10000 / (n / r1.wall_s):.0f} s")
    if args.big:
        from gyrfalcon.scale import flight

        flight.build_nominal.cache_clear()
        a = time.perf_counter()
        rb = run_campaign(text, args.big, source="<embedded soyuz-ms-28.toml>", campaign_seed=1, workers=args.workers)
        w = time.perf_counter() - a
        s = rb.summary
        print(f"{args.big} runs, {args.workers} Dask workers, scenario text -> summary (nominal plan, cluster start, "
              f"chunks of {rb.table.num_rows and -(-args.big // (4 * args.workers))}): {w:.1f} s "
              f"(run_campaign {rb.wall_s:.1f} s) = {args.big / w:.0f} runs/s; captured {100 * s.success_rate:.2f} % +- "
              f"{100 * s.success_rate_stderr:.2f} %, rendezvous dv p5/50/95/99 "
              + "/".join(f"{x:.2f}" for x in s.rendezvous_dv_p_mps) + f" m/s, failures {dict(s.failures)}")


if __name__ == "__main__":
    main()
