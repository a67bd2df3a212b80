"""The ``gyrfalcon`` command: one typer app, one module per command.

Each command module defines ``register(app)``; this module only assembles them, so
``gyrfalcon --help`` stays fast (heavy imports happen inside the commands).
"""
from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="gyrfalcon",
    help="Plan and simulate crewed flights to a space station, end to end (default: Soyuz MS-28).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,   # help is plain text: units such as [deg], [m/s] stay; flags show no <bool>
)



def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"gyrfalcon {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", is_eager=True, callback=_version,
                                       help="Print the version and exit.")) -> None:
    """Plan and simulate crewed flights to a space station, end to end (default: Soyuz MS-28)."""


# command modules, in the order they appear in --help
COMMAND_MODULES = (
    "gyrfalcon.cli.run",
    "gyrfalcon.cli.scenario",
    "gyrfalcon.cli.station",
    "gyrfalcon.cli.propagate",
    "gyrfalcon.cli.windows",
    "gyrfalcon.cli.rendezvous",
    "gyrfalcon.cli.approach",
    "gyrfalcon.cli.landing",
    "gyrfalcon.cli.traffic",
    "gyrfalcon.cli.montecarlo",
    "gyrfalcon.cli.serve",
)

for _name in COMMAND_MODULES:
    try:
        _mod = importlib.import_module(_name)
    except ModuleNotFoundError as _exc:  # a command still being written
        if _exc.name != _name:
            raise
        continue
    _mod.register(app)


def _plain_help(typer_app: typer.Typer) -> None:
    """Sub-command groups render their help like the root (plain text, units kept)."""
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            group.typer_instance.rich_markup_mode = None
            _plain_help(group.typer_instance)


_plain_help(app)


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    main()
