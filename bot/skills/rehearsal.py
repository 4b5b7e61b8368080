"""Rehearse a meeting: "rehearse the pricing call with the AE", `coach rehearse --role avp`.

The coach plays one Microsoft role on the active deal (bot/playbooks/rehearsal.py chooses and
scores; this module keeps the state and talks). A rehearsal is kept in the `rehearsals` table
(bot/db/rehearsals.py), keyed by conversation and deal, so it survives a restart and any
replica can take the next answer. While it is active every message is an answer to Microsoft,
except rehearsal words (stop, pause, resume), a command, a question to the coach ("should I tell
them…?"), or, in Slack, a message outside the rehearsal's thread: those pause it, are answered
as usual, and the reply offers to resume (`rehearsal_turn`, called by the Coach).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from bot.actions import Key, Payload
from bot.context import Context
from bot.db import rehearsals as store
from bot.db.models import Rehearsal
from bot.intent import Intent
from bot.knowledge import Knowledge
from bot.memory import Memory
from bot.playbooks import rehearsal as play
from bot.playbooks.commitments import register
from bot.playbooks.people import find_role
from bot.reply import Action, Item, Reply, Section
from bot.skills import skill
from bot.understand import match_pattern
from bot.understanding import disclosure as leak_reading

EVENT = play.EVENT  # the scorecard on the deal's timeline


def _title(kb: Knowledge, role: str) -> str:
    return kb.roles[role].title if role in kb.roles else role


def _role_in(text: str, kb: Knowledge) -> str | None:
    spec = find_role(text.replace("-", " ").replace("_", " "), kb)
    return spec.key if spec else None


def _stop_actions() -> list[Action]:
    return [
        Action("Stop and score", {"intent": "rehearsal.stop"}, style="primary"),
        Action("Pause", {"intent": "rehearsal.pause"}),
    ]


def _line(kb: Knowledge, state: dict[str, Any], at: int) -> str:
    phrased = (state.get("phrased") or {}).get(str(at))
    if phrased:
        return str(phrased)
    step = play.Step(**state["steps"][at])
    return play.line_text(kb, state["role"], step, state["values"], state["product"])


def _ms_section(kb: Knowledge, state: dict[str, Any], at: int) -> Section:
    move = play.move_label(kb, state["steps"][at]["move"])
    title = play.wording(kb).ms_says.format(role=_title(kb, state["role"]), move=move)
    return Section(items=[Item(_line(kb, state, at))], title=title)


def _phrase_later(ctx: Context, row: Rehearsal, reply: Reply, section: Section, at: int) -> None:
    """With a model configured, Microsoft's next line is said in the model's words: after the
    turn commits (a model call never holds the database), then kept with the rehearsal."""
    drafter = ctx.services.drafter
    if drafter is None or ctx.deal is None:
        return
    from bot.llm.rehearsal import phrase  # only with a model configured

    kb, state = ctx.kb, dict(row.state)
    step = play.Step(**state["steps"][at])
    cfg = play.settings(kb)
    facts, tenant, now, rid = dict(ctx.deal.facts), ctx.memory.tenant.id, ctx.now, row.id
    template = section.items[0].text

    async def finish(reply: Reply, tx: Callable[[], AbstractAsyncContextManager[Memory]]) -> Reply:
        said = await phrase(
            drafter,
            kb,
            cfg.llm_kind,
            speaker=_title(kb, state["role"]),
            move=play.move_label(kb, step.move),
            line=template,
            facts=facts,
            keys=cfg.protected_facts,
            tenant=tenant,
            now=now,
        )
        if not said:
            return reply
        async with tx() as memory:
            fresh = await store.get(memory.session, rid)
            if fresh is None:
                return reply
            new = dict(fresh.state)
            new["phrased"] = {**(new.get("phrased") or {}), str(at): said}
            await store.save(memory.session, fresh, new, now)
        section.items[0] = Item(said)
        return reply

    ctx.defer(finish)


# --- starting ----------------------------------------------------------------------------
class RehearsalStart(Payload):
    role: Key | None = None  # a role key of knowledge/rehearsal.yaml's cast ("ae", "deal_desk")


@skill("rehearsal.start", payload=RehearsalStart)
async def start(ctx: Context, p: RehearsalStart) -> Reply:
    assert ctx.deal is not None
    kb, words = ctx.kb, play.wording(ctx.kb)
    named = p.role or _role_in(p.rest or ctx.intent.text, kb)
    if named is not None:
        named = str(named).replace("-", "_")
    cast = play.cast(kb)
    if named is not None and named not in cast:
        roles = ", ".join(_title(kb, r) for r in cast)
        return Reply(headline=words.unknown_role.format(roles=roles), intent="rehearsal.start")
    session = ctx.memory.session
    row = await store.open_one(session, ctx.conversation_id, ctx.deal.id)
    if row is not None and (named is None or named == row.role):
        return await _resume(ctx, row, words.already_open.format(role=_title(kb, row.role)))
    notes: list[Item] = []
    if row is not None:  # another role: the open one ends here, scored if it was answered
        ended = await _finish(ctx, row)
        notes.append(Item(ended.headline))
    role = named or "ae"
    values = play.fill_values(
        ctx.deal.facts, ctx.now, [c.what for c in register(ctx.deal) if c.status == "verbal"]
    )
    key = play.state_key(values)
    before = await store.of_role(session, ctx.deal.id, role)
    seed = play.seed_for(ctx.deal.id, role, len(before))
    avoid = [str(r.state.get("signature")) for r in before if r.state.get("state_key") == key]
    script = play.plan(kb, role, values, seed, avoid)
    state: dict[str, Any] = {
        "role": role,
        "seed": script.seed,
        "signature": script.signature,
        "state_key": key,
        "values": values,
        "product": script.product,
        "steps": [s.as_json() for s in script.steps],
        "at": 0,
        "said": [],
        "thread": ctx.turn.extra.get("thread"),
        "phrased": {},
    }
    row = await store.create(session, ctx.conversation_id, ctx.deal.id, role, script.seed, state, ctx.now)
    ms = _ms_section(kb, state, 0)
    reply = Reply(
        headline=words.started.format(role=_title(kb, role), deal=ctx.deal.name),
        intent="rehearsal.start",
        sections=[*([Section(items=notes)] if notes else []), ms],
        footer=words.started_footer,
        actions=_stop_actions(),
        in_thread=True,
    )
    _phrase_later(ctx, row, reply, ms, 0)
    return reply


async def _resume(ctx: Context, row: Rehearsal, headline: str) -> Reply:
    state = dict(row.state)
    thread = ctx.turn.extra.get("thread")
    if thread and state.get("thread") and thread != state["thread"]:
        state["thread"] = thread  # resumed from elsewhere (Slack): it goes on in the new thread
    if row.status != store.ACTIVE or state != row.state:
        await store.save(ctx.memory.session, row, state, ctx.now, store.ACTIVE)
    return Reply(
        headline=headline,
        intent="rehearsal.resume",
        sections=[_ms_section(ctx.kb, state, int(state["at"]))],
        footer=play.wording(ctx.kb).started_footer,
        actions=_stop_actions(),
        in_thread=True,
    )


@skill("rehearsal.resume", payload=Payload)
async def resume(ctx: Context, _: Payload) -> Reply:
    assert ctx.deal is not None
    row = await store.open_one(ctx.memory.session, ctx.conversation_id, ctx.deal.id)
    words = play.wording(ctx.kb)
    if row is None:
        return Reply(headline=words.nothing_open, intent="rehearsal.resume")
    return await _resume(ctx, row, words.resumed.format(role=_title(ctx.kb, row.role)))


@skill("rehearsal.pause", payload=Payload)
async def pause(ctx: Context, _: Payload) -> Reply:
    assert ctx.deal is not None
    row = await store.open_one(ctx.memory.session, ctx.conversation_id, ctx.deal.id)
    words = play.wording(ctx.kb)
    if row is None:
        return Reply(headline=words.nothing_open, intent="rehearsal.pause")
    await store.save(ctx.memory.session, row, dict(row.state), ctx.now, store.PAUSED)
    return _paused_reply(ctx.kb, row)


def _paused_reply(kb: Knowledge, row: Rehearsal) -> Reply:
    state = row.state
    return Reply(
        headline=play.wording(kb).paused.format(n=int(state["at"]) + 1, total=len(state["steps"])),
        intent="rehearsal.pause",
        actions=[Action("Resume", {"intent": "rehearsal.resume"}, style="primary")],
    )


@skill("rehearsal.stop", payload=Payload)
async def stop(ctx: Context, _: Payload) -> Reply:
    assert ctx.deal is not None
    row = await store.open_one(ctx.memory.session, ctx.conversation_id, ctx.deal.id)
    if row is None:
        return Reply(headline=play.wording(ctx.kb).nothing_open, intent="rehearsal.stop")
    return await _finish(ctx, row)


# --- the scorecard -----------------------------------------------------------------------
async def _finish(ctx: Context, row: Rehearsal) -> Reply:
    """Close the rehearsal; with answers, the scorecard goes on the deal's timeline."""
    assert ctx.deal is not None
    kb, words, state = ctx.kb, play.wording(ctx.kb), dict(row.state)
    said = list(state.get("said") or [])
    title = _title(kb, row.role)
    await store.save(ctx.memory.session, row, state, ctx.now, store.DONE)
    if not said:
        return Reply(headline=words.scorecard_none.format(role=title), intent="rehearsal.scorecard")
    card = play.scorecard(kb, said, state["values"], state["product"])
    well = [Item(t, rule=r) for t, r in card.went_well] or [Item(words.nothing_well)]
    leaked = [Item(t, rule=r) for t, r in card.leaked] or [Item(words.nothing_leaked)]
    remember = [Item(line) for line in card.remember]
    await ctx.log(
        EVENT,
        {
            "rehearsal_id": row.id,
            "role": row.role,
            "answers": card.answers,
            "counts": card.counts,
            "went_well": [r for _, r in card.went_well],
            "leaked": [{"text": t, "rule": r} for t, r in card.leaked],
            "remember": card.remember,
        },
    )
    c = card.counts
    counts = f"{c['good']} good, {c['risky']} risky, {c['gave']} gave something away"
    return Reply(
        headline=words.scorecard.format(
            role=title, n=card.answers, s="" if card.answers == 1 else "s", counts=counts
        ),
        intent="rehearsal.scorecard",
        verdict="scorecard",
        verdict_label="Scorecard:",
        sections=[
            Section(items=well, title=words.went_well),
            Section(items=leaked, title=words.leaked),
            Section(items=remember, title=words.remember, style="numbered"),
        ],
        footer=words.saved.format(deal=ctx.deal.name, role=title),
        in_thread=True,
    )


