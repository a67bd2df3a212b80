"""The manifest rules, checked by replaying the whole timeline.

:func:`replay` applies the events in time order (ties: recording order) to an empty station
and checks, at every event:

* **vehicle-sequence**: the event fits where the vehicle is (a departure needs a docked
  vehicle, a berth needs it on the arm, the arm holds one vehicle, a vehicle flies once...);
* **one-vehicle-per-port**: the target port is free;
* **port-compatibility**: the port takes the vehicle's type (the station's port table);
* **corridor-clearance**: for an arrival, relocation or berth, the station's corridor check
  (:func:`gyrfalcon.station.corridors.corridor_clearance`) passes for the occupancy just
  before it (e.g. Cygnus XL at Unity nadir blocks Rassvet nadir);
* **lifeboat**: after the event, every crew member aboard has a seat on a crew vehicle that
  is docked, and no vehicle carries more crew than it has seats;
* **arrival-after-launch**: a vehicle whose launch is recorded arrives (or is captured) only
  after it, and launches once; a launch needs an operational pad at that instant, taken from
  the launch-site catalogue's status board (:class:`~gyrfalcon.launch.sites.PadStatusBoard`).

The first broken rule raises the matching :class:`~gyrfalcon.traffic.manifest.ManifestRuleError`
naming the event and saying what would work.

Assumptions: events are instantaneous; a vehicle with no recorded launch is taken to have been
launched before its first event; arrivals, relocations and berths are corridor-checked with
the station's check for the arriving vehicle type (a berth uses the port's arm-berthing
corridor); vehicles on the arm are in no port and block nothing; a launch is crewed when it
lists crew, or (no list) when its vehicle type has crew seats.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from ..errors import GyrfalconError
from .manifest import (
    CorridorBlockedError, Event, LaunchOrderError, LaunchPadError, LifeboatError, ManifestInputError,
    Milestone, PortCompatibilityError, PortOccupiedError, StationState, VehicleStateError, fmt_t,
)
from .station_link import StationModel, UnknownPortError

_WHERE_TEXT = {"flight": "in free flight", "arm": "on the arm", "gone": "gone (it left)"}


def _order(events: Iterable[Event]) -> tuple[Event, ...]:
    big = 1 << 62
    return tuple(sorted(events, key=lambda e: (e.t_utc, big if e.id is None else e.id)))


def _where_text(where: str | None) -> str:
    if where is None:
        return "not yet in the manifest"
    return _WHERE_TEXT.get(where, f"docked at {where}")


class _Replay:
    def __init__(self, vehicles: Mapping[str, str], station: StationModel, pads, upcoming: tuple = ()):
        self.vehicles = vehicles
        self.st = station
        self._pads = pads
        self.ports: dict[str, str | None] = {p: None for p in station.port_ids}
        self.since: dict[str, str] = {}          # port -> time its occupant arrived
        self.arm: str | None = None
        self.where: dict[str, str] = {}
        self.seats: dict[str, str] = {}
        self.launch_t: dict[str, str] = {}
        self.launch_crew: dict[str, tuple[str, ...]] = {}
        self.upcoming: tuple[Event, ...] = tuple(upcoming)   # the whole ordered record: a free port's next arrival

    # helpers ----------------------------------------------------------------------------------
    @property
    def pads(self):
        if self._pads is None:
            from ..launch.sites import PadStatusBoard

            self._pads = PadStatusBoard.from_catalog()
        return self._pads

    def vtype(self, ev: Event) -> str:
        try:
            return self.vehicles[ev.vehicle]
        except KeyError:
            raise ManifestInputError(
                f"{ev.describe()}: vehicle '{ev.vehicle}' has no type; register it with its type "
                f"(one of {', '.join(v.id for v in self.st.vehicle_types)})"
            ) from None

    def seats_of(self, vehicle: str) -> int:
        return self.st.vehicle_type(self.vehicles[vehicle]).crew_seats

    def free_ports_for(self, vtype: str, corridor: bool = False, t_utc: str | None = None) -> list[str]:
        """Free ports that take ``vtype`` now (at ``t_utc``: the ports, current or past, that
        could take it then; with a clear approach corridor if ``corridor``)."""
        free = [p for p in self.st.ports_for(vtype, t_utc) if self.ports.get(p) is None]
        if corridor:
            occ = self.occupancy_types()
            free = [p for p in free if self.st.clearance(p, occ, vtype).clear]
        return free

    def free_ports_text(self, vtype: str, corridor: bool, t_utc: str, but: str | None = None) -> str:
        """:meth:`free_ports_for` as the messages give it (``but`` left out), each port with the
        record's next arrival there, if any ("rassvet-nadir (until Soyuz MS-28 arrives
        2025-11-27T12:34:35Z)"): a port free at the instant may be taken minutes later."""
        out = []
        for p in self.free_ports_for(vtype, corridor, t_utc):
            if p == but:
                continue
            nxt = next((e for e in self.upcoming if e.port == p and e.t_utc > t_utc
                        and e.kind in ("arrival", "berth", "relocation")), None)
            out.append(p if nxt is None else f"{p} (until {nxt.vehicle} arrives {fmt_t(nxt.t_utc)})")
        return ", ".join(out) or "none"

    def occupancy_types(self) -> dict[str, str]:
        return {p: self.vehicles[v] for p, v in self.ports.items() if v is not None}

    def _port(self, ev: Event):
        try:
            return self.st.port(ev.port)
        except UnknownPortError as exc:
            raise ManifestInputError(f"{ev.describe()}: {exc}") from None

    def need_at(self, ev: Event, *allowed: str) -> str:
        w = self.where.get(ev.vehicle)
        ok = w in allowed or ("port" in allowed and w in self.ports)
        if not ok:
            hint = {
                "departure": "a departure needs a docked vehicle (use 'release' for one on the arm)",
                "relocation": "a relocation needs a docked vehicle",
                "hold": "a hold needs a vehicle on a port",
                "berth": "a berth needs the vehicle on the arm ('capture' it first)",
                "release": "a release needs the vehicle on the arm",
                "crew_change": "crew can take seats only on a docked vehicle",
            }.get(ev.kind, "")
            raise VehicleStateError(f"{ev.describe()} refused: {ev.vehicle} is {_where_text(w)} then; {hint}", ev)
        if ev.kind in ("departure", "hold", "crew_change") and ev.port and ev.port != w:
            raise VehicleStateError(
                f"{ev.describe()} refused: {ev.vehicle} is {_where_text(w)} then, not at {ev.port}; "
                f"give port='{w}' or none", ev)
        return w

    def check_target(self, ev: Event, corridor: bool) -> str:
        port = self._port(ev)
        vtype = self.vtype(ev)
        if not port.takes(vtype):
            free = self.free_ports_text(vtype, corridor, ev.t_utc)
            takes = ", ".join(self.st.ports_for(vtype)) or "none"
            raise PortCompatibilityError(
                f"{ev.describe()} refused (rule port-compatibility): port {port.id} takes "
                f"{', '.join(port.accepts)}, not {vtype}; ports that take {vtype}: {takes}; "
                f"free then: {free}", ev)
        why = port.unavailable_reason(ev.t_utc)
        if why is not None:
            free = self.free_ports_text(vtype, corridor, ev.t_utc)
            raise PortCompatibilityError(
                f"{ev.describe()} refused (rule port-compatibility): {why}; free ports that take "
                f"{vtype} then: {free}", ev)
        self.ports.setdefault(port.id, None)          # a past port (Pirs, Nauka nadir) on its dates
        occupant = self.ports[port.id]
        if occupant is not None:
            free = self.free_ports_text(vtype, corridor, ev.t_utc)
            raise PortOccupiedError(
                f"{ev.describe()} refused (rule one-vehicle-per-port): port {port.id} is occupied by "
                f"{occupant} from {fmt_t(self.since[port.id])}; free ports that take {vtype} then: "
                f"{free}", ev)
        if corridor:
            occ = self.occupancy_types()
            res = self.st.clearance(port.id, occ, vtype)
            if not res.clear:
                who = "; ".join(f"{self.ports[p]} ({occ.get(p, '?')}) at {p}" for p in dict.fromkeys(res.blocking))
                if res.reasons:
                    who += f" [{'; '.join(res.reasons)}]"
                others = self.free_ports_text(vtype, True, ev.t_utc, but=port.id)
                raise CorridorBlockedError(
                    f"{ev.describe()} refused (rule corridor-clearance): the approach to {port.id} is "
                    f"blocked by {who}; move it off before {fmt_t(ev.t_utc)} (an arm 'hold' or a "
                    f"relocation), or use a free port with a clear corridor: {others}",
                    ev)
        return port.id

    def board(self, ev: Event, crew: Iterable[str]) -> None:
        for c in crew:
            if c in self.seats:
                raise VehicleStateError(
                    f"{ev.describe()} refused: {c} is already aboard (seat on {self.seats[c]})", ev)
            self.seats[c] = ev.vehicle

    def dock(self, vehicle: str, port: str, t_utc: str) -> None:
        self.ports[port] = vehicle
        self.since[port] = t_utc
        self.where[vehicle] = port

    def undock(self, vehicle: str) -> str:
        port = self.where[vehicle]
        self.ports[port] = None
        self.since.pop(port, None)
        return port

    def arrived_after_launch(self, ev: Event) -> None:
        lt = self.launch_t.get(ev.vehicle)
        if lt is not None and not lt < ev.t_utc:
            raise LaunchOrderError(
                f"{ev.describe()} refused (rule arrival-after-launch): {ev.vehicle} launches on "
                f"{fmt_t(lt)}; it can arrive only after that", ev)

    # events -----------------------------------------------------------------------------------
    def apply(self, ev: Event) -> None:
        getattr(self, "_" + ev.kind)(ev)

    def _launcher(self, vt, pad: str) -> str:
        """The launch vehicle of a ``vt`` flight from ``pad``: its usual one, else one of its
        ``other_launch_vehicles`` that the pad flies (Soyuz MS on the Soyuz-FG from Site 1/5)."""
        try:
            p = self.pads.pad(pad)
        except GyrfalconError:
            return vt.launch_vehicle
        for lv in (vt.launch_vehicle, *getattr(vt, "other_launch_vehicles", ())):
            if lv and p.supports(lv):
                return lv
        return vt.launch_vehicle

    def _launch(self, ev: Event) -> None:
        w = self.where.get(ev.vehicle)
        if w is not None:
            raise LaunchOrderError(
                f"{ev.describe()} refused (rule arrival-after-launch): {ev.vehicle} is already "
                f"{_where_text(w)}; a vehicle launches once, before its first arrival", ev)
        vt = self.st.vehicle_type(self.vtype(ev))
        pad = ev.pad
        if pad is None:
            if len(vt.pads) != 1:
                raise ManifestInputError(
                    f"{ev.describe()}: give the launch pad (pad=...); {vt.id} flies from "
                    f"{', '.join(vt.pads) or 'no pad on record'}")
            pad = vt.pads[0]
        crewed = bool(ev.crew) or vt.crew_seats > 0
        if len(ev.crew) > vt.crew_seats:
            raise LifeboatError(
                f"{ev.describe()} refused (rule lifeboat): {len(ev.crew)} crew listed, {vt.id} has "
                f"{vt.crew_seats} seats", ev)
        try:
            self.pads.require_available(pad, ev.t_utc, vehicle=self._launcher(vt, pad), crewed=crewed)
        except GyrfalconError as exc:
            raise LaunchPadError(f"{ev.describe()} refused (rule pad-operational): {exc}", ev) from None
        self.where[ev.vehicle] = "flight"

    def _arrival(self, ev: Event) -> None:
        self.arrived_after_launch(ev)
        w = self.where.get(ev.vehicle)
        if w not in (None, "flight"):
            raise VehicleStateError(
                f"{ev.describe()} refused: {ev.vehicle} is {_where_text(w)} then; a vehicle arrives "
                "once (use 'relocation' to change ports; a new flight needs a new name)", ev)
        port = self.check_target(ev, corridor=True)
        crew = ev.crew or self.launch_crew.get(ev.vehicle, ())
        if len(crew) > self.seats_of(ev.vehicle):
            raise LifeboatError(
                f"{ev.describe()} refused (rule lifeboat): {len(crew)} crew listed, "
                f"{ev.vehicle} has {self.seats_of(ev.vehicle)} seats", ev)
        self.board(ev, crew)
        self.dock(ev.vehicle, port, ev.t_utc)

    def _departure(self, ev: Event) -> None:
        self.need_at(ev, "port")
        leaving = ev.crew or tuple(c for c, v in self.seats.items() if v == ev.vehicle)
        for c in leaving:
            if c not in self.seats:
                raise VehicleStateError(f"{ev.describe()} refused: {c} is not aboard then", ev)
        if len(leaving) > self.seats_of(ev.vehicle):
            raise LifeboatError(
                f"{ev.describe()} refused (rule lifeboat): {len(leaving)} crew leaving, "
                f"{ev.vehicle} has {self.seats_of(ev.vehicle)} seats", ev)
        for c in leaving:
            del self.seats[c]
        self.undock(ev.vehicle)
        self.where[ev.vehicle] = "gone"

    def _relocation(self, ev: Event) -> None:
        old = self.need_at(ev, "port")
        if ev.port == old:
            raise VehicleStateError(f"{ev.describe()} refused: {ev.vehicle} is already at {old}", ev)
        port = self.check_target(ev, corridor=True)
        self.undock(ev.vehicle)
        self.dock(ev.vehicle, port, ev.t_utc)

    def _arm_free(self, ev: Event) -> None:
        if self.arm is not None:
            raise VehicleStateError(
                f"{ev.describe()} refused: Canadarm2 already holds {self.arm}; berth or release it first", ev)

    def _capture(self, ev: Event) -> None:
        self.arrived_after_launch(ev)
        w = self.where.get(ev.vehicle)
        if w not in (None, "flight"):
            raise VehicleStateError(f"{ev.describe()} refused: {ev.vehicle} is {_where_text(w)} then; "
                                    "only a free-flying vehicle can be captured", ev)
        self.vtype(ev)
        self._arm_free(ev)
        self.arm = ev.vehicle
        self.where[ev.vehicle] = "arm"

    def _berth(self, ev: Event) -> None:
        self.need_at(ev, "arm")
        port = self.check_target(ev, corridor=True)
        self.arm = None
        self.dock(ev.vehicle, port, ev.t_utc)

    def _hold(self, ev: Event) -> None:
        self.need_at(ev, "port")
        self._arm_free(ev)
        self.undock(ev.vehicle)
        self.arm = ev.vehicle
        self.where[ev.vehicle] = "arm"

    def _release(self, ev: Event) -> None:
        self.need_at(ev, "arm")
        self.arm = None
        self.where[ev.vehicle] = "gone"

    def _crew_change(self, ev: Event) -> None:
        self.need_at(ev, "port")
        if not ev.crew:
            raise ManifestInputError(f"{ev.describe()}: list the crew who take seats on {ev.vehicle} (names, comma "
                                     "separated: --crew \"A. Name,B. Name\", crew=[...] in Python)")
        for c in ev.crew:
            if c not in self.seats:
                raise VehicleStateError(f"{ev.describe()} refused: {c} is not aboard then", ev)
            self.seats[c] = ev.vehicle

    # lifeboat ---------------------------------------------------------------------------------
    def check_lifeboat(self, ev: Event) -> None:
        count: dict[str, list[str]] = {}
        stranded = []
        for c, v in self.seats.items():
            if self.where.get(v) in self.ports:
                count.setdefault(v, []).append(c)
            else:
                stranded.append((c, v))
        over = [(v, cs) for v, cs in count.items() if len(cs) > self.seats_of(v)]
        if not stranded and not over:
            return
        spare = [
            f"{v} at {self.where[v]} ({self.seats_of(v) - len(count.get(v, []))} free)"
            for v in sorted(self.where) if self.where[v] in self.ports and self.seats_of(v) > len(count.get(v, []))
        ]
        if stranded:
            what = "; ".join(f"{c} (seat on {v}, {_where_text(self.where.get(v))})" for c, v in stranded)
            problem = f"crew aboard without a seat on a docked crew vehicle: {what}"
        else:
            problem = "; ".join(f"{v} would carry {len(cs)} crew ({', '.join(sorted(cs))}) in "
                                f"{self.seats_of(v)} seats" for v, cs in over)
        raise LifeboatError(
            f"{ev.describe()} refused (rule lifeboat): after it, {problem}; free seats then: "
            f"{', '.join(spare) or 'none'} (move crew with a 'crew_change' event first, or let "
            f"them leave on the departing vehicle)", ev)

    def existing_ports(self, t_utc: str) -> dict:
        """The ports of the station at ``t_utc`` (a port not yet there or gone is left out,
        unless a vehicle is on it) with their occupants."""
        return self.st.ports_at(t_utc, self.ports)

    def snapshot(self, t_utc: str) -> StationState:
        return StationState(self.existing_ports(t_utc), self.arm, dict(self.seats), dict(self.where))


