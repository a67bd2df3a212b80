"""Launch sites and pads: catalogue, dated status, reachability, ITRF position.

References: domain.md §1.4 (Site 31/6 position, B/C), §1.5 (launch azimuth 63.3 deg inertial and
about 62 deg ground-relative for i = 51.64 deg from 46.0 N, D), §7.1-7.2 (pad outage
27 Nov 2025 -> 3 Mar 2026, first launch after the repair 22 Mar 2026, 115 days after the
accident); Orekit 13.1.9 WGS-84 geodetic <-> ITRF pairs (tests/data/frames_check.csv);
astropy's EarthLocation (an independent WGS-84 implementation); closed-form spherical
trigonometry (cos i = cos phi sin Az) and the WGS-84 constants.
"""
from __future__ import annotations

import csv
import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from gyrfalcon.errors import GyrfalconError, InputError
from gyrfalcon.launch.sites import (
    NotCrewRatedError,
    PadStatusBoard,
    PadUnavailableError,
    SiteCatalogError,
    UnknownSiteError,
    UnreachableOrbitError,
    VehicleNotSupportedError,
    earth_rotation_speed_mps,
    launch_azimuth_for_inclination,
    load_sites,
    parse_sites,
)
from gyrfalcon.time import iso_utc, parse_utc, seconds_between

DATA = Path(__file__).resolve().parents[1] / "data"
rad = math.radians
deg = math.degrees

MS28_LIFTOFF = "2025-11-27T09:27:57.4Z"  # domain.md §1.1 (A/B)
PROGRESS_MS33_LIFTOFF = "2026-03-22T11:59:00Z"  # domain.md §7.2: 07:59 EDT (B)

REQUIRED_PADS = ("baikonur-31", "baikonur-1", "vostochny-1s", "plesetsk-43-4", "ksc-39a",
                 "ccsfs-slc-40", "ccsfs-slc-41", "wallops-0a", "tanegashima-y2")


@pytest.fixture(scope="module")
def sites():
    return load_sites()


# --- catalogue ---------------------------------------------------------------------------
def test_catalogue_holds_the_required_pads_with_sources(sites):
    assert set(REQUIRED_PADS) <= set(sites.ids)
    for pad in sites:
        assert pad.position_source and pad.position_conf, pad.id
        assert pad.vehicles and pad.corridors and pad.history, pad.id
        assert all(e.source and e.reason for e in pad.history), pad.id
        assert all(c.source for c in pad.corridors), pad.id
        assert -math.pi / 2 <= pad.lat_rad <= math.pi / 2


def test_baikonur_31_position_is_domain_figure(sites):
    pad = sites.get("baikonur-31")
    # domain.md §1.4: 45 59 46 N, 63 33 50 E = 45.9961 N, 63.5639 E, about 104 m
    assert deg(pad.lat_rad) == pytest.approx(45 + 59 / 60 + 46 / 3600, abs=1e-4)
    assert deg(pad.lon_rad) == pytest.approx(63 + 33 / 60 + 50 / 3600, abs=1e-4)
    assert pad.alt_m == pytest.approx(104.0)
    # cross-check (launchcalendar.org via domain.md §1.4): 45.996 N, 63.562 E -> within 200 m
    assert abs(deg(pad.lat_rad) - 45.996) * 111e3 < 200
    assert abs(deg(pad.lon_rad) - 63.562) * 111e3 * math.cos(pad.lat_rad) < 200
    assert pad.crew_rated and pad.supports("Soyuz-2.1a")


@pytest.mark.parametrize("alias", ["baikonur-31", "baikonur-31/6", "Baikonur-31/6", "31/6", " site-31/6 "])
def test_aliases_resolve_to_site_31_6(sites, alias):
    assert sites.get(alias).id == "baikonur-31"
    assert alias in sites


def test_unknown_site_lists_the_known_ids(sites):
    with pytest.raises(UnknownSiteError) as exc:
        sites.get("kourou-els")
    msg = str(exc.value)
    assert "kourou-els" in msg
    for pad_id in REQUIRED_PADS:
        assert pad_id in msg
    assert isinstance(exc.value, GyrfalconError)


