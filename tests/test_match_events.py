"""Union socials: staff create, list, export and cancel them; members sign up and wait."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.app import encoders
from bot.config import Settings
from bot.core.models import AuditLog, FlowState, Role, utcnow
from bot.core.users import forget_user, grant_role, set_language
from bot.db import Database
from bot.i18n import t
from bot.localapi import Call
from bot.match.core import EVENT_FLOW
from bot.match.events import (
    SignUp,
    day_before,
    parse_when,
    send_reminders,
    sign_up,
    when_text,
)
from bot.match.models import MatchEvent, MatchSignup
from handlers.notifier import TelegramNotifier
from tests.conftest import Harness
from tests.factories import ADMIN_ID, STAFF_ID, WORKER_ID, callback, message
from tests.match_factories import make_profile, verify_member

ZONE = ZoneInfo("Asia/Shanghai")
MEMBERS = (500_001, 500_002, 500_003, 500_004)
FIRST, SECOND, THIRD, FOURTH = MEMBERS
TITLE = "金水区青年职工冬季联谊会"
PLACE = "金水区工人文化宫二楼"


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The shared test settings, with room for many button presses in a second."""
    return Settings(
        bot_token="123456:TEST-token",  # type: ignore[arg-type]
        database_url=database_url,
        outbound_rate_limit=False,
        admin_ids=[ADMIN_ID],
        default_language="zh",
        flood_limit="100 per 1 second",
        _env_file=None,  # type: ignore[call-arg]
    )


@dataclass
class Upload:
    """A file the bot sent, as Telegram would receive it."""

    filename: str
    data: bytes


