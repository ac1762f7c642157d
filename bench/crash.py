"""No update lost, none answered twice: the bot killed with SIGKILL, and its database gone.

Run from the project root, with the project installed in the environment (``pip install -e .``)::

    python bench/crash.py [--updates 300] [--kills 20] [--database-url URL] [--json]

For PostgreSQL, create the database first (``CREATE DATABASE gongyou_crash``) and pass e.g.
``--database-url postgresql+asyncpg://postgres@127.0.0.1/gongyou_crash``; it is migrated and
emptied before each run. Without it each run gets a new SQLite file in a temporary directory.

What runs:

* A fake Bot API server on 127.0.0.1 (aiohttp): getUpdates from a queue with Telegram's offset
  semantics (an update is forgotten once a later offset is asked for), and every sendMessage
  and other call recorded with the time it arrived.
* The bot in a subprocess, ``gongyou run`` as deployed (``python -m bot.cli run``), pointed at that
  server, in polling or webhook mode. In webhook mode this script posts each update to the
  bot's webhook and, as Telegram does, posts it again until it is answered 200.
* Every update comes from its own worker (chat id = user id), with a text that gets an answer
  at once (small talk, union questions, legal questions: no multi-step flow), so each reply is
  traced to one update. How many messages each update gets undisturbed is measured first by
  the same application in this process (the reference).

Run 1, SIGKILL (polling, then webhook): the updates arrive at a steady pace while the bot is
killed with SIGKILL at ``--kills`` random moments (mostly while it handles updates, some during
start-up) and started again each time. Then the last bot drains the inbox.

Run 2, kill at a reply (first mode only): each phrase is sent alone and the bot is killed the
moment the reply to it reaches the server, then started again; the update's inbox row as it was
at that moment is read (the process is gone, so nothing changes it). Leased ("new") means the
update is taken again and answered twice; "done" means it was marked handled before its reply
left. Then the same with the reply dropped, as if the kill fell just before it left: a row
already "done" is never answered (lost).

Run 3, outage (webhook, then polling): the updates arrive at a steady pace and the database is
unavailable for ``--outage-s`` seconds in the middle: with PostgreSQL a TCP proxy between the
bot and the server closes every connection and refuses new ones; with SQLite another
connection holds ``BEGIN EXCLUSIVE`` on the file (the bot waits for locks up to 30 s, so there
this shows up as slow answers, not errors).

Counted per run: updates sent, answered (at least one reply that is not the apology), lost (no
such reply), doubled (more replies than the reference), short (fewer, but some), apologies,
kills, restarts, and the inbox's rows by state at the end. Each doubled or lost update is
explained: when its replies came, which kill fell between them, its tries in the inbox. A run
ends when every update's inbox row is done or parked and every update is answered (or nothing
has changed for 3 s after that).

The inbox lease is 5 minutes by default; ``GONGYOU_INBOX_LEASE_S`` sets it to ``--lease-s``
seconds (1) in the SIGKILL runs, so an update taken by a killed process is
taken again within the run, and ``--outage-lease-s`` (20) in the outage runs, longer than the
outage, so that an update is not taken again while its handler waits for the database. The
figures are a report, not a test: the exit code is 0 unless something crashes. With ``--json``
the last line printed is one JSON object with every run's figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import os
import random
import signal
import socket
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' fakes

from bot.localapi import BOT_USER  # noqa: E402
from tests.conftest import PROXY_VARIABLES  # noqa: E402
from tests.fake_botapi import _error, _read_params  # noqa: E402

TOKEN = "123456:BENCH-crash"
ROOT = Path(__file__).resolve().parents[1]
RUNNER = (sys.executable, "-m", "bot.cli", "run")
SECRET = "crash-bench-secret"
WEBHOOK_PATH = "/telegram"
#: Each run gets its own ranges of update ids and user ids.
RUN_SPAN = 100_000
FIRST_UPDATE = 5_000_000
FIRST_USER = 50_000_000
#: Calls that put something into a chat: what counts as a reply.
REPLY_METHODS = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "sendLocation",
        "sendVenue",
        "sendPhoto",
        "sendDocument",
        "sendContact",
        "copyMessage",
        "forwardMessage",
    }
)
#: What workers type that gets an answer straight away (no multi-step flow), by language.
PHRASES: dict[str, tuple[str, ...]] = {
    "zh": (
        "你好",
        "在吗",
        "谢谢",
        "早上好",
        "你是机器人吗",
        "怎么入会",
        "会费多少",
        "工会热线",
        "你能干什么",
        "老板不给工资",
        "拖欠工资三个月了",
        "加班不给加班费",
        "没签合同",
    ),
    "en": (
        "hello",
        "thanks",
        "good morning",
        "what can you do",
        "how to join the union",
        "membership fee",
        "unpaid wages",
        "overtime not paid",
    ),
}
#: Longest a getUpdates call is held open here, whatever timeout the bot asks for (seconds).
MAX_LONG_POLL = 1.0
#: How long to wait for a (re)started bot to poll or answer /healthz before killing it anyway.
START_WITHIN = 30.0


# --- the fake Bot API ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """A call that put something into a chat, as the server received it."""

    method: str
    chat_id: int
    text: str
    at: float
    #: Which start of the bot sent it (each start has its own token); 0 for the reference.
    process: int = 0


@dataclass
class FakeTelegram:
    """The Bot API for one token: getUpdates from a queue, every other call recorded."""

    token: str
    clock: Callable[[], float]
    port: int = 0
    sent: list[Sent] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    polls: int = 0
    queue: list[dict[str, Any]] = field(default_factory=list)
    #: Called with each reply before it is recorded and answered (it may kill the bot at that
    #: moment); if it returns True the reply is dropped, as if it never reached Telegram.
    on_sent: Callable[[Sent], bool] | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """What the bot's GONGYOU_API_BASE_URL must be."""
        return f"http://127.0.0.1:{self.port}/bot"

    def enqueue(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates."""
        self.queue.append(update)
        self._wake()

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _handle(self, request: web.Request) -> web.Response:
        prefix, _, method = request.match_info["path"].rpartition("/")
        process = self._process_of(prefix)
        if process is None:
            return _error(401, "Unauthorized")
        try:
            params = await _read_params(request)
        except ConnectionError:  # the bot was killed while it sent the request
            self.calls["cut off"] += 1
            return _error(400, "Bad Request: request cut off")
        self.calls[method] += 1
        if method == "getUpdates":
            return _ok(await self._get_updates(params))
        if method == "getMe":
            return _ok(BOT_USER)
        if method == "getWebhookInfo":
            return _ok({"url": "", "has_custom_certificate": False, "pending_update_count": 0})
        if method in REPLY_METHODS:
            return self._reply(method, params, process)
        return _ok(True)

    def _process_of(self, prefix: str) -> int | None:
        """The start of the bot a call came from, told by its token (``TOKEN-N`` for the Nth
        start, ``TOKEN`` alone for 0), or None for a token not ours. A reply can reach this
        handler after the process that sent it was killed, so its arrival time alone cannot
        say which process sent it."""
        base = f"bot{self.token}"
        if prefix == base:
            return 0
        head, _, number = prefix.rpartition("-")
        return int(number) if head == base and number.isdigit() else None

    def _reply(self, method: str, params: dict[str, Any], process: int = 0) -> web.Response:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            return _error(400, "Bad Request: chat not found")
        text = str(params.get("text") or params.get("caption") or "")
        sent = Sent(method, chat_id, text, self.clock(), process)
        if self.on_sent is not None and self.on_sent(sent):
            self.calls["dropped"] += 1
            return _error(502, "Bad Gateway")
        self.sent.append(sent)
        message: dict[str, Any] = {
            "message_id": (
                next(self._ids) if not method.startswith("edit") else params.get("message_id", 1)
            ),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "工友"},
            "from": BOT_USER,
            "text": text or "-",
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return _ok(message)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.polls += 1
        offset = int(params.get("offset") or 0)
        if offset:
            self.queue = [u for u in self.queue if int(u["update_id"]) >= offset]
        wait = min(float(params.get("timeout") or 0), MAX_LONG_POLL)
        if not self.queue and wait > 0:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    while not self.queue:
                        await self._changed.wait()
        return self.queue[: int(params.get("limit") or 100)]


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


# --- the updates --------------------------------------------------------------------------------


def make_updates(
    count: int,
    *,
    run: int,
    seed: int,
    every_phrase: bool = False,
    only: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """``count`` private text messages, each from its own worker, ids unique to ``run``
    (with ``every_phrase``, one for each phrase instead); ``only``: just these phrases."""
    rng = random.Random(seed * 1000 + run)
    texts = [
        (lang, text)
        for lang, phrases in PHRASES.items()
        for text in phrases
        if not only or text in only
    ]
    if not texts:
        raise ValueError(f"none of {only!r} is in PHRASES")
    if every_phrase:
        count = len(texts)
    updates = []
    for index in range(count):
        user_id = FIRST_USER + run * RUN_SPAN + index
        if every_phrase:
            lang, text = texts[index]
        elif only:
            lang, text = rng.choice(texts)
        else:
            lang = "zh" if rng.random() < 0.8 else "en"
            text = rng.choice(PHRASES[lang])
        updates.append(
            {
                "update_id": FIRST_UPDATE + run * RUN_SPAN + index,
                "message": {
                    "message_id": index + 1,
                    "date": int(time.time()),
                    "chat": {"id": user_id, "type": "private", "first_name": "工友"},
                    "from": {
                        "id": user_id,
                        "is_bot": False,
                        "first_name": "工友",
                        "language_code": "zh-hans" if lang == "zh" else "en",
                    },
                    "text": text,
                },
            }
        )
    return updates


def chat_of(update: dict[str, Any]) -> int:
    """The chat an update's replies go to."""
    return int(update["message"]["chat"]["id"])


async def reference_counts(updates: Sequence[dict[str, Any]], workdir: Path) -> dict[int, int]:
    """How many replies each update gets from the same application, undisturbed, in process."""
    from telegram import Update

    from bot.app import build_application
    from bot.config import Settings
    from bot.db import Database
    from bot.localapi import LocalBotApi

    path = workdir / "reference.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    settings = Settings(
        bot_token=TOKEN,
        database_url=url,
        outbound_rate_limit=False,
        quiet_hours="off",
        _env_file=None,
    )
    db = Database(url)
    await db.upgrade()
    api = LocalBotApi()
    app = build_application(settings, db=db, request=api, job_queue=False)
    await app.initialize()
    try:
        for payload in updates:
            await app.process_update(Update.de_json(payload, app.bot))
    finally:
        await app.shutdown()
        await db.dispose()
    for name in ("", "-wal", "-shm"):
        await asyncio.to_thread(Path(f"{path}{name}").unlink, missing_ok=True)
    counts: Counter[int] = Counter()
    for call in api.calls:
        if call.method in REPLY_METHODS and "chat_id" in call.params:
            counts[int(call.params["chat_id"])] += 1
    return {chat_of(u): counts[chat_of(u)] for u in updates}


