"""Mission scenario files (TOML), validated with pydantic before anything long is computed.

A scenario says which flight to fly: vehicle, crew, pad, target station and its ephemeris,
launch time (a fixed UTC or "the first feasible window after DATE"), rendezvous scheme,
docking port, stay, return, injected faults and outputs. ``gyrfalcon run`` with no argument
flies the packaged default, Soyuz MS-28 (``gyrfalcon/mission/data/soyuz-ms-28.toml``);
``gyrfalcon scenario init`` writes a commented template (:func:`template_text`).

Every validation error is a :class:`ScenarioError` (an :class:`~gyrfalcon.errors.InputError`)
whose one-line message names the file, the key (``launch.pad``) and what is allowed.
Validation is cheap (catalogue look-ups, file existence, date parsing: well under 1 s); the
ephemeris files are only *checked to exist* here and are read by the runner.

>>> sc = default_scenario()
>>> sc.name, sc.launch.pad, sc.launch.first_feasible_after, sc.docking.port
('soyuz-ms-28', 'baikonur-31', '2025-11-27', 'rassvet-nadir')
>>> try:
...     parse_scenario('name = "x"\\n[launch]\\npad = "baikonur-99"\\nfirst_feasible_after = "2025-11-27"')
... except ScenarioError as exc:
...     print(str(exc).split(", baikonur-1")[0])
<string>: launch.pad: unknown pad 'baikonur-99'; allowed: baikonur-31
"""
from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import (BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, ValidationError, field_validator,
                      model_validator)

from ..errors import InputError
from ..ids import norm_id
from ..resources import SEED_MAX

DEFAULT_SCENARIO_FILE = "soyuz-ms-28.toml"
"""The packaged default scenario (``gyrfalcon/mission/data``; identical to ``scenarios/soyuz-ms-28.toml``)."""

EMBEDDED = "embedded"
"""Ephemeris source meaning: the NASA ISS OEM shipped in the package."""

SPACECRAFT = ("soyuz-ms", "progress-ms")
LAUNCHERS = ("soyuz-2.1a", "soyuz-fg")
SCHEMES = ("auto", "two-orbit", "four-orbit", "two-day")
LANDING_MODES = ("nominal", "ballistic")


class ScenarioError(InputError):
    """A scenario file is unreadable or has a bad value; the message names the key and what is allowed."""


# -- catalogue look-ups (cached; each well under 0.1 s) ----------------------------------------
@functools.lru_cache(maxsize=1)
def _pad_ids() -> tuple:
    from ..launch.sites import load_sites

    return tuple(load_sites().ids)


@functools.lru_cache(maxsize=1)
def _fault_kinds() -> tuple:
    from ..launch.countdown import FAULT_KINDS

    return tuple(FAULT_KINDS)


@functools.lru_cache(maxsize=1)
def _zones() -> tuple:
    from ..landing.zones import zone_names

    return tuple(zone_names())


def _norm_id(v):
    """An id as the catalogues spell it (case-insensitive; ``_`` and spaces read as ``-``); other values unchanged."""
    return norm_id(v) if isinstance(v, str) else v


def _allowed(what: str, value, allowed) -> ValueError:
    return ValueError(f"unknown {what} {value!r}; allowed: {', '.join(allowed)}")


def _check_utc(text: str, what: str) -> str:
    from ..time import parse_utc

    m = re.match(r"\s*(\d{4}-\d{2}-\d{2})", text)
    if m:
        import datetime as _dt

        try:
            _dt.date.fromisoformat(m.group(1))
        except ValueError as exc:
            raise ValueError(f"{what} {text!r}: the day {m.group(1)} does not exist ({exc})") from None
    try:
        parse_utc(text)
    except Exception as exc:  # noqa: BLE001 - re-raised with the allowed form
        raise ValueError(f"{what} {text!r} is not a UTC time ({exc}); give e.g. 2025-11-27 or "
                         "2025-11-27T09:27:57.4Z") from None
    import datetime as _dt

    try:      # the station's dated ports and pads read it as a calendar date-time
        _dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"{what} {text!r}: give a calendar date and time, e.g. 2025-11-27T09:27:57.4Z (not a "
                         "day of the year, nor a leap second 23:59:60)") from None
    return text


