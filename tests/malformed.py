"""Malformed-but-well-signed payloads for the shape fuzz tests (tests/slack/test_shapes_fuzz.py,
tests/teams/test_teams_shapes_fuzz.py).

Each starts from a well-formed request a listener takes (a template), then breaks one to three
of the fields that listener reads: a required field missing or null, any field of the wrong
JSON type, a string far past any bound, an identifier with a control character, or nested junk
where a scalar or an object was. Every break is one no real client sends, so the request must
be answered at the edge (a 4xx, a clean ack or one short line) and nothing may be written.
A field the templates do not list is never touched: a wrong type there is harmless by design.
Fixed seed, so a failure replays.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Any

Path = tuple[str | int, ...]
MARK = "MLF"


@dataclass(frozen=True)
class Template:
    kind: str
    body: dict[str, Any]
    required: frozenset[Path]  # may not be missing or null
    flat: bool = False  # a form of strings (a slash command): only strings can be sent
    ids: frozenset[Path] = field(default_factory=frozenset)  # short tokens: no control characters
    # the fields to break (default: every field of the template)
    only: frozenset[Path] = field(default_factory=frozenset)


def leaves(body: Any, path: Path = ()) -> list[Path]:
    """Every path in the template, containers included (a whole object may be broken too)."""
    out: list[Path] = [path] if path else []
    if isinstance(body, dict):
        for k, v in body.items():
            out += leaves(v, (*path, k))
    elif isinstance(body, list):
        for i, v in enumerate(body):
            out += leaves(v, (*path, i))
    return out


def _get(body: Any, path: Path) -> Any:
    for p in path:
        body = body[p]
    return body


def _set(body: Any, path: Path, value: Any) -> None:
    _get(body, path[:-1])[path[-1]] = value


def _drop(body: Any, path: Path) -> None:
    parent = _get(body, path[:-1])
    if isinstance(parent, dict):
        parent.pop(path[-1], None)
    else:
        del parent[path[-1]]


class Breaker:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.n = 0
        self.counts: dict[str, int] = {}

    def _note(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def huge(self) -> str:
        return f"{MARK}{self.n}" + "x" * self.r.choice([50_001, 90_000, 200_000])

    def junk(self, not_like: Any, depth: int = 0) -> Any:
        """Nested junk of another JSON type than `not_like` (so it can never fit its place)."""
        if isinstance(not_like, dict):
            return [self.junk(0, depth + 1) for _ in range(self.r.randint(1, 3))]
        if isinstance(not_like, list):
            return {f"{MARK}{self.n}k{i}": self.junk(0, depth + 1) for i in range(self.r.randint(1, 3))}
        if depth > 5 or self.r.random() < 0.3:
            return self.r.choice([7, -1, 2**70, 1.5, True, None] if depth else [[7], {"k": None}])
        return self.r.choice(
            [
                [self.junk(0, depth + 1), f"{MARK}{self.n}"],
                {f"{MARK}{self.n}": self.junk(0, depth + 1)},
            ]
        )

    def wrong_type(self, like: Any) -> Any:
        choices: list[Any] = [0, 17, -3, 2**64, 2.5, [], [f"{MARK}{self.n}"], {}, {"id": 5}]
        if not isinstance(like, bool):
            choices += [True, False]
        if not isinstance(like, str):
            choices += [f"{MARK}{self.n}", ""]
        if isinstance(like, int | float) and not isinstance(like, bool):
            choices = [c for c in choices if isinstance(c, bool) or not isinstance(c, int | float)]
        return self.r.choice(
            [c for c in choices if type(c) is not type(like) and not (like == {} and c == {})]
        )

    def break_one(self, t: Template, body: dict[str, Any], broken: list[Path]) -> None:
        """Breaks one field not broken yet (a second break of the same field could mend it)."""
        candidates = sorted(t.only, key=lambda p: [str(x) for x in p]) if t.only else leaves(t.body)
        paths = [p for p in candidates if _exists(body, p) and not any(p[: len(b)] == b for b in broken)]
        if not paths:
            return
        path = self.r.choice(paths)
        broken.append(path)
        value = _get(body, path)
        options = ["huge"] if isinstance(value, str) else []
        if path in t.ids and isinstance(value, str):
            options += ["control"]
        if path in t.required:
            options += ["missing", "empty"] if t.flat else ["missing", "null"]
        if not t.flat:
            options += ["wrong type", "junk"]
        if not options:  # an optional field of a form: only too long can break it
            options = ["huge"]
        what = self.r.choice(options)
        self._note(what)
        if what == "missing":
            _drop(body, path)
        elif what == "null":
            _set(body, path, None)
        elif what == "empty":
            _set(body, path, "")
        elif what == "huge":
            _set(body, path, self.huge())
        elif what == "control":
            _set(body, path, value[:3] + self.r.choice(["\x00", "\n", "\x7f", "\x1b"]) + value[3:])
        elif what == "wrong type":
            _set(body, path, self.wrong_type(value))
        else:
            _set(body, path, self.junk(value))

    def next(self, templates: list[Template]) -> tuple[Template, dict[str, Any]]:
        self.n += 1
        t = self.r.choice(templates)
        body = copy.deepcopy(t.body)
        broken: list[Path] = []
        for _ in range(self.r.choice([1, 1, 1, 2, 3])):
            self.break_one(t, body, broken)
        return t, body


def _exists(body: Any, path: Path) -> bool:
    try:
        _get(body, path)
    except (KeyError, IndexError, TypeError):
        return False
    return True
