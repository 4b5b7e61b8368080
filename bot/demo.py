"""The sample deal, built from knowledge/demo.yaml."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.access import Person
from bot.db.engine import write_session
from bot.knowledge import Knowledge, KnowledgeSection
from bot.memory import Memory


class DemoEvent(BaseModel):
    days_ago: int = Field(ge=0)
    kind: str
    payload: dict


class DemoContact(BaseModel):
    name: str
    role: str
    note: str | None = None


class DemoDeal(BaseModel):
    name: str
    contacts: list[DemoContact] = []
    events: list[DemoEvent] = []


SECTIONS = (KnowledgeSection("demo", "demo", DemoDeal),)


async def load_demo(memory: Memory, kb: Knowledge, user: str, now: datetime) -> int:
    """Creates the sample deal (once) and returns its id; whoever loads it is a member."""
    demo: DemoDeal = kb.section("demo.demo")
    existing = await memory.find_deal(demo.name)
    if existing is not None:
        await memory.add_member(existing.id, user, user, now)
        return existing.id
    deal = await memory.create_deal(demo.name, user, now)
    for c in demo.contacts:
        await memory.upsert_contact(deal.id, c.name, c.role, None, c.note, now)
    for e in demo.events:
        at = now - timedelta(days=e.days_ago)
        await memory.append_event(deal.id, e.kind, e.payload, actor=user, at=at, recorded_at=at)
    return deal.id


async def load_demo_here(
    sessions: async_sessionmaker[AsyncSession],
    platform: str,
    tenant: str,
    conversation: str,
    kb: Knowledge,
    user: str,
    now: datetime,
) -> int:
    """The sample deal (made once), active in `conversation`, in one transaction; its id."""
    async with write_session(sessions) as session:
        memory = await Memory.for_tenant(session, platform, tenant, now)
        deal_id = await load_demo(memory, kb, user, now)
        await memory.bind(await memory.conversation(conversation, now), await memory.get_deal(deal_id))
    return deal_id


async def has_deals(
    sessions: async_sessionmaker[AsyncSession], platform: str, tenant: str, now: datetime, user: str
) -> bool:
    """Whether `user` has a deal here (the shell's first hint)."""
    async with sessions() as session, session.begin():
        memory = await Memory.for_tenant(session, platform, tenant, now)
        return bool(await memory.list_deals(Person(user)))
