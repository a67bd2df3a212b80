"""Compiled kernels of the vectorised approach (:mod:`gyrfalcon.proximity.batch`): the EKF
measurement update, the EKF prediction and the truth step, as :func:`heyoka.cfunc` s evaluated
over all runs at once in heyoka's SIMD batch mode.

Each kernel is the same algebra as its numpy counterpart (:meth:`RelativeNavFilter.update
<gyrfalcon.proximity.filter.RelativeNavFilter.update>` with the Joseph-form covariance,
:meth:`RelativeNavFilter.predict <gyrfalcon.proximity.filter.RelativeNavFilter.predict>`,
:meth:`RelativeDynamics.step <gyrfalcon.proximity.relative.RelativeDynamics.step>`), written
as expressions once and compiled by heyoka's LLVM back end (about 1 s each the first time,
then from heyoka's on-disk cache). The 4x4 innovation covariance is inverted through its
Cholesky factor. Results agree with the numpy versions to rounding (~1e-15 relative), not bit
for bit; each run (column) is computed alone, and the columns are padded to a whole number of
SIMD lanes so that every run goes through the same (vector) code whatever the batch size.

Layouts: inputs and outputs are ``(n_values, n_runs)`` arrays (one run per column).
"""
from __future__ import annotations

import functools

import numpy as np

from ..constants import EGM2008_A_M, EGM2008_GM_M3_S2, J2_EGM2008

__all__ = ["ekf_update", "ekf_predict", "truth_step", "pad_columns", "SYM6"]

SYM6 = [(i, j) for i in range(6) for j in range(i, 6)]
"""Order of the 21 upper-triangle entries of a symmetric 6x6 matrix in the kernels' outputs."""
_SYM_INDEX = np.array([[SYM6.index((min(i, j), max(i, j))) for j in range(6)] for i in range(6)])


def _sum(terms):
    from gyrfalcon._heyoka import heyoka as _heyoka
    hy = _heyoka()

    terms = [t for t in terms if t is not None]
    if not terms:
        return None
    return hy.sum(terms) if len(terms) > 1 else terms[0]


def _mul(a, b):
    return None if a is None or b is None else a * b


def _spd_inverse(S):
    """Symbolic inverse of a symmetric positive-definite matrix (list of lists) via Cholesky."""
    from gyrfalcon._heyoka import heyoka as _heyoka
    hy = _heyoka()

    n = len(S)
    L = [[None] * n for _ in range(n)]
    for j in range(n):
        acc = S[j][j]
        for k in range(j):
            acc = acc - L[j][k] * L[j][k]
        L[j][j] = hy.sqrt(acc)
        for i in range(j + 1, n):
            acc = S[i][j]
            for k in range(j):
                acc = acc - L[i][k] * L[j][k]
            L[i][j] = acc / L[j][j]
    M = [[None] * n for _ in range(n)]
    for i in range(n):
        M[i][i] = 1.0 / L[i][i]
        for j in range(i):
            acc = L[i][j] * M[j][j]
            for k in range(j + 1, i):
                acc = acc + L[i][k] * M[k][j]
            M[i][j] = -acc * M[i][i]
    out = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            acc = M[j][i] * M[j][j]
            for k in range(j + 1, n):
                acc = acc + M[k][i] * M[k][j]
            out[i][j] = out[j][i] = acc
    return out


@functools.lru_cache(maxsize=1)
def _batch_size() -> int:
    from ..orbits.propagator import batch_lanes

    return batch_lanes()


