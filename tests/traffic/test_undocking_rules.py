"""The undocking rule (a Soyuz undocks from a port where a Soyuz is docked) and the completion of
a not-a-port refusal with who is docked where (user audit).

References: the built-in record and its 2026 plan (traffic/data): Soyuz MS-27 at Prichal nadir
until 9 Dec 2025 01:41 UTC; Soyuz MS-28 at Rassvet nadir from 27 Nov 2025 12:34:35 UTC, planned to
leave on 26 Jul 2026 (dated by the day); Progress MS-31 at Poisk zenith, Progress MS-32 at Zvezda
aft; in the plan Progress MS-33 at Poisk from 23 Dec 2025 and Soyuz MS-29 at Prichal from 14 Jul
2026; the record is complete from 29 Oct 2025.
"""
from __future__ import annotations

import pytest

from gyrfalcon.station.catalog import IncompatibleVehicleError, PortNotAvailableError, load_station
from gyrfalcon.traffic.flight_rules import (WhatIfRequiredError, completed_port_refusal, recorded_soyuz_port,
                                            rendezvous_rules, soyuz_ports_at_undocking, undocking_rules)


def test_a_soyuz_port_at_the_undocking_passes():
    assert undocking_rules(port="rassvet-nadir", undock_utc="2025-12-01T03:00Z") == ()
    assert undocking_rules(port="prichal-nadir", undock_utc="2025-12-01T03:00Z") == ()
    # MS-27's recorded departure instant: it is still the one at Prichal
    assert undocking_rules(port="prichal-nadir", undock_utc="2025-12-09T01:41Z") == ()
    # MS-28's planned departure is dated by its day only (00:00): later that day it still undocks from Rassvet
    assert undocking_rules(port="rassvet-nadir", undock_utc="2026-07-26T07:01Z") == ()
    # MS-29 at Prichal in the plan
    assert undocking_rules(port="prichal-nadir", undock_utc="2026-07-20T00:00Z") == ()


def test_a_port_held_by_another_vehicle_or_none_breaks_vehicle_sequence():
    with pytest.raises(WhatIfRequiredError) as info:
        undocking_rules(port="zvezda-aft", undock_utc="2025-12-01T03:00Z")
    msg = str(info.value)
    assert info.value.rule == "vehicle-sequence"
    assert msg.startswith("the undocking from zvezda-aft at 2025-12-01T03:00:00Z breaks the station rule "
                          "vehicle-sequence: zvezda-aft holds Progress MS-32 (progress-ms) then, not a Soyuz MS "
                          "(built-in record); a Soyuz MS is docked then at: rassvet-nadir (Soyuz MS-28), "
                          "prichal-nadir (Soyuz MS-27); "), msg
    with pytest.raises(WhatIfRequiredError, match=r"no vehicle is docked at prichal-nadir then \(built-in record\)"):
        undocking_rules(port="prichal-nadir", undock_utc="2025-12-10T03:00Z")
    # the last instant before the plan's first event (15 Dec 2025) is still the record's word
    with pytest.raises(WhatIfRequiredError, match="no vehicle is docked at prichal-nadir then"):
        undocking_rules(port="prichal-nadir", undock_utc="2025-12-14T23:59:59Z")


def test_in_the_plans_time_a_port_without_a_soyuz_is_a_note_not_a_refusal():
    """Review: from the 2026 plan's first event the occupancy is the plan's word, a plan, not a
    record: an arrival is not refused for it (plan_note), and before this fix an undocking was
    (`landing --undock 2026-03-15T03:00Z --port prichal-nadir`: exit 2, 'no vehicle is docked at
    prichal-nadir then (the built-in 2026 plan, a plan, not a record, ...)')."""
    plan = "manifest: the 2026 plan (made 2025-11-27, a plan, not a record: not held against this undocking): "
    assert undocking_rules(port="prichal-nadir", undock_utc="2026-03-15T03:00Z") == (
        plan + "no vehicle is docked at prichal-nadir on 2026-03-15T03:00:00Z; a Soyuz MS is docked then at: "
               "rassvet-nadir (Soyuz MS-28)",)
    (note,) = undocking_rules(port="poisk-zenith", undock_utc="2026-01-15T03:00Z")
    assert note == (plan + "poisk-zenith holds Progress MS-33 (progress-ms) on 2026-01-15T03:00:00Z, not a Soyuz MS; "
                           "a Soyuz MS is docked then at: rassvet-nadir (Soyuz MS-28)")
    # a what-if changes nothing: no rule is broken on the plan's word
    assert undocking_rules(port="poisk-zenith", undock_utc="2026-01-15T03:00Z", what_if=True) == (note,)
    (note,) = undocking_rules(port="prichal-nadir", undock_utc="2025-12-15T00:00:00Z")     # the plan's first event
    assert note.startswith(plan)


