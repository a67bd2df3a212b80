"""CCSDS OEM reading, validation and writing (gyrfalcon.io.oem).

References: NASA's ISS OEM text itself (an excerpt in tests/data), the calendar (day of year),
the reference README's transcription of the event table, a conservation law (the Jacobi
integral across NASA's planned reboost) and an independent OEM parser (the ``oem`` package).
"""
from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import numpy as np
import pytest

from gyrfalcon.errors import InputError, OEMFormatError, OEMGapError
from gyrfalcon.io.oem import REQUIRED_METADATA, load_oem, parse_oem, write_oem
from gyrfalcon.orbits.ephemeris import Ephemeris
from gyrfalcon.time import add_seconds, iso_utc, seconds_between

DATA = Path(__file__).resolve().parents[1] / "data"
REBOOST = DATA / "iss_oem_f6699fb_reboost_excerpt.txt.gz"

HEADER = """CCSDS_OEM_VERS = 2.0
CREATION_DATE  = 2025-11-24T20:10:38.633
ORIGINATOR     = TEST
"""
META = """META_START
OBJECT_NAME          = ISS
OBJECT_ID            = 1998-067-A
CENTER_NAME          = Earth
REF_FRAME            = EME2000
TIME_SYSTEM          = UTC
START_TIME           = {start}
STOP_TIME            = {stop}
META_STOP
"""
# the first four data lines of NASA's 54cc94f file (2025-11-24T12:00, every 4 min)
ROWS = [
    "2025-11-24T12:00:00.000 4594.538080583650 -518.497562387511 4971.920043568070 3.04885405621686 6.70589447957430 -2.11599401224387",
    "2025-11-24T12:04:00.000 5150.248991680720 1090.219612187710 4288.909011330730 1.55361009982137 6.61819173620871 -3.54107187878101",
    "2025-11-24T12:08:00.000 5331.118493741160 2619.585393662730 3292.861438897490 -0.05573803946677 6.04856675517106 -4.70857011103899",
    "2025-11-24T12:12:00.000 5123.760775413590 3958.176120516060 2056.333354806900 -1.66175647753963 5.03809917770493 -5.53268542262756",
]


def small_oem(rows=ROWS, start="2025-11-24T12:00:00.000", stop="2025-11-24T12:12:00.000", header=HEADER, meta=META):
    return header + meta.format(start=start, stop=stop) + "\n".join(rows) + "\n"


# --- reading NASA's file ---------------------------------------------------------------
def test_nasa_excerpt_header_metadata_and_data():
    oem = load_oem(REBOOST)
    assert oem.version == "2.0"
    assert oem.originator == "NASA/JSC/FOD/TOPO"
    assert iso_utc(oem.creation_date) == "2025-11-12T16:48:47.542Z"
    (seg,) = oem.segments
    assert seg.metadata["OBJECT_ID"] == "1998-067-A"
    assert seg.frame == "EME2000" and seg.time_system == "UTC" and seg.center_name == "Earth"
    assert iso_utc(seg.start) == "2025-11-12T12:00:00.000Z"
    assert iso_utc(seg.useable_stop) == "2025-11-27T12:00:00.000Z"
    assert seg.interpolation is None and seg.a_mps2 is None
    # 447 data lines copied (see tests/data/README.md); the first is 2025-11-19T12:00:00.000
    assert len(seg) == 447
    assert iso_utc(seg.epoch) == "2025-11-19T12:00:00.000Z"
    raw = gzip.decompress(REBOOST.read_bytes()).decode()
    assert "\r\n" in raw                                   # NASA's CRLF kept in the excerpt
    first = next(ln for ln in raw.splitlines() if ln.startswith("2025-11-19T12:00:00"))
    km = np.array(first.split()[1:], dtype=float)
    np.testing.assert_array_equal(seg.r_m[0], km[:3] * 1000.0)
    np.testing.assert_array_equal(seg.v_mps[0], km[3:] * 1000.0)
    # the excerpt keeps the full file's START_TIME/STOP_TIME (11-12T12:00 .. 11-27T12:00) around
    # data of 11-19T12:00 .. 17:39:07.362: the reader says so (the only notes)
    start_note, end_note = oem.notes
    assert "the data start 2025-11-19T12:00:00.000Z, 7.0 days after START_TIME 2025-11-12T12:00:00.000" in start_note
    assert "the data end 2025-11-19T17:39:07.362Z, 7.8 days before STOP_TIME 2025-11-27T12:00:00.000" in end_note


