"""The register of verbal commitments: who promised what, and how far it got.

Pure: commitments are `commitment` events; status moves are `commitment_status` events
({"commitment_id", "status"}). Status only moves forward.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from bot.knowledge import Knowledge, KnowledgeSection
from bot.timeline import DealView

COMMITMENT = "commitment"
COMMITMENT_STATUS = "commitment_update"  # the kind bot/reminders reads too
ORDER = ["verbal", "requested_in_writing", "in_contract"]
# Words other features write (bot/reminders' after-meeting capture) mapped onto ours.
_FOREIGN = {
    "in_writing": "requested_in_writing",
    "written": "requested_in_writing",
    "kept": "in_contract",
    "done": "in_contract",
    "closed": "in_contract",
}


class StatusSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    label: str


class CommitmentSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    warn_days_before_signing: int = Field(ge=0)
    statuses: list[StatusSpec]
    status_words: dict[str, list[str]]


SECTIONS = (KnowledgeSection("commitments", "commitment_settings", CommitmentSettings),)


def settings(kb: Knowledge) -> CommitmentSettings:
    return kb.section("commitments.commitment_settings")


def status_label(kb: Knowledge, key: str) -> str:
    return next((s.label for s in settings(kb).statuses if s.key == key), key)


@dataclass(frozen=True, slots=True)
class Commitment:
    id: int
    contact: str
    role: str | None
    what: str
    status: str
    at: datetime

    @property
    def outstanding(self) -> bool:
        return self.status != "in_contract"


def register(deal: DealView) -> list[Commitment]:
    """Every live commitment with its latest status, oldest first. Also reads the commitments
    the after-meeting capture logs ({"text", "by", "in_writing"})."""
    status: dict[int, str] = {}
    for e in deal.live_events(COMMITMENT_STATUS):
        cid = int(e.payload.get("commitment_id", 0))
        new = _status_word(e.payload.get("status"))
        if new and ORDER.index(new) > ORDER.index(status.get(cid, "verbal")):
            status[cid] = new
    out = []
    for e in deal.live_events(COMMITMENT):
        p = e.payload
        own = _status_word(p.get("status")) or ("requested_in_writing" if p.get("in_writing") else "verbal")
        current = max(own, status.get(e.id, "verbal"), key=ORDER.index)
        contact = str(p.get("contact") or p.get("by") or "?")
        out.append(
            Commitment(
                e.id,
                contact,
                p.get("role") or p.get("by"),
                str(p.get("what") or p.get("text") or ""),
                current,
                e.at,
            )
        )
    return out


def _status_word(value: object) -> str | None:
    word = str(value or "").casefold()
    word = _FOREIGN.get(word, word)
    return word if word in ORDER else None


def find(deal: DealView, commitment_id: int) -> Commitment | None:
    return next((c for c in register(deal) if c.id == commitment_id), None)


class TransitionError(ValueError):
    pass


def transition(current: str, new: str) -> str:
    """The new status if it moves forward; raises TransitionError otherwise."""
    if new not in ORDER:
        raise TransitionError(f"unknown status {new!r}")
    if ORDER.index(new) <= ORDER.index(current):
        raise TransitionError(current)
    return new


def parse_status(text: str, kb: Knowledge) -> str | None:
    low = text.casefold()
    best: tuple[int, str] | None = None
    for key, words in settings(kb).status_words.items():
        for w in words:
            if re.search(rf"\b{re.escape(w)}\b", low) and (best is None or len(w) > best[0]):
                best = (len(w), key)
    return best[1] if best else None


_PROMISE = re.compile(
    r"^(promised|promises|committed to|committed|agreed to|agreed|offered|said (?:we'd|we would|they'd|"
    r"they would|she'd|he'd|she would|he would)|will|would)\s+",
    re.IGNORECASE,
)


def clean_promise(text: str) -> str:
    return _PROMISE.sub("", text.strip()).strip(" .")


# What was promised in a sentence as people say it: "the CSM said she'd get us FastTrack hours",
# "the AE committed to throwing in 200 seats", "their VP said on the call they would waive X".
_PROMISED = re.compile(
    r"\b(?:verbally\s+)?(?:promised|promises|pledged|guaranteed|vowed|committed\s+to|commits\s+to|agreed\s+to|"
    r"offered\s+to|offered|gave\s+us\s+(?:their|her|his)\s+word\s+on|"
    r"(?:said|says|told\s+(?:us|me)|confirmed|mentioned|assured\s+(?:us|me))\b[^.;\n]{0,25}?\b"
    r"(?:they|she|he|it|microsoft)\s*(?:'d|'ll|\s+would|\s+will|\s+could|\s+can|\s+are\s+going\s+to|\s+is\s+going\s+to))"
    r"\s+(?:(?:give\s+us|to\s+give\s+us|us|to)\s+)?(?P<what>.+?)"
    r"(?=\s*(?:[,;]|\bbut\b|\bthough\b|\bhowever\b|\b(?:on|during|in)\s+the\s+(?:call|phone|meeting|zoom|teams\s+call)\b|"
    r"\bverbally\b|[.!]?\s*$))",
    re.IGNORECASE,
)


def promised(text: str) -> str:
    """The promise in a sentence that tells one; empty when the sentence names none."""
    m = _PROMISED.search(text)
    what = m.group("what").strip(" .") if m else ""
    return what[:300] if len(what) >= 3 else ""


SIGNATURE_DATE = "signature_date"  # the one fact name; bot/reminders reads it too


def signature_date(deal: DealView) -> date | None:
    """The expected signature date, else the renewal date."""
    for key in (SIGNATURE_DATE, "renewal_date"):
        value = deal.fact(key)
        if value:
            try:
                return date.fromisoformat(str(value)[:10])
            except ValueError:
                continue
    return None


@dataclass(frozen=True, slots=True)
class Warning:
    rule: str
    values: dict[str, object]


def signature_warning(deal: DealView, kb: Knowledge, now: datetime) -> Warning | None:
    """Open (not-in-contract) commitments while signing is within the warning window."""
    when = signature_date(deal)
    if when is None:
        return None
    days = (when - now.date()).days
    open_ = [c for c in register(deal) if c.outstanding]
    if not open_ or days < 0 or days > settings(kb).warn_days_before_signing:
        return None
    return Warning(
        "commitments.signature-near",
        {"days": days, "count": len(open_), "what": "; ".join(f"{c.what} ({c.contact})" for c in open_)},
    )


def at_risk_after_change(deal: DealView, old_names: list[str]) -> list[Commitment]:
    olds = {n.casefold() for n in old_names} | {n.split()[0].casefold() for n in old_names}
    return [
        c
        for c in register(deal)
        if c.outstanding and (c.contact.casefold() in olds or c.contact.split()[0].casefold() in olds)
    ]


def confirm_action(c: Commitment) -> dict[str, object]:
    """The "confirming our conversation" button; `rest` is what the drafts skill puts in writing."""
    return {
        "intent": "draft.confirm",
        "rest": c.what,
        "commitment_id": c.id,
        "contact": c.contact,
        "role": c.role,
        "what": c.what,
        "promised_on": c.at.date().isoformat(),
    }
