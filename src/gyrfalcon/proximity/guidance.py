"""Automated approach guidance (Kurs mode), thrusters, attitude error, and the TORU manual backup.

Phases (domain.md 3.2; durations and rates there are B/C figures):

1. ``closing`` -- from the rendezvous aim point (2.27 km for MS-28) to ``flyaround_start_range_m``
   (400 m) along the line of sight, with the line-of-sight rate nulled (parallel navigation)
   and the range rate following ``-(closing_rate_const_mps + closing_rate_per_s * range)``:
   5.4 m/s at 2.27 km, 1.7 m/s at 400 m (TMA-19: 1.7 m/s at 400 m), 9.7 min from 2.27 km
   (published: 2.2 km -> 400 m in about 10 min).
2. ``flyaround`` -- a reference path in the plane of the line of sight and the port axis:
   the angle from the port axis falls smoothly to zero (smoothstep) while the range follows a
   cubic from the current range and range rate to ``station_keeping_range_m`` at rest, in
   :meth:`GuidanceParams.flyaround_time` of the arc (``flyaround_duration_s`` when no rate is set;
   the vehicle profiles of :mod:`gyrfalcon.proximity.profiles` set the published rate, about 50 deg
   in about 6 min, so the duration follows the arc the port's geometry asks for).
3. ``station_keeping`` on the port axis at ``station_keeping_range_m`` (150-200 m) for at least
   ``station_keeping_min_s`` (3-6 min published); the go for final approach needs a converged
   filter (lateral 1-sigma below ``go_sigma_lateral_m``), the estimate on the axis and at rest.
4. ``final_approach`` along the axis at ``-(final_rate_const_mps + final_rate_per_s * distance)``
   (0.42 m/s at 150 m to 0.12 m/s at contact: "about 0.25 falling to about 0.1 m/s"), lateral
   offset driven to zero. Duration from 150 m: 10.4 min (published about 11 min).

Safety rules (checked each step on the *estimated* state):

* Kurs silent (dropout) for more than ``hold_after_s``: ``hold`` position (dead-reckoning on the
  filter); if it lasts more than ``back_away_after_s``, or the chaser is closer than
  ``blind_min_range_m`` to the port when it happens: ``back_away``; when Kurs returns during a
  hold, the interrupted phase resumes;
* Kurs inconsistent with the navigation (``reject_run`` consecutive innovations gated out: a
  sensor bias jump, or an unmodelled impulse such as a thruster misfire): the filter is
  re-initialised (covariance inflated to ``reacquire_sigma_fraction`` of the range and
  ``reacquire_sigma_vel_mps``), the chaser nulls its velocity for ``reacquire_s`` while the
  filter re-converges, then backs away -- the cause is unknown, so the approach is not
  resumed (a constant bias is unobservable once absorbed); in the final approach closer than
  ``blind_min_range_m`` it backs away at once, as when Kurs is lost there;
* final approach outside the corridor (lateral offset > tan(half angle) * distance +
  ``corridor_margin_m``; the half angle is the port's, from :mod:`gyrfalcon.station` (10 deg,
  D), unless ``corridor_half_angle_rad`` > 0 overrides it) or closing faster than ``rate_tolerance_factor`` times the schedule
  plus ``rate_tolerance_mps``: ``back_away``;
* within ``contact_guard_range_m`` of the port, closing speed outside the capture envelope:
  ``back_away`` (``envelope_guard=False`` switches it off, for tests);
* ``back_away`` retreats along the port axis at ``back_away_speed_mps`` to
  ``station_keeping_range_m`` (TMA-19M backed off to about 100 m); then the approach is
  retried (``max_retries``) or ends as ``aborted``.

Control: a velocity-tracking law ``v_des = v_ref + K (p_ref - p_hat)``; the thrusters fire
when a component of ``v_des - v_hat`` exceeds the deadband (coarse far out, fine close in).

Thrusters (:class:`ThrusterModel`): Soyuz MS DPO-B, 130 N each, Isp 291 s (Energia via
``launch/data/vehicles.toml``, C); two per translation direction (assumed, D); minimum on-time
30 ms (assumed, D: minimum impulse bit 7.8 N s, 1.1 mm/s); per-component execution error
2 % (1-sigma, assumed). Mass at the aim point 6,875 kg (D: 7,152 kg at launch minus the
propellant for about 117 m/s at Isp 302 s).

Attitude (:class:`AttitudeModel`): the relative pitch, yaw and roll of the chaser's docking
axis to the port axis are attitude-control limit cycles ``A sin(2 pi t / P + phi)`` with
seeded amplitude in ``[0.2, 1.0] deg`` and period in ``[60, 120] s`` (assumed, D: Soyuz
attitude deadbands are not public), giving rates below 0.11 deg/s.

TORU (:class:`ManualScript`): an operator at Zvezda flies from the TV picture of the docking
target. Perception is truth plus white noise (1-sigma, assumed, D): distance along the axis
2 cm + 1 % of range (from the target's apparent size), lateral position 2 cm + 0.2 % of range
(about 0.1 deg on the screen), velocity 0.3 cm/s. The scripted commands set the closing speed
(:class:`OperatorCommand`); the operator nulls the lateral offset with a gain of 0.05 /s (at
most 0.3 m/s) and fires when a velocity error exceeds 2 cm/s along the axis or 0.8 cm/s across it. Off the corridor, the operator
first flies back to the axis (closing speed held at 0).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..constants import G0_MPS2
from ..errors import InputError

__all__ = ["GuidanceParams", "ThrusterModel", "AttitudeModel", "OperatorCommand", "ManualScript",
           "smoothstep", "hermite_range"]


@dataclass(frozen=True)
class GuidanceParams:
    """Tunable guidance parameters (SI units; defaults documented in the module docstring)."""

    closing_rate_const_mps: float = 0.9
    closing_rate_per_s: float = 0.002
    flyaround_start_range_m: float = 400.0
    flyaround_duration_s: float = 360.0
    flyaround_rate_rad_s: float = 0.0
    flyaround_range_rate_mps: float = 0.0
    flyaround_min_s: float = 60.0
    station_keeping_range_m: float = 150.0
    station_keeping_min_s: float = 180.0
    station_keeping_max_s: float = 600.0
    go_sigma_lateral_m: float = 0.5
    go_offset_m: float = 2.0
    go_speed_mps: float = 0.05
    final_rate_const_mps: float = 0.12
    final_rate_per_s: float = 0.002
    position_gain_per_s: float = 0.02
    lateral_gain_per_s: float = 0.05
    lateral_speed_max_mps: float = 0.3
    deadband_far_mps: float = 0.02
    deadband_near_mps: float = 0.004
    near_range_m: float = 250.0
    hold_after_s: float = 3.0
    back_away_after_s: float = 60.0
    blind_min_range_m: float = 20.0
    reject_run: int = 3
    reacquire_s: float = 15.0
    reacquire_sigma_fraction: float = 0.05
    reacquire_sigma_vel_mps: float = 0.5
    corridor_margin_m: float = 0.34
    corridor_half_angle_rad: float = 0.0
    rate_tolerance_factor: float = 1.5
    rate_tolerance_mps: float = 0.05
    contact_guard_range_m: float = 5.0
    envelope_guard: bool = True
    back_away_speed_mps: float = 0.3
    max_retries: int = 0
    retreat_hold_s: float = 60.0

    def __post_init__(self):
        for name, value in self.__dict__.items():
            if isinstance(value, bool):
                continue
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise InputError(f"GuidanceParams.{name} must be a finite number >= 0 (SI units), got {value!r}")
        if self.station_keeping_range_m >= self.flyaround_start_range_m:
            raise InputError("station_keeping_range_m must be below flyaround_start_range_m "
                             f"({self.station_keeping_range_m} >= {self.flyaround_start_range_m}); e.g. 150 and 400 m")

    def flyaround_time(self, arc_rad: float, range_drop_m: float) -> float:
        """Duration [s] of a flyaround sweeping ``arc_rad`` while the range falls by ``range_drop_m``:
        ``flyaround_duration_s`` if ``flyaround_rate_rad_s`` is 0, else the longer of the arc at the
        mean rate and the range drop at ``flyaround_range_rate_mps``, at least ``flyaround_min_s``.

        >>> GuidanceParams(flyaround_rate_rad_s=math.radians(50 / 360), flyaround_range_rate_mps=1.0).flyaround_time(math.radians(50), 250.0)
        360.0
        """
        if self.flyaround_rate_rad_s <= 0:
            return float(self.flyaround_duration_s)
        t = max(float(arc_rad) / self.flyaround_rate_rad_s, self.flyaround_min_s)
        if self.flyaround_range_rate_mps > 0:
            t = max(t, float(range_drop_m) / self.flyaround_range_rate_mps)
        return float(round(t, 6))

    def closing_speed(self, range_m: float) -> float:
        """Commanded closing speed [m/s] in the closing phase at ``range_m``."""
        return self.closing_rate_const_mps + self.closing_rate_per_s * range_m

    def final_speed(self, distance_m: float) -> float:
        """Commanded closing speed [m/s] on final approach at ``distance_m`` along the port axis."""
        return self.final_rate_const_mps + self.final_rate_per_s * max(distance_m, 0.0)

    def deadband(self, range_m: float) -> float:
        return self.deadband_near_mps if range_m < self.near_range_m else self.deadband_far_mps


@dataclass(frozen=True)
class ThrusterModel:
    """Translation thrusters: per-axis saturation, minimum impulse bit, execution error, propellant."""

    mass_kg: float = 6875.0
    thrust_per_axis_n: float = 260.0
    min_on_time_s: float = 0.03
    isp_s: float = 291.0
    dv_error_fraction: float = 0.02

    def __post_init__(self):
        for name in ("mass_kg", "thrust_per_axis_n", "min_on_time_s", "isp_s"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise InputError(f"ThrusterModel.{name} must be a positive number (SI units), got {v!r}")
        if not self.dv_error_fraction >= 0:
            raise InputError(f"ThrusterModel.dv_error_fraction must be >= 0, got {self.dv_error_fraction!r}")

    def min_dv_mps(self, mass_kg: float) -> float:
        """Smallest velocity change one firing can give [m/s]."""
        return self.thrust_per_axis_n * self.min_on_time_s / mass_kg

    def quantize(self, dv_cmd_mps, mass_kg: float, step_s: float) -> np.ndarray:
        """The impulse the valves can deliver for a commanded one: per component, below half the
        minimum impulse bit -> 0, below it -> the bit, above the step's saturation -> saturated.

        >>> ThrusterModel().quantize([0.0004, 0.0008, 1.0], 6875.0, 1.0)
        array([0.        , 0.00113455, 0.03781818])
        """
        dv = np.asarray(dv_cmd_mps, float).copy()
        bit = self.min_dv_mps(mass_kg)
        sat = self.thrust_per_axis_n * step_s / mass_kg
        mag = np.abs(dv)
        dv = np.where(mag < 0.5 * bit, 0.0, np.where(mag < bit, np.sign(dv) * bit, np.clip(dv, -sat, sat)))
        return dv

    def propellant_kg(self, dv_components_mps, mass_kg: float) -> float:
        """Propellant for one step's impulse (thrusters fire per axis: the L1 norm counts) [kg]."""
        l1 = float(np.sum(np.abs(dv_components_mps)))
        return mass_kg * (1.0 - math.exp(-l1 / (self.isp_s * G0_MPS2)))


