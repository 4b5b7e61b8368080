"""“Can I tell the CSM our budget?” — share, protect or strategic, and what to say instead.

A question that leaves out who or what ("can I tell her?", "should I tell Mr. Brandt?") takes it
from the conversation: the person's role as told before (or the deal's contacts), the role and
the kind of information of Microsoft's last request, the topic's role, the facts last told.
"""

from __future__ import annotations

import re
from typing import Any

from bot.actions import Key, Payload, Words
from bot.context import Context
from bot.knowledge import RoleSpec
from bot.playbooks.disclosure import advise, find_kinds
from bot.playbooks.people import find_role
from bot.reply import Item, Reply, Section
from bot.skills import skill


class Disclosure(Payload):
    role: Key | None = None
    what: Words | None = None


@skill("disclosure.share", needs_deal=False, payload=Disclosure)
async def share(ctx: Context, p: Disclosure) -> Reply:
    text = p.rest or ctx.intent.text
    role = ctx.kb.role(p.role) if p.role else find_role(text, ctx.kb)
    if p.what:
        found = find_kinds(p.what, ctx.kb) or _kinds_from_conversation(ctx)
    else:
        found = _kinds_asked(text, ctx)
    if role is None:
        role = _role_from_conversation(ctx, text)
    assumed = None
    if role is None:
        # "Reckon I can tell Jane about the AWS numbers?" with Jane's role never told: the person
        # named (or "her"/"him" after a name) is taken as the account team we negotiate with,
        # and the answer says so, rather than asking which role
        assumed = _person_without_a_role(ctx, text)
        role = ctx.kb.role("ae") if assumed else None
    reply = advise(ctx.kb, role.key if role else None, found)
    if assumed and reply.verdict is not None:
        reply.sections.append(
            Section(
                title="What I assumed",
                items=[
                    Item(
                        ctx.kb.say("disclosure.assumed-account-team", name=assumed),
                        rule="disclosure.assumed-account-team",
                    )
                ],
            )
        )
    return reply


_A_NAME = re.compile(r"(?-i:\b[A-Z][a-z]{2,}\b)")
_HER_HIM = re.compile(r"\b(?:her|him)\b", re.IGNORECASE)


def _person_without_a_role(ctx: Context, text: str) -> str | None:
    """The person a disclosure question names (or points back to with "her"/"him") when nobody in
    the conversation or the deal has a role for them: a name said in this message or told just
    before, not a word of ours."""
    from bot.dialogue.config import dialogue_config

    common = _common_words(ctx)
    here = [m.group(0) for m in _A_NAME.finditer(text) if m.group(0).casefold() not in common]
    if here:
        return here[0]
    if not _HER_HIM.search(text) or ctx.dialogue is None:
        return None
    for said in ctx.dialogue.fresh_told(ctx.now, dialogue_config(ctx.kb).topic_minutes):
        names = [m.group(0) for m in _A_NAME.finditer(said) if m.group(0).casefold() not in common]
        if names:
            return names[0]
    return None


def _common_words(ctx: Context) -> frozenset[str]:
    def build(kb: Any) -> frozenset[str]:
        spec = kb.section("reading.reading")
        words = {w.casefold() for w in (*spec.not_names, *spec.common_words)}
        words |= {a.casefold() for r in kb.roles.values() for a in (r.key, r.title, *(r.aliases or []))}
        words |= {c.casefold() for c in spec.competitors} | {p.casefold() for p in spec.products}
        return frozenset(words)

    return ctx.kb.derive("disclosure.common_words", build)


def _named(name: str, text: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text, re.IGNORECASE) is not None


def _role_from_conversation(ctx: Context, text: str) -> RoleSpec | None:
    """The role of the person the question names (told earlier, or a contact of the deal); else
    the Microsoft role last mentioned, of Microsoft's last request, or of the topic."""
    kb = ctx.kb
    state = ctx.dialogue
    people: list[tuple[str, str | None]] = [(p.name, p.role) for p in state.people] if state else []
    if ctx.deal is not None:
        people += [(c.name, c.role) for c in ctx.deal.contacts if c.active]
    for name, role in people:
        if role and _named(name, text) and kb.role(role) is not None:
            return kb.role(role)
    if state is None:
        return None
    # "him"/"her" is a person, never a team ("… he can't go further without the deal desk. Should
    # I tell him what we found?" asks about the AE)
    person = bool(_HER_HIM.search(text))
    last_role = kb.role(state.role) if state.role else None
    if last_role is not None and not (person and last_role.team):
        return last_role  # the Microsoft role last mentioned
    for earlier in (state.statement, state.topic.text if state.topic else None):
        role = (_person_role(earlier, kb) if person else find_role(earlier, kb)) if earlier else None
        if role is not None:
            return role
    last = state.last_person()
    if last is not None and last.role and last.side != "us":
        return kb.role(last.role)
    return None


