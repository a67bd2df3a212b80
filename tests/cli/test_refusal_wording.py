"""Refusals that name what would work, in the same words across commands (re-audit of issue 14):
the scheme refusal of ``montecarlo`` completed as ``run`` completes it, ids case-insensitive,
a short station ephemeris naming the span it must cover, library wording that reaches CLI users.

References: the late-2025 record and launch-site catalogue (Baikonur 31/6 damaged at the Soyuz
MS-28 launch, 27 Nov 2025, until 3 Mar 2026); the scheme ranges of rendezvous/data/schemes.toml;
the station and vehicle catalogues for the valid ids.
"""
from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from gyrfalcon.cli.app import app
from tests.typer_apps import one_line_exit_2

runner = CliRunner()


def _scenario(launch: str, scheme: str = "two-orbit", extra: str = "", vehicle: str = "soyuz-ms",
              port: str = "rassvet-nadir") -> str:
    return (f'name = "wording"\nseed = 0\n'
            f'[vehicle]\nspacecraft = "{vehicle}"\nlauncher = "soyuz-2.1a"\nname = "Soyuz MS-28"\n'
            f'[launch]\npad = "baikonur-31"\ntime = "{launch}"\nsearch_days = 3\n'
            f'[rendezvous]\nscheme = "{scheme}"\n[docking]\nport = "{port}"\n'
            '[return]\nenabled = false\n[output]\nczml = false\nreport = false\n' + extra)


def test_montecarlo_completes_a_scheme_refusal_as_run_does(tmp_path):
    """Before: ``montecarlo`` said only "...ask for two-day or for 'auto'..." where ``run`` named
    the scenario key, the pad's part and the nearest launch that fits (one function now:
    gyrfalcon.refusals.complete_scheme_refusal). 26 Nov 2025 09:53:38.3: the station is 293 deg ahead
    (a two-day phase); two-orbit asked for."""
    f = tmp_path / "scheme.toml"
    f.write_text(_scenario("2025-11-26T09:53:38.3Z"))
    line = one_line_exit_2(runner.invoke(app, ["montecarlo", str(f), "--runs", "4", "--out", str(tmp_path / "mc")]),
                           "the reason is the phase", 'set rendezvous.scheme = "two-day"',
                           "pad baikonur-31 available (not a reason)")
    assert "ask for" not in line
    m = re.search(r"nearest launch that fits: (\S+) \(two-orbit, phase ([0-9.]+) deg\)", line)
    assert m is not None, line
    assert 10.0 <= float(m.group(2)) <= 18.0          # inside the two-orbit range it names
    assert not (tmp_path / "mc" / "COMPLETE").exists()


def test_ids_are_case_insensitive_and_an_unknown_vehicle_lists_the_valid_ones():
    """Before: ``windows --vehicle Progress-MS`` failed naming an internal data file, a scenario's
    ``vehicle.spacecraft = "Soyuz-MS"`` and ``docking.port = "Prichal-Nadir"`` were refused.
    Reference: the lower-case ids of the vehicle and station catalogues (progress-ms's own plane
    lead, 11 s shorter than soyuz-ms's, launch/data/schemes.toml)."""
    import json

    from gyrfalcon.launch.windows import plane_lead_s
    from gyrfalcon.mission.scenario import default_scenario_text, parse_scenario

    upper = runner.invoke(app, ["windows", "--vehicle", "Progress-MS", "--json"])
    lower = runner.invoke(app, ["windows", "--vehicle", "progress-ms", "--json"])
    assert upper.exit_code == 0 and lower.exit_code == 0, upper.output
    rows_u, rows_l = json.loads(upper.stdout), json.loads(lower.stdout)
    assert [r["launch_utc"] for r in rows_u] == [r["launch_utc"] for r in rows_l]
    assert rows_u[0]["plane_lead_s"] == round(plane_lead_s("soyuz-2.1a", "progress-ms"), 1) != \
        round(plane_lead_s("soyuz-2.1a", "soyuz-ms"), 1)
    line = one_line_exit_2(runner.invoke(app, ["windows", "--vehicle", "dragon"]), "soyuz-ms", "progress-ms")
    assert "schemes.toml" not in line and "data/" not in line
    sc = parse_scenario(default_scenario_text().replace('spacecraft = "soyuz-ms"', 'spacecraft = "Soyuz-MS"')
                        .replace('port = "rassvet-nadir"', 'port = "Prichal-Nadir"'), "<string>")
    assert (sc.vehicle.spacecraft, sc.docking.port) == ("soyuz-ms", "prichal-nadir")