def test_nasa_comment_blocks():
    oem = load_oem(REBOOST)
    sc = oem.spacecraft
    # the comment lines of the file: MASS=494604.60, DRAG_AREA=1464.51, DRAG_COEFF=2.20, SOLAR_RAD_*=0.00
    assert (sc.mass_kg, sc.drag_area_m2, sc.drag_coeff) == (494604.60, 1464.51, 2.20)
    assert (sc.solar_rad_area_m2, sc.solar_rad_coeff) == (0.0, 0.0)
    first, last = oem.ascending_nodes
    assert (first.label, first.orbit, first.lan_deg) == ("first", 1817, 42.7211)
    assert (last.label, last.orbit, last.lan_deg) == ("last", 2048, -9.3768)
    assert iso_utc(first.epoch) == "2025-11-12T13:09:10.068Z"
    assert iso_utc(last.epoch) == "2025-11-27T10:43:47.461Z"
    # reference README: "GMT323 93P Reb 323:13:19:00.000 dv 1.3 m/s; 74S Launch 331:09:27:00.000"
    reb, launch = oem.events
    assert reb.name == "GMT323 93P Reb" and launch.name == "74S Launch"
    assert (reb.dv_mps, reb.ha_km, reb.hp_km, reb.orbit) == (1.3, 425.7, 408.1, None)
    assert launch.dv_mps == 0.0
    # day 323 of 2025 is 19 Nov, day 331 is 27 Nov (calendar)
    assert dt.date(2025, 1, 1) + dt.timedelta(days=322) == dt.date(2025, 11, 19)
    assert iso_utc(reb.tig) == "2025-11-19T13:19:00.000Z"
    assert iso_utc(launch.tig) == "2025-11-27T09:27:00.000Z"
    assert reb.ha_m == 425700.0


def test_reboost_in_the_data_matches_the_event_table():
    """Jacobi integral (energy in the frame rotating with the Earth, J2 included) jumps by v*dv.

    Compared one orbit before and one orbit after the planned burn, so the unmodelled
    periodic terms (tesseral harmonics, the 0.1 deg EME2000-vs-true-pole tilt) largely
    cancel; NASA's table prints dv = 1.3 m/s (rounded to 0.1 m/s).
    """
    oem = load_oem(REBOOST)
    seg = oem.segments[0]
    mu, j2, re, w = 3.986004418e14, 1.08262617e-3, 6378137.0, 7.292115e-5
    r, v, t = seg.r_m, seg.v_mps, seg.t_s
    rn = np.linalg.norm(r, axis=1)
    u = -mu / rn * (1 - j2 * (re / rn) ** 2 * (1.5 * (r[:, 2] / rn) ** 2 - 0.5))
    jacobi = 0.5 * np.sum(v * v, axis=1) + u - w * (r[:, 0] * v[:, 1] - r[:, 1] * v[:, 0])
    tig = float(seconds_between(seg.epoch, oem.events[0].tig))
    period = 92.9 * 60
    before = np.searchsorted(t, tig - 0.6 * period)
    after = np.searchsorted(t, tig + 1.4 * period)
    dv = (jacobi[after] - jacobi[before]) / np.linalg.norm(v[before])
    assert dv == pytest.approx(1.3, abs=0.15)
    # and no such jump over one orbit without a burn
    quiet = np.searchsorted(t, t[after] + period)
    assert abs(jacobi[quiet] - jacobi[after]) / np.linalg.norm(v[after]) < 0.05


def test_crlf_lf_plain_gz_and_bom_read_the_same(tmp_path):
    text = small_oem()
    variants = {
        "lf.oem": text.encode(),
        "crlf.oem": text.replace("\n", "\r\n").encode(),
        "bom.oem": ("\ufeff" + text).encode(),
    }
    for name, payload in variants.items():
        (tmp_path / name).write_bytes(payload)
    (tmp_path / "crlf.oem.gz").write_bytes(gzip.compress(variants["crlf.oem"]))
    ref = load_oem(tmp_path / "lf.oem").segments[0]
    for name in ("crlf.oem", "bom.oem", "crlf.oem.gz"):
        seg = load_oem(tmp_path / name).segments[0]
        np.testing.assert_array_equal(seg.r_m, ref.r_m)
        np.testing.assert_array_equal(seg.t_s, ref.t_s)
    np.testing.assert_allclose(ref.t_s, [0.0, 240.0, 480.0, 720.0], atol=1e-9, rtol=0)


def test_segments_comments_anywhere_covariance_and_accelerations():
    acc = [r + " 0.001 -0.002 0.003" for r in ROWS[2:]]
    text = (
        "CCSDS_OEM_VERS = 2.0\nCOMMENT header note\nCREATION_DATE = 2025-11-24T20:10:38.633\nORIGINATOR = TEST\n"
        + META.format(start="2025-11-24T12:00:00", stop="2025-11-24T12:04:00").replace(
            "OBJECT_NAME", "COMMENT in metadata\nOBJECT_NAME")
        + "COMMENT data note\n" + ROWS[0] + "\nCOMMENT between lines\n" + ROWS[1] + "\n"
        + "COVARIANCE_START\nEPOCH = 2025-11-24T12:00:00\nCOV_REF_FRAME = RTN\n1.0\n0.5 2\n0 0 3\n0 0 0 1e-6\n0 0 0 0 1e-6\n"
        "0 0 0 0 0 1e-6\nCOVARIANCE_STOP\n\n"
        + META.format(start="2025-11-24T12:08:00", stop="2025-11-24T12:12:00") + "\n".join(acc) + "\n"
    )
    oem = parse_oem(text)
    assert len(oem.segments) == 2
    s1, s2 = oem.segments
    assert oem.header_comments == ("header note",)
    assert s1.comments == ("in metadata", "data note", "between lines")
    assert s1.covariance_count == 1 and oem.notes == ()
    (cov,) = s1.covariances
    assert cov.frame == "RTN" and iso_utc(cov.epoch) == "2025-11-24T12:00:00.000Z"
    np.testing.assert_allclose(np.diag(cov.matrix), [1e6, 2e6, 3e6, 1.0, 1.0, 1.0])   # km^2 -> m^2
    assert cov.matrix[0, 1] == cov.matrix[1, 0] == 0.5e6
    assert s1.a_mps2 is None
    np.testing.assert_allclose(s2.a_mps2, [[1.0, -2.0, 3.0]] * 2)        # km/s^2 -> m/s^2
    eph = oem.ephemeris("EME2000")
    assert eph.segment_starts == (0, 2) and len(eph) == 4
    np.testing.assert_allclose(eph.t_s, [0, 240, 480, 720])
    np.testing.assert_array_equal(eph.r_m[2], s2.r_m[0])


