"""The `coach` command: shell, ask, deal, workspace, reminders, db, serve, eval."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Only what every command needs is imported here: `coach --help` must not pay for the database,
# the surfaces or an LLM client. Each command imports what it uses.
if TYPE_CHECKING:
    from rich.console import Console

    from adapters.runtime import Runtime
    from bot.memory import Memory
    from bot.reply import Reply
    from bot.turn import Turn

TENANT = "local"
CONVERSATION = "terminal"

# Exit codes: 0 done; 1 the request was understood but can't be done (unknown deal, a name
# already taken, a message too long, a file refused); 2 bad usage (argparse's own code too).
OK, USER_ERROR, USAGE = 0, 1, 2
FAILED = {
    "error": USER_ERROR,
    "unknown_deal": USER_ERROR,
    "too_long": USER_ERROR,
    "empty": USAGE,
    "deal.name_refused": USER_ERROR,  # bot/skills/core.py NAME_REFUSED: taken, too long
}


def _complain(message: str) -> None:
    """One line on stderr, with nothing an imported name could use to drive the terminal."""
    from bot.textsafety import printable

    print(printable(" ".join(message.split())), file=sys.stderr)


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "me"


def terminal_turn(text: str = "", *, action: dict | None = None, deal: str | None = None) -> Turn:
    from bot.turn import Turn

    return Turn(
        platform="console",
        tenant=TENANT,
        conversation=CONVERSATION,
        user=_user(),
        text=text,
        action=action,
        extra={"deal": deal} if deal else {},
        is_admin=True,  # the terminal's user runs this install: its workspace settings are theirs
    )


def _person() -> Any:
    from bot.access import Person

    return Person(_user(), is_admin=True)


async def _one_turn(rt: Runtime, text: str, deal: str | None = None) -> Reply:
    reply = await rt.handle(terminal_turn(text, deal=deal))
    assert reply is not None  # terminal turns carry no event id, so never duplicates
    return reply


# --- ask / deal -------------------------------------------------------------------
async def cmd_ask(args: argparse.Namespace) -> int:
    from rich.console import Console

    from adapters.console.render import render, to_json
    from adapters.runtime import Runtime

    rt = await Runtime.start()
    try:
        reply = await _one_turn(rt, args.text, args.deal)
    finally:
        await rt.close()
    if args.json:
        print(to_json(reply))
    else:
        render(reply, Console())
    code = FAILED.get(reply.intent, OK)
    if code != OK:
        _complain(reply.headline)
    return code


async def cmd_deal(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.text import Text

    from adapters.console.render import json_text, render
    from adapters.runtime import Runtime
    from bot.memory import Memory
    from bot.textsafety import printable

    console = Console()
    rt = await Runtime.start()
    try:
        if args.deal_cmd == "list":  # every deal, most urgent first (the chat shows the first ones)
            from bot import portfolio

            seen = await portfolio.overview(
                rt.sessions,
                "console",
                TENANT,
                rt.kb,
                rt.coach.clock(),
                person=_person(),
                conversation=CONVERSATION,
            )
            render(portfolio.to_reply(seen.rows, rt.kb, seen.active, limit=len(seen.rows)), console)
            return OK
        if args.deal_cmd in ("new", "use", "show"):
            return await _deal_turn(rt, console, args.deal_cmd, " ".join(getattr(args, "name", None) or []))
        if args.deal_cmd == "brief":
            from bot.db.engine import write_session

            async with write_session(rt.sessions) as session:  # the read of the brief is audited
                memory = await Memory.for_tenant(session, "console", TENANT, rt.coach.clock())
                return await _write_brief(rt, memory, args, console)
        if args.deal_cmd == "audit":
            return await _print_audit(rt, " ".join(args.name), console)
        from bot import portable

        if args.deal_cmd == "export":
            name = " ".join(args.name)
            exported = await portable.export_named(
                rt.sessions, "console", TENANT, name, rt.coach.clock(), person=_person(), kb=rt.kb
            )
            if exported is None:
                _complain(f"I don't know a deal called “{name[:80]}”.")
                return USER_ERROR
            doc = json_text(exported, indent=2)
            if args.output:
                Path(args.output).write_text(doc + "\n", encoding="utf-8")
            else:
                print(doc)
            return OK
        # import: nothing is written unless all of it is
        try:
            path = Path(args.file)
            if path.stat().st_size > portable.MAX_BYTES:
                raise portable.ImportProblem("That file is too large to be a deal export (over 10 MB).")
            parsed = portable.parse_document(path.read_bytes())
            name = await portable.import_document(
                rt.sessions, "console", TENANT, parsed, rt.coach.clock(), user=_user(), name=args.as_name
            )
        except OSError as exc:
            _complain(f"Can't read {args.file}: {exc.strerror}.")
            return USER_ERROR
        except portable.ImportProblem as exc:
            _complain(str(exc))
            return USER_ERROR
        console.print(
            Text(f"Imported {printable(name)} ({len(parsed.events)} events). "),
            Text(f"`coach deal use {printable(name)}` to work on it."),
        )
        return OK
    finally:
        await rt.close()


async def _print_audit(rt: Runtime, name: str, console: Console) -> int:
    """`deal audit NAME`: the deal's whole audit trail, oldest first (names of facts, no values)."""
    from rich.text import Text

    from bot.memory import Memory
    from bot.skills.access import audit_line
    from bot.textsafety import printable

    async with rt.sessions() as session, session.begin():
        memory = await Memory.for_tenant(session, "console", TENANT, rt.coach.clock())
        deal = await memory.find_visible(name, _person())
        if deal is None:
            _complain(f"I don't know a deal called “{name[:80]}”.")
            return USER_ERROR
        rows = await memory.audit_trail(deal.id)
    console.print(
        Text(f"Audit trail of {printable(deal.name)}: {len(rows)} entries (fact names, never values).")
    )
    for row in rows:
        console.print(Text(printable(audit_line(row))))
    return OK


