"""What a skill handler gets for one turn: the input, the deal, the knowledge, the clock,
and the few ways it may change memory (all inside the turn's single transaction)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.access import Person
from bot.intent import Intent
from bot.knowledge import Knowledge
from bot.reply import Choice, Question, Reply
from bot.services import CoachServices
from bot.timeline import Contact, DealView, Event
from bot.turn import Turn

if TYPE_CHECKING:
    from bot.dialogue.state import DialogueState
    from bot.memory import Memory
    from bot.understanding.reading import Reading


# Called with every event a turn logs, in the turn's transaction (the Coach passes the
# reminders' planner, bot/reminders/hooks.py): `await listener(ctx, event)`.
EventListener = Callable[["Context", Event], Awaitable[object]]


@dataclass
class Context:
    turn: Turn
    now: datetime  # tz-aware UTC; playbooks take it as an argument, never read a clock
    kb: Knowledge
    intent: Intent
    memory: Memory
    conversation_id: int
    deal: DealView | None = None
    # The conversation's active deal when the person may not see it (then `deal` is None):
    # deal requests get one line that names nothing, and the attempt is audited.
    hidden_deal: int | None = None
    services: CoachServices = field(default_factory=CoachServices)
    listeners: Sequence[EventListener] = ()
    # This turn's one reading of the message (bot/understanding/reading.py), when it was text.
    reading: Reading | None = None
    # The conversation's dialogue state before this turn (bot/dialogue/state.py), when it was text:
    # a skill whose arguments were told in earlier messages takes them from here.
    dialogue: DialogueState | None = None
    # What a skill asked for in one question, to be filled by the next message (the dialogue
    # state keeps it): {"intent": ..., "args": {...}, "slot": "what"}.
    awaiting: dict[str, Any] | None = None
    # The rehearsal open in this conversation on `deal` as the turn's opening query found it
    # (None: none), when `rehearsal_known`; otherwise it is looked up (bot/skills/rehearsal.py).
    rehearsal: Any = None
    rehearsal_known: bool = False
    # Slow work to run after the turn's transaction commits (an LLM call must not hold the
    # database): each gets the reply and a `tx()` context manager yielding a Memory in a new,
    # short transaction, and returns the reply to show.
    deferred: list[Callable[[Reply, Callable[[], AbstractAsyncContextManager[Memory]]], Awaitable[Reply]]] = (
        field(default_factory=list)
    )

    def defer(
        self, work: Callable[[Reply, Callable[[], AbstractAsyncContextManager[Memory]]], Awaitable[Reply]]
    ) -> None:
        self.deferred.append(work)

    # --- reading -----------------------------------------------------------------
    @property
    def person(self) -> Person:
        """Who this turn comes from, for every check of who may see a deal (bot/access.py)."""
        return Person.of(self.turn)

    @property
    def tz(self) -> str:
        """The person's time zone for reading dates: the platform's, else COACH_TIMEZONE."""
        if self.turn.timezone:
            return self.turn.timezone
        from bot.settings import get_settings

        return get_settings().timezone

    def missing(self, keys: list[str]) -> list[str]:
        facts = self.deal.facts if self.deal else {}
        return [k for k in keys if facts.get(k) is None]

    # --- writing (each is part of the turn's one transaction) ----------------------
    async def log(self, kind: str, payload: dict[str, Any], *, at: datetime | None = None) -> Event:
        """Append an event to the active deal's timeline and refresh `self.deal`."""
        if self.deal is None:
            raise RuntimeError("log() needs an active deal")
        event = await self.memory.append_event(
            self.deal.id, kind, payload, actor=self.turn.user, at=at or self.now, recorded_at=self.now
        )
        keys = [str(payload["key"])] if kind == "fact" and payload.get("key") else []
        await self.memory.audit(self.deal.id, self.turn.user, "change", self.now, detail=kind, keys=keys)
        self.deal = await self.memory.deal_view(self.deal.id)
        # Events that imply reminders (a meeting, a renewal date) schedule them in this same
        # transaction: the Coach hands the reminders' planner in as a listener.
        for listener in self.listeners:
            await listener(self, event)
        return event

    async def set_fact(self, key: str, value: Any) -> Event:
        return await self.log("fact", {"key": key, "value": value})

    async def upsert_contact(
        self, name: str, role: str, kpis: list[str] | None = None, note: str | None = None
    ) -> Contact:
        if self.deal is None:
            raise RuntimeError("upsert_contact() needs an active deal")
        contact = await self.memory.upsert_contact(self.deal.id, name, role, kpis, note, self.now)
        await self.log(
            "contact", {"name": contact.name, "role": contact.role, "kpis": list(contact.kpis), "note": note}
        )
        return contact

    async def ask(
        self,
        keys: list[str],
        *,
        resume: dict[str, Any] | None = None,
        intro: str | None = None,
    ) -> Reply:
        """Ask for facts the deal lacks; the answer is stored as `fact` events and then
        `resume` (an action payload, by default this turn's intent) runs again."""
        if self.deal is None:
            raise RuntimeError("ask() needs an active deal")
        resume = resume or {"intent": self.intent.name, **self.intent.args, "user_text": self.intent.text}
        await self.memory.save_form(self.conversation_id, self.deal.id, keys, resume, self.now)
        return self.questions_reply(keys, intro=intro)

    def questions_reply(self, keys: list[str], *, intro: str | None = None) -> Reply:
        deal_name = self.deal.name if self.deal else "this deal"
        n = len(keys)
        headline = intro or (
            f"Before I can say, {'one thing' if n == 1 else f'{n} things'} about {deal_name}:"
        )
        questions = []
        for key in keys:
            spec = self.kb.facts[key]
            questions.append(
                Question(
                    id=key,
                    prompt=spec.question,
                    kind=spec.kind,
                    choices=[Choice(label=c.label, value=str(c.value)) for c in spec.choices],
                    form="facts",
                )
            )
        return Reply(
            headline=headline,
            intent="form.ask",
            questions=questions,
            missing=list(keys),
            footer="Answer in your own words, or say 'cancel' to drop it.",
        )
