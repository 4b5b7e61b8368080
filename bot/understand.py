"""From a chat message to an intent: the command grammar first, then free-text patterns,
then a classifier trained on the intents' example phrasings.

All three live in knowledge/ (`intents:`, understanding.yaml), so wording can be tuned
without code. Deterministic: the same text always means the same thing. Below the
classifier's confidence threshold nothing is guessed; the ranking is kept so the coach can
ask "Did you mean …".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.context import Intent
from bot.knowledge import PATTERN_FLAGS, Knowledge
from bot.understanding.config import config
from bot.understanding.values import only_unsure

# Control characters other than newline and tab, zero-width and bidi-override characters.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"[ \t]+")


def clean(text: str) -> str:
    """Normalise what people paste: NFKC, no control or invisible characters, tidy spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, PATTERN_FLAGS)


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


def _build_command_index(kb: Knowledge) -> dict[str, list[tuple[str, str]]]:
    """Lead word -> [(command, intent)], longest command first ("deal new" over "deal")."""
    index: dict[str, list[tuple[str, str]]] = {}
    for spec in kb.intents:
        for cmd in spec.commands:
            index.setdefault(_lead(cmd.casefold()), []).append((cmd, spec.name))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


def _command_index(kb: Knowledge) -> dict[str, list[tuple[str, str]]]:
    return kb.derive("understand.commands", _build_command_index)


def _patterns(kb: Knowledge) -> list[tuple[str, list[re.Pattern[str]]]]:
    """Each intent's compiled patterns, in the order intents are tried."""
    return kb.derive(
        "understand.patterns", lambda kb: [(s.name, [_compiled(p) for p in s.patterns]) for s in kb.intents]
    )


def match_command(text: str, kb: Knowledge) -> Intent | None:
    low = text.casefold()
    for cmd, name in _command_index(kb).get(_lead(low), ()):
        rest = _command_rest(text, low, cmd)
        if rest is not None:
            return Intent(name, {"rest": rest}, text)
    return None


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


Ranking = list[tuple[str, float]]


def match_classifier(text: str, kb: Knowledge) -> tuple[Intent | None, Ranking]:
    """The classifier's pick when it is confident, and its ranking of real intents either way."""
    from bot.understanding.intents import rank

    settings = config(kb)
    ranking = rank(text, kb)
    best, p = ranking[0]
    real = [(name, prob) for name, prob in ranking if name != settings.outside_label]
    if best != settings.outside_label and p >= settings.confident:
        return Intent(best, pattern_args(best, text, kb), text), real
    return None, real


def understand_ranked(text: str, kb: Knowledge) -> tuple[Intent | None, Ranking]:
    """The intent meant (or None) and, when the classifier was asked, its ranking."""
    text = clean(text)
    if not text:
        return None, []
    found = match_command(text, kb) or match_pattern(text, kb)
    if found is not None:
        return found, []
    if only_unsure(text):  # "not sure" answers a question; asked nothing, it asks for nothing
        return None, []
    return match_classifier(text, kb)


def understand(text: str, kb: Knowledge) -> Intent | None:
    return understand_ranked(text, kb)[0]


def did_you_mean(ranking: Ranking, kb: Knowledge) -> list[str]:
    """The two or three intents worth offering for an unclear message, best first."""
    settings = config(kb)
    offered = {s.name for s in kb.intents if s.typed and s.name not in settings.never_suggest}
    out = [name for name, p in ranking if p >= settings.suggest and name in offered]
    return out[: settings.max_suggestions]


def button_label(name: str, kb: Knowledge) -> str:
    spec = next((s for s in kb.intents if s.name == name), None)
    if spec is None:
        return name
    return spec.label or spec.usage or spec.name


def suggestions(kb: Knowledge, limit: int = 5) -> list[str]:
    """A few things to try, from the intents' own examples."""
    out: list[str] = []
    for spec in sorted(kb.intents, key=lambda s: -s.priority):
        if spec.examples and spec.help:
            out.append(spec.examples[0])
        if len(out) >= limit:
            break
    return out
