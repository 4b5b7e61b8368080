"""Deal facts and contacts from any sentence, precision first.

Pure and deterministic: `read_facts(text, kb, now=..., tz=...)`. A message is read sentence by
sentence and clause by clause; only declarative clauses assert anything. Questions ("should we
ask for 20%?"), conditions ("if we walk, ..."), wishes ("thinking about asking for 25%") and
hedges ("not sure procurement is on board") assert nothing. The cue words live in
knowledge/reading.yaml so a negotiation lead can tune them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from bot.knowledge import Knowledge, KnowledgeSection
from bot.patterns import checking, compiled
from bot.understanding.alignment import (
    OTHER_TEAMS,
    SAME_AS_BEFORE,
    TEAMS,
    alignment_text,
    merge_alignment,
    parse_alignment,
)
from bot.understanding.values import (
    ORDINALS,
    Ambiguous,
    DateFound,
    Money,
    local_today,
    read_date,
    read_money,
    read_past_moment,
    read_percents,
    read_since,
    read_term,
    words_value,
)
from bot.unknown import is_unknown

# --- knowledge/reading.yaml ---------------------------------------------------------------


class CuedFact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    cues: list[str]
    bounds: bool = False  # "above $2M" is this fact's value (a walk-away, a budget "up to")
    per_year: bool = True  # a total over years or a one-off amount is not this fact
    after_only: list[str] = Field(default_factory=list)
    before_only: list[str] = Field(default_factory=list)  # matched on the words before the amount
    requires_after: str | None = None


class Pattern(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rx: str
    value: Any = None
    # read in a hedged clause too: a doubt that says no ("I doubt ELT would ever sign off on
    # leaving" is no walk line agreed), where a hedged yes would assert nothing
    hedged: bool = False


class Relative(BaseModel):
    """ "18 % over our budget": `key` is `base` (a money fact, or "previous": the amount named
    just before) plus the percentage `rx` captures as `pct`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    rx: str
    base: str
    share: bool = False  # "7 % of that 2.4M": the share itself, not the base plus it
    # Read only when this fact is told (in this message or before): "It's about 0.3 % of the
    # run-rate" is the sticking point's worth only once a sticking point is known.
    needs: str | None = None
    # False: only the increase is read (the worth of a point about it), not the new total, which a
    # careful listener does not note as their offer ("they want 9 % on top")
    record: bool = True


class ReadingSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    question_starts: list[str]
    conditionals: list[str]
    # "they asked if we'd ...": an "if" or "whether" that reports a question is no condition.
    reported_question: str = r"(?!)"
    # "the board agreed we walk if ...": a condition reported as a decision asserts it.
    reported_rule: str = r"(?!)"
    # "so there's time to switch if needed": a condition that conditions nothing said
    idle_condition: str = r"(?!)"
    wishes: list[str]
    hedges: list[str]
    negations: list[str]
    vague_range: str
    bound_before: str
    total_after: str
    count_nouns: str
    per_unit_after: str = r"$^"
    their_figure_before: str = r"(?!)"
    our_figure_before: str = r"(?!)"
    past_date: str = r"(?!)"  # "it lapsed on 31 Oct": a date said in the past tense is the last one
    # "their half-year close, 31 Dec": a period end of Microsoft's (or anyone's books) is no date fact
    period_end: str = r"(?!)"
    talks_start: str = r"(?!)"
    # "we'll just move to Google Workspace", "we could go AWS": the alternative named in passing,
    # even in a threat or a wish ({competitor} is the one named)
    alternative_named: str = r"(?!)"
    talks_words: str = r"(?!)"
    sponsor_roles: str = r"(?!)"
    not_a_value_before: str
    spelling: list[str]
    real_words: list[str] = []  # ordinary words one letter off a cue word, never respelt
    products: list[str]
    competitors: list[str]
    competitor_products: dict[str, list[str]] = Field(default_factory=dict)
    microsoft_side: list[str]
    leadership: list[str]
    teams: dict[str, list[str]]
    everyone: list[str]
    nobody: list[str]
    not_alignment: str = r"(?!)"  # a clause about these (budget, walk-away, ...) states no team's stance
    topic_words: str = r"(?!)"  # in a sentence about these, a bare negation is no stance
    stance: str = r"(?!)"  # words that say a stance outright (aligned, on board, reservations, ...)
    # what a joint position says ("endorsed the position that we will not accept the escalator"):
    # a "not" inside it is the position's, not a team's
    position_content: str = r"(?!)"
    relative: list[Relative] = Field(default_factory=list)
    price_like: str = r"(?!)"  # a sticking point about the price itself (its worth can be the gap)
    alignment_yes: list[str]
    alignment_no: list[str]
    money: list[CuedFact]
    percent: list[CuedFact]
    dates: list[CuedFact]
    patterns: dict[str, list[Pattern]]
    text_stops: list[str]
    text_reject: list[str]
    contacts: list[str]
    # The same for a message typed all in lower case ("our csm is tom"): {name} is one word there,
    # and never one of `lowercase_not_names` ("our csm is great").
    contacts_lowercase: list[str] = Field(default_factory=list)
    lowercase_not_names: list[str] = Field(default_factory=list)
    not_names: list[str]
    common_words: list[str] = Field(default_factory=list)


def _validate(raw: Any) -> ReadingSpec:
    spec = ReadingSpec.model_validate(raw)
    unknown = set(spec.teams) - {*TEAMS, *OTHER_TEAMS}
    if unknown:
        raise ValueError(f"teams {sorted(unknown)} are not the escalation playbook's teams")
    if checking():  # not for files validated before with this code (bot/patterns.py)
        _compile(spec, role_aliases={"ae": ["ae"]})  # every pattern must compile with its placeholders
    return spec


SECTIONS = (KnowledgeSection("reading", "reading", _validate),)


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FoundFact:
    key: str
    value: Any  # typed for the fact's kind: float (money), int (number), ISO str (date), bool, str
    span: tuple[int, int]  # in the text given
    confidence: float
    said: str  # the words it came from
    # How a value was worked out when it was not said as such, to show beside it ("4.2M over
    # 3 years", "assumed: 18 % over the budget of 2.5M"); empty when said outright.
    note: str = ""


@dataclass(frozen=True, slots=True)
class FoundContact:
    name: str
    role: str  # a key of knowledge/roles.yaml
    span: tuple[int, int]
    confidence: float
    said: str


# --- compiled reader ----------------------------------------------------------------------


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _phrases(words: list[str]) -> re.Pattern[str]:
    """Words or phrases as one regex; an entry with regex syntax (a backslash or a paren) is kept."""
    parts = [w if re.search(r"[\\()?]", w) else re.escape(w) for w in sorted(words, key=len, reverse=True)]
    # Not inside a word or a contraction ("don't"), but a quote mark around it is no letter: 'probably'.
    return re.compile(r"(?<!\w)(?<!\w')(?:" + "|".join(parts) + r")(?!\w)(?!'\w)", re.IGNORECASE)


_NUM_WORDS = (
    "zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty"
)
_N = (
    rf"(?P<n>\d{{1,2}}|(?:a\s+)?dozen|a\s+couple\s+of|once|twice|thrice"
    rf"|(?:{_NUM_WORDS})(?:[\s-](?:{_NUM_WORDS}))?)"
)
_ORD = r"(?P<ord>\d{1,2}(?:st|nd|rd|th)|" + "|".join(ORDINALS) + ")"
_TEXT = r"(?P<text>[^,;:!?—–]{2,80})"
# An amount said in passing, when a pattern reads what comes after it ("a gap of 200k on X");
# the amount itself is read by the money readers.
_AMOUNT = (
    r"(?:[$€£]\s?)?\d[\d.,]*\s*(?:k|m|mm|mil|million|thousand|bn)?"
    r"(?:\s*(?:a|per|/)\s*(?:year|yr|annum)|\s+(?:annually|yearly))?(?![\w])"
)
_NP = r"(?P<text>(?:[\w&/'+-]+\s+){0,3}[\w&/'+-]+)"
_LOWER_NAME = r"(?P<name>[a-z][a-z'’-]{1,20})"
_NAME = r"(?-i:(?P<name>[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+){0,2}))"


@dataclass(frozen=True)
class _Cued:
    key: str
    cues: list[re.Pattern[str]]
    after_only: list[re.Pattern[str]]
    before_only: list[re.Pattern[str]]
    requires_after: re.Pattern[str] | None
    bounds: bool
    per_year: bool


@dataclass(frozen=True)
class _Rel:
    key: str
    rx: re.Pattern[str]
    base: str
    share: bool = False
    needs: str | None = None
    record: bool = True


@dataclass(frozen=True)
class _Reader:
    question: re.Pattern[str]
    wh_start: re.Pattern[str]
    conditional: re.Pattern[str]
    conditional_start: re.Pattern[str]
    reported_question: re.Pattern[str]
    reported_rule: re.Pattern[str]
    idle_condition: re.Pattern[str]
    wishes: re.Pattern[str]
    hedges: re.Pattern[str]
    negation: re.Pattern[str]
    vague: re.Pattern[str]
    bound: re.Pattern[str]
    total: re.Pattern[str]
    count_noun: re.Pattern[str]
    per_unit: re.Pattern[str]
    their_figure: re.Pattern[str]
    our_figure: re.Pattern[str]
    their_sign_by: re.Pattern[str]
    past_date: re.Pattern[str]
    period_end: re.Pattern[str]
    talks_start: re.Pattern[str]
    alternative_named: re.Pattern[str]
    talks_words: re.Pattern[str]
    sponsor_roles: re.Pattern[str]
    not_a_value: re.Pattern[str]
    spelling: dict[str, str]  # a word with one letter dropped -> the word
    vocabulary: frozenset[str]
    products: dict[str, str]
    competitors: dict[str, str]
    competitor_products: dict[str, re.Pattern[str]]
    teams: dict[str, list[re.Pattern[str]]]
    everyone: re.Pattern[str]
    nobody: re.Pattern[str]
    not_alignment: re.Pattern[str]
    stance: re.Pattern[str]
    position_content: re.Pattern[str]
    topic_words: re.Pattern[str]
    relative: list[_Rel]
    price_like: re.Pattern[str]
    competitor_rx: re.Pattern[str]
    ms_named: re.Pattern[str]  # Microsoft's side said by name, not "they"
    yes: re.Pattern[str]
    no: re.Pattern[str]
    money: list[_Cued]
    percent: list[_Cued]
    dates: list[_Cued]
    patterns: dict[str, list[tuple[re.Pattern[str], Any]]]
    hedged_patterns: dict[str, list[tuple[re.Pattern[str], Any]]]
    text_stop: re.Pattern[str]
    text_reject: re.Pattern[str]
    contacts: list[re.Pattern[str]]
    contacts_lowercase: list[re.Pattern[str]]
    lowercase_not_names: frozenset[str]
    roles: dict[str, str]
    not_names: frozenset[str]
    date_cue: re.Pattern[str]


def _compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """One compile per pattern text: the load-time check and the reader built after it share
    them (there are more patterns than `re`'s own cache holds, so it would compile each twice)."""
    return compiled(pattern, flags)


