"""App Home: the user's deals and what needs attention, plus buttons to the modals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.runtime import Runtime
from adapters.slack.blocks import escape, modal_button
from bot.memory import Memory
from bot.playbooks import commitments as cm
from bot.playbooks.escalation import parse_alignment
from bot.reminders.policy import parse_when
from bot.timeline import DealView

MAX_DEALS = 20
TEAM_NAMES = {"it": "IT", "finance": "Finance", "procurement": "Procurement"}


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
        attention = _attention(view, now)
        lines = [f"*{escape(view.name)}*", f"{len(events)} entries, {len(view.facts)} facts known"]
        if attention:
            lines.append("Needs attention: " + "; ".join(attention))
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:2900]}})
    return {"type": "home", "blocks": blocks[:100]}


def _attention(view: DealView, now: datetime) -> list[str]:
    """Open points other features leave in the timeline, read through their own pure functions:
    internal alignment (escalation), commitments not yet in the contract (people), meetings ahead."""
    notes = []
    if view.fact("internal_alignment") is not None:
        alignment = parse_alignment(view.fact("internal_alignment"))
        missing = [TEAM_NAMES.get(t, t) for t, agreed in alignment.items() if agreed is False]
        if missing:
            notes.append(f"internal alignment: {', '.join(missing)} not on board")
    open_ = [c for c in cm.register(view) if c.outstanding]
    verbal = sum(c.status == "verbal" for c in open_)
    asked = sum(c.status == "requested_in_writing" for c in open_)
    if verbal:
        notes.append(f"{verbal} commitment{'s' if verbal != 1 else ''} verbal only")
    if asked:
        notes.append(f"{asked} commitment{'s' if asked != 1 else ''} asked in writing, not in the contract")
    ahead = sorted(
        (when, e)
        for e in view.live_events("meeting")
        if (when := parse_when(e.payload["when"]) if e.payload.get("when") else None) and when >= now
    )
    if ahead:
        when, first = ahead[0]
        title = str(first.payload.get("title") or first.payload.get("topic") or "meeting")
        more = f" (+{len(ahead) - 1} more)" if len(ahead) > 1 else ""
        notes.append(f"next meeting {when:%a %d %b}: {escape(title)}{more}")
    return notes
