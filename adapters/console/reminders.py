"""Terminal reminders. `coach reminders`: what is scheduled (here: the terminal's active deal,
as the chat shows it; --all: every pending reminder, an operator's view with no deal contents).
TerminalReminders: the loop inside `coach shell` that shows them when they are due."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from adapters.console.render import render
from adapters.runtime import Runtime
from bot.reminders import worker
from bot.reply import Reply
from bot.textsafety import printable
from bot.turn import Turn


async def print_scheduled(
    rt: Runtime, console: Console, *, everything: bool, tenant: str, conversation: str, user: str = "me"
) -> int:
    if not everything:
        reply = await rt.handle(
            Turn(platform="console", tenant=tenant, conversation=conversation, user=user, text="reminders")
        )
        assert reply is not None
        render(reply, console)
        return 0
    rows = await worker.every_pending(rt.sessions)
    if not rows:
        console.print("Nothing is scheduled.")
        return 0
    table = Table("id", "due (UTC)", "platform", "kind", "deal", "attempts")
    for r in rows:
        due = f"{r.due_at:%Y-%m-%d %H:%M}"
        table.add_row(str(r.id), due, r.platform, r.kind, str(r.deal_id or "-"), str(r.attempts))
    console.print(table)
    return 0


# --- the shell's reminder loop ------------------------------------------------------------------
PROMPT = "[bold green]you>[/] "


class TerminalReminders:
    """Shows due terminal reminders inside `coach shell`: claimed through the scheduler's own
    durable claim (lease, owner-guarded `sent`), so two shells never show one twice, and a
    reminder due while no shell runs waits in the database for the next one.

    Printing never lands inside a reply: `turn_lock` is held while a turn runs and renders.
    At the prompt on a terminal, the line being typed is cleared, the reminder printed, and
    the prompt and the typed text (from readline) drawn again below it."""

    def __init__(self, rt: Runtime, console: Console, *, poll: float) -> None:
        from adapters.scheduler import Scheduler

        self.console = console
        self.turn_lock = asyncio.Lock()
        self.at_prompt = False
        self.last: Reply | None = None  # the newest reminder, so its buttons answer to numbers
        self.scheduler = Scheduler(rt, poll=poll, deliverers={"console": self._show})
        self._tty = sys.stdin.isatty() and console.is_terminal

    async def show_due(self) -> int:
        """Everything due now (run before the first prompt)."""
        shown = 0
        while n := await self.scheduler.run_once():
            shown += n
        return shown

    async def run(self, stop: asyncio.Event) -> None:
        await self.scheduler.run(stop)

    async def _show(self, rt: Runtime, reminder: Any, reply: Reply) -> None:
        async with self.turn_lock:
            redraw = self.at_prompt
            if redraw:
                # The prompt is on screen: clear it (terminal) or end its line (pipe).
                self.console.file.write("\r\x1b[2K" if self._tty else "\n")
            self.console.print(Text(f"⏰ Reminder #{reminder.id}", style="bold magenta"))
            render(reply, self.console)
            self.console.print()
            self.last = reply
            if redraw:
                self.console.print(PROMPT, end="")
                self.console.file.write(_typed_so_far() if self._tty else "")
                self.console.file.flush()


def _typed_so_far() -> str:
    try:
        import readline
    except ImportError:  # no readline (Windows): the typed text is still in the input, unseen
        return ""
    return printable(readline.get_line_buffer())
