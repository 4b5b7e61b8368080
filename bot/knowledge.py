"""Loads and validates knowledge/: the playbooks as data.

Each `knowledge/*.yaml` file is one feature. Four top-level keys are shared and merged
across files (ids must be unique): `rules`, `intents`, `facts`, `roles`. Every other key
stays with its file under `Knowledge.data[<file stem>]`, except `more_examples` ({intent:
[phrasings]}), which adds training phrasings to intents declared elsewhere; a feature declares the parts it
reads as `SECTIONS` (KnowledgeSection entries) and bot/features.py hands them all to
`load_knowledge`, so a bad edit fails at start-up, not mid-conversation. This module is the
lowest layer: it imports no feature.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from bot.patterns import check, unchecked

T = TypeVar("T")

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
# libyaml's loader when PyYAML was built with it: the same safe subset, parsed several times
# faster than the pure-Python one (every process start reads all of knowledge/).
YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# How intent patterns are matched (bot/understand.py).
PATTERN_FLAGS = re.IGNORECASE | re.DOTALL
RULE_ID = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


class KnowledgeError(ValueError):
    """knowledge/ does not validate; the message names the file and the field."""


class Rule(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    id: str
    text: str

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not RULE_ID.match(v):
            raise ValueError(f"rule id {v!r} must look like 'area.name'")
        return v


class IntentSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    # First words that make this a command, e.g. ["escalate?", "escalate"].
    commands: list[str] = Field(default_factory=list)
    # Commands of `commands` that take nothing after them ("deal", "status"): followed by a
    # sentence ("deal desk came back with 8%") they are not the command, the words are read.
    bare: list[str] = Field(default_factory=list)
    # Regular expressions over the normalised text; named groups become arguments.
    patterns: list[str] = Field(default_factory=list)
    # Phrases that must be understood as this intent (checked by the tests).
    examples: list[str] = Field(default_factory=list)
    # Phrases that must NOT be understood as this intent.
    counter_examples: list[str] = Field(default_factory=list)
    priority: int = 50  # higher is tried first
    help: str | None = None  # one line for `help`
    usage: str | None = None  # command grammar, e.g. "share <role> <what>"
    label: str | None = None  # a short button label ("Should we escalate?") for "Did you mean …"
    # False for intents only reached by buttons or actions: no example phrasings needed, and
    # the free-text classifier never picks them.
    typed: bool = True

    @field_validator("bare")
    @classmethod
    def _bare_are_commands(cls, v: list[str], info: ValidationInfo) -> list[str]:
        unknown = set(v) - set(info.data.get("commands") or ())
        if unknown:
            raise ValueError(f"bare commands not among the intent's commands: {sorted(unknown)}")
        return v

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        for p in v:
            check(p, PATTERN_FLAGS)  # the flags bot/understanding/grammar.py matches with
        return v


class FactChoice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    value: Any
    synonyms: list[str] = Field(default_factory=list)


class FactSpec(BaseModel):
    """A fact a playbook may need, and how to ask for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    label: str
    question: str
    kind: Literal["choice", "number", "money", "text", "date", "yesno"] = "text"
    choices: list[FactChoice] = Field(default_factory=list)
    # Regexes that pull this fact out of a longer free-text answer; group "value" is parsed.
    extract: list[str] = Field(default_factory=list)
    # Also read it from any statement outside a form ("we renew on 30 June 2027"); only for
    # facts whose extract patterns are specific enough not to misfire on chatter.
    from_statements: bool = False
    # A text fact whose answer must be an offered choice or something `extract` reads (e.g.
    # internal alignment, team by team), never any sentence typed while the question is open.
    free_text: bool = True
    # Intents whose plain statement, typed while this question is open, is its answer and not
    # something new ("Free pilot for 3 months" reads as a promise logged: it answers "what did
    # they promise?").
    answered_by: list[str] = Field(default_factory=list)


