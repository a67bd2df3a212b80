"""The station options shared by every command (``--station-oem`` / ``--station-tle``).

Every command gets its station from :func:`gyrfalcon.orbits.station_source.load_station`
through :func:`station_from_options`; the warnings it returns are printed on stderr (yellow),
one line each. What a command reports about its station (source, drag scale +- sigma, fit rms
and arc, burns, warnings) comes from :func:`station_report_line` (text) and
:func:`station_report_dict` (``--json``: the ``"station"`` object).
"""
from __future__ import annotations

OEM_HELP = "Station ephemeris (CCSDS OEM). Default: the packaged NASA ISS file of 2025-11-24."
TLE_HELP = ("Station element sets: a TLE file or an OMM JSON/CSV/XML series. The orbit is fitted (state and drag) "
            "to the sets dated before the flight, never after, and propagated.")


def station_from_options(station_oem, station_tle, at_utc=None, until_utc=None):
    """The :class:`~gyrfalcon.orbits.station_source.Station` for ``--station-oem``/``--station-tle``
    (neither: the packaged ISS OEM); warnings printed on stderr."""
    from ..errors import InputError
    from ..orbits.station_source import load_station

    if station_oem and station_tle:
        raise InputError("give either --station-oem or --station-tle, not both")
    src = station_oem or station_tle
    if station_tle:
        from ..orbits.station_source import sniff

        if sniff(station_tle) == "oem":
            raise InputError(f"--station-tle {station_tle} is an OEM; give it with --station-oem")
    if station_oem:
        from .checks import load_oem_checked

        src = load_oem_checked(station_oem, "--station-oem")     # refused in CLI words (objects, mass)
    st = load_station(src, at_utc=at_utc, until_utc=until_utc if station_tle else None)
    print_warnings(st.warnings)
    return st


def print_warnings(warnings) -> None:
    """Each warning as one yellow line on stderr (held back by the command until it ends without
    an input error: see :func:`gyrfalcon.cli.common.warn`)."""
    from .common import warn

    for w in warnings or ():
        warn(w)


def station_report_dict(station) -> dict:
    """What a command reports about its station (``--json``: the ``"station"`` object): the
    source, the span, the latest data used, where our own propagation starts, the drag estimate
    (density scale +- 1 sigma, fit rms [m] over the arc [s] before ``fit_end_utc``, method
    ``fit``/``default``; None when NASA's samples are used as they are), the planned burns
    applied and the loader's warnings. ``station``: a
    :class:`~gyrfalcon.orbits.station_source.Station`."""
    drag = station.drag
    d = None
    if drag is not None:
        d = {"method": drag.method, "drag_scale": round(float(drag.drag_scale), 4),
             "sigma": None if drag.sigma is None else round(float(drag.sigma), 4),
             "rms_m": None if drag.rms_m is None else round(float(drag.rms_m), 1),
             "arc_s": round(float(drag.span_s), 1), "n_points": int(drag.n_points), "fit_end_utc": drag.fit_end_utc,
             "state_fitted": bool(drag.state_fitted), "cd": drag.cd, "area_m2": drag.area_m2,
             "mass_kg": drag.mass_kg, "ballistic_coefficient_m2_kg": drag.ballistic_coefficient_m2_kg}
    return {"source": station.source, "kind": station.kind, "span_utc": list(station.span),
            "data_end_utc": station.data_end_utc, "predicted_from_utc": station.predicted_from_utc, "drag": d,
            "burns": [{"name": n, "utc": u, "dv_mps": dv} for n, u, dv in station.burns],
            "warnings": list(station.warnings)}


def station_report_line(station) -> str:
    """One line (no markup) for text output: the station source and, when we propagated, from
    when, the drag scale +- sigma, the fit rms and its arc (or the default scale), and the
    planned burns applied."""
    s = f"station: {station.source}"
    drag = station.drag
    if station.predicted_from_utc:
        s += f"; propagated from {station.predicted_from_utc}"
    if drag is None:
        return s + ("; the file's samples used as they are" if station.kind in ("oem", "embedded") else "")
    if drag.method == "default":
        s += f"; drag scale {drag.drag_scale:.3f} (default: no usable history before {drag.fit_end_utc})"
    else:
        sig = "" if drag.sigma is None else f" +- {drag.sigma:.3f}"
        rms = "?" if drag.rms_m is None else f"{drag.rms_m:.0f}"
        s += (f"; drag scale {drag.drag_scale:.3f}{sig} fitted over {drag.span_s / 3600:.1f} h before "
              f"{drag.fit_end_utc} (rms {rms} m, {drag.n_points} points)")
    if station.burns:
        s += "; planned burns applied: " + ", ".join(f"{n} {u[:16]} {dv:.1f} m/s" for n, u, dv in station.burns)
    return s


def station_path(station_oem, station_tle):
    """The absolute path given by ``--station-oem``/``--station-tle`` (or None), checked to exist
    (an OEM also read and checked: :func:`gyrfalcon.cli.checks.load_oem_checked`)."""
    from pathlib import Path

    from ..errors import InputError

    if station_oem and station_tle:
        raise InputError("give either --station-oem or --station-tle, not both")
    src = station_oem or station_tle
    if src is None:
        return None
    p = Path(src)
    if not p.is_file():
        opt = "--station-oem" if station_oem else "--station-tle"
        raise InputError(f"{opt}: no file {src!r}; give a NASA OEM (--station-oem) or a TLE/OMM series (--station-tle)")
    if station_oem:
        from .checks import load_oem_checked

        load_oem_checked(p, "--station-oem")    # several objects, a bad MASS: refused here in CLI words
    return str(p.resolve())


def scenario_text_with_station(text: str, path: str) -> str:
    """Scenario TOML ``text`` with ``target.ephemeris`` set to ``path`` (for commands that pass the
    text on, e.g. ``montecarlo``)."""
    import re
    import tomllib

    data = tomllib.loads(text)
    line = f"ephemeris = {path!r}".replace("'", '"') if "'" not in path else f'ephemeris = """{path}"""'
    if "target" not in data:
        return f"target.{line}\n" + text
    lines = text.splitlines()
    out, in_target, done = [], False, False
    for ln in lines:
        head = re.match(r"^\s*\[([^\]]+)\]\s*(#.*)?$", ln)
        if head:
            if in_target and not done:
                out.append(line)
                done = True
            in_target = head.group(1).strip() == "target"
            out.append(ln)
            continue
        if in_target and re.match(r"^\s*ephemeris\s*=", ln):
            out.append(line)
            done = True
            continue
        out.append(ln)
    if in_target and not done:
        out.append(line)
    return "\n".join(out) + "\n"
