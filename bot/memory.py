"""Deal memory: every read and write of the core, scoped to one tenant.

A Memory is one tenant's repository on one AsyncSession (one transaction per turn), built by
`Memory.for_tenant`. Every query that touches a deal filters by tenant, so an id typed in
workspace A can never reach a deal of workspace B.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, bindparam, delete, exists, func, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Person
from bot.db.models import (
    Conversation,
    ConversationRef,
    Deal,
    DealAudit,
    DealChannel,
    DealContact,
    DealEvent,
    DealMember,
    FormState,
    OfferDraft,
    ProcessedEvent,
    Rehearsal,
    Tenant,
    TenantSetting,
)
from bot.llm.usage import add_tokens, take_request
from bot.timeline import Contact, DealView, Event, Timeline, make_view


class DealNameTaken(ValueError):
    pass


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


async def get_or_create(session: AsyncSession, model: type, lookup: dict[str, Any], **extra: Any) -> Any:
    """Race-safe get-or-create: a concurrent insert of the same key is caught and re-read."""
    stmt = select(model).filter_by(**lookup)
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is not None:
        return row
    try:
        async with session.begin_nested():
            row = model(**lookup, **extra)
            session.add(row)
        return row
    except IntegrityError:
        return (await session.execute(stmt)).scalar_one()


class DealCache:
    """Decoded reads of deals, kept between turns, each valid only while a version column
    says the deal is unchanged: a deal's timeline while its newest event id is the same (the
    timeline is append-only), its contact list while its `contacts_version` is. Every read
    checks the version in the database, so the database stays the only truth, across
    replicas too. Least recently used deals are dropped beyond `size`."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._timelines: OrderedDict[int, tuple[int, Timeline]] = OrderedDict()
        self._contacts: OrderedDict[int, tuple[int, tuple[Contact, ...]]] = OrderedDict()

    def timeline(self, deal_id: int, newest_event_id: int) -> Timeline | None:
        return self._get(self._timelines, deal_id, newest_event_id)

    def put_timeline(self, deal_id: int, newest_event_id: int, timeline: Timeline) -> None:
        self._put(self._timelines, deal_id, newest_event_id, timeline)

    def contacts(self, deal_id: int, version: int) -> tuple[Contact, ...] | None:
        return self._get(self._contacts, deal_id, version)

    def put_contacts(self, deal_id: int, version: int, contacts: tuple[Contact, ...]) -> None:
        self._put(self._contacts, deal_id, version, contacts)

    @staticmethod
    def _get(items: OrderedDict[int, tuple[int, Any]], deal_id: int, version: int) -> Any:
        hit = items.get(deal_id)
        if hit is None or hit[0] != version:
            return None
        items.move_to_end(deal_id)
        return hit[1]

    def _put(self, items: OrderedDict[int, tuple[int, Any]], deal_id: int, version: int, value: Any) -> None:
        items[deal_id] = (version, value)
        items.move_to_end(deal_id)
        while len(items) > self.size:
            items.popitem(last=False)


class KnownTenants:
    """Tenant rows already read, by (platform, external id). A tenant row never changes once
    made, so a turn of a known tenant skips the lookup (SQLAlchemy's `merge(load=False)`
    puts the row into the turn's session as it is). Only committed rows are kept."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._rows: dict[tuple[str, str], Tenant] = {}

    def get(self, platform: str, external_id: str) -> Tenant | None:
        return self._rows.get((platform, external_id))

    def add(self, tenant: Tenant) -> None:
        if len(self._rows) < self.size:
            self._rows[(tenant.platform, tenant.external_id)] = tenant


class KnownConversations:
    """Conversations (tenant id, external id) this process has opened or made. Only an order
    of statements hangs on it, never an answer: a conversation not in it is made first
    (INSERT … ON CONFLICT DO NOTHING RETURNING id), which a first message needs anyway and
    then needs nothing else; one that already existed returns nothing and is read as usual,
    once per process. A conversation in it is read first; if it is gone (its transaction
    rolled back), the read finds nothing and it is made. Past `size` the set starts again."""

    def __init__(self, size: int = 200_000) -> None:
        self.size = size
        self._keys: set[tuple[int, str]] = set()

    def __contains__(self, key: tuple[int, str]) -> bool:
        return key in self._keys

    def add(self, key: tuple[int, str]) -> None:
        if len(self._keys) >= self.size:
            self._keys.clear()
        self._keys.add(key)


def _claim_statement(insert: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING: one row the first time, none after (its rowcount)."""
    table = ProcessedEvent.__table__
    return (
        insert(table)
        .values(
            platform=bindparam("platform"),
            tenant_key=bindparam("tenant_key"),
            event_id=bindparam("event_id"),
            created_at=bindparam("created_at", type_=table.c.created_at.type),
        )
        .on_conflict_do_nothing()
    )