@pytest.fixture
def uploads(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> list[Upload]:
    """Files sent with sendDocument (the recorded call keeps only the plain parameters)."""
    sent: list[Upload] = []
    forward = harness.api.do_request

    async def recording(url: str, method: str, request_data: Any = None, *args: Any) -> Any:
        if url.endswith("/sendDocument") and request_data is not None:
            for filename, content, *_ in request_data.multipart_data.values():
                sent.append(Upload(filename, content))
        return await forward(url, method, request_data, *args)

    monkeypatch.setattr(harness.api, "do_request", recording)
    return sent


@pytest.fixture
async def staff(db: Database) -> None:
    """A staff member."""
    async with db.session() as session:
        await grant_role(session, actor_id=None, user_id=STAFF_ID, role=Role.staff)


@pytest.fixture
async def members(db: Database) -> None:
    """Four verified members without matchmaking profiles."""
    for member in MEMBERS:
        await verify_member(db, member)


# --- helpers ----------------------------------------------------------------------------------


def _sent(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method in ("sendMessage", "editMessageText")]


def _text(calls: list[Call]) -> str:
    return "\n".join(c.text for c in _sent(calls))


def _to(calls: list[Call], chat_id: int) -> list[Call]:
    return [c for c in _sent(calls) if int(c.params["chat_id"]) == chat_id]


def _popup(calls: list[Call]) -> str:
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answers, [c.method for c in calls]
    return str(answers[-1].params.get("text") or "")


def _is_alert(calls: list[Call]) -> bool:
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    return bool(answers and answers[-1].params.get("show_alert"))


async def _say(harness: Harness, text: str, user_id: int = STAFF_ID) -> list[Call]:
    return await harness.feed(message(text, user_id=user_id))


async def _press(
    harness: Harness, data: str, user_id: int = WORKER_ID, *, name: str | None = None
) -> list[Call]:
    payload = callback(data, user_id=user_id)
    if name is not None:
        payload["callback_query"]["from"]["first_name"] = name
    return await harness.feed(payload)


async def _event(db: Database, **fields: Any) -> MatchEvent:
    """A social three days ahead, sign-up open for two more days (override with ``fields``)."""
    now = utcnow()
    values: dict[str, Any] = {
        "title": TITLE,
        "starts_at": now + timedelta(days=3),
        "place": PLACE,
        "capacity": 10,
        "balanced": False,
        "signup_until": now + timedelta(days=2),
        "created_by": STAFF_ID,
    }
    values.update(fields)
    async with db.session() as session:
        event = MatchEvent(**values)
        session.add(event)
        await session.commit()
        await session.refresh(event)
        return event


async def _signups(db: Database, event_id: int) -> dict[int, str]:
    async with db.session() as session:
        rows = await session.exec(select(MatchSignup).where(col(MatchSignup.event_id) == event_id))
        return {row.user_id: str(row.status) for row in rows.all()}


async def _signup(db: Database, event_id: int, user_id: int) -> MatchSignup | None:
    async with db.session() as session:
        return await session.get(MatchSignup, (event_id, user_id))


async def _get_event(db: Database, event_id: int) -> MatchEvent:
    async with db.session() as session:
        event = await session.get(MatchEvent, event_id)
        assert event is not None
        return event


async def _audits(db: Database, action: str) -> list[AuditLog]:
    async with db.session() as session:
        rows = await session.exec(select(AuditLog).where(col(AuditLog.action) == action))
        return list(rows.all())


async def _flow(db: Database, user_id: int = STAFF_ID) -> FlowState | None:
    async with db.session() as session:
        return await session.get(FlowState, user_id)


async def _step(db: Database) -> str | None:
    """The staff member's step in the new-social questions (None outside them)."""
    state = await _flow(db)
    return state.step if state is not None and state.flow == EVENT_FLOW else None


def _local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


# --- reading times ----------------------------------------------------------------------------


NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)  # 16:00 in Zhengzhou


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-05 19:00", _local(2026, 12, 5, 19)),
        ("2026/12/5 19:30", _local(2026, 12, 5, 19, 30)),
        ("2026年12月5日 19:00", _local(2026, 12, 5, 19)),
        ("12月5日 19:00", _local(2026, 12, 5, 19)),
        ("12月5日晚上7点半", _local(2026, 12, 5, 19, 30)),
        ("12-05 19:00", _local(2026, 12, 5, 19)),
        ("１２－０５　１９：００", _local(2026, 12, 5, 19)),
        ("3-08 9:00", _local(2027, 3, 8, 9)),
        ("11月21日 15:00", _local(2027, 11, 21, 15)),
        ("明天 19:00", _local(2026, 11, 22, 19)),
        ("12-05 7pm", _local(2026, 12, 5, 19)),
        ("下周六晚上7点", _local(2026, 11, 28, 19)),
        ("明天下午三点", _local(2026, 11, 22, 15)),
        ("周五 19:30", _local(2026, 11, 27, 19, 30)),
        ("Sat 7pm", _local(2026, 11, 21, 19)),
        ("tomorrow 3pm", _local(2026, 11, 22, 15)),
    ],
)
def test_times_are_read_in_the_union_zone_this_or_next_year(text: str, expected: datetime) -> None:
    assert parse_when(text, now=NOW, zone="Asia/Shanghai") == expected


@pytest.mark.parametrize("text", ["下周六", "12月5日", "2026-13-01 19:00", "12-05 25:00", "19:00"])
def test_unreadable_times_are_refused(text: str) -> None:
    assert parse_when(text, now=NOW, zone="Asia/Shanghai") is None


def test_the_day_before_deadline_is_at_eight_in_the_evening_local_time() -> None:
    assert day_before(_local(2026, 12, 5, 19), zone="Asia/Shanghai") == _local(2026, 12, 4, 20)


# --- staff: a new social ----------------------------------------------------------------------


async def _answer_up_to_balance(harness: Harness, year: int) -> None:
    await _say(harness, "/match event")
    await _say(harness, TITLE)
    await _say(harness, f"{year}-12-05 19:00")
    await _say(harness, PLACE)
    await _say(harness, "20")


