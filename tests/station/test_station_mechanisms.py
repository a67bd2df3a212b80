"""Docking mechanisms: capture envelopes equal to domain.md section 3.3.

Reference: the domain.md 3.3 table, copied verbatim to tests/data/domain_3_3_capture.md and
parsed here (SSVP and IDSS columns).
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from gyrfalcon.station.mechanisms import UnknownMechanismError, get_mechanism, load_mechanisms

DATA = Path(__file__).resolve().parents[1] / "data" / "domain_3_3_capture.md"


def _table():
    """Parameter name -> (SSVP cell, IDSS cell) from the domain.md 3.3 table."""
    out = {}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] not in ("Parameter", "---"):
            out[cells[0]] = (cells[1], cells[2])
    return out


def _numbers(cell: str) -> list[float]:
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", cell)]


@pytest.mark.parametrize("mech_id, column", [("ssvp", 0), ("idss", 1), ("ssvp-hybrid", 0)])
def test_envelope_equals_domain_table(mech_id, column):
    t = _table()
    env = get_mechanism(mech_id).envelope
    lo, hi = _numbers(t["Closing speed"][column])
    assert (env.closing_speed_min_mps, env.closing_speed_max_mps) == pytest.approx((lo, hi), abs=1e-12)
    assert env.lateral_speed_max_mps == pytest.approx(_numbers(t["Lateral speed"][column])[0], abs=1e-12)
    assert env.lateral_offset_max_m == pytest.approx(_numbers(t["Lateral offset (probe from port axis)"][column])[0],
                                                     abs=1e-12)
    assert math.degrees(env.pitch_yaw_max_rad) == pytest.approx(_numbers(t["Pitch / yaw misalignment"][column])[0],
                                                                abs=1e-9)
    assert math.degrees(env.roll_max_rad) == pytest.approx(_numbers(t["Roll misalignment"][column])[0], abs=1e-9)
    assert math.degrees(env.angular_rate_max_rad_s) == pytest.approx(_numbers(t["Angular rate"][column])[0], abs=1e-9)


def test_operational_contact_speed_inside_ssvp_box():
    m = get_mechanism("ssvp")
    v = m.get("operational_contact_speed_mps")
    assert v == 0.10                                            # domain.md 3.3: about 0.1 m/s (A)
    assert m.envelope.check(closing_speed_mps=v).ok
    # the manual-docking range 6-15 cm/s (domain.md 3.3, A) starts below the SSVP minimum: flagged
    assert not m.envelope.check(closing_speed_mps=0.06).ok


def test_check_reports_each_violation():
    env = get_mechanism("idss").envelope
    res = env.check(closing_speed_mps=0.12, lateral_speed_mps=0.05, lateral_offset_m=-0.2,
                    pitch_yaw_rad=math.radians(3.0), roll_rad=math.radians(5.0), angular_rate_rad_s=0.001)
    assert not res.ok
    assert len(res.violations) == 4
    assert res.violations[0].startswith("closing speed 0.120 m/s above the maximum 0.100")
    assert any(v.startswith("roll misalignment 5.00 deg above the maximum 4.00 deg") for v in res.violations)
    assert env.check(closing_speed_mps=0.05, lateral_offset_m=0.10).ok          # limits are inclusive


def test_berthing_has_no_envelope_and_kinds():
    mechs = load_mechanisms()
    assert mechs["cbm"].envelope is None and mechs["cbm"].is_berthing
    assert {m.id for m in mechs.values() if m.kind == "docking"} == {"ssvp", "ssvp-hybrid", "idss"}
    assert set(mechs["ssvp-hybrid"].accepts) == {"ssvp", "ssvp-hybrid"}      # domain.md 4.1: takes a standard probe
    assert mechs["cbm"].get("vestibule_length_m") == 0.4                     # domain.md 4.1
    with pytest.raises(UnknownMechanismError, match="known: cbm, idss, ssvp, ssvp-hybrid"):
        get_mechanism("apas-89")
