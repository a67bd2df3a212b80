"""flight.czml of the MS-28 flight (and the MS-27 return), validated with czml3's own models
and checked against the flight's physics:

* at liftoff the chaser is on the pad, Baikonur 31/6 at 45.9961 N, 63.5639 E, 104 m
  (domain.md 1.4), converted to ITRF by the WGS-84 closed form below (not Gyrfalcon's code);
* at contact the chaser is at the station (docking: within the approach's few tens of metres);
* every ISS sample is at 400-445 km above a 6,371 km sphere give or take the ellipsoid
  (|r| between 6,750 and 6,820 km, domain.md orbit table: mean altitude 419.7 km).
"""
from __future__ import annotations

import dataclasses
import json
import math
import re

import numpy as np
import pytest

from gyrfalcon.errors import InputError
from gyrfalcon.io.czml import build_czml, write_czml
from tests.mission.test_report import MS28_LIFTOFF, build_ms28_result

czml3 = pytest.importorskip("czml3")

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture(scope="module")
def flight():
    return build_ms28_result()[0]


@pytest.fixture(scope="module")
def packets(flight, tmp_path_factory):
    path = write_czml(flight, tmp_path_factory.mktemp("czml") / "flight.czml")
    return json.loads(path.read_text())


def _by_id(packets):
    return {p["id"]: p for p in packets}


def _samples(packet):
    pos = packet["position"]
    key = "cartesian" if "cartesian" in pos else "cartographicDegrees"
    a = np.array(pos[key], float).reshape(-1, 4)
    return pos["epoch"], a[:, 0], a[:, 1:]


def _seconds(a_iso, b_iso):
    import datetime as dt

    f = "%Y-%m-%dT%H:%M:%S.%fZ"
    return (dt.datetime.strptime(b_iso, f) - dt.datetime.strptime(a_iso, f)).total_seconds()


