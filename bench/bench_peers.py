"""Gyrfalcon vs its peers on the propagation part of a Monte Carlo campaign, in one run.

    python bench/bench_peers.py [--n 1000] [--hours 3] [--setup] [--n-slow 100] [--peers heyoka,orekit,...]

Runs each peer's script (``bench/peers/peer_<name>.py``) with the python of that peer's own
virtualenv (``bench/peers/.venvs/<name>``, made by ``bash bench/peers/setup.sh``; the peers are
never project dependencies) and Gyrfalcon's with this interpreter (``--python`` to change it).
A peer whose venv is missing is skipped with the command that makes it. Each script prints one
JSON line (median of 3 timed propagation calls after a warm-up; imports, JVM start and
compilation reported apart) and saves its final positions as .npy in a temporary directory;
this driver computes the accuracy against raw heyoka and prints one Markdown report: the
tables with ratios (tool time / Gyrfalcon time, tool time / fastest peer), the start-up costs
and the machine-limit estimate (FLOPs per Taylor step x steps vs the CPU's peak).

Workloads (settings in ``bench/peers/common.py``, as ``shared/reference/peers.md``):
A. N dispersed states (+-1 km, +-1 m/s uniform, seed 1) propagated ``--hours`` with outputs every
   60 s, J2 about inertial z with common constants; and J2 + non-rotating exponential drag.
B. one orbit, 1 day, 1441 outputs, J2.
Nothing here is part of the test suite.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS_DIR = os.path.join(HERE, "peers")
VENVS = os.path.join(PEERS_DIR, ".venvs")
ORDER = ("heyoka", "gyrfalcon", "orekit", "hapsira", "bsk")
LABEL = {"heyoka": "heyoka (raw)", "gyrfalcon": "**Gyrfalcon**", "orekit": "Orekit", "hapsira": "hapsira",
         "bsk": "Basilisk"}
CASES = (("A_j2", "A. Monte Carlo batch, J2"), ("A_drag", "A. Monte Carlo batch, J2 + drag"),
         ("B_j2", "B. single run, 1 day, 1441 outputs, J2"))
# rows that are not the same workload (other model, or without the 60 s outputs): shown, not ranked
NOT_COMPARABLE = ("preset 'j2'", "no step handler")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="Monte Carlo batch size of workload A (default 1000)")
    ap.add_argument("--hours", type=float, default=3.0, help="span of workload A [h] (default 3)")
    ap.add_argument("--n-slow", type=int, default=100,
                    help="orbits actually run by Basilisk, time scaled to --n (default 100)")
    ap.add_argument("--setup", action="store_true", help="run bench/peers/setup.sh first (creates the venvs)")
    ap.add_argument("--peers", default=",".join(ORDER), help=f"comma list out of {','.join(ORDER)}")
    ap.add_argument("--python", default=sys.executable, help="python that has gyrfalcon installed (default: this one)")
    ap.add_argument("--quick", action="store_true", help="one timed call per case, no variants (smoke test)")
    ap.add_argument("--json", default=None, help="also write the raw results (all scripts' JSON) to this file")
    return ap.parse_args(argv)


def python_of(peer, args):
    if peer == "gyrfalcon":
        return args.python
    return os.path.join(VENVS, peer, "bin", "python")


def run_peer(peer, args, outdir):
    py = python_of(peer, args)
    if peer != "gyrfalcon" and not os.path.exists(py):
        print(f"[skip] {peer}: no venv at {os.path.dirname(os.path.dirname(py))}; "
              f"create it with: bash bench/peers/setup.sh {peer}", file=sys.stderr)
        return None
    cmd = [py, os.path.join(PEERS_DIR, f"peer_{peer}.py"), "--n", str(args.n), "--hours", str(args.hours),
           "--out", outdir]
    if peer == "bsk":
        cmd += ["--n-slow", str(args.n_slow)]
    if args.quick:
        cmd.append("--quick")
    print(f"[run] {peer}: {' '.join(cmd)}", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, cwd=PEERS_DIR)
    wall = time.perf_counter() - t0
    lines = [ln for ln in p.stdout.strip().splitlines() if ln.startswith("{")]
    if p.returncode != 0 or not lines:
        print(f"[fail] {peer}: exit {p.returncode}; stdout tail: {p.stdout[-500:]}", file=sys.stderr)
        return None
    d = json.loads(lines[-1])
    d["t_script_s"] = wall
    return d


def machine():
    info = {"cpu": platform.processor() or "?", "cores": os.cpu_count(), "mhz": None, "flags": ""}
    try:
        txt = open("/proc/cpuinfo").read()
        m = re.search(r"model name\s*:\s*(.+)", txt)
        info["cpu"] = m.group(1).strip() if m else info["cpu"]
        m = re.search(r"cpu MHz\s*:\s*([\d.]+)", txt)
        info["mhz"] = float(m.group(1)) if m else None
        m = re.search(r"flags\s*:\s*(.+)", txt)
        info["flags"] = m.group(1) if m else ""
    except OSError:
        pass
    try:
        out = subprocess.run(["lscpu"], stdout=subprocess.PIPE, text=True).stdout
        m = re.search(r"CPU max MHz:\s*([\d.]+)", out)
        if m:
            info["mhz_max"] = float(m.group(1))
        m = re.search(r"Thread\(s\) per core:\s*(\d+)", out)
        info["threads_per_core"] = int(m.group(1)) if m else None
    except OSError:
        pass
    fl = info["flags"].split()
    info["simd_doubles"] = 8 if "avx512f" in fl else 4 if "avx2" in fl else 2
    info["fma"] = "fma" in fl
    return info


def fmt_s(x):
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 1:
        return f"{x:.2f}"
    if x >= 0.01:
        return f"{x:.3f}"
    return f"{x:.2g}" if x >= 1e-4 else f"{x:.1e}"


def fmt_ratio(x):
    if x is None:
        return "-"
    return f"{x:.2f}" if x < 10 else f"{x:.0f}"


def fmt_m(x, is_ref=False):
    if is_ref:
        return "reference"
    if x is None:
        return "-"
    if x == 0:
        return "0 (identical)"
    return f"{x:.2e}" if x < 1e-3 else f"{x:.3g}"


def accuracy(rows_by_case):
    """max |dr| [m] of each row's final positions vs the heyoka reference row of its case."""
    for case, rows in rows_by_case.items():
        ref = next((r for r in rows if r["peer"] == "heyoka" and r.get("ref")), None)
        ref_pos = np.load(ref["npy"]) if ref and ref.get("npy") else None
        for r in rows:
            r["dr_m"] = None
            if ref_pos is None or not r.get("npy"):
                continue
            pos = np.load(r["npy"])
            n = len(pos)
            r["is_ref"] = r is ref
            r["dr_m"] = float(np.linalg.norm(pos - ref_pos[:n], axis=1).max() * 1e3)


