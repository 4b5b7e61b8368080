"""One way in for every surface: a shared file's bytes → a `Reading`, before the turn runs.

Reading is CPU work: it runs in a worker thread under a time limit, so the event loop (and
every other conversation) goes on. With an LLM reader configured, a document whose text the
local reader got but whose table it could not find is read by the model (bot/offers/llm.py).
The turn then carries the reading (`offer_turn`), never the bytes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime
from typing import Any

from bot.knowledge import Knowledge
from bot.offers.config import limits
from bot.offers.model import Reading
from bot.offers.read import document_text, read_document, refuse
from bot.services import CoachServices

READ_INTENT = "offer.read"


async def read_file(
    name: str,
    data: bytes,
    kb: Knowledge,
    now: datetime,
    *,
    services: CoachServices | None = None,
    tenant: str = "local",
    platform: str = "console",
    tz: str | None = None,
) -> Reading:
    lim = limits(kb)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(lim.read_seconds):
            reading = await asyncio.to_thread(read_document, name, data, kb, now, tz=tz or "UTC")
    except TimeoutError:
        return refuse(kb, "timeout")
    reader = services.llm_reader if services is not None else None
    if reading.refusal is not None and reading.refusal.reason == "layout" and reader is not None:
        from bot.offers.llm import read_with_llm

        text = await asyncio.to_thread(document_text, name, data, kb)
        if text:
            offer = await read_with_llm(text, kb, reader, tenant=tenant, platform=platform, now=now)
            if offer is not None:
                return Reading(offer=offer, ms=(time.perf_counter() - started) * 1000)
    return reading


async def read_download(
    name: str,
    data: bytes,
    kb: Knowledge,
    now: datetime,
    *,
    services: CoachServices | None = None,
    tenant: str,
    platform: str,
    tz: str | None = None,
) -> Reading:
    """Bytes a surface downloaded (read up to one byte past the limit): refused as too large
    past `limits.max_bytes`, else read."""
    lim = limits(kb)
    if len(data) > lim.max_bytes:
        mb = f"{lim.max_bytes / 1e6:.1f} MB"
        return refuse(kb, "too_large", size=f"over {mb}", limit=mb)
    return await read_file(name, data, kb, now, services=services, tenant=tenant, platform=platform, tz=tz)


def log_reading(log: logging.Logger, reading: Reading, what: str) -> None:
    """One line on what became of a file a person gave the coach: how it was read, or why it
    was refused; never its name or its content."""
    if reading.offer is not None:
        log.info(
            "read %s source=%s lines=%d ms=%d",
            what,
            reading.offer.source,
            len(reading.offer.lines),
            reading.ms,
        )
    else:
        log.info("refused %s reason=%s", what, reading.refusal.reason if reading.refusal else "?")


def offer_turn(reading: Reading, said: str = "") -> tuple[dict[str, Any], dict[str, Any]]:
    """The action and the `Turn.extra` a surface sends for a document it read."""
    return {"intent": READ_INTENT, "user_text": said[:1500]}, {"offer_reading": reading.to_json()}
