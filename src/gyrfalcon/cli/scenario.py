"""``gyrfalcon scenario``: write a commented template, or check a scenario file."""
from __future__ import annotations

from pathlib import Path

import typer

from .common import console, fail, handle_errors


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="Mission scenario files (TOML): template and validation.", no_args_is_help=True)
    app.add_typer(sub, name="scenario")

    @sub.command("init")
    @handle_errors
    def init(
        path: Path = typer.Argument(Path("scenario.toml"), help="Where to write the template."),
        force: bool = typer.Option(False, "--overwrite", "--force", help="Overwrite an existing file "
                                   "(--force: the old name)."),
        default: bool = typer.Option(False, "--ms28", help="Write the Soyuz MS-28 default scenario instead."),
    ):
        """Write a commented scenario template (every key, its default and what is allowed)."""
        from ..mission.scenario import default_scenario_text, template_text

        from ..mission.outdir import atomic_write_text
        from .checks import check_output_file

        if path.exists() and not path.is_dir() and not force:
            fail(f"{path} exists; give another path or --overwrite to replace it")
        check_output_file(path, force, "scenario file")
        atomic_write_text(path, default_scenario_text() if default else template_text())
        import shlex

        console().print(f"wrote {path}; edit it, then: gyrfalcon run {shlex.quote(str(path))}")

    @sub.command("check")
    @handle_errors
    def check(path: Path = typer.Argument(..., help="Scenario TOML file.")):
        """Validate a scenario file and read its station data as `run` does (nothing is flown)."""
        from ..mission.scenario import load_scenario

        sc = load_scenario(path)
        if sc.dispersions is not None:
            from ..scale.dispersions import parse_dispersions

            parse_dispersions(sc.dispersions, str(path))
        # the station read as `run` reads it (the one loader, at the launch time): refused or warned alike
        from ..mission.runner import target_station
        from .station_opts import print_warnings

        print_warnings(target_station(sc, str(path)).warnings)
        # the liftoff `run` would fly (the fixed one, or the window it would find) and the station
        # rules it checks there before flying
        from ..refusals import completed_scheme_refusals
        from ..mission.runner import rules_before_flight
        from ..time import iso_utc

        with completed_scheme_refusals():      # worded as `run` words them: the nearest launch, pads in service
            liftoff, rules = rules_before_flight(sc, str(path))
        print_warnings(rules)
        when = (f"liftoff {iso_utc(liftoff, 1)}" if sc.launch.time else
                f"first feasible window after {sc.launch.first_feasible_after}: liftoff {iso_utc(liftoff, 0)}")
        said = "station rules checked at that liftoff" + (" (what-if)" if sc.what_if else "")
        console().print(f"{path}: OK -- {sc.vehicle.name} from {sc.launch.pad}, {when}, scheme {sc.rendezvous.scheme}, "
                        f"port {sc.docking.port}, return {'on ' + (sc.stay.land_on or f'+{sc.stay.days} d') if sc.return_.enabled else 'off'}; "
                        f"{said}")
