"""The sample deal, built from knowledge/demo.yaml."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

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
    """Creates the sample deal (once) and returns its id."""
    demo: DemoDeal = kb.section("demo.demo")
    existing = await memory.find_deal(demo.name)
    if existing is not None:
        return existing.id
    deal = await memory.create_deal(demo.name, user, now)
    for c in demo.contacts:
        await memory.upsert_contact(deal.id, c.name, c.role, None, c.note, now)
    for e in demo.events:
        at = now - timedelta(days=e.days_ago)
        await memory.append_event(deal.id, e.kind, e.payload, actor=user, at=at, recorded_at=at)
    return deal.id
