"""Checks on a draft before anyone sees it. Pure: text and plain data in, problems out.

`sanitise` cleans what can be cleaned without changing meaning (invisible characters,
mentions, links the facts don't hold); `problems` lists what needs a rewrite.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.llm.policy import KindSpec, Tone, close, figures

# (draft text, recipient role) -> problems found, as short phrases ("names your budget").
LeakCheck = Callable[[str, str], list[str]]

# Zero-width, bidi controls, word joiners, BOM, Unicode tag characters, C0/C1 controls.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
    "\U000e0000-\U000e007f]"
)
_SLACK_SPECIAL = re.compile(r"<!(channel|here|everyone)(\|[^>]*)?>", re.IGNORECASE)
_SLACK_GROUP = re.compile(r"<!subteam\^[A-Z0-9]+(\|@?(?P<label>[^>]*))?>", re.IGNORECASE)
_SLACK_USER = re.compile(r"<[@#][UWCGB][A-Z0-9]+(\|(?P<label>[^>]*))?>", re.IGNORECASE)
_BROADCAST = re.compile(r"(?<![\w.])@(channel|here|everyone|all)\b", re.IGNORECASE)
_TEAMS_AT = re.compile(r"<at\b[^>]*>(?P<label>.*?)</at>", re.IGNORECASE | re.DOTALL)
_SLACK_LINK = re.compile(r"<(?P<url>(https?|mailto|tel):[^|>\s]+)(\|(?P<label>[^>]*))?>", re.IGNORECASE)
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\[\]\"'|]+", re.IGNORECASE)
LINK_REMOVED = "[link removed]"


def _url_key(url: str) -> str:
    url = url.rstrip(".,;:!?)").casefold()
    return re.sub(r"^(https?://)?(www\.)?", "", url).rstrip("/")


def links_in(texts: Iterable[str]) -> set[str]:
    return {_url_key(m.group(0)) for t in texts for m in _URL.finditer(t)}


def sanitise(text: str, allowed_links: set[str]) -> tuple[str, list[str]]:
    """The text with invisible characters stripped and pings/links neutralised, plus notes
    on what was changed (shown to the user; never a reason to reject)."""
    notes: list[str] = []
    text = unicodedata.normalize("NFKC", text)
    stripped = _INVISIBLE.sub("", text.replace("\r\n", "\n"))
    if stripped != text.replace("\r\n", "\n"):
        notes.append("removed invisible characters")
    text = stripped
    before = text
    text = _SLACK_SPECIAL.sub(lambda m: m.group(1), text)
    text = _SLACK_GROUP.sub(lambda m: m.group("label") or "the team", text)
    text = _SLACK_USER.sub(lambda m: m.group("label") or "[mention removed]", text)
    text = _TEAMS_AT.sub(lambda m: m.group("label"), text)
    text = _BROADCAST.sub(lambda m: m.group(1), text)
    if text != before:
        notes.append("removed @-mentions")

    def link(m: re.Match[str]) -> str:
        url = m.group("url") if "url" in m.groupdict() else m.group(0)
        label = m.groupdict().get("label")
        if _url_key(url) in allowed_links:
            return url if not label else f"{label} ({url})"
        notes.append("removed a link the deal doesn't hold")
        return label + f" {LINK_REMOVED}" if label else LINK_REMOVED

    text = _SLACK_LINK.sub(link, text)
    text = _URL.sub(link, text)
    return text.strip(), list(dict.fromkeys(notes))


@dataclass
class Checker:
    """Everything the output checks need for one draft."""

    spec: KindSpec
    tone: Tone
    allowed_figures: set[float]  # from the allowed facts, the template and the user's request
    secret_figures: set[float]  # budget ceiling, walk-away...: never in a draft unless typed by the user
    names: list[str] = field(default_factory=list)  # people the draft must not blame
    leak_check: LeakCheck | None = None

    def problems(self, text: str) -> list[str]:
        found: list[str] = []
        low = text.casefold()
        if not text.strip():
            return ["it was empty"]
        if len(text) > self.spec.max_chars:
            found.append(f"too long ({len(text)} characters, at most {self.spec.max_chars})")
        elif len(text) < self.spec.min_chars:
            found.append(f"too short ({len(text)} characters, at least {self.spec.min_chars})")
        for label, patterns in (
            ("a threat", self.tone.threat),
            ("an insult", self.tone.insult),
            ("emotional wording", self.tone.emotional),
        ):
            if any(re.search(p, low, re.IGNORECASE) for p in patterns):
                found.append(label)
        if self._blames(text):
            found.append("blames a named person")
        numbers = figures(text)
        if any(any(close(v, s) for s in self.secret_figures) for v, _ in numbers):
            found.append("reveals your budget or walk-away figure")
        invented = [
            w
            for v, w in numbers
            if not any(close(v, a) for a in self.allowed_figures)
            and not any(close(v, s) for s in self.secret_figures)
        ]
        if invented:
            found.append("states figures the deal doesn't hold (" + ", ".join(dict.fromkeys(invented)) + ")")
        if self.leak_check is not None:
            found += [p for p in self.leak_check(text, self.spec.recipient) if p not in found]
        return found

    def _blames(self, text: str) -> bool:
        parts = {p.casefold() for n in self.names for p in n.split() if len(p) > 2}
        if not parts:
            return False
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
            low = sentence.casefold()
            named = any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", low) for p in parts)
            if named and any(re.search(p, low, re.IGNORECASE) for p in self.tone.blame):
                return True
        return False
