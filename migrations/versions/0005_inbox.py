"""inbox: turns acknowledged to a platform but not yet run and answered, so a restart, a deploy
or `kill -9` loses none of them. Rows are deleted once answered.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("tenant_key", sa.String(255), nullable=False),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("lease_owner", sa.String(128)),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("platform", "tenant_key", "event_id", name="uq_inbox_event"),
    )
    op.create_index("ix_inbox_lease_until", "inbox", ["lease_until"])


def downgrade() -> None:
    op.drop_index("ix_inbox_lease_until", table_name="inbox")
    op.drop_table("inbox")
