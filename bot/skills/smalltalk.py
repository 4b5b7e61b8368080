"""Small talk: greetings, thanks and "who are you?" get a short, friendly answer that
says what the coach is for, with a few things to try as buttons. Wording: smalltalk.yaml."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from bot.actions import Payload
from bot.context import Context
from bot.knowledge import KnowledgeSection
from bot.reply import Action, Reply
from bot.skills import skill


class Try(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    intent: str
    text: str = Field(min_length=1)  # what the button stands for, as if typed


SECTIONS = (KnowledgeSection("smalltalk", "tries", TypeAdapter(list[Try]).validate_python),)


def _reply(ctx: Context, rule_id: str, intent: str) -> Reply:
    tries: list[Try] = ctx.kb.section("smalltalk.tries")
    return Reply(
        headline=ctx.kb.say(rule_id),
        intent=intent,
        actions=[Action(t.label, {"intent": t.intent, "user_text": t.text}) for t in tries[:3]],
    )


@skill("smalltalk.greet", needs_deal=False, payload=Payload)
async def greet(ctx: Context, _: Payload) -> Reply:
    return _reply(ctx, "smalltalk.greet", "smalltalk.greet")


@skill("smalltalk.thanks", needs_deal=False, payload=Payload)
async def thanks(ctx: Context, _: Payload) -> Reply:
    return _reply(ctx, "smalltalk.thanks", "smalltalk.thanks")


@skill("smalltalk.about", needs_deal=False, payload=Payload)
async def about(ctx: Context, _: Payload) -> Reply:
    return _reply(ctx, "smalltalk.about", "smalltalk.about")
