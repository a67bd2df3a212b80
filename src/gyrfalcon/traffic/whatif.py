"""What-ifs on a manifest: a launch pad out of service, and what it does to the station.

:func:`pad_outage_whatif` takes a planned manifest (default: the built-in late-2025 manifest plus
its plan, :func:`gyrfalcon.traffic.builtin.planned_manifest`) and a :class:`PadOutage`, re-plans
every launch the outage touches and reports the consequences:

* **slips**: each affected launch moves to the first date it may fly (below); every later event
  of that vehicle (arrival, relocation, departure...) moves by the same amount, and so does every
  event whose notes say ``[moves with <vehicle>]`` (a Progress undocking to free the port for its
  successor, a Soyuz leaving after its replacement's handover);
* **stays**: each vehicle's docked stay (first docking to departure) before and after, against the
  vehicle type's stay limit (station catalogue): a stay beyond the limit is *at risk*. A stay
  whose departure the manifest does not record is *open-ended* (measured to the horizon, the
  last event) and not judged;
* **lifeboat**: for each crew member, the days their return seat is on a crew vehicle docked
  beyond its stay limit (no certified lifeboat seat), for vehicles with a recorded departure;
* **cargo / reboost**: the spans with no Progress at Zvezda aft (the reboost and refuelling port)
  and the longest interval between two Progress arrivals (resupply), before and after;
* **rules**: the re-planned timeline is replayed against every manifest rule with the pad board
  plus the outage; a broken rule is reported (not raised).

Re-planning rule (stated assumptions). Launches are taken in time order. A launch from the
pad at an instant inside the outage ``[since, until)`` may fly no earlier than
``until + turnaround_days`` (pad turnaround, default :data:`TURNAROUND_DAYS`). Every launch from
that pad after an affected one keeps at least ``turnaround_days`` after the previous launch from
the pad, and at least the vehicle type's usual cadence (:data:`CADENCE_DAYS`) after the previous
launch of the same type. A launch is never moved earlier; the time of day is kept from the
arithmetic (dates with no time stay at 00:00 UTC). An outage with no end cancels the affected
launches (reported with ``replanned_utc = None``) and drops their later events. Day counts are
TT days (86 400 s); no leap second falls in the spans used here.

Real check (domain.md 7.2): Site 31/6 out from the MS-28 launch (27 Nov 2025) to 3 Mar 2026;
Progress MS-33, planned for 21 Dec 2025, slips to 3 Mar + 16 d = 19 Mar 2026 (it flew on 22 Mar).

>>> r = pad_outage_whatif(parse_pad_outage("baikonur-31:2025-11-27..2026-03-03"))
>>> s = r.slip_of("Progress MS-33")
>>> s.replanned_utc[:10], round(s.slip_days)
('2026-03-19', 88)
>>> r.slip_of("Soyuz MS-29").slip_days
0.0
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from ..errors import InputError
from .manifest import Event, Manifest, ManifestRuleError, fmt_t, normalise_time
from .rules import _order

MAX_TURNAROUND_DAYS = 366.0
"""Longest pad turnaround accepted [days] (a year: a longer one is a typo, and moves launches past
any planning horizon)."""
TURNAROUND_DAYS = 16.0
"""Pad turnaround [days]: the least time from a pad's return to service (or from one launch) to
the next launch from it. (C) general reference, from memory, not re-checked: the shortest recent
intervals between two launches from Site 31/6 are about 15-16 days (Soyuz MS-16 9 Apr 2020 ->
Progress MS-14 25 Apr 2020; OneWeb 25 Mar 2021 -> Soyuz MS-18 9 Apr 2021). No post-repair
figure was found; the real first launch came 19 days after the repair (domain.md 7.2)."""

CADENCE_DAYS = {"progress-ms": 30.0, "soyuz-ms": 30.0}
"""Least interval between two launches of one vehicle type [days], by type id (D, assumption:
spacecraft of a type are processed one after the other; the closest pair in our data is
Progress MS-33 22 Mar 2026 -> MS-34 about 26 Apr 2026, 35 days)."""

ZVEZDA_AFT = "zvezda-aft"
"""The Progress reboost / refuelling port (domain.md 4.1, 6)."""

PROGRESS = "progress-ms"

_MOVES_WITH = re.compile(r"\[moves with ([^\]]+)\]", re.IGNORECASE)
_DAY = 86400.0


class WhatIfInputError(InputError):
    """A what-if that cannot be set up (unreadable outage, unknown pad, empty span)."""


# --- time helpers (TT days between stored UTC strings) -------------------------------------------
def _days(a_utc: str, b_utc: str) -> float:
    """Days from ``a_utc`` to ``b_utc``."""
    from ..time import parse_utc, seconds_between

    return float(seconds_between(parse_utc(a_utc), parse_utc(b_utc))) / _DAY


def _shift(t_utc: str, days: float) -> str:
    if days == 0.0:
        return t_utc
    from ..time import add_seconds, parse_utc

    return normalise_time(add_seconds(parse_utc(t_utc), days * _DAY))


def _later(a: str, b: str) -> str:
    return a if a >= b else b


# --- the outage ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PadOutage:
    """Pad ``pad_id`` out of service from ``since_utc`` to ``until_utc`` (``None``: no end known)."""

    pad_id: str
    since_utc: str
    until_utc: str | None
    reason: str = "what-if pad outage"
    start_is_date: bool = False

    def resolved(self, events) -> "PadOutage":
        """If the start was a bare date and ``events`` record launches from the pad that day, the
        outage starting 1 ms after the last of them (the pad damaged by that launch); else itself."""
        if not self.start_is_date:
            return self
        day = self.since_utc[:10]
        same_day = [e.t_utc for e in events if e.kind == "launch" and e.pad == self.pad_id and e.t_utc[:10] == day]
        if not same_day:
            return PadOutage(self.pad_id, self.since_utc, self.until_utc, self.reason)
        return PadOutage(self.pad_id, _shift(max(same_day), 0.001 / _DAY), self.until_utc, self.reason)

    def covers(self, t_utc: str) -> bool:
        return self.since_utc <= t_utc and (self.until_utc is None or t_utc < self.until_utc)

    def as_dict(self) -> dict:
        return {"pad_id": self.pad_id, "since_utc": self.since_utc, "until_utc": self.until_utc,
                "reason": self.reason}


OUTAGE_SPAN_UTC = ("1998-11-20", "2100-01-01")
"""Dates a pad outage may name: from the ISS's first launch (Zarya, 20 Nov 1998) to 2100."""