def _check_date(text: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"date {text!r} is not YYYY-MM-DD (e.g. 2026-07-26)")
    import datetime as _dt

    try:
        _dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"date {text!r} does not exist ({exc}); give a real YYYY-MM-DD day") from None
    return text


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Vehicle(_Model):
    spacecraft: Literal["soyuz-ms", "progress-ms"] = "soyuz-ms"
    launcher: Literal["soyuz-2.1a", "soyuz-fg"] = "soyuz-2.1a"   # soyuz-fg: Soyuz MS until 2019, Site 1/5
    name: str = Field("Soyuz MS-28", min_length=1, description="the flight's name, as in the station manifest")

    @field_validator("spacecraft", "launcher", mode="before")
    @classmethod
    def _norm(cls, v):
        return _norm_id(v)


class Crew(_Model):
    names: tuple[str, ...] = ()
    callsign: str = ""


class Launch(_Model):
    pad: str = "baikonur-31"
    time: str | None = None
    first_feasible_after: str | None = None
    search_days: StrictFloat = Field(3.0, gt=0, le=60)

    @field_validator("pad")
    @classmethod
    def _pad(cls, v: str) -> str:
        from ..launch.sites import load_sites

        try:
            return load_sites().resolve(v)
        except Exception:  # noqa: BLE001
            raise _allowed("pad", v, _pad_ids()) from None

    @field_validator("time")
    @classmethod
    def _time(cls, v):
        return None if v is None else _check_utc(v, "launch time")

    @field_validator("first_feasible_after")
    @classmethod
    def _after(cls, v):
        return None if v is None else _check_utc(v, "date")

    @model_validator(mode="after")
    def _one_of(self):
        if (self.time is None) == (self.first_feasible_after is None):
            raise ValueError("give exactly one of launch.time (UTC) or launch.first_feasible_after (a date)")
        return self


class Target(_Model):
    station: Literal["iss"] = "iss"
    ephemeris: str = EMBEDDED


class Rendezvous(_Model):
    scheme: Literal["auto", "two-orbit", "four-orbit", "two-day"] = "auto"

    @field_validator("scheme", mode="before")
    @classmethod
    def _norm(cls, v):
        return _norm_id(v)


class Docking(_Model):
    port: str = "rassvet-nadir"

    @field_validator("port")
    @classmethod
    def _port(cls, v: str) -> str:
        from ..station.catalog import UnknownPortError, load_station

        v = _norm_id(v)
        try:
            load_station("iss").port(v)
        except UnknownPortError:            # the past ports labelled as such, as the catalogue lists them
            raise ValueError(f"unknown port {v!r}; allowed: {load_station('iss').port_ids_text()}") from None
        return v


class Stay(_Model):
    land_on: str | None = None
    days: StrictFloat | None = Field(None, ge=1, le=400, description="days from the docking to the return, 1-400 "
                                                               "(as land_on, at least a day after the launch)")

    @field_validator("land_on")
    @classmethod
    def _land(cls, v):
        return None if v is None else _check_date(v)


class Return(_Model):
    enabled: StrictBool = True
    zone: str = "soyuz"
    mode: Literal["nominal", "ballistic"] = "nominal"
    ephemeris: str = EMBEDDED

    @field_validator("zone")
    @classmethod
    def _zone(cls, v: str) -> str:
        if v not in _zones():
            raise _allowed("landing zone", v, _zones())
        return v


class KursDropout(_Model):
    start_s: StrictFloat = Field(ge=0, description="seconds after the start of the approach")
    duration_s: StrictFloat = Field(gt=0)


class Faults(_Model):
    countdown: tuple[str, ...] = ()
    kurs_dropout: tuple[KursDropout, ...] = ()

    @field_validator("countdown")
    @classmethod
    def _kinds(cls, v):
        for k in v:
            if k not in _fault_kinds():
                raise _allowed("countdown fault", k, _fault_kinds())
        return v


class Output(_Model):
    oem: StrictBool = True
    czml: StrictBool = True
    report: StrictBool = True
    oem_step_s: StrictFloat = Field(60.0, ge=1, le=600)   # a step under a second: millions of samples


