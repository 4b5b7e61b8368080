"""The leak check, tested on a corpus of realistic messages: every flag expected, no false alarms."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.features import default_knowledge
from bot.playbooks.leakcheck import check, reply, rewrite, sentences
from bot.skills.leakcheck import split_request

CORPUS = yaml.safe_load(
    (Path(__file__).parent / "data" / "leakcheck_corpus.yaml").read_text(encoding="utf-8")
)
HARMLESS = CORPUS["harmless"]
LEAKY = CORPUS["leaky"]
KB = default_knowledge()


def test_the_corpus_is_big_enough_and_half_harmless():
    assert len(HARMLESS) + len(LEAKY) >= 60
    assert len(HARMLESS) >= len(LEAKY)


@pytest.mark.parametrize("case", HARMLESS, ids=lambda c: c["message"][:40])
def test_harmless_messages_are_clean(case):
    result = check(case["message"], case["role"], KB)
    assert result.verdict == "clean", [(f.detector, f.quote) for f in result.flags]


@pytest.mark.parametrize("case", LEAKY, ids=lambda c: c["message"][:40])
def test_leaky_messages_are_flagged_with_the_expected_kinds(case):
    result = check(case["message"], case["role"], KB)
    assert result.verdict == "flagged"
    # every expected kind is named; a second kind the words also give away may be named too
    assert set(case["flags"]) <= {f.kind for f in result.flags}, [(f.detector, f.quote) for f in result.flags]
    for f in result.flags:
        assert f.quote and f.quote in case["message"]


def test_each_flag_cites_the_matrix_rule_for_the_role():
    msg = "We evaluated CrowdStrike and found it technically equivalent to Defender."
    assert [f.rule for f in check(msg, "csm", KB).flags] == ["disclosure.competitive-depth"]
    ae = check(msg, "ae", KB).flags
    assert [(f.rule, f.stance) for f in ae] == [("disclosure.strategy", "strategic")]
    assert "only if you mean to use it now" in reply(msg, "ae", KB).plain_text()


def test_an_approved_amount_is_one_budget_flag_not_also_approvals():
    # "signed off" + amount matches budget and approvals; the passage is explained once.
    result = check("The CFO signed off $2m for this.", "ae", KB)
    assert [f.kind for f in result.flags] == ["budget"]


def test_rewrite_drops_flagged_sentences_and_keeps_the_rest():
    msg = "Thanks for the demo. Our budget is $800k. Can you send the quote?"
    result = check(msg, "ae", KB)
    draft = rewrite(msg, result, KB)
    assert draft.startswith("Thanks for the demo.")
    assert "$800k" not in draft
    assert draft.endswith("Can you send the quote?")


def test_amounts_with_decimals_stay_in_one_sentence():
    assert [s for _, s in sentences("We have budget of $1.2m. Thanks!")] == [
        "We have budget of $1.2m.",
        " Thanks!",
    ]


def test_a_role_whose_matrix_says_share_is_not_flagged(monkeypatch):
    matrix = KB.section("disclosure.matrix").root
    monkeypatch.setitem(matrix, "ts", {**matrix["ts"], "competitive": "share"})
    assert check("We ran a pilot of ChatGPT Enterprise last quarter.", "ts", KB).verdict == "clean"


def test_clean_reply_cites_a_rule_and_is_ephemeral():
    r = reply("See you Monday!", "ae", KB)
    assert (r.verdict, r.rules, r.ephemeral) == ("clean", ["leakcheck.clean"], True)


@pytest.mark.parametrize(
    ("text", "head", "message"),
    [
        (
            'before I send to the AE: "Our budget is fixed."',
            "before I send to the AE",
            "Our budget is fixed.",
        ),
        ("AE: see you at 10:30", "AE", "see you at 10:30"),
        ("we need this signed by 10:30 Friday", "", "we need this signed by 10:30 Friday"),
        ("is this safe for the CSM? We evaluated Okta.", "is this safe for the CSM", "We evaluated Okta."),
        ("for the AE “Our budget is fixed.”", "for the AE ", "Our budget is fixed."),
        ("message: hello", "message", "hello"),
        ("Can we meet? I have questions: three.", "", "Can we meet? I have questions: three."),
    ],
)
def test_split_request(text, head, message):
    assert split_request(text, KB) == (head, message)


def test_a_broken_detector_regex_fails_at_load(tmp_path):
    import shutil

    from bot.features import load_knowledge
    from bot.knowledge import KNOWLEDGE_DIR, KnowledgeError

    for f in KNOWLEDGE_DIR.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "leakcheck.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "'\\bour (fiscal|financial|budget) year\\b'", "'\\bour (fiscal year\\b'"
        ),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match=r"leakcheck\.yaml"):
        load_knowledge(tmp_path)
