"""Transcripts of a deal told over several messages, then a short question that leans on it:
Microsoft people introduced in passing (any shape), favours they did told as events, "her" and
"the number" resolved from the conversation, and who said what (our words to them and our own
rules are never Microsoft's statements)."""

from __future__ import annotations

from bot.dialogue.state import DialogueState
from bot.features import default_knowledge
from bot.understanding.introductions import introductions
from bot.understanding.reading import read


def rules(reply) -> list[str]:
    return [i.rule or "" for s in reply.sections for i in s.items]


# --- people introduced in passing --------------------------------------------------------------


def test_people_are_introduced_in_the_shapes_people_type():
    kb = default_knowledge()
    said = {
        "ravi (our CSA) ran a whiteboard session for us": ("Ravi", "ts"),
        "Account manager (Tomasz) rang this morning": ("Tomasz", "ae"),
        "Ingrid our TS has been great": ("Ingrid", "ts"),
        "ATS Joanna wants a roadmap session": ("Joanna", "ats"),
        "Bilal the CSM wrote back": ("Bilal", "csm"),
        "an old colleague, Marta, who's a solution architect at Microsoft, offered to help": ("Marta", "ts"),
    }
    for text, (name, role) in said.items():
        found = [(c.name, c.role) for c in introductions(text, kb)]
        assert found == [(name, role)], text
    # not people: a role alone, our own people, someone at another firm
    for text in (
        "told our CSM about it",
        "our CFO Maria agreed",
        "Jane, who is a partner at Deloitte, said so",
        "the AE Monday call",
    ):
        assert introductions(text, kb) == [], text


# --- favours told as events --------------------------------------------------------------------


async def test_favours_told_of_someone_introduced_in_brackets_empty_her_jar(chat, deal):
    await chat("ravi (our CSA) ran a whiteboard session for us in August")
    await chat(
        "then helped with the Fabric capacity plan in September, "
        "and again last Friday with the Defender rollout"
    )
    reply = await chat("want him to look at our Defender setup next. ask him again?")
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == "find_aligned_contact", reply.plain_text()
    assert "favors.told-events" in rules(reply)
    assert "favors.jar-low" in rules(reply)
    assert "Ravi" in reply.plain_text()
    assert "customer success manager" in reply.plain_text()  # whose job security adoption is
    assert "Whom would you ask" not in reply.plain_text()


async def test_a_fourth_ask_for_a_price_favour_is_unlikely(chat, deal):
    await chat(
        "Our TS Ingrid has been great. In May she got us two extra trial tenants, "
        "in June she arranged a Copilot workshop for HR."
    )
    logged = await chat("Then in July I asked her to push the deal desk for a price hold and she did.")
    assert logged.intent == "favors.log" and logged.verdict == "logged", logged.plain_text()
    reply = await chat("Now I'd like her to get the hold extended to June. Should I ask her?")
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == "unlikely", reply.plain_text()
    assert "favors.told-events" in rules(reply) and "favors.give-first" in rules(reply)


async def test_a_friend_at_microsoft_is_not_spent_on_what_the_account_team_is_paid_for(chat, deal):
    await chat(
        "we ordered 1,200 Copilot seats through the partner ten days ago "
        "and the licences still aren't in our tenant"
    )
    await chat("the pilot group starts on the 15th")
    reply = await chat(
        "An old colleague, Marta, who's a solution architect at Microsoft, could help. "
        "should I ask her to chase it?"
    )
    assert reply.intent == "favors.should_ask"
    assert reply.verdict == "find_aligned_contact", reply.plain_text()
    assert next(r for r in rules(reply) if r) == "favors.save-the-favour"
    assert "account executive" in reply.plain_text()


# --- "the number" ------------------------------------------------------------------------------


async def test_the_number_is_the_budget_told_just_before(chat, deal):
    await chat("Lena is our CSM.")
    await chat("Finance has 1.2m a year signed off for this.")
    reply = await chat("ok to share the number with her?")
    assert reply.intent == "disclosure.share"
    assert reply.verdict == "protect", reply.plain_text()
    assert "disclosure.budget" in rules(reply)


def test_the_state_keeps_the_sentence_a_figure_was_told_in():
    state = DialogueState(deal_id=1, figure="1.2m a year", figure_said="Finance has 1.2m a year signed off.")
    again = DialogueState.from_json(state.to_json(), 1)
    assert again.figure_said == "Finance has 1.2m a year signed off."


# --- who said it -------------------------------------------------------------------------------


def test_our_words_to_them_and_our_own_rules_are_ours():
    kb = default_knowledge()
    for text in (
        "told him we'd move to AWS if the price doesn't come down",
        "I warned the AE we would walk away",
    ):
        r = read(text, kb)
        assert r.speaker is not None and r.speaker.side == "us", text
        assert r.intent != "ms.statement", text
    for text in (
        "our procurement rules forbid vendor endorsements, so no case studies",
        "and college policy says we can't be named in marketing",
    ):
        r = read(text, kb)
        assert r.intent == "note" and r.args.get("side") == "us", (text, r.intent)
    r = read("the AE said their global policy caps discounts at 10%", kb)
    assert r.intent == "ms.statement"


def test_a_role_said_bare_first_speaks_for_microsoft():
    r = read("AE keeps pushing, says nobody ever leaves Microsoft", default_knowledge())
    assert r.speaker is not None and r.speaker.side == "microsoft"
    assert r.intent == "ms.statement"


async def test_a_bluff_we_made_is_not_logged_as_their_statement(chat, deal):
    reply = await chat("told him we'd move to AWS if the price doesn't come down")
    assert reply.intent != "ms.statement", reply.plain_text()
    assert "AWS" in reply.plain_text()  # the alternative we named is noted
    reply = await chat("our procurement rules forbid vendor endorsements, so no case studies")
    assert reply.intent == "note", reply.plain_text()
    assert "rule of our own" in reply.plain_text()


def test_their_executive_calling_ours_is_their_move_not_our_relationship():
    from datetime import UTC, datetime

    kb = default_knowledge()
    now = datetime(2026, 12, 1, tzinfo=UTC)
    r = read("our CEO got a call from their area VP yesterday about the renewal", kb, now=now, known={})
    assert r.move == "theirs_to_ours" and r.intent == "ms.statement"
    assert "ceo_knows_ms_leadership" not in [f.key for f in r.facts]
    # told as our relationship, it is one
    r = read("our CEO knows their area VP well", kb, now=now, known={})
    assert "ceo_knows_ms_leadership" in [f.key for f in r.facts]
