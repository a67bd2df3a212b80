"""``gyrfalcon run [SCENARIO]``: fly the default mission (Soyuz MS-28) or a scenario file end to end."""
from __future__ import annotations

import contextlib
from pathlib import Path

import typer

from .common import EXIT_NOT_CAPTURED, EXIT_SYSTEM_ERROR, console, fail, handle_errors, print_json


def register(app: typer.Typer) -> None:
    @app.command("run")
    @handle_errors
    def run(
        scenario: Path = typer.Argument(None, help="Scenario TOML file (default: the embedded Soyuz MS-28).",
                                        show_default=False),
        out: str = typer.Option(None, "--out", help="Output directory (default ./gyrfalcon-out/<scenario name>/)."),
        json_out: bool = typer.Option(False, "--json", help="Print the timeline as JSON (and write no table)."),
        seed: int = typer.Option(None, "--seed", min=0, help="Override the scenario's random seed (>= 0)."),
        no_files: bool = typer.Option(False, "--no-files", help="Do not write the output directory."),
        no_return: bool = typer.Option(False, "--no-return", help="Skip the return (as return.enabled = false)."),
        what_if: bool = typer.Option(False, "--what-if", help="Fly it even if it breaks a station rule (port taken, "
                                     "more crew than seats, pad out of service), as what_if = true in the scenario; "
                                     "every output then says what-if."),
        station_oem: str = typer.Option(None, "--station-oem", help="Station ephemeris (CCSDS OEM) instead of the scenario's target.ephemeris."),
        station_tle: str = typer.Option(None, "--station-tle", help="Station TLE file (or CSV of TLE lines) or OMM JSON/CSV/XML series instead of the scenario's target.ephemeris (sets dated after the launch are never used)."),
    ):
        """Fly a mission: countdown, ascent, rendezvous, approach, docking, stay and return; print the timeline."""
        import sys

        from ..mission.runner import default_out_dir
        from .checks import check_output_folder, check_seed
        from .common import warn
        from .station_opts import station_path

        # validate first: a bad scenario or output folder fails here, before any long computation
        if out is not None and not out.strip():
            from ..errors import InputError

            raise InputError("--out is empty; give a folder path, or leave it out for ./gyrfalcon-out/<scenario name>/")
        out = None if out is None else Path(out)
        check_seed(seed)
        station = station_path(station_oem, station_tle)    # replaces target.ephemeris before the date checks
        sc, text, source = _run_scenario(scenario, station, no_return, seed, what_if)
        if not no_files:
            check_output_folder(out or default_out_dir(sc), "--out", kind="run")
        quiet = json_out or not sys.stderr.isatty()
        result, written, incomplete = _fly_and_write(sc, source, text, out or default_out_dir(sc), no_files, quiet,
                                                     station_oem, station_tle)
        for w in result.warnings:    # the station data's warnings also on stderr, as every command gives them
            warn(w)
        if json_out:
            print_json(result.to_json_dict())
        else:
            print_timeline(result, out or default_out_dir(sc), written)
        if incomplete is not None:
            fail(str(incomplete), EXIT_SYSTEM_ERROR)
        not_docked(result)


def _run_scenario(scenario, station, no_return, seed, what_if) -> tuple:
    """(the scenario to fly, its text, its source name): the embedded MS-28 or a file, with the
    station option, --no-return, --seed and --what-if applied; a broken [dispersions] table refused."""
    from ..mission.scenario import default_scenario_text, load_scenario, parse_scenario
    from .checks import input_file

    if scenario is None:
        text, source = default_scenario_text(), "<embedded soyuz-ms-28.toml>"
        sc = parse_scenario(text, source, target_ephemeris=station, no_return=no_return)
    else:
        input_file(scenario, "scenario", "give a scenario .toml path (`gyrfalcon scenario init FILE` writes one)")
        sc = load_scenario(scenario, target_ephemeris=station, no_return=no_return)
        text, source = Path(scenario).read_text(encoding="utf-8"), str(scenario)
    if sc.dispersions is not None:       # ignored by a single run, but a broken table is still an error
        from ..scale.dispersions import parse_dispersions

        parse_dispersions(sc.dispersions, source)
    changes = {}
    if seed is not None:
        changes["seed"] = int(seed)
    if what_if:
        changes["what_if"] = True
    if changes:
        sc = sc.model_copy(update=changes)
    return sc, text, source


