"""What /api/messages refuses before the Agents SDK sees a request.

The SDK answers some malformed input with a 500 (a token header without `kid`, JSON nested past
the parser's recursion limit), accepts activities our turns cannot run (no `from`, `recipient` or
`channelId`), and logs the rejected input of a schema-invalid activity at ERROR. These checks run
first, on the raw token and the raw JSON, so bad input gets a 4xx, writes nothing, and no part of
it reaches a log.
"""

from __future__ import annotations

import base64
import json
import re
from functools import cache
from typing import Annotated, Any

MAX_BODY = 256 * 1024  # bytes; Teams caps a message near 28 KB and an invoke well below this
MAX_DEPTH = 32  # real activities nest under 10 levels (cards' action data included)
MAX_ID = 255  # the database keeps ids in String(255) columns
MAX_ACTIVITY_ID = 200  # claimed as "conversationUpdate:<id>" in a String(255) column
MAX_TIMEZONE = 64
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")  # NUL, and lone surrogates (not encodable as UTF-8)

# Identifier fields: no control characters (PostgreSQL refuses NUL; none belongs in an id).
ID_PATHS = (
    ("id",),
    ("channelId",),
    ("serviceUrl",),
    ("replyToId",),
    ("conversation", "id"),
    ("conversation", "tenantId"),
    ("from", "id"),
    ("from", "aadObjectId"),
    ("recipient", "id"),
    ("recipient", "aadObjectId"),
    ("channelData", "tenant", "id"),
)
STRING_CLAIMS = ("serviceurl", "appid", "azp", "ver", "tid")
REQUIRED = ("type", "channelId", "serviceUrl", ("conversation", "id"), ("from", "id"), ("recipient", "id"))


class Refused(Exception):
    """Bad input: `status` and a short reason for the caller (never echoes the input)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


# --- the token ----------------------------------------------------------------------------
def check_token(authorization: str | None) -> None:
    """A bearer token the SDK's validator can process without raising anything but its own
    rejections: a JWT whose header names an RS256 key by `kid` and whose claims are an object
    with string `iss` and `aud`. Signature, audience, issuer and expiry stay the SDK's checks.
    (Read by hand: a quarter of the cost of PyJWT's unverified decode, on every request.)"""
    if authorization is None:
        return  # the SDK answers a missing header with 401 itself
    parts = authorization.split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise Refused(401, "a bearer token is required")
    segments = parts[1].split(".")
    if len(segments) != 3:
        raise Refused(401, "malformed token")
    try:
        header, claims = (json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in segments[:2])
    except (ValueError, TypeError, RecursionError):  # binascii.Error and JSON errors are ValueErrors
        raise Refused(401, "malformed token") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise Refused(401, "malformed token")
    kid = header.get("kid")
    if header.get("alg") != "RS256" or not isinstance(kid, str) or not kid:
        raise Refused(401, "malformed token")
    if not isinstance(claims.get("iss"), str) or not isinstance(claims.get("aud"), str):
        raise Refused(401, "malformed token")
    # Claims the SDK reads as strings after its checks (a non-string serviceurl was a 500).
    if any(k in claims and not isinstance(claims[k], str) for k in STRING_CLAIMS):
        raise Refused(401, "malformed token")


# --- the body -----------------------------------------------------------------------------
def parse_body(raw: bytes) -> dict[str, Any]:
    """The activity as a dict, or Refused(413/400). Size and depth are checked before anything
    recursive (the parser, pydantic, our own code) touches it."""
    if len(raw) > MAX_BODY:
        raise Refused(413, "activity too large")
    try:
        body = json.loads(raw)
    except RecursionError:
        raise Refused(400, "JSON nested too deeply") from None
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "invalid JSON") from None
    if not isinstance(body, dict):
        raise Refused(400, "an activity must be a JSON object")
    _walk(body)
    return body


