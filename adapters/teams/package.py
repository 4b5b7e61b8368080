"""`python -m adapters.teams.package [--app-id ID] [--out FILE]`: icons + manifest -> a sideloadable zip.

The icons are drawn here with zlib/struct (no image library): a 192x192 colour icon and a 32x32
white-on-transparent outline icon, as Teams requires.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import zipfile
import zlib
from pathlib import Path

APP_DIR = Path(__file__).parent / "appPackage"
PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def png(width: int, height: int, pixel) -> bytes:
    """An RGBA PNG; `pixel(x, y)` returns (r, g, b, a)."""
    rows = b"".join(
        b"\x00" + b"".join(struct.pack("4B", *pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    data = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + data


def _near(x: float, y: float, a: tuple[float, float], b: tuple[float, float], width: float) -> bool:
    (ax, ay), (bx, by) = a, b
    t = max(0.0, min(1.0, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)))
    px, py = ax + t * (bx - ax), ay + t * (by - ay)
    return (x - px) ** 2 + (y - py) ** 2 <= width * width


def _mark(x: float, y: float) -> bool:
    """The mark, in unit coordinates: a ring with a tick inside."""
    r = ((x - 0.5) ** 2 + (y - 0.5) ** 2) ** 0.5
    tick = _near(x, y, (0.34, 0.52), (0.45, 0.63), 0.05) or _near(x, y, (0.45, 0.63), (0.67, 0.38), 0.05)
    return 0.30 <= r <= 0.39 or tick


def color_icon() -> bytes:
    def px(x: int, y: int) -> tuple[int, int, int, int]:
        if _mark((x + 0.5) / 192, (y + 0.5) / 192):
            return (255, 255, 255, 255)
        return (32, 84, 147, 255)

    return png(192, 192, px)


def outline_icon() -> bytes:
    def px(x: int, y: int) -> tuple[int, int, int, int]:
        return (255, 255, 255, 255) if _mark((x + 0.5) / 32, (y + 0.5) / 32) else (0, 0, 0, 0)

    return png(32, 32, px)


def write_icons(folder: Path = APP_DIR) -> None:
    (folder / "color.png").write_bytes(color_icon())
    (folder / "outline.png").write_bytes(outline_icon())


def role_choices() -> list[dict[str, str]]:
    """The message action's role picker lists the roles in knowledge/ (so a new role shows up)."""
    from bot.knowledge import default_knowledge

    return [{"title": r.title, "value": r.key} for r in default_knowledge().roles.values()]


def build(out: Path, app_id: str | None = None) -> Path:
    write_icons()
    manifest = json.loads((APP_DIR / "manifest.json").read_text(encoding="utf-8"))
    for extension in manifest.get("composeExtensions", []):
        for command in extension.get("commands", []):
            for param in command.get("parameters", []):
                if param.get("name") == "role" and param.get("inputType") == "choiceset":
                    param["choices"] = role_choices()
    app_id = app_id or os.environ.get("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID") or PLACEHOLDER
    text = json.dumps(manifest, indent=2).replace(PLACEHOLDER, app_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", text)
        z.write(APP_DIR / "color.png", "color.png")
        z.write(APP_DIR / "outline.png", "outline.png")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Zip the Teams app package.")
    parser.add_argument("--app-id", help="the Azure Bot's app (client) id; default: the environment")
    parser.add_argument("--out", default="dist/deal-coach-teams.zip")
    args = parser.parse_args(argv)
    path = build(Path(args.out), args.app_id)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
