"""The fact-key reading: which deal facts a sentence states, by meaning (rule `fact-reading`).

The fact reader's rules (bot/understanding/facts.py, cue words in knowledge/reading.yaml) read
facts by their words and miss the same fact said in a stranger's words ("met w/ msft 5x so far").
This reading generalises: a linear classifier (bot/understanding/model.py, one binary scorer per
label: a sentence may state several facts) trained on sentences written by other hands
(knowledge/fact_reading_strangers.yaml), our own fact sentences
(knowledge/fact_reading_ours.yaml) and the spent blind authors' (knowledge/fact_reading_spent.yaml)
says which fact KEYS a sentence states; yes/no facts are labelled with their answer
("budget_target_set=no"), sentences that state nothing are "none".

The value never comes from the model: for a key the rules did not read, the typed value readers
(numbers, money, percent, dates) are applied to the sentence's asserting clauses (no question,
condition, wish or hedge) and the fact is taken only when exactly one value of the key's type is
there and the rules did not already give it to another fact. Money is per year: a monthly figure
times twelve, a total over a term said in the sentence divided by the years (and said so in the
note), a total without its years is not read.

`read_more(text, kb, found, now=..., tz=...)` gives the facts the rules missed. scikit-learn only
trains (in a child process, cached on disk); reading needs numpy and the arrays.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.knowledge import Knowledge, KnowledgeSection
from bot.patterns import compiled
from bot.understanding.dates import DateFound, local_today, read_date, read_term
from bot.understanding.facts import _DENIED, Clause, FoundFact, _reader, clauses
from bot.understanding.facts import _short_money as _short
from bot.understanding.money import read_money
from bot.understanding.numbers import read_counts, read_ordinal, read_repeats
from bot.understanding.percent import read_percents

NONE = "none"
YES, NO = "=yes", "=no"

Kind = Literal["count", "term", "percent", "money", "date", "yesno", "competitor", "point", "plan"]


class ReadingSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rule: str
    lead: float = 0.0
    thresholds: dict[str, float]
    confidence: float = 0.6
    yesno_gap: float = 0.0
    min_words: int = Field(default=4, ge=1)
    values: dict[str, Kind]
    not_when: dict[str, str] = {}  # key -> words that say the sentence does not state that fact
    # The words that end the name of what talks are stuck on ("the 7% annual escalator", "the
    # per-seat price", "a training-voucher clause"), and the words that may stand before them.
    point_heads: list[str] = []
    point_modifiers: list[str] = []
    point_vague: list[str] = []
    point_worth: str = r"(?!)"
    # What moves where, in a clause the model says tells a planned migration ("moving the SAP
    # landscape to Azure in 2027"): the expression's `plan` group is the fact's value.
    plan_rx: str = r"(?!)"


class Sentence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str = Field(min_length=1)
    facts: dict[str, Any]
    by: str


class Sentences(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    sentences: list[Sentence] = Field(min_length=10)


def _sentences(raw: Any) -> Sentences:
    return Sentences.model_validate({"sentences": raw})


SECTIONS = (
    KnowledgeSection("fact_reading", "fact_reading", ReadingSpec),
    KnowledgeSection("fact_reading_strangers", "sentences", _sentences),
    KnowledgeSection("fact_reading_ours", "sentences", _sentences),
    KnowledgeSection("fact_reading_spent", "sentences", _sentences),
)


def spec(kb: Knowledge) -> ReadingSpec:
    return kb.section("fact_reading.fact_reading")


def labels_of(facts: dict[str, Any], kb: Knowledge) -> list[str]:
    """The labels a sentence's facts stand for: the keys, yes/no keys with their answer."""
    out = []
    for key, value in facts.items():
        if key not in kb.facts:
            continue
        if kb.facts[key].kind == "yesno" and isinstance(value, bool):
            out.append(key + (YES if value else NO))
        else:
            out.append(key)
    return sorted(out) or [NONE]


def training_sentences(kb: Knowledge, *, leave_out: frozenset[str] = frozenset()) -> list[Sentence]:
    """Every training sentence, ours and the strangers'; `leave_out` names sources (`by`) to hold
    out while tuning."""
    return [
        s
        for name in (
            "fact_reading_strangers.sentences",
            "fact_reading_ours.sentences",
            "fact_reading_spent.sentences",
        )
        for s in kb.section(name).sentences
        if s.by not in leave_out
    ]


