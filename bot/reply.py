"""The Reply model: the one contract between the core and every renderer.

Renderers (terminal, JSON, Block Kit, Adaptive Cards) read these fields; `plain_text()`
is the floor every surface can fall back to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SectionStyle = Literal["bullets", "checklist", "numbered"]

# How a verdict should feel, the one rule every renderer follows for colour: a traffic light
# (go / wait / stop), `info` for what only informs, `neutral` for the rest. Each surface maps the
# five tones to its own colours; none keeps a table of verdicts.
Tone = Literal["go", "wait", "stop", "info", "neutral"]
VERDICT_TONE: dict[str, Tone] = {
    # should we escalate
    "escalate_now": "go",
    "not_yet": "wait",
    "do_not_escalate": "stop",
    "aligned": "go",
    "not_aligned": "wait",
    # disclosure to a role
    "share": "go",
    "strategic": "wait",
    "protect": "stop",
    "row": "info",
    # the leak check
    "clean": "go",
    "flagged": "stop",
    # favors
    "ask": "go",
    "find_aligned_contact": "wait",
    "unlikely": "stop",
    "no_aligned_role": "wait",
    "logged": "info",
    "balance": "info",
    "map": "info",
    "unknown_contact": "wait",
    "empty": "neutral",
    # commitments
    "verbal": "wait",
    "requested_in_writing": "info",
    "in_contract": "go",
    "unchanged": "neutral",
    "at_risk": "stop",
    "open": "wait",
    "all_in_contract": "go",
    "noted": "info",
    # meetings
    "checklist": "info",
    "prepare": "info",
    "capture": "info",
    "captured": "go",
    "nothing_promised": "neutral",
    # walk-away
    "walk_is_right": "go",
    "stay": "info",
    "walk_not_credible": "stop",
    # Microsoft programs
    "levers": "go",
    "none_fit": "neutral",
    # the renewal timeline
    "early": "go",
    "build": "info",
    "negotiate": "wait",
    "close": "stop",
    "past": "stop",
    "calendar": "neutral",  # Microsoft's fixed fiscal dates, no deal facts
    # the deal brief: who it is for
    "internal": "wait",  # may carry the budget: not for forwarding
    "for_microsoft": "info",
    # drafts
    "drafted": "go",
    "revised": "go",
    "template": "info",
    "no_draft": "wait",
    "needs_llm": "wait",
    # reminders
    "milestone": "info",
    "leverage": "go",
    "get_it_in_writing": "stop",
    "reminder": "info",
    "saved": "go",
    "shown": "info",
    # a rehearsal answer (bot/skills/rehearsal.py)
    "good": "go",
    "risky": "wait",
    "gave": "stop",
    "scorecard": "info",
    # Microsoft's offers (bot/skills/offers.py); a file that could not be read is a warning
    "check": "info",
    "stored": "go",
    "dropped": "neutral",
    "listed": "info",
    "compared": "info",
    "one": "neutral",
    "none": "neutral",
    **dict.fromkeys(
        (
            "too_large",
            "too_many_pages",
            "password",
            "no_text",
            "malformed",
            "layout",
            "unsupported",
            "currencies",
            "too_many_lines",
            "timeout",
            "download",
        ),
        "wait",
    ),
}


def tone_of(verdict: str | None) -> Tone:
    """A verdict missing from the table is `neutral`: never a false alarm."""
    return VERDICT_TONE.get(verdict or "", "neutral")


@dataclass(slots=True)
class Item:
    text: str
    rule: str | None = None  # stable rule id from knowledge/, cited in the answer
    done: bool | None = None  # for checklists: True ticked, False open, None not a checklist item


@dataclass(slots=True)
class Section:
    items: list[Item]
    title: str | None = None
    style: SectionStyle = "bullets"

    def mark(self, n: int, item: Item, *, bullet: str = "-", done: str = "[x]", todo: str = "[ ]") -> str:
        """The mark before the n-th item (1-based); each surface passes its own symbols."""
        if self.style == "numbered":
            return f"{n}."
        if self.style == "checklist" and item.done is not None:
            return done if item.done else todo
        return bullet


@dataclass(slots=True)
class Action:
    label: str
    payload: dict[str, Any]  # {"intent": ..., ...}; fed back to the core as Turn.action
    style: Literal["default", "primary", "danger"] = "default"


@dataclass(slots=True)
class Choice:
    label: str
    value: str


@dataclass(slots=True)
class Question:
    """One question of a form; `kind` tells a renderer which input to draw."""

    id: str
    prompt: str
    kind: Literal["choice", "number", "money", "text", "date", "yesno"] = "text"
    choices: list[Choice] = field(default_factory=list)
    form: str | None = None

    def answer_payload(self, value: str) -> dict[str, Any]:
        """The action payload a choice button (or a card input) sends back."""
        return {"intent": "form.answer", "answers": {self.id: value}}


LABEL_END = ".!:"  # a label's closing mark, which the headline may write differently
SEPARATORS = " .!:;,—–-"  # what may stand between a label the headline opens with and the rest


@dataclass(frozen=True, slots=True)
class Headline:
    """The first line of a reply, split around the verdict's wording.

    A reply gives its verdict's wording either beside the headline (label "Not yet.", headline
    "You've had one round.") or as the headline's opening words (label "Logged:", headline
    "Logged: Jane promised …"). Surfaces that draw the label apart (a Slack header, a card's
    title) show `label` then `rest`; one-line surfaces show `line`. Either way the wording
    appears once, and each surface asks here instead of deciding for itself.
    """

    label: str  # the verdict's wording as shown; "" when the reply has none
    rest: str  # the headline after that wording
    joiner: str  # what stands between them on one line

    @property
    def line(self) -> str:
        return f"{self.label}{self.joiner}{self.rest}"


def headline_parts(headline: str, verdict_label: str | None) -> Headline:
    """Split `headline` around `verdict_label`: the headline carries the label when it opens
    with the label's words, whatever their case and closing mark ("Not yet." / "Not yet, …")."""
    if not verdict_label:
        return Headline("", headline, "")
    words = verdict_label.rstrip(LABEL_END)
    if words and headline[: len(words)].casefold() == words.casefold():
        mark = verdict_label[len(words) :]  # keep the label's own closing mark when the headline has it
        end = len(words) + len(mark) if mark and headline[len(words) :].startswith(mark) else len(words)
        after = headline[end:]
        rest = after.lstrip(SEPARATORS)
        if not rest:  # the headline is the label and nothing more
            return Headline(headline, "", "")
        return Headline(headline[:end], rest, after[: len(after) - len(rest)])
    if not headline:
        return Headline(verdict_label, "", "")
    return Headline(verdict_label, headline, " ")