@dataclass(frozen=True)
class AttitudeModel:
    """Relative attitude limit cycles (see the module docstring); ``draw`` gives one run's parameters."""

    amplitude_min_rad: float = math.radians(0.2)
    amplitude_max_rad: float = math.radians(1.0)
    period_min_s: float = 60.0
    period_max_s: float = 120.0

    def draw(self, rng: np.random.Generator):
        """(amplitudes, periods, phases), each (3,) for pitch, yaw, roll."""
        amp = rng.uniform(self.amplitude_min_rad, self.amplitude_max_rad, 3)
        per = rng.uniform(self.period_min_s, self.period_max_s, 3)
        ph = rng.uniform(0.0, 2 * math.pi, 3)
        return amp, per, ph

    @staticmethod
    def angles(t_s: float, params):
        """(pitch, yaw, roll) [rad] and their rates [rad/s] at ``t_s``."""
        amp, per, ph = params
        w = 2 * math.pi / per
        arg = w * t_s + ph
        return amp * np.sin(arg), amp * w * np.cos(arg)


@dataclass(frozen=True)
class OperatorCommand:
    """A scripted TORU command: from ``at_s`` seconds after takeover, or once the perceived
    distance along the port axis falls below ``below_range_m``, fly at ``closing_speed_mps``
    (0 = hold; negative = back off)."""

    closing_speed_mps: float
    at_s: float | None = None
    below_range_m: float | None = None

    def __post_init__(self):
        if (self.at_s is None) == (self.below_range_m is None):
            raise InputError("an OperatorCommand needs exactly one trigger: at_s (seconds after takeover) "
                             "or below_range_m (metres along the port axis)")
        if not (math.isfinite(self.closing_speed_mps) and abs(self.closing_speed_mps) <= 1.0):
            raise InputError(f"closing_speed_mps must be within +-1 m/s, got {self.closing_speed_mps!r}")

    def triggered(self, since_takeover_s: float, distance_m: float) -> bool:
        if self.at_s is not None:
            return since_takeover_s >= self.at_s
        return distance_m <= self.below_range_m


