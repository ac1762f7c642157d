"""Legal help for staff: statistics, the CSV export, volunteers' FAQ drafts and their review."""

from __future__ import annotations

import csv
import io
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.config import Settings
from bot.core.models import AuditLog, FlowState, Role, utcnow
from bot.core.users import grant_role, revoke_role, set_language
from bot.db import Database
from bot.i18n import t
from bot.legal import stats as legal_stats_module
from bot.legal.core import CATEGORIES, DRAFT_FLOW, case_label
from bot.legal.drafts import personal_data
from bot.legal.kb import current_kb, draft_entry_id, forget_cached_kb
from bot.legal.models import (
    CaseOutcome,
    CaseStatus,
    DraftStatus,
    LegalConsultation,
    LegalDraft,
    LegalMessage,
)
from bot.legal.stats import STARS, duration_text, export_cases, legal_stats, nearest_rank
from bot.localapi import Call
from tests.conftest import Harness
from tests.factories import ADMIN_ID, STAFF_ID, WORKER_ID, callback, message
from tests.legal_factories import make_case

LAWYER_ID = 444_444
OTHER_LAWYER_ID = 444_445
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
PHOTO = [{"file_id": "AgAC", "file_unique_id": "AQAD", "width": 90, "height": 90}]

QUESTION = "工地食堂的饭菜变质吃坏了肚子，能要求单位赔偿吗"
ANSWER = (
    "因单位提供的饭菜变质导致身体受损，可以要求单位承担医疗费等损失；"
    "如果是在工作时间和工作场所内因工作原因受伤，还可以申请工伤认定（《工伤保险条例》第14条）。"
)
LAST_REPLY = "可以先向劳动保障监察投诉，也可以申请劳动仲裁，仲裁不收费；请保留工资条和聊天记录。"
_message_ids = itertools.count(900_000)


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The shared test settings, with room for a whole draft in a few seconds."""
    return Settings(
        bot_token="123456:TEST-token",  # type: ignore[arg-type]
        database_url=database_url,
        outbound_rate_limit=False,
        admin_ids=[ADMIN_ID],
        default_language="zh",
        flood_limit="100 per 1 second",
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(autouse=True)
def _fresh_knowledge() -> Iterator[None]:
    """Each test starts without a knowledge base cached by another test's database."""
    forget_cached_kb()
    yield
    forget_cached_kb()


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


# --- helpers ----------------------------------------------------------------------------------


async def _grant(db: Database, user_id: int, role: Role) -> None:
    async with db.session() as session:
        await grant_role(session, actor_id=None, user_id=user_id, role=role)


@pytest.fixture
async def people(db: Database) -> None:
    """A staff member and two volunteer lawyers."""
    await _grant(db, STAFF_ID, Role.staff)
    await _grant(db, LAWYER_ID, Role.volunteer_legal)
    await _grant(db, OTHER_LAWYER_ID, Role.volunteer_legal)


async def _say(harness: Harness, text: str, user_id: int = LAWYER_ID) -> list[Call]:
    return await harness.feed(message(text, user_id=user_id))


async def _press(harness: Harness, data: str, user_id: int = LAWYER_ID) -> list[Call]:
    return await harness.feed(callback(data, user_id=user_id))


def _texts(calls: list[Call]) -> list[str]:
    return [c.text for c in calls if c.method in ("sendMessage", "editMessageText")]


def _last(calls: list[Call]) -> Call:
    sent = [c for c in calls if c.method in ("sendMessage", "editMessageText")]
    assert sent, [(c.method, c.text[:40]) for c in calls]
    return sent[-1]


def _sent_to(calls: list[Call], chat_id: int) -> list[Call]:
    return [c for c in calls if c.method == "sendMessage" and int(c.params["chat_id"]) == chat_id]


def _popup(calls: list[Call]) -> str:
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answers, [c.method for c in calls]
    return str(answers[-1].params.get("text") or "")


async def _consultation(db: Database, *, helped: bool | None, at: datetime = NOW) -> None:
    async with db.session() as session:
        session.add(
            LegalConsultation(user_id=WORKER_ID, entry_id="wages.unpaid", helped=helped, at=at)
        )
        await session.commit()


async def _volunteer_message(
    db: Database, case_id: int, text: str, *, author_id: int = LAWYER_ID, at: datetime = NOW
) -> None:
    async with db.session() as session:
        session.add(
            LegalMessage(
                case_id=case_id,
                chat_id=WORKER_ID,
                message_id=next(_message_ids),
                direction="volunteer",
                author_id=author_id,
                text=text,
                at=at,
            )
        )
        await session.commit()


async def _flow(db: Database, user_id: int = LAWYER_ID) -> FlowState | None:
    async with db.session() as session:
        return await session.get(FlowState, user_id)


async def _drafts(db: Database) -> list[LegalDraft]:
    async with db.session() as session:
        found = await session.exec(select(LegalDraft).order_by(col(LegalDraft.id)))
        return list(found.all())


async def _audits(db: Database, action: str) -> list[AuditLog]:
    async with db.session() as session:
        found = await session.exec(select(AuditLog).where(AuditLog.action == action))
        return list(found.all())


async def _make_draft(db: Database, *, question: str = QUESTION, **fields: Any) -> LegalDraft:
    values: dict[str, Any] = {
        "author_id": LAWYER_ID,
        "category": "injury",
        "lang": "zh",
        "question": question,
        "phrases": ["食堂饭菜有问题吃坏了找谁"],
        "answer": ANSWER,
    }
    values.update(fields)
    draft = LegalDraft(**values)
    async with db.session() as session:
        session.add(draft)
        await session.commit()
        await session.refresh(draft)
    return draft


async def _claimed_case(db: Database, **fields: Any) -> int:
    values: dict[str, Any] = {
        "status": CaseStatus.claimed,
        "claimed_by": LAWYER_ID,
        "claimed_at": utcnow(),
    }
    values.update(fields)
    case = await make_case(db, **values)
    assert case.id is not None
    return case.id


def _hours(value: float) -> timedelta:
    return timedelta(hours=value)


