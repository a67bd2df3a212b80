"""``gyrfalcon windows``: launch opportunities from a pad to a station over a date range."""
from __future__ import annotations

import math

import typer

from .checks import esc
from .common import console, handle_errors, print_json


def _load_elements(path: str, start):
    """TLE or OMM file -> the element set whose epoch is closest to ``start`` (latest before it first)."""
    from ..errors import OrbitSourceError
    from ..orbits.tle import load_omm, load_tles
    from ..time import seconds_between

    try:
        sets = load_tles(path)
    except OrbitSourceError as tle_exc:
        try:
            sets = load_omm(path)
        except OrbitSourceError as omm_exc:
            raise OrbitSourceError(
                f"{path} is neither a TLE file ({tle_exc}) nor an OMM file ({omm_exc}); give a "
                "two/three-line TLE file or a CCSDS OMM (JSON, XML or KVN)") from None
    if not sets:
        raise OrbitSourceError(f"{path} holds no element set; give a file with at least one TLE or OMM")
    ages = [float(seconds_between(s.epoch, start)) for s in sets]
    before = [(a, s) for a, s in zip(ages, sets) if a >= 0]
    if before:
        return min(before, key=lambda x: x[0])[1]
    return min(zip(ages, sets), key=lambda x: abs(x[0]))[1]


def register(app: typer.Typer) -> None:
    @app.command("windows")
    @handle_errors
    def windows(
        station_oem: str = typer.Option(None, "--station-oem", help="Station ephemeris (CCSDS OEM). Default: the packaged NASA ISS file of 2025-11-24."),
        station_tle: str = typer.Option(None, "--station-tle", help="Station TLE or OMM file (SGP4); the element set nearest --from is used."),
        pad: str = typer.Option(None, "--pad", show_default=False, help="Launch pad id (default baikonur-31)."),
        site: str = typer.Option(None, "--site", hidden=True, help="Old name of --pad."),
        start: str = typer.Option("2025-11-26", "--from", help="First day (UTC, ISO 8601)."),
        days: float = typer.Option(3.0, "--days", min=0.001, max=366, help="Number of days to search [days]."),
        scheme: str = typer.Option("two-orbit", "--scheme", help="Rendezvous scheme: two-orbit, four-orbit or two-day."),
        vehicle: str = typer.Option(None, "--vehicle", show_default=False, help="soyuz-ms (crewed, the default) or progress-ms (cargo): sets the ascent's plane lead."),
        spacecraft: str = typer.Option(None, "--spacecraft", hidden=True, help="Old name of --vehicle."),
        json_out: bool = typer.Option(False, "--json", help="Print the windows as a JSON list."),
    ):
        """List launch windows: in-plane time, launch time, azimuth, phase at insertion, feasibility."""
        from ..errors import InputError
        from ..launch.windows import find_feasible_windows, find_windows, get_scheme
        from ..time import iso_utc, parse_utc

        from .checks import input_file, pick_alias

        site = pick_alias(pad, site, "--pad", "--site", "baikonur-31")
        spacecraft = pick_alias(vehicle, spacecraft, "--vehicle", "--spacecraft", "soyuz-ms")
        if station_oem and station_tle:
            raise InputError("give either --station-oem or --station-tle, not both")
        sch = get_scheme(scheme)
        t0 = parse_utc(start)
        if station_tle:
            target = _load_elements(str(input_file(station_tle, "--station-tle")), t0)
            source = f"SGP4 from {station_tle}"
        elif station_oem:
            from ..io.oem import load_oem

            target = load_oem(input_file(station_oem, "--station-oem")).ephemeris("GCRF")
            source = station_oem
        else:
            from ..orbits.iss import iss_default_path, iss_ephemeris

            target = iss_ephemeris("GCRF")
            source = f"packaged {iss_default_path().name}"
        wins = find_windows(target, site, sch, t0, days, spacecraft=spacecraft)
        if not any(w.feasible for w in wins):   # raises NoFeasibleWindowError naming the next one
            find_feasible_windows(target, site, sch, t0, days, spacecraft=spacecraft)
        if json_out:
            print_json([w.to_dict() for w in wins])
            return
        from rich.table import Table
        from rich.text import Text

        c = console()
        c.print(f"[bold]{esc(sch.title)}[/] windows from {esc(site)}, {iso_utc(t0, 0)[:10]} + {days:g} d  ({esc(source)})",
                markup=True)
        t = Table(show_header=True, header_style="bold")
        for col, just in (("launch UTC", "left"), ("in-plane UTC", "left"), ("az deg", "right"),
                          ("phase deg", "right"), ("ok", "center"), ("note", "left")):
            t.add_column(col, justify=just, no_wrap=col != "note")
        for w in wins:
            note = "in window" if w.feasible else ("phase" if "outside" in w.reason else "")
            if "; pad " in w.reason:
                note = (note + ", " if note else "") + "pad " + w.reason.split("; pad ", 1)[1].split(" (")[0].split(" ", 1)[1]
            t.add_row(iso_utc(w.launch_utc, 1)[:-1].replace("T", " "), iso_utc(w.inplane_utc, 1)[11:-1],
                      f"{math.degrees(w.azimuth_rad):.2f}",
                      f"{math.degrees(w.phase_at_insertion_rad):.1f}",
                      Text("yes", style="green") if w.feasible else Text("no", style="red"), note)
        c.print(t)
        c.print(f"phase = station ahead of the spacecraft at insertion; window {math.degrees(sch.phase_min_rad):.0f}-"
                f"{math.degrees(sch.phase_max_rad):.0f} deg. --json for the reasons and more fields.")
