"""Rehearsing a meeting, as conversations: the coach plays a Microsoft role on the deal, scores
every answer (verdict, rule, what to say instead), then says Microsoft's next line; "stop"
gives the scorecard, which lands on the deal's timeline and in the next meeting prep. On
SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.coach import Coach
from bot.db.engine import session_factory
from bot.db.models import Rehearsal
from tests.conftest import Chat

ROLES = [
    ("rehearse the pricing call with the AE", "ae", "account executive"),
    ("role-play the CSM", "csm", "customer success manager"),
    ("practise Thursday's meeting with their AVP", "avp", "area vice president"),
    ("rehearse the architecture session with the technical specialist", "ts", "technical specialist"),
    ("rehearse the exception call with the deal desk", "deal_desk", "deal desk"),
]

BUDGET_LEAK = "Honestly, our budget is $1.9M for this, so we need to land under that."
ACCEPT_DEADLINE = "OK, we can sign by Friday."
IN_WRITING = "Thanks. Can you send us that in writing, with the full terms?"


async def _deal_with_facts(chat: Chat) -> None:
    assert (await chat("deal new Woodgrove EA renewal")).intent == "deal.new"
    for line in (
        "set ms_annual_cost: $2.4M",
        "set ask_discount_pct: 12",
        "set renewal_date: 2027-06-30",
        "set budget_per_year: $1.9M",
        "set walk_threshold_per_year: $2.6M",
    ):
        reply = await chat(line)
        assert "Noted" in reply.plain_text() or reply.intent.startswith("fact"), reply.plain_text()


def _ms_title(reply) -> str:
    titles = [s.title for s in reply.sections if s.title and s.title.startswith("Microsoft (")]
    assert titles, reply.plain_text()
    return titles[-1]


@pytest.mark.parametrize(("start", "role", "title"), ROLES, ids=[r[1] for r in ROLES])
async def test_a_rehearsal_per_role_scores_a_leak_a_deadline_and_a_written_ask(
    chat: Chat, start, role, title
):
    await _deal_with_facts(chat)

    opened = await chat(start)
    assert opened.intent == "rehearsal.start"
    assert title in opened.headline and "Woodgrove EA renewal" in opened.headline
    assert _ms_title(opened).startswith(f"Microsoft ({title}), opening")
    assert any(a.payload == {"intent": "rehearsal.stop"} for a in opened.actions)
    assert opened.in_thread

    # The budget, said out loud: given away, citing the disclosure rule; Microsoft takes it.
    leak = await chat(BUDGET_LEAK)
    assert leak.intent == "rehearsal.answer"
    assert leak.verdict == "gave" and leak.headline == "Gave something away."
    assert leak.rules[0] == "disclosure.budget"
    assert "Say instead:" in leak.plain_text() and "1.9M" not in leak.sections[0].items[1].text
    assert "taking what you gave" in _ms_title(leak)

    # Their date taken as ours: given away.
    deadline = await chat(ACCEPT_DEADLINE)
    assert deadline.verdict == "gave"
    assert deadline.rules[0] == "rehearsal.accepts-deadline"
    assert "Say instead: Please confirm in writing that the pricing holds" in deadline.plain_text()

    # Asking for it in writing: good.
    written = await chat(IN_WRITING)
    assert written.verdict == "good", written.plain_text()
    assert written.rules[0] == "rehearsal.in-writing"
    assert "Say instead" not in written.plain_text()

    card = await chat("stop")
    assert card.intent == "rehearsal.scorecard"
    text = card.plain_text()
    assert "What went well" in text and "What leaked" in text and "Three lines to remember" in text
    assert card.headline.startswith("Scorecard: 1 good, 0 risky, 2 gave something away (3 answers to the")
    assert "budget and approvals" in text and "[disclosure.budget]" in text
    remember = next(s for s in card.sections if s.title == "Three lines to remember")
    assert len(remember.items) == 3

    # Saved on the timeline (rules and lines, never the words said) ...
    shown = (await chat("deal show")).plain_text()
    assert "1.9M" not in str([s for s in card.sections if s.title == "What leaked"])
    assert "rehearsal" in shown.casefold()
    # ... and offered again in the next meeting prep with that role.
    prep = await chat(f"prep me for the next meeting with the {title} on Monday")
    assert prep.intent == "meeting.prep"
    assert "rehearsal.remember" in prep.rules
    assert remember.items[0].text in prep.plain_text()
    assert any(a.payload == {"intent": "rehearsal.start", "role": role} for a in prep.actions)

    # Done: a line now is an ordinary message again.
    after = await chat("We accept.")
    assert not after.intent.startswith("rehearsal.")


async def test_a_rehearsal_runs_to_its_scorecard_without_stop(chat: Chat):
    await _deal_with_facts(chat)
    reply = await chat("rehearse with the account executive")
    n = 0
    while reply.intent != "rehearsal.scorecard":
        reply = await chat("We're evaluating on value. What would it take to get there?")
        n += 1
        assert n < 20
    assert reply.sections[0].title in ("Good.", "Risky.", "Gave something away.")
    assert reply.verdict == "scorecard"
    assert n == 5  # the opening and four moves, nothing given away, so no extra line


async def test_a_question_to_the_coach_pauses_the_rehearsal_and_it_resumes(chat: Chat):
    await _deal_with_facts(chat)
    opened = await chat("rehearse the pricing call with the AE")
    line = opened.sections[-1].items[0].text

    aside = await chat("should I tell the AE our budget?")
    assert aside.intent == "disclosure.share"
    assert "Rehearsal with the account executive paused" in (aside.footer or "")
    assert any(a.payload == {"intent": "rehearsal.resume"} for a in aside.actions)

    # Paused: a message is no longer taken as an answer to Microsoft.
    other = await chat("deal show")
    assert other.intent == "deal.show"

    back = await chat("resume rehearsal")
    assert back.intent == "rehearsal.resume"
    assert back.sections[-1].items[0].text == line  # the same line, waiting for an answer
    scored = await chat(IN_WRITING)
    assert scored.intent == "rehearsal.answer" and scored.verdict == "good"


async def test_pause_and_stop_words_and_buttons(chat: Chat):
    await _deal_with_facts(chat)
    await chat("role-play the CSM")
    paused = await chat("pause")
    assert paused.intent == "rehearsal.pause" and "paused at line 1" in paused.headline
    resumed = await chat(action={"intent": "rehearsal.resume"})
    assert resumed.intent == "rehearsal.resume"
    ended = await chat(action={"intent": "rehearsal.stop"})
    assert ended.intent == "rehearsal.scorecard" and "nothing scored" in ended.headline
    nothing = await chat(action={"intent": "rehearsal.stop"})
    assert "no rehearsal open" in nothing.headline


async def test_a_rehearsal_survives_a_restart(engine, kb, clock, chat: Chat):
    await _deal_with_facts(chat)
    await chat("rehearse the pricing call with the AE")
    first = await chat(BUDGET_LEAK)
    assert first.verdict == "gave"

    # A new process on the same database: nothing of the rehearsal lived in memory.
    restarted = Coach(session_factory(engine), kb, clock=clock)
    from bot.turn import Turn

    async def say(text: str):
        reply = await restarted.handle(
            Turn(platform="console", tenant="t1", conversation="c1", user="u1", text=text)
        )
        assert reply is not None
        return reply

    again = await say(IN_WRITING)
    assert again.intent == "rehearsal.answer"
    card = await say("stop")
    assert card.intent == "rehearsal.scorecard" and "(2 answers to the account executive)" in card.headline


async def test_never_the_same_script_twice_for_the_same_deal_state(chat: Chat, engine):
    await _deal_with_facts(chat)
    firsts = []
    for _ in range(3):
        opened = await chat("rehearse with the AE")
        firsts.append(opened.sections[-1].items[0].text)
        await chat("stop")
    async with session_factory(engine)() as s:
        rows = list((await s.execute(select(Rehearsal).order_by(Rehearsal.id))).scalars())
    assert len(rows) == 3 and all(r.status == "done" and r.open_slot is None for r in rows)
    signatures = [r.state["signature"] for r in rows]
    assert len(set(signatures)) == 3
    assert len({r.seed for r in rows}) == 3


async def test_another_role_ends_the_open_rehearsal_and_bad_input_writes_nothing(chat: Chat, engine):
    await _deal_with_facts(chat)
    await chat("rehearse with the AE")
    await chat(IN_WRITING)
    switched = await chat("rehearse with the deal desk")
    assert switched.intent == "rehearsal.start" and "deal desk" in switched.headline
    assert "Scorecard" in switched.sections[0].items[0].text

    unknown = await chat(action={"intent": "rehearsal.start", "role": "partner"})
    assert "I can rehearse as" in unknown.headline
    bad = await chat(action={"intent": "rehearsal.start", "role": 7})
    assert bad.intent == "error"
    async with session_factory(engine)() as s:
        rows = list((await s.execute(select(Rehearsal))).scalars())
    assert [r.role for r in rows] == ["ae", "deal_desk"]


async def test_no_deal_no_rehearsal(chat: Chat):
    reply = await chat("rehearse the pricing call with the AE")
    assert "no active deal" in reply.headline
