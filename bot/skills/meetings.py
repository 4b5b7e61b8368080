"""“prep me for the architecture session with their technical specialist on Monday”."""

from __future__ import annotations

import re
from datetime import datetime

from bot.actions import MeetingPrep
from bot.context import Context
from bot.knowledge import Knowledge, RoleSpec
from bot.playbooks.meeting_prep import TopicSpec, checklist, find_topic, prep_config
from bot.playbooks.people import find_role
from bot.playbooks.rehearsal import last_scorecard
from bot.playbooks.when import AskBack, When, parse_when, zone
from bot.reminders.hooks import log_meeting, user_prefs
from bot.reply import Item, Reply, Section
from bot.skills import skill
from bot.skills.rehearsal import rehearse_action
from bot.timeline import Event


def which_day(kb: Knowledge, ask: AskBack) -> Item:
    """ "Which day is 12/03 — 12 March or 3 December?" (or, unreadable, which day is meant)."""
    if len(ask.options) > 1:
        options = " or ".join(f"{d.day} {d:%B}" for d in ask.options)
        return Item(kb.say("meetings.which-day", said=ask.said, options=options), rule="meetings.which-day")
    return Item(kb.say("meetings.which-day-unclear", said=ask.said), rule="meetings.which-day-unclear")


def _role_of_contact(ctx: Context, text: str) -> RoleSpec | None:
    """A contact on the deal named by name ("prep me for Thursday with Jane"): their role."""
    assert ctx.deal is not None
    for c in ctx.deal.contacts:
        first = c.name.split()[0]
        if c.active and re.search(rf"(?<!\w)(?:{re.escape(c.name)}|{re.escape(first)})(?!\w)", text):
            return ctx.kb.roles.get(c.role)
    return None


def _typed_when(on: str, at_: str | None, tz: str | None, default_hour: int) -> When:
    """A day and an optional HH:MM picked in a form, in the person's time zone."""
    from datetime import UTC, date, datetime, time

    day = date.fromisoformat(on)
    at = time.fromisoformat(at_) if at_ else time(default_hour)
    local = datetime.combine(day, at, tzinfo=zone(tz))
    return When(at=local.astimezone(UTC), has_time=bool(at_), day_text=on)


@skill("meeting.prep", payload=MeetingPrep)
async def prep(ctx: Context, p: MeetingPrep) -> Reply:
    assert ctx.deal is not None
    kb = ctx.kb
    said = p.said or p.rest or ctx.intent.text
    text = f"{said} with {p.with_}" if p.with_ else said
    # Typed values (a Slack modal): the role's key, the topic's words, the day and the time.
    typed = bool(p.role and p.on)
    role = kb.role(p.role or "") if typed else (find_role(text, kb) or _role_of_contact(ctx, text))
    if role is None and not typed:
        # "what should we avoid saying?" right after a meeting was prepared: that meeting again,
        # not a second one logged
        ahead = _meeting_just_prepared(ctx)
        if ahead is not None:
            return await _prepared_again(ctx, ahead)
    if role is None:  # the rest of what was said is kept; one question asks who
        ctx.awaiting = {"intent": "meeting.prep", "args": {"said": said[:400]}, "slot": "with"}
        titles = ", ".join(r.title for r in kb.roles.values())
        return Reply(headline=f"Who is the meeting with at Microsoft ({titles})?", intent="meeting.prep")
    topic = find_topic((p.topic or text) if typed else text, kb)
    cfg = prep_config(kb)
    tz = (await user_prefs(ctx)).timezone  # the platform's, else the conversation's, else the default
    when = (
        _typed_when(p.on or "", p.at, tz, cfg.default_hour)
        if typed
        else parse_when(text, ctx.now, tz, cfg.default_hour)
    )
    ask = when if isinstance(when, AskBack) else None
    if ask is not None:
        when = None  # saved without a day; the reply asks which day is meant
    contact = next((c for c in ctx.deal.contacts if c.role == role.key and c.active), None)
    # log_meeting also schedules the reminders (bot/reminders) in this same transaction.
    event = await log_meeting(
        ctx,
        {
            "role": role.key,
            "topic": topic.label,
            "topic_key": topic.key,
            "title": f"{topic.label} with the {role.title}",
            "when": when.at.isoformat() if when else None,
            "has_time": bool(when and when.has_time),
            "contact": contact.name if contact else None,
            "said": text[:300],
        },
    )
    at = (when.at, when.has_time) if when is not None else None
    return _checklist_reply(ctx, role, topic, at, tz, contact.name if contact else None, event.id, ask)


def _checklist_reply(
    ctx: Context,
    role: RoleSpec,
    topic: TopicSpec,
    at: tuple[datetime, bool] | None,
    tz: str | None,
    contact: str | None,
    meeting_id: int,
    ask: AskBack | None = None,
) -> Reply:
    """The prep checklist for one meeting on record: `at` is its time and whether the hour was said."""
    assert ctx.deal is not None
    kb = ctx.kb
    rehearsed = last_scorecard(ctx.deal, role.key)
    cl = checklist(kb, role.key, topic, ctx.deal.fact("internal_alignment"), rehearsed)
    sections = list(cl.sections)
    if ask is not None:
        sections.insert(0, Section(items=[which_day(kb, ask)]))
        day = "Date to be set"
    elif at is None:
        sections.append(Section(items=[Item(kb.say("meetings.when-unclear"), rule="meetings.when-unclear")]))
        day = "Date to be set"
    else:
        local = at[0].astimezone(zone(tz))
        day = f"{local:%A %d %B}" + (f", {local:%H:%M}" if at[1] else "")
    who = f" ({contact})" if contact else ""
    return Reply(
        headline=f"{day} — {role.title}{who}, {topic.label}",
        intent="meeting.prep",
        verdict="checklist",
        verdict_label=day,
        sections=sections,
        footer=f"Saved to {ctx.deal.name} as meeting #{meeting_id}.",
        actions=rehearse_action(kb, role.key),
    )


def _meeting_just_prepared(ctx: Context) -> Event | None:
    """The meeting prepared in this conversation's last advice question, still ahead: its event."""
    from bot.dialogue.config import dialogue_config

    assert ctx.deal is not None
    state = ctx.dialogue
    asked = state.fresh_asked(ctx.now, dialogue_config(ctx.kb).topic_minutes) if state is not None else None
    if asked is None or asked.intent != "meeting.prep":
        return None
    meetings = [e for e in ctx.deal.events if e.kind == "meeting" and ctx.kb.role(str(e.payload.get("role")))]
    if not meetings:
        return None
    last = max(meetings, key=lambda e: e.id)
    when = last.payload.get("when")
    if isinstance(when, str) and datetime.fromisoformat(when) < ctx.now:
        return None  # already past: a new meeting is meant
    return last


async def _prepared_again(ctx: Context, meeting: Event) -> Reply:
    kb = ctx.kb
    role = kb.role(str(meeting.payload.get("role")))
    assert role is not None
    cfg = prep_config(kb)
    key = meeting.payload.get("topic_key")
    topic = next((t for t in cfg.topics if t.key == key), None) or find_topic(
        str(meeting.payload.get("said") or ""), kb
    )
    when = meeting.payload.get("when")
    at = (
        (datetime.fromisoformat(when), bool(meeting.payload.get("has_time")))
        if isinstance(when, str)
        else None
    )
    tz = (await user_prefs(ctx)).timezone
    return _checklist_reply(ctx, role, topic, at, tz, meeting.payload.get("contact"), meeting.id)
