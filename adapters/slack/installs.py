"""Installations (OAuth mode): a short-lived in-process cache over slack_sdk's SQLAlchemy store,
and the listeners that forget a workspace when it uninstalls the app or revokes its tokens.

The cache keeps authorization off the database on the hot path. Its entries expire after
`ttl` seconds, so a workspace removed by another process stops being served here too.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from logging import Logger
from typing import Any

from slack_bolt.async_app import AsyncApp
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


def bot_token_lookup(store: AsyncInstallationStore) -> Callable[[str], Awaitable[str | None]]:
    """tenant key → the workspace's bot token, for messages sent outside a request (reminders).

    A tenant key is what `app.tenant_of` chose: the Enterprise Grid org id (`E…`) when there is
    one, else the team id (`T…`). An org id finds an org-wide install; a workspace installed on
    its own inside a Grid org is not found from the org id alone (see docs/slack.md)."""

    async def token_for(tenant_key: str) -> str | None:
        if tenant_key.startswith("E"):
            bot = await store.async_find_bot(
                enterprise_id=tenant_key, team_id=None, is_enterprise_install=True
            )
        else:
            bot = await store.async_find_bot(enterprise_id=None, team_id=tenant_key)
        return bot.bot_token if bot is not None else None

    return token_for


class Revocations:
    """`app_uninstalled` and `tokens_revoked` (both in the manifest's bot events): the
    workspace's tokens leave our database, through Bolt's own token-revocation listeners.

    One addition to Bolt's: we only ever use the bot token, and Bolt authorizes from the
    installation rows, which carry the bot token too; so a revoked bot token removes the whole
    installation, not just the bot row."""

    def __init__(self, bolt: AsyncApp) -> None:
        self.store = bolt.installation_store
        self.uninstalled = bolt.default_app_uninstalled_event_listener() if self.store else None
        self.revoked = bolt.default_tokens_revoked_event_listener() if self.store else None

    async def on_app_uninstalled(self, context: AsyncBoltContext) -> None:
        if self.uninstalled is None:  # single-workspace token mode: nothing of theirs is stored
            log.warning("app uninstalled from a workspace; remove SLACK_BOT_TOKEN from the settings")
            return
        await self.uninstalled(context=context)
        log.info("app uninstalled: installation deleted")

    async def on_tokens_revoked(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        if self.revoked is None or self.store is None:
            log.warning("tokens revoked in a workspace; the configured SLACK_BOT_TOKEN may be dead")
            return
        await self.revoked(event=event, context=context)
        if (event.get("tokens") or {}).get("bot"):
            await self.store.async_delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
            log.info("bot token revoked: installation deleted")
