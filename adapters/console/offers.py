"""`coach offer import FILE [--deal NAME] [--yes]` and `coach offer list [--deal NAME]`.

Import reads the file locally (bot/offers/), shows what it read as the chat does, and asks
before storing: `y` stores it as the next offer, `fix LINE FIELD VALUE` corrects a line and
shows it again, anything else (or no terminal to ask on) stores nothing. `--yes` stores at
once, for scripts. Exit codes as the rest of the CLI: 0 stored or listed, 1 refused or not
stored, 2 bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

OK, USER_ERROR = 0, 1  # as adapters/console/cli.py (which imports this module, not the reverse)
TENANT, CONVERSATION = "local", "terminal"

if TYPE_CHECKING:
    from rich.console import Console

    from adapters.runtime import Runtime
    from bot.reply import Reply


def add_parser(sub: Any) -> None:
    offer = sub.add_parser("offer", help="Microsoft's offers: read their quote (PDF, XLSX, CSV), list them")
    osub = offer.add_subparsers(dest="offer_cmd", required=True)
    im = osub.add_parser("import", help="read a quote file, show it, and store it as the next offer")
    im.add_argument("file")
    im.add_argument("--deal", help="the deal it belongs to (default: the active one)")
    im.add_argument("--yes", action="store_true", help="store without asking (for scripts)")
    ls = osub.add_parser("list", help="the offers of a deal, round by round")
    ls.add_argument("--deal", help="the deal (default: the active one)")


def _complain(message: str) -> None:
    from bot.textsafety import printable

    print(printable(" ".join(message.split())), file=sys.stderr)


def _turn(
    text: str = "", *, action: dict | None = None, deal: str | None = None, extra: dict | None = None
) -> Any:
    """A terminal turn, as `coach ask` makes them (tenant `local`, conversation `terminal`)."""
    import getpass

    from bot.turn import Turn

    try:
        user = getpass.getuser()
    except Exception:  # no login name in some containers
        user = "me"
    more = {"deal": deal} if deal else {}
    return Turn(
        "console", TENANT, CONVERSATION, user, text=text, action=action, extra={**more, **(extra or {})}
    )


async def cmd_offer(args: argparse.Namespace) -> int:
    from rich.console import Console

    from adapters.console.render import render
    from adapters.runtime import Runtime

    console = Console()
    rt = await Runtime.start()
    try:
        if args.offer_cmd == "list":
            reply = await rt.handle(_turn("offer list", deal=args.deal))
            assert reply is not None
            render(reply, console)
            return USER_ERROR if reply.intent in ("unknown_deal",) else OK
        return await _import(rt, console, args)
    finally:
        await rt.close()


async def _import(rt: Runtime, console: Console, args: argparse.Namespace) -> int:
    from adapters.console.render import render
    from bot.offers.config import limits
    from bot.offers.intake import offer_turn, read_file

    path = Path(args.file)
    try:
        size = path.stat().st_size
        limit = limits(rt.kb).max_bytes
        data = path.read_bytes() if size <= limit else b""  # too large: never read into memory
    except OSError as exc:
        _complain(f"Can't read {args.file}: {exc.strerror}.")
        return USER_ERROR
    if size > limit:
        from bot.offers.read import refuse

        reading = refuse(rt.kb, "too_large", size=f"{size / 1e6:.1f} MB", limit=f"{limit / 1e6:.1f} MB")
    else:
        reading = await read_file(path.name, data, rt.kb, rt.coach.clock(), services=rt.coach.services)
    action, extra = offer_turn(reading, f"offer import {path.name}")
    reply = await rt.handle(_turn(action=action, deal=args.deal, extra=extra))
    assert reply is not None
    while True:
        if reply.intent in ("offer.refused", "unknown_deal", "error") or not _store_action(reply):
            if reply.intent == "offer.read":  # e.g. no active deal
                render(reply, console)
            _complain(reply.headline)
            return USER_ERROR
        if args.yes:
            break
        render(reply, console)
        answer = await _ask(console, reply)
        if answer in ("y", "yes"):
            break
        if answer.startswith(("fix ", "drop line ")):
            reply = await rt.handle(_turn(f"offer {answer}", deal=args.deal))
            assert reply is not None
            if reply.intent != "offer.read":
                console.print(reply.headline)
                reply = await rt.handle(_turn(action=action, deal=args.deal, extra=extra))
                assert reply is not None
            continue
        await rt.handle(_turn("offer drop", deal=args.deal))
        _complain("Not stored.")
        return USER_ERROR
    store = _store_action(reply)
    assert store is not None
    done = await rt.handle(_turn(action=dict(store), deal=args.deal))
    assert done is not None
    render(done, console)
    return OK if done.verdict == "stored" else USER_ERROR


def _store_action(reply: Reply) -> dict | None:
    return next((a.payload for a in reply.actions if a.payload.get("intent") == "offer.confirm"), None)


async def _ask(console: Console, reply: Reply) -> str:
    if not sys.stdin.isatty() and sys.stdin.closed:
        return ""
    label = next(a.label for a in reply.actions if a.payload.get("intent") == "offer.confirm")
    console.print(f"{label}? [y]es / fix LINE FIELD VALUE / drop line N / anything else: no")
    try:
        line = await asyncio.to_thread(input, "> ")
    except (EOFError, KeyboardInterrupt):
        return ""
    return " ".join(line.strip().casefold().split())
