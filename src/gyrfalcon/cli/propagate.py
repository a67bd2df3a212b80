"""``gyrfalcon propagate``: propagate an orbit from an OEM, a TLE/OMM or a state, optionally to an OEM file."""
from __future__ import annotations

import json
from pathlib import Path

import typer

from .common import console, handle_errors, print_json
from .durations import parse_duration_s

MODELS = ("two-body", "j2", "zonal", "full", "sgp4")
BSTAR_RHO0_KG_M2_PER_ER = 0.15696615
"""SGP4's reference density times the Earth radius, rho0 = 2.461e-8 kg/m^3 x 6378.135 km [kg/m^2 per Earth
radius]: B* = rho0 / 2 * Cd A / m, i.e. Cd A / m [m^2/kg] = 12.741621 B* [1/ER] (Hoots & Roehrich,
Spacetrack Report No. 3, 1980; Vallado, Fundamentals of Astrodynamics, 4th ed., sec. 9.7). B* is a fit
to SGP4's own density law, so the area is an estimate: the propagation with NRLMSISE-00 differs from SGP4."""
TLE_DRAG_CD = 2.2
"""Drag coefficient assumed when the area is inferred from a TLE's B* (only Cd*A/m is known)."""
MAX_DURATION_S = 10 * 365.25 * 86400.0
"""Longest propagation the CLI accepts [s] (10 years)."""
SAMPLE_BYTES = 2000
"""Memory per output sample of a propagation (states, times, dense output, OEM text) [bytes], generous."""


def tle_drag_params(tle, mass_kg: float) -> dict:
    """Drag area and Cd for ``mass_kg`` from a TLE's B* (Cd A / m = 2 B* / rho0); {} when B* <= 0.

    >>> class T: bstar_per_earth_radii = 3.0e-4
    >>> p = tle_drag_params(T(), 1000.0); round(p["drag_area_m2"], 3), p["drag_cd"]
    (1.737, 2.2)
    """
    bstar = float(getattr(tle, "bstar_per_earth_radii", 0.0) or 0.0)
    if not bstar > 0:
        return {}
    cda_over_m = 2.0 * bstar / BSTAR_RHO0_KG_M2_PER_ER    # [m^2/kg]
    return {"drag_area_m2": cda_over_m * mass_kg / TLE_DRAG_CD, "drag_cd": TLE_DRAG_CD}


def _initial(from_oem, from_tle, from_state, start):
    """(State in GCRF, propagation params, TLE or None) from exactly one source."""
    from ..errors import GyrfalconError, InputError
    from ..orbits.state import State
    from ..time import parse_utc

    given = [x is not None for x in (from_oem, from_tle, from_state)]
    if sum(given) != 1:
        raise InputError("give exactly one of --from-oem FILE, --from-tle FILE or --from-state JSON")
    params, tle = {}, None
    from .checks import input_file

    if from_oem is not None:
        from ..io.oem import load_oem

        oem = load_oem(input_file(from_oem, "--from-oem"))
        eph = oem.ephemeris("GCRF")
        state = eph.at(parse_utc(start)) if start else eph.state_at_index(0)
        sc = getattr(oem, "spacecraft", None)
        if sc is not None:
            if sc.drag_area_m2:
                params["drag_area_m2"] = sc.drag_area_m2
            if sc.drag_coeff:
                params["drag_cd"] = sc.drag_coeff
            if sc.mass_kg and state.mass_kg is None:
                state = state.with_mass(sc.mass_kg)
    elif from_tle is not None:
        from ..orbits.tle import load_tles

        tles = load_tles(input_file(from_tle, "--from-tle"))
        if not tles:
            raise InputError(f"--from-tle {from_tle}: no TLE in the file; give a file with a two- or three-line TLE")
        tle = tles[0]
        state = tle.state_at(parse_utc(start) if start else tle.epoch).to("GCRF")
    else:
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
    if state.mass_kg is None:
        state = state.with_mass(1000.0)  # only matters for drag/thrust; params carry area and Cd
    if tle is not None and "drag_area_m2" not in params:
        params.update(tle_drag_params(tle, float(state.mass_kg)))
    return state, params, tle


