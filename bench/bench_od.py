"""Orbit determination speed: fit state + drag to a 5-day ISS element-set series.

``python bench/bench_od.py [OMM_FILE] [AT_UTC]`` (default: tests/data/iss_omm_2024-12-03_8d.json,
2024-12-08T12:00Z; history 5 days). Prints the wall and CPU time of
:func:`gyrfalcon.orbits.station_source.determine_orbit` (first call, which also builds or loads the
compiled integrators, and the median of 5 warm calls). Target (issue 15): < 2 s warm.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    from gyrfalcon.orbits import station_source as ss
    from gyrfalcon.orbits.tle import load_omm
    from gyrfalcon.time import parse_utc

    path = argv[0] if argv else str(Path(__file__).resolve().parents[1] / "tests" / "data" / "iss_omm_2024-12-03_8d.json")
    at = parse_utc(argv[1] if len(argv) > 1 else "2024-12-08T12:00Z")
    sets = load_omm(path)
    t0 = time.perf_counter()
    ss.determine_orbit(sets, at, history_days=5.0)
    first = time.perf_counter() - t0
    walls, cpus = [], []
    for _ in range(5):
        w, c = time.perf_counter(), time.process_time()
        state, drag, warns, arc, _ = ss.determine_orbit(sets, at, history_days=5.0)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    print(f"{len(arc)} sets over {drag.span_s / 86400:.2f} d, {drag.n_points} points: {drag.describe()}")
    print(f"first call {first:.2f} s; warm: wall median {statistics.median(walls):.2f} s "
          f"(min {min(walls):.2f}), CPU median {statistics.median(cpus):.2f} s")


if __name__ == "__main__":
    main()
