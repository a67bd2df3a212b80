"""Numerical orbit propagation on heyoka's Taylor integrator (GCRF, SI units).

:class:`Propagator` turns a :class:`~gyrfalcon.orbits.forces.ForceModel` into a compiled
:func:`heyoka.taylor_adaptive` integrator **once per process** (cached on the model's key,
the tolerance and the event set; heyoka also caches the machine code on disk, so a new
process only pays the warm build) and reuses it for every call: the epoch, Earth
orientation, drag and thrust inputs are runtime parameters. It propagates

* one state: :meth:`Propagator.propagate` -> :class:`~gyrfalcon.orbits.ephemeris.Ephemeris`
  (GCRF samples every ``step_s`` from the start, plus the exact end time; a new segment
  after each impulsive burn), :meth:`Propagator.propagate_to` -> one
  :class:`~gyrfalcon.orbits.state.State`;
* many states at once: :meth:`Propagator.propagate_batch` (heyoka's SIMD batch mode,
  :func:`heyoka.taylor_adaptive_batch`, :func:`batch_lanes` lanes) ->
  :class:`BatchEphemeris`;
* events on the way: :meth:`Propagator.find_events` (detectors in :mod:`.events`).

Runtime parameters (``params=`` of the constructor or of each call): ``drag_cd``,
``drag_area_m2`` [m^2], ``drag_scale`` (density factor; :func:`estimate_drag_scale` fits it
to a reference ephemeris). The mass is the 7th state variable (``State.mass_kg``).

Assumptions and limits
----------------------
* State vector ``(x, y, z, vx, vy, vz, m)`` in GCRF [m, m/s, kg]; time = TT seconds since
  the initial state's epoch. Input states in other frames are converted with
  :meth:`State.to("GCRF") <gyrfalcon.orbits.state.State.to>`.
* ``tol`` is heyoka's relative/absolute tolerance (default 1e-13: against Orekit's
  Dormand-Prince 8(5,3) at 1e-13 the ISS differs by millimetres after a day).
* Initial orbits whose osculating perigee lies below the WGS-84 equatorial radius are
  refused (:class:`~gyrfalcon.errors.ImpossibleOrbitError`); a terminal event raises
  :class:`~gyrfalcon.errors.ReentryError` when the altitude falls below ``floor_m``
  (default 100 km; ``floor_m=None`` disables it); the exception carries ``.t`` (skyfield
  ``Time``) and ``.t_s`` (seconds after the start) of the crossing. That altitude is
  approximate: height above the WGS-84 ellipsoid with the GCRF z axis as its pole,
  ``r - a (1 - f sin^2 phi)`` (within ~0.1 km of the geodetic height).
* Impulsive burns in ``[start, end)`` are applied (a burn exactly at the end time belongs
  to the next leg); burns outside that span are ignored. Finite burns switch the thrust
  parameters on and off at their exact start and end.
* Backward propagation (``until`` before the state's epoch) is supported without
  manoeuvres.
* Earth orientation, F10.7 and Ap come from heyoka's bundled tables; a date outside them
  raises :class:`~gyrfalcon.errors.EphemerisRangeError`.

>>> from gyrfalcon.time import parse_utc, iso_utc
>>> from gyrfalcon.orbits.state import State
>>> s0 = State(parse_utc("2025-11-24T12:00Z"), [4594537.643, -518498.052, 4971920.397],
...            [3048.8547, 6705.8943, -2115.9935])
>>> eph = Propagator("two-body").propagate(s0, 5400.0, step_s=600)
>>> len(eph), iso_utc(eph.stop)
(10, '2025-11-24T13:30:00.000Z')
"""
from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..constants import DAYS_PER_JULIAN_CENTURY, J2000_JD_TT, WGS84_A_M, WGS84_F
from ..errors import EphemerisRangeError, ImpossibleOrbitError, InputError, PropagationError, ReentryError
from .ephemeris import Ephemeris
from .forces import ROTATION_SEGMENT_S, Builder, ForceModel, tt_jc
from .maneuvers import FiniteBurn, ImpulsiveBurn
from .state import State

DEFAULT_TOL = 1e-13
DEFAULT_FLOOR_M = 100e3
_MERGE_S = 1e-9
PUBLIC_PARAMS = ("drag_cd", "drag_area_m2", "drag_scale", "sw_f107", "sw_f107a", "sw_ap")


PARAM_RANGES = {"drag_cd": (0.0, False), "drag_area_m2": (0.0, False), "drag_scale": (0.0, True),
                "sw_f107": (0.0, False), "sw_f107a": (0.0, False), "sw_ap": (0.0, True)}
"""Lower bound of each public parameter and whether it may equal it (all finite)."""


def _check_param_values(given: dict, used, fitted=()) -> None:
    """The caller's parameters: finite and in range; a space-weather value only where the model
    reads it (``NRLMSISE00(space_weather="params")``), never silently ignored. ``fitted``: names
    whose range is not checked (a fit's trial values per call, e.g. a drag scale searched by
    :func:`estimate_drag_scale`, may go negative on the way; the fit judges its result)."""
    for k, v in given.items():
        if k.startswith("sw_") and k not in used:
            raise InputError(f"propagation parameter '{k}' is not read by this force model (its space weather comes "
                             "from the package's table, gyrfalcon.time.sw_table); use NRLMSISE00(space_weather='params') "
                             "to give it, or leave it out")
        lo, closed = (-np.inf, True) if k in fitted else PARAM_RANGES.get(k, (-np.inf, True))
        try:
            a = np.asarray(v, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"propagation parameter '{k}' must be a number, got {v!r}") from None
        shown = float(a) if a.ndim == 0 else v
        if not np.all(np.isfinite(a)) or not np.all(a >= lo if closed else a > lo):
            raise InputError(f"propagation parameter '{k}' must be a finite number {'>=' if closed else '>'} {lo:g}, "
                             f"got {shown!r}")


