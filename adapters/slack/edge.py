"""What /slack/events checks before Bolt sees a request: the whole body (however many TCP
segments it came in), Slack's signature over its bytes, UTF-8, and a parsed envelope Bolt can
work with (the fields its context extraction and matchers read). Anything else is answered here
with a 4xx and one log line that names the reason, never the content. The shape each listener
needs, per kind of request, is checked next, inside Bolt before authorization
(adapters/slack/payloads.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

MAX_BODY = 512 * 1024  # Slack's own payloads stay far below this
READ_TIMEOUT = 10.0  # seconds for the whole body to arrive
MAX_AGE = 300  # Slack's replay window for X-Slack-Request-Timestamp
MAX_DEPTH = 32  # Slack nests a view's state about eight levels deep


@dataclass(frozen=True, slots=True)
class Refusal:
    status: int
    reason: str  # logged; never request content

    def response(self) -> web.Response:
        text = {401: "invalid request", 408: "too slow", 413: "too large"}.get(self.status, "bad request")
        return web.Response(status=self.status, text=text)


async def read_body(request: web.Request, limit: int = MAX_BODY) -> bytes | Refusal:
    """The whole body, up to `limit` bytes. `content.read(n)` alone returns what has arrived so
    far, so a body split over TCP segments is read chunk by chunk until the end of the stream."""
    declared = request.content_length
    if declared is not None and declared > limit:
        return Refusal(413, "body larger than the limit")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(READ_TIMEOUT):
            async for chunk in request.content.iter_chunked(64 * 1024):
                size += len(chunk)
                if size > limit:
                    return Refusal(413, "body larger than the limit")
                chunks.append(chunk)
    except TimeoutError:
        return Refusal(408, "body did not arrive in time")
    return b"".join(chunks)


def signed(secret: str, headers: Any, body: bytes, now: float | None = None) -> bool:
    """Slack's v0 signature: HMAC-SHA256 over `v0:{timestamp}:{body bytes}`, within 5 minutes.
    Computed over the bytes as received, so a body that is not UTF-8 still verifies (and is then
    refused for its encoding, not its signature)."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not secret or not timestamp.isascii() or not timestamp.isdigit() or not signature.startswith("v0="):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def parse(text: str, content_type: str | None) -> dict[str, Any] | Refusal:
    """The body as Bolt will read it (slack_bolt.request.internals.parse_body: JSON when the
    type says so or it starts with `{`, else a form whose `payload` field is JSON), checked."""
    try:
        if not text:
            body: Any = {}
        elif content_type == "application/json" or text.startswith("{"):
            body = json.loads(text)
        elif "payload" in text:
            payload = dict(parse_qsl(text, keep_blank_values=True)).get("payload")
            body = {} if payload is None else json.loads(payload)
        else:
            body = dict(parse_qsl(text, keep_blank_values=True))
    except RecursionError:
        return Refusal(400, "body nested too deeply")
    except ValueError:
        return Refusal(400, "body is not valid JSON or form data")
    if not isinstance(body, dict):
        return Refusal(400, "body is not an object")
    if _depth(body) > MAX_DEPTH:
        return Refusal(400, "body nested too deeply")
    problem = _shape_problem(body)
    return Refusal(400, problem) if problem else body


def bolt_text(text: str, content_type: str | None) -> str:
    """The body text to hand Bolt. Bolt takes any form containing the letters "payload" for an
    interaction and reads it as empty when it has no `payload` field, so `/coach what is in
    the payload?` would go unanswered. Percent-encoding the letter p there keeps every value
    the same for a form parser and keeps Bolt on the right path (we verified the signature
    over the original bytes; Bolt does not check it again)."""
    is_form = not (content_type == "application/json" or text.startswith("{"))
    has_field = text.startswith("payload=") or "&payload=" in text
    if is_form and "payload" in text and not has_field:
        return text.replace("payload", "%70ayload")
    return text


