"""One reading per turn: what a message says, read once and used by every later layer.

`read(text, kb, …)` returns a frozen `Reading`: the command, the knowledge pattern that fired,
the classifier's ranking, the clauses, entities with their spans (people, roles, teams,
amounts, percentages, counts), facts with their confidence and who stated them, whether the
message asks or tells, who is speaking (us, Microsoft, a named person and their side), the
references a follow-up leans on, and the intent decided, with every step that decided it.

The layers used to read the text again, each in its own way, and the last one won. Here each
override is a named rule (`RULES`) that reads the Reading; `steps` records which rule changed
the intent, so `coach eval understanding` can show, per rule, where it overrode a right model
ranking and where it rescued a wrong one. Pure and deterministic: the clock, the person's time
zone, the deal's known facts and the conversation's state come in; nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from bot.dialogue.config import Cues, cues, dialogue_config
from bot.dialogue.resolve import Resolution, names_nothing, resolve
from bot.knowledge import Knowledge
from bot.patterns import compiled
from bot.understanding.config import config as understanding_config
from bot.understanding.fact_names import fact_by_name
from bot.understanding.fact_reading import read_more
from bot.understanding.fact_reading import spec as spec_of_facts
from bot.understanding.facts import (
    Clause,
    FoundContact,
    FoundFact,
    clauses,
    looks_like_question,
    read_contacts,
    read_facts,
)
from bot.understanding.grammar import clean, match_command, match_pattern, pattern_args
from bot.understanding.introductions import introductions, microsoft_people
from bot.understanding.parts import MICROSOFT, US, Entity, Fact, Reference, Speaker, Step
from bot.understanding.values import only_unsure, read_counts, read_money, read_percents


@dataclass(frozen=True, slots=True)
class Reading:
    text: str  # as typed, cleaned
    resolved: str  # with references replaced from the conversation ("ask her" -> "ask Jane")
    command: str | None
    command_args: Mapping[str, Any]
    pattern: str | None
    pattern_args: Mapping[str, Any]
    ranking: tuple[tuple[str, float], ...]  # real intents, best first
    outside: float  # the "none of these" class's probability
    question: bool
    unsure: bool  # only "not sure" / "no idea"
    clauses: tuple[Clause, ...]
    entities: tuple[Entity, ...]
    facts: tuple[Fact, ...]
    contacts: tuple[FoundContact, ...]  # Microsoft people named with their role ("Jane is our CSM")
    speaker: Speaker | None
    move: str | None  # "theirs_to_ours" | "ours_to_theirs": one side's executive contacted the other's
    references: tuple[Reference, ...]
    intent: str | None
    args: Mapping[str, Any]
    steps: tuple[Step, ...]

    @property
    def model_top(self) -> str | None:
        return self.ranking[0][0] if self.ranking else None

    @property
    def decided_by(self) -> str:
        return self.steps[-1].rule if self.steps else "none"

    def entities_of(self, kind: str) -> list[Entity]:
        return [e for e in self.entities if e.kind == kind]


# --- reading a message -----------------------------------------------------------------------


@dataclass
class Draft:
    """The reading while its rules run: the same fields, mutable, and the text's cached cues."""

    text: str
    kb: Knowledge
    command: str | None = None
    command_args: dict[str, Any] = field(default_factory=dict)
    pattern: str | None = None
    pattern_args: dict[str, Any] = field(default_factory=dict)
    ranking: list[tuple[str, float]] = field(default_factory=list)
    outside: float = 0.0
    question: bool = False
    unsure: bool = False
    speaker: Speaker | None = None
    move: str | None = None
    facts: list[Fact] = field(default_factory=list)
    intent: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)

    @cached_property
    def cue(self) -> Cues:
        return cues(self.kb)

    def p(self, name: str) -> float:
        return next((p for n, p in self.ranking if n == name), 0.0)

    def model_top(self) -> str | None:
        return self.ranking[0][0] if self.ranking else None

    def rank_of(self, name: str) -> int:
        return next((i for i, (n, _) in enumerate(self.ranking) if n == name), 99)

    def decide(self, rule: str, intent: str | None, args: Mapping[str, Any] | None = None) -> None:
        if intent == self.intent and args is None:
            return
        self.intent = intent
        self.args = dict(args or {})
        self.steps.append(Step(rule, intent))


Rule = Callable[[Draft], None]


def _first_question(d: Draft) -> bool:
    """Asked of the coach: a question mark, or a question's first word."""
    return d.question or bool(d.cue.question_lead.search(d.text))


# Each rule reads the draft and may change the intent; `steps` records it under the rule's name.


_SAYING = re.compile(
    r"\b(?:said|says|say|told|tells|thinks|think|thought|feels|felt|believes|reckons|mentioned|warned|"
    r"complained|wants|wanted|insists|insisted|asked|asks|worries|is\s+worried|is\s+(?:not\s+)?happy|hates|likes)\b",
    re.IGNORECASE,
)


def rule_ours_not_microsoft(d: Draft) -> None:
    """Our people's remarks never become Microsoft's statements: "our CFO said the price is too
    high" is our side's view, kept as a note. So are our own words to Microsoft ("told her we'd
    go to Google if she doesn't move": what we said, a bluff maybe, not their move) and a rule
    of our own organisation ("uni policy says we can't endorse vendors": our constraint, not
    Microsoft's global policy)."""
    if d.command is not None or d.move is not None:
        return
    if d.intent in (None, "ms.statement", "escalation.alignment") and not _first_question(d):
        mine = None
        if (
            d.intent == "ms.statement"
            and d.speaker is not None
            and d.speaker.side == US
            and d.cue.we_told_them.match(d.text)
        ):
            mine = ("we", "dialogue.ours-told-them")
        elif d.cue.our_policy.search(d.text) and (d.speaker is None or d.speaker.side == US):
            # a rule is no team's stance and no statement of theirs
            mine = ("our organisation", "dialogue.our-rule")
        if mine is not None:
            d.decide(
                "ours-not-microsoft", "note", {"rest": d.text, "side": US, "who": mine[0], "said_as": mine[1]}
            )
            return
    ours = d.speaker is not None and d.speaker.side == US and d.speaker.who.casefold() not in ("we", "i")
    if not ours:
        return
    assert d.speaker is not None
    assert d.speaker is not None
    said = bool(_SAYING.search(d.text[d.speaker.span[1] : d.speaker.span[1] + 40]))
    guessed = d.intent in _ADVICE and d.steps[-1].rule == "model" and d.p(d.intent or "") < 0.6
    reported = d.intent == "ms.statement" or (said and (d.intent is None or guessed))
    if not reported:
        return
    if _first_question(d):
        d.decide("ours-not-microsoft", None)
    else:
        d.decide("ours-not-microsoft", "note", {"rest": d.text, "side": US, "who": d.speaker.who})


_REPORTING = re.compile(
    r"\b(?:said|says|told\s+(?:us|me)|tells\s+(?:us|me)|insists|insisted|claims|claimed|mentioned|warned|"
    r"wrote|emailed|replied|came\s+back|keeps\s+saying|is\s+saying)\b",
    re.IGNORECASE,
)


# A person named first, by a capitalised name of one or two words ("Priya", "Tom Baker"), not "we".
_NAMED_LEAD = re.compile(r"\s*(?!(?i:we|i|you|our|my|they)\b)[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?\s+")


def _common_word(kb: Knowledge, word: str) -> bool:
    """A capitalised word that is a common word, never a person's name ("Meanwhile", "Honestly")."""

    def build(kb: Knowledge) -> frozenset[str]:
        spec = kb.section("reading.reading")
        return frozenset(w.casefold() for w in (*spec.not_names, *spec.common_words))

    return word.strip(",.;:!?").casefold() in kb.derive("reading.common_words", build)


