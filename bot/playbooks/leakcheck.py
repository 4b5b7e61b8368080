"""The leak check: flag every passage of a message that helps Microsoft more than you.

Pure and deterministic: (message, recipient role, knowledge, the deal's view, now) → flags.

1. The e-mail is read as a whole: only our own lines are checked (a quoted reply and what
   follows "On ... wrote:" are theirs), the greeting names the recipient, the signature is
   left alone, bullets and paragraphs are sentences of their own.
2. Every amount and percentage is read by the coach's value readers (`money_amounts`,
   `read_percents`) and masked in the sentence, so a detector's `{money}` / `{pct}` stands for
   an amount in any form ("1.5M", "$1,500,000", "1,5 Mio €"). An amount said as Microsoft's
   ("your quote of ...") is not ours.
3. Regex detectors from knowledge/leakcheck.yaml run sentence by sentence; each hit names its
   kind and its rule.
4. The deal's protected facts (budget, walk-away, internal dates) are looked for in any form,
   within a tolerance, per year, per month and over the term.
5. Whether a hit counts depends on the recipient role's stance for that kind (disclosure.yaml).
6. The disclosure reading (bot/understanding/disclosure.py), when the caller passes it as `read`,
   reads each sentence for its meaning: a leak said in words no rule knows is flagged with the
   kind, rule and wording of the label it reads as. The rules still name the words when they can;
   a rule's finding in a sentence that reads as plainly harmless for its kind is set aside.
7. `rewrite` replaces each flagged sentence with the playbook's wording and checks the result
   again; a rewrite that still leaks is never offered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from itertools import pairwise
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator

from bot.knowledge import Knowledge, KnowledgeSection
from bot.patterns import check as check_pattern
from bot.playbooks.disclosure import kinds, stance_for
from bot.reply import Item, Reply, Section
from bot.timeline import DealView
from bot.understanding.facts import money_amounts
from bot.understanding.values import DateFound, read_date, read_percents


class Disclosure(Protocol):
    """What the disclosure reading finds in a sentence (bot/understanding/disclosure.py)."""

    @property
    def label(self) -> str: ...
    @property
    def kinds(self) -> Sequence[str]: ...
    @property
    def rule(self) -> str: ...
    @property
    def say_instead(self) -> str: ...


class SentenceReading(Protocol):
    """The disclosure reading of one sentence: what it gives away by meaning, and the kinds it
    reads as plainly not giving away."""

    @property
    def found(self) -> Sequence[Disclosure]: ...
    def clears(self, kind: str) -> bool: ...


class Read(Protocol):
    """The disclosure reading for one message (bot/understanding/disclosure.py:MessageReader):
    `read_all` reads every sentence together, then a call gives one sentence's reading."""

    def read_all(self, sentences: list[str]) -> None: ...
    def __call__(self, sentence: str) -> SentenceReading: ...


# Stand-ins for amounts read by the value readers: ours, and Microsoft's (never {money}).
MONEY_MARK, THEIR_MARK, PCT_MARK, THEIR_PCT_MARK = "¤", "¢", "‰", "‱"
# A stand-in starts only at the first mark of its run, so a match is tried once per amount.
BUILT_IN = {"money": f"(?<!{MONEY_MARK}){MONEY_MARK}+", "pct": f"(?<!{PCT_MARK}){PCT_MARK}+"}


def _compiles(patterns: list[str]) -> list[str]:
    # Macros are filled in later; a stand-in group is enough to catch a broken regex at start-up.
    for p in patterns:
        try:
            check_pattern(re.sub(r"\{[a-z_]+\}", "(?:x)", p), used=False)
        except re.error as exc:
            raise ValueError(f"pattern {p!r} does not compile: {exc}") from None
    return patterns


class DetectorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    rule: str  # the rule under `rules:` that says why this is a leak
    kind: str
    patterns: list[str]
    requires: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)
    # `requires` may also be met by the words just before the sentence ("on the uplift: ... 4%")
    requires_nearby: bool = False
    say_instead: str | None = None

    @field_validator("patterns", "requires", "unless")
    @classmethod
    def _patterns_compile(cls, v: list[str]) -> list[str]:
        return _compiles(v)


class Detectors(RootModel[list[DetectorSpec]]):
    pass


class Macros(RootModel[dict[str, str]]):
    @field_validator("root")
    @classmethod
    def _compiles(cls, v: dict[str, str]) -> dict[str, str]:
        for name, p in v.items():
            try:
                check_pattern(p)
            except re.error as exc:
                raise ValueError(f"macro {name!r} does not compile: {exc}") from None
        return v


class Why(RootModel[dict[str, str]]):
    pass


class Theirs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    before: str
    after: str

    @field_validator("before", "after")
    @classmethod
    def _pattern_compiles(cls, v: str) -> str:
        return _compiles([v])[0]


class ProtectedFact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    kind: str
    rule: str


