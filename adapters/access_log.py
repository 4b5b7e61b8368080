"""One access log line per HTTP request (logger `coach.access`), written by a middleware:

    POST /slack/events 200 3.1ms surface=slack id=Ev0123ABCD retry=1

Method, route, status, duration, surface and the platform's id for the request (Slack event
id, Teams activity id) so a line can be matched with Slack's or Teams' own records. Never a
body, a query string, a header value, message text or a user name. The route is the pattern
the request matched (`/slack/events`), not the raw path; an id that is not a plain token, or
that is a short-lived credential (a Slack trigger_id), is logged as a hash."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time

from aiohttp import web
from aiohttp.typedefs import Handler

log = logging.getLogger("coach.access")

SURFACE = "coach.access.surface"
EVENT = "coach.access.event"
RETRY = "coach.access.retry"

PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}")
SURFACE_BY_PREFIX = (("/slack/", "slack"), ("/api/messages", "teams"))


def hashed(value: str) -> str:
    return "h:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:16]


def safe_id(value: object) -> str | None:
    """The id as it is when it is a plain token, else a hash of it."""
    if value is None or value == "":
        return None
    text = str(value)
    return text if PLAIN_ID.fullmatch(text) else hashed(text)


def tag(request: web.Request, *, surface: str, event_id: str | None, retry: str | None = None) -> None:
    """Called by a surface once it has read its request: what the access line should name."""
    request[SURFACE] = surface
    if event_id:
        request[EVENT] = event_id
    if retry and retry.isdigit():
        request[RETRY] = retry


def _route(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "<unmatched>"


def _surface(request: web.Request, route: str) -> str:
    if SURFACE in request:
        return str(request[SURFACE])
    for prefix, surface in SURFACE_BY_PREFIX:
        if route.startswith(prefix):
            return surface
    return "-"


@web.middleware
async def access_log_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except asyncio.CancelledError:  # the client went away before the answer
        status = 499
        raise
    finally:
        route = _route(request)
        extra = f" retry={request[RETRY]}" if RETRY in request else ""
        log.info(
            "%s %s %d %.1fms surface=%s id=%s%s",
            request.method,
            route,
            status,
            (time.perf_counter() - started) * 1000,
            _surface(request, route),
            request.get(EVENT, "-"),
            extra,
        )
