"""Three webhook replicas, each its own process, over one PostgreSQL and one Redis, are one bot.

Every replica is started as ``gongyou run --mode webhook`` would start it (``tests.replicas``),
on its own port, and all of them talk to one fake Bot API that records each call with the time
it was answered. Updates are posted to the replicas as Telegram (behind a load balancer) would:
the same update to all three, as a redelivery, and different updates spread over them.

Needs GONGYOU_TEST_DATABASE_URL and Redis at 127.0.0.1:6379 (GONGYOU_TEST_REDIS_URL); skipped
without either. The bot's id in the token is random, so the replicas' Redis keys are this run's.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlmodel import SQLModel

from bot.config import Settings
from bot.core.inbox import INBOX
from bot.core.lease import LEASES
from bot.core.users import touch_user
from bot.db import Database
from bot.i18n import t
from bot.jobs.broadcast import BROADCASTS, LEASE_NAME, RECIPIENTS, launch_broadcast
from bot.panel.demo import subscribers
from tests.factories import message
from tests.replicas import (
    PATH,
    SECRET,
    Cluster,
    RecordingBotApi,
    Timed,
    busiest_second,
    overflow,
    post_all,
)

PG_URL = os.environ.get("GONGYOU_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("GONGYOU_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REPLICAS = 3
#: The overall outbound limit given to every replica (Telegram's is 30 a second).
PER_SECOND = 10
#: GONGYOU_BULK_MESSAGES_PER_SECOND of every replica: the broadcast's pace.
BULK_PER_SECOND = 10
#: The broadcast sender's lease (30 s in production), so a takeover is seen within seconds.
LEASE_SECONDS = 3

#: Users of each test (ids nobody else uses).
REDELIVERED, SPREAD, BURST = 7_100_000, 7_200_000, 7_300_000
ONE_REPLICA_USER, SPREAD_USER = 7_400_001, 7_400_002
SUBSCRIBERS, STAFF = 7_500_000, 7_599_999
BROADCAST_TEXT = "工会通知：周六上午有劳动法讲座（副本测试）"


def _redis_reachable() -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(REDIS_URL, socket_timeout=0.3, socket_connect_timeout=0.3)
    try:
        return bool(client.ping())
    except (RedisError, OSError):
        return False
    finally:
        client.close()


def _missing() -> str | None:
    """Why the replicas cannot run here, or None."""
    if not PG_URL:
        return "set GONGYOU_TEST_DATABASE_URL: replicas share one PostgreSQL database"
    if not _redis_reachable():
        return f"Redis is not reachable at {REDIS_URL}"
    return None


MISSING = _missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


# --- fixtures ---------------------------------------------------------------------------------


def _database_url() -> str:
    assert PG_URL is not None
    return Settings(database_url=PG_URL, _env_file=None).database_url


def _run_db(work: Any) -> Any:
    """Run ``await work(db)`` on a fresh connection to the test database."""

    async def run() -> Any:
        db = Database(_database_url())
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


async def _fresh(db: Database) -> None:
    await db.upgrade()
    names = ", ".join(table.name for table in SQLModel.metadata.sorted_tables)
    async with db.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def _forget_redis_keys(namespace: str) -> None:
    from redis import Redis

    client = Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        keys = list(client.scan_iter(match=f"{namespace}:*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Three replicas on a fresh database, sharing Redis and one recording Bot API."""
    _run_db(_fresh)
    bot_id = random.randint(10**9, 2 * 10**9)
    token = f"{bot_id}:REPLICA-test-token"
    api = RecordingBotApi(token)
    api.start()
    replicas = Cluster(api)
    env = {
        "GONGYOU_BOT_TOKEN": token,
        "GONGYOU_DATABASE_URL": _database_url(),
        "GONGYOU_API_BASE_URL": api.base_url,
        "GONGYOU_API_FILE_URL": f"http://127.0.0.1:{api.port}/file/bot",
        "GONGYOU_WEBHOOK_URL": "https://bot.example.org",
        "GONGYOU_WEBHOOK_PATH": PATH,
        "GONGYOU_WEBHOOK_SECRET": SECRET,
        "GONGYOU_WEBHOOK_LISTEN": "127.0.0.1",
        "GONGYOU_REDIS_URL": REDIS_URL,
        "GONGYOU_BULK_MESSAGES_PER_SECOND": str(BULK_PER_SECOND),
        "GONGYOU_QUIET_HOURS": "off",
        "GONGYOU_MEMBER_KEY": "replica-test-member-key",
        "GONGYOU_AUDIT_KEY": "replica-test-audit-key",
        "GONGYOU_MESSAGES_PER_SECOND": str(PER_SECOND),
        "GONGYOU_SENDER_LEASE_S": str(LEASE_SECONDS),
    }
    logs: Path = tmp_path_factory.mktemp("replicas")
    try:
        replicas.start(REPLICAS, env, logs)
        replicas.wait_ready()
        yield replicas
    finally:
        replicas.stop()
        api.stop()
        _forget_redis_keys(f"gongyou:{bot_id}")


