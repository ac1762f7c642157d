"""Staff broadcasts: the ledger, the sender (pace, 429, 403, 400, retries, crash, lease), UI."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from telegram.error import TimedOut

from bot.app import encoders
from bot.config import Settings
from bot.core.lease import LEASES
from bot.core.models import Role
from bot.core.users import USERS, forget_user, grant_role, set_language
from bot.db import Database
from bot.i18n import t
from bot.jobs.broadcast import (
    BROADCASTS,
    LEASE_NAME,
    RECIPIENTS,
    BroadcastSender,
    audience_count,
    audience_ids,
    audience_options,
    begin_launch,
    broadcast_status,
    cancel_broadcast,
    create_broadcast,
    launch,
    launch_broadcast,
    pause_broadcast,
    prepare_chunk,
    resume_broadcast,
    seeker_in_audience,
)
from bot.jobs.core import POSTINGS, SEEKERS
from bot.jobs.models import BroadcastStatus, PostingStatus, RecipientStatus
from bot.localapi import Call
from handlers.notifier import TelegramNotifier
from tests.conftest import Harness
from tests.factories import STAFF_ID, WORKER_ID, callback, message, sticker

NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Zhengzhou
NIGHT = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)  # 23:00 the same day, inside quiet hours
MORNING = datetime(2025, 3, 3, 23, 0, tzinfo=UTC)  # 07:00 on Tuesday, when quiet hours end
QUIET = "22:00-07:00"
FIRST_SEEKER = 900_001
_titles = itertools.count(1)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test settings, with room for staff tapping through several buttons quickly."""
    return settings.model_copy(update={"flood_limit": "100 per 1 second", "quiet_hours": QUIET})


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def staff_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock the /broadcast handlers read: Monday 10:00 unless a test moves it."""
    clock = Clock()
    monkeypatch.setattr("handlers.jobs.broadcast.utcnow", clock)
    return clock


class Sleeps:
    """Records the sender's waits instead of waiting."""

    def __init__(self, events: list[Any] | None = None) -> None:
        self.waits: list[float] = []
        self.events = events if events is not None else []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.events.append(("sleep", seconds))


