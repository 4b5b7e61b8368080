"""How well free text is understood, measured on a held-out corpus (tests/data/).

The corpus is never trained on: knowledge/ holds the training examples, the corpus other
people's wording of the same requests. Used by tests/test_intent_model.py and by
`coach eval understanding`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge import Knowledge
from bot.understanding.reading import Reading, read

NOT_UNDERSTOOD = "(no guess)"


@dataclass
class IntentScore:
    name: str
    support: int = 0  # corpus lines meant as this intent
    correct: int = 0
    predicted: int = 0  # lines read as this intent, rightly or not

    @property
    def recall(self) -> float:
        return self.correct / self.support if self.support else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0


@dataclass
class LayerScore:
    """What one layer of reading did over a corpus: the lines it decided last, how many of
    those were right, and where it overrode a right model ranking or rescued a wrong one."""

    layer: str
    decided: int = 0
    right: int = 0
    overrode_right: int = 0  # the model ranked the meant intent first; this layer changed that
    rescued_wrong: int = 0  # the model ranked another intent first; this layer got it right
    lost: list[tuple[str, str, str]] = field(default_factory=list)  # (text, meant, read as)


@dataclass
class IntentReport:
    scores: dict[str, IntentScore]
    confusions: Counter[tuple[str, str]]  # (meant, read as) -> lines
    outside_total: int = 0
    outside_misread: list[tuple[str, str]] = field(default_factory=list)  # (text, read as)
    layers: dict[str, LayerScore] = field(default_factory=dict)
    model_first: int = 0  # lines whose meant intent the model ranked first
    # Lines the reading left unknown whose reply still did what was meant: a plain statement of
    # facts logged as told ("We had the fourth round yesterday." gets "Logged: rounds 4").
    logged_by_reply: int = 0

    @property
    def total(self) -> int:
        return sum(s.support for s in self.scores.values())

    @property
    def accuracy(self) -> float:
        return sum(s.correct for s in self.scores.values()) / self.total if self.total else 0.0

    def worst(self, n: int = 5) -> list[IntentScore]:
        return sorted(self.scores.values(), key=lambda s: (s.recall, s.name))[:n]


def strings_in(node: object, skip: frozenset[str] = frozenset()) -> list[str]:
    """Every string in a loaded YAML corpus, depth first; mapping keys in `skip` are passed over
    (e.g. a story's expected facts, which are answers, not wording)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() if k not in skip for s in strings_in(v, skip)]
    if isinstance(node, list):
        return [s for v in node for s in strings_in(v, skip)]
    return []


def load_corpus(path: Path | str) -> dict[str, Any]:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    intents = doc.get("intents") or {}
    bad = [t for lines in intents.values() for t in lines if not isinstance(t, str)]
    if bad:  # "note: x" unquoted is a mapping in YAML; catch it here, not as a wrong score
        raise ValueError(f"{path}: quote these lines: {bad[:3]}")
    return {"intents": intents, "out_of_scope": list(doc.get("out_of_scope") or [])}


# The layer a step belongs to in the table: the model below its threshold is "threshold".
_LAYER_OF_STEP = {"model-unsure": "threshold", "only-unsure": "only unsure"}


def _layer(reading: Reading) -> str:
    rule = reading.decided_by
    return _LAYER_OF_STEP.get(rule, rule)


def evaluate_intents(corpus: dict[str, Any], kb: Knowledge) -> IntentReport:
    """Each line read once (bot/understanding/reading.py), scored against what it meant; the
    layer that decided it last is credited or blamed against the model's own ranking."""
    scores = {name: IntentScore(name) for name in corpus["intents"]}
    confusions: Counter[tuple[str, str]] = Counter()
    layers: dict[str, LayerScore] = {}
    first = 0
    from datetime import UTC, datetime

    from bot.understand import did_you_mean

    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # facts need a clock; any fixed day reads alike
    telling = set(kb.section("core.facts_in_passing"))
    logged = 0
    for meant, lines in corpus["intents"].items():
        for text in lines:
            r = read(text, kb, now=now)
            _reply_layers(r, meant, layers, telling, did_you_mean(list(r.ranking), kb))
            read_as = r.intent or NOT_UNDERSTOOD
            logged += meant == "deal.tell" and r.intent is None and _logged_as_told(r)
            scores[meant].support += 1
            if read_as in scores:
                scores[read_as].predicted += 1
            if read_as == meant:
                scores[meant].correct += 1
            else:
                confusions[(meant, read_as)] += 1
            top_right = r.model_top == meant
            first += top_right
            layer = layers.setdefault(_layer(r), LayerScore(_layer(r)))
            layer.decided += 1
            layer.right += read_as == meant
            if not r.ranking:  # a command: the model was not asked
                continue
            if top_right and read_as != meant:
                layer.overrode_right += 1
                layer.lost.append((text, meant, read_as))
            if not top_right and read_as == meant:
                layer.rescued_wrong += 1
    report = IntentReport(
        scores=scores,
        confusions=confusions,
        outside_total=len(corpus["out_of_scope"]),
        layers=layers,
        model_first=first,
        logged_by_reply=logged,
    )
    for text in corpus["out_of_scope"]:
        got = read(text, kb, with_facts=False).intent
        if got is not None:
            report.outside_misread.append((text, got))
    return report


def _logged_as_told(r: Reading) -> bool:
    """A message the reading left open (or read as telling) whose reply logs the facts it told."""
    return bool(r.facts) and not (r.intent is None and r.question)


def _reply_layers(
    r: Reading, meant: str, layers: dict[str, LayerScore], telling: set[str], offered: list[str]
) -> None:
    """The layers after the reading, as the coach runs them with a deal open: facts stated in
    passing take a message the reading left unknown (or a plain statement) as "Logged", and a
    message left unknown gets "did you mean" buttons. Shown as their own rows."""
    top_right = r.model_top == meant
    if r.intent in (None, "deal.tell") and _logged_as_told(r):
        layer = layers.setdefault("fact-statement (reply)", LayerScore("fact-statement (reply)"))
        layer.decided += 1
        right = meant == "deal.tell"
        layer.right += right
        if top_right and not right:
            layer.overrode_right += 1
            layer.lost.append((r.text, meant, "fact.stated"))
        elif right and not top_right:
            layer.rescued_wrong += 1
    elif r.intent is None and r.ranking:
        layer = layers.setdefault("did-you-mean (reply)", LayerScore("did-you-mean (reply)"))
        layer.decided += 1
        layer.right += meant in offered  # the meant intent is one of the buttons
        if top_right and meant not in offered:
            layer.overrode_right += 1
            layer.lost.append((r.text, meant, "buttons: " + ", ".join(offered) if offered else "no buttons"))
        elif meant in offered and not top_right:
            layer.rescued_wrong += 1


def format_layer_table(report: IntentReport, examples: int = 3) -> str:
    """Per layer: lines it decided, right, where it overrode a right model ranking (a loss
    between the model and the reply) and where it rescued a wrong one."""
    n = report.total
    lines = [
        f"model ranks the meant intent first: {report.model_first / n:.1%} of {n} "
        "(command lines never reach it); "
        f"read as meant: {report.accuracy:.1%}"
        if n
        else "no lines",
        f"{'layer':28} {'decided':>7} {'right':>6} {'overrode right model':>21} {'rescued wrong model':>20}",
    ]
    for layer in sorted(report.layers.values(), key=lambda x: (-x.decided, x.layer)):
        lines.append(
            f"{layer.layer:28} {layer.decided:7} {layer.right:6} "
            f"{layer.overrode_right:21} {layer.rescued_wrong:20}"
        )
    for layer in sorted(report.layers.values(), key=lambda x: x.layer):
        for text, meant, read_as in layer.lost[:examples]:
            lines.append(f"  {layer.layer} lost {text!r}: meant {meant}, read as {read_as}")
    return "\n".join(lines)


def format_intent_report(report: IntentReport, top: int = 15) -> str:
    lines = [f"{'intent':28} {'precision':>9} {'recall':>7} {'lines':>6}"]
    for s in sorted(report.scores.values(), key=lambda s: s.name):
        lines.append(f"{s.name:28} {s.precision:9.0%} {s.recall:7.0%} {s.support:6}")
    lines.append(f"\noverall: {report.accuracy:.1%} of {report.total} held-out lines understood as meant")
    if report.logged_by_reply and report.total:
        answered = (sum(s.correct for s in report.scores.values()) + report.logged_by_reply) / report.total
        lines.append(
            f"answered as meant: {answered:.1%} (also counting {report.logged_by_reply} statements of facts "
            "the reading left open and the reply logged as told)"
        )
    worst = ", ".join(f"{s.name} {s.recall:.0%}" for s in report.worst())
    lines.append(f"worst: {worst}")
    out = len(report.outside_misread)
    lines.append(
        f"out of scope: {report.outside_total - out} of {report.outside_total} lines not acted on "
        f"({out} read confidently as an intent)"
    )
    for text, read_as in report.outside_misread:
        lines.append(f"  {text!r} -> {read_as}")
    if report.confusions:
        lines.append(f"\ntop confusions (meant -> read as: lines), {top} most common:")
        for (meant, read_as), k in report.confusions.most_common(top):
            lines.append(f"  {meant} -> {read_as}: {k}")
    if report.layers:
        lines.append("\nper layer (bot/understanding/reading.py):")
        lines.append(format_layer_table(report))
    return "\n".join(lines)


def run_intents(path: Path, kb: Knowledge) -> str:
    return format_intent_report(evaluate_intents(load_corpus(path), kb))


# --- facts -------------------------------------------------------------------------------


def same_value(got: Any, want: Any) -> bool:
    """A read value matches the expected one: booleans exactly, numbers to the cent, text
    without regard to case, surrounding spaces or a leading article."""
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, int | float) and isinstance(got, int | float):
        return abs(float(got) - float(want)) < 0.005
    if isinstance(want, str) and isinstance(got, str):
        return _words(got) == _words(want)
    return False


