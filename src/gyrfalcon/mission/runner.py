"""The end-to-end flight: chain the phases of a scenario through their public APIs.

:func:`fly` takes a validated :class:`~gyrfalcon.mission.scenario.Scenario` and returns a
:class:`~gyrfalcon.mission.result.MissionResult`; :func:`write_outputs` renders it into a
directory (atomically: a temporary sibling renamed at the end, ``COMPLETE`` written last).

Phases and the public call each one makes (nothing is re-implemented here):

1. **window** -- the liftoff: the scenario's time, or the first feasible window at or after
   a date (:func:`gyrfalcon.launch.windows.next_feasible_window`; scheme ``auto`` tries
   two-orbit, four-orbit, two-day and takes the earliest).
2. **countdown** -- :func:`gyrfalcon.launch.countdown.run_countdown` on the pad board as known
   before liftoff, with the scenario's faults (MS-28: ``pad-cabin-not-locked`` -> pad damaged;
   :func:`gyrfalcon.traffic.whatif.pad_outage_whatif` of the damage goes to the result).
   A scrubbed count ends the flight (the result carries the board and the reason). A what-if
   (``what_if = true``) runs the window search, the countdown and the manifest with the launch
   pad in service whatever the site catalogue records, and its notes say so. The station rules
   are checked before the flight with the arrival estimated as liftoff + the scheme's nominal
   duration, and again after it with the simulated contact (the notes give that one).
3. **ascent** -- :func:`gyrfalcon.launch.ascent.fly_ascent` (3-DOF, guided) into the station's
   plane at liftoff (for a two-day scheme, the plane of
   :func:`gyrfalcon.rendezvous.plan.recommended_plane_normal`, as the rendezvous module advises).
4. **rendezvous** -- :func:`gyrfalcon.rendezvous.plan.plan_rendezvous` from the ascent's
   insertion state, force model ``full``, against the station's ephemeris, flown with the
   approach by :func:`gyrfalcon.rendezvous.handover.plan_and_fly` (a two-day plan is made again
   with the vehicle's own nominal approach to the port, as ``gyrfalcon rendezvous`` does).
5. **approach** -- :func:`gyrfalcon.rendezvous.handover.approach_from_plan` with the scenario's
   Kurs faults. Contact = the approach's contact. Kurs acquisition =
   the first time the planned relative range falls below the Kurs model's acquisition range.
6. **manifest** -- the built-in late-2025 ISS manifest (in memory,
   :func:`gyrfalcon.traffic.late2025_manifest`'s events), the flight's own launch and arrival
   replaced (or added) with the predicted ones; occupancy after docking and its milestones (the
   manifest itself goes to the result: the report's port-occupancy chart).
7. **return** -- the station ephemeris on the landing day (the target's if it covers the day; for a
   day the embedded data cannot serve, a ``target.ephemeris`` file read again for it, element sets
   dated before the landing day only, an OEM extended by propagation; else NASA's July 2026
   OEM shipped as a two-day excerpt and propagated forward by the station loader
   :func:`gyrfalcon.orbits.station_source.load_station`, drag fitted on the excerpt); the day's
   first reachable pass over the zone (:func:`gyrfalcon.landing.plan.daily_opportunities`);
   undocking 2 h 30 min before that pass's burn (domain.md 5.1) and
   :func:`gyrfalcon.landing.plan.plan_landing`.

Modelling values added by the runner (documented, grade C/D): hooks closed 13 min after
contact (domain.md 2.3, C); hatch opening 2 h 30 min after contact for a crewed flight (Soyuz
MS-27: contact 08:57:45 UTC, hatch 14:28 MSK = 11:28 UTC, missions.csv, B; no MS-28 figure found).

Everything random is seeded by ``scenario.seed`` (the approach simulation); the same scenario
gives an identical ``timeline.json``.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import GyrfalconError, InputError
from .result import MissionResult, MissionTimes, TimelineEvent

PHASES = ("window", "countdown", "ascent", "rendezvous", "approach", "return", "manifest", "outputs")
"""Phase names in flight order (the CLI shows one progress bar each)."""

HOOKS_AFTER_CONTACT_S = 13 * 60.0
"""Hooks closed (hard dock) after contact [s] (domain.md 2.3: about 13 min, C)."""
HATCH_AFTER_CONTACT_S = 150 * 60.0
"""Hatch opening after contact [s] (Soyuz MS-27: 2 h 30 min, missions.csv; not checked for MS-28)."""
UNDOCK_BEFORE_BURN_S = 9000.0
"""Undocking before the deorbit burn [s] (domain.md 5.1: about 2 h 30 min, A)."""
RETURN_OEM_FILE = "ISS.OEM_J2K_EPH_created-2026-07-01_excerpt-07-14_07-16.txt.gz"
"""NASA ISS OEM of 2026-07-01, last two days (mission/data): the start of the return propagation."""
RETURN_MAX_PROPAGATION_DAYS = 40.0
"""Longest forward propagation of the return excerpt [days] (beyond it, reboosts make it meaningless)."""
RETURN_DRAG = {"drag_area_m2": 1138.3, "drag_cd": 2.4}
"""ISS drag area and Cd from the header of NASA's 2026-07-01 OEM (COMMENT DRAG_AREA / DRAG_COEFF)."""


class MissionError(GyrfalconError):
    """A flight could not be flown as the scenario asks (the message says which phase and why)."""


Progress = Callable[[str, str], None]
"""``progress(phase, status)`` with status ``start`` | ``done`` | ``skip``."""


def _noop(phase: str, status: str) -> None:  # pragma: no cover - trivial
    return None


@dataclass(frozen=True)
class ReturnEphemeris:
    """The station trajectory used for the return and how it was obtained."""

    ephemeris: object
    source: str
    drag_scale: float | None = None
    fit_rms_m: float | None = None
    propagated_days: float = 0.0
    notes: tuple = ()


# ---------------------------------------------------------------------------------------------
# station ephemerides
# ---------------------------------------------------------------------------------------------
def station_ephemeris(scenario, source: str = "<embedded>"):
    """The target station's GCRF :class:`~gyrfalcon.orbits.ephemeris.Ephemeris` (embedded, an OEM,
    or a TLE/OMM series), through :func:`gyrfalcon.orbits.station_source.load_station`."""
    return target_station(scenario, source).ephemeris("GCRF")


def target_station(scenario, source: str = "<embedded>"):
    """The target :class:`~gyrfalcon.orbits.station_source.Station` of a scenario: element sets
    dated after the launch (or the window search start) are never used; a series is propagated
    to the end of the search plus 4 days."""
    from ..time import add_seconds, parse_utc
    from .scenario import EMBEDDED, resolve_path

    la = scenario.launch
    t_at = parse_utc(la.time or la.first_feasible_after)
    if scenario.target.ephemeris == EMBEDDED:
        return _station_cached(None, t_at.tt, None)
    path = resolve_path(source, scenario.target.ephemeris)
    until = add_seconds(t_at, ((0.0 if la.time else la.search_days) + 4.0) * 86400.0)
    try:
        return _station_cached(str(path), t_at.tt, until.tt)
    except GyrfalconError as exc:
        raise InputError(f"target.ephemeris: {exc}") from None


@functools.lru_cache(maxsize=8)
def _station_cached(path, at_tt, until_tt):
    from ..orbits.station_source import load_station
    from ..time import timescale

    ts = timescale()
    return load_station(path, at_utc=ts.tt_jd(at_tt), until_utc=None if until_tt is None else ts.tt_jd(until_tt),
                        expect_iss=True)


def _load_ephemeris_file(path: Path, key: str):
    """A station trajectory file (CCSDS OEM, TLE or OMM series) through the one station loader
    (read once per process and file version: the check before the flight and the return share it)."""
    p = Path(path)
    st = p.stat() if p.is_file() else None
    return _load_ephemeris_cached(str(p), key, None if st is None else (st.st_mtime_ns, st.st_size))


@functools.lru_cache(maxsize=4)
def _load_ephemeris_cached(path: str, key: str, version):
    from ..orbits.station_source import load_station

    try:
        return load_station(path, expect_iss=True).ephemeris("GCRF")
    except GyrfalconError as exc:
        raise InputError(f"{key}: {exc}") from None


