"""The manifest store on PostgreSQL. Runs only when GYRFALCON_TEST_POSTGRES_URL names a
database that may be wiped (e.g. postgresql+psycopg://postgres@/manifest_test?host=/tmp/pg);
the PostgreSQL CI job sets it. Same checks as for SQLite: the seed state, a refused change
writes nothing, and two processes racing for one port: exactly one wins, nothing is lost."""
import multiprocessing as mp
import os
import sys
from pathlib import Path

import pytest

URL = os.environ.get("GYRFALCON_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not URL, reason="set GYRFALCON_TEST_POSTGRES_URL to run the PostgreSQL tests")
HERE = Path(__file__).parent


@pytest.fixture()
def url():
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


def test_two_writers_on_postgres(url):
    sys.path.insert(0, str(HERE))
    try:
        import traffic_workers

        ctx = mp.get_context("spawn")
        barrier, results = ctx.Barrier(2), ctx.Queue()
        procs = [ctx.Process(target=traffic_workers.add_pairs, args=(url, port, vt, pre, 5, barrier, results))
                 for port, vt, pre in (("poisk-zenith", "progress-ms", "A"), ("harmony-forward", "cargo-dragon", "B"))]
        for p in procs:
            p.start()
        out = [results.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=30)
    finally:
        sys.path.remove(str(HERE))
    from gyrfalcon.traffic.store import ManifestStore

    assert sorted(r for _, _, r in out) == ["accepted", "refused: one-vehicle-per-port"]
    with ManifestStore(url) as s:
        ids = {e.id for e in s.events()}
        assert len(ids) == 2 * 2 * 5 + 1 and {i for _, acc, _ in out for i in acc} <= ids
