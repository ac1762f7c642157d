"""Job-seeker registration and new-job alerts: buttons, matching, batching, quiet hours, stops."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select, update
from telegram.ext import ExtBot

from bot.app import build_application, encoders
from bot.config import Settings
from bot.core import outbox
from bot.core.models import OutboxState, User, utcnow
from bot.db import Database
from bot.i18n import message_ids, t
from bot.jobs.alerts import (
    SeekerError,
    deliver_alerts,
    get_seeker,
    save_seeker,
)
from bot.jobs.core import ALERTS, POSTINGS, SEEKERS, publish_postings
from bot.jobs.models import PostingStatus
from bot.localapi import Call, LocalBotApi
from bot.ratelimit import OutboundLimiter
from handlers.notifier import TelegramNotifier
from tests.conftest import TOKEN, Harness
from tests.factories import WORKER_ID, callback, message

USERS = User.__table__  # type: ignore[attr-defined]
OTHER_ID = 444_444
QUIET = "22:00-07:00"
ZONE = "Asia/Shanghai"
#: 09:00 in Shanghai: outside quiet hours.
MORNING = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)
_titles = itertools.count(1)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test settings, with room for a worker tapping through several buttons quickly."""
    return settings.model_copy(update={"flood_limit": "100 per 1 second"})


def _posting(**overrides: Any) -> dict[str, Any]:
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
        "status": PostingStatus.pending.value,
        "owner_id": None,
        "dedupe_key": f"key-{number}",
        "search_text": "",
        "flags": [],
        "review_note": "",
        "reviewed_by": None,
        "contact_views": 0,
        "report_count": 0,
        "published_at": None,
        "created_at": MORNING,
        "updated_at": MORNING,
    }
    row.update(overrides)
    return row


async def _publish(db: Database, *rows: dict[str, Any], now: datetime = MORNING) -> list[int]:
    """Insert postings and publish them (which queues the alerts they match)."""
    async with db.engine.begin() as conn:
        ids = [
            int((await conn.execute(insert(POSTINGS).values(**row).returning(POSTINGS.c.id)))
                .scalar_one())
            for row in rows
        ]  # fmt: skip
    await db.transact(publish_postings, posting_ids=ids, now=now)
    return ids


async def _user(db: Database, user_id: int, language: str = "zh") -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(USERS).values(
                id=user_id,
                language=language,
                roles=[],
                consents={},
                first_seen=MORNING,
                last_seen=MORNING,
            )
        )


async def _register(db: Database, user_id: int = WORKER_ID, **choices: Any) -> None:
    values: dict[str, Any] = {
        "districts": [],
        "industries": [],
        "types": [],
        "metro_lines": [],
        "tags": [],
        "min_pay": None,
        "min_pay_unit": None,
        "alerts": True,
    }
    values.update(choices)
    await db.transact(save_seeker, user_id=user_id, **values)


async def _worker(
    db: Database, user_id: int = WORKER_ID, language: str = "zh", **choices: Any
) -> None:
    await _user(db, user_id, language)
    await _register(db, user_id, **choices)


async def _alerts(db: Database, user_id: int = WORKER_ID) -> list[dict[str, Any]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            select(ALERTS).where(ALERTS.c.user_id == user_id).order_by(ALERTS.c.posting_id)
        )
        return [dict(row) for row in rows.mappings()]


async def _seeker_row(db: Database, user_id: int = WORKER_ID) -> dict[str, Any] | None:
    async with db.engine.connect() as conn:
        row = (
            (await conn.execute(select(SEEKERS).where(SEEKERS.c.user_id == user_id)))
            .mappings()
            .first()
        )
        return dict(row) if row is not None else None


def _notifier(harness: Harness) -> TelegramNotifier:
    return TelegramNotifier(harness.app.bot, encoders())


async def _deliver(harness: Harness, now: datetime = MORNING, **kwargs: Any) -> list[Call]:
    before = len(harness.api.calls)
    await deliver_alerts(
        _notifier(harness), harness.db, now=now, quiet_hours=QUIET, timezone=ZONE, **kwargs
    )
    return [c for c in harness.api.calls[before:] if c.method == "sendMessage"]


def _answers(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "answerCallbackQuery"]


