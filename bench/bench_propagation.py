"""Propagation benchmark: our API vs raw heyoka doing the same work, and integrator build times.

Run:  python bench/bench_propagation.py [--quick] [--write]

* build: each model is compiled in a fresh process with an empty heyoka disk cache (cold),
  then in another fresh process with that cache (warm), then again in-process (hot: our
  lru cache). compact_mode on/off is compared for the J2 model.
* 1-day ISS, 60 s output: ``Propagator.propagate`` (State in, Ephemeris out) vs the same
  compiled heyoka integrator driven directly (set state/parameters, ``propagate_grid``).
* 1000 orbits x 3 h, J2, batch: ``Propagator.propagate_batch`` vs the same batch integrator
  driven directly; plus 1000 single propagations for scale.

``--write`` replaces the ``## Propagation`` section of bench/README.md with the results.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

ISS_R = [4594537.6433342295, -518498.051975477, 4971920.396572272]
ISS_V = [3048.8547013478737, 6705.89433372349, -2115.9935449219083]
EPOCH = "2025-11-24T12:00:00Z"
DRAG = {"drag_area_m2": 1526.6, "drag_cd": 1.4}

BUILD_SNIPPET = r"""
import json, sys, time
import heyoka as hy
if sys.argv[1] != "-":
    hy.llvm_state.set_diskcache_path(sys.argv[1])
from gyrfalcon.orbits.forces import ForceModel
from gyrfalcon.orbits.propagator import Propagator
from gyrfalcon.orbits.state import State
from gyrfalcon.time import parse_utc
name, compact = sys.argv[2], {"auto": None, "on": True, "off": False}[sys.argv[3]]
p = Propagator(name, compact_mode=compact, params={"drag_area_m2": 1526.6, "drag_cd": 1.4})
s0 = State(parse_utc("2025-11-24T12:00Z"), %r, %r, "GCRF", 494318.8)
t0 = time.perf_counter()
p.propagate(s0, 600.0, 60.0)      # compiles (and the Earth-orientation cfunc, if needed)
first = time.perf_counter() - t0
t0 = time.perf_counter()
p.propagate(s0, 600.0, 60.0)
hot = time.perf_counter() - t0
days = []
for _ in range(5):
    t0 = time.perf_counter()
    p.propagate(s0, 86400.0, 60.0)
    days.append(time.perf_counter() - t0)
print(json.dumps({"first_call_s": first, "hot_call_s": hot, "day_s": sorted(days)[2]}))
""" % (ISS_R, ISS_V)

NATIVE_SNIPPET = r"""
import json, sys, time
import heyoka as hy
hy.llvm_state.set_diskcache_path(sys.argv[1])
from gyrfalcon.orbits.forces import tt_jc
from gyrfalcon.time import parse_utc
x, y, z, vx, vy, vz = hy.make_vars("x", "y", "z", "vx", "vy", "vz")
tc = hy.par[0] + hy.time / (86400 * 36525)
k = hy.model.rot_itrs_icrs([0.0, 0.0, 1.0], tc, thresh=float(sys.argv[2]))
mu, J2, Re = 3.986004415e14, 1.0826261738522227e-3, 6378136.3
r2 = x * x + y * y + z * z
r = hy.sqrt(r2)
s = (x * k[0] + y * k[1] + z * k[2]) / r
f = 1.5 * mu * J2 * Re ** 2 / (r2 * r2)
acc = [-mu * c / (r2 * r) - f * ((1 - 5 * s * s) * c / r + 2 * s * kk) for c, kk in zip((x, y, z), k)]
t0 = time.perf_counter()
ta = hy.taylor_adaptive([(x, vx), (y, vy), (z, vz), (vx, acc[0]), (vy, acc[1]), (vz, acc[2])],
                        %r + %r, tol=1e-13, compact_mode=True, pars=[tt_jc(parse_utc("2025-11-24T12:00Z"))])
build = time.perf_counter() - t0
grid = [60.0 * i for i in range(1441)]
days = []
for _ in range(5):
    ta.time = 0.0
    ta.state[:] = %r + %r
    t0 = time.perf_counter()
    ta.propagate_grid(grid)
    days.append(time.perf_counter() - t0)
