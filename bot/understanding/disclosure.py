"""The disclosure reading: what one sentence of a message to Microsoft gives away, by meaning.

The leak check's rules (knowledge/leakcheck.yaml) read words: they name the passage and the rule,
but miss the same leak said in other words. This reader generalises: a small text classifier
(bot/understanding/model.py: word 1-2-grams and character 2-5-grams, a linear SVM) trained on
varied sentences we wrote ourselves (knowledge/leak_reading.yaml), one label per way of giving
something away (a budget, buying regardless, having no alternative, a dropped alternative, a
competitor's result, our people disagreeing, a deadline's consequence, who approves, growth
plans) and "none".

`reader(kb)` gives a function from a sentence to the labels it reads there, each with the leak
kinds it stands for, the rule it cites and what to say instead. The leak check receives that
function (the playbook stays pure: it never trains or loads a model). Labels are scored one
against the rest (the SVM's margins), so one sentence may give away two things; a label counts
when its margin reaches `threshold` and beats "none" by `lead`. A sentence that reads as plainly
harmless for a kind sets aside a rule's finding of that kind (the rule's words met by
coincidence); the deal's stored figures and dates are never set aside.

scikit-learn only trains (in a child process, cached on disk); reading needs numpy and the arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.knowledge import Knowledge, KnowledgeSection

NONE = "none"


class LabelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kinds: list[str] = Field(min_length=1)
    rule: str
    say_instead: str


class ReadingSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    threshold: float
    lead: float = 0.0
    # Multi-label: once one label of a sentence counts, every other label whose margin reaches
    # `also` counts too (a sentence that drops a competitor AND commits regardless names both);
    # None: each label on its own threshold and lead.
    also: float | None = None
    # A rule's finding is set aside when the sentence reads as plainly harmless: "none" at least
    # `clear_none` and every label of the rule's kind at most `clear_kind` (words that match a
    # rule by coincidence: "we'll take it through our normal review").
    clear_none: float = 0.8
    clear_kind: float = -0.7
    # A sentence with fewer words is not read (a greeting left over, "Thanks!").
    min_words: int = Field(default=4, ge=1)
    labels: dict[str, LabelSpec]
    examples: dict[str, list[str]]

    @model_validator(mode="after")
    def _labelled(self) -> ReadingSpec:
        missing = set(self.examples) - set(self.labels) - {NONE}
        if missing:
            raise ValueError(f"examples for labels that are not declared: {sorted(missing)}")
        if NONE not in self.examples:
            raise ValueError("examples need a 'none' label (sentences that give nothing away)")
        for label, lines in self.examples.items():
            if len(lines) < 10 or not all(isinstance(t, str) and t.strip() for t in lines):
                raise ValueError(f"label {label!r} needs at least ten non-empty example sentences")
        return self


class MoreSentences(BaseModel):
    """Training sentences written by other hands (knowledge/leak_reading_strangers.yaml), per
    label of the reading."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sentences: dict[str, list[str]]

    @model_validator(mode="after")
    def _non_empty(self) -> MoreSentences:
        for label, lines in self.sentences.items():
            if not all(isinstance(t, str) and t.strip() for t in lines):
                raise ValueError(f"label {label!r}: every sentence must be non-empty text")
        return self


def _more(raw: Any) -> MoreSentences:
    return MoreSentences.model_validate({"sentences": raw})


