"""Vectorised closed-loop approach: N runs of :func:`~gyrfalcon.proximity.approach.simulate_approach` stepped together.

Same models, parameters and decision logic as the scalar simulation (one module to read for
the physics: :mod:`gyrfalcon.proximity.approach`); here every quantity carries a leading run
axis: truth offsets ``(N, 3)``, filter states ``(N, 6)`` and covariances ``(N, 6, 6)``,
guidance phase codes ``(N,)``. Per step, the truth is the *same* fixed-step RK4 of the exact
nonlinear point-mass + J2 differential gravity about the station ephemeris as
:meth:`RelativeDynamics.step <gyrfalcon.proximity.relative.RelativeDynamics.step>`, so no
linearisation error is introduced. The numeric cores (the EKF update and prediction, the truth
step) are heyoka ``cfunc`` kernels evaluated over all runs in SIMD batch mode
(:mod:`gyrfalcon.proximity.kernels`); the guidance logic is numpy over the runs.

Random numbers (assumption that makes runs independent of batching): run ``i`` draws from its
own ``numpy.random.default_rng(seeds[i])`` in exactly the scalar order (attitude limit cycles,
Kurs bias, initial estimation error, then per step 5 Kurs normals on measurement steps and 3
thruster normals), taken from its stream in blocks of steps. A run's outcome therefore does
not depend on which batch it is in, nor on the batch size (tested bit for bit), and for the
same seed it follows the scalar run up to floating-point reassociation in the filter algebra
(the compiled kernels against numpy's ``@``), which can flip a deadband decision late in a run: the
agreement is statistical, plus < 1 cm / < 1 s on the noise-free nominal (tested).

Per-run inputs besides the seed: the start state (LVLH), the chaser mass, a Kurs noise scale
(multiplies every Kurs sigma, as :func:`gyrfalcon.scale.flight.fly_run` does) and the Kurs
bias fraction. Not supported (``InputError``, use the scalar simulation): the TORU manual
script. Logs per step are not kept (only the outcome per run).

>>> from gyrfalcon.proximity.batch import simulate_approach_batch
>>> callable(simulate_approach_batch)
True
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

from ..constants import G0_MPS2
from ..errors import InputError
from . import kernels
from .kernels import sym_to_full

__all__ = ["BatchApproachResult", "simulate_approach_batch"]

_CLOSING, _FLY, _SK, _FINAL, _HOLD, _BACK, _RETREAT = range(7)
_NAMES = ("closing", "flyaround", "station_keeping", "final_approach", "hold", "back_away", "retreat_hold")
_BLOCK_STEPS = 64


@dataclass(frozen=True, eq=False)
class BatchApproachResult:
    """Outcome of :func:`simulate_approach_batch`, one entry per run (SI units; NaN without contact).

    ``verdict``/``violations``/``events``/``phases`` as in :class:`~gyrfalcon.proximity.approach.ApproachResult`
    (``phases``: per run a tuple of ``(name, start_s, end_s)``).
    """

    start_utc: str
    seeds: np.ndarray
    verdict: tuple
    contact_s: np.ndarray
    contact_utc: tuple
    closing_speed_mps: np.ndarray
    lateral_speed_mps: np.ndarray
    lateral_offset_m: np.ndarray
    propellant_kg: np.ndarray
    dv_l1_mps: np.ndarray
    min_distance_m: np.ndarray
    violations: tuple
    events: tuple
    phases: tuple = field(repr=False)
    contact: tuple = field(repr=False)

    def __len__(self):
        return len(self.verdict)

    def run(self, i: int):
        """Run ``i`` as a namespace with the scalar result's scalar fields (verdict, contact, ...)."""
        c = self.contact_s[i]
        return SimpleNamespace(verdict=self.verdict[i], violations=self.violations[i], events=self.events[i],
                               contact=self.contact[i], contact_utc=self.contact_utc[i],
                               contact_s=None if math.isnan(c) else float(c),
                               propellant_kg=float(self.propellant_kg[i]), dv_l1_mps=float(self.dv_l1_mps[i]),
                               min_distance_m=float(self.min_distance_m[i]), seed=int(self.seeds[i]),
                               phases=self.phases[i])


def _mm(a, b):
    """``a @ b`` for row vectors ``a`` (N, k) and a small matrix ``b`` (k, m), as elementwise products
    and sums: every row is computed the same way whatever N (BLAS kernels are not)."""
    out = a[:, 0, None] * b[0]
    for j in range(1, b.shape[0]):
        out = out + a[:, j, None] * b[j]
    return out


@functools.lru_cache(maxsize=4096)
def _cols(n: int) -> np.ndarray:
    """Column indices of ``n`` runs padded to whole SIMD batches (the last run repeated)."""
    out = np.arange(kernels.pad_columns(n)).clip(max=n - 1)
    out.flags.writeable = False
    return out


def _par_block(values, n_cols: int) -> np.ndarray:
    """A kernel's parameters, the same for every column: (n_par, n_cols)."""
    return np.repeat(np.asarray(values, float)[:, None], n_cols, axis=1)


def _per_run(x, n, name, shape=()):
    a = np.asarray(x, float)
    if a.shape == shape:
        a = np.broadcast_to(a, (n,) + shape).copy()
    if a.shape != (n,) + shape or not np.all(np.isfinite(a)):
        raise InputError(f"{name} must be finite with shape {(n,) + shape} (or {shape} for all runs), got {a.shape}")
    return a


