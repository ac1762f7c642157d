"""Rate limits both ways: the one outbound path with Telegram's limits, and inbound flood control.

Telegram asks bots to stay under about 30 messages a second overall, about one a second in a
private chat and 20 a minute in a group. ``OutboundLimiter`` applies all three with aiolimiter.
Bulk sends (broadcasts, alerts) pass ``rate_limit_args={"bulk": True}`` and first take a token
from a separate, slower bucket (25/s by default), so replies to workers always find room in the
overall budget. ``MeteredRequest`` counts every Bot API call and every 429 for the metrics.

``InboundGate`` counts each user's updates the moment they arrive, before they wait for the
user's earlier updates and for those replies to clear the per-chat bucket, so a burst is seen as
a burst; it also remembers which plain chat messages are still waiting, so a stale backlog can be
collapsed to the latest message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from aiolimiter import AsyncLimiter
from limits import parse as parse_limit
from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.request import BaseRequest, RequestData

from bot import metrics
from bot.db import CURRENT

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
RateLimitArgs = dict[str, Any]

Clock = Callable[[], float]

OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
#: Private chats: a burst of 3, then about one message a second.
PRIVATE_BURST = 3
#: Seconds over which a private chat's burst refills.
PRIVATE_PERIOD = 3.0
#: Seconds over which a group's allowance refills.
GROUP_PERIOD = 60.0


class OutboundLimiter(BaseRateLimiter[RateLimitArgs]):
    """Overall, per-chat and bulk limits for every Bot API call that targets a chat.

    A 429 pauses only what Telegram limited: on a bulk send, every bulk send (replies to workers
    keep flowing); on any other call to a chat, that chat; on a call to no chat, that call. With
    ``shared`` the buckets and the pauses live in Redis, so replicas of one bot keep Telegram's
    limits together; if Redis cannot be reached, each process falls back to its own buckets.
    """

    def __init__(
        self,
        *,
        bulk_per_second: float = 25.0,
        overall_per_second: float = OVERALL_PER_SECOND,
        max_retries: int = 3,
        private_period: float = PRIVATE_PERIOD,
        group_period: float = GROUP_PERIOD,
        shared: SharedBuckets | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        #: Per-chat periods; shorter ones keep Telegram's proportions at a faster pace.
        self.private_period = private_period
        self.group_period = group_period
        self.shared = shared
        self.clock = clock
        self._overall_rate = max(1.0, min(overall_per_second, OVERALL_PER_SECOND))
        self._bulk_rate = max(1.0, min(bulk_per_second, self._overall_rate))
        # the overall limit is a pace, not a bucket that lets an idle bot burst: one message
        # every 1/rate seconds, so no second ever sees more than the rate
        self._overall = AsyncLimiter(1, 1 / self._overall_rate)
        # bulk sends are paced too: a burst of them would queue at the overall pace ahead of
        # the replies to workers
        self._bulk = AsyncLimiter(1, 1 / self._bulk_rate)
        self._chats: dict[int | str, AsyncLimiter] = {}
        self._max_retries = max_retries
        #: Monotonic time until which bulk sends, and each paused chat, wait after a 429.
        self._bulk_paused_until = 0.0
        self._chat_paused_until: dict[int | str, float] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Close the connection to the shared buckets, if any."""
        if self.shared is not None:
            await self.shared.aclose()

    def _chat_limit(self, chat_id: int | str) -> tuple[float, float]:
        is_group = isinstance(chat_id, str) or chat_id < 0
        if is_group:
            return GROUP_PER_MINUTE, self.group_period
        return PRIVATE_BURST, self.private_period

    def _chat_limiter(self, chat_id: int | str) -> AsyncLimiter:
        if len(self._chats) > 4096:
            for key, limiter in list(self._chats.items()):
                if limiter.has_capacity(limiter.max_rate):
                    del self._chats[key]
        found = self._chats.get(chat_id)
        if found is None:
            limiter = AsyncLimiter(*self._chat_limit(chat_id))
            self._chats[chat_id] = limiter
            return limiter
        return found

    async def _take(self, local: AsyncLimiter, key: str, amount: float, period: float) -> None:
        """Wait for room in one bucket: the shared one when Redis answers, else ``local``."""
        if self.shared is not None:
            wait = await self.shared.reserve(f"out:{key}", amount, period)
            if wait is not None:
                if wait > 0:
                    await asyncio.sleep(wait)
                return
        await local.acquire()

    async def _acquire(self, bulk: bool, chat_id: int | str | None) -> None:
        if bulk:
            await self._take(self._bulk, "bulk", 1, 1 / self._bulk_rate)
        if chat_id is not None:
            amount, period = self._chat_limit(chat_id)
            await self._take(self._chat_limiter(chat_id), f"chat:{chat_id}", amount, period)
            await self._take(self._overall, "all", 1, 1 / self._overall_rate)

    def paused_for(self, *, bulk: bool, chat_id: int | str | None) -> float:
        """Seconds a send of this kind to this chat must still wait after a 429 (0: none)."""
        until = self._bulk_paused_until if bulk else 0.0
        if chat_id is not None:
            until = max(until, self._chat_paused_until.get(chat_id, 0.0))
        return max(0.0, until - self.clock())

    async def _wait_out_pauses(self, bulk: bool, chat_id: int | str | None) -> None:
        """Sleep until no 429 pause holds this send (a pause may grow while it sleeps)."""
        delay = self.paused_for(bulk=bulk, chat_id=chat_id)
        while delay > 0:
            await asyncio.sleep(delay)
            delay = self.paused_for(bulk=bulk, chat_id=chat_id)

    def _pause(self, bulk: bool, chat_id: int | str | None, seconds: float) -> None:
        """Hold bulk sends (a bulk 429) or the one chat (any other 429) for ``seconds``."""
        until = self.clock() + seconds
        if bulk:
            self._bulk_paused_until = max(self._bulk_paused_until, until)
            scope = "bulk"
        elif chat_id is not None:
            if len(self._chat_paused_until) > 4096:
                now = self.clock()
                self._chat_paused_until = {
                    key: at for key, at in self._chat_paused_until.items() if at > now
                }
            self._chat_paused_until[chat_id] = max(self._chat_paused_until.get(chat_id, 0), until)
            scope = f"chat:{chat_id}"
        else:
            return
        if self.shared is not None:
            self.shared.pause_soon(scope, seconds)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: RateLimitArgs | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Wait out pauses and for room under every limit, then make the call; retry on 429."""
        bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
        chat_id = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        attempt = 0
        while True:
            await self._wait_out_pauses(bulk, chat_id)
            await self._acquire(bulk, chat_id)
            if self.paused_for(bulk=bulk, chat_id=chat_id) > 0:
                # a 429 came in while this send waited for room: the room it found is gone by
                # the end of the pause (sending now would add to the burst that follows it)
                continue
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= self._max_retries:
                    log.error("%s: still rate limited after %d retries", endpoint, attempt)
                    raise
                attempt += 1
                seconds = seconds_of(exc.retry_after) + RETRY_MARGIN
                what = "bulk sends" if bulk else f"chat {chat_id}" if chat_id else "this call"
                log.warning(
                    "%s: Telegram asked to wait %.1f s; pausing %s", endpoint, seconds, what
                )
                self._pause(bulk, chat_id, seconds)
                if not bulk and chat_id is None:
                    await asyncio.sleep(seconds)


def seconds_of(value: Any) -> float:
    """``RetryAfter.retry_after`` in seconds, whether PTB gives an int or a timedelta."""
    total = getattr(value, "total_seconds", None)
    return float(total() if total is not None else value)


#: Atomic leaky bucket (GCRA) in Redis: the bucket holds ``amount`` drops and drains over
#: ``period``; times are Redis's own clock in microseconds, so replicas' clocks do not matter.
#: KEYS[1] the bucket, KEYS[2] an optional pause key whose time to live adds to the wait.
#: ARGV: drop interval (us), period (us), 1 to reserve the next drop even if it means waiting
#: (the answer is the wait), 0 to take a drop only if it fits now (0) or leave the bucket alone
#: (the wait it would need).
LEAKY_BUCKET = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local wait = tat + interval - period - now
if wait > 0 and ARGV[3] == '0' then return wait end
if wait < 0 then wait = 0 end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
if KEYS[2] then
  local paused = redis.call('PTTL', KEYS[2])
  if paused > 0 and paused * 1000 > wait then wait = paused * 1000 end
end
return wait
"""
#: How long a replica leaves Redis alone after it failed to answer.
REDIS_BACKOFF = 5.0
#: Added to Telegram's retry_after, so the retry does not land a hair early.
RETRY_MARGIN = 0.1