def replay(events: Iterable[Event], vehicles: Mapping[str, str], station: StationModel, pads=None):
    """Check every rule over the whole timeline; return ``(ordered events, states, milestones)``.

    ``states[i]`` is the station after ``events[i]``. Milestones: ``all-ports-occupied``
    each time the last free port is filled. Raises a
    :class:`~gyrfalcon.traffic.manifest.ManifestRuleError` at the first broken rule.
    """
    ordered = _order(events)
    r = _Replay(vehicles, station, pads, ordered)
    for ev in ordered:
        if ev.kind == "launch":
            if ev.vehicle in r.launch_t:
                raise LaunchOrderError(
                    f"{ev.describe()} refused (rule arrival-after-launch): {ev.vehicle} already "
                    f"launches on {fmt_t(r.launch_t[ev.vehicle])}; a vehicle launches once", ev)
            r.launch_t[ev.vehicle] = ev.t_utc
            r.launch_crew[ev.vehicle] = ev.crew
    states = []
    milestones = []
    full = False
    for ev in ordered:
        r.apply(ev)
        r.check_lifeboat(ev)
        there = r.existing_ports(ev.t_utc)
        now_full = all(v is not None for v in there.values())
        if now_full and not full:
            milestones.append(Milestone(
                ev.t_utc, "all-ports-occupied",
                f"all {len(there)} ports of {station.name} occupied ({ev.describe()})", ev.id))
        full = now_full
        states.append(r.snapshot(ev.t_utc))
    return ordered, tuple(states), tuple(milestones)