def rule_contact_speaks_for_microsoft(d: Draft) -> None:
    """A Microsoft contact on the deal, named as the one who said it ("Jane said it's final"),
    speaks for Microsoft: their statement, with its counter-move. So does a person not known
    yet, named as the one who said it ("Priya said we must sign by the 20th"), when the model
    ranks Microsoft's statement first but was not sure enough to pick it."""
    sp = d.speaker
    # The model's "the deal told" is no answer to who said it: a known Microsoft role first, with
    # a verb of saying ("AE keeps pushing, says nobody ever leaves Microsoft"), is their statement.
    told = d.intent == "deal.tell" and sp is not None and sp.side == MICROSOFT
    if (d.intent is not None and not told) or _first_question(d):
        return
    if sp is None:
        lead = _NAMED_LEAD.match(d.text)
        if lead is not None and _common_word(d.kb, lead.group(0).split()[0]):
            lead = None  # "Yesterday said …" is no one's name
        if lead is not None and _REPORTING.match(d.text, lead.end()) and d.model_top() == "ms.statement":
            d.decide("contact-speaks-for-microsoft", "ms.statement")
        return
    if sp.side != MICROSOFT:
        return
    opener = d.text[: sp.span[0]].split()  # "Yesterday their AE said …": a common word first
    if (sp.span[0] <= 2 or all(_common_word(d.kb, w) for w in opener)) and _REPORTING.search(
        d.text[sp.span[1] : sp.span[1] + 40]
    ):
        d.decide("contact-speaks-for-microsoft", "ms.statement")


# Asking something of us: "the AE asked us for a reference call", "they want us to commit".
_ASKING_US = re.compile(
    r"\b(?:asked|asks|asking|wants?|wanted|would\s+like|requested|requests|expects?|pushing)\s+(?:us|me)\s+"
    r"(?:for|to)\b|\b(?:asked|asks|requested|requests)\s+(?:for\s+)?(?:a|an|our)\s+\w",
    re.IGNORECASE,
)


def rule_their_request_is_their_move(d: Draft) -> None:
    """Microsoft's side asking something of us ("the AE asked us for a reference call in exchange
    for 5% off") is their move, to be judged as one: not a favour of ours, nor our commitment."""
    sp = d.speaker
    if sp is None or sp.side != MICROSOFT or d.command is not None or _first_question(d):
        return
    if d.intent not in (None, "favors.log", "deal.tell", "commitments.log"):
        return
    opener = d.text[: sp.span[0]].split()  # said first: "the AE asked us …", not "…, and the AE wants us to"
    if not (sp.span[0] <= 2 or all(_common_word(d.kb, w) for w in opener)):
        return
    if _ASKING_US.search(d.text, sp.span[1], sp.span[1] + 40):
        d.decide("their-request-is-their-move", "ms.statement")


def rule_their_stance_is_their_move(d: Draft) -> None:
    """Our news told with Microsoft's stance in it ("third call with the AE today and they still
    won't budge on copilot"), where the model is torn between the deal told and their statement:
    their move, which the statement reader knows by name, is logged as one, and the facts beside
    it are noted all the same (knowledge/core.yaml facts_in_passing)."""
    sp = d.speaker
    if d.intent != "deal.tell" or not d.steps or d.steps[-1].rule != "model" or _first_question(d):
        return
    if sp is None or sp.side != MICROSOFT or len(d.ranking) < 2 or d.ranking[1][0] != "ms.statement":
        return
    if d.ranking[1][1] < understanding_config(d.kb).torn * d.ranking[0][1]:
        return  # sure it is the deal told
    from bot.understanding.statements import classify

    if classify(d.text, d.kb).type != "other":
        d.decide("their-stance-is-their-move", "ms.statement")


def rule_their_exec_is_their_move(d: Draft) -> None:
    """Microsoft's executive contacting ours is their move (a counter-move), never our escalation."""
    if (
        d.move == "theirs_to_ours"
        and not _first_question(d)
        and d.intent in (None, "escalation.log", "note", "deal.tell")
    ):
        d.decide("their-exec-is-their-move", "ms.statement")


def rule_our_exec_is_our_escalation(d: Draft) -> None:
    """Our executive contacting theirs, told as done, is our escalation, not Microsoft's words."""
    if (
        d.move == "ours_to_theirs"
        and not _first_question(d)
        and d.intent in (None, "ms.statement", "deal.tell")
    ):
        d.decide("our-exec-is-our-escalation", "escalation.log")


def rule_checking_a_draft(d: Draft) -> None:
    """A draft quoted for checking is a leak check: the quoted words are neither Microsoft's
    statement nor our facts."""
    if d.command is not None or d.intent == "leakcheck":
        return
    c = d.cue
    if c.check_draft.search(d.text) and (c.quoted.search(d.text) or d.p("leakcheck") >= 0.2):
        d.decide("checking-a-draft", "leakcheck", {"rest": _quoted_part(d.text, c)})


# A passage quoted whole (eight words or more), and words outside it about sending it.
_QUOTED_PASSAGE = re.compile(r"[\"“«](?:[^\"“”«»]*?\s){7,}[^\"“”«»]*?[\"”»]")
_SENDING = re.compile(
    r"\b(?:send|sending|sent|reply|replying|email|e-mail|mail|message|draft|write|writing|post|posting)\b",
    re.IGNORECASE,
)


def rule_quoted_draft_is_no_smalltalk(d: Draft) -> None:
    """The greeting or thanks inside a quoted draft is the draft's ("Planning to send their CSM:
    'Hello Maria, thanks for …' - anything wrong with it?"): a draft to be sent, asked about, is a
    leak check, never small talk with the coach, nor a message left unread."""
    if d.intent not in (None, "smalltalk.thanks", "smalltalk.greet") or d.command is not None:
        return
    m = _QUOTED_PASSAGE.search(d.text)
    if m is None:
        return
    outside = d.text[: m.start()] + " " + d.text[m.end() :]
    # left open by the model, it must be asked about: "About to email the AE: '…' - ok?"
    if _SENDING.search(outside) and (d.intent is not None or "?" in outside):
        d.decide("checking-a-draft", "leakcheck", {"rest": m.group(0)[1:-1].strip()})


def _quoted_part(text: str, c: Cues) -> str:
    m = re.search(r"[\"“«](?P<q>[^\"“”«»]{3,})[\"”»]", text)
    if m:
        return m.group("q").strip()
    if ":" in text:
        return text.split(":", 1)[1].strip()
    return text


def rule_watch_for_is_prep(d: Draft) -> None:
    """Meeting prep asked as what to watch for: a question about what to expect or avoid in a
    meeting or call."""
    if d.command is not None or d.intent == "meeting.prep" or (not _first_question(d) and "?" not in d.text):
        return
    c = d.cue
    if c.watch_for.search(d.text) and c.meeting.search(d.text) and not c.draft.search(d.text):
        if d.intent in (
            None,
            "help",
            "deal.tell",
            "ms.statement",
            "disclosure.share",
            "favors.who",
            "smalltalk.about",
        ) or (d.pattern is None and d.p(d.intent or "") < 0.6):
            d.decide("watch-for-is-prep", "meeting.prep")


def rule_preparing_is_prep(d: Draft) -> None:
    """Help preparing for a meeting asked in so many words ("could you help me prepare for it?",
    "get me ready for Thursday", "brief me before the call") is meeting prep, when the model
    ranks it first or second: never help, a contact change or a note."""
    if d.command is not None or d.intent == "meeting.prep" or d.cue.draft.search(d.text):
        return
    if not _rule_cue(d, "preparing").search(_asked_part(d.text) or d.text):
        return
    if d.rank_of("meeting.prep") <= 2 and d.intent in (
        None,
        "help",
        "contacts.change",
        "deal.tell",
        "note",
        "ms.statement",
        "escalation.check",
    ):
        d.decide("preparing-is-prep", "meeting.prep")


def rule_expiry_is_timeline(d: Draft) -> None:
    """The timeline asked about expiry in plain words: when the agreement runs out, how long is left."""
    if d.command is not None or d.intent == "timeline.status":
        return
    c = d.cue
    if not (_first_question(d) or "?" in d.text):
        return
    said = (c.expiry.search(d.text) and c.agreement.search(d.text) and c.when.search(d.text)) or (
        c.timing.search(_asked_part(d.text) or d.text)
    )
    if said:
        if d.intent in (
            None,
            "deal.tell",
            "favors.who",
            "deal.show",
            "reminders.add",
            "draft.exploding_offer",
        ) or (d.pattern is None and d.p(d.intent or "") < 0.6):
            d.decide("expiry-is-timeline", "timeline.status")


