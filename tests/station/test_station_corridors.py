"""Approach-corridor clearance: the NG-23 / Rassvet case both ways, closed-form distances, errors.

References:
* domain.md 4.1/4.2 and seed 000 (A/B): Cygnus XL NG-23 at Unity nadir was unberthed on
  24 Nov 2025 and held on Canadarm2 so that Soyuz MS-28 could dock at Rassvet nadir; MS-28
  docked on 27 Nov with the other six vehicles in place; NG-23 was re-berthed at Unity nadir
  on 1 Dec 2025 with all seven others docked.
* Closed-form geometry: the distance from a point at axial coordinate u and radial distance
  rho to a cone of half angle alpha (apex at the origin) is rho cos(alpha) - u sin(alpha)
  when its projection falls on the cone's generatrix; the shapes' nearest points follow from
  the catalogue positions and dimensions by hand (see each test).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from gyrfalcon.errors import InputError
from gyrfalcon.station.catalog import (
    IncompatibleVehicleError,
    UnknownPortError,
    UnknownVehicleTypeError,
    load_station,
    load_vehicle_types,
)
from gyrfalcon.station.corridors import corridor_clearance, corridor_report, corridor_signed_distance

ISS = load_station()
DEC1 = ISS.occupancy("2025-12-01").vehicle_types()


def _without(occ, *ports):
    return {k: v for k, v in occ.items() if k not in ports}


# --- the NG-23 / Rassvet case ----------------------------------------------------------------
def test_cygnus_at_unity_nadir_blocks_rassvet_nadir():
    r = corridor_clearance(ISS, "rassvet-nadir", _without(DEC1, "rassvet-nadir"), arriving="soyuz-ms")
    assert not r.clear
    assert {(b.port_id, b.vehicle_type) for b in r.blocking} == {("unity-nadir", "cygnus-xl")}
    assert "Cygnus XL at unity-nadir" in r.blocking[0].reason and "rassvet-nadir" in r.blocking[0].reason


def test_rassvet_nadir_clear_with_ng23_on_the_arm():
    occ = ISS.occupancy("2025-11-27").vehicle_types()          # the six others, as on 27 Nov 2025
    assert occ == _without(DEC1, "rassvet-nadir", "unity-nadir")
    assert set(occ) == {"harmony-zenith", "harmony-forward", "harmony-nadir", "prichal-nadir",
                        "poisk-zenith", "zvezda-aft"}
    r = corridor_clearance(ISS, "rassvet-nadir", occ, arriving="soyuz-ms")
    assert r.clear and r.blocking == ()
    # 6 bodies + the arrays of MS-27, MS-31, MS-32 and HTV-X1 (Dragons have no deployable arrays)
    assert len(r.clearances) == 6 + 4
    # nearest shape: Soyuz MS-27's arrays at Prichal
    assert (r.clearances[0].port_id, r.clearances[0].part) == ("prichal-nadir", "solar arrays")


def test_ng23_reberth_on_1_december_clear_with_all_seven_others():
    r = corridor_clearance(ISS, "unity-nadir", _without(DEC1, "unity-nadir"), arriving="cygnus-xl")
    assert r.clear
    assert r.margin_m == 0.0                                     # arm berthing: thrusters inhibited


def test_closed_form_distances_for_the_rassvet_corridor():
    """Hand-computed nearest points (all in the x-z plane, y = 0):
    * Cygnus XL body: cylinder axis 6.2 m forward of Rassvet's axis, radius 3.07/2, far end
      at z = 2.69 + 7.89 = 10.58, i.e. u = 2.48 m past the Rassvet port (z = 8.1): its
      near generatrix is at rho = 6.2 - 1.535.
    * Cygnus XL arrays: disc of radius 11.5/2 at z = 2.69 + 7.1: rho = 6.2 - 5.75, u = 1.69.
    * Soyuz MS-27 arrays at Prichal: disc of radius 10.7/2 at z = 18.7 + 5.7, 12.9 m aft.
    Each distance is reduced by the arriving Soyuz's radius 2.72/2."""
    types = load_vehicle_types()
    soyuz, cygnus = types["soyuz-ms"], types["cygnus-xl"]
    alpha = ISS.port("rassvet-nadir").corridor.half_angle_rad
    rassvet, unity, prichal = (ISS.port(p).position_m for p in ("rassvet-nadir", "unity-nadir", "prichal-nadir"))
    dx_unity = unity[0] - rassvet[0]
    dx_prichal = rassvet[0] - prichal[0]

    def cone(u, rho):
        return rho * math.cos(alpha) - u * math.sin(alpha)

    body = cone(unity[2] + cygnus.length_m - rassvet[2], dx_unity - cygnus.radius_m) - soyuz.radius_m
    arrays = cone(unity[2] + cygnus.array_station_m - rassvet[2], dx_unity - cygnus.array_span_m / 2) - soyuz.radius_m
    ms27 = cone(prichal[2] + soyuz.array_station_m - rassvet[2], dx_prichal - soyuz.array_span_m / 2) - soyuz.radius_m
    assert (body, arrays, ms27) == pytest.approx((2.8035, -1.2103, 3.2450), abs=1e-3)

    r = corridor_clearance(ISS, "rassvet-nadir", _without(DEC1, "rassvet-nadir"), arriving="soyuz-ms")
    got = {(c.port_id, c.part): c.min_distance_m for c in r.clearances}
    tol = 0.03                                                   # sampling grid 5 cm
    assert got[("unity-nadir", "body")] == pytest.approx(body, abs=tol)
    assert got[("unity-nadir", "solar arrays")] == pytest.approx(arrays, abs=tol)
    assert got[("prichal-nadir", "solar arrays")] == pytest.approx(ms27, abs=tol)
    blocking = r.blocking[0]
    assert blocking.part == "solar arrays" and blocking.min_distance_m == pytest.approx(arrays, abs=tol)