class RoleSpec(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    key: str
    title: str
    aliases: list[str] = Field(default_factory=list)
    kpis: list[str] = Field(default_factory=list)
    # a team or a firm, never "him" or "her" (the deal desk, the licensing partner)
    team: bool = False


@dataclass(frozen=True)
class Knowledge:
    rules: dict[str, Rule]
    intents: list[IntentSpec]
    facts: dict[str, FactSpec]
    roles: dict[str, RoleSpec]
    data: dict[str, dict[str, Any]] = field(default_factory=dict)
    sections: dict[str, Any] = field(default_factory=dict)  # validated feature sections
    # Indexes built from the above by the code that reads them (see `derive`).
    _derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def derive(self, name: str, build: Callable[[Knowledge], T]) -> T:
        """`build(self)`, computed once per knowledge base: lookup tables the hot path needs
        (command index, phrase lists) instead of rebuilding them every turn."""
        try:
            return self._derived[name]
        except KeyError:
            value = self._derived[name] = build(self)
            return value

    def rule(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id]
        except KeyError:  # a playbook citing an unknown rule is a bug in code or data
            raise KnowledgeError(f"unknown rule id {rule_id!r}") from None

    def say(self, rule_id: str, **values: Any) -> str:
        """The rule's wording with {placeholders} filled; unknown placeholders stay visible."""
        return fill(self.rule(rule_id).text, **values).strip()

    def section(self, name: str) -> Any:
        return self.sections[name]

    def role(self, word: str) -> RoleSpec | None:
        w = word.strip().casefold()
        for role in self.roles.values():
            if w == role.key or w == role.title.casefold() or w in (a.casefold() for a in role.aliases):
                return role
        return None


def fill(wording: str, **values: Any) -> str:
    """Wording from knowledge/ with its {placeholders} filled from `values`; a placeholder with
    no value stays visible as written (a gap in data shows, it does not raise)."""
    return wording.format_map(_Keep(values))


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True, slots=True)
class KnowledgeSection:
    """`knowledge/<stem>.yaml` has a top-level `key` that `model` validates (a pydantic model,
    or any callable returning the validated value); `Knowledge.section("stem.key")` reads it."""

    stem: str
    key: str
    model: type[BaseModel] | Callable[[Any], Any]

    def validate(self, raw: Any) -> Any:
        model = self.model
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model.model_validate(raw)
        return model(raw)


def load_knowledge(
    directory: Path | str = KNOWLEDGE_DIR,
    sections: Iterable[KnowledgeSection] = (),
    *,
    cache: Path | None = None,
) -> Knowledge:
    """knowledge/ validated: the shared keys, and every feature section in `sections`
    (bot/features.py collects them; `features.load_knowledge` passes them all).

    `cache`: a folder where files that validated are remembered, under a hash of their bytes
    and of this package's code (`_fingerprint`). Loading the same files again with the same
    code then reads them from there as JSON (several times faster than YAML) and skips the
    checks that their patterns compile (bot/patterns.py): they did. Any change to a file or to
    the code is another hash, so it is read and checked in full. Every other check runs always."""
    files = sorted(Path(directory).glob("*.yaml"))
    if not files:
        raise KnowledgeError(f"no knowledge files in {directory}")
    raw_files = {path.name: path.read_bytes() for path in files}
    stored = cache / f"{_CACHE_PREFIX}{_fingerprint(raw_files)}.json" if cache is not None else None
    known = _read_validated(stored, raw_files) if stored is not None else None
    if stored is not None:
        _keep_gates(stored.with_name(stored.name.replace(_CACHE_PREFIX, _GATES_PREFIX, 1)))
    if known is not None:
        with unchecked():
            return _validate(raw_files, known, sections)[0]
    kb, as_json = _validate(raw_files, None, sections)
    if stored is not None and as_json is not None:  # validated now: remembered for the next start
        _remember(stored, as_json)
    return kb


