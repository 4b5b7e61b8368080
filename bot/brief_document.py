"""The deal brief as a printable document: Markdown or HTML (A4/Letter, the timeline included).

Pure: (Brief, picture bytes) -> text. Everything from the deal is escaped: names and facts
are what users typed.
"""

from __future__ import annotations

import html
import re

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


def to_html(brief: Brief, svg: bytes | None = None) -> str:
    esc = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(brief.headline)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(brief.headline)}</h1>",
        f'<p class="marking">{esc(brief.marking.text)}</p>',
    ]
    if svg:
        # matplotlib's own SVG: no user text beyond labels it escapes itself; drop its XML prologue.
        body = svg.decode("utf-8")
        body = body[body.index("<svg") :]
        parts.append(f'<figure aria-label="Renewal timeline">{body}</figure>')
    for s in brief.sections:
        parts.append(f"<h2>{esc(s.title)}</h2><ul>")
        for i in s.items:
            rule = f' <span class="rule">[{esc(i.rule)}]</span>' if i.rule else ""
            parts.append(f"<li>{esc(i.text)}{rule}</li>")
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
