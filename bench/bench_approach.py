"""Benchmark of one full closed-loop approach (gyrfalcon.proximity.approach.simulate_approach).

    python bench/bench_approach.py            # default MS-28 aim point, and chained from the MS-28 plan

Two cases: the proximity package's default scenario (Soyuz MS-28 from its 2.27 km aim point to
Rassvet nadir, 1 s control steps, Kurs at 1 Hz, EKF) and the same approach started from the
rendezvous plan's arrival state (gyrfalcon.rendezvous.handover.approach_from_plan; the plan is
made once, outside the timing). "first" = the first run in the process (after imports and the
ephemeris load); then the median of the following runs over seeds 0.. . Issue 5 target: < 2 s.

Third case, the vectorised approach (gyrfalcon.proximity.batch.simulate_approach_batch) as the
Monte Carlo flies it: ``--batch`` runs (default 256) from the default aim point with the
campaign's Kurs bias (1 sigma per channel), after one warm-up batch (kernels compiled or loaded
from heyoka's cache); per-run cost = wall time / runs, best of ``--batch-repeats``. The code
only uses public entry points, so the same file measures another checkout (PYTHONPATH).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--batch-repeats", type=int, default=3)
    ap.add_argument("--batch-only", action="store_true")
    ap.add_argument("--bias", type=float, default=1.0, help="Kurs bias fraction of the batch case "
                    "(0: every run flies to contact in any version, for comparing versions)")
    args = ap.parse_args()
    if args.batch_only:
        _batch(args)
        return
    from gyrfalcon.orbits.iss import iss_ephemeris
    from gyrfalcon.proximity.approach import simulate_approach

    eph = iss_ephemeris()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    a = time.perf_counter()
    r = simulate_approach(seed=0, ephemeris=eph)
    first = time.perf_counter() - a
    runs = []
    for seed in range(1, args.repeats + 1):
        a = time.perf_counter()
        simulate_approach(seed=seed, ephemeris=eph)
        runs.append(time.perf_counter() - a)
    print(f"default aim point: {r.verdict} at {r.contact_utc}, {len(r.t_s)} steps; first {first:.3f} s, "
          f"median {statistics.median(runs):.3f} s, best {min(runs):.3f} s")

    import sys
    sys.path.insert(0, os.path.dirname(__file__))
    from bench_rendezvous import _setup

    from gyrfalcon.rendezvous.handover import approach_from_plan
    from gyrfalcon.rendezvous.plan import plan_rendezvous

    eph, ins = _setup()
    plan = plan_rendezvous(ins, station=eph, trajectory_step_s=0)
    runs = []
    for seed in range(args.repeats):
        a = time.perf_counter()
        r = approach_from_plan(plan, eph, seed=seed)
        runs.append(time.perf_counter() - a)
    print(f"from the MS-28 plan ({plan.arrival_utc}): {r.verdict} at {r.contact_utc} (seed {args.repeats - 1}), "
          f"{len(r.t_s)} steps; median {statistics.median(runs):.3f} s, best {min(runs):.3f} s")


    _batch(args)


def _batch(args) -> None:
    from gyrfalcon.orbits.iss import iss_ephemeris
    from gyrfalcon.proximity.approach import ApproachConfig
    from gyrfalcon.proximity.batch import simulate_approach_batch
    from gyrfalcon.proximity.kurs import KursModel

    eph = iss_ephemeris()
    cfg = ApproachConfig(kurs=KursModel(bias_fraction=args.bias))
    simulate_approach_batch(cfg, seeds=range(16), ephemeris=eph)          # warm-up
    best = float("inf")
    for rep in range(args.batch_repeats):
        a = time.perf_counter()
        r = simulate_approach_batch(cfg, seeds=range(rep * args.batch, (rep + 1) * args.batch), ephemeris=eph)
        best = min(best, time.perf_counter() - a)
    cap = sum(v == "captured" for v in r.verdict)
    print(f"batch approach: {args.batch} runs, {cap} captured; best {best:.2f} s = {1e3 * best / args.batch:.2f} ms/run")


if __name__ == "__main__":
    main()
