"""``gyrfalcon propagate``: propagate an orbit from an OEM, a TLE/OMM or a state, optionally to an OEM file."""
from __future__ import annotations

import contextlib
import json
from pathlib import Path

import typer

from .common import console, handle_errors, print_json
from .durations import parse_duration_s

MODELS = ("two-body", "j2", "zonal", "full", "sgp4")
MAX_DURATION_S = 10 * 365.25 * 86400.0
"""Longest propagation the CLI accepts [s] (10 years)."""
FIT_SAMPLE_STEP_S = 60.0
"""Largest step of the trajectory fitted to element sets before it is read at the output times [s]
(Hermite with the velocities over 60 s: far below the fit's ~0.5 km)."""
SAMPLE_BYTES = 2000
"""Memory per output sample of a propagation (states, times, dense output, OEM text) [bytes], generous."""


def _element_sets(path) -> tuple:
    """(element sets, label) of ``--from-tle``: a TLE/3LE file or an OMM JSON/CSV/XML/KVN series,
    read as the station loader reads them (:func:`gyrfalcon.orbits.station_source.sniff`)."""
    from ..errors import InputError
    from ..orbits.station_source import sniff
    from ..orbits.tle import load_omm, load_tles
    from .checks import input_file

    p = input_file(path, "--from-tle")
    kind = sniff(p)
    if kind == "oem":
        raise InputError(f"--from-tle {p} is a CCSDS OEM; give it with --from-oem")
    return (load_omm(p) if kind == "omm" else load_tles(p)), str(p)


def _series_start(sets, label, start):
    """The start of a propagation from element sets: ``start`` or, without one, the last set's
    epoch; refused when every set is dated after it (the sets' span is named)."""
    from ..errors import InputError
    from ..orbits.station_source import check_series
    from ..time import iso_utc, parse_utc, seconds_between

    ordered, _, _ = check_series(sets, None, label)     # sorted, duplicates and bad B* left out
    t = parse_utc(start) if start else ordered[-1].epoch
    first, last = ordered[0].epoch, ordered[-1].epoch
    if float(seconds_between(first, t)) < 0:
        n = len(ordered)
        span = f"its element set is dated {iso_utc(first, 0)}" if n == 1 else \
            f"its {n} element sets are dated {iso_utc(first, 0)} to {iso_utc(last, 0)}"
        raise InputError(f"--from-tle {label}: {span}, all after --start {iso_utc(t, 0)}; only sets dated at or "
                         f"before the start are used: give a --start at or after {iso_utc(first, 0)} or older sets")
    return t


def _latest_set(sets, t, label):
    """The latest set dated at or before ``t`` (SGP4 and the models without drag start from it)
    and the report of the sets used, with the series' warnings (:func:`check_series`: sets after
    ``t`` left out, out of order, duplicates) and one for stale data."""
    from ..orbits.station_source import STALE_DAYS, _stale_text, check_series
    from ..time import iso_utc, seconds_between

    before, warns, _ = check_series(sets, t, label)
    used = before[-1]
    age_d = float(seconds_between(used.epoch, t)) / 86400.0
    if age_d > STALE_DAYS:
        warns.append(_stale_text(label, used.epoch, t, age_d, "element sets dated closer to --start"))
    source = (f"element set of {iso_utc(used.epoch, 0)} from {label} (the latest of {len(before)} usable set(s) "
              f"dated at or before {iso_utc(t, 0)}, of {len(sets)} in the file)")
    report = {"source": source, "kind": "elements", "sets_used_utc": [iso_utc(used.epoch, 0)],
              "span_utc": [iso_utc(before[0].epoch, 0), iso_utc(used.epoch, 0)],
              "data_end_utc": iso_utc(used.epoch, 0), "predicted_from_utc": None, "drag": None, "burns": [],
              "warnings": list(warns)}
    return used, report


def _offsets(dur_s: float, step_s: float):
    """Output sample offsets [s]: every ``step_s`` from 0, and ``dur_s`` last."""
    import numpy as np

    n = int(np.floor(dur_s / step_s))
    return np.append(np.arange(n + 1) * step_s, dur_s) if n * step_s < dur_s - 1e-9 else np.arange(n + 1) * step_s


