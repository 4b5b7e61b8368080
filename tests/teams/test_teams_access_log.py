"""The access log line of a Teams request names the activity id (a hash when the id is not a
plain token) and never the text or the sender's name."""

from __future__ import annotations

import logging
import re

from tests.teams.conftest import Bot, message


def access_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "coach.access"]


async def test_teams_requests_are_logged_with_their_activity_id(bot: Bot, caplog) -> None:
    caplog.set_level(logging.INFO, logger="coach.access")
    status, _ = await bot.post(message(bot.connector, "note PLANTED-TEAMS-4410", activity_id="1700000000123"))
    assert status == 202
    odd = message(bot.connector, "help", activity_id="id with spaces PLANTED-TEAMS-4410")
    assert (await bot.post(odd))[0] == 202
    assert (await bot.post(message(bot.connector, "help"), token=None))[0] == 401

    first, second, refused = access_lines(caplog)
    assert re.fullmatch(r"POST /api/messages 202 \d+\.\dms surface=teams id=1700000000123", first)
    assert re.fullmatch(r"POST /api/messages 202 \d+\.\dms surface=teams id=h:[0-9a-f]{16}", second)
    assert re.fullmatch(r"POST /api/messages 401 \d+\.\dms surface=teams id=-", refused)
    logged = "\n".join(access_lines(caplog))
    assert "PLANTED-TEAMS-4410" not in logged and "Ann Buyer" not in logged
