"""The boundaries docs/architecture.md describes, checked: the core imports no chat SDK and nothing from
adapters/, playbooks read no clock and do no I/O, and the code is ruff-clean."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_IN_CORE = ("slack_bolt", "slack_sdk", "microsoft_agents", "adapters", "aiohttp", "openai")
IMPURE_IN_PLAYBOOKS = ("sqlalchemy", "aiohttp", "requests", "httpx", "os", "subprocess", "socket")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_no_chat_sdk_and_no_adapter():
    offenders = {
        str(p.relative_to(ROOT)): sorted(imports(p) & set(FORBIDDEN_IN_CORE))
        for p in (ROOT / "bot").rglob("*.py")
        if imports(p) & set(FORBIDDEN_IN_CORE) and not p.is_relative_to(ROOT / "bot" / "llm")
    }
    assert offenders == {}


def test_playbooks_are_pure():
    offenders = {}
    for p in (ROOT / "bot" / "playbooks").rglob("*.py"):
        text = p.read_text(encoding="utf-8")
        bad = sorted(imports(p) & set(IMPURE_IN_PLAYBOOKS))
        if "datetime.now(" in text or "date.today(" in text or "time.time(" in text:
            bad.append("reads the clock")
        if "open(" in text:
            bad.append("opens files")
        if bad:
            offenders[str(p.relative_to(ROOT))] = bad
    assert offenders == {}


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    out = subprocess.run([ruff, "check", "--no-cache", str(ROOT)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]
