"""Launch sites and pads: where they are, where they may launch to, and when they are usable.

The pads are data, not code: ``gyrfalcon/launch/data/sites.toml`` holds every pad with its
WGS-84 position, the ground-relative azimuth corridors that range safety allows, the
vehicles it supports, whether it is crew-rated, and a dated status history, each figure with
its source and confidence grade. :func:`load_sites` reads it once per process.

Pad status is modelled immutably. A :class:`Pad`'s history is the published record; a
:class:`PadStatusBoard` adds dated events raised during a simulation (for instance the pad
damage of a countdown fault) and returns a new board for every change, so two scenarios can
never disturb each other.

Assumptions:

* A status holds from its ``since`` instant until the next entry; only ``operational``
  accepts a launch. A bare date in the catalogue means 00:00 UTC.
* Reachability (:func:`launch_azimuth_for_inclination`) is the textbook launch-site
  approximation: a direct ascent puts the vehicle into the target plane over the pad, so
  ``sin Az_inertial = cos i / cos phi`` (geodetic latitude phi), and the ground-relative
  heading subtracts the Earth's rotation speed at the pad, ``omega (N + h) cos phi``, from the
  east component of a horizontal orbital velocity. No dog-leg or plane change is modelled:
  an inclination below the pad's latitude (or above 180 deg minus it) is unreachable.
* Azimuth corridors are modelling values (see the catalogue header), compared with the
  ground-relative heading.

>>> import math
>>> pad = load_sites().get("baikonur-31/6")
>>> pad.id, pad.name, round(math.degrees(pad.lat_rad), 4)
('baikonur-31', 'Site 31/6', 45.9961)
>>> pad.status_at("2025-12-21").status
'damaged'
>>> iso_utc(pad.next_available("2025-12-21"), places=0)
'2026-03-03T00:00:00Z'
>>> az = pad.check_reachable(math.radians(51.64))
>>> round(math.degrees(az.inertial_rad), 1), round(math.degrees(az.ground_relative_rad), 1)
(63.3, 62.2)
"""
from __future__ import annotations

import dataclasses
import functools
import math
import tomllib
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..constants import EARTH_ROTATION_RATE_RAD_S, WGS84_A_M, WGS84_E2
from ..errors import GyrfalconError, InputError
from ..ids import norm_id
from ..time import iso_utc, parse_utc

STATUSES = ("operational", "damaged", "under-repair", "inactive", "retired", "under-construction")
"""Pad statuses the catalogue and the board know; only ``operational`` accepts a launch."""

AVAILABLE_STATUS = "operational"
REPAIR_DATE_SOURCE = "the launch-site catalogue's repair date"   # where a repair date in a message comes from

DEFAULT_ORBITAL_SPEED_MPS = 7790.0
"""Horizontal inertial speed at insertion used for the ground-relative azimuth [m/s]
(domain.md §1.5 computes its 'about 62 deg' for v = 7.79 km/s; a 200 x 242 km orbit has
7.80 km/s at perigee)."""


# --- errors ----------------------------------------------------------------------------
class SiteCatalogError(GyrfalconError):
    """The site catalogue (TOML) is malformed; the message names the pad and the key."""


class UnknownSiteError(InputError):
    """A site or pad id that the catalogue does not hold; the message lists the known ids."""


class PadUnavailableError(InputError):
    """A launch from a pad that is not operational at that instant.

    Attributes: ``pad_id``, ``status`` (a :class:`PadStatus`), ``next_available`` (a skyfield
    ``Time``, or ``None`` when no return to service is recorded).
    """

    def __init__(self, message: str, pad_id: str, status: "PadStatus", next_available):
        super().__init__(message)
        self.pad_id = pad_id
        self.status = status
        self.next_available = next_available


class PadCapabilityError(InputError):
    """The pad cannot serve this flight at all (vehicle or crew), whatever the date."""


class VehicleNotSupportedError(PadCapabilityError):
    """The pad does not support the launch vehicle; the message lists pads that do."""


class NotCrewRatedError(PadCapabilityError):
    """A crewed launch from a pad that is not crew-rated; the message lists pads that are."""


class UnreachableOrbitError(InputError):
    """The target inclination cannot be reached from the pad by a direct ascent."""


