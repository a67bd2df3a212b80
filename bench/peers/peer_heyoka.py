"""Raw heyoka (its own venv): the peer benchmark workloads (see common.py), units km, s.

Modes: ``taylor_adaptive_batch`` with ``recommended_simd_size()`` lanes (the natural best
mode), the same with 8 lanes (AVX-512 width), a scalar integrator in a Python loop, and
``ensemble_propagate_grid_batch`` (threads). Tolerance: heyoka's default (machine epsilon).
Also counts the arithmetic per Taylor step (common.taylor_step_flops) and the steps taken,
for the machine-limit estimate.
"""
import time

T_PROC0 = time.perf_counter()
import os  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

from common import (AREA, CD, HS, MASS, MU, RE, RHO_400, J2, R0, TIMES_DAY, V0, Report,  # noqa: E402
                    FLOP_RULE, batch_states, batch_times, parse_args, taylor_step_flops, timeit)

args = parse_args()
import heyoka as hy  # noqa: E402

rep = Report("heyoka", args, time.perf_counter() - T_PROC0, hy.__version__)

x, y, z, vx, vy, vz = hy.make_vars("x", "y", "z", "vx", "vy", "vz")
r2 = x**2 + y**2 + z**2
r = hy.sqrt(r2)
f2 = 1.5 * J2 * RE**2 / r2
k = 5.0 * z**2 / r2
acc_pm = [-MU * c / (r2 * r) for c in (x, y, z)]
acc_j2 = [-MU * x / (r2 * r) * f2 * (1 - k), -MU * y / (r2 * r) * f2 * (1 - k), -MU * z / (r2 * r) * f2 * (3 - k)]
acc = [a + b for a, b in zip(acc_pm, acc_j2)]
v = hy.sqrt(vx**2 + vy**2 + vz**2)
rho = RHO_400 * hy.exp(-(r - RE - 400.0) / HS)
bdrag = 0.5 * CD * AREA / MASS * 1e3        # rho [kg/m^3] -> km units
acc_d = [a - bdrag * rho * v * c for a, c in zip(acc, (vx, vy, vz))]


def sysof(accs):
    return [(x, vx), (y, vy), (z, vz), (vx, accs[0]), (vy, accs[1]), (vz, accs[2])]


B = int(hy.recommended_simd_size())
rb, vb = batch_states(args.n)
X0 = np.hstack([rb, vb])
N = args.n
TB = batch_times(args.hours)
steps = {"lane": 0, "simd": 0}


def build_batch(sys_, width):
    t0 = time.perf_counter()
    tab = hy.taylor_adaptive_batch(sys_, np.zeros((6, width)))
    return tab, time.perf_counter() - t0


def load_block(tab, s, w):
    """Orbits s..s+w-1 into the batch integrator (padded with copies of orbit s); returns how many are real."""
    n = min(w, N - s)
    blk = np.empty((6, w))
    blk[:, :n] = X0[s:s + n].T
    blk[:, n:] = X0[s:s + 1].T
    tab.set_time(0.0)
    tab.state[:] = blk
    return n


def run_batch(tab, count=False):
    w = tab.batch_size
    grid = np.ascontiguousarray(np.repeat(TB[:, None], w, axis=1))
    res = np.empty((N, len(TB), 6))
    for s in range(0, N, w):
        n = load_block(tab, s, w)
        out = tab.propagate_grid(grid)[-1]          # (len(TB), 6, w)
        res[s:s + n] = out[:, :, :n].transpose(2, 0, 1)
        if count:
            st = [int(pr[3]) for pr in tab.propagate_res]
            steps["lane"] += sum(st[:n])
            steps["simd"] += max(st)
    return res


quick = args.quick
reps = 1 if quick else 3

# ---- workload A: J2, batch (SIMD) -----------------------------------------------------------
tab, t_build = build_batch(sysof(acc), B)
med, ts, res = timeit(lambda: run_batch(tab), n=reps)
rep.row("A_j2", f"taylor_adaptive_batch, {B} lanes (recommended_simd_size)", med, res[:, -1, :3], n_run=N,
        t_build_s=t_build, ref=True, lanes=B)
run_batch(tab, count=True)
per_step, per_out, order, nops = taylor_step_flops(tab, 6)
rep.set(flops=dict(rule=FLOP_RULE, order=order, n_ops=nops, per_step_lane=per_step, per_output_lane=per_out,
                   lane_steps=steps["lane"], simd_steps=steps["simd"], lanes=B, n_outputs=N * len(TB),
                   wall_s=med, steps_per_orbit=steps["lane"] / N))

if not quick:
    if B != 8:
        tab8, t_build8 = build_batch(sysof(acc), 8)
        med8, _, res8 = timeit(lambda: run_batch(tab8))
        rep.row("A_j2", "taylor_adaptive_batch, 8 lanes (AVX-512 width)", med8, res8[:, -1, :3], n_run=N,
                t_build_s=t_build8)
    ta = hy.taylor_adaptive(sysof(acc), np.concatenate([R0, V0]))

    def run_scalar():
        out = np.empty((N, len(TB), 6))
        for j in range(N):
            ta.time = 0.0
            ta.state[:] = X0[j]
            out[j] = ta.propagate_grid(TB)[-1]
        return out

    meds, _, ress = timeit(run_scalar)
    rep.row("A_j2", "scalar taylor_adaptive, Python loop", meds, ress[:, -1, :3], n_run=N)
    nb = (N + B - 1) // B

    def gen(tac, i):
        load_block(tac, i * B, B)
        return tac

    def run_ens():
        out = hy.ensemble_propagate_grid_batch(tab, TB, nb, gen)
        res = np.empty((N, len(TB), 6))
        for i, item in enumerate(out):
            o = item[-1]
            s = i * B
            n = min(B, N - s)
            res[s:s + n] = np.asarray(o)[:, :, :n].transpose(2, 0, 1)
        return res

    mede, _, rese = timeit(run_ens)
    rep.row("A_j2", f"ensemble_propagate_grid_batch, threads (copies the integrator per batch of {B})", mede,
            rese[:, -1, :3], n_run=N)

# ---- workload A: J2 + drag --------------------------------------------------------------------
tabd, t_buildd = build_batch(sysof(acc_d), B)
medd, _, resd = timeit(lambda: run_batch(tabd), n=reps)
rep.row("A_drag", f"taylor_adaptive_batch, {B} lanes", medd, resd[:, -1, :3], n_run=N, t_build_s=t_buildd, ref=True)

# ---- workload B: one orbit, 1 day, 1441 outputs, J2 ------------------------------------------
t0 = time.perf_counter()
ta1 = hy.taylor_adaptive(sysof(acc), np.concatenate([R0, V0]))
t_build1 = time.perf_counter() - t0


def run_day():
    ta1.time = 0.0
    ta1.state[:] = np.concatenate([R0, V0])
    return ta1.propagate_grid(TIMES_DAY)[-1]


med1, _, out1 = timeit(run_day, n=3 if quick else 5)
rep.row("B_j2", "taylor_adaptive, propagate_grid", med1, out1[-1:, :3], n_run=1, t_build_s=t_build1, ref=True)
rep.set(simd=B, t_process_s=time.perf_counter() - T_PROC0)
rep.emit()