def check_return_file_before_flight(scenario, source: str = "<embedded>") -> None:
    """A fixed landing day (``stay.land_on``) and a station file for it, checked before anything
    is flown (as :func:`return_ephemeris` checks it after): a ``return.ephemeris`` file must cover
    that day; a ``target.ephemeris`` file that will serve the return (a day the embedded data
    cannot serve) must reach it (the fit is cached: the return reuses it)."""
    from .scenario import EMBEDDED

    if not scenario.return_.enabled or scenario.stay.land_on is None:
        return
    if scenario.return_.ephemeris != EMBEDDED:
        return_ephemeris(scenario, scenario.stay.land_on, None, source)
        return
    day0, _, need_hi = _return_span(scenario.stay.land_on)
    if scenario.target.ephemeris != EMBEDDED and not _excerpt_serves(day0, need_hi):
        return_ephemeris(scenario, scenario.stay.land_on, target_station(scenario, source).ephemeris("GCRF"), source)


def _return_span(land_day: str) -> tuple:
    """(the landing day's first instant, the first instant a return needs, the last) as Times:
    an hour before the day to two days after its start (the day's passes and the next day's)."""
    from ..time import add_seconds, parse_utc

    day0 = parse_utc(land_day + "T00:00:00Z")
    return day0, add_seconds(day0, -3600.0), add_seconds(day0, 2 * 86400.0)


@functools.lru_cache(maxsize=1)
def _return_excerpt_oem():
    from importlib.resources import files

    from ..io.oem import load_oem

    return load_oem(files("gyrfalcon.mission") / "data" / RETURN_OEM_FILE)


@functools.lru_cache(maxsize=4)
def _return_excerpt():
    return _return_excerpt_oem().ephemeris("GCRF")


def packaged_return_oem() -> tuple:
    """(path, label, first instant) of the packaged excerpt of NASA's 2026-07-01 ISS file that the
    default return is flown with (``gyrfalcon landing`` uses it too after its first instant)."""
    from importlib.resources import files

    return (str(files("gyrfalcon.mission") / "data" / RETURN_OEM_FILE),
            f"packaged NASA ISS OEM 2026-07-01 excerpt {RETURN_OEM_FILE}", _return_excerpt().start)


def return_ephemeris(scenario, land_day: str, target_eph, source: str = "<embedded>") -> ReturnEphemeris:
    """The station trajectory covering ``land_day`` (YYYY-MM-DD) +- a day (see the module docstring):
    ``return.ephemeris`` if a file; else the flight's own station (``target_eph``) if it covers the
    day; else, for a day the embedded 2026 excerpt cannot serve, a ``target.ephemeris`` file read
    again for it (:func:`_return_from_target_source`); else the embedded data.

    The propagated case adds an along-track uncertainty that grows with the propagation span
    (drag and unplanned reboosts; see bench/README.md "Mission run").
    """
    from ..time import add_seconds, iso_utc, seconds_between
    from .scenario import EMBEDDED, resolve_path

    day0, need_lo, need_hi = _return_span(land_day)
    if scenario.return_.ephemeris != EMBEDDED:
        eph = _load_ephemeris_file(resolve_path(source, scenario.return_.ephemeris), "return.ephemeris")
        if not eph.covers(add_seconds(day0, 3600.0)):
            raise MissionError(f"return.ephemeris covers {iso_utc(eph.start, 0)} to {iso_utc(eph.stop, 0)}, not "
                               f"{land_day}; give an OEM that covers the landing day")
        return ReturnEphemeris(eph, str(scenario.return_.ephemeris))
    if target_eph.covers(need_lo) and target_eph.covers(add_seconds(day0, 86400.0)):
        return ReturnEphemeris(target_eph, "target ephemeris")
    if scenario.target.ephemeris != EMBEDDED and not _excerpt_serves(day0, need_hi):
        return _return_from_target_source(scenario, source, land_day, need_lo, need_hi)
    ref = _return_excerpt()
    if float(seconds_between(ref.start, day0)) < 0:
        raise MissionError(f"no embedded station ephemeris for {land_day} (embedded: to 2025-12-09 and from "
                           f"{iso_utc(ref.start, 0)[:10]}); set return.ephemeris to an OEM covering it")
    if ref.covers(need_hi):
        return ReturnEphemeris(ref, f"NASA OEM 2026-07-01 excerpt ({RETURN_OEM_FILE})")
    from ..orbits.station_source import load_station

    span_d = float(seconds_between(ref.stop, need_hi)) / 86400.0
    if span_d > RETURN_MAX_PROPAGATION_DAYS:
        raise MissionError(f"the landing day {land_day} is {span_d:.0f} days after the last embedded ISS ephemeris "
                           f"({iso_utc(ref.stop, 0)}); set return.ephemeris to an OEM covering it")
    st = load_station(_return_excerpt_oem(), until_utc=need_hi)
    d = st.drag
    return ReturnEphemeris(st.ephemeris("GCRF"), f"NASA OEM 2026-07-01 excerpt propagated {span_d:.1f} d (full model, "
                                                 f"{d.describe()})", d.drag_scale, d.rms_m, span_d)


def _excerpt_serves(day0, need_hi) -> bool:
    """Whether the packaged 2026-07-01 excerpt serves a landing day starting at ``day0``: on or after
    its first instant, and at most :data:`RETURN_MAX_PROPAGATION_DAYS` of propagation past its end."""
    from ..time import seconds_between

    ref = _return_excerpt()
    return (float(seconds_between(ref.start, day0)) >= 0
            and float(seconds_between(ref.stop, need_hi)) / 86400.0 <= RETURN_MAX_PROPAGATION_DAYS)


def _return_from_target_source(scenario, source, land_day, need_lo, need_hi) -> ReturnEphemeris:
    """The flight's own station data (``target.ephemeris``: an OEM, a TLE/OMM series) serving a
    return the embedded data cannot serve (a landing day before the 2026 excerpt), as ``gyrfalcon
    landing`` would: element sets dated before the landing day (never after), an OEM that ends
    earlier extended by propagation; its warnings (the data's age) become notes."""
    from ..time import add_seconds
    from .scenario import resolve_path

    path = resolve_path(source, scenario.target.ephemeris)
    until = add_seconds(need_hi, 2 * 86400.0)   # days after it too: a day with no reachable pass lands on the next
    try:
        st = _station_cached(str(path), need_lo.tt, until.tt)
    except GyrfalconError as exc:
        raise InputError(f"target.ephemeris, serving the return on {land_day}: {exc}; or set return.ephemeris to "
                         "an OEM covering that day") from None
    d = st.drag
    return ReturnEphemeris(st.ephemeris("GCRF"), st.describe(),
                           None if d is None else d.drag_scale, None if d is None else d.rms_m,
                           notes=tuple(st.warnings))


def _return_age_text(land_day: str) -> str:
    """How old the packaged return data are on the landing day, with the error expected of that
    age (:func:`gyrfalcon.orbits.station_source.expected_error_km`, the measured growth the
    ``landing --station-oem`` warning quotes); it moves the return's timing, not the guided
    landing point."""
    from ..orbits.station_source import expected_error_km
    from ..time import iso_utc, parse_utc, seconds_between

    made = _return_excerpt().meta.get("creation_date")
    if made is None:
        return ""
    age_d = float(seconds_between(made, parse_utc(land_day + "T00:00:00Z"))) / 86400.0
    med, p95 = expected_error_km(age_d)
    return (f"; the data were made {iso_utc(made, 0)[:10]}, {age_d:.0f} days before the landing day: expect ~{med:.0f} "
            f"km of along-track error (median; p95 ~{p95:.0f} km), which moves the return's times, not the guided "
            "landing point; a newer OEM as return.ephemeris narrows it")


# ---------------------------------------------------------------------------------------------
# phases
# ---------------------------------------------------------------------------------------------
def _nominal_duration(scenario, windows) -> tuple[str, float]:
    """(scheme, its nominal liftoff-to-contact duration [h], ``launch/data/schemes.toml``): the
    arrival the station rules are checked at before the flight; the window's scheme, else the
    scenario's (``auto``: the two-orbit one)."""
    from ..launch.windows import load_schemes

    scheme = windows[0].scheme if windows else scenario.rendezvous.scheme
    return scheme, load_schemes().get(scheme, load_schemes()["two-orbit"]).duration_h


