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

from .common import console, handle_errors, print_json

SCHEMES = ("auto", "two-orbit", "four-orbit", "two-day")


def insertion_into_station_plane(station_eph, pad, liftoff, scheme: str = "auto"):
    """Parametric insertion for a liftoff from ``pad`` (a launch-site Pad) into the station's plane.

    For a scheme whose aim is timed (two-day), the plane is the one J2 brings onto the station's
    at the aim point. Raises NoSchemeError when no scheme accepts the phase at insertion.
    """
    import numpy as np

    from ..launch.insertion import parametric_insertion
    from ..rendezvous import schemes
    from ..rendezvous.plan import recommended_plane_normal

    s = station_eph.at(liftoff)
    h = np.cross(s.r_m, s.v_mps)
    ins = parametric_insertion(pad.lat_rad, pad.lon_rad, pad.alt_m, liftoff, h / np.linalg.norm(h))
    st = station_eph.at(ins.t)
    phase = schemes.phase_angle_rad(st.r_m, st.v_mps, ins.r_gcrf_m)
    choice = schemes.choose_scheme(phase, preferred=None if scheme == "auto" else scheme)
    if choice.scheme.aim_slot.kind == "time":
        n = recommended_plane_normal(s.r_m, s.v_mps, choice.scheme.aim_slot.after_insertion_s, choice.catch_up_rad)
        ins = parametric_insertion(pad.lat_rad, pad.lon_rad, pad.alt_m, liftoff, n)
    return ins


def nearest_feasible_launches(station_eph, pad, liftoff, scheme: str = "auto") -> list:
    """Per scheme (all three for ``auto``, fastest first), the feasible launch window whose liftoff
    is nearest ``liftoff`` within a day either side (clipped to the ephemeris span)."""
    from ..errors import GyrfalconError
    from ..launch.windows import find_windows
    from ..time import add_seconds, seconds_between

    lo = max(float(seconds_between(liftoff, station_eph.start)) + 1800.0, -86400.0)
    hi = min(float(seconds_between(liftoff, station_eph.stop)) - 1800.0, 86400.0)
    if hi <= lo:
        return []
    names = ("two-orbit", "four-orbit", "two-day") if scheme == "auto" else (scheme,)
    out = []
    for name in names:
        try:
            wins = find_windows(station_eph, pad, name, add_seconds(liftoff, lo), (hi - lo) / 86400.0)
        except GyrfalconError:      # a hint only; the original error is reported anyway
            continue
        ok = [w for w in wins if w.feasible]
        if ok:
            out.append(min(ok, key=lambda w: abs(float(seconds_between(liftoff, w.launch_utc)))))
    return out


def _check_span(eph, liftoff, source):
    from ..errors import EphemerisRangeError
    from ..time import iso_utc

    if not eph.covers(liftoff):
        raise EphemerisRangeError(
            f"the station ephemeris ({source}) covers {iso_utc(eph.start, 0)} to {iso_utc(eph.stop, 0)}; "
            f"the launch {iso_utc(liftoff, 1)} is outside it: give --station-oem with a file that covers "
            "the flight (liftoff to contact plus an hour), or a launch inside that span")


def run_rendezvous(station_eph, site: str, launch, scheme: str = "auto", port: str = "rassvet-nadir",
                   vehicle: str = "soyuz-ms", seed: int = 0, source: str = "station ephemeris"):
    """Liftoff -> insertion -> plan -> approach. Returns ``(plan, approach_result)``; typed errors."""
    from ..errors import EphemerisRangeError, InputError
    from ..launch.sites import load_sites
    from ..rendezvous.handover import plan_and_fly
    from ..rendezvous.schemes import NoSchemeError
    from ..time import iso_utc, parse_utc

    if scheme not in SCHEMES:
        raise InputError(f"unknown scheme '{scheme}'; use one of {', '.join(SCHEMES)}")
    pad = load_sites().get(site)
    liftoff = parse_utc(launch)
    _check_span(station_eph, liftoff, source)
    try:
        ins = insertion_into_station_plane(station_eph, pad, liftoff, scheme)
        plan, res = plan_and_fly(ins, station_eph, scheme=scheme, vehicle=vehicle, port_id=port, seed=seed,
                                 plan_kwargs={"trajectory_step_s": 0})
    except NoSchemeError as exc:
        wins = nearest_feasible_launches(station_eph, pad, liftoff, scheme)
        hint = ("no feasible window within a day of it in the ephemeris" if not wins else
                "nearest feasible launch: " + ", ".join(
                    f"{iso_utc(w.launch_utc, 1)} ({w.scheme}, phase {math.degrees(w.phase_at_insertion_rad):.1f} deg)"
                    for w in wins))
        raise type(exc)(f"launch {iso_utc(liftoff, 1)} from {pad.id}: {exc}; {_pad_note(pad, liftoff)}; {hint}") from None
    except EphemerisRangeError as exc:
        raise EphemerisRangeError(
            f"the station ephemeris ({source}) does not cover the flight from {iso_utc(liftoff, 1)}: {exc}") from None
    return plan, res


