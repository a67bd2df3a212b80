"""Time scales against published constants and IERS figures (independent references)."""
import datetime as dt

import numpy as np
import pytest

from gyrfalcon import time as gt
from gyrfalcon.errors import GyrfalconError, NaiveDatetimeError, TimeError, UnknownTimeScaleError


def test_tai_utc_and_tt_tai_in_2025():
    # IERS Bulletin C: TAI - UTC = 37 s since 2017-01-01; TT - TAI = 32.184 s by definition
    t = gt.parse_utc("2025-11-27T09:27:57.4Z")
    assert (t.tai - gt.julian_date(t, "UTC")) * 86400 == pytest.approx(37.0, abs=1e-4)
    assert (t.tt_fraction - t.tai_fraction) * 86400 == pytest.approx(32.184, abs=1e-6)
    # GPS time = TAI - 19 s, so GPS - UTC = 18 s in 2025
    # (a float Julian date near 2.46e6 resolves ~40 us, hence the tolerance)
    assert (gt.julian_date(t, "GPS") - gt.julian_date(t, "UTC")) * 86400 == pytest.approx(18.0, abs=1e-4)


def test_leap_second_2016_counts():
    # the leap second 2016-12-31T23:59:60 makes this UTC minute 61 s long
    a = gt.utc(2016, 12, 31, 23, 59, 0)
    b = gt.utc(2017, 1, 1, 0, 0, 0)
    assert gt.seconds_between(a, b) == pytest.approx(61.0, abs=1e-6)


def test_a_written_leap_second_is_read_only_where_there_was_one():
    """IERS Bulletin C: leap seconds ended 2015-06-30 and 2016-12-31, none since (TAI-UTC = 37 s).
    Before: 23:59:60 was read on every 30 June / 31 December (2025-12-31T23:59:60Z as the next
    day's midnight), and a real one written with an offset was refused or moved."""
    real = gt.parse_utc("2016-12-31T23:59:60.5Z")
    for same in ("2017-01-01T02:59:60.5+03:00", "2016-12-31T18:59:60.5-05:00", "2016-366T23:59:60.5"):
        assert gt.seconds_between(real, gt.parse_utc(same)) == pytest.approx(0.0, abs=1e-4), same
    assert gt.seconds_between(gt.parse_utc("2015-06-30T23:59:59Z"), gt.parse_utc("2015-06-30T23:59:60Z")) == \
        pytest.approx(1.0, abs=1e-4)
    for never in ("2025-12-31T23:59:60Z", "2026-06-30T23:59:60Z", "2016-12-31T22:59:60Z", "2016-365T23:59:60"):
        with pytest.raises(gt.TimeError):
            gt.parse_utc(never)


def test_ut1_matches_iers_at_orekit_epoch():
    # Orekit reference header (IERS finals2000A, Bulletin B): UT1-UTC = 0.0843092 s on 2025-11-24T12:00 UTC.
    # We use the Bulletin A column of the same product; A and B differ by well under 1 ms.
    t = gt.parse_utc("2025-11-24T12:00:00Z")
    assert float(t.dut1) == pytest.approx(0.0843092, abs=1e-3)


def test_polar_motion_installed():
    # Orekit header: xp = 0.137662", yp = 0.313506" at 2025-11-24T12:00 UTC
    t = gt.parse_utc("2025-11-24T12:00:00Z")
    _, x, y = t.polar_motion_angles()
    assert x == pytest.approx(0.137662, abs=2e-3)
    assert y == pytest.approx(0.313506, abs=2e-3)


def test_parse_forms_agree():
    ref = gt.utc(2025, 11, 27, 9, 27, 57.4)
    for text in ("2025-11-27T09:27:57.4Z", "2025-11-27 09:27:57.400", "2025-11-27T14:27:57.4+05:00",
                 "2025-331T09:27:57.4"):
        assert abs(gt.seconds_between(ref, gt.parse_utc(text))) < 1e-6, text
    aware = dt.datetime(2025, 11, 27, 9, 27, 57, 400000, tzinfo=dt.timezone.utc)
    assert abs(gt.seconds_between(ref, gt.parse_utc(aware))) < 1e-6


