"""Retry outgoing Bot Connector calls on 429 and 5xx: exponential backoff, full jitter, Retry-After."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp

log = logging.getLogger("coach.teams")
T = TypeVar("T")
MAX_WAIT = 10.0


def retryable(exc: BaseException) -> bool:
    if isinstance(exc, aiohttp.ClientResponseError):
        return exc.status == 429 or exc.status >= 500
    return isinstance(exc, aiohttp.ClientConnectionError | asyncio.TimeoutError)


def _retry_after(exc: BaseException) -> float | None:
    headers = getattr(exc, "headers", None)
    value = headers.get("Retry-After") if headers else None
    try:
        return min(float(value), MAX_WAIT) if value is not None else None
    except ValueError:
        return None


async def with_retry(call: Callable[[], Awaitable[T]], *, attempts: int = 4, base: float = 0.5) -> T:
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except Exception as exc:
            if attempt == attempts or not retryable(exc):
                raise
            wait = _retry_after(exc)
            if wait is None:
                wait = random.uniform(0, min(MAX_WAIT, base * 2 ** (attempt - 1)))
            log.warning(
                "connector call failed (%s), retry %d/%d in %.2fs",
                getattr(exc, "status", type(exc).__name__),
                attempt,
                attempts - 1,
                wait,
            )
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")
