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
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from aiolimiter import AsyncLimiter
from limits import parse as parse_limit
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.request import BaseRequest, RequestData

from bot import metrics

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
RateLimitArgs = dict[str, Any]

OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
#: Private chats: a burst of 3, then about one message a second.
PRIVATE_BURST = 3
#: Seconds over which a private chat's burst refills.
PRIVATE_PERIOD = 3.0
#: Seconds over which a group's allowance refills.
GROUP_PERIOD = 60.0


class OutboundLimiter(BaseRateLimiter[RateLimitArgs]):
    """Overall, per-chat and bulk limits for every Bot API call that targets a chat."""

    def __init__(
        self,
        *,
        bulk_per_second: float = 25.0,
        max_retries: int = 3,
        private_period: float = PRIVATE_PERIOD,
        group_period: float = GROUP_PERIOD,
    ) -> None:
        #: Per-chat periods; shorter ones keep Telegram's proportions at a faster pace.
        self.private_period = private_period
        self.group_period = group_period
        self._overall = AsyncLimiter(OVERALL_PER_SECOND, 1)
        self._bulk = AsyncLimiter(max(1.0, min(bulk_per_second, OVERALL_PER_SECOND)), 1)
        self._chats: dict[int | str, AsyncLimiter] = {}
        self._max_retries = max_retries
        self._retry_after = asyncio.Event()
        self._retry_after.set()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    def _chat_limiter(self, chat_id: int | str) -> AsyncLimiter:
        if len(self._chats) > 4096:
            for key, limiter in list(self._chats.items()):
                if limiter.has_capacity(limiter.max_rate):
                    del self._chats[key]
        found = self._chats.get(chat_id)
        if found is None:
            is_group = isinstance(chat_id, str) or chat_id < 0
            limiter = (
                AsyncLimiter(GROUP_PER_MINUTE, self.group_period)
                if is_group
                else AsyncLimiter(PRIVATE_BURST, self.private_period)
            )
            self._chats[chat_id] = limiter
            return limiter
        return found

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: RateLimitArgs | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Wait for room under every limit that applies, then make the call; retry on 429."""
        bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
        chat_id = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        attempt = 0
        while True:
            try:
                if bulk:
                    await self._bulk.acquire()
                if chat_id is not None:
                    await self._chat_limiter(chat_id).acquire()
                    await self._overall.acquire()
                await self._retry_after.wait()
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= self._max_retries:
                    log.error("%s: still rate limited after %d retries", endpoint, attempt)
                    raise
                attempt += 1
                delay = exc.retry_after
                seconds = delay if isinstance(delay, int | float) else delay.total_seconds()
                log.warning("%s: Telegram asked to wait %.1f s", endpoint, seconds)
                self._retry_after.clear()
                try:
                    await asyncio.sleep(seconds + 0.1)
                finally:
                    self._retry_after.set()


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
        """Forward the call and count it."""
        api_method = url.rsplit("/", 1)[-1]
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


Clock = Callable[[], float]
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
    """

    def __init__(
        self,
        limit: str,
        *,
        backlog_after: float = 5.0,
        notice_every: float = 60.0,
        clock: Clock = time.monotonic,
    ) -> None:
        parsed = parse_limit(limit)
        amount, period = float(parsed.amount), float(parsed.get_expiry())
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

    def arrive(self, user_id: int, update_id: int, *, collapsible: bool) -> Arrival:
        """Count a user's update the moment it arrives and remember it until it departs."""
        arrival = Arrival(
            update_id=update_id,
            at=self.clock(),
            admitted=self._on_arrival.take(user_id),
            collapsible=collapsible,
        )
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