def simulate_approach_batch(config=None, seeds=(0,), *, initial_rho_m=None, initial_rho_dot_mps=None,
                            mass_kg=None, kurs_noise_scale=1.0, kurs_bias_fraction=None,
                            ephemeris=None) -> BatchApproachResult:
    """Fly ``len(seeds)`` approaches together (see the module docstring).

    ``config``: the shared :class:`~gyrfalcon.proximity.approach.ApproachConfig` (port, start time,
    guidance, thrusters, Kurs model and faults, disturbances). Per run (arrays with a leading run
    axis, or one value for all): ``initial_rho_m``/``initial_rho_dot_mps`` (LVLH; default the
    config's, else the MS-28 aim point), ``mass_kg`` (default the thruster model's),
    ``kurs_noise_scale`` (multiplies every Kurs sigma), ``kurs_bias_fraction`` (default the Kurs
    model's). With scale 1 and the config's values, run ``i`` is the scalar
    ``simulate_approach(config, seeds[i])`` (same random stream).
    """
    from .approach import ApproachConfig

    cfg = config or ApproachConfig()
    if cfg.manual is not None:
        raise InputError("simulate_approach_batch does not fly the TORU manual script; use simulate_approach "
                         "for runs with ApproachConfig.manual")
    seeds = np.asarray(seeds, dtype=np.int64).reshape(-1)
    if len(seeds) < 1:
        raise InputError("simulate_approach_batch needs at least one seed, e.g. seeds=range(100)")
    run = _BatchRun(cfg, seeds, ephemeris)
    run.start(initial_rho_m, initial_rho_dot_mps, mass_kg, kurs_noise_scale, kurs_bias_fraction)
    return run.run()


