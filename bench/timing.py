"""Timing helper shared by the bench scripts (run as ``python bench/NAME.py``: this folder is on
``sys.path``)."""
from __future__ import annotations

import statistics
import time


def median_time(fn, repeat: int = 5) -> float:
    """Median wall time [s] of ``repeat`` calls of ``fn()`` after one warm-up call."""
    fn()   # warm-up
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)
