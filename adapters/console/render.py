"""Reply → terminal (rich) and Reply → JSON. Plain text is Reply.plain_text()."""

from __future__ import annotations

import json

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from bot.reply import Reply
from bot.textsafety import UNSAFE_IN_JSON, printable

# The terminal style of a verdict's wording, by its tone (bot/reply.py: VERDICT_TONE).
TONE_STYLE = {
    "go": "bold green",
    "wait": "bold yellow",
    "stop": "bold red",
    "info": "bold cyan",
    "neutral": "bold",
}


def to_json(reply: Reply) -> str:
    return json_text(reply.to_dict())


def json_text(doc: object, *, indent: int | None = None) -> str:
    """JSON for a terminal: the same document, with C1 controls and bidi formatting written as
    \\u escapes (json already escapes C0) so a name can't reorder or drive what is shown."""
    text = json.dumps(doc, ensure_ascii=False, indent=indent)
    return UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render(reply: Reply, console: Console) -> None:
    """Every string goes through `printable` (names come from other people and from imported
    files) and into Text, or through `escape` where markup is built, so none is interpreted."""
    parts: list[object] = []
    head = Text()
    first = reply.headline_parts()
    if first.label:
        head.append(printable(first.label), style=TONE_STYLE[reply.tone])
        head.append(printable(first.joiner + first.rest))
    else:
        head.append(printable(first.rest), style="bold")
    parts.append(head)
    for section in reply.sections:
        parts.append(Text(""))
        if section.title:
            parts.append(Text(printable(section.title), style="bold underline"))
        for n, item in enumerate(section.items, 1):
            line = Text(f" {section.mark(n, item, bullet='•', done='☑', todo='☐')} ")
            line.append_text(Text.from_markup(_inline_code(printable(item.text))))
            if item.rule:
                line.append(f"  [{printable(item.rule)}]", style="dim cyan")
            parts.append(line)
    for n, q in enumerate(reply.questions, 1):
        if n == 1:
            parts.append(Text(""))
        line = Text(f" {n}. {printable(q.prompt)}")
        if q.choices:
            line.append("  " + "  ".join(f"[{printable(c.label)}]" for c in q.choices), style="cyan")
        parts.append(line)
    if reply.draft:
        source = {"llm": "drafted by the LLM", "template": "from a template"}.get(
            reply.draft_source or "", "draft"
        )
        parts.append(Panel(escape(printable(reply.draft)), title=f"Draft ({source})", border_style="blue"))
    if reply.footer:
        parts.append(Text(""))
        parts.append(Text(printable(reply.footer), style="dim"))
    if reply.actions:
        parts.append(Text(""))
        parts.append(
            Text(
                "   ".join(f"[{n}] {printable(a.label)}" for n, a in enumerate(reply.actions, 1)),
                style="magenta",
            )
        )
    console.print(Group(*parts))


def _inline_code(text: str) -> str:
    # `code` spans in knowledge wording show as bold cyan; everything else is literal.
    out, code = [], False
    for n, chunk in enumerate(text.split("`")):
        if n:
            code = not code
        out.append(f"[bold cyan]{escape(chunk)}[/]" if code else escape(chunk))
    return "".join(out)
