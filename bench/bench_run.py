"""Benchmark of ``gyrfalcon run`` (issue 8): the whole process, the bad-scenario path, and the
return's ISS propagation error.

    python bench/bench_run.py              # 3 default runs + 3 bad-scenario runs (whole processes)
    python bench/bench_run.py --uncertainty  # along-track error of the return's ISS propagation,
                                             # hindcast on NASA's 2026-07-01 OEM (needs ../shared)

Wall time of ``gyrfalcon run --out TMP`` in a fresh interpreter each time (imports, heyoka's
integrators loaded from its disk cache, every phase, every output file). Not a timed test.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
"""The project's reference data folder beside the checkout (``../shared``), not in a clone."""
OEM_2026_07 = SHARED / "reference" / "iss_oem" / "ISS.OEM_J2K_EPH_created-2026-07-01_0e8d2ab.txt.gz"


def _timed(args) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "gyrfalcon.cli.app", *args], capture_output=True, text=True)
    return time.perf_counter() - t0, p


def bench_runs(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        times = []
        for i in range(n):
            dt, p = _timed(["run", "--json", "--out", f"{tmp}/ms28-{i}"])
            if p.returncode != 0:
                raise SystemExit(p.stderr)
            times.append(dt)
            d = json.loads(p.stdout)
            print(f"default run {i + 1}: {dt:5.1f} s  launch {d['launch_utc']}  contact {d['contact_utc']}  "
                  f"landing {d['landing_utc']}  dv {d['total_dv_mps']} m/s")
        print(f"default run: median {statistics.median(times):.1f} s, max {max(times):.1f} s (target < 60 s)")
        bad = Path(tmp) / "bad.toml"
        bad.write_text('name = "bad"\n[launch]\npad = "baikonur-99"\ntime = "2025-11-27T09:28Z"\n')
        bt = []
        for _ in range(n):
            dt, p = _timed(["run", str(bad), "--out", f"{tmp}/bad"])
            assert p.returncode == 2 and not (Path(tmp) / "bad").exists(), p.stderr
            bt.append(dt)
        print(f"bad scenario: exit 2 in median {statistics.median(bt):.2f} s, max {max(bt):.2f} s (target < 1 s): "
              f"{p.stderr.strip()[:110]}")


def bench_uncertainty() -> None:
    """Fit the drag scale on 2 days of NASA's OEM, propagate on and compare with NASA's own prediction."""
    import numpy as np

    from gyrfalcon.io.oem import load_oem
    from gyrfalcon.mission.runner import RETURN_DRAG
    from gyrfalcon.orbits.propagator import Propagator, estimate_drag_scale
    from gyrfalcon.time import add_seconds, parse_utc

    ref = load_oem(OEM_2026_07).ephemeris("GCRF")
    prop = Propagator("full", params=dict(RETURN_DRAG))
    t0 = parse_utc("2026-07-02T00:00:00Z")            # after the GMT182 reboost option (1 Jul 20:49)
    s0 = ref.at(t0)
    fit = estimate_drag_scale(prop, s0, ref, 2 * 86400.0)
    s2 = ref.at(add_seconds(t0, 2 * 86400.0))
    print(f"drag scale {fit.drag_scale:.3f} (rms {fit.rms_m:.0f} m over 2 d), then propagated from 07-04 00:00:")
    for days in (2, 5, 8, 11, 12):
        t = add_seconds(t0, (2 + days) * 86400.0)
        if not ref.covers(t):
            break
        e = prop.propagate(s2, t, step_s=600.0, params={"drag_scale": fit.drag_scale})
        st = e.at(t)
        truth = ref.at(t)
        d = st.r_m - truth.r_m
        along = float(d @ truth.v_mps / np.linalg.norm(truth.v_mps))
        print(f"  +{days:2d} d: along-track {along / 1e3:+7.2f} km = {along / 7660.0:+6.1f} s of ISS motion, "
              f"|dr| {np.linalg.norm(d) / 1e3:6.2f} km")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=3)
    ap.add_argument("--uncertainty", action="store_true")
    a = ap.parse_args()
    if a.uncertainty:
        bench_uncertainty()
    else:
        bench_runs(a.n)