def _walk(body: dict[str, Any]) -> None:
    """Depth limit; no NUL (PostgreSQL text and jsonb cannot hold one) and no lone surrogate
    (JSON's \\ud800 escape parses to one; UTF-8 cannot encode it) anywhere."""
    stack: list[tuple[Any, int]] = [(body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Refused(400, "JSON nested too deeply")
        if isinstance(node, dict):
            for key, value in node.items():
                if UNSTORABLE.search(key):
                    raise Refused(400, "unstorable character in the activity")
                stack.append((value, depth + 1))
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)
        elif isinstance(node, str) and UNSTORABLE.search(node):
            raise Refused(400, "unstorable character in the activity")


def _at(body: dict[str, Any], path: str | tuple[str, ...]) -> Any:
    node: Any = body
    for key in (path,) if isinstance(path, str) else path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def check_fields(body: dict[str, Any]) -> None:
    """The fields a turn needs, identifiers clean and short enough to store, and every field the
    SDK's Activity model declares of the type it declares (checked by a copy of that model
    without the SDK's logging validator, so a bad shape is refused here, not logged there)."""
    for path in REQUIRED:
        value = _at(body, path)
        if not isinstance(value, str) or not value.strip():
            name = path if isinstance(path, str) else ".".join(path)
            raise Refused(400, f"the activity needs {name}")
    for path in ID_PATHS:
        value = _at(body, path)
        if value is None:
            continue
        limit = MAX_ACTIVITY_ID if path == ("id",) else MAX_ID
        if not isinstance(value, str) or CONTROL.search(value) or len(value) > limit:
            raise Refused(400, f"invalid {'.'.join(path)}")
    zone = body.get("localTimezone")
    if zone is not None and (not isinstance(zone, str) or len(zone) > MAX_TIMEZONE or CONTROL.search(zone)):
        raise Refused(400, "invalid localTimezone")
    from pydantic import ValidationError

    try:
        _shape().model_validate(body)
        for entity in body.get("entities") or ():
            known = _entity_models().get(entity["type"].casefold())
            if known is not None:  # as the SDK will read it: a mention's `mentioned` an account…
                canonical, model = known
                model.model_validate({**entity, "type": canonical})
    except (ValidationError, ValueError, TypeError):
        raise Refused(400, "not a valid activity") from None


@cache
def _entity_models() -> dict[str, tuple[str, Any]]:
    """The entity types the SDK reads into models of their own (its public entity classes)."""
    from microsoft_agents import activity as sdk

    pairs = {
        sdk.EntityTypes.ACTIVITY_TREATMENT: sdk.ActivityTreatment,
        sdk.EntityTypes.AI_CITATION: sdk.AIEntity,
        sdk.EntityTypes.GEO_COORDINATES: sdk.GeoCoordinates,
        sdk.EntityTypes.MENTION: sdk.Mention,
        sdk.EntityTypes.PLACE: sdk.Place,
        sdk.EntityTypes.PRODUCT_INFO: sdk.ProductInfo,
        sdk.EntityTypes.STREAM_INFO: sdk.StreamInfo,
        sdk.EntityTypes.THING: sdk.Thing,
    }
    return {kind.value.casefold(): (kind.value, model) for kind, model in pairs.items()}


@cache
def _shape() -> Any:
    """The SDK's Activity fields (pydantic's public model_fields) in a model of our own: same
    types and constraints, none of Activity's validators (the one that logs its input)."""
    from microsoft_agents.activity import Activity
    from pydantic import BaseModel, ConfigDict, Field, create_model
    from pydantic.alias_generators import to_camel

    class Entity(BaseModel):  # the SDK turns known entity types into its own models later
        model_config = ConfigDict(extra="allow")
        type: str

    fields: dict[str, Any] = {}
    for name, info in Activity.model_fields.items():
        annotation = info.annotation
        if name == "entities":
            annotation = list[Entity] | None
        elif info.metadata:
            annotation = Annotated[(annotation, *info.metadata)]
        default = ... if info.is_required() else info.default
        fields[name] = (annotation, Field(default, alias=info.alias))
    config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, extra="allow"
    )
    return create_model("InboundActivity", __config__=config, **fields)
