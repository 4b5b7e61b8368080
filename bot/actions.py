"""What a button, card or shortcut may carry: the payload bases and the check at the edge of
the core. A leaf module: it imports nothing of ours.

A payload comes back from Slack, Teams or the terminal after a round trip through a client
we do not control, so it is input like any text. Each intent declares its model once, on its
handler (`@skill("reminders.snooze", payload=Snooze)`, bot/skills/): the keys its skill reads,
with their types and bounds. Keys a skill does not read are dropped, a payload that does not
fit is refused with one short line before any transaction opens, and the handler receives the
model itself. Every intent declares a model: one that takes only the free text after its command
(`rest`), as typed commands send it, declares `Payload` itself.

The same model checks what the reader set for a typed message (a pattern's groups, a follow-up
the dialogue filled in) before the handler runs. A field only the reader or the core's own saved
state may set is declared with `reader_only()`: a button carrying it is checked like any other
key, but the key never reaches the skill from a button.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

# Row ids are BIGINT on PostgreSQL: a larger number would fail in the driver, not here.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Words = Annotated[str, Field(max_length=8000)]
Name = Annotated[str, Field(max_length=200)]
Key = Annotated[str, Field(max_length=64)]
Answer = Words | int | float | bool | None  # the form reader keeps the first 500 characters
# A Slack message (40,000 characters at most) sent to the leak check from its message menu.
Message = Annotated[str, Field(max_length=40_000)]

MALFORMED = "That button has expired or is malformed. Ask me again."

# The user's own words behind a button ("Did you mean …" choices, shortcuts, a form's resume):
# the skill reads them as `ctx.intent.text`.
USER_TEXT = "user_text"
# The same under its former name: buttons already posted in Slack and Teams, and forms saved
# half-answered, still carry it, so reading accepts both.
OLD_USER_TEXT = "_text"
NOT_ARGUMENTS = ("intent", USER_TEXT, OLD_USER_TEXT)  # what a payload carries besides a skill's arguments


def reader_only(**constraints: Any) -> Any:
    """A field the reader (a rule of bot/understanding/) or a form the core saved may set, and a
    button may not: validated wherever it comes from, left out of what `checked` hands on, so
    only the typed path and a saved form's resume ever give it to the skill."""
    return Field(default=None, exclude=True, **constraints)


def user_text(payload: dict[str, Any]) -> Any:
    """The user's words a payload carries, under either name ("" when none)."""
    return payload.get(USER_TEXT, payload.get(OLD_USER_TEXT, ""))


class Payload(BaseModel):
    """Free text after a command, as the Slack shortcuts and modals send it."""

    # Built on first use: most turns are typed, and a CLI start need not pay for every schema.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    # Typed text may be as long as COACH_MAX_MESSAGE_CHARS allows (up to a Slack message's 40,000).
    rest: Message | None = None


class FormAnswer(Payload):
    answers: Annotated[dict[Key, Answer], Field(max_length=50)]


# The Slack modals' typed values (favors.log, commitments.log, meeting.prep; declared on
# their handlers).
class Person(Payload):
    """Typed values from a form (Slack's modals): who, in which Microsoft role, and what; the
    skill records them as they are, with no sentence to read again."""

    contact: Name | None = None
    role: Key | None = None
    what: Words | None = None


class FavorLog(Person):
    favor: Words | None = None  # the favor as told, kept while its person's role is asked
    direction: Literal["asked", "given", "received"] | None = None
    size: Literal["small", "medium", "large"] | None = None


class CommitmentLog(Person):
    by: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None  # an ISO day
    # Kept while one question asks for the missing part, and the answer to "who promised that?"
    said: Words | None = None
    who: Words | None = None


class MeetingPrep(Payload):
    role: Key | None = None
    topic: Words | None = None
    on: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None  # an ISO day
    at: Annotated[str, Field(pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d$")] | None = None  # HH:MM
    # What was said, kept while one question asks who the meeting is with, and that answer.
    said: Words | None = None
    with_: Words | None = Field(default=None, alias="with")


# The intents the Coach answers itself: an open form's buttons ("Back to …? [Continue] [Drop]"
# after a question mid-form, and a card's answers). Every other intent declares its payload on
# its handler (`@skill(name, payload=Model)`, bot/skills/).
CORE_PAYLOADS: dict[str, type[Payload]] = {
    "form.answer": FormAnswer,
    "form.resume": Payload,
    "form.drop": Payload,
}


def checked(action: Any, schemas: Mapping[str, type[Payload]]) -> dict[str, Any] | None:
    """The payload with only the keys its skill reads, in their types; None if it does not
    fit (not an object, an intent nothing handles, a key of the wrong type or size).
    `schemas` is intent -> payload model, as the skills declare them (`Skills.schemas`)."""
    if not isinstance(action, dict):
        return None
    intent = action.get("intent")
    if not isinstance(intent, str) or intent not in schemas:
        return None
    text = user_text(action)
    if not isinstance(text, str) or len(text) > 8000:
        return None
    rest = action.get("rest")
    if isinstance(rest, str) and len(rest) > 8000:  # a button's text; typed text may run longer
        return None
    try:
        args = schemas[intent].model_validate(action)
    except ValidationError:
        return None
    return {"intent": intent, **args.model_dump(exclude_unset=True, by_alias=True), USER_TEXT: text}
