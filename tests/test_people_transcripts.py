"""Transcripts through the real core: disclosure, leak check, favors, commitments, meeting prep."""

from __future__ import annotations

from datetime import datetime

from bot.memory import Memory
from bot.timeline import DealView


async def deal_view(coach, clock, name: str = "Woodgrove EA renewal") -> DealView:
    async with coach.sessions() as session:
        memory = await Memory.for_tenant(session, "console", "t1", clock.now)
        found = await memory.find_deal(name)
        assert found is not None
        return await memory.deal_view(found.id)


async def test_can_i_tell_the_csm_our_budget(chat, deal):
    reply = await chat("can I tell the CSM our budget?")
    assert reply.intent == "disclosure.share"
    assert reply.verdict == "protect"
    assert "disclosure.budget" in reply.rules
    assert "disclosure.csm-commercial" in reply.rules
    assert "evaluating on value" in reply.plain_text()
    assert "adoption metrics" in reply.plain_text()


async def test_disclosure_works_without_a_deal(chat):
    reply = await chat("can we tell the technical specialist our deployment plans?")
    assert reply.verdict == "share"
    assert reply.rules[0] == "disclosure.safe"


async def test_competitive_results_are_strategic_with_the_ae_and_protected_from_the_ts(chat):
    ae = await chat("is it ok to mention our CrowdStrike evaluation to the AE?")
    assert ae.verdict == "strategic"
    assert "disclosure.strategy" in ae.rules
    ts = await chat("share ts competitive evaluation results")
    assert ts.verdict == "protect"
    assert "disclosure.competitive-depth" in ts.rules


async def test_leak_check_flags_budget_and_urgency(chat):
    reply = await chat(
        'check before I send to the AE: "Our CFO has signed off on up to $900k, '
        'so if you can get close to that we can move fast."'
    )
    assert reply.intent == "leakcheck"
    assert reply.verdict == "flagged"
    # each finding cites its leak-check rule; the role's verdict per kind cites the disclosure rule
    assert {"leakcheck.budget-amount", "leakcheck.urgency-signal"} <= set(reply.rules)
    assert {"disclosure.budget", "disclosure.urgency"} <= set(reply.rules)
    text = reply.plain_text()
    assert "“signed off on up to $900k”" in text
    assert "“we can move fast”" in text
    assert reply.draft and "$900k" not in reply.draft
    assert reply.ephemeral


async def test_leak_check_calls_a_clean_message_clean(chat):
    reply = await chat(
        "check csm: Could we book the Purview workshop for next Tuesday? Thanks for the slides!"
    )
    assert reply.verdict == "clean"
    assert reply.rules == ["leakcheck.clean"]


async def test_leak_check_as_a_message_action(chat):
    reply = await chat(
        action={
            "intent": "leakcheck",
            "role": "csm",
            "message": "We evaluated CrowdStrike and found it equivalent to Defender.",
        }
    )
    assert reply.verdict == "flagged"
    assert reply.rules[:2] == ["leakcheck.competitive-outcome", "disclosure.competitive-depth"]


async def test_log_favor_creates_contact_and_shows_jar(chat, deal):
    reply = await chat("log favor: asked Ana (CSM) to expedite the Purview workshop")
    assert reply.intent == "favors.log"
    assert "favors.kpi-aligned" in reply.rules
    assert "Ana (CSM): 1 ask in the last 90 days, nothing given back yet" in reply.plain_text()
    shown = await chat("deal show")
    assert "Ana (csm)" in shown.plain_text()
    jar = await chat("jar Ana")
    assert jar.verdict == "balance"
    assert "expedite the Purview workshop" in jar.plain_text()


async def test_should_i_ask_walks_the_jar_down(chat, deal, clock):
    await chat("log favor: asked Jane (AE) for a price hold on E5")
    first = await chat("should I ask Jane for another price hold?")
    assert first.verdict == "unlikely"  # 30 - 25 left 5; another medium ask with a repeat costs 37
    assert "favors.jar-low" in first.rules
    assert "favors.repeat-asks" in first.rules
    await chat("log favour: gave Jane (AE) a reference call")
    after_giving = await chat("should I ask Jane for another price hold?")
    assert after_giving.verdict == "ask"
    assert "favors.jar-ok" in after_giving.rules


