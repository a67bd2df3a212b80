"""Countdown state machine, pad interlocks, and the Soyuz MS-28 pad-damage scenario.

References: domain.md §1.1 (MS-28 liftoff 2025-11-27 09:27:57.4 UTC), §7.1 (service cabin
locked about 1 h before launch; not locked on MS-28; fell into the flame trench about 10 s
after liftoff; the rocket was unaffected), §7.2 (Progress MS-33, planned 19/21 Dec 2025, stood
down; restoration complete 3 Mar 2026; Progress MS-33 launched 22 Mar 2026 07:59 EDT).
"""
from __future__ import annotations

import math

import pytest

from gyrfalcon.errors import InputError
from gyrfalcon.launch.countdown import (
    DEFAULT_INTERLOCKS,
    NOMINAL_SEQUENCE,
    Countdown,
    CountdownState,
    Fault,
    UnknownFaultError,
    UnknownInterlockError,
    Weather,
    allowed_transition,
    run_countdown,
)
from gyrfalcon.launch.sites import (
    NotCrewRatedError,
    PadStatusBoard,
    UnreachableOrbitError,
    VehicleNotSupportedError,
    load_sites,
)
from gyrfalcon.time import add_seconds, iso_utc, parse_utc, seconds_between

MS28_LIFTOFF = "2025-11-27T09:27:57.4Z"
MS33_PLANNED = "2025-12-21T09:00Z"  # domain.md §7.2: planned 19 or 21 Dec 2025 (time of day assumed)
MS33_FLOWN = "2026-03-22T11:59:00Z"  # 07:59 EDT
S = CountdownState


@pytest.fixture(scope="module")
def before_ms28():
    """The pad board as it stood before the MS-28 launch (no accident recorded yet)."""
    return PadStatusBoard.from_catalog(known_before="2025-11-27T09:00Z")


@pytest.fixture(scope="module")
def ms28(before_ms28):
    return run_countdown("baikonur-31", MS28_LIFTOFF, "soyuz-2.1a", crewed=True, board=before_ms28,
                         mission="Soyuz MS-28", faults=["pad-cabin-not-locked"], inclination_rad=math.radians(51.66))


def test_ms28_flies_and_damages_the_pad(ms28, before_ms28):
    assert not ms28.scrubbed and ms28.reason is None
    assert iso_utc(ms28.liftoff_utc, places=1) == "2025-11-27T09:27:57.4Z"
    d = ms28.pad_damage
    assert d is not None and d.pad_id == "baikonur-31" and d.fault == "pad-cabin-not-locked"
    assert seconds_between(ms28.liftoff_utc, d.t) == pytest.approx(10.0, abs=1e-3)  # §7.1: ~10 s
    assert iso_utc(d.repair_utc, places=0) == "2026-03-03T00:00:00Z"  # §7.2
    # the cabin check was reported OK although the cabin was not locked
    cabin = next(e for e in ms28.events if e.interlock == "service-cabin-locked")
    assert cabin.ok is True and "reported OK" in cabin.message and "actually not locked" in cabin.message
    assert cabin.t_from_liftoff_s == pytest.approx(-3600.0)  # §7.1: locked about 1 h before launch
    # the damage is on the new board only
    assert ms28.board.status_at("baikonur-31", "2025-11-27T09:28:30Z").status == "damaged"
    assert ms28.board.status_at("baikonur-31", MS28_LIFTOFF).available
    assert before_ms28.status_at("baikonur-31", "2025-12-21").available
    assert ms28.launch_azimuth.ascending


def test_progress_ms33_refused_until_repair_then_accepted(ms28):
    r = run_countdown("baikonur-31", MS33_PLANNED, "soyuz-2.1a", board=ms28.board, mission="Progress MS-33")
    assert r.scrubbed and r.liftoff_utc is None and r.interlock == "pad-available"
    assert "damaged" in r.reason and "flame trench at the Soyuz MS-28 launch" in r.reason
    assert "next available on 2026-03-03" in r.reason
    assert iso_utc(r.next_available_utc, places=0) == "2026-03-03T00:00:00Z"
    assert [e.state for e in r.events] == [S.HOLD, S.SCRUBBED]
    ok = run_countdown("baikonur-31", MS33_FLOWN, "soyuz-2.1a", board=ms28.board, mission="Progress MS-33")
    assert not ok.scrubbed and iso_utc(ok.liftoff_utc, places=0) == "2026-03-22T11:59:00Z"


