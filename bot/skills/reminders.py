"""Reminders in chat: list what is scheduled, cancel, snooze, done/skip buttons, "remind me in
N days", and the after-meeting capture whose answers become `commitment` events."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from bot.actions import Key, Payload, RowId, Words, reader_only
from bot.context import Context
from bot.db.models import Reminder
from bot.dialogue.forms import Form
from bot.reminders import policy, store, user_settings
from bot.reminders.hooks import user_prefs
from bot.reminders.prompts import config, describe, local_time
from bot.reply import Action, Item, Reply, Section
from bot.skills import skill
from bot.understanding.values import Ambiguous, read_date, words_value, zone

MAX_LISTED = 15
_NOTHING = re.compile(r"^\s*(nothing|none|no(thing)?( promises?)?|nope|n/?a|-)\s*[.!]?\s*$", re.IGNORECASE)
_UNITS = {"min": 1, "hou": 60, "hr": 60, "day": 24 * 60, "wee": 7 * 24 * 60}


# --- what each intent may carry -------------------------------------------------------------
class ReminderId(Payload):
    id: RowId


class ReminderCancel(Payload):
    id: RowId | None = None  # or a number in `rest`, as typed: `cancel reminder 12`


class Snooze(ReminderId):
    minutes: Annotated[int, Field(ge=1, le=60 * 24 * 366)] | None = None


class PushedAside(BaseModel):
    """The form an after-meeting question pushed aside ("Answer this now", reminders.answer):
    its open questions and what it runs once answered, to open again afterwards."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    keys: Annotated[list[Key], Field(max_length=50)]
    resume: dict[str, Any]


class Capture(ReminderId):
    nothing: bool = False
    # Rides in the saved form's resume (reminders.answer), never in a button.
    then: PushedAside | None = reader_only()


class ReminderAdd(Payload):
    # A number from a button; from words ("remind me in an hour"), the word the pattern read.
    n: Annotated[int, Field(ge=1, le=100_000)] | Annotated[str, Field(max_length=8)] | None = None
    unit: Annotated[str, Field(max_length=16)] | None = None
    what: Words | None = None
    # Told over two messages: the words of the request, and the answer to "when?" (the dialogue's
    # open question fills them).
    said: Words | None = None
    when: Annotated[str, Field(max_length=200)] | None = None


class ReminderPrefs(Payload):
    before: Annotated[str, Field(max_length=200)] | None = None
    morning: Annotated[str, Field(max_length=32)] | None = None


def _id(ctx: Context, p: ReminderId | ReminderCancel) -> int | None:
    # From a button, the id; from words ("delete my 3rd reminder"), the first number.
    if p.id is not None:
        return p.id
    m = re.search(r"\d+", str(p.rest or ctx.intent.text or ""))
    return int(m.group()) if m else None


async def _mine(ctx: Context, p: ReminderId | ReminderCancel) -> Reminder | None:
    """The reminder a request names, if it is of a deal the person may see (or of no deal)."""
    rid = _id(ctx, p)
    row = await store.get(ctx.memory.session, ctx.memory.tenant.id, rid) if rid is not None else None
    if row is not None and row.deal_id is not None and not await ctx.memory.can_see(row.deal_id, ctx.person):
        return None  # as if it did not exist
    return row


def _meeting_base(key: str) -> str:
    """deal:1:meeting:20261124T1500:ae:before60 -> deal:1:meeting:20261124T1500:ae"""
    return key.rsplit(":", 1)[0] if ":meeting:" in key else key


def _gone(what: str = "That reminder") -> Reply:
    return Reply(headline=f"{what} isn't scheduled any more.", intent="reminders.gone")


