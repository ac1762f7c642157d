"""Throughput and latency of the whole update pipeline, next to a bare python-telegram-bot echo.

Run from the project root, with the project installed in the environment (``pip install -e .``)::

    python bench/pipeline.py [--updates N] [--users U] [--concurrency C]
                             [--database-url URL] [--profile] [--json]

Every run measures SQLite (a new file in a temporary directory); with ``--database-url`` it
measures PostgreSQL too, side by side (the database is migrated and emptied first; create it
with ``CREATE DATABASE gongyou_bench`` and pass e.g.
``--database-url postgresql+asyncpg://postgres@127.0.0.1/gongyou_bench``).

Two ways in, for each database and for the bare app alike:

* ``process_update``: the synthetic updates one after another straight into
  ``Application.process_update``, with an in-process Bot API (no HTTP);
* ``http polling``: end to end. A fake Bot API server on 127.0.0.1, in a process of its own as
  Telegram is, hands the updates out through ``getUpdates``; the app polls it as it polls
  Telegram and sends its replies over HTTP. ``C`` workers each send their next message when the
  previous one was handled (closed loop; the app tells the server's process each update it has
  finished), so ``C`` people are talking to the bot at once. The CPU counted is the app's.

Beside them, in the same run, the **stack floor** (:class:`FloorStore`): the libraries the bot is
built on (python-telegram-bot, SQLAlchemy's asyncio engine with aiosqlite or asyncpg) doing the
least an update asks of the database when nothing may be lost (store it, read or write the
sender, reply, mark it done: four statements in two transactions) and none of the bot's own
work. It is the ceiling those libraries set on this machine: a target above the floor cannot be
met by the bot's code, whatever it does.

The updates are worker messages in Chinese and English for every intent, gibberish, a few
commands and menu button presses. For each run the bench prints updates/s, latency percentiles,
CPU per update (all threads of the process), and for the full app the database statements and
transactions per update. ``--profile`` adds where the time of one ``process_update`` goes, by
part (database, Telegram objects and HTTP, understanding text, the bot's own code, event loop).
The figures are a report, not a test: the exit code is 0 unless something crashes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import itertools
import json
import logging
import math
import os
import pstats
import random
import string
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    event,
    insert,
    select,
    text,
)
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import SQLModel
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fake Bot API server

import bot.models  # noqa: F401,E402  (puts the tables on SQLModel.metadata)
from bot import metrics  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.jobs.core import load_min_wages  # noqa: E402
from bot.jobs.imports import SAMPLE_FILE, import_jobs  # noqa: E402
from bot.localapi import BOT_USER, LocalBotApi  # noqa: E402
from bot.polling import serve_polling  # noqa: E402
from bot.stations.imports import load_demo_stations  # noqa: E402
from tests.fake_botapi import FakeBotApi  # noqa: E402

TOKEN = "123:BENCH"
#: High enough that flood control never drops a benchmark update.
FLOOD_LIMIT = "1000 per 1 second"
WARMUP_UPDATES = 200
#: The city of the demo job list's rows that name none.
DEMO_CITY = "郑州市"

#: Targets for the full application on SQLite (through process_update)...
TARGET_UPDATES_PER_SECOND = 1000.0
TARGET_P99_MS = 25.0
TARGET_SHARE_OF_BARE = 0.5
#: ... and on PostgreSQL (end to end, CONCURRENCY people at once).
TARGET_PG_UPDATES_PER_SECOND = 500.0
TARGET_PG_P99_MS = 50.0
TARGET_PG_TRANSACTIONS = 2.0
CONCURRENCY = 8
#: The name of the stack floor's runs (:class:`FloorStore`).
FLOOR_NAME = "stack floor"
#: Longest an empty getUpdates is held open by the fake server (seconds).
LONG_POLL = 1
#: This file, run again as the fake Bot API's own process (:class:`RemoteBotApi`).
SCRIPT = str(Path(__file__).resolve())

#: First update id and first user id of the measured updates; the warm-up uses lower ranges.
MEASURED_UPDATE_ID = 1_000_000
MEASURED_USER_ID = 10_000_000
WARMUP_UPDATE_ID = 1
WARMUP_USER_ID = 9_000_000

#: What workers type, per intent and language (with the typos and shorthand they really use).
PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "jobs": {
        "zh": (
            "找工作",
            "有没有活干",
            "想找个日结的活",
            "附近有活吗",
            "找兼职",
            "今天有活吗",
            "年纪大了找工作",
            "宝妈能干的活",
            "哪里招工",
            "想找份工作 急",
            "有没有日结",
            "找个工做",
        ),
        "en": (
            "looking for a job",
            "any work today?",
            "need job urgent",
            "part time job",
            "who is hiring",
            "need jobb pls",
            "daily pay job",
            "help me find job",
        ),
    },
    "legal": {
        "zh": (
            "老板不给工资",
            "拖欠工资三个月了",
            "工伤怎么赔",
            "被开除了怎么办",
            "没签合同",
            "加班不给加班费",
            "老板跑路了",
            "社保没交",
            "怎么申请劳动仲裁",
            "工姿没发",
        ),
        "en": (
            "boss didnt pay me",
            "unpaid wages",
            "got fired no reason",
            "injured at work",
            "no contract",
            "overtime not paid",
            "salary not paid 2 months",
        ),
    },
    "match": {
        "zh": ("想找对象", "相亲报名", "找老婆", "我还单身", "给我介绍个对象", "香亲"),
        "en": ("find a partner", "im single", "blind date", "want get married"),
    },
    "station": {
        "zh": (
            "附近有驿站吗",
            "驿站在哪",
            "哪里能喝水",
            "哪里可以充电",
            "想找个地方休息",
            "厕所在哪",
            "哪里能热饭",
        ),
        "en": ("rest station near me", "where can i charge phone", "need water", "rest stop"),
    },
    "faq": {
        "zh": ("怎么入会", "会费多少", "工会热线", "你能干什么", "要钱吗", "找人工"),
        "en": ("how to join the union", "membership fee", "what can you do", "is it free"),
    },
    "smalltalk": {
        "zh": ("你好", "在吗", "谢谢", "再见", "好的", "哈哈哈", "早上好", "你是机器人吗"),
        "en": ("hello", "hi", "thanks", "bye", "ok", "good morning", "are you a bot"),
    },
}
SUFFIXES = ("", "", "", "?", "？", "!", "！", " 急", " pls", "。。", " 谢谢")
COMMANDS = ("/start", "/menu")
#: Share of each kind of update in the mix.
MIX: dict[str, float] = {
    "jobs": 18,
    "legal": 16,
    "match": 7,
    "station": 10,
    "faq": 9,
    "smalltalk": 12,
    "unknown": 14,
    "command": 6,
    "callback": 8,
}


#: Any python-telegram-bot application (the full one and the bare one).
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass
class Timing:
    """Latency of each update, and the wall and CPU time of the whole batch (seconds)."""

    latencies: list[float]
    wall: float
    cpu: float
    #: CPU time of the event loop's thread alone (the rest ran in database driver threads).
    loop_cpu: float = 0.0


@dataclass
class RunResult:
    """Timings of one application over one batch of updates."""

    name: str
    timing: Timing
    calls: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    unexpected: int = 0
    database: str = ""
    mode: str = "process_update"
    #: Statements and transactions the database saw during the batch (full app only).
    statements: int = 0
    transactions: int = 0

    @property
    def rate(self) -> float:
        """Updates per second over the whole batch."""
        timing = self.timing
        return len(timing.latencies) / timing.wall if timing.wall > 0 else 0.0

    @property
    def cpu_ms(self) -> float:
        """CPU time of the process (every thread) per update, in ms."""
        count = len(self.timing.latencies)
        return self.timing.cpu / count * 1000.0 if count else 0.0

    @property
    def loop_cpu_ms(self) -> float:
        """CPU time of the event loop's thread per update, in ms."""
        count = len(self.timing.latencies)
        return self.timing.loop_cpu / count * 1000.0 if count else 0.0

    def percentile_ms(self, share: float) -> float:
        """The latency (ms) under which ``share`` of the updates finished (nearest rank)."""
        ordered = sorted(self.timing.latencies)
        if not ordered:
            return 0.0
        rank = min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))
        return ordered[rank] * 1000.0

    def to_json(self) -> dict[str, Any]:
        """The figures of this run as plain values."""
        count = len(self.timing.latencies) or 1
        return {
            "app": self.name,
            "database": self.database,
            "mode": self.mode,
            "updates": len(self.timing.latencies),
            "updates_per_s": round(self.rate, 1),
            "p50_ms": round(self.percentile_ms(0.50), 2),
            "p95_ms": round(self.percentile_ms(0.95), 2),
            "p99_ms": round(self.percentile_ms(0.99), 2),
            "cpu_ms_per_update": round(self.cpu_ms, 3),
            "loop_thread_cpu_ms_per_update": round(self.loop_cpu_ms, 3),
            "statements_per_update": round(self.statements / count, 2),
            "transactions_per_update": round(self.transactions / count, 2),
            "send_message": self.calls["sendMessage"],
            "answer_callback_query": self.calls["answerCallbackQuery"],
            "errors": self.errors,
            "unknown_calls": self.unexpected,
        }


