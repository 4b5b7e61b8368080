"""Who may talk to the coach on Teams, and where it may talk about deals (docs/security.md,
"Outsiders").

An outsider (a user of another Entra tenant in a federated or external chat, a guest, an
anonymous meeting participant, a bot) gets one line that names nothing, and nothing of theirs
is stored: no turn, no conversation reference. A group chat or channel that includes outsiders
gets no deal content: the coach says it only discusses deals in a 1:1 chat, and runs nothing.

The activity is read first (`from.role`, `from.aadObjectId`, `from.tenantId`, `userRole`, the
conversation's and the channel data's tenant, a shared channel); then the Bot Connector's
member record of the speaker (`userRole`, `tenantId`) and, for group chats and channels, its
member list, through the SDK's connector client. Both are cached in this process for a few
minutes: a cache of Teams' answers, never state the coach relies on.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

from microsoft_agents.hosting.core import ConnectorClientBase, TurnContext

log = logging.getLogger("coach.teams")

TTL = 300.0  # seconds a member record or a member list is reused
LOOKUP_TIMEOUT = 3.0
MAX_ENTRIES = 50_000
OUTSIDE_ROLES = {"guest", "anonymous"}
NOT_PEOPLE = {"bot", "skill"}
_OBJECT_ID = re.compile(r"[A-Za-z0-9._:-]{1,200}")  # what the core reads inside `<@…>`


@dataclass(frozen=True, slots=True)
class Verdict:
    outsider: bool = False  # refuse: one line that names nothing, nothing stored
    silent: bool = False  # a bot: no answer at all
    unchecked: bool = False  # the member record could not be read: refused for now
    external: bool = False  # the conversation includes outsiders: no deal content here
    why: str = ""  # the kind of outsider, for the log line (never an id or any text)


def _extra(model: Any, *names: str) -> Any:
    """A field Teams sends that the SDK's model keeps as an extra (e.g. `userRole`)."""
    if model is None:
        return None
    extra = getattr(model, "model_extra", None) or {}
    for name in names:
        if extra.get(name) is not None:
            return extra[name]
        value = getattr(model, name, None)
        if value is not None:
            return value
    return None


def _lower(value: Any) -> str:
    return str(value).strip().lower() if value else ""


def channel_data(activity: Any) -> dict[str, Any]:
    data = getattr(activity, "channel_data", None)
    if hasattr(data, "model_dump"):
        data = data.model_dump(by_alias=True, exclude_none=True)
    return data if isinstance(data, dict) else {}


def member_outsider(member: dict[str, Any], tenant: str) -> str:
    """Why a member record (`userRole`, `tenantId`, `aadObjectId`) is an outsider ("" when not)."""
    role = _lower(member.get("userRole") or member.get("user_role"))
    if role in OUTSIDE_ROLES:
        return role
    if _lower(member.get("role")) in NOT_PEOPLE:
        return "bot"
    their = _lower(member.get("tenantId") or member.get("tenant_id"))
    if their and tenant and their != tenant:
        return "other tenant"
    return ""


def read_activity(activity: Any, tenant: str) -> Verdict | None:
    """What the activity alone says: a Verdict refusing the speaker, or None (look further)."""
    person = getattr(activity, "from_property", None)
    if person is None or not getattr(person, "id", None):
        return Verdict(outsider=True, silent=True, why="no sender")
    if _lower(getattr(person, "role", None)) in NOT_PEOPLE:
        return Verdict(outsider=True, silent=True, why="bot")
    role = _lower(_extra(person, "userRole", "user_role"))
    if role in OUTSIDE_ROLES:
        return Verdict(outsider=True, why=role)
    if not getattr(person, "aad_object_id", None):  # anonymous meeting participants have none
        return Verdict(outsider=True, why="anonymous")
    theirs = _lower(getattr(person, "tenant_id", None) or _extra(person, "tenantId"))
    if theirs and theirs != tenant:
        return Verdict(outsider=True, why="other tenant")
    conversation = _lower(getattr(getattr(activity, "conversation", None), "tenant_id", None))
    data_tenant = _lower((channel_data(activity).get("tenant") or {}).get("id"))
    if conversation and data_tenant and conversation != data_tenant:  # a cross-tenant conversation
        return Verdict(outsider=True, why="other tenant")
    return None


def shared_channel(activity: Any) -> bool:
    """A Teams Connect shared channel: people of other tenants may read it."""
    channel = channel_data(activity).get("channel") or {}
    return _lower(channel.get("membershipType") or channel.get("type")) == "shared"


def is_personal(activity: Any) -> bool:
    kind = _lower(getattr(getattr(activity, "conversation", None), "conversation_type", None))
    return kind in ("", "personal")