@skill("reminders.list", needs_deal=False, payload=Payload)
async def list_reminders(ctx: Context, _: Payload) -> Reply:
    rows = await store.list_pending(
        ctx.memory.session,
        ctx.memory.tenant.id,
        deal_id=ctx.deal.id if ctx.deal else None,
        conversation_id=ctx.conversation_id,
        limit=200,
    )
    # Only deals the person may see; hide what would be dropped anyway (a changed renewal
    # date, a withdrawn meeting).
    visible = await ctx.memory.visible_ids(ctx.person) if any(r.deal_id is not None for r in rows) else set()
    rows = [r for r in rows if r.deal_id is None or r.deal_id in visible]
    shown = [
        r
        for r in rows
        if r.deal_id is None
        or ctx.deal is None
        or r.deal_id != ctx.deal.id
        or policy.relevance(r.kind, r.payload, ctx.deal, ctx.now).ok
    ]
    tz = (await user_prefs(ctx)).timezone
    where = ctx.deal.name if ctx.deal else "this conversation"
    if not shown:
        return Reply(
            headline=f"Nothing is scheduled for {where}.",
            intent="reminders.list",
            footer="Log a meeting or a renewal date and I'll prompt you before it.",
        )
    items = [
        Item(f"#{r.id} {local_time(store.utc(r.due_at), tz)}: {describe(r.kind, r.payload, ctx.kb)}")
        for r in shown[:MAX_LISTED]
    ]
    actions = []
    for r in shown[:3]:
        actions.append(Action(f"Cancel #{r.id}", {"intent": "reminders.cancel", "id": r.id}, style="danger"))
    more = f" ({len(shown) - MAX_LISTED} more not shown)" if len(shown) > MAX_LISTED else ""
    return Reply(
        headline=f"Scheduled for {where}: {len(shown)}{more}.",
        intent="reminders.list",
        sections=[Section(items=items)],
        actions=actions,
        footer="`cancel reminder N` stops one.",
    )


@skill("reminders.cancel", needs_deal=False, payload=ReminderCancel)
async def cancel(ctx: Context, p: ReminderCancel) -> Reply:
    row = await _mine(ctx, p)
    if row is None or row.status != store.PENDING:
        return _gone()
    await store.cancel(ctx.memory.session, ctx.memory.tenant.id, [row.id])
    return Reply(
        headline=f"Cancelled #{row.id}: {describe(row.kind, row.payload, ctx.kb)}.", intent="reminders.cancel"
    )


@skill("reminders.snooze", needs_deal=False, payload=Snooze)
async def snooze(ctx: Context, p: Snooze) -> Reply:
    row = await _mine(ctx, p)
    if row is None or row.status in (store.CANCELLED, store.DROPPED):
        return _gone()
    minutes = p.minutes or config(ctx.kb).snooze_minutes
    until = ctx.now + timedelta(minutes=max(1, min(minutes, 60 * 24 * 30)))
    tz = (await user_prefs(ctx)).timezone
    if row.status == store.PENDING:
        await store.snooze(ctx.memory.session, ctx.memory.tenant.id, row.id, until)
    else:  # already shown: a fresh copy, keyed by the target minute so a double press is one row
        planned = policy.Planned(
            row.kind, until, f"{row.idempotency_key}:snooze:{until:%Y%m%dT%H%M}", {**row.payload}
        )
        await store.schedule(
            ctx.memory.session,
            [planned],
            tenant_id=row.tenant_id,
            deal_id=row.deal_id,
            conversation_id=row.conversation_id,
            now=ctx.now,
        )
    return Reply(headline=f"OK, I'll bring it back at {local_time(until, tz)}.", intent="reminders.snooze")


async def _close_meeting_prompts(ctx: Context, row: Reminder, kinds: tuple[str, ...]) -> int:
    if row.deal_id is None:
        return 0
    return await store.cancel_by_key_prefix(
        ctx.memory.session, ctx.memory.tenant.id, row.deal_id, _meeting_base(row.idempotency_key), kinds=kinds
    )


@skill("reminders.done", needs_deal=False, payload=ReminderId)
async def done(ctx: Context, p: ReminderId) -> Reply:
    row = await _mine(ctx, p)
    if row is None:
        return _gone()
    if row.kind in policy.PRE_MEETING:  # prepared: the later pre-meeting prompt is not needed
        await _close_meeting_prompts(ctx, row, policy.PRE_MEETING)
        return Reply(
            headline="Good. Write down anything they promise; I'll ask you afterwards.",
            intent="reminders.done",
        )
    await store.cancel(ctx.memory.session, ctx.memory.tenant.id, [row.id])
    return Reply(headline="Marked done.", intent="reminders.done")