# --- registration through the buttons ---------------------------------------------------------


async def test_a_first_time_worker_is_told_what_registration_and_alerts_are(
    harness: Harness,
) -> None:
    texts = await harness.texts(message("/my_alerts"))

    assert len(texts) == 1
    assert "求职登记" in texts[0]
    assert "新岗位提醒" in texts[0]
    assert t("zh", "ja-not-registered") in texts[0]
    assert await _seeker_row(harness.db) is None


async def test_the_jobs_menu_button_opens_the_registration(harness: Harness) -> None:
    calls = await harness.feed(callback("ja:menu"))

    sent = [c for c in calls if c.method == "sendMessage"]
    assert len(sent) == 1
    assert "ja:e:i" in sent[0].callback_data
    assert "ja:a:1" in sent[0].callback_data


async def test_choices_made_with_buttons_are_stored_in_the_database(harness: Harness) -> None:
    await _publish(harness.db, _posting(district="金水区"), _posting(district="二七区"))
    await harness.feed(message("/my_alerts"))

    districts = await harness.feed(callback("ja:e:d"))
    assert "ja:x:d:金水区" in districts[-1].callback_data
    for data in ("ja:x:d:金水区", "ja:x:i:1", "ja:x:t:2", "ja:x:g:0", "ja:x:g:1", "ja:p:d200"):
        await harness.feed(callback(data))

    row = await _seeker_row(harness.db)
    assert row is not None
    assert row["districts"] == ["金水区"]
    assert row["industries"] == ["catering"]
    assert row["types"] == ["daily"]
    assert row["tags"] == 0b11
    assert (row["min_pay"], row["min_pay_unit"]) == (200.0, "day")
    assert row["alerts"] is True


async def test_pressing_a_chosen_value_again_removes_it(harness: Harness) -> None:
    await harness.feed(callback("ja:x:i:0"))
    calls = await harness.feed(callback("ja:x:i:0"))

    row = await _seeker_row(harness.db)
    assert row is not None
    assert row["industries"] == []
    edited = [c for c in calls if c.method == "editMessageText"]
    assert edited
    assert not any(b["text"].startswith("✅") for r in edited[0].buttons for b in r)


async def test_the_summary_shows_every_part_of_the_registration(harness: Harness) -> None:
    await _worker(
        harness.db,
        districts=["金水区"],
        industries=["cleaning"],
        types=["part_time"],
        metro_lines=["2号线"],
        tags=["older"],
        min_pay=4000,
        min_pay_unit="month",
    )

    texts = await harness.texts(message("/my_alerts"))

    for part in ("金水区", "保洁环卫", "兼职", "2号线", "适合大龄", "4000元/月以上", "已开启"):
        assert part in texts[0]
    assert "求职登记：告诉" not in texts[0]  # no introduction the second time


async def test_a_typed_district_is_stored_as_postings_spell_it(harness: Harness) -> None:
    await _publish(harness.db, _posting(district="金水区"))

    await harness.feed(callback("ja:w:d"))
    texts = await harness.texts(message("金水"))

    row = await _seeker_row(harness.db)
    assert row is not None
    assert row["districts"] == ["金水区"]
    assert t("zh", "ja-place-added", place="金水区") in texts


async def test_an_overlong_typed_metro_line_is_refused_and_the_worker_may_retry(
    harness: Harness,
) -> None:
    await harness.feed(callback("ja:w:m"))

    texts = await harness.texts(message("很长很长的地铁线路名字超过十六个字的线路名称"))
    assert texts == [t("zh", "ja-error-place_too_long")]
    assert await _seeker_row(harness.db) is None

    await harness.feed(message("2号线"))
    row = await _seeker_row(harness.db)
    assert row is not None
    assert row["metro_lines"] == ["2号线"]


