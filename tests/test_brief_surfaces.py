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
from bot.skills.brief import to_reply

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


@pytest.mark.parametrize("audience", ["internal", "ae", "avp"])
@pytest.mark.parametrize("n_events", [40, 1000])
def test_brief_fits_slack_and_teams(kb, audience, n_events):
    brief = br.build(view_of(big_deal(n_events)), kb, NOW, audience)
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


def test_long_negotiation_brief_counts_and_caps(kb):
    events = big_deal(1000)
    promised = sum(1 for e in events if e.kind == "commitment")
    final = sum(1 for e in events if e.kind == "ms_statement" and e.payload["type"] == "final_offer")
    assert promised > 8 and final > 2
    brief = br.build(view_of(events), kb, NOW)
    commitments = brief.section("commitments")
    assert commitments is not None and len(commitments.items) == 9  # 8 shown, then how many more
    assert commitments.items[-1].text.startswith(f"… and {promised - 8} more")
    rounds = brief.section("rounds")
    assert rounds is not None and any(f"final offer: said {final} times" in i.text for i in rounds.items)
