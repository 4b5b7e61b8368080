"""Pure tests of the people playbooks: disclosure matrix, favor jar, commitments, dates, meeting prep."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.features import default_knowledge
from bot.playbooks import commitments
from bot.playbooks import favors as fv
from bot.playbooks.disclosure import advise, find_kinds, kinds, stance_for
from bot.playbooks.meeting_prep import checklist, find_topic
from bot.playbooks.people import find_role, name_and_role
from bot.playbooks.when import parse_day, parse_time, parse_when
from bot.timeline import Contact, Event, make_view

KB = default_knowledge()
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday


# --- roles and the disclosure matrix ------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "key"),
    [
        ("account manager", "ae"),
        ("the AE", "ae"),
        ("sales rep", "ae"),
        ("customer success manager", "csm"),
        ("solution architect", "ts"),
        ("technical specialist", "ts"),
        ("regional director", "avp"),
        ("area VP", "avp"),
        ("LSP", "partner"),
        ("reseller", "partner"),
        ("deal desk", "deal_desk"),
        ("account technology strategist", "ats"),
    ],
)
def test_roles_are_found_by_their_aliases(words, key):
    role = find_role(f"a meeting with the {words} tomorrow", KB)
    assert role is not None and role.key == key


def test_architecture_is_not_the_architect_role():
    assert find_role("the architecture session", KB) is None


def test_every_role_has_a_matrix_row_covering_every_kind():
    matrix = KB.section("disclosure.matrix").root
    assert set(matrix) == set(KB.roles)
    for row in matrix.values():
        assert set(row) == set(kinds(KB))


def test_every_cited_rule_exists():
    for spec in kinds(KB).values():
        for rule in spec.rules.values():
            KB.rule(rule)
    for role in KB.roles.values():
        if getattr(role, "caution_rule", None):
            KB.rule(role.caution_rule)


@pytest.mark.parametrize(
    ("role", "kind", "stance", "rule"),
    [
        ("csm", "budget", "protect", "disclosure.budget"),
        ("ae", "budget", "protect", "disclosure.budget"),
        ("ae", "urgency", "protect", "disclosure.urgency"),
        ("avp", "approvals", "protect", "disclosure.approval-constraints"),
        ("ts", "competitive", "protect", "disclosure.competitive-depth"),
        ("ae", "competitive", "strategic", "disclosure.strategy"),
        ("avp", "initiatives", "strategic", "disclosure.initiatives-structure"),
        ("csm", "initiatives", "protect", "disclosure.initiatives"),
        ("ts", "technical", "share", "disclosure.safe"),
        ("csm", "org", "share", "disclosure.safe"),
        ("partner", "position", "protect", "disclosure.position"),
    ],
)
def test_matrix_cells(role, kind, stance, rule):
    a = stance_for(KB, role, kind)
    assert (a.stance, a.rule) == (stance, rule)
    assert a.why  # every role says what it is rewarded for


def test_a_role_without_a_matrix_row_gets_each_kinds_default(monkeypatch):
    monkeypatch.delitem(KB.section("disclosure.matrix").root, "deal_desk")
    assert stance_for(KB, "deal_desk", "competitive").stance == "protect"  # the kind's default
    assert stance_for(KB, "deal_desk", "technical").stance == "share"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("our budget", ["budget"]),
        ("the board date", ["urgency"]),
        ("our CrowdStrike results", ["competitive"]),
        ("our deployment plans", ["technical"]),
        ("how many users we have", ["org"]),
        ("our planned Azure investment", ["initiatives"]),
        ("who signs off", ["approvals"]),
        ("our walk-away", ["position"]),
        ("the weather", []),
    ],
)
def test_kinds_are_found_in_questions(text, expected):
    assert find_kinds(text, KB) == expected


def test_strictest_stance_wins_when_asking_about_two_kinds():
    r = advise(KB, "ae", ["technical", "budget"])
    assert r.verdict == "protect"
    assert r.rules[:2] == ["disclosure.safe", "disclosure.budget"]


def test_partner_answer_adds_the_margin_caution_and_says_what_instead():
    r = advise(KB, "partner", ["budget"])
    assert "disclosure.partner-margin" in r.rules
    assert "evaluating on value" in r.plain_text()


def test_share_answer_has_no_say_instead():
    r = advise(KB, "ts", ["technical"])
    assert r.verdict == "share" and "Say instead" not in r.plain_text()


def test_missing_role_answers_for_every_role():
    r = advise(KB, None, ["competitive"])
    assert "Which role" in r.headline
    assert {"disclosure.strategy", "disclosure.competitive-depth"} <= set(r.rules)


def test_missing_kind_shows_the_roles_row():
    r = advise(KB, "csm", [])
    assert r.verdict == "row"
    titles = [s.title for s in r.sections]
    assert titles == ["Fine to share", "Keep to yourselves"]


def test_nothing_understood_lists_the_kinds():
    r = advise(KB, None, [])
    assert r.rules == ["disclosure.unknown"]
    assert "budget and approvals" in r.plain_text()


# --- the favor jar --------------------------------------------------------------------------

CFG = fv.config(KB)
_ids = iter(range(1, 10_000))


def favor(
    direction: str, days_ago: float, *, name: str = "Jane", size: str = "medium", aligned: bool = False
) -> Event:
    return Event(
        next(_ids),
        "favor",
        {"contact": name, "direction": direction, "what": "x", "size": size, "aligned": aligned},
        "u1",
        NOW - timedelta(days=days_ago),
    )


def test_a_new_contact_starts_at_the_configured_level():
    assert fv.jar([], "Jane", NOW, CFG).balance == CFG.start


def test_an_ask_draws_its_size():
    assert (
        fv.jar([favor("asked", 1, size="small")], "Jane", NOW, CFG).balance == CFG.start - CFG.costs["small"]
    )


def test_repeated_recent_asks_cost_more():
    events = [favor("asked", 10, size="small"), favor("asked", 5, size="small")]
    second = CFG.costs["small"] + CFG.costs["small"] * CFG.repeat_step_percent // 100
    assert fv.jar(events, "Jane", NOW, CFG).balance == CFG.start - CFG.costs["small"] - second


def test_an_ask_just_outside_the_repeat_window_costs_the_base_price():
    days = CFG.repeat_days
    events = [favor("asked", days + 2, size="small"), favor("asked", 1, size="small")]
    assert fv.jar(events, "Jane", NOW, CFG).balance == CFG.start - 2 * CFG.costs["small"]


def test_the_balance_never_goes_below_zero_or_above_the_jar():
    drained = [favor("asked", d, size="large") for d in (5, 4, 3)]
    assert fv.jar(drained, "Jane", NOW, CFG).balance == 0
    filled = [favor("given", d, size="large") for d in (5, 4, 3, 2, 1)]
    assert fv.jar(filled, "Jane", NOW, CFG).balance == CFG.size


def test_only_the_window_counts():
    edge = CFG.window_days
    assert fv.jar([favor("asked", edge)], "Jane", NOW, CFG).balance == CFG.start - CFG.costs["medium"]
    assert fv.jar([favor("asked", edge + 0.01)], "Jane", NOW, CFG).balance == CFG.start


def test_a_kpi_aligned_ask_is_not_a_favor():
    state = fv.jar([favor("asked", 1, aligned=True)], "Jane", NOW, CFG)
    assert state.balance == CFG.start and state.requests == 1 and state.asks == 0


def test_giving_refills_and_other_people_do_not_count():
    events = [favor("asked", 3), favor("given", 2, size="small"), favor("asked", 1, name="Ana")]
    assert fv.jar(events, "Jane", NOW, CFG).balance == CFG.start - CFG.costs["medium"] + CFG.refills["small"]


def _deal(events=(), contacts=()):
    return make_view(1, "Woodgrove", events, contacts)


JANE = Contact(1, "Jane Doe", "ae")
ANA = Contact(2, "Ana", "csm")


def test_should_ask_when_the_jar_has_room():
    d = fv.should_ask(_deal(contacts=[JANE]), "Jane", "a price hold", KB, NOW)
    assert d.verdict == "ask" and d.rules[0][0] == "favors.jar-ok"


def test_should_ask_exactly_at_the_edge_of_the_jar():
    # start 30, one small ask 25 days ago leaves 20; a medium ask now costs 25 + 50% = 37 -> no.
    d = fv.should_ask(_deal([favor("asked", 25, size="small")], [JANE]), "Jane", "a price hold", KB, NOW)
    assert d.verdict == "unlikely"
    assert [r for r, _ in d.rules] == ["favors.jar-low", "favors.repeat-asks", "favors.give-first"]
    # Balance equal to the cost is still a yes: 30 - 25 + 20 = 25 left, and a medium ask costs 25.
    exact = [favor("asked", 80), favor("given", 70)]
    assert fv.jar(exact, "Jane", NOW, CFG).balance == 25
    assert fv.should_ask(_deal(exact, [JANE]), "Jane", "a price hold", KB, NOW).verdict == "ask"


def test_aligned_request_is_always_ask():
    drained = [favor("asked", d, name="Ana", size="large") for d in (3, 2, 1)]
    d = fv.should_ask(_deal(drained, [ANA]), "Ana", "an adoption workshop", KB, NOW)
    assert d.verdict == "ask" and d.rules[0][0] == "favors.kpi-aligned"


def test_contact_own_kpis_override_the_role_defaults():
    ana = Contact(2, "Ana", "csm", kpis=("renewal bookings",))
    d = fv.should_ask(_deal([], [ana]), "Ana", "an adoption workshop", KB, NOW)
    # her own goals are not adoption, so it is a favour from her, not her job (adoption help is
    # the CSM role's own, so no other role is named for it: the jar decides)
    assert "favors.kpi-aligned" not in [r for r, _ in d.rules]
    assert d.rules[0][0] == "favors.jar-ok" and d.verdict == "ask"
    sam = Contact(3, "Sam", "csm")  # a CSM measured as CSMs are is the one to ask
    d = fv.should_ask(_deal([], [ana, sam]), "Ana", "an adoption workshop", KB, NOW)
    assert d.verdict == "find_aligned_contact" and [c.name for c in d.aligned_with] == ["Sam"]


def test_a_favour_someone_else_is_paid_for_keeps_a_full_jar_for_later():
    """Licences not showing up are the account team's job (orders delivered): asking the
    specialist spends her goodwill on something she isn't rewarded for, however full her jar."""
    chloe = Contact(3, "Chloe", "ts")
    d = fv.should_ask(_deal([], [chloe]), "Chloe", "chase the licences not showing in our tenant", KB, NOW)
    assert d.verdict == "find_aligned_contact"
    assert [r for r, _ in d.rules] == ["favors.save-the-favour", "favors.find-aligned-role"]
    assert "account executive" in str(d.rules[1][1]["roles"])


