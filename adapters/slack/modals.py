"""Modals for structured input: new deal, log a favor, a commitment, a meeting.

Each modal turns into one coach turn (plain text the router understands), so the same
words work typed in chat and submitted through a form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

MAX_FIELD = 300


@dataclass(frozen=True)
class Field:
    id: str
    label: str
    kind: str = "text"  # text | multiline | date | radio
    required: bool = True
    placeholder: str = ""
    options: tuple[tuple[str, str], ...] = ()


MODALS: dict[str, tuple[str, tuple[Field, ...]]] = {
    "new_deal": (
        "New deal",
        (Field("name", "Deal name", placeholder="Woodgrove EA renewal"),),
    ),
    "favor": (
        "Log a favor",
        (
            Field("who", "Who did you ask?", placeholder="Ana (CSM)"),
            Field("ask", "What did you ask for?", "multiline", placeholder="expedite the Purview workshop"),
        ),
    ),
    "commitment": (
        "Log a commitment",
        (
            Field("who", "Who committed?", placeholder="Raj (AE)"),
            Field("what", "What did they commit to?", "multiline", placeholder="hold the Copilot price"),
            Field(
                "form",
                "How was it given?",
                "radio",
                options=(("Verbally", "verbal"), ("In writing", "written")),
            ),
            Field("by", "By when (optional)", "date", required=False),
        ),
    ),
    "meeting": (
        "Log a meeting",
        (
            Field("who", "With whom?", placeholder="their technical specialist"),
            Field("topic", "About what?", placeholder="architecture session"),
            Field("on", "When?", "date"),
        ),
    ),
}


def _element(f: Field) -> dict[str, Any]:
    if f.kind == "date":
        return {"type": "datepicker", "action_id": f.id}
    if f.kind == "radio":
        return {
            "type": "radio_buttons",
            "action_id": f.id,
            "options": [{"text": {"type": "plain_text", "text": t}, "value": v} for t, v in f.options],
        }
    el: dict[str, Any] = {"type": "plain_text_input", "action_id": f.id, "max_length": MAX_FIELD}
    if f.kind == "multiline":
        el["multiline"] = True
    if f.placeholder:
        el["placeholder"] = {"type": "plain_text", "text": f.placeholder}
    return el


def view(kind: str, channel: str, thread_ts: str | None = None) -> dict[str, Any]:
    title, fields = MODALS[kind]
    return {
        "type": "modal",
        "callback_id": f"coach.modal.{kind}",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"channel": channel, "thread_ts": thread_ts}),
        "blocks": [
            {
                "type": "input",
                "block_id": f.id,
                "optional": not f.required,
                "label": {"type": "plain_text", "text": f.label},
                "element": _element(f),
            }
            for f in fields
        ],
    }


def values(state: dict[str, Any]) -> dict[str, str]:
    """view.state.values → {field id: string}, whatever the element type."""
    out: dict[str, str] = {}
    for block_id, actions in (state.get("values") or {}).items():
        for el in actions.values():
            value = el.get("value") or el.get("selected_date")
            if value is None and isinstance(el.get("selected_option"), dict):
                value = el["selected_option"].get("value")
            out[block_id] = (value or "").strip()
    return out


def validate(kind: str, got: dict[str, str], today: date) -> dict[str, str]:
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
        elif f.kind == "radio" and value and value not in {v for _, v in f.options}:
            errors[f.id] = "Pick one."
    if kind == "new_deal" and "name" not in errors and len(got.get("name", "")) < 3:
        errors["name"] = "Give the deal a name of at least 3 characters."
    return errors


def turn_text(kind: str, got: dict[str, str]) -> str:
    """The coach turn a valid submission stands for (same words as typed in chat)."""
    if kind == "new_deal":
        return f"deal new {got['name']}"
    if kind == "favor":
        ask = got["ask"].removeprefix("to ").strip()
        return f"log favor: asked {got['who']} to {ask}"
    if kind == "commitment":
        text = f"log commitment: {got['who']} committed to {got['what']} ({got['form']})"
        return text + (f" by {got['by']}" if got.get("by") else "")
    if kind == "meeting":
        return f"log meeting: {got['topic']} with {got['who']} on {got['on']}"
    raise KeyError(kind)


def origin(private_metadata: str) -> tuple[str | None, str | None]:
    try:
        data = json.loads(private_metadata or "{}")
    except ValueError:
        return None, None
    return data.get("channel"), data.get("thread_ts")