def register(app: typer.Typer) -> None:
    @app.command("propagate")
    @handle_errors
    def propagate(
        from_oem: str = typer.Option(None, "--from-oem", help="Start from a CCSDS OEM file (its first state, or --start)."),
        from_tle: str = typer.Option(None, "--from-tle", help="Start from the first TLE in a file."),
        from_state: str = typer.Option(None, "--from-state", help='JSON (or a file): {"utc", "frame", "r_m", "v_mps"}.'),
        start: str = typer.Option(None, "--start", help="UTC epoch inside the ephemeris/TLE to start from."),
        duration: str = typer.Option("24h", "--duration", help="How long, e.g. 24h, 90m, 3d."),
        step: str = typer.Option("60s", "--step", help="Output step, e.g. 60s."),
        model: str = typer.Option("full", "--model", help=f"Force model: {', '.join(MODELS)} (sgp4 needs --from-tle)."),
        oem_out: str = typer.Option(None, "--oem", help="Write the trajectory as a CCSDS OEM (KVN; .xml for XML; .gz to compress); an existing file only with --overwrite."),
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --oem file."),
        json_out: bool = typer.Option(False, "--json", help="Print the final state as JSON."),
    ):
        """Propagate an orbit numerically (heyoka) or with SGP4, and report/write the result."""
        import numpy as np

        from ..errors import InputError
        from ..time import add_seconds, iso_utc

        from .checks import check_memory, check_output_file, esc

        if model not in MODELS:
            raise InputError(f"unknown model '{model}'; use one of {', '.join(MODELS)}")
        station_note = None
        dur_s, step_s = parse_duration_s(duration), parse_duration_s(step)
        if oem_out:
            check_output_file(oem_out, overwrite, "--oem")
        n_samples = dur_s / step_s + 2
        check_memory(SAMPLE_BYTES * n_samples, f"{n_samples:.3g} samples ({duration} every {step})",
                     "give a shorter --duration or a larger --step")
        if dur_s > MAX_DURATION_S:
            raise InputError(f"--duration {duration} is beyond {MAX_DURATION_S / 86400 / 365.25:g} years; orbit "
                             "models here are not meant for it (and the ISS would re-enter); give a shorter one")
        state, params, tle = _initial(from_oem, from_tle, from_state, start)
        if model != "sgp4" and model == "full" and "drag_area_m2" not in params:
            raise InputError("--model full has drag but the source gives no cross-section area (no DRAG_AREA in the "
                             "OEM, no B* > 0 in the TLE, or a --from-state); use --model zonal (no drag) or an "
                             "OEM with COMMENT DRAG_AREA/DRAG_COEFF")
        if model == "sgp4":
            if tle is None:
                raise InputError("--model sgp4 needs --from-tle (SGP4 propagates mean elements, not a state)")
            n = int(np.floor(dur_s / step_s))
            offsets = np.append(np.arange(n + 1) * step_s, dur_s) if n * step_s < dur_s else np.arange(n + 1) * step_s
            eph_teme = tle.propagate(add_seconds(state.t, offsets))
            from ..io.oem import convert_samples

            r, v = convert_samples(eph_teme.epoch, eph_teme.t_s, eph_teme.r_m, eph_teme.v_mps, "TEME", "GCRF")
            from ..orbits.ephemeris import Ephemeris

            eph = Ephemeris(eph_teme.epoch, eph_teme.t_s, r, v, "GCRF", eph_teme.name)
        elif model == "full" and (from_oem is not None or from_tle is not None):
            # drag estimated from the data before the start (never NASA's Cd as is), planned burns applied
            from ..orbits.station_source import load_station
            from .station_opts import print_warnings

            end = add_seconds(state.t, dur_s)
            if from_oem is not None:
                st = load_station(from_oem, predict_from_utc=state.t, until_utc=end, step_s=step_s)
            else:
                st = load_station(from_tle, at_utc=state.t, until_utc=end, step_s=step_s)
            print_warnings(st.warnings)
            eph = st.ephemeris("GCRF")
            if from_tle is not None:
                eph = eph.slice(state.t, end, 0)
            station_note = st.describe()
        else:
            from ..orbits.propagator import Propagator

            eph = Propagator(model).propagate(state, dur_s, step_s=step_s, params=params)
        final = eph.state_at_index(len(eph) - 1)
        if oem_out:
            from ..io.oem import write_oem
            from ..mission.outdir import atomic_path

            check_output_file(oem_out, overwrite, "--oem")     # again: it may have appeared meanwhile
            with atomic_path(oem_out) as tmp:
                write_oem(tmp, eph, object_name=eph.name if eph.name != "object" else "OBJECT",
                          comments=[f"gyrfalcon propagate --model {model}, {duration} from {iso_utc(state.t)}"])
        if json_out:
            d = final.to_dict()
            print_json({"utc": d["utc"], "frame": "GCRF", "r_m": d["r_m"], "v_mps": d["v_mps"]})
            return
        el = final.elements()
        c = console()
        c.print(f"[bold]{esc(model)}[/] propagation from {iso_utc(state.t)} for {esc(duration)} ({len(eph)} samples)", markup=True)
        if station_note:
            c.print(station_note, markup=False, highlight=False)
        c.print(f"final state {iso_utc(final.t)} GCRF: r = {np.round(final.r_m / 1000, 3)} km, "
                f"v = {np.round(final.v_mps, 3)} m/s")
        c.print(f"perigee x apogee {el.perigee_altitude_m / 1000:.1f} x {el.apogee_altitude_m / 1000:.1f} km, "
                f"period {el.period_s / 60:.2f} min")
        if oem_out:
            c.print(f"wrote {oem_out}", markup=False, highlight=False)