def _rules_check(scenario, liftoff, windows, contact=None, undock_utc=None, eph=None) -> tuple[str, ...]:
    """The station rules the flight would break (:mod:`gyrfalcon.traffic.flight_rules`): raise
    a one-line WhatIfRequiredError unless ``scenario.what_if``, carrying the launch as
    :func:`_with_launch` (``eph``: the station's GCRF ephemeris, so that a caller can name the pads
    in service instead of one out of service for good); else the notes saying so.
    Before the flight (``contact`` None) the arrival is estimated as liftoff + the scheme's
    nominal duration; after it, ``contact`` (a Time) is the simulated contact and ``undock_utc``
    the simulated undocking (None: from the stay). Departure from the stay."""
    from ..time import add_seconds, iso_utc
    from ..traffic.flight_rules import WhatIfRequiredError, check_flight, enforce

    if contact is None:
        arrival = add_seconds(liftoff, _nominal_duration(scenario, windows)[1] * 3600.0)
    else:
        arrival = contact
    departure = undock_utc
    if scenario.return_.enabled and departure is None:
        departure = (scenario.stay.land_on + "T00:00:00.000Z" if scenario.stay.land_on is not None
                     else iso_utc(add_seconds(arrival, scenario.stay.days * 86400.0), 3))
        if departure <= iso_utc(arrival, 3):
            departure = None   # lands before the estimated arrival: only the arrival is checked
    breaches = check_flight(vehicle=scenario.vehicle.name, vehicle_type=scenario.vehicle.spacecraft,
                            launch_utc=liftoff, pad=scenario.launch.pad, crew=scenario.crew.names,
                            port=scenario.docking.port, arrival_utc=iso_utc(arrival, 3), departure_utc=departure)
    try:
        return enforce(breaches, scenario.what_if, f"scenario {scenario.name}")
    except WhatIfRequiredError as exc:
        raise _with_launch(exc, scenario, liftoff, eph) from None


def rules_before_flight(scenario, source: str = "<embedded>"):
    """The liftoff :func:`fly` would fly and the station-rule check it makes before anything is
    flown (:func:`_rules_check`, arrival estimated as liftoff + the scheme's nominal duration):
    ``(liftoff Time, what-if notes)``. The liftoff is ``launch.time``, or the first feasible
    window after ``launch.first_feasible_after`` found as :func:`fly` finds it (the station read
    by :func:`target_station`); raises the same one-line errors as :func:`fly` (no window; a rule
    broken, unless ``scenario.what_if``; the launch geometry first, :func:`launch_plane`). Nothing
    is flown (``gyrfalcon scenario check``)."""
    eph = target_station(scenario, source).ephemeris("GCRF")
    liftoff, windows = _window(scenario, eph)
    launch_plane(scenario, eph, liftoff)
    notes = rule_notes_before_flight(scenario, liftoff, windows, eph)
    check_return_file_before_flight(scenario, source)
    return liftoff, notes


def rule_notes_before_flight(scenario, liftoff, windows=(), eph=None) -> tuple[str, ...]:
    """The station rules a flight lifting off at ``liftoff`` breaks, checked before anything is
    flown (:func:`_rules_check`: refused in one line unless ``scenario.what_if``; with ``eph``, the
    station's GCRF ephemeris, the refusal carries the launch), and a what-if's note on a pad out of
    service (:func:`_pad_whatif_notes`): the notes ``scenario check`` prints and a campaign reports."""
    return tuple(_rules_check(scenario, liftoff, windows, eph=eph)) + tuple(_pad_whatif_notes(scenario, liftoff))


def _rules_after_flight(scenario, liftoff, windows, pre_rules, contact, undock_utc) -> list[str]:
    """The rule notes of the result: the check made before the flight (arrival estimated as liftoff
    + the scheme's nominal duration) made again with the simulated contact, so that every arrival
    time the notes give is the simulated one; without a contact, the estimate's notes say that
    they are an estimate. A rule the simulated arrival breaks although the estimate did not is
    stated (the flight is flown: the check before it passed)."""
    from ..time import iso_utc

    if contact is None:
        if not pre_rules:
            return []
        sch, h = _nominal_duration(scenario, windows)
        return [n + (f" (arrival estimated before the flight as liftoff + the {sch} nominal {h:g} h; no contact "
                     "was simulated)" if "arrival" in n else "") for n in pre_rules]
    post = list(_rules_check(scenario.model_copy(update={"what_if": True}), liftoff, windows, contact, undock_utc))
    if scenario.what_if:
        return post
    return [f"rules: with the simulated contact {iso_utc(contact, 0)} the flight " + n[len("what-if: "):]
            + "; the check before the flight (arrival estimated as liftoff + the nominal duration) passed"
            for n in post]


def _propagated_station_note(station, liftoff, t_end) -> tuple[str, ...]:
    """When the flight (liftoff to ``t_end``, the contact or the end of the approach) runs past the
    end of the station's OEM, which the station loader extends by propagation
    (:func:`gyrfalcon.orbits.station_source.load_station` with ``until_utc``; its own warning says
    from where): the warning saying which part of the flight is flown against the propagation."""
    from ..time import iso_utc, parse_utc, seconds_between

    if station.kind != "oem" or not station.predicted_from_utc:
        return ()
    t_pf = parse_utc(station.predicted_from_utc)
    if float(seconds_between(t_pf, t_end)) <= 0.0:
        return ()
    start = t_pf if float(seconds_between(liftoff, t_pf)) > 0.0 else liftoff
    return (f"the OEM ends {iso_utc(t_pf, 0)}: the flight from {iso_utc(start, 0)} to "
            f"{iso_utc(t_end, 0)} is flown against the station extended by propagation from there, not "
            "against NASA's samples; give an OEM that covers the flight to use them",)


def check_station_serves_launch(scenario, eph) -> None:
    """Refuse (InputError, one line naming the key) a station trajectory that does not reach the
    launch: a fixed ``launch.time`` outside it (to an hour after liftoff, past insertion), or a
    window search (``first_feasible_after`` + ``search_days``) that does not overlap it. Checked
    before anything is flown: ``run``, ``scenario check`` and the web API before queueing."""
    from ..time import add_seconds, iso_utc, parse_utc, seconds_between

    la = scenario.launch
    span = f"the station data ({iso_utc(eph.start, 0)} to {iso_utc(eph.stop, 0)})"
    if la.time is not None:
        t = parse_utc(la.time)
        if not (eph.covers(t) and eph.covers(add_seconds(t, 3600.0))):
            raise InputError(f"launch.time: {iso_utc(t, 0)}: {span} must cover the liftoff and the hour after it; "
                             "give a launch time inside them, or station data (target.ephemeris, "
                             "--station-oem/--station-tle) that cover it")
        return
    lo = parse_utc(la.first_feasible_after)
    hi = add_seconds(lo, la.search_days * 86400.0)
    if float(seconds_between(eph.stop, lo)) >= 0 or float(seconds_between(hi, eph.start)) >= 0:
        raise InputError(f"launch.first_feasible_after: the window search {iso_utc(lo, 0)} to {iso_utc(hi, 0)} lies "
                         f"outside {span}; give a date inside them, or station data that cover it")


def _window(scenario, eph):
    """(liftoff Time, windows considered)."""
    from ..launch.windows import NoFeasibleWindowError, joined_refusals, next_feasible_window
    from ..time import parse_utc

    check_station_serves_launch(scenario, eph)
    la = scenario.launch
    if la.time is not None:
        return parse_utc(la.time), ()
    schemes = ("two-orbit", "four-orbit", "two-day") if scenario.rendezvous.scheme == "auto" \
        else (scenario.rendezvous.scheme,)
    pad = _launch_pad(scenario)        # a what-if searches with the pad treated as in service
    found, errors = [], []
    for sch in schemes:
        try:
            found.append(next_feasible_window(eph, pad, sch, la.first_feasible_after, la.search_days,
                                              vehicle=scenario.vehicle.launcher,
                                              spacecraft=scenario.vehicle.spacecraft))
        except NoFeasibleWindowError as exc:
            errors.append(exc)
    if not found:
        hint = ("set launch.pad to a pad in service (and vehicle.launcher to its launcher)"
                if any(e.in_service is not None for e in errors) else
                "search more days (launch.search_days) or change the date")
        raise MissionError(f"launch: {joined_refusals(errors)}; {hint}")
    from ..time import seconds_between

    first = found[0].launch_utc
    found = sorted(found, key=lambda w: float(seconds_between(first, w.launch_utc)))
    return found[0].launch_utc, tuple(found)


def _scheme_refused(exc, scenario, liftoff, eph):
    """The rendezvous planner's refusal of the scheme (:func:`gyrfalcon.rendezvous.schemes.choose_scheme`:
    the phase, the scheme that would fit) said in the scenario's words (the keys to change), as the
    same error type carrying ``liftoff`` (Time), ``pad`` (the :class:`~gyrfalcon.launch.sites.Pad`
    flown from, in service for a what-if), ``scheme`` (asked for), ``station`` (the GCRF
    ephemeris) and ``vehicle`` (the spacecraft), so that a caller can add the nearest launch that
    fits and the pad's part."""
    from ..time import iso_utc

    key = "launch.time" if scenario.launch.time else "launch.first_feasible_after"
    scheme = scenario.rendezvous.scheme
    msg = str(exc)
    if getattr(exc, "reason", ""):           # a SchemeMismatchError: the advice in the scenario's keys
        msg = exc.reason + (f'; set rendezvous.scheme = "{exc.fits[0]}" (or "auto") in the scenario, or move {key} '
                            f"to a {exc.asked} window" if exc.fits else
                            f"; no scheme fits this phase ('auto' would refuse it too); move {key} to a "
                            f"{exc.asked} window")
    new = type(exc)(f'rendezvous.scheme = "{scheme}": launch {iso_utc(liftoff, 1)} from {scenario.launch.pad}: {msg}')
    return _with_launch(new, scenario, liftoff, eph)