# --- percentiles and durations ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "percent", "expected"),
    [
        ([3, 1, 2, 5, 4, 10, 9, 8, 7, 6], 50, 5),
        ([3, 1, 2, 5, 4, 10, 9, 8, 7, 6], 90, 9),
        ([10, 20, 30, 40], 50, 20),
        ([10, 20, 30, 40], 90, 40),
        ([15, 20, 35, 40, 50], 50, 35),
        ([15, 20, 35, 40, 50], 90, 50),
        (list(range(1, 31)), 90, 27),
        ([7], 90, 7),
    ],
)
def test_nearest_rank_picks_the_value_at_the_rounded_up_rank(
    values: list[float], percent: float, expected: float
) -> None:
    assert nearest_rank(values, percent) == expected


def test_nearest_rank_of_no_values_is_an_error() -> None:
    with pytest.raises(ValueError, match="no values"):
        nearest_rank([], 50)


@pytest.mark.parametrize(
    ("lang", "duration", "expected"),
    [
        ("zh", timedelta(hours=3, minutes=12, seconds=59), "3小时12分"),
        ("en", timedelta(hours=3, minutes=12), "3 h 12 min"),
        ("zh", timedelta(minutes=45), "45分钟"),
        ("en", timedelta(seconds=20), "0 min"),
        ("zh", timedelta(days=2, hours=5, minutes=30), "2天5小时"),
        ("en", timedelta(days=1, hours=1), "1 d 1 h"),
    ],
)
def test_durations_read_as_people_say_them(lang: str, duration: timedelta, expected: str) -> None:
    assert duration_text(lang, duration) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有事打 13812345678 找我", "phone"),
        ("电话：138 1234 5678", "phone"),
        ("电话 １３８１２３４５６７８", "phone"),
        ("身份证 11010519491231002X", "id_card"),
        ("身份证 110105194912310021", "id_card"),
        ("欠了18000元，《劳动合同法》第82条，2024年3月5日入职", None),
        ("工号 12812345678901", None),
    ],
)
def test_personal_data_finds_mobile_and_id_card_numbers(text: str, expected: str | None) -> None:
    assert personal_data(text) == expected


# --- statistics over the database -------------------------------------------------------------


async def test_stats_count_faq_answers_by_what_the_worker_said(db: Database) -> None:
    for helped in (True, True, True, False, None, None):
        await _consultation(db, helped=helped)

    stats = await legal_stats(db, since=None, now=NOW)

    assert (stats.consultations, stats.helped, stats.not_helped, stats.no_feedback) == (6, 3, 1, 2)


async def test_stats_count_cases_by_status_and_urgency(db: Database) -> None:
    await make_case(db, created_at=NOW)
    await make_case(db, created_at=NOW, urgent=True)
    await make_case(db, created_at=NOW, status=CaseStatus.claimed, claimed_by=LAWYER_ID)
    await make_case(db, created_at=NOW, status=CaseStatus.closed, urgent=True)

    stats = await legal_stats(db, since=None, now=NOW)

    assert (stats.cases, stats.open, stats.claimed, stats.closed, stats.urgent) == (4, 2, 1, 1, 2)


async def test_stats_count_cases_by_category_in_menu_order(db: Database) -> None:
    for category in ("injury", "wages", "wages", "mystery"):
        await make_case(db, created_at=NOW, category=category)

    stats = await legal_stats(db, since=None, now=NOW)

    assert [c for c, _ in stats.by_category] == list(CATEGORIES)
    counts = dict(stats.by_category)
    assert (counts["wages"], counts["injury"], counts["other"], counts["contract"]) == (2, 1, 1, 0)


async def test_stats_count_closed_cases_by_outcome(db: Database) -> None:
    outcomes = [CaseOutcome.answered, CaseOutcome.answered, CaseOutcome.mediation, None]
    for outcome in outcomes:
        status = CaseStatus.closed if outcome else CaseStatus.open
        await make_case(db, created_at=NOW, status=status, outcome=outcome)

    stats = await legal_stats(db, since=None, now=NOW)

    assert dict(stats.by_outcome) == {
        "answered": 2,
        "mediation": 1,
        "legal_aid": 0,
        "withdrawn": 0,
    }


async def test_stats_give_median_and_p90_of_the_first_reply_times(db: Database) -> None:
    opened = NOW - timedelta(days=3)
    for hours in (4, 1, 7, 2, 10, 3, 9, 5, 8, 6):
        await make_case(db, created_at=opened, first_reply_at=opened + _hours(hours))
    await make_case(db, created_at=opened)  # no reply yet

    stats = await legal_stats(db, since=None, now=NOW)

    reply = stats.first_reply
    assert (reply.median, reply.p90) == (_hours(5), _hours(9))
    assert (reply.replied, reply.waiting) == (10, 1)


async def test_stats_without_any_reply_have_no_reply_times(db: Database) -> None:
    await make_case(db, created_at=NOW)

    stats = await legal_stats(db, since=None, now=NOW)

    assert (stats.first_reply.median, stats.first_reply.p90, stats.first_reply.waiting) == (
        None,
        None,
        1,
    )


async def test_stats_count_ratings_per_star_with_their_average(db: Database) -> None:
    for rating in (5, 5, 4, 1, None):
        await make_case(db, created_at=NOW, status=CaseStatus.closed, rating=rating)

    stats = await legal_stats(db, since=None, now=NOW)

    assert stats.ratings.count == 4
    assert stats.ratings.average == pytest.approx(3.75)
    assert stats.ratings.per_star == {1: 1, 2: 0, 3: 0, 4: 1, 5: 2}


async def test_stats_for_a_period_leave_out_older_cases_and_answers(db: Database) -> None:
    await make_case(db, created_at=NOW - timedelta(days=40), category="injury", rating=1)
    await make_case(db, created_at=NOW - timedelta(days=5), category="wages", rating=5)
    await _consultation(db, helped=False, at=NOW - timedelta(days=40))
    await _consultation(db, helped=True, at=NOW - timedelta(days=5))

    stats = await legal_stats(db, since=NOW - timedelta(days=30), now=NOW)

    assert (stats.cases, stats.consultations, stats.helped, stats.not_helped) == (1, 1, 1, 0)
    assert dict(stats.by_category)["injury"] == 0
    assert stats.ratings.per_star[5] == 1
    assert stats.ratings.per_star[1] == 0


