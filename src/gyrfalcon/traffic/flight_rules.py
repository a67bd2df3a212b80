"""Rules are rules: a planned flight checked against the station manifest, before it is flown.

:func:`check_flight` puts a flight's launch, arrival and (if known) departure into the
built-in late-2025 ISS manifest (:func:`gyrfalcon.traffic.builtin.late2025`, without any
events it already holds for a vehicle of the same name) and replays it against every manifest
rule (:mod:`gyrfalcon.traffic.rules`). Among them:

* **one-vehicle-per-port** (and port compatibility, corridor clearance): docking at a port
  another vehicle holds is refused;
* **lifeboat**: more crew than the vehicle type's seats (``crew_seats`` of the visiting-vehicle
  catalogue, ``station/data/vehicles.toml``: Soyuz MS 3, from seed 000 / domain.md) is refused;
* **pad-operational**: a launch from a pad that the launch-site catalogue's status board
  (:class:`~gyrfalcon.launch.sites.PadStatusBoard`, as known one minute before liftoff, as the
  countdown sees it) has out of service is refused.

A broken rule is a :class:`RuleBreach`; :func:`enforce` turns breaches into a
:class:`WhatIfRequiredError` (one line, exit 2, saying how to ask for a what-if) unless the
caller asked for a what-if, the same way everywhere: ``--what-if`` on the command line,
``what_if = true`` in a scenario. A what-if result says so in every output (``what_if: true``).

Assumptions: the arrival is estimated as liftoff + the scheme's nominal duration
(``launch/data/schemes.toml``: two-orbit 3.1 h, four-orbit 6.35 h, two-day 50 h), the departure
as the planned undocking or landing day; with no departure given, the flight is taken to leave
one minute before the next arrival the record holds at its port (a flight of 2021 does not
block Soyuz MS-28's arrival at Rassvet in 2025), unless that arrival comes less than 7 days
after its own (:data:`MIN_ASSUMED_STAY_S`: then both want the port, a breach). The manifest is the late-2025 record, with the
2026 plan's departures of the vehicles it leaves aboard: flights after it are checked against an
empty future (only against vehicles already aboard), flights before its first events against
what it records from then on; an arrival at a port of the
station's past (Pirs, Nauka nadir) is not checked against the record, which starts after they
were gone (the port's dates are checked by :meth:`gyrfalcon.station.catalog.Station.port_on`).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from ..errors import InputError

WHAT_IF_HINT = ("to fly it anyway as a what-if: --what-if on the command line, what_if = true in a scenario "
                "(the web API too), what_if=True in Python")


@dataclass(frozen=True)
class RuleBreach:
    """One broken manifest rule: ``rule`` (e.g. ``"one-vehicle-per-port"``) and the message."""

    rule: str
    message: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "message": self.message}


class WhatIfRequiredError(InputError):
    """The flight breaks a station rule and no what-if was asked for (``breaches`` lists them)."""

    def __init__(self, message: str, breaches: tuple[RuleBreach, ...] = ()):
        super().__init__(message)
        self.breaches = breaches
        self.rule = breaches[0].rule if breaches else None


def crew_seats(vehicle_type: str) -> int:
    """Crew seats of a vehicle type from the visiting-vehicle catalogue (``crew_seats``)."""
    from .station_link import station_model

    return station_model("iss").vehicle_type(vehicle_type).crew_seats


def check_flight(*, vehicle: str, vehicle_type: str, launch_utc, pad: str | None = None, crew=(),
                 port: str | None = None, arrival_utc=None, departure_utc=None) -> tuple[RuleBreach, ...]:
    """The rules the flight breaks (empty: none). See the module docstring.

    ``launch_utc``: liftoff (ISO string or skyfield Time); ``pad``: launch pad id (``None``:
    the launch is not checked for its pad); ``port``/``arrival_utc``: where and when it docks
    (``None``: no arrival checked; an arrival before the record's first event is not replayed:
    its stay is unknown to the record); ``departure_utc``: when it leaves (``None``: stays).
    """
    from ..time import add_seconds, iso_utc, parse_utc
    from .builtin import late2025
    from .manifest import Manifest, ManifestRuleError, make_event
    from .station_link import norm_id

    crew = _crew_names(crew)
    vehicle_type = norm_id(vehicle_type)           # ids are compared as the catalogues spell them
    port = None if port is None else _known_port(port)
    pad = None if pad is None else _known_pad(pad)
    out: list[RuleBreach] = []
    seats = crew_seats(vehicle_type)
    if len(crew) > seats:  # said on its own too: it is the clearest message for this rule
        out.append(RuleBreach("lifeboat", f"{len(crew)} crew for {vehicle} but a {vehicle_type} has {seats} seats "
                                          "(crew_seats, station/data/vehicles.toml)"))
    t_launch = parse_utc(launch_utc)
    lo_iso = iso_utc(t_launch, 3)
    b = late2025()
    base = _record_events(vehicle)
    flight = [make_event("launch", lo_iso, vehicle, pad=pad, crew=crew[:seats], notes="planned flight")]
    if port is not None and arrival_utc is not None and _past_port(port):
        port = None       # Pirs, Nauka nadir: gone before the record starts; its date is checked by Station.port_on
    if port is not None and arrival_utc is not None and _before_record(arrival_utc):
        port = None       # an arrival before the record's first event: its stay is unknown to it (record_gap_note)
    if port is not None and arrival_utc is not None:
        flight.append(make_event("arrival", arrival_utc, vehicle, port=port, crew=crew[:seats], notes="planned flight"))
        if departure_utc is None:
            departure_utc = _assumed_departure(base, flight[-1])
        if departure_utc is not None:
            flight.append(make_event("departure", departure_utc, vehicle, crew=crew[:seats], notes="planned flight"))
    vehicles = {**b.vehicles, vehicle: vehicle_type}
    from ..launch.sites import PadStatusBoard

    # the flight's own pad as its countdown sees it (one minute before liftoff); the record's
    # launches from other pads, before and after the flight, against the catalogue as recorded
    board = PadStatusBoard.from_catalog(known_before=iso_utc(add_seconds(t_launch, -60.0), 0),
                                        pads=() if pad is None else (pad,))
    # the launch (its pad) and the stay (its port) are replayed apart, so that a flight breaking
    # both says both: the record stops at its first broken rule
    parts = [flight[:1], flight[1:]] if pad is not None and len(flight) > 1 else \
        [flight if pad is not None else flight[1:]]
    for part in parts:
        try:
            Manifest.from_events(_numbered(base + part), vehicles, None, board)
        except ManifestRuleError as exc:
            out.append(RuleBreach(getattr(exc, "rule", "manifest"), _own_part(exc, vehicle) + _no_event_ids(str(exc))))
        except InputError as exc:  # e.g. a port the vehicle type cannot use at all
            out.append(RuleBreach("manifest", _no_event_ids(str(exc))))
    return tuple(out)


def _own_part(exc, vehicle: str) -> str:
    """When the event refused is one of the record's, not the flight's (the flight came first and,
    e.g., took the port the record gives another vehicle): said before the refusal, which names
    the record's vehicle, so that it is not read as the flight's name."""
    ev = getattr(exc, "event", None)
    if ev is None or ev.vehicle == vehicle:
        return ""
    return f"with {vehicle} added to the record, "


def _crew_names(crew) -> tuple:
    """The crew as names: a string is one name or a comma-separated list, as for a manifest
    event (never its letters)."""
    if isinstance(crew, str):
        crew = crew.split(",")
    return tuple(str(c).strip() for c in crew if str(c).strip())


def _known_pad(pad: str) -> str:
    """The pad's catalogue id; an unknown pad is bad input (``UnknownSiteError``), not a rule
    the flight breaks."""
    from ..launch.sites import load_sites

    return load_sites().resolve(pad)


def _known_port(port: str) -> str:
    """The port's id; a port the station never had is bad input (``UnknownPortError`` naming
    the ports, :meth:`~gyrfalcon.traffic.station_link.StationModel.port`), not a rule the flight breaks."""
    from .station_link import station_model

    return station_model("iss").port(port).id


def _no_event_ids(msg: str) -> str:
    """A breach's message without the ``(event #N)`` references: they number the events of the
    check's own replay of the record, which the user never sees."""
    import re

    return re.sub(r" \(event #\d+\)", "", msg)