def rehearse_action(kb: Knowledge, role: str) -> list[Action]:
    """ "Rehearse it" for a meeting with a role the coach can play (meeting prep offers it)."""
    if role not in play.cast(kb):
        return []
    return [
        Action(f"Rehearse it with me as the {_title(kb, role)}", {"intent": "rehearsal.start", "role": role})
    ]


# --- a turn while a rehearsal is open -------------------------------------------------------
@dataclass(slots=True)
class Taken:
    """What the rehearsal made of a message: its own reply, or a pause to note on the reply the
    coach gives as usual (`paused`)."""

    reply: Reply | None = None
    role: str | None = None

    def paused(self, kb: Knowledge, reply: Reply) -> Reply:
        if self.role is None or reply.intent.startswith("rehearsal."):
            return reply
        note = play.wording(kb).paused_footer.format(role=_title(kb, self.role))
        reply.footer = f"{reply.footer}\n{note}" if reply.footer else note
        reply.actions.append(Action("Resume rehearsal", {"intent": "rehearsal.resume"}))
        return reply


async def rehearsal_turn(ctx: Context, text: str, command: Intent | None) -> Taken | None:
    """The Coach asks here first when a deal is active: None when no rehearsal is running in
    this conversation (a paused one waits for "resume")."""
    if ctx.deal is None:
        return None
    if ctx.rehearsal_known:  # read with the turn's opening, in this transaction
        row = ctx.rehearsal
    else:
        row = await store.open_one(ctx.memory.session, ctx.conversation_id, ctx.deal.id)
    if row is None or row.status != store.ACTIVE:
        return None
    kb, state = ctx.kb, dict(row.state)
    said = play.what_is(text, kb)
    if said == "stop":
        return Taken(await _finish(ctx, row))
    if said == "pause":
        await store.save(ctx.memory.session, row, state, ctx.now, store.PAUSED)
        return Taken(_paused_reply(kb, row))
    asked = command or match_pattern(text, kb)
    if asked is not None and asked.name == "rehearsal.start":
        return None  # a new rehearsal (another role ends this one): the skill runs as usual
    if said == "resume" or (asked is not None and asked.name == "rehearsal.resume"):
        return Taken(await _resume(ctx, row, play.wording(kb).resumed.format(role=_title(kb, row.role))))
    thread = ctx.turn.extra.get("thread")
    elsewhere = bool(state.get("thread")) and thread is not None and thread != state.get("thread")
    if elsewhere or said == "coach" or (command is not None and not command.name.startswith("rehearsal.")):
        await store.save(ctx.memory.session, row, state, ctx.now, store.PAUSED)
        return Taken(None, row.role)
    return Taken(await _answer(ctx, row, state, text))