class SharedBuckets:
    """Leaky buckets and 429 pauses kept in Redis, shared by every replica of one bot.

    Keys start with ``namespace`` (the bot's id, since Telegram's limits are per bot). A call
    that Redis does not answer within ``timeout`` returns None, and for ``REDIS_BACKOFF``
    seconds after that Redis is not asked at all, so the callers use their own buckets.
    """

    def __init__(self, url: str, *, namespace: str = "gongyou", timeout: float = 0.5) -> None:
        from redis.asyncio import Redis

        self.namespace = namespace
        self.redis: Any = Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._script: Any = self.redis.register_script(LEAKY_BUCKET)
        self._down_until = 0.0
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def for_bot(cls, url: str, token: str) -> SharedBuckets:
        """Buckets for the bot with this token (keyed by its id, never by the secret)."""
        return cls(url, namespace=f"gongyou:{token.split(':', 1)[0]}")

    def _key(self, name: str) -> str:
        return f"{self.namespace}:{name}"

    async def _run(self, keys: list[str], args: list[Any]) -> int | None:
        if time.monotonic() < self._down_until:
            return None
        try:
            return int(await self._script(keys=keys, args=args))
        except Exception as exc:  # noqa: BLE001 - any Redis failure: fall back to local limits
            self._down_until = time.monotonic() + REDIS_BACKOFF
            log.warning("Redis unreachable for shared rate limits (%s); using local ones", exc)
            return None

    async def reserve(self, name: str, amount: float, period: float) -> float | None:
        """Reserve the next drop; seconds to wait before using it (None: no answer)."""
        scope = name.removeprefix("out:")
        pause = self._key(f"pause:{scope}") if scope != "all" else None
        keys = [self._key(name)] + ([pause] if pause else [])
        waited = await self._run(keys, [*_micros(amount, period), 1])
        return None if waited is None else waited / 1e6

    async def take(self, name: str, amount: float, period: float) -> bool | None:
        """One drop if it fits now, else nothing (None: no answer)."""
        waited = await self._run([self._key(name)], [*_micros(amount, period), 0])
        return None if waited is None else waited == 0

    def pause_soon(self, scope: str, seconds: float) -> None:
        """Tell the other replicas about a 429 pause, without waiting for Redis."""
        if time.monotonic() < self._down_until:
            return
        self._soon(self._set_pause(scope, seconds))

    def _soon(self, step: Coroutine[Any, Any, None]) -> None:
        """Run ``step`` in the background, kept until it is done (skipped with no loop)."""
        try:
            task = asyncio.get_running_loop().create_task(step)
        except RuntimeError:
            step.close()
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _set_pause(self, scope: str, seconds: float) -> None:
        key, ms = self._key(f"pause:{scope}"), max(1, math.ceil(seconds * 1000))
        try:
            # never shorten a longer pause another replica set
            if ms > int(await self.redis.pttl(key)):
                await self.redis.set(key, "1", px=ms)
        except Exception as exc:  # noqa: BLE001 - any Redis failure: the local pause still holds
            log.warning("could not share a 429 pause through Redis: %s", exc)

    def count_soon(self, name: str, amount: float, period: float, arrival: Arrival) -> None:
        """Count an arrival in the shared bucket; its verdict replaces the local one."""
        if time.monotonic() < self._down_until:
            return
        self._soon(self._count(name, amount, period, arrival))

    async def _count(self, name: str, amount: float, period: float, arrival: Arrival) -> None:
        verdict = await self.take(name, amount, period)
        if verdict is not None:
            arrival.admitted = verdict

    async def settled(self) -> None:
        """Wait until every count and pause handed to Redis has its answer."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Finish what is being told to Redis and close the connections."""
        await self.settled()
        await self.redis.aclose()


