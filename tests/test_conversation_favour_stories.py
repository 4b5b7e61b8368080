"""Transcripts of the favour question told as people tell it, over several messages (#21): the
ask only points at what was told just before; the person's role said beside their name; favours
told as events leave the jar low and the ask is another role's job; a story of past favours is
noted, never met with a syntax prompt; a count told in words counts that many asks, once."""

from __future__ import annotations

import re

import pytest

from bot.understanding.events import favours_and_counts_told, people_beside_roles, role_beside


def rules(reply) -> list[str]:
    return [i.rule or "" for s in reply.sections for i in s.items]


def asks_counted(reply) -> int:
    """The recent asks the jar counted ("Asks of Leo in the last 30 days: 2")."""
    m = re.search(r"in the last \d+ days: (\d+)", reply.plain_text())
    return int(m.group(1)) if m else 0


# --- 1. the ask points at what was told just before ---------------------------------------------


@pytest.mark.parametrize(
    "story",
    [
        (
            "Quick one. Jane is our AE.",
            "The 250 E5 licences we bought in October still aren't in the tenant.",
            "should I ask Jane to chase it, or is that a favour?",
        ),
        (
            "our account exec is Marco Bellini",
            "ugh, the Visio seats we ordered in september never showed up in our tenant",
            "is it ok to get Marco to sort that out or am I burning goodwill?",
        ),
        (
            "Tom Reyes is our CSM.",
            "Copilot adoption is really poor, barely 20% of the licences are used.",
            "would it be a favour to ask Tom to help us with that?",
        ),
        (
            "Hi. We paid for 40 Defender licences on the June order and they are missing from our tenant.",
            "Our seller there is Kwame.",
            "Can I lean on Kwame for this one?",
        ),
    ],
)
async def test_the_ask_that_points_back_takes_its_topic_from_what_was_told(chat, deal, story):
    *told, question = story
    for line in told:
        await chat(line)
    reply = await chat(question)
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == "ask", reply.plain_text()
    assert "favors.kpi-aligned" in rules(reply)


# --- 2. the role said beside the name ------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("should I ask jane (the AE) for a price hold until the end of January?", "ask"),
        ("Can I ask our CSM Tom for a Purview health check?", "ask"),
        ("Should we lean on Kenji from the deal desk for a price hold until March?", "ask"),
        (
            "is it ok to ask Hugo - he's our partner manager - for an adoption workshop?",
            "find_aligned_contact",
        ),
        ("should we ask Fatima, their account exec, to keep the current price for six more weeks?", "ask"),
    ],
)
async def test_a_role_beside_the_name_makes_them_known_in_that_role(chat, deal, question, verdict):
    reply = await chat(question)
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == verdict, reply.plain_text()
    assert "favors.no-relationship" not in rules(reply)  # our account team, not a cold ask


# --- 3. a low jar, and the ask is someone else's job ---------------------------------------------


@pytest.mark.parametrize(
    "story",
    [
        (
            "Nina is our AE.",
            "She extended the quote in September, then arranged an early look at the Copilot roadmap, "
            "and last week she expedited the activation of our Azure plan.",
            "Should I ask her whether she could arrange a Copilot readiness workshop for our managers?",
        ),
        (
            "Lena, our CSM, has bent over backwards for us.",
            "She arranged an early look at the Fabric preview, got the deal desk to extend our quote, "
            "and expedited a stuck support case.",
            "Would it be too much to ask Lena to look at our licence assignments as well?",
        ),
        (
            "Greta our CSM expedited our support ticket last month.",
            "Then she arranged an early look at the Purview preview, and two weeks ago she extended our "
            "FastTrack window.",
            "Would it be cheeky to ask Greta to help us sort out our licence assignments before the true-up?",
        ),
    ],
)
async def test_after_several_favours_someone_elses_job_goes_to_them(chat, deal, story):
    *told, question = story
    for line in told:
        reply = await chat(line)
        assert "Which favor" not in reply.headline and "What is Then" not in reply.headline
    reply = await chat(question)
    assert reply.verdict == "find_aligned_contact", reply.plain_text()
    assert "favors.no-relationship" not in rules(reply)


# --- 4. a story of past favours is noted ---------------------------------------------------------