def test_time_systems_and_day_of_year_epochs():
    doy = [r.replace("2025-11-24T", "2025-328T") for r in ROWS]          # 24 Nov = day 328
    utc = parse_oem(small_oem()).segments[0]
    seg = parse_oem(small_oem(doy, "2025-328T12:00:00", "2025-328T12:12:00")).segments[0]
    assert float(seconds_between(utc.epoch, seg.epoch)) == 0.0
    tai = parse_oem(small_oem().replace("TIME_SYSTEM          = UTC", "TIME_SYSTEM = TAI")).segments[0]
    gps = parse_oem(small_oem().replace("TIME_SYSTEM          = UTC", "TIME_SYSTEM = GPS")).segments[0]
    tt = parse_oem(small_oem().replace("TIME_SYSTEM          = UTC", "TIME_SYSTEM = TT")).segments[0]
    # TAI - UTC = 37 s in 2025 (IERS Bulletin C); GPS = TAI - 19 s; TT = TAI + 32.184 s
    assert float(seconds_between(tai.epoch, utc.epoch)) == pytest.approx(37.0, abs=1e-6)
    assert float(seconds_between(gps.epoch, utc.epoch)) == pytest.approx(18.0, abs=1e-6)
    assert float(seconds_between(tt.epoch, utc.epoch)) == pytest.approx(69.184, abs=1e-6)


def test_event_year_boundary(tmp_path):
    comments = """COMMENT TRAJECTORY EVENT SUMMARY:
COMMENT |       EVENT        |       TIG        | ORB |   DV    |   HA    |   HP    |
COMMENT =============================================================================
COMMENT  Late Reboost          360:10:00:00.000             1.1     422.0     410.0
COMMENT                                                    (3.6)   (227.9)   (221.4)
COMMENT  New Year Dock         003:01:02:03.500   123       0.0     421.0     409.0
COMMENT                                                    (0.0)   (227.3)   (220.8)
COMMENT =============================================================================
"""
    rows = ["2023-12-25T12:00:00.000 " + ROWS[0].split(" ", 1)[1], "2023-12-25T12:04:00.000 " + ROWS[1].split(" ", 1)[1]]
    oem = parse_oem(HEADER + META.format(start="2023-12-25T12:00:00", stop="2024-01-09T12:00:00") + comments
                    + "\n".join(rows) + "\n")
    late, dock = oem.events
    assert iso_utc(late.tig) == "2023-12-26T10:00:00.000Z"            # day 360 of 2023
    assert iso_utc(dock.tig) == "2024-01-03T01:02:03.500Z"            # day 3 of the next year
    assert (dock.orbit, dock.dv_mps, dock.ha_km, dock.hp_km) == (123, 0.0, 421.0, 409.0)


# --- validation --------------------------------------------------------------------------
def test_missing_metadata_names_the_key_and_the_required_list():
    text = small_oem().replace("OBJECT_ID            = 1998-067-A\n", "")
    with pytest.raises(OEMFormatError) as e:
        parse_oem(text)
    msg = str(e.value)
    assert "lacks OBJECT_ID" in msg and "line 4" in msg
    for key in REQUIRED_METADATA:
        assert key in msg
    with pytest.raises(OEMFormatError, match="header lacks ORIGINATOR"):
        parse_oem(small_oem().replace("ORIGINATOR     = TEST\n", ""))


@pytest.mark.parametrize("old,new,pattern", [
    ("TIME_SYSTEM          = UTC", "TIME_SYSTEM = TCB", r"line 9: TIME_SYSTEM 'TCB' is not supported; use one of UTC, TAI"),
    ("REF_FRAME            = EME2000", "REF_FRAME = TOD", r"line 8: REF_FRAME 'TOD' is not supported; use one of EME2000, GCRF"),
    ("CENTER_NAME          = Earth", "CENTER_NAME = MOON", r"line 7: CENTER_NAME 'MOON' is not supported.*EARTH"),
    ("CCSDS_OEM_VERS = 2.0", "CCSDS_OEM_VERS = 9.9", r"CCSDS_OEM_VERS '9.9' is not supported"),
])
def test_unsupported_metadata(old, new, pattern):
    with pytest.raises(OEMFormatError, match=pattern):
        parse_oem(small_oem().replace(old, new))


