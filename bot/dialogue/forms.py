"""A form: the questions a skill asked and waits on, and what runs once they are answered.

The form's state is typed (`Form`) and stored on the `form_states` row in the turn's own
transaction (bot/memory.py), so a form survives a restart and is shared by replicas; rows
written before this module (`pending` = {"keys": [...], "suspended": true}) load as they are.

Pure: `step` takes the form and the turn's message (or a button's answers) and says what comes
next (`Drop`, `AskAgain`, `Resume`, `Answered`, `Digress`); the Coach carries it out (it writes
facts, saves or clears the form and runs the skill the form was for). Answers are read and
checked by bot/dialogue/answers.py: a question or a command is never an answer, and a value is
kept only when it fits the fact's kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from bot.actions import NOT_ARGUMENTS, user_text
from bot.dialogue.answers import looks_like_question, parse_value, read_form_answers, topic, wording
from bot.knowledge import Knowledge

# What a message mid-form turned to instead (the Coach's Intent); the form only carries it.
I = TypeVar("I")  # noqa: E741

BUTTONS = ("form.answer", "form.resume", "form.drop")  # an open form's own buttons
MAX_ANSWER = 500  # characters of one answer that are read


@dataclass(frozen=True, slots=True)
class Form:
    """A form in progress: the facts still asked for (in asking order), the action payload to run
    once they are answered, and whether the person turned to something else (`suspended`: free
    text no longer fills it until they choose to continue)."""

    keys: tuple[str, ...]
    resume: Mapping[str, Any] = field(default_factory=dict)
    suspended: bool = False

    @classmethod
    def stored(cls, pending: Any, resume: Any) -> Form:
        """The form from its stored row (`pending`, `resume` JSON); any shape written so far loads,
        and a damaged one loads as an empty form rather than failing the turn."""
        pending = pending if isinstance(pending, Mapping) else {}
        keys = pending.get("keys")
        keys = [str(k) for k in keys] if isinstance(keys, list | tuple) else []
        resume = dict(resume) if isinstance(resume, Mapping) else {}
        return cls(tuple(keys), resume, pending.get("suspended") is True)

    @classmethod
    def of(cls, row: Any) -> Form | None:
        """The form of a `FormState` row (or None)."""
        return None if row is None else cls.stored(row.pending, row.resume)

    def pending(self) -> dict[str, Any]:
        """The stored `pending` JSON: {"keys": [...]} and "suspended": true when it is."""
        out: dict[str, Any] = {"keys": list(self.keys)}
        if self.suspended:
            out["suspended"] = True
        return out

    @property
    def intent(self) -> str:
        return str(self.resume.get("intent", "unknown"))

    def open_keys(self, kb: Knowledge) -> list[str]:
        """The questions still open that the knowledge knows (a fact since removed is skipped)."""
        return [k for k in self.keys if k in kb.facts]

    def topic(self, kb: Knowledge) -> str:
        return topic(kb, dict(self.resume))

    def resumed(self, kb: Knowledge) -> Form:
        return Form(tuple(self.open_keys(kb)), self.resume, False)

    def rerun(self) -> tuple[str, dict[str, Any], str]:
        """What the form was for, run again once answered: (intent, its arguments, what was said)."""
        resume = dict(self.resume)
        name = str(resume.pop("intent", "unknown"))
        args = {k: v for k, v in resume.items() if k not in NOT_ARGUMENTS}
        return name, args, str(user_text(resume))

    def back_note(self, kb: Knowledge, still_open: int) -> str:
        """ "Back to your escalation check? 2 questions open": the footer of a digression."""
        return wording(kb).back.format(topic=self.topic(kb), n=still_open, s="" if still_open == 1 else "s")


# --- what happens next ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Drop:
    """The person cancelled: the form goes, and the reply says so."""

    headline: str


@dataclass(frozen=True, slots=True)
class AskAgain:
    """Nothing in the message answers the form: the open questions again, with why."""

    keys: list[str]
    intro: str


@dataclass(frozen=True, slots=True)
class Resume:
    """Back to a suspended form: it takes free text again, and its questions are asked again."""

    form: Form
    keys: list[str]
    intro: str


@dataclass(frozen=True, slots=True)
class Answered:
    """Answers to record (fact key → value); then the form is cleared and what it was for runs.
    `said`: the words they came from (the currency an amount was said in is kept with the deal)."""

    answers: dict[str, Any]
    said: str = ""


@dataclass(frozen=True, slots=True)
class Digress(Generic[I]):
    """Not an answer: a question or a command. It is answered as if no form were open and the
    form is suspended; `intent` is the command or question when one was recognised."""

    form: Form
    intent: I | None


Step = Drop | AskAgain | Resume | Answered | Digress[Any]


def checked_answers(raw: Any, form: Form, kb: Knowledge) -> dict[str, Any]:
    """A button's or a card's answers ({fact key: value}), each checked against its fact's kind;
    keys the form does not ask and values that don't fit are left out."""
    pending = form.open_keys(kb)
    given: dict[str, Any] = {}
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            if key in pending and value not in (None, ""):
                parsed = parse_value(kb.facts[key], str(value)[:MAX_ANSWER], kb)
                if parsed is not None:
                    given[key] = parsed
    return given


def button(form: Form, intent: str, args: Mapping[str, Any], kb: Knowledge) -> Step:
    """An open form's own buttons: `form.drop`, `form.resume` ("Back to …? [Continue] [Drop]")
    and `form.answer` {"answers": {fact key: value}} from a choice button or a card."""
    words = wording(kb)
    if intent == "form.drop":
        return Drop(words.dropped.format(topic=form.topic(kb)))
    if intent == "form.resume":
        return Resume(form.resumed(kb), form.open_keys(kb), words.resumed.format(topic=form.topic(kb)))
    raw = args.get("answers")
    given = checked_answers(raw, form, kb)
    said = " ".join(str(v)[:MAX_ANSWER] for v in raw.values()) if isinstance(raw, Mapping) else ""
    return Answered(given, said) if given else AskAgain(form.open_keys(kb), words.unreadable)


def step(
    form: Form,
    text: str,
    kb: Knowledge,
    *,
    command: I | None,
    cancel: bool,
    new_question: Callable[[str], I | None],
    told: Callable[[str], bool],
    now: datetime,
    tz: str,
    llm_values: Mapping[str, Any] | None = None,
) -> Step:
    """The next step of `form` given a typed message.

    `command`: the command the message is (None for words); `cancel`: it is "cancel".
    `new_question(text)`: the question or request the message turns to instead, when the
    readers are sure of one. `told(text)`: the message states deal facts or names a day (news,
    not an answer). `llm_values`: a configured LLM's reading, which fills what the local one
    missed."""
    words = wording(kb)
    pending = form.open_keys(kb)
    if cancel:
        return Drop(words.dropped.format(topic=form.topic(kb)))
    waiting = replace(form, keys=tuple(pending), suspended=True)
    if command is not None:
        return Digress(waiting, command)
    other = new_question(text)
    answers = read_form_answers(text, pending, kb, free_text=other is None, now=now, tz=tz)
    if llm_values is not None and other is None:
        whole = text.strip()[:MAX_ANSWER]  # the whole reply taken as a text answer: the model reads better
        answers.update(
            {k: v for k, v in llm_values.items() if k in pending and answers.get(k, whole) == whole}
        )
    if answers:
        return Answered(answers, text)
    if other is None and not form.suspended and not looks_like_question(text, kb) and not told(text):
        return AskAgain(pending, words.unreadable)
    return Digress(waiting, other)  # a question or something new: answered, the form waits