@skill("reminders.skip", needs_deal=False, payload=ReminderId)
async def skip(ctx: Context, p: ReminderId) -> Reply:
    row = await _mine(ctx, p)
    if row is None:
        return _gone()
    kinds: tuple[str, ...] = policy.PRE_MEETING if row.kind in policy.PRE_MEETING else (row.kind,)
    if row.kind in (*policy.PRE_MEETING, policy.MEETING_AFTER):
        await _close_meeting_prompts(ctx, row, kinds)
    await store.cancel(ctx.memory.session, ctx.memory.tenant.id, [row.id])
    if (
        row.kind == policy.MEETING_AFTER
        and row.deal_id is not None
        and ctx.deal
        and ctx.deal.id == row.deal_id
    ):
        await ctx.memory.clear_form(ctx.conversation_id, row.deal_id)
    return Reply(headline="Skipped. I won't bring this one up again.", intent="reminders.skip")


@skill("reminders.add", needs_deal=False, payload=ReminderAdd)
async def add(ctx: Context, p: ReminderAdd) -> Reply:
    tz = (await user_prefs(ctx)).timezone
    if p.unit:  # "remind me in 3 days to …": the pattern read the span
        n_raw = str(p.n or "1")
        n = int(n_raw) if n_raw.isdigit() else 1
        unit = p.unit.casefold()
        due = ctx.now + timedelta(minutes=n * _unit_minutes(unit))
        what = (p.what or "").strip()
    else:  # said in the person's own words: "remind me to chase Jane next Tuesday at 3pm"
        said = " ".join(x for x in (p.said, p.when) if x) or ctx.intent.text
        due_or_question = _due_in_words(said, ctx.now, tz)
        if due_or_question is None:  # what is kept; one question asks when, the answer fills it
            ctx.awaiting = {"intent": "reminders.add", "args": {"said": said[:400]}, "slot": "when"}
            m = _WHAT.search(said)
            what = (m["what"] if m else "").strip(" .,!?")
            return Reply(
                headline=f"When should I remind you to {what}?" if what else "When should I remind you?",
                intent="reminders.add",
            )
        if isinstance(due_or_question, Reply):
            return due_or_question
        due, what = due_or_question
    if not timedelta(minutes=1) <= due - ctx.now <= timedelta(days=366):
        return Reply(headline="I can remind you from a minute to a year from now.", intent="reminders.add")
    what = what or (f"follow up on {ctx.deal.name}" if ctx.deal else "follow up")
    turn_key = ctx.turn.event_id or f"{ctx.turn.user}:{ctx.now:%Y%m%dT%H%M%S%f}"
    planned = policy.plan_follow_up(
        ctx.deal.id if ctx.deal else None, ctx.conversation_id, what, due, ctx.now, turn_key
    )
    await store.schedule(
        ctx.memory.session,
        [planned],
        tenant_id=ctx.memory.tenant.id,
        deal_id=ctx.deal.id if ctx.deal else None,
        conversation_id=ctx.conversation_id,
        now=ctx.now,
    )
    return Reply(
        headline=f"I'll remind you {local_time(due, tz)}: {what[:120]}",
        intent="reminders.add",
        footer="`reminders` lists what is scheduled.",
    )


_WHAT = re.compile(r"\b(?:to|about|that|re:?)\s+(?P<what>.+)$", re.IGNORECASE)
_IN_SPAN = re.compile(
    r"\bin (?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven) ?"
    r"(?P<unit>minutes?|mins?|hours?|hrs?|days?|weeks?)\b",
    re.IGNORECASE,
)


def _unit_minutes(unit: str) -> int:
    return next((v for k, v in _UNITS.items() if unit.startswith(k)), 24 * 60)