async def test_should_i_ask_points_to_an_aligned_contact(chat, deal):
    await chat("log favor: asked Ana (CSM) to run the Copilot workshop")
    reply = await chat("should I ask Bob for a training workshop?")
    assert reply.verdict == "find_aligned_contact"
    assert "Ana" in reply.headline
    assert "favors.no-relationship" in reply.rules
    cold = await chat("should I ask Zed for a discount?")
    assert cold.verdict == "unlikely"


async def test_who_do_i_ask_about_missing_licences(chat, deal):
    await chat("log commitment: Jane (AE) promised 15% on Copilot in year 2")
    reply = await chat("who do I ask about licences missing from our tenant?")
    assert reply.intent == "favors.who"
    assert reply.verdict == "find_aligned_contact"
    assert "Jane" in reply.headline
    assert "account technology strategist" in reply.plain_text()
    nobody = await chat("who do I ask about a bigger discount?")
    assert nobody.verdict == "no_aligned_role"


async def test_commitment_lifecycle_and_signature_warning(chat, deal):
    logged = await chat("log commitment: Jane (AE) promised 15% on Copilot in year 2")
    assert logged.verdict == "verbal"
    assert logged.actions[0].payload["intent"] == "draft.confirm"
    cid = logged.actions[0].payload["commitment_id"]
    drafted = await chat(action=logged.actions[0].payload)
    assert drafted.intent == "draft.confirm"
    assert drafted.draft and "15% on Copilot in year 2" in drafted.draft
    moved = await chat(f"commitment {cid} requested in writing")
    assert moved.verdict == "requested_in_writing"
    back = await chat(f"commitment {cid} verbal")
    assert back.verdict == "unchanged"
    assert "commitments.backwards" in back.rules
    await chat("set signing date: 2026-12-10")
    listed = await chat("commitments")
    assert listed.verdict == "at_risk"
    assert "commitments.signature-near" in listed.rules
    assert "17 days away" in listed.plain_text()
    await chat(f"mark commitment {cid} in contract")
    done = await chat("commitments")
    assert done.verdict == "all_in_contract"


async def test_ae_change_puts_verbal_promises_at_risk(chat, deal):
    await chat("log commitment: Jane (AE) promised a price hold on E5 until June")
    reply = await chat("our AE changed to Bob")
    assert reply.intent == "contacts.change"
    assert reply.verdict == "at_risk"
    assert reply.rules == ["commitments.transition-risk", "account-team.transition-reset"]
    assert reply.actions and reply.actions[0].payload["contact"] == "Jane"
    shown = (await chat("deal show")).plain_text()
    assert "Jane (ae) — no longer on the deal" in shown


async def test_meeting_prep_stores_the_meeting(chat, deal, coach, clock):
    # The clock starts Monday 2026-11-23 09:00 UTC; "on Monday" is the next one.
    reply = await chat("prep me for the architecture session with their technical specialist on Monday")
    assert reply.intent == "meeting.prep"
    assert reply.verdict == "checklist"
    assert reply.headline.startswith("Monday 30 November — technical specialist")
    for rule in (
        "account-team.set-agenda",
        "disclosure.safe",
        "disclosure.competitive-depth",
        "commitments.in-writing",
    ):
        assert rule in reply.rules
    (meeting,) = (await deal_view(coach, clock)).live_events("meeting")
    assert meeting.payload["role"] == "ts"
    assert (meeting.payload["topic_key"], meeting.payload["topic"]) == (
        "architecture",
        "architecture session",
    )
    assert meeting.payload["when"] == "2026-11-30T09:00:00+00:00"
    assert meeting.payload["has_time"] is False
    scheduled = (await chat("reminders")).plain_text()
    assert "Checklist for the architecture session with the technical specialist" in scheduled


async def test_meeting_prep_with_a_time(chat, deal):
    reply = await chat("prep me for Thursday's pricing meeting with the AE at 3pm")
    assert reply.headline.startswith("Thursday 26 November, 15:00 — account executive, pricing meeting")
    assert "disclosure.budget" in reply.rules
    assert "meetings.counter-proposal" in reply.rules


