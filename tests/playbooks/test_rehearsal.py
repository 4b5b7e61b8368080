"""The rehearsal playbook as plain data: Microsoft's script (seeded, filled from the deal, never
the same twice for the same deal state) and the scoring of answers (deterministic, cited)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.features import default_knowledge
from bot.playbooks import rehearsal as play

KB = default_knowledge()
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
FACTS = {
    "ms_annual_cost": 2_400_000,
    "ask_discount_pct": 12,
    "renewal_date": "2027-06-30",
    "budget_per_year": 1_900_000,
    "walk_threshold_per_year": 2_600_000,
    "decision_date": "2027-03-15",
}


def test_the_knowledge_hangs_together():
    assert play.problems(KB) == []


def test_a_line_is_filled_from_the_deal_and_never_from_a_protected_fact():
    values = play.fill_values(FACTS, NOW, ["hold E5 at today's price"])
    assert values["offer"] == "$2.4M" and values["ask"] == "12%" and values["renewal"] == "30 June 2027"
    assert values["promise"] == "hold E5 at today's price"
    assert values["their_date"] == "the end of our quarter on 31 December"
    joined = " ".join(values.values())
    assert "1.9" not in joined and "2.6" not in joined and "March" not in joined


def test_the_same_seed_gives_the_same_script_and_the_next_rehearsal_another():
    values = play.fill_values(FACTS, NOW)
    seeds = [play.seed_for(7, "ae", n) for n in range(4)]
    assert play.seed_for(7, "ae", 0) == seeds[0]
    a = play.plan(KB, "ae", values, seeds[0])
    assert play.plan(KB, "ae", values, seeds[0]) == a  # reproducible
    played = {a.signature}
    for seed in seeds[1:]:
        script = play.plan(KB, "ae", values, seed, played)
        assert script.signature not in played
        played.add(script.signature)
    assert a.steps[0].move == play.OPENING
    assert len(a.steps) == play.settings(KB).lines_per_rehearsal
    assert {s.move for s in a.steps[1:]} <= set(play.cast(KB)["ae"].moves)


def test_lines_that_need_a_missing_fact_are_not_used():
    values = play.fill_values({}, NOW)  # no offer, no ask, no renewal date
    for n in range(30):
        script = play.plan(KB, "deal_desk", values, play.seed_for(1, "deal_desk", n))
        for step in script.steps:
            assert "{" not in play.line_text(KB, "deal_desk", step, values, script.product)


CASES = [
    # (move, answer, verdict, rule)
    ("final_offer", "Our budget is $1.9M so we need to land under that.", "gave", "disclosure.budget"),
    (
        "final_offer",
        "We could go up to 2.6M if we have to.",
        "gave",
        "disclosure.budget",
    ),  # a figure we could pay is the budget,
    ("final_offer", "1.9 million is what finance gave us.", "gave", "disclosure.budget"),
    ("final_offer", "We accept.", "gave", "rehearsal.accepts-final"),
    ("final_offer", "Can you put that offer in writing?", "good", "rehearsal.in-writing"),
    (
        "final_offer",
        "We can't accept that; it doesn't reflect the value we get.",
        "good",
        "rehearsal.counter-with-reason",
    ),
    ("final_offer", "Hmm, okay.", "risky", "counter.final-offer"),
    ("final_offer", "This is ridiculous, you are being greedy.", "risky", "rehearsal.tone"),
    ("deadline", "OK, we can sign by Friday.", "gave", "rehearsal.accepts-deadline"),
    ("deadline", "Fine, Friday works.", "gave", "rehearsal.accepts-deadline"),
    (
        "deadline",
        "Friday is your quarter, not our timeline. We'll decide when our review is done.",
        "good",
        "rehearsal.own-timeline",
    ),
    (
        "deadline",
        "We won't sign by Friday; please confirm the pricing in writing.",
        "good",
        "rehearsal.in-writing",
    ),
    ("reference_ask", "Sure, happy to do a case study.", "gave", "rehearsal.free-reference"),
    (
        "reference_ask",
        "Possibly. What would Microsoft put on the table in return?",
        "good",
        "rehearsal.trade-reference",
    ),
    ("bundle", "Sounds good, add Copilot.", "gave", "rehearsal.accepts-bundle"),
    ("bundle", "What is the price of the renewal without Copilot?", "good", "rehearsal.cost-the-string"),
    ("budget_probe", "We're evaluating on value, not a fixed budget.", "good", "rehearsal.deflect-budget"),
    (
        "budget_probe",
        "The most we can pay is around two million.",
        "gave",
        "disclosure.budget",
    ),  # the leak check
    ("budget_probe", "Honestly we could go up to 2.2M.", "gave", "disclosure.budget"),
    ("checking_internally", "No rush, take your time.", "gave", "rehearsal.open-ended-wait"),
    (
        "checking_internally",
        "By when will you have the answer, and who approves?",
        "good",
        "rehearsal.date-and-owner",
    ),
    (
        "exec_to_exec",
        "Good to hear. Our CFO and I are aligned; the open points come through this team.",
        "good",
        "rehearsal.one-channel",
    ),
    ("urgency_probe", "We need to be live by March for the board.", "gave", "disclosure.urgency"),
    (
        "global_policy",
        "Is there a one-time credit that gets us to the same total?",
        "good",
        "rehearsal.creative-structure",
    ),
    ("pounce", "To be clear, that was not a commitment.", "good", "rehearsal.walk-back"),
]


@pytest.mark.parametrize(
    ("move", "answer", "verdict", "rule"), CASES, ids=[f"{c[0]}:{c[1][:30]}" for c in CASES]
)
def test_answers_are_scored_with_a_verdict_and_a_rule(move, answer, verdict, rule):
    result = play.score(KB, answer, "ae", move, FACTS)
    assert (result.verdict, result.rule) == (verdict, rule)
    assert result.why == KB.say(rule) or result.why.startswith(
        KB.say("rehearsal.figure-said").split(" {")[0][:10]
    )
    assert (result.instead is None) == (verdict == "good")


def test_the_role_changes_what_counts_as_giving_away():
    said = "We tested AWS and it came in 20% cheaper."
    assert play.score(KB, said, "csm", "competitor_probe", FACTS).verdict == "gave"  # never to the CSM
    ae = play.score(KB, said, "ae", "competitor_probe", FACTS)
    assert (ae.verdict, ae.rule) == ("risky", "disclosure.strategy")  # to the AE, only on purpose


def test_scoring_is_deterministic_whatever_the_seed():
    said = "OK, we can sign by Friday."
    verdicts = {
        play.score(KB, said, "avp", "deadline", FACTS, seed=s, turn=t).rule
        for s in range(5)
        for t in range(3)
    }
    assert verdicts == {"rehearsal.accepts-deadline"}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("stop", "stop"),
        ("Stop.", "stop"),
        ("pause", "pause"),
        ("resume", "resume"),
        ("should I tell them our budget?", "coach"),
        ("coach: what now?", "coach"),
        ("What should I say here?", "coach"),
        ("Can you put that in writing?", "answer"),
        ("We accept.", "answer"),
        ("Why is that final?", "answer"),
        ("Can I ask why it's final?", "answer"),
        ("Can I tell you where we are?", "answer"),
        ("Could we sign next quarter instead?", "answer"),
        ("Should we accept this?", "coach"),
        ("can I tell the CSM the number?", "coach"),
    ],
)
def test_what_a_message_is_during_a_rehearsal(text, said):
    assert play.what_is(text, KB) == said


def test_the_scorecard_lists_what_went_well_what_leaked_and_three_lines():
    said = [
        {
            "move": "final_offer",
            "verdict": "gave",
            "rule": "disclosure.budget",
            "instead": "x",
            "kinds": ["budget"],
        },
        {
            "move": "deadline",
            "verdict": "good",
            "rule": "rehearsal.own-timeline",
            "instead": None,
            "kinds": [],
        },
        {
            "move": "bundle",
            "verdict": "risky",
            "rule": "counter.strings-attached",
            "instead": "y",
            "kinds": [],
        },
    ]
    card = play.scorecard(KB, said, play.fill_values(FACTS, NOW), "Teams Phone")
    assert card.counts == {"good": 1, "risky": 1, "gave": 1}
    assert [r for _, r in card.went_well] == ["rehearsal.own-timeline"]
    assert [r for _, r in card.leaked] == ["disclosure.budget"]
    assert "budget and approvals" in card.leaked[0][0]
    assert len(card.remember) == 3 and len(set(card.remember)) == 3
    assert card.remember[0] == play.moves(KB)["final_offer"].instead[0]


def test_the_last_scorecard_comes_back_in_the_pre_meeting_reminder_for_that_role():
    from bot.reminders.prompts import checklist
    from bot.timeline import Event, make_view

    card = {"role": "avp", "remember": ["Line one.", "Line two.", "Line three."]}
    older = {"role": "avp", "remember": ["Old line."]}
    view = make_view(
        1,
        "Woodgrove",
        [
            Event(1, play.EVENT, older, "u1", NOW),
            Event(2, play.EVENT, card, "u1", NOW),
            Event(3, play.EVENT, {"role": "ae", "remember": ["AE line."]}, "u1", NOW),
        ],
    )
    assert play.last_scorecard(view, "avp") == card
    items = checklist(view, KB, "avp", "pricing")
    remembered = [i for i in items if i.rule == "rehearsal.remember"]
    assert len(remembered) == 1
    assert "Line one." in remembered[0].text and "Old line." not in remembered[0].text
    assert not [i for i in checklist(view, KB, "csm", "pricing") if i.rule == "rehearsal.remember"]
