"""The renewal timeline picture: real PNG/SVG bytes from matplotlib, the same bytes for the same data."""

from __future__ import annotations

import struct
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

from bot import brief_picture
from bot.playbooks import brief as br
from bot.timeline import Event, make_view
from bot.understanding.money import amounts_in

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _deal():
    at = NOW - timedelta(days=20)
    events = [
        Event(1, "fact", {"key": "renewal_date", "value": "2027-03-31"}, "u1", at),
        Event(2, "ms_statement", {"type": "final_offer", "label": "final offer"}, "u1", at),
        Event(3, "escalation", {"text": "we escalated"}, "u1", NOW - timedelta(days=3)),
        Event(4, "meeting", {"when": "2026-12-04T10:00:00+00:00", "title": "pricing call"}, "u1", at),
    ]
    return make_view(1, "Woodgrove", events)


def test_the_timeline_is_a_png_of_sane_size_with_every_kind_plotted(kb):
    brief = br.build(_deal(), kb, NOW, amounts_in=amounts_in)
    kinds = {m.kind for m in brief.marks}
    assert {"today", "renewal", "milestone", "microsoft", "meeting", "escalation", "statement"} <= kinds
    assert [m.what for m in brief.marks if m.overdue] == ["T-18 months", "T-12 months", "T-6 months"]
    png = brief_picture.render(brief.marks, brief.today, brief.renewal)
    assert png.startswith(PNG_MAGIC)
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (990, 352)  # 9 x 3.2 inches at 110 dpi
    assert 10_000 < len(png) < 400_000


def test_same_data_same_bytes_and_an_svg_for_html(kb):
    brief = br.build(_deal(), kb, NOW, amounts_in=amounts_in)
    first = brief_picture.render(brief.marks, brief.today, brief.renewal)
    assert brief_picture.render(brief.marks, brief.today, brief.renewal) == first
    moved = [br.DatedMark(date(2027, 1, 15), "extra call", "meeting"), *brief.marks]
    assert brief_picture.render(moved, brief.today, brief.renewal) != first
    svg = brief_picture.render(brief.marks, brief.today, brief.renewal, fmt="svg").decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg


def test_the_plotting_library_is_not_loaded_by_the_core():
    code = "import sys, bot.coach, bot.features, adapters.console.cli; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


BRIEF_TURN = """
import asyncio, sys
from adapters.runtime import Runtime
from bot.settings import Settings
from bot.turn import Turn

async def main(url):
    rt = await Runtime.start(Settings(COACH_DATABASE_URL=url))
    try:
        for text in ("deal new Woodgrove", "we renew on 2027-03-31", "brief"):
            turn = Turn(platform="console", tenant="t1", conversation="c1", user="u1", text=text)
            reply = await rt.handle(turn)
        print(reply.intent, [a.kind for a in reply.attachments], "matplotlib" in sys.modules)
    finally:
        await rt.close()

asyncio.run(main(sys.argv[1]))
"""


def test_a_brief_turn_leaves_the_drawing_to_the_surface(sqlite_url):
    """The turn that answers "brief" hands over attachments undrawn: plotting (and its import)
    happens in the adapter after the turn, never inside it."""
    out = subprocess.run(
        [sys.executable, "-c", BRIEF_TURN, sqlite_url],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.strip().splitlines()[-1] == "deal.brief ['document', 'picture'] False"
