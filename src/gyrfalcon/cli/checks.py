"""Input checks every command makes before heavy work (one line, exit code 2 when one fails).

* paths: :func:`input_file` (exists, a file, readable, an intact gzip);
  output folders/files: :mod:`gyrfalcon.mission.outdir` (re-exported here);
* sizes: :func:`check_memory` against the memory the system reports available
  (``MemAvailable`` of ``/proc/meminfo``, else ``os.sysconf``), with the limit in the message;
* numbers: :func:`check_seed`, :func:`check_count`;
* addresses: :func:`check_reachable` (a TCP connect with a short timeout);
* user text: :func:`esc` (Rich markup escaped: a name such as ``[/]`` is data, not markup).
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputError
from ..resources import SEED_MAX
from ..mission.outdir import OutputError, check_output_file, check_output_folder  # noqa: F401 - re-exported

CONNECT_TIMEOUT_S = 3.0
"""How long an address may take to answer a TCP connect before it is refused [s]."""


def esc(text) -> str:
    """``text`` with Rich markup escaped (for f-strings printed through a Rich console)."""
    from rich.markup import escape

    return escape(str(text))


def input_file(path, what: str = "input file", hint: str = "check the path") -> Path:
    """``path`` as a Path if it is a readable regular file (an intact gzip if it looks like one);
    else :class:`~gyrfalcon.errors.InputError` saying what was wrong."""
    if path is None or str(path).strip() == "":
        raise InputError(f"{what}: empty path; give a file path")
    p = Path(path)
    if "\x00" in str(path):
        raise InputError(f"{what} {str(path)!r}: a path cannot hold a NUL character")
    try:
        exists = p.exists()
    except OSError as exc:          # e.g. name too long
        raise InputError(f"{what} {str(path)[:80]!r}: {exc.strerror or exc}") from None
    if not exists:
        raise InputError(f"{what} {p}: no such file; {hint}")
    if p.is_dir():
        raise InputError(f"{what} {p} is a folder; give a file inside it")
    if not p.is_file():
        raise InputError(f"{what} {p} is not a regular file (a device or pipe); give a file")
    if not os.access(p, os.R_OK):
        raise InputError(f"{what} {p} is not readable (permissions); give a file you can read")
    check_gzip(p, what)
    return p


def read_text(path, what: str = "input file", hint: str = "check the path") -> str:
    """The UTF-8 text of a checked input file (:func:`input_file`); binary or other encodings refused."""
    p = input_file(path, what, hint)
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} {p} is not UTF-8 text (byte {exc.start}); give a text file") from None


def check_gzip(p: Path, what: str = "input file") -> None:
    """A ``.gz`` file (or one starting with the gzip magic) must decompress to its end."""
    import gzip
    import zlib

    with open(p, "rb") as fh:
        magic = fh.read(2)
    if magic != b"\x1f\x8b" and not p.name.endswith(".gz"):
        return
    try:
        with gzip.open(p, "rb") as fh:
            while fh.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{what} {p} is not a readable gzip file ({exc}); give an intact .gz or the "
                         "uncompressed file") from None


def check_seed(seed, option: str = "--seed") -> None:
    if seed is None:
        return
    if seed < 0 or seed > SEED_MAX:
        raise InputError(f"{option} {seed}: a seed is an integer from 0 to {SEED_MAX}")


def check_count(value, option: str, lo: int = 1, hi: int | None = None) -> None:
    if value is None:
        return
    if value < lo or (hi is not None and value > hi):
        rng = f">= {lo}" if hi is None else f"{lo}..{hi}"
        raise InputError(f"{option} {value}: must be {rng}")


def check_range(value, option: str, lo: float, hi: float, unit: str = "") -> None:
    """Refuse a number that is not finite or lies outside ``lo..hi``, naming the option."""
    import math

    if value is None:
        return
    if not (math.isfinite(value) and lo <= value <= hi):
        raise InputError(f"{option} {value}: must be a number from {lo:g} to {hi:g}{unit}")


def check_reachable(address: str, option: str, timeout_s: float = CONNECT_TIMEOUT_S,
                    default_port: int | None = None) -> None:
    """Refuse quickly an address (``tcp://host:port``, ``host:port`` or a database URL) that does
    not accept a TCP connection within ``timeout_s``."""
    import socket
    from urllib.parse import urlsplit

    text = str(address).strip()
    if "://" not in text:
        text = "tcp://" + text
    try:
        u = urlsplit(text)
        host, port = u.hostname, u.port
    except ValueError as exc:
        raise InputError(f"{option} {address!r} is not an address ({exc}); give e.g. tcp://10.0.0.5:8786") from None
    port = port or default_port
    if not host or not port:
        raise InputError(f"{option} {address!r} has no host:port; give e.g. tcp://10.0.0.5:8786")
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            pass
    except (OSError, UnicodeError) as exc:
        why = "no answer" if isinstance(exc, socket.timeout) else (getattr(exc, "strerror", None) or str(exc))
        raise InputError(f"{option} {address}: cannot connect to {host}:{port} within {timeout_s:g} s ({why}); "
                         "check that it is running and reachable") from None


def pick_alias(value, alias, name: str, alias_name: str, default=None):
    """One value from an option and its hidden old spelling (both given and different: error)."""
    if value is not None and alias is not None and value != alias:
        raise InputError(f"{alias_name} is the old name of {name}; give only {name}")
    if value is not None:
        return value
    if alias is not None:
        return alias
    return default


def load_oem_checked(path, option: str = "--station-oem"):
    """The :class:`~gyrfalcon.io.oem.OEM` in ``path`` (given with ``option``), refused in one line,
    worded for a CLI user, when it is not an OEM (a TLE/OMM: give it with the element-set option),
    or holds several objects (no option here chooses one); the reader itself refuses a
    non-positive ``COMMENT MASS``, ``DRAG_AREA`` or ``DRAG_COEFF``."""
    from ..io.oem import load_oem
    from ..orbits.station_source import sniff

    p = input_file(path, option)
    if sniff(p) != "oem":
        other = "--from-tle" if option.startswith("--from") else "--station-tle"
        raise InputError(f"{option} {p} holds element sets (TLE/OMM), not an OEM; give it with {other}")
    oem = load_oem(p)
    names = oem.object_names
    if len(names) > 1:
        raise InputError(f"{option} {p} holds {len(names)} objects ({', '.join(names)}); give an OEM with one "
                         "object (the station's segments only)")
    return oem