async def test_a_reply_stored_before_the_opening_counts_as_no_wait(db: Database) -> None:
    opened = NOW - timedelta(days=1)
    await make_case(db, created_at=opened, first_reply_at=opened - _hours(1))
    await make_case(db, created_at=opened, first_reply_at=opened + _hours(1))

    stats = await legal_stats(db, since=None, now=NOW)

    assert (stats.first_reply.median, stats.first_reply.p90) == (timedelta(0), _hours(1))


async def test_stats_counted_by_the_database_equal_counting_every_case_in_python(
    db: Database,
) -> None:
    rng = random.Random(7)
    statuses = list(CaseStatus)
    categories = [*CATEGORIES, "retired-code"]
    outcomes = [None, *CaseOutcome]
    cases = []
    for _ in range(150):
        opened = NOW - timedelta(days=rng.randint(0, 60), seconds=rng.randint(0, 86_399))
        reply = (
            opened + timedelta(seconds=rng.randint(-600, 9 * 86_400))
            if rng.random() < 0.7
            else None
        )
        cases.append(
            await make_case(
                db,
                created_at=opened,
                first_reply_at=reply,
                status=rng.choice(statuses),
                category=rng.choice(categories),
                outcome=rng.choice(outcomes),
                urgent=rng.random() < 0.2,
                rating=rng.choice([None, None, *STARS]),
            )
        )
    since = NOW - timedelta(days=30)

    stats = await legal_stats(db, since=since, now=NOW)

    kept = [case for case in cases if case.created_at >= since]
    waits = [
        max(case.first_reply_at - case.created_at, timedelta(0)).total_seconds()
        for case in kept
        if case.first_reply_at is not None
    ]
    assert stats.cases == len(kept)
    assert (stats.open, stats.claimed, stats.closed) == tuple(
        sum(case.status == status for case in kept) for status in statuses
    )
    assert stats.urgent == sum(case.urgent for case in kept)
    assert dict(stats.by_category) == {
        c: sum((case.category if case.category in CATEGORIES else "other") == c for case in kept)
        for c in CATEGORIES
    }
    assert dict(stats.by_outcome) == {
        o.value: sum(case.outcome == o for case in kept) for o in CaseOutcome
    }
    assert stats.ratings.per_star == {
        star: sum(case.rating == star for case in kept) for star in STARS
    }
    assert (stats.first_reply.replied, stats.first_reply.waiting) == (
        len(waits),
        len(kept) - len(waits),
    )
    assert stats.first_reply.median == timedelta(seconds=nearest_rank(waits, 50))
    assert stats.first_reply.p90 == timedelta(seconds=nearest_rank(waits, 90))


# --- /legal stats -----------------------------------------------------------------------------


@pytest.mark.usefixtures("people")
async def test_staff_see_the_legal_statistics(harness: Harness, db: Database) -> None:
    opened = utcnow() - timedelta(days=2)
    await make_case(
        db,
        created_at=opened,
        first_reply_at=opened + timedelta(hours=3, minutes=12),
        status=CaseStatus.closed,
        outcome=CaseOutcome.mediation,
        rating=4,
    )
    await make_case(db, created_at=opened, category="injury", urgent=True)
    await _consultation(db, helped=True, at=opened)

    text = _last(await _say(harness, "/legal stats", STAFF_ID)).text

    assert t("zh", "ls-stats-title-all") in text
    assert "自动解答：1 次（有帮助 1，没帮助 0，未表态 0）" in text
    assert "新开案件：2 件（等待志愿律师 1，处理中 0，已结案 1；紧急 1）" in text
    assert "· 工伤：1" in text
    assert "· 转调解：1" in text
    assert "中位数 3小时12分" in text
    assert "平均 4.0 分" in text


@pytest.mark.usefixtures("people")
async def test_legal_stats_are_shown_in_english_to_english_staff(
    harness: Harness, db: Database
) -> None:
    opened = utcnow() - timedelta(days=2)
    await make_case(db, created_at=opened, first_reply_at=opened + timedelta(minutes=50))
    async with db.session() as session:
        await set_language(session, user_id=STAFF_ID, language="en")

    calls = await _say(harness, "/legal stats", STAFF_ID)

    assert "median 50 min" in _last(calls).text


@pytest.mark.usefixtures("people")
async def test_legal_stats_for_a_number_of_days_count_only_that_period(
    harness: Harness, db: Database
) -> None:
    await make_case(db, created_at=utcnow() - timedelta(days=60))
    await make_case(db, created_at=utcnow() - timedelta(days=3))

    text = _last(await _say(harness, "/legal stats 30", STAFF_ID)).text

    assert t("zh", "ls-stats-title-days", days=30) in text
    assert "新开案件：1 件" in text


async def test_an_admin_sees_the_legal_statistics(harness: Harness) -> None:
    text = _last(await _say(harness, "/legal stats", ADMIN_ID)).text

    assert t("zh", "ls-stats-title-all") in text


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("days", ["0", "3651", "abc", "30 40", "-5"])
async def test_a_bad_number_of_days_is_answered_politely(harness: Harness, days: str) -> None:
    calls = await _say(harness, f"/legal stats {days}", STAFF_ID)

    assert _texts(calls) == [t("zh", "ls-bad-days", max="3650")]


@pytest.mark.usefixtures("people")
async def test_other_words_after_legal_are_not_taken_as_a_staff_command(
    harness: Harness,
) -> None:
    calls = await _say(harness, "/legal statistics of overtime pay", STAFF_ID)

    texts = _texts(calls)
    assert texts
    assert not any(t("zh", "ls-stats-title-all") in text for text in texts)
    assert t("zh", "role-refused") not in texts


async def test_a_worker_asking_for_legal_stats_is_refused(harness: Harness) -> None:
    await make_case(harness.db, created_at=utcnow())

    calls = await _say(harness, "/legal stats", WORKER_ID)

    assert _texts(calls) == [t("zh", "role-refused")]


