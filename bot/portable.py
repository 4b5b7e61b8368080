"""A deal as a JSON document: export, and import into a new deal (same format, no loss).

Format `deal-coach/deal` v2 (import reads v1 too):
{"format": "deal-coach/deal", "version": 2,
 "deal": {"name", "created_by", "created_at"},
 "contacts": [{"name", "role", "kpis": [..], "note", "active"}],
 "events": [{"ref": 1, "kind", "payload": {..}, "actor", "at", "recorded_at"}],
 "members": [{"user", "via", "added_by", "added_at"}],
 "audit": [{"at", "actor", "surface", "action", "detail", "keys": [..]}]}
`ref` numbers events inside the file; an `undo` payload's `event_id` names a ref. v2 added
`members` and `audit` (who could see the deal and its audit trail, names of facts only): both
are for readers and ignored on import, like `facts`. An imported deal's one member is the
person who imports it; the trail of the new deal starts with the import.

Import rules (a file that breaks one is refused with one line, and nothing is written):
times are converted to UTC and must fall in years 1900-2999; names are non-blank, with
spaces tidied and no control or bidirectional-override characters; no string holds NUL or
an unpaired surrogate; numbers are finite (no NaN or Infinity); nesting is at most
MAX_DEPTH levels; contact names are compared ignoring case and spacing, as chat does, so
"Jane" and "jane" in one file are one person named twice, and the file is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.access import Person, protected_in
from bot.db.engine import write_session
from bot.knowledge import Knowledge
from bot.memory import DealNameTaken, Memory, name_key
from bot.textsafety import unsafe_in_name

FORMAT = "deal-coach/deal"
VERSION = 2
FOR_READERS = ("facts", "members", "audit")  # derived or informational: never imported
MAX_BYTES = 10 * 1024 * 1024
MAX_EVENTS = 200_000
MAX_DEPTH = 32  # the format itself is 4 deep; payloads are flat records
YEARS = (1900, 2999)
TOO_DEEP = f"That file is nested too deeply to be a deal export (over {MAX_DEPTH} levels)."


class ImportProblem(ValueError):
    """The document can't be imported; the message is one line for the user."""


def _aware(v: datetime) -> datetime:
    return v if v.tzinfo else v.replace(tzinfo=UTC)


def _instant(v: datetime) -> datetime:
    """A time from the file as UTC (no offset means UTC), inside the years a deal can use."""
    try:
        v = _aware(v).astimezone(UTC)
    except OverflowError:
        raise ValueError(f"time is outside the years {YEARS[0]}-{YEARS[1]}") from None
    if not YEARS[0] <= v.year <= YEARS[1]:
        raise ValueError(f"time is outside the years {YEARS[0]}-{YEARS[1]}")
    return v


def tidy_name(v: str) -> str:
    """A deal or contact name as it will be stored and shown; ValueError says what is wrong."""
    v = " ".join(v.split())  # tabs and newlines are spacing, and spacing is tidied
    bad = unsafe_in_name(v)
    if bad:
        raise ValueError(f"name has {bad}")
    if not v:
        raise ValueError("name is blank")
    return v


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class DealDoc(_Strict):
    name: str = Field(min_length=1, max_length=120)
    created_by: str = Field(max_length=255)
    created_at: datetime = Field(strict=False)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return tidy_name(v)

    @field_validator("created_at")
    @classmethod
    def _time(cls, v: datetime) -> datetime:
        return _instant(v)


class ContactDoc(_Strict):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(min_length=1, max_length=64)
    kpis: list[str] = Field(default_factory=list, max_length=50)
    note: str | None = Field(default=None, max_length=2000)
    active: bool = True

    @field_validator("name", "role")
    @classmethod
    def _name(cls, v: str) -> str:
        return tidy_name(v)


