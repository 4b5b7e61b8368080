"""Microsoft's quote shared with the coach in Slack: files.info and the file's private URL on the
loopback Web API, read with the bot token, shown, stored with a button, compared — on SQLite and
PostgreSQL, through the real Bolt app and the inbox."""

from __future__ import annotations

import json
import logging

import pytest

from tests.offers import docs
from tests.slack.fakes import BOT_TOKEN, command, event, interaction

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def dm_with_file(file_id: str, *, text: str = "", event_id: str) -> bytes:
    inner = {
        "type": "message",
        "subtype": "file_share",
        "channel_type": "im",
        "user": "U1",
        "text": text,
        "channel": "D1",
        "ts": f"1.{event_id[-3:]}",
        "files": [{"id": file_id, "name": "ignored-here.pdf"}],
    }
    return event(inner, event_id=event_id)


def press(post: dict, label: str, *, channel: str = "D1", ts: str = "1.5") -> bytes:
    """A click on one of the message's buttons (each message its own `ts`: one effect a message)."""
    button = next(
        e
        for b in post["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == label
    )
    return interaction(
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "U1"},
            "api_app_id": "A1",
            "channel": {"id": channel},
            "container": {"type": "message", "message_ts": ts},
            "message": {"ts": ts, "text": post["text"], "blocks": post["blocks"]},
            "actions": [{**button, "block_id": "coach.actions.0", "action_ts": "9.9"}],
        }
    )


def text_of(post: dict) -> str:
    return json.dumps(post.get("blocks") or [], ensure_ascii=False) + post.get("text", "")


@pytest.fixture(params=["sqlite", "postgresql"])
def both_url(request) -> str:
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
async def server(both_url, start_slack, fake):
    """No "Working on it…" placeholder even on a loaded machine: these tests count the posts."""
    return await start_slack(both_url, SLACK_PLACEHOLDER_AFTER=60.0)


async def test_a_quote_shared_in_a_dm_is_read_with_the_bot_token_and_stored_on_confirm(server, fake, caplog):
    slack = server
    hello = {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "text": "deal new Woodgrove",
        "channel": "D1",
    }
    await slack.post(event({**hello, "ts": "1.001"}, event_id="Ev-001"), JSON)
    await fake.wait_for("chat.postMessage")
    doc = docs.make("pdf-classic", 8, 12)
    fake.shared["F0QUOTE1"] = (doc.name, doc.data)
    with caplog.at_level(logging.DEBUG):
        assert (
            await slack.post(dm_with_file("F0QUOTE1", text="their latest", event_id="Ev-002"), JSON)
        ).status == 200
        posts = await fake.wait_for("chat.postMessage", 2)
    # files.info, then the private URL with the bot token (the only token it was sent with).
    assert fake.of("files.info") == [{"file": "F0QUOTE1"}]
    (download,) = [c for c in fake.calls if c.method == "file.download"]
    assert download.token == BOT_TOKEN
    shown = text_of(posts[1])
    assert "Read 12 lines from the PDF" in shown and doc.lines[0].part in shown
    assert "Store as offer 1" in shown
    logged = caplog.text
    assert doc.lines[0].product not in logged and doc.lines[0].part not in logged  # no offer content
    assert "read a shared file source=pdf lines=12" in logged

    await slack.post(press(posts[1], "Store as offer 1"), FORM)
    posts = await fake.wait_for("chat.postMessage", 3)
    assert "Stored as offer 1 from Microsoft (12 lines)" in posts[2]["text"]
    await fake.wait_for("files.completeUploadExternal")  # the totals-per-round picture
    (png,) = fake.files
    assert png.data.startswith(b"\x89PNG") and png.channel == "D1"


