"""``gyrfalcon landing``: undocking, deorbit burn, entry and landing point of a return."""
from __future__ import annotations

import typer

from .checks import esc
from .common import console, handle_errors, print_json


def _station(station_oem, station_tle=None, at_utc=None):
    from ..time import add_seconds, parse_utc
    from .station_opts import station_from_options

    t = None if at_utc is None else parse_utc(at_utc)
    until = None if t is None else add_seconds(t, 3 * 86400.0)
    extend = station_tle is None and t is not None and (station_oem is not None
                                                        or not _packaged_covers(add_seconds(t, 6 * 3600.0)))
    label = None
    if station_oem is None and station_tle is None and extend:
        # the packaged excerpt of NASA's 2026-07-01 file that `run` flies the default return with,
        # from its first sample on (before it: the 2025-11-24 file, extended): the same station
        from ..mission.runner import packaged_return_oem
        from ..time import seconds_between

        path, name, start = packaged_return_oem()
        if float(seconds_between(start, t)) >= 0:
            station_oem, label = path, name
    st = station_from_options(station_oem, station_tle, t, until, extend_oem=extend, label=label)
    return st.ephemeris("GCRF"), st


def _packaged_covers(t) -> bool:
    """Whether the packaged ISS OEM reaches ``t`` (a return needs the station about 6 h past the
    undocking at most; beyond the file it is extended, as a --station-oem file is)."""
    from ..orbits.iss import iss_ephemeris
    from ..time import seconds_between

    eph = iss_ephemeris("GCRF")
    return float(seconds_between(eph.epoch, t)) <= float(eph.t_s[-1])


def _zone(zone, target_lat, target_lon, target_alt):
    from ..errors import InputError
    from ..landing.zones import custom_zone, load_zone

    if (target_lat is None) != (target_lon is None):
        raise InputError("give both --target-lat and --target-lon (degrees), or neither to use --zone")
    if target_lat is not None and zone != "soyuz":
        raise InputError(f"give --zone {zone} or a custom target (--target-lat/--target-lon), not both")
    if target_lat is not None:
        return custom_zone(target_lat, target_lon, target_alt if target_alt is not None else 0.0)
    return load_zone(zone)


def _checked_before_the_station(vehicle, mode, zone, target_lat, target_lon, target_alt, port, dv):
    """The options checked before the station is loaded (an element-set fit takes seconds): the
    vehicle, the mode, the zone or target, the port's name and the dv's range; returns the zone."""
    from ..landing.deorbit import check_deorbit_dv
    from ..landing.plan import check_mode
    from ..landing.vehicle import load_return_vehicle

    check_mode(mode)
    load_return_vehicle(vehicle)
    if dv is not None:
        check_deorbit_dv(dv)
    if port is not None:
        from ..station.catalog import load_station

        load_station("iss").port(port)       # its name; whether it is a port on the date: later
    return _zone(zone, target_lat, target_lon, target_alt)