def _words(text: str) -> str:
    """Text without case, outer spaces or a leading article: "the Azure commit" is "Azure commit"."""
    return re.sub(r"^(?:the|a|an)\s+", "", text.casefold().strip())


@dataclass
class FactReport:
    part: str
    sentences: int
    right: Counter[str] = field(default_factory=Counter)
    wrong: Counter[str] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)
    lines: list[str] = field(default_factory=list)  # each wrong or missed fact, as a line

    @property
    def precision(self) -> float:
        t, f = sum(self.right.values()), sum(self.wrong.values())
        return t / (t + f) if t + f else 1.0

    @property
    def recall(self) -> float:
        t, n = sum(self.right.values()), sum(self.missed.values())
        return t / (t + n) if t + n else 1.0


def evaluate_facts(
    corpus: dict[str, Any],
    part: str,
    kb: Knowledge,
    same: Callable[[str, Any, Any], bool] | None = None,
    unscored: frozenset[str] = frozenset(),
) -> FactReport:
    """A fact counts as right only with the right key and the right value (compared by `same`,
    by default `same_value`)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.understanding.facts import read_facts

    tz = str(corpus["tz"])
    now = datetime.fromisoformat(str(corpus["now"])).replace(tzinfo=ZoneInfo(tz))
    report = FactReport(part, len(corpus[part]))
    if same is None:

        def same(key: str, got: Any, want: Any) -> bool:
            return same_value(got, want)

    for case in corpus[part]:
        want: dict[str, Any] = case.get("facts") or {}
        got = {f.key: f.value for f in read_facts(case["text"], kb, now=now, tz=tz) if f.key not in unscored}
        for key, value in got.items():
            if key in want and same(key, value, want[key]):
                report.right[key] += 1
            else:
                report.wrong[key] += 1
                report.lines.append(f"{case['text']!r}: read {key}={value!r}, expected {want.get(key)!r}")
        for key in want:
            if key not in got or not same(key, got[key], want[key]):
                report.missed[key] += 1
                if key not in got:
                    report.lines.append(f"{case['text']!r}: missed {key}={want[key]!r}")
    return report


def format_fact_report(r: FactReport) -> str:
    lines = [f"{r.part}: {r.sentences} sentences, precision {r.precision:.1%}, recall {r.recall:.1%}"]
    for key in sorted(set(r.right) | set(r.wrong) | set(r.missed)):
        t, f, n = r.right[key], r.wrong[key], r.missed[key]
        p = t / (t + f) if t + f else 1.0
        rc = t / (t + n) if t + n else 1.0
        lines.append(f"  {key:32} precision {p:6.1%}  recall {rc:6.1%}  ({t} right, {f} wrong, {n} missed)")
    lines += [f"  {line}" for line in r.lines]
    return "\n".join(lines)


def run_facts(path: Path, kb: Knowledge) -> str:
    corpus = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return "\n\n".join(
        format_fact_report(evaluate_facts(corpus, part, kb)) for part in ("held_out", "dev") if part in corpus
    )


# --- probes: one file, intents and facts, split into the part fixed against and the rest -----

PROBE_PARTS = ("fixing", "untouched", "written_after", "b_sealed")


def load_probe(path: Path | str) -> dict[str, Any]:
    """A probe file: `now`, `tz` and parts (`fixing`, `untouched`, `written_after`), each with `intents`,
    `out_of_scope` and `facts` in the shapes of the two corpora."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    for part in PROBE_PARTS:
        body = doc.get(part) or {}
        intents = body.get("intents") or {}
        if [t for lines in intents.values() for t in lines if not isinstance(t, str)]:
            raise ValueError(f"{path}: {part}: quote every intent line")
        doc[part] = {
            "intents": intents,
            "out_of_scope": list(body.get("out_of_scope") or []),
            "facts": list(body.get("facts") or []),
        }
    return doc


