"""Rendezvous schemes as data: two-orbit, four-orbit and two-day profiles of Soyuz / Progress.

A :class:`Scheme` lists its burns as (orbit number, argument of latitude) slots, the last one
being the braking burn at the *aim point* where the automated approach begins, and the range
of *catch-up angle* it accepts. The burn profiles live in ``rendezvous/data/schemes.toml``; the
catch-up (phase) windows are read from the launch-window catalogue, ``launch/data/schemes.toml``,
so that the window search and the planner never disagree. Sources are given with the
sources and the reasoning behind each figure.

Conventions and assumptions:

* Orbit 1 starts at insertion; each ascending-node crossing starts the next orbit (Russian
  count). The argument of latitude is measured from the ascending node on the GCRF equator.
* Catch-up angle: how far the station is *ahead* of the spacecraft at insertion, measured in
  the station's orbit plane, plus whole turns where a scheme catches up more than a turn
  (two-day). A phase of 300 deg ahead is a catch-up of 300 deg (two-day), a phase of 20 deg is
  accepted as 20 deg (four-orbit) or 380 deg (two-day).
* :func:`choose_scheme` takes the preferred (fastest) scheme whose range holds the phase and
  says why the faster ones were refused.

>>> s = get_scheme("two-orbit")
>>> [b.name for b in s.burns], s.orbits
(['DV1', 'DV2', 'DV3', 'braking'], 2)
>>> choice = choose_scheme(math.radians(25.0))
>>> choice.scheme.name
'four-orbit'
>>> print(choice.reason)
station 25.0 deg ahead at insertion: outside the two-orbit range 10-18 deg; four-orbit accepts 18-40 deg
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from importlib import resources

import numpy as np

from ..errors import InputError
from ..ids import norm_id


class UnknownSchemeError(InputError):
    """A rendezvous scheme name that Gyrfalcon does not know."""


class NoSchemeError(InputError):
    """No rendezvous scheme accepts the phase at insertion (the launch time is outside every window)."""


class SchemeMismatchError(NoSchemeError):
    """The scheme asked for does not accept the phase at insertion (only ``auto`` chooses another).

    As raised by :func:`choose_scheme` it also carries, for a caller that words the advice its own
    way (a scenario's keys): ``reason`` (the message up to the advice), ``asked`` (the scheme
    asked for) and ``fits`` (the schemes that accept the phase, fastest first; may be empty)."""

    reason: str = ""
    asked: str = ""
    fits: tuple = ()


@dataclass(frozen=True)
class BurnSlot:
    """One nominal burn of a scheme and where it falls, given one of three ways:

    * ``orbit`` and ``arglat_rad``: orbit number (1 = from insertion) and argument of latitude;
    * ``before_aim_rad``: that much argument of latitude before the aim point (a transfer burn
      placed relative to a time-defined aim);
    * ``after_insertion_s`` (aim slot only): a fixed time after insertion [s].
    """

    name: str
    orbit: int | None = None
    arglat_rad: float | None = None
    before_aim_rad: float | None = None
    after_insertion_s: float | None = None
    aim: bool = False

    def __post_init__(self):
        kinds = [self.orbit is not None and self.arglat_rad is not None,
                 self.before_aim_rad is not None, self.after_insertion_s is not None, bool(self.aim)]
        if sum(kinds) != 1 or (self.orbit is None) != (self.arglat_rad is None):
            raise InputError(
                f"burn slot {self.name}: give orbit and arglat_deg, or before_aim_deg, or "
                "after_insertion_s, or aim = true (exactly one of the four)"
            )

    @property
    def kind(self) -> str:
        """``arglat`` (orbit + arglat), ``before-aim``, ``time`` (a computed aim epoch) or ``aim``
        (the aim point, its epoch not yet computed: :meth:`Scheme.slots_for`)."""
        if self.aim:
            return "aim"
        if self.after_insertion_s is not None:
            return "time"
        return "before-aim" if self.before_aim_rad is not None else "arglat"

    def arglat_since_insertion_rad(self, insertion_arglat_rad: float) -> float:
        """Argument-of-latitude advance from insertion to this slot [rad] (orbit 1 starts at insertion).

        >>> round(math.degrees(BurnSlot("DV3", 2, math.radians(150)).arglat_since_insertion_rad(math.radians(84))), 6)
        426.0
        """
        if self.kind != "arglat":
            raise InputError(f"burn slot {self.name} is not given by orbit and argument of latitude")
        u_ins = float(insertion_arglat_rad) % (2 * math.pi)
        du = (self.orbit - 1) * 2 * math.pi + self.arglat_rad - u_ins
        if du <= 0:
            raise InputError(
                f"burn {self.name} (orbit {self.orbit}, arglat {math.degrees(self.arglat_rad):.1f} deg) "
                f"comes before insertion (arglat {math.degrees(u_ins):.1f} deg on orbit 1); put it later"
            )
        return du

    def describe(self) -> str:
        if self.kind == "arglat":
            return f"orbit {self.orbit}, arglat {math.degrees(self.arglat_rad):.1f} deg"
        if self.kind == "before-aim":
            return f"{math.degrees(self.before_aim_rad):.1f} deg of arglat before the aim point"
        if self.kind == "aim":
            return "the aim point (epoch computed by the planner's arrival rule)"
        return f"{self.after_insertion_s:.0f} s after insertion"


def _slot(b: dict) -> BurnSlot:
    return BurnSlot(
        b["name"],
        int(b["orbit"]) if "orbit" in b else None,
        math.radians(float(b["arglat_deg"])) if "arglat_deg" in b else None,
        math.radians(float(b["before_aim_deg"])) if "before_aim_deg" in b else None,
        float(b["after_insertion_s"]) if "after_insertion_s" in b else None,
        bool(b.get("aim", False)),
    )


@dataclass(frozen=True)
class Approach:
    """The aim point and the nominal approach that follows it (station LVLH, m, m/s, s)."""

    aim_rho_lvlh_m: tuple
    flyaround_start_rho_lvlh_m: tuple
    aim_to_flyaround_s: float
    planning_approach_s: float

    def aim_rho_dot_lvlh_mps(self, station_mean_motion_rad_s: float) -> np.ndarray:
        """Relative velocity after braking: the CW coast from the aim point to the flyaround start [m/s].

        >>> a = load_schemes().approach
        >>> v = a.aim_rho_dot_lvlh_mps(1.128e-3)
        >>> round(float(np.linalg.norm(v)), 2)     # closing at a few m/s (TMA-19: 1.7 m/s at 400 m)
        3.58
        """
        from .cw import two_point_velocity

        return two_point_velocity(station_mean_motion_rad_s, self.aim_rho_lvlh_m,
                                  self.flyaround_start_rho_lvlh_m, self.aim_to_flyaround_s)


@dataclass(frozen=True)
class Vehicle:
    """Main-engine figures (finite burns) and the drag figures of the arriving vehicle."""

    name: str
    main_engine_thrust_n: float
    main_engine_isp_s: float
    mass_at_insertion_kg: float
    drag_area_m2: float
    drag_cd: float


@dataclass(frozen=True)
class Scheme:
    """A rendezvous profile: burn slots (last = braking at the aim point) and accepted catch-up range."""

    name: str
    title: str
    preference: int
    orbits: int
    catch_up_min_rad: float
    catch_up_max_rad: float
    burns: tuple
    reference: str
    arrival: str = "revolutions"
    contact_revolutions: int = 2
    nominal_flight_s: float = 0.0

    @property
    def aim_slot(self) -> BurnSlot:
        """The braking burn at the aim point (the last slot).

        For the two-day scheme (arrival on a given revolution) it is returned as a ``time`` slot
        at the scheme's *published nominal* flight time (:attr:`nominal_flight_s`, from the
        launch catalogue's duration of Soyuz MS-01), which is only good for choosing the launch
        plane's J2 bias (:func:`~gyrfalcon.rendezvous.plan.recommended_plane_normal`); the
        planner computes the real aim epoch per flight (:mod:`~gyrfalcon.rendezvous.arrival`).
        """
        last = self.burns[-1]
        if self.arrival != "revolutions":
            return BurnSlot(last.name, after_insertion_s=self.nominal_flight_s)
        return last

    def slots_for(self, aim_after_insertion_s: float) -> tuple:
        """The burn slots with the aim point at ``aim_after_insertion_s`` [s after insertion]."""
        last = BurnSlot(self.burns[-1].name, after_insertion_s=float(aim_after_insertion_s))
        return tuple(self.burns[:-1]) + (last,)

    def catch_up_rad(self, phase_rad: float) -> float | None:
        """The catch-up angle (phase + whole turns) inside this scheme's range, or None [rad]."""
        p = float(phase_rad) % (2 * math.pi)
        for k in range(0, 3):
            c = p + 2 * math.pi * k
            if self.catch_up_min_rad - 1e-9 <= c <= self.catch_up_max_rad + 1e-9:
                return c
        return None

    def nearest_catch_up_rad(self, phase_rad: float) -> float:
        """The catch-up (phase + whole turns, >= -pi) nearest the middle of this scheme's range [rad]."""
        p = math.remainder(float(phase_rad), 2 * math.pi)
        mid = 0.5 * (self.catch_up_min_rad + self.catch_up_max_rad)
        k = round((mid - p) / (2 * math.pi))
        return p + 2 * math.pi * max(k, 0)

    def range_text(self) -> str:
        return f"{math.degrees(self.catch_up_min_rad):.0f}-{math.degrees(self.catch_up_max_rad):.0f} deg"