@pytest.mark.parametrize("margin", [0.0, 0.5, 1.0, 2.0, 3.0, 3.2])
def test_ng23_verdicts_hold_over_the_plume_margin_range(margin):
    with_cygnus = corridor_clearance(ISS, "rassvet-nadir", _without(DEC1, "rassvet-nadir"), arriving="soyuz-ms",
                                     plume_margin_m=margin)
    without = corridor_clearance(ISS, "rassvet-nadir", _without(DEC1, "rassvet-nadir", "unity-nadir"),
                                 arriving="soyuz-ms", plume_margin_m=margin)
    assert (with_cygnus.clear, without.clear) == (False, True)


def test_margin_above_the_ms27_clearance_flips_the_verdict():
    """The check is a real threshold: beyond 3.245 m (closed form above) MS-27's arrays block too."""
    r = corridor_clearance(ISS, "rassvet-nadir", _without(DEC1, "rassvet-nadir", "unity-nadir"),
                           arriving="soyuz-ms", plume_margin_m=3.3)
    assert not r.clear
    assert [(b.port_id, b.part) for b in r.blocking] == [("prichal-nadir", "solar arrays")]


def test_cygnus_body_alone_blocks_only_beyond_its_closed_form_distance():
    """If Cygnus's arrays were out of the way (span 0), only its body (2.80 m, closed form
    above) is left: clear at the catalogue's 2 m margin, blocked for margins above 2.80 m."""
    types = tuple(dataclasses.replace(v, array_span_m=0.0) if v.id == "cygnus-xl" else v for v in ISS.vehicle_types)
    st = dataclasses.replace(ISS, vehicle_types=types)
    occ = {"unity-nadir": "cygnus-xl"}
    assert corridor_clearance(st, "rassvet-nadir", occ, arriving="soyuz-ms").clear
    assert corridor_clearance(st, "rassvet-nadir", occ, arriving="soyuz-ms", plume_margin_m=2.75).clear
    r = corridor_clearance(st, "rassvet-nadir", occ, arriving="soyuz-ms", plume_margin_m=2.85)
    assert [(b.port_id, b.part) for b in r.blocking] == [("unity-nadir", "body")]
    assert "inside the 2.85 m plume margin" in r.blocking[0].reason


# --- the rest of the 1 Dec configuration -----------------------------------------------------
def test_report_on_first_december():
    rep = corridor_report(ISS, DEC1)
    assert set(rep) == set(ISS.port_ids)
    assert [pid for pid, r in rep.items() if not r.clear] == ["rassvet-nadir"]
    assert rep["rassvet-nadir"].arriving_vehicle == "soyuz-ms"
    assert rep["harmony-nadir"].arriving_vehicle == "htv-x"


def test_default_arriving_vehicle_is_the_widest_compatible_type():
    r = corridor_clearance(ISS, "harmony-forward", {})
    assert r.arriving_vehicle == "starliner" and r.arriving_radius_m == pytest.approx(4.56 / 2)
    assert r.clear and r.clearances == ()


