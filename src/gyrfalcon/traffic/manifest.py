"""The station manifest: dated events, the state they imply, and the rule errors.

A manifest is *event-sourced*: the record is a list of dated :class:`Event` s (launch,
arrival, departure, relocation, arm capture/berth/hold/release, crew change); the station's
state at any instant (which vehicle is on which port, what is on the arm, who is aboard and
which seat each crew member would ride home in) is derived by replaying the events in time
order (:mod:`gyrfalcon.traffic.rules`). A :class:`Manifest` is an immutable, validated
snapshot of such a list; :class:`~gyrfalcon.traffic.store.ManifestStore` persists the list.

Event kinds (``port`` is the target port where one is needed; on a departure, hold or crew
change it may name the vehicle's current port, which is then checked):

========== ==================================================================================
launch     the vehicle lifts off from ``pad`` (a pad id of the launch-site catalogue)
arrival    the vehicle docks at ``port`` (at a berthing port: captured and berthed, in one)
           with ``crew`` aboard (default: the crew listed at its launch), who join the
           station and keep their seat on this vehicle
departure  the vehicle leaves its port with ``crew`` (default: everyone seated on it)
relocation the vehicle moves from its port to ``port`` (crew stay seated on it)
capture    Canadarm2 grapples the free-flying vehicle (it is then on the arm)
berth      the arm installs the vehicle it holds at ``port``
hold       the arm removes the vehicle from its port and holds it (NG-23, 24 Nov 2025)
release    the arm lets go of the vehicle it holds; the vehicle leaves
crew_change the listed ``crew`` (aboard) take their return seats on this docked vehicle
========== ==================================================================================

Assumptions: every event is instantaneous at its UTC time; events at the same instant apply
in the order they were recorded. Canadarm2 holds at most one vehicle. A vehicle flies once
(a vehicle that left cannot arrive again under the same name). Times are kept as ISO 8601
UTC strings with milliseconds (``2025-11-27T12:34:35.000Z``), which sort in time order.

>>> from gyrfalcon.traffic.builtin import late2025_manifest
>>> m = late2025_manifest()
>>> occ = m.occupancy_on("2025-12-01")
>>> occ.occupied_count, len(occ.ports), [s.kind for s in occ.milestones]
(8, 8, ['all-ports-occupied'])
>>> m.occupancy_on("2025-11-27").arm
'Cygnus NG-23'
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Mapping

from ..errors import InputError

EVENT_KINDS = (
    "launch", "arrival", "departure", "relocation", "capture", "berth", "hold", "release", "crew_change",
)
"""Every event kind a manifest records (see the module docstring)."""

NEEDS_PORT = ("arrival", "relocation", "berth")
"""Event kinds whose ``port`` (target) is required."""


# --- errors ------------------------------------------------------------------------------------
class ManifestInputError(InputError):
    """An event that cannot be read at all (unknown kind, missing vehicle or port, bad time)."""


class ManifestRuleError(InputError):
    """A change refused by a manifest rule; nothing was written.

    Attributes: ``rule`` (the rule's name, e.g. ``"corridor-clearance"``) and ``event`` (the
    :class:`Event` at which the resulting timeline first breaks the rule).
    """

    rule = "manifest"

    def __init__(self, message: str, event: "Event | None" = None):
        super().__init__(message)
        self.event = event


class PortOccupiedError(ManifestRuleError):
    """One vehicle per port: the target port is taken then."""

    rule = "one-vehicle-per-port"


class PortCompatibilityError(ManifestRuleError):
    """The port cannot take this vehicle type."""

    rule = "port-compatibility"


class CorridorBlockedError(ManifestRuleError):
    """The approach corridor to the port is blocked by a vehicle on a neighbouring port."""

    rule = "corridor-clearance"


class LifeboatError(ManifestRuleError):
    """A crew member aboard would have no seat on a docked crew vehicle (or seats overfilled)."""

    rule = "lifeboat"


class LaunchOrderError(ManifestRuleError):
    """A vehicle would reach the station before its recorded launch (or launch twice)."""

    rule = "arrival-after-launch"


class LaunchPadError(ManifestRuleError):
    """The launch pad is not operational on that date, or cannot serve this vehicle."""

    rule = "pad-operational"


class VehicleStateError(ManifestRuleError):
    """The event does not fit where the vehicle (or the arm, or a crew member) is then."""

    rule = "vehicle-sequence"


# --- values ------------------------------------------------------------------------------------
def fmt_t(t_utc: str) -> str:
    """A stored time shortened for messages to the nearest second, as every other time in a
    message is: ``2025-11-27T12:34:35Z`` (``...T00:00:00Z`` kept).

    >>> fmt_t("2025-11-27T12:34:35.000Z")
    '2025-11-27T12:34:35Z'
    >>> fmt_t("2025-12-01T07:54:36.900Z")
    '2025-12-01T07:54:37Z'
    """
    if len(t_utc) <= 20 or t_utc[19] != ".":
        return t_utc[:19] + "Z"
    from ..time import iso_utc, parse_utc

    return iso_utc(parse_utc(t_utc), 0)


@dataclass(frozen=True)
class Event:
    """One dated manifest event (see the module docstring for the kinds).

    ``t_utc`` is normalised ISO 8601 UTC with milliseconds; ``id`` is the store's row id
    (``None`` before it is stored; never reused after a removal) and orders events recorded at
    the same instant; ``version`` is the store's change counter of the event (1 when recorded,
    +1 per move; ``None`` outside a store; not part of equality).
    """

    t_utc: str
    kind: str
    vehicle: str
    port: str | None = None
    pad: str | None = None
    crew: tuple[str, ...] = ()
    notes: str = ""
    id: int | None = None
    version: int | None = field(default=None, compare=False)

    def describe(self) -> str:
        """One line for messages, e.g. ``arrival of Soyuz MS-28 at rassvet-nadir on 2025-...``."""
        where = f" at {self.port}" if self.port else (f" from {self.pad}" if self.pad else "")
        ref = f" (event #{self.id})" if self.id is not None else ""
        return f"{self.kind} of {self.vehicle}{where} on {fmt_t(self.t_utc)}{ref}"

    @property
    def t(self):
        """The event time as a skyfield ``Time``."""
        from ..time import parse_utc

        return parse_utc(self.t_utc)

    def as_dict(self) -> dict:
        return {"id": self.id, "t_utc": self.t_utc, "kind": self.kind, "vehicle": self.vehicle,
                "port": self.port, "pad": self.pad, "crew": list(self.crew), "notes": self.notes, "version": self.version}


def normalise_time(t) -> str:
    """``t`` (ISO string, aware datetime or skyfield Time) as the stored UTC string.

    >>> normalise_time("2025-11-27T14:27:57.4+05:00")
    '2025-11-27T09:27:57.400Z'
    """
    from ..time import iso_utc, parse_utc

    value = parse_utc(t)
    if getattr(value, "shape", ()) != ():
        raise ManifestInputError(f"an event time must be one instant, got an array of shape {value.shape}")
    return iso_utc(value, places=3)


JOINERS = "\u200c\u200d"
"""Zero-width non-joiner and joiner: format characters that names in some scripts (Persian, Hindi)
need, so a name may hold them."""


def check_event_text(event: "Event") -> None:
    """Refuse a NEW event whose vehicle name, crew names or notes hold control or format characters
    (:func:`_refuse_control_characters`; notes may hold line breaks and tabs). Events already stored
    are not judged again (a move keeps their text as it is)."""
    _refuse_control_characters(event.vehicle, "vehicle name", allow=JOINERS)
    for c in event.crew:
        _refuse_control_characters(c, "crew name", allow=JOINERS)
    _refuse_control_characters(event.notes, "notes", allow="\n\r\t")


def _refuse_control_characters(text: str, what: str, allow: str = "") -> None:
    """Refuse control and format characters (NUL, a newline, a right-to-left override...) in ``text``:
    they would be stored and then printed into every table that shows it (``allow``: kept, e.g.
    line breaks in notes).

    >>> _refuse_control_characters("Soyuz MS-28", "vehicle name")
    >>> _refuse_control_characters("Evil\u202eX", "vehicle name")
    Traceback (most recent call last):
    ...
    gyrfalcon.traffic.manifest.ManifestInputError: vehicle name 'Evil\u202eX' holds a control or format character (U+202E); give plain text
    """
    import unicodedata

    for ch in str(text):
        if ch not in allow and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise ManifestInputError(f"{what} {str(text)[:60]!r} holds a control or format character "
                                     f"(U+{ord(ch):04X}); give plain text")


def make_event(kind: str, t, vehicle: str, port: str | None = None, pad: str | None = None,
               crew=(), notes: str = "", id: int | None = None) -> Event:
    """A checked :class:`Event` (kind known, vehicle named, port given where needed, time read)."""
    kind_n = str(kind).strip().lower().replace("-", "_")
    if kind_n not in EVENT_KINDS:
        raise ManifestInputError(f"unknown event kind '{kind}'; use one of {', '.join(EVENT_KINDS)}")
    name = str(vehicle or "").strip()
    if not name:
        raise ManifestInputError(f"a {kind_n} event needs a vehicle name (e.g. 'Soyuz MS-28')")
    from .station_link import norm_id

    port_n = norm_id(port) if port else None
    if kind_n in NEEDS_PORT and not port_n:
        raise ManifestInputError(f"a {kind_n} event needs the target port (e.g. port='rassvet-nadir')")
    if kind_n == "launch" and port_n:
        raise ManifestInputError(f"a launch has a pad, not a port (got port {port_n}); record the port with the "
                                 "vehicle's arrival, and give the launch pad (--pad / pad=)")
    if kind_n != "launch" and pad:
        raise ManifestInputError(f"only a launch has a pad (got pad {pad} for a {kind_n}); leave it out")
    if isinstance(crew, str):
        crew = [c for c in crew.split(",")]
    crew_t = tuple(c.strip() for c in crew if str(c).strip())
    if len(set(crew_t)) != len(crew_t):
        raise ManifestInputError(f"crew list {list(crew_t)} names someone twice; list each person once")
    return Event(normalise_time(t), kind_n, name, port_n, norm_id(pad) if pad else None, crew_t,
                 str(notes or ""), id)


@dataclass(frozen=True)
class Milestone:
    """A derived, noteworthy moment (e.g. ``all-ports-occupied``) and the event that caused it."""

    t_utc: str
    kind: str
    text: str
    event_id: int | None = None


@dataclass(frozen=True)
class Occupancy:
    """The station at one instant, as the manifest implies.

    ``ports``: {port id: vehicle name or ``None``} in the station's port order; ``arm``: the
    vehicle held on Canadarm2 (or ``None``); ``crew_aboard``: names, sorted; ``seats``:
    {crew member: vehicle whose seat they would ride home in}; ``milestones``: those on
    ``date`` (for :meth:`Manifest.occupancy_on`) or at the instant (for ``occupancy_at``).
    """

    t_utc: str
    date: str
    ports: Mapping[str, str | None]
    arm: str | None
    crew_aboard: tuple[str, ...]
    seats: Mapping[str, str]
    milestones: tuple[Milestone, ...] = ()

    @property
    def occupied_count(self) -> int:
        return sum(1 for v in self.ports.values() if v is not None)

    @property
    def free_ports(self) -> tuple[str, ...]:
        return tuple(p for p, v in self.ports.items() if v is None)

    def port_of(self, vehicle: str) -> str | None:
        """The port ``vehicle`` is on, or ``None`` (on the arm, in flight, gone, unknown)."""
        for p, v in self.ports.items():
            if v == vehicle:
                return p
        return None

    def as_dict(self) -> dict:
        return {"t_utc": self.t_utc, "date": self.date, "ports": dict(self.ports), "arm": self.arm,
                "occupied_count": self.occupied_count, "crew_aboard": list(self.crew_aboard),
                "seats": dict(self.seats),
                "milestones": [{"t_utc": m.t_utc, "kind": m.kind, "text": m.text} for m in self.milestones]}


@dataclass(frozen=True)
class StationState:
    """State after one event (internal snapshot; :class:`Occupancy` is the public view)."""

    ports: Mapping[str, str | None]
    arm: str | None
    seats: Mapping[str, str]
    where: Mapping[str, str]


@dataclass(frozen=True)
class Manifest:
    """A validated, immutable manifest: events in time order and the state after each.

    Build one with :meth:`from_events` (which runs every rule and raises a
    :class:`ManifestRuleError` if the timeline breaks one) or from a store
    (:meth:`~gyrfalcon.traffic.store.ManifestStore.manifest`).
    """

    station: object
    events: tuple[Event, ...]
    vehicles: Mapping[str, str]
    states: tuple[StationState, ...]
    milestones: tuple[Milestone, ...]
    _times: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def from_events(cls, events, vehicles: Mapping[str, str], station=None, pads=None) -> "Manifest":
        """Validate ``events`` (vehicle name -> type in ``vehicles``) and derive every state.

        ``station``: a :class:`~gyrfalcon.traffic.station_link.StationModel` (default ISS);
        ``pads``: a :class:`~gyrfalcon.launch.sites.PadStatusBoard` (default: the catalogue).
        """
        from .rules import replay
        from .station_link import station_model

        st = station if station is not None else station_model("iss")
        ordered, states, milestones = replay(events, vehicles, st, pads)
        return cls(st, ordered, dict(vehicles), states, milestones, tuple(e.t_utc for e in ordered))

    def _state_at(self, t_utc: str) -> StationState | None:
        i = bisect.bisect_right(self._times, t_utc)
        return self.states[i - 1] if i else None

    def _occupancy(self, t_utc: str, date: str, milestones) -> Occupancy:
        s = self._state_at(t_utc)
        # the ports of the station at t_utc (Prichal from Nov 2021, Pirs until Jul 2021, ...), and any occupied one
        ports = self.station.ports_at(t_utc, {} if s is None else s.ports)
        seats = {} if s is None else dict(s.seats)
        return Occupancy(t_utc, date, ports, None if s is None else s.arm, tuple(sorted(seats)), seats,
                         tuple(milestones))

    def occupancy_at(self, t) -> Occupancy:
        """The station at instant ``t`` (events at exactly ``t`` included)."""
        t_utc = normalise_time(t)
        return self._occupancy(t_utc, t_utc[:10], (m for m in self.milestones if m.t_utc == t_utc))

    def occupancy_on(self, date) -> Occupancy:
        """The station at the end of UTC day ``date`` (``YYYY-MM-DD``), with that day's milestones."""
        day = normalise_time(date)[:10]
        end = day + "T23:59:59.999Z"
        return self._occupancy(end, day, (m for m in self.milestones if m.t_utc[:10] == day))

    def where(self, vehicle: str, t) -> str | None:
        """Where ``vehicle`` is at ``t``: a port id, ``"arm"``, ``"flight"``, ``"gone"`` or ``None``
        (not yet in the manifest)."""
        s = self._state_at(normalise_time(t))
        return None if s is None else s.where.get(vehicle)
