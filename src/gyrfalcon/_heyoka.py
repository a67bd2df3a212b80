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

