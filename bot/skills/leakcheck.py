"""“check before I send to the AE: …” — flag what helps Microsoft more than you."""

from __future__ import annotations

import re

from bot.context import Context
from bot.playbooks import leakcheck
from bot.playbooks.people import find_role, unquote
from bot.reply import Reply
from bot.skills import skill


def split_request(text: str) -> tuple[str, str]:
    """('before I send to the AE', 'the message') from what follows the command."""
    m = re.search(r":\s*", text)
    if m and m.start() <= 80:
        return text[: m.start()], unquote(text[m.end() :])
    m = re.search(r"\?\s+", text)
    if m and m.start() <= 80:
        return text[: m.start()], unquote(text[m.end() :])
    return "", unquote(text)


@skill("leakcheck", needs_deal=False)
async def check(ctx: Context) -> Reply:
    args = ctx.intent.args
    if args.get("message") or args.get("text"):  # a message action from Slack or Teams
        head, message = str(args.get("role") or ""), str(args.get("message") or args.get("text"))
    else:
        head, message = split_request(args.get("rest") if "rest" in args else ctx.intent.text)
    if not message.strip():
        return Reply(
            headline="Paste the message after a colon: `check AE: <your message>`.", intent="leakcheck"
        )
    role = ctx.kb.role(head) or find_role(head, ctx.kb) if head else None
    role_key = role.key if role else ctx.kb.section("leakcheck.default_role")
    return leakcheck.reply(message, role_key, ctx.kb)