def test_low_jar_points_to_an_aligned_contact():
    drained = [favor("asked", d, size="large") for d in (3, 2)]
    d = fv.should_ask(_deal(drained, [JANE, ANA]), "Jane", "a training workshop", KB, NOW)
    assert d.verdict == "find_aligned_contact" and [c.name for c in d.aligned_with] == ["Ana"]


def test_unknown_person_is_unlikely_without_anyone_aligned():
    d = fv.should_ask(_deal(contacts=[JANE]), "Zed", "a discount", KB, NOW)
    assert d.verdict == "unlikely" and d.rules[0][0] == "favors.no-relationship"


def test_who_is_aligned_with_missing_licences():
    topic = fv.topic_of("licences missing from our tenant", KB)
    assert topic is not None and topic.key == "fulfilment"
    assert {"ae", "ats", "partner"} <= set(fv.aligned_roles(topic, KB))
    assert fv.aligned_roles(fv.topic_of("a bigger discount", KB), KB) == []


@pytest.mark.parametrize(
    ("text", "direction", "who"),
    [
        (
            "asked Ana (CSM) to expedite the Purview workshop",
            "asked",
            "Ana (CSM) to expedite the Purview workshop",
        ),
        ("gave Jane a reference call", "given", "Jane a reference call"),
        ("received early access from Tom (TS)", "received", "Tom (TS)"),
        ("Tom (TS) got us early access", "received", "Tom (TS)"),
    ],
)
def test_parse_favor(text, direction, who):
    parsed = fv.parse_favor(text)
    assert parsed is not None and (parsed.direction, parsed.who) == (direction, who)