SECTIONS = (
    KnowledgeSection("leak_reading", "reading", ReadingSpec),
    KnowledgeSection("leak_reading_strangers", "sentences", _more),
)


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One thing a sentence gives away, as the classifier reads it."""

    label: str
    kinds: tuple[str, ...]
    rule: str
    say_instead: str
    margin: float


@dataclass(frozen=True, slots=True)
class SentenceReading:
    """What one sentence gives away (`found`, strongest first) and which kinds it reads as
    plainly not giving away (`clear`)."""

    found: tuple[Disclosure, ...] = ()
    clear: frozenset[str] = frozenset()

    def clears(self, kind: str) -> bool:
        return kind in self.clear


NOTHING = SentenceReading()


def spec(kb: Knowledge) -> ReadingSpec:
    return kb.section("leak_reading.reading")


def training_pairs(kb: Knowledge) -> list[tuple[str, str]]:
    """Our own sentences (leak_reading.yaml), then those written by other hands
    (leak_reading_strangers.yaml), each with its label."""
    s = spec(kb)
    more: MoreSentences = kb.section("leak_reading_strangers.sentences")
    unknown = set(more.sentences) - set(s.labels) - {NONE}
    if unknown:
        raise ValueError(f"leak_reading_strangers.yaml: labels that are not declared: {sorted(unknown)}")
    return [
        (text, label)
        for examples in (s.examples, more.sentences)
        for label, lines in examples.items()
        for text in lines
    ]


class _Scorer:
    """The classifier's margins for one sentence, as `TextModel.scores` computes them, faster:
    each word's character pieces are looked up once and kept as an array of columns (a draft
    repeats its words), and the weighting is done by numpy, so the leak check can read every
    sentence of a 2,000-character e-mail within its 10 ms."""

    WORDS_KEPT = 50_000

    def __init__(self, model: Any) -> None:
        import numpy as np

        self.model = model
        self.labels: tuple[str, ...] = model.labels
        self.words = {f[2:]: c for f, c in model.columns.items() if f.startswith("w:")}
        self.chars = {f[2:]: c for f, c in model.columns.items() if f.startswith("c:")}
        self.idf = np.asarray(model.idf, dtype=float)
        self.weights = np.ascontiguousarray(model.weights)
        self.bias = model.bias
        self._np = np
        self._empty = np.zeros(0, dtype=np.intp)
        self._pieces: dict[str, Any] = {}

    def _word_pieces(self, word: str) -> Any:
        got = self._pieces.get(word)
        if got is None:
            from bot.understanding.model import char_features

            cols = [c for f in char_features(word) if (c := self.chars.get(f)) is not None]
            got = self._np.asarray(cols, dtype=self._np.intp) if cols else self._empty
            if len(self._pieces) >= self.WORDS_KEPT:
                self._pieces.clear()
            self._pieces[word] = got
        return got

    def scores_many(self, texts: list[str]) -> Any:
        """`scores` of every text at once, one row each: a handful of numpy calls for the whole
        message instead of per sentence (their fixed cost is most of the time on short input)."""
        from bot.understanding.model import normalise, word_features

        np = self._np
        out = np.tile(self.bias, (len(texts), 1))
        words, wlen, pieces, clen = self.words, [], [], []
        wcol: list[int] = []
        for text in texts:
            norm = normalise(text)
            before = len(wcol)
            wcol += [c for f in word_features(norm) if (c := words.get(f)) is not None]
            wlen.append(len(wcol) - before)
            mine = [self._word_pieces(w) for w in norm.split()]
            pieces += mine
            clen.append(sum(len(p) for p in mine))
        sentence = np.arange(len(texts))
        groups = [(np.repeat(sentence, wlen), np.asarray(wcol, dtype=np.intp))]
        if pieces:
            groups.append((np.repeat(sentence, clen), np.concatenate(pieces)))
        width = len(self.idf)
        for seg, col in groups:
            if not len(col):
                continue
            keys, counts = np.unique(seg * width + col, return_counts=True)  # sorted by sentence
            seg, col = keys // width, keys % width
            vals = (1.0 + np.log(counts)) * self.idf[col]
            norms = np.sqrt(np.bincount(seg, weights=vals * vals, minlength=len(texts)))
            vals = vals / np.where(norms > 0, norms, 1.0)[seg]
            starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
            out[seg[starts]] += np.add.reduceat(self.weights.take(col, axis=0) * vals[:, None], starts)
        return out

    def scores(self, text: str) -> Any:
        from bot.understanding.model import normalise, word_features

        np = self._np
        norm = normalise(text)
        counts: dict[int, int] = {}
        for f in word_features(norm):
            c = self.words.get(f)
            if c is not None:
                counts[c] = counts.get(c, 0) + 1
        wc = np.fromiter(counts, dtype=np.intp, count=len(counts))
        wv = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))) * self.idf[wc]
        chars = np.sort(np.concatenate([self._word_pieces(w) for w in norm.split()] or [self._empty]))
        if len(chars):
            first = np.empty(len(chars), dtype=bool)
            first[0] = True
            np.not_equal(chars[1:], chars[:-1], out=first[1:])
            starts = np.flatnonzero(first)
            cc = chars[starts]
            cv = (1.0 + np.log(np.diff(np.append(starts, len(chars))))) * self.idf[cc]
        else:
            cc, cv = self._empty, np.zeros(0)
        if not len(wc) and not len(cc):
            return self.bias.copy()
        cols = np.concatenate([wc, cc])
        vals = np.concatenate([wv / (float(np.sqrt(wv @ wv)) or 1.0), cv / (float(np.sqrt(cv @ cv)) or 1.0)])
        return vals @ self.weights.take(cols, axis=0) + self.bias


def _model(kb: Knowledge) -> _Scorer:
    from bot.understanding.model import cached

    return _Scorer(cached("disclosure", training_pairs(kb)))


def model(kb: Knowledge) -> _Scorer:
    """The trained classifier for this knowledge base (trained once, cached on disk)."""
    return kb.derive("leak_reading.model", _model)


def _worth_reading(sentence: str, s: ReadingSpec) -> bool:
    # a question asks; an amount or a date inside one is the rules' to read
    return len(sentence.split()) >= s.min_words and not sentence.rstrip().endswith("?")


def read(sentence: str, kb: Knowledge) -> SentenceReading:
    """What the sentence gives away, strongest first, and the kinds it plainly doesn't."""
    return read_many([sentence], kb)[0]


