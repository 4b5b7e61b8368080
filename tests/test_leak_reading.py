"""The disclosure reading: the leak check reads each sentence for its meaning as well as its words.

The classifier (bot/understanding/disclosure.py) is trained on our own sentences
(knowledge/leak_reading.yaml); the sentences below are written for this test and are in none of
its examples, so each one is a paraphrase the rules were not written for."""

from __future__ import annotations

import pytest

from bot.features import default_knowledge
from bot.playbooks.leakcheck import check, reply
from bot.understanding import disclosure
from bot.understanding.disclosure import read, reader, spec, training_pairs
from bot.understanding.evaluate import strings_in

KB = default_knowledge()
READ = reader(KB)


def test_the_training_data_is_ours_varied_and_every_label_cites_a_rule_in_knowledge():
    s = spec(KB)
    counts = {label: len(lines) for label, lines in s.examples.items()}
    assert counts["none"] >= 300 and all(n >= 40 for n in counts.values()), counts
    for label, ls in s.labels.items():
        KB.rule(ls.rule)  # an unknown rule id raises
        assert ls.say_instead and set(ls.kinds) <= {
            "budget",
            "position",
            "urgency",
            "competitive",
            "approvals",
            "initiatives",
        }, label
    texts = [t for t, _ in training_pairs(KB)]
    assert len(texts) == len(set(texts)), "a training sentence is listed twice"


def test_the_sentences_by_other_hands_are_kept_apart_and_never_equal_a_test_corpus_line():
    import re
    from pathlib import Path

    import yaml

    more = KB.section("leak_reading_strangers.sentences").sentences
    assert set(more) == set(spec(KB).labels) | {"none"}
    assert sum(len(v) for v in more.values()) >= 900
    ours = {t for lines in spec(KB).examples.values() for t in lines}
    pairs = training_pairs(KB)
    assert {t for t, _ in pairs} >= ours | {t for lines in more.values() for t in lines}

    def norm(text: str) -> str:
        return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())

    corpus: set[str] = set()

    for path in (Path(__file__).parent / "data").rglob("*.yaml"):
        for x in strings_in(yaml.safe_load(path.read_text(encoding="utf-8"))):
            corpus.update(norm(part) for part in [*re.split(r"(?<=[.!?])\s+|\n", x), x] if part.strip())
    assert not [t for t, _ in pairs if norm(t) in corpus], "a training sentence equals a test corpus line"


@pytest.mark.parametrize(
    ("sentence", "labels", "kinds"),
    [
        (
            "The Zoom evaluation is off the table now, so we will be renewing with you no matter what.",
            {"dropped_alternative", "regardless"},
            {"competitive", "position"},
        ),
        (
            "Our CFO and CIO still disagree about Copilot, and the money lapses if nothing is signed "
            "by March.",
            {"internal", "urgency"},
            {"position", "urgency"},
        ),
    ],
)
def test_a_sentence_that_gives_away_two_things_names_both(sentence, labels, kinds):
    found = {d.label for d in read(sentence, KB).found}
    assert labels <= found, found
    assert kinds <= set(check(sentence, "ae", KB, read=READ).kinds)


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Finance has put a little over a million aside for the new agreement.", "budget"),
        ("We're going to upgrade to E5 whatever your deal desk comes back with.", "position"),
        ("Frankly we have nowhere else to take our collaboration workloads.", "position"),
        ("Our CFO thinks the add-on is a waste while the CIO really wants it.", "position"),
        ("The Webex trial went badly and our users asked to stop it.", "competitive"),
        ("If the agreement isn't signed before the year closes, that money is lost to us.", "urgency"),
        ("Our audit committee has the final word and only meets again in April.", "approvals"),
        ("After the acquisition closes we'll be putting another 3,000 people on M365.", "initiatives"),
    ],
)
def test_a_leak_in_words_no_rule_was_written_for_is_flagged_with_its_kind(message, kind):
    rules_only = {f.kind for f in check(message, "ae", KB).flags}
    with_reading = check(message, "ae", KB, read=READ)
    assert kind in with_reading.kinds, (rules_only, with_reading.kinds)
    for f in with_reading.flags:
        KB.rule(f.rule_id)  # every finding cites a rule in knowledge/
        assert f.say_instead and f.quote


@pytest.mark.parametrize(
    "message",
    [
        "Thanks for the session on Tuesday, the team found it useful.",
        "Could you send the itemised quote with unit prices per SKU?",
        "Your proposal of 2.1M a year is higher than we expected; what changed?",
        "We have about 8,000 users on E3 today across 25 sites.",
        "Our CFO will join the next call to hear your proposal.",
        "We're reviewing the proposal internally and will come back with questions.",
        "We moved from Google Workspace to Exchange a few years ago.",
        "Let's pencil in the next meeting for the second week of January.",
    ],
)
def test_harmless_sentences_stay_clean(message):
    result = check(message, "ae", KB, read=READ)
    assert result.verdict == "clean", [(f.detector, f.quote) for f in result.flags]


