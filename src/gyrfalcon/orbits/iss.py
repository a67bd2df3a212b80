"""The default ISS trajectory: NASA's OEM issued 2025-11-24, shipped with Gyrfalcon.

The file is NASA/JSC's public ``ISS.OEM_J2K_EPH.txt`` created 2025-11-24T20:10:38.633 UTC
(byte-identical, gzip; origin and sha256 in ``orbits/data/README.md``). It covers
2025-11-24T12:00 to 2025-12-09T12:00 UTC every 4 min in EME2000, enough for the Soyuz MS-28
flight (launch 27 Nov 2025 09:27:57 UTC) and the Soyuz MS-27 return (undock 9 Dec 01:40 UTC).

Assumptions and limits: it is NASA's *prediction* at creation, including their planned
manoeuvres; it is not a reconstruction. Along-track error grows with the prediction's age
(hundreds of metres at creation, kilometres after a few days). Outside its span,
:meth:`~gyrfalcon.orbits.ephemeris.Ephemeris.at` raises
:class:`~gyrfalcon.errors.EphemerisRangeError`.

>>> oem = load_iss_default()
>>> oem.originator, oem.segments[0].object_name, len(oem.segments[0])
('NASA/JSC/FOD/TOPO', 'ISS', 5402)
>>> [e.name for e in oem.events]
['74S Launch', '74S Dock', '73S Undock']
>>> from gyrfalcon.time import iso_utc
>>> iso_utc(oem.events[0].tig)
'2025-11-27T09:27:57.000Z'
"""
from __future__ import annotations

import copy
import functools

ISS_DEFAULT_FILE = "ISS.OEM_J2K_EPH_created-2025-11-24_54cc94f.txt.gz"
"""Name of the shipped OEM in ``gyrfalcon/orbits/data``."""
ISS_DEFAULT_SHA256 = "d1861be10e5c8b06e4869e55c448732f25935ebad9037e33c9c8988f53876fec"
"""sha256 of the shipped ``.gz`` file (checked by the tests)."""


def iss_default_path():
    """Path of the shipped OEM file (inside the installed package)."""
    from importlib.resources import files

    return files("gyrfalcon.orbits") / "data" / ISS_DEFAULT_FILE


@functools.lru_cache(maxsize=1)
def _parsed_iss_default():
    from ..io.oem import load_oem

    return load_oem(iss_default_path())


def load_iss_default():
    """The shipped NASA ISS OEM, parsed (:class:`gyrfalcon.io.oem.OEM`).

    The file is parsed once; each call returns its own copy (about 0.5 ms), so a caller that
    edits it (its metadata dicts, its sample arrays) changes nothing for the next caller.
    """
    return copy.deepcopy(_parsed_iss_default())


@functools.lru_cache(maxsize=4)
def _iss_ephemeris(frame: str):
    return _parsed_iss_default().ephemeris(frame)


def iss_ephemeris(frame: str = "GCRF"):
    """The shipped ISS trajectory as an :class:`~gyrfalcon.orbits.ephemeris.Ephemeris` in ``frame``
    (default GCRF: NASA's EME2000 samples rotated by the frame bias).

    ``mass_kg`` holds NASA's ISS mass (494,318.8 kg); ``meta`` the spacecraft drag data and
    the planned events. Built once per frame; each call returns its own copy (under 1 ms), so
    editing one leaves every other caller's trajectory as shipped.

    >>> e = iss_ephemeris(); e.r_m[:] = 0.0
    >>> bool(iss_ephemeris().r_m.any())
    True
    """
    return copy.deepcopy(_iss_ephemeris(frame))