# --- helpers ---------------------------------------------------------------------------
def _deg(x_rad: float, places: int = 3) -> str:
    """Degrees as a short string: 3 decimals at most, trailing zeros dropped."""
    text = f"{math.degrees(x_rad):.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _key(t) -> float:
    """Ordering key of a skyfield Time (TT Julian date; resolution about 20 us)."""
    return float(t.tt)


def _when(t) -> str:
    """A date ``YYYY-MM-DD`` when ``t`` is 00:00:00 UTC, else ISO 8601 to the second."""
    text = iso_utc(t, places=0)
    return text[:10] if text.endswith("T00:00:00Z") else text


def _as_time(t, what: str = "time"):
    value = parse_utc(t)
    if getattr(value, "shape", ()) != ():
        raise InputError(f"{what} must be a single instant, got an array of shape {value.shape}")
    return value


_norm_id = _norm_vehicle = norm_id


def _wrap(angle_rad: float) -> float:
    return angle_rad % (2.0 * math.pi)


# --- value types -----------------------------------------------------------------------
@dataclass(frozen=True)
class AzimuthCorridor:
    """A range of ground-relative launch headings [rad, clockwise from north].

    ``min_rad > max_rad`` means the corridor wraps through north.

    >>> c = AzimuthCorridor("north", math.radians(340), math.radians(15))
    >>> c.contains(math.radians(5)), c.contains(math.radians(90))
    (True, False)
    """

    name: str
    min_rad: float
    max_rad: float
    source: str = ""
    conf: str = ""

    def contains(self, azimuth_rad: float, tol_rad: float = 1e-9) -> bool:
        """Whether the heading ``azimuth_rad`` lies in the corridor (ends included)."""
        span = _wrap(self.max_rad - self.min_rad)
        return _wrap(azimuth_rad - self.min_rad) <= span + tol_rad

    def describe(self) -> str:
        return f"{self.name}: {_deg(self.min_rad, 1)}..{_deg(self.max_rad, 1)} deg"


@dataclass(frozen=True)
class StatusEntry:
    """One dated entry of a pad's status history: ``status`` holds from ``since`` on."""

    since: Any
    status: str
    reason: str
    source: str = ""
    conf: str = ""
    note: str = ""


@dataclass(frozen=True)
class PadStatus:
    """A pad's status at instant ``t``.

    ``since`` is when this status began (``None`` before the first recorded entry) and
    ``until`` when it next changes according to the known history (``None``: open-ended).
    """

    pad_id: str
    t: Any
    status: str
    reason: str
    since: Any
    until: Any
    source: str = ""
    conf: str = ""

    @property
    def available(self) -> bool:
        """True when a launch is allowed (status ``operational``)."""
        return self.status == AVAILABLE_STATUS

    def as_dict(self) -> dict:
        return {
            "pad_id": self.pad_id,
            "t_utc": iso_utc(self.t),
            "status": self.status,
            "reason": self.reason,
            "since_utc": None if self.since is None else iso_utc(self.since),
            "until_utc": None if self.until is None else iso_utc(self.until),
            "source": self.source,
            "conf": self.conf,
        }


@dataclass(frozen=True)
class LaunchAzimuth:
    """The launch heading that puts a direct ascent into a plane of inclination ``inclination_rad``.

    ``inertial_rad``: azimuth of the inertial velocity; ``ground_relative_rad``: heading of
    the velocity relative to the rotating Earth (what the range sees). Both clockwise from
    north. ``corridor`` is the name of the pad corridor it lies in, when checked against one.
    """

    latitude_rad: float
    inclination_rad: float
    ascending: bool
    inertial_rad: float
    ground_relative_rad: float
    orbital_speed_mps: float
    earth_rotation_speed_mps: float
    corridor: str | None = None


def earth_rotation_speed_mps(lat_rad: float, alt_m: float = 0.0) -> float:
    """Eastward speed of the ground at geodetic latitude ``lat_rad``, height ``alt_m`` [m/s].

    ``omega * (N + h) * cos(phi)`` with the WGS-84 prime-vertical radius N and the IERS
    nominal rotation rate.

    >>> round(earth_rotation_speed_mps(0.0), 2)
    465.1
    """
    n_m = WGS84_A_M / math.sqrt(1.0 - WGS84_E2 * math.sin(lat_rad) ** 2)
    return EARTH_ROTATION_RATE_RAD_S * (n_m + alt_m) * math.cos(lat_rad)