def _compile(spec: ReadingSpec, role_aliases: dict[str, list[str]]) -> _Reader:
    fills = {
        "n": _N,
        "ord": _ORD,
        "text": _TEXT,
        "amount": _AMOUNT,
        "np": _NP,
        "product": r"(?P<product>" + _alt(spec.products) + r")(?![\w])",
        "competitor": r"(?P<competitor>" + _alt(spec.competitors) + r")(?![\w])",
        "who_ms": r"(?:(?<![\w'])(?:" + _alt(spec.microsoft_side) + r")(?![\w']))",
        # A person named with a capital, not one of ours ("We", "Finance", "Our CFO"): in a
        # sentence about Microsoft's position, their contact.
        "ms_name": r"(?-i:\b(?!(?:We|I|Our|My|Us|The|This|That|It|Finance|Procurement|Legal|IT|Controlling|"
        r"Management|Leadership|Purchasing|Sourcing|Everyone|Nobody|Both|All)\b)[A-Z][a-z]+\b)",
        "lead": r"(?:(?<![\w'])(?<!on )(?:" + _alt(spec.leadership) + r")(?![\w']))",
        "pct": r"(?P<pct>\d{1,2}(?:[.,]\d)?)\s*(?:%|percent|per\s*cent)",
        "pct_any": r"(?P<pct>\d{1,2}(?:[.,]\d)?|" + _NUM_WORDS + r")\s*(?:%|percent|per\s*cent)",
    }

    def rx(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
        for name, sub in fills.items():
            pattern = pattern.replace("{" + name + "}", sub)
        return _compiled(pattern, flags)

    def cued(items: list[CuedFact]) -> list[_Cued]:
        return [
            _Cued(
                i.key,
                [rx(c) for c in i.cues],
                [rx(c) for c in i.after_only],
                [rx(c) for c in i.before_only],
                rx(i.requires_after) if i.requires_after else None,
                i.bounds,
                i.per_year,
            )
            for i in items
        ]

    spelling: dict[str, str] = {}
    for word in spec.spelling:
        for i in range(len(word)):
            spelling.setdefault(word[:i] + word[i + 1 :], word)
    roles: dict[str, str] = {}
    for key, aliases in role_aliases.items():
        for a in aliases:
            roles.setdefault(a.casefold(), key)
    role_rx = r"(?P<role>" + _alt(list(roles)) + r")"
    questions = [q for q in spec.question_starts]
    wh = [q for q in questions if q.startswith(("wh", "how"))]
    aux = [q for q in questions if q not in wh]
    subject = r"(?:(?:we|they|you|i|it|the|our|their|microsoft|ms|this|that|there|he|she|a|an)\b|\d|[$€£])"
    return _Reader(
        question=_compiled(rf"^\s*(?:(?:{_alt(aux)})\s+{subject}|(?:{_alt(wh)})\b)", re.IGNORECASE),
        wh_start=_compiled(rf"^\s*(?:{_alt(wh)})\b", re.IGNORECASE),
        conditional=_phrases(spec.conditionals),
        conditional_start=_compiled(
            r"^\s*(?:so\s+|and\s+|but\s+)?(?:" + _alt(spec.conditionals) + r")\b", re.I
        ),
        reported_question=_compiled(spec.reported_question, re.IGNORECASE),
        reported_rule=_compiled(spec.reported_rule, re.IGNORECASE),
        idle_condition=_compiled(spec.idle_condition, re.IGNORECASE),
        wishes=_phrases(spec.wishes),
        hedges=_phrases(spec.hedges),
        negation=_compiled(
            r"(?<![\w'])(?:"
            + "|".join(re.escape(n) for n in spec.negations if n != "n't")
            # "the renewal isn't until 31 Dec 2028": a date's bound, not a denial
            + r")(?![\w'])(?!\s+(?:until|till|til)\b)|n't\b(?!\s+(?:until|till|til)\b)",
            re.IGNORECASE,
        ),
        vague=_compiled(spec.vague_range),
        bound=_compiled(spec.bound_before, re.IGNORECASE),
        total=_compiled(spec.total_after, re.IGNORECASE),
        count_noun=_compiled(spec.count_nouns, re.IGNORECASE),
        per_unit=_compiled(spec.per_unit_after, re.IGNORECASE),
        their_figure=rx(spec.their_figure_before),
        our_figure=rx(spec.our_figure_before),
        their_sign_by=_compiled(
            _THEIR_SIGN_BY.replace(
                "{who}",
                f"(?:{fills['who_ms']}|{fills['ms_name']}|(?:the\\s+)?account\\s+exec\\w*|\\bae\\b|\\brep\\b)",
            ),
            re.IGNORECASE,
        ),
        past_date=_compiled(spec.past_date, re.IGNORECASE),
        period_end=_compiled(spec.period_end, re.IGNORECASE),
        talks_start=_compiled(spec.talks_start, re.IGNORECASE),
        alternative_named=rx(spec.alternative_named),
        talks_words=_compiled(spec.talks_words, re.IGNORECASE),
        sponsor_roles=_compiled(spec.sponsor_roles, re.IGNORECASE),
        not_a_value=_compiled(spec.not_a_value_before, re.IGNORECASE),
        spelling=spelling,
        vocabulary=frozenset(spec.spelling) | frozenset(w.casefold() for w in spec.real_words),
        products={p.casefold(): p for p in spec.products},
        competitors={c.casefold(): c for c in spec.competitors},
        competitor_products={
            v.casefold(): _compiled(r"^(?:\W+\w+){0,3}?\W+(" + _alt(ps) + r")\b", re.IGNORECASE)
            for v, ps in spec.competitor_products.items()
            if ps
        },
        teams={t: [_compiled(p, re.IGNORECASE) for p in pats] for t, pats in spec.teams.items()},
        everyone=_compiled("|".join(spec.everyone), re.IGNORECASE),
        nobody=_compiled("|".join(spec.nobody), re.IGNORECASE),
        not_alignment=_compiled(spec.not_alignment, re.IGNORECASE),
        stance=_compiled(spec.stance, re.IGNORECASE),
        position_content=_compiled(spec.position_content, re.IGNORECASE),
        topic_words=_compiled(spec.topic_words, re.IGNORECASE),
        relative=[_Rel(x.key, rx(x.rx), x.base, x.share, x.needs, x.record) for x in spec.relative],
        price_like=_compiled(spec.price_like, re.IGNORECASE),
        ms_named=_compiled(
            r"(?<![\w'])(?:"
            + _alt([w for w in spec.microsoft_side if not w.startswith(("they", "them"))])
            + r")(?![\w'])",
            re.IGNORECASE,
        ),
        competitor_rx=_compiled(r"(?<![\w'])(?:" + _alt(spec.competitors) + r")(?![\w'])", re.IGNORECASE),
        yes=_compiled("|".join(spec.alignment_yes), re.IGNORECASE),
        no=_compiled("|".join(spec.alignment_no), re.IGNORECASE),
        money=cued(spec.money),
        percent=cued(spec.percent),
        dates=cued(spec.dates),
        patterns={k: [(rx(p.rx), p.value) for p in pats] for k, pats in spec.patterns.items()},
        hedged_patterns={
            k: [(rx(p.rx), p.value) for p in pats if p.hedged]
            for k, pats in spec.patterns.items()
            if any(p.hedged for p in pats)
        },
        text_stop=_compiled("|".join(spec.text_stops), re.IGNORECASE),
        text_reject=_compiled("|".join(spec.text_reject), re.IGNORECASE),
        contacts=[
            _compiled(
                p.replace("{name}", _NAME).replace("{role}", role_rx).replace("{text}", _TEXT), re.IGNORECASE
            )
            for p in spec.contacts
        ],
        contacts_lowercase=[
            _compiled(p.replace("{name}", _LOWER_NAME).replace("{role}", role_rx))
            for p in spec.contacts_lowercase
        ],
        lowercase_not_names=frozenset(spec.lowercase_not_names),
        roles=roles,
        not_names=frozenset(n.casefold() for n in (*spec.not_names, *spec.common_words)),
        date_cue=_compiled("|".join(c for d in spec.dates for c in d.cues), re.IGNORECASE),
    )


def _reader(kb: Knowledge) -> _Reader:
    def build(kb: Knowledge) -> _Reader:
        aliases = {key: [key, r.title, *r.aliases] for key, r in kb.roles.items()}
        return _compile(kb.section("reading.reading"), aliases)

    return kb.derive("understanding.reader", build)


# --- clauses ------------------------------------------------------------------------------

# A full stop after "ca", "approx", "appr", "abt", "c" (circa), "incl", "Mr", "Dr", "vs" ... ends
# no sentence.
_SENTENCE_END = compiled(
    r"(?<!\b[Cc]a)(?<!\bc)(?<!\b[Aa]pprox)(?<!\b[Aa]ppr)(?<!\b[Aa]bt)(?<!\bincl)(?<!\bexcl)(?<!\besp)"
    r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bvs)(?<!\bSt)(?<!\best)(?<!\be\.g)(?<!\bi\.e)"
    # "1,5 Mio. € per year", "2 Mrd. €": an amount's abbreviated multiplier ends no sentence
    r"(?<!\d\sMio)(?<!\d\sMrd)(?<!\d\sTsd)(?<!\d\sMill)(?<!\dMio)"
    # a stop inside a closing quote or bracket ends its sentence too: "… the right proposal.' The …"
    r"[.!?]+['\"’”)]?(?=\s|$)|\n+"
)
_CLAUSE_SPLIT = compiled(
    # "March 31, 2029": no clause ends between a day and its year
    r"(?<!\d),\s+|(?<=\d),(?!\s+(?:19|20)\d\d\b)\s+|;\s*|\s+[—–-]{1,2}\s+|\s*[—–]\s*|\s+(?:but|although|though|whereas|while|however)\s+|:\s+(?=\w+\s)",
    re.IGNORECASE,
)


