"""Round-6 classes (issue #21, session 10), in our own words: a quoted draft's sign-off is the
draft's, not thanks; a question whose "quarter end" sits in the sentence before is not about the
calendar; a person introduced as "one of their specialists" is who "her" means; a team's stance
without the usual words (happy to push back on their price, fully behind it, a joint position
whose own words say "not"); what Microsoft will not give, and what we will not accept, is the
sticking point; its worth told next ("this is around 8.000 €", "worth maybe 6k a year") is the
point's, not the deal's."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.features import default_knowledge
from bot.understanding.facts import read_facts
from bot.understanding.reading import read

KB = default_knowledge()
NOW = datetime(2026, 12, 7, 10, 0)


def facts(text: str) -> dict:
    return {f.key: f.value for f in read_facts(text, KB, now=NOW)}


@pytest.mark.parametrize(
    "said",
    [
        "Sending this to the AE tomorrow: 'Hi Tom, thanks for the updated pricing. We need final"
        " numbers before our steering committee on 3 March. Cheers, Ana.' Is that ok to send?",
        'Planning to send their CSM: "Hello Maria, thanks for your help last week. We are keen to'
        ' start the Copilot pilot. Many thanks, Raj" - anything wrong with it?',
    ],
)
def test_a_quoted_drafts_sign_off_is_the_drafts_not_thanks(said):
    assert read(said, KB, now=NOW).intent == "leakcheck"


def test_a_question_after_a_sentence_about_their_quarter_end_is_not_the_calendar():
    said = "I need Marco to move the signing date past their quarter end. Is it ok to ask him?"
    assert read(said, KB, now=NOW).intent == "favors.should_ask"
    assert read("how far are we from their quarter end?", KB, now=NOW).intent == "timeline.status"


@pytest.mark.parametrize(
    "said, name, role",
    [
        ("I know Priya, one of their technical specialists, from a conference.", "Priya", "ts"),
        ("Marco is one of their CSMs.", "Marco", "csm"),
        ("We met Ana Lopez, a partner manager at Microsoft, last week.", "Ana Lopez", "pdm"),
    ],
)
def test_one_of_their_people_introduced_by_role_is_a_contact(said, name, role):
    found = read(said, KB, now=NOW).contacts
    assert [(c.name, c.role) for c in found] == [(name, role)]


async def test_the_one_of_their_specialists_just_named_is_whom_her_means(chat, deal):
    reply = await chat(
        "Our Defender rollout is stuck because the licences never arrived. I know Priya, one of"
        " their technical specialists, from a conference. Should I ask her as a personal favour"
        " to chase it?"
    )
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == "find_aligned_contact", reply.headline
    assert "Whom would you ask" not in reply.plain_text()


@pytest.mark.parametrize(
    "said, stance",
    [
        ("Finance is happy to push back hard on the price.", "Finance yes"),
        ("IT is pushing back on their new offer, procurement too.", "IT yes, Procurement yes"),
        ("Procurement and our infra group are fully behind it.", "IT yes, Procurement yes"),
        (
            "Finance, IT and Procurement met and jointly endorsed the position that we will not"
            " accept the 6% uplift.",
            "IT yes, Finance yes, Procurement yes",
        ),
        (
            "IT, Finanzen and Einkauf, all three agree with our position.",
            "IT yes, Finance yes, Procurement yes",
        ),
        # pushing back on us, not on Microsoft, is still a team not on board
        ("Procurement is pushing back on the escalation.", "Procurement not yet"),
    ],
)
def test_a_teams_stance_without_the_usual_words(said, stance):
    assert facts(said).get("internal_alignment") == stance


@pytest.mark.parametrize(
    "said, point",
    [
        ("the AE won't throw in free Project for 15 users", "free Project for 15 users"),
        ("They refuse to include Power BI Pro for the analysts.", "Power BI Pro"),
        (
            "Last open item: they won't give the discount for the Teams Phone licences.",
            "discount for the Teams Phone licences",
        ),
        ("We will not accept the 6% annual uplift.", "6% annual uplift"),
    ],
)
def test_what_they_will_not_give_or_we_will_not_accept_is_the_point(said, point):
    assert facts(said).get("sticking_point") == point


@pytest.mark.parametrize(
    "said",
    [
        "We won't accept anything above 2M a year.",
        "Jane won't give us anything more.",
        "We can't accept their offer.",
    ],
)
def test_a_ceiling_or_a_refusal_of_the_whole_offer_is_no_point(said):
    assert "sticking_point" not in facts(said)


def test_this_is_around_an_amount_after_the_point_is_its_worth():
    told = facts("They will not give the discount for the Visio licences. This is around 7.500 € per year.")
    assert told.get("sticking_point_value_per_year") == 7500


async def test_worth_told_next_is_the_points_not_the_deals(chat, deal):
    await chat("their AE won't throw in free Visio for 25 users")
    worth = await chat("worth maybe 5k a year")
    assert "Sticking point worth per year: $5k" in worth.plain_text(), worth.plain_text()
    await chat("we've met them five times on it and finance, IT and procurement are all on board")
    reply = await chat("escalate?")
    assert reply.verdict == "do_not_escalate", reply.headline
