"""The shipped default ISS ephemeris (gyrfalcon.orbits.iss).

References: the sha256 figures of the reference archive's README, its transcription of the
event table, missions.csv's launch time, Orekit's EME2000->GCRF conversion of the first
sample (tests/data/orekit_two_body_1d_header.txt), and the geometry of an ascending node.
"""
from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

from gyrfalcon.errors import EphemerisRangeError
from gyrfalcon.orbits.iss import ISS_DEFAULT_SHA256, iss_default_path, iss_ephemeris, load_iss_default
from gyrfalcon.time import iso_utc, parse_utc, seconds_between

DATA = Path(__file__).resolve().parents[1] / "data"


def orekit_header():
    out = {}
    for line in (DATA / "orekit_two_body_1d_header.txt").read_text().splitlines():
        key, _, value = line[2:].partition(": ")
        out[key] = value
    return out


def parse_state(text):
    vals = dict(item.split("=") for item in text.split("  (")[0].replace(" ", "").split(","))
    return (np.array([float(vals[k]) for k in ("x", "y", "z")]),
            np.array([float(vals[k]) for k in ("vx", "vy", "vz")]))


def test_shipped_file_is_nasas_byte_for_byte():
    raw = Path(iss_default_path()).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == ISS_DEFAULT_SHA256
    # the reference archive's README lists sha256 (first 16 hex) of the uncompressed text
    assert hashlib.sha256(gzip.decompress(raw)).hexdigest()[:16] == "6d724c6394dc9aea"


def test_header_metadata_span_and_spacecraft():
    oem = load_iss_default()
    # parsed once, but every caller gets its own copy: an edit reaches no later caller
    oem.segments[0].metadata["REF_FRAME"] = "ITRF"
    assert load_iss_default().segments[0].metadata["REF_FRAME"] == "EME2000"
    oem = load_iss_default()
    assert iso_utc(oem.creation_date) == "2025-11-24T20:10:38.633Z"
    (seg,) = oem.segments
    assert (seg.object_name, seg.object_id, seg.frame, seg.time_system) == ("ISS", "1998-067-A", "EME2000", "UTC")
    assert iso_utc(seg.start) == "2025-11-24T12:00:00.000Z" and iso_utc(seg.stop) == "2025-12-09T12:00:00.000Z"
    assert len(seg) == 5402
    assert oem.spacecraft.mass_kg == 494318.80 and oem.spacecraft.drag_coeff == 1.40
    # Orekit's header quotes the first data line in metres
    r, v = parse_state(orekit_header()["initial_state_eme2000_m_mps"])
    np.testing.assert_allclose(seg.r_m[0], r, rtol=0, atol=1e-9)
    np.testing.assert_allclose(seg.v_mps[0], v, rtol=0, atol=1e-12)


def test_events_match_the_reference_readme_and_missions_csv():
    oem = load_iss_default()
    # README: "74S Launch 331:09:27:57.000; 74S Dock 331:12:38:32.000; 73S Undock 343:01:40:00.000",
    # "HA 425.6 km, HP 412.4 km" for the launch
    got = [(e.name, iso_utc(e.tig), e.dv_mps) for e in oem.events]
    assert got == [("74S Launch", "2025-11-27T09:27:57.000Z", 0.0),
                   ("74S Dock", "2025-11-27T12:38:32.000Z", 0.0),
                   ("73S Undock", "2025-12-09T01:40:00.000Z", 0.0)]
    assert (oem.events[0].ha_km, oem.events[0].hp_km) == (425.6, 412.4)
    # missions.csv: Soyuz MS-28 lifted off 2025-11-27 09:27:57.402 UTC
    assert abs(float(seconds_between(parse_utc("2025-11-27T09:27:57.402"), oem.events[0].tig))) < 1.0


def test_gcrf_first_sample_matches_orekit():
    eph = iss_ephemeris()
    assert eph.frame == "GCRF" and eph.name == "ISS"
    r, v = parse_state(orekit_header()["initial_state_gcrf_m_mps"])
    assert np.max(np.abs(eph.r_m[0] - r)) < 1e-3              # 1 mm (frame bias moves it 0.76 m)
    assert np.max(np.abs(eph.v_mps[0] - v)) < 1e-6
    assert iso_utc(eph.start) == "2025-11-24T12:00:00.000Z"
    assert eph.mass_kg is not None and eph.mass_kg[0] == 494318.80


def test_covers_ms28_flight_and_ms27_undocking():
    eph = iss_ephemeris()
    for t in ("2025-11-27T09:27:57.402Z", "2025-11-27T12:34:35Z", "2025-12-09T01:40:00Z", "2025-12-09T06:00:00Z"):
        s = eph.at(t)
        assert 6.7e6 < s.radius_m < 6.9e6 and 7.6e3 < s.speed_mps < 7.8e3
    with pytest.raises(EphemerisRangeError):
        eph.at("2025-12-10T00:00:00Z")


def test_ascending_nodes_are_on_the_earth_fixed_equator_at_the_printed_longitude():
    """NASA's 'first/last asc. node' lines: at EPOCH the ISS crosses the ITRF equator northbound at LAN."""
    oem = load_iss_default()
    itrf = iss_ephemeris("ITRF")
    assert [(n.label, n.orbit) for n in oem.ascending_nodes] == [("first", 2003), ("last", 2234)]
    for node in oem.ascending_nodes:
        s = itrf.at(node.epoch)
        assert abs(s.r_m[2]) < 100.0                            # metres; measured 10 m
        assert s.v_mps[2] > 5000.0                              # northbound
        lon = np.degrees(np.arctan2(s.r_m[1], s.r_m[0]))
        assert lon == pytest.approx(node.lan_deg, abs=0.002)    # measured 0.0004 deg


def test_cached_trajectory_edit_reaches_no_other_caller():
    """The shipped trajectory is built once per process: a caller writing into it (arrays,
    metadata) must not move the ISS for every later caller (issue 16). Each call returns its
    own copy of the cached one."""
    eph = iss_ephemeris("GCRF")
    r0 = eph.r_m[0].copy()
    for arr in (eph.t_s, eph.r_m, eph.v_mps, eph.mass_kg):
        arr[0] = 0.0
    eph.r_m[:] += 1.0
    eph.meta.clear()
    seg = load_iss_default().segments[0]
    for arr in (seg.t_s, seg.r_m, seg.v_mps):
        arr[0] = 0.0
    again = iss_ephemeris("GCRF")
    assert again is not eph and np.array_equal(again.r_m[0], r0) and again.meta
    assert load_iss_default().segments[0].t_s[0] == 0.0 and load_iss_default().segments[0].r_m[0][0] != 0.0
    # an array given to an Ephemeris is copied, not frozen under the caller's feet
    from gyrfalcon.orbits.ephemeris import Ephemeris

    t = np.array([0.0, 60.0])
    mine = Ephemeris(eph.epoch, t, eph.r_m[:2], eph.v_mps[:2])
    t[0] = -1.0                                     # still writeable, and the ephemeris unchanged
    assert mine.t_s[0] == 0.0