_RELATIVE = compiled(r"\s*(?:which|who|whose|where)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Clause:
    start: int
    end: int
    text: str
    asserts: bool  # declarative, unhedged: its facts count
    hedged: bool


def clauses(text: str, kb: Knowledge) -> list[Clause]:
    """The clauses of `text`, each marked whether it asserts anything."""
    r = _reader(kb)
    out: list[Clause] = []
    pos = 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        end = m.start() if m else len(text)
        stop = m.group(0) if m else ""
        if end > pos:
            out += _sentence_clauses(text, pos, end, "?" in stop, r)
        pos = m.end() if m else len(text)
    return out


_CLEFT = compiled(
    r"\s*(?:so\s+|and\s+)?what\s+(?:we|i|they|microsoft|the\s+\w+)\s+(?:[\w']+\s+){0,3}?(?:is|are|was|were)\s+\S",
    re.IGNORECASE,
)


def _sentence_clauses(text: str, start: int, end: int, asked: bool, r: _Reader) -> list[Clause]:
    parts: list[tuple[int, int]] = []
    p = start
    for m in _CLAUSE_SPLIT.finditer(text, start, end):
        if m.start() > p:
            parts.append((p, m.start()))
        p = m.end()
    if end > p:
        parts.append((p, end))
    out: list[Clause] = []
    hypothetical = False
    decided = False  # a clause before said a decision: "the board decided: if ..., we leave"
    # "we had 4 rounds, I think" / "..., maybe 5": a short hedged aside hedges the whole sentence.
    # "..., maybe 3k eur/yr": a hedge word before the sentence's first sum of money rounds that
    # sum; it is no doubt cast over the sentence ("it's 2M, maybe 2.2M" still is).
    rounded = {
        (a, b)
        for i, (a, b) in enumerate(parts)
        if _ROUNDED_SUM.match(text[a:b]) and not any(_MONEY_SAID.search(text[x:y]) for x, y in parts[:i])
    }
    hedge_all = any(
        len(text[a:b].split()) <= 3 and r.hedges.search(text[a:b]) and (a, b) not in rounded for a, b in parts
    )
    for i, (a, b) in enumerate(parts):
        s = text[a:b]
        last = i == len(parts) - 1
        question = bool(r.question.search(s)) or (asked and last) or bool(r.wh_start.search(s))
        if question and not asked and _CLEFT.match(s):
            question = False  # "What we would seek is a 3% cap.": a statement in the form of "what"
        if question and i > 0 and not asked and (_RELATIVE.match(s) or not r.wh_start.search(s)):
            # "the Copilot price, which is worth 200k a year": a relative clause; "our CFO, Dr
            # Wagner, is the sponsor": the verb after an aside. A question ends with "?".
            question = False
        rule = r.reported_rule.search(s)
        if r.conditional_start.search(s) and not decided:
            hypothetical = True  # "if we walk, we lose ..." - the rest of the sentence too
        hedged = hedge_all or (bool(r.hedges.search(s)) and (a, b) not in rounded)
        conditional = r.conditional.search(r.idle_condition.sub(" ", r.reported_question.sub(" ", s)))
        if conditional and (decided or (rule and rule.start() < conditional.start())):
            conditional = None  # the condition is what was decided
        decided = decided or bool(rule and not r.negation.search(s[: rule.start()]))
        # "the board agreed that we should not pay more than 1.5M": a "should" that was decided
        wish = r.wishes.search(s)
        if wish and rule and rule.start() < wish.start() and not question:
            wish = None
        asserts = not (question or hypothetical or conditional or wish or hedged)
        out.append(Clause(a, b, s, asserts, hedged))
    return out


# A clause that is only a rounded sum of money: "maybe 3k eur/yr", "probably around €40k a year".
# "That's maybe $4k a year", "our L&D lead reckons they're worth maybe 250 a month": the same.
_ROUNDED_SUM = compiled(
    r"^\s*(?:(?:[\w&'’.-]+\s+){1,4}(?:reckons?|reckoned|thinks?|thought|says?|said|estimates?|estimated)\s+"
    r"(?:that\s+)?)?(?:(?:that|it|this|they|which)(?:'s|'re|s|\s+is|\s+are|\s+would\s+be|\s+amounts\s+to|\s+comes\s+to)\s+)?"
    r"(?:worth\s+)?"
    r"(?:maybe|perhaps|probably|possibly)\s+(?:worth\s+)?(?:(?:like|about|around|roughly|ca\.?)\s+|~\s*)?"
    r"(?:(?:[$€£₹]|[A-Z]{3}\s|[ACN]Z?\$|R(?=\d))\s?\d[\d.,]*\s*(?:k|m|mm|mio|million|thousand|grand|bn)?"
    r"|\d[\d.,]*\s*(?:(?:k|m|mm|mio|million|thousand|grand|bn)\s*(?:[$€£]|[A-Za-z]{3}\b|euros?|dollars?|pounds?)?"
    r"|(?:[$€£]|[A-Za-z]{3}\b|euros?|dollars?|pounds?|quid|bucks)))\s*"
    r"(?:(?:a|per|/|each|every)\s*(?:year|yr|annum|month|mo)\b|annually|yearly|monthly|p\.?a\.?)?\s*$",
    re.IGNORECASE,
)
_MONEY_SAID = compiled(
    r"[$€£₹]\s?\d|\d\s?(?:k|m|mm|bn|mio|million|grand)\b|\d\s?(?:[A-Z]{3})\b", re.IGNORECASE
)


def looks_like_question(text: str, kb: Knowledge) -> bool:
    """True for a question or request ("can I tell the CSM our budget?", "what if they offer
    10%"): such text is never a valid answer to a text fact."""
    t = text.strip()
    if not t:
        return False
    if t.endswith("?"):
        return True
    r = _reader(kb)
    return bool(
        r.question.search(t) or r.wh_start.search(t) or r.wishes.search(t) or r.conditional_start.search(t)
    )


# --- spelling -------------------------------------------------------------------------------

_TOKEN = compiled(r"[A-Za-z]{5,}")
_INFLECTIONS = ("ing", "ed", "ly", "er", "est")
# A negation typed without its apostrophe ("havent", "doesnt", "wont"): read as the contraction,
# so "leadership havent agreed any walk number" is the denial it says.
_BARE_CONTRACTION = compiled(
    r"\b(?P<stem>have|has|had|do|does|did|is|are|was|were|wo|ca|could|would|should|must|need)nt\b",
    re.IGNORECASE,
)


def _respell(text: str, r: _Reader) -> tuple[str, list[int], bool] | None:
    """Cue words one letter off ("finace", "roundz") read as the word, and negations typed
    without their apostrophe ("havent") as the contraction. Returns the mended text, per
    character of it the index in the original, and whether a word was respelt (not only an
    apostrophe put back); None when nothing changed."""
    fixes: list[tuple[int, int, str]] = []
    for m in _BARE_CONTRACTION.finditer(text):
        fixes.append((m.start(), m.end(), m.group("stem") + "n't"))
    for m in _TOKEN.finditer(text):
        w = m.group(0)
        low = w.casefold()
        if low in r.vocabulary or low.endswith(_INFLECTIONS) or _BARE_CONTRACTION.fullmatch(w):
            continue
        fix = r.spelling.get(low)  # a letter too few
        if fix is None:
            for i in range(len(low)):  # a letter too many, or one wrong
                cand = low[:i] + low[i + 1 :]
                if cand in r.vocabulary:
                    fix = cand
                    break
                hit = r.spelling.get(cand)
                if hit is not None and len(hit) == len(low):
                    fix = hit
                    break
        if fix is None or fix.startswith(low) or low.startswith(fix):
            continue  # "round" and "agree" are words, not misspelt "rounds" and "agreed"
        fixes.append((m.start(), m.end(), fix))
    if not fixes:
        return None
    fixes.sort()
    pieces: list[str] = []
    index: list[int] = []
    pos = 0
    respelt = False
    for a, b, fix in fixes:
        respelt = respelt or not fix.endswith("n't")
        pieces.append(text[pos:a])
        index.extend(range(pos, a))
        pieces.append(fix)
        index.extend(min(a + i, b - 1) for i in range(len(fix)))
        pos = b
    pieces.append(text[pos:])
    index.extend(range(pos, len(text)))
    index.append(len(text))
    return "".join(pieces), index, respelt


# --- reading -----------------------------------------------------------------------------------


def read_facts(
    text: str,
    kb: Knowledge,
    *,
    now: datetime,
    tz: str = "UTC",
    known: Mapping[str, Any] | None = None,
) -> list[FoundFact]:
    """Facts `text` asserts, at most one per key (the first said), in text order."""
    r = _reader(kb)
    mended = _respell(text, r)
    work, index, respelt = mended if mended else (text, None, False)
    found: dict[str, FoundFact] = {}
    parts = clauses(work, kb)

    def add(key: str, value: Any, span: tuple[int, int], confidence: float, note: str = "") -> None:
        if key in found or key not in kb.facts or value is None:
            return
        a, b = span
        if index is not None:
            a, b = index[a], index[b]
            confidence -= 0.1 if respelt else 0.0
        found[key] = FoundFact(key, value, (a, b), round(confidence, 2), text[a:b], note)

    _read_amounts(work, parts, r, add)
    for run in _runs(work, parts):
        _read_patterns(work, run, r, add)
    for c in parts:
        if c.hedged:
            _read_patterns(work, [c], r, add, r.hedged_patterns)
    for c in parts:
        if c.asserts:
            _read_dates(work, c, r, add, now, tz)
            _read_start(work, c, r, add, now, tz)
    _read_alignment(work, parts, r, add, known)
    _alternative_named(work, parts, r, add)
    increase = _read_relative(work, parts, r, add, found, known or {})
    _implied(work, r, add, found, known or {}, increase)
    for key, said in list(found.items()):
        # "nobody has priced it" says nothing against a figure already on record
        if (
            is_unknown(said.value)
            and (known or {}).get(key) is not None
            and not is_unknown((known or {})[key])
        ):
            del found[key]
    return sorted(found.values(), key=lambda f: f.span)


def _alternative_named(work: str, parts: list[Clause], r: _Reader, add: Any) -> None:
    """The competitor we would move to, named in passing ("leadership keeps saying we'll just
    move to Google Workspace if ..."): the alternative considered, even in a threat or a wish;
    never one we say we won't move to."""
    for m in r.alternative_named.finditer(work):
        c = next((c for c in parts if c.start <= m.start() < c.end), None)
        if c is None or _negated_before(c, m.start(), r) or r.negation.search(m.group(0)):
            continue
        value = competitor_name(r, m.group("competitor"), work, m.end("competitor"))
        add("alternative", value, m.span(), 0.6)
        return


# "we should not pay more than 1.5M": a ceiling, said with a "not" that bounds the amount rather
# than denying it (the amount is the line, as in "no more than 1.5M").
_CEILING_BEFORE = compiled(
    r"(?:\b(?:not|never|n't)\s+(?:(?:to|go on|be (?:willing|able|prepared) to)\s+)?(?:pay|spend|go|exceed)"
    r"(?:\s+(?:microsoft|them|ms))?(?:\s+(?:any\s+)?(?:more\s+than|above|over|beyond|higher\s+than))?"
    r"|\b(?:pay|spend)(?:\s+(?:microsoft|them|ms))?\s+no\s+more\s+than)"
    r"\s*(?:about\s+|around\s+|roughly\s+)?$",
    re.IGNORECASE,
)


def _negated_before(c: Clause, at: int, r: _Reader) -> bool:
    before = c.text[: max(0, at - c.start)]
    ceiling = _CEILING_BEFORE.search(before)
    if ceiling is not None:
        before = before[: ceiling.start()]
    return bool(r.negation.search(before))


def _pick(cands: list[_Cued], before: str, after: str) -> _Cued | None:
    """The first fact cued around the amount; a cue that must touch the amount (right before or
    right after it) is the more specific and wins over one anywhere in the clause ("the sticking
    point is the 8 % escalator on their $2.5M base": the base is their price)."""
    touching = [
        cf
        for cf in cands
        if any(cue.search(after) for cue in cf.after_only)
        or any(cue.search(before) for cue in cf.before_only)
    ]
    for cf in [*touching, *cands]:
        if cf in touching or any(cue.search(before + " " + after) for cue in cf.cues):
            if cf.requires_after is not None and not cf.requires_after.search(after):
                continue
            return cf
    return None


def _read_amounts(work: str, parts: list[Clause], r: _Reader, add: Any) -> None:
    """Money and percentages: each goes to the first fact whose cue is in the words around it,
    its own clause first, then earlier clauses of the same sentence."""
    items: list[tuple[tuple[int, int], float, list[_Cued], bool]] = []
    for m in read_money(work):
        plain = m.amount >= 1000 and "," in work[m.span[0] : m.span[1]]  # "2,200,000 per year"
        counted = r.count_noun.match(work, m.span[1]) or _counts_after(work, m.span[1], r)
        if m.explicit or (plain and (m.period or not counted)):  # "9,000 office users" counts people
            a = m.span[0] + len(work[m.span[0] : m.span[1]]) - len(work[m.span[0] : m.span[1]].lstrip())
            items.append(((a, m.span[1]), m.per_year, r.money, m.period is not None))
    for p in read_percents(work):
        if not any(a <= p.span[0] < b for (a, b), _, _, _ in items):
            items.append((p.span, p.value, r.percent, False))
    items.sort(key=lambda i: i[0])
    # Where the last amount of each kind (money, percent) ended: the words before it are its own.
    # A percentage does not use up the cue of an amount of money after it ("the sticking point is
    # their 7 % escalator, worth 180k a year").
    ends: dict[int, int] = {}
    last_key = ""  # the fact the amount before went to
    for n, (span, value, cands, periodic) in enumerate(items):
        a, b = span
        c = next((c for c in parts if c.start <= a < c.end), None)
        nxt = items[n + 1][0][0] if n + 1 < len(items) else len(work)
        start = ends.get(id(cands), 0)
        if n and items[n - 1][2] is not cands and _ON_TOP.match(work, items[n - 1][0][1]):
            start = max(start, items[n - 1][0][1])  # "they want 15 % on top of 1.2m": 1.2m is the base
        ends[id(cands)] = b
        if c is None or not c.asserts or r.vague.search(work[max(c.start, a - 8) : a]):
            continue
        if _negated_before(c, a, r):
            ends[id(cands)] = start  # "the deal isn't 2M, it's 2.4M": the cue carries to the next amount
            continue
        if re.match(r"\s*(?:-|–|to|or)\s*[$€£]?\d", work[b : b + 6]):
            continue
        if r.per_unit.match(work, b):
            continue  # a unit price, not a yearly figure
        before = work[max(c.start, start) : a]
        if _REPORTING.match(c.text):  # "Microsoft's AE, on the other hand, told us": the speaker is earlier
            first = max((m.end() for m in _SENTENCE_END.finditer(work, 0, c.start)), default=0)
            before = work[max(first, start) : a]
        after = work[b : min(c.end, nxt, b + 40)]
        cut = re.search(r"\b(?:and|but)\b", after)
        after = after[: cut.start()] if cut else after
        if r.not_a_value.search(before):
            continue
        if cands is r.percent and _SHARE_OF.match(work, b):
            continue  # "roughly 12 % of their figure": a share, not a rate or an ask
        bound = bool(r.bound.search(before))
        term = None if periodic or cands is r.percent else read_term(work[b : b + 40])
        if term is not None and term.span[0] > 12:
            term = None  # the years belong to something later in the sentence
        total = not periodic and (bool(r.total.search(work[b : b + 40])) or term is not None)
        # A total over a stated term is a yearly figure once divided by the years ("4.2m over
        # three years" is 1.4m a year); a total without its years is none.
        yearly_ok = not total or term is not None
        allowed = [cf for cf in cands if (cf.bounds or not bound) and (not cf.per_year or yearly_ok)]
        # "if the price exceeded $2.4M": a bound goes to a fact that takes bounds, when one is cued
        chosen = _pick(cands, before, after)
        if bound and chosen is not None and chosen not in allowed:
            chosen = _pick([cf for cf in allowed if cf.bounds], before, after) or chosen
        confidence = 0.85
        if chosen is None:
            # Earlier clauses of the same sentence ("the issue is X, worth 250k a year").
            earlier = [
                p
                for p in parts
                if p.end <= c.start and p.start >= start and p.asserts and _same_sentence(work, p.start, a)
            ]
            if earlier:
                chosen = _pick(cands, work[earlier[0].start : c.start], after)
                confidence = 0.7
        if chosen is not None and chosen not in allowed and bound:
            chosen = None  # "(the renewal ...) if it is over 1.4M": maybe the next clause's bound
        if chosen is None and cands is r.money and _BARE_WORTH.match(c.text):
            # "The one open point is the Visio pricing. Roughly 4k a year.": an amount that opens
            # its sentence, right after a sentence naming the sticking point with no amount of
            # its own, is what that point is worth.
            money_before = next((it[0] for it in reversed(items[:n]) if it[2] is cands), None)
            chosen = _worth_of_point_before(work, c, cands, money_before)
            confidence = 0.6
        if chosen is None and last_key == "switching_cost" and r.their_figure.search(before):
            chosen = next((cf for cf in cands if cf.key == "ms_claimed_switching_cost"), None)
            confidence = 0.7
        if chosen is None and last_key == "ms_claimed_switching_cost" and r.our_figure.search(before):
            chosen = next((cf for cf in cands if cf.key == "switching_cost"), None)
            confidence = 0.7
        if chosen is None and cands is r.money and not bound:
            # "it's 3.2m, CFO approved it": approved in the clause right after it, same sentence
            across = work[b : min(nxt, b + 40)]
            across = across[: stop.start()] if (stop := re.search(r"[.!?;]\s|\n", across)) else across
            approved = [cf for cf in cands if any(cue.search(across) for cue in cf.after_only)]
            chosen = approved[0] if approved else None
            confidence = 0.65
        if chosen is None and cands is r.money and not bound:
            chosen = _alternative_costed(work, a, cands, r)
            confidence = 0.65
        if chosen is None and bound:
            # A bound whose fact comes in the next clause: "if it is over 1.4M a year, we leave".
            later = next((p for p in parts if p.start >= c.end), None)
            if later is not None and later.asserts and _same_sentence(work, c.end, later.start):
                chosen = _pick([cf for cf in cands if cf.bounds], "", later.text[:40])
                confidence = 0.65
        if chosen not in allowed:
            continue  # "under 2M" is a bound and "2M over three years" a total, not the fact
        if chosen is None:
            continue
        if chosen.key == "ms_annual_cost" and cands is r.money:
            # "we piloted AWS, it ran well, and they offer 900k a year": "they" is the competitor
            sentence = work[max((m.end() for m in _SENTENCE_END.finditer(work, 0, a)), default=0) : a]
            if r.competitor_rx.search(sentence) and not r.ms_named.search(sentence):
                chosen = next((cf for cf in cands if cf.key == "alternative_annual_cost"), chosen)
        last_key = chosen.key
        if cands is r.percent:
            add(chosen.key, int(value) if value == int(value) else value, span, confidence)
        elif total and term is not None and chosen.per_year:
            said = work[a:b].strip()
            yearly = float(value) / term.years
            note = f"{said} over {term.years} years, so {_short_money(yearly)} a year"
            add(chosen.key, round(yearly, 2), span, confidence - 0.05, note)
            if chosen.key in TERM_OF:
                add("term_years", term.years, (b + term.span[0], b + term.span[1]), 0.8)
        else:
            add(chosen.key, float(value), span, confidence)


# A sentence that costs what an earlier sentence named: "our alt is Google Workspace. IT costed it
# at 1.6m/yr", "we are evaluating a move to Salesforce. The integrator's firm proposal: 14.4m a year".
_COSTING = compiled(
    r"\b(?:costed|priced|quoted|estimated|sized|modell?ed|came (?:in|out) at|comes? (?:in|out) to|"
    r"proposals?|quotes?|quotations?|bids?|all[- ]in|all included|fully[- ]loaded)\b",
    re.IGNORECASE,
)
_ALT_WORDS = compiled(r"\b(?:alternative|alt|fallback|plan b)\b", re.IGNORECASE)


def _alternative_costed(work: str, a: int, cands: list[_Cued], r: _Reader) -> _Cued | None:
    """The alternative's yearly cost when the amount's sentence costs something, names neither
    Microsoft nor anything else, and the sentence before it names the alternative or a competitor."""
    ends = [m.end() for m in _SENTENCE_END.finditer(work, 0, a)]
    if not ends:
        return None
    start = ends[-1]
    end = next((m.start() for m in _SENTENCE_END.finditer(work, a)), len(work))
    sentence = work[start:end]
    if not _COSTING.search(sentence) or r.ms_named.search(sentence):
        return None
    before = work[ends[-2] if len(ends) > 1 else 0 : start]
    if r.ms_named.search(before) and not (r.competitor_rx.search(before) or _ALT_WORDS.search(before)):
        return None
    if not (r.competitor_rx.search(before) or _ALT_WORDS.search(before)):
        return None
    return next((cf for cf in cands if cf.key == "alternative_annual_cost"), None)


# A clause that opens with its amount: "like 3k a yr", "roughly €4,000 a year", "that's ~50k".
_BARE_WORTH = compiled(
    # "Our L&D manager reckons they're worth maybe 250 a month": whose estimate it is, first
    r"^\s*(?:(?:[\w&'’.-]+\s+){1,4}(?:reckons?|reckoned|thinks?|thought|says?|said|estimates?|estimated|figures?|"
    r"puts?\s+it\s+at)\s+(?:that\s+)?)?"
    r"(?:(?:like|about|around|roughly|approx\.?|ca\.?|maybe|perhaps|probably|so|that's|thats|it's|its|worth|only|just|"
    r"they're|theyre|they\s+are|that\s+is|it\s+is|this\s+is|this's|which\s+is|(?:this|that|it)\s+(?:would\s+be|works\s+out\s+(?:at|to))|(?:which|that|it|this)\s+(?:amounts|comes)\s+to|"
    r"amounts\s+to|comes\s+to)\s+|~\s*"
    r"|(?:(?:the\s+)?(?:annual|yearly|total|running|full|all[- ]in|fully[- ]loaded)\s+)?"
    r"(?:cost|price|pricing|bill)s?\s*(?:is\s+|of\s+|:\s*|=\s*)?"
    r"|it\s+(?:costs?|comes?\s+to|would\s+cost|runs?\s+(?:at|to))\s+"
    # "Our finance team's estimate is $1.9 million per year"
    r"|(?:(?:our|the)\s+(?:[\w'’]+\s+){0,2})?(?:estimate|costing|figure)\s*(?:is|was|comes\s+to|of|:)\s*)*"
    r"(?:[$€£₹~]|[A-Z]{3}\s|R(?=\d)|Rs\.?\s?|(?:[ACN]Z?|R|US|S|HK)\$)?\s?\d",
    re.IGNORECASE,
)


def _worth_of_point_before(
    work: str, c: Clause, cands: list[_Cued], amount_before: tuple[int, int] | None
) -> _Cued | None:
    """The sticking point's worth, when the sentence before this one names the point and no amount."""
    starts = [m.end() for m in _SENTENCE_END.finditer(work, 0, c.start + 1)]
    here = max(starts, default=0)
    if _RELATIVE_WORTH.match(c.text) and work[here : c.start].strip():
        # "the one open point is the Visio pricing, which amounts to about 6,000 a year": the
        # sentence's own first part names the point
        prev_start, here = here, c.start
    elif work[here : c.start].strip() and not _RECKONED.match(work[here : c.start]):
        return None  # the amount does not open its sentence (nor follows "I calculated it -")
    else:
        before = [m.end() for m in _SENTENCE_END.finditer(work, 0, max(here - 1, 0))]
        prev_start = max([b for b in before if b < here - 1] or [0])
    if amount_before is not None and amount_before[0] >= prev_start:
        return None  # the sentence before has its own amount
    # The sticking point's worth, the alternative's yearly cost ("Alternative evaluated: X.
    # Annual cost NOK 9.8m."), the walk-away line ("Board signed off a threshold. 3.2M.") or the
    # cost of leaving, whichever the sentence before names.
    for key in (
        "sticking_point_value_per_year",
        "alternative_annual_cost",
        "walk_threshold_per_year",
        "ms_claimed_switching_cost",
        "switching_cost",
    ):
        cue = next((cf for cf in cands if cf.key == key), None)
        named = work[prev_start:here]
        if cue is not None and (
            any(p.search(named) for p in cue.cues)
            or (key == "sticking_point_value_per_year" and _POINT_IN_OTHER_WORDS.search(named))
        ):
            return cue
    return None


# A sentence that names what is still argued about without the usual words: "everything's agreed
# except …", "she refuses to throw in …", "they won't include …", "the one thing left is …".
_POINT_IN_OTHER_WORDS = compiled(
    r"\b(?:everything(?:'s|\s+is)\s+(?:agreed|settled|sorted|done)\s+(?:except|but|apart\s+from)|"
    r"(?:refuses?|refused|won'?t|will\s+not|would\s+not|wouldn'?t|declines?|declined)\s+(?:to\s+)?"
    r"(?:throw\s+in|include|add|give\s+(?:us\s+)?|budge\s+on|move\s+on|concede|waive)|"
    r"(?:one|only|last)\s+(?:thing|item|point|issue)\s+(?:left|open|outstanding|remaining)|"
    r"(?:sole|single|only|last|remaining|outstanding|open|unresolved)\s+(?:(?:remaining|outstanding|open|unresolved)\s+)?"
    r"(?:matter|point|item|issue|point\s+of\s+(?:dis)?agreement)\b|"
    r"^\s*(?:except|apart\s+from|other\s+than))\b",
    re.IGNORECASE,
)


# A relative clause giving what the thing just named amounts to: "…, which amounts to perhaps 6,000".
_RELATIVE_WORTH = compiled(
    r"^\s*,?\s*(?:which|that)\s+(?:amounts|comes|works\s+out|is|would\s+be)\b", re.IGNORECASE
)


# Words that only say the figure after them was worked out: "I calculated it - around 6,000 a
# year", "by my maths: 4k a year", "we reckon".
_RECKONED = compiled(
    r"^\s*(?:(?:i|we)(?:'ve|\s+have)?\s+(?:calculated|worked\s+(?:it|that)\s+out|figured|estimated|reckon|"
    r"crunched\s+the\s+numbers|ran\s+the\s+numbers|did\s+the\s+maths?)(?:\s+(?:it|that|this))?"
    r"|by\s+(?:my|our)\s+(?:maths?|count|reckoning|numbers|estimate))\s*[-–—:,]?\s*$",
    re.IGNORECASE,
)


_REPORTING = compiled(
    r"\s*(?:told|tells|said|says|claim\w*|reckon\w*|insist\w*|maintain\w*|estimat\w*|thinks?)\b",
    re.IGNORECASE,
)
_NAMED_RISE = compiled(
    r"\b(?:(?!(?:The|Their|Our|This|That|Its|A|An)\s)[A-Z0-9][\w+-]*\s+){1,2}(?:price\s+)?"
    r"(?:uplift|increase|escalator|rise|hike|step-?up)\b"
)
_ON_TOP = compiled(r"\s*(?:on top of|over|above|more than|higher than)\b", re.IGNORECASE)
_SHARE_OF = compiled(r"\s*of\s+(?:the|their|our|its|a|an|that|this)\b", re.IGNORECASE)

# Amounts whose term is the agreement's: "their offer is 4.2m over three years" says the term too.
TERM_OF = ("ms_annual_cost", "deal_value_per_year", "budget_per_year")


def _short_money(amount: float) -> str:
    """1400000 → "1.4M", 640000 → "640k" (the currency is the one the person used)."""
    if amount >= 1e6:
        return f"{amount / 1e6:.2f}".rstrip("0").rstrip(".") + "M"
    if amount >= 1e3:
        return f"{amount / 1e3:.1f}".rstrip("0").rstrip(".") + "k"
    return f"{amount:.0f}"


def _same_sentence(work: str, a: int, b: int) -> bool:
    return not _SENTENCE_END.search(work, a, b)


_ORDINAL_ONLY = compiled(r"(?:on\s+)?the\s+\d{1,2}(?:st|nd|rd|th)", re.IGNORECASE)


_PAST_EVENT_DAY = compiled(
    r"\b(?:telephoned|phoned|called|rang|emailed|e-mailed|met|spoke|talked|said|told|asked|sent|wrote|replied|"
    r"came\s+back|reached\s+out|got\s+in\s+touch|visited|dropped\s+by)\b[^.;]{0,40}$",
    re.IGNORECASE,
)
# "signed" told as done ("we signed the add-on on Nov 14", "procurement signed the paper on
# Friday"), not one to come ("to be signed by", "gets signed on").
_SIGNED_PAST = compiled(
    r"(?<!\bbe )(?<!\bget )(?<!\bgets )(?<!\bgot )(?<!\bis )(?<!\bare )(?<!\bbeing )(?<!\bhave it )\bsigned\b"
    r"(?!\s*(?:off|by|before|no later|until))",
    re.IGNORECASE,
)
# A day said relative to now for something that happened or happens now: the day of an event.
_EVENT_DAY = compiled(
    r"(?:today|tonight|yesterday|this\s+(?:morning|afternoon|evening|week)|last\s+\w+|the\s+other\s+day)",
    re.IGNORECASE,
)
# "the Board meets to approve the renewal on 10 February": the day of the decision about it.
_DECIDED_ON = compiled(
    r"\b(?:approv\w*|decid\w*|vot\w*\s+on|sign\w*\s+(?:it\s+|this\s+|that\s+)?off(?:\s+on)?|rul\w*\s+on)\s+"
    r"(?:the\s+|our\s+|this\s+|that\s+)?(?:\w+\s+)?(?:renewal|agreement|contract|deal|ea|offer|budget)\s+(?:on|by|at)?\s*$",
    re.IGNORECASE,
)
_WEEKDAY = compiled(r"(?:on\s+|last\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day", re.IGNORECASE)


# "..., the 31 January 2028", "(i.e. 30 April)": a day said right after another, in apposition.
_APPOSED = compiled(
    r"^\s*(?:[,(–—-]\s*|\.\.\.\s*)(?:i\.?e\.?,?\s+|so\s+|that's\s+|that is\s+|on\s+)?", re.IGNORECASE
)


# Microsoft pressing for a signature by a date: "they want us to sign by Friday", "the AE keeps
# pushing to sign before their quarter closes". Their deadline, not the day we mean to sign.
_THEIR_SIGN_BY = (
    r"{who}(?:'s|’s)?(?:\s+\w+)?\s+(?:is\s+|are\s+|keeps?\s+|still\s+|now\s+|really\s+)*"
    r"(?:push|press|insist|want|urg|nudg|chas|lean|need|expect|ask)\w*\s+(?:on\s+)?(?:us\s+)?"
    r"(?:hard\s+|really\s+)?(?:for\s+us\s+)?to\s+(?:sign|close|commit)\b"
    # "They want signature by 20 December", "the AE expects our signature before the 31st"
    r"|{who}(?:\s+\w+)?\s+(?:want|need|expect|ask)\w*\s+(?:for\s+)?(?:our\s+|a\s+|the\s+)?(?:signature|signing|sign-?off)\b"
    # "AE says sign by Dec 31 or the pricing goes", "the AE told us that we must sign before …"
    r"|{who}(?:\s+\w+)?\s+(?:says?|said|told\s+us|tells\s+us|insists?|insisted|warned(?:\s+us)?)\s+(?:that\s+)?"
    r"(?:we\s+(?:must|have\s+to|need\s+to|should|gotta|'ve\s+got\s+to)\s+)?(?:sign|close|commit)\b"
)


def _read_dates(work: str, c: Clause, r: _Reader, add: Any, now: datetime, tz: str) -> None:
    got = _date_fact(c, r, now, tz)
    if got is not None and isinstance(got[1], DateFound):
        key, found = got
        if read_date(c.text, now, tz, relative=False) is None:
            # "finishing in fourteen months, the 31 January 2028": the day said outright wins over
            # the count it was told with
            rest = work[c.start + found.span[1] : c.start + found.span[1] + 60]
            lead = _APPOSED.match(rest)
            exact = read_date(rest, now, tz, relative=False) if lead and lead.end() > 0 else None
            if (
                isinstance(exact, DateFound)
                and exact.span[0] - lead.end() <= 4
                and _same_sentence(work, c.start + found.span[1], c.start + found.span[1] + exact.span[0])
            ):
                span = (found.span[0], found.span[1] + exact.span[1])
                found = DateFound(exact.day, None, span, found.said, exact.precision)
        day = found.day
        if _PAST_EVENT_DAY.search(c.text[: found.span[0]]) and _WEEKDAY.fullmatch(found.said.strip()):
            return  # "their VP telephoned our CEO on Friday": the day something happened, no deadline
        if _EVENT_DAY.fullmatch(found.said.strip()) or re.search(
            r"\b(?:last|past|previous|this\s+past)\s*$", c.text[: found.span[0]], re.IGNORECASE
        ):
            return  # "first meeting last Tuesday", "6th call today": the day of an event, no deadline
        if key == "signature_date" and _SIGNED_PAST.search(c.text[: found.span[0]]):
            # "we signed the Copilot add-on on Nov 14", "We signed the current EA effective 1 April
            # 2026": a signature done is no signing date ahead (the fact is the one expected)
            return
        if key == "signature_date" and r.their_sign_by.search(c.text[: found.span[0]]):
            return  # "MS pushing hard to sign by 12/31": their deadline (a move of theirs), not our date
        if r.past_date.search(c.text) and day > local_today(now, tz) and found.said[-4:].isdigit() is False:
            try:  # "it lapsed on 31 Oct": the last 31 October, not the next
                day = day.replace(year=day.year - 1)
            except ValueError:
                return
        add(key, day.isoformat(), (c.start + found.span[0], c.start + found.span[1]), 0.85)


def _date_fact(c: Clause, r: _Reader, now: datetime, tz: str) -> tuple[str, DateFound | Ambiguous] | None:
    """The date fact a clause names (its nearest cue decides which), found or ambiguous."""
    if not r.date_cue.search(c.text):
        return None  # dateparser only for a clause that names a date fact
    got = read_date(c.text, now, tz, month_alone=True)
    if got is None:
        return None
    ordinal_only = isinstance(got, DateFound) and bool(_ORDINAL_ONLY.fullmatch(got.said))
    a = got.span[0]
    before = c.text[:a]
    after = c.text[got.span[1] : got.span[1] + 25]
    best: tuple[int, str] | None = None
    for cf in r.dates:
        for cue in cf.cues:
            for m in cue.finditer(before):
                dist = a - m.end()
                if best is None or dist < best[0]:
                    best = (dist, cf.key)
            m2 = cue.search(after)
            if m2 and (best is None or m2.start() + 5 < best[0]):
                best = (m2.start() + 5, cf.key)
    if best is None or _negated_before(c, c.start + a, r):
        return None
    period = [m for m in r.period_end.finditer(before)]
    if period and a - period[-1].end() < best[0]:
        return None  # "signature before their half-year close, 31 Dec": their calendar, not ours
    if ordinal_only and best[1] != "decision_date":
        return None  # "the renewal is on the 3rd": which month is a guess; a meeting "on the 10th" is near
    if (
        best[1] == "renewal_date"
        and _DECIDED_ON.search(before)
        and any(cf.key == "decision_date" for cf in r.dates)
    ):
        return "decision_date", got  # approving the renewal on that day is the decision, not the end
    return best[1], got


def _read_start(work: str, c: Clause, r: _Reader, add: Any, now: datetime, tz: str) -> None:
    """When talks began: "four months in", "since February" (said of the talks), "we opened
    talks last Tuesday"."""
    m = r.talks_start.search(c.text)
    if m:
        moment = read_past_moment(c.text[m.end() :], now, tz)
        if moment is not None and not _negated_before(c, c.start + m.start(), r):
            day = moment.astimezone(ZoneInfo(tz)).date()
            add("talks_started", day.isoformat(), (c.start + m.start(), c.end), 0.8)
        return
    found = read_since(c.text, now, tz)
    if found is None or _negated_before(c, c.start + found.span[0], r):
        return
    if found.said.casefold().startswith("since"):
        first = max((x.end() for x in _SENTENCE_END.finditer(work, 0, c.start)), default=0)
        end = next((x.start() for x in _SENTENCE_END.finditer(work, c.end)), len(work))
        if not r.talks_words.search(work[first:end]):
            return  # "since February" about something else
    add("talks_started", found.day.isoformat(), (c.start + found.span[0], c.start + found.span[1]), 0.75)


@dataclass(frozen=True, slots=True)
class DateQuestion:
    """A date fact said in a way that reads two ways: ask "Which day is 12/03 — 12 March or 3 December?"."""

    key: str
    said: str
    options: tuple[date, ...]
    span: tuple[int, int]


def read_date_questions(text: str, kb: Knowledge, *, now: datetime, tz: str = "UTC") -> list[DateQuestion]:
    """Date facts `read_facts` left out because the day is ambiguous ("we renew on 12/03")."""
    out = []
    for c in clauses(text, kb):
        if not c.asserts:
            continue
        got = _date_fact(c, _reader(kb), now, tz)
        if got is not None and isinstance(got[1], Ambiguous):
            amb = got[1]
            out.append(
                DateQuestion(got[0], amb.said, amb.options, (c.start + amb.span[0], c.start + amb.span[1]))
            )
    return out


def _runs(work: str, parts: list[Clause]) -> list[list[Clause]]:
    """Consecutive asserting clauses of one sentence ("our walk-away is 1.6M, leadership signed off")."""
    runs: list[list[Clause]] = []
    for c in parts:
        if not c.asserts:
            runs.append([])
            continue
        if runs and runs[-1] and _same_sentence(work, runs[-1][-1].end, c.start):
            runs[-1].append(c)
        else:
            runs.append([c])
    return [r for r in runs if r]


# A yes read from words that deny it: "the CFO hasn't agreed to be the sponsor", "MS haven't
# asked us about references", "leadership has also not fixed a walk-away figure".
_DENIED = compiled(
    r"\b(?:(?:hasn't|haven't|hadn't|didn't|won't|isn't|never)|(?:has|have|had|did|will|is)"
    r"(?:\s+(?:also|yet|even|still|really|actually|formally))?\s+not)\s+"
    r"(?:yet\s+|really\s+|actually\s+|also\s+|even\s+|formally\s+)?(?:agreed|offered|volunteered|signed\s+up|"
    r"stepped\s+up|happy|willing|asked|requested|approved|signed\s+off|set|fixed|confirmed|decided|defined|determined)\b",
    re.IGNORECASE,
)


def _read_patterns(
    work: str, run: list[Clause], r: _Reader, add: Any, patterns: Mapping[str, Any] | None = None
) -> None:
    start, end = run[0].start, run[-1].end
    text = work[start:end]
    for key, pats in (r.patterns if patterns is None else patterns).items():
        for rx, fixed in pats:
            m = rx.search(text)
            if not m:
                continue
            value: Any
            if fixed is True and _DENIED.search(m.group(0)):
                continue  # "the CFO hasn't agreed to be the sponsor": the commitment is denied
            if fixed is not None:
                value = fixed
            else:
                c = next(c for c in run if c.start <= start + m.start() < c.end or c is run[-1])
                # A negation inside the words captured is what they say ("the only thing left is
                # they won't include Visio"), not a denial of the fact.
                cue = text[m.start() : m.start("text")] if m.groupdict().get("text") else m.group(0)
                if m.groupdict().get("refused"):  # "won't move on X": the refusal is the fact's cue
                    cue = cue.replace(m.group("refused"), " ")
                if _negated_before(c, start + m.start(), r) or r.negation.search(cue):
                    continue
                value = _captured(key, m.groupdict(), r, text, m)
                if value is None:
                    continue
            add(key, value, (start + m.start(), start + m.end()), 0.9)
            break


def _captured(key: str, g: dict[str, Any], r: _Reader, text: str, m: re.Match[str]) -> Any:
    if g.get("n"):
        if r.vague.search(text[max(0, m.start("n") - 8) : m.start("n")]) or _RANGE_AFTER.match(
            text, m.end("n")
        ):
            return None
        raw = g["n"]
        v = int(raw) if raw.isdigit() else words_value(raw)
        return int(v) if v is not None and 0 < v < 100 else None
    if g.get("ord"):
        raw = g["ord"].casefold()
        return int(raw[:-2]) if raw[0].isdigit() else ORDINALS.get(raw)
    if g.get("ask"):  # what we ask Microsoft for, in a line: "the ask: cap increases at 3%"
        said = re.split(r"\s+(?:—|–|-)\s+|,\s+(?:so|which|but|because)\b", g["ask"])[0]
        said = _LEADING.sub("", said.strip()).strip(" '\"")
        return said if 3 <= len(said) <= 100 and not r.text_reject.search(said) else None
    if g.get("text"):  # the words said, which may name a product inside them
        if key == "planned_migration":  # "400 VMs from our colo into Azure": a count of things moved
            said = _clean_text(g["text"], r, longest=120, counted=True)
            return _what_moves(said) if said else said
        if key == "alternative":  # "E3 with a third-party security suite": one alternative of parts
            return _clean_text(g["text"], r, longest=80, joined=True, joins=_ALT_JOIN)
        return _clean_text(g["text"], r, longest=60, joined=key == "sticking_point")
    if g.get("product"):
        return r.products.get(g["product"].casefold(), g["product"])
    if g.get("competitor"):
        return competitor_name(r, g["competitor"], text, m.end("competitor"))
    return None


# What a migration moves where, without its asides and a long span: "our imaging archive, roughly
# two petabytes, to Azure over the next eighteen months" -> "our imaging archive to Azure"; a
# short when ("next yr", "from June 2027") stays, it says when the leverage lands.
_ASIDE = compiled(r",\s+[^,]{1,40},\s+")
_WHEN_AFTER = compiled(
    r"\s+(?:over|within|during|in|by|from|starting|across)\s+(?:the\s+)?(?:next|coming|following)\s+[\w-]+\s+"
    r"(?:years?|yrs?|months|quarters)\b.*$",
    re.IGNORECASE,
)


def _what_moves(said: str) -> str:
    tidy = _WHEN_AFTER.sub("", _ASIDE.sub(" ", said)).strip(" ,")
    return tidy if len(tidy.split()) >= 2 else said


def competitor_name(r: _Reader, said: str, text: str, end: int) -> str:
    """The competitor as people name it, with its product when said a few words on: "Google
    costed Workspace" is Google Workspace; and with what qualifies it right after: an edition
    ("Google Workspace for Education"), the route we would buy it by ("… through the national
    framework"), another competitor joined to it ("CrowdStrike plus our existing Okta")."""
    name = r.competitors.get(said.casefold(), said)
    products = r.competitor_products.get(said.casefold())
    if products is not None:
        stop = _HARD_STOP.search(text, end)
        m = products.match(text[end : stop.start() if stop else len(text)])
        if m is not None:
            full = f"{name} {m.group(1)}"
            name = r.competitors.get(full.casefold(), full)
            end += m.end()
    q = _QUALIFIED.match(text, end)
    if q is not None:
        if q.group("other"):
            other = r.competitor_rx.match(q.group("other"))
            if other is not None and other.group(0).casefold() not in name.casefold():
                return f"{name} plus {r.competitors.get(other.group(0).casefold(), other.group(0))}"
        elif q.group("edition"):
            return f"{name} {q.group('edition')}"
        elif q.group("route"):
            return f"{name} {q.group('route')}"
    return name


_QUALIFIED = compiled(
    r"\s*(?:(?:plus|\+|and|with|alongside)\s+(?:our\s+)?(?:existing\s+|current\s+)?(?P<other>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)"
    r"|(?P<edition>for\s+(?:Education|Edu|Nonprofits?|Non-?profits?|Government|Frontline|Business)\b)"
    r"|(?P<route>(?:through|via)\s+(?:the\s+|a\s+|our\s+)?(?:[\w-]+\s+){0,3}?(?:framework|reseller|partner|marketplace|consortium)\b))",
)


_RANGE_AFTER = compiled(rf"\s*(?:-|–|to|or)\s*(?:\d|(?:{_NUM_WORDS})\b)", re.I)
_LEADING = compiled(
    r"^(?:(?:the|a|an|our|their|its|that|this|on|about|with|around|really|roughly|approximately|approx\.?|nearly|almost)\s+)+",
    re.I,
)


_HARD_STOP = compiled(r"[;:!?]|\.(?!\d)|\s[—–]\s")


# Words that start a clause of their own after "and" ("the uplift and they won't move").
_CLAUSE_AFTER_AND = compiled(
    r"\b(?:we|they|i|you|he|she|it|who|which|that|this|there|is|are|was|were|has|have|had|will|would|can|could|"
    r"should|not|said|says|say|wants?|wanted|thinks?|refuses?|insists?)\b|n't\b",
    re.IGNORECASE,
)
_AND = compiled(r"\s*\band\b\s*", re.IGNORECASE)


_ALT_JOIN = compiled(r"\s*\b(?:and|with|plus)\b\s*", re.IGNORECASE)


def _clean_text(
    raw: str,
    r: _Reader,
    longest: int = 60,
    *,
    counted: bool = False,
    joined: bool = False,
    joins: re.Pattern[str] = _AND,
) -> str | None:
    # A migration is read up to where it goes ("the DMS and 180 workloads to Azure"): only a
    # sentence stop cuts it, not "and" or "with".
    cut = _HARD_STOP.search(raw) if counted else r.text_stop.search(raw)
    if joined and cut is not None and joins.fullmatch(cut.group(0)):
        # "the Copilot and E5 uplift", "Visio and Project licences": two things under one head,
        # when the words after "and" are a short noun phrase, not a clause of their own.
        rest = raw[cut.end() :]
        nxt = r.text_stop.search(rest)
        part = rest[: nxt.start()] if nxt else rest
        if (
            part.strip()
            and len(part.split()) <= 4
            and not _CLAUSE_AFTER_AND.search(part)
            and not re.search(r"\d", part)
        ):
            cut = r.text_stop.search(raw, cut.end() + (nxt.start() if nxt else len(rest)))
    s = raw[: cut.start()] if cut else raw
    s = _LEADING.sub("", s.strip()).strip(" '\"")
    s = _DANGLING.sub("", s)  # "the 8% escalator on their [$2.5M base]": cut before the amount
    if len(s) < 2 or len(s) > longest:
        return None
    if r.text_reject.search(s) and not (counted and re.match(r"\d[\d,.]*\s+[A-Za-z]{2,}", s)):
        return None
    return s


_DANGLING = compiled(
    r"(?:\s+(?:on|of|at|for|to|in|with|by|from|over|against|and|or|the|their|our|a|an|its|his|her|this|that))+\s*$",
    re.IGNORECASE,
)


# A team's head named for the team ("our CIO, the CFO and procurement signed off").
_HEADS = compiled(
    r"\b(?:cio|cfo|chief\s+\w+\s+officer|finance\s+director|it\s+director|head\s+of\s+it)\b", re.I
)
_TEAM_WORDS = compiled(
    r"\b(?:finance|procurement|purchasing|sourcing|legal|controlling)\b|(?-i:\bIT\b)", re.I
)


_LIST_LEAD_WORDS = 3  # words a team list may follow in its clause ("we finally got IT, …")


def _bare_list(clause: str, r: _Reader) -> str:
    """What is left of a clause once team names and list words are taken out ("" for "and IT")."""
    for pats in r.teams.values():
        for p in pats:
            clause = p.sub(" ", clause)
    # "Finance and me", "the procurement officer and myself": the speaker may close a list
    bare = re.sub(
        r"\b(?:and|&|the|our|my|teams?|plus|me|myself|I|officer|lead|manager|head\s+of)\b|[\s,+/&]",
        "",
        clause,
        flags=re.I,
    )
    return re.sub(
        r"(?i)finance|procurement|purchasing|sourcing|legal|IT|cio|cfo|chief\w+officer|director|headof",
        "",
        bare,
    )


# A team that has not given its number yet is undecided, not merely silent on the budget:
# "Finance hasn't even given me a number yet", "Finance haven't yet agreed what number we're
# aiming for", "finance havent set a number yet", "Finance hasn't weighed in".
_NO_NUMBER_YET = compiled(
    r"\b(?:hasn't|haven't|has\s+not|have\s+not|not\s+yet|yet\s+to|never)\s+(?:even\s+|yet\s+|actually\s+|really\s+|formally\s+)*"
    r"(?:(?:set|given(?:\s+(?:us|me))?|defined|fixed|agreed(?:\s+on)?|decided(?:\s+on)?|landed\s+on|come\s+up\s+with|settled\s+on|"
    r"provided|shared|confirmed|named|produced)\b[^.;]{0,40}?\b(?:budget\w*|target|number|figure|ceiling)\b|weighed\s+in\b)",
    re.IGNORECASE,
)
# The team that set the figure is behind it too: "Finance has fixed our target at 6M, IT and
# Procurement are fully behind it".
_BEHIND_IT = compiled(
    r"\b(?:behind|back(?:s|ing|ed)?|support(?:s|ing|ed)?|with|agree(?:s|d)?\s+with|signed\s+off\s+on)\s+"
    r"(?:it|this|that|the\s+(?:target|number|budget|figure|ceiling))\b",
    re.IGNORECASE,
)
# A clause that carries on the subject of a list before it: "Finance and me, we think the same",
# "Finance, on the other hand, haven't yet agreed a number".
_PREDICATE_START = compiled(
    r"^\s*(?:[-–—:]\s*)?(?:we|they|both(?:\s+of\s+(?:us|them))?|all\s+(?:of\s+)?(?:us|them|three)|all(?=\s+(?:are|were|have|agree))|"
    r"(?:has|have|had|is|are|was|were|does|do|did|will|would|hasn't|haven't|isn't|aren't|doesn't|don't|"
    r"won't|wouldn't|still|also|both)\b)",
    re.IGNORECASE,
)
# "it" in lower case as the IT team, where a pronoun cannot stand: heading a team list ("it,
# finance, procurement all fine w the deal") or with a stance and no verb ("it not yet fully").
_OTHER_TEAM = r"(?:finance|fin|procurement|legal|purchasing|sourcing)"  # team words beside a lowercase "it"
_LOWER_IT_LIST = compiled(
    rf"(?:\s*(?:[,+&/]|\band\b)\s*|\s+(?={_OTHER_TEAM}\s+(?:and\s+|&\s+)?{_OTHER_TEAM}\b)){_OTHER_TEAM}\b",
    re.I,
)
_LOWER_IT_HEADS = compiled(rf"\s*it\s+{_OTHER_TEAM}\b", re.I)
_LOWER_IT_STANCE = compiled(
    r"^\s*it\s+(?:not\s+yet|not\s+(?:on\s?board|aligned|convinced|happy)|yes\b|no\b|too\b|also\s+(?:ok|fine|on\s?board|aligned))",
    re.IGNORECASE,
)


_LOWER_IT_CLOSING = compiled(
    rf"\b{_OTHER_TEAM}\s*(?:,|\+|&|/|\band\b)\s*it\b"
    r"(?!\s*(?:is|was|'s|will|would|has|had|does|did|can|could|might|should|may)\b)",
    re.IGNORECASE,
)


def _lower_it(work: str, c: Clause, parts: list[Clause], r: _Reader) -> bool:
    s = c.text
    if _LOWER_IT_CLOSING.search(s):
        return True  # "finance, procurement and it all fine w the plan"
    if (
        re.fullmatch(r"\s*it\s*", s, re.IGNORECASE)
        or re.match(r"\s*it\s*(?:[+&/])", s, re.IGNORECASE)
        or _LOWER_IT_HEADS.match(s)
    ):
        # "it, fin and procurement …", "it fin procurement all agree": "it" heads a team list
        return bool(_LOWER_IT_LIST.match(work, c.start + s.casefold().find("it") + 2))
    if _LOWER_IT_STANCE.match(s):
        # only beside another team in the same sentence: "finance + procurement ok w/ the plan, it not yet"
        return any(
            p is not c
            and _same_sentence(work, min(p.start, c.start), max(p.start, c.start))
            and any(x.search(p.text) for t, pats in r.teams.items() if t != "it" for x in pats)
            for p in parts
        )
    return False


_ALL_THREE = compiled(r"\ball\s+(?:three|3)\b", re.IGNORECASE)


def _read_alignment(
    work: str, parts: list[Clause], r: _Reader, add: Any, known: Mapping[str, Any] | None
) -> None:
    news: dict[str, bool | None] = dict.fromkeys((*TEAMS, *OTHER_TEAMS), None)
    spans: list[tuple[int, int]] = []
    waiting: list[str] = []
    setters: list[tuple[str, int]] = []  # teams that set the figure, with where their sentence starts
    undecided: list[tuple[str, tuple[int, int]]] = []  # teams that have not given their number yet
    last: bool | None = None
    for c in parts:
        s = c.text
        # "no budget target yet, finance hasn't got round to it": a bare "hasn't" in a sentence
        # about the budget (or another topic) is about that, not the team's stance.
        sentence = [p for p in parts if _same_sentence(work, min(p.start, c.start), max(p.start, c.start))]
        about_other = any(r.topic_words.search(p.text) for p in sentence)
        teams = [t for t, pats in r.teams.items() if any(p.search(s) for p in pats)]
        if "it" not in teams and _lower_it(work, c, parts, r):
            teams.insert(0, "it")
        everyone = bool(r.everyone.search(s))
        nobody = bool(r.nobody.search(s))
        if not (teams or everyone or nobody):
            if waiting and c.asserts and _PREDICATE_START.match(s):
                pass  # the list before is its subject: "Finance and me, we think the same"
            elif waiting and c.asserts and len(s.split()) <= 4 and r.stance.search(s):
                pass  # the list's verdict said short, after it: "Finance, procurement, IT. Same page."
            elif waiting and len(s.split()) <= 4 and not r.stance.search(s):
                continue  # an aside between the list and its verb: "Finance, on the other hand, ..."
            else:
                waiting = []
                continue
        if not c.asserts:
            waiting = []
            continue
        no_number = _NO_NUMBER_YET.search(s)
        if no_number and (teams or waiting):
            # Undecided, when the message tells another team's stance beside it ("Procurement's
            # with me though", "... and still fighting with IT"); alone, it is news about the
            # budget only.
            named_here = [*waiting, *teams]
            waiting = []
            if r.no.search(s[: no_number.start()] + " " + s[no_number.end() :]):
                for t in named_here:
                    if news[t] is None:
                        news[t] = False
                spans.append((c.start, c.end))
            else:
                undecided += [(t, (c.start, c.end)) for t in named_here]
            continue
        if r.not_alignment.search(s):
            if teams and not r.negation.search(s):
                here = max((m.end() for m in _SENTENCE_END.finditer(work, 0, c.start)), default=0)
                setters = [(t, here) for t in teams]
            waiting = []
            continue
        if teams and not _bare_list(s, r):
            # "…, IT, Finance and Procurement have signed off": a clause that is only team names
            # is the head of a list whose verdict follows, whatever else the sentence is about.
            waiting = [*waiting, *teams]
            continue
        if about_other and not r.stance.search(s):
            waiting = []
            continue
        if about_other and _HEADS.search(s) and not _TEAM_WORDS.search(s):
            waiting = []  # "Finance confirmed the budget, CFO signed off": the budget, not a stance
            continue
        if nobody and not (r.yes.search(s) or teams or everyone):
            waiting = []  # "nobody has looked at it": no team's stance
            continue
        # "behind the position that we require a cap of no more than 3%": the position's own words
        # are no stance, whatever "no" or "not" they hold
        content = r.position_content.search(s)
        stance_words = s[: content.end()] if content and r.yes.search(s[: content.end()]) else s
        if r.no.search(stance_words) or nobody:
            polarity: bool | None = False
        elif r.yes.search(s):
            polarity = False if r.negation.search(stance_words) else True
        else:
            polarity = None
        if polarity is None and teams and SAME_AS_BEFORE.search(s):  # "…, procurement too"
            polarity = last
        last = polarity if polarity is not None else last
        if polarity is None:
            # "IT, Finance and Procurement agreed": teams listed before their verdict.
            listed = s.rsplit(":", 1)[-1]  # "steerco last wk: IT, finance and procurement agreed"
            # "We got IT, Finance and Procurement on the same page": a short lead before the list.
            first = min(
                (m.start() for pats in r.teams.values() for p in pats if (m := p.search(listed))), default=0
            )
            if len(listed[:first].split()) <= _LIST_LEAD_WORDS:
                listed = listed[first:]
            waiting = [*waiting, *teams] if not _bare_list(listed, r) else []
            continue
        named = [*waiting, *teams] if teams or waiting else (list(TEAMS) if everyone or nobody else [])
        if everyone and _ALL_THREE.search(s):  # "… I took it to the board: all three functions agree"
            named = list(dict.fromkeys([*named, *TEAMS]))
        if polarity and setters and _BEHIND_IT.search(s):
            here = max((m.end() for m in _SENTENCE_END.finditer(work, 0, c.start)), default=0)
            named += [t for t, at in setters if at <= here and t not in named]  # set it, so behind it
        waiting = []
        for t in named:
            if news[t] is None:
                news[t] = polarity
        spans.append((c.start, c.end))
    if not spans:
        return
    for t, span in undecided:
        if news[t] is None:
            news[t] = False
            spans.append(span)
    spans.sort()
    old = parse_alignment((known or {}).get("internal_alignment"))
    merged = merge_alignment(old, news)
    add("internal_alignment", alignment_text(merged), (spans[0][0], spans[-1][1]), 0.85)


# --- amounts worked out from what was said ----------------------------------------------------

_MONEY_KEYS = ("budget_per_year", "deal_value_per_year", "ms_annual_cost")


def _value_of(key: str, found: Mapping[str, FoundFact], known: Mapping[str, Any]) -> float | None:
    v = found[key].value if key in found else known.get(key)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) and v > 0 else None