def apologies() -> frozenset[str]:
    """The texts of the apology the bot sends when an update fails (every language)."""
    from bot.i18n import t

    return frozenset(t(lang, "error-generic") for lang in ("zh", "en"))


# --- the database ------------------------------------------------------------------------------


async def prepare_database(url: str) -> None:
    """Migrate the database and empty every table."""
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import bot.models  # noqa: F401  (puts the tables on SQLModel.metadata)
    from bot.db import Database

    db = Database(url)
    try:
        await db.upgrade()
        tables = SQLModel.metadata.sorted_tables
        async with db.engine.begin() as conn:
            if db.is_sqlite:
                for table in reversed(tables):
                    await conn.execute(table.delete())
            else:
                names = ", ".join(table.name for table in tables)
                await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await db.dispose()


async def inbox_rows(url: str, ids: Sequence[int]) -> dict[int, tuple[str, int]]:
    """State and tries of each of these updates in the inbox."""
    from sqlalchemy import select

    from bot.core.inbox import INBOX
    from bot.db import Database

    def read(conn: Any) -> dict[int, tuple[str, int]]:
        rows = conn.execute(
            select(INBOX.c.update_id, INBOX.c.state, INBOX.c.attempts).where(
                INBOX.c.update_id.in_(list(ids))
            )
        )
        return {int(r.update_id): (str(r.state), int(r.attempts)) for r in rows}

    db = Database(url)
    try:
        return await db.transact(read)
    finally:
        await db.dispose()


