"""The conversation's housekeeping: help, deals, undo, notes, direct facts."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BaseModel, Field, TypeAdapter

from bot.actions import Key, Name, Payload, RowId, Words, reader_only
from bot.amounts import currency
from bot.context import Context
from bot.forms import describe, parse_value
from bot.knowledge import KnowledgeSection
from bot.memory import DealNameTaken
from bot.reply import Action, Item, Reply, Section
from bot.skills import skill
from bot.skills.access import UNKNOWN_DEAL, unknown_deal
from bot.timeline import CONTACT, FACT, UNDO
from bot.understanding.fact_names import fact_and_value, fact_by_name
from bot.understanding.facts import read_facts
from bot.understanding.numbers import read_count_loosely

MAX_DEAL_NAME = 120
NAME_REFUSED = "deal.name_refused"  # a new deal's name that can't be used: no deal was started


class DealInWords(BaseModel):
    asks: str  # a message that asks for a new deal (regex)
    kept: str
    kept_plain: str
    no_deal: str
    button: str


class HelpGroup(BaseModel):
    title: str
    intents: list[str]  # intent-name prefixes


SECTIONS = (
    KnowledgeSection("core", "help_groups", TypeAdapter(list[HelpGroup]).validate_python),
    KnowledgeSection("core", "facts_in_passing", TypeAdapter(frozenset[str]).validate_python),
    KnowledgeSection("core", "deal_in_words", DealInWords.model_validate),
    # units of each currency to one US dollar, for judging scale against dollar thresholds
    KnowledgeSection("core", "per_usd", TypeAdapter(dict[str, float]).validate_python),
)


@skill("help", needs_deal=False, payload=Payload)
async def help_(ctx: Context, _: Payload) -> Reply:
    groups: list[HelpGroup] = ctx.kb.section("core.help_groups")
    by_title: dict[str, list[Item]] = {g.title: [] for g in groups}
    for spec in sorted(ctx.kb.intents, key=lambda s: s.usage or s.name):
        if not spec.help:
            continue
        title = next((g.title for g in groups if any(spec.name.startswith(p) for p in g.intents)), "More")
        example = next((e for e in spec.examples if e != spec.usage and e != spec.name), None)
        said = f" — e.g. “{example}”" if example else ""
        by_title.setdefault(title, []).append(Item(f"`{spec.usage or spec.name}`: {spec.help}{said}"))
    deal = f" The active deal here is {ctx.deal.name}." if ctx.deal else " Start with `deal new NAME`."
    return Reply(
        headline="Here's what I can do. Ask in your own words or use a command." + deal,
        intent="help",
        sections=[Section(title=t, items=items) for t, items in by_title.items() if items],
    )


@skill("cancel", needs_deal=False, payload=Payload)
async def cancel(ctx: Context, _: Payload) -> Reply:
    return Reply(headline="Nothing to cancel.", intent="cancel")


class DealName(Payload):
    name: Name | None = None


class Undo(Payload):
    event_id: RowId | None = None
    event_ids: Annotated[list[RowId], Field(max_length=50)] | None = None


def _deal_name(p: DealName) -> str:
    return " ".join((p.rest or p.name or "").split()).strip("\"'“”")


def _by_command(p: DealName) -> bool:
    """The command grammar said what the name is (`deal new NAME`, a button), even if empty."""
    return "rest" in p.model_fields_set or bool(p.name)


# A new deal's name in everyday words: after "called"/"named"/"for"/":", else after "deal".
_NAMED = re.compile(
    r"\b(?:called|named|for)\s+(?:the\s+)?(.+?)\s*[.!]?$|[:\-–]\s*(.+?)\s*[.!]?$", re.IGNORECASE
)
_AFTER_DEAL = re.compile(r"\b(?:deal|negotiation|renewal)\b[,:]?\s+(.+?)\s*[.!]?$", re.IGNORECASE)


_NAME_ENDS = re.compile(
    r"[.,;:!?](?:\s|$)|\s+[-–—]+\s+|\s+(?:and|but|so|because|as|which|where)\s+", re.IGNORECASE
)


def _new_deal_name(ctx: Context, p: DealName) -> str:
    name = _deal_name(p)
    if name or "rest" in p.model_fields_set:  # the command grammar said what the name is
        return name
    m = _NAMED.search(ctx.intent.text) or _AFTER_DEAL.search(ctx.intent.text)
    name = next(g for g in m.groups() if g) if m else ""
    name = _NAME_ENDS.split(name)[0]  # "copilot rollout, separate from the EA": the name is the first part
    return " ".join(name.split()).strip("\"'“”")


def _asked_for_a_deal(ctx: Context, spec: DealInWords) -> bool:
    """Read from everyday words, a new deal is asked for only in so many words, and a message
    that tells deal facts is news about the deal at hand (a story), not a request."""
    text = ctx.intent.text
    if not re.search(spec.asks, text, re.IGNORECASE):
        return False
    if ctx.deal is None:
        return True
    return not read_facts(text, ctx.kb, now=ctx.now, tz=ctx.tz, known=ctx.deal.facts)


@skill("deal.new", needs_deal=False, payload=DealName)
async def deal_new(ctx: Context, p: DealName) -> Reply:
    name = _new_deal_name(ctx, p)
    by_command = _by_command(p)
    spec: DealInWords = ctx.kb.section("core.deal_in_words")
    if not by_command and not _asked_for_a_deal(ctx, spec):
        offer = (
            [Action(spec.button.format(name=name[:40]), {"intent": "deal.new", "name": name})]
            if name and len(name) <= MAX_DEAL_NAME
            else []
        )
        if ctx.deal is None:
            return Reply(headline=spec.no_deal, intent="deal.new", actions=offer)
        said = spec.kept if offer else spec.kept_plain
        return Reply(headline=said.format(deal=ctx.deal.name), intent="deal.new", actions=offer)
    if not name:
        ctx.awaiting = {"intent": "deal.new", "args": {}, "slot": "name"}
        return Reply(headline="What should the new deal be called?", intent="deal.new")
    if len(name) > MAX_DEAL_NAME:
        return Reply(
            headline=f"That name is too long; keep it under {MAX_DEAL_NAME} characters.", intent=NAME_REFUSED
        )
    try:
        deal = await ctx.memory.create_deal(name, ctx.turn.user, ctx.now)
    except DealNameTaken:
        known = await ctx.memory.find_visible(name, ctx.person)
        if known is not None:  # named as it was saved, whatever the case it was typed in now
            return Reply(
                headline=f"There's already a deal called {known.name}. "
                f"Use `deal use {known.name}` to switch to it.",
                intent=NAME_REFUSED,
            )
        # Names are unique in a workspace: say it is taken, and nothing about whose it is.
        return Reply(headline=ctx.kb.say("access.name-taken"), intent=NAME_REFUSED)
    conversation = await ctx.memory.conversation(ctx.turn.conversation, ctx.now)
    await ctx.memory.bind(conversation, deal)
    return Reply(
        headline=f"Started {deal.name}. It's the active deal here now.",
        intent="deal.new",
        sections=[
            Section(
                items=[
                    Item(
                        "Tell me what's happening in your own words, "
                        "e.g. “the AE said this is their final offer”."
                    ),
                    Item("Or ask: “should we escalate now?”, “can I tell the CSM our budget?”"),
                ]
            )
        ],
    )


@skill("deal.use", needs_deal=False, payload=DealName)
async def deal_use(ctx: Context, p: DealName) -> Reply:
    name = _deal_name(p)
    # A deal the person may not see is answered exactly as one that does not exist.
    deal = await ctx.memory.find_visible(name, ctx.person) if name else None
    if deal is None and not name and "rest" not in p.model_fields_set:  # "let's work on Tailspin now"
        deal = await _deal_in_words(ctx)
    if deal is None:  # nothing switched: `unknown_deal`, the intent `coach deal use` exits 1 on
        refused = await unknown_deal(ctx, name)
        refused.intent = UNKNOWN_DEAL
        return refused
    conversation = await ctx.memory.conversation(ctx.turn.conversation, ctx.now)
    await ctx.memory.bind(conversation, deal)
    return Reply(headline=f"Switched to {deal.name}.", intent="deal.use")


async def _deal_in_words(ctx: Context) -> Any:
    """The one deal whose name, or its first word, the sentence mentions (None if not one)."""
    words = set(re.findall(r"\w+", ctx.intent.text.casefold()))
    said = ctx.intent.text.casefold()
    found = [
        d
        for d in await ctx.memory.list_deals(ctx.person)
        if d.name.casefold() in said or (d.name.split() and d.name.split()[0].casefold() in words)
    ]
    return found[0] if len(found) == 1 else None


@skill("deal.show", payload=Payload)
async def deal_show(ctx: Context, _: Payload) -> Reply:
    assert ctx.deal is not None
    deal = ctx.deal
    facts = []
    for key, value in deal.facts.items():
        spec = ctx.kb.facts.get(key)
        shown = describe(spec, value, currency(deal.facts)) if spec else value
        facts.append(Item(f"{spec.label if spec else key}: {shown}"))
    contacts = [
        Item(f"{c.name} ({c.role})" + ("" if c.active else " — no longer on the deal")) for c in deal.contacts
    ]
    events = deal.live_events()
    recent = [Item(f"{e.at:%Y-%m-%d} {e.kind}: {summarise(e.payload)}") for e in events[-10:]]
    sections = [Section(title="Facts", items=facts or [Item("None recorded yet.")])]
    if contacts:
        sections.append(Section(title="Microsoft contacts", items=contacts))
    sections.append(
        Section(
            title=f"Timeline (last {len(recent)} of {len(events)})",
            items=recent or [Item("Nothing logged yet.")],
        )
    )
    return Reply(headline=deal.name, intent="deal.show", sections=sections)


def summarise(payload: object, limit: int = 90) -> str:
    if isinstance(payload, dict):
        if "text" in payload:
            text = str(payload["text"])
        elif "key" in payload:
            text = f"{payload['key']} = {payload.get('value')}"
        else:
            text = ", ".join(f"{k}={v}" for k, v in payload.items() if v not in (None, "", []))
    else:
        text = str(payload)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@skill("undo", payload=Undo)
async def undo(ctx: Context, p: Undo) -> Reply:
    assert ctx.deal is not None
    wanted = p.event_ids or ([p.event_id] if p.event_id is not None else None)
    live = ctx.deal.live_events()
    if wanted is not None:
        targets = [e for e in live if e.id in set(wanted)]
    else:
        mine = [e for e in live if e.actor == ctx.turn.user]
        targets = mine[-1:]
    if not targets:
        return Reply(headline="Nothing to undo (it may have been undone already).", intent="undo")
    for target in targets:
        await ctx.log(UNDO, {"event_id": target.id, "kind": target.kind})
        if target.kind == CONTACT:
            await _withdraw_contact(ctx, str(target.payload.get("name") or ""))
    what = "; ".join(f"{t.kind} — {summarise(t.payload)}" for t in targets)
    return Reply(headline=f"Undone: {what}.", intent="undo")


async def _withdraw_contact(ctx: Context, name: str) -> None:
    """The contact map follows the timeline: with no live entry naming them, a contact is off
    the map; otherwise the latest live entry says their role again."""
    assert ctx.deal is not None
    if not name or ctx.deal.contact(name) is None:
        return
    still = [
        e
        for e in ctx.deal.live_events(CONTACT)
        if str(e.payload.get("name") or "").casefold() == name.casefold()
    ]
    if still:
        latest = still[-1].payload
        await ctx.memory.upsert_contact(
            ctx.deal.id,
            name,
            str(latest.get("role") or ""),
            latest.get("kpis") or None,
            latest.get("note"),
            ctx.now,
        )
    else:
        await ctx.memory.set_contact_active(ctx.deal.id, name, False)


# How people start a note in their own words; what follows is the note.
_NOTE_LEAD = re.compile(
    r"^\s*(please |can you |could you )*(make|add|take|keep|put|jot|write|note|log|record|remember)"
    r"( down| a note| a quick note| note| this)?( on the deal| to the notes)?"
    r"( that| saying| of the fact that| of)?"
    r"\s*[:,-]?\s*",
    re.IGNORECASE,
)


class Note(Payload):
    """`note: …` (the command's `rest`, or the "Keep it as a note" button's). Our own side's
    remark, read by the reader's rule ours-not-microsoft (bot/understanding/reading.py), also
    says whose it is and which line answers it; a button cannot say those."""

    side: Key | None = reader_only()
    who: Words | None = reader_only()
    said_as: Key | None = reader_only()


@skill("note", payload=Note)
async def note(ctx: Context, p: Note) -> Reply:
    text = (p.rest or "").strip()
    if p.rest is None:  # understood from everyday words, not `note:`
        text = _NOTE_LEAD.sub("", ctx.intent.text, count=1).strip()
    if not text:
        ctx.awaiting = {"intent": "note", "args": {}, "slot": "rest"}
        return Reply(headline="What should the note say?", intent="note")
    who = p.who if p.side == "us" else None
    payload: dict[str, Any] = {"text": text[:2000]}
    if who:  # our own side's remark (bot/understanding/reading.py, rule ours-not-microsoft)
        payload.update(side="us", who=who[:80])
    event = await ctx.log("note", payload)
    as_said = p.said_as or "dialogue.ours-noted"
    said = (
        ctx.kb.say(as_said if as_said.startswith("dialogue.") else "dialogue.ours-noted", who=who)
        if who
        else ""
    )
    return Reply(
        headline=f"Noted on {ctx.deal.name if ctx.deal else 'the deal'}.{said and ' ' + said}",
        intent="note",
        actions=[Action("Undo", {"intent": "undo", "event_id": event.id})],
    )


@skill("deal.tell", needs_deal=False, payload=Payload)
async def deal_tell(ctx: Context, _: Payload) -> Reply:
    """A statement about the deal that carried no fact I track (facts are read before this)."""
    if ctx.deal is None:
        return Reply(headline=ctx.kb.say("core.tell-no-deal"), intent="deal.tell")
    if _TOLD_AS_CORRECTION.match(ctx.intent.text):  # "Correction: 31 December 2026."
        corrected = await _correction_in_words(ctx)
        if corrected is not None:
            return corrected
    said = ctx.intent.text.strip()[:1500]  # rides in a button: fits a Slack button value
    return Reply(
        headline=ctx.kb.say("core.tell-no-fact"),
        intent="deal.tell",
        actions=[Action("Keep it as a note", {"intent": "note", "rest": said})] if said else [],
    )


def _fact_in_words(ctx: Context) -> tuple[str, str]:
    """The fact a sentence names (by its label) and the words after it, minus "to"/"as"."""
    low = ctx.intent.text.casefold()
    best = None
    for spec in ctx.kb.facts.values():
        for name in (spec.label.casefold(), spec.key.replace("_", " ")):
            at = low.find(name)
            if at >= 0 and (best is None or len(name) > len(best[1])):
                best = (at, name)
    if best is None:
        return ctx.intent.text, ""
    at, name = best
    value = ctx.intent.text[at + len(name) :]
    value = re.sub(r"^\s*(to|as|=|:|is|at|should be|of)\b\s*", "", value, flags=re.IGNORECASE).strip(" .")
    return name, value


_VERB = re.compile(r"^\s*(?:please\s+)?(?:set|record|update|change|log|fact)\b\s*", re.IGNORECASE)


_CORRECTION_LEAD = re.compile(
    r"^\s*(?:(?:sorry|oops|apologies|my bad|ah|no|well|hmm)[\s,.!-]*)*"
    r"(?:(?:correction|correct(?:ing)? that|actually|make that|i meant|i mean|should be|it's|it is|it was"
    r"|that's|more like|closer to|nearer(?: to)?)\b[\s:,.-]*)+",
    re.IGNORECASE,
)


_TOLD_AS_CORRECTION = re.compile(
    r"^\s*(?:(?:sorry|oops|apologies|my bad|ah|well|hmm|no)[\s,.!-]*)*"
    r"(?:correction|correcting that|make that|i meant"
    # "well actually more like five and a half": a figure put right, said loosely
    r"|(?:actually[\s,]+)?(?:it'?s\s+|it\s+was\s+|that'?s\s+)?(?:more\s+like|closer\s+to|nearer(?:\s+to)?))\b",
    re.IGNORECASE,
)


def told_as_correction(text: str) -> bool:
    """The message opens as a correction in words ("Correction: …", "sorry, make that …")."""
    return bool(_TOLD_AS_CORRECTION.match(text))


_BARE = re.compile(
    r"^\s*(?:about|around|roughly|maybe|~)?\s*(\d+(?:[.,]\d+)?|[a-z]+(?:-[a-z]+|\s(?!and\b)[a-z]+)?)"
    r"(\s+and\s+a\s+half)?\b",
    re.IGNORECASE,
)


def _money_of(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _scaled_like(said: str, old: Any) -> float | None:
    """A bare figure put right ("more like five and a half", "closer to 2.2") in the scale of the
    amount it corrects (6,000 → 5,500; 2,400,000 → 2,200,000); None when it names no number."""
    m = _BARE.match(said)
    if m is None or not isinstance(old, int | float) or isinstance(old, bool) or old <= 0:
        return None
    raw = m.group(1).replace(",", ".")
    try:
        n = float(raw)
    except ValueError:
        n = read_count_loosely(raw)
        if n is None:
            return None
    n += 0.5 if m.group(2) else 0
    if n <= 0:
        return None
    # The power of a thousand that brings the figure nearest to the old one.
    scale = min((1.0, 1e3, 1e6, 1e9), key=lambda s: abs(math.log10(n * s) - math.log10(old)))
    return n * scale


async def _correction_in_words(ctx: Context) -> Reply | None:
    """A change told in words with no fact named: "Sorry, correction. It was the third round
    only" sets the facts the message states; "Correction: 31 December 2026." sets the one fact
    told last whose kind the value is (a date after a renewal date was told). None when neither
    says which fact."""
    if ctx.deal is None:
        return None
    reading = ctx.reading if ctx.reading is not None and ctx.reading.text == ctx.intent.text else None
    found: dict[str, Any] = {}
    if reading is not None:
        for f in reading.facts:
            if f.key in ctx.kb.facts and f.key not in found:
                found[f.key] = f.value
    if not found and ctx.dialogue is not None and ctx.dialogue.facts:
        lead = _CORRECTION_LEAD.match(ctx.intent.text)
        said = re.split(r"(?<=[.!?;])\s", ctx.intent.text[lead.end() :], maxsplit=1)[0] if lead else ""
        if said.strip():
            fits = []
            for key, _old in ctx.dialogue.facts:
                spec = ctx.kb.facts.get(key)
                if spec is None or spec.kind not in ("date", "money", "number", "percent"):
                    continue
                value = parse_value(spec, said, ctx.kb)
                if spec.kind == "money" and (value is None or (value < 1000 <= _money_of(_old))):
                    value = _scaled_like(said, _old)  # "closer to 2.2" after 2.4M is 2.2M
                if value is not None and key not in (k for k, _ in fits):
                    fits.append((key, value))
            if fits:  # the fact told last that the value fits (they are kept newest first)
                key, value = fits[0]
                found[key] = value
    if not found:
        return None
    lines, ids = [], []
    cur = currency(ctx.deal.facts)
    for key, value in found.items():
        if ctx.deal.fact(key) == value:
            continue
        event = await ctx.log(FACT, {"key": key, "value": value})
        ids.append(event.id)
        spec = ctx.kb.facts[key]
        lines.append(f"{spec.label}: {describe(spec, value, cur)}")
    if not ids:
        return None
    return Reply(
        headline=f"Logged for {ctx.deal.name}: {'; '.join(lines)}.",
        intent="fact.set",
        actions=[Action("Undo", {"intent": "undo", "event_ids": ids})],
    )


@skill("fact.set", payload=Payload)
async def fact_set(ctx: Context, p: Payload) -> Reply:
    rest = p.rest or ""
    key_part, _, value_part = rest.partition(":")
    if not value_part:
        key_part, _, value_part = rest.partition("=")
    # "set renewal_date to 2027-06-30", "record the term as 3 years": a name, then the value
    named = None if value_part else fact_and_value(rest or _VERB.sub("", ctx.intent.text), ctx.kb)
    if named is None and not value_part and not rest:  # "change the renewal date to 1 July 2027"
        key_part, value_part = _fact_in_words(ctx)
    if named is not None:
        spec, value_part = named
    else:  # by key, label or the label's short form: "term", "Term (years)", "term_years"
        spec = fact_by_name(key_part, ctx.kb)
    if spec is None:
        corrected = await _correction_in_words(ctx)
        if corrected is not None:
            return corrected
        known = ", ".join(sorted(s.label.lower() for s in ctx.kb.facts.values())[:12])
        return Reply(
            headline=f"I don't track a fact called “{key_part.strip()[:60]}”. Some I do: {known}.",
            intent="fact.set",
        )
    value = parse_value(spec, value_part, ctx.kb)
    if value is None:
        return Reply(
            headline=f"I couldn't read a {spec.kind} in “{value_part.strip()[:60]}”. {spec.question}",
            intent="fact.set",
        )
    event = await ctx.log(FACT, {"key": spec.key, "value": value})
    return Reply(
        headline=f"Logged for {ctx.deal.name if ctx.deal else 'the deal'}: "
        f"{spec.label} = {describe(spec, value, currency(ctx.deal.facts) if ctx.deal else None)}.",
        intent="fact.set",
        actions=[Action("Undo", {"intent": "undo", "event_id": event.id})],
    )