def _new_conversation_statement(insert: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: a first message makes its conversation in
    one statement; one made by a concurrent first message a moment ago returns nothing."""
    table = Conversation.__table__
    return (
        insert(table)
        .values(
            tenant_id=bindparam("tenant_id"),
            external_id=bindparam("external_id"),
            created_at=bindparam("created_at", type_=table.c.created_at.type),
        )
        .on_conflict_do_nothing()
        .returning(table.c.id)
    )


# Built once per dialect: SQLAlchemy caches their compiled form, a statement built per turn
# would have to be keyed again every time.
_CLAIM = {"sqlite": _claim_statement(sqlite_insert), "postgresql": _claim_statement(pg_insert)}
_NEW_CONVERSATION = {
    "sqlite": _new_conversation_statement(sqlite_insert),
    "postgresql": _new_conversation_statement(pg_insert),
}


def _visible(user: Any, channel: Any) -> ColumnElement[bool]:
    """SQL: the `Deal` row is visible to `user` speaking in `channel` (None unless the surface
    marked it a private, internal channel): bot/access.py says the rule in words."""
    return or_(
        exists().where(TenantSetting.tenant_id == Deal.tenant_id, TenantSetting.open_deals == true()),
        exists().where(DealMember.deal_id == Deal.id, DealMember.user_key == user),
        exists().where(DealChannel.deal_id == Deal.id, DealChannel.conversation_key == channel),
    )


def _visible_to(person: Person) -> ColumnElement[bool]:
    return _visible(person.user, person.channel)


_NEWEST = select(func.max(DealEvent.id)).where(DealEvent.deal_id == Deal.id).correlate(Deal).scalar_subquery()
# The start of a turn in one query: the conversation, its active deal (of this tenant only),
# the deal's newest event id (the timeline cache's version), any form in progress, the
# rehearsal open there (at most one: uq_rehearsals_open), and whether the person may see that deal.
_OPENING = (
    select(
        Conversation.id,
        Deal,
        _NEWEST,
        FormState,
        _visible(bindparam("user"), bindparam("channel")).label("visible"),
        Conversation.dialogue,
        Rehearsal,
    )
    .outerjoin(Deal, (Deal.id == Conversation.active_deal_id) & (Deal.tenant_id == bindparam("tenant_id")))
    .outerjoin(FormState, (FormState.conversation_id == Conversation.id) & (FormState.deal_id == Deal.id))
    .outerjoin(
        Rehearsal,
        (Rehearsal.conversation_id == Conversation.id)
        & (Rehearsal.deal_id == Deal.id)
        & (Rehearsal.open_slot == 1),
    )
    .where(
        Conversation.tenant_id == bindparam("tenant_id"), Conversation.external_id == bindparam("external_id")
    )
)


_REFERENCE = select(ConversationRef.reference).where(
    ConversationRef.platform == bindparam("platform"),
    ConversationRef.tenant_key == bindparam("tenant_key"),
    ConversationRef.conversation_key == bindparam("conversation_key"),
)


class Opening(NamedTuple):
    """Where a turn starts: its conversation, the active deal and its newest event id, and the
    form in progress there (ORM rows of this session). `visible`: the person may see the deal."""

    conversation_id: int
    deal: Deal | None
    newest_event_id: int | None  # None: not known, look it up
    form: FormState | None
    visible: bool = True
    dialogue: dict[str, Any] | None = None  # the stored dialogue state (bot/dialogue/state.py)
    rehearsal: Rehearsal | None = None  # the rehearsal open here on that deal (active or paused)


# The key under which the dialogue JSON keeps the conversation's recent messages for the
# configured LLM's story reading (bot/understanding/llm_reader.py); absent when it is off.
STORY_KEY = "story"


class Said(NamedTuple):
    """What a conversation holds for the configured LLM's reading (bot/understanding/llm_reader.py):
    its active deal, when the person may see it, and its stored dialogue JSON."""

    deal_id: int | None
    dialogue: dict[str, Any] | None


_SAVE_DIALOGUE = (
    update(Conversation.__table__)
    .where(
        Conversation.__table__.c.id == bindparam("cid"),
        Conversation.__table__.c.tenant_id == bindparam("tid"),
    )
    .values(dialogue=bindparam("dialogue"))
)

_SAID = (
    select(Deal.id, Conversation.dialogue, _visible(bindparam("user"), bindparam("channel")).label("visible"))
    .select_from(Conversation)
    .outerjoin(Deal, (Deal.id == Conversation.active_deal_id) & (Deal.tenant_id == bindparam("tenant_id")))
    .where(
        Conversation.tenant_id == bindparam("tenant_id"), Conversation.external_id == bindparam("external_id")
    )
)


class Member(NamedTuple):
    user: str
    via: str  # creator | shared | migrated | import
    added_by: str
    added_at: datetime


class AuditRow(NamedTuple):
    at: datetime
    actor: str
    surface: str
    action: str
    detail: str | None
    keys: tuple[str, ...]


class Memory:
    """One tenant's deals on one session (one transaction): build it with `Memory.for_tenant`.
    `cache`: a DealCache shared between turns (the Coach keeps one)."""

    def __init__(self, session: AsyncSession, tenant: Tenant, cache: DealCache | None = None) -> None:
        self.session = session
        self.tenant = tenant
        self.cache = cache
        self._dialect = session.bind.dialect.name  # "sqlite" or "postgresql"
        # Deals written in this (uncommitted) transaction: their reads are not cached, since a
        # rollback could let SQLite hand the same event id to a different event later.
        self._written: set[int] = set()

    @classmethod
    async def for_tenant(
        cls,
        session: AsyncSession,
        platform: str,
        external_id: str,
        now: datetime,
        cache: DealCache | None = None,
        *,
        tenants: KnownTenants | None = None,
    ) -> Memory:
        """The memory of the tenant (workspace, Teams tenant, the terminal) known to `platform`
        as `external_id`; its row is made on first use."""
        known = tenants.get(platform, external_id) if tenants is not None else None
        if known is not None:
            # Read only for its columns (no relationship reaches it): used as it is, detached,
            # without the cost of merging it into this session.
            return cls(session, known, cache)
        lookup = {"platform": platform, "external_id": external_id}
        tenant = (await session.execute(select(Tenant).filter_by(**lookup))).scalar_one_or_none()
        if tenant is None:
            tenant = await get_or_create(session, Tenant, lookup, created_at=now)
        elif tenants is not None:  # committed already: a row made in this turn could roll back
            # The kept row is detached from every session, so no rollback can expire it.
            session.expunge(tenant)
            tenants.add(tenant)
            tenant = await session.merge(tenant, load=False)
        return cls(session, tenant, cache)

    # --- exactly-once -----------------------------------------------------------
    async def claim_event(self, event_id: str, now: datetime) -> bool:
        """True the first time an inbound event id is seen for this tenant, False after.
        The unique key makes this hold across processes; it commits with the turn."""
        values = {
            "platform": self.tenant.platform,
            "tenant_key": self.tenant.external_id,
            "event_id": event_id,
            "created_at": now,
        }
        # A concurrent claim of the same id waits on the unique index, then finds the conflict.
        conn = await self.session.connection()
        return (await conn.execute(_CLAIM[self._dialect], values)).rowcount == 1

    # --- conversations and deals ---------------------------------------------------
    async def open_conversation(
        self,
        external_id: str,
        now: datetime,
        person: Person | None = None,
        known: KnownConversations | None = None,
    ) -> Opening:
        """The start of a turn in one query (a first message here also makes the conversation);
        with `person`, whether they may see its active deal (without, it counts as visible).
        `known`: the conversations this process has seen; one it has not is made first, which
        saves the read for a first message (see KnownConversations)."""
        params = {"tenant_id": self.tenant.id, "external_id": external_id}
        key = (self.tenant.id, external_id)
        if known is not None and key not in known:
            known.add(key)
            conn = await self.session.connection()
            new = {**params, "created_at": now}
            made = (await conn.execute(_NEW_CONVERSATION[self._dialect], new)).scalar()
            if made is not None:  # a new conversation: no deal, no form, no dialogue yet
                return Opening(made, None, 0, None)
        who = {"user": person.user, "channel": person.channel} if person else {"user": None, "channel": None}
        row = (await self.session.execute(_OPENING, {**params, **who})).first()
        if row is None:
            conn = await self.session.connection()
            new = {**params, "created_at": now}
            made = (await conn.execute(_NEW_CONVERSATION[self._dialect], new)).scalar()
            if made is None:  # another process made it a moment ago
                made = (await self.conversation(external_id, now)).id
            if known is not None:
                known.add(key)
            return Opening(made, None, 0, None)
        conversation_id, deal, newest, form, visible, dialogue, rehearsal = row
        seen = person is None or bool(visible)
        return Opening(conversation_id, deal, newest or 0, form, seen, dialogue, rehearsal)

    async def save_dialogue(self, conversation_id: int, state: dict[str, Any]) -> None:
        """The conversation's dialogue state, in this turn's transaction."""
        # A Core statement, compiled once: no ORM row of the conversation is loaded in a turn.
        conn = await self.session.connection()
        await conn.execute(_SAVE_DIALOGUE, {"cid": conversation_id, "tid": self.tenant.id, "dialogue": state})

    async def said(self, external_id: str, person: Person | None = None) -> Said:
        """The conversation's active deal and dialogue JSON, read only (nothing is made): the
        deal and the dialogue only when `person` may see that deal (without, it counts as visible)."""
        params = {"tenant_id": self.tenant.id, "external_id": external_id}
        who = {"user": person.user, "channel": person.channel} if person else {"user": None, "channel": None}
        row = (await self.session.execute(_SAID, {**params, **who})).first()
        if row is None or row[0] is None or (person is not None and not row[2]):
            return Said(None, None)
        return Said(int(row[0]), row[1] if isinstance(row[1], dict) else None)

    async def fact_values(self, deal_id: int, keys: Callable[[str], bool]) -> list[Any]:
        """Every value ever stored on the deal under a key `keys` accepts, undone ones too."""
        stmt = select(DealEvent.payload).where(
            DealEvent.deal_id == deal_id,
            DealEvent.kind == "fact",
            DealEvent.deal_id.in_(select(Deal.id).where(Deal.tenant_id == self.tenant.id)),
        )
        out: list[Any] = []
        for (payload,) in await self.session.execute(stmt):
            key = payload.get("key") if isinstance(payload, dict) else None
            if isinstance(key, str) and keys(key):
                out.append(payload.get("value"))
        return out

    # --- the configured LLM's daily allowance (bot/llm/usage.py) -------------------------
    async def take_llm_request(self, day: str, limit: int) -> bool:
        """One model call off this tenant's allowance for the UTC `day`; False when spent."""
        return await take_request(self.session, self.tenant.id, day, limit)

    async def add_llm_tokens(self, day: str, tokens: int) -> None:
        await add_tokens(self.session, self.tenant.id, day, tokens)

    async def conversation(self, external_id: str, now: datetime) -> Conversation:
        return await get_or_create(
            self.session,
            Conversation,
            {"tenant_id": self.tenant.id, "external_id": external_id},
            created_at=now,
        )

    async def create_deal(
        self, name: str, created_by: str, now: datetime, *, member: str | None = None, via: str = "creator"
    ) -> Deal:
        """A new deal of this tenant; `member` (by default its creator) is its first member."""
        name = " ".join(name.split())
        if await self.find_deal(name) is not None:
            raise DealNameTaken(name)
        try:
            async with self.session.begin_nested():
                deal = Deal(
                    tenant_id=self.tenant.id,
                    name=name,
                    name_key=name_key(name),
                    created_by=created_by,
                    created_at=now,
                )
                self.session.add(deal)
        except IntegrityError:
            raise DealNameTaken(name) from None
        first = created_by if member is None else member
        if first:
            await self.add_member(deal.id, first, created_by or first, now, via=via)
        await self.audit(deal.id, first or created_by, "create", now, detail=via)
        return deal

    async def find_deal(self, name: str) -> Deal | None:
        stmt = select(Deal).where(Deal.tenant_id == self.tenant.id, Deal.name_key == name_key(name))
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_deal(self, deal_id: int) -> Deal | None:
        stmt = select(Deal).where(Deal.tenant_id == self.tenant.id, Deal.id == deal_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list_deals(self, person: Person | None) -> list[Deal]:
        """The tenant's deals `person` may see, by name (None: every deal, for the system's own use)."""
        stmt = select(Deal).where(Deal.tenant_id == self.tenant.id).order_by(Deal.name_key)
        if person is not None:
            stmt = stmt.where(_visible_to(person))
        return list((await self.session.execute(stmt)).scalars())

    # --- who may see a deal (bot/access.py, docs/security.md) ---------------------------
    async def find_visible(self, name: str, person: Person) -> Deal | None:
        """The deal called `name` if `person` may see it; a deal they may not see is answered
        exactly as one that does not exist."""
        stmt = select(Deal).where(
            Deal.tenant_id == self.tenant.id, Deal.name_key == name_key(name), _visible_to(person)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def can_see(self, deal_id: int, person: Person) -> bool:
        stmt = select(Deal.id).where(
            Deal.tenant_id == self.tenant.id, Deal.id == deal_id, _visible_to(person)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def visible_ids(self, person: Person) -> set[int]:
        stmt = select(Deal.id).where(Deal.tenant_id == self.tenant.id, _visible_to(person))
        return set((await self.session.execute(stmt)).scalars())

    async def add_member(
        self, deal_id: int, user: str, by: str, now: datetime, *, via: str = "shared"
    ) -> bool:
        """True when `user` became a member (False: they already were)."""
        stmt = select(DealMember.id).where(DealMember.deal_id == deal_id, DealMember.user_key == user)
        if (await self.session.execute(stmt)).first() is not None:
            return False
        try:
            async with self.session.begin_nested():
                self.session.add(
                    DealMember(deal_id=deal_id, user_key=user, via=via, added_by=by, added_at=now)
                )
        except IntegrityError:  # a concurrent share of the same person
            return False
        return True

    async def remove_member(self, deal_id: int, user: str) -> bool:
        result = await self.session.execute(
            delete(DealMember).where(DealMember.deal_id == deal_id, DealMember.user_key == user)
        )
        return bool(result.rowcount)

    async def members(self, deal_id: int) -> list[Member]:
        rows = await self.session.execute(
            select(DealMember.user_key, DealMember.via, DealMember.added_by, DealMember.added_at)
            .where(DealMember.deal_id == deal_id)
            .order_by(DealMember.id)
        )
        return [Member(u, v, b, _utc(a) or a) for u, v, b, a in rows]

    async def channels(self, deal_id: int) -> list[str]:
        stmt = (
            select(DealChannel.conversation_key)
            .where(DealChannel.deal_id == deal_id)
            .order_by(DealChannel.id)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def share_channel(self, deal_id: int, conversation_key: str, by: str, now: datetime) -> bool:
        if conversation_key in await self.channels(deal_id):
            return False
        try:
            async with self.session.begin_nested():
                self.session.add(
                    DealChannel(deal_id=deal_id, conversation_key=conversation_key, added_by=by, added_at=now)
                )
        except IntegrityError:
            return False
        return True

    async def unshare_channel(self, deal_id: int, conversation_key: str) -> bool:
        result = await self.session.execute(
            delete(DealChannel).where(
                DealChannel.deal_id == deal_id, DealChannel.conversation_key == conversation_key
            )
        )
        return bool(result.rowcount)

    async def open_deals(self) -> bool:
        """The workspace's setting: True when every member of it may see every deal."""
        stmt = select(TenantSetting.open_deals).where(TenantSetting.tenant_id == self.tenant.id)
        return bool((await self.session.execute(stmt)).scalar_one_or_none())

    async def set_open_deals(self, on: bool, by: str, now: datetime) -> None:
        row = (
            await self.session.execute(select(TenantSetting).where(TenantSetting.tenant_id == self.tenant.id))
        ).scalar_one_or_none()
        if row is None:
            try:
                async with self.session.begin_nested():
                    self.session.add(
                        TenantSetting(tenant_id=self.tenant.id, open_deals=on, updated_by=by, updated_at=now)
                    )
                return
            except IntegrityError:  # set at the same moment elsewhere: this one is the later
                row = (
                    await self.session.execute(
                        select(TenantSetting).where(TenantSetting.tenant_id == self.tenant.id)
                    )
                ).scalar_one()
        row.open_deals, row.updated_by, row.updated_at = on, by, now
        await self.session.flush()

    # --- the audit trail: names, never values --------------------------------------------
    async def audit(
        self,
        deal_id: int | None,
        actor: str,
        action: str,
        now: datetime,
        *,
        detail: str | None = None,
        keys: list[str] | tuple[str, ...] = (),
    ) -> None:
        """One row of the append-only trail; the surface is this tenant's platform."""
        self.session.add(
            DealAudit(
                tenant_id=self.tenant.id,
                deal_id=deal_id,
                at=now,
                actor=actor[:255],
                surface=self.tenant.platform[:32],
                action=action[:32],
                detail=detail[:255] if detail else None,
                keys={"keys": sorted(set(keys))},
            )
        )
        await self.session.flush()

    async def audit_trail(self, deal_id: int, limit: int = 10_000) -> list[AuditRow]:
        """The deal's audit rows, oldest first."""
        rows = await self.session.execute(
            select(
                DealAudit.at,
                DealAudit.actor,
                DealAudit.surface,
                DealAudit.action,
                DealAudit.detail,
                DealAudit.keys,
            )
            .where(DealAudit.tenant_id == self.tenant.id, DealAudit.deal_id == deal_id)
            .order_by(DealAudit.id)
            .limit(limit)
        )
        return [
            AuditRow(_utc(at) or at, actor, surface, action, detail, tuple((keys or {}).get("keys", [])))
            for at, actor, surface, action, detail, keys in rows
        ]

    async def bind(self, conversation: Conversation, deal: Deal | None) -> None:
        conversation.active_deal_id = deal.id if deal else None
        await self.session.flush()

    async def active_deal(self, conversation: Conversation) -> Deal | None:
        if conversation.active_deal_id is None:
            return None
        return await self.get_deal(conversation.active_deal_id)

    # --- timeline ---------------------------------------------------------------
    async def deal_view(self, deal_id: int, deal: Deal | None = None, newest: int | None = None) -> DealView:
        if deal is None or deal.id != deal_id or deal.tenant_id != self.tenant.id:
            deal = await self.get_deal(deal_id)
        if deal is None:
            raise LookupError("no such deal in this workspace")
        timeline = await self._timeline(deal_id, newest)
        return make_view(deal.id, deal.name, timeline, await self._cached_contacts(deal))

    async def _cached_contacts(self, deal: Deal) -> tuple[Contact, ...]:
        version = deal.contacts_version or 0
        cacheable = self.cache is not None and deal.id not in self._written
        if cacheable:
            hit = self.cache.contacts(deal.id, version)
            if hit is not None:
                return hit
        contacts = tuple(await self.contacts(deal.id))
        if cacheable:
            self.cache.put_contacts(deal.id, version, contacts)
        return contacts

    async def _contacts_changed(self, deal_id: int) -> None:
        self._written.add(deal_id)
        await self.session.execute(
            update(Deal).where(Deal.id == deal_id).values(contacts_version=Deal.contacts_version + 1)
        )

    async def _timeline(self, deal_id: int, newest: int | None = None) -> Timeline:
        cacheable = self.cache is not None and deal_id not in self._written
        if cacheable:
            if newest is None:
                newest = (
                    await self.session.execute(
                        select(func.max(DealEvent.id)).where(DealEvent.deal_id == deal_id)
                    )
                ).scalar_one()
            cached = self.cache.timeline(deal_id, newest or 0)
            if cached is not None:
                return cached
        rows = await self.session.execute(
            select(
                DealEvent.id,
                DealEvent.kind,
                DealEvent.payload,
                DealEvent.actor,
                DealEvent.occurred_at,
                DealEvent.recorded_at,
            )
            .where(DealEvent.deal_id == deal_id)
            .order_by(DealEvent.occurred_at, DealEvent.id)
        )
        events = tuple(
            Event(id=r[0], kind=r[1], payload=r[2], actor=r[3], at=_utc(r[4]), recorded_at=_utc(r[5]))
            for r in rows
        )
        timeline = Timeline.of(events)  # shared across turns: read-only
        if cacheable:
            self.cache.put_timeline(deal_id, max((e.id for e in events), default=0), timeline)
        return timeline

    async def deal_views(self, person: Person | None) -> list[DealView]:
        """The deals of this tenant `person` may see (None: every one) as DealViews, by name, in
        three queries whatever the number of deals: the deals, their events, their contacts. (A
        portfolio read goes past the per-deal cache turns use: it would push out the deals
        people are working on.)"""
        which = [Deal.tenant_id == self.tenant.id]
        if person is not None:
            which.append(_visible_to(person))
        heads = (
            await self.session.execute(select(Deal.id, Deal.name).where(*which).order_by(Deal.name_key))
        ).all()
        if not heads:
            return []
        mine = select(Deal.id).where(*which).scalar_subquery()
        events: dict[int, list[Event]] = {}
        rows = await self.session.execute(
            select(
                DealEvent.deal_id,
                DealEvent.id,
                DealEvent.kind,
                DealEvent.payload,
                DealEvent.actor,
                DealEvent.occurred_at,
                DealEvent.recorded_at,
            )
            .where(DealEvent.deal_id.in_(mine))
            .order_by(DealEvent.deal_id, DealEvent.occurred_at, DealEvent.id)
        )
        for r in rows:
            events.setdefault(r[0], []).append(
                Event(id=r[1], kind=r[2], payload=r[3], actor=r[4], at=_utc(r[5]), recorded_at=_utc(r[6]))
            )
        contacts: dict[int, list[Contact]] = {}
        stmt = select(DealContact).where(DealContact.deal_id.in_(mine)).order_by(DealContact.id)
        for c in (await self.session.execute(stmt)).scalars():
            contacts.setdefault(c.deal_id, []).append(_contact(c))
        return [
            make_view(deal_id, name, Timeline.of(events.get(deal_id, ())), contacts.get(deal_id, ()))
            for deal_id, name in heads
        ]

    async def append_event(
        self,
        deal_id: int,
        kind: str,
        payload: dict[str, Any],
        *,
        actor: str,
        at: datetime,
        recorded_at: datetime,
    ) -> Event:
        if await self.get_deal(deal_id) is None:
            raise LookupError("no such deal in this workspace")
        self._written.add(deal_id)
        row = DealEvent(
            deal_id=deal_id, kind=kind, payload=payload, actor=actor, occurred_at=at, recorded_at=recorded_at
        )
        self.session.add(row)
        await self.session.flush()
        return Event(id=row.id, kind=kind, payload=payload, actor=actor, at=at, recorded_at=recorded_at)

    # --- contacts -----------------------------------------------------------------
    async def contacts(self, deal_id: int) -> list[Contact]:
        rows = (
            await self.session.execute(
                select(DealContact).where(DealContact.deal_id == deal_id).order_by(DealContact.id)
            )
        ).scalars()
        return [_contact(c) for c in rows]

    async def upsert_contact(
        self,
        deal_id: int,
        name: str,
        role: str,
        kpis: list[str] | None,
        note: str | None,
        now: datetime | None = None,
    ) -> Contact:
        name = " ".join(name.split())
        stmt = select(DealContact).where(
            DealContact.deal_id == deal_id, DealContact.name_key == name_key(name)
        )
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        if row is None:
            row = DealContact(
                deal_id=deal_id,
                name=name,
                name_key=name_key(name),
                role=role,
                kpis={"kpis": list(kpis or [])},
                note=note,
                active=True,
                created_at=now or datetime.now(UTC),
            )
            self.session.add(row)
        else:
            row.role = role or row.role
            if kpis is not None:
                row.kpis = {"kpis": list(kpis)}
            if note is not None:
                row.note = note
        await self.session.flush()
        await self._contacts_changed(deal_id)
        return _contact(row)

    async def set_contact_active(self, deal_id: int, name: str, active: bool) -> Contact | None:
        stmt = select(DealContact).where(
            DealContact.deal_id == deal_id, DealContact.name_key == name_key(name)
        )
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        if row is None:
            return None
        row.active = active
        await self.session.flush()
        await self._contacts_changed(deal_id)
        return _contact(row)

    # --- forms --------------------------------------------------------------------
    async def load_form(self, conversation_id: int, deal_id: int) -> FormState | None:
        stmt = select(FormState).where(
            FormState.conversation_id == conversation_id, FormState.deal_id == deal_id
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def save_form(
        self,
        conversation_id: int,
        deal_id: int,
        keys: list[str],
        resume: dict[str, Any],
        now: datetime,
        *,
        suspended: bool = False,
    ) -> None:
        """`suspended`: the person turned to something else mid-form; free text is no longer
        read as the answer to an open text question until they choose to continue."""
        pending: dict[str, Any] = {"keys": list(keys)}
        if suspended:
            pending["suspended"] = True
        form = await self.load_form(conversation_id, deal_id)
        if form is None:
            self.session.add(
                FormState(
                    conversation_id=conversation_id,
                    deal_id=deal_id,
                    pending=pending,
                    resume=resume,
                    updated_at=now,
                )
            )
        else:
            form.pending = pending
            form.resume = resume
            form.updated_at = now
        await self.session.flush()

    async def clear_form(self, conversation_id: int, deal_id: int) -> None:
        await self.session.execute(
            delete(FormState).where(
                FormState.conversation_id == conversation_id, FormState.deal_id == deal_id
            )
        )

    # --- offers waiting for confirmation (bot/skills/offers.py) ---------------------------
    async def load_offer_draft(self, conversation_id: int, deal_id: int) -> OfferDraft | None:
        stmt = select(OfferDraft).where(
            OfferDraft.conversation_id == conversation_id, OfferDraft.deal_id == deal_id
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def save_offer_draft(
        self, conversation_id: int, deal_id: int, offer: dict[str, Any], shared_by: str, now: datetime
    ) -> OfferDraft:
        """The offer read from a document, until it is confirmed or dropped; a new document in
        the same conversation replaces one still waiting (a concurrent save is re-read)."""
        if await self.get_deal(deal_id) is None:
            raise LookupError("no such deal in this workspace")
        draft = await self.load_offer_draft(conversation_id, deal_id)
        if draft is None:
            try:
                async with self.session.begin_nested():
                    draft = OfferDraft(
                        conversation_id=conversation_id,
                        deal_id=deal_id,
                        offer=offer,
                        shared_by=shared_by,
                        created_at=now,
                    )
                    self.session.add(draft)
                return draft
            except IntegrityError:
                draft = await self.load_offer_draft(conversation_id, deal_id)
                assert draft is not None
        draft.offer, draft.shared_by, draft.created_at = offer, shared_by, now
        await self.session.flush()
        return draft

    async def clear_offer_draft(
        self, conversation_id: int, deal_id: int, draft_id: int | None = None
    ) -> bool:
        """True when this call removed the draft: of two concurrent confirmations (two replicas,
        two messages with the same button) only one gets True and stores the offer."""
        stmt = delete(OfferDraft).where(
            OfferDraft.conversation_id == conversation_id, OfferDraft.deal_id == deal_id
        )
        if draft_id is not None:
            stmt = stmt.where(OfferDraft.id == draft_id)
        result = await self.session.execute(stmt)
        return bool(result.rowcount)

    # --- proactive references ---------------------------------------------------------
    async def save_reference(self, conversation_key: str, reference: dict[str, Any], now: datetime) -> bool:
        """Store where to reach this conversation proactively; True when that wrote a row (a
        new conversation, or the surface moved it), False when the stored one is the same."""
        where = (
            ConversationRef.platform == self.tenant.platform,
            ConversationRef.tenant_key == self.tenant.external_id,
            ConversationRef.conversation_key == conversation_key,
        )
        params = {
            "platform": self.tenant.platform,
            "tenant_key": self.tenant.external_id,
            "conversation_key": conversation_key,
        }
        stored = (await self.session.execute(_REFERENCE, params)).first()
        if stored is not None and stored[0] == reference:
            return False
        if stored is not None:
            await self.session.execute(
                update(ConversationRef).where(*where).values(reference=reference, updated_at=now)
            )
            return True
        ref = await get_or_create(
            self.session,
            ConversationRef,
            {
                "platform": self.tenant.platform,
                "tenant_key": self.tenant.external_id,
                "conversation_key": conversation_key,
            },
            reference=reference,
            updated_at=now,
        )
        ref.reference = reference  # a concurrent first message may have stored it a moment ago
        ref.updated_at = now
        await self.session.flush()
        return True


def _contact(row: DealContact) -> Contact:
    return Contact(
        id=row.id,
        name=row.name,
        role=row.role,
        kpis=tuple((row.kpis or {}).get("kpis", [])),
        active=row.active,
        note=row.note,
    )


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
