"""“check before I send to the AE: …” — flag what helps Microsoft more than you.

The recipient comes from the request ("before I send it to the AE"), a button that names it, or
the greeting ("Hi Jane," with Jane a contact of the deal, "Dear deal desk team,"); otherwise the
message is checked for the default role and the reply asks once, with a button per role. The
check runs against the deal's protected facts (budget, walk-away, internal dates) and reads each
sentence for its meaning too (bot/understanding/disclosure.py). With an LLM
configured, the rewrite is polished after the turn and checked again; a polished text that
still leaks is never shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from bot.actions import Key, Message, Payload
from bot.context import Context
from bot.knowledge import Knowledge, RoleSpec
from bot.llm import DraftRequest
from bot.memory import Memory
from bot.playbooks import leakcheck
from bot.playbooks.people import find_role, unquote
from bot.reply import Action, Item, Reply, Section
from bot.skills import skill
from bot.understanding import disclosure

_PREAMBLE = re.compile(
    r"^\s*((this|the|my)\s+)?(message|email|mail|note|draft|reply|text)?\s*$", re.IGNORECASE
)
REWRITE_KIND = "leak_rewrite"


def split_request(text: str, kb: Knowledge) -> tuple[str, str]:
    """('before I send to the AE', 'the message') from what follows the command. A split is only
    taken when the part before it names a role or is a bare preamble, so a time like 10:30 or a
    question inside the message never cuts it."""
    for m in re.finditer(r":\s*|\?\s+|(?<=\s)[\"“]", text):
        if m.start() > 120:
            break
        head = text[: m.start()]
        if find_role(head, kb) or _PREAMBLE.match(head):
            return head, unquote(text[m.end() - (1 if m.group(0) in '"“' else 0) :])
    return "", unquote(text)


# A request to check that names no message of its own: "can you verify it before I send?",
# "check this please", "is the draft ok?"
_POINTS_TO_A_DRAFT = re.compile(
    r"^(?![^\"“«]*[\"“«]).*\b(?:it|this|that|(?:the|my|this)\s+(?:draft|message|email|e-mail|mail|reply|note|text))\b",
    re.IGNORECASE,
)
_QUOTED_DRAFT = re.compile(r"[\"“«]\s*(?P<q>[^\"”»]{20,})\s*[\"”»]")
_AFTER_COLON = re.compile(
    r"\b(?:draft|message|email|e-mail|mail|reply|note|text)\b[^:\n]{0,30}:\s*(?P<q>\S.{20,})",
    re.IGNORECASE | re.DOTALL,
)


def _told_draft(ctx: Context) -> str | None:
    """The draft the conversation showed just before ("Here is the draft: « … »"), if any."""
    from bot.dialogue.config import dialogue_config

    assert ctx.dialogue is not None
    for said in ctx.dialogue.fresh_told(ctx.now, dialogue_config(ctx.kb).topic_minutes):
        m = _QUOTED_DRAFT.search(said) or _AFTER_COLON.search(said)
        if m is not None:
            return m.group("q").strip()
    return None


def recipient(message: str, ctx: Context) -> RoleSpec | None:
    """Who the message is for, from its greeting: a contact of the deal by name ("Hi Jane,"),
    or a role named in the greeting line ("Dear Deal Desk team,")."""
    segments, name = leakcheck.email_parts(message, ctx.kb)
    if name and ctx.deal is not None:
        contact = ctx.deal.contact(name)
        if contact is not None and contact.role in ctx.kb.roles:
            return ctx.kb.roles[contact.role]
    first = next((s for s in segments if s.text.strip()), None)
    if first is not None and not first.checked:  # the greeting line
        return find_role(first.text, ctx.kb)
    return None


class LeakCheck(Payload):
    message: Message | None = None
    text: Message | None = None
    role: Key | None = None


@skill("leakcheck", needs_deal=False, payload=LeakCheck)
async def check(ctx: Context, p: LeakCheck) -> Reply:
    chosen = p.role or ""
    if p.message or p.text:  # a message action from Slack or Teams, or a button
        head, message = chosen, str(p.message or p.text)
        if not head:  # a pasted message opening with "Quick update for the AE:" names its reader;
            head, _ = split_request(message, ctx.kb)  # the opening stays part of what is checked
    else:
        head, message = split_request(
            (p.rest or "") if "rest" in p.model_fields_set else ctx.intent.text, ctx.kb
        )
    if ctx.dialogue is not None and _POINTS_TO_A_DRAFT.search(message) and len(message.split()) <= 15:
        # "Can you verify it before I send?": the draft is the one shown just before
        told = _told_draft(ctx)
        if told is not None:
            message = told
    if not message.strip():
        return Reply(
            headline="Paste the message after a colon: `check AE: <your message>`.", intent="leakcheck"
        )
    role = (ctx.kb.role(head) or find_role(head, ctx.kb)) if head else None
    role = role or recipient(message, ctx)
    role_key = role.key if role else ctx.kb.section("leakcheck.default_role")
    read = disclosure.reader(ctx.kb)
    result = leakcheck.check(message, role_key, ctx.kb, ctx.deal, ctx.now, read)
    reply = leakcheck.reply(message, role_key, ctx.kb, ctx.deal, ctx.now, result=result, read=read)
    if role is None and not chosen:  # asked once: a button per other role checks it again
        title = ctx.kb.roles[role_key].title if role_key in ctx.kb.roles else role_key
        reply.sections.append(
            Section(
                items=[
                    Item(ctx.kb.say("leakcheck.ask-recipient", role=title), rule="leakcheck.ask-recipient")
                ]
            )
        )
        reply.actions += [
            Action(f"For the {spec.title}", {"intent": "leakcheck", "message": message, "role": key})
            for key, spec in ctx.kb.roles.items()
            if key != role_key and key in ctx.kb.section("disclosure.matrix").root
        ]
    if reply.draft and ctx.services.drafter is not None:
        _polish_later(ctx, reply, role_key)
    return reply


def _polish_later(ctx: Context, reply: Reply, role: str) -> None:
    """After the turn commits: the LLM polishes the rewrite; the result is checked again with the
    deal's protected facts for this recipient, and shown only if it gives nothing away."""
    drafter, kb, deal, now = ctx.services.drafter, ctx.kb, ctx.deal, ctx.now
    assert drafter is not None
    template = reply.draft or ""
    request = DraftRequest(
        kind=REWRITE_KIND,
        facts={},
        template_text=template,
        tenant=ctx.memory.tenant.id,
        names=tuple(c.name for c in deal.contacts) if deal else (),
        now=now,
    )

    async def finish(reply: Reply, tx: Callable[[], AbstractAsyncContextManager[Memory]]) -> Reply:
        from bot.llm.polish import run_drafter

        result = await run_drafter(drafter, request, kb)
        if result.source != "llm" or result.text.strip() == template.strip():
            return reply
        if leakcheck.check(result.text, role, kb, deal, now, disclosure.reader(kb)).flags:
            reply.sections.append(
                Section(items=[Item(kb.say("leakcheck.polish-leaked"), rule="leakcheck.polish-leaked")])
            )
            return reply
        reply.draft, reply.draft_source = result.text, "llm"
        return reply

    ctx.defer(finish)
