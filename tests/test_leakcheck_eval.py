"""`coach eval leakcheck`: the leak check measured on drafts, each run on a throwaway deal that
holds the draft's facts, through the real core and a SQLite database in a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.console.cli import main

DRAFTS = """
drafts:
  - role: ae
    deal: {budget_per_year: 1500000}
    message: "Our budget is $1.5M for the renewal."
    kinds: [budget]
  - role: csm
    message: "Could you book the Purview workshop for Tuesday?"
    kinds: []
  - role: ae
    message: "Our CIO and CFO can't agree on whether to renew, so give us time."
    kinds: [internal]
"""


def test_eval_prints_recall_clean_and_kind_right(tmp_path: Path, capsys):
    f = tmp_path / "leaks.yaml"
    f.write_text(DRAFTS, encoding="utf-8")
    assert main(["eval", "leakcheck", "--data", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["drafts"] == 3
    assert out["leak_recall"]["of"] == 2 and out["clean_called_clean"] == {"hit": 1, "of": 1, "rate": 1.0}
    assert out["per_kind"]["budget"] == {"hit": 1, "of": 1, "rate": 1.0}
    assert out["turn_disagreements"] == 0  # the message-action turn says what the check says
    assert set(out) >= {"kind_right", "misses", "false_alarm_kinds"}


def test_eval_reads_a_folder_and_prints_a_table(tmp_path: Path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "leaks.yaml").write_text(DRAFTS, encoding="utf-8")
    assert main(["eval", "leakcheck", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "leak recall:" in out and "clean called clean:" in out and "kind right:" in out


def test_a_broken_file_gets_a_short_answer(tmp_path: Path, capsys):
    f = tmp_path / "leaks.yaml"
    f.write_text("drafts:\n  - {role: ae, message: [unclosed\n", encoding="utf-8")
    assert main(["eval", "leakcheck", "--data", str(f)]) == 1
    assert "could not read the drafts" in capsys.readouterr().err
    assert main(["eval", "leakcheck", "--data", str(tmp_path / "missing.yaml")]) == 1
