"""The library's refusals of a launch, completed with what would work instead.

A liftoff is refused for its phase (no scheme, or not the one asked for, fits it:
:class:`~gyrfalcon.rendezvous.schemes.NoSchemeError`), for a pad too far from the station's plane
(:class:`~gyrfalcon.launch.insertion.OutOfPlaneError`), for a pad out of service
(:class:`~gyrfalcon.traffic.flight_rules.WhatIfRequiredError`), and a window search for finding no
feasible window (:class:`~gyrfalcon.launch.windows.NoFeasibleWindowError`). This module adds to
such a refusal, in one line and the same words wherever it is raised (the Python API's verbs,
``gyrfalcon rendezvous``, ``windows``, ``run``, ``scenario check``, ``montecarlo`` and the web
API's jobs):

* the nearest launch that fits (:func:`nearest_feasible_launches`, :func:`nearest_launch_text`):
  the window ``gyrfalcon windows`` would list for the pad, within :data:`NEAREST_LAUNCH_DAYS` days
  either side of the refused liftoff, preferring one whose whole flight the station data cover;
* the station data's age (:func:`station_data_note`), where the loader would warn of it and the
  refusal was computed from those data (a phase, a plane, no window);
* the pad's part (:func:`pad_note`: whether its status at liftoff is also a reason, with its
  repair date) and, for a pad out of service for good, the pads in service then
  (:func:`with_pads_in_service`).

:func:`completed_scheme_refusals` is the context manager the command line and the web API run a
scenario in; :func:`complete_scheme_refusal` completes one scheme refusal.

Assumptions: ``station_eph`` is the station's GCRF
:class:`~gyrfalcon.orbits.ephemeris.Ephemeris` the refusal was computed on (its ``meta`` says
where the loader's data end; :func:`gyrfalcon.api.nearest_feasible_launches` accepts any station
source); pads are catalogue :class:`~gyrfalcon.launch.sites.Pad` s (a what-if copy,
:func:`gyrfalcon.traffic.flight_rules.pad_as_operational`, reads as in service); the scheme was
checked by the caller (``auto`` or a scheme name). A hint is only a hint: a scheme whose window
search fails is left out of it, and the original refusal is reported anyway. The same scheme's phase range comes
round about every four days (the phase moves about 88 deg a day), and a flight needs station data
to its scheme's catalogue duration plus :data:`FLIGHT_MARGIN_S` after liftoff.

Layer: beside :mod:`gyrfalcon.api` (above mission, launch, rendezvous and traffic, below the
command line and :mod:`gyrfalcon.web`); it does not import :mod:`gyrfalcon.api`, which imports
it. Heavy imports happen inside the functions, so importing it is cheap.
"""
from __future__ import annotations

import contextlib
import math

from .errors import GyrfalconError

__all__ = [
    "NEAREST_LAUNCH_DAYS", "FLIGHT_MARGIN_S", "nearest_feasible_launches", "flight_covered",
    "windows_refusal_text", "station_data_note", "pad_note", "scheme_refusal_tail", "nearest_launch_text",
    "with_pads_in_service", "complete_scheme_refusal", "completed_scheme_refusals",
]

NEAREST_LAUNCH_DAYS = 4.0
"""How far either side of a refused liftoff :func:`nearest_feasible_launches` looks [days]. From one
day's in-plane opportunity to the next the station's phase moves by about 88 deg (domain.md 2.2),
so the same scheme's phase range comes round again after about four days."""


FLIGHT_MARGIN_S = 2 * 3600.0
"""Station data a suggested launch needs beyond its scheme's catalogue duration [s]: the real
contacts come up to about an hour after it (two-day: 50 h in the catalogue, up to 50 h 46 min flown),
and the approach needs the hour after the contact."""


