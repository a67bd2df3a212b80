"""``gyrfalcon station``: the ISS orbit at an epoch (default: Soyuz MS-28 liftoff) from an OEM or element sets."""
from __future__ import annotations

import typer

from .checks import esc
from .common import console, handle_errors, print_json


def register(app: typer.Typer) -> None:
    @app.command("station")
    @handle_errors
    def station(
        json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        station_oem: str = typer.Option(None, "--station-oem", help="ISS ephemeris (CCSDS OEM); default: packaged NASA file."),
        at: str = typer.Option(None, "--at", help="UTC epoch (default: MS-28 liftoff 2025-11-27T09:27:57.4Z)."),
        station_tle: str = typer.Option(None, "--station-tle", help="ISS element sets (TLE file or OMM series): orbit fitted to the sets dated before --at."),
    ):
        """The station's orbit at an epoch: elements, apsis altitudes, sub-satellite point, planned events."""
        from dataclasses import replace

        from ..mission.station_orbit import MS28_LIFTOFF_UTC, station_orbit_at
        from ..time import parse_utc

        for opt, path in (("--station-oem", station_oem), ("--station-tle", station_tle)):
            if path is not None:
                from .checks import input_file

                input_file(path, opt)
        from .station_opts import station_from_options, station_report_dict, station_report_line

        t = parse_utc(MS28_LIFTOFF_UTC if at is None else at)
        # the loader once, its warnings on stderr; the summary is computed on the trajectory it gave
        st = station_from_options(station_oem, station_tle, t)
        summary = replace(station_orbit_at(t, st.ephemeris("GCRF")), source=st.source)
        if json_out:
            print_json(summary.to_dict() | {"station": station_report_dict(st)})
            return
        from rich.table import Table

        c = console()
        c.print(f"[bold]ISS at {summary.utc}[/]  ({esc(summary.source)})", markup=True)
        if st.drag is not None or st.burns:
            c.print(station_report_line(st), markup=False, highlight=False, soft_wrap=True)
        t = Table(show_header=True, header_style="bold")
        t.add_column("quantity")
        t.add_column("value", justify="right")
        rows = [
            ("semi-major axis", f"{summary.semi_major_axis_m / 1000:.3f} km"),
            ("eccentricity", f"{summary.eccentricity:.6f}"),
            ("inclination (true equator of date)", f"{summary.inclination_of_date_deg:.4f} deg"),
            ("inclination (GCRF)", f"{summary.inclination_deg:.4f} deg"),
            ("RAAN (GCRF)", f"{summary.raan_deg:.4f} deg"),
            ("argument of latitude", f"{summary.arg_latitude_deg:.3f} deg"),
            ("period", f"{summary.period_s / 60:.2f} min"),
            ("perigee x apogee altitude", f"{summary.perigee_altitude_m / 1000:.1f} x {summary.apogee_altitude_m / 1000:.1f} km"),
            ("sub-satellite point", f"{summary.latitude_deg:+.3f} deg, {summary.longitude_deg:+.3f} deg"),
            ("geodetic altitude", f"{summary.altitude_m / 1000:.2f} km"),
        ]
        for k, v in rows:
            t.add_row(k, v)
        c.print(t)
        if summary.planned_events:
            c.print("NASA planned events in the ephemeris:")
            for name, utc in summary.planned_events:
                c.print(f"  {utc}  {name}")
