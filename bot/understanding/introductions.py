"""Microsoft people introduced in passing, in the shapes people type them.

The fact reader knows the full sentences ("Jane is our CSM", "our AE is John Smith"). In a story
people are introduced on the way: "priya (their TS) did our sizing", "CSM (Emma) has been
helpful", "Priya our CSM got us trial seats", "CSM Maja asked …", "Neha the AE told us …",
"a mate, Chloe, who's a TS at Microsoft". Each gives a `FoundContact` (name, role) the contact map
and the dialogue state take, so a later "her" means that person. The shapes are in
knowledge/dialogue.yaml (`introductions:`, with `{name}` and `{role}`); a role is any alias of a
Microsoft role in knowledge/roles.yaml. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.dialogue.config import dialogue_config
from bot.knowledge import Knowledge
from bot.patterns import compiled
from bot.understanding.facts import FoundContact, title_words

# A name as people type it: capitalised ("Priya", "Tom Baker"); `{low_name}` also takes one word
# in lower case, where the shape alone says it is a name ("priya (their TS)").
# Letters with accents are letters too ("Róisín", "Zoë", "Łukasz" is beyond Latin-1 and not read).
_UP, _LOW = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_NAME = rf"(?-i:(?P<name>[{_UP}][{_LOW}'’-]+(?:\s+[{_UP}][{_LOW}'’-]+)?))"
_LOW_NAME = rf"(?P<name>[A-Za-zÀ-ÖØ-öø-ÿ][{_LOW}'’-]{{1,20}})"


@dataclass(frozen=True, slots=True)
class _Shapes:
    patterns: tuple[re.Pattern[str], ...]
    any_role: re.Pattern[str]  # a role named at all: most messages name none and stop here
    roles: dict[str, str]  # alias (casefolded) -> role key
    not_names: frozenset[str]


def _shapes(kb: Knowledge) -> _Shapes:
    def build(kb: Knowledge) -> _Shapes:
        roles: dict[str, str] = {}
        for key, spec in kb.roles.items():
            for alias in (key, spec.title, *(spec.aliases or [])):
                if len(alias) > 1:
                    roles.setdefault(alias.casefold(), key)
        alt = "|".join(re.escape(a) for a in sorted(roles, key=len, reverse=True))
        role = rf"(?P<role>{alt})"
        cfg = dialogue_config(kb)
        patterns = tuple(
            compiled(
                p.replace("{low_name}", _LOW_NAME).replace("{name}", _NAME).replace("{role}", role),
                re.IGNORECASE,
            )
            for p in cfg.introductions
        )
        spec = kb.section("reading.reading")
        words = {w.casefold() for w in (*spec.not_names, *spec.common_words)}
        words |= {w.casefold() for w in cfg.introductions_not_names} | set(roles)
        any_role = compiled(rf"(?<![\w'])(?:{alt})s?(?![\w'])", re.IGNORECASE)  # one of the roles, or several
        return _Shapes(patterns, any_role, roles, frozenset(words))

    return kb.derive("understanding.introductions", build)


def _unroled(kb: Knowledge) -> tuple[re.Pattern[str], ...]:
    def build(kb: Knowledge) -> tuple[re.Pattern[str], ...]:
        return tuple(
            compiled(p.replace("{name}", _NAME), re.IGNORECASE) for p in dialogue_config(kb).microsoft_people
        )

    return kb.derive("understanding.microsoft_people", build)


def _name_words(m: re.Match[str], shapes: _Shapes) -> list[str] | None:
    """The words of the name a shape matched; None when one of them is never a name. A common
    word that opens the sentence is no part of it ("Separately Jane our CSM")."""
    words = m.group("name").split()
    while len(words) > 1 and words[0].casefold() in shapes.not_names:
        words.pop(0)
    if not words or any(w.casefold() in shapes.not_names for w in words):
        return None
    return words


def microsoft_people(text: str, kb: Knowledge) -> list[tuple[str, tuple[int, int]]]:
    """Microsoft people the text names without a role ("Marta is the only one at Microsoft who
    replies"): each name with its span, in text order."""
    shapes = _shapes(kb)
    out: list[tuple[str, tuple[int, int]]] = []
    for rx in _unroled(kb):
        for m in rx.finditer(text):
            words = _name_words(m, shapes)
            if not words:
                continue
            name = " ".join(words)
            at = text.find(name, m.start())
            if not any(n.casefold() == name.casefold() for n, _ in out):
                out.append((name, (at, at + len(name))))
    return sorted(out, key=lambda f: f[1])


def introductions(text: str, kb: Knowledge) -> list[FoundContact]:
    """Microsoft people the text introduces with their role, in text order."""
    shapes = _shapes(kb)
    if shapes.any_role.search(text) is None:
        return []
    out: list[FoundContact] = []
    for rx in shapes.patterns:
        for m in rx.finditer(text):
            words = _name_words(m, shapes)
            if not words:
                continue
            if all(w.casefold() in title_words(kb) for w in words):
                continue  # "Our Customer Success Manager, Daniel, …": a title is no name
            role = shapes.roles.get(re.sub(r"\s+", " ", m.group("role")).casefold())
            if role is None:
                continue
            name = " ".join(w[:1].upper() + w[1:] for w in words)
            if any(f.name.casefold() == name.casefold() for f in out):
                continue
            out.append(FoundContact(name, role, m.span(), 0.8, m.group(0)))
    return sorted(out, key=lambda f: f.span)
