"""Skills: one module per capability, each marking handlers for its intents with `@skill`.

A handler is `async def handler(ctx: Context) -> Reply`. bot/features.py lists the skill
modules (adding a capability is adding a module there, and its knowledge file).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.context import Context
    from bot.reply import Reply

Handler = Callable[["Context"], Awaitable["Reply"]]

HANDLERS: dict[str, Handler] = {}
# Intents that work without an active deal (help, deal commands, ...).
DEAL_FREE: set[str] = set()


def skill(intent: str, *, needs_deal: bool = True) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if intent in HANDLERS and HANDLERS[intent] is not fn:
            raise RuntimeError(f"two handlers for intent {intent!r}")
        HANDLERS[intent] = fn
        if not needs_deal:
            DEAL_FREE.add(intent)
        return fn

    return register
