"""The sweet jar: a favor ledger per Microsoft contact, and whom to ask for what.

Pure: the jar is a fold over `favor` events (payload: contact, role, direction
asked|given|received, what, size, topic, aligned) inside a window ending at `now`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator

from bot.knowledge import Knowledge, KnowledgeSection
from bot.playbooks.people import find_phrase
from bot.timeline import Contact, DealView, Event

Size = Literal["small", "medium", "large"]
Direction = Literal["asked", "given", "received"]
FAVOR = "favor"


class JarConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    size: int = Field(gt=0)
    start: int = Field(ge=0)
    start_close: int | None = Field(default=None, ge=0)  # a long relationship, told
    window_days: int = Field(gt=0)
    reserve: int = Field(ge=0)
    costs: dict[Size, int]
    refills: dict[Size, int]
    repeat_days: int = Field(ge=0)
    repeat_step_percent: int = Field(ge=0)


class TopicSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    label: str
    keywords: list[str]
    # product names: they say what the ask is about only when nothing says what kind of ask it
    # is ("a pilot of Defender" is a pilot; "help with Defender" is security setup)
    products: list[str] = Field(default_factory=list)
    served_by: list[str] = Field(default_factory=list)


class Topics(RootModel[list[TopicSpec]]):
    pass


class Sizes(RootModel[dict[Literal["small", "large"], list[str]]]):
    pass


class ToldCues(BaseModel):
    """Cue patterns for favours told in a story that knowledge/dialogue.yaml does not carry."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    asked_times: str  # "I've asked him twice", "we went to Ada three times"; {who} is the person
    done: str  # more verbs of a favour done for us: "held the price", "got the deal desk to …"

    @field_validator("asked_times", "done")
    @classmethod
    def _compiles(cls, v: str) -> str:
        re.compile(v.replace("{who}", "(?P<who>x)"))
        return v


SECTIONS = (
    KnowledgeSection("favors", "jar", JarConfig),
    KnowledgeSection("favors", "told", ToldCues),
    KnowledgeSection("favors", "topics", Topics),
    KnowledgeSection("favors", "sizes", Sizes),
)


def config(kb: Knowledge) -> JarConfig:
    return kb.section("favors.jar")


def topic_of(text: str, kb: Knowledge) -> TopicSpec | None:
    """What the request is about: the longest keyword any topic has in the text; a product name
    only when no keyword says what kind of ask it is."""
    for field_name in ("keywords", "products"):
        best: tuple[int, TopicSpec] | None = None
        for t in kb.section("favors.topics").root:
            hit = find_phrase(text, _with_plurals(getattr(t, field_name)))
            if hit and (best is None or len(hit[1]) > best[0]):
                best = (len(hit[1]), t)
        if best:
            return best[1]
    return None


def _with_plurals(words: list[str]) -> list[str]:
    """A keyword and its plural ("workshop", "workshops"): people ask for either."""
    return [*words, *(w + "s" for w in words if w[-1:].isalpha() and not w.endswith("s"))]


def size_of(text: str, kb: Knowledge) -> Size:
    sizes = kb.section("favors.sizes").root
    low = text.casefold()
    for size in ("small", "large"):
        if any(re.search(rf"\b{re.escape(w)}", low) for w in sizes.get(size, [])):
            return size  # type: ignore[return-value]
    return "medium"


def kpis_for(contact: Contact | None, role: str | None, kb: Knowledge) -> list[str]:
    """The contact's own KPIs when recorded, else the role's defaults."""
    if contact is not None and contact.kpis:
        return list(contact.kpis)
    key = contact.role if contact is not None else role
    spec = kb.roles.get(key or "")
    return list(spec.kpis) if spec else []


def aligned_kpi(kpis: list[str], topic: TopicSpec | None) -> str | None:
    """The first KPI the request serves, or None (then it's a favor)."""
    if topic is None:
        return None
    for word in topic.served_by:  # the topic's first term picks the most telling KPI
        for kpi in kpis:
            if word.casefold() in kpi.casefold():
                return kpi
    return None


@dataclass(frozen=True, slots=True)
class Entry:
    at: datetime
    direction: str
    what: str
    size: str
    aligned: bool
    delta: int  # change to the balance (negative for a draw)