@pytest.mark.parametrize(
    ("intro", "story", "who", "n"),
    [
        (
            "Jane is our AE.",
            "then two weeks ago I asked her to arrange a call with the product group, which she did, "
            "and last week she expedited our activation.",
            "Jane",
            2,
        ),
        (
            "Omar, our CSM, has been great.",
            "Back in September we asked him to push our support case up the chain, which he did, and in "
            "October he got us onto the Copilot early access list.",
            "Omar",
            2,
        ),
        (
            "Tariq is the TS on our deal.",
            "He ran a design session for us in July, fixed our tenant config in August and last month "
            "expedited our preview access.",
            "Tariq",
            3,
        ),
        (
            "",
            "Lucia from the account team arranged an extra quote extension for us and then she sorted out "
            "our billing mess.",
            "Lucia",
            2,
        ),
    ],
)
async def test_favours_told_as_a_story_are_noted_with_who_and_how_many(chat, deal, intro, story, who, n):
    if intro:
        await chat(intro)
    reply = await chat(story)
    assert reply.intent == "favors.log"
    assert reply.verdict == "noted", reply.plain_text()
    assert f"{n} favours from {who}" in reply.headline
    assert "Which favor" not in reply.plain_text()


async def test_the_favours_noted_count_at_the_next_question_once(chat, deal):
    await chat("Keiko is our account executive.")
    await chat(
        "In October she held the price for us for three weeks and then she arranged a roadmap briefing."
    )
    reply = await chat("should I ask Keiko to hold the price again until March?")
    assert reply.verdict == "unlikely", reply.plain_text()
    assert "as you told them: 2" in reply.plain_text()


# --- 5. a count told in words --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("story", "asks"),
    [
        (
            (
                "Leo is our AE. We've already asked him for two favours this month.",
                "should I ask Leo for a price hold?",
            ),
            2,
        ),
        (("should I ask Leo, our AE, for a price hold? I've asked him twice already this month.",), 2),
        (("Leo is our AE.", "Can I go to Leo for the third time about holding the price?"), 2),
        (
            (
                "Leo is our AE. I asked him twice already for help on pricing.",
                "Should I ask him for a price hold again? I asked him twice already.",
            ),
            2,
        ),
        (
            (
                "We've gone to our CSM Ada three times this quarter for favours.",
                "can I ask Ada to hold the current price for another month?",
            ),
            3,
        ),
    ],
)
async def test_a_count_told_in_words_is_that_many_asks_once(chat, deal, story, asks):
    for line in story:
        reply = await chat(line)
    assert reply.intent == "favors.should_ask"
    assert asks_counted(reply) == asks, reply.plain_text()


# --- the reading ---------------------------------------------------------------------------------


def test_a_count_is_a_total_and_events_add_up(kb):
    told = favours_and_counts_told
    assert told("I've asked him twice already this month.", kb, ["Leo"], last="Leo") == {"Leo": (0, 2)}
    assert told("We've already asked him for two favours.", kb, ["Leo"], last="Leo") == {"Leo": (0, 2)}
    assert told("I've bugged Victor three times for pricing help.", kb, ["Victor"]) == {"Victor": (0, 3)}
    assert told(
        "He ran a design session for us in July, fixed our config in August and last month expedited "
        "our preview.",
        kb,
        ["Tariq"],
        last="Tariq",
    ) == {"Tariq": (3, 0)}
    assert told("Lucia from the account team arranged a quote extension.", kb, ["Lucia"]) == {"Lucia": (1, 0)}
    assert told("I asked him to hold the price for two weeks.", kb, ["Leo"], last="Leo") == {"Leo": (1, 0)}


def test_the_role_said_beside_a_name(kb):
    assert role_beside("should I ask jane (the AE) for a price hold", "jane", kb) == "ae"
    assert role_beside("Can I ask our CSM Tom for a health check?", "Tom", kb) == "csm"
    assert role_beside("ask Hugo - he's our partner manager - for", "Hugo", kb) == "pdm"
    assert role_beside("Our new CSM is called Ingrid.", "Ingrid", kb) == "csm"
    assert role_beside("should I ask Jane for a price hold", "Jane", kb) is None
    assert people_beside_roles("Pedro from Microsoft, the regional director, said hi", kb) == []
    assert people_beside_roles("We've gone to our CSM Ada three times", kb) == [("Ada", "csm")]


async def test_someone_who_did_us_favours_is_no_stranger_and_their_favours_count(chat, deal):
    noted = await chat(
        "Lucia from the account team arranged an extra quote extension for us and then she sorted out "
        "our billing mess."
    )
    assert noted.verdict == "noted", noted.plain_text()
    reply = await chat("should I ask Lucia for a price hold until March?")
    assert reply.verdict == "unlikely", reply.plain_text()
    assert "favors.no-relationship" not in rules(reply)  # the jar decides: she knows us
    assert "as you told them: 2" in reply.plain_text()