def test_cape_pads_are_a_few_km_apart(sites):
    """LC-39A, SLC-40 and SLC-41 are 2.5-6 km apart on the Florida coast (sanity of the C coordinates)."""
    p = {k: sites.get(k).itrf_position_m() for k in ("ksc-39a", "ccsfs-slc-40", "ccsfs-slc-41")}
    d = lambda a, b: float(np.linalg.norm(p[a] - p[b]))  # noqa: E731
    assert 2.0e3 < d("ksc-39a", "ccsfs-slc-41") < 4.0e3
    assert 4.0e3 < d("ksc-39a", "ccsfs-slc-40") < 7.0e3
    assert 1.5e3 < d("ccsfs-slc-40", "ccsfs-slc-41") < 4.0e3


# --- dated status ------------------------------------------------------------------------
def test_site_31_status_history_matches_domain_dates(sites):
    pad = sites.get("baikonur-31")
    assert pad.status_at(MS28_LIFTOFF).status == "operational"  # MS-28 itself flew
    assert pad.status_at("2025-11-27T09:28:30Z").status == "damaged"  # cabin fell ~10 s after liftoff
    assert pad.status_at("2025-12-21").status == "damaged"  # Progress MS-33 stood down (§7.2)
    assert pad.status_at("2026-03-02T23:59:59Z").status == "damaged"
    assert pad.status_at("2026-03-03").status == "operational"  # restoration complete (§7.2)
    assert pad.status_at(PROGRESS_MS33_LIFTOFF).available
    # outage 27 Nov -> 3 Mar (about 3.2 months) and first launch 115 days after the accident (§7.2, D)
    nxt = pad.next_available("2025-12-21")
    assert iso_utc(nxt, places=0) == "2026-03-03T00:00:00Z"
    assert seconds_between(parse_utc("2025-11-27"), nxt) / 86400 == pytest.approx(96.0)
    assert seconds_between(parse_utc("2025-11-27"), parse_utc("2026-03-22")) / 86400 == pytest.approx(115.0)
    st = pad.status_at("2025-12-21")
    assert iso_utc(st.until, places=0) == "2026-03-03T00:00:00Z"
    # damage 10 s after liftoff (§7.1)
    assert seconds_between(parse_utc(MS28_LIFTOFF), st.since) == pytest.approx(10.0, abs=1e-3)


def test_refusal_gives_reason_and_next_available_date(sites):
    pad = sites.get("baikonur-31")
    with pytest.raises(PadUnavailableError) as exc:
        pad.require_available("2025-12-21", vehicle="soyuz-2.1a")
    assert str(exc.value) == (
        "pad baikonur-31 (Site 31/6) is damaged on 2025-12-21 (service cabin fell into the flame trench "
        "at the Soyuz MS-28 launch; damaged since 2025-11-27); it is next available on 2026-03-03"
    )
    assert exc.value.pad_id == "baikonur-31" and exc.value.status.status == "damaged"
    assert iso_utc(exc.value.next_available, places=0) == "2026-03-03T00:00:00Z"
    assert pad.require_available(PROGRESS_MS33_LIFTOFF, vehicle="soyuz-2.1a").available


def test_board_known_before_gives_the_recorded_repair_date():
    """A board as known before liftoff (the station rule pad-operational's view) has dropped the
    repair entry dated after it, but its refusal still gives the catalogue's repair date
    (3 Mar 2026, domain.md 7.2), never "no return to service"."""
    board = PadStatusBoard.from_catalog(known_before="2025-12-21T00:00Z")
    assert board.next_available("baikonur-31", "2025-12-21T12:00Z") is None
    with pytest.raises(PadUnavailableError) as exc:
        board.require_available("baikonur-31", "2025-12-21T12:00Z", vehicle="soyuz-2.1a")
    msg = str(exc.value)
    assert "damaged" in msg and "back in service on 2026-03-03 (the launch-site catalogue's repair date)" in msg
    assert "no return to service" not in msg
    # a board over the whole catalogue says it as before
    with pytest.raises(PadUnavailableError, match="next available on 2026-03-03"):
        PadStatusBoard.from_catalog().require_available("baikonur-31", "2025-12-21T12:00Z")