def rule_bringing_execs_in(d: Draft) -> None:
    """Bringing our executives in, asked without the word "escalate": should our CFO call their
    VP, is it time for our CIO to step in, who on our side should reach out."""
    if d.command is not None or d.intent == "escalation.check":
        return
    c = d.cue
    if not (_first_question(d) or "?" in d.text) or c.draft.search(d.text):
        return
    asked = _asked_part(d.text) or d.text  # the question itself, not the story before it
    exec_words = dialogue_config(d.kb).attribution.exec_words
    ours = (
        c.our_exec.search(asked)
        or _the_exec_to_theirs(d)
        # "Our CIO is upset. Should we ask CIO to call their AVP?": named before, asked about now
        or (c.our_exec.search(d.text) and re.search(rf"\b{exec_words}\b", asked, re.IGNORECASE))
        # "Should I call their AVP directly?": going over the account team ourselves
        or c.we_to_their_exec.search(asked)
    )
    if ours and c.involve.search(asked) and c.asks_when_or_who.search(asked):
        if d.intent in (
            None,
            "draft.escalation",  # no draft word: whether to, not the note itself
            "escalation.log",
            "favors.who",
            "favors.should_ask",
            "deal.tell",
            "ms.statement",
            "note",
            "escalation.alignment",  # a question about going up, asked after telling who is on board
            "favors.balance",
        ):
            d.decide("bringing-execs-in", "escalation.check")


def _the_exec_to_theirs(d: Draft) -> bool:
    """ "the CFO … their area VP": an executive said with "the" is ours when theirs is named too."""
    words = dialogue_config(d.kb).attribution.exec_words
    return bool(
        re.search(rf"\bthe\s+{words}\b", d.text, re.IGNORECASE)
        and re.search(rf"\b(?:their|microsoft'?s)\s+(?:\w+\s+)?{words}\b", d.text, re.IGNORECASE)
    )


def rule_favour_in_idiom(d: Draft) -> None:
    """A favour asked in idiom ("is it wise to go back to Jane again?", "can we lean on the CSM
    once more?"): whether to ask, when a person or a Microsoft role is named."""
    if d.command is not None or d.intent is not None or not (_first_question(d) or "?" in d.text):
        return
    c = d.cue
    if not c.favour_idiom.search(d.text) or c.our_exec.search(d.text):
        return
    named = re.search(r"(?<![.?!]\s)(?<!^)\b[A-Z][a-z][\w.'-]*\b", d.text) or c.theirs.search(d.text)
    if named and d.rank_of("favors.should_ask") <= 2:
        d.decide("favour-in-idiom", "favors.should_ask")


# A favour asked for in so many words: "ask him to sort it as a personal favour", "call in a
# favour with their AVP".
_FAVOUR_SAID = re.compile(
    r"\b(?:as\s+a\s+(?:personal\s+|little\s+|small\s+|quick\s+)?favou?r|personal\s+favou?r|"
    r"call(?:ing)?\s+in\s+a\s+favou?r)\b",
    re.IGNORECASE,
)


def rule_favour_said(d: Draft) -> None:
    """A question about asking someone for something "as a personal favour" is the favour
    question, whoever they are: ringing their AVP for a favour is spending goodwill, not an
    escalation (rule `favour-said`)."""
    if d.command is not None or (d.intent or "").startswith("favors."):
        return
    if not (_first_question(d) or "?" in d.text) or not _FAVOUR_SAID.search(d.text):
        return
    if re.search(r"\bask\w*\b", d.text, re.IGNORECASE) and d.rank_of("favors.should_ask") <= 3:
        d.decide("favour-said", "favors.should_ask")


def rule_question_is_not_a_log(d: Draft) -> None:
    """A question to the coach is never logged: a logging intent picked for a question gives way
    to the best question intent the model ranked, or to no guess."""
    logging = set(dialogue_config(d.kb).logging_intents)
    if d.intent not in logging or d.command is not None:
        return
    if d.intent == "ms.statement":
        return  # the statement skill answers a question about their move without logging it
    if not _first_question(d) or d.cue.log_request.search(d.text):
        return
    if d.pattern == d.intent and not d.text.rstrip().endswith("?"):
        return  # a pattern fitted to a report ("we escalated to their VP, is that logged") stands
    settings = understanding_config(d.kb)
    for name, p in d.ranking:
        if name not in logging and p >= settings.suggest * 2:
            d.decide("question-is-not-a-log", name if p >= settings.confident / 2 else None)
            return
    d.decide("question-is-not-a-log", None)


# A pattern fires on a few words; the rules below let it give way when the words that matter say
# something else and the model ranks that first (cues in knowledge/understanding.yaml `rule_cues`).


def _rule_cue(d: Draft, name: str) -> re.Pattern[str]:
    def build(kb: Knowledge) -> dict[str, re.Pattern[str]]:
        raw = understanding_config(kb).rule_cues
        return {
            k: compiled("".join(x.strip() for x in v.splitlines()), re.IGNORECASE) for k, v in raw.items()
        }

    return d.kb.derive("reading.rule_cues", build)[name]


def _model_says(d: Draft, *names: str) -> str | None:
    """The model's first pick when it is one of `names` and at least as sure as `confident`."""
    if not d.ranking:
        return None
    top, p = d.ranking[0]
    return top if top in names and p >= understanding_config(d.kb).confident else None


def rule_promise_is_a_commitment(d: Draft) -> None:
    """Microsoft's person saying they will do something for us, with no condition attached ("the
    CSM said she'd get us FastTrack hours"), is a promise for the register; with strings
    attached ("... if we add seats") it stays their move, and so does a promise the statement
    reader knows as a concession on a call (it logs the verbal commitment with the statement)."""
    if d.intent != "ms.statement" or d.move is not None or _first_question(d):
        return
    kept = bool(_rule_cue(d, "keep_as_promise").search(d.text))  # "… Log it.": told to keep it
    if not (kept or _rule_cue(d, "promise").search(d.text)) or _rule_cue(d, "condition").search(d.text):
        return
    if not (kept or _rule_cue(d, "promise_strong").search(d.text) or _model_says(d, "commitments.log")):
        return
    from bot.understanding.statements import classify

    if classify(d.text, d.kb).type not in ("call_concession", "verbal_refused"):
        # (a promise the statement reader knows as a call concession is logged there, with its
        # verbal commitment: it stays their statement)
        d.decide("promise-is-a-commitment", "commitments.log")


def rule_asks_for_a_draft(d: Draft) -> None:
    """A message that asks the coach to write something ("... can you write our reply?", "draft
    pls") is that draft, whatever it tells on the way."""
    if d.command is not None or d.intent in ("leakcheck", None) or str(d.intent).startswith("draft."):
        return
    if not _rule_cue(d, "draft_request").search(d.text):
        return
    top = _model_says(d, *(n for n, _ in d.ranking if n.startswith("draft.")))
    if top is not None:
        d.decide("asks-for-a-draft", top)


def rule_reminder_request(d: Draft) -> None:
    """ "Remind me ...", "nudge me next Tuesday to ...": a reminder, whatever it is about."""
    if d.command is not None or d.intent is None or d.intent.startswith("reminders."):
        return
    if _rule_cue(d, "reminder_request").search(d.text) and d.rank_of("reminders.add") <= 1:
        if d.p("reminders.add") >= understanding_config(d.kb).confident / 2:
            d.decide("reminder-request", "reminders.add")


def rule_note_request(d: Draft) -> None:
    """ "Make a note ...", "jot down ...": a note, whatever it is about."""
    if d.command is not None or d.intent in (None, "note") or _first_question(d):
        return
    if d.cue.log_request.search(d.text[:40]) and _model_says(d, "note"):
        d.decide("note-request", "note")


