"""Persistence, location, schema (Alembic) and error handling of the manifest store."""
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import gyrfalcon.traffic
from gyrfalcon.traffic.store import (
    METADATA, ManifestStore, ManifestStoreError, default_data_dir, resolve_url, schema_head,
)

MIGRATIONS = Path(gyrfalcon.traffic.__file__).parent / "migrations"


def test_events_survive_reopen(tmp_path):
    db = tmp_path / "m.sqlite"
    with ManifestStore(db) as s:
        s.load_builtin()
        events, vehicles = s.events(), s.vehicles()
    with ManifestStore(str(db)) as s2:
        assert s2.events() == events and s2.vehicles() == vehicles
        assert s2.occupancy_on("2025-12-01").occupied_count == 8


def test_default_location_is_the_user_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GYRFALCON_DATA_DIR", str(tmp_path / "data"))
    assert default_data_dir() == tmp_path / "data"
    with ManifestStore() as s:
        assert s.url == "sqlite:///" + str((tmp_path / "data" / "manifest.sqlite").resolve())
    assert (tmp_path / "data" / "manifest.sqlite").is_file()
    monkeypatch.delenv("GYRFALCON_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert default_data_dir() == tmp_path / "xdg" / "gyrfalcon"
    assert resolve_url("postgresql://u@h/db") == "postgresql://u@h/db"


def test_schema_wal_and_alembic_head(tmp_path):
    db = tmp_path / "m.sqlite"
    ManifestStore(db).close()
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == schema_head() == "0002"
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"events", "vehicles", "manifest_meta", "alembic_version"} <= tables
        assert con.execute("SELECT value FROM manifest_meta WHERE key='station'").fetchone()[0] == "iss"
    finally:
        con.close()


def test_models_match_the_migration(tmp_path):
    """The SQLAlchemy tables and the Alembic revision describe the same schema (no autogenerate diff)."""
    import sqlalchemy as sa
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    db = tmp_path / "m.sqlite"
    ManifestStore(db).close()
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), METADATA)
    engine.dispose()
    assert diff == []


def test_alembic_command_line_upgrade_and_downgrade(tmp_path):
    db = tmp_path / "cli.sqlite"
    alembic = [sys.executable, "-m", "alembic", "-c", str(MIGRATIONS / "alembic.ini"), "-x", f"url=sqlite:///{db}"]
    subprocess.run(alembic + ["upgrade", "head"], check=True, capture_output=True, timeout=60)
    with ManifestStore(db) as s:  # opens without migrating, and works
        s.add_event("arrival", "2025-11-27T12:34:35Z", "Soyuz MS-28", port="rassvet-nadir", vehicle_type="soyuz-ms")
    subprocess.run(alembic + ["downgrade", "base"], check=True, capture_output=True, timeout=60)
    con = sqlite3.connect(db)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.close()
    assert "events" not in tables


def test_refusals(tmp_path):
    db = tmp_path / "m.sqlite"
    with ManifestStore(db) as s:
        s.load_builtin()
        with pytest.raises(ManifestStoreError, match="already holds 19 events"):
            s.load_builtin()
    con = sqlite3.connect(db)
    con.execute("UPDATE manifest_meta SET value='mir' WHERE key='station'")
    con.commit()
    con.close()
    with pytest.raises(ManifestStoreError, match="is for station 'mir', not 'iss'"):
        ManifestStore(db)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ManifestStoreError, match="junk.sqlite"):
        ManifestStore(junk)