# ---------------------------------------------------------------------------------------------
# the nearest launch that fits
# ---------------------------------------------------------------------------------------------
def nearest_feasible_launches(station_eph, pad, liftoff, scheme: str = "auto", *, vehicle: str = "soyuz-ms",
                              days: float = NEAREST_LAUNCH_DAYS) -> list:
    """Per scheme (all three for ``auto``, fastest first), the feasible launch window nearest
    ``liftoff`` within ``days`` [days] either side (liftoffs inside the ephemeris span, 30 min in
    from either end): the nearest whose whole flight the ephemeris covers (:func:`flight_covered`)
    when there is one, else the nearest. For ``auto`` only windows where ``auto`` flies that scheme
    (the fastest whose range holds their phase).

    ``station_eph``: the station's GCRF Ephemeris (:func:`gyrfalcon.api.nearest_feasible_launches`
    takes any station source and checks the pad and the scheme); ``pad``: a Pad or a pad id (an
    unknown id is refused, not a hint lost); ``liftoff``: Time or ISO UTC; ``scheme``: ``auto`` or
    a scheme name. The windows are those ``gyrfalcon windows`` lists for the pad: the pad's launcher
    (Soyuz-2.1a, or the Soyuz-FG of Site 1/5) and ``vehicle``'s plane lead, and the pad's status (a
    what-if pad, :func:`gyrfalcon.traffic.flight_rules.pad_as_operational`, reads as in service)."""
    from .launch.sites import load_sites
    from .launch.vehicles import launcher_for_pad
    from .launch.windows import find_windows, schemes_fitting
    from .rendezvous.schemes import scheme_names
    from .time import add_seconds, parse_utc, seconds_between

    liftoff = parse_utc(liftoff)
    pad = load_sites().get(pad) if isinstance(pad, str) else pad      # an unknown pad is refused, not a hint lost
    half_s = float(days) * 86400.0
    lo = max(float(seconds_between(liftoff, station_eph.start)) + 1800.0, -half_s)
    hi = min(float(seconds_between(liftoff, station_eph.stop)) - 1800.0, half_s)
    if hi <= lo:
        return []
    out = []
    for name in scheme_names() if scheme == "auto" else (scheme,):
        try:
            wins = find_windows(station_eph, pad, name, add_seconds(liftoff, lo), (hi - lo) / 86400.0,
                                vehicle=launcher_for_pad(pad), spacecraft=vehicle)
        except GyrfalconError:      # a hint only; the original error is reported anyway
            continue
        ok = [w for w in wins if w.feasible and (scheme != "auto" or
                                                 schemes_fitting(w.phase_at_insertion_rad)[:1] == [name])]
        if ok:
            covered = [w for w in ok if flight_covered(station_eph, w)]
            out.append(min(covered or ok, key=lambda w: abs(float(seconds_between(liftoff, w.launch_utc)))))
    return out


def flight_covered(station_eph, window) -> bool:
    """Whether ``station_eph`` reaches the end of the flight from ``window``'s liftoff
    (:func:`_flight_end`)."""
    from .time import seconds_between

    return float(seconds_between(_flight_end(window), station_eph.stop)) >= 0.0


def _flight_end(window):
    """The end (Time) of the station data a flight from ``window``'s liftoff needs: its scheme's
    catalogue duration [h] plus :data:`FLIGHT_MARGIN_S` [s] after the liftoff."""
    from .launch.windows import load_schemes
    from .time import add_seconds

    return add_seconds(window.launch_utc, load_schemes()[window.scheme].duration_h * 3600.0 + FLIGHT_MARGIN_S)


def nearest_launch_text(station_eph, pad, liftoff, scheme, vehicle) -> str:
    """"nearest launch that fits: ..." (:func:`nearest_feasible_launches`), or where none was found
    and how to search further. From a pad out of service for good (:func:`_out_for_good`), whose
    windows of other days are refused too: the nearest launches from the pads in service then.
    ``pad``: a Pad; ``liftoff``: Time; ``vehicle``: the spacecraft (soyuz-ms, progress-ms)."""
    if _out_for_good(pad, liftoff):     # its windows of other days are refused too: the pads in service
        others = _other_pads_text(station_eph, pad, liftoff, scheme, vehicle)
        if others:
            return others
    wins = nearest_feasible_launches(station_eph, pad, liftoff, scheme, vehicle=vehicle)
    if wins:
        return "nearest launch that fits: " + ", ".join(_launch_text(station_eph, w) for w in wins)
    return _no_launch_text(station_eph, pad, liftoff, scheme, vehicle)


def _other_pads_text(station_eph, pad, liftoff, scheme, vehicle) -> str:
    """The nearest launches that fit from (at most two of) the pads in service at ``liftoff``
    (:func:`gyrfalcon.launch.windows.pads_in_service`) instead of ``pad``, or ``""`` if there are none."""
    from .launch.windows import launcher_label, pads_in_service

    alts = pads_in_service(pad, liftoff, vehicle, station_eph)[:2]
    if not alts:
        return ""
    return (f"other days will not help from {pad.id} (no return to service recorded); " + "; ".join(
        f"from pad {p.id} ({launcher_label(lv)}), in service then: "
        f"{nearest_launch_text(station_eph, p, liftoff, scheme, vehicle)}" for p, lv in alts))