def rule_news_of_another_deal(d: Draft) -> None:
    """A statement that opens with another deal ("New one: group EA renewal. Their opening offer
    is 5.4m") is news of a negotiation the person may want to track apart: the deal.new skill
    keeps its facts on the deal at hand and offers to start the other one; it never makes one."""
    if d.intent not in (None, "deal.tell") or d.command is not None or _first_question(d):
        return
    if _rule_cue(d, "another_deal").search(d.text):
        d.decide("news-of-another-deal", "deal.new")


def rule_stance_told_is_alignment(d: Draft) -> None:
    """Our teams' stance told, not asked ("everyone internally agrees on the escalation ask
    now"), is the alignment update, not the question whether to escalate."""
    if d.intent != "escalation.check" or _first_question(d) or "?" in d.text:
        return
    if _rule_cue(d, "stance").search(d.text) and _model_says(d, "escalation.alignment"):
        d.decide("stance-told-is-alignment", "escalation.alignment")


def rule_kpis_told(d: Draft) -> None:
    """What a Microsoft person is measured or paid on ("she's bonused on E5 attach") is their
    KPIs, even when told as something they said."""
    if d.command is not None or d.intent in (None, "contacts.kpis") or _first_question(d):
        return
    if _rule_cue(d, "measured_on").search(d.text) and _model_says(d, "contacts.kpis"):
        d.decide("kpis-told", "contacts.kpis")


def rule_telling_them_is_disclosure(d: Draft) -> None:
    """Whether to tell someone at Microsoft something ("should I tell him about it?", "can we
    let the CSM know our timeline?") is the disclosure check, when the model ranks it close."""
    if d.command is not None or d.intent == "disclosure.share":
        return
    if d.pattern is not None and d.intent != "meeting.prep":
        return  # a day named ("… on Tuesday?") makes no meeting of a question about telling
    if not (_first_question(d) or "?" in d.text):
        return
    if _rule_cue(d, "disclose_risk").search(d.text) and d.rank_of("disclosure.share") <= 2:
        d.decide("telling-them-is-disclosure", "disclosure.share")  # "any harm in sharing it with her?"
        return
    if d.rank_of("disclosure.share") > 1:
        return
    if (
        _rule_cue(d, "disclose").search(d.text)
        and d.p("disclosure.share") >= understanding_config(d.kb).suggest
    ):
        d.decide("telling-them-is-disclosure", "disclosure.share")


def rule_threat_to_walk(d: Draft) -> None:
    """Telling Microsoft we would walk ("can we tell them we walk?", "should I say we'll move to
    Google?") is a walk threat: whether to make it is whether the walk is credible, not a
    disclosure of our position."""
    if d.command is not None or d.intent not in ("disclosure.share", None, "leakcheck"):
        return
    if not (_first_question(d) or "?" in d.text) or d.cue.check_draft.search(d.text):
        return
    if _rule_cue(d, "threat_to_walk").search(d.text):
        d.decide("threat-to-walk", "walkaway.check")


def rule_a_change_is_asked_for(d: Draft) -> None:
    """Changing a fact is asked for in so many words ("set", "change", "it's 5, not 3", "I typed
    15 by mistake"); a plain statement the model took for a change tells facts instead, and all
    of them are noted."""
    if d.intent != "fact.set" or d.pattern is not None or d.command is not None or _first_question(d):
        return
    if re.match(r"\s*[\w '’()/-]{2,40}?\s*[:=]\s*\S", d.text):
        return  # "budget per year: 2400000": a fact named with its value is set as said
    if not _rule_cue(d, "correction").search(d.text) and not d.cue.log_request.search(d.text):
        d.decide("a-change-is-asked-for", "deal.tell")


_NAMED_VALUE = re.compile(r"\s*(?P<name>[\w '’()/-]{2,40}?)\s*[:=]\s*\S")


def rule_a_fact_named_with_its_value(d: Draft) -> None:
    """A tracked fact named with its value ("budget per year: 2400000", "term = 3") sets that
    fact as said, whatever the model makes of the words (a figure, a date, a yes or no)."""
    if d.intent not in (None, "deal.tell") or d.pattern is not None or d.command is not None:
        return
    m = _NAMED_VALUE.match(d.text)
    if m is None or "\n" in d.text.strip():
        return
    # the value alone: "Microsoft offer: NOK 8.4m per year, three years, flat." tells three facts
    value = d.text[m.end("name") :].lstrip(" :=")
    if re.search(r"[,;]|\s(?:and|plus|with)\s", value) or len(value.split()) > 6:
        return
    spec = fact_by_name(m.group("name"), d.kb)
    if spec is not None and spec.kind != "text":  # a text fact told so is the rules' to read
        d.decide("a-fact-named-with-its-value", "fact.set")


def rule_undo_is_asked_for_surely(d: Draft) -> None:
    """Undoing removes what was told: taken from the model alone only when it is very sure
    (knowledge/understanding.yaml `acting_confident`). "I just told you, Google, for most of the
    estate" shares words with "the thing I just told you, unlog it" and must not remove a fact."""
    if d.intent != "undo" or d.pattern is not None or d.command is not None or not d.steps:
        return
    if d.steps[-1].rule == "model" and d.p("undo") < understanding_config(d.kb).acting_confident:
        d.decide("undo-is-asked-for-surely", None)


# A request to the coach in the imperative: "please prepare me", "kindly help me prepare", "can you
# prep me": the message asks, whatever facts it also tells.
_ASKED_OF_US = re.compile(
    r"\b(?:please|pls|plz|kindly|can\s+you|could\s+you|would\s+you|help\s+me|help\s+us)\b[^.!?\n]{0,30}"
    r"\b(?:prep\w*|brief|get\s+(?:me|us)\s+ready|ready|advise|tell\s+me|help)\b",
    re.IGNORECASE,
)


# Advice a person asks for; told as a plain statement with facts in it, the message tells them.
_ADVICE = (
    "walkaway.check",
    "timeline.status",
    "escalation.check",
    "draft.exploding_offer",
    "meeting.prep",  # "that was our fifth session with them": a meeting told, not prep asked for
)


_DECIDED_BY_US = frozenset(
    {
        "walk_threshold_agreed",
        "walk_threshold_per_year",
        "budget_per_year",
        "budget_target_set",
        "internal_alignment",
    }
)


def rule_statement_tells_facts(d: Draft, facts: list[Fact]) -> None:
    """Run once the facts are read, on the model's pick alone: a plain statement that states deal
    facts ("our alternative is Google Workspace, about 900k a year", "renewal's 30 June") tells
    them; it does not ask for the advice the words are about. A correction of a figure is a fact
    change; Microsoft's words ("MS reckons switching would cost us 5m") are their statement."""
    advice = d.intent in _ADVICE or str(d.intent).startswith("draft.")
    if d.command is not None or _first_question(d) or "?" in d.text:
        return
    if _ASKED_OF_US.search(d.text):
        return  # "… on Thursday with the AE. Please prepare me for it.": a request, facts beside it
    if any(d.cue.question_lead.search(part) for part in re.split(r"[,;:.!—–]|\s-\s", d.text)[1:]):
        return  # "AWS quoted 1.6m a year, is walking realistic": asked after a comma
    draftish = bool(
        d.cue.draft.search(d.text)
        or _rule_cue(d, "draft_request").search(d.text)
        or _rule_cue(d, "reply").search(d.text)  # "... and I'm going to reply to her today"
    )
    if _rule_cue(d, "correction").search(d.text) and len({f.span for f in facts}) == 1:
        if d.intent in ("deal.tell", None) or (advice and not draftish):  # one figure, corrected
            d.decide("statement-tells-facts", "fact.set")
        return
    if d.intent == "commitments.log" and any(f.key in _DECIDED_BY_US for f in facts):
        # "the board agreed we'd only leave above 3M": our own line, decided, is no promise made to
        # or by Microsoft
        d.decide("statement-tells-facts", "deal.tell")
        return
    if not advice or draftish:
        return
    if (d.speaker is not None and d.speaker.side == MICROSOFT) or (
        (d.speaker is None or d.speaker.side != US) and _SAYING.search(d.text[:40])
    ):  # "Jane said we have to sign by Friday …", "MS reckons switching would cost 5m"
        d.decide("statement-tells-facts", "ms.statement")
    else:
        d.decide("statement-tells-facts", "deal.tell")