def test_retired_pad_1_5_is_refused(sites):
    pad = sites.get("gagarins-start")
    assert pad.id == "baikonur-1"
    # Soyuz MS-15, 2019-09-25 13:57 UTC, its last launch (C), was still allowed
    assert pad.status_at("2019-09-25T13:57:41Z").available
    with pytest.raises(PadUnavailableError) as exc:
        pad.require_available(MS28_LIFTOFF)
    msg = str(exc.value)
    assert "is retired on 2025-11-27T09:27:57Z" in msg and "Soyuz MS-15" in msg
    assert "no return to service is recorded" in msg
    assert "baikonur-31" in msg  # an operational alternative on that date
    assert exc.value.next_available is None and pad.next_available("2030-01-01") is None


def test_other_recorded_outages(sites):
    """SLC-40 (AMOS-6, 2016-09-01 -> CRS-13, 2017-12-15) and Wallops 0A (Orb-3 -> OA-5) (C)."""
    slc40 = sites.get("slc-40")
    assert slc40.status_at("2017-01-01").status == "damaged"
    assert iso_utc(slc40.next_available("2017-01-01"), places=0) == "2017-12-15T00:00:00Z"
    assert sites.get("wallops").status_at("2015-06-01").status == "damaged"
    assert sites.get("ksc-39a").status_at("2014-01-01").status == "inactive"


def test_vehicle_and_crew_capability(sites):
    with pytest.raises(VehicleNotSupportedError) as exc:
        sites.get("baikonur-31").require_available(PROGRESS_MS33_LIFTOFF, vehicle="falcon-9")
    assert "ksc-39a" in str(exc.value) and "ccsfs-slc-40" in str(exc.value)
    assert "soyuz-2.1a" in str(exc.value)
    with pytest.raises(NotCrewRatedError) as exc:
        sites.get("vostochny").require_available("2026-04-01", vehicle="soyuz-2.1a", crewed=True)
    assert "baikonur-31" in str(exc.value)
    assert sites.get("slc-40").require_available("2026-04-01", "falcon-9", crewed=True).available


def test_status_before_first_record_is_not_in_service(sites):
    st = sites.get("vostochny-1s").status_at("2010-01-01")
    assert not st.available and st.since is None
    assert iso_utc(sites.get("vostochny-1s").next_available("2010-01-01"), places=0) == "2016-04-28T00:00:00Z"


# --- status board ------------------------------------------------------------------------
def test_board_events_are_immutable_and_dated(sites):
    board = PadStatusBoard.from_catalog(sites)
    b2 = board.with_event("ksc-39a", "2026-05-01", "damaged", "test damage", until="2026-06-01")
    assert board.events == () and len(b2.events) == 1
    assert board.status_at("ksc-39a", "2026-05-15").available
    assert b2.status_at("ksc-39a", "2026-05-15").status == "damaged"
    assert b2.status_at("ksc-39a", "2026-06-01").available  # restored to the prior status
    assert b2.status_at("ksc-39a", "2026-04-30").available
    assert iso_utc(b2.next_available("ksc-39a", "2026-05-15"), places=0) == "2026-06-01T00:00:00Z"
    # open-ended event
    b3 = board.with_event("ksc-39a", "2026-05-01", "retired", "test retirement")
    assert b3.next_available("ksc-39a", "2030-01-01") is None
    with pytest.raises(InputError, match="not after its start"):
        board.with_event("ksc-39a", "2026-05-01", "damaged", "x", until="2026-04-01")
    with pytest.raises(InputError, match="use one of operational"):
        board.with_event("ksc-39a", "2026-05-01", "exploded", "x")
    with pytest.raises(UnknownSiteError):
        board.with_event("nowhere", "2026-05-01", "damaged", "x")


