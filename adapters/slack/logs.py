"""Logging for the Slack surface: never a request body, never a token.

Bolt and slack_sdk log request bodies and payloads at debug (and, for an unhandled request,
at warning) level; this filter rewrites any such record before a handler sees it.
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import parse_qs

from adapters.access_log import hashed, safe_id

TOKEN = re.compile(r"xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")
BODYISH = re.compile(r"\{.*\}|\w+=[^&\s]*&\S+", re.DOTALL)


class Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep only the template
            message = str(record.msg)
        clean = TOKEN.sub("[token]", BODYISH.sub("[body withheld]", message))
        if clean != message:
            record.msg, record.args = clean, None
        return True


def slack_logger(name: str = "coach.slack") -> logging.Logger:
    logger = logging.getLogger(name)
    if not any(isinstance(f, Redact) for f in logger.filters):
        logger.addFilter(Redact())
    # slack_sdk tests `logger.level` (its own, not the effective level) before formatting every
    # request and response body into a debug line; on a NOTSET logger it formats them on each
    # Web API call, only for the line to be dropped. Slack's debug output is off anyway (bodies).
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    return logger


def event_ref(body: bytes, content_type: str) -> str | None:
    """What the access log names a Slack request by: the Events API's event_id as it is; for a
    command or an interaction, a hash of its trigger_id (a short-lived credential)."""
    try:
        if content_type == "application/json":
            data = json.loads(body)
            return safe_id(data.get("event_id")) if isinstance(data, dict) else None
        form = parse_qs(body.decode("utf-8"), max_num_fields=100)
        if "payload" in form:
            data = json.loads(form["payload"][0])
            trigger = data.get("trigger_id") if isinstance(data, dict) else None
        else:
            trigger = (form.get("trigger_id") or [None])[0]
        return hashed(str(trigger)) if trigger else None
    except ValueError:  # not JSON, not UTF-8, too many fields: the line just has no id
        return None