def test_a_what_if_returns_the_note():
    (note,) = undocking_rules(port="poisk-zenith", undock_utc="2025-12-01T03:00Z", what_if=True)
    assert note.startswith("what-if: breaks rule vehicle-sequence: poisk-zenith holds Progress MS-31")


def test_before_the_record_no_occupancy_is_checked_and_the_gap_is_said():
    (note,) = undocking_rules(port="rassvet-nadir", undock_utc="2023-03-28T07:57:00Z")
    assert "complete only from 2025-10-29" in note and "2023-03-28" in note
    assert soyuz_ports_at_undocking("2023-03-28T07:57:00Z") is None
    # a port gone by then: the catalogue's own list, unchanged
    with pytest.raises(PortNotAvailableError, match="ports for soyuz-ms on 2023-03-28T07:57:00Z: rassvet-nadir"):
        undocking_rules(port="pirs-nadir", undock_utc="2023-03-28T07:57:00Z")


def test_where_a_soyuz_is_at_the_undocking():
    assert soyuz_ports_at_undocking("2025-12-01T03:00Z") == {"rassvet-nadir": "Soyuz MS-28",
                                                            "prichal-nadir": "Soyuz MS-27"}
    assert soyuz_ports_at_undocking("2025-12-10T03:00Z") == {"rassvet-nadir": "Soyuz MS-28"}
    assert recorded_soyuz_port("2025-12-09T01:41Z") == "prichal-nadir"        # MS-27 leaves
    assert recorded_soyuz_port("2026-07-26T07:01Z") == "rassvet-nadir"        # MS-28 leaves
    assert recorded_soyuz_port("2025-12-01T03:00Z") == "prichal-nadir"        # two docked: the first


def test_a_not_a_port_refusal_is_split_into_free_and_occupied_ports():
    st = load_station("iss")
    with pytest.raises(PortNotAvailableError) as info:
        st.port_on("pirs-nadir", "2025-12-01T12:00:00Z", "soyuz-ms")
    exc = info.value
    assert exc.reason == "pirs-nadir was a port only until 2021-07-26T10:55:00Z"
    assert exc.ports == ("rassvet-nadir", "prichal-nadir", "poisk-zenith", "zvezda-aft")
    done = completed_port_refusal(exc)
    assert str(done) == ("pirs-nadir was a port only until 2021-07-26T10:55:00Z; free ports that take soyuz-ms on "
                         "2025-12-01T12:00:00Z: none; occupied then (built-in record): rassvet-nadir (Soyuz MS-28), "
                         "prichal-nadir (Soyuz MS-27), poisk-zenith (Progress MS-31), zvezda-aft (Progress MS-32)")
    # the flight's own recorded stay frees its port
    assert "free ports that take soyuz-ms on 2025-12-01T12:00:00Z: rassvet-nadir;" in str(
        completed_port_refusal(exc, "Soyuz MS-28"))
    # before the record: unchanged
    with pytest.raises(PortNotAvailableError) as info:
        st.port_on("pirs-nadir", "2023-03-28T07:57:00Z", "soyuz-ms")
    assert completed_port_refusal(info.value) is info.value


def test_an_incompatible_port_keeps_its_parts():
    with pytest.raises(IncompatibleVehicleError) as info:
        load_station("iss").require_compatible("harmony-forward", "soyuz-ms")
    assert info.value.reason.endswith("cannot use harmony-forward (mechanism idss, takes crew-dragon, cargo-dragon, "
                                      "starliner)")
    assert info.value.ports == ("rassvet-nadir", "prichal-nadir", "poisk-zenith", "zvezda-aft")


def test_the_rendezvous_rules_without_a_pad_check_the_port_only():
    """An approach flown on its own (no pad): MS-28's liftoff, arriving at Prichal at 12:37, is
    refused for MS-27; at Rassvet it is MS-28's own port."""
    kw = dict(pad=None, launch_utc="2025-11-27T09:27:57.4Z", vehicle_type="soyuz-ms",
              arrival_utc="2025-11-27T12:37:00Z", what="the approach")
    assert rendezvous_rules(port="rassvet-nadir", **kw) == ()
    with pytest.raises(WhatIfRequiredError, match="^the approach breaks the station rule one-vehicle-per-port: .*"
                                                  "occupied by Soyuz MS-27"):
        rendezvous_rules(port="prichal-nadir", **kw)
