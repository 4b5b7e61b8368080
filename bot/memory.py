"""Deal memory: every read and write of the core, scoped to one tenant.

A Memory wraps one AsyncSession (one transaction per turn). Every query that touches a deal
filters by tenant, so an id typed in workspace A can never reach a deal of workspace B.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.hot import HotStatement, Target, insert_unless_there
from bot.db.models import (
    Conversation,
    ConversationRef,
    Deal,
    DealContact,
    DealEvent,
    FormState,
    ProcessedEvent,
    Tenant,
)
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


class TimelineCache:
    """Read-through cache of decoded timelines, keyed by deal and checked on every read
    against the deal's newest event id. The timeline is append-only, so an unchanged newest
    id means unchanged events; the database stays the only truth, across replicas too."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[int, tuple[int, Timeline]] = OrderedDict()
        self._contacts: dict[int, tuple[int, tuple[Contact, ...]]] = {}
        self.tenants: dict[tuple[str, str], int] = {}

    def remember_tenant(self, key: tuple[str, str], tenant_id: int) -> None:
        if len(self.tenants) < 100_000:
            self.tenants[key] = tenant_id

    def get(self, deal_id: int, newest: int) -> Timeline | None:
        hit = self._items.get(deal_id)
        if hit is None or hit[0] != newest:
            return None
        self._items.move_to_end(deal_id)
        return hit[1]

    def contacts(self, deal_id: int, version: int) -> tuple[Contact, ...] | None:
        hit = self._contacts.get(deal_id)
        return hit[1] if hit is not None and hit[0] == version else None

    def put_contacts(self, deal_id: int, version: int, contacts: tuple[Contact, ...]) -> None:
        if len(self._contacts) >= self.size and deal_id not in self._contacts:
            self._contacts.pop(next(iter(self._contacts)))
        self._contacts[deal_id] = (version, contacts)

    def put(self, deal_id: int, newest: int, timeline: Timeline) -> None:
        self._items[deal_id] = (newest, timeline)
        self._items.move_to_end(deal_id)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


# Hot-path statements, built once (building them per turn costs more than running them) and
# run through bot.db.hot: straight on the driver's connection on SQLite.
_CLAIM = insert_unless_there(ProcessedEvent.__table__, "platform", "tenant_key", "event_id", "created_at")
# The first message in a conversation; a concurrent first message finds the conflict.
_NEW_CONVERSATION = insert_unless_there(Conversation.__table__, "tenant_id", "external_id", "created_at")
_NEWEST = select(func.max(DealEvent.id)).where(DealEvent.deal_id == Deal.id).correlate(Deal).scalar_subquery()
_OPENING_COLUMNS = (
    Conversation.id,
    Deal.id,
    Deal.tenant_id,
    Deal.name,
    Deal.contacts_version,
    _NEWEST,
    FormState.pending,
    FormState.resume,
)
_OPENING = HotStatement(
    select(*_OPENING_COLUMNS)
    .outerjoin(Deal, (Deal.id == Conversation.active_deal_id) & (Deal.tenant_id == bindparam("tenant_id")))
    .outerjoin(FormState, (FormState.conversation_id == Conversation.id) & (FormState.deal_id == Deal.id))
    .where(
        Conversation.tenant_id == bindparam("tenant_id"), Conversation.external_id == bindparam("external_id")
    ),
    [c.type for c in _OPENING_COLUMNS],
)


_REFERENCE = select(ConversationRef.reference).where(
    ConversationRef.platform == bindparam("platform"),
    ConversationRef.tenant_key == bindparam("tenant_key"),
    ConversationRef.conversation_key == bindparam("conversation_key"),
)


@dataclass(slots=True, frozen=True)
class TenantHead:
    """The workspace or tenant a Memory is scoped to (rows never change once made)."""

    id: int
    platform: str
    external_id: str

    @classmethod
    def of(cls, row: Tenant) -> TenantHead:
        return cls(row.id, row.platform, row.external_id)


_NO_TENANT = TenantHead(0, "", "")  # until the tenant is looked up


