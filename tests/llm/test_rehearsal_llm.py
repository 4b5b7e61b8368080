"""A rehearsal with a model configured: Microsoft's lines are phrased by the model (the real
openai client against the loopback server), the scoring stays the playbook's, and no prompt
ever holds a protected fact — not the budget, not the walk-away, not our own dates, not what
the person answered."""

from __future__ import annotations

from bot.coach import Coach
from bot.db.engine import session_factory
from bot.services import CoachServices
from bot.turn import Turn
from tests.llm.conftest import CANARY, WALK_AWAY, assert_no_canary

DECISION = "2027-03-15"
SIGNING = "2027-04-09"


def _coach(engine, kb, clock, drafter) -> Coach:
    return Coach(session_factory(engine), kb, clock=clock, services=CoachServices(drafter=drafter))


def _say(coach: Coach):
    async def say(text: str = "", action: dict | None = None):
        reply = await coach.handle(
            Turn(platform="console", tenant="t1", conversation="c1", user="u1", text=text, action=action)
        )
        assert reply is not None
        return reply

    return say


async def _deal(say) -> None:
    await say("deal new Woodgrove EA renewal")
    for line in (
        "set ms_annual_cost: $2.4M",
        "set ask_discount_pct: 12",
        "set renewal_date: 2027-06-30",
        f"set budget_per_year: ${CANARY:,}",
        f"set walk_threshold_per_year: ${WALK_AWAY:,}",
        f"set decision_date: {DECISION}",
        f"set signature_date: {SIGNING}",
    ):
        await say(line)


def _assert_nothing_protected(llm) -> None:
    assert_no_canary(llm)
    raw = llm.raw
    for form in (DECISION, "15 March", "March 15", SIGNING, "9 April", "April 9", "2.05M", "2,050,000"):
        assert form not in raw, f"{form!r} reached the model"


async def test_microsofts_lines_are_phrased_by_the_model_and_the_prompts_hold_nothing_protected(
    llm, make_drafter, engine, kb, clock
):
    drafter = make_drafter(sessions=session_factory(engine))
    say = _say(_coach(engine, kb, clock, drafter))
    await _deal(say)
    llm.script = ["Thanks for coming in. So, where are we on the proposal?"]

    opened = await say("rehearse the pricing call with the AE")
    assert opened.sections[-1].items[0].text == "Thanks for coming in. So, where are we on the proposal?"
    assert len(llm.requests) == 1
    first = llm.requests[0]
    assert "practice\nnegotiation" in first.system and "<<<DATA" in first.user

    # The answer leaks the budget: scored by the playbook, never sent to the model.
    leak = await say(f"Our budget is ${CANARY:,}, so we need to land under that.")
    assert leak.verdict == "gave" and leak.rules[0] == "disclosure.budget"
    written = await say("To be clear, that wasn't a commitment. Please send it in writing.")
    assert written.verdict == "good"
    for _ in range(6):
        reply = await say("We're evaluating on value. What would it take?")
        if reply.intent == "rehearsal.scorecard":
            break
    assert reply.intent == "rehearsal.scorecard"
    assert len(llm.requests) >= 4  # one per Microsoft line
    _assert_nothing_protected(llm)
    assert "land under that" not in llm.raw  # the person's words stay here


async def test_a_model_line_with_a_new_figure_is_not_used(llm, make_drafter, engine, kb, clock):
    drafter = make_drafter(sessions=session_factory(engine))
    say = _say(_coach(engine, kb, clock, drafter))
    await _deal(say)
    llm.script = ["I can do 9% off today if you sign by Friday."]
    opened = await say("rehearse with the AE")
    line = opened.sections[-1].items[0].text
    assert "9%" not in line and line  # the playbook's own line stands
    _assert_nothing_protected(llm)


async def test_the_phrased_line_is_kept_with_the_rehearsal(llm, make_drafter, engine, kb, clock):
    drafter = make_drafter(sessions=session_factory(engine))
    say = _say(_coach(engine, kb, clock, drafter))
    await _deal(say)
    llm.script = ["Good to see you. Shall we get into it?"]
    await say("role-play the CSM")
    asked = len(llm.requests)
    # A restart: a new coach on the same database shows the same words, without asking again.
    again = _say(_coach(engine, kb, clock, make_drafter(sessions=session_factory(engine))))
    await again("pause")
    back = await again("resume rehearsal")
    assert back.sections[-1].items[0].text == "Good to see you. Shall we get into it?"
    assert len(llm.requests) == asked


async def test_without_a_model_the_rehearsal_is_complete(engine, kb, clock, llm):
    say = _say(_coach(engine, kb, clock, None))
    await _deal(say)
    opened = await say("rehearse with the deal desk")
    assert opened.sections[-1].items[0].text
    assert llm.requests == []
