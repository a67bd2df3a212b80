"""Orekit's CCSDS OEM test files read as Orekit's own parser tests expect, or refused in one line.

The files are copies of Orekit's ``src/test/resources/ccsds/odm/oem/`` (tests/data/orekit_oem,
origin and licence in its README); every expected value below is the one Orekit's
``OemParserTest.java`` asserts for the same file (line numbers, keywords, epochs, values,
covariance entries in m**2...). Gyrfalcon reads Earth-centred ephemerides in EME2000, GCRF,
ICRF, TEME and ITRF frames with the UTC, TAI, TT, GPS, TDB and UT1 time systems: the files
outside that subset (Mars-centred, TOD, MRT, TCG) are refused in one line naming what is
supported. Most of Orekit's format-error files are Mars-centred; with ``CENTER_NAME`` changed
to ``EARTH`` in memory (line numbers unchanged) they must fail exactly where Orekit fails.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gyrfalcon.errors import OEMFormatError, OEMGapError
from gyrfalcon.io.oem import parse_oem
from gyrfalcon.time import iso_utc, parse_utc, seconds_between

OREKIT = Path(__file__).resolve().parents[1] / "data" / "orekit_oem"


def read(name: str, earth: bool = False):
    text = (OREKIT / name).read_text(encoding="utf-8")
    if earth:
        text = text.replace("MARS BARYCENTER", "EARTH").replace("CENTER_NAME = MARS", "CENTER_NAME = EARTH")
    return parse_oem(text, name)


def refused(name: str, earth: bool = False) -> str:
    with pytest.raises(OEMFormatError) as e:
        read(name, earth)
    msg = str(e.value)
    assert "\n" not in msg and "Traceback" not in msg
    return msg


def utc(text: str) -> str:
    return iso_utc(parse_utc(text + "Z"))


# --- the documented unsupported subset: one line naming what is supported -------------------
@pytest.mark.parametrize("name,line,what", [
    ("OEMExample1.txt", 10, "CENTER_NAME 'MARS BARYCENTER' is not supported; Gyrfalcon reads Earth-centred "
                            "ephemerides only (CENTER_NAME = EARTH)"),
    ("OEMExample3.txt", 10, "CENTER_NAME 'MARS BARYCENTER'"),
    ("OEMExample4.txt", 8, "CENTER_NAME 'MARS' is not supported"),
    ("OEMExample6.txt", 12, "CENTER_NAME 'MARS' is not supported"),
    ("OEMExample8.txt", 9, "CENTER_NAME 'MARS BARYCENTER'"),
    ("OEM-Issue839.txt", 9, "CENTER_NAME 'MARS BARYCENTER'"),
    ("OEMExample2.txt", 11, "REF_FRAME 'TOD' is not supported; use one of EME2000, GCRF, ICRF, TEME, ITRF"),
    ("test.oem", 11, "REF_FRAME 'TOD' is not supported"),
    ("test_cov.oem", 11, "REF_FRAME 'TOD' is not supported"),
    ("OEMExample9.txt", 13, "TIME_SYSTEM 'MRT' is not supported; use one of UTC, TAI, TT, GPS, TDB, UT1"),
])
def test_unsupported_subset_refused_in_one_line(name, line, what):
    msg = refused(name)
    assert msg.startswith(f"{name}, line {line}: ") and what in msg


def test_inconsistent_time_systems_refused_at_the_unsupported_one():
    # Orekit: CCSDS_INCONSISTENT_TIME_SYSTEMS (UTC, TCG); TCG is outside the supported set here
    msg = refused("OEM-inconsistent-time-systems.txt", earth=True)
    assert "line 33: TIME_SYSTEM 'TCG' is not supported; use one of UTC, TAI, TT, GPS, TDB, UT1" in msg
    assert "TIME_SYSTEM = TCG" in (OREKIT / "OEM-inconsistent-time-systems.txt").read_text()


def test_xml_mars_refused():
    assert "CENTER_NAME 'MARS BARYCENTER' is not supported" in refused("OEMExample3.xml")


# --- format errors where Orekit finds them ------------------------------------------------------
@pytest.mark.parametrize("name,line,start", [
    # testWrongKeyword: CCSDS_UNEXPECTED_KEYWORD, line 19, "WRONG_KEYWORD" (before the Mars check)
    ("OEM-wrong-keyword.txt", 19, "unknown metadata keyword WRONG_KEYWORD"),
    # testKeywordWithinEphemeris: line 24, USER_DEFINED_TEST_KEY
    ("OEM-keyword-within-ephemeris.txt", 24, "keyword USER_DEFINED_TEST_KEY among the data lines"),
    # testKeywordWithinCovariance: line 91, USER_DEFINED_TEST_KEY
    ("OEM-keyword-within-covariance.txt", 91, "unexpected keyword USER_DEFINED_TEST_KEY in the covariance block"),
    # testTooLargeCovarianceDimension: UNABLE_TO_PARSE_LINE_IN_FILE, line 91, "1.0e-12..."
    ("OEM-too-large-covariance-dimension.txt", 91, "a seventh covariance row ('1.0e-12"),
    # testTooManyCovarianceColumns: line 51, "3.3313494e-04..."
    ("OEM-too-many-covariance-columns.txt", 51, "covariance row 1 has 6 values ('3.3313494e-04"),
    # testTooFewCovarianceColumns: line 55, "-2.2118325e-07..."
    ("OEM-too-few-covariance-columns.txt", 55, "covariance row 5 has 4 values ('-2.2118325e-07"),
    # testEphemerisNumberFormatErrorType: line 44 and its text
    ("OEM-ephemeris-number-format-error.txt", 44, "data line has a value that is not a number: '1996-12-28T21:59:02.267 "
                                                  "-2445.234 -878.141 this-is-not-a-number 1.86043 -3.421256 -0.996366'"),
    # testCovarianceNumberFormatErrorType: line 52 and its text
    ("OEM-covariance-number-format-error.txt", 52, "covariance row has a value that is not a number: "
                                                   "'4.6189273e-04 this-is-not-a-number'"),
])
def test_format_errors_at_orekits_line(name, line, start):
    msg = refused(name, earth=True)
    assert msg.startswith(f"{name}, line {line}: {start}"), msg
    if name == "OEM-wrong-keyword.txt":                        # the same in the original (Mars) file
        assert refused(name) == msg


def test_too_small_covariance_refused_at_the_next_epoch():
    # testTooSmallCovarianceDimension: UNABLE_TO_PARSE_ELEMENT_IN_FILE, "EPOCH", line 89
    msg = refused("OEM-too-small-covariance-dimension.txt", earth=True)
    assert "EPOCH at line 89 comes before the covariance matrix" in msg and "(4 of its 6 rows)" in msg


# --- files read as Orekit reads them ----------------------------------------------------------
def test_example1_metadata_data_and_covariance():
    oem = read("OEMExample1.txt", earth=True)
    assert oem.header["CLASSIFICATION"] == "public, test-data" and oem.version == "3.0"
    assert len(oem.segments) == 3
    s0, s1, s2 = oem.segments
    assert s0.time_system == "UTC" and s0.object_name == "MARS GLOBAL SURVEYOR" and s0.object_id == "1996-062A"
    assert iso_utc(s0.start, 3) == utc("1996-12-18T12:00:00.331")
    assert iso_utc(s0.stop, 3) == utc("1996-12-28T21:28:00.331")
    assert iso_utc(s0.useable_start, 3) == utc("1996-12-18T12:10:00.331")
    assert iso_utc(s0.useable_stop, 3) == utc("1996-12-28T21:23:00.331")
    assert (s0.interpolation, s0.interpolation_degree) == ("HERMITE", 7)
    assert s0.comments == ("This file was produced by M.R. Somebody, MSOO NAV/JPL, 1996NOV 04. It is",
                           "to be used for DSN scheduling purposes only.")
    np.testing.assert_allclose(s0.r_m[0], [2789.619e3, -280.045e3, -1746.755e3], atol=1e-10, rtol=0)
    np.testing.assert_allclose(s0.v_mps[0], [4.73372e3, -2.49586e3, -1.04195e3], atol=1e-10, rtol=0)
    assert s1.a_mps2 is None                                   # Orekit: zero acceleration (not given)
    # the covariance of the third segment: Orekit's columns times 1e6 (km^2 -> m^2)
    cols = np.array([
        [3.3313494e-04, 4.6189273e-04, -3.0700078e-04, -3.3493650e-07, -2.2118325e-07, -3.0413460e-07],
        [4.6189273e-04, 6.7824216e-04, -4.2212341e-04, -4.6860842e-07, -2.8641868e-07, -4.9894969e-07],
        [-3.0700078e-04, -4.2212341e-04, 3.2319319e-04, 2.4849495e-07, 1.7980986e-07, 3.5403109e-07],
        [-3.3493650e-07, -4.6860842e-07, 2.4849495e-07, 4.29602280e-10, 2.6088992e-10, 1.86926319e-10],
        [-2.2118325e-07, -2.8641868e-07, 1.7980986e-07, 2.6088992e-10, 1.7675147e-10, 1.0088625e-10],
        [-3.0413460e-07, -4.9894969e-07, 3.5403109e-07, 1.8692631e-10, 1.0088625e-10, 6.2244443e-10]])
    c0, c1 = s2.covariances
    np.testing.assert_allclose(c0.matrix, cols.T * 1e6, atol=1e-10, rtol=0)
    assert iso_utc(c0.epoch, 3) == utc("1996-12-28T21:29:07.267")
    assert c0.frame == "RTN" and c1.frame == "EME2000"         # Orekit: QSW_INERTIAL (= RTN), EME2000
    # the last data line of segment 3 is written twice: read once, with a note
    assert len(s2) == 4
    assert oem.notes == ("segment 3 (META_START at line 61): 1 duplicate data line (the epoch and state of an earlier "
                         "line) dropped, the first at line 81 (epoch 1996-12-30T01:28:02.267, a copy of line 80); each "
                         "epoch is read once",)


def test_example3_kvn_header_segments_and_covariances():
    oem = read("OEMExample3.txt", earth=True)
    assert oem.header_comments[0] == "Copy of OEMExample.txt with changes so that interpolation will work."
    assert iso_utc(oem.creation_date) == "1996-11-04T17:22:31.000Z" and oem.originator == "NASA/JPL"
    assert oem.header["MESSAGE_ID"] == "OEM 201113719185"
    s0, s1, s2 = oem.segments
    assert (s0.object_name, s0.object_id, s0.time_system) == ("MARS GLOBAL SURVEYOR", "1996-062A", "UTC")
    assert iso_utc(s0.start, 3) == utc("1996-12-18T12:00:00.331")
    assert (s0.interpolation, s0.interpolation_degree) == ("HERMITE", 2)
    assert len(s2) == 3
    expected = [("1996-12-28T21:29:07.267", [-2432166.0, -63042.0, 1742754.0], [7337.02, -3495.867, -1041.945]),
                ("1996-12-28T21:59:02.267", [-2445234.0, -878141.0, 1873073.0], [1860.43, -3421.256, -996.366]),
                ("1996-12-28T22:00:02.267", [-2458079.0, -683858.0, 2007684.0], [6367.86, -3339.563, -946.654])]
    times = s2.times
    for k, (t, r, v) in enumerate(expected):
        assert iso_utc(times[k], 3) == utc(t)
        np.testing.assert_allclose(s2.r_m[k], r, atol=1e-8, rtol=0)
        np.testing.assert_allclose(s2.v_mps[k], v, atol=1e-10, rtol=0)
    c20, c21 = s2.covariances
    assert iso_utc(c20.epoch, 3) == utc("1996-12-28T21:29:07.267") and c20.frame == "RTN"
    for (i, j), x in {(0, 0): 333.13494, (1, 0): 461.89273, (1, 1): 678.24216, (2, 0): -307.00078,
                      (2, 1): -422.12341, (2, 2): 323.19319}.items():
        assert c20.matrix[i, j] == pytest.approx(x, abs=1e-5)
    for (i, j), x in {(3, 0): -0.33493650, (3, 3): 0.00042960228, (5, 4): 0.00010088625,
                      (5, 5): 0.00062244443}.items():
        assert c20.matrix[i, j] == pytest.approx(x, abs=1e-8 if i != j else 1e-11)
    np.testing.assert_array_equal(c20.matrix, c20.matrix.T)
    assert iso_utc(c21.epoch) == "1996-12-29T21:00:00.000Z" and c21.frame == "EME2000"
    assert (c21.matrix[0, 0], c21.matrix[1, 0], c21.matrix[1, 1]) == pytest.approx((344.24505, 450.78162, 689.35327),
                                                                                   abs=1e-5)


def test_example3_xml_states_accelerations_and_covariance():
    oem = read("OEMExample3.xml", earth=True)
    assert oem.header["MESSAGE_ID"] == "OEM 201113719185"
    (seg,) = oem.segments
    assert seg.object_id == "2000-028A" and seg.metadata["REF_FRAME"] == "J2000" and seg.frame == "EME2000"
    assert (seg.interpolation, seg.interpolation_degree) == ("HERMITE", 7)
    assert seg.comments[0] == "Produced by M.R. Sombedody, MSOO NAV/JPL, 1996 OCT 11.  It is"
    assert len(seg) == 4
    np.testing.assert_allclose(seg.r_m[0], [2789600.0, -280000.0, -1746800.0], atol=1e-9, rtol=0)
    np.testing.assert_allclose(seg.v_mps[0], [4730.0, -2500.0, -1040.0], atol=1e-10, rtol=0)
    np.testing.assert_allclose(seg.a_mps2[0], [8.0, 1.0, -159.0], atol=1e-10, rtol=0)
    np.testing.assert_allclose(seg.a_mps2[2], [8.0, 1.0, 159.0], atol=1e-10, rtol=0)
    assert iso_utc(seg.times[3], 3) == utc("1996-12-28T21:28:00.331")
    np.testing.assert_allclose(seg.r_m[3], [-3881000.0, 564000.0, -682800.0], atol=1e-9, rtol=0)
    (c,) = seg.covariances
    assert iso_utc(c.epoch, 3) == utc("1996-12-28T22:28:00.331") and c.frame == "ITRF1997"
    for (i, j), x in {(0, 0): 316000.0, (1, 0): 722000.0, (1, 1): 518000.0, (2, 2): 2000.0, (3, 0): 912000.0,
                      (4, 3): 79000.0, (5, 0): 245000.0, (5, 4): 621000.0, (5, 5): 991000.0}.items():
        assert c.matrix[i, j] == pytest.approx(x, abs=1e-6)
    np.testing.assert_array_equal(c.matrix, c.matrix.T)


def test_example6_missing_optional_data():
    oem = read("OEMExample6.txt", earth=True)
    assert [len(s) for s in oem.segments] == [3, 3, 3]
    s0 = oem.segments[0]
    assert s0.object_id == "1996-062A" and iso_utc(s0.start, 3) == utc("2002-12-18T12:00:00.331")
    assert s0.interpolation is None and s0.interpolation_degree is None and "USEABLE_START_TIME" not in s0.metadata


def test_example8_interpolation_degree_given_or_not():
    s0, s1 = read("OEMExample8.txt", earth=True).segments
    assert s0.interpolation_degree is None and s1.interpolation_degree == 7     # Orekit: default, then 7


def test_lower_case_values_and_interpolation():
    oem = read("oemLowerCaseValue.oem")
    (seg,) = oem.segments
    assert seg.center_name == "Earth" and (seg.interpolation, seg.interpolation_degree) == ("LAGRANGE", 5)
    assert len(seg) == 6 and oem.header_comments[0] == "Generated by STK"
    eph = oem.ephemeris("EME2000")                 # 1-min steps: interpolation accepted
    assert eph.degree == 5 and eph.meta["sampling"].max_error_m < 1.0
    r, v = eph.interpolate(eph.t_s)
    np.testing.assert_allclose(r, seg.r_m, atol=1e-6, rtol=0)


@pytest.mark.parametrize("frame", ["ITRF-93", "ITRF-97", "ITRF2000", "ITRF2005", "ITRF2008", "ITRF2014"])
def test_itrf_frames(frame):
    text = ((OREKIT / "OEMExample7.txt.pre").read_text() + f"REF_FRAME = {frame}"
            + (OREKIT / "OEMExample7.txt.post").read_text())
    (seg,) = parse_oem(text).segments
    assert seg.metadata["REF_FRAME"] == frame and seg.frame == "ITRF" and len(seg) == 2


def test_nasa_iss_resampled_hourly_reads_but_is_refused_for_interpolation():
    # testEmptyComments: object 1998-067-A, 23 data comments ('' at 13 and 20), 25 coordinates
    oem = read("ISS.resampled.truncated.txt")
    (seg,) = oem.segments
    assert seg.object_id == "1998-067-A" and len(seg.comments) == 23 and len(seg) == 25
    assert seg.comments[13] == "" and seg.comments[20] == ""
    assert [e.name for e in oem.events] == ["SpX-24 Undock"]
    # hourly samples of a 93-min orbit: interpolating them would be ~12,600 km off
    with pytest.raises(OEMGapError) as e:
        oem.ephemeris("GCRF")
    msg = str(e.value)
    assert "\n" not in msg and "every step is 60.0 min or longer, 0.65 of the orbital period" in msg
    assert "orbital period (92.8 min)" in msg and "a quarter of it (23.2 min)" in msg


@pytest.mark.parametrize("name,frame,interp", [("OEMExample5.txt", "GCRF", ("HERMITE", 1)),
                                               ("OEMExample5ITRF.txt", "ITRF2014", (None, None))])
def test_iss_every_30_minutes_reads_but_is_refused_for_interpolation(name, frame, interp):
    oem = read(name)
    (seg,) = oem.segments
    assert seg.metadata["REF_FRAME"] == frame and len(seg) == 49
    assert (seg.interpolation, seg.interpolation_degree) == interp
    assert float(seconds_between(seg.epoch, seg.times[-1])) == pytest.approx(86400.0, abs=1e-6)
    with pytest.raises(OEMGapError, match=r"every step is 30\.0 min or longer, 0\.3\d of the orbital period \(92\.\d min\)"):
        oem.ephemeris("GCRF")
