"""Random Slack request bodies for the fuzz test: every shape /slack/events can be sent (slash
commands, events, block_actions, view_submission, shortcuts), then truncated, garbled, padded,
deepened or retyped. Every string carries the body's marker, so a log line that quotes any part
of a request is found."""

from __future__ import annotations

import json
import random
from typing import Any
from urllib.parse import urlencode

MARK = "qzMARK"
DEEP = "\x01deep\x01"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
KINDS = ("command", "event", "block_actions", "view_submission", "shortcut", "message_action")
ODD = ["", " ", "\x00", "}{", "]", "%", "&=", "é", "日本", "🙂", "\u202e", "\ud800"[:0], "a" * 3000, "\\"]


class Bodies:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.n = 0
        self.clean = False  # this body: every field of the right kind (its strings still odd)

    # --- values -------------------------------------------------------------------------------
    def mark(self) -> str:
        return f"{MARK}{self.n:05d}"

    def text(self) -> str:
        parts = [self.mark(), *self.r.sample(ODD, self.r.randint(0, 3))]
        self.r.shuffle(parts)
        return "".join(parts)

    def junk(self, depth: int = 0) -> Any:
        """A value of any JSON type, strings marked."""
        pick = self.r.random()
        if depth > 3 or pick < 0.35:
            return self.text()
        if pick < 0.45:
            return self.r.choice([0, -1, 2**63, 1.5, True, False, None])
        if pick < 0.7:
            return [self.junk(depth + 1) for _ in range(self.r.randint(0, 3))]
        return {self.text(): self.junk(depth + 1) for _ in range(self.r.randint(0, 3))}

    def field(self, good: Any) -> Any:
        """Usually the right kind of value (marked), sometimes missing-ish or of the wrong type."""
        roll = self.r.random()
        if self.clean or roll < 0.8:
            return good
        if roll < 0.87:
            return None
        return self.junk()

    def ident(self, prefix: str) -> str:
        return f"{prefix}{self.mark()}"

    def team(self) -> str:
        """Mostly the installation's own workspace (the loopback Slack's T1); otherwise another
        organisation's, whose people the coach refuses at the listener (adapters/slack/outsiders.py)."""
        return "T1" if self.r.random() < 0.7 else self.ident("T")

    def ref(self, prefix: str) -> Any:
        return self.field(self.r.choice([self.ident(prefix), {"id": self.ident(prefix)}]))

    # --- shapes ---------------------------------------------------------------------------------
    def command(self) -> dict[str, Any]:
        fields = {
            "token": self.text(),
            "team_id": self.team(),
            "channel_id": self.ident("C"),
            "user_id": self.ident("U"),
            "user_name": self.text(),
            "command": self.r.choice(["/coach", "/coach", f"/x}}{self.mark()}", ""]),
            "text": self.r.choice(["help", "new deal", "log favor", "deal list", self.text()]),
            "trigger_id": self.ident("trig."),
            "response_url": self.r.choice(["", f"http://127.0.0.1:9/{self.mark()}"]),
        }
        for key in list(fields):
            if not self.clean and self.r.random() < 0.1:
                del fields[key]
        return fields

    def event(self) -> dict[str, Any]:
        kind = self.r.choice(["message", "app_mention", "app_home_opened", "tokens_revoked", "x"])
        inner: dict[str, Any] = {
            "type": self.field(kind if kind != "x" else f"z}}{self.mark()}"),
            "user": self.field(self.ident("U")),
            "channel": self.field(self.ident("D")),
            "channel_type": self.field(self.r.choice(["im", "channel"])),
            "text": self.field(self.text()),
            "ts": self.field("1.1"),
            "thread_ts": self.field(self.r.choice([None, "1.0"])),
            "tab": self.field("home"),
        }
        if kind == "tokens_revoked":
            inner["tokens"] = self.field({"oauth": [self.ident("U")], "bot": []})
        body: dict[str, Any] = {
            "token": self.text(),
            "team_id": self.field(self.ident("T")),
            "api_app_id": self.field("A1"),
            "type": self.field(self.r.choice(["event_callback", "event_callback", "url_verification"])),
            "event_id": self.field(self.ident("Ev")),
            "event": self.field(inner),
            "challenge": self.text(),
        }
        if self.r.random() < 0.3:
            body["authorizations"] = self.field([{"team_id": self.ident("T"), "is_bot": True}])
        if self.r.random() < 0.2:
            body["enterprise_id"] = self.field(self.ident("E"))
        return body

    def interaction(self, kind: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.field(kind),
            "team": self.field(self.r.choice([self.team(), {"id": self.team()}])),
            "user": self.field({"id": self.ident("U"), "team_id": self.team()}),
            "channel": self.ref("C"),
            "trigger_id": self.ident("trig."),
            "response_url": self.field(f"http://127.0.0.1:9/{self.mark()}"),
        }
        if kind == "block_actions":
            action = {
                "action_id": self.field(
                    self.r.choice(["coach.x", f"coach.{self.mark()}", f"a}}{self.mark()}"])
                ),
                "block_id": self.field(self.text()),
                "value": self.field(self.r.choice([json.dumps({"intent": self.text()}), self.text()])),
                "text": self.field({"type": "plain_text", "text": self.text()}),
            }
            body["actions"] = self.field([action])
            body["container"] = self.field(
                {"channel_id": self.ident("C"), "message_ts": "1.1", "is_ephemeral": self.field(False)}
            )
            body["message"] = self.field({"ts": "1.1", "text": self.text(), "blocks": self.field([])})
        elif kind == "view_submission":
            modal = self.r.choice(["favor", "commitment", "meeting", "new_deal", self.mark()])
            values = {
                self.r.choice(["who", "what", "role", "on", "at", "name", self.mark()]): {
                    "a": self.field({"type": "x", "value": self.field(self.text())})
                }
                for _ in range(self.r.randint(0, 4))
            }
            body["view"] = self.field(
                {
                    "id": self.field(self.ident("V")),
                    "type": self.field("modal"),
                    "hash": self.field(self.text()),
                    "callback_id": self.field(f"coach.modal.{modal}"),
                    "private_metadata": self.field(json.dumps({"channel": self.ident("C")})),
                    "state": self.field({"values": self.field(values)}),
                }
            )
        else:  # shortcut, message_action
            body["callback_id"] = self.field(self.r.choice(["check_before_sending", f"s}}{self.mark()}"]))
            body["message"] = self.field({"text": self.field(self.text()), "ts": "1.1"})
        return body

    # --- encoding and damage -------------------------------------------------------------------
    def deepen(self, body: dict[str, Any]) -> dict[str, Any]:
        """Puts a placeholder in some field; `encode` swaps it for JSON nested 20 to 50,000 deep
        (too deep for json.dumps to write)."""
        body[self.r.choice(list(body) or ["x"])] = DEEP
        return body

    def deep_json(self) -> str:
        depth = self.r.choice([20, 40, 200, 3000, 50_000])
        opener, closer = self.r.choice([("[", "]"), ('{"k":', "}")])
        return opener * depth + json.dumps(self.mark()) + closer * depth

    def encode(self, kind: str, body: dict[str, Any]) -> tuple[bytes, str]:
        ascii_only = self.r.random() < 0.5
        if kind == "command":
            flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
            flat = {k: self.deep_json() if v == DEEP else v for k, v in flat.items()}
            return urlencode(flat).encode(), FORM
        text = json.dumps(body, ensure_ascii=ascii_only).replace(json.dumps(DEEP), self.deep_json())
        as_json = text.encode("utf-8", "surrogatepass")
        if kind == "event":
            return as_json, JSON
        return urlencode({"payload": as_json}).encode(), FORM

    def damage(self, raw: bytes) -> bytes:
        roll = self.r.random()
        if roll < 0.25 and raw:
            return raw[: self.r.randrange(len(raw))]  # truncated
        if roll < 0.45 and raw:
            data = bytearray(raw)
            for _ in range(self.r.randint(1, 8)):
                data[self.r.randrange(len(data))] = self.r.randrange(256)  # garbled, maybe not UTF-8
            return bytes(data)
        if roll < 0.5:
            return raw + b"\x00" * self.r.randint(1, 5) + self.mark().encode()
        if roll < 0.53:
            return raw + b"&pad=" + self.mark().encode() * (560 * 1024 // 11)  # over 512 KB
        if roll < 0.56:
            return bytes(self.r.randrange(256) for _ in range(self.r.randint(1, 300))) + self.mark().encode()
        return raw

    def next(self) -> tuple[bytes, str, str]:
        """(body, content type, kind)"""
        self.n += 1
        self.clean = self.r.random() < 0.3
        kind = self.r.choice(KINDS)
        body = (
            self.command()
            if kind == "command"
            else self.event()
            if kind == "event"
            else self.interaction(kind)
        )
        if not self.clean and self.r.random() < 0.08:
            body = self.deepen(body)
        raw, content_type = self.encode(kind, body)
        if not self.clean and self.r.random() < 0.4:
            raw = self.damage(raw)
        if not self.clean and self.r.random() < 0.05:
            content_type = self.r.choice([JSON, FORM, "text/plain", ""])
        return raw, content_type, kind