print(json.dumps({"cold": build, "day": sorted(days)[2]}))
""" % (ISS_R, ISS_V, ISS_R, ISS_V)


def native_j2(thresh="1e-6", timeout=900):
    """heyoka's own rot_itrs_icrs (IAU 2006 series inside the integrator) for the J2 pole."""
    with tempfile.TemporaryDirectory() as cache:
        try:
            res = subprocess.run([sys.executable, "-c", NATIVE_SNIPPET, cache, thresh],
                                 capture_output=True, text=True, timeout=timeout)
            return json.loads(res.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            return {"cold": float("inf"), "day": float("nan")}


def build_times(models, compact="auto", timeout=900):
    out = {}
    for name in models:
        with tempfile.TemporaryDirectory() as cache:
            row = {}
            for label in ("cold", "warm"):
                try:
                    res = subprocess.run([sys.executable, "-c", BUILD_SNIPPET, cache, name, compact],
                                         capture_output=True, text=True, timeout=timeout)
                    out_json = json.loads(res.stdout.strip().splitlines()[-1])
                    row[label] = out_json["first_call_s"]
                    row["hot"] = out_json["hot_call_s"]
                    row["day"] = out_json["day_s"]
                except subprocess.TimeoutExpired:
                    row[label] = float("inf")
            out[name] = row
    return out


def median_times(fa, fb, n):
    """Medians of ``fa`` and ``fb`` timed alternately (so that load drifts hit both alike)."""
    ta, tb = [], []
    for _ in range(n):
        for fn, acc in ((fa, ta), (fb, tb)):
            t0 = time.perf_counter()
            fn()
            acc.append(time.perf_counter() - t0)
    return float(np.median(ta)), float(np.median(tb))


def one_day(model: str, n: int):
    from gyrfalcon.orbits.forces import tt_jc
    from gyrfalcon.orbits.propagator import Propagator
    from gyrfalcon.orbits.state import State
    from gyrfalcon.time import parse_utc

    p = Propagator(model, params=DRAG)
    s0 = State(parse_utc(EPOCH), ISS_R, ISS_V, "GCRF", 494318.8)
    p.propagate(s0, 86400.0, 60.0)

    comp = p.compiled()
    ta = comp.ta
    pars0 = p._param_values(comp, None, tt_jc(s0.t))
    y0 = np.concatenate([s0.r_m, s0.v_mps, [494318.8]])
    L = p.rotation_segment_s
    grid = np.arange(0.0, 86400.0 + 1.0, 60.0)

    def raw():
        ta.time = 0.0
        ta.state[:] = y0
        ta.pars[:] = pars0
        ta.reset_cooldowns()
        out = []
        for a in np.arange(0.0, 86400.0, L):
            b = min(a + L, 86400.0)
            for prov in comp.segment_providers:
                for k, v in prov.segment_params(pars0[0], a, b - a).items():
                    ta.pars[comp.param_index[k]] = v[0]
            g = grid[(grid >= a) & (grid <= b)]
            out.append(ta.propagate_grid(g)[-1])
        return out

    api, rawt = median_times(lambda: p.propagate(s0, 86400.0, 60.0), raw, n)
    return {"model": model, "api_s": api, "raw_s": rawt, "ratio": api / rawt}


def batch(n_orbits: int, n: int):
    import heyoka as hy

    from gyrfalcon.orbits.forces import tt_jc
    from gyrfalcon.orbits.propagator import Propagator
    from gyrfalcon.orbits.state import State
    from gyrfalcon.time import parse_utc

    rng = np.random.default_rng(1)
    t0 = parse_utc(EPOCH)
    states = [State(t0, np.add(ISS_R, rng.normal(0, 1000, 3)), np.add(ISS_V, rng.normal(0, 1, 3)), "GCRF")
              for _ in range(n_orbits)]
    p = Propagator("j2")
    T, step = 3 * 3600.0, 60.0
    p.propagate_batch(states[:8], T, step)

    B = int(hy.recommended_simd_size())
    comp = p.compiled((), batch_size=B)
    ta = comp.ta
    Y0 = np.array([np.concatenate([s.r_m, s.v_mps, [0.0]]) for s in states])
    e = tt_jc(t0)
    grid = np.arange(0.0, T + 1.0, step)

    def raw():
        pars = p._param_values(comp, None, np.full(B, e), n=B)
        for prov in comp.segment_providers:
            for k, v in prov.segment_params(np.array([e]), np.array([0.0]), np.array([T])).items():
                pars[comp.param_index[k]] = v[0]
        g = np.ascontiguousarray(np.repeat(grid[:, None], B, axis=1))
        out = np.empty((n_orbits, len(grid), 7))
        for c0 in range(0, n_orbits, B):
            idx = np.arange(c0, c0 + B).clip(max=n_orbits - 1)
            ta.set_time(np.zeros(B))
            ta.state[:] = Y0[idx].T
            ta.pars[:] = pars
            res = ta.propagate_grid(g)[-1]
            nb = min(B, n_orbits - c0)
            out[c0:c0 + nb] = np.transpose(res, (2, 0, 1))[:nb]
        return out

    api, rawt = median_times(lambda: p.propagate_batch(states, T, step), raw, n)
    single = median_times(lambda: [p.propagate(s, T, step) for s in states[:100]], lambda: None,
                          max(1, n // 2))[0] * n_orbits / 100
    return {"n": n_orbits, "api_s": api, "raw_s": rawt, "ratio": api / rawt, "single_loop_s": single, "batch": B}


def table(rows, cols, fmt):
    head = "| " + " | ".join(c for c, _ in cols) + " |\n|" + "---|" * len(cols) + "\n"
    return head + "".join("| " + " | ".join(fmt(k, r) for _, k in cols) + " |\n" for r in rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the cold/warm build runs")
    ap.add_argument("--write", action="store_true", help="write the results into bench/README.md")
    ap.add_argument("-n", type=int, default=15, help="repetitions (median)")
    ap.add_argument("--from-json", help="only rewrite bench/README.md from a saved JSON result")
    ap.add_argument("--note", help="a sentence about the run (e.g. machine load) for the README")
    args = ap.parse_args()
    if args.from_json:
        text = Path(args.from_json).read_text()
        res = json.JSONDecoder().raw_decode(text[text.index("{"):])[0]
        if args.note:
            res["note"] = args.note
        write_readme(res)
        return

    res = {"date": dt.date.today().isoformat(), "cpu": platform.processor() or platform.machine(),
           "cores": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            res["cpu"] = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import heyoka as hy

    res["heyoka"] = hy.__version__
    if args.note:
        res["note"] = args.note
    with open("/proc/loadavg") as f:
        res["loadavg_start"] = f.read().split()[0]
    res["one_day"] = [one_day(m, args.n) for m in ("two-body", "j2", "zonal", "full")]
    res["batch"] = batch(1000, max(3, args.n // 3))
    if not args.quick:
        res["build"] = build_times(["two-body", "j2", "zonal", "full"])
        res["compact"] = {f"{m}, compact_mode {c}": build_times([m], compact=c)[m]
                          for m in ("j2", "full") for c in ("on", "off")}
        res["native_j2"] = {th: native_j2(th) for th in ("1e-6", "1e-4")}
    print(json.dumps(res, indent=1))
    if args.write:
        write_readme(res)


def write_readme(res):
    lines = ["## Propagation\n\n",
             f"`python bench/bench_propagation.py --write` on {res['date']}: {res['cpu']}, "
             f"{res['cores']} cores, heyoka {res['heyoka']}. Times are medians; ISS state of "
             f"{EPOCH} (NASA OEM, GCRF). {res.get('note', '')}\n\n",
             "### 1-day ISS propagation, 60 s output (1441 samples)\n\n",
             "API = `Propagator.propagate` (State in, Ephemeris out, checks included); raw = the same "
             "compiled heyoka integrator driven directly (state, parameters, Earth-orientation "
             "segments, `propagate_grid`).\n\n",
             table(res["one_day"], [("model", "model"), ("API [ms]", "api_s"), ("raw heyoka [ms]", "raw_s"),
                                    ("ratio", "ratio")],
                   lambda k, r: r[k] if k == "model" else (f"{r[k]:.2f}" if k == "ratio" else f"{1e3 * r[k]:.2f}")),
             "\n### 1000 orbits x 3 h, J2 (true pole), batch mode\n\n",
             f"heyoka batch of {res['batch']['batch']} lanes (SIMD); 181 samples per orbit.\n\n",
             table([res["batch"]], [("API [s]", "api_s"), ("raw heyoka [s]", "raw_s"), ("ratio", "ratio"),
                                    ("1000 single propagations [s]", "single_loop_s")],
                   lambda k, r: f"{r[k]:.2f}" if k == "ratio" else f"{r[k]:.3f}")]
    if "build" in res:
        rows = [{"model": m, **v} for m, v in res["build"].items()]
        lines += ["\n### Integrator build (first `propagate` call of a process)\n\n",
                  "cold = empty heyoka disk cache; warm = new process, disk cache filled; hot = same "
                  "process (our lru cache: the first call is then just a 10-min propagation). Default "
                  "compact_mode: on for spherical harmonics or drag, off otherwise. 'cold' includes "
                  "compiling the IAU 2006 series function used outside the integrator (~1-2 s, once).\n\n",
                  table(rows, [("model", "model"), ("cold [s]", "cold"), ("warm [s]", "warm"), ("hot [ms]", "hot")],
                        lambda k, r: r[k] if k == "model" else (f"{1e3 * r[k]:.2f}" if k == "hot" else f"{r[k]:.2f}"))]
        rows = [{"model": m, **v} for m, v in res["compact"].items()]
        rows += [{"model": f"j2 with heyoka's rot_itrs_icrs inside (IAU 2006 thresh {th} as), compact",
                  "day": v.get("day", v.get("day_s")), "cold": v["cold"]} for th, v in res["native_j2"].items()]
        lines += ["\n### compact_mode and where the Earth orientation is computed (J2 true pole / full)\n\n",
                  "Our models put only ERA and polar motion inside the integrator and the precession-nutation "
                  "matrix as per-segment quadratic parameters; the last rows put heyoka's complete "
                  "`rot_itrs_icrs` (the nutation series) inside instead (J2 only). 1 day = median "
                  "1-day ISS propagation with 60 s output.\n\n",
                  table(rows, [("model", "model"), ("cold build [s]", "cold"), ("1 day [ms]", "day")],
                        lambda k, r: r[k] if k == "model" else (f"{1e3 * r[k]:.2f}" if k == "day" else
                                                                 ("> 900" if r[k] == float("inf") else f"{r[k]:.2f}")))]
    section = "".join(lines)
    path = HERE / "README.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    start = text.find("## Propagation")
    if start >= 0:
        end = text.find("\n## ", start + 5)
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


if __name__ == "__main__":
    main()
