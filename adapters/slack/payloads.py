"""The shape of every Slack request a listener of ours hears, one pydantic model per kind.

`adapters/slack/edge.py` keeps what Bolt itself reads (the body parses, the workspace is named,
the fields Bolt's context extraction touches have the types Slack sends). This module checks
the rest, per kind of request, before any listener runs: the fields `adapters/slack/app.py`
reads, with the types and bounds it needs. A request that does not fit is answered here, by
the `before_authorize` middleware of the Bolt app (so over HTTP and over Socket Mode alike):
a slash command gets one short line, anything else a clean empty 200, which Slack takes as
handled and does not send again. Nothing is written and the log names the kind and the first
field that did not fit, never a value.

A listener reads its request from `context["shape"]`, typed; it never looks for a key that
may be missing or of another type.

Kinds no listener of ours hears (other event types, other callback ids, `view_closed`) are
acknowledged the same way, before authorization: they cost no `auth.test` and no lookup.
Bolt's own built-ins (`url_verification`, `ssl_check`) pass through untouched.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

# Slack's ids (users, channels, teams, triggers, timestamps) are short ASCII tokens; the
# database keeps the ones we store in String(255) columns. No control characters: PostgreSQL
# refuses NUL, and none belongs in an id.
Id = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^\x00-\x1f\x7f]+$")]
# Free text, within Slack's own limits: a message is at most 40,000 characters (the core
# answers a turn longer than its own limit with one line), a button's value 2,000, a modal's
# text input and private_metadata 3,000.
Said = Annotated[str, StringConstraints(max_length=40_000)]
Small = Annotated[str, StringConstraints(max_length=3_000)]
Url = Annotated[str, StringConstraints(max_length=2_000)]

CALLBACK_MODAL = re.compile(r"^coach\.modal\.")
ACTION = re.compile(r"^coach\.")
SHORTCUT = "check_before_sending"
UNFIT_COMMAND = "I couldn't read that request from Slack. Try `/coach help`."


class Shape(BaseModel):
    """Strict types (a number is not a string), keys we do not read ignored, frozen."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class Ref(Shape):
    id: Id


class Tenancy(Shape):
    """Where `tenant_of` and the outsider checks find the workspace or Grid org (a deal's tenant
    is one of these ids, kept in String(255) columns)."""

    team_id: Id | None = None
    enterprise_id: Id | None = None
    team: Id | Ref | None = None
    enterprise: Id | Ref | None = None
    is_enterprise_install: bool | None = None


# --- slash command ---------------------------------------------------------------------------
class SlashCommand(Tenancy):
    command: Literal["/coach"]
    text: Said = ""
    channel_id: Id
    user_id: Id
    trigger_id: Id
    user_name: Id | None = None
    response_url: Url | None = None


# --- events ------------------------------------------------------------------------------------
class SharedFile(Shape):
    """A file a message shares: the listener notes its id only (adapters/slack/files_in.py)."""

    id: Id
    filetype: Id | None = None
    name: Small | None = None


class MessageEvent(Shape):
    type: Literal["message"]
    channel: Id
    user: Id | None = None
    user_team: Id | None = None  # the person's own workspace (adapters/slack/outsiders.py)
    source_team: Id | None = None
    text: Said | None = None
    ts: Id | None = None
    thread_ts: Id | None = None
    channel_type: Id | None = None
    subtype: Id | None = None
    bot_id: Id | None = None
    files: list[SharedFile] | None = None

    def file_list(self) -> list[dict[str, Any]]:
        return [f.model_dump() for f in self.files or ()]


class MentionEvent(MessageEvent):
    type: Literal["app_mention"]  # type: ignore[assignment]


class HomeOpened(Shape):
    type: Literal["app_home_opened"]
    user: Id
    tab: Id | None = None


class Uninstalled(Shape):
    type: Literal["app_uninstalled"]


class Tokens(Shape):
    oauth: list[Id] | None = None
    bot: list[Id] | None = None


class TokensRevoked(Shape):
    type: Literal["tokens_revoked"]
    tokens: Tokens


Event = Annotated[
    MessageEvent | MentionEvent | HomeOpened | Uninstalled | TokensRevoked, Field(discriminator="type")
]


class EventCallback(Tenancy):
    type: Literal["event_callback"]
    event_id: Id
    event: Event
    is_ext_shared_channel: bool | None = None


# --- interactions ------------------------------------------------------------------------------
class User(Shape):
    id: Id
    team_id: Id | None = None


Channel = Ref


class Container(Shape):
    channel_id: Id | None = None
    message_ts: Id | None = None
    is_ephemeral: bool | None = None


class Message(Shape):
    ts: Id | None = None
    thread_ts: Id | None = None
    text: Said | None = None
    blocks: Annotated[list[dict[str, Any]], Field(max_length=100)] | None = None  # Slack's own cap


class Label(Shape):
    text: Small | None = None


class Action(Shape):
    action_id: Id
    block_id: Id | None = None
    value: Url | None = None
    text: Label | None = None


