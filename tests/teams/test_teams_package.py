"""`python -m adapters.teams.package` zips a manifest whose ids are the bot's and valid PNG icons,
writes only the chosen output path (never the installed package), and refuses a placeholder app
id unless told --allow-placeholder."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from adapters.teams.package import APP_ID_VARIABLE, DEFAULT_OUT, PACKAGE_DIR, PLACEHOLDER, main

APP = "12345678-1234-1234-1234-123456789abc"
ROOT = Path(__file__).resolve().parents[2]


def package_files() -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(PACKAGE_DIR)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in PACKAGE_DIR.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(APP_ID_VARIABLE, raising=False)
    return tmp_path


def test_package_zip(workdir: Path) -> None:
    before = package_files()
    assert main(["--app-id", APP]) == 0
    out = workdir / DEFAULT_OUT
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(z.read("manifest.json"))
        sizes = {n: struct.unpack(">II", z.read(n)[16:24]) for n in ("color.png", "outline.png")}
    assert manifest["bots"][0]["botId"] == APP
    assert PLACEHOLDER not in json.dumps(manifest)
    command = manifest["composeExtensions"][0]["commands"][0]
    assert command["context"] == ["message"] and command["id"] == "leakCheck"
    roles = {c["value"] for c in command["parameters"][0]["choices"]}
    assert {"ae", "csm", "partner"} <= roles  # the role picker lists knowledge/roles.yaml
    assert sizes == {"color.png": (192, 192), "outline.png": (32, 32)}
    assert package_files() == before  # nothing written into the installed package
    written = [p.relative_to(workdir).as_posix() for p in workdir.rglob("*") if p.is_file()]
    assert written == [DEFAULT_OUT]


def test_without_a_real_app_id_it_refuses(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in ([], ["--app-id", PLACEHOLDER], ["--app-id", "not-a-guid"]):
        assert main(argv) == 2
        assert "--app-id" in capsys.readouterr().err
    assert list(workdir.iterdir()) == []


def test_the_app_id_may_come_from_the_environment(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(APP_ID_VARIABLE, APP.upper())
    assert main(["--out", "teams.zip"]) == 0
    with zipfile.ZipFile(workdir / "teams.zip") as z:
        assert json.loads(z.read("manifest.json"))["bots"][0]["botId"] == APP


def test_a_placeholder_package_only_when_asked_and_with_a_warning(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--allow-placeholder", "--out", "p.zip"]) == 0
    assert "placeholder" in capsys.readouterr().err
    with zipfile.ZipFile(workdir / "p.zip") as z:
        assert json.loads(z.read("manifest.json"))["bots"][0]["botId"] == PLACEHOLDER


def test_it_refuses_to_write_inside_the_package(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = package_files()
    assert main(["--app-id", APP, "--out", str(PACKAGE_DIR / "appPackage" / "x.zip")]) == 2
    assert "package" in capsys.readouterr().err
    assert package_files() == before


def test_python_dash_m_without_an_app_id_exits_non_zero(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != APP_ID_VARIABLE}
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, "-m", "adapters.teams.package"]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "no app id" in done.stderr
    assert list(tmp_path.iterdir()) == []
