"""Benchmark of one full closed-loop approach (gyrfalcon.proximity.approach.simulate_approach).

    python bench/bench_approach.py            # default MS-28 aim point, and chained from the MS-28 plan

Two cases: the proximity package's default scenario (Soyuz MS-28 from its 2.27 km aim point to
Rassvet nadir, 1 s control steps, Kurs at 1 Hz, EKF) and the same approach started from the
rendezvous plan's arrival state (gyrfalcon.rendezvous.handover.approach_from_plan; the plan is
made once, outside the timing). "first" = the first run in the process (after imports and the
ephemeris load); then the median of the following runs over seeds 0.. . Issue 5 target: < 2 s.
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
    args = ap.parse_args()
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


if __name__ == "__main__":
    main()
