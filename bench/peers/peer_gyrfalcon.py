"""Gyrfalcon (the project's own venv): the peer benchmark workloads (see common.py), SI units.

The force model is composed from Gyrfalcon's pieces with the benchmark constants:
``PointMass(mu) + ZonalHarmonics(j_coeffs=(J2,), re_m=Re, axis="gcrf_z")`` is exactly the
peers' J2 about inertial z. Gyrfalcon's own ``Drag`` has a co-rotating atmosphere and
geodetic heights, so the drag case adds a small benchmark-only piece
(:class:`NonRotatingExpDrag`, below) with the peers' non-rotating spherical exponential
model; a :class:`~gyrfalcon.orbits.forces.ForceModel` takes any object with ``key``,
``describe`` and ``acceleration(builder)``.

Calls timed: ``Propagator(model).propagate_batch(states, T, step_s=60)`` (heyoka SIMD batch
under the hood; the ``State`` objects are made before the clock starts) and
``Propagator(model).propagate(state, 86400, step_s=60)``. Defaults kept: ``tol=1e-13`` and the
100 km reentry-floor event. Also measured: the ``"j2"`` preset (J2 about the true pole,
EGM2008 constants, Earth orientation in the equations: a different model, time only).
"""
import time

T_PROC0 = time.perf_counter()
import os  # noqa: E402
import sys  # noqa: E402
from dataclasses import dataclass  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

from common import (AREA, CD, EPOCH, HS, MASS, MU, RE, RHO_400, J2, R0, V0, Report, FLOP_RULE,  # noqa: E402
                    batch_states, batch_times, parse_args, taylor_step_flops, timeit)

args = parse_args()
import gyrfalcon  # noqa: E402
from gyrfalcon.orbits.forces import ForceModel, PointMass, ZonalHarmonics  # noqa: E402
from gyrfalcon.orbits.propagator import Propagator  # noqa: E402
from gyrfalcon.orbits.state import State  # noqa: E402
from gyrfalcon.time import parse_utc  # noqa: E402

try:
    from importlib.metadata import version as _v
    VERSION = _v("gyrfalcon")
except Exception:  # pragma: no cover
    VERSION = getattr(gyrfalcon, "__version__", "dev")
import heyoka as hy  # noqa: E402

rep = Report("gyrfalcon", args, time.perf_counter() - T_PROC0, VERSION)

MU_M, RE_M = MU * 1e9, RE * 1e3


@dataclass(frozen=True)
class NonRotatingExpDrag:
    """Benchmark-only drag piece: ``a = -1/2 rho Cd A/m |v| v`` with the INERTIAL velocity
    (non-rotating atmosphere) and ``rho = rho400 exp(-(|r| - Re - 400 km)/H)`` (spherical
    altitude), Cd, A, m fixed (common.py): the peers' common drag model."""

    def key(self):
        return ("BenchNonRotatingExpDrag", RHO_400, HS, CD * AREA / MASS)

    def describe(self):
        return f"NonRotatingExpDrag({RHO_400:g} kg/m3 at 400 km, H={HS:g} km, CdA/m={CD * AREA / MASS:g} m2/kg)"

    def acceleration(self, b):
        hy_ = b.hy
        rho = RHO_400 * hy_.exp(-(b.rnorm - (RE + 400.0) * 1e3) / (HS * 1e3))
        speed = hy_.sqrt(b.v[0] * b.v[0] + b.v[1] * b.v[1] + b.v[2] * b.v[2])
        coef = -0.5 * CD * AREA / MASS * rho * speed
        return [coef * c for c in b.v]


J2_GCRFZ = ZonalHarmonics(j_coeffs=(J2,), re_m=RE_M, mu_m3_s2=MU_M, axis="gcrf_z")
MODEL_J2 = ForceModel((PointMass(MU_M), J2_GCRFZ), "bench-j2")
MODEL_DRAG = ForceModel((PointMass(MU_M), J2_GCRFZ, NonRotatingExpDrag()), "bench-j2-drag")

t0_epoch = parse_utc(EPOCH + "Z")
rb, vb = batch_states(args.n)
N = args.n
T = args.hours * 3600.0
states = [State(t0_epoch, rb[j] * 1e3, vb[j] * 1e3, "GCRF") for j in range(N)]
reps = 1 if args.quick else 3
try:                                   # the lane count Gyrfalcon's batch mode uses
    from gyrfalcon.orbits.propagator import batch_lanes
    B = batch_lanes()
