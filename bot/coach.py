"""Coach.handle: one turn in, one Reply out; docs/architecture.md follows a turn end to end.

Each turn is one database transaction: the dedup claim, every event it logs and the form
state commit together, or none of them do.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.access import Person, protected_in, shown_protected
from bot.actions import MALFORMED as MALFORMED_ACTION
from bot.actions import NOT_ARGUMENTS, user_text
from bot.actions import checked as checked_action
from bot.addresses import RecentlyStored
from bot.amounts import currency as deal_currency
from bot.context import Context, EventListener
from bot.db.engine import write_gate
from bot.dialogue import forms
from bot.dialogue.answers import describe, valid_value
from bot.dialogue.forms import Form
from bot.dialogue.state import DialogueState, after_turn
from bot.features import default_skills
from bot.intent import Intent
from bot.knowledge import Knowledge
from bot.memory import STORY_KEY, DealCache, KnownConversations, KnownTenants, Memory
from bot.outsiders import refusal
from bot.reminders.hooks import on_event as reminders_on_event
from bot.reply import Action, Item, Reply, Section
from bot.services import CoachServices
from bot.skills import Skills
from bot.skills.access import refuse
from bot.skills.core import told_as_correction
from bot.skills.rehearsal import rehearsal_turn
from bot.turn import Turn
from bot.understand import button_label, clean, did_you_mean, match_command, understand_ranked
from bot.understanding.config import config as understanding_config
from bot.understanding.facts import read_contacts, read_date_questions, read_facts
from bot.understanding.money import currency_of
from bot.understanding.reading import Reading, read
from bot.understanding.values import only_unsure

if TYPE_CHECKING:
    from bot.understanding.llm_reader import LlmReading

log = logging.getLogger("coach")

MAX_CHARS = 8000


@dataclass(frozen=True, slots=True)
class Noted:
    """Facts recorded from what someone said in passing: how to say it, and how to take it back."""

    said: str
    undo: Action
    by_llm: bool = False  # some of it came from the configured LLM's reading


def utcnow() -> datetime:
    return datetime.now(UTC)


class Coach:
    def __init__(
        self,
        sessions: async_sessionmaker,
        kb: Knowledge,
        *,
        clock: Callable[[], datetime] = utcnow,
        services: CoachServices | None = None,
        max_chars: int = MAX_CHARS,
        listeners: Sequence[EventListener] = (reminders_on_event,),
        skills: Skills | None = None,
    ) -> None:
        """`listeners` hear every event a turn logs, inside its transaction (by default the
        reminders' planner, which schedules what a meeting or a renewal date implies)."""
        self.sessions = sessions
        self.kb = kb
        self.clock = clock
        self.services = services or CoachServices()
        self.listeners = tuple(listeners)
        self.max_chars = max_chars
        self.skills = skills or default_skills()
        self.deals = DealCache()
        self.tenants = KnownTenants()
        self.conversations = KnownConversations()
        self.addresses = RecentlyStored()
        self.gate = write_gate(sessions)

    async def handle(self, turn: Turn) -> Reply | None:
        """The reply to show, or None when this platform event was already handled.

        An outsider's turn is refused here, before any reading or transaction: no event claim,
        no conversation, nothing written (docs/security.md, "Outsiders"). Where outsiders can
        read the conversation, every reply is private and its address is never kept (no
        reminder may post there)."""
        if turn.outsider:
            return refusal(self.kb)
        reply = await self._handle(turn)
        if reply is not None and turn.audience_external:
            reply.private = True
        return reply

    async def _handle(self, turn: Turn) -> Reply | None:
        problem = self._reject(turn)
        if problem:
            return problem
        now = self.clock()
        deferred: list[Any] = []
        try:
            llm = await self._read_with_llm(turn, now)  # before the transaction: a model call holds no lock
            async with self._transaction(turn, now) as memory:
                if turn.event_id and not await memory.claim_event(turn.event_id, now):
                    return None
                if turn.reference is not None and not turn.audience_external:
                    await self._store_address(memory, turn, now)
                reply = await self._turn(memory, turn, now, deferred, llm)
            for work in deferred:  # committed: now the slow part, holding no transaction
                try:
                    reply = await work(reply, lambda: self._transaction(turn, now))
                except Exception as exc:  # the committed turn stands; its reply is still good
                    log.error("deferred work failed (%s on %s)", type(exc).__name__, turn.platform)
            return reply
        except Exception as exc:  # never a stack trace in chat, never deal data in logs
            tb = "".join(traceback.format_tb(exc.__traceback__))
            log.error(
                "turn failed (%s on %s): %s\n%s", type(exc).__name__, turn.platform, "details withheld", tb
            )
            return Reply(
                headline="Something went wrong on my side, and nothing was saved. Please try again.",
                intent="error",
            )

    async def _store_address(self, memory: Memory, turn: Turn, now: datetime) -> None:
        """The conversation's address, in this turn's transaction; the read that finds it
        unchanged is skipped while this process saw it stored a moment ago (bot/addresses.py)."""
        assert turn.reference is not None
        key = (turn.platform, turn.tenant, turn.conversation)
        if self.addresses.unchanged(key, turn.reference):
            return
        if await memory.save_reference(turn.conversation, turn.reference, now):
            self.addresses.forget(key)  # written, not yet committed
        else:
            self.addresses.remember(key, turn.reference)

    @asynccontextmanager
    async def _transaction(self, turn: Turn, now: datetime) -> AsyncIterator[Memory]:
        """One transaction for one turn: committed when the block ends, rolled back if it raises."""
        async with self.gate, self.sessions() as session, session.begin():
            memory = await Memory.for_tenant(
                session, turn.platform, turn.tenant, now, self.deals, tenants=self.tenants
            )
            yield memory

    async def close(self) -> None:
        """Nothing held between turns; kept for callers that close the coach before the engine."""

    def _reject(self, turn: Turn) -> Reply | None:
        if turn.action is not None:
            args = checked_action(turn.action, self.skills.schemas)
            if args is None:
                return Reply(headline=MALFORMED_ACTION, intent="error")
            # Turn is frozen but its payload is a plain dict: the skills see only checked keys.
            turn.action.clear()
            turn.action.update(args)
            return None
        if not isinstance(turn.text, str) or not clean(turn.text):
            return Reply(headline="I didn't get a message. Type `help` to see what I can do.", intent="empty")
        if len(turn.text) > self.max_chars:
            return Reply(
                headline=f"That message is too long for me ({len(turn.text):,} characters; "
                f"the limit is {self.max_chars:,}). Send the part that matters.",
                intent="too_long",
            )
        return None

    # --- the configured LLM reads what the local layers can't (docs/llm.md) ---------------
    async def _read_with_llm(self, turn: Turn, now: datetime) -> LlmReading | None:
        """A configured `services.llm_reader` reads an unclear or long message. Called before
        the turn's transaction: the model call must never hold the database."""
        reader = self.services.llm_reader
        if reader is None or turn.action is not None or turn.extra.get("deal"):
            return None
        from bot.understanding.llm_reader import llm_fact_keys, llm_intents, needs_llm  # only when on

        text = clean(turn.text)
        if not needs_llm(text, self.kb):
            return None
        try:
            return await reader.read(
                text,
                self.kb,
                intents=llm_intents(self.kb),
                fact_keys=llm_fact_keys(self.kb),
                tenant=turn.tenant,
                platform=turn.platform,
                conversation=turn.conversation,
                person=Person.of(turn),
                now=now,
            )
        except Exception as exc:  # a reader bug must not cost the turn; the local reading stands
            log.warning("llm reading failed (%s on %s)", type(exc).__name__, turn.platform)
            return None

    def _llm_used(self, reply: Reply) -> Reply:
        reply.sections.append(Section(items=[Item(self.kb.say("llm.understood"), rule="llm.understood")]))
        return reply

    async def _turn(
        self, memory: Memory, turn: Turn, now: datetime, deferred: list[Any], llm: LlmReading | None = None
    ) -> Reply:
        person = Person.of(turn)
        opening = await memory.open_conversation(turn.conversation, now, person, self.conversations)
        conversation_id, deal, newest = opening.conversation_id, opening.deal, opening.newest_event_id
        form = opening.form
        hidden = None
        if deal is not None and not opening.visible:  # not theirs: as if no deal were active
            hidden, deal, form = deal.id, None, None
        # A one-off turn about a named deal, or a turn where the deal is hidden from this person,
        # leaves the conversation's dialogue state alone.
        remember = not turn.extra.get("deal") and hidden is None
        state = DialogueState.from_json(opening.dialogue, deal.id if deal is not None else None)
        if turn.extra.get("deal"):  # one turn about a named deal (`coach ask --deal NAME`)
            hidden = None
            deal = await memory.find_visible(str(turn.extra["deal"]), person)
            newest, form = None, await memory.load_form(conversation_id, deal.id) if deal else None
            if deal is None:
                return Reply(
                    headline=f"I don't know a deal called “{str(turn.extra['deal'])[:80]}”.",
                    intent="unknown_deal",
                )
        ctx = Context(
            turn=turn,
            now=now,
            kb=self.kb,
            intent=Intent("unknown"),
            memory=memory,
            conversation_id=conversation_id,
            hidden_deal=hidden,
            services=self.services,
            listeners=self.listeners,
            deferred=deferred,
        )
        if deal is not None:
            ctx.deal = await memory.deal_view(deal.id, deal, newest)
            if not turn.extra.get("deal"):  # the opening's deal: its open rehearsal came with it
                ctx.rehearsal, ctx.rehearsal_known = opening.rehearsal, True
        reply = await self._respond(ctx, form, llm, state)
        if remember:
            await self._remember(ctx, state, reply, opening.dialogue)
        await self._audit_reads(ctx, reply)
        return reply

    async def _respond(self, ctx: Context, form: Any, llm: LlmReading | None, state: DialogueState) -> Reply:
        turn = ctx.turn
        if turn.action is not None:
            args = {k: v for k, v in turn.action.items() if k not in NOT_ARGUMENTS}
            if turn.action["intent"] in forms.BUTTONS:
                reply = await self._form_action(ctx, args, turn.action["intent"])
            else:
                ctx.intent = Intent(turn.action["intent"], args, str(user_text(turn.action)))
                reply = await self._run(ctx)
        else:
            text = clean(turn.text)
            ctx.reading = self._read(ctx, text, state)
            ctx.dialogue = state
            r = ctx.reading
            command = Intent(r.command, dict(r.command_args), text) if r.command is not None else None
            # A rehearsal in progress takes the message as an answer to Microsoft, or pauses for it.
            rehearsal = await rehearsal_turn(ctx, text, command)
            if rehearsal is not None and rehearsal.reply is not None:
                return rehearsal.reply
            if form is None or ctx.deal is None:
                reply = await self._free_text(ctx, text, command, llm)
            else:
                reply = await self._form_turn(ctx, Form.of(form), text, command, llm=llm)
            if rehearsal is not None:
                reply = rehearsal.paused(self.kb, reply)
        return reply

    def _read(self, ctx: Context, text: str, state: DialogueState) -> Reading:
        """The turn's one reading: every later layer (patterns, facts, Microsoft's statements,
        "did you mean", forms) reads this, never the text again."""
        deal = ctx.deal
        contacts = {c.name: c.role for c in deal.contacts if c.active} if deal is not None else None
        # The person's zone only when facts are read: a command never pays for the settings.
        facts = deal is not None and match_command(text, self.kb) is None
        return read(
            text,
            self.kb,
            now=ctx.now,
            tz=ctx.tz if facts else "UTC",
            known=deal.facts if deal is not None else None,
            contacts=contacts,
            state=state,
            with_facts=facts,
        )

    async def _remember(
        self, ctx: Context, state: DialogueState, reply: Reply, stored: dict[str, Any] | None = None
    ) -> None:
        """The dialogue state after this turn, written in the turn's transaction when it changed;
        with the LLM's story reading on, the conversation's recent messages with it."""
        deal_id = ctx.deal.id if ctx.deal is not None else None
        story = self._story(ctx, stored, state.deal_id)
        before = story
        if deal_id != state.deal_id:  # the turn started or switched a deal: a fresh thread of talk
            state = DialogueState(deal_id=deal_id)
            before = story = []
        elif (
            story is not None
            and ctx.deal is not None
            and ctx.reading is not None
            and ctx.reading.command is None
            and not reply.intent.startswith("rehearsal.")  # role-play lines tell nothing about the deal
        ):
            from bot.understanding.llm_reader import secret_figures, story_after

            story = story_after(
                story, ctx.reading.text, self.kb, secrets=secret_figures(ctx.deal.facts, self.kb)
            )
        told = {f.key: f.value for f in ctx.reading.facts} if ctx.reading is not None else {}
        told = {k: v for k, v in told.items() if ctx.deal is not None and ctx.deal.fact(k) == v}
        new = after_turn(state, ctx.reading, reply, self.kb, ctx.now, told=told, awaiting=ctx.awaiting)
        if ctx.reading is None and ctx.turn.action is not None and reply.intent not in ("unknown", "error"):
            said = str(user_text(ctx.turn.action) or "")
            if said:  # a button that carried what was typed ("did you mean"): that is the topic now
                from bot.dialogue.state import NOT_A_TOPIC, Topic

                if reply.intent not in NOT_A_TOPIC:
                    new = replace(new, topic=Topic(reply.intent, said[:500], {}, ctx.now.isoformat()))
        # Switched off since: the messages kept before are dropped with this write.
        forget = story is None and bool(stored) and self._kept_story(stored)
        if new != state or story != before or forget:
            saved = new.to_json()
            await ctx.memory.save_dialogue(
                ctx.conversation_id, {**saved, STORY_KEY: story} if story else saved
            )

    @staticmethod
    def _kept_story(stored: dict[str, Any] | None) -> bool:
        return isinstance(stored, dict) and bool(stored.get(STORY_KEY))

    def _story(self, ctx: Context, stored: dict[str, Any] | None, deal_id: int | None) -> list[str] | None:
        """The messages kept for the configured LLM's story reading, or None when it is off."""
        reader = self.services.llm_reader
        if reader is None or not reader.keeps_story(self.kb):
            return None
        from bot.understanding.llm_reader import story_of  # only when on

        return story_of(stored, deal_id)

    async def _free_text(
        self, ctx: Context, text: str, command: Intent | None, llm: LlmReading | None = None
    ) -> Reply:
        """A message outside a form: a command, a question, facts stated in passing, or all
        of these at once. Facts are recorded first, so the answer already uses them."""
        reading = ctx.reading if ctx.reading is not None and ctx.reading.text == text else None
        if command is not None:
            ctx.intent = command
        elif reading is not None:
            ctx.intent = Intent(reading.intent or "unknown", dict(reading.args), reading.resolved)
        else:
            ctx.intent = understand_ranked(text, self.kb)[0] or Intent("unknown", {}, text)
        # "The deal told" with nothing read from it is no more understood than "unknown": the
        # model's reading may say what it is.
        told_nothing = ctx.intent.name == "deal.tell" and reading is not None and not reading.facts
        by_llm = (
            command is None
            and llm is not None
            and (ctx.intent.name == "unknown" or told_nothing)
            and llm.intent is not None
        )
        if by_llm:
            assert llm is not None
            ctx.intent = Intent(str(llm.intent), {}, text)
        if ctx.intent.name == "unknown" and ctx.deal is not None and told_as_correction(text):
            # "Correction: 31 March 2027.": a change told in words, to the fact just told
            ctx.intent = Intent("deal.tell", {}, text)
        noted = None
        # Only where the text is about the deal: a note, a message to leak-check or what Microsoft
        # said is content, not our facts (knowledge/core.yaml, facts_in_passing).
        ours = reading is not None and reading.decided_by == "ours-not-microsoft"  # our side's remark
        reads_facts = (
            command is None
            and ctx.deal is not None
            and (ctx.intent.name in self.kb.section("core.facts_in_passing") or ours)
        )
        if reads_facts:
            noted = await self._note_stated_facts(ctx, text, llm)
        # Told and asked at once ("we were quoted 2.4M, is that fair?"): the facts are noted and
        # the question still gets its answer, or "did you mean", never only "Logged".
        asked = reading is not None and reading.question and ctx.intent.name == "unknown"
        if noted is not None and ctx.intent.name in ("unknown", "deal.tell") and not asked:
            assert ctx.deal is not None
            reply = Reply(
                headline=f"Logged for {ctx.deal.name}: {noted.said}.",
                intent="fact.stated",
                actions=[noted.undo],
            )
        else:
            reply = await self._run(ctx)
            if noted is not None:
                reply.sections.insert(0, Section(items=[Item(f"Noted {noted.said}.")]))
                reply.actions.append(noted.undo)
        if reads_facts:
            asks = self._which_day(ctx, text)  # a date that reads two ways is asked, never guessed
            if asks:
                reply.sections.insert(1 if noted is not None else 0, Section(items=asks))
        return self._llm_used(reply) if by_llm or (noted is not None and noted.by_llm) else reply

    def _which_day(self, ctx: Context, text: str) -> list[Item]:
        items = []
        for q in read_date_questions(text, self.kb, now=ctx.now, tz=ctx.tz):
            if q.key not in self.kb.facts:
                continue
            options = " or ".join(f"{d.day} {d:%B %Y}" for d in q.options)
            said = self.kb.say(
                "facts.which-day", said=q.said, options=options, label=self.kb.facts[q.key].label.lower()
            )
            items.append(Item(said, rule="facts.which-day"))
        return items

    async def _note_stated_facts(
        self, ctx: Context, text: str, llm: LlmReading | None = None
    ) -> Noted | None:
        """Record the deal facts a message states; facts it does not change are left alone.
        A configured LLM's reading is merged with the local one by `merge_facts`'s rules: the
        local reading wins where it is sure, the model fills what it missed."""
        assert ctx.deal is not None
        notes: dict[str, str] = {}  # how a value was worked out ("4.2M over 3 years, so 1.4M a year")
        sure: dict[str, float] = {}
        found = self._read_stated(ctx, text, notes, sure)
        reading = ctx.reading if ctx.reading is not None and ctx.reading.text == text else None
        by_llm: frozenset[str] = frozenset()
        if llm is not None:
            from bot.understanding.llm_reader import merge_facts  # only when on

            local = {k: (v, sure.get(k, 1.0)) for k, v in found.items()}
            merged = merge_facts(local, llm, ctx.deal.facts, self.kb)
            found, by_llm = merged.values, merged.by_llm
        lines, ids = [], []
        changed = {k: v for k, v in found.items() if ctx.deal.fact(k) != v}
        ids += await self._note_currency(ctx, text, changed)
        currency = deal_currency(ctx.deal.facts)
        for key, value in changed.items():
            event = await ctx.set_fact(key, value)
            ids.append(event.id)
            note = f" ({notes[key]})" if key in notes and key not in by_llm else ""
            lines.append(f"{self.kb.facts[key].label}: {describe(self.kb.facts[key], value, currency)}{note}")
        told = reading.contacts if reading is not None else read_contacts(text, self.kb)
        for person in told:  # "Jane is our CSM": the contact map
            known = ctx.deal.contact(person.name)
            if known is not None and known.role == person.role and known.active:
                continue
            await ctx.upsert_contact(person.name, person.role)
            ids.append(ctx.deal.events[-1].id)
            lines.append(f"{person.name}: {self.kb.roles[person.role].title}")
        if not ids:
            return None
        return Noted("; ".join(lines), Action("Undo", {"intent": "undo", "event_ids": ids}), bool(by_llm))

    async def _note_currency(self, ctx: Context, text: str, facts: dict[str, Any]) -> list[int]:
        """An amount told in a currency ("€900k") sets the deal's currency, so every amount of the
        deal reads back in it; the amounts themselves stay plain numbers per year."""
        if ctx.deal is None or not any(
            k in self.kb.facts and self.kb.facts[k].kind == "money" for k in facts
        ):
            return []
        said = currency_of(text)
        if said is None or said == ctx.deal.fact("currency") or "currency" not in self.kb.facts:
            return []
        return [(await ctx.set_fact("currency", said)).id]

    def _read_stated(
        self,
        ctx: Context,
        text: str,
        notes: dict[str, str] | None = None,
        sure: dict[str, float] | None = None,
    ) -> dict[str, Any]:
        """Facts in the statements of a message (bot/understanding/facts.py); its questions,
        conditions and hedges assert nothing. `notes` gets how a worked-out value was reached,
        `sure` how sure the reader is of each."""
        assert ctx.deal is not None
        found: dict[str, Any] = {}
        reading = ctx.reading if ctx.reading is not None and ctx.reading.text == text else None
        facts = (
            reading.facts
            if reading is not None
            else read_facts(text, self.kb, now=ctx.now, tz=ctx.tz, known=ctx.deal.facts)
        )
        for fact in facts:
            if fact.key in self.kb.facts and valid_value(self.kb.facts[fact.key], fact.value):
                found.setdefault(fact.key, fact.value)
                if fact.note and notes is not None:
                    notes.setdefault(fact.key, fact.note)
                if sure is not None:
                    sure.setdefault(fact.key, fact.confidence)
        return found

    # --- forms: bot/dialogue/forms.py says what comes next; the Coach carries it out -------
    async def _form_action(self, ctx: Context, args: dict[str, Any], intent: str) -> Reply:
        """Buttons of an open form: `form.answer` {"answers": {fact_key: value}} from a choice
        button or a card's inputs; `form.resume` / `form.drop` from "Back to …? [Continue] [Drop]"."""
        row = await ctx.memory.load_form(ctx.conversation_id, ctx.deal.id) if ctx.deal is not None else None
        form = Form.of(row)
        if form is None:
            return Reply(headline="Those questions were already answered or dropped.", intent=intent)
        return await self._form_step(ctx, form, forms.button(form, intent, args, self.kb))

    async def _form_turn(
        self, ctx: Context, form: Form, text: str, command: Intent | None, *, llm: LlmReading | None = None
    ) -> Reply:
        """A typed message while a form is open: an answer, "cancel", or something else."""
        assert ctx.deal is not None
        step = forms.step(
            form,
            text,
            self.kb,
            command=command,
            cancel=command is not None and command.name == "cancel",
            new_question=lambda t: self._new_question(ctx, t, form),
            told=lambda t: bool(
                self._read_stated(ctx, t) or read_date_questions(t, self.kb, now=ctx.now, tz=ctx.tz)
            ),
            now=ctx.now,
            tz=ctx.tz,
            llm_values=llm.values if llm is not None else None,
        )
        # A digression that is not a command is read again with the LLM's reading of it.
        return await self._form_step(ctx, form, step, text, llm if command is None else None)

    async def _form_step(
        self, ctx: Context, form: Form, step: forms.Step, text: str = "", llm: LlmReading | None = None
    ) -> Reply:
        assert ctx.deal is not None
        if isinstance(step, forms.Drop):
            await ctx.memory.clear_form(ctx.conversation_id, ctx.deal.id)
            return Reply(headline=step.headline, intent="form.cancel")
        if isinstance(step, forms.AskAgain):
            return ctx.questions_reply(step.keys, intro=step.intro)
        if isinstance(step, forms.Resume):
            await self._save_form(ctx, step.form)
            return ctx.questions_reply(step.keys, intro=step.intro)
        if isinstance(step, forms.Digress):
            return await self._digress(ctx, step.form, text, step.intent, llm)
        return await self._answered(ctx, form, step)

    async def _save_form(self, ctx: Context, form: Form) -> None:
        assert ctx.deal is not None
        await ctx.memory.save_form(
            ctx.conversation_id,
            ctx.deal.id,
            list(form.keys),
            dict(form.resume),
            ctx.now,
            suspended=form.suspended,
        )

    async def _answered(self, ctx: Context, form: Form, step: forms.Answered) -> Reply:
        """Record the answers, then run what the form was for again: the facts at hand may
        already decide it, and then the other questions only strengthen the answer. If not, it
        asks again."""
        assert ctx.deal is not None
        answers = step.answers
        await self._note_currency(ctx, step.said, answers)
        currency = deal_currency(ctx.deal.facts)
        noted = []
        for key, value in answers.items():
            await ctx.set_fact(key, value)
            noted.append(f"{self.kb.facts[key].label}: {describe(self.kb.facts[key], value, currency)}")
        await ctx.memory.clear_form(ctx.conversation_id, ctx.deal.id)
        name, args, said = form.rerun()
        ctx.intent = Intent(name, args, said)
        reply = await self._run(ctx)
        if reply.intent == "form.ask":
            reply.headline = "Noted " + "; ".join(noted) + ". Still need:"
            return reply
        reply.sections.insert(0, Section(items=[Item("Noted " + "; ".join(noted) + ".")]))
        return reply

    def _new_question(self, ctx: Context, text: str, form: Form | None = None) -> Intent | None:
        """Mid-form, a message is something new (not an answer) when a pattern or a named rule
        of reading says so, or when the classifier is sure of a question or a request: a plain
        statement stays an answer, and so does a statement of the kind the open question asks
        for (knowledge's `answered_by`)."""
        r = ctx.reading if ctx.reading is not None and ctx.reading.text == text else None
        if r is None:
            r = read(text, self.kb, with_facts=False)
        if r.intent is None or r.intent in ("deal.tell", "unknown"):
            return None
        asked = [self.kb.facts[k] for k in (form.keys if form is not None else ()) if k in self.kb.facts]
        if not r.question and any(r.intent in spec.answered_by for spec in asked):
            return None
        found = Intent(r.intent, dict(r.args), text)
        if r.pattern is not None or r.decided_by not in ("model", "pattern"):
            return found
        sure = understanding_config(self.kb).digress
        p = dict(r.ranking).get(r.intent, 0.0)
        return found if p >= sure or r.question else None

    async def _digress(
        self, ctx: Context, waiting: Form, text: str, intent: Intent | None, llm: LlmReading | None = None
    ) -> Reply:
        """A question or a command mid-form is answered as if no form were open; the form is
        suspended (free text no longer fills it) and the reply offers to go back to it."""
        assert ctx.deal is not None
        await self._save_form(ctx, waiting)
        # A command is taken as said; anything else is read again by _free_text (the same
        # pattern or guess), which then also records the facts the message states in passing.
        explicit = match_command(text, self.kb)
        reply = await self._free_text(ctx, text, intent if explicit is not None else None, llm)
        if reply.intent in ("form.ask", "form.cancel") or ctx.deal is None:
            return reply  # a new form replaced it, or it is gone
        still = Form.of(await ctx.memory.load_form(ctx.conversation_id, ctx.deal.id))
        if still is None or still.resume != waiting.resume:
            return reply
        reply.footer = waiting.back_note(self.kb, len(still.keys))
        reply.actions.append(Action("Continue", {"intent": "form.resume"}, style="primary"))
        reply.actions.append(Action("Drop", {"intent": "form.drop"}))
        return reply

    async def _run(self, ctx: Context) -> Reply:
        name = ctx.intent.name
        if name not in self.skills.table:
            return self._not_understood(ctx)
        if (
            ctx.deal is None
            and ctx.hidden_deal is not None
            and (name not in self.skills.deal_free or name == "deal.tell")
        ):
            return await refuse(ctx)
        if name not in self.skills.deal_free and ctx.deal is None:
            return Reply(
                headline="There's no active deal in this conversation yet.",
                intent=name,
                sections=[
                    Section(
                        items=[
                            Item("Start one: `deal new Woodgrove EA renewal`"),
                            Item("Or pick one you have: `deal list`, then `deal use NAME`"),
                        ]
                    )
                ],
            )
        reply = await self.skills.run(name, ctx)
        if reply.intent == "unknown":
            reply.intent = name
        return reply

    async def _audit_reads(self, ctx: Context, reply: Reply) -> None:
        """A reply that shows a protected fact (budget, walk-away), and the internal brief,
        go into the deal's audit trail: who, when, which keys; never the values."""
        if ctx.deal is None:
            return
        keys = shown_protected(dict(ctx.deal.facts), reply.plain_text(), self.kb)
        action = "read"
        if reply.intent == "deal.brief" and reply.verdict == "internal":
            action, keys = "brief", sorted(set(keys) | set(protected_in(dict(ctx.deal.facts), self.kb)))
        elif not keys:
            return
        await ctx.memory.audit(ctx.deal.id, ctx.turn.user, action, ctx.now, detail=reply.intent, keys=keys)

    def _not_understood(self, ctx: Context) -> Reply:
        """The closest intents as buttons, or, for text unlike anything, what I'm for."""
        text, words = ctx.intent.text, understanding_config(self.kb).wording
        r = ctx.reading
        ranking = list(r.ranking) if r is not None and text in (r.text, r.resolved) else None
        if ranking is None and text:
            ranking = understand_ranked(text, self.kb)[1]
        if only_unsure(text):  # "not sure" with no question open: ask what about, never guess
            return Reply(headline=words.unsure_nothing_open, intent="unknown")
        close = did_you_mean(ranking or [], self.kb) if text else []
        cfg = understanding_config(self.kb)
        if r is not None and ranking and r.outside >= cfg.confident and r.outside > ranking[0][1]:
            close = []  # the model reads it as outside the coach's work: say what I'm for, no guesses
        if close:
            said = text[:1500]  # rides in the buttons: fits a Slack button value (2,000)
            return Reply(
                headline=words.did_you_mean,
                intent="unknown",
                actions=[Action(button_label(n, self.kb), {"intent": n, "user_text": said}) for n in close],
                footer=words.did_you_mean_footer,
            )
        return Reply(
            headline=words.can_help,
            intent="unknown",
            sections=[Section(items=[Item(t) for t in words.can_help_items])],
            footer=words.can_help_footer,
        )
