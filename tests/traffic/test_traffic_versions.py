"""Event ids are never reused, edits name the version they expect, and 20 processes each
re-reading and moving one event lose no update (SQLite here; the same checks on PostgreSQL are
in test_traffic_postgres.py). Concurrent `traffic init` loads the built-in manifest once.

Conservation checks: 20 processes x 10 moves of +60 s each must leave the event exactly
200 x 60 s later at version 201 (a lost update would leave it earlier, or with fewer versions);
before versions existed the same race lost 190 of 200 moves.
"""
import multiprocessing as mp
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gyrfalcon.traffic.store import ManifestStore, StaleVersionError

HERE = Path(__file__).parent
N_PROCS, N_MOVES, STEP_S = 20, 10, 60.0
T0 = "2030-01-01T00:00:00.000Z"


def race_moves(db: str) -> tuple[list, object]:
    """Record one event, let N_PROCS processes move it N_MOVES times each; return their reports
    and the event afterwards."""
    with ManifestStore(db) as s:
        eid = s.add_event("arrival", T0, "Progress Racer", port="poisk-zenith", vehicle_type="progress-ms").id
    # fork where there is one (no engine is open here now); 20 spawned interpreters are slow
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    barrier, results = ctx.Barrier(N_PROCS), ctx.Queue()
    sys.path.insert(0, str(HERE))
    try:
        import traffic_workers

        out, _ = traffic_workers.run_processes(
            ctx, traffic_workers.move_forward, [(db, eid, N_MOVES, STEP_S, barrier, results)] * N_PROCS, results, 300)
    finally:
        sys.path.remove(str(HERE))
    with ManifestStore(db) as s:
        return out, s.event(eid)


def assert_no_lost_update(out, ev) -> None:
    from gyrfalcon.time import parse_utc, seconds_between

    assert all(isinstance(r, tuple) for r in out), out
    assert sum(done for done, _ in out) == N_PROCS * N_MOVES
    assert ev.version == 1 + N_PROCS * N_MOVES
    moved_s = float(seconds_between(parse_utc(T0), parse_utc(ev.t_utc)))
    assert moved_s == pytest.approx(N_PROCS * N_MOVES * STEP_S, abs=1e-3)
    assert sum(stale for _, stale in out) > 0, "the processes never raced (no stale version seen)"


def test_twenty_processes_moving_one_event_lose_no_update(tmp_path):
    db = str(tmp_path / "race.sqlite")
    ManifestStore(db).close()
    out, ev = race_moves(db)
    assert_no_lost_update(out, ev)
    with ManifestStore(db) as s:
        assert s.integrity_check() == "ok"


def test_ids_are_never_reused(tmp_path):
    db = tmp_path / "m.sqlite"
    with ManifestStore(db) as s:
        a = s.add_event("arrival", "2030-01-01", "P1", port="poisk-zenith", vehicle_type="progress-ms")
        b = s.add_event("departure", "2030-01-02", "P1")
        assert (a.id, b.id, a.version, b.version) == (1, 2, 1, 1)
        s.remove_event(b.id)
    with ManifestStore(db) as s:  # also across processes/reopen: the high-water mark is in the file
        c = s.add_event("departure", "2030-01-03", "P1")
        assert c.id == 3
        s.remove_event(c.id)
        s.remove_event(a.id)
        assert s.count() == 0
        # a refused change does not consume an id on SQLite either (rolled back with it)
        with pytest.raises(Exception):
            s.add_events([__import__("gyrfalcon.traffic.manifest", fromlist=["make_event"]).make_event(
                "departure", "2030-01-04", "P1")])
        d = s.add_event("arrival", "2030-02-01", "P2", port="zvezda-aft", vehicle_type="progress-ms")
        assert d.id == 4


def test_a_stale_version_is_refused_and_writes_nothing(tmp_path):
    db = tmp_path / "m.sqlite"
    with ManifestStore(db) as s:
        e = s.add_event("arrival", "2030-01-01", "P1", port="poisk-zenith", vehicle_type="progress-ms")
        d = s.add_event("departure", "2030-01-05", "P1")
        moved = s.move_event(e.id, "2030-01-02", expect_version=1)
        assert moved.version == 2 and s.event(e.id).version == 2
        with pytest.raises(StaleVersionError, match="version 2, not the expected 1") as info:
            s.move_event(e.id, "2030-01-03", expect_version=1)
        assert (info.value.expected, info.value.actual) == (1, 2)
        with pytest.raises(StaleVersionError):
            s.remove_event(d.id, expect_version=3)
        assert s.event(e.id).t_utc == "2030-01-02T00:00:00.000Z" and s.count() == 2
        s.remove_event(d.id, expect_version=1)
        s.move_event(e.id, "2030-01-04")          # without a version: applies to what is stored
        assert s.event(e.id).version == 3