async def cmd_workspace(args: argparse.Namespace) -> int:
    """`workspace open-deals on|off`: whether everyone in the local workspace sees every deal."""
    from adapters.runtime import Runtime
    from bot.db.engine import write_session
    from bot.memory import Memory

    rt = await Runtime.start()
    try:
        now = rt.coach.clock()
        async with write_session(rt.sessions) as session:
            memory = await Memory.for_tenant(session, "console", TENANT, now)
            if args.state is None:
                state = "open to everyone" if await memory.open_deals() else "members only"
                print(f"Deals here: {state}.")
                return OK
            await memory.set_open_deals(args.state == "on", _user(), now)
            await memory.audit(None, _user(), "open-deals", now, detail=f"{args.state} (cli)")
        print(rt.kb.say(f"access.open-{args.state}"))
        return OK
    finally:
        await rt.close()


BRIEF_FORMATS = (".md", ".html", ".htm", ".pdf")


async def _write_brief(rt: Runtime, memory: Memory, args: argparse.Namespace, console: Console) -> int:
    """`deal brief NAME [-o FILE.md|.html] [--for ROLE]`: the one-pager, printed or written."""
    from rich.text import Text

    from adapters.console.render import render
    from bot.playbooks import brief as br
    from bot.textsafety import printable

    suffix = Path(args.output).suffix.casefold() if args.output else ""
    if args.output and suffix not in BRIEF_FORMATS:
        _complain(f"Write the brief as .md, .html or .pdf (got “{suffix or args.output[:40]}”).")
        return USAGE
    audience = br.INTERNAL
    if args.audience:
        role = rt.coach.kb.role(args.audience)
        if role is None:
            _complain(f"I don't know the Microsoft role “{args.audience[:40]}”. Try ae, csm, avp or partner.")
            return USER_ERROR
        audience = role.key
    deal = await memory.find_visible(" ".join(args.name), _person())
    if deal is None:
        _complain(f"I don't know a deal called “{' '.join(args.name)[:80]}”.")
        return USER_ERROR
    view = await memory.deal_view(deal.id, deal)
    from bot.skills.brief import compose

    brief, reply = compose(view, rt.coach.kb, rt.coach.clock(), audience)  # as the chat composes it
    if brief.internal:  # the internal brief carries the budget and walk-away: audited (keys only)
        from bot.access import protected_in

        keys = sorted(protected_in(dict(view.facts), rt.kb))
        await memory.audit(deal.id, _user(), "brief", rt.coach.clock(), detail="cli", keys=keys)
    if not args.output:
        render(reply, console)
        return OK
    from bot import brief_document, brief_picture

    out = Path(args.output)
    try:
        if suffix == ".md":
            picture = out.with_suffix(".timeline.png")
            picture.write_bytes(brief_picture.render(brief.marks, brief.today, brief.renewal))
            out.write_text(brief_document.to_markdown(brief, picture.name), encoding="utf-8")
        elif suffix == ".pdf":  # the same file Slack posts beside the brief
            out.write_bytes(next(a for a in reply.attachments if a.kind == "document").render())
        else:
            svg = brief_picture.render(brief.marks, brief.today, brief.renewal, fmt="svg")
            out.write_text(brief_document.to_html(brief, svg), encoding="utf-8")
    except OSError as exc:
        _complain(f"Can't write {args.output}: {exc.strerror}.")
        return USER_ERROR
    console.print(Text(f"Wrote the brief for {printable(deal.name)} to {printable(str(out))}."))
    return OK