@pytest.mark.usefixtures("staff")
async def test_staff_flow_creates_the_event_with_utc_times(harness: Harness, db: Database) -> None:
    year = utcnow().astimezone(ZONE).year + 1
    await _answer_up_to_balance(harness, year)
    calls = await _press(harness, "me:bal:y", STAFF_ID)
    assert "me:dl" in _sent(calls)[-1].callback_data
    calls = await _say(harness, f"{year}-12-04 18:00")
    assert "me:ok" in _sent(calls)[-1].callback_data

    calls = await _press(harness, "me:ok", STAFF_ID)

    async with db.session() as session:
        [event] = (await session.exec(select(MatchEvent))).all()
    assert event.title == TITLE
    assert event.place == PLACE
    assert event.starts_at == datetime(year, 12, 5, 11, 0, tzinfo=UTC)
    assert event.signup_until == datetime(year, 12, 4, 10, 0, tzinfo=UTC)
    assert event.capacity == 20
    assert event.balanced is True
    assert event.created_by == STAFF_ID
    assert t("zh", "me-created", id=str(event.id)) in _text(calls)
    announcement = _sent(calls)[-1].text
    assert TITLE in announcement
    assert "12月5日" in announcement
    assert "19:00" in announcement
    assert await _flow(db) is None
    [entry] = await _audits(db, "match.event.create")
    assert entry.actor_id == STAFF_ID
    assert entry.subject == f"match_event:{event.id}"


@pytest.mark.usefixtures("staff")
async def test_the_day_before_button_sets_the_deadline_at_eight_in_the_evening(
    harness: Harness, db: Database
) -> None:
    year = utcnow().astimezone(ZONE).year + 1
    await _answer_up_to_balance(harness, year)
    await _press(harness, "me:bal:n", STAFF_ID)
    await _press(harness, "me:dl", STAFF_ID)
    await _press(harness, "me:ok", STAFF_ID)

    async with db.session() as session:
        [event] = (await session.exec(select(MatchEvent))).all()
    assert event.signup_until == datetime(year, 12, 4, 12, 0, tzinfo=UTC)
    assert event.balanced is False


@pytest.mark.usefixtures("staff")
async def test_a_start_time_in_the_past_is_asked_again(harness: Harness, db: Database) -> None:
    await _say(harness, "/match event")
    await _say(harness, TITLE)

    calls = await _say(harness, "2020-12-05 19:00")

    assert t("zh", "me-bad-past") in _text(calls)
    assert await _step(db) == "start"


def _next_weeks_saturday() -> date:
    today = utcnow().astimezone(ZONE).date()
    return today - timedelta(days=today.weekday()) + timedelta(days=12)


@pytest.mark.usefixtures("staff")
async def test_a_start_said_as_next_saturday_evening_is_stored_and_shown_back(
    harness: Harness, db: Database
) -> None:
    saturday = _next_weeks_saturday()
    starts = datetime.combine(saturday, time(19, 0), tzinfo=ZONE)
    await _say(harness, "/match event")
    await _say(harness, TITLE)

    calls = await _say(harness, "下周六晚上7点")

    understood = t(
        "zh",
        "me-time-understood",
        year=str(saturday.year),
        when=when_text("zh", starts.astimezone(UTC), "Asia/Shanghai"),
    )
    assert understood in _text(calls)
    assert "周六" in understood
    assert "19:00" in understood
    assert await _step(db) == "place"
    state = await _flow(db)
    assert state is not None
    assert datetime.fromisoformat(state.data["start"]) == starts.astimezone(UTC)


