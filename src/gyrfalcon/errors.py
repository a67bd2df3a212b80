"""Every error Gyrfalcon raises on purpose, under one root.

Each message says what was wrong *and* what would work, so that the CLI can print it as
one line and exit with code 2. Catch :class:`GyrfalconError` to catch them all.

>>> try:
...     raise TLEChecksumError("line 1, column 69: checksum is 3, the line's digits give 2")
... except GyrfalconError as exc:
...     print(type(exc).__name__, "-", exc)
TLEChecksumError - line 1, column 69: checksum is 3, the line's digits give 2
"""
from __future__ import annotations


class GyrfalconError(Exception):
    """Root of every error Gyrfalcon raises deliberately."""


class InputError(GyrfalconError, ValueError):
    """The caller gave something Gyrfalcon cannot use (bad value, format or combination)."""


# --- time and frames -------------------------------------------------------------------
class TimeError(InputError):
    """A time could not be understood."""


class NaiveDatetimeError(TimeError):
    """A ``datetime`` without a time zone was given; Gyrfalcon will not guess UTC."""


class UnknownTimeScaleError(TimeError):
    """A time scale name that Gyrfalcon does not know."""


class UnknownFrameError(InputError):
    """A reference frame name that Gyrfalcon does not know."""


# --- orbit sources ---------------------------------------------------------------------
class OrbitSourceError(InputError):
    """A TLE, OMM or OEM could not be read."""


class StationDataWarning(UserWarning):
    """The station data were used but are weak for the time they serve (stale, too few element
    sets to fit, a planned burn between the data and the flight, ...): the library's form of the
    ``warning:`` lines the command line prints (``Station.warnings``)."""


class TLEFormatError(OrbitSourceError):
    """A TLE line is malformed; the message names the line and column."""


class TLEChecksumError(TLEFormatError):
    """A TLE line's checksum (column 69) does not match its contents."""


class OMMFormatError(OrbitSourceError):
    """An OMM record is missing a field or has an unreadable value."""


class OEMFormatError(OrbitSourceError):
    """A CCSDS OEM file is malformed or lacks required metadata."""


class OEMGapError(OEMFormatError):
    """An OEM segment is sampled too sparsely (a gap, or steps too long for the orbit) for
    interpolation to carry the accuracy asked of it."""


# --- orbits and propagation --------------------------------------------------------------
class ImpossibleOrbitError(InputError):
    """A state or element set that is not a valid Earth orbit (hyperbolic, inside the Earth...)."""


class EphemerisRangeError(GyrfalconError):
    """A time outside the span an ephemeris or data table covers."""


class EphemerisSamplingError(InputError):
    """An ephemeris is sampled too sparsely for the interpolation accuracy asked of it."""


class PropagationError(GyrfalconError):
    """The numerical propagation could not finish (e.g. the orbit decayed into the atmosphere)."""


class ReentryError(PropagationError):
    """The trajectory fell below the minimum altitude before the requested end time."""
