"""The contract of understanding: what a message or a button asks for. A leaf module: it imports
nothing of ours, so the readers (bot/understanding/), the Coach and the skills share it without
an import loop, even one only a type checker sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Intent:
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    text: str = ""  # the user's text, cleaned (original case kept)