@pytest.mark.usefixtures("people")
async def test_a_volunteer_asking_for_legal_stats_is_refused(harness: Harness) -> None:
    calls = await _say(harness, "/legal stats", LAWYER_ID)

    assert _texts(calls) == [t("zh", "role-refused")]


# --- /legal export ----------------------------------------------------------------------------


def _rows(upload: Upload) -> list[list[str]]:
    return list(csv.reader(io.StringIO(upload.data.decode("utf-8-sig"))))


@pytest.mark.usefixtures("people")
async def test_export_sends_one_csv_row_per_case(
    harness: Harness, db: Database, uploads: list[Upload]
) -> None:
    opened = datetime(2026, 10, 3, 8, 30, tzinfo=UTC)
    first = await make_case(
        db,
        created_at=opened,
        status=CaseStatus.closed,
        claimed_at=opened + _hours(1),
        first_reply_at=opened + _hours(2),
        closed_at=opened + _hours(30),
        outcome=CaseOutcome.legal_aid,
        urgent=True,
        deadline=datetime(2026, 12, 1).date(),
        deadline_approximate=True,
        reannounced=2,
        escalated_at=opened + _hours(24),
        rating=5,
    )
    await make_case(db, created_at=opened + _hours(5), category="injury")

    calls = await _say(harness, "/legal export", STAFF_ID)

    assert [c.method for c in calls if c.method == "sendDocument"] == ["sendDocument"]
    header, row, other = _rows(uploads[0])
    assert header[0] == "案件编号"
    assert row == [
        case_label(first.id or 0),
        "拖欠工资",
        "2026-10-03T08:30:00+00:00",
        "2026-10-03T09:30:00+00:00",
        "2026-10-03T10:30:00+00:00",
        "2026-10-04T14:30:00+00:00",
        "法律援助已受理",
        "是",
        "2026-12-01",
        "是",
        "2",
        "2026-10-04T08:30:00+00:00",
        "5",
    ]
    assert other[1:3] == ["工伤", "2026-10-03T13:30:00+00:00"]
    assert header[9] == "期限为估算（日期只说了大概）"
    assert other[8:10] == ["", ""]  # no deadline: nothing to say about it