def probe_reports(doc: dict[str, Any], part: str, kb: Knowledge) -> tuple[IntentReport, FactReport]:
    body = doc[part]
    intents = evaluate_intents({"intents": body["intents"], "out_of_scope": body["out_of_scope"]}, kb)
    facts = evaluate_facts({"now": doc["now"], "tz": doc["tz"], part: body["facts"]}, part, kb)
    return intents, facts


def run_probe(path: Path, kb: Knowledge) -> str:
    doc = load_probe(path)
    out = []
    for part in PROBE_PARTS:
        intents, facts = probe_reports(doc, part, kb)
        out += [f"-- {path.stem} {part}: intents", format_intent_report(intents), format_fact_report(facts)]
    return "\n\n".join(out)


# Corpus file name under tests/data/ -> what measures it; a file that isn't there is skipped.
EVALUATORS: dict[str, Any] = {
    "intents_corpus.yaml": run_intents,
    "facts_corpus.yaml": run_facts,
    "probe_2026_12_corpus.yaml": run_probe,
}


# --- facts compared as the blind corpora state them ------------------------------------------

MONEY_TOLERANCE = 0.01
_SMALL = frozenset(
    "a an the and or of on in to for with w by at as is are was be it its our their we they us "
    "them this that these those from into per plus about around some any all".split()
)