def _read_relative(
    work: str,
    parts: list[Clause],
    r: _Reader,
    add: Any,
    found: dict[str, FoundFact],
    known: Mapping[str, Any],
) -> float | None:
    """ "their offer is 18 % over our budget", "they want 15 % on top of what we pay": the
    amount, from the percentage and a base the deal knows (this message or before), shown as
    assumed. Returns the increase itself (the percentage of the base), or None."""
    for c in parts:
        if not c.asserts:
            continue
        for rel in r.relative:
            m = rel.rx.search(c.text)
            if m is None or _negated_before(c, c.start + m.start(), r):
                continue
            if rel.key in found and not _base_taken_as_it(rel, m, c, found[rel.key]):
                continue
            if rel.needs is not None and rel.needs not in found and known.get(rel.needs) in (None, ""):
                continue
            raw = m.group("pct").replace(",", ".")
            said_pct = float(raw) if raw[0].isdigit() else words_value(raw.casefold())
            if said_pct is None or not 0 < said_pct < 100:
                continue
            pct = float(said_pct)
            named = read_money(m.group("base")) if m.groupdict().get("base") else []
            if rel.share and named:  # "adds 7 % of that $2.4M": the base is named right there
                found.pop(rel.key, None)
                amount = round(named[0].amount * pct / 100, 2)
                note = f"assumed: {pct:g} % of {_short_money(named[0].amount)}"
                add(rel.key, amount, (c.start + m.start(), c.start + m.end()), 0.7, note)
                continue
            base_key = rel.base
            if base_key == "previous":  # "18 % over it": the amount named just before
                at = c.start + m.start()
                before = [f for f in found.values() if f.key in _MONEY_KEYS and f.span[1] <= at]
                base_key = max(before, key=lambda f: f.span).key if before else "budget_per_year"
            base = _value_of(base_key, found, known)
            if base is None:
                continue
            label = _BASE_LABELS.get(base_key, base_key.replace("_", " "))
            pct_said = f"{pct:g} %"
            if rel.share:
                note = f"assumed: {pct_said} of the {label} of {_short_money(base)}"
                add(rel.key, round(base * pct / 100, 2), (c.start + m.start(), c.start + m.end()), 0.7, note)
                continue
            amount = round(base * (1 + pct / 100), 2)
            note = f"assumed: {pct_said} over the {label} of {_short_money(base)}"
            if rel.record:
                add(rel.key, amount, (c.start + m.start(), c.start + m.end()), 0.7, note)
            return round(base * pct / 100, 2)
    return None


