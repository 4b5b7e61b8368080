"""The configured LLM: its settings (config.py), the client (setup.py, the only module that
imports openai), the per-tenant daily budget (usage.py), what may go into a prompt (policy.py,
prompt.py), and the drafter that rewrites template drafts (drafter.py, checks.py, polish.py).
The understanding layer's reader (bot/understanding/llm_reader.py) uses the same pieces, and
reads and writes the database through `Memory`; its `take_budget` is the budget's public door for
other model calls (the quote reader, bot/offers/llm.py).

The core reaches the drafter only through `ctx.services.drafter`, an object with
`async draft(request, session=None) -> DraftResult`. Without one, the template is the draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class DraftRequest:
    kind: str  # a key of knowledge/llm.yaml `kinds` (escalation, confirm, ...)
    facts: dict[str, Any]  # the deal's facts; the drafter keeps only what the kind allows
    template_text: str  # the template draft: the fallback and the model's starting point
    tenant: int  # tenants.id, for the daily budget
    instructions: tuple[str, ...] = ()  # the user's follow-ups: "shorter", "more formal", ...
    names: tuple[str, ...] = ()  # people on the deal: a draft must not blame them
    now: datetime | None = None


@dataclass(frozen=True)
class DraftResult:
    text: str
    source: Literal["llm", "template"]
    reason: str | None = None  # why the template, or what was repaired; shown to the user
    problems: tuple[str, ...] = ()  # the checks' findings on the last failing attempt
    notes: tuple[str, ...] = ()  # harmless clean-ups made (mentions, links, invisible characters)
    requests: int = 0  # model calls made


class Drafter(Protocol):
    async def draft(self, request: DraftRequest, session: AsyncSession | None = None) -> DraftResult: ...


def template_result(request: DraftRequest, reason: str | None, problems: tuple[str, ...] = (), **kw: Any):
    return DraftResult(request.template_text, "template", reason, problems, **kw)


__all__ = ["DraftRequest", "DraftResult", "Drafter", "template_result"]
