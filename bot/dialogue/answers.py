"""Checking form answers: pull the facts a form asked for out of what the person typed, and
keep only values that fit the fact's kind (bot/dialogue/forms.py runs the form itself).

Pure functions. One reply may answer several questions at once ("2 rounds, finance yes,
about $300k a year"); what cannot be read is asked again.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from bot.amounts import format_money
from bot.knowledge import FactSpec, Knowledge, KnowledgeSection
from bot.understanding.answers import UNKNOWN, UNKNOWN_VALUE, read_yesno
from bot.understanding.dates import DateFound, read_date
from bot.understanding.money import parse_money_text
from bot.understanding.numbers import read_count_loosely

__all__ = ["UNKNOWN_VALUE", "describe", "parse_value", "read_answers", "valid_value"]


def parse_money(text: str) -> float | None:
    """Any common amount: "$2.4M", "2.4 million dollars", "€900k", "1,2 Mio €", "half a million";
    "per month" amounts are made yearly."""
    return parse_money_text(text)


def parse_int(text: str) -> int | None:
    """A count in digits or words: "4", "five", "twenty-two", "a dozen", "twice"."""
    return read_count_loosely(text)


def parse_yesno(text: str) -> bool | str | None:
    """True, False, UNKNOWN_VALUE ("not sure", "no idea", "don't know yet"), or None."""
    v = read_yesno(text)
    return UNKNOWN_VALUE if v is UNKNOWN else v  # type: ignore[return-value]


def parse_date(text: str, *, now: datetime | None = None, tz: str = "UTC") -> str | None:
    """The day an answer names, as an ISO date. With `now`, year-less and relative days are read
    too ("15 December", "next Friday"), preferring the future; without it only dates with a
    year. An ambiguous day ("12/03") is None: the question is asked again."""
    found = read_date(text, now or _NO_CLOCK, tz, relative=now is not None)
    if not isinstance(found, DateFound):
        return None
    if now is None and not re.search(r"\d{4}", found.said):
        return None
    return found.day.isoformat()


_NO_CLOCK = datetime(2000, 1, 1, tzinfo=UTC)


def parse_choice(spec: FactSpec, text: str) -> Any:
    low = text.casefold()
    for choice in spec.choices:
        words = [choice.label, str(choice.value), *choice.synonyms]
        for w in words:
            if re.search(rf"(?<!\w){re.escape(w.casefold())}(?!\w)", low):
                return choice.value
    return None


_CONFUSED = re.compile(r"\b(mean|meant|understand|follow|asking)\b", re.IGNORECASE)


def _unsure_answer(text: str) -> bool:
    """ "not sure", "no idea", "don't know yet": an answer. "not sure what you mean" is not."""
    t = text.strip()
    # A figure makes it a statement with a hedge ("we'd lose maybe 400k"), not "I don't know".
    return len(t) <= 40 and not _CONFUSED.search(t) and not _DIGIT.search(t) and read_yesno(t) is UNKNOWN


_DIGIT = re.compile(r"\d")


def parse_value(
    spec: FactSpec, text: str, kb: Knowledge, *, now: datetime | None = None, tz: str = "UTC"
) -> Any:
    """The answer as a value of the fact's kind, or None when it is not one (a question, as `kb`
    reads questions, is never the answer to a text fact)."""
    text = text.strip()
    if not text:
        return None
    if spec.kind != "yesno" and _unsure_answer(text):
        return UNKNOWN_VALUE  # "not sure" answers a question of any kind; the playbook reasons with it
    value: Any
    if spec.kind == "choice":
        value = parse_choice(spec, text)
    elif spec.kind == "number":
        value = parse_int(text)
    elif spec.kind == "money":
        value = parse_money(text)
    elif spec.kind == "yesno":
        value = parse_yesno(text)
    elif spec.kind == "date":
        value = parse_date(text, now=now, tz=tz)
    else:
        if looks_like_question(text, kb):
            return None
        choice = parse_choice(spec, text) if spec.choices and len(text) <= 20 else None
        value = choice if choice is not None else text[:500]
    return value if valid_value(spec, value) else None


def valid_value(spec: FactSpec, value: Any) -> bool:
    """Whether `value` fits the fact's kind (and its choices, for a choice fact)."""
    if value is None:
        return False
    if value == UNKNOWN_VALUE:  # "not sure" is an answer of every kind
        return True
    if spec.kind == "choice":
        return any(c.value == value for c in spec.choices)
    if spec.kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1e6
    if spec.kind == "money":
        return isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1e13
    if spec.kind == "yesno":
        return isinstance(value, bool) or value == UNKNOWN_VALUE
    if spec.kind == "date":
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return False
        return True
    return isinstance(value, str) and bool(value.strip())