def rule_point_told_is_a_fact(d: Draft, facts: list[Fact]) -> None:
    """Run once the facts are read: the sticking point named in our own words at the start of a
    sentence ("sticking point: they won't cap the price increase", "The sticking point is the
    cap — they won't put a ceiling on it") tells a fact, even when it reports what Microsoft
    refuses: never their statement to log."""
    if d.intent not in ("ms.statement", None) or d.command is not None:
        return
    point = next((f for f in facts if f.key == "sticking_point"), None)
    cue = _rule_cue(d, "point_told").search(d.text)
    if point is None or cue is None or cue.start() > point.span[0]:
        return
    if d.speaker is not None and d.speaker.side == MICROSOFT and d.speaker.span[0] < cue.start():
        return  # "the AE said the sticking point is ...": their words
    d.decide("point-told-is-a-fact", "deal.tell")


def rule_remark_of_ours(d: Draft, facts: list[Fact]) -> None:
    """Run once the facts are read: one of our people's views reported ("our CIO thinks the
    bundle is overpriced", "my boss feels we're overpaying") that states no deal fact and no
    team's stance on the ask is a remark of our side, kept as a note: not the deal told, not an
    alignment update, never Microsoft's words."""
    sp = d.speaker
    if sp is None or sp.side != US or sp.who.casefold() in ("we", "i") or d.command is not None:
        return
    if d.intent not in (None, "deal.tell", "escalation.alignment") or _first_question(d):
        return
    if not _SAYING.search(d.text[sp.span[1] : sp.span[1] + 40]) or _rule_cue(d, "stance").search(d.text):
        return
    # a point named by meaning in one of our people's views ("thinks the Copilot bundle is
    # overpriced") is their view of it, not news that talks are stuck there
    guessed = [f for f in facts if f.key == "sticking_point" and f.rule == spec_of_facts(d.kb).rule]
    if any(f.key != "internal_alignment" and f not in guessed for f in facts):
        return
    for f in guessed:
        facts.remove(f)
    d.decide("ours-not-microsoft", "note", {"rest": d.text, "side": US, "who": sp.who})


def rule_figure_signed_off_is_budget(d: Draft, facts: list[Fact]) -> None:
    """Run once the facts are read: a team signing off a figure ("Finance signed off 1.8M a year
    for the renewal") tells our budget, not that the team is behind the ask: a statement of
    facts, unless the message also tells a team's stance."""
    if d.intent != "escalation.alignment" or d.command is not None or d.question:
        return
    keys = {f.key for f in facts}
    if "budget_per_year" in keys and "internal_alignment" not in keys:
        d.decide("figure-signed-off-is-budget", "deal.tell")


RULES: tuple[tuple[str, Rule], ...] = (
    ("checking-a-draft", rule_checking_a_draft),
    ("quoted-draft-is-no-smalltalk", rule_quoted_draft_is_no_smalltalk),
    ("ours-not-microsoft", rule_ours_not_microsoft),
    ("contact-speaks-for-microsoft", rule_contact_speaks_for_microsoft),
    ("their-request-is-their-move", rule_their_request_is_their_move),
    ("their-stance-is-their-move", rule_their_stance_is_their_move),
    ("their-exec-is-their-move", rule_their_exec_is_their_move),
    ("our-exec-is-our-escalation", rule_our_exec_is_our_escalation),
    ("bringing-execs-in", rule_bringing_execs_in),
    ("watch-for-is-prep", rule_watch_for_is_prep),
    ("preparing-is-prep", rule_preparing_is_prep),
    ("expiry-is-timeline", rule_expiry_is_timeline),
    ("favour-in-idiom", rule_favour_in_idiom),
    ("favour-said", rule_favour_said),
    ("promise-is-a-commitment", rule_promise_is_a_commitment),
    ("asks-for-a-draft", rule_asks_for_a_draft),
    ("reminder-request", rule_reminder_request),
    ("note-request", rule_note_request),
    ("stance-told-is-alignment", rule_stance_told_is_alignment),
    ("news-of-another-deal", rule_news_of_another_deal),
    ("kpis-told", rule_kpis_told),
    ("a-change-is-asked-for", rule_a_change_is_asked_for),
    ("a-fact-named-with-its-value", rule_a_fact_named_with_its_value),
    ("undo-is-asked-for-surely", rule_undo_is_asked_for_surely),
    ("telling-them-is-disclosure", rule_telling_them_is_disclosure),
    ("threat-to-walk", rule_threat_to_walk),
    ("question-is-not-a-log", rule_question_is_not_a_log),
)


# --- who is speaking ---------------------------------------------------------------------------


def attribute(text: str, kb: Knowledge, contacts: Mapping[str, str] | None = None) -> Speaker | None:
    """The statement's subject: the first side mentioned before a verb of saying, a named
    Microsoft contact, or "we"/"I". None when nobody is named (the person typing)."""
    c = cues(kb)
    told = c.we_told_them.match(text)
    if told:  # "told her we'd go to Google …", "I warned the AE …": our words to them
        return Speaker(US, "we", (0, told.end()))
    m = c.side_mention.search(text[:160])
    best: Speaker | None = None
    bare = _bare_role_lead(text, kb)
    if bare is not None and (m is None or m.start() > bare[0]):
        # "AE pushing hard, says …", "CSM asked what budget …": a Microsoft role said bare first
        best = Speaker(MICROSOFT, text[bare[0] : bare[1]], bare)
        m = None
    if m:
        side = US if m.group("ours") else MICROSOFT
        best = Speaker(side, m.group(0).strip(), m.span())
        first = re.match(r"\s*(we|i)\b", text, re.IGNORECASE)
        if first and _OBJECT_BEFORE.search(text[: m.start()]) and not _SAYING.search(text):
            # "We did not have any meeting with Microsoft yet": they are the object, we speak
            best = Speaker(US, first.group(1), first.span(1))
    firsts = [n.split()[0] for n in contacts or {}]
    for name in contacts or {}:
        said = [name]
        if " " in name and firsts.count(name.split()[0]) == 1:
            said.append(name.split()[0])  # "Jane" for Jane Smith, when no other contact is a Jane
        for words in said:
            at = re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text[:160])
            if at and (best is None or at.start() < best.span[0]):
                best = Speaker(MICROSOFT, name, at.span())
    if best is None:
        first = re.match(r"\s*(we|i)\b", text, re.IGNORECASE)
        if first:
            return Speaker(US, first.group(1), first.span(1))
    return best


# A side named right after one of these is the object of what "we" say, not the speaker ("by" is
# left out: "we were told by Microsoft …" is theirs).
_OBJECT_BEFORE = re.compile(r"\b(?:with|w/|to|from|for|at|about|against|on|into|than)\s*$", re.IGNORECASE)
_LEAD_WORDS = re.compile(r"\s*(?:(?:so|and|also|btw|fyi|update|now)\b[:,\s]*)?")


def _bare_role_lead(text: str, kb: Knowledge) -> tuple[int, int] | None:
    """The span of a Microsoft role that opens the message without "the"/"our" ("AE pushing
    hard, says …", "CSM asked …", "account manager says …"), or None."""
    at = _LEAD_WORDS.match(text)
    m = _role_words(kb).match(text, at.end() if at else 0)
    if m is None or (m.end() < len(text) and not re.match(r"[\s,:(]", text[m.end()])):
        return None
    if m.group(0).casefold() in ("sales", "sales team"):  # as often our own sales people
        return None
    return m.span()


def _move(text: str, c: Cues) -> str | None:
    if c.theirs_to_ours.search(text) or c.received.search(text):
        return "theirs_to_ours"
    if c.ours_to_theirs.search(text):
        return "ours_to_theirs"
    return None


# --- entities ------------------------------------------------------------------------------


_TEAMS = re.compile(r"\b(IT|[Ff]inance|[Pp]rocurement|[Ll]egal|[Ss]ourcing|[Ss]ecurity)\b")


