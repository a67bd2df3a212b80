"""Inputs checked before heavy work (issue 16, class 2), user text as data (class 3), one CLI
vocabulary (issue 17 item 5): one line on stderr, exit code 2, nothing computed first."""
from __future__ import annotations

import gzip
import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gyrfalcon.cli import checks
from gyrfalcon.cli.app import app
from gyrfalcon.errors import InputError, TimeError
from gyrfalcon.time import iso_utc, parse_utc
from tests.typer_apps import one_line_exit_2

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data"


# --- dates -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["2025-700T00:00:00Z", "2025-000", "2025-366T00:00", "2025-11-27T09:00+99:99",
                                  "2025-11-27T09:00-24:00", "2025-11-27T09:00+05:60", "2025-02-29",
                                  "2025-04-31", "2025-11-27T24:00", "2025-11-27T10:00:60Z", "0000-01-01",
                                  "2025-13-01", "27/11/2025", ""])
def test_parse_utc_rejects_what_iso_8601_and_the_calendar_reject(text):
    with pytest.raises(TimeError):
        parse_utc(text)


@pytest.mark.parametrize("text, utc", [("2024-366T12:00Z", "2024-12-31T12:00:00.000Z"),
                                       ("2024-02-29", "2024-02-29T00:00:00.000Z"),
                                       ("2025-11-27T14:27:57+05:00", "2025-11-27T09:27:57.000Z"),
                                       ("2016-12-31T23:59:60Z", "2016-12-31T23:59:60.000Z")])
def test_parse_utc_still_accepts_valid_forms(text, utc):
    assert iso_utc(parse_utc(text)) == utc


def test_bad_dates_on_the_command_line():
    one_line_exit_2(runner.invoke(app, ["station", "--at", "2025-700T00:00"]), "day of year 001-365")
    one_line_exit_2(runner.invoke(app, ["traffic", "show", "--builtin", "--date", "2025-11-27T09:00+99:99"]))


def test_audited_inputs_are_one_line_refusals(tmp_path):
    """Found by an audit: each reached the user as warnings and a traceback, a misleading message, or
    was silently ignored."""
    # a state at the Earth's centre: numpy warnings, then "heyoka stopped at t = nan"
    one_line_exit_2(runner.invoke(app, ["propagate", "--from-state", json.dumps(
        {"utc": "2025-01-01T00:00Z", "frame": "GCRF", "r_m": [0, 0, 0], "v_mps": [0, 7500, 0]}), "--duration", "1h",
        "--model", "two-body"]), "inside the Earth", "metres")
    # a time where a landing day is asked for: its UTC day; --undock with --date, --zone with a target
    one_line_exit_2(runner.invoke(app, ["landing", "--undock", "2025-12-09T01:41Z", "--date", "2025-12-01"]),
                    "not both")
    one_line_exit_2(runner.invoke(app, ["landing", "--undock", "2025-12-09T01:41Z", "--zone", "arkalyk",
                                        "--target-lat", "47", "--target-lon", "69"]), "not both")
    # a --dispersions file without the table flew the defaults
    (tmp_path / "d.toml").write_text("x = 1\n")
    one_line_exit_2(runner.invoke(app, ["montecarlo", "--runs", "2", "--out", str(tmp_path / "mc"), "--dispersions",
                                        str(tmp_path / "d.toml")]), "no [dispersions] table")
    assert not (tmp_path / "mc").exists()
    # a Kurs fault after the approach's end was silently never applied
    res = runner.invoke(app, ["approach", "--fault", "kurs-dropout@99999+20"])
    assert res.exit_code == 0 and "it was never applied" in res.stderr, res.output
    # windows --days nan said "less than or equal to 366" (Typer's range check lets NaN through to it)
    for days in ("nan", "inf", "0", "400"):
        one_line_exit_2(runner.invoke(app, ["windows", "--days", days]), "--days", "from 0.001 to 366 days")
    # --station-tle naming an OEM, for a run
    one_line_exit_2(runner.invoke(app, ["run", "--no-files", "--station-tle",
                                        str(DATA / "iss_oem_fb1131d_day1_excerpt.txt.gz")]), "is an OEM", "--station-oem")