def read_answers(
    text: str, keys: list[str], kb: Knowledge, *, now: datetime | None = None, tz: str = "UTC"
) -> dict[str, Any]:
    """Facts found in `text` for the pending `keys`. A key's `extract` patterns are tried
    first, then (given `now`) the sentence reader of bot/understanding; with a single question
    pending, the whole text is its answer. `now` and `tz` let year-less and relative days be read."""
    found: dict[str, Any] = {}
    for key in keys:
        value = _extracted(kb.facts[key], text, kb, now=now, tz=tz)
        if value is not None:
            found[key] = value
    remaining = [k for k in keys if k not in found]
    if remaining and now is not None:
        # Whole sentences ("the issue is Copilot pricing, worth around 250k annually").
        from bot.understanding.facts import read_facts  # lazy: it imports the playbooks

        for fact in read_facts(text, kb, now=now, tz=tz):
            if fact.key in remaining and valid_value(kb.facts[fact.key], fact.value):
                found[fact.key] = fact.value
        remaining = [k for k in keys if k not in found]
    if len(keys) == 1 and remaining:
        value = parse_value(kb.facts[keys[0]], text, kb, now=now, tz=tz)

        if value is not None:
            found[keys[0]] = value
    return found


def _extracted(spec: FactSpec, text: str, kb: Knowledge, *, now: datetime | None, tz: str) -> Any:
    """The value of the first of the fact's `extract` patterns that finds one in `text`."""
    for pattern in spec.extract:
        m = re.search(pattern, text, re.IGNORECASE)
        if m:
            value = spec_value_from_match(spec, m.groupdict().get("value") or m.group(0), kb, now=now, tz=tz)
            if value is not None:
                return value
    return None


def spec_value_from_match(
    spec: FactSpec, raw: str, kb: Knowledge, *, now: datetime | None = None, tz: str = "UTC"
) -> Any:
    if spec.kind == "choice" and spec.choices:
        return parse_choice(spec, raw)
    return parse_value(spec, raw, kb, now=now, tz=tz)


def describe(spec: FactSpec, value: Any, currency: str | None = None) -> str:
    """A fact as a person reads it back; money in the deal's `currency` when known ("€900k")."""
    if spec.kind == "choice":
        for c in spec.choices:
            if c.value == value:
                return c.label
    if spec.kind == "yesno" or value == UNKNOWN_VALUE:
        if value == UNKNOWN_VALUE:
            return "not sure"
        return "yes" if value is True else "no"
    if spec.kind == "money" and isinstance(value, int | float):
        return format_money(value, currency)
    return str(value)


# --- answers a form can trust ------------------------------------------------------------
# A form must never swallow the next message: a question or a command is not an answer, and a
# value is stored only when it fits the fact's kind and offered choices.


