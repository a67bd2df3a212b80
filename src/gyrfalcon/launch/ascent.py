"""3-DOF ascent of the Soyuz-2.1a from the pad to spacecraft separation, with guidance.

Model and assumptions
---------------------
* **Frame and integrator.** Point mass integrated in GCRF with
  :func:`scipy.integrate.solve_ivp` (RK45, rtol 1e-10, atol 1e-5 (1 m at insertion); one call per flight segment between
  discrete events, so thrust and mass steps are never integrated across). The ascent is a
  one-off of ~9 minutes; heyoka's compile time would dominate, so it is not used here.
* **Earth.** WGS-84 ellipsoid for the pad and altitudes; gravity = point mass (WGS-84 GM)
  + J2 (EGM2008) about the ITRF z axis; the Earth turns rigidly about the IERS rotation
  vector at liftoff (precession-nutation during 9 minutes is below 1e-8 rad). The pad's
  inertial position and velocity at liftoff come from :mod:`gyrfalcon.frames` (skyfield,
  IERS EOP).
* **Atmosphere.** US Standard Atmosphere 1976 (:mod:`gyrfalcon.launch.atmosphere`), no wind,
  co-rotating with the Earth. Drag ``0.5 rho |v_rel| v_rel Cd(M) S`` along the air-relative
  velocity (zero angle of attack), Cd(Mach) table and reference areas from
  ``vehicles.toml`` (generic values, see their grades).
* **Propulsion.** Thrust ``level F_vac - p A_exit`` per engine, mass flow from vacuum thrust
  and Isp, throttle steps, turbopump H2O2, staging and jettisons at the published times
  (``vehicles.toml``). Mass is a known piecewise-linear function of time. An engine stops at
  its scheduled cutoff or when its loaded propellant is gone, whichever is first (no
  unusable residuals are modelled).
* **Guidance.** (1) vertical rise; (2) pitch-over kick: thrust held at ``kick`` from the
  pad's vertical toward azimuth ``azimuth`` (from north); (3) zero-angle-of-attack gravity
  turn (thrust along the air-relative velocity) until strap-on separation; (4) open-loop
  linear-tangent pitch and linear yaw for the core and the third stage, relative to the
  target plane: thrust ``u = sin(theta) r^ + cos(theta) [cos(beta) h^ + sin(beta) n^]`` with
  ``h^ = n^ x r^``, ``tan(theta) = tan(theta_s) + pitch_rate (t - t_s)`` and ``beta = beta_s +
  yaw_rate (t - t_s)``, continuous with the gravity turn at ``t_s``.
* **Cutoff and targeting.** The third stage is cut when the osculating (two-body) specific
  energy reaches that of the target orbit (energy cutoff, as the flight control system's
  apparent-velocity integrator does); the published cutoff time 525.9 s is *checked*, not
  imposed. The four guidance parameters (kick angle, azimuth, pitch rate, yaw rate) are
  solved by a Newton shooting method (finite-difference Jacobian, Broyden updates) so that
  at cutoff the radius equals the target perigee radius, the flight-path angle is zero
  (insertion at perigee) and position and velocity lie in the target plane. Spacecraft
  separation follows ``separation_after_cutoff_s`` (3.1 s) of coast.
* **Elements.** Osculating two-body elements (WGS-84 GM,
  :class:`~gyrfalcon.orbits.elements.KeplerianElements`) in TEME of date, i.e. relative to
  the true equator, like TLE elements; perigee and apogee altitudes above the WGS-84
  equatorial radius (domain.md's convention).

Measured (2-core machine): 0.15-0.3 s per :func:`fly_ascent` including the shooting (10-20
trajectories of ~10 ms each), about 0.5 s for the first call of a process (imports, EOP).
Reach: converges for liftoffs from about 20 min before to 15 min after the pad crosses the
target plane; the largest Blok I reserve comes with liftoff about 240 s before the crossing
(zero yaw rate at about 295 s before), i.e. the "plane lead" of this ascent.

>>> import numpy as np
>>> from gyrfalcon.time import parse_utc
>>> from gyrfalcon.launch.insertion import inplane_plane_normal
>>> lat, lon = np.radians(45.9961), np.radians(63.5639)
>>> t0 = parse_utc("2025-11-27T09:27:57.4Z")
>>> n = inplane_plane_normal(lat, lon, 104.0, t0, np.radians(51.66))
>>> res = fly_ascent(t0, pad_lat_rad=lat, pad_lon_rad=lon, pad_alt_m=104.0, plane_normal_gcrf=n)
>>> round(res.elements.perigee_altitude_m / 1e3, 1), round(res.elements.apogee_altitude_m / 1e3, 1)
(200.0, 242.0)
>>> round(float(np.degrees(res.elements.i_rad)), 2), round(res.insertion_met_s)
(51.66, 532)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..constants import (
    EGM2008_A_M,
    G0_MPS2,
    J2_EGM2008,
    MU_EARTH_M3_S2,
    WGS84_A_M,
)
from ..errors import InputError, PropagationError
from ..orbits.fastmath import geodetic_height_m, interp_clamped, point_mass_j2_accel
from .atmosphere import us76_point

MU = MU_EARTH_M3_S2
_RE_J2 = EGM2008_A_M
_MEAN_EARTH_RADIUS_M = 6371008.8  # IUGG mean radius, for surface downrange distances


class AscentError(PropagationError):
    """The ascent could not reach the requested orbit (guidance did not converge, propellant ran out)."""


# --------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AscentEvent:
    """One event of the ascent timeline.

    ``altitude_m`` geodetic (WGS-84); ``inertial_speed_mps`` in GCRF; ``relative_speed_mps``
    relative to the rotating Earth; ``downrange_m`` great-circle surface distance from the pad
    (mean Earth radius); ``dynamic_pressure_pa``; ``mass_kg`` of the whole stack just before the
    event's mass drop (at spacecraft separation: spacecraft + spent third stage).
    """

    name: str
    met_s: float
    utc: str
    altitude_m: float
    inertial_speed_mps: float
    relative_speed_mps: float
    downrange_m: float
    dynamic_pressure_pa: float
    mass_kg: float


@dataclass(frozen=True, eq=False)
class AscentTrajectory:
    """Samples of the ascent (arrays of length N, sampled every ``step`` seconds and at events).

    ``lat_rad``, ``lon_rad``, ``altitude_m`` geodetic (WGS-84, ITRF); ``accel_g`` is the
    sensed (thrust + drag) acceleration in units of g0; ``r_gcrf_m``, ``v_gcrf_mps`` (N, 3).
    """

    met_s: np.ndarray
    lat_rad: np.ndarray
    lon_rad: np.ndarray
    altitude_m: np.ndarray
    inertial_speed_mps: np.ndarray
    relative_speed_mps: np.ndarray
    dynamic_pressure_pa: np.ndarray
    mach: np.ndarray
    mass_kg: np.ndarray
    accel_g: np.ndarray
    downrange_m: np.ndarray
    r_gcrf_m: np.ndarray
    v_gcrf_mps: np.ndarray


@dataclass(frozen=True)
class GuidanceSolution:
    """Guidance parameters found by the shooting method, and how well they hit the target.

    ``kick_rad`` pitch-over from the vertical; ``azimuth_rad`` of the kick from north;
    ``pitch_rate_per_s`` d(tan theta)/dt; ``yaw_rate_rad_s``; residuals at cutoff:
    ``radius_error_m``, ``flight_path_angle_rad``, ``plane_error_rad`` (max of position and
    velocity out-of-plane angles); ``trajectories`` integrated in the search.
    """

    kick_rad: float
    azimuth_rad: float
    pitch_rate_per_s: float
    yaw_rate_rad_s: float
    radius_error_m: float
    flight_path_angle_rad: float
    plane_error_rad: float
    iterations: int
    trajectories: int


@dataclass(frozen=True, eq=False)
class AscentResult:
    """Everything about one ascent.

    ``insertion`` is the spacecraft's :class:`~gyrfalcon.orbits.state.State` at separation
    (GCRF, with the spacecraft mass); ``elements`` its osculating
    :class:`~gyrfalcon.orbits.elements.KeplerianElements` in TEME of date (true equator);
    ``cutoff_met_s`` the third-stage cutoff found by the energy cutoff (published 525.9 s);
    ``insertion_met_s`` spacecraft separation (published 529 s); ``propellant_left_kg`` per
    stage at its cutoff; ``plane_normal_gcrf`` the target plane.
    """

    liftoff: Any
    pad_lat_rad: float
    pad_lon_rad: float
    pad_alt_m: float
    vehicle: str
    timeline: tuple
    trajectory: AscentTrajectory
    insertion: Any
    elements: Any
    guidance: GuidanceSolution
    cutoff_met_s: float
    insertion_met_s: float
    liftoff_mass_kg: float
    propellant_left_kg: dict
    plane_normal_gcrf: np.ndarray

    def event(self, name: str) -> AscentEvent:
        """The timeline event called ``name``."""
        for ev in self.timeline:
            if ev.name == name:
                return ev
        raise InputError(f"no ascent event {name!r}; events are {', '.join(e.name for e in self.timeline)}")


# --------------------------------------------------------------------------------------
# small vector helpers (plain floats: these run inside the integrator)
# --------------------------------------------------------------------------------------
def potential_energy_j2(r) -> float:
    """Specific potential energy [J/kg] of the point-mass + J2 field used here (axis = GCRF z).

    For the energy-conservation test; the ascent uses the ITRF z axis, which differs from
    GCRF z by precession (the field is the same up to that rotation).
    """
    r = np.asarray(r, float)
    rn = float(np.linalg.norm(r))
    sphi = r[2] / rn
    return -MU / rn * (1.0 - J2_EGM2008 * (_RE_J2 / rn) ** 2 * 0.5 * (3.0 * sphi * sphi - 1.0))


# --------------------------------------------------------------------------------------
# the model
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Context:
    k: tuple          # ITRF z axis (polar axis) in GCRF
    w: tuple          # Earth rotation vector in GCRF [rad/s]
    mach: tuple
    cd: tuple


@dataclass(frozen=True)
class _Segment:
    t0: float
    t1: float
    m0: float
    mdot: float
    fvac: float        # sum of level * F_vac of the engines firing [N]
    ae: float          # their total exit area [m^2]
    sref: float        # drag reference area [m^2] (0: no drag)
    mode: str          # "fixed", "gt", "steer", "coast"
    u: tuple = (0.0, 0.0, 1.0)   # fixed thrust direction
    steer: tuple = ()  # (t_s, tan_theta_s, pitch_rate, beta_s, yaw_rate, nx, ny, nz)


def _make_rhs(ctx: _Context, seg: _Segment):
    kx, ky, kz = ctx.k
    wx, wy, wz = ctx.w
    machs, cds = ctx.mach, ctx.cd
    t0, m0, mdot, fvac, ae, sref, mode = seg.t0, seg.m0, seg.mdot, seg.fvac, seg.ae, seg.sref, seg.mode
    ux, uy, uz = seg.u
    if mode == "steer":
        ts, tan_s, prate, beta_s, yrate, nx, ny, nz = seg.steer
    j2c = 1.5 * J2_EGM2008 * _RE_J2 * _RE_J2
    mu = MU
    sqrt, atan, sin, cos = math.sqrt, math.atan, math.sin, math.cos

    def rhs(t, y):
        x, yy, z, vx, vy, vz = y.tolist()
        r2 = x * x + yy * yy + z * z
        r = sqrt(r2)
        zk = x * kx + yy * ky + z * kz
        ax, ay, az = point_mass_j2_accel(x, yy, z, kx, ky, kz, mu, j2c)   # gravity: point mass + J2 about k
        if mode == "coast" and sref == 0.0:
            return np.array((vx, vy, vz, ax, ay, az))
        m = m0 - mdot * (t - t0)
        # air-relative velocity v - w x r
        rvx = vx - (wy * z - wz * yy)
        rvy = vy - (wz * x - wx * z)
        rvz = vz - (wx * yy - wy * x)
        vr = sqrt(rvx * rvx + rvy * rvy + rvz * rvz)
        rho_ax = sqrt(max(r2 - zk * zk, 0.0))
        h = geodetic_height_m(rho_ax, zk)
        _, p, dens, sound = us76_point(h if h > -4000.0 else -4000.0)  # below ground only in bad shooting guesses
        if sref > 0.0 and vr > 0.0:
            cd = interp_clamped(machs, cds, vr / sound)
            dk = -0.5 * dens * vr * cd * sref / m
            ax += dk * rvx
            ay += dk * rvy
            az += dk * rvz
        if fvac > 0.0:
            thrust = fvac - p * ae
            if mode == "fixed":
                ex, ey, ez = ux, uy, uz
            elif mode == "gt":
                if vr > 1e-6:
                    ex, ey, ez = rvx / vr, rvy / vr, rvz / vr
                else:
                    ex, ey, ez = ux, uy, uz
            else:  # steer
                rx, ry, rz = x / r, yy / r, z / r
                hx, hy, hz = ny * rz - nz * ry, nz * rx - nx * rz, nx * ry - ny * rx
                hn = sqrt(hx * hx + hy * hy + hz * hz)
                hx, hy, hz = hx / hn, hy / hn, hz / hn
                th = atan(tan_s + prate * (t - ts))
                be = beta_s + yrate * (t - ts)
                st, ct, sb, cb = sin(th), cos(th), sin(be), cos(be)
                ex = st * rx + ct * (cb * hx + sb * nx)
                ey = st * ry + ct * (cb * hy + sb * ny)
                ez = st * rz + ct * (cb * hz + sb * nz)
            at = thrust / m
            ax += at * ex
            ay += at * ey
            az += at * ez
        return np.array((vx, vy, vz, ax, ay, az))

    return rhs


@dataclass(frozen=True)
class _Phase:
    """Engines and masses between two discrete events (built once per vehicle and payload)."""

    t0: float
    t1: float
    m0: float
    mdot: float
    fvac: float
    ae: float
    sref: float
    guidance: str      # "vertical", "kick", "gt", "steer", "coast"


def _phases(vehicle, payload_kg: float, events: dict):
    """The piecewise-constant propulsion schedule up to the third stage's last possible cutoff.

    Returns (phases, liftoff_mass, propellant bookkeeping helpers).
    """
    stages = vehicle.stages
    # engine run intervals (cutoff = min(scheduled, depletion))
    run = {}
    for s in stages:
        # time to burn the loaded propellant, integrating the throttle steps
        t, left = s.ignition_met_s, s.propellant_kg
        steps = sorted([tt for tt, _ in s.throttle if tt > t] + [s.cutoff_met_s])
        end = s.cutoff_met_s
        for tt in steps:
            tt = min(tt, s.cutoff_met_s)
            rate = s.level_at(t) * s.mass_flow_kgps
            if rate > 0 and left - rate * (tt - t) <= 0:
                end = t + left / rate
                break
            left -= rate * (tt - t)
            t = tt
            if t >= s.cutoff_met_s:
                break
        run[s.id] = (s.ignition_met_s, end)
    drop_parts = {j.id: j for j in vehicle.jettisons}
    guid_t = (vehicle.vertical_rise_s, vehicle.vertical_rise_s + vehicle.kick_duration_s)
    strap = stages[0]
    t_steer = strap.separation_met_s
    breaks = {0.0, guid_t[0], guid_t[1], t_steer}
    for s in stages:
        a, b = run[s.id]
        breaks.update({a, b, s.separation_met_s})
        breaks.update(tt for tt, _ in s.throttle if a < tt < b)
    for j in vehicle.jettisons:
        breaks.add(j.met_s)
    t_end = max(run[s.id][1] for s in stages)
    breaks = sorted(b for b in breaks if 0.0 <= b <= t_end)
    m0 = vehicle.liftoff_mass_kg(payload_kg)
    phases = []
    m = m0
    for ta, tb in zip(breaks[:-1], breaks[1:]):
        # mass drops at ta
        for s in stages:
            if s.separation_met_s == ta and s.separation_met_s < t_end:
                m -= _stage_mass_left(s, run[s.id], ta)
        for j in drop_parts.values():
            if j.met_s == ta:
                m -= j.mass_kg
        mdot = fvac = ae = 0.0
        mid = 0.5 * (ta + tb)
        for s in stages:
            a, b = run[s.id]
            if a <= mid < b:
                lv = s.level_at(mid)
                mdot += s.count * (lv * s.mass_flow_kgps + s.h2o2_rate_kgps)
                fvac += s.count * lv * s.thrust_vac_n
                ae += s.count * s.exit_area_m2
        sref = vehicle.reference_area_m2 if mid < strap.separation_met_s else vehicle.reference_area_upper_m2
        if mid < guid_t[0]:
            g = "vertical"
        elif mid < guid_t[1]:
            g = "kick"
        elif mid < t_steer:
            g = "gt"
        else:
            g = "steer" if fvac > 0 else "coast"
        phases.append(_Phase(ta, tb, m, mdot, fvac, ae, sref, g))
        m -= mdot * (tb - ta)
    return phases, m0, run


def _stage_mass_left(s, run_interval, t):
    """Mass of stage ``s`` (all units) still attached at time ``t``: dry + unburnt propellant + other."""
    a, b = run_interval
    burnt = 0.0
    # integrate the throttle steps from a to min(b, t)
    end = min(b, t)
    if end > a:
        pts = sorted({a, end} | {tt for tt, _ in s.throttle if a < tt < end})
        for p0, p1 in zip(pts[:-1], pts[1:]):
            burnt += s.level_at(0.5 * (p0 + p1)) * s.mass_flow_kgps * (p1 - p0)
        h2o2 = s.h2o2_rate_kgps * (end - a)
    else:
        h2o2 = 0.0
    return s.count * (s.dry_mass_kg + s.propellant_kg - burnt + s.h2o2_kg - h2o2 + s.other_kg)


class _Flight:
    """One vehicle + payload + pad + liftoff time + target: integrates trajectories for the shooting."""

    def __init__(self, vehicle, payload_kg, liftoff, pad_lat_rad, pad_lon_rad, pad_alt_m, n_target,
                 perigee_alt_m, apogee_alt_m):
        from ..frames import earth_rotation_vector_itrf, itrf_from_geodetic, itrf_to_gcrf_matrix

        self.vehicle = vehicle
        self.payload_kg = payload_kg
        self.events = vehicle.events
        self.phases, self.m0, self.run = _phases(vehicle, payload_kg, self.events)
        m = itrf_to_gcrf_matrix(liftoff)
        self.m_itrf = m
        w = m @ earth_rotation_vector_itrf(liftoff)
        k = m[:, 2]
        self.ctx = _Context(tuple(k), tuple(w), vehicle.mach, vehicle.cd)
        r_itrf = np.asarray(itrf_from_geodetic(pad_lat_rad, pad_lon_rad, pad_alt_m), float)
        self.r_pad = m @ r_itrf
        self.v_pad = np.cross(w, self.r_pad)
        lat, lon = pad_lat_rad, pad_lon_rad
        self.up = m @ np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])
        self.north = m @ np.array([-math.sin(lat) * math.cos(lon), -math.sin(lat) * math.sin(lon), math.cos(lat)])
        self.east = m @ np.array([-math.sin(lon), math.cos(lon), 0.0])
        self.n = np.asarray(n_target, float)
        rp = WGS84_A_M + perigee_alt_m
        ra = WGS84_A_M + apogee_alt_m
        self.rp = rp
        self.a_target = 0.5 * (rp + ra)
        self.energy_target = -MU / (2.0 * self.a_target)
        self.coast_s = self.events["separation_after_cutoff_s"]
        self.count = 0
        self.rtol, self.atol = 1e-10, 1e-5

    # ---- one trajectory ---------------------------------------------------------------
    def fly(self, params, t_eval_step: float | None = None):
        """Integrate with ``params = (kick, azimuth, pitch_rate, yaw_rate)``.

        Returns a dict with the cutoff state and time, and samples if ``t_eval_step``.
        """
        from scipy.integrate import solve_ivp

        self.count += 1
        kick, azim, prate, yrate = (float(p) for p in params)
        ctx = self.ctx
        y = np.concatenate([self.r_pad, self.v_pad])
        u_kick = math.cos(kick) * self.up + math.sin(kick) * (math.cos(azim) * self.north + math.sin(azim) * self.east)
        samples_t, samples_y, seg_of_sample = [], [], []
        cutoff = None
        segs = []
        for ph in self.phases:
            if ph.guidance == "vertical":
                seg = _Segment(ph.t0, ph.t1, ph.m0, ph.mdot, ph.fvac, ph.ae, ph.sref, "fixed", tuple(self.up))
            elif ph.guidance == "kick":
                seg = _Segment(ph.t0, ph.t1, ph.m0, ph.mdot, ph.fvac, ph.ae, ph.sref, "fixed", tuple(u_kick))
            elif ph.guidance == "gt":
                seg = _Segment(ph.t0, ph.t1, ph.m0, ph.mdot, ph.fvac, ph.ae, ph.sref, "gt", tuple(u_kick))
            else:
                if not segs or segs[-1].mode not in ("steer", "coast"):
                    steer = self._steer_start(ph.t0, y, prate, yrate)
                mode = "steer" if ph.guidance == "steer" else "coast"
                seg = _Segment(ph.t0, ph.t1, ph.m0, ph.mdot, ph.fvac, ph.ae, ph.sref, mode, steer=steer)
            segs.append(seg)
            rhs = _make_rhs(ctx, seg)
            events = None
            upper, lower = self.vehicle.stages[-1].id, self.vehicle.stages[-2].id
            third = ph.t0 >= self.run[upper][0] and ph.fvac > 0 and ph.t0 > self.run[lower][1]
            if third:
                et = self.energy_target

                def energy_event(t, yv):
                    r = math.sqrt(yv[0] * yv[0] + yv[1] * yv[1] + yv[2] * yv[2])
                    return 0.5 * (yv[3] * yv[3] + yv[4] * yv[4] + yv[5] * yv[5]) - MU / r - et

                energy_event.terminal = True
                energy_event.direction = 1.0
                events = energy_event
            t_eval = None
            if t_eval_step:
                t_eval = np.arange(math.ceil(ph.t0 / t_eval_step) * t_eval_step, ph.t1, t_eval_step)
                t_eval = np.unique(np.concatenate([[ph.t0], t_eval, [ph.t1]]))
            sol = solve_ivp(rhs, (ph.t0, ph.t1), y, method="RK45", rtol=self.rtol, atol=self.atol,
                            events=events, t_eval=t_eval, max_step=20.0)
            if not sol.success:
                raise AscentError(f"ascent integration failed at MET {ph.t0:.1f} s: {sol.message}")
            if t_eval_step:
                keep = slice(0, None) if not samples_t else slice(1, None)  # drop the repeated segment start
                samples_t.append(sol.t[keep])
                samples_y.append(sol.y.T[keep])
                seg_of_sample += [len(segs) - 1] * len(sol.t[keep])
            if events is not None and sol.t_events[0].size:
                tc = float(sol.t_events[0][0])
                yc = sol.y_events[0][0]
                cutoff = (tc, yc, ph, seg)
                break
            y = sol.y[:, -1]
        if cutoff is None:
            return {"cutoff": None, "t": float(self.phases[-1].t1), "y": y}
        tc, yc, ph, seg = cutoff
        m_cut = ph.m0 - ph.mdot * (tc - ph.t0)
        # coast to spacecraft separation
        coast = _Segment(tc, tc + self.coast_s, m_cut, 0.0, 0.0, 0.0, 0.0, "coast")
        t_eval = None
        if t_eval_step:
            t_eval = np.unique(np.concatenate([[tc], np.arange(math.ceil(tc / t_eval_step) * t_eval_step,
                                                               tc + self.coast_s, t_eval_step), [tc + self.coast_s]]))
        sol = solve_ivp(_make_rhs(ctx, coast), (tc, tc + self.coast_s), yc, method="RK45", rtol=1e-10, atol=1e-4,
                        t_eval=t_eval)
        out = {"cutoff": tc, "y_cut": yc, "m_cut": m_cut, "t_sep": tc + self.coast_s, "y_sep": sol.y[:, -1],
               "segments": segs + [coast]}
        if t_eval_step:
            samples_t.append(np.concatenate([[tc], sol.t[1:]]))
            samples_y.append(np.vstack([yc, sol.y.T[1:]]))
            seg_of_sample += [len(segs) - 1] + [len(segs)] * (len(sol.t) - 1)
            out["samples"] = (np.concatenate(samples_t), np.vstack(samples_y), seg_of_sample)
        return out

    def _steer_start(self, t_s, y, prate, yrate):
        r, v = y[:3], y[3:]
        w = np.asarray(self.ctx.w)
        vrel = v - np.cross(w, r)
        rh = r / np.linalg.norm(r)
        vh = vrel / np.linalg.norm(vrel)
        n = self.n
        h = np.cross(n, rh)
        h /= np.linalg.norm(h)
        sin_th = float(vh @ rh)
        th = math.asin(max(-1.0, min(1.0, sin_th)))
        horiz = vh - sin_th * rh
        beta = math.atan2(float(horiz @ n), float(horiz @ h))
        return (t_s, math.tan(th), prate, beta, yrate, float(n[0]), float(n[1]), float(n[2]))

    def residuals(self, params):
        """Scaled miss at cutoff: radius (10 km), flight-path angle (0.01 rad), plane (1e-3 rad x 2).

        If the third stage runs dry before the target energy, the miss is taken at depletion
        and the energy shortfall (per 1e5 J/kg, about 13 m/s) is added to the radius term:
        the residual stays continuous across the boundary, so Newton can come back.
        """
        out = self.fly(params)
        if out["cutoff"] is None:
            y = out["y"]
            r = np.linalg.norm(y[:3])
            short = (self.energy_target - (0.5 * float(y[3:] @ y[3:]) - MU / r)) / 1e5
        else:
            y = out["y_cut"]
            short = 0.0
        r, v = y[:3], y[3:]
        rn, vn = np.linalg.norm(r), np.linalg.norm(v)
        fpa = math.asin(float(r @ v) / (rn * vn))
        res = np.array([(rn - self.rp) / 1e4 + short, fpa / 1e-2, float(r @ self.n) / rn / 1e-3,
                        float(v @ self.n) / vn / 1e-3])
        return res, out


# --------------------------------------------------------------------------------------
# shooting
# --------------------------------------------------------------------------------------
_DEFAULT_KICK_RAD = math.radians(2.2)
_DEFAULT_PITCH_RATE = -0.0016


def _initial_guess(fl: _Flight):
    """Kick and pitch rate from defaults; azimuth from the plane's direction over the pad corrected for Earth rotation."""
    n = fl.n
    rh = fl.r_pad / np.linalg.norm(fl.r_pad)
    d = np.cross(n, rh)
    d /= np.linalg.norm(d)
    v_orb = 7800.0
    vrel = v_orb * d - fl.v_pad
    az = math.atan2(float(vrel @ fl.east), float(vrel @ fl.north))
    return np.array([_DEFAULT_KICK_RAD, az, _DEFAULT_PITCH_RATE, 0.0])