def _depth(value: Any) -> int:
    """Nesting depth, without recursion (a deep body must not exhaust the stack here either)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


# --- shape ------------------------------------------------------------------------------------
# The fields Bolt's context extraction, matchers and our listeners read, with the types Slack
# sends. A wrong type there would raise inside Bolt (a 500) or inside a listener.
OPT_STR = (str, type(None))
REF = (str, dict, type(None))  # "team": "T1" or {"id": "T1", ...}
ID_FIELDS = ("id", "team_id", "enterprise_id", "user_id", "channel_id", "app_installed_team_id")
SCALARS = (
    "type",
    "token",
    "api_app_id",
    "event_id",
    "trigger_id",
    "response_url",
    "command",
    "text",
    "callback_id",
    "challenge",
    "thread_ts",
    "ts",
    "channel_type",
    "subtype",
    "bot_id",
    "tab",
    "user_team",
    "private_metadata",
    "hash",
    "action_id",
    "block_id",
    "value",
)
REFS = ("team", "enterprise", "user", "channel")
OBJECTS = ("event", "view", "message", "container", "item", "previous_message", "assistant_thread", "state")
LISTS = ("actions", "authorizations", "response_urls", "blocks")


def _fields_problem(obj: dict[str, Any], where: str) -> str | None:
    for key in ID_FIELDS + SCALARS:
        if key in obj and not isinstance(obj[key], OPT_STR):
            if key == "text" and where == "actions.*." and isinstance(obj[key], dict):
                continue  # a button's label: {"type": "plain_text", "text": "…"}
            return f"{where}{key} has the wrong type"
    for key in REFS:
        if key in obj and not isinstance(obj[key], REF):
            return f"{where}{key} has the wrong type"
        ref = obj.get(key)
        if isinstance(ref, dict):
            for sub in ID_FIELDS:
                if sub in ref and not isinstance(ref[sub], OPT_STR):
                    return f"{where}{key}.{sub} has the wrong type"
    for key in OBJECTS:  # never null either: Bolt reads `body.get("event", {}).get(…)`
        if key in obj and not isinstance(obj[key], dict):
            return f"{where}{key} has the wrong type"
    for key in LISTS:
        if key in obj and not isinstance(obj[key], list):
            return f"{where}{key} has the wrong type"
    return None


def _shape_problem(body: dict[str, Any]) -> str | None:
    problem = _fields_problem(body, "")
    if problem:
        return problem
    for key in OBJECTS:
        if isinstance(body.get(key), dict):
            problem = _fields_problem(body[key], f"{key}.")
            if problem:
                return problem
    for key in ("actions", "authorizations", "response_urls"):
        for item in body.get(key) or []:
            if not isinstance(item, dict):
                return f"{key} holds a non-object"
            problem = _fields_problem(item, f"{key}.*.")
            if problem:
                return problem
    event = body.get("event")
    if isinstance(event, dict):
        for key in ("message", "previous_message", "item", "assistant_thread"):
            if isinstance(event.get(key), dict):
                problem = _fields_problem(event[key], f"event.{key}.")
                if problem:
                    return problem
        tokens = event.get("tokens")
        if "tokens" in event and not (
            isinstance(tokens, dict)
            and all(isinstance(tokens.get(k) or [], list) for k in ("oauth", "bot"))
            and all(isinstance(u, str) for k in ("oauth", "bot") for u in tokens.get(k) or [])
        ):
            return "event.tokens has the wrong shape"
    view = body.get("view")
    if isinstance(view, dict) and isinstance(view.get("state"), dict):
        values = view["state"].get("values")
        if values is not None and not (
            isinstance(values, dict)
            and all(
                isinstance(block, dict) and all(isinstance(v, dict) for v in block.values())
                for block in values.values()
            )
        ):
            return "view.state.values has the wrong shape"
    return _required_problem(body)


def _required_problem(body: dict[str, Any]) -> str | None:
    """Per kind of request, what must be there for it to be handled at all."""
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "event without a type"
        if event["type"] in ("message", "app_mention") and not isinstance(event.get("channel"), str):
            return "message event without a channel"
        if event["type"] in ("message", "app_mention") and not isinstance(event.get("user"), OPT_STR):
            return "message event with a user that is not an id"
        if event["type"] == "app_home_opened" and not isinstance(event.get("user"), str):
            return "app_home_opened without a user"
    elif kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("type"), str):
            return "view without a type"
        if not isinstance(view.get("callback_id"), str):
            return "view without a callback_id"
    elif kind == "block_actions":
        actions = body.get("actions")
        if not actions or not isinstance(actions[0].get("action_id"), str):
            return "block_actions without an action_id"
    elif kind in ("shortcut", "message_action"):
        if not isinstance(body.get("callback_id"), str):
            return "shortcut without a callback_id"
    if kind in ("view_submission", "view_closed", "block_actions", "shortcut", "message_action"):
        user = body.get("user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            return "interaction without a user"
        if any(not isinstance(body.get(k), dict | None) for k in ("team", "enterprise", "channel")):
            return "interaction with a team, enterprise or channel that is not an object"
    handled = kind in ("event_callback", "view_submission", "block_actions", "shortcut", "message_action")
    if (handled or "command" in body) and not _has_team(body):
        return "request without a team"  # deals belong to a workspace or Grid org
    if "command" in body and not body.get("command"):
        return "command without a name"
    # The fields each listener reads, per kind, are checked by adapters/slack/payloads.py (a
    # slash command missing its channel gets a short line there, not a 400 Slack shows as an error).
    return None


def _has_team(body: dict[str, Any]) -> bool:
    """Whether a workspace or Grid org can be found where Bolt and `app.tenant_of` look."""
    places = [body, *(body.get("authorizations") or [])[:1]]
    for obj in places:
        for key in ("team", "enterprise"):
            ref = obj.get(key)
            if (isinstance(ref, str) and ref) or (isinstance(ref, dict) and isinstance(ref.get("id"), str)):
                return True
        if any(isinstance(obj.get(k), str) and obj[k] for k in ("team_id", "enterprise_id")):
            return True
    return False
