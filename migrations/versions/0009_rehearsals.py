"""rehearsals: the coach plays a Microsoft role on a deal and scores every answer; the script,
the lines and the verdicts live here so a rehearsal survives a restart (bot/skills/rehearsal.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rehearsals",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id", ID, sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("deal_id", ID, sa.ForeignKey("deals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("open_slot", sa.Integer()),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("conversation_id", "deal_id", "open_slot", name="uq_rehearsals_open"),
    )
    op.create_index("ix_rehearsals_deal_role", "rehearsals", ["deal_id", "role"])


def downgrade() -> None:
    op.drop_index("ix_rehearsals_deal_role", table_name="rehearsals")
    op.drop_table("rehearsals")
