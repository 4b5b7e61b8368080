"""The Teams agent: one SDK turn (TurnContext) -> one coach Turn -> an Adaptive Card reply."""

from __future__ import annotations

import asyncio
import dataclasses
import html
import logging
import re
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, ConversationReference
from microsoft_agents.hosting.core import TurnContext

from adapters import inbox
from adapters.runtime import Runtime
from adapters.teams import cards, files_in, payloads
from adapters.teams.config import TeamsConfig
from adapters.teams.outsiders import Gate, Verdict
from adapters.teams.refs import References
from adapters.teams.retry import with_retry
from adapters.teams.security import tenant_of
from bot import outsiders
from bot.reply import Item, Reply, Section
from bot.turn import Turn
from bot.understand import suggestions

log = logging.getLogger("coach.teams")

PLATFORM = "teams"
LEAK_INTENT = "leakcheck"  # the message action runs the leak check on the picked message
LEAK_COMMAND = payloads.LEAK_COMMAND
_AT = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
MAX_MENTIONS = 10  # people looked up per message (a share names a few; more are refused)
_TYPED_ID = re.compile(r"<@([^>]*)>")
_TAGS = re.compile(r"<[^>]+>")


def conversation_key(activity: Activity) -> str:
    # A channel thread id ends in ";messageid=…"; the deal belongs to the channel.
    return str(activity.conversation.id).split(";messageid=")[0]


async def mentions_to_ids(
    activity: Activity, text: str, gate: Gate, context: TurnContext, tenant: str
) -> tuple[str, dict[str, str]]:
    """The message with each person it mentions (other than the bot) in the form the core reads
    on every surface, Slack's `<@USER_ID>`, where USER_ID is the person's Entra object id (what
    `Turn.user` is on Teams and what deal memberships are stored under). Teams gives a mention
    as an entity carrying the channel account id (`29:…`) and its text (`<at>Jane Doe</at>`);
    the id is resolved by the member lookup the outsider checks use (cached). A mention that
    can't be vouched for (a guest, another tenant's account, a tag, a failed lookup) stays as
    the plain name and goes into `Turn.mentions_refused` with why. Text typed to look like a
    resolved mention (`<@…>` without a mention entity) is defused to `@…` first: only Teams'
    own mentions name a person."""
    text = _TYPED_ID.sub(r"@\1", text)
    me = activity.recipient.id if activity.recipient else None
    found: dict[str, tuple[str, Any]] = {}  # mention text -> (name shown, the account)
    ambiguous: set[str] = set()  # one text for two accounts (two people of the same name), or too many
    for mention in activity.get_mentions():
        who = mention.mentioned
        if who is None or not who.id or who.id == me:
            continue
        shown = mention.text or f"<at>{who.name or ''}</at>"
        if shown.casefold() not in text.casefold():
            continue
        if shown in found:
            if found[shown][1].id != who.id:
                ambiguous.add(shown)
        else:
            found[shown] = (html_to_text(shown) or (who.name or "").strip() or "someone", who)
    # Past the first few, a mention is not looked up: it is refused like one that can't be.
    ambiguous |= set(list(found)[MAX_MENTIONS:])
    asks = [(shown, name, who) for shown, (name, who) in found.items() if shown not in ambiguous]
    results = await asyncio.gather(*(gate.mentioned(context, tenant, who) for _, _, who in asks))
    refused: dict[str, str] = {found[shown][0]: "unknown" for shown in ambiguous}
    for shown in ambiguous:
        text = re.sub(re.escape(shown), lambda _m, put=found[shown][0]: put, text, flags=re.IGNORECASE)
    for (shown, name, _), (user, why) in zip(asks, results, strict=True):
        put = f"<@{user}>" if user else name
        text = re.sub(re.escape(shown), lambda _m, put=put: put, text, flags=re.IGNORECASE)
        if not user:
            refused[name] = why
    return text, refused


def address(activity: Activity) -> dict[str, Any]:
    """The conversation reference proactive sends use: the conversation's address only. Who
    spoke (user, locale) and which message (activityId, requestId) are left out, so it changes
    only when Teams moves the conversation, and a group chat's turns rewrite nothing."""
    ref = activity.get_conversation_reference().model_dump(mode="json", by_alias=True, exclude_none=True)
    for per_activity in ("activityId", "requestId", "user", "locale"):
        ref.pop(per_activity, None)
    return ref


