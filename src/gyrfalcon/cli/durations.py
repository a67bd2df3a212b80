"""Parsing of human durations for the CLI (``24h``, ``90m``, ``60s``, ``1.5d``): the unit is required
(a bare ``24`` could mean hours as well as seconds)."""
from __future__ import annotations

import re

from ..errors import InputError

_UNITS = {"s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration_s(text: str) -> float:
    """Seconds in a duration string.

    >>> parse_duration_s("24h"), parse_duration_s("90m"), parse_duration_s("60s"), parse_duration_s("1.5d")
    (86400.0, 5400.0, 60.0, 129600.0)
    >>> parse_duration_s("3 weeks")
    Traceback (most recent call last):
    ...
    gyrfalcon.errors.InputError: cannot read duration '3 weeks'; use a number with s, m, h or d (e.g. 24h, 90m, 60s)
    >>> parse_duration_s("24")
    Traceback (most recent call last):
    ...
    gyrfalcon.errors.InputError: duration '24' has no unit; give one: 24s, 24m, 24h or 24d
    """
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(s|sec|m|min|h|d)?\s*", str(text))
    if not m:
        raise InputError(f"cannot read duration '{text}'; use a number with s, m, h or d (e.g. 24h, 90m, 60s)")
    if m.group(2) is None:
        raise InputError(f"duration '{text}' has no unit; give one: {m.group(1)}s, {m.group(1)}m, {m.group(1)}h "
                         f"or {m.group(1)}d")
    value = float(m.group(1)) * _UNITS[m.group(2)]
    if value <= 0:
        raise InputError(f"duration '{text}' must be positive")
    return value