def _planned_departures(record, vehicle: str) -> list:
    """The departures the 2026 plan (``traffic/data/plan2026.toml``, sourced) gives for vehicles
    the record has aboard and never sees leave (Progress MS-31 from Poisk on 15 Dec 2025, Soyuz
    MS-28 on 26 Jul 2026, ...): without them a real 2026 flight (Progress MS-33 to Poisk, 24 Mar
    2026) would meet a port the record leaves taken for ever."""
    from .builtin import plan2026

    gone = {e.vehicle for e in record.events if e.kind == "departure"}
    aboard = {e.vehicle for e in record.events if e.kind in ("arrival", "berth")} - gone
    return [e for e in plan2026().events
            if e.kind == "departure" and e.vehicle in aboard and e.vehicle != vehicle]


def _past_port(port: str) -> bool:
    """A port of the station's past (``[[past_port]]`` of the catalogue: no longer there when the
    record starts), which the record's rules cannot hold against."""
    from ..station.catalog import load_station
    from .station_link import norm_id

    return norm_id(port) in {p.id for p in load_station("iss").past_ports}


MIN_ASSUMED_STAY_S = 7 * 86400.0
"""A flight with no departure given is taken to have left before the record's next arrival at
its port only if that arrival comes at least this long after its own [s] (7 days: shorter than
any Soyuz MS or Progress MS stay, the shortest being uncrewed Soyuz MS-14's, about 10 days at
Zvezda aft, 27 Aug to 6 Sep 2019 (undocking: tests/data/landings_2018_2025.csv), and longer than
the arrival's own uncertainty before the flight, hours for the two-day scheme)."""