def test_name_and_role():
    name, role, rest = name_and_role("Ana (CSM) to expedite it", KB)
    assert (name, role.key if role else None, rest) == ("Ana", "csm", "to expedite it")


@pytest.mark.parametrize(
    ("text", "size"), [("a quick intro", "small"), ("a big discount", "large"), ("a price hold", "medium")]
)
def test_sizes(text, size):
    assert fv.size_of(text, KB) == size


# --- commitments ------------------------------------------------------------------------------


def test_status_moves_forward_only():
    assert commitments.transition("verbal", "requested_in_writing") == "requested_in_writing"
    assert commitments.transition("requested_in_writing", "in_contract") == "in_contract"
    assert commitments.transition("verbal", "in_contract") == "in_contract"
    for current, new in [("in_contract", "verbal"), ("requested_in_writing", "verbal"), ("verbal", "verbal")]:
        with pytest.raises(commitments.TransitionError):
            commitments.transition(current, new)
    with pytest.raises(commitments.TransitionError):
        commitments.transition("verbal", "maybe")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("requested in writing", "requested_in_writing"),
        ("emailed", "requested_in_writing"),
        ("in contract", "in_contract"),
        ("in the contract", "in_contract"),
        ("banana", None),
    ],
)
def test_parse_status(text, status):
    assert commitments.parse_status(text, KB) == status