@pytest.mark.usefixtures("staff")
async def test_an_english_start_said_as_sat_7pm_is_shown_back_in_english(
    harness: Harness, db: Database
) -> None:
    async with db.session() as session:
        await set_language(session, user_id=STAFF_ID, language="en")
    await harness.feed(message("/match event", user_id=STAFF_ID, lang="en"))
    await harness.feed(message(TITLE, user_id=STAFF_ID, lang="en"))

    calls = await harness.feed(message("Sat 7pm", user_id=STAFF_ID, lang="en"))

    state = await _flow(db)
    assert state is not None
    assert state.step == "place"
    start = datetime.fromisoformat(state.data["start"])
    local = start.astimezone(ZONE)
    assert (local.weekday(), local.hour, local.minute) == (5, 19, 0)
    assert 0 <= (local.date() - utcnow().astimezone(ZONE).date()).days <= 7
    assert t(
        "en",
        "me-time-understood",
        year=str(local.year),
        when=when_text("en", start, "Asia/Shanghai"),
    ) in _text(calls)


@pytest.mark.usefixtures("staff")
async def test_a_start_without_a_time_of_day_is_asked_again(
    harness: Harness, db: Database
) -> None:
    await _say(harness, "/match event")
    await _say(harness, TITLE)

    calls = await _say(harness, "下周六")

    assert t("zh", "me-bad-time") in _text(calls)
    assert await _step(db) == "start"


@pytest.mark.usefixtures("staff")
async def test_a_deadline_after_the_start_is_refused(harness: Harness, db: Database) -> None:
    year = utcnow().astimezone(ZONE).year + 1
    await _answer_up_to_balance(harness, year)
    await _press(harness, "me:bal:n", STAFF_ID)

    calls = await _say(harness, f"{year}-12-06 10:00")

    assert t("zh", "me-bad-after-start") in _text(calls)
    assert await _step(db) == "deadline"


@pytest.mark.usefixtures("staff")
async def test_a_capacity_out_of_range_is_refused(harness: Harness, db: Database) -> None:
    year = utcnow().astimezone(ZONE).year + 1
    await _say(harness, "/match event")
    await _say(harness, TITLE)
    await _say(harness, f"{year}-12-05 19:00")
    await _say(harness, PLACE)

    calls = await _say(harness, "5000")

    assert t("zh", "me-bad-capacity", min="1", max="1000") in _text(calls)
    assert await _step(db) == "capacity"


@pytest.mark.usefixtures("staff")
async def test_back_returns_to_the_previous_question_keeping_the_answer(
    harness: Harness, db: Database
) -> None:
    await _say(harness, "/match event")
    await _say(harness, TITLE)

    calls = await _press(harness, "me:b:start", STAFF_ID)

    assert t("zh", "me-current", value=TITLE) in _text(calls)
    assert await _step(db) == "title"


@pytest.mark.usefixtures("staff")
async def test_create_pressed_twice_creates_one_event(harness: Harness, db: Database) -> None:
    year = utcnow().astimezone(ZONE).year + 1
    await _answer_up_to_balance(harness, year)
    await _press(harness, "me:bal:n", STAFF_ID)
    await _press(harness, "me:dl", STAFF_ID)
    await _press(harness, "me:ok", STAFF_ID)

    calls = await _press(harness, "me:ok", STAFF_ID)

    assert _popup(calls) == t("zh", "button-stale")
    async with db.session() as session:
        assert len((await session.exec(select(MatchEvent))).all()) == 1


@pytest.mark.usefixtures("staff")
async def test_a_photo_during_the_new_social_is_answered_with_a_hint(
    harness: Harness, db: Database
) -> None:
    await _say(harness, "/match event")
    photo = [{"file_id": "p", "file_unique_id": "p1", "width": 9, "height": 9}]

    calls = await harness.feed(message(None, user_id=STAFF_ID, photo=photo))

    assert t("zh", "me-text-only") in _text(calls)


# --- role checks ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/match event", "/match events", "/match export 1"])
async def test_a_worker_cannot_use_the_staff_commands(
    harness: Harness, db: Database, command: str
) -> None:
    await _event(db)

    calls = await _say(harness, command, WORKER_ID)

    assert _text(calls) == t("zh", "role-refused")
    assert [c for c in calls if c.method == "sendDocument"] == []
    assert await _flow(db, WORKER_ID) is None