def training_pairs(kb: Knowledge, *, leave_out: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    from bot.understanding.model import MULTI

    return [(s.text, MULTI.join(labels_of(s.facts, kb))) for s in training_sentences(kb, leave_out=leave_out)]


def _build(kb: Knowledge, leave_out: frozenset[str] = frozenset()) -> Any:
    from bot.understanding.disclosure import _Scorer
    from bot.understanding.model import cached

    return _Scorer(cached("fact_reading", training_pairs(kb, leave_out=leave_out)))


def warm(kb: Knowledge) -> None:
    """Load (or train) the classifier now, so the first message doesn't wait."""
    model(kb)


def model(kb: Knowledge) -> Any:
    """The trained classifier for this knowledge base (trained once, cached on disk)."""
    return kb.derive("fact_reading.model", _build)


# --- values ---------------------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_YEARS = re.compile(
    r"\b(?P<n>\d{1,2}|one|two|three|four|five|six|seven)[\s-]*(?:years?|yrs?|y)\b(?![\s-]*(?:ago|old))",
    re.IGNORECASE,
)
_TERM_WORD = re.compile(r"[\s-]*(?:term|deal|agreement|contract|ea|renewal|commit\w*)\b", re.I)
_TERM_WORD_BEFORE = re.compile(r"\b(?:term|duration|length)\b[^.,;]*$", re.I)
_TERM_CONTEXT = re.compile(
    r"\b(?:term|deal|agreement|contract|ea|renewal|commit\w*|quote[sd]?|offer\w*|proposal|propos\w+|duration)\b",
    re.I,
)
_ORDINAL_ONLY = re.compile(r"(?:on\s+)?the\s+\d{1,2}(?:st|nd|rd|th)", re.IGNORECASE)
# Money facts that are said as a bound ("we walk above 3M a year").
BOUNDED = ("walk_threshold_per_year",)
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_TOTAL = re.compile(
    r"\b(?:in total|total|tcv|all[- ]in|all up|altogether|all together|in aggregate|"
    r"(?:over|for|across) (?:the )?(?:next )?(?:\w+[- ])?(?:years|yrs|term)|for the term)\b",
    re.I,
)
_MONTHLY = re.compile(r"\b(?:a|per|each|every|/)\s*(?:month|mo)\b|\bmonthly\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Value:
    value: Any
    span: tuple[int, int]  # in the clause
    note: str = ""


# A figure said relative to another ("10 % above our spend of 1M"): neither is the fact.
_RELATIVE = re.compile(
    r"%\s*(?:above|over|below|under|more than|less than|higher than|lower than|cheaper than|on top of)\b",
    re.I,
)


def _money(text: str, sentence: str, r: Any, bounded: bool) -> list[_Value]:
    if _RELATIVE.search(sentence.replace(" per cent", "%").replace(" percent", "%")):
        return []
    out = []
    for m in read_money(text):
        said = text[m.span[0] : m.span[1]]
        if not m.explicit and not (m.amount >= 1000 and "," in said):
            continue
        if m.amount < 1000 or r.count_noun.match(text, m.span[1]) or r.per_unit.match(text, m.span[1]):
            continue  # "3,000 users", "45 per user": a count or a unit price, not a yearly figure
        before = text[: m.span[0]]
        if r.vague.search(before) or re.match(
            r"\s*(?:-|–|to|or)\s*[$€£]?\d", text[m.span[1] : m.span[1] + 6]
        ):
            continue  # "2 to 3 million": a range is no figure
        if r.negation.search(before):
            continue  # "the deal isn't 2M, it's 2.4M": the figure denied
        if not bounded and r.bound.search(before):
            continue  # "above $3M": a bound, the fact only of a threshold
        if m.period == "month":
            yearly = round(m.per_year, 2)
            out.append(_Value(yearly, m.span, f"{said.strip()}, so {_short(yearly)} a year"))
            continue
        if m.period is not None:
            out.append(_Value(round(m.per_year, 2), m.span))
            continue
        after = text[m.span[1] : m.span[1] + 40]
        if _MONTHLY.match(after.lstrip(" ,")):
            yearly = round(m.amount * 12, 2)
            out.append(_Value(yearly, m.span, f"{said.strip()} a month, so {_short(yearly)} a year"))
            continue
        if _TOTAL.search(after) or _TOTAL.search(text[max(0, m.span[0] - 25) : m.span[0]]):
            term = read_term(sentence)
            if term is None:
                continue  # a total without its years is no yearly figure
            yearly = round(m.amount / term.years, 2)
            out.append(
                _Value(yearly, m.span, f"{said.strip()} over {term.years} years, so {_short(yearly)} a year")
            )
            continue
        out.append(_Value(float(m.amount), m.span))
    return out


def _restated(value: Any, found: list[FoundFact], s: ReadingSpec) -> bool:
    """A yearly amount equal (within 1 %) to a money fact the rules already read."""
    for f in found:
        if (
            s.values.get(f.key) != "money"
            or isinstance(f.value, bool)
            or not isinstance(f.value, int | float)
        ):
            continue
        if f.value and abs(float(value) - float(f.value)) <= 0.01 * float(f.value):
            return True
    return False


def _taken(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    a, b = span
    return any(a < y and x < b for x, y in spans)


def _values(key: str, kind: Kind, text: str, sentence: str, now: datetime, tz: str, r: Any) -> list[_Value]:
    if kind == "money":
        return _money(text, sentence, r, bounded=key in BOUNDED)
    if kind in ("count", "term") and r.negation.search(text):
        return []  # "not even one round": a count denied (none is the rules' to read)
    if kind == "competitor":
        # The alternative by name ("we'd move to AWS"): one of the competitors the rules know,
        # never one denied before it ("we won't go to Google").
        return [
            _Value(r.competitors.get(m.group(0).casefold(), m.group(0)), m.span())
            for m in r.competitor_rx.finditer(text)
            if not r.negation.search(text[: m.start()])
        ]
    if kind == "percent":
        return [
            _Value(int(p.value) if p.value == int(p.value) else p.value, p.span) for p in read_percents(text)
        ]
    if kind == "term":
        if not _TERM_CONTEXT.search(sentence) and not read_money(sentence):
            return []  # "we've used Azure for 8 years": years, no agreement or price in sight
        if r.competitor_rx.search(sentence) and not r.ms_named.search(sentence):
            return []  # "Google quoted us 3.6M for three years": the alternative's term
        t = read_term(text)
        if t is not None:
            return [_Value(t.years, t.span)]
        found = []
        for m in _YEARS.finditer(text):
            if not _TERM_WORD.match(text, m.end()) and not _TERM_WORD_BEFORE.search(text[: m.start()]):
                continue  # "we've used Azure for 8 years": years, not the agreement's term
            raw = m.group("n").casefold()
            n = int(raw) if raw.isdigit() else _UNITS[raw]
            if 1 <= n <= 10:
                found.append(_Value(n, m.span()))
        return found
    if kind == "count":
        ordinal = read_ordinal(text)
        if ordinal is not None and 1 <= ordinal.value <= 20:
            return [_Value(ordinal.value, ordinal.span)]
        n = read_repeats(text)
        if n is not None:
            return [_Value(n, (0, len(text)))]
        skip = [m.span for m in read_money(text)] + [p.span for p in read_percents(text)]
        m = re.search(r"\b(\d{1,2})\s?x\b", text)
        found = [_Value(int(m.group(1)), m.span())] if m else []
        found += [
            _Value(c.value, c.span)
            for c in read_counts(text)
            if 1 <= c.value <= 20 and not _taken(c.span, skip) and not _TIME_UNIT.match(text, c.span[1])
        ]
        return found
    if kind == "date":
        got = read_date(text, now, tz)
        if (
            not isinstance(got, DateFound)
            or got.day < local_today(now, tz)
            or _ORDINAL_ONLY.fullmatch(got.said)
        ):
            return []  # none, ambiguous, past, or "on the 3rd" (of which month?)
        if _dates_in(sentence, now, tz) > 1:
            return []  # two dates in one sentence: which is meant is not clear
        at = max(sentence.find(text), 0) + got.span[0] if text in sentence else got.span[0]
        lead = sentence[:at] if text in sentence else text[: got.span[0]]
        period = list(r.period_end.finditer(lead))
        if period and at - period[-1].end() <= 12:
            return []  # "before their half-year close, 31 Dec": their calendar, no date of ours
        return [_Value(got.day.isoformat(), got.span)]
    return []


_TOKEN = re.compile(r"[^\s,;:.!?()'\"‘’“”]+(?:\.\d+)?")
_POINT_LINK = re.compile(r"\s+(?:for|of|on)\s+(?:the\s+|our\s+|their\s+|all\s+|an?\s+)?", re.IGNORECASE)


def _point_named(text: str, s: ReadingSpec) -> _Value | None:
    """The name of the sticking point in a clause the model says states one: the first head word
    ("escalator", "price", "clause") with the modifiers right before it ("7% annual", "per-seat",
    "Project Plan 3") and what it is for or of, up to four words ("for the Visio licences")."""
    heads = {h.casefold() for h in s.point_heads}
    mods = {m.casefold() for m in s.point_modifiers}
    tokens = list(_TOKEN.finditer(text))

    def head(word: str) -> bool:
        w = word.casefold()
        return w in heads or (w.endswith("s") and w[:-1] in heads)

    def modifier(word: str) -> bool:
        w = word.casefold()
        return (
            head(w)
            or w in mods
            or any(ch.isdigit() for ch in w)
            or "%" in w
            or "-" in w[1:-1]
            or (word[:1].isupper() and len(tokens) > 1 and word is not tokens[0].group(0))
        )

    for i, t in enumerate(tokens):
        if not head(t.group(0)):
            continue
        first = i
        while first > 0 and i - first < 4 and modifier(tokens[first - 1].group(0)):
            first -= 1
        end = t.end()
        # "... price for the Project Plan 3 licences", "... wording of the training clause"
        link = _POINT_LINK.match(text, end)
        if link is not None:
            after = [x for x in tokens if x.start() >= link.end()][:4]
            kept = []
            for x in after:
                if text[end : x.start()].strip(" ") and any(ch in ",;.!?" for ch in text[end : x.start()]):
                    break
                if not (modifier(x.group(0)) or head(x.group(0))):
                    break
                kept.append(x)
                end = x.end()
            if not kept:
                end = t.end()
        name = text[tokens[first].start() : end].strip()
        if name.casefold() in {v.casefold() for v in s.point_vague}:
            return None  # "they won't move on price": the point is named elsewhere, if at all
        return _Value(name, (tokens[first].start(), end)) if len(name) >= 3 else None
    return None


def _plan_named(text: str, s: ReadingSpec) -> _Value | None:
    m = compiled(s.plan_rx, re.IGNORECASE).search(text)
    if m is None:
        return None
    a, b = m.span("plan" if m.group("plan") else "plan2")
    return _Value(text[a:b].strip(" ,"), (a, b))


# "three months", "six weeks in": a number of units of time is how long, never how many rounds.
_TIME_UNIT = re.compile(
    r"\s*-?\s*(?:years?|yrs?|months?|mths?|mos?|weeks?|wks?|days?|hours?|hrs?|quarters?)\b", re.IGNORECASE
)


def _words(text: str) -> int:
    return len(text.split())


def _dates_in(sentence: str, now: datetime, tz: str) -> int:
    n, rest = 0, sentence
    while n < 3 and (got := read_date(rest, now, tz, relative=False)) is not None:
        n, rest = n + 1, rest[got.span[1] :]
    return n


# --- reading --------------------------------------------------------------------------------


# A sentence that is only a value: an amount ("3.2M.", "about €900k a year"), a term ("Three
# years.") or a percentage ("6%.").
_BARE_VALUE = re.compile(
    r"(?:about|around|roughly|approx\.?|approximately|~|maybe|say|ca\.?)?\s*"
    r"(?:(?:[A-Z]{3}|[$€£¥₹]|R|S\$|A\$|C\$)\s*)?\d[\d.,' ]*\s*"
    r"(?:k|m|mm|bn|b|mio\.?|million|thousand|crores?|lakhs?)?\s*(?:[A-Z]{3}|[$€£])?\s*"
    r"(?:(?:a|per|/)\s*(?:year|yr|annum)|p\.?a\.?|annually|one[- ]off|one[- ]time)?\s*[.!]?"
    r"|(?:a\s+)?(?P<years>\d{1,2}|one|two|three|four|five|six|seven)[\s-]*(?:years?|yrs?|y)(?:\s+term)?\s*[.!]?"
    r"|\d{1,2}(?:[.,]\d)?\s*%\s*[.!]?",
    re.IGNORECASE,
)


def _fragments(
    text: str,
    kb: Knowledge,
    s: ReadingSpec,
    r: Any,
    have: set[str],
    used: list[tuple[int, int]],
    score: Callable[[list[str]], list[dict[str, float]]] | None,
) -> list[FoundFact]:
    """A value said alone right after the sentence that names its fact ("Board signed off a
    threshold. 3.2M.", "Microsoft's best offer: 2.9M a year. Three years."): the two sentences
    are scored as one, and the value comes from the fragment only."""
    sentences = _sentences_of(text)
    pairs = [
        (sentences[i - 1], (a, b))
        for i, (a, b) in enumerate(sentences)
        if i > 0 and _BARE_VALUE.fullmatch(text[a:b].strip())
    ]
    if not pairs:
        return []
    joined = [text[pa:b] for (pa, _), (_, b) in pairs]
    margins = (score or (lambda texts: margins_many(texts, kb)))(joined)
    out: list[FoundFact] = []
    for (_, (a, b)), whole, marg in zip(pairs, joined, margins, strict=True):
        frag = text[a:b]
        lead = len(frag) - len(frag.lstrip())
        for key, _answer, _margin in keys_read(marg, s):
            kind = s.values[key]
            if key in have or kind not in ("money", "term", "percent"):
                continue
            if kind == "term":
                m = _BARE_VALUE.fullmatch(frag.strip())
                raw = (m.group("years") or "").casefold() if m else ""
                n = int(raw) if raw.isdigit() else _UNITS.get(raw)
                values = [_Value(n, (0, len(frag)))] if n and 1 <= n <= 10 else []
            else:
                values = _values(key, kind, frag, whole, datetime.min, "UTC", r)
            spans = [(a + v.span[0], a + v.span[1]) for v in values]
            if len(values) != 1 or _taken(spans[0], used):
                continue
            v = values[0]
            have.add(key)
            used.append(spans[0])
            said = text[spans[0][0] : spans[0][1]] if spans[0][1] > spans[0][0] else frag[lead:]
            out.append(FoundFact(key, v.value, spans[0], s.confidence, said, v.note))
            break  # one value, one fact
    return out


def _start(c: Clause) -> int:
    """Where the clause's first word is (its text keeps the space before it, which lies before
    the start of its sentence)."""
    return c.start + len(c.text) - len(c.text.lstrip())


def _within(c: Clause, a: int, b: int) -> bool:
    return a <= _start(c) < b


def _sentences_of(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in [*_SENTENCE.finditer(text), None]:
        end = m.start() if m else len(text)
        if text[pos:end].strip():
            out.append((pos, end))
        pos = m.end() if m else len(text)
    return out


def margins_many(texts: list[str], kb: Knowledge) -> list[dict[str, float]]:
    m = model(kb)
    rows = m.scores_many(texts)
    return [dict(zip(m.labels, (float(x) for x in row), strict=True)) for row in rows]


def keys_read(margins: dict[str, float], s: ReadingSpec) -> list[tuple[str, Any, float]]:
    """The keys a sentence's margins state, strongest first: (key, the yes/no answer or None, margin)."""
    none = margins.get(NONE, float("-inf"))
    out: dict[str, tuple[str, Any, float]] = {}
    for label, v in margins.items():
        if label == NONE:
            continue
        key, answer = label, None
        if label.endswith(YES) or label.endswith(NO):
            key, answer = label.rsplit("=", 1)[0], label.endswith(YES)
            other = margins.get(key + (NO if answer else YES), float("-inf"))
            if v - other < s.yesno_gap:
                continue  # both answers alike: the topic is named, its outcome is not
        kind = s.values.get(key)
        if kind is None or v < s.thresholds.get(kind, 0.0) or v < none + s.lead:
            continue
        if key in out and out[key][2] >= v:
            continue
        out[key] = (key, answer, v)
    return sorted(out.values(), key=lambda k: -k[2])


def read_more(
    text: str,
    kb: Knowledge,
    found: list[FoundFact],
    *,
    now: datetime,
    tz: str = "UTC",
    parts: list[Clause] | None = None,
    score: Callable[[list[str]], list[dict[str, float]]] | None = None,
) -> list[FoundFact]:
    """Facts the rules (`found`) missed in `text`, read by the fact-key reading. `parts`: the
    text's clauses when already known; `score`: the classifier (the trained one by default)."""
    s = spec(kb)
    parts = clauses(text, kb) if parts is None else parts
    spans = [
        (a, b)
        for a, b in _sentences_of(text)
        if len(text[a:b].split()) >= s.min_words and any(c.asserts for c in parts if _within(c, a, b))
    ]
    if not spans:
        return []  # nothing asserted (a question, a condition, a wish): nothing to score
    # Each sentence is scored, and so is each asserting clause of a sentence of several (a long
    # sentence's other clauses dilute what one of them states); a clause's key takes its value
    # from that clause only.
    units: list[tuple[tuple[int, int], list[Clause]]] = []
    for a, b in spans:
        mine = [c for c in parts if _within(c, a, b)]
        units.append(((a, b), mine))
    for a, b in spans:
        mine = [c for c in parts if _within(c, a, b)]
        if len(mine) > 1:
            units += [((_start(c), c.end), [c]) for c in mine if c.asserts and _words(c.text) >= s.min_words]
    margins = (score or (lambda texts: margins_many(texts, kb)))([text[a:b] for (a, b), _ in units])
    have = {f.key for f in found}
    # the figures the rules gave away (a term's span is its whole clause, so it blocks nothing)
    used = [f.span for f in found if s.values.get(f.key) != "term"]
    r = _reader(kb)
    out: list[FoundFact] = []
    for ((a, b), mine), marg in zip(units, margins, strict=True):
        sentence = next(text[x:y] for x, y in spans if x <= a < y)
        for key, answer, _margin in keys_read(marg, s):
            if key == "deal_value_per_year" and compiled(s.point_worth, re.IGNORECASE).search(sentence):
                key = "sticking_point_value_per_year"  # "that exposure is worth about 240k a year"
            if key in have:
                continue
            kind = s.values[key]
            veto = s.not_when.get(key)
            if veto is not None and re.search(veto, sentence, re.IGNORECASE):
                continue  # "our CEO wants to email Satya": a wish to reach them, no relationship
            if key == "signature_date" and r.their_sign_by.search(sentence):
                continue  # "They want signature by 20 December": their deadline, as the rules read it
            if kind == "yesno":
                if not all(c.asserts for c in mine):
                    continue  # the answer is the whole sentence's: every clause must assert
                if answer and _DENIED.search(text[a:b]):
                    continue  # "Finance has not defined any budget target": a yes its words deny
                have.add(key)
                out.append(FoundFact(key, answer, (a, b), s.confidence, text[a:b]))
                continue
            values: list[tuple[int, _Value]] = []
            for c in mine:
                if not c.asserts:
                    continue
                found_here = (
                    [v for v in [_point_named(c.text, s)] if v is not None]
                    if kind == "point"
                    else [v for v in [_plan_named(c.text, s)] if v is not None]
                    if kind == "plan"
                    else _values(key, kind, c.text, sentence, now, tz, r)
                )
                for v in found_here:
                    at = (c.start + v.span[0], c.start + v.span[1])
                    # a point's name may hold a figure read as another fact ("the 7% escalator")
                    if kind in ("point", "plan") or not _taken(at, used):
                        values.append((c.start, _Value(v.value, at, v.note)))
            if kind == "money":
                # "$2.7M over three years, so $900k a year": the figure restated is the fact the
                # rules read from it, not another
                values = [(at, v) for at, v in values if not _restated(v.value, found, s)]
            values = values[:1] if kind in ("point", "plan") else values  # the first named is meant
            if len({repr(v.value) for _, v in values}) != 1:
                continue  # none, or two that differ: which one is meant is not clear
            v = values[0][1]
            have.add(key)
            used.append(v.span)
            out.append(FoundFact(key, v.value, v.span, s.confidence, text[v.span[0] : v.span[1]], v.note))
    out += _fragments(text, kb, s, r, have, used, score)
    budget = next((f for f in out if f.key == "budget_per_year"), None)
    if budget is not None and "budget_target_set" not in have:
        # a budget figure means a target is set, as the rules imply it (facts.py `_implied`)
        out.append(FoundFact("budget_target_set", True, budget.span, s.confidence, budget.said))
    return out