class FormWording(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    back: str
    resumed: str
    dropped: str
    unreadable: str
    not_a_question: str


SECTIONS = (
    KnowledgeSection("forms", "topics", TypeAdapter(dict[str, str]).validate_python),
    KnowledgeSection("forms", "default_topic", TypeAdapter(str).validate_python),
    KnowledgeSection("forms", "wording", FormWording),
)


def looks_like_question(text: str, kb: Knowledge) -> bool:
    """ "can I tell the CSM our budget?", "what about Copilot" — never a fact's value."""
    from bot.understanding.facts import looks_like_question as reads_as_question  # lazy: playbooks

    return reads_as_question(text, kb)


def topic(kb: Knowledge, resume: dict[str, Any]) -> str:
    topics: dict[str, str] = kb.section("forms.topics")
    return topics.get(str(resume.get("intent", "")), kb.section("forms.default_topic"))


def wording(kb: Knowledge) -> FormWording:
    return kb.section("forms.wording")


_NUMBER_ONLY = re.compile(
    r"^\s*(about |around |roughly |maybe |~)?(?P<n>\d{1,4}|[a-z]+(?: [a-z]+)?)\s*"
    r"(rounds?|times|meetings?|years?|yrs?|%|percent|per cent)?\s*[.!]*\s*$",
    re.IGNORECASE,
)
_YES_ONLY = re.compile(
    r"^\s*(yes|yep|yeah|y|sure|correct|agreed|true|we have|we do|they have|they do)\s*[.!]*$", re.IGNORECASE
)
_NO_ONLY = re.compile(
    r"^\s*(no|nope|n|not yet|false|we haven't|we have not|we don't|they haven't|none)\s*[.!]*$", re.IGNORECASE
)
_MONEY_MARK = re.compile(
    r"[$€£]|\d\s*(k|m|mm|bn|b|thousand|million|billion)\b|\b(usd|eur|gbp)\b", re.IGNORECASE
)


def strict_value(spec: FactSpec, text: str, *, now: datetime | None = None, tz: str = "UTC") -> Any:
    """The whole short reply as a value of this fact's kind, or None: "3" is a number, "$2.4M"
    money, "not yet" a no. Free text never passes here, so several open questions can share
    one short reply without guessing."""
    t = text.strip()
    offered = _offered_choice(spec, t)
    if offered is not None or spec.kind == "choice":
        return offered
    if spec.kind == "number":
        m = _NUMBER_ONLY.match(t)
        return parse_int(m.group("n")) if m else None
    if spec.kind == "money":
        return parse_money(t) if _MONEY_MARK.search(t) and len(t.split()) <= 5 else None
    if spec.kind == "yesno":
        return True if _YES_ONLY.match(t) else False if _NO_ONLY.match(t) else None
    if spec.kind == "date":
        return parse_date(t, now=now, tz=tz) if len(t.split()) <= 5 else None
    return None


def _offered_choice(spec: FactSpec, text: str) -> Any:
    low = text.casefold().strip(" .!")
    for choice in spec.choices:
        if low in {w.casefold() for w in (choice.label, str(choice.value), *choice.synonyms)}:
            return choice.value
    return None


def read_short_answer(
    text: str, keys: list[str], kb: Knowledge, *, now: datetime | None = None, tz: str = "UTC"
) -> dict[str, Any]:
    """With several questions open, a short reply answers the first question (in asking order)
    that it fits: an offered choice first, then a value of the question's kind."""
    if len(text.split()) > 5:
        return {}
    for key in keys:
        value = _offered_choice(kb.facts[key], text)
        if value is not None:
            return {key: value}
    for key in keys:
        value = strict_value(kb.facts[key], text, now=now, tz=tz)
        if value is not None:
            return {key: value}
    return {}


_LOOSE_INT = re.compile(
    r"(?<![\d.,$€£])(\d{1,4})(?![\d.,]|\s*(?:%|percent|per cent|k\b|m\b|mm\b|million|bn\b))", re.IGNORECASE
)


def _loose_value(
    spec: FactSpec, text: str, kb: Knowledge, *, now: datetime | None = None, tz: str = "UTC"
) -> Any:
    """A longer reply to the one open question: "3 so far", "about $300k a year". A count is
    never read from a percentage or an amount, and money needs a currency, a multiplier or
    four digits, so "we need 20% off" answers neither."""
    if spec.kind == "number":
        m = _LOOSE_INT.search(text)
        return int(m.group(1)) if m else parse_int(text) if not re.search(r"\d", text) else None
    if spec.kind == "money":
        value = parse_money(text)
        if value is None or not (_MONEY_MARK.search(text) or value >= 1000):
            return None
        return value
    return parse_value(spec, text, kb, now=now, tz=tz)


def read_form_answers(
    text: str,
    keys: list[str],
    kb: Knowledge,
    *,
    free_text: bool = True,
    now: datetime | None = None,
    tz: str = "UTC",
) -> dict[str, Any]:
    """The answers to the open questions `keys` in what the person typed. A question is never
    a fact's value; free text answers an open text question only when `free_text` (the
    person has not turned to something else) and the fact takes free text."""
    question = looks_like_question(text, kb)
    found: dict[str, Any] = {}
    passing: dict[str, Any] = {}  # facts said in passing that were not asked
    if now is not None:  # whole sentences: "the issue is Copilot pricing, worth around 250k a year"
        from bot.understanding.facts import read_facts  # lazy: it imports the playbooks

        # The sentence reader first: it reads "finance is on board" as Finance yes, where a
        # question's own pattern would keep the whole sentence.
        for fact in read_facts(text, kb, now=now, tz=tz):
            if valid_value(kb.facts[fact.key], fact.value):
                if fact.key in keys:
                    found[fact.key] = fact.value
                else:  # a story carried on may answer one question and tell more: both are kept
                    passing[fact.key] = fact.value
    # A sentence that stated other facts is not, whole, the answer to an open text question:
    # "our renewal is end of June next year" is never the alternative.
    free_text = free_text and not passing
    answers = _pending_answers(text, keys, kb, found, question, free_text=free_text, now=now, tz=tz)
    # Facts in passing ride with an answer; alone, they are news (the form waits, see coach).
    return {**passing, **answers} if answers else {}


def _pending_answers(
    text: str,
    keys: list[str],
    kb: Knowledge,
    found: dict[str, Any],
    question: bool,
    *,
    free_text: bool,
    now: datetime | None,
    tz: str,
) -> dict[str, Any]:
    for key in keys:
        spec = kb.facts[key]
        if key in found or (question and spec.kind == "text"):
            continue
        value = _extracted(spec, text, kb, now=now, tz=tz)
        if value is not None:
            found[key] = value
    if found:
        return found
    if len(keys) > 1:
        if not question and _unsure_answer(text):  # like any short answer: the first open question
            return {keys[0]: UNKNOWN_VALUE}
        found = read_short_answer(text, keys, kb, now=now, tz=tz)
        free = [k for k in keys if kb.facts[k].kind == "text" and kb.facts[k].free_text]
        if found or len(free) != 1 or question or not free_text:
            return found
        keys = free  # the one open question that takes words answers a longer reply
    if not keys:
        return {}
    spec = kb.facts[keys[0]]
    if not question and _unsure_answer(text):
        return {keys[0]: UNKNOWN_VALUE}  # "not sure" answers one open question of any kind
    value = strict_value(spec, text, now=now, tz=tz)
    if value is None and not question:
        if spec.kind != "text":
            value = _loose_value(spec, text, kb, now=now, tz=tz)
        elif free_text and spec.free_text and not _story_goes_on(text):
            value = text.strip()[:500] or None
    return {keys[0]: value} if value is not None else {}


# A reply that carries the story on ("And the TS floated a preview…", two sentences of news) is
# not the words of an answer to an open text question: the form waits (rule forms.story-goes-on).
_STORY_LEAD = re.compile(
    r"^\s*(?:and|so|then|also|plus|separately|meanwhile|anyway|oh|btw|by the way|on top of that|"
    r"in addition|besides|next|later|yesterday|today|this morning|last week)\b",
    re.IGNORECASE,
)
_SENTENCES = re.compile(r"[.!?](?:\s+|$)")


def _story_goes_on(text: str) -> bool:
    t = text.strip()
    sentences = [x for x in _SENTENCES.split(t) if x.strip()]
    return len(sentences) > 1 or len(t.split()) > 18 or bool(_STORY_LEAD.match(t))