async def _subscribers(db: Database, *seekers: dict[str, Any]) -> list[int]:
    """Insert users with a job-seeker registration (alerts on unless told otherwise)."""
    users, rows = [], []
    for seeker in seekers:
        users.append(
            {
                "id": seeker["user_id"],
                "language": seeker.get("language", "zh"),
                "roles": [],
                "consents": {},
                "first_seen": NOW,
                "last_seen": NOW,
            }
        )
        rows.append(
            {
                "user_id": seeker["user_id"],
                "districts": seeker.get("districts", []),
                "industries": seeker.get("industries", []),
                "types": seeker.get("types", []),
                "metro_lines": [],
                "tags": 0,
                "min_pay": None,
                "min_pay_unit": None,
                "alerts": seeker.get("alerts", True),
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
    async with db.engine.begin() as conn:
        await conn.execute(insert(USERS), users)
        await conn.execute(insert(SEEKERS), rows)
    return [seeker["user_id"] for seeker in seekers]


async def _many(db: Database, count: int, **fields: Any) -> list[int]:
    return await _subscribers(db, *({"user_id": FIRST_SEEKER + n, **fields} for n in range(count)))


async def _posting(db: Database, *, published_at: datetime, **overrides: Any) -> int:
    number = next(_titles)
    row: dict[str, Any] = {
        "title": f"分拣员{number}",
        "employer_name": "顺达物流",
        "city": "郑州市",
        "district": "金水区",
        "address": "",
        "metro_line": "1号线",
        "metro_station": "",
        "industry": "logistics",
        "employment_type": "full_time",
        "pay_min": 5000.0,
        "pay_max": 6000.0,
        "pay_unit": "month",
        "pay_text": "5000-6000元/月",
        "hours": "",
        "requirements": "",
        "tags": 0,
        "contact": "0371-12345678",
        "expires_on": None,
        "employer_id": None,
        "source": "staff_import",
        "status": PostingStatus.published.value,
        "owner_id": None,
        "dedupe_key": f"key-{number}",
        "search_text": "",
        "flags": [],
        "review_note": "",
        "reviewed_by": None,
        "contact_views": 0,
        "report_count": 0,
        "published_at": published_at,
        "created_at": published_at,
        "updated_at": published_at,
    }
    row.update(overrides)
    async with db.engine.begin() as conn:
        result = await conn.execute(insert(POSTINGS).values(**row).returning(POSTINGS.c.id))
        return int(result.scalar_one())


async def _launch(db: Database, text: str = "工会通知：周六有招聘会", **audience: Any) -> int:
    broadcast_id, _total = await db.transact(
        launch_broadcast, created_by=STAFF_ID, audience=audience, kind="text", text=text, now=NOW
    )
    return int(broadcast_id)


async def _ledger(db: Database, broadcast_id: int) -> dict[int, dict[str, Any]]:
    async with db.engine.connect() as conn:
        rows = (
            await conn.execute(select(RECIPIENTS).where(RECIPIENTS.c.broadcast_id == broadcast_id))
        ).mappings()
        return {int(row["user_id"]): dict(row) for row in rows}


async def _statuses(db: Database, broadcast_id: int) -> dict[int, str]:
    return {uid: row["status"] for uid, row in (await _ledger(db, broadcast_id)).items()}


async def _broadcast(db: Database, broadcast_id: int) -> dict[str, Any]:
    async with db.engine.connect() as conn:
        row = (
            (await conn.execute(select(BROADCASTS).where(BROADCASTS.c.id == broadcast_id)))
            .mappings()
            .one()
        )
        return dict(row)


def _sends_to(harness: Harness, text: str) -> dict[int, int]:
    """How many times each chat received a message with ``text`` (failed calls not counted)."""
    counts: dict[int, int] = {}
    for call in harness.api.sent("sendMessage"):
        if text in call.text and call.result is not None:
            chat = int(call.params["chat_id"])
            counts[chat] = counts.get(chat, 0) + 1
    return counts


def _sender(harness: Harness, clock: Clock, **kwargs: Any) -> BroadcastSender:
    options: dict[str, Any] = {"rate": 1000, "owner": "replica-a", "clock": clock}
    options.update(kwargs)
    options.setdefault("sleep", Sleeps())
    return BroadcastSender(TelegramNotifier(harness.app.bot, encoders()), harness.db, **options)


async def _drain(sender: BroadcastSender, steps: int = 20) -> None:
    """Step until nothing is left to send (and the finished broadcast is reported)."""
    for _ in range(steps):
        if await sender.step() == 0:
            return


async def _staff(harness: Harness, language: str = "zh") -> None:
    async with harness.db.session() as session:
        await grant_role(session, actor_id=None, user_id=STAFF_ID, role=Role.staff)
        if language != "zh":
            await set_language(session, user_id=STAFF_ID, language=language)


def _popup(calls: list[Call]) -> str:
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answers, [c.method for c in calls]
    return str(answers[-1].params.get("text", ""))


# --- the ledger -------------------------------------------------------------------------------


async def test_starting_a_broadcast_writes_one_pending_row_per_subscriber(db: Database) -> None:
    await _many(db, 3)
    await _subscribers(db, {"user_id": 42, "alerts": False})

    broadcast_id = await _launch(db)

    assert await _statuses(db, broadcast_id) == {
        FIRST_SEEKER: "pending",
        FIRST_SEEKER + 1: "pending",
        FIRST_SEEKER + 2: "pending",
    }
    row = await _broadcast(db, broadcast_id)
    assert (row["status"], row["total"]) == ("running", 3)


async def test_an_audience_filter_is_any_of_and_keeps_workers_without_a_preference(
    db: Database,
) -> None:
    await _subscribers(
        db,
        {"user_id": 1, "districts": ["金水区"]},
        {"user_id": 2, "districts": ["二七区"]},
        {"user_id": 3, "districts": []},
        {"user_id": 4, "districts": ["金水区"], "industries": ["catering"]},
        {"user_id": 5, "districts": ["中原区", "金水区"], "types": ["daily"]},
    )

    broadcast_id = await _launch(db, districts=["金水区"], industries=["logistics"])

    assert sorted(await _statuses(db, broadcast_id)) == [1, 3, 5]
    assert await db.transact(audience_count, audience={"types": ["seasonal"]}) == 4


async def test_the_database_picks_the_audience_the_rule_describes(db: Database) -> None:
    # The counts, the ids and the launch filter in SQL; the rule they follow, in Python, is
    # the reference on random registrations (lists of none, one or several values).
    rng = random.Random(7)
    districts, industries, types = ["金水区", "二七区", "中原区", "惠济区"], ["logistics",
        "catering", "cleaning"], ["daily", "part_time"]  # fmt: skip
    seekers = [
        {
            "user_id": FIRST_SEEKER + n,
            "districts": rng.sample(districts, rng.choice([0, 1, 1, 2, 3])),
            "industries": rng.sample(industries, rng.choice([0, 1, 2])),
            "types": rng.sample(types, rng.choice([0, 1])),
            "alerts": rng.random() < 0.8,
        }
        for n in range(120)
    ]
    await _subscribers(db, *seekers)
    audiences = [
        {},
        {"districts": ["金水区"]},
        {"districts": ["二七区", "惠济区"], "industries": ["catering"]},
        {"industries": ["cleaning", "logistics"], "types": ["daily"]},
        {"districts": ["中原区"], "industries": ["logistics"], "types": ["part_time"]},
    ]
    for audience in audiences:
        expected = [
            s["user_id"] for s in seekers if s["alerts"] and seeker_in_audience(s, audience)
        ]
        assert await db.transact(audience_ids, audience=audience) == expected
        assert await db.transact(audience_count, audience=audience) == len(expected)
        broadcast_id, total = await launch(
            db, created_by=STAFF_ID, audience=audience, kind="text", text="通知", chunk=7
        )
        assert total == len(expected)
        assert sorted(await _statuses(db, broadcast_id)) == expected

    options = await db.transact(audience_options)
    subscribed = [s for s in seekers if s["alerts"]]
    assert options.subscribers == len(subscribed)

    def ranked(key: str) -> tuple[str, ...]:
        counts = Counter(value for s in subscribed for value in s[key])
        return tuple(sorted(counts, key=lambda value: (-counts[value], value)))

    assert options.districts == ranked("districts")  # most registered first
    assert options.industries == ranked("industries")
    assert options.types == ranked("types")


async def test_an_unknown_industry_in_the_audience_is_refused(db: Database) -> None:
    from bot.jobs.broadcast import BroadcastError

    with pytest.raises(BroadcastError):
        await db.transact(audience_count, audience={"industries": ["piracy"]})


# --- a launch in chunks -----------------------------------------------------------------------


async def test_a_launch_writes_the_ledger_in_chunks_and_nothing_is_sent_before_the_last(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = harness.db
    await _many(db, 7)
    await _subscribers(db, {"user_id": FIRST_SEEKER + 100, "alerts": False})
    sender = _sender(harness, Clock())
    seen: list[tuple[str, int, int]] = []
    real = db.transact
    helping = False

    async def watching(fn: Any, /, **params: Any) -> Any:
        nonlocal helping
        result = await real(fn, **params)
        if fn is prepare_chunk and not result.done and not helping:
            row = await _broadcast(db, params["broadcast_id"])
            seen.append((row["status"], len(await _ledger(db, row["id"])), row["total"]))
            helping = True
            # the sender leaves a launch in progress alone, and sends nothing
            assert await sender.step() == 0
            helping = False
            assert _sends_to(harness, "周六有招聘会") == {}
        return result

    monkeypatch.setattr(db, "transact", watching)
    broadcast_id, total = await launch(
        db, created_by=STAFF_ID, audience={}, kind="text", text="工会通知：周六有招聘会", chunk=3
    )
    monkeypatch.undo()

    assert seen == [("preparing", 3, 3), ("preparing", 6, 6)]
    assert total == 7
    row = await _broadcast(db, broadcast_id)
    assert (row["status"], row["total"]) == ("running", 7)
    assert "launch_after" not in row["audience"]
    assert sorted(await _statuses(db, broadcast_id)) == [FIRST_SEEKER + n for n in range(7)]
    await _drain(sender)
    assert _sends_to(harness, "周六有招聘会") == {FIRST_SEEKER + n: 1 for n in range(7)}


async def test_a_launch_cut_off_halfway_is_finished_by_the_sender_without_gaps_or_twins(
    harness: Harness,
) -> None:
    db = harness.db
    await _many(db, 10, districts=["金水区"])
    await _subscribers(db, {"user_id": FIRST_SEEKER + 50, "districts": ["二七区"]})

    def cut_off(conn: Any) -> int:
        broadcast_id = create_broadcast(
            conn,
            created_by=STAFF_ID,
            audience={"districts": ["金水区"]},
            kind="text",
            text="工会通知：周六有招聘会",
            now=NOW,
        )
        begin_launch(conn, broadcast_id=broadcast_id, now=NOW)
        step = prepare_chunk(conn, broadcast_id=broadcast_id, limit=4, now=NOW)
        assert (step.written, step.done) == (4, False)
        return broadcast_id

    broadcast_id = await db.transact(cut_off)  # the launching process stops here
    assert (await _broadcast(db, broadcast_id))["status"] == "preparing"

    clock = Clock(datetime.now(UTC))
    sender = _sender(harness, clock)
    await sender.step()
    assert len(await _ledger(db, broadcast_id)) == 4  # it may only be slow: left alone
    clock.advance(31)
    await _drain(sender)

    row = await _broadcast(db, broadcast_id)
    assert (row["status"], row["total"]) == ("done", 10)
    assert _sends_to(harness, "周六有招聘会") == {FIRST_SEEKER + n: 1 for n in range(10)}


async def test_a_launch_and_the_sender_writing_chunks_at_once_write_each_worker_once(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = harness.db
    await _many(db, 40)
    monkeypatch.setattr("bot.jobs.broadcast.LAUNCH_CHUNK", 3)
    monkeypatch.setattr("bot.jobs.broadcast.LAUNCH_STALE", timedelta(days=-1))  # always helps
    sender = _sender(harness, Clock())

    async def help_out() -> None:
        for _ in range(30):
            await sender.step()

    helper = asyncio.create_task(help_out())
    broadcast_id, total = await launch(
        db, created_by=STAFF_ID, audience={}, kind="text", text="工会通知：周六有招聘会", chunk=2
    )
    await helper
    assert total == 40  # a row written twice would have broken the ledger's primary key
    assert sorted(await _statuses(db, broadcast_id)) == [FIRST_SEEKER + n for n in range(40)]
    await _drain(sender)
    assert _sends_to(harness, "周六有招聘会") == {FIRST_SEEKER + n: 1 for n in range(40)}


async def test_a_broadcast_stopped_while_preparing_writes_no_more_and_sends_nothing(
    harness: Harness,
) -> None:
    db = harness.db
    await _many(db, 6)

    def started(conn: Any) -> int:
        broadcast_id = create_broadcast(
            conn, created_by=STAFF_ID, audience={}, kind="text", text="工会通知：周六有招聘会"
        )
        begin_launch(conn, broadcast_id=broadcast_id)
        prepare_chunk(conn, broadcast_id=broadcast_id, limit=2)
        return broadcast_id

    broadcast_id = await db.transact(started)
    assert await db.transact(cancel_broadcast, broadcast_id=broadcast_id, actor_id=STAFF_ID)
    step = await db.transact(prepare_chunk, broadcast_id=broadcast_id, limit=2)

    assert (step.written, step.done) == (0, True)
    await _drain(_sender(harness, Clock()))
    assert len(await _ledger(db, broadcast_id)) == 2
    assert (await _broadcast(db, broadcast_id))["status"] == "cancelled"
    assert _sends_to(harness, "周六有招聘会") == {}


async def test_the_claim_reads_the_ledger_through_its_index(db: Database) -> None:
    await _many(db, 3)
    broadcast_id = await _launch(db)
    statement = (
        select(RECIPIENTS.c.user_id)
        .where(
            RECIPIENTS.c.broadcast_id == broadcast_id,
            RECIPIENTS.c.status == RecipientStatus.pending.value,
        )
        .order_by(RECIPIENTS.c.user_id)
        .limit(25)
    )
    async with db.engine.connect() as conn:
        compiled = statement.compile(conn.sync_engine, compile_kwargs={"literal_binds": True})
        prefix = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN "
        if not db.is_sqlite:
            await conn.exec_driver_sql("SET enable_seqscan = off")
        plan = " ".join(
            str(part) for row in await conn.exec_driver_sql(f"{prefix}{compiled}") for part in row
        )
    assert "ix_broadcast_recipients_due" in plan
    assert "TEMP B-TREE" not in plan  # read in order, no sort
    assert "Sort" not in plan


# --- the sender -------------------------------------------------------------------------------


async def test_the_sender_delivers_the_text_once_to_every_recipient(harness: Harness) -> None:
    await _many(harness.db, 5)
    broadcast_id = await _launch(harness.db)

    await _drain(_sender(harness, Clock()))

    assert _sends_to(harness, "周六有招聘会") == {FIRST_SEEKER + n: 1 for n in range(5)}
    ledger = await _ledger(harness.db, broadcast_id)
    assert {row["status"] for row in ledger.values()} == {"sent"}
    assert all(row["sent_at"] == NOW and row["attempts"] == 1 for row in ledger.values())


async def test_a_finished_broadcast_is_done_and_its_author_gets_a_summary(
    harness: Harness,
) -> None:
    await _many(harness.db, 2)
    broadcast_id = await _launch(harness.db)

    await _drain(_sender(harness, Clock()))

    row = await _broadcast(harness.db, broadcast_id)
    assert row["status"] == "done"
    assert row["finished_at"] == NOW
    summary = [c.text for c in harness.api.sent("sendMessage") if c.params["chat_id"] == STAFF_ID]
    assert summary == [
        t(
            "zh",
            "bc-done-summary",
            id=str(broadcast_id),
            total=2,
            sent=2,
            failed=0,
            blocked=0,
            resent=0,
        )
    ]


async def test_a_worker_who_blocked_the_bot_is_marked_blocked_and_unsubscribed(
    harness: Harness,
) -> None:
    await _many(harness.db, 2)
    broadcast_id = await _launch(harness.db)
    harness.api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")

    await _drain(_sender(harness, Clock()))

    statuses = await _statuses(harness.db, broadcast_id)
    assert sorted(statuses.values()) == ["blocked", "sent"]
    blocked = next(uid for uid, status in statuses.items() if status == "blocked")
    async with harness.db.engine.connect() as conn:
        alerts = dict((await conn.execute(select(SEEKERS.c.user_id, SEEKERS.c.alerts))).all())
    assert alerts == {blocked: False, ({FIRST_SEEKER, FIRST_SEEKER + 1} - {blocked}).pop(): True}


async def test_a_bad_request_marks_the_row_failed_with_the_reason(harness: Harness) -> None:
    await _many(harness.db, 1)
    broadcast_id = await _launch(harness.db)
    harness.api.fail_next("sendMessage", 400, "Bad Request: chat not found")

    await _drain(_sender(harness, Clock()))

    row = (await _ledger(harness.db, broadcast_id))[FIRST_SEEKER]
    assert (row["status"], row["error"]) == ("failed", "Chat not found")


async def test_a_network_error_is_retried_later_with_backoff(harness: Harness) -> None:
    await _many(harness.db, 1)
    broadcast_id = await _launch(harness.db)
    clock = Clock()
    sender = _sender(harness, clock)
    harness.api.fail_next("sendMessage", 502, "Bad Gateway")

    await sender.step()
    row = (await _ledger(harness.db, broadcast_id))[FIRST_SEEKER]
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert row["next_attempt_at"] == NOW + timedelta(seconds=2)
    assert await sender.step() == 0  # not due yet

    clock.advance(2)
    await sender.step()

    assert (await _statuses(harness.db, broadcast_id))[FIRST_SEEKER] == "sent"
    assert _sends_to(harness, "周六有招聘会") == {FIRST_SEEKER: 1}


async def test_a_worker_is_given_up_on_after_five_network_errors(harness: Harness) -> None:
    await _many(harness.db, 1)
    broadcast_id = await _launch(harness.db)
    clock = Clock()
    sender = _sender(harness, clock)
    for _ in range(5):
        harness.api.fail_next("sendMessage", 502, "Bad Gateway")

    for _ in range(5):
        await sender.step()
        clock.advance(600)

    row = (await _ledger(harness.db, broadcast_id))[FIRST_SEEKER]
    assert (row["status"], row["attempts"], row["error"]) == ("failed", 5, "Bad Gateway")


async def test_a_timed_out_message_is_sent_once_more_and_marked_resent(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _many(harness.db, 1)
    broadcast_id = await _launch(harness.db)
    real = harness.api.do_request

    async def times_out(*args: Any, **kwargs: Any) -> tuple[int, bytes]:
        monkeypatch.setattr(harness.api, "do_request", real)
        raise TimedOut("read timed out")

    monkeypatch.setattr(harness.api, "do_request", times_out)
    clock = Clock()
    sender = _sender(harness, clock)

    await _drain(sender)
    assert (await _statuses(harness.db, broadcast_id)) == {FIRST_SEEKER: "pending"}
    clock.advance(3)  # the backoff after one try
    await _drain(sender)

    assert (await _statuses(harness.db, broadcast_id)) == {FIRST_SEEKER: "resent"}
    assert _sends_to(harness, "周六有招聘会") == {FIRST_SEEKER: 1}
    assert (await _broadcast(harness.db, broadcast_id))["status"] == "done"


async def test_a_row_that_times_out_twice_is_failed_and_not_tried_a_third_time(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _many(harness.db, 1)
    broadcast_id = await _launch(harness.db)

    async def times_out(*args: Any, **kwargs: Any) -> tuple[int, bytes]:
        raise TimedOut("read timed out")

    monkeypatch.setattr(harness.api, "do_request", times_out)
    clock = Clock()
    sender = _sender(harness, clock)
    for _ in range(4):
        await _drain(sender)
        clock.advance(60)

    row = (await _ledger(harness.db, broadcast_id))[FIRST_SEEKER]
    assert row["status"] == "failed"
    assert "may have arrived" in row["error"]


async def test_retry_after_puts_the_row_back_and_the_sender_waits_before_sending_again(
    harness: Harness,
) -> None:
    await _many(harness.db, 3)
    broadcast_id = await _launch(harness.db)
    events: list[Any] = []
    harness.api.on_call = lambda call: events.append(("send", call.params.get("chat_id")))
    sleeps = Sleeps(events)
    sender = _sender(harness, Clock(), sleep=sleeps)
    harness.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)

    await sender.step()
    after_first = await _statuses(harness.db, broadcast_id)
    await _drain(sender)

    assert sorted(after_first.values()) == ["pending", "sent", "sent"]
    retried = next(uid for uid, status in after_first.items() if status == "pending")
    assert sleeps.waits == [1.0]
    assert events.index(("sleep", 1.0)) < events.index(("send", retried))
    ledger = await _ledger(harness.db, broadcast_id)
    assert {row["status"] for row in ledger.values()} == {"sent"}
    assert ledger[retried]["attempts"] == 1  # the 429 did not count as an attempt
    assert _sends_to(harness, "周六有招聘会") == {FIRST_SEEKER + n: 1 for n in range(3)}


async def test_the_sender_keeps_to_its_rate(harness: Harness) -> None:
    await _many(harness.db, 40)
    await _launch(harness.db)
    loop = asyncio.get_running_loop()
    stamps: list[float] = []
    harness.api.on_call = lambda call: stamps.append(loop.time())
    sender = _sender(harness, Clock(), rate=20)

    await _drain(sender)

    sends = stamps[:40]
    assert len(sends) == 40
    # A leaky bucket of 20/s: a burst of 20, then one every 50 ms.
    for index, stamp in enumerate(sends):
        assert stamp - sends[0] >= (index + 1 - 20) / 20 - 0.02
    assert sends[-1] - sends[0] >= 0.95


async def test_only_the_replica_holding_the_lease_sends(harness: Harness) -> None:
    await _many(harness.db, 4)
    broadcast_id = await _launch(harness.db)
    clock = Clock()
    first = _sender(harness, clock, owner="replica-a")
    second = _sender(harness, clock, owner="replica-b")
    first.batch_size = second.batch_size = 2

    assert await first.step() == 2
    assert await second.step() == 0
    assert await first.step() == 2

    assert sorted((await _statuses(harness.db, broadcast_id)).values()) == ["sent"] * 4
    async with harness.db.engine.connect() as conn:
        owner = (
            await conn.execute(select(LEASES.c.owner).where(LEASES.c.name == LEASE_NAME))
        ).scalar_one()
    assert owner == "replica-a"


async def test_a_stopped_sender_hands_the_lease_over_at_once(harness: Harness) -> None:
    await _many(harness.db, 2)
    broadcast_id = await _launch(harness.db)
    clock = Clock()
    first = _sender(harness, clock, owner="replica-a")
    second = _sender(harness, clock, owner="replica-b")
    first.batch_size = 1
    await first.step()

    stop = asyncio.Event()
    stop.set()
    await first.run(stop)  # stops at once and releases the lease
    await _drain(second)

    assert sorted((await _statuses(harness.db, broadcast_id)).values()) == ["sent", "sent"]


class _DyingBot:
    """Passes ``deliver`` messages on, then hangs on the next one (the process is killed)."""

    rate_limiter = None

    def __init__(self, bot: Any, deliver: int) -> None:
        self.bot = bot
        self.left = deliver
        self.hanging = asyncio.Event()

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Any:
        if self.left <= 0:
            self.hanging.set()
            await asyncio.Event().wait()
        self.left -= 1
        return await self.bot.send_message(chat_id, text, **kwargs)


async def test_after_a_crash_the_rows_left_sending_are_resent_once_and_the_rest_still_go(
    harness: Harness,
) -> None:
    await _many(harness.db, 8)
    broadcast_id = await _launch(harness.db)
    clock = Clock()
    dying = _DyingBot(harness.app.bot, deliver=4)
    crashed = BroadcastSender(
        TelegramNotifier(dying, encoders()),  # type: ignore[arg-type]
        harness.db,
        rate=1000,
        owner="replica-a",
        clock=clock,
        lease_seconds=30,
    )
    crashed.batch_size = 3
    await crashed.step()  # 3 delivered and recorded
    killed = asyncio.create_task(crashed.step())  # 1 delivered, 2 hang: none recorded
    await asyncio.wait_for(dying.hanging.wait(), 5)
    killed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await killed
    before = await _statuses(harness.db, broadcast_id)
    assert sorted(before.values()) == ["pending"] * 2 + ["sending"] * 3 + ["sent"] * 3

    survivor = _sender(harness, clock, owner="replica-b")
    assert await survivor.step() == 0  # the dead replica's lease has not run out yet
    clock.advance(31)
    await _drain(survivor)

    after = await _statuses(harness.db, broadcast_id)
    assert sorted(after.values()) == ["resent"] * 3 + ["sent"] * 5
    assert {uid for uid, s in before.items() if s == "sending"} == {
        uid for uid, s in after.items() if s == "resent"
    }
    received = _sends_to(harness, "周六有招聘会")
    assert set(received) == set(after)  # everybody got it
    # one duplicate: the message that left in the instant before the crash went once more
    assert sorted(received.values()) == [1] * 7 + [2]


async def test_a_paused_broadcast_waits_and_a_resumed_one_continues(harness: Harness) -> None:
    await _many(harness.db, 4)
    broadcast_id = await _launch(harness.db)
    sender = _sender(harness, Clock())
    sender.batch_size = 2
    await sender.step()

    assert await harness.db.transact(pause_broadcast, broadcast_id=broadcast_id, actor_id=1)
    assert await sender.step() == 0
    assert sorted((await _statuses(harness.db, broadcast_id)).values()) == [
        "pending",
        "pending",
        "sent",
        "sent",
    ]
    assert await harness.db.transact(resume_broadcast, broadcast_id=broadcast_id, actor_id=1)
    await _drain(sender)

    assert sorted((await _statuses(harness.db, broadcast_id)).values()) == ["sent"] * 4


async def test_a_cancelled_broadcast_sends_nothing_more(harness: Harness) -> None:
    await _many(harness.db, 4)
    broadcast_id = await _launch(harness.db)
    sender = _sender(harness, Clock())
    sender.batch_size = 2
    await sender.step()

    assert await harness.db.transact(cancel_broadcast, broadcast_id=broadcast_id, actor_id=1)
    await _drain(sender)

    assert len(_sends_to(harness, "周六有招聘会")) == 2
    assert (await _broadcast(harness.db, broadcast_id))["status"] == "cancelled"
    assert not await harness.db.transact(resume_broadcast, broadcast_id=broadcast_id, actor_id=1)


async def test_status_counts_the_ledger_and_estimates_the_time_left(db: Database) -> None:
    await _many(db, 10)
    broadcast_id = await _launch(db)
    async with db.engine.begin() as conn:
        await conn.execute(
            update(RECIPIENTS)
            .where(RECIPIENTS.c.user_id < FIRST_SEEKER + 6)
            .values(status=RecipientStatus.sent.value, sent_at=NOW - timedelta(seconds=30))
        )
        await conn.execute(
            update(RECIPIENTS)
            .where(RECIPIENTS.c.user_id == FIRST_SEEKER + 6)
            .values(status=RecipientStatus.blocked.value)
        )

    progress = await db.transact(broadcast_status, broadcast_id=broadcast_id, now=NOW)

    assert progress is not None
    assert (progress.total, progress.sent, progress.pending, progress.blocked) == (10, 6, 3, 1)
    assert progress.rate == pytest.approx(0.1)
    assert progress.eta_seconds == pytest.approx(30.0)


async def test_the_weekly_digest_reaches_each_worker_in_their_language_with_card_buttons(
    harness: Harness,
) -> None:
    await _subscribers(
        harness.db,
        {"user_id": 1, "language": "zh"},
        {"user_id": 2, "language": "en"},
    )
    fresh = await _posting(harness.db, published_at=NOW - timedelta(days=1), title="仓库分拣员")
    newer = await _posting(harness.db, published_at=NOW - timedelta(hours=2), title="快递员")
    await _posting(harness.db, published_at=NOW - timedelta(days=8), title="旧岗位")
    broadcast_id, total = await harness.db.transact(
        launch_broadcast, created_by=STAFF_ID, audience={}, kind="weekly", now=NOW
    )

    await _drain(_sender(harness, Clock()))

    assert total == 2
    sends = {int(c.params["chat_id"]): c for c in harness.api.sent("sendMessage")}
    assert sends[1].text.startswith(t("zh", "bc-weekly-header", count=2))
    assert sends[2].text.startswith(t("en", "bc-weekly-header", count=2))
    assert "快递员" in sends[1].text
    assert "仓库分拣员" in sends[1].text
    assert "旧岗位" not in sends[1].text
    assert sends[1].callback_data == [f"jc:{newer}", f"jc:{fresh}"]
    assert sends[2].callback_data == [f"jc:{newer}", f"jc:{fresh}"]
    assert (await _broadcast(harness.db, broadcast_id))["audience"]["postings"] == [newer, fresh]


async def test_forgetting_a_worker_removes_their_ledger_rows(harness: Harness) -> None:
    await _many(harness.db, 2)
    broadcast_id = await _launch(harness.db)

    async with harness.db.session() as session:
        deleted = await forget_user(session, user_id=FIRST_SEEKER, audit_key=b"test-audit-key")

    assert "bc-forget-item" in deleted
    assert set(await _statuses(harness.db, broadcast_id)) == {FIRST_SEEKER + 1}


# --- /broadcast -------------------------------------------------------------------------------

STAFF_ACTIONS = (
    "jb:new",
    "jb:status",
    "jb:all",
    "jb:pick",
    "jb:d:0",
    "jb:ok",
    "jb:text",
    "jb:week",
    "jb:go",
    "jb:now",
    "jb:x",
    "jb:p:1",
    "jb:r:1",
    "jb:c:1",
    "jb:cy:1",
)


async def test_a_worker_cannot_open_broadcast(harness: Harness) -> None:
    texts = await harness.texts(message("/broadcast"))

    assert texts == [t("zh", "role-refused")]


@pytest.mark.parametrize("data", STAFF_ACTIONS)
async def test_a_worker_pressing_a_broadcast_button_is_refused_and_nothing_changes(
    harness: Harness, data: str
) -> None:
    await _many(harness.db, 1)
    broadcast_id = await _launch(harness.db)

    calls = await harness.feed(callback(data, user_id=WORKER_ID))

    assert _popup(calls) == t("zh", "role-refused")
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    row = await _broadcast(harness.db, broadcast_id)
    assert row["status"] == BroadcastStatus.running.value
    async with harness.db.engine.connect() as conn:
        assert (await conn.execute(select(BROADCASTS.c.id))).scalars().all() == [broadcast_id]


async def test_staff_compose_preview_confirm_and_every_subscriber_gets_it_once(
    harness: Harness,
) -> None:
    await _staff(harness)
    await _many(harness.db, 3)

    asked = await harness.feed(message("/broadcast", user_id=STAFF_ID))
    chose = await harness.feed(callback("jb:all", user_id=STAFF_ID))
    compose = await harness.texts(callback("jb:text", user_id=STAFF_ID))
    preview = await harness.feed(message("周六上午九点，二七广场招聘会。", user_id=STAFF_ID))
    started = await harness.texts(callback("jb:go", user_id=STAFF_ID))
    await _drain(_sender(harness, Clock()))

    assert asked[-1].callback_data[:2] == ["jb:all", "jb:pick"]
    assert chose[-1].text == t("zh", "bc-kind-ask", count=3, audience=t("zh", "bc-audience-all"))
    assert compose == [t("zh", "bc-compose-ask", limit=3500)]
    assert preview[0].text == "周六上午九点，二七广场招聘会。"
    assert preview[1].text == t(
        "zh", "bc-preview-confirm", count=3, audience=t("zh", "bc-audience-all")
    )
    assert preview[1].callback_data == ["jb:go", "jb:x"]
    async with harness.db.engine.connect() as conn:
        broadcast_id = (await conn.execute(select(BROADCASTS.c.id))).scalar_one()
    assert started == [t("zh", "bc-started", id=str(broadcast_id), total=3)]
    assert _sends_to(harness, "二七广场招聘会") == {
        STAFF_ID: 1,  # the preview
        FIRST_SEEKER: 1,
        FIRST_SEEKER + 1: 1,
        FIRST_SEEKER + 2: 1,
    }
    assert (await _broadcast(harness.db, broadcast_id))["status"] == "done"


async def test_staff_can_pick_a_district_from_the_registrations(harness: Harness) -> None:
    await _staff(harness)
    await _subscribers(
        harness.db,
        {"user_id": 1, "districts": ["金水区"]},
        {"user_id": 2, "districts": ["金水区"]},
        {"user_id": 3, "districts": ["二七区"]},
        {"user_id": 4},
    )
    await harness.feed(message("/broadcast", user_id=STAFF_ID))

    picker = await harness.feed(callback("jb:pick", user_id=STAFF_ID))
    district_button = picker[-1].callback_data[0]  # the commonest district first: 金水区
    toggled = await harness.feed(callback(district_button, user_id=STAFF_ID))
    chose = await harness.feed(callback("jb:ok", user_id=STAFF_ID))
    await harness.feed(callback("jb:text", user_id=STAFF_ID))
    await harness.feed(message("金水区的工友们好", user_id=STAFF_ID))
    await harness.feed(callback("jb:go", user_id=STAFF_ID))

    assert district_button == "jb:d:0"
    assert toggled[-1].method == "editMessageReplyMarkup"
    assert chose[-1].text == t("zh", "bc-kind-ask", count=3, audience="金水区")
    async with harness.db.engine.connect() as conn:
        broadcast_id = (await conn.execute(select(BROADCASTS.c.id))).scalar_one()
    assert sorted(await _statuses(harness.db, broadcast_id)) == [1, 2, 4]


async def test_staff_pick_this_weeks_postings_and_see_the_preview(harness: Harness) -> None:
    await _staff(harness)
    await _many(harness.db, 2)
    posting = await _posting(harness.db, published_at=NOW - timedelta(days=1))
    await harness.feed(message("/broadcast", user_id=STAFF_ID))
    await harness.feed(callback("jb:all", user_id=STAFF_ID))

    preview = await harness.feed(callback("jb:week", user_id=STAFF_ID))
    await harness.feed(callback("jb:go", user_id=STAFF_ID))

    sends = [c for c in preview if c.method == "sendMessage"]
    assert sends[0].text.startswith(t("zh", "bc-weekly-header", count=1))
    assert sends[0].callback_data == [f"jc:{posting}"]
    assert sends[1].text == t(
        "zh", "bc-preview-confirm", count=2, audience=t("zh", "bc-audience-all")
    )
    async with harness.db.engine.connect() as conn:
        audience = (await conn.execute(select(BROADCASTS.c.audience))).scalar_one()
    assert (audience["kind"], audience["postings"]) == ("weekly", [posting])


async def test_a_broadcast_text_must_be_text_and_not_too_long(harness: Harness) -> None:
    await _staff(harness)
    await _many(harness.db, 1)
    for step in (message("/broadcast", user_id=STAFF_ID), callback("jb:all", user_id=STAFF_ID)):
        await harness.feed(step)
    await harness.feed(callback("jb:text", user_id=STAFF_ID))

    refused_sticker = await harness.texts(sticker(user_id=STAFF_ID))
    refused_long = await harness.texts(message("长" * 3501, user_id=STAFF_ID))
    go_too_early = await harness.feed(callback("jb:go", user_id=STAFF_ID))

    assert refused_sticker == [t("zh", "bc-text-only")]
    assert refused_long == [t("zh", "bc-too-long", limit=3500, length=3501)]
    assert _popup(go_too_early) == t("zh", "button-stale")
    async with harness.db.engine.connect() as conn:
        assert (await conn.execute(select(BROADCASTS.c.id))).first() is None


async def test_a_confirm_button_without_a_draft_is_stale(harness: Harness) -> None:
    await _staff(harness)

    calls = await harness.feed(callback("jb:go", user_id=STAFF_ID))

    assert _popup(calls) == t("zh", "button-stale")


async def test_a_forged_broadcast_button_is_stale(harness: Harness) -> None:
    await _staff(harness)

    calls = await harness.feed(callback("jb:p:99999", user_id=STAFF_ID))

    assert _popup(calls) == t("zh", "button-stale")


async def test_the_status_counts_confirmed_and_resent_once_and_old_unconfirmed_rows(
    harness: Harness,
) -> None:
    await _staff(harness)
    await _many(harness.db, 4)
    broadcast_id = await _launch(harness.db)
    states = iter(("sent", "resent", "unconfirmed"))
    recipients = sorted(await _statuses(harness.db, broadcast_id))
    async with harness.db.engine.begin() as conn:
        for uid in recipients[:3]:
            await conn.execute(
                update(RECIPIENTS)
                .where(RECIPIENTS.c.broadcast_id == broadcast_id, RECIPIENTS.c.user_id == uid)
                .values(status=next(states))
            )

    status = await harness.feed(message("/broadcast status", user_id=STAFF_ID))
    await _drain(_sender(harness, Clock()))

    text = status[-1].text
    assert "已确认送达 1" in text
    assert "重发一次 1" in text
    assert "待发 1" in text
    assert t("zh", "bc-unconfirmed-old", unconfirmed=1) in text
    # an old unconfirmed row is not sent again: only the pending one went
    assert set(_sends_to(harness, "周六有招聘会")) - {STAFF_ID} == {recipients[3]}
    summary = [c.text for c in harness.api.sent("sendMessage") if c.params["chat_id"] == STAFF_ID]
    assert t("zh", "bc-unconfirmed-old", unconfirmed=1) in summary[-1]


async def test_staff_see_progress_and_can_pause_resume_and_stop(harness: Harness) -> None:
    await _staff(harness)
    await _many(harness.db, 3)
    broadcast_id = await _launch(harness.db)

    status = await harness.feed(message("/broadcast status", user_id=STAFF_ID))
    paused = await harness.feed(callback(f"jb:p:{broadcast_id}", user_id=STAFF_ID))
    paused_state = (await _broadcast(harness.db, broadcast_id))["status"]
    resumed = await harness.feed(callback(f"jb:r:{broadcast_id}", user_id=STAFF_ID))
    ask = await harness.feed(callback(f"jb:c:{broadcast_id}", user_id=STAFF_ID))
    asked_state = (await _broadcast(harness.db, broadcast_id))["status"]
    stopped = await harness.feed(callback(f"jb:cy:{broadcast_id}", user_id=STAFF_ID))

    assert f"#{broadcast_id}" in status[-1].text
    assert "待发 3" in status[-1].text
    assert status[-1].callback_data[:2] == [f"jb:p:{broadcast_id}", f"jb:c:{broadcast_id}"]
    assert _popup(paused) == t("zh", "bc-paused", id=str(broadcast_id))
    assert paused_state == "paused"
    assert f"jb:r:{broadcast_id}" in paused[-1].callback_data
    assert _popup(resumed) == t("zh", "bc-resumed", id=str(broadcast_id))
    assert ask[-1].callback_data == [f"jb:cy:{broadcast_id}", "jb:re"]
    assert asked_state == "running"
    assert _popup(stopped) == t("zh", "bc-stopped", id=str(broadcast_id))
    assert (await _broadcast(harness.db, broadcast_id))["status"] == "cancelled"


async def test_staff_see_a_preparing_broadcast_and_can_stop_it(harness: Harness) -> None:
    await _staff(harness)
    await _many(harness.db, 3)

    def cut_off(conn: Any) -> int:
        broadcast_id = create_broadcast(
            conn, created_by=STAFF_ID, audience={}, kind="text", text="工会通知：周六有招聘会"
        )
        begin_launch(conn, broadcast_id=broadcast_id)
        prepare_chunk(conn, broadcast_id=broadcast_id, limit=2)
        return broadcast_id

    broadcast_id = await harness.db.transact(cut_off)

    status = await harness.feed(message("/broadcast status", user_id=STAFF_ID))
    await harness.feed(callback(f"jb:c:{broadcast_id}", user_id=STAFF_ID))
    stopped = await harness.feed(callback(f"jb:cy:{broadcast_id}", user_id=STAFF_ID))

    assert t("zh", "bc-status-preparing") in status[-1].text
    assert status[-1].callback_data[:1] == [f"jb:c:{broadcast_id}"]
    assert _popup(stopped) == t("zh", "bc-stopped", id=str(broadcast_id))
    assert (await _broadcast(harness.db, broadcast_id))["status"] == "cancelled"
    assert await harness.db.transact(prepare_chunk, broadcast_id=broadcast_id) is not None
    assert len(await _ledger(harness.db, broadcast_id)) == 2


async def test_pausing_a_finished_broadcast_is_refused(harness: Harness) -> None:
    await _staff(harness)
    await _many(harness.db, 1)
    broadcast_id = await _launch(harness.db)
    await _drain(_sender(harness, Clock()))

    calls = await harness.feed(callback(f"jb:p:{broadcast_id}", user_id=STAFF_ID))

    assert _popup(calls) == t("zh", "bc-not-changed")
    assert (await _broadcast(harness.db, broadcast_id))["status"] == "done"


async def test_a_staff_member_who_lost_the_role_cannot_finish_a_draft(harness: Harness) -> None:
    await _staff(harness)
    await _many(harness.db, 1)
    await harness.feed(message("/broadcast", user_id=STAFF_ID))
    await harness.feed(callback("jb:all", user_id=STAFF_ID))
    await harness.feed(callback("jb:text", user_id=STAFF_ID))
    async with harness.db.engine.begin() as conn:
        await conn.execute(update(USERS).where(USERS.c.id == STAFF_ID).values(roles=[]))

    texts = await harness.texts(message("还能发吗", user_id=STAFF_ID))

    assert texts == [t("zh", "role-refused")]
    async with harness.db.engine.connect() as conn:
        assert (await conn.execute(select(BROADCASTS.c.id))).first() is None


# --- quiet hours --------------------------------------------------------------------------------


async def _preview_at_night(harness: Harness, staff_clock: Clock, lang: str = "zh-hans") -> Call:
    """Compose a text broadcast at 23:00 and return the confirmation the staff member sees."""
    await _staff(harness, language=lang[:2])
    staff_clock.now = NIGHT
    await harness.feed(message("/broadcast", user_id=STAFF_ID, lang=lang))
    await harness.feed(callback("jb:all", user_id=STAFF_ID, lang=lang))
    await harness.feed(callback("jb:text", user_id=STAFF_ID, lang=lang))
    preview = await harness.feed(
        message("周六上午九点，二七广场招聘会。", user_id=STAFF_ID, lang=lang)
    )
    return preview[-1]


async def test_a_broadcast_confirmed_at_night_says_it_starts_when_quiet_hours_end(
    harness: Harness, staff_clock: Clock
) -> None:
    await _many(harness.db, 2)

    confirm = await _preview_at_night(harness, staff_clock)

    assert confirm.text.endswith(t("zh", "bc-preview-quiet", time="07:00"))
    assert "将于 07:00 开始发送" in confirm.text
    assert confirm.callback_data == ["jb:go", "jb:now", "jb:x"]


async def test_the_night_preview_in_english_says_when_it_starts_and_offers_send_now(
    harness: Harness, staff_clock: Clock
) -> None:
    await _many(harness.db, 2)

    confirm = await _preview_at_night(harness, staff_clock, lang="en")

    assert "starts at 07:00" in confirm.text
    labels = [b["text"] for row in confirm.params["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[:2] == [t("en", "bc-btn-send-later", count=2, time="07:00"), "Send now anyway"]


async def test_a_broadcast_confirmed_at_night_is_sent_only_when_quiet_hours_end(
    harness: Harness, staff_clock: Clock
) -> None:
    await _many(harness.db, 3)
    await _preview_at_night(harness, staff_clock)

    started = await harness.texts(callback("jb:go", user_id=STAFF_ID))
    sender = _sender(harness, Clock(NIGHT), quiet_hours=QUIET, timezone="Asia/Shanghai")
    await _drain(sender)
    before_morning = _sends_to(harness, "二七广场招聘会")
    sender.clock = Clock(MORNING - timedelta(minutes=1))
    assert await sender.step() == 0
    sender.clock = Clock(MORNING)
    await _drain(sender)

    async with harness.db.engine.connect() as conn:
        broadcast_id = (await conn.execute(select(BROADCASTS.c.id))).scalar_one()
    row = await _broadcast(harness.db, broadcast_id)
    assert started == [t("zh", "bc-scheduled", id=str(broadcast_id), total=3, time="07:00")]
    assert (row["starts_at"], row["ignore_quiet"]) == (MORNING, False)
    assert before_morning == {STAFF_ID: 1}  # only the preview
    assert _sends_to(harness, "二七广场招聘会") == {
        STAFF_ID: 1,
        FIRST_SEEKER: 1,
        FIRST_SEEKER + 1: 1,
        FIRST_SEEKER + 2: 1,
    }


async def test_staff_can_send_a_broadcast_at_night_anyway(
    harness: Harness, staff_clock: Clock
) -> None:
    await _many(harness.db, 2)
    await _preview_at_night(harness, staff_clock)

    started = await harness.texts(callback("jb:now", user_id=STAFF_ID))
    await _drain(_sender(harness, Clock(NIGHT), quiet_hours=QUIET))

    async with harness.db.engine.connect() as conn:
        broadcast_id = (await conn.execute(select(BROADCASTS.c.id))).scalar_one()
    row = await _broadcast(harness.db, broadcast_id)
    assert started == [t("zh", "bc-started", id=str(broadcast_id), total=2)]
    assert (row["starts_at"], row["ignore_quiet"], row["status"]) == (None, True, "done")
    assert _sends_to(harness, "二七广场招聘会") == {
        STAFF_ID: 1,
        FIRST_SEEKER: 1,
        FIRST_SEEKER + 1: 1,
    }


async def test_a_daytime_preview_has_no_quiet_hours_line_and_one_send_button(
    harness: Harness,
) -> None:
    await _staff(harness)
    await _many(harness.db, 1)
    await harness.feed(message("/broadcast", user_id=STAFF_ID))
    await harness.feed(callback("jb:all", user_id=STAFF_ID))
    await harness.feed(callback("jb:text", user_id=STAFF_ID))

    preview = await harness.feed(message("下午三点开会", user_id=STAFF_ID))

    assert preview[-1].callback_data == ["jb:go", "jb:x"]
    assert "07:00" not in preview[-1].text


async def test_a_running_broadcast_rests_through_quiet_hours_and_goes_on_in_the_morning(
    harness: Harness,
) -> None:
    await _many(harness.db, 4)
    broadcast_id = await _launch(harness.db)
    evening = datetime(2025, 3, 3, 13, 59, tzinfo=UTC)  # 21:59
    clock = Clock(evening)
    sender = _sender(harness, clock, quiet_hours=QUIET)
    sender.batch_size = 2

    await sender.step()
    clock.advance(60)  # 22:00: quiet hours begin
    night_steps = [await sender.step() for _ in range(3)]
    at_night = sorted((await _statuses(harness.db, broadcast_id)).values())
    clock.now = MORNING
    await _drain(sender)

    assert night_steps == [0, 0, 0]
    assert at_night == ["pending", "pending", "sent", "sent"]
    assert (await _broadcast(harness.db, broadcast_id))["status"] == "done"
    assert sorted((await _statuses(harness.db, broadcast_id)).values()) == ["sent"] * 4


async def test_the_status_view_says_when_a_waiting_broadcast_starts_or_goes_on(
    harness: Harness, staff_clock: Clock
) -> None:
    await _staff(harness)
    await _many(harness.db, 2)
    resting = await _launch(harness.db, "白天开始的群发")
    scheduled, _ = await harness.db.transact(
        launch_broadcast,
        created_by=STAFF_ID,
        audience={},
        kind="text",
        text="夜里排好的群发",
        now=NIGHT,
        starts_at=MORNING,
    )
    staff_clock.now = NIGHT

    zh = await harness.feed(message("/broadcast status", user_id=STAFF_ID))
    async with harness.db.session() as session:
        await set_language(session, user_id=STAFF_ID, language="en")
    en = await harness.feed(message("/broadcast status", user_id=STAFF_ID, lang="en"))

    blocks = dict(zip((scheduled, resting), zh[-1].text.split("\n\n")[1:], strict=True))
    assert t("zh", "bc-status-scheduled", time="07:00") in blocks[scheduled]
    assert t("zh", "bc-status-night", time="07:00") in blocks[resting]
    assert t("en", "bc-status-scheduled", time="07:00") in en[-1].text


async def test_a_night_broadcast_with_quiet_hours_off_starts_at_once(
    harness: Harness, staff_clock: Clock, settings: Settings
) -> None:
    harness.app.bot_data["services"].settings = settings.model_copy(update={"quiet_hours": "off"})
    await _many(harness.db, 1)
    confirm = await _preview_at_night(harness, staff_clock)

    started = await harness.texts(callback("jb:go", user_id=STAFF_ID))

    assert confirm.callback_data == ["jb:go", "jb:x"]
    assert started[0].startswith("📣")
    async with harness.db.engine.connect() as conn:
        assert (await conn.execute(select(BROADCASTS.c.starts_at))).scalar_one() is None


# --- the weekly digest's total -----------------------------------------------------------------


async def test_the_weekly_digest_says_how_many_jobs_the_week_had_and_opens_the_rest(
    harness: Harness,
) -> None:
    await _subscribers(
        harness.db, {"user_id": 1, "language": "zh"}, {"user_id": 2, "language": "en"}
    )
    for hours in range(23):
        await _posting(harness.db, published_at=NOW - timedelta(hours=hours + 1))

    _, total = await harness.db.transact(
        launch_broadcast, created_by=STAFF_ID, audience={}, kind="weekly", now=NOW
    )
    await _drain(_sender(harness, Clock()))

    sends = {int(c.params["chat_id"]): c for c in harness.api.sent("sendMessage")}
    assert total == 2
    assert sends[1].text.startswith("📋 本周新岗位 23 个，这里列出最新 10 个")
    assert t("zh", "bc-weekly-more", more=13) in sends[1].text
    assert sends[2].text.startswith("📋 23 new jobs this week; here are the newest 10")
    assert t("en", "bc-weekly-more", more=13) in sends[2].text
    for chat in (1, 2):
        assert len(sends[chat].callback_data) == 11
        assert sends[chat].callback_data[-1] == "js:go"


async def test_a_weekly_digest_that_lists_every_job_says_no_more(harness: Harness) -> None:
    await _subscribers(harness.db, {"user_id": 1, "language": "en"})
    for hours in range(3):
        await _posting(harness.db, published_at=NOW - timedelta(hours=hours + 1))

    await harness.db.transact(
        launch_broadcast, created_by=STAFF_ID, audience={}, kind="weekly", now=NOW
    )
    await _drain(_sender(harness, Clock()))

    [sent] = [c for c in harness.api.sent("sendMessage") if c.params["chat_id"] == 1]
    assert sent.text.startswith(t("en", "bc-weekly-header", count=3))
    assert "js:go" not in sent.callback_data


async def test_staff_see_the_weeks_total_in_the_weekly_preview(harness: Harness) -> None:
    await _staff(harness)
    await _many(harness.db, 1)
    for hours in range(12):
        await _posting(harness.db, published_at=NOW - timedelta(hours=hours + 1))
    await harness.feed(message("/broadcast", user_id=STAFF_ID))
    await harness.feed(callback("jb:all", user_id=STAFF_ID))

    preview = await harness.feed(callback("jb:week", user_id=STAFF_ID))

    digest = [c for c in preview if c.method == "sendMessage"][0]
    assert digest.text.startswith(t("zh", "bc-weekly-header-more", total=12, count=10))
    assert digest.callback_data[-1] == "js:go"