# --- paths -----------------------------------------------------------------------------------
def test_input_paths_folder_missing_and_corrupt_gzip(tmp_path):
    bad = tmp_path / "iss.oem.gz"
    bad.write_bytes(gzip.compress(b"CCSDS_OEM_VERS = 2.0\n" * 100)[:40])
    one_line_exit_2(runner.invoke(app, ["propagate", "--from-oem", str(tmp_path)]), "is a folder")
    one_line_exit_2(runner.invoke(app, ["propagate", "--from-oem", str(tmp_path / "nope.oem")]), "no such file")
    one_line_exit_2(runner.invoke(app, ["propagate", "--from-oem", str(bad)]), "not a readable gzip")
    one_line_exit_2(runner.invoke(app, ["run", str(tmp_path)]), "is a folder")
    one_line_exit_2(runner.invoke(app, ["windows", "--station-tle", str(tmp_path)]), "is a folder")
    # run and montecarlo said "no file" for a folder, where the other commands say this
    for args in (["run", "--no-files", "--station-oem", str(tmp_path)],
                 ["montecarlo", "--runs", "2", "--out", str(tmp_path / "mc"), "--station-oem", str(tmp_path)],
                 ["run", "--no-files", "--station-tle", str(tmp_path)]):
        opt = args[-2]
        one_line_exit_2(runner.invoke(app, args), f"{opt} {tmp_path} is a folder; give a file inside it")
    assert not (tmp_path / "mc").exists()
    # a text whose first line has a lone CR after a comma: a traceback of the CSV reader (exit 1)
    odd = tmp_path / "odd.txt"
    odd.write_bytes(b"a,b\rc\n")
    for args in (["propagate", "--from-oem", str(odd)], ["windows", "--station-tle", str(odd)]):
        one_line_exit_2(runner.invoke(app, args), "is neither a CCSDS OEM", "give one of those")


def test_output_folder_checked_before_the_flight(tmp_path):
    ro = tmp_path / "file"
    ro.write_text("x")
    one_line_exit_2(runner.invoke(app, ["run", "--out", str(ro / "sub")]), "is a file")
    one_line_exit_2(runner.invoke(app, ["montecarlo", "--runs", "2", "--out", str(ro)]), "existing file")


# --- sizes, numbers, addresses ------------------------------------------------------------------
def test_memory_estimate_refuses_with_the_limit_in_the_message(monkeypatch):
    import gyrfalcon.resources as resources

    monkeypatch.setattr(resources, "available_memory_bytes", lambda: 2 * 1024**3)
    state = json.dumps({"utc": "2025-11-24T12:00:00Z", "frame": "GCRF", "r_m": [6778137.0, 0, 0],
                        "v_mps": [0, 7668.6, 0]})
    err = one_line_exit_2(runner.invoke(app, ["propagate", "--from-state", state, "--duration", "3650d",
                                               "--step", "0.01s", "--model", "two-body"]), "limit 1.6 GiB")
    assert "2.0 GiB available" in err
    one_line_exit_2(runner.invoke(app, ["montecarlo", "--runs", "100000000"]), "--runs")


def test_available_memory_is_read_from_the_system():
    import gyrfalcon.resources as resources

    avail = resources.available_memory_bytes()
    assert avail is None or 1e6 < avail < 1e15


