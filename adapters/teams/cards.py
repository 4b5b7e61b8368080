"""Reply -> Adaptive Card (1.4, Teams). Plain dicts; the card's fallbackText is Reply.plain_text()."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any

from bot.reply import Attachment, Question, Reply

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
FORM_VERB = "form.answer"
MAX_CARD_CHARS = 24_000  # Teams rejects messages over ~28 KB
# A card carrying a picture inline (a data: URL, base64) stays under this, the picture counted,
# leaving room for the activity around the card (ids, addresses, summary) under ~28 KB.
MAX_CARD_WITH_PICTURE = 26_000
DRAW_TIMEOUT = 10.0  # seconds to draw a picture; past that the card goes without it
log = logging.getLogger("coach.teams")

_STYLE = {"primary": "positive", "danger": "destructive"}
# The colour of each verdict word (README, "Verdicts"): Attention = act now, or stop; Warning = not
# yet, or careful; Good = safe, or done; Accent = for information. A verdict missing here gets
# Default, never a false alarm (tests/teams/test_teams_cards.py holds this map to the README).
VERDICT_COLOR = {
    # should we escalate
    "escalate_now": "Attention",
    "not_yet": "Warning",
    "do_not_escalate": "Good",
    "aligned": "Good",
    "not_aligned": "Attention",
    # disclosure to a role
    "share": "Good",
    "protect": "Attention",
    "strategic": "Warning",
    "row": "Accent",
    # the leak check
    "flagged": "Attention",
    "clean": "Good",
    # favors
    "ask": "Good",
    "find_aligned_contact": "Warning",
    "unlikely": "Attention",
    "no_aligned_role": "Warning",
    "logged": "Accent",
    "balance": "Accent",
    "map": "Accent",
    "unknown_contact": "Warning",
    "empty": "Default",
    # commitments
    "verbal": "Warning",
    "requested_in_writing": "Accent",
    "in_contract": "Good",
    "unchanged": "Default",
    "at_risk": "Attention",
    "open": "Warning",
    "all_in_contract": "Good",
    "noted": "Accent",
    # meetings
    "checklist": "Accent",
    "prepare": "Accent",
    "capture": "Accent",
    "captured": "Good",
    "nothing_promised": "Default",
    # walk-away
    "walk_is_right": "Good",
    "stay": "Accent",
    "walk_not_credible": "Attention",
    # Microsoft programs
    "levers": "Good",
    "none_fit": "Default",
    # the renewal timeline
    "early": "Good",
    "build": "Accent",
    "negotiate": "Warning",
    "close": "Attention",
    "past": "Attention",
    "calendar": "Default",  # Microsoft's fixed fiscal dates, no deal facts
    # the deal brief: who it is for
    "internal": "Warning",  # may carry the budget: not for forwarding
    "for_microsoft": "Accent",
    # drafts
    "drafted": "Good",
    "revised": "Good",
    "template": "Accent",
    "no_draft": "Warning",
    "needs_llm": "Warning",
    # reminders
    "milestone": "Accent",
    "leverage": "Good",
    "get_it_in_writing": "Attention",
    "reminder": "Accent",
    "saved": "Good",
    "shown": "Accent",
    # a rehearsal: one answer scored, and the scorecard
    "good": "Good",
    "risky": "Warning",
    "gave": "Attention",
    "scorecard": "Accent",
}


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def _input(q: Question) -> list[dict[str, Any]]:
    label = _text(q.prompt, weight="Bolder", spacing="Medium")
    if q.kind == "yesno" and not q.choices:
        choices = [{"title": "Yes", "value": "yes"}, {"title": "No", "value": "no"}]
    else:
        choices = [{"title": c.label, "value": c.value} for c in q.choices]
    if choices:
        style = "expanded" if len(choices) <= 4 else "compact"
        return [label, {"type": "Input.ChoiceSet", "id": q.id, "style": style, "choices": choices}]
    placeholder = {"date": "YYYY-MM-DD", "money": "e.g. $300k", "number": "a number"}.get(q.kind, "")
    box: dict[str, Any] = {"type": "Input.Text", "id": q.id, "isMultiline": q.kind == "text"}
    if placeholder:
        box["placeholder"] = placeholder
    return [label, box]


async def draw_pictures(reply: Reply) -> None:
    """Draw the reply's pictures (CPU work: off the event loop, bounded) before `render` reads
    them; one that fails is left out of the card, which says so."""
    for pic in (a for a in reply.attachments if a.kind == "picture" and a.data is None):
        try:
            await asyncio.wait_for(asyncio.to_thread(pic.render), DRAW_TIMEOUT)
        except Exception as exc:
            log.warning("could not draw a card picture (%s)", type(exc).__name__)


def _with_picture(card: dict[str, Any], pic: Attachment, at: int) -> dict[str, Any]:
    """The card with the picture after its headline, if the whole still fits a Teams message;
    otherwise the card with a line saying the picture is left out."""
    if pic.data is not None:
        image = {
            "type": "Image",
            "url": "data:image/png;base64," + base64.b64encode(pic.data).decode("ascii"),
            "altText": pic.title,
            "size": "Stretch",
        }
        fitted = {**card, "body": [*card["body"][:at], image, *card["body"][at:]]}
        if len(json.dumps(fitted).encode()) <= MAX_CARD_WITH_PICTURE:
            return fitted
    if not pic.unavailable:
        return card
    line = _text(pic.unavailable, isSubtle=True, size="Small")
    return {**card, "body": [*card["body"][:at], line, *card["body"][at:]]}


def render(reply: Reply, *, note: str | None = None) -> dict[str, Any]:
    """The Adaptive Card for a Reply. `note` is a small line on top (e.g. what was pressed)."""
    body: list[dict[str, Any]] = []
    if note:
        body.append(_text(note, isSubtle=True, size="Small"))
    first = reply.headline_parts()
    if first.label:
        color = VERDICT_COLOR.get(reply.verdict or "", "Default")
        body.append(_text(first.label, weight="Bolder", size="Large", color=color))
    if first.rest:
        body.append(_text(first.rest, weight="Bolder" if not first.label else "Default"))
    picture_at = len(body)
    for section in reply.sections:
        if section.title:
            body.append(_text(section.title, weight="Bolder", spacing="Medium"))
        for n, item in enumerate(section.items, 1):
            mark = section.mark(n, item, bullet="•", done="☑", todo="☐")
            body.append(_text(f"{mark} {item.text}", spacing="Small"))
            if item.rule:
                body.append(_text(f"Rule: {item.rule}", isSubtle=True, size="Small", spacing="None"))
    if reply.draft:
        body.append(
            {
                "type": "Container",
                "style": "emphasis",
                "spacing": "Medium",
                "items": [_text("Draft", weight="Bolder"), _text(reply.draft)],
            }
        )
    actions: list[dict[str, Any]] = []
    if reply.questions:
        ids = [q.id for q in reply.questions]
        for q in reply.questions:
            body.extend(_input(q))
        actions.append(
            {
                "type": "Action.Execute",
                "title": "Send answers",
                "verb": FORM_VERB,
                "style": "positive",
                "data": {"intent": FORM_VERB, "_inputs": ids},
            }
        )
    if reply.footer:
        body.append(_text(reply.footer, isSubtle=True, size="Small", spacing="Medium"))
    for a in reply.actions:
        action: dict[str, Any] = {
            "type": "Action.Execute",
            "title": a.label,
            "verb": str(a.payload.get("intent", "")),
            "data": dict(a.payload),
        }
        if a.style in _STYLE:
            action["style"] = _STYLE[a.style]
        actions.append(action)
    card: dict[str, Any] = {
        "$schema": SCHEMA,
        "type": "AdaptiveCard",
        "version": "1.4",
        "fallbackText": reply.plain_text()[:4000],
        "msteams": {"width": "Full"},
        "body": body,
    }
    if actions:
        card["actions"] = actions
    pic = next((a for a in reply.attachments if a.kind == "picture"), None)
    return _with_picture(card, pic, picture_at) if pic is not None else card


def attachment(card: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": CARD_TYPE, "content": card}


def action_payload(data: Any) -> dict[str, Any] | None:
    """A card's Action.Execute/Action.Submit data -> Turn.action. Form inputs become answers."""
    if not isinstance(data, dict) or not isinstance(data.get("intent"), str):
        return None
    if data["intent"] == FORM_VERB and isinstance(data.get("_inputs"), list):
        answers = {
            str(k): str(data[k]).strip()
            for k in data["_inputs"]
            if isinstance(k, str) and k in data and str(data[k]).strip()
        }
        return {"intent": FORM_VERB, "answers": answers}
    return {k: v for k, v in data.items() if k not in ("msteams",)}


def invoke_card_response(card: dict[str, Any]) -> dict[str, Any]:
    """The adaptiveCard/action invoke response body: the card that replaces the pressed one."""
    return {"statusCode": 200, "type": CARD_TYPE, "value": card}