def _validate(
    raw_files: dict[str, bytes], known: dict[str, Any] | None, sections: Iterable[KnowledgeSection]
) -> tuple[Knowledge, dict[str, str] | None]:
    """The files validated (parsed from YAML, or `known`: the same files read before), and,
    when they were parsed here, each as JSON text (None when JSON cannot hold one exactly)."""
    rules: dict[str, Rule] = {}
    intents: dict[str, IntentSpec] = {}
    facts: dict[str, FactSpec] = {}
    roles: dict[str, RoleSpec] = {}
    data: dict[str, dict[str, Any]] = {}
    more: list[tuple[str, str, list[Any]]] = []  # (file, intent, phrasings) from `more_examples:`
    as_json: dict[str, str] | None = {} if known is None else None
    for where, raw_bytes in raw_files.items():
        if known is not None:
            doc = known[where]
        else:
            try:
                doc = yaml.load(raw_bytes.decode("utf-8"), Loader=YamlLoader) or {}
            except (yaml.YAMLError, UnicodeDecodeError) as exc:
                raise KnowledgeError(f"{where}: not valid YAML: {exc}") from None
            if as_json is not None:
                text = _as_json(doc)  # before the pops below change it
                if text is None:
                    as_json = None
                else:
                    as_json[where] = text
        if not isinstance(doc, dict):
            raise KnowledgeError(f"{where}: the top level must be a mapping")
        try:
            for raw in doc.pop("rules", []) or []:
                rule = Rule.model_validate(raw)
                _unique(rules, rule.id, rule, where, "rule")
            for raw in doc.pop("intents", []) or []:
                spec = IntentSpec.model_validate(raw)
                _unique(intents, spec.name, spec, where, "intent")
            for raw in doc.pop("facts", []) or []:
                spec = FactSpec.model_validate(raw)
                _unique(facts, spec.key, spec, where, "fact")
            for raw in doc.pop("roles", []) or []:
                spec = RoleSpec.model_validate(raw)
                _unique(roles, spec.key, spec, where, "role")
        except ValidationError as exc:
            raise KnowledgeError(f"{where}: {exc}") from None
        extra = doc.pop("more_examples", None) or {}
        if not isinstance(extra, dict):
            raise KnowledgeError(f"{where}: more_examples must map an intent to its phrasings")
        more += [(where, name, lines) for name, lines in extra.items()]
        data[where.removesuffix(".yaml")] = doc
    for where, name, lines in more:  # phrasings kept apart from the feature (training data only)
        if name not in intents:
            raise KnowledgeError(f"{where}: more_examples names an unknown intent {name!r}")
        if not isinstance(lines, list) or not all(isinstance(t, str) and t.strip() for t in lines):
            raise KnowledgeError(f"{where}: more_examples of {name!r} must be a list of quoted phrasings")
        spec = intents[name]
        intents[name] = spec.model_copy(update={"examples": [*spec.examples, *lines]})
    validated: dict[str, Any] = {}
    for section in sections:
        stem, key = section.stem, section.key
        if f"{stem}.{key}" in validated:
            raise KnowledgeError(f"{stem}.yaml: section {key!r} is declared twice")
        if key not in data.get(stem, {}):
            raise KnowledgeError(f"{stem}.yaml: missing section {key!r}")
        try:
            validated[f"{stem}.{key}"] = section.validate(data[stem][key])
        except (ValidationError, ValueError, TypeError) as exc:
            raise KnowledgeError(f"{stem}.yaml, section {key!r}: {exc}") from None
    kb = Knowledge(
        rules=rules,
        intents=sorted(intents.values(), key=lambda i: -i.priority),
        facts=facts,
        roles=roles,
        data=data,
        sections=validated,
    )
    _check_references(kb)
    return kb, as_json


# The validated-files cache (`load_knowledge(cache=…)`): one JSON file per validated set.
_CACHE_PREFIX = "knowledge-"
_CACHE_FORMAT = 1  # bump when what the file holds changes
# A remembered set not read for this long is dropped when another is written (several
# checkouts or versions sharing one cache folder keep theirs while in use).
_CACHE_KEEP_S = 3600