def _assumed_departure(recorded, arrival) -> str | None:
    """When a flight with no departure given is taken to leave: one minute before the next
    arrival the record holds at its port (the record says the port was free then, so a past
    flight, e.g. Soyuz MS-18 at Rassvet in 2021, had left); ``None`` (it stays) when the record
    holds no later arrival there, or one sooner than :data:`MIN_ASSUMED_STAY_S` after the
    flight's (no real visit is that short: the flight and that arrival want the port at the
    same time). A vehicle the record has at the port at the arrival is still a breach: only
    arrivals after the flight's move its departure."""
    from ..time import add_seconds, iso_utc, parse_utc, seconds_between

    t_arr = parse_utc(arrival.t_utc)
    later = [parse_utc(e.t_utc) for e in recorded
             if e.port == arrival.port and e.kind in ("arrival", "berth", "relocation")
             and float(seconds_between(t_arr, parse_utc(e.t_utc))) > 120.0]
    if not later:
        return None
    first = min(later, key=lambda t: float(seconds_between(t_arr, t)))
    if float(seconds_between(t_arr, first)) < MIN_ASSUMED_STAY_S:
        return None
    return iso_utc(add_seconds(first, -60.0), 3)


def enforce(breaches, what_if: bool, what: str = "the flight") -> tuple[str, ...]:
    """Raise :class:`WhatIfRequiredError` for ``breaches`` unless ``what_if``; return the notes a
    what-if result carries (``"what-if: ..."``, one per breach)."""
    breaches = tuple(breaches)
    if not breaches:
        return ()
    if not what_if:
        first = breaches[0]
        others = [b.rule for b in breaches[1:]]
        more = (f" (and {len(others)} more: rule{'s' if len(others) > 1 else ''} {', '.join(others)})"
                if others else "")
        raise WhatIfRequiredError(f"{what} breaks the station rule {first.rule}: {first.message}{more}; "
                                  f"{WHAT_IF_HINT}", breaches)
    return tuple(f"what-if: breaks rule {b.rule}: {b.message}" for b in breaches)


WHAT_IF_REASON = "what-if:"
"""How :func:`pad_as_operational` begins the reason of an outage it reads as in service."""


def pad_as_operational(pad):
    """A copy of launch-site ``pad`` whose every recorded outage reads as operational (for a
    what-if: "as if the pad were in service"); the reason keeps what was recorded."""
    import dataclasses

    from ..launch.sites import AVAILABLE_STATUS

    return dataclasses.replace(pad, history=tuple(
        e if e.status == AVAILABLE_STATUS else dataclasses.replace(
            e, status=AVAILABLE_STATUS, reason=f"{WHAT_IF_REASON} recorded {e.status} ({e.reason})")
        for e in pad.history))


LAUNCH_MATCH_S = 60.0
"""A flight is the recorded flight of its vehicle type whose recorded liftoff is within this of
its own [s]. The record gives liftoffs to the second or the minute (at most 30 s of rounding);
launch windows to the station are instantaneous, so a liftoff a minute or more away is another
flight (the station moves 3.8 deg a minute, half the two-orbit phase range)."""