def test_seeds_and_counts():
    for args in (["approach", "--seed", "-1"], ["run", "--seed", "-1"], ["montecarlo", "--seed", "-1"],
                 ["montecarlo", "--runs", "0"], ["montecarlo", "--workers", "0"], ["rendezvous", "--seed", "-3"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 2 and "Traceback" not in res.output, args
    with pytest.raises(InputError, match="seed"):
        checks.check_seed(2**64)


def test_an_address_that_does_not_answer_is_refused_quickly():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                                          # nothing listens there now
    one_line_exit_2(runner.invoke(app, ["montecarlo", "--runs", "2", "--scheduler", f"tcp://127.0.0.1:{port}"]),
                     "cannot connect")
    one_line_exit_2(runner.invoke(app, ["traffic", "show", "--date", "2025-12-01", "--db",
                                         f"postgresql+psycopg://u@127.0.0.1:{port}/db"]), "cannot connect")


def test_propagate_from_tle_with_the_default_model(tmp_path):
    import csv

    row = next(r for r in csv.DictReader(open(DATA / "iss_tles.csv")) if r["checksums_ok"] == "True")
    tle = tmp_path / "iss.tle"
    tle.write_text(f"ISS (ZARYA)\n{row['tle_line1']}\n{row['tle_line2']}\n")
    full = runner.invoke(app, ["propagate", "--from-tle", str(tle), "--duration", "90m", "--json"])
    sgp4 = runner.invoke(app, ["propagate", "--from-tle", str(tle), "--duration", "90m", "--json", "--model", "sgp4"])
    assert full.exit_code == 0 and sgp4.exit_code == 0, full.output
    import numpy as np

    a, b = (np.array(json.loads(r.stdout)["r_m"]) for r in (full, sgp4))
    # independent reference: SGP4 from the same TLE; one orbit of the full model stays within a few km of it
    assert np.linalg.norm(a - b) < 5e3


# --- user text is data ----------------------------------------------------------------------------
def test_markup_like_names_are_stored_and_shown_as_they_are(tmp_path):
    db = str(tmp_path / "m.sqlite")
    assert runner.invoke(app, ["traffic", "init", "--db", db, "--empty"]).exit_code == 0
    for name, when in (("[/]", "2026-05-01T10:00Z"), ("[backup]", "2026-06-01T10:00Z")):
        res = runner.invoke(app, ["traffic", "add", "launch", when, name, "--pad", "baikonur-31", "--type",
                                  "soyuz-ms", "--db", db])
        assert res.exit_code == 0 and name in res.stdout, res.output
    res = runner.invoke(app, ["traffic", "events", "--db", db])
    assert res.exit_code == 0 and "[/]" in res.stdout and "[backup]" in res.stdout
    assert runner.invoke(app, ["traffic", "show", "--date", "2026-05-02", "--db", db]).exit_code == 0
    err = one_line_exit_2(runner.invoke(app, ["windows", "--pad", "[bold]x[/]"]))
    assert "[bold]x[/]" in err


def _all_commands():
    import typer.main

    root = typer.main.get_command(app)
    out = []

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, path + [name])
        else:
            out.append(path)

    walk(root, [])
    return out


def test_help_keeps_units_and_shows_no_bool_metavar():
    cmds = _all_commands()
    assert len(cmds) >= 15
    texts = {" ".join(c): runner.invoke(app, c + ["--help"]).stdout for c in cmds}
    for name, text in texts.items():
        assert "<bool>" not in text, name
    assert "[deg]" in texts["landing"] and "[m/s]" in texts["landing"]
    assert "[dispersions]" in texts["montecarlo"] and "[days]" in texts["traffic whatif"]


# --- one vocabulary ---------------------------------------------------------------------------------
def test_version():
    import gyrfalcon

    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout.strip() == f"gyrfalcon {gyrfalcon.__version__}"


def test_pad_and_vehicle_everywhere_old_names_hidden_aliases():
    help_w = runner.invoke(app, ["windows", "--help"]).stdout
    assert "--pad" in help_w and "--vehicle" in help_w and "--site" not in help_w and "--spacecraft" not in help_w
    assert "--pad" in runner.invoke(app, ["rendezvous", "--help"]).stdout
    new = runner.invoke(app, ["windows", "--pad", "baikonur-31", "--vehicle", "progress-ms", "--days", "2", "--json"])
    old = runner.invoke(app, ["windows", "--site", "baikonur-31", "--spacecraft", "progress-ms", "--days", "2", "--json"])
    assert new.exit_code == 0 and new.stdout == old.stdout
    one_line_exit_2(runner.invoke(app, ["windows", "--pad", "baikonur-31", "--site", "vostochny-1s"]), "old name")


def test_a_flight_whose_approach_is_not_captured_exits_3_with_the_reason(tmp_path):
    from tests.scenario_texts import quick

    f = tmp_path / "lost.toml"
    f.write_text(quick(0) + "[faults]\nkurs_dropout = [{ start_s = 300, duration_s = 1e6 }]\n")
    res = runner.invoke(app, ["run", str(f), "--out", str(tmp_path / "o"), "--json"])
    assert res.exit_code == 3, res.output
    assert "without capture" in res.stderr and "verdict aborted" in res.stderr
    d = json.loads(res.stdout)
    assert d["contact_utc"] is None
    assert (tmp_path / "o" / "COMPLETE").is_file()      # the outputs of a flown (if failed) flight are complete


@pytest.mark.parametrize("args", [["windows", "--bogus"], ["windows", "--days", "abc"], ["approach", "--seed", "-1"],
                                  ["no-such-command"]])
def test_usage_errors_of_the_installed_command_are_one_line(args):
    """The console-script entry point (not typer's test runner): click's usage errors become one
    'error:' line naming the option, with exit code 2 and no usage block."""
    import subprocess
    import sys
    from pathlib import Path

    src = str(Path(__file__).resolve().parents[2] / "src")
    res = subprocess.run([sys.executable, "-c", "from gyrfalcon.cli.app import main; main()", *args],
                         capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "PYTHONPATH": src})
    assert res.returncode == 2, res.stderr
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    assert "Usage:" not in res.stderr and res.stdout == ""