def test_a_scenario_with_several_errors_names_each_one():
    """Before: "... allowed: 'soyuz-ms' or 'progress-ms' (and 1 more)" hid the other error."""
    import pytest

    from gyrfalcon.mission.scenario import ScenarioError, default_scenario_text, parse_scenario

    text = (default_scenario_text().replace('spacecraft = "soyuz-ms"', 'spacecraft = "dragon"')
            .replace('port = "rassvet-nadir"', 'port = "harmony"'))
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "<string>")
    msg = str(info.value)
    assert "vehicle.spacecraft" in msg and "docking.port" in msg and "more)" not in msg
    assert "'soyuz-ms' or 'progress-ms'" in msg and "harmony-forward" in msg


def test_rendezvous_echoes_the_canonical_port_id():
    res = runner.invoke(app, ["rendezvous", "--port", "RASSVET-Nadir", "--vehicle", "Soyuz-MS"])
    assert res.exit_code == 0, res.output
    assert "approach to rassvet-nadir from" in res.stdout and "RASSVET" not in res.stdout


def test_a_two_object_oem_in_a_scenario_is_refused_in_words_for_both_audiences(tmp_path):
    """Before: the library's "pass object_name= to choose one" reached a CLI user through a
    scenario's target.ephemeris."""
    import gzip
    from pathlib import Path

    day = Path(__file__).resolve().parents[1] / "data" / "iss_oem_fb1131d_day1_excerpt.txt.gz"
    text = gzip.decompress(day.read_bytes()).decode()
    head, data = text.split("META_STOP", 1)
    second = head[head.index("META_START"):].replace("OBJECT_NAME          = ISS", "OBJECT_NAME          = CYGNUS")
    two = tmp_path / "two.oem"
    two.write_text(text + "\n" + second + "META_STOP" + data)
    from gyrfalcon.io.oem import load_oem

    import pytest

    from gyrfalcon.errors import InputError

    with pytest.raises(InputError) as info:
        load_oem(two).ephemeris("GCRF")
    msg = str(info.value)
    assert "holds 2 objects (ISS, CYGNUS)" in msg and "give a file with one object" in msg
    assert "ephemeris(object_name=...)" in msg and "\n" not in msg


def test_the_out_of_plane_refusal_names_the_nearest_in_plane_time():
    """The refusal of a liftoff far from the plane keeps the command and adds when the pad is in
    the station's plane. Reference: `gyrfalcon windows` for that day (the pad in the plane at
    09:31:32.7 on 27 Nov 2025, packaged OEM), an independent search (osculating-plane crossing)."""
    from gyrfalcon.launch.windows import find_windows
    from gyrfalcon.orbits.iss import iss_ephemeris
    from gyrfalcon.time import parse_utc, seconds_between

    line = one_line_exit_2(runner.invoke(app, ["rendezvous", "--launch", "2025-11-27T15:00:00Z"]),
                           "out of the target plane", "`gyrfalcon windows`")
    m = re.search(r"in this plane \(ascending pass\) at (\S+),", line)
    assert m is not None, line
    (w,) = [w for w in find_windows(iss_ephemeris("GCRF"), "baikonur-31", "two-orbit", "2025-11-27", 1.0)]
    assert abs(float(seconds_between(w.inplane_utc, parse_utc(m.group(1))))) < 5.0


