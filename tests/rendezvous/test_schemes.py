"""Scheme data, scheme choice and the phase angle."""
import math

import numpy as np
import pytest

from gyrfalcon.errors import GyrfalconError, InputError
from gyrfalcon.rendezvous import schemes


def test_schemes_load_with_published_structure():
    # domain.md 2.1 / 2.5: two-orbit ~3 h, four-orbit ~6 h, two-day 34 orbits with the burns of
    # MS-01 on orbits 3, 4, 17 and contact on orbit 34; no flown burn time, aim or contact in the file
    two = schemes.get_scheme("two-orbit")
    assert [b.name for b in two.burns] == ["DV1", "DV2", "DV3", "braking"]
    assert [b.kind for b in two.burns] == ["before-aim"] * 3 + ["aim"]
    # a Hohmann-type chain: each burn half a revolution after the previous one
    assert [round(math.degrees(b.before_aim_rad)) for b in two.burns[:-1]] == [540, 360, 180]
    assert (two.arrival, two.contact_revolutions) == ("revolutions", 2)
    assert (schemes.get_scheme("four-orbit").arrival, schemes.get_scheme("four-orbit").contact_revolutions) == ("revolutions", 4)
    day = schemes.get_scheme("2-day")
    assert [b.orbit for b in day.burns][:3] == [3, 4, 17]
    assert (day.arrival, day.contact_revolutions) == ("sunset-on-revolution", 34)
    # the aim slot handed to the launch-plane bias is the PUBLISHED nominal (MS-01: ~50 h,
    # launch/data/schemes.toml) less the 30 min planning approach and the 529 s ascent
    assert day.aim_slot.kind == "time"
    assert (day.aim_slot.after_insertion_s + 1800 + 529) / 3600 == pytest.approx(50.0, abs=1e-9)
    assert day.slots_for(1000.0)[-1].after_insertion_s == 1000.0
    assert schemes.scheme_names() == ("two-orbit", "four-orbit", "two-day")
    for s in schemes.load_schemes().schemes:  # slots strictly ordered along the orbit
        u = [b.arglat_since_insertion_rad(math.radians(84.2)) for b in s.burns if b.kind == "arglat"]
        assert all(b > a for a, b in zip(u, u[1:]))
        ba = [b.before_aim_rad for b in s.burns if b.kind == "before-aim"]
        assert all(b < a for a, b in zip(ba, ba[1:]))


def test_two_orbit_range_is_the_published_one():
    s = schemes.get_scheme("two-orbit")
    assert math.degrees(s.catch_up_min_rad) == pytest.approx(10.0)
    assert math.degrees(s.catch_up_max_rad) == pytest.approx(18.0)


@pytest.mark.parametrize("phase_deg, name, catch_up_deg", [
    (10.0, "two-orbit", 10.0), (13.6, "two-orbit", 13.6), (18.0, "two-orbit", 18.0),
    (18.5, "four-orbit", 18.5), (40.0, "four-orbit", 40.0),
    (-60.0, "two-day", 300.0), (-137.0, "two-day", 223.0), (45.0, "two-day", 405.0),
])
def test_choose_scheme(phase_deg, name, catch_up_deg):
    c = schemes.choose_scheme(math.radians(phase_deg))
    assert c.scheme.name == name
    assert math.degrees(c.catch_up_rad) == pytest.approx(catch_up_deg)


def test_a_named_scheme_is_flown_or_refused():
    # issue 14 item 6: only 'auto' chooses; a named scheme outside its range is refused with the
    # phase and the scheme that would fit
    with pytest.raises(schemes.SchemeMismatchError) as e:
        schemes.choose_scheme(math.radians(25.0), preferred="two-orbit")
    msg = str(e.value)
    assert "25.0 deg ahead" in msg and "outside the two-orbit range 10-18 deg" in msg
    assert "the reason is the phase" in msg and "the scheme that fits this phase is four-orbit" in msg
    assert isinstance(e.value, schemes.NoSchemeError) and isinstance(e.value, GyrfalconError)
    with pytest.raises(schemes.SchemeMismatchError, match="fits this phase is two-day"):
        schemes.choose_scheme(math.radians(-90.0), preferred="two-orbit")
    with pytest.raises(schemes.SchemeMismatchError, match="no scheme fits this phase"):
        schemes.choose_scheme(math.radians(100.0), preferred="four-orbit")
    c = schemes.choose_scheme(math.radians(15.0), preferred="two-orbit")
    assert c.scheme.name == "two-orbit" and "inside the two-orbit range" in c.reason
    # auto still chooses, and says why the faster scheme was not taken
    c = schemes.choose_scheme(math.radians(25.0))
    assert c.scheme.name == "four-orbit" and "outside the two-orbit range" in c.reason


def test_no_scheme_and_unknown_scheme_are_typed_errors():
    with pytest.raises(schemes.NoSchemeError, match="no scheme accepts it") as e:
        schemes.choose_scheme(math.radians(100.0))
    assert isinstance(e.value, GyrfalconError) and "another day" in str(e.value)
    with pytest.raises(schemes.UnknownSchemeError, match="use one of two-orbit"):
        schemes.get_scheme("one-orbit")
    with pytest.raises(InputError):
        schemes.get_vehicle("dragon")
    with pytest.raises(InputError, match="before insertion"):
        schemes.BurnSlot("x", 1, math.radians(30)).arglat_since_insertion_rad(math.radians(84))
    with pytest.raises(InputError, match="exactly one"):
        schemes.BurnSlot("x", 1, math.radians(30), after_insertion_s=100.0)


def test_forced_scheme_outside_range_for_studies():
    c = schemes.choose_scheme(math.radians(130.0), preferred="two-day", enforce_range=False)
    assert c.scheme.name == "two-day" and "forced outside" in c.reason
    assert math.degrees(c.catch_up_rad) == pytest.approx(130.0)


def test_phase_angle_of_the_orekit_ms28_insertion(orekit_ms28):
    # the Orekit case put the Soyuz perigee (where it is inserted) 12.5 deg behind the ISS in
    # argument of latitude (header: 'argument of perigee = ISS argument of latitude minus 12.5 deg')
    iss = orekit_ms28["iss0"]
    ch = orekit_ms28["chaser0"]
    phase = schemes.phase_angle_rad(iss[:3], iss[3:], ch[:3])
    assert math.degrees(phase) == pytest.approx(12.5, abs=0.01)


def test_aim_point_velocity_reaches_the_flyaround_start():
    from gyrfalcon.rendezvous.cw import stm

    a = schemes.load_schemes().approach
    n = 1.1273e-3
    v = a.aim_rho_dot_lvlh_mps(n)
    X = stm(n, a.aim_to_flyaround_s) @ np.concatenate([a.aim_rho_lvlh_m, v])
    assert np.allclose(X[:3], a.flyaround_start_rho_lvlh_m, atol=1e-6)
    # closing at a few m/s, as the 2.2 km -> 400 m leg in ~10 min implies (domain.md 3.2)
    assert 2.0 < np.linalg.norm(v) < 5.0
    # the planning approach (aim point -> planned contact) is the sum of the published nominal
    # phase durations of domain.md 3.2: 10 + 6 + 3 + 11 min; it only places the aim point
    assert a.planning_approach_s == (10 + 6 + 3 + 11) * 60