def _plane_refused(exc, scenario, liftoff, eph):
    """The guided ascent's refusal of a pad too far from the plane
    (:func:`gyrfalcon.launch.insertion.check_pad_near_plane`) under the scenario's key, as the same
    error type carrying the attributes of :func:`_scheme_refused`, so that a caller can add the
    nearest launch that fits (:func:`gyrfalcon.refusals.nearest_launch_text`)."""
    from ..time import iso_utc

    key = "launch.time" if scenario.launch.time else "launch.first_feasible_after"
    new = type(exc)(f"{key}: {iso_utc(liftoff, 1)} from {scenario.launch.pad}: {str(exc).rstrip('.')}")
    return _with_launch(new, scenario, liftoff, eph)


def _with_launch(exc, scenario, liftoff, eph):
    """``exc`` carrying ``liftoff`` (Time), ``pad`` (the :class:`~gyrfalcon.launch.sites.Pad` flown
    from, in service for a what-if), ``scheme`` (asked for), ``station`` (the GCRF ephemeris) and
    ``vehicle`` (the spacecraft)."""
    exc.liftoff, exc.pad, exc.scheme, exc.station = liftoff, _launch_pad(scenario), scenario.rendezvous.scheme, eph
    exc.vehicle = scenario.vehicle.spacecraft
    return exc


def launch_plane(scenario, eph, liftoff):
    """The unit GCRF normal of the plane the ascent flies into (the scenario's scheme:
    :func:`gyrfalcon.rendezvous.plan.insertion_plane_normal`), checked before anything is flown as
    ``gyrfalcon rendezvous`` checks it (:func:`gyrfalcon.rendezvous.plan.checked_plane_normal`): a
    pad too far from the plane is refused first (:func:`_plane_refused`), then a phase the scheme
    does not fit (:func:`_scheme_refused`)."""
    from ..launch.insertion import OutOfPlaneError
    from ..rendezvous.plan import checked_plane_normal
    from ..rendezvous.schemes import NoSchemeError

    try:
        return checked_plane_normal(eph, _launch_pad(scenario), liftoff, scenario.rendezvous.scheme)
    except OutOfPlaneError as exc:
        raise _plane_refused(exc, scenario, liftoff, eph) from None
    except NoSchemeError as exc:
        raise _scheme_refused(exc, scenario, liftoff, eph) from None


def _launch_pad(scenario):
    """The scenario's launch :class:`~gyrfalcon.launch.sites.Pad`; for a what-if, with every
    recorded outage read as in service (:func:`gyrfalcon.traffic.flight_rules.pad_as_operational`,
    as ``gyrfalcon windows --what-if`` and ``gyrfalcon rendezvous --what-if`` treat it)."""
    from ..launch.sites import load_sites

    pad = load_sites().get(scenario.launch.pad)
    if scenario.what_if:
        from ..traffic.flight_rules import pad_as_operational

        pad = pad_as_operational(pad)
    return pad


def _countdown_board(scenario, liftoff):
    """The pad status board the countdown runs on: the site catalogue as known a minute before
    liftoff; for a what-if, the launch pad in service whatever the catalogue records (the other
    pads as recorded)."""
    from ..time import add_seconds, iso_utc

    return _pad_board(scenario, iso_utc(add_seconds(liftoff, -60.0), 0))


def _pad_board(scenario, known_before=None):
    """The site catalogue's status board (as known before ``known_before``, if given), with the
    scenario's launch pad in service for a what-if."""
    from ..launch.sites import PadStatusBoard, SiteCatalog

    board = PadStatusBoard.from_catalog(known_before=known_before)
    if not scenario.what_if:
        return board
    from ..traffic.flight_rules import pad_as_operational

    pad_id = board.catalog.resolve(scenario.launch.pad)
    pads = tuple(pad_as_operational(p) if p.id == pad_id else p for p in board.catalog.pads)
    return dataclasses.replace(board, catalog=SiteCatalog(pads))


def _pad_whatif_notes(scenario, liftoff) -> tuple[str, ...]:
    """For a what-if from a pad the catalogue has out of service at the terminal count (from
    L-1 h): the note that the window search and the countdown treat it as in service."""
    if not scenario.what_if:
        return ()
    from ..launch.sites import load_sites
    from ..launch.windows import PAD_NEEDED_BEFORE_LIFTOFF_S
    from ..time import add_seconds, iso_utc

    recorded = load_sites().get(scenario.launch.pad)
    pad = recorded.known_before(add_seconds(liftoff, -60.0))
    out = []
    for t in (add_seconds(liftoff, -PAD_NEEDED_BEFORE_LIFTOFF_S), liftoff):
        st = pad.status_at(t)
        if not st.available:
            out.append(f"what-if: pad {pad.id} is {st.status} on {iso_utc(liftoff, 0)} ({st.reason}; "
                       f"{recorded.repair_text(t)}); the window search and the countdown treat it as in service")
            break
    return tuple(out)


def _plan_and_approach(scenario, insertion, liftoff, eph):
    """The rendezvous plan and the approach with the scenario's Kurs faults, flown by
    :func:`gyrfalcon.rendezvous.handover.plan_and_fly` as ``gyrfalcon rendezvous`` flies them."""
    from ..proximity.kurs import KursFault
    from ..rendezvous.handover import plan_and_fly

    faults = tuple(KursFault("dropout", f.start_s, f.duration_s) for f in scenario.faults.kurs_dropout)
    return plan_and_fly(insertion, eph, scheme=scenario.rendezvous.scheme, vehicle=scenario.vehicle.spacecraft,
                        port_id=scenario.docking.port, seed=scenario.seed, faults=faults,
                        plan_kwargs={"liftoff": liftoff, "force_model": "full"})


def _manifest(scenario, launch_utc: str, contact_utc: str, undock_utc: str | None, notes):
    from ..traffic.builtin import late2025
    from ..traffic.flight_rules import plan_note, record_gap_note
    from ..traffic.manifest import Manifest, ManifestRuleError, make_event

    planned = plan_note(scenario.docking.port, contact_utc, scenario.vehicle.name)
    if planned is not None:
        notes.append(planned)
    gap = record_gap_note(contact_utc)
    if gap is not None:
        # a flight of the past (e.g. 2021): the record does not hold the station of that day, and
        # the flight must not be left docked into the record's late-2025 arrivals
        notes.append(gap)
        return None, (), None
    b = late2025()
    name = scenario.vehicle.name
    crew = tuple(scenario.crew.names)
    events = [e for e in b.events if not (e.vehicle == name and e.kind in ("launch", "arrival", "departure"))]
    events += [make_event("launch", launch_utc, name, pad=scenario.launch.pad, crew=crew, notes="gyrfalcon run"),
               make_event("arrival", contact_utc, name, port=scenario.docking.port, crew=crew, notes="gyrfalcon run")]
    if undock_utc is not None:
        events.append(make_event("departure", undock_utc, name, crew=crew, notes="gyrfalcon run"))
    events.sort(key=lambda e: e.t_utc)
    from ..traffic.manifest import Event

    events = [Event(**{**e.__dict__, "id": i + 1}) for i, e in enumerate(events)]
    vehicles = {**b.vehicles, name: scenario.vehicle.spacecraft}
    try:
        m = Manifest.from_events(events, vehicles, None, _pad_board(scenario) if scenario.what_if else None)
    except ManifestRuleError as exc:
        rule = getattr(exc, "rule", None)
        if not (scenario.what_if and rule and any(f"breaks rule {rule}:" in n for n in notes)):
            notes.append(f"manifest: the flight does not fit the late-2025 ISS manifest: {exc}")
        # else: the what-if note already says it; either way no port occupancy is given
        return None, (), None
    from ..time import add_seconds, iso_utc, parse_utc

    occ = m.occupancy_at(iso_utc(add_seconds(parse_utc(contact_utc), 1.0), 3))
    return occ, tuple(m.milestones), m


