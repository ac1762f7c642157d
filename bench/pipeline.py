"""Throughput and latency of the whole update pipeline, next to a bare python-telegram-bot echo.

Run from the project root, with the project installed in the environment (``pip install -e .``)::

    python bench/pipeline.py [--updates N] [--users U] [--database-url URL]

For PostgreSQL, create the database first (``CREATE DATABASE gongyou_bench``) and pass e.g.
``--database-url postgresql+asyncpg://postgres@127.0.0.1/gongyou_bench``.

Both applications get the same synthetic updates (worker messages in Chinese and English for
every intent, gibberish, a few commands and menu button presses), one after another through
``Application.process_update``, with a recording in-process Bot API instead of Telegram. The
figures are a report, not a test: the exit code is 0 unless something crashes.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import logging
import math
import os
import random
import string
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import SQLModel
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

import bot.models  # noqa: F401  (puts the tables on SQLModel.metadata)
from bot import metrics
from bot.app import build_application
from bot.config import Settings
from bot.db import Database
from bot.localapi import BOT_USER, LocalBotApi

TOKEN = "123:BENCH"
#: High enough that flood control never drops a benchmark update.
FLOOD_LIMIT = "1000 per 1 second"
WARMUP_UPDATES = 200

#: Targets for the full application (p99 is meant for SQLite).
TARGET_UPDATES_PER_SECOND = 1000.0
TARGET_P99_MS = 25.0
TARGET_SHARE_OF_BARE = 0.5

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


@dataclass
class RunResult:
    """Timings of one application over one batch of updates."""

    name: str
    timing: Timing
    calls: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    unexpected: int = 0

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

    def percentile_ms(self, share: float) -> float:
        """The latency (ms) under which ``share`` of the updates finished (nearest rank)."""
        ordered = sorted(self.timing.latencies)
        if not ordered:
            return 0.0
        rank = min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))
        return ordered[rank] * 1000.0


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


async def feed(app: AnyApplication, payloads: Sequence[dict[str, Any]]) -> Timing:
    """Process every payload in order, timing each one."""
    latencies: list[float] = []
    clock = time.perf_counter
    cpu_began = time.process_time()
    began = clock()
    for payload in payloads:
        started = clock()
        await app.process_update(Update.de_json(payload, app.bot))
        latencies.append(clock() - started)
    wall = clock() - began
    return Timing(latencies, wall, time.process_time() - cpu_began)


def error_count() -> int:
    """Handler errors the full application has counted so far (all kinds)."""
    total = 0.0
    for family in metrics.ERRORS.collect():
        for sample in family.samples:
            if sample.name.endswith("_total"):
                total += sample.value
    return int(total)


async def prepare_database(url: str, *, fresh: bool) -> Database:
    """Migrate the database; empty its tables unless it was just created."""
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
    return db


async def run_full(
    db: Database, url: str, warmup: Sequence[dict[str, Any]], payloads: Sequence[dict[str, Any]]
) -> RunResult:
    """The gongyou application: database session, dedup, users, flood control, router."""
    settings = Settings(
        bot_token=TOKEN,
        database_url=url,
        outbound_rate_limit=False,
        flood_limit=FLOOD_LIMIT,
        _env_file=None,
    )
    api = LocalBotApi()
    app = build_application(settings, db=db, request=api, job_queue=False)
    await app.initialize()
    try:
        await feed(app, warmup)
        api.clear()
        api.unexpected.clear()
        errors_before = error_count()
        gc.collect()
        timing = await feed(app, payloads)
        errors = error_count() - errors_before
    finally:
        await app.shutdown()
    calls = Counter(call.method for call in api.calls)
    return RunResult("gongyou", timing, calls, errors, len(api.unexpected))


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say the text back."""
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a button press."""
    if update.callback_query is not None:
        await update.callback_query.answer()


async def run_bare(
    warmup: Sequence[dict[str, Any]], payloads: Sequence[dict[str, Any]]
) -> RunResult:
    """A bare python-telegram-bot application: one echo handler, one callback answerer."""
    api = LocalBotApi()
    app = ApplicationBuilder().token(TOKEN).request(api).updater(None).job_queue(None).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(answer))
    await app.initialize()
    try:
        await feed(app, warmup)
        api.clear()
        gc.collect()
        timing = await feed(app, payloads)
    finally:
        await app.shutdown()
    calls = Counter(call.method for call in api.calls)
    return RunResult("bare PTB echo", timing, calls, 0, len(api.unexpected))


def load_average() -> str:
    """The one-minute load average ("?" where the system does not tell)."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def report(full: RunResult, bare: RunResult, payloads: Sequence[dict[str, Any]]) -> None:
    """Print the side-by-side table, the reply counts and the targets."""
    header = (
        f"{'app':<16} {'updates/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'cpu ms/update':>14}"
    )
    print(header)
    print("-" * len(header))
    for result in (full, bare):
        print(
            f"{result.name:<16} {result.rate:>10.0f} {result.percentile_ms(0.50):>8.2f} "
            f"{result.percentile_ms(0.95):>8.2f} {result.percentile_ms(0.99):>8.2f} "
            f"{result.cpu_ms:>14.2f}"
        )
    share = full.rate / bare.rate if bare.rate else 0.0
    print(f"\nthroughput full/bare: {share:.2f}")

    count = len(payloads)
    pressed = sum(1 for p in payloads if "callback_query" in p)
    sends = full.calls["sendMessage"]
    print(
        f"\nfull app replies: {sends} sendMessage for {count} updates "
        f"({sends / count:.2f} per update), {full.calls['answerCallbackQuery']} "
        f"answerCallbackQuery for {pressed} button presses, {sum(full.calls.values())} "
        f"Bot API calls in all; handler errors: {full.errors}; unknown calls: {full.unexpected}"
    )
    print(
        f"bare app replies: {bare.calls['sendMessage']} sendMessage, "
        f"{bare.calls['answerCallbackQuery']} answerCallbackQuery"
    )
    if sends < 0.9 * count or full.errors or full.unexpected:
        print("WARNING: the full app did not answer (nearly) every update; figures are suspect")

    p99 = full.percentile_ms(0.99)
    print("\ntargets (full app):")
    rows = (
        (
            f">= {TARGET_UPDATES_PER_SECOND:.0f} updates/s",
            f"{full.rate:.0f}",
            full.rate >= TARGET_UPDATES_PER_SECOND,
        ),
        (f"p99 < {TARGET_P99_MS:.0f} ms", f"{p99:.2f}", p99 < TARGET_P99_MS),
        (
            f">= {TARGET_SHARE_OF_BARE:.1f} of bare throughput",
            f"{share:.2f}",
            share >= TARGET_SHARE_OF_BARE,
        ),
    )
    for label, value, ok in rows:
        print(f"  {label:<28} {value:>8}   {verdict(ok)}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=5000, help="measured updates (5000)")
    parser.add_argument("--users", type=int, default=500, help="distinct senders (500)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="database of the full app; default: a new SQLite file in a temporary directory. "
        "An existing database is migrated and emptied first.",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the update mix (1)")
    args = parser.parse_args(argv)
    if args.updates < 1 or args.users < 1:
        parser.error("--updates and --users must be at least 1")
    return args


async def main_async(args: argparse.Namespace) -> None:
    """Build the updates, run both applications, print the report."""
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

    with tempfile.TemporaryDirectory(prefix="gongyou-bench-") as tmp:
        fresh = args.database_url is None
        raw_url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        url = Settings(database_url=raw_url, _env_file=None).database_url
        started_load = load_average()
        try:
            db = await prepare_database(url, fresh=fresh)
        except Exception as exc:
            raise SystemExit(
                f"cannot open the database ({type(exc).__name__}: {exc}); does it exist?"
            ) from exc
        backend = db.url.get_backend_name()
        print(
            f"gongyou pipeline benchmark: {args.updates} updates from {args.users} users "
            f"(+{WARMUP_UPDATES} warm-up), sequential process_update, database {backend}"
        )
        print(
            "Outbound Telegram rate limiting is OFF in both apps: it holds sends to Telegram's "
            "~30 messages/s by design,\nso with it on this would measure the limiter, not the "
            "pipeline. Bot API calls are answered in-process.\n"
        )
        try:
            full = await run_full(db, url, warmup, payloads)
        finally:
            await db.dispose()
    gc.collect()
    bare = await run_bare(warmup, payloads)
    report(full, bare, payloads)
    print(
        f"\nmachine: {os.cpu_count()} CPUs, 1-minute load average {started_load} at the start "
        f"and {load_average()} at the end (other work on the machine skews the figures)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; the figures are a report, so the exit code is 0 unless something crashes."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(main_async(parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