@pytest.mark.parametrize("value, pattern", [
    ("0", r"line 12: INTERPOLATION_DEGREE 0 must be at least 1 \(interpolation uses degree \+ 1 samples"),
    ("-3", r"line 12: INTERPOLATION_DEGREE -3 must be at least 1 .*use e\.g\. 8, or drop the keyword"),
    ("2.5", r"line 12: INTERPOLATION_DEGREE '2\.5' is not a whole number; use e\.g\. 8"),
])
def test_an_interpolation_degree_below_one_is_refused_as_such(value, pattern):
    """Found by an audit: INTERPOLATION_DEGREE = 0 was read and silently replaced by 8, and -3 was
    refused as "not a whole number" (it is whole, but negative)."""
    text = small_oem().replace("\nMETA_STOP", f"\nINTERPOLATION_DEGREE = {value}\nMETA_STOP")
    with pytest.raises(OEMFormatError, match=pattern):
        parse_oem(text)
    assert parse_oem(small_oem().replace("\nMETA_STOP", "\nINTERPOLATION_DEGREE = 1\nMETA_STOP")).ephemeris().degree == 1


def test_bad_data_lines_give_line_number_and_content():
    bad = ROWS[:2] + [ROWS[2].replace("5331.118493741160", "5331.1184937x1160")] + ROWS[3:]
    with pytest.raises(OEMFormatError, match=r"line 15: data line has a value that is not a number: '2025-11-24T12:08:00.000 5331.1184937x1160"):
        parse_oem(small_oem(bad))
    short = ROWS[:1] + [ROWS[1].rsplit(" ", 1)[0]] + ROWS[2:]
    with pytest.raises(OEMFormatError, match=r"line 14: data line has 6 fields: .*expected 7 or 10 fields"):
        parse_oem(small_oem(short))
    badtime = ROWS[:1] + [ROWS[1].replace("2025-11-24T12:04:00.000", "2025-11-24 12:04")] + ROWS[2:]
    with pytest.raises(OEMFormatError, match=r"line 14: data line has 8 fields"):
        parse_oem(small_oem(badtime))
    with pytest.raises(OEMFormatError, match=r"line 14: epoch '24/11/2025T12:04' is not a CCSDS time"):
        parse_oem(small_oem(ROWS[:1] + ["24/11/2025T12:04 " + ROWS[1].split(" ", 1)[1]] + ROWS[2:]))


def test_non_increasing_times():
    rows = ROWS[:2] + [ROWS[1].replace("2025-11-24T12:04:00.000", "2025-11-24T12:03:59.000")] + ROWS[3:]
    with pytest.raises(OEMFormatError) as e:
        parse_oem(small_oem(rows))
    msg = str(e.value)
    assert "line 15: time 2025-11-24T12:03:59.000 does not come after 2025-11-24T12:04:00.000 (line 14)" in msg
    assert "new segment" in msg


def test_gap_is_read_then_refused_for_interpolation_with_the_reason():
    """A 44-min hole in NASA's 4-min ISS data: the file reads (the format is right), but
    interpolating across it is refused in one line that says where, why (the orbital period)
    and what would work, naming no Python argument."""
    raw = gzip.decompress(REBOOST.read_bytes()).decode().splitlines()
    data = [k for k, ln in enumerate(raw) if ln[:4] == "2025" and len(ln.split()) == 7]
    hole = set(data[-30:-20])                                     # 10 lines removed: a 44-min step
    text = "\n".join(ln for k, ln in enumerate(raw) if k not in hole) + "\n"
    oem = parse_oem(text)
    assert len(oem.segments[0]) == 447 - 10
    with pytest.raises(OEMGapError) as e:
        oem.ephemeris("GCRF")
    msg = str(e.value)
    assert "\n" not in msg and "max_gap_factor" not in msg and "max_error_m" not in msg
    assert "the step of 44.0 min after 2025-11-19T15:39:07.362Z" in msg
    assert "orbital period (92." in msg and "a quarter of it (23." in msg
    assert "split the segment" in msg
    # the samples as they are, when asked for explicitly (API)
    assert len(oem.ephemeris("GCRF", max_error_m=None)) == 437


def test_an_ephemeris_sparse_throughout_is_told_so_not_to_split_at_a_gap():
    """NASA's 4-min data thinned to 32-min steps everywhere: the refusal names the step of the whole
    file and the sampling that works (an audit: it named the last step and suggested splitting the
    segment at a gap there is none of)."""
    raw = gzip.decompress(DAY1.read_bytes()).decode().splitlines()
    data = [k for k, ln in enumerate(raw) if ln[:4] == "2025" and len(ln.split()) == 7]
    keep = set(data[::8])
    text = "\n".join(ln for k, ln in enumerate(raw) if k not in data or k in keep) + "\n"
    with pytest.raises(OEMGapError) as e:
        parse_oem(text).ephemeris("GCRF")
    msg = str(e.value)
    assert "\n" not in msg and "every step is 32.0 min or longer" in msg and "split" not in msg, msg


