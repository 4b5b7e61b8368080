"""One access log line per request: method, route, status, time, surface and Slack's id for the
request; never the body, the text, a user name, a trigger_id or a query string."""

from __future__ import annotations

import logging
import re

from tests.slack.fakes import command, event

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
LINE = re.compile(
    r"^(?P<method>[A-Z]+) (?P<route>\S+) (?P<status>\d{3}) (?P<ms>\d+\.\d)ms surface=(?P<surface>\S+) "
    r"id=(?P<id>\S+)(?: retry=(?P<retry>\d+))?$"
)
MARKERS = ("PLANTED-TEXT-5521", "Zed Planted", "trig.", "qs-token-9931", "UPLANTED")


def access_lines(caplog) -> list[re.Match]:
    lines = [r.getMessage() for r in caplog.records if r.name == "coach.access"]
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    return parsed  # type: ignore[return-value]


async def test_each_request_gets_one_line_with_the_event_id_and_nothing_else(slack, fake, caplog):
    caplog.set_level(logging.INFO, logger="coach.access")
    dm = {
        "type": "message", "channel_type": "im", "user": "UPLANTED", "user_name": "Zed Planted",
        "text": "budget is PLANTED-TEXT-5521", "channel": "D1", "ts": "1.1",
    }  # fmt: skip
    body = event(dm, event_id="Ev0ACCESS42")
    await slack.post(body, JSON)
    await slack.post(body, JSON, **{"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"})
    await slack.post(command("note PLANTED-TEXT-5521"), FORM)
    await slack.post(body, JSON, headers={"Content-Type": JSON})  # unsigned: refused
    await slack.session.get(slack.server.make_url("/readyz?token=qs-token-9931"))
    await slack.session.get(slack.server.make_url("/no/such/qs-token-9931"))
    await slack.turns(2)  # the event and the command (the retry is the same event)

    lines = access_lines(caplog)
    got = [(m["method"], m["route"], m["status"], m["surface"], m["id"], m["retry"]) for m in lines]
    assert got[:2] == [
        ("POST", "/slack/events", "200", "slack", "Ev0ACCESS42", None),
        ("POST", "/slack/events", "200", "slack", "Ev0ACCESS42", "2"),
    ]
    route, status, surface, command_id = got[2][1:5]
    assert (route, status, surface) == ("/slack/events", "200", "slack")
    assert re.fullmatch(r"h:[0-9a-f]{16}", command_id)  # the trigger_id, hashed
    assert got[3:] == [
        ("POST", "/slack/events", "401", "slack", "-", None),
        ("GET", "/readyz", "200", "-", "-", None),
        ("GET", "<unmatched>", "404", "-", "-", None),
    ]
    everything = "\n".join(r.getMessage() for r in caplog.records if r.name == "coach.access")
    for marker in MARKERS:
        assert marker not in everything