def launch_azimuth_for_inclination(
    lat_rad: float,
    inc_rad: float,
    ascending: bool = True,
    orbital_speed_mps: float = DEFAULT_ORBITAL_SPEED_MPS,
    alt_m: float = 0.0,
    site: str | None = None,
) -> LaunchAzimuth:
    """Launch azimuth for a direct ascent into inclination ``inc_rad`` from latitude ``lat_rad``.

    Inertial: ``sin Az = cos i / cos phi`` (ascending pass: Az in the north half; descending:
    ``180 deg - Az``). Ground-relative: the heading of ``v (sin Az, cos Az) - (v_rot, 0)`` in
    (east, north), with ``v = orbital_speed_mps`` horizontal and ``v_rot`` from
    :func:`earth_rotation_speed_mps`. Raises :class:`UnreachableOrbitError` when
    ``|cos i| > cos phi`` (``site`` only names the place in the message).

    >>> a = launch_azimuth_for_inclination(math.radians(46.0), math.radians(51.64))
    >>> round(math.degrees(a.inertial_rad), 1), round(math.degrees(a.ground_relative_rad), 1)
    (63.3, 62.2)
    >>> launch_azimuth_for_inclination(math.radians(45.9961), math.radians(28.5), site="Baikonur")
    Traceback (most recent call last):
    ...
    gyrfalcon.launch.sites.UnreachableOrbitError: i = 28.5 deg is below Baikonur's latitude 45.996 deg; the lowest inclination reachable without a plane change is 46.0 deg
    """
    for name, value in (("lat_rad", lat_rad), ("inc_rad", inc_rad), ("orbital_speed_mps", orbital_speed_mps)):
        if not math.isfinite(value):
            raise InputError(f"{name} must be a finite number, got {value!r}")
    if abs(lat_rad) > math.pi / 2:
        raise InputError(f"latitude {_deg(lat_rad)} deg is outside -90..90 deg; pass radians")
    if not 0.0 <= inc_rad <= math.pi:
        raise InputError(f"inclination {_deg(inc_rad)} deg is outside 0..180 deg; pass radians")
    if orbital_speed_mps <= 0.0:
        raise InputError(f"orbital_speed_mps must be positive, got {orbital_speed_mps}")
    where = f"{site}'s" if site else "the site's"
    phi = abs(lat_rad)
    ratio = math.cos(inc_rad) / math.cos(lat_rad)
    if ratio > 1.0 + 1e-12:
        raise UnreachableOrbitError(
            f"i = {_deg(inc_rad)} deg is below {where} latitude {_deg(phi)} deg; the lowest "
            f"inclination reachable without a plane change is {math.degrees(phi):.1f} deg"
        )
    if ratio < -1.0 - 1e-12:
        raise UnreachableOrbitError(
            f"i = {_deg(inc_rad)} deg is above 180 deg minus {where} latitude {_deg(phi)} deg; the "
            f"highest inclination reachable without a plane change is {180.0 - math.degrees(phi):.1f} deg"
        )
    az = math.asin(max(-1.0, min(1.0, ratio)))
    if not ascending:
        az = math.pi - az
    az = _wrap(az)
    v_rot = earth_rotation_speed_mps(lat_rad, alt_m)
    east = orbital_speed_mps * math.sin(az) - v_rot
    north = orbital_speed_mps * math.cos(az)
    ground = _wrap(math.atan2(east, north))
    return LaunchAzimuth(lat_rad, inc_rad, bool(ascending), az, ground, float(orbital_speed_mps), v_rot)


