"""What /api/messages refuses before any turn: forged issuers, malformed tokens, oversized or
deeply nested JSON, activities missing what a turn needs, control characters in ids. Each
refusal is a 4xx, posts nothing and writes nothing."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from sqlalchemy import func, select

from bot.db.models import Base
from tests.teams.conftest import (
    APP_ID,
    BF_ISSUER,
    TENANT_A,
    TENANT_B,
    Bot,
    Connector,
    Issuer,
    message,
    start_bot,
    stop_bot,
)

FORGED_ISSUERS = [
    "https://evil.example.com",
    f"https://sts.windows.net/{TENANT_B}/",  # another tenant's Entra issuer, v1
    f"https://login.microsoftonline.com/{TENANT_B}/v2.0",  # and v2
    "https://api.botframework.com.evil.example.com",
    "http://api.botframework.com",
    "https://api.botframework.us",  # the US Government cloud's, for a public-cloud bot
    "",
]


async def row_counts(bot: Bot) -> dict[str, int]:
    async with bot.rt.sessions() as session:
        return {
            t.name: (await session.execute(select(func.count()).select_from(t))).scalar_one()
            for t in Base.metadata.sorted_tables
        }


async def post_raw(bot: Bot, data: bytes, *, token: str | None = None) -> int:
    token = token or bot.issuer.token(service_url=bot.connector.url)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with bot.session.post(bot.url, data=data, headers=headers) as r:
        await r.read()
        return r.status


@pytest.mark.parametrize("iss", FORGED_ISSUERS)
async def test_a_token_from_a_forged_issuer_is_401_posts_and_writes_nothing(bot: Bot, iss: str) -> None:
    before = await row_counts(bot)
    token = bot.issuer.token(service_url=bot.connector.url, iss=iss)
    status, _ = await bot.post(message(bot.connector, "deal new Woodgrove EA renewal"), token=token)
    assert status == 401
    assert bot.connector.attempts == 0 and bot.connector.posts == []
    assert await row_counts(bot) == before


async def test_an_entra_token_bound_to_another_tenant_is_401(bot: Bot) -> None:
    token = bot.issuer.token(
        service_url=bot.connector.url, iss=f"https://sts.windows.net/{TENANT_A}/", tid=TENANT_B
    )
    status, _ = await bot.post(message(bot.connector, "help"), token=token)
    assert status == 401 and bot.connector.posts == []


@pytest.mark.parametrize(
    "iss",
    [
        BF_ISSUER,
        f"https://sts.windows.net/{TENANT_A}/",
        f"https://login.microsoftonline.com/{TENANT_A}/v2.0",
    ],
)
async def test_bot_framework_and_the_configured_tenants_issuers_are_accepted(bot: Bot, iss: str) -> None:
    claims: dict[str, Any] = {"iss": iss}
    if iss != BF_ISSUER:
        claims["tid"] = TENANT_A
    token = bot.issuer.token(service_url=bot.connector.url, **claims)
    status, _ = await bot.post(message(bot.connector, "help"), token=token)
    assert status == 202 and len(bot.connector.messages) == 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], payload: Any) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}.c2lnbmF0dXJl"


def _signed(header: dict[str, Any], payload: Any, key: Any) -> str:
    """Signed as RS256 whatever the header says (PyJWT refuses to write some bad headers)."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    rsa = jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA256)
    return f"{signing_input}.{_b64(rsa.sign(signing_input.encode(), key))}"


def _malformed_tokens(issuer: Issuer) -> dict[str, str]:
    now = int(time.time())
    claims = {"iss": BF_ISSUER, "aud": APP_ID, "iat": now, "nbf": now, "exp": now + 600}
    rs256 = {"alg": "RS256", "kid": issuer.kid}
    return {
        "no kid": jwt.encode(claims, issuer.key, algorithm="RS256"),
        "kid not a string": _signed({"alg": "RS256", "kid": 7}, claims, issuer.key),
        "empty kid": jwt.encode(claims, issuer.key, algorithm="RS256", headers={"kid": ""}),
        "HS256": jwt.encode(claims, "a-shared-secret-of-thirty-two-bytes!", algorithm="HS256"),
        "alg none": _unsigned({"alg": "none", "kid": issuer.kid}, claims),
        "payload a list": _unsigned({"alg": "RS256", "kid": issuer.kid}, [1, 2]),
        "iss a list": _signed(rs256, {**claims, "iss": [BF_ISSUER]}, issuer.key),
        "aud a list": _signed(rs256, {**claims, "aud": [APP_ID]}, issuer.key),
        "two parts": "eyJhbGciOiJSUzI1NiJ9.e30",
        "unknown kid": jwt.encode(claims, issuer.key, algorithm="RS256", headers={"kid": "other-key"}),
    }


