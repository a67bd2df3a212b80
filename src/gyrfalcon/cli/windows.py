"""``gyrfalcon windows``: launch opportunities from a pad to a station over a date range."""
from __future__ import annotations

import math

import typer

from .common import console, handle_errors, print_json


def register(app: typer.Typer) -> None:
    @app.command("windows")
    @handle_errors
    def windows(
        station_oem: str = typer.Option(None, "--station-oem", help="Station ephemeris (CCSDS OEM). Default: the packaged NASA ISS file of 2025-11-24."),
        station_tle: str = typer.Option(None, "--station-tle", help="Station TLE or OMM file (SGP4); the element set nearest --from is used."),
        site: str = typer.Option("baikonur-31", "--site", help="Launch pad id (e.g. baikonur-31)."),
        start: str = typer.Option("2025-11-26", "--from", help="First day (UTC, ISO 8601)."),
        days: float = typer.Option(3.0, "--days", help="Number of days to search."),
        scheme: str = typer.Option("two-orbit", "--scheme", help="Rendezvous scheme: two-orbit, four-orbit or two-day."),
        spacecraft: str = typer.Option("soyuz-ms", "--spacecraft", help="soyuz-ms (crewed) or progress-ms (cargo): sets the ascent's plane lead."),
        json_out: bool = typer.Option(False, "--json", help="Print the windows as a JSON list."),
    ):
        """List launch windows: in-plane time, launch time, azimuth, phase at insertion, feasibility."""
        from ..api import find_windows
        from ..errors import InputError
        from ..launch.windows import find_feasible_windows, get_scheme
        from ..time import iso_utc, parse_utc

        if station_oem and station_tle:
            raise InputError("give either --station-oem or --station-tle, not both")
        sch = get_scheme(scheme)
        t0 = parse_utc(start)
        if station_tle:
            source = f"SGP4 from {station_tle}"
        elif station_oem:
            source = station_oem
        else:
            from ..orbits.iss import iss_default_path

            source = f"packaged {iss_default_path().name}"
        target = station_tle or station_oem
        wins = find_windows(target, site, start=t0, days=days, scheme=sch.name, spacecraft=spacecraft)
        if not any(w.feasible for w in wins):   # raises NoFeasibleWindowError naming the next one
            from ..api import _window_target

            find_feasible_windows(_window_target(target, t0), site, sch, t0, days, spacecraft=spacecraft)
        if json_out:
            print_json([w.to_dict() for w in wins])
            return
        from rich.table import Table

        c = console()
        c.print(f"[bold]{sch.title}[/] windows from {site}, {iso_utc(t0, 0)[:10]} + {days:g} d  ({source})")
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
                      "[green]yes[/]" if w.feasible else "[red]no[/]", note)
        c.print(t)
        c.print(f"phase = station ahead of the spacecraft at insertion; window {math.degrees(sch.phase_min_rad):.0f}-"
                f"{math.degrees(sch.phase_max_rad):.0f} deg. --json for the reasons and more fields.")