def _fly_and_write(sc, source, text, out_dir, no_files, quiet, station_oem, station_tle) -> tuple:
    """(the MissionResult, what was written or None, the OutputsIncompleteError or None): flown with a
    progress bar on a terminal, quietly otherwise."""
    from ..mission.runner import OutputsIncompleteError, fly, write_outputs
    from ..refusals import completed_scheme_refusals
    from .station_opts import station_option_named

    written = incomplete = None
    progress = None
    with contextlib.ExitStack() as stack:
        if not quiet:
            progress = stack.enter_context(_progress_bar())
        with completed_scheme_refusals(), station_option_named(station_oem, station_tle):
            result = fly(sc, source=source, progress=progress)
        if no_files:
            if progress is not None:
                progress("outputs", "skip")
        else:
            try:
                written = write_outputs(result, out_dir, text, progress=progress)
            except OutputsIncompleteError as exc:
                written, incomplete = exc.written, exc
    return result, written, incomplete


@contextlib.contextmanager
def _progress_bar():
    """A Rich progress bar with one line per phase of the runner; yields the ``progress(phase, status)`` callback."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ..mission.runner import PHASES

    with Progress(TextColumn("{task.description:<12}"), BarColumn(), TextColumn("{task.fields[status]}"),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=False) as bar:
        tasks = {p: bar.add_task(p, total=1, status="", start=False) for p in PHASES}

        def progress(phase, status):
            task = tasks[phase]
            if status == "start":
                bar.start_task(task)
                bar.update(task, status="running")
            elif status == "done":
                bar.update(task, completed=1, status="done")
                bar.stop_task(task)
            else:
                bar.start_task(task)
                bar.update(task, completed=1, status="skipped")
                bar.stop_task(task)

        yield progress


def not_docked(result) -> None:
    """Exit 3 with the reason on stderr when the flight did not end docked
    (:meth:`~gyrfalcon.mission.result.MissionResult.shortfall`: the countdown scrubbed, or the
    approach ended without capture): the timeline and any outputs are written first, but the run
    does not end as a success."""
    short = result.shortfall()
    if short is not None:
        from .common import _err_line

        label, line = short
        _err_line(line, label)
        raise typer.Exit(EXIT_NOT_CAPTURED)


def print_timeline(result, out_dir, written) -> None:
    """The analyst's table: event, UTC, MET, notes; then the headline figures and the outputs."""
    from rich.table import Table
    from rich.text import Text

    from ..time import format_met

    c = console()
    sc = result.scenario
    crew = f" -- crew {', '.join(sc.crew.names)}" if sc.crew.names else ""
    call = f" (callsign '{sc.crew.callsign}')" if sc.crew.callsign else ""
    if getattr(result, "what_if", False):
        c.print(Text("WHAT-IF: flown although it breaks station rules (see the notes)", style="bold yellow"))
    c.print(Text(f"{sc.title or sc.name}{crew}{call}  seed {result.seed}", style="bold"))
    t = Table(show_header=True, header_style="bold")
    t.add_column("event")
    t.add_column("UTC")
    t.add_column("MET", justify="right")
    t.add_column("notes", overflow="fold")
    for e in result.events:   # Text: notes may hold brackets that are not rich markup
        t.add_row(Text(e.name), Text(e.utc.replace("T", " ").rstrip("Z")), Text(format_met(e.met_s)), Text(e.notes))
    c.print(t)
    dv = "-" if result.total_dv_mps is None else f"{result.total_dv_mps:.1f} m/s"
    c.print(f"launch {result.launch_utc or '-'}   insertion {result.insertion_utc or '-'}   contact "
            f"{result.contact_utc or '-'}   landing {result.landing_utc or '-'}   rendezvous dv {dv}", highlight=False)
    for n in result.notes:
        c.print(f"note: {n}", style="dim", highlight=False, markup=False)
    if written:
        c.print(f"outputs in {out_dir}/: " + "; ".join(f"{k}: {v}" for k, v in written.items()), highlight=False,
                markup=False)