def _solve(fl: _Flight, x0, tol=1e-3, max_iter=25):
    """Newton iterations with a finite-difference Jacobian refreshed by Broyden updates."""
    steps = np.array([1e-4, 1e-4, 1e-5, 1e-6])
    x = np.array(x0, float)
    f, out = fl.residuals(x)

    def jacobian(x, f):
        jac = np.empty((4, 4))
        for j in range(4):
            xp = x.copy()
            xp[j] += steps[j]
            fp, _ = fl.residuals(xp)
            jac[:, j] = (fp - f) / steps[j]
        return jac

    jac = jacobian(x, f)
    it = 0
    for it in range(1, max_iter + 1):
        if np.max(np.abs(f)) < tol:
            break
        try:
            dx = -np.linalg.solve(jac, f)
        except np.linalg.LinAlgError:
            raise AscentError("ascent guidance: singular Jacobian; the target plane or orbit is out of reach") from None
        # damp big steps (kick and azimuth at most 2 deg, pitch rate 0.005/s, yaw rate 1e-4 rad/s)
        lim = np.array([math.radians(2.0), math.radians(2.0), 5e-3, 1e-4])
        scale = float(np.max(np.abs(dx) / lim))
        if scale > 1.0:
            dx /= scale
        xn = x + dx
        fn, outn = fl.residuals(xn)
        if np.max(np.abs(fn)) > 2.0 * np.max(np.abs(f)) + 1.0:
            # poor step: refresh the Jacobian at x and retry with a half step
            jac = jacobian(x, f)
            dx = -0.5 * np.linalg.solve(jac, f)
            xn = x + dx
            fn, outn = fl.residuals(xn)
        df = fn - f
        jac = jac + np.outer(df - jac @ dx, dx) / float(dx @ dx)
        x, f, out = xn, fn, outn
    if out["cutoff"] is None:
        y = out["y"]
        short = fl.energy_target - (0.5 * float(y[3:] @ y[3:]) - MU / np.linalg.norm(y[:3]))
        raise AscentError(
            f"the third stage runs dry about {short / 7800.0:.0f} m/s short of the target orbit; the target "
            "plane or orbit is beyond the vehicle's reach: launch closer to the in-plane time or lower the orbit"
        )
    if np.max(np.abs(f)) >= tol:
        raise AscentError(
            "ascent guidance did not converge (residuals: radius {:.0f} m, flight-path angle {:.4f} deg, "
            "plane {:.4f}/{:.4f} deg); the target may be out of the vehicle's reach: check the perigee/apogee "
            "(e.g. 200 x 242 km) and launch closer to the in-plane time".format(
                f[0] * 1e4, math.degrees(f[1] * 1e-2), math.degrees(f[2] * 1e-3), math.degrees(f[3] * 1e-3))
        )
    return x, f, out, it