def test_audit_serve_refuses_a_db_that_is_not_a_manifest_before_listening(tmp_path):
    """Found by an audit: 'serve --db FILE' on a file that is not a database started, and every
    manifest request then failed with 503."""
    from typer.testing import CliRunner

    from gyrfalcon.cli.app import app

    bogus = tmp_path / "iss.oem"
    bogus.write_text("CCSDS_OEM_VERS = 2.0\n" * 200)
    res = CliRunner().invoke(app, ["serve", "--port", "18999", "--out", str(tmp_path), "--db", str(bogus),
                                   "--token-file", str(tmp_path / "tok")])
    assert res.exit_code == 2 and "not a manifest database" in res.stderr, res.output
    assert bogus.read_text().startswith("CCSDS_OEM_VERS")


def test_audit_a_closed_stdout_is_not_a_traceback_and_files_still_get_written(tmp_path):
    """Found by an audit: 'gyrfalcon station --json >&-' ended in a traceback (sys.stdout is None).
    With stdout closed what would be printed is discarded; a command that writes a file does so."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
           "GYRFALCON_DATA_DIR": str(tmp_path / "data")}
    cmd = f'"{sys.executable}" -m gyrfalcon.cli.app'
    out = subprocess.run(["bash", "-c", f"{cmd} station --json >&-"], capture_output=True, text=True, env=env,
                         timeout=300)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr[-2000:]
    db = tmp_path / "m.sqlite"
    out = subprocess.run(["bash", "-c", f'{cmd} traffic init --db "{db}" >&-'], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0 and db.stat().st_size > 0, out.stderr[-2000:]


def test_a_service_that_is_no_dask_scheduler_is_refused_not_waited_on(monkeypatch):
    """An audit: `--scheduler` at a web server (it accepts the connection, never speaks Dask) hung
    for ever. The address is now asked Dask's identity call, bounded in time (1 s here)."""
    import threading

    import gyrfalcon.scale.campaign as campaign

    monkeypatch.setattr(campaign, "SCHEDULER_PROBE_S", 1.0)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]
    held = []

    def accept_and_stay_silent():
        while True:
            try:
                held.append(srv.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept_and_stay_silent, daemon=True).start()
    try:
        one_line_exit_2(runner.invoke(app, ["montecarlo", "--runs", "2", "--scheduler", f"tcp://127.0.0.1:{port}"]),
                        "no Dask scheduler answered", "identity call within 1 s")
    finally:
        srv.close()
        for c in held:
            c.close()