def recorded_flight_launched(vehicle_type: str, liftoff) -> str | None:
    """The vehicle the built-in record has lifting off within :data:`LAUNCH_MATCH_S` of
    ``liftoff`` with a vehicle of ``vehicle_type`` (this flight is then that one: its recorded
    arrival and stay are its own and do not block it), or ``None`` (another flight). A liftoff the
    record dates by its day only (00:00:00 UTC) matches a liftoff that day. Ids are compared
    normalised (:func:`~gyrfalcon.traffic.station_link.norm_id`). Where, when and how this flight
    docks plays no part: re-flying Soyuz MS-28's liftoff on a two-day plan is still MS-28, and a
    flight of another day that would arrive near MS-28's docking is not MS-28."""
    from ..time import iso_utc, parse_utc, seconds_between
    from .builtin import late2025
    from .station_link import norm_id

    b = late2025()
    t = parse_utc(liftoff)
    day = iso_utc(t, 3)[:10]
    vt = norm_id(vehicle_type)
    for e in b.events:
        if e.kind != "launch" or norm_id(b.vehicles.get(e.vehicle, "")) != vt:
            continue
        te = parse_utc(e.t_utc)
        day_only = iso_utc(te, 3)[10:] == "T00:00:00.000Z"
        if (day_only and iso_utc(te, 3)[:10] == day) or abs(float(seconds_between(t, te))) <= LAUNCH_MATCH_S:
            return e.vehicle
    return None


def record_gap_note(arrival_utc, replayed: bool = True) -> str | None:
    """The note for an arrival before the built-in record is complete
    (:data:`~gyrfalcon.traffic.builtin.COMPLETE_FROM_UTC`); ``None`` from then on. Before the
    record's first event (:func:`_record_start`), or with ``replayed`` false (nothing was checked
    against the record: an undocking), the vehicles at the station that day are not recorded, so
    no port occupancy is given (the text of ``gyrfalcon run``'s note); from it on, the arrival was
    replayed into the record (:func:`check_flight`), so it was checked against the vehicles the
    record holds then only: others at the station that day are not recorded.

    >>> print(record_gap_note("2025-06-01T12:10Z").split("; ")[1])
    the arrival on 2025-06-01 was checked only against the vehicles the record holds then (it starts on 2025-04-08): others at the station that day are not recorded
    """
    from ..time import iso_utc, parse_utc
    from .builtin import COMPLETE_FROM_UTC

    t = parse_utc(arrival_utc)
    if _recorded(t):
        return None
    day = iso_utc(t, 0)[:10]
    head = f"manifest: the built-in ISS manifest is complete only from {COMPLETE_FROM_UTC[:10]}; "
    if replayed and not _before_record(t):
        return (head + f"the arrival on {day} was checked only against the vehicles the record holds then (it starts "
                f"on {_record_start()[:10]}): others at the station that day are not recorded")
    return head + f"the vehicles at the station on {day} are not recorded, so no port occupancy is given"


ARRIVAL_SPAN = (0.8, 1.25)
"""The arrivals a flight of a scheme can make, as fractions of the scheme's nominal duration
(``launch/data/schemes.toml``: two-orbit 3.1 h, four-orbit 6.35 h, two-day 50 h): real flights
took 3:03-3:39 (two-orbit) and 48:33-50:46 (two-day), inside 0.8-1.25 of the nominal."""


def arrival_span_s(scheme: str) -> tuple[float, float]:
    """(earliest, latest) arrival after liftoff [s] of a flight of ``scheme`` (``auto``: any of
    two-orbit, four-orbit, two-day) under :data:`ARRIVAL_SPAN`."""
    from ..launch.windows import load_schemes

    sch = load_schemes()
    names = tuple(sch) if scheme == "auto" or scheme not in sch else (scheme,)
    hours = [sch[n].duration_h for n in names]
    return min(hours) * 3600.0 * ARRIVAL_SPAN[0], max(hours) * 3600.0 * ARRIVAL_SPAN[1]


def check_port_before_planning(port: str, launch, vehicle_type: str, scheme: str = "auto",
                               what_if: bool = False):
    """The port check made before a rendezvous is planned: refused
    (:class:`~gyrfalcon.station.catalog.PortNotAvailableError`) only if the port cannot take the
    vehicle at any arrival a flight of ``scheme`` could make (:func:`arrival_span_s`); with
    ``what_if`` only a port that was not part of the station then is refused. The exact check is
    :func:`rendezvous_rules`, at the plan's own arrival."""
    from ..station.catalog import PortNotAvailableError, load_station
    from .station_link import norm_id

    lo, hi = arrival_span_s(scheme)
    try:
        return load_station("iss").port_for_launch(norm_id(port), launch, norm_id(vehicle_type), arrival_after_s=lo,
                                                   arrival_until_s=hi, blocked_ok=what_if)
    except PortNotAvailableError as exc:
        raise completed_port_refusal(exc, _flight_name(vehicle_type, launch)) from None


