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
)



@app.callback()
def _root() -> None:
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


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    main()