# --- pads ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pad:
    """One launch pad: position (WGS-84), corridors, vehicles, crew rating, status history.

    Angles in radians, height in metres. ``history`` is sorted by ``since``.
    """

    id: str
    name: str
    site: str
    long_name: str
    country: str
    lat_rad: float
    lon_rad: float
    alt_m: float
    corridors: tuple[AzimuthCorridor, ...]
    vehicles: tuple[str, ...]
    crew_rated: bool
    history: tuple[StatusEntry, ...]
    aliases: tuple[str, ...] = ()
    position_source: str = ""
    position_conf: str = ""

    @property
    def label(self) -> str:
        """``id (name)``, as used in messages."""
        return f"{self.id} ({self.name})"

    # status ----------------------------------------------------------------------------
    def known_before(self, t) -> "Pad":
        """The pad as it stood before ``t``: status entries from ``t`` on are dropped."""
        k = _key(_as_time(t))
        return dataclasses.replace(self, history=tuple(e for e in self.history if _key(e.since) < k))

    def status_at(self, t) -> PadStatus:
        """The pad's status at ``t`` (skyfield Time, ISO string or aware datetime)."""
        t = _as_time(t)
        k = _key(t)
        current = None
        nxt = None
        for entry in self.history:
            if _key(entry.since) <= k:
                current = entry
            else:
                nxt = entry
                break
        if current is None:
            first = self.history[0].since if self.history else None
            return PadStatus(
                self.id, t, "under-construction",
                f"no status recorded before {_when(first)}" if first is not None else "no status recorded",
                None, first,
            )
        return PadStatus(
            self.id, t, current.status, current.reason, current.since,
            None if nxt is None else nxt.since, current.source, current.conf,
        )

    def next_available(self, t):
        """The first instant at or after ``t`` when the pad is operational, or ``None``."""
        t = _as_time(t)
        if self.status_at(t).available:
            return t
        k = _key(t)
        for entry in self.history:
            if _key(entry.since) > k and entry.status == AVAILABLE_STATUS:
                return entry.since
        return None

    def repair_text(self, t) -> str:
        """When the pad, out of service at ``t``, is back in service by its own history:
        ``"back in service on 2026-03-03 (the launch-site catalogue's repair date)"``, or
        ``"no return to service recorded"``. Call it on the catalogue's pad (not a
        :meth:`known_before` copy, which has dropped the repair entry) for the recorded date.

        >>> load_sites().get("baikonur-31").repair_text("2025-12-21")
        "back in service on 2026-03-03 (the launch-site catalogue's repair date)"
        """
        back = self.next_available(t)
        if back is None:
            return "no return to service recorded"
        return f"back in service on {_when(back)[:10]} ({REPAIR_DATE_SOURCE})"

    def supports(self, vehicle: str) -> bool:
        """Whether the pad supports launch vehicle ``vehicle`` (id such as ``soyuz-2.1a``)."""
        return _norm_vehicle(vehicle) in self.vehicles

    def require_available(self, t, vehicle: str | None = None, crewed: bool = False, catalog=None,
                          recorded: "Pad | None" = None):
        """Return the :class:`PadStatus` at ``t`` if a launch is allowed, else raise.

        Raises :class:`VehicleNotSupportedError` / :class:`NotCrewRatedError` (the pad can
        never serve this flight) or :class:`PadUnavailableError` (not operational at ``t``;
        the message gives the reason and the date the pad is next available). ``catalog``
        (default: the packaged one) is used to suggest alternative pads. ``recorded``: the
        catalogue's own pad when this one is a :meth:`known_before` copy; where this one knows no
        return to service, the message gives the recorded repair date (:meth:`repair_text`).

        >>> load_sites().get("baikonur-31").require_available("2025-12-21")
        Traceback (most recent call last):
        ...
        gyrfalcon.launch.sites.PadUnavailableError: pad baikonur-31 (Site 31/6) is damaged on 2025-12-21 (service cabin fell into the flame trench at the Soyuz MS-28 launch; damaged since 2025-11-27); it is next available on 2026-03-03
        """
        t = _as_time(t)
        cat = catalog if catalog is not None else load_sites()
        if vehicle is not None and not self.supports(vehicle):
            others = [p.id for p in cat.pads if p.supports(vehicle)]
            alt = f"pads that support it: {', '.join(others)}" if others else "no pad in the catalogue supports it"
            raise VehicleNotSupportedError(
                f"pad {self.label} does not support vehicle '{vehicle}' (it supports "
                f"{', '.join(self.vehicles)}); {alt}"
            )
        if crewed and not self.crew_rated:
            others = [p.id for p in cat.pads if p.crew_rated and (vehicle is None or p.supports(vehicle))]
            alt = f"crew-rated pads{' for ' + vehicle if vehicle else ''}: {', '.join(others)}" if others else "no crew-rated pad supports it"
            raise NotCrewRatedError(f"pad {self.label} is not crew-rated; {alt}")
        status = self.status_at(t)
        if status.available:
            return status
        nxt = self.next_available(t)
        since = f"; {status.status} since {_when(status.since)[:10]}" if status.since is not None else ""
        msg = f"pad {self.label} is {status.status} on {_when(t)} ({status.reason}{since}); "
        back = None if nxt is not None or recorded is None else recorded.next_available(t)
        if nxt is not None:
            msg += f"it is next available on {_when(nxt)}"
        elif back is not None:
            msg += recorded.repair_text(t)
        else:
            others = [
                p.id for p in cat.pads
                if p.id != self.id and (vehicle is None or p.supports(vehicle))
                and (not crewed or p.crew_rated) and p.status_at(t).available
            ]
            msg += "no return to service is recorded"
            if others:
                what = f" for {vehicle}" if vehicle else ""
                msg += f"; pads operational then{what}: {', '.join(others)}"
        raise PadUnavailableError(msg, self.id, status, nxt)

    # geometry --------------------------------------------------------------------------
    def itrf_position_m(self):
        """Earth-fixed (ITRF) position of the pad [m], shape (3,), from its WGS-84 geodetic
        coordinates (:func:`gyrfalcon.frames.itrf_from_geodetic`).

        >>> [round(float(x) / 1000, 1) for x in load_sites().get("baikonur-31").itrf_position_m()]
        [1976.1, 3974.6, 4565.0]
        """
        from ..frames import itrf_from_geodetic

        return itrf_from_geodetic(self.lat_rad, self.lon_rad, self.alt_m)

    def launch_azimuth(self, inc_rad: float, ascending: bool = True,
                       orbital_speed_mps: float = DEFAULT_ORBITAL_SPEED_MPS) -> LaunchAzimuth:
        """:func:`launch_azimuth_for_inclination` from this pad (no corridor check)."""
        return launch_azimuth_for_inclination(
            self.lat_rad, inc_rad, ascending, orbital_speed_mps, self.alt_m, site=self.site
        )

    def check_reachable(self, inc_rad: float, ascending: bool | None = None,
                        orbital_speed_mps: float = DEFAULT_ORBITAL_SPEED_MPS) -> LaunchAzimuth:
        """The launch heading for inclination ``inc_rad`` that lies in one of the pad's corridors.

        ``ascending=None`` tries the ascending pass first, then the descending one. Raises
        :class:`UnreachableOrbitError` if the inclination is below the latitude, or if the
        needed ground-relative azimuth lies outside every corridor.

        >>> load_sites().get("baikonur-31").check_reachable(math.radians(51.64), ascending=False)
        Traceback (most recent call last):
        ...
        gyrfalcon.launch.sites.UnreachableOrbitError: i = 51.64 deg from baikonur-31 (Site 31/6) needs a ground-relative azimuth of 117.8 deg (descending pass), outside its corridors (north-east (ISS 51.6 deg and 48-71 deg orbits, ascending pass): 25..75 deg; north (sun-synchronous, e.g. Kanopus-V 2012, Resurs-P 2013): 335..355 deg); the ascending pass (62.2 deg ground azimuth) is in a corridor
        """
        passes = (True, False) if ascending is None else (bool(ascending),)
        tried = []
        for asc in passes:
            az = self.launch_azimuth(inc_rad, asc, orbital_speed_mps)
            for corridor in self.corridors:
                if corridor.contains(az.ground_relative_rad):
                    return dataclasses.replace(az, corridor=corridor.name)
            tried.append(az)
        needs = " or ".join(
            f"{_deg(a.ground_relative_rad, 1)} deg ({'ascending' if a.ascending else 'descending'} pass)"
            for a in tried
        )
        msg = (
            f"i = {_deg(inc_rad)} deg from {self.label} needs a ground-relative azimuth of {needs}, "
            f"outside its corridors ({'; '.join(c.describe() for c in self.corridors)})"
        )
        if ascending is not None:
            other = self.launch_azimuth(inc_rad, not ascending, orbital_speed_mps)
            if any(c.contains(other.ground_relative_rad) for c in self.corridors):
                msg += (
                    f"; the {'ascending' if other.ascending else 'descending'} pass "
                    f"({_deg(other.ground_relative_rad, 1)} deg ground azimuth) is in a corridor"
                )
        raise UnreachableOrbitError(msg)


