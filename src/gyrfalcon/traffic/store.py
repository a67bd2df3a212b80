"""The persistent manifest: events in a SQL database (SQLite file, or PostgreSQL for a team).

:class:`ManifestStore` keeps the event list of :mod:`gyrfalcon.traffic.manifest` in three
tables (``manifest_meta``, ``vehicles``, ``events``; schema managed by Alembic, see
``traffic/migrations``). Every change (:meth:`~ManifestStore.add_event`,
:meth:`~ManifestStore.add_events`, :meth:`~ManifestStore.move_event`,
:meth:`~ManifestStore.remove_event`) runs in ONE write
transaction that reads the whole timeline, replays it with the change against every rule
(:mod:`gyrfalcon.traffic.rules`) and writes only if all pass; a refused change raises a
:class:`~gyrfalcon.traffic.manifest.ManifestRuleError` and writes nothing.

Where the database is (:func:`resolve_url`): ``None`` -> ``manifest.sqlite`` in the user's data
directory (:func:`default_data_dir`; ``$GYRFALCON_DATA_DIR`` overrides it); a path -> that
SQLite file; anything with ``://`` -> an SQLAlchemy URL (``postgresql+psycopg://user@host/db``).

Concurrency and durability:

* SQLite: the connection runs in WAL journal mode with ``synchronous=FULL``; write
  transactions start with ``BEGIN IMMEDIATE``, so two writers (threads or processes) are
  serialised by SQLite's lock and each validates against the other's committed events; a
  writer waits up to ``timeout_s`` (default 30 s) for the lock. A process killed mid-write
  leaves the last committed state (SQLite's atomic commit).
* PostgreSQL: write transactions take a transaction-scoped advisory lock
  (``pg_advisory_xact_lock``) first, which serialises writers the same way (tested against a
  real server in CI: ``.ci/postgres.sh`` starts one, ``tests/traffic/test_traffic_postgres.py``).

Identity and versions (schema revision 0002):

* Event ids are assigned by the database and never reused, also after the newest event is
  removed (SQLite ``AUTOINCREMENT``; a PostgreSQL identity sequence, which never goes back,
  so a refused change may leave a gap).
* Every event carries a ``version`` (1 when recorded, +1 per move). :meth:`move_event` and
  :meth:`remove_event` take ``expect_version``: when given and the stored event has another
  version (someone changed it since it was read), the change is refused with a
  :class:`StaleVersionError` and nothing is written; re-read and decide again. Without it the
  change applies to whatever is stored (last writer wins), as before.
* Creating a store (and migrating its schema) and :meth:`load_builtin` run inside the write
  lock: of several processes that initialise one new database at once, one migrates and
  loads, the others find it done (``load_builtin`` then refuses with "already holds").

No global state: each store owns its engine; create one per process (after a ``fork``).

>>> import tempfile, os, shutil
>>> d = tempfile.mkdtemp()
>>> with ManifestStore(os.path.join(d, "m.sqlite")) as s:
...     e = s.add_event("arrival", "2025-11-27T12:34:35Z", "Soyuz MS-28", port="rassvet-nadir",
...                     crew=["Sergey Kud-Sverchkov"], vehicle_type="soyuz-ms")
...     s.occupancy_on("2025-11-27").ports["rassvet-nadir"]
'Soyuz MS-28'
>>> shutil.rmtree(d)
"""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy import event as sa_event

from ..errors import GyrfalconError
from .manifest import Event, Manifest, ManifestInputError, ManifestRuleError, check_event_text, make_event
from .station_link import norm_id, station_model

DEFAULT_TIMEOUT_S = 30.0
"""How long a writer waits for another writer's lock before giving up [s]."""

_PG_LOCK_KEY = 0x67797266  # "gyrf": advisory lock id serialising PostgreSQL writers

METADATA = sa.MetaData()
"""The schema as SQLAlchemy tables (mirrors the Alembic revisions; used for autogenerate)."""