def test_no_scheme_fits_does_not_suggest_auto_and_other_rules_are_named():
    """``--scheme two-orbit`` 28 Nov 2025 09:05: the phase (106 deg) fits no scheme, so 'auto'
    would refuse it too; and a refusal breaking several station rules names each rule id."""
    from gyrfalcon.traffic.flight_rules import RuleBreach, WhatIfRequiredError, enforce

    import pytest

    line = one_line_exit_2(runner.invoke(app, ["rendezvous", "--launch", "2025-11-28T09:05:00Z", "--scheme", "two-orbit"]),
                           "no scheme fits this phase", "move the liftoff to a two-orbit window")
    assert "or for 'auto'" not in line and "ask for" not in line
    with pytest.raises(WhatIfRequiredError) as info:
        enforce([RuleBreach("pad-operational", "pad damaged"), RuleBreach("port-free", "taken"),
                 RuleBreach("lifeboat", "seats")], False)
    assert "(and 2 more: rules port-free, lifeboat)" in str(info.value)


def test_windows_scheme_auto_says_where_auto_is_taken():
    """Found by an audit: `windows --scheme auto` said only "unknown rendezvous scheme 'auto'"
    although rendezvous, scenarios and gyrfalcon.next_window take it."""
    one_line_exit_2(runner.invoke(app, ["windows", "--scheme", "auto"]), "--scheme auto", "two-orbit",
                    "first_feasible_after", "next_window")


def test_a_propagation_reaching_the_reentry_floor_says_what_works_on_the_command_line():
    """Before: "...; pass floor_m lower (or None) to continue", a Python argument the command line
    has no option for. A state 122 km up moving at 7814 m/s decays within the hour (j2 model, no
    drag needed: the perigee of that ellipse is under 100 km). The message names the floor time, and
    the --duration it suggests does run to the end."""
    state = '{"utc":"2025-11-27T12:00:00Z","frame":"GCRF","r_m":[6500137,0,0],"v_mps":[0,7814,0]}'
    line = one_line_exit_2(runner.invoke(app, ["propagate", "--from-state", state, "--duration", "3d",
                                               "--model", "j2"]),
                           "100 km reentry floor at 2025-11-27T12:", "--duration under")
    assert "floor_m" not in line
    hours = float(re.search(r"--duration under ([0-9.]+) h", line).group(1))
    ok = runner.invoke(app, ["propagate", "--from-state", state, "--duration", f"{hours - 0.01:.3f}h",
                             "--step", "10s", "--model", "j2"])
    assert ok.exit_code == 0, ok.output


def test_a_duration_without_a_unit_is_refused_not_read_as_seconds():
    """Found by a user audit: `--duration 24` flew 24 seconds (exit 0) where a user means hours;
    the tool's own message for a bad duration asks for a unit."""
    state = '{"utc":"2025-11-27T12:00:00Z","frame":"GCRF","r_m":[6778137,0,0],"v_mps":[0,7668,0]}'
    one_line_exit_2(runner.invoke(app, ["propagate", "--from-state", state, "--model", "j2", "--duration", "24"]),
                    "duration '24' has no unit", "24h")


