"""“check before I send to the AE: …” — flag what helps Microsoft more than you."""

from __future__ import annotations

import re

from bot.context import Context
from bot.knowledge import Knowledge
from bot.playbooks import leakcheck
from bot.playbooks.people import find_role, unquote
from bot.reply import Reply
from bot.skills import skill

_PREAMBLE = re.compile(
    r"^\s*((this|the|my)\s+)?(message|email|mail|note|draft|reply|text)?\s*$", re.IGNORECASE
)


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


@skill("leakcheck", needs_deal=False)
async def check(ctx: Context) -> Reply:
    args = ctx.intent.args
    if args.get("message") or args.get("text"):  # a message action from Slack or Teams
        head, message = str(args.get("role") or ""), str(args.get("message") or args.get("text"))
        if not head:  # a pasted message opening with "Quick update for the AE:" names its reader;
            head, _ = split_request(message, ctx.kb)  # the opening stays part of what is checked
    else:
        head, message = split_request(args.get("rest") if "rest" in args else ctx.intent.text, ctx.kb)
    if not message.strip():
        return Reply(
            headline="Paste the message after a colon: `check AE: <your message>`.", intent="leakcheck"
        )
    role = ctx.kb.role(head) or find_role(head, ctx.kb) if head else None
    role_key = role.key if role else ctx.kb.section("leakcheck.default_role")
    return leakcheck.reply(message, role_key, ctx.kb)