DAY1 = DATA / "iss_oem_fb1131d_day1_excerpt.txt.gz"    # NASA 2025-03-31T12:00 to 04-01T12:00, 4-min steps


def _day1_rows():
    raw = gzip.decompress(DAY1.read_bytes()).decode().splitlines()
    return [ln for ln in raw if ln[:4] == "2025" and len(ln.split()) == 7]


def test_an_instant_between_two_segments_is_refused_not_extrapolated():
    """Two segments of NASA's data 6.7 h apart: inside each the read is NASA's own
    interpolation; between them (once 1.3e27 m, 2 min after the first's end already 0.33 km
    off) it is refused in one line naming both ends."""
    from gyrfalcon.errors import EphemerisRangeError

    rows = _day1_rows()
    full = parse_oem(HEADER + META.format(start=rows[0][:23], stop=rows[-1][:23]) + "\n".join(rows) + "\n")
    a, b = rows[:100], rows[200:]
    two = parse_oem(HEADER + META.format(start=a[0][:23], stop=a[-1][:23]) + "\n".join(a) + "\n"
                    + META.format(start=b[0][:23], stop=b[-1][:23]) + "\n".join(b) + "\n")
    e2, ef = two.ephemeris("GCRF"), full.ephemeris("GCRF")
    assert len(e2.spans_s) == 2
    for t in (a[50][:23], b[50][:23], a[-1][:23]):
        assert np.linalg.norm(e2.at(t).r_m - ef.at(t).r_m) < 1.0
    for t in (add_seconds(e2.epoch, e2.spans_s[0][1] + 120.0), "2025-03-31T22:00:00Z"):
        assert not e2.covers(t)
        with pytest.raises(EphemerisRangeError) as exc:
            e2.at(t)
        msg = str(exc.value)
        assert "\n" not in msg and "no data between segment end 2025-03-31T18:36:00" in msg
        assert "next segment start 2025-04-01T01:20:00" in msg


def test_useable_start_and_stop_times_bound_the_reads():
    """USEABLE_START/STOP_TIME inside the samples: reads outside are refused (the file's span is
    the useable one, as Orekit's OemSegment covers it); the samples outside still serve the
    interpolation at its edges (the same values as without the keywords)."""
    from gyrfalcon.errors import EphemerisRangeError

    rows = _day1_rows()
    meta = META.replace("STOP_TIME", "USEABLE_START_TIME   = {u0}\nUSEABLE_STOP_TIME    = {u1}\nSTOP_TIME", 1)
    text = HEADER + meta.format(start=rows[0][:23], stop=rows[-1][:23], u0=rows[10][:23], u1=rows[300][:23]) \
        + "\n".join(rows) + "\n"
    eu = parse_oem(text).ephemeris("GCRF")
    ef = parse_oem(HEADER + META.format(start=rows[0][:23], stop=rows[-1][:23]) + "\n".join(rows) + "\n") \
        .ephemeris("GCRF")
    assert iso_utc(eu.start, 0) == "2025-03-31T12:40:00Z" and iso_utc(eu.stop, 0) == "2025-04-01T08:00:00Z"
    for t in ("2025-03-31T12:41:30Z", "2025-04-01T07:58:30Z"):
        assert np.linalg.norm(eu.at(t).r_m - ef.at(t).r_m) < 1e-6
    for t in ("2025-03-31T12:20:00Z", "2025-04-01T09:00:00Z"):
        with pytest.raises(EphemerisRangeError, match="its useable span") as exc:
            eu.at(t)
        assert "\n" not in str(exc.value)
    # the audit's case: a 15-day useable span over 5 days of samples stays the samples' span
    assert iso_utc(load_oem(DAY1).ephemeris().stop, 0) == "2025-04-01T12:00:00Z"


def test_a_corrupt_sample_is_named_not_blamed_on_the_sampling():
    """A +50 km jump or a 1e30 km position in one line of NASA's 4-min data: refused naming that
    sample as corrupt (its position disagrees with the velocities), not 'sample more densely'."""
    rows = _day1_rows()
    for value in ("+50", "1e30"):
        bad = list(rows)
        f = bad[100].split()
        f[1] = f"{float(f[1]) + 50.0:.9f}" if value == "+50" else "1e30"
        bad[100] = " ".join(f)
        with pytest.raises(OEMGapError) as exc:
            parse_oem(HEADER + META.format(start=rows[0][:23], stop=rows[-1][:23]) + "\n".join(bad) + "\n").ephemeris()
        msg = str(exc.value)
        assert "\n" not in msg and "the sample at 2025-03-31T18:40:00" in msg and "looks corrupt" in msg
        assert "more densely" not in msg and ("~50" in msg if value == "+50" else "1e+30 km" in msg)
    # NASA's own data: no sample flagged
    assert load_oem(DAY1).ephemeris().corrupt_sample() is None


