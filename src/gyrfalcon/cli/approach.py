"""``gyrfalcon approach``: the automated Kurs approach from the rendezvous aim point to contact."""
from __future__ import annotations

import math

import typer

from .checks import esc
from .common import console, handle_errors, print_json

def parse_fault(text: str):
    """A KursFault from its text form (:func:`gyrfalcon.api.parse_fault`)."""
    from ..api import parse_fault as parse

    return parse(text)


def register(app: typer.Typer) -> None:
    @app.command("approach")
    @handle_errors
    def approach(
        port: str = typer.Option("rassvet-nadir", "--port", help="Target docking port id."),
        seed: int = typer.Option(0, "--seed", min=0, help="Random seed, >= 0 (noise, biases, execution errors)."),
        fault: list[str] = typer.Option([], "--fault", help="Inject a Kurs fault (repeatable), seconds from the approach start: kurs-dropout@T+DURATION "
                                   "(kurs-dropout@T: to the end), kurs-bias@T[+DURATION]:CHANNEL=VALUE with CHANNEL range [m], "
                                   "range_rate [m/s], az, el or roll [rad]; e.g. kurs-dropout@600+20, kurs-bias@600:range=50."),
        json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        what_if: bool = typer.Option(False, "--what-if", help="Fly it even if it breaks a station rule (the port "
                                     "taken on the day); the output then says what-if."),
    ):
        """Fly the automated approach (default: Soyuz MS-28 from its 2.27 km aim point to Rassvet nadir).

        The port must be free at the contact in the built-in station record (as for `rendezvous`):
        a port another vehicle holds is refused (exit 2) unless --what-if.
        Exit code 3 (reason on stderr) when the approach ends without capture."""
        from ..api import fly_approach
        from ..proximity.approach import MS28_AIM_RANGE_M
        from ..traffic.station_link import norm_id
        from .checks import check_seed
        from .rendezvous import exit_if_not_captured

        check_seed(seed)
        port = norm_id(port)             # as the catalogue spells it, so the output echoes the canonical id

        res = fly_approach(None, port=port, seed=seed, faults=tuple(fault), what_if=what_if)
        end_s = float(res.t_s[-1]) if len(res.t_s) else 0.0
        for text in fault:
            f = parse_fault(text)
            if f.start_s >= end_s:           # would read as "the approach survives it"
                from .common import warn

                warn(f"--fault {text} starts at {f.start_s:g} s, after the approach ended ({end_s:.0f} s from its "
                     "start): it was never applied; give a start inside the approach")
        if json_out:
            print_json(res.summary())          # with what_if and notes, as `rendezvous --json`
            exit_if_not_captured(res)
            return
        from rich.table import Table

        c = console()
        if what_if:
            c.print("[bold yellow]WHAT-IF[/]: flown as asked, whatever the station rules say", markup=True,
                    highlight=False)
        c.print(f"[bold]Automated approach to {esc(port)}[/] from {res.start_utc} (seed {seed}): "
                f"[bold]{esc(res.verdict)}[/]" + (f" at {res.contact_utc}" if res.contact_utc else ""), markup=True)
        where = ("Soyuz MS-28's flown braking point" if port == "rassvet-nadir" else
                 f"{port}'s approach at Soyuz MS-28's braking range and instant")
        c.print(f"start: {where} ({MS28_AIM_RANGE_M / 1e3:.2f} km, MET 2:39:58), a "
                "fixed state, not a computed plan; `gyrfalcon rendezvous` and `run` hand over from their own "
                "plan's state, so their contact differs", markup=False, highlight=False)
        t = Table("phase", "start UTC", "end UTC", "duration")
        for p in res.phases:
            t.add_row(p.name, p.start_utc[11:19], (p.end_utc or "")[11:19], f"{p.duration_s / 60:.1f} min")
        c.print(t)
        if res.contact is not None:
            k = res.contact
            c.print(f"contact: closing {k.closing_speed_mps:.3f} m/s, lateral {k.lateral_speed_mps:.3f} m/s, "
                    f"offset {k.lateral_offset_m:.3f} m, pitch/yaw {math.degrees(k.pitch_yaw_rad):.2f} deg, "
                    f"roll {math.degrees(k.roll_rad):.2f} deg")
        for v in res.violations:
            c.print(f"  [yellow]{esc(v)}[/]", markup=True)
        c.print(f"propellant {res.propellant_kg:.1f} kg; closest approach {res.min_distance_m:.2f} m")
        for n in res.notes:
            c.print(f"note: {n}", markup=False, highlight=False)
        exit_if_not_captured(res)