@dataclass(slots=True)
class Jar:
    name: str
    balance: int
    size: int
    asks: int = 0  # non-aligned asks/receipts in the window: the ones that drew the jar
    requests: int = 0  # every ask/receipt in the window, aligned or not
    given: int = 0
    entries: list[Entry] = field(default_factory=list)

    def recent_asks(self, now: datetime, days: int) -> int:
        return sum(
            1
            for e in self.entries
            if e.direction != "given" and not e.aligned and now - e.at <= timedelta(days=days)
        )


def _same_person(payload_name: object, name: str) -> bool:
    a, b = str(payload_name or "").strip().casefold(), name.strip().casefold()
    return bool(a) and (a == b or a.split()[0] == b.split()[0])


def ask_cost(size: str, prior_recent_asks: int, cfg: JarConfig) -> int:
    base = cfg.costs[size]  # type: ignore[index]
    return base + (base * cfg.repeat_step_percent * prior_recent_asks) // 100


def jar(events: list[Event], name: str, now: datetime, cfg: JarConfig, *, close: bool = False) -> Jar:
    """Fold one contact's favors in the window into a balance, clamped to [0, size]. `close`: we
    were told we know them well, so the jar starts fuller (`start_close`)."""
    start = now - timedelta(days=cfg.window_days)
    mine = sorted(
        (
            e
            for e in events
            if e.kind == FAVOR and _same_person(e.payload.get("contact"), name) and start <= e.at <= now
        ),
        key=lambda e: (e.at, e.id),
    )
    start_at = cfg.start_close if close and cfg.start_close is not None else cfg.start
    state = Jar(name=name, balance=start_at, size=cfg.size)
    draws: list[datetime] = []
    for e in mine:
        p = e.payload
        size = str(p.get("size") or "medium")
        size = size if size in cfg.costs else "medium"
        aligned = bool(p.get("aligned"))
        before = state.balance
        if p.get("direction") == "given":
            state.balance = min(cfg.size, state.balance + cfg.refills[size])  # type: ignore[index]
            state.given += 1
        else:
            state.requests += 1
        if p.get("direction") != "given" and not aligned:
            prior = sum(1 for t in draws if e.at - t <= timedelta(days=cfg.repeat_days))
            state.balance = max(0, state.balance - ask_cost(size, prior, cfg))
            draws.append(e.at)
            state.asks += 1
        state.entries.append(
            Entry(
                e.at, str(p.get("direction")), str(p.get("what") or ""), size, aligned, state.balance - before
            )
        )
    return state


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Literal["ask", "find_aligned_contact", "unlikely"]
    rules: list[tuple[str, dict[str, object]]]  # (rule id, values for kb.say)
    contact: Contact | None
    topic: TopicSpec | None
    cost: int
    balance: int | None
    aligned_with: list[Contact]


def aligned_contacts(
    deal: DealView,
    topic: TopicSpec | None,
    kb: Knowledge,
    *,
    exclude: str | None = None,
    told: tuple[Contact, ...] = (),
) -> list[Contact]:
    """Contacts on the deal (and people the conversation named with their role, `told`) whose
    KPIs this request serves."""
    out = []
    on_map = {c.name.casefold() for c in deal.contacts}
    for c in [*deal.contacts, *(t for t in told if t.name.casefold() not in on_map)]:
        if not c.active or (exclude and c.name.casefold() == exclude.casefold()):
            continue
        if aligned_kpi(kpis_for(c, None, kb), topic):
            out.append(c)
    return out


def aligned_roles(topic: TopicSpec | None, kb: Knowledge) -> list[str]:
    return [key for key, spec in kb.roles.items() if aligned_kpi(list(spec.kpis), topic)]


def aligned_role_words(topic: TopicSpec | None, kb: Knowledge, *, exclude: str | None = None) -> str | None:
    """ "the account executive (orders booked)": roles rewarded for this, with the KPI that makes
    it no favor, when nobody on the contact map holds one of them."""
    parts = []
    for key in aligned_roles(topic, kb):
        if key == exclude:
            continue
        spec = kb.roles[key]
        parts.append(f"the {spec.title} ({aligned_kpi(list(spec.kpis), topic)})")
    return ", ".join(parts[:3]) or None