def _person_role(text: str, kb: Any) -> RoleSpec | None:
    """The first role named in `text` that is one person's."""
    for m in re.finditer(r"\b[\w'-]+(?:\s+[\w'-]+){0,3}", text):
        role = find_role(m.group(0), kb)
        if role is not None and not role.team:
            return role
    return None


# A sentence ends at ? ! or a full stop that does not close a title ("Mr. Brandt").
_SENTENCE_END = re.compile(r"(?<=[?!])\s+|(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bMrs)\.\s+|\n+")
_TELLING = re.compile(
    r"\b(tell|share|mention|say|disclose|reveal|give|show|let\b[^.?!]{0,30}\bknow|answer|bring up)\b",
    re.IGNORECASE,
)


def _kinds_asked(text: str, ctx: Context) -> list[str]:
    """The kinds the question asks about: those in the sentence that asks about telling, else in
    the sentences before it, else what the conversation told; what follows the question is the
    person's own remark ("feels like it could get us funding"), read last."""
    sentences = [sent for sent in _SENTENCE_END.split(text) if sent.strip()]
    asking = next((i for i, sent in enumerate(sentences) if _TELLING.search(sent)), None)
    if asking is None:
        return find_kinds(text, ctx.kb) or _kinds_of_the_figure(ctx) or _kinds_from_conversation(ctx)
    return (
        find_kinds(sentences[asking], ctx.kb)
        or _kinds_of_the_figure(ctx)
        or find_kinds(" ".join(sentences[:asking]), ctx.kb)
        or _kinds_from_conversation(ctx)
        or find_kinds(" ".join(sentences[asking + 1 :]), ctx.kb)
    )


def _kinds_of_the_figure(ctx: Context) -> list[str]:
    """ "can I tell her the number?": the kind of the figure the question points back to: the
    deal fact it was read as (`from_facts`), else what its sentence names ("we've got 900k a yr
    signed off" is money approved to spend: the budget, `figure_kinds`)."""
    state, reading = ctx.dialogue, ctx.reading
    if state is None or reading is None or not state.figure:
        return []
    if not any(r.kind == "figure" for r in reading.references):
        return []
    section: dict[str, Any] = ctx.kb.data.get("disclosure") or {}
    table: dict[str, Any] = section.get("from_facts") or {}
    if state.figure_key and state.figure_key in table:
        return [str(table[state.figure_key])]
    said = state.figure_said or ""
    found = find_kinds(said, ctx.kb)
    if found:
        return found
    for kind, words in (section.get("figure_kinds") or {}).items():
        if re.search(str(words), said, re.IGNORECASE):
            return [str(kind)]
    return []


def _kinds_from_conversation(ctx: Context) -> list[str]:
    """What Microsoft last asked about, or the last disclosure question; else the kind the most
    recently told fact would reveal."""
    state = ctx.dialogue
    if state is None:
        return []
    if state.statement:
        found = find_kinds(state.statement, ctx.kb)
        if found:
            return found
    # "Our CSM asked about our seat plans and budget." … "can I tell her?": what was just asked about
    from bot.dialogue.config import dialogue_config

    topic = state.fresh_topic(ctx.now, dialogue_config(ctx.kb).topic_minutes)
    if topic is not None and topic.intent == "disclosure.share":
        found = find_kinds(topic.text, ctx.kb)
        if found:
            return found
    table: dict[str, Any] = (ctx.kb.data.get("disclosure") or {}).get("from_facts") or {}
    facts = list(state.facts)
    if ctx.reading is not None:  # told in this very message: the most recent of all
        facts = [(f.key, f.value) for f in ctx.reading.facts] + facts
    for key, _ in facts:
        if key in table:
            return [str(table[key])]
    return []