class BlockActions(Tenancy):
    type: Literal["block_actions"]
    user: User
    trigger_id: Id
    actions: Annotated[list[Action], Field(min_length=1, max_length=25)]
    channel: Channel | None = None
    container: Container | None = None
    message: Message | None = None
    response_url: Url | None = None

    @property
    def channel_id(self) -> str | None:
        return (self.channel.id if self.channel else None) or (
            self.container.channel_id if self.container else None
        )


class Option(Shape):
    value: Url


class Element(Shape):
    """One input of a modal, whatever its type: the value is in one of these."""

    type: Id | None = None
    value: Small | None = None
    selected_date: Id | None = None
    selected_time: Id | None = None
    selected_option: Option | None = None

    def answer(self) -> str:
        picked = self.selected_option.value if self.selected_option else None
        return (self.value or self.selected_date or self.selected_time or picked or "").strip()


class State(Shape):
    values: dict[str, dict[str, Element]] = {}


class View(Shape):
    type: Id
    callback_id: Id
    id: Id  # with the hash, names the submission (a second delivery finds it claimed)
    hash: Id | None = None
    private_metadata: Small = ""
    state: State = State()

    def answers(self) -> dict[str, str]:
        """{block id: what was entered}, whatever the element type."""
        return {block: el.answer() for block, els in self.state.values.items() for el in els.values()}


class ViewSubmission(Tenancy):
    type: Literal["view_submission"]
    user: User
    view: View
    trigger_id: Id | None = None


class MessageShortcut(Tenancy):
    type: Literal["message_action"]
    callback_id: Literal["check_before_sending"]
    user: User
    trigger_id: Id
    channel: Channel | None = None
    message: Message = Message()


Request = SlashCommand | EventCallback | BlockActions | ViewSubmission | MessageShortcut

_MODELS: dict[str, TypeAdapter[Any]] = {}


def _adapter(model: Any) -> TypeAdapter[Any]:
    key = getattr(model, "__name__", repr(model))
    if key not in _MODELS:
        _MODELS[key] = TypeAdapter(model)
    return _MODELS[key]


class Unfit(Exception):
    """A request of a shape no listener of ours can take: what to log and how to answer."""

    def __init__(self, kind: str, where: str, line: str | None = None) -> None:
        super().__init__(f"{kind}: {where}")
        self.kind = kind
        self.where = where  # field names and indexes only, never a value
        self.line = line  # for the person who typed a slash command; None: a clean ack


def kind_of(body: dict[str, Any]) -> str:
    if "command" in body:
        return "command"
    if body.get("ssl_check"):
        return "ssl_check"
    kind = body.get("type")
    return kind if isinstance(kind, str) else "unknown"


def check(body: dict[str, Any]) -> Request | None:
    """The request as its listener will read it; None for what Bolt answers itself
    (`url_verification`, `ssl_check`). Raises Unfit for anything no listener of ours takes."""
    kind = kind_of(body)
    if kind in ("url_verification", "ssl_check"):
        return None
    model: Any = {
        "command": SlashCommand,
        "event_callback": EventCallback,
        "block_actions": BlockActions,
        "view_submission": ViewSubmission,
        "message_action": MessageShortcut,
    }.get(kind)
    if model is None:
        raise Unfit(kind if kind in KNOWN_KINDS else "unknown", "kind")
    try:
        shape = _adapter(model).validate_python(body)
    except ValidationError as exc:
        line = UNFIT_COMMAND if kind == "command" else None
        raise Unfit(kind, _where(exc), line) from None
    if isinstance(shape, BlockActions) and not ACTION.match(shape.actions[0].action_id):
        raise Unfit(kind, "actions.0.action_id")
    if isinstance(shape, ViewSubmission) and not CALLBACK_MODAL.match(shape.view.callback_id):
        raise Unfit(kind, "view.callback_id")
    return shape


KNOWN_KINDS = ("shortcut", "view_closed", "block_suggestion", "interactive_message", "dialog_submission")


def _where(exc: ValidationError) -> str:
    """The first error's location, with any key Slack's sender chose (a block id, an unknown
    event type) replaced by `*`: locations are ours, values never appear."""
    first = exc.errors(include_url=False, include_context=False, include_input=False)[0]
    parts: list[str] = []
    for part in first["loc"]:
        if isinstance(part, int):
            parts.append(str(part))
        elif re.fullmatch(r"[a-z_]{1,40}", part) and part in _FIELD_NAMES:
            parts.append(part)
        else:
            parts.append("*")
    return ".".join(parts) or "body"


_FIELD_NAMES = {
    name
    for model in (
        SlashCommand,
        SharedFile,
        MessageEvent,
        HomeOpened,
        Tokens,
        TokensRevoked,
        EventCallback,
        Tenancy,
        User,
        Ref,
        Container,
        Message,
        Label,
        Action,
        BlockActions,
        Option,
        Element,
        State,
        View,
        ViewSubmission,
        MessageShortcut,
    )
    for name in model.model_fields
} | {"message", "app_mention", "app_home_opened", "app_uninstalled", "tokens_revoked"}
