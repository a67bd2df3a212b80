"""The station options shared by every command (``--station-oem`` / ``--station-tle``).

Every command gets its station from :func:`gyrfalcon.orbits.station_source.load_station`
through :func:`station_from_options`; the warnings it returns are printed on stderr (yellow),
one line each. What a command reports about its station (source, drag scale +- sigma, fit rms
and arc, burns, warnings) comes from :func:`station_report_line` (text) and
:func:`station_report_dict` (``--json``: the ``"station"`` object).
"""
from __future__ import annotations

import contextlib

OEM_HELP = "Station ephemeris (CCSDS OEM). Default: the packaged NASA ISS file of 2025-11-24."
TLE_HELP = ("Station element sets: a TLE file, a CSV of TLE lines or an OMM JSON/CSV/XML series. The orbit is fitted (state and drag) "
            "to the sets dated before the flight, never after, and propagated.")


def station_from_options(station_oem, station_tle, at_utc=None, until_utc=None, extend_oem: bool = False,
                         label: str | None = None):
    """The :class:`~gyrfalcon.orbits.station_source.Station` for ``--station-oem``/``--station-tle``
    (neither: the packaged ISS OEM); warnings printed on stderr. Element sets are propagated to
    ``until_utc``; an OEM only with ``extend_oem`` (``landing``: a return weeks after the file,
    drag fitted on its last samples, with the staleness warning), else it must cover the flight
    (the rendezvous commands refuse one that ends before the contact, naming the span)."""
    from ..orbits.station_source import load_station

    src = _given_source(station_oem, station_tle)
    _refuse_an_oem_as_element_sets(station_tle)
    if station_oem:
        from .checks import load_oem_checked

        src = load_oem_checked(station_oem, "--station-oem")     # refused in CLI words (objects, mass)
    st = load_station(src, at_utc=at_utc, until_utc=until_utc if station_tle or extend_oem else None,
                      expect_iss=True, label=label)
    print_warnings(st.warnings)
    return st


def _given_source(station_oem, station_tle):
    """The path given by ``--station-oem`` or ``--station-tle`` (None: neither), refused when both are
    given or the one given is empty (an unset shell variable must not fall back to the packaged file)."""
    from ..errors import InputError

    if station_oem is not None and station_tle is not None:
        raise InputError("give either --station-oem or --station-tle, not both")
    for opt, value in (("--station-oem", station_oem), ("--station-tle", station_tle)):
        if value is not None and not str(value).strip():
            raise InputError(f"{opt}: empty path; give a file path, or leave the option out for the packaged "
                             "NASA ISS ephemeris")
    return station_oem if station_oem is not None else station_tle


def _refuse_an_oem_as_element_sets(station_tle) -> None:
    """``--station-tle`` naming an OEM: refused, naming the option that takes it (a missing file, a
    folder: refused by :func:`gyrfalcon.cli.checks.input_file`)."""
    if not station_tle:
        return
    from ..errors import InputError
    from ..orbits.station_source import sniff
    from .checks import input_file

    input_file(station_tle, "--station-tle", "give a TLE file or an OMM series")
    if sniff(station_tle) == "oem":
        raise InputError(f"--station-tle {station_tle} is an OEM; give it with --station-oem")


def print_warnings(warnings) -> None:
    """Each warning as one yellow line on stderr (held back by the command until it ends without
    an input error: see :func:`gyrfalcon.cli.common.warn`)."""
    from .common import warn

    for w in warnings or ():
        warn(w)


def station_report_dict(station) -> dict:
    """What a command reports about its station under ``--json`` (the ``"station"`` object):
    :meth:`~gyrfalcon.orbits.station_source.Station.to_dict`."""
    return station.to_dict()


def station_report_line(station) -> str:
    """The one line (no markup) a command prints about its station:
    :meth:`~gyrfalcon.orbits.station_source.Station.describe`."""
    return f"station: {station.describe()}"


def station_path(station_oem, station_tle):
    """The absolute path given by ``--station-oem``/``--station-tle`` (or None), checked as
    :func:`station_from_options` checks it (:func:`gyrfalcon.cli.checks.input_file`: missing, a
    folder, unreadable; an OEM also read and checked: :func:`gyrfalcon.cli.checks.load_oem_checked`)."""
    from pathlib import Path

    src = _given_source(station_oem, station_tle)
    if src is None:
        return None
    if station_oem:
        from .checks import load_oem_checked

        load_oem_checked(src, "--station-oem")    # several objects, a bad MASS: refused here in CLI words
    _refuse_an_oem_as_element_sets(station_tle)
    return str(Path(src).resolve())


@contextlib.contextmanager
def station_option_named(station_oem, station_tle):
    """Within it, a refusal of the station data that the runner labels by the scenario key
    (``target.ephemeris: ...``) is labelled by the option that gave the file instead
    (``--station-oem`` / ``--station-tle``), when one did."""
    from ..errors import InputError

    option = "--station-oem" if station_oem else "--station-tle" if station_tle else None
    try:
        yield
    except InputError as exc:
        prefix = "target.ephemeris: "
        if option is None or not str(exc).startswith(prefix):
            raise
        raise InputError(f"{option} {str(exc)[len(prefix):]}") from None

