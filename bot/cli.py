"""The `gongyou` command: run, chat, ask, db upgrade, roles, the staff panel."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import logging
import re
import signal
import socket
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import ConfigError, Mode, Settings, load_settings
from bot.core.models import Role

if TYPE_CHECKING:
    from bot.chat import DemoTelegram
    from bot.core.tables import ImportProgress
    from bot.db import Database

log = logging.getLogger("gongyou")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongyou", description="工友 — the union's Telegram bot")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot against Telegram (polling or webhook)")
    run.add_argument("--mode", choices=[m.value for m in Mode], help="overrides GONGYOU_MODE")

    chat = sub.add_parser("chat", help="talk to the bot in this terminal (no token needed)")
    chat.add_argument("--user-id", type=int, default=10001, help="act as this Telegram user id")
    chat.add_argument("--role", choices=[r.value for r in Role], help="give yourself a role")
    chat.add_argument("--lang", choices=["zh", "en"], default="zh", help="your phone's language")
    chat.add_argument("--database-url", help="keep the chat's data here (default: temporary)")

    ask = sub.add_parser("ask", help="show how the router understands a message")
    ask.add_argument("text", nargs="?", help="the message, as a worker would type it")
    ask.add_argument("--file", type=Path, help="one message per line ('-' for standard input)")
    ask.add_argument("--json", action="store_true", help="print one JSON object per message")
    ask.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the reply")

    imp = sub.add_parser("import", help="import data files")
    imp_sub = imp.add_subparsers(dest="import_kind", required=True)
    imp_st = imp_sub.add_parser("stations", help="post stations from CSV, JSON or GeoJSON")
    imp_st.add_argument("file", type=Path)
    imp_st.add_argument(
        "--crs",
        choices=["wgs84", "gcj02", "bd09"],
        default="wgs84",
        help="coordinate system of the file (Chinese map data is gcj02)",
    )
    imp_st.add_argument("--dry-run", action="store_true", help="report, change nothing")
    imp_st.add_argument("--demo", action="store_true", help="mark the stations as demo data")
    imp_jobs = imp_sub.add_parser("jobs", help="job postings from an Excel (.xlsx) or CSV list")
    imp_jobs.add_argument("file", type=Path)
    imp_jobs.add_argument("--dry-run", action="store_true", help="report, change nothing")
    imp_jobs.add_argument("--city", default="", help="city of rows that name none (e.g. 郑州市)")
    imp_members = imp_sub.add_parser(
        "members", help="the union's member roster (card number and name; stored as hashes)"
    )
    imp_members.add_argument("file", type=Path)
    imp_members.add_argument("--batch", default="", help="label of this import (default: file)")
    imp_members.add_argument(
        "--replace",
        action="store_true",
        help="make the roster exactly the file (revokes verifications of cards not in it)",
    )
    imp_members.add_argument("--dry-run", action="store_true", help="report, change nothing")

    st = sub.add_parser("stations", help="post station tools")
    st_sub = st.add_subparsers(dest="stations_command", required=True)
    poster = st_sub.add_parser("poster", help="printable PNG with a QR code for a station")
    poster.add_argument("station_id", type=int)
    poster.add_argument("--out", type=Path, required=True, help="PNG file to write")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply all migrations")

    roles = sub.add_parser("roles", help="list, grant and revoke roles")
    roles_sub = roles.add_subparsers(dest="roles_command", required=True)
    roles_sub.add_parser("list", help="users holding roles")
    for name in ("add", "remove"):
        cmd = roles_sub.add_parser(name, help=f"{name} a role")
        cmd.add_argument("user_id", type=int)
        cmd.add_argument("role", choices=[r.value for r in Role])
    link = sub.add_parser("panel-link", help="print a one-time sign-in link to the staff panel")
    link.add_argument("--user-id", type=int, required=True, help="Telegram id of a role holder")
    panel = sub.add_parser("panel", help="serve only the staff panel (GONGYOU_PANEL_PORT)")
    panel.add_argument(
        "--demo",
        action="store_true",
        help=(
            "on a throwaway SQLite database with demo data and a demo admin; prints a link "
            "(no bot token: what workers would get is printed)"
        ),
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `gongyou` console script."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command in ("chat", "ask"):
        logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = load_settings()
        if args.command == "run":
            return _run(settings, args.mode)
        if args.command == "chat":
            from bot.chat import run_chat

            role = Role(args.role) if args.role else None
            asyncio.run(
                run_chat(
                    settings,
                    user_id=args.user_id,
                    role=role,
                    language=args.lang,
                    database_url=args.database_url,
                )
            )
            return 0
        if args.command == "ask":
            return _ask(args)
        if args.command == "import" and args.import_kind == "jobs":
            from bot.jobs.imports import run_import_cli as run_job_import_cli

            with _import_progress(settings, args.file) as bar:
                return asyncio.run(
                    run_job_import_cli(
                        settings,
                        args.file,
                        dry_run=args.dry_run,
                        city=args.city,
                        progress=_count_rows(bar),
                    )
                )
        if args.command == "import" and args.import_kind == "members":
            from bot.membership.roster import run_roster_cli

            with _import_progress(settings, args.file) as bar:
                return asyncio.run(
                    run_roster_cli(
                        settings,
                        args.file,
                        batch=args.batch,
                        replace=args.replace,
                        dry_run=args.dry_run,
                        progress=_count_rows(bar),
                    )
                )
        if args.command == "import":
            from bot.stations.imports import run_import_cli

            with _import_progress(settings, args.file) as bar:
                return asyncio.run(
                    run_import_cli(
                        settings,
                        args.file,
                        crs=args.crs,
                        dry_run=args.dry_run,
                        demo=args.demo,
                        progress=_count_rows(bar),
                    )
                )
        if args.command == "stations":
            from bot.stations.poster import run_poster_cli

            return asyncio.run(run_poster_cli(settings, args.station_id, out=args.out))
        if args.command == "db":
            asyncio.run(_upgrade(settings))
            print("database is up to date")
            return 0
        if args.command == "roles":
            return asyncio.run(_roles(settings, args))
        if args.command == "panel-link":
            return asyncio.run(_panel_link(settings, args.user_id))
        if args.command == "panel":
            return asyncio.run(_serve_panel(settings, demo=args.demo))
    except ConfigError as exc:
        print(f"gongyou: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 1


def _import_progress(settings: Settings, path: Path) -> contextlib.AbstractContextManager[Any]:
    """A progress bar on the terminal while ``gongyou import`` reads and stores a file.

    Only when standard output is a terminal (a pipe or a log file gets the report alone); the
    context gives the bar (None off a terminal) for :func:`_count_rows`. Until the import
    counts its rows (it reads and checks the whole file first) the bar moves without a total,
    showing the rows read; then it shows rows done of the file's rows. It shows the time taken
    too, and disappears before the report is printed.
    """
    if not sys.stdout.isatty():
        return contextlib.nullcontext()
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from bot.i18n import t

    lang = settings.default_language
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(t(lang, "panel-imports-cli-rows")),
        TimeElapsedColumn(),
        transient=True,
    )
    label = t(lang, "panel-imports-cli-progress", name=Path(path).name)
    progress.add_task(label, total=None)
    return progress


def _count_rows(bar: Any) -> ImportProgress | None:
    """The imports' progress callback moving the bar of :func:`_import_progress` (None for
    none): rows read while the file is read (no total yet), then rows done of the file's rows."""
    if bar is None:
        return None
    [task] = bar.task_ids

    def count(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total or None)

    return count