# --------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------
def fly_ascent(liftoff, *, pad_lat_rad: float, pad_lon_rad: float, pad_alt_m: float,
               plane_normal_gcrf=None, inclination_rad: float | None = None, raan_rad: float | None = None,
               perigee_alt_m: float = 200e3, apogee_alt_m: float = 242e3, vehicle: str = "soyuz-2.1a",
               payload_kg: float | None = None, sample_step_s: float = 1.0) -> AscentResult:
    """Fly the 3-DOF ascent from the pad at ``liftoff`` into the target orbit.

    Parameters
    ----------
    liftoff : skyfield ``Time``
        Liftoff (contact separation), MET 0.
    pad_lat_rad, pad_lon_rad, pad_alt_m : float
        WGS-84 geodetic pad position (see :mod:`gyrfalcon.launch.sites`).
    plane_normal_gcrf : (3,) array, optional
        Unit normal of the target orbit plane in GCRF (e.g. the ISS's ``r x v / |r x v|`` at
        liftoff). Or give ``inclination_rad`` and ``raan_rad`` (TEME of date at liftoff).
    perigee_alt_m, apogee_alt_m : float
        Target osculating perigee and apogee altitudes above the WGS-84 equatorial radius.
    vehicle : str
        Launch vehicle in ``vehicles.toml``.
    payload_kg : float, optional
        Spacecraft mass; default the vehicle's default payload (Soyuz MS, 7,152 kg).
    sample_step_s : float
        Spacing of the trajectory samples [s].

    The guidance is solved (:func:`_solve`), the solution flown once more for its samples
    (:func:`_ascent_trajectory`), its events (:func:`_ascent_timeline`), the insertion state and
    elements, the propellant left (:func:`_propellant_left`) and the guidance figures.
    """
    from ..frames import gcrf_to_teme
    from ..orbits.elements import KeplerianElements
    from ..orbits.state import State
    from ..time import add_seconds
    from .insertion import _orbit_constants, check_pad_near_plane, target_plane_normal
    from .vehicles import load_spacecraft, load_vehicle

    veh = load_vehicle(vehicle)
    if payload_kg is None:
        payload_kg = load_spacecraft(veh.payload_default).launch_mass_kg
    if not (1000.0 <= payload_kg <= 10000.0):
        raise InputError(f"payload {payload_kg:.0f} kg is outside 1,000-10,000 kg; a Soyuz MS is about 7,150 kg")
    _orbit_constants(perigee_alt_m, apogee_alt_m)
    n = target_plane_normal(plane_normal_gcrf, inclination_rad, raan_rad, liftoff)
    if plane_normal_gcrf is not None and n.ndim != 1:
        raise InputError("fly_ascent takes one plane normal (3,); for many liftoff times use parametric_insertion")

    check_pad_near_plane(pad_lat_rad, pad_lon_rad, pad_alt_m, liftoff, n)   # the one check of the limit
    fl = _Flight(veh, float(payload_kg), liftoff, pad_lat_rad, pad_lon_rad, pad_alt_m, n, perigee_alt_m, apogee_alt_m)
    x, f, _, iters = _solve(fl, _initial_guess(fl))
    final = fl.fly(x, t_eval_step=sample_step_s)
    tc, ts = final["cutoff"], final["t_sep"]
    traj = _ascent_trajectory(fl, veh, final, liftoff, pad_lat_rad, pad_lon_rad)
    timeline = _ascent_timeline(fl, veh, traj, liftoff, tc, ts)

    t_ins = add_seconds(liftoff, ts)
    y_sep = final["y_sep"]
    insertion = State(t_ins, y_sep[:3], y_sep[3:], "GCRF", float(payload_kg),
                      {"source": "gyrfalcon.launch.ascent", "vehicle": vehicle, "met_s": ts})
    r_teme, v_teme = gcrf_to_teme(t_ins, y_sep[:3], y_sep[3:])
    elements = KeplerianElements.from_rv(r_teme, v_teme)
    r_cut = np.asarray(final["y_cut"])
    guidance = GuidanceSolution(
        kick_rad=float(x[0]), azimuth_rad=float(x[1] % (2 * math.pi)), pitch_rate_per_s=float(x[2]),
        yaw_rate_rad_s=float(x[3]), radius_error_m=float(np.linalg.norm(r_cut[:3]) - fl.rp),
        flight_path_angle_rad=float(f[1] * 1e-2), plane_error_rad=float(max(abs(f[2]), abs(f[3])) * 1e-3),
        iterations=iters, trajectories=fl.count,
    )
    return AscentResult(
        liftoff=liftoff, pad_lat_rad=float(pad_lat_rad), pad_lon_rad=float(pad_lon_rad), pad_alt_m=float(pad_alt_m),
        vehicle=vehicle, timeline=timeline, trajectory=traj, insertion=insertion, elements=elements,
        guidance=guidance, cutoff_met_s=float(tc), insertion_met_s=float(ts), liftoff_mass_kg=float(fl.m0),
        propellant_left_kg=_propellant_left(fl, veh, tc), plane_normal_gcrf=np.array(n, float),
    )


