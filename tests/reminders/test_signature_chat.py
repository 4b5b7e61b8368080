"""The warning before signature, end to end through chat: a verbal commitment and a signature
date schedule it; moving the commitment into the contract stops it."""

from __future__ import annotations

from datetime import UTC, datetime


async def test_verbal_commitment_then_signature_date_warns_until_it_is_in_the_contract(
    chat, deal, clock, worker, outbox
):
    logged = await chat("log commitment: Jane (AE) promised a price hold on E5 until June")
    assert logged.verdict == "verbal"
    cid = logged.actions[0].payload["commitment_id"]
    dated = await chat("set signature date: 2026-12-20")
    assert dated.intent == "fact.set" and "Signing date = 2026-12-20" in dated.headline
    listing = (await chat("reminders")).plain_text()
    assert listing.count("Verbal promises check before signing on 2026-12-20") == 2  # T-14 and T-3

    # two weeks before: the promise is still verbal, so the warning goes out and names it
    clock.now = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    assert await worker.run_once() == 1
    warning = outbox[-1][1]
    assert warning.intent == "reminders.signature" and warning.verdict == "get_it_in_writing"
    assert warning.rules == ["reminders.verbal-before-signature"]
    assert "price hold on E5 until June" in warning.plain_text()

    # it gets into the contract; three days before, nothing is sent
    moved = await chat(f"mark commitment {cid} in contract")
    assert moved.verdict == "in_contract"
    clock.now = datetime(2026, 12, 17, 9, 0, tzinfo=UTC)
    sent = len(outbox)
    await worker.run_once()
    assert len(outbox) == sent
    assert "Verbal promises check" not in (await chat("reminders")).plain_text()


async def test_requested_in_writing_also_ends_the_verbal_warning(chat, deal, clock, worker, outbox):
    logged = await chat("log commitment: Jane (AE) promised 15% on Copilot in year 2")
    cid = logged.actions[0].payload["commitment_id"]
    await chat("set signing date: 2026-12-20")
    await chat(f"commitment {cid} requested in writing")
    clock.now = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    await worker.run_once()
    assert all(r.intent != "reminders.signature" for _, r in outbox)
