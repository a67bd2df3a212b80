"""What a command-line user sees of the OEM reader's audit fixes: a duplicate data line dropped is a
``warning:`` line on stderr (through the station loader), the same epoch with another state, a
non-finite covariance entry and a spacecraft figure in the wrong unit are one-line refusals (exit 2)."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from gyrfalcon.cli.app import app
from tests.io.test_oem import ROWS, small_oem
from tests.typer_apps import one_line_exit_2

runner = CliRunner()
PROPAGATE = ["propagate", "--duration", "10m", "--step", "60s", "--from-oem"]


def test_propagate_warns_of_a_duplicate_data_line_on_stderr(tmp_path):
    dup = tmp_path / "dup.oem"
    dup.write_text(small_oem(ROWS[:2] + [ROWS[1]] + ROWS[2:]))
    res = runner.invoke(app, [*PROPAGATE, str(dup), "--json"])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.stderr.splitlines() if "duplicate data line" in ln]
    assert len(lines) == 1 and lines[0].startswith("warning: ")
    assert "1 duplicate data line" in lines[0] and "line 15 (epoch 2025-11-24T12:04:00.000, a copy of line 14)" in lines[0]
    assert any("duplicate data line" in w for w in json.loads(res.stdout)["warnings"])
    # the simpler force models start from the file's state without the station loader: the same line
    res = runner.invoke(app, [*PROPAGATE, str(dup), "--model", "two-body"])
    assert res.exit_code == 0, res.output
    assert [ln for ln in res.stderr.splitlines() if "duplicate data line" in ln][0].startswith("warning: ")
    clean = tmp_path / "clean.oem"
    clean.write_text(small_oem())
    res = runner.invoke(app, [*PROPAGATE, str(clean)])
    assert res.exit_code == 0 and "duplicate" not in res.stderr


def test_station_warns_of_a_duplicate_data_line(tmp_path):
    dup = tmp_path / "dup.oem"
    dup.write_text(small_oem(ROWS + ROWS[3:]))
    res = runner.invoke(app, ["station", "--station-oem", str(dup), "--at", "2025-11-24T12:06:00Z"])
    assert res.exit_code == 0, res.output
    assert "warning: " in res.stderr and "1 duplicate data line" in res.stderr and "line 17" in res.stderr


def test_propagate_refuses_a_conflict_a_nan_covariance_and_a_wrong_unit_in_one_line(tmp_path):
    cases = {
        "conflict.oem": (small_oem(ROWS[:2] + [ROWS[1].replace("4288.909011330730", "4288.909011330731")] + ROWS[2:]),
                         ("line 15: epoch 2025-11-24T12:04:00.000 is already at line 14 with a different state",)),
        "cov.oem": (small_oem() + "COVARIANCE_START\nEPOCH = 2025-11-24T12:00:00\n1.0\n0.5 nan\n0 0 3\n0 0 0 1e-6\n"
                    "0 0 0 0 1e-6\n0 0 0 0 0 1e-6\nCOVARIANCE_STOP\n",
                    ("line 20: covariance entry CY_Y (row 2, column 2) is 'nan', not a finite number",)),
        "tonnes.oem": (small_oem().replace("META_STOP\n", "META_STOP\nCOMMENT MASS = 420 t\n"),
                       ("COMMENT MASS = 420 t: unit 't' is not accepted", "MASS is read in kg")),
    }
    for name, (text, needles) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        one_line_exit_2(runner.invoke(app, [*PROPAGATE, str(path)]), *needles)
