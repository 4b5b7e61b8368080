"""The favor ledger: log favors, “should I ask Jane for X?”, “who do I ask about Y?”, jars."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from bot.actions import FavorLog, Name, Payload, RowId, Words
from bot.context import Context
from bot.patterns import compiled
from bot.playbooks import favors as fv
from bot.playbooks.people import find_role, name_and_role, short_role
from bot.reply import Action, Item, Reply, Section
from bot.skills import skill
from bot.timeline import CONTACT, UNDO, Contact, DealView, Event
from bot.understanding import statements
from bot.understanding.events import name_after_role, role_beside, without_role_aside


def _jar_line(ctx: Context, name: str) -> tuple[str, fv.Jar]:
    assert ctx.deal is not None
    cfg = fv.config(ctx.kb)
    jar = fv.jar(list(ctx.deal.live_events(fv.FAVOR)), name, ctx.now, cfg)
    given = "nothing given back yet" if not jar.given else f"{jar.given} given back"
    asks = f"{jar.requests} ask{'s' if jar.requests != 1 else ''}"
    return f"{asks} in the last {cfg.window_days} days, {given}; jar about {jar.balance} of {jar.size}.", jar


@skill("favors.log", payload=FavorLog)
async def log_favor(ctx: Context, p: FavorLog) -> Reply:
    assert ctx.deal is not None
    kb = ctx.kb
    if p.contact and p.direction and p.what:
        # Typed values (a Slack modal): recorded as they are, nothing read from a sentence.
        said = p.what
        parsed = fv.ParsedFavor(p.direction, p.contact, " ".join(said.split()))
        name, role, rest = p.contact, kb.role(p.role or ""), ""
    else:
        said = p.favor or p.rest or ctx.intent.text
        told = fv.parse_favor(said) or fv.parse_favor(_favor_sentence(said))
        # A story of favours ("then two weeks ago I asked her to arrange X, which she did, and last
        # week she expedited Y"): counted as told, per person, never read as one favour
        events = _favours_in_story(ctx, said)
        if events and (told is None or sum(events.values()) > 1 or len(events) > 1):
            return _story_noted(ctx, events)
        if told is None:
            return Reply(headline=kb.say("favors.ask-favor"), intent="favors.log")
        parsed = told
        name, role, rest = name_and_role(parsed.who, kb)
    if role is None and p.role:  # the answer to "what is their role?"
        role = kb.role(p.role) or find_role(p.role, kb)
    existing = ctx.deal.contact(name) if name else None
    if not name or (role is None and existing is None):
        if name:  # one question for the one thing missing; the favor itself is kept
            keep = {k: v for k in ("contact", "direction", "what", "size") if (v := getattr(p, k))}
            kept = keep if "contact" in keep else {"favor": said[:400]}
            ctx.awaiting = {"intent": "favors.log", "args": kept, "slot": "role"}
            return Reply(headline=kb.say("favors.ask-role", name=name), intent="favors.log")
        return Reply(headline=kb.say("favors.ask-favor"), intent="favors.log")
    role_key = role.key if role else existing.role  # type: ignore[union-attr]
    what = fv.clean_what(parsed.what or rest)
    full = f"{parsed.what or ''} {rest}"
    topic = fv.topic_of(full, kb)
    contact = (
        existing
        if existing and role is None
        else await ctx.upsert_contact(existing.name if existing else name, role_key)
    )
    created = existing is None  # this favor brought the contact: undoing it withdraws them too
    kpi = fv.aligned_kpi(fv.kpis_for(contact, role_key, kb), topic) if parsed.direction != "given" else None
    event = await ctx.log(
        fv.FAVOR,
        {
            "contact": contact.name,
            "role": role_key,
            "direction": parsed.direction,
            "what": what,
            "size": p.size or fv.size_of(full, kb),
            "topic": topic.key if topic else None,
            "aligned": kpi is not None,
        },
        at=statements.when_said(ctx.intent.text, ctx.now, ctx.tz),  # "we asked the CSM about a month ago"
    )
    line, jar = _jar_line(ctx, contact.name)
    items = [Item(f"{contact.name} ({short_role(kb, role_key)}): {line}", rule="favors.jar")]
    if kpi:
        items.append(
            Item(kb.say("favors.kpi-aligned", name=contact.name, kpi=kpi), rule="favors.kpi-aligned")
        )
    elif jar.balance < fv.config(kb).costs["medium"]:
        items.append(Item(kb.say("favors.give-first"), rule="favors.give-first"))
    return Reply(
        headline=f"Logged: {parsed.direction} {contact.name} — {what}.",
        intent="favors.log",
        verdict="logged",
        verdict_label="Logged:",
        sections=[Section(items=items)],
        actions=[
            Action(
                "Undo",
                {
                    "intent": "favors.undo",
                    "event_id": event.id,
                    "new_contact": contact.name if created else None,
                },
            )
        ],
    )


_FAVOR_LEAD = compiled(
    r"^\s*(?:(?:please\s+)?(?:log|record|note|track|add|save)\s+(?:that\s+|a\s+|the\s+)?(?:favou?r\s*)?[:,-]?\s*)?"
    # when it happened, said first: "last week again I asked her …", "in October we asked Tom …"
    r"(?:(?:(?:last|this|on|in|back\s+in|early|earlier|late)\s+\w+|yesterday|today|earlier|recently|then|"
    r"again|also|and|so|a\s+(?:week|month|few\s+(?:days|weeks))\s+ago)\b[,\s]*)*"
    r"(?:(?:we|i)(?:\s+have|'ve|\s+had|'d)?\s+(?:just\s+|already\s+|also\s+)?)?",
    re.IGNORECASE,
)
_FAVOR_TAIL = compiled(
    r"\s*[,;.–-]*\s*(?:(?:and\s+)?(?:that|it|this)\s+(?:was|is|counts\s+as)|as|count\s+(?:it|that)\s+as|"
    r"which\s+(?:was|is)|log\s+(?:it|that)\s+as)?\s*(?:a|an|our|one|big)?\s*"
    r"(?:favou?r|solid|good\s+turn)(?:\s+(?:given|received|from\s+them|to\s+them|for\s+us))?\s*[.!]*\s*$",
    re.IGNORECASE,
)


# "… and she did it", "… and he came through": what came of the ask, not what was asked
_DID_IT = compiled(
    r"[,;]?\s+and\s+(?:she|he|they)\s+(?:did(?:\s+it)?|came\s+through|delivered|sorted\s+it(?:\s+out)?|got\s+it\s+done)"
    r"\s*[.!]*\s*$",
    re.IGNORECASE,
)


def _favours_in_story(ctx: Context, text: str) -> dict[str, int]:
    """Favours this message tells as events or counts, per Microsoft person: the people the
    conversation and the contact map know, and those it names beside a role."""
    from bot.understanding.events import favours_told, their_people

    state = ctx.dialogue
    people = [p.name for p in state.people if p.side == "microsoft"] if state is not None else []
    people += [c.name for c in ctx.deal.contacts if c.active] if ctx.deal is not None else []
    people += [name for name, _ in their_people(text, ctx.kb)]  # "Lucia from the account team"
    if ctx.reading is not None:
        people += [e.text for e in ctx.reading.entities if e.kind == "person" and e.side != "us"]
    last = next((p.name for p in state.people if p.side == "microsoft"), None) if state is not None else None
    return {who: n for who, n in favours_told(text, ctx.kb, people, last=last).items() if n}


def _story_noted(ctx: Context, events: dict[str, int]) -> Reply:
    """What a story of favours told was understood as: who, how many; kept in the conversation
    (the dialogue state counts them once), so the next favour question counts them."""
    kb = ctx.kb
    items = []
    for who, n in events.items():
        contact = ctx.deal.contact(who) if ctx.deal is not None else None
        known = next(
            (p for p in (ctx.dialogue.people if ctx.dialogue is not None else ()) if p.name == who), None
        )
        role = contact.role if contact is not None else (known.role if known is not None else None)
        name = f"{who} ({short_role(kb, role)})" if role else who
        items.append(
            Item(
                kb.say("favors.story-told", name=name, n=n, s="" if n == 1 else "s"), rule="favors.story-told"
            )
        )
    whom = ", ".join(events)
    items.append(Item(kb.say("favors.story-counts", who=whom), rule="favors.told-events"))
    total = sum(events.values())
    return Reply(
        headline=f"Noted: {total} favour{'' if total == 1 else 's'} from {whom}, as you told them.",
        intent="favors.log",
        verdict="noted",
        verdict_label="Noted:",
        sections=[Section(items=items)],
    )


def _favor_sentence(text: str) -> str:
    """A favor told in a full sentence, down to what the favor reader takes: "we asked Ana to
    fast-track the workshop, that was a favour" -> "asked Ana to fast-track the workshop"."""
    body = _DID_IT.sub("", _FAVOR_TAIL.sub("", text.strip()))
    return _FAVOR_LEAD.sub("", body, count=1).strip()


