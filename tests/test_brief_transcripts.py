"""Transcripts: the deal brief, internal and addressed to Microsoft, on a deal told in sentences."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.playbooks import brief as br
from bot.timeline import Event, make_view
from bot.understanding.money import amounts_in

BUDGET = "$2.4M"


async def _told(chat) -> None:
    for line in [
        "we renew on 2027-03-31",
        "we've had 4 rounds with the account team",
        "IT, finance and procurement are all aligned",
        "the sticking point is Copilot price, worth about $300k a year",
        "budget per year: 2400000",
        "set budget target set: yes",
        "set offer uncompetitive: yes",
        "our ask is a 12% discount on Copilot for three years",
    ]:
        await chat(line)
    await chat("the AE said this is their final offer")
    await chat("the AE said again this is the best they can do")
    await chat("Sam (AE) promised a Copilot pilot credit")


async def test_a_brief_for_our_cfo_shows_the_whole_deal(chat, deal):
    await _told(chat)
    reply = await chat("write a one-pager for our CFO")
    assert reply.intent == "deal.brief" and reply.verdict == "internal"
    text = reply.plain_text()
    titles = [s.title for s in reply.sections if s.title]
    assert {"Where we stand", "The gap", "What we ask for", "Rounds and what Microsoft said"} <= set(titles)
    assert "INTERNAL" in text and BUDGET in text
    assert "Copilot price, worth about $300k a year" in text
    assert "4 rounds with the account team" in text
    assert "said twice" in text  # "final offer" and "best we can do": one position, counted
    assert "We ask for an extra 12% off." in text
    assert "Sam: a Copilot pilot credit (verbal only)." in text
    assert "Escalation: Escalate now." in text
    assert "brief.internal" in reply.rules and "brief.budget" in reply.rules
    assert "Dates that matter" in titles and "31 Mar 2027: renewal." in text
    assert "Microsoft fiscal year end" in text


async def test_a_brief_for_the_ae_leaves_out_budget_and_protected_facts(chat, deal):
    await _told(chat)
    reply = await chat("brief for the AE")
    assert reply.intent == "deal.brief" and reply.verdict == "for_microsoft"
    text = reply.plain_text()
    assert BUDGET not in text and "2,400,000" not in text and "2400000" not in text
    assert "INTERNAL" not in text.replace("INTERNAL:", "")
    titles = {s.title for s in reply.sections if s.title}
    # position, urgency (dates) and the budget are "protect" for the AE in the disclosure matrix
    assert titles.isdisjoint({"Where we stand", "Dates that matter", "Budget (INTERNAL)", "Still missing"})
    assert "31 Mar 2027" not in text and "Escalate now" not in text
    assert "brief.for-microsoft" in reply.rules
    assert reply.actions == []


async def test_missing_facts_come_with_one_button_each(chat, deal):
    reply = await chat("executive summary of this deal")
    assert reply.intent == "deal.brief"
    buttons = [a for a in reply.actions if a.payload["intent"] == "escalation.update"]
    keys = [a.payload["keys"] for a in buttons]
    assert ["rounds_with_account_team"] in keys and ["renewal_date"] in keys
    rounds = next(a for a in buttons if a.payload["keys"] == ["rounds_with_account_team"])
    asked = await chat(action=rounds.payload)
    assert asked.missing == ["rounds_with_account_team"]
    again = await chat("3")
    assert again.intent == "deal.brief" and "3 rounds with the account team so far." in again.plain_text()
    assert ["rounds_with_account_team"] not in [a.payload.get("keys") for a in again.actions]


def test_the_brief_never_carries_the_budget_to_any_microsoft_role(kb):
    now = datetime(2026, 11, 23, tzinfo=UTC)
    facts = {
        "budget_per_year": 1_750_000,
        "sticking_point": "Azure price",
        "sticking_point_value_per_year": 1_750_000,  # the same figure said again: still a secret
        "renewal_date": "2027-06-30",
    }
    events = [
        Event(i, "fact", {"key": k, "value": v}, "u1", now) for i, (k, v) in enumerate(facts.items(), 1)
    ]
    deal = make_view(1, "Contoso", events)
    for role in kb.roles:
        brief = br.build(deal, kb, now, role, amounts_in=amounts_in)
        text = " ".join(i.text for s in brief.sections for i in s.items)
        # nor the figure rounded as the coach writes money ("$1.8M")
        assert "1.75" not in text and "$1.8M" not in text, role
        assert brief.renewal is None and brief.missing == []
    internal = br.build(deal, kb, now, amounts_in=amounts_in)
    assert any("$1.75M" in i.text for s in internal.sections for i in s.items)  # as people write it


async def test_the_reader_is_who_the_brief_is_for(chat, deal):
    for text, verdict in [
        ("one-pager for our CFO before she calls their area VP", "internal"),
        ("summarise this deal for an exec", "internal"),
        ("exec summary for Microsoft's area VP", "for_microsoft"),
        ("brief addressed to the partner", "for_microsoft"),
    ]:
        reply = await chat(text)
        assert (reply.intent, reply.verdict) == ("deal.brief", verdict), text