def rendezvous_rules(*, pad, launch_utc, port: str | None, vehicle_type: str, arrival_utc, what_if: bool = False,
                     what: str | None = None) -> tuple[str, ...]:
    """The station rules of a rendezvous (``gyrfalcon rendezvous``, :func:`gyrfalcon.fly_rendezvous`):
    the pad in service at liftoff, the port there and free at ``arrival_utc`` (the plan's own
    arrival; ``port`` ``None``: not checked). A port that was not part of the station then is
    refused outright (:class:`~gyrfalcon.station.catalog.PortNotAvailableError`); every other
    broken rule (pad out of service, port blocked or occupied) is refused with
    :class:`WhatIfRequiredError` unless ``what_if``. Returns the notes the result carries: one per
    broken rule (what-if), and the record's gap for an arrival before it is complete. The flight
    is the recorded flight only if it lifts off at that flight's recorded liftoff
    (:func:`recorded_flight_launched`), else a new flight named ``"<vehicle type> (planned)"``.
    ``pad`` ``None``: the launch is not checked (an approach flown on its own, ``gyrfalcon
    approach``: its launch was checked when it was planned); give ``what`` then."""
    from ..launch.sites import load_sites
    from ..station.catalog import PortNotAvailableError, load_station
    from ..time import iso_utc, parse_utc
    from .station_link import norm_id

    t = parse_utc(launch_utc)
    pad_id = None if pad is None else load_sites().get(pad).id if isinstance(pad, str) else pad.id
    vehicle_type = norm_id(vehicle_type)
    breaches: list[RuleBreach] = []
    arrival = None
    if port is not None and arrival_utc is not None:
        port = norm_id(port)
        arrival = iso_utc(parse_utc(arrival_utc), 3)
        p = load_station("iss").port(port)
        when = parse_utc(arrival).utc_datetime()
        why = p.unavailable_reason(when)
        if why is not None and not p.exists_at(when):
            try:
                load_station("iss").port_on(port, when, vehicle_type)        # raises: not a port then
            except PortNotAvailableError as exc:
                raise completed_port_refusal(exc, _flight_name(vehicle_type, t)) from None
        if why is not None:
            breaches.append(RuleBreach("port-available", f"{why} (station catalogue), at the arrival {arrival}"))
    name = _flight_name(vehicle_type, t)
    breaches += check_flight(vehicle=name, vehicle_type=vehicle_type, launch_utc=t, pad=pad_id,
                             port=port if arrival else None, arrival_utc=arrival)
    what = what or f"the rendezvous from {pad_id} at {iso_utc(t, 0)}" + (f" to {port}" if port else "")
    notes = list(enforce(breaches, what_if, what))
    for note in (record_gap_note(arrival), plan_note(port, arrival, name)) if arrival else ():
        if note:
            notes.append(note)
    return tuple(notes)


def plan_note(port: str, arrival_utc, vehicle: str | None = None) -> str | None:
    """For an arrival after the late-2025 record: the vehicle the 2026 plan
    (``traffic/data/plan2026.toml``, made before the Site 31/6 damage; a plan, not a record, so
    never held against a flight) has at ``port`` then, other than ``vehicle``; ``None`` if the
    plan has it free, or the arrival lies inside the record (which the rules check)."""
    from ..time import iso_utc, parse_utc
    from .builtin import late2025, planned_manifest

    t = iso_utc(parse_utc(arrival_utc), 3)
    if t <= max(e.t_utc for e in late2025().events):
        return None
    occupant = planned_manifest().occupancy_at(t).ports.get(port)
    if occupant is None or occupant == vehicle:
        return None
    return f"{_plan_word('this flight')} has {occupant} at {port} at the arrival {iso_utc(parse_utc(t), 0)}"


def _plan_word(what: str) -> str:
    """How a note given on the 2026 plan's word begins: the plan is not a record, not held against ``what``."""
    from .builtin import plan_known_as_of

    return f"manifest: the 2026 plan (made {plan_known_as_of()[:10]}, a plan, not a record: not held against {what})"


def _flight_name(vehicle_type: str, launch) -> str:
    """The flight's name in the record's replay: the recorded flight it is
    (:func:`recorded_flight_launched`), else ``"<vehicle type> (planned)"``."""
    from .station_link import norm_id

    return recorded_flight_launched(norm_id(vehicle_type), launch) or f"{norm_id(vehicle_type)} (planned)"


