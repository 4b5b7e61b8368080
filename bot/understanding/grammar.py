"""The command grammar and the knowledge patterns: the first, exact layers of reading a message
(bot/understanding/reading.py runs them, then the classifier, then its named rules)."""

from __future__ import annotations

import re
import unicodedata

from bot.intent import Intent
from bot.knowledge import PATTERN_FLAGS, Knowledge
from bot.patterns import compiled

# Control characters other than newline and tab, zero-width and bidi-override characters.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"[ \t]+")


# "dont", "cant", "isnt": a negation typed without its apostrophe is still a negation.
_BARE_NOT = re.compile(
    r"\b(do|does|did|is|are|was|were|has|have|had|ca|wo|would|should|could|must|need)nt\b", re.IGNORECASE
)


def _not(m: re.Match[str]) -> str:
    return m.group(1) + ("n't" if m.group(1).islower() or not m.group(1).isupper() else "N'T")


def clean(text: str) -> str:
    """Normalise what people paste: NFKC, no control or invisible characters, tidy spaces, and
    negations typed without their apostrophe ("dont") written as the readers know them."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _BARE_NOT.sub(_not, text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def _compiled(pattern: str) -> re.Pattern[str]:
    return compiled(pattern, PATTERN_FLAGS)  # the one the load-time check compiled


def _command_rest(text: str, low: str, command: str) -> str | None:
    c = command.casefold()
    if low == c:
        return ""
    if low.startswith(c) and len(low) > len(c) and (low[len(c)] in " :\n" or not c[-1].isalnum()):
        return text[len(c) :].lstrip(" :\n").strip()
    return None


_LEAD = re.compile(r"\w+|\S")


def _lead(low: str) -> str:
    """A command's and a message's index key: the first word (or first symbol)."""
    m = _LEAD.match(low)
    return m.group(0) if m else ""


def _build_command_index(kb: Knowledge) -> dict[str, list[tuple[str, str, bool]]]:
    """Lead word -> [(command, intent, takes nothing after it)], longest command first
    ("deal new" over "deal")."""
    index: dict[str, list[tuple[str, str, bool]]] = {}
    for spec in kb.intents:
        bare = {b.casefold() for b in spec.bare}
        for cmd in spec.commands:
            index.setdefault(_lead(cmd.casefold()), []).append((cmd, spec.name, cmd.casefold() in bare))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


def _command_index(kb: Knowledge) -> dict[str, list[tuple[str, str, bool]]]:
    return kb.derive("understand.commands", _build_command_index)


def _patterns(kb: Knowledge) -> list[tuple[str, list[re.Pattern[str]]]]:
    """Each intent's compiled patterns, in the order intents are tried."""
    return kb.derive(
        "understand.patterns", lambda kb: [(s.name, [_compiled(p) for p in s.patterns]) for s in kb.intents]
    )


def match_command(text: str, kb: Knowledge) -> Intent | None:
    low = text.casefold()
    for cmd, name, bare in _command_index(kb).get(_lead(low), ()):
        rest = _command_rest(text, low, cmd)
        if rest is not None and not (bare and len(_WORDS.findall(rest)) > _BARE_REST_WORDS):
            return Intent(name, {"rest": rest}, text)
    return None


_WORDS = re.compile(r"\w+")
_BARE_REST_WORDS = 1  # "status please", "deal?": still the command; a sentence after it is not


def match_pattern(text: str, kb: Knowledge) -> Intent | None:
    for name, patterns in _patterns(kb):
        for pattern in patterns:
            m = pattern.search(text)
            if m:
                args = {k: v.strip() for k, v in m.groupdict().items() if v is not None}
                return Intent(name, args, text)
    return None


def pattern_args(name: str, text: str, kb: Knowledge) -> dict[str, str]:
    """Arguments from `name`'s own patterns when one matches, else none."""
    for intent, patterns in _patterns(kb):
        if intent == name:
            for pattern in patterns:
                m = pattern.search(text)
                if m:
                    return {k: v.strip() for k, v in m.groupdict().items() if v is not None}
    return {}