class Real(_Model):
    """What really happened on a real flight: compared with the model in the report, never an
    input of the flight. Each time is ISO UTC (a full instant, or a bare YYYY-MM-DD day when
    only the date is published) with the source it comes from."""

    liftoff: str | None = None
    liftoff_source: str = ""
    contact: str | None = None
    contact_source: str = ""
    landing: str | None = None
    landing_source: str = ""

    @field_validator("liftoff", "contact", "landing")
    @classmethod
    def _utc(cls, v, info):
        return None if v is None else _check_utc(v, f"real.{info.field_name}")


class Scenario(_Model):
    """A validated scenario (see :func:`template_text` for every key with its meaning)."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64)
    title: str = ""
    seed: StrictInt = Field(0, ge=0, le=SEED_MAX)
    what_if: StrictBool = False
    """Fly it even if it breaks a station rule (occupied port, more crew than seats, pad out of
    service); the result then says ``what_if: true`` everywhere (:mod:`gyrfalcon.traffic.flight_rules`)."""
    vehicle: Vehicle = Vehicle()
    crew: Crew = Crew()
    launch: Launch
    target: Target = Target()
    rendezvous: Rendezvous = Rendezvous()
    docking: Docking = Docking()
    stay: Stay = Stay()
    return_: Return = Field(Return(), alias="return")
    faults: Faults = Faults()
    output: Output = Output()
    real: Real | None = None
    """Real flight times for the report's "model vs real" table (comparison only, not an input)."""
    dispersions: dict | None = None
    """Monte Carlo dispersion models; ignored by a single run, validated by
    :mod:`gyrfalcon.scale.dispersions` when ``gyrfalcon montecarlo`` flies the scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _cross(self):
        if self.return_.enabled and self.stay.land_on is None and self.stay.days is None:
            raise ValueError("stay: give stay.land_on (YYYY-MM-DD) or stay.days, or set return.enabled = false")
        if self.stay.land_on is not None and self.stay.days is not None:
            raise ValueError("stay: give stay.land_on or stay.days, not both")
        if self.return_.enabled and self.vehicle.spacecraft == "progress-ms":
            raise ValueError("return.enabled: a Progress MS does not come home (it burns up after undocking); "
                             "set return.enabled = false")
        if self.crew.names and self.vehicle.spacecraft == "progress-ms":
            raise ValueError("crew.names: a Progress MS is uncrewed; remove the crew or use spacecraft = 'soyuz-ms'")
        self._pad_serves_the_launcher()
        self._port_on_the_day()
        return self

    def _pad_serves_the_launcher(self):
        """vehicle.launcher must be one the pad supports (Soyuz-FG: Site 1/5 only), and a crewed
        flight needs a crew-rated pad: a pad that can never serve the flight, whatever the date
        (the date's own status is judged at liftoff, where a what-if may override it)."""
        from ..launch.sites import load_sites

        sites = load_sites()
        pad = sites.get(self.launch.pad)
        if not pad.supports(self.vehicle.launcher):
            served = [p.id for p in sites.pads if p.supports(self.vehicle.launcher)]
            usable = [v for v in LAUNCHERS if pad.supports(v)]      # the launchers a scenario takes
            other = f", or launcher = {usable[0]!r}" if usable else ""
            raise ValueError(f"vehicle.launcher: pad {self.launch.pad} does not launch '{self.vehicle.launcher}' "
                             f"(it launches {', '.join(pad.vehicles)}); use launch.pad = "
                             f"{' or '.join(repr(p) for p in served)} for it{other}")
        if self.crewed and not pad.crew_rated:
            rated = [p.id for p in sites.pads if p.crew_rated and p.supports(self.vehicle.launcher)]
            raise ValueError(f"launch.pad: pad {self.launch.pad} is not crew-rated and a {self.vehicle.spacecraft} "
                             f"is crewed; crew-rated pads for {self.vehicle.launcher}: {', '.join(rated)}")

    def _port_on_the_day(self):
        """docking.port must exist on the flight's days (launch to launch + 2.5 d, the longest scheme);
        the approach checks it again at the hand-over."""
        import datetime as _dt

        from ..station.catalog import PortNotAvailableError, load_station

        day = str(self.launch.time or self.launch.first_feasible_after).strip().replace("z", "Z")
        t0 = _dt.datetime.fromisoformat(day if "T" in day else day[:10] + "T00:00:00+00:00")
        if t0.tzinfo is None:
            t0 = t0.replace(tzinfo=_dt.timezone.utc)
        st = load_station(self.target.station)
        try:
            st.port_on(self.docking.port, t0, self.vehicle.spacecraft)
        except PortNotAvailableError as exc:
            try:
                st.port_on(self.docking.port, t0 + _dt.timedelta(days=2.5), self.vehicle.spacecraft)
            except PortNotAvailableError:
                from ..traffic.flight_rules import completed_port_refusal   # the free and the occupied ports

                raise ValueError(f"docking.port: {completed_port_refusal(exc, self.vehicle.name)}") from None

    @property
    def crewed(self) -> bool:
        return self.vehicle.spacecraft == "soyuz-ms"


def _where(loc) -> str:
    if not loc:
        return ""
    parts = [str(p) for p in loc if not (isinstance(p, str) and (p.startswith("function-") or p in ("literal_error",)))]
    return ".".join(parts) if parts else "(top level)"


def _message(err: dict) -> str:
    kind, msg, loc = err["type"], err["msg"], err["loc"]
    if kind == "extra_forbidden":
        parent = loc[:-1]
        fields = _fields_of(parent)
        return f"{_where(loc)}: unknown key; allowed here: {', '.join(fields)}"
    if kind == "missing":
        return f"{_where(loc)}: required key is missing"
    msg = re.sub(r"^(Value error|Assertion failed), ", "", msg)
    if kind == "literal_error":
        msg = msg.replace("Input should be", "allowed:")
        return f"{_where(loc)}: {err.get('input')!r} is not allowed; {msg}"
    if kind in _BOUNDS:
        return _bound_message(_where(loc), err)
    if kind == "string_type" and _is_toml_datetime(err.get("input")):
        return (f"{_where(loc)}: {err.get('input')!s} is a TOML date/time, not a string; quote it, "
                'e.g. "2025-11-27T09:27:57.4Z" (UTC)')
    if kind in ("tuple_type", "list_type"):      # TOML's word for it, and an example
        return f"{_where(loc)}: {err.get('input')!r} is not a list; write it as a TOML array, e.g. [\"A\", \"B\"]"
    if kind in _TOML_TYPES:                      # strict: a quoted "yes" or "5" is text, not a switch or a number
        what, how = _TOML_TYPES[kind]
        rng = _range_text(loc)
        return f"{_where(loc)}: {err.get('input')!r} is not {what}" + (f" {rng}" if rng else "") + f"; {how}"
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "name":
        return (f"{_where(loc)}: {err.get('input')!r} cannot name a folder; use letters, digits, '.', '_' and '-', "
                "starting with a letter or a digit")
    where = _where(loc)
    return f"{where}: {msg}" if where else msg


_BOUNDS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}
_TOML_TYPES = {"bool_type": ("true or false", "write it without quotes"),
               "int_type": ("a whole number", "write it without quotes and without a decimal point"),
               "float_type": ("a number", "write it without quotes")}