class DatabaseProxy:
    """A TCP proxy between the bot and PostgreSQL that can drop the database for a while."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.listen_port = 0
        self.down = False
        self.refused = 0
        self.cut_connections = 0
        self._links: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.listen_port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Close every connection and stop listening."""
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def cut(self) -> None:
        """Close every open connection and refuse new ones until ``restore``."""
        self.down = True
        for client, upstream in list(self._links):
            self.cut_connections += 1
            for writer in (client, upstream):
                writer.transport.abort()
        self._links.clear()

    def restore(self) -> None:
        """Accept connections again."""
        self.down = False

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.port)
        except OSError:
            writer.transport.abort()
            return
        link = (writer, up_writer)
        self._links.add(link)
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            self._links.discard(link)
            for end in link:
                end.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()


def hold_sqlite_lock(
    path: Path, seconds: float, taken: list[float], clock: Callable[[], float]
) -> None:
    """Hold ``BEGIN EXCLUSIVE`` on the SQLite file for ``seconds`` (run in a thread)."""
    conn = sqlite3.connect(path, timeout=60, isolation_level=None)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        taken.append(clock())
        time.sleep(seconds)
        conn.execute("COMMIT")
        taken.append(clock())
    finally:
        conn.close()


# --- the bot process and the webhook poster ------------------------------------------------------


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BotProcess:
    """The bot as a child process (``gongyou run`` through the runner), its log in a file."""

    def __init__(self, env: dict[str, str], log_path: Path, cwd: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.cwd = cwd
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        #: When each start of the bot (1, 2, ...) was killed.
        self.killed: dict[int, float] = {}

    @property
    def alive(self) -> bool:
        """The process runs."""
        return self.process is not None and self.process.returncode is None

    async def start(self) -> None:
        """Start the bot."""
        self.starts += 1
        # each start calls with its own token, so that a reply tells which start sent it
        env = {**self.env, "GONGYOU_BOT_TOKEN": f"{self.env['GONGYOU_BOT_TOKEN']}-{self.starts}"}
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *RUNNER, env=env, cwd=self.cwd, stdout=log, stderr=log
            )

    def kill_now(self, at: float) -> bool:
        """SIGKILL at once (no shutdown code runs); False if the process was not running."""
        if not self.alive or self.process is None:
            return False
        self.process.send_signal(signal.SIGKILL)
        self.killed[self.starts] = at
        return True

    async def kill(self, at: float) -> None:
        """SIGKILL, and wait until the process is gone."""
        if self.kill_now(at) and self.process is not None:
            await self.process.wait()

    async def stop(self) -> None:
        """Ask the bot to stop, as a service manager would."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.send_signal(signal.SIGKILL)
                await self.process.wait()


@dataclass
class Poster:
    """Posts updates to the bot's webhook as Telegram does: again until it is answered 200."""

    url: str
    clock: Callable[[], float]
    retry_every: float = 0.25
    posts: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    #: Longest wait for one 200 answer, and longest from the first try to the 200 (seconds).
    slowest_answer: float = 0.0
    slowest_delivery: float = 0.0
    _session: aiohttp.ClientSession | None = None

    async def post(self, update: dict[str, Any]) -> None:
        """Post the update until the bot answers 200."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        first = self.clock()
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        while True:
            self.posts += 1
            began = self.clock()
            try:
                async with self._session.post(self.url, json=update, headers=headers) as answer:
                    status = answer.status
            except (aiohttp.ClientError, TimeoutError, OSError) as error:
                self.refused[type(error).__name__] += 1
            else:
                if status == 200:
                    now = self.clock()
                    self.slowest_answer = max(self.slowest_answer, now - began)
                    self.slowest_delivery = max(self.slowest_delivery, now - first)
                    return
                self.refused[f"HTTP {status}"] += 1
            await asyncio.sleep(self.retry_every)

    async def healthy(self, base: str) -> bool:
        """The bot's /healthz answers."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        try:
            async with self._session.get(base + "/healthz") as answer:
                return answer.status == 200
        except (aiohttp.ClientError, TimeoutError, OSError):
            return False

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()


