"""Conversation references in the database (conversation_refs), so proactive sends survive restarts
and work from any replica. A message or card turn stores its reference inside the turn's own
transaction (Turn.reference, Memory.save_reference); a conversationUpdate, which is no coach turn,
stores it here together with the claim of its event id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.db.engine import write_session
from bot.memory import Memory
from bot.reminders import worker

PLATFORM = "teams"


class References:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    async def save(
        self,
        tenant: str,
        conversation: str,
        reference: dict[str, Any],
        now: datetime,
        claim: str | None = None,
    ) -> bool:
        """Store the reference. With `claim`, also claim that inbound event id in the same
        transaction: False when another request (any process) already claimed it."""
        async with write_session(self.sessions) as session:
            memory = await Memory.for_tenant(session, PLATFORM, tenant, now)
            if claim is not None and not await memory.claim_event(claim, now):
                return False
            await memory.save_reference(conversation, reference, now)
        return True

    async def load(self, tenant: str, conversation: str) -> dict[str, Any] | None:
        return await worker.reference(self.sessions, PLATFORM, tenant, conversation)