except ImportError:                    # older Gyrfalcon: heyoka's recommendation
    B = int(hy.recommended_simd_size())


def build(prop, batch):
    t0 = time.perf_counter()
    prop.compiled(batch_size=batch)
    return time.perf_counter() - t0


def run_batch(prop):
    eph = prop.propagate_batch(states, T, step_s=60.0)
    return eph.r_m[:, -1] / 1e3


def count_steps(prop):
    """Lane steps of the same batch propagation, driving Gyrfalcon's compiled integrator directly."""
    comp = prop.compiled(batch_size=B)
    ta = comp.ta
    grid = np.ascontiguousarray(np.repeat(batch_times(args.hours)[:, None], B, axis=1))
    pars = np.zeros((len(comp.param_index), B))
    for k, i in comp.param_index.items():
        pars[i] = comp.param_default.get(k, 0.0)
    if "floor_m" in comp.param_index:
        pars[comp.param_index["floor_m"]] = prop.floor_m
    y0 = np.hstack([rb * 1e3, vb * 1e3, np.zeros((N, 1))])
    lane = 0
    for c0 in range(0, N, B):
        nb = min(B, N - c0)
        idx = np.arange(c0, c0 + B).clip(max=N - 1)
        ta.set_time(np.zeros(B))
        ta.state[:] = y0[idx].T
        ta.pars[:] = pars
        ta.propagate_grid(grid)
        lane += sum(int(pr[3]) for pr in ta.propagate_res[:nb])
    return lane, ta


# ---- workload A: J2 about inertial z, common constants --------------------------------------
p_j2 = Propagator(MODEL_J2)
tb = build(p_j2, B)
med, _, fin = timeit(lambda: run_batch(p_j2), n=reps)
rep.row("A_j2", f"Propagator.propagate_batch (tol 1e-13, {B} lanes, floor event)", med, fin, n_run=N, t_build_s=tb,
        primary=True)
lane, ta = count_steps(p_j2)
per_step, per_out, order, nops = taylor_step_flops(ta, 7)
rep.set(flops=dict(rule=FLOP_RULE, order=order, n_ops=nops, per_step_lane=per_step, per_output_lane=per_out,
                   lane_steps=lane, lanes=B, n_outputs=N * len(batch_times(args.hours)), wall_s=med,
                   steps_per_orbit=lane / N, note="7 state variables (mass) + the 100 km floor event equation"))

if not args.quick:
    p_eps = Propagator(MODEL_J2, tol=2.220446049250313e-16)
    tbe = build(p_eps, B)
    mede, _, fine = timeit(lambda: run_batch(p_eps))
    rep.row("A_j2", "Propagator.propagate_batch, tol 2.2e-16 (heyoka's default)", mede, fine, n_run=N, t_build_s=tbe)
    p_pre = Propagator("j2")
    tbp = build(p_pre, B)
    medp, _, _ = timeit(lambda: run_batch(p_pre))
    rep.row("A_j2", "preset 'j2' (true pole, EGM2008 constants: other model, time only)", medp, None, n_run=N,
            t_build_s=tbp)

# ---- workload A: J2 + non-rotating exponential drag ------------------------------------------
p_d = Propagator(MODEL_DRAG)
tbd = build(p_d, B)
medd, _, find = timeit(lambda: run_batch(p_d), n=reps)
rep.row("A_drag", f"Propagator.propagate_batch (tol 1e-13, {B} lanes, floor event)", medd, find, n_run=N,
        t_build_s=tbd, primary=True)

# ---- workload B: one orbit, 1 day, 1441 outputs, J2 ------------------------------------------
s0 = State(t0_epoch, R0 * 1e3, V0 * 1e3, "GCRF")
t0 = time.perf_counter()
p_j2.compiled()
tb1 = time.perf_counter() - t0
med1, _, eph = timeit(lambda: p_j2.propagate(s0, 86400.0, step_s=60.0), n=3 if args.quick else 5)
assert len(eph.t_s) == 1441, len(eph.t_s)
rep.row("B_j2", "Propagator.propagate (tol 1e-13, floor event)", med1, eph.r_m[-1:] / 1e3, n_run=1, t_build_s=tb1,
        primary=True)
rep.set(simd=B, heyoka=hy.__version__, t_process_s=time.perf_counter() - T_PROC0)
rep.emit()
