"""Team alignment read from words: the reader lives in the leaf `bot/alignment.py` (playbooks read
the stored fact through it without importing understanding); re-exported here for the readers."""

from bot.alignment import (
    OTHER_TEAMS,
    SAME_AS_BEFORE,
    TEAM_LABELS,
    TEAMS,
    alignment_text,
    merge_alignment,
    parse_alignment,
)

__all__ = [
    "OTHER_TEAMS",
    "SAME_AS_BEFORE",
    "TEAMS",
    "TEAM_LABELS",
    "alignment_text",
    "merge_alignment",
    "parse_alignment",
]
