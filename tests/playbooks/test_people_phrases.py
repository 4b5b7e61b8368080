"""find_phrase: which of a list of phrases a message names (one scan for the whole list)."""

from bot.playbooks.people import find_phrase


def test_the_longest_phrase_wins_wherever_it_stands():
    text = "Could the TS and the account technology strategist join?"
    assert find_phrase(text, ["ts", "account technology strategist"]) == (21, "account technology strategist")


def test_only_whole_words_count():
    assert find_phrase("our costs are fine", ["cost"]) is None
    assert find_phrase("a well-known pre-budget figure", ["budget"]) is None
    assert find_phrase("the budget, roughly", ["budget"]) == (4, "budget")


def test_case_is_ignored_and_the_phrase_comes_back_as_listed():
    assert find_phrase("Tell the CSM", ["csm", "CSM"]) == (9, "csm")


def test_of_equally_long_phrases_the_first_listed_wins_at_its_first_occurrence():
    text = "target and budget, then budget again"
    assert find_phrase(text, ["budget", "target"]) == (11, "budget")
    assert find_phrase(text, ["target", "budget"]) == (0, "target")


def test_a_shorter_phrase_inside_a_longer_match_does_not_hide_it():
    # "deal desk" starts where "deal" does; the longer one is reported.
    assert find_phrase("ask the deal desk", ["deal", "deal desk"]) == (8, "deal desk")


def test_nothing_to_look_for():
    assert find_phrase("anything", []) is None
    assert find_phrase("anything", [""]) is None
