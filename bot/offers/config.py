"""knowledge/offers.yaml, validated at start-up: limits, column headings, term patterns, refusals."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.knowledge import Knowledge, KnowledgeSection, fill
from bot.patterns import check

FIELDS = (
    "part_number",
    "product",
    "quantity",
    "unit_price",
    "list_price",
    "discount",
    "yearly",
    "total",
    "term",
)


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    max_bytes: int = Field(ge=1000)
    max_pages: int = Field(ge=1)
    max_rows: int = Field(ge=10)
    max_lines: int = Field(ge=1)
    max_paste_chars: int = Field(ge=100)
    download_seconds: float = Field(gt=0)
    read_seconds: float = Field(gt=0)


class Special(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    pattern: str


class Terms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    term_months: list[str]
    term_years: list[str]
    valid_until: list[str]
    sign_by: list[str]
    price_protection: list[str]
    escalator: list[str]
    special: list[Special]
    final: str

    @field_validator("term_months", "term_years", "valid_until", "sign_by", "price_protection", "escalator")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        for p in v:
            check(p)
        return v


def _columns(raw: object) -> dict[str, list[str]]:
    if not isinstance(raw, dict) or set(raw) != set(FIELDS):
        raise ValueError(f"columns must name exactly {', '.join(FIELDS)}")
    return {k: [str(w).casefold() for w in v] for k, v in raw.items()}


def _periods(raw: object) -> dict[str, list[str]]:
    if not isinstance(raw, dict) or set(raw) != {"month", "year"}:
        raise ValueError("period_words needs month and year")
    for words in raw.values():
        for p in words:
            check(p)
    return {k: list(v) for k, v in raw.items()}


def _regex(raw: object) -> str:
    check(str(raw))
    return str(raw)


REFUSALS = (
    "too_large", "too_many_pages", "password", "no_text", "malformed", "layout", "unsupported", "empty",
    "currencies", "too_many_lines", "timeout", "download",
)  # fmt: skip


def _refusals(raw: object) -> dict[str, str]:
    if not isinstance(raw, dict) or set(raw) != set(REFUSALS):
        raise ValueError(f"refusals must give exactly {', '.join(REFUSALS)}")
    return {k: str(v) for k, v in raw.items()}


SECTIONS = (
    KnowledgeSection("offers", "limits", Limits),
    KnowledgeSection("offers", "columns", _columns),
    KnowledgeSection("offers", "period_words", _periods),
    KnowledgeSection("offers", "total_rows", _regex),
    KnowledgeSection("offers", "yearly_total_rows", _regex),
    KnowledgeSection("offers", "subtotal_rows", _regex),
    KnowledgeSection("offers", "furniture", _regex),
    KnowledgeSection("offers", "terms", Terms),
    KnowledgeSection("offers", "refusals", _refusals),
)


def limits(kb: Knowledge) -> Limits:
    return kb.section("offers.limits")


def refusal_text(kb: Knowledge, reason: str, **values: object) -> str:
    return fill(kb.section("offers.refusals")[reason], **values)