def _base_taken_as_it(rel: _Rel, m: re.Match[str], c: Clause, f: FoundFact) -> bool:
    """ "the uplift is about 20 % of their 3.5m": the amounts' reading took the base named in the
    share for the fact itself; the share, worked out, replaces it."""
    if not rel.share or not m.groupdict().get("base"):
        return False
    a, b = c.start + m.start("base"), c.start + m.end("base")
    return f.span[0] < b and a < f.span[1]


_YEARLY_RISE = compiled(
    r"\bescalat\w*|\buplift\b|\b(?:annual|yearly|price)\s+(?:increase|rise)\b", re.IGNORECASE
)
_BASE_LABELS = {
    "budget_per_year": "budget",
    "deal_value_per_year": "current yearly spend",
    "ms_annual_cost": "offer",
}
_WORTH_NEWS = (
    "sticking_point",
    "ms_annual_cost",
    "budget_per_year",
    "annual_escalator_pct",
    "deal_value_per_year",
)


def _implied(
    work: str,
    r: _Reader,
    add: Any,
    found: dict[str, FoundFact],
    known: Mapping[str, Any],
    increase: float | None,
) -> None:
    """Facts a message implies: a budget figure means a budget target is set; an alternative
    costed by name names the alternative; a price-like sticking point with no worth of its own
    is worth the gap between their offer and our budget (or the increase just read), assumed."""
    if found.get("exec_sponsor") is not None and found["exec_sponsor"].value is True:
        f = found["exec_sponsor"]
        start = max((m.end() for m in _SENTENCE_END.finditer(work, 0, f.span[0])), default=0)
        end = next((m.start() for m in _SENTENCE_END.finditer(work, f.span[1])), len(work))
        role = r.sponsor_roles.search(work, start, end)
        if role is not None:
            said = role.group(0)
            add("exec_sponsor_role", said.upper() if len(said) <= 4 else said.capitalize(), role.span(), 0.75)
    if "budget_per_year" in found and "budget_target_set" not in found:
        f = found["budget_per_year"]
        add("budget_target_set", True, f.span, 0.75)
    if "alternative_annual_cost" in found and "alternative" not in found and not known.get("alternative"):
        f = found["alternative_annual_cost"]
        start = max((m.end() for m in _SENTENCE_END.finditer(work, 0, f.span[0])), default=0)
        end = next((m.start() for m in _SENTENCE_END.finditer(work, f.span[1])), len(work))
        named = [m for m in r.competitor_rx.finditer(work, start, end)]
        names = {competitor_name(r, m.group(0), work, m.end()) for m in named}
        # "CrowdStrike plus our existing Okta": Okta is part of the one alternative named
        names = {n for n in names if not any(n != o and n.casefold() in o.casefold() for o in names)}
        if len(names) == 1:
            m = named[0]
            add("alternative", names.pop(), m.span(), 0.75)
    _implied_point(work, r, add, found, known)
    _point_pointed_back(work, r, add, found, known)
    key = "sticking_point_value_per_year"
    if key in found or known.get(key) is not None:
        return
    point = found["sticking_point"].value if "sticking_point" in found else known.get("sticking_point")
    if not isinstance(point, str) or not r.price_like.search(point):
        return
    news = [k for k in _WORTH_NEWS if k in found]
    if not news:
        return
    span = found[news[0]].span
    if increase is not None:
        add(key, increase, span, 0.65, "assumed: the increase itself")
        return
    pct = _value_of("annual_escalator_pct", found, known)
    if pct is not None and pct < 100 and _YEARLY_RISE.search(point):
        # "the sticking point is the 6 % escalator" on a deal of 7M a year: a year's rise, 420k
        for base_key, label in (("deal_value_per_year", "current yearly spend"), ("ms_annual_cost", "offer")):
            base = _value_of(base_key, found, known)
            if base is not None:
                note = f"assumed: {pct:g} % a year on the {label} of {_short_money(base)}"
                add(key, round(base * pct / 100, 2), span, 0.65, note)
                return
    offer, budget = _value_of("ms_annual_cost", found, known), _value_of("budget_per_year", found, known)
    if offer is not None and budget is not None and offer > budget:
        gap = round(offer - budget, 2)
        said = f"their offer ({_short_money(offer)}) and our budget ({_short_money(budget)})"
        note = f"assumed: the gap between {said}"
        add(key, gap, span, 0.65, note)


