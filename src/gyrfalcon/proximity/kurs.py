"""A Kurs-NA-like radio relative-navigation sensor: range, range rate, bearing angles, relative roll.

What it measures (domain.md 3.1, NIITP, A): range from the round-trip time, range rate from the
Doppler shift, the line-of-sight direction from antenna signal differences, and the relative
roll from the "base angles". Here the geometry is taken between the station's Kurs-P antenna,
placed at the centre of the target port's interface, and the chaser's docking interface:

* ``range_m = |d|`` with ``d`` the chaser interface minus the port centre (LVLH);
* ``range_rate_mps = d . d_dot / |d|``;
* two line-of-sight angles in the *port sensor frame* (boresight = port axis ``a``; ``u``, ``w``
  the two other axes, see :class:`~gyrfalcon.proximity.port.ApproachTarget`):
  ``az_rad = atan2(d.u, d.a)`` (azimuth about ``w``) and ``el_rad = atan2(d.w, sqrt((d.u)^2 +
  (d.a)^2))`` (elevation out of the ``u``-``a`` plane) -- both zero on the approach axis, and
  well conditioned over the whole hemisphere the closing phase flies through (singular only
  with the line of sight along ``+-w``, across the orbit plane for the in-plane approach);
* ``roll_rad``: relative roll of the chaser about the port axis (from the attitude model).

Why azimuth/elevation (a model change): a pair of planar angles ``atan2(d.u, d.a)``,
``atan2(d.w, d.a)`` is singular 90 deg off the boresight, and a dispersed hand-over (behind and
nearly level with a nadir port) reaches it: the linearised filter then rejected good
measurements. Kurs's own sector is +-30 deg (domain.md 3.1); several antennas cover the
approach, so the sector itself is not modelled.

Accuracies (1-sigma, assumed to be the published errors; NIITP spec, A): range 10 m, range
rate 1.5 cm/s, angles 15 arcmin (0.25 deg). **Assumptions** where nothing is published
(domain.md 3.1 says short-range accuracy and the update rate are not public):

* the 10 m range error holds from ``range_ref_m`` (10 km) outward; inside it the error scales
  *in proportion to range* (0.1 % of range: 2.3 m at the 2.27 km aim point, 0.15 m at
  150 m), with a floor of ``range_sigma_min_m`` (1 cm);
* the angle error (0.25 deg) and range-rate error (1.5 cm/s) do not change with range;
* relative roll is measured to the angle accuracy (0.25 deg);
* the update interval is 1 s; acquisition range 100 km (the NIITP operating range, ">= 100 km");
* a per-run bias on each channel that is a fixed multiple of that channel's current sigma
  (the multiples drawn once from the seeded generator as ``bias_fraction`` times a standard
  normal; default 0: unbiased), plus white Gaussian noise each update.

Faults (:class:`KursFault`): ``"dropout"`` (no measurements between ``start_s`` and
``start_s + duration_s``) and ``"bias_jump"`` (from ``start_s`` on, ``bias`` is added to
``channel``). Everything random comes from one ``numpy.random.Generator``: a run is
reproducible from its seed.

>>> import numpy as np
>>> k = KursModel()
>>> round(k.range_sigma_m(150.0), 3), round(k.range_sigma_m(50e3), 1)
(0.15, 10.0)
>>> geo = np.eye(3)  # rows u, w, a: boresight along z
>>> z = k.ideal(np.array([0.0, 0.0, 100.0]), np.array([0.0, 0.0, -0.2]), geo)
>>> [round(float(x), 3) for x in z]
[100.0, -0.2, 0.0, 0.0]
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError

__all__ = ["KursModel", "KursFault", "KursMeasurement", "measurement_jacobian", "CHANNELS"]

CHANNELS = ("range", "range_rate", "az", "el", "roll")
"""Measurement channels, in the order of :meth:`KursModel.ideal` (roll last, not filtered)."""

ARCMIN_RAD = math.pi / (180.0 * 60.0)


BIAS_LIMITS = {"range": (100_000.0, "m"), "range_rate": (100.0, "m/s"), "az": (math.pi, "rad"),
               "el": (math.pi, "rad"), "roll": (math.pi, "rad")}
"""Largest bias a fault may inject per channel (SI): the operating range of Kurs-NA (>= 100 km,
domain.md 3.1), a closing rate far beyond any approach (100 m/s), half a turn for an angle."""
BIAS_EXAMPLES = {"range": "50", "range_rate": "0.5", "az": "0.01", "el": "0.01", "roll": "0.05"}


@dataclass(frozen=True)
class KursFault:
    """An injected sensor fault.

    ``kind``: ``"dropout"`` or ``"bias_jump"``; ``start_s``: seconds from the start of the
    simulation; ``duration_s``: how long it lasts (``inf``: to the end); ``channel`` and
    ``bias`` (SI: m, m/s or rad) for a bias jump.
    """

    kind: str
    start_s: float
    duration_s: float = math.inf
    channel: str = "range"
    bias: float = 0.0

    def __post_init__(self):
        if self.kind not in ("dropout", "bias_jump"):
            raise InputError(f"unknown Kurs fault kind {self.kind!r}; use 'dropout' or 'bias_jump'")
        if self.channel not in CHANNELS:
            raise InputError(f"unknown Kurs channel {self.channel!r}; use one of {', '.join(CHANNELS)}")
        if not (self.start_s >= 0 and self.duration_s > 0):
            raise InputError(f"fault start_s must be >= 0 s and duration_s > 0 s, got {self.start_s!r}, {self.duration_s!r}")
        limit, unit = BIAS_LIMITS[self.channel]
        if not (math.isfinite(self.bias) and abs(self.bias) <= limit):
            raise InputError(f"Kurs {self.channel} bias {self.bias!r}: give a finite number within +-{limit:g} {unit}, "
                             f"e.g. kurs-bias@600:{self.channel}={BIAS_EXAMPLES[self.channel]}")

    def active(self, t_s: float) -> bool:
        return self.start_s <= t_s < self.start_s + self.duration_s


@dataclass(frozen=True, eq=False)
class KursMeasurement:
    """One Kurs update: ``values`` in :data:`CHANNELS` order [m, m/s, rad, rad, rad] and their 1-sigma."""

    t_s: float
    values: np.ndarray
    sigma: np.ndarray


@dataclass(frozen=True)
class KursModel:
    """Kurs-NA-like sensor parameters (SI units; see the module docstring for the sources and assumptions)."""

    range_sigma_far_m: float = 10.0
    range_ref_m: float = 10_000.0
    range_sigma_min_m: float = 0.01
    range_rate_sigma_mps: float = 0.015
    angle_sigma_rad: float = 15.0 * ARCMIN_RAD
    roll_sigma_rad: float = 15.0 * ARCMIN_RAD
    acquisition_range_m: float = 100_000.0
    update_interval_s: float = 1.0
    bias_fraction: float = 0.0
    faults: tuple = field(default=())

    def __post_init__(self):
        for name in ("range_sigma_far_m", "range_ref_m", "range_sigma_min_m", "range_rate_sigma_mps",
                     "angle_sigma_rad", "roll_sigma_rad", "acquisition_range_m", "update_interval_s"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise InputError(f"KursModel.{name} must be a positive finite number (SI units), got {v!r}")
        if not self.bias_fraction >= 0:
            raise InputError(f"KursModel.bias_fraction must be >= 0 (0 = unbiased), got {self.bias_fraction!r}")
        object.__setattr__(self, "faults", tuple(self.faults))
        for f in self.faults:
            if not isinstance(f, KursFault):
                raise InputError(f"KursModel.faults must hold KursFault objects, got {type(f).__name__}")

    def range_sigma_m(self, range_m: float) -> float:
        """1-sigma range error [m] at ``range_m``: 10 m beyond ``range_ref_m``, proportional inside, floored."""
        return max(self.range_sigma_min_m, self.range_sigma_far_m * min(1.0, float(range_m) / self.range_ref_m))

    def sigmas(self, range_m: float) -> np.ndarray:
        """1-sigma of every channel at ``range_m``, in :data:`CHANNELS` order."""
        return np.array([self.range_sigma_m(range_m), self.range_rate_sigma_mps,
                         self.angle_sigma_rad, self.angle_sigma_rad, self.roll_sigma_rad])

    @staticmethod
    def ideal(d_m, d_dot_mps, sensor_rows) -> np.ndarray:
        """Noise-free (range, range rate, az, el) for relative position/velocity ``d`` (LVLH) and the
        sensor frame ``sensor_rows`` (3x3, rows u, w, a in LVLH)."""
        d = np.asarray(d_m, float)
        rng = math.sqrt(float(d @ d))
        if rng == 0:
            raise InputError("Kurs range is zero: the chaser is at the port centre")
        q = sensor_rows @ d
        return np.array([rng, float(d @ np.asarray(d_dot_mps, float)) / rng,
                         math.atan2(q[0], q[2]), math.atan2(q[1], math.hypot(q[0], q[2]))])

    def draw_bias(self, rng: np.random.Generator) -> np.ndarray:
        """Per-run bias, in units of each channel's sigma (one draw; zeros if ``bias_fraction`` is 0)."""
        if self.bias_fraction == 0:
            return np.zeros(5)
        return self.bias_fraction * rng.standard_normal(5)

    def measure(self, t_s: float, d_m, d_dot_mps, roll_rad: float, sensor_rows,
                rng: np.random.Generator, bias=None) -> KursMeasurement | None:
        """A noisy measurement at ``t_s``, or ``None`` (out of acquisition range, or a dropout).

        ``bias``: the run's bias from :meth:`draw_bias` (in sigmas), or None.

        Noise is always drawn (5 normals per call, dropouts included) so that the random
        stream, and so the rest of the run, does not depend on when a fault happens.
        """
        noise = rng.standard_normal(5)
        z = self.ideal(d_m, d_dot_mps, sensor_rows)
        sig = self.sigmas(z[0])
        if z[0] > self.acquisition_range_m:
            return None
        vals = np.append(z, float(roll_rad)) + sig * noise
        if bias is not None:
            vals = vals + sig * np.asarray(bias, float)
        for f in self.faults:
            if f.active(t_s):
                if f.kind == "dropout":
                    return None
                vals[CHANNELS.index(f.channel)] += f.bias
        vals.flags.writeable = False
        sig.flags.writeable = False
        return KursMeasurement(float(t_s), vals, sig)


def measurement_jacobian(d_m, d_dot_mps, sensor_rows) -> np.ndarray:
    """4x6 Jacobian of (range, range rate, az, el) with respect to (d, d_dot) in LVLH.

    >>> import numpy as np
    >>> H = measurement_jacobian([0, 0, 100.0], [0, 0, -0.2], np.eye(3))
    >>> np.round(H[0], 6) + 0.0
    array([0., 0., 1., 0., 0., 0.])
    """
    d = np.asarray(d_m, float)
    v = np.asarray(d_dot_mps, float)
    r = math.sqrt(float(d @ d))
    u = d / r
    rr = float(u @ v)
    q = sensor_rows @ d
    h = np.zeros((4, 6))
    h[0, :3] = u
    h[1, :3] = (v - rr * u) / r
    h[1, 3:] = u
    den = q[0] ** 2 + q[2] ** 2
    h[2, :3] = (q[2] * sensor_rows[0] - q[0] * sensor_rows[2]) / den
    rho = math.sqrt(den)
    h[3, :3] = (rho * sensor_rows[1] - q[1] * (q[0] * sensor_rows[0] + q[2] * sensor_rows[2]) / rho) / (r * r)
    return h
