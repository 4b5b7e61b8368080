"""The pure policy: when each prompt falls, in the user's time zone, and what stays relevant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.reminders import policy as p
from bot.timeline import Event, make_view

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def cfg(kb) -> p.ReminderConfig:
    return kb.section("reminders.reminders")


def prefs(cfg: p.ReminderConfig, tz: str = "UTC", **kw) -> p.Prefs:
    return p.Prefs.from_config(cfg, tz, **kw)


def by_kind(items: list[p.Planned]) -> dict[str, list[p.Planned]]:
    out: dict[str, list[p.Planned]] = {}
    for it in items:
        out.setdefault(it.kind, []).append(it)
    return out


def meeting(when: str, role: str = "ae", topic: str = "pricing") -> dict:
    return {"role": role, "topic": topic, "when": when}


# --- meetings -------------------------------------------------------------------------------
def test_a_meeting_gets_the_morning_of_it_one_hour_before_and_an_after_capture(cfg):
    plan = by_kind(p.plan_meeting(1, meeting("2026-11-24T15:00:00+00:00"), prefs(cfg), cfg, NOW))
    assert [x.due_at for x in plan[p.MEETING_MORNING]] == [datetime(2026, 11, 24, 8, 0, tzinfo=UTC)]
    assert [x.due_at for x in plan[p.MEETING_BEFORE]] == [datetime(2026, 11, 24, 14, 0, tzinfo=UTC)]
    # one hour of meeting, then 30 minutes
    assert [x.due_at for x in plan[p.MEETING_AFTER]] == [datetime(2026, 11, 24, 16, 30, tzinfo=UTC)]


def test_the_morning_is_the_users_morning_in_their_time_zone(cfg):
    # 15:00 UTC is 10:00 in New York; 08:00 New York (EST) is 13:00 UTC.
    plan = by_kind(
        p.plan_meeting(1, meeting("2026-11-24T15:00:00Z"), prefs(cfg, "America/New_York"), cfg, NOW)
    )
    assert plan[p.MEETING_MORNING][0].due_at == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    # Tokyo: the meeting is at 00:00 on the 25th local; its morning would be after it, so none.
    plan = by_kind(p.plan_meeting(1, meeting("2026-11-24T15:00:00Z"), prefs(cfg, "Asia/Tokyo"), cfg, NOW))
    assert p.MEETING_MORNING not in plan
    assert plan[p.MEETING_BEFORE][0].due_at == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def test_an_early_meeting_gets_no_separate_morning_prompt(cfg):
    # 08:30 meeting: one hour before is 07:30, earlier than the 08:00 morning prompt.
    plan = by_kind(p.plan_meeting(1, meeting("2026-11-24T08:30:00Z"), prefs(cfg), cfg, NOW))
    assert p.MEETING_MORNING not in plan
    # 09:01: the morning prompt (08:00) is just before one-hour-before (08:01), so it stays.
    plan = by_kind(p.plan_meeting(1, meeting("2026-11-24T09:01:00Z"), prefs(cfg), cfg, NOW))
    assert plan[p.MEETING_MORNING][0].due_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_per_user_lead_times_replace_the_default(cfg):
    mine = prefs(cfg, before=(timedelta(hours=2), timedelta(minutes=15)))
    plan = by_kind(p.plan_meeting(1, meeting("2026-11-24T15:00:00Z"), mine, cfg, NOW))
    assert [x.due_at.hour * 60 + x.due_at.minute for x in plan[p.MEETING_BEFORE]] == [13 * 60, 14 * 60 + 45]


def test_a_meeting_sooner_than_every_prompt_gets_one_checklist_now(cfg):
    plan = by_kind(p.plan_meeting(1, meeting("2026-11-23T09:30:00Z"), prefs(cfg), cfg, NOW))
    assert [x.due_at for x in plan[p.MEETING_BEFORE]] == [NOW]
    assert p.MEETING_MORNING not in plan


def test_a_past_meeting_only_gets_its_capture_while_it_is_relevant(cfg):
    plan = by_kind(p.plan_meeting(1, meeting("2026-11-22T15:00:00Z"), prefs(cfg), cfg, NOW))
    assert list(plan) == [p.MEETING_AFTER]
    assert plan[p.MEETING_AFTER][0].due_at == NOW
    assert p.plan_meeting(1, meeting("2026-11-19T15:00:00Z"), prefs(cfg), cfg, NOW) == []


def test_planning_the_same_meeting_twice_gives_the_same_keys(cfg):
    a = p.plan_meeting(1, meeting("2026-11-24T15:00:00Z", topic="pricing"), prefs(cfg), cfg, NOW)
    b = p.plan_meeting(1, meeting("2026-11-24T16:00:00+01:00", topic="Pricing call"), prefs(cfg), cfg, NOW)
    assert [x.key for x in a] == [x.key for x in b]
    other_deal = p.plan_meeting(2, meeting("2026-11-24T15:00:00Z"), prefs(cfg), cfg, NOW)
    assert not {x.key for x in a} & {x.key for x in other_deal}


def test_a_meeting_without_a_readable_time_plans_nothing(cfg):
    assert p.plan_meeting(1, meeting("next Tuesday-ish"), prefs(cfg), cfg, NOW) == []


# --- the renewal timeline --------------------------------------------------------------------
def test_renewal_milestones_fall_at_t18_t12_t6_months_and_t90_days(cfg):
    now = datetime(2025, 1, 1, tzinfo=UTC)
    plan = p.plan_renewal(1, date(2027, 6, 30), prefs(cfg), cfg, now)
    marks = {x.payload["milestone"]: x.due_at for x in plan if x.kind == p.RENEWAL_MILESTONE}
    assert marks == {
        "T-18m": datetime(2025, 12, 30, 9, 0, tzinfo=UTC),
        "T-12m": datetime(2026, 6, 30, 9, 0, tzinfo=UTC),
        "T-6m": datetime(2026, 12, 30, 9, 0, tzinfo=UTC),
        "T-90d": datetime(2027, 4, 1, 9, 0, tzinfo=UTC),
    }
    rules = {x.payload["milestone"]: x.payload["rule"] for x in plan if x.kind == p.RENEWAL_MILESTONE}
    assert rules["T-90d"] == "reminders.renewal-t90"


def test_a_late_renewal_date_replays_only_the_latest_passed_milestone_now(cfg):
    # Told at T-10 months: T-18 is history, T-12 still applies (until T-6), so it comes now.
    plan = p.plan_renewal(1, date(2027, 6, 30), prefs(cfg), cfg, datetime(2026, 8, 30, tzinfo=UTC))
    marks = {x.payload["milestone"]: x.due_at for x in plan if x.kind == p.RENEWAL_MILESTONE}
    assert set(marks) == {"T-12m", "T-6m", "T-90d"}
    assert marks["T-12m"] == datetime(2026, 8, 30, tzinfo=UTC)


def test_quarter_and_year_ends_near_the_renewal_are_nudged_three_weeks_ahead(cfg):
    plan = p.plan_renewal(1, date(2027, 6, 30), prefs(cfg), cfg, datetime(2026, 11, 1, tzinfo=UTC))
    ends = {x.payload["end"]: (x.due_at, x.payload["rule"]) for x in plan if x.kind == p.QUARTER_END}
    assert ends == {
        "2026-12-31": (datetime(2026, 12, 10, 9, 0, tzinfo=UTC), "reminders.quarter-end"),
        "2027-03-31": (datetime(2027, 3, 10, 9, 0, tzinfo=UTC), "reminders.quarter-end"),
        "2027-06-30": (datetime(2027, 6, 9, 9, 0, tzinfo=UTC), "reminders.fiscal-year-end"),
    }


def test_quarter_ends_outside_the_window_before_renewal_are_left_out(cfg):
    # Window is 9 months: for a 2027-06-30 renewal it opens 2026-09-30 (that end is included,
    # 2026-06-30 is not).
    ends = p.microsoft_period_ends(p.add_months(date(2027, 6, 30), -9), date(2027, 6, 30), cfg)
    assert ends[0] == (date(2026, 9, 30), False)
    assert (date(2026, 6, 30), True) not in ends


def test_signature_warnings_come_two_weeks_and_three_days_before(cfg):
    plan = p.plan_signature(1, date(2027, 6, 30), prefs(cfg, "Europe/London"), cfg, NOW)
    # 09:00 London in summer is 08:00 UTC
    assert [x.due_at for x in plan] == [
        datetime(2027, 6, 16, 8, 0, tzinfo=UTC),
        datetime(2027, 6, 27, 8, 0, tzinfo=UTC),
    ]


def test_a_renewal_date_fact_plans_the_timeline_and_other_facts_plan_nothing(cfg):
    fact = Event(1, "fact", {"key": "renewal_date", "value": "2027-06-30"}, "u1", NOW)
    kinds = {x.kind for x in p.plan_for_event(1, fact, prefs(cfg), cfg, NOW)}
    assert kinds == {p.RENEWAL_MILESTONE, p.QUARTER_END, p.SIGNATURE_VERBAL}
    other = Event(2, "fact", {"key": "deal_value_per_year", "value": 100}, "u1", NOW)
    assert p.plan_for_event(1, other, prefs(cfg), cfg, NOW) == []
    garbled = Event(3, "fact", {"key": "renewal_date", "value": "soon"}, "u1", NOW)
    assert p.plan_for_event(1, garbled, prefs(cfg), cfg, NOW) == []


# --- relevance when due (or overdue) --------------------------------------------------------------
def _view(*events: Event):
    return make_view(1, "Woodgrove", events)


MEETING = Event(10, "meeting", meeting("2026-11-24T15:00:00Z"), "u1", NOW)


def test_a_pre_meeting_prompt_is_relevant_until_its_deadline_and_not_a_second_after(cfg):
    before = next(
        x for x in p.plan_meeting(1, MEETING.payload, prefs(cfg), cfg, NOW) if x.kind == p.MEETING_BEFORE
    )
    start = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert p.relevance(before.kind, before.payload, _view(MEETING), start - timedelta(seconds=1)).ok
    late = p.relevance(before.kind, before.payload, _view(MEETING), start)
    assert not late.ok and late.why == "its moment has passed"


def test_a_withdrawn_meeting_makes_its_prompts_irrelevant(cfg):
    before = next(
        x for x in p.plan_meeting(1, MEETING.payload, prefs(cfg), cfg, NOW) if x.kind == p.MEETING_BEFORE
    )
    undo = Event(11, "undo", {"event_id": 10}, "u1", NOW)
    r = p.relevance(before.kind, before.payload, _view(MEETING, undo), NOW)
    assert not r.ok and r.why == "the meeting was withdrawn"


def test_renewal_nudges_for_an_old_renewal_date_are_dropped(cfg):
    plan = p.plan_renewal(1, date(2027, 6, 30), prefs(cfg), cfg, NOW)
    t6 = next(x for x in plan if x.payload.get("milestone") == "T-6m")
    same = _view(Event(1, "fact", {"key": "renewal_date", "value": "2027-06-30"}, "u1", NOW))
    moved = _view(Event(1, "fact", {"key": "renewal_date", "value": "2027-09-30"}, "u1", NOW))
    assert p.relevance(t6.kind, t6.payload, same, NOW).ok
    assert p.relevance(t6.kind, t6.payload, moved, NOW).why == "the renewal date changed"


def test_the_signature_warning_needs_an_open_verbal_commitment(cfg):
    warn = p.plan_signature(1, date(2027, 6, 30), prefs(cfg), cfg, NOW)[0]
    renewal = Event(1, "fact", {"key": "renewal_date", "value": "2027-06-30"}, "u1", NOW)
    verbal = Event(2, "commitment", {"text": "free pilot", "in_writing": False}, "u1", NOW)
    written = Event(3, "commitment", {"text": "unit price", "in_writing": True}, "u1", NOW)
    assert p.relevance(warn.kind, warn.payload, _view(renewal, verbal), NOW).ok
    assert (
        p.relevance(warn.kind, warn.payload, _view(renewal, written), NOW).why
        == "no verbal promises are open"
    )
    closed = Event(4, "commitment_update", {"commitment_id": 2, "status": "in_writing"}, "u1", NOW)
    assert not p.relevance(warn.kind, warn.payload, _view(renewal, verbal, closed), NOW).ok
    assert [c.id for c in p.open_verbal_commitments(_view(renewal, verbal, written))] == [verbal.id]


def test_in_contract_and_the_registers_own_events_close_a_verbal_commitment(cfg):
    """The commitments register's words: `commitment_update` to in_contract (or requested in
    writing) closes one; the register's own `what`/`status` payload is read too."""
    warn = p.plan_signature(1, date(2027, 6, 30), prefs(cfg), cfg, NOW)[0]
    signature = Event(1, "fact", {"key": "signature_date", "value": "2027-06-30"}, "u1", NOW)
    logged = Event(
        2,
        "commitment",
        {"contact": "Jane", "role": "ae", "what": "E5 price hold", "status": "verbal"},
        "u1",
        NOW,
    )
    assert [c.what for c in p.open_verbal_commitments(_view(signature, logged))] == ["E5 price hold"]
    assert p.relevance(warn.kind, warn.payload, _view(signature, logged), NOW).ok
    for status in ("in_contract", "requested_in_writing", "kept"):
        moved = Event(3, "commitment_update", {"commitment_id": 2, "status": status}, "u1", NOW)
        assert p.open_verbal_commitments(_view(signature, logged, moved)) == [], status
        assert p.relevance(warn.kind, warn.payload, _view(signature, logged, moved), NOW).why == (
            "no verbal promises are open"
        )
    contracted = Event(
        4, "commitment", {"contact": "Raj", "what": "credits", "status": "in_contract"}, "u1", NOW
    )
    assert p.open_verbal_commitments(_view(signature, contracted)) == []
