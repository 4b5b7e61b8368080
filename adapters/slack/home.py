"""App Home: the user's deals and what needs attention, plus buttons to the modals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.runtime import Runtime
from adapters.slack.blocks import escape, modal_button
from bot.memory import Memory

MAX_DEALS = 20


async def home_view(rt: Runtime, tenant: str, user: str, now: datetime) -> dict[str, Any]:
    async with rt.sessions() as session, session.begin():
        memory = await Memory.for_tenant(session, "slack", tenant, now)
        mine = [d for d in await memory.list_deals() if d.created_by == user][:MAX_DEALS]
        views = [await memory.deal_view(d.id, d) for d in mine]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your deals"}},
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
    if not views:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "No deals yet. Start one with *New deal*."},
            }
        )
    for view in views:
        events = view.live_events()
        attention = _attention(view)
        lines = [f"*{escape(view.name)}*", f"{len(events)} entries, {len(view.facts)} facts known"]
        if attention:
            lines.append("Needs attention: " + "; ".join(attention))
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:2900]}})
    return {"type": "home", "blocks": blocks[:100]}


def _attention(view: Any) -> list[str]:
    """Open points any playbook left in the timeline: verbal commitments, meetings, alignment."""
    notes = []
    verbal = [e for e in view.live_events("commitment") if not e.payload.get("in_writing")]
    if verbal:
        notes.append(f"{len(verbal)} commitment(s) not yet in writing")
    meetings = view.live_events("meeting")
    if meetings:
        notes.append(f"{len(meetings)} meeting(s) logged")
    if view.fact("aligned") in (False, "no", "not yet"):
        notes.append("internal alignment missing")
    return notes
