"""No request content in any log line: markers planted in every text field of valid and invalid
activities, a failing connector and a failing turn never show up in what handlers receive."""

from __future__ import annotations

import logging
from typing import Any

from adapters.teams import logs
from tests.teams.conftest import Bot, message

MARKERS = {
    "text": "ZQX-TEXT-7781",
    "user": "ZQX-USER-5512",
    "chat": "ZQX-CHAT-9034",
    "data": "ZQX-DATA-4420",
    "value": "ZQX-VALUE-1187",
}


def planted(connector: Any, **changes: Any) -> dict[str, Any]:
    act = message(connector, f"deal new {MARKERS['text']} renewal")
    act["from"]["name"] = MARKERS["user"]
    act["conversation"]["name"] = MARKERS["chat"]
    act["channelData"]["note"] = MARKERS["data"]
    act.update(changes)
    return act


def logged(caplog: Any) -> str:
    return caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)


async def test_schema_invalid_activities_log_no_content_and_never_reach_the_sdk_parser(
    bot: Bot, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    c = bot.connector
    bad = [
        planted(c, **{"from": {"id": 5, "name": MARKERS["user"]}}),
        planted(c, text={"nested": MARKERS["text"]}),
        planted(c, timestamp=MARKERS["value"]),
        planted(c, entities=[{"type": 7, "text": MARKERS["value"]}]),
        planted(c, membersAdded=[{"id": [MARKERS["value"]], "name": MARKERS["user"]}]),
        planted(c, channelId=None),
    ]
    for act in bad:
        status, _ = await bot.post(act)
        assert status == 400
    assert caplog.records, "nothing was logged at all, so this test would prove nothing"
    text = logged(caplog)
    for marker in MARKERS.values():
        assert marker not in text
    # refused before the SDK parsed them: the SDK logged no validation error at all
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_valid_turns_a_failing_connector_and_a_failing_turn_log_no_content(
    bot: Bot, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    c = bot.connector
    status, _ = await bot.post(planted(c))
    assert status == 202 and len(c.messages) == 1
    c.fail_next = [400]  # the SDK logs the failed call with the conversation in the resource
    status, _ = await bot.post(planted(c, value={"intent": "help", "note": MARKERS["value"]}))
    real = bot.rt.coach.handle

    async def broken(turn: Any) -> Any:
        raise RuntimeError(f"the turn blew up on {MARKERS['text']}")

    bot.rt.coach.handle = broken
    try:
        await bot.post(planted(c, conversation={"id": "a:other", "name": MARKERS["chat"]}))
    finally:
        bot.rt.coach.handle = real
    sdk = [r for r in caplog.records if r.name.startswith("microsoft_agents")]
    assert sdk, "the SDK's records were not captured, so this test would prove nothing"
    assert any("Bad request for" in r.getMessage() for r in sdk)  # the failed call was logged
    text = logged(caplog)
    for marker in [*MARKERS.values(), "a:personal-1", "a:other"]:
        assert marker not in text


async def test_a_preformatted_sdk_line_loses_the_requests_strings(caplog: Any) -> None:
    logs.install()
    caplog.set_level(logging.DEBUG)
    logs.remember_request({"text": MARKERS["text"], "from": {"name": MARKERS["user"]}})
    sdk = logging.getLogger("microsoft_agents.some.module.made.up.later")
    sdk.warning(f"no route for text {MARKERS['text']} from {MARKERS['user']}")
    try:
        raise ValueError(f"input_value={MARKERS['text']!r}")
    except ValueError:
        sdk.exception("Validation error for Activity: %s", "ignored")
    first, _ = [r for r in caplog.records if r.name.startswith("microsoft_agents")]
    assert first.getMessage().startswith("no route for text")
    assert "ValueError" in caplog.text and "Traceback" in caplog.text  # frames kept, message not
    for marker in MARKERS.values():
        assert marker not in logged(caplog)
