"""Transcripts of a deal told over several messages whose last message tells and then asks: the
question at its end says what is asked (rule `the-question-asked`), its facts are still noted;
"okay to send?" right after a draft was checked checks it again; what to sort before a meeting
is meeting prep; "the CFO … their VP" asked about is the escalation check. Our own wording."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.features import default_knowledge
from bot.understanding.reading import read

KB = default_knowledge()
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        (
            "Procurement confirmed our ceiling is 900k a year last Friday. "
            "Is now the moment to take this to their regional VP?",
            "escalation.check",
        ),
        (
            "The offer came in at 1.1m per year on a three-year term. "
            "Honestly, should we just walk away from it?",
            "walkaway.check",
        ),
        (
            "We have had four calls with the seller. The contract lapses in March. "
            "How much runway do we still have?",
            "timeline.status",
        ),
    ],
)
def test_a_message_that_tells_then_asks_is_read_by_its_question(text, intent):
    r = read(text, KB, now=NOW)
    assert r.intent == intent, (r.intent, r.steps)


def test_news_ending_in_a_question_keeps_a_confident_reading_of_the_whole():
    r = read("Can I tell the CSM our budget? She asked twice.", KB, now=NOW)
    assert r.intent == "disclosure.share"
    assert "the-question-asked" not in [s.rule for s in r.steps]


def test_whether_the_cfo_writes_to_their_vp_is_the_escalation_check_not_a_draft():
    r = read("Given all that, would it be right for the CFO to email their area VP this week?", KB, now=NOW)
    assert r.intent == "escalation.check", r.steps
    assert (
        read("please draft the email from the CFO to their area VP", KB, now=NOW).intent == "draft.escalation"
    )


@pytest.mark.parametrize(
    "text", ["What do we need to line up before Wednesday's session?", "what must I settle before the call?"]
)
def test_what_to_sort_before_a_meeting_is_prep(text):
    assert read(text, KB, now=NOW).intent == "meeting.prep"


async def test_a_story_ending_in_a_question_gets_the_answer_and_keeps_the_facts(chat, deal):
    await chat("We're renewing our EA. We've had four rounds with the account team since the summer.")
    reply = await chat("Our budget target is 1.5m a year. So is it time to take it to their AVP?")
    assert reply.intent in ("escalation.check", "form.ask"), reply.headline
    shown = (await chat("deal show")).plain_text().split("Timeline")[0]
    assert "Budget per year: $1.5M" in shown or "$1.5M" in shown, shown


async def test_okay_to_send_after_a_checked_draft_checks_it_again(chat, deal):
    first = await chat(
        "check this before I send it to the AE: "
        '"Thanks for the quote. Our CFO approved up to 2.1m a year, so anything under that works."'
    )
    assert first.intent == "leakcheck" and first.verdict == "flagged", first.headline
    again = await chat("okay to send?")
    assert again.intent == "leakcheck" and again.verdict == "flagged", again.headline


async def test_an_unsure_question_after_program_facts_is_the_levers_question(chat, deal):
    await chat("Next year we're planning to migrate our file servers to Azure.")
    await chat("Also, their marketing people asked if we'd do a case study on the Teams rollout.")
    reply = await chat("Is there something in all that we can use?")
    assert reply.intent in ("programs.levers", "form.ask"), reply.headline
    if reply.intent == "form.ask":
        assert "programs" in reply.plain_text().casefold() or "migration" in reply.plain_text().casefold()


def test_timing_asked_in_so_many_words_is_the_timeline():
    assert (
        read("How do we look timing-wise? I don't want to rush anyone.", KB, now=NOW).intent
        == "timeline.status"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Our COO is happy to be the face of this. Would now be a sensible time to get him to ring "
        "their area VP?",
        "My boss agreed to sponsor the renewal. Is it time to have her email Microsoft's regional lead?",
    ],
)
def test_the_question_read_alone_keeps_whom_its_pronoun_means(text):
    # The question sentence read alone would lose who "him"/"her" is: it is the executive of ours
    # the message named first, so the question is about bringing our executive in.
    r = read(text, KB, now=NOW)
    assert r.intent == "escalation.check", [(s.rule, s.intent) for s in r.steps]


def test_a_command_shaped_question_at_the_end_is_the_question_asked():
    r = read(
        "Their CSM, Ola, sorted our tenant move last spring. Should I ask Ola for two extra weeks "
        "of the trial?",
        KB,
        now=NOW,
    )
    assert r.intent == "favors.should_ask"


def test_a_command_that_acts_is_never_taken_from_a_messages_tail():
    r = read("We met their AE twice this month. cancel?", KB, now=NOW)
    assert r.intent != "cancel"
