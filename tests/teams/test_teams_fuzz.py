"""Fuzz /api/messages: activities of random shape, all with a valid token, through the real
endpoint. No 5xx, no failed turn, no traceback, and none of the markers planted in their strings
in any log line. Fixed seed, so a failure replays."""

from __future__ import annotations

import base64
import json
import logging
import random
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest

from tests.teams.conftest import (
    APP_ID,
    BF_ISSUER,
    TENANT_A,
    Bot,
    Connector,
    Issuer,
    message,
    start_bot,
    stop_bot,
)

SEED = 20261130
COUNT = 1200
TYPES = [
    "message",
    "invoke",
    "conversationUpdate",
    "typing",
    "event",
    "messageReaction",
    "installationUpdate",
]
INVOKE_NAMES = [
    "adaptiveCard/action",
    "composeExtension/submitAction",
    "task/fetch",
    "signin/verifyState",
    "",
]
FIELDS = [
    "type", "id", "timestamp", "localTimestamp", "localTimezone", "serviceUrl", "channelId", "from",
    "conversation", "recipient", "textFormat", "attachmentLayout", "membersAdded", "membersRemoved",
    "topicName", "historyDisclosed", "locale", "text", "speak", "inputHint", "summary", "attachments",
    "entities", "channelData", "action", "replyToId", "label", "valueType", "value", "name", "relatesTo",
    "code", "expiration", "importance", "deliveryMode", "listenFor", "textHighlights", "semanticAction",
    "callerId", "suggestedActions",
]  # fmt: skip
ODD_TEXT = [
    "", " ", "\u202eevil", "e\u0301", "😀" * 50, "\ud800", "a\x00b", "\x1b[31m", "\t\n\r", "<at>x</at>",
    "%s %d %(x)s", "{}", "null", "DROP TABLE deals;", "\u0000", "ß" * 300, "\uffff", "a" * 256,
]  # fmt: skip


class Shapes:
    def __init__(self, rng: random.Random, connector: Any) -> None:
        self.rng = rng
        self.connector = connector
        self.n = 0

    def marker(self) -> str:
        return f"MKF{self.n:05d}Q"

    def text(self) -> str:
        r = self.rng.random()
        if r < 0.1:
            return self.marker() + "x" * self.rng.choice([1_000, 20_000, 120_000])
        if r < 0.35:
            return self.rng.choice(ODD_TEXT) + self.marker()
        words = ["deal", "new", "help", "escalate", "share", "budget", "remind", "me", "Woodgrove", "EA"]
        return " ".join(self.rng.choices(words, k=self.rng.randint(1, 6))) + " " + self.marker()

    def scalar(self) -> Any:
        return self.rng.choice([None, True, False, 0, -1, 2**63, 1.5, float("1e308"), self.text(), [], {}])

    def value(self, depth: int = 0) -> Any:
        if depth > 3 or self.rng.random() < 0.4:
            return self.scalar()
        if self.rng.random() < 0.5:
            return [self.value(depth + 1) for _ in range(self.rng.randint(0, 4))]
        keys = ["intent", "data", "verb", "action", "id", "name", "_inputs", "answers", self.marker()]
        return {self.rng.choice(keys): self.value(depth + 1) for _ in range(self.rng.randint(0, 5))}

    def nested(self) -> Any:
        node: Any = self.marker()
        for _ in range(self.rng.choice([5, 20, 31, 33, 60, 500])):
            node = {"a": node} if self.rng.random() < 0.5 else [node]
        return node

    def account(self) -> Any:
        if self.rng.random() < 0.15:
            return self.scalar()
        acc: dict[str, Any] = {"id": self.rng.choice(["29:u-1", "29:u-2", self.text()[:40], 7, None])}
        if self.rng.random() < 0.7:
            acc["name"] = self.text()[:300]
        if self.rng.random() < 0.3:
            acc["aadObjectId"] = self.rng.choice(["aad-1", self.text()[:80], 3])
        return acc

    def card_value(self, kind: str) -> Any:
        data = self.rng.choice(
            [
                {"intent": self.rng.choice(["help", "deal_new", "form.answer", "escalate", 5, None])},
                {
                    "intent": "form.answer",
                    "_inputs": self.rng.choice([["q1"], "q1", [1, None]]),
                    "q1": self.text(),
                },
                self.value(),
            ]
        )
        if kind == "execute":
            action = {"type": "Action.Execute", "verb": self.rng.choice(["help", 3, None]), "data": data}
            return self.rng.choice([{"action": action}, {"action": self.scalar()}, self.value()])
        return data

    def activity(self) -> dict[str, Any]:
        self.n += 1
        rng = self.rng
        act = message(self.connector, self.text(), conversation=f"a:fz-{rng.randint(1, 40)}")
        act["from"]["name"] = self.marker()
        act["conversation"]["name"] = self.marker()
        kind = rng.random()
        if kind < 0.15:
            act["type"] = "invoke"
            act["name"] = "adaptiveCard/action"
            act["value"] = self.card_value("execute")
        elif kind < 0.25:
            act["value"] = self.card_value("submit")
        elif kind < 0.32:
            act["type"] = "invoke"
            act["name"] = rng.choice(INVOKE_NAMES)
            act["value"] = {
                "commandId": rng.choice(["leakCheck", "other", 4]),
                "data": self.value(),
                "messagePayload": {"body": {"content": rng.choice([self.text(), 5, None])}},
            }
        elif kind < 0.4:
            act["type"] = "conversationUpdate"
            act["membersAdded"] = rng.choice([[{"id": f"28:{APP_ID}"}], [self.account()], self.scalar()])
        for _ in range(rng.choice([0, 0, 0, 1, 2])):  # missing fields
            act.pop(rng.choice(FIELDS), None)
        for _ in range(rng.choice([0, 0, 1, 2])):  # wrong types, or extra fields
            act[rng.choice([*FIELDS, self.marker()])] = self.value()
        if rng.random() < 0.1:
            act[rng.choice(["value", "channelData", "text", "entities"])] = self.nested()
        if rng.random() < 0.1:
            act["attachments"] = [
                rng.choice([{"contentType": "text/html", "content": self.text()}, self.value()])
                for _ in range(rng.randint(0, 3))
            ]
        if rng.random() < 0.08:
            act["entities"] = [rng.choice([{"type": "mention", "mentioned": self.account()}, self.value()])]
        if rng.random() < 0.05:
            act["channelData"] = {"tenant": {"id": rng.choice([TENANT_A, "9" * 36, 5])}}
        if rng.random() < 0.05:
            act["type"] = rng.choice(TYPES)
        return act