def _mentions(deal: DealView, name: str) -> list[Event]:
    """Live events other than contact bookkeeping that name this contact."""
    key = name.casefold()
    return [
        e
        for e in deal.live_events()
        if e.kind not in (CONTACT, UNDO)
        and any(str(e.payload.get(f) or "").casefold() == key for f in ("contact", "name", "by"))
    ]


class FavorUndo(Payload):
    event_id: RowId
    new_contact: Name | None = None


class FavorNamed(Payload):
    name: Name | None = None
    what: Words | None = None


class ContactKpis(Payload):
    name: Name | None = None
    kpis: Annotated[str, Field(max_length=2000)] | None = None


@skill("favors.undo", payload=FavorUndo)
async def undo_favor(ctx: Context, p: FavorUndo) -> Reply:
    """Undo a logged favor; a contact that favor created is withdrawn with it, unless something
    else on the deal names them (then they stay, and the reply says why)."""
    assert ctx.deal is not None
    target = next((e for e in ctx.deal.live_events(fv.FAVOR) if e.id == p.event_id), None)
    if target is None:
        return Reply(headline="Nothing to undo (it may have been undone already).", intent="undo")
    await ctx.log(UNDO, {"event_id": target.id, "kind": target.kind})
    headline = f"Undone: favor — {target.payload.get('what')}."
    name = p.new_contact
    items: list[Item] = []
    if name and ctx.deal.contact(str(name)) is not None:
        others = _mentions(ctx.deal, str(name))
        if others:
            kinds = ", ".join(dict.fromkeys(e.kind.replace("_", " ") for e in others))
            items.append(Item(f"{name} stays on the contact map: other entries name them ({kinds})."))
        else:
            await ctx.memory.set_contact_active(ctx.deal.id, str(name), False)
            for e in ctx.deal.live_events(CONTACT):
                if str(e.payload.get("name") or "").casefold() == str(name).casefold():
                    await ctx.log(UNDO, {"event_id": e.id, "kind": e.kind})
            items.append(Item(f"{name} came with that favor, so they are off the contact map again."))
    return Reply(headline=headline, intent="undo", sections=[Section(items=items)] if items else [])