class PayloadFactory:
    """Makes Bot API update payloads (plain dicts, as Telegram posts them)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.message_ids = itertools.count(1)
        self.languages: dict[int, str] = {}

    def language(self, user_id: int) -> str:
        """The Telegram language code of a user (about 80 % Chinese), fixed per user."""
        if user_id not in self.languages:
            self.languages[user_id] = "zh-hans" if self.rng.random() < 0.8 else "en"
        return self.languages[user_id]

    def _user(self, user_id: int) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": "工友",
            "language_code": self.language(user_id),
        }

    def message(self, update_id: int, user_id: int, body: str) -> dict[str, Any]:
        """A private text message (commands carry their bot_command entity)."""
        msg: dict[str, Any] = {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "工友"},
            "from": self._user(user_id),
            "text": body,
        }
        if body.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(body)}]
        return {"update_id": update_id, "message": msg}

    def callback(self, update_id: int, user_id: int, data: str) -> dict[str, Any]:
        """A press of an inline button under one of the bot's messages."""
        return {
            "update_id": update_id,
            "callback_query": {
                "id": str(next(self.message_ids)),
                "from": self._user(user_id),
                "chat_instance": f"ci{user_id}",
                "data": data,
                "message": {
                    "message_id": next(self.message_ids),
                    "date": int(time.time()),
                    "chat": {"id": user_id, "type": "private", "first_name": "工友"},
                    "from": BOT_USER,
                    "text": "menu",
                },
            },
        }

    def gibberish(self) -> str:
        """Text that matches no intent: keyboard mashing, Latin or CJK."""
        if self.rng.random() < 0.5:
            words = (
                "".join(self.rng.choices(string.ascii_lowercase, k=self.rng.randint(3, 9)))
                for _ in range(self.rng.randint(1, 4))
            )
            return " ".join(words)
        return "".join(
            chr(self.rng.randint(0x4E00, 0x9FA5)) for _ in range(self.rng.randint(2, 8))
        )

    def text_for(self, kind: str, user_id: int) -> str:
        """A message of ``kind`` in the user's language (now and then in the other one)."""
        if kind == "unknown":
            return self.gibberish()
        if kind == "command":
            return self.rng.choice(COMMANDS)
        lang = "zh" if self.language(user_id).startswith("zh") else "en"
        if self.rng.random() < 0.1:
            lang = "en" if lang == "zh" else "zh"
        return self.rng.choice(PHRASES[kind][lang]) + self.rng.choice(SUFFIXES)

    def batch(
        self, count: int, users: int, *, first_update: int, first_user: int
    ) -> list[dict[str, Any]]:
        """``count`` updates of the mixed kinds, spread over ``users`` users."""
        kinds = list(MIX)
        weights = [MIX[k] for k in kinds]
        payloads = []
        for offset in range(count):
            update_id = first_update + offset
            # Every user shows up early on (first contact), then at random.
            user_id = first_user + (offset if offset < users else self.rng.randrange(users))
            kind = self.rng.choices(kinds, weights)[0]
            if kind == "callback":
                payloads.append(self.callback(update_id, user_id, "m:jobs"))
            else:
                payloads.append(self.message(update_id, user_id, self.text_for(kind, user_id)))
        return payloads