@functools.lru_cache(maxsize=1)
def ekf_update():
    """Kernel of the Kurs measurement update.

    Inputs (50): ``d`` (3) = estimated position minus the port [m], ``v`` (3) estimated velocity
    [m/s], ``P`` (36, row-major), innovation ``y`` (4: range [m], range rate [m/s], two angles
    [rad]), measurement variances ``R`` (4). Parameters (9): the sensor rows (port frame axes in
    LVLH, row-major). Outputs (28): the state correction ``K y`` (6), the updated covariance
    (21, :data:`SYM6`, Joseph form, symmetrised) and the normalised innovation squared (1).
    """
    from gyrfalcon._heyoka import heyoka as _heyoka
    hy = _heyoka()

    d = hy.make_vars("d0", "d1", "d2")
    v = hy.make_vars("v0", "v1", "v2")
    pv = hy.make_vars(*[f"p{i}{j}" for i in range(6) for j in range(6)])
    y = hy.make_vars("y0", "y1", "y2", "y3")
    R = hy.make_vars("r0", "r1", "r2", "r3")
    rows = [[hy.par[3 * i + j] for j in range(3)] for i in range(3)]
    P = [[pv[6 * i + j] for j in range(6)] for i in range(6)]
    r = hy.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])
    u = [c / r for c in d]
    rr = u[0] * v[0] + u[1] * v[1] + u[2] * v[2]
    qh = [rows[i][0] * d[0] + rows[i][1] * d[1] + rows[i][2] * d[2] for i in range(3)]
    # measurement Jacobian (as filter.measurement_jacobian); None = structural zero
    H = [[None] * 6 for _ in range(4)]
    for j in range(3):
        H[0][j] = u[j]
        H[1][j] = (v[j] - rr * u[j]) / r
        H[1][3 + j] = u[j]
    den = qh[0] * qh[0] + qh[2] * qh[2]
    rho = hy.sqrt(den)
    for j in range(3):
        H[2][j] = (qh[2] * rows[0][j] - qh[0] * rows[2][j]) / den
        H[3][j] = (rho * rows[1][j] - qh[1] * (qh[0] * rows[0][j] + qh[2] * rows[2][j]) / rho) / (r * r)
    PHt = [[_sum([_mul(P[i][k], H[j][k]) for k in range(6)]) for j in range(4)] for i in range(6)]
    S = [[_sum([_mul(H[i][k], PHt[k][j]) for k in range(6)]) for j in range(4)] for i in range(4)]
    for i in range(4):
        S[i][i] = S[i][i] + R[i]
    Si = _spd_inverse(S)
    Sy = [_sum([Si[i][j] * y[j] for j in range(4)]) for i in range(4)]
    nis = _sum([y[i] * Sy[i] for i in range(4)])
    K = [[_sum([PHt[i][k] * Si[k][j] for k in range(4)]) for j in range(4)] for i in range(6)]
    dx = [_sum([K[i][j] * y[j] for j in range(4)]) for i in range(6)]
    ikh = [[(1.0 if i == j else 0.0) - (_sum([_mul(K[i][k], H[k][j]) for k in range(4)]) or 0.0)
            for j in range(6)] for i in range(6)]
    A = [[_sum([ikh[i][k] * P[k][j] for k in range(6)]) for j in range(6)] for i in range(6)]
    pn = [_sum([A[i][k] * ikh[j][k] for k in range(6)]) + _sum([K[i][k] * R[k] * K[j][k] for k in range(4)])
          for i, j in SYM6]
    return hy.cfunc(dx + pn + [nis], list(d) + list(v) + list(pv) + list(y) + list(R), batch_size=_batch_size())


@functools.lru_cache(maxsize=1)
def ekf_predict():
    """Kernel of the prediction over one step.

    Inputs (42): state ``x`` (6, LVLH [m, m/s]), ``P`` (36). Parameters (39): the step's state
    transition matrix ``phi`` (36, row-major), ``dt`` [s], and the process-noise law
    ``q = (a0 + a1 |x[:3]|)^2`` [m^2/s^3]: ``a0``, ``a1``. Outputs (27): ``phi x`` (6) and
    ``phi P phi^T + q Q(dt)`` (21, :data:`SYM6`), ``Q(dt) = [[dt^3/3 I, dt^2/2 I], [dt^2/2 I, dt I]]``.
    """
    from gyrfalcon._heyoka import heyoka as _heyoka
    hy = _heyoka()

    x = hy.make_vars(*[f"x{i}" for i in range(6)])
    pv = hy.make_vars(*[f"p{i}{j}" for i in range(6) for j in range(6)])
    phi = [[hy.par[6 * i + j] for j in range(6)] for i in range(6)]
    dt, a0, a1 = hy.par[36], hy.par[37], hy.par[38]
    P = [[pv[6 * i + j] for j in range(6)] for i in range(6)]
    rng = hy.sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2])
    q = (a0 + a1 * rng) * (a0 + a1 * rng)
    xn = [_sum([phi[i][k] * x[k] for k in range(6)]) for i in range(6)]
    A = [[_sum([phi[i][k] * P[k][j] for k in range(6)]) for j in range(6)] for i in range(6)]
    pn = []
    for i, j in SYM6:
        e = _sum([A[i][k] * phi[j][k] for k in range(6)])
        if i == j:
            e = e + q * (dt * dt * dt / 3.0 if i < 3 else dt)
        elif j == i + 3:
            e = e + q * (dt * dt / 2.0)
        pn.append(e)
    return hy.cfunc(xn + pn, list(x) + list(pv), batch_size=_batch_size())