def _welcome() -> str:
    return t("zh", "welcome")


def _by_chat(sent: list[Timed], chats: set[int]) -> dict[int, list[Timed]]:
    found: dict[int, list[Timed]] = {}
    for call in sent:
        if call.chat_id in chats:
            found.setdefault(call.chat_id, []).append(call)
    return found


async def _inbox_states(db: Database, update_ids: list[int]) -> dict[int, str]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            select(INBOX.c.update_id, INBOX.c.state).where(INBOX.c.update_id.in_(update_ids))
        )
        return {int(row.update_id): str(row.state) for row in rows}


# --- each update once ---------------------------------------------------------------------------


def test_each_update_is_handled_once_whichever_replicas_it_reaches(cluster: Cluster) -> None:
    urls = [replica.url for replica in cluster.replicas]
    redelivered = [message("/start", user_id=REDELIVERED + n) for n in range(12)]
    spread = [message("/start", user_id=SPREAD + n) for n in range(12)]
    posts = [(url, update) for update in redelivered for url in urls]
    posts += [(urls[n % len(urls)], update) for n, update in enumerate(spread)]
    random.Random(7).shuffle(posts)

    assert post_all(posts) == [200] * len(posts)  # every replica stored or recognised it

    users = {REDELIVERED + n for n in range(12)} | {SPREAD + n for n in range(12)}
    cluster.api.wait(
        lambda sent: set(_by_chat(sent, users)) == users, within=15, what="a reply to each user"
    )
    # Telegram may deliver an update again long after it was handled.
    late = [(urls[n % len(urls)], update) for n, update in enumerate(redelivered + spread)]
    assert post_all(late) == [200] * len(late)
    time.sleep(1.0)  # room for a second reply, were an update handled twice
    replies = _by_chat(cluster.api.snapshot(), users)
    assert {user: len(calls) for user, calls in replies.items()} == dict.fromkeys(users, 1)
    assert {call.text for calls in replies.values() for call in calls} == {_welcome()}
    ids = [int(update["update_id"]) for update in redelivered + spread]
    states = _run_db(lambda db: _inbox_states(db, ids))
    assert states == dict.fromkeys(ids, "done")


# --- one outbound limit for all replicas ------------------------------------------------------


@pytest.fixture(scope="module")
def burst(cluster: Cluster) -> list[float]:
    """Answer times of replies to 3 x PER_SECOND users writing at once, spread over replicas."""
    time.sleep(1.5)  # the shared bucket drains: the burst starts from an idle bot
    count = 3 * PER_SECOND
    users = {BURST + n for n in range(count)}
    urls = [replica.url for replica in cluster.alive]
    posts = [(urls[n % len(urls)], message("/start", user_id=BURST + n)) for n in range(count)]
    assert post_all(posts) == [200] * count
    sent = cluster.api.wait(
        lambda sent: len(_by_chat(sent, users)) == count, within=15, what="every reply"
    )
    return [call.at for calls in _by_chat(sent, users).values() for call in calls]


def test_replies_from_every_replica_keep_one_shared_outbound_limit(burst: list[float]) -> None:
    # Each replica on its own would allow a burst of PER_SECOND and then PER_SECOND a second:
    # three together would overflow the one bucket by about 2 x PER_SECOND and send everything
    # within a second. Slack of three messages for the way from the bucket to the Bot API.
    assert overflow(burst, PER_SECOND, PER_SECOND) <= 3
    assert max(burst) - min(burst) >= (len(burst) - PER_SECOND - 3) / PER_SECOND


def test_no_second_sees_more_messages_than_the_limit(burst: list[float]) -> None:
    # the overall limit is a pace (one message every 1/PER_SECOND s); three more for the
    # jitter of the way from the limiter to the Bot API (the pace's two ends may fall in one
    # second, and a replica the machine's scheduler held back sends two or three together),
    # the same slack as the overflow test above
    assert busiest_second(burst) <= PER_SECOND + 3


# --- one user's updates in order ----------------------------------------------------------------


def _slow_welcome_to(user_id: int, seconds: float) -> Any:
    """Hold the welcome to ``user_id`` back, as a slow link from its replica to Telegram would."""

    def delay(call: Any) -> float:
        params = call.params
        if call.method == "sendMessage" and str(params.get("chat_id")) == str(user_id):
            return seconds if params.get("text") == _welcome() else 0.0
        return 0.0

    return delay


def _answer_in_turn(cluster: Cluster, user_id: int, targets: list[int]) -> list[str]:
    """Post /start, /help and /menu of one user, each after the previous one was accepted,
    to the replicas numbered ``targets``; return the texts of the replies in answer order."""
    cluster.api.delay = _slow_welcome_to(user_id, 1.5)
    try:
        for command, target in zip(("/start", "/help", "/menu"), targets, strict=True):
            url = cluster.replicas[target].url
            if post_all([(url, message(command, user_id=user_id))]) != [200]:
                raise RuntimeError(f"{command} was not accepted")
        sent = cluster.api.wait(
            lambda sent: len(_by_chat(sent, {user_id}).get(user_id, [])) >= 3,
            within=10,
            what="three replies",
        )
    finally:
        cluster.api.delay = lambda _call: 0.0
    return [call.text for call in _by_chat(sent, {user_id})[user_id]]


