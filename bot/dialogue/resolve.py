"""A follow-up read against the conversation's state, before its intent is decided.

- A pronoun for a person ("should I ask her for a price hold?") becomes the last person named.
- "the number" / "that figure" becomes the last amount or percentage named.
- An ellipsis ("and the CSM?", "what about Priya?", "same for finance?") is the topic's question
  again, about the new person, role or team.
- "what do I do now?" after news asks what the topic's kind of news calls for
  (knowledge/dialogue.yaml `what_now`).
- A yes/no question right after Microsoft's request or statement ("do we accept?") asks about
  that statement: the counter-move, nothing logged again.

Each is a named rule; the Reading records it as a step. Pure: text, knowledge and state in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.dialogue.config import cues, dialogue_config
from bot.dialogue.state import DialogueState, Topic
from bot.understanding.parts import Reference

if TYPE_CHECKING:
    from bot.knowledge import Knowledge


@dataclass
class Resolution:
    text: str  # the message with its references replaced
    references: list[Reference] = field(default_factory=list)
    rule: str | None = None  # a follow-up rule that decides the intent itself
    intent: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    topic: Topic | None = None


def resolve(text: str, kb: Knowledge, state: DialogueState, now: datetime | None = None) -> Resolution:
    cfg = dialogue_config(kb)
    c = cues(kb)
    out = Resolution(text)
    topic = state.fresh_topic(now or datetime.now(UTC), cfg.topic_minutes) if state.topic else None

    # A pronoun for a person, "the number" for a figure: replaced from the state.
    person = state.last_person()
    if person is not None:

        def name(m: re.Match[str]) -> str:
            before = text[: m.start()]
            side = next(reversed(list(c.side_mention.finditer(before))), None)
            # "nobody from our side knows him": no person of ours for the pronoun to mean
            nobody = side is not None and re.search(
                r"\b(?:nobody|no\s+one|none|anyone|anybody)\s+(?:\w+\s+){0,2}$", before[: side.start()], re.I
            )
            if side and not nobody:  # "our CFO called, he thinks …": his own
                return m.group(0)
            if _role_mention(kb).search(before):  # "if the CSM asks, can I tell her?": the CSM
                return m.group(0)
            out.references.append(Reference("person", m.group(0), m.span()))
            return f"{person.name}'s" if m.group(0).casefold() in ("his", "hers") else person.name

        out.text = c.person_ref.sub(name, out.text)
    elif state.role is not None and state.role in kb.roles and not kb.roles[state.role].team:
        # Nobody named yet, only a role ("this VP over at Microsoft, met him once"): "ask him"
        # is that role.
        title = kb.roles[state.role].title

        def role(m: re.Match[str]) -> str:
            before = text[: m.start()]
            # a role of its own, or someone of either side, named before it: "CIO wants to call
            # their GM. do we let him?" is our CIO
            if _role_mention(kb).search(before) or c.side_mention.search(before):
                return m.group(0)
            out.references.append(Reference("person", m.group(0), m.span()))
            return f"their {title}"

        out.text = re.sub(r"\b(?:him|her)\b(?!self)", role, out.text, flags=re.IGNORECASE)
    if state.figure:
        # Named by what it is when the reading knew ("sharing that number with him" after our
        # budget was told reads "sharing our budget of 3.2M with him"): the figure alone would
        # hide what is asked about.
        named = cfg.figure_names.get(state.figure_key or "")

        def figure(m: re.Match[str]) -> str:
            out.references.append(Reference("figure", m.group(0), m.span()))
            return f"{named} of {state.figure}" if named else str(state.figure)

        out.text = c.figure_ref.sub(figure, out.text)
    yes_no = c.yes_no.search(text) or _judged_only(text, kb)
    if (
        yes_no
        and state.statement
        and (state.theirs or (topic is not None and topic.intent == "ms.statement"))
    ):
        # Right after Microsoft's statement or request: "do we accept?" asks about that.
        out.references.append(Reference("yes_no", yes_no.group(0), yes_no.span()))
        out.rule, out.intent = "yes-no-after-their-move", "ms.statement"
        out.args = {"rest": state.statement, "asked": True, "follow_up": text}
        return out
    if topic is None:
        return out
    out.topic = topic

    slot = topic.args.get("awaiting")
    if (
        slot
        and len(text.split()) <= 12
        and not c.ellipsis.search(text)
        and not _question_for_a_name(slot, text)
    ):
        # The coach asked for one missing argument: this message is it.
        out.rule, out.intent = "answers-my-question", topic.intent
        out.args = {k: v for k, v in topic.args.items() if k != "awaiting"}
        out.args[str(slot)] = text.strip(" ?.!")
        out.references.append(Reference("answer", text, (0, len(text))))
        return out
    asked = state.fresh_asked(now or datetime.now(UTC), cfg.topic_minutes)
    if asked is not None and _generic_question(text, kb):
        # "What do we say?", "thoughts?" after the meeting question and some facts told since:
        # that question again, with what is known now.
        out.references.append(Reference("generic_question", text, (0, len(text))))
        out.rule, out.intent, out.text = "generic-question-takes-topic", asked.intent, asked.text
        out.args = dict(asked.args)
        return out
    m = c.yes_no.search(text) or _judged_only(text, kb, topic.intent)
    # "and if the CSM asks, can I tell her?" names a role of its own: not the topic's question again
    if (
        m
        and topic.intent not in cfg.logging_intents
        and topic.intent != "ms.statement"
        and not _another_role(text, topic.text, kb)
    ):
        # "should we?", "good idea?" right after a question of ours: that question, again.
        out.references.append(Reference("yes_no", m.group(0), m.span()))
        out.rule, out.intent, out.text = "yes-no-follows-topic", topic.intent, topic.text
        out.args = dict(topic.args)
        return out
    m = c.what_now.search(text)
    if m:
        then = cfg.what_now.get(topic.intent)
        if topic.intent in ("fact.stated", "deal.tell") and asked is not None:
            then = asked.intent  # facts told after a question: that question, with them
        if then is None and topic.intent in cfg.what_now.values():
            then = topic.intent  # asked again after the answer to "what now?": the same answer
        if then is not None:
            out.references.append(Reference("what_now", m.group(0), m.span()))
            out.rule, out.intent = "what-now-follows-topic", then
            if then == "ms.statement" and state.statement:
                out.args = {"rest": state.statement, "asked": True, "follow_up": text}
            elif then == topic.intent:
                out.args = dict(topic.args)
                out.text = topic.text
            elif asked is not None and then == asked.intent:
                out.args = dict(asked.args)
                out.text = asked.text
            return out
    m = c.ellipsis.search(text)
    if m and topic.intent not in cfg.logging_intents:
        new = _new_subject(text, kb)
        if new:
            role = kb.role(re.sub(r"^(?:the|our|their)\s+", "", new, flags=re.IGNORECASE))
            known = next((p for p in state.people if role is not None and p.role == role.key), None)
            rewritten = _swap_subject(topic.text, known.name if known else new, kb)
            if rewritten != topic.text:
                out.references.append(Reference("ellipsis", m.group(0), m.span()))
                out.text = rewritten
                out.rule, out.intent, out.args = "ellipsis-takes-topic", topic.intent, {}
    return out


_WORD = re.compile(r"[A-Za-z][\w'’]*")
_QUESTION_END = re.compile(r"(?<=[.!?])\s+|\n+")


# Whom the coach asked for is answered by a name or a role, never by a question of its own
# ("Would it be sensible to ask him for this?" answers no "Whom would you ask?").
_PERSON_SLOTS = frozenset({"name", "who", "with", "role"})
_ASKS_ITSELF = re.compile(
    r"^\s*(?:would|should|shall|could|can|is|are|do|does|did|what|how|why|when|will|may|might)\b[^?]*\?\s*$",
    re.IGNORECASE,
)


def names_nothing(text: str, kb: Knowledge) -> bool:
    """Made only of knowledge/dialogue.yaml's generic and judging words ("good idea or not?", "is
    that wise?"): whatever a model is sure of, it is sure of from words every question shares,
    so the conversation says what the message is about."""
    cfg = dialogue_config(kb)
    words = kb.derive(
        "dialogue.judging_or_generic",
        lambda kb: frozenset(w.casefold() for w in [*cfg.generic_question_words, *cfg.judging_words]),
    )
    said = [w.casefold().replace("’", "'") for w in _WORD.findall(text)]
    return bool(said) and len(said) <= 12 and all(w in words for w in said)


def _judged_only(text: str, kb: Knowledge, topic: str | None = None) -> re.Match[str] | None:
    """A question that only judges ("wise or not?", "is that really ok?"): a yes/no about what
    came before, as the yes/no cue's own phrasings are. Asking a person again ("should I ask her
    again?") judges a favour: after talk of anything else it is a favour question of its own."""
    if not text.rstrip().endswith("?") or _ASKS_WHAT.search(text) or not names_nothing(text, kb):
        return None  # "what do I do now?" asks what comes next, not yes or no
    if topic is not None and not topic.startswith("favors.") and _ASKS_A_PERSON.search(text):
        return None
    return _WHOLE.match(text)