async def feed(
    process: Callable[[Update], Awaitable[None]], bot: Any, payloads: Sequence[dict[str, Any]]
) -> Timing:
    """Process every payload in order, timing each one."""
    latencies: list[float] = []
    clock = time.perf_counter
    cpu_began, loop_began = time.process_time(), time.thread_time()
    began = clock()
    for payload in payloads:
        started = clock()
        await process(Update.de_json(payload, bot))
        latencies.append(clock() - started)
    wall = clock() - began
    return Timing(
        latencies, wall, time.process_time() - cpu_began, time.thread_time() - loop_began
    )


def error_count() -> int:
    """Handler errors the full application has counted so far (all kinds)."""
    total = 0.0
    for family in metrics.ERRORS.collect():
        for sample in family.samples:
            if sample.name.endswith("_total"):
                total += sample.value
    return int(total)


async def prepare_database(url: str, *, fresh: bool) -> Database:
    """Migrate the database, empty its tables unless it was just created, and load the demo
    data the quick start has (post stations, the sample job list), so searches find things."""
    db = Database(url)
    await db.upgrade()
    if not fresh:
        tables = SQLModel.metadata.sorted_tables
        async with db.engine.begin() as conn:
            if db.is_sqlite:
                for table in reversed(tables):
                    await conn.execute(table.delete())
            else:
                names = ", ".join(table.name for table in tables)
                await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    settings = Settings(_env_file=None)
    await load_demo_stations(db)
    await import_jobs(
        db,
        SAMPLE_FILE.read_bytes(),
        filename=SAMPLE_FILE.name,
        dry_run=False,
        actor_id=None,
        default_city=DEMO_CITY,
        min_wages=load_min_wages(settings.min_wage_file),
    )
    return db