async def _upgrade(settings: Settings) -> None:
    from bot.db import Database

    db = Database(settings.database_url)
    try:
        await _prepare(db, settings, always=True)
    finally:
        await db.dispose()


async def _prepare(db: Database, settings: Settings, *, always: bool = False) -> None:
    """Apply the migrations (unless ``always`` is false and the database is at the packaged
    head already: Alembic is then not even loaded), then give the configured admins their
    role."""
    from bot.core.users import bootstrap_admins

    if always or not await _at_head(db):
        await db.upgrade()
    async with db.session() as session:
        await bootstrap_admins(session, admin_ids=settings.admin_ids)


#: ``revision = "0014"`` and ``down_revision = "0013"`` (or a tuple of them) in a migration.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


def migration_heads() -> frozenset[str]:
    """The head revisions of the packaged migrations, read from the files' text (empty if a
    file cannot be read that way: the caller then asks Alembic)."""
    from bot.db import MIGRATIONS

    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        names = _QUOTED.findall(found.get("revision", ""))
        if len(names) != 1 or "down_revision" not in found:
            return frozenset()
        revisions.update(names)
        parents.update(_QUOTED.findall(found["down_revision"]))
    return frozenset(revisions - parents)


async def _at_head(db: Database) -> bool:
    """True if the database's Alembic revision is the packaged head (read in one query)."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    heads = migration_heads()
    if not heads:
        return False
    try:
        async with db.engine.connect() as conn:
            rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
            found = {row[0] for row in rows}
    except SQLAlchemyError:  # no such table yet: a new database
        return False
    return found == heads


def _ask_lines(args: argparse.Namespace) -> Iterable[str]:
    if args.file is not None:
        stream = sys.stdin if str(args.file) == "-" else args.file.open(encoding="utf-8")
        with stream:
            yield from (line.rstrip("\n") for line in stream if line.strip())
    elif args.text is not None:
        yield args.text
    else:
        raise ConfigError('give a message to check, e.g. gongyou ask "附近有驿站吗", or --file')


def explain(text: str, lang: str) -> dict[str, Any]:
    """How the router reads ``text`` and what the bot would reply.

    ``decision`` is ``go`` (a service opens), ``ask`` (choices), ``menu`` or ``answer`` (an
    answer straight away: a union FAQ, small talk or a legal entry); ``legal`` says what the
    legal service did (``outcome`` answer/offer/handover, or null when it was not asked).
    """
    from handlers.router import plan_reply
    from knowledge.index import default_router

    routing = default_router().route(text)
    reply = plan_reply(routing, lang)
    best = routing.best
    result: dict[str, Any] = {
        "text": text,
        "intent": routing.intent.value,
        "decision": routing.decision.value,
        "score": round(routing.score, 1),
        "entry": best.entry.id if best else None,
        "phrase": best.phrase if best else None,
        "candidates": [
            {"intent": m.intent.value, "score": round(m.score, 1), "entry": m.entry.id}
            for m in routing.candidates[:3]
        ],
        "reply": reply.text,
        "buttons": [label for label, _data in reply.buttons],
    }
    result["legal"] = {
        "outcome": None,
        "answered": None,
        "offered": [],
        "citations": [],
        "hits": [],
    }
    if reply.service == "legal":
        result.update(_legal_answer(text, lang))
    union_answered = False
    if reply.service == "union":
        from knowledge.union import default_union_kb, render

        entry, _hits = default_union_kb().answer(text)
        if entry is not None:
            result["reply"], result["union"], union_answered = render(entry, lang), entry.id, True
    answered = result["legal"]["answered"] is not None or union_answered
    if answered or (routing.decision.value == "go" and reply.service is None):
        result["decision"] = "answer"  # the worker gets an answer straight away
    return result


def _legal_answer(text: str, lang: str) -> dict[str, Any]:
    """The legal service's decision on ``text`` (curated entries only) and its reply."""
    from bot.i18n import t
    from knowledge.legal import Outcome, citation_text, default_kb, render

    kb = default_kb()
    decision = kb.decide(text)
    answered = decision.answered
    found: dict[str, Any] = {
        "legal": {
            "outcome": decision.outcome.value,
            "answered": answered.id if answered else None,
            "offered": [entry.id for entry in decision.offered],
            "citations": _citations(citation_text(answered, "zh")) if answered else [],
            "hits": [
                {"entry": hit.entry.id, "score": round(hit.score, 1), "phrase": hit.phrase}
                for hit in decision.hits
            ],
        }
    }
    if answered is not None:
        found["reply"] = render(answered, lang) + "\n\n" + t(lang, "lg-disclaimer")
        related = kb.related(answered, list(decision.hits))
        found["buttons"] = [r.title.get(lang) or next(iter(r.title.values())) for r in related]
    elif decision.outcome is Outcome.offer:
        found["reply"] = t(lang, "lg-offer")
        found["buttons"] = [e.title.get(lang) or e.title["zh"] for e in decision.offered]
        found["buttons"].append(t(lang, "lg-btn-none"))
    else:
        found["reply"] = t(lang, "lg-handover")
        found["buttons"] = [t(lang, "lg-btn-case")]
    return found