def build_report(results, args, mach, wall_total):
    rows_by_case = {c: [] for c, _ in CASES}
    for d in results:
        for r in d["rows"]:
            r["peer"] = d["peer"]
            rows_by_case.setdefault(r["case"], []).append(r)
    accuracy(rows_by_case)
    out = []
    today = _dt.date.today().isoformat()
    out.append(f"Measured {today} on {mach['cpu']}, {mach['cores']} cores"
               f"{' at ' + format(mach['mhz'], '.0f') + ' MHz' if mach['mhz'] else ''}, Python "
               f"{platform.python_version()}; `python bench/bench_peers.py --n {args.n} --hours {args.hours:g}"
               f"{' --quick' if args.quick else ''}` (whole run {wall_total:.0f} s).")
    out.append("")
    summary = {}
    for case, title in CASES:
        rows = rows_by_case.get(case) or []
        if not rows:
            continue
        gy = next((r for r in rows if r["peer"] == "gyrfalcon" and r.get("primary")), None)
        comparable = [r for r in rows if not any(k in r["mode"] for k in NOT_COMPARABLE)]
        peers = [r for r in comparable if r["peer"] != "gyrfalcon"]
        fastest = min(peers, key=lambda r: r["wall_s"]) if peers else None
        n = args.n if case.startswith("A") else 1
        span = f"{n} orbits x {args.hours:g} h, {int(round(args.hours * 60)) + 1} outputs each" if case.startswith("A") \
            else "1 orbit x 24 h"
        out.append(f"### {title} ({span})")
        out.append("")
        out.append("| tool | mode | wall [s] | per orbit [ms] | / Gyrfalcon | / fastest peer | max ‖Δr‖ vs heyoka [m] | notes |")
        out.append("|---|---|---|---|---|---|---|---|")
        for r in sorted(rows, key=lambda r: r["wall_s"]):
            notes = []
            if r.get("wall_first_s") is not None:
                notes.append(f"first run (JIT cold) {fmt_s(r['wall_first_s'])} s")
            if r.get("scaled"):
                notes.append(f"{r['n_run']} orbits run ({fmt_s(r['wall_measured_s'])} s), time scaled x{n / r['n_run']:g}; "
                             f"Δr over those {r['n_run']}")
            if r.get("t_build_s") is not None and r["peer"] in ("heyoka", "gyrfalcon"):
                notes.append(f"build {fmt_s(r['t_build_s'])} s")
            if r.get("t_build_s") is not None and r["peer"] == "hapsira":
                notes.append(f"numba JIT {fmt_s(r['t_build_s'])} s")
            if any(k in r["mode"] for k in NOT_COMPARABLE):
                notes.append("not ranked")
            name = LABEL[r["peer"]]
            out.append(f"| {name} | {r['mode']} | {fmt_s(r['wall_s'])} | {fmt_s(r['wall_s'] / n * 1e3)} | "
                       f"{fmt_ratio(r['wall_s'] / gy['wall_s']) if gy else '-'} | "
                       f"{fmt_ratio(r['wall_s'] / fastest['wall_s']) if fastest else '-'} | {fmt_m(r['dr_m'], r.get('is_ref'))} | "
                       f"{'; '.join(notes)} |")
        out.append("")
        if gy and fastest:
            summary[case] = (gy["wall_s"] / fastest["wall_s"], LABEL[fastest["peer"]] + ", " + fastest["mode"])
            out.append(f"Gyrfalcon / fastest peer ({LABEL[fastest['peer']]}, {fastest['mode']}): "
                       f"**{gy['wall_s'] / fastest['wall_s']:.2f}**; fastest peer other than raw heyoka: " +
                       _second(peers, gy))
            out.append("")
    # start-up table
    out.append("### Start-up and compilation (same run)")
    out.append("")
    out.append("| tool | version | imports [s] | build / JIT [s] | whole script [s] |")
    out.append("|---|---|---|---|---|")
    for d in results:
        builds = [r.get("t_build_s") for r in d["rows"] if r.get("t_build_s") is not None]
        extra = f" (JVM start {fmt_s(d['t_jvm_s'])})" if d.get("t_jvm_s") else ""
        out.append(f"| {LABEL[d['peer']]} | {d.get('version', '')} | {fmt_s(d['t_import_s'])}{extra} | "
                   f"{', '.join(fmt_s(b) for b in builds) or '-'} | {fmt_s(d['t_script_s'])} |")
    out.append("")
    out += machine_limit(results, mach)
    return "\n".join(out), summary


