"""Skills: should we escalate now, log an escalation, log what Microsoft said."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field

from bot.actions import Key, Payload, Words, reader_only
from bot.amounts import currency, format_money
from bot.context import Context
from bot.dialogue.config import dialogue_config
from bot.playbooks import commitments, counter_moves, walkaway
from bot.playbooks import escalation as esc
from bot.reply import Action, Item, Reply, Section
from bot.skills import skill
from bot.timeline import MS_STATEMENT
from bot.understanding import alignment as teams
from bot.understanding import statements
from bot.understanding.facts import clauses, looks_like_question, read_facts
from bot.understanding.values import parse_money_text, read_repeats


@skill("escalation.check", payload=Payload)
async def check(ctx: Context, _: Payload) -> Reply:
    assert ctx.deal is not None
    # The heat of the moment is read in the question and in what was told just before it
    # ("our CEO is super annoyed, wants to email Satya" then "should we escalate?").
    minutes = dialogue_config(ctx.kb).topic_minutes
    told = ctx.dialogue.fresh_told(ctx.now, minutes) if ctx.dialogue is not None else ()
    text = "\n".join([ctx.intent.text, *told]).strip()
    # A form resumed carries no text of its own: the person is answering what was asked.
    assessment = esc.assess(ctx.deal, ctx.kb, ctx.now, text, answering=not ctx.intent.text.strip())
    if assessment.verdict is None:
        asked = await ctx.ask(assessment.missing, resume={"intent": "escalation.check", "user_text": ""})
        # What was told already counts: say what is in place before asking for the rest.
        if assessment.support:
            asked.sections.append(Section(title="What I have so far", items=assessment.support))
        return asked
    return esc.to_reply(assessment, ctx.deal, ctx.kb)


class EscalationUpdate(Payload):
    keys: Annotated[list[Key], Field(max_length=20)] | Key = []
    then: Literal["deal.brief", "escalation.check"] | None = None  # what runs once answered


@skill("escalation.update", payload=EscalationUpdate)
async def update(ctx: Context, p: EscalationUpdate) -> Reply:
    """A button: ask again for facts that changed (e.g. procurement is aligned now)."""
    keys = [k for k in ([p.keys] if isinstance(p.keys, str) else p.keys) if k in ctx.kb.facts]
    if not keys:
        return Reply(headline="Nothing to update.", intent="escalation.update")
    # The brief's buttons come back to the brief; everything else to the escalation check.
    then = p.then or "escalation.check"
    return await ctx.ask(keys, resume={"intent": then, "user_text": ""}, intro="What's the latest?")


@skill("escalation.log", payload=Payload)
async def log_escalation(ctx: Context, _: Payload) -> Reply:
    assert ctx.deal is not None
    text = ctx.intent.text[:500]
    event = await ctx.log(
        esc.ESCALATION_EVENT, {"text": text}, at=statements.when_said(text, ctx.now, ctx.tz)
    )
    return Reply(
        headline=f"Logged for {ctx.deal.name}: we escalated ({counter_moves.day_words(event.at, ctx.now)}).",
        intent="escalation.log",
        verdict="logged",
        sections=[Section(items=[Item(ctx.kb.say("escalation.log-it"), rule="escalation.log-it")])],
        actions=[Action("Undo", {"intent": "undo", "event_id": event.id})],
    )


class Statement(Payload):
    """What Microsoft said (`ms: …`'s `rest`, else the message). Right after their move, "do we
    accept?" is read as a question about it (bot/dialogue/resolve.py): `asked`, with the
    follow-up's words; only the reader says so."""

    asked: bool | None = reader_only()
    follow_up: Words | None = reader_only()


@skill("ms.statement", payload=Statement)
async def ms_statement(ctx: Context, p: Statement) -> Reply:
    assert ctx.deal is not None
    text = (p.rest or ctx.intent.text).strip()
    if not text:
        ctx.awaiting = {"intent": "ms.statement", "args": {}, "slot": "rest"}
        return Reply(headline=ctx.kb.say("counter.ask-what-said"), intent="ms.statement")
    found = statements.classify(text, ctx.kb)
    if p.asked:  # "do we accept?" right after their move: answer, log nothing again
        return _statement_asked_about(ctx, found, follow_up=True)
    if looks_like_question(ctx.intent.text, ctx.kb) and not _REPORTED.search(ctx.intent.text):
        return _statement_asked_about(ctx, found)
    role, who = _who_said(ctx, text)
    at = statements.when_said(text, ctx.now, ctx.tz)
    payload = {
        "type": found.type,
        "label": found.label,
        "text": text[:1000],
        "role": role,
        "match": found.match,
    }
    times = read_repeats(text)  # "they've said it's final three times now": the third time, logged once
    if times is not None and times > counter_moves.times_said(ctx.deal, found.type):
        payload["times"] = times - counter_moves.times_said(ctx.deal, found.type)
    event = await ctx.log(MS_STATEMENT, payload, at=at)
    claimed = walkaway.switching_claim(text, parse_money_text(text), ctx.kb)
    if claimed is not None:  # a price on leaving: recorded, and checked against ours right away
        if ctx.deal.fact("ms_claimed_switching_cost") == claimed:  # noted in passing this turn
            return await _switching_claim_reply(ctx, event.id, None, claimed)
        claim = await ctx.set_fact("ms_claimed_switching_cost", claimed)
        return await _switching_claim_reply(ctx, event.id, claim.id, claimed)
    nth = counter_moves.times_said(ctx.deal, found.type)
    kb = ctx.kb
    headline = kb.say(
        "counter.logged",
        deal=ctx.deal.name,
        label=found.label,
        nth=counter_moves.ordinal_time(nth),
        who=who,
        when=counter_moves.day_words(at, ctx.now),
    )
    items: list[Item] = []
    actions = [Action("Undo", {"intent": "undo", "event_id": event.id})]
    rule = found.rule or "counter.noted"
    items.append(Item(kb.say(rule), rule=rule))
    if found.type in ("call_concession", "verbal_refused"):
        # A promise said out loud is a verbal commitment: into the register, with the email that
        # puts it in writing; Undo takes back both.
        what = counter_moves.promise_of(text)
        # Named after the one contact in that role, so an account-team change finds it at risk.
        named = [c.name for c in ctx.deal.contacts if role and c.role == role]
        contact = named[0] if len(named) == 1 else who
        promised = await ctx.log(
            commitments.COMMITMENT,
            {"contact": contact, "role": role, "what": what, "status": "verbal", "statement_id": event.id},
            at=at,
        )
        c = commitments.find(ctx.deal, promised.id)
        assert c is not None
        items.append(
            Item(kb.say("counter.verbal-commitment", id=c.id, what=what), rule="counter.verbal-commitment")
        )
        actions = [
            Action("Draft a confirming email", commitments.confirm_action(c), style="primary"),
            Action("Undo", {"intent": "undo", "event_ids": [event.id, promised.id]}),
        ]
    if found.type == "deadline":
        actions.insert(0, Action("Draft a calm reply", {"intent": "draft.exploding_offer"}))
    if found.type in ("final_offer", "global_policy", "deadline", "stall", "verbal_refused"):
        actions.insert(
            1 if len(actions) > 1 else 0, Action("Should we escalate?", {"intent": "escalation.check"})
        )
    return Reply(
        headline=headline,
        intent="ms.statement",
        verdict="logged",
        sections=[Section(items=items)],
        actions=actions,
    )


def _who_said(ctx: Context, text: str) -> tuple[str | None, str]:
    """Who at Microsoft said it, from the turn's reading: a contact on the deal by name speaks in
    their role; otherwise the role words the reading attributed it to."""
    sp = ctx.reading.speaker if ctx.reading is not None else None
    if sp is not None and sp.side == "microsoft" and ctx.deal is not None:
        contact = ctx.deal.contact(sp.who)
        if contact is not None:
            return contact.role, contact.name
        role, who = counter_moves.speaker(sp.who, ctx.kb)
        if role is not None:
            return role, who
    return counter_moves.speaker(text, ctx.kb)


# "Microsoft says X, is that real?" reports what they said (logged, then answered); "are they
# serious that this is final?" only asks about it.
_REPORTED = re.compile(
    r"\b(said|says|told|tells|claimed|claims|mentioned|wrote|emailed|insist(s|ed)?|came back|offered|"
    r"promised|keeps? saying|(is|are) saying|quoted)\b",
    re.IGNORECASE,
)


def _statement_asked_about(
    ctx: Context, found: counter_moves.Classified, *, follow_up: bool = False
) -> Reply:
    """A question about something Microsoft said ("is the June deadline real or are they
    bluffing?") is answered, never logged: only what they said goes on the timeline. A
    follow-up ("do we accept?") asks about the statement just told, already logged."""
    if found.rule is None:
        if follow_up:
            return Reply(
                headline=ctx.kb.say("counter.follow-up-other"),
                intent="ms.statement",
                actions=[Action("Should we escalate?", {"intent": "escalation.check"})],
            )
        return Reply(headline=ctx.kb.say("counter.asked-unknown"), intent="ms.statement")
    return Reply(
        headline=ctx.kb.say("counter.follow-up" if follow_up else "counter.asked-about", label=found.label),
        intent="ms.statement",
        sections=[Section(items=[Item(ctx.kb.say(found.rule), rule=found.rule)])],
    )


async def _switching_claim_reply(
    ctx: Context, statement_id: int, claim_id: int | None, claimed: float
) -> Reply:
    assert ctx.deal is not None
    ours = ctx.deal.fact("switching_cost")
    cur = currency(ctx.deal.facts)
    item = walkaway.check_switching_claim(claimed, ours, ctx.kb, cur)
    ids = [statement_id] if claim_id is None else [statement_id, claim_id]
    undo = Action("Undo", {"intent": "undo", "event_ids": ids})
    reply = Reply(
        headline=f"Logged for {ctx.deal.name}: Microsoft's switching-cost claim, "
        f"{format_money(claimed, cur)}.",
        intent="ms.statement",
        verdict="logged",
        sections=[Section(items=[item])],
        actions=[Action("Does walking away add up?", {"intent": "walkaway.check"}), undo],
    )
    if not isinstance(ours, int | float):
        asked = await ctx.ask(["switching_cost"], resume={"intent": "walkaway.switching_claim"})
        reply.questions, reply.missing, reply.footer = asked.questions, asked.missing, asked.footer
    return reply


@skill("walkaway.switching_claim", payload=Payload)
async def switching_claim_check(ctx: Context, _: Payload) -> Reply:
    """After our estimate arrives: Microsoft's claim beside it."""
    assert ctx.deal is not None
    claimed = ctx.deal.fact("ms_claimed_switching_cost")
    if not isinstance(claimed, int | float):
        return Reply(
            headline="I have no switching-cost claim from Microsoft on this deal.", intent="walkaway.check"
        )
    item = walkaway.check_switching_claim(
        claimed, ctx.deal.fact("switching_cost"), ctx.kb, currency(ctx.deal.facts)
    )
    return Reply(
        headline=f"Switching cost for {ctx.deal.name}: theirs beside yours.",
        intent="walkaway.check",
        verdict="noted",
        sections=[Section(items=[item])],
        actions=[Action("Does walking away add up?", {"intent": "walkaway.check"})],
    )


@skill("escalation.alignment", payload=Payload)
async def alignment(ctx: Context, p: Payload) -> Reply:
    """ "procurement is aligned now": merge the news into `internal_alignment`, team by team."""
    assert ctx.deal is not None
    said = p.rest or ctx.intent.text
    if any(c.hedged for c in clauses(said, ctx.kb)):  # "not sure procurement is on board": unknown
        return Reply(
            headline="Not confirmed, then. I won't count that team as aligned until you tell me it is.",
            intent="escalation.alignment",
            actions=[Action("Should we escalate now?", {"intent": "escalation.check"})],
        )
    found = read_facts(said, ctx.kb, now=ctx.now, tz=ctx.tz, known=ctx.deal.facts)
    told = {f.key for f in found}
    if told and "internal_alignment" not in told:
        # "Finance signed off our budget: 1.1m a year" tells the budget (noted already), not a stance
        return Reply(headline=f"Noted for {ctx.deal.name}.", intent="escalation.alignment")
    # The sentence reader's teams, clause by clause ("Finance and IT are behind it, Procurement
    # is not yet persuaded"), before the whole-message parse.
    read_value = next((f.value for f in found if f.key == "internal_alignment"), None)
    asked = ctx.reading is not None and ctx.reading.question and read_value is None
    # "are IT and finance aligned enough to escalate?" asks where they stand; it tells nothing
    news = (
        teams.parse_alignment(ctx.deal.fact("internal_alignment"))
        if asked
        else teams.parse_alignment(str(read_value))
        if read_value
        else teams.parse_alignment(said)
    )
    if all(v is None for v in news.values()):
        return Reply(
            headline=ctx.kb.say("escalation.ask-which-team"),
            intent="escalation.alignment",
        )
    merged = teams.merge_alignment(teams.parse_alignment(ctx.deal.fact("internal_alignment")), news)
    value = teams.alignment_text(merged)
    # The sentence reader may have noted it already this turn (facts in passing, with its own Undo).
    event = (
        None
        if asked or value == ctx.deal.fact("internal_alignment")
        else await ctx.set_fact("internal_alignment", value)
    )
    apart = [teams.TEAM_LABELS[t] for t, ok in merged.items() if ok is not True]
    if apart:
        rule, text = "escalation.align-first", ctx.kb.say("escalation.align-first", who=" and ".join(apart))
    else:
        rule, text = "escalation.aligned", ctx.kb.say("escalation.aligned")
    return Reply(
        headline=f"{'Where the teams stand' if asked else 'Noted'} for {ctx.deal.name}: {value}.",
        intent="escalation.alignment",
        verdict="aligned" if not apart else "not_aligned",
        verdict_label="Aligned" if not apart else "Not yet aligned",
        sections=[Section(items=[Item(text, rule=rule)])],
        actions=[
            Action("Should we escalate now?", {"intent": "escalation.check"}),
            *([Action("Undo", {"intent": "undo", "event_id": event.id})] if event is not None else []),
        ],
    )
