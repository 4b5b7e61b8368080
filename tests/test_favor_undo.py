"""Undoing a favor withdraws the contact that favor brought, or says why the contact stays."""

from __future__ import annotations


async def test_undoing_the_favor_that_created_a_contact_withdraws_the_contact(chat, deal):
    logged = await chat("log favor: asked Ana (CSM) to expedite the Purview workshop")
    assert logged.verdict == "logged"
    undo = logged.actions[0]
    assert undo.payload["intent"] == "favors.undo" and undo.payload["new_contact"] == "Ana"
    undone = await chat(action=undo.payload)
    assert undone.intent == "undo" and undone.headline.startswith("Undone: favor")
    assert "off the contact map" in undone.plain_text()
    shown = (await chat("deal show")).plain_text()
    assert "Ana (csm) — no longer on the deal" in shown
    again = await chat(action=undo.payload)
    assert again.headline.startswith("Nothing to undo")


async def test_a_contact_other_entries_name_stays_and_the_reply_says_why(chat, deal):
    logged = await chat("log favor: asked Ana (CSM) to expedite the Purview workshop")
    await chat("log commitment: Ana (CSM) promised a free adoption workshop")
    undone = await chat(action=logged.actions[0].payload)
    assert "Ana stays on the contact map: other entries name them (commitment)." in undone.plain_text()
    assert "no longer on the deal" not in (await chat("deal show")).plain_text()


async def test_a_favor_with_a_known_contact_leaves_the_contact_alone(chat, deal):
    await chat("log commitment: Ana (CSM) promised a free adoption workshop")
    logged = await chat("log favor: asked Ana to send the Purview deck")
    assert logged.actions[0].payload["new_contact"] is None
    undone = await chat(action=logged.actions[0].payload)
    assert undone.sections == [] and "no longer on the deal" not in (await chat("deal show")).plain_text()
