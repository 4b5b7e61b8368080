"""Who may talk to the coach on Slack, and where it may answer (docs/security.md, "Outsiders").

Every listener asks `Gate.check` before it writes anything: an outsider (a user of another
organisation, a guest, a bot or app) is refused at the listener with one line that names
nothing, and nothing they sent reaches the inbox or any table. An insider in a conversation
that outsiders can read (a Slack Connect channel) is answered privately.

What the payload says is used first (the actor's team against the installation's, bot
messages, `is_ext_shared_channel`); then `users.info` (guests, strangers, bots, the user's
team and Grid org) and `conversations.info` (shared channels), cached in this process for a
few minutes: a cache of Slack's own answers, never state the coach relies on.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.logs import slack_logger

log = slack_logger()

TTL = 300.0  # seconds a users.info / conversations.info answer is reused
LOOKUP_TIMEOUT = 2.0  # the listener runs inside Slack's 3 s ack
MAX_ENTRIES = 50_000
MAX_MEMBERS = 200  # a private channel with more members is not vouched for (one page of members)


@dataclass(frozen=True, slots=True)
class Home:
    """The organisation that installed the app: its workspace and, on Enterprise Grid, its org."""

    team: str | None
    enterprise: str | None

    def owns(self, team: str | None) -> bool | None:
        """True: this workspace or org. False: another one. None: can't tell from the id alone
        (another workspace, on a Grid install: it may belong to the same org)."""
        if not team:
            return None
        if team in (self.team, self.enterprise):
            return True
        return None if self.enterprise else False


@dataclass(frozen=True, slots=True)
class Verdict:
    outsider: bool = False  # refuse: one line that names nothing, nothing stored
    silent: bool = False  # a bot or an app: refused without an answer
    unchecked: bool = False  # who it is could not be checked (users.info failed): refused for now
    external: bool = False  # the conversation includes outsiders: answer privately
    admin: bool = False  # users.info says the person administers the workspace (or the Grid org)
    why: str = ""  # the kind of outsider, for the log line (never an id or any text)


def home_of_tenant(tenant: str) -> Home:
    """The installation's identity from a turn's tenant (a Grid org id `E…`, else a team id)."""
    return (
        Home(team=None, enterprise=tenant) if tenant.startswith("E") else Home(team=tenant, enterprise=None)
    )


def home_of(context: Any) -> Home:
    """The installation's own team and org. In single-workspace mode Bolt's authorization
    answers from auth.test (the token's workspace), whatever team the payload names."""
    auth = getattr(context, "authorize_result", None)
    team = (getattr(auth, "team_id", None) if auth else None) or context.team_id
    enterprise = (getattr(auth, "enterprise_id", None) if auth else None) or context.enterprise_id
    return Home(team=team, enterprise=enterprise)


def actor_teams(body: dict[str, Any]) -> list[str]:
    """Every team the payload says the actor belongs to: an event's `user_team` and
    `source_team`, a slash command's `team_id`, an interaction's `user.team_id` and `team.id`."""
    out: list[str] = []
    event = body.get("event") if isinstance(body.get("event"), dict) else None
    if event is not None:
        out += [event.get("user_team"), event.get("source_team")]
        profile = event.get("user_profile")
        if isinstance(profile, dict):
            out.append(profile.get("team"))
    elif "command" in body:
        out.append(body.get("team_id"))
    else:
        user, team = body.get("user"), body.get("team")
        if isinstance(user, dict):
            out.append(user.get("team_id"))
        if isinstance(team, dict):
            out.append(team.get("id"))
    return [str(t) for t in out if t]


def is_dm(channel: str) -> bool:
    """The coach's DM with a person: a `D…` conversation, or a user id (`U…`/`W…`), which
    chat.postMessage delivers to that person's DM (the forms opened from the App Home)."""
    return channel.startswith(("D", "U", "W"))


def is_bot_message(event: dict[str, Any] | None) -> bool:
    return bool(event) and bool(
        event.get("bot_id") or event.get("bot_profile") or event.get("subtype") == "bot_message"
    )


def user_is_outsider(user: dict[str, Any], home: Home) -> str:
    """Why a users.info record is an outsider ("" when it is one of ours)."""
    if user.get("is_bot") or user.get("is_workflow_bot"):
        return "bot"
    if user.get("deleted"):
        return "deactivated"
    if user.get("is_ultra_restricted") or user.get("is_restricted"):
        return "guest"
    if user.get("is_stranger"):
        return "other organisation"
    enterprise = (user.get("enterprise_user") or {}).get("enterprise_id") or user.get("enterprise_id")
    if home.enterprise and enterprise == home.enterprise:
        return ""
    team = user.get("team_id")
    if home.enterprise and not home.team:  # an org-wide install: the org decides
        return "other organisation"
    if team and team not in (home.team, home.enterprise):
        return "other organisation"
    return ""


def is_admin(user: dict[str, Any]) -> bool:
    """A workspace admin or owner (or, on Grid, an org admin or owner), per users.info."""
    grid = user.get("enterprise_user") or {}
    return bool(
        user.get("is_admin")
        or user.get("is_owner")
        or user.get("is_primary_owner")
        or grid.get("is_admin")
        or grid.get("is_owner")
    )


def channel_is_external(channel: dict[str, Any]) -> bool:
    """Shared with another organisation (Slack Connect), or on its way to it. A channel shared
    only among the workspaces of one Grid org (`is_org_shared`) stays internal."""
    if channel.get("is_ext_shared") or channel.get("is_pending_ext_shared"):
        return True
    return bool(channel.get("is_shared")) and not channel.get("is_org_shared")


class Gate:
    """The outsider checks of one process, with its short-lived caches."""

    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._people: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._rooms: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._private: dict[tuple[str, str], tuple[float, bool]] = {}
        self._me: dict[str, str | None] = {}

    async def person(self, client: AsyncWebClient, home: Home, user: str) -> dict[str, Any] | None:
        """users.info's record of the user (cached), or None when Slack could not say."""
        key = (home.enterprise or home.team or "", user)
        hit = self._people.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        try:
            resp = await asyncio.wait_for(client.users_info(user=user), timeout=LOOKUP_TIMEOUT)
            record = resp.get("user") or {}
        except Exception as exc:
            log.warning("users.info unavailable (%s)", type(exc).__name__)
            return None
        if len(self._people) > MAX_ENTRIES:
            self._people.clear()
        self._people[key] = (time.monotonic() + self.ttl, dict(record))
        return dict(record)

    async def room(self, client: AsyncWebClient, home: Home, channel: str) -> dict[str, Any] | None:
        """conversations.info's record of the channel (cached), or None when Slack could not say."""
        key = (home.enterprise or home.team or "", channel)
        hit = self._rooms.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        try:
            resp = await asyncio.wait_for(client.conversations_info(channel=channel), timeout=LOOKUP_TIMEOUT)
            record = dict(resp.get("channel") or {})
        except Exception as exc:
            log.info("conversations.info unavailable (%s)", type(exc).__name__)
            return None
        if len(self._rooms) > MAX_ENTRIES:
            self._rooms.clear()
        self._rooms[key] = (time.monotonic() + self.ttl, record)
        return record

    async def external_room(self, client: AsyncWebClient, home: Home, channel: str) -> bool:
        """Does this conversation include outsiders? When Slack can't say, the answer is yes
        (the reply then goes privately: nothing is lost)."""
        record = await self.room(client, home, channel)
        return True if record is None else channel_is_external(record)

    async def private_room(self, client: AsyncWebClient, home: Home, channel: str) -> bool:
        """Is this a private channel of the organisation only: private, shared with no other
        organisation, and every member one of ours (no guest, no stranger, no one's bot but
        ours)? Vouched for `Turn.private_channel`; any doubt answers no, which is safe (the
        channel then gives no access). Asked by the inbox worker, never inside Slack's ack."""
        key = (home.enterprise or home.team or "", channel)
        hit = self._private.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        record = await self.room(client, home, channel)
        private = False
        if record and record.get("is_private") and not record.get("is_mpim") and not record.get("is_im"):
            private = not channel_is_external(record) and await self._all_ours(client, home, channel)
        if len(self._private) > MAX_ENTRIES:
            self._private.clear()
        self._private[key] = (time.monotonic() + self.ttl, private)
        return private

    async def _all_ours(self, client: AsyncWebClient, home: Home, channel: str) -> bool:
        try:
            resp = await asyncio.wait_for(
                client.conversations_members(channel=channel, limit=MAX_MEMBERS), timeout=LOOKUP_TIMEOUT
            )
        except Exception as exc:
            log.info("conversations.members unavailable (%s)", type(exc).__name__)
            return False
        members = [str(m) for m in resp.get("members") or []]
        if not members or (resp.get("response_metadata") or {}).get("next_cursor"):
            return False  # more than one page: too many to vouch for
        me = await self._bot_user(client)
        for member in members:
            if member == me:
                continue
            record = await self.person(client, home, member)
            if record is None or user_is_outsider(record, home):
                return False
        return True

    async def _bot_user(self, client: AsyncWebClient) -> str | None:
        """The coach's own bot user (auth.test, once per process and token)."""
        token = getattr(client, "token", None) or ""
        if token not in self._me:
            try:
                resp = await asyncio.wait_for(client.auth_test(), timeout=LOOKUP_TIMEOUT)
                self._me[token] = resp.get("user_id")
            except Exception:
                return None
        return self._me[token]

    async def check(
        self,
        client: AsyncWebClient,
        context: Any,
        body: dict[str, Any],
        user: str,
        channel: str | None,
    ) -> Verdict:
        """May `user` talk to the coach here, and must the answer be private?"""
        home = home_of(context)
        event = body.get("event") if isinstance(body.get("event"), dict) else None
        if is_bot_message(event):
            return Verdict(outsider=True, silent=True, why="bot")
        if not user:
            return Verdict(outsider=True, silent=True, why="no user")
        owned = [home.owns(t) for t in actor_teams(body)]
        if False in owned:
            return Verdict(outsider=True, why="other organisation")
        record = await self.person(client, home, user)
        if record is None:
            return Verdict(outsider=True, unchecked=True, why="unchecked")
        why = user_is_outsider(record, home)
        if why:
            return Verdict(outsider=True, silent=why == "bot", why=why)
        external = await self.is_external(client, home, body, channel)
        return Verdict(external=external, admin=is_admin(record))

    async def is_external(
        self, client: AsyncWebClient, home: Home, body: dict[str, Any], channel: str | None
    ) -> bool:
        if body.get("is_ext_shared_channel") is True:
            return True
        if not channel or is_dm(channel):  # the bot's DM with this (internal) person
            return False
        event = body.get("event") if isinstance(body.get("event"), dict) else None
        if event is not None and event.get("channel_type") == "im":
            return False
        if event is not None and "is_ext_shared_channel" in body:  # the event said "not shared"
            return False
        return await self.external_room(client, home, channel)


TITLE = "Deal Coach"


def notice_home(line: str) -> dict[str, Any]:
    """The App Home an outsider sees: the one line, no deals and no buttons."""
    return {"type": "home", "blocks": [{"type": "section", "text": {"type": "plain_text", "text": line}}]}


def notice_modal(line: str) -> dict[str, Any]:
    """What a modal submitted by an outsider turns into: the one line and a Close button."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": TITLE},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [{"type": "section", "text": {"type": "plain_text", "text": line}}],
    }
