"""What a due reminder says: a Reply with a checklist and buttons (done, snooze, skip).

Pure: (reminder data, deal view, knowledge, now) -> Reply. Before a meeting prep knows (its
role and topic), the checklist is meeting prep's (bot/playbooks/meeting_prep.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.knowledge import Knowledge
from bot.playbooks import meeting_prep
from bot.playbooks.rehearsal import last_scorecard
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
    rehearsed = last_scorecard(view, role) if role else None  # lines to remember from a rehearsal
    return meeting_prep.reminder_checklist(kb, role, topic, alignment, rehearsed) or default_checklist(
        kb, role
    )


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


@dataclass(frozen=True, slots=True)
class Due:
    """One due reminder and what its message is written from."""

    id: int
    payload: Mapping[str, Any]
    view: DealView | None
    kb: Knowledge
    now: datetime

    @property
    def deal(self) -> str:
        return self.view.name if self.view else "your deal"

    @property
    def topic(self) -> str:
        return self.payload.get("topic") or "meeting"

    @property
    def who(self) -> str:
        return _role_title(self.kb, self.payload.get("role"))


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
    """The message for a due reminder of this kind. `open_form`: the keys of another form open
    in that conversation; the after-meeting question then does not take it over but mentions
    it and offers to answer this one now."""
    due = Due(reminder_id, payload, view, kb, now)
    if kind in p.PRE_MEETING:
        return _before_meeting(due)
    if kind == p.MEETING_AFTER:
        return _after_meeting(due, open_form)
    return _WRITERS.get(kind, _follow_up)(due)


def _before_meeting(due: Due) -> Reply:
    """The checklist before a meeting; snoozing never pushes it past the meeting's start."""
    when = p.parse_when(due.payload.get("when")) or due.now
    minutes_left = max(int((when - due.now).total_seconds() // 60), 0)
    snooze = min(config(due.kb).snooze_minutes, max(minutes_left - 15, 5))
    items = checklist(due.view, due.kb, due.payload.get("role"), due.payload.get("topic"))
    at = local_time(when, due.payload.get("timezone"))
    return Reply(
        headline=f"{due.deal}: {due.topic} with the {due.who}, {at}.",
        intent="reminders.pre_meeting",
        verdict="prepare",
        verdict_label="Get ready.",
        sections=[Section(title="Before you go in", style="checklist", items=items)],
        actions=buttons(due.id, snooze),
    )


def _after_meeting(due: Due, open_form: list[str] | None) -> Reply:
    """After a meeting: what did they promise? With another form open, it waits its turn."""
    kb = due.kb
    snooze = config(kb).snooze_minutes
    again = " (asking once more)" if due.payload.get("repeat") else ""
    items = [Item(kb.say("reminders.after-meeting"), rule="reminders.after-meeting")]
    first: list[Action] = []
    questions: list[Question] = []
    if open_form is not None:
        labels = ", ".join(kb.facts[k].label.lower() for k in open_form if k in kb.facts) or "a form"
        items.append(Item(kb.say("reminders.form-open", open=labels), rule="reminders.form-open"))
        first = [Action("Answer this now", {"intent": "reminders.answer", "id": due.id}, style="primary")]
    else:
        prompt = kb.facts["meeting_promises"].question
        questions = [Question(id="meeting_promises", prompt=prompt, kind="text", form="reminders.capture")]
    return Reply(
        headline=f"{due.deal}: how did the {due.topic} with the {due.who} go? What did they promise?{again}",
        intent="reminders.after_meeting",
        verdict="capture",
        sections=[Section(items=items)],
        questions=questions,
        actions=[
            *first,
            Action("Nothing was promised", {"intent": "reminders.capture", "id": due.id, "nothing": True}),
            Action(
                f"Snooze {_span(snooze)}", {"intent": "reminders.snooze", "id": due.id, "minutes": snooze}
            ),
            Action("Skip", {"intent": "reminders.skip", "id": due.id}),
        ],
        footer="Reply in your own words; each line becomes a commitment on the deal.",
    )


def _renewal_milestone(due: Due) -> Reply:
    renewal = p.parse_day(due.payload.get("renewal_date"))
    rule = str(due.payload.get("rule"))
    return Reply(
        headline=f"{due.deal}: renewal on {_day(renewal)}, {_until(renewal, due.now)} away.",
        intent="reminders.renewal",
        verdict="milestone",
        sections=[Section(items=[Item(due.kb.say(rule), rule=rule)])],
        actions=buttons(due.id, 24 * 60),
    )


def _quarter_end(due: Due) -> Reply:
    end = p.parse_day(due.payload.get("end"))
    rule = str(due.payload.get("rule"))
    period = "fiscal year" if "fiscal" in rule else "quarter"
    return Reply(
        headline=f"{due.deal}: Microsoft's {period} ends in {_until(end, due.now)}.",
        intent="reminders.quarter_end",
        verdict="leverage",
        sections=[Section(items=[Item(due.kb.say(rule, end=_day(end)), rule=rule)])],
        actions=buttons(due.id, 24 * 60),
    )


def _verbal_before_signature(due: Due) -> Reply:
    """Before signing: the promises still only spoken, so they get into the contract."""
    open_ = p.open_verbal_commitments(due.view) if due.view else []
    promises = [(c.what or "a promise")[:80] for c in open_]
    sig = p.parse_day(due.payload.get("signature_date"))
    rule = "reminders.verbal-before-signature"
    said = due.kb.say(rule, date=_day(sig), count=len(promises), items="; ".join(promises[:5]))
    return Reply(
        headline=f"{due.deal}: signature in {_until(sig, due.now)}, and promises are still only verbal.",
        intent="reminders.signature",
        verdict="get_it_in_writing",
        verdict_label="Not in writing yet.",
        sections=[Section(items=[Item(said, rule=rule)])],
        actions=buttons(due.id, 24 * 60),
    )


def _follow_up(due: Due) -> Reply:
    """A reminder the user asked for in their own words."""
    text = str(due.payload.get("text") or "").strip() or "you asked me to remind you now."
    return Reply(
        headline=f"Reminder{' for ' + due.deal if due.view else ''}: {text}",
        intent="reminders.follow_up",
        verdict="reminder",
        sections=[Section(items=[Item(due.kb.say("reminders.follow-up"), rule="reminders.follow-up")])],
        actions=buttons(due.id, config(due.kb).snooze_minutes),
    )


_WRITERS: dict[str, Callable[[Due], Reply]] = {
    p.RENEWAL_MILESTONE: _renewal_milestone,
    p.QUARTER_END: _quarter_end,
    p.SIGNATURE_VERBAL: _verbal_before_signature,
}


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
