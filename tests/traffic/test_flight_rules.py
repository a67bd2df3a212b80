"""Rules are rules, what-ifs are explicit: a flight docking at a taken port, with more crew
than seats, or launching from a pad out of service is refused (one line, exit 2, saying how to
ask for a what-if) unless a what-if is asked for, and a what-if result says so everywhere.

References: the late-2025 ISS manifest (seed 000 / domain.md 4.1: Soyuz MS-28 on Rassvet nadir
from 27 Nov 2025 12:34:35 UTC, all eight ports taken on 1 Dec 2025); Soyuz MS seats: 3
(station/data/vehicles.toml crew_seats, seed 000); Baikonur 31/6 damaged at the MS-28 launch
(27 Nov 2025, launch-site catalogue).
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gyrfalcon.traffic.flight_rules import (
    WhatIfRequiredError, check_flight, crew_seats, enforce, pad_as_operational,
)

ROOT = Path(__file__).resolve().parents[2]
MAIN = "from gyrfalcon.cli.app import main; main()"


def _cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-c", MAIN, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT)


def _one_line_refusal(r):
    assert r.returncode == 2, (r.stdout, r.stderr)
    err = r.stderr.strip()
    assert err.startswith("error:") and "\n" not in err and "Traceback" not in err, err
    assert "--what-if" in err
    return err


def test_the_real_ms28_flight_breaks_no_rule():
    assert check_flight(vehicle="Soyuz MS-28", vehicle_type="soyuz-ms", launch_utc="2025-11-27T09:27:57.4Z",
                        pad="baikonur-31", crew=["Sergey Kud-Sverchkov", "Sergei Mikayev", "Christopher Williams"],
                        port="rassvet-nadir", arrival_utc="2025-11-27T12:34:35Z") == ()


def test_each_rule_is_found():
    # an occupied port (Soyuz MS-28 holds Rassvet nadir on 1 Dec 2025)
    (b,) = check_flight(vehicle="Soyuz MS-99", vehicle_type="soyuz-ms", launch_utc="2025-11-24T09:00Z",
                        pad="baikonur-31", crew=["A", "B"], port="rassvet-nadir", arrival_utc="2025-12-01T10:00Z")
    assert b.rule == "one-vehicle-per-port" and "Soyuz MS-28" in b.message
    # more crew than seats: the catalogue's 3 for a Soyuz MS
    assert crew_seats("soyuz-ms") == 3 and crew_seats("progress-ms") == 0
    found = check_flight(vehicle="Soyuz MS-99", vehicle_type="soyuz-ms", launch_utc="2025-11-20T09:00Z",
                         pad="baikonur-31", crew=[f"C{i}" for i in range(10)])
    assert [x.rule for x in found] == ["lifeboat"] and "10 crew" in found[0].message and "3 seats" in found[0].message
    # a pad out of service: Baikonur 31/6 after the MS-28 launch
    (b,) = check_flight(vehicle="Progress MS-99", vehicle_type="progress-ms", launch_utc="2025-12-21T09:00Z",
                        pad="baikonur-31")
    assert b.rule == "pad-operational" and "damaged" in b.message
    # ...which a what-if copy of the pad does not have
    from gyrfalcon.launch.sites import load_sites

    pad = pad_as_operational(load_sites().get("baikonur-31"))
    st = pad.status_at("2025-12-21T09:00Z")
    assert st.available and "what-if: recorded damaged" in st.reason


def test_enforce_refuses_unless_what_if():
    breaches = check_flight(vehicle="Soyuz MS-99", vehicle_type="soyuz-ms", launch_utc="2025-11-20T09:00Z",
                            pad="baikonur-31", crew=[f"C{i}" for i in range(4)])
    with pytest.raises(WhatIfRequiredError, match="lifeboat.*--what-if") as info:
        enforce(breaches, False, "scenario x")
    assert info.value.rule == "lifeboat"
    notes = enforce(breaches, True)
    assert len(notes) == 1 and notes[0].startswith("what-if: breaks rule lifeboat")
    assert enforce((), False) == ()


def _scenario(tmp_path, src: str, drop_what_if=True, **replace) -> Path:
    text = (ROOT / "scenarios" / src).read_text()
    if drop_what_if:
        text = "\n".join(line for line in text.splitlines() if not line.startswith("what_if"))
    for k, v in replace.items():
        text = text.replace(k, v)
    p = tmp_path / src
    p.write_text(text)
    return p


def test_run_refuses_a_scenario_that_breaks_a_rule_before_flying(tmp_path):
    """The example what-ifs without `what_if = true`: refused after the window search, before
    the countdown (nothing written); so is 10 crew in a 3-seat Soyuz."""
    out = tmp_path / "out"
    p = _scenario(tmp_path, "progress-ms-33-whatif.toml")
    err = _one_line_refusal(_cli("run", str(p), "--out", str(out), "--json"))
    assert "one-vehicle-per-port" in err and "Progress MS-31" in err
    assert not out.exists()
    ten = ", ".join(f'"C{i}"' for i in range(10))
    p = _scenario(tmp_path, "soyuz-two-day-whatif.toml", drop_what_if=False,
                  **{'names = ["Commander", "Flight engineer 1", "Flight engineer 2"]': f"names = [{ten}]",
                     "what_if = true": "what_if = false"})
    err = _one_line_refusal(_cli("run", str(p), "--out", str(out), "--json"))
    assert "lifeboat" in err and "10 crew" in err


def test_montecarlo_refuses_a_scenario_that_breaks_a_rule_the_way_run_does(tmp_path):
    """The campaign's nominal flight is checked against the same station rules as `run`
    (issue 16: the same way everywhere): one line, exit 2, before any dispersed run."""
    p = _scenario(tmp_path, "progress-ms-33-whatif.toml")
    err = _one_line_refusal(_cli("montecarlo", str(p), "--runs", "4", "--out", str(tmp_path / "mc"), "--json"))
    assert "one-vehicle-per-port" in err and "what-if" in err


def test_the_shipped_what_ifs_are_explicit():
    from gyrfalcon.mission.scenario import load_scenario

    for f in ("progress-ms-33-whatif.toml", "soyuz-two-day-whatif.toml"):
        assert load_scenario(ROOT / "scenarios" / f).what_if is True
    assert load_scenario(ROOT / "scenarios" / "soyuz-ms-28.toml").what_if is False


def test_a_what_if_result_says_so_in_every_output(tmp_path):
    """JSON / timeline.json field, report title and headline, CLI table headline."""
    import io

    from rich.console import Console

    from gyrfalcon.cli import run as run_cli
    from gyrfalcon.mission.report import render_report
    from gyrfalcon.mission.result import MissionResult
    from gyrfalcon.mission.scenario import default_scenario

    sc = default_scenario().model_copy(update={"what_if": True})
    r = MissionResult(scenario=sc, seed=0, launch_utc=None, insertion_utc=None, contact_utc=None, landing_utc=None,
                      total_dv_mps=None, notes=("what-if: breaks rule lifeboat: 4 crew",), what_if=True)
    assert r.to_json_dict()["what_if"] is True
    plain = MissionResult(scenario=default_scenario(), seed=0, launch_utc=None, insertion_utc=None,
                          contact_utc=None, landing_utc=None, total_dv_mps=None)
    assert plain.to_json_dict()["what_if"] is False
    html = render_report(r)
    assert "<h1>Gyrfalcon WHAT-IF mission report" in html and "What-if" in html
    assert "WHAT-IF" not in render_report(plain)
    buf = io.StringIO()
    orig = run_cli.console
    run_cli.console = lambda: Console(file=buf, width=200)
    try:
        run_cli.print_timeline(r, tmp_path, None)
    finally:
        run_cli.console = orig
    assert buf.getvalue().splitlines()[0].startswith("WHAT-IF")


def test_rendezvous_and_windows_refuse_a_pad_out_of_service_unless_what_if():
    err = _one_line_refusal(_cli("rendezvous", "--launch", "2025-11-29T09:00:00Z", "--json"))
    assert "pad-operational" in err
    # 1 Dec 2025 07:54 UTC: in the two-orbit phase window, but Baikonur 31/6 is damaged
    err = _one_line_refusal(_cli("windows", "--from", "2025-12-01", "--days", "1"))
    assert "pad-operational" in err
    r = _cli("windows", "--from", "2025-12-01", "--days", "1", "--what-if", "--json")
    assert r.returncode == 0, r.stderr
    wins = json.loads(r.stdout)
    assert wins and all(w["what_if"] is True for w in wins)
    assert [w["launch_utc"][:16] for w in wins if w["feasible"]] == ["2025-12-01T07:54"]
    # phase outside the window, whatever the pad: a plain refusal, no what-if offered
    r = _cli("windows", "--from", "2025-11-28", "--days", "2")
    assert r.returncode == 2 and "--what-if" not in r.stderr


def test_traffic_add_what_if_records_nothing(app, db):
    from gyrfalcon.traffic.store import ManifestStore

    runner = CliRunner()
    args = ["traffic", "add", "arrival", "2025-12-01", "Soyuz MS-99", "--port", "rassvet-nadir", "--type", "soyuz-ms",
            "--db", db]
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "--what-if" in res.stderr and "\n" not in res.stderr.strip()
    res = runner.invoke(app, [*args, "--what-if", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["what_if"] is True and d["recorded"] is False
    assert [b["rule"] for b in d["breaks"]] == ["one-vehicle-per-port"]
    assert "event #" not in d["breaks"][0]["message"]          # nothing was recorded: no id to name
    res = runner.invoke(app, [*args, "--what-if"])
    assert res.exit_code == 0 and res.stdout.startswith("WHAT-IF (not recorded)") and "event #" not in res.stdout
    with ManifestStore(db) as s:
        assert s.count() == 19 and "Soyuz MS-99" not in s.vehicles()


def test_a_past_flight_is_not_held_against_the_later_record():
    """A flight of 2021-2024 with no departure given is taken to leave before the next arrival
    the late-2025 record holds at its port, so the record's own arrivals (Soyuz MS-28 at
    Rassvet on 27 Nov 2025, Soyuz MS-27 at Prichal on 8 Apr 2025) do not refuse it; a vehicle
    the record has at the port at the arrival still does."""
    # Soyuz MS-18 to Rassvet, 9 Apr 2021 (RSW: docked 11:05 UTC); Soyuz MS-25 to Prichal, 25 Mar 2024
    assert check_flight(vehicle="soyuz-ms (planned)", vehicle_type="soyuz-ms", launch_utc="2021-04-09T07:42:41Z",
                        pad="baikonur-31", port="rassvet-nadir", arrival_utc="2021-04-09T11:05:00Z") == ()
    assert check_flight(vehicle="soyuz-ms (planned)", vehicle_type="soyuz-ms", launch_utc="2024-03-23T12:36:19Z",
                        pad="baikonur-31", port="prichal-nadir", arrival_utc="2024-03-25T15:02:51Z") == ()
    # Pirs (a port until 26 Jul 2021, Progress MS-15's port in Jul 2020) is not in the 2025 record
    assert check_flight(vehicle="progress-ms (planned)", vehicle_type="progress-ms", launch_utc="2020-07-23T14:26:21Z",
                        pad="baikonur-31", port="pirs-nadir", arrival_utc="2020-07-23T17:47:52Z") == ()
    # Soyuz MS-27 holds Prichal from 8 Apr to 9 Dec 2025: an arrival there in between is still refused
    (b,) = check_flight(vehicle="soyuz-ms (planned)", vehicle_type="soyuz-ms", launch_utc="2025-06-01T09:00Z",
                        pad="baikonur-31", port="prichal-nadir", arrival_utc="2025-06-01T12:10Z")
    assert b.rule == "one-vehicle-per-port" and "Soyuz MS-27" in b.message



def test_an_arrival_before_the_record_starts_is_not_replayed_into_it():
    """Found by an audit: a Progress MS docking at Rassvet nadir on 6 Dec 2019 was taken to stay
    until the record's next arrival there (Soyuz MS-28, 27 Nov 2025), and its solar arrays then
    "blocked" Cygnus NG-23's approach to Unity nadir on 18 Sep 2025 (rule corridor-clearance).
    The record starts on 8 Apr 2025 (Soyuz MS-27's arrival): a stay beginning before it is not
    known to the record (the flight's result says no port occupancy is given), so it is not
    replayed; an arrival inside the record still is (Soyuz MS-27 at Prichal, above)."""
    assert check_flight(vehicle="progress-ms (planned)", vehicle_type="progress-ms", launch_utc="2019-12-06T09:34:11Z",
                        pad="baikonur-31", port="rassvet-nadir", arrival_utc="2019-12-09T10:35:00Z") == ()
    # the same Progress arriving after the record starts is replayed: Rassvet nadir is free until
    # MS-28, and its stay is then a breach of the corridor Cygnus NG-23 needs
    (b,) = check_flight(vehicle="progress-ms (planned)", vehicle_type="progress-ms", launch_utc="2025-05-01T09:34:11Z",
                        pad="baikonur-31", port="rassvet-nadir", arrival_utc="2025-05-03T10:35:00Z")
    assert b.rule == "corridor-clearance" and "unity-nadir" in b.message

def test_a_flight_before_a_pad_reopened_is_not_refused_for_the_record_launches_after_it():
    """The flight's own pad is judged as its countdown saw it; the record's launches (Crew-11 from
    LC-39A on 1 Aug 2025) as the catalogue records them: a 2016 flight does not make LC-39A
    "inactive since 2011" for the record (it reopened on 2017-02-19, CRS-10). Soyuz MS-01 from
    Site 1/5, 7 Jul 2016 01:36:40 UTC, docked to Rassvet on 9 Jul 2016 (NASA)."""
    assert check_flight(vehicle="soyuz-ms (planned)", vehicle_type="soyuz-ms", launch_utc="2016-07-07T01:36:40Z",
                        pad="baikonur-1", port="rassvet-nadir", arrival_utc="2016-07-09T04:06:00Z") == ()
    # the flight's own pad still as known before its liftoff: Site 1/5 retired in 2019
    (b,) = check_flight(vehicle="soyuz-ms (planned)", vehicle_type="soyuz-ms", launch_utc="2021-04-09T07:42:41Z",
                        pad="baikonur-1")
    assert b.rule == "pad-operational" and "baikonur-1" in b.message


def test_a_flight_that_stays_no_return_cannot_take_a_port_minutes_before_a_recorded_arrival():
    """A flight with no departure (return off) is taken to leave before the record's next arrival
    at its port only if that arrival is at least 7 days later: docking at Rassvet nadir at 12:16
    on 27 Nov 2025, 18 min before Soyuz MS-28 (12:34:35, the record), is a breach."""
    from gyrfalcon.traffic.flight_rules import MIN_ASSUMED_STAY_S

    assert MIN_ASSUMED_STAY_S == 7 * 86400.0
    (b,) = check_flight(vehicle="Soyuz MS-99", vehicle_type="soyuz-ms", launch_utc="2025-11-25T10:16Z",
                        pad="baikonur-31", port="rassvet-nadir", arrival_utc="2025-11-27T12:16Z")
    assert b.rule == "one-vehicle-per-port" and "Soyuz MS-28" in b.message and "Soyuz MS-99" in b.message
    # months before MS-28's arrival (Rassvet free, Cygnus NG-23 not yet at Unity nadir) the flight
    # is taken to have left before it
    assert check_flight(vehicle="Soyuz MS-99", vehicle_type="soyuz-ms", launch_utc="2025-07-30T10:16Z",
                        pad="baikonur-31", port="rassvet-nadir", arrival_utc="2025-08-01T12:16Z") == ()


def test_rendezvous_port_is_checked_on_the_flight_date():
    """Pirs was undocked on 26 Jul 2021 (catalogue [[past_port]]): asked for in 2025 it is refused
    in one line naming that date and the ports of the day; an unknown port lists the ports."""
    r = _cli("rendezvous", "--port", "pirs-nadir", "--launch", "2025-11-27T09:27:57Z")
    assert r.returncode == 2 and r.stdout == ""
    err = r.stderr.strip()
    assert "\n" not in err and "2021-07-26" in err and "rassvet-nadir" in err, err
    r = _cli("rendezvous", "--port", "pirs", "--launch", "2020-07-23T14:26:21Z")
    assert r.returncode == 2 and "pirs-nadir" in r.stderr and "\n" not in r.stderr.strip()


def test_the_plans_departures_free_the_ports_the_record_leaves_taken():
    """The record ends with Progress MS-31 at Poisk; the 2026 plan has it leave on 15 Dec 2025.
    The real Progress MS-33 (launched 22 Mar 2026, docked at Poisk 24 Mar, NASA OEM) is then not
    refused; an arrival at Poisk on 1 Dec 2025, with MS-31 still there, is."""
    assert check_flight(vehicle="progress-ms (planned)", vehicle_type="progress-ms", launch_utc="2026-03-22T11:59:49Z",
                        pad="baikonur-31", port="poisk-zenith", arrival_utc="2026-03-24T13:35:23Z") == ()
    (b,) = check_flight(vehicle="progress-ms (planned)", vehicle_type="progress-ms", launch_utc="2025-11-29T09:00Z",
                        port="poisk-zenith", arrival_utc="2025-12-01T10:00Z")
    assert b.rule == "one-vehicle-per-port" and "Progress MS-31" in b.message


def test_an_arrival_after_the_record_is_told_what_the_2026_plan_has_at_its_port():
    """Found by an audit: a Progress to Poisk on 28 Apr 2026 flew with no word that the plan has
    Progress MS-33 there (docked 23 Dec 2025 in the plan; in reality on 24 Mar 2026). The plan is
    not a record: a note, never a refusal."""
    from gyrfalcon.traffic.flight_rules import plan_note, rendezvous_rules

    note = plan_note("poisk-zenith", "2026-04-28T01:26Z")
    assert "Progress MS-33 at poisk-zenith" in note and "not held against" in note
    assert plan_note("poisk-zenith", "2026-04-28T01:26Z", "Progress MS-33") is None   # the flight itself
    assert plan_note("poisk-zenith", "2025-11-28T00:00Z") is None      # inside the record: the rules say it
    assert plan_note("rassvet-nadir", "2026-08-01T00:00Z") is None     # Soyuz MS-28 gone on 26 Jul 2026
    notes = rendezvous_rules(pad="baikonur-31", launch_utc="2026-04-25T22:21:49.7Z", port="poisk-zenith",
                             vehicle_type="progress-ms", arrival_utc="2026-04-28T01:26:19Z")
    assert any("Progress MS-33" in n for n in notes)


def test_a_record_flight_refused_because_of_the_flight_says_the_flight_came_first():
    """Found by an audit: a flight named Soyuz MS-99 arriving at Rassvet nadir just before MS-28
    was refused with "arrival of Soyuz MS-28 ... refused ... occupied by Soyuz MS-99", which read as
    if MS-28 were the flight asked for. The refusal now says the flight was added first."""
    (b,) = check_flight(vehicle="Soyuz MS-99", vehicle_type="soyuz-ms", launch_utc="2025-11-27T09:27:57.4Z",
                        pad=None, crew=("A", "B", "C"), port="rassvet-nadir", arrival_utc="2025-11-27T12:34:01Z")
    assert b.rule == "one-vehicle-per-port"
    assert b.message.startswith("with Soyuz MS-99 added to the record, arrival of Soyuz MS-28 at rassvet-nadir"), b.message
