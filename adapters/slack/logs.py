"""Logging for the Slack surface: never a request body, never a token.

Bolt and slack_sdk log request bodies and payloads at debug (and, for an unhandled request,
at warning) level; this filter rewrites any such record before a handler sees it.
"""

from __future__ import annotations

import logging
import re

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
