"""Pad-outage what-if against what really happened, and its re-planning rule in closed form.

References (independent of our code):
* domain.md 7.1 / 7.2: Site 31/6 damaged at the Soyuz MS-28 launch (27 Nov 2025), restored
  3 Mar 2026; Progress MS-33, planned for 19/21 Dec 2025, was stood down and was the first launch
  after the repair, on 22 Mar 2026.
* NASA ISS OEM event summaries (tests/data/traffic_oem_events.txt, copied from the OEM headers):
  2026-03-11: 92P (Progress MS-31) undock 2026-075 13:24, 94P (MS-33) launch 2026-081 11:59:49,
  94P docking 2026-083 13:35:23; 2026-04-13: 93P (MS-32) undock 2026-110 22:08:30, 95P (MS-34)
  dock 2026-118 00:01:16; 2026-07-01: 75S (Soyuz MS-29) launch 2026-195 14:47:00.
* The stated re-planning rule (whatif module docstring), evaluated by hand with datetime below.
"""
import datetime as dt
from pathlib import Path

import pytest

from gyrfalcon.errors import GyrfalconError
from gyrfalcon.traffic.builtin import planned_events, planned_manifest
from gyrfalcon.traffic.manifest import LaunchPadError, Manifest
from gyrfalcon.traffic.whatif import (
    CADENCE_DAYS, TURNAROUND_DAYS, WhatIfInputError, gantt, pad_outage_whatif, parse_pad_outage,
)

DATA = Path(__file__).parent.parent / "data" / "traffic_oem_events.txt"
MS28_CREW = {"Sergey Kud-Sverchkov", "Sergey Mikayev", "Christopher Williams"}  # seed 000