def should_ask(
    deal: DealView,
    name: str,
    what: str,
    kb: Knowledge,
    now: datetime,
    *,
    asked_before: int = 0,
    stranger: bool = False,
    close: bool = False,
    given_before: int = 0,
    role: str | None = None,
    told: tuple[Contact, ...] = (),
    known: bool = False,
) -> Decision:
    """Whether to ask `name` for `what`, decided in the order knowledge/favors.yaml sets out:
    their own job (ask), someone else's job (find_aligned_contact), a cold favour (unlikely), else
    the jar.

    `asked_before`: asks of this person the conversation told of ("I've asked Jane twice", "she
    got us the trial, then chased the licences"); those not logged draw the jar down as recent
    medium asks would. `stranger`: we were told we barely know them ("never met him", "met her
    once"): a cold ask, whatever the map says. `close`: told we know them well ("known him for
    four years"). `given_before`: value we gave them, as told ("we did a case study for her
    team"): each fills the jar as a medium favour given. `role`: their role when they are not on
    the contact map but the conversation said it (then they are known a little, not a stranger);
    `told`: the other Microsoft people the conversation named with their role. `known`: the
    conversation told favours they did us or asks we made of them, so they know us a little even
    when neither the map nor the story gave their role."""
    cfg = config(kb)
    topic = topic_of(what, kb)
    size = size_of(what, kb)
    contact = deal.contact(name)
    if contact is not None and not contact.active:
        contact = None
    if contact is None and role is not None and role in kb.roles:  # named in the story with a role
        contact = Contact(0, name, role)
    elif contact is None and known:  # told of favours with them, role not said
        contact = Contact(0, name, "")
    own_role = contact.role if contact is not None else role
    who_name = contact.name if contact is not None else name
    kpi = aligned_kpi(kpis_for(contact, own_role, kb), topic)
    others = aligned_contacts(deal, topic, kb, exclude=who_name, told=told)
    who = ", ".join(f"{c.name} ({c.role})" for c in others)
    roles = aligned_role_words(topic, kb, exclude=own_role)
    elsewhere = (
        ("favors.find-aligned", {"who": who}) if others else ("favors.find-aligned-role", {"roles": roles})
    )
    cold = stranger or contact is None

    # 1. Their own job: no favour at all.
    if kpi:
        balance = jar(list(deal.live_events(FAVOR)), contact.name, now, cfg).balance if contact else None
        return Decision(
            "ask", [("favors.kpi-aligned", {"name": who_name, "kpi": kpi})], contact, topic, 0, balance, []
        )
    # 2. Someone else's job: go to them, a stranger's favour or a friend's.
    if cold and (others or roles):
        rules = [("favors.no-relationship", {"name": who_name}), elsewhere]
        return Decision("find_aligned_contact", rules, contact, topic, 0, None, others)
    # 3. A real favour from someone we barely know.
    if cold:
        cold_rules = [("favors.no-relationship", {"name": who_name})]
        return Decision("unlikely", cold_rules, contact, topic, 0, None, [])
    assert contact is not None
    # 4. A real favour (or someone else's job) from someone we know: the jar.
    state = jar(list(deal.live_events(FAVOR)), contact.name, now, cfg, close=close)
    rules: list[tuple[str, dict[str, object]]] = []
    known: list[tuple[str, dict[str, object]]] = []  # why the jar holds more: said when it decides
    if close:
        known.append(("favors.long-relationship", {"name": contact.name}))
    if given_before:
        state.balance = min(cfg.size, state.balance + given_before * cfg.refills["medium"])
        known.append(("favors.told-given", {"name": contact.name, "n": given_before}))
    recent = state.recent_asks(now, cfg.repeat_days)
    for i in range(max(0, asked_before - recent)):  # told, not logged: they count all the same
        state.balance = max(0, state.balance - ask_cost("medium", recent + i, cfg))
    told = max(0, asked_before - recent)
    recent += told
    cost = ask_cost(size, recent, cfg)
    values = {"name": contact.name, "balance": state.balance, "size": cfg.size, "cost": cost}
    if told:
        rules.append(("favors.told-asks", {"name": contact.name, "asks": asked_before}))
    if recent >= 1:
        rules.append(("favors.repeat-asks", {"name": contact.name, "asks": recent, "days": cfg.repeat_days}))
    room = state.balance - cost >= cfg.reserve
    if others or roles:
        # Someone else is rewarded for this (licences landing: the account team; adoption: the
        # CSM): their job, not a favour. With the jar low, ask them instead; with room in it,
        # keep this person's goodwill for what only they can do (rule favors.save-the-favour).
        first = ("favors.jar-low", values) if not room else ("favors.save-the-favour", {"name": contact.name})
        after = [] if room else [("favors.give-first", {})]  # before asking them for anything else
        return Decision(
            "find_aligned_contact",
            [first, *rules, elsewhere, *after],
            contact,
            topic,
            cost,
            state.balance,
            others,
        )
    if room:
        if not recent and not state.requests:
            rules.append(("favors.first-ask", {"name": contact.name}))
        return Decision(
            "ask", [("favors.jar-ok", values), *known, *rules], contact, topic, cost, state.balance, []
        )
    rules = [("favors.jar-low", values), *known, *rules]
    rules.append(("favors.give-first", {}))
    return Decision("unlikely", rules, contact, topic, cost, state.balance, [])