# Microsoft holding to a yearly rise the person complains of ("they're still sitting on an 8 %
# increase every year", "stuck on E5 — they want 9 % a year, we want 3 %"), or one whose yearly
# cost they count ("… na $420,000 extra every year").
_HOLDING_TO = compiled(
    r"\b(?:still|stuck|sitting\s+on|won't|will\s+not|refus\w*|insist\w*|holding\s+(?:out|firm|on)|not\s+(?:moving|budging)|"
    r"nothing\s+is\s+(?:moving|shaking|happening)|keep\s+(?:pushing|insisting)|we\s+want|we\s+need|we're\s+asking)\b",
    re.IGNORECASE,
)
_EXTRA_A_YEAR = compiled(
    r"\b(?:extra|more|additional|on\s+top)\s+(?:a|per|every|each)\s+(?:year|yr)\b|\b(?:a|per|every|each)\s+(?:year|yr)\s+(?:extra|more)\b",
    re.IGNORECASE,
)
_RISE_WORDS = compiled(
    r"\b(?:(?:price|cost|licen[cs]e)\s+)?(?:increase|uplift|escalator|rise|hike|step-?up)s?\b", re.IGNORECASE
)


def _implied_point(
    work: str, r: _Reader, add: Any, found: dict[str, FoundFact], known: Mapping[str, Any]
) -> None:
    """A yearly rise Microsoft holds to, told with a complaint or with what it costs each year, is
    the sticking point when none is named: "8 % annual price increase". A point named only as a
    product ("stuck on E5 — they want 9 % a year") is that rise on the product."""
    if "annual_escalator_pct" not in found or known.get("sticking_point"):
        return
    said = found.get("sticking_point")
    product = None
    if said is not None:
        product = r.products.get(str(said.value).casefold())
        if product is None:
            return  # a point of its own words
    f = found["annual_escalator_pct"]
    start = max((m.end() for m in _SENTENCE_END.finditer(work, 0, f.span[0])), default=0)
    end = next((m.start() for m in _SENTENCE_END.finditer(work, f.span[1])), len(work))
    sentence = work[start:end]
    if not (_HOLDING_TO.search(sentence) or _EXTRA_A_YEAR.search(work)):
        return
    if said is None and r.negation.search(work[start : f.span[0]]) and not _HOLDING_TO.search(sentence):
        return
    noun = _RISE_WORDS.search(work, max(0, f.span[0] - 30), min(len(work), f.span[1] + 40))
    words = noun.group(0).casefold() if noun is not None else "increase"
    words = re.sub(r"s$", "", words)
    if words.startswith(("escalator", "uplift")):
        words = words  # "7 % annual escalator", "9 % annual uplift"
    value = f"{f.value:g}% annual {words}" + (f" on {product}" if product else "")
    if said is not None:
        found.pop("sticking_point")
    add("sticking_point", value, f.span, 0.65, "the yearly rise they hold to")