def content_words(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9%~]+", str(text).casefold().replace("'", ""))
    return [w for w in words if w not in _SMALL]


def same_fact(key: str, got: Any, want: Any, kb: Knowledge) -> bool:
    """A value read against a blind author's, normalised (docs/understanding-measurements.md):
    money within 1 %, counts exactly, yes/no exactly, dates as ISO days, internal alignment
    team by team, other text without case, punctuation, articles and small words and equal
    when at least half of the words of each are shared (loose: "the copilot uplift" matches
    "Copilot uplift")."""
    from bot.understanding.alignment import parse_alignment

    if got is None or want is None:
        return got is want
    kind = kb.facts[key].kind if key in kb.facts else None
    if key == "internal_alignment":
        return {t: v for t, v in parse_alignment(got).items() if v is not None} == {
            t: v for t, v in parse_alignment(want).items() if v is not None
        }
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    numbers = isinstance(want, int | float) and isinstance(got, int | float)
    if kind == "money" or (numbers and kind != "number"):
        try:
            g, w = float(got), float(want)
        except (TypeError, ValueError):
            return False
        return abs(g - w) <= MONEY_TOLERANCE * max(abs(w), 1.0)
    if kind == "number":
        try:
            return abs(float(got) - float(want)) < 0.005
        except (TypeError, ValueError):
            return False
    if kind == "date":
        return str(got)[:10] == str(want)[:10]
    g, w = content_words(got), content_words(want)
    if not g or not w:
        return str(got).strip().casefold() == str(want).strip().casefold()
    gs, ws = set(g), set(w)
    shared = len(gs & ws)
    return shared * 2 >= len(gs) and shared * 2 >= len(ws)