def _citations(line: str) -> list[str]:
    """``依据：《劳动合同法》第47条、第87条；《劳动法》第50条`` as one item per article:
    ``["《劳动合同法》第47条", "《劳动合同法》第87条", "《劳动法》第50条"]``."""
    items: list[str] = []
    for part in line.partition("：")[2].split("；"):
        law, mark, articles = part.partition("》")
        if not mark:
            items.append(part)
            continue
        numbers = [a for a in articles.split("、") if a.startswith("第")]
        items.extend([f"{law}》{n}" for n in numbers] or [f"{law}》"])
    return items


def _ask(args: argparse.Namespace) -> int:
    for line in _ask_lines(args):
        result = explain(line, args.lang)
        if args.json:
            print(json.dumps(result, ensure_ascii=False))
            continue
        print(
            f"{result['text']}\n  -> {result['intent']} ({result['decision']}, "
            f"score {result['score']}, entry {result['entry']})"
        )
        for candidate in result["candidates"][1:]:
            print(f"     also {candidate['intent']} {candidate['score']} ({candidate['entry']})")
        legal = result["legal"]
        if legal["outcome"] is not None:  # the legal service was asked
            print(f"  legal: {legal['outcome']}")
            for rank, hit in enumerate(legal["hits"]):
                label = "     hit" if rank == 0 else "    also"
                score, phrase = hit["score"], hit["phrase"]
                print(f"  {label}: {hit['entry']} (score {score}, phrase {phrase!r})")
        print("  reply: " + result["reply"].replace("\n", "\n         "))
        if result["buttons"]:
            print("  buttons: " + " | ".join(result["buttons"]))
    return 0


