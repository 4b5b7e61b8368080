"""Microsoft's total per year, offer by offer: one small line chart, the brief's style.

Pure given its data: (points, currency) -> PNG bytes. matplotlib is imported inside, so only
a reply that carries the picture pays for it, after the turn has committed. Our budget is
never drawn: a picture is easy to forward.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

SIZE_INCHES = (6.0, 2.6)


def render(
    points: Sequence[tuple[int, float]], currency: str | None, *, dpi: int = 110, colors: int | None = None
) -> bytes:
    """`colors`: a palette PNG of that many colours (a Teams card carries the image inline)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    from bot.playbooks.offers import amount

    fig = Figure(figsize=SIZE_INCHES, dpi=dpi)
    ax = fig.add_subplot()
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    ax.plot(xs, ys, marker="o", color="#1f5fa8", linewidth=1.5)
    for x, y in points:
        ax.annotate(
            amount(y, currency), (x, y), xytext=(0, 7), textcoords="offset points", ha="center", fontsize=7
        )
    ax.set_xticks(xs, [f"offer {x}" for x in xs])
    ax.tick_params(labelsize=7)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: amount(v, currency)))
    low, high = min(ys), max(ys)
    pad = (high - low) * 0.25 or high * 0.05 or 1.0
    ax.set_ylim(low - pad, high + pad)
    if len(xs) == 1:
        ax.set_xlim(xs[0] - 1, xs[0] + 1)
    ax.set_title("Microsoft's offer per year, round by round", fontsize=8)
    ax.grid(axis="y", color="#e5e5e5")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    if not colors:
        return out.getvalue()
    from PIL import Image  # Pillow: matplotlib's own dependency

    small = io.BytesIO()
    with Image.open(io.BytesIO(out.getvalue())) as img:
        img.convert("RGB").quantize(colors=colors).save(small, format="PNG", optimize=True)
    return small.getvalue()