# --- blind corpora: one author's file (intents with out_of_scope among them, facts) -----------

# Facts added after the blind corpora were written: their authors could not name them, so a
# value read for one is listed but not scored (neither right nor wrong).
NEWER_THAN_BLIND = frozenset({"talks_started", "exec_sponsor_role", "currency"})

BLIND_NOW = "2026-11-30T10:00:00"  # the now and zone every blind author wrote against
BLIND_TZ = "Europe/London"


def blind_files(path: Path) -> list[Path]:
    """A blind author's intents file, or every YAML file of a folder that holds intents (an
    author's folder has intents.yaml; tests/data/blind_2026_12/ one file per author)."""
    if path.is_file():
        return [path]
    files = sorted(p for p in path.glob("*.yaml") if p.is_file())
    return [p for p in files if "intents" in (yaml.safe_load(p.read_text(encoding="utf-8")) or {})]


def load_blind(path: Path | str) -> dict[str, Any]:
    """The authors' format: `intents: {name: [lines]}` (an `out_of_scope` name holds lines that
    are no request), `facts: [{text, facts}]`; the probes' `now` and `tz` unless the file says."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    intents = dict(doc.get("intents") or {})
    outside = list(intents.pop("out_of_scope", None) or []) + list(doc.get("out_of_scope") or [])
    bad = [t for lines in intents.values() for t in lines if not isinstance(t, str)]
    if bad:
        raise ValueError(f"{path}: quote these lines: {bad[:3]}")
    return {
        "intents": intents,
        "out_of_scope": outside,
        "facts": list(doc.get("facts") or []),
        "now": str(doc.get("now") or BLIND_NOW),
        "tz": str(doc.get("tz") or BLIND_TZ),
    }


def blind_reports(doc: dict[str, Any], kb: Knowledge) -> tuple[IntentReport, FactReport]:
    intents = evaluate_intents({"intents": doc["intents"], "out_of_scope": doc["out_of_scope"]}, kb)
    corpus = {"now": doc["now"], "tz": doc["tz"], "facts": doc["facts"]}
    facts = evaluate_facts(
        corpus, "facts", kb, lambda k, got, want: same_fact(k, got, want, kb), unscored=NEWER_THAN_BLIND
    )
    return intents, facts


def run_blind(path: Path, kb: Knowledge) -> str:
    out = []
    for file in blind_files(path):
        name = file.stem if file.name != "intents.yaml" else file.parent.name
        intents, facts = blind_reports(load_blind(file), kb)
        out += [f"-- {name}: intents", format_intent_report(intents), format_fact_report(facts)]
    return "\n\n".join(out)