def _resampled(eph, t0, offsets):
    """``eph`` (GCRF) read at ``t0`` + ``offsets`` [s] (Hermite with the velocities), as an
    Ephemeris starting at ``t0``: the orbit fitted to element sets is propagated from the last
    set's epoch, the output starts at --start."""
    from ..orbits.ephemeris import Ephemeris

    r, v = eph.interpolate(float(eph.seconds_from_epoch(t0)) + offsets)
    return Ephemeris(t0, offsets, r, v, "GCRF", eph.name, meta=dict(eph.meta))


def _durations(duration, step) -> tuple:
    """(--duration, --step) in seconds; a bad one refused naming its option."""
    from ..errors import InputError

    out = []
    for opt, text in (("--duration", duration), ("--step", step)):
        try:
            out.append(parse_duration_s(text))
        except InputError as exc:
            raise InputError(f"{opt} {text}: {exc}") from None
    return tuple(out)


def _from_state(from_state, start):
    """The GCRF State of ``--from-state`` (JSON text or a file holding it)."""
    from ..errors import GyrfalconError, InputError
    from ..orbits.state import State
    from .checks import input_file

    if len(str(from_state)) < 4096 and not str(from_state).lstrip().startswith("{") and Path(from_state).exists():
        input_file(from_state, "--from-state")
    try:
        is_file = len(str(from_state)) < 4096 and Path(from_state).is_file()
    except OSError:
        is_file = False
    text = Path(from_state).read_text(encoding="utf-8", errors="replace") if is_file else from_state
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"--from-state is neither a file nor JSON ({exc.msg} at column {exc.colno}); expected "
            '{"utc": "2025-11-24T12:00:00Z", "frame": "GCRF", "r_m": [x, y, z], "v_mps": [vx, vy, vz]}'
        ) from None
    if not isinstance(data, dict):
        raise InputError('--from-state must be a JSON object: {"utc": ..., "frame": "GCRF", "r_m": [x, y, z], '
                         '"v_mps": [vx, vy, vz]}')
    try:
        state = State.from_dict(data).to("GCRF")
    except GyrfalconError:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InputError(f"--from-state: {type(exc).__name__}: {exc}; expected "
                         '{"utc": "2025-11-24T12:00:00Z", "frame": "GCRF", "r_m": [x, y, z], '
                         '"v_mps": [vx, vy, vz]} in metres and m/s') from None
    if start:
        raise InputError("--start picks an epoch inside an ephemeris; a --from-state already has its epoch")
    return state


