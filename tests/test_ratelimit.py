"""The outbound limiter's 429 isolation, and limits shared by replicas through Redis.

The limiter is driven directly with a fake Bot API callback that records when each call went
out and raises ``RetryAfter`` when told to. Tests that need Redis skip when it cannot be reached
(``GONGYOU_TEST_REDIS_URL``, by default redis://127.0.0.1:6379/0); each uses its own key
namespace, so they never see each other's buckets.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.app import PerUserUpdateProcessor, build_application
from bot.config import ConfigError, Settings, load_settings
from bot.db import Database
from bot.ratelimit import OVERALL_PER_SECOND, InboundGate, OutboundLimiter, SharedBuckets

REDIS_URL = os.environ.get("GONGYOU_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TOKEN = "123456:TEST-ratelimit"
PAUSE = 0.4
#: Time a call may take and still count as "at once" on a busy test machine.
AT_ONCE = 0.15


def redis_reachable() -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(REDIS_URL, socket_timeout=0.3, socket_connect_timeout=0.3)
    try:
        return bool(client.ping())
    except (RedisError, OSError):
        return False
    finally:
        client.close()


needs_redis = pytest.mark.skipif(
    not redis_reachable(), reason=f"Redis is not reachable at {REDIS_URL}"
)


class FakeApi:
    """Records each call's chat and time; raises RetryAfter for the calls told to."""

    def __init__(self) -> None:
        self.sent: list[tuple[Any, float]] = []
        self.refusals: dict[Any, list[float]] = {}
        self.attempts = 0
        self.refused = asyncio.Event()

    def refuse(self, chat_id: Any, *seconds: float) -> None:
        """The next sends to ``chat_id`` get a 429 asking to wait ``seconds`` each."""
        self.refusals.setdefault(chat_id, []).extend(seconds)

    async def call(self, chat_id: Any) -> bool:
        self.attempts += 1
        waits = self.refusals.get(chat_id)
        if waits:
            self.refused.set()
            raise RetryAfter(timedelta(seconds=waits.pop(0)))
        self.sent.append((chat_id, time.monotonic()))
        return True


def sender(limiter: OutboundLimiter, api: FakeApi) -> Callable[..., Awaitable[Any]]:
    """A send through ``limiter`` to ``api``, the way ExtBot calls it."""

    async def send(chat_id: Any, *, bulk: bool = False, endpoint: str = "sendMessage") -> Any:
        data = {"chat_id": chat_id} if chat_id is not None else {}
        return await limiter.process_request(
            api.call, (chat_id,), {}, endpoint, data, {"bulk": True} if bulk else None
        )

    return send


async def timed(call: Awaitable[Any]) -> float:
    started = time.monotonic()
    await call
    return time.monotonic() - started


async def refused_once(api: FakeApi) -> None:
    """Wait until the planned 429 has been answered."""
    await asyncio.wait_for(api.refused.wait(), 5)


