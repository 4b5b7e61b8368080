"""The boundaries docs/architecture.md describes, checked: the import-linter contracts of
pyproject.toml (the rooms and what each may import, transitively), the core imports no chat SDK
and nothing from adapters/, playbooks read no clock and do no I/O, no import cycle among bot/
and adapters/ (not even one only a type checker sees), and the code is ruff-clean."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

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


# --- the rooms, as import-linter contracts -------------------------------------------------------
def lint_imports(root: Path) -> tuple[int, str]:
    """import-linter's CLI on the tree at `root` (its pyproject.toml, its bot/ and adapters/)."""
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200"}
    out = subprocess.run([exe, "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    return out.returncode, " ".join((out.stdout + out.stderr).split())


def contract_names() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [c["name"] for c in config["tool"]["importlinter"]["contracts"]]


def test_every_import_contract_is_kept():
    code, out = lint_imports(ROOT)
    assert code == 0, out[-4000:]
    for name in contract_names():
        assert f"{name} KEPT" in out


def test_a_playbook_that_reaches_the_database_breaks_its_contract_by_name(tmp_path):
    for part in ("bot", "adapters"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    walkaway = tmp_path / "bot" / "playbooks" / "walkaway.py"
    walkaway.write_text(walkaway.read_text(encoding="utf-8") + "\nfrom bot.memory import Memory\n")
    code, out = lint_imports(tmp_path)
    assert code != 0
    assert "Playbooks are pure: no database, no model, no LLM, no message reader, no settings BROKEN" in out
    assert "bot.playbooks.walkaway -> bot.memory" in out
    assert "The core imports no surface: no adapter, no chat SDK, no web server KEPT" in out


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


# --- no import cycle among bot/ and adapters/ ---------------------------------------------------
PACKAGES = ("bot", "adapters")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]) -> set[str]:
    """Our modules an import statement runs: the module named, a submodule taken with
    `from package import name`, and every package above them (their __init__ runs first)."""
    targets: list[str] = []
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative: from . import x, from ..y import z
            anchor = module.split(".") if is_package else module.split(".")[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
    found: set[str] = set()
    for target in targets:
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            name = ".".join(parts[:i])
            if name in known:
                found.add(name)
    return found


def _import_nodes(nodes: list[ast.stmt], *, function_level: bool, in_function: bool = False):
    """The import statements that run: never those under `if TYPE_CHECKING:`, and those
    inside functions only with `function_level` (they run when the function does)."""
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            if function_level or not in_function:
                yield node
        elif isinstance(node, ast.If) and _is_type_checking(node):
            yield from _import_nodes(node.orelse, function_level=function_level, in_function=in_function)
        else:
            inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    stmts = [n for n in inner if isinstance(n, ast.stmt | ast.ExceptHandler)]
                    yield from _import_nodes(stmts, function_level=function_level, in_function=inside)


def import_graph(*, function_level: bool) -> dict[str, set[str]]:
    """module -> the modules of bot/ and adapters/ it imports."""
    paths = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    known = set(paths)
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in _import_nodes(tree.body, function_level=function_level):
            edges.update(_imported(node, module, is_package, known))
        edges.discard(module)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan), as a path that
    ends where it starts."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            connect(v)
    found = []
    for group in groups:
        start = min(group)
        path, seen = [start], {start: None}
        # breadth-first from start back to start, inside the group
        queue = [start]
        parent: dict[str, str] = {}
        back = None
        while queue and back is None:
            v = queue.pop(0)
            for w in sorted(graph[v] & group):
                if w == start:
                    back = v
                    break
                if w not in seen:
                    seen[w] = None
                    parent[w] = v
                    queue.append(w)
        path = [start]
        v = back
        while v is not None and v != start:
            path.insert(1, v)
            v = parent.get(v)
        found.append([*path, start])
    return found


def test_the_cycle_finder_names_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_bot_and_adapters_at_module_level():
    found = cycles(import_graph(function_level=False))
    assert found == [], "import cycles: " + "; ".join(" -> ".join(c) for c in found)


# Imports inside functions that still close a cycle, each with why it is still there (none
# now). Nothing else may: a new cycle through a function-level import fails the test below.
KNOWN_FUNCTION_LEVEL: set[tuple[str, str]] = set()


def test_no_import_cycle_even_counting_imports_inside_functions():
    module_level = import_graph(function_level=False)
    graph = import_graph(function_level=True)
    for source, target in KNOWN_FUNCTION_LEVEL:
        assert target not in module_level.get(source, set()), f"{source} imports {target} at module level"
        graph.get(source, set()).discard(target)
    found = cycles(graph)
    assert found == [], "import cycles: " + "; ".join(" -> ".join(c) for c in found)


# Imports only a type checker runs (under `if TYPE_CHECKING:`) that still close a loop, each
# with why it is still there. Nothing else may: a new loop of any kind fails the test below.
KNOWN_TYPING_ONLY: set[tuple[str, str]] = set()


def test_no_import_loop_even_for_a_type_checker():
    """Every import grimp finds: at module level, inside functions and under TYPE_CHECKING."""
    built = grimp.build_graph(*PACKAGES, cache_dir=None)
    graph = {m: set(built.find_modules_directly_imported_by(m)) for m in built.modules}
    for source, target in KNOWN_TYPING_ONLY:
        assert target in graph[source], f"{source} no longer imports {target}: drop it from the list"
        graph[source].discard(target)
    found = cycles(graph)
    assert found == [], "import loops: " + "; ".join(" -> ".join(c) for c in found)
