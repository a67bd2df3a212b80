"""Docking contact: the conditions at first contact and the mechanism's verdict.

Conditions are those of the chaser's docking interface relative to the port, in the port
sensor frame (:mod:`gyrfalcon.proximity.port`): closing speed along the port axis, lateral
speed and offset across it, pitch/yaw misalignment (angle between the two docking axes),
roll about the axis, and the relative angular rate.

Verdict rules (our modelling choice, D; the SSVP envelope itself is domain.md 3.3, C):

* ``"captured"`` -- every quantity inside the capture envelope;
* ``"collision"`` -- the probe cannot engage the drogue or hits it too hard: closing speed
  above the maximum, lateral offset above the maximum (the probe head lands outside the
  drogue cone, on the structure), or pitch/yaw misalignment above the maximum;
* ``"bounce"`` -- the probe reaches the socket but the capture latches do not hold: closing
  speed below the minimum (not enough energy to trip the latches), or lateral speed, roll
  or angular rate above their maxima; the vehicle rebounds and must back away.

>>> from gyrfalcon.proximity.port import approach_target
>>> env = approach_target("rassvet-nadir").envelope
>>> ok = ContactConditions(0.12, 0.01, 0.05, 0.01, 0.02, 0.001)
>>> assess_contact(ok, env).verdict
'captured'
>>> assess_contact(ContactConditions(0.05, 0.01, 0.05, 0.01, 0.02, 0.001), env).verdict
'bounce'
>>> r = assess_contact(ContactConditions(0.12, 0.01, 0.50, 0.01, 0.02, 0.001), env)
>>> r.verdict, r.violations
('collision', ('lateral offset 0.500 m above the maximum 0.340 m',))
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import InputError

__all__ = ["ContactConditions", "ContactVerdict", "assess_contact", "VERDICTS"]

VERDICTS = ("captured", "bounce", "collision")


@dataclass(frozen=True)
class ContactConditions:
    """Relative state at first contact (SI: m/s, m, rad, rad/s; magnitudes except ``closing_speed_mps``,
    which is positive when approaching)."""

    closing_speed_mps: float
    lateral_speed_mps: float
    lateral_offset_m: float
    pitch_yaw_rad: float
    roll_rad: float
    angular_rate_rad_s: float

    def __post_init__(self):
        for name in ("closing_speed_mps", "lateral_speed_mps", "lateral_offset_m", "pitch_yaw_rad",
                     "roll_rad", "angular_rate_rad_s"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v)):
                raise InputError(f"ContactConditions.{name} must be a finite number (SI units), got {v!r}")
            object.__setattr__(self, name, float(v))


@dataclass(frozen=True)
class ContactVerdict:
    """``verdict`` (one of :data:`VERDICTS`) and the envelope violations that led to it."""

    verdict: str
    violations: tuple[str, ...]


def assess_contact(conditions: ContactConditions, envelope) -> ContactVerdict:
    """Compare contact conditions with a mechanism's capture envelope (see the module rules).

    ``envelope`` is a :class:`gyrfalcon.station.mechanisms.CaptureEnvelope`.
    """
    if envelope is None:
        raise InputError("no capture envelope: the port is a berthing port; use a docking port")
    c = conditions
    check = envelope.check(c.closing_speed_mps, c.lateral_speed_mps, c.lateral_offset_m,
                           c.pitch_yaw_rad, c.roll_rad, c.angular_rate_rad_s)
    if check.ok:
        return ContactVerdict("captured", ())
    hard = (c.closing_speed_mps > envelope.closing_speed_max_mps
            or abs(c.lateral_offset_m) > envelope.lateral_offset_max_m
            or abs(c.pitch_yaw_rad) > envelope.pitch_yaw_max_rad)
    return ContactVerdict("collision" if hard else "bounce", check.violations)
