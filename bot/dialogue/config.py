"""knowledge/dialogue.yaml, validated, and its cues compiled once per knowledge base: who said
a thing (attribution), the named rules of reading, and the follow-up cues."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.knowledge import Knowledge, KnowledgeSection
from bot.patterns import check, compiled

# --- knowledge/dialogue.yaml ------------------------------------------------------------------


def _regex(value: str) -> str:
    """A pattern written over several YAML lines: the line breaks and indents are not part of it."""
    value = re.sub(r"\n\s*", "", value)
    check(value)
    return value


class Attribution(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ours: str
    theirs: str
    exec_words: str
    contact_verbs: str
    received_from: str
    request_words: str
    # What we told Microsoft ("told her we'd go to Google if she doesn't move"): our words.
    we_told_them: str = "(?!)"
    # A rule of our own organisation ("uni policy says we can't endorse vendors"): our constraint.
    our_policy: str = "(?!)"
    _fix = field_validator("*")(classmethod(lambda cls, v: _regex(v)))


class RuleCues(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    check_draft: str
    quoted: str
    watch_for: str
    meeting_words: str
    expiry_words: str
    agreement_words: str
    timing_words: str
    when_words: str
    involve_verbs: str
    asks_when_or_who: str
    draft_words: str
    favour_idiom: str
    log_request: str
    question_lead: str
    _fix = field_validator("*")(classmethod(lambda cls, v: _regex(v)))


class FollowUp(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ellipsis: str
    what_now: str
    yes_no: str
    _fix = field_validator("*")(classmethod(lambda cls, v: _regex(v)))


class References(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    person: str
    figure: str
    _fix = field_validator("*")(classmethod(lambda cls, v: _regex(v)))


class FavoursTold(BaseModel):
    """Favours told as events (bot/understanding/events.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    manner: str
    done: str
    asked_lead: str
    counted: str
    again: str
    need_words: str
    trouble_words: str = "(?!)"
    close: str = "(?!)"  # we know them well
    given: str = "(?!)"  # value we gave them
    asked_counted: str = "(?!)"  # "we asked our AE, Sandra, for three favours" ({who} is the person)

    _fix = field_validator("*")(classmethod(lambda cls, v: _regex(v)))


class DialogueConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    _fix_strangers = field_validator("strangers")(classmethod(lambda cls, v: _regex(v)))
    attribution: Attribution
    rules: RuleCues
    logging_intents: list[str]
    what_now: dict[str, str]
    facts_ask: dict[str, str] = Field(default_factory=dict)
    follow_up: FollowUp
    references: References
    favours_told: FavoursTold
    strangers: str
    # Facts Microsoft's executive contacting ours never tells (their move, not our relationship)
    their_move_tells_not: list[str] = Field(default_factory=list)
    # Microsoft people introduced in passing (bot/understanding/introductions.py)
    introductions: list[str] = Field(default_factory=list)
    introductions_not_names: list[str] = Field(default_factory=list)
    # Microsoft people named with no role ("Marta at Microsoft", "Ravi from MS")
    microsoft_people: list[str] = Field(default_factory=list)
    # Questions that give advice (a follow-up leans on the last one asked, through facts told
    # in between) and the words of a question that names no subject of its own ("what do we
    # say?", "thoughts?"): it asks the last advice question again (rule generic-question-takes-topic).
    advice_intents: list[str] = Field(default_factory=list)
    generic_question_words: list[str] = Field(default_factory=list)
    # Words that judge a plan just told ("would that be wise?", "good idea or should we drop it?")
    judging_words: list[str] = Field(default_factory=list)
    # What a figure is called when a follow-up points back to it ("that number" -> "our budget of 3.2M")
    figure_names: dict[str, str] = Field(default_factory=dict)
    keep_people: int = Field(ge=1, le=20)
    keep_facts: int = Field(ge=1, le=20)
    topic_minutes: int = Field(ge=1)


SECTIONS = (KnowledgeSection("dialogue", "dialogue", DialogueConfig),)


def dialogue_config(kb: Knowledge) -> DialogueConfig:
    return kb.section("dialogue.dialogue")


@dataclass(frozen=True, slots=True)
class Cues:
    ours: re.Pattern[str]
    theirs: re.Pattern[str]
    side_mention: re.Pattern[str]
    theirs_to_ours: re.Pattern[str]
    ours_to_theirs: re.Pattern[str]
    received: re.Pattern[str]
    request: re.Pattern[str]
    we_told_them: re.Pattern[str]
    our_policy: re.Pattern[str]
    check_draft: re.Pattern[str]
    quoted: re.Pattern[str]
    watch_for: re.Pattern[str]
    meeting: re.Pattern[str]
    expiry: re.Pattern[str]
    agreement: re.Pattern[str]
    timing: re.Pattern[str]
    when: re.Pattern[str]
    involve: re.Pattern[str]
    our_exec: re.Pattern[str]
    we_to_their_exec: re.Pattern[str]  # "should I call their AVP directly?": going up ourselves
    to_their_exec: re.Pattern[str]  # "… is minded to write to Microsoft's VP": anyone going up
    asks_when_or_who: re.Pattern[str]
    draft: re.Pattern[str]
    favour_idiom: re.Pattern[str]
    log_request: re.Pattern[str]
    question_lead: re.Pattern[str]
    ellipsis: re.Pattern[str]
    what_now: re.Pattern[str]
    yes_no: re.Pattern[str]
    person_ref: re.Pattern[str]
    figure_ref: re.Pattern[str]


def _build_cues(kb: Knowledge) -> Cues:
    c = dialogue_config(kb)
    a, r, f = c.attribution, c.rules, c.follow_up
    flags = re.IGNORECASE
    our_exec = rf"\b(?:our|my)\s+(?:own\s+)?(?:\w+\s+)?{a.exec_words}\b|\bour\s+side\b|\bour\s+end\b"
    their_exec = (
        rf"\b(?:their|microsoft'?s|msft'?s|ms|the\s+microsoft|a\s+microsoft)\s+(?:\w+\s+){{0,2}}{a.exec_words}\b"
        r"|\bsatya\b"
    )
    verbs = a.contact_verbs
    return Cues(
        ours=compiled(a.ours, flags),
        theirs=compiled(a.theirs, flags),
        side_mention=compiled(rf"(?P<ours>{a.ours})|(?P<theirs>{a.theirs})", flags),
        theirs_to_ours=compiled(
            rf"(?:{their_exec})[^\n.;!?]{{0,40}}?\b{verbs}\b[^\n.;!?]{{0,30}}?\b(?:our|my)\b", flags
        ),
        ours_to_theirs=compiled(
            rf"(?:{our_exec}|^\s*(?:we|i)\b)[^\n.;!?]{{0,30}}?\b{verbs}\b[^\n.;!?]{{0,30}}?(?:{their_exec})",
            flags,
        ),
        received=compiled(
            rf"(?:{our_exec})[^\n.;!?]{{0,30}}?(?:{a.received_from})[^\n.;!?]{{0,15}}?(?:{their_exec})", flags
        ),
        request=compiled(a.request_words, flags),
        we_told_them=compiled(a.we_told_them, flags),
        our_policy=compiled(a.our_policy, flags),
        check_draft=compiled(r.check_draft, flags),
        quoted=compiled(r.quoted, flags),
        watch_for=compiled(r.watch_for, flags),
        meeting=compiled(r.meeting_words, flags),
        expiry=compiled(r.expiry_words, flags),
        agreement=compiled(r.agreement_words, flags),
        timing=compiled(r.timing_words, flags),
        when=compiled(r.when_words, flags),
        involve=compiled(r.involve_verbs, flags),
        our_exec=compiled(our_exec, flags),
        we_to_their_exec=compiled(
            rf"\b(?:i|we)\b[^\n.;!?]{{0,20}}?(?:{r.involve_verbs})[^\n.;!?]{{0,15}}?(?:{their_exec})"
            # "ask Mr. Tanaka to write to their area VP", "get Jane to ring Microsoft's RVP": one of
            # ours sent up to their executive
            rf"|\b(?:(?:ask|get|send)\s+(?:[\w.'-]+\s+){{1,4}}?to|(?:have|let)\s+(?:[\w.'-]+\s+){{1,3}}?)"
            rf"\s*(?:{r.involve_verbs})[^\n;!?]{{0,15}}?(?:{their_exec})"
            # "should Magnus call their AVP?", "could our Priya write to Microsoft's GM?": one of ours
            # named, asked about going up
            rf"|\b(?:should|shall|can|could|would|may)\s+(?:our\s+)?(?-i:[A-Z][\w'-]+)(?:\s+(?-i:[A-Z][\w'-]+))?\s+"
            rf"(?:{r.involve_verbs})[^\n;!?]{{0,15}}?(?:{their_exec})",
            flags,
        ),
        to_their_exec=compiled(
            rf"(?:{r.involve_verbs}|writes?|calls?|rings?|phones?|emails?|contacts?|reach(?:es)?\s+out\s+to|"
            rf"(?:speaks?|talks?)\s+(?:directly\s+)?(?:to|with))[^\n.;!?]{{0,25}}?"
            rf"\b(?:their|microsoft(?:\s+[A-Z]{{2,3}})?'?s?|msft'?s?|ms|the\s+(?:microsoft|msft|ms))\s+"
            rf"(?:[\w-]+\s+){{0,4}}?(?:{a.exec_words}|country\s+manager|(?:[\w-]+\s+)?(?:lead|head|boss))\b",
            flags,
        ),
        asks_when_or_who=compiled(r.asks_when_or_who, flags),
        draft=compiled(r.draft_words, flags),
        favour_idiom=compiled(r.favour_idiom, flags),
        log_request=compiled(r.log_request, flags),
        question_lead=compiled(r.question_lead, flags),
        ellipsis=compiled(f.ellipsis, flags),
        what_now=compiled(f.what_now, flags),
        yes_no=compiled(f.yes_no, flags),
        person_ref=compiled(c.references.person, flags),
        figure_ref=compiled(c.references.figure, flags),
    )


def cues(kb: Knowledge) -> Cues:
    return kb.derive("reading.cues", _build_cues)
