"""Logging for the Slack surface: never request content, never a token.

Bolt and slack_sdk put request bodies, payload fields and exception messages into their log
lines (the "Unhandled request" warning, debug lines of every Web API call, tracebacks). Their
records are cut down to the fixed phrase they start with before any handler sees them:

- records on `coach.slack` (Bolt and slack_sdk log through it: we pass it as their logger) go
  through the `Redact` filter;
- records on slack_bolt's and slack_sdk's own loggers (module-level ones included, whenever
  they are created) stop at the package logger, which hands them to `coach.slack.lib` and so
  through the same filter on their way to the usual handlers.
"""

from __future__ import annotations

import json
import logging
import os
import re
from urllib.parse import parse_qs

from adapters.access_log import hashed, safe_id

TOKEN = re.compile(r"xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")
BODYISH = re.compile(r"[{\[].*|\w+=[^&\s]*&.*", re.DOTALL)
# A library line keeps what precedes its first value: "Unhandled request (…" → "Unhandled request".
PHRASE = re.compile(r"(?:[^:({\[\"'=\n]|(?<=n)'t\b)*")  # "didn't" stays whole
LIBRARIES = ("slack_bolt", "slack_sdk")
_LIB_PATHS = tuple(os.sep + name + os.sep for name in LIBRARIES)


def _from_library(record: logging.LogRecord) -> bool:
    return record.name.startswith(LIBRARIES) or any(p in record.pathname for p in _LIB_PATHS)


class Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep only the template
            message = str(record.msg)
        if _from_library(record):
            clean = (PHRASE.match(message).group(0).strip() or "slack library message")[:120]  # type: ignore[union-attr]
            if record.exc_info and record.exc_info[0] is not None:
                clean += f" ({record.exc_info[0].__name__})"
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        else:
            clean = BODYISH.sub("[body withheld]", message)
        clean = TOKEN.sub("[token]", clean)
        if clean != message:
            record.msg, record.args = clean, None
        return True


class _Relay(logging.Handler):
    """On the library package loggers (which no longer propagate): passes each record on
    through `coach.slack.lib`, whose filter redacts it, to the handlers above."""

    def emit(self, record: logging.LogRecord) -> None:
        target = logging.getLogger("coach.slack.lib")
        if target.isEnabledFor(record.levelno):
            target.handle(record)


def guard_library_logs() -> None:
    relay = logging.getLogger("coach.slack.lib")
    if not any(isinstance(f, Redact) for f in relay.filters):
        relay.addFilter(Redact())
    for name in LIBRARIES:
        logger = logging.getLogger(name)
        if not any(isinstance(h, _Relay) for h in logger.handlers):
            logger.addHandler(_Relay())
        if not any(isinstance(f, Redact) for f in logger.filters):
            logger.addFilter(Redact())
        logger.propagate = False


def slack_logger(name: str = "coach.slack") -> logging.Logger:
    guard_library_logs()
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