async def _deal_turn(rt: Runtime, console: Console, command: str, name: str) -> int:
    """`deal new|use|show` as the chat runs them, with an exit code a script can test. The deal's
    name is checked by the core alone, the same way for the chat and here: a new deal's by
    `deal_new` (bot/skills/core.py: taken, too long; the typed name goes to it as the button's
    payload does), `deal use NAME` by `deal_use` (an unknown deal, or one the person may not
    see, is `unknown_deal`), `deal show NAME` by the Coach's one turn about a named deal (the
    turn `coach ask --deal NAME` makes)."""
    from adapters.console.render import render

    name = " ".join(name.split()).strip("\"'“”")  # as the chat reads a deal name
    if command == "new":
        if not name:
            _complain("Give the deal a name: coach deal new Woodgrove EA renewal")
            return USAGE
        reply = await rt.handle(terminal_turn(action={"intent": "deal.new", "name": name}))
        assert reply is not None
    elif command == "use":
        if not name:
            _complain("Say which deal: coach deal use NAME (coach deal list shows them).")
            return USAGE
        reply = await _one_turn(rt, f"deal use {name}")
    elif name:  # show NAME: the named deal, not whichever is active
        reply = await _one_turn(rt, "deal show", name)
    else:
        if await _active_deal(rt) is None:  # the exit code of a show with nothing to show
            _complain("There's no active deal; name one: coach deal show NAME")
            return USER_ERROR
        reply = await _one_turn(rt, "deal show")
    render(reply, console)
    code = FAILED.get(reply.intent, OK)
    if code != OK:
        _complain(reply.headline)
    return code


async def _active_deal(rt: Runtime) -> Any:
    """The terminal conversation's active deal (None when it has none)."""
    from bot.memory import Memory

    async with rt.sessions() as session, session.begin():
        memory = await Memory.for_tenant(session, "console", TENANT, rt.coach.clock())
        return await memory.active_deal(await memory.conversation(CONVERSATION, rt.coach.clock()))


