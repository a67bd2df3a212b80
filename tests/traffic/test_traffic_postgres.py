"""The manifest store on PostgreSQL. Runs only when GYRFALCON_TEST_POSTGRES_URL names a
database that may be wiped (e.g. postgresql+psycopg://postgres@/manifest_test?host=/tmp/pg);
`.ci/postgres.sh` starts a throwaway server and prints it. Outside CI the tests skip without
it; with ``$CI`` set, a missing URL or an unreachable server FAILS them. Same checks as for SQLite: the seed state, a refused change
writes nothing, and two processes racing for one port: exactly one wins, nothing is lost."""
import multiprocessing as mp
import os
import sys
from pathlib import Path

import pytest

URL = os.environ.get("GYRFALCON_TEST_POSTGRES_URL")
IN_CI = bool(os.environ.get("CI"))
HERE = Path(__file__).parent
# every test here wipes the one database: under pytest-xdist the file runs in one worker
# (``--dist loadfile`` in the README's test command)


def _unavailable(reason: str):
    """Outside CI: skip. In CI (``$CI`` set) a missing or unreachable server is a FAILURE:
    ``.ci/postgres.sh`` must have started one and exported its URL."""
    if IN_CI:
        pytest.fail(f"CI is set but {reason}; run `eval \"$(.ci/postgres.sh)\"` before the tests", pytrace=False)
    pytest.skip(f"{reason} (set GYRFALCON_TEST_POSTGRES_URL, e.g. from .ci/postgres.sh, to run these)")


@pytest.fixture(scope="module")
def server():
    if not URL:
        _unavailable("GYRFALCON_TEST_POSTGRES_URL is not set")
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(URL)
        with engine.connect() as conn:
            version = conn.exec_driver_sql("SHOW server_version").scalar_one()
        engine.dispose()
    except Exception as exc:  # no driver, no server, bad URL
        _unavailable(f"the PostgreSQL server at GYRFALCON_TEST_POSTGRES_URL is unreachable ({type(exc).__name__}: {exc})")
    return version


@pytest.fixture()
def url(server):
    import sqlalchemy as sa

    from gyrfalcon.traffic.store import METADATA

    engine = sa.create_engine(URL)
    with engine.begin() as conn:
        METADATA.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()
    return URL


def test_builtin_and_refusal_on_postgres(url):
    from gyrfalcon.traffic.manifest import CorridorBlockedError
    from gyrfalcon.traffic.store import ManifestStore

    with ManifestStore(url) as s:
        s.load_builtin()
        assert s.occupancy_on("2025-12-01").occupied_count == 8  # seed 000 / 002
        hold = next(e for e in s.events() if e.kind == "hold")
        with pytest.raises(CorridorBlockedError):
            s.remove_event(hold.id)
        assert s.count() == 19
        # moving the hold after the MS-28 arrival (27 Nov 12:34:35) is refused too; within 24-27 Nov it is fine
        with pytest.raises(CorridorBlockedError):
            s.move_event(hold.id, "2025-11-28")
        assert s.move_event(hold.id, "2025-11-25").t_utc == "2025-11-25T00:00:00.000Z"
        assert s.manifest().where("Cygnus NG-23", "2025-11-24T12:00Z") == "unity-nadir"
        assert s.count() == 19


def test_two_writers_on_postgres(url):
    sys.path.insert(0, str(HERE))
    try:
        import traffic_workers

        ctx = mp.get_context("spawn")
        barrier, results = ctx.Barrier(2), ctx.Queue()
        out, _ = traffic_workers.run_processes(
            ctx, traffic_workers.add_pairs,
            [(url, port, vt, pre, 5, barrier, results) for port, vt, pre in (
                ("poisk-zenith", "progress-ms", "A"), ("harmony-forward", "cargo-dragon", "B"))], results, 60)
    finally:
        sys.path.remove(str(HERE))
    from gyrfalcon.traffic.store import ManifestStore

    assert sorted(r for _, _, r in out) == ["accepted", "refused: one-vehicle-per-port"]
    with ManifestStore(url) as s:
        ids = {e.id for e in s.events()}
        assert len(ids) == 2 * 2 * 5 + 1 and {i for _, acc, _ in out for i in acc} <= ids


def test_twenty_processes_moving_one_event_lose_no_update_on_postgres(url):
    from gyrfalcon.traffic.store import ManifestStore

    from .test_traffic_versions import assert_no_lost_update, race_moves

    ManifestStore(url).close()
    out, ev = race_moves(url)
    assert_no_lost_update(out, ev)


def test_ids_are_never_reused_on_postgres(url):
    from gyrfalcon.traffic.store import ManifestStore, StaleVersionError

    with ManifestStore(url) as s:
        a = s.add_event("arrival", "2030-01-01", "P1", port="poisk-zenith", vehicle_type="progress-ms")
        b = s.add_event("departure", "2030-01-02", "P1")
        s.remove_event(b.id, expect_version=1)
        c = s.add_event("departure", "2030-01-03", "P1")
        assert c.id > b.id > a.id
        with pytest.raises(StaleVersionError):
            s.move_event(c.id, "2030-01-04", expect_version=2)


def test_migrating_a_revision_0001_database_on_postgres(url):
    """0001 wrote explicit ids and left the identity sequence at 1; 0002 moves it past them."""
    from gyrfalcon.traffic.store import ManifestStore

    from .test_traffic_versions import write_revision_0001_database

    write_revision_0001_database(url)
    with ManifestStore(url) as s:
        (e,) = s.events()
        assert (e.id, e.version) == (7, 1)
        assert s.add_event("arrival", "2030-01-02", "P2", port="zvezda-aft", vehicle_type="progress-ms").id == 8
