"""Skills: one module per capability, each marking handlers for its intents with `@skill`.

A handler is `async def handler(ctx: Context) -> Reply`. `@skill` only labels a function;
bot/features.py lists the skill modules and collects their labelled handlers into one
`Skills` table (adding a capability is adding a module there, and its knowledge file).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.context import Context
    from bot.reply import Reply

Handler = Callable[["Context"], Awaitable["Reply"]]


@dataclass(frozen=True, slots=True)
class SkillSpec:
    intent: str
    needs_deal: bool = True  # False: works without an active deal (help, deal commands, ...)


def skill(intent: str, *, needs_deal: bool = True) -> Callable[[Handler], Handler]:
    """Label `fn` as the handler of `intent`."""

    def label(fn: Handler) -> Handler:
        fn.skill = SkillSpec(intent, needs_deal)  # type: ignore[attr-defined]
        return fn

    return label


def spec_of(fn: object) -> SkillSpec | None:
    spec = getattr(fn, "skill", None)
    return spec if isinstance(spec, SkillSpec) else None


@dataclass
class Skills:
    """intent -> handler, and the intents that work without an active deal."""

    handlers: dict[str, Handler] = field(default_factory=dict)
    deal_free: set[str] = field(default_factory=set)

    def add(self, fn: Handler) -> Handler:
        spec = spec_of(fn)
        if spec is None:
            raise ValueError(f"{getattr(fn, '__name__', fn)!r} is not labelled with @skill")
        if self.handlers.get(spec.intent, fn) is not fn:
            raise RuntimeError(f"two handlers for intent {spec.intent!r}")
        self.handlers[spec.intent] = fn
        if not spec.needs_deal:
            self.deal_free.add(spec.intent)
        return fn

    @classmethod
    def collect(cls, modules: Iterable[ModuleType]) -> Skills:
        """The handlers defined in `modules` (not those they import from elsewhere)."""
        skills = cls()
        for module in modules:
            for value in vars(module).values():
                if spec_of(value) is not None and getattr(value, "__module__", None) == module.__name__:
                    skills.add(value)
        return skills
