"""What a button, card or shortcut may carry: one schema per intent, checked at the edge of
the core before anything runs.

A payload comes back from Slack, Teams or the terminal after a round trip through a client
we do not control, so it is input like any text. Each model lists the keys its skill reads
(`ctx.intent.args`) with their types and bounds; keys a skill does not read are dropped, and
a payload that does not fit is refused with one short line before any transaction opens.
Intents with no model of their own take only free text (`rest`), as typed commands do.
"""

from __future__ import annotations

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


def user_text(payload: dict[str, Any]) -> Any:
    """The user's words a payload carries, under either name ("" when none)."""
    return payload.get(USER_TEXT, payload.get(OLD_USER_TEXT, ""))


class Payload(BaseModel):
    """Free text after a command, as the Slack shortcuts and modals send it."""

    # Built on first use: most turns are typed, and a CLI start need not pay for every schema.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)
    rest: Words | None = None


class Undo(Payload):
    event_id: RowId | None = None
    event_ids: Annotated[list[RowId], Field(max_length=50)] | None = None


class FavorUndo(Payload):
    event_id: RowId
    new_contact: Name | None = None


class DraftConfirm(Payload):
    event_id: RowId | None = None
    commitment_id: RowId | None = None
    contact: Name | None = None
    role: Key | None = None
    what: Words | None = None


class EscalationUpdate(Payload):
    keys: Annotated[list[Key], Field(max_length=20)] | Key = []
    then: Literal["deal.brief", "escalation.check"] | None = None  # what runs once answered


class ReminderId(Payload):
    id: RowId


class ReminderCancel(Payload):
    id: RowId | None = None  # or a number in `rest`, as typed: `cancel reminder 12`


class Snooze(ReminderId):
    minutes: Annotated[int, Field(ge=1, le=60 * 24 * 366)] | None = None


class Capture(ReminderId):
    nothing: bool = False


class ReminderAdd(Payload):
    n: Annotated[int, Field(ge=1, le=100_000)] | None = None
    unit: Annotated[str, Field(max_length=16)] | None = None
    what: Words | None = None


class ReminderPrefs(Payload):
    before: Annotated[str, Field(max_length=200)] | None = None
    morning: Annotated[str, Field(max_length=32)] | None = None


class LeakCheck(Payload):
    message: Message | None = None
    text: Message | None = None
    role: Key | None = None


class Disclosure(Payload):
    role: Key | None = None
    what: Words | None = None


class CommitmentStatus(Payload):
    id: RowId | None = None
    status: Key | None = None


class ContactChange(Payload):
    name: Name | None = None
    role: Key | None = None


class FavorNamed(Payload):
    name: Name | None = None
    what: Words | None = None


class ContactKpis(Payload):
    name: Name | None = None
    kpis: Annotated[str, Field(max_length=2000)] | None = None


class DealName(Payload):
    name: Name | None = None


class FormAnswer(Payload):
    answers: Annotated[dict[Key, Answer], Field(max_length=50)]


class Levers(Payload):
    asked: Words | None = Field(default=None, alias="_asked")


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


class MeetingPrep(Payload):
    role: Key | None = None
    topic: Words | None = None
    on: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None  # an ISO day
    at: Annotated[str, Field(pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d$")] | None = None  # HH:MM


class RehearsalStart(Payload):
    role: Key | None = None  # a role key of knowledge/rehearsal.yaml's cast ("ae", "deal_desk")


SCHEMAS: dict[str, type[Payload]] = {
    "undo": Undo,
    "favors.undo": FavorUndo,
    "draft.confirm": DraftConfirm,
    "escalation.update": EscalationUpdate,
    "reminders.cancel": ReminderCancel,
    "reminders.done": ReminderId,
    "reminders.skip": ReminderId,
    "reminders.answer": ReminderId,
    "reminders.snooze": Snooze,
    "reminders.capture": Capture,
    "reminders.add": ReminderAdd,
    "reminders.prefs": ReminderPrefs,
    "leakcheck": LeakCheck,
    "disclosure.share": Disclosure,
    "commitments.status": CommitmentStatus,
    "contacts.change": ContactChange,
    "favors.should_ask": FavorNamed,
    "favors.who": FavorNamed,
    "favors.balance": FavorNamed,
    "contacts.kpis": ContactKpis,
    "deal.new": DealName,
    "deal.use": DealName,
    "programs.levers": Levers,
    "form.answer": FormAnswer,
    "form.resume": Payload,  # "Back to …? [Continue] [Drop]" after a question mid-form
    "form.drop": Payload,
    "rehearsal.start": RehearsalStart,  # "Rehearse this meeting" from meeting prep
    "favors.log": FavorLog,  # the Slack modal's typed values, or the favor as told
    "commitments.log": CommitmentLog,
    "meeting.prep": MeetingPrep,
}


def register(intent: str, schema: type[Payload]) -> None:
    """The payload schema of an intent whose skill is not in bot/features.py's list (one added
    with `features.add_skill`, as the reminder tests' probe skills are)."""
    if SCHEMAS.get(intent, schema) is not schema:
        raise RuntimeError(f"two payload schemas for intent {intent!r}")
    SCHEMAS[intent] = schema


def checked(action: Any, intents: set[str] | dict[str, Any]) -> dict[str, Any] | None:
    """The payload with only the keys its skill reads, in their types; None if it does not
    fit (not an object, an intent nothing handles, a key of the wrong type or size)."""
    if not isinstance(action, dict):
        return None
    intent = action.get("intent")
    if not isinstance(intent, str) or (intent not in intents and intent not in SCHEMAS):
        return None
    text = user_text(action)
    if not isinstance(text, str) or len(text) > 8000:
        return None
    try:
        args = SCHEMAS.get(intent, Payload).model_validate(action)
    except ValidationError:
        return None
    return {"intent": intent, **args.model_dump(exclude_unset=True, by_alias=True), USER_TEXT: text}
