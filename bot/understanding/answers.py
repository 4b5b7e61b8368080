"""Yes, no and "not sure": how a reply answers a question, and how a form stores "not sure".

Pure and deterministic (part of bot/understanding's value readers; values.py re-exports them).
"""

from __future__ import annotations

import re

from bot.unknown import UNKNOWN, UNKNOWN_VALUE, _Unknown, is_unknown

__all__ = ["UNKNOWN", "UNKNOWN_VALUE", "is_unknown", "only_unsure", "read_yesno"]

# --- not sure -------------------------------------------------------------------------------


_UNSURE = re.compile(
    r"\b(not (sure|certain|clear)|unsure|uncertain|no idea|no clue|dunno|don'?t know|do not know|"
    r"doesn'?t know|can'?t (say|tell)|hard to (say|tell)|unclear|unknown|tbd|tbc|to be (confirmed|decided)|"
    r"not known|maybe|perhaps|possibly|idk|who knows|no clue)\b",
    re.IGNORECASE,
)
_NO = re.compile(
    r"\b(no|nope|nah|not yet|not really|n|false|none|never|negative|haven'?t|hasn'?t|have not|has not|"
    r"don'?t|do not|doesn'?t|does not|isn'?t|is not|aren'?t|are not|not)\b",
    re.IGNORECASE,
)
_YES = re.compile(
    r"\b(yes|yep|yeah|yup|y|sure|agreed|aligned|done|true|correct|affirmative|we have|we do|they have|"
    r"they do|it is|absolutely|definitely|of course|indeed|set|in place)\b",
    re.IGNORECASE,
)


def read_yesno(text: str) -> bool | _Unknown | None:
    """True, False, UNKNOWN ("not sure", "no idea", "don't know yet"), or None (no answer)."""
    if _UNSURE.search(text):
        return UNKNOWN
    if _NO.search(text):
        return False
    if _YES.search(text):
        return True
    return None


# Words that may stand around "not sure" in a reply that says nothing else.
_UNSURE_FILLER = re.compile(
    r"\b(i'?m|i am|i|we'?re|we are|we|really|honestly|tbh|to be honest|sorry|hmm+|um+|uh+|erm|well|"
    r"yet|right now|at the moment|atm|either|about that|on that|still|just|so|ok|okay)\b|[^\w\s]",
    re.IGNORECASE,
)


def only_unsure(text: str) -> bool:
    """The whole message is "I don't know" ("not sure", "hmm, no idea tbh"): an answer, not a
    request, so with no question open it means nothing to act on (never "cancel")."""
    if not _UNSURE.search(text):
        return False
    rest = _UNSURE_FILLER.sub(" ", _UNSURE.sub(" ", text))
    return not rest.strip()
