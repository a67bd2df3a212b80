"""Docking contact check (gyrfalcon.proximity.contact) against the SSVP envelope of domain.md 3.3.

Reference figures (domain.md 3.3, C): closing 0.1-0.35 m/s, lateral speed <= 0.1 m/s, lateral
offset <= 0.34 m, pitch/yaw <= 7 deg, roll <= 10 deg, angular rate <= 0.6 deg/s.
"""
from __future__ import annotations

import math

import pytest

from gyrfalcon.errors import InputError
from gyrfalcon.proximity.contact import ContactConditions, assess_contact
from gyrfalcon.proximity.port import approach_target

D = math.radians


@pytest.fixture(scope="module")
def env():
    return approach_target("rassvet-nadir").envelope


def cond(**kw):
    base = dict(closing_speed_mps=0.12, lateral_speed_mps=0.02, lateral_offset_m=0.1,
                pitch_yaw_rad=D(1.0), roll_rad=D(1.0), angular_rate_rad_s=D(0.1))
    base.update(kw)
    return ContactConditions(**base)


def test_envelope_is_the_published_ssvp_box(env):
    assert (env.closing_speed_min_mps, env.closing_speed_max_mps) == (0.10, 0.35)
    assert env.lateral_speed_max_mps == 0.10 and env.lateral_offset_max_m == 0.34
    assert math.degrees(env.pitch_yaw_max_rad) == pytest.approx(7.0)
    assert math.degrees(env.roll_max_rad) == pytest.approx(10.0)
    assert math.degrees(env.angular_rate_max_rad_s) == pytest.approx(0.6)


@pytest.mark.parametrize("kw", [dict(), dict(closing_speed_mps=0.349), dict(closing_speed_mps=0.101),
                                dict(lateral_offset_m=0.339), dict(lateral_speed_mps=0.099),
                                dict(pitch_yaw_rad=D(6.9)), dict(roll_rad=D(9.9)), dict(angular_rate_rad_s=D(0.59))])
def test_inside_envelope_is_captured(env, kw):
    assert assess_contact(cond(**kw), env).verdict == "captured"


@pytest.mark.parametrize("kw, verdict", [
    (dict(closing_speed_mps=0.36), "collision"),
    (dict(lateral_offset_m=0.35), "collision"),
    (dict(pitch_yaw_rad=D(7.2)), "collision"),
    (dict(closing_speed_mps=0.09), "bounce"),
    (dict(lateral_speed_mps=0.11), "bounce"),
    (dict(roll_rad=D(10.5)), "bounce"),
    (dict(angular_rate_rad_s=D(0.65)), "bounce"),
])
def test_outside_envelope_is_never_captured(env, kw, verdict):
    v = assess_contact(cond(**kw), env)
    assert v.verdict == verdict and len(v.violations) == 1


def test_bad_inputs(env):
    with pytest.raises(InputError, match="finite number"):
        cond(closing_speed_mps=float("nan"))
    with pytest.raises(InputError, match="berthing port"):
        assess_contact(cond(), None)
    with pytest.raises(InputError, match="berthing port"):
        approach_target("unity-nadir", vehicle_type="cygnus-xl")