def _bound_message(where: str, err: dict) -> str:
    """A number out of its range, or not finite (nan passes no bound), said with the field's
    whole range (both bounds when it has two)."""
    import math

    value = err.get("input")
    rng = _range_text(err["loc"]) or " ".join((_BOUNDS[err["type"]], *map(str, (err.get("ctx") or {}).values())))
    what = "is not a finite number" if isinstance(value, float) and not math.isfinite(value) else "is out of range"
    return f"{where}: {value!r} {what}; give a number {rng}"


def _range_text(loc) -> str:
    """The bounds of the scenario field at ``loc`` ("> 0 and <= 60"), or "" if not found."""
    model, info = Scenario, None
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        info = model.model_fields.get(part) or model.model_fields.get(part + "_")
        if info is None:
            return ""
        args = getattr(info.annotation, "__args__", ())
        cand = [a for a in (info.annotation, *args) if isinstance(a, type) and issubclass(a, BaseModel)]
        model = cand[0] if cand else None
    ops = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    parts = [f"{ops[k]} {_bound_text(getattr(m, k))}" for m in (info.metadata if info else ()) for k in ops
             if getattr(m, k, None) is not None]
    return " and ".join(parts)


def _bound_text(v) -> str:
    """A bound as written: a whole number in full (a seed's 2**63 - 1), else to 6 figures."""
    return str(v) if isinstance(v, int) else f"{v:g}"


