"""Shared CLI plumbing: one red line and exit code 2 for every GyrfalconError."""
from __future__ import annotations

import functools
import json
import sys

import typer

EXIT_USER_ERROR = 2


def fail(message: str) -> None:
    """Print one red line on stderr and exit with code 2."""
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[bold red]error:[/] {message}", markup=True)
    raise typer.Exit(EXIT_USER_ERROR)


def handle_errors(fn):
    """Decorator for command functions: a GyrfalconError becomes one red line and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from ..errors import GyrfalconError

        try:
            return fn(*args, **kwargs)
        except GyrfalconError as exc:
            fail(str(exc))

    return wrapper


def print_json(obj) -> None:
    """Print ``obj`` as JSON on stdout (no colour, no wrapping)."""
    sys.stdout.write(json.dumps(obj, indent=2) + "\n")


def console():
    from rich.console import Console

    return Console()
