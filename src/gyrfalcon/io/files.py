"""Reading an input file: its bytes, or one line saying why not (missing, a folder, unreadable)."""
from __future__ import annotations

import os
from pathlib import Path


def read_input_bytes(path, what: str, error: type, hint: str) -> tuple[Path, bytes]:
    """``(path, bytes)`` of the ``what`` file at ``path``; ``error`` (a :class:`GyrfalconError`
    class) with ``hint`` (what would work) when it cannot be read.

    >>> from gyrfalcon.errors import InputError
    >>> read_input_bytes(None, "OEM", InputError, "give a path")
    Traceback (most recent call last):
    ...
    gyrfalcon.errors.InputError: give the path of an OEM file, not None; give a path
    """
    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        article = "an" if what[:1].upper() in "AEFHILMNORSX" else "a"
        raise error(f"give the path of {article} {what} file, not {path!r}; {hint}")
    p = Path(path)
    if p.is_dir():
        raise error(f"{what} file '{p}' is a folder; {hint}")
    try:
        return p, p.read_bytes()
    except FileNotFoundError:
        raise error(f"{what} file '{p}' does not exist; {hint}") from None
    except OSError as exc:
        raise error(f"cannot read {what} file '{p}': {exc.strerror or exc}; {hint}") from None