async def test_an_export_read_in_chunks_has_every_case_once_in_order(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(legal_stats_module, "EXPORT_CHUNK", 3)
    ids = [(await make_case(db, created_at=NOW - _hours(n))).id for n in range(8)]

    export = await export_cases(db, lang="en")

    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert export.rows == 8
    assert [row[0] for row in rows[1:]] == [case_label(i or 0) for i in ids]
    assert {row[1] for row in rows[1:]} == {t("en", "legal-cat-wages")}


@pytest.mark.usefixtures("people")
async def test_export_holds_nothing_that_identifies_a_worker(
    harness: Harness, db: Database, uploads: list[Upload]
) -> None:
    await make_case(
        db,
        created_at=utcnow(),
        contact="phone",
        phone="13912345678",
        show_name=True,
        display_name="王建国",
    )

    await _say(harness, "/legal export", STAFF_ID)

    content = uploads[0].data.decode("utf-8-sig")
    for personal in ("郑州某建筑劳务公司", "金水区", "拖欠三个月", "13912345678", "王建国"):
        assert personal not in content
    assert str(WORKER_ID) not in content
    assert len(_rows(uploads[0])[0]) == 13


@pytest.mark.usefixtures("people")
async def test_export_is_utf8_with_a_byte_order_mark_and_named_by_date(
    harness: Harness, db: Database, uploads: list[Upload]
) -> None:
    await make_case(db, created_at=utcnow())

    await _say(harness, "/legal export", STAFF_ID)

    today = utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert uploads[0].filename == f"legal-cases-{today:%Y%m%d}.csv"
    assert uploads[0].data.startswith(b"\xef\xbb\xbf")


@pytest.mark.usefixtures("people")
async def test_export_is_written_to_the_audit_log(
    harness: Harness, db: Database, uploads: list[Upload]
) -> None:
    await make_case(db, created_at=utcnow())
    await make_case(db, created_at=utcnow())

    await _say(harness, "/legal export", STAFF_ID)

    audits = await _audits(db, "legal.export")
    assert [(a.actor_id, a.detail["rows"]) for a in audits] == [(STAFF_ID, 2)]


@pytest.mark.usefixtures("people")
async def test_export_without_cases_sends_no_file(
    harness: Harness, db: Database, uploads: list[Upload]
) -> None:
    calls = await _say(harness, "/legal export", STAFF_ID)

    assert _texts(calls) == [t("zh", "ls-export-none")]
    assert uploads == []
    assert await _audits(db, "legal.export") == []


@pytest.mark.usefixtures("people")
async def test_a_volunteer_asking_for_the_export_gets_no_file(
    harness: Harness, db: Database, uploads: list[Upload]
) -> None:
    await make_case(db, created_at=utcnow())

    calls = await _say(harness, "/legal export", LAWYER_ID)

    assert _texts(calls) == [t("zh", "role-refused")]
    assert uploads == []


# --- a volunteer's draft from a case ----------------------------------------------------------


@pytest.mark.usefixtures("people")
async def test_the_draft_button_starts_a_draft_in_the_volunteers_private_chat(
    harness: Harness, db: Database
) -> None:
    case_id = await _claimed_case(db)

    calls = await _press(harness, f"ld:n:{case_id}")

    prompt = _last(calls)
    assert int(prompt.params["chat_id"]) == LAWYER_ID
    assert t("zh", "ld-intro-case", number=case_label(case_id)) in prompt.text
    assert t("zh", "ld-ask-question", min="5", max="300") in prompt.text
    state = await _flow(db)
    assert state is not None
    assert (state.flow, state.step, state.data["case"]) == (DRAFT_FLOW, "q", case_id)


@pytest.mark.usefixtures("people")
async def test_a_draft_from_a_case_can_take_the_volunteers_last_message_as_answer(
    harness: Harness, db: Database
) -> None:
    case_id = await _claimed_case(db, category="injury")
    await _volunteer_message(db, case_id, "你好，请问你是哪天受的伤？", at=NOW)
    await _volunteer_message(db, case_id, LAST_REPLY, at=NOW + _hours(1))
    await _volunteer_message(
        db,
        case_id,
        "另一位志愿者的回复，内容不应该被用来写草稿。",
        author_id=OTHER_LAWYER_ID,
        at=NOW + _hours(2),
    )
    await _press(harness, f"ld:n:{case_id}")
    await _say(harness, "老板拖欠工资不给怎么办")
    answer_step = _last(await _press(harness, "ld:s"))
    assert "ld:u" in answer_step.callback_data

    category_step = _last(await _press(harness, "ld:u"))
    preset = [b["text"] for row in category_step.buttons for b in row if b["text"].startswith("✓")]
    assert preset == ["✓ 工伤"]
    await _press(harness, f"ld:c:{CATEGORIES.index('injury')}")
    await _press(harness, "ld:ok")

    (draft,) = await _drafts(db)
    assert (draft.case_id, draft.category, draft.answer) == (case_id, "injury", LAST_REPLY)
    assert (draft.question, draft.phrases, draft.status) == (
        "老板拖欠工资不给怎么办",
        [],
        DraftStatus.pending,
    )


@pytest.mark.usefixtures("people")
async def test_without_a_message_to_the_worker_the_answer_step_offers_no_last_message(
    harness: Harness, db: Database
) -> None:
    case_id = await _claimed_case(db)
    await _press(harness, f"ld:n:{case_id}")
    await _say(harness, "老板拖欠工资不给怎么办")

    answer_step = _last(await _press(harness, "ld:s"))

    assert "ld:u" not in answer_step.callback_data


@pytest.mark.usefixtures("people")
async def test_a_last_message_with_a_phone_number_is_not_taken_as_answer(
    harness: Harness, db: Database
) -> None:
    case_id = await _claimed_case(db)
    await _volunteer_message(
        db, case_id, "明天上午打我电话 13912345678，我们再详细说说仲裁的事情。"
    )
    await _press(harness, f"ld:n:{case_id}")
    await _say(harness, "老板拖欠工资不给怎么办")
    await _press(harness, "ld:s")

    calls = await _press(harness, "ld:u")

    assert t("zh", "ld-bad-phone") in _last(calls).text
    state = await _flow(db)
    assert state is not None
    assert (state.step, state.data.get("a")) == ("a", None)


@pytest.mark.usefixtures("people")
async def test_pressing_the_draft_button_again_resumes_the_draft_of_that_case(
    harness: Harness, db: Database
) -> None:
    case_id = await _claimed_case(db)
    await _press(harness, f"ld:n:{case_id}")
    await _say(harness, QUESTION)

    calls = await _press(harness, f"ld:n:{case_id}")

    assert _last(calls).text.startswith(t("zh", "ld-resume"))
    state = await _flow(db)
    assert state is not None
    assert (state.step, state.data["q"]) == ("p", QUESTION)


@pytest.mark.usefixtures("people")
async def test_a_volunteer_may_draft_from_a_case_they_closed(
    harness: Harness, db: Database
) -> None:
    case_id = await _claimed_case(
        db,
        status=CaseStatus.closed,
        claimed_by=None,
        closed_by=LAWYER_ID,
        outcome=CaseOutcome.answered,
    )

    await _press(harness, f"ld:n:{case_id}")

    state = await _flow(db)
    assert state is not None
    assert state.flow == DRAFT_FLOW


@pytest.mark.usefixtures("people")
async def test_a_volunteer_cannot_draft_from_a_case_another_volunteer_claimed(
    harness: Harness, db: Database
) -> None:
    case_id = await _claimed_case(db, claimed_by=OTHER_LAWYER_ID)

    calls = await _press(harness, f"ld:n:{case_id}")

    assert _popup(calls) == t("zh", "ld-not-yours")
    assert await _flow(db) is None


@pytest.mark.usefixtures("people")
async def test_staff_may_draft_from_any_case(harness: Harness, db: Database) -> None:
    case_id = await _claimed_case(db, claimed_by=OTHER_LAWYER_ID)

    await _press(harness, f"ld:n:{case_id}", STAFF_ID)

    state = await _flow(db, STAFF_ID)
    assert state is not None
    assert state.data["case"] == case_id


async def test_a_worker_pressing_a_draft_button_is_refused(harness: Harness, db: Database) -> None:
    case_id = await _claimed_case(db, claimed_by=WORKER_ID)

    calls = await _press(harness, f"ld:n:{case_id}", WORKER_ID)

    assert _popup(calls) == t("zh", "role-refused")
    assert await _flow(db, WORKER_ID) is None


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("data", ["ld:n:999999", "ld:c:99", "ld:zz", "ld:n:abc", "ld:ok"])
async def test_a_forged_or_stale_draft_button_gets_the_stale_popup(
    harness: Harness, db: Database, data: str
) -> None:
    calls = await _press(harness, data)

    assert _popup(calls) == t("zh", "button-stale")
    assert await _drafts(db) == []


@pytest.mark.usefixtures("people")
async def test_a_volunteer_the_bot_cannot_write_to_is_asked_to_open_a_private_chat(
    harness: Harness, db: Database
) -> None:
    case_id = await _claimed_case(db)
    harness.api.fail_next("sendMessage", 403, "Forbidden: bot can't initiate conversation")

    calls = await _press(harness, f"ld:n:{case_id}")

    assert _popup(calls) == t("zh", "ld-open-private")
    assert await _flow(db) is None


# --- a volunteer's draft with /kb_draft -------------------------------------------------------


async def _draft_until_preview(harness: Harness, *, phrases: str | None) -> list[Call]:
    await _say(harness, "/kb_draft")
    await _say(harness, QUESTION)
    if phrases is None:
        await _press(harness, "ld:s")
    else:
        await _say(harness, phrases)
    await _say(harness, ANSWER)
    return await _press(harness, f"ld:c:{CATEGORIES.index('injury')}")


@pytest.mark.usefixtures("people")
async def test_kb_draft_walks_a_volunteer_through_a_draft_to_review(
    harness: Harness, db: Database
) -> None:
    preview = _last(
        await _draft_until_preview(harness, phrases="食堂饭菜吃坏肚子\n\n吃了食堂拉肚子")
    )
    assert QUESTION in preview.text
    assert "ld:ok" in preview.callback_data

    calls = await _press(harness, "ld:ok")

    (draft,) = await _drafts(db)
    assert (draft.case_id, draft.author_id, draft.category, draft.lang) == (
        None,
        LAWYER_ID,
        "injury",
        "zh",
    )
    assert (draft.question, draft.answer) == (QUESTION, ANSWER)
    assert draft.phrases == ["食堂饭菜吃坏肚子", "吃了食堂拉肚子"]
    assert _last(calls).text == t("zh", "ld-submitted", id=str(draft.id))
    assert await _flow(db) is None


@pytest.mark.usefixtures("people")
async def test_a_draft_is_stored_in_the_volunteers_language(
    harness: Harness, db: Database
) -> None:
    async with db.session() as session:
        await set_language(session, user_id=LAWYER_ID, language="en")
    await _say(harness, "/kb_draft")
    await _say(harness, "Can I get paid for overtime on holidays?")
    await _press(harness, "ld:s")
    await _say(harness, "Yes: work on a public holiday is paid at 300% (Labour Law, Art. 44).")
    await _press(harness, f"ld:c:{CATEGORIES.index('overtime')}")

    await _press(harness, "ld:ok")

    (draft,) = await _drafts(db)
    assert draft.lang == "en"


@pytest.mark.usefixtures("people")
async def test_the_answer_prompt_warns_against_personal_data(harness: Harness) -> None:
    await _say(harness, "/kb_draft")
    await _say(harness, QUESTION)

    calls = await _press(harness, "ld:s")

    assert t("zh", "ld-privacy") in _last(calls).text


async def test_kb_draft_is_refused_for_a_worker(harness: Harness, db: Database) -> None:
    calls = await _say(harness, "/kb_draft", WORKER_ID)

    assert _texts(calls) == [t("zh", "role-refused")]
    assert await _flow(db, WORKER_ID) is None


@pytest.mark.usefixtures("people")
async def test_kb_draft_resumes_the_draft_in_progress(harness: Harness, db: Database) -> None:
    await _say(harness, "/kb_draft")
    await _say(harness, QUESTION)
    await _press(harness, "ld:s")

    calls = await _say(harness, "/kb_draft")

    text = _last(calls).text
    assert text.startswith(t("zh", "ld-resume"))
    assert t("zh", "ld-ask-answer", min="20", max="3000") in text
    state = await _flow(db)
    assert state is not None
    assert (state.step, state.data["q"]) == ("a", QUESTION)


@pytest.mark.usefixtures("people")
async def test_the_back_button_returns_to_the_previous_step(
    harness: Harness, db: Database
) -> None:
    await _say(harness, "/kb_draft")
    await _say(harness, QUESTION)

    calls = await _press(harness, "ld:b:p")

    assert t("zh", "ld-current", value=QUESTION) in _last(calls).text
    state = await _flow(db)
    assert state is not None
    assert state.step == "q"


@pytest.mark.usefixtures("people")
async def test_a_back_button_of_another_step_is_stale(harness: Harness, db: Database) -> None:
    await _say(harness, "/kb_draft")
    await _say(harness, QUESTION)
    await _press(harness, "ld:s")

    calls = await _press(harness, "ld:b:p")

    assert _popup(calls) == t("zh", "button-stale")
    state = await _flow(db)
    assert state is not None
    assert state.step == "a"


@pytest.mark.usefixtures("people")
async def test_the_cancel_button_ends_the_draft(harness: Harness, db: Database) -> None:
    await _say(harness, "/kb_draft")
    await _say(harness, QUESTION)

    calls = await _press(harness, "ld:x")

    assert _last(calls).text == t("zh", "ld-cancelled")
    assert await _flow(db) is None


@pytest.mark.usefixtures("people")
async def test_the_cancel_command_ends_the_draft(harness: Harness, db: Database) -> None:
    await _say(harness, "/kb_draft")

    await _say(harness, "/cancel")

    assert await _flow(db) is None


@pytest.mark.usefixtures("people")
async def test_a_question_that_is_too_short_is_asked_again(harness: Harness, db: Database) -> None:
    await _say(harness, "/kb_draft")

    calls = await _say(harness, "工资")

    assert _last(calls).text.startswith(t("zh", "ld-bad-short", limit="5"))
    state = await _flow(db)
    assert state is not None
    assert state.step == "q"


@pytest.mark.usefixtures("people")
async def test_an_answer_that_is_too_long_is_asked_again(harness: Harness, db: Database) -> None:
    await _say(harness, "/kb_draft")
    await _say(harness, QUESTION)
    await _press(harness, "ld:s")

    calls = await _say(harness, "很" * 3001)

    assert _last(calls).text.startswith(t("zh", "ld-bad-long", limit="3000"))
    state = await _flow(db)
    assert state is not None
    assert state.step == "a"


@pytest.mark.usefixtures("people")
async def test_an_answer_with_a_mobile_number_is_refused(harness: Harness, db: Database) -> None:
    await _say(harness, "/kb_draft")
    await _say(harness, QUESTION)
    await _press(harness, "ld:s")

    calls = await _say(harness, ANSWER + "有问题可以打 13812345678 联系工友本人。")

    assert _last(calls).text.startswith(t("zh", "ld-bad-phone"))
    state = await _flow(db)
    assert state is not None
    assert (state.step, state.data.get("a")) == ("a", None)


@pytest.mark.usefixtures("people")
async def test_an_answer_with_an_id_card_number_is_refused(harness: Harness, db: Database) -> None:
    await _say(harness, "/kb_draft")
    await _say(harness, QUESTION)
    await _press(harness, "ld:s")

    calls = await _say(harness, ANSWER + "工友身份证号 41010519880312002X。")

    assert _last(calls).text.startswith(t("zh", "ld-bad-id-card"))
    state = await _flow(db)
    assert state is not None
    assert state.data.get("a") is None


@pytest.mark.usefixtures("people")
async def test_a_question_with_a_mobile_number_is_refused(harness: Harness, db: Database) -> None:
    await _say(harness, "/kb_draft")

    calls = await _say(harness, "13812345678 这个老板欠钱不给怎么办")

    assert _last(calls).text.startswith(t("zh", "ld-bad-phone"))
    state = await _flow(db)
    assert state is not None
    assert state.step == "q"


@pytest.mark.usefixtures("people")
async def test_phrasings_with_a_mobile_number_are_refused(harness: Harness, db: Database) -> None:
    await _say(harness, "/kb_draft")
    await _say(harness, QUESTION)

    calls = await _say(harness, "食堂吃坏肚子\n找 139 1234 5678 要赔偿")

    assert _last(calls).text.startswith(t("zh", "ld-bad-phone"))
    state = await _flow(db)
    assert state is not None
    assert state.step == "p"


@pytest.mark.usefixtures("people")
async def test_more_than_ten_phrasings_are_refused(harness: Harness, db: Database) -> None:
    await _say(harness, "/kb_draft")
    await _say(harness, QUESTION)

    calls = await _say(harness, "\n".join(f"问法{n}" for n in range(11)))

    assert _last(calls).text.startswith(t("zh", "ld-bad-many", limit="10"))


@pytest.mark.usefixtures("people")
async def test_text_at_the_category_step_asks_for_the_buttons(harness: Harness) -> None:
    await _say(harness, "/kb_draft")
    await _say(harness, QUESTION)
    await _press(harness, "ld:s")
    await _say(harness, ANSWER)

    calls = await _say(harness, "工伤")

    assert _last(calls).text.startswith(t("zh", "ld-use-buttons"))
    assert f"ld:c:{CATEGORIES.index('injury')}" in _last(calls).callback_data


@pytest.mark.usefixtures("people")
async def test_a_photo_in_the_middle_of_a_draft_gets_the_question_again(
    harness: Harness,
) -> None:
    await _say(harness, "/kb_draft")

    calls = await harness.feed(message(None, user_id=LAWYER_ID, photo=PHOTO))

    text = _last(calls).text
    assert text.startswith(t("zh", "ld-text-only"))
    assert t("zh", "ld-ask-question", min="5", max="300") in text


@pytest.mark.usefixtures("people")
async def test_a_volunteer_who_lost_the_role_mid_draft_is_stopped(
    harness: Harness, db: Database
) -> None:
    await _say(harness, "/kb_draft")
    async with db.session() as session:
        await revoke_role(session, actor_id=None, user_id=LAWYER_ID, role=Role.volunteer_legal)

    calls = await _say(harness, QUESTION)

    assert _texts(calls) == [t("zh", "role-refused")]
    assert await _flow(db) is None


# --- staff review -----------------------------------------------------------------------------


@pytest.mark.usefixtures("people")
async def test_legal_drafts_lists_pending_drafts_with_their_buttons(
    harness: Harness, db: Database
) -> None:
    first = await _make_draft(db)
    await _make_draft(db, question="已经通过的草稿", status=DraftStatus.approved)

    calls = await _say(harness, "/legal drafts", STAFF_ID)

    listing = _last(calls)
    assert QUESTION in listing.text
    assert "已经通过的草稿" not in listing.text
    assert listing.callback_data == [f"ls:v:{first.id}", f"ls:a:{first.id}", f"ls:r:{first.id}"]


@pytest.mark.usefixtures("people")
async def test_legal_drafts_lists_at_most_ten_oldest_first(harness: Harness, db: Database) -> None:
    drafts = [
        await _make_draft(db, question=f"第{n}个问题怎么办", created_at=NOW + timedelta(minutes=n))
        for n in range(12)
    ]

    listing = _last(await _say(harness, "/legal drafts", STAFF_ID))

    shown = [data for data in listing.callback_data if data.startswith("ls:v:")]
    assert shown == [f"ls:v:{d.id}" for d in drafts[:10]]
    assert t("zh", "ls-drafts-header", count=12, shown=10) in listing.text


@pytest.mark.usefixtures("people")
async def test_legal_drafts_says_when_nothing_waits(harness: Harness) -> None:
    calls = await _say(harness, "/legal drafts", STAFF_ID)

    assert _texts(calls) == [t("zh", "ls-drafts-none")]


@pytest.mark.usefixtures("people")
async def test_a_volunteer_asking_for_the_drafts_is_refused(
    harness: Harness, db: Database
) -> None:
    await _make_draft(db)

    calls = await _say(harness, "/legal drafts", LAWYER_ID)

    assert _texts(calls) == [t("zh", "role-refused")]


@pytest.mark.usefixtures("people")
async def test_staff_view_a_draft_in_full(harness: Harness, db: Database) -> None:
    case_id = await _claimed_case(db)
    draft = await _make_draft(db, case_id=case_id)

    card = _last(await _press(harness, f"ls:v:{draft.id}", STAFF_ID))

    assert ANSWER in card.text
    assert "食堂饭菜有问题吃坏了找谁" in card.text
    assert case_label(case_id) in card.text
    assert card.callback_data == [f"ls:a:{draft.id}", f"ls:r:{draft.id}"]


@pytest.mark.usefixtures("people")
async def test_approving_a_draft_records_who_and_when_with_an_audit_entry(
    harness: Harness, db: Database
) -> None:
    draft = await _make_draft(db)

    calls = await _press(harness, f"ls:ay:{draft.id}", STAFF_ID)

    (stored,) = await _drafts(db)
    assert (stored.status, stored.reviewed_by) == (DraftStatus.approved, STAFF_ID)
    assert stored.reviewed_at is not None
    audits = await _audits(db, "legal.draft.approve")
    assert [(a.actor_id, a.subject) for a in audits] == [(STAFF_ID, f"draft:{draft.id}")]
    assert t("zh", "ls-approved", id=str(draft.id), question=QUESTION) in _texts(calls)


@pytest.mark.usefixtures("people")
async def test_the_author_is_told_privately_when_a_draft_is_approved(
    harness: Harness, db: Database
) -> None:
    draft = await _make_draft(db)

    calls = await _press(harness, f"ls:ay:{draft.id}", STAFF_ID)

    told = [
        c for c in calls if c.method == "sendMessage" and int(c.params["chat_id"]) == LAWYER_ID
    ]
    assert [c.text for c in told] == [t("zh", "ld-approved", id=str(draft.id), question=QUESTION)]


@pytest.mark.usefixtures("people")
async def test_an_approved_draft_answers_workers_at_once(harness: Harness, db: Database) -> None:
    draft = await _make_draft(db)
    await current_kb(db)  # the process has built (and cached) its knowledge base already

    await _press(harness, f"ls:ay:{draft.id}", STAFF_ID)
    calls = await _say(harness, f"/legal {QUESTION}", WORKER_ID)

    assert any(ANSWER in text for text in _texts(calls))
    async with db.session() as session:
        given = (await session.exec(select(LegalConsultation.entry_id))).all()
    assert given == [draft_entry_id(draft.id or 0)]


@pytest.mark.usefixtures("people")
async def test_rejecting_a_draft_keeps_it_out_of_the_faq_and_tells_the_author(
    harness: Harness, db: Database
) -> None:
    draft = await _make_draft(db)

    calls = await _press(harness, f"ls:ry:{draft.id}", STAFF_ID)

    (stored,) = await _drafts(db)
    assert (stored.status, stored.reviewed_by) == (DraftStatus.rejected, STAFF_ID)
    assert [a.subject for a in await _audits(db, "legal.draft.reject")] == [f"draft:{draft.id}"]
    told = [
        c for c in calls if c.method == "sendMessage" and int(c.params["chat_id"]) == LAWYER_ID
    ]
    assert [c.text for c in told] == [t("zh", "ld-rejected", id=str(draft.id), question=QUESTION)]
    kb = await current_kb(db, force=True)
    assert kb.get(draft_entry_id(draft.id or 0)) is None


@pytest.mark.usefixtures("people")
async def test_a_second_press_on_approve_says_the_draft_was_already_reviewed(
    harness: Harness, db: Database
) -> None:
    draft = await _make_draft(db)
    await _press(harness, f"ls:ay:{draft.id}", STAFF_ID)

    calls = await _press(harness, f"ls:ry:{draft.id}", ADMIN_ID)

    assert _popup(calls) == t("zh", "ls-already", status=t("zh", "ls-draft-approved"))
    (stored,) = await _drafts(db)
    assert (stored.status, stored.reviewed_by) == (DraftStatus.approved, STAFF_ID)
    assert await _audits(db, "legal.draft.reject") == []
    assert len(await _audits(db, "legal.draft.approve")) == 1


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("user_id", [WORKER_ID, LAWYER_ID])
@pytest.mark.parametrize("action", ["a", "r", "v", "ay", "ry", "n"])
async def test_review_buttons_are_refused_to_workers_and_volunteers(
    harness: Harness, db: Database, user_id: int, action: str
) -> None:
    draft = await _make_draft(db)

    calls = await _press(harness, f"ls:{action}:{draft.id}", user_id)

    assert _popup(calls) == t("zh", "role-refused")
    assert _texts(calls) == []
    (stored,) = await _drafts(db)
    assert stored.status == DraftStatus.pending


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    "data",
    ["ls:a:999999", "ls:v:999999", "ls:ay:999999", "ls:n:999999", "ls:x:1", "ls:a:1x", "ls:a"],
)
async def test_a_forged_review_button_gets_the_stale_popup(
    harness: Harness, db: Database, data: str
) -> None:
    await _make_draft(db)

    calls = await _press(harness, data, STAFF_ID)

    assert _popup(calls) == t("zh", "button-stale")
    (stored,) = await _drafts(db)
    assert stored.status == DraftStatus.pending