def entities(
    text: str,
    kb: Knowledge,
    contacts: Mapping[str, str] | None = None,
    people: tuple[FoundContact, ...] | None = None,
) -> list[Entity]:
    """People, roles, teams, amounts, percentages and counts, with their spans, in text order."""
    c = cues(kb)
    out: list[Entity] = []
    for person in people if people is not None else read_contacts(text, kb):
        at = text.find(person.name, person.span[0])  # the name's own span, not the sentence's
        span = (at, at + len(person.name)) if at >= 0 else person.span
        out.append(Entity("person", person.name, span, person.role, MICROSOFT))
    firsts: dict[str, list[str]] = {}
    for name in contacts or {}:
        firsts.setdefault(name.split()[0].casefold(), []).append(name)
    for name, role in (contacts or {}).items():
        said = [name]
        first = name.split()[0]
        if first != name and len(first) >= 3 and len(firsts[first.casefold()]) == 1:
            said.append(first)  # "Jane" for Jane Smith, when no other contact is a Jane
        for words in said:
            for m in re.finditer(rf"(?<!\w){re.escape(words)}(?!\w)", text):
                if not any(e.kind == "person" and e.span[0] <= m.start() < e.span[1] for e in out):
                    out.append(Entity("person", name, m.span(), role, MICROSOFT))
    for name, span in microsoft_people(text, kb):  # "Marta at Microsoft": theirs, role untold
        if not any(e.kind == "person" and e.span[0] <= span[0] < e.span[1] for e in out):
            out.append(Entity("person", name, span, None, MICROSOFT))
    for m in _role_words(kb).finditer(text):
        role = kb.role(m.group(0))
        out.append(Entity("role", m.group(0), m.span(), role.key if role else None, MICROSOFT))
    for m in c.ours.finditer(text):
        out.append(Entity("role", m.group(0), m.span(), None, US))
    for m in _TEAMS.finditer(text):
        out.append(Entity("team", m.group(0), m.span(), m.group(0).casefold()))
    for money in read_money(text):
        out.append(Entity("amount", text[money.span[0] : money.span[1]], money.span, money.per_year))
    for pct in read_percents(text):
        out.append(Entity("percent", text[pct.span[0] : pct.span[1]], pct.span, pct.value))
    for n in read_counts(text):
        out.append(Entity("count", text[n.span[0] : n.span[1]], n.span, n.value))
    out.sort(key=lambda e: e.span)
    return out


def _role_words(kb: Knowledge) -> re.Pattern[str]:
    def build(kb: Knowledge) -> re.Pattern[str]:
        words = sorted({a for r in kb.roles.values() for a in (r.aliases or [])}, key=len, reverse=True)
        alt = "|".join(re.escape(w) for w in words if len(w) > 1)
        return re.compile(rf"(?<![\w'])(?:{alt})(?![\w'])", re.IGNORECASE)

    return kb.derive("reading.role_words", build)


# --- the whole reading -----------------------------------------------------------------------


def read(
    text: str,
    kb: Knowledge,
    *,
    now: datetime | None = None,
    tz: str = "UTC",
    known: Mapping[str, Any] | None = None,
    contacts: Mapping[str, str] | None = None,
    state: Any = None,
    with_facts: bool = True,
) -> Reading:
    """Read one message once. `contacts` maps the deal's contact names to their roles; `state`
    is the conversation's dialogue state (bot/dialogue/state.py), whose references resolve
    pronouns and ellipsis first; `now` is needed for facts (no facts are read without it)."""
    said = clean(text)
    # A command states no fact, names no one and needs no clause: it costs what it did before
    # the reading. Its pronouns still resolve ("should I ask her for …" is a command too).
    plain = bool(said) and match_command(said, kb) is None
    leans = state is not None and bool(state.people or state.figure or state.topic or state.statement)
    resolution = resolve(said, kb, state, now) if leans else None
    if (
        resolution is not None
        and resolution.rule in _REWRITING_RULES
        and _sure_of_its_own(said, kb, resolution)
    ):
        resolution = None  # "Is it ok to ask Jorge to chase it?" asks its own question
    body = resolution.text if resolution is not None else said
    # People introduced on the way ("priya (their TS) did …", "CSM Maja asked …") are known from
    # this message on: who said it, whom a pronoun means, the contact map.
    introduced = tuple(introductions(body, kb)) if plain else ()
    if introduced:
        contacts = {**{p.name: p.role for p in introduced}, **(contacts or {})}
    d = _decide(body, kb, contacts)
    if resolution is not None and resolution.rule is not None:
        _apply(resolution, d)
    _the_question_asked(body, kb, contacts, d)
    _plan_then_judged(body, kb, d, state, now)
    if state is not None and d.intent is None and d.command is None:
        _question_follows_told_facts(kb, state, d)
    facts: list[Fact] = []
    plain = plain and d.command is None
    parts = tuple(clauses(body, kb)) if plain else ()
    people = _people(body, kb, introduced, parts) if plain else ()
    if with_facts and now is not None and plain:
        side = d.speaker.side if d.speaker is not None else None
        told = _facts_part(body)
        ruled = read_facts(told, kb, now=now, tz=tz, known=known)
        facts += [_fact(f, side) for f in ruled]
        # Facts the rules missed, by meaning (rule fact-reading); never one the rules read.
        more = read_more(told, kb, ruled, now=now, tz=tz, parts=[p for p in parts if p.end <= len(told)])
        # A count by meaning alone never lowers one on record ("he went to his deal desk once"
        # after five rounds told): rounds only add up, and a correction is said in words the rules read.
        counts = {k for k, kind in spec_of_facts(kb).values.items() if kind == "count"}
        more = [f for f in more if not (f.key in counts and _more_on_record(f, known))]
        # nor does a point or plan named by meaning replace one on record: the rules name it anew
        named = {k for k, kind in spec_of_facts(kb).values.items() if kind in ("point", "plan")}
        more = [f for f in more if not (f.key in named and (known or {}).get(f.key))]
        facts += [_fact(f, side, rule=spec_of_facts(kb).rule) for f in more]
        # "worth maybe 6k a year" right after a point is told: the point's worth, not the deal's
        only_worth = [f.key for f in facts] == ["deal_value_per_year"] and _BARE_WORTH_SAID.match(body)
        if (not facts or only_worth) and state is not None:
            worth = _worth_of_last_fact(body, kb, state, known)
            if worth is not None:
                facts = [Fact(worth[0], worth[1], (0, len(body)), 0.8, body, side)]
        if d.move == "theirs_to_ours":  # their move tells nothing of our relationships
            never = set(dialogue_config(kb).their_move_tells_not)
            facts = [f for f in facts if f.key not in never]
        if facts and d.steps and d.steps[-1].rule in ("model", "model-unsure"):
            rule_statement_tells_facts(d, facts)
        if facts:
            rule_point_told_is_a_fact(d, facts)
            rule_figure_signed_off_is_budget(d, facts)
        if plain:
            rule_remark_of_ours(d, facts)
    return Reading(
        text=said,
        resolved=body,
        command=d.command,
        command_args=dict(d.command_args),
        pattern=d.pattern,
        pattern_args=dict(d.pattern_args),
        ranking=tuple(d.ranking),
        outside=d.outside,
        question=d.question,
        unsure=d.unsure,
        clauses=parts,
        entities=tuple(entities(body, kb, contacts, people)) if plain else (),
        facts=tuple(facts),
        contacts=people,
        speaker=d.speaker,
        move=d.move,
        references=tuple(resolution.references) if resolution is not None else (),
        intent=d.intent,
        args=dict(d.args),
        steps=tuple(d.steps),
    )


# Facts are read from a message's first sentences only: a story told in one message runs to ten or
# so; a paste of thousands of lines ("1.2M." after "1.2M.") would cost minutes, not milliseconds.
_FACT_SENTENCES = 60
_FACT_CHARS = 12_000
_STOP = re.compile(r"[.!?](?=\s|$)|\n")


def _facts_part(body: str) -> str:
    end = min(len(body), _FACT_CHARS)
    for n, m in enumerate(_STOP.finditer(body, 0, end), 1):
        if n == _FACT_SENTENCES:
            return body[: m.end()]
    return body[:end]