# "… they want 9 % on top. That's the sticking point.", "That's the money we're fighting over":
# a sentence that only points back names the point in the sentence before it.
_POINTED_BACK = compiled(
    r"(?:^|[.!?]\s+|;\s*)(?:and\s+|so\s+)?(?:that|this|which|it)(?:'s|\s+is|\s+was|\s+has\s+been|\s+remains)\s+"
    r"(?:(?:the|our)\s+(?:(?:main|real|big|whole|one|only|last|remaining)\s+)?(?:sticking\s+point|blocker|problem|issue|"
    r"bone\s+of\s+contention|money\s+we(?:'re|\s+are)\s+(?:fighting|arguing|haggling)\s+(?:over|about))|"
    r"(?:what|where)\s+(?:we(?:'re|\s+are)\s+(?:stuck|hung\s+up|fighting|arguing|haggling)|"
    r"we\s+(?:can't|cannot)\s+(?:get\s+past|agree\s+on|accept)|it(?:'s|\s+is)\s+stuck|"
    r"(?:things|talks|it)\s+(?:stall|stalled|stuck|break|broke)))",
    re.IGNORECASE,
)


def _point_pointed_back(
    work: str, r: _Reader, add: Any, found: dict[str, FoundFact], known: Mapping[str, Any]
) -> None:
    """The point named by the sentence a pointing one follows: the yearly rise or the increase
    it asks for ("9 % increase"), else that sentence's own words (its last clause)."""
    if "sticking_point" in found or known.get("sticking_point"):
        return
    m = _POINTED_BACK.search(work)
    if m is None:
        return
    at = m.start() + len(m.group(0)) - len(m.group(0).lstrip(".!?; \t\n"))
    ends = [e.end() for e in _SENTENCE_END.finditer(work, 0, at)]
    before = work[ends[-2] if len(ends) > 1 else 0 : at].strip()
    if not before or before.endswith("?"):
        return
    span = (work.find(before), work.find(before) + len(before))
    rise = found.get("annual_escalator_pct")
    if rise is not None and span[0] <= rise.span[0] < span[1]:
        add(
            "sticking_point",
            f"{rise.value:g}% annual increase",
            rise.span,
            0.6,
            "the sentence it points back to",
        )
        return
    named = _NAMED_RISE.search(before)
    if named is not None:  # "The E5 uplift is well above market"
        add("sticking_point", " ".join(named.group(0).split()), span, 0.6, "the sentence it points back to")
        return
    pct = read_percents(before)
    if len(pct) == 1 and _ON_TOP.search(before):
        add("sticking_point", f"{pct[0].value:g}% increase", span, 0.6, "the sentence it points back to")
        return
    last = re.split(r"[,;]\s+|\s+(?:and|but)\s+", before.rstrip(".!"))[-1].strip()
    if 2 <= len(last.split()) <= 10:
        add("sticking_point", last, span, 0.55, "the sentence it points back to")


