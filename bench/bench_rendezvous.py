"""Benchmark of one full two-orbit rendezvous plan (gyrfalcon.rendezvous.plan.plan_rendezvous).

    python bench/bench_rendezvous.py              # cold (first plan in the process) and warm figures
    python bench/bench_rendezvous.py --profile    # plus a cProfile of one warm plan (top 25 by cumulative)

Soyuz MS-28: liftoff 2025-11-27 09:27:57.4 UTC from Baikonur 31/6, parametric insertion into the
ISS plane, the packaged NASA ISS ephemeris, the ``full`` force model, finite burns, targeting
included (first guess, J2 and full-model correctors, finite re-targeting). "cold" = the first plan
in a fresh process (imports, ephemeris load and the heyoka integrators, built or loaded from heyoka's
on-disk cache); "warm" = median of the following plans. Issue 4 target: < 1 s warm. Not a timed test.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import time

LIFTOFF = "2025-11-27T09:27:57.402"


def _setup():
    import numpy as np

    from gyrfalcon.launch.insertion import parametric_insertion
    from gyrfalcon.launch.sites import load_sites
    from gyrfalcon.orbits.iss import iss_ephemeris
    from gyrfalcon.time import parse_utc

    eph = iss_ephemeris()
    pad = load_sites().get("baikonur-31")
    t = parse_utc(LIFTOFF)
    s = eph.at(t)
    h = np.cross(s.r_m, s.v_mps)
    return eph, parametric_insertion(pad.lat_rad, pad.lon_rad, pad.alt_m, t, h / np.linalg.norm(h))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--trajectory-step", type=float, default=0.0,
                    help="relative-trajectory sampling [s] (0 = none, the default; 60 = the library default)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    from gyrfalcon.rendezvous.plan import plan_rendezvous

    eph, ins = _setup()
    t1 = time.perf_counter()
    p = plan_rendezvous(ins, station=eph, trajectory_step_s=args.trajectory_step)
    t2 = time.perf_counter()
    warm = []
    for _ in range(args.repeats):
        a = time.perf_counter()
        p = plan_rendezvous(ins, station=eph, trajectory_step_s=args.trajectory_step)
        warm.append(time.perf_counter() - a)
    iters = {k: v["iterations"] for k, v in p.corrector.items()}
    print(f"machine: {platform.processor() or platform.machine()}, {__import__('os').cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print(f"plan: {p.scheme}, {len(p.burns)} finite burns, total {p.total_dv_mps:.2f} m/s, "
          f"miss {p.miss_position_m:.3f} m; corrector iterations {iters}")
    print(f"cold: setup (imports, ephemeris, insertion) {t1 - t0:.2f} s + first plan {t2 - t1:.2f} s")
    print(f"warm: median {statistics.median(warm):.3f} s, best {min(warm):.3f} s over {len(warm)} plans "
          f"(trajectory step {args.trajectory_step:g} s)")
    if args.profile:
        import cProfile
        import pstats

        pr = cProfile.Profile()
        pr.enable()
        plan_rendezvous(ins, station=eph, trajectory_step_s=args.trajectory_step)
        pr.disable()
        pstats.Stats(pr).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
