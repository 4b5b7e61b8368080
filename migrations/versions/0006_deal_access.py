"""deal access: members of each deal, deals shared with a private channel, the workspace's
open-deals setting, and the append-only audit trail (docs/security.md).

Existing deals migrate to their creator plus every person found as an actor of their events
(everyone who had logged something on them); no workspace is opened, so the default after the
upgrade is members only.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)

# The audit trail is append-only in the database itself, not only in our code.
_PG_GUARD = """
CREATE FUNCTION deal_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'deal_audit is append-only';
END;
$$
"""
_PG_TRIGGER = (
    "CREATE TRIGGER deal_audit_append_only BEFORE UPDATE OR DELETE ON deal_audit "
    "FOR EACH ROW EXECUTE FUNCTION deal_audit_append_only()"
)
_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER deal_audit_no_{what} BEFORE {what.upper()} ON deal_audit "
    "BEGIN SELECT RAISE(ABORT, 'deal_audit is append-only'); END"
    for what in ("update", "delete")
]

# Existing deals: the creator, then every other actor of their events (first time seen).
_CREATORS = """
INSERT INTO deal_members (deal_id, user_key, via, added_by, added_at)
SELECT id, created_by, 'creator', created_by, created_at FROM deals WHERE created_by <> '' ORDER BY id
"""
_ACTORS = """
INSERT INTO deal_members (deal_id, user_key, via, added_by, added_at)
SELECT e.deal_id, e.actor, 'migrated', 'migration 0006', MIN(e.recorded_at)
FROM deal_events e JOIN deals d ON d.id = e.deal_id
WHERE e.actor <> '' AND e.actor <> d.created_by
GROUP BY e.deal_id, e.actor
ORDER BY e.deal_id, MIN(e.recorded_at), e.actor
"""


def upgrade() -> None:
    op.create_table(
        "deal_members",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("deal_id", ID, sa.ForeignKey("deals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_key", sa.String(255), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("added_by", sa.String(255), nullable=False),
        sa.Column("added_at", WHEN, nullable=False),
        sa.UniqueConstraint("deal_id", "user_key", name="uq_deal_members_deal_user"),
    )
    op.create_index("ix_deal_members_user_key", "deal_members", ["user_key"])
    op.create_table(
        "deal_channels",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("deal_id", ID, sa.ForeignKey("deals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("conversation_key", sa.String(255), nullable=False),
        sa.Column("added_by", sa.String(255), nullable=False),
        sa.Column("added_at", WHEN, nullable=False),
        sa.UniqueConstraint("deal_id", "conversation_key", name="uq_deal_channels_deal_conv"),
    )
    op.create_table(
        "tenant_settings",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("open_deals", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_by", sa.String(255), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.UniqueConstraint("tenant_id", name="uq_tenant_settings_tenant"),
    )
    op.create_table(
        "deal_audit",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("deal_id", ID),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("surface", sa.String(32), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.String(255)),
        sa.Column("keys", sa.JSON(), nullable=False),
    )
    op.create_index("ix_deal_audit_deal", "deal_audit", ["deal_id", "id"])
    op.create_index("ix_deal_audit_tenant", "deal_audit", ["tenant_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_GUARD)
        op.execute(_PG_TRIGGER)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    op.execute(_CREATORS)
    op.execute(_ACTORS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS deal_audit_append_only ON deal_audit")
        op.execute("DROP FUNCTION IF EXISTS deal_audit_append_only()")
    else:
        for what in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS deal_audit_no_{what}")
    op.drop_index("ix_deal_audit_tenant", table_name="deal_audit")
    op.drop_index("ix_deal_audit_deal", table_name="deal_audit")
    op.drop_table("deal_audit")
    op.drop_table("tenant_settings")
    op.drop_table("deal_channels")
    op.drop_index("ix_deal_members_user_key", table_name="deal_members")
    op.drop_table("deal_members")
