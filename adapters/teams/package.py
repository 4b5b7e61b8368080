"""`python -m adapters.teams.package [--app-id ID] [--out FILE] [--allow-placeholder]`: icons +
manifest -> a sideloadable zip, written to `--out` only (default ./build/deal-coach-teams.zip),
never into the installed package.

The icons are drawn here with zlib/struct (no image library), straight into the zip: a 192x192
colour icon and a 32x32 white-on-transparent outline icon, as Teams requires. Without a real app
id (a GUID, from --app-id or the environment) it refuses, unless told --allow-placeholder.
"""

from __future__ import annotations

import argparse
import json
import re
import struct
import sys
import zipfile
import zlib
from pathlib import Path

from adapters.teams.config import sdk_environment

PACKAGE_DIR = Path(__file__).parent
APP_DIR = PACKAGE_DIR / "appPackage"
PLACEHOLDER = "00000000-0000-0000-0000-000000000000"
APP_ID_VARIABLE = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"
DEFAULT_OUT = "build/deal-coach-teams.zip"
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


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


def role_choices() -> list[dict[str, str]]:
    """The message action's role picker lists the roles in knowledge/ (so a new role shows up)."""
    from bot.features import default_knowledge

    return [{"title": r.title, "value": r.key} for r in default_knowledge().roles.values()]


def real_app_id(app_id: str) -> bool:
    return bool(GUID.fullmatch(app_id)) and app_id != PLACEHOLDER


def inside_package(path: Path) -> bool:
    return path.resolve().is_relative_to(PACKAGE_DIR.resolve())


def build(out: Path, app_id: str) -> Path:
    """Write the zip to `out`, and nothing anywhere else (the icons go straight into the zip)."""
    if inside_package(out):
        raise ValueError(f"refusing to write inside the installed package ({PACKAGE_DIR})")
    manifest = json.loads((APP_DIR / "manifest.json").read_text(encoding="utf-8"))
    for extension in manifest.get("composeExtensions", []):
        for command in extension.get("commands", []):
            for param in command.get("parameters", []):
                if param.get("name") == "role" and param.get("inputType") == "choiceset":
                    param["choices"] = role_choices()
    text = json.dumps(manifest, indent=2).replace(PLACEHOLDER, app_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", text)
        z.writestr("color.png", color_icon())
        z.writestr("outline.png", outline_icon())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Zip the Teams app package.")
    parser.add_argument("--app-id", help="the Azure Bot's app (client) id; default: the environment")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"the zip to write (default: ./{DEFAULT_OUT})")
    parser.add_argument(
        "--allow-placeholder",
        action="store_true",
        help=f"build without a real app id ({PLACEHOLDER}); such a package cannot be installed",
    )
    args = parser.parse_args(argv)
    app_id = (args.app_id or sdk_environment().get(APP_ID_VARIABLE) or "").strip().lower()
    if not real_app_id(app_id):
        if not args.allow_placeholder:
            print(
                f"error: no app id. Pass --app-id <the Azure Bot's app (client) id, a GUID> or set "
                f"{APP_ID_VARIABLE}; --allow-placeholder builds a package Teams will not install.",
                file=sys.stderr,
            )
            return 2
        print(f"warning: placeholder app id {PLACEHOLDER}: Teams will not install this", file=sys.stderr)
        app_id = PLACEHOLDER
    try:
        path = build(Path(args.out), app_id)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
