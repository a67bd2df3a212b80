"""Alembic environment for the Gyrfalcon manifest database.

Normally run by :class:`gyrfalcon.traffic.store.ManifestStore`, which passes an open connection
(inside its write transaction) in ``config.attributes["connection"]``. From the command line
(developers adding a revision): ``alembic -c src/gyrfalcon/traffic/migrations/alembic.ini
-x url=sqlite:///path/to/manifest.sqlite upgrade head``.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from gyrfalcon.traffic.store import METADATA

config = context.config


def _url() -> str:
    return context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=METADATA, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    conn = config.attributes.get("connection")
    if conn is not None:
        _run(conn)
    else:
        engine = create_engine(_url())
        with engine.connect() as c:
            _run(c)
            c.commit()