_ROLE_NAMED = (
    r"(?:their|the|microsoft'?s|ms|msft'?s)\s+(?P<role>(?:[\w-]+\s+){0,3}?"
    r"(?:vp|avp|rvp|gm|vice\s+president|general\s+manager|director|manager|executive|exec|specialist|architect|"
    r"ae|csm|ts|rep))\b"
)
_ASKED_ROLE = compiled(r"\bask(?:ing)?\s+" + _ROLE_NAMED, re.IGNORECASE)
# The ask read from a message whose pronoun was resolved to a role ("ask her to …" -> "ask their
# technical specialist to …"): the role leads what is asked for, and is whom.
_ROLE_LEADS = compiled(r"^\s*" + _ROLE_NAMED + r"(?=\s+(?:to|for|about|whether|if)\b)", re.IGNORECASE)


@skill("favors.should_ask", payload=FavorNamed)
async def should_ask(ctx: Context, p: FavorNamed) -> Reply:
    assert ctx.deal is not None
    name, what = p.name, p.what
    if name and name.casefold() in _NOT_A_NAME:  # "should I ask our CSM Tom …": "our" is no one
        name, what = None, None
    if not name and p.rest:
        name, _, rest = name_and_role(p.rest, ctx.kb)
        what = what or fv.clean_what(without_role_aside(rest, ctx.kb))
    # What the message said in its own words: the person (a name, or the one contact in a role
    # named) and what would be asked for, from the turn's reading.
    text = ctx.intent.text
    name = name_after_role(text, ctx.kb) or name if _is_role_word(name, ctx) else name
    name = name or name_after_role(text, ctx.kb) or _person_named(ctx) or _person_talked_about(ctx)
    name = name or _person_of_the_favours_just_told(ctx) or _whom_the_pronoun_means(ctx)
    role_only = None
    if not name:
        # "ask their area VP for a special price": a role, nobody named, no contact in it
        asked_in = text
        asked_role = _ASKED_ROLE.search(text)
        if asked_role is None and what and _ROLE_LEADS.search(what):
            asked_in, what = what, None
            asked_role = _ROLE_LEADS.search(asked_in)
        spec = find_role(asked_role.group("role"), ctx.kb) if asked_role else None
        holders = [c for c in ctx.deal.contacts if spec is not None and c.role == spec.key and c.active]
        if spec is not None and len(holders) <= 1:
            # the one contact in that role is whom "their TS" means (a pronoun resolved to the
            # role reads so too); nobody in it: the role itself, a stranger to us
            name, role_only = (holders[0].name, None) if holders else (f"their {spec.title}", spec.key)
            what = what or _ask_for(asked_in[asked_role.end() :], None)
    what = what or _ask_for(text, name)
    if not name and not what and ctx.dialogue is not None:  # "ok to ask?": it all leans on the story
        name = next((p.name for p in ctx.dialogue.people if p.side == "microsoft"), None)
    if what:
        what = re.split(r"(?<=[?!.])\s+", what.strip())[0].strip(" ?!.")  # its own sentence only
        what = fv.clean_what(what) or what
        what = re.sub(
            r"^(?:again|once\s+more|one\s+more\s+time)\b[\s,?!.]*(?:to\b\s*)?", "", what, flags=re.IGNORECASE
        )
        what = None if not what or _NOT_A_REQUEST.match(what) else what
    if not what and ctx.dialogue is not None:  # "should I ask her again?": what was told just before
        # "would it be sensible to ask him for this?": "this" is whatever was told just before
        pointing = bool(_DEICTIC.search(_ASK_WHAT_TAIL.sub("", text)))
        what = (_told_asking(ctx, name) if name else None) or _told_request(ctx, any_told=pointing)
    elif what and fv.topic_of(what, ctx.kb) is None:
        # A long question's own words name the topic the "what" read missed ("whether she could
        # arrange a readiness workshop for our managers"): the question sentence is read whole.
        asked = _question_sentence(text, name)
        # … or the message tells it before asking ("Jane could run a Copilot workshop. Should I ask her?")
        here = [t for t in re.split(r"(?<=[.!?;])\s+|\n+", text) if t.strip() and "?" not in t]
        told_here = next((t for t in reversed(here) if fv.topic_of(t, ctx.kb) is not None), None)
        if asked and fv.topic_of(asked, ctx.kb) is not None:
            what = f"{what}: {asked}"[:300]
        elif told_here and "?" in text:
            what = f"{what}: {told_here}"[:300]
        elif ctx.dialogue is not None and _points_back(what):
            # "should I ask her to chase it?", "help us with that", "this one": what was told
            # just before (the trouble first, then a need), favors.told-request
            told = _told_request(ctx, any_told=True)
            what = f"{what}: {told}"[:300] if told else what
    if not name or not what:  # use what was said, and ask for the rest in one question
        slot = "name" if not name and what else "what"
        ctx.awaiting = {
            "intent": "favors.should_ask",
            "args": {k: v for k, v in (("name", name), ("what", what)) if v},
            "slot": slot,
        }
        if name:
            return Reply(headline=ctx.kb.say("favors.ask-what", name=name), intent="favors.should_ask")
        if what:
            return Reply(headline=ctx.kb.say("favors.ask-who", what=what), intent="favors.should_ask")
        return Reply(headline=ctx.kb.say("favors.ask-who-and-what"), intent="favors.should_ask")
    told = _what_was_told(ctx, name)
    # every ask told counts once: events told add up; a count told ("twice", "two favours", "a
    # third time") is a total, so the larger of the two stands, never their sum
    counted = max(_asks_told(text), told.counted)
    told_events = told.favours
    asked_before = max(counted, told_events)
    d = fv.should_ask(
        ctx.deal,
        name,
        what or "",
        ctx.kb,
        ctx.now,
        asked_before=asked_before,
        stranger=told.stranger or role_only is not None,  # a role nobody on our side knows
        close=told.close,
        given_before=told.given,
        role=told.role or role_only,
        known=bool(told.favours or told.counted),  # they did us favours: no stranger to us
        told=tuple(
            Contact(0, p.name, p.role)
            for p in (ctx.dialogue.people if ctx.dialogue is not None else ())
            if p.side == "microsoft" and p.role in ctx.kb.roles
        ),
    )
    rules = d.rules
    if told_events and told_events >= counted:  # told as events, not as "I asked twice"
        rules = [
            ("favors.told-events", {"name": v.get("name", name), "n": told_events})
            if r == "favors.told-asks"
            else (r, v)
            for r, v in rules
        ]
    items = [Item(ctx.kb.say(rule, **values), rule=rule) for rule, values in rules]
    labels = {"ask": "Go ahead.", "find_aligned_contact": "Ask someone else.", "unlikely": "Unlikely."}
    who = d.contact.name if d.contact else name
    headline = {
        "ask": f"Go ahead and ask {who}.",
        "find_aligned_contact": (
            f"Ask someone else. Try {', '.join(c.name for c in d.aligned_with)}."
            if d.aligned_with
            else "Ask someone whose job this is."
        ),
        "unlikely": f"Unlikely. I wouldn't ask {who} for this now.",
    }[d.verdict]
    return Reply(
        headline=headline,
        intent="favors.should_ask",
        verdict=d.verdict,
        verdict_label=labels[d.verdict],
        sections=[Section(items=items)],
    )


