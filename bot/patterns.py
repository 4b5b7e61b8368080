"""knowledge/'s regular expressions: compiled once per process, and checked once per content.

`compiled(pattern, flags)` is the one memo for patterns that come from knowledge/ (a finite set:
never use it for a pattern built from a message). The load-time checks that a pattern compiles
(`check`, in every section's validator) compile through the same memo, so the code that uses a
pattern afterwards gets the compiled one instead of compiling it again (there are more patterns
than `re`'s own cache holds, so each would otherwise be compiled twice).

`unchecked()` is entered by `bot.knowledge.load_knowledge` while it validates files it has
validated before with the same code (a marker keyed by a hash of both, see there): their
patterns are known to compile, so `check` skips the compile and a pattern is compiled when it
is first used. Everything else in validation still runs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_UNCHECKED: ContextVar[bool] = ContextVar("patterns_unchecked", default=False)


@functools.cache
def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, once per process for each pattern text and flags."""
    return re.compile(pattern, flags)


def check(pattern: str, flags: int = 0, *, used: bool = True) -> None:
    """Raise `re.error` when `pattern` does not compile (skipped inside `unchecked()`). `used`:
    this very text is what the code compiles later (kept in the memo); False for a stand-in
    (a template checked with its placeholders filled by dummies), compiled and let go."""
    if _UNCHECKED.get():
        return
    if used:
        compiled(pattern, flags)
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
