"""Logging for the Teams surface: no request content in any log line, whatever a library logs.

The Agents SDK logs with its request data in the arguments (activity and conversation ids, a
pydantic error quoting the input's text and names, response bodies in exception messages) and,
in places, formatted into the message itself. Every record of its loggers is rewritten as it is
made, before any filter or handler sees it: the message template stays, its arguments are
withheld (numbers and exception class names excepted), a traceback keeps its frames and the
exception's class but never its message, and any string of the request being served (noted at
the edge) is cut out of what is left, for lines formatted before they were logged.
"""

from __future__ import annotations

import contextvars
import logging
import re
import traceback
from collections.abc import Callable, Iterable
from typing import Any

SDK_LOGGER = "microsoft_agents"
# aiohttp's server loggers print an unhandled exception with its message (which can quote input).
AIOHTTP_LOGGERS = ("aiohttp.server", "aiohttp.web")
WITHHELD = "‹withheld›"
MIN_PLANTED = 4  # request strings shorter than this are too common to cut out of a template
CLASS_NAME = re.compile(r"[A-Z][A-Za-z0-9_]*(Error|Exception|Warning|Timeout)")

# The strings of the request this task is serving (set by the edge, inherited by its turn tasks).
request_strings: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "teams_request_strings", default=()
)


def remember_request(body: Any) -> None:
    """Note the request's string values so a pre-formatted log line can't carry them."""
    found: set[str] = set()
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())  # keys are the schema's words ("text", "from"), not content
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and len(node) >= MIN_PLANTED:
            found.add(node)
    request_strings.set(tuple(sorted(found, key=len, reverse=True)))


def _safe_arg(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, BaseException):
        return type(value).__name__
    if isinstance(value, str) and CLASS_NAME.fullmatch(value):
        return value
    return WITHHELD


def _cut(text: str, planted: Iterable[str]) -> str:
    for s in planted:
        if s in text:
            text = text.replace(s, WITHHELD)
    return text


def scrub(record: logging.LogRecord) -> None:
    """Rewrite `record` in place so it holds no request content."""
    template = record.msg if isinstance(record.msg, str) else type(record.msg).__name__
    args = record.args
    if isinstance(args, dict):
        safe: Any = {k: _safe_arg(v) for k, v in args.items()}
    elif args:
        safe = tuple(_safe_arg(a) for a in args)
    else:
        safe = None
    try:
        message = template % safe if safe is not None else template
    except (TypeError, ValueError, KeyError):
        message = template
    planted = request_strings.get()
    record.msg = _cut(message, planted)
    record.args = None
    if record.exc_info and record.exc_info[0] is not None:
        kind, _, tb = record.exc_info
        frames = "".join(traceback.format_tb(tb)) if tb is not None else ""
        # frames are code (file, line, function, source line), never data: not cut
        record.exc_text = f"Traceback (most recent call last):\n{frames}{kind.__name__}"
    record.exc_info = None
    record.stack_info = None


SCRUBBED = (SDK_LOGGER, *AIOHTTP_LOGGERS)


def _scrubbed(name: str) -> bool:
    return any(name == n or name.startswith(n + ".") for n in SCRUBBED)


class ScrubbingFactory:
    """Wraps the log record factory: a record of the SDK's loggers (any of them, created now or
    later) or of aiohttp's server loggers is scrubbed as it is made, before any filter or
    handler, wherever either is attached. A filter on the SDK's top logger would not do: a
    logger's filters skip records that propagate up from its children."""

    def __init__(self, inner: Callable[..., logging.LogRecord]) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        if _scrubbed(record.name):
            scrub(record)
        return record


def install() -> None:
    """Idempotent; called when the Teams surface mounts."""
    current = logging.getLogRecordFactory()
    if not isinstance(current, ScrubbingFactory):
        logging.setLogRecordFactory(ScrubbingFactory(current))