def register(app: typer.Typer) -> None:
    @app.command("propagate")
    @handle_errors
    def propagate(
        from_oem: str = typer.Option(None, "--from-oem", help="Start from a CCSDS OEM file (its first state, or --start)."),
        from_tle: str = typer.Option(None, "--from-tle", help="Start from element sets: a TLE/3LE file or an OMM JSON/CSV/XML/KVN series. --model full fits the orbit to the sets dated up to --start; the other models start from the latest set at or before it."),
        from_state: str = typer.Option(None, "--from-state", help='JSON (or a file): {"utc", "frame", "r_m", "v_mps"}.'),
        start: str = typer.Option(None, "--start", help="UTC epoch to start from: inside the OEM (default its first state), or for element sets (default the last set's epoch)."),
        duration: str = typer.Option("24h", "--duration", help="How long, e.g. 24h, 90m, 3d."),
        step: str = typer.Option("60s", "--step", help="Output step, e.g. 60s."),
        model: str = typer.Option("full", "--model", help=f"Force model: {', '.join(MODELS)} (sgp4 needs --from-tle)."),
        oem_out: str = typer.Option(None, "--oem", help="Write the trajectory as a CCSDS OEM (KVN; .xml for XML; .gz to compress); an existing file only with --overwrite."),
        frame: str = typer.Option("GCRF", "--frame", help="Frame of the output (OEM, final state, JSON): GCRF, EME2000, TEME or ITRF (Earth-fixed, IERS 2010 with the Earth-orientation table)."),
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --oem file."),
        json_out: bool = typer.Option(False, "--json", help="Print the final state as JSON."),
    ):
        """Propagate an orbit numerically (heyoka) or with SGP4, and report/write the result.

        From an OEM or element sets the station loader is used (the one every command uses): with
        --model full the drag is estimated from the data before --start (never after); with an
        element-set series the orbit is fitted to the sets dated up to --start (default: the last
        set's epoch), and the other models (and sgp4) start from the latest set at or before it."""
        from .checks import check_output_file
        from .station_opts import print_warnings

        dur_s, step_s = _checked_request(model, from_oem, from_tle, from_state, duration, step)
        frame = _output_frame(frame)
        if oem_out is not None:
            check_output_file(oem_out, overwrite, "--oem", inputs=(from_oem, from_tle))
        _check_size(from_tle, model, dur_s, step_s, duration, step)
        with _reentry_for_the_command_line(hours_from_start=from_state is not None):
            state, eph, report, st, identity = _propagated(from_oem, from_tle, from_state, start, dur_s, step_s,
                                                           model)
        warnings = list(report["warnings"]) if report else []
        print_warnings(warnings)
        out = eph.in_frame(frame)
        final = out.state_at_index(len(out) - 1)
        if oem_out:
            _write_propagated_oem(oem_out, overwrite, out, model, duration, state, identity)
        if json_out:
            print_json(_propagation_json(final, state, model, report, warnings))
            return
        _print_propagation(model, duration, state, out, final, report, st, oem_out)



def _output_frame(frame: str) -> str:
    """The canonical name of --frame, or one line naming the frames the output can be written in."""
    from ..errors import InputError
    from ..orbits.state import FRAMES, canonical_frame

    try:
        return canonical_frame(frame)
    except InputError:
        raise InputError(f"unknown --frame '{frame}'; use one of {', '.join(FRAMES)}") from None


def _propagated(from_oem, from_tle, from_state, start, dur_s, step_s, model) -> tuple:
    """(start state, ephemeris, station report or None, station source or None, the source's
    (OBJECT_NAME, OBJECT_ID)) of the request."""
    if from_oem is not None:
        state, eph, report, st, identity = _start_from_oem(from_oem, start, dur_s, step_s, model)
    elif from_tle is not None:
        state, eph, report, st, identity = _start_from_elements(from_tle, start, dur_s, step_s, model)
    else:
        state, eph, report, st = _start_from_state(from_state, start, model)
        identity = (None, None)
    if eph is None:                # a start state only: propagated here with the model asked for
        from ..orbits.propagator import Propagator

        if state.mass_kg is None:
            state = state.with_mass(1000.0)  # only matters for drag/thrust; no drag in these models
        eph = Propagator(model).propagate(state, dur_s, step_s=step_s, params={})
    return state, eph, report, st, identity


@contextlib.contextmanager
def _reentry_for_the_command_line(hours_from_start: bool):
    """The library's reentry message names its Python argument (``floor_m``); on the command line
    the same stop is told with what works there: a shorter --duration. ``hours_from_start``: the
    propagation starts at the command's start (a --from-state), so the time to the floor is the
    --duration to stay under; from element sets the fit's own epoch comes first, so the instant is given."""
    from ..errors import ReentryError
    from ..time import iso_utc

    try:
        yield
    except ReentryError as exc:
        t_s = getattr(exc, "t_s", None)
        when = f" at {iso_utc(exc.t)}" if getattr(exc, "t", None) is not None else ""
        fix = (f"give a --duration under {t_s / 3600:.3f} h to stop before it" if t_s and hours_from_start
               else "give a --duration that ends before that instant" if t_s else "start from a state above it")
        floor = f" {exc.floor_m / 1e3:g} km" if getattr(exc, "floor_m", None) is not None else ""
        raise ReentryError(
            f"the orbit reaches the{floor} reentry floor{when}, where a propagation stops (the "
            f"command does not fly an entry); {fix}, or check the state's units (metres, m/s)"
        ) from None