def _ascent_trajectory(fl, veh, final, liftoff, pad_lat_rad, pad_lon_rad) -> AscentTrajectory:
    """The flown solution's samples: geodetic position, speeds, dynamic pressure, Mach, mass,
    sensed acceleration [g] and downrange from the pad."""
    from ..frames import gcrf_to_itrf, geodetic_from_itrf
    from ..time import add_seconds

    t_s, y_s, seg_idx = final["samples"]
    order = np.argsort(t_s, kind="stable")
    t_s, y_s = t_s[order], y_s[order]
    seg_idx = [seg_idx[i] for i in order]
    segs = final["segments"]
    r_itrf = gcrf_to_itrf(add_seconds(liftoff, t_s), y_s[:, :3])
    lat, lon, alt = geodetic_from_itrf(r_itrf)
    vrel = y_s[:, 3:] - np.cross(np.asarray(fl.ctx.w), y_s[:, :3])
    vrel_n = np.linalg.norm(vrel, axis=1)
    vin = np.linalg.norm(y_s[:, 3:], axis=1)
    mass, q, mach, acc = (np.empty(len(t_s)) for _ in range(4))
    for i, (t, si) in enumerate(zip(t_s, seg_idx)):
        sg = segs[si]
        m = sg.m0 - sg.mdot * (t - sg.t0)
        _, p, dens, snd = us76_point(float(alt[i]))
        mass[i] = m
        q[i] = 0.5 * dens * vrel_n[i] ** 2
        mach[i] = vrel_n[i] / snd
        cd = interp_clamped(veh.mach, veh.cd, mach[i])
        thrust = max(sg.fvac - p * sg.ae, 0.0) if sg.fvac > 0 else 0.0
        acc[i] = (thrust + q[i] * cd * sg.sref) / m / G0_MPS2 if m > 0 else 0.0
    cosc = np.sin(pad_lat_rad) * np.sin(lat) + np.cos(pad_lat_rad) * np.cos(lat) * np.cos(lon - pad_lon_rad)
    downrange = _MEAN_EARTH_RADIUS_M * np.arccos(np.clip(cosc, -1.0, 1.0))
    return AscentTrajectory(t_s, lat, lon, alt, vin, vrel_n, q, mach, mass, acc, downrange, y_s[:, :3], y_s[:, 3:])