EXPECTED_ORDER = [t("zh", "welcome"), t("zh", "help"), t("zh", "menu")]


def test_one_replica_answers_a_users_updates_in_order_even_when_a_reply_is_slow(
    cluster: Cluster,
) -> None:
    assert _answer_in_turn(cluster, ONE_REPLICA_USER, [0, 0, 0]) == EXPECTED_ORDER


def test_replicas_answer_a_users_updates_in_order_even_when_a_reply_is_slow(
    cluster: Cluster,
) -> None:
    assert _answer_in_turn(cluster, SPREAD_USER, [0, 1, 2]) == EXPECTED_ORDER


# --- the broadcast: one sender, and a takeover when it dies -----------------------------------


async def _subscribe(db: Database, user_ids: list[int]) -> None:
    await subscribers(db, user_ids)
    async with db.session() as session:
        await touch_user(session, user_id=STAFF, language="zh")  # who starts the broadcast
        await session.commit()


async def _lease_owner(db: Database) -> str | None:
    async with db.engine.connect() as conn:
        owner = await conn.execute(select(LEASES.c.owner).where(LEASES.c.name == LEASE_NAME))
        return owner.scalar()


async def _ledger(db: Database, broadcast_id: int) -> dict[int, str]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            select(RECIPIENTS.c.user_id, RECIPIENTS.c.status).where(
                RECIPIENTS.c.broadcast_id == broadcast_id
            )
        )
        return {int(row.user_id): str(row.status) for row in rows}


async def _status(db: Database, broadcast_id: int) -> str:
    async with db.engine.connect() as conn:
        found = await conn.execute(
            select(BROADCASTS.c.status).where(BROADCASTS.c.id == broadcast_id)
        )
        return str(found.scalar_one())


def _pid(owner: str | None) -> int:
    """The process id in a lease owner's name (host:pid:tag)."""
    assert owner is not None, "nobody holds the broadcast lease"
    return int(owner.rsplit(":", 2)[1])


def _broadcast_to(sent: list[Timed]) -> list[Timed]:
    return [call for call in sent if call.text == BROADCAST_TEXT]


def test_one_replica_sends_a_broadcast_and_another_finishes_it_when_it_is_killed(
    cluster: Cluster,
) -> None:
    recipients = [SUBSCRIBERS + n for n in range(40)]
    _run_db(lambda db: _subscribe(db, recipients))
    broadcast_id, total = _run_db(
        lambda db: db.transact(
            launch_broadcast,
            created_by=STAFF,
            audience={},
            kind="text",
            text=BROADCAST_TEXT,
        )
    )
    assert total == 40

    # Mid-broadcast: the first batch went out, the second is being sent.
    cluster.api.wait(
        lambda sent: len(_broadcast_to(sent)) >= 15, within=10, what="15 broadcast messages"
    )
    holder = cluster.by_pid(_pid(_run_db(_lease_owner)))
    assert holder is not None, "the broadcast lease is held by no replica of this test"
    holder.kill()
    killed_at = time.monotonic()
    # Nobody else may touch the ledger before the dead replica's lease runs out.
    in_flight = {
        uid
        for uid, status in _run_db(lambda db: _ledger(db, broadcast_id)).items()
        if status == "sending"
    }
    before = _broadcast_to(cluster.api.snapshot())
    assert len(before) < len(recipients), "the broadcast ended before the replica was killed"

    deadline = time.monotonic() + LEASE_SECONDS + 15
    while _run_db(lambda db: _status(db, broadcast_id)) != "done":
        assert time.monotonic() < deadline, "no other replica finished the broadcast"
        time.sleep(0.2)

    successor = cluster.by_pid(_pid(_run_db(_lease_owner)))
    assert successor is not None, "the broadcast lease is held by no replica of this test"
    assert successor is not holder
    assert successor.alive
    ledger = _run_db(lambda db: _ledger(db, broadcast_id))
    sent = _broadcast_to(cluster.api.snapshot())
    received = Counter(call.chat_id for call in sent)
    after = [call for call in sent if call.at > killed_at]
    assert after, "the surviving replica sent nothing"
    assert set(received) <= set(recipients)
    for uid in recipients:
        if uid not in in_flight:
            # sent by exactly one replica: the holder before its death, or its successor
            assert received[uid] == 1, (uid, received[uid], ledger[uid])
            continue
        # A row the dead replica was sending: it may have reached the worker or not.
        # Recovery either never sends it again (`unconfirmed`: at most once) or sends it once
        # more (`resent`: at least once, at most one duplicate).
        assert received[uid] <= 2, (uid, received[uid], ledger[uid])
        if received[uid] == 0:
            assert ledger[uid] == "unconfirmed", (uid, ledger[uid])
        if received[uid] == 2:
            assert ledger[uid] == "resent", (uid, ledger[uid])