def _micros(amount: float, period: float) -> tuple[int, int]:
    """A bucket's drop interval and period in microseconds."""
    return max(1, round(period / amount * 1e6)), max(1, round(period * 1e6))


class MeteredRequest(BaseRequest):
    """Wraps another request object and counts each Bot API call and its outcome."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    @property
    def read_timeout(self) -> float | None:
        """The wrapped request's read timeout."""
        return self.inner.read_timeout

    async def initialize(self) -> None:
        """Initialize the wrapped request."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Shut the wrapped request down."""
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = DEFAULT_NONE,
        write_timeout: Any = DEFAULT_NONE,
        connect_timeout: Any = DEFAULT_NONE,
        pool_timeout: Any = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Forward the call and count it. What the update being handled holds back for its
        commit is committed first: nothing is said about a step that is not stored."""
        api_method = url.rsplit("/", 1)[-1]
        current = CURRENT.get()
        if current is not None:
            await current.release()
        try:
            code, payload = await self.inner.do_request(
                url,
                method,
                request_data,
                read_timeout,
                write_timeout,
                connect_timeout,
                pool_timeout,
            )
        except Exception:
            metrics.OUTBOUND.labels(api_method, "network_error").inc()
            raise
        outcome = "ok" if 200 <= code < 300 else str(code)
        metrics.OUTBOUND.labels(api_method, outcome).inc()
        if code == 429:
            metrics.RETRY_AFTER.inc()
        return code, payload


class UpdatesRequest(MeteredRequest):
    """The request ``getUpdates`` goes through: it also keeps the JSON of the updates it
    fetched last, so that polling stores them as they came (:meth:`fetched`) instead of
    turning each parsed update back into JSON (about 0.15 ms an update)."""

    def __init__(self, inner: BaseRequest) -> None:
        super().__init__(inner)
        self._fetched: list[JSONDict] = []

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = DEFAULT_NONE,
        write_timeout: Any = DEFAULT_NONE,
        connect_timeout: Any = DEFAULT_NONE,
        pool_timeout: Any = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Call the Bot API; keep the updates of a batch it answers with (read from its JSON
        a second time, in C: a copy of their own, which parsing them cannot change)."""
        code, payload = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        self._fetched = []
        if code == 200 and url.endswith("/getUpdates"):
            with contextlib.suppress(ValueError, TypeError, KeyError):
                result = json.loads(payload)["result"]
                if isinstance(result, list):
                    self._fetched = result
        return code, payload

    def fetched(self, updates: Sequence[Update]) -> list[JSONDict] | None:
        """The JSON of ``updates`` as fetched; None unless they are the batch fetched last
        (the same ids in the same order)."""
        kept = self._fetched
        if len(kept) != len(updates) or any(
            not isinstance(raw, dict) or raw.get("update_id") != update.update_id
            for raw, update in zip(kept, updates, strict=True)
        ):
            return None
        return kept


