"""``gyrfalcon rendezvous``: JSON contract and flown figures for Soyuz MS-28, the burn table, one red
line and exit code 2 on bad input.

References: MS-28 liftoff 09:27:57.4 UTC and contact 12:34:35 UTC (missions.csv), flown total
about 117 m/s and braking at MET 2:39:58 (domain.md 2.3); 5 min contact tolerance (issue 4).
The command is mounted on a fresh typer app (the lead registers it in cli/app.py).
"""
import json
import math
import re

import pytest
from typer.testing import CliRunner

from gyrfalcon.cli import rendezvous as rdv_cli
from gyrfalcon.time import parse_utc, seconds_between

from ..typer_apps import app_with

runner = CliRunner()
MS28 = "2025-11-27T09:27:57.4Z"


@pytest.fixture(scope="module")
def app():
    return app_with(rdv_cli.register)


@pytest.fixture(scope="module")
def ms28_json(app):
    res = runner.invoke(app, ["rendezvous", "--launch", MS28, "--site", "baikonur-31", "--scheme", "auto", "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_ms28_json_contract(ms28_json):
    d = ms28_json
    for k in ("burns", "total_dv_mps", "aim_point_utc", "contact_utc", "scheme", "scheme_reason", "approach_verdict"):
        assert k in d
    assert d["scheme"] == "two-orbit" and "inside the two-orbit range" in d["scheme_reason"]
    assert len(d["burns"]) == 4
    for b in d["burns"]:
        assert set(b) >= {"utc", "dv_mps", "dv_rtn_mps", "duration_s"}
        assert math.hypot(*b["dv_rtn_mps"]) == pytest.approx(b["dv_mps"], rel=1e-9)
        assert b["duration_s"] > 0
    assert d["total_dv_mps"] == pytest.approx(sum(b["dv_mps"] for b in d["burns"]), rel=1e-12)


def test_ms28_json_figures(ms28_json):
    d = ms28_json
    assert d["total_dv_mps"] == pytest.approx(117.0, rel=0.15)
    assert d["approach_verdict"] == "captured"
    # the operators' planned contact (NASA OEM of 2025-11-24, event "74S Dock", 12:38:32; an answer,
    # never read by the model) within 2 min; the real contact came 3 min 57 s ahead of that plan,
    # so the prediction is about 5 min after the real one (docs/validation.md, "Flights")
    plan_err = float(seconds_between(parse_utc("2025-11-27T12:38:32"), parse_utc(d["contact_utc"])))
    assert abs(plan_err) < 120.0
    err = float(seconds_between(parse_utc("2025-11-27T12:34:35"), parse_utc(d["contact_utc"])))
    assert 0.0 < err < 420.0
    # the aim point is the braking burn's centre: flown at MET 2:39:58
    met = float(seconds_between(parse_utc(MS28), parse_utc(d["aim_point_utc"])))
    assert abs(met - (2 * 3600 + 39 * 60 + 58)) < 120.0
    # the approach starts where the plan hands over
    assert d["approach"]["start_utc"] == d["handover_utc"]


def test_human_burn_table(app):
    res = runner.invoke(app, ["rendezvous", "--launch", MS28])
    assert res.exit_code == 0, res.output
    out = res.output
    for word in ("DV1", "DV2", "DV3", "braking", "hp km", "ha km", "prop kg", "captured", "contact 2025-11-27T12:"):
        assert word in out, word
    row = next(line for line in out.splitlines() if line.strip().startswith("DV3"))
    assert "1:55:" in row or "1:56:" in row or "1:54:" in row   # flown DV3 at MET 1:55:49 (domain.md 2.3), a check


def _err(res):
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    # station-data warnings (stale ephemeris, planned burn) may precede the one error line
    lines = [line for line in res.output.splitlines() if line.strip() and not line.startswith("warning:")]
    assert len(lines) == 1 and lines[0].startswith("error:")
    return lines[0]


def test_unknown_site(app):
    assert "unknown launch site" in _err(runner.invoke(app, ["rendezvous", "--site", "nowhere"]))


def test_unknown_scheme(app):
    assert "use one of auto" in _err(runner.invoke(app, ["rendezvous", "--scheme", "one-orbit"]))


def test_launch_outside_every_window_names_the_nearest_feasible_launch(app):
    # 24 min late: the ISS is about 100 deg ahead at insertion, outside every scheme's range
    line = _err(runner.invoke(app, ["rendezvous", "--launch", "2025-11-27T09:52:00Z"]))
    assert "no scheme accepts it" in line
    m = re.search(r"nearest launch that fits: (\S+) \(two-orbit", line)
    assert m, line
    # the day's two-orbit window is MS-28's own liftoff (09:27:57.4, missions.csv) to within a minute
    assert abs(float(seconds_between(parse_utc(MS28), parse_utc(m.group(1))))) < 60.0


def test_station_ephemeris_not_covering_the_flight(app):
    import pathlib

    oem = pathlib.Path(__file__).parent / "data" / "iss_oem_fb1131d_ms27_excerpt.txt.gz"
    line = _err(runner.invoke(app, ["rendezvous", "--station-oem", str(oem), "--launch", MS28]))
    assert "outside it" in line and "--station-oem" in line
    # packaged ephemeris (24 Nov - 9 Dec 2025) and a launch in January 2026
    line = _err(runner.invoke(app, ["rendezvous", "--launch", "2026-01-10T10:00Z"]))
    assert "covers 2025-11-24" in line
    # the ephemeris ends during the flight (MS-27 excerpt ends 10:00 UTC; a two-day flight from the
    # in-plane liftoff of 05:50 docks on 10 Apr). A liftoff of 08:40 is no longer this case: the pad
    # is then 5.6 deg out of the station's plane, refused first (no ascent flies it)
    line = _err(runner.invoke(app, ["rendezvous", "--station-oem", str(oem), "--launch", "2025-04-08T05:50:17Z",
                                    "--scheme", "two-day"]))
    assert "does not cover" in line and "ends 2025-04-08T09:59" in line
    line = _err(runner.invoke(app, ["rendezvous", "--station-oem", str(oem), "--launch", "2025-04-08T08:40:00Z"]))
    assert "5.62 deg out of the target plane" in line and "gyrfalcon windows" in line


def test_named_scheme_outside_its_range_is_refused(app):
    # issue 14 item 6: MS-28's liftoff + 2 min puts the ISS 22 deg ahead: the two-orbit scheme
    # asked for is refused (exit 2) with the phase, the scheme that fits, the pad's part and the
    # nearest two-orbit launch; --scheme auto flies four-orbit instead
    line = _err(runner.invoke(app, ["rendezvous", "--launch", "2025-11-27T09:29:57.4Z", "--scheme", "two-orbit"]))
    assert "outside the two-orbit range 10-18 deg" in line and "the reason is the phase" in line
    assert "the scheme that fits this phase is four-orbit" in line
    # two minutes after the MS-28 liftoff the pad is out of service (the cabin fell 10 s after it):
    # the pad's part says so with the repair date, as the station rule pad-operational does
    assert "pad baikonur-31 is also a reason: damaged at liftoff" in line and "back in service on 2026-03-03" in line
    m = re.search(r"nearest launch that fits: (\S+) \(two-orbit", line)
    assert m and abs(float(seconds_between(parse_utc(MS28), parse_utc(m.group(1))))) < 60.0


def test_ephemeris_ending_between_aim_and_contact_names_the_span(app):
    # issue 14 bad input: the MS-27 launch excerpt ends 3 h after liftoff, between the aim point
    # (about 2:40 MET) and the contact: one line naming the span needed, exit 2
    import pathlib

    oem = pathlib.Path(__file__).parents[1] / "data" / "iss_oem_fb1131d_launch_2025-04-08_excerpt.txt.gz"
    line = _err(runner.invoke(app, ["rendezvous", "--station-oem", str(oem), "--launch", "2025-04-08T05:47:15.3Z",
                                    "--port", "prichal-nadir"]))
    assert "ends 2025-04-08T08:47:15Z" in line and "must cover insertion 2025-04-08T05:56" in line
    m = re.search(r"to about 2025-04-08T(\d\d):(\d\d)", line)
    assert m and (9, 15) <= (int(m.group(1)), int(m.group(2))) <= (9, 45)   # contact ~09:00 + 30 min
    # the predicted contact itself (re-audit: the span named in full), and what would work
    m = re.search(r"predicted contact about 2025-04-08T(\d\d):(\d\d)", line)
    assert m and (8, 45) <= (int(m.group(1)), int(m.group(2))) <= (9, 15), line
    assert "--station-tle" in line and "--station-oem" in line


def test_the_library_and_the_command_mean_the_same_by_contact(ms28_json):
    """A library user found `plan.contact_utc` (the planned contact, aim point + 30 min) under the
    name the command's JSON gives the simulated contact. The plan now calls it
    `nominal_contact_utc`, as the JSON does, and `fly_rendezvous`'s approach carries the contact
    the command reports."""
    import gyrfalcon as gf

    plan, approach = gf.fly_rendezvous(None, MS28, pad="baikonur-31", scheme="auto")
    assert not hasattr(plan, "contact_utc") and "contact_utc" not in plan.to_dict()
    assert plan.nominal_contact_utc == ms28_json["nominal_contact_utc"]
    assert approach.contact_utc == ms28_json["contact_utc"]
    assert ms28_json["contact_utc"] != ms28_json["nominal_contact_utc"]


def test_the_nearest_launch_is_searched_as_the_flight_would_fly(app):
    """Found by an audit of issue 14 item 6 ("the nearest launch time that fits"): the search
    looked one day either side, read the pad as out of service under --what-if, and used the
    Soyuz-2.1a and Soyuz MS plane lead whatever the pad and the vehicle. Each suggestion below is
    checked against an outside time: the real liftoff, or the flight given back."""
    import pathlib

    data = pathlib.Path(__file__).parents[1] / "data"
    # Soyuz MS-11 from Site 1/5 (Soyuz-FG), asked a day late: its real liftoff (11:31:52.5, the
    # day before) is the nearest four-orbit launch; the one-day search missed it by a second
    line = _err(runner.invoke(app, ["rendezvous", "--station-tle", str(data / "iss_tles_2018-12_before_ms11.txt"),
                                    "--launch", "2018-12-04T11:31:52.5Z", "--pad", "baikonur-1", "--port",
                                    "poisk-zenith", "--scheme", "four-orbit"]))
    m = re.search(r"nearest launch that fits: (\S+) \(four-orbit", line)
    assert m and abs(float(seconds_between(parse_utc("2018-12-03T11:31:52.519Z"), parse_utc(m.group(1))))) < 5.0, line
    # a what-if after the 2025 pad accident: the pad is not a reason, and the suggestion flies
    line = _err(runner.invoke(app, ["rendezvous", "--launch", "2025-12-02T07:32:01Z", "--scheme", "two-orbit",
                                    "--what-if"]))
    assert "taken as in service by the what-if (not a reason)" in line and "is also a reason" not in line
    m = re.search(r"nearest launch that fits: (\S+) \(two-orbit", line)
    assert m, line
    res = runner.invoke(app, ["rendezvous", "--launch", m.group(1), "--scheme", "two-orbit", "--what-if", "--json"])
    assert res.exit_code == 0, res.output
    # an hour late, out of the plane: the refusal names MS-28's launch time (real: 09:27:57.4)
    line = _err(runner.invoke(app, ["rendezvous", "--launch", "2025-11-27T10:27:57Z", "--scheme", "two-orbit"]))
    assert "out of the target plane" in line
    m = re.search(r"nearest launch that fits: (\S+) \(two-orbit", line)
    assert m and abs(float(seconds_between(parse_utc(MS28), parse_utc(m.group(1))))) < 10.0, line


def test_a_progress_is_told_the_launch_time_windows_lists_for_a_progress():
    """The suggestion uses the vehicle's plane lead: the Progress window `windows --vehicle
    progress-ms` lists, not the Soyuz one (found by the same audit: 11 s apart), a few seconds
    from Progress MS-15's real liftoff (2020-07-23 14:26:21, tests/data/flights_2020_2022.csv)."""
    import pathlib

    from gyrfalcon.cli.app import app

    tle = str(pathlib.Path(__file__).parents[1] / "data" / "iss_tles.csv")
    line = _err(runner.invoke(app, ["rendezvous", "--station-tle", tle, "--launch", "2020-07-22T14:51:55Z",
                                    "--scheme", "two-orbit", "--port", "pirs-nadir", "--vehicle", "progress-ms"]))
    m = re.search(r"nearest launch that fits: (\S+) \(two-orbit", line)
    assert m, line
    res = runner.invoke(app, ["windows", "--station-tle", tle, "--from", "2020-07-23", "--days", "1", "--scheme",
                              "two-orbit", "--vehicle", "progress-ms", "--json"])
    wins = [w for w in json.loads(res.stdout) if w["feasible"]]
    assert len(wins) == 1 and abs(float(seconds_between(parse_utc(wins[0]["launch_utc"]), parse_utc(m.group(1))))) < 0.1
    assert abs(float(seconds_between(parse_utc("2020-07-23T14:26:21Z"), parse_utc(m.group(1))))) < 10.0


def test_a_launch_suggested_near_the_end_of_the_station_data_flies():
    """Found by a review: a two-day launch was suggested 2 h before the packaged OEM's end (its
    contact two days after the data), and flying it was then refused. The suggestion, given back,
    flies to contact."""
    from gyrfalcon.cli.app import app

    line = _err(runner.invoke(app, ["rendezvous", "--launch", "2025-12-09T06:30:00Z", "--scheme", "two-day",
                                    "--what-if"]))
    m = re.search(r"nearest launch that fits: (\S+) \(two-day", line)
    assert m, line
    res = runner.invoke(app, ["rendezvous", "--launch", m.group(1), "--scheme", "two-day", "--what-if", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout[res.stdout.index("{"):])["contact_utc"] is not None
