"""``gyrfalcon propagate``: propagate an orbit from an OEM, a TLE/OMM or a state, optionally to an OEM file."""
from __future__ import annotations

import json
from pathlib import Path

import typer

from .common import console, handle_errors, print_json
from .durations import parse_duration_s

MODELS = ("two-body", "j2", "zonal", "full", "sgp4")


def _initial(from_oem, from_tle, from_state, start):
    """(State in GCRF, propagation params, TLE or None) from exactly one source."""
    from ..errors import InputError
    from ..orbits.state import State
    from ..time import parse_utc

    given = [x is not None for x in (from_oem, from_tle, from_state)]
    if sum(given) != 1:
        raise InputError("give exactly one of --from-oem FILE, --from-tle FILE or --from-state JSON")
    params, tle = {}, None
    if from_oem is not None:
        from ..io.oem import load_oem

        oem = load_oem(from_oem)
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

        tle = load_tles(from_tle)[0]
        state = tle.state_at(parse_utc(start) if start else tle.epoch).to("GCRF")
    else:
        text = Path(from_state).read_text() if Path(from_state).is_file() else from_state
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"--from-state is neither a file nor JSON ({exc.msg} at column {exc.colno}); expected "
                '{"utc": "2025-11-24T12:00:00Z", "frame": "GCRF", "r_m": [x, y, z], "v_mps": [vx, vy, vz]}'
            ) from None
        state = State.from_dict(data).to("GCRF")
        if start:
            raise InputError("--start picks an epoch inside an ephemeris; a --from-state already has its epoch")
    if state.mass_kg is None:
        state = state.with_mass(1000.0)  # only matters for drag/thrust; params carry area and Cd
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
        oem_out: str = typer.Option(None, "--oem", help="Write the trajectory as a CCSDS OEM (KVN; .xml for XML; .gz to compress)."),
        json_out: bool = typer.Option(False, "--json", help="Print the final state as JSON."),
    ):
        """Propagate an orbit numerically (heyoka) or with SGP4, and report/write the result."""
        import numpy as np

        from ..errors import InputError
        from ..time import add_seconds, iso_utc

        if model not in MODELS:
            raise InputError(f"unknown model '{model}'; use one of {', '.join(MODELS)}")
        station_note = None
        state, params, tle = _initial(from_oem, from_tle, from_state, start)
        dur_s, step_s = parse_duration_s(duration), parse_duration_s(step)
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

            write_oem(oem_out, eph, object_name=eph.name if eph.name != "object" else "OBJECT",
                      comments=[f"gyrfalcon propagate --model {model}, {duration} from {iso_utc(state.t)}"])
        if json_out:
            d = final.to_dict()
            print_json({"utc": d["utc"], "frame": "GCRF", "r_m": d["r_m"], "v_mps": d["v_mps"]})
            return
        el = final.elements()
        c = console()
        c.print(f"[bold]{model}[/] propagation from {iso_utc(state.t)} for {duration} ({len(eph)} samples)")
        if station_note:
            c.print(station_note, markup=False, highlight=False)
        c.print(f"final state {iso_utc(final.t)} GCRF: r = {np.round(final.r_m / 1000, 3)} km, "
                f"v = {np.round(final.v_mps, 3)} m/s")
        c.print(f"perigee x apogee {el.perigee_altitude_m / 1000:.1f} x {el.apogee_altitude_m / 1000:.1f} km, "
                f"period {el.period_s / 60:.2f} min")
        if oem_out:
            c.print(f"wrote {oem_out}")
