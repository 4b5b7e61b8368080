"""Escalation through chat: alignment news updates `internal_alignment` team by team, and the
counter-moves that were only tested as recognition, now as conversations."""

from __future__ import annotations

from bot.understand import understand

READY = [
    "rounds with the account team: 4",
    "sticking point: Copilot price",
    "sticking point worth per year: $400k",
    "budget target set: yes",
    "offer uncompetitive: yes",
]


async def test_alignment_examples_are_understood(kb):
    spec = next(s for s in kb.intents if s.name == "escalation.alignment")
    for text in spec.examples:
        assert understand(text, kb).name == "escalation.alignment", text
    for text in spec.counter_examples:
        assert understand(text, kb).name != "escalation.alignment", text


async def test_procurement_coming_on_board_turns_not_yet_into_escalate_now(chat, deal):
    await chat("the AE said this is their final offer")
    await chat("the AE said again this is the best they can do")
    for fact in READY:
        await chat(f"set {fact}")
    await chat("set internal alignment: IT and Finance yes, procurement not yet")
    before = await chat("should we escalate?")
    assert before.verdict == "not_yet" and "escalation.align-first" in before.rules

    news = await chat("procurement is aligned now")
    assert news.intent == "escalation.alignment" and news.verdict == "aligned"
    assert news.headline == "Noted for Woodgrove EA renewal: IT yes, Finance yes, Procurement yes."
    assert news.rules == ["escalation.aligned"]
    after = await chat(action=news.actions[0].payload)
    assert after.verdict == "escalate_now" and "escalation.aligned" in after.rules


async def test_a_team_dropping_off_keeps_the_others(chat, deal):
    await chat("everyone is aligned now")
    dropped = await chat("procurement is no longer aligned")
    assert dropped.verdict == "not_aligned"
    assert dropped.headline.endswith("IT yes, Finance yes, Procurement not yet.")
    assert (
        dropped.rules == ["escalation.align-first"] and "Procurement not aligned yet" in dropped.plain_text()
    )
    undone = await chat(action=dropped.actions[-1].payload)
    assert undone.intent == "undo"
    signed = await chat("finance signed off on the ask")
    assert signed.headline.endswith("IT yes, Finance yes, Procurement yes.")


async def test_one_team_alone_is_only_that_team(chat, deal):
    reply = await chat("finance signed off on the ask")
    assert reply.headline == "Noted for Woodgrove EA renewal: Finance yes."
    assert reply.verdict == "not_aligned"  # IT and Procurement are not known yet


async def _statement(chat, text: str, rule: str) -> None:
    reply = await chat(text)
    assert reply.intent == "ms.statement" and reply.verdict == "logged", text
    assert rule in reply.rules, (text, reply.rules)
    assert any(a.payload.get("intent") == "undo" for a in reply.actions)


async def test_punitive_deployment_clause_is_coached_as_good_faith(chat, deal):
    await _statement(
        chat,
        "Microsoft said we need to deploy 100% of the licences by year 2 for that price",
        "counter.punitive-deployment",
    )


async def test_maximum_under_global_policy_is_coached_and_offers_escalation(chat, deal):
    reply = await chat("their VP said this is the maximum allowed under our global policy")
    assert reply.intent == "ms.statement" and "counter.global-policy" in reply.rules
    assert "(1st time, area VP, today)" in reply.headline
    assert any(a.payload == {"intent": "escalation.check"} for a in reply.actions)


async def test_their_exec_going_to_ours_means_brief_our_exec(chat, deal):
    await _statement(chat, "their area VP called our CEO this morning", "counter.their-exec-to-ours")


async def test_a_concession_with_strings_is_costed_not_accepted(chat, deal):
    await _statement(chat, "they'll give 20% if we extend to 4 years", "counter.strings-attached")


async def test_meeting_prep_follows_the_alignment_news(chat, deal):
    await chat("set internal alignment: IT and Finance yes, procurement not yet")
    split = await chat("prep me for the pricing meeting with the AE on Thursday")
    assert "meetings.side-split" in split.rules
    assert "Procurement not aligned yet." in split.plain_text()
    await chat("procurement is aligned now")
    aligned = await chat("prep me for the pricing meeting with the AE on Friday")
    assert "meetings.side-aligned" in aligned.rules and "meetings.side-split" not in aligned.rules


async def test_a_gap_said_as_a_percentage_picks_whom_to_aim_at(chat, deal):
    for said in [
        "we've had 3 rounds",
        "IT, finance and procurement are all on board",
        "the sticking point is Copilot price, worth $400k a year",
    ]:
        await chat(said)
    # Only the budget target is untold: the verdict comes at once, with the target to confirm.
    reply = await chat("we're 18% apart, should we escalate?")
    assert reply.verdict == "escalate_now" and "escalation.confirm-budget-target" in reply.rules
    assert "Noted Extra discount needed (%): 18." in reply.plain_text()
    aim = [i.text for s in reply.sections for i in s.items if i.rule == "escalation.target-authority"]
    assert aim and "area VP" in aim[0]


async def test_an_escalation_said_to_be_a_month_old_counts_from_then(chat, deal):
    logged = await chat("we escalated to their area VP about a month ago")
    assert logged.intent == "escalation.log"
    assert "on 24 Oct" in logged.headline  # the clock is 23 Nov 2026
    reply = await chat("should we escalate?")
    assert "escalation.too-soon-again" in reply.rules
    assert "You escalated 30 days ago" in reply.plain_text()


async def test_a_favor_asked_weeks_ago_is_dated_then(chat, deal):
    reply = await chat("log favor: asked Jane (CSM) for a price hold 3 weeks ago")
    assert reply.intent == "favors.log"
    history = (await chat("favor history Jane")).plain_text()
    assert "2026-11-02 asked: a price hold (" in history


async def test_heat_told_just_before_the_question_counts_until_it_cools(chat, deal, clock):
    await chat("our CEO is super annoyed with the AE, wants to email their VP tonight")
    reply = await chat("should we escalate?")
    assert reply.verdict == "not_yet" and "escalation.emotional" in reply.rules
    clock.advance(days=1)  # slept on it: yesterday's heat no longer decides
    later = await chat("should we escalate?")
    assert "escalation.emotional" not in later.rules


async def test_sending_one_of_ours_up_to_their_executive_is_the_escalation_question(chat, deal):
    for fact in READY:
        await chat(f"set {fact}")
    told = await chat("Finance, IT and procurement all signed off on one position this morning.")
    assert told.intent == "escalation.alignment"
    # Asked right after the alignment news, politely, naming our person and their executive.
    for question in (
        "Now that all three agree, would this be an appropriate moment to ask Mr. Lindqvist to write "
        "to their area vice president?",
        "With everyone on board, should we have Marco email Microsoft's RVP?",
        "since the teams finally agree, is it ok to get Ines to contact their GM?",
    ):
        reply = await chat(question)
        assert reply.intent == "escalation.check", question
        assert reply.verdict == "escalate_now", question
