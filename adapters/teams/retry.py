"""Retry outgoing Bot Connector calls only when a retry cannot post twice.

The Bot Connector has no idempotency key for a new activity: a POST that timed out, or whose
connection broke after it was sent, may have been posted, so it is never retried. A POST is
retried only when the service surely did not take it: the connection was never made, a 429
(throttled: rejected unprocessed, Retry-After honoured), or a 502/503 (a gateway answering that
the service is unreachable or unavailable). An idempotent call (an update, PUT, of an activity to
the same content) is also retried after a timeout, a broken connection or any 5xx. Waits grow
exponentially with full jitter.
"""

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
NOT_TAKEN = (429, 502, 503)  # statuses that say the request was not processed


def retryable(exc: BaseException, *, idempotent: bool = False) -> bool:
    if isinstance(exc, aiohttp.ClientResponseError):
        return exc.status in NOT_TAKEN or (idempotent and exc.status >= 500)
    if isinstance(exc, aiohttp.ClientConnectorError):  # never connected: nothing was sent
        return True
    return idempotent and isinstance(exc, aiohttp.ClientConnectionError | TimeoutError)


def _retry_after(exc: BaseException) -> float | None:
    headers = getattr(exc, "headers", None)
    value = headers.get("Retry-After") if headers else None
    try:
        return min(float(value), MAX_WAIT) if value is not None else None
    except ValueError:
        return None


async def with_retry(
    call: Callable[[], Awaitable[T]],
    *,
    attempts: int = 4,
    base: float = 0.5,
    idempotent: bool = False,
    per_call: float | None = None,
) -> T:
    """`call()` with retries as above; `per_call` bounds each attempt in seconds."""
    for attempt in range(1, attempts + 1):
        try:
            if per_call is None:
                return await call()
            return await asyncio.wait_for(call(), per_call)
        except Exception as exc:
            if attempt == attempts or not retryable(exc, idempotent=idempotent):
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