# --- shell ------------------------------------------------------------------------
async def cmd_shell(args: argparse.Namespace) -> int:
    from rich.console import Console

    from adapters.console.reminders import PROMPT, TerminalReminders
    from adapters.runtime import Runtime
    from bot import demo

    if sys.stdin.isatty():
        import readline  # noqa: F401  (line editing in input(), and the typed text for redraws)
    console = Console()
    rt = await Runtime.start()
    reminders = TerminalReminders(rt, console, poll=_poll_seconds())
    stop = asyncio.Event()
    worker: asyncio.Task[None] | None = None
    try:
        has_deals = await demo.has_deals(rt.sessions, "console", TENANT, rt.coach.clock(), _user())
        if args.demo:
            await _load_demo(rt)
        console.print("[bold]Deal Coach[/] — ask in your own words. `help` for examples, `quit` to leave.")
        if args.demo:
            console.print("Loaded the sample deal. Try: [cyan]should we escalate now?[/]")
        elif not has_deals:
            console.print("No deals yet. Type [cyan]demo[/] for a sample deal, or [cyan]deal new NAME[/].")
        await reminders.show_due()  # what came due while no shell was open
        worker = asyncio.create_task(reminders.run(stop))
        while True:
            async with reminders.turn_lock:
                console.print(PROMPT, end="")
                reminders.at_prompt = True
            try:
                line = await asyncio.to_thread(input)
            except (EOFError, KeyboardInterrupt):
                console.print()
                return 0
            finally:
                reminders.at_prompt = False
            text = line.strip()
            if text.casefold() in ("quit", "exit", "bye"):
                return 0
            async with reminders.turn_lock:
                await _shell_turn(rt, console, reminders, text)
    finally:
        stop.set()
        if worker is not None:
            await worker
        await rt.close()


async def _shell_turn(rt: Runtime, console: Console, reminders: Any, text: str) -> None:
    from adapters.console.render import render

    if text.casefold() == "demo":
        await _load_demo(rt)
        console.print("Loaded the sample deal. Try: [cyan]should we escalate now?[/]")
        return
    # A number presses a button of the last thing shown: an answer, or a reminder.
    last = reminders.last
    if last and text.isdigit() and 1 <= int(text) <= len(last.actions):
        reply = await rt.handle(terminal_turn(action=dict(last.actions[int(text) - 1].payload)))
    else:
        reply = await rt.handle(terminal_turn(text))
    if reply is None:
        return
    console.print()
    render(reply, console)
    console.print()
    reminders.last = reply


# --- rehearse ------------------------------------------------------------------------
REHEARSAL_ROLES = ("ae", "csm", "ts", "avp", "deal-desk")


async def cmd_rehearse(args: argparse.Namespace) -> int:
    """`coach rehearse [--role R] [--deal NAME]`: the rehearsal loop of the chat, in the
    terminal. It lives in the database: leaving pauses it, and the next `coach rehearse` picks
    it up where it stopped."""
    from rich.console import Console

    from adapters.console.render import render
    from adapters.runtime import Runtime

    if sys.stdin.isatty():
        import readline  # noqa: F401  (line editing in input())
    console = Console()
    rt = await Runtime.start()
    try:
        start: dict[str, Any] = {"intent": "rehearsal.start"}
        if args.role:
            start["role"] = args.role.replace("-", "_")
        reply = await rt.handle(terminal_turn(action=start, deal=args.deal))
        assert reply is not None  # terminal turns carry no event id
        render(reply, console)
        if not reply.intent.startswith("rehearsal.") or reply.intent == "rehearsal.scorecard":
            code = FAILED.get(reply.intent, USER_ERROR if not reply.intent.startswith("rehearsal.") else OK)
            if code != OK:
                _complain(reply.headline)
            return code
        while True:
            console.print("[bold]you>[/] ", end="")
            try:
                line = (await asyncio.to_thread(input)).strip()
            except (EOFError, KeyboardInterrupt):
                line = "quit"
            if line.casefold() in ("quit", "exit", "bye"):
                await rt.handle(terminal_turn(action={"intent": "rehearsal.pause"}, deal=args.deal))
                console.print("\nPaused. `coach rehearse` picks it up where you stopped.")
                return OK
            if not line:
                continue
            if line.isdigit() and 1 <= int(line) <= len(reply.actions):
                turn = terminal_turn(action=dict(reply.actions[int(line) - 1].payload), deal=args.deal)
            else:
                turn = terminal_turn(line, deal=args.deal)
            answer = await rt.handle(turn)
            if answer is None:
                continue
            reply = answer
            console.print()
            render(reply, console)
            console.print()
            if reply.intent == "rehearsal.scorecard":
                return OK
    finally:
        await rt.close()


