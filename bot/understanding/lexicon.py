"""One word for each thing people name many ways, before the intent model sees the text.

"the rep", "our account exec" and "the AE" are one person to the coach; "nudge me" and
"remind me" one request. Training examples and messages go through the same rewrite, so an
example written with "AE" also teaches "account manager". The phrases are data
(understanding.yaml `lexicon:`); this module only compiles them into one pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from bot.patterns import compiled


def compile_lexicon(lexicon: Mapping[str, Sequence[str]]) -> Callable[[str], str]:
    """A function that lower-cases text and puts each listed phrase's canonical word in its
    place. Longest phrases are tried first ("account manager" before "manager"); a phrase
    matches whole words only, with any run of spaces between its words."""
    canon: dict[str, str] = {}
    for word, phrases in lexicon.items():
        for phrase in phrases:
            canon[" ".join(phrase.casefold().split())] = word
    if not canon:
        return lambda text: text.casefold()
    alternatives = sorted(canon, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in alternatives)
    source = rf"(?<![\w'’])(?:{body})(?![\w])"
    # Text and phrases are both casefolded, so for ASCII text and phrases matching exactly is
    # matching regardless of case, about four times faster (every example is rewritten at each
    # start to key the model cache). Other text keeps `re`'s case-insensitive matching, which
    # also pairs letters casefolding leaves apart (the dotless "ı" with "i").
    exact = re.compile(source) if all(p.isascii() for p in alternatives) else None

    def replace(m: re.Match[str]) -> str:
        said = " ".join(m.group(0).split())
        return canon.get(said, said)  # a phrase matched only case-insensitively ("executıve") stays

    def rewrite(text: str) -> str:
        low = text.casefold().replace("’", "'")
        if exact is not None and low.isascii():
            return exact.sub(replace, low)
        return compiled(source, re.IGNORECASE).sub(replace, low)

    return rewrite