@pytest.mark.parametrize("verb", ["ev", "e:{id}", "cx:{id}", "cxok:{id}", "ok", "dl", "bal:y"])
async def test_a_worker_cannot_press_the_staff_buttons(
    harness: Harness, db: Database, verb: str
) -> None:
    event = await _event(db)

    calls = await _press(harness, "me:" + verb.format(id=event.id), WORKER_ID)

    assert _popup(calls) == t("zh", "role-refused")
    assert _is_alert(calls)
    assert _sent(calls) == []
    assert (await _get_event(db, event.id or 0)).cancelled is False


async def test_a_forged_or_unknown_button_is_stale(harness: Harness, db: Database) -> None:
    await verify_member(db, FIRST)

    for data in ("me:zz", "me:j:abc", "me:j:99999"):
        calls = await _press(harness, data, FIRST)
        assert _popup(calls) == t("zh", "button-stale"), data


# --- members: verification, the list ---------------------------------------------------------


async def test_an_unverified_member_is_sent_to_verification(
    harness: Harness, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handlers import membership as verify

    started: list[str] = []

    async def start(update: Any, context: Any, *, then: str) -> None:
        started.append(then)

    monkeypatch.setattr(verify, "start_verification", start)
    event = await _event(db)

    await _press(harness, "me:list", WORKER_ID)
    await _press(harness, f"me:j:{event.id}", WORKER_ID)

    assert started == ["events", "events"]
    assert await _signups(db, event.id or 0) == {}


@pytest.mark.usefixtures("members")
async def test_the_list_shows_places_the_deadline_and_my_place(
    harness: Harness, db: Database
) -> None:
    event = await _event(db, capacity=5)
    await _event(db, title="已取消的活动", cancelled=True)
    await _event(db, title="已经开过的活动", starts_at=utcnow() - timedelta(hours=1))
    await _press(harness, f"me:j:{event.id}", FIRST)

    calls = await _press(harness, "me:list", FIRST)

    text = _text(calls)
    assert TITLE in text
    assert PLACE in text
    assert t("zh", "me-places-left", left=4) in text
    assert t("zh", "me-mine-going") in text
    assert "已取消的活动" not in text
    assert "已经开过的活动" not in text
    assert f"me:c:{event.id}" in _sent(calls)[-1].callback_data


@pytest.mark.usefixtures("members")
async def test_the_list_offers_no_sign_up_after_the_deadline(
    harness: Harness, db: Database
) -> None:
    event = await _event(db, signup_until=utcnow() - timedelta(hours=1))

    calls = await _press(harness, "me:list", FIRST)

    assert t("zh", "me-deadline-passed") in _text(calls)
    assert f"me:j:{event.id}" not in _sent(calls)[-1].callback_data


# --- members: signing up ----------------------------------------------------------------------


@pytest.mark.usefixtures("members")
async def test_members_sign_up_until_full_then_join_the_waiting_list_in_order(
    harness: Harness, db: Database
) -> None:
    event = await _event(db, capacity=2)

    replies = [_text(await _press(harness, f"me:j:{event.id}", m)) for m in MEMBERS]

    assert await _signups(db, event.id or 0) == {
        FIRST: "going",
        SECOND: "going",
        THIRD: "waiting",
        FOURTH: "waiting",
    }
    assert "报名成功" in replies[0]
    assert "阿强" in replies[0]  # the name staff will see
    assert "候补名单第 1 位" in replies[2]
    assert "候补名单第 2 位" in replies[3]
    signup = await _signup(db, event.id or 0, FIRST)
    assert signup is not None
    assert signup.name == "阿强"


@pytest.mark.usefixtures("members")
async def test_cancelling_gives_the_place_to_the_first_waiting_member_and_tells_them(
    harness: Harness, db: Database
) -> None:
    event = await _event(db, capacity=1)
    for member in (FIRST, SECOND, THIRD):
        await _press(harness, f"me:j:{event.id}", member)

    calls = await _press(harness, f"me:c:{event.id}", FIRST)

    assert await _signups(db, event.id or 0) == {SECOND: "going", THIRD: "waiting"}
    assert t("zh", "me-left", title=TITLE) in _text(_to(calls, FIRST))
    [told] = _to(calls, SECOND)
    assert "从候补转为正式报名" in told.text
    assert f"me:c:{event.id}" in told.callback_data
    assert _to(calls, THIRD) == []


@pytest.mark.usefixtures("members")
async def test_leaving_the_waiting_list_moves_nobody(harness: Harness, db: Database) -> None:
    event = await _event(db, capacity=1)
    for member in (FIRST, SECOND, THIRD):
        await _press(harness, f"me:j:{event.id}", member)

    calls = await _press(harness, f"me:c:{event.id}", SECOND)

    assert await _signups(db, event.id or 0) == {FIRST: "going", THIRD: "waiting"}
    assert _to(calls, THIRD) == []


async def test_gender_balance_keeps_at_most_half_the_places_per_gender(
    harness: Harness, db: Database
) -> None:
    event = await _event(db, capacity=4, balanced=True)
    men = (FIRST, SECOND, THIRD)
    for member in men:
        await make_profile(db, member, gender="m")
    await make_profile(db, FOURTH, gender="f", want_gender="m")

    for member in MEMBERS:
        await _press(harness, f"me:j:{event.id}", member)

    assert await _signups(db, event.id or 0) == {
        FIRST: "going",
        SECOND: "going",
        THIRD: "waiting",
        FOURTH: "going",
    }
    signup = await _signup(db, event.id or 0, FOURTH)
    assert signup is not None
    assert signup.gender == "f"


async def test_a_place_freed_at_a_balanced_social_goes_to_the_first_who_fits(
    harness: Harness, db: Database
) -> None:
    event = await _event(db, capacity=2, balanced=True)
    await make_profile(db, FIRST, gender="m")
    await make_profile(db, SECOND, gender="f", want_gender="m")
    await make_profile(db, THIRD, gender="f", want_gender="m")
    await make_profile(db, FOURTH, gender="m")
    for member in MEMBERS:
        await _press(harness, f"me:j:{event.id}", member)

    calls = await _press(harness, f"me:c:{event.id}", FIRST)

    assert await _signups(db, event.id or 0) == {
        SECOND: "going",
        THIRD: "waiting",
        FOURTH: "going",
    }
    assert len(_to(calls, FOURTH)) == 1
    assert _to(calls, THIRD) == []


@pytest.mark.usefixtures("members")
async def test_a_member_without_a_profile_is_asked_their_gender_for_a_balanced_social(
    harness: Harness, db: Database
) -> None:
    event = await _event(db, capacity=4, balanced=True)

    asked = await _press(harness, f"me:j:{event.id}", FIRST)

    assert t("zh", "match-gender-f") in [
        b["text"] for row in _sent(asked)[-1].buttons for b in row
    ]
    assert await _signups(db, event.id or 0) == {}
    calls = await _press(harness, f"me:g:{event.id}:f", FIRST)
    assert "报名成功" in _text(calls)
    signup = await _signup(db, event.id or 0, FIRST)
    assert signup is not None
    assert signup.gender == "f"


@pytest.mark.usefixtures("members")
async def test_signing_up_after_the_deadline_is_refused(harness: Harness, db: Database) -> None:
    event = await _event(db, signup_until=utcnow() - timedelta(minutes=1))

    calls = await _press(harness, f"me:j:{event.id}", FIRST)

    assert _popup(calls) == t("zh", "me-closed")
    assert _is_alert(calls)
    assert await _signups(db, event.id or 0) == {}


@pytest.mark.usefixtures("members")
async def test_signing_up_for_a_cancelled_social_is_refused(
    harness: Harness, db: Database
) -> None:
    event = await _event(db, cancelled=True)

    calls = await _press(harness, f"me:j:{event.id}", FIRST)

    assert _popup(calls) == t("zh", "me-gone")
    assert await _signups(db, event.id or 0) == {}


@pytest.mark.usefixtures("members")
async def test_a_second_press_of_sign_up_does_nothing(harness: Harness, db: Database) -> None:
    event = await _event(db, capacity=1)
    await _press(harness, f"me:j:{event.id}", FIRST)
    first = await _signup(db, event.id or 0, FIRST)

    calls = await _press(harness, f"me:j:{event.id}", FIRST)

    assert _sent(calls) == []
    assert _popup(calls) == t("zh", "me-already-going")
    assert await _signup(db, event.id or 0, FIRST) == first


@pytest.mark.usefixtures("members")
async def test_a_second_press_of_cancel_moves_nobody_else_up(
    harness: Harness, db: Database
) -> None:
    event = await _event(db, capacity=1)
    for member in (FIRST, SECOND, THIRD):
        await _press(harness, f"me:j:{event.id}", member)
    await _press(harness, f"me:c:{event.id}", FIRST)

    calls = await _press(harness, f"me:c:{event.id}", FIRST)

    assert _popup(calls) == t("zh", "me-not-signed-up")
    assert _sent(calls) == []
    assert await _signups(db, event.id or 0) == {SECOND: "going", THIRD: "waiting"}


async def test_two_members_pressing_for_the_last_place_get_one_place(db: Database) -> None:
    now = utcnow()
    for _ in range(5):
        event = await _event(db, capacity=1)
        presses = [
            db.transact(sign_up, event_id=event.id, user_id=m, name="x", gender=None, now=now)
            for m in (FIRST, SECOND)
        ]

        results: list[SignUp] = await asyncio.gather(*presses)

        assert sorted(r.outcome for r in results) == ["going", "waiting"]
        assert sorted((await _signups(db, event.id or 0)).values()) == ["going", "waiting"]


# --- reminders --------------------------------------------------------------------------------


@pytest.mark.usefixtures("members")
async def test_the_reminder_goes_once_to_members_going_only(
    harness: Harness, db: Database
) -> None:
    soon = await _event(db, capacity=1, starts_at=utcnow() + timedelta(hours=10))
    later = await _event(db, capacity=5, starts_at=utcnow() + timedelta(days=3))
    await _press(harness, f"me:j:{soon.id}", FIRST)
    await _press(harness, f"me:j:{soon.id}", SECOND)  # waiting
    await _press(harness, f"me:j:{later.id}", THIRD)
    harness.api.clear()
    now = utcnow()

    notifier = TelegramNotifier(harness.app.bot, encoders())
    sent = await send_reminders(notifier, db, now=now)
    again = await send_reminders(notifier, db, now=now + timedelta(minutes=15))

    assert (sent, again) == (1, 0)
    [reminder] = _sent(harness.api.calls)
    assert int(reminder.params["chat_id"]) == FIRST
    assert "联谊活动提醒" in reminder.text
    assert TITLE in reminder.text
    assert reminder.callback_data == [f"me:c:{soon.id}"]
    assert (await _get_event(db, soon.id or 0)).reminded_at == now
    assert (await _get_event(db, later.id or 0)).reminded_at is None


# --- staff: list, export, cancel --------------------------------------------------------------


@pytest.mark.usefixtures("staff", "members")
async def test_staff_see_upcoming_socials_with_their_counts(
    harness: Harness, db: Database
) -> None:
    event = await _event(db, capacity=1)
    await _event(db, title="三天前的活动", starts_at=utcnow() - timedelta(days=3))
    for member in (FIRST, SECOND):
        await _press(harness, f"me:j:{event.id}", member)

    calls = await _say(harness, "/match events")

    text = _text(calls)
    assert t("zh", "me-staff-counts", going=1, capacity=1, waiting=1) in text
    assert "三天前的活动" not in text
    assert _sent(calls)[-1].callback_data == [f"me:e:{event.id}", f"me:cx:{event.id}"]


def _rows(upload: Upload) -> list[list[str]]:
    assert upload.data.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(upload.data.decode("utf-8-sig"))))


