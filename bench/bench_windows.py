"""Benchmark (and calibration/validation report) of gyrfalcon.launch.windows.

    python bench/bench_windows.py                 # a year of daily Baikonur windows to the ISS (SGP4)
    python bench/bench_windows.py --calibrate     # implied plane leads and launch-time errors of the
                                                  # real flights in shared/reference/iss_oem (needs that folder)

The year uses the ISS TLE of 2025-11-24 13:04 UTC (tests/data/iss_tles.csv) propagated by SGP4 for
365 days: the plane (in-plane times, azimuth) stays good, the phase drifts with the TLE's drag
model, so the feasibility flags far from the epoch are illustrative. Not a timed test.
"""
from __future__ import annotations

import argparse
import csv
import math
import pathlib
import statistics
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
OEM_DIR = ROOT.parent / "shared" / "reference" / "iss_oem"     # ../shared beside the checkout

# (label, spacecraft, scheme, OEM file tag, liftoff UTC, role). Liftoffs: missions.csv for the three
# development cases; NASA OEM trajectory event summaries (planned, to the second) for the others.
FLIGHTS = [
    ("Soyuz MS-28 (74S)", "soyuz-ms", "two-orbit", "2025-11-24_54cc94f", "2025-11-27T09:27:57.402", "dev"),
    ("Soyuz MS-27 (73S)", "soyuz-ms", "two-orbit", "2025-04-01_fb1131d", "2025-04-08T05:47:15.309", "dev"),
    ("Progress MS-31 (92P)", "progress-ms", "two-day", "2025-06-30_8cabb7b", "2025-07-03T19:32:40.257", "dev"),
    ("Soyuz MS-23 (69S)", "soyuz-ms", "two-day", "2023-02-16_a641462", "2023-02-24T00:24:29", "check"),
    ("Soyuz MS-24 (70S)", "soyuz-ms", "two-orbit", "2023-09-15_c2e8fbb", "2023-09-15T15:44:36", "crew-cal"),
    ("Soyuz MS-25 (71S) plan", "soyuz-ms", "two-orbit", "2024-03-14_991996c", "2024-03-21T13:21:19", "crew-cal"),
    ("Soyuz MS-25 (71S)", "soyuz-ms", "two-day", "2024-03-14_991996c", "2024-03-23T12:36:02", "crew-cal"),
    ("Soyuz MS-29 (75S) plan", "soyuz-ms", "two-orbit", "2026-07-01_0e8d2ab", "2026-07-14T14:47:00", "check"),
    ("Progress MS-23 (84P)", "progress-ms", "two-orbit", "2023-05-12_1895bcc", "2023-05-24T12:56:06", "check"),
    ("Progress MS-24 (85P)", "progress-ms", "two-day", "2023-08-15_09323a9", "2023-08-23T01:08:00", "cargo-cal"),
    ("Progress MS-25 (86P)", "progress-ms", "two-day", "2023-11-29_d0c6670", "2023-12-01T09:25:11", "cargo-cal"),
    ("Progress MS-26 (87P)", "progress-ms", "two-day", "2024-02-15_88c4321", "2024-02-15T03:25:05", "cargo-cal"),
    ("Progress MS-27 (88P)", "progress-ms", "two-day", "2024-05-15_b2533c8", "2024-05-30T09:43:00", "cargo-cal"),
    ("Progress MS-28 (89P)", "progress-ms", "two-day", "2024-08-14_00ed564", "2024-08-15T03:20:18", "cargo-cal"),
    ("Progress MS-29 (90P)", "progress-ms", "two-day", "2024-11-15_dc9adf5", "2024-11-21T12:22:24", "cargo-cal"),
    ("Progress MS-30 (91P)", "progress-ms", "two-day", "2025-02-26_21e5ba2", "2025-02-27T21:24:27", "cargo-cal"),
    ("Progress MS-32 (93P)", "progress-ms", "two-day", "2025-09-10_70f5307", "2025-09-11T15:54:06", "cargo-cal"),
    ("Progress MS-33 (94P)", "progress-ms", "two-day", "2026-03-11_b4ead9e", "2026-03-22T11:59:49", "cargo-cal"),
]


def year_bench(repeats: int = 5) -> None:
    from gyrfalcon.launch.sites import load_sites
    from gyrfalcon.launch.windows import find_windows
    from gyrfalcon.orbits.tle import tle_from_lines
    from gyrfalcon.time import iso_utc

    with open(ROOT / "tests" / "data" / "iss_tles.csv", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["epoch_utc"].startswith("2025-11-24 13:04"))
    tle = tle_from_lines(row["tle_line1"], row["tle_line2"], name="ISS")
    pad = load_sites().get("baikonur-31")
    find_windows(tle, pad, "two-orbit", "2025-11-26", 2)  # warm-up (imports, tables)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        wins = find_windows(tle, pad, "two-orbit", "2025-11-26", 365)
        times.append(time.perf_counter() - t0)
    print(f"year of daily windows (SGP4 ISS, Baikonur 31/6, two-orbit): {len(wins)} windows, "
          f"median {statistics.median(times):.3f} s, best {min(times):.3f} s over {repeats} runs")
    print(f"  first {iso_utc(wins[0].launch_utc, 1)}, last {iso_utc(wins[-1].launch_utc, 1)}, "
          f"feasible by phase (ignoring the pad outage): "
          f"{sum('inside' in w.reason for w in wins)}")


def calibrate() -> None:
    from gyrfalcon.io.oem import load_oem
    from gyrfalcon.launch.windows import find_windows, implied_plane_lead_s
    from gyrfalcon.time import add_seconds, parse_utc, seconds_between

    leads = {"crew-cal": [], "cargo-cal": []}
    rows = []
    for label, craft, scheme, tag, liftoff, role in FLIGHTS:
        eph = load_oem(OEM_DIR / f"ISS.OEM_J2K_EPH_created-{tag}.txt.gz").ephemeris("GCRF")
        d = implied_plane_lead_s(eph, "baikonur-31", scheme, liftoff, spacecraft=craft)
        if role in leads:
            leads[role].append(d["plane_lead_s"])
        t = parse_utc(liftoff)
        w = find_windows(eph, "baikonur-31", scheme, add_seconds(t, -3600.0), 2 / 24, spacecraft=craft)[0]
        rows.append((label, role, scheme, d, float(seconds_between(t, w.launch_utc)), w))
    for role, xs in leads.items():
        print(f"{role}: mean implied lead {statistics.mean(xs):.1f} s, sd {statistics.pstdev(xs):.1f} s, n = {len(xs)}")
    print(f"{'flight':24s} {'role':9s} {'scheme':9s} {'lead':>6s} {'phase':>6s} {'L-inplane':>9s} {'error':>7s} feasible")
    for label, role, scheme, d, err, w in rows:
        print(f"{label:24s} {role:9s} {scheme:9s} {d['plane_lead_s']:6.1f} "
              f"{math.degrees(w.phase_at_insertion_rad):6.1f} {d['launch_minus_inplane_s']:9.1f} {err:+7.1f} {w.feasible}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calibrate", action="store_true", help="print the plane-lead calibration and flight errors")
    args = ap.parse_args()
    if args.calibrate:
        calibrate()
    else:
        year_bench()