def _fingerprint(raw_files: dict[str, bytes]) -> str:
    """A hash of the files' names and bytes, of the code that validates them (every module of
    this package: the validators, the flags patterns are checked with) and of the Python,
    pydantic and PyYAML that parse and validate them."""
    import hashlib
    import sys

    import pydantic

    digest = hashlib.sha256()
    digest.update(f"{_CACHE_FORMAT}|{sys.version}|{pydantic.VERSION}|{yaml.__version__}".encode())
    package = Path(__file__).resolve().parent
    for code in sorted(package.rglob("*.py")):
        digest.update(b"\0" + code.relative_to(package).as_posix().encode() + b"\0" + code.read_bytes())
    for name, raw in sorted(raw_files.items()):
        digest.update(b"\1" + name.encode() + b"\0" + raw)
    return digest.hexdigest()[:32]


def _as_json(doc: Any) -> str | None:
    """The parsed file as JSON text, when JSON gives back exactly what YAML read (no dates, no
    keys that are not strings); None otherwise, and then nothing is remembered."""
    import json

    try:
        text = json.dumps(doc, ensure_ascii=False)
        return text if json.loads(text) == doc else None
    except (TypeError, ValueError):
        return None


def _read_validated(stored: Path, raw_files: dict[str, bytes]) -> dict[str, Any] | None:
    import json

    try:
        docs = json.loads(stored.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(docs, dict) or set(docs) != set(raw_files):
        return None
    with contextlib.suppress(OSError):
        os.utime(stored)  # in use: kept when another set is written
    return docs


_GATES_PREFIX = "gates-"


def _keep_gates(path: Path) -> None:
    """The patterns' gates (bot/patterns.py) read by an earlier start with these same files and
    code, and those this process reads written back when it ends."""
    import atexit
    import json

    from bot.patterns import known_gates

    if path in _GATES_KEPT:
        return
    _GATES_KEPT.add(path)
    with contextlib.suppress(OSError, ValueError):
        found = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(found, dict):
            known_gates(found)
    atexit.register(_save_gates, path)


_GATES_KEPT: set[Path] = set()  # gate files read (and to be written at exit) by this process


def _save_gates(path: Path) -> None:
    import json

    from bot.patterns import gates_learnt

    learnt = gates_learnt()
    if learnt is not None:
        _write_atomically(path, json.dumps(learnt, ensure_ascii=False), _GATES_PREFIX)


def _remember(stored: Path, as_json: dict[str, str]) -> None:
    """Write atomically (a temporary file, then rename), and drop the sets no start has read
    for an hour. A folder that cannot be written only means the next start checks again."""
    import json

    body = "{" + ",".join(f"{json.dumps(name)}:{text}" for name, text in sorted(as_json.items())) + "}"
    _write_atomically(stored, body, _CACHE_PREFIX)


def _write_atomically(stored: Path, body: str, prefix: str) -> None:
    import tempfile
    import time

    try:
        stored.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=stored.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(body)
            os.replace(tmp, stored)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for old in stored.parent.glob(f"{prefix}*.json"):
            if old != stored and old.stat().st_mtime < time.time() - _CACHE_KEEP_S:
                old.unlink(missing_ok=True)
    except (OSError, ValueError):  # ValueError: text UTF-8 cannot encode (not expected)
        pass


def _unique(into: dict[str, Any], key: str, value: Any, where: str, what: str) -> None:
    if key in into:
        raise KnowledgeError(f"{where}: {what} {key!r} is defined twice")
    into[key] = value


def _check_references(kb: Knowledge) -> None:
    for fact in kb.facts.values():
        if fact.kind == "choice" and not fact.choices:
            raise KnowledgeError(f"fact {fact.key!r} is a choice with no choices")