_QUOTE = re.compile(r"<blockquote\b[^>]*>(.*?)</blockquote>", re.IGNORECASE | re.DOTALL)
_ITEM = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>|</(?:p|div|tr|h[1-6]|ul|ol|table)>", re.IGNORECASE)
_INLINE = re.compile(r"</?(?:b|i|u|em|strong|span|a|font|code|s|sub|sup)\b[^>]*>", re.IGNORECASE)


def html_to_text(content: str) -> str:
    """A Teams message as it was posted: paragraphs and line breaks kept, list items as "- "
    bullets, a quoted reply (<blockquote>) as "> " lines, so the leak check reads the greeting,
    the bullets and whose words are whose."""

    def quoted(m: re.Match[str]) -> str:
        inner = html_to_text(m.group(1))
        return "\n" + "\n".join(f"> {line}" for line in inner.splitlines()) + "\n"

    text = _QUOTE.sub(quoted, content or "")
    text = _ITEM.sub("\n- ", text)
    text = _BREAK.sub("\n", text)
    text = html.unescape(_TAGS.sub(" ", _INLINE.sub("", text)))
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_UNFIT = object()  # a value that did not fit its model, already answered


def _dumped(accounts: Any) -> Any:
    """The SDK's ChannelAccount models as JSON again, for the shape check."""
    if accounts is None:
        return None
    return [a.model_dump(mode="json", by_alias=True) if hasattr(a, "model_dump") else a for a in accounts]