class DatabaseCounter:
    """Counts the statements the app's engines run, and (PostgreSQL) its transactions."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.statements = 0
        self._engines = db.engines
        self._xacts = 0

    def _count(self, *_args: Any) -> None:
        self.statements += 1

    async def _pg_transactions(self) -> int:
        async with self.db.engine.connect() as conn:
            value = await conn.scalar(
                text(
                    "SELECT xact_commit + xact_rollback FROM pg_stat_database "
                    "WHERE datname = current_database()"
                )
            )
            await conn.execute(text("SELECT pg_stat_clear_snapshot()"))
        return int(value or 0)

    async def start(self) -> None:
        """Start counting."""
        self.statements = 0
        if not self.db.is_sqlite:
            self._xacts = await self._pg_transactions()
        for engine in self._engines:
            event.listen(engine, "before_cursor_execute", self._count)

    async def stop(self) -> tuple[int, int]:
        """Stop counting; return (statements, transactions). PostgreSQL's statistics lag
        up to half a second, so this waits for them; SQLite reports no transactions."""
        for engine in self._engines:
            event.remove(engine, "before_cursor_execute", self._count)
        if self.db.is_sqlite:
            return self.statements, 0
        await asyncio.sleep(0.7)
        # the query that reads the statistics is a transaction of its own: not counted
        return self.statements, await self._pg_transactions() - self._xacts - 1


def full_settings(url: str, **extra: Any) -> Settings:
    """Settings of the full app in every run."""
    return Settings(
        bot_token=TOKEN,
        database_url=url,
        outbound_rate_limit=False,
        flood_limit=FLOOD_LIMIT,
        _env_file=None,
        **extra,
    )


async def run_full(
    db: Database,
    url: str,
    warmup: Sequence[dict[str, Any]],
    payloads: Sequence[dict[str, Any]],
    *,
    profile: cProfile.Profile | None = None,
) -> RunResult:
    """The gongyou application through process_update: inbox, users, flood control, router."""
    api = LocalBotApi()
    app = build_application(full_settings(url), db=db, request=api, job_queue=False)
    await app.initialize()
    counter = DatabaseCounter(db)
    try:
        await feed(app.process_update, app.bot, warmup)
        api.clear()
        api.unexpected.clear()
        errors_before = error_count()
        gc.collect()
        await counter.start()
        if profile is not None:
            profile.enable()
        timing = await feed(app.process_update, app.bot, payloads)
        if profile is not None:
            profile.disable()
        statements, transactions = await counter.stop()
        errors = error_count() - errors_before
    finally:
        await app.shutdown()
    calls = Counter(call.method for call in api.calls)
    return RunResult(
        "gongyou",
        timing,
        calls,
        errors,
        len(api.unexpected),
        database=db.url.get_backend_name(),
        statements=statements,
        transactions=transactions,
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say the text back."""
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a button press."""
    if update.callback_query is not None:
        await update.callback_query.answer()


def bare_app(builder: Any) -> AnyApplication:
    """A bare python-telegram-bot application: one echo handler, one callback answerer."""
    app: AnyApplication = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(answer))
    return app


#: Builds a plain python-telegram-bot app (the bare one, the stack floor) from a builder.
MakeApp = Callable[[Any], AnyApplication]


async def run_plain(
    make: MakeApp, warmup: Sequence[dict[str, Any]], payloads: Sequence[dict[str, Any]]
) -> tuple[Timing, Counter[str], int]:
    """A plain app through process_update: its timing, Bot API calls and unknown calls."""
    api = LocalBotApi()
    app = make(ApplicationBuilder().token(TOKEN).request(api).updater(None).job_queue(None))
    await app.initialize()
    try:
        await feed(app.process_update, app.bot, warmup)
        api.clear()
        gc.collect()
        timing = await feed(app.process_update, app.bot, payloads)
    finally:
        await app.shutdown()
    return timing, Counter(call.method for call in api.calls), len(api.unexpected)


async def run_bare(
    warmup: Sequence[dict[str, Any]], payloads: Sequence[dict[str, Any]]
) -> RunResult:
    """The bare app through process_update."""
    timing, calls, unexpected = await run_plain(bare_app, warmup, payloads)
    return RunResult("bare PTB echo", timing, calls, 0, unexpected)


def by_sender(payloads: Sequence[dict[str, Any]], workers: int) -> list[list[dict[str, Any]]]:
    """Split the updates over ``workers`` people, each keeping their updates in order."""
    lanes: list[list[dict[str, Any]]] = [[] for _ in range(workers)]
    for payload in payloads:
        sender = (payload.get("message") or payload.get("callback_query") or {})["from"]["id"]
        lanes[sender % workers].append(payload)
    return lanes


def watch_handled(app: AnyApplication, tell: Callable[[int], None]) -> None:
    """Make the app call ``tell(update_id)`` when it has finished each update."""
    process = app.process_update

    async def process_and_tell(update: object) -> None:
        try:
            await process(update)
        finally:
            if isinstance(update, Update):
                tell(update.update_id)

    app.process_update = process_and_tell  # type: ignore[method-assign]


async def talk(
    server: FakeBotApi,
    done: dict[int, asyncio.Event],
    payloads: Sequence[dict[str, Any]],
    workers: int,
) -> Timing:
    """``workers`` people each send their updates one by one, the next when the last one was
    handled; the latency of an update runs from getUpdates having it to its handling's end."""
    latencies: list[float] = []
    # Telegram numbers updates in the order they arrive: renumber them as they are sent
    first = min(p["update_id"] for p in payloads)
    numbers = itertools.count(first)

    async def person(lane: Sequence[dict[str, Any]]) -> None:
        for payload in lane:
            update_id = next(numbers)
            started = time.perf_counter()
            server.enqueue({**payload, "update_id": update_id})
            await asyncio.wait_for(done[update_id].wait(), 30)
            latencies.append(time.perf_counter() - started)

    cpu_began, loop_began = time.process_time(), time.thread_time()
    began = time.perf_counter()
    await asyncio.gather(*(person(lane) for lane in by_sender(payloads, workers) if lane))
    return Timing(
        latencies,
        time.perf_counter() - began,
        time.process_time() - cpu_began,
        time.thread_time() - loop_began,
    )


