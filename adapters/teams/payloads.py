"""The shape of what each Teams activity handler reads, one pydantic model per kind.

`adapters/teams/edge.py` checks the activity as the Agents SDK reads it (its `Activity` schema,
the ids a turn needs, size and depth). The SDK types `value` as `Any`: a card's `Action.Submit`
data on a message, `{"action": {...}}` on an `adaptiveCard/action` invoke, the message action's
form and message on `composeExtension/submitAction`. These models check those in
`CoachAgent.on_turn`, after the outsider checks (an outsider gets the one line whatever they
sent) and before any handler: a message whose value does not
fit gets one short line, an invoke a clean 400 invoke response, anything else nothing; nothing
is written and the log names the kind and the first field, never a value. Handlers read the
typed result.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

Short = Annotated[str, StringConstraints(max_length=200)]
# A Teams message is at most about 28 KB; the leak check reads one message.
Text = Annotated[str, StringConstraints(max_length=40_000)]
# Ids are kept in String(255) columns; no control characters (PostgreSQL refuses NUL).
Id = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^\x00-\x1f\x7f]+$")]
Intent = Annotated[str, StringConstraints(min_length=1, max_length=64)]

EXECUTE = "adaptiveCard/action"
COMPOSE = "composeExtension/submitAction"
LEAK_COMMAND = "leakCheck"  # the manifest's composeExtensions command id
EXPIRED = "That button has expired. Ask me again."


class Shape(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class CardData(Shape):
    """A card button's data (Action.Submit's value, Action.Execute's `data`): the intent and,
    for a form's answers, the names of its inputs. The rest is the intent's payload, checked by
    the core's schema for that intent (bot/actions.py)."""

    model_config = ConfigDict(strict=True, extra="allow", frozen=True)
    intent: Intent
    inputs: Annotated[list[Short], Field(max_length=50)] | None = Field(None, alias="_inputs")

    def raw(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


class ExecuteAction(Shape):
    type: Short | None = None
    verb: Short | None = None
    title: Short | None = None
    data: CardData | None = None


class Execute(Shape):
    action: ExecuteAction


class ComposeForm(Shape):
    message: Text | None = None
    role: Short | None = None


class Body(Shape):
    content: Text | None = None


class MessagePayload(Shape):
    body: Body | None = None


class Compose(Shape):
    commandId: Literal["leakCheck"] | None = None
    data: ComposeForm | None = None
    messagePayload: MessagePayload | None = None

    def text(self) -> tuple[str, str]:
        """(the typed message, the picked message's HTML content)"""
        typed = (self.data.message if self.data else None) or ""
        body = self.messagePayload.body if self.messagePayload else None
        return typed.strip(), (body.content if body else None) or ""


class Ref(Shape):
    id: Short | None = None


class ChannelInfo(Shape):
    id: Short | None = None
    type: Short | None = None
    membershipType: Short | None = None  # shared channels (adapters/teams/outsiders.py)


class ChannelData(Shape):
    """What the tenant and outsider checks read of `channelData` (the SDK types it `Any`)."""

    tenant: Ref | None = None
    channel: ChannelInfo | None = None
    team: Ref | None = None


class Member(Shape):
    id: Id


class ConversationUpdate(Shape):
    """Who joined or left: the welcome goes out when the coach itself was added."""

    membersAdded: Annotated[list[Member], Field(max_length=500)] | None = None
    membersRemoved: Annotated[list[Member], Field(max_length=500)] | None = None


class Unfit(Exception):
    def __init__(self, kind: str, where: str) -> None:
        super().__init__(f"{kind}: {where}")
        self.kind = kind
        self.where = where  # field names only


Checked = CardData | Execute | Compose | ConversationUpdate | None


def check(kind: str, name: str | None, value: Any, members: dict[str, Any] | None = None) -> Checked:
    """What the handler of this kind of activity reads from its `value`: a message's card data
    (None for a typed message), an invoke's action or message-action form; for a
    conversationUpdate, `members` (its membersAdded and membersRemoved). Raises Unfit."""
    model: type[Shape] | None = None
    if kind == "conversationUpdate":
        model, value = ConversationUpdate, members
    elif kind == "message":
        if value is None or value == {}:
            return None  # typed text (a card's empty submit is text too)
        model = CardData
    elif kind == "invoke":
        model = {EXECUTE: Execute, COMPOSE: Compose}.get(name or "")
        if model is None:
            raise Unfit(kind, "name")
        if model is Compose and value is None:
            value = {}
    if model is None:
        return None
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise Unfit(f"{kind} {name}" if name else kind, _where(exc)) from None


def check_channel_data(data: Any) -> None:
    """`channelData`, checked with the envelope in `TeamsHost.precheck` (a 400 when it does not fit)."""
    if data is None:
        return
    try:
        ChannelData.model_validate(data)
    except ValidationError as exc:
        raise Unfit("channelData", _where(exc)) from None


def _where(exc: ValidationError) -> str:
    first = exc.errors(include_url=False, include_context=False, include_input=False)[0]
    names = [
        str(p) if isinstance(p, int) or re.fullmatch(r"[A-Za-z_]{1,40}", p) else "*" for p in first["loc"]
    ]
    return ".".join(names) or "value"
