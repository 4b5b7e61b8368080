"""Facts as people say them, by class (issue #21, item 4): a denial never stores the positive;
a figure's role comes from its own words; currencies after the figure or as a word; a
percentage tied to its base; counts in nouns and ordinals; the sticking point and the
alternative in other words; a correction told in words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.features import default_knowledge
from bot.understanding.facts import read_facts
from bot.understanding.money import read_money

KB = default_knowledge()
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def read(text: str, **known: object) -> dict:
    return {f.key: f.value for f in read_facts(text, KB, now=NOW, tz="Europe/London", known=known)}


# --- 1. a denial is never the positive --------------------------------------------------------


def test_a_denied_walk_away_is_not_agreed_however_it_is_typed():
    assert read("the exco havent signed off any exit number")["walk_threshold_agreed"] is False
    assert read("Our board has also not defined a walk-away price.")["walk_threshold_agreed"] is False
    assert read("mgmt hasnt set a walkaway figure yet")["walk_threshold_agreed"] is False
    assert read("Exit threshold approved by the board last week.")["walk_threshold_agreed"] is True


def test_a_request_denied_is_no_request():
    assert read("msft didnt ask us for a case study this time")["reference_requested"] is False
    said = read("Microsoft hasn't requested a reference from us, nor a logo.")
    assert said.get("reference_requested") is not True


def test_no_costing_done_is_no_alternative_cost():
    said = read("We haven't done any costing of Google yet, it's a gut feel.")
    assert "alternative_annual_cost" not in said


# --- 2. a figure's role from its own words ---------------------------------------------------


def test_a_threshold_agreed_is_the_walk_away_not_their_offer():
    said = read("Exec threshold agreed: DKK 12m per year.")
    assert said["walk_threshold_per_year"] == 12_000_000
    assert said["walk_threshold_agreed"] is True
    assert "ms_annual_cost" not in said


def test_an_amount_signed_off_or_a_target_is_our_budget():
    assert read("we have 1.3m a year signed off for this")["budget_per_year"] == 1_300_000
    assert read("Signed-off figure is 750k per year.")["budget_per_year"] == 750_000
    said = read("IT and finance agreed a 2.2M/yr target; their quote is 2.6M/yr.")
    assert said["budget_per_year"] == 2_200_000 and said["ms_annual_cost"] == 2_600_000


def test_what_we_pay_now_is_the_deal_value_even_in_a_sentence_about_their_ask():
    said = read("They want an 8% uplift applied to our current annual spend of 3 Mio. euros.")
    assert said["deal_value_per_year"] == 3_000_000
    assert "ms_annual_cost" not in said
    assert read("The EA is about $4M/yr run-rate.")["deal_value_per_year"] == 4_000_000


# --- 3. currencies after the figure or as a word ---------------------------------------------


def test_currencies_said_as_codes_words_and_indian_units():
    cases = {
        "NOK 7.5m": (7_500_000, "NOK"),
        "4.2 MSEK": (4_200_000, "SEK"),
        "R45m": (45_000_000, "ZAR"),
        "30 million rand": (30_000_000, "ZAR"),
        "9 crore": (90_000_000, "INR"),
        "60 lakh per annum": (6_000_000, "INR"),
        "2 Mio. euros": (2_000_000, "EUR"),
        "two point five mil a year, AUD.": (2_500_000, "AUD"),
    }
    for said, (amount, currency) in cases.items():
        money = read_money(said)[0]
        assert (money.amount, money.currency) == (amount, currency), said
    assert not [m for m in read_money("Windows Server 2016 R2 hosts") if m.currency == "ZAR"]


async def test_an_amount_in_kroner_sets_the_deal_currency(chat, deal):
    told = await chat("Microsoft quoted NOK 11m per year for three years")
    assert "NOK 11M" in told.plain_text()
    shown = (await chat("deal show")).plain_text()
    assert "Currency" in shown and "NOK" in shown


# --- 4. a percentage tied to its base --------------------------------------------------------


def test_a_share_of_a_known_figure_is_the_sticking_points_worth():
    said = read("The last open point is the Power BI Premium price. It's roughly 1.5% of the run-rate.",
                deal_value_per_year=2_000_000)  # fmt: skip
    assert said["sticking_point_value_per_year"] == 30_000
    said = read("Roughly 10% of their offer.", sticking_point="Copilot uplift", ms_annual_cost=1_200_000)
    assert said["sticking_point_value_per_year"] == 120_000
    # with no sticking point told, a share of the offer is nobody's worth
    alone = read("Roughly 10% of their offer.", ms_annual_cost=1_200_000)
    assert "sticking_point_value_per_year" not in alone


def test_an_escalator_that_is_the_sticking_point_is_worth_a_years_rise():
    said = read("The real dispute is their 5% annual escalator on our current yearly value of 2M.")
    assert said["sticking_point_value_per_year"] == 100_000


# --- 5. counts in nouns and ordinals ---------------------------------------------------------


def test_counts_in_nouns_and_ordinals():
    assert read("we've held three pricing sessions with the account team")["rounds_with_account_team"] == 3
    assert read("had our fourth catch-up with the AE on Monday")["rounds_with_account_team"] == 4
    said = read("Last week's call with the AE, the sixth of these, went nowhere.")
    assert said["rounds_with_account_team"] == 6
    assert "rounds_with_account_team" not in read("a third check-in is planned for Thursday")


# --- 6. the sticking point in other words ----------------------------------------------------


def test_the_sticking_point_said_in_other_words():
    assert read("Main dispute is the Defender add-on price.")["sticking_point"] == "Defender add-on price"
    said = read("Everything is settled except the Teams Phone pricing.")
    assert said["sticking_point"] == "Teams Phone pricing"
    assert read("the gap is the Intune and Entra uplift")["sticking_point"] == "Intune and Entra uplift"
    # a second clause after "and" is not part of the point
    assert read("the sticking point is the uplift and they won't move")["sticking_point"] == "uplift"
    # an amount is no point
    assert "sticking_point" not in read("the difference is roughly 40 lakh per annum")


# --- 7. an alternative named with its parts --------------------------------------------------


def test_an_alternative_named_with_its_parts():
    said = read("Alternative assessed: Zimbra plus Nextcloud for files. Annual cost 600k.")
    assert said["alternative"] == "Zimbra plus Nextcloud"
    assert said["alternative_annual_cost"] == 600_000
    assert read("Google priced Workspace for all staff at 400k a year")["alternative"] == "Google Workspace"


def test_a_signature_already_done_is_no_signing_date():
    assert "signature_date" not in read("We signed the Teams Rooms order on Oct 3, still waiting on keys.")
    assert read("It has to be signed by 19 December.")["signature_date"] == "2026-12-19"


def test_a_price_valid_until_a_day_is_not_the_renewal():
    assert "renewal_date" not in read("They said the current pricing is only valid until the end of January.")


# --- a correction told in words --------------------------------------------------------------


async def test_a_correction_in_words_changes_the_fact_just_told(chat, deal):
    await chat("we've met the account team twice so far")
    fixed = await chat("Sorry, correction: it was our third round, the Friday call counts too.")
    assert "Rounds with the account team: 3" in fixed.plain_text()
    await chat("The agreement expires 28 February.")
    fixed = await chat("Correction: 31 March 2027. I mixed it up with the old one.")
    assert "Renewal date: 2027-03-31" in fixed.plain_text()


async def test_a_figure_put_right_loosely_keeps_the_scale_of_the_one_it_corrects(chat, deal):
    await chat("the gap is worth about eight grand a year to us")
    fixed = await chat("well actually more like seven and a half, our controller just checked")
    assert fixed.intent == "fact.set" and "$7.5k" in fixed.headline, fixed.headline
    await chat("their offer came in at 3.1M a year")
    fixed = await chat("hmm no, closer to 2.9")
    assert "Microsoft offer per year: $2.9M" in fixed.headline, fixed.headline
    facts = (await chat("deal show")).plain_text()
    assert "$7.5k" in facts and "$2.9M" in facts


def test_a_half_said_in_words_is_read_with_the_amount():
    from bot.understanding.money import parse_money_text

    assert parse_money_text("about two and a half million a year") == 2_500_000
    assert parse_money_text("one and a half million euros") == 1_500_000
    assert parse_money_text("three and a half thousand") == 3_500
