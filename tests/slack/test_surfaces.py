"""Each Slack surface, through signed HTTP requests to the real server and the fake Web API."""

from __future__ import annotations

import asyncio
import json

from tests.slack.fakes import BOT_TOKEN, command, event, interaction, signed

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _texts(blocks: list[dict]) -> str:
    return json.dumps(blocks)


async def test_slash_command_runs_a_turn_and_posts_block_kit(slack, fake):
    resp = await slack.post(command("deal new Woodgrove EA renewal"), FORM)
    assert resp.status == 200
    (post,) = await fake.wait_for("chat.postMessage")
    assert post["channel"] == "C1"
    assert "Started Woodgrove EA renewal" in post["text"]
    assert post["blocks"][0]["type"] == "section"
    assert fake.calls[0].method == "auth.test"  # single-workspace token mode
    assert all(c.token == BOT_TOKEN for c in fake.calls)


async def test_mention_is_answered_in_its_thread(slack, fake):
    inner = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> deal list",
        "channel": "C1",
        "ts": "111.222",
    }
    assert (await slack.post(event(inner), JSON)).status == 200
    (post,) = await fake.wait_for("chat.postMessage")
    assert post["thread_ts"] == "111.222"
    assert post["channel"] == "C1"


async def test_direct_message_is_answered_and_bot_messages_are_ignored(slack, fake):
    dm = {"type": "message", "channel_type": "im", "user": "U1", "text": "help", "channel": "D1", "ts": "1.1"}
    await slack.post(event(dm, event_id="Ev-dm"), JSON)
    (post,) = await fake.wait_for("chat.postMessage")
    assert post["channel"] == "D1"
    edit = {**dm, "subtype": "message_changed"}
    await slack.post(event(edit, event_id="Ev-edit"), JSON)
    await slack.post(command("help"), FORM)  # a marker: once it is answered, the edit was seen
    await fake.wait_for("chat.postMessage", 2)
    assert len(slack.done) == 2  # the edit ran no turn


async def test_a_button_runs_its_payload_and_disappears(slack, fake):
    await slack.post(command("deal new Woodgrove"), FORM)
    await fake.wait_for("chat.postMessage")
    await slack.post(command("note AE promised a workshop"), FORM)
    posts = await fake.wait_for("chat.postMessage", 2)
    blocks = posts[1]["blocks"]
    button = next(e for b in blocks if b["type"] == "actions" for e in b["elements"])
    assert json.loads(button["value"])["intent"] == "undo"

    def click() -> bytes:
        return interaction(
            {
                "type": "block_actions",
                "team": {"id": "T1"},
                "user": {"id": "U1"},
                "api_app_id": "A1",
                "channel": {"id": "C1"},
                "container": {"type": "message", "message_ts": posts[1]["ts"] if "ts" in posts[1] else "1.5"},
                "message": {"ts": "1.5", "text": posts[1]["text"], "blocks": blocks},
                "actions": [{**button, "block_id": "coach.actions.0", "action_ts": "9.9"}],
            }
        )

    assert (await slack.post(click(), FORM)).status == 200
    (update,) = await fake.wait_for("chat.update")
    assert not [b for b in update["blocks"] if b["type"] == "actions"]
    assert "chose *Undo*" in _texts(update["blocks"])
    posts = await fake.wait_for("chat.postMessage", 3)
    assert posts[2]["text"].lower().startswith("undone") or "undo" in posts[2]["text"].lower()
    await slack.turns(3)
    # A second press of the same (stale) message is claimed already: no second effect (it is the
    # same inbox row, or once that was answered, a turn that finds the event claimed).
    assert (await slack.post(click(), FORM)).status == 200
    await asyncio.sleep(0.5)
    assert all(r is None for r in slack.done[3:])
    assert len(fake.of("chat.postMessage")) == 3


async def test_form_questions_are_buttons_with_answer_payloads():
    from adapters.slack.blocks import render
    from bot.reply import Choice, Question, Reply

    reply = Reply(
        headline="Before I can say:",
        questions=[Question("rounds", "How many rounds?", "choice", [Choice("1", "1"), Choice("4+", "4")])],
    )
    blocks = render(reply)
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["1", "4+"]
    assert json.loads(buttons[1]["value"]) == {"intent": "form.answer", "answers": {"rounds": "4"}}


def _submission(kind: str, values: dict[str, dict], view_id: str = "V1") -> bytes:
    return interaction(
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": "U1"},
            "api_app_id": "A1",
            "view": {
                "id": view_id,
                "type": "modal",
                "hash": "h1",
                "callback_id": f"coach.modal.{kind}",
                "private_metadata": json.dumps({"channel": "C1", "thread_ts": None}),
                "state": {"values": values},
            },
        }
    )