def _ascent_timeline(fl, veh, traj: AscentTrajectory, liftoff, tc, ts) -> tuple:
    """The ascent's events in MET order, each interpolated linearly between the 1-s samples."""
    from ..time import add_seconds, iso_utc

    t_s = traj.met_s

    def event(name, met):
        i = int(np.argmin(np.abs(t_s - met)))
        near, fr, j = abs(t_s[i] - met) <= 1e-6, 0.0, i
        if not near:
            j = min(max(i + 1 if t_s[i] < met else i - 1, 0), len(t_s) - 1)
            fr = 0.0 if j == i else (met - t_s[i]) / (t_s[j] - t_s[i])

        def lerp(arr):
            return float(arr[i]) if near else float(arr[i] + fr * (arr[j] - arr[i]))
        return AscentEvent(name, float(met), iso_utc(add_seconds(liftoff, met)), lerp(traj.altitude_m),
                           lerp(traj.inertial_speed_mps), lerp(traj.relative_speed_mps), lerp(traj.downrange_m),
                           lerp(traj.dynamic_pressure_pa), lerp(traj.mass_kg))

    strap, core, blok = veh.stage("strapons"), veh.stage("core"), veh.stage("blok-i")
    timeline = [
        event("liftoff", 0.0),
        event("max-q", _max_q_met(t_s, traj.dynamic_pressure_pa)),
        event("les-jettison", veh.jettison("les").met_s),
        event("strapons-cutoff", fl.run["strapons"][1]),
        event("strapons-separation", strap.separation_met_s),
        event("fairing-jettison", veh.jettison("fairing").met_s),
        event("core-cutoff", fl.run["core"][1]),
        event("third-stage-ignition", blok.ignition_met_s),
        event("core-separation", core.separation_met_s),
        event("aft-skirt-jettison", veh.jettison("aft-skirt").met_s),
        event("third-stage-cutoff", tc),
        event("spacecraft-separation", ts),
    ]
    timeline.sort(key=lambda e: e.met_s)
    return tuple(timeline)