def parse_pad_outage(text: str, events=()) -> PadOutage:
    """A :class:`PadOutage` from ``PAD:START..END`` (``END`` may be empty: no end known).

    Times are ISO 8601 UTC. A bare ``START`` date on which the manifest records a launch from the
    pad means "lost right after that day's last launch from it" (the pad damaged by that launch, as
    Site 31/6 by Soyuz MS-28); otherwise it means 00:00 UTC. That is resolved against ``events``
    here if given, else by :func:`pad_outage_whatif` against the manifest it re-plans. A bare ``END`` date means the pad is
    usable again from 00:00 UTC that day.

    >>> parse_pad_outage("31/6:2025-11-27..2026-03-03").until_utc
    '2026-03-03T00:00:00.000Z'
    >>> parse_pad_outage("baikonur-31:2026-03-03..2025-11-27")
    Traceback (most recent call last):
    ...
    gyrfalcon.traffic.whatif.WhatIfInputError: pad outage 'baikonur-31:2026-03-03..2025-11-27': the end 2025-11-27T00:00:00Z is not after the start 2026-03-03T00:00:00Z; give PAD:START..END with START before END (e.g. baikonur-31:2025-11-27..2026-03-03)
    """
    from ..launch.sites import load_sites

    example = "baikonur-31:2025-11-27..2026-03-03"
    m = re.fullmatch(r"\s*([^:]+):\s*([^.]+?)\s*\.\.\s*(.*?)\s*", str(text))
    if not m:
        raise WhatIfInputError(f"cannot read pad outage '{text}'; give PAD:START..END, e.g. {example}")
    try:
        pad = load_sites().resolve(m.group(1))
        start, end = m.group(2), m.group(3)
        since = normalise_time(start)
        until = normalise_time(end) if end else None
    except InputError as exc:
        raise WhatIfInputError(f"pad outage '{text}': {exc}") from None
    lo, hi = OUTAGE_SPAN_UTC
    if not lo <= since[:10] <= hi or (until is not None and not lo <= until[:10] <= hi):
        raise WhatIfInputError(
            f"pad outage '{text}': give dates from {lo} (the station's first launch) to {hi} (leave END empty "
            f"for an outage with no end), e.g. {example}")
    if until is not None and until <= since:
        raise WhatIfInputError(
            f"pad outage '{text}': the end {fmt_t(until)} is not after the start {fmt_t(since)}; give "
            f"PAD:START..END with START before END (e.g. {example})")
    outage = PadOutage(pad, since, until, start_is_date=bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", start.strip())))
    return outage.resolved(events) if events else outage


# --- results ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LaunchSlip:
    """One launch: planned and re-planned instant (``None``: cancelled), slip [days], why."""

    vehicle: str
    vehicle_type: str
    pad: str | None
    planned_utc: str
    replanned_utc: str | None
    slip_days: float | None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class MovedEvent:
    """A non-launch event moved (or dropped, ``replanned_utc=None``) with a slipped launch."""

    description: str
    planned_utc: str
    replanned_utc: str | None
    shift_days: float | None
    because_of: str


@dataclass(frozen=True)
class StayCheck:
    """A vehicle's docked stay, planned and re-planned [days], against its type's limit."""

    vehicle: str
    vehicle_type: str
    docked_utc: str
    planned_departure_utc: str | None
    replanned_departure_utc: str | None
    planned_stay_days: float
    replanned_stay_days: float
    limit_days: float | None
    limit_conf: str
    open_ended: bool

    @property
    def at_risk(self) -> bool:
        """The re-planned stay exceeds the limit (where one is published and the departure is
        recorded; an open-ended stay, whose departure the manifest does not hold, is not judged)."""
        return self.limit_days is not None and not self.open_ended and self.replanned_stay_days > self.limit_days

    @property
    def margin_days(self) -> float | None:
        """Limit minus re-planned stay [days] (negative: beyond the limit)."""
        return None if self.limit_days is None else self.limit_days - self.replanned_stay_days


@dataclass(frozen=True)
class SeatGap:
    """A crew member without a certified lifeboat seat: their seat vehicle is docked beyond its
    stay limit from ``from_utc`` to ``to_utc`` (``days``)."""

    crew: str
    vehicle: str
    from_utc: str
    to_utc: str
    days: float


@dataclass(frozen=True)
class PortGap:
    """A span with no vehicle of ``vehicle_type`` at ``port`` [days]."""

    port: str
    vehicle_type: str
    from_utc: str
    to_utc: str
    days: float


@dataclass(frozen=True)
class CargoSummary:
    """Progress presence at Zvezda aft and resupply spacing over one timeline."""

    zvezda_aft_gaps: tuple[PortGap, ...]
    zvezda_aft_gap_days: float
    longest_resupply_gap_days: float
    longest_resupply_gap: tuple[str, str] | None

    def as_dict(self) -> dict:
        return {"zvezda_aft_gaps": [g.__dict__ for g in self.zvezda_aft_gaps],
                "zvezda_aft_gap_days": self.zvezda_aft_gap_days,
                "longest_resupply_gap_days": self.longest_resupply_gap_days,
                "longest_resupply_gap": self.longest_resupply_gap}


@dataclass(frozen=True)
class PortInterval:
    """``vehicle`` on ``port`` from ``from_utc`` to ``to_utc`` (``None``: still there at the end)."""

    port: str
    vehicle: str
    vehicle_type: str
    from_utc: str
    to_utc: str | None


@dataclass(frozen=True)
class WhatIfResult:
    """Everything :func:`pad_outage_whatif` found (see the module docstring).

    ``baseline`` is the validated planned :class:`Manifest`; ``replanned_events`` the re-planned
    event list (validated into ``replanned`` when it passes every rule; otherwise ``replanned`` is
    ``None`` and ``rule_violation`` says which rule broke where).
    """

    outage: PadOutage
    turnaround_days: float
    cadence_days: Mapping[str, float]
    horizon_utc: str
    slips: tuple[LaunchSlip, ...]
    moved: tuple[MovedEvent, ...]
    stays: tuple[StayCheck, ...]
    seat_gaps_planned: tuple[SeatGap, ...]
    seat_gaps: tuple[SeatGap, ...]
    cargo_planned: CargoSummary
    cargo: CargoSummary
    rule_violation: str | None
    baseline: Manifest = field(repr=False, compare=False)
    replanned_events: tuple[Event, ...] = field(repr=False, compare=False)
    replanned: Manifest | None = field(repr=False, compare=False)
    vehicles: Mapping[str, str] = field(repr=False, compare=False, default_factory=dict)

    def slip_of(self, vehicle: str) -> LaunchSlip:
        for s in self.slips:
            if s.vehicle == vehicle:
                return s
        raise WhatIfInputError(f"no launch of '{vehicle}' in the manifest; launches: "
                               f"{', '.join(s.vehicle for s in self.slips)}")

    def stay_of(self, vehicle: str) -> StayCheck:
        for s in self.stays:
            if s.vehicle == vehicle:
                return s
        raise WhatIfInputError(f"'{vehicle}' never docks in the manifest")

    @property
    def affected(self) -> tuple[LaunchSlip, ...]:
        """Launches that moved or were cancelled."""
        return tuple(s for s in self.slips if s.slip_days is None or s.slip_days > 0)

    @property
    def stays_at_risk(self) -> tuple[StayCheck, ...]:
        return tuple(s for s in self.stays if s.at_risk)

    def chart_span(self) -> tuple[str, str]:
        """(start, end) UTC of the what-if's Gantt chart: from the outage's first day to the later of
        the horizon and the outage's end, at least one day (an outage after every planned event
        still has a span to draw)."""
        from ..time import add_seconds, iso_utc, parse_utc

        start = self.outage.since_utc[:10] + "T00:00:00.000Z"
        end = max(self.horizon_utc, self.outage.until_utc or self.outage.since_utc)
        floor = normalise_time(iso_utc(add_seconds(parse_utc(start), _DAY), 3))
        return start, max(end, floor)

    def intervals(self, replanned: bool = True) -> tuple[PortInterval, ...]:
        """Port occupancy spans of the re-planned (or the planned) timeline."""
        evs = self.replanned_events if replanned else self.baseline.events
        return port_intervals(evs, self.vehicles)

    def as_dict(self) -> dict:
        return {
            "outage": self.outage.as_dict(), "turnaround_days": self.turnaround_days,
            "cadence_days": dict(self.cadence_days), "horizon_utc": self.horizon_utc,
            "slips": [s.__dict__ | {"reasons": list(s.reasons)} for s in self.slips],
            "moved": [m.__dict__ for m in self.moved],
            "stays": [s.__dict__ | {"at_risk": s.at_risk, "margin_days": s.margin_days} for s in self.stays],
            "seat_gaps_planned": [g.__dict__ for g in self.seat_gaps_planned],
            "seat_gaps": [g.__dict__ for g in self.seat_gaps],
            "cargo_planned": self.cargo_planned.as_dict(), "cargo": self.cargo.as_dict(),
            "rule_violation": self.rule_violation,
        }


# --- timeline walkers (no rule checks: they also read a timeline that breaks a rule) -----------------
def port_intervals(events, vehicles: Mapping[str, str]) -> tuple[PortInterval, ...]:
    """Who was on which port when, from arrival/berth/relocation/departure/hold events."""
    open_: dict[str, tuple[str, str]] = {}
    out = []
    for ev in _order(events):
        v = ev.vehicle
        if ev.kind in ("departure", "hold", "relocation") and v in open_:
            port, t0 = open_.pop(v)
            out.append(PortInterval(port, v, vehicles.get(v, "?"), t0, ev.t_utc))
        if ev.kind in ("arrival", "berth", "relocation"):
            open_[v] = (ev.port, ev.t_utc)
    out.extend(PortInterval(p, v, vehicles.get(v, "?"), t0, None) for v, (p, t0) in open_.items())
    return tuple(sorted(out, key=lambda i: (i.port, i.from_utc)))


def _stays(events) -> dict[str, tuple[str, str | None]]:
    """{vehicle: (first docking or berthing, departure or release or None)}."""
    out: dict[str, list] = {}
    for ev in _order(events):
        if ev.kind in ("arrival", "berth") and ev.vehicle not in out:
            out[ev.vehicle] = [ev.t_utc, None]
        elif ev.kind in ("departure", "release") and ev.vehicle in out:
            out[ev.vehicle][1] = ev.t_utc
    return {v: (a, b) for v, (a, b) in out.items()}


def _seats_at(events, t_utc: str) -> dict[str, str]:
    """{crew member: seat vehicle} just before ``t_utc`` (arrival, departure and crew_change)."""
    seats: dict[str, str] = {}
    launch_crew = {e.vehicle: e.crew for e in events if e.kind == "launch"}
    for ev in _order(events):
        if ev.t_utc >= t_utc:
            break
        if ev.kind == "arrival":
            for c in ev.crew or launch_crew.get(ev.vehicle, ()):
                seats[c] = ev.vehicle
        elif ev.kind == "departure":
            for c in ev.crew or [c for c, v in seats.items() if v == ev.vehicle]:
                seats.pop(c, None)
        elif ev.kind == "crew_change":
            for c in ev.crew:
                seats[c] = ev.vehicle
    return seats


def _seat_gaps(events, vehicles, station, horizon_utc: str) -> tuple[SeatGap, ...]:
    gaps = []
    for v, (t0, t1) in _stays(events).items():
        vt = station.vehicle_type(vehicles[v])
        if vt.crew_seats == 0 or vt.stay_limit_days is None or t1 is None:
            continue  # open-ended stays (departure not in the manifest) are not judged
        end = t1
        limit_t = _shift(t0, vt.stay_limit_days)
        if limit_t >= end:
            continue
        for c, seat in sorted(_seats_at(events, limit_t).items()):
            if seat == v:
                gaps.append(SeatGap(c, v, limit_t, end, _days(limit_t, end)))
    return tuple(gaps)


def cargo_summary(events, vehicles, start_utc: str, end_utc: str) -> CargoSummary:
    """Spans without a Progress at Zvezda aft, and the longest span between Progress arrivals,
    within ``[start_utc, end_utc]``; the span from the last arrival to ``end_utc`` counts too (an
    outage with no end cancels every later Progress: that span is the resupply gap)."""
    spans = [(i.from_utc, i.to_utc or end_utc) for i in port_intervals(events, vehicles)
             if i.port == ZVEZDA_AFT and i.vehicle_type == PROGRESS]
    gaps = []
    cursor = start_utc
    for a, b in sorted(spans):
        if b <= cursor:
            continue
        if a > cursor:
            gaps.append(PortGap(ZVEZDA_AFT, PROGRESS, cursor, min(a, end_utc), _days(cursor, min(a, end_utc))))
        cursor = max(cursor, b)
        if cursor >= end_utc:
            break
    if cursor < end_utc:
        gaps.append(PortGap(ZVEZDA_AFT, PROGRESS, cursor, end_utc, _days(cursor, end_utc)))
    gaps = [g for g in gaps if g.days > 0]
    arrivals = sorted(e.t_utc for e in events if e.kind == "arrival" and vehicles.get(e.vehicle) == PROGRESS)
    pairs = list(zip(arrivals, arrivals[1:]))
    if arrivals and arrivals[-1] < end_utc:
        pairs.append((arrivals[-1], end_utc))
    longest = max(pairs, key=lambda p: _days(*p)) if pairs else None
    return CargoSummary(tuple(gaps), sum(g.days for g in gaps), _days(*longest) if longest else 0.0, longest)


# --- re-planning -----------------------------------------------------------------------------------
def _launch_pad(ev: Event, vtype, ) -> str | None:
    if ev.pad:
        return ev.pad
    return vtype.pads[0] if len(vtype.pads) == 1 else None


def replan_launches(events, vehicles: Mapping[str, str], station, outage: PadOutage,
                    turnaround_days: float = TURNAROUND_DAYS,
                    cadence_days: Mapping[str, float] | None = None) -> tuple[LaunchSlip, ...]:
    """Every launch with its re-planned instant (the rule in the module docstring)."""
    cadence = CADENCE_DAYS if cadence_days is None else cadence_days
    slips = []
    last_pad: str | None = None       # last (re-planned) launch from the outage pad
    last_type: dict[str, str] = {}    # vehicle type -> last (re-planned) launch
    disturbed = False                  # has an earlier launch from the pad moved?
    for ev in _order(events):
        if ev.kind != "launch":
            continue
        vt = station.vehicle_type(vehicles[ev.vehicle])
        pad = _launch_pad(ev, vt)
        t = ev.t_utc
        reasons = []
        cancelled = False
        if pad == outage.pad_id:
            if outage.covers(t):
                disturbed = True
                if outage.until_utc is None:
                    cancelled = True
                    reasons.append(f"{pad} out of service from {fmt_t(outage.since_utc)} with no end")
                else:
                    ready = _shift(outage.until_utc, turnaround_days)
                    if ready > t:
                        reasons.append(f"{pad} back {fmt_t(outage.until_utc)[:10]} + {turnaround_days:g} d turnaround")
                    t = _later(t, ready)
            if disturbed and not cancelled and last_pad is not None:
                ready = _shift(last_pad, turnaround_days)
                if ready > t:
                    reasons.append(f"{turnaround_days:g} d after the previous launch from {pad}")
                    t = ready
            if disturbed and not cancelled and vt.id in cadence and vt.id in last_type:
                ready = _shift(last_type[vt.id], cadence[vt.id])
                if ready > t:
                    reasons.append(f"{cadence[vt.id]:g} d {vt.id} cadence after the previous one")
                    t = ready
        if cancelled:
            slips.append(LaunchSlip(ev.vehicle, vt.id, pad, ev.t_utc, None, None, tuple(reasons)))
            continue
        slips.append(LaunchSlip(ev.vehicle, vt.id, pad, ev.t_utc, t, _days(ev.t_utc, t) if t != ev.t_utc else 0.0,
                                tuple(reasons)))
        if pad == outage.pad_id:
            last_pad = t
        last_type[vt.id] = t
    return tuple(slips)


def _apply_slips(events, slips: tuple[LaunchSlip, ...]):
    by_vehicle = {s.vehicle: s for s in slips}
    new_events = []
    moved = []
    for ev in _order(events):
        slip = by_vehicle.get(ev.vehicle)
        cause = ev.vehicle
        link = _MOVES_WITH.search(ev.notes or "")
        if link and link.group(1).strip() in by_vehicle:
            linked = by_vehicle[link.group(1).strip()]
            if ev.kind != "launch" and (slip is None or (linked.slip_days or 0) > (slip.slip_days or 0)
                                        or linked.slip_days is None):
                slip, cause = linked, linked.vehicle
        if slip is None:
            new_events.append(ev)
            continue
        if ev.kind == "launch":
            if slip.replanned_utc is not None:
                new_events.append(Event(**{**ev.__dict__, "t_utc": slip.replanned_utc}))
            continue
        if slip.slip_days is None:  # cancelled: its later events cannot happen
            if ev.vehicle == slip.vehicle and ev.t_utc >= slip.planned_utc:
                moved.append(MovedEvent(ev.describe(), ev.t_utc, None, None, cause))
                continue
            new_events.append(ev)  # a linked event (e.g. an undocking) stays as planned
            continue
        if slip.slip_days == 0.0 or (ev.vehicle == slip.vehicle and ev.t_utc < slip.planned_utc):
            new_events.append(ev)
            continue
        t = _shift(ev.t_utc, slip.slip_days)
        moved.append(MovedEvent(ev.describe(), ev.t_utc, t, slip.slip_days, cause))
        new_events.append(Event(**{**ev.__dict__, "t_utc": t}))
    return tuple(new_events), tuple(moved)


def pad_outage_whatif(outage: PadOutage, events=None, vehicles: Mapping[str, str] | None = None, *,
                      board=None, station=None, turnaround_days: float = TURNAROUND_DAYS,
                      cadence_days: Mapping[str, float] | None = None) -> WhatIfResult:
    """Re-plan ``events`` (default: the built-in manifest and plan) for ``outage``; report.

    ``board``: the pad status board the plan was made with (default: the built-in plan's,
    :func:`~gyrfalcon.traffic.builtin.plan_board`); the what-if adds the outage to it.
    ``turnaround_days``, ``cadence_days``: see :data:`TURNAROUND_DAYS`, :data:`CADENCE_DAYS`.
    """
    from .builtin import plan_board, planned_events
    from .station_link import station_model

    if not 0.0 <= float(turnaround_days) <= MAX_TURNAROUND_DAYS:
        raise WhatIfInputError(f"turnaround_days (--turnaround-days) must be a number of days from 0 to "
                               f"{MAX_TURNAROUND_DAYS:g}, got {turnaround_days}; the default is {TURNAROUND_DAYS:g}")
    st = station if station is not None else station_model("iss")
    if events is None:
        events, default_vehicles = planned_events()
        vehicles = vehicles or default_vehicles
    elif vehicles is None:
        raise WhatIfInputError("give the vehicle types (vehicles={name: type}) with the events")
    events = tuple(events)
    outage = outage.resolved(events)
    base_board = board if board is not None else plan_board()
    baseline = Manifest.from_events(events, vehicles, st, base_board)
    cadence = dict(CADENCE_DAYS if cadence_days is None else cadence_days)
    slips = replan_launches(baseline.events, vehicles, st, outage, turnaround_days, cadence)
    new_events, moved = _apply_slips(baseline.events, slips)
    whatif_board = base_board.with_event(outage.pad_id, outage.since_utc, "damaged", outage.reason,
                                         until=outage.until_utc)
    violation = None
    replanned = None
    try:
        replanned = Manifest.from_events(new_events, vehicles, st, whatif_board)
    except ManifestRuleError as exc:
        violation = f"{exc.rule}: {exc}"
    start = baseline.events[0].t_utc if baseline.events else outage.since_utc
    horizon = max([e.t_utc for e in baseline.events] + [e.t_utc for e in new_events] + [outage.since_utc])
    plan_stays, new_stays = _stays(baseline.events), _stays(new_events)
    stays = []
    cancelled = {s.vehicle for s in slips if s.replanned_utc is None}
    for v, (t0, t1) in plan_stays.items():
        if v in cancelled:         # never flies: no stay (the launches table says cancelled)
            continue
        vt = st.vehicle_type(vehicles[v])
        n0, n1 = new_stays.get(v, (t0, t1))
        stays.append(StayCheck(v, vt.id, n0, t1, n1, _days(t0, t1 or horizon), _days(n0, n1 or horizon),
                               vt.stay_limit_days, vt.stay_limit_conf, n1 is None))
    cargo_from = max(outage.since_utc, start)
    return WhatIfResult(
        outage, float(turnaround_days), cadence, horizon, slips, moved, tuple(stays),
        _seat_gaps(baseline.events, vehicles, st, horizon), _seat_gaps(new_events, vehicles, st, horizon),
        cargo_summary(baseline.events, vehicles, cargo_from, horizon),
        cargo_summary(new_events, vehicles, cargo_from, horizon),
        violation, baseline, new_events, replanned, dict(vehicles))


# --- the Gantt chart ---------------------------------------------------------------------------------
_TYPE_COLOURS = {"soyuz-ms": "tab:red", "progress-ms": "tab:orange", "crew-dragon": "tab:blue",
                 "cargo-dragon": "tab:cyan", "cygnus-xl": "tab:purple", "htv-x": "tab:green",
                 "starliner": "tab:brown"}


def _fit_bar_labels(fig, ax, labels) -> None:
    """Each bar's vehicle name inside its bar when it fits; else just left of the bar when the
    space there is free of the axes' edge, else hidden (a name cut by the chart's edge reads as
    another vehicle). ``labels``: (text, bar start, bar end) with the text centred on the bar."""
    renderer = fig.canvas.get_renderer()
    x_left = ax.get_window_extent(renderer).x0
    for text, a, b in labels:
        width_px = text.get_window_extent(renderer).width
        x_a, x_b = (ax.transData.transform((ax.xaxis.convert_units(t), 0))[0] for t in (a, b))
        if width_px + 4 <= x_b - x_a:
            continue
        if x_a - width_px - 4 >= x_left:
            text.set_x(a)
            text.set_horizontalalignment("right")
            text.set_text(text.get_text() + " ")
        else:
            text.set_visible(False)


def gantt(path, intervals, *, ports=None, baseline=None, title: str = "Port occupancy",
          start_utc: str | None = None, end_utc: str | None = None, outage: PadOutage | None = None):
    """Draw port occupancy (``intervals``: :class:`PortInterval` s) as a Gantt chart to ``path``.

    The format follows the file suffix (``.png``, ``.svg``, ``.pdf``). ``baseline`` intervals, if
    given, are drawn as thin grey bars under each port's row (the plan before the what-if);
    ``outage`` is shaded. Returns the path written.
    """
    import datetime as dt
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    def d(t):
        return dt.datetime.fromisoformat(t.replace("Z", "+00:00"))

    ivs = list(intervals) + list(baseline or [])
    if not ivs:
        raise WhatIfInputError("nothing to draw: the manifest has no vehicle on any port; add events first")
    t0 = start_utc or min(i.from_utc for i in ivs)
    t1 = end_utc or max(max(i.to_utc or i.from_utc for i in ivs), max(i.from_utc for i in ivs))
    if t1 <= t0:
        raise WhatIfInputError(f"empty time span {fmt_t(t0)} .. {fmt_t(t1)}; give an end after the start")
    rows = list(ports or sorted({i.port for i in ivs}))
    fig, ax = plt.subplots(figsize=(12, 0.6 * len(rows) + 1.8))
    labels = []
    for k, port in enumerate(rows):
        y = len(rows) - 1 - k
        for i in baseline or []:
            if i.port == port:
                a, b = max(i.from_utc, t0), min(i.to_utc or t1, t1)
                if b > a:
                    ax.barh(y - 0.32, (d(b) - d(a)).total_seconds() / _DAY, left=d(a), height=0.14,
                            color="0.6", edgecolor="none")
        for i in intervals:
            if i.port != port:
                continue
            a, b = max(i.from_utc, t0), min(i.to_utc or t1, t1)
            if b <= a:
                continue
            ax.barh(y + 0.06, (d(b) - d(a)).total_seconds() / _DAY, left=d(a), height=0.5,
                    color=_TYPE_COLOURS.get(i.vehicle_type, "0.4"), alpha=0.85, edgecolor="k", linewidth=0.5)
            labels.append((ax.text(d(a) + (d(b) - d(a)) / 2, y + 0.06, i.vehicle, ha="center", va="center",
                                   fontsize=7, clip_on=True), d(a), d(b)))
    if outage is not None:
        a = max(outage.since_utc, t0)
        b = min(outage.until_utc or t1, t1)
        if b > a:
            ax.axvspan(d(a), d(b), color="red", alpha=0.08, label=f"{outage.pad_id} out of service")
            ax.legend(loc="upper right", fontsize=8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(list(reversed(rows)))
    ax.set_xlim(d(t0), d(t1))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    fig.autofmt_xdate()
    ax.set_title(title + (" (grey: as planned)" if baseline else ""))
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    _fit_bar_labels(fig, ax, labels)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        fig.savefig(out)
    except ValueError as exc:  # unknown format
        raise WhatIfInputError(f"cannot write {out}: {exc}; use a .png, .svg or .pdf file name") from None
    finally:
        plt.close(fig)
    return out
