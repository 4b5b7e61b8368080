"""Skills: one module per capability. Each intent is declared once, on its handler:

    @skill("reminders.snooze", payload=Snooze)
    async def snooze(ctx: Context, p: Snooze) -> Reply: ...

names the intent, the pydantic model of what a button, card or typed command may carry for it
(bot/actions.py holds the bases), and the handler, which receives that payload checked and typed.
Every intent declares one: an intent that takes only the free text after its command declares
`payload=Payload` (its `rest`). Whatever the reader, a button, a card or a form's resume sets for
the intent is a field of its model, and the handler reads its arguments from the model alone,
never from `ctx.intent.args`. A field only the reader or the core's own saved state may set
(`reader_only()`, bot/actions.py) is checked on a button too, but a button cannot set it.
Its example phrasings live in the feature's knowledge/*.yaml under the same name.

`@skill` only labels a function; bot/features.py lists the skill modules and builds one frozen
`Skills` table from them at start-up. Nothing changes the table afterwards: a test or a plug-in
builds a new table with `Skills.including(...)` and hands it to the Coach it builds.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from bot.actions import Payload
from bot.reply import Reply

if TYPE_CHECKING:
    from bot.context import Context

# `async def handler(ctx, payload) -> Reply`: the payload is the intent's model, checked.
Handler = Callable[..., Awaitable[Reply]]

UNREADABLE = "I couldn't read the details of that. Say it again in other words, or type `help`."


@dataclass(frozen=True, slots=True)
class SkillSpec:
    intent: str
    payload: type[Payload]  # what a button, card or typed command may carry; the handler receives it
    needs_deal: bool = True  # False: works without an active deal (help, deal commands, ...)

    @property
    def schema(self) -> type[Payload]:
        """What a button for this intent may carry."""
        return self.payload


def skill(intent: str, *, payload: type[Payload], needs_deal: bool = True) -> Callable[[Handler], Handler]:
    """Declare `fn` as the handler of `intent`, with the payload model it receives."""
    if not (isinstance(payload, type) and issubclass(payload, Payload)):
        raise TypeError(f"intent {intent!r}: payload must be a model built on bot.actions.Payload")

    def label(fn: Handler) -> Handler:
        fn.skill = SkillSpec(intent, payload, needs_deal)  # type: ignore[attr-defined]
        return fn

    return label


def spec_of(fn: object) -> SkillSpec | None:
    spec = getattr(fn, "skill", None)
    return spec if isinstance(spec, SkillSpec) else None


@dataclass(frozen=True)
class Skills:
    """intent -> (declaration, handler), built once; and the payload models of the intents the
    Coach answers itself (a form's buttons)."""

    table: Mapping[str, tuple[SkillSpec, Handler]]
    core: Mapping[str, type[Payload]]

    @classmethod
    def build(cls, handlers: Iterable[Handler], core: Mapping[str, type[Payload]] | None = None) -> Skills:
        table: dict[str, tuple[SkillSpec, Handler]] = {}
        for fn in handlers:
            spec = spec_of(fn)
            if spec is None:
                raise ValueError(f"{getattr(fn, '__name__', fn)!r} is not declared with @skill")
            try:  # called `handler(ctx, payload)`: a handler that takes anything else fails here
                inspect.signature(fn).bind(None, None)
            except TypeError:
                raise TypeError(f"the handler of {spec.intent!r} must take (ctx, payload)") from None
            if spec.intent in table and table[spec.intent][1] is not fn:
                raise RuntimeError(f"two handlers for intent {spec.intent!r}")
            table[spec.intent] = (spec, fn)
        core = dict(core or {})
        if clash := set(core) & set(table):
            raise RuntimeError(f"intents both the Coach and a skill answer: {sorted(clash)}")
        return cls(MappingProxyType(table), MappingProxyType(core))

    @classmethod
    def collect(
        cls, modules: Iterable[ModuleType], core: Mapping[str, type[Payload]] | None = None
    ) -> Skills:
        """The handlers defined in `modules` (not those they import from elsewhere)."""
        found = [
            value
            for module in modules
            for value in vars(module).values()
            if spec_of(value) is not None and getattr(value, "__module__", None) == module.__name__
        ]
        return cls.build(found, core)

    def including(self, *handlers: Handler) -> Skills:
        """A new table with these handlers too (a test's probe skills, a plug-in)."""
        return Skills.build([*(fn for _, fn in self.table.values()), *handlers], self.core)

    @cached_property
    def handlers(self) -> Mapping[str, Handler]:
        return MappingProxyType({name: fn for name, (_, fn) in self.table.items()})

    @cached_property
    def deal_free(self) -> frozenset[str]:
        return frozenset(name for name, (spec, _) in self.table.items() if not spec.needs_deal)

    @cached_property
    def schemas(self) -> Mapping[str, type[Payload]]:
        """intent -> the model its payload is checked against at the edge of the core."""
        return MappingProxyType({**{n: s.schema for n, (s, _) in self.table.items()}, **self.core})

    async def run(self, name: str, ctx: Context) -> Reply:
        """The handler of `name`, given its typed payload."""
        spec, fn = self.table[name]
        try:
            payload = spec.payload.model_validate(_arguments(ctx.intent.args))
        except ValidationError:  # a button was checked at the edge; this is typed text
            return Reply(headline=UNREADABLE, intent=name)
        return await fn(ctx, payload)


def _arguments(args: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in args.items() if k != "intent"}