class RemoteBotApi:
    """The fake Bot API and the people talking to it, in a process of their own.

    Telegram's servers are not in the bot's process, so neither is their stand-in: its work
    (handing out updates, taking the replies) would otherwise count in the app's CPU and
    hold its event loop. The app tells the other process each update it has finished (one
    line on a pipe), which is how the people there know when to send their next message; the
    latencies and wall time are measured there, the app's CPU here (:meth:`measure`).
    """

    def __init__(
        self,
        warmup: Sequence[dict[str, Any]],
        payloads: Sequence[dict[str, Any]],
        workers: int,
        *,
        ignored: Sequence[str] = (),
    ) -> None:
        self._spec = {
            "warmup": list(warmup),
            "payloads": list(payloads),
            "workers": workers,
            "ignored": list(ignored),
        }
        self._process: asyncio.subprocess.Process | None = None
        self._dir = tempfile.TemporaryDirectory()
        self.base_url = ""

    async def __aenter__(self) -> RemoteBotApi:
        spec = os.path.join(self._dir.name, "spec.json")
        with open(spec, "w", encoding="utf-8") as out:  # noqa: ASYNC230 - before any serving
            json.dump(self._spec, out)
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            SCRIPT,
            "--serve-http",
            spec,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=64 * 1024 * 1024,
        )
        self.base_url = (await self._line("url"))[0]
        return self

    async def __aexit__(self, *exc: object) -> None:
        process = self._process
        if process is not None:
            if process.stdin is not None and not process.stdin.is_closing():
                process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
        self._dir.cleanup()

    def _tell(self, line: str) -> None:
        assert self._process is not None
        assert self._process.stdin is not None
        self._process.stdin.write(f"{line}\n".encode())

    def handled(self, update_id: int) -> None:
        """The app has finished this update."""
        self._tell(str(update_id))

    async def _line(self, tag: str) -> list[str]:
        assert self._process is not None
        assert self._process.stdout is not None
        line = (await self._process.stdout.readline()).decode()
        if not line:
            raise RuntimeError("the fake Bot API's process ended early")
        found, *rest = line.rstrip("\n").split(" ", 1)
        if found != tag:
            raise RuntimeError(f"expected {tag!r} from the fake Bot API's process, got {line!r}")
        return rest

    async def measure(
        self,
        began: Callable[[], Awaitable[None]] | None = None,
    ) -> tuple[Timing, Counter[str], int]:
        """Wait for the warm-up to end, then measure the batch: its timing (CPU of this
        process), the Bot API calls by method and the unexpected ones. ``began`` runs between
        the warm-up and the batch."""
        await self._line("warm")
        gc.collect()
        if began is not None:
            await began()
        cpu_began, loop_began = time.process_time(), time.thread_time()
        self._tell("go")
        report = json.loads((await self._line("done"))[0])
        timing = Timing(
            report["latencies"],
            report["wall"],
            time.process_time() - cpu_began,
            time.thread_time() - loop_began,
        )
        return timing, Counter(report["calls"]), int(report["unexpected"])


async def serve_http(spec: dict[str, Any]) -> None:
    """The other side of :class:`RemoteBotApi`: the fake Bot API and the people."""
    done: dict[int, asyncio.Event] = defaultdict(asyncio.Event)
    go = asyncio.Event()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    closed = asyncio.Event()

    async def listen() -> None:
        while line := await reader.readline():
            if line == b"go\n":
                go.set()
            else:
                done[int(line)].set()
        closed.set()

    listening = asyncio.create_task(listen())
    async with FakeBotApi(TOKEN, max_long_poll=LONG_POLL) as server:
        print("url", server.base_url, flush=True)
        await talk(server, done, spec["warmup"], spec["workers"])
        server.calls.clear()
        print("warm", flush=True)
        await go.wait()
        timing = await talk(server, done, spec["payloads"], spec["workers"])
        calls = Counter(call.method for call in server.calls)
        unexpected = sum(1 for call in server.unexpected if call.method not in spec["ignored"])
        report = {
            "latencies": timing.latencies,
            "wall": timing.wall,
            "calls": dict(calls),
            "unexpected": unexpected,
        }
        print("done", json.dumps(report), flush=True)
        await closed.wait()  # the app has stopped polling: the server may go
    await listening


async def run_full_http(
    db: Database,
    url: str,
    warmup: Sequence[dict[str, Any]],
    payloads: Sequence[dict[str, Any]],
    workers: int,
) -> RunResult:
    """The gongyou application end to end: its own polling loop against a fake Bot API."""
    async with RemoteBotApi(warmup, payloads, workers, ignored=("setMyCommands",)) as remote:
        settings = full_settings(
            url,
            api_base_url=remote.base_url,
            api_file_url=remote.base_url,
            concurrent_updates=workers,
        )
        app = build_application(settings, db=db, job_queue=False)
        watch_handled(app, remote.handled)
        stop = asyncio.Event()
        running = asyncio.create_task(serve_polling(app, stop=stop, long_poll=LONG_POLL))
        counter = DatabaseCounter(db)
        errors_before = 0
        try:

            async def began() -> None:
                nonlocal errors_before
                errors_before = error_count()
                await counter.start()

            timing, calls, unexpected = await remote.measure(began)
            statements, transactions = await counter.stop()
            errors = error_count() - errors_before
        finally:
            stop.set()
            await running
    return RunResult(
        "gongyou",
        timing,
        calls,
        errors,
        unexpected,
        database=db.url.get_backend_name(),
        mode="http polling",
        statements=statements,
        transactions=transactions,
    )


async def run_plain_http(
    make: MakeApp,
    warmup: Sequence[dict[str, Any]],
    payloads: Sequence[dict[str, Any]],
    workers: int,
) -> tuple[Timing, Counter[str], int]:
    """A plain app end to end: PTB's own polling against the same fake Bot API."""
    async with RemoteBotApi(warmup, payloads, workers) as remote:
        app = make(
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(remote.base_url)
            .concurrent_updates(workers)
            .job_queue(None)
        )
        watch_handled(app, remote.handled)
        await app.initialize()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=LONG_POLL)
        await app.start()
        try:
            return await remote.measure()
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