@pytest.mark.usefixtures("staff", "members")
async def test_the_export_lists_going_then_waiting_with_local_times(
    harness: Harness, db: Database, uploads: list[Upload]
) -> None:
    event = await _event(db, capacity=2)
    await _press(harness, f"me:j:{event.id}", FIRST, name="王芳")
    await _press(harness, f"me:j:{event.id}", SECOND, name="=HYPERLINK()")
    await _press(harness, f"me:j:{event.id}", THIRD, name="李雷")

    calls = await _say(harness, f"/match export {event.id}")

    [document] = [c for c in calls if c.method == "sendDocument"]
    assert "3" in document.text
    [upload] = uploads
    assert upload.filename == f"event-{event.id}.csv"
    header, *rows = _rows(upload)
    assert header == ["序号", "状态", "名字", "性别", "报名时间"]
    assert [row[:3] for row in rows] == [
        ["1", "已报名", "王芳"],
        ["2", "已报名", "'=HYPERLINK()"],
        ["3", "候补", "李雷"],
    ]
    signup = await _signup(db, event.id or 0, FIRST)
    assert signup is not None
    assert rows[0][4] == signup.at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M")
    [entry] = await _audits(db, "match.event.export")
    assert entry.actor_id == STAFF_ID
    assert entry.detail == {"rows": 3}