async def _load_demo(rt: Runtime) -> None:
    from bot.demo import load_demo_here

    await load_demo_here(rt.sessions, "console", TENANT, CONVERSATION, rt.kb, _user(), rt.coach.clock())


def _poll_seconds() -> float:
    """The same setting, read by the same rules, as `coach serve`'s reminder worker."""
    from bot.reminders.settings import ReminderSettings
    from bot.settings import load

    return load(ReminderSettings).poll_seconds


# --- eval -------------------------------------------------------------------------------
DATA_DIR = Path(__file__).resolve().parents[2] / "tests" / "data"


def cmd_eval(args: argparse.Namespace) -> int:
    """Understanding measured on the held-out corpora in tests/data/ (no database needed); the
    stories played through the real core and the leak check measured on drafts (each a throwaway
    SQLite database); with no subcommand, every figure."""
    if args.eval_cmd == "stories":
        return cmd_eval_stories(args)
    if args.eval_cmd == "leakcheck":
        return cmd_eval_leakcheck(args)
    if args.eval_cmd is None:
        return cmd_eval_all()
    from bot.features import default_knowledge
    from bot.understanding.evaluate import EVALUATORS, blind_files, run_blind

    kb = default_knowledge()
    data = Path(args.data) if args.data else DATA_DIR
    ran = 0
    if data.is_dir():
        for name, run in EVALUATORS.items():
            path = data / name
            if not path.is_file():
                print(f"{name}: not found in {data}, skipped")
                continue
            print(f"== {name}")
            print(run(path, kb))
            ran += 1
    # The blind authors' corpora (`intents:` with `facts:`): a file, a folder of them, and by
    # default tests/data/blind_2026_12/.
    where = data if args.data else BLIND_DIR
    files = [f for f in blind_files(where) if f.name not in EVALUATORS] if where.exists() else []
    for file in files:
        print(f"== {file.name if file.name != 'intents.yaml' else file.parent.name} (blind author)")
        print(run_blind(file, kb))
        ran += 1
    return 0 if ran else 1


BLIND_DIR = DATA_DIR / "blind_2026_12"