def test_known_before_replays_history(sites):
    board = PadStatusBoard.from_catalog(known_before="2025-11-27T09:00Z")
    assert board.status_at("baikonur-31", "2025-12-21").available
    assert len(board.pad("baikonur-31").history) == 1
    assert not sites.get("baikonur-31").status_at("2025-12-21").available  # catalogue untouched


# --- reachability ------------------------------------------------------------------------
def test_azimuth_domain_figures():
    a = launch_azimuth_for_inclination(rad(46.0), rad(51.64), orbital_speed_mps=7790.0)
    assert deg(a.inertial_rad) == pytest.approx(63.3, abs=0.05)  # domain.md §1.5
    assert deg(a.ground_relative_rad) == pytest.approx(62.0, abs=0.5)  # "about 62 deg"
    assert a.ground_relative_rad < a.inertial_rad  # rotation is eastward: aim less east
    d = launch_azimuth_for_inclination(rad(46.0), rad(51.64), ascending=False)
    assert deg(d.inertial_rad) == pytest.approx(180 - 63.3, abs=0.05)


@pytest.mark.parametrize("lat_deg,inc_deg,ascending", [(46.0, 51.64, True), (28.6, 51.64, False),
                                                       (62.9, 97.6, True), (-5.2, 6.0, True), (30.4, 30.4, True)])
def test_azimuth_gives_the_inclination_closed_form(lat_deg, inc_deg, ascending):
    """Velocity along the inertial azimuth at the site -> h = r x v -> inclination (no formula reuse)."""
    a = launch_azimuth_for_inclination(rad(lat_deg), rad(inc_deg), ascending)
    phi, lam, az = rad(lat_deg), rad(37.0), a.inertial_rad
    up = np.array([math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)])
    east = np.array([-math.sin(lam), math.cos(lam), 0.0])
    north = np.cross(up, east)
    v = math.sin(az) * east + math.cos(az) * north
    h = np.cross(up, v)
    assert deg(math.acos(h[2] / np.linalg.norm(h))) == pytest.approx(inc_deg, abs=1e-9)
    assert (v[2] > 0) == ascending or abs(v[2]) < 1e-12  # ascending pass: moving north


def test_earth_rotation_speed():
    # omega * a at the equator: 7.292115e-5 * 6378137 = 465.10 m/s
    assert earth_rotation_speed_mps(0.0) == pytest.approx(7.292115146706979e-5 * 6378137.0, rel=1e-12)
    # and roughly 323 m/s at Baikonur
    assert earth_rotation_speed_mps(rad(46.0)) == pytest.approx(323.4, abs=0.5)


def test_inclination_below_latitude_is_refused(sites):
    with pytest.raises(UnreachableOrbitError) as exc:
        sites.get("baikonur-31").check_reachable(rad(28.5))
    assert str(exc.value) == (
        "i = 28.5 deg is below Baikonur's latitude 45.996 deg; the lowest inclination reachable "
        "without a plane change is 46.0 deg"
    )
    # Vostochny (51.9 N) cannot reach the ISS plane (51.64 deg) by a direct ascent
    with pytest.raises(UnreachableOrbitError, match="below Vostochny's latitude 51.884"):
        sites.get("vostochny-1s").check_reachable(rad(51.64))
    with pytest.raises(UnreachableOrbitError, match="highest inclination reachable .* 134.0 deg"):
        sites.get("baikonur-31").check_reachable(rad(170.0))
    with pytest.raises(InputError, match="outside 0..180"):
        launch_azimuth_for_inclination(rad(46.0), rad(200.0))


