"""Conversation references in the database (conversation_refs), so proactive sends survive restarts
and work from any replica."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.db.engine import write_session
from bot.db.models import ConversationRef
from bot.memory import Memory

PLATFORM = "teams"


class References:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions
        # The route (serviceUrl, conversation id, bot id, channel) this process last stored per
        # conversation: while it is unchanged a turn costs no reference work and no write, even
        # when different people speak in a group chat.
        self._seen: dict[tuple[str, str], Hashable] = {}

    def fresh(self, tenant: str, conversation: str, route: Hashable) -> bool:
        return self._seen.get((tenant, conversation)) == route

    async def save(
        self,
        tenant: str,
        conversation: str,
        reference: dict[str, Any],
        now: datetime,
        *,
        route: Hashable = None,
        claim: str | None = None,
    ) -> bool:
        """Store the reference (skipped when this process already stored the same route). With
        `claim`, also claim that inbound event id in the same transaction: False when another
        request (any process) already claimed it."""
        key = (tenant, conversation)
        route = route if route is not None else repr(sorted(reference.items()))
        if claim is None and self._seen.get(key) == route:
            return True
        async with write_session(self.sessions) as session:
            memory = await Memory.for_tenant(session, PLATFORM, tenant, now)
            if claim is not None and not await memory.claim_event(claim, now):
                return False
            if self._seen.get(key) != route:
                await memory.save_reference(conversation, reference, now)
        self._seen[key] = route
        return True

    async def load(self, tenant: str, conversation: str) -> dict[str, Any] | None:
        async with self.sessions() as session:
            stmt = select(ConversationRef.reference).where(
                ConversationRef.platform == PLATFORM,
                ConversationRef.tenant_key == tenant,
                ConversationRef.conversation_key == conversation,
            )
            return (await session.execute(stmt)).scalar_one_or_none()
