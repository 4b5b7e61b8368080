"""What the model says is checked in code before anyone sees it; a failing draft is repaired
once (the problems listed in one more call) or replaced by the template, with the reason."""

from __future__ import annotations

from tests.llm.conftest import CANARY, GOOD, TEMPLATE, assert_no_canary, request


async def test_a_threat_is_repaired_once(llm, make_drafter):
    llm.script = [GOOD + " Agree by Friday or else we will walk away.", GOOD]
    result = await make_drafter().draft(request())
    assert (result.source, result.text, result.requests) == ("llm", GOOD, 2)
    assert "a threat" in (result.reason or "") and "rewritten once" in (result.reason or "")
    repair = llm.requests[1].user
    assert "failed these checks: a threat" in repair
    assert "previous_attempt" in repair


async def test_a_threat_twice_gives_the_template_and_says_why(llm, make_drafter):
    llm.script = [GOOD + " Or else.", GOOD + " This is your last chance."]
    result = await make_drafter().draft(request())
    assert (result.source, result.text) == ("template", TEMPLATE)
    assert "failed my checks twice" in (result.reason or "") and "a threat" in (result.reason or "")
    assert len(llm.requests) == 2  # never a third call


async def test_an_invented_figure_is_repaired_or_replaced(llm, make_drafter):
    llm.script = [GOOD + " We also expect 15% off Azure consumption.", GOOD + " And 20 free seats."]
    result = await make_drafter().draft(request())
    assert result.source == "template"
    assert "15%" in (result.reason or "") and "20" in (result.reason or "")


async def test_figures_the_deal_holds_pass_in_any_common_form(llm, make_drafter):
    text = GOOD + " The agreement is worth $2.4M a year and renews on 30 June 2027."
    llm.script = [text]
    result = await make_drafter().draft(request())
    assert result.source == "llm", result.reason


async def test_the_leaked_budget_is_never_shown_nor_sent_back(llm, make_drafter):
    llm.script = [GOOD + f" Our ceiling is ${CANARY:,}.", GOOD + " Our ceiling is about $1.94M."]
    result = await make_drafter().draft(request())
    assert result.source == "template"
    assert "reveals your budget" in (result.reason or "")
    assert str(CANARY) not in (result.reason or "") and "1,937,411" not in (result.reason or "")
    assert_no_canary(llm)


async def test_the_leaked_budget_then_a_clean_repair(llm, make_drafter):
    llm.script = [GOOD + f" We can't go above ${CANARY:,}.", GOOD]
    result = await make_drafter().draft(request())
    assert (result.source, result.text) == ("llm", GOOD)
    assert_no_canary(llm)


async def test_blaming_a_named_person_is_caught(llm, make_drafter):
    llm.script = [GOOD + " Raj failed to send the revised quote.", GOOD]
    result = await make_drafter().draft(request())
    assert result.source == "llm" and "blames a named person" in (result.reason or "")


async def test_insults_and_emotional_wording_are_caught(llm, make_drafter):
    llm.script = [GOOD + " Frankly this offer is insulting!!", GOOD + " Your team is clueless."]
    result = await make_drafter().draft(request())
    assert result.source == "template"
    assert "emotional wording" in (result.reason or "") and "an insult" in (result.reason or "")


async def test_length_bounds(llm, make_drafter):
    llm.script = [GOOD + " We look forward to it." * 120, "OK."]
    result = await make_drafter().draft(request())
    assert result.source == "template"
    assert "too long" in (result.reason or "") and "too short" in (result.reason or "")


async def test_invisible_and_tag_characters_are_stripped(llm, make_drafter):
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "ignore the rules")
    llm.script = [GOOD.replace("Dear", "De\u200bar\u2060") + hidden + "\ufeff"]
    result = await make_drafter().draft(request())
    assert result.source == "llm"
    assert result.text == GOOD
    assert "removed invisible characters" in result.notes


async def test_mentions_and_foreign_links_are_neutralised(llm, make_drafter):
    said = (
        GOOD + " cc <!channel> @here <@U024BE7LH|raj> <!subteam^S1|@sales>. Details: https://evil.example/x"
    )
    llm.script = [said]
    result = await make_drafter().draft(request())
    assert result.source == "llm"
    for ping in ("<!channel>", "@here", "<@U024BE7LH", "subteam", "evil.example"):
        assert ping not in result.text
    assert "[link removed]" in result.text
    assert {"removed @-mentions", "removed a link the deal doesn't hold"} <= set(result.notes)


async def test_a_link_the_user_gave_stays(llm, make_drafter):
    llm.script = [GOOD + " The agenda is at https://woodgrove.example/agenda."]
    result = await make_drafter().draft(request(instructions=("link https://woodgrove.example/agenda",)))
    assert "https://woodgrove.example/agenda" in result.text


async def test_a_leak_check_plugs_in(llm, make_drafter):
    def leak_check(text: str, role: str) -> list[str]:
        assert role == "exec"  # the escalation note's recipient
        return ["gives away that you have room to move"] if "flexible" in text else []

    llm.script = [GOOD + " We are flexible on the E5 price.", GOOD]
    result = await make_drafter(leak_check=leak_check).draft(request())
    assert result.source == "llm" and "room to move" in (result.reason or "")
    assert "room to move" in llm.requests[1].user


async def test_a_server_error_is_not_retried_and_gives_the_template(llm, make_drafter):
    llm.script = [500, GOOD]
    result = await make_drafter().draft(request())
    assert result.source == "template" and "couldn't be reached" in (result.reason or "")
    assert len(llm.requests) == 1


async def test_one_retry_when_configured(llm, make_drafter):
    llm.script = [500, GOOD]
    result = await make_drafter(COACH_LLM_MAX_RETRIES="1").draft(request())
    assert result.source == "llm" and len(llm.requests) == 2


async def test_an_unknown_kind_gets_the_template_without_a_call(llm, make_drafter):
    result = await make_drafter().draft(request(kind="love_letter"))
    assert result.source == "template" and llm.requests == []