# --- catalogue -------------------------------------------------------------------------
@dataclass(frozen=True)
class SiteCatalog:
    """All pads of a catalogue, looked up by id or alias (case-insensitive)."""

    pads: tuple[Pad, ...]
    _index: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self):
        index: dict[str, str] = {}
        for pad in self.pads:
            for name in (pad.id,) + pad.aliases:
                key = _norm_id(name)
                if key in index and index[key] != pad.id:
                    raise SiteCatalogError(f"alias '{name}' is used by both {index[key]} and {pad.id}; make it unique")
                index[key] = pad.id
        object.__setattr__(self, "_index", index)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.pads)

    def __iter__(self) -> Iterator[Pad]:
        return iter(self.pads)

    def __len__(self) -> int:
        return len(self.pads)

    def __contains__(self, name) -> bool:
        return _norm_id(name) in self._index

    def resolve(self, name: str) -> str:
        """The canonical pad id for an id or alias, or :class:`UnknownSiteError`."""
        try:
            return self._index[_norm_id(name)]
        except KeyError:
            raise UnknownSiteError(
                f"unknown launch site or pad '{name}'; known ids: {', '.join(self.ids)}"
            ) from None

    def get(self, name: str) -> Pad:
        """The :class:`Pad` with id or alias ``name``.

        >>> load_sites().get("cape-kourou")
        Traceback (most recent call last):
        ...
        gyrfalcon.launch.sites.UnknownSiteError: unknown launch site or pad 'cape-kourou'; known ids: baikonur-31, baikonur-1, vostochny-1s, plesetsk-43-4, ksc-39a, ccsfs-slc-40, ccsfs-slc-41, wallops-0a, tanegashima-y2
        """
        pad_id = self.resolve(name)
        return next(p for p in self.pads if p.id == pad_id)

    def for_vehicle(self, vehicle: str) -> tuple[Pad, ...]:
        """Pads that support ``vehicle``."""
        return tuple(p for p in self.pads if p.supports(vehicle))

    def known_before(self, t, pads=None) -> "SiteCatalog":
        """The catalogue as it stood before ``t``: status entries from ``t`` on are dropped
        (``pads``: only from these pads' histories, ids or aliases; the others stay as recorded).

        Lets a scenario replay history (e.g. the MS-28 launch on a pad not yet marked damaged).
        """
        t = _as_time(t)
        cut = None if pads is None else {self._index.get(_norm_id(name)) for name in pads}
        return SiteCatalog(tuple(p.known_before(t) if cut is None or p.id in cut else p for p in self.pads))