def _pad_whatif(damage):
    """The traffic what-if of a pad damaged by this launch (built-in plan, default turnaround)."""
    from ..time import iso_utc
    from ..traffic.whatif import PadOutage, pad_outage_whatif

    return pad_outage_whatif(PadOutage(damage.pad_id, iso_utc(damage.t, 3), iso_utc(damage.repair_utc, 3),
                                       damage.cause))


ASCENT_THRUST_EVENTS = ("strapons-cutoff", "core-cutoff", "third-stage-ignition", "third-stage-cutoff")
"""Ascent events where the thrust jumps: the chaser ephemeris starts a segment at each."""


def _chaser_ephemeris(ascent, plan, approach, eph):
    """GCRF chaser trajectory, one segment per piece of constant thrust law: the powered ascent
    split at its cutoffs and ignitions, each coast and finite burn of the plan, and the approach.
    A segment ends at the instant the next starts (a sample of both), so that interpolation never
    crosses a change of thrust, and the pieces join without a gap (the plan's last sample is the
    hand-over, the approach's first)."""
    from ..orbits.ephemeris import Ephemeris
    from ..proximity.relative import lvlh_to_inertial
    from ..time import parse_utc, seconds_between

    epoch = ascent.liftoff
    tr = ascent.trajectory
    parts = _split_at(np.asarray(tr.met_s, float), tr.r_gcrf_m, tr.v_gcrf_mps,
                      [e.met_s for e in ascent.timeline if e.name in ASCENT_THRUST_EVENTS])
    off_eph = float(seconds_between(eph.epoch, epoch))

    def rel(off, t_s, rho, rho_dot):
        s = off + np.asarray(t_s, float)
        r_t, v_t = eph.interpolate(s + off_eph)
        d_r, d_v = lvlh_to_inertial(r_t, v_t, rho, rho_dot)
        return s, r_t + d_r, v_t + d_v

    t_handover = None if approach is None else float(seconds_between(epoch, parse_utc(approach.start_utc)))
    rt = plan.relative_trajectory
    if rt is not None:
        # the plan's times count from the ascent's own separation instant (its ISO string is rounded to 1 ms)
        ins = float(seconds_between(epoch, ascent.insertion.t))
        if abs(ins - float(seconds_between(epoch, parse_utc(plan.insertion_utc)))) > 1e-3:
            ins = float(seconds_between(epoch, parse_utc(plan.insertion_utc)))
        s, r, v = rel(ins, rt.t_s, rt.rho_lvlh_m, rt.rho_dot_lvlh_mps)
        bounds = list(rt.segment_starts) + [len(s)]
        for a, b in zip(bounds[:-1], bounds[1:]):
            keep = np.arange(a, b)[s[a:b] >= parts[-1][0][-1] - 1e-3]
            if t_handover is not None:
                keep = keep[s[keep] <= t_handover + 1e-3]
            if len(keep) >= 2:
                parts.append((s[keep], r[keep], v[keep]))
    if approach is not None:
        last = len(approach.t_s) - 1
        if approach.contact_s is not None:     # through the first step after contact, so that it is covered
            last = min(last, int(np.searchsorted(approach.t_s, approach.contact_s, side="right")))
        idx = np.unique(np.append(np.arange(0, last + 1, 10), last))
        s, r, v = rel(t_handover, approach.t_s[idx], approach.rho_lvlh_m[idx], approach.rho_dot_lvlh_mps[idx])
        t_p, r_p, v_p = parts[-1]
        if rt is not None and len(t_p) > 2 and abs(t_p[-1] - s[0]) < 1e-3:
            # the plan's last instant is the hand-over, which the approach counts from as written (to
            # the ms): the approach's first state ends the plan, so the two share one instant
            parts[-1] = (np.append(t_p[:-1], s[0]), np.vstack([r_p[:-1], r[:1]]), np.vstack([v_p[:-1], v[:1]]))
        keep = s >= parts[-1][0][-1] - 1e-9      # from the hand-over on
        parts.append((s[keep], r[keep], v[keep]))
    starts, n, ts, rs, vs = [], 0, [], [], []
    for t_p, r_p, v_p in parts:            # strictly increasing times within each segment
        ok = np.concatenate([[True], np.diff(t_p) > 1e-6])
        starts.append(n)
        n += int(ok.sum())
        ts.append(t_p[ok]); rs.append(r_p[ok]); vs.append(v_p[ok])
    return Ephemeris(epoch, np.concatenate(ts), np.concatenate(rs), np.concatenate(vs), "GCRF",
                     name="chaser", segment_starts=tuple(starts))


def _split_at(t, r, v, breaks) -> list:
    """``(t, r, v)`` samples as pieces split at the ``breaks`` that are samples (within 1 us), each
    break the last sample of one piece and the first of the next."""
    cut = sorted({int(i) for b in breaks for i in np.nonzero(np.abs(t - b) < 1e-6)[0] if 0 < i < len(t) - 1})
    edges = [0] + cut + [len(t) - 1]
    return [(t[a:b + 1], r[a:b + 1], v[a:b + 1]) for a, b in zip(edges[:-1], edges[1:])]


def _station_span(eph, chaser):
    from ..orbits.ephemeris import Ephemeris
    from ..time import seconds_between

    off = float(seconds_between(eph.epoch, chaser.epoch))
    t0, t1 = chaser.t_s[0], chaser.t_s[-1]
    s = np.arange(t0, t1, 60.0)
    s = np.append(s, t1)
    r, v = eph.interpolate(s + off)
    return Ephemeris(chaser.epoch, s, r, v, "GCRF", name="ISS")


# ---------------------------------------------------------------------------------------------
# the flight
# ---------------------------------------------------------------------------------------------
ASCENT_LABELS = {"liftoff": "liftoff", "max-q": "max-Q", "strapons-separation": "first stage (strap-on) separation",
                 "les-jettison": "escape tower jettison", "fairing-jettison": "fairing jettison",
                 "core-separation": "second stage (core) separation", "third-stage-cutoff": "third stage cutoff",
                 "spacecraft-separation": "spacecraft separation (insertion)"}
"""The ascent events the timeline shows, and their names there."""
APPROACH_LABELS = {"closing": "closing (Kurs approach)", "flyaround": "flyaround", "station_keeping": "station-keeping",
                   "final_approach": "final approach", "backaway": "back-away"}
"""The approach phases' names on the timeline."""


@dataclass
class _Timeline:
    """The events of one run as its phases add them (a builder local to :func:`fly`)."""

    liftoff: object
    events: list = dataclasses.field(default_factory=list)

    def add(self, name: str, t, phase: str, notes: str = "") -> None:
        from ..time import iso_utc, parse_utc, seconds_between

        tt = parse_utc(t) if isinstance(t, str) else t       # strings only from phase results that carry text
        self.events.append(TimelineEvent(name, iso_utc(tt, 1), round(float(seconds_between(self.liftoff, tt)), 1),
                                         phase, notes, t=tt))