# --- one run ---------------------------------------------------------------------------------


@dataclass
class RunConfig:
    """What one run does."""

    name: str
    mode: str
    updates: int
    interval: float
    #: Random SIGKILLs while the updates arrive.
    kills: int = 0
    #: SIGKILLs at the moment a reply arrives at the server (before it is answered).
    kills_on_reply: int = 0
    #: One update per phrase, each sent alone, the bot killed as its reply arrives.
    probe: bool = False
    #: The reply that triggers a kill is dropped: the kill fell just before it left.
    drop_reply: bool = False
    #: Only these phrases (default: all of ``PHRASES``).
    only: tuple[str, ...] = ()
    #: Longest random wait between the bot being up and the next kill (seconds).
    kill_gap: float = 3.0
    #: Share of the random kills that fall during start-up instead.
    startup_kills: float = 0.2
    outage_s: float = 0.0
    #: When the outage begins, after the first update (seconds).
    outage_at: float = 5.0
    lease_s: float = 1.0
    seed: int = 1
    run: int = 0
    drain_within: float = 120.0
    #: Extra wait once everything is answered and the inbox is empty (late doubles).
    settle: float = 1.0
    database_url: str | None = None


@dataclass
class Outcome:
    """What happened in one run."""

    config: RunConfig
    updates: list[dict[str, Any]]
    expected: dict[int, int]
    sent: list[Sent]
    #: When each start of the bot (1, 2, ...) was killed.
    killed: dict[int, float]
    starts: int
    inbox: dict[int, tuple[str, int]]
    drained: bool
    drain_s: float
    stream_s: float
    outage: tuple[float, float] | None = None
    webhook: dict[str, Any] = field(default_factory=dict)
    proxy: dict[str, int] = field(default_factory=dict)
    #: Kills on a reply: the update's inbox row as it was when its reply reached Telegram.
    probes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def kills(self) -> list[float]:
        """The kill times, in order."""
        return list(self.killed.values())

    def figures(self) -> dict[str, Any]:
        """The counts, and each doubled, short or lost update explained."""
        sorry = apologies()
        replies: dict[int, list[Sent]] = defaultdict(list)
        for sent in self.sent:
            replies[sent.chat_id].append(sent)
        counts: Counter[str] = Counter()
        details: list[str] = []
        doubled_ids: list[int] = []
        for update in self.updates:
            chat, update_id = chat_of(update), int(update["update_id"])
            answers = [s for s in replies[chat] if s.text not in sorry]
            counts["apologies"] += len(replies[chat]) - len(answers)
            want = self.expected[chat]
            counts["answered" if answers else "lost"] += 1
            if len(answers) > want:
                counts["doubled"] += 1
                counts["extra_replies"] += len(answers) - want
                doubled_ids.append(update_id)
            elif 0 < len(answers) < want:
                counts["short"] += 1
            if not answers or len(answers) != want:
                details.append(self._explain(update, replies[chat], answers, want))
        states = Counter(state for state, _tries in self.inbox.values())
        states["missing"] = len(self.updates) - len(self.inbox)
        figures: dict[str, Any] = {
            "run": self.config.name,
            "mode": self.config.mode,
            "sent": len(self.updates),
            "answered": counts["answered"],
            "lost": counts["lost"],
            "doubled": counts["doubled"],
            "extra_replies": counts["extra_replies"],
            "short": counts["short"],
            "apologies": counts["apologies"],
            "kills": len(self.kills),
            "restarts": self.starts - 1,
            "lease_s": self.config.lease_s,
            "kill_times_s": [round(k, 2) for k in self.kills],
            "inbox": {k: v for k, v in sorted(states.items()) if v},
            "tried_twice_or_more": sum(1 for _s, tries in self.inbox.values() if tries > 1),
            "drained": self.drained,
            "stream_s": round(self.stream_s, 1),
            "drain_s": round(self.drain_s, 1),
            "reference_replies": sum(self.expected.values()),
            "doubled_updates": doubled_ids,
            "details": details,
        }
        if self.outage is not None:
            figures["outage_s"] = [round(self.outage[0], 2), round(self.outage[1], 2)]
        if self.webhook:
            figures["webhook"] = self.webhook
        if self.proxy:
            figures["proxy"] = self.proxy
        if self.probes:
            figures["killed_on_reply"] = self.probes
        return figures

    def doubles_without_kill(self) -> list[int]:
        """Doubled updates that one start of the bot answered more often than the reference
        did: a double a kill did not cause."""
        sorry = apologies()
        found = []
        for update in self.updates:
            chat = chat_of(update)
            by_process = Counter(
                s.process for s in self.sent if s.chat_id == chat and s.text not in sorry
            )
            if any(count > self.expected[chat] for count in by_process.values()):
                found.append(int(update["update_id"]))
        return found

    def _explain(
        self, update: dict[str, Any], everything: list[Sent], answers: list[Sent], want: int
    ) -> str:
        update_id = int(update["update_id"])
        state, tries = self.inbox.get(update_id, ("not stored", 0))
        text = update["message"]["text"]
        times = ", ".join(f"{s.at:.2f}" for s in answers) or "none"
        line = (
            f"update {update_id} ({text!r}): {len(answers)} "
            f"repl{'y' if len(answers) == 1 else 'ies'}"
            f" (reference {want}) at {times} s; {len(everything) - len(answers)} apolog"
            f"{'y' if len(everything) - len(answers) == 1 else 'ies'}; inbox: {state}, "
            f"{tries} tr{'y' if tries == 1 else 'ies'}"
        )
        if len(answers) > 1:
            first, last = answers[0], answers[-1]
            killed = self.killed.get(first.process)
            if first.process != last.process and killed is not None:
                line += (
                    f"; start {first.process} answered, was killed at {killed:.2f} s "
                    f"({killed - first.at:+.3f} s from its reply reaching Telegram) and start "
                    f"{last.process} answered again {last.at - killed:.2f} s after that kill"
                )
            elif self.outage is not None:
                begin, end = self.outage
                line += f"; no kill between the replies (database down {begin:.2f}-{end:.2f} s)"
            else:
                line += "; no kill between the replies"
        return line