async def test_deleting_the_registration_removes_it_and_its_alerts(harness: Harness) -> None:
    await harness.feed(message("/my_alerts"))
    await _register(harness.db)
    await _publish(harness.db, _posting())

    await harness.feed(callback("ja:del"))
    texts = await harness.texts(callback("ja:del:y"))

    assert texts == [t("zh", "ja-deleted")]
    assert await _seeker_row(harness.db) is None
    assert await _alerts(harness.db) == []


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choices", "reason"),
    [
        ({"industries": ["mining"]}, "unknown_industry"),
        ({"types": ["forever"]}, "unknown_type"),
        ({"tags": ["young"]}, "unknown_tag"),
        ({"districts": [f"区{n}" for n in range(11)]}, "too_many"),
        ({"metro_lines": ["线" * 17]}, "place_too_long"),
        ({"districts": ["  "]}, "place_empty"),
        ({"min_pay": 3000, "min_pay_unit": "piece"}, "bad_pay"),
        ({"min_pay": -5, "min_pay_unit": "month"}, "bad_pay"),
    ],
)
async def test_a_registration_with_bad_values_is_refused_whole(
    db: Database, choices: dict[str, Any], reason: str
) -> None:
    await _user(db, WORKER_ID)

    with pytest.raises(SeekerError) as raised:
        await _register(db, **choices)

    assert raised.value.reason == reason
    assert await db.transact(get_seeker, user_id=WORKER_ID) is None


# --- matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choices", "posting", "matches"),
    [
        ({"districts": ["金水区"]}, {"district": "金水区"}, True),
        ({"districts": ["金水区"]}, {"district": "二七区"}, False),
        ({"industries": ["catering"]}, {"industry": "logistics"}, False),
        ({"industries": ["catering", "logistics"]}, {"industry": "logistics"}, True),
        ({"types": ["daily"]}, {"employment_type": "full_time"}, False),
        ({"types": ["daily"]}, {"employment_type": "daily"}, True),
        ({"metro_lines": ["2号线"]}, {"metro_line": "1号线"}, False),
        ({"tags": ["older", "mothers"]}, {"tags": 0b10}, True),
        ({"tags": ["older"]}, {"tags": 0b100}, False),
        # 200/day is 4350/month (21.75 days): below 5000/month, above 4000/month
        ({"min_pay": 5000, "min_pay_unit": "month"}, {"pay_max": 200.0, "pay_unit": "day"}, False),
        ({"min_pay": 4000, "min_pay_unit": "month"}, {"pay_max": 200.0, "pay_unit": "day"}, True),
        # 6000/month is about 276/day: meets 250/day, not 300/day
        ({"min_pay": 250, "min_pay_unit": "day"}, {}, True),
        ({"min_pay": 300, "min_pay_unit": "day"}, {}, False),
        ({}, {}, True),
    ],
)
async def test_a_published_posting_queues_an_alert_only_when_it_matches(
    db: Database, choices: dict[str, Any], posting: dict[str, Any], matches: bool
) -> None:
    await _worker(db, **choices)

    await _publish(db, _posting(**posting))

    assert len(await _alerts(db)) == (1 if matches else 0)


# --- delivery ---------------------------------------------------------------------------------


async def test_three_matching_postings_arrive_in_one_message(harness: Harness) -> None:
    await _worker(harness.db, districts=["金水区"])
    ids = await _publish(harness.db, *(_posting() for _ in range(3)))

    sent = await _deliver(harness)

    assert len(sent) == 1
    assert sent[0].params["chat_id"] == WORKER_ID
    assert all(f"{n}. " in sent[0].text for n in (1, 2, 3))
    assert "有 3 个新岗位" in sent[0].text
    assert {f"jc:{i}" for i in ids} <= set(sent[0].callback_data)
    assert "ja:off" in sent[0].callback_data
    assert all(row["sent_at"] is not None for row in await _alerts(harness.db))


async def test_a_worker_without_a_match_gets_nothing(harness: Harness) -> None:
    await _worker(harness.db, districts=["金水区"])
    await _worker(harness.db, OTHER_ID, districts=["二七区"])
    await _publish(harness.db, _posting(district="金水区"))

    sent = await _deliver(harness)

    assert [c.params["chat_id"] for c in sent] == [WORKER_ID]


