"""``--station-tle`` (and ``--station-oem``) on every command that takes a station: windows,
rendezvous, landing, run, montecarlo; and in the web API's run start."""
import json
from pathlib import Path

from typer.testing import CliRunner

import gyrfalcon as gf

from gyrfalcon.cli.app import app

from tests.scenario_texts import quick

DATA = Path(__file__).resolve().parent / "data"
TLES = str(DATA / "iss_tles_ms28_series.txt")     # ISS TLEs 17-29 Nov 2025; the 29 Nov one is after MS-28
runner = CliRunner()



def test_windows_station_tle_uses_only_sets_before_from():
    res = runner.invoke(app, ["windows", "--station-tle", TLES, "--from", "2025-11-26", "--days", "2", "--json"])
    assert res.exit_code == 0, res.output
    out = res.stdout
    wins = json.loads(out[out.index("["):])
    ok = [w for w in wins if w["feasible"]]
    # Soyuz MS-28 lifted off 2025-11-27T09:27:57 UTC (domain.md 1.1): the TLE-fitted orbit finds it
    assert any(w["launch_utc"].startswith("2025-11-27T09:2") for w in ok), ok
    assert "dated after 2025-11-26" in res.stderr and "not used" in res.stderr


def test_windows_warn_when_the_last_window_is_past_the_staleness_limit():
    """Fresh at --from, 13 days old at the last window of a 14-day search (a user audit: before,
    no warning). The limit is STALE_DAYS after the data; a 2-day search stays quiet."""
    from gyrfalcon.orbits.station_source import STALE_DAYS, expected_error_km

    res = runner.invoke(app, ["windows", "--from", "2025-11-25", "--days", "14", "--scheme", "two-day", "--json"])
    assert res.exit_code == 0, res.output
    wins = json.loads(res.stdout[res.stdout.index("["):])
    created = wins[0]["station"]["data_end_utc"]            # the packaged OEM's creation (24 Nov 2025)
    age = (gf.parse_utc(wins[-1]["launch_utc"]) - gf.parse_utc(created))
    assert age > STALE_DAYS and f"~{expected_error_km(age)[0]:.0f} km of along-track error" in res.stderr
    since = gf.iso_utc(gf.parse_utc(created) + STALE_DAYS, 0)
    assert "(at the last window; at the search start they were" in res.stderr
    assert res.stderr.strip().endswith(f"the windows after {since} may be wrong")
    quiet = runner.invoke(app, ["windows", "--from", "2025-11-25", "--days", "2", "--scheme", "two-day"])
    assert quiet.exit_code == 0 and "older than" not in quiet.stderr


def test_rendezvous_station_tle():
    res = runner.invoke(app, ["rendezvous", "--station-tle", TLES, "--launch", "2025-11-27T09:27:57.4Z",
                              "--scheme", "two-orbit", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout[res.stdout.index("{"):])
    assert d["scheme"] == "two-orbit" and d["contact_utc"] is not None
    # MS-28 docked 12:34:35 UTC (domain.md 1.1); the plan flown against the TLE orbit lands within minutes
    assert d["contact_utc"].startswith("2025-11-27T12:")


def test_landing_station_tle_warns_that_the_sets_are_stale():
    res = runner.invoke(app, ["landing", "--station-tle", TLES, "--date", "2025-12-07", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout[res.stdout.index("{"):])
    assert d["opportunities"] and "element set" in d["source"]   # "1 element set" or "N element sets"
    assert "days older than" in res.stderr and "km of along-track error (median; p95" in res.stderr


def test_run_station_tle(tmp_path):
    f = tmp_path / "quick.toml"
    f.write_text(quick(0, "quick-tle"))
    res = runner.invoke(app, ["run", str(f), "--station-tle", TLES, "--json", "--no-files"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout[res.stdout.index("{"):])
    assert d["contact_utc"] is not None
    assert any("station:" in n and "not used" in n for n in d["notes"])
    # and on stderr, as the other commands give the loader's warnings (an audit: only the notes had it)
    assert "warning: " in res.stderr and "not used" in res.stderr and "drag scale" not in res.stderr


def test_montecarlo_station_tle(tmp_path):
    sc = tmp_path / "quick.toml"
    sc.write_text(quick(0, "quick-tle"))
    res = runner.invoke(app, ["montecarlo", str(sc), "--runs", "2", "--seed", "1", "--station-tle", TLES,
                              "--out", str(tmp_path / "mc"), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "mc" / "summary.json").read_text())["runs"] == 2


def test_station_options_bad_input_is_one_line(tmp_path):
    both = runner.invoke(app, ["rendezvous", "--station-tle", TLES, "--station-oem", TLES])
    assert both.exit_code == 2 and "not both" in both.output
    none = runner.invoke(app, ["run", "--station-tle", str(tmp_path / "nope.tle"), "--no-files"])
    assert none.exit_code == 2 and "no such file" in none.output


def test_propagate_from_oem_fits_the_drag_before_start_by_default():
    """The CLI default for ``propagate --from-oem --model full``: drag fitted on the file's samples
    before --start (not NASA's DRAG_COEFF); compared with NASA's own prediction 24 h later."""
    import numpy as np

    from gyrfalcon.orbits.iss import iss_default_path, iss_ephemeris

    res = runner.invoke(app, ["propagate", "--from-oem", str(iss_default_path()), "--start", "2025-11-26T12:00Z",
                              "--duration", "24h", "--step", "600s", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout[res.stdout.index("{"):])
    assert d["utc"].startswith("2025-11-27T12:00:00")
    nasa = iss_ephemeris("GCRF").at("2025-11-27T12:00:00Z")
    err_km = np.linalg.norm(np.array(d["r_m"]) - nasa.r_m) / 1e3
    assert err_km < 3.0, err_km          # docs/validation.md: 24 h errors 0.05-5.5 km over 22 files
    assert "default" not in res.stderr