async def run_once(
    config: RunConfig, workdir: Path, *, say: Callable[[str], None] = print
) -> Outcome:
    """Start the server and the bot, feed the updates through kills or an outage, drain."""
    from sqlalchemy.engine import make_url

    updates = make_updates(
        config.updates,
        run=config.run,
        seed=config.seed,
        every_phrase=config.probe,
        only=config.only,
    )
    expected = await reference_counts(updates, workdir)
    url = config.database_url or f"sqlite+aiosqlite:///{workdir / (config.name + '.sqlite3')}"
    await prepare_database(url)
    is_sqlite = url.startswith("sqlite")
    rng = random.Random(config.seed * 7919 + config.run)
    began = time.monotonic()

    def clock() -> float:
        return time.monotonic() - began

    proxy: DatabaseProxy | None = None
    bot_url = url
    if config.outage_s and not is_sqlite:
        parsed = make_url(url)
        proxy = DatabaseProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
        await proxy.start()
        bot_url = parsed.set(host="127.0.0.1", port=proxy.listen_port).render_as_string(
            hide_password=False
        )
    server = FakeTelegram(TOKEN, clock)
    await server.start()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    env.update(
        {
            "GONGYOU_BOT_TOKEN": TOKEN,
            # the token changes at each start (see BotProcess.start); the pseudonyms do not
            "GONGYOU_AUDIT_KEY": "bench-crash",
            "GONGYOU_API_BASE_URL": server.base_url,
            "GONGYOU_API_FILE_URL": f"http://127.0.0.1:{server.port}/file/bot",
            "GONGYOU_DATABASE_URL": bot_url,
            "GONGYOU_MODE": config.mode,
            "GONGYOU_POLL_TIMEOUT": "10",
            "GONGYOU_WEBHOOK_URL": "https://bot.example.org",
            "GONGYOU_WEBHOOK_PATH": WEBHOOK_PATH,
            "GONGYOU_WEBHOOK_SECRET": SECRET,
            "GONGYOU_WEBHOOK_LISTEN": "127.0.0.1",
            "GONGYOU_WEBHOOK_PORT": str(port),
            "GONGYOU_QUIET_HOURS": "off",
            "GONGYOU_INBOX_LEASE_S": f"{config.lease_s:g}",
            "NO_PROXY": "127.0.0.1,localhost",
            "PYTHONPATH": str(ROOT),
        }
    )
    for name in ("GONGYOU_REDIS_URL", "GONGYOU_ADMIN_IDS"):
        env.pop(name, None)
    bot = BotProcess(env, workdir / f"{config.name}.log", workdir)
    poster = Poster(f"http://127.0.0.1:{port}{WEBHOOK_PATH}", clock)
    chats = {chat_of(u) for u in updates}
    sorry = apologies()
    armed = [0]
    #: With a probe, only the reply to this chat's update kills the bot.
    target: list[int | None] = [None]
    update_of = {chat_of(u): u for u in updates}
    caught: list[Sent] = []
    probes: list[dict[str, Any]] = []

    def on_sent(sent: Sent) -> bool:
        aimed = sent.chat_id == target[0] if target[0] is not None else sent.chat_id in chats
        if armed[0] and aimed and sent.text not in sorry and bot.alive:
            armed[0] -= 1
            bot.kill_now(sent.at)
            caught.append(sent)
            return config.drop_reply
        return False

    server.on_sent = on_sent

    async def wait_ready() -> None:
        polls = server.polls
        deadline = clock() + START_WITHIN
        while clock() < deadline and bot.alive:
            if config.mode == "polling" and server.polls > polls:
                return
            if config.mode == "webhook" and await poster.healthy(f"http://127.0.0.1:{port}"):
                return
            await asyncio.sleep(0.05)

    stream_began = [0.0]
    stream_ended = [0.0]

    async def feed() -> None:
        posts = []
        stream_began[0] = clock()
        for index, update in enumerate(updates):
            await asyncio.sleep(max(0.0, stream_began[0] + index * config.interval - clock()))
            if config.mode == "polling":
                server.enqueue(update)
            else:
                posts.append(asyncio.create_task(poster.post(update)))
        await asyncio.gather(*posts)
        stream_ended[0] = clock()

    async def kill_at_random() -> None:
        for _ in range(config.kills):
            if rng.random() < config.startup_kills:
                await asyncio.sleep(rng.uniform(0.2, 1.5))
            else:
                await wait_ready()
                await asyncio.sleep(rng.uniform(0.05, config.kill_gap))
            await bot.kill(clock())
            await bot.start()

    def deliver(update: dict[str, Any]) -> asyncio.Task[None] | None:
        if config.mode == "polling":
            server.enqueue(update)
            return None
        return asyncio.create_task(poster.post(update))

    async def kill_on_reply() -> None:
        posts = []
        rounds = len(updates) if config.probe else config.kills_on_reply
        for index in range(rounds):
            await wait_ready()
            armed[0] = 1
            if config.probe:
                if not index:
                    stream_began[0] = clock()
                target[0] = chat_of(updates[index])
                posts.append(deliver(updates[index]))
            assert bot.process is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(bot.process.wait()), 15)
            armed[0] = 0
            target[0] = None
            if bot.alive:
                continue  # no reply came
            if caught:
                # the process is gone: the inbox row is as it was when the reply arrived
                reply = caught.pop()
                update = update_of[reply.chat_id]
                update_id = int(update["update_id"])
                state, tries = (await inbox_rows(url, [update_id])).get(update_id, ("none", 0))
                probes.append(
                    {
                        "update": update_id,
                        "text": update["message"]["text"],
                        "at": round(reply.at, 3),
                        "inbox_when_replied": state,
                        "reply_delivered": not config.drop_reply,
                        "tries": tries,
                    }
                )
            await bot.start()
        await asyncio.gather(*(post for post in posts if post is not None))
        if config.probe:
            stream_ended[0] = clock()

    outage: tuple[float, float] | None = None

    async def take_database_away() -> tuple[float, float]:
        await wait_ready()
        await asyncio.sleep(max(0.0, stream_began[0] + config.outage_at - clock()))
        if proxy is not None:
            proxy.cut()
            begin = clock()
            await asyncio.sleep(config.outage_s)
            proxy.restore()
            return begin, clock()
        path = Path(make_url(url).database or "")
        taken: list[float] = []
        await asyncio.to_thread(hold_sqlite_lock, path, config.outage_s, taken, clock)
        return taken[0], taken[1]

    await bot.start()
    drained = False
    drain_began = 0.0
    try:
        await wait_ready()
        say(f"  {config.name}: bot up after {clock():.1f} s; feeding {len(updates)} updates")
        feeder = asyncio.create_task(asyncio.sleep(0) if config.probe else feed())
        if config.kills:
            await kill_at_random()
        if config.kills_on_reply or config.probe:
            await kill_on_reply()
        if config.outage_s:
            outage = await take_database_away()
        await feeder
        await wait_ready()
        drain_began = clock()
        monitor_url = url
        deadline = drain_began + config.drain_within
        ids = [int(u["update_id"]) for u in updates]
        settled_since: float | None = None
        while clock() < deadline:
            rows = await inbox_rows(monitor_url, ids)
            settled = len(rows) == len(ids) and all(
                state in ("done", "parked") for state, _ in rows.values()
            )
            settled_since = (settled_since or clock()) if settled else None
            answered = Counter(s.chat_id for s in server.sent if s.text not in sorry)
            everyone = all(answered[chat] >= expected[chat] for chat in chats)
            # every update settled, and answered or given up on (an update marked done
            # whose reply never left is never answered)
            if settled_since is not None and (everyone or clock() - settled_since >= 3.0):
                drained = True
                break
            await asyncio.sleep(0.5)
        drain_s = clock() - drain_began
        await asyncio.sleep(config.settle)
    finally:
        await bot.stop()
        await server.stop()
        await poster.close()
        if proxy is not None:
            await proxy.stop()
    rows = await inbox_rows(url, [int(u["update_id"]) for u in updates])
    webhook: dict[str, Any] = {}
    if config.mode == "webhook":
        webhook = {
            "posts": poster.posts,
            "not_200": dict(poster.refused),
            "slowest_200_s": round(poster.slowest_answer, 2),
            "slowest_delivery_s": round(poster.slowest_delivery, 2),
        }
    return Outcome(
        config=config,
        updates=updates,
        expected=expected,
        sent=list(server.sent),
        killed=dict(bot.killed),
        starts=bot.starts,
        inbox=rows,
        drained=drained,
        drain_s=drain_s,
        stream_s=stream_ended[0] - stream_began[0],
        outage=outage,
        webhook=webhook,
        probes=probes,
        proxy=(
            {"cut_connections": proxy.cut_connections, "refused_connections": proxy.refused}
            if proxy is not None
            else {}
        ),
    )


