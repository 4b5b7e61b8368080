"""Installations (OAuth mode): a short-lived in-process cache over slack_sdk's SQLAlchemy store,
and the listeners that forget a workspace when it uninstalls the app or revokes its tokens.

The cache keeps authorization off the database on the hot path. Its entries expire after
`ttl` seconds, so a workspace removed by another process stops being served here too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation

from adapters.slack.logs import slack_logger

log = slack_logger()
Key = tuple[str, str, str]  # (enterprise id, team id, user id), "" for none


def _team(team_id: str | None, is_enterprise_install: bool | None) -> str:
    return "" if is_enterprise_install or team_id is None else team_id


class TtlInstallationStore(AsyncInstallationStore):
    def __init__(
        self,
        underlying: AsyncInstallationStore,
        ttl: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.underlying = underlying
        self.ttl = ttl
        self.clock = clock
        self.bots: dict[Key, tuple[float, Bot]] = {}
        self.installations: dict[Key, tuple[float, Installation]] = {}

    @property
    def logger(self) -> Logger:
        return self.underlying.logger

    def forget(self, enterprise_id: str | None, team_id: str | None, user_id: str | None = None) -> None:
        """Drop the cached entries of a workspace (or one user's); the next lookup reads the database."""
        e, t = enterprise_id or "", team_id or ""
        for cache in (self.bots, self.installations):
            for key in [k for k in cache if k[0] == e and k[1] == t and (user_id is None or k[2] == user_id)]:
                del cache[key]

    def _get(self, cache: dict[Key, tuple[float, Any]], key: Key) -> Any:
        hit = cache.get(key)
        if hit is None:
            return None
        if hit[0] < self.clock():
            del cache[key]
            return None
        return hit[1]

    async def async_save(self, installation: Installation) -> None:
        await self.underlying.async_save(installation)
        self.forget(
            installation.enterprise_id, _team(installation.team_id, installation.is_enterprise_install)
        )

    async def async_save_bot(self, bot: Bot) -> None:
        await self.underlying.async_save_bot(bot)
        self.forget(bot.enterprise_id, _team(bot.team_id, bot.is_enterprise_install))

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        key = (enterprise_id or "", _team(team_id, is_enterprise_install), "")
        bot = self._get(self.bots, key)
        if bot is None:
            bot = await self.underlying.async_find_bot(
                enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
            )
            if bot is not None:
                self.bots[key] = (self.clock() + self.ttl, bot)
        return bot

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        key = (enterprise_id or "", _team(team_id, is_enterprise_install), user_id or "")
        found = self._get(self.installations, key)
        if found is None:
            found = await self.underlying.async_find_installation(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                is_enterprise_install=is_enterprise_install,
            )
            if found is not None:
                self.installations[key] = (self.clock() + self.ttl, found)
        return found

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.underlying.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        self.forget(enterprise_id, team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await self.underlying.async_delete_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )
        self.forget(enterprise_id, team_id, user_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.underlying.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
        self.forget(enterprise_id, team_id)


class Revocations:
    """`app_uninstalled` and `tokens_revoked`: the workspace's tokens leave our database.

    We only ever use the bot token, so a revoked bot token removes the whole installation
    (its rows carry the bot token too); revoked user tokens remove those users' rows."""

    def __init__(self, store: AsyncInstallationStore | None) -> None:
        self.store = store

    async def on_app_uninstalled(self, context: AsyncBoltContext) -> None:
        if self.store is None:  # single-workspace token mode: nothing of theirs is stored
            log.warning("app uninstalled from a workspace; remove SLACK_BOT_TOKEN from the settings")
            return
        await self.store.async_delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
        log.info("app uninstalled: installation deleted")

    async def on_tokens_revoked(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        if self.store is None:
            log.warning("tokens revoked in a workspace; the configured SLACK_BOT_TOKEN may be dead")
            return
        tokens = event.get("tokens") or {}
        e, t = context.enterprise_id, context.team_id
        if tokens.get("bot"):
            await self.store.async_delete_all(enterprise_id=e, team_id=t)
            log.info("bot token revoked: installation deleted")
            return
        for user_id in tokens.get("oauth") or []:
            await self.store.async_delete_installation(enterprise_id=e, team_id=t, user_id=user_id)