def _is_toml_datetime(value) -> bool:
    """A bare (unquoted) TOML date, time or date-time, which tomllib reads as a datetime object."""
    import datetime as _dt

    return isinstance(value, (_dt.date, _dt.time))


def _fields_of(loc) -> list:
    model = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        f = model.model_fields.get(part) or model.model_fields.get(part + "_")
        if f is None:
            return []
        ann = f.annotation
        args = getattr(ann, "__args__", ())
        cand = [a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)]
        if not cand:
            return []
        model = cand[0]
    return [(f.alias or n) for n, f in model.model_fields.items()]


def parse_scenario(text: str, source: str = "<string>", *, target_ephemeris: str | None = None,
                   no_return: bool = False) -> Scenario:
    """Validate scenario TOML ``text``; raise :class:`ScenarioError` naming the key and what is allowed.

    ``target_ephemeris``: a station file that replaces the scenario's ``target.ephemeris``
    (``--station-oem``/``--station-tle``, an uploaded station), set before the checks so that the
    launch date is checked against it, not against the embedded ephemeris it replaces.
    ``no_return``: as ``return.enabled = false`` (``run --no-return``), set before the checks so
    that the stay and the landing day are not asked for."""
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))      # a byte-order mark some editors write
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML ({exc}); see `gyrfalcon scenario init` for a template") from None
    if "return_" in data:        # the Python field's name; in a file the table is [return]
        raise ScenarioError(f"{source}: return_: unknown key; the return table is written [return]")
    if target_ephemeris is not None:
        target = data.get("target", {})
        if isinstance(target, dict):
            data["target"] = {**target, "ephemeris": str(target_ephemeris)}
    if no_return:
        ret = data.get("return", {})
        if isinstance(ret, dict):
            data["return"] = {**ret, "enabled": False}
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        errs = exc.errors()
        more = "".join(f"; also {_message(e)}" for e in errs[1:4]) + (
            f" (and {len(errs) - 4} more)" if len(errs) > 4 else "")
        raise ScenarioError(f"{source}: {_message(errs[0])}{more}") from None
    base = Path(source).parent if source not in ("<string>", "") else Path(".")
    for key, value in (("target.ephemeris", sc.target.ephemeris), ("return.ephemeris", sc.return_.ephemeris)):
        if value != EMBEDDED:
            p = Path(value) if Path(value).is_absolute() else base / value
            try:
                is_file, is_dir = p.is_file(), p.is_dir()
            except OSError:                 # e.g. a name longer than the system takes
                is_file = is_dir = False
            if not is_file and is_dir:
                raise ScenarioError(f"{source}: {key}: {value!r} is a folder (looked at {p}); give a file inside it")
            if not is_file:
                raise ScenarioError(f"{source}: {key}: no file {value!r} (looked at {p}); give an OEM/TLE/OMM "
                                    f"path relative to the scenario file, or \"{EMBEDDED}\"")
            from ..errors import OrbitSourceError
            from ..orbits.station_source import sniff

            try:   # cheap: the first 64 kB say whether it is an OEM, an OMM series or TLEs
                sniff(p)
            except OrbitSourceError as exc:
                raise ScenarioError(f"{source}: {key}: {exc}") from None
    _check_dates(sc, source)
    return sc