def test_one_sample_and_non_positive_spacecraft_figures_are_one_line():
    rows = _day1_rows()
    with pytest.raises(OEMFormatError, match="holds 1 data line; an ephemeris needs at least 2") as exc:
        parse_oem(HEADER + META.format(start=rows[0][:23], stop=rows[0][:23]) + rows[0] + "\n",
                  source="one.oem").ephemeris()
    assert str(exc.value).startswith("one.oem: ")
    raw = gzip.decompress(DAY1.read_bytes()).decode()
    for key, pat in (("DRAG_AREA", "DRAG_AREA must be a positive number (m^2)"), ("MASS", "MASS must be a positive")):
        lines = [("COMMENT " + key + "=0") if ln.startswith("COMMENT " + key + "=") else ln for ln in raw.splitlines()]
        with pytest.raises(OEMFormatError, match=pat.replace("(", r"\(").replace(")", r"\)").replace("^", r"\^")):
            parse_oem("\n".join(lines) + "\n")


@pytest.mark.parametrize("key, value, unit, tail", [
    ("MASS", "abc", "kg", "an assumed ISS mass)"), ("MASS", "-5", "kg", "an assumed ISS mass)"),
    ("DRAG_AREA", "abc", "m^2", "an assumed ISS area)"), ("DRAG_AREA", ".", "m^2", "an assumed ISS area)"),
    ("DRAG_COEFF", "x", "dimensionless", "the file's Cd is never used as is)")])
def test_an_unreadable_drag_figure_is_refused_as_a_non_positive_one_is(key, value, unit, tail):
    """Found by an audit: ``COMMENT MASS=abc`` was taken as no MASS (a warning, 450 t assumed, exit 0)
    where ``MASS=-5`` is refused, and the refusal of a mass spoke of an assumed area."""
    raw = gzip.decompress(DAY1.read_bytes()).decode()
    lines = [f"COMMENT {key}={value}" if ln.startswith(f"COMMENT {key}=") else ln for ln in raw.splitlines()]
    with pytest.raises(OEMFormatError) as exc:
        parse_oem("\n".join(lines) + "\n", source="bad.oem")
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(f"bad.oem: COMMENT {key}={value}: {key} must be a positive number "
                                              f"({unit}); give the spacecraft's value or remove the line")
    assert msg.endswith(tail), msg


def test_structure_errors():
    with pytest.raises(OEMFormatError, match="never closed by META_STOP"):
        parse_oem(HEADER + "META_START\nOBJECT_NAME = ISS\n")
    with pytest.raises(OEMFormatError, match="no META_START"):
        parse_oem(HEADER)
    with pytest.raises(OEMFormatError, match="must start with 'CCSDS_OEM_VERS"):
        parse_oem("ORIGINATOR = X\n" + HEADER)
    with pytest.raises(OEMFormatError, match="has no data lines"):
        parse_oem(small_oem([]))
    with pytest.raises(OEMFormatError, match="does not exist"):
        load_oem("/nonexistent/file.oem")


def test_several_objects_need_a_name():
    text = small_oem() + META.format(start="2025-11-24T12:00:00", stop="2025-11-24T12:12:00").replace(
        "= ISS", "= SOYUZ") + "\n".join(ROWS) + "\n"
    oem = parse_oem(text)
    assert oem.object_names == ("ISS", "SOYUZ")
    with pytest.raises(InputError, match=r"holds 2 objects \(ISS, SOYUZ\): give a file with one object, or from Python choose one with ephemeris\(object_name=\.\.\.\)"):
        oem.ephemeris("EME2000")
    assert oem.ephemeris("EME2000", object_name="SOYUZ").name == "SOYUZ"


# --- writing -----------------------------------------------------------------------------
def _ephemeris():
    """The reboost excerpt in EME2000, resampled at awkward (non-round) times, two segments."""
    src = load_oem(REBOOST).ephemeris("EME2000")
    s = np.concatenate([np.linspace(30.123456789, 3000.5, 40), np.linspace(3000.5, 6000.987654321, 30)])
    r, v = src.interpolate(s)
    return Ephemeris(src.epoch, s, r, v, "EME2000", "ISS", (0, 40), meta={"object_id": "1998-067-A"})


@pytest.mark.parametrize("name", ["out.oem", "out.oem.gz", "out.xml", "out.xml.gz"])
def test_round_trip(tmp_path, name):
    eph = _ephemeris()
    path = write_oem(tmp_path / name, eph, comments=["written by the test", "second line"],
                     creation_date="2025-11-27T00:00:00Z")
    if name.endswith(".gz"):
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    oem = load_oem(path)
    assert [s.metadata["REF_FRAME"] for s in oem.segments] == ["EME2000", "EME2000"]
    assert oem.segments[0].metadata["OBJECT_ID"] == "1998-067-A"
    assert oem.segments[0].comments[:2] == ("written by the test", "second line")
    back = oem.ephemeris("EME2000")
    assert back.segment_starts == (0, 40)
    dt_s = float(seconds_between(eph.epoch, back.epoch))
    np.testing.assert_allclose(back.t_s + dt_s, eph.t_s, atol=1e-9, rtol=0)
    assert np.max(np.abs(back.r_m - eph.r_m)) < 1e-3                 # 1 mm
    assert np.max(np.abs(back.v_mps - eph.v_mps)) < 1e-3              # 1 mm/s