def _due_in_words(text: str, now: datetime, tz: str | None) -> tuple[datetime, str] | Reply | None:
    """When and what, read from a reminder asked in everyday words. Never a guessed time: a
    day that reads two ways, or no time at all, is asked back."""
    span = _IN_SPAN.search(text)
    if span is not None:
        n = int(span["n"]) if span["n"].isdigit() else int(words_value(span["n"]) or 1)
        unit = span["unit"].casefold()
        due = now + timedelta(minutes=n * _unit_minutes(unit))
        cut = (span.start(), span.end())
    else:
        found = read_date(text, now, tz)
        if isinstance(found, Ambiguous):
            days = " or ".join(f"{d:%a %d %b}" for d in found.options)
            return Reply(headline=f"Which day do you mean by {found.said!r}: {days}?", intent="reminders.add")
        if found is None:
            return None  # no day said: asked back, the rest kept
        at = found.at or _DEFAULT_TIME
        due = datetime.combine(found.day, at, tzinfo=zone(tz)).astimezone(UTC)
        cut = found.span
    rest = (text[: cut[0]] + " " + text[cut[1] :]).strip()
    m = _WHAT.search(rest)
    what = m["what"] if m else ""
    what = re.sub(r"\s+(on|at|by)\s*$", "", _CLOCK_WORDS.sub("", what)).strip(" .,!?")
    return due, what


_DEFAULT_TIME = time(9, 0)  # a day without a time: the start of the working day, in the person's zone
_CLOCK_WORDS = re.compile(r"\b(at|@)\s*\d{1,2}([:.]\d{2})?\s*([ap]\.?m\.?)?\b", re.IGNORECASE)


_LEAD = re.compile(r"(?P<n>\d{1,3}|an?|one|half an?) ?(?P<unit>minutes?|mins?|hours?|hrs?|h|days?)", re.I)
_CLOCK = re.compile(r"^(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ampm>[ap])?", re.I)


def lead_minutes(text: str) -> list[int]:
    """ "2 hours" -> [120]; "a day and an hour" -> [1440, 60]; "half an hour" -> [30]."""
    out = []
    for m in _LEAD.finditer(text):
        n_raw = m.group("n").casefold()
        n = 0.5 if n_raw.startswith("half") else int(n_raw) if n_raw.isdigit() else 1
        unit = m.group("unit").casefold()
        per = 24 * 60 if unit.startswith("d") else 60 if unit.startswith("h") else 1
        out.append(int(n * per))
    return out