def test_cli_expect_version(app, db):
    from typer.testing import CliRunner

    runner = CliRunner()
    hold = next(e for e in ManifestStore(db).events() if e.kind == "hold")
    res = runner.invoke(app, ["traffic", "move", str(hold.id), "--to", "2025-11-25", "--expect-version", "1", "--db", db])
    assert res.exit_code == 0 and "now version 2" in res.stdout, res.output
    res = runner.invoke(app, ["traffic", "move", str(hold.id), "--to", "2025-11-26", "--expect-version", "1", "--db", db])
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert err.startswith("error:") and "\n" not in err and "--expect-version 2" in err
    assert ManifestStore(db).event(hold.id).t_utc == "2025-11-25T00:00:00.000Z"
    res = runner.invoke(app, ["traffic", "remove", str(hold.id), "--expect-version", "1", "--db", db])
    assert res.exit_code == 2 and "version 2" in res.stderr
    res = runner.invoke(app, ["traffic", "events", "--db", db])
    assert "version" in res.stdout


def write_revision_0001_database(url: str) -> None:
    """A manifest database at ``url`` as the 0001 schema wrote it: one arrival with the explicit id 7."""
    import sqlalchemy as sa
    from alembic import command

    from gyrfalcon.traffic.store import _alembic_config

    cfg = _alembic_config()
    eng = sa.create_engine(url)
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.exec_driver_sql("INSERT INTO manifest_meta VALUES ('station', 'iss')")
        conn.exec_driver_sql("INSERT INTO vehicles VALUES ('P1', 'progress-ms', '')")
        conn.exec_driver_sql("INSERT INTO events (id, t_utc, kind, vehicle, port, pad, crew, notes, recorded_utc) "
                             "VALUES (7, '2030-01-01T00:00:00.000Z', 'arrival', 'P1', 'poisk-zenith', NULL, '[]', '', "
                             "'2026-01-01T00:00:00.000Z')")
    eng.dispose()


def test_migrating_a_revision_0001_database_keeps_ids_and_never_reuses_them(tmp_path):
    """A file written by the 0001 schema (explicit ids, no AUTOINCREMENT) is upgraded in place:
    events kept with version 1, and new ids continue above the highest stored one."""
    db = tmp_path / "old.sqlite"
    write_revision_0001_database(f"sqlite:///{db}")
    with ManifestStore(db) as s:
        (e,) = s.events()
        assert (e.id, e.version) == (7, 1)
        s.remove_event(7)
        assert s.add_event("arrival", "2030-01-02", "P2", port="zvezda-aft", vehicle_type="progress-ms").id == 8
    con = sqlite3.connect(db)
    try:
        sql = con.execute("SELECT sql FROM sqlite_master WHERE name='events'").fetchone()[0]
        assert "AUTOINCREMENT" in sql.upper()
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0002"
    finally:
        con.close()


def test_concurrent_traffic_init_loads_the_builtin_manifest_once(tmp_path):
    """Four `gyrfalcon traffic init` processes on one new file at once: one loads the 19
    built-in events, the others refuse in one line (exit 2) and nothing is doubled."""
    db = str(tmp_path / "new.sqlite")
    code = "from gyrfalcon.cli.app import main; main()"
    procs = [subprocess.Popen([sys.executable, "-c", code, "traffic", "init", "--db", db],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    codes = sorted(rc for rc, _, _ in outs)
    assert codes == [0, 2, 2, 2], outs
    for rc, out, err in outs:
        if rc == 2:
            assert "already holds 19 events" in err and len(err.strip().splitlines()) == 1
        else:
            assert "loaded 19 events" in out
    with ManifestStore(db) as s:
        assert s.count() == 19 and s.integrity_check() == "ok"
        s.manifest()


def test_show_on_a_fresh_machine_initialises_the_default_store(tmp_path):
    """No --db, no database yet: `traffic show` creates the default one with the built-in
    manifest (saying so on stderr) and shows 1 Dec 2025 with all eight ports occupied."""
    import json
    import os

    env = {**os.environ, "GYRFALCON_DATA_DIR": str(tmp_path / "data")}
    code = "from gyrfalcon.cli.app import main; main()"
    r = subprocess.run([sys.executable, "-c", code, "traffic", "show", "--date", "2025-12-01", "--json"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["occupied_count"] == 8
    assert "created the default manifest database" in r.stderr
    assert (tmp_path / "data" / "manifest.sqlite").is_file()
    r = subprocess.run([sys.executable, "-c", code, "traffic", "show", "--date", "2025-12-01"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0 and r.stderr == ""       # second time: nothing to create
