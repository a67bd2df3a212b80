"""``gyrfalcon station``: the ISS orbit at an epoch (default: Soyuz MS-28 liftoff) from an OEM."""
from __future__ import annotations

import typer

from .common import console, handle_errors, print_json


def register(app: typer.Typer) -> None:
    @app.command("station")
    @handle_errors
    def station(
        json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        station_oem: str = typer.Option(None, "--station-oem", help="ISS ephemeris (CCSDS OEM); default: packaged NASA file."),
        at: str = typer.Option(None, "--at", help="UTC epoch (default: MS-28 liftoff 2025-11-27T09:27:57.4Z)."),
    ):
        """The station's orbit at an epoch: elements, apsis altitudes, sub-satellite point, planned events."""
        from ..api import station_orbit
        from ..mission.station_orbit import MS28_LIFTOFF_UTC

        summary = station_orbit(station_oem, at or MS28_LIFTOFF_UTC)
        if json_out:
            print_json(summary.to_dict())
            return
        from rich.table import Table

        c = console()
        c.print(f"[bold]ISS at {summary.utc}[/]  ({summary.source})")
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