# --- the report -------------------------------------------------------------------------------


def report(figures: dict[str, Any], *, details: int = 12) -> None:
    """Print one run's counts and explanations."""
    print(
        f"\n{figures['run']} ({figures['mode']}): sent {figures['sent']}, answered "
        f"{figures['answered']}, lost {figures['lost']}, doubled {figures['doubled']} "
        f"({figures['extra_replies']} extra replies), short {figures['short']}, apologies "
        f"{figures['apologies']}, kills {figures['kills']}, restarts {figures['restarts']} "
        f"(lease {figures['lease_s']:g} s)"
    )
    inbox = ", ".join(f"{k} {v}" for k, v in figures["inbox"].items())
    print(
        f"  inbox at the end: {inbox}; tried twice or more: {figures['tried_twice_or_more']}; "
        f"drained: {'yes' if figures['drained'] else 'NO'} (updates arrived over "
        f"{figures['stream_s']} s; drained {figures['drain_s']} s after the last kill, outage "
        f"and delivery)"
    )
    if figures["kill_times_s"]:
        print("  killed at (s): " + " ".join(f"{k:g}" for k in figures["kill_times_s"]))
    if "outage_s" in figures:
        begin, end = figures["outage_s"]
        print(f"  database unavailable {begin:g}-{end:g} s")
    if "webhook" in figures:
        hook = figures["webhook"]
        refused = ", ".join(f"{k} {v}" for k, v in hook["not_200"].items()) or "none"
        print(
            f"  webhook: {hook['posts']} posts; not answered 200: {refused}; slowest 200 "
            f"{hook['slowest_200_s']} s; longest from first post to 200 "
            f"{hook['slowest_delivery_s']} s"
        )
    if "proxy" in figures:
        proxy = figures["proxy"]
        print(
            f"  proxy: {proxy['cut_connections']} connections cut, "
            f"{proxy['refused_connections']} refused"
        )
    for probe in figures.get("killed_on_reply", []):
        state, delivered = probe["inbox_when_replied"], probe["reply_delivered"]
        meaning = {
            ("new", True): "still leased: taken again after the lease and answered twice",
            ("done", True): "already marked done: a kill just before the send loses the reply",
            ("new", False): "still leased: taken again after the lease and answered",
            ("done", False): "already marked done: never answered, LOST",
        }.get((state, delivered), "")
        moment = "as the reply" if delivered else "just before the reply (dropped)"
        print(
            f"  killed {moment} to update {probe['update']} ({probe['text']!r}) at "
            f"{probe['at']:g} s; its inbox row then: {state}, {probe['tries']} tr"
            f"{'y' if probe['tries'] == 1 else 'ies'} ({meaning})"
        )
    for line in figures["details"][:details]:
        print("  " + line)
    if len(figures["details"]) > details:
        print(f"  ... and {len(figures['details']) - details} more")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--updates", type=int, default=300, help="updates per SIGKILL run (300)")
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs per run (20)")
    parser.add_argument(
        "--interval", type=float, default=0.25, help="seconds between updates (0.25)"
    )
    parser.add_argument(
        "--kill-gap", type=float, default=3.0, help="longest wait before a kill, s (3)"
    )
    parser.add_argument(
        "--outage-updates", type=int, default=100, help="updates per outage run (100)"
    )
    parser.add_argument("--outage-s", type=float, default=10.0, help="outage length, s (10)")
    parser.add_argument(
        "--outage-interval",
        type=float,
        default=0.2,
        help="seconds between updates in the outage runs (0.2)",
    )
    parser.add_argument(
        "--lease-s",
        type=float,
        default=1.0,
        help="inbox lease (GONGYOU_INBOX_LEASE_S) in the SIGKILL runs, s (1)",
    )
    parser.add_argument(
        "--outage-lease-s",
        type=float,
        default=20.0,
        help="inbox lease (GONGYOU_INBOX_LEASE_S) in the outage runs, s (20)",
    )
    parser.add_argument(
        "--runs",
        default="kill,reply-kill,outage",
        help="which runs: kill, reply-kill (each phrase alone, the bot killed as its reply "
        "arrives, then just before: first mode only), outage",
    )
    parser.add_argument("--modes", default="polling,webhook", help="polling,webhook")
    parser.add_argument("--seed", type=int, default=1, help="seed of texts and kill moments (1)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL database to use (migrated and emptied before each run); default: a "
        "new SQLite file per run in a temporary directory",
    )
    parser.add_argument("--keep", default=None, help="keep the databases and bot logs here")
    parser.add_argument(
        "--json", action="store_true", help="print the figures as one JSON object, last"
    )
    args = parser.parse_args(argv)
    args.runs = [r.strip() for r in args.runs.split(",") if r.strip()]
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not set(args.runs) <= {"kill", "reply-kill", "outage"}:
        parser.error("--runs takes kill, reply-kill and outage")
    if not set(args.modes) <= {"polling", "webhook"}:
        parser.error("--modes takes polling and webhook")
    if args.updates < 1 or args.kills < 0 or args.interval <= 0 or args.outage_interval <= 0:
        parser.error("--updates >= 1, --kills >= 0, --interval > 0, --outage-interval > 0")
    if args.lease_s <= 0 or args.outage_lease_s <= 0 or args.outage_s < 0:
        parser.error("--lease-s > 0, --outage-lease-s > 0, --outage-s >= 0")
    return args


