"""Skills: one module per capability, each registering handlers for its intents.

A handler is `async def handler(ctx: Context) -> Reply`. Modules in this package are
imported by `load_skills()`, so adding a capability is adding a module (and its
knowledge file), with no central list to edit.
"""

from __future__ import annotations

import importlib
import pkgutil
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


_loaded = False


def load_skills() -> dict[str, Handler]:
    global _loaded
    if not _loaded:
        for mod in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{mod.name}")
        _loaded = True
    return HANDLERS