def test_written_file_read_by_the_independent_oem_package(tmp_path):
    oem_pkg = pytest.importorskip("oem")
    eph = _ephemeris()
    for name in ("ind.oem", "ind.xml"):
        path = write_oem(tmp_path / name, eph)
        theirs = oem_pkg.OrbitEphemerisMessage.open(str(path))
        states = list(theirs.states)
        assert len(states) == len(eph)
        pos = np.array([s.position for s in states]) * 1000.0
        vel = np.array([s.velocity for s in states]) * 1000.0
        assert np.max(np.abs(pos - eph.r_m)) < 1e-3
        assert np.max(np.abs(vel - eph.v_mps)) < 1e-6
        # their epochs (astropy, UTC) against ours: seconds since the first sample
        t_their = np.array([(s.epoch - states[0].epoch).sec for s in states])
        np.testing.assert_allclose(t_their, eph.t_s - eph.t_s[0], atol=1e-6, rtol=0)
        # and what they write, we read (their number and epoch formats)
        for fmt in ("kvn", "xml"):
            again = tmp_path / f"theirs_{name}.{fmt}"
            theirs.save_as(str(again), file_format=fmt)
            back = load_oem(again).ephemeris("EME2000")
            assert np.max(np.abs(back.r_m - eph.r_m)) < 1e-3
            dt_s = float(seconds_between(eph.epoch, back.epoch))
            np.testing.assert_allclose(back.t_s + dt_s, eph.t_s, atol=1e-6, rtol=0)


def test_rewrite_nasa_oem_keeps_metadata_and_comments(tmp_path):
    src = load_oem(REBOOST)
    out = load_oem(write_oem(tmp_path / "nasa.oem", src))
    assert out.originator == "NASA/JSC/FOD/TOPO"
    assert out.segments[0].metadata["START_TIME"].startswith("2025-11-12T12:00:00.000")
    assert out.spacecraft == src.spacecraft
    assert [e.name for e in out.events] == [e.name for e in src.events]
    assert np.max(np.abs(out.segments[0].r_m - src.segments[0].r_m)) < 1e-6


def test_write_errors(tmp_path):
    with pytest.raises(InputError, match="needs an Ephemeris"):
        write_oem(tmp_path / "x.oem", [1, 2])
    with pytest.raises(InputError, match="one line"):
        write_oem(tmp_path / "x.oem", _ephemeris(), comments=["a\nb"])
    with pytest.raises(InputError, match="'kvn' or 'xml'"):
        write_oem(tmp_path / "x.oem", _ephemeris(), format="json")


def test_ephemeris_times_are_utc_stamped(tmp_path):
    """An instant written in UTC comes back as the same instant (the TT/UTC offset is not leaked)."""
    eph = _ephemeris()
    text = gzip.decompress(write_oem(tmp_path / "t.oem.gz", eph).read_bytes()).decode()
    first = next(ln for ln in text.splitlines() if ln.startswith("2025-11-19T"))
    expected = iso_utc(add_seconds(eph.epoch, eph.t_s[0]), 9)[:-1]
    assert first.split()[0] == expected


# --- audit: duplicate data lines, non-finite covariances, units after spacecraft figures ----------------
def test_duplicate_data_lines_are_dropped_with_one_note_naming_count_line_and_epoch():
    """Found by an audit: a data line written twice (files joined end to end) was dropped with no
    word to the user. Now one note per segment (which the station loader shows as a warning) says
    how many, the first one's line and epoch; the samples are those of the clean file."""
    clean = parse_oem(small_oem()).segments[0]
    # line 15 and 16 repeat line 14; a second copy of the last two lines (an overlap) follows
    oem = parse_oem(small_oem(ROWS[:2] + [ROWS[1], ROWS[1]] + ROWS[2:] + ROWS[2:]), source="joined.oem")
    (seg,) = oem.segments
    assert len(seg) == 4
    np.testing.assert_array_equal(seg.t_s, clean.t_s)
    np.testing.assert_array_equal(seg.r_m, clean.r_m)
    assert oem.notes == ("segment 1 (META_START at line 4): 4 duplicate data lines (the epoch and state of an earlier "
                         "line) dropped, the first at line 15 (epoch 2025-11-24T12:04:00.000, a copy of line 14); "
                         "each epoch is read once",)
    assert parse_oem(small_oem()).notes == ()