def _commit(cid: int, contact: str = "Jane", days_ago: int = 5) -> Event:
    return Event(
        cid,
        "commitment",
        {"contact": contact, "role": "ae", "what": "15% on Copilot", "status": "verbal"},
        "u1",
        NOW - timedelta(days=days_ago),
    )


def _status(eid: int, cid: int, status: str) -> Event:
    return Event(eid, "commitment_update", {"commitment_id": cid, "status": status}, "u1", NOW)


def test_register_folds_status_events_and_ignores_backward_ones():
    deal = _deal([_commit(1), _status(2, 1, "in_contract"), _status(3, 1, "verbal")])
    (c,) = commitments.register(deal)
    assert c.status == "in_contract" and not c.outstanding


def _fact(eid: int, key: str, value: str) -> Event:
    return Event(eid, "fact", {"key": key, "value": value}, "u1", NOW - timedelta(days=10))


def test_signature_warning_window_edges():
    warn = commitments.settings(KB).warn_days_before_signing
    at_edge = (NOW.date() + timedelta(days=warn)).isoformat()
    past_edge = (NOW.date() + timedelta(days=warn + 1)).isoformat()
    w = commitments.signature_warning(_deal([_commit(1), _fact(2, "signature_date", at_edge)]), KB, NOW)
    assert w is not None and w.values["days"] == warn and w.values["count"] == 1
    assert (
        commitments.signature_warning(_deal([_commit(1), _fact(2, "signature_date", past_edge)]), KB, NOW)
        is None
    )


def test_signature_warning_falls_back_to_the_renewal_date_and_needs_a_date():
    soon = (NOW.date() + timedelta(days=3)).isoformat()
    assert (
        commitments.signature_warning(_deal([_commit(1), _fact(2, "renewal_date", soon)]), KB, NOW)
        is not None
    )
    assert commitments.signature_warning(_deal([_commit(1)]), KB, NOW) is None


def test_no_warning_when_everything_is_in_the_contract():
    soon = (NOW.date() + timedelta(days=3)).isoformat()
    deal = _deal([_commit(1), _status(2, 1, "in_contract"), _fact(3, "signature_date", soon)])
    assert commitments.signature_warning(deal, KB, NOW) is None


def test_commitments_at_risk_after_a_change_are_the_old_contacts_open_ones():
    deal = _deal(
        [_commit(1, "Jane Doe"), _commit(2, "Ana"), _commit(3, "Jane Doe"), _status(4, 3, "in_contract")]
    )
    assert [c.id for c in commitments.at_risk_after_change(deal, ["Jane Doe"])] == [1]


def test_confirm_action_payload():
    (c,) = commitments.register(_deal([_commit(7)]))
    payload = commitments.confirm_action(c)
    assert payload["intent"] == "draft.confirm" and payload["commitment_id"] == 7
    assert payload["promised_on"] == (NOW - timedelta(days=5)).date().isoformat()


# --- dates ---------------------------------------------------------------------------------------

TODAY = NOW.date()  # Monday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", TODAY),
        ("tomorrow", TODAY + timedelta(days=1)),
        ("on Monday", TODAY + timedelta(days=7)),
        ("this Monday", TODAY),
        ("Wednesday", TODAY + timedelta(days=2)),
        ("next friday", TODAY + timedelta(days=4)),
        ("Thursday's pricing meeting", TODAY + timedelta(days=3)),
        ("on 2026-12-03", date(2026, 12, 3)),
        ("on 3 Dec", date(2026, 12, 3)),
        ("December 3rd", date(2026, 12, 3)),
        ("on 5 January", date(2027, 1, 5)),
        ("31 February", None),
        ("sometime soon", None),
    ],
)
def test_parse_day(text, expected):
    got = parse_day(text, TODAY)
    assert (got[0] if got else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at 3pm", time(15)),
        ("10:30 am", time(10, 30)),
        ("14:45", time(14, 45)),
        ("noon", time(12)),
        ("12am", time(0)),
        ("at 13pm", None),
        ("no time", None),
    ],
)
def test_parse_time(text, expected):
    assert parse_time(text) == expected


