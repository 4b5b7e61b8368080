"""The deal brief as a printable document: Markdown or HTML (A4/Letter, the timeline included).

Pure: (Brief, picture bytes) -> text. Everything from the deal is escaped: names and facts
are what users typed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime, time
from pathlib import Path

from bot.playbooks.brief import Brief

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _cite(rule: str | None) -> str:
    return f" [{rule}]" if rule else ""


def to_markdown(brief: Brief, picture: str | None = None) -> str:
    """`picture` is a path or URL of the timeline image, written beside the file."""
    lines = [f"# {_md(brief.headline)}", "", f"**{_md(brief.marking.text)}**", ""]
    if picture:
        lines += [f"![Renewal timeline]({picture})", ""]
    for s in brief.sections:
        lines += [f"## {_md(s.title)}", ""]
        lines += [f"- {_md(i.text)}{_cite(i.rule)}" for i in s.items]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


_CSS = """
@page { size: A4; margin: 14mm; }
body { font: 10.5pt/1.35 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #111;
       max-width: 190mm; margin: 0 auto; }
h1 { font-size: 15pt; margin: 0 0 4pt; }
h2 { font-size: 11pt; margin: 10pt 0 2pt; border-bottom: 1px solid #ddd; }
ul { margin: 2pt 0; padding-left: 14pt; }
.marking { font-weight: bold; color: #a01515; }
.rule { color: #888; font-size: 8pt; }
figure { margin: 6pt 0; } figure svg { width: 100%; height: auto; }
"""


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ brief.headline }}</title><style>{{ css }}</style></head><body>
<h1>{{ brief.headline }}</h1>
<p class="marking">{{ brief.marking.text }}</p>
{% if svg %}<figure aria-label="Renewal timeline">{{ svg }}</figure>
{% endif %}{% for s in brief.sections %}<h2>{{ s.title }}</h2><ul>
{% for i in s.items %}<li>{{ i.text }}{% if i.rule %} <span class="rule">[{{ i.rule }}]</span>{% endif %}</li>
{% endfor %}</ul>
{% endfor %}</body></html>
"""


def to_html(brief: Brief, svg: bytes | None = None) -> str:
    """Rendered by jinja2 with autoescape on: every name and fact users typed is escaped. jinja2
    is imported here, so only an HTML brief pays for it."""
    from jinja2 import Environment
    from markupsafe import Markup

    picture = None
    if svg:
        # matplotlib's own SVG: no user text beyond labels it escapes itself; drop its XML prologue.
        body = svg.decode("utf-8")
        picture = Markup(body[body.index("<svg") :])
    template = Environment(autoescape=True, keep_trailing_newline=True).from_string(_HTML)
    return template.render(brief=brief, svg=picture, css=Markup(_CSS))


def to_pdf(brief: Brief, png: bytes | None = None, more: Sequence[bytes] = ()) -> bytes:
    """A4 one-pager with fpdf2 (imported here: only a PDF brief pays for it). The font is the
    DejaVu Sans matplotlib ships, so any name or symbol users typed prints as typed."""
    import matplotlib
    from fpdf import FPDF

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf = FPDF(format="A4")
    pdf.set_margins(14, 12, 14)
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_title(brief.headline)
    # The brief's own day as the creation date: the same deal on the same day, the same file.
    pdf.set_creation_date(datetime.combine(brief.today, time(0), tzinfo=UTC))
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(width, 7, brief.headline, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 9)
    pdf.set_text_color(160, 21, 21)
    pdf.multi_cell(width, 5, brief.marking.text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(17, 17, 17)
    if png:
        pdf.image(io.BytesIO(png), w=width)
    for picture in more:  # e.g. Microsoft's offers per round, under the timeline
        pdf.image(io.BytesIO(picture), w=width * 0.7)
    for s in brief.sections:
        pdf.ln(1.5)
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(width, 5.5, s.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8.5)
        for i in s.items:
            pdf.multi_cell(width, 4.2, f"• {i.text}{_cite(i.rule)}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