_ASKS_A_PERSON = re.compile(r"\bask(?:ing)?\s+(?:him|her|them)\b", re.IGNORECASE)


_WHOLE = re.compile(r"\s*(?P<q>.*?)\s*$", re.DOTALL)
_ASKS_WHAT = re.compile(r"\b(?:what|whats|what's|how|how's|why|when|who|which|where)\b", re.IGNORECASE)


def _question_for_a_name(slot: object, text: str) -> bool:
    return slot in _PERSON_SLOTS and len(text.split()) >= 4 and bool(_ASKS_ITSELF.match(text))


def _generic_question(text: str, kb: Knowledge) -> bool:
    """A question that names nothing of its own ("what do we say?", "so, thoughts?"): its last
    sentence is a question made only of knowledge/dialogue.yaml's generic words."""
    last = [s for s in _QUESTION_END.split(text.strip()) if s.strip()]
    if not last or not last[-1].rstrip().endswith("?"):
        return False
    words = _WORD.findall(last[-1])
    if not words or len(words) > 10:
        return False
    if cues(kb).ellipsis.search(last[-1]):
        return False  # "what about Ana?": the topic about someone else
    generic = _generic_words(kb)
    return all(w.casefold().replace("’", "'") in generic for w in words)


def _generic_words(kb: Knowledge) -> frozenset[str]:
    return kb.derive(
        "dialogue.generic_words",
        lambda kb: frozenset(w.casefold() for w in dialogue_config(kb).generic_question_words),
    )


