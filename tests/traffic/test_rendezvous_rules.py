"""The station rules of a rendezvous (``gyrfalcon rendezvous``, ``gyrfalcon.fly_rendezvous``),
without flying one: :func:`gyrfalcon.traffic.flight_rules.rendezvous_rules` and the early port
check. Issue 14 audit items 2-6.

References (never read by the code under test): the late-2025 ISS record (Soyuz MS-28 lifted off
2025-11-27 09:27:57.4 UTC and docked at Rassvet nadir 12:34:35 UTC, domain.md 4.1); Baikonur 31/6
damaged at that launch and back in service on 3 Mar 2026 (launch-site catalogue, the repair date
``gyrfalcon windows`` gives); Prichal nadir blocked by Progress M-UM's compartment until it left
on 2021-12-22 23:03 UTC (station catalogue); Pirs nadir a port until 2021-07-26.
"""
import pytest

from gyrfalcon.station.catalog import PortNotAvailableError, load_station
from gyrfalcon.traffic.flight_rules import (
    WhatIfRequiredError, arrival_span_s, check_flight, check_port_before_planning, record_gap_note,
    rendezvous_rules,
)

DAMAGED_LIFTOFF = "2025-12-01T07:54:36.9Z"     # a two-orbit window from the damaged pad
MS28_LIFTOFF = "2025-11-27T09:27:57.4Z"


def test_a_pad_refusal_gives_the_repair_date():
    """Before: '... is damaged ...; no return to service is recorded' (the countdown's board only
    knows the entries dated before liftoff) while `windows` said 'next available 2026-03-03'."""
    (b,) = check_flight(vehicle="Soyuz MS-99", vehicle_type="soyuz-ms", launch_utc=DAMAGED_LIFTOFF, pad="baikonur-31")
    assert b.rule == "pad-operational" and "damaged" in b.message
    assert "back in service on 2026-03-03" in b.message and "no return to service" not in b.message
    with pytest.raises(WhatIfRequiredError, match="2026-03-03.*--what-if"):
        rendezvous_rules(pad="baikonur-31", launch_utc=DAMAGED_LIFTOFF, port=None, vehicle_type="soyuz-ms",
                         arrival_utc=None)


def test_every_broken_rule_is_listed():
    """The damaged pad and Rassvet nadir, which Soyuz MS-28 holds: both, not only the first."""
    breaches = check_flight(vehicle="Soyuz MS-99", vehicle_type="soyuz-ms", launch_utc=DAMAGED_LIFTOFF,
                            pad="baikonur-31", port="rassvet-nadir", arrival_utc="2025-12-01T11:02:00Z")
    assert [b.rule for b in breaches] == ["pad-operational", "one-vehicle-per-port"]
    assert "Soyuz MS-28" in breaches[1].message
    notes = rendezvous_rules(pad="baikonur-31", launch_utc=DAMAGED_LIFTOFF, port="rassvet-nadir",
                             vehicle_type="soyuz-ms", arrival_utc="2025-12-01T11:02:00Z", what_if=True)
    assert len(notes) == 2 and "pad-operational" in notes[0] and "one-vehicle-per-port" in notes[1]
    with pytest.raises(WhatIfRequiredError, match="pad-operational.*and 1 more"):
        rendezvous_rules(pad="baikonur-31", launch_utc=DAMAGED_LIFTOFF, port="rassvet-nadir",
                         vehicle_type="soyuz-ms", arrival_utc="2025-12-01T11:02:00Z")