def configs(args: argparse.Namespace) -> list[RunConfig]:
    """The runs the command line asks for, in order."""
    url = None
    if args.database_url:
        from bot.config import Settings

        url = Settings(database_url=args.database_url, _env_file=None).database_url
    found: list[RunConfig] = []
    run = itertools.count(1)
    common: dict[str, Any] = {"seed": args.seed, "database_url": url}
    if "kill" in args.runs:
        for mode in args.modes:
            found.append(
                RunConfig(
                    name=f"sigkill-{mode}",
                    mode=mode,
                    updates=args.updates,
                    interval=args.interval,
                    kills=args.kills,
                    kill_gap=args.kill_gap,
                    lease_s=args.lease_s,
                    run=next(run),
                    **common,
                )
            )
    if "reply-kill" in args.runs:
        for drop in (False, True):
            found.append(
                RunConfig(
                    name="kill-before-each-reply" if drop else "kill-on-each-reply",
                    mode=args.modes[0],
                    updates=0,
                    interval=0.1,
                    probe=True,
                    drop_reply=drop,
                    lease_s=args.lease_s,
                    run=next(run),
                    **common,
                )
            )
    if "outage" in args.runs:
        for mode in reversed(args.modes):
            found.append(
                RunConfig(
                    name=f"outage-{mode}",
                    mode=mode,
                    updates=args.outage_updates,
                    interval=args.outage_interval,
                    outage_s=args.outage_s,
                    outage_at=5.0,
                    lease_s=args.outage_lease_s,
                    run=next(run),
                    **common,
                )
            )
    return found


async def main_async(args: argparse.Namespace, workdir: Path) -> None:
    """Run every configured run and print the report."""
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"gongyou crash benchmark: database {backend}; inbox lease (GONGYOU_INBOX_LEASE_S) "
        f"{args.lease_s:g} s for SIGKILL runs and {args.outage_lease_s:g} s for outage runs "
        f"(the default is 5 min)"
    )
    results = []
    for config in configs(args):
        outcome = await run_once(config, workdir)
        figures = outcome.figures()
        report(figures)
        results.append(figures)
    if args.json:
        print(json.dumps({"database": backend, "runs": results}, ensure_ascii=False))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; the figures are a report, so the exit code is 0 unless something crashes."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parse_args(argv)
    if args.keep:
        workdir = Path(args.keep)
        workdir.mkdir(parents=True, exist_ok=True)
        asyncio.run(main_async(args, workdir))
        return 0
    with tempfile.TemporaryDirectory(prefix="gongyou-crash-") as tmp:
        asyncio.run(main_async(args, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