class EventDoc(_Strict):
    ref: int = Field(ge=1)
    kind: str = Field(min_length=1, max_length=64)
    payload: dict[str, Any]
    actor: str = Field(max_length=255)
    at: datetime = Field(strict=False)
    recorded_at: datetime = Field(strict=False)

    @field_validator("at", "recorded_at")
    @classmethod
    def _tz(cls, v: datetime) -> datetime:
        return _instant(v)

    @field_validator("payload")
    @classmethod
    def _undo_names_a_ref(cls, v: dict[str, Any], info: Any) -> dict[str, Any]:
        target = v.get("event_id")
        if info.data.get("kind") == "undo" and target is not None and type(target) is not int:
            raise ValueError("an undo's event_id must be a ref number")
        return v


class DealFile(_Strict):
    format: Literal["deal-coach/deal"]
    version: Literal[1, 2]
    deal: DealDoc
    contacts: list[ContactDoc] = Field(default_factory=list, max_length=10_000)
    events: list[EventDoc] = Field(default_factory=list, max_length=MAX_EVENTS)


async def export_deal(memory: Memory, deal_id: int) -> dict[str, Any]:
    deal = await memory.get_deal(deal_id)
    if deal is None:
        raise LookupError("no such deal in this workspace")
    view = await memory.deal_view(deal_id)
    refs = {e.id: n for n, e in enumerate(view.events, 1)}
    events = []
    for e in view.events:
        payload = dict(e.payload)
        if e.kind == "undo" and payload.get("event_id") in refs:
            payload["event_id"] = refs[payload["event_id"]]
        events.append(
            {
                "ref": refs[e.id],
                "kind": e.kind,
                "payload": payload,
                "actor": e.actor,
                "at": e.at.astimezone(UTC).isoformat(),
                "recorded_at": (e.recorded_at or e.at).astimezone(UTC).isoformat(),
            }
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "deal": {
            "name": deal.name,
            "created_by": deal.created_by,
            "created_at": _aware(deal.created_at).astimezone(UTC).isoformat(),
        },
        "contacts": [
            {"name": c.name, "role": c.role, "kpis": list(c.kpis), "note": c.note, "active": c.active}
            for c in view.contacts
        ],
        "events": events,
        "facts": dict(view.facts),  # derived, for readers; ignored on import
        "members": [
            {"user": m.user, "via": m.via, "added_by": m.added_by, "added_at": _iso(m.added_at)}
            for m in await memory.members(deal_id)
        ],
        "audit": [
            {
                "at": _iso(r.at),
                "actor": r.actor,
                "surface": r.surface,
                "action": r.action,
                "detail": r.detail,
                "keys": list(r.keys),
            }
            for r in await memory.audit_trail(deal_id)
        ],
    }


def _iso(value: datetime) -> str:
    return _aware(value).astimezone(UTC).isoformat()


def parse_document(raw: bytes | str) -> DealFile:
    import json

    if len(raw) > MAX_BYTES:
        raise ImportProblem(
            f"That file is too large to be a deal export (over {MAX_BYTES // (1024 * 1024)} MB)."
        )
    try:
        doc = json.loads(raw, parse_constant=_no_constant)
    except ImportProblem:
        raise
    except RecursionError:
        raise ImportProblem(TOO_DEEP) from None
    except (ValueError, UnicodeDecodeError):
        raise ImportProblem("That file isn't valid JSON.") from None
    if not isinstance(doc, dict):
        raise ImportProblem("That file isn't a deal export (expected a JSON object).")
    for key in FOR_READERS:
        doc.pop(key, None)
    _check_values(doc)
    try:
        parsed = DealFile.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        msg = str(first["ctx"]["error"]) if first["type"] == "value_error" else first["msg"]
        raise ImportProblem(f"That file isn't a valid deal export: {where}: {msg}.") from None
    refs = [e.ref for e in parsed.events]
    if len(set(refs)) != len(refs):
        raise ImportProblem("That file isn't a valid deal export: event refs repeat.")
    seen: dict[str, str] = {}
    for c in parsed.contacts:
        other = seen.setdefault(name_key(c.name), c.name)
        if other is not c.name:
            raise ImportProblem(
                f"That file names one contact twice: “{other}” and “{c.name}” "
                "(contact names ignore case and spacing)."
            )
    return parsed