class CoachAgent:
    """Implements the SDK's Agent protocol (on_turn)."""

    def __init__(
        self,
        rt: Runtime,
        config: TeamsConfig,
        refs: References,
        inbox: inbox.Inbox | None = None,
        *,
        adapter: Any = None,
    ) -> None:
        self.rt = rt
        self.adapter = adapter  # the host's CloudAdapter: background replies go out through it
        self.inbox = inbox  # background turns are kept here until answered (adapters/inbox.py)
        self.config = config
        self.refs = refs
        # Turns still running after their HTTP request was answered (see _answer); kept so they
        # are not garbage-collected and so shutdown can wait for them.
        self.background: set[asyncio.Task] = set()
        # Outsiders are refused before any turn or reference is stored (adapters/teams/outsiders.py).
        self.gate = Gate(lookups=not config.anonymous)

    # --- entry -------------------------------------------------------------------
    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        tenant = tenant_of(activity) or "local-dev"
        if activity.type in (ActivityTypes.conversation_update, ActivityTypes.message, ActivityTypes.invoke):
            # Outsiders first: whatever they sent, they get the one line that names nothing.
            verdict = await self.gate.check(context, tenant, conversation_key(activity))
            if verdict.outsider or verdict.external:
                await self._keep_out(context, verdict)
                return
        shape = await self._shape(context)
        if shape is _UNFIT:
            return
        if activity.type == ActivityTypes.conversation_update:
            # A resent conversationUpdate (same id) must not welcome twice: the id is claimed in
            # the database together with the reference save.
            first = await self._save_reference(activity, tenant)
            if first:
                await self._on_conversation_update(context)
            return
        if activity.type == ActivityTypes.message:
            await self._on_message(context, tenant, shape)
        elif activity.type == ActivityTypes.invoke:
            await self._on_invoke(context, tenant, shape)

    async def _shape(self, context: TurnContext) -> Any:
        """What the handler reads from `value`, typed (adapters/teams/payloads.py); `_UNFIT`
        once a value that does not fit has been answered."""
        activity = context.activity
        members = {
            "membersAdded": _dumped(activity.members_added),
            "membersRemoved": _dumped(activity.members_removed),
        }
        try:
            return payloads.check(str(activity.type), activity.name, activity.value, members)
        except payloads.Unfit as unfit:
            await self._unfit(context, unfit)
            return _UNFIT

    async def _unfit(self, context: TurnContext, unfit: payloads.Unfit) -> None:
        """A value no handler can take: one short line to a message, a clean 400 to an invoke
        (its card or task module stays as it was), nothing written."""
        log.info("teams activity of an unexpected shape answered: %s (%s)", unfit.kind, unfit.where)
        if context.activity.type == ActivityTypes.invoke:
            await self._invoke_response(context, {"error": "unexpected value"}, status=400)
        elif context.activity.type == ActivityTypes.message:
            await self._send(context, Reply(headline=payloads.EXPIRED, intent="error"))

    async def _keep_out(self, context: TurnContext, verdict: Verdict) -> None:
        """An outsider gets one line that names nothing; an insider in a conversation with
        outsiders is told the coach discusses deals only in a 1:1 chat. Nothing is stored
        either way: no turn, no conversation reference. Bots, and conversationUpdates (no one
        asked anything), get no answer. The leak check's task module is private to the person
        who opened it, so an insider's check still runs there."""
        activity = context.activity
        if verdict.outsider:
            log.info("refused an outsider on teams (%s)", verdict.why)
            key = outsiders.UNCHECKED if verdict.unchecked else outsiders.REFUSED
            reply = Reply(headline=self.rt.kb.say(key), intent=outsiders.INTENT)
        else:
            log.info("kept deals out of a teams conversation with outsiders")
            if activity.type == ActivityTypes.invoke and activity.name == "composeExtension/submitAction":
                tenant = tenant_of(activity) or "local-dev"
                shape = await self._shape(context)
                if shape is _UNFIT:
                    return
                assert isinstance(shape, payloads.Compose)
                reply = await self._leak_check(activity, tenant, shape, private=True)
                await self._task_card(context, reply)
                return
            reply = outsiders.not_here(self.rt.kb)
        if activity.type == ActivityTypes.conversation_update:
            return
        if verdict.silent:  # an invoke still gets its answer (an empty one), a message nothing
            if activity.type == ActivityTypes.invoke:
                await self._invoke_response(context, {})
            return
        if activity.type == ActivityTypes.invoke:
            if activity.name == "adaptiveCard/action":
                await self._invoke_response(context, cards.invoke_card_response(cards.render(reply)))
            elif activity.name == "composeExtension/submitAction":
                await self._task_card(context, reply)
            else:
                await self._invoke_response(context, {"error": "unknown invoke"}, status=400)
            return
        await self._send(context, reply)

    async def _task_card(self, context: TurnContext, reply: Reply) -> None:
        task = {
            "task": {
                "type": "continue",
                "value": {"title": "Leak check", "card": cards.attachment(cards.render(reply))},
            }
        }
        await self._invoke_response(context, task)

    async def _save_reference(self, activity: Activity, tenant: str) -> bool:
        """A conversationUpdate (no coach turn): the reference and the event id's claim in one
        transaction; False when another request (any process) already claimed that id."""
        claim = f"conversationUpdate:{activity.id}" if activity.id else None
        now = self.rt.coach.clock()
        return await self.refs.save(tenant, conversation_key(activity), address(activity), now, claim)

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
            reference=address(activity),  # stored in the turn's transaction (when it changed)
        )

    # --- messages ------------------------------------------------------------------
    async def _on_message(self, context: TurnContext, tenant: str, shape: payloads.Checked) -> None:
        activity = context.activity
        if isinstance(shape, payloads.CardData):  # Action.Submit from a card
            action = cards.action_payload(shape.raw())
            if action is None:
                await self._send(
                    context, Reply(headline="That button has expired. Ask me again.", intent="error")
                )
                return
            turn = self._turn(activity, tenant, action=action)
        else:
            turn = await self._text_turn(context, tenant)
            turn = await files_in.with_offer(self.rt, activity, turn)  # a quote attached: read first
        await self._answer(context, turn)

    async def _text_turn(self, context: TurnContext, tenant: str) -> Turn:
        """A typed message: without the bot's own @mention (entity-based, then any leftover
        `<at>` tag), the people it mentions as `<@USER_ID>` (mentions_to_ids)."""
        activity = context.activity
        text = activity.remove_recipient_mention() if activity.recipient else (activity.text or "")
        text, refused = await mentions_to_ids(activity, text or "", self.gate, context, tenant)
        turn = self._turn(activity, tenant, text=_AT.sub("", text).strip())
        return dataclasses.replace(turn, mentions_refused=refused) if refused else turn

    async def _answer(self, context: TurnContext, turn: Turn) -> None:
        """Run the turn. A fast one is answered in the request. A slow one gets a typing indicator,
        then a quick "Working on it…" reply, and the HTTP request returns; the turn finishes in
        the background and replaces that reply through a continuation of this conversation, so
        a long draft never holds Teams' request open."""
        task = asyncio.ensure_future(self.rt.handle(turn))
        done, _ = await asyncio.wait({task}, timeout=self.config.typing_after)
        if not done:
            await self._send_activity(context, Activity(type=ActivityTypes.typing))
            wait = max(0.0, self.config.first_reply_after - self.config.typing_after)
            done, _ = await asyncio.wait({task}, timeout=wait)
        if done:
            reply = task.result()
            if reply is not None:  # None: this activity id was already handled, one effect only
                await self._send(context, reply)
            return
        sent = await self._send_activity(context, Activity(type=ActivityTypes.message, text="Working on it…"))
        await self._later(context, turn, task, getattr(sent, "id", None) or None)

    async def _later(
        self,
        context: TurnContext,
        turn: Turn,
        task: asyncio.Future,
        placeholder_id: str | None,
        note: str | None = None,
    ) -> None:
        """The turn goes on after the HTTP answer: first it goes into the inbox (one insert,
        before Teams gets its answer), so a restart or a dead replica does not lose it: another
        worker runs it again from the row (`answer_from_inbox`)."""
        identity = context.identity
        reference = context.activity.get_conversation_reference()
        ref = reference.model_dump(mode="json", by_alias=True, exclude_none=True)
        adapter = context.adapter

        async def finish(_: inbox.Item) -> None:
            try:
                reply = await task
            except Exception as exc:  # Coach.handle turns errors into replies; this is a safety net
                log.error("background teams turn failed: %s", type(exc).__name__)
                reply = Reply(headline="Something went wrong on my side. Please try again.", intent="error")
            if reply is None:
                return
            continuation = self._continuation(ref)
            deliver = self._deliverer(reply, placeholder_id, note)
            try:
                await adapter.continue_conversation_with_claims(identity, continuation, deliver)
            except Exception as exc:
                log.error("could not deliver a background teams reply: %s", type(exc).__name__)

        payload = {
            "turn": inbox.turn_to_json(turn),
            "reply_to": {"reference": ref, "placeholder_id": placeholder_id, "note": note},
        }
        try:
            assert self.inbox is not None  # given when Teams mounted
            job = await self.inbox.accept(PLATFORM, turn.tenant, turn.event_id, payload, job=finish)
        except Exception as exc:  # the database is down: still answer from this process
            log.error("could not put a background teams turn into the inbox: %s", type(exc).__name__)
            job = asyncio.ensure_future(finish(inbox.Item(0, PLATFORM, turn.tenant, "", {}, 1)))
        if job is None:  # a resend of a turn the inbox already holds: that row answers it
            task.cancel()
            return
        self.background.add(job)
        job.add_done_callback(self.background.discard)

    @staticmethod
    def _continuation(ref: dict[str, Any]) -> Activity:
        reference = ConversationReference.model_validate(ref)
        continuation = reference.get_continuation_activity()
        continuation.id = reference.activity_id  # a fallback post replies to the user's message
        return continuation

    def _deliverer(self, reply: Reply, placeholder_id: str | None, note: str | None) -> Any:
        async def deliver(ctx: TurnContext) -> None:
            await cards.draw_pictures(reply)
            if placeholder_id:
                update = self._activity(reply, note=note)
                update.id = placeholder_id
                try:
                    await self._retry(lambda: ctx.update_activity(update), idempotent=True)
                    return
                except Exception as exc:  # e.g. the placeholder was deleted: post it instead
                    log.warning("could not update the first reply (%s); posting", type(exc).__name__)
            await self._retry(lambda: ctx.send_activity(self._activity(reply)))

        return deliver

    async def answer_from_inbox(self, item: inbox.Item) -> None:
        """A background turn whose process stopped before answering: run it again here (the
        turn's own event-id claim makes a turn that had committed answer None: nothing is
        posted twice) and deliver through a continuation of its conversation."""
        turn = inbox.turn_from_json(item.payload["turn"])
        to = item.payload["reply_to"]
        reply = await self.rt.handle(turn)
        if reply is None:
            return
        failed: list[Exception] = []
        deliver = self._deliverer(reply, to.get("placeholder_id"), to.get("note"))

        async def callback(ctx: TurnContext) -> None:
            try:
                await deliver(ctx)
            except Exception as exc:
                failed.append(exc)
                raise

        assert self.adapter is not None  # given by the host this agent belongs to
        await self.adapter.continue_conversation(
            self.config.app_id, self._continuation(to["reference"]), callback
        )
        if failed:  # the SDK hands callback errors to on_turn_error, which only logs: re-raise
            raise failed[0]

    async def drain(self) -> None:
        """Wait (bounded by config.drain_seconds) for background turns (tests; `coach serve` drains
        them through the inbox at shutdown, bounded by COACH_DRAIN_SECONDS)."""
        if self.background:
            await asyncio.wait(set(self.background), timeout=self.config.drain_seconds)

    # --- invokes -------------------------------------------------------------------
    async def _on_invoke(self, context: TurnContext, tenant: str, shape: payloads.Checked) -> None:
        activity = context.activity
        if isinstance(shape, payloads.Execute):
            action = shape.action
            note = f"You chose: {action.title or action.verb or 'a button'}"
            payload = cards.action_payload(action.data.raw() if action.data else None)
            if payload is None:
                reply: Reply | None = Reply(headline="That button has expired. Ask me again.", intent="error")
            else:
                turn = self._turn(activity, tenant, action=payload)
                task = asyncio.ensure_future(self.rt.handle(turn))
                done, _ = await asyncio.wait({task}, timeout=self.config.first_reply_after)
                if not done:  # answer the invoke now; the pressed card is replaced when the turn ends
                    working = Reply(headline="Working on it…", intent="working")
                    await self._invoke_response(
                        context, cards.invoke_card_response(cards.render(working, note=note))
                    )
                    await self._later(context, turn, task, activity.reply_to_id or None, note=note)
                    return
                reply = task.result()
            if reply is None:
                reply = Reply(headline="Already done.", intent="duplicate")
            await cards.draw_pictures(reply)
            await self._invoke_response(context, cards.invoke_card_response(cards.render(reply, note=note)))
        elif isinstance(shape, payloads.Compose):
            reply = await self._leak_check(activity, tenant, shape)
            await self._task_card(context, reply)
        else:  # an invoke this bot never offered: bad input, not a server error
            await self._invoke_response(context, {"error": "unknown invoke"}, status=400)

    async def _leak_check(
        self, activity: Activity, tenant: str, value: payloads.Compose, *, private: bool = False
    ) -> Reply:
        """The "Check for leaks" message action: the picked message (or the text typed into the
        action's form) through the leak check, for the role chosen there (default: the KB's).
        Another command id never gets here (adapters/teams/payloads.py)."""
        typed, content = value.text()
        text = typed or html_to_text(content)
        action: dict[str, Any] = {"intent": LEAK_INTENT, "message": text, "user_text": text}
        role = ((value.data.role if value.data else None) or "").strip()
        if role:
            action["role"] = role
        turn = self._turn(activity, tenant, action=action)
        if private:  # a conversation with outsiders: its address is not kept (no reminder goes there)
            turn = dataclasses.replace(turn, audience_external=True, reference=None)
        reply = await self.rt.handle(turn)
        return reply or Reply(headline="Already checked.", intent="duplicate")

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
    def _activity(self, reply: Reply, note: str | None = None) -> Activity:
        if reply.private:  # never in a conversation outsiders can read (bot/outsiders.py)
            reply = outsiders.not_here(self.rt.kb)
        card = cards.render(reply, note=note)
        return Activity(
            type=ActivityTypes.message,
            summary=reply.headline[:200],
            attachments=[cards.attachment(card)],
        )

    async def _send(self, context: TurnContext, reply: Reply) -> Any:
        await cards.draw_pictures(reply)  # the brief's timeline, drawn after the turn committed
        return await self._send_activity(context, self._activity(reply))

    async def _send_activity(self, context: TurnContext, activity: Activity) -> Any:
        return await self._retry(lambda: context.send_activity(activity))

    async def _retry(self, call: Any, *, idempotent: bool = False) -> Any:
        """Retried only where it cannot post twice (adapters/teams/retry.py); an update (PUT of
        the same content) is idempotent, a new post is not."""
        return await with_retry(
            call,
            attempts=self.config.retry_attempts,
            base=self.config.retry_base,
            idempotent=idempotent,
            per_call=self.config.call_timeout,
        )