def _check_dates(sc: Scenario, source: str) -> None:
    """Cheap consistency checks of the dates (no ephemeris is read)."""
    from ..time import parse_utc, seconds_between

    t_launch = parse_utc(sc.launch.time or sc.launch.first_feasible_after)
    if sc.target.ephemeris == EMBEDDED:
        from ..orbits.iss import iss_ephemeris

        eph = iss_ephemeris("GCRF")
        lead_s = 0.0 if sc.launch.time else 86400.0      # a window search may start the day before
        if not (float(seconds_between(eph.start, t_launch)) >= -lead_s
                and float(seconds_between(t_launch, eph.stop)) > 6 * 3600.0):
            from ..time import iso_utc

            key = "launch.time" if sc.launch.time else "launch.first_feasible_after"
            raise ScenarioError(
                f"{source}: {key}: {iso_utc(t_launch, 0)} is outside the embedded ISS ephemeris "
                f"({iso_utc(eph.start, 0)} to {iso_utc(eph.stop, 0)}); give a date inside it, or "
                "target.ephemeris = a NASA OEM / TLE / OMM file that covers the launch")
    if sc.stay.land_on is not None:
        land = parse_utc(sc.stay.land_on + "T00:00:00Z")
        if float(seconds_between(t_launch, land)) < 86400.0:
            raise ScenarioError(f"{source}: stay.land_on: {sc.stay.land_on} is not at least a day after the launch "
                                f"({sc.launch.time or sc.launch.first_feasible_after}); give a later date")
    if sc.return_.enabled and sc.return_.ephemeris == EMBEDDED and sc.target.ephemeris == EMBEDDED:
        _check_return_date(sc, source, t_launch)     # a target file may serve the return: checked with its data


RETURN_EMBEDDED_SPANS = (("2025-11-24", "2025-12-08"), ("2026-07-14", "2026-08-21"))
"""Landing days the embedded station trajectories serve: NASA's 2025-11-24 OEM, and NASA's 2026-07-01
OEM (last two days shipped) propagated forward up to about 5 weeks (see mission.runner)."""


def _check_return_date(sc: Scenario, source: str, t_launch) -> None:
    from ..time import add_seconds, iso_utc

    if sc.stay.land_on is not None:
        day, key = sc.stay.land_on, "stay.land_on"
    else:
        day, key = iso_utc(add_seconds(t_launch, sc.stay.days * 86400.0), 0)[:10], "stay.days"
    if not any(lo <= day <= hi for lo, hi in RETURN_EMBEDDED_SPANS):
        spans = " or ".join(f"{lo} to {hi}" for lo, hi in RETURN_EMBEDDED_SPANS)
        raise ScenarioError(f"{source}: {key}: a landing on {day} needs the station's trajectory that day; the embedded "
                            f"ones serve {spans}; set return.ephemeris to an OEM covering {day}, or change {key}")


def read_scenario_file(path) -> str:
    """The text of the scenario file ``path``; :class:`ScenarioError` in one line if it is missing
    or unreadable."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"no scenario file {str(path)!r}; give a path to a .toml file "
                            "(`gyrfalcon scenario init FILE` writes a template)")
    try:
        return p.read_text(encoding="utf-8-sig")     # without a byte-order mark some editors write
    except UnicodeDecodeError:
        raise ScenarioError(f"scenario {str(path)!r} is not UTF-8 text; give a TOML scenario file "
                            "(`gyrfalcon scenario init FILE` writes a template)") from None
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario {str(path)!r}: {exc.strerror or exc}") from None


def load_scenario(path, *, target_ephemeris: str | None = None, no_return: bool = False) -> Scenario:
    """Read and validate the scenario file ``path`` (``target_ephemeris``, ``no_return``: as in
    :func:`parse_scenario`)."""
    return parse_scenario(read_scenario_file(path), str(Path(path)), target_ephemeris=target_ephemeris,
                          no_return=no_return)


def default_scenario_text() -> str:
    """Text of the packaged default scenario (Soyuz MS-28)."""
    from importlib.resources import files

    return (files("gyrfalcon.mission") / "data" / DEFAULT_SCENARIO_FILE).read_text(encoding="utf-8")


def default_scenario() -> Scenario:
    """The packaged default scenario, Soyuz MS-28, validated."""
    return parse_scenario(default_scenario_text(), f"<embedded {DEFAULT_SCENARIO_FILE}>")


def resolve_path(scenario_source: str, value: str) -> Path:
    """A path from a scenario, relative to the scenario file's directory."""
    p = Path(value)
    if p.is_absolute() or scenario_source.startswith("<"):
        return p
    return Path(scenario_source).parent / p


