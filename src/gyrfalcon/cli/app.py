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


def _click_errors():
    """(usage errors, no-args-is-help, abort) exception classes of click and of the click that
    newer typer releases vendor (``typer._click``)."""
    mods = []
    try:
        import typer._click.exceptions as vendored

        mods.append(vendored)
    except ImportError:
        pass
    import click.exceptions as clk

    mods.append(clk)

    def pick(*names):
        return tuple({getattr(m, n) for m in mods for n in names if hasattr(m, n)})

    return pick("UsageError"), pick("NoArgsIsHelpError", "NoArgsIsHelp"), pick("Abort")


def main() -> None:  # console-script entry point
    """Run the app; a usage error (unknown option, bad option value) is one line on stderr and
    exit code 2, like every other refused input (click would print its usage block first)."""
    import sys

    from .common import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_USER_ERROR, _err_line, silence_stdout

    import warnings

    # numpy's floating-point notices (overflow, divide by zero) on absurd input are not for the
    # person at the terminal: the refusal that follows is one line saying what was wrong
    warnings.filterwarnings("ignore", r"(overflow|divide by zero|invalid value|underflow) encountered",
                            RuntimeWarning)
    if sys.stdout is None:               # started with stdout closed (`gyrfalcon ... >&-`): what it would print
        import os                        # is discarded; files, a server, the exit status still work

        sys.stdout = open(os.devnull, "w", encoding="utf-8")
    usage, no_args, abort = _click_errors()
    stdout = sys.stdout
    try:
        code = app(standalone_mode=False)
        sys.stdout.flush()               # a closed pipe shows here, not in the interpreter's last flush
    except BrokenPipeError:              # stdout's reader left (`gyrfalcon ... | head -1`): quiet exit
        silence_stdout()
        sys.exit(EXIT_BROKEN_PIPE)
    except SystemExit as exc:            # click met the closed pipe itself (--help, --version): it swaps
        if exc.code == 1 and sys.stdout is not stdout:       # stdout for a quiet one and exits 1
            sys.exit(EXIT_BROKEN_PIPE)
        raise
    except no_args as exc:
        print(exc.ctx.get_help())
        sys.exit(EXIT_USER_ERROR)
    except usage as exc:
        where = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else "gyrfalcon"
        _err_line(f"{exc.format_message()} (see '{where} --help')")
        sys.exit(EXIT_USER_ERROR)
    except abort:
        _err_line("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