@dataclass(slots=True)
class Attachment:
    """A file that goes with a reply where a surface can take it: a document posted beside the
    message (Slack), a picture shown in the card (Teams). `make` renders it; adapters call it
    after the turn has committed (off the event loop), so no turn pays for plotting."""

    kind: Literal["document", "picture"]
    filename: str
    title: str
    make: Callable[[], bytes] = field(repr=False)
    unavailable: str = ""  # the line a surface shows when it could not attach it
    _data: bytes | None = field(default=None, repr=False)

    def render(self) -> bytes:
        """The bytes, made once: a retried post sends the same file."""
        if self._data is None:
            self._data = self.make()
        return self._data

    @property
    def data(self) -> bytes | None:
        """The bytes if `render()` has made them (renderers that must not draw read this)."""
        return self._data


@dataclass(slots=True)
class Reply:
    headline: str
    intent: str = "unknown"
    verdict: str | None = None  # stable machine word, documented in the README
    verdict_label: str | None = None  # the human wording of the verdict, e.g. "Not yet."
    sections: list[Section] = field(default_factory=list)
    draft: str | None = None
    draft_source: str | None = None  # "template" | "llm" | None
    actions: list[Action] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # fact keys the coach asked for
    footer: str | None = None
    ephemeral: bool = False  # shown only to the asker where the surface can
    # Must reach the asker alone (the conversation includes outsiders): a surface that cannot
    # deliver it privately shows `outsiders.not-here` instead, never the reply.
    private: bool = False
    in_thread: bool = False  # answer in a thread under the message that asked, where a surface has threads
    attachments: list[Attachment] = field(default_factory=list)  # not in to_dict(): bytes, made late

    @property
    def tone(self) -> Tone:
        return tone_of(self.verdict)

    def headline_parts(self) -> Headline:
        """The headline with the verdict's wording said once; every renderer draws from this."""
        return headline_parts(self.headline, self.verdict_label)

    @property
    def reasons(self) -> list[Item]:
        return [item for s in self.sections for item in s.items if item.rule]

    @property
    def rules(self) -> list[str]:
        return [item.rule for item in self.reasons if item.rule]

    def plain_text(self) -> str:
        lines: list[str] = []
        lines.append(self.headline_parts().line)
        for section in self.sections:
            lines.append("")
            if section.title:
                lines.append(section.title)
            for n, item in enumerate(section.items, 1):
                cite = f" [{item.rule}]" if item.rule else ""
                lines.append(f"{section.mark(n, item)} {item.text}{cite}")
        for n, q in enumerate(self.questions, 1):
            if n == 1:
                lines.append("")
            choices = " ".join(f"[{c.label}]" for c in q.choices)
            lines.append(f"{n}. {q.prompt}" + (f" {choices}" if choices else ""))
        if self.draft:
            lines += ["", "Draft:", self.draft]
        if self.footer:
            lines += ["", self.footer]
        if self.actions:
            lines += ["", " ".join(f"[{a.label}]" for a in self.actions)]
        return "\n".join(lines).strip()

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape (`coach ask --json`)."""
        return {
            "intent": self.intent,
            "verdict": self.verdict,
            "headline": self.headline,
            "text": self.plain_text(),
            "reasons": [{"rule": i.rule, "text": i.text} for i in self.reasons],
            "missing": list(self.missing),
            "draft": self.draft,
            "draft_source": self.draft_source,
            "sections": [asdict(s) for s in self.sections],
            "actions": [asdict(a) for a in self.actions],
            "questions": [asdict(q) for q in self.questions],
        }
