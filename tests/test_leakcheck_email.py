"""The leak check reads the whole e-mail: protected deal facts in any form, the recipient from the
greeting (or asked once), whose words are whose in a quoted reply, and a rewrite that shows what
changed and is checked again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.features import default_knowledge
from bot.playbooks.leakcheck import check, email_parts, literal_gates, reply
from bot.timeline import FACT, Event, make_view

KB = default_knowledge()
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def deal(**facts):
    events = [Event(i + 1, FACT, {"key": k, "value": v}, "u1", NOW) for i, (k, v) in enumerate(facts.items())]
    return make_view(1, "Woodgrove", events)


BUDGET = deal(budget_per_year=1_500_000, walk_threshold_per_year=1_800_000, term_years=3)


# --- protected facts in any form -------------------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("Tom mentioned 1.5M on the call.", "leakcheck.protected-budget"),
        ("Tom mentioned 1,5 Mio € on the call.", "leakcheck.protected-budget"),
        ("Tom mentioned $1,500,000 on the call.", "leakcheck.protected-budget"),
        ("Tom mentioned 1.46M on the call.", "leakcheck.protected-budget"),  # within 3 %
        ("Tom mentioned 125k a month on the call.", "leakcheck.protected-budget"),  # per month
        ("Tom mentioned 4.5M over the three years on the call.", "leakcheck.protected-budget"),  # the term
        ("Tom mentioned 1.8 million dollars on the call.", "leakcheck.protected-walkaway"),
        ("Tom mentioned 1.7M on the call.", None),  # neither, and no words around it
    ],
)
def test_a_protected_figure_is_found_in_any_form(sentence, rule):
    rules = [f.rule_id for f in check(sentence, "ae", KB, BUDGET, NOW).flags]
    if rule is None:
        assert not any(r.startswith("leakcheck.protected") for r in rules), rules
    else:
        assert rule in rules


def test_their_own_figure_repeated_is_no_leak():
    msg = "Your quote of $1.5M a year is above what we paid last time; what drives it?"
    assert check(msg, "ae", KB, BUDGET, NOW).flags == []


def test_a_protected_signing_date_is_found():
    d = deal(signature_date="2027-06-15")
    flags = check("Could we keep 15 June 2027 free for a call?", "ae", KB, d, NOW).flags
    assert [f.rule_id for f in flags] == ["leakcheck.protected-date"]


# --- the whole e-mail ---------------------------------------------------------------------------
EMAIL = """Hi Jane,

Thanks for the call. A few points:
- Please split out the Copilot line.
- Finance has signed off 1.5M a year, so please work back from that.

Best regards,
Tom
Head of IT Procurement

