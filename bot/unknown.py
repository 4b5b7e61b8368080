""" "Not sure" as a value: what a reader returns (`UNKNOWN`) and how a fact stores it
(`UNKNOWN_VALUE`, JSON-friendly). A leaf module (it imports nothing of ours): playbooks test
facts with `is_unknown` without importing the readers of bot/understanding.
"""

from __future__ import annotations

from typing import Any, Final


class _Unknown:
    """The person said they don't know. Distinct from False ("no") and from None (nothing said)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:  # never mistaken for "yes"; test with `is UNKNOWN`
        return False


UNKNOWN: Final = _Unknown()
# How a form stores "not sure" (JSON-friendly; playbooks test facts with `is True` / `is False`).
UNKNOWN_VALUE: Final = "unknown"


def is_unknown(value: Any) -> bool:
    """The person said they don't know (a reader's UNKNOWN or a stored "unknown")."""
    return value is UNKNOWN or value == UNKNOWN_VALUE
