"""What a due reminder says: a Reply with a checklist and buttons (done, snooze, skip).

Pure: (reminder data, deal view, knowledge, now) -> Reply. Before a meeting prep knows (its
role and topic), the checklist is meeting prep's (bot/playbooks/meeting_prep.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.knowledge import Knowledge
from bot.playbooks import meeting_prep
from bot.reminders import policy as p
from bot.reply import Action, Item, Question, Reply, Section
from bot.timeline import DealView


def config(kb: Knowledge) -> p.ReminderConfig:
    return kb.section("reminders.reminders")


def default_checklist(kb: Knowledge, role: str | None) -> list[Item]:
    lists = config(kb).checklists
    lines = [*lists.get("default", []), *lists.get(role or "", [])]
    return [Item(line.text, rule=line.rule, done=False) for line in lines]


def checklist(view: DealView | None, kb: Knowledge, role: str | None, topic: str | None) -> list[Item]:
    """Meeting prep's checklist for a role and topic it knows, else the reminders' default."""
    alignment = view.fact("internal_alignment") if view else None
    return meeting_prep.reminder_checklist(kb, role, topic, alignment) or default_checklist(kb, role)


def local_time(when: datetime, tz_name: str | None) -> str:
    local = when.astimezone(p.zone(tz_name))
    return f"{local:%a %d %b, %H:%M} ({local.tzname()})"


def _role_title(kb: Knowledge, role: Any) -> str:
    spec = kb.role(str(role)) if role else None
    return spec.title if spec else (str(role) if role else "Microsoft")


def buttons(reminder_id: int, snooze_minutes: int, *, done_label: str = "Done") -> list[Action]:
    return [
        Action(done_label, {"intent": "reminders.done", "id": reminder_id}, style="primary"),
        Action(
            f"Snooze {_span(snooze_minutes)}",
            {"intent": "reminders.snooze", "id": reminder_id, "minutes": snooze_minutes},
        ),
        Action("Skip", {"intent": "reminders.skip", "id": reminder_id}),
    ]


def _span(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        d = minutes // (24 * 60)
        return f"{d} day{'s' if d != 1 else ''}"
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes} min"


def build(
    reminder_id: int,
    kind: str,
    payload: Mapping[str, Any],
    view: DealView | None,
    kb: Knowledge,
    now: datetime,
    *,
    open_form: list[str] | None = None,
) -> Reply:
    """`open_form`: the keys of another form open in that conversation; the after-meeting
    question then does not take it over but mentions it and offers to answer this one now."""
    cfg = config(kb)
    deal = view.name if view else "your deal"
    if kind in p.PRE_MEETING:
        when = p.parse_when(payload.get("when")) or now
        topic = payload.get("topic") or "meeting"
        who = _role_title(kb, payload.get("role"))
        minutes_left = max(int((when - now).total_seconds() // 60), 0)
        snooze = min(cfg.snooze_minutes, max(minutes_left - 15, 5))
        return Reply(
            headline=f"{deal}: {topic} with the {who}, {local_time(when, payload.get('timezone'))}.",
            intent="reminders.pre_meeting",
            verdict="prepare",
            verdict_label="Get ready.",
            sections=[
                Section(
                    title="Before you go in",
                    style="checklist",
                    items=checklist(view, kb, payload.get("role"), payload.get("topic")),
                )
            ],
            actions=buttons(reminder_id, snooze),
        )
    if kind == p.MEETING_AFTER:
        topic = payload.get("topic") or "meeting"
        who = _role_title(kb, payload.get("role"))
        again = " (asking once more)" if payload.get("repeat") else ""
        items = [Item(kb.say("reminders.after-meeting"), rule="reminders.after-meeting")]
        first: list[Action] = []
        if open_form is not None:
            labels = ", ".join(kb.facts[k].label.lower() for k in open_form if k in kb.facts) or "a form"
            items.append(Item(kb.say("reminders.form-open", open=labels), rule="reminders.form-open"))
            first = [
                Action("Answer this now", {"intent": "reminders.answer", "id": reminder_id}, style="primary")
            ]
        return Reply(
            headline=f"{deal}: how did the {topic} with the {who} go? What did they promise?{again}",
            intent="reminders.after_meeting",
            verdict="capture",
            sections=[Section(items=items)],
            questions=[]
            if open_form is not None
            else [
                Question(
                    id="meeting_promises",
                    prompt=kb.facts["meeting_promises"].question,
                    kind="text",
                    form="reminders.capture",
                )
            ],
            actions=[
                *first,
                Action(
                    "Nothing was promised",
                    {"intent": "reminders.capture", "id": reminder_id, "nothing": True},
                ),
                Action(
                    f"Snooze {_span(cfg.snooze_minutes)}",
                    {"intent": "reminders.snooze", "id": reminder_id, "minutes": cfg.snooze_minutes},
                ),
                Action("Skip", {"intent": "reminders.skip", "id": reminder_id}),
            ],
            footer="Reply in your own words; each line becomes a commitment on the deal.",
        )
    if kind == p.RENEWAL_MILESTONE:
        renewal = p.parse_day(payload.get("renewal_date"))
        rule = str(payload.get("rule"))
        return Reply(
            headline=f"{deal}: renewal on {_day(renewal)}, {_until(renewal, now)} away.",
            intent="reminders.renewal",
            verdict="milestone",
            sections=[Section(items=[Item(kb.say(rule), rule=rule)])],
            actions=buttons(reminder_id, 24 * 60),
        )
    if kind == p.QUARTER_END:
        end = p.parse_day(payload.get("end"))
        rule = str(payload.get("rule"))
        period = "fiscal year" if "fiscal" in rule else "quarter"
        return Reply(
            headline=f"{deal}: Microsoft's {period} ends in {_until(end, now)}.",
            intent="reminders.quarter_end",
            verdict="leverage",
            sections=[Section(items=[Item(kb.say(rule, end=_day(end)), rule=rule)])],
            actions=buttons(reminder_id, 24 * 60),
        )
    if kind == p.SIGNATURE_VERBAL:
        open_ = p.open_verbal_commitments(view) if view else []
        texts = [(c.what or "a promise")[:80] for c in open_]
        sig = p.parse_day(payload.get("signature_date"))
        rule = "reminders.verbal-before-signature"
        return Reply(
            headline=f"{deal}: signature in {_until(sig, now)}, and promises are still only verbal.",
            intent="reminders.signature",
            verdict="get_it_in_writing",
            verdict_label="Not in writing yet.",
            sections=[
                Section(
                    items=[
                        Item(
                            kb.say(rule, date=_day(sig), count=len(texts), items="; ".join(texts[:5])),
                            rule=rule,
                        )
                    ]
                )
            ],
            actions=buttons(reminder_id, 24 * 60),
        )
    text = str(payload.get("text") or "").strip()
    return Reply(
        headline=f"Reminder{' for ' + deal if view else ''}: {text or 'you asked me to remind you now.'}",
        intent="reminders.follow_up",
        verdict="reminder",
        sections=[Section(items=[Item(kb.say("reminders.follow-up"), rule="reminders.follow-up")])],
        actions=buttons(reminder_id, cfg.snooze_minutes),
    )


def _day(d: date | None) -> str:
    return f"{d:%d %b %Y}" if d else "the date you gave"


def _until(d: date | None, now: datetime) -> str:
    if d is None:
        return "some time"
    days = (d - now.date()).days
    if days >= 60:
        return f"about {round(days / 30.4)} months"
    if days == 1:
        return "1 day"
    return f"{max(days, 0)} days"


def describe(kind: str, payload: Mapping[str, Any], kb: Knowledge) -> str:
    """One line for the `reminders` list."""
    if kind in p.PRE_MEETING:
        who = _role_title(kb, payload.get("role"))
        return f"Checklist for the {payload.get('topic') or 'meeting'} with the {who}"
    if kind == p.MEETING_AFTER:
        return f"Ask what was promised in the {payload.get('topic') or 'meeting'}"
    if kind == p.RENEWAL_MILESTONE:
        return f"Renewal milestone {payload.get('milestone')} (renewal {payload.get('renewal_date')})"
    if kind == p.QUARTER_END:
        what = "year" if "fiscal" in str(payload.get("rule")) else "quarter"
        return f"Microsoft {what} end on {payload.get('end')}"
    if kind == p.SIGNATURE_VERBAL:
        return (
            f"Verbal promises check before signing on {payload.get('signature_date')} (only if any are open)"
        )
    return f"Reminder: {str(payload.get('text') or '')[:80]}".rstrip(": ")