async def run_bare_http(
    warmup: Sequence[dict[str, Any]], payloads: Sequence[dict[str, Any]], workers: int
) -> RunResult:
    """The bare app end to end."""
    timing, calls, unexpected = await run_plain_http(bare_app, warmup, payloads, workers)
    return RunResult("bare PTB echo", timing, calls, 0, unexpected, mode="http polling")


#: The stack floor's tables (their own metadata: never in the bot's migrations).
FLOOR = MetaData()
FLOOR_INBOX = Table(
    "bench_floor_inbox",
    FLOOR,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("raw", JSON, nullable=False),
    Column("done", Boolean, nullable=False),
)
FLOOR_USERS = Table(
    "bench_floor_users",
    FLOOR,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("language", String(16), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)


def _floor_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """The journal the bot's SQLite runs with (a commit writes the log, no fsync of the file)."""
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class FloorStore:
    """The stack floor: the least an update asks of the database when nothing may be lost,
    done with the bot's own libraries as their documentation shows, and none of its code.

    Per update, two transactions on SQLAlchemy's asyncio engine (aiosqlite or asyncpg): store
    the update's JSON in an inbox and read the sender's row, writing it on first contact or
    ``last_seen`` after; then, once the reply has been sent, mark the update done. Four
    statements, as many as the bot runs for an ordinary message. The reply is the bare app's
    echo. What the bot does beyond this (understanding the text, flows, flood control,
    per-user order, the services' answers) is not here: this is the ceiling the libraries set.
    """

    def __init__(self, url: str) -> None:
        self.engine: AsyncEngine = create_async_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _floor_pragmas)
        self.errors = 0

    async def create(self) -> None:
        """Make the two tables anew."""
        async with self.engine.begin() as conn:
            await conn.run_sync(FLOOR.drop_all)
            await conn.run_sync(FLOOR.create_all)

    async def close(self) -> None:
        """Drop the tables and close the engine."""
        async with self.engine.begin() as conn:
            await conn.run_sync(FLOOR.drop_all)
        await self.engine.dispose()

    async def handle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Store, read the sender, answer, mark done."""
        user = update.effective_user
        if user is None:
            return
        now = datetime.now(UTC)
        users = FLOOR_USERS
        async with self.engine.begin() as conn:
            await conn.execute(
                insert(FLOOR_INBOX).values(
                    update_id=update.update_id, raw=update.to_dict(), done=False
                )
            )
            seen = (
                await conn.execute(select(users.c.language).where(users.c.id == user.id))
            ).first()
            if seen is None:
                await conn.execute(
                    insert(users).values(
                        id=user.id, language=user.language_code or "zh", last_seen=now
                    )
                )
            else:
                await conn.execute(
                    sql_update(users).where(users.c.id == user.id).values(last_seen=now)
                )
        if update.callback_query is not None:
            await update.callback_query.answer()
        else:
            await echo(update, context)
        async with self.engine.begin() as conn:
            await conn.execute(
                sql_update(FLOOR_INBOX)
                .where(FLOOR_INBOX.c.update_id == update.update_id)
                .values(done=True)
            )


def floor_app(builder: Any, store: FloorStore) -> AnyApplication:
    """A python-telegram-bot application doing :class:`FloorStore`'s work for every update."""
    app: AnyApplication = builder.build()
    app.add_handler(TypeHandler(Update, store.handle))

    async def failed(_update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not store.errors:
            logging.getLogger(__name__).error("stack floor: %r", context.error)
        store.errors += 1

    app.add_error_handler(failed)
    return app


async def run_floor(
    url: str,
    warmup: Sequence[dict[str, Any]],
    payloads: Sequence[dict[str, Any]],
    workers: int | None = None,
) -> RunResult:
    """The stack floor through process_update, or end to end with ``workers`` people."""
    store = FloorStore(url)
    await store.create()
    try:
        make = partial(floor_app, store=store)
        if workers is None:
            timing, calls, unexpected = await run_plain(make, warmup, payloads)
        else:
            timing, calls, unexpected = await run_plain_http(make, warmup, payloads, workers)
    finally:
        await store.close()
    return RunResult(
        FLOOR_NAME,
        timing,
        calls,
        store.errors,
        unexpected,
        database=store.engine.dialect.name,
        mode="process_update" if workers is None else "http polling",
    )


#: Where each part of the code is counted in ``--profile`` (first match of the file path).
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "database (SQLAlchemy, drivers)",
        ("sqlalchemy", "sqlmodel", "aiosqlite", "asyncpg", "sqlite3", "greenlet"),
    ),
    ("Telegram objects and HTTP (PTB, httpx)", ("/telegram/", "httpx", "httpcore", "h11")),
    ("understanding text (knowledge, rapidfuzz, opencc)", ("knowledge/", "rapidfuzz", "opencc")),
    ("catalogs (fluent)", ("fluent",)),
    ("metrics (prometheus)", ("prometheus",)),
    ("the bot's own code (bot/, handlers/)", ("/bot/", "/handlers/")),
    ("event loop and threads", ("asyncio", "selectors", "threading", "concurrent", "queue")),
)


