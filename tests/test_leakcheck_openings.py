"""The leak check reads who the message is for from "check before I send to the AE: …" and from
a pasted message that opens with "… for the AE:", and checks the whole message."""

from __future__ import annotations


async def test_check_before_i_send_to_the_ae_unquoted(chat):
    reply = await chat("check before I send to the AE: Our CFO approved up to $900k. Thanks for the call!")
    assert reply.intent == "leakcheck" and reply.verdict == "flagged"
    assert reply.footer == "Checked as a message to the account executive."
    assert "disclosure.budget" in reply.rules
    assert reply.draft and "$900k" not in reply.draft and "Thanks for the call!" in reply.draft


async def test_typed_message_opening_with_for_the_ae(chat):
    reply = await chat("check: Quick update for the AE: our board meets on 12 December to approve this.")
    assert reply.verdict == "flagged" and "disclosure.urgency" in reply.rules
    assert reply.footer == "Checked as a message to the account executive."


async def test_pasted_message_action_opening_with_for_the_ae_names_the_reader(chat):
    message = "Quick update for the AE: our board meets on 12 December to approve this."
    reply = await chat(action={"intent": "leakcheck", "message": message})
    assert reply.verdict == "flagged" and "disclosure.urgency" in reply.rules
    assert reply.footer == "Checked as a message to the account executive."
    # the reader comes from the opening, not the default role (the AE): here, the CSM
    csm = await chat(
        action={"intent": "leakcheck", "message": "Hi, for the CSM: our board meets on 12 December."}
    )
    assert csm.footer is not None and "customer success" in csm.footer.casefold()


async def test_a_clean_pasted_note_for_the_ae_stays_clean(chat):
    message = "Notes for the AE: could you send the Purview roadmap deck before Tuesday?"
    reply = await chat(action={"intent": "leakcheck", "message": message})
    assert reply.verdict == "clean"
