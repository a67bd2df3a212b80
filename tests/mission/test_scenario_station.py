"""A scenario's station data: `scenario check` reads them as `run` does (one loader, at the launch),
and the scenario saved with a run's outputs records the station actually flown.

References: NASA's ISS OEM of 2025-04-01 (excerpts in tests/data) and the ISS TLEs of Nov 2025
(tests/data/iss_tles_ms28_series.txt); the loader's refusals (gyrfalcon.orbits.station_source).
"""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gyrfalcon.cli.app import app

DATA = Path(__file__).resolve().parents[1] / "data"
runner = CliRunner()


def _scenario(launch: str, ephemeris: str, name: str = "t") -> str:
    return (f'name = "{name}"\n[launch]\npad = "baikonur-31"\ntime = "{launch}"\n[target]\nephemeris = "{ephemeris}"\n'
            '[rendezvous]\nscheme = "two-day"\n[return]\nenabled = false\n[output]\nczml = false\nreport = false\n')


def _check(path: Path):
    res = runner.invoke(app, ["scenario", "check", str(path)])
    return res.exit_code, " ".join(res.output.split())


def _tle_checksum(line: str) -> str:
    s = sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68])
    return line[:68] + str(s % 10)


def test_check_refuses_another_object_mixed_into_the_series(tmp_path):
    lines = (DATA / "iss_tles_ms28_series.txt").read_text().splitlines()
    # the 4th set relabelled as another object (CSS Tianhe, 48274), checksums made valid again
    lines[9] = "CSS (TIANHE)"
    lines[10] = _tle_checksum(lines[10].replace("25544U", "48274U"))
    lines[11] = _tle_checksum(lines[11].replace("2 25544", "2 48274"))
    (tmp_path / "mixed.txt").write_text("\n".join(lines) + "\n")
    (tmp_path / "s.toml").write_text(_scenario("2025-11-27T09:28:00Z", "mixed.txt"))
    code, out = _check(tmp_path / "s.toml")
    assert code == 2 and "target.ephemeris" in out and "48274" in out and "one object" in out
    # the same file given on the command line is refused under the option's name, by run and montecarlo
    sc = tmp_path / "plain.toml"
    sc.write_text(_scenario("2025-11-27T09:28:00Z", "embedded"))
    for cmd in (["run", str(sc), "--no-files"], ["montecarlo", str(sc), "--runs", "2", "--out", str(tmp_path / "mc")]):
        res = runner.invoke(app, cmd + ["--station-tle", str(tmp_path / "mixed.txt")])
        err = res.stderr.strip()
        assert res.exit_code == 2 and len(err.splitlines()) == 1, (cmd, res.output)
        assert err.startswith("error: --station-tle ") and "48274" in err and "target.ephemeris" not in err
    assert not (tmp_path / "mc").exists()


def test_check_refuses_sets_all_dated_after_the_launch(tmp_path):
    (tmp_path / "s.toml").write_text(_scenario("2025-11-10T12:00:00Z", str(DATA / "iss_tles_ms28_series.txt")))
    code, out = _check(tmp_path / "s.toml")
    assert code == 2 and "every element set is dated after 2025-11-10T12:00:00.000Z" in out