def profile_parts(profile: cProfile.Profile, updates: int) -> dict[str, float]:
    """Own time per update (ms) by part of the code, from a profile of the measured run.

    Time spent waiting (epoll) counts as the event loop's: on SQLite that is mostly the
    database thread at work. cProfile slows everything down, so compare the shares.
    """
    stats = pstats.Stats(profile)
    parts: Counter[str] = Counter()
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        own = row[2]
        path = filename
        part = "other (builtins, json, stdlib)"
        if name.startswith("<method 'poll'") or "select.epoll" in name:
            part = "event loop and threads"
        else:
            for label, marks in PARTS:
                if any(mark in path for mark in marks):
                    part = label
                    break
        parts[part] += own
    return {label: round(seconds / updates * 1000.0, 3) for label, seconds in parts.most_common()}


def load_average() -> str:
    """The one-minute load average ("?" where the system does not tell)."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def table(results: Sequence[RunResult]) -> None:
    """Print the runs side by side."""
    header = (
        f"{'app':<14} {'database':<11} {'mode':<15} {'updates/s':>10} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'cpu ms/upd':>11} {'loop cpu':>9} {'stmts/upd':>10} "
        f"{'xacts/upd':>10}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        count = len(r.timing.latencies) or 1
        stmts = f"{r.statements / count:.2f}" if r.name == "gongyou" else "-"
        xacts = f"{r.transactions / count:.2f}" if r.transactions else "-"
        print(
            f"{r.name:<14} {r.database or '-':<11} {r.mode:<15} {r.rate:>10.0f} "
            f"{r.percentile_ms(0.50):>8.2f} {r.percentile_ms(0.95):>8.2f} "
            f"{r.percentile_ms(0.99):>8.2f} {r.cpu_ms:>11.2f} {r.loop_cpu_ms:>9.2f} "
            f"{stmts:>10} {xacts:>10}"
        )


def check_answers(results: Sequence[RunResult], payloads: Sequence[dict[str, Any]]) -> list[str]:
    """Warnings for runs whose app did not answer (nearly) every update, or failed."""
    pressed = sum(1 for p in payloads if "callback_query" in p)
    warnings = []
    for r in results:
        sends = r.calls["sendMessage"]
        if r.name == FLOOR_NAME and (
            r.errors
            or r.unexpected
            or sends != len(payloads) - pressed
            or r.calls["answerCallbackQuery"] != pressed
        ):
            warnings.append(
                f"{r.database} {r.mode}: the stack floor sent {sends} echoes for "
                f"{len(payloads) - pressed} messages and {r.calls['answerCallbackQuery']} "
                f"answers for {pressed} presses, with {r.errors} errors: its figures are suspect"
            )
        if r.name != "gongyou":
            continue
        if (
            sends < 0.9 * len(payloads)
            or r.calls["answerCallbackQuery"] < pressed
            or r.errors
            or r.unexpected
        ):
            warnings.append(
                f"{r.database} {r.mode}: {sends} sendMessage for {len(payloads)} updates, "
                f"{r.calls['answerCallbackQuery']} answers for {pressed} button presses, "
                f"{r.errors} handler errors, {r.unexpected} unknown calls: figures are suspect"
            )
    return warnings


def targets(results: Sequence[RunResult]) -> list[dict[str, Any]]:
    """Each target with the measured value, whether it is met, and what the stack floor
    (:class:`FloorStore`) did on the same measure in the same run."""

    def find(name: str, database: str, mode: str) -> RunResult | None:
        for r in results:
            if r.name == name and r.database in (database, "") and r.mode == mode:
                return r
        return None

    bare = find("bare PTB echo", "", "process_update")

    def measures(name: str) -> list[tuple[str, str, float, float]]:
        """(label, sign, goal, value) of each target ``name``'s runs measure."""
        rows: list[tuple[str, str, float, float]] = []
        full = find(name, "sqlite", "process_update")
        if full is not None and bare is not None:
            share = full.rate / bare.rate if bare.rate else 0.0
            rows += [
                ("sqlite process_update updates/s", ">=", TARGET_UPDATES_PER_SECOND, full.rate),
                ("sqlite process_update share of bare", ">=", TARGET_SHARE_OF_BARE, share),
                ("sqlite process_update p99 ms", "<", TARGET_P99_MS, full.percentile_ms(0.99)),
            ]
        pg = find(name, "postgresql", "http polling")
        if pg is not None:
            count = len(pg.timing.latencies) or 1
            rows += [
                ("postgresql http polling updates/s", ">=", TARGET_PG_UPDATES_PER_SECOND, pg.rate),
                ("postgresql http polling p99 ms", "<", TARGET_PG_P99_MS, pg.percentile_ms(0.99)),
                (
                    "postgresql transactions per update",
                    "<=",
                    TARGET_PG_TRANSACTIONS,
                    pg.transactions / count,
                ),
            ]
        return rows

    # the floor counts no transactions: it has no figure for that target
    floors = {
        label: value
        for label, _sign, _goal, value in measures(FLOOR_NAME)
        if not label.endswith("transactions per update")
    }
    rows = [(*row, floors.get(row[0])) for row in measures("gongyou")]
    checked: list[dict[str, Any]] = []
    for label, sign, goal, value, floor in rows:
        met = value >= goal if sign == ">=" else value < goal if sign == "<" else value <= goal
        checked.append(
            {
                "target": f"{label} {sign} {goal:g}",
                "value": round(value, 2),
                "met": met,
                "stack_floor": None if floor is None else round(floor, 2),
            }
        )
    return checked


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--updates", type=int, default=5000, help="measured updates (5000)")
    parser.add_argument("--users", type=int, default=500, help="distinct senders (500)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=CONCURRENCY,
        help=f"people talking at once in the HTTP runs ({CONCURRENCY})",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL database to measure beside SQLite; it is migrated and emptied first",
    )
    parser.add_argument(
        "--profile", action="store_true", help="where the time goes (SQLite, process_update)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--seed", type=int, default=1, help="seed of the update mix (1)")
    args = parser.parse_args(argv)
    if args.updates < 1 or args.users < 1 or args.concurrency < 1:
        parser.error("--updates, --users and --concurrency must be at least 1")
    return args


