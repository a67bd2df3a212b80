"""``gyrfalcon rendezvous``: liftoff -> insertion -> targeted burn plan -> simulated approach -> contact.

The insertion is the launch module's parametric model into the station's orbit plane at
liftoff (for a two-day flight into the plane that J2 brings onto the station's at the aim
point, :func:`~gyrfalcon.rendezvous.plan.recommended_plane_normal`), as in the rendezvous
tests; the contact comes from the closed-loop approach flown from the plan's arrival state
(:func:`~gyrfalcon.rendezvous.handover.approach_from_plan`).
"""
from __future__ import annotations

import math

import typer

from .checks import esc
from .common import console, handle_errors, print_json


def run_rendezvous(station_eph, site: str, launch, scheme: str = "auto", port: str = "rassvet-nadir",
                   vehicle: str = "soyuz-ms", seed: int = 0, source: str = "station ephemeris", what_if: bool = False):
    """Liftoff -> insertion -> plan and approach (:func:`gyrfalcon.api.fly_rendezvous`, which
    applies the station rules: refused unless ``what_if``; the plan carries the notes). Returns
    ``(plan, approach_result)``; typed errors."""
    from .. import api

    return api.fly_rendezvous(station_eph, launch, pad=site, scheme=scheme, vehicle=vehicle, port=port,
                              seed=seed, trajectory_step_s=0, source=source, what_if=what_if)


def _met(x):
    if x is None:
        return "-"
    x = int(round(x))
    return f"{x // 3600}:{(x % 3600) // 60:02d}:{x % 60:02d}"


def result_dict(plan, res) -> dict:
    """The JSON document of ``gyrfalcon rendezvous --json`` (SI units, UTC ISO strings)."""
    from dataclasses import asdict

    return {
        "scheme": plan.scheme, "scheme_reason": plan.scheme_reason, "arrival_rule": plan.arrival_rule,
        "liftoff_utc": plan.liftoff_utc, "insertion_utc": plan.insertion_utc,
        # the station's lead at insertion, wrapped to (-180, 180] deg, and the same lead as the
        # scheme counts it (two-day: 200-420 deg), the figure the text, `windows` and the report give
        "phase_at_insertion_deg": plan.phase_at_insertion_deg, "catch_up_deg": plan.catch_up_deg,
        "burns": [asdict(b) for b in plan.burns],
        "total_dv_mps": plan.total_dv_mps, "propellant_kg": plan.propellant_kg,
        "aim_point_utc": plan.aim_utc, "aim_rho_lvlh_m": list(plan.aim_rho_lvlh_m),
        "miss_position_m": plan.miss_position_m, "miss_velocity_mps": plan.miss_velocity_mps,
        "handover_utc": plan.arrival_utc, "handover_rho_lvlh_m": list(plan.arrival_rho_lvlh_m),
        "handover_rho_dot_lvlh_mps": list(plan.arrival_rho_dot_lvlh_mps),
        "contact_utc": res.contact_utc, "contact_met_s": _contact_met(plan, res),
        "nominal_contact_utc": plan.nominal_contact_utc,
        "approach_verdict": res.verdict, "approach": res.summary(),
    }


def _contact_met(plan, res):
    from ..time import parse_utc, seconds_between

    if res.contact_utc is None or plan.liftoff_utc is None:
        return None
    return float(seconds_between(parse_utc(plan.liftoff_utc), parse_utc(res.contact_utc)))


