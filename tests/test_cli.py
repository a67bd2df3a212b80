"""The CLI's contract: real output for the default mission, one red line and exit code 2 on bad input."""
import json

from typer.testing import CliRunner

from gyrfalcon.cli.app import app

runner = CliRunner()


def test_help_lists_commands():
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0
    for command in ("run", "station", "propagate", "windows", "rendezvous", "approach", "landing", "traffic", "scenario"):
        assert command in res.output, command


def test_station_json_reports_the_iss_orbit_at_ms28_liftoff():
    res = runner.invoke(app, ["station", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["utc"] == "2025-11-27T09:27:57.400Z"
    # domain.md section 6: ISS ~413 x 422 km (late 2025), i = 51.64 deg (TLE), period ~92.9 min;
    # NASA's own event summary in the OEM gives HA 425.6 / HP 412.4 km for that epoch (mean-ish figures)
    assert 405e3 < d["perigee_altitude_m"] < 416e3
    assert 418e3 < d["apogee_altitude_m"] < 430e3
    assert abs(d["inclination_of_date_deg"] - 51.64) < 0.05
    assert abs(d["period_s"] / 60 - 92.9) < 0.1
    # at a two-orbit launch the ISS passes near the pad (Baikonur 46.0 N, 63.6 E): within ~600 km
    # (domain.md section 2.1: Progress MS-09's ISS was ~595 km SW of Baikonur at liftoff)
    assert abs(d["latitude_deg"] - 46.0) < 4 and abs(d["longitude_deg"] - 63.6) < 6
    names = [e["name"] for e in d["planned_events"]]
    assert "74S Launch" in names and "74S Dock" in names


def test_station_outside_ephemeris_is_one_line_exit_2():
    res = runner.invoke(app, ["station", "--at", "2030-01-01"])
    assert res.exit_code == 2
    assert "outside" in res.output and "Traceback" not in res.output


def test_approach_json_nominal_ms28_captures_near_the_real_contact():
    from gyrfalcon.time import parse_utc, seconds_between

    res = runner.invoke(app, ["approach", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["verdict"] == "captured"
    # MS-28 contact 12:34:35 UTC (domain.md 1.1); the tolerance for the chained flight is 5 min
    assert abs(seconds_between(parse_utc("2025-11-27T12:34:35Z"), parse_utc(d["contact_utc"]))) < 300
    # SSVP capture envelope (domain.md 3.3): 0.1-0.35 m/s closing, <= 0.34 m offset
    assert 0.1 <= d["contact"]["closing_speed_mps"] <= 0.35
    assert d["contact"]["lateral_offset_m"] <= 0.34
    assert [p["name"] for p in d["phases"]][:2] == ["closing", "flyaround"]
    assert d["propellant_kg"] > 0


def test_approach_text_says_it_starts_from_the_flown_braking_point_not_a_plan():
    # the default start is MS-28's flown braking (MET 2:39:58 = 12:07:55.4 UTC, domain.md 2.3), not a
    # computed plan; the text says so, since `rendezvous` and `run` give another contact
    res = runner.invoke(app, ["approach"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "from 2025-11-27T12:07:55.400Z" in text
    assert "flown braking point (2.27 km, MET 2:39:58), a fixed state, not a computed plan" in text


def test_approach_with_permanent_kurs_dropout_backs_away_without_contact():
    res = runner.invoke(app, ["approach", "--fault", "kurs-dropout@300", "--json"])
    assert res.exit_code == 3, res.output          # not captured: exit 3, the reason on stderr
    assert "without capture" in res.stderr and "aborted" in res.stderr
    d = json.loads(res.stdout)
    assert d["verdict"] == "aborted" and d["contact_utc"] is None
    assert d["min_distance_m"] > 20


def test_approach_bad_fault_is_one_line_exit_2():
    res = runner.invoke(app, ["approach", "--fault", "kurs-xx"])
    assert res.exit_code == 2 and "kurs-dropout@600+20" in res.output


def _iss_oem_path():
    from gyrfalcon.orbits.iss import iss_default_path

    return str(iss_default_path())


def test_propagate_json_matches_nasa_prediction_after_a_day(tmp_path):
    # NASA's own prediction (the OEM) is the independent reference; a J2..J6 model without drag
    # drifts a few km in a day (Orekit README: zonal J2..J6 run is 3.6 km from the OEM at 24 h)
    from gyrfalcon.orbits.iss import iss_ephemeris
    from gyrfalcon.time import parse_utc

    out = tmp_path / "iss.oem"
    res = runner.invoke(app, ["propagate", "--from-oem", _iss_oem_path(), "--duration", "24h", "--step", "60s",
                              "--model", "zonal", "--oem", str(out), "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["frame"] == "GCRF" and d["utc"].startswith("2025-11-25T12:00:00")
    import numpy as np

    ref = iss_ephemeris().at(parse_utc(d["utc"]))
    miss_m = float(np.linalg.norm(np.array(d["r_m"]) - ref.r_m))
    assert 1e3 < miss_m < 6e3
    from gyrfalcon.io.oem import load_oem

    back = load_oem(out).ephemeris("GCRF")
    assert len(back) == 1441
    assert float(np.linalg.norm(back.r_m[-1] - np.array(d["r_m"]))) < 1e-3


def test_propagate_sgp4_path_from_a_tle(tmp_path):
    tle = tmp_path / "iss.tle"
    tle.write_text("ISS (ZARYA)\n1 25544U 98067A   20200.20503472  .00000290  00000-0  13213-4 0  9992\n"
                   "2 25544  51.6421 194.9479 0001278 129.0349  50.4204 15.49516142236824\n")
    res = runner.invoke(app, ["propagate", "--from-tle", str(tle), "--duration", "90m", "--model", "sgp4", "--json"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.output)["r_m"]
    assert 6.7e6 < sum(x * x for x in r) ** 0.5 < 6.9e6


def test_propagate_bad_inputs_exit_2(tmp_path):
    bad = tmp_path / "bad.tle"
    bad.write_text("1 25544U 98067A   20200.20503472  .00000290  00000-0  13213-4 0  9993\n"
                   "2 25544  51.6421 194.9479 0001278 129.0349  50.4204 15.49516142236824\n")
    for args in (["propagate", "--from-tle", str(bad)],
                 ["propagate", "--from-oem", _iss_oem_path(), "--model", "warp"],
                 ["propagate", "--from-oem", _iss_oem_path(), "--start", "2031-01-01"],
                 ["propagate", "--from-state", '{"utc": "2025-11-24T12:00Z", "r_m": [7000e3, 0, 0]}'],
                 ["propagate", "--from-state", '{"utc": "2025-11-24T12:00Z", "r_m": [6000e3, 0, 0], "v_mps": [0, 7000, 0]}'],
                 ["propagate"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 2, (args, res.output)
        assert "Traceback" not in res.output and res.output.strip().startswith("error:"), (args, res.output)
