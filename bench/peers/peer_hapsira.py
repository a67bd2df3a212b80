"""hapsira 0.18 (its own venv, astropy < 7): core ``cowell()`` in a Python loop.

``hapsira.core.propagation.cowell`` = scipy ``solve_ivp`` DOP853 (rtol 1e-11, atol 1e-12 km)
with a numba ``@njit`` right-hand side: point mass + ``J2_perturbation`` (+
``atmospheric_drag_exponential``: inertial velocity, spherical altitude = the peers' model).
No batch mode exists, so the N orbits are a loop. The warm-up (numba compile) is one short
loop over a few orbits; the timed calls are full loops.
"""
import time

T_PROC0 = time.perf_counter()
import os  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402

from common import (AREA, CD, HS, MASS, MU, RE, RHO0_SURF, J2, R0, TIMES_DAY, V0, Report,  # noqa: E402
                    batch_states, batch_times, parse_args, timeit)

args = parse_args()
import hapsira  # noqa: E402
from hapsira.core.perturbations import J2_perturbation, atmospheric_drag_exponential  # noqa: E402
from hapsira.core.propagation import cowell, func_twobody  # noqa: E402
from numba import njit  # noqa: E402

rep = Report("hapsira", args, time.perf_counter() - T_PROC0, hapsira.__version__)
RHO0 = RHO0_SURF * 1e9                 # kg/km^3 at |r| = RE
A_OVER_M = AREA / MASS * 1e-6          # km^2/kg


@njit
def f_j2(t0, u_, k):
    du = func_twobody(t0, u_, k)
    du[3:] += J2_perturbation(t0, u_, k, J2, RE)
    return du


@njit
def f_j2_drag(t0, u_, k):
    du = func_twobody(t0, u_, k)
    du[3:] += J2_perturbation(t0, u_, k, J2, RE)
    du[3:] += atmospheric_drag_exponential(t0, u_, k, RE, CD, A_OVER_M, HS, RHO0)
    return du


rb, vb = batch_states(args.n)
N = args.n
TB = batch_times(args.hours)


def run_loop(f, n):
    out = np.empty((n, 3))
    for j in range(n):
        rr, _ = cowell(MU, rb[j], vb[j], TB, f=f)      # all 181 outputs, keep the last
        out[j] = rr[-1]
    return out


reps = 1 if args.quick else 3
for name, f in (("A_j2", f_j2), ("A_drag", f_j2_drag)):
    t0 = time.perf_counter()
    run_loop(f, 3)                                     # numba compile + scipy warm-up
    t_jit = time.perf_counter() - t0
    med, _, fin = timeit(lambda: run_loop(f, N), n=reps, warmup=0)
    rep.row(name, "core cowell() loop (DOP853 rtol 1e-11, numba RHS)", med, fin, n_run=N, t_build_s=t_jit)

med1, _, rr = timeit(lambda: cowell(MU, R0, V0, TIMES_DAY, f=f_j2)[0], n=3 if args.quick else 5)
assert len(rr) == 1441
rep.row("B_j2", "core cowell() (DOP853 rtol 1e-11, numba RHS)", med1, np.array(rr[-1:]), n_run=1)
rep.set(t_process_s=time.perf_counter() - T_PROC0)
rep.emit()
