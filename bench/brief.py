"""Time to build a deal brief (the pure assembly, then the timeline picture and the PDF) on a
deal with N timeline events: statements, favors, commitments, meetings and escalations.

Prints p50/p99 beside a floor measured in the same run: folding the same events into a
DealView (what every turn pays anyway); then the sizes that must fit a Teams card, and the
time to upload the PDF into Slack (files_upload_v2 against the loopback Web API).
Run: python -m bench.brief [--events 1000] [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.features import default_knowledge, load_skills
from bot.knowledge import Knowledge
from bot.playbooks import brief as br
from bot.timeline import Contact, DealView, Event, Timeline, make_view
from bot.understanding.money import amounts_in

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
FACTS = {
    "renewal_date": "2027-06-30",
    "rounds_with_account_team": 5,
    "internal_alignment": "IT, Finance and Procurement all agreed",
    "sticking_point": "Copilot price",
    "sticking_point_value_per_year": 300000,
    "deal_value_per_year": 2400000,
    "budget_per_year": 2100000,
    "budget_target_set": True,
    "offer_uncompetitive": True,
    "ask_discount_pct": 12,
    "planned_migration": "SAP to Azure",
    "alternative": "Google Workspace",
    "walk_threshold_agreed": True,
    "timeline_in_control": True,
    "ms_annual_cost": 2400000,
    "term_years": 3,
    "annual_escalator_pct": 5,
    "alternative_annual_cost": 2000000,
    "switching_cost": 900000,
}
STATEMENTS = [
    ("final_offer", "final offer"),
    ("stall", "checking internally"),
    ("deadline", "quarter-end deadline"),
]
CONTACTS = [
    Contact(i, name, role)
    for i, (name, role) in enumerate([("Jane", "ae"), ("Ravi", "csm"), ("Mo", "avp")], 1)
]


def big_deal(n_events: int) -> list[Event]:
    """Facts first, then a mix of everything a long negotiation logs, spread over a year."""
    events = [
        Event(i, "fact", {"key": k, "value": v}, "u1", NOW - timedelta(days=400))
        for i, (k, v) in enumerate(FACTS.items(), 1)
    ]
    i = len(events)
    while len(events) < n_events:
        i += 1
        at = NOW - timedelta(days=365 * (n_events - i) / n_events)
        pick = i % 5
        if pick == 0:
            kind, label = STATEMENTS[i % len(STATEMENTS)]
            e = Event(
                i,
                "ms_statement",
                {"type": kind, "label": label, "text": f"the AE said {label}", "role": "ae"},
                "u1",
                at,
            )
        elif pick == 1:
            who = CONTACTS[i % len(CONTACTS)].name
            direction = "given" if i % 2 else "asked"
            e = Event(
                i,
                "favor",
                {"contact": who, "direction": direction, "what": "a workshop", "size": "small"},
                "u1",
                at,
            )
        elif pick == 2 and i % 25 == 2:
            e = Event(i, "commitment", {"contact": "Jane", "role": "ae", "what": f"credit #{i}"}, "u1", at)
        elif pick == 3 and i % 40 == 3:
            when = (NOW + timedelta(days=i % 90)).isoformat()
            e = Event(i, "meeting", {"when": when, "title": f"call {i}"}, "u1", at)
        elif pick == 4 and i % 100 == 4:
            e = Event(i, "escalation", {"text": "we escalated"}, "u1", at)
        else:
            e = Event(i, "note", {"text": f"note {i}"}, "u1", at)
        events.append(e)
    return events


def view_of(events: list[Event]) -> DealView:
    return make_view(1, "Woodgrove EA renewal", Timeline.of(events), CONTACTS)


def _times(fn: Callable[[], object], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return sorted(out)


def _line(name: str, ms: list[float]) -> str:
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"{name:<34} p50 {statistics.median(ms):8.2f} ms   p99 {p99:8.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    load_skills()
    kb = default_knowledge()
    events = big_deal(args.events)
    deal = view_of(events)
    from bot import brief_document, brief_picture

    t = time.perf_counter()
    brief_picture.render([], NOW.date())  # the one-off matplotlib import, reported apart
    first_ms = (time.perf_counter() - t) * 1000
    brief = br.build(deal, kb, NOW, amounts_in=amounts_in)
    png = brief_picture.render(brief.marks, brief.today, brief.renewal)
    print(f"brief on a deal with {len(events)} events, {args.rounds} rounds")
    print(_line("floor: fold events into a view", _times(lambda: view_of(events), args.rounds)))
    print(
        _line(
            "brief (pure assembly)",
            _times(lambda: br.build(deal, kb, NOW, amounts_in=amounts_in), args.rounds),
        )
    )
    print(
        _line(
            "brief for the AE",
            _times(lambda: br.build(deal, kb, NOW, "ae", amounts_in=amounts_in), args.rounds),
        )
    )
    print(
        _line(
            "timeline PNG",
            _times(lambda: brief_picture.render(brief.marks, brief.today, brief.renewal), args.rounds),
        )
    )
    print(_line("PDF (with the PNG)", _times(lambda: brief_document.to_pdf(brief, png), args.rounds)))
    print(f"first picture in a process (matplotlib import): {first_ms:.0f} ms")
    _attachments(brief, kb, args.rounds)


def _attachments(brief: br.Brief, kb: Knowledge, rounds: int) -> None:
    """What the adapters do after the turn: the Teams card's picture, the Slack PDF upload."""
    from adapters.teams import cards
    from bot.skills.brief import attachments, to_reply

    doc, pic = attachments(brief, kb)
    print(_line("card PNG (palette)", _times(pic.make, rounds)))
    print(_line("Slack PDF (picture + document)", _times(doc.make, rounds)))
    reply = to_reply(brief)
    bare = len(json.dumps(cards.render(reply)).encode())
    reply.attachments = [doc, pic]
    pic.render()
    card = len(json.dumps(cards.render(reply)).encode())
    print(
        f"card: {bare:,} bytes alone, {card:,} with the {len(pic.render()):,}-byte PNG "
        f"(limit {cards.MAX_CARD_WITH_PICTURE:,}); PDF {len(doc.render()):,} bytes"
    )
    print(_line("Slack upload (loopback, 3 calls)", asyncio.run(_uploads(doc.render(), rounds))))


async def _uploads(data: bytes, rounds: int) -> list[float]:
    from slack_sdk.web.async_client import AsyncWebClient

    from tests.slack.fakes import BOT_TOKEN, FakeSlack

    fake = FakeSlack()
    await fake.start()
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.url)
    out = []
    try:
        for _ in range(rounds):
            t = time.perf_counter()
            await client.files_upload_v2(channel="C1", file=data, filename="brief.pdf", title="Brief")
            out.append((time.perf_counter() - t) * 1000)
    finally:
        await fake.close()
    assert len(fake.files) == rounds and fake.files[-1].data == data
    return sorted(out)


if __name__ == "__main__":
    main()
