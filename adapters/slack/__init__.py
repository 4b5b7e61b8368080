"""Slack surface (slack-bolt AsyncApp). Importing it registers its mount on the server."""

from __future__ import annotations

from adapters.server import MOUNTS
from adapters.slack.mount import mount

if mount not in MOUNTS:
    MOUNTS.append(mount)

__all__ = ["mount"]

from adapters.slack import reminders as _reminders  # noqa: F401  (registers the deliverer)
