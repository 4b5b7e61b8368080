"""The lexicon: one word for what people name many ways, before the intent model reads text."""

from __future__ import annotations

from bot.features import default_knowledge
from bot.understand import understand
from bot.understanding.intents import canonical
from bot.understanding.lexicon import compile_lexicon

KB = default_knowledge()


def test_phrases_become_their_canonical_word_whole_words_only_longest_first():
    rewrite = compile_lexicon({"ae": ["rep", "account manager"], "manager": ["mgr"]})
    assert rewrite("Our Account  Manager is the rep") == "our ae is the ae"
    assert rewrite("reply to the mgr") == "reply to the manager"  # "rep" inside "reply" stays
    assert rewrite("the repository") == "the repository"


def test_text_beyond_ascii_is_rewritten_alike_and_a_dotless_i_breaks_nothing():
    rewrite = compile_lexicon({"ae": ["rep", "account executive"], "ask": ["ping"]})
    assert rewrite("Our Rep quoted €900k, ping them") == "our ae quoted €900k, ask them"
    assert rewrite("the Account Executive’s offer") == "the ae's offer"
    # "ı" matches "i" only case-insensitively, so it is no listed phrase: the words stay as typed
    assert rewrite("our account executıve, ping") == "our account executıve, ask"


def test_an_empty_lexicon_only_lower_cases():
    assert compile_lexicon({})("Hello AE") == "hello ae"


def test_the_shipped_lexicon_names_the_rep_microsoft_and_a_nudge_one_way():
    rewrite = canonical(KB)
    assert rewrite("our account exec at MSFT") == rewrite("our AE at Microsoft")
    assert rewrite("nudge me tmrw") == rewrite("ping me tomorrow")
    assert rewrite("thx") == rewrite("cheers")


def test_other_names_for_the_rep_are_understood_like_the_ae():
    for who in ("the AE", "our account manager", "the sales rep"):
        intent = understand(f"should we go over {who}'s head?", KB)
        assert intent is not None and intent.name == "escalation.check", who
