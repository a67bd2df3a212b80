"""Sweep of bad and edge inputs across every command, beyond the tests (issue 16).

Each case runs ``gyrfalcon ...`` in its own process (as a user would) and is classified:

* ``refused``: exit code 2 (or 1 for a system refusal) with a message, no traceback;
* ``accepted``: exit code 0 on a bad input (a failure of the sweep);
* ``traceback``: a Python traceback on stderr (a failure);
* ``damaged``: a file or folder the user had is changed or gone (a failure);
* ``usage error``: exit code 2 from the option parser (click: usage, hint and one ``Error:`` line);
* edge inputs (e.g. a pad id with a trailing space) may be accepted or refused, never a traceback;
* controls: valid commands that must exit 0 (or 3 for an approach that is not captured by design).

Usage: ``python bench/sweep_bad_inputs.py [--jobs 2] [--json results.json]``; prints the counts and
every failure. Needs nothing from the network; files are made in a temporary folder.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATE = json.dumps({"utc": "2025-11-24T12:00:00Z", "frame": "GCRF", "r_m": [6778137.0, 0, 0], "v_mps": [0, 7668.6, 0]})
sys.path.insert(0, str(ROOT))
from tests.scenario_texts import quick  # noqa: E402  (the tests' quick scenario: MS-28 liftoff, two-orbit, no return)

QUICK = quick()
GOOD = ROOT / "scenarios" / "soyuz-ms-28.toml"


def _tle_lines():
    row = next(r for r in csv.DictReader(open(ROOT / "tests" / "data" / "iss_tles.csv")) if r["checksums_ok"] == "True")
    return row["tle_line1"], row["tle_line2"]


def make_files(d: Path) -> dict:
    """Bad and good input files; returns {name: path}."""
    f = {}

    def w(name, text, mode="w"):
        p = d / name
        if mode == "wb":
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
        f[name] = str(p)
        return p

    l1, l2 = _tle_lines()
    w("quick.toml", QUICK)
    w("empty.txt", "")
    w("binary.bin", bytes(range(256)) * 64, "wb")
    w("latin1.toml", "name = \"caf\xe9\"\n".encode("latin-1"), "wb")
    w("corrupt.gz", gzip.compress(b"CCSDS_OEM_VERS = 2.0\n" * 200)[:50], "wb")
    w("notgzip.gz", b"plain text, not gzip\n", "wb")
    w("good.tle", f"ISS (ZARYA)\n{l1}\n{l2}\n")
    w("badsum.tle", f"{l1[:-1]}{(int(l1[-1]) + 1) % 10}\n{l2}\n")
    w("short.tle", f"{l1[:40]}\n{l2[:40]}\n")
    w("oneline.tle", f"{l1}\n")
    w("swapped.tle", f"{l2}\n{l1}\n")
    w("trunc.oem", "CCSDS_OEM_VERS = 2.0\nCREATION_DATE = 2025-11-24\nORIGINATOR = x\nMETA_START\nOBJECT_NAME = ISS\n")
    w("garbage.oem", "hello world\n" * 10)
    w("nodata.oem", "CCSDS_OEM_VERS = 2.0\nCREATION_DATE = 2025-11-24T00:00:00\nORIGINATOR = x\nMETA_START\n"
      "OBJECT_NAME = ISS\nOBJECT_ID = 1998-067A\nCENTER_NAME = EARTH\nREF_FRAME = EME2000\nTIME_SYSTEM = UTC\n"
      "START_TIME = 2025-11-24T00:00:00\nSTOP_TIME = 2025-11-25T00:00:00\nMETA_STOP\n")
    w("state_list.json", "[1, 2, 3]")
    w("state_nokeys.json", "{}")
    w("state_badframe.json", json.dumps({"utc": "2025-11-24T12:00:00Z", "frame": "XYZ", "r_m": [6778137.0, 0, 0],
                                         "v_mps": [0, 7668.6, 0]}))
    w("state_inside.json", json.dumps({"utc": "2025-11-24T12:00:00Z", "frame": "GCRF", "r_m": [1000.0, 0, 0],
                                       "v_mps": [0, 7668.6, 0]}))
    w("state_hyper.json", json.dumps({"utc": "2025-11-24T12:00:00Z", "frame": "GCRF", "r_m": [6778137.0, 0, 0],
                                      "v_mps": [0, 20000.0, 0]}))
    w("state_nan.json", '{"utc": "2025-11-24T12:00:00Z", "frame": "GCRF", "r_m": [NaN, 0, 0], "v_mps": [0, 7668.6, 0]}')
    w("state_short.json", json.dumps({"utc": "2025-11-24T12:00:00Z", "frame": "GCRF", "r_m": [6778137.0],
                                      "v_mps": [0, 7668.6, 0]}))
    w("state_baddate.json", json.dumps({"utc": "2025-700T00:00", "frame": "GCRF", "r_m": [6778137.0, 0, 0],
                                        "v_mps": [0, 7668.6, 0]}))
    w("state_strings.json", json.dumps({"utc": "2025-11-24T12:00:00Z", "frame": "GCRF", "r_m": ["a", "b", "c"],
                                        "v_mps": [0, 7668.6, 0]}))
    w("disp_bad.toml", "[dispersions.burns]\nmagnitude_sigma_fraction = -1\n")
    w("disp_unknown.toml", "[dispersions]\nwhatever = 1\n")
    w("disp_type.toml", "[dispersions.kurs]\nnoise_scale = \"loud\"\n")
    w("disp_syntax.toml", "[dispersions\n")
    w("notsqlite.sqlite", "this is not a database\n")
    # scenarios: one mistake each
    base = QUICK
    bad_scen = {
        "s_syntax": "name = \n",
        "s_unknown_key": base + "whatever = 1\n",
        "s_no_launch": 'name = "x"\n',
        "s_no_name": base.replace('name = "quick"\n', ""),
        "s_bad_name": base.replace('"quick"', '"../../etc"'),
        "s_empty_name": base.replace('"quick"', '""'),
        "s_long_name": base.replace('"quick"', '"' + "a" * 300 + '"'),
        "s_seed_neg": base.replace("seed = 0", "seed = -1"),
        "s_seed_str": base.replace("seed = 0", 'seed = "zero"'),
        "s_seed_float": base.replace("seed = 0", "seed = 1.5"),
        "s_pad": base.replace("baikonur-31", "baikonur-99"),
        "s_pad_markup": base.replace("baikonur-31", "[/]"),
        "s_time_doy": base.replace("2025-11-27T09:28:01Z", "2025-700T00:00:00Z"),
        "s_time_offset": base.replace("2025-11-27T09:28:01Z", "2025-11-27T09:28:01+99:99"),
        "s_time_feb30": base.replace("2025-11-27T09:28:01Z", "2025-02-30T09:28:01Z"),
        "s_time_hour25": base.replace("2025-11-27T09:28:01Z", "2025-11-27T25:28:01Z"),
        "s_time_words": base.replace("2025-11-27T09:28:01Z", "tomorrow"),
        "s_time_outside": base.replace("2025-11-27T09:28:01Z", "2030-01-01T00:00:00Z"),
        "s_time_type": base.replace('"2025-11-27T09:28:01Z"', "12345"),
        "s_both_times": base.replace('time = "2025-11-27T09:28:01Z"',
                                     'time = "2025-11-27T09:28:01Z"\nfirst_feasible_after = "2025-11-27"'),
        "s_scheme": base.replace("two-orbit", "one-orbit"),
        "s_port": base + "[docking]\nport = \"kitchen\"\n",
        "s_vehicle": base + "[vehicle]\nspacecraft = \"dragon\"\n",
        "s_crew_progress": base + "[vehicle]\nspacecraft = \"progress-ms\"\n[crew]\nnames = [\"a\"]\n",
        "s_zone": base.replace("enabled = false", "enabled = true\nzone = \"moon\"") + "[stay]\ndays = 10\n",
        "s_mode": base.replace("enabled = false", "enabled = true\nmode = \"sideways\"") + "[stay]\ndays = 10\n",
        "s_stay_both": base.replace("enabled = false", "enabled = true") + "[stay]\ndays = 10\nland_on = \"2025-12-07\"\n",
        "s_stay_none": base.replace("enabled = false", "enabled = true"),
        "s_land_before": base.replace("enabled = false", "enabled = true") + "[stay]\nland_on = \"2025-11-20\"\n",
        "s_land_badday": base.replace("enabled = false", "enabled = true") + "[stay]\nland_on = \"2025-13-45\"\n",
        "s_stay_neg": base.replace("enabled = false", "enabled = true") + "[stay]\ndays = -5\n",
        "s_oem_step_0": base.replace("report = false", "report = false\noem_step_s = 0"),
        "s_oem_step_huge": base.replace("report = false", "report = false\noem_step_s = 1e9"),
        "s_ephemeris_missing": base + "[target]\nephemeris = \"nope.oem\"\n",
        "s_search_days_neg": base.replace('time = "2025-11-27T09:28:01Z"',
                                          'first_feasible_after = "2025-11-27"\nsearch_days = -1'),
        "s_fault": base + "[faults]\ncountdown = [\"gremlins\"]\n",
        "s_dropout_neg": base + "[faults]\nkurs_dropout = [{ start_s = -5, duration_s = 10 }]\n",
        "s_table_as_value": base.replace('pad = "baikonur-31"', "pad = { a = 1 }"),
        "s_array_root": "[[launch]]\npad = \"baikonur-31\"\n",
        "s_dispersions_bad": base + "[dispersions.burns]\nmagnitude_sigma_fraction = -1\n",
    }
    for k, v in bad_scen.items():
        w(k + ".toml", v)
    (d / "folder").mkdir()
    f["folder"] = str(d / "folder")
    return f


def cases(f: dict, d: Path) -> list:
    """(name, args, kind, protect) with kind 'bad' or 'control'; protect: paths that must not change."""
    C = []

    def bad(name, *args, protect=()):
        C.append((name, [str(a) for a in args], "bad", tuple(protect)))

    def edge(name, *args):
        """An edge input a reasonable tool may accept (exit 0) or refuse (one line): never a traceback."""
        C.append((name, [str(a) for a in args], "edge", ()))

    def control(name, *args):
        C.append((name, [str(a) for a in args], "control", ()))

    def foreign(name):
        p = d / name
        p.mkdir(exist_ok=True)
        (p / "thesis.tex").write_text("years of work")
        return p

    def userfile(name, content="precious"):
        p = d / name
        p.write_text(content)
        return p

    # ---- run ----
    for k in [k for k in f if k.startswith("s_")]:
        bad(f"run {k[:-5]}", "run", f[k], "--out", d / "out" / k[:-5])
    for k in ("empty.txt", "binary.bin", "latin1.toml", "corrupt.gz", "folder"):
        bad(f"run scenario={k}", "run", f[k])
    bad("run missing scenario", "run", d / "nope.toml")
    bad("run seed -1", "run", f["quick.toml"], "--seed", "-1")
    bad("run seed 2^64", "run", f["quick.toml"], "--seed", str(2**64))
    bad("run seed text", "run", f["quick.toml"], "--seed", "abc")
    fr = foreign("run_foreign")
    bad("run --out foreign folder", "run", f["quick.toml"], "--out", fr, protect=[fr])
    uf = userfile("run_out_file")
    bad("run --out file", "run", f["quick.toml"], "--out", uf, protect=[uf])
    tgt = foreign("run_link_target")
    link = d / "run_link"
    link.symlink_to(tgt)
    bad("run --out symlink", "run", f["quick.toml"], "--out", link, protect=[tgt])
    bad("run --out under a file", "run", f["quick.toml"], "--out", uf / "sub", protect=[uf])
    bad("run unknown option", "run", "--bogus")
    bad("run two scenarios", "run", f["quick.toml"], f["quick.toml"])
    # ---- scenario ----
    uf2 = userfile("scen_exists.toml")
    bad("scenario init existing", "scenario", "init", uf2, protect=[uf2])
    bad("scenario init into folder", "scenario", "init", f["folder"])
    bad("scenario init missing dir", "scenario", "init", d / "nodir1" / "x.toml")
    for k in [k for k in f if k.startswith("s_")][:20]:
        bad(f"scenario check {k[:-5]}", "scenario", "check", f[k])
    bad("scenario check missing", "scenario", "check", d / "nope.toml")
    bad("scenario check folder", "scenario", "check", f["folder"])
    bad("scenario check binary", "scenario", "check", f["binary.bin"])
    bad("scenario check latin1", "scenario", "check", f["latin1.toml"])
    bad("scenario bogus sub", "scenario", "frobnicate")
    # ---- station ----
    for at in ("2025-700T00:00", "2025-11-27T09:00+99:99", "2030-01-01", "yesterday", "2025-02-30", "", "2025-11-27T24:00"):
        bad(f"station --at {at!r}", "station", "--at", at)
    for k in ("folder", "empty.txt", "corrupt.gz", "garbage.oem", "trunc.oem", "nodata.oem", "binary.bin"):
        bad(f"station --station-oem {k}", "station", "--station-oem", f[k])
    bad("station --station-oem missing", "station", "--station-oem", d / "nope.oem")
    # ---- propagate ----
    P = ["propagate", "--from-state", STATE, "--model", "two-body"]
    bad("propagate no source", "propagate")
    bad("propagate two sources", "propagate", "--from-state", STATE, "--from-tle", f["good.tle"])
    for dur in ("0", "-1h", "abc", "1e400", "inf", "nan", "3 weeks", "", "24x", "0s"):
        bad(f"propagate --duration {dur!r}", *P, "--duration", dur)
    for step in ("0", "-60s", "x", "0.0000001s", ""):
        bad(f"propagate --step {step!r}", *P, "--step", step)
    bad("propagate huge duration", *P, "--duration", "100000d")
    bad("propagate huge samples", *P, "--duration", "3650d", "--step", "0.001s")
    bad("propagate --model", *P[:3], "--model", "magic")
    bad("propagate sgp4 from state", *P[:3], "--model", "sgp4")
    bad("propagate full from state (no area)", *P[:3], "--model", "full")
    for k in ("state_list.json", "state_nokeys.json", "state_badframe.json", "state_inside.json", "state_hyper.json",
              "state_nan.json", "state_short.json", "state_baddate.json", "state_strings.json", "empty.txt", "binary.bin"):
        bad(f"propagate --from-state {k}", "propagate", "--from-state", f[k], "--model", "two-body", "--duration", "10m")
    for text in ("{", "[]", "null", "42", '{"utc": 1}'):
        bad(f"propagate --from-state {text!r}", "propagate", "--from-state", text, "--model", "two-body")
    for k in ("badsum.tle", "short.tle", "oneline.tle", "swapped.tle", "empty.txt", "binary.bin", "folder", "corrupt.gz"):
        bad(f"propagate --from-tle {k}", "propagate", "--from-tle", f[k], "--duration", "10m")
    bad("propagate --from-tle missing", "propagate", "--from-tle", d / "nope.tle")
    for k in ("corrupt.gz", "notgzip.gz", "garbage.oem", "trunc.oem", "nodata.oem", "folder", "empty.txt"):
        bad(f"propagate --from-oem {k}", "propagate", "--from-oem", f[k], "--duration", "10m")
    for start in ("2025-700", "2030-01-01", "nonsense"):
        bad(f"propagate --from-tle --start {start}", "propagate", "--from-tle", f["good.tle"], "--start", start)
    bad("propagate --start with state", *P, "--start", "2025-11-24T12:00:00Z")
    uoem = userfile("user.oem")
    bad("propagate --oem existing", *P, "--duration", "10m", "--oem", uoem, protect=[uoem])
    bad("propagate --oem folder", *P, "--duration", "10m", "--oem", f["folder"])
    bad("propagate --oem missing dir", *P, "--duration", "10m", "--oem", d / "nodir2" / "x.oem")
    lo = d / "oem_link"
    lo.symlink_to(uoem)
    bad("propagate --oem symlink", *P, "--duration", "10m", "--oem", lo, "--overwrite", protect=[uoem])
    bad("propagate --oem under file", *P, "--duration", "10m", "--oem", uoem / "x.oem", protect=[uoem])
    # ---- windows ----
    for pad in ("nowhere", "", "[/]"):
        bad(f"windows --pad {pad!r}", "windows", "--pad", pad)
    edge("windows --pad 'baikonur-31 ' (stripped)", "windows", "--pad", "baikonur-31 ", "--days", "2")
    bad("windows --site bad (old name)", "windows", "--site", "nowhere")
    bad("windows --pad and --site differ", "windows", "--pad", "baikonur-31", "--site", "vostochny-1s")
    for fr_ in ("2025-700", "2025-02-30", "soon", "2030-01-01", "2025-11-27T09:00+99:99"):
        bad(f"windows --from {fr_!r}", "windows", "--from", fr_)
    for days in ("0", "-1", "1e9", "abc", "nan"):
        bad(f"windows --days {days}", "windows", "--days", days)
    bad("windows --scheme", "windows", "--scheme", "zero-orbit")
    bad("windows --vehicle", "windows", "--vehicle", "dragon")
    bad("windows --spacecraft (old)", "windows", "--spacecraft", "dragon")
    bad("windows both stations", "windows", "--station-oem", f["garbage.oem"], "--station-tle", f["good.tle"])
    for k in ("folder", "badsum.tle", "empty.txt", "corrupt.gz", "binary.bin"):
        bad(f"windows --station-tle {k}", "windows", "--station-tle", f[k])
    bad("windows --station-oem garbage", "windows", "--station-oem", f["garbage.oem"])
    # ---- rendezvous ----
    for launch in ("2025-700T00:00", "2025-11-27T09:27:57+99:99", "2030-01-01", "noon", "2025-11-26T00:00:00Z"):
        bad(f"rendezvous --launch {launch!r}", "rendezvous", "--launch", launch)
    bad("rendezvous --scheme", "rendezvous", "--scheme", "warp")
    bad("rendezvous --pad", "rendezvous", "--pad", "nowhere")
    bad("rendezvous --port", "rendezvous", "--port", "kitchen")
    bad("rendezvous --vehicle", "rendezvous", "--vehicle", "dragon")
    bad("rendezvous --seed -1", "rendezvous", "--seed", "-1")
    bad("rendezvous --station-oem folder", "rendezvous", "--station-oem", f["folder"])
    bad("rendezvous --station-oem corrupt", "rendezvous", "--station-oem", f["corrupt.gz"])
    # ---- approach ----
    for fault in ("kurs-xx", "kurs-dropout@", "kurs-dropout@-5", "kurs-bias@600", "kurs-bias@600:range=abc",
                  "kurs-dropout@1e999", "", "[/]", "kurs-dropout@600+", "kurs-bias@600:warp=1"):
        bad(f"approach --fault {fault!r}", "approach", "--fault", fault)
    bad("approach --port", "approach", "--port", "kitchen")
    bad("approach --port markup", "approach", "--port", "[bold]x")
    bad("approach --seed -1", "approach", "--seed", "-1")
    bad("approach --seed 2^70", "approach", "--seed", str(2**70))
    # ---- landing ----
    for und in ("2025-700T00:00", "2025-12-09T01:41+99:99", "2030-01-01", "later", "2025-11-20T00:00Z"):
        bad(f"landing --undock {und!r}", "landing", "--undock", und)
    for date in ("2025-02-30", "2030-01-01", "soon"):
        bad(f"landing --date {date!r}", "landing", "--date", date)
    bad("landing nothing", "landing")
    bad("landing --vehicle", "landing", "--undock", "2025-12-09T01:41Z", "--vehicle", "dragon")
    bad("landing --mode", "landing", "--undock", "2025-12-09T01:41Z", "--mode", "sideways")
    bad("landing --zone", "landing", "--undock", "2025-12-09T01:41Z", "--zone", "moon")
    bad("landing lat only", "landing", "--undock", "2025-12-09T01:41Z", "--target-lat", "47")
    bad("landing lat 95", "landing", "--undock", "2025-12-09T01:41Z", "--target-lat", "95", "--target-lon", "60")
    bad("landing lon 400", "landing", "--undock", "2025-12-09T01:41Z", "--target-lat", "47", "--target-lon", "400")
    bad("landing lat nan", "landing", "--undock", "2025-12-09T01:41Z", "--target-lat", "nan", "--target-lon", "60")
    bad("landing --dv -5", "landing", "--undock", "2025-12-09T01:41Z", "--dv", "-5")
    bad("landing --dv 0", "landing", "--undock", "2025-12-09T01:41Z", "--dv", "0")
    bad("landing --dv 1e6", "landing", "--undock", "2025-12-09T01:41Z", "--dv", "1e6")
    bad("landing --port", "landing", "--undock", "2025-12-09T01:41Z", "--port", "kitchen")
    bad("landing --station-oem folder", "landing", "--undock", "2025-12-09T01:41Z", "--station-oem", f["folder"])
    # ---- traffic ----
    db = d / "m.sqlite"
    for date in ("2025-700", "2025-02-30", "today", "", "2025-12-01T00:00+99:99"):
        bad(f"traffic show --date {date!r}", "traffic", "show", "--builtin", "--date", date)
    bad("traffic show no db", "traffic", "show", "--date", "2025-12-01", "--db", d / "none.sqlite")
    bad("traffic show db folder", "traffic", "show", "--date", "2025-12-01", "--db", f["folder"])
    bad("traffic show db not sqlite", "traffic", "show", "--date", "2025-12-01", "--db", f["notsqlite.sqlite"],
        protect=[Path(f["notsqlite.sqlite"])])
    bad("traffic show db + builtin", "traffic", "show", "--date", "2025-12-01", "--db", db, "--builtin")
    bad("traffic show db unreachable", "traffic", "show", "--date", "2025-12-01", "--db",
        "postgresql+psycopg://u@127.0.0.1:9/db")
    bad("traffic show db url garbage", "traffic", "show", "--date", "2025-12-01", "--db", "nosuch://x")
    bad("traffic init db not sqlite", "traffic", "init", "--db", f["notsqlite.sqlite"],
        protect=[Path(f["notsqlite.sqlite"])])
    bad("traffic init db folder", "traffic", "init", "--db", f["folder"])
    edge("traffic init db in a new folder (created)", "traffic", "init", "--db", d / "newdir" / "m.sqlite")
    A = ["--db", db]
    bad("traffic add kind", "traffic", "add", "teleport", "2026-05-01T10:00Z", "X", *A)
    bad("traffic add time", "traffic", "add", "launch", "2026-700T10:00Z", "X", "--pad", "baikonur-31", *A)
    bad("traffic add offset", "traffic", "add", "launch", "2026-05-01T10:00+99:99", "X", "--pad", "baikonur-31", *A)
    bad("traffic add pad", "traffic", "add", "launch", "2026-05-01T10:00Z", "X", "--pad", "nowhere", *A)
    bad("traffic add port", "traffic", "add", "arrival", "2026-05-01T10:00Z", "X", "--port", "kitchen", *A)
    bad("traffic add type", "traffic", "add", "launch", "2026-05-01T10:00Z", "X", "--pad", "baikonur-31", "--type",
        "dragon", *A)
    bad("traffic add empty vehicle", "traffic", "add", "launch", "2026-05-01T10:00Z", "", "--pad", "baikonur-31", *A)
    bad("traffic move missing id", "traffic", "move", "99999", "--to", "2026-05-01T10:00Z", *A)
    bad("traffic move -1", "traffic", "move", "-1", "--to", "2026-05-01T10:00Z", *A)
    bad("traffic move bad time", "traffic", "move", "1", "--to", "2026-02-30", *A)
    bad("traffic move id text", "traffic", "move", "one", *A)
    bad("traffic remove missing id", "traffic", "remove", "99999", *A)
    bad("traffic remove id text", "traffic", "remove", "x", *A)
    ug = userfile("user.png")
    bad("traffic gantt existing", "traffic", "gantt", "--builtin", "--out", ug, protect=[ug])
    bad("traffic gantt folder", "traffic", "gantt", "--builtin", "--out", f["folder"])
    bad("traffic gantt missing dir", "traffic", "gantt", "--builtin", "--out", d / "nodir3" / "g.png")
    bad("traffic gantt suffix", "traffic", "gantt", "--builtin", "--out", d / "g.txt")
    bad("traffic gantt --from", "traffic", "gantt", "--builtin", "--out", d / "g1.png", "--from", "2025-700")
    gl = d / "gantt_link.png"
    gl.symlink_to(ug)
    bad("traffic gantt symlink", "traffic", "gantt", "--builtin", "--out", gl, "--overwrite", protect=[ug])
    for po in ("baikonur-31", "nowhere:2025-11-27..2026-03-03", "baikonur-31:2026-03-03..2025-11-27",
               "baikonur-31:2025-700..", "baikonur-31:..", "", "[/]:2025-11-27.."):
        bad(f"traffic whatif {po!r}", "traffic", "whatif", "--pad-outage", po)
    bad("traffic whatif turnaround -1", "traffic", "whatif", "--pad-outage", "baikonur-31:2025-11-27..2026-03-03",
        "--turnaround-days", "-1")
    bad("traffic whatif --gantt existing", "traffic", "whatif", "--pad-outage", "baikonur-31:2025-11-27..2026-03-03",
        "--gantt", ug, protect=[ug])
    bad("traffic check missing db", "traffic", "check", "--db", d / "none.sqlite")
    bad("traffic events db folder", "traffic", "events", "--db", f["folder"])
    # ---- montecarlo ----
    M = ["montecarlo", "--out", d / "mc"]
    for runs in ("0", "-1", "abc", "100000000000"):
        bad(f"montecarlo --runs {runs}", *M, "--runs", runs)
    for wk in ("0", "-2", "100000"):
        bad(f"montecarlo --workers {wk}", *M, "--runs", "2", "--workers", wk)
    bad("montecarlo --seed -1", *M, "--runs", "2", "--seed", "-1")
    bad("montecarlo --seed 2^64", *M, "--runs", "2", "--seed", str(2**64))
    bad("montecarlo --chunk 0", *M, "--runs", "2", "--chunk", "0")
    for k in ("disp_bad.toml", "disp_unknown.toml", "disp_type.toml", "disp_syntax.toml", "folder", "binary.bin"):
        bad(f"montecarlo --dispersions {k}", *M, "--runs", "2", "--dispersions", f[k])
    bad("montecarlo --dispersions missing", *M, "--runs", "2", "--dispersions", d / "none.toml")
    for sch in ("tcp://127.0.0.1:9", "nonsense", "tcp://", "tcp://10.255.255.1:8786", "tcp://127.0.0.1:99999"):
        bad(f"montecarlo --scheduler {sch!r}", *M, "--runs", "2", "--scheduler", sch)
    fm = foreign("mc_foreign")
    bad("montecarlo --out foreign", "montecarlo", "--runs", "2", "--out", fm, protect=[fm])
    um = userfile("mc_file")
    bad("montecarlo --out file", "montecarlo", "--runs", "2", "--out", um, protect=[um])
    ml = d / "mc_link"
    ml.symlink_to(fm)
    bad("montecarlo --out symlink", "montecarlo", "--runs", "2", "--out", ml, protect=[fm])
    for k in ("s_syntax", "s_time_doy", "s_pad", "s_dispersions_bad"):
        bad(f"montecarlo scenario {k}", *M, f[k + ".toml"], "--runs", "2")
    bad("montecarlo scenario folder", *M, f["folder"], "--runs", "2")
    bad("montecarlo scenario corrupt gz", *M, f["corrupt.gz"], "--runs", "2")
    # ---- serve (must refuse before listening) ----
    for port in ("0", "70000", "-1", "http"):
        bad(f"serve --port {port}", "serve", "--port", port)
    bad("serve --host unresolvable", "serve", "--host", "999.1.1.1")
    bad("serve --host not ours", "serve", "--host", "8.8.8.8")
    us = userfile("serve_out_file")
    bad("serve --out file", "serve", "--out", us, protect=[us])
    # ---- top level ----
    bad("unknown command", "fly-to-mars")
    bad("unknown option", "--frobnicate")

    # ---- valid controls ----
    control("--version", "--version")
    control("station", "station", "--json")
    control("scenario check", "scenario", "check", GOOD)
    control("traffic show builtin", "traffic", "show", "--builtin", "--date", "2025-12-01")
    control("propagate two-body", *P, "--duration", "1h", "--json")
    control("propagate --from-tle default model", "propagate", "--from-tle", f["good.tle"], "--duration", "1h")
    control("approach", "approach", "--json")
    control("windows", "windows", "--days", "2")
    control("landing opportunities", "landing", "--date", "2025-12-07", "--json")
    control("run quick", "run", f["quick.toml"], "--out", d / "quick-out", "--json")
    control("montecarlo 2 runs", "montecarlo", "--runs", "2", "--out", d / "mc-ok", "--json")
    control("traffic gantt", "traffic", "gantt", "--builtin", "--out", d / "ok.png")
    return C


def _snapshot(p: Path):
    if p.is_symlink():
        return ("link", os.readlink(p))
    if p.is_dir():
        return ("dir", {q.name: _snapshot(q) for q in sorted(p.iterdir())})
    if p.is_file():
        return ("file", p.read_bytes())
    return None


def run_case(case, env, timeout_s: float = 240.0):
    name, args, kind, protect = case
    before = [_snapshot(Path(p)) for p in protect]
    t0 = time.monotonic()
    try:
        p = subprocess.run([sys.executable, "-m", "gyrfalcon.cli.app", *args], capture_output=True, text=True,
                           timeout=timeout_s, env=env, cwd=env["SWEEP_CWD"])
        code, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as exc:
        code, out, err = "timeout", exc.stdout or "", exc.stderr or ""
        out = out.decode() if isinstance(out, bytes) else out
        err = err.decode() if isinstance(err, bytes) else err
    dt = time.monotonic() - t0
    after = [_snapshot(Path(p)) for p in protect]
    if "Traceback" in err or "Traceback" in out:
        verdict = "traceback"
    elif before != after:
        verdict = "damaged"
    elif kind == "control":
        verdict = "control ok" if code in (0, 3) else "control FAILED"
    elif kind == "edge":
        verdict = "edge ok" if code in (0, 1, 2) else f"edge exit {code}"
    elif code == 0 or code == "timeout":
        verdict = "accepted"
    elif code in (1, 2) and err.strip():
        lines = [ln for ln in err.strip().splitlines() if ln.strip()]
        verdict = "one line" if len(lines) == 1 else "usage error"
    else:
        verdict = f"exit {code}"
    return {"name": name, "args": args, "kind": kind, "exit": code, "verdict": verdict, "seconds": round(dt, 2),
            "stderr": err.strip()[-400:]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", help="write every case's result here")
    ap.add_argument("--only", help="run only cases whose name contains this text")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gyrfalcon-sweep-") as tmp:
        d = Path(tmp)
        files = make_files(d)
        cs = cases(files, d)
        if a.only:
            cs = [c for c in cs if a.only in c[0]]
        data = d / "data"
        data.mkdir()
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
               "GYRFALCON_DATA_DIR": str(data), "SWEEP_CWD": str(d), "COLUMNS": "120"}
        # the manifest database the traffic edits use (with the built-in manifest)
        subprocess.run([sys.executable, "-m", "gyrfalcon.cli.app", "traffic", "init", "--db", str(d / "m.sqlite")],
                       env=env, cwd=d, capture_output=True, check=True)
        t0 = time.monotonic()
        with ThreadPoolExecutor(max_workers=a.jobs) as ex:
            results = list(ex.map(lambda c: run_case(c, env), cs))
        wall = time.monotonic() - t0
    bad_n = sum(r["kind"] == "bad" for r in results)
    edge_n = sum(r["kind"] == "edge" for r in results)
    ctl_n = len(results) - bad_n - edge_n
    counts: dict = {}
    for r in results:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    print(f"{bad_n} bad inputs, {edge_n} edge inputs, {ctl_n} valid controls in {wall:.0f} s")
    for k in ("one line", "usage error", "accepted", "traceback", "damaged", "edge ok", "control ok", "control FAILED"):
        print(f"  {k:16s} {counts.pop(k, 0)}")
    for k, v in counts.items():
        print(f"  {k:16s} {v}")
    failures = [r for r in results if r["verdict"] in ("accepted", "traceback", "damaged", "control FAILED")
                or r["verdict"].startswith(("exit", "edge exit"))]
    for r in failures:
        print(f"FAIL {r['verdict']}: {r['name']}: exit {r['exit']}: {r['stderr'][-300:]}")
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
