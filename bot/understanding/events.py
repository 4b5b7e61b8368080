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
from bot.playbooks.people import role_names
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
    last one first for pronouns) did for us or were asked for, as this message tells it: the
    events told, or the count told when it is larger ("two favours", "asked him twice"), not both.

    `last`: the person a pronoun means before any name is said in the message."""
    return {
        name: min(max(events, count), 10)
        for name, (events, count) in favours_and_counts_told(text, kb, people, last=last).items()
    }


def favours_and_counts_told(
    text: str, kb: Knowledge, people: Iterable[str], *, last: str | None = None
) -> dict[str, tuple[int, int]]:
    """Per Microsoft person: (favours told as events, the largest count of asks told). Events
    add up across messages ("she extended the quote", "then she arranged a briefing"); a count is
    a total said again and again ("two favours this month", "I've asked him twice"), so the
    largest told stands and it is never added to itself or to the events it sums up."""
    cfg = dialogue_config(kb).favours_told
    names = [n for n in dict.fromkeys(p.strip() for p in people) if n]
    if not names:
        return {}
    flags = re.IGNORECASE
    name_alt = "|".join(re.escape(n.split()[0]) for n in sorted(names, key=len, reverse=True))
    who = rf"(?P<who>\b(?:{name_alt})\b|\b{_PRONOUN}\b)"
    # "Tom, our AE, kindly …", "priya (their TS) did …": an aside between the person and the verb
    # … or where they sit: "Lucia from the account team arranged …", "Kim on their side sorted …"
    aside = (
        r"(?:\s*,[^,.;]{1,40},|\s*\([^()]{1,40}\)|\s+(?:from|at|on|of|in)\s+(?:the\s+|their\s+|our\s+)?"
        r"(?:account\s+team|microsoft|ms|msft|their\s+side|other\s+side|deal\s+desk|partner))?"
    )
    # the favour verbs of knowledge/dialogue.yaml, and more of ours (knowledge/favors.yaml `told.done`)
    did = rf"(?:{cfg.done}|{kb.section('favors.told').done})"
    done = re.compile(rf"{who}{aside}\s+{cfg.manner}{did}", flags)
    # "… then helped w the landing zone review": the person left out, as people do in a story
    # that goes on (a continuation word first; a bare verb is more often "I" left out)
    elided = re.compile(
        rf"^\s*(?:(?:and|then|also|plus|later|after\s+that|since\s+then)\b[,\s]*)+{cfg.manner}{did}",
        flags,
    )
    again = re.compile(cfg.again, flags)
    # "she got us the trial, rushed a quote through and got us into a briefing": a list of favours
    # … with when it happened said first: "…, fixed our config in August and last month expedited …"
    when = (
        r"(?:(?:last|this|in|on|early|late|back\s+in)\s+\w+\s+|an?\s+\w+\s+ago\s+|\w+\s+\w+\s+ago\s+"
        r"|yesterday\s+)"
    )
    listed = re.compile(rf"(?:,|\band\b|\+)\s+(?:then\s+|also\s+)?{when}?(?:then\s+|also\s+)?{did}", flags)
    # a count of asks names the person after the verb, often as "him" / "her"
    who_asked = rf"(?P<who>\b(?:{name_alt})\b|\b(?:{_PRONOUN}|her|him)\b)"
    asked_counted = re.compile(cfg.asked_counted.replace("{who}", who_asked), flags)
    asked_times = re.compile(kb.section("favors.told").asked_times.replace("{who}", who_asked), flags)
    asked = re.compile(rf"{cfg.asked_lead}\s+(?P<who>\b(?:{name_alt})\b|\b(?:her|him)\b)\s+to\b", flags)
    counted = re.compile(rf"{who}{aside}\s+{cfg.manner}{cfg.counted}", flags)
    out: dict[str, tuple[int, int]] = {}
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
        counts: dict[str, int] = {}
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
        for m in asked_times.finditer(sentence):
            n = {"once": 1, "twice": 2, "thrice": 3}.get((m.group("word") or "").casefold())
            events.append((m.start(), m.group("who"), -(n or _count_word(m.group("n") or ""))))
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
                counts[name] = max(counts.get(name, 0), -n)
            elif n:
                found[name] = found.get(name, 0) + n
        for _, m_said in mentions:
            person(m_said)
        for name in {*found, *counts}:
            events_before, count_before = out.get(name, (0, 0))
            out[name] = (
                min(events_before + found.get(name, 0), 10),
                min(max(count_before, counts.get(name, 0)), 20),
            )
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


# --- a role said beside the name: "jane (the AE)", "Jane, our AE,", "our CSM Tom", "Kenji from
# the deal desk", "Hugo - he's our partner manager", "Sam is the account executive" ----------------
_DET = r"(?:our|the|their|my|an?)\s+(?:new\s+|main\s+|current\s+|usual\s+|microsoft\s+)?"


def _role_words(kb: Knowledge) -> tuple[str, dict[str, str]]:
    """Every role name as one alternation (longest first) and each name's role key."""
    owners: dict[str, str] = {}
    for role in kb.roles.values():
        for alias in role_names(role):
            owners.setdefault(alias.casefold(), role.key)
    alt = "|".join(re.escape(a) for a in sorted(owners, key=len, reverse=True))
    return alt, owners