def test_parse_when_in_the_users_zone():
    w = parse_when("tomorrow at 9am", NOW, "America/New_York")
    assert w is not None and w.has_time
    assert w.at == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def test_parse_when_time_only_rolls_to_tomorrow_once_passed():
    assert parse_when("at 8am", NOW).at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert parse_when("at 10am", NOW).at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_parse_when_defaults_and_unknown_zone():
    w = parse_when("on Friday", NOW, "Not/AZone", default_hour=9)
    assert w is not None and not w.has_time and w.at == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert parse_when("whenever", NOW) is None


# --- meeting prep --------------------------------------------------------------------------------


def test_architecture_session_with_the_ts():
    cl = checklist(KB, "ts", find_topic("the architecture session", KB))
    assert cl.rules[0] == "account-team.set-agenda"
    assert {
        "disclosure.safe",
        "disclosure.competitive-depth",
        "meetings.verify-advice",
        "meetings.ask-roadmap",
        "meetings.attendees-aligned",
    } <= set(cl.rules)
    assert cl.rules[-1] == "commitments.in-writing"
    assert all(i.done is False for s in cl.sections for i in s.items)


def test_pricing_meeting_with_the_ae_guards_budget_urgency_and_position():
    cl = checklist(KB, "ae", find_topic("Thursday's pricing meeting", KB))
    assert {
        "disclosure.budget",
        "disclosure.urgency",
        "disclosure.position",
        "meetings.counter-proposal",
    } <= set(cl.rules)


def test_csm_meeting_keeps_commercial_talk_out_and_unknown_topic_is_general():
    topic = find_topic("a chat", KB)
    assert topic.key == "general"
    assert "meetings.no-commercial" in checklist(KB, "csm", topic).rules


def test_every_rule_a_topic_or_role_cites_exists():
    cfg = KB.section("meetings.meeting_prep")
    for t in cfg.topics:
        for rule in t.ask:
            KB.rule(rule)
        for k in t.guard:
            assert k in kinds(KB)
    for role, rules in cfg.role_rules.items():
        assert role in KB.roles
        for rule in rules:
            KB.rule(rule)


def test_the_pre_meeting_reminder_uses_the_prep_checklist():
    from bot.reminders.prompts import checklist as reminder_checklist

    items = reminder_checklist(None, KB, "ts", "architecture session")
    rules = [i.rule for i in items]
    assert rules[0] == "account-team.set-agenda" and "disclosure.competitive-depth" in rules
    assert [i.rule for i in reminder_checklist(None, KB, "ts", "architecture")] == rules
    default = [i.rule for i in reminder_checklist(None, KB, None, "architecture")]  # no role
    assert default and "account-team.set-agenda" not in default
    not_prep = reminder_checklist(None, KB, "ae", "pricing call")  # not a prep topic
    assert "account-team.set-agenda" not in [i.rule for i in not_prep]


def test_register_reads_the_after_meeting_capture_payload():
    captured = Event(
        9, "commitment", {"text": "a price hold until June", "by": "ae", "in_writing": False}, "u1", NOW
    )
    written = Event(10, "commitment", {"text": "free FastTrack", "by": "csm", "in_writing": True}, "u1", NOW)
    a, b = commitments.register(_deal([captured, written]))
    assert (a.what, a.contact, a.role, a.status) == ("a price hold until June", "ae", "ae", "verbal")
    assert b.status == "requested_in_writing"


def test_prep_reads_the_deals_alignment_instead_of_asking():
    topic = find_topic("Thursday's pricing meeting", KB)
    unknown = checklist(KB, "ae", topic)
    assert "meetings.attendees-aligned" in unknown.rules
    split = checklist(KB, "ae", topic, "IT and Finance yes, procurement not yet")
    assert "meetings.side-split" in split.rules and "meetings.attendees-aligned" not in split.rules
    said = next(i.text for s in split.sections for i in s.items if i.rule == "meetings.side-split")
    assert said.startswith("Procurement not aligned yet.")
    whole = checklist(KB, "ae", topic, "yes, all three")
    assert "meetings.side-aligned" in whole.rules and "meetings.side-split" not in whole.rules