def test_reachability_and_corridors(sites):
    iss = rad(51.64)
    a = sites.get("baikonur-31").check_reachable(iss)
    assert a.ascending and a.corridor.startswith("north-east")
    with pytest.raises(UnreachableOrbitError) as exc:
        sites.get("baikonur-31").check_reachable(iss, ascending=False)
    msg = str(exc.value)
    assert "117.8 deg (descending pass)" in msg and "north-east" in msg and "25..75 deg" in msg
    assert "ascending pass (62.2 deg ground azimuth) is in a corridor" in msg
    # the ISS from Florida: north-east on the ascending pass, inside the Eastern Range limits
    k = sites.get("ksc-39a").check_reachable(iss)
    assert k.ascending and 35 < deg(k.ground_relative_rad) < 50
    # sun-synchronous 97.5 deg: only SLC-40's southern polar corridor allows it at the Cape
    with pytest.raises(UnreachableOrbitError, match="Eastern Range"):
        sites.get("ksc-39a").check_reachable(rad(97.5))
    s = sites.get("slc-40").check_reachable(rad(97.5))
    assert not s.ascending and s.corridor.startswith("southern polar")
    # HTV-X from Tanegashima: descending pass to the south-east
    assert not sites.get("tanegashima").check_reachable(iss).ascending
    assert sites.get("wallops").check_reachable(iss).ascending


# --- ITRF position -----------------------------------------------------------------------
def test_itrf_position_matches_orekit_geodetic_pairs(sites):
    """Orekit's WGS-84 ellipsoid: geodetic (lat, lon, alt) <-> ITRF for 5 ISS states."""
    base = sites.get("baikonur-31")
    rows = [r for r in csv.DictReader(line for line in open(DATA / "frames_check.csv") if not line.startswith("#"))
            if r["kind"] == "iss_oem"]
    assert len(rows) == 5
    for r in rows:
        pad = dataclasses.replace(base, lat_rad=rad(float(r["lat_deg"])), lon_rad=rad(float(r["lon_deg"])),
                                  alt_m=float(r["alt_m"]))
        expected = np.array([float(r["x_itrf"]), float(r["y_itrf"]), float(r["z_itrf"])])
        assert np.linalg.norm(pad.itrf_position_m() - expected) < 1e-3


def test_itrf_position_matches_astropy(sites):
    astropy_coords = pytest.importorskip("astropy.coordinates")
    import astropy.units as u

    for pad in sites:
        loc = astropy_coords.EarthLocation.from_geodetic(
            deg(pad.lon_rad) * u.deg, deg(pad.lat_rad) * u.deg, pad.alt_m * u.m, ellipsoid="WGS84")
        expected = np.array([loc.x.to_value(u.m), loc.y.to_value(u.m), loc.z.to_value(u.m)])
        assert np.linalg.norm(pad.itrf_position_m() - expected) < 1e-3, pad.id


# --- catalogue validation ----------------------------------------------------------------
_PAD = """
[[pad]]
id = "x-1"
name = "X"
lat_deg = 10.0
lon_deg = 20.0
alt_m = 0.0
vehicles = ["v"]
[[pad.corridor]]
name = "east"
min_deg = 45.0
max_deg = 135.0
[[pad.status]]
since = 2020-01-01
status = "operational"
reason = "r"
"""


def test_catalogue_validation():
    assert parse_sites(_PAD).get("x-1").status_at("2021-01-01").available
    with pytest.raises(SiteCatalogError, match="status 'exploded' unknown"):
        parse_sites(_PAD.replace('status = "operational"', 'status = "exploded"'))
    with pytest.raises(SiteCatalogError, match="missing key 'lat_deg'"):
        parse_sites(_PAD.replace("lat_deg = 10.0", ""))
    with pytest.raises(SiteCatalogError, match="not in time order"):
        parse_sites(_PAD + '[[pad.status]]\nsince = 2019-01-01\nstatus = "retired"\nreason = "r"\n')
    with pytest.raises(SiteCatalogError, match="alias 'x-1'"):
        parse_sites(_PAD + _PAD.replace('id = "x-1"', 'id = "x-2"\naliases = ["x-1"]'))
    with pytest.raises(SiteCatalogError, match="not valid TOML"):
        parse_sites("[[pad]\n")
    with pytest.raises(SiteCatalogError, match="no \\[\\[pad\\]\\] tables"):
        parse_sites("schema = 1\n")