def fly(scenario, *, source: str = "<embedded>", progress: Progress | None = None) -> MissionResult:
    """Fly ``scenario`` (a validated :class:`~gyrfalcon.mission.scenario.Scenario`) end to end.

    ``source``: the scenario file's path (relative ephemeris paths are resolved against it);
    ``progress(phase, status)`` is called at the start and end of each phase of :data:`PHASES`.
    Each phase is a function of its own below; this one chains them and gathers the result.
    """
    from ..time import add_seconds, iso_utc, parse_utc

    prog = progress or _noop
    notes: list[str] = []
    warnings: list[str] = []       # the station data's warnings: also notes ("station: ...")

    prog("window", "start")
    station, eph, liftoff, windows = _window_phase(scenario, source, notes, warnings)
    plane = launch_plane(scenario, eph, liftoff)     # a launch vehicle limit: refused even for a what-if
    prog("window", "done")
    lo_iso = iso_utc(liftoff, 1)
    tl = _Timeline(liftoff)
    if windows:
        w = windows[0]
        tl.add("pad crosses the station plane", w.inplane_utc, "ascent",
               f"{w.scheme}: {w.reason}; azimuth {math.degrees(w.azimuth_rad):.2f} deg")

    # station rules, before any heavy work: refused unless the scenario is a what-if
    n_pre = len(notes)
    pre_rules = _rules_check(scenario, liftoff, windows, eph=eph)
    notes.extend(pre_rules)
    check_return_file_before_flight(scenario, source)

    prog("countdown", "start")
    cd = _countdown_phase(scenario, liftoff, tl)
    prog("countdown", "done")
    base = dict(scenario=scenario, seed=scenario.seed, countdown=cd, windows=windows, what_if=bool(scenario.what_if))
    base["scenario_source"] = source   # where its relative file paths point (the outputs copy its station file)
    base["station_report"] = station.to_dict()   # the station report of --json (as every command gives it)
    if cd.pad_damage is not None:      # its consequences for the station's traffic (the report shows them)
        base["pad_whatif"] = _pad_whatif(cd.pad_damage)
    if cd.scrubbed:
        notes.append(f"countdown scrubbed: {cd.reason}")
        for ph in PHASES[2:-1]:
            prog(ph, "skip")
        return MissionResult(launch_utc=None, insertion_utc=None, contact_utc=None, landing_utc=None,
                             total_dv_mps=None, events=tuple(sorted(tl.events, key=lambda e: e.met_s)),
                             notes=tuple(notes), times=MissionTimes(liftoff), warnings=tuple(warnings), **base)

    prog("ascent", "start")
    asc = _ascent_phase(scenario, plane, liftoff, tl)
    prog("ascent", "done")
    prog("rendezvous", "start")
    plan, appr = _rendezvous_phase(scenario, asc, liftoff, eph, tl)
    prog("rendezvous", "done")
    prog("approach", "start")
    t_contact = _approach_phase(scenario, asc, plan, appr, tl, notes)
    prog("approach", "done")
    t_end = t_contact if t_contact is not None else add_seconds(parse_utc(appr.start_utc), float(appr.t_s[-1]))
    _station_warnings(notes, warnings, _propagated_station_note(station, liftoff, t_end)
                      + tuple(w for w in [station.stale_at_end(liftoff, t_end)] if w))

    # return (before the manifest, which records the departure)
    landing = t_landing = undock_utc = ret_source = None
    if t_contact is not None and scenario.return_.enabled:
        prog("return", "start")
        landing, ret_source = _return_phase(scenario, t_contact, eph, source, notes, tl)
        undock_utc, t_landing = landing.departure.undock_utc, parse_utc(landing.flight.entry.landing_utc)
        prog("return", "done")
    else:
        prog("return", "skip")

    # the station rules again with the simulated contact (before the flight: liftoff + the nominal)
    notes[n_pre:n_pre + len(pre_rules)] = _rules_after_flight(scenario, liftoff, windows, pre_rules, t_contact,
                                                              undock_utc)
    prog("manifest", "start")
    occ, milestones, manifest = _manifest_phase(scenario, lo_iso, appr.contact_utc if t_contact is not None else None,
                                                undock_utc, notes, tl)
    prog("manifest", "done")

    chaser = _chaser_ephemeris(asc, plan, appr, eph)
    station_eph = _station_span(eph, chaser)
    events = sorted(tl.events, key=lambda e: (e.met_s, e.name))
    return MissionResult(launch_utc=lo_iso, insertion_utc=iso_utc(asc.insertion.t, 1),
                         contact_utc=None if t_contact is None else iso_utc(t_contact, 1),
                         landing_utc=None if t_landing is None else iso_utc(t_landing, 1),
                         times=MissionTimes(liftoff, asc.insertion.t, t_contact, t_landing),
                         total_dv_mps=round(float(plan.total_dv_mps), 2), events=tuple(events), ascent=asc,
                         rendezvous=plan, approach=appr, occupancy=occ, landing=landing, chaser=chaser,
                         station=station_eph, notes=tuple(notes), milestones=tuple(milestones),
                         return_station_source=ret_source, manifest=manifest,
                         warnings=tuple(warnings), **base)


def _window_phase(scenario, source, notes, warnings):
    """The target station and the liftoff: (station, its GCRF ephemeris, liftoff Time, windows)."""
    station = target_station(scenario, source)
    eph = station.ephemeris("GCRF")
    notes.append(f"station: {station.describe()}")          # the source, the drag fitted and its rms
    _station_warnings(notes, warnings, station.warnings)
    liftoff, windows = _window(scenario, eph)
    notes.extend(_pad_whatif_notes(scenario, liftoff))
    return station, eph, liftoff, windows


def _station_warnings(notes, warnings, texts) -> None:
    """The station data's warnings ``texts``: in ``warnings`` as they are, in ``notes`` as ``station: ...``."""
    for w in texts:
        warnings.append(w)
        notes.append(f"station: {w}")


def _countdown_phase(scenario, liftoff, tl: _Timeline):
    """The countdown with the scenario's faults; its checks, holds and any pad damage on the timeline."""
    from ..launch.countdown import run_countdown
    from ..time import iso_utc

    board = _countdown_board(scenario, liftoff)
    cd = run_countdown(scenario.launch.pad, liftoff, vehicle=scenario.vehicle.launcher, crewed=scenario.crewed,
                       board=board, mission=scenario.vehicle.name, faults=list(scenario.faults.countdown))
    for e in cd.events:
        if e.interlock is not None:
            tl.add(f"check {e.interlock}", e.t, "countdown", e.message.split(": ", 1)[-1])
        elif e.state.value in ("ignition", "hold", "scrubbed"):
            tl.add(e.state.value, e.t, "countdown", e.message)
    if cd.pad_damage is not None:
        d = cd.pad_damage
        tl.add("pad damaged", d.t, "countdown", f"{d.cause}; {d.pad_id} out of service until {iso_utc(d.repair_utc, 0)[:10]}")
    return cd


def _ascent_phase(scenario, plane, liftoff, tl: _Timeline):
    """The ascent into the insertion plane of unit GCRF normal ``plane`` (:func:`launch_plane`);
    its events (a cargo ship has no escape tower)."""
    from ..launch.ascent import fly_ascent
    from ..launch.sites import load_sites
    from ..launch.vehicles import load_spacecraft
    from ..station.catalog import load_station as load_station_catalog
    from ..time import add_seconds

    pad = load_sites().get(scenario.launch.pad)
    asc = fly_ascent(liftoff, pad_lat_rad=pad.lat_rad, pad_lon_rad=pad.lon_rad, pad_alt_m=pad.alt_m,
                     plane_normal_gcrf=plane, vehicle=scenario.vehicle.launcher,
                     payload_kg=load_spacecraft(scenario.vehicle.spacecraft).launch_mass_kg)
    crewed = load_station_catalog().vehicle_type(scenario.vehicle.spacecraft).crewed
    for a in asc.timeline:
        if a.name == "les-jettison" and not crewed:
            continue            # a cargo ship flies without an escape tower (the ascent's masses: docs/models.md)
        if a.name in ASCENT_LABELS:
            tl.add(ASCENT_LABELS[a.name], add_seconds(liftoff, float(a.met_s)), "ascent",
                   f"h {a.altitude_m / 1e3:.1f} km, v {a.inertial_speed_mps:.0f} m/s"
                   + (f", q {a.dynamic_pressure_pa / 1e3:.1f} kPa" if a.name == "max-q" else ""))
    return asc


def _rendezvous_phase(scenario, asc, liftoff, eph, tl: _Timeline):
    """The rendezvous plan and the simulated approach; the insertion orbit and the burns on the timeline."""
    from ..rendezvous.schemes import NoSchemeError
    from ..time import add_seconds

    try:
        plan, appr = _plan_and_approach(scenario, asc.insertion, liftoff, eph)
    except NoSchemeError as exc:
        raise _scheme_refused(exc, scenario, liftoff, eph) from None
    el = asc.elements
    ins_note = (f"; orbit {el.perigee_altitude_m / 1e3:.1f} x {el.apogee_altitude_m / 1e3:.1f} km, "
                f"i {math.degrees(el.i_rad):.2f} deg; station {plan.catch_up_deg:.1f} deg ahead ({plan.scheme})")
    sep = ASCENT_LABELS["spacecraft-separation"]
    tl.events[:] = [dataclasses.replace(e, notes=e.notes + ins_note) if e.name == sep else e for e in tl.events]
    for b in plan.burns:
        tl.add(f"burn {b.name}", b.utc if b.met_s is None else add_seconds(liftoff, float(b.met_s)), "rendezvous",
               f"{b.dv_mps:.2f} m/s, {b.duration_s:.0f} s; then {b.perigee_altitude_m / 1e3:.0f} x "
               f"{b.apogee_altitude_m / 1e3:.0f} km, range {b.range_to_station_m / 1e3:.1f} km")
    return plan, appr