def _no_constant(word: str) -> None:
    raise ImportProblem(f"That file has {word} in it; a deal export only has finite numbers.")


def _check_values(doc: object) -> None:
    """Depth, NUL and unpaired surrogates, walked without recursion: PostgreSQL refuses NUL
    and surrogates in text and JSON, and deep nesting would exhaust the stack later on."""
    stack: list[tuple[object, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ImportProblem(TOO_DEEP)
        if isinstance(value, dict):
            stack.extend((k, depth) for k in value)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
        elif isinstance(value, str):
            if "\x00" in value:
                raise ImportProblem("That file has a NUL character in a text; a deal export never does.")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ImportProblem("That file has a broken character (an unpaired surrogate).") from None


async def import_deal(
    memory: Memory, doc: DealFile, *, user: str, now: datetime, name: str | None = None
) -> int:
    """Creates a new deal from `doc`, `user` its one member; the caller's transaction makes it
    all-or-nothing."""
    try:
        deal_name = tidy_name(name) if name is not None else doc.deal.name
    except ValueError as exc:
        raise ImportProblem(f"Can't use that deal name: {exc}.") from None
    if len(deal_name) > 120:
        raise ImportProblem("Can't use that deal name: keep it under 120 characters.")
    try:
        deal = await memory.create_deal(
            deal_name, doc.deal.created_by, doc.deal.created_at, member=user, via="import"
        )
    except DealNameTaken:
        raise ImportProblem(
            f"There's already a deal called {deal_name}; import it under another name."
        ) from None
    ids: dict[int, int] = {}
    for c in doc.contacts:
        await memory.upsert_contact(deal.id, c.name, c.role, c.kpis, c.note, doc.deal.created_at)
        if not c.active:
            await memory.set_contact_active(deal.id, c.name, False)
    for e in sorted(doc.events, key=lambda e: e.ref):
        payload = dict(e.payload)
        if e.kind == "undo" and payload.get("event_id") is not None:
            target = ids.get(payload["event_id"])
            if target is None:
                raise ImportProblem(
                    f"That file isn't a valid deal export: undo {e.ref} names an unknown event."
                )
            payload["event_id"] = target
        event = await memory.append_event(
            deal.id, e.kind, payload, actor=e.actor, at=e.at, recorded_at=e.recorded_at
        )
        ids[e.ref] = event.id
    await memory.audit(deal.id, user, "import", now, detail=f"{len(doc.events)} events")
    return deal.id


# --- whole operations, each its own transaction (the CLI's `deal export` and `deal import`) -------
async def export_named(
    sessions: async_sessionmaker[AsyncSession],
    platform: str,
    tenant: str,
    name: str,
    now: datetime,
    *,
    person: Person,
    kb: Knowledge,
) -> dict[str, Any] | None:
    """The export of the tenant's deal called `name` (None: there is none `person` may see);
    the export goes into the deal's audit trail, with the protected fact keys it carries."""
    async with write_session(sessions) as session:
        memory = await Memory.for_tenant(session, platform, tenant, now)
        deal = await memory.find_visible(name, person)
        if deal is None:
            return None
        view = await memory.deal_view(deal.id, deal)
        keys = sorted(protected_in(dict(view.facts), kb))
        await memory.audit(deal.id, person.user, "export", now, keys=keys)
        return await export_deal(memory, deal.id)


async def import_document(
    sessions: async_sessionmaker[AsyncSession],
    platform: str,
    tenant: str,
    doc: DealFile,
    now: datetime,
    *,
    user: str,
    name: str | None = None,
) -> str:
    """Import `doc` as a new deal of the tenant, all or nothing; returns the deal's name.
    ImportProblem (nothing written) when it can't be imported."""
    async with write_session(sessions) as session:
        memory = await Memory.for_tenant(session, platform, tenant, now)
        deal_id = await import_deal(memory, doc, user=user, now=now, name=name)
        deal = await memory.get_deal(deal_id)
        return deal.name if deal is not None else doc.deal.name