async def measure_database(
    url: str,
    *,
    fresh: bool,
    warmup: Sequence[dict[str, Any]],
    payloads: Sequence[dict[str, Any]],
    workers: int,
    profile: cProfile.Profile | None,
) -> list[RunResult]:
    """Both ways in, on one database (emptied between them)."""
    results = []
    for mode in ("process_update", "http polling"):
        try:
            db = await prepare_database(url, fresh=fresh and mode == "process_update")
        except Exception as exc:
            raise SystemExit(
                f"cannot open the database ({type(exc).__name__}: {exc}); does it exist?"
            ) from exc
        try:
            if mode == "process_update":
                results.append(await run_full(db, url, warmup, payloads, profile=profile))
            else:
                results.append(await run_full_http(db, url, warmup, payloads, workers))
        finally:
            await db.dispose()
        gc.collect()
    for floor_workers in (None, workers):
        results.append(await run_floor(url, warmup, payloads, floor_workers))
        gc.collect()
    return results


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    """Build the updates, run every application on every database, print the report."""
    factory = PayloadFactory(args.seed)
    warmup = factory.batch(
        WARMUP_UPDATES,
        min(args.users, 50),
        first_update=WARMUP_UPDATE_ID,
        first_user=WARMUP_USER_ID,
    )
    payloads = factory.batch(
        args.updates, args.users, first_update=MEASURED_UPDATE_ID, first_user=MEASURED_USER_ID
    )
    started_load = load_average()
    databases = ["sqlite"] + (["postgresql"] if args.database_url else [])
    print(
        f"gongyou pipeline benchmark: {args.updates} updates from {args.users} users "
        f"(+{WARMUP_UPDATES} warm-up); databases: {', '.join(databases)}; "
        f"HTTP runs with {args.concurrency} people at once"
    )
    print(
        "Outbound Telegram rate limiting is OFF in every app: it holds sends to Telegram's "
        "~30 messages/s by design,\nso with it on this would measure the limiter, not the "
        "pipeline.\n"
    )
    profile = cProfile.Profile() if args.profile else None
    results: list[RunResult] = []
    with tempfile.TemporaryDirectory(prefix="gongyou-bench-") as tmp:
        sqlite_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        urls = [(sqlite_url, True)]
        if args.database_url:
            url = Settings(database_url=args.database_url, _env_file=None).database_url
            urls.append((url, False))
        for url, fresh in urls:
            results += await measure_database(
                url,
                fresh=fresh,
                warmup=warmup,
                payloads=payloads,
                workers=args.concurrency,
                profile=profile if url == sqlite_url else None,
            )
    results.append(await run_bare(warmup, payloads))
    results.append(await run_bare_http(warmup, payloads, args.concurrency))
    table(results)
    warnings = check_answers(results, payloads)
    for warning in warnings:
        print(f"WARNING: {warning}")
    checked = targets(results)
    print("\ntargets (and what the stack floor did on the same measure, where it does it):")
    for row in checked:
        floor = "" if row["stack_floor"] is None else f"   stack floor {row['stack_floor']:>9}"
        print(f"  {row['target']:<48} {row['value']:>9}   {verdict(row['met'])}{floor}")
    parts: dict[str, float] = {}
    if profile is not None:
        parts = profile_parts(profile, len(payloads))
        print(
            "\nwhere one process_update's time goes (SQLite, own time under cProfile, ms; "
            "the profile sees the event loop's thread only,\nso its waits for the database "
            "threads count as the event loop's):"
        )
        for label, ms in parts.items():
            print(f"  {label:<52} {ms:>7.3f}")
    print(
        f"\nmachine: {os.cpu_count()} CPUs, 1-minute load average {started_load} at the start "
        f"and {load_average()} at the end (other work on the machine skews the figures)"
    )
    return {
        "updates": args.updates,
        "users": args.users,
        "concurrency": args.concurrency,
        "runs": [r.to_json() for r in results],
        "targets": checked,
        "profile_ms_per_update": parts,
        "warnings": warnings,
        "load_average": {"start": started_load, "end": load_average()},
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; the figures are a report, so the exit code is 0 unless something crashes."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--serve-http"]:  # the fake Bot API's own process (RemoteBotApi)
        asyncio.run(serve_http(json.loads(Path(argv[1]).read_text(encoding="utf-8"))))
        return 0
    args = parse_args(argv)
    figures = asyncio.run(main_async(args))
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
