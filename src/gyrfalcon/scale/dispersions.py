"""Dispersion models of a Monte Carlo campaign and the per-run random draws.

A campaign declares its dispersions in the scenario as an optional ``[dispersions]`` table (or
in a separate TOML file holding the same table); :func:`parse_dispersions` validates it and
:func:`split_scenario_text` separates it from the rest of a scenario file (whose own schema,
:mod:`gyrfalcon.mission.scenario`, does not know the table yet). Every value has a default, so
``[dispersions]`` alone (or no table) gives the defaults below.

Models and their 1-sigma defaults (grades as domain.md uses them):

* **insertion** (``[dispersions.insertion]``): perigee and apogee altitude of the insertion
  orbit, normal, independent, 1-sigma 667 m and 1,667 m: the published Soyuz-2.1a accuracy
  "200 +- 2 x 242 +- 5 km" (domain.md 1.3, B) read as 3-sigma bounds (assumption, D); the
  orbit plane tilted about the insertion radius and about the velocity, 1-sigma 0.01 deg
  each ("51.66 deg +- small", domain.md 1.3: assumption, D); separation time, 1-sigma 1 s
  (the state slides along the orbit by ``v dt``; assumption, D).
* **burns** (``[dispersions.burns]``): each executed main-engine burn's delta-v magnitude
  scaled by ``1 + eps`` (1-sigma 0.5 %) and its direction tilted by two small angles about
  axes normal to it (1-sigma 0.3 deg each); assumptions (D), nothing published found.
* **kurs** (``[dispersions.kurs]``): the approach's Kurs noise realisation is seeded per run;
  ``noise_scale`` multiplies every Kurs 1-sigma (default 1: the NIITP figures, domain.md 3.1,
  A); ``bias_fraction`` is the per-run bias of each channel in units of its sigma
  (:meth:`gyrfalcon.proximity.kurs.KursModel.draw_bias`; default 1.0, assumption D).
* **atmosphere** (``[dispersions.atmosphere]``): the density scale factor (propagator runtime
  parameter ``drag_scale``) is log-normal, ``mean * exp(sigma * N(0,1) - sigma^2 / 2)`` with
  ``sigma`` 0.15 (forecast error of a day-ahead density, assumption D), so that its mean is
  ``density_scale_mean`` (1: the forecast unbiased; its median is exp(-sigma^2/2) = 0.989).
* **station** (``[dispersions.station]``): the ISS ephemeris error: the true station is offset
  from the ephemeris the plan is flown against by a position and velocity offset constant in
  the station's local frame, drawn in RTN with 1-sigma (radial, along-track, cross-track)
  20/100/20 m and 0.1/0.02/0.02 m/s (assumption, D). The rendezvous
  guidance does not see it; Kurs does.

Seeds: run ``i`` of a campaign with seed ``S`` draws from ``numpy.random.SeedSequence(S,
spawn_key=(i,))``, split into one child stream per model (insertion, burns, kurs, atmosphere,
station), so switching one dispersion off (sigma 0) leaves the other models' draws of that run
unchanged, and any single run can be re-drawn (and re-flown) exactly from ``(S, i)``.

>>> d = parse_dispersions({"insertion": {"perigee_sigma_m": 0.0}})
>>> d.insertion.perigee_sigma_m, d.insertion.apogee_sigma_m
(0.0, 1666.6666666666667)
>>> a, b = draw_run(d, 7, 3, n_burns=4), draw_run(d, 7, 3, n_burns=4)
>>> a == b, a.perigee_offset_m
(True, 0.0)
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputError
from ..resources import SEED_MAX

__all__ = ["DispersionError", "Dispersions", "RunDraw", "parse_dispersions", "load_dispersions",
           "split_scenario_text", "run_seed_sequence", "draw_run", "MAX_BURNS", "MODELS"]

MAX_BURNS = 8
"""Burn errors are drawn for this many burns (a fixed block: the stream does not depend on the plan)."""
MODELS = ("insertion", "burns", "kurs", "atmosphere", "station")
"""The dispersion models, in the order of the per-run child seed streams."""


class DispersionError(InputError):
    """A ``[dispersions]`` table that does not validate (the message names the key and what works)."""


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class InsertionDispersion(_M):
    # at most 15 x / 12 x the published 3-sigma (domain.md 1.3: +-2 / +-5 km): a perigee 10 sigma low
    # is still 100 km up; larger values are typos (a campaign would fly suborbital insertions)
    perigee_sigma_m: float = Field(2000.0 / 3.0, ge=0, le=10000)
    apogee_sigma_m: float = Field(5000.0 / 3.0, ge=0, le=20000)
    plane_tilt_sigma_deg: float = Field(0.01, ge=0, le=1)
    separation_time_sigma_s: float = Field(1.0, ge=0, le=60)


class BurnDispersion(_M):
    magnitude_sigma_fraction: float = Field(0.005, ge=0, le=0.2)
    pointing_sigma_deg: float = Field(0.3, ge=0, le=10)


class KursDispersion(_M):
    noise_scale: float = Field(1.0, gt=0, le=100)
    bias_fraction: float = Field(1.0, ge=0, le=10)


class AtmosphereDispersion(_M):
    density_scale_sigma: float = Field(0.15, ge=0, le=2)
    density_scale_mean: float = Field(1.0, gt=0, le=10)


_SigmaM = Annotated[float, Field(ge=0, le=100e3)]
_SigmaMps = Annotated[float, Field(ge=0, le=10.0)]


class StationDispersion(_M):
    # each component >= 0 and finite (NaN passed through to a traceback: audit); at most 100 km /
    # 10 m/s (a station state that far off is not a dispersion of NASA's ephemeris)
    position_sigma_rtn_m: tuple[_SigmaM, _SigmaM, _SigmaM] = (20.0, 100.0, 20.0)
    velocity_sigma_rtn_mps: tuple[_SigmaMps, _SigmaMps, _SigmaMps] = (0.1, 0.02, 0.02)


class Dispersions(_M):
    """Validated dispersion models (see the module docstring for meanings and sources)."""

    seed: int = Field(0, ge=0, le=SEED_MAX, description="campaign seed (the CLI's --seed overrides it)")
    insertion: InsertionDispersion = InsertionDispersion()
    burns: BurnDispersion = BurnDispersion()
    kurs: KursDispersion = KursDispersion()
    atmosphere: AtmosphereDispersion = AtmosphereDispersion()
    station: StationDispersion = StationDispersion()

    def without(self, *models: str) -> "Dispersions":
        """A copy with the named models switched off (all sigmas 0; Kurs bias 0, noise scale kept)."""
        off = {"insertion": InsertionDispersion(perigee_sigma_m=0, apogee_sigma_m=0, plane_tilt_sigma_deg=0,
                                                separation_time_sigma_s=0),
               "burns": BurnDispersion(magnitude_sigma_fraction=0, pointing_sigma_deg=0),
               "kurs": KursDispersion(noise_scale=self.kurs.noise_scale, bias_fraction=0),
               "atmosphere": AtmosphereDispersion(density_scale_sigma=0, density_scale_mean=1.0),
               "station": StationDispersion(position_sigma_rtn_m=(0, 0, 0), velocity_sigma_rtn_mps=(0, 0, 0))}
        for m in models:
            if m not in off:
                raise DispersionError(f"unknown dispersion model {m!r}; use one of {', '.join(MODELS)}")
        return self.model_copy(update={m: off[m] for m in models})

    def only(self, *models: str) -> "Dispersions":
        """A copy with every model but the named ones switched off."""
        return self.without(*[m for m in MODELS if m not in models])


def parse_dispersions(data, source: str = "<dispersions>") -> Dispersions:
    """Validate a ``[dispersions]`` table (a dict, or TOML text holding ``[dispersions]``)."""
    if isinstance(data, str):
        try:
            doc = tomllib.loads(data)
        except tomllib.TOMLDecodeError as exc:
            raise DispersionError(f"{source}: not valid TOML ({exc})") from None
        data = doc.get("dispersions", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DispersionError(f"{source}: [dispersions] must be a table, got {type(data).__name__}")
    try:
        return Dispersions.model_validate(data)
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(p) for p in e["loc"])
        if e["type"] == "extra_forbidden":
            raise DispersionError(f"{source}: dispersions.{where}: unknown key; allowed: seed, "
                                  f"{', '.join(MODELS)} and their sigma keys (see gyrfalcon.scale.dispersions)") from None
        raise DispersionError(f"{source}: dispersions.{where}: {e['msg']}") from None


_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-\"']+)\s*\]\]?")


def split_scenario_text(text: str) -> tuple[str, str]:
    """``(scenario_text, dispersions_text)``: the ``[dispersions]`` / ``[dispersions.*]`` tables cut out.

    Line based: a table runs from its header to the next header that is not a dispersions one.
    (Until :mod:`gyrfalcon.mission.scenario` accepts the table, the scenario part is what
    :func:`~gyrfalcon.mission.scenario.parse_scenario` validates.)

    >>> s, d = split_scenario_text('name = "x"\\n[dispersions.kurs]\\nnoise_scale = 2\\n[docking]\\nport = "a"\\n')
    >>> s.splitlines(), d.splitlines()
    (['name = "x"', '[docking]', 'port = "a"'], ['[dispersions.kurs]', 'noise_scale = 2'])
    """
    keep, cut = [], []
    inside = False
    for line in text.splitlines(keepends=True):
        m = _HEADER.match(line)
        if m:
            name = m.group(1).strip("\"'")
            inside = name == "dispersions" or name.startswith("dispersions.")
        (cut if inside else keep).append(line)
    return "".join(keep), "".join(cut)


def load_dispersions(path) -> Dispersions:
    """Read a TOML file holding a ``[dispersions]`` table (a scenario file or a separate one)."""
    from pathlib import Path

    p = Path(path)
    if not p.is_file():
        raise DispersionError(f"no dispersions file {str(path)!r}; give a TOML file with a [dispersions] table")
    return dispersions_file_text(p.read_text(encoding="utf-8", errors="replace"), str(p))


def dispersions_file_text(text: str, source: str) -> Dispersions:
    """The ``[dispersions]`` table of a file given for them (``--dispersions``): unlike a scenario,
    which may leave the table out for the defaults, such a file without one is refused."""
    try:
        doc = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise DispersionError(f"{source}: not valid TOML ({exc})") from None
    if "dispersions" not in doc:
        raise DispersionError(f"{source} has no [dispersions] table (keys: {', '.join(doc) or 'none'}); give a TOML "
                              "file with one, e.g. [dispersions] seed = 1 (the defaults are used without --dispersions)")
    return parse_dispersions(doc["dispersions"], source)


def run_seed_sequence(campaign_seed: int, index: int) -> np.random.SeedSequence:
    """The seed sequence of run ``index`` of a campaign seeded ``campaign_seed``."""
    if int(campaign_seed) < 0 or int(index) < 0:
        raise InputError(f"campaign seed and run index must be >= 0, got {campaign_seed!r}, {index!r}")
    return np.random.SeedSequence(int(campaign_seed), spawn_key=(int(index),))


@dataclass(frozen=True)
class RunDraw:
    """One run's dispersion draws (SI units).

    ``perigee_offset_m``/``apogee_offset_m``: added to the nominal insertion altitudes;
    ``plane_tilt_rad``: (about the insertion radius, about the velocity); ``separation_dt_s``:
    insertion later by this; ``burn_scale``: (MAX_BURNS,) magnitude factors ``1 + eps``;
    ``burn_tilt_rad``: (MAX_BURNS, 2) pointing errors; ``kurs_noise_scale``,
    ``kurs_bias_fraction``, ``approach_seed``: the approach's Kurs; ``drag_scale``: density
    factor; ``station_dr_rtn_m``/``station_dv_rtn_mps``: true station minus ephemeris (RTN).
    """

    campaign_seed: int
    index: int
    perigee_offset_m: float
    apogee_offset_m: float
    plane_tilt_rad: tuple
    separation_dt_s: float
    burn_scale: tuple
    burn_tilt_rad: tuple
    kurs_noise_scale: float
    kurs_bias_fraction: float
    approach_seed: int
    drag_scale: float
    station_dr_rtn_m: tuple
    station_dv_rtn_mps: tuple


def draw_run(disp: Dispersions, campaign_seed: int, index: int, n_burns: int = MAX_BURNS) -> RunDraw:
    """The draws of run ``index`` (deterministic in ``(campaign_seed, index)``; see the module docstring)."""
    if n_burns > MAX_BURNS:
        raise InputError(f"at most {MAX_BURNS} burns are dispersed, the plan has {n_burns}")
    g_ins, g_burn, g_kurs, g_atm, g_st = (np.random.default_rng(s)
                                          for s in run_seed_sequence(campaign_seed, index).spawn(len(MODELS)))
    ins = disp.insertion
    z = g_ins.standard_normal(5)
    zb = g_burn.standard_normal((MAX_BURNS, 3))
    b = disp.burns
    point = math.radians(b.pointing_sigma_deg)
    approach_seed = int(g_kurs.integers(0, 2 ** 63 - 1))
    za = float(g_atm.standard_normal())
    zs = g_st.standard_normal(6)
    a = disp.atmosphere
    st = disp.station
    return RunDraw(
        campaign_seed=int(campaign_seed), index=int(index),
        perigee_offset_m=float(ins.perigee_sigma_m * z[0]), apogee_offset_m=float(ins.apogee_sigma_m * z[1]),
        plane_tilt_rad=tuple(float(math.radians(ins.plane_tilt_sigma_deg) * x) for x in z[2:4]),
        separation_dt_s=float(ins.separation_time_sigma_s * z[4]),
        burn_scale=tuple(float(1.0 + b.magnitude_sigma_fraction * x) for x in zb[:, 0]),
        burn_tilt_rad=tuple((float(point * x), float(point * y)) for x, y in zb[:, 1:]),
        kurs_noise_scale=float(disp.kurs.noise_scale), kurs_bias_fraction=float(disp.kurs.bias_fraction),
        approach_seed=approach_seed,
        drag_scale=float(a.density_scale_mean * math.exp(a.density_scale_sigma * za - 0.5 * a.density_scale_sigma ** 2)),
        station_dr_rtn_m=tuple(float(s * x) for s, x in zip(st.position_sigma_rtn_m, zs[:3])),
        station_dv_rtn_mps=tuple(float(s * x) for s, x in zip(st.velocity_sigma_rtn_mps, zs[3:])),
    )
