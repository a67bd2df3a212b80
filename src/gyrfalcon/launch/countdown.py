"""The launch countdown as a small state machine with named pad interlocks and fault injection.

A :class:`Countdown` walks the pre-ignition checks (:data:`DEFAULT_INTERLOCKS`) in time
order, each at its own time before liftoff, through explicit states::

    PLANNED -> CALLED_TO_STATIONS -> PROPELLANT_LOADING -> CREW_BOARDING -> PAD_CLEARING
            -> TERMINAL_COUNT -> IGNITION -> LIFTOFF
    any of them (before LIFTOFF) -> HOLD -> SCRUBBED

It is immutable: :meth:`Countdown.step` returns the next countdown, :meth:`Countdown.run`
steps to the end and gives a :class:`CountdownResult` with the event log and the pad status
board as it stands afterwards (see :class:`~gyrfalcon.launch.sites.PadStatusBoard`).

Assumptions:

* The actual state of every interlock is an input (``conditions``: all satisfied unless
  told otherwise). A failed interlock holds the count and then scrubs it: the rendezvous
  launch windows are effectively instantaneous (domain.md §1.5), so no recycle is modelled.
* ``pad-available`` is decided by the status board at the planned liftoff time. A vehicle
  the pad does not support, or a crew on a pad that is not crew-rated, is a planning error and
  raises when the countdown is planned; a pad that is merely not operational on the day scrubs
  the count with the reason and the date it is next available.
* Fault ``pad-cabin-not-locked`` (Soyuz MS-28, 27 Nov 2025, domain.md §7.1): the check that the
  service cabin is retracted into its niche and locked is *missed* -- it is reported OK while the
  cabin is in fact not locked. The vehicle flies normally; about 10 s after liftoff the exhaust
  pulls the cabin into the flame trench and the pad is damaged until its repair date (default:
  the date of the damage plus 96 days, the Site 31/6 outage from 27 Nov 2025 to 3 Mar 2026,
  domain.md §7.2).
* Check times are modelling values for a Soyuz-2.1a countdown: the service cabin is locked about
  1 h before launch (domain.md §7.1, grade B); the other times are round figures from general
  descriptions of a Soyuz countdown (grade C, not checked against a primary timeline).

>>> from gyrfalcon.launch.sites import PadStatusBoard
>>> board = PadStatusBoard.from_catalog(known_before="2025-11-27T09:00Z")
>>> r = run_countdown("baikonur-31", "2025-11-27T09:27:57.4Z", vehicle="soyuz-2.1a", crewed=True,
...                   board=board, mission="Soyuz MS-28", faults=["pad-cabin-not-locked"])
>>> r.scrubbed, iso_utc(r.liftoff_utc, places=1)
(False, '2025-11-27T09:27:57.4Z')
>>> r.board.status_at("baikonur-31", "2025-12-21").status
'damaged'
>>> r2 = run_countdown("baikonur-31", "2025-12-21T09:00Z", board=r.board, mission="Progress MS-33")
>>> r2.scrubbed, iso_utc(r2.next_available_utc, places=0)
(True, '2026-03-03T00:00:00Z')
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Iterable, Mapping

from ..errors import InputError
from ..time import add_seconds, iso_utc, seconds_between, utc
from .sites import (
    LaunchAzimuth,
    PadStatusBoard,
    PadUnavailableError,
    _as_time,
    _key,
)


class CountdownState(str, Enum):
    """States of the countdown state machine."""

    PLANNED = "planned"
    CALLED_TO_STATIONS = "called-to-stations"
    PROPELLANT_LOADING = "propellant-loading"
    CREW_BOARDING = "crew-boarding"
    PAD_CLEARING = "pad-clearing"
    TERMINAL_COUNT = "terminal-count"
    IGNITION = "ignition"
    LIFTOFF = "liftoff"
    HOLD = "hold"
    SCRUBBED = "scrubbed"


NOMINAL_SEQUENCE = (
    CountdownState.PLANNED,
    CountdownState.CALLED_TO_STATIONS,
    CountdownState.PROPELLANT_LOADING,
    CountdownState.CREW_BOARDING,
    CountdownState.PAD_CLEARING,
    CountdownState.TERMINAL_COUNT,
    CountdownState.IGNITION,
    CountdownState.LIFTOFF,
)
TERMINAL_STATES = (CountdownState.LIFTOFF, CountdownState.SCRUBBED)


def allowed_transition(a: CountdownState, b: CountdownState) -> bool:
    """Whether the state machine may go from ``a`` to ``b``.

    Forward along :data:`NOMINAL_SEQUENCE` (phases with nothing to check may be skipped),
    any state before LIFTOFF to HOLD, HOLD to SCRUBBED; staying in a state is allowed.

    >>> allowed_transition(CountdownState.PAD_CLEARING, CountdownState.HOLD)
    True
    >>> allowed_transition(CountdownState.LIFTOFF, CountdownState.HOLD)
    False
    """
    if a == b:
        return True
    if a in NOMINAL_SEQUENCE and b in NOMINAL_SEQUENCE:
        return NOMINAL_SEQUENCE.index(b) > NOMINAL_SEQUENCE.index(a)
    if b == CountdownState.HOLD:
        return a in NOMINAL_SEQUENCE and a != CountdownState.LIFTOFF
    if b == CountdownState.SCRUBBED:
        return a == CountdownState.HOLD
    return False


# --- errors ----------------------------------------------------------------------------
class UnknownInterlockError(InputError):
    """A ``conditions`` key that names no interlock of the countdown."""


class UnknownFaultError(InputError):
    """A fault kind that the countdown does not model."""


# --- interlocks ------------------------------------------------------------------------
@dataclass(frozen=True)
class Interlock:
    """A named pre-ignition check, verified ``t_minus_s`` seconds before liftoff.

    ``applies``: ``"always"``, ``"crewed"`` (skipped for uncrewed flights) or ``"weather"``
    (checked only when a weather input or a condition for it is given).
    """

    id: str
    description: str
    t_minus_s: float
    phase: CountdownState
    failure: str
    applies: str = "always"
    source: str = ""


_GRADE_C = "(C) typical Soyuz-2.1a countdown from general descriptions; modelling value, not checked against a primary timeline"

DEFAULT_INTERLOCKS: tuple[Interlock, ...] = (
    Interlock("pad-available", "pad operational on the status board at the planned liftoff",
              6 * 3600.0, CountdownState.CALLED_TO_STATIONS, "pad not available", source=_GRADE_C),
    Interlock("propellant-load-complete", "propellant loading of all stages complete",
              2 * 3600.0 + 45 * 60.0, CountdownState.PROPELLANT_LOADING, "propellant load not complete",
              source=_GRADE_C),
    Interlock("crew-aboard-hatch-closed", "crew aboard and hatch closed and leak-checked",
              2 * 3600.0, CountdownState.CREW_BOARDING, "crew not aboard or hatch not closed",
              applies="crewed", source=_GRADE_C),
    Interlock("service-cabin-locked", "service cabin (8U0216) rolled back into its niche and locked",
              3600.0, CountdownState.PAD_CLEARING, "service cabin not retracted and locked",
              source="domain.md §7.1: rolled back into its shelter and locked about 1 h before launch (B)"),
    Interlock("weather-within-limits", "ground wind within the vehicle limit",
              45 * 60.0, CountdownState.PAD_CLEARING, "ground wind above the limit",
              applies="weather", source=_GRADE_C),
    Interlock("service-towers-retracted", "service towers retracted",
              40 * 60.0, CountdownState.PAD_CLEARING, "service towers not retracted", source=_GRADE_C),
    Interlock("range-clear", "range and downrange drop zones clear",
              15 * 60.0, CountdownState.TERMINAL_COUNT, "range not clear", source=_GRADE_C),
    Interlock("umbilicals-disconnected", "ground umbilicals disconnected and cable mast retracted",
              60.0, CountdownState.TERMINAL_COUNT, "umbilicals not disconnected", source=_GRADE_C),
)
"""The default pre-ignition checks of a Soyuz-2.1a countdown, in time order."""

IGNITION_T_MINUS_S = 20.0
"""Engine ignition before liftoff [s] ((C) Soyuz: ignition about 20 s before liftoff; modelling value)."""

DEFAULT_GROUND_WIND_LIMIT_MPS = 15.0
"""Default ground-wind limit for the weather interlock [m/s] ((C) commonly quoted Soyuz figure; not checked)."""

DEFAULT_PAD_REPAIR_DAYS = 96
"""Default outage after pad damage [days]: Site 31/6, 2025-11-27 -> 2026-03-03 (domain.md §7.2, A/B)."""

CABIN_FALL_AFTER_LIFTOFF_S = 10.0
"""Time after liftoff at which the unlocked service cabin fell into the trench [s] (domain.md §7.1, RSW, B)."""


@dataclass(frozen=True)
class Weather:
    """Weather at the pad for the weather interlock: ground wind speed [m/s]."""

    ground_wind_mps: float


FAULT_KINDS = {
    "pad-cabin-not-locked": (
        "the service-cabin check is missed: reported locked while the cabin is not locked; the vehicle "
        "flies and the cabin falls into the flame trench about 10 s after liftoff (Soyuz MS-28, domain.md §7.1)"
    ),
}
"""Fault kinds the countdown models, with what each does."""


@dataclass(frozen=True)
class Fault:
    """An injected fault. ``repair_utc``: when the damaged pad is operational again
    (default: UTC date of the damage + :data:`DEFAULT_PAD_REPAIR_DAYS`, at 00:00 UTC)."""

    kind: str
    repair_utc: Any = None
    fall_after_liftoff_s: float = CABIN_FALL_AFTER_LIFTOFF_S

    def __post_init__(self):
        if self.kind not in FAULT_KINDS:
            raise UnknownFaultError(
                f"unknown fault '{self.kind}'; modelled faults: "
                + "; ".join(f"{k} ({v})" for k, v in FAULT_KINDS.items())
            )
        if not (math.isfinite(self.fall_after_liftoff_s) and self.fall_after_liftoff_s >= 0.0):
            raise InputError(f"fall_after_liftoff_s must be a non-negative number, got {self.fall_after_liftoff_s}")
        if self.repair_utc is not None:
            object.__setattr__(self, "repair_utc", _as_time(self.repair_utc, "repair_utc"))


# --- results ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CountdownEvent:
    """One line of the countdown log.

    ``t``: instant (skyfield Time); ``t_from_liftoff_s``: seconds from the planned liftoff
    (negative before); ``interlock``/``ok``: the check this event reports, if any
    (``ok=None``: not applicable).
    """

    t: Any
    state: CountdownState
    message: str
    t_from_liftoff_s: float = 0.0
    interlock: str | None = None
    ok: bool | None = None

    def as_dict(self) -> dict:
        return {"t_utc": iso_utc(self.t), "t_from_liftoff_s": self.t_from_liftoff_s, "state": self.state.value,
                "message": self.message, "interlock": self.interlock, "ok": self.ok}


@dataclass(frozen=True)
class PadDamage:
    """Damage to a pad caused by a launch: from ``t`` until ``repair_utc``."""

    pad_id: str
    t: Any
    cause: str
    repair_utc: Any
    fault: str


@dataclass(frozen=True)
class CountdownResult:
    """Outcome of a countdown.

    ``liftoff_utc`` is ``None`` when ``scrubbed``; ``reason`` and ``interlock`` say why.
    ``board`` is the pad status board after the countdown (with any pad damage added).
    ``next_available_utc``: when the pad is next operational (pad scrubs only; ``None`` if never
    or not applicable); ``next_opportunity_utc``: from the ``next_window`` callable, if given.
    """

    pad_id: str
    vehicle: str
    mission: str | None
    planned_liftoff_utc: Any
    liftoff_utc: Any
    scrubbed: bool
    reason: str | None
    interlock: str | None
    events: tuple[CountdownEvent, ...]
    board: PadStatusBoard
    pad_damage: PadDamage | None = None
    next_available_utc: Any = None
    next_opportunity_utc: Any = None
    launch_azimuth: LaunchAzimuth | None = None

    def as_dict(self) -> dict:
        def t(x):
            return None if x is None else iso_utc(x)

        return {
            "pad_id": self.pad_id, "vehicle": self.vehicle, "mission": self.mission,
            "planned_liftoff_utc": t(self.planned_liftoff_utc), "liftoff_utc": t(self.liftoff_utc),
            "scrubbed": self.scrubbed, "reason": self.reason, "interlock": self.interlock,
            "next_available_utc": t(self.next_available_utc), "next_opportunity_utc": t(self.next_opportunity_utc),
            "pad_damage": None if self.pad_damage is None else {
                "pad_id": self.pad_damage.pad_id, "t_utc": t(self.pad_damage.t), "cause": self.pad_damage.cause,
                "repair_utc": t(self.pad_damage.repair_utc), "fault": self.pad_damage.fault},
            "events": [e.as_dict() for e in self.events],
        }


# --- the state machine -----------------------------------------------------------------
def _label(t_from_liftoff_s: float) -> str:
    """``L-1 h 00 min``, ``L-40 min``, ``L-20 s``, ``T+10 s``."""
    s = abs(t_from_liftoff_s)
    if t_from_liftoff_s > 0:
        return f"T+{s:g} s"
    if s >= 3600:
        return f"L-{int(s // 3600)} h {int(s % 3600 // 60):02d} min"
    if s >= 60:
        return f"L-{s / 60:g} min"
    return f"L-{s:g} s"


def _default_repair(t_damage):
    y, mo, d, _, _, _ = t_damage.utc
    return utc(int(y), int(mo), int(d) + DEFAULT_PAD_REPAIR_DAYS)


@dataclass(frozen=True)
class _Step:
    kind: str  # "check", "ignition", "liftoff", "pad-damage"
    t_from_liftoff_s: float
    interlock: Interlock | None = None
    fault: Fault | None = None


@dataclass(frozen=True)
class Countdown:
    """An immutable countdown: plan it with :meth:`plan`, advance with :meth:`step`/:meth:`run`."""

    pad_id: str
    planned_liftoff_utc: Any
    vehicle: str
    crewed: bool
    mission: str | None
    board: PadStatusBoard
    interlocks: tuple[Interlock, ...]
    conditions: tuple[tuple[str, Any], ...]
    faults: tuple[Fault, ...]
    weather: Weather | None
    ground_wind_limit_mps: float
    launch_azimuth: LaunchAzimuth | None
    next_window: Callable | None = field(default=None, compare=False, repr=False)
    state: CountdownState = CountdownState.PLANNED
    steps_done: int = 0
    events: tuple[CountdownEvent, ...] = ()
    reason: str | None = None
    failed_interlock: str | None = None
    next_available_utc: Any = None
    liftoff_utc: Any = None
    pad_damage: PadDamage | None = None

    # planning --------------------------------------------------------------------------
    @classmethod
    def plan(
        cls,
        pad_id: str,
        liftoff_utc,
        vehicle: str = "soyuz-2.1a",
        crewed: bool = False,
        *,
        board: PadStatusBoard | None = None,
        mission: str | None = None,
        conditions: Mapping[str, Any] | None = None,
        faults: Iterable[str | Fault] = (),
        weather: Weather | None = None,
        ground_wind_limit_mps: float = DEFAULT_GROUND_WIND_LIMIT_MPS,
        inclination_rad: float | None = None,
        ascending: bool | None = None,
        interlocks: Iterable[Interlock] = DEFAULT_INTERLOCKS,
        next_window: Callable | None = None,
    ) -> "Countdown":
        """Plan a countdown for a liftoff at ``liftoff_utc`` from ``pad_id`` (id or alias).

        ``conditions`` maps interlock ids to their actual state: ``True`` (satisfied, the
        default), ``False`` or a string (failed; the string is the reason). ``faults``: kinds
        from :data:`FAULT_KINDS` or :class:`Fault` values. ``inclination_rad``: if given, the
        target orbit must be reachable from the pad (:meth:`Pad.check_reachable`).
        ``next_window(t)``: optional callable returning the next launch opportunity after
        ``t`` (the planned liftoff, or the pad's next-available time).

        Raises :class:`~gyrfalcon.launch.sites.UnknownSiteError`, the pad-capability errors
        (vehicle not supported, pad not crew-rated), :class:`~gyrfalcon.launch.sites.UnreachableOrbitError`,
        :class:`UnknownInterlockError`, :class:`UnknownFaultError`.
        """
        board = board if board is not None else PadStatusBoard.from_catalog()
        pad = board.pad(pad_id)
        t0 = _as_time(liftoff_utc, "liftoff time")
        # capability: checked now (a planning error), status: checked in the count
        if not pad.supports(vehicle) or (crewed and not pad.crew_rated):
            pad.require_available(t0, vehicle, crewed, catalog=board.catalog)
        azimuth = None
        if inclination_rad is not None:
            azimuth = pad.check_reachable(float(inclination_rad), ascending)
        locks = tuple(sorted(interlocks, key=lambda i: -i.t_minus_s))
        ids = [i.id for i in locks]
        if len(set(ids)) != len(ids):
            raise InputError(f"interlock ids must be unique, got {', '.join(ids)}")
        conds = dict(conditions or {})
        for key, value in conds.items():
            if key not in ids:
                raise UnknownInterlockError(f"no interlock '{key}' in this countdown; known: {', '.join(ids)}")
            if key == "pad-available":
                raise InputError(
                    "'pad-available' is decided by the pad status board; add an event with "
                    "PadStatusBoard.with_event(...) instead of a condition"
                )
            if not isinstance(value, (bool, str)):
                raise InputError(f"condition '{key}' must be True, False or a reason string, got {value!r}")
        fault_list = tuple(f if isinstance(f, Fault) else Fault(str(f)) for f in faults)
        if not (math.isfinite(ground_wind_limit_mps) and ground_wind_limit_mps > 0):
            raise InputError(f"ground_wind_limit_mps must be positive, got {ground_wind_limit_mps}")
        return cls(
            pad_id=pad.id, planned_liftoff_utc=t0, vehicle=vehicle, crewed=bool(crewed), mission=mission,
            board=board, interlocks=locks, conditions=tuple(conds.items()), faults=fault_list,
            weather=weather, ground_wind_limit_mps=float(ground_wind_limit_mps), launch_azimuth=azimuth,
            next_window=next_window,
        )

    # the script ------------------------------------------------------------------------
    @property
    def script(self) -> tuple[_Step, ...]:
        steps = [_Step("check", -i.t_minus_s, i) for i in self.interlocks]
        steps.append(_Step("ignition", -IGNITION_T_MINUS_S))
        steps.append(_Step("liftoff", 0.0))
        for f in self.faults:
            if f.kind == "pad-cabin-not-locked":
                steps.append(_Step("pad-damage", f.fall_after_liftoff_s, fault=f))
        return tuple(steps)

    @property
    def done(self) -> bool:
        return self.state in TERMINAL_STATES and (
            self.state == CountdownState.SCRUBBED or self.steps_done >= len(self.script)
        )

    def _fault(self, kind: str) -> Fault | None:
        return next((f for f in self.faults if f.kind == kind), None)

    def _go(self, state: CountdownState, t_from_liftoff_s: float, message: str, **changes) -> "Countdown":
        if not allowed_transition(self.state, state):
            raise RuntimeError(f"countdown state machine: illegal transition {self.state.value} -> {state.value}")
        t = add_seconds(self.planned_liftoff_utc, t_from_liftoff_s)
        ev = CountdownEvent(t, state, message, float(t_from_liftoff_s),
                            changes.pop("interlock", None), changes.pop("ok", None))
        return dataclasses.replace(self, state=state, events=self.events + (ev,), **changes)

    def _evaluate(self, lock: Interlock) -> tuple[bool | None, str]:
        """(actually satisfied?, message detail) for one interlock."""
        conds = dict(self.conditions)
        if lock.applies == "crewed" and not self.crewed:
            return None, "not applicable (uncrewed flight)"
        if lock.id in conds:
            value = conds[lock.id]
            if value is True:
                return True, "OK"
            return False, value if isinstance(value, str) else lock.failure
        if lock.applies == "weather":
            if self.weather is None:
                return None, "not checked (no weather input)"
            wind = float(self.weather.ground_wind_mps)
            if wind <= self.ground_wind_limit_mps:
                return True, f"OK (ground wind {wind:g} m/s, limit {self.ground_wind_limit_mps:g} m/s)"
            return False, f"ground wind {wind:g} m/s above the limit of {self.ground_wind_limit_mps:g} m/s"
        return True, "OK"

    # stepping --------------------------------------------------------------------------
    def step(self) -> "Countdown":
        """The countdown after its next action (one check, hold, scrub, ignition, liftoff...)."""
        if self.done:
            raise InputError("the countdown has ended; read its result() instead of stepping further")
        if self.state == CountdownState.HOLD:
            msg = f"SCRUBBED: {self.reason} (launch window is instantaneous; no recycle modelled)"
            return self._go(CountdownState.SCRUBBED, self.events[-1].t_from_liftoff_s, msg)
        step = self.script[self.steps_done]
        n = self.steps_done + 1
        dt = step.t_from_liftoff_s
        if step.kind == "check":
            lock = step.interlock
            phase = lock.phase if NOMINAL_SEQUENCE.index(lock.phase) > NOMINAL_SEQUENCE.index(self.state) else self.state
            if lock.id == "pad-available":
                try:
                    self.board.require_available(self.pad_id, self.planned_liftoff_utc, self.vehicle, self.crewed)
                except PadUnavailableError as exc:
                    return self._go(CountdownState.HOLD, dt, f"HOLD at {_label(dt)}: {lock.id}: {exc}",
                                    interlock=lock.id, ok=False, steps_done=n, reason=str(exc),
                                    failed_interlock=lock.id, next_available_utc=exc.next_available)
                return self._go(phase, dt, f"{_label(dt)} {lock.id}: {lock.description}: OK",
                                interlock=lock.id, ok=True, steps_done=n)
            ok, detail = self._evaluate(lock)
            if lock.id == "service-cabin-locked" and self._fault("pad-cabin-not-locked") and ok is not None:
                return self._go(phase, dt, f"{_label(dt)} {lock.id}: {lock.description}: reported OK "
                                "[fault pad-cabin-not-locked: check missed, cabin actually not locked]",
                                interlock=lock.id, ok=True, steps_done=n)
            if ok is False:
                reason = f"{lock.description}: {detail} ({lock.id}, {_label(dt)})"
                return self._go(CountdownState.HOLD, dt, f"HOLD at {_label(dt)}: {reason}",
                                interlock=lock.id, ok=False, steps_done=n, reason=reason, failed_interlock=lock.id)
            # a check that does not apply (uncrewed, no weather input) does not enter its phase
            return self._go(phase if ok else self.state, dt, f"{_label(dt)} {lock.id}: {lock.description}: {detail}",
                            interlock=lock.id, ok=ok, steps_done=n)
        if step.kind == "ignition":
            return self._go(CountdownState.IGNITION, dt, f"{_label(dt)} ignition", steps_done=n)
        if step.kind == "liftoff":
            return self._go(CountdownState.LIFTOFF, dt, f"liftoff {iso_utc(self.planned_liftoff_utc)}",
                            steps_done=n, liftoff_utc=self.planned_liftoff_utc)
        # pad damage after liftoff
        fault = step.fault
        t_damage = add_seconds(self.planned_liftoff_utc, dt)
        repair = fault.repair_utc if fault.repair_utc is not None else _default_repair(t_damage)
        if _key(repair) <= _key(t_damage):
            raise InputError(f"repair_utc {iso_utc(repair)} is not after the damage at {iso_utc(t_damage)}; give a later date")
        cause = f"service cabin fell into the flame trench at the {self.mission or self.vehicle} launch"
        board = self.board.with_event(
            self.pad_id, t_damage, "damaged", cause, until=repair, until_status="operational",
            until_reason="repair complete (simulated)",
            source=f"gyrfalcon countdown: fault {fault.kind}",
        )
        damage = PadDamage(self.pad_id, t_damage, cause, repair, fault.kind)
        return self._go(CountdownState.LIFTOFF, dt,
                        f"{_label(dt)} PAD DAMAGE: {cause}; pad {self.pad_id} damaged until {iso_utc(repair, places=0)}",
                        steps_done=n, board=board, pad_damage=damage)

    def run(self) -> CountdownResult:
        """Step to the end and return the :class:`CountdownResult`."""
        cd = self
        while not cd.done:
            cd = cd.step()
        return cd.result()

    def result(self) -> CountdownResult:
        """The :class:`CountdownResult` of a finished countdown."""
        if not self.done:
            raise InputError(f"the countdown is still in state {self.state.value}; call run() first")
        scrubbed = self.state == CountdownState.SCRUBBED
        opportunity = None
        if scrubbed and self.next_window is not None:
            earliest = self.next_available_utc if self.failed_interlock == "pad-available" else self.planned_liftoff_utc
            if earliest is not None:
                opportunity = _as_time(self.next_window(earliest), "next_window result")
                if seconds_between(earliest, opportunity) < 0:
                    raise InputError(
                        f"next_window returned {iso_utc(opportunity)}, before {iso_utc(earliest)}; "
                        "it must return an opportunity at or after the time it is given"
                    )
        return CountdownResult(
            pad_id=self.pad_id, vehicle=self.vehicle, mission=self.mission,
            planned_liftoff_utc=self.planned_liftoff_utc, liftoff_utc=self.liftoff_utc,
            scrubbed=scrubbed, reason=self.reason, interlock=self.failed_interlock, events=self.events,
            board=self.board, pad_damage=self.pad_damage, next_available_utc=self.next_available_utc,
            next_opportunity_utc=opportunity, launch_azimuth=self.launch_azimuth,
        )


def run_countdown(pad_id: str, liftoff_utc, vehicle: str = "soyuz-2.1a", crewed: bool = False,
                  **kwargs) -> CountdownResult:
    """Plan and run a countdown in one call (arguments as :meth:`Countdown.plan`)."""
    return Countdown.plan(pad_id, liftoff_utc, vehicle, crewed, **kwargs).run()


__all__ = [
    "CountdownState", "NOMINAL_SEQUENCE", "Interlock", "DEFAULT_INTERLOCKS", "Weather", "Fault", "FAULT_KINDS",
    "CountdownEvent", "PadDamage", "CountdownResult", "Countdown", "run_countdown", "allowed_transition",
    "UnknownInterlockError", "UnknownFaultError",
]
