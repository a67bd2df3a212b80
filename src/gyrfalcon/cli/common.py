"""Shared CLI plumbing: one red line and exit code 2 for every GyrfalconError."""
from __future__ import annotations

import contextvars
import functools
import sys

import typer

EXIT_USER_ERROR = 2
EXIT_NOT_CAPTURED = 3
"""A simulated approach that ended without capture (the reason is printed on stderr)."""
EXIT_SYSTEM_ERROR = 1
"""The system refused (disk full, permission changed mid-run, ...): one line, nothing half-written."""
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
"""The reader of stdout closed it (``gyrfalcon ... | head -1``): no message, the exit status of a
process ended by SIGPIPE (128 + 13), as the shell tools in such a pipeline give."""


def silence_stdout(stream=None) -> None:
    """After a closed stdout (Python docs, "Note on SIGPIPE"): os.devnull duplicated onto stdout
    (or onto ``stream``, e.g. a stderr sent down the same closed pipe), so that the interpreter's
    final flush does not fail a second time; the caller then exits quietly with
    :data:`EXIT_BROKEN_PIPE`."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, (stream or sys.stdout).fileno())
    except (OSError, ValueError, AttributeError):   # stdout without a file descriptor (a test runner)
        pass


def _err_line(message: str, label: str = "error", style: str = "bold red") -> None:
    from rich.text import Text

    line = Text(f"{label}: ", style=style)
    line.append(str(message))           # data, not markup: a '[/]' in a name prints as it is
    _StdoutConsole(stderr=True, highlight=False, soft_wrap=True).print(line)   # a closed pipe: BrokenPipeError


def fail(message: str, code: int = EXIT_USER_ERROR) -> None:
    """Print one red line on stderr and exit with ``code`` (2: bad input)."""
    _err_line(message)
    raise typer.Exit(code)


_PENDING_WARNINGS: contextvars.ContextVar = contextvars.ContextVar("gyrfalcon_cli_warnings", default=None)
"""Warnings of the running command, held back so that a refused input prints one line only."""


def warn(message: str) -> None:
    """A yellow ``warning:`` line on stderr: held until the command ends well (dropped when it
    ends with an error, whose one line then stands alone); printed at once outside a command."""
    pending = _PENDING_WARNINGS.get()
    if pending is None:
        _err_line(message, "warning", "bold yellow")
    else:
        pending.append(str(message))


def _flush_warnings(pending: list) -> None:
    for w in pending:
        _err_line(w, "warning", "bold yellow")
    pending.clear()


def handle_errors(fn):
    """Decorator for command functions: a GyrfalconError becomes one red line and exit code 2;
    an OSError (disk full, permissions) one line and exit code 1; Ctrl-C one line and 130.
    Warnings (:func:`warn`) are printed when the command ends without an input error."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from ..errors import GyrfalconError

        pending: list = []
        token = _PENDING_WARNINGS.set(pending)
        try:
            result = fn(*args, **kwargs)
            _flush_warnings(pending)
            return result
        except typer.Exit as exc:
            if exc.exit_code in (0, EXIT_NOT_CAPTURED):
                _flush_warnings(pending)
            raise
        except BrokenPipeError:
            silence_stdout()
            try:
                _flush_warnings(pending)     # stderr may still be open: the warnings of what was done
                sys.stderr.flush()
            except OSError:                  # ... or the same closed pipe (2>&1 | head)
                silence_stdout(sys.stderr)
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except GyrfalconError as exc:
            fail(str(exc))
        except MemoryError:
            fail("out of memory; give a smaller problem (shorter --duration, larger --step, fewer --runs)",
                 EXIT_SYSTEM_ERROR)
        except OSError as exc:
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            fail(f"{exc.strerror or exc}{where}; nothing incomplete was left under the output name",
                 EXIT_SYSTEM_ERROR)
        except KeyboardInterrupt as exc:      # a campaign says what its folder holds
            fail(f"interrupted; {exc.args[0] if exc.args else 'nothing incomplete was left under the output name'}",
                 EXIT_INTERRUPTED)
        finally:
            _PENDING_WARNINGS.reset(token)

    return wrapper


def print_json(obj) -> None:
    """Print ``obj`` as JSON on stdout (no colour, no wrapping)."""
    from ..io.jsontext import json_text

    sys.stdout.write(json_text(obj, indent=2) + "\n")


def console():
    """The stdout console. Markup is OFF: strings (table cells, headers, titles, printed text) are
    shown as they are, so user text such as a vehicle named '[/]' or '[backup]' is data. Styled
    lines pass ``markup=True`` and escape what they interpolate (:func:`gyrfalcon.cli.checks.esc`).
    Sent to a file or a pipe, a line is never broken at the 80 columns Rich then assumes (a file name
    or a figure split in two defeats grep and copy-paste); tables keep that width."""
    c = _StdoutConsole(markup=False)
    if not c.is_terminal:
        c.soft_wrap = True
    return c


def _rich_console_class():
    from rich.console import Console

    class StdoutConsole(Console):
        """Rich's console whose closed stream (stdout, or a stderr sent down the same pipe) raises
        BrokenPipeError (handled by :func:`handle_errors` and the entry point) instead of Rich's own
        ``SystemExit(1)``."""

        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    return StdoutConsole


def _StdoutConsole(**kwargs):
    return _rich_console_class()(**kwargs)