@dataclass(frozen=True)
class ManualScript:
    """TORU backup: when the operator takes over and what they command.

    ``takeover_at_s``: seconds from the start of the simulation (None: not by time);
    ``takeover_on_nav_fault``: take over instead of holding/backing away when Kurs is lost;
    ``commands``: :class:`OperatorCommand` s, the last triggered one in list order applies.
    """

    commands: tuple = field(default=())
    takeover_at_s: float | None = None
    takeover_on_nav_fault: bool = True
    position_sigma_m: float = 0.02
    range_sigma_fraction: float = 0.01
    lateral_sigma_fraction: float = 0.002
    lateral_gain_per_s: float = 0.05
    velocity_sigma_mps: float = 0.003
    deadband_mps: float = 0.02
    lateral_deadband_mps: float = 0.008

    def __post_init__(self):
        object.__setattr__(self, "commands", tuple(self.commands))
        if not self.commands:
            raise InputError("a ManualScript needs at least one OperatorCommand, e.g. "
                             "OperatorCommand(0.2, at_s=0) then OperatorCommand(0.12, below_range_m=15)")
        for c in self.commands:
            if not isinstance(c, OperatorCommand):
                raise InputError(f"ManualScript.commands must hold OperatorCommand objects, got {type(c).__name__}")

    def closing_speed(self, since_takeover_s: float, distance_m: float) -> float:
        speed = 0.0
        for c in self.commands:
            if c.triggered(since_takeover_s, distance_m):
                speed = c.closing_speed_mps
        return speed