#: Buckets kept before the drained ones are forgotten.
MAX_TRACKED = 10_000


class LeakyBuckets:
    """One leaky bucket per key, holding ``amount`` and draining over ``period`` seconds."""

    def __init__(self, amount: float, period: float, clock: Clock) -> None:
        self.amount = amount
        self.rate = amount / period if period > 0 else float("inf")
        self.clock = clock
        self._levels: dict[int, tuple[float, float]] = {}

    def take(self, key: int) -> bool:
        """Put one drop in the key's bucket; False (and nothing added) if it is full."""
        now = self.clock()
        level, at = self._levels.get(key, (0.0, now))
        level = max(0.0, level - max(0.0, now - at) * self.rate)
        if level + 1 > self.amount + 1e-9:
            self._levels[key] = (level, now)
            return False
        self._levels[key] = (level + 1, now)
        if len(self._levels) > MAX_TRACKED:
            self._forget_drained(now)
        return True

    def _forget_drained(self, now: float) -> None:
        self._levels = {
            key: (level, at)
            for key, (level, at) in self._levels.items()
            if level - (now - at) * self.rate > 0
        }


@dataclass(eq=False)
class Arrival:
    """One update as it arrived: when, and what flood control made of it then."""

    update_id: int
    at: float
    #: Within the sender's flood limit when it arrived.
    admitted: bool
    #: A plain chat message: once stale, a newer one waiting behind it may answer for it.
    collapsible: bool