def register(app: typer.Typer) -> None:
    @app.command("rendezvous")
    @handle_errors
    def rendezvous(
        station_oem: str = typer.Option(None, "--station-oem", help="Station ephemeris (CCSDS OEM). Default: the packaged NASA ISS file of 2025-11-24."),
        station_tle: str = typer.Option(None, "--station-tle", help="Station TLE file (or CSV of TLE lines) or OMM JSON/CSV/XML series: orbit fitted to the sets dated before --launch (never after)."),
        pad: str = typer.Option(None, "--pad", show_default=False, help="Launch pad id (default baikonur-31)."),
        site: str = typer.Option(None, "--site", hidden=True, help="Old name of --pad."),
        launch: str = typer.Option("2025-11-27T09:27:57.4Z", "--launch", help="Liftoff time (UTC, ISO 8601)."),
        scheme: str = typer.Option("auto", "--scheme", help="two-orbit, four-orbit, two-day or auto (the fastest that fits the phase)."),
        port: str = typer.Option("rassvet-nadir", "--port", help="Target docking port id."),
        vehicle: str = typer.Option("soyuz-ms", "--vehicle", help="soyuz-ms or progress-ms (main engine, mass)."),
        seed: int = typer.Option(0, "--seed", min=0, help="Random seed of the approach simulation (>= 0)."),
        json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        what_if: bool = typer.Option(False, "--what-if", help="Fly it even if it breaks a station rule (port taken, "
                                     "pad out of service); the output then says what-if."),
    ):
        """Plan the rendezvous burns from a liftoff time and fly the approach to contact.

        Exit code 3 (reason on stderr) when the simulated approach ends without capture."""
        from ..time import add_seconds, parse_utc
        from ..traffic.flight_rules import check_port_before_planning
        from .checks import check_seed, input_file, pick_alias
        from .station_opts import station_from_options, station_report_dict, station_report_line

        check_seed(seed)
        site = pick_alias(pad, site, "--pad", "--site", "baikonur-31")
        from ..traffic.station_link import norm_id

        # ids as the catalogues spell them (case-insensitive), so the output echoes the canonical id
        port, vehicle, scheme = norm_id(port), norm_id(vehicle), norm_id(scheme)
        from ..api import check_rendezvous_vehicle

        # a vehicle the model does not fly (Crew Dragon) first, in one line, before its pad or port
        vehicle = check_rendezvous_vehicle(vehicle, "--vehicle")
        # before any work: a port that cannot take it at any arrival the scheme could make
        check_port_before_planning(port, launch, vehicle, scheme, what_if)
        for opt, path in (("--station-oem", station_oem), ("--station-tle", station_tle)):
            if path:
                input_file(path, opt)
        t_launch = parse_utc(launch)
        st = station_from_options(station_oem, station_tle, t_launch, add_seconds(t_launch, 4 * 86400.0))
        eph, source = st.ephemeris("GCRF"), st.source
        plan, res = run_rendezvous(eph, site, launch, scheme, port, vehicle, seed, source, what_if)
        stale = st.stale_at_end(t_launch, res.contact_utc) if res.contact_utc is not None else None
        if stale:                 # fresh enough at liftoff, not at a two-day flight's contact
            from .station_opts import print_warnings

            print_warnings([stale])
        notes = list(plan.notes)
        if json_out:
            print_json(result_dict(plan, res) | {"what_if": bool(what_if), "notes": notes,
                                                 "station": station_report_dict(st)})
        else:
            if what_if:
                console().print("[bold yellow]WHAT-IF[/]: flown as asked, whatever the station rules say",
                                markup=True, highlight=False)
            console().print(station_report_line(st), markup=False, highlight=False, soft_wrap=True)
            _print_human(plan, res, site, port)
            for n in notes:
                console().print(f"note: {n}", markup=False, highlight=False)
        exit_if_not_captured(res)


def exit_if_not_captured(res) -> None:
    """Exit code 3 with the reason on stderr when an approach result is not ``captured``."""
    if res.verdict != "captured":
        from .common import EXIT_NOT_CAPTURED, _err_line

        why = "; ".join(list(getattr(res, "events", ()))[-2:])
        _err_line(f"approach ended without capture: verdict {res.verdict}" + (f" ({why})" if why else ""),
                  "not captured")
        raise typer.Exit(EXIT_NOT_CAPTURED)


def _print_human(plan, res, site, port):
    from rich import box
    from rich.table import Table

    c = console()
    if c.width < 110:            # the burn table needs about 100 columns; let a narrow terminal wrap
        from .common import _StdoutConsole

        c = _StdoutConsole(width=110, markup=False)      # a closed pipe still exits 141, not rich's 1
    c.print(f"[bold]{esc(plan.scheme)}[/] rendezvous from {esc(site)}, liftoff {plan.liftoff_utc}: {esc(plan.scheme_reason)}",
            markup=True)
    t = Table(show_header=True, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for col in ("burn", "UTC", "MET", "dvR", "dvT", "dvN", "|dv|", "dur s", "prop kg", "hp km", "ha km"):
        t.add_column(col, justify="left" if col in ("burn", "UTC") else "right", no_wrap=True)
    for b in plan.burns:
        r, tt, n = b.dv_rtn_mps
        t.add_row(b.name, b.utc[5:19].replace("T", " "), _met(b.met_s), f"{r:.2f}", f"{tt:.2f}", f"{n:.2f}",
                  f"{b.dv_mps:.2f}", f"{b.duration_s:.1f}", f"{b.propellant_kg:.1f}",
                  f"{b.perigee_altitude_m / 1e3:.1f}", f"{b.apogee_altitude_m / 1e3:.1f}")
    c.print(t)
    c.print("UTC = burn centre (MM-DD hh:mm:ss); dv in the chaser's RTN frame [m/s]; hp/ha = perigee/apogee "
            "altitude after the burn; the sizes are the least-propellant split: its total matches flown "
            "profiles, the split does not (a flown braking is 5-12 m/s; docs/validation.md, \"Known limit\")")
    c.print(f"arrival: {plan.arrival_rule}; planned contact {plan.nominal_contact_utc}")
    c.print(f"total dv {plan.total_dv_mps:.2f} m/s, propellant {plan.propellant_kg:.1f} kg; aim point "
            f"{plan.aim_utc} (MET {_met(plan.aim_met_s)}), miss {plan.miss_position_m:.2f} m")
    rng = math.hypot(*plan.arrival_rho_lvlh_m)
    line = f"approach to {esc(port)} from {plan.arrival_utc} ({rng / 1e3:.2f} km): [bold]{esc(res.verdict)}[/]"
    if res.contact_utc is not None:
        line += f", contact {res.contact_utc} (MET {_met(_contact_met(plan, res))})"
    c.print(line, markup=True)
    c.print("phases: " + ", ".join(f"{p.name} {p.duration_s / 60:.1f} min" for p in res.phases)
            + f"; approach propellant {res.propellant_kg:.1f} kg")