META = sa.Table(
    "manifest_meta", METADATA,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
VEHICLES = sa.Table(
    "vehicles", METADATA,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("vehicle_type", sa.String(64), nullable=False),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
)
EVENTS = sa.Table(
    "events", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("t_utc", sa.String(24), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("vehicle", sa.String(128), sa.ForeignKey("vehicles.name"), nullable=False),
    sa.Column("port", sa.String(64), nullable=True),
    sa.Column("pad", sa.String(64), nullable=True),
    sa.Column("crew", sa.Text, nullable=False, server_default="[]"),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("recorded_utc", sa.String(24), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.CheckConstraint(
        "kind IN ('launch', 'arrival', 'departure', 'relocation', 'capture', 'berth', 'hold', "
        "'release', 'crew_change')", name="ck_events_kind"),
    sa.Index("ix_events_t_utc", "t_utc", "id"),
    sqlite_autoincrement=True,
)


def _set_wal(cursor, timeout_s: float) -> None:
    """``PRAGMA journal_mode = WAL``, tried again while SQLite says the file is locked (up to
    ``timeout_s``): the switch needs the file to itself, and a process opening a new file while
    another one switches it can be told "locked" at once, without SQLite's busy wait."""
    import sqlite3
    import time

    t_end = time.monotonic() + timeout_s
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > t_end:
                raise
            time.sleep(0.05)


class ManifestStoreError(GyrfalconError):
    """The manifest database cannot be opened, migrated, locked or read."""


class AlreadyLoadedError(ManifestStoreError):
    """:meth:`ManifestStore.load_builtin` on a store that already holds events (``count``)."""

    def __init__(self, message: str, count: int):
        super().__init__(message)
        self.count = count


class StaleVersionError(ManifestInputError):
    """A move or removal named a version of the event that is no longer the stored one
    (someone changed it since it was read); nothing was written. Attributes: ``event_id``,
    ``expected`` and ``actual`` (the stored version)."""

    def __init__(self, message: str, event_id: int, expected: int, actual: int):
        super().__init__(message)
        self.event_id, self.expected, self.actual = event_id, expected, actual


# --- where the database is -------------------------------------------------------------------
def default_data_dir() -> Path:
    """The user's data directory for Gyrfalcon (``$GYRFALCON_DATA_DIR`` if set).

    Linux/BSD: ``$XDG_DATA_HOME/gyrfalcon`` (default ``~/.local/share/gyrfalcon``); macOS:
    ``~/Library/Application Support/gyrfalcon``; Windows: ``%LOCALAPPDATA%\\gyrfalcon``.
    """
    env = os.environ.get("GYRFALCON_DATA_DIR")
    if env:
        return Path(env).expanduser()
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "gyrfalcon"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "gyrfalcon"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "gyrfalcon"


def resolve_url(db: str | os.PathLike | None = None) -> str:
    """The SQLAlchemy URL for ``db`` (``None``: the default file; a path: SQLite; a URL: itself).

    >>> resolve_url("/tmp/x/manifest.sqlite")
    'sqlite:////tmp/x/manifest.sqlite'
    >>> resolve_url("postgresql+psycopg://ops@db.example/manifest")
    'postgresql+psycopg://ops@db.example/manifest'
    """
    if db is None:
        return "sqlite:///" + str((default_data_dir() / "manifest.sqlite").resolve())
    text = os.fspath(db)
    if "://" in text:
        return text
    return "sqlite:///" + str(Path(text).expanduser().resolve())


def _safe(url: sa.engine.URL) -> str:
    return url.render_as_string(hide_password=True)


def _now_utc() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:23] + "Z"


# --- migrations ----------------------------------------------------------------------------------
def _alembic_config():
    from importlib.resources import files

    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("gyrfalcon.traffic") / "migrations"))
    return cfg


