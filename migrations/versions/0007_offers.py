"""offer_drafts: an offer read from Microsoft's document, waiting for the person to confirm it
(confirmed offers are `ms_offer` events on the deal timeline, which needs no new table).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "offer_drafts",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id", ID, sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("deal_id", ID, sa.ForeignKey("deals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("offer", sa.JSON(), nullable=False),
        sa.Column("shared_by", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("conversation_id", "deal_id", name="uq_offer_drafts_conv_deal"),
    )
    op.create_index("ix_offer_drafts_deal_id", "offer_drafts", ["deal_id"])


def downgrade() -> None:
    op.drop_index("ix_offer_drafts_deal_id", table_name="offer_drafts")
    op.drop_table("offer_drafts")