def register(app: typer.Typer) -> None:
    @app.command("landing")
    @handle_errors
    def landing(
        station_oem: str = typer.Option(None, "--station-oem", help="Station ephemeris (CCSDS OEM) made before the undocking; one that ends earlier is extended by propagation (drag fitted on its last samples; a warning gives the expected error). Default: the packaged NASA ISS file of 2025-11-24 (to 2025-12-09T12:00), extended the same way; from 2026-07-14T12:01Z the packaged excerpt of NASA's 2026-07-01 file that `run` flies the return with."),
        station_tle: str = typer.Option(None, "--station-tle", help="Station TLE file (or CSV of TLE lines) or OMM JSON/CSV/XML series: orbit fitted to the sets dated before the undocking (or --date), never after."),
        undock: str = typer.Option(None, "--undock", help="Undocking (physical separation) UTC, e.g. 2025-12-09T01:41Z."),
        date: str = typer.Option(None, "--date", help="Without --undock: list the day's landing opportunities (YYYY-MM-DD)."),
        vehicle: str = typer.Option("soyuz-ms", "--vehicle", help="Return vehicle (soyuz-ms; soyuz-ms-uncrewed for the fast uncrewed departure)."),
        mode: str = typer.Option("nominal", "--mode", help="nominal (guided descent) or ballistic (backup)."),
        zone: str = typer.Option("soyuz", "--zone", help="Landing zone: soyuz (SE of Zhezkazgan) or arkalyk."),
        target_lat: float = typer.Option(None, "--target-lat", help="Custom target latitude [deg] (instead of --zone)."),
        target_lon: float = typer.Option(None, "--target-lon", help="Custom target longitude [deg]."),
        target_alt: float = typer.Option(None, "--target-alt", help="Custom target ground altitude [m] (default 0)."),
        port: str = typer.Option(None, "--port", show_default=False, help="Port the vehicle undocks from, a port on "
                                 "the undocking date (default: the port of the Soyuz MS the built-in manifest has docked then, e.g. "
                                 "rassvet-nadir for Soyuz MS-28 in 2026; else prichal-nadir, before 26 Nov 2021 the first Soyuz "
                                 "port of that date)."),
        dv: float = typer.Option(None, "--dv", help="Deorbit dv [m/s] (default the vehicle's 128 m/s)."),
        json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        what_if: bool = typer.Option(False, "--what-if", help="Fly it even if it breaks a station rule (no Soyuz "
                                     "docked at --port on the undocking date); the output then says what-if."),
    ):
        """Plan the return: separation, daily opportunities, deorbit burn, entry (g-load, heating), landing point.

        The Soyuz undocks from a port where the built-in station manifest has a Soyuz docked then:
        a port another vehicle holds, or none, is refused (exit 2) unless --what-if; from the 2026
        plan's first event (15 Dec 2025) it is a note instead (a plan, not a record)."""
        from ..errors import InputError

        if dv is not None and not dv > 0:
            raise InputError(f"--dv {dv}: the deorbit burn needs a positive delta-v [m/s] (Soyuz: about 128)")
        z = _checked_before_the_station(vehicle, mode, zone, target_lat, target_lon, target_alt, port, dv)
        from .station_opts import station_report_dict, station_report_line

        if undock is not None and date is not None:
            raise InputError("give --undock (plan a return) or --date (list a day's landing opportunities), not both")
        if what_if and undock is None:
            raise InputError("--what-if applies to a return (--undock UTC, e.g. 2025-12-09T01:41Z), not to a day's "
                             "landing opportunities (--date)")
        if undock is not None and port is not None:
            from ..api import check_undocking_rules

            # the station rule before the station is loaded (a fit takes seconds); plan_return applies it
            # again and gives the notes; a time that cannot be read is left to the planner's own message
            check_undocking_rules(port, undock, what_if)
        if date is not None:
            from ..time import utc_day

            try:
                date = utc_day(date)
            except InputError as exc:
                raise InputError(f"--date: {exc}") from None
        eph, st = _station(station_oem, station_tle,
                           undock if undock is not None else (None if date is None else date + "T00:00:00Z"))
        source = st.source
        if undock is None:
            if date is None:
                raise InputError("give --undock UTC (e.g. 2025-12-09T01:41Z) to plan a return, or --date YYYY-MM-DD "
                                 "to list a day's landing opportunities")
            from ..api import landing_opportunities

            day = landing_opportunities(eph, date, zone=z, vehicle=vehicle)
            d = {
                "date": day.date, "zone": day.zone, "source": source,
                "opportunities": [{"pass_utc": o.pass_utc, "crosstrack_km": round(o.crosstrack_km, 1),
                                   "direction": o.direction, "reachable": o.reachable} for o in day.opportunities],
                "reachable": [o.pass_utc for o in day.reachable],
                "next_reachable": None if day.next_reachable is None else {
                    "pass_utc": day.next_reachable.pass_utc,
                    "crosstrack_km": round(day.next_reachable.crosstrack_km, 1)},
                "searched_until_utc": day.searched_until_utc,
                "station": station_report_dict(st),
            }
            if json_out:
                print_json(d)
                return
            c = console()
            c.print(f"[bold]Landing opportunities[/] into {esc(z.name)}, {day.date}  ({esc(source)})", markup=True)
            c.print(station_report_line(st), markup=False, highlight=False, soft_wrap=True)
            for o in day.opportunities:
                ok = "[green]reachable[/]" if o.reachable else "[red]out of reach[/]"
                c.print(f"  pass {o.pass_utc}  {o.direction}  track misses the zone by {o.crosstrack_km:+.0f} km  {ok}",
                        markup=True)
            if not day.reachable:
                nxt = day.next_reachable
                c.print("  [yellow]no opportunity into the zone that day[/]; next: "
                        + (f"{nxt.pass_utc} ({nxt.crosstrack_km:+.0f} km)" if nxt else
                           f"none before {day.searched_until_utc}"), markup=True)
            return
        from ..api import plan_return

        plan = plan_return(eph, undock, vehicle=vehicle, zone=z, mode=mode, port=port, dv_mps=dv, what_if=what_if)
        d = plan.to_dict()            # with what_if and notes, as `rendezvous --json`
        d["source"] = source
        d["station"] = station_report_dict(st)
        if json_out:
            print_json(d)
            return
        c = console()
        if what_if:
            c.print("[bold yellow]WHAT-IF[/]: flown as asked, whatever the station rules say", markup=True,
                    highlight=False)
        b = d["deorbit_burn"]
        c.print(f"[bold]{esc(vehicle)} return[/], {esc(mode)} descent into {esc(z.name)}  ({esc(source)})", markup=True)
        c.print(station_report_line(st), markup=False, highlight=False, soft_wrap=True)
        c.print(f"  undocking          {d['undock_utc']} from {d['port']}; keep-out sphere left {d['keep_out_exit_utc']}")
        c.print(f"  deorbit burn       {b['utc']}  {b['dv_mps']:.1f} m/s retrograde, {b['duration_s']:.0f} s "
                f"({int(b['duration_s'] // 60)} min {b['duration_s'] % 60:.0f} s), at {b['altitude_m'] / 1e3:.1f} km, "
                f"{(b['range_to_station_m'] or 0) / 1e3:.1f} km from the station")
        c.print(f"  module separation  {d['module_separation_utc']}")
        c.print(f"  entry interface    {d['entry_interface_utc']}  {d['entry_speed_mps']:.0f} m/s, "
                f"{d['entry_flight_path_angle_deg']:.2f} deg")
        c.print(f"  peak load          {d['max_g']:.1f} g at {d['max_g_altitude_m'] / 1e3:.1f} km; peak heating "
                f"{d['peak_heat_flux_w_m2'] / 1e6:.2f} MW/m^2 (Sutton-Graves)")
        c.print(f"  parachute command  {d['parachute_utc']} (10.8 km)")
        c.print(f"  soft-landing fire  {d['soft_landing_utc']}")
        c.print("  [bold]landing[/]", markup=True, end="")
        from ..landing.zones import latlon_text

        c.print(f"            {d['landing_utc']}  {latlon_text(d['landing_lat_deg'], d['landing_lon_deg'])}; "
                f"{d['miss_km']:.1f} km from the target (along {d['miss_along_km']:+.1f}, across {d['miss_cross_km']:+.1f} km)")
        if "landing_from_reference" in d:
            r = d["landing_from_reference"]
            c.print(f"                     {r['distance_km']:.0f} km {r['compass']} of {r['place'].split(' (')[0]}")
        for n in d["notes"]:
            c.print(f"note: {n}", markup=False, highlight=False)