async def _roles(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.users import grant_role, revoke_role, role_holders
    from bot.db import Database

    db = Database(settings.database_url)
    try:
        await db.upgrade()
        async with db.session() as session:
            if args.roles_command == "list":
                for user in await role_holders(session):
                    print(f"{user.id}\t{', '.join(user.roles)}")
                return 0
            role = Role(args.role)
            if args.roles_command == "add":
                changed = await grant_role(session, actor_id=None, user_id=args.user_id, role=role)
            else:
                changed = await revoke_role(
                    session, actor_id=None, user_id=args.user_id, role=role
                )
            verb = "granted" if args.roles_command == "add" else "revoked"
            print(f"{role.value} {verb} for {args.user_id}" if changed else "nothing changed")
            if changed and args.roles_command != "add":
                from bot.core.models import utcnow
                from bot.legal.cases import after_role_revoked
                from bot.legal.core import case_label

                released = await after_role_revoked(
                    None, session, settings, user_id=args.user_id, now=utcnow()
                )
                if released:
                    labels = ", ".join(case_label(c.id) for c in released if c.id is not None)
                    print(f"claimed cases back in the queue: {labels}")
            return 0
    finally:
        await db.dispose()


async def _new_panel_link(db: Database, settings: Settings, user_id: int) -> str | None:
    """A sign-in link for a role holder (None if ``user_id`` holds no panel role)."""
    from bot.core.models import User
    from bot.panel.auth import create_link, panel_roles

    async with db.session() as session:
        user = await session.get(User, user_id)
        if not panel_roles(user, admin_ids=settings.admin_ids):
            return None
        token = await create_link(session, user_id=user_id)
    return f"{settings.panel_base_url()}/signin/{token}"


async def _panel_link(settings: Settings, user_id: int) -> int:
    from bot.db import Database

    db = Database(settings.database_url)
    try:
        await _prepare(db, settings)
        link = await _new_panel_link(db, settings, user_id)
    finally:
        await db.dispose()
    if link is None:
        print(
            f"gongyou: user {user_id} holds no role the panel has pages for (staff, legal "
            f"volunteer, admin); grant one first (gongyou roles add {user_id} staff)",
            file=sys.stderr,
        )
        return 1
    print(link)
    return 0


async def _serve_panel(
    settings: Settings, *, demo: bool, stop: asyncio.Event | None = None
) -> int:
    """Serve only the staff panel until Ctrl-C; ``demo``: on a throwaway SQLite database with
    demo data, printing a sign-in link for the demo admin."""
    import tempfile

    from bot.context import Services
    from bot.db import Database
    from bot.web import start_panel

    with tempfile.TemporaryDirectory(prefix="gongyou-panel-") as tmp:
        if demo:
            from bot.chat import DemoTelegram
            from bot.panel.demo import DEMO_ADMIN, load_demo, load_demo_world

            url = f"sqlite+aiosqlite:///{Path(tmp) / 'panel-demo.sqlite3'}"
            settings = settings.model_copy(update={"database_url": url})
        db = Database(settings.database_url)
        telegram: DemoTelegram | None = None
        try:
            if demo:
                await load_demo(db, settings)
                await load_demo_world(db, settings)
            else:
                await _prepare(db, settings)
            services = Services(settings=settings, db=db, router=None)  # type: ignore[arg-type]
            if demo:
                telegram = DemoTelegram(services, write=lambda line: print(line, flush=True))
                await telegram.start()
            runner = await start_panel(
                services, host=settings.panel_host, port=settings.panel_port
            )
            try:
                print(f"staff panel: {settings.panel_base_url()}/", flush=True)
                if demo:
                    link = await _new_panel_link(db, settings, DEMO_ADMIN)
                    print(f"sign in as the demo admin (once, within 10 minutes): {link}")
                    print(
                        "no Telegram here: what the workers would get is written below",
                        flush=True,
                    )
                    print("the demo data goes when this stops (Ctrl-C)", flush=True)
                if stop is None:
                    stop = asyncio.Event()
                    loop = asyncio.get_running_loop()
                    for sig in (signal.SIGINT, signal.SIGTERM):
                        loop.add_signal_handler(sig, stop.set)
                await stop.wait()
            finally:
                await runner.cleanup()
        finally:
            if telegram is not None:
                await telegram.stop()
            await db.dispose()
    return 0


def _run(settings: Settings, mode: str | None) -> int:
    if mode is not None:
        settings = settings.model_copy(update={"mode": Mode(mode)})
    settings.require_token()
    if settings.mode is Mode.webhook:
        settings.require_webhook()
    from bot.membership.roster import member_key

    member_key(settings)  # warns when the roster would use the public demo key
    import bot.app

    bot.app.FREEZE_AFTER_WARM_UP = True  # a replica: see bot.app._no_full_collections
    if settings.mode is Mode.webhook:
        asyncio.run(_serve_webhook(settings))
        return 0
    asyncio.run(_serve_polling(settings))
    return 0


async def _serve_polling(settings: Settings) -> None:
    from bot.app import ALLOWED_UPDATES, build_application
    from bot.db import Database
    from bot.polling import serve_polling

    db = Database(settings.database_url, handling=settings.concurrent_updates)
    try:
        await _prepare(db, settings)
        application = build_application(settings, db=db, updater=False)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        panel = await _start_panel_beside(application.bot_data["services"], settings)
        log.info("polling Telegram for updates")
        try:
            await serve_polling(
                application,
                stop=stop,
                long_poll=settings.poll_timeout,
                interval=settings.poll_interval,
                allowed_updates=ALLOWED_UPDATES,
            )
        finally:
            if panel is not None:
                await panel.cleanup()
    finally:
        await db.dispose()


async def _start_panel_beside(services: Any, settings: Settings) -> PanelBeside | None:
    """Serve the staff panel on GONGYOU_PANEL_HOST:GONGYOU_PANEL_PORT beside polling (a port
    that is taken is logged, and the bot runs without the panel)."""
    try:
        return await PanelBeside.listen(
            services, host=settings.panel_host, port=settings.panel_port
        )
    except OSError as exc:
        log.warning("staff panel not started on port %s: %s", settings.panel_port, exc)
        return None


class PanelBeside:
    """The staff panel beside polling: its port is bound at start (a taken port is reported at
    once), its pages, templates and web server are loaded when the first visitor connects. A
    replica nobody visits never loads them; the first visit waits for them once."""

    def __init__(self, services: Any, sockets: list[socket.socket], host: str, port: int) -> None:
        self.services = services
        self.sockets = sockets
        self.host, self.port = host, port
        self.runner: Any = None
        self.loading: asyncio.Task[None] | None = None

    @classmethod
    async def listen(cls, services: Any, *, host: str, port: int) -> PanelBeside:
        """Listen on every address of ``host`` (as aiohttp's own site would); raise OSError if
        the port cannot be bound."""
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
        sockets: list[socket.socket] = []
        try:
            for family, kind, proto, _name, address in dict.fromkeys(infos):
                sock = socket.socket(family, kind, proto)
                sockets.append(sock)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                sock.bind(address)
                sock.listen(128)
                sock.setblocking(False)
        except OSError:
            for sock in sockets:
                sock.close()
            raise
        panel = cls(services, sockets, host, port)
        try:
            for sock in sockets:
                loop.add_reader(sock.fileno(), panel._first_visit)
        except NotImplementedError:  # an event loop that cannot watch sockets: load it now
            panel._first_visit()
        log.info("staff panel on http://%s:%s/panel/", host, port)
        return panel

    def _stop_waiting(self) -> None:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError):
            for sock in self.sockets:
                loop.remove_reader(sock.fileno())

    def _first_visit(self) -> None:
        self._stop_waiting()
        self.loading = asyncio.get_running_loop().create_task(self._load(), name="panel-load")

    async def _load(self) -> None:
        """Load the panel (imported in a thread: updates keep flowing) and hand it the sockets,
        with the first visitor's connection waiting in their queue."""
        try:
            await asyncio.to_thread(_import_panel)
            from bot.web import start_panel

            self.runner = await start_panel(
                self.services, host=self.host, port=self.port, sockets=self.sockets
            )
        except Exception:
            log.exception("the staff panel could not be loaded")
            for sock in self.sockets:
                sock.close()

    async def cleanup(self) -> None:
        """Stop serving the panel and close its port."""
        if self.loading is None:
            self._stop_waiting()
        else:
            await self.loading
        if self.runner is not None:
            await self.runner.cleanup()
        for sock in self.sockets:
            sock.close()


def _import_panel() -> None:
    """Import the web server and the panel's pages."""
    importlib.import_module("bot.web")
    _pages = importlib.import_module("bot.panel").PAGES  # noqa: F841 - imports every page


async def _serve_webhook(settings: Settings, stop: asyncio.Event | None = None) -> None:
    from aiohttp import web

    from bot.app import ALLOWED_UPDATES, build_application
    from bot.db import Database
    from bot.web import make_web_app

    url, secret = settings.require_webhook()
    db = Database(settings.database_url, handling=settings.concurrent_updates)
    try:
        await _prepare(db, settings)
    except BaseException:
        await db.dispose()
        raise
    application = build_application(settings, db=db, updater=False)
    web_app = make_web_app(application, path=settings.webhook_path, secret=secret)
    runner = web.AppRunner(web_app, handle_signals=False)
    await runner.setup()
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    try:
        site = web.TCPSite(runner, settings.webhook_listen, settings.webhook_port)
        await site.start()
        await application.bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            max_connections=settings.webhook_max_connections,
        )
        log.info(
            "webhook %s listening on %s:%s",
            settings.webhook_path,
            settings.webhook_listen,
            settings.webhook_port,
        )
        await stop.wait()
    finally:
        await runner.cleanup()
        await db.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