@dataclass(frozen=True)
class SchemeCatalog:
    schemes: tuple
    approach: Approach
    vehicles: dict


@dataclass(frozen=True)
class SchemeChoice:
    """The scheme chosen for a phase, the catch-up angle it will make up [rad], and why."""

    scheme: Scheme
    phase_rad: float
    catch_up_rad: float
    reason: str


@functools.lru_cache(maxsize=1)
def load_schemes() -> SchemeCatalog:
    """Read ``rendezvous/data/schemes.toml`` (cached) into a :class:`SchemeCatalog`."""
    import tomllib

    text = resources.files("gyrfalcon.rendezvous").joinpath("data/schemes.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    from ..launch.windows import load_schemes as load_phase_windows

    phase_windows = load_phase_windows()
    schemes = []
    for s in raw["scheme"]:
        burns = tuple(_slot(b) for b in s["burns"])
        if burns[-1].kind != "aim" or any(b.kind in ("aim", "time") for b in burns[:-1]):
            raise InputError(f"scheme {s['name']}: the last burn (and only it) is the aim point "
                             "(aim = true); its epoch is computed by the planner")
        arrival = str(s.get("arrival", "revolutions"))
        if arrival not in ("revolutions", "sunset-on-revolution"):
            raise InputError(f"scheme {s['name']}: unknown arrival rule '{arrival}'; use "
                             "'revolutions' or 'sunset-on-revolution'")
        n_rev = int(s.get("contact_revolutions", s.get("contact_revolution", 0)))
        if n_rev < 1:
            raise InputError(f"scheme {s['name']}: give contact_revolutions (or contact_revolution) >= 1")
        # one source for the phase windows: the launch-window search's catalogue
        window = phase_windows[s["name"]]
        lo, hi = window.phase_min_rad, window.phase_max_rad
        # published nominal flight (liftoff to contact) less the planning approach and the ascent
        # (domain.md 1.2: insertion at MET 529 s); used only for the launch plane's J2 bias
        nominal = window.duration_h * 3600.0 - float(raw["approach"]["planning_approach_s"]) - 529.0
        schemes.append(Scheme(s["name"], s["title"], int(s["preference"]), int(s["orbits"]), lo, hi, burns,
                              s["reference"], arrival, n_rev, nominal))
    schemes.sort(key=lambda x: x.preference)
    a = raw["approach"]
    approach = Approach(tuple(float(x) for x in a["aim_rho_lvlh_m"]),
                        tuple(float(x) for x in a["flyaround_start_rho_lvlh_m"]),
                        float(a["aim_to_flyaround_s"]), float(a["planning_approach_s"]))
    vehicles = {k: Vehicle(k, float(v["main_engine_thrust_n"]), float(v["main_engine_isp_s"]),
                           float(v["mass_at_insertion_kg"]), float(v["drag_area_m2"]), float(v["drag_cd"]))
                for k, v in raw["vehicle"].items()}
    return SchemeCatalog(tuple(schemes), approach, vehicles)


def scheme_names() -> tuple:
    """Names of the known schemes, fastest first.

    >>> scheme_names()
    ('two-orbit', 'four-orbit', 'two-day')
    """
    return tuple(s.name for s in load_schemes().schemes)


def get_scheme(name: str) -> Scheme:
    """The scheme called ``name`` (case-insensitive; ``2-orbit``, ``4-orbit``, ``2-day`` also work).

    >>> get_scheme("one-orbit")
    Traceback (most recent call last):
    ...
    gyrfalcon.rendezvous.schemes.UnknownSchemeError: unknown rendezvous scheme 'one-orbit'; use one of two-orbit, four-orbit, two-day (or 'auto')
    """
    key = norm_id(name)
    key = {"2-orbit": "two-orbit", "4-orbit": "four-orbit", "2-day": "two-day", "34-orbit": "two-day"}.get(key, key)
    for s in load_schemes().schemes:
        if s.name == key:
            return s
    raise UnknownSchemeError(
        f"unknown rendezvous scheme '{name}'; use one of {', '.join(scheme_names())} (or 'auto')"
    )


def get_vehicle(name: str) -> Vehicle:
    """Main-engine data of ``soyuz-ms`` or ``progress-ms``."""
    v = load_schemes().vehicles
    key = str(name).strip().lower().replace(" ", "-").replace("_", "-")
    if key not in v:
        raise InputError(f"unknown vehicle '{name}'; use one of {', '.join(sorted(v))}")
    return v[key]


def choose_scheme(phase_rad: float, preferred: str | None = None, enforce_range: bool = True) -> SchemeChoice:
    """The fastest scheme whose catch-up range holds ``phase_rad`` (station ahead at insertion).

    With ``preferred`` given, that scheme is flown or refused: outside its range
    :class:`SchemeMismatchError` names the phase and the scheme that would fit (only ``auto``, i.e.
    ``preferred=None``, chooses). With ``enforce_range=False`` (studies) the preferred scheme is
    used even outside its range, with the catch-up nearest its range and a reason that says so.

    >>> c = choose_scheme(math.radians(13.0))
    >>> c.scheme.name, round(math.degrees(c.catch_up_rad), 1)
    ('two-orbit', 13.0)
    >>> c = choose_scheme(math.radians(-60.0))
    >>> c.scheme.name, round(math.degrees(c.catch_up_rad), 1)
    ('two-day', 300.0)
    >>> choose_scheme(math.radians(100.0))
    Traceback (most recent call last):
    ...
    gyrfalcon.rendezvous.schemes.NoSchemeError: station 100.0 deg ahead at insertion: no scheme accepts it (two-orbit 10-18 deg, four-orbit 18-40 deg, two-day 200-420 deg); move the liftoff to another day's in-plane time, or shape the station's phase with a reboost
    """
    phase = float(phase_rad)
    # 0-360 deg, the convention of the ranges it is compared with (and of `gyrfalcon windows`)
    deg = math.degrees(phase % (2 * math.pi))
    order = list(load_schemes().schemes)

    def inside(s, c):
        turns = f" (catch-up {math.degrees(c):.1f} deg)" if abs(math.degrees(c) - deg) > 0.05 else ""
        return f"inside the {s.name} range {s.range_text()}{turns}"

    if preferred is not None:
        first = get_scheme(preferred)
        if first.catch_up_rad(phase) is None:
            if not enforce_range:
                c = first.nearest_catch_up_rad(phase)
                return SchemeChoice(first, phase, c, (
                    f"station {deg:.1f} deg ahead at insertion: {first.name} forced outside its range "
                    f"{first.range_text()} (catch-up {math.degrees(c):.1f} deg)"))
            fits = tuple(s.name for s in order if s.catch_up_rad(phase) is not None)
            reason = (f"station {deg:.1f} deg ahead at insertion: outside the {first.name} range "
                      f"{first.range_text()} (the reason is the phase)")
            err = SchemeMismatchError(
                f"{reason}; " + (f"the scheme that fits this phase is {fits[0]}; ask for {fits[0]} or for 'auto', or "
                                 f"move the liftoff to a {first.name} window" if fits else
                                 f"no scheme fits this phase ('auto' would refuse it too); move the liftoff to a "
                                 f"{first.name} window"))
            err.reason, err.asked, err.fits = reason, first.name, fits
            raise err
        c = first.catch_up_rad(phase)
        return SchemeChoice(first, phase, c, f"station {deg:.1f} deg ahead at insertion: {inside(first, c)}")
    refused = []
    for s in order:
        c = s.catch_up_rad(phase)
        if c is not None:
            head = f"station {deg:.1f} deg ahead at insertion: "
            if refused:
                reason = head + "; ".join(refused) + f"; {s.name} accepts {s.range_text()}" + (
                    f" (catch-up {math.degrees(c):.1f} deg)" if abs(math.degrees(c) - deg) > 0.05 else "")
            else:
                reason = head + inside(s, c)
            return SchemeChoice(s, phase, c, reason)
        refused.append(f"outside the {s.name} range {s.range_text()}")
        if preferred is None:
            # only the fastest scheme's refusal is worth stating when no preference was given
            refused = refused[:1]
    ranges = ", ".join(f"{s.name} {s.range_text()}" for s in load_schemes().schemes)
    raise NoSchemeError(
        f"station {deg:.1f} deg ahead at insertion: no scheme accepts it ({ranges}); move the liftoff "
        "to another day's in-plane time, or shape the station's phase with a reboost"
    )


def phase_angle_rad(station_r_m, station_v_mps, chaser_r_m) -> float:
    """Angle the station is ahead of the chaser, in the station's orbit plane, in (-pi, pi] [rad].

    The chaser's position is projected on the station's orbit plane; positive = station ahead
    (in the direction of motion).

    >>> round(math.degrees(phase_angle_rad([7e6, 0, 0], [0, 7.5e3, 0], [6.9e6, -1e6, 0])), 3)
    8.246
    """
    r_t = np.asarray(station_r_m, dtype=float)
    v_t = np.asarray(station_v_mps, dtype=float)
    r_c = np.asarray(chaser_r_m, dtype=float)
    h = np.cross(r_t, v_t)
    h /= np.linalg.norm(h)
    r_cp = r_c - (r_c @ h) * h
    return math.atan2(float(np.cross(r_cp, r_t) @ h), float(r_cp @ r_t))