@pytest.mark.usefixtures("staff")
async def test_exporting_an_unknown_social_says_so(harness: Harness, db: Database) -> None:
    calls = await _say(harness, "/match export 4242")

    assert _text(calls) == t("zh", "me-export-missing", id="4242")
    assert await _audits(db, "match.event.export") == []


@pytest.mark.usefixtures("staff", "members")
async def test_cancelling_a_social_tells_everyone_signed_up(
    harness: Harness, db: Database
) -> None:
    event = await _event(db, capacity=1)
    for member in (FIRST, SECOND):
        await _press(harness, f"me:j:{event.id}", member)

    confirm = await _press(harness, f"me:cx:{event.id}", STAFF_ID)
    calls = await _press(harness, f"me:cxok:{event.id}", STAFF_ID)
    again = await _press(harness, f"me:cxok:{event.id}", STAFF_ID)

    assert _sent(confirm)[-1].callback_data == [f"me:cxok:{event.id}", "me:ev"]
    assert (await _get_event(db, event.id or 0)).cancelled is True
    for member in (FIRST, SECOND):
        [told] = _to(calls, member)
        assert "取消了" in told.text
    assert t("zh", "me-cancel-done", title=TITLE, told=2) in _text(calls)
    assert _popup(again) == t("zh", "button-stale")
    [entry] = await _audits(db, "match.event.cancel")
    assert entry.detail == {"going": 1, "waiting": 1}


# --- forgetting -------------------------------------------------------------------------------


@pytest.mark.usefixtures("members")
async def test_forget_deletes_the_sign_ups_and_moves_the_waiting_list_up(
    harness: Harness, db: Database
) -> None:
    event = await _event(db, capacity=1)
    for member in (FIRST, SECOND):
        await _press(harness, f"me:j:{event.id}", member)

    async with db.session() as session:
        deleted = await forget_user(session, user_id=FIRST, audit_key=b"test-audit-key")

    assert "me-forget-signups" in deleted
    assert await _signups(db, event.id or 0) == {SECOND: "going"}
