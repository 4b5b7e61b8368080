"""Files that go with an answer: the deal brief's PDF, uploaded into the conversation after
the answer is posted (files_upload_v2: get an upload URL, send the bytes, complete the upload).

Runs in the inbox worker once the turn has committed and its answer is posted, so neither the
ack nor the turn's transaction waits on drawing or uploading. A failed upload is logged by
type only (file names carry the deal's name) and the answer stands, with a line saying the file
could not be attached.
"""

from __future__ import annotations

import asyncio
import time

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.logs import slack_logger
from bot.reply import Reply

log = slack_logger()
UPLOAD_TIMEOUT = 30.0  # seconds for drawing and uploading one file; the answer is already out


async def post_files(client: AsyncWebClient, reply: Reply, channel: str, thread_ts: str | None) -> int:
    """Upload each document of the reply to the channel (in the thread, if any); returns how
    many were attached."""
    attached = 0
    for doc in (a for a in reply.attachments if a.kind == "document"):
        started = time.monotonic()
        try:
            async with asyncio.timeout(UPLOAD_TIMEOUT):
                data = await asyncio.to_thread(doc.render)  # drawing is CPU work: off the loop
                await client.files_upload_v2(
                    channel=channel,
                    thread_ts=thread_ts,
                    file=data,
                    filename=doc.filename,
                    title=doc.title,
                )
        except Exception as exc:
            log.warning("could not attach a file (%s)", type(exc).__name__)
            if doc.unavailable:
                try:
                    await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=doc.unavailable)
                except Exception as note_exc:
                    log.warning("could not say the file is missing (%s)", type(note_exc).__name__)
            continue
        attached += 1
        log.info("attached a file kind=%s ms=%d", doc.kind, (time.monotonic() - started) * 1000)
    return attached
