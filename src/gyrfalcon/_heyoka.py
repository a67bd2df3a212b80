"""heyoka, imported once for the whole package with its log at error level.

heyoka logs through spdlog to standard output; its warnings (e.g. "exception thrown while
attempting a lookup in the llvm_state on-disk cache: database is locked" when several processes
share the cache) would otherwise land in a command's ``--json`` output. Errors are still logged.
"""
from __future__ import annotations

import functools


@functools.cache
def heyoka():
    """The ``heyoka`` module, its logger set to error level on first use."""
    import heyoka as hy

    hy.set_logger_level_error()
    return hy


@functools.cache
def eop_data():
    """heyoka's EOP dataset for every Earth-orientation expression of the package: its bundled
    IERS table extended past its end (:func:`gyrfalcon.time.eop_table`), so that the dynamics
    and the frames (skyfield's timescale) read one table."""
    from .time import eop_table

    hy = heyoka()
    base = hy.eop_data()
    return hy.eop_data(data=eop_table(), timestamp=base.timestamp, identifier="gyrfalcon_" + base.identifier)


@functools.cache
def sw_data():
    """heyoka's space-weather dataset extended past its end (:func:`gyrfalcon.time.sw_table`)."""
    from .time import sw_table

    hy = heyoka()
    base = hy.sw_data()
    return hy.sw_data(data=sw_table(), timestamp=base.timestamp, identifier="gyrfalcon_" + base.identifier)