def _launch_text(station_eph, window) -> str:
    """``"<liftoff UTC> (<scheme>, phase <deg> deg)"``, with the end of the station data its flight
    needs (:func:`_flight_end`) when ``station_eph`` stops before it."""
    from .time import iso_utc

    phase_deg = math.degrees(window.phase_at_insertion_rad)
    return (f"{iso_utc(window.launch_utc, 1)} ({window.scheme}, phase {phase_deg:.1f} deg"
            + ("" if flight_covered(station_eph, window) else
               f"; its flight needs station data to about {iso_utc(_flight_end(window), 0)}, past these") + ")")


def _no_launch_text(station_eph, pad, liftoff, scheme, vehicle) -> str:
    """No feasible launch within :data:`NEAREST_LAUNCH_DAYS` days of ``liftoff`` inside the station
    data (30 min in from their start), and the ``gyrfalcon windows`` command that lists other days
    (with ``--what-if`` for a what-if pad)."""
    from .time import add_seconds, iso_utc
    from .traffic.flight_rules import WHAT_IF_REASON

    days = NEAREST_LAUNCH_DAYS
    lo = max(add_seconds(station_eph.start, 1800.0), add_seconds(liftoff, -days * 86400.0), key=lambda t: t.tt)
    hi = min(station_eph.stop, add_seconds(liftoff, days * 86400.0), key=lambda t: t.tt)
    what_if = " --what-if" if any(str(e.reason).startswith(WHAT_IF_REASON) for e in getattr(pad, "history", ())) else ""
    return (f"no feasible {'' if scheme == 'auto' else scheme + ' '}launch from {iso_utc(lo, 0)} to {iso_utc(hi, 0)} "
            f"(within {days:g} days of it, inside the station data); `gyrfalcon windows --pad {pad.id} "
            f"--vehicle {vehicle} --scheme {'SCHEME' if scheme == 'auto' else scheme}{what_if} --from DAY --days N` "
            "lists the windows of other days (with station data that cover them)")


# ---------------------------------------------------------------------------------------------
# the station data's age, the pad's part
# ---------------------------------------------------------------------------------------------
def station_data_note(station_eph, t, when: str = "the launch", what: str = "the phase") -> str:
    """``"; note: the station data end N days before <when> (~K km along-track error expected):
    <what> may be wrong; use ..."``, or ``""``: the staleness the station loader warns of
    (:func:`gyrfalcon.orbits.station_source.load_station`: data older than
    :data:`~gyrfalcon.orbits.station_source.STALE_DAYS` [days] before ``t``, the median error
    expected at that age [km]), said in a refusal computed from them (a phase, a plane, no window),
    where the warning itself is not printed. ``station_eph``: the loader's trajectory, whose
    ``meta`` says where its data end (an ephemeris from elsewhere: ``""``): for element sets the
    last epoch ("end"); for an OEM its creation ("were made": NASA's prediction goes on for days
    after it, and the loader's warning counts the age from it too). ``t``: Time or ISO UTC.

    >>> station_data_note(None, "2025-11-27T09:27:57Z")      # no loader's meta: no claim
    ''
    """
    meta = getattr(station_eph, "meta", None) or {}
    end = meta.get("data_end_utc")
    if not end:
        return ""
    from .orbits.station_source import STALE_DAYS, expected_error_km
    from .time import parse_utc, seconds_between

    try:
        age = float(seconds_between(parse_utc(end), parse_utc(t))) / 86400.0
    except GyrfalconError:
        return ""
    if not age > STALE_DAYS:
        return ""
    before = when.split(",")[0]                   # "the search start, 2022-03-18T00:00:00Z" -> "the search start"
    instead = (f"element sets from the days before {before}" if meta.get("data_kind") == "elements" else
               f"an OEM created in the days before {before}, or element sets from them")
    made = meta.get("data_kind") in ("oem", "embedded")      # its creation: the prediction's age
    return (f"; note: the station data {'were made' if made else 'end'} {age:.1f} days before {when} "
            f"(~{expected_error_km(age)[0]:.0f} km along-track error expected): {what} may be wrong; use {instead}")