def _record_events(without: str | None = None) -> list:
    """The built-in record's events as :func:`check_flight` replays them (the late-2025 record with
    the 2026 plan's departures of the vehicles it leaves aboard), without the events of vehicle
    ``without`` (the flight being checked, when it is the recorded one); unsorted, without ids."""
    from .builtin import late2025

    b = late2025()
    return [e for e in b.events if e.vehicle != without] + _planned_departures(b, without)


def _numbered(events) -> list:
    """``events`` in time order with ids 1..n, as a replay of the record needs them."""
    from .manifest import Event

    return [Event(**{**e.__dict__, "id": i + 1}) for i, e in enumerate(sorted(events, key=lambda e: e.t_utc))]


@functools.lru_cache(maxsize=8)
def _record(without: str | None = None):
    """:func:`_record_events` replayed, as a :class:`~.manifest.Manifest`."""
    from .builtin import late2025
    from .manifest import Manifest

    return Manifest.from_events(_numbered(_record_events(without)), late2025().vehicles)


def _record_start() -> str:
    """The built-in record's first event (Soyuz MS-27's launch, 8 Apr 2025), ISO UTC."""
    from .builtin import late2025

    return min(e.t_utc for e in late2025().events)


def _before_record(t) -> bool:
    """Whether ``t`` comes before the built-in record's first event (:func:`_record_start`): a stay
    beginning then is unknown to the record, which :func:`check_flight` does not replay it into."""
    from ..time import iso_utc, parse_utc

    return iso_utc(parse_utc(t), 3) < _record_start()


def _recorded(t) -> bool:
    """Whether the built-in record says who is docked where at ``t`` (from
    :data:`~gyrfalcon.traffic.builtin.COMPLETE_FROM_UTC` on; before it, :func:`record_gap_note`)."""
    from ..time import parse_utc, seconds_between
    from .builtin import COMPLETE_FROM_UTC

    return float(seconds_between(parse_utc(COMPLETE_FROM_UTC), parse_utc(t))) >= 0


def completed_port_refusal(exc, vehicle: str | None = None):
    """A :class:`~gyrfalcon.station.catalog.PortNotAvailableError` for an arrival (a port that was
    not a port then), its list of the ports there were split by the built-in record into the free
    ones and the occupied ones, with their occupants (the station catalogue lists ports, not who
    is docked at them: an occupied port would be refused next by rule one-vehicle-per-port).
    ``vehicle``: the flight's own name in the record (its own recorded stay frees its port).
    ``exc`` itself when the record does not say (a date before it is complete) or all are free.

    >>> from gyrfalcon.station.catalog import load_station
    >>> try:
    ...     load_station("iss").port_on("pirs-nadir", "2025-12-01T12:00:00Z", "soyuz-ms")
    ... except Exception as exc:
    ...     print(str(completed_port_refusal(exc)).split("; ", 1)[1])
    free ports that take soyuz-ms on 2025-12-01T12:00:00Z: none; occupied then (built-in record): rassvet-nadir (Soyuz MS-28), prichal-nadir (Soyuz MS-27), poisk-zenith (Progress MS-31), zvezda-aft (Progress MS-32)
    """
    from ..station.catalog import PortNotAvailableError

    at, ports = getattr(exc, "at", None), getattr(exc, "ports", ())
    if at is None or not ports or not _recorded(at):
        return exc
    from ..time import iso_utc, parse_utc

    when = iso_utc(parse_utc(at), 0)
    occupants = _record(vehicle).occupancy_at(when).ports
    taken = [f"{p} ({occupants[p]})" for p in ports if occupants.get(p)]
    if not taken:
        return exc
    free = [p for p in ports if not occupants.get(p)]
    kind = f" that take {exc.vehicle_type}" if exc.vehicle_type else ""
    return PortNotAvailableError(
        f"{exc.reason}; free ports{kind} on {when}: {', '.join(free) or 'none'}; occupied then (built-in record): "
        f"{', '.join(taken)}", reason=exc.reason, ports=tuple(free), at=exc.at, vehicle_type=exc.vehicle_type)


# --- undocking ------------------------------------------------------------------------------------
UNDOCK_MATCH_S = (-3600.0, 86400.0)
"""A Soyuz MS whose departure the built-in manifest has from this long before the undocking to
this long after it [s] is the one undocking (its recorded departure is within the hour of the
time given, or later that day); so is one whose departure is dated by its day only (00:00 UTC:
the time was not found) on the undocking's day."""


