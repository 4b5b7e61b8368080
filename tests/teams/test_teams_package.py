"""`python -m adapters.teams.package` zips a manifest whose ids are the bot's and valid PNG icons."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

from adapters.teams.package import main


def test_package_zip(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    assert main(["--app-id", "12345678-1234-1234-1234-123456789abc", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(z.read("manifest.json"))
        sizes = {n: struct.unpack(">II", z.read(n)[16:24]) for n in ("color.png", "outline.png")}
    assert manifest["bots"][0]["botId"] == "12345678-1234-1234-1234-123456789abc"
    command = manifest["composeExtensions"][0]["commands"][0]
    assert command["context"] == ["message"] and command["id"] == "leakCheck"
    roles = {c["value"] for c in command["parameters"][0]["choices"]}
    assert {"ae", "csm", "partner"} <= roles  # the role picker lists knowledge/roles.yaml
    assert sizes == {"color.png": (192, 192), "outline.png": (32, 32)}
