"""A loopback OpenAI-compatible server: /v1/chat/completions (and Azure's deployment path),
JSON or streamed SSE, recording every request. Replies come from a script or a function:
text, an HTTP status, a structured-output answer (`answer_json`) or a refusal."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    raw: str
    body: dict[str, Any]

    @property
    def user(self) -> str:
        return next(m["content"] for m in self.body["messages"] if m["role"] == "user")

    @property
    def system(self) -> str:
        return next(m["content"] for m in self.body["messages"] if m["role"] == "system")

    @property
    def response_format(self) -> dict[str, Any] | None:
        return self.body.get("response_format")

    @property
    def schema(self) -> dict[str, Any]:
        """The JSON schema of a structured-output request."""
        fmt = self.response_format
        assert fmt and fmt.get("type") == "json_schema", "not a structured-output request"
        return fmt["json_schema"]["schema"]


@dataclass(frozen=True)
class Refusal:
    """The model declines: `message.refusal` set, no content (structured outputs)."""

    text: str = "I can't help with that."


Responder = Callable[[dict[str, Any]], str]

# Model families that answer `max_tokens` (and a temperature) with HTTP 400, as OpenAI's
# reasoning models do: they take `max_completion_tokens` and their own fixed temperature.
REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")


def refused_parameter(body: dict[str, Any]) -> str | None:
    if not str(body.get("model", "")).startswith(REASONING_PREFIXES):
        return None
    if "max_tokens" in body:
        return "Unsupported parameter: 'max_tokens' is not supported with this model."
    if body.get("temperature") not in (None, 1):
        return "Unsupported value: 'temperature' does not support this value with this model."
    return None


@dataclass
class FakeLLM:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    script: list[str | int | Refusal] = field(default_factory=list)  # in order; an int is an HTTP status
    responder: Responder | None = None
    delay: float = 0.0  # seconds before answering
    delays: list[float] = field(default_factory=list)  # per request, overrides delay
    default: str = "Thanks for the proposal. We'd like to meet next week to go through it."

    def answer_json(self, value: Any) -> None:
        """Queue a structured-output answer: the content is `value` as JSON text."""
        self.script.append(json.dumps(value))

    def reply_for(self, body: dict[str, Any]) -> str | int | Refusal:
        if self.script:
            return self.script.pop(0)
        if self.responder is not None:
            return self.responder(body)
        return self.default

    @property
    def raw(self) -> str:
        return "\n".join(r.raw for r in self.requests)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.text()
        body = json.loads(raw)
        self.requests.append(
            Recorded(request.method, request.path, dict(request.query), dict(request.headers), raw, body)
        )
        n = len(self.requests) - 1
        wait = self.delays[n] if n < len(self.delays) else self.delay
        if wait:
            await asyncio.sleep(wait)
        answer = self.reply_for(body)
        if isinstance(answer, int):
            return web.json_response({"error": {"message": "boom", "type": "server_error"}}, status=answer)
        model = body.get("model", "m")
        problem = refused_parameter(body)
        if problem:  # as the real API answers a reasoning model sent chat-model parameters
            return web.json_response(
                {
                    "error": {
                        "message": problem,
                        "type": "invalid_request_error",
                        "code": "unsupported_parameter",
                    }
                },
                status=400,
            )
        if isinstance(answer, Refusal):
            message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": answer.text}
            answer = ""
        else:
            message = {"role": "assistant", "content": answer}
        if not body.get("stream"):
            return web.json_response(
                {
                    "id": f"chatcmpl-{n}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": message,
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
                }
            )
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        words = answer.split(" ")
        for i, word in enumerate(words):
            piece = word if i == len(words) - 1 else word + " "
            chunk = {
                "id": f"chatcmpl-{n}",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
            }
            await resp.write(f"data: {json.dumps(chunk)}\n\n".encode())
        done = {
            "id": f"chatcmpl-{n}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
        await resp.write(f"data: {json.dumps(done)}\n\n".encode())
        if (body.get("stream_options") or {}).get("include_usage"):
            # Usage comes only when asked for, in one last chunk with no choices.
            usage = {"prompt_tokens": 100, "completion_tokens": len(words), "total_tokens": 100 + len(words)}
            last = {**done, "choices": [], "usage": usage}
            await resp.write(f"data: {json.dumps(last)}\n\n".encode())
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self.handle)
        app.router.add_post("/openai/deployments/{deployment}/chat/completions", self.handle)
        return app
