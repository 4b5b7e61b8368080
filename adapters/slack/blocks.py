"""Reply → Block Kit. Everything a Reply carries, in Slack's limits."""

from __future__ import annotations

import json
from typing import Any

from bot.reply import Action, Question, Reply

VALUE_LIMIT = 2000  # Slack's limit on a button value
TEXT_LIMIT = 3000  # section text
HEADER_LIMIT = 150  # header blocks are plain text, 150 chars
LABEL_LIMIT = 75  # button labels
MAX_BLOCKS = 50
MAX_BUTTONS = 25  # per actions block

VERDICT_EMOJI = {
    "escalate_now": ":large_green_circle:",
    "not_yet": ":large_yellow_circle:",
    "do_not_escalate": ":red_circle:",
    "share": ":large_green_circle:",
    "strategic": ":large_yellow_circle:",
    "protect": ":red_circle:",
    "clean": ":large_green_circle:",
    "flagged": ":red_circle:",
    "good": ":large_green_circle:",  # a rehearsal answer
    "risky": ":large_yellow_circle:",
    "gave": ":red_circle:",
}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """Slack mrkdwn needs &, < and > escaped; everything else passes through."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def button_value(payload: dict[str, Any]) -> str | None:
    """The payload as a button value, or None when it would not fit Slack's 2000 chars."""
    value = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return value if len(value) <= VALUE_LIMIT else None


def parse_value(value: str | None) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _button(label: str, payload: dict[str, Any], action_id: str, style: str = "default") -> dict | None:
    value = button_value(payload)
    if value is None:
        return None
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": _cut(label, LABEL_LIMIT), "emoji": True},
        "value": value,
        "action_id": action_id,
    }
    if style in ("primary", "danger"):
        button["style"] = style
    return button


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, TEXT_LIMIT)}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(text, TEXT_LIMIT)}]}


def _actions(buttons: list[dict], block_id: str) -> list[dict]:
    return [
        {"type": "actions", "block_id": f"{block_id}.{n}", "elements": buttons[i : i + MAX_BUTTONS]}
        for n, i in enumerate(range(0, len(buttons), MAX_BUTTONS))
    ]


def _question_blocks(n: int, q: Question) -> list[dict]:
    blocks = [_section(f"*{n}.* {escape(q.prompt)}")]
    if q.kind == "yesno" and not q.choices:
        choices = [("Yes", "yes"), ("No", "no")]
    else:
        choices = [(c.label, c.value) for c in q.choices]
    buttons = [
        b
        for i, (label, value) in enumerate(choices)
        if (b := _button(label, q.answer_payload(value), f"coach.q.{n}.{i}")) is not None
    ]
    if buttons:
        blocks += _actions(buttons, f"coach.q.{n}")
    return blocks


def render(reply: Reply) -> list[dict]:
    blocks: list[dict] = []
    first = reply.headline_parts()
    if first.label:
        emoji = VERDICT_EMOJI.get(reply.verdict or "", "")
        blocks.append(
            {
                "type": "header",
                "text": {"type": "plain_text", "text": _cut(f"{emoji} {first.label}".strip(), HEADER_LIMIT)},
            }
        )
        if first.rest:
            blocks.append(_section(escape(first.rest)))
    else:
        blocks.append(_section(f"*{escape(first.rest)}*"))

    for section in reply.sections:
        lines = []
        if section.title:
            lines.append(f"*{escape(section.title)}*")
        for n, item in enumerate(section.items, 1):
            mark = section.mark(n, item, bullet="•", done=":white_check_mark:", todo=":white_square:")
            lines.append(f"{mark} {escape(item.text)}")
            if item.rule:  # the rule id goes right under its reason, quietly
                blocks.append(_section("\n".join(lines)))
                blocks.append(_context(f"rule `{item.rule}`"))
                lines = []
        if lines:
            blocks.append(_section("\n".join(lines)))

    for n, q in enumerate(reply.questions, 1):
        blocks += _question_blocks(n, q)

    if reply.draft:
        source = " (drafted by AI; check it)" if reply.draft_source == "llm" else ""
        blocks.append(_section(f"*Draft{source}:*"))
        blocks.append(
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_preformatted",
                        "elements": [{"type": "text", "text": reply.draft[:2900]}],
                    }
                ],
            }
        )
    if reply.footer:
        blocks.append(_context(escape(reply.footer)))
    buttons = [
        b
        for i, a in enumerate(reply.actions)
        if (b := _button(a.label, a.payload, f"coach.action.{i}", a.style)) is not None
    ]
    if buttons:
        blocks += _actions(buttons, "coach.actions")
    if len(blocks) > MAX_BLOCKS:  # very long replies: keep the head and the buttons
        tail = [b for b in blocks if b["type"] == "actions"][-2:]
        blocks = [*blocks[: MAX_BLOCKS - len(tail) - 1], _context("(shortened; ask for details)"), *tail]
    return blocks


def fallback_text(reply: Reply) -> str:
    """Notification / screen-reader text for chat.postMessage's `text`."""
    return _cut(reply.headline_parts().line, 300)


def without_buttons(blocks: list[dict], note: str) -> list[dict]:
    """The clicked message, its buttons removed, with a note of what was chosen."""
    kept = [b for b in blocks if b.get("type") != "actions"]
    return [*kept, _context(note)]


def modal_button(label: str, modal: str, action_id: str) -> dict:
    b = _button(label, {"modal": modal}, action_id)
    assert b is not None
    return b


__all__ = ["Action", "button_value", "fallback_text", "parse_value", "render", "without_buttons"]