def _more_on_record(f: FoundFact, known: Mapping[str, Any] | None) -> bool:
    have = (known or {}).get(f.key)
    return isinstance(have, int | float) and not isinstance(have, bool) and have > f.value


# Follow-up rules that put the topic's question in place of the message: they hold only when the
# message, read alone, is not plainly a question of its own.
_REWRITING_RULES = frozenset({"yes-no-follows-topic", "generic-question-takes-topic"})


def _sure_of_its_own(said: str, kb: Knowledge, res: Resolution) -> bool:
    if names_nothing(said, kb):
        return False
    alone = _decide(said, kb)
    if alone.intent is None or alone.intent == res.intent or not alone.steps:
        return False
    if alone.intent in dialogue_config(kb).logging_intents or alone.intent in ("deal.tell", "unknown"):
        return False
    by = alone.steps[-1].rule
    return by == "command" or by == "pattern" or (by == "model" and alone.p(alone.intent) >= 0.85)


def _people(
    body: str, kb: Knowledge, introduced: tuple[FoundContact, ...], parts: Sequence[Clause]
) -> tuple[FoundContact, ...]:
    """Microsoft people the message names with their role: the fact reader's full sentences
    ("Jane is our CSM"), then those introduced in passing that it did not read. `parts`: the
    body's clauses, split once for the whole reading."""
    found = read_contacts(body, kb, parts)
    names = {f.name.casefold() for f in found}
    more = [p for p in introduced if p.name.casefold() not in names]
    return tuple(sorted([*found, *more], key=lambda f: f.span)) if more else tuple(found)


# A sentence ends at . ! ? and a line break; never after a title before a name ("Mr. Sato").
# a stop inside a closing quote or bracket ends its sentence too: "… Cheers, Ana.' Is that ok?"
_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?]['\"’”)]))(?<!\b(?:Mr|Ms|Dr|St)\.)(?<!\bMrs\.)(?<!\bProf\.)\s+|\n+"
)


_ONE_OF_OURS = re.compile(r"^\s*(?:our|my)\s+\w", re.IGNORECASE)
_RELAYED = re.compile(
    r"^\s*(?:(?:hi|hello|so|ok|okay)\b[,!]?\s+)?(?:my|our|the)\s+(?:[\w'-]+\s+){0,2}?"
    r"(?:boss|manager|cfo|ceo|cio|coo|cto|cmo|director|head|vp|svp|evp|chair(?:man|woman|person)?|president|"
    r"chief\s+\w+(?:\s+officer)?|team|board|leadership)(?:\s*\([^)]{1,40}\))?(?:,\s*[A-Z][\w'-]+,)?\s+"
    r"(?:wants?\s+to\s+know|would\s+like\s+to\s+know|is\s+asking|asks|asked(?:\s+me)?|wonders|is\s+wondering|"
    r"was\s+wondering)\s*(?:[,:—–-]+\s*|\s+(?=(?:if|whether)\b))",
    re.IGNORECASE,
)


def _question_follows_told_facts(kb: Knowledge, state: Any, d: Draft) -> None:
    """A question the classifier left open, right after facts were told ("Anything there we can
    use?" after a planned migration and a reference request): the question those facts lead to,
    when the classifier ranked it among its first three (rule `question-follows-told-facts`)."""
    if not (d.question or d.text.rstrip().endswith("?")) or not state.facts:
        return
    table = dialogue_config(kb).facts_ask
    votes: dict[str, int] = {}
    for key, _value in state.facts:
        intent = table.get(key)
        if intent is not None:
            votes[intent] = votes.get(intent, 0) + 1
    top3 = [name for name, p in d.ranking[:3] if p >= understanding_config(kb).suggest]
    for intent in sorted(votes, key=lambda i: (-votes[i], d.rank_of(i))):
        if intent in top3:
            d.decide("question-follows-told-facts", intent)
            return


def _asked_part(body: str) -> str | None:
    """The question sentences at the end of a message that told something first, or None. A short
    remark after the question ("… should we do that?? I don't want to get it wrong") is not what
    is asked: the question is."""
    sentences = [x for x in _SENTENCE_END.split(body) if x.strip()]
    last = len(sentences) - 1
    while last >= 0 and not _ASKS.search(sentences[last]):
        last -= 1
    tail = sentences[last + 1 :]
    if last < 0 or (
        tail and (sum(len(x.split()) for x in tail) > _TAIL_WORDS or _QUOTE_OPENS.search(" ".join(tail)))
    ):
        return None
    start = last
    while start > 0 and _ASKS.search(sentences[start - 1]):
        start -= 1
    asked = " ".join(sentences[start : last + 1]) if start > 0 or tail else None
    if asked is not None:
        # A quoted draft's last words are the draft's, not the question ('… Many thanks, Raj" -
        # anything wrong with it?'): the question starts after the quote closes.
        closing = list(_QUOTE_CLOSES.finditer(asked))
        if not closing and _QUOTE_OPENS.search(body):
            # "… Cheers, Dan' ok to send?": a single quote closing after a name, the draft opened
            # with one ('Hi Mike, …)
            closing = list(_SINGLE_CLOSES.finditer(asked))
        if closing and re.search(r"[^\W\d_]", asked[closing[-1].end() :]):
            asked = asked[closing[-1].end() :].lstrip(" -–—:,")
    return asked


_ASKS = re.compile(r"\?[!?.\s'\"’”)]*$")
_TAIL_WORDS = 10  # a remark after the question, not a second subject
# A closing double quote, or a single one right after a stop or comma (an apostrophe is neither).
_QUOTE_CLOSES = re.compile(r"(?<=\S)[\"”»]|(?<=[.!?,])['’]")
_QUOTE_OPENS = re.compile(r"(?:^|(?<=[\s:(]))['‘](?=\w)")
_SINGLE_CLOSES = re.compile(r"(?<=\w)['’](?=\s|$)")


def _the_question_asked(body: str, kb: Knowledge, contacts: Mapping[str, str] | None, d: Draft) -> None:
    """A message that tells, then asks ("Finance set our target at 2.2M. So do we take it to
    their AVP now?"): when the whole message left the intent open or read as news, the question
    sentences at its end, read alone, say what is asked (rule `the-question-asked`). The facts
    are still read from the whole message."""
    if d.command is not None or not body.rstrip().endswith("?"):
        return
    news = set(dialogue_config(kb).logging_intents) | {"fact.stated", "help", "unknown"}
    by_model = bool(d.steps) and d.steps[-1].rule == "model"  # no pattern or rule read it so
    if d.intent is not None and d.intent not in news and not by_model:
        return
    asked = _asked_part(body)
    if asked is None:
        return
    c = d.cue
    if c.watch_for.search(asked) and c.meeting.search(body) and not c.draft.search(body):
        # "We have the pricing call on the 12th. What should we be ready for?": the meeting was
        # told in the sentence before the question about it
        d.decide("the-question-asked", "meeting.prep")
        return
    q = _decide(_with_referent(body, asked, kb), kb, contacts)
    # A question in command shape ("Should I ask him for that?") is still the question asked;
    # an act (cancel, switch deal, set a fact) is never taken from a message's tail.
    if q.intent in _ACTING_COMMANDS:
        return
    if q.intent is not None and q.intent not in news and q.intent != d.intent:
        d.decide("the-question-asked", q.intent, q.args)


# A favour we mean to ask, told: "I'd like to ask her to push the activation", "want to ask him on
# the side to get us a special price", "planning to ask Priya for another workshop".
_ASKING_SOMEONE = re.compile(
    r"\b(?:want|wanna|would\s+like|'d\s+like|like|going|gonna|thinking\s+of|planning|plan|mean|hoping|about)\s+"
    r"(?:to\s+)?ask(?:ing)?\s+(?:(?:her|him|them|[A-Z][\w'-]+)\s+)(?:(?:on\s+the\s+side|again|once\s+more|one\s+more\s+time|"
    r"quietly|nicely)\s+)?(?:to|for|if|whether)\b"
    # "want him to run a copilot adoption session for our team": what we'd have them do for us
    r"|^\s*(?:i\s+|we\s+)?(?:want|wanna|would\s+like|'d\s+like|need|hoping\s+for)\s+(?:him|her|them)\s+to\b",
    re.IGNORECASE,
)


