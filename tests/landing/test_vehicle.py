"""Return-vehicle data: every figure sourced and graded; the burn duration obeys the rocket equation."""
import math

import pytest

from gyrfalcon.constants import G0_MPS2
from gyrfalcon.landing.vehicle import ReturnVehicle, UnknownReturnVehicleError, load_return_vehicle
from gyrfalcon.launch.vehicles import load_spacecraft


def test_every_figure_has_a_source_and_grade():
    v = load_return_vehicle()
    numeric = [f for f, fd in ReturnVehicle.__dataclass_fields__.items()
               if fd.type in ("float", "tuple") and f not in ("main_thrust_n", "main_isp_s")]
    for f in numeric:
        assert f in v.figures, f
        assert v.figures[f]["source"] and v.figures[f]["grade"] in ("A", "B", "C", "D", "?"), f


def test_published_figures_domain_md_5():
    v = load_return_vehicle()
    # domain.md 5.1 (CSA MS-11 timeline, A) and 5.3
    assert v.deorbit_dv_mps == 128.0 and v.spring_speed_mps == 0.12 and v.separation_burn_dv_mps == 0.53
    assert v.parachute_altitude_m == 10.8e3 and v.main_descent_rate_mps == 7.2 and v.dm_mass_kg == 2950.0
    # engine from the launch catalogue, not duplicated
    sc = load_spacecraft("soyuz-ms")
    assert (v.main_thrust_n, v.main_isp_s) == (sc.main_thrust_n, sc.main_isp_s)


def test_burn_duration_is_the_rocket_equation():
    v = load_return_vehicle()
    m0, dv = 7000.0, 128.0
    t = v.deorbit_duration_s(m0, dv)
    m1 = m0 - v.main_mass_flow_kg_s * t
    assert v.main_isp_s * G0_MPS2 * math.log(m0 / m1) == pytest.approx(dv, rel=1e-12)
    # a heavier stack needs a longer burn for the same dv
    assert v.deorbit_duration_s(7200.0, dv) > t


def test_unknown_vehicle():
    with pytest.raises(UnknownReturnVehicleError, match="known: soyuz-ms"):
        load_return_vehicle("dragon")


def test_return_vehicle_edit_reaches_no_other_caller():
    from gyrfalcon.landing.vehicle import load_return_vehicle

    v = load_return_vehicle()
    key = next(iter(v.figures))
    v.figures[key] = "edited"
    assert load_return_vehicle().figures[key] != "edited"
    assert load_return_vehicle() == v        # the same data (figures are not compared)