_ON_TOP = compiled(r"\b(?:on\s+top|more|extra|increase|hike|uplift|rise)\b", re.IGNORECASE)


# --- contacts --------------------------------------------------------------------------------


def title_words(kb: Knowledge) -> frozenset[str]:
    """The words of Microsoft's role titles (knowledge/roles.yaml): "Manager", "Executive"."""

    def build(kb: Knowledge) -> frozenset[str]:
        return frozenset(
            w.casefold() for role in kb.roles.values() for w in re.findall(r"[A-Za-z]+", role.title)
        )

    return kb.derive("understanding.title_words", build)


def read_contacts(text: str, kb: Knowledge, parts: Sequence[Clause] | None = None) -> list[FoundContact]:
    """People on Microsoft's side named with their role: "Jane is our CSM", "our AE is John
    Smith", "we deal with Priya Patel, their account exec". `parts`: `clauses(text, kb)` when
    the caller has split the text already (the reading does), so it is not split again."""
    r = _reader(kb)
    out: list[FoundContact] = []
    if parts is None:
        parts = clauses(text, kb)
    for rx in r.contacts:
        for m in rx.finditer(text):
            c = next((c for c in parts if c.start <= m.start("name") < c.end), None)
            if c is None or not c.asserts:
                continue
            words = m.group("name").split()
            while words and words[0].casefold() in r.not_names:
                words.pop(0)
            if not words or any(w.casefold() in r.not_names for w in words):
                continue
            name = " ".join(words)
            if all(w.casefold() in title_words(kb) for w in words):
                continue  # "Our Customer Success Manager, Daniel, …": a title is no name
            role = r.roles.get(m.group("role").casefold())
            if role is None or any(f.name == name for f in out):
                continue
            if _negated_before(c, m.start(), r) or r.negation.search(m.group(0)):
                continue
            out.append(FoundContact(name, role, m.span(), 0.85, m.group(0)))
    if text == text.casefold():  # typed all in lower case: no capital tells a name
        for rx in r.contacts_lowercase:
            for m in rx.finditer(text):
                word = m.group("name")
                if word in r.lowercase_not_names or word in r.not_names or word in r.roles:
                    continue
                role = r.roles.get(m.group("role").casefold())
                name = word[:1].upper() + word[1:]
                if role is None or any(f.name.casefold() == word for f in out):
                    continue
                c = next((c for c in parts if c.start <= m.start("name") < c.end), None)
                if c is None or not c.asserts or r.negation.search(m.group(0)):
                    continue
                out.append(FoundContact(name, role, m.span(), 0.75, m.group(0)))
    return sorted(out, key=lambda f: f.span)


# --- amounts of money in any text -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount of money as the fact reader sees it, with how it is meant."""

    money: Money
    total: bool  # for several years or one-off ("4,5 Mio € for the full three years")
    per_unit: bool  # a price per user, seat, ... ("$45 per user")


_WORD_AHEAD = compiled(r"\s*[A-Za-z][\w-]*")


def _counts_after(text: str, at: int, r: _Reader) -> bool:
    """A count noun one or two words on: "25,000 frontline workers", "2,000 Copilot seats"."""
    for _ in range(2):
        m = _WORD_AHEAD.match(text, at)
        if m is None:
            return False
        at = m.end()
        if r.count_noun.match(text, at):
            return True
    return False


_COUNT_ADJ = compiled(
    r"(?:\s*\b(?:more|additional|extra|new|active|named|existing|further|other|internal)\b)*", re.I
)


def money_amounts(text: str, kb: Knowledge) -> list[Amount]:
    """Every amount of money in `text`: said with a currency or a multiplier ("1.5M",
    "1,5 Mio €", "€85k/month", "half a million") or a grouped figure of 1,000 or more
    ("1,500,000"); never a count ("2k users", "12,000 seats"). The same reading as the facts
    (`read_facts`), for callers that judge the words around each amount themselves (the leak
    check)."""
    r = _reader(kb)
    out: list[Amount] = []
    for m in read_money(text):
        a, b = m.span
        if m.period is None and not m.currency:
            noun_at = b + len(_COUNT_ADJ.match(text, b).group(0))  # "6,000 more users"
            if r.count_noun.match(text, noun_at) or (not m.explicit and _counts_after(text, b, r)):
                continue
        plain = m.amount >= 1000 and "," in text[a:b]
        if not (m.explicit or plain):
            continue
        total = m.period is None and bool(r.total.search(text[b : b + 40]))
        out.append(Amount(m, total, bool(r.per_unit.match(text, b))))
    return out
