"""Ephemeris interpolation and sampling check (issue 15: Hermite with velocities).

    python bench/bench_ephemeris.py

On the shipped NASA ISS ephemeris (5,402 samples, 4-min steps): Hermite interpolation at
100,000 arbitrary times and on a 60-s grid over the 15 days (regular geometry: the weights
are computed once per distinct window), and the sampling check done when an OEM becomes an
ephemeris. Medians of 5 after a warm-up.
"""
from __future__ import annotations

import numpy as np

from timing import median_time   # bench/timing.py (this folder is on sys.path when run as a script)


def main() -> None:
    from gyrfalcon.orbits.iss import iss_ephemeris, load_iss_default

    eph = iss_ephemeris("GCRF")
    rng = np.random.default_rng(1)
    arbitrary = np.sort(rng.uniform(eph.t_s[0], eph.t_s[-1], 100_000))
    grid = np.arange(eph.t_s[0], eph.t_s[-1], 60.0)
    print(f"interpolate 100,000 arbitrary times: {median_time(lambda: eph.interpolate(arbitrary)):.3f} s")
    print(f"interpolate {len(grid)} times on a 60-s grid: {median_time(lambda: eph.interpolate(grid)):.3f} s")
    print(f"sampling_report (5,402 samples): {median_time(eph.sampling_report):.3f} s")
    oem = load_iss_default()
    print(f"OEM.ephemeris('GCRF') with the check: {median_time(lambda: oem.ephemeris('GCRF')):.3f} s, "
          f"without: {median_time(lambda: oem.ephemeris('GCRF', max_error_m=None)):.3f} s")


if __name__ == "__main__":
    main()