async def test_malformed_tokens_are_401_before_the_sdk_and_never_500(bot: Bot) -> None:
    before = await row_counts(bot)
    for name, token in _malformed_tokens(bot.issuer).items():
        status, _ = await bot.post(message(bot.connector, "help"), token=token)
        assert status == 401, name
    assert bot.connector.attempts == 0
    assert await row_counts(bot) == before


async def test_json_nested_past_any_limit_is_400(bot: Bot) -> None:
    before = await row_counts(bot)
    act = message(bot.connector, "help")
    act["value"] = "DEEP"
    text = json.dumps(act)
    for depth in (40, 2_000, 100_000):  # past ours, and past the JSON parser's recursion limit
        data = text.replace('"DEEP"', "[" * depth + "]" * depth).encode()
        assert await post_raw(bot, data) == 400
    data = text.replace('"DEEP"', '{"a":' * 40 + "1" + "}" * 40).encode()
    assert await post_raw(bot, data) == 400
    assert bot.connector.posts == [] and await row_counts(bot) == before


async def test_an_oversized_activity_is_refused(bot: Bot) -> None:
    act = message(bot.connector, "x" * 300_000)
    assert await post_raw(bot, json.dumps(act).encode()) == 413
    assert bot.connector.posts == []


@pytest.mark.parametrize(
    "path",
    ["channelId", "from", "recipient", "serviceUrl", "type", "conversation", "from.id", "recipient.id"],
)
async def test_an_activity_missing_what_a_turn_needs_is_400(bot: Bot, path: str) -> None:
    before = await row_counts(bot)
    act = message(bot.connector, "deal new Woodgrove EA renewal")
    *parents, leaf = path.split(".")
    node = act
    for p in parents:
        node = node[p]
    del node[leaf]
    status, body = await bot.post(act)
    assert status == 400 and "error" in body
    assert bot.connector.posts == [] and await row_counts(bot) == before


@pytest.mark.parametrize(
    "field,value",
    [
        ("text", {"not": "a string"}),
        ("timestamp", "not a time"),
        ("from", "a string"),
        ("conversation", ["a list"]),
        ("attachments", {"not": "a list"}),
        ("entities", [{"no": "type"}]),
        ("membersAdded", [{"id": 5}]),
        ("historyDisclosed", "maybe"),
        ("localTimezone", "x" * 100),
        ("id", "x" * 201),
    ],
)
async def test_wrong_types_are_400(bot: Bot, field: str, value: Any) -> None:
    act = message(bot.connector, "help")
    act[field] = value
    status, _ = await bot.post(act)
    assert status == 400 and bot.connector.posts == []


CONTROL_CASES = [
    ("conversation.id", "a:personal-\x00-1"),
    ("from.id", "29:user\x00"),
    ("recipient.id", "28:bot\x01"),
    ("id", "act\x1b-1"),
    ("channelData.tenant.id", f"{TENANT_A}\x00"),
    ("text", "deal new Wood\x00grove EA renewal"),
    ("from.name", "Ann\x00Buyer"),
    ("text", "a lone surrogate \ud800 cannot be stored as UTF-8"),
]


async def test_control_characters_in_ids_and_nul_anywhere_are_400_on_each_database(
    db_url: str, issuer: Issuer, connector: Connector
) -> None:
    bot = await start_bot(db_url, issuer, connector)
    try:
        before = await row_counts(bot)
        for path, value in CONTROL_CASES:
            act = message(connector, "deal new Woodgrove EA renewal", conversation="a:ctl-1")
            *parents, leaf = path.split(".")
            node = act
            for p in parents:
                node = node[p]
            node[leaf] = value
            status, _ = await bot.post(act)
            assert status == 400, path
        assert connector.posts == [] and await row_counts(bot) == before
        # The same conversation, clean, works on this database: nothing half-written blocks it.
        clean = message(connector, "deal new Woodgrove EA renewal", conversation="a:ctl-1")
        status, _ = await bot.post(clean)
        assert status == 202 and len(connector.messages) == 1
    finally:
        await stop_bot(bot)


async def test_tabs_newlines_and_emoji_in_text_are_fine(bot: Bot) -> None:
    status, _ = await bot.post(message(bot.connector, "help\n\tplease 😀"))
    assert status == 202 and len(bot.connector.messages) == 1
