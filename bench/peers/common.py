"""Shared settings of the peer benchmark (pure Python + numpy; imported by every peer script).

The workload is the "propagation part" of a Monte Carlo campaign of dispersed insertions,
with the settings of ``shared/reference/peers.md`` (same constants, same initial state, same
dispersions), so the figures can be compared with that survey:

* constants: mu = 398600.4418 km^3/s^2, Re = 6378.137 km, J2 = 1.0826266835531513e-3,
  **J2 about the inertial z axis** (GCRF = EME2000, no precession/nutation);
* drag: rho = 3e-12 kg/m^3 exp(-(|r| - Re - 400 km)/60 km), spherical altitude,
  **non-rotating** atmosphere (inertial velocity), cannonball Cd = 2.2, A = 1000 m^2,
  m = 420 000 kg: the one model every peer can express exactly;
* initial state: a = 6778 km, e = 0.0005, i = 51.64 deg, RAAN 120, argp 60, nu 10 deg,
  converted once to Cartesian; epoch 2025-01-01T12:00:00 UTC;
* workload A (Monte Carlo batch): N states = r0/v0 + uniform +-1 km, +-1 m/s per axis
  (numpy ``default_rng(1)``), propagated ``hours`` h with an output every 60 s;
* workload B (single run): the nominal state, 1 day, 1441 outputs, J2 only.

Every peer script takes ``--n N --hours H --out DIR [--quick]``, writes its final states as
``DIR/<peer>_<case>.npy`` (km) and prints ONE JSON line on stdout (last line) with:
``peer``, ``version``, ``t_import_s`` (imports, JVM start), ``rows`` = list of
``{case, mode, n_run, wall_s, wall_first_s?, t_build_s?, npy, note}``; ``wall_s`` is the
median of 3 timed calls after a warm-up, of the propagation call only.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

MU = 398600.4418            # km^3/s^2  (EGM2008 / WGS84 GM)
RE = 6378.137               # km        (WGS84 equatorial radius)
J2 = 1.0826266835531513e-3  # unnormalised, = -sqrt(5) * Cbar20 (EGM2008)
A, E, INC, RAAN, ARGP, NU = 6778.0, 0.0005, 51.64, 120.0, 60.0, 10.0
EPOCH = "2025-01-01T12:00:00"   # UTC
DT = 60.0                        # output step [s]
T_DAY = 86400.0                  # workload B span [s]
RHO_400 = 3.0e-12                # kg/m^3 at 400 km
HS = 60.0                        # km
CD, AREA, MASS = 2.2, 1000.0, 420000.0   # -, m^2, kg
RHO0_SURF = RHO_400 * math.exp(400.0 / HS)   # kg/m^3 at |r| = RE (surface-referenced models)
SEED = 1
N_REPEAT = 3                     # timed calls (median) after one warm-up


def coe2rv(a, e, i, raan, argp, nu, mu=MU):
    i, raan, argp, nu = map(math.radians, (i, raan, argp, nu))
    p = a * (1 - e * e)
    r_pf = np.array([math.cos(nu), math.sin(nu), 0.0]) * p / (1 + e * math.cos(nu))
    v_pf = np.array([-math.sin(nu), e + math.cos(nu), 0.0]) * math.sqrt(mu / p)
    cO, sO, ci, si, cw, sw = math.cos(raan), math.sin(raan), math.cos(i), math.sin(i), math.cos(argp), math.sin(argp)
    R = np.array([[cO * cw - sO * sw * ci, -cO * sw - sO * cw * ci, sO * si],
                  [sO * cw + cO * sw * ci, -sO * sw + cO * cw * ci, -cO * si],
                  [sw * si, cw * si, ci]])
    return R @ r_pf, R @ v_pf


R0, V0 = coe2rv(A, E, INC, RAAN, ARGP, NU)     # km, km/s
TIMES_DAY = np.arange(0.0, T_DAY + 0.5 * DT, DT)   # 1441 samples


def batch_times(hours):
    """Output grid of workload A [s]: every 60 s from 0 to ``hours`` h inclusive."""
    return np.arange(0.0, hours * 3600.0 + 0.5 * DT, DT)


def batch_states(n, seed=SEED):
    """n initial states [km, km/s]: R0/V0 + uniform +-1 km and +-1 m/s per axis."""
    rng = np.random.default_rng(seed)
    dr = rng.uniform(-1.0, 1.0, (n, 3))
    dv = rng.uniform(-1e-3, 1e-3, (n, 3))
    return R0 + dr, V0 + dv


def timeit(fn, n=N_REPEAT, warmup=1):
    """Median wall time [s] of ``n`` calls after ``warmup`` calls; returns (median, times, last output)."""
    for _ in range(warmup):
        fn()
    ts, out = [], None
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts)), ts, out


def parse_args(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000, help="Monte Carlo batch size (workload A)")
    ap.add_argument("--hours", type=float, default=3.0, help="span of workload A [h]")
    ap.add_argument("--out", default=".", help="directory for the final-state .npy files")
    ap.add_argument("--n-slow", type=int, default=None,
                    help="batch size actually run by a slow peer (results scaled to --n)")
    ap.add_argument("--quick", action="store_true", help="one timed call, no extra variants (smoke test)")
    return ap.parse_args(argv)


class Report:
    """Collects rows and writes final states; :meth:`emit` prints the one JSON line."""

    def __init__(self, peer, args, t_import_s, version=""):
        self.peer, self.args = peer, args
        self.d = dict(peer=peer, version=version, t_import_s=float(t_import_s), rows=[], n=args.n,
                      hours=args.hours, python=sys.version.split()[0])
        os.makedirs(args.out, exist_ok=True)

    def row(self, case, mode, wall_s, final=None, n_run=None, note="", **extra):
        npy = None
        if final is not None:
            npy = os.path.join(self.args.out, f"{self.peer}_{case}_{len(self.d['rows'])}.npy")
            np.save(npy, np.asarray(final, dtype=float))
        r = dict(case=case, mode=mode, wall_s=float(wall_s), n_run=n_run, npy=npy, note=note)
        r.update({k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in extra.items()})
        self.d["rows"].append(r)
        print(f"# {self.peer} {case} {mode}: {wall_s:.4g} s", file=sys.stderr, flush=True)
        return r

    def set(self, **kw):
        self.d.update(kw)

    def emit(self):
        sys.stdout.write(json.dumps(self.d) + "\n")
        sys.stdout.flush()


# ---------------------------------------------------------------------------------------------
# machine-limit estimate: arithmetic operations per Taylor step from a heyoka decomposition
# ---------------------------------------------------------------------------------------------
FLOP_RULE = (
    "per elementary op of the decomposition, for all Taylor coefficients 0..p (P = p + 1): "
    "add/sub/scale by a constant: P; product u*v and quotient u/v or c/v (Cauchy convolution, "
    "coefficient n = n+1 mul + n add, plus 1 div for quotients): P^2; square u^2: P(P+1)/2; "
    "sqrt: P^2/2 + 2P; pow(u, a) and exp: 1.5 P^2 (3 ops per convolution term); "
    "plus per step the state update (Horner, 2p per variable), the step size (4 per variable) "
    "and per output point the dense-output Horner (2p per variable); a division counts as 1 FLOP"
)


def _split_top(s, sep):
    depth, parts, cur, i = 0, [], "", 0
    while i < len(s):
        c = s[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        if depth == 0 and s.startswith(sep, i):
            parts.append(cur)
            cur = ""
            i += len(sep)
            continue
        cur += c
        i += 1
    parts.append(cur)
    return [p.strip() for p in parts]


def _is_num(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def _unwrap(s):
    s = s.strip()
    while s.startswith("(") and s.endswith(")"):
        depth = 0
        for i, c in enumerate(s):
            depth += c == "("
            depth -= c == ")"
            if depth == 0 and i < len(s) - 1:
                return s
        s = s[1:-1].strip()
    return s


def op_flops(expr, p):
    """Arithmetic operations to get Taylor coefficients 0..p of one decomposition entry (FLOP_RULE)."""
    P = p + 1
    s = _unwrap(str(expr))
    if _is_num(s) or s.startswith("u_") and s[2:].isdigit() or s in ("x", "y", "z", "vx", "vy", "vz", "m"):
        return 0.0
    terms = _split_top(s, " + ")
    if len(terms) == 1:
        terms2 = _split_top(s, " - ")
        if len(terms2) > 1:
            terms = terms2
    if len(terms) > 1:
        return (len(terms) - 1) * P + sum(op_flops(t, p) for t in terms)
    facs = _split_top(s, " * ")
    if len(facs) > 1:
        nonconst = [f for f in facs if not _is_num(_unwrap(f))]
        own = sum(op_flops(f, p) for f in nonconst)
        return own + (P if len(nonconst) <= 1 else (len(nonconst) - 1) * P * P)
    if "**" in s:
        base, ex = s.rsplit("**", 1)
        ex = float(ex) if _is_num(ex) else None
        own = op_flops(base, p)
        if ex == 2.0:
            return own + P * (P + 1) / 2
        if ex == 0.5:
            return own + P * P / 2 + 2 * P
        return own + 1.5 * P * P
    name = s.split("(", 1)[0]
    if name == "div":
        return float(P * P)
    if name in ("sub", "neg"):
        return float(P)
    if name in ("sqrt",):
        return P * P / 2 + 2 * P
    if name in ("exp", "log", "pow"):
        return 1.5 * P * P
    if name in ("sin", "cos", "tanh", "atan2", "atan"):
        return 2.0 * P * P
    if name in ("sum",):
        inner = s[len(name) + 1:-1]
        return (len(_split_top(inner, ", ")) - 1) * P
    return float(P * P)   # unknown op: counted as a product


def taylor_step_flops(ta, n_state):
    """(FLOPs per step per lane, FLOPs per dense-output point per lane, order, number of ops)."""
    p = int(ta.order)
    dec = [d[0] if isinstance(d, tuple) else d for d in ta.decomposition]
    ops = dec[n_state:len(dec) - n_state]
    f_ops = sum(op_flops(o, p) for o in ops)
    per_step = f_ops + 2 * p * n_state + 4 * n_state
    per_output = 2 * p * n_state
    return float(per_step), float(per_output), p, len(ops)