_ASK_VERB = (
    r"(?:ask(?:ed|ing)?|lean(?:ed|ing)?\s+on|go(?:ing)?\s+back\s+to|went\s+back\s+to|approach(?:ed|ing)?|"
    r"hit(?:ting)?\s+up|tap(?:ped|ping)?|call(?:ing)?\s+in\s+(?:a|another)\s+favou?r\s+(?:with|from)|"
    r"request(?:ed|ing)?\s+(?:\w+\s+){0,3}?from|get\s+(?:\w+\s+){0,3}?from|bug(?:ged|ging)?|push(?:ed|ing)?|"
    # reaching them to ask: "email Ciarán directly and ask him …"
    r"e-?mail(?:ing)?|writ(?:e|ing)\s+to|messag(?:e|ing)|ping(?:ing)?|reach(?:ing)?\s+out\s+to|contact(?:ing)?)"
)
_NAME_AFTER_VERB = compiled(rf"\b{_ASK_VERB}\s+(?P<name>[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?)")
_WHAT = compiled(
    r"\b(?:(?:whether|if)\s+(?:she|he|they|you)\s+(?:could|can|would|might|will|'d)\s+(?:be\s+able\s+to\s+)?|"
    r"for|about|regarding|to\s+(?:get|give|do|hold|run|extend|expedite|approve|waive|throw\s+in)|to)\s+(?:us\s+)?"
    r"(?P<what>(?:an?\s+|the\s+|more\s+|another\s+|some\s+|extra\s+)?[^?.,;!]+?)"
    r"(?=\s*(?:\?|,|;|\.|!|$|\bagain\b|\balready\b|\bthis\s+(?:week|month|quarter)\b|\bor\b|\bwould\b|\bcan\b|\bis\b))",
    re.IGNORECASE,
)
_NOT_WHAT = compiled(
    r"^(?:it|that|this|them|him|her|a\s+favou?r|favou?rs?|one|help|again|now)$"
    # "never asked her for anything before": past asks told, not the request
    r"|^(?:anything|something|nothing|a\s+(?:single\s+)?thing)(?:\s+(?:before|yet|so\s+far|else|at\s+all|ever|much))*$",
    re.IGNORECASE,
)
_TIMES = compiled(
    r"\b(?:(?P<word>once|twice|thrice)|(?P<n>\d{1,2}|[a-z]+(?:-[a-z]+)?)\s+times?|"
    r"(?:a|the|for\s+the)\s+(?P<nth>\w+)\s+time)\b",
    re.IGNORECASE,
)