def _plan_then_judged(
    body: str, kb: Knowledge, d: Draft, state: Any = None, now: datetime | None = None
) -> None:
    """One of ours going up to Microsoft's executive, told, then judged in a question that names
    nothing of its own ("Our COO means to email their RVP about it. Would that be sensible?",
    "X wants to ring their country manager tonight. Good idea or should we drop it?"): the
    escalation question (rule `plan-then-judged`)."""
    if d.command is not None or d.intent in ("escalation.check", "draft.escalation"):
        return
    if _FAVOUR_SAID.search(body):
        return  # "ring their AVP and ask him to sort it as a personal favour": the favour question
    if d.steps and d.steps[-1].rule not in (
        "model",
        "model-unsure",
        "pattern",
        "the-question-asked",
        "ours-not-microsoft",
        "question-is-not-a-log",
        # "… if he contacts their executive directly. Would this be the right timing?": the timing
        # of the plan, not of the renewal
        "expiry-is-timeline",
    ):
        return  # a rule of its own read it (a topic pattern gives way: the question is about the plan)
    asked = _asked_part(body)
    told = body[: body.find(asked.split(None, 1)[0])] if asked is not None else ""
    if (
        not told.strip()
        and (asked is not None or body.rstrip().endswith("?"))
        and state is not None
        and now is not None
    ):
        # The plan told in the message before: "X wants to ring their GM tonight." "Good idea?"
        minutes = dialogue_config(kb).topic_minutes
        asked, told = asked or body, next(iter(state.fresh_told(now, minutes)), "")
    if asked is None or d.cue.draft.search(body):
        return
    going_up = bool(d.cue.to_their_exec.search(told))
    # "I want to ask her to sneak us into the preview. Should I?": a favour, judged
    favour = not going_up and bool(_ASKING_SOMEONE.search(told))
    if not (going_up or favour):
        return
    cfg = dialogue_config(kb)
    words = set(cfg.generic_question_words) | set(cfg.judging_words)
    said = [w.casefold().replace("’", "'") for w in re.findall(r"[A-Za-z][\w'’]*", asked)]
    # One word of its own is allowed beside a word pointing back ("should we actually do that??")
    others = [w for w in said if w not in words]
    pointing = any(w in ("that", "this", "it") for w in said)
    if said and len(said) <= 12 and (not others or (len(others) == 1 and pointing)):
        d.decide("plan-then-judged", "escalation.check" if going_up else "favors.should_ask")


def _with_referent(body: str, asked: str, kb: Knowledge) -> str:
    """The question read alone keeps whom its pronoun means when the message named them first
    ("Our CFO agreed to sponsor. … ask her to write to their AVP?" asks about our CFO)."""
    c = cues(kb)
    told = body[: len(body) - len(asked)]
    named = [m.group(0) for m in c.side_mention.finditer(told)]
    if not named:
        return asked
    who = named[-1]

    def name(m: re.Match[str]) -> str:
        return f"{who}'s" if m.group(0).casefold() in ("his", "hers") else who

    return c.person_ref.sub(name, asked, count=1)


_ACTING_COMMANDS = frozenset({"cancel", "undo", "deal.new", "deal.use", "fact.set", "note", "help"})


def _apply(res: Resolution, d: Draft) -> None:
    """A follow-up rule decides, unless the message is plainly something else: a command, or
    an intent the model is sure of that is not the topic's."""
    if res.rule is None or d.command is not None:
        return
    if res.rule == "ellipsis-takes-topic":
        if d.intent is None or d.intent in ("deal.tell", "unknown"):
            d.decide(res.rule, res.intent, res.args)
        else:  # the topic's question, reread about the new subject, decided it
            d.steps.append(Step(res.rule, d.intent))
        return
    sure = d.intent is not None and d.steps and d.steps[-1].rule in ("pattern", "model")
    sure = sure and not (d.steps[-1].rule == "model" and names_nothing(d.text, d.kb))
    own = d.intent not in ("deal.tell", "note", "ms.statement", res.intent)
    if sure and own and d.p(d.intent or "") >= 0.85:
        return
    if (
        res.rule == "answers-my-question"
        and d.intent is not None
        and own
        and d.intent not in dialogue_config(d.kb).logging_intents
        and d.question
        and len(d.text.split()) >= 4
    ):
        # "Where are we with time?" asked while the coach waits for a name: a question of its
        # own, which the model or a rule read as such, is no answer to ours
        return
    d.decide(res.rule, res.intent, res.args)


def _worth_of_last_fact(
    body: str, kb: Knowledge, state: Any, known: Mapping[str, Any] | None
) -> tuple[str, float] | None:
    """A short message that is only an amount ("like 1.5k a yr tops"), right after a fact whose
    worth is still untold (a sticking point, an alternative): that worth
    (knowledge/dialogue.yaml `worth_of`)."""
    from bot.forms import parse_money

    table = (kb.data.get("dialogue") or {}).get("worth_of") or {}
    if not state.facts or len(body.split()) > 8 or len(_AMOUNT_WORDS.findall(body)) != 1:
        return None
    key = state.facts[0][0]
    worth = table.get(key)
    if worth is None or (known or {}).get(worth) is not None:
        return None
    value = parse_money(body)
    return (str(worth), value) if value is not None and value > 0 else None


_BARE_WORTH_SAID = re.compile(
    r"^\s*(?:it'?s\s+|that'?s\s+|its\s+|it\s+is\s+|that\s+is\s+)?(?:worth|valued\s+at)\b", re.IGNORECASE
)
_AMOUNT_WORDS = re.compile(r"[$€£]?\s?\d[\d,.]*\s*(?:k|m|mm|mio|million|thousand|bn)?\b", re.IGNORECASE)


def _fact(f: FoundFact, side: str | None, rule: str = "") -> Fact:
    return Fact(f.key, f.value, f.span, f.confidence, f.said, side, f.note, rule)


def _decide(text: str, kb: Knowledge, contacts: Mapping[str, str] | None = None) -> Draft:
    """The intent, layer by layer: command, pattern, model, then the named rules."""
    from bot.understanding.intents import rank

    settings = understanding_config(kb)
    d = Draft(text=text, kb=kb)
    if not text:
        return d
    command = match_command(text, kb)
    if (
        command is not None
        and command.name == "favors.should_ask"
        and _ONE_OF_OURS.match(command.args["rest"])
    ):
        command = None  # "should I ask our CEO to call their country manager?": no favour of Microsoft's
    if command is not None:
        d.command, d.command_args = command.name, dict(command.args)
        d.decide("command", command.name, command.args)
        return d  # a command is said the way it is meant: no rule reads further
    d.question = looks_like_question(text, kb)
    d.speaker = attribute(text, kb, contacts)
    d.move = _move(text, d.cue)
    found = match_pattern(text, kb)
    if found is not None:
        d.pattern, d.pattern_args = found.name, dict(found.args)
    d.unsure = only_unsure(text)
    # "My boss wants to know — are we better off going to AWS?": the question relayed is what is
    # asked, and the model reads it without the words that relay it
    relayed = _RELAYED.match(text)
    ranked = rank(text[relayed.end() :] if relayed and text[relayed.end() :].strip() else text, kb)
    d.ranking = [(n, p) for n, p in ranked if n != settings.outside_label]
    d.outside = next((p for n, p in ranked if n == settings.outside_label), 0.0)
    if found is not None:
        d.decide("pattern", found.name, found.args)
    elif d.unsure:
        d.steps.append(Step("only-unsure", None))
    elif ranked and ranked[0][0] != settings.outside_label and ranked[0][1] >= settings.confident:
        d.decide("model", ranked[0][0], pattern_args(ranked[0][0], text, kb))
    else:
        d.steps.append(Step("model-unsure", None))
    if not d.unsure:
        for _name, rule in RULES:
            rule(d)
    return d
