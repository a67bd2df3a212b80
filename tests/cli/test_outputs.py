"""Outputs (issue 16, class 1): nothing the tool did not create is deleted, replaced or written into;
every output is atomic, COMPLETE last; killed runs leave nothing that looks complete."""
from __future__ import annotations

import errno
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from gyrfalcon.cli.app import app
from gyrfalcon.mission import outdir as od
from gyrfalcon.mission.runner import OutputsIncompleteError, write_outputs

runner = CliRunner()


def _result(report: bool = False, fail_json: Exception | None = None):
    """A stand-in MissionResult with what write_outputs reads (no flight: these tests are about files)."""
    def to_json_dict():
        if fail_json is not None:
            raise fail_json
        return {"events": [], "seed": 0}

    out = SimpleNamespace(oem=False, czml=False, report=report, oem_step_s=60.0)
    sc = SimpleNamespace(output=out, name="t", vehicle=SimpleNamespace(name="v"), seed=0)
    return SimpleNamespace(to_json_dict=to_json_dict, seed=0, launch_utc="2025-11-27T09:27:57Z", scenario=sc,
                           chaser=None, station=None)


def _listing(d: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


def test_a_foreign_folder_is_refused_and_left_untouched(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    with pytest.raises(od.OutputError, match="did not create"):
        write_outputs(_result(), out, "x")
    assert _listing(out) == {"thesis.tex": b"years of work"}
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]          # no temporary sibling left


def test_a_file_or_a_symlink_as_output_folder_is_refused(tmp_path):
    f = tmp_path / "file"
    f.write_text("keep")
    with pytest.raises(od.OutputError, match="existing file"):
        write_outputs(_result(), f, "x")
    assert f.read_text() == "keep"
    target = tmp_path / "real"
    target.mkdir()
    (target / "a").write_text("keep")
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(od.OutputError, match="symbolic link"):
        write_outputs(_result(), link, "x")
    assert _listing(target) == {"a": b"keep"}


def test_an_empty_folder_and_an_earlier_run_of_ours_are_replaced_complete(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    write_outputs(_result(), out, "first")
    assert (out / "COMPLETE").is_file() and (out / od.OWNER_FILE).is_file()
    assert "first" in (out / "scenario.toml").read_text()
    write_outputs(_result(), out, "second")
    assert "second" in (out / "scenario.toml").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_the_folder_replaced_keeps_its_permissions(tmp_path):
    """Left open by an audit: an empty folder made for the run (here group-writable and setgid,
    as for a shared project) came back with the umask's mode; so did a run folder of ours."""
    import stat

    out = tmp_path / "shared"
    out.mkdir()
    out.chmod(0o2770)
    write_outputs(_result(), out, "first")
    assert (out / "COMPLETE").is_file() and stat.S_IMODE(out.stat().st_mode) == 0o2770
    out.chmod(0o750)
    write_outputs(_result(), out, "second")
    assert "second" in (out / "scenario.toml").read_text() and stat.S_IMODE(out.stat().st_mode) == 0o750


def test_a_run_never_replaces_files_it_did_not_write_in_its_own_folder(tmp_path):
    """Found by an audit: a user's notes put into an earlier run's folder, a folder someone marked
    with a bare COMPLETE, and a Monte Carlo campaign's folder were all replaced whole (deleted) by
    the next `gyrfalcon run --out` into them."""
    out = tmp_path / "run"
    write_outputs(_result(), out, "first")
    assert (out / od.OWNER_FILE).read_text().splitlines() == [od.RUN_OWNER_TEXT, "scenario.toml", "timeline.json"]
    (out / "mynotes.txt").write_text("notes")
    (out / "myfolder").mkdir()
    before = _listing_all(out)
    with pytest.raises(od.OutputError, match=r"did not write \(myfolder, mynotes.txt\)"):
        write_outputs(_result(), out, "second")
    assert _listing_all(out) == before
    marked = tmp_path / "marked"
    marked.mkdir()
    (marked / "COMPLETE").write_text("")             # a user's own COMPLETE: not gyrfalcon's marker
    (marked / "data.csv").write_text("important")
    with pytest.raises(od.OutputError, match="did not create"):
        write_outputs(_result(), marked, "x")
    assert (marked / "data.csv").read_text() == "important" and (marked / "COMPLETE").read_text() == ""
    campaign = tmp_path / "mc"
    campaign.mkdir()
    (campaign / od.OWNER_FILE).write_text("gyrfalcon montecarlo output\n")
    (campaign / "runs.parquet").write_bytes(b"PAR1")
    res = runner.invoke(app, ["run", "--out", str(campaign)])
    assert res.exit_code == 2 and "campaign, not a run" in res.stderr, res.output
    assert (campaign / "runs.parquet").read_bytes() == b"PAR1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["marked", "mc", "run"]   # no sibling left


def _listing_all(d: Path) -> list:
    return sorted(str(p.relative_to(d)) for p in d.rglob("*"))


def test_a_failed_report_never_gets_the_completion_marker(tmp_path, monkeypatch):
    import gyrfalcon.mission.report as report

    def broken(result, path):
        Path(path).write_text("<html>half")
        raise ValueError("matplotlib fell over")

    monkeypatch.setattr(report, "write_report", broken)
    out = tmp_path / "run"
    with pytest.raises(OutputsIncompleteError, match="report.html: ValueError: matplotlib fell over") as exc:
        write_outputs(_result(report=True), out, "x")
    assert "FAILED" in exc.value.written["report"]
    assert out.is_dir() and not (out / "COMPLETE").exists() and not (out / "report.html").exists()
    assert (out / od.OWNER_FILE).is_file()            # ours: the next run may replace it
    write_outputs(_result(), out, "again")
    assert (out / "COMPLETE").is_file()


def test_a_full_disk_leaves_the_previous_run_as_it_was(tmp_path):
    out = tmp_path / "run"
    write_outputs(_result(), out, "good")
    before = _listing(out)
    with pytest.raises(OSError):
        write_outputs(_result(fail_json=OSError(errno.ENOSPC, "No space left on device")), out, "x")
    assert _listing(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_partial_folders_of_killed_runs_are_cleaned_but_not_foreign_ones(tmp_path):
    out = tmp_path / "run"
    dead = tmp_path / ".run.partial-abc123"          # a killed run's work folder: ours, nobody holds its lock
    dead.mkdir()
    (dead / od.OWNER_FILE).write_text("gyrfalcon output (pid 1)\n")   # as new_partial_folder writes it
    (dead / "timeline.json").write_text("{")
    foreign = tmp_path / ".run.partial-notours"      # same name pattern, no marker: not ours
    foreign.mkdir()
    (foreign / "data").write_text("keep")
    # killed between mkdtemp and writing its marker (the flaky kill -9 test hit this window): empty
    unmarked = tmp_path / ".run.partial-killed0"
    unmarked.mkdir()
    # ... or while it wrote the marker: the file opened, nothing in it yet (the kill test hit this
    # under a loaded machine: the folder was left beside the run)
    half = tmp_path / ".run.partial-killed1"
    half.mkdir()
    (half / od.OWNER_FILE).write_bytes(b"")
    write_outputs(_result(), out, "x")
    assert not dead.exists() and (foreign / "data").read_text() == "keep"
    assert not unmarked.exists() and not half.exists()


def test_a_run_moved_aside_by_a_killed_install_is_restored(tmp_path):
    out = tmp_path / "run"
    old = tmp_path / ".run.old-xyz"                  # killed between 'move the old run aside' and 'rename'
    old.mkdir()
    (old / "COMPLETE").write_text("gyrfalcon run complete\n")
    (old / "timeline.json").write_text("{}")
    assert od.clean_stale_siblings(out) == [] and (out / "timeline.json").read_text() == "{}"


def test_a_second_writer_of_the_same_folder_is_refused(tmp_path):
    out = tmp_path / "run"
    work, lock = od.new_partial_folder(out)          # a live run writing 'run' (this process holds the lock)
    try:
        with pytest.raises(od.OutputError, match="another gyrfalcon run is writing"):
            write_outputs(_result(), out, "x")
        assert work.is_dir()                         # a live writer's folder is never cleaned
    finally:
        lock.__exit__(None, None, None)
    write_outputs(_result(), out, "x")               # once it is gone, its leftovers are cleaned
    assert not work.exists() and (out / "COMPLETE").is_file()


def test_atomic_path_keeps_the_old_file_on_error(tmp_path):
    f = tmp_path / "a.oem.gz"
    f.write_text("old")
    with pytest.raises(RuntimeError):
        with od.atomic_path(f) as tmp:
            assert tmp.name.endswith(".oem.gz")      # suffixes kept: writers pick formats from them
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert f.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.oem.gz"]


def test_run_refuses_a_foreign_folder_before_flying(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    res = runner.invoke(app, ["run", "--out", str(out)])
    assert res.exit_code == 2 and "did not create" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert _listing(out) == {"notes.txt": b"mine"}


def test_file_outputs_need_overwrite(tmp_path):
    oem = tmp_path / "x.oem"
    oem.write_text("precious")
    state = json.dumps({"utc": "2025-11-24T12:00:00Z", "frame": "GCRF", "r_m": [6778137.0, 0, 0],
                        "v_mps": [0, 7668.6, 0]})
    args = ["propagate", "--from-state", state, "--model", "two-body", "--duration", "10m", "--oem", str(oem)]
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "--overwrite" in res.stderr and oem.read_text() == "precious"
    res = runner.invoke(app, args + ["--overwrite"])
    assert res.exit_code == 0, res.output
    assert "CCSDS_OEM_VERS" in oem.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.oem"]
    png = tmp_path / "g.png"
    png.write_bytes(b"precious")
    res = runner.invoke(app, ["traffic", "gantt", "--builtin", "--out", str(png)])
    assert res.exit_code == 2 and png.read_bytes() == b"precious"
    res = runner.invoke(app, ["propagate", "--from-state", state, "--model", "two-body", "--duration", "10m",
                              "--oem", str(tmp_path / "missing" / "x.oem")])
    assert res.exit_code == 2 and "does not exist" in res.stderr


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_folder_that_refuses_new_files_is_found_before_the_work():
    """Found by an audit: os.access said /proc was writable (as root), so `run --out /proc/foo` flew
    and then failed with exit 1; a probe file now finds it first."""
    res = runner.invoke(app, ["run", "--out", "/proc/gyrfalcon-out", "--no-return"])
    assert res.exit_code == 2 and "/proc is not writable" in res.stderr, res.output
    with pytest.raises(od.OutputError, match="not writable"):
        od.check_output_file("/proc/gyrfalcon-x.oem")


def test_audit_an_output_is_never_the_input_or_an_empty_name(tmp_path):
    """Found by an audit: 'propagate --oem' over its own --from-oem input (with --overwrite) replaced
    the input with the output; an empty --oem was silently ignored."""
    import gzip

    from typer.testing import CliRunner

    from gyrfalcon.cli.app import app
    from gyrfalcon.orbits.iss import iss_default_path

    oem = tmp_path / "iss.oem"
    oem.write_bytes(gzip.decompress(iss_default_path().read_bytes()))
    before = oem.read_bytes()
    base = ["propagate", "--from-oem", str(oem), "--model", "two-body", "--duration", "1h"]
    for extra, words in ((["--oem", str(oem), "--overwrite"], "the file this command reads"),
                         (["--oem", ""], "--oem is empty")):
        res = CliRunner().invoke(app, base + extra)
        assert res.exit_code == 2 and words in res.stderr and "\n" not in res.stderr.strip(), res.output
    assert oem.read_bytes() == before


def test_an_empty_out_or_a_mount_point_is_refused_before_flying(tmp_path, monkeypatch):
    """Found by an audit: `--out ""` was read as "." (refused with another reason), and a mount point
    (Docker's `-v host:/out`) was flown into, then could not be replaced and every output was
    thrown away (exit 1). Both are refused before the flight now, in one line with exit 2."""
    import os

    res = runner.invoke(app, ["run", "--out", "", "--no-return"])
    assert res.exit_code == 2 and "--out is empty" in res.output, res.output
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    real_ismount = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == mnt or real_ismount(p))
    with pytest.raises(od.OutputError, match="is a mount point; a run replaces its whole folder"):
        od.check_output_folder(mnt, kind="run")
    res = runner.invoke(app, ["run", "--out", str(mnt), "--no-return"])
    assert res.exit_code == 2 and "mount point" in res.output and str(mnt / "run") in res.output, res.output
    assert list(mnt.iterdir()) == []