def test_a_damaged_gzip_named_by_a_scenario_is_one_line_not_a_traceback(tmp_path):
    """Found by an audit: a truncated .gz in target.ephemeris ended in an EOFError traceback."""
    raw = (DATA / "iss_oem_fb1131d_day1_excerpt.txt.gz").read_bytes()
    bad = tmp_path / "cut.txt.gz"
    bad.write_bytes(raw[: len(raw) // 3])
    (tmp_path / "s.toml").write_text(_scenario("2025-04-01T12:00:00Z", str(bad)))
    code, out = _check(tmp_path / "s.toml")
    assert code == 2 and "is not a readable gzip file" in out and "Traceback" not in out, out


def test_check_refuses_an_oem_too_sparse_to_interpolate(tmp_path):
    out, k = [], 0       # NASA's 4-min samples thinned to 32 min (8x)
    for ln in gzip.decompress((DATA / "iss_oem_fb1131d_day1_excerpt.txt.gz").read_bytes()).decode().splitlines():
        if ln[:5] == "2025-" and len(ln.split()) == 7:
            k += 1
            if (k - 1) % 8:
                continue
        out.append(ln)
    (tmp_path / "thin32.txt").write_text("\n".join(out) + "\n")
    (tmp_path / "s.toml").write_text(_scenario("2025-04-01T06:00:00Z", "thin32.txt"))
    code, text = _check(tmp_path / "s.toml")
    assert code == 2 and "a quarter of it" in text and "thin32.txt" in text
    # the dense file at the same launch is read, and the check goes on to the launch geometry, as
    # `run` does: 06:00 is far from the station's plane (the pad crosses it at 08:34 that day),
    # refused for that with the nearest launch that fits, not for the sampling
    gz = tmp_path / "dense.txt.gz"
    gz.write_bytes((DATA / "iss_oem_fb1131d_day1_excerpt.txt.gz").read_bytes())
    (tmp_path / "s.toml").write_text(_scenario("2025-04-01T06:00:00Z", "dense.txt.gz"))
    code, text = _check(tmp_path / "s.toml")
    assert code == 2 and "out of the target plane" in text and "a quarter of it" not in text, text


def _result(sc):
    from gyrfalcon.mission.result import MissionResult

    return MissionResult(scenario=sc, seed=sc.seed, launch_utc=None, insertion_utc=None, contact_utc=None,
                         landing_utc=None, total_dv_mps=None, scenario_source="<embedded soyuz-ms-28.toml>")


def test_saved_scenario_records_the_station_given_by_option(tmp_path):
    """`run --station-tle FILE --out`: the scenario text says "embedded"; the saved one names a copy
    of FILE beside it, and `scenario check` reads it back (as `run` would)."""
    from gyrfalcon.mission.runner import write_outputs
    from gyrfalcon.mission.scenario import load_scenario, parse_scenario

    tle = tmp_path / "elsewhere" / "iss.txt"
    tle.parent.mkdir()
    tle.write_bytes((DATA / "iss_tles_ms28_series.txt").read_bytes())
    text = _scenario("2025-11-27T09:28:00Z", "embedded", name="rec")
    sc = parse_scenario(text, "<embedded soyuz-ms-28.toml>", target_ephemeris=str(tle.resolve()))
    written = write_outputs(_result(sc), tmp_path / "out", text)
    assert written["scenario"] == "scenario.toml, target-ephemeris.txt"
    saved = (tmp_path / "out" / "scenario.toml").read_text()
    assert 'ephemeris = "target-ephemeris.txt"' in saved and "embedded" not in saved.split("[target]")[1]
    assert (tmp_path / "out" / "target-ephemeris.txt").read_bytes() == tle.read_bytes()
    back = load_scenario(tmp_path / "out" / "scenario.toml")
    assert back.target.ephemeris == "target-ephemeris.txt" and back.launch.time == sc.launch.time
    code, out = _check(tmp_path / "out" / "scenario.toml")
    assert code == 0 and "OK" in out, out


def test_saved_scenario_copies_a_relative_station_file(tmp_path):
    """A scenario naming its station file relative to itself: the copy is made from the right file
    (relative to the scenario, not to the working directory), gzip kept."""
    from gyrfalcon.mission.outdir import copy_station_files
    from gyrfalcon.mission.scenario import load_scenario

    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    gz = tmp_path / "in" / "iss.txt.gz"
    gz.write_bytes((DATA / "iss_oem_fb1131d_day1_excerpt.txt.gz").read_bytes())
    text = _scenario("2025-04-01T06:00:00Z", "iss.txt.gz").replace("[target]", "[target]  # the station")
    (tmp_path / "in" / "s.toml").write_text(text)
    sc = load_scenario(tmp_path / "in" / "s.toml")
    rec, names, origins = copy_station_files(sc, text, str(tmp_path / "in" / "s.toml"), tmp_path / "out")
    assert names == ("target-ephemeris.txt.gz",) and str(gz) in origins[0]
    assert (tmp_path / "out" / names[0]).read_bytes() == gz.read_bytes()
    assert rec == text.replace('ephemeris = "iss.txt.gz"', 'ephemeris = "target-ephemeris.txt.gz"')


@pytest.mark.parametrize("text, expect", [
    ('name = "a"\n', 'name = "a"\n\n[target]\nephemeris = "x.txt"\n'),
    ('[target]\nstation = "iss"\n\n[launch]\npad = "p"\n', '[target]\nstation = "iss"\nephemeris = "x.txt"\n\n[launch]\npad = "p"\n'),
    ('target = { station = "iss" }\n', None),                     # an inline table: left as it is
])
def test_set_table_key(text, expect):
    from gyrfalcon.mission.outdir import set_table_key

    assert set_table_key(text, "target", "ephemeris", "x.txt") == expect


def test_a_return_file_that_misses_the_landing_day_is_refused_before_the_flight(tmp_path):
    """Found by an audit: `scenario check` said OK and `run` failed only after flying the mission."""
    import shutil

    from gyrfalcon.mission.scenario import default_scenario_text

    shutil.copy(DATA / "iss_tles_ms28_series.txt", tmp_path / "iss.txt")      # sets of 17-29 Nov 2025
    text = default_scenario_text()
    head, tail = text.split("[return]", 1)
    tail = tail.replace('ephemeris = "embedded"', 'ephemeris = "iss.txt"', 1)
    (tmp_path / "s.toml").write_text(head + "[return]" + tail)                 # landing 26 Jul 2026
    code, out = _check(tmp_path / "s.toml")
    assert code == 2 and "return.ephemeris covers 2025-11-29" in out and "not 2026-07-26" in out, out


def test_a_scenario_saved_with_a_byte_order_mark_reads(tmp_path):
    """Found by an audit: a UTF-8 BOM (some Windows editors write one) gave 'not valid TOML (Invalid
    statement (at line 1, column 1))'."""
    from gyrfalcon.mission.scenario import load_scenario, parse_scenario, template_text

    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf" + template_text().encode("utf-8"))
    assert load_scenario(tmp_path / "bom.toml").name == "my-flight"
    assert parse_scenario("\ufeff" + template_text()).name == "my-flight"


def test_a_return_after_the_target_series_ends_uses_the_sets_before_the_landing_day():
    """Found by an audit: a flight whose station came from element sets (`run --station-tle`, or
    the web API's station_tle) and a landing on 5 Dec 2025 failed after the whole flight with "no
    embedded station ephemeris for 2025-12-05 (embedded: to 2025-12-09 ...)", self-contradictory
    and with a fix the API cannot take. The return now fits the same series on the sets dated
    before the landing day (never after: the June 2026 set of the file is left out), as
    `gyrfalcon landing --station-tle` does."""
    from gyrfalcon.mission.runner import return_ephemeris, station_ephemeris
    from gyrfalcon.mission.scenario import parse_scenario
    from gyrfalcon.time import parse_utc

    tles = Path(__file__).resolve().parents[1] / "data" / "iss_tles.csv"
    text = ('name = "t"\n[launch]\npad = "baikonur-31"\ntime = "2025-11-27T09:28:00Z"\n'
            f'[target]\nephemeris = "{tles}"\n[stay]\nland_on = "2025-12-05"\n')
    sc = parse_scenario(text, "x.toml")
    target = station_ephemeris(sc, "x.toml")
    assert not target.covers(parse_utc("2025-12-05T00:00:00Z"))      # the launch's fit: to 4 days after it
    ret = return_ephemeris(sc, "2025-12-05", target, "x.toml")
    assert ret.ephemeris.covers(parse_utc("2025-12-04T23:00:00Z")) and ret.ephemeris.covers(parse_utc("2025-12-06T23:00:00Z"))
    assert "iss_tles.csv" in ret.source and "2025-12-01T21:34:1" in ret.source     # the last set before the day
    assert any("dated after 2025-12-04T23:00:00Z not used" in n for n in ret.notes)


def test_a_return_the_embedded_2026_data_serve_still_uses_them_with_a_station_file(tmp_path):
    """Found by a review of the change above: with a station file as target (here NASA's 24 Nov
    2025 file, as `--station-oem` gives it), the default MS-28 return on 26 Jul 2026 was flown from
    that file propagated 228 days, and refused after the whole flight. The packaged excerpt of
    NASA's 1 Jul 2026 file serves that day, as it did before; the file serves only days nothing
    newer serves, and such a day is checked before the flight."""
    import gzip

    from gyrfalcon.errors import InputError
    from gyrfalcon.mission.runner import check_return_file_before_flight, return_ephemeris, station_ephemeris
    from gyrfalcon.mission.scenario import parse_scenario
    from gyrfalcon.orbits.iss import iss_default_path

    oem = tmp_path / "iss-2025-11-24.oem"
    oem.write_bytes(gzip.decompress(iss_default_path().read_bytes()))
    text = ('name = "t"\n[launch]\npad = "baikonur-31"\ntime = "2025-11-27T09:28:00Z"\n'
            f'[target]\nephemeris = "{oem}"\n[stay]\nland_on = "2026-07-26"\n')
    sc = parse_scenario(text, "x.toml")
    check_return_file_before_flight(sc, "x.toml")          # nothing to refuse
    ret = return_ephemeris(sc, "2026-07-26", station_ephemeris(sc, "x.toml"), "x.toml")
    assert ret.source.startswith("NASA OEM 2026-07-01 excerpt propagated")
    # 1 Mar 2026: neither the file (ends 9 Dec 2025: 82 days of propagation) nor the excerpt serve
    # it; refused before anything is flown, naming the file's limit
    late = parse_scenario(text.replace('land_on = "2026-07-26"', 'land_on = "2026-03-01"'), "x.toml")
    with pytest.raises(InputError, match=r"target.ephemeris, serving the return on 2026-03-01: .*days after its end"):
        check_return_file_before_flight(late, "x.toml")
