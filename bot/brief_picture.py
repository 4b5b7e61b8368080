"""The renewal timeline as a picture: one horizontal axis of dates, one marker style per kind.

Pure given its data: (marks, today, renewal) -> image bytes. matplotlib is imported here,
inside the function, so only making a brief pays for it (never a normal turn or the CLI start).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Literal

from bot.playbooks.brief import DatedMark

# kind -> (row on the chart, marker, colour); rows keep labels of different kinds apart.
STYLE = {
    "milestone": (2.0, "D", "#1f5fa8"),
    "renewal": (2.0, "*", "#111111"),
    "microsoft": (1.0, "s", "#7a7a7a"),
    "meeting": (0.0, "o", "#2a8a3a"),
    "escalation": (-1.0, "^", "#c46a00"),
    "statement": (-2.0, "v", "#8a2a7a"),
}
OVERDUE = "#c0392b"
LABELLED = ("milestone", "renewal", "microsoft", "meeting")
SIZE_INCHES = (9.0, 3.2)


def render(
    marks: Sequence[DatedMark],
    today: date,
    renewal: date | None = None,
    fmt: Literal["png", "svg"] = "png",
    dpi: int = 110,
    colors: int | None = None,
) -> bytes:
    """`colors`: a PNG with a palette of that many colours (a card carries the image inline,
    so every kilobyte counts; a few colours lose nothing on a line chart)."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure

    fig = Figure(figsize=SIZE_INCHES, dpi=dpi)  # a Figure, not pyplot: no global state
    ax = fig.add_subplot()
    ax.axvline(today, color="#444444", linestyle="--", linewidth=1)
    ax.annotate("today", (mdates.date2num(today), 2.6), ha="center", fontsize=8)
    if renewal is not None:
        ax.axvline(renewal, color="#111111", linewidth=1.5)
    # One scatter per kind and colour (a long negotiation logs hundreds of statements); only
    # the dates people plan around get a label, the rest are markers on their row.
    groups: dict[tuple[str, bool], list[DatedMark]] = {}
    for m in marks:
        if m.kind != "today":
            groups.setdefault((m.kind, m.overdue), []).append(m)
    for (kind, overdue), group in sorted(groups.items()):
        row, marker, colour = STYLE.get(kind, (0.0, "o", "#333333"))
        colour = OVERDUE if overdue else colour
        xs = [mdates.date2num(m.day) for m in group]
        ax.scatter(
            xs, [row] * len(xs), marker=marker, color=colour, s=80 if kind == "renewal" else 28, zorder=3
        )
        if kind not in LABELLED:
            continue
        for m in group:
            label = f"{m.what} (overdue)" if m.overdue else m.what
            ax.annotate(
                label[:28],
                (mdates.date2num(m.day), row),
                xytext=(0, 7),
                textcoords="offset points",
                rotation=30,
                fontsize=7,
                color=colour,
            )
    days = [m.day for m in marks] + [today] + ([renewal] if renewal else [])
    ax.set_xlim(mdates.date2num(min(days)) - 20, mdates.date2num(max(days)) + 40)
    ax.set_ylim(-2.8, 3.0)
    ax.set_yticks([2, 1, 0, -1, -2], ["renewal", "Microsoft", "meetings", "escalations", "statements"])
    ax.tick_params(axis="y", labelsize=7)
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=3))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", color="#e5e5e5")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    out = io.BytesIO()
    # No timestamps in the file, so the same data gives the same bytes.
    metadata = {"Software": None} if fmt == "png" else {"Date": None}
    fig.savefig(out, format=fmt, metadata=metadata)
    if fmt != "png" or not colors:
        return out.getvalue()
    from PIL import Image  # Pillow: matplotlib's own dependency for PNG

    small = io.BytesIO()
    with Image.open(io.BytesIO(out.getvalue())) as img:
        img.convert("RGB").quantize(colors=colors).save(small, format="PNG", optimize=True)
    return small.getvalue()
