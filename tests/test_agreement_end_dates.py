"""The agreement's end as people say it (any end verb, any agreement noun, a count ahead, a
correction), our decision day said relatively, and Microsoft's period ends never taken for ours;
then the timeline answers with the date that was told. Sentences in our own words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.features import default_knowledge
from bot.understanding.dates import read_date
from bot.understanding.facts import read_facts

KB = default_knowledge()
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def read(text: str) -> dict:
    return {f.key: f.value for f in read_facts(text, KB, now=NOW, tz="Europe/London")}


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Our licences lapse on 28 February 2027.", "2027-02-28"),
        ("The M365 contract finishes 30 Sept, nobody has looked at it.", "2027-09-30"),
        ("our MACC runs out end of May", "2027-05-31"),
        ("The Dynamics agreement is up in October.", "2027-10-01"),
        ("Heads up: the subscriptions terminate on 15 March.", "2027-03-15"),
        ("Azure commitment expires 31 Jan.", "2027-01-31"),  # the next 31 January
        ("Our EA is ending in eighteen months, on 31 May 2028.", "2028-05-31"),  # the day said wins
        ("the contract is ending three months from today", "2027-02-28"),
        ("We are four months out from the renewal.", "2027-03-30"),
        ("the enterprise agreement lapses in a fortnight", "2026-12-14"),
    ],
)
def test_the_agreements_end_with_any_end_verb(text, day):
    assert read(text).get("renewal_date") == day


@pytest.mark.parametrize(
    "text",
    [
        "Microsoft's fiscal year ends 30 June.",
        "The rep wants a signature before their quarter close, 31 March.",
        "Their H2 ends on 30 June, so they will push.",
    ],
)
def test_microsofts_period_end_is_never_our_date(text):
    got = read(text)
    assert "renewal_date" not in got and "signature_date" not in got, got


def test_a_correction_in_words_takes_the_agreements_day():
    got = read("Sorry, scratch that. 30 June is the Azure plan. The EA itself is 31 March 2027.")
    assert got.get("renewal_date") == "2027-03-31"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("The steering committee decides three weeks from today, then we sign.", "2026-12-21"),
        ("Our plan: the council votes on it two weeks today.", "2026-12-14"),
        ("The board meets to approve it on the 18th.", "2026-12-18"),
    ],
)
def test_our_decision_day_said_relatively(text, day):
    assert read(text).get("decision_date") == day


def test_a_bare_month_is_no_date_unless_asked():
    assert read_date("we met in May", NOW, "Europe/London") is None
    found = read_date("it is up in May", NOW, "Europe/London", month_alone=True)
    assert found is not None and found.day.isoformat() == "2027-05-01"


async def test_timeline_after_a_renewal_told_as_running_out(chat, deal):
    await chat("Our Microsoft contract runs out the last day of January 2027.")
    reply = await chat("where are we on the timeline?")
    assert reply.intent == "timeline.status" and reply.verdict == "close", reply.headline


async def test_timeline_after_a_renewal_told_as_a_count_ahead(chat, deal):
    await chat("our EA is finishing fourteen months from today")
    reply = await chat("so where are we timeline-wise?")
    assert reply.intent == "timeline.status" and reply.verdict == "prepare", reply.headline


async def test_timeline_after_the_date_was_corrected(chat, deal):
    await chat("the EA renews on 30 April")
    await chat("hold on. 30 April is the Azure subscription. the EA itself is 31 January 2027")
    reply = await chat("where does that leave us timing-wise?")
    assert reply.intent == "timeline.status" and reply.verdict == "close", reply.headline


async def test_timing_question_that_names_the_date_reads_it_first(chat, deal):
    reply = await chat("our agreement expires on 31 January 2027, where are we on the timeline?")
    assert reply.intent == "timeline.status" and reply.verdict == "close", reply.headline


async def test_their_period_close_told_in_a_message_logs_no_signing_date(chat, deal):
    reply = await chat("The AE wants our signature before their half-year close, 31 Dec.")
    assert "Signing date" not in reply.plain_text(), reply.plain_text()