def _require(table: dict, key: str, where: str, kind=None):
    if key not in table:
        raise SiteCatalogError(f"{where}: missing key '{key}'")
    value = table[key]
    if kind is not None and not isinstance(value, kind):
        raise SiteCatalogError(f"{where}: '{key}' should be {kind.__name__ if isinstance(kind, type) else kind}, got {value!r}")
    return value


def _pad_from_table(table: dict, number: int) -> Pad:
    where = f"pad #{number} ({table.get('id', '?')})"
    pad_id = _norm_id(_require(table, "id", where, str))
    lat = float(_require(table, "lat_deg", where, (int, float)))
    lon = float(_require(table, "lon_deg", where, (int, float)))
    alt = float(_require(table, "alt_m", where, (int, float)))
    if not -90.0 <= lat <= 90.0 or not -180.0 <= lon <= 360.0:
        raise SiteCatalogError(f"{where}: lat_deg {lat} / lon_deg {lon} out of range (-90..90, -180..360)")
    corridors = []
    for c in table.get("corridor", []):
        lo = float(_require(c, "min_deg", where, (int, float)))
        hi = float(_require(c, "max_deg", where, (int, float)))
        if not (0.0 <= lo < 360.0 and 0.0 <= hi <= 360.0):
            raise SiteCatalogError(f"{where}: corridor {c.get('name')!r} bounds {lo}..{hi} outside 0..360 deg")
        corridors.append(AzimuthCorridor(str(c.get("name", f"{lo}-{hi} deg")), math.radians(lo), math.radians(hi),
                                         str(c.get("source", "")), str(c.get("conf", ""))))
    history = []
    for s in _require(table, "status", where, list):
        status = _require(s, "status", where, str)
        if status not in STATUSES:
            raise SiteCatalogError(f"{where}: status '{status}' unknown; use one of {', '.join(STATUSES)}")
        history.append(StatusEntry(
            _as_time(_require(s, "since", where), f"{where} status 'since'"), status,
            str(_require(s, "reason", where, str)), str(s.get("source", "")), str(s.get("conf", "")),
            str(s.get("note", "")),
        ))
    for a, b in zip(history, history[1:]):
        if _key(b.since) <= _key(a.since):
            raise SiteCatalogError(f"{where}: status history not in time order at {_when(b.since)}; sort the entries")
    vehicles = tuple(_norm_vehicle(v) for v in _require(table, "vehicles", where, list))
    return Pad(
        id=pad_id, name=str(_require(table, "name", where, str)), site=str(table.get("site", pad_id)),
        long_name=str(table.get("long_name", table["name"])), country=str(table.get("country", "")),
        lat_rad=math.radians(lat), lon_rad=math.radians(lon), alt_m=alt, corridors=tuple(corridors),
        vehicles=vehicles, crew_rated=bool(table.get("crew_rated", False)), history=tuple(history),
        aliases=tuple(str(a) for a in table.get("aliases", [])),
        position_source=str(table.get("position_source", "")), position_conf=str(table.get("position_conf", "")),
    )