def test_clock_fixture_is_a_monday(clock):
    assert datetime.weekday(clock.now) == 0


async def test_one_flag_reads_singular(chat):
    reply = await chat("check AE: Our walk-away point is fixed.")
    assert reply.headline == "Hold on: 1 thing in this message helps Microsoft more than you."
    assert reply.rules[:2] == ["leakcheck.position-target", "disclosure.position"]


async def test_who_names_the_kpi_the_request_serves(chat, deal):
    await chat("log favor: asked Jane (AE) for a quick intro")
    reply = await chat("who do I ask about licences missing from our tenant?")
    assert "Jane (AE): rewarded for orders booked and delivered." in reply.plain_text()


async def test_favor_received_and_unknown_people(chat, deal):
    received = await chat("favor: received early access from Tom (TS)")
    assert received.verdict == "logged"
    assert "received Tom" in received.headline
    who = await chat("log favor: asked Zed to help with pricing")
    assert who.verdict is None and who.headline.startswith("What is Zed's role at Microsoft")  # one question
    missing = await chat("jar Zed")
    assert missing.verdict == "unknown_contact"


async def test_contact_map_when_empty_and_full(chat, deal):
    assert (await chat("favors")).verdict == "empty"
    await chat("log favor: asked Ana (CSM) for a workshop")
    assert (await chat("show the contact map")).verdict == "map"


async def test_commitments_register_when_empty(chat, deal):
    reply = await chat("commitments")
    assert reply.verdict == "empty"
    assert reply.rules == ["commitments.in-writing"]


async def test_first_contact_of_a_role_is_just_noted(chat, deal):
    reply = await chat("the new CSM is Priya")
    assert reply.verdict == "noted"
    assert reply.rules == ["account-team.transition-reset"]


async def test_meeting_prep_without_a_role_or_a_date(chat, deal):
    no_role = await chat("prep me for the big meeting")
    assert no_role.verdict is None and no_role.headline.startswith("Who is the meeting with at Microsoft")
    no_date = await chat("prep me for the QBR with the CSM")
    assert no_date.headline.startswith("Date to be set — customer success manager")
    assert "meetings.when-unclear" in no_date.rules
    assert "meetings.no-commercial" in no_date.rules


async def test_keeping_the_board_date_from_the_avp(chat):
    reply = await chat("should we keep the board date from the AVP?")
    assert reply.verdict == "protect"
    assert "disclosure.urgency" in reply.rules


async def test_a_contacts_own_kpis_change_the_answer(chat, deal):
    await chat("log favor: asked Ana (CSM) for a big exception")
    await chat("log favor: asked Ana (CSM) for another big exception")
    before = await chat("should I ask Ana for an onboarding workshop?")
    assert before.verdict == "ask" and "favors.kpi-aligned" in before.rules
    set_ = await chat("kpis Ana: renewal bookings, new logos")
    assert set_.intent == "contacts.kpis" and "renewal bookings, new logos" in set_.headline
    after = await chat("should I ask Ana for an onboarding workshop?")
    # no longer her job, so a real favour, and her jar is empty (adoption help is the CSM role's,
    # so no other role is named)
    assert after.verdict == "unlikely"
    assert "favors.kpi-aligned" not in after.rules and "favors.jar-low" in after.rules


async def test_an_empty_jar_points_to_the_role_whose_job_it_is(chat, deal):
    await chat("log favor: asked Jane (CSM) for a price hold")
    await chat("log favor: asked Jane (CSM) to extend the trial, large")
    reply = await chat("should I ask Jane for an architecture design review?")
    assert reply.verdict == "find_aligned_contact"
    assert "favors.find-aligned-role" in reply.rules
    assert "technical specialist (technical wins" in reply.plain_text()


async def test_a_cold_ask_that_is_somebodys_job_points_to_that_role(chat, deal):
    reply = await chat("should I ask Bob for a design review of our landing zone?")
    assert reply.verdict == "find_aligned_contact"
    assert {"favors.no-relationship", "favors.find-aligned-role"} <= set(reply.rules)
