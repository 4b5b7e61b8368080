"""The one input every surface produces: who said what, where."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Turn:
    platform: str  # "console", "slack", "teams", ...
    tenant: str  # Slack team/enterprise id, Teams tenant id, "local" for the terminal
    conversation: str  # channel / chat / "terminal"
    user: str
    text: str = ""
    # A button or card press: {"intent": "...", ...args}. Takes precedence over text.
    action: dict[str, Any] | None = None
    event_id: str | None = None  # platform event id for exactly-once handling
    user_name: str | None = None
    timezone: str | None = None  # IANA name when the platform tells us
    received_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Where to reach this conversation proactively (a Teams conversation reference): stored in
    # the turn's own transaction, so reminders find it after a restart and from any replica.
    reference: dict[str, Any] | None = None
    # Who may read the conversation (docs/security.md, "Outsiders"). `outsider`: the speaker is
    # not of the tenant's organisation (another Slack team or Slack Connect user, a guest, a
    # bot or app, a user of another Entra tenant, a Teams guest or anonymous user): the core
    # answers one line that names nothing and writes nothing. `audience_external`: people
    # outside the organisation can read this conversation: every reply is marked private.
    outsider: bool = False
    audience_external: bool = False
    # Access (docs/security.md). `is_admin`: the surface vouches the person administers this
    # workspace (Slack's users.info; the terminal's own user), so may change its settings.
    is_admin: bool = False
    # The surface vouches this conversation is a private channel with no one from outside the
    # organisation (no guests, not shared with another organisation): deals shared with the
    # channel are visible to whoever speaks in it. False wherever the surface can't tell.
    private_channel: bool = False
    # People the message mentions whom the surface could not vouch for, by the name shown,
    # with why: "outside" (a guest, another organisation's or an anonymous account: they can
    # never be members of a deal), "unknown" (the platform could not say who they are just
    # now), "not-a-person" (a tag, a channel, a team, a bot). The surface leaves their names as
    # plain text; a share or unshare that mentions any of them changes nothing and says why.
    # Mentions the surface did resolve arrive in `text` as `<@USER_ID>`, like Slack's.
    mentions_refused: dict[str, str] = field(default_factory=dict)