def test_without_the_fault_the_pad_stays_usable(before_ms28):
    r = run_countdown("baikonur-31", MS28_LIFTOFF, crewed=True, board=before_ms28)
    assert not r.scrubbed and r.pad_damage is None and r.board == before_ms28
    assert not run_countdown("baikonur-31", MS33_PLANNED, board=r.board).scrubbed


def test_simulated_outage_agrees_with_recorded_history(ms28):
    """The fault scenario reproduces the catalogue's published Site 31/6 history (§7.1-7.2)."""
    recorded = load_sites().get("baikonur-31")
    for t in ("2025-11-27T09:28:00Z", "2025-11-27T09:28:10Z", "2025-12-19", "2026-03-02T23:59Z",
              "2026-03-03", MS33_FLOWN):
        assert ms28.board.status_at("baikonur-31", t).status == recorded.status_at(t).status, t


def test_fault_on_the_real_board_keeps_the_recorded_repair(ms28):
    """On the default board (accident already recorded) the fault merges with the record."""
    r = run_countdown("baikonur-31", MS28_LIFTOFF, crewed=True, mission="Soyuz MS-28",
                      faults=["pad-cabin-not-locked"])
    assert not r.scrubbed
    assert iso_utc(r.board.next_available("baikonur-31", "2025-12-21"), places=0) == "2026-03-03T00:00:00Z"


def test_explicit_repair_date(before_ms28):
    r = run_countdown("baikonur-31", MS28_LIFTOFF, crewed=True, board=before_ms28,
                      faults=[Fault("pad-cabin-not-locked", repair_utc="2026-01-15")])
    assert run_countdown("baikonur-31", "2026-01-10", board=r.board).scrubbed
    assert not run_countdown("baikonur-31", "2026-01-20", board=r.board).scrubbed
    with pytest.raises(InputError, match="not after the damage"):
        run_countdown("baikonur-31", MS28_LIFTOFF, board=before_ms28,
                      faults=[Fault("pad-cabin-not-locked", repair_utc="2025-11-01")])


CHECKED = [i for i in DEFAULT_INTERLOCKS if i.id not in ("pad-available", "weather-within-limits")]


@pytest.mark.parametrize("lock", CHECKED, ids=[i.id for i in CHECKED])
def test_each_failed_interlock_scrubs_with_its_reason(before_ms28, lock):
    r = run_countdown("baikonur-31", MS28_LIFTOFF, crewed=True, board=before_ms28,
                      conditions={lock.id: False}, faults=["pad-cabin-not-locked"]
                      if lock.id != "service-cabin-locked" else [])
    assert r.scrubbed and r.liftoff_utc is None and r.pad_damage is None
    assert r.interlock == lock.id
    assert lock.description in r.reason and lock.failure in r.reason
    assert [e.state for e in r.events[-2:]] == [S.HOLD, S.SCRUBBED]
    assert r.events[-1].t_from_liftoff_s == pytest.approx(-lock.t_minus_s)
    assert r.board == before_ms28  # a scrub damages nothing, even with the cabin fault armed
    assert all(e.state not in (S.IGNITION, S.LIFTOFF) for e in r.events)


def test_failure_reason_string_and_weather(before_ms28):
    r = run_countdown("baikonur-31", MS28_LIFTOFF, board=before_ms28,
                      conditions={"range-clear": "aircraft in drop zone 1"})
    assert r.scrubbed and "aircraft in drop zone 1" in r.reason and "L-15 min" in r.reason
    w = run_countdown("baikonur-31", MS28_LIFTOFF, board=before_ms28, weather=Weather(ground_wind_mps=20.0))
    assert w.scrubbed and w.interlock == "weather-within-limits" and "20 m/s above the limit of 15 m/s" in w.reason
    assert not run_countdown("baikonur-31", MS28_LIFTOFF, board=before_ms28, weather=Weather(8.0)).scrubbed