async def test_alerts_wait_through_quiet_hours_and_go_out_after(harness: Harness) -> None:
    await _worker(harness.db)
    await _publish(harness.db, _posting(), now=MORNING)
    late_evening = datetime(2025, 3, 10, 23, 30, tzinfo=ZoneInfo(ZONE))
    next_morning = datetime(2025, 3, 11, 7, 5, tzinfo=ZoneInfo(ZONE))

    assert await _deliver(harness, late_evening) == []
    assert [row["sent_at"] for row in await _alerts(harness.db)] == [None]

    sent = await _deliver(harness, next_morning)
    assert len(sent) == 1
    assert [row["sent_at"] for row in await _alerts(harness.db)] == [next_morning]


async def test_the_same_alert_is_never_sent_twice(harness: Harness) -> None:
    await _worker(harness.db)
    await _publish(harness.db, _posting())

    first = await _deliver(harness)
    second = await _deliver(harness, MORNING + timedelta(minutes=5))

    assert len(first) == 1
    assert second == []


async def test_a_later_posting_comes_in_a_new_message_with_only_itself(harness: Harness) -> None:
    await _worker(harness.db)
    await _publish(harness.db, _posting(title="先发的岗位"))
    await _deliver(harness)

    await _publish(harness.db, _posting(title="后发的岗位"), now=MORNING + timedelta(hours=1))
    sent = await _deliver(harness, MORNING + timedelta(hours=1))

    assert len(sent) == 1
    assert "后发的岗位" in sent[0].text
    assert "先发的岗位" not in sent[0].text


async def test_more_matches_than_fit_list_the_newest_and_count_the_rest(harness: Harness) -> None:
    await _worker(harness.db)
    for hour in range(12):
        await _publish(
            harness.db, _posting(title=f"岗位{hour:02d}"), now=MORNING + timedelta(minutes=hour)
        )

    sent = await _deliver(harness, MORNING + timedelta(hours=1))

    assert len(sent) == 1
    assert "岗位11" in sent[0].text
    assert "岗位02" in sent[0].text
    assert "岗位01" not in sent[0].text
    assert "岗位00" not in sent[0].text
    assert t("zh", "ja-alert-more", more=2) in sent[0].text
    assert "js:go" in sent[0].callback_data
    assert len([d for d in sent[0].callback_data if d.startswith("jc:")]) == 10
    assert all(row["sent_at"] is not None for row in await _alerts(harness.db))
    assert await _deliver(harness, MORNING + timedelta(hours=2)) == []


async def test_an_alert_batch_goes_through_the_outbox(harness: Harness) -> None:
    await _worker(harness.db)
    await _publish(harness.db, _posting())

    [call] = await _deliver(harness)

    [posting] = await _alerts(harness.db)
    key = f"alerts:{WORKER_ID}:2025-03-10:{posting['posting_id']}"
    assert await harness.db.transact(outbox.state_of, key=key) is OutboxState.sent
    async with harness.db.engine.connect() as conn:
        row = (await conn.execute(select(outbox.OUTBOX))).mappings().one()
    assert (row["chat_id"], row["kind"], row["bulk"]) == (WORKER_ID, "job-alerts", True)
    assert call.text == row["text"]
    assert call.callback_data  # the postings' buttons, encoded as they are sent


async def test_the_see_more_button_of_an_alert_opens_the_job_search(harness: Harness) -> None:
    await harness.feed(message("/start"))
    await _register(harness.db)
    await _publish(harness.db, *(_posting() for _ in range(3)))
    [alert] = await _deliver(harness, max_per_message=2)
    [more] = [d for d in alert.callback_data if not d.startswith(("jc:", "ja:"))]

    calls = await harness.feed(callback(more))

    answers = _answers(calls)
    assert [a.params.get("text") for a in answers] == [None]
    assert [c for c in calls if c.method == "sendMessage"]


async def test_a_numbered_button_of_an_alert_opens_that_postings_card(harness: Harness) -> None:
    await harness.feed(message("/start"))
    await _register(harness.db)
    # the card shows postings that are on offer today, so this one is published now
    await _publish(harness.db, _posting(title="夜班分拣员"), now=utcnow())
    await deliver_alerts(
        _notifier(harness), harness.db, now=utcnow(), quiet_hours="off", timezone=ZONE
    )
    [alert] = harness.api.sent("sendMessage")[-1:]

    texts = await harness.texts(callback(alert.callback_data[0]))

    assert any("夜班分拣员" in text for text in texts)