@dataclass(slots=True, frozen=True)
class DealHead:
    """What a turn reads of its deal row before the timeline (a plain copy, not an ORM row)."""

    id: int
    tenant_id: int
    name: str
    contacts_version: int


@dataclass(slots=True, frozen=True)
class FormHead:
    """A form in progress as the opening query read it."""

    pending: dict[str, Any]
    resume: dict[str, Any]


@dataclass(slots=True)
class Opening:
    conversation_id: int
    deal: DealHead | None
    newest_event_id: int | None  # None: not known, look it up
    form: FormHead | None


class Memory:
    """`Memory(session, tenant)` on a session of the caller's, or `Memory.transaction(...)` for a
    turn: its own transaction, with an ORM session joined to it only once something asks."""

    def __init__(
        self,
        session: AsyncSession | None,
        tenant: TenantHead,
        cache: TimelineCache | None = None,
        *,
        target: Target | None = None,
        sessions: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self._session = session
        self._sessions = sessions
        self.tenant = tenant
        self.cache = cache
        self._target = target
        bind = target.conn if target is not None else session.bind if session is not None else None
        self._postgres = bind is not None and bind.dialect.name == "postgresql"
        # Deals written in this (uncommitted) transaction: their reads are not cached, since a
        # rollback could let SQLite hand the same event id to a different event later.
        self._written: set[int] = set()

    @property
    def session(self) -> AsyncSession:
        """The ORM session, on this turn's transaction. Made on first use: a turn that needs only
        the hot statements (most questions) never pays for one."""
        if self._session is None:
            assert self._sessions is not None and self._target is not None
            # Joined to the connection's transaction: its commit flushes but leaves committing
            # the transaction to `transaction`, and a rollback rolls back the whole turn.
            self._session = self._sessions(bind=self._target.conn)
        return self._session

    @classmethod
    @asynccontextmanager
    async def transaction(
        cls,
        sessions: async_sessionmaker[AsyncSession],
        platform: str,
        external_id: str,
        now: datetime,
        cache: TimelineCache | None = None,
        *,
        conn: AsyncConnection | None = None,
    ) -> AsyncIterator[Memory]:
        """One transaction for one turn: committed when the block ends, rolled back if it raises.
        On `conn` if given (a connection the caller keeps), else on one from the pool."""
        async with AsyncExitStack() as stack:
            if conn is None:
                engine: AsyncEngine = sessions.kw["bind"]
                conn = await stack.enter_async_context(engine.begin())
            else:
                await stack.enter_async_context(conn.begin())
            memory = cls(None, _NO_TENANT, cache, target=await Target.on(conn), sessions=sessions)
            try:
                memory.tenant = await memory._tenant(platform, external_id, now)
                yield memory
                if memory._session is not None:
                    await memory._session.commit()  # flushes; `engine.begin` commits
            finally:
                if memory._session is not None:
                    await memory._session.close()

    @classmethod
    async def for_tenant(
        cls,
        session: AsyncSession,
        platform: str,
        external_id: str,
        now: datetime,
        cache: TimelineCache | None = None,
    ) -> Memory:
        memory = cls(session, _NO_TENANT, cache)
        memory.tenant = await memory._tenant(platform, external_id, now)
        return memory

    async def _tenant(self, platform: str, external_id: str, now: datetime) -> TenantHead:
        key = (platform, external_id)
        known = self.cache.tenants.get(key) if self.cache is not None else None
        if known is not None:  # tenant rows never change once made; skip the lookup
            return TenantHead(known, platform, external_id)
        stmt = select(Tenant).filter_by(platform=platform, external_id=external_id)
        tenant = (await self.session.execute(stmt)).scalar_one_or_none()
        if tenant is not None:
            if self.cache is not None:  # only rows already committed: a rolled-back one must not stick
                self.cache.remember_tenant(key, tenant.id)
        else:
            tenant = await get_or_create(
                self.session, Tenant, {"platform": platform, "external_id": external_id}, created_at=now
            )
        return TenantHead(tenant.id, platform, external_id)

    async def _hot(self) -> Target:
        """This transaction's connection for the hot statements, looked up once per turn."""
        if self._target is None:
            self._target = await Target.of(self.session)
        return self._target

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
        # One statement: INSERT … ON CONFLICT DO NOTHING RETURNING id. A concurrent claim of
        # the same id waits on the unique index and then finds the conflict.
        return bool(await _CLAIM[self._postgres].rows(await self._hot(), values))

    # --- conversations and deals ---------------------------------------------------
    async def open_conversation(self, external_id: str, now: datetime) -> Opening:
        """The start of a turn in one query: the conversation, its active deal (of this
        tenant only), the deal's newest event id and any form in progress."""
        params = {"tenant_id": self.tenant.id, "external_id": external_id}
        hot = await self._hot()
        rows = await _OPENING.rows(hot, params)
        if not rows:  # the first message here: one INSERT … ON CONFLICT DO NOTHING RETURNING
            made = await _NEW_CONVERSATION[self._postgres].rows(hot, {**params, "created_at": now})
            if not made:  # another process made it a moment ago
                return Opening((await self.conversation(external_id, now)).id, None, 0, None)
            return Opening(made[0][0], None, 0, None)
        conv_id, deal_id, tenant_id, name, version, newest, pending, resume = rows[0]
        deal = DealHead(deal_id, tenant_id, name, version or 0) if deal_id is not None else None
        form = FormHead(pending, resume) if pending is not None else None
        return Opening(conv_id, deal, newest or 0, form)

    async def conversation(self, external_id: str, now: datetime) -> Conversation:
        return await get_or_create(
            self.session,
            Conversation,
            {"tenant_id": self.tenant.id, "external_id": external_id},
            created_at=now,
        )

    async def create_deal(self, name: str, created_by: str, now: datetime) -> Deal:
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
        return deal

    async def find_deal(self, name: str) -> Deal | None:
        stmt = select(Deal).where(Deal.tenant_id == self.tenant.id, Deal.name_key == name_key(name))
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_deal(self, deal_id: int) -> Deal | None:
        stmt = select(Deal).where(Deal.tenant_id == self.tenant.id, Deal.id == deal_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list_deals(self) -> list[Deal]:
        stmt = select(Deal).where(Deal.tenant_id == self.tenant.id).order_by(Deal.name_key)
        return list((await self.session.execute(stmt)).scalars())

    async def bind(self, conversation: Conversation, deal: Deal | None) -> None:
        conversation.active_deal_id = deal.id if deal else None
        await self.session.flush()

    async def active_deal(self, conversation: Conversation) -> Deal | None:
        if conversation.active_deal_id is None:
            return None
        return await self.get_deal(conversation.active_deal_id)

    # --- timeline ---------------------------------------------------------------
    async def deal_view(
        self, deal_id: int, deal: Deal | DealHead | None = None, newest: int | None = None
    ) -> DealView:
        if deal is None or deal.id != deal_id or deal.tenant_id != self.tenant.id:
            deal = await self.get_deal(deal_id)
        if deal is None:
            raise LookupError("no such deal in this workspace")
        timeline = await self._timeline(deal_id, newest)
        return make_view(deal.id, deal.name, timeline, await self._cached_contacts(deal))

    async def _cached_contacts(self, deal: Deal | DealHead) -> tuple[Contact, ...]:
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
            cached = self.cache.get(deal_id, newest or 0)
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
            self.cache.put(deal_id, max((e.id for e in events), default=0), timeline)
        return timeline

    async def deal_views(self) -> list[DealView]:
        """Every deal of this tenant as a DealView, by name, in three queries whatever the number
        of deals: the deals, their events, their contacts. (A portfolio read goes past the
        per-deal cache turns use: it would push out the deals people are working on.)"""
        heads = (
            await self.session.execute(
                select(Deal.id, Deal.name).where(Deal.tenant_id == self.tenant.id).order_by(Deal.name_key)
            )
        ).all()
        if not heads:
            return []
        mine = select(Deal.id).where(Deal.tenant_id == self.tenant.id).scalar_subquery()
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