async def test_slash_command_opens_a_modal(slack, fake):
    await slack.post(command("log favor"), FORM)
    (opened,) = await fake.wait_for("views.open")
    assert opened["view"]["callback_id"] == "coach.modal.favor"
    assert slack.done == []


async def test_modal_submission_with_errors_answers_inline(slack, fake):
    body = _submission(
        "meeting", {"topic": {"topic": {"value": ""}}, "on": {"on": {"selected_date": "2020-01-01"}}}
    )
    async with slack.session.post(
        slack.server.make_url("/slack/events"), data=body, headers=signed(body, FORM)
    ) as resp:
        answer = await resp.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"role", "topic", "on"}
    assert "later day" in answer["errors"]["on"]
    assert slack.done == []


async def test_new_deal_modal_becomes_a_deal_new_turn(slack, fake):
    body = _submission("new_deal", {"name": {"name": {"value": "Contoso M365"}}})
    resp = await slack.post(body, FORM)
    assert resp.status == 200
    (post,) = await fake.wait_for("chat.postMessage")
    assert post["channel"] == "C1"
    assert "Started Contoso M365" in post["text"]


async def test_message_shortcut_checks_the_message_ephemerally(slack, fake):
    body = interaction(
        {
            "type": "message_action",
            "callback_id": "check_before_sending",
            "team": {"id": "T1"},
            "user": {"id": "U1"},
            "channel": {"id": "C1"},
            "message": {"ts": "5.5", "text": "our CFO signed off on up to $900k"},
            "message_ts": "5.5",
            "response_url": fake.response_url(),
        }
    )
    assert (await slack.post(body, FORM)).status == 200
    (eph,) = await fake.wait_for("chat.postEphemeral")
    assert eph["user"] == "U1" and eph["channel"] == "C1"
    (turn,) = await slack.turns(1)
    assert turn is not None
    assert fake.of("chat.postMessage") == []  # only the asker sees it


async def test_message_shortcut_reads_the_whole_email_as_posted(slack, fake):
    # Slack escapes ">" in a quoted line and wraps mentions and links: read as the author sees it.
    posted = (
        "Hi <@U9|jane>,\n\nThanks for the update. A few points:\n"
        "• Please split out the Copilot line, see <https://contoso.example/q|the quote>.\n"
        "• Finance has signed off 1.5M a year for this, so please work back from that.\n\n"
        "Best,\nTom\n\n"
        "&gt; Jane wrote: we must have your signature by 31 December to hold this price"
    )
    body = interaction(
        {
            "type": "message_action",
            "callback_id": "check_before_sending",
            "team": {"id": "T1"},
            "user": {"id": "U1"},
            "channel": {"id": "C1"},
            "message": {"ts": "6.6", "text": posted},
            "message_ts": "6.6",
            "response_url": fake.response_url(),
        }
    )
    assert (await slack.post(body, FORM)).status == 200
    (eph,) = await fake.wait_for("chat.postEphemeral")
    text = _texts(eph["blocks"])
    assert "leakcheck.budget-amount" in text and "1.5M a year" in text  # our own bullet is flagged
    assert "urgency" not in text.casefold()  # the quoted deadline is Microsoft's, not ours
    assert "Please split out the Copilot line" in text  # the rewrite keeps the rest
    assert "&amp;gt;" not in text and "https://contoso" not in text


async def test_app_home_lists_the_persons_deals_and_none_of_another_person_or_workspace(slack, fake):
    await slack.post(command("deal new Woodgrove EA renewal", user="U1"), FORM)
    await slack.post(command("deal new Someone Elses Deal", user="U2"), FORM)
    await slack.post(command("deal new Other Workspace Deal", user="U1", team="T2"), FORM)  # refused
    await fake.wait_for("chat.postMessage", 2)
    await slack.post(event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}), JSON)
    (pub,) = await fake.wait_for("views.publish")
    assert pub["user_id"] == "U1"
    text = _texts(pub["view"]["blocks"])
    assert "Woodgrove EA renewal" in text and "Someone Elses Deal" not in text
    assert "renewal date not known" in text
    assert "Other Workspace" not in text
    assert "coach.modal" not in text and '\\"modal\\":\\"favor\\"' in text


async def test_app_home_button_opens_a_modal(slack, fake):
    body = interaction(
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "U1"},
            "api_app_id": "A1",
            "container": {"type": "view", "view_id": "VH"},
            "view": {"id": "VH", "type": "home"},
            "actions": [{"action_id": "coach.home.meeting", "value": '{"modal":"meeting"}', "block_id": "h"}],
        }
    )
    await slack.post(body, FORM)
    (opened,) = await fake.wait_for("views.open")
    assert opened["view"]["callback_id"] == "coach.modal.meeting"
    assert json.loads(opened["view"]["private_metadata"])["channel"] == "U1"