def smoothstep(s: float) -> tuple[float, float]:
    """3 s^2 - 2 s^3 on [0, 1] and its derivative (clamped outside).

    >>> smoothstep(0.5)
    (0.5, 1.5)
    """
    if s <= 0:
        return 0.0, 0.0
    if s >= 1:
        return 1.0, 0.0
    return 3 * s * s - 2 * s**3, 6 * s - 6 * s * s


def hermite_range(t: float, duration: float, r0: float, rdot0: float, r1: float) -> tuple[float, float]:
    """Cubic from (r0, rdot0) at 0 to (r1, 0) at ``duration`` [m, m/s]; held at r1 afterwards.

    >>> hermite_range(360.0, 360.0, 400.0, -1.7, 150.0)
    (150.0, 0.0)
    """
    if t >= duration:
        return r1, 0.0
    T = duration
    s = max(t, 0.0) / T
    h00, h10, h01 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s, -2 * s**3 + 3 * s**2
    d00, d10, d01 = (6 * s**2 - 6 * s) / T, (3 * s**2 - 4 * s + 1) / T, (-6 * s**2 + 6 * s) / T
    r = h00 * r0 + h10 * T * rdot0 + h01 * r1
    rd = d00 * r0 + d10 * T * rdot0 + d01 * r1
    return r, rd