@functools.lru_cache(maxsize=1)
def truth_step():
    """Kernel of one RK4 step of the exact relative motion (point mass + J2 about GCRF z).

    Inputs (6): inertial offsets ``d_r`` [m], ``d_v`` [m/s] (chaser minus target). Parameters
    (20): target positions at the step's start, middle and end (9), the target's own gravity
    there (9), the step ``h`` [s] and the J2 multiplier (1 or 0). Outputs (6): the offsets
    after the step (as :meth:`RelativeDynamics.step <gyrfalcon.proximity.relative.RelativeDynamics.step>`).
    """
    from gyrfalcon._heyoka import heyoka as _heyoka
    hy = _heyoka()

    dr = hy.make_vars("dr0", "dr1", "dr2")
    dv = hy.make_vars("dv0", "dv1", "dv2")
    rt = [[hy.par[3 * s + i] for i in range(3)] for s in range(3)]
    gt = [[hy.par[9 + 3 * s + i] for i in range(3)] for s in range(3)]
    h, j2f = hy.par[18], hy.par[19]

    def acc(s, off):
        x, y_, z = (rt[s][i] + off[i] for i in range(3))
        r2 = x * x + y_ * y_ + z * z
        rn = hy.sqrt(r2)
        k = -EGM2008_GM_M3_S2 / (r2 * rn)
        f = (1.5 * J2_EGM2008 * EGM2008_A_M * EGM2008_A_M) * j2f / r2
        zz = 5.0 * z * z / r2
        return [k * x * (1.0 + f * (1.0 - zz)) - gt[s][0], k * y_ * (1.0 + f * (1.0 - zz)) - gt[s][1],
                k * z * (1.0 + f * (3.0 - zz)) - gt[s][2]]

    k1r, k1v = list(dv), acc(0, dr)
    k2r = [dv[i] + 0.5 * h * k1v[i] for i in range(3)]
    k2v = acc(1, [dr[i] + 0.5 * h * k1r[i] for i in range(3)])
    k3r = [dv[i] + 0.5 * h * k2v[i] for i in range(3)]
    k3v = acc(1, [dr[i] + 0.5 * h * k2r[i] for i in range(3)])
    k4r = [dv[i] + h * k3v[i] for i in range(3)]
    k4v = acc(2, [dr[i] + h * k3r[i] for i in range(3)])
    out = [dr[i] + h / 6.0 * (k1r[i] + 2.0 * k2r[i] + 2.0 * k3r[i] + k4r[i]) for i in range(3)]
    out += [dv[i] + h / 6.0 * (k1v[i] + 2.0 * k2v[i] + 2.0 * k3v[i] + k4v[i]) for i in range(3)]
    return hy.cfunc(out, list(dr) + list(dv), batch_size=_batch_size())


def pad_columns(n: int) -> int:
    """Columns to evaluate for ``n`` runs: ``n`` rounded up to whole SIMD batches."""
    b = _batch_size()
    return -(-max(n, 1) // b) * b


def sym_to_full(values: np.ndarray, n: int) -> np.ndarray:
    """(21, >= n) upper-triangle rows (:data:`SYM6`) -> (n, 6, 6) symmetric matrices."""
    return np.ascontiguousarray(values[_SYM_INDEX][:, :, :n].transpose(2, 0, 1))
