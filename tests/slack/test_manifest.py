"""The manifest declares every command, shortcut, event and scope the app uses."""

from __future__ import annotations

from pathlib import Path

import yaml

from adapters.slack.app import SHORTCUT
from adapters.slack.mount import SCOPES

MANIFEST = Path(__file__).resolve().parents[2] / "adapters" / "slack" / "manifest.yaml"


def test_manifest_matches_the_app():
    m = yaml.safe_load(MANIFEST.read_text())
    assert [c["command"] for c in m["features"]["slash_commands"]] == ["/coach"]
    assert [(s["type"], s["callback_id"]) for s in m["features"]["shortcuts"]] == [("message", SHORTCUT)]
    assert set(m["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "app_mention",
        "message.im",
        "app_uninstalled",  # without these two, Slack never tells us about an uninstall
        "tokens_revoked",
    }
    assert set(m["oauth_config"]["scopes"]["bot"]) == set(SCOPES)
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    for url in (
        m["settings"]["event_subscriptions"]["request_url"],
        m["settings"]["interactivity"]["request_url"],
    ):
        assert url.endswith("/slack/events")