def pad_note(pad, liftoff) -> str:
    """Whether the pad is also a reason a launch does not fit: its status at liftoff as the station
    rule pad-operational sees it (:func:`gyrfalcon.traffic.flight_rules.check_flight`: the status
    board as known one minute before liftoff), with the catalogue's repair date when it is out of
    service. ``pad``: a :class:`~gyrfalcon.launch.sites.Pad` (a what-if copy reads as in service);
    ``liftoff``: Time."""
    from .time import add_seconds

    try:
        st = pad.known_before(add_seconds(liftoff, -60.0)).status_at(liftoff)
    except Exception:       # a pad without a status history: no statement
        return "pad status unknown"
    from .traffic.flight_rules import WHAT_IF_REASON

    if st.available and str(st.reason).startswith(WHAT_IF_REASON):
        return f"pad {pad.id} taken as in service by the what-if (not a reason)"
    if st.available:
        return f"pad {pad.id} available (not a reason)"
    return f"pad {pad.id} is also a reason: {st.status} at liftoff ({st.reason}), {pad.repair_text(liftoff)}"


def _out_for_good(pad, t) -> bool:
    """:func:`gyrfalcon.launch.windows.out_for_good`: ``pad`` (a Pad) out of service at ``t`` (Time)
    with no return to service recorded (Site 1/5, retired in 2019). A what-if copy is in service."""
    from .launch.windows import out_for_good

    try:
        return out_for_good(pad, t)
    except (AttributeError, GyrfalconError):       # not a catalogue Pad: no statement
        return False


# ---------------------------------------------------------------------------------------------
# the refusals completed
# ---------------------------------------------------------------------------------------------
def windows_refusal_text(errors, station_eph, start, what_if: bool) -> tuple:
    """``(message, pad_is_the_reason)`` of a window search refused with the
    :class:`~gyrfalcon.launch.windows.NoFeasibleWindowError` s ``errors`` (one per scheme tried):
    their messages, the station data's age where the station's orbit is a reason
    (:func:`station_data_note`, against ``start``: Time or ISO UTC), and, where a window inside the
    phase range was refused only for the pad and no what-if was asked, that the pad is out of
    service then and how to ask for one. The one wording of ``gyrfalcon windows`` and
    :func:`gyrfalcon.api.next_window`."""
    from .launch.windows import joined_refusals, refused_for_pad_only
    from .time import iso_utc, parse_utc
    from .traffic.flight_rules import WHAT_IF_HINT

    msg = joined_refusals(errors)
    if any(getattr(e, "follows_from_the_orbit", True) for e in errors):
        msg += station_data_note(station_eph, start, f"the search start, {iso_utc(parse_utc(start), 0)}",
                                 "the phases")
    wins = [w for e in errors for w in getattr(e, "windows", ())]
    pad = not what_if and any(refused_for_pad_only(w) for w in wins)
    if pad:
        msg += f"; the pad is out of service then (station rule pad-operational); {WHAT_IF_HINT}"
    return msg, pad


def scheme_refusal_tail(station_eph, pad, liftoff, scheme, vehicle: str = "soyuz-ms") -> str:
    """The pad's part (:func:`pad_note`) and the nearest launches that fit
    (:func:`nearest_launch_text`), as one clause."""
    return f"{pad_note(pad, liftoff)}; {nearest_launch_text(station_eph, pad, liftoff, scheme, vehicle)}"


def with_pads_in_service(exc, station_eph, pad, liftoff, scheme, vehicle):
    """``exc`` (a :class:`~gyrfalcon.traffic.flight_rules.WhatIfRequiredError`) completed, when it
    refuses a pad out of service for good (:func:`_out_for_good`), with the pads in service then
    (:func:`gyrfalcon.launch.windows.pads_in_service`: launching ``vehicle``, crew-rated for a crew)
    from which this very liftoff fits (plane and phase: :func:`_liftoff_fits`), before the what-if
    hint; else ``exc`` unchanged."""
    from .launch.windows import launcher_label, pads_in_service
    from .traffic.flight_rules import WHAT_IF_HINT, WhatIfRequiredError

    if getattr(exc, "rule", None) != "pad-operational" or not _out_for_good(pad, liftoff):
        return exc
    fits = [f"pad {other.id} ({launcher_label(launcher)})"
            for other, launcher in pads_in_service(pad, liftoff, vehicle, station_eph)
            if _liftoff_fits(station_eph, other, liftoff, scheme)]
    if not fits:
        return exc
    clause = f"pads in service then that fly {vehicle} at this liftoff: {', '.join(fits)}"
    head, sep, tail = str(exc).rpartition("; " + WHAT_IF_HINT)
    return WhatIfRequiredError(f"{head}; {clause}{sep}{tail}" if sep else f"{exc}; {clause}",
                               getattr(exc, "breaches", ()))


