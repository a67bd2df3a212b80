"""``gyrfalcon windows``: launch opportunities from a pad to a station over a date range."""
from __future__ import annotations

import math

import typer

from .checks import esc
from .common import console, handle_errors, print_json


def register(app: typer.Typer) -> None:
    @app.command("windows")
    @handle_errors
    def windows(
        station_oem: str = typer.Option(None, "--station-oem", help="Station ephemeris (CCSDS OEM). Default: the packaged NASA ISS file of 2025-11-24."),
        station_tle: str = typer.Option(None, "--station-tle", help="Station TLE file (or CSV of TLE lines) or OMM JSON/CSV/XML series: orbit fitted to the sets dated before --from (never after)."),
        pad: str = typer.Option(None, "--pad", show_default=False, help="Launch pad id (default baikonur-31)."),
        site: str = typer.Option(None, "--site", hidden=True, help="Old name of --pad."),
        start: str = typer.Option("2025-11-26", "--from", help="First day (UTC, ISO 8601)."),
        days: float = typer.Option(3.0, "--days", help="Number of days to search [days], 0.001 to 366."),
        scheme: str = typer.Option("two-orbit", "--scheme", help="Rendezvous scheme: two-orbit, four-orbit or two-day."),
        vehicle: str = typer.Option(None, "--vehicle", show_default=False, help="soyuz-ms (crewed, the default) or progress-ms (cargo): sets the ascent's plane lead."),
        spacecraft: str = typer.Option(None, "--spacecraft", hidden=True, help="Old name of --vehicle."),
        json_out: bool = typer.Option(False, "--json", help="Print the windows as a JSON list."),
        what_if: bool = typer.Option(False, "--what-if", help="Treat the pad as in service even where the site "
                                     "catalogue records it out of service; every window then says what_if."),
    ):
        """List launch windows: in-plane time, launch time, azimuth, phase at insertion, feasibility."""
        from ..errors import InputError
        from ..launch.windows import (SEARCH_DAYS_RANGE, find_feasible_windows, find_windows, get_scheme, phase_note,
                                      refused_for_phase)
        from ..time import iso_utc, parse_utc

        from ..time import add_seconds
        from .checks import check_range, input_file, pick_alias
        from .station_opts import station_from_options, station_report_dict, station_report_line

        check_range(days, "--days", *SEARCH_DAYS_RANGE, " days")
        site = pick_alias(pad, site, "--pad", "--site", "baikonur-31")
        given = "--vehicle" if spacecraft is None else "--spacecraft"      # the option as typed
        spacecraft = pick_alias(vehicle, spacecraft, "--vehicle", "--spacecraft", "soyuz-ms")
        from ..api import check_rendezvous_vehicle, window_pad_launcher
        from ..refusals import windows_refusal_text

        spacecraft = check_rendezvous_vehicle(spacecraft, given)    # before the station is loaded
        for opt, path in (("--station-oem", station_oem), ("--station-tle", station_tle)):
            if path:
                input_file(path, opt)
        if str(scheme).strip().lower() == "auto":
            raise InputError("--scheme auto: windows lists one scheme's windows; give --scheme two-orbit, four-orbit "
                             "or two-day (the earliest window of any scheme: a scenario with first_feasible_after "
                             "and scheme = \"auto\", or gyrfalcon.next_window(..., scheme=\"auto\"))")
        sch = get_scheme(scheme)
        t0 = parse_utc(start)
        st = station_from_options(station_oem, station_tle, t0, add_seconds(t0, (float(days) + 1.0) * 86400.0))
        target, source = st.ephemeris("GCRF"), st.source
        from ..launch.windows import NoFeasibleWindowError
        from ..traffic.flight_rules import WhatIfRequiredError

        # the pad (a what-if: taken as in service) and its launcher's plane lead: the Soyuz-2.1a, or
        # the Soyuz-FG of Site 1/5 (as gyrfalcon.find_windows)
        pad, launcher = window_pad_launcher(site, None, what_if)
        wins = find_windows(target, pad, sch, t0, days, spacecraft=spacecraft, vehicle=launcher)
        if not any(w.feasible for w in wins):   # raises NoFeasibleWindowError naming the next one
            try:
                find_feasible_windows(target, pad, sch, t0, days, spacecraft=spacecraft, vehicle=launcher)
            except NoFeasibleWindowError as exc:
                # with the station data's age where the phase is a reason, the what-if where the pad is
                msg, pad_reason = windows_refusal_text([exc], target, t0, what_if)
                raise (WhatIfRequiredError(msg) if pad_reason else
                       NoFeasibleWindowError(msg, exc.next_window, exc.windows)) from None
        stale = st.stale_at_end(t0, wins[-1].launch_utc, ("the last window", "the search start")) if wins else None
        if stale:                 # fresh at --from, not at the last window of a long search
            from ..orbits.station_source import STALE_DAYS
            from .station_opts import print_warnings

            since = add_seconds(parse_utc(st.data_end_utc), STALE_DAYS * 86400.0)
            print_warnings([f"{stale}: the windows after {iso_utc(since, 0)} may be wrong"])
        if json_out:
            # a list of windows (as before); each carries the station they were computed on
            rep = station_report_dict(st)
            print_json([w.to_dict() | {"what_if": bool(what_if), "station": rep} for w in wins])
            return
        from rich.table import Table
        from rich.text import Text

        c = console()
        if what_if:
            c.print("[bold yellow]WHAT-IF[/]: the pad is treated as in service whatever the site catalogue records",
                    markup=True, highlight=False)
        c.print(f"[bold]{esc(sch.title)}[/] windows from {esc(site)}, {iso_utc(t0, 0)[:10]} + {days:g} d  ({esc(source)})",
                markup=True)
        c.print(station_report_line(st), markup=False, highlight=False, soft_wrap=True)
        t = Table(show_header=True, header_style="bold")
        for col, just in (("launch UTC", "left"), ("pad in plane", "left"),
                          ("az deg", "right"), ("phase deg", "right"), ("ok", "center"), ("note", "left")):
            t.add_column(col, justify=just, no_wrap=col != "note")
        for w in wins:
            note = "in window" if w.feasible else (phase_note(w) if refused_for_phase(w) else "")
            slip = getattr(w, "slip_s", 0.0)
            if w.feasible and slip:
                note += ", " + w.reason.split("; liftoff moved", 1)[1].split("; pad ", 1)[0].join(("liftoff moved", ""))
            if not w.pad_available:
                note = (note + ", " if note else "") + "pad " + w.reason.split("; pad ", 1)[1].split(" (")[0].split(" ", 1)[1]
            t.add_row(iso_utc(w.launch_utc, 1)[:-1].replace("T", " "), iso_utc(w.inplane_utc, 1)[11:-1],
                      f"{math.degrees(w.azimuth_rad):.2f}",
                      f"{math.degrees(w.phase_at_insertion_rad):.1f}",
                      Text("yes", style="green") if w.feasible else Text("no", style="red"), note)
        c.print(t)
        c.print(f"phase = station ahead of the spacecraft at insertion; window {math.degrees(sch.phase_min_rad):.0f}-"
                f"{math.degrees(sch.phase_max_rad):.0f} deg; \"phase (two-day)\": outside it, the scheme in "
                "brackets fits (none: no scheme does). pad in plane (UTC) = the pad crosses the station's orbit "
                f"plane; the in-plane liftoff is the ascent's plane lead ({wins[0].plane_lead_s:.0f} s) before it "
                "crosses the launch plane. --json for the reasons and more fields (slip_s, inplane_launch_utc)."
                if wins else f"phase = station ahead of the spacecraft at insertion; window "
                f"{math.degrees(sch.phase_min_rad):.0f}-{math.degrees(sch.phase_max_rad):.0f} deg.")