def read_many(sentences: list[str], kb: Knowledge) -> list[SentenceReading]:
    """`read` of each sentence, scored together."""
    s = spec(kb)
    todo = [i for i, t in enumerate(sentences) if _worth_reading(t, s)]
    out = [NOTHING] * len(sentences)
    if todo:
        m = model(kb)
        rows = m.scores_many([sentences[i] for i in todo])
        for i, row in zip(todo, rows, strict=True):
            out[i] = _interpret(dict(zip(m.labels, (float(x) for x in row), strict=True)), s)
    return out


def _interpret(margins: dict[str, float], s: ReadingSpec) -> SentenceReading:
    none = margins.get(NONE, float("-inf"))
    leaks = {label: v for label, v in margins.items() if label != NONE}
    counts = {label for label, v in leaks.items() if v >= s.threshold and v >= none + s.lead}
    if counts and s.also is not None:  # a leak already: every other label over `also` as well
        counts |= {label for label, v in leaks.items() if v >= s.also}
    found = [
        Disclosure(label, tuple(s.labels[label].kinds), s.labels[label].rule, s.labels[label].say_instead, v)
        for label, v in leaks.items()
        if label in counts
    ]
    clear: frozenset[str] = frozenset()
    if none >= s.clear_none:
        best: dict[str, float] = {}
        for label, label_spec in s.labels.items():
            for kind in label_spec.kinds:
                best[kind] = max(best.get(kind, float("-inf")), margins.get(label, float("-inf")))
        clear = frozenset(k for k, v in best.items() if v <= s.clear_kind)
    return SentenceReading(tuple(sorted(found, key=lambda d: -d.margin)), clear)


class MessageReader:
    """`read` bound to a knowledge base, for one message: `read_all` scores every sentence of the
    message together, and each is remembered, so checking the rewrite again (which keeps most of
    them) reads only what changed."""

    def __init__(self, kb: Knowledge) -> None:
        self.kb = kb
        self.seen: dict[str, SentenceReading] = {}

    def read_all(self, sentences: list[str]) -> None:
        new = list(dict.fromkeys(t for t in sentences if t not in self.seen))
        if new:
            self.seen.update(zip(new, read_many(new, self.kb), strict=True))

    def __call__(self, sentence: str) -> SentenceReading:
        got = self.seen.get(sentence)
        if got is None:
            got = self.seen[sentence] = read(sentence, self.kb)
        return got


def reader(kb: Knowledge) -> MessageReader:
    """A reader for one message, the model loaded now (the first call ever trains it)."""
    model(kb)
    return MessageReader(kb)
