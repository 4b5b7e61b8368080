"""knowledge/ validated once is remembered (bot/knowledge.py `load_knowledge(cache=…)`): the next
start with the same files and code reads them as JSON and skips the pattern checks; a file
changed in any way is read and checked in full, so a bad edit still fails at start-up."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from bot.features import load_knowledge
from bot.knowledge import KNOWLEDGE_DIR, KnowledgeError


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    for f in KNOWLEDGE_DIR.glob("*.yaml"):
        shutil.copy(f, folder / f.name)
    return folder


def remembered(cache: Path) -> list[Path]:
    return sorted(cache.glob("knowledge-*.json"))


def test_a_second_start_reads_what_the_first_validated_and_gets_the_same_knowledge(files, tmp_path):
    cache = tmp_path / "cache"
    first = load_knowledge(files, cache=cache)
    assert len(remembered(cache)) == 1
    again = load_knowledge(files, cache=cache)
    assert again == first  # rules, intents, facts, roles, every section, the files' other keys
    assert again.say("escalation.too-early") == first.say("escalation.too-early")
    assert len(remembered(cache)) == 1


def test_a_changed_file_is_checked_in_full_and_a_bad_pattern_still_fails(files, tmp_path):
    cache = tmp_path / "cache"
    load_knowledge(files, cache=cache)
    path = files / "leakcheck.yaml"
    text = path.read_text(encoding="utf-8")
    broken = text.replace("'\\bour (fiscal|financial|budget) year\\b'", "'\\bour (fiscal year\\b'")
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"leakcheck\.yaml"):
        load_knowledge(files, cache=cache)
    path.write_text(text.replace("rules:", "rules:  # a comment is a change too", 1), encoding="utf-8")
    load_knowledge(files, cache=cache)
    assert len(remembered(cache)) == 2  # another version of the files, remembered beside it


def test_a_set_no_start_has_read_for_an_hour_is_dropped_when_another_is_written(files, tmp_path):
    cache = tmp_path / "cache"
    load_knowledge(files, cache=cache)
    [old] = remembered(cache)
    load_knowledge(files, cache=cache)  # read again: in use, so kept fresh
    assert old.stat().st_mtime > time.time() - 60
    os.utime(old, (time.time() - 7200, time.time() - 7200))  # then nobody reads it for two hours
    path = files / "roles.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    load_knowledge(files, cache=cache)
    assert old not in remembered(cache) and len(remembered(cache)) == 1


def test_files_json_cannot_hold_exactly_are_not_remembered(files, tmp_path):
    cache = tmp_path / "cache"
    path = files / "roles.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nreviewed_on: 2026-12-07\n", encoding="utf-8")
    kb = load_knowledge(files, cache=cache)
    assert str(kb.data["roles"]["reviewed_on"]) == "2026-12-07"  # a date, which JSON has not
    assert remembered(cache) == []


def test_an_unwritable_cache_only_means_checking_again(files, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert load_knowledge(files, cache=blocked / "cache") == load_knowledge(files)
