"""Session 12 (issue #21): the spent blind corpora train the models, and the rules that keep what
the larger model must not decide alone, in our own words: a follow-up made only of judging words
leans on the conversation however sure the model is; Microsoft asking something of us is their
move; our people's views are notes; a greeting inside a quoted draft is the draft's; a statement
that opens with another deal offers to start it; a giving verb after "they'll" is a promise."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from bot.features import default_knowledge
from bot.understanding import fact_reading
from bot.understanding.config import config
from bot.understanding.evaluate import load_corpus, strings_in
from bot.understanding.intents import canonical, more_outside_examples, training_pairs
from bot.understanding.reading import read

KB = default_knowledge()
NOW = datetime(2026, 12, 7, 10, 0)
DATA = Path(__file__).parent / "data"


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


# --- the spent corpora teach -----------------------------------------------------------------------


def test_the_spent_authors_fact_sentences_train_the_fact_key_reading():
    spent = KB.section("fact_reading_spent.sentences").sentences
    authors = {int(s.by.removeprefix("author")) for s in spent}
    assert len(spent) >= 1300 and min(authors) == 7 and max(authors) == 58 and 6 not in authors
    trained = {text for text, _ in fact_reading.training_pairs(KB)}
    assert {s.text for s in spent} <= trained


def test_the_spent_authors_out_of_scope_lines_train_the_none_class():
    outside = more_outside_examples(KB)
    assert len(outside) >= 300
    label = dict(training_pairs(KB))
    rewrite = canonical(KB)
    assert {label.get(rewrite(text)) for text in outside} == {config(KB).outside_label}


def test_no_line_of_a_corpus_that_still_measures_is_in_the_spent_training():
    held: set[str] = set()
    for path in (DATA / "blind_sealed_2026_12" / "author6").glob("*.yaml"):
        held |= {_norm(t) for t in strings_in(yaml.safe_load(path.read_text(encoding="utf-8")))}
    held |= {_norm(t) for t in strings_in(load_corpus(DATA / "intents_corpus.yaml"))}
    knowledge = Path(__file__).parent.parent / "knowledge"
    phrasings = yaml.safe_load((knowledge / "blind_training_spent.yaml").read_text(encoding="utf-8"))
    sentences = yaml.safe_load((knowledge / "fact_reading_spent.yaml").read_text(encoding="utf-8"))
    spent = {_norm(t) for t in strings_in([phrasings["more_examples"], phrasings["outside_examples"]])}
    spent |= {_norm(s["text"]) for s in sentences["sentences"]}
    assert len(spent) > 15_000 and held & spent == set()


# --- follow-ups that name nothing of their own ---------------------------------------------------


async def test_a_judging_follow_up_asks_the_question_before_it_again(chat, deal):
    first = await chat("can I tell the CSM our budget?")
    assert first.intent == "disclosure.share"
    for again in ("wise or not?", "is that really ok?"):
        reply = await chat(again)
        assert reply.intent == "disclosure.share", (again, reply.headline)


async def test_a_judging_follow_up_after_their_request_is_about_that_request(chat, deal):
    await chat("the CSM asked us for a joint press release about the rollout")
    reply = await chat("sensible or not?")
    assert reply.intent == "ms.statement" and reply.headline.startswith("Not"), reply.headline


# --- who asks what of whom -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "their AE asked us for a customer quote for their newsletter",
        "the CSM wants us to present at their partner summit",
    ],
)
def test_microsoft_asking_something_of_us_is_their_move(said):
    r = read(said, KB, now=NOW)
    assert r.intent == "ms.statement", [(s.rule, s.intent) for s in r.steps]


def test_our_own_story_that_mentions_their_request_later_stays_ours():
    r = read("We have met the account team five times, and the AE wants us to sign this month.", KB, now=NOW)
    assert r.intent != "ms.statement"
    assert {f.key: f.value for f in r.facts}.get("rounds_with_account_team") == 5


@pytest.mark.parametrize(
    "said",
    ["our CTO thinks Copilot is a gimmick for now", "our finance director feels the Azure bill is bloated"],
)
def test_a_view_of_ours_with_no_deal_fact_is_a_note(said):
    r = read(said, KB, now=NOW)
    assert r.intent == "note" and r.args.get("side") == "us", [(s.rule, s.intent) for s in r.steps]


def test_a_figure_of_ours_reported_is_still_the_deal_told():
    r = read("our CFO said the budget is 2.4M a year", KB, now=NOW)
    assert r.intent != "note"
    assert {f.key: f.value for f in r.facts}["budget_per_year"] == 2_400_000


# --- drafts, new deals, promises -------------------------------------------------------------------


def test_the_thanks_inside_a_quoted_draft_is_the_drafts():
    said = (
        'About to email the AE: "Hi Sam, many thanks for the call today, we will come back with our '
        'seat numbers next week. Best, Lee" - ok?'
    )
    r = read(said, KB, now=NOW)
    assert r.intent == "leakcheck", [(s.rule, s.intent) for s in r.steps]


def test_a_short_thanks_is_still_thanks():
    assert read("thanks, that helps a lot", KB, now=NOW).intent == "smalltalk.thanks"


async def test_a_statement_opening_with_another_deal_keeps_its_facts_here_and_offers_the_deal(chat, deal):
    reply = await chat("Another negotiation: Dynamics 365 renewal. They quoted 900k a year for three years.")
    assert reply.intent == "deal.new"
    assert reply.headline.startswith(f"I've kept that on {deal}.")
    assert any(a.label.startswith("Start deal") for a in reply.actions)
    assert "Dynamics 365 renewal" not in (await chat("deal list")).plain_text()


@pytest.mark.parametrize(
    "said",
    [
        "the AE told us they'll arrange two days of architect time",
        "our CSM said she'll organise a free workshop",
    ],
)
def test_a_giving_verb_after_they_will_is_a_promise(said):
    r = read(said, KB, now=NOW)
    assert r.intent == "commitments.log", [(s.rule, s.intent) for s in r.steps]


async def test_an_answer_that_shares_words_with_undo_removes_nothing(chat, deal):
    await chat("we renew on 30 June 2027")
    reply = await chat("I just told you, Google, for most of the estate")
    assert reply.intent != "undo", reply.headline
    shown = (await chat("deal show")).plain_text()
    assert "2027-06-30" in shown or "30 Jun 2027" in shown


async def test_undo_in_plain_words_still_undoes(chat, deal):
    await chat("we renew on 30 June 2027")
    reply = await chat("take that back")
    assert reply.intent == "undo" and reply.headline.startswith("Undone"), reply.headline