_DIRECTIONS: list[tuple[str, str]] = [
    (r"^(asked|ask|requested|request|asking)\s+(?P<rest>.+)$", "asked"),
    (
        r"^(gave|give|given|did|helped|help|sent|offered|introduced|provided|shared|hosted|ran)\s+(?P<rest>.+)$",
        "given",
    ),
    (r"^(received|got|get)\s+(?P<what>.+?)\s+from\s+(?P<rest>.+)$", "received"),
]


@dataclass(frozen=True, slots=True)
class ParsedFavor:
    direction: Direction
    who: str  # "Ana (CSM) to expedite ..." - name, optional role and the rest
    what: str | None  # for "received X from NAME"


_OWE = re.compile(
    r"^(?:we|i)\s+owe\s+(?P<rest>[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?(?:\s*\([^)]+\))?)\s+"
    r"(?:one|a\s+favou?r|big\s+time|a\s+lot)?\s*(?:for|after)\s+(?P<what>.+)$",
    re.IGNORECASE,
)
_OWES_US = re.compile(
    r"^(?P<rest>[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?(?:\s*\([^)]+\))?)\s+owes\s+us\s+"
    r"(?:one|a\s+favou?r)?\s*(?:for|after)\s+(?P<what>.+)$",
)


def parse_favor(text: str) -> ParsedFavor | None:
    text = text.strip()
    m = _OWE.match(text)
    if m:  # "we owe Ana one for chasing support": she did us a favor
        return ParsedFavor("received", m.group("rest"), m.group("what"))
    m = _OWES_US.match(text)
    if m:  # "Ana owes us for the webinar": we gave
        return ParsedFavor("given", m.group("rest"), m.group("what"))
    for pattern, direction in _DIRECTIONS:
        m = re.match(pattern, text, re.IGNORECASE | re.DOTALL)
        if m:
            return ParsedFavor(direction, m.group("rest"), m.groupdict().get("what"))  # type: ignore[arg-type]
    m = re.match(
        r"^(?P<rest>[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)?\s*(\([^)]+\))?)\s+(gave us|got us|did us|"
        r"sent us|fixed|expedited|arranged|helped us|approved)\s*(?P<what>.*)$",
        text,
    )
    if m:
        return ParsedFavor("received", m.group("rest"), m.group(0)[len(m.group("rest")) :].strip())
    return None


_WHEN_SAID = re.compile(
    r"[,;]?\s*\b(?:about |around |roughly |some )?"
    r"(?:an?|one|two|three|four|five|six|a couple of|a few|\d{1,3})\s+(?:day|week|month)s?\s+(?:ago|back)\b"
    r"|[,;]?\s*\b(?:yesterday|last week|last month|the other day)\b",
    re.IGNORECASE,
)


_HOW_ASKED = re.compile(
    r"[,;]?\s*\b(?:as\s+a\s+(?:personal\s+|small\s+|quick\s+|big\s+)?favou?r|directly)\b", re.IGNORECASE
)


def clean_what(text: str) -> str:
    text = _WHEN_SAID.sub("", text)  # when it happened is the event's date, not what was asked
    # how it would be asked is not what is asked: "chase it for us as a personal favour", "directly"
    text = _HOW_ASKED.sub("", text)
    text = re.sub(r"^\s*(to|for|with|about|on)\s+", "", text.strip(), flags=re.IGNORECASE)
    text = re.sub(r"[,;(]?\s*\b(small|medium|large|big|quick)\)?\s*$", "", text, flags=re.IGNORECASE)
    return text.strip(" .,;?!")