TEMPLATE = '''\
# Gyrfalcon mission scenario (TOML). Run it with:  gyrfalcon run THIS_FILE
# Every key is optional unless marked REQUIRED; the values shown are the defaults or examples.

name = "my-flight"              # REQUIRED: letters, digits, . _ - ; names the output directory
title = "My flight to the ISS"  # free text for the timeline and the report
seed = 0                        # random seed of the approach simulation: same seed -> same outputs
what_if = false                 # true: fly it even if it breaks a station rule (port taken, more crew
                                # than seats, pad out of service); every output then says what_if

[vehicle]
spacecraft = "soyuz-ms"         # soyuz-ms | progress-ms
launcher = "soyuz-2.1a"         # soyuz-2.1a | soyuz-fg (Soyuz MS-01 to MS-15, 2016-2019, from baikonur-1)
name = "Soyuz MS-28"            # the flight's name in the station manifest: a flight it lists (here Soyuz
                                # MS-28, 27 Nov 2025) flies in its own slot; a new name needs a free port
                                # and pad on its date (all eight ports were taken in late 2025) or what_if

[crew]                          # omit for a Progress (uncrewed)
names = ["Commander", "Flight engineer 1", "Flight engineer 2"]
callsign = ""

[launch]                        # REQUIRED: exactly one of time / first_feasible_after
pad = "baikonur-31"             # baikonur-31 (Site 31/6) | baikonur-1 (Site 1/5, Soyuz-FG) | vostochny-1s |
                                # plesetsk-43-4 | ksc-39a | ccsfs-slc-40 | ccsfs-slc-41 | wallops-0a | tanegashima-y2
first_feasible_after = "2025-11-27"   # the first feasible window at or after this UTC date/time ...
# time = "2025-11-27T09:27:57.4Z"     # ... or a fixed liftoff (UTC; quoted, as every time here)
search_days = 3                 # how far to look for a feasible window [days]

[target]
station = "iss"
ephemeris = "embedded"          # "embedded" (NASA OEM of 2025-11-24, covers 24 Nov - 9 Dec 2025) or a path
                                # (relative to this file) to a NASA OEM, a TLE or an OMM file; a TLE/OMM series
                                # is fitted (state and drag) on its sets dated before the launch, never after

[rendezvous]
scheme = "auto"                 # auto | two-orbit | four-orbit | two-day

[docking]
port = "rassvet-nadir"          # rassvet-nadir | prichal-nadir | poisk-zenith | zvezda-aft | ...

[stay]                          # REQUIRED unless return.enabled = false: when to come home, one of
land_on = "2026-07-26"          # the landing day (UTC) ...
# days = 240                    # ... or the stay length [days] (landing on the first opportunity after)

[return]
enabled = true                  # false: stop after docking (quick runs; a Progress burns up)
zone = "soyuz"                  # soyuz (SE of Zhezkazgan) | arkalyk
mode = "nominal"                # nominal (guided descent) | ballistic (backup)
ephemeris = "embedded"          # station trajectory for the undocking: "embedded" (the flight's own station
                                # if it covers the day; else NASA's July 2026 OEM propagated forward where
                                # it serves the day; else a target.ephemeris file, as `gyrfalcon landing`
                                # reads it: sets dated before the landing day only) or a path

[faults]
countdown = []                  # e.g. ["pad-cabin-not-locked"] (the Soyuz MS-28 pad damage)
kurs_dropout = []               # e.g. [{ start_s = 600, duration_s = 120 }] (seconds after the approach starts)

[output]
oem = true                      # chaser.oem and station.oem (CCSDS OEM, GCRF)
czml = true                     # flight.czml (CesiumJS)
report = true                   # report.html
oem_step_s = 60                 # OEM sample spacing [s], 1-600

# [real]                        # optional, for a real flight: the report's "model vs real" table
# liftoff = "2025-11-27T09:27:57.4Z"   # ISO UTC (or a bare YYYY-MM-DD day); comparison only, never an input
# liftoff_source = "where the figure comes from"
# contact = "..."  contact_source = "..."  landing = "..."  landing_source = "..."
'''


def template_text() -> str:
    """The commented scenario template written by ``gyrfalcon scenario init`` (it validates)."""
    return TEMPLATE
