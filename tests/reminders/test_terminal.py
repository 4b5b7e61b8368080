"""Terminal reminders: `coach serve` leaves them in the database; the shell's loop claims them
through the scheduler's durable claim and shows each once, across shells."""

from __future__ import annotations

import asyncio
import io

from rich.console import Console
from sqlalchemy import select

from adapters.console.reminders import TerminalReminders
from adapters.scheduler import Scheduler
from adapters.server import reminder_deliverers
from bot.db.models import Reminder


async def _status(engine) -> list[tuple[str, int]]:
    async with engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(select(Reminder.status, Reminder.attempts))]


def _shell(rt) -> tuple[TerminalReminders, io.StringIO]:
    screen = io.StringIO()
    return TerminalReminders(rt, Console(file=screen, width=120, no_color=True), poll=0.05), screen


async def test_serve_leaves_console_reminders_for_the_shell(chat, deal, clock, rt, engine):
    await chat("remind me in 2 days to call Jane about the quote")
    clock.advance(days=2)
    assert (
        await Scheduler(rt, deliverers=reminder_deliverers(), owner="serve").run_once() == 0
    )  # coach serve's worker: not its surface
    assert await _status(engine) == [("pending", 0)]

    shell, screen = _shell(rt)
    assert await shell.show_due() == 1
    assert "Reminder for Woodgrove EA renewal: call Jane about the quote" in screen.getvalue()
    assert await _status(engine) == [("sent", 1)]
    assert [a.label for a in shell.last.actions][:1] == ["Done"]  # numbers press its buttons

    other, other_screen = _shell(rt)  # a second shell, later: nothing to show twice
    assert await other.show_due() == 0 and other_screen.getvalue() == ""


async def test_the_running_loop_shows_a_reminder_when_it_comes_due_between_turns(
    chat, deal, clock, rt, engine
):
    await chat("remind me in 1 hour to send the counter-proposal")
    shell, screen = _shell(rt)
    stop = asyncio.Event()
    loop = asyncio.create_task(shell.run(stop))
    try:
        async with shell.turn_lock:  # a turn is running: nothing may print into it
            clock.advance(hours=1, minutes=1)
            await asyncio.sleep(0.3)
            assert screen.getvalue() == ""
        for _ in range(100):
            if "send the counter-proposal" in screen.getvalue():
                break
            await asyncio.sleep(0.05)
        assert "Reminder for Woodgrove EA renewal: send the counter-proposal" in screen.getvalue()
    finally:
        stop.set()
        await loop
    assert await _status(engine) == [("sent", 1)]


async def test_two_shells_show_a_reminder_once(chat, deal, clock, rt, engine):
    await chat("remind me in 2 days to call Jane about the quote")
    clock.advance(days=2)
    (a, screen_a), (b, screen_b) = _shell(rt), _shell(rt)
    shown = await asyncio.gather(a.show_due(), b.show_due())
    assert sorted(shown) == [0, 1]
    assert (screen_a.getvalue() + screen_b.getvalue()).count("call Jane about the quote") == 1