def test_nominal_sequence_of_states(before_ms28):
    r = run_countdown("baikonur-31", MS33_FLOWN, "soyuz-2.1a", crewed=False)
    states = [e.state for e in r.events]
    order = [NOMINAL_SEQUENCE.index(s) for s in states]
    assert order == sorted(order) and states[-1] == S.LIFTOFF and S.IGNITION in states
    assert S.CREW_BOARDING not in states  # uncrewed: the crew check is not applicable
    crew = next(e for e in r.events if e.interlock == "crew-aboard-hatch-closed")
    assert crew.ok is None and "uncrewed" in crew.message
    dts = [e.t_from_liftoff_s for e in r.events]
    assert dts == sorted(dts) and dts[-1] == 0.0
    for e in r.events:
        assert seconds_between(parse_utc(MS33_FLOWN), e.t) == pytest.approx(e.t_from_liftoff_s, abs=1e-3)


def test_retired_pad_scrubs(before_ms28):
    r = run_countdown("baikonur-1/5", MS28_LIFTOFF, "soyuz-fg", crewed=True)
    assert r.scrubbed and "retired" in r.reason and r.next_available_utc is None


def test_step_by_step_is_immutable(before_ms28):
    cd = Countdown.plan("baikonur-31", MS28_LIFTOFF, crewed=True, board=before_ms28)
    nxt = cd.step()
    assert cd.state == S.PLANNED and cd.events == ()
    assert nxt.state == S.CALLED_TO_STATIONS and len(nxt.events) == 1
    with pytest.raises(InputError, match="still in state"):
        cd.result()
    end = cd
    while not end.done:
        end = end.step()
    assert end.state == S.LIFTOFF and end.result() == cd.run()
    with pytest.raises(InputError, match="ended"):
        end.step()


def test_next_window_callable(ms28):
    seen = []

    def next_window(t):
        seen.append(t)
        return add_seconds(t, 19 * 86400.0)

    r = run_countdown("baikonur-31", MS33_PLANNED, board=ms28.board, next_window=next_window)
    assert iso_utc(seen[0], places=0) == "2026-03-03T00:00:00Z"
    assert iso_utc(r.next_opportunity_utc, places=0) == "2026-03-22T00:00:00Z"
    bad = run_countdown("baikonur-31", MS28_LIFTOFF, conditions={"range-clear": False},
                        next_window=lambda t: add_seconds(t, 86400.0))
    assert seconds_between(parse_utc(MS28_LIFTOFF), bad.next_opportunity_utc) == pytest.approx(86400.0)


def test_planning_errors():
    with pytest.raises(VehicleNotSupportedError, match="ksc-39a"):
        Countdown.plan("baikonur-31", MS33_FLOWN, "falcon-9")
    with pytest.raises(NotCrewRatedError, match="baikonur-31"):
        Countdown.plan("vostochny-1s", MS33_FLOWN, "soyuz-2.1a", crewed=True)
    with pytest.raises(UnreachableOrbitError, match="below Baikonur's latitude"):
        Countdown.plan("baikonur-31", MS33_FLOWN, inclination_rad=math.radians(28.5))
    with pytest.raises(UnknownFaultError, match="pad-cabin-not-locked"):
        Countdown.plan("baikonur-31", MS33_FLOWN, faults=["engine-fire"])
    with pytest.raises(UnknownInterlockError, match="service-cabin-locked"):
        Countdown.plan("baikonur-31", MS33_FLOWN, conditions={"cabin": False})
    with pytest.raises(InputError, match="status board"):
        Countdown.plan("baikonur-31", MS33_FLOWN, conditions={"pad-available": False})


def test_transitions():
    assert allowed_transition(S.PLANNED, S.CALLED_TO_STATIONS)
    assert allowed_transition(S.PROPELLANT_LOADING, S.PAD_CLEARING)  # uncrewed skips boarding
    assert not allowed_transition(S.PAD_CLEARING, S.PROPELLANT_LOADING)
    assert allowed_transition(S.HOLD, S.SCRUBBED)
    assert not allowed_transition(S.TERMINAL_COUNT, S.SCRUBBED)  # always through HOLD
    assert not allowed_transition(S.SCRUBBED, S.LIFTOFF)


def test_result_as_dict(ms28):
    d = ms28.as_dict()
    assert d["liftoff_utc"] == "2025-11-27T09:27:57.400Z"
    assert d["pad_damage"]["repair_utc"] == "2026-03-03T00:00:00.000Z"
    assert d["events"][-1]["message"].startswith("T+10 s PAD DAMAGE")