@asynccontextmanager
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """A database the application can be built over (wiring only: nothing is stored)."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'wiring.sqlite3'}")
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


# 429 isolation in one process


async def test_a_reply_to_another_chat_goes_at_once_while_bulk_sends_are_paused(
    api: FakeApi,
) -> None:
    send = sender(OutboundLimiter(), api)
    api.refuse(1001, PAUSE)
    bulk = asyncio.create_task(timed(send(1001, bulk=True)))
    await refused_once(api)

    reply_took = await timed(send(2002))
    other_bulk_took = await timed(send(3003, bulk=True))

    assert reply_took < AT_ONCE
    assert other_bulk_took > PAUSE * 0.75
    assert await bulk >= PAUSE
    assert sorted(chat for chat, _ in api.sent) == [1001, 2002, 3003]
    assert api.sent[0][0] == 2002


async def test_a_chat_paused_by_a_429_does_not_hold_replies_to_other_chats(
    api: FakeApi,
) -> None:
    send = sender(OutboundLimiter(), api)
    api.refuse(1001, PAUSE)
    first = asyncio.create_task(timed(send(1001)))
    await refused_once(api)

    other_chat_took = await timed(send(2002))
    bulk_took = await timed(send(3003, bulk=True))
    same_chat_took = await timed(send(1001))

    assert other_chat_took < AT_ONCE
    assert bulk_took < AT_ONCE
    assert same_chat_took > PAUSE * 0.5  # it waits out what is left of the chat's pause
    assert await first >= PAUSE


async def test_a_429_on_a_call_to_no_chat_retries_that_call_and_pauses_nobody(
    api: FakeApi,
) -> None:
    send = sender(OutboundLimiter(), api)
    api.refuse(None, PAUSE)
    answer = asyncio.create_task(timed(send(None, endpoint="answerCallbackQuery")))
    await refused_once(api)

    assert await timed(send(2002)) < AT_ONCE
    assert await timed(send(3003, bulk=True)) < AT_ONCE
    assert await answer >= PAUSE


async def test_a_send_refused_every_time_gives_up_after_the_allowed_retries(
    api: FakeApi,
) -> None:
    send = sender(OutboundLimiter(max_retries=2), api)
    api.refuse(1001, 0, 0, 0, 0, 0)

    with pytest.raises(RetryAfter):
        await send(1001)

    assert api.attempts == 3
    assert api.sent == []


async def test_a_send_refused_once_goes_out_on_the_retry(api: FakeApi) -> None:
    send = sender(OutboundLimiter(max_retries=2), api)
    api.refuse(1001, 0)

    assert await send(1001, bulk=True) is True
    assert api.attempts == 2
    assert [chat for chat, _ in api.sent] == [1001]


# Settings and wiring


async def test_without_a_redis_url_the_limits_stay_in_the_process(tmp_path: Path) -> None:
    settings = Settings(bot_token=TOKEN, _env_file=None)  # type: ignore[call-arg]
    async with database(tmp_path) as db:
        app = build_application(settings, db=db, job_queue=False, updater=False)
    limiter = app.bot.rate_limiter
    processor = app.update_processor

    assert settings.redis_url is None
    assert isinstance(limiter, OutboundLimiter)
    assert limiter.shared is None
    assert isinstance(processor, PerUserUpdateProcessor)
    assert processor.gate.shared is None


def test_a_redis_url_that_is_not_one_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGYOU_REDIS_URL", "127.0.0.1:6379")

    with pytest.raises(ConfigError, match="GONGYOU_REDIS_URL must read like redis://"):
        load_settings(_env_file=None)


async def test_with_a_redis_url_the_limiter_and_the_gate_share_one_set_of_buckets(
    tmp_path: Path,
) -> None:
    settings = Settings(
        bot_token=TOKEN,
        redis_url=REDIS_URL,
        _env_file=None,  # type: ignore[call-arg]
    )
    async with database(tmp_path) as db:
        app = build_application(settings, db=db, job_queue=False, updater=False)
    limiter = app.bot.rate_limiter
    processor = app.update_processor
    assert isinstance(limiter, OutboundLimiter)
    assert isinstance(processor, PerUserUpdateProcessor)

    assert limiter.shared is not None
    assert processor.gate.shared is limiter.shared
    assert limiter.shared.namespace == "gongyou:123456"  # the bot's id, never its secret
    await limiter.shutdown()


async def test_an_unreachable_redis_falls_back_to_the_process_own_limits(api: FakeApi) -> None:
    shared = SharedBuckets("redis://127.0.0.1:1/0", namespace=f"test:{uuid.uuid4().hex}")
    limiter = OutboundLimiter(shared=shared)
    send = sender(limiter, api)
    try:
        took = await timed(asyncio.gather(send(1001), send(2002, bulk=True), send(1001)))
    finally:
        await limiter.shutdown()

    assert took < 1.0
    assert sorted(chat for chat, _ in api.sent) == [1001, 1001, 2002]


# Shared through Redis


@pytest.fixture
async def buckets() -> AsyncIterator[Callable[[], SharedBuckets]]:
    """Makes SharedBuckets over one fresh namespace, as replicas of one bot would."""
    namespace = f"test:{uuid.uuid4().hex}"
    made: list[SharedBuckets] = []

    def make() -> SharedBuckets:
        made.append(SharedBuckets(REDIS_URL, namespace=namespace))
        return made[-1]

    yield make
    for shared in made:
        await shared.aclose()


def overflow(times: list[float], amount: float, per_second: float) -> float:
    """How far a leaky bucket of ``amount`` draining ``per_second`` overflowed on ``times``."""
    level, at, worst = 0.0, None, 0.0
    for now in sorted(times):
        level = max(0.0, level - (now - at) * per_second) if at is not None else 0.0
        level += 1
        at = now
        worst = max(worst, level - amount)
    return worst


async def replicas_send(limiters: list[OutboundLimiter], api: FakeApi, each: int) -> None:
    sends = [
        sender(limiter, api)(10_000 * n + i)
        for n, limiter in enumerate(limiters)
        for i in range(each)
    ]
    await asyncio.gather(*sends)


async def test_two_limiters_without_redis_together_go_over_the_global_budget(
    api: FakeApi,
) -> None:
    await replicas_send([OutboundLimiter(), OutboundLimiter()], api, each=35)

    times = sorted(at for _, at in api.sent)
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest > OVERALL_PER_SECOND + 10


async def test_one_limiter_never_lets_a_second_see_more_than_the_global_budget(
    api: FakeApi,
) -> None:
    await replicas_send([OutboundLimiter()], api, each=45)

    times = sorted(at for _, at in api.sent)
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= OVERALL_PER_SECOND + 1  # a pace: both ends of it may fall in one second


@needs_redis
async def test_two_limiters_over_one_redis_never_exceed_the_global_budget_together(
    api: FakeApi, buckets: Callable[[], SharedBuckets]
) -> None:
    limiters = [OutboundLimiter(shared=buckets()), OutboundLimiter(shared=buckets())]

    await replicas_send(limiters, api, each=35)

    times = [at for _, at in api.sent]
    assert len(times) == 70
    # slack of two messages (~70 ms) for the time between taking a slot and making the call;
    # Telegram forgives such jitter, and the two limiters on their own overflow by ~40
    assert overflow(times, OVERALL_PER_SECOND, OVERALL_PER_SECOND) <= 2
    assert max(times) - min(times) >= (70 - OVERALL_PER_SECOND - 1) / OVERALL_PER_SECOND


@needs_redis
async def test_two_limiters_over_one_redis_keep_one_chat_to_its_pace_together(
    api: FakeApi, buckets: Callable[[], SharedBuckets]
) -> None:
    limiters = [OutboundLimiter(shared=buckets(), private_period=0.3) for _ in range(2)]

    await asyncio.gather(*(sender(limiters[n % 2], api)(1001) for n in range(8)))

    # a burst of 3, then one every 0.1 s: 8 messages take at least 0.5 s
    times = sorted(at for _, at in api.sent)
    assert times[-1] - times[0] >= 0.45
    assert overflow(times, 3, 10) <= 1


@needs_redis
async def test_a_bulk_429_on_one_replica_pauses_bulk_sends_on_the_other_but_no_replies(
    api: FakeApi, buckets: Callable[[], SharedBuckets]
) -> None:
    first, second = OutboundLimiter(shared=buckets()), OutboundLimiter(shared=buckets())
    api.refuse(1001, PAUSE)
    refused = asyncio.create_task(sender(first, api)(1001, bulk=True))
    await refused_once(api)
    await asyncio.sleep(0.05)  # the pause reaches Redis

    reply_took = await timed(sender(second, api)(2002))
    bulk_took = await timed(sender(second, api)(3003, bulk=True))
    await refused

    assert reply_took < AT_ONCE
    assert bulk_took > PAUSE * 0.5


@needs_redis
async def test_two_gates_over_one_redis_count_a_user_s_updates_together(
    buckets: Callable[[], SharedBuckets],
) -> None:
    gates = [InboundGate("3 per 5 seconds", shared=buckets()) for _ in range(2)]

    arrivals = []
    for update_id in range(1, 6):
        arrivals.append(gates[update_id % 2].arrive(42, update_id, collapsible=False))
        for gate in gates:
            assert gate.shared is not None
            await gate.shared.settled()

    assert [a.admitted for a in arrivals] == [True, True, True, False, False]
    other = gates[0].arrive(43, 6, collapsible=False)
    assert gates[0].shared is not None
    await gates[0].shared.settled()
    assert other.admitted


async def test_a_gate_without_redis_counts_as_it_always_did() -> None:
    gates = [InboundGate("3 per 5 seconds") for _ in range(2)]

    arrivals = [gates[n % 2].arrive(42, n, collapsible=False) for n in range(1, 6)]

    assert [a.admitted for a in arrivals] == [True, True, True, True, True]
    assert gates[1].arrive(42, 6, collapsible=False).admitted is False