async def test_a_second_quote_in_a_channel_mention_is_compared(server, fake):
    slack = server
    await slack.post(command("deal new Woodgrove"), FORM)
    await fake.wait_for("chat.postMessage")
    one = docs.make("csv", 30, 4)
    two_text = one.data.decode().replace(f"{one.lines[0].yearly:,.2f}", f"{one.lines[0].yearly - 1000:,.2f}")
    fake.shared["F1"] = ("round1.csv", one.data)
    fake.shared["F2"] = ("round2.csv", two_text.encode())
    for n, fid in enumerate(("F1", "F2")):
        mention = {"type": "app_mention", "user": "U1", "text": "<@UBOT> here", "channel": "C1",
                   "ts": f"5.{n}", "files": [{"id": fid}]}  # fmt: skip
        await slack.post(event(mention, event_id=f"Ev-m{n}"), JSON)
        posts = await fake.wait_for("chat.postMessage", 2 + 2 * n)
        await slack.post(press(posts[-1], f"Store as offer {n + 1}", channel="C1", ts=f"6.{n}"), FORM)
        await fake.wait_for("chat.postMessage", 3 + 2 * n)
    await slack.post(command("what changed in their latest offer?"), FORM)
    posts = await fake.wait_for("chat.postMessage", 6)
    shown = text_of(posts[5])
    assert "What changed in offer 2" in shown
    assert f"{one.lines[0].product}:" in shown and "-$1,000" in shown
    assert "Did not move:" in shown


async def test_a_bad_or_unreachable_file_gets_one_line_and_stores_nothing(slack, fake):
    await slack.post(command("deal new Woodgrove", channel="D1"), FORM)
    await fake.wait_for("chat.postMessage")
    fake.shared["F9"] = ("scan.pdf", b"%PDF-1.4 broken")
    await slack.post(dm_with_file("F9", event_id="Ev-009"), JSON)
    posts = await fake.wait_for("chat.postMessage", 2)
    assert "damaged" in posts[1]["text"] and "Store as" not in text_of(posts[1])
    # A file Slack no longer has, and a URL outside Slack's hosts: never fetched with the token.
    await slack.post(dm_with_file("F404", event_id="Ev-010"), JSON)
    posts = await fake.wait_for("chat.postMessage", 3)
    assert "couldn't fetch that file from Slack" in posts[2]["text"]
    fake.file_url_host = "evil.example.com"
    fake.shared["F10"] = ("quote.csv", docs.make("csv", 3, 3).data)
    await slack.post(dm_with_file("F10", event_id="Ev-011"), JSON)
    posts = await fake.wait_for("chat.postMessage", 4)
    assert "couldn't fetch that file from Slack" in posts[3]["text"]
    assert [c for c in fake.calls if c.method == "file.download"] == [
        c for c in fake.calls if c.method == "file.download" and c.args["file"] == "F9"
    ]
    listed = await slack.post(command("offer list", channel="D1"), FORM)
    assert listed.status == 200
    posts = await fake.wait_for("chat.postMessage", 5)
    assert "No offers from Microsoft" in posts[4]["text"]


async def test_a_file_too_large_is_refused_from_its_size_without_downloading(slack, fake):
    limit = slack.rt.kb.section("offers.limits").max_bytes
    fake.shared["FBIG"] = ("huge.pdf", b"%PDF" + bytes(limit))
    await slack.post(dm_with_file("FBIG", event_id="Ev-big"), JSON)
    (post,) = await fake.wait_for("chat.postMessage", 1)
    assert "too large" in post["text"]  # said before anything else, even with no deal here
    assert [c for c in fake.calls if c.method == "file.download"] == []


async def test_the_coachs_own_picture_and_other_images_are_not_read(slack, fake):
    own = {"type": "message", "subtype": "file_share", "channel_type": "im", "user": "UBOT", "channel": "D1",
           "ts": "3.1", "files": [{"id": "FPNG", "name": "offers-x.png", "filetype": "png"}]}  # fmt: skip
    await slack.post(event(own, event_id="Ev-own"), JSON)
    photo = {
        **own,
        "user": "U1",
        "ts": "3.2",
        "files": [{"id": "FJPG", "name": "whiteboard.jpg", "filetype": "jpg"}],
    }
    await slack.post(event(photo, event_id="Ev-photo"), JSON)
    await slack.post(command("help", channel="D1"), FORM)  # a marker: once answered, the others were seen
    await fake.wait_for("chat.postMessage", 1)
    assert fake.of("files.info") == [] and len([d for d in slack.done if d is not None]) == 1
