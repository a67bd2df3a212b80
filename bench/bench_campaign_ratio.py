"""The Monte Carlo campaign against a baseline source tree, in one run: wall time and its ratio.

    python bench/bench_campaign_ratio.py --baseline-src ../main/src           # 10,000 runs, 2 workers
    python bench/bench_campaign_ratio.py --baseline-src ../main/src --runs 2000

Runs ``gyrfalcon montecarlo --runs N --workers W --seed S`` twice in fresh processes, once with
this tree's ``src`` first on ``PYTHONPATH`` and once with the baseline's, alternating
(baseline, this, baseline, this when ``--repeats 2``), and prints each wall time (process start
to exit: imports, nominal plan, cluster start, flights, table), the CPU time of all the
processes (getrusage of the waited-for children: the CLI and its Dask workers) and the ratios
this/baseline (< 1: faster). The campaign summaries (capture, hand-over) are printed too. Not a test.
"""
from __future__ import annotations

import argparse
import os
import resource
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _run(src: str, runs: int, workers: int, seed: int) -> tuple:
    env = dict(os.environ, PYTHONPATH=src)
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run([sys.executable, "-m", "gyrfalcon.cli.app", "montecarlo", "--runs", str(runs),
                            "--workers", str(workers), "--seed", str(seed), "--out", d],
                           env=env, capture_output=True, text=True)
        dt = time.perf_counter() - t0
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"campaign failed with {src}: {p.stderr.strip()[-500:]}")
    cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    return dt, cpu, p.stdout.strip().splitlines()[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline-src", required=True, help="src directory of the baseline checkout")
    ap.add_argument("--runs", type=int, default=10000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    here = str(ROOT / "src")
    base, mine, base_cpu, mine_cpu = [], [], [], []
    for _ in range(args.repeats):
        dt, cpu, line = _run(args.baseline_src, args.runs, args.workers, args.seed)
        base.append(dt)
        base_cpu.append(cpu)
        print(f"baseline {dt:6.1f} s wall, {cpu:6.1f} s CPU (all processes)  {line}")
        dt, cpu, line = _run(here, args.runs, args.workers, args.seed)
        mine.append(dt)
        mine_cpu.append(cpu)
        print(f"this     {dt:6.1f} s wall, {cpu:6.1f} s CPU (all processes)  {line}")
    print(f"{args.runs} runs, {args.workers} workers: wall baseline {min(base):.1f} s, this {min(mine):.1f} s, "
          f"ratio {min(mine) / min(base):.2f}; CPU baseline {min(base_cpu):.1f} s, this {min(mine_cpu):.1f} s, "
          f"ratio {min(mine_cpu) / min(base_cpu):.2f} (best of {args.repeats}; the CPU ratio does not depend on "
          "the machine's load)")


if __name__ == "__main__":
    main()
