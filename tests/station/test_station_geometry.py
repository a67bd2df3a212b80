"""Station attitude: body -> LVLH for XVV and -XVV, port axes in LVLH.

References: the attitude definitions (XVV: body x along the velocity, z nadir; -XVV: yawed
180 deg about nadir); the project's independent LVLH implementation
(gyrfalcon.frames.lvlh_matrix, CCSDS: x V-bar, z R-bar towards the Earth) on a circular
orbit, where the velocity and radius directions are known in closed form.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from gyrfalcon.errors import InputError
from gyrfalcon.frames import lvlh_matrix
from gyrfalcon.station.catalog import load_station
from gyrfalcon.station.geometry import (
    UnknownAttitudeError,
    approach_point_in_lvlh,
    body_to_lvlh_matrix,
    port_axis_in_lvlh,
    port_position_in_lvlh,
)

NADIR_PORTS = ["rassvet-nadir", "prichal-nadir", "harmony-nadir", "unity-nadir"]


@pytest.mark.parametrize("attitude", ["xvv", "-xvv"])
def test_nadir_ports_point_along_rbar_in_both_attitudes(attitude):
    for pid in NADIR_PORTS:
        assert port_axis_in_lvlh(pid, attitude) == pytest.approx([0.0, 0.0, 1.0], abs=1e-15)
    for pid in ["poisk-zenith", "harmony-zenith"]:
        assert port_axis_in_lvlh(pid, attitude) == pytest.approx([0.0, 0.0, -1.0], abs=1e-15)


def test_forward_and_aft_ports_flip_between_xvv_and_minus_xvv():
    assert port_axis_in_lvlh("harmony-forward", "xvv") == pytest.approx([1.0, 0.0, 0.0], abs=1e-15)
    assert port_axis_in_lvlh("harmony-forward", "-xvv") == pytest.approx([-1.0, 0.0, 0.0], abs=1e-15)
    assert port_axis_in_lvlh("zvezda-aft", "xvv") == pytest.approx([-1.0, 0.0, 0.0], abs=1e-15)
    assert port_axis_in_lvlh("zvezda-aft", "-XVV") == pytest.approx([1.0, 0.0, 0.0], abs=1e-15)


@pytest.mark.parametrize("attitude", ["xvv", "-xvv"])
def test_matrices_are_proper_rotations(attitude):
    m = body_to_lvlh_matrix(attitude, yaw_rad=0.03, pitch_rad=-0.05, roll_rad=0.01)
    assert m @ m.T == pytest.approx(np.eye(3), abs=1e-14)
    assert np.linalg.det(m) == pytest.approx(1.0, abs=1e-14)


def test_minus_xvv_is_xvv_yawed_180_degrees():
    assert body_to_lvlh_matrix("xvv", yaw_rad=math.pi) == pytest.approx(body_to_lvlh_matrix("-xvv"), abs=1e-15)


def test_xvv_body_axes_against_inertial_lvlh():
    """On a circular orbit, XVV body x is the inertial velocity direction and body z points at
    the Earth's centre (-r); -XVV body x is minus the velocity."""
    mu = 3.986004418e14
    r = 6.7984e6
    theta, inc = 0.7, math.radians(51.64)
    r_hat = np.array([math.cos(theta), math.sin(theta) * math.cos(inc), math.sin(theta) * math.sin(inc)])
    v_hat = np.array([-math.sin(theta), math.cos(theta) * math.cos(inc), math.cos(theta) * math.sin(inc)])
    lvlh = lvlh_matrix(r * r_hat, math.sqrt(mu / r) * v_hat)      # rows: LVLH axes in inertial
    to_inertial_xvv = lvlh.T @ body_to_lvlh_matrix("xvv")
    assert to_inertial_xvv @ [1.0, 0, 0] == pytest.approx(v_hat, abs=1e-12)
    assert to_inertial_xvv @ [0, 0, 1.0] == pytest.approx(-r_hat, abs=1e-12)
    to_inertial_mxvv = lvlh.T @ body_to_lvlh_matrix("-xvv")
    assert to_inertial_mxvv @ [1.0, 0, 0] == pytest.approx(-v_hat, abs=1e-12)
    assert to_inertial_mxvv @ [0, 0, 1.0] == pytest.approx(-r_hat, abs=1e-12)
    # a Soyuz on Rassvet's axis comes from below (Earth side) in either attitude
    for att in ("xvv", "-xvv"):
        assert (lvlh.T @ port_axis_in_lvlh("rassvet-nadir", att)) @ r_hat == pytest.approx(-1.0, abs=1e-12)


def test_positions_and_approach_points():
    iss = load_station()
    p = iss.port("harmony-forward")
    assert port_position_in_lvlh(p, "xvv") == pytest.approx(p.position_m)
    x, y, z = p.position_m
    assert port_position_in_lvlh(p, "-xvv") == pytest.approx([-x, -y, z])
    # station-keeping point 150 m out on Rassvet's axis: 150 m below the port (domain.md 3.2)
    pt = approach_point_in_lvlh("rassvet-nadir", 150.0, "-xvv")
    assert pt - port_position_in_lvlh("rassvet-nadir", "-xvv") == pytest.approx([0.0, 0.0, 150.0])


def test_bad_attitude_and_range():
    with pytest.raises(UnknownAttitudeError, match="use one of xvv, -xvv"):
        body_to_lvlh_matrix("yvv")
    with pytest.raises(InputError, match="range_m must be >= 0"):
        approach_point_in_lvlh("rassvet-nadir", -1.0)
