"""A conversation's short memory: what it is about, who was named, what was told, what the coach
asked. Stored as JSON on the conversation row (`conversations.dialogue`, migration 0007) and
written in the turn's own transaction, so it survives restarts and is shared by replicas; the
same in a Slack thread, a Teams chat and the shell.

Pure: `after_turn` takes the turn's reading and reply and returns the next state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from bot.dialogue.config import cues, dialogue_config
from bot.understanding.events import (
    close_told,
    favours_and_counts_told,
    given_told,
    strangers_told,
    their_people,
)
from bot.understanding.parts import Entity, Speaker

if TYPE_CHECKING:
    from bot.knowledge import Knowledge
    from bot.reply import Reply


class Reading(Protocol):
    """What the state keeps of a turn's reading (bot/understanding/reading.py `Reading`), named
    here so that the dialogue does not import the reader that imports it."""

    @property
    def resolved(self) -> str: ...
    @property
    def args(self) -> Mapping[str, Any]: ...
    @property
    def entities(self) -> Sequence[Entity]: ...
    @property
    def speaker(self) -> Speaker | None: ...
    @property
    def question(self) -> bool: ...
    @property
    def facts(self) -> Sequence[Any]: ...  # bot.understanding.parts.Fact: key, value, span


# Replies that are about the conversation itself, not the deal: they leave the topic as it was.
NOT_A_TOPIC = frozenset(
    {
        "unknown",
        "empty",
        "too_long",
        "error",
        "help",
        "cancel",
        "undo",
        "smalltalk.greet",
        "smalltalk.thanks",
        "smalltalk.about",
        "form.cancel",
        "form.ask",
        "deal.list",
        "deal.new",
        "deal.use",
        "unknown_deal",
    }
)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str | None  # a knowledge/roles.yaml key, or None
    side: str | None  # "us" | "microsoft"


@dataclass(frozen=True, slots=True)
class Topic:
    intent: str
    text: str  # what was asked, with its references already resolved
    args: dict[str, Any] = field(default_factory=dict)
    at: str = ""  # ISO time of the turn


@dataclass(frozen=True, slots=True)
class DialogueState:
    deal_id: int | None = None
    topic: Topic | None = None
    people: tuple[Person, ...] = ()  # most recent first
    facts: tuple[tuple[str, Any], ...] = ()  # (key, value), most recent first
    figure: str | None = None  # the last amount or percentage named, as said
    figure_said: str | None = None  # the sentence it was named in ("we've got 900k a yr signed off")
    figure_key: str | None = None  # the deal fact it was read as, when one was
    statement: str | None = None  # the last thing Microsoft was told to have said or asked
    theirs: bool = False  # the last turn told what Microsoft said or asked (a yes/no leans on it)
    question: str | None = None  # the last question the coach asked
    role: str | None = None  # the last Microsoft role mentioned (a knowledge/roles.yaml key)
    favours: tuple[tuple[str, int], ...] = ()  # favours told as events, per Microsoft person
    told: tuple[str, ...] = ()  # the last statements told (not questions), most recent first
    told_at: str = ""  # ISO time of the latest of them (a question leans on them while fresh)
    strangers: tuple[str, ...] = ()  # Microsoft people we were told we have no relationship with
    close: tuple[str, ...] = ()  # Microsoft people we were told we know well
    given: tuple[tuple[str, int], ...] = ()  # value we gave them, as told, per Microsoft person
    # The last advice question asked (knowledge/dialogue.yaml `advice_intents`): facts told after
    # it leave it standing, so "what do we say?" two messages later asks it again.
    asked: Topic | None = None
    counted: tuple[tuple[str, int], ...] = ()  # the largest count of asks told, per person ("twice")

    def is_stranger(self, name: str) -> bool:
        first = name.strip().split()[0].casefold() if name.strip() else ""
        return any(s.split()[0].casefold() == first for s in self.strangers)

    def is_close(self, name: str) -> bool:
        first = name.strip().split()[0].casefold() if name.strip() else ""
        return any(s.split()[0].casefold() == first for s in self.close)

    def given_to(self, name: str) -> int:
        """Value the conversation told we gave this person ("we did a case study for her team")."""
        first = name.strip().split()[0].casefold() if name.strip() else ""
        return sum(n for who, n in self.given if who.split()[0].casefold() == first)

    def favours_of(self, name: str) -> int:
        """Favours the conversation told of this person as events ("she got us the trial", …)."""
        first = name.strip().split()[0].casefold() if name.strip() else ""
        return sum(n for who, n in self.favours if who.split()[0].casefold() == first)

    def counted_of(self, name: str) -> int:
        """The largest count of asks of this person the conversation told ("asked him twice",
        "two favours this month"): a total, told again, not added again."""
        first = name.strip().split()[0].casefold() if name.strip() else ""
        return max((n for who, n in self.counted if who.split()[0].casefold() == first), default=0)

    # --- JSON ---------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "v": 1,
            "deal_id": self.deal_id,
            "topic": _topic_json(self.topic),
            "asked": _topic_json(self.asked),
            "people": [{"name": p.name, "role": p.role, "side": p.side} for p in self.people],
            "facts": [[k, v] for k, v in self.facts],
            "figure": self.figure,
            "figure_said": self.figure_said,
            "figure_key": self.figure_key,
            "statement": self.statement,
            "theirs": self.theirs,
            "question": self.question,
            "role": self.role,
            "favours": [[k, n] for k, n in self.favours],
            "told": list(self.told),
            "told_at": self.told_at,
            "strangers": list(self.strangers),
            "close": list(self.close),
            "given": [[k, n] for k, n in self.given],
            "counted": [[k, n] for k, n in self.counted],
        }

    @classmethod
    def from_json(cls, raw: Any, deal_id: int | None) -> DialogueState:
        """The stored state for this deal; an empty one when none was stored, it belongs to
        another deal (the conversation switched), or it is unreadable."""
        if not isinstance(raw, dict) or raw.get("deal_id") != deal_id:
            return cls(deal_id=deal_id)
        try:
            topic = _topic_from(raw.get("topic"))
            people = tuple(
                Person(str(p["name"]), p.get("role"), p.get("side"))
                for p in raw.get("people") or []
                if isinstance(p, dict) and p.get("name")
            )
            facts = tuple((str(k), v) for k, v in raw.get("facts") or [])
            return cls(
                deal_id=deal_id,
                topic=topic,
                people=people,
                facts=facts,
                figure=raw.get("figure"),
                figure_said=raw.get("figure_said") if isinstance(raw.get("figure_said"), str) else None,
                figure_key=raw.get("figure_key") if isinstance(raw.get("figure_key"), str) else None,
                statement=raw.get("statement"),
                theirs=bool(raw.get("theirs")),
                question=raw.get("question"),
                role=raw.get("role") if isinstance(raw.get("role"), str) else None,
                favours=tuple((str(k), int(n)) for k, n in raw.get("favours") or [] if isinstance(n, int)),
                told=tuple(str(t) for t in raw.get("told") or [] if isinstance(t, str)),
                told_at=str(raw.get("told_at") or ""),
                strangers=tuple(str(t) for t in raw.get("strangers") or [] if isinstance(t, str)),
                close=tuple(str(t) for t in raw.get("close") or [] if isinstance(t, str)),
                given=tuple((str(k), int(n)) for k, n in raw.get("given") or [] if isinstance(n, int)),
                asked=_topic_from(raw.get("asked")),
                counted=tuple((str(k), int(n)) for k, n in raw.get("counted") or [] if isinstance(n, int)),
            )
        except (KeyError, TypeError, ValueError):
            return cls(deal_id=deal_id)

    # --- reading it ---------------------------------------------------------------------
    def fresh_topic(self, now: datetime, minutes: int) -> Topic | None:
        """The topic, unless it is older than `minutes` (a follow-up no longer leans on it)."""
        return _fresh(self.topic, now, minutes)

    def fresh_asked(self, now: datetime, minutes: int) -> Topic | None:
        """The last advice question, unless it is older than `minutes`."""
        return _fresh(self.asked, now, minutes)

    def fresh_told(self, now: datetime, minutes: int) -> tuple[str, ...]:
        """The last statements told, unless the latest is older than `minutes`."""
        try:
            at = datetime.fromisoformat(self.told_at)
        except ValueError:
            return ()
        return self.told if now - at <= timedelta(minutes=minutes) else ()

    def last_person(self) -> Person | None:
        """The person a pronoun most likely means: the last named one."""
        return self.people[0] if self.people else None


def _topic_json(t: Topic | None) -> dict[str, Any] | None:
    return {"intent": t.intent, "text": t.text, "args": t.args, "at": t.at} if t else None


def _topic_from(t: Any) -> Topic | None:
    if not (isinstance(t, dict) and t.get("intent")):
        return None
    return Topic(str(t["intent"]), str(t.get("text", "")), dict(t.get("args") or {}), str(t.get("at", "")))


def _fresh(t: Topic | None, now: datetime, minutes: int) -> Topic | None:
    if t is None:
        return None
    try:
        at = datetime.fromisoformat(t.at)
    except ValueError:
        return None
    return t if now - at <= timedelta(minutes=minutes) else None


def after_turn(
    state: DialogueState,
    reading: Reading | None,
    reply: Reply,
    kb: Knowledge,
    now: datetime,
    *,
    told: dict[str, Any] | None = None,
    awaiting: dict[str, Any] | None = None,
) -> DialogueState:
    """The state after this turn: the topic moves to what was answered, newly named people go
    first, facts told this turn join the list, the coach's own question is remembered."""
    cfg = dialogue_config(kb)
    topic = state.topic
    last_asked = state.asked
    people = list(state.people)
    facts = list(state.facts)
    figure, statement, role = state.figure, state.statement, state.role
    figure_said, figure_key = state.figure_said, state.figure_key
    theirs = False
    favours = dict(state.favours)
    told_texts = list(state.told)
    told_at = state.told_at
    strangers = list(state.strangers)
    close = list(state.close)
    given = dict(state.given)
    counted = dict(state.counted)
    if reading is not None:
        if reply.intent not in NOT_A_TOPIC and reading.resolved:
            args = {k: v for k, v in reading.args.items() if isinstance(v, str | int | float | bool)}
            topic = Topic(reply.intent, reading.resolved[:500], args, now.isoformat())
            if reply.intent in cfg.advice_intents:
                last_asked = topic
        for e in reversed(reading.entities):
            if e.kind == "person":
                person = Person(e.text, e.value if isinstance(e.value, str) else None, e.side)
                people = [person, *(p for p in people if p.name.casefold() != e.text.casefold())]
        # "our CSM Ada", "Hugo, our partner manager,": a name beside a Microsoft role is their person
        # in that role, whether or not the reader took the name for a person
        for name, key in reversed(their_people(reading.text, kb)):
            known = next((p for p in people if p.name.casefold() == name.casefold()), None)
            if known is None:
                people = [Person(name, key, "microsoft"), *people]
            elif (known.role is None and key) or known.side is None:
                people = [
                    Person(known.name, known.role or key, known.side or "microsoft"),
                    *(p for p in people if p is not known),
                ]
        mentioned = [
            e
            for e in reading.entities
            if e.kind in ("role", "person") and e.side == "microsoft" and isinstance(e.value, str)
        ]
        if mentioned:  # the last one named in the message
            role = str(max(mentioned, key=lambda e: e.span[0]).value)
        named = [e for e in reading.entities if e.kind in ("amount", "percent")]
        if named:
            last = named[-1]
            figure = last.text
            figure_said = _sentence_at(reading.resolved, last.span[0])[:300]
            figure_key = next(
                (
                    str(f.key)
                    for f in reading.facts
                    if f.span[0] <= last.span[0] < max(f.span[1], f.span[0] + 1)
                ),
                None,
            )
        said = reply.intent == "ms.statement" and reply.verdict == "logged"
        asked = (
            reading.speaker is not None
            and reading.speaker.side == "microsoft"
            and not reading.question
            and bool(cues(kb).request.search(reading.resolved))
        )
        theirs = said or asked
        if theirs:
            statement = reading.resolved[:500]
        theirs_all = [p.name for p in people if p.side == "microsoft"]
        last_theirs = next((p.name for p in state.people if p.side == "microsoft"), None)
        # What this message tells of favours, value given and how well we know them counts once,
        # here, whether it also asks something (the favour question adds its own message's count).
        for name, (n, count) in favours_and_counts_told(
            reading.text, kb, theirs_all, last=last_theirs
        ).items():
            if n:  # events add up; a count told is a total, kept at its largest
                favours[name] = favours.get(name, 0) + n
            if count:
                counted[name] = max(counted.get(name, 0), count)
        for name, n in given_told(reading.text, kb, theirs_all, last=last_theirs).items():
            given[name] = given.get(name, 0) + n
        # "I'm thinking of asking Marcos to help with the provisioning": told, though it reads
        # like a question; one asked with a question mark is not
        if not reading.question or not reading.text.rstrip().endswith("?"):
            told_texts = [reading.text[:400], *told_texts][:3]
            told_at = now.isoformat()
        for name in strangers_told(reading.text, kb, theirs_all, last=last_theirs):
            strangers = [name, *(s for s in strangers if s != name)][:5]
            close = [c for c in close if c != name]
        for name in close_told(reading.text, kb, theirs_all, last=last_theirs):
            close = [name, *(c for c in close if c != name)][:5]
            strangers = [c for c in strangers if c != name]
    if awaiting is not None and reading is not None:  # the coach asked for one missing argument
        args = {k: v for k, v in dict(awaiting.get("args") or {}).items() if isinstance(v, str | int | float)}
        args["awaiting"] = str(awaiting["slot"])
        topic = Topic(str(awaiting["intent"]), reading.resolved[:500], args, now.isoformat())
    for key, value in (told or {}).items():
        if isinstance(value, str | int | float | bool):
            facts = [(key, value), *((k, v) for k, v in facts if k != key)]
    question = state.question
    if reply.questions or reply.intent == "form.ask":
        question = reply.headline[:300]
    elif reading is not None:
        question = None  # answered, or moved on
    return DialogueState(
        deal_id=state.deal_id,
        topic=topic,
        people=tuple(people[: cfg.keep_people]),
        facts=tuple(facts[: cfg.keep_facts]),
        figure=figure,
        figure_said=figure_said,
        figure_key=figure_key,
        statement=statement,
        theirs=theirs,
        question=question,
        role=role,
        favours=tuple(list(favours.items())[:10]),
        told=tuple(told_texts),
        told_at=told_at,
        strangers=tuple(strangers),
        close=tuple(close),
        given=tuple(list(given.items())[:10]),
        asked=last_asked,
        counted=tuple(list(counted.items())[:10]),
    )


def _sentence_at(text: str, at: int) -> str:
    """The sentence of `text` that holds position `at`."""
    start = max(
        text.rfind(". ", 0, at), text.rfind("? ", 0, at), text.rfind("! ", 0, at), text.rfind("\n", 0, at)
    )
    ends = [
        i
        for i in (text.find(". ", at), text.find("? ", at), text.find("! ", at), text.find("\n", at))
        if i >= 0
    ]
    return text[start + 1 if start >= 0 else 0 : min(ends) + 1 if ends else len(text)].strip()