def _checked_request(model, from_oem, from_tle, from_state, duration, step) -> tuple:
    """(duration, step) [s] of a request with one start and a known model."""
    from ..errors import InputError

    if model not in MODELS:
        raise InputError(f"unknown model '{model}'; use one of {', '.join(MODELS)}")
    given = [x is not None for x in (from_oem, from_tle, from_state)]
    if sum(given) != 1:
        raise InputError("give exactly one of --from-oem FILE, --from-tle FILE or --from-state JSON")
    if model == "sgp4" and from_tle is None:
        raise InputError("--model sgp4 needs --from-tle (SGP4 propagates mean elements, not a state)")
    return _durations(duration, step)


def _check_size(from_tle, model, dur_s, step_s, duration, step) -> None:
    """Refuse a propagation whose samples would not fit in memory, or longer than the models are for."""
    from ..errors import InputError
    from ..resources import check_memory

    inner_step_s = min(step_s, FIT_SAMPLE_STEP_S) if from_tle is not None and model == "full" else step_s
    n_samples = dur_s / inner_step_s + 2
    check_memory(SAMPLE_BYTES * n_samples, f"{n_samples:.3g} samples ({duration} every {step})",
                 "give a shorter --duration or a larger --step")
    if dur_s > MAX_DURATION_S:
        raise InputError(f"--duration {duration} is beyond {MAX_DURATION_S / 86400 / 365.25:g} years; orbit "
                         "models here are not meant for it (and the ISS would re-enter); give a shorter one")


def _start_from_oem(from_oem, start, dur_s, step_s, model) -> tuple:
    """(start state, ephemeris or None, station report, Station or None, the object's (name, id))
    from an OEM: with the full model, the station loader's hindcast (drag fitted before the start,
    planned burns applied)."""
    from ..orbits.station_source import load_station
    from ..time import add_seconds, iso_utc, parse_utc
    from .checks import load_oem_checked
    from .station_opts import station_report_dict

    oem = load_oem_checked(from_oem, "--from-oem")
    oem_eph = oem.ephemeris("GCRF")
    state = oem_eph.at(parse_utc(start)) if start else oem_eph.state_at_index(0)
    if model == "full":
        # drag estimated from the samples before the start (never NASA's Cd as is), planned burns applied
        st = load_station(oem, predict_from_utc=state.t, until_utc=add_seconds(state.t, dur_s), step_s=step_s)
        report = station_report_dict(st)
        if start is None and st.drag is not None and st.drag.method == "default":
            report["warnings"].append("--from-oem starts at the file's first state, with no samples before it "
                                      "to fit the drag on: give a --start inside the file (half a day in or "
                                      "more) to have the drag estimated")
        return state, st.ephemeris("GCRF"), report, st, _source_identity(oem)
    sc = getattr(oem, "spacecraft", None)
    if sc is not None and sc.mass_kg and state.mass_kg is None:
        state = state.with_mass(sc.mass_kg)
    report = {"source": f"{oem.source}: the file's state at {iso_utc(state.t, 0)}", "kind": "oem",
              "span_utc": [iso_utc(oem_eph.start, 0), iso_utc(oem_eph.stop, 0)],
              "data_end_utc": iso_utc(state.t, 0), "predicted_from_utc": iso_utc(state.t, 0),
              "drag": None, "burns": [], "warnings": [f"{oem.source}: {n}" for n in oem.notes]}
    return state, None, report, None, _source_identity(oem)


