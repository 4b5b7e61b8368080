"""Coach.handle: one turn in, one Reply out. The flow in DESIGN.md, in code.

Each turn is one database transaction: the dedup claim, every event it logs and the form
state commit together, or none of them do.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker

from bot.context import Context, Intent
from bot.db.engine import write_gate
from bot.forms import describe, parse_value, read_answers
from bot.knowledge import Knowledge
from bot.memory import Memory, TimelineCache
from bot.reply import Action, Item, Reply, Section
from bot.skills import DEAL_FREE, load_skills
from bot.turn import Turn
from bot.understand import button_label, clean, did_you_mean, match_command, match_pattern, understand_ranked
from bot.understanding.config import config as understanding_config

log = logging.getLogger("coach")

MAX_CHARS = 8000


def utcnow() -> datetime:
    return datetime.now(UTC)


class Coach:
    def __init__(
        self,
        sessions: async_sessionmaker,
        kb: Knowledge,
        *,
        clock: Callable[[], datetime] = utcnow,
        services: dict[str, Any] | None = None,
        max_chars: int = MAX_CHARS,
    ) -> None:
        self.sessions = sessions
        self.kb = kb
        self.clock = clock
        self.services = services or {}
        self.max_chars = max_chars
        self.handlers = load_skills()
        self.timelines = TimelineCache()
        self.gate = write_gate(sessions)
        engine = sessions.kw.get("bind")
        self._keeps_writer = engine is not None and engine.dialect.name == "sqlite"
        self._writer: AsyncConnection | None = None

    async def handle(self, turn: Turn) -> Reply | None:
        """The reply to show, or None when this platform event was already handled."""
        problem = self._reject(turn)
        if problem:
            return problem
        now = self.clock()
        deferred: list[Any] = []
        try:
            async with self._transaction(turn, now) as memory:
                if turn.event_id and not await memory.claim_event(turn.event_id, now):
                    return None
                reply = await self._turn(memory, turn, now, deferred)
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

    @asynccontextmanager
    async def _transaction(self, turn: Turn, now: datetime) -> AsyncIterator[Memory]:
        async with self.gate:
            conn = await self._writer_connection()
            async with Memory.transaction(
                self.sessions, turn.platform, turn.tenant, now, self.timelines, conn=conn
            ) as memory:
                yield memory

    async def _writer_connection(self) -> AsyncConnection | None:
        """On SQLite, turns queue on the write gate one at a time anyway: they share one kept
        connection instead of a pool checkout and check-in each. PostgreSQL: the pool."""
        if not self._keeps_writer:
            return None
        if self._writer is None or self._writer.closed or self._writer.invalidated:
            self._writer = await self.sessions.kw["bind"].connect()
        return self._writer

    async def close(self) -> None:
        """Hand the kept connection back (before the engine is disposed)."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            await writer.close()

    def _reject(self, turn: Turn) -> Reply | None:
        if turn.action is not None:
            if not isinstance(turn.action, dict) or not isinstance(turn.action.get("intent"), str):
                return Reply(headline="That button has expired. Ask me again.", intent="error")
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

    async def _turn(self, memory: Memory, turn: Turn, now: datetime, deferred: list[Any]) -> Reply:
        opening = await memory.open_conversation(turn.conversation, now)
        conversation_id, deal, newest = opening.conversation_id, opening.deal, opening.newest_event_id
        form = opening.form
        if turn.extra.get("deal"):  # one turn about a named deal (`coach ask --deal NAME`)
            deal = await memory.find_deal(str(turn.extra["deal"]))
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
            services=self.services,
            deferred=deferred,
        )
        if deal is not None:
            ctx.deal = await memory.deal_view(deal.id, deal, newest)

        if turn.action is not None:
            args = {k: v for k, v in turn.action.items() if k not in ("intent", "_text")}
            if turn.action["intent"] == "form.answer":  # a choice button or a form card's inputs
                return await self._form_action(ctx, args)
            ctx.intent = Intent(turn.action["intent"], args, str(turn.action.get("_text", "")))
            return await self._run(ctx)

        text = clean(turn.text)
        command = match_command(text, self.kb)
        if form is None:
            ctx.intent = command or understand_ranked(text, self.kb)[0] or Intent("unknown", {}, text)
            stating = ctx.intent.name in ("unknown", "deal.tell")
            if stating and ctx.deal is not None and not text.rstrip().endswith("?"):
                stated = await self._stated_facts(ctx, text)
                if stated is not None:
                    return stated
            return await self._run(ctx)
        return await self._form_turn(ctx, form, text, command)

    async def _form_action(self, ctx: Context, args: dict[str, Any]) -> Reply:
        """`{"intent": "form.answer", "answers": {fact_key: value}}` from a button or card."""
        form = await ctx.memory.load_form(ctx.conversation_id, ctx.deal.id) if ctx.deal is not None else None
        if form is None:
            return Reply(headline="Those questions were already answered or dropped.", intent="form.answer")
        raw = args.get("answers")
        pending = [k for k in form.pending.get("keys", []) if k in self.kb.facts]
        given: dict[str, Any] = {}
        if isinstance(raw, dict):
            for key, value in raw.items():
                if key in pending and value not in (None, ""):
                    parsed = parse_value(self.kb.facts[key], str(value)[:500])
                    if parsed is not None:
                        given[key] = parsed
        return await self._form_turn(ctx, form, "", None, given=given)

    async def _form_turn(
        self,
        ctx: Context,
        form: Any,
        text: str,
        command: Intent | None,
        *,
        given: dict[str, Any] | None = None,
    ) -> Reply:
        assert ctx.deal is not None
        pending: list[str] = [k for k in form.pending.get("keys", []) if k in self.kb.facts]
        if command and command.name == "cancel":
            await ctx.memory.clear_form(ctx.conversation_id, ctx.deal.id)
            return Reply(headline="OK, I've dropped those questions.", intent="form.cancel")
        if given is not None:
            answers = given
            if not answers:
                return ctx.questions_reply(pending, intro="I couldn't read an answer in that. Still need:")
        else:
            answers = {} if command else read_answers(text, pending, self.kb)
        if not answers:
            intent = command or match_pattern(text, self.kb)
            if intent is None and len(pending) == 1 and self.kb.facts[pending[0]].kind == "text":
                answers = {pending[0]: text[:500]}
            elif intent is None:
                again = ctx.questions_reply(pending, intro="I couldn't read an answer in that. Still need:")
                again.intent = "form.ask"
                return again
            else:  # a question mid-form: answer it, keep the form for later
                ctx.intent = intent
                reply = await self._run(ctx)
                still = await ctx.memory.load_form(ctx.conversation_id, ctx.deal.id)
                if still is not None and reply.intent != "form.ask":
                    n = len(still.pending.get("keys", []))
                    reply.footer = (
                        f"I still have {n} open question{'s' if n != 1 else ''} for {ctx.deal.name}. "
                        "Answer when ready, or say 'cancel'."
                    )
                return reply

        noted = []
        for key, value in answers.items():
            await ctx.set_fact(key, value)
            noted.append(f"{self.kb.facts[key].label}: {describe(self.kb.facts[key], value)}")
        remaining = [k for k in pending if k not in answers]
        if remaining:
            await ctx.memory.save_form(ctx.conversation_id, ctx.deal.id, remaining, form.resume, ctx.now)
            return ctx.questions_reply(remaining, intro="Noted " + "; ".join(noted) + ". Still need:")
        await ctx.memory.clear_form(ctx.conversation_id, ctx.deal.id)
        resume = dict(form.resume)
        name = resume.pop("intent", "unknown")
        text0 = str(resume.pop("_text", ""))
        ctx.intent = Intent(name, resume, text0)
        reply = await self._run(ctx)
        reply.sections.insert(0, Section(items=[Item("Noted " + "; ".join(noted) + ".")]))
        return reply

    async def _stated_facts(self, ctx: Context, text: str) -> Reply | None:
        """A statement that carries known facts ("we renew on 30 June 2027") is logged, with
        a confirmation and an undo, rather than met with "I don't understand"."""
        keys = [k for k, spec in self.kb.facts.items() if spec.extract and spec.from_statements]
        found = read_answers(text, keys, self.kb) if keys else {}
        if not found:
            return None
        lines, ids = [], []
        for key, value in found.items():
            event = await ctx.set_fact(key, value)
            ids.append(event.id)
            lines.append(f"{self.kb.facts[key].label}: {describe(self.kb.facts[key], value)}")
        assert ctx.deal is not None
        return Reply(
            headline=f"Logged for {ctx.deal.name}: " + "; ".join(lines) + ".",
            intent="fact.stated",
            actions=[Action("Undo", {"intent": "undo", "event_ids": ids})],
        )

    async def _run(self, ctx: Context) -> Reply:
        name = ctx.intent.name
        handler = self.handlers.get(name)
        if handler is None:
            return self._not_understood(ctx)
        if name not in DEAL_FREE and ctx.deal is None:
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
        reply = await handler(ctx)
        if reply.intent == "unknown":
            reply.intent = name
        return reply

    def _not_understood(self, ctx: Context) -> Reply:
        """The closest intents as buttons, or, for text unlike anything, what I'm for."""
        text, words = ctx.intent.text, understanding_config(self.kb).wording
        close = did_you_mean(understand_ranked(text, self.kb)[1], self.kb) if text else []
        if close:
            said = text[:1500]  # rides in the buttons: fits a Slack button value (2,000)
            return Reply(
                headline=words.did_you_mean,
                intent="unknown",
                actions=[Action(button_label(n, self.kb), {"intent": n, "_text": said}) for n in close],
                footer=words.did_you_mean_footer,
            )
        return Reply(
            headline=words.can_help,
            intent="unknown",
            sections=[Section(items=[Item(t) for t in words.can_help_items])],
            footer=words.can_help_footer,
        )
