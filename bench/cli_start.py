"""How fast the `coach` command starts: medians of N runs, beside a bare interpreter.

    python -m bench.cli_start [--runs N] [--text "…"]

Runs, each as a fresh process, in one go on the same machine:
  floor   `python -c pass`: what any Python command costs here
  help    `coach --help`: argument parsing only (goal <= 0.3 s)
  ask     `coach ask "…"` on an existing SQLite database with an active deal and a trained
          understanding model in the cache (goal <= 1.0 s)
  ask+pyc the same with the project's bytecode cached, as an installed package has it (pip
          compiles it at install); `ask` runs as this process does, so with
          PYTHONDONTWRITEBYTECODE set (this sandbox, the Dockerfile) and an editable install,
          every run compiles the project's ~120 modules from source (~0.1-0.3 s)
and prints each median, min and max, and its ratio to the floor. The database and model cache
live in a temporary folder; one untimed `ask` first trains and caches the model, as the first
start of a fresh install would.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COACH = [sys.executable, "-m", "adapters.console"]
GOALS = {"help": 0.3, "ask": 1.0, "ask+pyc": 1.0}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run. CPU is printed too: on a shared machine the wall
    time also counts waiting for a core."""
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed, cpu = time.perf_counter() - started, _children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[2:])} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return elapsed, cpu


def prepare(env: dict[str, str]) -> None:
    """A database with one deal, active in the terminal, and a known renewal date."""
    for args in (["deal", "new", "Woodgrove EA renewal"], ["ask", "the renewal is on 30 June 2027"]):
        subprocess.run(COACH + args, env=env, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--text", default="they said the price is final, what now?")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="coach-cli-start-") as tmp:
        env = {
            **os.environ,
            "COACH_DATABASE_URL": f"sqlite:///{Path(tmp) / 'coach.db'}",
            "COACH_MODEL_CACHE": str(Path(tmp) / "models"),
            "COACH_LOG_LEVEL": "WARNING",
        }
        for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT"):
            env.pop(name, None)  # the terminal without an LLM, as the goal is stated
        prepare(env)
        # Bytecode kept in the temporary folder (never beside the sources), as after an install.
        installed = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        installed["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        commands = {
            "floor": [sys.executable, "-c", "pass"],
            "help": [*COACH, "--help"],
            "ask": [*COACH, "ask", args.text],
            "ask+pyc": [*COACH, "ask", args.text],
        }
        envs = {name: installed if name == "ask+pyc" else env for name in commands}
        timed(commands["ask"], env)  # warm: trains and caches the model, fills the OS page cache
        timed(commands["ask+pyc"], installed)  # writes the bytecode
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):  # interleaved, so a busy moment hits every command alike
            for name, cmd in commands.items():
                samples[name].append(timed(cmd, envs[name]))
    floor = statistics.median(wall for wall, _ in samples["floor"])
    print(f"{args.runs} runs each: wall median (min-max), CPU median; {sys.executable}")
    for name, runs in samples.items():
        walls = [wall for wall, _ in runs]
        median = statistics.median(walls)
        cpu = statistics.median(c for _, c in runs)
        goal = (
            f"  goal <= {GOALS[name]:.1f} s: {'ok' if median <= GOALS[name] else 'MISSED'}"
            if name in GOALS
            else ""
        )
        ratio = f"{median / floor:6.1f}x floor" if name != "floor" else " " * 13
        print(
            f"  {name:7} {median:6.3f} s ({min(walls):.3f}-{max(walls):.3f})  cpu {cpu:.3f} s  {ratio}{goal}"
        )


if __name__ == "__main__":
    main()