def test_naive_datetime_refused_with_advice():
    with pytest.raises(NaiveDatetimeError) as exc:
        gt.from_datetime(dt.datetime(2025, 11, 27, 9, 27, 57))
    assert "tzinfo" in str(exc.value) and isinstance(exc.value, GyrfalconError)


@pytest.mark.parametrize("bad", ["27/11/2025", "2025-13-01", "2025-11-27T25:00", "yesterday", "2025-11-31",
                                 "2025-02-29"])
def test_bad_strings_refused(bad):
    with pytest.raises(TimeError) as exc:
        gt.parse_utc(bad)
    assert "2025-11-27" in str(exc.value) or "out of range" in str(exc.value)


def test_unknown_scale():
    with pytest.raises(UnknownTimeScaleError):
        gt.julian_date(gt.utc(2025, 1, 1), "TCG")


def test_add_seconds_round_trip_precision():
    t0 = gt.parse_utc("2025-11-27T09:27:57.4Z")
    s = np.array([0.0, 1e-3, 86400.0 * 3 + 0.123456])
    t1 = gt.add_seconds(t0, s)
    assert np.max(np.abs(gt.seconds_between(t0, t1) - s)) < 1e-6


def test_the_earth_orientation_past_heyokas_table_follows_the_iers_predictions():
    """heyoka's bundled EOP table ends 23 Nov 2026 00:00 UTC, so every Earth-fixed propagation of
    current data was refused (a TLE of December 2026 could not be flown). The table is now
    extended by a year (UT1-UTC on its one-year trend, polar motion held); checked against IERS's
    own later predictions (finals2000A.all of 16 Nov 2026, tests/data/README.md), never an input:
    within 0.12 s of UT1 and 0.16 arcsec of polar motion on every day they cover."""
    import csv
    from pathlib import Path

    from gyrfalcon.time import _bundled_eop, eop_table

    path = Path(__file__).parent / "data" / "iers_finals2000A_2026-11-16_predictions.csv"
    rows = list(csv.DictReader(path.open()))
    mjd = np.array([float(r["mjd"]) for r in rows])
    ours = eop_table()
    assert mjd[0] > _bundled_eop()["mjd"][-1] and len(mjd) == 354           # all past heyoka's table
    for col, ref, tol in (("delta_ut1_utc", "ut1_utc_s", 0.12), ("pm_x", "pm_x_arcsec", 0.16),
                          ("pm_y", "pm_y_arcsec", 0.16)):
        iers = np.array([float(r[ref]) for r in rows])
        assert np.max(np.abs(np.interp(mjd, ours["mjd"], ours[col]) - iers)) < tol, col
    # inside heyoka's table nothing changed
    assert np.array_equal(ours[: len(_bundled_eop())], _bundled_eop())


def test_a_current_state_propagates_with_the_earth_fixed_field():
    """A state of 5 Dec 2026 (after heyoka's tables) with the 'full' model: flown, not refused."""
    import gyrfalcon as gf

    s0 = gf.State(gf.utc(2026, 12, 5), [4594538.0, -518497.5, 4971920.0], [3048.8, 6705.9, -2116.0],
                  mass_kg=450000.0)
    e = gf.Propagator("full", params={"drag_area_m2": 1500.0, "drag_cd": 2.2}).propagate(s0, 600.0)
    zonal = gf.Propagator("two-body").propagate(s0, 600.0)
    assert 1.0 < float(np.linalg.norm(e.r_m[-1] - zonal.r_m[-1])) < 20e3       # the field acts, sanely


def test_utc_offsets_as_iso_8601_allows_them():
    """+hh is an ISO 8601 offset (an audit found it refused); a bare date takes none (a review found
    '2025-11-27-05' read as 05:00 UTC once +hh was allowed)."""
    import pytest

    from gyrfalcon.errors import TimeError
    from gyrfalcon.time import iso_utc, parse_utc

    assert iso_utc(parse_utc("2025-11-27T14:27:57+05")) == "2025-11-27T09:27:57.000Z"
    assert iso_utc(parse_utc("2025-11-27T04:27:57-05")) == "2025-11-27T09:27:57.000Z"
    for text in ("2025-11-27-05", "2025-11-27+05", "2025-11-27+0500"):
        with pytest.raises(TimeError):
            parse_utc(text)
