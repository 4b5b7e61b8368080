"""knowledge/'s regular expressions: compiled once per process, and checked once per content.

`compiled(pattern, flags)` is the one memo for patterns that come from knowledge/ and for the
code's own module-level ones (a finite set: never use it for a pattern built from a message). The
load-time checks that a pattern compiles (`check`, in every section's validator) compile through
the same memo, so the code that uses a pattern afterwards gets the compiled one instead of
compiling it again (there are more patterns than `re`'s own cache holds, so each would otherwise
be compiled twice).

`unchecked()` is entered by `bot.knowledge.load_knowledge` while it validates files it has
validated before with the same code (a marker keyed by a hash of both, see there): their
patterns are known to compile, so `check` skips the compile and a pattern is compiled when it
is first used. Everything else in validation still runs.

A memoised pattern is a `Gated` one: compiled on first use, and told beforehand which words every
match must contain (read from the pattern's own text, see `gate`). A text holding none of them is
answered "no match" without the regular expression, so a message compiles and runs only the
patterns it can trigger: a one-shot `coach ask` pays for a few hundred compiles less, and every
reading skips most searches.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_UNCHECKED: ContextVar[bool] = ContextVar("patterns_unchecked", default=False)


_MEMO: dict[tuple[str, int], Gated] = {}
# Gates read before (`known_gates`, from the validated-knowledge cache) by "flags|pattern", and
# whether this process read any new one (`gates_learnt`): reading them costs more than loading.
_GATES: dict[str, tuple[str, ...]] = {}
_LEARNT: list[bool] = [False]


def known_gates(gates: Mapping[str, Any]) -> None:
    """Gates read by an earlier process for these same patterns and this same code."""
    for key, needs in gates.items():
        if isinstance(key, str) and isinstance(needs, list) and all(isinstance(n, str) for n in needs):
            _GATES[key] = tuple(needs)


def gates_learnt() -> dict[str, list[str]] | None:
    """Every gate known, when this process read one that was not known before; else None."""
    return {k: list(v) for k, v in _GATES.items()} if _LEARNT[0] else None


def compiled(pattern: str, flags: int = 0) -> Gated:
    """`re.compile(pattern, flags)`, once per process for each pattern text and flags, compiled
    when first used and skipped on texts it cannot match."""
    key = (pattern, flags)
    found = _MEMO.get(key)
    if found is None:
        found = _MEMO[key] = Gated(pattern, flags)
    return found


def memoised() -> list[Gated]:
    """Every pattern made so far (for the tests that hold each gate to its pattern)."""
    return list(_MEMO.values())


@functools.lru_cache(maxsize=256)
def _folded(text: str) -> str:
    # `re.IGNORECASE` matches "ı" (dotless i) to "i"; casefold keeps it apart.
    folded = text.casefold()
    return folded.replace("ı", "i") if "ı" in folded else folded


class Gated:
    """A compiled pattern's matching methods, behind a gate: a text containing none of `needs`
    (casefolded) has no match, so the expression is neither compiled nor run for it."""

    __slots__ = ("_needs", "_rx", "flags", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags
        self._needs: tuple[str, ...] | None = None  # read on first use
        self._rx: re.Pattern[str] | None = None

    @property
    def needs(self) -> tuple[str, ...]:
        if self._needs is None:
            key = f"{self.flags}|{self.pattern}"
            found = _GATES.get(key)
            if found is None:
                found = _GATES[key] = gate(self.pattern, self.flags)
                _LEARNT[0] = True
            self._needs = found
        return self._needs

    def compile(self) -> re.Pattern[str]:
        if self._rx is None:
            self._rx = re.compile(self.pattern, self.flags)
        return self._rx

    @property
    def rx(self) -> re.Pattern[str]:
        return self._rx if self._rx is not None else self.compile()

    def _may(self, text: str) -> bool:
        needs = self._needs if self._needs is not None else self.needs
        if not needs:
            return True
        folded = _folded(text)
        for n in needs:  # a loop, not any() over a generator: this runs for every pattern asked
            if n in folded:
                return True
        return False

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        if not self._may(string):
            return None
        return (self._rx or self.compile()).search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return (self._rx or self.compile()).match(string, pos, endpos) if self._may(string) else None

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return (self._rx or self.compile()).fullmatch(string, pos, endpos) if self._may(string) else None

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return (self._rx or self.compile()).finditer(string, pos, endpos) if self._may(string) else iter(())

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return (self._rx or self.compile()).findall(string, pos, endpos) if self._may(string) else []

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0) -> str:
        return (self._rx or self.compile()).sub(repl, string, count) if self._may(string) else string

    def subn(
        self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0
    ) -> tuple[str, int]:
        return (self._rx or self.compile()).subn(repl, string, count) if self._may(string) else (string, 0)

    def split(self, string: str, maxsplit: int = 0) -> list[str | Any]:
        return (self._rx or self.compile()).split(string, maxsplit) if self._may(string) else [string]

    @property
    def groups(self) -> int:
        return self.rx.groups

    @property
    def groupindex(self) -> Mapping[str, int]:
        return self.rx.groupindex

    def __repr__(self) -> str:
        return f"Gated({self.pattern!r}, {self.flags})"


# --- the gate: words every match contains, read from the pattern's text ----------------------
# A small reader of the pattern language, conservative by construction: whatever it does not
# understand (a verbose pattern, a conditional group, an escape it cannot place) yields "no gate",
# and the pattern then runs on every text as before. Only ASCII letters, digits and spaces count
# as literal: for them a case-insensitive match implies the casefolded text contains them.

_LITERAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ")
_MAX_NEEDS = 64  # beyond this many alternatives the check costs more than it saves


class _Unsure(Exception):
    pass


def gate(pattern: str, flags: int = 0) -> tuple[str, ...]:
    """Casefolded words of which every match of `pattern` contains at least one; () when unsure."""
    if flags & re.VERBOSE:
        return ()
    try:
        needs, end = _alternation(pattern, 0)
    except (_Unsure, IndexError):
        return ()
    if end != len(pattern) or not needs or len(needs) > _MAX_NEEDS:
        return ()
    return tuple(sorted(needs, key=len))


Needs = frozenset[str] | None  # None: this piece asks for nothing in particular


def _alternation(p: str, i: int) -> tuple[Needs, int]:
    branches: list[Needs] = []
    while True:
        needs, i = _sequence(p, i)
        branches.append(needs)
        if i < len(p) and p[i] == "|":
            i += 1
            continue
        break
    if any(b is None for b in branches):
        return None, i
    return frozenset().union(*branches), i  # type: ignore[arg-type]


def _quantifier(p: str, i: int) -> tuple[bool, int]:
    """(whether the item before `i` may be absent, index after the quantifier)."""
    if i >= len(p):
        return False, i
    c = p[i]
    if c in "?*":
        i += 1
        return True, i + 1 if i < len(p) and p[i] in "?+" else i
    if c == "+":
        i += 1
        return False, i + 1 if i < len(p) and p[i] in "?+" else i
    if c == "{":
        m = re.compile(r"\{(\d*)(,?)(\d*)\}").match(p, i)
        if m is None:
            return False, i  # a literal brace
        i = m.end()
        optional = not m.group(1) or int(m.group(1)) == 0
        return optional, i + 1 if i < len(p) and p[i] in "?+" else i
    return False, i


def _best(candidates: list[frozenset[str]]) -> Needs:
    # the most telling: the fewest alternatives, then the longest shortest word
    good = [c for c in candidates if c and all(len(w.strip()) >= 2 for w in c)]
    if not good:
        return None
    return max(good, key=lambda c: (-len(c), min(len(w) for w in c)))


def _sequence(p: str, i: int) -> tuple[Needs, int]:
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def close() -> None:
        text = "".join(run).strip()
        if text:
            candidates.append(frozenset({text.casefold()}))
        run.clear()

    while i < len(p) and p[i] not in "|)":
        c = p[i]
        if c == "\\":
            close()
            i = _escape(p, i)
            _, i = _quantifier(p, i)
        elif c == "[":
            close()
            i = _class_end(p, i)
            _, i = _quantifier(p, i)
        elif c == "(":
            close()
            needs, i = _group(p, i)
            optional, i = _quantifier(p, i)
            if needs and not optional:
                candidates.append(needs)
        elif c in ".^$":
            close()
            _, i = _quantifier(p, i + 1)
        elif c in _LITERAL:
            optional, after = _quantifier(p, i + 1)
            if optional:
                close()
            else:
                run.append(c)
                if after != i + 1:  # repeated: what follows is not next to it
                    close()
            i = after
        else:  # any other character: matched, but not counted
            close()
            _, i = _quantifier(p, i + 1)
    close()
    return _best(candidates), i


def _escape(p: str, i: int) -> int:
    c = p[i + 1]
    if c == "x":
        return i + 4
    if c == "u":
        return i + 6
    if c == "U":
        return i + 10
    if c == "N":
        return p.index("}", i) + 1
    if c.isdigit():
        j = i + 2
        while j < len(p) and p[j].isdigit():
            j += 1
        return j
    return i + 2


def _class_end(p: str, i: int) -> int:
    j = i + 1
    if j < len(p) and p[j] == "^":
        j += 1
    if j < len(p) and p[j] == "]":
        j += 1
    while p[j] != "]":
        j += 2 if p[j] == "\\" else 1
    return j + 1


def _group(p: str, i: int) -> tuple[Needs, int]:
    """The needs of the group opening at `i` and the index after its ")"."""
    j = i + 1
    counts = True
    if p.startswith("?", j):
        head = p[j : j + 3]
        if head.startswith("?#"):
            return None, p.index(")", j) + 1
        if head.startswith("?P="):
            return None, p.index(")", j) + 1
        if head.startswith("?("):
            raise _Unsure  # a conditional group
        if head.startswith(("?=", "?!")):
            counts, j = False, j + 2
        elif head.startswith(("?<=", "?<!")):
            counts, j = False, j + 3
        elif head.startswith("?P<") or (head.startswith("?<") and head[2:3] not in "=!"):
            j = p.index(">", j) + 1
        else:  # (?:...), (?flags:...), (?flags)
            k = j + 1
            while k < len(p) and p[k] not in ":)":
                k += 1
            flags = p[j + 1 : k]
            if "x" in flags.split("-")[0]:
                raise _Unsure  # verbose: spaces and "#" lose their meaning
            if p[k] == ")":
                return None, k + 1
            j = k + 1
    needs, j = _alternation(p, j)
    if j >= len(p) or p[j] != ")":
        raise _Unsure
    return (needs if counts else None), j + 1


def check(pattern: str, flags: int = 0, *, used: bool = True) -> None:
    """Raise `re.error` when `pattern` does not compile (skipped inside `unchecked()`). `used`:
    this very text is what the code compiles later (kept in the memo); False for a stand-in
    (a template checked with its placeholders filled by dummies), compiled and let go."""
    if _UNCHECKED.get():
        return
    if used:
        compiled(pattern, flags).compile()
    else:
        re.compile(pattern, flags)


def checking() -> bool:
    """False inside `unchecked()`: a validator with checks of its own beyond `check` skips them."""
    return not _UNCHECKED.get()


@contextmanager
def unchecked() -> Iterator[None]:
    token = _UNCHECKED.set(True)
    try:
        yield
    finally:
        _UNCHECKED.reset(token)
