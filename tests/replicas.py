"""Several webhook replicas of one bot, each its own OS process, and the Bot API they share.

``python -m tests.replicas`` runs one replica exactly as ``gongyou run --mode webhook`` does,
with its settings from the ``GONGYOU_*`` environment variables.

:class:`RecordingBotApi` is :class:`tests.fake_botapi.FakeBotApi` served from a thread of its own
(the replicas and the test's own event loop both talk to it), recording each call with the
time it was answered and able to hold chosen calls back, as a slow network would.
:class:`Cluster` starts the replica processes and always stops them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from aiohttp import web

from bot.localapi import Call
from tests.fake_botapi import FakeBotApi, _error, _read_params

ROOT = Path(__file__).resolve().parent.parent
SECRET = "replica-secret"
PATH = "/telegram"
#: Environment variables a replica must not inherit from the test run.
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


# --- one replica (the process) ----------------------------------------------------------------


def _stop_when_orphaned(parent: int) -> None:
    """Stop this replica (SIGTERM) once the test run that started it is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def main() -> int:
    """Run one webhook replica."""
    _stop_when_orphaned(os.getppid())
    from bot.cli import main as gongyou

    return gongyou(["run", "--mode", "webhook"])


# --- the Bot API they share -------------------------------------------------------------------


@dataclass(frozen=True)
class Timed:
    """A Bot API call and the moment (``time.monotonic()``) it was answered."""

    at: float
    call: Call

    @property
    def method(self) -> str:
        """The Bot API method."""
        return self.call.method

    @property
    def chat_id(self) -> int | None:
        """The chat the call was for, if any."""
        chat = self.call.params.get("chat_id")
        return int(chat) if chat is not None else None

    @property
    def text(self) -> str:
        """The text sent, if any."""
        return str(self.call.params.get("text", ""))


Delay = Callable[[Call], float]


class RecordingBotApi(FakeBotApi):
    """The fake Bot API in a thread of its own; every answered call is kept with its time.

    ``delay`` may hold a call back that many seconds before it is answered (and recorded), as a
    slow network between one replica and Telegram would.
    """

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.timed: list[Timed] = []
        self.delay: Delay = lambda _call: 0.0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Serve on 127.0.0.1 from a new thread; return once it listens."""
        ready = threading.Event()
        failed: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self.__aenter__())
            except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
                failed.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self.__aexit__(None, None, None))
                loop.close()

        self._thread = threading.Thread(target=serve, name="fake-bot-api", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failed:
            raise failed[0]

    def stop(self) -> None:
        """Stop serving and join the thread."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = self._thread = None

    async def _handle(self, request: web.Request) -> web.Response:
        prefix, _, method = request.match_info["path"].rpartition("/")
        call = Call(method, await _read_params(request))
        if prefix != f"bot{self.token}":
            self.unexpected.append(call)
            return _error(401, "Unauthorized")
        wait = self.delay(call)
        if wait > 0:
            await asyncio.sleep(wait)
        result = self._answer(call)
        if result is None:
            self.unexpected.append(call)
            return _error(404, "Not Found: method not found")
        with self._lock:
            self.calls.append(call)
            self.timed.append(Timed(time.monotonic(), call))
        return web.json_response({"ok": True, "result": result})

    def snapshot(self, method: str | None = "sendMessage") -> list[Timed]:
        """The answered calls so far (of one method), in the order they were answered."""
        with self._lock:
            return [t for t in self.timed if method is None or t.method == method]

    def wait(
        self, predicate: Callable[[list[Timed]], bool], *, within: float, what: str
    ) -> list[Timed]:
        """Poll until ``predicate(sendMessage calls)`` holds; TimeoutError after ``within`` s."""
        deadline = time.monotonic() + within
        while True:
            sent = self.snapshot()
            if predicate(sent):
                return sent
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {within} s for {what}; {len(sent)} messages sent")
            time.sleep(0.05)