def test_station_data_of_another_object_are_refused_as_the_iss(tmp_path):
    """Found by a user audit: a NASA OEM relabelled as the Hubble Space Telescope (OBJECT_ID
    1990-037-B in NASA's own style) was flown as the ISS with exit 0. NASA's ISS files say
    1998-067-A (tests/data excerpts); the ISS's catalogue number is 25544 (its element sets).
    `propagate` reads any object and still takes it."""
    import gzip

    src = (Path(__file__).resolve().parents[1] / "data" / "iss_oem_fb1131d_launch_2025-04-08_excerpt.txt.gz")
    text = gzip.decompress(src.read_bytes()).decode()
    assert "OBJECT_ID            = 1998-067-A" in text

    def windows_with(name: str, oid: str):
        """`windows` on the excerpt relabelled OBJECT_NAME = name, OBJECT_ID = oid; the file's path too."""
        f = tmp_path / f"{oid}.oem"
        f.write_text(text.replace("OBJECT_NAME          = ISS", f"OBJECT_NAME          = {name}")
                     .replace("1998-067-A", oid))
        return runner.invoke(app, ["windows", "--station-oem", str(f), "--from", "2025-04-08T03:00:00Z",
                                   "--days", "0.2"]), f

    res, hst = windows_with("HST", "1990-037-B")
    one_line_exit_2(res, "the ephemeris of HST (1990-037-B), not the ISS (1998-067A)")
    one_line_exit_2(runner.invoke(app, ["rendezvous", "--station-oem", str(hst), "--launch", "2025-04-08T05:47:15Z"]),
                    "not the ISS")
    ok = runner.invoke(app, ["propagate", "--from-oem", str(hst), "--model", "j2", "--duration", "10m"])
    assert ok.exit_code == 0, ok.output
    # a run's own chaser file (OBJECT_NAME = OBJECT_ID = the vehicle's name), the likeliest mix-up
    one_line_exit_2(windows_with("Soyuz MS-28", "Soyuz MS-28")[0], "the ephemeris of Soyuz MS-28 (SOYUZMS-28), not the ISS")
    # the ISS in the designator's short form, or with an ID that says nothing, still reads
    for oid in ("98067A", "UNKNOWN"):
        res = windows_with("ISS", oid)[0]
        assert "not the ISS" not in res.output, res.output
    lines = (Path(__file__).resolve().parents[1] / "data" / "iss_tles_ms28_series.txt").read_text().splitlines()
    other = tmp_path / "other.tle"
    other.write_text("\n".join(_renumbered(ln) for ln in lines) + "\n")
    one_line_exit_2(runner.invoke(app, ["windows", "--station-tle", str(other), "--from", "2025-11-26",
                                        "--days", "1"]),
                    "element sets of object 48274, not the ISS (25544)")


def test_an_iss_name_does_not_make_another_objects_designator_the_iss(tmp_path):
    """Found by a user audit: an OEM named ISS with OBJECT_ID 2021-035A (China's space station core
    module, catalogue number 48274) was flown as the ISS with exit 0, against docs/models.md; an OMM
    record of catalogue number 25544 with that OBJECT_ID too. A designator or catalogue number is
    refused whatever the name; an ID that is neither still lets the name decide."""
    import gzip
    import json

    text = gzip.decompress((Path(__file__).resolve().parents[1] / "data" / "iss_oem_fb1131d_launch_2025-04-08_excerpt.txt.gz").read_bytes()).decode()
    assert "OBJECT_NAME          = ISS" in text and "OBJECT_ID            = 1998-067-A" in text

    def windows_with(oid: str):
        f = tmp_path / "named_iss.oem"
        f.write_text(text.replace("1998-067-A", oid))
        return runner.invoke(app, ["windows", "--station-oem", str(f), "--from", "2025-04-08T03:00:00Z",
                                   "--days", "0.2"])

    for oid, what in (("2021-035A", "designator"), ("2021-035-A", "designator"), ("48274", "catalogue number")):
        one_line_exit_2(windows_with(oid), f"OBJECT_NAME = ISS but OBJECT_ID = {oid}, another object's {what}",
                        "the ISS's is 1998-067A, written 1998-067-A", "correct OBJECT_ID")
    res = windows_with("ISS-TRAJECTORY")
    assert res.exit_code == 0 and "not the ISS" not in res.output, res.output
    recs = json.loads((Path(__file__).resolve().parents[1] / "data" / "iss_omm_2024-11-12_reboost.json").read_text())
    recs[2]["OBJECT_ID"] = "2021-035A"
    omm = tmp_path / "omm.json"
    omm.write_text(json.dumps(recs))
    one_line_exit_2(runner.invoke(app, ["windows", "--station-tle", str(omm), "--from", "2024-11-15T12:00:00Z",
                                        "--days", "0.2"]),
                    "gives the ISS's catalogue number (25544) but another object's designator (2021-035A; the ISS's "
                    "is 1998-067A)")


def _renumbered(line: str) -> str:
    """A TLE line with catalogue number 48274 (China's space station core module), checksum redone."""
    from gyrfalcon.orbits.tle import tle_checksum

    if not line[:2] in ("1 ", "2 "):
        return line.replace("ISS (ZARYA)", "CSS (TIANHE)")
    body = line[:2] + "48274" + line[7:68]
    return body + str(tle_checksum(body))