def batch_lanes() -> int:
    """Lanes of heyoka's batch mode used here: ``max(8, heyoka.recommended_simd_size())``.

    heyoka recommends 4 on AVX2 and on some AVX-512 machines; 8 lanes (two vectors per operation)
    step the Monte Carlo rendezvous ~20 % faster there (bench/README.md "Monte Carlo").
    """
    from gyrfalcon._heyoka import heyoka as _heyoka
    hy = _heyoka()

    return max(8, int(hy.recommended_simd_size()))


# ------------------------------------------------------------------------------------------
# compiled integrators, cached per process
# ------------------------------------------------------------------------------------------
class _Recorder:
    """nt_event callback: remembers (time, direction, state) of each root."""

    def __init__(self):
        self.hits = []

    def __call__(self, ta, t, d_sign):
        self.hits.append((float(t), int(d_sign), np.array(ta.update_d_output(t), copy=True)))


@dataclass
class _Compiled:
    ta: Any
    param_index: dict
    param_default: dict
    uses_rotation: bool
    segment_providers: list
    n_events: int
    batch_size: int
    build_s: float
    has_events: bool = True
    lock: Any = field(default_factory=threading.Lock)

    @property
    def npar(self) -> int:
        """Length of the integrator's parameter vector (the leading ``npar`` of :attr:`param_index`)."""
        return int(np.shape(self.ta.pars)[0])


def _reentry_equation(b: Builder):
    """Approximate height above WGS-84 (pole = GCRF z) minus the floor parameter."""
    r = b.rnorm
    s2 = b.r[2] * b.r[2] / b.r2
    return r - WGS84_A_M * (1.0 - WGS84_F * s2) - b.par("floor_m", DEFAULT_FLOOR_M)


@functools.lru_cache(maxsize=32)
def _compile(model: ForceModel, tol: float, floor: bool, event_templates: tuple, batch_size: int,
             compact_mode: bool | None) -> _Compiled:
    import time as _time

    from gyrfalcon._heyoka import heyoka as _heyoka
    hy = _heyoka()

    t0 = _time.perf_counter()
    b = Builder()
    sys_ = model.equations(b)
    t_events, nt_events = [], []
    if floor:
        eq = _reentry_equation(b)
        if batch_size == 1:
            t_events.append(hy.t_event(eq, direction=hy.event_direction.negative))
        else:
            t_events.append(hy.t_event_batch(eq, direction=hy.event_direction.negative))
    for i, det in enumerate(event_templates):
        eq, direction = det.equation(b, i)
        d = {1: hy.event_direction.positive, -1: hy.event_direction.negative, 0: hy.event_direction.any}[direction]
        nt_events.append(hy.nt_event(eq, _Recorder(), direction=d))
    if compact_mode is None:
        from .forces import Drag, SphericalHarmonics

        # big expressions (harmonics, the thermoNET) take minutes to compile without compact
        # mode; the small ones (point mass, zonals, Earth orientation) step ~35% faster without
        compact_mode = any(isinstance(f, (SphericalHarmonics, Drag)) for f in model.forces)
    kwargs = dict(tol=tol, compact_mode=compact_mode, t_events=t_events, nt_events=nt_events)
    # heyoka sizes the parameter vector by the highest parameter the equations use (registered but
    # unused trailing ones, e.g. the epoch of a two-body model, are not in it): see _Compiled.npar
    if batch_size == 1:
        ta = hy.taylor_adaptive(sys_, [0.0] * 7, **kwargs)
    else:
        if nt_events:
            raise InputError("event detection is not available in batch mode; propagate one state at a time")
        ta = hy.taylor_adaptive_batch(sys_, np.zeros((7, batch_size)), **kwargs)
    return _Compiled(ta, dict(b.param_index), dict(b.param_default), b.uses_rotation, list(b.segment_providers),
                     len(nt_events), batch_size,
                     _time.perf_counter() - t0, bool(t_events or nt_events))


def _outcome_event(outcome) -> int | None:
    """Index of the terminal event that stopped the integration, or None."""
    v = int(outcome)
    if -4294967296 < v < 0:
        return -v - 1
    return None




@functools.lru_cache(maxsize=1)
def _good_outcomes():
    from gyrfalcon._heyoka import heyoka as _heyoka
    hy = _heyoka()

    return {int(hy.taylor_outcome.time_limit), int(hy.taylor_outcome.success)}


# ------------------------------------------------------------------------------------------
# data tables: dates the propagator may use
# ------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _table_spans():
    from ..time import eop_table, sw_table

    eop = eop_table()["mjd"]
    sw = sw_table()["mjd"]
    return (float(eop[0]), float(eop[-1])), (float(sw[0]), float(sw[-1]))