@pytest.fixture
async def bot(db_url: str, issuer: Issuer, connector: Connector) -> AsyncIterator[Bot]:
    b = await start_bot(db_url, issuer, connector)  # SQLite and PostgreSQL (column limits, NULs)
    yield b
    await stop_bot(b)


async def test_random_activities_never_5xx_never_fail_a_turn_never_log_content(bot: Bot, caplog: Any) -> None:
    caplog.set_level(logging.INFO)
    host = bot.host
    host.config.typing_after = host.config.first_reply_after = 30  # no background turns to race
    shapes = Shapes(random.Random(SEED), bot.connector)
    token = bot.issuer.token(service_url=bot.connector.url)  # signed once, reused
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    for _ in range(COUNT):
        data = json.dumps(shapes.activity()).encode()
        async with bot.session.post(bot.url, data=data, headers=headers) as r:
            await r.read()
            statuses[r.status] += 1
    await host.agent.drain()
    elapsed = time.monotonic() - started
    print(f"fuzzed {COUNT} activities in {elapsed:.1f}s: {dict(sorted(statuses.items()))}")
    assert sum(n for s, n in statuses.items() if s >= 500) == 0, statuses
    assert statuses[202] + statuses[200] > COUNT // 5, statuses  # many got through to a turn
    assert statuses[400] > COUNT // 5, statuses  # and many were refused at the edge
    ours = [r for r in caplog.records if not r.name.startswith("aiohttp.access")]
    assert not [r for r in ours if r.levelno >= logging.ERROR], [r.getMessage() for r in ours][-5:]
    assert not [r for r in ours if r.exc_info or r.exc_text or r.stack_info]
    assert "Traceback" not in caplog.text
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert "MKF" not in logged


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_random_tokens_are_401_or_accepted_never_5xx(bot: Bot) -> None:
    """Headers and claims of random shape, signed with the trusted key (so the SDK's checks past
    the signature run too), and broken encodings."""
    rng = random.Random(SEED)
    now = int(time.time())
    odd = [None, 0, -1, 2**64, 1.5, "x", "", [], {}, [APP_ID], {"a": 1}, True, "\ud800"]
    rsa = jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA256)
    act = json.dumps(message(bot.connector, "help")).encode()
    statuses: Counter[int] = Counter()
    for n in range(300):
        header: dict[str, Any] = {"alg": "RS256", "kid": bot.issuer.kid, "typ": "JWT"}
        claims: dict[str, Any] = {
            "iss": BF_ISSUER, "aud": APP_ID, "iat": now, "nbf": now, "exp": now + 600,
            "serviceurl": bot.connector.url,
        }  # fmt: skip
        for _ in range(rng.randint(1, 3)):
            target = header if rng.random() < 0.3 else claims
            key = rng.choice([*target, "crit", "tid", "appid", "azp", "ver", "x5t", "jku", "b64"])
            target[key] = rng.choice(odd)
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        token = f"{signing_input}.{_b64(rsa.sign(signing_input.encode(), bot.issuer.key))}"
        if n % 10 == 0:  # a broken encoding now and then
            token = rng.choice([token[:-5], token.replace(".", "..", 1), "a.b.c", token + "=", "é.é.é"])
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        async with bot.session.post(bot.url, data=act, headers=headers) as r:
            await r.read()
            statuses[r.status] += 1
    print(f"300 random tokens: {dict(sorted(statuses.items()))}")
    assert set(statuses) <= {202, 401}, statuses