def schema_head() -> str:
    """The newest Alembic revision shipped with this version of Gyrfalcon."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


# --- the store -----------------------------------------------------------------------------------
def _refuse_foreign_sqlite(path: Path, label: str) -> None:
    """Refuse, before any connection that could change it (the switch to WAL), an existing file
    that is not a SQLite database or holds tables gyrfalcon did not create (read-only peek)."""
    import sqlite3

    if not path.is_file() or path.stat().st_size == 0:
        return
    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise ManifestStoreError(f"{label}: {exc}; it is not a manifest database (nothing was written): "
                                 "give a new file or a manifest database") from None
    if names and "alembic_version" not in names:
        raise ManifestStoreError(
            f"database {label} holds tables gyrfalcon did not create ({', '.join(sorted(names)[:5])}); "
            "nothing was written: give a new file or an empty database for the manifest")


class ManifestStore:
    """A manifest persisted in a database (see the module docstring).

    ``db``: path, URL or ``None`` (default file); ``station``: station id the manifest is for
    (recorded on creation, checked on every open); ``pads``: the
    :class:`~gyrfalcon.launch.sites.PadStatusBoard` launches are checked against (default: the
    packaged catalogue); ``timeout_s``: how long a writer waits for the lock. A SQLite path in a
    folder that does not exist is refused (a mistyped path must not become a new, empty manifest)
    unless ``create_folder`` (``gyrfalcon traffic init``) or it is the default file.
    """

    def __init__(self, db: str | os.PathLike | None = None, *, station: str = "iss", pads=None,
                 timeout_s: float = DEFAULT_TIMEOUT_S, create_folder: bool = False):
        self.url = resolve_url(db)
        try:
            url = sa.engine.make_url(self.url)
        except sa.exc.ArgumentError as exc:
            raise ManifestStoreError(f"cannot read database URL '{self.url}': {exc}; give a file path "
                                     "or a URL such as postgresql+psycopg://user@host/db") from None
        self.dialect = url.get_backend_name()
        self._label = _safe(url)
        self.station = station_model(station)
        self._pads = pads
        kwargs: dict = {}
        if self.dialect == "sqlite":
            if url.database and url.database != ":memory:":
                parent = Path(url.database).parent
                if db is None or create_folder:     # the default file, or asked to: its folder is ours to make
                    parent.mkdir(parents=True, exist_ok=True)
                elif not parent.is_dir():           # a mistyped path must not become a new empty manifest
                    raise ManifestStoreError(f"no folder {parent} for the manifest database {Path(url.database).name}; "
                                             "create the folder or give a path in an existing one")
                _refuse_foreign_sqlite(Path(url.database), self._label)
            else:
                kwargs["poolclass"] = sa.pool.StaticPool
            kwargs["connect_args"] = {"timeout": float(timeout_s), "check_same_thread": False}
        try:
            self._engine = sa.create_engine(url, **kwargs)
        except Exception as exc:  # missing driver, bad options
            raise ManifestStoreError(f"cannot open manifest database {self._label}: {exc}") from None
        if self.dialect == "sqlite":
            self._install_sqlite_hooks(int(timeout_s * 1000))
        self._open_retrying(timeout_s)

    def _open_retrying(self, timeout_s: float) -> None:
        """:meth:`_open`, tried again while the database reports itself locked, up to ``timeout_s``:
        two processes creating one new SQLite file race on its switch to WAL, which SQLite can
        report as busy at once, without waiting for its busy timeout."""
        import time

        t_end = time.monotonic() + float(timeout_s)
        while True:
            try:
                return self._open()
            except ManifestStoreError as exc:
                if self.dialect != "sqlite" or "locked" not in str(exc) or time.monotonic() > t_end:
                    raise
                self._engine.dispose()
                time.sleep(0.05)

    # engine plumbing ------------------------------------------------------------------------------
    def _install_sqlite_hooks(self, busy_ms: int) -> None:
        @sa_event.listens_for(self._engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (SQLAlchemy pysqlite recipe)
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {busy_ms}")
            _set_wal(cur, busy_ms / 1000.0)
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()

        @sa_event.listens_for(self._engine, "begin")
        def _on_begin(conn):
            conn.exec_driver_sql("BEGIN " + conn.get_execution_options().get("gyrfalcon_begin", "DEFERRED"))

    @contextmanager
    def _tx(self, write: bool):
        """A transaction: ``write`` ones are serialised (BEGIN IMMEDIATE / advisory lock)."""
        try:
            with self._engine.connect() as conn:
                if write:
                    conn.execution_options(gyrfalcon_begin="IMMEDIATE")
                with conn.begin():
                    if write and self.dialect == "postgresql":
                        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
                    yield conn
        except sa.exc.OperationalError as exc:
            msg = str(exc.orig) if exc.orig is not None else str(exc)
            hint = ("another writer held the lock too long; retry, or raise timeout_s"
                    if "locked" in msg or "busy" in msg else "check the path/URL and that the file is a manifest database")
            raise ManifestStoreError(f"manifest database {self._label}: {msg}; {hint}") from None
        except sa.exc.DatabaseError as exc:
            raise ManifestStoreError(f"manifest database {self._label}: {exc.orig or exc}; "
                                     "it may not be a manifest database (use a new --db file)") from None

    def _open(self) -> None:
        head = schema_head()
        with self._tx(write=True) as conn:
            from alembic import command
            from alembic.runtime.migration import MigrationContext

            current = MigrationContext.configure(conn).get_current_revision()
            if current is None:            # not a manifest yet: only an empty database becomes one
                others = sa.inspect(conn).get_table_names()
                if others:
                    raise ManifestStoreError(
                        f"database {self._label} holds tables gyrfalcon did not create ({', '.join(sorted(others)[:5])}); "
                        "nothing was written: give a new file or an empty database for the manifest")
            if current != head:
                cfg = _alembic_config()
                cfg.attributes["connection"] = conn
                try:
                    command.upgrade(cfg, "head")
                except Exception as exc:
                    raise ManifestStoreError(
                        f"cannot migrate manifest database {self._label} from revision {current} to "
                        f"{head}: {exc}") from None
            row = conn.execute(sa.select(META.c.value).where(META.c.key == "station")).first()
            if row is None:
                conn.execute(sa.insert(META), [{"key": "station", "value": self.station.id},
                                               {"key": "created_utc", "value": _now_utc()}])
            elif row[0] != self.station.id:
                raise ManifestStoreError(
                    f"manifest database {self._label} is for station '{row[0]}', not '{self.station.id}'; "
                    f"open it with station='{row[0]}' or use another --db")

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def __enter__(self) -> "ManifestStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ManifestStore({self._label!r}, station={self.station.id!r})"

    @property
    def pads(self):
        if self._pads is None:
            from ..launch.sites import PadStatusBoard

            self._pads = PadStatusBoard.from_catalog()
        return self._pads

    # reading ------------------------------------------------------------------------------------
    @staticmethod
    def _load(conn) -> tuple[list[Event], dict[str, str]]:
        rows = conn.execute(sa.select(EVENTS).order_by(EVENTS.c.t_utc, EVENTS.c.id)).mappings().all()
        events = [Event(r["t_utc"], r["kind"], r["vehicle"], r["port"], r["pad"], tuple(json.loads(r["crew"])),
                        r["notes"], r["id"], r["version"]) for r in rows]
        vehicles = {n: t for n, t in conn.execute(sa.select(VEHICLES.c.name, VEHICLES.c.vehicle_type))}
        return events, vehicles

    def events(self) -> tuple[Event, ...]:
        """Every stored event, in time order (ties: recording order)."""
        with self._tx(write=False) as conn:
            return tuple(self._load(conn)[0])

    def vehicles(self) -> dict[str, str]:
        """{vehicle name: vehicle type id} of every registered vehicle."""
        with self._tx(write=False) as conn:
            return self._load(conn)[1]

    def event(self, event_id: int) -> Event:
        """The stored event ``event_id`` (with its current ``version``)."""
        with self._tx(write=False) as conn:
            existing, _ = self._load(conn)
        return self._find(existing, event_id)

    @staticmethod
    def _find(existing, event_id) -> Event:
        found = [e for e in existing if e.id == int(event_id)]
        if not found:
            ids = [e.id for e in existing]
            span = f"ids {min(ids)}..{max(ids)}" if ids else "no events"
            raise ManifestInputError(f"no event #{event_id} in the manifest ({span}); list them with `gyrfalcon traffic events` (ManifestStore.events())")
        return found[0]

    @staticmethod
    def _check_version(e: Event, expect_version, verb: str) -> None:
        if expect_version is not None and int(expect_version) != e.version:
            raise StaleVersionError(
                f"event #{e.id} is at version {e.version}, not the expected {int(expect_version)}: it was "
                f"changed since you read it; re-read it ('traffic events') and {verb} again with "
                f"--expect-version {e.version}", e.id, int(expect_version), int(e.version))

    def count(self) -> int:
        """Number of stored events."""
        with self._tx(write=False) as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(EVENTS)).scalar_one())

    def manifest(self) -> Manifest:
        """The stored manifest, replayed and validated (a consistent snapshot)."""
        with self._tx(write=False) as conn:
            events, vehicles = self._load(conn)
        return Manifest.from_events(events, vehicles, self.station, self.pads)

    def occupancy_on(self, date):
        """:meth:`Manifest.occupancy_on` of the stored manifest (end of UTC day ``date``)."""
        return self.manifest().occupancy_on(date)

    def occupancy_at(self, t):
        """:meth:`Manifest.occupancy_at` of the stored manifest (instant ``t``)."""
        return self.manifest().occupancy_at(t)

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` (``'ok'`` when the file is sound); ``'n/a'`` otherwise."""
        if self.dialect != "sqlite":
            return "n/a"
        with self._tx(write=False) as conn:
            return "; ".join(r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check"))

    # writing ------------------------------------------------------------------------------------
    def _check(self, events, vehicles, changed, verb: str) -> None:
        """Replay ``events``; a rule broken at an event other than the ``changed`` ones is
        re-raised (same class) with a prefix naming the change that caused it."""
        try:
            Manifest.from_events(events, vehicles, self.station, self.pads)
        except ManifestRuleError as exc:
            if exc.event is None or any(exc.event == e for e in changed) or verb == "removing":
                if verb == "removing":
                    raise type(exc)(f"removing {changed[0].describe()} would break the timeline: {exc}",
                                    exc.event) from None
                raise
            what = changed[0].describe() if len(changed) == 1 else f"these {len(changed)} events"
            raise type(exc)(f"recording {what} would break a later event: {exc}", exc.event) from None

    def add_event(self, kind: str, t, vehicle: str, *, port: str | None = None, pad: str | None = None,
                  crew: Iterable[str] = (), notes: str = "", vehicle_type: str | None = None) -> Event:
        """Record one event after checking the whole resulting timeline; return it with its id.

        ``vehicle_type`` registers a vehicle seen for the first time (e.g. ``"soyuz-ms"``).
        Raises a :class:`~gyrfalcon.traffic.manifest.ManifestRuleError` (nothing written)
        when a rule would break.
        """
        ev = make_event(kind, t, vehicle, port, pad, crew, notes)
        check_event_text(ev)          # a new event's text only: stored ones are not judged again on a move
        types = {ev.vehicle: vehicle_type} if vehicle_type else None
        return self.add_events([ev], types)[0]

    def add_events(self, events: Iterable[Event], vehicle_types: Mapping[str, str] | None = None
                   ) -> tuple[Event, ...]:
        """Record several events at once, all or nothing, in one transaction."""
        new = [e if isinstance(e, Event) else make_event(**e) for e in events]
        with self._tx(write=True) as conn:
            return self._add_events(conn, new, vehicle_types)

    def _add_events(self, conn, new: list[Event], vehicle_types) -> tuple[Event, ...]:
        """Inside a write transaction: insert ``new`` (the database assigns the ids), then
        replay the whole timeline; a broken rule raises and the transaction rolls back."""
        existing, vehicles = self._load(conn)
        add_vehicles = {}
        for name, vtype in (vehicle_types or {}).items():
            vt = self.station.vehicle_type(vtype).id
            if name in vehicles and vehicles[name] != vt:
                raise ManifestInputError(
                    f"vehicle '{name}' is already registered as {vehicles[name]}, not {vt}; "
                    "give the new vehicle another name")
            if name not in vehicles:
                add_vehicles[name] = vt
        all_vehicles = {**vehicles, **add_vehicles}
        for e in new:
            if e.pad is not None:
                self._known_pad(e)
            if e.vehicle not in all_vehicles:
                raise ManifestInputError(
                    f"{e.describe()}: vehicle '{e.vehicle}' is not in the manifest yet; give its vehicle type "
                    f"(vehicle_type=, --type on the command line: one of "
                    f"{', '.join(v.id for v in self.station.vehicle_types)})")
        if add_vehicles:
            conn.execute(sa.insert(VEHICLES), [{"name": n, "vehicle_type": t, "notes": ""}
                                               for n, t in add_vehicles.items()])
        now = _now_utc()
        stamped = []
        for e in new:  # one row at a time, in order: ids increase with the recording order
            new_id = conn.execute(sa.insert(EVENTS).values(
                t_utc=e.t_utc, kind=e.kind, vehicle=e.vehicle, port=e.port, pad=e.pad,
                crew=json.dumps(list(e.crew)), notes=e.notes, recorded_utc=now, version=1,
            ).returning(EVENTS.c.id)).scalar_one()
            stamped.append(Event(**{**e.__dict__, "id": int(new_id), "version": 1}))
        try:
            self._check(existing + stamped, all_vehicles, stamped, "recording")
        except ManifestRuleError as exc:       # rolled back: the ids it would have had are not named
            text = str(exc)
            for e in stamped:
                text = text.replace(f" (event #{e.id})", "")
            raise type(exc)(text, exc.event) from None
        return tuple(stamped)

    def _known_pad(self, e: Event) -> None:
        """Refuse a launch from a pad the site catalogue does not know, before anything else is said
        about the event (its vehicle, the rules)."""
        from ..errors import GyrfalconError

        try:
            self.pads.pad(e.pad)
        except GyrfalconError as exc:
            raise ManifestInputError(f"{e.describe()}: {exc}") from None

    def remove_event(self, event_id: int, *, expect_version: int | None = None) -> Event:
        """Delete event ``event_id`` if the timeline without it still passes every rule.

        ``expect_version``: refuse (:class:`StaleVersionError`, nothing written) unless the
        stored event is still at this version. Its id is never handed out again.
        """
        with self._tx(write=True) as conn:
            existing, vehicles = self._load(conn)
            gone = self._find(existing, event_id)
            self._check_version(gone, expect_version, "remove it")
            after = [e for e in existing if e.vehicle == gone.vehicle and e.kind != "launch" and e.t_utc > gone.t_utc]
            if gone.kind == "launch" and after:      # its arrival would read as a vehicle already in orbit
                from .manifest import LaunchOrderError

                raise LaunchOrderError(
                    f"removing {gone.describe()} refused (rule arrival-after-launch): {gone.vehicle} has later events "
                    f"(#{after[0].id} {after[0].kind} {after[0].t_utc}); remove those first", gone)
            self._check([e for e in existing if e.id != gone.id], vehicles, [gone], "removing")
            conn.execute(sa.delete(EVENTS).where(EVENTS.c.id == gone.id))
        return gone

    def move_event(self, event_id: int, t=None, *, port: str | None = None, pad: str | None = None,
                   expect_version: int | None = None) -> Event:
        """Change the time (and/or target ``port`` / launch ``pad``) of event ``event_id``, keeping its id,
        if the resulting timeline passes every rule (one transaction; nothing written otherwise).

        ``expect_version``: refuse (:class:`StaleVersionError`, nothing written) unless the
        stored event is still at this version. Returns the event with its new version (+1).
        """
        if t is None and port is None and pad is None:
            raise ManifestInputError(f"moving event #{event_id} needs a new time, port or pad (--to 2026-03-22, "
                                     "--port, --pad; t=, port=, pad= in Python)")
        with self._tx(write=True) as conn:
            existing, vehicles = self._load(conn)
            o = self._find(existing, event_id)
            self._check_version(o, expect_version, "move it")
            new = make_event(o.kind, o.t_utc if t is None else t, o.vehicle, o.port if port is None else port,
                             o.pad if pad is None else pad, o.crew, o.notes, o.id)
            new = Event(**{**new.__dict__, "version": o.version + 1})
            self._check([new if e.id == o.id else e for e in existing], vehicles, [new], "recording")
            done = conn.execute(sa.update(EVENTS).where(EVENTS.c.id == o.id, EVENTS.c.version == o.version).values(
                t_utc=new.t_utc, port=new.port, pad=new.pad, recorded_utc=_now_utc(), version=o.version + 1))
            if done.rowcount != 1:  # cannot happen under the write lock; refuse rather than guess
                raise ManifestStoreError(f"event #{o.id} changed during the move; nothing written, retry")
        return new

    def load_builtin(self) -> tuple[Event, ...]:
        """Fill an EMPTY store with the built-in late-2025 manifest (:mod:`gyrfalcon.traffic.builtin`)."""
        from .builtin import late2025

        b = late2025()
        if norm_id(b.station) != self.station.id:
            raise ManifestStoreError(f"the built-in manifest is for station '{b.station}', this store for "
                                     f"'{self.station.id}'")
        with self._tx(write=True) as conn:  # the emptiness check and the load in ONE locked transaction
            n = int(conn.execute(sa.select(sa.func.count()).select_from(EVENTS)).scalar_one())
            if n:
                raise AlreadyLoadedError(f"manifest database {self._label} already holds {n} events; load the "
                                         "built-in manifest into a new, empty database (another --db)", n)
            return self._add_events(conn, list(b.events), b.vehicles)
