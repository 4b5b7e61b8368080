"""App Home: the person's deals (bot/portfolio.py) as Block Kit, plus buttons to the modals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.runtime import Runtime
from adapters.slack.blocks import TEXT_LIMIT, escape, modal_button
from bot import portfolio
from bot.access import Person

MAX_HOME_BLOCKS = 50  # Slack allows 100 in a Home tab; kept to a message's 50 so one rule holds


async def home_view(rt: Runtime, tenant: str, user: str, now: datetime) -> dict[str, Any]:
    seen = await portfolio.overview(rt.sessions, "slack", tenant, rt.kb, now, person=Person(user))
    return {"type": "home", "blocks": blocks(seen.rows, rt.kb)}


def blocks(rows: list[portfolio.Row], kb: Any) -> list[dict[str, Any]]:
    """Header, the modal buttons, one section per deal (most urgent first), then "and N more"."""
    out: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": kb.say("portfolio.home-title")}},
        {
            "type": "actions",
            "block_id": "home.modals",
            "elements": [
                modal_button("New deal", "new_deal", "coach.home.new_deal"),
                modal_button("Log a favor", "favor", "coach.home.favor"),
                modal_button("Log a commitment", "commitment", "coach.home.commitment"),
                modal_button("Log a meeting", "meeting", "coach.home.meeting"),
            ],
        },
    ]
    if not rows:
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": kb.say("portfolio.home-empty")}})
    room = min(portfolio.settings(kb).home_rows, MAX_HOME_BLOCKS - len(out) - 1)
    for row in rows[:room]:
        lines = [f"*{escape(row.name)}*", escape("; ".join(portfolio.describe(row, kb)))]
        if row.attention:
            lines.append(escape(kb.say("portfolio.needs-attention", notes="; ".join(row.attention))))
        text = "\n".join(lines)
        if len(text) > TEXT_LIMIT:
            text = text[: TEXT_LIMIT - 1] + "…"
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    if len(rows) > room:
        more = kb.say("portfolio.home-more", count=len(rows) - room)
        out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(more)}]})
    return out