def _role_beside_rx(kb: Knowledge, name: str) -> list[re.Pattern[str]]:
    alt, _ = kb.derive("favors.role_words", _role_words)
    n = rf"(?<![\w]){re.escape(name.split()[0])}(?:\s+[A-Z][\w'-]+)?(?!\w)"
    a = rf"(?P<role>{alt})(?![\w-])"
    flags = re.IGNORECASE
    return [
        re.compile(rf"{n}\s*\(\s*(?:{_DET})?{a}[^)]{{0,30}}\)", flags),
        re.compile(
            rf"{n}\s*(?:,|\s[–—-]|:)\s*(?:(?:he|she|they)(?:'s|\s+is|\s+are)\s+|who(?:'s|\s+is)\s+)?{_DET}{a}",
            flags,
        ),
        re.compile(
            rf"{_DET}{a}\s*(?:,\s*|\s+(?:there\s+|here\s+|now\s+)?(?:is\s+(?:called\s+)?|'s\s+)?){n}", flags
        ),
        re.compile(rf"{n}\s+(?:from|on|in|at|of)\s+{_DET}{a}", flags),
        re.compile(rf"{n}\s+(?:is|was|'s|has\s+been|became)\s+(?:still\s+)?{_DET}{a}", flags),
    ]


def role_beside(text: str, name: str, kb: Knowledge) -> str | None:
    """The role (a knowledge/roles.yaml key) said right beside `name` in `text`, if any."""
    if not name.strip():
        return None
    _, owners = kb.derive("favors.role_words", _role_words)
    for rx in _role_beside_rx(kb, name):
        m = rx.search(text)
        if m:
            return owners.get(m.group("role").casefold())
    return None


_NOT_NAMES = frozenset(
    {
        "i",
        "we",
        "to",
        "for",
        "about",
        "and",
        "or",
        "if",
        "is",
        "was",
        "again",
        "too",
        "microsoft",
        "ms",
        "msft",
    }
    | {
        "our",
        "the",
        "their",
        "my",
        "also",
        "then",
        "so",
        "but",
        "hi",
        "hey",
        "ok",
        "okay",
        "yes",
        "no",
        "thanks",
    }
)


def people_beside_roles(text: str, kb: Knowledge) -> list[tuple[str, str]]:
    """(name, role key) for each Microsoft person the text names right beside a role ("our CSM
    Ada", "Hugo, our partner manager,"), in order."""
    alt, owners = kb.derive("favors.role_words", _role_words)
    out: list[tuple[str, str]] = []
    name = r"(?P<name>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)"
    for rx in (
        re.compile(rf"\b(?i:{_DET}(?P<role>{alt}))(?![\w-])\s*,?\s+{name}"),
        re.compile(rf"{name}\s*(?:\(\s*(?i:{_DET})?|,\s*(?i:{_DET}))(?P<role>(?i:{alt}))(?![\w-])"),
    ):
        for m in rx.finditer(text):
            who = m.group("name")
            if who.split()[0].casefold() not in _NOT_NAMES and all(n != who for n, _ in out):
                out.append((who, owners[m.group("role").casefold()]))
    return out


def name_after_role(text: str, kb: Knowledge) -> str | None:
    """ "our CSM Tom", "the AE, Jane,": a name said right after a Microsoft role."""
    alt, _ = kb.derive("favors.role_words", _role_words)
    rx = re.compile(rf"\b(?i:{_DET}(?:{alt}))(?![\w-])\s*,?\s+(?P<name>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)")
    for m in rx.finditer(text):
        if m.group("name").split()[0].casefold() not in _NOT_NAMES:
            return m.group("name")
    return None


def without_role_aside(text: str, kb: Knowledge) -> str:
    """ "their account exec, to keep the price" -> "to keep the price": the role said beside a
    name is who they are, not what would be asked of them."""
    alt, _ = kb.derive("favors.role_words", _role_words)
    rx = re.compile(
        rf"^\s*[,(–—-]?\s*(?:(?:he|she|they)(?:'s|\s+is|\s+are)\s+|who(?:'s|\s+is)\s+)?(?:{_DET})?"
        rf"(?:{alt})(?![\w-])(?:\s+(?:guy|lady|person|team|there|here|on\s+our\s+account))?\s*[,)–—-]\s*",
        re.IGNORECASE,
    )
    return rx.sub("", text, count=1)


_THEIR_PERSON = re.compile(
    r"\b([A-Z][a-z][\w'-]+)(?=\s+(?:from|at|on|in|of)\s+(?:the\s+|their\s+)?"
    r"(?i:account\s+team|microsoft|ms|msft|their\s+side|other\s+side)\b)"
)


def their_people(text: str, kb: Knowledge) -> list[tuple[str, str | None]]:
    """(name, role key or None) for the Microsoft people the text names by where they sit or
    beside their role: "Lucia from the account team", "Ines from Microsoft", "our CSM Ada"."""
    out: list[tuple[str, str | None]] = list(people_beside_roles(text, kb))
    for m in _THEIR_PERSON.finditer(text):
        if m.group(1).casefold() not in _NOT_NAMES and all(n != m.group(1) for n, _ in out):
            out.append((m.group(1), None))
    return out