def _check_dates(model: ForceModel, uses_rotation: bool, t0, span_s: float):
    from .forces import NRLMSISE00, Drag

    if not uses_rotation and not model.has_drag:
        return
    mjd0 = float(t0.tt - 2400000.5)
    lo_t, hi_t = sorted([mjd0, mjd0 + span_s / 86400.0])
    (e0, e1), (s0, s1) = _table_spans()
    need_sw = any(isinstance(f, Drag) and isinstance(f.atmosphere, NRLMSISE00) and f.atmosphere.f107 is None
                  and getattr(f.atmosphere, "space_weather", "table") == "table"
                  for f in model.forces)
    lo, hi, what = (max(e0, s0 + 82), min(e1, s1), "Earth orientation and space weather") if need_sw \
        else (e0, e1, "Earth orientation")
    if lo_t < lo or hi_t > hi:
        from ..time import iso_utc, timescale

        ts = timescale()
        a, z = ts.utc(1858, 11, 17.0 + lo), ts.utc(1858, 11, 17.0 + hi)       # the tables' MJDs are UTC days
        raise EphemerisRangeError(
            f"the {what} tables (heyoka's, extended by a year: gyrfalcon.time.eop_table) cover "
            f"{iso_utc(a, 0)} to {iso_utc(z, 0)}; the propagation needs "
            f"{iso_utc(ts.tt_jd(lo_t + 2400000.5), 0)} to {iso_utc(ts.tt_jd(hi_t + 2400000.5), 0)}. "
            "Use dates inside that span, or a model without Earth-fixed terms (e.g. 'two-body' or a "
            "ZonalHarmonics(axis='gcrf_z'))."
        )


# ------------------------------------------------------------------------------------------
# results
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class BatchEphemeris:
    """Trajectories of many objects on one relative time grid (GCRF).

    Attributes: ``epochs`` (list of skyfield ``Time``, one per object), ``t_s`` (N,) TT
    seconds since each object's epoch, ``r_m`` (K, N, 3), ``v_mps`` (K, N, 3), ``mass_kg``
    (K, N) or None.
    """

    epochs: list
    t_s: np.ndarray
    r_m: np.ndarray
    v_mps: np.ndarray
    mass_kg: np.ndarray | None = None
    meta: dict = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.epochs)

    def ephemeris(self, i: int) -> Ephemeris:
        """Object ``i`` as an :class:`~gyrfalcon.orbits.ephemeris.Ephemeris`."""
        return Ephemeris(self.epochs[i], self.t_s, self.r_m[i], self.v_mps[i], "GCRF", f"object {i}",
                         (0,), None if self.mass_kg is None else self.mass_kg[i], dict(self.meta))

    def final_states(self) -> list:
        """The last sample of each object as a :class:`State`."""
        from ..time import add_seconds

        return [State(add_seconds(e, self.t_s[-1]), self.r_m[i, -1], self.v_mps[i, -1], "GCRF",
                      None if self.mass_kg is None else float(self.mass_kg[i, -1]))
                for i, e in enumerate(self.epochs)]


@dataclass
class _Run:
    """Samples gathered as blocks of arrays (cheap to extend, concatenated once)."""

    t_blocks: list = field(default_factory=list)
    y_blocks: list = field(default_factory=list)
    n: int = 0
    seg_starts: list = field(default_factory=lambda: [0])
    hits: list = field(default_factory=list)
    dense: list = field(default_factory=list)
    burns: list = field(default_factory=list)

    def add(self, t, y):
        t = np.atleast_1d(np.asarray(t, dtype=float))
        if len(t):
            self.t_blocks.append(t)
            self.y_blocks.append(np.array(np.atleast_2d(y)[:len(t)], dtype=float, copy=True))
            self.n += len(t)

    @property
    def last_t(self) -> float:
        return float(self.t_blocks[-1][-1])

    @property
    def last_y(self) -> np.ndarray:
        return self.y_blocks[-1][-1]

    def arrays(self):
        return np.concatenate(self.t_blocks), np.concatenate(self.y_blocks)


