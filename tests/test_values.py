"""Typed values from text: amounts in every common form, number words, percentages, yes / no /
not sure, dates and times in the person's time zone, and ambiguous dates left unpicked."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.features import default_knowledge
from bot.forms import describe, parse_date, parse_int, parse_money, parse_value, parse_yesno, valid_value
from bot.understanding.values import (
    UNKNOWN,
    UNKNOWN_VALUE,
    Ambiguous,
    DateFound,
    read_counts,
    read_date,
    read_money,
    read_percents,
    read_time,
    read_yesno,
    words_value,
)

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("$2.4M", 2_400_000, "USD"),
        ("2.4 million dollars", 2_400_000, "USD"),
        ("USD 1.2m", 1_200_000, "USD"),
        ("€900k", 900_000, "EUR"),
        ("£75,000", 75_000, "GBP"),
        ("1,2 Mio €", 1_200_000, "EUR"),
        ("1.200.000 €", 1_200_000, "EUR"),
        ("250k annually", 250_000, None),
        ("half a million", 500_000, None),
        ("1.5 mil", 1_500_000, None),
        ("two point four million", 2_400_000, None),
        ("300 grand", 300_000, None),
        ("2.4 milion", 2_400_000, None),
        ("USD 2,400,000", 2_400_000, "USD"),
    ],
)
def test_money_in_every_common_form(text, amount, currency):
    (money,) = read_money(text)
    assert money.amount == pytest.approx(amount)
    assert money.currency == currency
    assert money.explicit


def test_money_per_month_is_made_yearly_and_the_period_is_part_of_the_span():
    (money,) = read_money("they quote 25k a month for Copilot")
    assert money.period == "month" and money.per_year == 300_000
    assert "they quote 25k a month for Copilot"[money.span[0] : money.span[1]] == "25k a month"


@pytest.mark.parametrize("text", ["we have 5 rounds", "E5 licences", "five people", "a meeting"])
def test_counts_and_words_are_not_plain_money(text):
    assert not any(m.explicit for m in read_money(text))


def test_a_currency_symbol_binds_to_the_number_after_it():
    (money,) = read_money("migration is a $1.2M project")
    assert money.amount == 1_200_000


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("five", 5),
        ("twenty-two", 22),
        ("a dozen", 12),
        ("once", 1),
        ("twice", 2),
        ("seventeen", 17),
        ("42", 42),
    ],
)
def test_number_words(text, value):
    assert [c.value for c in read_counts(text)] == [value]
    assert parse_int(text) == value


def test_words_value_reads_hundreds_and_scales():
    assert words_value("five hundred thousand") == 500_000
    assert words_value("not a number") is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("18 %", 18), ("18%", 18), ("18 percent", 18), ("eighteen per cent", 18), ("2.5 pct", 2.5)],
)
def test_percentages(text, value):
    assert [p.value for p in read_percents(text)] == [value]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", True),
        ("yep, done", True),
        ("no", False),
        ("not yet", False),
        ("not sure", UNKNOWN),
        ("no idea", UNKNOWN),
        ("dunno", UNKNOWN),
        ("don't know yet", UNKNOWN),
        ("hmm", None),
    ],
)
def test_yes_no_and_not_sure(text, value):
    assert read_yesno(text) is value


def test_not_sure_is_never_false_in_a_form_and_reads_back_as_not_sure():
    kb = default_knowledge()
    spec = kb.facts["exec_sponsor"]
    assert parse_yesno("no idea") == UNKNOWN_VALUE
    assert parse_value(spec, "not sure") == UNKNOWN_VALUE
    assert describe(spec, UNKNOWN_VALUE) == "not sure"
    assert describe(spec, False) == "no" and describe(spec, True) == "yes"
    assert UNKNOWN is not False and not UNKNOWN


def test_form_money_answers_in_any_form():
    assert parse_money("about 1,2 Mio € a year") == 1_200_000
    assert parse_money("roughly half a million") == 500_000
    assert parse_money("25k a month") == 300_000


def test_form_values_are_checked_against_the_facts_kind_and_choices():
    kb = default_knowledge()
    assert parse_value(kb.facts["sticking_point"], "can I tell the CSM our budget?") is None
    assert parse_value(kb.facts["sticking_point"], "Copilot pricing") == "Copilot pricing"
    assert parse_value(kb.facts["rounds_with_account_team"], "five") == 5
    assert not valid_value(kb.facts["renewal_date"], "2027-02-30")
    assert not valid_value(kb.facts["deal_value_per_year"], -5)
    assert not valid_value(kb.facts["exec_sponsor"], "maybe")


def test_dates_with_and_without_a_year_prefer_the_future():
    assert read_date("31 March 2027", NOW).day == date(2027, 3, 31)
    assert read_date("on 5 January", NOW).day == date(2027, 1, 5)
    assert read_date("Dec 20", NOW).day == date(2026, 12, 20)
    assert read_date("end of March 2027", NOW).day == date(2027, 3, 31)
    assert read_date("2027-01-31", NOW).day == date(2027, 1, 31)
    assert read_date("31/01/2027", NOW).day == date(2027, 1, 31)
    june = read_date("June 2027", NOW)
    assert june.day == date(2027, 6, 1) and june.precision == "month"


def test_an_ambiguous_numeric_date_is_not_picked():
    found = read_date("12/03", NOW)
    assert isinstance(found, Ambiguous)
    assert found.options == (date(2027, 3, 12), date(2026, 12, 3))
    assert read_date("12/03", NOW, order="MDY").day == date(2026, 12, 3)
    assert read_date("25/03", NOW).day == date(2027, 3, 25)  # only one reading


@pytest.mark.parametrize("text", ["sometime soon", "31 February", "whenever suits"])
def test_an_unreadable_date_is_none_never_today(text):
    assert read_date(text, NOW) is None


def test_relative_days_and_times():
    assert read_date("in two weeks at 10am", NOW) == DateFound(
        date(2026, 12, 14), time(10), (0, 12), "in two weeks"
    )
    assert read_date("Thursday 3.30pm", NOW).at == time(15, 30)
    assert read_date("on the 3rd", NOW).day == date(2026, 12, 3)
    assert read_date("next month at some point", NOW) is None
    assert read_time("at 9.15")[0] == time(9, 15)


def test_relative_days_follow_the_persons_time_zone():
    late = datetime(2026, 11, 30, 23, 30, tzinfo=ZoneInfo("Europe/London"))
    assert read_date("tomorrow", late, "Europe/London").day == date(2026, 12, 1)
    assert read_date("tomorrow", late, "Asia/Tokyo").day == date(2026, 12, 2)
    assert read_date("tomorrow", late, "America/Los_Angeles").day == date(2026, 12, 1)


def test_dateparser_reads_what_the_regexes_leave():
    assert read_date("in 3 months", NOW, "UTC").day == date(2027, 2, 28)


def test_form_dates_need_a_clock_for_year_less_days():
    assert parse_date("30 June 2027") == "2027-06-30"
    assert parse_date("15 December") is None
    assert parse_date("15 December", now=NOW) == "2026-12-15"
    assert parse_date("12/03", now=NOW) is None


def test_form_answers_in_whole_sentences_fill_several_questions():
    from bot.forms import read_answers

    kb = default_knowledge()
    keys = ["sticking_point", "sticking_point_value_per_year", "rounds_with_account_team"]
    text = "we've met the AE five times now; the issue is Copilot pricing, worth around 1,2 Mio € annually"
    assert read_answers(text, keys, kb, now=NOW) == {
        "rounds_with_account_team": 5,
        "sticking_point": "Copilot pricing",
        "sticking_point_value_per_year": 1_200_000,
    }