def _approach_phase(scenario, asc, plan, appr, tl: _Timeline, notes):
    """Kurs acquisition, the approach's phases, and the contact (with hard dock and hatch opening)
    or the approach's end; returns the contact Time, None when not captured."""
    from ..proximity.kurs import KursModel
    from ..time import add_seconds, parse_utc

    acq_m = KursModel().acquisition_range_m
    rt = plan.relative_trajectory
    if rt is not None:
        rng = np.linalg.norm(rt.rho_lvlh_m, axis=1)
        idx = np.nonzero(rng < acq_m)[0]
        if len(idx):
            k = int(idx[0])
            t_s = float(rt.t_s[k])
            if k > 0:                     # the crossing between the samples (range linear over one step)
                t_s = float(np.interp(acq_m, [rng[k], rng[k - 1]], [rt.t_s[k], rt.t_s[k - 1]]))
            tl.add("Kurs acquisition", add_seconds(asc.insertion.t, t_s), "approach",
                   f"range {acq_m / 1e3:.0f} km (Kurs acquisition range, model)")
    t_approach = parse_utc(appr.start_utc)
    for ph in appr.phases:
        tl.add(APPROACH_LABELS.get(ph.name, ph.name.replace("_", " ")), add_seconds(t_approach, float(ph.start_s)),
               "approach", f"{ph.duration_s / 60:.1f} min")
    if appr.contact_utc is None or appr.verdict != "captured":
        notes.append(f"approach ended without capture: verdict {appr.verdict}; {'; '.join(appr.events[-3:])}")
        tl.add(f"approach {appr.verdict}", add_seconds(t_approach, float(appr.t_s[-1])), "approach",
               "; ".join(appr.events[-2:]))
        return None
    t_contact = parse_utc(appr.contact_utc)
    c = appr.contact
    cnote = f"{scenario.docking.port}, verdict {appr.verdict}"
    if c is not None:
        cnote += f", closing {getattr(c, 'closing_speed_mps', float('nan')):.3f} m/s"
    tl.add("contact", t_contact, "docking", cnote)
    tl.add("hooks closed (hard dock)", add_seconds(t_contact, HOOKS_AFTER_CONTACT_S), "docking",
           "modelling value: contact + 13 min (domain.md 2.3, C)")
    if scenario.crewed:
        tl.add("hatch open", add_seconds(t_contact, HATCH_AFTER_CONTACT_S), "docking",
               "modelling value: contact + 2 h 30 min (as Soyuz MS-27)")
    return t_contact


def _return_phase(scenario, t_contact, eph, source, notes, tl: _Timeline):
    """Undocking, deorbit, entry and landing on the timeline: (LandingPlan, the return station's source)."""
    from ..time import parse_utc, seconds_between

    landing, _land_day, ret = _return(scenario, t_contact, eph, source, notes)
    f, e = landing.flight, landing.flight.entry
    undock_utc = landing.departure.undock_utc
    stay_d = float(seconds_between(t_contact, parse_utc(undock_utc))) / 86400.0
    tl.add("undocking", undock_utc, "return", f"{landing.departure.port}; stay {stay_d:.1f} days; station: {ret.source}")
    tl.add("deorbit burn", f.burn.utc, "return", f"{f.burn.dv_mps:.1f} m/s, {f.burn.duration_s:.0f} s")
    tl.add("module separation", f.separation_utc, "return", "")
    tl.add("entry interface", e.entry_interface_utc, "return",
           f"{e.entry_speed_mps:.0f} m/s, {e.entry_flight_path_angle_deg:.2f} deg; max {e.max_g:.1f} g")
    tl.add("parachute", e.parachute_utc, "return", "")
    d = landing.to_dict()
    ref = d.get("landing_from_reference")
    from ..landing.zones import latlon_text

    where = f"{latlon_text(e.landing_lat_deg, e.landing_lon_deg)}; {d['miss_km']:.1f} km from the zone centre"
    if ref:
        where += f"; {ref['distance_km']:.0f} km {ref['compass']} of {ref['place'].split(' (')[0]}"
    tl.add("landing", parse_utc(e.landing_utc), "return", where)
    return landing, ret.source


def _manifest_phase(scenario, lo_iso, contact_utc, undock_utc, notes, tl: _Timeline):
    """The station's manifest with this flight: (occupancy, milestones, manifest), Nones without a contact."""
    from ..time import add_seconds, parse_utc, seconds_between

    if contact_utc is None:
        return None, (), None
    t_contact = parse_utc(contact_utc)
    occ, milestones, manifest = _manifest(scenario, lo_iso, contact_utc, undock_utc, notes)
    if occ is not None:
        tl.add("station manifest updated", add_seconds(t_contact, 1.0), "docking",
               f"{occ.occupied_count}/{len(occ.ports)} ports occupied, {len(occ.crew_aboard)} crew aboard")
        for m in milestones:
            if float(seconds_between(t_contact, parse_utc(m.t_utc))) >= 0 and "all" in m.text.lower():
                tl.add("milestone", m.t_utc, "stay", m.text)
    return occ, milestones, manifest


def _return(scenario, contact, eph, source, notes):
    """The return after docking at ``contact`` (a Time; an ISO string is parsed)."""
    from ..landing.plan import BURN_LEAD_S, daily_opportunities, plan_landing
    from ..time import add_seconds, iso_utc, parse_utc, seconds_between

    if scenario.stay.land_on is not None:
        land_day = scenario.stay.land_on
    else:
        land_day = iso_utc(add_seconds(parse_utc(contact), scenario.stay.days * 86400.0), 0)[:10]
    ret = return_ephemeris(scenario, land_day, eph, source)
    if ret.propagated_days:
        notes.append(f"return: ISS trajectory {ret.source}{_return_age_text(land_day)}")
    notes.extend(f"return: {n}" for n in ret.notes)
    opp = daily_opportunities(ret.ephemeris, land_day, zone=scenario.return_.zone, vehicle=scenario.vehicle.spacecraft)
    chosen = opp.reachable[0] if opp.reachable else opp.next_reachable
    if chosen is None:
        raise MissionError(f"return: no reachable pass over the {scenario.return_.zone} zone on {land_day} or the "
                           f"following days (searched to {opp.searched_until_utc}); choose another "
                           f"{'stay.land_on' if scenario.stay.land_on is not None else 'stay.days'}")
    if not opp.reachable:
        notes.append(f"return: no reachable pass on {land_day}; landing on the next one ({chosen.pass_utc})")
    t_und = add_seconds(parse_utc(chosen.pass_utc), -BURN_LEAD_S - UNDOCK_BEFORE_BURN_S)
    t_und = parse_utc(iso_utc(t_und, 0)[:16] + ":00Z")       # a whole minute, as a flight plan gives it
    kw = dict(vehicle=scenario.vehicle.spacecraft, zone=scenario.return_.zone, mode=scenario.return_.mode,
              port=scenario.docking.port)
    first = plan_landing(ret.ephemeris, t_und, **kw)
    # second pass: undock 2 h 30 min before the burn actually solved for (the first guess is within ~20 min)
    t_und2 = add_seconds(parse_utc(first.flight.burn.utc), -UNDOCK_BEFORE_BURN_S)
    t_und2 = parse_utc(iso_utc(t_und2, 0)[:16] + ":00Z")
    landing = plan_landing(ret.ephemeris, t_und2, **kw)
    same_pass = abs(float(seconds_between(parse_utc(first.chosen.pass_utc), parse_utc(landing.chosen.pass_utc)))) < 600.0
    if not same_pass:   # pragma: no cover - taken only if the two plans reach different passes (~93 min apart)
        landing = first
    return landing, land_day, ret


# ---------------------------------------------------------------------------------------------
# outputs
# ---------------------------------------------------------------------------------------------
def default_out_dir(scenario) -> Path:
    """``./gyrfalcon-out/<scenario name>``."""
    return Path("gyrfalcon-out") / scenario.name