async def test_an_alert_for_a_withdrawn_posting_is_dropped_without_a_message(
    harness: Harness,
) -> None:
    await _worker(harness.db)
    [posting_id] = await _publish(harness.db, _posting())
    async with harness.db.engine.begin() as conn:
        await conn.execute(
            update(POSTINGS)
            .where(POSTINGS.c.id == posting_id)
            .values(status=PostingStatus.withdrawn.value)
        )

    sent = await _deliver(harness)

    assert sent == []
    assert [row["sent_at"] for row in await _alerts(harness.db)] == [MORNING]


async def test_an_alert_for_a_posting_past_its_date_is_dropped(harness: Harness) -> None:
    await _worker(harness.db)
    await _publish(harness.db, _posting(expires_on=MORNING.date()))

    assert await _deliver(harness, MORNING + timedelta(days=1)) == []


async def test_the_alert_is_written_in_the_workers_language(harness: Harness) -> None:
    await _worker(harness.db, language="en")
    await _publish(harness.db, _posting(), _posting())

    sent = await _deliver(harness)

    assert "2 new jobs fit your job-seeker registration" in sent[0].text


async def test_alerts_go_out_as_bulk_sends_when_the_bot_has_a_rate_limiter(db: Database) -> None:
    class Recording(OutboundLimiter):
        """The real limiter, noting what each call asked of it."""

        seen: list[tuple[str, Any]]

        async def process_request(
            self,
            callback: Any,
            args: Any,
            kwargs: dict[str, Any],
            endpoint: str,
            data: dict[str, Any],
            rate_limit_args: dict[str, Any] | None,
        ) -> Any:
            self.seen.append((endpoint, rate_limit_args))
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )

    await _worker(db)
    await _publish(db, _posting())
    limiter = Recording()
    limiter.seen = []
    bot: ExtBot[Any] = ExtBot(TOKEN, request=LocalBotApi(), rate_limiter=limiter)
    await bot.initialize()
    try:
        result = await deliver_alerts(
            TelegramNotifier(bot, encoders()), db, now=MORNING, quiet_hours=QUIET, timezone=ZONE
        )
    finally:
        await bot.shutdown()

    assert result.messages == 1
    assert ("sendMessage", {"bulk": True}) in limiter.seen


# --- stopping alerts --------------------------------------------------------------------------


async def test_the_unsubscribe_button_stops_alerts_at_once(harness: Harness) -> None:
    await harness.feed(message("/start"))
    await _register(harness.db)
    await _publish(harness.db, _posting())
    await _deliver(harness)

    texts = await harness.texts(callback("ja:off"))

    row = await _seeker_row(harness.db)
    assert row is not None
    assert row["alerts"] is False
    assert texts == [t("zh", "ja-off-done")]
    await _publish(harness.db, _posting(), now=MORNING + timedelta(hours=1))
    assert len(await _alerts(harness.db)) == 1  # only the one sent before
    assert await _deliver(harness, MORNING + timedelta(hours=1)) == []


async def test_turning_alerts_off_drops_alerts_not_yet_sent(harness: Harness) -> None:
    await harness.feed(message("/start"))
    await _register(harness.db)
    await _publish(harness.db, _posting())

    await harness.feed(callback("ja:off"))

    assert await _alerts(harness.db) == []
    assert await _deliver(harness) == []


async def test_turning_alerts_back_on_from_the_menu_queues_new_postings(harness: Harness) -> None:
    await harness.feed(message("/start"))
    await _register(harness.db, alerts=False)

    await harness.feed(callback("ja:a:1"))
    await _publish(harness.db, _posting())

    assert len(await _alerts(harness.db)) == 1


async def test_a_worker_who_blocked_the_bot_gets_alerts_turned_off(harness: Harness) -> None:
    await _worker(harness.db)
    await _publish(harness.db, _posting())
    harness.api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")

    result = await deliver_alerts(
        _notifier(harness), harness.db, now=MORNING, quiet_hours=QUIET, timezone=ZONE
    )

    assert result.blocked == 1
    assert result.messages == 0
    row = await _seeker_row(harness.db)
    assert row is not None
    assert row["alerts"] is False
    await _publish(harness.db, _posting(), now=MORNING + timedelta(hours=1))
    assert await _deliver(harness, MORNING + timedelta(hours=1)) == []


