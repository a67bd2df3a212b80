"""``gyrfalcon propagate --frame``: the output (OEM, final state, JSON) in GCRF, EME2000, TEME or
ITRF. Reference: Orekit 13.1.9's GCRF -> ITRF conversion of the first ISS OEM row of 25 Nov 2025
(tests/data/frames_check.csv, IERS 2010 with finals2000A EOP; a few cm apart from skyfield's EOP
interpolation, per that file's header)."""
from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from gyrfalcon.cli.app import app
from gyrfalcon.io.oem import load_oem
from tests.typer_apps import one_line_exit_2
from tests.test_frames import ROWS

runner = CliRunner()


def _iss_row():
    return next(r for r in ROWS if r["kind"] == "iss_oem")


def _state_json(row) -> str:
    return json.dumps({"utc": row["utc"] + "Z", "frame": "GCRF",
                       "r_m": [float(row[k]) for k in ("x_gcrf", "y_gcrf", "z_gcrf")],
                       "v_mps": [float(row[k]) for k in ("vx_gcrf", "vy_gcrf", "vz_gcrf")]})


def test_an_itrf_oem_starts_where_orekit_puts_the_state_in_itrf(tmp_path):
    row = _iss_row()
    out = tmp_path / "itrf.oem"
    res = runner.invoke(app, ["propagate", "--from-state", _state_json(row), "--model", "two-body",
                              "--duration", "10m", "--step", "60s", "--frame", "itrf", "--oem", str(out)])
    assert res.exit_code == 0, res.output
    assert "final state 2025-11-24T12:10:00.000Z ITRF" in " ".join(res.output.split())
    oem = load_oem(out)
    assert [seg.metadata["REF_FRAME"] for seg in oem.segments] == ["ITRF2014"]
    # the interpolation the file declares is the one its samples are made for (with the velocities)
    assert [seg.metadata["INTERPOLATION"] for seg in oem.segments] == ["HERMITE"]
    eph = oem.ephemeris("ITRF")
    first = eph.state_at_index(0)
    r_orekit = np.array([float(row[k]) for k in ("x_itrf", "y_itrf", "z_itrf")])
    v_orekit = np.array([float(row[k]) for k in ("vx_itrf", "vy_itrf", "vz_itrf")])
    assert np.linalg.norm(first.r_m - r_orekit) < 0.10          # m (EOP interpolation: a few cm)
    assert np.linalg.norm(first.v_mps - v_orekit) < 1e-4        # m/s, Earth-rotation term included
    # the Earth-fixed trajectory read back and turned to GCRF is the inertial one the command flew
    gcrf = runner.invoke(app, ["propagate", "--from-state", _state_json(row), "--model", "two-body",
                               "--duration", "10m", "--step", "60s", "--json"])
    end = json.loads(gcrf.output)
    assert end["frame"] == "GCRF"
    back = eph.state_at_index(len(eph) - 1).to("GCRF")
    assert np.linalg.norm(back.r_m - np.array(end["r_m"])) < 0.01


def test_the_json_names_the_frame_it_is_in_and_an_unknown_frame_is_one_line():
    row = _iss_row()
    res = runner.invoke(app, ["propagate", "--from-state", _state_json(row), "--model", "two-body",
                              "--duration", "1m", "--step", "60s", "--frame", "j2000", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["frame"] == "EME2000"
    one_line_exit_2(runner.invoke(app, ["propagate", "--from-state", _state_json(row), "--frame", "ECI"]),
                    "unknown --frame 'ECI'", "GCRF, EME2000, TEME, ITRF")


def test_a_model_without_drag_from_an_oem_flies_the_file_state_and_stays_near_nasa():
    """--from-oem with --model j2 starts from the file's state and propagates it here (a refactor
    of this command once returned nothing for it). Reference: NASA's own prediction in the file
    (tests/data excerpt of the 2025-04-01 ISS OEM, no burn) one hour later: J2 alone, without
    the higher harmonics and drag, stays within 2 km over one hour (0.39 km measured)."""
    src = "tests/data/iss_oem_fb1131d_day1_excerpt.txt.gz"
    res = runner.invoke(app, ["propagate", "--from-oem", src, "--start", "2025-03-31T18:00:00Z",
                              "--duration", "1h", "--model", "j2", "--frame", "EME2000", "--json"])
    assert res.exit_code == 0, res.output
    end = json.loads(res.stdout)     # stderr holds the reader's note: the excerpt ends 14 days before its STOP_TIME
    assert end["utc"].startswith("2025-03-31T19:00:00")
    nasa = load_oem(src).ephemeris("EME2000").at("2025-03-31T19:00:00Z")
    miss_m = np.linalg.norm(np.array(end["r_m"]) - nasa.r_m)
    assert 1.0 < miss_m < 2e3, miss_m        # J2 only (~0.4 km): not NASA's model, not another orbit


def test_a_propagated_oem_names_the_object_its_source_names(tmp_path):
    """Before: `propagate --oem` from the ISS wrote OBJECT_ID = UNKNOWN. Now the source's identity
    is carried: NASA's OEM says OBJECT_NAME ISS, OBJECT_ID 1998-067-A; a TLE's columns 10-17
    (98067A) are the COSPAR designator 1998-067A (the ISS's Zarya, launched 20 Nov 1998)."""
    oem_out = tmp_path / "from_oem.oem"
    res = runner.invoke(app, ["propagate", "--from-oem", "tests/data/iss_oem_fb1131d_day1_excerpt.txt.gz",
                              "--duration", "10m", "--model", "j2", "--oem", str(oem_out)])
    assert res.exit_code == 0, res.output
    seg = load_oem(oem_out).segments[0]
    assert (seg.object_name, seg.object_id) == ("ISS", "1998-067-A")
    tle = tmp_path / "iss.tle"
    tle.write_text("1 25544U 98067A   25328.54472231  .00014120  00000-0  26353-3 0  9998\n"
                   "2 25544  51.6316 232.5414 0003895 163.7073 196.4042 15.49046550540034\n")
    tle_out = tmp_path / "from_tle.oem"
    res = runner.invoke(app, ["propagate", "--from-tle", str(tle), "--model", "sgp4", "--duration", "10m",
                              "--oem", str(tle_out)])
    assert res.exit_code == 0, res.output
    assert load_oem(tle_out).segments[0].object_id == "1998-067A"