def _liftoff_fits(station_eph, pad, liftoff, scheme) -> bool:
    """Whether a liftoff (Time) from ``pad`` (a Pad) flies into the station's plane with a phase
    ``scheme`` fits (:func:`gyrfalcon.rendezvous.plan.insertion_in_plane` on the GCRF ephemeris
    ``station_eph``, as :func:`gyrfalcon.api.insertion_into_station_plane` flies it); any refusal: False."""
    from .rendezvous.plan import insertion_in_plane

    try:
        insertion_in_plane(station_eph, pad, liftoff, scheme)
    except GyrfalconError:
        return False
    return True


def complete_scheme_refusal(exc) -> str:
    """The one-line refusal of a scheme the flight's phase does not fit, completed as
    ``gyrfalcon rendezvous`` completes it: ``str(exc)``, then the pad's part (whether the pad is
    also a reason, with its repair date) and the nearest launches that fit within
    :data:`NEAREST_LAUNCH_DAYS` days.

    ``exc``: a :class:`~gyrfalcon.rendezvous.schemes.NoSchemeError` carrying ``liftoff`` (Time),
    ``pad`` (:class:`~gyrfalcon.launch.sites.Pad` or id), ``scheme`` (asked for) and ``station``
    (the GCRF ephemeris), as the mission runner raises it (``gyrfalcon run``, ``gyrfalcon
    montecarlo``); without them the message is returned unchanged. Used as
    ``raise type(exc)(complete_scheme_refusal(exc)) from None``."""
    liftoff = getattr(exc, "liftoff", None)
    station = getattr(exc, "station", None)
    pad = getattr(exc, "pad", None)
    if liftoff is None or station is None or pad is None:
        return str(exc)
    if isinstance(pad, str):
        from .launch.sites import load_sites

        pad = load_sites().get(pad)
    scheme, vehicle = getattr(exc, "scheme", None) or "auto", getattr(exc, "vehicle", None) or "soyuz-ms"
    return f"{exc}; {scheme_refusal_tail(station, pad, liftoff, scheme, vehicle)}"


@contextlib.contextmanager
def completed_scheme_refusals():
    """Inside it, the mission runner's launch refusals (:func:`gyrfalcon.mission.runner.launch_plane`)
    come out completed as ``gyrfalcon rendezvous`` completes them: a scheme the phase does not fit
    (a :class:`~gyrfalcon.rendezvous.schemes.NoSchemeError` with its liftoff) by
    :func:`complete_scheme_refusal`, a pad too far from the plane (an
    :class:`~gyrfalcon.launch.insertion.OutOfPlaneError` with its liftoff) with the nearest launch
    that fits; each with the station data's age where the loader would warn of it; a pad out of
    service for good (a :class:`~gyrfalcon.traffic.flight_rules.WhatIfRequiredError` with its
    liftoff and station) with the pads in service that fly that liftoff (:func:`with_pads_in_service`).
    The one wording of ``run``, ``montecarlo`` and the web API's jobs."""
    from .launch.insertion import OutOfPlaneError
    from .rendezvous.schemes import NoSchemeError
    from .traffic.flight_rules import WhatIfRequiredError

    try:
        yield
    except (NoSchemeError, OutOfPlaneError) as exc:
        if getattr(exc, "liftoff", None) is None:
            raise
        raise type(exc)(_completed_launch_refusal(exc)) from None
    except WhatIfRequiredError as exc:
        if getattr(exc, "station", None) is None:
            raise
        raise with_pads_in_service(exc, exc.station, exc.pad, exc.liftoff, exc.scheme or "auto",
                                   exc.vehicle or "soyuz-ms") from None


def _completed_launch_refusal(exc) -> str:
    """The text of :func:`completed_scheme_refusals` for ``exc``, which carries ``liftoff``,
    ``station``, ``pad``, ``scheme`` and ``vehicle`` (the mission runner's launch refusals)."""
    from .rendezvous.schemes import NoSchemeError

    if isinstance(exc, NoSchemeError):
        return complete_scheme_refusal(exc) + station_data_note(exc.station, exc.liftoff)
    hint = nearest_launch_text(exc.station, exc.pad, exc.liftoff, exc.scheme or "auto", exc.vehicle or "soyuz-ms")
    return f"{exc}; {hint}{station_data_note(exc.station, exc.liftoff, what='the launch times named')}"