def test_occupied_target_port_is_not_clear():
    r = corridor_clearance(ISS, "poisk-zenith", {"poisk-zenith": "progress-ms"})
    assert not r.clear
    assert r.blocking[0].part == "port" and "must leave first" in r.blocking[0].reason


def test_result_does_not_depend_on_the_sampling_step():
    coarse = corridor_clearance(ISS, "rassvet-nadir", _without(DEC1, "rassvet-nadir"), spacing_m=0.2)
    fine = corridor_clearance(ISS, "rassvet-nadir", _without(DEC1, "rassvet-nadir"), spacing_m=0.05)
    a = {(c.port_id, c.part): c.min_distance_m for c in coarse.clearances}
    b = {(c.port_id, c.part): c.min_distance_m for c in fine.clearances}
    assert a.keys() == b.keys()
    for k in a:
        assert a[k] == pytest.approx(b[k], abs=0.1)
        assert a[k] >= b[k] - 1e-9                              # a finer grid can only find nearer points


# --- signed distance, closed form --------------------------------------------------------------
def test_signed_distance_closed_form():
    alpha = math.radians(10.0)
    pts = [
        [0.0, 5.0, 50.0],        # outside, beside the cone: 5 cos a - 50 sin a
        [0.0, 0.0, 120.0],       # on the axis, inside: nearest is the cone surface, 120 sin a
        [0.0, 0.0, -3.0],        # behind the apex: 3 m
        [0.0, 0.0, 260.0],       # beyond the end (200 + 50 extension): 10 m
        [0.0, 50.0, 230.0],      # beside the extension: 50 - 200 tan a
    ]
    d = corridor_signed_distance(pts, [0, 0, 0], [0, 0, 1], alpha, 200.0, extension_m=50.0)
    expected = [5 * math.cos(alpha) - 50 * math.sin(alpha), -120 * math.sin(alpha), 3.0, 10.0,
                50 - 200 * math.tan(alpha)]
    assert d == pytest.approx(expected, abs=1e-12)
    # invariant under rotation about the axis and a translation of the whole set-up
    rot = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    shift = np.array([3.0, -2.0, 7.0])
    d2 = corridor_signed_distance(np.asarray(pts) @ rot.T + shift, shift, [0, 0, 1], alpha, 200.0, extension_m=50.0)
    assert d2 == pytest.approx(d, abs=1e-12)


# --- impossible inputs ---------------------------------------------------------------------------
def test_errors_for_impossible_inputs():
    with pytest.raises(UnknownPortError, match="valid ports: rassvet-nadir"):
        corridor_clearance(ISS, "rassvet-aft", {})
    with pytest.raises(UnknownPortError, match="valid ports"):
        corridor_clearance(ISS, "rassvet-nadir", {"node-3-nadir": "cygnus-xl"})
    with pytest.raises(UnknownVehicleTypeError, match="valid types: soyuz-ms"):
        corridor_clearance(ISS, "rassvet-nadir", {"unity-nadir": "cygnus"})
    with pytest.raises(IncompatibleVehicleError, match="ports that take it: harmony-nadir, unity-nadir"):
        corridor_clearance(ISS, "rassvet-nadir", {"poisk-zenith": "cygnus-xl"})
    with pytest.raises(IncompatibleVehicleError, match="ports that take it: rassvet-nadir, prichal-nadir"):
        corridor_clearance(ISS, "unity-nadir", {}, arriving="soyuz-ms")
    with pytest.raises(InputError, match="plume_margin_m must be"):
        corridor_clearance(ISS, "rassvet-nadir", {}, plume_margin_m=-1.0)
    with pytest.raises(InputError, match="mapping port id -> vehicle type id"):
        corridor_clearance(ISS, "rassvet-nadir", [("unity-nadir", "cygnus-xl")])
    assert corridor_clearance("iss", "rassvet-nadir", {}).clear


def test_single_occupant_interactions_match_the_documented_neighbour():
    """Over every port and every vehicle type it takes, the only single occupant that blocks a
    Soyuz's approach to Rassvet nadir is a cargo vehicle at Unity nadir: the interaction NASA
    documented (domain.md 4.2) and iss.toml lists as the neighbour."""
    blockers = set()
    for q in ISS.ports:
        if q.id == "rassvet-nadir":
            continue
        for v in q.compatible_vehicle_types:
            if not corridor_clearance(ISS, "rassvet-nadir", {q.id: v}, arriving="soyuz-ms").clear:
                blockers.add(q.id)
    assert blockers == set(ISS.port("rassvet-nadir").neighbours) == {"unity-nadir"}
