"""Finding Microsoft roles and people in what the user typed. Pure helpers shared by the
disclosure, leak-check, favor, commitment and meeting playbooks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from bot.knowledge import Knowledge, RoleSpec


@lru_cache(maxsize=512)
def _phrases_re(phrases: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, tuple[int, str]]]:
    """One scan for a whole list of phrases: at each word start, the longest phrase that ends
    on a word boundary there (a lookahead, so every start is tried). Each folded phrase maps to
    (its place in the list, the phrase as given), the first of equal spellings winning."""
    index: dict[str, tuple[int, str]] = {}
    for i, phrase in enumerate(phrases):
        if phrase:
            index.setdefault(phrase.casefold(), (i, phrase))
    alternatives = "|".join(re.escape(p) for p in sorted(index, key=len, reverse=True))
    return re.compile(r"(?<![\w-])(?=(" + alternatives + r")(?![\w-]))"), index


def find_phrase(text: str, phrases: Iterable[str]) -> tuple[int, str] | None:
    """The longest phrase that occurs as whole words in text: (position, phrase); of equally
    long ones the first in the list, at its first occurrence."""
    pattern, index = _phrases_re(tuple(phrases))
    if not index:
        return None
    first: dict[str, int] = {}
    for m in pattern.finditer(text.casefold()):
        first.setdefault(m.group(1), m.start())
    if not first:
        return None
    best = min(first, key=lambda p: (-len(p), index[p][0]))
    return first[best], index[best][1]


def role_names(role: RoleSpec) -> list[str]:
    return [role.key.replace("_", " "), role.title, *role.aliases]


def find_role(text: str, kb: Knowledge) -> RoleSpec | None:
    """The role named in text; the longest alias wins ("account technology strategist" over "ts"),
    and of equally long ones the role listed first."""
    names, owners = kb.derive("people.role_names", _role_owners)
    hit = find_phrase(text, names)
    return kb.roles[owners[hit[1]]] if hit else None


def _role_owners(kb: Knowledge) -> tuple[tuple[str, ...], dict[str, str]]:
    """Every role's names in role order, each mapped to the (first) role it names."""
    owners: dict[str, str] = {}
    for role in kb.roles.values():
        for name in role_names(role):
            owners.setdefault(name, role.key)
    return tuple(owners), owners


def role_title(kb: Knowledge, key: str | None) -> str:
    if key and key in kb.roles:
        return kb.roles[key].title
    return key or "Microsoft contact"


def short_role(kb: Knowledge, key: str | None) -> str:
    """How a role reads in a parenthesis: AE, CSM, technical specialist."""
    if not key:
        return "?"
    role = kb.roles.get(key)
    if role is None:
        return key
    return key.upper() if len(key) <= 3 else role.title


_PAREN_ROLE = re.compile(r"^(?P<name>[A-Za-z][\w.'-]*(?: [A-Za-z][\w.'-]*){0,2})\s*\((?P<role>[^)]{1,40})\)")


def name_and_role(text: str, kb: Knowledge) -> tuple[str, RoleSpec | None, str]:
    """'Ana (CSM) to expedite X' -> ('Ana', csm, 'to expedite X'). Name without a role: role None."""
    text = text.strip()
    m = _PAREN_ROLE.match(text)
    if m:
        return (
            m.group("name"),
            kb.role(m.group("role")) or find_role(m.group("role"), kb),
            text[m.end() :].strip(),
        )
    m = re.match(r"^(?P<name>[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)?)\b\s*(?P<rest>.*)$", text, re.DOTALL)
    if m:
        return m.group("name"), None, m.group("rest").strip()
    return "", None, text


def unquote(text: str) -> str:
    text = text.strip()
    pairs = {'"': '"', "“": "”", "'": "'", "‘": "’", "«": "»", "`": "`"}
    if len(text) >= 2 and text[0] in pairs and text[-1] == pairs[text[0]]:
        return text[1:-1].strip()
    return text
