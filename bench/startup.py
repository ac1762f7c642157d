"""How long `gongyou run` takes to its first getUpdates, and how much memory it holds at idle.

Run from the project root, with the project installed in the environment (``pip install -e .``)::

    python bench/startup.py [--runs N] [--database-url URL] [--json]

A fake Bot API server on 127.0.0.1 stands in for Telegram. Each run starts a new process and times
it from the moment it is started to the moment its first ``getUpdates`` request reaches the server
(its arrival, not the end of its long poll); then it waits ``--idle`` seconds (no updates) and
reads the process's resident memory (VmRSS). The same is done, in the same run, for a bare
python-telegram-bot application that polls the same server (the baseline: the least a polling bot
can do). ``gongyou run`` runs on a new SQLite file (already migrated by a first, unmeasured start,
as a restarted replica finds it) and, with ``--database-url``, on PostgreSQL too. The figures are a
report, not a test: the exit code is 0 unless something crashes.

Every process keeps its compiled bytecode in a cache of the run's own (``PYTHONPYCACHEPREFIX``,
filled by that first, unmeasured start of each app), as an installed bot has it; a
``PYTHONDONTWRITEBYTECODE`` of the calling environment is not passed on. With
``--no-bytecode-cache`` every start compiles what has no bytecode beside it (an editable install
under ``PYTHONDONTWRITEBYTECODE``: all of the project's own modules, each time).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fake Bot API server

from tests.fake_botapi import FakeBotApi  # noqa: E402

TOKEN = "123:STARTUP"
#: Targets of `gongyou run` (issue: start-up and memory).
TARGET_FIRST_POLL_S = 1.0
TARGET_RSS_MB = 80.0

BARE = """
import sys
from telegram.ext import ApplicationBuilder, MessageHandler, filters

async def echo(update, context):
    await update.effective_message.reply_text(update.effective_message.text)

app = ApplicationBuilder().token(sys.argv[1]).base_url(sys.argv[2]).build()
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling(poll_interval=0.0, timeout=1)
"""


class StartServer(FakeBotApi):
    """The fake Bot API, noting when the first ``getUpdates`` of the current start arrives."""

    def __init__(self, token: str, *, max_long_poll: float) -> None:
        super().__init__(token, max_long_poll=max_long_poll)
        self.polled = asyncio.Event()
        self.polled_at = 0.0

    def expect_start(self) -> None:
        """Forget the previous start (a long poll of it still open does not count)."""
        self.calls.clear()
        self.polled = asyncio.Event()

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if not self.polled.is_set():
            self.polled_at = time.perf_counter()
            self.polled.set()
        return await super()._get_updates(params)


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (0 where /proc does not tell)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


async def one_start(
    argv: Sequence[str], env: dict[str, str], server: StartServer, idle: float, log: Path
) -> tuple[float, float]:
    """Start a process; return (seconds to its first getUpdates, RSS in MB after ``idle``)."""
    server.expect_start()
    polled = server.polled
    with log.open("ab") as out:
        began = time.perf_counter()
        process = await asyncio.create_subprocess_exec(*argv, env=env, stdout=out, stderr=out)
        try:
            await asyncio.wait_for(polled.wait(), 60.0)
            first = server.polled_at - began
            await asyncio.sleep(idle)
            memory = rss_mb(process.pid)
        finally:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
    return first, memory


def base_env(tmp: Path, *, bytecode_cache: bool) -> dict[str, str]:
    """The calling environment without GONGYOU_ settings; with ``bytecode_cache``, compiled
    modules are kept under ``tmp`` and reused by the next start."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGYOU_")}
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def gongyou_env(server: StartServer, url: str, base: dict[str, str]) -> dict[str, str]:
    """The environment of a `gongyou run` pointed at the fake server and ``url``."""
    env = dict(base)
    env.update(
        GONGYOU_BOT_TOKEN=TOKEN,
        GONGYOU_MODE="polling",
        GONGYOU_DATABASE_URL=url,
        GONGYOU_API_BASE_URL=server.base_url,
        GONGYOU_API_FILE_URL=server.base_url,
        GONGYOU_POLL_TIMEOUT="1",
    )
    return env


async def measure(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Every configured start, side by side."""
    rows: list[dict[str, Any]] = []
    async with StartServer(TOKEN, max_long_poll=1.0) as server:
        targets: list[tuple[str, list[str], dict[str, str]]] = []
        base = base_env(tmp, bytecode_cache=args.bytecode_cache)
        bare = [sys.executable, "-c", BARE, TOKEN, server.base_url]
        await one_start(bare, base, server, 0.0, tmp / "warm.log")  # fills the bytecode cache
        targets.append(("bare PTB", bare, base))
        urls = [("sqlite", f"sqlite+aiosqlite:///{tmp / 'startup.sqlite3'}")]
        if args.database_url:
            urls.append(("postgresql", args.database_url))
        for name, url in urls:
            env = gongyou_env(server, url, base)
            argv = [sys.executable, "-m", "bot.cli", "run"]
            await one_start(argv, env, server, 0.0, tmp / "warm.log")  # migrates the database
            targets.append((f"gongyou run ({name})", argv, env))
        for name, argv, env in targets:
            firsts, memories = [], []
            for _ in range(args.runs):
                first, memory = await one_start(argv, env, server, args.idle, tmp / "run.log")
                firsts.append(first)
                memories.append(memory)
            rows.append(
                {
                    "app": name,
                    "first_get_updates_s": round(statistics.median(firsts), 3),
                    "first_get_updates_s_all": [round(x, 3) for x in firsts],
                    "idle_rss_mb": round(statistics.median(memories), 1),
                    "idle_rss_mb_all": [round(x, 1) for x in memories],
                }
            )
    return {
        "runs": args.runs,
        "idle_s": args.idle,
        "bytecode_cache": args.bytecode_cache,
        "results": rows,
    }


def report(figures: dict[str, Any]) -> None:
    """Print the table and the targets."""
    print(f"{'app':<26} {'first getUpdates s':>19} {'idle RSS MB':>12}")
    for row in figures["results"]:
        print(f"{row['app']:<26} {row['first_get_updates_s']:>19.3f} {row['idle_rss_mb']:>12.1f}")
    cache = "kept between starts" if figures["bytecode_cache"] else "compiled at every start"
    print(f"(medians of {figures['runs']} starts; bytecode {cache})")
    print("\ntargets (gongyou run):")
    for row in figures["results"]:
        if not row["app"].startswith("gongyou"):
            continue
        first_ok = row["first_get_updates_s"] <= TARGET_FIRST_POLL_S
        rss_ok = row["idle_rss_mb"] <= TARGET_RSS_MB
        print(
            f"  {row['app']}: first getUpdates <= {TARGET_FIRST_POLL_S:g} s "
            f"{'PASS' if first_ok else 'MISS'}; idle RSS <= {TARGET_RSS_MB:g} MB "
            f"{'PASS' if rss_ok else 'MISS'}"
        )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="starts per app (5); the median")
    parser.add_argument("--idle", type=float, default=3.0, help="idle seconds before RSS (3)")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL database as well")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument(
        "--no-bytecode-cache",
        dest="bytecode_cache",
        action="store_false",
        help="compile the modules that have no bytecode beside them at every start",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gongyou-startup-") as tmp:
        figures = asyncio.run(measure(args, Path(tmp)))
    report(figures)
    print(f"\nmachine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
