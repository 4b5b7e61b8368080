"""The brief as Slack Block Kit and as a Teams Adaptive Card stays inside each platform's limits,
even on a long negotiation, without being cut short."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from adapters.slack import blocks as slack
from adapters.teams import cards as teams
from bench.brief import big_deal, view_of
from bot.playbooks import brief as br
from bot.reply import Attachment
from bot.skills.brief import attachments, to_reply
from bot.understanding.money import amounts_in

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


@pytest.mark.parametrize("audience", ["internal", "ae", "avp"])
@pytest.mark.parametrize("n_events", [40, 1000])
def test_brief_fits_slack_and_teams(kb, audience, n_events):
    brief = br.build(view_of(big_deal(n_events)), kb, NOW, audience, amounts_in=amounts_in)
    reply = to_reply(brief)
    blocks = slack.render(reply)
    assert len(blocks) <= slack.MAX_BLOCKS
    assert not any("shortened" in json.dumps(b) for b in blocks)  # the whole brief, not its head
    for b in blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= slack.TEXT_LIMIT
    drawn = json.dumps(blocks)
    for section in brief.sections:
        assert slack.escape(section.title) in drawn
    card = teams.render(reply)
    assert len(json.dumps(card)) <= teams.MAX_CARD_CHARS
    assert [t for s in brief.sections if (t := s.title) not in json.dumps(card)] == []


@pytest.mark.parametrize("audience", ["internal", "ae"])
@pytest.mark.parametrize("n_events", [40, 1000])
async def test_the_card_with_its_picture_still_fits_a_teams_message(kb, audience, n_events):
    brief = br.build(view_of(big_deal(n_events)), kb, NOW, audience, amounts_in=amounts_in)
    reply = to_reply(brief)
    reply.attachments = attachments(brief, kb)
    await teams.draw_pictures(reply)
    card = teams.render(reply)
    images = [b for b in card["body"] if b["type"] == "Image"]
    assert len(images) == 1 and images[0]["url"].startswith("data:image/png;base64,")
    assert len(json.dumps(card).encode()) <= teams.MAX_CARD_WITH_PICTURE
    # Slack never carries the picture inline: its blocks are the same with or without it
    assert slack.render(reply) == slack.render(to_reply(brief))


async def test_a_picture_too_big_for_the_card_is_left_out_with_a_line_saying_so(kb):
    brief = br.build(view_of(big_deal(1000)), kb, NOW, amounts_in=amounts_in)
    reply = to_reply(brief)
    (pic,) = [a for a in attachments(brief, kb) if a.kind == "picture"]
    big = Attachment(
        "picture", "t.png", "Renewal timeline", lambda: b"\x89PNG" + bytes(30_000), pic.unavailable
    )
    reply.attachments = [big]
    await teams.draw_pictures(reply)
    card = teams.render(reply)
    assert [b for b in card["body"] if b["type"] == "Image"] == []
    assert pic.unavailable in json.dumps(card) and "picture couldn't go into this card" in pic.unavailable
    assert len(json.dumps(card)) <= teams.MAX_CARD_CHARS


async def test_a_picture_that_cannot_be_drawn_is_left_out_too(kb):
    brief = br.build(view_of(big_deal(40)), kb, NOW, amounts_in=amounts_in)
    reply = to_reply(brief)

    def broken() -> bytes:
        raise RuntimeError("no fonts")

    reply.attachments = [Attachment("picture", "t.png", "Renewal timeline", broken, "no picture here")]
    await teams.draw_pictures(reply)
    card = teams.render(reply)
    assert [b for b in card["body"] if b["type"] == "Image"] == [] and "no picture here" in json.dumps(card)


def test_long_negotiation_brief_counts_and_caps(kb):
    events = big_deal(1000)
    promised = sum(1 for e in events if e.kind == "commitment")
    final = sum(1 for e in events if e.kind == "ms_statement" and e.payload["type"] == "final_offer")
    assert promised > 8 and final > 2
    brief = br.build(view_of(events), kb, NOW, amounts_in=amounts_in)
    commitments = brief.section("commitments")
    assert commitments is not None and len(commitments.items) == 9  # 8 shown, then how many more
    assert commitments.items[-1].text.startswith(f"… and {promised - 8} more")
    rounds = brief.section("rounds")
    assert rounds is not None and any(f"final offer: said {final} times" in i.text for i in rounds.items)