def _person_named(ctx: Context) -> str | None:
    """The person a favor question names: a contact on the deal by name, the one contact in a
    role it names ("the CSM"), or a capitalised name after the asking verb."""
    assert ctx.deal is not None
    r = ctx.reading
    if r is not None:
        for e in r.entities:
            if e.kind == "person":
                return e.text
        for e in r.entities:
            if e.kind == "role" and e.value:
                named = [c for c in ctx.deal.contacts if c.active and c.role == e.value]
                if len(named) == 1:
                    return named[0].name
    m = _NAME_AFTER_VERB.search(ctx.intent.text)
    return m.group("name") if m and m.group("name").casefold() not in ("i", "we", "microsoft") else None


def _person_talked_about(ctx: Context) -> str | None:
    """Whom a favour question means when it names nobody the reader knows: a person the
    conversation or the contact map knows, said in any case ("ask jane again")."""
    assert ctx.deal is not None
    known = [p.name for p in ctx.dialogue.people if p.side == "microsoft"] if ctx.dialogue else []
    known += [c.name for c in ctx.deal.contacts if c.active]
    low = ctx.intent.text.casefold()
    for name in dict.fromkeys(known):
        first = name.split()[0].casefold()
        if len(first) >= 3 and re.search(rf"(?<!\w){re.escape(first)}(?!\w)", low):
            return name
    return None


_PRONOUN = compiled(r"\b(?:her|him|she|he)\b", re.IGNORECASE)


def _person_of_the_favours_just_told(ctx: Context) -> str | None:
    """ "I asked Marta twice already …" then "can I ask her to …?": she is the one person whose
    favours were logged or told just now (within the conversation's topic window), when the
    question says "her"/"him" and names no one else."""
    assert ctx.deal is not None
    if not _PRONOUN.search(ctx.intent.text):
        return None
    from bot.dialogue.config import dialogue_config
    from bot.understanding.events import favours_told

    minutes = dialogue_config(ctx.kb).topic_minutes
    names = {
        str(e.payload.get("contact") or "")
        for e in ctx.deal.live_events(fv.FAVOR)
        if e.recorded_at is not None and (ctx.now - e.recorded_at).total_seconds() <= minutes * 60
    } - {""}
    told = ctx.dialogue.fresh_told(ctx.now, minutes) if ctx.dialogue is not None else ()
    for said in told:
        asked = [m.group("name") for m in _NAME_AFTER_VERB.finditer(said)]
        names |= {who for who, n in favours_told(said, ctx.kb, asked).items() if n}
    return next(iter(names)) if len(names) == 1 else None


def _whom_the_pronoun_means(ctx: Context) -> str | None:
    """ "Our CFO would like to ask him directly …": "him" is the Microsoft person the conversation
    named last, when it named one."""
    if not _PRONOUN.search(ctx.intent.text):
        return None
    people = ctx.dialogue.people if ctx.dialogue is not None else ()
    named = next((p.name for p in people if p.side == "microsoft"), None)
    if named is None and ctx.deal is not None:  # "Noa. Our AE." then "… Ask her?": the one contact
        active = [c.name for c in ctx.deal.contacts if c.active]
        named = active[0] if len(active) == 1 else None
    return named


@dataclass(frozen=True, slots=True)
class _Told:
    """What the conversation told of the person asked, this message included, each once."""

    favours: int  # favours they did for us or we asked of them, told as events
    counted: int  # the largest count of asks told ("asked him twice", "two favours")
    given: int  # value we gave them
    stranger: bool  # we barely know them
    close: bool  # we know them well
    role: str | None  # their role, when the contact map doesn't have them


def _what_was_told(ctx: Context, name: str) -> _Told:
    """The state holds what earlier messages told (each counted when it was said); this
    message's own telling, before its question, is added here."""
    from bot.understanding.events import close_told, favours_and_counts_told, given_told, strangers_told

    state = ctx.dialogue
    people = [p.name for p in state.people if p.side == "microsoft"] if state is not None else []
    people = [name, *people] if not any(p.casefold() == name.casefold() for p in people) else people
    last = next((p for p in people if p.casefold() == name.casefold()), name)
    text, kb = ctx.intent.text, ctx.kb

    def mine(counts: dict[str, int]) -> int:
        first = name.split()[0].casefold()
        return sum(n for who, n in counts.items() if who.split()[0].casefold() == first)

    here = {
        who: n
        for who, n in favours_and_counts_told(text, kb, people, last=last).items()
        if who.split()[0].casefold() == name.split()[0].casefold()
    }
    favours = sum(n for n, _ in here.values()) + (state.favours_of(name) if state else 0)
    counted = max([c for _, c in here.values()] + [state.counted_of(name) if state else 0])
    given = mine(given_told(text, kb, people, last=last)) + (state.given_to(name) if state else 0)
    first = name.split()[0].casefold()

    def said(fn: object) -> bool:  # this message, then the statements told just before it
        for t in [text, *(state.told if state is not None else ())]:
            if any(w.split()[0].casefold() == first for w in fn(t, kb, people, last=last)):  # type: ignore[operator]
                return True
        return False

    stranger = said(strangers_told) or (state is not None and state.is_stranger(name))
    close = not stranger and (said(close_told) or (state is not None and state.is_close(name)))
    named = state.people if state is not None else ()
    # their role: said beside the name in this message ("jane (the AE)", "our CSM Tom"), kept
    # from earlier messages, or said beside the name in what was told just before
    role = role_beside(text, name, kb) or next(
        (p.role for p in named if p.name.split()[0].casefold() == first and p.role), None
    )
    if role is None and state is not None:
        from bot.dialogue.config import dialogue_config

        for said in state.fresh_told(ctx.now, dialogue_config(kb).topic_minutes):
            role = role_beside(said, name, kb)
            if role:
                break
    return _Told(favours, counted, given, stranger, close, role)