On Mon, 30 Nov 2026, Jane Doyle wrote:
> We need your signature by 31 December and I can approve 12% at my level.
"""


def test_greeting_signature_and_quoted_reply_are_not_our_words():
    segments, name = email_parts(EMAIL, KB)
    assert name == "Jane"
    ours = "".join(s.text for s in segments if s.checked)
    assert "Finance has signed off" in ours and "Hi Jane" not in ours
    assert "Tom" not in ours and "31 December" not in ours
    result = check(EMAIL, "ae", KB, BUDGET, NOW)
    assert result.kinds == ["budget"]  # Jane's deadline and approval limit are hers


def test_our_own_earlier_mail_quoted_below_is_checked():
    forwarded = (
        "Hi both,\n\nLooping in the deal desk.\n\nRegards,\nOwen\n\n"
        "> From: Owen Clarke\n> Sent: 12 November 2026\n>\n"
        "> Jane, our approved budget is £900,000 per annum.\n"
    )
    assert check(forwarded, "deal_desk", KB).kinds == ["budget"]


def test_a_colleagues_note_to_us_forwarded_on_is_checked():
    forwarded = (
        "Hi Jane,\nSee Priya's note below, we need a few more days.\nThanks, Owen\n\n"
        "-----Original Message-----\nFrom: Priya Shah\nTo: Owen Clarke\nSubject: renewal\n\n"
        "Owen, procurement and IT still disagree on whether we need the Security add-on at all.\n"
    )
    segments, _ = email_parts(forwarded, KB)
    assert any("still disagree" in seg.text for seg in segments if seg.checked)
    assert check(forwarded, "ae", KB).kinds != []


def test_our_own_mail_quoted_under_the_signature_is_checked():
    quoted = (
        "Dear Mr. Novak,\n\nthank you for the offer. Some questions on the Copilot lines below.\n\n"
        "> On 02.12.2026 Lena Brandt wrote:\n> We have 800.000 € per year approved by the board,\n"
        "> so at that level we can sign.\n\nWhy is the Copilot price above list?\n\n"
        "Kind regards\nLena Brandt\n"
    )
    assert "budget" in check(quoted, "ae", KB).kinds


def test_their_mail_to_us_quoted_below_stays_theirs():
    theirs = (
        "Hi Jane,\nThanks, we will come back to you next week.\nThanks, Owen\n\n"
        "-----Original Message-----\nFrom: Jane Doe\nTo: Owen Clarke\n\n"
        "Owen, we need your signature by 31 December or the 12% discount lapses.\n"
    )
    assert check(theirs, "ae", KB).kinds == []


def test_the_rewrite_keeps_the_email_and_shows_what_changed():
    r = reply(EMAIL, "ae", KB, BUDGET, NOW)
    assert r.verdict == "flagged"
    assert r.draft is not None
    assert r.draft.startswith("Hi Jane,") and "- Please split out the Copilot line." in r.draft
    assert "1.5M" not in r.draft and "Best regards,\nTom" in r.draft
    changed = next(s for s in r.sections if s.title == "What changed")
    assert "Finance has signed off 1.5M a year" in changed.items[0].text
    assert "leakcheck.rewrite-checked" in r.rules
    assert check(r.draft, "ae", KB, BUDGET, NOW).flags == []  # checked again: it gives nothing away


def test_each_finding_names_kind_words_rule_and_what_to_say_instead():
    r = reply("We'll renew regardless of the price.", "ae", KB)
    finding = r.sections[0].items[0]
    assert finding.rule == "leakcheck.position-regardless"
    assert "renew regardless" in finding.text and "Say instead:" in finding.text
    assert "disclosure.position" in r.rules  # the disclosure playbook's verdict for the AE


def test_a_pattern_is_tried_only_when_the_sentence_holds_a_word_it_needs():
    assert literal_gates(r"\bour (bottom line|floor)\b") == (frozenset({"bottom", "floor"}),)
    assert literal_gates(r"(foo|bar)?\bbaz") == ()  # an optional group gates nothing


def test_a_pattern_is_tried_only_where_a_match_can_start_and_finds_what_a_full_search_finds():
    from pathlib import Path

    import yaml

    from bot.playbooks.leakcheck import _lower, _mask, _prefixes, _rx, _search, sentences, start_literals

    assert start_literals(r"\bour (bottom line|floor)\b") == frozenset({("our ", "our")})
    assert start_literals(r"(?:we'd|i) lose") == frozenset({("we'd", None), ("i", None)})
    assert start_literals(r"\b(we|I)\b") == frozenset({("we", "we"), ("i", None)})
    optional_article = frozenset({("the ", "the"), ("max", "max"), ("cap", "cap")})
    assert start_literals(r"\b(the )?(max|cap)\b") == optional_article
    assert start_literals(r"(?<!¤)¤+ a year") == frozenset({("¤", None)})
    assert start_literals(r"(foo){0,2}bar") is None  # a start it cannot tell: the full search
    assert start_literals(r"[a-z]+ly") is None
    # every regex of the rules, on every sentence of our drafts (and in capitals): the same match
    data = Path(__file__).parent / "data"
    texts = []
    for name in ("leakcheck_drafts.yaml", "leakcheck_clean_hard.yaml", "leakcheck_holdout2.yaml"):
        texts += [d["message"] for d in yaml.safe_load((data / name).read_text(encoding="utf-8"))["drafts"]]
    masked = [_mask(s, KB)[0] for t in texts for _, s in sentences(t)]
    masked += [m.upper() for m in masked[:100]] + ["Straße İstanbul ſo we'll ¤¤¤ lose it"]
    regexes = [
        (p, st)
        for c in _rx(KB).plans
        for p_st in (c.requires, c.unless, [(p, st) for _, p, st in c.patterns])
        for p, st in p_st
    ]
    assert sum(st is not None for _, st in regexes) > 0.8 * len(regexes)
    for m in masked:
        low, words = _lower(m), _prefixes(m)
        for p, st in regexes:
            a, b = p.search(m), _search(p, st, m, low, words)
            assert (a and a.span()) == (b and b.span()), (p.pattern[:80], m)


# --- the recipient ---------------------------------------------------------------------------
async def test_the_greeting_names_a_known_contact_and_so_the_role(chat, deal):
    await chat("Priya Shah is our CSM")
    r = await chat("check this: Hi Priya, we have budget left this year for Copilot.")
    assert r.verdict == "flagged"
    assert r.footer is not None and "customer success" in r.footer.casefold()
    assert not any(a.payload.get("role") for a in r.actions)  # nothing to ask


async def test_an_unknown_recipient_is_asked_once(chat):
    r = await chat("check this: Our board meets on 14 January to approve the renewal.")
    assert r.verdict == "flagged" and "leakcheck.ask-recipient" in r.rules
    roles = [a.payload["role"] for a in r.actions if a.payload.get("intent") == "leakcheck"]
    assert "csm" in roles and "ae" not in roles  # checked as the AE; the others are offered
    again = await chat(action=next(a.payload for a in r.actions if a.payload.get("role") == "csm"))
    assert again.footer is not None and "customer success" in again.footer.casefold()
    assert "leakcheck.ask-recipient" not in again.rules and not again.actions  # asked once


def test_a_sentence_after_the_sign_off_is_still_ours():
    msg = "Hi Jane,\n\nThanks for this.\n\nThanks,\nOur budget is approved up to $2.4M, so there is room."
    assert check(msg, "ae", KB).kinds == ["budget"]
    signature = (
        "Hi Jane,\n\nThanks.\n\nKind regards,\nDr Elena Marchetti\nChief Procurement Officer\n+49 89 1234"
    )
    assert check(signature, "ae", KB).flags == []