def _pad_note(pad, liftoff) -> str:
    """Whether the pad is also a reason (available for the terminal count, from L-1 h)."""
    from ..time import add_seconds, iso_utc

    try:
        t = add_seconds(liftoff, -3600.0)
        st = pad.status_at(t)
    except Exception:       # a pad without a status history: no statement
        return "pad status unknown"
    if st.available:
        return f"pad {pad.id} available (not a reason)"
    nxt = pad.next_available(t)
    return (f"pad {pad.id} is also a reason: {st.status} ({st.reason})"
            + (f", next available {iso_utc(nxt, 0)[:10]}" if nxt is not None else ""))


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
        "phase_at_insertion_deg": plan.phase_at_insertion_deg,
        "burns": [asdict(b) for b in plan.burns],
        "total_dv_mps": plan.total_dv_mps, "propellant_kg": plan.propellant_kg,
        "aim_point_utc": plan.aim_utc, "aim_rho_lvlh_m": list(plan.aim_rho_lvlh_m),
        "miss_position_m": plan.miss_position_m, "miss_velocity_mps": plan.miss_velocity_mps,
        "handover_utc": plan.arrival_utc, "handover_rho_lvlh_m": list(plan.arrival_rho_lvlh_m),
        "handover_rho_dot_lvlh_mps": list(plan.arrival_rho_dot_lvlh_mps),
        "contact_utc": res.contact_utc, "contact_met_s": _contact_met(plan, res),
        "nominal_contact_utc": plan.contact_utc,
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
        site: str = typer.Option("baikonur-31", "--site", help="Launch pad id (e.g. baikonur-31)."),
        launch: str = typer.Option("2025-11-27T09:27:57.4Z", "--launch", help="Liftoff time (UTC, ISO 8601)."),
        scheme: str = typer.Option("auto", "--scheme", help="two-orbit, four-orbit, two-day or auto (the fastest that fits the phase)."),
        port: str = typer.Option("rassvet-nadir", "--port", help="Target docking port id."),
        vehicle: str = typer.Option("soyuz-ms", "--vehicle", help="soyuz-ms or progress-ms (main engine, mass)."),
        seed: int = typer.Option(0, "--seed", help="Random seed of the approach simulation."),
        json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    ):
        """Plan the rendezvous burns from a liftoff time and fly the approach to contact."""
        if station_oem:
            from ..io.oem import load_oem

            eph = load_oem(station_oem).ephemeris("GCRF")
            source = station_oem
        else:
            from ..orbits.iss import iss_default_path, iss_ephemeris

            eph = iss_ephemeris("GCRF")
            source = f"packaged {iss_default_path().name}"
        plan, res = run_rendezvous(eph, site, launch, scheme, port, vehicle, seed, source)
        if json_out:
            print_json(result_dict(plan, res))
            return
        _print_human(plan, res, site, port)


def _print_human(plan, res, site, port):
    from rich import box
    from rich.table import Table

    c = console()
    if c.width < 110:            # the burn table needs about 100 columns; let a narrow terminal wrap
        from rich.console import Console

        c = Console(width=110)
    c.print(f"[bold]{plan.scheme}[/] rendezvous from {site}, liftoff {plan.liftoff_utc}: {plan.scheme_reason}")
    t = Table(show_header=True, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for col in ("burn", "UTC", "MET", "dvR", "dvT", "dvN", "|dv|", "dur s", "prop kg", "hp km", "ha km"):
        t.add_column(col, justify="left" if col in ("burn", "UTC") else "right", no_wrap=True)
    for b in plan.burns:
        r, tt, n = b.dv_rtn_mps
        t.add_row(b.name, b.utc[5:19].replace("T", " "), _met(b.met_s), f"{r:.2f}", f"{tt:.2f}", f"{n:.2f}",
                  f"{b.dv_mps:.2f}", f"{b.duration_s:.1f}", f"{b.propellant_kg:.1f}",
                  f"{b.perigee_altitude_m / 1e3:.1f}", f"{b.apogee_altitude_m / 1e3:.1f}")
    c.print(t)
    c.print("UTC = burn centre (MM-DD hh:mm:ss); dv in the chaser's RTN frame \\[m/s]; hp/ha = perigee/apogee "
            "altitude after the burn")
    c.print(f"arrival: {plan.arrival_rule}; planned contact {plan.contact_utc}")
    c.print(f"total dv {plan.total_dv_mps:.2f} m/s, propellant {plan.propellant_kg:.1f} kg; aim point "
            f"{plan.aim_utc} (MET {_met(plan.aim_met_s)}), miss {plan.miss_position_m:.2f} m")
    rng = math.hypot(*plan.arrival_rho_lvlh_m)
    line = f"approach to {port} from {plan.arrival_utc} ({rng / 1e3:.2f} km): [bold]{res.verdict}[/]"
    if res.contact_utc is not None:
        line += f", contact {res.contact_utc} (MET {_met(_contact_met(plan, res))})"
    c.print(line)
    c.print("phases: " + ", ".join(f"{p.name} {p.duration_s / 60:.1f} min" for p in res.phases)
            + f"; approach propellant {res.propellant_kg:.1f} kg")
