"""The deal brief arrives in Slack as an answer and then as a PDF in the conversation
(files_upload_v2 against the loopback Web API), read back with pypdf."""

from __future__ import annotations

import logging

import pytest

from tests.pdf import pdf_images, pdf_text
from tests.slack.fakes import command, event

FORM = "application/x-www-form-urlencoded"
DEAL = "Woodgrove EA renewal"
BUDGET = ("$2.4M", "2,400,000", "2400000")
WALK = ("$2.7M", "2,700,000", "2700000")
TOLD = [
    f"deal new {DEAL}",
    "we renew on 2027-03-31",
    "we've had 4 rounds with the account team",
    "the sticking point is Copilot price, worth about $300k a year",
    "budget per year: 2400000",
    "set walk threshold per year: 2700000",
    "the AE said this is their final offer",
]


@pytest.fixture
async def slack(start_slack, sqlite_url):
    """No "Working on it…" placeholder even on a loaded machine: these tests count the posts."""
    return await start_slack(sqlite_url, SLACK_PLACEHOLDER_AFTER=60.0)


async def _tell(slack, fake) -> int:
    for n, line in enumerate(TOLD, 1):
        await slack.post(command(line), FORM)
        await fake.wait_for("chat.postMessage", n)
    return len(TOLD)


async def test_an_internal_brief_arrives_as_a_pdf_after_the_answer(slack, fake):
    told = await _tell(slack, fake)
    assert (await slack.post(command("write a one-pager for our CFO"), FORM)).status == 200
    await fake.wait_for("files.completeUploadExternal")
    posts = [i for i, c in enumerate(fake.calls) if c.method == "chat.postMessage"]
    assert len(posts) > told
    answer_at = next(i for i in posts if "Brief for" in fake.calls[i].args["text"])
    # The answer first; then upload URL, the bytes, the completion into the same conversation
    # (a reminder the loaded machine's worker may post meanwhile is not part of this).
    after = [c.method for c in fake.calls[answer_at + 1 :] if c.method != "chat.postMessage"]
    assert after == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    assert not any(c.method.startswith("files.") for c in fake.calls[:answer_at])
    (pdf,) = fake.files
    assert pdf.channel == "C1" and pdf.filename.endswith(".pdf") and pdf.data.startswith(b"%PDF")
    assert pdf.title and DEAL in pdf.title
    text = pdf_text(pdf.data)
    for section in (
        "Summary",
        "Where we stand",
        "The gap",
        "Rounds and what Microsoft said",
        "Dates that matter",
    ):
        assert section in text, section
    assert "INTERNAL" in text and "$2.4M" in text  # the budget, in a brief marked internal
    assert len(pdf_images(pdf.data)) >= 1  # the renewal timeline


async def test_a_brief_for_the_ae_as_a_pdf_has_no_protected_fact(slack, fake):
    told = await _tell(slack, fake)
    await slack.post(command("brief for the AE"), FORM)
    await fake.wait_for("files.completeUploadExternal")
    (pdf,) = fake.files
    text = pdf_text(pdf.data)
    assert "account executive" in text.casefold() and "The gap" in text
    flat = text.replace(" ", "")
    for secret in (*BUDGET, *WALK):
        assert secret.replace(" ", "") not in flat, secret
    assert "Where we stand" not in text and "31 Mar 2027" not in text  # position, dates: protected
    assert "Brief for" in fake.of("chat.postMessage")[told]["text"]
    assert len(pdf_images(pdf.data)) >= 1


async def test_a_failed_upload_leaves_the_answer_and_says_so(slack, fake, caplog):
    told = await _tell(slack, fake)
    fake.upload_status = 500
    with caplog.at_level(logging.INFO):
        await slack.post(command("brief"), FORM)
        posts = await fake.wait_for("chat.postMessage", told + 2)
    assert "Brief for" in posts[told]["text"]
    assert "couldn't attach the brief as a PDF" in posts[told + 1]["text"]
    assert fake.files == [] and fake.of("files.completeUploadExternal") == []
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "could not attach a file" in logged
    assert "Woodgrove" not in logged and "Copilot" not in logged  # no deal data in the log


async def test_a_brief_asked_in_a_thread_gets_its_pdf_in_that_thread(slack, fake):
    told = await _tell(slack, fake)
    inner = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> exec summary",
        "channel": "C1",
        "ts": "77.1",
    }
    await slack.post(event(inner, event_id="Ev-brief"), "application/json")
    await fake.wait_for("files.completeUploadExternal")
    assert fake.of("chat.postMessage")[told]["thread_ts"] == "77.1"
    (pdf,) = fake.files
    assert (pdf.channel, pdf.thread_ts) == ("C1", "77.1")


async def test_answers_without_a_document_upload_nothing(slack, fake):
    await slack.post(command(f"deal new {DEAL}"), FORM)
    await slack.post(command("deal show"), FORM)
    await fake.wait_for("chat.postMessage", 2)
    assert fake.of("files.getUploadURLExternal") == []
