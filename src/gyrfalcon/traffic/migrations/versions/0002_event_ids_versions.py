"""Event ids never reused; a version per event for optimistic concurrency.

* ``events.id``: on SQLite the table is rebuilt with ``INTEGER PRIMARY KEY AUTOINCREMENT``
  (SQLite then never hands out an id it handed out before, even after the newest event is
  deleted: ``sqlite_sequence`` keeps the highest one); on PostgreSQL the column's identity
  sequence is moved past the highest stored id (revision 0001's writer inserted explicit ids
  and left the sequence at 1). From this revision on the database assigns every id.
* ``events.version``: 1 when an event is recorded, +1 on every change (move); ``move`` and
  ``remove`` may name the version they expect and are refused when it is stale.

Ids deleted before this revision that were higher than every remaining id cannot be known
afterwards and may be handed out once more.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # rebuild (copy, drop, rename) so the primary key gets AUTOINCREMENT; the copy inserts
        # the old ids explicitly, which sets sqlite_sequence to the highest of them
        with op.batch_alter_table("events", recreate="always",
                                  table_kwargs={"sqlite_autoincrement": True}) as batch:
            batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    else:
        op.add_column("events", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
        if bind.dialect.name == "postgresql":
            op.execute("SELECT setval(pg_get_serial_sequence('events', 'id'), "
                       "COALESCE((SELECT max(id) FROM events), 0) + 1, false)")


def downgrade() -> None:
    with op.batch_alter_table("events", recreate="always" if op.get_bind().dialect.name == "sqlite" else "auto") as batch:
        batch.drop_column("version")