def test_the_flight_is_ms28_only_at_ms28s_liftoff():
    """MS-28's own liftoff on a two-day plan (arrival 29 Nov) is MS-28: not blocked by itself.
    A liftoff two days earlier arriving an hour after MS-28 docked is another flight, refused as
    `run` refuses scenarios/soyuz-two-day-whatif.toml (before: taken to be MS-28, no note)."""
    assert rendezvous_rules(pad="baikonur-31", launch_utc=MS28_LIFTOFF, port="rassvet-nadir",
                            vehicle_type="soyuz-ms", arrival_utc="2025-11-29T11:16:51Z") == ()
    with pytest.raises(WhatIfRequiredError, match="occupied by Soyuz MS-28"):
        rendezvous_rules(pad="baikonur-31", launch_utc="2025-11-25T10:16:13.6Z", port="rassvet-nadir",
                         vehicle_type="soyuz-ms", arrival_utc="2025-11-27T12:46:31Z")
    # the same flight under `run`'s rules (a scenario names its vehicle): the same breach
    (b,) = check_flight(vehicle="Soyuz MS-99", vehicle_type="soyuz-ms", launch_utc="2025-11-25T10:16:13.6Z",
                        pad="baikonur-31", port="rassvet-nadir", arrival_utc="2025-11-27T12:46:31Z")
    assert b.rule == "one-vehicle-per-port" and "Soyuz MS-28" in b.message


def test_ids_are_compared_normalised():
    """`--port Rassvet-Nadir --vehicle Soyuz-MS` (accepted case-insensitively) used to clash with
    MS-28 at its own arrival while the lower-case spelling did not."""
    for port, vt in (("Rassvet-Nadir", "Soyuz-MS"), ("rassvet_nadir", "SOYUZ-MS"), ("rassvet-nadir", "soyuz-ms")):
        assert rendezvous_rules(pad="Baikonur-31", launch_utc=MS28_LIFTOFF, port=port, vehicle_type=vt,
                                arrival_utc="2025-11-27T12:39:38Z") == (), (port, vt)


def test_arrival_span_of_each_scheme():
    two_orbit = arrival_span_s("two-orbit")
    two_day = arrival_span_s("two-day")
    auto = arrival_span_s("auto")
    # real flights: two-orbit 3:03-3:39, two-day 48:33-50:46 (flights_2023_2026.csv, issue 14)
    assert two_orbit[0] < 3.05 * 3600 and two_orbit[1] > 3.65 * 3600 and two_orbit[1] < 6 * 3600
    assert two_day[0] < 48.5 * 3600 and two_day[1] > 50.8 * 3600 and two_day[0] > 24 * 3600
    assert auto == (two_orbit[0], two_day[1])


def test_a_port_is_refused_early_only_if_no_arrival_of_the_scheme_could_use_it():
    """Prichal, blocked until 2021-12-22 23:03: a two-day flight lifting off at 02:12 that day
    arrives on the 24th, after the block (before: refused at liftoff + 3 h); a two-orbit one
    arrives while it is blocked: refused early, unless a what-if; a port that was gone (Pirs,
    October 2021) is refused even for a what-if."""
    lo = "2021-12-22T02:12:48.5Z"
    assert check_port_before_planning("prichal-nadir", lo, "soyuz-ms", "two-day").id == "prichal-nadir"
    assert check_port_before_planning("prichal-nadir", lo, "soyuz-ms", "auto").id == "prichal-nadir"
    with pytest.raises(PortNotAvailableError, match="blocked.*until 2021-12-22T23:03.*any arrival"):
        check_port_before_planning("prichal-nadir", lo, "soyuz-ms", "two-orbit")
    assert check_port_before_planning("Prichal-Nadir", lo, "Soyuz-MS", "two-orbit", what_if=True).id == "prichal-nadir"
    with pytest.raises(PortNotAvailableError, match="pirs-nadir was a port only until 2021-07-26"):
        check_port_before_planning("pirs-nadir", "2021-10-20T00:00:00Z", "progress-ms", "auto", what_if=True)
    # the catalogue's own check, over a span: Pirs left at 10:55 on 26 Jul 2021
    iss = load_station()
    assert iss.port_for_launch("pirs-nadir", "2021-07-26T07:00:00Z", arrival_after_s=3 * 3600.0,
                               arrival_until_s=5 * 3600.0).id == "pirs-nadir"
    with pytest.raises(PortNotAvailableError, match="any arrival"):
        iss.port_for_launch("pirs-nadir", "2021-07-26T08:00:00Z", arrival_after_s=3 * 3600.0,
                            arrival_until_s=50 * 3600.0)


