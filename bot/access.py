"""Who may see a deal (docs/security.md): the person a turn comes from, the people a message
names, and which facts are protected. Pure: plain data in, plain data out.

A deal is visible to a person when any of these holds:
- they are one of its members (its creator, someone a member shared it with, or, after
  migration 0006, someone who had logged something on it);
- they speak in a channel the deal is shared with, and the surface marks the turn as coming
  from a private channel with no one from outside the organisation (`Turn.private_channel`);
- their workspace has opened deals to everyone in it (`workspace open-deals on`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

from bot.knowledge import Knowledge, KnowledgeSection

if TYPE_CHECKING:
    from bot.turn import Turn

SECTIONS = (KnowledgeSection("access", "protected_facts", TypeAdapter(list[str]).validate_python),)


@dataclass(frozen=True, slots=True)
class Person:
    """Who a turn (or a CLI command) comes from, and what the surface vouches for."""

    user: str
    # The conversation the person speaks in, when the surface marked it a private channel of
    # the organisation only: deals shared with it are visible. None otherwise.
    channel: str | None = None
    is_admin: bool = False

    @classmethod
    def of(cls, turn: Turn) -> Person:
        return cls(
            user=turn.user,
            channel=turn.conversation if turn.private_channel else None,
            is_admin=turn.is_admin,
        )


# Slack's user mention `<@U123>` or `<@U123|jane>`; the terminal's `@jane` (an OS user name).
_MENTION = re.compile(r"<@([A-Za-z0-9._:-]{1,200})(?:\|[^>]*)?>")
_PLAIN = re.compile(r"(?<![\w<])@([A-Za-z0-9._-]{1,64})")
# Only the channel the person speaks in can be shared with: "this channel" (never another by name).
_CHANNEL = re.compile(r"\b(?:this|the) (?:private )?(?:channel|group)\b", re.I)


@dataclass(frozen=True, slots=True)
class Named:
    """The people (user ids) and whether "this channel" a share or unshare names."""

    people: tuple[str, ...]
    channel: bool
    unclear: bool  # a name with no mention: on Slack and Teams it could be anyone


def named_people(text: str, platform: str) -> Named:
    """User ids mentioned in `text`. Slack gives every mention as `<@U123>`; on the terminal,
    where people are login names, `@jane` and plain `jane` are taken as they are written."""
    people = [m.group(1) for m in _MENTION.finditer(text)]
    rest = _MENTION.sub(" ", text)
    channel = bool(_CHANNEL.search(rest))
    rest = _CHANNEL.sub(" ", rest)
    plain = [m.group(1) for m in _PLAIN.finditer(rest)]
    if platform == "console":
        words = [w for w in re.split(r"[\s,;]+|\band\b", _PLAIN.sub(r"\1", rest)) if w.strip()]
        people += [w.strip().lstrip("@") for w in words if re.fullmatch(r"@?[A-Za-z0-9._-]{1,64}", w.strip())]
        unclear = False
    else:
        # A typed name (`@jane` as text, `jane`) is not a user id there: ask for a mention.
        unclear = bool(plain) or (not people and not channel and bool(re.search(r"\w", rest)))
    return Named(tuple(dict.fromkeys(p for p in people if p)), channel, unclear)


def shown_person(user: str, platform: str) -> str:
    """A member as a surface shows them: a Slack mention renders as the person's name."""
    if platform == "slack" and re.fullmatch(r"[A-Z0-9]{2,40}", user):
        return f"<@{user}>"
    return user


def protected_keys(kb: Knowledge) -> list[str]:
    """Patterns of the fact keys whose reading is audited (budget, walk-away: knowledge/access.yaml)."""
    return kb.section("access.protected_facts")


def is_protected(key: str, kb: Knowledge) -> bool:
    return any(re.search(p, key, re.IGNORECASE) for p in protected_keys(kb))


def protected_in(facts: dict[str, Any], kb: Knowledge) -> dict[str, Any]:
    """The protected facts a deal holds (with their values: for checks, never for storing)."""
    return {
        k: v
        for k, v in facts.items()
        if v not in (None, "") and not isinstance(v, bool) and is_protected(k, kb)  # a yes/no is no figure
    }


def shown_protected(facts: dict[str, Any], text: str, kb: Knowledge) -> list[str]:
    """The protected facts whose value `text` shows (as written or rounded: "$7.7M" for
    7,700,000): the keys a read of that text is audited with."""
    from bot.llm.policy import close, figures, figures_of

    held = protected_in(facts, kb)
    if not held:
        return []
    seen = [v for v, _ in figures(text)]
    out = []
    for key, value in held.items():
        secret = figures_of([value])
        if any(close(s, v) for s in secret for v in seen) or (isinstance(value, str) and value in text):
            out.append(key)
    return sorted(out)