class Gate:
    """The outsider checks of one process, with their short-lived caches."""

    def __init__(self, *, lookups: bool = True, ttl: float = TTL) -> None:
        self.lookups = lookups  # off in anonymous local development: there is no connector token
        self.ttl = ttl
        self._members: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._rooms: dict[tuple[str, str], tuple[float, bool]] = {}

    async def check(self, context: TurnContext, tenant: str, conversation: str) -> Verdict:
        activity = context.activity
        said = read_activity(activity, tenant)
        if said is not None:
            return said
        if not self.lookups:
            return Verdict(external=shared_channel(activity))
        member = await self.member(context, tenant, conversation)
        if member is None:
            return Verdict(outsider=True, unchecked=True, why="unchecked")
        why = member_outsider(member, tenant)
        if why:
            return Verdict(outsider=True, silent=why == "bot", why=why)
        if is_personal(activity):
            return Verdict()
        return Verdict(
            external=shared_channel(activity) or await self.external_room(context, tenant, conversation)
        )

    def _client(self, context: TurnContext) -> Any:
        client = context.services.get(ConnectorClientBase) if getattr(context, "services", None) else None
        if client is None:
            raise LookupError("no connector client for this turn")
        return client

    async def member(self, context: TurnContext, tenant: str, conversation: str) -> dict[str, Any] | None:
        """The connector's record of the speaker in this conversation (cached), or None."""
        person = context.activity.from_property
        return await self.lookup(context, tenant, str(person.id), key=str(person.aad_object_id or person.id))

    async def lookup(
        self, context: TurnContext, tenant: str, account_id: str, *, key: str | None = None
    ) -> dict[str, Any] | None:
        """The connector's record of a member of this turn's conversation by their channel
        account id (`29:…`), cached under `key` (default: that id); None when it can't be read
        (the connector fails or times out, or the account is no member of the conversation)."""
        cache_key = (tenant, key or account_id)
        hit = self._members.get(cache_key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        try:
            client = self._client(context)
            found = await asyncio.wait_for(
                client.conversations.get_conversation_member(context.activity.conversation.id, account_id),
                timeout=LOOKUP_TIMEOUT,
            )
            record = (
                found.model_dump(by_alias=True, exclude_none=True) if hasattr(found, "model_dump") else {}
            )
        except Exception as exc:
            log.warning("teams member lookup unavailable (%s)", type(exc).__name__)
            return None
        if len(self._members) > MAX_ENTRIES:
            self._members.clear()
        self._members[cache_key] = (time.monotonic() + self.ttl, record)
        return record

    async def mentioned(self, context: TurnContext, tenant: str, account: Any) -> tuple[str | None, str]:
        """A person a message mentions (the mention entity's `mentioned` account): (their Entra
        object id, "") when they are a person of this organisation, else (None, why) with why
        "outside", "unknown" or "not-a-person" (`Turn.mentions_refused`). Teams gives a user's
        mention as the channel account id (`29:…`); the member lookup gives the object id, which
        is what `Turn.user` is and what deal memberships are stored under."""
        account_id = str(getattr(account, "id", None) or "")
        if not account_id.startswith("29:") or _lower(getattr(account, "role", None)) in NOT_PEOPLE:
            return None, "not-a-person"  # a tag, a channel, a team, "everyone", a bot
        if not self.lookups:  # anonymous local development: what the activity says, nothing more
            aad = getattr(account, "aad_object_id", None)
            return (str(aad), "") if aad else (None, "unknown")
        record = await self.lookup(context, tenant, account_id)
        if record is None:
            return None, "unknown"
        why = member_outsider(record, tenant)
        if why == "bot":
            return None, "not-a-person"
        aad = record.get("aadObjectId") or record.get("aad_object_id")
        if why or not aad:  # a guest, another tenant's user, an anonymous participant
            return None, "outside"
        if not _OBJECT_ID.fullmatch(str(aad)):
            return None, "unknown"
        return str(aad), ""

    async def external_room(self, context: TurnContext, tenant: str, conversation: str) -> bool:
        """Does any member of this group chat or channel come from outside? (cached; when the
        list can't be read, yes: the coach then keeps deals out of it)."""
        key = (tenant, conversation)
        hit = self._rooms.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        try:
            client = self._client(context)
            members = await asyncio.wait_for(
                client.conversations.get_conversation_members(context.activity.conversation.id),
                timeout=LOOKUP_TIMEOUT,
            )
            me = getattr(context.activity.recipient, "id", None)
            records = [m.model_dump(by_alias=True, exclude_none=True) for m in members or []]
            external = any(member_outsider(m, tenant) for m in records if m.get("id") != me)
        except Exception as exc:
            log.info("teams member list unavailable (%s); no deals in this conversation", type(exc).__name__)
            return True
        if len(self._rooms) > MAX_ENTRIES:
            self._rooms.clear()
        self._rooms[key] = (time.monotonic() + self.ttl, external)
        return external