# ------------------------------------------------------------------------------------------
# the propagator
# ------------------------------------------------------------------------------------------
class Propagator:
    """Numerical propagator for one :class:`~gyrfalcon.orbits.forces.ForceModel`.

    Parameters
    ----------
    force_model : ForceModel or str
        A model or a preset name (``two-body``, ``j2``, ``zonal``, ``full``).
    tol : float
        heyoka tolerance (relative and absolute, on the state's scale).
    floor_m : float or None
        Reentry floor [m] for :class:`~gyrfalcon.errors.ReentryError`; None = no check.
    params : dict
        Default runtime parameters: ``drag_cd``, ``drag_area_m2`` [m^2], ``drag_scale``
        (multiplies the density). Overridable per call.
    rotation_segment_s : float
        Longest span of one precession-nutation quadratic (see :mod:`.forces`).
    compact_mode : bool or None
        heyoka's compact mode; None = on for models with spherical harmonics or drag (their
        builds take minutes otherwise), off for the small ones (their steps are ~35% faster).
    """

    def __init__(self, force_model="j2", *, tol: float = DEFAULT_TOL, floor_m: float | None = DEFAULT_FLOOR_M,
                 params: dict | None = None, rotation_segment_s: float = ROTATION_SEGMENT_S,
                 compact_mode: bool | None = None):
        self.model = ForceModel.coerce(force_model)
        if not (0 < float(tol) < 1e-3):
            raise InputError(f"tol must be in (0, 1e-3), got {tol}; 1e-13 is a good default")
        self.tol = float(tol)
        if floor_m is not None and not (math.isfinite(float(floor_m)) and float(floor_m) > -WGS84_A_M / 2):
            raise InputError(f"floor_m must be a height in metres (e.g. 100e3) or None, got {floor_m}")
        self.floor_m = None if floor_m is None else float(floor_m)
        self.params = dict(params or {})
        self._check_param_names(self.params)
        if not (60.0 <= float(rotation_segment_s) <= 86400.0):
            raise InputError(f"rotation_segment_s must be within 60..86400 s, got {rotation_segment_s}")
        self.rotation_segment_s = float(rotation_segment_s)
        self.compact_mode = compact_mode

    def __repr__(self) -> str:
        return f"Propagator({self.model.describe()!r}, tol={self.tol:g}, floor_m={self.floor_m})"

    # -- building ----------------------------------------------------------------------------
    def compiled(self, events=(), thrust: bool = False, batch_size: int = 1) -> _Compiled:
        """The cached compiled integrator for this model (plus thrust / events / batch)."""
        model = self.model.with_thrust() if thrust else self.model
        templates = tuple(e.template() for e in events)
        return _compile(model, self.tol, self.floor_m is not None, templates, int(batch_size), self.compact_mode)

    @staticmethod
    def _check_param_names(params):
        for k in params:
            if k not in PUBLIC_PARAMS:
                raise InputError(f"unknown propagation parameter '{k}'; use {', '.join(PUBLIC_PARAMS)}")

    def _param_values(self, comp: _Compiled, params, epoch_jc, n=None) -> np.ndarray:
        values = dict(comp.param_default)
        values.update(self.model.param_defaults())
        values.update(self.params)
        if params:
            self._check_param_names(params)
            values.update(params)
        _check_param_values(self.params, comp.param_index)
        _check_param_values(params or {}, comp.param_index, fitted=("drag_scale",))
        self._check_drag_area(params)
        if self.floor_m is not None:
            values["floor_m"] = self.floor_m
        values["epoch_tt_jc"] = epoch_jc
        idx = comp.param_index
        if n is None:
            out = np.zeros(len(idx))
            for k, i in idx.items():
                out[i] = float(values.get(k, 0.0))
            return out
        out = np.zeros((len(idx), n))
        for k, i in idx.items():
            out[i] = np.broadcast_to(np.asarray(values.get(k, 0.0), dtype=float), (n,))
        return out

    def _check_drag_area(self, params):
        if self.model.has_drag and "drag_area_m2" not in {**self.model.param_defaults(), **self.params, **(params or {})}:
            raise InputError(
                "this force model has drag but no cross-section area: pass params={'drag_area_m2': A, "
                "'drag_cd': Cd} (e.g. the ISS OEM gives A = 1526.6 m^2, Cd = 1.4) or Drag(area_m2=...)"
            )

    # -- inputs -----------------------------------------------------------------------------
    @staticmethod
    def _gcrf(state: State) -> State:
        if not isinstance(state, State):
            raise InputError(f"expected a gyrfalcon State, got {type(state).__name__}")
        return state if state.frame == "GCRF" else state.to("GCRF")

    def _check_orbit(self, s: State):
        self._check_orbits(s.r_m[None, :], s.v_mps[None, :], [s])

    def _check_orbits(self, R, V, states):
        """Refuse escape states and perigees below the surface; apply the reentry floor (vectorised)."""
        mu = 3.986004418e14
        rn = np.sqrt(np.einsum("ij,ij->i", R, R))
        if not (np.all(np.isfinite(R)) and np.all(np.isfinite(V))):
            raise ImpossibleOrbitError("the initial state has a non-finite position or velocity; give r_m [m] and "
                                       "v_mps [m/s] as finite numbers")
        if np.any(rn < WGS84_A_M * (1.0 - WGS84_F)):
            raise ImpossibleOrbitError(f"the initial position is {float(np.min(rn)):.0f} m from the Earth's centre, inside "
                                       "the Earth; give r_m in metres from the centre (the ISS: about 6.8e6 m)")
        vv = np.einsum("ij,ij->i", V, V)
        h = np.stack([R[:, 1] * V[:, 2] - R[:, 2] * V[:, 1], R[:, 2] * V[:, 0] - R[:, 0] * V[:, 2],
                      R[:, 0] * V[:, 1] - R[:, 1] * V[:, 0]], axis=1)
        h2 = np.einsum("ij,ij->i", h, h)
        rv = np.einsum("ij,ij->i", R, V)
        e_vec = ((vv - mu / rn)[:, None] * R - rv[:, None] * V) / mu
        e = np.sqrt(np.einsum("ij,ij->i", e_vec, e_vec))
        bad = (0.5 * vv - mu / rn >= 0.0) | (e >= 1.0) | (h2 / mu / (1.0 + e) < WGS84_A_M)
        if np.any(bad):
            from .elements import KeplerianElements

            st = states[int(np.nonzero(bad)[0][0])]
            KeplerianElements.from_state(st)  # raises ImpossibleOrbitError with the explanation
            raise ImpossibleOrbitError(
                "the initial state is not a closed orbit clearing the Earth (perigee below the surface or escape); "
                "check its units (metres, m/s) and frame"
            )
        if self.floor_m is not None:
            hgt = rn - WGS84_A_M * (1.0 - WGS84_F * (R[:, 2] / rn) ** 2)
            if np.any(hgt < self.floor_m):
                from ..time import iso_utc

                j = int(np.argmin(hgt))
                err = ReentryError(
                    f"the initial state at {iso_utc(states[j].t)} is at about {hgt[j] / 1e3:.1f} km, below the "
                    f"reentry floor {self.floor_m / 1e3:g} km; pass floor_m lower (or None) to propagate it"
                )
                err.t, err.floor_m = states[j].t, self.floor_m
                raise err

    @staticmethod
    def _seconds(state: State, until) -> float:
        from ..time import parse_utc, seconds_between

        if isinstance(until, (int, float, np.floating, np.integer)) and not isinstance(until, bool):
            out = float(until)
        else:
            out = float(seconds_between(state.t, parse_utc(until)))
        if not math.isfinite(out):
            raise InputError(f"end time must be finite, got {until!r}")
        return out

    def _mass(self, s: State, need: bool) -> float:
        if s.mass_kg is None:
            if need:
                raise InputError(
                    "this propagation needs the spacecraft mass (drag, finite burns or Isp): "
                    "give the State a mass_kg (e.g. state.with_mass(7152.0))"
                )
            return 0.0
        m = float(s.mass_kg)
        if not (m > 0 and math.isfinite(m)):
            raise InputError(f"mass_kg must be positive, got {s.mass_kg}")
        return m

    # -- core loop --------------------------------------------------------------------------
    def _run(self, s: State, T: float, step_s: float | None, maneuvers=(), events=(), params=None,
             dense: bool = False, grid_extra=()) -> _Run:
        """Propagate ``s`` by ``T`` seconds through segments between breakpoints (burns, thrust
        on/off, the time-polynomial spans of the Earth orientation and the Sun and Moon), sampling
        ``step_s`` (and ``grid_extra``) or, with ``dense``, keeping heyoka's dense output."""
        imp, fin = self._maneuver_spans(s, T, maneuvers)
        need_mass = self.model.has_drag or bool(fin) or any(mv.isp_s is not None for _, mv in imp)
        m0 = self._mass(s, need_mass)
        self._check_drag_area(params)
        _check_dates(self.model, _needs_earth_orientation(self.model, events), s.t, T)
        comp = self.compiled(events, thrust=bool(fin))
        pars = self._param_values(comp, params, tt_jc(s.t))
        for i_ev, ev in enumerate(events):
            for k, v in ev.param_values(i_ev).items():
                pars[comp.param_index[k]] = v
        sign = 1.0 if T >= 0 else -1.0
        bps = self._breakpoints(T, imp, fin, bool(comp.segment_providers))
        grid = np.array([], dtype=float)
        if step_s is not None:
            n = int(math.floor(abs(T) / step_s + 1e-9))
            grid = sign * step_s * np.arange(0, n + 1)
        grid = np.concatenate([grid, np.asarray(grid_extra, dtype=float)])

        run = _Run()
        with comp.lock:
            ta = comp.ta
            ta.time = 0.0
            ta.state[:] = np.concatenate([s.r_m, s.v_mps, [m0]])
            ta.pars[:] = pars[:comp.npar]
            if comp.has_events:  # heyoka refuses without events
                ta.reset_cooldowns()
            for i in range(comp.n_events):
                ta.nt_events[i].callback.hits.clear()
            run.add(0.0, np.array(ta.state))
            imp_iter = list(imp)
            for a, b in zip(bps[:-1], bps[1:]):
                self._apply_impulses(ta, imp_iter, a, s.t, run)
                self._segment_params(comp, pars, fin, a, b)
                inner = grid[(sign * grid > sign * a + _MERGE_S) & (sign * grid < sign * b - _MERGE_S)]
                inner = np.sort(inner)[::int(sign)] if len(inner) else inner
                outcome, stop, out_done = self._segment(ta, a, b, inner, dense, sign, run)
                self._check_outcome(comp, outcome, stop, s, T, run)
                if dense or not out_done:
                    run.add(b, np.array(ta.state))
            self._collect_hits(comp, run)
        return run

    def _maneuver_spans(self, s, T, maneuvers):
        """(impulsive burns as (t, burn), finite burns as (start, end, burn)) inside the span, in
        time order, seconds after ``s``; refused: other objects, burns backwards, overlaps."""
        imp, fin = [], []
        for mv in maneuvers:
            if isinstance(mv, ImpulsiveBurn):
                imp.append((self._seconds(s, mv.t), mv))
            elif isinstance(mv, FiniteBurn):
                a = self._seconds(s, mv.t_start)
                fin.append((a, a + float(mv.duration_s), mv))
            else:
                raise InputError(f"manoeuvres must be ImpulsiveBurn or FiniteBurn, got {type(mv).__name__}")
        if T < 0 and (imp or fin):
            raise InputError("manoeuvres are only supported in forward propagation; propagate forward from an earlier state")
        imp = sorted([(t, mv) for t, mv in imp if 0.0 <= t < T], key=lambda p: p[0])
        fin = sorted([(a, b, mv) for a, b, mv in fin if b > 0.0 and a < T], key=lambda p: p[0])
        for (a0, b0, m0), (a1, b1, m1) in zip(fin[:-1], fin[1:]):
            if a1 < b0 - _MERGE_S:
                raise InputError(f"finite burns '{m0.name}' and '{m1.name}' overlap; give them disjoint time spans")
        return imp, fin

    def _breakpoints(self, T, imp, fin, rotating: bool) -> np.ndarray:
        """Segment boundaries from 0 to ``T``: burns, thrust on/off and, for models with time
        polynomials, every :attr:`rotation_segment_s`; points closer than 1 us merged."""
        sign = 1.0 if T >= 0 else -1.0
        bps = {0.0, T}
        bps.update(t for t, _ in imp)
        for a, b, _ in fin:
            bps.update(x for x in (a, b) if 0.0 < x < T)
        if rotating:
            n_rot = int(math.floor(abs(T) / self.rotation_segment_s))
            bps.update(sign * k * self.rotation_segment_s for k in range(1, n_rot + 1))
        bps = np.array(sorted(bps, reverse=(sign < 0)))
        keep = [0]
        for i in range(1, len(bps)):
            if abs(bps[i] - bps[keep[-1]]) > _MERGE_S:
                keep.append(i)
        bps = bps[keep]
        if abs(bps[-1] - T) > _MERGE_S:
            bps = np.append(bps, T)
        bps[-1] = T
        return bps

    @staticmethod
    def _apply_impulses(ta, imp_iter, a, t0, run) -> None:
        """The impulsive burns at ``a`` (consumed from ``imp_iter``): dv added, mass by the rocket
        equation when the burn has an Isp, a segment break and the burn recorded."""
        from ..time import add_seconds

        while imp_iter and abs(imp_iter[0][0] - a) <= _MERGE_S:
            _, mv = imp_iter.pop(0)
            y = np.array(ta.state, copy=True)
            dv = mv.dv_gcrf(y[0:3], y[3:6])
            y[3:6] += dv
            if mv.isp_s is not None:
                y[6] = mv.mass_after(y[6])
            ta.state[:] = y
            run.seg_starts.append(run.n)
            run.add(a, y)
            run.burns.append({"name": mv.name, "t": add_seconds(t0, a), "t_s": float(a),
                              "dv_gcrf_mps": dv.tolist(), "mass_after_kg": float(y[6])})

    @staticmethod
    def _segment_params(comp, pars, fin, a, b) -> None:
        """Thrust on/off for the segment [a, b], and its time polynomials (Earth orientation, Sun, Moon)."""
        ta = comp.ta
        if fin:
            on = [mv for fa, fb, mv in fin if fa - _MERGE_S <= a and b <= fb + _MERGE_S]
            p = on[0].params() if on else {"thrust_on": 0.0}
            for k, v in p.items():
                ta.pars[comp.param_index[k]] = v
        for prov in comp.segment_providers:
            for k, v in prov.segment_params(pars[0], a, b - a).items():
                ta.pars[comp.param_index[k]] = float(v[0])

    @staticmethod
    def _segment(ta, a, b, inner, dense, sign, run):
        """Propagate one segment to ``b``: (heyoka outcome, time reached, whether the samples to ``b``
        are all in ``run``)."""
        if dense:
            res = ta.propagate_until(float(b), c_output=True)
            outcome, cout = res[0], res[4]
            stop = float(ta.time)
            if cout is not None:
                run.dense.append((float(a), stop, cout))
            pts = inner[sign * inner <= sign * stop] if len(inner) else inner
            if len(pts) and cout is not None:
                run.add(pts, np.atleast_2d(cout(pts)))
            return outcome, stop, False
        g = np.concatenate([[a], inner, [b]])
        res = ta.propagate_grid(g)
        out = np.asarray(res[-1])
        if len(out) == len(g):
            run.add(g[1:], out[1:])  # the inner points and b
            return res[0], float(ta.time), True
        run.add(g[1:len(out)], out[1:])
        return res[0], float(ta.time), False

    def _check_outcome(self, comp, outcome, stop, s, T, run) -> None:
        """The reentry floor (the only terminal event) raises :class:`ReentryError` with the run so
        far; any other stop short of the segment's end raises :class:`PropagationError`."""
        from ..time import add_seconds, iso_utc

        if _outcome_event(outcome) is not None:
            run.add(stop, np.array(comp.ta.state))
            self._collect_hits(comp, run)
            err = ReentryError(
                f"the trajectory falls below {self.floor_m / 1e3:g} km altitude at {iso_utc(add_seconds(s.t, stop))} "
                f"({stop / 3600:.3f} h after the start, before the requested end "
                f"{iso_utc(add_seconds(s.t, T))}); pass floor_m lower (or None) to continue"
            )
            err.t, err.floor_m = add_seconds(s.t, stop), self.floor_m
            err.t_s = stop
            err.run = run
            raise err
        if int(outcome) not in _good_outcomes():
            raise PropagationError(
                f"heyoka stopped at t = {stop:.3f} s with outcome {outcome} (non-finite state?); "
                "check the initial state and the force-model parameters"
            )

    @staticmethod
    def _collect_hits(comp, run):
        ta = comp.ta
        for i in range(comp.n_events):
            cb = ta.nt_events[i].callback
            run.hits.extend((i, t, d, y) for t, d, y in cb.hits)
            cb.hits.clear()

    # -- public API -------------------------------------------------------------------------
    def propagate(self, state: State, until, step_s: float = 60.0, maneuvers=(), *, events=(),
                  params: dict | None = None) -> Ephemeris:
        """Propagate ``state`` to ``until`` (a ``Time``/ISO string, or seconds after the state).

        Returns a GCRF :class:`~gyrfalcon.orbits.ephemeris.Ephemeris` sampled every ``step_s``
        seconds from the start plus the exact end time, with a segment break (two samples at
        the same instant) at each impulsive burn. ``events`` (from :mod:`.events`) are found
        on the way and listed in ``meta["events"]``; ``meta["maneuvers"]`` lists the burns
        applied (GCRF dv, mass after).
        """
        s = self._gcrf(state)
        T = self._seconds(s, until)
        if isinstance(step_s, bool) or not (isinstance(step_s, (int, float, np.integer, np.floating))
                                            and step_s > 0 and math.isfinite(step_s)):
            raise InputError(f"step_s must be a positive number of seconds, got {step_s!r}")
        if abs(T) < 1e-6:
            raise InputError("the end time equals the start time; give a later (or earlier) end")
        self._check_orbit(s)
        heyoka_events, dense_events = _split_events(events)
        run = self._run(s, T, float(step_s), maneuvers, heyoka_events, params, dense=bool(dense_events))
        eph = self._ephemeris(s, run)
        eph.meta["events"] = self._events(s, run, heyoka_events, dense_events, eph)
        return eph

    def find_events(self, state: State, until, detectors, maneuvers=(), *, params: dict | None = None) -> list:
        """Propagate without sampling and return the :class:`~gyrfalcon.orbits.events.Event` list
        of ``detectors`` (from :mod:`gyrfalcon.orbits.events`), sorted by time."""
        s = self._gcrf(state)
        T = self._seconds(s, until)
        if abs(T) < 1e-6:
            raise InputError("the end time equals the start time; give a later (or earlier) end")
        self._check_orbit(s)
        heyoka_events, dense_events = _split_events(detectors)
        run = self._run(s, T, None, maneuvers, heyoka_events, params, dense=bool(dense_events))
        return self._events(s, run, heyoka_events, dense_events, None)

    def propagate_to(self, state: State, t, maneuvers=(), *, params: dict | None = None) -> State:
        """The GCRF state at ``t`` (a ``Time``/ISO string, or seconds after ``state``)."""
        from ..time import add_seconds

        s = self._gcrf(state)
        T = self._seconds(s, t)
        if abs(T) < 1e-9:
            return s
        self._check_orbit(s)
        run = self._run(s, T, None, maneuvers, (), params)
        y = run.last_y
        return State(add_seconds(s.t, run.last_t), y[0:3], y[3:6], "GCRF",
                     None if s.mass_kg is None else float(y[6]))

    def propagate_batch(self, states, until, step_s: float = 60.0, *, params: dict | None = None) -> BatchEphemeris:
        """Propagate many states together in heyoka's batch (SIMD) mode.

        ``until``: seconds after each state's own epoch, or a ``Time`` (then all states must
        share one epoch). ``params`` values may be scalars or one value per state (e.g. a
        per-sample ``drag_scale`` for Monte Carlo). No manoeuvres or events here.
        """
        states = [self._gcrf(st) for st in states]
        if not states:
            raise InputError("propagate_batch needs at least one state")
        K = len(states)
        if isinstance(until, (int, float, np.floating, np.integer)):
            T = float(until)
        else:
            Ts = [self._seconds(st, until) for st in states]
            if max(Ts) - min(Ts) > 1e-6:
                raise InputError(
                    "states have different epochs: give `until` as seconds after each state's epoch instead of a time"
                )
            T = Ts[0]
        if abs(T) < 1e-6 or not (step_s > 0):
            raise InputError("propagate_batch needs a non-zero span and a positive step_s")
        R = np.array([st.r_m for st in states])
        V = np.array([st.v_mps for st in states])
        self._check_orbits(R, V, states)
        need_mass = self.model.has_drag
        masses = np.array([self._mass(st, need_mass) for st in states])
        B = batch_lanes()
        self._check_drag_area(params)
        whole = np.array([st.t.whole for st in states], dtype=float)
        frac = np.array([st.t.tt_fraction for st in states], dtype=float)
        epochs_jc = ((whole - J2000_JD_TT) + frac) / DAYS_PER_JULIAN_CENTURY
        for j in {int(np.argmin(epochs_jc)), int(np.argmax(epochs_jc))}:
            _check_dates(self.model, _needs_earth_orientation(self.model, ()), states[j].t, T)
        comp = self.compiled((), batch_size=B)
        sign = 1.0 if T >= 0 else -1.0
        n = int(math.floor(abs(T) / step_s + 1e-9))
        grid = sign * step_s * np.arange(0, n + 1)
        if abs(grid[-1] - T) > _MERGE_S:
            grid = np.append(grid, T)
        bps = [0.0]
        if comp.segment_providers:
            bps += [sign * k * self.rotation_segment_s for k in range(1, int(abs(T) // self.rotation_segment_s) + 1)]
        if abs(bps[-1] - T) > _MERGE_S:
            bps.append(T)
        bps[-1] = T
        Y = np.empty((K, len(grid), 7))
        y0 = np.array([np.concatenate([st.r_m, st.v_mps, [m]]) for st, m in zip(states, masses)])
        base = self._param_values(comp, params, epochs_jc, n=K)
        # parameter matrices of every segment, for all objects at once (one evaluation per distinct epoch)
        uniq, inv = np.unique(epochs_jc, return_inverse=True)
        seg_pars = []
        for a, b in zip(bps[:-1], bps[1:]):
            P = base.copy()
            for prov in comp.segment_providers:
                nu = len(uniq)
                for k, v in prov.segment_params(uniq, np.full(nu, a), np.full(nu, b - a)).items():
                    P[comp.param_index[k]] = np.asarray(v)[inv]
            sel = np.nonzero((sign * grid > sign * a + _MERGE_S) & (sign * grid <= sign * b + _MERGE_S))[0]
            g = np.concatenate([[a], grid[sel]])
            if abs(g[-1] - b) > _MERGE_S:
                g = np.append(g, b)
            seg_pars.append((P, sel, np.ascontiguousarray(np.repeat(g[:, None], B, axis=1))))
        good = _good_outcomes()
        with comp.lock:
            ta = comp.ta
            zeros = np.zeros(B)
            for c0 in range(0, K, B):
                nb = min(B, K - c0)
                idx = np.arange(c0, c0 + B).clip(max=K - 1)
                ta.set_time(zeros)
                ta.state[:] = y0[idx].T
                if comp.has_events:  # heyoka refuses without events
                    ta.reset_cooldowns()
                Y[c0:c0 + nb, 0] = y0[c0:c0 + nb]
                for P, sel, g in seg_pars:
                    ta.pars[:] = P[:comp.npar, idx]
                    res = ta.propagate_grid(g)
                    outcomes = [o[0] for o in ta.propagate_res]
                    bad = [j for j, o in enumerate(outcomes) if int(o) not in good]
                    if bad:
                        j = bad[0]
                        if _outcome_event(outcomes[j]) is not None:
                            raise ReentryError(
                                f"object {int(idx[j])} falls below {self.floor_m / 1e3:g} km before the end of the "
                                "batch propagation; propagate it alone to see when, or pass floor_m lower"
                            )
                        raise PropagationError(f"heyoka stopped object {int(idx[j])} with outcome {outcomes[j]}")
                    out = np.asarray(res[-1])
                    Y[c0:c0 + nb, sel] = np.transpose(out[1:1 + len(sel)], (2, 0, 1))[:nb]
        return BatchEphemeris([st.t for st in states], grid, Y[:, :, 0:3], Y[:, :, 3:6],
                              Y[:, :, 6] if need_mass or all(st.mass_kg is not None for st in states) else None,
                              {"force_model": self.model.describe()})

    # -- outputs ----------------------------------------------------------------------------
    def _ephemeris(self, s: State, run: _Run) -> Ephemeris:
        t, y = run.arrays()
        # drop repeated instants that are not segment breaks (a grid point on a breakpoint)
        dup = np.zeros(len(t), dtype=bool)
        dup[1:] = np.abs(np.diff(t)) <= _MERGE_S
        starts = np.asarray(run.seg_starts, dtype=int)
        dup[starts] = False
        keep = ~dup
        new_index = np.cumsum(keep) - 1
        seg = sorted({int(new_index[i]) for i in starts})
        t, y = t[keep], y[keep]
        if t[-1] < t[0]:  # backward: store increasing
            t, y = t[::-1], y[::-1]
            seg = [0]
        meta = {"force_model": self.model.name, "maneuvers": run.burns}
        name = str(s.meta.get("name", "object")) if s.meta else "object"
        return Ephemeris(s.t, t, y[:, 0:3], y[:, 3:6], "GCRF", name, tuple(seg),
                         None if s.mass_kg is None else y[:, 6], meta)

    def _events(self, s: State, run: _Run, heyoka_events, dense_events, eph):
        from ..time import add_seconds
        from .events import Event, range_events

        out = []
        for i, t, d, y in run.hits:
            det = heyoka_events[i]
            if not det.accepts(d):
                continue
            st = State(add_seconds(s.t, t), y[0:3], y[3:6], "GCRF", None if s.mass_kg is None else float(y[6]))
            out.append(Event(det.label(d), st.t, st, t))
        for det in dense_events:
            out.extend(range_events(det, s, run.dense))
        out.sort(key=lambda e: e.t_s)
        return out


def _needs_earth_orientation(model: ForceModel, events) -> bool:
    """Whether the model or the events use the Earth-orientation tables (before compiling)."""
    from .forces import Drag, SphericalHarmonics, ZonalHarmonics

    for f in model.forces:
        if isinstance(f, (Drag, SphericalHarmonics)) or (isinstance(f, ZonalHarmonics) and f.axis == "true_pole"):
            return True
    return any(getattr(e, "equator", None) == "true_of_date" or e.__class__.__name__ == "AltitudeCrossing"
               for e in events)


def _split_events(events):
    heyoka_events, dense_events = [], []
    for e in events:
        if getattr(e, "dense", False):
            dense_events.append(e)
        elif hasattr(e, "equation"):
            heyoka_events.append(e)
        else:
            raise InputError(f"unknown event detector {e!r}; use the detectors in gyrfalcon.orbits.events")
    return tuple(heyoka_events), tuple(dense_events)


# ------------------------------------------------------------------------------------------
# drag scale from a reference trajectory
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DragFit:
    """Result of :func:`estimate_drag_scale`: the density scale factor ``drag_scale``, the RMS
    position residual ``rms_m`` [m] over ``n_points`` reference samples spanning ``span_s``."""

    drag_scale: float
    rms_m: float
    n_points: int
    span_s: float
    iterations: int


def estimate_drag_scale(propagator: Propagator, state: State, reference: Ephemeris, span_s: float, *,
                        initial: float = 1.0, params: dict | None = None, max_iter: int = 6) -> DragFit:
    """Least-squares drag scale factor that best fits ``reference`` (GCRF samples) over
    ``[state.t, state.t + span_s]``, starting from ``state`` (Gauss-Newton on one unknown,
    finite-difference Jacobian; each iteration costs two propagations of ``span_s``).

    The scale multiplies the density (``drag_scale`` runtime parameter), so it absorbs any
    constant error of the atmosphere model, Cd and area alike.
    """
    from ..time import seconds_between

    if not propagator.model.has_drag:
        raise InputError("estimate_drag_scale needs a force model with Drag")
    if reference.frame != "GCRF":
        raise InputError(f"the reference ephemeris is in {reference.frame}; give it in GCRF")
    s = propagator._gcrf(state)
    off = float(seconds_between(reference.epoch, s.t))
    t_ref = reference.t_s - off
    sel = (t_ref > 0.0) & (t_ref <= float(span_s) + 1e-6)
    if np.count_nonzero(sel) < 3:
        raise InputError("the reference has fewer than 3 samples in the fit span; give a longer span_s")
    t_i = t_ref[sel]
    r_ref = reference.r_m[sel]
    base = dict(params or {})

    def residual(k):
        eph = propagator.propagate(s, float(t_i[-1]), step_s=60.0, params={**base, "drag_scale": k})
        return (eph.interpolate(t_i)[0] - r_ref).reshape(-1)

    k = float(initial)
    dk = 0.05
    it = 0
    for it in range(1, max_iter + 1):
        r0 = residual(k)
        J = (residual(k + dk) - r0) / dk
        step = -float(J @ r0) / float(J @ J)
        k += step
        if abs(step) < 1e-4:
            break
    res = residual(k)
    return DragFit(k, float(np.sqrt(np.mean(res.reshape(-1, 3) ** 2) * 3)), int(len(t_i)), float(t_i[-1]), it)