def clock_time(text: str) -> time | None:
    """ "7" / "7:30" / "7.30am" / "6pm" -> a time of day."""
    m = _CLOCK.match(text.strip())
    if not m:
        return None
    hour, minute = int(m.group("h")), int(m.group("m") or 0)
    ampm = (m.group("ampm") or "").casefold()
    if ampm == "p" and hour < 12:
        hour += 12
    elif ampm == "a" and hour == 12:
        hour = 0
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _span_words(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        d = minutes // (24 * 60)
        return f"{d} day{'s' if d != 1 else ''}"
    if minutes % 60 == 0:
        h = minutes // 60
        return f"{h} hour{'s' if h != 1 else ''}"
    return f"{minutes} minutes"


@skill("reminders.prefs", needs_deal=False, payload=ReminderPrefs)
async def prefs(ctx: Context, p: ReminderPrefs) -> Reply:
    """ "remind me 2 hours before meetings", "morning reminders at 7": this user's own settings."""
    changes: dict[str, Any] = {}
    if p.before:
        mins = [m for m in lead_minutes(p.before) if 0 < m <= user_settings.MAX_BEFORE_MINUTES]
        if not mins:
            return Reply(
                headline="I can prompt you from a few minutes to a week before a meeting.",
                intent="reminders.prefs",
            )
        changes["before_minutes"] = sorted(set(mins), reverse=True)
    if p.morning:
        at = clock_time(p.morning)
        if at is None:
            return Reply(
                headline="What time of day should the morning reminders come? A time like 7:30 is enough.",
                intent="reminders.prefs",
            )
        changes["morning"] = at.strftime("%H:%M")
    if changes:
        await user_settings.save(ctx.memory.session, ctx.memory.tenant.id, ctx.turn.user, changes, ctx.now)
    now_prefs = await user_prefs(ctx)
    befores = sorted((int(d.total_seconds() // 60) for d in now_prefs.before), reverse=True)
    rule = "reminders.prefs"
    items = [
        Item(f"Before a meeting: {' and '.join(_span_words(m) for m in befores)} ahead."),
        Item(f"The morning checklist: {now_prefs.morning:%H:%M} ({now_prefs.timezone}), on the meeting day."),
        Item(ctx.kb.say(rule), rule=rule),
    ]
    return Reply(
        headline="Saved your reminder settings." if changes else "Your reminder settings:",
        intent="reminders.prefs",
        verdict="saved" if changes else "shown",
        sections=[Section(items=items)],
        footer="`remind me 2 hours before meetings` or `morning reminders at 7` changes them.",
    )


@skill("reminders.answer", payload=ReminderId)
async def answer_now(ctx: Context, p: ReminderId) -> Reply:
    """ "Answer this now" on an after-meeting prompt that found another form open: ask the
    capture question, and keep the other form to bring back once this one is answered."""
    assert ctx.deal is not None
    row = await _mine(ctx, p)
    if row is None or row.deal_id != ctx.deal.id:
        return _gone("That question")
    other = Form.of(await ctx.memory.load_form(ctx.conversation_id, ctx.deal.id))
    resume: dict[str, Any] = {"intent": "reminders.capture", "id": row.id}
    if other is not None and other.intent != "reminders.capture":
        resume["then"] = {"keys": list(other.keys), "resume": dict(other.resume)}
    return await ctx.ask(["meeting_promises"], resume=resume, intro="After the meeting:")


async def _bring_back(ctx: Context, then: PushedAside | None) -> Item | None:
    """The form an after-meeting answer pushed aside, open again."""
    assert ctx.deal is not None
    if then is None:
        return None
    keys = [k for k in then.keys if k in ctx.kb.facts and ctx.deal.fact(k) is None]
    if not keys:
        return None
    await ctx.memory.save_form(ctx.conversation_id, ctx.deal.id, keys, dict(then.resume), ctx.now)
    return Item("Back to your earlier question: " + ctx.kb.facts[keys[0]].question)


@skill("reminders.capture", payload=Capture)
async def capture(ctx: Context, p: Capture) -> Reply:
    """After-meeting answers → one `commitment` event per line (or nothing, when nothing was)."""
    assert ctx.deal is not None
    row = await _mine(ctx, p)
    payload: dict[str, Any] = dict(row.payload) if row is not None else {}
    answer = "" if p.nothing else str(ctx.deal.fact("meeting_promises") or "")
    lines = [] if _NOTHING.match(answer or "nothing") else _split(answer)
    if row is not None:  # answered: the one repeat is no longer needed
        await _close_meeting_prompts(ctx, row, (policy.MEETING_AFTER,))
    await ctx.memory.clear_form(ctx.conversation_id, ctx.deal.id)
    for text in lines:
        await ctx.log(
            "commitment",
            {
                "text": text,
                "by": payload.get("role"),
                "in_writing": False,
                "source": "after_meeting",
                "meeting_when": payload.get("when"),
                "meeting_event_id": payload.get("meeting_event_id"),
            },
        )
    rule = "reminders.after-meeting"
    # The form this answer pushed aside rides in the saved form's resume (reminders.answer), never
    # in a button: a button's `then` is dropped at the edge (reader_only).
    back = await _bring_back(ctx, p.then)
    tail = [Section(items=[back])] if back else []
    if not lines:
        return Reply(
            headline="Noted: nothing promised in that meeting.",
            intent="reminders.capture",
            verdict="nothing_promised",
            sections=[Section(items=[Item(ctx.kb.say(rule), rule=rule)]), *tail],
        )
    return Reply(
        headline=f"Logged {len(lines)} commitment{'s' if len(lines) != 1 else ''} for {ctx.deal.name}.",
        intent="reminders.capture",
        verdict="captured",
        sections=[
            Section(title="Verbal, not yet in writing", items=[Item(t) for t in lines]),
            Section(items=[Item(ctx.kb.say(rule), rule=rule)]),
            *tail,
        ],
    )


def _split(answer: str) -> list[str]:
    parts = re.split(r"\n|;|(?:^|\s)\d+[.)]\s|(?:^|\s)[-*•]\s", answer)
    return [p.strip(" .,-")[:300] for p in parts if p and p.strip(" .,-")][:20]