def _start_from_elements(from_tle, start, dur_s, step_s, model) -> tuple:
    """(start state, ephemeris or None, station report, Station or None, the object's (name, id))
    from element sets: with the full model, orbit determination on the sets dated up to the start;
    else the latest set."""
    from ..orbits.station_source import load_station
    from ..time import add_seconds
    from .station_opts import station_report_dict

    sets, label = _element_sets(from_tle)
    t0 = _series_start(sets, label, start)
    if model == "full":
        # orbit determination (state and drag) on the sets dated up to the start
        st = load_station(sets, label=label, at_utc=t0, until_utc=add_seconds(t0, dur_s),
                          step_s=min(step_s, FIT_SAMPLE_STEP_S))
        eph = _resampled(st.ephemeris("GCRF"), t0, _offsets(dur_s, step_s))
        return eph.state_at_index(0), eph, station_report_dict(st), st, _source_identity(sets)
    tle, report = _latest_set(sets, t0, label)
    state = tle.state_at(t0).to("GCRF")
    eph = tle.propagate(add_seconds(t0, _offsets(dur_s, step_s))).in_frame("GCRF") if model == "sgp4" else None
    return state, eph, report, None, _source_identity(sets)


def _start_from_state(from_state, start, model) -> tuple:
    from ..errors import InputError

    state = _from_state(from_state, start)
    if model == "full":
        raise InputError("--model full has drag, and a --from-state gives no cross-section area; use --model "
                         "zonal (no drag), or start from an OEM (--from-oem) or element sets (--from-tle) "
                         "whose drag is estimated from the data")
    return state, None, None, None


def _write_propagated_oem(oem_out, overwrite, eph, model, duration, state, identity=(None, None)) -> None:
    """The propagated OEM, named as its source names the object (``identity``: OBJECT_NAME and
    OBJECT_ID of the source OEM, or the element sets' name and COSPAR designator)."""
    from ..io.oem import write_oem
    from ..mission.outdir import atomic_path
    from ..time import iso_utc
    from .checks import check_output_file

    name, object_id = identity
    check_output_file(oem_out, overwrite, "--oem")     # again: it may have appeared meanwhile
    with atomic_path(oem_out) as tmp:
        write_oem(tmp, eph, object_name=name or (eph.name if eph.name != "object" else "OBJECT"),
                  object_id=object_id,
                  comments=[f"gyrfalcon propagate --model {model}, {duration} from {iso_utc(state.t)}"])


def _source_identity(source) -> tuple:
    """(OBJECT_NAME, OBJECT_ID) of the object a loaded source describes, each None where it does not
    say: an OEM's first segment, or the last of element sets (name, COSPAR designator)."""
    segments = getattr(source, "segments", None)
    if segments:
        return segments[0].object_name, segments[0].object_id
    last = max(source, key=lambda s: float(s.satrec.jdsatepoch + s.satrec.jdsatepochF))
    return last.name, last.international_designator


def _propagation_json(final, state, model, report, warnings) -> dict:
    from ..time import iso_utc

    d = final.to_dict()
    out = {"utc": d["utc"], "frame": final.frame, "r_m": d["r_m"], "v_mps": d["v_mps"], "model": model,
           "start_utc": iso_utc(state.t)}
    if report is not None:
        out |= {"drag": report["drag"], "station": report}
    out["warnings"] = warnings
    return out


def _print_propagation(model, duration, state, eph, final, report, st, oem_out) -> None:
    import numpy as np

    from ..time import iso_utc
    from .checks import esc
    from .station_opts import station_report_line

    el = final.to("GCRF").elements()          # the elements of the inertial state, whatever --frame
    c = console()
    c.print(f"[bold]{esc(model)}[/] propagation from {iso_utc(state.t)} for {esc(duration)} ({len(eph)} samples)", markup=True)
    if report is not None:
        line = station_report_line(st) if st is not None else f"station: {report['source']}"
        c.print(line, markup=False, highlight=False, soft_wrap=True)
    c.print(f"final state {iso_utc(final.t)} {final.frame}: r = {np.round(final.r_m / 1000, 3)} km, "
            f"v = {np.round(final.v_mps, 3)} m/s")
    c.print(f"perigee x apogee {el.perigee_altitude_m / 1000:.1f} x {el.apogee_altitude_m / 1000:.1f} km, "
            f"period {el.period_s / 60:.2f} min")
    if oem_out:
        c.print(f"wrote {oem_out}", markup=False, highlight=False)
