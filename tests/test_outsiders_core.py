"""The core's part of keeping outsiders out (docs/security.md, "Outsiders"): an outsider's turn
gets one line that names nothing and writes nothing; an insider in a conversation outsiders can
read gets every reply marked private, and that conversation's address is never kept."""

from __future__ import annotations

from bot.outsiders import INTENT
from bot.turn import Turn
from tests.access_checks import changed, snapshot

SECRET = "7713919"  # a budget nobody would type by chance


async def test_an_outsider_gets_one_line_and_nothing_is_written(coach, chat, deal, engine, kb):
    await chat(f"set budget_per_year: ${SECRET}")
    before = await snapshot(engine)
    asks = [
        ("show deal", None),
        ("what is our budget?", None),
        ("deal use Woodgrove EA renewal", None),
        ("deals", None),
        ("", {"intent": "deal.show"}),
        ("deal new Contoso", None),
    ]
    for n, (text, action) in enumerate(asks):
        reply = await coach.handle(
            Turn("console", "t1", "c1", "stranger", text, action=action, event_id=f"out-{n}", outsider=True)
        )
        assert reply is not None
        assert reply.intent == INTENT
        assert reply.plain_text() == kb.say("outsiders.refused")
        assert SECRET not in reply.plain_text() and "Woodgrove" not in reply.plain_text()
    assert changed(before, await snapshot(engine)) == []


async def test_an_outsider_is_refused_even_in_the_owners_own_conversation_and_event_ids(
    coach, chat, deal, engine
):
    """The refusal claims no event id: the same id from an insider later still runs."""
    await coach.handle(Turn("console", "t1", "c1", "guest", "show deal", event_id="ev-9", outsider=True))
    reply = await coach.handle(Turn("console", "t1", "c1", "u1", "show deal", event_id="ev-9"))
    assert reply is not None and "Woodgrove" in reply.plain_text()


async def test_an_insider_among_outsiders_gets_private_replies_and_no_address_is_kept(
    coach, chat, deal, engine
):
    await chat(f"set budget_per_year: ${SECRET}")
    route = {"conversation": {"id": "19:shared"}, "serviceUrl": "https://smba.trafficmanager.net/emea/"}
    reply = await coach.handle(
        Turn(
            "console", "t1", "c1", "u1", "show deal", event_id="in-1", audience_external=True, reference=route
        )
    )
    assert reply is not None and reply.private
    assert SECRET in reply.plain_text().replace(",", "")  # the insider still gets the answer, privately
    assert (await snapshot(engine))["conversation_refs"] == []

    help_reply = await coach.handle(Turn("console", "t1", "c1", "u1", "help", audience_external=True))
    assert help_reply is not None and help_reply.private


async def test_the_same_insider_alone_gets_ordinary_replies(coach, chat, deal):
    reply = await chat("show deal")
    assert not reply.private and "Woodgrove" in reply.plain_text()
