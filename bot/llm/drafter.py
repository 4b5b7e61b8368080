"""LlmDrafter: minimise → prompt → call (one timeout for everything) → check → repair once
→ or the template. The client is any object shaped like openai's AsyncOpenAI."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import write_session
from bot.knowledge import Knowledge
from bot.llm import DraftRequest, DraftResult, template_result
from bot.llm.checks import Checker, LeakCheck, links_in, sanitise
from bot.llm.config import LlmSettings
from bot.llm.policy import close, figures_of, kinds, mask_secrets, minimise, redact
from bot.llm.prompt import messages, new_nonce
from bot.llm.usage import add_tokens, take_request

log = logging.getLogger("coach.llm")


class _OverBudget(Exception):
    pass


class LlmDrafter:
    def __init__(
        self,
        client: Any,
        settings: LlmSettings,
        kb: Knowledge,
        *,
        sessions: async_sessionmaker | None = None,
        leak_check: LeakCheck | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.settings = settings
        self.kb = kb
        self.sessions = sessions
        self.leak_check = leak_check
        self.clock = clock
        self.model = settings.azure_deployment if settings.provider == "azure" else settings.model
        self.model = self.model or settings.model
        # Called with (kind, outcome, model calls) once per draft that reached the LLM path:
        # `coach serve` counts them for /metrics. Outcomes: llm, failed_checks, budget, timeout, error.
        self.observers: list[Callable[[str, str, int], None]] = []

    async def aclose(self) -> None:
        close_ = getattr(self.client, "close", None)
        if close_ is not None:
            await close_()

    # --- the one entry point -----------------------------------------------------------
    async def draft(self, request: DraftRequest, session: AsyncSession | None = None) -> DraftResult:
        reasons = self.kb.section("llm.reasons")
        spec = kinds(self.kb).get(request.kind)
        if spec is None:
            return template_result(request, reasons.unknown_kind)
        if self.settings.disabled:
            return template_result(request, reasons.disabled)
        started = time.monotonic()
        mini = minimise(request.kind, request.facts, self.kb)
        instructions = tuple(redact(i)[:500] for i in request.instructions)
        typed = figures_of(instructions)  # figures the user typed may appear, secret or not
        secrets = {s for s in mini.secrets if not any(close(s, t) for t in typed)}
        template = mask_secrets(redact(request.template_text), secrets)
        checker = Checker(
            spec=spec,
            tone=self.kb.section("llm.tone"),
            allowed_figures=figures_of(mini.facts.values()) | figures_of([template]) | typed,
            secret_figures=secrets,
            names=list(request.names),
            leak_check=self.leak_check,
        )
        # Links survive only when the template or the user's own request holds them; a link in a
        # free-text fact may have been pasted from someone else's e-mail.
        allowed_links = links_in([template, *instructions])
        day = (request.now or self.clock()).astimezone(UTC).strftime("%Y-%m-%d")
        nonce = new_nonce()
        calls = 0
        first_problems: list[str] = []
        previous: str | None = None
        # One deadline bounds the whole draft, repair included. Only the model calls run under
        # it, so a cancellation never lands inside the turn's database transaction.
        deadline = asyncio.get_running_loop().time() + self.settings.timeout
        found: list[str] = []
        try:
            for attempt in (1, 2):
                msgs = messages(
                    title=spec.title,
                    facts=mini.facts,
                    template_text=template,
                    instructions=instructions,
                    max_chars=spec.max_chars,
                    nonce=nonce,
                    previous=previous,
                    problems=first_problems if attempt == 2 else (),
                )
                await self._take(request.tenant, day, session)
                calls += 1
                async with asyncio.timeout_at(deadline):
                    raw, tokens = await self._complete(msgs)
                await self._tokens(request.tenant, day, tokens, session)
                text, notes = sanitise(raw, allowed_links)
                found = checker.problems(text)
                if not found:
                    self._log(request.kind, "llm", attempt, started)
                    why = (
                        None if attempt == 1 else reasons.repaired.format(problems="; ".join(first_problems))
                    )
                    return DraftResult(text, "llm", why, tuple(first_problems), tuple(notes), calls)
                if attempt == 1:
                    first_problems = found
                    # What goes back never carries a secret figure, even one the model invented.
                    previous = mask_secrets(redact(text), mini.secrets)
            self._log(request.kind, "failed_checks", 2, started)
            reason = reasons.failed_checks.format(problems="; ".join(dict.fromkeys(first_problems + found)))
            return template_result(request, reason, tuple(found), requests=calls)
        except _OverBudget:
            self._log(request.kind, "budget", calls, started)
            return template_result(request, reasons.budget, requests=calls)
        except TimeoutError:
            self._log(request.kind, "timeout", calls, started)
            return template_result(request, reasons.timeout, requests=calls)
        except Exception as exc:  # the chat must get an answer; the template is always there
            log.warning("llm draft failed: %s", type(exc).__name__)
            self._log(request.kind, "error", calls, started)
            return template_result(request, reasons.error, requests=calls)

    async def complete(self, msgs: list[dict[str, str]], tenant: int, now: datetime | None = None) -> str:
        """One model call with a caller's own prompt (bot/llm/rehearsal.py), under the same daily
        budget and timeout as a draft. Raises on budget (LookupError), timeout or error; the
        caller falls back to its template."""
        day = (now or self.clock()).astimezone(UTC).strftime("%Y-%m-%d")
        try:
            await self._take(tenant, day, None)
        except _OverBudget:
            raise LookupError("daily LLM budget used up") from None
        async with asyncio.timeout(self.settings.timeout):
            raw, tokens = await self._complete(msgs)
        await self._tokens(tenant, day, tokens, None)
        return raw

    # --- pieces -------------------------------------------------------------------------
    def _session(self, session: AsyncSession | None) -> AbstractAsyncContextManager[AsyncSession | None]:
        if session is not None:
            return nullcontext(session)
        if self.sessions is None:
            return nullcontext(None)
        return self._own_session()

    @asynccontextmanager
    async def _own_session(self):  # type: ignore[no-untyped-def]
        assert self.sessions is not None
        async with write_session(self.sessions) as s:
            yield s

    async def _take(self, tenant: int, day: str, session: AsyncSession | None) -> None:
        async with self._session(session) as s:
            if s is not None and not await take_request(s, tenant, day, self.settings.daily_budget):
                raise _OverBudget

    async def _tokens(self, tenant: int, day: str, tokens: int, session: AsyncSession | None) -> None:
        async with self._session(session) as s:
            if s is not None:
                await add_tokens(s, tenant, day, tokens)

    async def _complete(self, msgs: list[dict[str, str]]) -> tuple[str, int]:
        params: dict[str, Any] = {"model": self.model, "messages": msgs}
        if self.settings.uses_completion_tokens(self.model):
            params["max_completion_tokens"] = self.settings.max_tokens
        else:
            params["max_tokens"] = self.settings.max_tokens
            params["temperature"] = self.settings.temperature
        if not self.settings.stream:
            resp = await self.client.chat.completions.create(**params)
            content = resp.choices[0].message.content if resp.choices else None
            tokens = resp.usage.total_tokens if getattr(resp, "usage", None) else 0
            return content or "", int(tokens or 0)
        # Without include_usage a stream carries no token counts, and the budget would see 0.
        stream = await self.client.chat.completions.create(
            **params, stream=True, stream_options={"include_usage": True}
        )
        parts: list[str] = []
        tokens = 0
        async for chunk in stream:
            for choice in chunk.choices or []:
                if choice.delta and choice.delta.content:
                    parts.append(choice.delta.content)
            if getattr(chunk, "usage", None):
                tokens = int(chunk.usage.total_tokens or 0)
        return "".join(parts), tokens

    def _log(self, kind: str, outcome: str, calls: int, started: float) -> None:
        for observe in self.observers:
            try:
                observe(kind, outcome, calls)
            except Exception as exc:  # counting must never cost the user their draft
                log.warning("llm draft observer failed: %s", type(exc).__name__)
        # Kind, outcome and timing only: never deal data, prompts or drafts.
        log.info(
            "llm draft kind=%s outcome=%s calls=%d ms=%d",
            kind,
            outcome,
            calls,
            (time.monotonic() - started) * 1000,
        )