# "again? or is that pushing it", "him directly and ask for this": words about asking, not what
# would be asked for ("this" is what was told before).
_NOT_A_REQUEST = compiled(
    r"^(?:again|once\s+more|one\s+more\s+time|or\b|is\s+(?:it|that)|would|too\s+much|pushing|"
    r"(?:him|her|them)\b|(?:this|that|it)\s*[?!.]*$)",
    re.IGNORECASE,
)


def _told_request(ctx: Context, *, any_told: bool = False) -> str | None:
    """What the conversation told us we need, when the favour question leaves it out ("HR want
    trial licences free for two months" … "should I ask Jane again?"): the latest statement
    that names something a Microsoft person could be asked for (rule favors.told-request).
    `any_told`: the question said "it" ("ask her to chase it"), so the latest trouble told that
    names such a thing will do, a need or not ("the licences still aren't in the tenant")."""
    assert ctx.dialogue is not None
    from bot.dialogue.config import dialogue_config

    cfg = dialogue_config(ctx.kb).favours_told
    need = re.compile(cfg.need_words, re.IGNORECASE)
    trouble = re.compile(cfg.trouble_words, re.IGNORECASE)
    # "it" is first the trouble told (something still missing, stuck, late), then a need
    # the sentences this message tells before its question come first, the latest first
    here = [t for t in re.split(r"(?<=[.!?;])\s+|\n+", ctx.intent.text) if t.strip() and "?" not in t]
    told = ctx.dialogue.fresh_told(ctx.now, dialogue_config(ctx.kb).topic_minutes)
    for cue in (trouble, need, None) if any_told else (need, trouble):
        for said in [" ".join(here), *told]:
            for sentence in reversed(re.split(r"(?<=[.!?;])\s+", said)):
                if (cue is None or cue.search(sentence)) and fv.topic_of(sentence, ctx.kb) is not None:
                    return sentence.strip()[:300]
    return None


# The words of the question itself ("should I ask", "would it be ok to ask him"), so that "it"
# in them is not taken for pointing back.
_ASK_WHAT_TAIL = compiled(
    r"\b(?:is|would|will|could)\s+it\s+be\b|\bis\s+it\b|\bit(?:'s|\s+is)\s+(?:ok|okay|fine|wise|sensible)\b",
    re.IGNORECASE,
)


def _told_asking(ctx: Context, name: str) -> str | None:
    """What we were told we mean to ask this person for ("I'm thinking of asking Marcos, the AE
    who sold us the licences, to help with the provisioning team"), said in the statements just
    before the question."""
    assert ctx.dialogue is not None
    from bot.dialogue.config import dialogue_config

    if name.casefold().startswith("their "):
        return None  # a role nobody named: no one to have been told about
    first = re.escape(name.split()[0])
    rx = re.compile(  # what we mean to ask, never what we asked before ("never asked him for anything")
        rf"\bask(?:ing)?\s+(?:{first}|him|her|them)\b(?:\s+[A-Z][\w'-]+)?(?:\s*,[^,;.]{{1,80}},)?\s+"
        rf"(?:again\s+|once\s+more\s+)?(?:to|for|if|whether)\s+(?!(?:anything|nothing|something|much)\b)"
        rf"(?P<what>[^.;!?]{{4,200}})",
        re.IGNORECASE,
    )
    for said in ctx.dialogue.fresh_told(ctx.now, dialogue_config(ctx.kb).topic_minutes):
        m = rx.search(said)
        if m is not None:
            return fv.clean_what(m.group("what")) or m.group("what")
    return None


_NOT_A_NAME = frozenset({"our", "the", "their", "my", "a", "an", "him", "her", "them", "someone", "somebody"})

# "it", "that", "this one", "the issue": words that point back to what was told
_DEICTIC = compiled(
    r"\b(?:it|that|this|them|these|those|the\s+(?:issue|problem|mess|thing|matter|situation|ticket|case))\b"
    r"(?!\s+(?:is|are|was|were|would|will|can|could)\b)",
    re.IGNORECASE,
)


def _points_back(what: str) -> bool:
    """Whether a request names nothing of its own but points to what was told ("chase it", "help
    us with that", "look into this")."""
    return bool(_LEANS_ON_IT.match(what) or _DEICTIC.search(what))


def _is_role_word(name: str | None, ctx: Context) -> bool:
    """ "should I ask the CSM Tom …" read "CSM" as the name."""
    return bool(name) and ctx.kb.role(str(name)) is not None


def _question_sentence(text: str, name: str | None) -> str | None:
    """The sentence of the message that asks (it has the "?" or names the person), the name
    taken out so that its letters are not read as a topic."""
    sentences = [t for t in re.split(r"(?<=[.!?;])\s+|\n+", text) if t.strip()]
    first = name.split()[0].casefold() if name else None
    pick = next((t for t in sentences if "?" in t), None)
    if pick is None and first:
        pick = next((t for t in sentences if first in t.casefold()), None)
    if pick is None:
        return None
    if name:
        pick = re.sub(re.escape(name), " ", pick, flags=re.IGNORECASE)
    return pick.strip()