async def test_a_batch_refused_for_flooding_is_sent_on_the_next_run(harness: Harness) -> None:
    await _worker(harness.db)
    await _publish(harness.db, _posting())
    harness.api.fail_next("sendMessage", 429, "Too Many Requests", retry_after=1)

    result = await deliver_alerts(
        _notifier(harness), harness.db, now=MORNING, quiet_hours=QUIET, timezone=ZONE
    )

    assert result.failed == 1
    # the batch waits in the outbox (its alerts are claimed: they are never queued twice)
    [key] = [
        f"alerts:{WORKER_ID}:2025-03-10:{row['posting_id']}" for row in await _alerts(harness.db)
    ]
    assert await harness.db.transact(outbox.state_of, key=key) is OutboxState.pending
    assert len(await _deliver(harness, MORNING + timedelta(minutes=5))) == 1
    assert await harness.db.transact(outbox.state_of, key=key) is OutboxState.sent


# --- untrusted buttons ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "ja:x:i:99",
        "ja:x:g:5",
        "ja:p:m9999",
        "ja:e:z",
        "ja:nonsense",
        "ja:x:d:" + "区" * 17,
        "ja:off",  # nobody to unsubscribe: no registration
        "ja:del:y",
        "ja:a:0",
    ],
)
async def test_forged_or_stale_buttons_are_answered_politely(harness: Harness, data: str) -> None:
    calls = await harness.feed(callback(data))

    answers = _answers(calls)
    assert len(answers) == 1
    assert answers[0].params.get("text") == t("zh", "button-stale")
    assert [c for c in calls if c.method == "sendMessage"] == []
    assert await _seeker_row(harness.db) is None


async def test_an_eleventh_district_is_refused_with_a_reason(harness: Harness) -> None:
    await _worker(harness.db, districts=[f"区{n}" for n in range(10)])

    calls = await harness.feed(callback("ja:x:d:金水区"))

    answers = _answers(calls)
    assert [a.params.get("text") for a in answers] == [t("zh", "ja-error-too_many")]
    row = await _seeker_row(harness.db)
    assert row is not None
    assert len(row["districts"]) == 10


async def test_every_callback_the_bot_offers_fits_telegrams_limit(harness: Harness) -> None:
    await _publish(harness.db, _posting(district="金水区", metro_line="郑州地铁城郊线"))
    calls = []
    for data in ("ja:menu", "ja:e:d", "ja:e:i", "ja:e:t", "ja:e:m", "ja:e:g", "ja:e:p"):
        calls += await harness.feed(callback(data))

    offered = [d for c in calls for d in c.callback_data]
    assert offered
    assert all(len(d.encode()) <= 64 for d in offered)


# --- forgetting -------------------------------------------------------------------------------


async def test_forget_removes_the_registration_and_the_alerts(harness: Harness) -> None:
    await harness.feed(message("/start"))
    await _register(harness.db, districts=["金水区"])
    await _publish(harness.db, _posting())

    await harness.feed(message("/forget"))
    texts = await harness.texts(callback("forget:yes"))

    assert t("zh", "ja-forget-item") in texts[0]
    assert await _seeker_row(harness.db) is None
    assert await _alerts(harness.db) == []


def test_the_forget_item_key_exists_in_both_catalogs() -> None:
    assert "ja-forget-item" in message_ids("zh")
    assert "ja-forget-item" in message_ids("en")


# --- the repeating job ------------------------------------------------------------------------


async def test_a_running_bot_has_a_repeating_job_that_delivers_alerts(
    settings: Settings, db: Database
) -> None:
    api = LocalBotApi(strict=True)
    config = settings.model_copy(update={"alert_interval_s": 120, "quiet_hours": "off"})
    app = build_application(config, db=db, request=api, job_queue=True, updater=False)
    await app.initialize()
    try:
        assert app.job_queue is not None
        [job] = app.job_queue.get_jobs_by_name("job-alerts")
        assert job.job.trigger.interval == timedelta(seconds=120)
        await _worker(db)
        await _publish(db, _posting(), now=utcnow())

        await job.run(app)
    finally:
        await app.shutdown()

    assert len(api.sent("sendMessage")) == 1
