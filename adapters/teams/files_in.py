"""Files attached to a Teams message: Microsoft's quote read before the turn runs.

Teams hands a file shared in a chat with the bot to the bot as an attachment of content type
`application/vnd.microsoft.teams.file.download.info`, whose content (the Agents SDK's
`FileDownloadInfo`) carries a short-lived, pre-authorised `downloadUrl`. The URL is fetched
only over HTTPS from SharePoint / OneDrive hosts (or the activity's own, already allow-listed
service host), within the size and time limits of knowledge/offers.yaml, read
(bot/offers/intake.py), and the turn goes on as `offer.read`. Failures are logged by type only.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import aiohttp
from microsoft_agents.activity import Activity
from microsoft_agents.activity.teams import FileDownloadInfo

from bot.offers.config import limits
from bot.offers.intake import log_reading, offer_turn, read_download
from bot.offers.read import refuse
from bot.turn import Turn

if TYPE_CHECKING:
    from adapters.runtime import Runtime

log = logging.getLogger("coach.teams")
DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
READABLE = ("pdf", "xlsx", "xlsm", "csv", "tsv", "txt")
FILE_HOSTS = (".sharepoint.com", ".sharepoint.us", ".sharepoint-df.com", ".1drv.com", ".onedrive.com")


def shared_file(activity: Activity) -> tuple[str, str] | None:
    """(name, download URL) of the first file the message carries, through the SDK's models."""
    for att in activity.attachments or []:
        if att.content_type != DOWNLOAD_INFO or not isinstance(att.content, dict):
            continue
        try:
            info = FileDownloadInfo.model_validate({"etag": None, **att.content})
        except Exception:
            continue
        if str(info.file_type).casefold() not in READABLE:
            continue  # a picture shared with a question is not a quote: the question is answered
        return str(att.name or f"file.{info.file_type}")[:200], info.download_url
    return None


def _allowed(url: str, service_url: str | None) -> bool:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host.endswith(FILE_HOSTS):
        return True
    service = urlsplit(service_url or "")
    return bool(host) and host == service.hostname and parts.scheme == service.scheme


async def _download(url: str, max_bytes: int, seconds: float) -> bytes:
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, timeout=aiohttp.ClientTimeout(total=seconds), allow_redirects=False) as resp,
    ):
        if resp.status != 200:
            raise LookupError(f"download answered {resp.status}")
        return await resp.content.read(max_bytes + 1)


async def with_offer(rt: Runtime, activity: Activity, turn: Turn) -> Turn:
    """The turn with the attached file read into it (`offer.read`), or unchanged without one."""
    found = shared_file(activity)
    if found is None:
        return turn
    name, url = found
    kb, lim = rt.kb, limits(rt.kb)
    try:
        if not _allowed(url, activity.service_url):
            raise LookupError("a download URL outside Teams' file hosts")
        data = await _download(url, lim.max_bytes, lim.download_seconds)
        reading = await read_download(
            name,
            data,
            kb,
            rt.coach.clock(),
            services=rt.coach.services,
            tenant=turn.tenant,
            platform="teams",
            tz=turn.timezone,
        )
    except Exception as exc:  # type only: never the URL (it is a bearer link) or the name
        log.warning("could not fetch an attached file (%s)", type(exc).__name__)
        reading = refuse(kb, "download", where="Teams")
    log_reading(log, reading, "an attached file")
    action, extra = offer_turn(reading, turn.text)
    return dataclasses.replace(turn, text="", action=action, extra={**turn.extra, **extra})