@functools.lru_cache(maxsize=1)
def _planned():
    """:func:`~gyrfalcon.traffic.builtin.planned_manifest` (the packaged record and plan), replayed once."""
    from .builtin import planned_manifest

    return planned_manifest()


def _undocking(undock):
    """``(manifest, leaving, docked)`` of the built-in manifest at ``undock`` (:func:`_undocking_manifest`):
    the Soyuz MS whose departure matches it (:data:`UNDOCK_MATCH_S`) as ``{vehicle: port it left}``,
    and those docked a second before it as ``{port: vehicle}``; ``None`` before the record is complete."""
    from ..time import add_seconds, iso_utc, parse_utc, seconds_between

    t = parse_utc(undock)
    if not _recorded(t):
        return None
    m = _undocking_manifest(t)
    day = iso_utc(t, 0)[:10]

    def leaves_then(e) -> bool:
        dt = float(seconds_between(t, parse_utc(e.t_utc)))
        return UNDOCK_MATCH_S[0] <= dt <= UNDOCK_MATCH_S[1] or (e.t_utc[:10] == day and e.t_utc[11:19] == "00:00:00")

    leaving = {e.vehicle: m.where(e.vehicle, add_seconds(parse_utc(e.t_utc), -1.0)) for e in m.events
               if e.kind == "departure" and m.vehicles.get(e.vehicle) == "soyuz-ms" and leaves_then(e)}
    occ = m.occupancy_at(add_seconds(t, -1.0))
    docked = {p: v for p, v in occ.ports.items() if v and m.vehicles.get(v) == "soyuz-ms"}
    return m, leaving, docked


def _undocking_manifest(t):
    """Whose word an undocking at ``t`` is judged on: the record as :func:`check_flight` replays it
    (:func:`_record`) before the 2026 plan's first event; from it on, the record with the plan
    (:func:`_planned`: who the plan has docked then), the plan's word (:func:`_in_plan_time`)."""
    return _planned() if _in_plan_time(t) else _record()


def recorded_soyuz_port(undock) -> str | None:
    """The port of the Soyuz MS the built-in manifest (the late-2025 record and its 2026 plan) has
    leaving at ``undock`` (:data:`UNDOCK_MATCH_S`: Soyuz MS-28 at Rassvet nadir on 26 Jul 2026;
    MS-27 at Prichal nadir on 9 Dec 2025, when MS-28 was docked too), else the only Soyuz MS
    docked then, else (two docked, none leaving) the one docked first, whose crew goes home
    first. ``None`` when the record does not tell (dates before it, no Soyuz docked)."""
    view = _undocking(undock)
    if view is None:
        return None
    m, leaving, docked = view
    if len(leaving) == 1:          # the port it held just before its recorded (or planned) departure
        return next(iter(leaving.values()))
    if not docked:
        return None
    arrived = {e.vehicle: e.t_utc for e in m.events if e.kind == "arrival" and e.vehicle in docked.values()}
    first = min(docked.values(), key=lambda v: arrived.get(v, ""))
    return next(p for p, v in docked.items() if v == first)


def soyuz_ports_at_undocking(undock) -> dict | None:
    """``{port: Soyuz MS}``: where the built-in manifest with its 2026 plan has a Soyuz MS docked at
    ``undock`` (or leaving then, :data:`UNDOCK_MATCH_S`), in the station's port order; ``None``
    before the record is complete (it does not say)."""
    view = _undocking(undock)
    if view is None:
        return None
    m, leaving, docked = view
    out = dict(docked)
    for v, p in leaving.items():
        if p and p not in out:
            out[p] = v
    order = list(m.occupancy_at(undock).ports)
    return dict(sorted(out.items(), key=lambda pv: order.index(pv[0]) if pv[0] in order else len(order)))


def _soyuz_ports_text(ports: dict) -> str:
    return ", ".join(f"{p} ({v})" for p, v in ports.items())


def _plan_start() -> str:
    """The built-in 2026 plan's first event (15 Dec 2025), ISO UTC."""
    from .builtin import plan2026

    return min(e.t_utc for e in plan2026().events)


def _in_plan_time(t) -> bool:
    """Whether who is docked where at ``t`` is the 2026 plan's word (from its first event on), not the record's."""
    from ..time import iso_utc, parse_utc

    return iso_utc(parse_utc(t), 3) >= _plan_start()


def _manifest_source(t) -> str:
    """Whose word an occupancy at ``t`` is: the record's, or from the 2026 plan's first event on the plan's."""
    return (f"the built-in 2026 plan, a plan, not a record, from {_plan_start()[:10]}" if _in_plan_time(t)
            else "built-in record")


