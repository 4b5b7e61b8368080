"""The classifiers' trained weights are cached on disk by a hash of their examples: a later
start loads them with numpy alone, a changed example never meets a stale model, and a
damaged file is trained over, not trusted."""

from __future__ import annotations

import pytest

from bot.understanding import model

PAIRS = [
    ("should we escalate", "escalate"),
    ("is it time to go over the AE's head", "escalate"),
    ("escalate now?", "escalate"),
    ("can I tell the CSM our budget", "share"),
    ("is it safe to share our deadline", "share"),
    ("what can I tell the partner", "share"),
    ("hello there", "greet"),
    ("good morning", "greet"),
    ("hi coach", "greet"),
]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(model.CACHE_ENV, str(tmp_path))
    return tmp_path


def test_a_trained_model_is_cached_and_loaded_next_time_without_training(cache, monkeypatch):
    first = model.cached("t", PAIRS)
    files = list(cache.glob("t-*.npz"))
    assert len(files) == 1

    def no_training(*_a, **_k):
        raise AssertionError("trained again although the cache had the model")

    monkeypatch.setattr(model, "train", no_training)
    monkeypatch.setattr(model, "_train_in_child", no_training)
    again = model.cached("t", PAIRS)
    assert again.rank("should we escalate to their VP?") == first.rank("should we escalate to their VP?")
    assert again.rank("esclate?")[0][0] == "escalate"


def test_a_changed_example_gets_a_new_model(cache):
    model.cached("t", PAIRS)
    model.cached("t", [*PAIRS, ("hey hey", "greet")])
    assert len(list(cache.glob("t-*.npz"))) == 2


def test_the_examples_are_prepared_only_when_training_and_a_new_recipe_trains_afresh(cache):
    prepared: list[int] = []

    def upper(raw):
        prepared.append(len(raw))
        return [(text.upper(), label) for text, label in raw]

    first = model.cached("t", PAIRS, prepare=upper, recipe={"case": "upper"})
    assert prepared == [len(PAIRS)] and first.rank("SHOULD WE ESCALATE")[0][0] == "escalate"
    model.cached("t", PAIRS, prepare=upper, recipe={"case": "upper"})
    assert prepared == [len(PAIRS)]  # found in the cache: nothing rewritten
    model.cached("t", PAIRS, prepare=upper, recipe={"case": "upper", "v": 2})
    assert prepared == [len(PAIRS)] * 2 and len(list(cache.glob("t-*.npz"))) == 2


def test_a_damaged_cache_file_is_trained_over(cache, monkeypatch):
    monkeypatch.setattr(model, "_train_in_child", lambda pairs, path: False)  # train here
    path = cache / f"t-{model.fingerprint(PAIRS)}.npz"
    path.write_bytes(b"not a model")
    got = model.cached("t", PAIRS)
    assert got.rank("good morning!")[0][0] == "greet"
    assert model.TextModel.load(path).labels == got.labels


def test_probabilities_are_ranked_and_sum_to_one(cache):
    ranking = model.cached("t", PAIRS).rank("can we share the budget with them?")
    assert ranking[0][0] == "share"
    assert abs(sum(p for _, p in ranking) - 1) < 1e-9
    assert [p for _, p in ranking] == sorted((p for _, p in ranking), reverse=True)


def test_text_with_no_known_feature_still_gets_a_ranking(cache):
    ranking = model.cached("t", PAIRS).rank("ж")
    assert len(ranking) == 3
