"""What a machine can take, checked before heavy work: memory, seeds (layer 0, no gyrfalcon imports
but the errors).

The command line and the library refuse the same work with the same words: a campaign of
10**12 runs or a million local workers is an :class:`~gyrfalcon.errors.InputError` at once, not
minutes of allocation.
"""
from __future__ import annotations

import os

from .errors import InputError

MEMORY_FRACTION = 0.8
"""Share of the available memory a command may plan to use."""
SEED_MAX = 2**63 - 1
"""Largest random seed (numpy's generators take any integer; a seed is written in 64-bit fields)."""
MAX_LOCAL_WORKERS = 1024
"""Most local worker processes a campaign may start."""


def available_memory_bytes() -> int | None:
    """Memory the system reports available to a new allocation [bytes] (None if unknown)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def human_bytes(n: float) -> str:
    """``n`` bytes in B, KiB, MiB, ... (one decimal).

    >>> human_bytes(3 * 1024**3)
    '3.0 GiB'
    """
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def check_memory(needed_bytes: float, what: str, hint: str) -> None:
    """Refuse work whose estimated memory ``needed_bytes`` exceeds :data:`MEMORY_FRACTION` of
    the available memory; the message gives the estimate, the limit and ``hint``."""
    avail = available_memory_bytes()
    if avail is None:
        return
    limit = MEMORY_FRACTION * avail
    if needed_bytes > limit:
        raise InputError(f"{what} needs about {human_bytes(needed_bytes)} of memory; this machine has "
                         f"{human_bytes(avail)} available (limit {human_bytes(limit)}); {hint}")
