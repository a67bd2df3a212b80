"""``gyrfalcon montecarlo`` checks the launch geometry as ``gyrfalcon run`` and ``rendezvous`` do
(audit): its nominal flight once flew a liftoff with the pad 3.6 deg out of the station's plane
(``auto`` scheme, MS-28 an hour late, as a what-if) and reported 20 of 20 captured, a flight no
Soyuz ascent can fly (at most 3 deg of steering, launch/insertion.py). It is now refused in one
line, with the nearest launch that fits, and nothing is written.

Reference: Soyuz MS-28 lifted off 27 Nov 2025 09:27:57.4 UTC (domain.md 1.1), the in-plane
two-orbit launch of that day."""
from __future__ import annotations

import re

from typer.testing import CliRunner

from gyrfalcon.cli.app import app
from gyrfalcon.mission.scenario import default_scenario_text
from gyrfalcon.time import parse_utc, seconds_between
from tests.typer_apps import one_line_exit_2

runner = CliRunner()


def test_a_campaign_an_hour_late_is_refused_out_of_the_plane(tmp_path):
    text = default_scenario_text()
    text = re.sub(r"(?m)^first_feasible_after = .*$", 'time = "2025-11-27T10:28:00Z"', text)
    text = re.sub(r'(?m)^scheme = "two-orbit"', 'scheme = "auto"', text)
    text = re.sub(r"(?m)^seed = 0$", "seed = 0\nwhat_if = true", text)
    f = tmp_path / "late.toml"
    f.write_text(text)
    out = tmp_path / "mc"
    line = one_line_exit_2(runner.invoke(app, ["montecarlo", str(f), "--runs", "4", "--out", str(out)]),
                           "out of the target plane")
    assert not out.exists()
    m = re.search(r"nearest launch that fits: (\S+) \(", line)
    assert m and abs(float(seconds_between(parse_utc("2025-11-27T09:27:57.4Z"), parse_utc(m.group(1))))) < 10.0, line
