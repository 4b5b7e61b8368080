"""Characters that must not reach a terminal or a stored name: C0/C1 controls (ESC starts
terminal escape sequences, NUL ends C strings) and the bidirectional formatting characters
that can make a name read differently from what it is (the "Trojan Source" trick)."""

from __future__ import annotations

import re

# LRM, RLM, ALM, the embeddings/overrides LRE..RLO and PDF, the isolates LRI..PDI.
BIDI_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}]")
UNSAFE_IN_JSON = re.compile(f"[\\x7f-\\x9f{BIDI_CONTROLS}]")  # json.dumps escapes C0 itself
_UNSAFE_NAME = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}]")


def unsafe_in_name(text: str) -> str | None:
    """What is wrong with `text` as a name, or None: names are one line of printable text."""
    found = _UNSAFE_NAME.search(text)
    if found is None:
        return None
    ch = found.group()
    if ch in BIDI_CONTROLS:
        return f"a bidirectional control character (U+{ord(ch):04X})"
    return f"a control character (U+{ord(ch):04X})"


def printable(text: str) -> str:
    """`text` for a terminal: controls and bidi formatting removed; newlines and tabs kept."""
    return _UNSAFE.sub("", text)