# "chase it for me", "sort that out", "look into this": what would be asked for is "it"
_LEANS_ON_IT = compiled(
    r"^(?:\w+(?:\s+(?:up|out|down|over|into|on|with|at|about))?)\s+(?:it|that|this|them)\b"
    r"(?:\s+(?:up|out|down|through|for\s+(?:me|us)|again|too|as\s+well|now|quickly|asap))*\s*[?!.]*$",
    re.IGNORECASE,
)


def _ask_for(text: str, name: str | None) -> str | None:
    """What would be asked for: the words after "for" / "to" (after the name, when named)."""
    start = 0
    names = [name, name.split()[0]] if name else []
    for said in names:
        at = text.casefold().find(said.casefold())
        if at >= 0:
            start = at + len(said)
            break
    after_name = list(_WHAT.finditer(text, start))
    need = _NEED.search(text)
    if start and need and not _useful_what(after_name, names):
        # "we need a usage report for the audit. Should I ask Sanne again?": the need told is
        # the request; a "for ..." elsewhere in the message is only its purpose
        what = fv.clean_what(need.group("what"))
        if what and not _NOT_WHAT.match(what) and not any(n.casefold() in what.casefold() for n in names):
            return what[:120]
    for m in [*after_name, *_WHAT.finditer(text)]:
        what = fv.clean_what(m.group("what"))
        what = re.sub(r"^ask(?:\s+again)?(?:\s+for)?\b\s*", "", what, flags=re.IGNORECASE).strip()
        for said in names:  # "another favour and get Jane to sort the training": what comes after
            at = what.casefold().rfind(said.casefold())
            if at >= 0:
                what = re.sub(r"^\s*to\b\s*", "", what[at + len(said) :], flags=re.IGNORECASE).strip()
                break
        if what and not _NOT_WHAT.match(what) and not any(n.casefold() in what.casefold() for n in names):
            return what[:120]
    return None


_NEED = compiled(
    r"\b(?:we|i)\s+(?:now\s+|also\s+|really\s+)?(?:need|want|would\s+like|'d\s+like|require)\s+"
    r"(?!to\s+(?:ask|know|check|understand)\b)(?:to\s+get\s+)?(?P<what>[^?.!;]+)",
    re.IGNORECASE,
)


def _useful_what(matches: list[re.Match[str]], names: list[str]) -> bool:
    """Whether a "for ..." / "to ..." after the name says what would be asked for."""
    for m in matches:
        what = fv.clean_what(m.group("what"))
        if what and not _NOT_WHAT.match(what) and not any(n.casefold() in what.casefold() for n in names):
            return True
    return False


def _asks_told(text: str) -> int:
    """How many times the message says we asked already: "twice", "three times", "a third time"
    (the third time asks after two)."""
    from bot.understanding.values import ORDINALS, words_value

    best = 0
    for m in _TIMES.finditer(text):
        if m.group("word"):
            n = {"once": 1, "twice": 2, "thrice": 3}[m.group("word").casefold()]
        elif m.group("n"):
            raw = m.group("n")
            v = int(raw) if raw.isdigit() else words_value(raw)
            n = int(v) if v is not None and v == int(v) else 0
        else:
            o = ORDINALS.get(m.group("nth").casefold())
            n = o - 1 if o else 0
        best = max(best, n)
    return min(best, 20)


@skill("favors.who", payload=FavorNamed)
async def who(ctx: Context, p: FavorNamed) -> Reply:
    assert ctx.deal is not None
    kb = ctx.kb
    what = p.what or p.rest or ctx.intent.text
    topic = fv.topic_of(what, kb)
    contacts = fv.aligned_contacts(ctx.deal, topic, kb)
    roles = fv.aligned_roles(topic, kb)
    if not topic or (not contacts and not roles):
        return Reply(
            headline="Nobody is rewarded for this one; it's a favor whoever you ask.",
            intent="favors.who",
            verdict="no_aligned_role",
            verdict_label="Nobody is rewarded",
            sections=[Section(items=[Item(kb.say("favors.no-aligned-role"), rule="favors.no-aligned-role")])],
        )
    cfg = fv.config(kb)
    ranked = sorted(
        contacts, key=lambda c: -fv.jar(list(ctx.deal.live_events(fv.FAVOR)), c.name, ctx.now, cfg).balance
    )
    items = []
    for c in ranked:
        kpi = fv.aligned_kpi(fv.kpis_for(c, None, kb), topic)
        items.append(
            Item(f"{c.name} ({short_role(kb, c.role)}): rewarded for {kpi}.", rule="favors.kpi-aligned")
        )
    for r in roles:
        if not any(c.role == r for c in contacts):
            kpi = fv.aligned_kpi(list(kb.roles[r].kpis), topic)
            items.append(
                Item(
                    f"The {kb.roles[r].title} (nobody on the map yet): rewarded for {kpi}.",
                    rule="favors.kpi-aligned",
                )
            )
    names = ", ".join(c.name for c in ranked) or ", ".join(f"the {kb.roles[r].title}" for r in roles)
    return Reply(
        headline=f"For {topic.label}, ask {names}: it serves their goals, so it's no favor.",
        intent="favors.who",
        verdict="find_aligned_contact",
        verdict_label="For",
        sections=[Section(items=items)],
    )


