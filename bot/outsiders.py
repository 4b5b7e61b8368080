"""Outsiders and conversations they can read: the lines the coach says, shared by the core and
the surfaces (a surface that recognises an outsider refuses at its listener with the same line,
before anything is stored). docs/security.md, "Outsiders", says who counts as one."""

from __future__ import annotations

from bot.knowledge import Knowledge
from bot.reply import Reply

REFUSED = "outsiders.refused"
SENT_PRIVATELY = "outsiders.sent-privately"
NOT_HERE = "outsiders.not-here"
UNCHECKED = "outsiders.unchecked"
REMINDER_WITHHELD = "outsiders.reminder-withheld"
INTENT = "outsider"


def refusal(kb: Knowledge) -> Reply:
    """The one line an outsider gets: it names no deal, no fact, and not whether one exists."""
    return Reply(headline=kb.say(REFUSED), intent=INTENT, ephemeral=True)


def sent_privately(kb: Knowledge) -> str:
    """Posted where outsiders can read it, after the answer went to the asker alone."""
    return kb.say(SENT_PRIVATELY)


def not_here(kb: Knowledge) -> Reply:
    """For a surface that cannot deliver a private reply in that conversation."""
    return Reply(headline=kb.say(NOT_HERE), intent=INTENT)
