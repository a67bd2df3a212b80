"""One full rendezvous plan + simulated approach (Soyuz MS-28), cold and warm wall times.

    python bench/bench_plan_approach.py [--repeats 5] [--vehicle soyuz-ms] [--port rassvet-nadir]

Liftoff 2025-11-27 09:27:57.4 UTC from Baikonur 31/6, parametric insertion into the ISS plane,
the packaged NASA ISS ephemeris; the planner (arrival rule, burn placement, targeting with the
``full`` model and finite burns) then the closed-loop approach to the port
(``rendezvous.handover.approach_from_plan``): what ``gyrfalcon rendezvous`` computes. Issue 14
target: < 2 s warm (median). Not a test.
"""
from __future__ import annotations

import argparse
import statistics
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--vehicle", default="soyuz-ms")
    ap.add_argument("--port", default="rassvet-nadir")
    args = ap.parse_args()
    t0 = time.perf_counter()
    from gyrfalcon.cli.rendezvous import run_rendezvous
    from gyrfalcon.orbits.iss import iss_ephemeris

    eph = iss_ephemeris("GCRF")

    def once():
        return run_rendezvous(eph, "baikonur-31", "2025-11-27T09:27:57.4Z", "auto", args.port, args.vehicle, 0)

    plan, res = once()
    cold = time.perf_counter() - t0
    warm, cpu = [], []
    for _ in range(args.repeats):
        a, c = time.perf_counter(), time.process_time()
        plan, res = once()
        warm.append(time.perf_counter() - a)
        cpu.append(time.process_time() - c)
    print(f"{plan.scheme} plan + approach to {args.port}: contact {res.contact_utc} ({res.verdict})")
    print(f"cold (imports, ephemeris, integrators) {cold:.2f} s; warm median {statistics.median(warm):.2f} s "
          f"(min {min(warm):.2f}, max {max(warm):.2f}, {args.repeats} runs); CPU time median "
          f"{statistics.median(cpu):.2f} s (the wall time on a loaded machine is CPU time plus waiting)")


if __name__ == "__main__":
    main()
