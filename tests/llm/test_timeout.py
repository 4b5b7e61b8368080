"""A slow model never holds up the chat: the template arrives within the timeout bound,
repair included."""

from __future__ import annotations

import time

from tests.llm.conftest import GOOD, TEMPLATE, request


async def test_a_slow_server_gives_the_template_within_the_timeout(llm, make_drafter):
    llm.delay = 2.0
    started = time.monotonic()
    result = await make_drafter(COACH_LLM_TIMEOUT="0.5").draft(request())
    took = time.monotonic() - started
    assert (result.source, result.text) == ("template", TEMPLATE)
    assert "in time" in (result.reason or "")
    assert took < 1.5


async def test_a_slow_streamed_server_gives_the_template_within_the_timeout(llm, make_drafter):
    llm.delay = 2.0
    started = time.monotonic()
    result = await make_drafter(COACH_LLM_TIMEOUT="0.5", COACH_LLM_STREAM="1").draft(request())
    assert result.source == "template" and time.monotonic() - started < 1.5


async def test_the_repair_shares_the_same_deadline(llm, make_drafter):
    llm.script = [GOOD + " Or else.", GOOD]
    llm.delays = [0.4, 0.4]  # each call is quick, but the two together outlast 0.6 s
    started = time.monotonic()
    result = await make_drafter(COACH_LLM_TIMEOUT="0.6").draft(request())
    assert result.source == "template" and "in time" in (result.reason or "")
    assert time.monotonic() - started < 1.2


async def test_a_retry_stays_inside_the_deadline(llm, make_drafter):
    llm.script = [500, 500]
    llm.delays = [0.4, 0.4]
    started = time.monotonic()
    result = await make_drafter(COACH_LLM_TIMEOUT="0.6", COACH_LLM_MAX_RETRIES="1").draft(request())
    assert result.source == "template"
    assert time.monotonic() - started < 1.6