def write_outputs(result: MissionResult, out_dir, scenario_text: str, *, progress: Progress | None = None) -> dict:
    """Write the output files of ``result`` into ``out_dir`` atomically; returns {kind: path or note}.

    The folder is built as a hidden sibling (:mod:`gyrfalcon.mission.outdir`: marked as ours
    first, ``COMPLETE`` last) and renamed onto ``out_dir``. An existing ``out_dir`` is replaced
    only when it is empty or ours (else :class:`~gyrfalcon.mission.outdir.OutputError`, nothing
    written); a symbolic link is refused; a second process writing the same ``out_dir`` is refused
    (lock). Leftovers of killed runs into the same folder are removed first. When a requested
    file (report, CZML) fails to write, the folder is installed *without* ``COMPLETE`` and
    :class:`OutputsIncompleteError` is raised naming the failure: it never looks complete.
    A failure or Ctrl-C before the rename leaves ``out_dir`` as it was.
    """
    from . import outdir as od

    prog = progress or _noop
    prog("outputs", "start")
    out = od.check_output_folder(Path(out_dir), kind="run")
    out.parent.mkdir(parents=True, exist_ok=True)
    with od.parent_lock(out):
        od.clean_stale_siblings(out)
        od.check_no_live_writer(out)
        od.check_output_folder(out, kind="run")   # again, under the lock
        tmp, lock = od.new_partial_folder(out)
    try:
        with lock:
            written, failed = _write_run_files(result, scenario_text, tmp)
            # the owner file names every file the run wrote: a later run replaces only those
            names = sorted(e.name for e in tmp.iterdir() if e.name not in (od.OWNER_FILE, od.COMPLETE_FILE))
            (tmp / od.OWNER_FILE).write_text("\n".join([od.RUN_OWNER_TEXT, *names]) + "\n", encoding="utf-8")
            _fsync_folder(tmp)
            if not failed:
                (tmp / od.COMPLETE_FILE).write_text("gyrfalcon run complete\n", encoding="utf-8")
            with od.parent_lock(out):
                od.install_folder(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if failed:
        raise OutputsIncompleteError(
            f"outputs in {out} are incomplete (no {od.COMPLETE_FILE} written): {'; '.join(failed)}", written)
    prog("outputs", "done")
    return written


OPTIONAL_OUTPUTS = (("report", "gyrfalcon.mission.report", "write_report", "report.html"),
                    ("czml", "gyrfalcon.io.czml", "write_czml", "flight.czml"))
"""The outputs written by another module's writer: (kind, module, function, file name)."""


def _write_run_files(result, scenario_text, tmp: Path) -> tuple:
    """The run's files in the partial folder ``tmp``: ({kind: file or note}, [failures])."""
    from ..io.jsontext import json_text

    written: dict = {}
    failed: list = []
    (tmp / "timeline.json").write_text(json_text(result.to_json_dict(), indent=2) + "\n", encoding="utf-8")
    written["timeline"] = "timeline.json"
    written["scenario"] = _write_scenario_record(result, scenario_text, tmp)
    sc = result.scenario
    if sc.output.oem and result.chaser is not None:
        _write_run_oems(result, tmp)
        written["oem"] = "chaser.oem, station.oem"
    for kind, module, fn, name in OPTIONAL_OUTPUTS:
        if not getattr(sc.output, kind):
            continue
        if kind == "czml" and result.chaser is None:
            written[kind] = "skipped (no flight to show: the countdown was scrubbed)"
            continue
        written[kind], failure = _write_optional(result, tmp / name, module, fn)
        if failure is not None:
            failed.append(f"{name}: {failure}")
    return written, failed


_RECORD_HEADER = re.compile(r"^# (as flown by `gyrfalcon run`: |[\w.]+\.ephemeris = .*: a copy of |"
                            r"[\w.]+ of this flight: |[\w.]+ = .*: given by --)")
"""The comment lines :func:`_write_scenario_record` puts at the head of a run's ``scenario.toml``."""


def _without_record_header(text: str) -> str:
    """``text`` without the leading comment lines a previous run's record put there."""
    lines = text.splitlines(keepends=True)
    k = 0
    while k < len(lines) and _RECORD_HEADER.match(lines[k]):
        k += 1
    return "".join(lines[k:])


def _write_scenario_record(result, scenario_text, tmp: Path) -> str:
    """``scenario.toml`` as flown: the station data actually used copied beside it and referenced
    relatively, and the options that changed the scenario after it was read, so that the record
    reproduces the flight. Returns the files written (text)."""
    from . import outdir as od

    head = f"# as flown by `gyrfalcon run`: seed {result.seed}, liftoff {result.launch_utc or '(scrubbed)'}\n"
    scenario_text = _without_record_header(scenario_text)      # a record flown again: one header, not two
    rec, copies, origins = od.copy_station_files(result.scenario, scenario_text,
                                                 getattr(result, "scenario_source", None) or "<embedded>", tmp)
    head += "".join(f"# {o}\n" for o in origins)
    rec, changed = od.record_overrides(result.scenario, rec)    # --seed, --what-if, --no-return
    head += "".join(changed)
    (tmp / "scenario.toml").write_text(head + rec, encoding="utf-8")
    return ", ".join(("scenario.toml",) + copies)


def _write_run_oems(result, tmp: Path) -> None:
    """``chaser.oem`` and ``station.oem`` at the scenario's step, dated at the liftoff."""
    from ..io.oem import write_oem

    sc = result.scenario
    cdate = result.launch_utc
    write_oem(tmp / "chaser.oem", _resample(result.chaser, sc.output.oem_step_s),
              object_name=sc.vehicle.name, object_id=sc.vehicle.name, creation_date=cdate,
              comments=[f"Gyrfalcon mission run, scenario {sc.name}, seed {sc.seed}",
                        "liftoff -> contact: ascent (3-DOF), rendezvous plan and approach (relative to the station ephemeris)",
                        "CREATION_DATE is the liftoff epoch so that identical inputs give identical files"])
    write_oem(tmp / "station.oem", _resample(result.station, sc.output.oem_step_s), object_name="ISS",
              object_id="1998-067A", creation_date=cdate,
              comments=[f"Gyrfalcon mission run, scenario {sc.name}: the station over the chaser's span"])


def _write_optional(result, path: Path, module: str, fn: str) -> tuple:
    """One output by another module's writer: (what ``written`` says, the failure or None). A
    disk error fails the whole output; any other error is reported and its file removed."""
    import importlib

    try:
        writer = getattr(importlib.import_module(module), fn)
    except (ImportError, AttributeError):
        return f"skipped ({module}.{fn} not available yet)", None
    try:
        writer(result, path)
    except OSError:
        raise                   # full disk, permissions: the whole output fails
    except Exception as exc:  # noqa: BLE001 - another module's writer: report it, never mark complete
        path.unlink(missing_ok=True)
        first = str(exc).splitlines()[0][:200] if str(exc) else ""
        return f"FAILED ({module}.{fn}: {type(exc).__name__}: {first})", f"{type(exc).__name__}: {first}"
    return path.name, None


class OutputsIncompleteError(GyrfalconError):
    """A requested output file could not be written; the folder is in place without ``COMPLETE``.
    ``.written`` holds what :func:`write_outputs` would have returned."""

    def __init__(self, message: str, written: dict):
        super().__init__(message)
        self.written = written


def _fsync_folder(folder: Path) -> None:
    """Flush the folder's files to disk before it is marked complete (best effort)."""
    for f in folder.iterdir():
        try:
            fd = os.open(f, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:
            pass


POWERED_SAMPLE_STEP_S = 10.0
"""A chaser segment sampled this densely (or more) is written with its own samples [s]."""


def _resample(eph, step_s: float):
    """Samples every ``step_s`` plus the ends of every segment (Hermite interpolation of the
    source samples), segment by segment, at least the interpolation's ``degree + 1`` per segment
    (a short coast between two burns). A segment sampled every :data:`POWERED_SAMPLE_STEP_S` or
    less at the source (the powered ascent, the burns, the approach with its thruster pulses), or
    that ``step_s`` would not carry to 1 km, keeps its own samples, so that the file reads back
    right."""
    from ..errors import EphemerisSamplingError
    from ..orbits.ephemeris import Ephemeris

    bounds = list(eph.segment_starts) + [len(eph.t_s)]
    ts, rs, vs, starts = [], [], [], []
    n = 0
    for a, b in zip(bounds[:-1], bounds[1:]):
        t0, t1 = float(eph.t_s[a]), float(eph.t_s[b - 1])
        step = min(float(step_s), (t1 - t0) / eph.degree) if t1 > t0 else float(step_s)  # a short arc: degree + 1 samples
        s = np.append(np.arange(t0, t1, step), t1) if t1 > t0 else np.array([t0])
        if b - a > 1 and float(np.max(np.diff(eph.t_s[a:b]))) <= POWERED_SAMPLE_STEP_S:
            s = eph.t_s[a:b]
        if len(s) > 1 and len(s) < b - a:
            r, v = eph.interpolate(s)
            try:
                Ephemeris(eph.epoch, s, r, v, eph.frame, name=eph.name).check_sampling(1000.0)
            except EphemerisSamplingError:
                s = eph.t_s[a:b]
        if len(s) >= b - a:
            s, r, v = eph.t_s[a:b], eph.r_m[a:b], eph.v_mps[a:b]
        else:
            r, v = eph.interpolate(s)
        starts.append(n)
        n += len(s)
        ts.append(np.asarray(s, float)); rs.append(r); vs.append(v)
    return Ephemeris(eph.epoch, np.concatenate(ts), np.concatenate(rs), np.concatenate(vs), eph.frame,
                     name=eph.name, segment_starts=tuple(starts))
