"""Modals for structured input: new deal, log a favor, a commitment, a meeting.

A valid submission becomes one coach turn, sent as an action payload straight to its skill,
so the router never has to guess. Every modal hands over its typed values (`typed`: the
deal's name; who, their role key, what, which way, how big, by when; a meeting's role, topic,
day and time), checked by
the intent's payload schema (bot/actions.py) and recorded as they are: the core never reads a
sentence the modal wrote.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.knowledge import Knowledge

MAX_FIELD = 300
# What the people skills take as a contact's name ("Ana", "Ana Silva", "Mary-Jo O'Neil").
NAME = re.compile(r"^[^\W\d_][\w.'-]*(?: [^\W\d_][\w.'-]*){0,2}$")


@dataclass(frozen=True)
class Field:
    id: str
    label: str
    kind: str = "text"  # text | multiline | date | time | radio | role
    required: bool = True
    placeholder: str = ""
    options: tuple[tuple[str, str], ...] = ()


ROLE_FIELD = "role"
MODALS: dict[str, tuple[str, tuple[Field, ...]]] = {
    "new_deal": (
        "New deal",
        (Field("name", "Deal name", placeholder="Woodgrove EA renewal"),),
    ),
    "favor": (
        "Log a favor",
        (
            Field(
                "direction",
                "What happened?",
                "radio",
                options=(("I asked them", "asked"), ("I gave them", "given"), ("They gave us", "received")),
            ),
            Field("who", "Their name", placeholder="Ana"),
            Field(ROLE_FIELD, "Their role", "role"),
            Field("what", "What was it?", "multiline", placeholder="expedite the Purview workshop"),
            Field(
                "size",
                "How big?",
                "radio",
                required=False,
                options=(("Small", "small"), ("Medium", "medium"), ("Large", "large")),
            ),
        ),
    ),
    "commitment": (
        "Log a verbal commitment",
        (
            Field("who", "Who promised it?", placeholder="Raj"),
            Field(ROLE_FIELD, "Their role", "role"),
            Field("what", "What did they promise?", "multiline", placeholder="hold the Copilot price"),
            Field("by", "By when (optional)", "date", required=False),
        ),
    ),
    "meeting": (
        "Log a meeting",
        (
            Field(ROLE_FIELD, "With whom?", "role"),
            Field("topic", "About what?", placeholder="architecture session"),
            Field("on", "Which day?", "date"),
            Field("at", "What time (optional)", "time", required=False),
        ),
    ),
}


def role_options(kb: Knowledge) -> tuple[tuple[str, str], ...]:
    """(label, role key) for every Microsoft role the knowledge base knows."""
    return tuple((r.title[:1].upper() + r.title[1:], r.key) for r in kb.roles.values())


def _options(pairs: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    return [{"text": {"type": "plain_text", "text": t[:75]}, "value": v} for t, v in pairs][:100]


def _element(f: Field, roles: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    if f.kind == "date":
        return {"type": "datepicker", "action_id": f.id}
    if f.kind == "time":
        return {"type": "timepicker", "action_id": f.id}
    if f.kind == "radio":
        return {"type": "radio_buttons", "action_id": f.id, "options": _options(f.options)}
    if f.kind == "role":
        return {
            "type": "static_select",
            "action_id": f.id,
            "placeholder": {"type": "plain_text", "text": "Pick a role"},
            "options": _options(roles),
        }
    el: dict[str, Any] = {"type": "plain_text_input", "action_id": f.id, "max_length": MAX_FIELD}
    if f.kind == "multiline":
        el["multiline"] = True
    if f.placeholder:
        el["placeholder"] = {"type": "plain_text", "text": f.placeholder}
    return el


def view(
    kind: str, channel: str, thread_ts: str | None = None, roles: tuple[tuple[str, str], ...] = ()
) -> dict[str, Any]:
    title, fields = MODALS[kind]
    return {
        "type": "modal",
        "callback_id": f"coach.modal.{kind}",
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"channel": channel, "thread_ts": thread_ts}),
        "blocks": [
            {
                "type": "input",
                "block_id": f.id,
                "optional": not f.required,
                "label": {"type": "plain_text", "text": f.label},
                "element": _element(f, roles),
            }
            for f in fields
        ],
    }


def values(state: dict[str, Any]) -> dict[str, str]:
    """view.state.values → {field id: string}, whatever the element type."""
    out: dict[str, str] = {}
    for block_id, actions in (state.get("values") or {}).items():
        for el in actions.values():
            value = el.get("value") or el.get("selected_date") or el.get("selected_time")
            if value is None and isinstance(el.get("selected_option"), dict):
                value = el["selected_option"].get("value")
            out[block_id] = (value or "").strip()
    return out


def validate(
    kind: str, got: dict[str, str], today: date, roles: tuple[tuple[str, str], ...] = ()
) -> dict[str, str]:
    """Inline errors keyed by block id: Slack shows each under its field."""
    errors: dict[str, str] = {}
    for f in MODALS[kind][1]:
        value = got.get(f.id, "")
        if f.required and not value:
            errors[f.id] = "Please fill this in."
        elif len(value) > MAX_FIELD:
            errors[f.id] = f"Keep it under {MAX_FIELD} characters."
        elif f.kind == "date" and value:
            try:
                day = date.fromisoformat(value)
            except ValueError:
                errors[f.id] = "Pick a date."
                continue
            if kind == "meeting" and day < today:
                errors[f.id] = "Pick today or a later day; this is for meetings ahead."
        elif f.kind == "time" and value and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            errors[f.id] = "Pick a time."
        elif f.kind == "radio" and value and value not in {v for _, v in f.options}:
            errors[f.id] = "Pick one."
        elif f.kind == "role" and value and value not in {v for _, v in roles}:
            errors[f.id] = "Pick one of the roles."
        elif f.id == "who" and value and not NAME.match(value):
            errors[f.id] = "Just their name, e.g. Ana or Ana Silva (the role goes below)."
    if kind == "new_deal" and "name" not in errors and len(got.get("name", "")) < 3:
        errors["name"] = "Give the deal a name of at least 3 characters."
    return errors


def _one_line(text: str) -> str:
    return " ".join(text.split())


def words(kind: str, got: dict[str, str], roles: tuple[tuple[str, str], ...] = ()) -> str:
    """What a valid submission says, in the words the skill reads after its command."""
    title = dict((v, t) for t, v in roles).get(got.get(ROLE_FIELD, ""), got.get(ROLE_FIELD, ""))
    if kind == "favor":
        who = f"{got['who']} ({title.lower()})"
        what = re.sub(r"^(to|for)\s+", "", _one_line(got["what"]), flags=re.IGNORECASE).rstrip(" .")
        size = f", {got['size']}" if got.get("size") else ""
        if got["direction"] == "received":
            return f"received {what}{size} from {who}"
        if got["direction"] == "given":
            return f"gave {who} {what}{size}"
        return f"asked {who} to {what}{size}"
    if kind == "commitment":
        text = f"{got['who']} ({title.lower()}) promised {_one_line(got['what']).rstrip(' .')}"
        return text + (f" by {got['by']}" if got.get("by") else "")
    if kind == "meeting":
        # The role by its short name: titles carry topic words ("technical", "executive").
        text = f"the {_one_line(got['topic'])} with the {got[ROLE_FIELD].replace('_', ' ')} on {got['on']}"
        return text + (f" at {got['at']}" if got.get("at") else "")
    raise KeyError(kind)


SKILLS = {
    "favor": ("favors.log", "log favor"),
    "commitment": ("commitments.log", "log commitment"),
    "meeting": ("meeting.prep", "prep me for"),
}


def typed(kind: str, got: dict[str, str]) -> dict[str, Any]:
    """The values a form collected, typed as the skill's payload schema takes them
    (bot/actions.py): the core records them as they are and reads no sentence again."""
    if kind == "new_deal":
        return {"name": _one_line(got["name"])}
    what = re.sub(r"^(to|for)\s+", "", _one_line(got.get("what", "")), flags=re.IGNORECASE).rstrip(" .")
    if kind == "favor":
        values = {"contact": got["who"], "role": got[ROLE_FIELD], "what": what, "direction": got["direction"]}
        return values | ({"size": got["size"]} if got.get("size") else {})
    if kind == "commitment":
        values = {"contact": got["who"], "role": got[ROLE_FIELD], "what": _one_line(got["what"]).rstrip(" .")}
        return values | ({"by": got["by"]} if got.get("by") else {})
    if kind == "meeting":
        values = {"role": got[ROLE_FIELD], "topic": _one_line(got["topic"]), "on": got["on"]}
        return values | ({"at": got["at"]} if got.get("at") else {})
    raise KeyError(kind)


def submission(kind: str, got: dict[str, str], roles: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    """Turn arguments for a valid submission: an action payload of typed values. The user's
    words (`user_text`) say what was logged, for the audit trail and the dialogue state."""
    if kind == "new_deal":
        name = typed(kind, got)["name"]
        return {"action": {"intent": "deal.new", "name": name, "user_text": f"deal new {name}"}}
    intent, command = SKILLS[kind]
    rest = words(kind, got, roles)
    return {"action": {"intent": intent, **typed(kind, got), "user_text": f"{command}: {rest}"}}


def origin(private_metadata: str) -> tuple[str | None, str | None]:
    try:
        data = json.loads(private_metadata or "{}")
    except ValueError:
        return None, None
    return data.get("channel"), data.get("thread_ts")