def undocking_port(port: str, undock, vehicle_type: str = "soyuz-ms"):
    """The port a ``vehicle_type`` undocks from at ``undock``, checked against the station
    catalogue: a port that was not a port then is refused
    (:class:`~gyrfalcon.station.catalog.PortNotAvailableError`, naming where a Soyuz MS was docked
    then when the record says, else the ports of that date), one that does not take the vehicle
    too (:class:`~gyrfalcon.station.catalog.IncompatibleVehicleError`)."""
    from ..station.catalog import IncompatibleVehicleError, PortNotAvailableError, load_station
    from ..time import iso_utc, parse_utc

    st = load_station("iss")
    t = parse_utc(undock)
    try:
        p = st.port_on(port, t.utc_datetime(), vehicle_type)
        st.require_compatible(p.id, vehicle_type)      # a Soyuz undocks only from a port that takes one
    except (PortNotAvailableError, IncompatibleVehicleError) as exc:
        ports = soyuz_ports_at_undocking(t)
        if ports is None:       # the record does not say: the catalogue's list of the ports then
            raise
        when = iso_utc(t, 0)
        incompatible = isinstance(exc, IncompatibleVehicleError)
        src = _manifest_source(t)
        if not ports:
            where = f"no Soyuz MS is docked on {when} ({src})"
        elif incompatible:
            where = (f"ports that take it: {_soyuz_ports_text(ports)}, the ones with a Soyuz MS docked on {when} "
                     f"({src})")
        else:
            where = f"a Soyuz MS is docked on {when} at: {_soyuz_ports_text(ports)} ({src})"
        msg = f"{exc.reason}; {where}"
        if incompatible:
            raise IncompatibleVehicleError(msg, reason=exc.reason, ports=tuple(ports)) from None
        raise PortNotAvailableError(msg, reason=exc.reason, ports=tuple(ports), at=exc.at,
                                    vehicle_type=exc.vehicle_type) from None
    return p


def undocking_rules(*, port: str, undock_utc, what_if: bool = False, what: str | None = None) -> tuple[str, ...]:
    """The station rules of a Soyuz MS return (``gyrfalcon landing``, :func:`gyrfalcon.plan_return`):
    the vehicle undocks from a port where the built-in manifest (the late-2025 record, then its 2026
    plan: the manifest the default port is taken from) has a Soyuz MS docked at ``undock_utc``
    (or leaving then, :data:`UNDOCK_MATCH_S`). A port another vehicle holds, or none, breaks rule
    vehicle-sequence (a departure needs the vehicle docked there). Before the plan's first event
    (the record's word) that is refused with :class:`WhatIfRequiredError`, naming the ports where a
    Soyuz MS is docked then, unless ``what_if``; from it on (the plan's word: a plan, not a record,
    as for an arrival, :func:`plan_note`) it is a note, not a refusal. The port itself is checked
    first (:func:`undocking_port`). Returns the notes the result carries: the broken rule
    (what-if), the plan's word, or the record's gap for a date before it is complete (no occupancy
    checked)."""
    from ..time import iso_utc, parse_utc

    t = parse_utc(undock_utc)
    p = undocking_port(port, t)
    ports = soyuz_ports_at_undocking(t)
    if ports is None:
        gap = record_gap_note(t, replayed=False)
        return (gap,) if gap else ()
    if p.id in ports:
        return ()
    where = f"a Soyuz MS is docked then at: {_soyuz_ports_text(ports)}" if ports else "no Soyuz MS is docked then"
    if _in_plan_time(t):
        return (f"{_plan_word('this undocking')}: {_held(p.id, t, f'on {iso_utc(t, 0)}')}; {where}",)
    what = what or f"the undocking from {p.id} at {iso_utc(t, 0)}"
    return enforce([RuleBreach("vehicle-sequence", f"{_held(p.id, t, 'then')} (built-in record); {where}")],
                   what_if, what)


def _held(port: str, t, when: str) -> str:
    """Who holds ``port`` a second before the undocking ``t`` (:func:`_undocking_manifest`), not a
    Soyuz MS: ``"<port> holds <vehicle> (<type>) <when>, not a Soyuz MS"`` or that none does."""
    from ..time import add_seconds

    m = _undocking_manifest(t)
    there = m.occupancy_at(add_seconds(t, -1.0)).ports.get(port)
    return (f"{port} holds {there} ({m.vehicles.get(there, '?')}) {when}, not a Soyuz MS" if there
            else f"no vehicle is docked at {port} {when}")
