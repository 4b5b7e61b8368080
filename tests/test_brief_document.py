"""`coach deal brief`: the one-pager in the terminal and as Markdown or HTML, run as a real process."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import brief_document
from bot.playbooks import brief as br
from bot.timeline import Event, make_view
from bot.understanding.money import amounts_in
from tests.test_cli import coach

BUDGET = "$2.4M"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("brief")
    assert coach(path, "deal", "new", "Woodgrove", "EA", "renewal").returncode == 0
    for line in [
        "we renew on 2027-03-31",
        "we've had 4 rounds with the account team",
        "the sticking point is Copilot price, worth about $300k a year",
        "budget per year: 2400000",
        "the AE said this is their final offer",
    ]:
        assert coach(path, "ask", line).returncode == 0, line
    return path


def test_brief_in_the_terminal(home):
    out = coach(home, "deal", "brief", "Woodgrove", "EA", "renewal")
    assert out.returncode == 0, out.stderr
    assert "Brief for Woodgrove EA renewal" in out.stdout and BUDGET in out.stdout


def test_brief_as_markdown_with_the_timeline_beside_it(home, tmp_path):
    target = tmp_path / "brief.md"
    out = coach(home, "deal", "brief", "Woodgrove", "EA", "renewal", "-o", str(target))
    assert out.returncode == 0, out.stderr
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Brief for Woodgrove EA renewal")
    assert "## The gap" in text and "## Dates that matter" in text and BUDGET in text
    assert "![Renewal timeline](brief.timeline.png)" in text
    png = (tmp_path / "brief.timeline.png").read_bytes()
    assert png.startswith(b"\x89PNG") and struct.unpack(">II", png[16:24])[0] > 500


def test_brief_as_html_for_the_ae_has_the_picture_and_no_budget(home, tmp_path):
    target = tmp_path / "brief.html"
    out = coach(home, "deal", "brief", "Woodgrove", "EA", "renewal", "--for", "ae", "-o", str(target))
    assert out.returncode == 0, out.stderr
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<svg" in page and "@page" in page
    assert "account executive" in page.casefold()
    assert BUDGET not in page and "2,400,000" not in page and "31 Mar 2027" not in page
    assert "The gap" in page and "Dates that matter" not in page
    internal = tmp_path / "internal.html"
    assert coach(home, "deal", "brief", "Woodgrove", "EA", "renewal", "-o", str(internal)).returncode == 0
    assert BUDGET in internal.read_text(encoding="utf-8")


def test_brief_as_pdf_reads_back_with_sections_and_the_picture(home, tmp_path):
    from pypdf import PdfReader

    internal, for_ae = tmp_path / "brief.pdf", tmp_path / "ae.pdf"
    assert coach(home, "deal", "brief", "Woodgrove", "EA", "renewal", "-o", str(internal)).returncode == 0
    pdf = PdfReader(internal)
    assert len(pdf.pages) == 1  # a typical deal fits on one A4 page
    text = pdf.pages[0].extract_text()
    for title in ("Where we stand", "The gap", "Rounds and what Microsoft said", "Dates that matter"):
        assert title in text
    assert BUDGET in text and "INTERNAL" in text
    assert len(pdf.pages[0].images) == 1  # the timeline
    out = coach(home, "deal", "brief", "Woodgrove", "EA", "renewal", "--for", "AE", "-o", str(for_ae))
    assert out.returncode == 0, out.stderr
    ae_text = PdfReader(for_ae).pages[0].extract_text()
    assert "The gap" in ae_text and BUDGET not in ae_text and "2,400,000" not in ae_text
    assert "Where we stand" not in ae_text and "31 Mar 2027" not in ae_text


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("deal", "brief", "Contoso"), 1, "I don't know a deal called “Contoso”."),
        (
            ("deal", "brief", "Woodgrove", "EA", "renewal", "--for", "cfo"),
            1,
            "I don't know the Microsoft role",
        ),
        (
            ("deal", "brief", "Woodgrove", "EA", "renewal", "-o", "brief.docx"),
            2,
            "Write the brief as .md, .html or .pdf",
        ),
        (("deal", "brief"), 2, "the following arguments are required: name"),
    ],
)
def test_brief_exit_codes(home, args, code, says):
    out = coach(home, *args)
    assert out.returncode == code and says in out.stderr, out.stderr


def test_what_users_typed_is_escaped_in_html_and_markdown(kb):
    now = datetime(2026, 11, 23, tzinfo=UTC)
    typed = "<script>alert(1)</script> *terms* [x](y)"
    deal = make_view(
        1, "A <b>deal</b>", [Event(1, "fact", {"key": "sticking_point", "value": typed}, "u1", now)]
    )
    brief = br.build(deal, kb, now, amounts_in=amounts_in)
    page = brief_document.to_html(brief)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<b>" not in page
    md = brief_document.to_markdown(brief)
    assert "\\<script\\>" in md and "\\*terms\\*" in md and "\\[x\\](y)" in md
