"""Speed checks that used to be wall-clock assertions in the tests (issue 16: tests must not
fail under load). Each figure is the median of ``--repeat`` runs after a warm-up.

    python bench/bench_checks.py

* ``import gyrfalcon`` in a fresh interpreter (target < 0.3 s);
* ``gyrfalcon run BAD.toml`` refused: in-process (CliRunner) and as a whole process,
  interpreter start-up included (target < 1 s);
* one 3-DOF ascent from warm caches (target < 2 s);
* ``parametric_insertion``: one day of liftoff times every minute, vectorised, per time
  (target < 1 ms), and one call alone (target < 1 ms).
"""
from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import median_time   # bench/timing.py (this folder is on sys.path when run as a script)

BAD = """
name = "t"
[launch]
pad = "cape-nowhere"
time = "2025-11-27T09:28:00Z"
[return]
enabled = false
"""
LAT, LON, ALT = math.radians(45.9961), math.radians(63.5639), 104.0   # Baikonur 31/6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    n = ap.parse_args().repeat

    imp = median_time(lambda: subprocess.run([sys.executable, "-c", "import gyrfalcon"], check=True), n)
    base = median_time(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), n)
    print(f"import gyrfalcon (fresh interpreter, minus a bare interpreter): {imp - base:.3f} s "
          f"(process {imp:.3f} s, bare {base:.3f} s)")

    from typer.testing import CliRunner

    from gyrfalcon.cli.app import app

    with tempfile.TemporaryDirectory() as tmp:
        bad = Path(tmp) / "bad.toml"
        bad.write_text(BAD)

        def in_process():
            res = CliRunner().invoke(app, ["run", str(bad), "--out", str(Path(tmp) / "o")])
            assert res.exit_code == 2

        def whole_process():
            p = subprocess.run([sys.executable, "-m", "gyrfalcon.cli.app", "run", str(bad), "--out",
                                str(Path(tmp) / "o")], capture_output=True, text=True)
            assert p.returncode == 2

        print(f"bad scenario refused, in-process: {median_time(in_process, n):.3f} s")
        print(f"bad scenario refused, whole process: {median_time(whole_process, n):.3f} s")

    import numpy as np

    from gyrfalcon.launch.ascent import fly_ascent
    from gyrfalcon.launch.insertion import inplane_plane_normal, parametric_insertion
    from gyrfalcon.time import add_seconds, parse_utc

    t0 = parse_utc("2026-03-22T12:00:00Z")
    nrm = inplane_plane_normal(LAT, LON, ALT, t0, math.radians(51.66))
    asc = median_time(lambda: fly_ascent(t0, pad_lat_rad=LAT, pad_lon_rad=LON, pad_alt_m=ALT,
                                         plane_normal_gcrf=nrm), max(1, n // 2))
    print(f"one ascent (warm caches): {asc:.3f} s")

    t1 = parse_utc("2025-11-27T09:27:57.4Z")
    nrm1 = inplane_plane_normal(LAT, LON, ALT, t1, math.radians(51.66))
    times = add_seconds(t1, np.arange(0.0, 86400.0, 60.0))
    vec = median_time(lambda: parametric_insertion(LAT, LON, ALT, times, nrm1), n)
    one = median_time(lambda: parametric_insertion(LAT, LON, ALT, t1, nrm1), max(n, 20))
    print(f"parametric_insertion: {vec / len(times) * 1e6:.1f} us per liftoff time vectorised "
          f"({len(times)} times in {vec:.3f} s); one call {one * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