_SUBJECT = re.compile(
    r"(?:what|how)\s+about\s+(?P<a>.+?)\s*\??\s*$|^\s*(?:and|or|also|but|so)\s+(?:for\s+|with\s+)?(?P<b>.+?)\s*\??\s*$"
    r"|^\s*same\s+(?:for|with|question\s+for)\s+(?P<c>.+?)\s*\??\s*$|^\s*(?:for|with)\s+(?P<d>.+?)\s*\??\s*$",
    re.IGNORECASE,
)


def _new_subject(text: str, kb: Knowledge) -> str | None:
    m = _SUBJECT.search(text.strip())
    if not m:
        return None
    said = next(g for g in m.groups() if g)
    return said.strip(" ?.!") or None


def _another_role(text: str, topic: str, kb: Knowledge) -> bool:
    """Whether the message names a Microsoft role the topic's question did not."""
    roles = {m.group(0).casefold() for m in _role_mention(kb).finditer(text)}
    return bool(roles - {m.group(0).casefold() for m in _role_mention(kb).finditer(topic)})


def _swap_subject(topic: str, new: str, kb: Knowledge) -> str:
    """The topic's question about `new` instead: its role, person or team mention replaced."""
    c = cues(kb)
    role_rx = _role_mention(kb)
    bare = re.sub(r"^(?:the|our|their)\s+", "", new, flags=re.IGNORECASE)
    # The same kind of word in the topic: a role for a role, a name for a name, a team for a team.
    if kb.role(bare) is not None:
        m = role_rx.search(topic)
        if m:
            return topic[: m.start()] + f"the {bare}" + topic[m.end() :]
    team = re.compile(r"\b(IT|finance|procurement|legal|sourcing|security)\b", re.IGNORECASE)
    if team.fullmatch(bare):
        m = team.search(topic)
        if m:
            return topic[: m.start()] + bare + topic[m.end() :]
    if kb.role(bare) is not None:  # a role for a name: "should I ask Jane …" -> "… the CSM …"
        m = re.search(r"(?<=\s)[A-Z][a-z][\w.'-]*(?:\s+[A-Z][a-z][\w.'-]*)?", topic)
        if m:
            return topic[: m.start()] + f"the {bare}" + topic[m.end() :]
    if re.fullmatch(r"[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?", bare):
        m = re.search(r"(?<=\s)[A-Z][a-z][\w.'-]*(?:\s+[A-Z][a-z][\w.'-]*)?", topic)
        if m:
            return topic[: m.start()] + bare + topic[m.end() :]
        m = role_rx.search(topic)
        if m:
            return topic[: m.start()] + bare + topic[m.end() :]
    m = c.ours.search(topic)
    if m and c.ours.fullmatch(new):
        return topic[: m.start()] + new + topic[m.end() :]
    return topic


def _role_mention(kb: Knowledge) -> re.Pattern[str]:
    def build(kb: Knowledge) -> re.Pattern[str]:
        words = sorted({a for r in kb.roles.values() for a in (r.aliases or [])}, key=len, reverse=True)
        alt = "|".join(re.escape(w) for w in words if len(w) > 1)
        return re.compile(rf"(?:\b(?:the|our|their|my)\s+)?(?<![\w'])(?:{alt})(?![\w'])", re.IGNORECASE)

    return kb.derive("dialogue.role_mention", build)
