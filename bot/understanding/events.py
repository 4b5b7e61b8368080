"""Counting events told in a story: favours a Microsoft person already did for us.

"Jane got us the Copilot trial", "in October he chased the deal desk for us", "she sorted out the
billing mess, and last week she got us into the briefing", "I asked her to lean on the deal desk",
"Marc already did us two favours": each is a favour drawn from that person's jar, told as an event
rather than logged. Pure; the cue words are in knowledge/dialogue.yaml (`favours_told:`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.dialogue.config import dialogue_config
from bot.knowledge import Knowledge
from bot.understanding.values import words_value

_PRONOUN = r"(?:she|he)"
_SAME = "\x00same"  # the person of the event before it in the sentence
# Sentences; "Mr. Nakamura" is not the end of one.
_SENTENCES = re.compile(r"(?<=[.!?;])(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bMrs\.)\s+|\n+", re.IGNORECASE)


def _count_word(word: str) -> int:
    if word.isdigit():
        return int(word)
    v = words_value(word.casefold())
    return int(v) if v is not None and v == int(v) else 0


def favours_told(
    text: str, kb: Knowledge, people: Iterable[str], *, last: str | None = None
) -> dict[str, int]:
    """How many favours each Microsoft person (`people`, names in the order they were named, the
    last one first for pronouns) did for us or were asked for, as this message tells it.

    `last`: the person a pronoun means before any name is said in the message."""
    cfg = dialogue_config(kb).favours_told
    names = [n for n in dict.fromkeys(p.strip() for p in people) if n]
    if not names:
        return {}
    flags = re.IGNORECASE
    name_alt = "|".join(re.escape(n.split()[0]) for n in sorted(names, key=len, reverse=True))
    who = rf"(?P<who>\b(?:{name_alt})\b|\b{_PRONOUN}\b)"
    # "Tom, our AE, kindly …", "priya (their TS) did …": an aside between the person and the verb
    aside = r"(?:\s*,[^,.;]{1,40},|\s*\([^()]{1,40}\))?"
    done = re.compile(rf"{who}{aside}\s+{cfg.manner}{cfg.done}", flags)
    # "… then helped w the landing zone review": the person left out, as people do in a story
    # that goes on (a continuation word first; a bare verb is more often "I" left out)
    elided = re.compile(
        rf"^\s*(?:(?:and|then|also|plus|later|after\s+that|since\s+then)\b[,\s]*)+{cfg.manner}{cfg.done}",
        flags,
    )
    again = re.compile(cfg.again, flags)
    # "she got us the trial, rushed a quote through and got us into a briefing": a list of favours
    listed = re.compile(rf"(?:,|\band\b|\+)\s+(?:then\s+|also\s+)?{cfg.done}", flags)
    asked_counted = re.compile(cfg.asked_counted.replace("{who}", who), flags)
    asked = re.compile(rf"{cfg.asked_lead}\s+(?P<who>\b(?:{name_alt})\b|\b(?:her|him)\b)\s+to\b", flags)
    counted = re.compile(rf"{who}{aside}\s+{cfg.manner}{cfg.counted}", flags)
    out: dict[str, int] = {}
    current = last
    by_first = {n.split()[0].casefold(): n for n in names}

    def person(said: str) -> str | None:
        nonlocal current
        key = said.casefold()
        if key in ("she", "he", "her", "him") or said is _SAME or said == current:
            return current
        current = by_first.get(key, current)
        return current

    for sentence in _SENTENCES.split(text):
        found: dict[str, int] = {}
        events = sorted(
            [(m.start(), m.group("who"), 1) for m in done.finditer(sentence)]
            + [(m.start(), m.group("who"), 1) for m in asked.finditer(sentence)],
        )
        if not events and current is not None:
            m = elided.match(sentence)
            if m is not None:  # the person last talked about did it
                events.append((m.start(), current, 1))
        if events:  # "…, and again last week on the security questions": one more, by the same person
            first = min(at for at, _, _ in events)
            ends = {m.end() for rx in (done, asked) for m in rx.finditer(sentence)}
            for m in listed.finditer(sentence, first + 1):
                if m.end() not in ends:  # not the verb of an event already counted
                    events.append((m.start(), _SAME, 1))
            for m in again.finditer(sentence, first + 1):
                if not any(at >= m.start() for at, _, _ in events):
                    events.append((m.start(), _SAME, 1))
        for m in counted.finditer(sentence):
            events.append((m.start(), m.group("who"), -_count_word(m.group("n"))))
        for m in asked_counted.finditer(sentence):
            events.append((m.start(), m.group("who"), -_count_word(m.group("n"))))
        # names said in the sentence move "current" in order, so a later pronoun means them
        mentions = sorted(
            [(m.start(), m.group(0)) for m in re.finditer(rf"\b(?:{name_alt})\b", sentence, flags)]
        )
        for at, said, n in sorted(events, key=lambda e: e[0]):
            for m_at, m_said in mentions:
                if m_at <= at:
                    person(m_said)
            name = person(said)
            if name is None:
                continue
            if n < 0:  # "did us two favours": the count told, at least
                found[name] = max(found.get(name, 0), -n)
            else:
                found[name] = found.get(name, 0) + n
        for _, m_said in mentions:
            person(m_said)
        for name, n in found.items():
            out[name] = out.get(name, 0) + min(n, 10)
    return out


def strangers_told(text: str, kb: Knowledge, people: Iterable[str], *, last: str | None = None) -> list[str]:
    """The Microsoft people this message says we have no relationship with ("Daniel is their
    AVP. Never met him", "nobody here has any relationship with her", "met him precisely once"):
    the person named in the same sentence, or the one a pronoun means."""
    return list(_told_of(dialogue_config(kb).strangers, text, people, last))


def close_told(text: str, kb: Knowledge, people: Iterable[str], *, last: str | None = None) -> list[str]:
    """The Microsoft people this message says we know well ("we have a good relationship with
    Gordon", "we know him for four years", "a mate, Chloe", "the TS we get on with")."""
    return list(_told_of(dialogue_config(kb).favours_told.close, text, people, last))


def given_told(text: str, kb: Knowledge, people: Iterable[str], *, last: str | None = None) -> dict[str, int]:
    """Value we gave each Microsoft person, as this message tells it ("we did a case study for her
    team + spoke at her customer event": 2): each fills their jar back up."""
    rx = re.compile(dialogue_config(kb).favours_told.given, re.IGNORECASE)
    return _told_of(rx, text, people, last, count=True)


def _told_of(
    rx: re.Pattern[str] | str, text: str, people: Iterable[str], last: str | None, *, count: bool = False
) -> dict[str, int]:
    """Per person, how many times `rx` matched in a sentence about them (the person named in the
    sentence, the last one named before the match, else the one talked about before)."""
    if isinstance(rx, str):
        rx = re.compile(rx, re.IGNORECASE)
    names = [n for n in dict.fromkeys(p.strip() for p in people) if n]
    if not names:
        return {}
    name_rx = re.compile(r"\b(?:" + "|".join(re.escape(n.split()[0]) for n in names) + r")\b", re.IGNORECASE)
    by_first = {n.split()[0].casefold(): n for n in names}
    out: dict[str, int] = {}
    current = last
    for sentence in _SENTENCES.split(text):
        said = [(m.start(), m.group(0)) for m in name_rx.finditer(sentence)]
        for m in rx.finditer(sentence):
            before = [w for at, w in said if at <= m.start()]
            pick = before[-1] if before else (said[0][1] if said else None)
            who = by_first.get(pick.casefold()) if pick else current
            if who:
                out[who] = out.get(who, 0) + 1 if count else 1
        if said:
            current = by_first.get(said[-1][1].casefold(), current)
    return {k: min(v, 10) for k, v in out.items()}
