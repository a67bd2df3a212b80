"""``gyrfalcon.plan_return`` and the undocking port's occupant (user audit): a Soyuz undocks from
the port where a Soyuz is docked (built-in record: Soyuz MS-28 at Rassvet nadir, MS-27 at Prichal
nadir, Progress MS-32 at Zvezda aft on 1 Dec 2025)."""
from __future__ import annotations

import pytest

import gyrfalcon as gf
from gyrfalcon.traffic.flight_rules import WhatIfRequiredError

UNDOCK = "2025-12-01T03:00Z"


def test_plan_return_refuses_a_progress_port_before_any_work():
    # a station that cannot be loaded: the refusal comes first
    with pytest.raises(WhatIfRequiredError, match="zvezda-aft holds Progress MS-32 .*rassvet-nadir \\(Soyuz MS-28\\)"):
        gf.plan_return("no-such-station-file.oem", UNDOCK, port="zvezda-aft")


def test_plan_return_what_if_flies_and_carries_the_note():
    plan = gf.plan_return(None, UNDOCK, port="zvezda-aft", what_if=True)
    assert plan.what_if is True and plan.departure.port == "zvezda-aft"
    (note,) = plan.notes
    assert note.startswith("what-if: breaks rule vehicle-sequence") and "Progress MS-32" in note
    d = plan.to_dict()
    assert d["what_if"] is True and d["notes"] == [note]
    assert "WHAT-IF" in repr(plan) and plan.table().startswith("WHAT-IF")
    assert isinstance(plan, gf.api.LandingPlan)
    with pytest.raises(gf.GyrfalconError, match="what_if must be True or False"):
        gf.plan_return(None, UNDOCK, what_if="yes")


def test_plan_return_from_the_default_port_is_not_a_what_if():
    plan = gf.plan_return(None, UNDOCK)
    assert plan.departure.port == "prichal-nadir" and plan.what_if is False and plan.notes == ()


def test_plan_return_in_the_plans_time_flies_and_says_what_the_plan_has_there():
    """From the 2026 plan's first event (15 Dec 2025) the occupancy is the plan's word: Poisk zenith
    (Progress MS-33 in the plan) is flown, not refused, and the note names the plan."""
    station = gf.load_station(None, at_utc="2025-12-28T03:00Z", until_utc="2025-12-29T03:00Z")   # packaged, extended
    plan = gf.plan_return(station, "2025-12-28T03:00Z", port="poisk-zenith")
    assert plan.what_if is False and plan.departure.port == "poisk-zenith"
    (note,) = plan.notes
    assert note.startswith("manifest: the 2026 plan (made 2025-11-27, a plan, not a record: not held against this "
                           "undocking): poisk-zenith holds Progress MS-33 (progress-ms)"), note
    assert "WHAT-IF" not in repr(plan) and plan.table().endswith(f"note: {note}")