def _lagrange_at(t, ts, xs, n=8):
    """Lagrange interpolation of degree n-1 on the n samples nearest t (independent of Cesium's)."""
    i = int(np.clip(np.searchsorted(ts, t) - n // 2, 0, len(ts) - n))
    tt, xx = ts[i:i + n], xs[i:i + n]
    out = np.zeros(xs.shape[1])
    for j in range(n):
        w = np.prod([(t - tt[k]) / (tt[j] - tt[k]) for k in range(n) if k != j])
        out += w * xx[j]
    return out


def test_document_validates_with_czml3_and_has_the_flight_clock(packets):
    doc = czml3.Document.model_validate(packets)    # czml3's models: types, preamble rules
    assert len(doc.packets) == len(packets)
    pre = packets[0]
    assert pre["id"] == "document" and pre["version"] == "1.0" and pre["name"]
    start, stop = pre["clock"]["interval"].split("/")
    assert start == "2025-11-27T09:27:57.402Z"      # MS-28 liftoff (missions.csv)
    # contact within 5 min of the real docking, 12:34:35 UTC
    assert abs(_seconds("2025-11-27T12:34:35.000Z", stop)) < 300
    assert pre["clock"]["currentTime"] == start
    # every time string in the file is ISO UTC with a Z
    for p in packets:
        for text in ([p["availability"]] if "availability" in p else []):
            assert all(ISO.match(x) for x in text.split("/"))
        if "position" in p and "epoch" in p["position"]:
            assert ISO.match(p["position"]["epoch"])


def test_chaser_starts_on_the_pad_and_ends_at_the_station(packets, flight):
    by = _by_id(packets)
    ch, st = by["chaser"], by["station"]
    assert ch["position"]["referenceFrame"] == "FIXED" and st["position"]["referenceFrame"] == "FIXED"
    e_ch, t_ch, r_ch = _samples(ch)
    assert e_ch == "2025-11-27T09:27:57.402Z" and t_ch[0] == 0.0
    assert np.all(np.diff(t_ch) > 0)
    # WGS-84 geodetic -> ECEF, closed form
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    lat, lon, h = math.radians(45.9961), math.radians(63.5639), 104.0
    n = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    pad = np.array([(n + h) * math.cos(lat) * math.cos(lon), (n + h) * math.cos(lat) * math.sin(lon),
                    (n * (1 - e2) + h) * math.sin(lat)])
    assert np.linalg.norm(r_ch[0] - pad) < 5.0
    # at contact (the clock's stop) the chaser is at the station: interpolate both from the file
    e_st, t_st, r_st = _samples(st)
    t_contact = _seconds(e_ch, packets[0]["clock"]["interval"].split("/")[1])
    assert t_ch[-1] == pytest.approx(t_contact, abs=1.0)
    d = np.linalg.norm(_lagrange_at(t_contact, t_ch, r_ch) - _lagrange_at(t_contact, t_st + _seconds(e_ch, e_st), r_st))
    assert d < 50.0
    # and 10 min after insertion it is well away from the station (about 10-18 deg behind)
    t_ins = 529.0 + 600.0
    d_ins = np.linalg.norm(_lagrange_at(t_ins, t_ch, r_ch) - _lagrange_at(t_ins, t_st + _seconds(e_ch, e_st), r_st))
    assert 1000e3 < d_ins < 2500e3


def test_station_samples_are_at_iss_altitude(packets):
    _, _, r = _samples(_by_id(packets)["station"])
    radius = np.linalg.norm(r, axis=1)
    assert 6750e3 < radius.min() and radius.max() < 6820e3


def test_paths_labels_and_timeline_events(packets, flight):
    by = _by_id(packets)
    for pid in ("chaser", "station", "descent"):
        p = by[pid]
        assert p["path"]["trailTime"] > 0 and p["path"]["leadTime"] == 0
        assert p["label"]["text"]
    assert by["chaser"]["label"]["text"] == "Soyuz MS-28"
    # the timeline as a table in the chaser's description, one row per event
    assert by["chaser"]["description"].count("<tr>") == len(flight.events) + 1
    events = [p for p in packets if p["id"].startswith("event/")]
    names = [p["name"] for p in events]
    for want in ("liftoff", "spacecraft-separation", "DV1", "contact", "landing"):
        assert want in names
    # the contact label is at the station, the landing label on the ground near the landing point
    contact = next(p for p in events if p["name"] == "contact")
    r = np.array(contact["position"]["cartesian"])
    e_ch, _, _ = _samples(by["chaser"])
    e_st, t_st, r_st = _samples(by["station"])
    t_ev = _seconds(e_ch, contact["availability"].split("/")[0])
    assert np.linalg.norm(r - _lagrange_at(t_ev, t_st + _seconds(e_ch, e_st), r_st)) < 50.0
    landing = next(p for p in events if p["name"] == "landing")
    assert abs(np.linalg.norm(landing["position"]["cartesian"]) - 6.367e6) < 10e3


def test_labels_are_laid_out_apart(packets):
    # the chaser and the station meet at the approach: their labels sit on opposite sides of
    # their points (so they cannot print over each other however close the points are); event
    # labels hang below the vehicle, on the other side from both; the launch pad's and the landing
    # point's labels face away from each other (the sites are 450 km apart: ~20 px from far out)
    by = _by_id(packets)
    lab = {k: by[k]["label"] for k in ("chaser", "station", "site/launch-pad", "site/landing-point")}
    ch, st = lab["chaser"], lab["station"]
    assert ch["pixelOffset"]["cartesian2"][0] < 0 and ch["horizontalOrigin"] == "RIGHT"
    assert st["pixelOffset"]["cartesian2"][0] > 0 and st["horizontalOrigin"] == "LEFT"
    events = sorted((p for p in packets if p["id"].startswith("event/")), key=lambda p: p["availability"])
    for ev in events:
        assert ev["label"]["pixelOffset"]["cartesian2"][1] > 0 and ev["label"]["verticalOrigin"] == "TOP"
    assert ch["verticalOrigin"] == st["verticalOrigin"] == "BOTTOM"
    pad, land = lab["site/launch-pad"], lab["site/landing-point"]
    assert pad["horizontalOrigin"] == "RIGHT" and land["horizontalOrigin"] == "LEFT"
    # one event label at a time: each one's availability ends no later than the next one's start
    # (events at the same instant: the earlier-listed one shows for 2 ms)
    spans = [p["availability"].split("/") for p in events if p["name"] != "landing"]
    for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
        assert _seconds(a1, b0) >= -0.0025, (a0, a1, b0)
        assert _seconds(a0, a1) > 0


def test_descent_ends_at_the_landing_point(packets, flight):
    _, t, llh = _samples(_by_id(packets)["descent"])
    e = flight.landing.flight.entry
    assert llh[-1, 1] == pytest.approx(e.landing_lat_deg, abs=0.01)
    assert llh[-1, 0] == pytest.approx(e.landing_lon_deg, abs=0.01)
    assert llh[-1, 2] < 1000.0
    # Soyuz MS-27 landed near Zhezkazgan (47.78 N, 67.71 E): within 200 km of it
    dlat = math.radians(llh[-1, 1] - 47.78)
    dlon = math.radians(llh[-1, 0] - 67.71) * math.cos(math.radians(47.8))
    assert 6371.0 * math.hypot(dlat, dlon) < 200.0


def test_missing_phases_are_left_out(flight, tmp_path):
    only_ascent = dataclasses.replace(flight, rendezvous=None, approach=None, landing=None, chaser=None,
                                      station=None, events=())
    pk = json.loads(write_czml(only_ascent, tmp_path / "a.czml").read_text())
    czml3.Document.model_validate(pk)
    ids = {p["id"] for p in pk}
    assert ids == {"document", "chaser", "site/launch-pad"}
    bare = dataclasses.replace(only_ascent, ascent=None)
    pk = json.loads(write_czml(bare, tmp_path / "b.czml").read_text())
    assert [p["id"] for p in pk] == ["document"]
    assert pk[0]["clock"]["interval"].startswith(MS28_LIFTOFF)


def test_bad_input(flight, tmp_path):
    with pytest.raises(InputError, match="MissionResult"):
        build_czml(object())
    with pytest.raises(InputError, match="no launch time"):
        build_czml(dataclasses.replace(flight, ascent=None, chaser=None, launch_utc=None))
    with pytest.raises(InputError, match="does not exist"):
        write_czml(flight, tmp_path / "nope" / "f.czml")


def test_the_document_epoch_is_the_millisecond_it_is_written_with():
    """An audit: a liftoff at 09:28:01.322342712 (the default run's window) was written as
    '...01.322Z' while the samples counted from the exact instant, putting every track 0.34 ms
    (2.6 m along the ISS orbit) off. The epoch the offsets count from is now the written one."""
    from types import SimpleNamespace

    from gyrfalcon.io.czml import _czml_start
    from gyrfalcon.time import iso_utc, parse_utc, seconds_between

    lift = parse_utc("2025-11-27T09:28:01.322342712Z")
    t0 = _czml_start(SimpleNamespace(ascent=SimpleNamespace(liftoff=lift)))
    assert iso_utc(t0, 9) == "2025-11-27T09:28:01.322000000Z"
    assert abs(float(seconds_between(t0, lift)) - 0.000342712) < 1e-8