class InboundGate:
    """Per-user flood limit counted on arrival, and each user's updates still waiting.

    ``arrive`` is called as soon as an update is taken off the queue and ``depart`` once it has
    been handled; in between, handlers ask whether the update was within the limit and whether
    a newer plain message has made it stale. Updates that never passed through ``arrive`` (fed
    straight to the application) and privileged users are counted when handled instead, with
    ``allow_now``. ``clock`` is a monotonic clock in seconds.

    With ``shared``, each arrival is also counted in a Redis bucket that every replica of the
    bot counts in, without holding the update up: the shared verdict replaces this process's own
    as soon as Redis answers (well before the update's turn comes, normally), and this
    process's verdict stands if Redis is slow or down. ``allow_now`` counts in this process only.
    """

    def __init__(
        self,
        limit: str,
        *,
        backlog_after: float = 5.0,
        notice_every: float = 60.0,
        clock: Clock = time.monotonic,
        shared: SharedBuckets | None = None,
    ) -> None:
        parsed = parse_limit(limit)
        amount, period = float(parsed.amount), float(parsed.get_expiry())
        self.amount, self.period = amount, period
        self.shared = shared
        self.clock = clock
        self.backlog_after = backlog_after
        self.notice_every = notice_every
        self._on_arrival = LeakyBuckets(amount, period, self._now)
        self._on_handling = LeakyBuckets(amount, period, self._now)
        self._notified: dict[int, float] = {}
        self._pending: dict[int, list[Arrival]] = {}
        self._skipped: dict[int, int] = {}

    def _now(self) -> float:
        return self.clock()

    def arrive(
        self, user_id: int, update_id: int, *, collapsible: bool, count: bool = True
    ) -> Arrival:
        """Count a user's update the moment it arrives and remember it until it departs
        (``count=False``: an update coming back after stepping aside, counted already)."""
        arrival = Arrival(
            update_id=update_id,
            at=self.clock(),
            admitted=self._on_arrival.take(user_id) if count else True,
            collapsible=collapsible,
        )
        if self.shared is not None and count:
            self.shared.count_soon(f"in:{user_id}", self.amount, self.period, arrival)
        self._pending.setdefault(user_id, []).append(arrival)
        return arrival

    def depart(self, user_id: int, arrival: Arrival) -> None:
        """Forget an update that has been handled (or dropped)."""
        waiting = self._pending.get(user_id)
        if waiting is None:
            return
        with contextlib.suppress(ValueError):
            waiting.remove(arrival)
        if not waiting:
            del self._pending[user_id]
            self._skipped.pop(user_id, None)

    def arrival_of(self, user_id: int, update_id: int) -> Arrival | None:
        """The recorded arrival of this update, if it came through ``arrive``."""
        for arrival in self._pending.get(user_id, ()):
            if arrival.update_id == update_id:
                return arrival
        return None

    def allow_now(self, user_id: int) -> bool:
        """Count an update as it is handled; False if the user is over the limit."""
        return self._on_handling.take(user_id)

    def notice_due(self, user_id: int) -> bool:
        """True at most once every ``notice_every`` seconds per user: time to say slow down."""
        now = self.clock()
        if now - self._notified.get(user_id, -float("inf")) < self.notice_every:
            return False
        self._notified[user_id] = now
        if len(self._notified) > MAX_TRACKED:
            horizon = now - self.notice_every
            self._notified = {k: at for k, at in self._notified.items() if at > horizon}
        return True

    def superseded(self, user_id: int, arrival: Arrival) -> bool:
        """True for a stale plain message whose next admitted update is a plain message too.

        So a run of plain messages collapses to its last one, while a command, file or button
        press waiting in between keeps the messages before it.
        """
        if self.backlog_after <= 0 or not arrival.collapsible:
            return False
        if self.clock() - arrival.at < self.backlog_after:
            return False
        waiting = self._pending.get(user_id, [])
        try:
            later = waiting[waiting.index(arrival) + 1 :]
        except ValueError:
            return False
        following = next((a for a in later if a.admitted), None)
        return following is not None and following.collapsible

    def skip(self, user_id: int) -> None:
        """Note one more of the user's messages left unanswered for a newer one."""
        self._skipped[user_id] = self._skipped.get(user_id, 0) + 1

    def take_skipped(self, user_id: int) -> int:
        """How many of the user's messages were skipped since the last answer (and reset)."""
        return self._skipped.pop(user_id, 0)
