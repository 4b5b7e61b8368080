"""A quote whose layout the local reader cannot find a table in, read by the configured LLM
(the loopback OpenAI server, the real openai client): the answer must fit the offer schema, and
every amount must be written in the document; otherwise the one-line refusal stands."""

from __future__ import annotations

from bot.offers.intake import read_file

PROSE = (
    "Microsoft proposal for Woodgrove Bank\n"
    "We are pleased to offer, for a 36-month term:\n"
    "- Microsoft 365 E5: 1,000 seats at $57.00 per user per month, $684,000.00 a year.\n"
    "- Microsoft 365 Copilot: 500 seats at $30.00 per user per month, $180,000.00 a year.\n"
    "Please sign by 20 June 2027. This is our best and final offer.\n"
)
ANSWER = {
    "currency": "USD",
    "term_months": 36,
    "valid_until": None,
    "sign_by": "2027-06-20",
    "final_wording": "best and final offer",
    "lines": [
        {"product": "Microsoft 365 E5", "part_number": None, "quantity": 1000, "unit_price": 57.0,
         "unit_period": "month", "discount_pct": None, "yearly": 684000.0, "total": None},
        {"product": "Microsoft 365 Copilot", "part_number": None, "quantity": 500, "unit_price": 30.0,
         "unit_period": "month", "discount_pct": None, "yearly": 171000.0, "total": None},
    ],
}  # fmt: skip


async def test_the_model_reads_a_layout_the_local_reader_cannot_and_is_checked(start, llm, clock):
    rt = await start(COACH_LLM_UNDERSTAND="true")
    llm.answer_json(ANSWER)
    reading = await read_file(
        "proposal.txt", PROSE.encode(), rt.kb, clock(), services=rt.coach.services, tenant="t1"
    )
    offer = reading.offer
    assert offer is not None and offer.source == "llm"
    assert [(ln.product, ln.quantity, ln.unit_price) for ln in offer.lines] == [
        ("Microsoft 365 E5", 1000, 57.0),
        ("Microsoft 365 Copilot", 500, 30.0),
    ]
    assert offer.lines[0].yearly == 684000.0
    # 171,000 is not in the document (it says 180,000): dropped and said, never kept.
    assert offer.lines[1].yearly is None and offer.lines[1].per_year(36) == 180000.0
    assert any("line 2" in p and "not in the document" in p for p in offer.problems)
    assert (offer.sign_by, offer.final_wording, offer.term_months) == (
        "2027-06-20",
        "best and final offer",
        36,
    )
    (req,) = llm.requests
    assert req.schema["required"] == list(req.schema["properties"])  # strict structured output
    assert "Microsoft 365 E5" in req.user and "DOCUMENT" in req.user  # the document, fenced


async def test_an_answer_outside_the_schema_leaves_the_refusal(start, llm, clock):
    rt = await start(COACH_LLM_UNDERSTAND="true")
    llm.answer_json({**ANSWER, "lines": [], "extra": "field"})
    reading = await read_file("proposal.txt", PROSE.encode(), rt.kb, clock(), services=rt.coach.services)
    assert reading.offer is None and reading.refusal is not None and reading.refusal.reason == "layout"


async def test_without_llm_understanding_nothing_is_sent(start, llm, clock):
    rt = await start()  # an LLM for drafting only
    reading = await read_file("proposal.txt", PROSE.encode(), rt.kb, clock(), services=rt.coach.services)
    assert reading.refusal is not None and reading.refusal.reason == "layout"
    assert llm.requests == []


async def test_a_table_the_local_reader_reads_never_goes_to_the_model(start, llm, clock):
    rt = await start(COACH_LLM_UNDERSTAND="true")
    table = "Product\tQty\tUnit price (per month)\tAnnual\nE5\t10\t$5.00\t$600.00\n"
    reading = await read_file("pasted.txt", table.encode(), rt.kb, clock(), services=rt.coach.services)
    assert reading.offer is not None and reading.offer.source == "text"
    assert llm.requests == []


async def test_a_quote_reading_takes_the_shared_daily_budget_and_counts_its_tokens(start, llm, clock):
    from sqlalchemy import text as sql

    from bot.llm.usage import used

    rt = await start(COACH_LLM_UNDERSTAND="true", COACH_LLM_DAILY_BUDGET="1")
    llm.answer_json(ANSWER)
    core = rt.coach.services
    first = await read_file("proposal.txt", PROSE.encode(), rt.kb, clock(), services=core, tenant="t1")
    assert first.offer is not None and first.offer.source == "llm"
    # Spent: the second quote is not sent, and the local refusal stands.
    again = await read_file("proposal.txt", PROSE.encode(), rt.kb, clock(), services=core, tenant="t1")
    assert again.offer is None and again.refusal is not None and again.refusal.reason == "layout"
    assert len(llm.requests) == 1
    async with rt.sessions() as s:
        tenant = int((await s.execute(sql("SELECT id FROM tenants WHERE external_id = 't1'"))).scalar_one())
        assert await used(s, tenant, clock.now.strftime("%Y-%m-%d")) == (1, 120)