def test_the_exact_port_check_is_at_the_plans_arrival_and_respects_a_what_if():
    # a two-orbit arrival at 05:12 on 22 Dec 2021: Prichal still blocked
    with pytest.raises(WhatIfRequiredError, match="port-available.*prichal-nadir is blocked.*--what-if"):
        rendezvous_rules(pad="baikonur-31", launch_utc="2021-12-22T02:12:48.5Z", port="prichal-nadir",
                         vehicle_type="soyuz-ms", arrival_utc="2021-12-22T05:12:48Z")
    notes = rendezvous_rules(pad="baikonur-31", launch_utc="2021-12-22T02:12:48.5Z", port="prichal-nadir",
                             vehicle_type="soyuz-ms", arrival_utc="2021-12-22T05:12:48Z", what_if=True)
    assert "what-if: breaks rule port-available" in notes[0] and "complete only from" in notes[-1]
    # the two-day arrival of the 24th: free; only what the record cannot say
    (n,) = rendezvous_rules(pad="baikonur-31", launch_utc="2021-12-22T02:12:48.5Z", port="prichal-nadir",
                            vehicle_type="soyuz-ms", arrival_utc="2021-12-24T05:29:30Z")
    assert "2021-12-24" in n and "no port occupancy is given" in n
    # a port gone by the arrival: not a what-if
    with pytest.raises(PortNotAvailableError, match="pirs-nadir was a port only until"):
        rendezvous_rules(pad="baikonur-31", launch_utc="2021-07-26T08:00:00Z", port="pirs-nadir",
                         vehicle_type="progress-ms", arrival_utc="2021-07-26T11:00:00Z", what_if=True)


def test_the_record_gap_note():
    n = record_gap_note("2021-04-09T10:54:17Z")
    assert n == ("manifest: the built-in ISS manifest is complete only from 2025-10-29; the vehicles at the "
                 "station on 2021-04-09 are not recorded, so no port occupancy is given")
    assert record_gap_note("2025-12-01T10:00:00Z") is None
    (n,) = rendezvous_rules(pad="baikonur-31", launch_utc="2021-04-09T07:42:41Z", port="pirs-nadir",
                            vehicle_type="soyuz-ms", arrival_utc="2021-04-09T10:54:17Z")
    assert n == record_gap_note("2021-04-09T10:54:17Z")


def test_an_arrival_inside_the_incomplete_record_says_it_was_checked_against_what_the_record_holds():
    """Review: an arrival between the record's first event (Soyuz MS-27's launch, 8 Apr 2025
    05:47:15 UTC) and its completion (29 Oct 2025) is checked against the vehicles the record has
    then (MS-27 at Prichal refuses it), yet its note said 'no port occupancy is given'. Before the
    first event nothing is checked, and the note is unchanged."""
    head = "manifest: the built-in ISS manifest is complete only from 2025-10-29; "
    assert record_gap_note("2025-06-01T12:10Z") == (
        head + "the arrival on 2025-06-01 was checked only against the vehicles the record holds then (it starts on "
               "2025-04-08): others at the station that day are not recorded")
    assert record_gap_note("2025-04-08T05:00Z") == (
        head + "the vehicles at the station on 2025-04-08 are not recorded, so no port occupancy is given")
    # nothing replayed (an undocking): the old text, whatever the date
    assert record_gap_note("2025-06-01T12:10Z", replayed=False).endswith("so no port occupancy is given")
    # the what-if's notes: the breach MS-27 makes, and the note says what it was checked against
    notes = rendezvous_rules(pad=None, launch_utc="2025-06-01T09:00Z", port="prichal-nadir", vehicle_type="soyuz-ms",
                             arrival_utc="2025-06-01T12:10Z", what_if=True, what="the approach")
    assert notes[0].startswith("what-if: breaks rule one-vehicle-per-port") and "Soyuz MS-27" in notes[0]
    assert notes[1:] == (record_gap_note("2025-06-01T12:10Z"),)
    # a port free in the record then: no breach, the same note
    assert rendezvous_rules(pad=None, launch_utc="2025-06-01T09:00Z", port="rassvet-nadir", vehicle_type="soyuz-ms",
                            arrival_utc="2025-06-01T12:10Z", what="the approach") == notes[1:]
