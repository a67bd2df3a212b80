"""Docking and berthing mechanisms and their capture envelopes (data: ``data/mechanisms.toml``).

A :class:`Mechanism` is a family of interfaces (SSVP probe-and-drogue, the passive hybrid
SSVP on Prichal, IDSS, CBM). Ports and vehicle types name one by id; a port accepts the
vehicle-side mechanisms in :attr:`Mechanism.accepts`.

The capture envelope (:class:`CaptureEnvelope`) is the set of contact conditions inside
which the mechanism captures; it is data for the proximity part (docking contact checks),
with every figure's source and confidence grade. The SSVP and IDSS values are domain.md
section 3.3 (grade C: secondary sources; the SSVP primary, Syromiatnikov 1990 Table 1.1, was
not read). Berthing (CBM) has no free-flight contact, so no envelope.

Assumptions: the limits are independent boxes (no published coupling between, e.g., lateral
offset and misalignment); "pitch/yaw" is the angle between the two port axes and "roll" the
rotation about them.

>>> m = load_mechanisms()["ssvp"]
>>> m.kind, m.envelope.closing_speed_max_mps, round(math.degrees(m.envelope.pitch_yaw_max_rad), 6)
('docking', 0.35, 7.0)
>>> m.envelope.check(closing_speed_mps=0.12, lateral_speed_mps=0.02, lateral_offset_m=0.1).ok
True
>>> m.envelope.check(closing_speed_mps=0.40).violations
('closing speed 0.400 m/s above the maximum 0.350 m/s',)
"""
from __future__ import annotations

import functools
import math
import tomllib
from dataclasses import dataclass

from ..errors import GyrfalconError, InputError

MECHANISM_KINDS = ("docking", "berthing")


class MechanismCatalogError(GyrfalconError):
    """The packaged mechanism catalogue is malformed (a packaging bug, not a user error)."""


class UnknownMechanismError(InputError):
    """A mechanism id that the catalogue does not know."""


@dataclass(frozen=True)
class EnvelopeCheck:
    """Result of :meth:`CaptureEnvelope.check`: ``ok`` and a message per violated limit."""

    ok: bool
    violations: tuple[str, ...]


@dataclass(frozen=True)
class CaptureEnvelope:
    """Contact conditions a docking mechanism captures within (SI units).

    Speeds [m/s], offset [m], angles [rad], angular rate [rad/s]; ``source``/``conf`` give the
    provenance of the whole set (domain.md 3.3).
    """

    closing_speed_min_mps: float
    closing_speed_max_mps: float
    lateral_speed_max_mps: float
    lateral_offset_max_m: float
    pitch_yaw_max_rad: float
    roll_max_rad: float
    angular_rate_max_rad_s: float
    source: str
    conf: str

    def check(self, closing_speed_mps: float | None = None, lateral_speed_mps: float | None = None,
              lateral_offset_m: float | None = None, pitch_yaw_rad: float | None = None,
              roll_rad: float | None = None, angular_rate_rad_s: float | None = None) -> EnvelopeCheck:
        """Compare contact conditions with the envelope; quantities left ``None`` are not checked.

        Magnitudes are used for everything but the closing speed (which must be positive,
        i.e. approaching). Units as in the field names.
        """
        out: list[str] = []
        if closing_speed_mps is not None:
            v = float(closing_speed_mps)
            if v < self.closing_speed_min_mps:
                out.append(f"closing speed {v:.3f} m/s below the minimum {self.closing_speed_min_mps:.3f} m/s")
            elif v > self.closing_speed_max_mps:
                out.append(f"closing speed {v:.3f} m/s above the maximum {self.closing_speed_max_mps:.3f} m/s")
        limits = (
            ("lateral speed", lateral_speed_mps, self.lateral_speed_max_mps, 1.0, "m/s", 3),
            ("lateral offset", lateral_offset_m, self.lateral_offset_max_m, 1.0, "m", 3),
            ("pitch/yaw misalignment", pitch_yaw_rad, self.pitch_yaw_max_rad, 180 / math.pi, "deg", 2),
            ("roll misalignment", roll_rad, self.roll_max_rad, 180 / math.pi, "deg", 2),
            ("angular rate", angular_rate_rad_s, self.angular_rate_max_rad_s, 180 / math.pi, "deg/s", 3),
        )
        for name, value, limit, scale, unit, places in limits:
            if value is not None and abs(float(value)) > limit:
                out.append(f"{name} {abs(float(value)) * scale:.{places}f} {unit} above the maximum "
                           f"{limit * scale:.{places}f} {unit}")
        return EnvelopeCheck(not out, tuple(out))