def T(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def days(a, b):
    return (T(b) - T(a)).total_seconds() / 86400.0


def oem_events():
    """{'94P Launch': datetime, ...} from the copied OEM event summaries (GMT day-of-year)."""
    out = {}
    for line in DATA.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        year, name, doy = line.split("|")
        d, h, m, s = doy.strip().split(":")
        out[name.strip()] = dt.datetime(int(year), 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(
            days=int(d) - 1, hours=int(h), minutes=int(m), seconds=float(s))
    return out


@pytest.fixture(scope="module")
def real():
    events, _ = planned_events()
    return pad_outage_whatif(parse_pad_outage("baikonur-31:2025-11-27..2026-03-03", events))


def test_outage_starts_after_the_ms28_launch(real):
    assert real.outage.pad_id == "baikonur-31"
    assert T("2025-11-27T09:27:57.4Z") < T(real.outage.since_utc) < T("2025-11-27T09:28:07.4Z")  # domain.md 7.1
    assert real.outage.until_utc.startswith("2026-03-03T00:00")
    assert real.slip_of("Soyuz MS-28").slip_days == 0.0


def test_progress_ms33_slips_to_about_the_real_22_march(real):
    s = real.slip_of("Progress MS-33")
    assert s.planned_utc.startswith("2025-12-21")  # domain.md 7.2
    # the stated rule: pad back on 3 Mar + turnaround
    assert T(s.replanned_utc) == T("2026-03-03T00:00Z") + dt.timedelta(days=TURNAROUND_DAYS)
    flown = oem_events()["94P Launch"]
    assert flown.date() == dt.date(2026, 3, 22)  # domain.md 7.2 and the OEM agree
    assert abs((T(s.replanned_utc) - flown).total_seconds()) < 7 * 86400  # within a week of reality
    assert s.slip_days == pytest.approx(days(s.planned_utc, s.replanned_utc))
    # its docking and its predecessor's undocking move with it, close to what flew
    moved = {m.description.split(" on ")[0]: m for m in real.moved}
    arr = moved["arrival of Progress MS-33 at poisk-zenith"]
    assert abs((T(arr.replanned_utc) - oem_events()["94P Docking"]).total_seconds()) < 7 * 86400
    dep = moved["departure of Progress MS-31"]
    assert abs((T(dep.replanned_utc) - oem_events()["92P Undock"]).total_seconds()) < 7 * 86400
    assert T(dep.replanned_utc) < T(arr.replanned_utc)


def test_later_flights_unaffected_as_in_reality(real):
    # MS-29 kept its July date after the outage (OEM 2026-07-01 planning product) and so does ours
    assert real.slip_of("Soyuz MS-29").slip_days == 0.0
    assert T(real.slip_of("Soyuz MS-29").replanned_utc) == oem_events()["75S Launch"]
    assert real.slip_of("Progress MS-34").slip_days == 0.0
    assert [s.vehicle for s in real.affected] == ["Progress MS-33"]
    assert real.rule_violation is None and isinstance(real.replanned, Manifest)
    # no stay beyond its limit, every crew member keeps a certified seat
    assert real.stays_at_risk == () and real.seat_gaps == ()
    ms28 = real.stay_of("Soyuz MS-28")
    assert ms28.replanned_stay_days == pytest.approx(days("2025-11-27T12:34:35Z", "2026-07-26T00:00Z"))
    assert ms28.limit_days == 245 and not ms28.at_risk


def test_cargo_and_reboost_gaps(real):
    ev = oem_events()
    # Zvezda aft: only the 93P -> 95P handover, before and after (the outage does not touch it)
    for c in (real.cargo_planned, real.cargo):
        assert len(c.zvezda_aft_gaps) == 1
        assert c.zvezda_aft_gap_days == pytest.approx((ev["95P Dock"] - ev["93P Undock"]).total_seconds() / 86400)
    # resupply: planned, MS-33 (23 Dec) -> MS-34 (28 Apr); re-planned, MS-32 (13 Sep) -> MS-33 re-planned
    assert real.cargo_planned.longest_resupply_gap_days == pytest.approx(
        (ev["95P Dock"] - T("2025-12-23T00:00Z")).total_seconds() / 86400)
    ms33_arrival = T("2026-03-03T00:00Z") + dt.timedelta(days=TURNAROUND_DAYS + 2)  # two-day rendezvous
    assert real.cargo.longest_resupply_gap_days == pytest.approx(days("2025-09-13T17:23Z", ms33_arrival.isoformat()))


def test_long_outage_closed_form():
    """Site 31/6 out until 20 Jul 2026: MS-33, MS-34 and MS-29 queue up behind it (hand-computed)."""
    r = pad_outage_whatif(parse_pad_outage("baikonur-31:2025-11-27..2026-07-20", planned_events()[0]))
    back = T("2026-07-20T00:00Z") + dt.timedelta(days=TURNAROUND_DAYS)
    ms33 = back
    ms34 = max(back, ms33 + dt.timedelta(days=TURNAROUND_DAYS), ms33 + dt.timedelta(days=CADENCE_DAYS["progress-ms"]))
    ms29 = max(back, ms34 + dt.timedelta(days=TURNAROUND_DAYS))
    assert T(r.slip_of("Progress MS-33").replanned_utc) == ms33
    assert T(r.slip_of("Progress MS-34").replanned_utc) == ms34
    assert T(r.slip_of("Soyuz MS-29").replanned_utc) == ms29
    # MS-28 leaves 12 days after MS-29 arrives, as planned (14 -> 26 Jul): beyond 245 days
    slip29 = ms29 - T("2026-07-14T14:47:00Z")
    ms28_leaves = T("2026-07-26T00:00Z") + slip29
    stay = (ms28_leaves - T("2025-11-27T12:34:35Z")).total_seconds() / 86400
    s = r.stay_of("Soyuz MS-28")
    assert s.replanned_stay_days == pytest.approx(stay) and stay > 245
    assert s.at_risk and s.margin_days == pytest.approx(245 - stay)
    assert [x.vehicle for x in r.stays_at_risk] == ["Soyuz MS-28"]
    assert {g.crew for g in r.seat_gaps} == MS28_CREW and r.seat_gaps_planned == ()
    for g in r.seat_gaps:
        assert g.days == pytest.approx(stay - 245)
    assert r.rule_violation is None


def test_outage_without_end_cancels():
    r = pad_outage_whatif(parse_pad_outage("baikonur-31:2025-11-27..", planned_events()[0]))
    assert {s.vehicle for s in r.affected} == {"Progress MS-33", "Progress MS-34", "Soyuz MS-29"}
    assert all(s.replanned_utc is None for s in r.affected)
    assert {e.vehicle for e in r.replanned_events} & {"Progress MS-33", "Progress MS-34", "Soyuz MS-29"} == set()
    # found by an audit: the cancelled flights had planned stays, and the resupply gap ignored the
    # span after the last Progress, so cancelling looked better than delaying (69 d against 188 d)
    assert {x.vehicle for x in r.stays} & {"Progress MS-33", "Progress MS-34", "Soyuz MS-29"} == set()
    assert r.cargo.longest_resupply_gap == ("2025-09-13T17:23:00.000Z", r.horizon_utc)
    bounded = pad_outage_whatif(parse_pad_outage("baikonur-31:2025-11-27..2026-03-03", planned_events()[0]))
    assert r.cargo.longest_resupply_gap_days > bounded.cargo.longest_resupply_gap_days > 180.0


def test_other_pad_changes_nothing():
    r = pad_outage_whatif(parse_pad_outage("ksc-39a:2025-11-27..2026-03-03"))
    assert r.affected == () and r.moved == ()


def test_plan_is_the_pre_accident_plan():
    assert planned_manifest().occupancy_on("2025-12-23").ports["poisk-zenith"] == "Progress MS-33"
    # against the catalogue as known now (pad damaged until 3 Mar 2026) the plan cannot stand
    with pytest.raises(LaunchPadError, match="next available on 2026-03-03"):
        Manifest.from_events(*planned_events())


@pytest.mark.parametrize("spec", ["baikonur-31", "cape-kourou:2025-11-27..2026-03-03",
                                  "baikonur-31:2026-03-03..2025-11-27", "baikonur-31:27/11/2025..2026-03-03"])
def test_bad_outage_specs(spec):
    with pytest.raises(WhatIfInputError) as info:
        parse_pad_outage(spec)
    assert isinstance(info.value, GyrfalconError)
    assert "pad outage" in str(info.value) or "PAD:START..END" in str(info.value)


def test_gantt_png_and_svg(real, tmp_path):
    png = gantt(tmp_path / "g.png", real.intervals(), baseline=real.intervals(False), outage=real.outage)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = gantt(tmp_path / "g.svg", real.intervals())
    text = svg.read_text()
    assert "<svg" in text and "Progress MS-33" in text
    with pytest.raises(WhatIfInputError):
        gantt(tmp_path / "g.xyz", real.intervals())


def test_a_replanned_timeline_that_breaks_a_rule_is_reported():
    """Progress A slips past the day Progress B takes Zvezda aft: the clash is reported, not raised."""
    from gyrfalcon.traffic.manifest import make_event

    events = [make_event("launch", "2030-01-01", "Progress A", pad="baikonur-31", id=1),
              make_event("arrival", "2030-01-03", "Progress A", port="zvezda-aft", id=2),
              make_event("departure", "2030-01-10", "Progress A", id=3),
              make_event("arrival", "2030-01-20", "Progress B", port="zvezda-aft", id=4)]
    vehicles = {"Progress A": "progress-ms", "Progress B": "progress-ms"}
    r = pad_outage_whatif(parse_pad_outage("baikonur-31:2029-12-25..2030-01-15"), events, vehicles)
    assert T(r.slip_of("Progress A").replanned_utc) == T("2030-01-15T00:00Z") + dt.timedelta(days=TURNAROUND_DAYS)
    assert r.replanned is None and r.rule_violation.startswith("one-vehicle-per-port")
    assert "Progress B" in r.rule_violation
    # the cargo summary still reads the clashing timeline (by hand: planned, no Progress at Zvezda aft
    # 1-3 Jan and 10-20 Jan; re-planned, 1-20 Jan, A docking only on 2 Feb)
    assert r.cargo_planned.zvezda_aft_gap_days == pytest.approx(2 + 10)
    assert r.cargo.zvezda_aft_gap_days == pytest.approx(19)


def test_gantt_labels_stay_whole_inside_the_chart():
    """A bar too short for its vehicle's name (a docking two days before the chart ends) gets the
    name just left of it, whole and inside the axes; before, it was centred and cut at the edge."""
    import datetime as dt

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gyrfalcon.traffic.whatif import _fit_bar_labels

    fig, ax = plt.subplots(figsize=(12, 2))
    start, end = dt.datetime(2025, 1, 1), dt.datetime(2026, 1, 1)
    long_a, short_a = dt.datetime(2025, 2, 1), dt.datetime(2025, 12, 30)
    ax.set_xlim(start, end)
    texts = []
    for a in (long_a, short_a):
        ax.barh(0, (end - a).days, left=a, height=0.5)
        texts.append((ax.text(a + (end - a) / 2, 0, "Soyuz MS-29", ha="center", clip_on=True), a, end))
    fig.tight_layout()
    _fit_bar_labels(fig, ax, texts)
    renderer = fig.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    wide, short = texts[0][0], texts[1][0]
    assert wide.get_horizontalalignment() == "center"          # fits its bar: left as it was
    assert short.get_horizontalalignment() == "right" and short.get_visible()
    ext = short.get_window_extent(renderer)
    assert box.x0 <= ext.x0 and ext.x1 <= box.x1
    plt.close(fig)


def test_an_outage_after_every_planned_event_still_draws(tmp_path):
    """A library audit: an outage in 2030 (no planned event after it) made the chart refuse with
    'empty time span 2030-01-01 .. 2030-01-01; give an end after the start', false since the end was
    given. The chart now spans the outage itself."""
    import gyrfalcon as gf

    r = gf.pad_outage("baikonur-31", start="2030-01-01", end="2030-02-01")
    start, end = r.chart_span()
    assert start.startswith("2030-01-01") and end.startswith("2030-02-01")
    assert all(s.slip_days in (None, 0.0) for s in r.slips)          # nothing planned is moved
    fig = r.plot()
    assert fig.axes
    open_ended = gf.pad_outage("baikonur-31", start="2026-10-01", end=None).chart_span()
    assert open_ended == ("2026-10-01T00:00:00.000Z", "2026-10-02T00:00:00.000Z")


def test_a_pad_outage_result_pickles_for_another_process():
    """A library audit: PadOutageResult and MissionResult could not be pickled (a local function
    inside the station link), which blocks multiprocessing and caching. The re-planned dates survive
    the round trip (Progress MS-33 re-planned to 19 Mar 2026 by the built-in outage, README)."""
    import pickle

    import gyrfalcon as gf

    r = gf.pad_outage()
    back = pickle.loads(pickle.dumps(r))
    assert back.table() == r.table() and "2026-03-19" in back.table()
    # the unpickled station still checks corridors: Rassvet nadir free, so a Soyuz may arrive there
    assert back.baseline.station.clearance("rassvet-nadir", {}, "soyuz-ms").clear
