"""JWT on the route: the SDK's validator with keys from the loopback OpenID metadata/JWKS."""

from __future__ import annotations

import pytest

from tests.teams.conftest import Bot, message


async def test_valid_token_accepted_and_key_fetched_from_loopback(bot: Bot) -> None:
    status, _ = await bot.post(message(bot.connector, "help"))
    assert status == 202 and len(bot.connector.messages) == 1


@pytest.mark.parametrize(
    "case", ["missing", "garbage", "expired", "wrong_audience", "not_bearer", "other_key"]
)
async def test_bad_tokens_are_401_and_no_turn_runs(bot: Bot, case: str) -> None:
    import jwt as pyjwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    token = {
        "missing": None,
        "garbage": "not.a.jwt",
        "expired": bot.issuer.token(exp_in=-3600),
        "wrong_audience": bot.issuer.token(aud="some-other-bot"),
        "not_bearer": None,
        "other_key": pyjwt.encode(
            {"iss": "https://api.botframework.com", "aud": "x", "exp": 2**31},
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            algorithm="RS256",
            headers={"kid": bot.issuer.kid},
        ),
    }[case]
    act = message(bot.connector, "deal new Woodgrove EA renewal", activity_id=f"auth-{case}")
    if case == "not_bearer":
        async with bot.session.post(bot.url, json=act, headers={"Authorization": "Basic abc"}) as r:
            status = r.status
    else:
        status, _ = await bot.post(act, token=token)
    assert status == 401
    assert bot.connector.attempts == 0
    # nothing ran: the same activity id is still fresh
    status, _ = await bot.post(act)
    assert status == 202 and len(bot.connector.messages) == 1


async def test_unconfigured_teams_answers_401(sqlite_url: str) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from adapters.runtime import Runtime, Serving
    from adapters.server import build_app
    from adapters.teams.config import TeamsConfig
    from bot.settings import Settings

    serving = Serving(teams_config=TeamsConfig.from_env({}))
    rt = await Runtime.start(Settings(COACH_DATABASE_URL=sqlite_url), migrate=False, serving=serving)
    client = TestClient(TestServer(await build_app(rt)))
    await client.start_server()
    try:
        r = await client.post("/api/messages", json={"type": "message"})
        assert r.status == 401
    finally:
        await client.close()
        await rt.close()