@dataclass(frozen=True)
class Mechanism:
    """A docking/berthing mechanism family.

    ``kind`` is ``"docking"`` or ``"berthing"``; ``accepts`` the vehicle-side mechanism ids a
    station port of this family can take; ``envelope`` is ``None`` for berthing.
    ``extra`` holds further sourced figures from the catalogue (e.g. the SSVP separation
    speed, the CBM vestibule length) as ``(key, value)`` pairs.
    """

    id: str
    name: str
    kind: str
    accepts: tuple[str, ...]
    envelope: CaptureEnvelope | None
    source: str
    conf: str
    extra: tuple[tuple[str, object], ...] = ()

    @property
    def is_berthing(self) -> bool:
        return self.kind == "berthing"

    def get(self, key: str, default=None):
        """A further catalogue figure by its TOML key (``None`` or ``default`` if absent)."""
        return dict(self.extra).get(key, default)


_ENVELOPE_KEYS = ("closing_speed_min_mps", "closing_speed_max_mps", "lateral_speed_max_mps",
                  "lateral_offset_max_m", "pitch_yaw_max_deg", "roll_max_deg", "angular_rate_max_deg_s")


def _mechanism(mid: str, t: dict) -> Mechanism:
    where = f"mechanism '{mid}'"
    for key in ("name", "kind", "accepts", "source", "conf"):
        if key not in t:
            raise MechanismCatalogError(f"{where}: missing '{key}'")
    if t["kind"] not in MECHANISM_KINDS:
        raise MechanismCatalogError(f"{where}: kind {t['kind']!r} unknown; use one of {', '.join(MECHANISM_KINDS)}")
    present = [k for k in _ENVELOPE_KEYS if k in t]
    envelope = None
    if present:
        if len(present) != len(_ENVELOPE_KEYS):
            missing = sorted(set(_ENVELOPE_KEYS) - set(present))
            raise MechanismCatalogError(f"{where}: capture envelope incomplete, missing {', '.join(missing)}")
        vals = {k: float(t[k]) for k in _ENVELOPE_KEYS}
        if not 0 <= vals["closing_speed_min_mps"] < vals["closing_speed_max_mps"]:
            raise MechanismCatalogError(f"{where}: closing speed limits must satisfy 0 <= min < max")
        envelope = CaptureEnvelope(
            vals["closing_speed_min_mps"], vals["closing_speed_max_mps"], vals["lateral_speed_max_mps"],
            vals["lateral_offset_max_m"], math.radians(vals["pitch_yaw_max_deg"]),
            math.radians(vals["roll_max_deg"]), math.radians(vals["angular_rate_max_deg_s"]),
            str(t["source"]), str(t["conf"]),
        )
    if t["kind"] == "docking" and envelope is None:
        raise MechanismCatalogError(f"{where}: a docking mechanism needs a capture envelope")
    skip = set(_ENVELOPE_KEYS) | {"name", "kind", "accepts", "source", "conf"}
    extra = tuple((k, v) for k, v in t.items() if k not in skip)
    return Mechanism(mid, str(t["name"]), str(t["kind"]), tuple(str(a) for a in t["accepts"]), envelope,
                     str(t["source"]), str(t["conf"]), extra)


def parse_mechanisms(text: str) -> dict[str, Mechanism]:
    """Mechanisms by id from TOML text in the format of the packaged ``mechanisms.toml``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MechanismCatalogError(f"mechanism catalogue is not valid TOML: {exc}") from None
    tables = data.get("mechanism")
    if not isinstance(tables, dict) or not tables:
        raise MechanismCatalogError("mechanism catalogue has no [mechanism.<id>] tables")
    out = {mid: _mechanism(mid, t) for mid, t in tables.items()}
    for m in out.values():
        unknown = [a for a in m.accepts if a not in out]
        if unknown:
            raise MechanismCatalogError(f"mechanism '{m.id}' accepts unknown mechanism ids {unknown}")
    return out


@functools.lru_cache(maxsize=1)
def _load() -> tuple[tuple[str, Mechanism], ...]:
    from importlib.resources import files

    text = (files("gyrfalcon.station") / "data" / "mechanisms.toml").read_text(encoding="utf-8")
    return tuple(parse_mechanisms(text).items())


def load_mechanisms() -> dict[str, Mechanism]:
    """The packaged mechanisms by id (parsed once per process; a fresh dict each call)."""
    return dict(_load())


def get_mechanism(mechanism_id: str) -> Mechanism:
    """One packaged mechanism; :class:`UnknownMechanismError` lists the valid ids."""
    mechs = load_mechanisms()
    key = str(mechanism_id).strip().lower()
    if key not in mechs:
        raise UnknownMechanismError(f"unknown mechanism {mechanism_id!r}; known: {', '.join(sorted(mechs))}")
    return mechs[key]