async def _answer(ctx: Context, row: Rehearsal, state: dict[str, Any], text: str) -> Reply:
    assert ctx.deal is not None
    kb, words = ctx.kb, play.wording(ctx.kb)
    at = int(state["at"])
    step = play.Step(**state["steps"][at])
    result = play.score(
        kb,
        text,
        row.role,
        step.move,
        ctx.deal.facts,
        values=state["values"],
        product=state["product"],
        turn=at,
        seed=int(state["seed"]),
        read=leak_reading.reader(kb),
    )
    entry = {
        "move": step.move,
        "line": _line(kb, state, at),
        "answer": text[:500],
        "verdict": result.verdict,
        "rule": result.rule,
        "instead": result.instead,
        "kinds": list(result.kinds),
    }
    state["said"] = [*state.get("said", []), entry]
    steps = list(state["steps"])
    if result.verdict == "gave" and step.move != play.POUNCE:  # Microsoft takes what was given
        steps.insert(at + 1, play.pounce_step(int(state["seed"]), at, kb).as_json())
    state["steps"], state["at"] = steps, at + 1
    label = words.verdicts[result.verdict] + "."
    items = [Item(result.why, rule=result.rule)]
    if result.instead:
        items.append(Item(words.instead.format(line=result.instead)))
    verdict = Section(items=items)
    if state["at"] >= len(steps):  # that was Microsoft's last line: the scorecard
        await store.save(ctx.memory.session, row, state, ctx.now)
        card = await _finish(ctx, row)
        card.sections.insert(0, Section(items=items, title=label))
        return card
    await store.save(ctx.memory.session, row, state, ctx.now)
    ms = _ms_section(kb, state, state["at"])
    reply = Reply(
        headline=label,
        intent="rehearsal.answer",
        verdict=result.verdict,
        verdict_label=label,
        sections=[verdict, ms],
        actions=_stop_actions(),
        in_thread=True,
    )
    _phrase_later(ctx, row, reply, ms, state["at"])
    return reply
