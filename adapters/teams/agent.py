"""The Teams agent: one SDK turn (TurnContext) -> one coach Turn -> an Adaptive Card reply."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import TurnContext

from adapters.runtime import Runtime
from adapters.teams import cards
from adapters.teams.config import TeamsConfig
from adapters.teams.refs import References
from adapters.teams.retry import with_retry
from adapters.teams.security import tenant_of
from bot.reply import Item, Reply, Section
from bot.turn import Turn
from bot.understand import suggestions

log = logging.getLogger("coach.teams")

PLATFORM = "teams"
LEAK_INTENT = "leak.check"  # the message action runs the leak check on the picked message
_AT = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def conversation_key(activity: Activity) -> str:
    # A channel thread id ends in ";messageid=…"; the deal belongs to the channel.
    return str(activity.conversation.id).split(";messageid=")[0]


def message_text(activity: Activity) -> str:
    """The message without the bot's @mention (entity-based first, then any leftover <at> tag)."""
    text = activity.remove_recipient_mention() if activity.recipient else (activity.text or "")
    return _AT.sub("", text or "").strip()


def html_to_text(content: str) -> str:
    return html.unescape(_TAGS.sub(" ", content or "")).strip()


class CoachAgent:
    """Implements the SDK's Agent protocol (on_turn)."""

    def __init__(self, rt: Runtime, config: TeamsConfig, refs: References) -> None:
        self.rt = rt
        self.config = config
        self.refs = refs

    # --- entry -------------------------------------------------------------------
    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        tenant = tenant_of(activity) or "local-dev"
        await self._save_reference(activity, tenant)
        if activity.type == ActivityTypes.message:
            await self._on_message(context, tenant)
        elif activity.type == ActivityTypes.invoke:
            await self._on_invoke(context, tenant)
        elif activity.type == ActivityTypes.conversation_update:
            await self._on_conversation_update(context)

    async def _save_reference(self, activity: Activity, tenant: str) -> None:
        ref = activity.get_conversation_reference().model_dump(mode="json", by_alias=True, exclude_none=True)
        for per_activity in ("activityId", "requestId"):  # would force a write on every turn
            ref.pop(per_activity, None)
        await self.refs.save(tenant, conversation_key(activity), ref, self.rt.coach.clock())

    def _turn(self, activity: Activity, tenant: str, *, text: str = "", action: dict | None = None) -> Turn:
        user = activity.from_property
        return Turn(
            platform=PLATFORM,
            tenant=tenant,
            conversation=conversation_key(activity),
            user=str(getattr(user, "aad_object_id", None) or getattr(user, "id", None) or "unknown"),
            text=text,
            action=action,
            event_id=activity.id or None,
            user_name=getattr(user, "name", None),
            timezone=getattr(activity, "local_timezone", None),
        )

    # --- messages ------------------------------------------------------------------
    async def _on_message(self, context: TurnContext, tenant: str) -> None:
        activity = context.activity
        value = activity.value
        if isinstance(value, dict) and value:  # Action.Submit from a card
            action = cards.action_payload(value)
            if action is None:
                await self._send(
                    context, Reply(headline="That button has expired. Ask me again.", intent="error")
                )
                return
            turn = self._turn(activity, tenant, action=action)
        else:
            turn = self._turn(activity, tenant, text=message_text(activity))
        await self._answer(context, turn)

    async def _answer(self, context: TurnContext, turn: Turn) -> None:
        """Run the turn; if it is slow, show typing, then a quick first reply that is later updated."""
        task = asyncio.ensure_future(self.rt.coach.handle(turn))
        placeholder_id: str | None = None
        done, _ = await asyncio.wait({task}, timeout=self.config.typing_after)
        if not done:
            await self._send_activity(context, Activity(type=ActivityTypes.typing))
            wait = max(0.0, self.config.first_reply_after - self.config.typing_after)
            done, _ = await asyncio.wait({task}, timeout=wait)
            if not done:
                sent = await self._send_activity(
                    context, Activity(type=ActivityTypes.message, text="Working on it…")
                )
                placeholder_id = getattr(sent, "id", None) or None
        reply = await task
        if reply is None:  # this activity id was already handled: one effect only
            return
        if placeholder_id:
            update = self._activity(reply)
            update.id = placeholder_id
            await with_retry(
                lambda: context.update_activity(update),
                attempts=self.config.retry_attempts,
                base=self.config.retry_base,
            )
            return
        await self._send(context, reply)

    # --- invokes -------------------------------------------------------------------
    async def _on_invoke(self, context: TurnContext, tenant: str) -> None:
        activity = context.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        if activity.name == "adaptiveCard/action":
            action = value.get("action") if isinstance(value.get("action"), dict) else {}
            payload = cards.action_payload(action.get("data"))
            if payload is None:
                reply: Reply | None = Reply(headline="That button has expired. Ask me again.", intent="error")
            else:
                reply = await self.rt.coach.handle(self._turn(activity, tenant, action=payload))
            if reply is None:
                reply = Reply(headline="Already done.", intent="duplicate")
            card = cards.render(
                reply, note=f"You chose: {action.get('title') or action.get('verb') or 'a button'}"
            )
            await self._invoke_response(context, cards.invoke_card_response(card))
        elif activity.name == "composeExtension/submitAction":
            payload = value.get("messagePayload") if isinstance(value.get("messagePayload"), dict) else {}
            body = payload.get("body") if isinstance(payload.get("body"), dict) else {}
            text = html_to_text(str(body.get("content") or ""))
            turn = self._turn(activity, tenant, action={"intent": LEAK_INTENT, "text": text, "_text": text})
            reply = await self.rt.coach.handle(turn)
            reply = reply or Reply(headline="Already checked.", intent="duplicate")
            task = {
                "task": {
                    "type": "continue",
                    "value": {"title": "Leak check", "card": cards.attachment(cards.render(reply))},
                }
            }
            await self._invoke_response(context, task)
        else:
            await self._invoke_response(context, None, status=501)

    async def _invoke_response(self, context: TurnContext, body: Any, status: int = 200) -> None:
        await context.send_activity(
            Activity(type=ActivityTypes.invoke_response, value={"status": status, "body": body})
        )

    # --- conversationUpdate ----------------------------------------------------------
    async def _on_conversation_update(self, context: TurnContext) -> None:
        activity = context.activity
        me = activity.recipient.id if activity.recipient else None
        if not any(m.id == me for m in activity.members_added or []):
            return
        tries = suggestions(self.rt.kb, limit=4)
        await self._send(
            context,
            Reply(
                headline="Hi, I'm Deal Coach. I help you negotiate Microsoft deals as the buyer.",
                intent="welcome",
                sections=[Section(title="Try:", items=[Item(f"“{t}”") for t in tries])],
                footer="In a channel, @mention me. Type `help` for everything I can do.",
            ),
        )

    # --- sending -----------------------------------------------------------------------
    def _activity(self, reply: Reply) -> Activity:
        card = cards.render(reply)
        return Activity(
            type=ActivityTypes.message,
            summary=reply.headline[:200],
            attachments=[cards.attachment(card)],
        )

    async def _send(self, context: TurnContext, reply: Reply) -> Any:
        return await self._send_activity(context, self._activity(reply))

    async def _send_activity(self, context: TurnContext, activity: Activity) -> Any:
        return await with_retry(
            lambda: context.send_activity(activity),
            attempts=self.config.retry_attempts,
            base=self.config.retry_base,
        )