def test_a_finding_of_the_reading_names_the_kind_rule_and_what_to_say_instead():
    msg = (
        "Hi Jane,\n\nThanks for the call.\n\n"
        "We're going to upgrade to E5 whatever your deal desk comes back with.\n\nBest,\nTom"
    )
    r = reply(msg, "ae", KB, read=READ)
    assert r.verdict == "flagged"
    text = r.plain_text()
    assert "whatever your deal desk comes back with" in text
    assert "Say instead:" in text
    assert r.draft is not None and "whatever your deal desk" not in r.draft  # the rewrite is clean
    assert "Thanks for the call." in r.draft and "Hi Jane," in r.draft


def test_the_recipient_decides_whether_the_reading_counts():
    # An evaluation outcome told to the technical specialist is shared on purpose (disclosure.yaml
    # lets technical depth go to the TS); with the AE it is leverage given away.
    msg = "The Webex trial went badly and our users asked to stop it."
    assert "competitive" in check(msg, "ae", KB, read=READ).kinds
    for role in KB.section("disclosure.matrix").root:
        stance = disclosure_stance(role, "competitive")
        kinds = check(msg, role, KB, read=READ).kinds
        assert ("competitive" in kinds) == (stance != "share"), (role, stance, kinds)


def disclosure_stance(role: str, kind: str) -> str:
    from bot.playbooks.disclosure import stance_for

    return stance_for(KB, role, kind).stance


def test_a_rule_matched_by_coincidence_is_set_aside_when_the_sentence_reads_as_harmless():
    msg = "Once we have your final quote we'll take it through our normal internal review."
    assert check(msg, "ae", KB).flags  # the rules alone: "take it through" reads as an approval path
    assert check(msg, "ae", KB, read=READ).verdict == "clean"


def test_a_stored_figure_is_never_set_aside():
    from datetime import UTC, datetime

    from bot.timeline import FACT, Event, make_view

    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    deal = make_view(
        1, "Woodgrove", [Event(1, FACT, {"key": "budget_per_year", "value": 1_500_000}, "u1", now)]
    )
    msg = "Thanks for the call; Tom mentioned 1.5M and we'll take it through our normal review."
    assert "budget" in check(msg, "ae", KB, deal, now, read=READ).kinds


def test_questions_and_short_lines_are_left_to_the_rules():
    assert read("Thanks so much!", KB).found == ()
    assert read("Would it help if we committed to E5 regardless of price?", KB).found == ()


def test_reading_a_sentence_is_fast():
    import time

    READ("warm the words of this sentence up")
    sentence = "We're going to upgrade to E5 whatever your deal desk comes back with."
    start = time.process_time()
    for i in range(200):
        disclosure.read(sentence + f" {i}", KB)
    assert (time.process_time() - start) / 200 < 0.002  # well under 2 ms a sentence
    assert disclosure.model(KB).scores(sentence).shape == (len(disclosure.model(KB).labels),)


def test_the_rehearsal_scores_an_answer_with_the_same_reading():
    from bot.playbooks import rehearsal

    answer = "Frankly we have nowhere else to take our collaboration workloads."
    assert not check(answer, "ae", KB).flags  # no rule reads it
    move = next(iter(rehearsal.moves(KB)))
    scored = rehearsal.score(KB, answer, "ae", move, {}, read=reader(KB))
    assert scored.verdict == "gave" and "position" in scored.kinds
    assert scored.instead and "nowhere else" not in scored.instead


def test_the_llm_drafters_leak_guard_uses_the_same_reading():
    from bot.llm.setup import people_leak_check

    guard = people_leak_check(KB)
    assert guard is not None
    assert guard("Frankly we have nowhere else to take our collaboration workloads.", "ae") == [
        "gives away position"
    ]
    assert guard("Thanks for the session on Tuesday, the team found it useful.", "ae") == []


async def test_the_check_turn_reads_for_meaning(chat):
    r = await chat(
        "check AE: Hi Jane, frankly we have nowhere else to take our collaboration workloads. Thanks, Tom"
    )
    assert r.verdict == "flagged"
    assert "leakcheck.position-no-alternative" in r.rules
    assert r.draft is not None and "nowhere else" not in r.draft
    clean = await chat("check AE: Hi Jane, thanks for the session on Tuesday, the team found it useful. Tom")
    assert clean.verdict == "clean"