class _BatchRun:
    """The runs of one :func:`simulate_approach_batch` call being flown together (private, local to
    the call, mutable while it steps). Every array carries the active runs along its first axis;
    runs that end are compacted away (:meth:`finish`), ``ids`` maps the rows to the runs. One
    control step (:meth:`run`): Kurs and the filter (:meth:`_kurs_update`), the guidance, one
    method per phase as in the scalar simulation, the thrusters and the filter prediction
    (:meth:`_thrust`), the truth (:meth:`_truth_step`), the contacts (:meth:`_contacts`)."""

    def __init__(self, cfg, seeds, ephemeris):
        from .approach import _setup

        self.cfg, self.seeds, self.N = cfg, seeds, len(seeds)
        self.g, self.thr, self.kurs = cfg.resolved_guidance(), cfg.thrusters, cfg.kurs
        su = _setup(cfg, ephemeris)
        self.tgt, self.rows, self.p_port, self.axis, self.env, self.tan_cor = (
            su.tgt, su.rows, su.p_port, su.axis, su.env, su.tan_cor)
        self.t_start, self.dt, self.n_steps, self.dyn = su.t_start, su.dt, su.n_steps, su.dyn
        self.dyn.linear_stm(0)
        self.PHI = self.dyn._lin                                    # (n+1, 6, 6), computed once
        self.k_update, self.k_predict, self.k_truth = kernels.ekf_update(), kernels.ekf_predict(), kernels.truth_step()

    def start(self, initial_rho_m, initial_rho_dot_mps, mass_kg, kurs_noise_scale, kurs_bias_fraction) -> None:
        """Per-run inputs, random streams (the scalar draw order), kernel parameters and the state."""
        from .approach import _initial_state

        cfg, kurs, thr, N = self.cfg, self.kurs, self.thr, self.N
        if initial_rho_m is None:
            r0, v0 = _initial_state(cfg, self.tgt)
            initial_rho_m = r0
            initial_rho_dot_mps = v0 if initial_rho_dot_mps is None else initial_rho_dot_mps
        rho0 = _per_run(initial_rho_m, N, "initial_rho_m", (3,))
        rhod0 = _per_run(np.zeros(3) if initial_rho_dot_mps is None else initial_rho_dot_mps, N,
                         "initial_rho_dot_mps", (3,))
        mass = _per_run(thr.mass_kg if mass_kg is None else mass_kg, N, "mass_kg")
        f_k = _per_run(kurs_noise_scale, N, "kurs_noise_scale")
        bfrac = _per_run(kurs.bias_fraction if kurs_bias_fraction is None else kurs_bias_fraction, N,
                         "kurs_bias_fraction")
        if np.any(mass <= 0) or np.any(f_k <= 0) or np.any(bfrac < 0):
            raise InputError("mass_kg and kurs_noise_scale must be > 0 and kurs_bias_fraction >= 0")
        x0, sig0, draws = self._draws(rho0, rhod0, bfrac)
        self._kernel_parameters(x0, sig0)
        self._state(x0, sig0, rho0, rhod0, mass, f_k, bfrac, draws)

    def _draws(self, rho0, rhod0, bfrac):
        """Per-run random streams in the scalar draw order: attitude, Kurs bias, initial estimate
        error; then per step 5 Kurs normals on measurement steps and 3 thruster normals."""
        cfg, N = self.cfg, self.N
        self.gens = [np.random.default_rng(int(s)) for s in self.seeds]
        amp = np.empty((N, 3)); per = np.empty((N, 3)); aph = np.empty((N, 3))
        bias = np.zeros((N, 5)); x0 = np.empty((N, 6))
        sig0 = np.array([cfg.nav_sigma0_pos_m] * 3 + [cfg.nav_sigma0_vel_mps] * 3)
        for i, r in enumerate(self.gens):
            amp[i], per[i], aph[i] = cfg.attitude_model.draw(r)
            if bfrac[i] != 0:
                bias[i] = bfrac[i] * r.standard_normal(5)
            x0[i] = np.concatenate([rho0[i], rhod0[i]]) + sig0 * r.standard_normal(6)
        self.meas_every = int(round(self.kurs.update_interval_s / self.dt))
        per_step = np.array([(5 if k % self.meas_every == 0 else 0) + 3 for k in range(self.n_steps)])
        self.off = np.concatenate([[0], np.cumsum(per_step)])
        return x0, sig0, (amp, per, aph, bias)

    def _kernel_parameters(self, x0, sig0) -> None:
        """The template filter (its parameters) and the kernels' parameters of every step (the same
        for all runs)."""
        from .filter import RelativeNavFilter

        dyn, n_steps, dt = self.dyn, self.n_steps, self.dt
        self.tmpl = tmpl = RelativeNavFilter(dyn.mean_motion_rad_s, x0[0], np.diag(sig0**2),
                                             dv_error_fraction=self.thr.dv_error_fraction)
        self.par_rows = np.asarray(self.rows, float).reshape(9)
        self.par_pred = np.concatenate([self.PHI[:n_steps].reshape(n_steps, 36),
                                        np.tile([dt, tmpl.acc_floor, tmpl.acc_per_m], (n_steps, 1))], axis=1)
        rh, gh = dyn._r_half, dyn._g_half
        self.par_truth = np.concatenate([rh[0:2 * n_steps:2], rh[1:2 * n_steps:2], rh[2:2 * n_steps + 1:2],
                                         gh[0:2 * n_steps:2], gh[1:2 * n_steps:2], gh[2:2 * n_steps + 1:2],
                                         np.tile([dyn.step_s, dyn.j2], (n_steps, 1))], axis=1)

    def _state(self, x0, sig0, rho0, rhod0, mass, f_k, bfrac, draws) -> None:
        """The state of every run (compacted to the active runs as they end) and the outputs."""
        kurs, N, dyn = self.kurs, self.N, self.dyn
        amp, per, aph, bias = draws
        self.ids = np.arange(N)
        self.X = x0.copy()
        self.P = np.broadcast_to(np.diag(sig0**2), (N, 6, 6)).copy()
        self.d_r = _mm(rho0, dyn._m[0])
        self.d_v = _mm(rhod0, dyn._m[0]) + np.cross(dyn._w[0], self.d_r)
        self.rho, self.rhod = rho0.copy(), rhod0.copy()
        # Kurs sigmas per run, computed exactly as replace(KursModel(), field=field * f) would hold them
        self.st = dict(ph=np.zeros(N, int), since=np.zeros(N), resume=np.zeros(N, int), hold_pos=np.zeros((N, 3)),
                       has_hold=np.zeros(N, bool), fly=np.zeros((N, 8)), retries=np.zeros(N, int),
                       rejects=np.zeros(N, int), reacq=np.zeros(N, bool), last_good=np.zeros(N),
                       min_dist=np.full(N, np.inf), prop=np.zeros(N), dvl1=np.zeros(N), mass=mass.copy(), amp=amp,
                       per=per, aph=aph, bias=bias, k_far=kurs.range_sigma_far_m * f_k,
                       k_min=kurs.range_sigma_min_m * f_k, k_rr=kurs.range_rate_sigma_mps * f_k,
                       k_ang=kurs.angle_sigma_rad * f_k, k_roll=kurs.roll_sigma_rad * f_k, r_scale=1.0 + bfrac**2)
        self.events = [[] for _ in range(N)]
        self.phases = [[["closing", 0.0, 0.0]] for _ in range(N)]
        self.out_verdict = ["timeout"] * N
        self.out_contact = [None] * N
        self.out_viol = [()] * N
        self.out_cs = np.full(N, np.nan)
        self.out_end = np.full(N, np.nan)
        self.res_min = np.full(N, np.inf); self.res_prop = np.zeros(N); self.res_dvl1 = np.zeros(N)
        self.tape = np.empty((N, 0)); self.tape_base = self.tape_end = 0

    # --- bookkeeping ---------------------------------------------------------------------------
    def set_phase(self, mask_local, code, t, why=None) -> None:
        ids, st = self.ids, self.st
        for j in np.flatnonzero(mask_local):
            oi = ids[j]
            self.phases[oi][-1][2] = t
            self.phases[oi].append([_NAMES[code], t, t])
            if why is not None:
                self.events[oi].append(f"t={t:.0f} s: {_NAMES[code]}: {why(j) if callable(why) else why}")
        st["ph"][mask_local] = code
        st["since"][mask_local] = t

    def plan_fly(self, mask_local, t, p_hat, v_hat) -> None:
        if not np.any(mask_local):
            return
        g, p_port, axis, rows = self.g, self.p_port, self.axis, self.rows
        d = p_hat[mask_local] - p_port
        r0 = np.linalg.norm(d, axis=1)
        dh = d / r0[:, None]
        c = _mm(dh, axis[:, None])[:, 0]
        theta0 = np.arccos(np.clip(c, -1.0, 1.0))
        e = dh - c[:, None] * axis
        en = np.linalg.norm(e, axis=1)
        e = np.where(en[:, None] < 1e-9, rows[0], e / np.where(en < 1e-9, 1.0, en)[:, None])
        t_fly = np.array([g.flyaround_time(a, b) for a, b in zip(theta0, r0 - g.station_keeping_range_m)])
        rd0 = np.maximum(np.einsum("ij,ij->i", v_hat[mask_local], dh),
                         -3.0 * np.maximum(r0 - g.station_keeping_range_m, 0.0) / t_fly)   # monotonic range (scalar)
        self.st["fly"][mask_local] = np.column_stack([np.full(len(r0), t), r0, rd0, theta0, e, t_fly])

    def finish(self, mask_local, end_s) -> None:
        """Record the runs of ``mask_local`` as ended at ``end_s`` and drop them from the state."""
        ids, st = self.ids, self.st
        for j in np.flatnonzero(mask_local):
            oi = ids[j]
            e_s = end_s[j] if np.ndim(end_s) else end_s
            self.out_end[oi] = e_s
            self.phases[oi][-1][2] = float(e_s)
        self.res_min[ids[mask_local]] = st["min_dist"][mask_local]
        self.res_prop[ids[mask_local]] = st["prop"][mask_local]
        self.res_dvl1[ids[mask_local]] = st["dvl1"][mask_local]
        keep = ~mask_local
        self.ids, self.X, self.P, self.d_r, self.d_v, self.rho, self.rhod, self.tape = (
            a[keep] for a in (ids, self.X, self.P, self.d_r, self.d_v, self.rho, self.rhod, self.tape))
        for key in st:
            st[key] = st[key][keep]

    # --- the step ------------------------------------------------------------------------------
    def run(self) -> BatchApproachResult:
        p_port, rows = self.p_port, self.rows
        for k in range(self.n_steps):
            if len(self.ids) == 0:
                break
            t = k * self.dt
            if k >= self.tape_end:                                   # refill the per-run random tapes
                kb = min(k + _BLOCK_STEPS, self.n_steps)
                self.tape = np.stack([self.gens[i].standard_normal(self.off[kb] - self.off[k]) for i in self.ids])
                self.tape_base, self.tape_end = self.off[k], kb
            o = self.off[k] - self.tape_base
            q = _mm(self.rho - p_port, rows.T)
            qd = _mm(self.rhod, rows.T)
            self.st["min_dist"] = np.minimum(self.st["min_dist"], np.linalg.norm(q, axis=1))
            if k % self.meas_every == 0:
                self._kurs_update(t, self.tape[:, o:o + 5])
                o += 5
            dv_port, aborted = self._guidance(t)
            if np.any(aborted):
                for oi in self.ids[aborted]:
                    self.out_verdict[oi] = "aborted"
                keep = ~aborted
                self.finish(aborted, t)
                dv_port, q, qd = dv_port[keep], q[keep], qd[keep]
                if len(self.ids) == 0:
                    break
            self._thrust(k, dv_port, self.tape[:, o:o + 3])
            q1, qd1 = self._truth_step(k, t)
            self._contacts(t, q, qd, q1, qd1)
        if len(self.ids):
            self.finish(np.ones(len(self.ids), bool), (self.n_steps - 1) * self.dt)
        return self._result()

    def _kurs_update(self, t, noise) -> None:
        """Kurs measurements of every run and the batched EKF update (as RelativeNavFilter.update);
        a run of rejected updates re-initialises a run's filter and holds it to re-acquire."""
        from .kurs import CHANNELS

        g, kurs, st, rows, p_port = self.g, self.kurs, self.st, self.rows, self.p_port
        rho, rhod = self.rho, self.rhod
        d = rho - p_port
        rng_ = np.sqrt(np.einsum("ij,ij->i", d, d))
        qq = _mm(d, rows.T)
        z = np.column_stack([rng_, np.einsum("ij,ij->i", d, rhod) / rng_, np.arctan2(qq[:, 0], qq[:, 2]),
                             np.arctan2(qq[:, 1], np.hypot(qq[:, 0], qq[:, 2]))])
        rs = np.maximum(st["k_min"], st["k_far"] * np.minimum(1.0, z[:, 0] / kurs.range_ref_m))
        sig = np.column_stack([rs, st["k_rr"], st["k_ang"], st["k_ang"], st["k_roll"]])
        roll = st["amp"][:, 2] * np.sin(2 * math.pi / st["per"][:, 2] * t + st["aph"][:, 2])
        valid = z[:, 0] <= kurs.acquisition_range_m
        vals = np.column_stack([z, roll]) + sig * noise
        vals = vals + sig * st["bias"]
        for fl in kurs.faults:
            if fl.active(t):
                if fl.kind == "dropout":
                    valid[:] = False
                else:
                    vals[:, CHANNELS.index(fl.channel)] += fl.bias
        if not np.any(valid):
            return
        acc = self._ekf_update(valid, vals, sig)
        st["last_good"][acc] = t
        st["rejects"][acc] = 0
        rej = valid & ~acc
        if not np.any(rej):
            return
        st["rejects"][rej] += 1
        run_ = rej & (st["rejects"] >= g.reject_run)
        for j in np.flatnonzero(run_):
            st["rejects"][j] = 0
            dg = np.diag(self.P[j]).copy()
            dg[:3] = np.maximum(dg[:3], float(g.reacquire_sigma_fraction * vals[j, 0]) ** 2)
            dg[3:] = np.maximum(dg[3:], float(g.reacquire_sigma_vel_mps) ** 2)
            self.P[j] = np.diag(dg)
            self.events[self.ids[j]].append(f"t={t:.0f} s: {g.reject_run} Kurs updates rejected in a row: "
                                            "filter re-initialised")
        # as for Kurs lost: inside the blind limit of the final approach no hold, back away
        qh = _mm(self.X[:, :3] - self.p_port, self.rows.T)
        blind = run_ & (st["ph"] == _FINAL) & (qh[:, 2] < g.blind_min_range_m)
        self.set_phase(blind, _BACK, t, lambda j: f"Kurs inconsistent at {qh[j, 2]:.1f} m, inside the "
                                                  f"{g.blind_min_range_m:g} m blind limit")
        go_hold = run_ & ~blind & (st["ph"] <= _HOLD) & ~st["reacq"]
        st["reacq"][go_hold] = True
        st["has_hold"][go_hold] = False
        self.set_phase(go_hold, _HOLD, t, "Kurs inconsistent with the navigation; re-acquiring before backing away")

    def _ekf_update(self, valid, vals, sig):
        """The batched EKF update kernel; the state and covariance of the runs it accepts are
        replaced. Returns the accepted mask (valid and within the innovation gate)."""
        X, P, rows, p_port = self.X, self.P, self.rows, self.p_port
        n_act = len(self.ids)
        dh_ = X[:, :3] - p_port
        vh_ = X[:, 3:]
        r = np.sqrt(np.einsum("ij,ij->i", dh_, dh_))
        qh_ = _mm(dh_, rows.T)
        hx = np.column_stack([r, np.einsum("ij,ij->i", dh_, vh_) / r, np.arctan2(qh_[:, 0], qh_[:, 2]),
                              np.arctan2(qh_[:, 1], np.hypot(qh_[:, 0], qh_[:, 2]))])
        y = vals[:, :4] - hx
        y[:, 2:] = (y[:, 2:] + math.pi) % (2 * math.pi) - math.pi
        Rm = self.st["r_scale"][:, None] * sig[:, :4] ** 2
        cols = _cols(n_act)
        inp = np.concatenate([dh_, vh_, P.reshape(n_act, 36), y, Rm], axis=1)[cols].T
        out = self.k_update(np.ascontiguousarray(inp), pars=_par_block(self.par_rows, len(cols)))
        nis = out[27, :n_act]
        acc = valid & (nis <= self.tmpl.gate)
        Xn = X + out[0:6, :n_act].T
        Pn = sym_to_full(out[6:27], n_act)
        self.X = np.where(acc[:, None], Xn, X)
        self.P = np.where(acc[:, None, None], Pn, P)
        return acc

    def _guidance(self, t):
        """The guidance of every active run: (impulse wanted [m/s, port frame] (n, 3), aborted mask).
        The phase array is updated in place, so a phase that ends hands over within the step."""
        g, st, rows, p_port = self.g, self.st, self.rows, self.p_port
        X = self.X
        n_act = len(self.ids)
        nav_lost = (t - st["last_good"]) > g.hold_after_s
        p_hat, v_hat = X[:, :3].copy(), X[:, 3:].copy()
        qh = _mm(p_hat - p_port, rows.T)
        qdh = _mm(v_hat, rows.T)
        dist_h = np.linalg.norm(qh, axis=1)
        v_des = np.zeros((n_act, 3))
        has_v = np.zeros(n_act, bool)
        deadband = np.where(dist_h < g.near_range_m, g.deadband_near_mps, g.deadband_far_mps)
        self._hold_logic(t, nav_lost, p_hat, v_hat, qh)
        self._closing(t, p_hat, v_hat, v_des, has_v)
        self._flyaround(t, p_hat, v_des, has_v)
        self._station_keeping(t, p_hat, v_hat, v_des, has_v)
        self._final_approach(t, qh, qdh, v_des, has_v)
        self._back_away(t, p_hat, qh, v_des, has_v)
        aborted = self._retreat_hold(t, p_hat, nav_lost, v_des, has_v)
        self._hold(p_hat, v_des, has_v)
        dv_port = np.where(has_v[:, None], _mm(v_des - v_hat, rows.T), 0.0)
        return np.where(np.abs(dv_port) > deadband[:, None], dv_port, 0.0), aborted

    # --- the phases (each acts on the runs in it; v_des and has_v are filled in place) ---------------
    def _hold_logic(self, t, nav_lost, p_hat, v_hat, qh) -> None:
        g, st = self.g, self.st
        ph = st["ph"]
        m = (ph <= _FINAL) & nav_lost
        if np.any(m):
            blind = m & (ph == _FINAL) & (qh[:, 2] < g.blind_min_range_m)
            self.set_phase(blind, _BACK, t,
                           lambda j: f"Kurs lost at {qh[j, 2]:.1f} m, inside the {g.blind_min_range_m:g} m blind limit")
            hm = m & ~blind
            st["resume"][hm] = ph[hm]
            st["hold_pos"][hm] = p_hat[hm]
            st["has_hold"][hm] = True
            self.set_phase(hm, _HOLD, t, lambda j: f"no valid Kurs data for {t - st['last_good'][j]:.0f} s")
        hold = ph == _HOLD
        if not np.any(hold):
            return
        hr = hold & st["reacq"]
        done = hr & (t - st["since"] >= g.reacquire_s)
        st["reacq"][done] = False
        self.set_phase(done, _BACK, t, "re-acquired; abandoning the approach")
        hn = hold & ~hr
        back = hn & nav_lost & (t - st["since"] > g.back_away_after_s)
        res_m = hn & ~nav_lost
        for code in np.unique(st["resume"][res_m]):
            mm = res_m & (st["resume"] == code)
            self.set_phase(mm, int(code), t, "Kurs back, resuming")
            if code == _FLY:
                self.plan_fly(mm, t, p_hat, v_hat)
        self.set_phase(back, _BACK, t, f"Kurs lost for more than {g.back_away_after_s:g} s")

    def _closing(self, t, p_hat, v_hat, v_des, has_v) -> None:
        g = self.g
        m = self.st["ph"] == _CLOSING
        if not np.any(m):
            return
        d = p_hat - self.p_port
        rr = np.linalg.norm(d, axis=1)
        to_fly = m & (rr <= g.flyaround_start_range_m)
        self.plan_fly(to_fly, t, p_hat, v_hat)
        self.set_phase(to_fly, _FLY, t)
        mc = m & ~to_fly
        sp = g.closing_rate_const_mps + g.closing_rate_per_s * rr
        v_des[mc] = (-sp[:, None] * d / rr[:, None])[mc]
        has_v |= mc

    def _flyaround(self, t, p_hat, v_des, has_v) -> None:
        g, axis, p_port = self.g, self.axis, self.p_port
        m = self.st["ph"] == _FLY
        if not np.any(m):
            return
        fl = self.st["fly"]
        tau = t - fl[:, 0]
        to_sk = m & (tau >= fl[:, 7])
        self.set_phase(to_sk, _SK, t)
        mf = m & ~to_sk
        if not np.any(mf):
            return
        fj = fl[mf]
        T_ = fj[:, 7]
        sv = np.clip(tau[mf] / T_, 0.0, 1.0)
        sm = np.where(sv >= 1, 1.0, 3 * sv * sv - 2 * sv**3)
        dsm = np.where((sv <= 0) | (sv >= 1), 0.0, 6 * sv - 6 * sv * sv)
        sm = np.where(sv <= 0, 0.0, sm)
        th0, r0, rd0, e = fj[:, 3], fj[:, 1], fj[:, 2], fj[:, 4:7]
        th = th0 * (1 - sm)
        thd = -th0 * dsm / T_
        s_ = np.maximum(tau[mf], 0.0) / T_
        h00, h10, h01 = 2 * s_**3 - 3 * s_**2 + 1, s_**3 - 2 * s_**2 + s_, -2 * s_**3 + 3 * s_**2
        d00, d10, d01 = (6 * s_**2 - 6 * s_) / T_, (3 * s_**2 - 4 * s_ + 1) / T_, (-6 * s_**2 + 6 * s_) / T_
        r1 = g.station_keeping_range_m
        r = h00 * r0 + h10 * T_ * rd0 + h01 * r1
        rd = d00 * r0 + d10 * T_ * rd0 + d01 * r1
        c_, s2 = np.cos(th)[:, None], np.sin(th)[:, None]
        dirv = c_ * axis + s2 * e
        ddir = thd[:, None] * (-s2 * axis + c_ * e)
        p_ref = p_port + r[:, None] * dirv
        v_des[mf] = rd[:, None] * dirv + r[:, None] * ddir + g.position_gain_per_s * (p_ref - p_hat[mf])
        has_v |= mf

    def _station_keeping(self, t, p_hat, v_hat, v_des, has_v) -> None:
        g, st, rows = self.g, self.st, self.rows
        m = st["ph"] == _SK
        if not np.any(m):
            return
        tau = t - st["since"]
        p_ref = self.p_port + g.station_keeping_range_m * self.axis
        lat_var = np.einsum("ai,nij,aj->na", rows[:2], self.P[:, :3, :3], rows[:2])
        sig_lat = np.sqrt(np.maximum(np.max(lat_var, axis=1), 0.0))
        go = m & (tau >= g.station_keeping_min_s) & (sig_lat < g.go_sigma_lateral_m) \
            & (np.linalg.norm(p_ref - p_hat, axis=1) < g.go_offset_m) & (np.linalg.norm(v_hat, axis=1) < g.go_speed_mps)
        self.set_phase(go, _FINAL, t)
        late = m & ~go & (tau > g.station_keeping_max_s)
        self.set_phase(late, _BACK, t, "no go for final approach within the station-keeping time")
        mk = m & ~go & ~late
        v_des[mk] = (g.position_gain_per_s * (p_ref - p_hat))[mk]
        has_v |= mk

    def _final_approach(self, t, qh, qdh, v_des, has_v) -> None:
        g, env = self.g, self.env
        m = self.st["ph"] == _FINAL
        if not np.any(m):
            return
        n_act = len(self.ids)
        lat = qh[:, :2]
        latn = np.linalg.norm(lat, axis=1)
        closing = -qdh[:, 2]
        sched = g.final_rate_const_mps + g.final_rate_per_s * np.maximum(qh[:, 2], 0.0)
        c1 = m & (latn > self.tan_cor * np.maximum(qh[:, 2], 0.0) + g.corridor_margin_m)
        self.set_phase(c1, _BACK, t, lambda j: f"outside the corridor: lateral {latn[j]:.2f} m at {qh[j, 2]:.1f} m")
        c2 = m & ~c1 & (closing > g.rate_tolerance_factor * sched + g.rate_tolerance_mps)
        self.set_phase(c2, _BACK, t, lambda j: f"closing at {closing[j]:.3f} m/s, schedule {sched[j]:.3f} m/s")
        c3 = m & ~c1 & ~c2
        if g.envelope_guard:
            c3 = c3 & (qh[:, 2] < g.contact_guard_range_m) & ~((env.closing_speed_min_mps <= closing)
                                                                & (closing <= env.closing_speed_max_mps))
            self.set_phase(c3, _BACK, t,
                           lambda j: f"closing at {closing[j]:.3f} m/s near contact, outside the capture envelope")
        else:
            c3 = np.zeros(n_act, bool)
        mf = m & ~c1 & ~c2 & ~c3
        v_lat = np.clip(-g.lateral_gain_per_s * lat, -g.lateral_speed_max_mps, g.lateral_speed_max_mps)
        vp = np.column_stack([v_lat, -sched])
        v_des[mf] = _mm(vp, self.rows)[mf]
        has_v |= mf

    def _back_away(self, t, p_hat, qh, v_des, has_v) -> None:
        g, st = self.g, self.st
        m = st["ph"] == _BACK
        if not np.any(m):
            return
        out = m & (qh[:, 2] >= g.station_keeping_range_m)
        st["hold_pos"][out] = p_hat[out]
        st["has_hold"][out] = True
        self.set_phase(out, _RETREAT, t)
        mb = m & ~out
        v_des[mb] = self.rows[2] * g.back_away_speed_mps
        has_v |= mb

    def _retreat_hold(self, t, p_hat, nav_lost, v_des, has_v):
        """Hold at the station-keeping range, then retry or abandon: the mask of abandoned runs."""
        g, st = self.g, self.st
        n_act = len(self.ids)
        m = st["ph"] == _RETREAT
        if not np.any(m):
            return np.zeros(n_act, bool)
        due = m & (t - st["since"] >= g.retreat_hold_s)
        retry = due & (st["retries"] < g.max_retries) & ~nav_lost
        st["retries"][retry] += 1
        for j in np.flatnonzero(retry):
            self.set_phase(np.arange(n_act) == j, _SK, t, f"retry {st['retries'][j]}")
        v_des[retry] = (g.position_gain_per_s * (self.p_port + g.station_keeping_range_m * self.axis - p_hat))[retry]
        has_v |= retry
        mh = m & ~due
        v_des[mh] = (g.position_gain_per_s * (st["hold_pos"] - p_hat))[mh]
        has_v |= mh
        return due & ~retry

    def _hold(self, p_hat, v_des, has_v) -> None:
        st = self.st
        m = st["ph"] == _HOLD
        if not np.any(m):
            return
        hp = m & st["has_hold"]
        v_des[hp] = (self.g.position_gain_per_s * (st["hold_pos"] - p_hat))[hp]
        v_des[m & ~st["has_hold"]] = 0.0
        has_v |= m

    # --- thrusters, filter prediction, truth and contacts -------------------------------------------
    def _thrust(self, k, dv_port, err) -> None:
        """Quantised, noisy impulses on the truth; the filter predicts with the commanded ones."""
        thr, st, rows, dt, tmpl = self.thr, self.st, self.rows, self.dt, self.tmpl
        n_act = len(self.ids)
        mass_ = st["mass"]
        bit = thr.thrust_per_axis_n * thr.min_on_time_s / mass_
        sat = thr.thrust_per_axis_n * dt / mass_
        mag = np.abs(dv_port)
        dv_q = np.where(mag < 0.5 * bit[:, None], 0.0,
                        np.where(mag < bit[:, None], np.sign(dv_port) * bit[:, None],
                                 np.clip(dv_port, -sat[:, None], sat[:, None])))
        fire = np.any(dv_q != 0, axis=1)
        dv_true = dv_q * (1.0 + thr.dv_error_fraction * err)
        l1 = np.sum(np.abs(dv_q), axis=1)
        used = mass_ * (1.0 - np.exp(-l1 / (thr.isp_s * G0_MPS2)))
        st["prop"] = np.where(fire, st["prop"] + used, st["prop"])
        st["mass"] = np.where(fire, mass_ - used, mass_)
        st["dvl1"] = np.where(fire, st["dvl1"] + l1, st["dvl1"])
        Mk = self.dyn._m[k]
        self.d_v = np.where(fire[:, None], self.d_v + _mm(_mm(dv_true, rows), Mk), self.d_v)
        # filter prediction (as RelativeNavFilter.predict)
        dvl = _mm(dv_q, rows)
        X = self.X.copy()
        X[:, 3:] = np.where(fire[:, None], X[:, 3:] + dvl, X[:, 3:])
        P = self.P
        idx = np.arange(3, 6)
        P[:, idx, idx] = np.where(fire[:, None], P[:, idx, idx] + (tmpl.dv_frac * dvl) ** 2, P[:, idx, idx])
        cols = _cols(n_act)
        out = self.k_predict(np.ascontiguousarray(np.concatenate([X, P.reshape(n_act, 36)], axis=1)[cols].T),
                             pars=_par_block(self.par_pred[k], len(cols)))
        self.X = np.ascontiguousarray(out[0:6, :n_act].T)
        self.P = sym_to_full(out[6:27], n_act)

    def _truth_step(self, k, t):
        """Disturbances, then one step of the truth for every run: the next port-frame states (q, qd)."""
        dyn, rows, p_port, dt = self.dyn, self.rows, self.p_port, self.dt
        n_act = len(self.ids)
        Mk = dyn._m[k]
        for dist_ev in self.cfg.disturbances:
            if t <= dist_ev.t_s < t + dt:
                self.d_v = self.d_v + (rows.T @ np.asarray(dist_ev.dv_port_mps)) @ Mk
                for oi in self.ids:
                    self.events[oi].append(f"t={t:.0f} s: disturbance {dist_ev.dv_port_mps} m/s (port frame)")
        cols = _cols(n_act)
        out = self.k_truth(np.ascontiguousarray(np.concatenate([self.d_r, self.d_v], axis=1)[cols].T),
                           pars=_par_block(self.par_truth[k], len(cols)))
        self.d_r, self.d_v = np.ascontiguousarray(out[0:3, :n_act].T), np.ascontiguousarray(out[3:6, :n_act].T)
        M1, W1 = dyn._m[k + 1], dyn._w[k + 1]
        self.rho = _mm(self.d_r, M1.T)
        self.rhod = _mm(self.d_v - np.cross(W1, self.d_r), M1.T)
        return _mm(self.rho - p_port, rows.T), _mm(self.rhod, rows.T)

    def _contacts(self, t, q, qd, q1, qd1) -> None:
        """Runs whose step crossed the port's interface plane near its axis: contact conditions
        (interpolated inside the step), verdict, and the run ends."""
        from .approach import CONTACT_ZONE_M
        from .contact import ContactConditions, assess_contact

        hit = (q[:, 2] > 0.0) & (q1[:, 2] <= 0.0) & (np.linalg.norm(q1[:, :2], axis=1) < CONTACT_ZONE_M)
        if not np.any(hit):
            return
        st, dt = self.st, self.dt
        cs = np.full(len(self.ids), np.nan)
        for j in np.flatnonzero(hit):
            f = float(q[j, 2] / (q[j, 2] - q1[j, 2]))
            qc = q[j] + f * (q1[j] - q[j])
            qdc = qd[j] + f * (qd1[j] - qd[j])
            c_s = t + f * dt
            cs[j] = c_s
            w = 2 * math.pi / st["per"][j]
            arg = w * c_s + st["aph"][j]
            ang, rate = st["amp"][j] * np.sin(arg), st["amp"][j] * w * np.cos(arg)
            cc = ContactConditions(
                closing_speed_mps=-float(qdc[2]), lateral_speed_mps=float(np.linalg.norm(qdc[:2])),
                lateral_offset_m=float(np.linalg.norm(qc[:2])), pitch_yaw_rad=float(math.hypot(ang[0], ang[1])),
                roll_rad=abs(float(ang[2])), angular_rate_rad_s=float(np.linalg.norm(rate)))
            cv = assess_contact(cc, self.env)
            oi = self.ids[j]
            self.out_verdict[oi], self.out_viol[oi], self.out_contact[oi], self.out_cs[oi] = (
                cv.verdict, tuple(cv.violations), cc, c_s)
            self.events[oi].append(f"t={c_s:.1f} s: contact: {cv.verdict}"
                                   + (f" ({'; '.join(cv.violations)})" if cv.violations else ""))
            st["min_dist"][j] = min(st["min_dist"][j], float(np.linalg.norm(qc)))
        self.finish(hit, cs)

    def _result(self) -> BatchApproachResult:
        from ..time import add_seconds, iso_utc

        t_start = self.t_start

        def arr(name):
            return np.array([np.nan if c is None else getattr(c, name) for c in self.out_contact])

        return BatchApproachResult(
            start_utc=iso_utc(t_start), seeds=self.seeds, verdict=tuple(self.out_verdict), contact_s=self.out_cs,
            contact_utc=tuple(None if math.isnan(c) else iso_utc(add_seconds(t_start, float(c))) for c in self.out_cs),
            closing_speed_mps=arr("closing_speed_mps"), lateral_speed_mps=arr("lateral_speed_mps"),
            lateral_offset_m=arr("lateral_offset_m"), propellant_kg=self.res_prop, dv_l1_mps=self.res_dvl1,
            min_distance_m=self.res_min, violations=tuple(self.out_viol),
            events=tuple(tuple(e) for e in self.events),
            phases=tuple(tuple((a, float(b), float(c)) for a, b, c in p) for p in self.phases),
            contact=tuple(self.out_contact))