@pytest.mark.usefixtures("people")
async def test_approving_asks_first_and_changes_nothing_yet(
    harness: Harness, db: Database
) -> None:
    draft = await _make_draft(db)

    calls = await _press(harness, f"ls:a:{draft.id}", STAFF_ID)

    ask = _last(calls)
    assert ask.text == t("zh", "ls-approve-ask", id=str(draft.id), question=QUESTION)
    assert ask.callback_data == [f"ls:ay:{draft.id}", f"ls:n:{draft.id}"]
    (stored,) = await _drafts(db)
    assert stored.status == DraftStatus.pending
    assert await _audits(db, "legal.draft.approve") == []
    assert _sent_to(calls, LAWYER_ID) == []


@pytest.mark.usefixtures("people")
async def test_rejecting_asks_first_in_the_staff_members_language(
    harness: Harness, db: Database
) -> None:
    draft = await _make_draft(db)
    async with db.session() as session:
        await set_language(session, user_id=STAFF_ID, language="en")

    calls = await _press(harness, f"ls:r:{draft.id}", STAFF_ID)

    ask = _last(calls)
    assert ask.text == t("en", "ls-reject-ask", id=str(draft.id), question=QUESTION)
    assert [b["text"] for row in ask.buttons for b in row] == [
        t("en", "ls-btn-reject-yes", id=str(draft.id)),
        "Cancel",
    ]
    (stored,) = await _drafts(db)
    assert stored.status == DraftStatus.pending


@pytest.mark.usefixtures("people")
async def test_cancelling_a_review_leaves_the_draft_waiting(
    harness: Harness, db: Database
) -> None:
    draft = await _make_draft(db)
    await _press(harness, f"ls:r:{draft.id}", STAFF_ID)

    calls = await _press(harness, f"ls:n:{draft.id}", STAFF_ID)

    assert _texts(calls) == [t("zh", "ls-review-kept", id=str(draft.id))]
    (stored,) = await _drafts(db)
    assert stored.status == DraftStatus.pending
    assert await _audits(db, "legal.draft.reject") == []


@pytest.mark.usefixtures("people")
async def test_asking_to_review_a_reviewed_draft_says_it_was_reviewed(
    harness: Harness, db: Database
) -> None:
    draft = await _make_draft(db, status=DraftStatus.rejected)

    calls = await _press(harness, f"ls:a:{draft.id}", STAFF_ID)

    assert _popup(calls) == t("zh", "ls-already", status=t("zh", "ls-draft-rejected"))
    assert _texts(calls) == []