def test_the_same_epoch_with_another_state_is_refused_naming_both_lines():
    other = ROWS[1].replace("5150.248991680720", "5150.248991680721")          # 1 mm apart
    for rows, line, first in ((ROWS[:2] + [other] + ROWS[2:], 15, 14),            # adjacent
                              (ROWS + [other], 17, 14)):                          # after the later lines
        with pytest.raises(OEMFormatError) as exc:
            parse_oem(small_oem(rows), source="two.oem")
        msg = str(exc.value)
        assert "\n" not in msg
        assert msg.startswith(f"two.oem, line {line}: epoch 2025-11-24T12:04:00.000 is already at line {first} with "
                              "a different state; a segment holds one state per epoch"), msg


@pytest.mark.parametrize("row, text, entry", [
    ("0.5 nan", "nan", "CY_Y (row 2, column 2)"),
    ("inf 0 3", "inf", "CZ_X (row 3, column 1)"),
    ("0 0 0 0 -Infinity 1e-6", "-Infinity", "CZ_DOT_Y_DOT (row 6, column 5)"),
])
def test_a_non_finite_covariance_entry_is_refused_with_its_line_and_name(row, text, entry):
    """Found by an audit: a covariance holding NaN or inf was accepted (covariances are read, unused)."""
    good = ["1.0", "0.5 2", "0 0 3", "0 0 0 1e-6", "0 0 0 0 1e-6", "0 0 0 0 0 1e-6"]
    k = len(row.split()) - 1
    block = good[:k] + [row] + good[k + 1:]
    cov = "COVARIANCE_START\nEPOCH = 2025-11-24T12:00:00\n" + "\n".join(block) + "\nCOVARIANCE_STOP\n"
    text_ok = small_oem() + "COVARIANCE_START\nEPOCH = 2025-11-24T12:00:00\n" + "\n".join(good) + "\nCOVARIANCE_STOP\n"
    assert parse_oem(text_ok).segments[0].covariance_count == 1
    with pytest.raises(OEMFormatError) as exc:
        parse_oem(small_oem() + cov, source="cov.oem")
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith(f"cov.oem, line {19 + k}: covariance entry {entry} is {text!r}, not a finite number"), msg


def test_a_non_finite_xml_covariance_entry_is_refused():
    xml = (DATA / "orekit_oem" / "OEMExample3.xml").read_text().replace("MARS BARYCENTER", "EARTH")
    assert parse_oem(xml).segments[0].covariance_count >= 1
    with pytest.raises(OEMFormatError, match=r"covarianceMatrix 1: <CY_X> is 'NaN', not a finite number"):
        parse_oem(xml.replace("<CY_X>0.722</CY_X>", "<CY_X>NaN</CY_X>", 1))


def _with_comment(comment):
    return small_oem().replace("META_STOP\n", f"META_STOP\nCOMMENT {comment}\n")


@pytest.mark.parametrize("comment, attr, value", [
    ("MASS = 420000 kg", "mass_kg", 420000.0), ("MASS=460724.00", "mass_kg", 460724.0),
    ("MASS=420000KG", "mass_kg", 420000.0), ("DRAG_AREA = 1500 m^2", "drag_area_m2", 1500.0),
    ("DRAG_AREA = 1500 m2", "drag_area_m2", 1500.0), ("DRAG_AREA = 1500 m**2", "drag_area_m2", 1500.0),
    ("SOLAR_RAD_AREA = 12.5 [m^2]", "solar_rad_area_m2", 12.5), ("DRAG_COEFF = 2.2", "drag_coeff", 2.2),
    ("DRAG_COEFF = 2.2 dimensionless", "drag_coeff", 2.2), ("SOLAR_RAD_COEFF = 1.3 -", "solar_rad_coeff", 1.3),
])
def test_a_spacecraft_figure_with_its_expected_unit_is_read(comment, attr, value):
    """Found by an audit: ``MASS = 420000 kg`` was refused as unreadable."""
    assert getattr(parse_oem(_with_comment(comment)).spacecraft, attr) == value


@pytest.mark.parametrize("comment, expected", [
    ("MASS = 420 t", "unit 't' is not accepted; MASS is read in kg: convert the value, e.g. 'MASS = 420000 kg'"),
    ("DRAG_AREA = 1500 ft^2", "unit 'ft^2' is not accepted; DRAG_AREA is read in m^2 (written m^2, m2 or m**2): "
                              "convert the value, e.g. 'DRAG_AREA = 1500 m^2'"),
    ("SOLAR_RAD_AREA = 3 ft2", "unit 'ft2' is not accepted; SOLAR_RAD_AREA is read in m^2"),
    ("DRAG_COEFF = 2.2 kg", "unit 'kg' is not accepted; DRAG_COEFF is dimensionless: give a plain number, "
                            "e.g. 'DRAG_COEFF = 2.2'"),
    ("MASS=abc", "MASS must be a positive number (kg)"),
    ("MASS = abc kg", "MASS must be a positive number (kg)"),
    ("MASS = -5 kg", "MASS must be a positive number (kg)"),
])
def test_a_spacecraft_figure_in_another_unit_or_unreadable_is_refused_in_one_line(comment, expected):
    with pytest.raises(OEMFormatError) as exc:
        parse_oem(_with_comment(comment), source="unit.oem")
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(f"unit.oem: COMMENT {comment}: {expected}"), msg
