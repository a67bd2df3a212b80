"""The documentation builds offline with warnings as errors, and its tutorials run while it builds.

sphinx-build runs on a copy of docs/ (sphinx-gallery writes the executed tutorials beside their
sources) with -W: a broken docstring, a dangling reference or a tutorial that raises fails here.
"""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((ROOT / "docs" / "tutorials").glob("tut_*.py"))

if not os.environ.get("CI"):        # in CI (.ci/run) the docs dependencies come with .[test]: a missing one fails
    pytest.importorskip("sphinx_gallery", reason="docs dependencies: pip install -e '.[docs]'")


def _text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    src = tmp_path_factory.mktemp("docs") / "docs"
    shutil.copytree(ROOT / "docs", src, ignore=shutil.ignore_patterns("_build", "auto_tutorials"))
    out = src / "_build" / "html"
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(src), str(out)],
                         capture_output=True, text=True, env=env, timeout=900)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    assert "WARNING" not in run.stderr, run.stderr[-4000:]
    return out


def test_five_tutorials_are_there():
    names = [p.stem for p in TUTORIALS]
    assert len(names) == 5, names


def test_every_tutorial_ran_and_shows_its_output_and_figures(site):
    for tut in TUTORIALS:
        page = site / "auto_tutorials" / f"{tut.stem}.html"
        assert page.is_file(), tut.stem
        text = _text(page)
        assert "Out:" in text or "sphx-glr-script-out" in page.read_text(encoding="utf-8"), tut.stem
        imgs = list((site / "_images").glob(f"sphx_glr_{tut.stem}_0*.png"))
        assert imgs, f"{tut.stem} drew no figure"


def test_tutorial_outputs_carry_the_computed_answers(site):
    t1 = _text(site / "auto_tutorials" / "tut_1_ms28_end_to_end.html")
    dt = re.search(r"launch\s+model \S+\s+real \S+\s+model - real ([+-][0-9.]+) s", t1)
    assert dt and abs(float(dt.group(1))) < 10.0          # MS-28's liftoff predicted within seconds
    assert "braking" in t1 and "landing" in t1
    t3 = _text(site / "auto_tutorials" / "tut_3_pad_accident.html")
    assert re.search(r"Progress MS-33\s+baikonur-31\s+2025-12-21\S*\s+2026-03-19", t3)
    t4 = _text(site / "auto_tutorials" / "tut_4_monte_carlo.html")
    assert re.search(r"MonteCarloResult\(16 runs, captured \d+", t4)


def test_api_reference_is_built_from_the_docstrings(site):
    text = _text(site / "api.html")
    for name in ("plan_rendezvous", "next_window", "fly_approach", "plan_return", "run_mission", "GyrfalconError"):
        assert name in text
    assert "Liftoff -> insertion into the station" in text          # a docstring, rendered
    arch = _text(site / "architecture.html")
    assert "Where a new model goes" in arch