class Protected(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    tolerance: float = Field(ge=0, le=0.2)
    money: list[ProtectedFact]
    dates: list[ProtectedFact] = Field(default_factory=list)
    term_key: str = "term_years"
    default_term_years: int = 3


class Email(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    quote_line: str
    reply_header: str
    greeting: str
    signoff: str
    bullet: str

    @field_validator("quote_line", "reply_header", "greeting", "signoff", "bullet")
    @classmethod
    def _pattern_compiles(cls, v: str) -> str:
        return _compiles([v])[0]


class TechnicalPlans(BaseModel):
    """Roles that design what we deploy: a plan told to them without an amount of ours is
    technical context, not a kind they could price (`kinds`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    roles: list[str]
    kinds: list[str]


SECTIONS = (
    KnowledgeSection("leakcheck", "detectors", Detectors),
    KnowledgeSection("leakcheck", "macros", Macros),
    KnowledgeSection("leakcheck", "why", Why),
    KnowledgeSection("leakcheck", "default_role", str),
    KnowledgeSection("leakcheck", "theirs", Theirs),
    KnowledgeSection("leakcheck", "protected", Protected),
    KnowledgeSection("leakcheck", "email", Email),
    KnowledgeSection("leakcheck", "technical_plans", TechnicalPlans),
)


Start = tuple[str, str | None]  # a text a match may begin with, and the word start it needs


@dataclass(frozen=True, slots=True)
class Compiled:
    spec: DetectorSpec
    patterns: tuple[re.Pattern[str], ...]
    requires: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    # per pattern: the gates (literal_gates, by number) a sentence must pass for it to be tried
    needs: tuple[frozenset[int], ...] = ()
    requires_needs: frozenset[int] = frozenset()
    # per pattern, requirement and exception: the texts a match must begin with (start_literals)
    starts: tuple[frozenset[Start] | None, ...] = ()
    requires_starts: tuple[frozenset[Start] | None, ...] = ()
    unless_starts: tuple[frozenset[Start] | None, ...] = ()


def _groups(pattern: str) -> tuple[dict[int, int], dict[int, list[int]], list[int]]:
    """Group spans of a regex: start -> end, start -> offsets of the "|" at its own depth, and
    the offsets of "|" at the top level. Character classes and escapes are skipped."""
    stack: list[int] = []
    ends: dict[int, int] = {}
    bars: dict[int, list[int]] = {}
    top: list[int] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i = j + 1
            continue
        if ch == "(":
            stack.append(i)
            bars[i] = []
        elif ch == ")" and stack:
            ends[stack.pop()] = i
        elif ch == "|":
            (bars[stack[-1]] if stack else top).append(i)
        i += 1
    return ends, bars, top


_LITERAL = re.compile(r"[a-z0-9' ]+|[¤‰]")
_OPENERS = ("\\b", "\\s+", "\\s*", "\\s", " ")


def _optional_at(text: str, end: int) -> bool:
    """Whether the group or character closing at `end` may be skipped (?, *, {0,...})."""
    nxt = text[end + 1 : end + 3]
    return nxt[:1] in ("?", "*") or nxt == "{0"


_LOOKAROUNDS = ("(?!", "(?=", "(?<!", "(?<=")
_LOOKBEHIND = re.compile(r"^\(\?<[!=][^()]*\)")
_LOOKBEHIND_AT = re.compile(r"\(\?<[!=][^()]*\)")  # for .match(text, pos): "^" holds only at 0


def _alt_words(alt: str) -> set[str] | None:
    """Words (first six letters) one of which a match of this alternative must hold as the start
    of a word: the longest word of its leading literal run, or of every alternative of a leading
    group. None when it cannot tell."""
    alt = _LOOKBEHIND.sub("", alt.removeprefix("(?-i:"), count=1)
    while alt.startswith("\\b"):
        alt = alt[2:]
    if alt.startswith("("):
        ends, bars, _ = _groups(alt)
        close = ends.get(0)
        if close is None or _optional_at(alt, close):
            return None
        return _group_words(alt, 0, close, bars[0])
    m = _LITERAL.match(alt)
    if not m:
        return None
    lit = m.group(0)
    if m.end() < len(alt) and alt[m.end()] in "?*{":
        lit = lit[:-1]  # its last letter is optional
    if lit in (MONEY_MARK, PCT_MARK):
        return {lit}  # an amount read by the value readers
    words = [w for w in lit.split(" ") if w and w[0].isalnum()]
    if not words:
        return None
    word = max(words, key=len)
    return {word[:6]} if len(word) >= 2 else None


def _group_words(text: str, start: int, end: int, bars: list[int]) -> set[str] | None:
    body = start + 1
    if text.startswith("?:", body):
        body += 2
    elif text.startswith("?p<", body):
        body = text.index(">", body) + 1
    elif text.startswith("?", body):
        return None  # a look-around or a flag group
    cuts = [body - 1, *bars, end]
    words: set[str] = set()
    for a, b in pairwise(cuts):
        w = _alt_words(text[a + 1 : b])
        if w is None:
            return None
        words |= w
    return words


def literal_gates(pattern: str) -> tuple[frozenset[str], ...]:
    """For a regex, the groups it cannot match without, each as the words (first six letters)
    one of which must begin a word of the sentence. Conservative: a doubt gives no gate."""
    low = pattern.casefold()
    if "(?i" in low:
        return ()
    ends, bars, top = _groups(low)
    if top:
        return ()
    gates = []
    for mark, stand_in in ((MONEY_MARK, BUILT_IN["money"]), (PCT_MARK, BUILT_IN["pct"])):
        if low.startswith(stand_in):
            gates.append(frozenset(mark))
    for start, end in ends.items():
        if _optional_at(low, end):
            continue
        if any(
            s < start and end < e and (bars[s] or _optional_at(low, e) or low.startswith(_LOOKAROUNDS, s))
            for s, e in ends.items()
        ):
            continue  # inside a group that may be skipped, has alternatives or is a look-around
        words = _group_words(low, start, end, bars[start])
        before = low[:start]
        marks_only = words is not None and words <= {MONEY_MARK, PCT_MARK}  # never inside a word
        if (
            start
            and not marks_only
            and not before.endswith(_OPENERS)
            and not re.fullmatch(r"\^?\\s\*|\^", before)
        ):
            continue
        if words:
            gates.append(frozenset(words))
    return tuple(gates)


_META = set("\\.^$*+?{}[]()|")


def start_literals(pattern: str) -> frozenset[Start] | None:
    """The texts (lower case) one of which every match of the regex begins with, so a search need
    only try the places where one of them stands (`_search`); with each, when it follows a word
    boundary in the pattern, the first letters (up to six) of the word it starts, which the
    sentence's `_prefixes` must then hold. None when it cannot tell: a leading escape, class,
    optional group or look-around other than a look-behind."""
    low = pattern.lower()  # as the text is lowered (casefold would turn "ß" into "ss")
    if low.startswith("(?i)"):
        low = low[4:]
    ends, bars, top = _groups(low)
    return _starts(low, 0, len(low), top, ends, bars, False)


def _starts(
    text: str,
    a: int,
    b: int,
    cuts: list[int],
    ends: dict[int, int],
    bars: dict[int, list[int]],
    bounded: bool,
) -> frozenset[Start] | None:
    out: set[Start] = set()
    for x, y in pairwise([a - 1, *cuts, b]):
        got = _alt_starts(text, x + 1, y, ends, bars, bounded)
        if got is None:
            return None
        out |= got
    return frozenset(out)


_WORD_START = re.compile(r"[a-z0-9']+")


def _group_starts(
    text: str, i: int, close: int, ends: dict[int, int], bars: dict[int, list[int]], bounded: bool
) -> frozenset[Start] | None:
    body = i + 1
    if text.startswith("?:", body):
        body += 2
    elif text.startswith("?p<", body):
        body = text.index(">", body) + 1
    elif (m := re.match(r"\?-?i:", text[body : body + 4])) is not None:
        body += m.end()  # a case flag: the text is compared in lower case anyway
    elif text.startswith("?", body):
        return None
    return _starts(text, body, close, bars[i], ends, bars, bounded)


def _alt_starts(
    text: str, i: int, end: int, ends: dict[int, int], bars: dict[int, list[int]], bounded: bool
) -> frozenset[Start] | None:
    while True:
        if text.startswith("\\b", i):
            i += 2
            bounded = True
        elif (m := _LOOKBEHIND_AT.match(text, i)) is not None and m.end() <= end:
            i = m.end()  # a look-behind narrows where a match starts, never where it may
        else:
            break
    if i >= end:
        return None
    if text.startswith("\\d", i):
        return None if _optional_at(text, i + 1) else frozenset((d, None) for d in "0123456789")
    if text[i] == "(":
        close = ends.get(i)
        if close is None or close >= end:
            return None
        inner = _group_starts(text, i, close, ends, bars, bounded)
        if inner is None or not _optional_at(text, close):
            return inner
        # "(the )?renewal": the group's starts or what follows it
        q = re.compile(r"[?*]\??").match(text, close + 1)
        if q is None or q.end() >= end:
            return None
        rest = _alt_starts(text, q.end(), end, ends, bars, bounded)
        return None if rest is None else inner | rest
    j = i
    while j < end and text[j] not in _META:
        j += 1
    if j < end and text[j] in "?*{" and j - i >= 1:
        j -= 1  # the last character may be left out
    lit = text[i:j]
    if not lit:
        return None
    word = _WORD_START.match(lit) if bounded and lit[0] != "'" else None
    key = word.group(0)[:6] if word is not None and len(word.group(0)) >= 2 else None
    return frozenset({(lit, key)})


# Characters IGNORECASE matches to an ASCII letter that str.lower() does not turn into one.
_ODD_CASE = re.compile("[\u0130\u0131\u017f\u212a]")


def _search(
    p: re.Pattern[str], starts: frozenset[Start] | None, text: str, low: str | None, words: set[str]
) -> re.Match[str] | None:
    """`p.search(text)`, trying only the places where one of its start literals stands (`low` is
    the text in lower case, None when lower case would not keep its offsets; `words` the text's
    `_prefixes`)."""
    if starts is None or low is None:
        return p.search(text)
    at: list[int] = []
    for lit, key in starts:
        if key is not None and key not in words:
            continue
        i = low.find(lit)
        while i >= 0:
            at.append(i)
            i = low.find(lit, i + 1)
    if len(at) > 1:
        at = sorted(set(at))
    for i in at:
        m = p.match(text, i)
        if m is not None:
            return m
    return None


def _lower(text: str) -> str | None:
    low = text.lower()
    return low if len(low) == len(text) and not _ODD_CASE.search(text) else None


_TOKEN = re.compile(r"[a-z0-9']+")


def _prefixes(text: str) -> set[str]:
    """Every beginning (up to six letters) of every word of the text, lower-case."""
    out: set[str] = {m for m in (MONEY_MARK, PCT_MARK) if m in text}
    for t in _TOKEN.findall(text.casefold()):
        out.update(_word_prefixes(t))
    return out


@lru_cache(maxsize=20_000)
def _word_prefixes(t: str) -> tuple[str, ...]:
    """The beginnings (2 to 6 letters) of one word, and of what follows each apostrophe in it (a
    word boundary stands there too: "we'll"). Kept per word: a draft repeats its words."""
    parts = [t, *t.split("'")[1:]] if "'" in t else [t]
    return tuple(part[:k] for part in parts for k in range(2, min(len(part), 6) + 1))


@dataclass(frozen=True, slots=True)
class _Plan:
    """One detector as the sentence loop runs it: gates as bit masks, each regex with the texts
    its matches begin with (`_search`)."""

    spec: DetectorSpec
    requires_bits: int
    common_bits: int  # the gates every one of its patterns needs (none tried without them)
    patterns: tuple[tuple[int, re.Pattern[str], frozenset[Start] | None], ...]
    requires: tuple[tuple[re.Pattern[str], frozenset[Start] | None], ...]
    unless: tuple[tuple[re.Pattern[str], frozenset[Start] | None], ...]


def _bits(gates: frozenset[int]) -> int:
    return sum(1 << g for g in gates)


def _plan(c: Compiled) -> _Plan:
    return _Plan(
        c.spec,
        _bits(c.requires_needs),
        _bits(frozenset.intersection(*c.needs)) if c.needs else 0,
        tuple(zip(map(_bits, c.needs), c.patterns, c.starts, strict=True)),
        tuple(zip(c.requires, c.requires_starts, strict=True)),
        tuple(zip(c.unless, c.unless_starts, strict=True)),
    )


@dataclass(frozen=True, slots=True)
class _Rx:
    detectors: list[Compiled]
    detector_ids: frozenset[str]  # the rules' detectors (a protected fact is none of them)
    gates_of_word: dict[str, frozenset[int]]  # a word's first letters -> the gates it passes
    # the same as bit masks, and per detector what the loop needs (`_Plan`), built once
    bits_of_word: dict[str, int]
    plans: tuple[_Plan, ...]
    theirs_before: re.Pattern[str]
    theirs_after: re.Pattern[str]
    quote_line: re.Pattern[str]
    reply_header: re.Pattern[str]
    greeting: re.Pattern[str]
    signoff: re.Pattern[str]
    bullet: re.Pattern[str]


def _expand(pattern: str, macros: Mapping[str, str]) -> re.Pattern[str]:
    for name, value in macros.items():
        pattern = pattern.replace("{" + name + "}", value)
    # "we dont have another option": a negation typed without its apostrophe is one all the same
    return re.compile(pattern.replace("n't", "n'?t"), re.IGNORECASE)


def _build(kb: Knowledge) -> _Rx:
    macros = {**kb.section("leakcheck.macros").root, **BUILT_IN}
    theirs: Theirs = kb.section("leakcheck.theirs")
    email: Email = kb.section("leakcheck.email")
    dets = [
        Compiled(
            d,
            tuple(_expand(p, macros) for p in d.patterns),
            tuple(_expand(p, macros) for p in d.requires),
            tuple(_expand(p, macros) for p in d.unless),
        )
        for d in kb.section("leakcheck.detectors").root
    ]
    numbers: dict[frozenset[str], int] = {}

    def needs(p: re.Pattern[str]) -> frozenset[int]:
        return frozenset(numbers.setdefault(g, len(numbers)) for g in literal_gates(p.pattern))

    dets = [
        Compiled(
            c.spec,
            c.patterns,
            c.requires,
            c.unless,
            tuple(needs(p) for p in c.patterns),
            frozenset() if c.spec.requires_nearby else frozenset().union(*(needs(p) for p in c.requires)),
            tuple(start_literals(p.pattern) for p in c.patterns),
            tuple(start_literals(p.pattern) for p in c.requires),
            tuple(start_literals(p.pattern) for p in c.unless),
        )
        for c in dets
    ]
    by_word: dict[str, set[int]] = {}
    for gate, n in numbers.items():
        for word in gate:
            by_word.setdefault(word, set()).add(n)
    flags = re.IGNORECASE | re.MULTILINE
    return _Rx(
        dets,
        frozenset(c.spec.id for c in dets),
        {w: frozenset(ns) for w, ns in by_word.items()},
        {w: _bits(frozenset(ns)) for w, ns in by_word.items()},
        tuple(_plan(c) for c in dets),
        re.compile(theirs.before, re.IGNORECASE),
        re.compile(theirs.after, re.IGNORECASE),
        re.compile(email.quote_line, flags),
        re.compile(email.reply_header, flags),
        re.compile(email.greeting, re.IGNORECASE),
        re.compile(email.signoff, re.IGNORECASE),
        re.compile(email.bullet, re.IGNORECASE),
    )


def _rx(kb: Knowledge) -> _Rx:
    return kb.derive("leakcheck.compiled", _build)


def compiled(kb: Knowledge) -> list[Compiled]:
    return _rx(kb).detectors


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Flag:
    detector: str
    kind: str
    stance: str  # protect | strategic
    rule: str  # the disclosure rule for this role and kind (the matrix cell)
    quote: str  # the passage as the user wrote it
    sentence: str
    start: int  # offset of the passage in the message
    rule_id: str = ""  # the leak-check rule (knowledge/leakcheck.yaml) that explains the words
    say_instead: str = ""
    sentence_start: int = 0  # offset of the sentence in the message


@dataclass(slots=True)
class LeakResult:
    role: str
    flags: list[Flag] = field(default_factory=list)
    greeting_name: str | None = None  # the name the greeting carries ("Hi Jane," → Jane)
    # each sentence as masked (`_mask`), kept so the rewrite's re-check does not read it again
    masks: dict[str, tuple[str, list[_Amount]]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def verdict(self) -> str:
        return "flagged" if self.flags else "clean"

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(f.kind for f in self.flags))


# --- reading the e-mail ----------------------------------------------------------------------

_ABBREV = re.compile(
    r"(?:\b(?:mio|mrd|approx|ca|e\.g|i\.e|p\.a|mr|mrs|ms|dr|prof|vs|etc|inc|ltd|no|st|incl|excl|min|max|"
    r"dept|est|jr|sr|co|corp|fig|ref|nr|bzw|z\.b|u\.a|resp)|\b[a-z])$",
    re.IGNORECASE,
)


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; decimal points, amounts like $1.2m and abbreviations ("Mio.",
    "e.g.", "Mr.") stay inside a sentence; every line is at least its own sentence."""
    out: list[tuple[int, str]] = []
    start = 0
    for m in re.finditer(r"(?<!\d)[.!?]+(?=\s|$)|\n", text):
        if m.group(0).startswith(".") and len(m.group(0)) == 1 and _ABBREV.search(text[start : m.start()]):
            continue
        end = m.end()
        chunk = text[start:end]
        if chunk.strip():
            out += _run_on_parts(start, chunk)
        start = end
    if text[start:].strip():
        out += _run_on_parts(start, text[start:])
    return out


# A dictated or typed run-on ("so um we really need this signed by friday because our budget goes
# and honestly we dont have another option") is read in parts, each as its own sentence: one long
# stretch dilutes what each part gives away.
_RUN_ON_WORDS = 30
_RUN_ON_JOIN = re.compile(
    r"\s+(?=(?:and|but|so|because|cause|cos|coz|cuz|since|although|though|plus|anyway|honestly|also|otherwise)\b)",
    re.IGNORECASE,
)


def _run_on_parts(start: int, chunk: str) -> list[tuple[int, str]]:
    if len(chunk.split()) <= _RUN_ON_WORDS or chunk.count(",") > 1:
        return [(start, chunk)]  # a short sentence, or long punctuated prose: read whole
    parts: list[tuple[int, str]] = []
    pos = 0
    for m in _RUN_ON_JOIN.finditer(chunk):
        piece = chunk[pos : m.start()]
        if len(piece.split()) >= 6:  # a short piece stays with what follows
            parts.append((start + pos, piece))
            pos = m.start()
    parts.append((start + pos, chunk[pos:]))
    return parts


@dataclass(frozen=True, slots=True)
class Segment:
    start: int
    text: str
    checked: bool  # our own words (not a greeting, signature or quoted reply)


def email_parts(message: str, kb: Knowledge) -> tuple[list[Segment], str | None]:
    """The message cut into our own words and the rest, and the name in the greeting.

    A quoted reply (lines starting ">", or everything after "On ... wrote:" / "From: ...") is
    theirs and not checked, unless its header names the person who signs this message: then it
    is our own earlier mail, forwarded again, and checked like the rest."""
    rx = _rx(kb)
    lines: list[tuple[int, str]] = []
    pos = 0
    for line in message.splitlines(keepends=True):
        lines.append((pos, line))
        pos += len(line)
    signer = _signer(lines, rx)
    segments: list[Segment] = []
    name: str | None = None
    seen_text = False
    signed = False
    quoted_ours: bool | None = None  # inside a quoted block: is it our own earlier mail?
    after_header = False
    for i, (start, line) in enumerate(lines):
        body = line.rstrip("\r\n")
        q = rx.quote_line.match(body)
        if q or after_header:
            inner_at = q.end() if q else 0
            inner = body[inner_at:]
            if quoted_ours is None:
                quoted_ours = _names_signer(lines, i, rx, signer, name)
            if (
                quoted_ours
                and inner.strip()
                and not rx.reply_header.search(inner)
                and not rx.signoff.match(inner)
            ):
                segments.append(Segment(start + inner_at, line[inner_at:], True))
            else:
                segments.append(Segment(start, line, False))
            continue
        quoted_ours = None
        if not body.strip():
            segments.append(Segment(start, line, False))
            continue
        if rx.reply_header.search(body):  # what follows is the mail we reply to
            after_header = True
            quoted_ours = _names_signer(lines, i, rx, signer, name)
            segments.append(Segment(start, line, False))
            continue
        if not seen_text:
            seen_text = True
            g = rx.greeting.match(body)
            if g and (g.group("name") or len(body.split()) <= 3):
                cut = _greeting_end(body, g)
                name = g.group("name")
                segments.append(Segment(start, line[:cut], False))
                if line[cut:].strip():
                    segments.append(Segment(start + cut, line[cut:], True))
                continue
        if rx.signoff.match(body) or (signed and _signature_line(body)):
            signed = True  # the sign-off and the name, title, phone below it
            segments.append(Segment(start, line, False))
            continue
        segments.append(Segment(start, line, True))
    return segments, name


def _signature_line(body: str) -> bool:
    """A line under the sign-off that is a name, a title or a number, not a sentence: short and
    not ending like one. "P.S. …" and anything longer are ours and checked."""
    text = body.strip()
    if re.match(r"(?i)p\.?\s?s\b", text):
        return False
    return len(text.split()) <= 8 and not re.search(r"[.!?]$", text)


def _signer(lines: list[tuple[int, str]], rx: _Rx) -> str | None:
    """The first name under (or beside) the first sign-off of our own words ("Regards,\nOwen",
    "Thanks, Marcus" → owen, marcus). Lines quoted with ">" are skipped; an unquoted reply header
    ends our words."""
    for i, (_, line) in enumerate(lines):
        if rx.quote_line.match(line):
            continue
        if rx.reply_header.search(line):
            return None
        beside = _SIGNED_BESIDE.match(line)
        if beside and rx.signoff.match(beside.group(1)):
            return beside.group(2).casefold()
        if rx.signoff.match(line.strip()):
            for _, nxt in lines[i + 1 : i + 3]:
                if rx.reply_header.search(nxt) or rx.quote_line.match(nxt) or len(nxt.split()) > 4:
                    return None
                m = re.match(r"\s*([A-Z][\w'’-]+)\s*(?:[A-Z][\w'’-]+\s*){0,2}$", nxt)
                if m:
                    return m.group(1).casefold()
            return None
    return None


# "Thanks, Marcus": the sign-off and the name on one line
_SIGNED_BESIDE = re.compile(r"^\s*([^,]{2,30}),\s*([A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+)?\s*$")
# The header lines of a quoted mail: who sent it, and to whom
_FROM = re.compile(r"\s*(?:from:|on\s.+\swrote:|am\s.+schrieb)", re.IGNORECASE)
_TO = re.compile(r"\s*(?:to|an|cc):\s", re.IGNORECASE)


def _names_signer(
    lines: list[tuple[int, str]], i: int, rx: _Rx, signer: str | None, recipient: str | None = None
) -> bool:
    """Whether the quoted block at line i is our own mail: its header ("From: Owen Clarke", "On ...,
    Owen Clarke wrote:") names the person who signs this message, or it was sent to them by
    someone who is not the person this message greets (a colleague's note, forwarded on)."""
    if signer is None:
        return False
    sent_by = sent_to = None
    for _, line in lines[max(0, i - 1) : i + 6]:
        body = rx.quote_line.sub("", line, count=1)
        if sent_by is None and _FROM.match(body):
            sent_by = body
        elif sent_by is not None and sent_to is None and _TO.match(body):
            sent_to = body

    def names(who: str | None, header: str | None) -> bool:
        return bool(who and header and re.search(rf"\b{re.escape(who)}\b", header, re.IGNORECASE))

    if sent_by is None:
        return False
    if names(signer, sent_by):
        return True
    return names(signer, sent_to) and not names(recipient, sent_by) and "microsoft" not in sent_by.casefold()


def _greeting_end(body: str, g: re.Match[str]) -> int:
    """Where the greeting ends: its comma or dash right after the name ("Hi Jane, thanks ..."),
    else the name itself. A one-line message with no stop after its greeting ("hi jake so um our
    cfo approved two million") is our own words from there on, never all greeting."""
    m = _GREETING_STOP.match(body, g.end())
    if m is not None:
        return m.end()
    return g.end() if body[g.end() :].strip() else len(body)


_GREETING_STOP = re.compile(r"\s*[,:;!—–-]\s*")


# --- amounts -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Amount:
    start: int
    end: int
    value: float
    period: str | None  # "year", "month" or None
    total: bool
    theirs: bool


# Nothing the value readers could read as an amount or a percentage: no digit, no number word.
_MAY_HOLD_AMOUNT = re.compile(
    r"\d|million|thousand|grand|billion|\bmio\b|\bmrd\b|\bbn\b|per ?cent|percent|\bpct\b", re.IGNORECASE
)


def _theirs(sentence: str, a: int, b: int, rx: _Rx) -> bool:
    before = sentence[max(0, a - 60) : a]
    return bool(rx.theirs_before.search(before) or rx.theirs_after.search(sentence[b : b + 70]))


def _mask(sentence: str, kb: Knowledge) -> tuple[str, list[_Amount]]:
    """The sentence with each amount and percentage replaced by a stand-in of the same length,
    so detectors match any written form and quotes map back to the user's words."""
    rx = _rx(kb)
    chars = list(sentence)
    found: list[_Amount] = []
    if not _MAY_HOLD_AMOUNT.search(sentence):
        return sentence, found
    for am in money_amounts(sentence, kb):
        if am.per_unit:
            continue
        a, b = am.money.span
        while b > a and sentence[b - 1].isspace():
            b -= 1
        theirs = _theirs(sentence, a, b, rx)
        chars[a:b] = (THEIR_MARK if theirs else MONEY_MARK) * (b - a)
        found.append(_Amount(a, b, am.money.amount, am.money.period, am.total, theirs))
    for p in read_percents(sentence):
        a, b = p.span
        if any(x.start <= a < x.end for x in found):
            continue
        theirs = _theirs(sentence, a, b, rx)
        chars[a:b] = (THEIR_PCT_MARK if theirs else PCT_MARK) * (b - a)
    return "".join(chars), found


# --- protected facts ------------------------------------------------------------------------------


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        return None
    try:
        return float(v)
    except ValueError:
        return None


def _secrets(deal: DealView | None, kb: Knowledge) -> list[tuple[float, str, str, str]]:
    """(amount, period, kind, rule) for each protected money fact in each form: per year, per
    month, and over the term."""
    if deal is None:
        return []
    spec: Protected = kb.section("leakcheck.protected")
    term = _number(deal.fact(spec.term_key)) or spec.default_term_years
    out: list[tuple[float, str, str, str]] = []
    for p in spec.money:
        v = _number(deal.fact(p.key))
        if v is None or v <= 0:
            continue
        out += [
            (v, "year", p.kind, p.rule),
            (v / 12, "month", p.kind, p.rule),
            (v * term, "total", p.kind, p.rule),
        ]
    return out


def _matches_secret(
    am: _Amount, secrets: list[tuple[float, str, str, str]], tol: float
) -> tuple[str, str] | None:
    want = {"year": ("year",), "month": ("month",)}.get(am.period or "", ())
    if not want:
        want = ("total",) if am.total else ("year", "month", "total")
    for value, period, kind, rule in secrets:
        if period in want and abs(am.value - value) <= tol * value:
            return kind, rule
    return None


def _secret_days(deal: DealView | None, kb: Knowledge) -> list[tuple[date, str, str]]:
    if deal is None:
        return []
    out = []
    for p in kb.section("leakcheck.protected").dates:
        raw = deal.fact(p.key)
        try:
            out.append((date.fromisoformat(str(raw)), p.kind, p.rule))
        except ValueError:
            continue
    return out


# --- the check --------------------------------------------------------------------------------------


def check(
    message: str,
    role: str,
    kb: Knowledge,
    deal: DealView | None = None,
    now: datetime | None = None,
    read: Read | None = None,
    *,
    masks: dict[str, tuple[str, list[_Amount]]] | None = None,
) -> LeakResult:
    """Every passage of `message` that gives something away to `role`, in order. `read` is the
    disclosure reading for this message (bot/understanding/disclosure.py: `reader(kb)`); without
    it, the rules alone. `masks` are the masked sentences of an earlier check of the same words
    (the rewrite's re-check passes the first check's)."""
    segments, name = email_parts(message, kb)
    result = LeakResult(role=role, greeting_name=name, masks={} if masks is None else masks)
    secrets = _secrets(deal, kb)
    tol = kb.section("leakcheck.protected").tolerance
    days = _secret_days(deal, kb) if now is not None else []
    ours = [
        (seg.start + offset, sentence)
        for seg in segments
        if seg.checked
        for offset, sentence in sentences(seg.text)
    ]
    if read is not None:
        read.read_all([sentence.strip() for _, sentence in ours])
    for at, sentence in ours:
        _check_sentence(message, sentence, at, role, kb, result, secrets, tol, days, now, read)
    # in order of the message; within a sentence the rules' findings (they name the words) first
    result.flags.sort(key=lambda f: (f.sentence_start, f.detector.startswith("reading-"), f.start))
    return result


def _check_sentence(
    message: str,
    sentence: str,
    at: int,
    role: str,
    kb: Knowledge,
    result: LeakResult,
    secrets: list[tuple[float, str, str, str]],
    tol: float,
    days: list[tuple[date, str, str]],
    now: datetime | None,
    read: Read | None = None,
) -> None:
    got = result.masks.get(sentence)
    if got is None:
        got = result.masks[sentence] = _mask(sentence, kb)
    masked, amounts = got
    context = message[max(0, at - 300) : at]  # what `requires` may also find: the words just before
    seen: set[str] = set()  # one flag per kind per sentence
    stripped = sentence.strip()
    lead = len(sentence) - len(sentence.lstrip())

    reading = read(stripped) if read is not None and stripped else None
    plans: TechnicalPlans = kb.section("leakcheck.technical_plans")
    # a plan told to a technical role, with no amount of ours, is what they need to design it
    plain_plan = role in plans.roles and not any(not am.theirs for am in amounts)

    def add(detector: str, kind: str, rule_id: str, say: str | None, a: int, b: int) -> None:
        advice = stance_for(kb, role, kind)
        if advice.stance == "share" or kind in seen:
            return
        if plain_plan and kind in plans.kinds and not detector.startswith("protected-"):
            return
        if reading is not None and detector in rule_ids and reading.clears(kind):
            return  # a rule's words met by coincidence in a sentence that reads as harmless
        seen.add(kind)
        result.flags.append(
            Flag(
                detector,
                kind,
                advice.stance,
                advice.rule,
                sentence[a:b].strip(),
                stripped,
                at + a,
                rule_id,
                say or kinds(kb)[kind].say_instead,
                at + lead,
            )
        )

    rx = _rx(kb)
    rule_ids = rx.detector_ids
    index = rx.bits_of_word
    passed = 0
    words = _prefixes(masked)
    for w in words:
        passed |= index.get(w, 0)
    shut = ~passed  # a gate not passed
    low = _lower(masked)
    for plan in rx.plans:
        spec = plan.spec
        if (plan.requires_bits | plan.common_bits) & shut or spec.kind in seen:
            continue
        live = [(p, st) for need, p, st in plan.patterns if not need & shut]
        if not live:
            continue
        if plan.requires and not all(
            _search(r, st, masked, low, words) or (spec.requires_nearby and r.search(context))
            for r, st in plan.requires
        ):
            continue
        m = next((m for p, st in live if (m := _search(p, st, masked, low, words))), None)
        if m is not None and not any(_search(u, st, masked, low, words) for u, st in plan.unless):
            add(spec.id, spec.kind, spec.rule, spec.say_instead, m.start(), m.end())
    for am in amounts:
        if am.theirs:
            continue
        hit = _matches_secret(am, secrets, tol)
        if hit is not None:
            add("protected-" + hit[0], hit[0], hit[1], None, am.start, am.end)
    if days and now is not None and re.search(r"\d", sentence):
        found = read_date(sentence, now, relative=False)
        if isinstance(found, DateFound):
            for day, kind, rule in days:
                if found.day == day:
                    add("protected-date", kind, rule, None, found.span[0], found.span[1])
    if reading is not None:
        for d in reading.found:  # the same leak in words no rule reads: the whole sentence
            for kind in d.kinds:
                add("reading-" + d.label, kind, d.rule, d.say_instead, lead, lead + len(stripped))


# --- the rewrite ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    before: str  # the sentence as written
    after: str  # what stands there now ("" when removed)


def _apply(message: str, flags: list[Flag], used: set[str]) -> tuple[str, list[Change]]:
    by_sentence: dict[int, list[Flag]] = {}
    for f in flags:
        by_sentence.setdefault(f.sentence_start, []).append(f)
    out: list[str] = []
    changes: list[Change] = []
    pos = 0
    for start in sorted(by_sentence):
        fs = by_sentence[start]
        sentence = fs[0].sentence
        end = start + len(sentence)
        line = next((f.say_instead for f in fs if f.say_instead and f.say_instead not in used), "")
        if line:
            used.add(line)
        out.append(message[pos:start])
        out.append(line)
        changes.append(Change(sentence, line))
        pos = end
    out.append(message[pos:])
    return _tidy("".join(out)), changes


def _tidy(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if re.fullmatch(r"\s*(?:[-*•·‣▪–]|\d{1,2}[.)])\s*", line):
            continue  # a bullet whose words were all removed
        lines.append(re.sub(r"(?<=\S)[ \t]{2,}", " ", line).rstrip())
    out = "\n".join(lines)
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip()


def rewrite_checked(
    message: str,
    result: LeakResult,
    kb: Knowledge,
    deal: DealView | None = None,
    now: datetime | None = None,
    read: Read | None = None,
) -> tuple[str | None, list[Change]]:
    """The message with each flagged sentence replaced by the playbook's wording (each line
    once) and checked again; a sentence that still leaks is removed. None if it cannot be made
    clean (a rewrite that leaks is never offered)."""
    used: set[str] = set()
    text, changes = _apply(message, result.flags, used)
    for _ in range(3):
        again = check(text, result.role, kb, deal, now, read, masks=result.masks)
        if not again.flags:
            return text, changes
        text, more = _apply(text, again.flags, {*used, *(f.say_instead for f in again.flags)})
        changes += [c for c in more if c.after == "" and c.before not in {x.after for x in changes}]
    return None, changes


def rewrite(message: str, result: LeakResult, kb: Knowledge, read: Read | None = None) -> str:
    """The message with each flagged sentence swapped for the playbook's safe line (checked again
    with the same reading as the first check)."""
    text, _ = rewrite_checked(message, result, kb, read=read)
    return text or ""


# --- the reply ----------------------------------------------------------------------------------


def reply(
    message: str,
    role: str,
    kb: Knowledge,
    deal: DealView | None = None,
    now: datetime | None = None,
    result: LeakResult | None = None,
    read: Read | None = None,
) -> Reply:
    result = result if result is not None else check(message, role, kb, deal, now, read)
    title = kb.roles[role].title if role in kb.roles else role
    if not result.flags:
        return Reply(
            headline=f"Clean. Fine to send to the {title}.",
            intent="leakcheck",
            verdict="clean",
            verdict_label="Clean.",
            sections=[Section(items=[Item(kb.say("leakcheck.clean"), rule="leakcheck.clean")])],
            footer=f"Checked as a message to the {title}.",
            ephemeral=True,
        )
    why = kb.section("leakcheck.why").root
    items = []
    for f in result.flags:
        text = f"“{f.quote}” {why.get(f.kind, 'gives something away')}. {kb.say(f.rule_id)}"
        if f.say_instead:
            text += f" Say instead: “{f.say_instead}”"
        items.append(Item(text, rule=f.rule_id or f.rule))
    because = []
    for kind in result.kinds:
        f = next(x for x in result.flags if x.kind == kind)
        text = f"{kinds(kb)[kind].label.capitalize()}: {kb.say(f.rule)}"
        if f.stance == "strategic":
            text += " " + kb.say("leakcheck.strategic-note", role=title)
        because.append(Item(text, rule=f.rule))
    draft, changes = rewrite_checked(message, result, kb, deal, now, read)
    sections = [Section(items=items), Section(title=f"With the {title}", items=because)]
    if draft is not None:
        changed = [
            Item(f"“{c.before}” → “{c.after}”" if c.after else f"Removed: “{c.before}”") for c in changes
        ]
        changed.append(Item(kb.say("leakcheck.rewrite-checked"), rule="leakcheck.rewrite-checked"))
        sections.append(Section(title="What changed", items=changed))
    n = len(result.flags)
    return Reply(
        headline=f"Hold on: {n} thing{'s' if n != 1 else ''} in this message "
        f"help{'' if n != 1 else 's'} Microsoft more than you.",
        intent="leakcheck",
        verdict="flagged",
        verdict_label="Hold on",
        sections=sections,
        draft=draft,
        draft_source="template" if draft is not None else None,
        footer=f"Checked as a message to the {title}.",
        ephemeral=True,
    )
