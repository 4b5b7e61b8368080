"""A deal as a JSON document: export, and import into a new deal (same format, no loss).

Format `deal-coach/deal` v1:
{"format": "deal-coach/deal", "version": 1,
 "deal": {"name", "created_by", "created_at"},
 "contacts": [{"name", "role", "kpis": [..], "note", "active"}],
 "events": [{"ref": 1, "kind", "payload": {..}, "actor", "at", "recorded_at"}]}
`ref` numbers events inside the file; an `undo` payload's `event_id` names a ref.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.memory import DealNameTaken, Memory

FORMAT = "deal-coach/deal"
MAX_BYTES = 10 * 1024 * 1024
MAX_EVENTS = 200_000


class ImportProblem(ValueError):
    """The document can't be imported; the message is one line for the user."""


def _aware(v: datetime) -> datetime:
    return v if v.tzinfo else v.replace(tzinfo=UTC)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class DealDoc(_Strict):
    name: str = Field(min_length=1, max_length=120)
    created_by: str = Field(max_length=255)
    created_at: datetime = Field(strict=False)


class ContactDoc(_Strict):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(min_length=1, max_length=64)
    kpis: list[str] = Field(default_factory=list, max_length=50)
    note: str | None = Field(default=None, max_length=2000)
    active: bool = True


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
        return _aware(v)


class DealFile(_Strict):
    format: Literal["deal-coach/deal"]
    version: Literal[1]
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
                "at": e.at.isoformat(),
                "recorded_at": (e.recorded_at or e.at).isoformat(),
            }
        )
    return {
        "format": FORMAT,
        "version": 1,
        "deal": {
            "name": deal.name,
            "created_by": deal.created_by,
            "created_at": _aware(deal.created_at).isoformat(),
        },
        "contacts": [
            {"name": c.name, "role": c.role, "kpis": list(c.kpis), "note": c.note, "active": c.active}
            for c in view.contacts
        ],
        "events": events,
        "facts": dict(view.facts),  # derived, for readers; ignored on import
    }


def parse_document(raw: bytes | str) -> DealFile:
    import json

    if len(raw) > MAX_BYTES:
        raise ImportProblem(
            f"That file is too large to be a deal export (over {MAX_BYTES // (1024 * 1024)} MB)."
        )
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ImportProblem("That file isn't valid JSON.") from None
    if not isinstance(doc, dict):
        raise ImportProblem("That file isn't a deal export (expected a JSON object).")
    doc.pop("facts", None)
    try:
        parsed = DealFile.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise ImportProblem(f"That file isn't a valid deal export: {where}: {first['msg']}.") from None
    refs = [e.ref for e in parsed.events]
    if len(set(refs)) != len(refs):
        raise ImportProblem("That file isn't a valid deal export: event refs repeat.")
    return parsed


async def import_deal(memory: Memory, doc: DealFile, *, name: str | None = None) -> int:
    """Creates a new deal from `doc`; the caller's transaction makes it all-or-nothing."""
    deal_name = name or doc.deal.name
    try:
        deal = await memory.create_deal(deal_name, doc.deal.created_by, _aware(doc.deal.created_at))
    except DealNameTaken:
        raise ImportProblem(
            f"There's already a deal called {deal_name}; import it under another name."
        ) from None
    ids: dict[int, int] = {}
    for c in doc.contacts:
        await memory.upsert_contact(deal.id, c.name, c.role, c.kpis, c.note, _aware(doc.deal.created_at))
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
    return deal.id
