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
        station_tle: str = typer.Option(None, "--station-tle", help="Station TLE file or OMM JSON/CSV/XML series: orbit fitted to the sets dated before --from (never after)."),
        site: str = typer.Option("baikonur-31", "--site", help="Launch pad id (e.g. baikonur-31)."),
        start: str = typer.Option("2025-11-26", "--from", help="First day (UTC, ISO 8601)."),
        days: float = typer.Option(3.0, "--days", help="Number of days to search."),
        scheme: str = typer.Option("two-orbit", "--scheme", help="Rendezvous scheme: two-orbit, four-orbit or two-day."),
        spacecraft: str = typer.Option("soyuz-ms", "--spacecraft", help="soyuz-ms (crewed) or progress-ms (cargo): sets the ascent's plane lead."),
        json_out: bool = typer.Option(False, "--json", help="Print the windows as a JSON list."),
    ):
        """List launch windows: in-plane time, launch time, azimuth, phase at insertion, feasibility."""
        from ..launch.windows import find_feasible_windows, find_windows, get_scheme
        from ..time import iso_utc, parse_utc

        sch = get_scheme(scheme)
        t0 = parse_utc(start)
        from ..time import add_seconds
        from .station_opts import station_from_options

        st = station_from_options(station_oem, station_tle, t0, add_seconds(t0, (float(days) + 1.0) * 86400.0))
        target, source = st.ephemeris("GCRF"), st.source
        wins = find_windows(target, site, sch, t0, days, spacecraft=spacecraft)
        if not any(w.feasible for w in wins):   # raises NoFeasibleWindowError naming the next one
            find_feasible_windows(target, site, sch, t0, days, spacecraft=spacecraft)
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
