"""SQLAlchemy 2 typed models. Schema changes go through Alembic (migrations/)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """An instant, stored as UTC on every database and read back tz-aware in UTC.

    SQLite has no time-zone type: SQLAlchemy writes the wall-clock digits and drops the
    offset, so 10:00+02:00 and 10:00-05:00 would both come back as 10:00 UTC. Converting on
    the way in makes both databases hold the same instant; a naive value is refused rather
    than guessed at, so every writer has to say which instant it means."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("datetimes written to the database must be tz-aware")
        value = value.astimezone(UTC)
        # SQLite stores text: without the offset, in UTC, so text order is time order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, datetime: UtcDateTime()}


class Tenant(Base):
    """A Slack workspace / Enterprise Grid org, a Teams tenant, or the local terminal."""

    __tablename__ = "tenants"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_tenants_platform_external"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]


class Deal(Base):
    __tablename__ = "deals"
    __table_args__ = (UniqueConstraint("tenant_id", "name_key", name="uq_deals_tenant_name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # casefolded name, for unique lookups
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    # Bumped on every contact change: with the newest event id it says whether a cached
    # view of the deal is current.
    contacts_version: Mapped[int] = mapped_column(default=0, server_default="0")


class Conversation(Base):
    """A channel, DM, chat or the terminal; bound to at most one active deal."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("tenant_id", "external_id", name="uq_conversations_tenant_external"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(255))
    active_deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    # The short dialogue state (bot/dialogue/state.py): topic, people, facts, last question.
    dialogue: Mapped[dict[str, Any] | None]


class DealEvent(Base):
    """The append-only timeline. Never updated or deleted; an `undo` event withdraws one."""

    __tablename__ = "deal_events"
    __table_args__ = (Index("ix_deal_events_deal_at", "deal_id", "occurred_at", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    actor: Mapped[str] = mapped_column(String(255))
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]


class DealContact(Base):
    """Microsoft people on a deal. Changes are also logged as `contact` events."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("deal_id", "name_key", name="uq_contacts_deal_name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(64))
    kpis: Mapped[dict[str, Any]]  # {"kpis": [...]} - JSON object for portability
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class ProcessedEvent(Base):
    """Inbound platform event ids already handled: the adapters' exactly-once key."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("platform", "tenant_key", "event_id", name="uq_processed_events"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    tenant_key: Mapped[str] = mapped_column(String(255))
    event_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(index=True)


class FormState(Base):
    """A form in progress: which facts are still asked for and what to resume afterwards."""

    __tablename__ = "form_states"
    __table_args__ = (UniqueConstraint("conversation_id", "deal_id", name="uq_form_states_conv_deal"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    pending: Mapped[dict[str, Any]]  # {"keys": [...]} in asking order
    resume: Mapped[dict[str, Any]]  # the action payload to run once answered
    updated_at: Mapped[datetime]


class ConversationRef(Base):
    """Where to reach a conversation proactively (Teams conversation reference, Slack channel)."""

    __tablename__ = "conversation_refs"
    __table_args__ = (
        UniqueConstraint("platform", "tenant_key", "conversation_key", name="uq_conversation_refs"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    tenant_key: Mapped[str] = mapped_column(String(255))
    conversation_key: Mapped[str] = mapped_column(String(255))
    reference: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class Reminder(Base):
    """A durable scheduled prompt; claimed by one worker at a time through a lease."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_reminders_idempotency"),
        Index("ix_reminders_due", "status", "due_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|cancelled|dropped
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    idempotency_key: Mapped[str] = mapped_column(String(255))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class LlmUsage(Base):
    """Per-tenant daily LLM spend, for the daily budget."""

    __tablename__ = "llm_usage"
    __table_args__ = (UniqueConstraint("tenant_id", "day", name="uq_llm_usage_tenant_day"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD, UTC
    requests: Mapped[int] = mapped_column(default=0)
    tokens: Mapped[int] = mapped_column(default=0)


class UserSetting(Base):
    """One person's settings in one tenant (reminder lead times, morning hour): not deal data,
    so not on any deal's timeline."""

    __tablename__ = "user_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "user_key", name="uq_user_settings_tenant_user"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    user_key: Mapped[str] = mapped_column(String(255))
    settings: Mapped[dict[str, Any]]  # {"before_minutes": [120], "morning": "07:00"}
    updated_at: Mapped[datetime]


class InboxItem(Base):
    """A turn a platform was told we have (Slack's ack, Teams' 202 before the turn ended), kept
    until a worker has run it and delivered the reply; then the row is deleted. Claimed by one
    worker at a time through a lease, like reminders. `payload` holds message text (deal data):
    it lives only while the turn is outstanding and is never logged."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("platform", "tenant_key", "event_id", name="uq_inbox_event"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    tenant_key: Mapped[str] = mapped_column(String(255))
    event_id: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]]  # {"turn": {...}, "reply_to": {...}}: see adapters/inbox.py
    received_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(index=True)


class DealMember(Base):
    """Who may read and change a deal (docs/security.md): its creator, people a member shared
    it with, and, after migration 0006, everyone who had logged something on it."""

    __tablename__ = "deal_members"
    __table_args__ = (UniqueConstraint("deal_id", "user_key", name="uq_deal_members_deal_user"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    user_key: Mapped[str] = mapped_column(String(255), index=True)  # the platform's user id
    via: Mapped[str] = mapped_column(String(16))  # creator | shared | migrated | import
    added_by: Mapped[str] = mapped_column(String(255))
    added_at: Mapped[datetime]


class DealChannel(Base):
    """A deal shared with a private channel: whoever speaks in it is a member of the deal while
    the surface marks the turn as coming from a private, internal channel (Turn.private_channel)."""

    __tablename__ = "deal_channels"
    __table_args__ = (UniqueConstraint("deal_id", "conversation_key", name="uq_deal_channels_deal_conv"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    conversation_key: Mapped[str] = mapped_column(String(255))  # the channel's id on the platform
    added_by: Mapped[str] = mapped_column(String(255))
    added_at: Mapped[datetime]


class TenantSetting(Base):
    """A workspace's access setting. No row: the default, deals are for their members only."""

    __tablename__ = "tenant_settings"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_tenant_settings_tenant"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    open_deals: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    updated_by: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime]


class DealAudit(Base):
    """Append-only (database triggers refuse UPDATE and DELETE; migration 0006): who read a
    protected fact or changed a deal, when, from which surface, and which fact keys. Never a
    value. Plain ids, no foreign keys: the trail outlives what it is about."""

    __tablename__ = "deal_audit"
    __table_args__ = (
        Index("ix_deal_audit_deal", "deal_id", "id"),
        Index("ix_deal_audit_tenant", "tenant_id", "id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(BigId)
    deal_id: Mapped[int | None] = mapped_column(BigId)  # None: a workspace setting
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(255))
    surface: Mapped[str] = mapped_column(String(32))  # the turn's platform: console, slack, teams
    action: Mapped[str] = mapped_column(String(32))  # read | brief | export | change | share | ...
    detail: Mapped[str | None] = mapped_column(String(255))  # the intent, event kind or person
    keys: Mapped[dict[str, Any]]  # {"keys": [fact keys]}: names only, never values


class OfferDraft(Base):
    """An offer read from a document, shown to the person and waiting for their confirmation:
    once confirmed it becomes an `ms_offer` event on the deal's timeline and this row goes.
    One per (conversation, deal): a new document replaces the one still waiting."""

    __tablename__ = "offer_drafts"
    __table_args__ = (UniqueConstraint("conversation_id", "deal_id", name="uq_offer_drafts_conv_deal"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    offer: Mapped[dict[str, Any]]  # Offer.to_json()
    shared_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]


class Rehearsal(Base):
    """A rehearsal of a meeting (bot/skills/rehearsal.py): the coach plays one Microsoft role on
    one deal in one conversation. `state` holds the script (its seed and moves), every line said
    and every verdict, so a restart or another replica picks it up where it stopped.
    `open_slot` is 1 while it is active or paused and NULL once finished: at most one open
    rehearsal per (conversation, deal); finished ones stay as the record of their scripts."""

    __tablename__ = "rehearsals"
    __table_args__ = (
        UniqueConstraint("conversation_id", "deal_id", "open_slot", name="uq_rehearsals_open"),
        Index("ix_rehearsals_deal_role", "deal_id", "role"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    seed: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))  # active | paused | done
    open_slot: Mapped[int | None]
    state: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
