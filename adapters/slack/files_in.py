"""Files shared with the coach in Slack: Microsoft's quote read before the turn runs.

The listener only notes which file a message shares (its id, in `Turn.extra["slack_files"]`),
so the ack stays one insert. The inbox worker then asks `files.info` (the `files:read` scope)
for the file's size and private URL, downloads it with the bot token (only from Slack's own
file host, or the configured API host), reads it (bot/offers/intake.py) and hands the turn on
as `offer.read` with the reading. The bytes never go into the inbox or the logs; failures are
logged by type only and answered with one line.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp

from adapters.slack.logs import slack_logger
from bot.offers.config import limits
from bot.offers.intake import log_reading, offer_turn, read_download
from bot.offers.read import refuse
from bot.turn import Turn

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.runtime import Runtime

log = slack_logger()
FILES_KEY = "slack_files"
SLACK_FILE_HOSTS = ("files.slack.com",)


READABLE = ("pdf", "xlsx", "xlsm", "csv", "tsv", "text", "txt")


def _readable(f: dict[str, Any]) -> bool:
    """A file that may be a quote, by what the event says of it (an image, such as the coach's
    own totals picture, is never read); a file the event says nothing about is tried."""
    kind = str(f.get("filetype") or "").casefold()
    name = str(f.get("name") or "").casefold()
    if kind:
        return kind in READABLE
    return not name or name.rsplit(".", 1)[-1] in READABLE


def shared(event: dict[str, Any]) -> dict[str, Any]:
    """`Turn.extra` for a message that shares a file: the first file's id (one quote a message)."""
    files = [f for f in event.get("files") or [] if isinstance(f, dict) and f.get("id") and _readable(f)]
    return {FILES_KEY: [str(files[0]["id"])[:64]]} if files else {}


def shares_a_file(event: dict[str, Any]) -> bool:
    return bool(shared(event))


def _allowed(url: str, api_url: str) -> bool:
    """The bot token goes only to Slack's file host (or the configured API's own host)."""
    parts, api = urlsplit(url), urlsplit(api_url)
    if parts.hostname in SLACK_FILE_HOSTS and parts.scheme == "https":
        return True
    return bool(parts.hostname) and parts.hostname == api.hostname and parts.scheme == api.scheme


async def _download(
    url: str, token: str, max_bytes: int, seconds: float, session: aiohttp.ClientSession | None
) -> bytes:
    own = session is None
    session = session or aiohttp.ClientSession()
    try:
        async with session.get(
            url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=aiohttp.ClientTimeout(total=seconds),
            allow_redirects=False,
        ) as resp:
            if resp.status != 200 or "text/html" in resp.headers.get("Content-Type", ""):
                raise LookupError(f"download answered {resp.status}")  # a login page is not the file
            data = await resp.content.read(max_bytes + 1)
            return data
    finally:
        if own:
            await session.close()


async def with_offer(
    rt: Runtime,
    client: AsyncWebClient,
    turn: Turn,
    api_url: str,
    session: aiohttp.ClientSession | None = None,
) -> Turn:
    """The turn with the shared file read into it (`offer.read`), or unchanged without a file."""
    ids = turn.extra.get(FILES_KEY)
    if not ids:
        return turn
    kb, lim = rt.kb, limits(rt.kb)
    now = rt.coach.clock()
    try:
        info = await asyncio.wait_for(client.files_info(file=ids[0]), timeout=lim.download_seconds)
        f = info.get("file") or {}
        size, name = int(f.get("size") or 0), str(f.get("name") or "file")
        url = str(f.get("url_private_download") or f.get("url_private") or "")
        if size > lim.max_bytes:
            reading = refuse(
                kb, "too_large", size=f"{size / 1e6:.1f} MB", limit=f"{lim.max_bytes / 1e6:.1f} MB"
            )
        elif not _allowed(url, api_url):
            raise LookupError("a file URL outside Slack")
        else:
            data = await _download(url, client.token or "", lim.max_bytes, lim.download_seconds, session)
            reading = await read_download(
                name,
                data,
                kb,
                now,
                services=rt.coach.services,
                tenant=turn.tenant,
                platform="slack",
                tz=turn.timezone,
            )
    except Exception as exc:  # type only: an API error can quote the file's name
        log.warning("could not fetch a shared file (%s)", type(exc).__name__)
        reading = refuse(kb, "download", where="Slack")
    log_reading(log, reading, "a shared file")
    action, extra = offer_turn(reading, turn.text)
    rest = {k: v for k, v in turn.extra.items() if k != FILES_KEY}
    return dataclasses.replace(turn, text="", action=action, extra={**rest, **extra})