def _second(peers, gy):
    others = [r for r in peers if r["peer"] != "heyoka"]
    if not others:
        return "-"
    best = min(others, key=lambda r: r["wall_s"])
    return f"{LABEL[best['peer']]} {fmt_s(best['wall_s'])} s = **{best['wall_s'] / gy['wall_s']:.0f}x** Gyrfalcon's time."


def machine_limit(results, mach):
    out = ["### Machine limit (workload A, J2)", ""]
    ghz = (mach.get("mhz_max") or mach.get("mhz") or 0) / 1e3
    cores = mach["cores"] or 1
    simd = mach["simd_doubles"]
    fma_units = 2
    peak = cores * simd * 2 * fma_units * ghz * 1e9
    out.append(f"Peak = cores x SIMD doubles x 2 (FMA) x FMA units x clock = {cores} x {simd} x 2 x {fma_units} x "
               f"{ghz:.2f} GHz = **{peak / 1e9:.0f} GFLOP/s** (assumptions: the {cores} vCPUs are full cores, "
               f"{'AVX-512' if simd == 8 else 'AVX2'} with {fma_units} FMA units per core as on server Xeons, the "
               f"nominal clock {ghz:.2f} GHz from /proc/cpuinfo with no turbo; a division or square root "
               "counted as one FLOP although it costs several cycles).")
    out.append("")
    out.append("| integrator | Taylor order | ops in decomposition | FLOPs per step per orbit | steps per orbit | "
               "total GFLOP | measured [s] | achieved GFLOP/s | % of machine peak | % of 1 core at its SIMD width | "
               "lower bound on this machine [ms] |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    rule = None
    for d in results:
        fl = d.get("flops")
        if not fl:
            continue
        rule = fl["rule"]
        total = fl["lane_steps"] * fl["per_step_lane"] + fl["n_outputs"] * fl["per_output_lane"]
        ach = total / fl["wall_s"]
        simd_core = fl["lanes"] * 2 * fma_units * ghz * 1e9
        out.append(f"| {LABEL[d['peer']]} ({fl['lanes']} lanes) | {fl['order']} | {fl['n_ops']} | {fl['per_step_lane']:.0f} | "
                   f"{fl['steps_per_orbit']:.1f} | {total / 1e9:.3f} | {fmt_s(fl['wall_s'])} | {ach / 1e9:.1f} | "
                   f"{100 * ach / peak:.1f} | {100 * ach / simd_core:.0f} | {total / peak * 1e3:.2f} |")
    if rule:
        out.append("")
        out.append(f"Counting rule: {rule}. The outputs (Horner evaluation of the Taylor polynomials at each "
                   "60 s point) are included. Both run on one core: Gyrfalcon's propagate_batch is a serial loop "
                   "over SIMD batches, and for raw heyoka two Python threads on two integrator copies gave no speed-up "
                   "while heyoka's ensemble mode (threads, one integrator copy per batch) is slower (table above); so "
                   "'1 core at its SIMD width' is the ceiling as used, and the lower bound assumes the whole machine "
                   "at peak.")
    out.append("")
    return out


def main(argv=None):
    args = parse_args(argv)
    if args.setup:
        subprocess.run(["bash", os.path.join(PEERS_DIR, "setup.sh")], check=True)
    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    bad = [p for p in peers if p not in ORDER]
    if bad:
        sys.exit(f"unknown peer(s) {bad}; use some of {', '.join(ORDER)}")
    if "heyoka" not in peers:
        print("[note] without heyoka there is no accuracy reference", file=sys.stderr)
    t0 = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_peers_") as tmp:
        for peer in [p for p in ORDER if p in peers]:
            d = run_peer(peer, args, tmp)
            if d is not None:
                results.append(d)
        if not results:
            sys.exit("no peer ran; create the venvs with: bash bench/peers/setup.sh (or pass --setup)")
        report, summary = build_report(results, args, machine(), time.perf_counter() - t0)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(dict(results=results, summary=summary), f, indent=1)
    print(report)


if __name__ == "__main__":
    main()