def parse_sites(text: str) -> SiteCatalog:
    """A :class:`SiteCatalog` from TOML text in the format of the packaged ``sites.toml``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SiteCatalogError(f"site catalogue is not valid TOML: {exc}") from None
    pads = data.get("pad")
    if not isinstance(pads, list) or not pads:
        raise SiteCatalogError("site catalogue has no [[pad]] tables")
    catalog = SiteCatalog(tuple(_pad_from_table(t, i + 1) for i, t in enumerate(pads)))
    if len(set(catalog.ids)) != len(catalog.ids):
        raise SiteCatalogError(f"site catalogue has duplicate pad ids: {', '.join(catalog.ids)}")
    return catalog


@functools.lru_cache(maxsize=1)
def load_sites() -> SiteCatalog:
    """The packaged site catalogue (``gyrfalcon/launch/data/sites.toml``), read once per process."""
    from importlib.resources import files

    return parse_sites((files("gyrfalcon.launch") / "data" / "sites.toml").read_text(encoding="utf-8"))


# --- status board ----------------------------------------------------------------------
@dataclass(frozen=True)
class BoardEvent:
    """A dated status change added during a simulation.

    From ``since`` the pad is ``status``; if ``until`` is given, at ``until`` it becomes
    ``until_status`` (default: the status it had just before ``since``) and the recorded
    history from ``until`` on applies again. Without ``until`` the event holds indefinitely.
    """

    pad_id: str
    since: Any
    status: str
    reason: str
    until: Any = None
    until_status: str | None = None
    until_reason: str | None = None
    source: str = "simulation"


def _apply_event(history: tuple[StatusEntry, ...], ev: BoardEvent) -> tuple[StatusEntry, ...]:
    k0 = _key(ev.since)
    before = [e for e in history if _key(e.since) < k0]
    new = [StatusEntry(ev.since, ev.status, ev.reason, ev.source, "D")]
    after: list[StatusEntry] = []
    if ev.until is not None:
        k1 = _key(ev.until)
        prior = before[-1] if before else None
        later = [e for e in history if _key(e.since) >= k1]
        if not (later and _key(later[0].since) == k1):
            status = ev.until_status or (prior.status if prior else AVAILABLE_STATUS)
            reason = ev.until_reason or f"end of: {ev.reason}"
            after.append(StatusEntry(ev.until, status, reason, ev.source, "D"))
        after.extend(later)
    return tuple(before + new + after)


@dataclass(frozen=True)
class PadStatusBoard:
    """The catalogue plus dated status events added during a simulation (immutable).

    Every change returns a new board.

    >>> board = PadStatusBoard.from_catalog(known_before="2025-11-27T09:00Z")
    >>> board.status_at("baikonur-31", "2025-12-21").status
    'operational'
    >>> b2 = board.with_event("baikonur-31/6", "2025-11-27T09:28:07.4Z", "damaged",
    ...                       "service cabin fell into the flame trench", until="2026-03-03")
    >>> b2.status_at("baikonur-31", "2025-12-21").status, board.status_at("baikonur-31", "2025-12-21").status
    ('damaged', 'operational')
    >>> iso_utc(b2.next_available("baikonur-31", "2025-12-21"), places=0)
    '2026-03-03T00:00:00Z'
    """

    catalog: SiteCatalog
    events: tuple[BoardEvent, ...] = ()
    recorded: SiteCatalog | None = None

    @classmethod
    def from_catalog(cls, catalog: SiteCatalog | None = None, known_before=None, pads=None) -> "PadStatusBoard":
        """A board over ``catalog`` (default the packaged one), optionally as known before a time
        (``pads``: only these pads as known then, the others as recorded; default all).
        A board known before a time keeps the whole catalogue as ``recorded``: a refusal then
        gives the recorded repair date that the board itself does not know yet."""
        cat = catalog if catalog is not None else load_sites()
        if known_before is not None:
            return cls(cat.known_before(known_before, pads), recorded=cat)
        return cls(cat)

    def pad(self, pad_id: str) -> Pad:
        """The :class:`Pad` with the board's events merged into its status history."""
        pad = self.catalog.get(pad_id)
        history = pad.history
        for ev in self.events:
            if ev.pad_id == pad.id:
                history = _apply_event(history, ev)
        return pad if history is pad.history else dataclasses.replace(pad, history=history)

    @property
    def pads(self) -> tuple[Pad, ...]:
        return tuple(self.pad(p.id) for p in self.catalog.pads)

    def status_at(self, pad_id: str, t) -> PadStatus:
        return self.pad(pad_id).status_at(t)

    def next_available(self, pad_id: str, t):
        return self.pad(pad_id).next_available(t)

    def require_available(self, pad_id: str, t, vehicle: str | None = None, crewed: bool = False) -> PadStatus:
        """:meth:`Pad.require_available` with the board's events applied."""
        recorded = None if self.recorded is None else self.recorded.get(pad_id)
        return self.pad(pad_id).require_available(t, vehicle, crewed, catalog=_BoardView(self), recorded=recorded)

    def with_event(self, pad_id: str, t, status: str, reason: str, until=None, *,
                   until_status: str | None = None, until_reason: str | None = None,
                   source: str = "simulation") -> "PadStatusBoard":
        """A new board with ``pad_id`` in ``status`` from ``t`` (until ``until``, if given)."""
        pad = self.catalog.get(pad_id)
        if status not in STATUSES or (until_status is not None and until_status not in STATUSES):
            bad = status if status not in STATUSES else until_status
            raise InputError(f"pad status '{bad}' unknown; use one of {', '.join(STATUSES)}")
        t = _as_time(t, "event time")
        until_t = None if until is None else _as_time(until, "event 'until' time")
        if until_t is not None and _key(until_t) <= _key(t):
            raise InputError(
                f"event on {pad.id}: 'until' {_when(until_t)} is not after its start {_when(t)}; "
                "give a later end or none"
            )
        ev = BoardEvent(pad.id, t, status, str(reason), until_t, until_status, until_reason, source)
        return dataclasses.replace(self, events=self.events + (ev,))


class _BoardView:
    """Catalogue-like view of a board (pads with events merged), for alternative-pad hints."""

    def __init__(self, board: PadStatusBoard):
        self._board = board

    @property
    def pads(self):
        return self._board.pads
