"""Initial manifest schema: meta, vehicles, events.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_KINDS = ("launch", "arrival", "departure", "relocation", "capture", "berth", "hold", "release", "crew_change")


def upgrade() -> None:
    op.create_table(
        "manifest_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "vehicles",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("vehicle_type", sa.String(64), nullable=False),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("t_utc", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("vehicle", sa.String(128), sa.ForeignKey("vehicles.name"), nullable=False),
        sa.Column("port", sa.String(64), nullable=True),
        sa.Column("pad", sa.String(64), nullable=True),
        sa.Column("crew", sa.Text, nullable=False, server_default="[]"),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("recorded_utc", sa.String(24), nullable=False),
        sa.CheckConstraint("kind IN (%s)" % ", ".join(f"'{k}'" for k in _KINDS), name="ck_events_kind"),
    )
    op.create_index("ix_events_t_utc", "events", ["t_utc", "id"])


def downgrade() -> None:
    op.drop_index("ix_events_t_utc", table_name="events")
    op.drop_table("events")
    op.drop_table("vehicles")
    op.drop_table("manifest_meta")