def _run_eval_file(path: Path, what: str, run_eval: Any, as_json: bool) -> int:
    from bot.features import default_knowledge

    try:
        print(run_eval(path, default_knowledge(), as_json=as_json))
    except (ValueError, OSError) as exc:
        print(f"could not read the {what}: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_eval_stories(args: argparse.Namespace) -> int:
    """Stories (several messages, then a question) through the real core: facts on record,
    the final answer, the key points (bot/story_eval.py)."""
    from bot.story_eval import corpus_files, run_eval

    path = Path(args.data) if args.data else BLIND_DIR
    if not path.exists() or not corpus_files(path):
        print(f"{path}: no stories found", file=sys.stderr)
        return 1
    return _run_eval_file(path, "stories", run_eval, args.json)


def cmd_eval_leakcheck(args: argparse.Namespace) -> int:
    """Drafts checked on throwaway deals that hold their facts (bot/leakcheck_eval.py)."""
    from bot.leakcheck_eval import run_eval

    path = Path(args.data) if args.data else DATA_DIR / "leakcheck_drafts.yaml"
    if not path.exists():
        print(f"{path}: not found", file=sys.stderr)
        return 1
    return _run_eval_file(path, "drafts", run_eval, args.json)


def cmd_eval_all() -> int:
    """`coach eval`: understanding, stories and the leak check."""
    blank = argparse.Namespace(data=None, json=False)
    codes = [cmd_eval(argparse.Namespace(eval_cmd="understanding", data=None))]
    print("\n== stories (tests/data/blind_2026_12)")
    codes.append(cmd_eval_stories(blank))
    print("\n== leakcheck")
    codes.append(cmd_eval_leakcheck(blank))
    return max(codes)


# --- reminders ------------------------------------------------------------------------
async def cmd_reminders(args: argparse.Namespace) -> int:
    """What is scheduled, across every surface (`--all`) or for the terminal's active deal."""
    from rich.console import Console

    from adapters.console.reminders import print_scheduled
    from adapters.runtime import Runtime

    rt = await Runtime.start()
    try:
        return await print_scheduled(
            rt, Console(), everything=args.all, tenant=TENANT, conversation=CONVERSATION, user=_user()
        )
    finally:
        await rt.close()


# --- db / serve -------------------------------------------------------------------
def cmd_db(args: argparse.Namespace) -> int:
    from bot.db import migrate
    from bot.settings import get_settings

    url = get_settings().database_url
    if args.db_cmd == "upgrade":
        migrate.upgrade(url, args.revision or "head")
    else:
        migrate.downgrade(url, args.revision or "-1")
    print(f"Database {args.db_cmd}d.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from adapters.server import serve
    from bot.settings import get_settings

    settings = get_settings()
    return asyncio.run(
        serve(
            settings,
            host=args.host or settings.host,
            port=args.port or settings.port,
            socket_mode=args.socket_mode,
        )
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="coach", description="Deal Coach: negotiation coaching for Microsoft deals."
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    sh = sub.add_parser("shell", help="chat with the coach in the terminal")
    sh.add_argument("--demo", action="store_true", help="load the sample deal first")
    ask = sub.add_parser("ask", help="one turn, for scripts")
    ask.add_argument("text")
    ask.add_argument("--deal", help="ask about this deal (default: the active one)")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    deal = sub.add_parser("deal", help="create, switch, show, export and import deals")
    dsub = deal.add_subparsers(dest="deal_cmd", required=True)
    for name, helptext in (
        ("new", "start a deal"),
        ("use", "switch to a deal"),
        ("show", "a deal's facts and timeline (default: the active deal)"),
    ):
        d = dsub.add_parser(name, help=helptext)
        d.add_argument("name", nargs="*" if name == "show" else "+")
    dsub.add_parser("list", help="every deal, most urgent first (renewal, milestones, promises, escalation)")
    ex = dsub.add_parser("export", help="write a deal as JSON")
    ex.add_argument("name", nargs="+")
    ex.add_argument("-o", "--output")
    bf = dsub.add_parser("brief", help="a one-page brief of a deal (terminal, or -o brief.md|.html|.pdf)")
    bf.add_argument("name", nargs="+")
    bf.add_argument("-o", "--output", help="write it to this file (.md, .html or .pdf)")
    bf.add_argument(
        "--for", dest="audience", help="a Microsoft role (ae, avp, ...): leaves out what they shouldn't see"
    )
    au = dsub.add_parser(
        "audit", help="who read a deal's protected facts or changed it (names of facts, never values)"
    )
    au.add_argument("name", nargs="+")
    im = dsub.add_parser("import", help="read a deal export into a new deal")
    im.add_argument("file")
    im.add_argument("--as", dest="as_name", help="name for the new deal")
    ws = sub.add_parser("workspace", help="settings of the local workspace")
    wsub = ws.add_subparsers(dest="ws_cmd", required=True)
    od = wsub.add_parser(
        "open-deals", help="on: everyone here sees every deal; off (the default): members only"
    )
    od.add_argument("state", nargs="?", choices=("on", "off"))
    from adapters.console import offers as offers_cli

    offers_cli.add_parser(sub)
    rh = sub.add_parser(
        "rehearse", help="rehearse a meeting: I play the Microsoft role and score each answer"
    )
    rh.add_argument(
        "--role", choices=REHEARSAL_ROLES, help="who I play (default: the AE, or the open rehearsal)"
    )
    rh.add_argument("--deal", help="the deal to rehearse (default: the active one)")
    rem = sub.add_parser("reminders", help="what is scheduled (pre-meeting, after-meeting, renewal nudges)")
    rem.add_argument("--all", action="store_true", help="every workspace and conversation, not just here")
    db = sub.add_parser("db", help="database migrations")
    dbsub = db.add_subparsers(dest="db_cmd", required=True)
    for name in ("upgrade", "downgrade"):
        dbsub.add_parser(name).add_argument("revision", nargs="?")
    ev = sub.add_parser("eval", help="measure how well the coach understands everyday wording")
    evsub = ev.add_subparsers(dest="eval_cmd")  # none: every figure
    evu = evsub.add_parser("understanding", help="per-intent precision/recall, confusions (held-out corpus)")
    evu.add_argument(
        "--data", help="folder with the corpora, or a blind author's intents file (default: tests/data)"
    )
    evs = evsub.add_parser("stories", help="deals told over several messages: facts on record, final answer")
    evs.add_argument("--data", help="a stories file or a folder of them (default: tests/data/blind_2026_12)")
    evs.add_argument("--json", action="store_true", help="print one JSON object")
    evl = evsub.add_parser("leakcheck", help="leak recall, clean drafts called clean, kind named right")
    evl.add_argument(
        "--data", help="a drafts file or a folder of them (default: tests/data/leakcheck_drafts.yaml)"
    )
    evl.add_argument("--json", action="store_true", help="print one JSON object")
    sv = sub.add_parser("serve", help="run the HTTP server (Slack, Teams, /livez, /readyz, /metrics)")
    sv.add_argument("--host")
    sv.add_argument("--port", type=int)
    sv.add_argument("--socket-mode", action="store_true", help="connect to Slack over Socket Mode")
    return p


# Commands that run for minutes or more: they keep the collector's usual pace.
LONG_RUNNING = frozenset({"serve", "shell", "rehearse", "eval"})


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # --help and usage errors end here, before any import
    if args.cmd not in LONG_RUNNING:
        # A command that runs a turn or two and exits builds ~100k long-lived objects (modules,
        # knowledge, models) and little garbage: rarer cyclic collections save ~0.1 s of
        # re-scanning them, and freezing them at the end spares the collections at exit (~0.2 s).
        gc.set_threshold(20_000, 20, 100)
        try:
            return _main(args)
        finally:
            gc.freeze()
    return _main(args)


def _main(args: argparse.Namespace) -> int:
    from adapters.runtime import configure_logging
    from bot.knowledge import KnowledgeError
    from bot.settings import SettingsError, get_settings

    try:
        configure_logging(get_settings().log_level)
        if args.cmd == "ask":
            return asyncio.run(cmd_ask(args))
        if args.cmd == "deal":
            return asyncio.run(cmd_deal(args))
        if args.cmd == "shell":
            return asyncio.run(cmd_shell(args))
        if args.cmd == "rehearse":
            return asyncio.run(cmd_rehearse(args))
        if args.cmd == "reminders":
            return asyncio.run(cmd_reminders(args))
        if args.cmd == "workspace":
            return asyncio.run(cmd_workspace(args))
        if args.cmd == "offer":
            from adapters.console.offers import cmd_offer

            return asyncio.run(cmd_offer(args))
        if args.cmd == "db":
            return cmd_db(args)
        if args.cmd == "eval":
            return cmd_eval(args)
        return cmd_serve(args)
    except KnowledgeError as exc:
        print(f"knowledge/ has a problem: {exc}", file=sys.stderr)
        return 2
    except SettingsError as exc:  # names the variable, never its value
        print(f"configuration problem: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