# --- the cluster ------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Replica:
    """One replica process and where it listens."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]

    @property
    def url(self) -> str:
        """Where Telegram (the load balancer) posts updates to this replica."""
        return f"http://127.0.0.1:{self.port}{PATH}"

    @property
    def alive(self) -> bool:
        """The process has not exited."""
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: the replica dies at once, in the middle of whatever it does."""
        if self.alive:
            self.process.kill()
        self.process.wait(10)

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM and a graceful stop; SIGKILL if it takes longer than ``grace``."""
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()

    def tail(self, lines: int = 40) -> str:
        """The end of the replica's log, for a failure message."""
        with contextlib.suppress(OSError):
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
            return "\n".join(text.splitlines()[-lines:])
        return ""


@dataclass
class Cluster:
    """Replica processes of one bot over one database, one Redis and one Bot API."""

    api: RecordingBotApi
    replicas: list[Replica] = field(default_factory=list)

    def start(self, count: int, env: Mapping[str, str], logs: Path) -> None:
        """Start ``count`` replicas, each on its own port, with ``env`` as their settings."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("GONGYOU_")}
        for name in PROXY_VARIABLES:
            base.pop(name, None)
        base["PYTHONPATH"] = str(ROOT)
        for number in range(count):
            port = free_port()
            log_path = logs / f"replica-{number}.log"
            log = log_path.open("wb")
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "tests.replicas"],
                cwd=ROOT,
                env={**base, **env, "GONGYOU_WEBHOOK_PORT": str(port)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            self.replicas.append(Replica(f"replica-{number}", port, process, log_path, log))

    def wait_ready(self, within: float = 30.0) -> None:
        """Wait until every replica answers /readyz; fail with its log if one exits."""
        import httpx

        deadline = time.monotonic() + within
        waiting = list(self.replicas)
        with httpx.Client(trust_env=False, timeout=1.0) as client:
            while waiting:
                for replica in list(waiting):
                    if not replica.alive:
                        raise RuntimeError(f"{replica.name} exited:\n{replica.tail()}")
                    with contextlib.suppress(httpx.HTTPError):
                        url = f"http://127.0.0.1:{replica.port}/readyz"
                        if client.get(url).status_code == 200:
                            waiting.remove(replica)
                if waiting and time.monotonic() > deadline:
                    names = ", ".join(r.name for r in waiting)
                    raise RuntimeError(f"not ready after {within} s: {names}")
                time.sleep(0.1)

    def stop(self) -> None:
        """Stop every replica still running (each at once, then wait for all)."""
        for replica in self.replicas:
            if replica.alive:
                replica.process.send_signal(signal.SIGTERM)
        for replica in self.replicas:
            replica.stop()

    def by_pid(self, pid: int) -> Replica | None:
        """The replica with this process id."""
        return next((r for r in self.replicas if r.process.pid == pid), None)

    @property
    def alive(self) -> list[Replica]:
        """The replicas still running."""
        return [r for r in self.replicas if r.alive]


def post_all(posts: Iterable[tuple[str, dict[str, Any]]]) -> list[int]:
    """POST each update to its replica URL, all at once, as Telegram's connections would;
    return the status codes in order."""
    import aiohttp

    async def run() -> list[int]:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with aiohttp.ClientSession(trust_env=False) as client:

            async def one(url: str, body: dict[str, Any]) -> int:
                async with client.post(url, json=body, headers=headers) as response:
                    return response.status

            return list(await asyncio.gather(*(one(url, body) for url, body in posts)))

    return asyncio.run(run())


def overflow(times: Iterable[float], amount: float, per_second: float) -> float:
    """How far a leaky bucket of ``amount`` draining ``per_second`` overflowed on ``times``."""
    level, at, worst = 0.0, None, 0.0
    for now in sorted(times):
        level = max(0.0, level - (now - at) * per_second) if at is not None else 0.0
        level += 1
        at = now
        worst = max(worst, level - amount)
    return worst


def busiest_second(times: Iterable[float]) -> int:
    """The most calls in any window of one second."""
    ordered = sorted(times)
    best, first = 0, 0
    for last, now in enumerate(ordered):
        while now - ordered[first] >= 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


if __name__ == "__main__":
    raise SystemExit(main())