def _max_q_met(t_s, q) -> float:
    """MET of the maximum dynamic pressure: the vertex of the parabola through the sampled maximum."""
    k = int(np.argmax(q))
    t_q = float(t_s[k])
    if 0 < k < len(q) - 1 and t_s[k + 1] - t_s[k - 1] > 0:
        y0, y1, y2 = q[k - 1], q[k], q[k + 1]
        den = y0 - 2 * y1 + y2
        if den < 0:
            t_q = float(t_s[k] + 0.5 * (y0 - y2) / den * (t_s[k + 1] - t_s[k]))
    return t_q


def _propellant_left(fl, veh, tc) -> dict:
    """Propellant left in each stage [kg]; the third stage stops at the energy cutoff ``tc``,
    before its scheduled end."""
    left = {}
    for s in veh.stages:
        a, b = fl.run[s.id]
        burnt = (_stage_mass_left(s, (a, b), a) - _stage_mass_left(s, (a, b), b))
        burnt_h2o2 = s.count * s.h2o2_rate_kgps * (b - a)
        left[s.id] = s.count * s.propellant_kg - (burnt - burnt_h2o2)
    blok = veh.stage("blok-i")
    left["blok-i"] = blok.count * (blok.propellant_kg - blok.mass_flow_kgps * (tc - fl.run["blok-i"][0]))
    return left