@skill("favors.balance", payload=FavorNamed)
async def balance(ctx: Context, p: FavorNamed) -> Reply:
    assert ctx.deal is not None
    kb = ctx.kb
    name = (p.name or p.rest or "").strip(" ?")
    cfg = fv.config(kb)
    if not name:
        if not ctx.deal.contacts:
            return Reply(
                headline="No Microsoft contacts on this deal yet. Log a favor or a commitment to add one.",
                intent="favors.balance",
                verdict="empty",
                verdict_label="No Microsoft contacts",
            )
        items = []
        for c in ctx.deal.contacts:
            line, _ = _jar_line(ctx, c.name)
            gone = "" if c.active else " (no longer on the deal)"
            items.append(Item(f"{c.name} ({short_role(kb, c.role)}){gone}: {line}", rule="favors.jar"))
        return Reply(
            headline=f"Contact map for {ctx.deal.name}:",
            intent="favors.balance",
            verdict="map",
            verdict_label="Contact map",
            sections=[Section(items=items)],
            footer=kb.say("favors.jar", days=cfg.window_days),
        )
    contact = ctx.deal.contact(name)
    if contact is None:
        return Reply(
            headline=f"I don't have {name} on this deal.",
            intent="favors.balance",
            verdict="unknown_contact",
            verdict_label="I don't have",
        )
    line, jar = _jar_line(ctx, contact.name)
    history = [
        Item(f"{e.at:%Y-%m-%d} {e.direction}: {e.what} ({'+' if e.delta >= 0 else ''}{e.delta})")
        for e in jar.entries
    ] or [Item("No favors logged in the window.")]
    kpis = ", ".join(fv.kpis_for(contact, None, kb)) or "not recorded"
    return Reply(
        headline=f"{contact.name} ({short_role(kb, contact.role)}): jar about {jar.balance} of {jar.size}.",
        intent="favors.balance",
        verdict="balance",
        verdict_label=contact.name,
        sections=[
            Section(items=[Item(line, rule="favors.jar"), Item(f"Rewarded for: {kpis}.")]),
            Section(title="History", items=history),
        ],
        footer=kb.say("favors.jar", days=cfg.window_days),
    )


_MEASURED_ON = compiled(
    r"\b(?:bonused|measured|paid|compensated|comped|incentivi[sz]ed|rewarded|judged|targeted|commissioned)\s+on\s+"
    r"(?P<kpis>.+)$|\b(?:kpis?|targets?|goals?|quota|scorecard)\b(?:\s+(?:this|for\s+the)\s+\w+)?\s*(?:is|are|=|:)\s+"
    r"(?P<kpis2>.+)$",
    re.IGNORECASE,
)
_HEDGE_TAIL = compiled(
    r"[,;]?\s*\b(?:apparently|i\s+think|i\s+believe|it\s+seems|by\s+the\s+way)\b.*$|[.!]+$", re.I
)


@skill("contacts.kpis", payload=ContactKpis)
async def set_kpis(ctx: Context, p: ContactKpis) -> Reply:
    assert ctx.deal is not None
    if p.rest and ":" in p.rest:
        name, _, kpis_text = p.rest.partition(":")
    else:
        name, kpis_text = p.name or "", p.kpis or ""
    if not kpis_text:  # said in a sentence: "our AE told me she's bonused on E5 attach"
        m = _MEASURED_ON.search(p.rest or ctx.intent.text)
        kpis_text = _HEDGE_TAIL.sub("", m.group("kpis") or m.group("kpis2")) if m else ""
    rest = (p.rest or "").strip()
    if not name.strip() and rest and ctx.deal.contact(rest.split(",")[0].strip()):  # `kpis Jane`
        name = rest.split(",")[0].strip()
    if not name.strip() and "name" not in p.model_fields_set:
        name = _person_named(ctx) or ""
    contact = ctx.deal.contact(name.strip()) if name.strip() else None
    kpis = [k.strip(" .") for k in re.split(r",|;|\band\b", kpis_text) if k.strip(" .")]
    if contact is None or not kpis:  # use what was said, and ask for the rest in one question
        keep = {k: v for k, v in (("name", contact.name if contact else ""), ("kpis", kpis_text)) if v}
        if contact is None and kpis:
            ctx.awaiting = {"intent": "contacts.kpis", "args": keep, "slot": "name"}
            return Reply(headline=ctx.kb.say("favors.kpis-whose"), intent="contacts.kpis")
        if contact is not None:
            ctx.awaiting = {"intent": "contacts.kpis", "args": keep, "slot": "kpis"}
            return Reply(headline=ctx.kb.say("favors.kpis-what", name=contact.name), intent="contacts.kpis")
        return Reply(headline=ctx.kb.say("favors.kpis-who-and-what"), intent="contacts.kpis")
    updated = await ctx.upsert_contact(contact.name, contact.role, kpis)
    return Reply(
        headline=f"{updated.name} ({short_role(ctx.kb, updated.role)}) is measured on: "
        f"{', '.join(updated.kpis)}.",
        intent="contacts.kpis",
        verdict="noted",
        verdict_label=updated.name,
        sections=[
            Section(
                items=[
                    Item(
                        "I'll use these instead of the role's defaults when judging asks.",
                        rule="favors.kpi-aligned",
                    )
                ]
            )
        ],
    )
