"""The one outbound path: Telegram's limits, RetryAfter, bulk sends that never starve replies.

Telegram asks bots to stay under about 30 messages a second overall, about one a second in a
private chat and 20 a minute in a group. ``OutboundLimiter`` applies all three with aiolimiter.
Bulk sends (broadcasts, alerts) pass ``rate_limit_args={"bulk": True}`` and first take a token
from a separate, slower bucket (25/s by default), so replies to workers always find room in the
overall budget. ``MeteredRequest`` counts every Bot API call and every 429 for the metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
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


class OutboundLimiter(BaseRateLimiter[RateLimitArgs]):
    """Overall, per-chat and bulk limits for every Bot API call that targets a chat."""

    def __init__(self, *, bulk_per_second: float = 25.0, max_retries: int = 3) -> None:
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
                AsyncLimiter(GROUP_PER_MINUTE, 60) if is_group else AsyncLimiter(PRIVATE_BURST, 3)
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
