"""Employers posting jobs, screening of submissions, the staff review queue, /my_postings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from bot.app import build_application
from bot.config import Settings
from bot.core.models import FlowState, Role, utcnow
from bot.core.users import forget_user, grant_role
from bot.db import Database
from bot.i18n import t
from bot.jobs.core import ALERTS, POSTINGS, SEEKERS, dedupe_key, parse_salary
from bot.jobs.review import AUDIT, EMPLOYERS, FLOWS, LIMITS
from bot.jobs.text import pay_text
from bot.localapi import Call, LocalBotApi
from bot.panel.demo import pending_posting
from handlers.jobs.text import posting_card
from tests.conftest import Harness
from tests.factories import STAFF_ID, WORKER_ID, callback, message

EMPLOYER_ID = 444_444
SEEKER_ID = 555_555
PHOTO = [{"file_id": "AgAC", "file_unique_id": "AQAD", "width": 90, "height": 90}]


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The shared test settings, with room for a whole submission in a few seconds."""
    return Settings(
        bot_token="123456:TEST-token",  # type: ignore[arg-type]
        database_url=database_url,
        outbound_rate_limit=False,
        admin_ids=[333_333],
        default_language="zh",
        flood_limit="100 per 1 second",
        _env_file=None,  # type: ignore[call-arg]
    )


# --- helpers ----------------------------------------------------------------------------------


def _sent(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method in ("sendMessage", "editMessageText")]


def _last(calls: list[Call]) -> Call:
    sent = _sent(calls)
    assert sent, [(c.method, c.text[:40]) for c in calls]
    return sent[-1]


def _popup(calls: list[Call]) -> str:
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answers, [c.method for c in calls]
    return str(answers[-1].params.get("text") or "")


async def _say(
    harness: Harness, text: str, user_id: int = EMPLOYER_ID, lang: str = "zh-hans"
) -> list[Call]:
    return await harness.feed(message(text, user_id=user_id, lang=lang))


async def _press(
    harness: Harness, data: str, user_id: int = EMPLOYER_ID, lang: str = "zh-hans"
) -> list[Call]:
    return await harness.feed(callback(data, user_id=user_id, lang=lang))


async def _flow(db: Database, user_id: int = EMPLOYER_ID) -> FlowState | None:
    async with db.session() as session:
        return await session.get(FlowState, user_id)


async def _postings(db: Database) -> list[dict[str, Any]]:
    async with db.engine.connect() as conn:
        rows = (await conn.execute(select(POSTINGS).order_by(POSTINGS.c.id))).mappings().all()
    return [dict(row) for row in rows]


async def _audits(db: Database, action: str) -> list[dict[str, Any]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(select(AUDIT).where(AUDIT.c.action == action))
        return [dict(row) for row in rows.mappings()]


async def _make_staff(db: Database) -> None:
    async with db.session() as session:
        await grant_role(session, actor_id=None, user_id=STAFF_ID, role=Role.staff)


async def _until_place(
    harness: Harness, *, user_id: int = EMPLOYER_ID, lang: str = "zh-hans"
) -> list[Call]:
    await _say(harness, "/post_job", user_id, lang)
    await _say(harness, "郑州顺达物流有限公司", user_id, lang)
    await _press(harness, "jp:s:reg", user_id, lang)
    await _say(harness, "快递分拣员", user_id, lang)
    return await _say(harness, "郑州市 金水区", user_id, lang)


async def _fill(
    harness: Harness,
    *,
    pay: str = "4000-6000元/月",
    requirements: str = "身体健康，能吃苦",
    user_id: int = EMPLOYER_ID,
    lang: str = "zh-hans",
) -> list[Call]:
    """Answer every question up to the preview; return the calls of the last answer."""
    await _until_place(harness, user_id=user_id, lang=lang)
    await _press(harness, "jp:s:addr", user_id, lang)
    await _say(harness, "1号线 紫荆山站", user_id, lang)
    await _press(harness, "jp:i:0", user_id, lang)  # logistics
    await _press(harness, "jp:t:0", user_id, lang)  # full-time
    await _say(harness, pay, user_id, lang)
    await _press(harness, "jp:s:hours", user_id, lang)
    await _say(harness, requirements, user_id, lang)
    await _press(harness, "jp:g:0", user_id, lang)  # older workers
    await _press(harness, "jp:g:2", user_id, lang)  # no experience
    await _press(harness, "jp:gd", user_id, lang)
    await _say(harness, "13800000000 王经理", user_id, lang)
    return await _press(harness, "jp:s:exp", user_id, lang)


async def _submit(harness: Harness, **kwargs: Any) -> list[Call]:
    user_id = kwargs.get("user_id", EMPLOYER_ID)
    lang = kwargs.get("lang", "zh-hans")
    await _fill(harness, **kwargs)
    return await _press(harness, "jp:ok", user_id, lang)


# --- the employer's flow ----------------------------------------------------------------------


async def test_post_job_starts_with_the_employer_name_and_explains_the_review(
    harness: Harness,
) -> None:
    sent = _last(await _say(harness, "/post_job"))

    assert t("zh", "jp-intro") in sent.text
    assert t("zh", "jp-ask-emp") in sent.text
    assert "jp:x" in sent.callback_data
    state = await _flow(harness.db)
    assert state is not None
    assert (state.flow, state.step) == ("jobpost", "emp")


async def test_the_jobs_menu_button_starts_the_same_flow(harness: Harness) -> None:
    sent = _last(await _press(harness, "jp:new"))

    assert t("zh", "jp-ask-emp") in sent.text


async def test_each_answer_leads_to_the_next_question_with_a_back_button(
    harness: Harness,
) -> None:
    await _say(harness, "/post_job")
    asked = _last(await _say(harness, "郑州顺达物流有限公司"))

    assert t("zh", "jp-ask-reg") in asked.text
    assert asked.callback_data == ["jp:s:reg", "jp:b:reg", "jp:x"]


async def test_the_whole_flow_ends_in_a_preview_card_with_the_contact(harness: Harness) -> None:
    preview = _last(await _fill(harness))

    assert t("zh", "jp-preview-header") in preview.text
    assert "快递分拣员" in preview.text
    assert t("zh", "job-card-contact", contact="13800000000 王经理") in preview.text
    assert "紫荆山站" in preview.text
    assert t("zh", "tag-older") in preview.text
    assert preview.callback_data == ["jp:ok", "jp:ed", "jp:x"]
    assert t("zh", "jp-preview-fee") not in preview.text


async def test_submitting_stores_a_pending_employer_posting_and_its_employer(
    harness: Harness,
) -> None:
    texts = [c.text for c in _sent(await _submit(harness))]

    [posting] = await _postings(harness.db)
    assert texts == [t("zh", "jp-submitted", id=str(posting["id"]))]
    assert posting["status"] == "pending"
    assert posting["source"] == "employer"
    assert posting["owner_id"] == EMPLOYER_ID
    assert (posting["city"], posting["district"]) == ("郑州市", "金水区")
    assert (posting["metro_line"], posting["metro_station"]) == ("1号线", "紫荆山站")
    assert (posting["pay_min"], posting["pay_max"], posting["pay_unit"]) == (4000, 6000, "month")
    assert (posting["industry"], posting["employment_type"]) == ("logistics", "full_time")
    assert posting["tags"] == 0b101
    assert posting["flags"] == []
    assert posting["dedupe_key"] == dedupe_key(
        employer="郑州顺达物流有限公司", title="快递分拣员", district="金水区"
    )
    assert "快递分拣员" in posting["search_text"]
    async with harness.db.engine.connect() as conn:
        employer = (await conn.execute(select(EMPLOYERS))).mappings().one()
    assert employer["name"] == "郑州顺达物流有限公司"
    assert employer["verified"] is False
    assert posting["employer_id"] == employer["id"]
    assert await _flow(harness.db) is None


async def test_back_returns_to_the_previous_question(harness: Harness) -> None:
    await _until_place(harness)

    asked = _last(await _press(harness, "jp:b:addr"))

    assert t("zh", "jp-ask-place") in asked.text
    state = await _flow(harness.db)
    assert state is not None
    assert state.step == "place"
    assert state.data["d"]["title"] == "快递分拣员"


async def test_cancel_leaves_the_flow_and_stores_nothing(harness: Harness) -> None:
    await _until_place(harness)

    texts = [c.text for c in _sent(await _say(harness, "/cancel"))]

    assert texts == [t("zh", "cancel-done")]
    assert await _flow(harness.db) is None
    assert await _postings(harness.db) == []


async def test_the_cancel_button_leaves_the_flow(harness: Harness) -> None:
    await _fill(harness)

    texts = [c.text for c in _sent(await _press(harness, "jp:x"))]

    assert texts == [t("zh", "jp-cancelled")]
    assert await _flow(harness.db) is None
    assert await _postings(harness.db) == []


async def test_the_flow_continues_from_the_database_after_a_restart(
    harness: Harness, settings: Settings
) -> None:
    await _until_place(harness)
    api = LocalBotApi(strict=True)
    app = build_application(settings, db=harness.db, request=api, job_queue=False)
    await app.initialize()
    try:
        restarted = Harness(app, api, harness.db)
        asked = _last(await restarted.feed(message("花园路100号", user_id=EMPLOYER_ID)))
    finally:
        await app.shutdown()

    assert t("zh", "jp-ask-metro") in asked.text
    state = await _flow(harness.db)
    assert state is not None
    assert state.step == "metro"
    assert state.data["d"]["address"] == "花园路100号"


async def test_post_job_again_resumes_the_unfinished_draft(harness: Harness) -> None:
    await _until_place(harness)

    asked = _last(await _say(harness, "/post_job"))

    assert t("zh", "jp-resume") in asked.text
    assert t("zh", "jp-ask-addr") in asked.text


async def test_unreadable_pay_is_asked_again_with_examples(harness: Harness) -> None:
    await _until_place(harness)
    await _press(harness, "jp:s:addr")
    await _press(harness, "jp:s:metro")
    await _press(harness, "jp:i:1")
    await _press(harness, "jp:t:2")

    asked = _last(await _say(harness, "看情况给"))

    assert t("zh", "jp-bad-pay") in asked.text
    assert t("zh", "jp-ask-pay") in asked.text
    state = await _flow(harness.db)
    assert state is not None
    assert state.step == "pay"
    asked = _last(await _say(harness, "200元/天"))
    assert t("zh", "jp-ask-hours") in asked.text


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [
        ("4000-6000元/月", 4000, 6000, "month"),
        ("200元/天", 200, 200, "day"),
        ("面议", None, None, None),
        ("一个月两千五", 2500, 2500, "month"),
        ("一天两百", 200, 200, "day"),
        ("3k", 3000, 3000, "month"),
        ("2千5", 2500, 2500, "month"),
        ("4,500", 4500, 4500, "month"),
        ("￥4500", 4500, 4500, "month"),
        ("4500块", 4500, 4500, "month"),
        ("每小时二十五", 25, 25, "hour"),
        ("3k a month", 3000, 3000, "month"),
    ],
)
async def test_pay_is_read_as_written_in_chinese_job_lists(
    harness: Harness, text: str, low: float | None, high: float | None, unit: str | None
) -> None:
    await _submit(harness, pay=text)

    [posting] = await _postings(harness.db)
    assert (posting["pay_min"], posting["pay_max"], posting["pay_unit"]) == (low, high, unit)


async def test_spoken_pay_is_shown_back_as_a_figure_in_the_preview(harness: Harness) -> None:
    calls = await _fill(harness, pay="一个月两千五")

    assert pay_text("zh", parse_salary("2500元/月")) in _sent(calls)[-1].text


async def test_spoken_pay_in_english_is_shown_back_in_english(harness: Harness) -> None:
    calls = await _fill(harness, pay="200 a day", lang="en")

    assert pay_text("en", parse_salary("200元/天")) in _sent(calls)[-1].text


async def test_an_overlong_title_is_refused_and_asked_again(harness: Harness) -> None:
    await _say(harness, "/post_job")
    await _say(harness, "郑州顺达物流有限公司")
    await _press(harness, "jp:s:reg")

    asked = _last(await _say(harness, "分" * (LIMITS["title"] + 1)))

    assert t("zh", "jp-bad-too_long", limit=LIMITS["title"]) in asked.text
    assert t("zh", "jp-ask-title") in asked.text
    state = await _flow(harness.db)
    assert state is not None
    assert state.step == "title"
    assert state.data["d"]["title"] == ""


async def test_a_photo_instead_of_text_is_refused_and_the_question_repeated(
    harness: Harness,
) -> None:
    await _say(harness, "/post_job")

    calls = await harness.feed(message(None, user_id=EMPLOYER_ID, photo=PHOTO))

    texts = [c.text for c in _sent(calls)]
    assert len(texts) == 1
    assert t("zh", "jp-text-only") in texts[0]
    assert t("zh", "jp-ask-emp") in texts[0]
    state = await _flow(harness.db)
    assert state is not None
    assert state.step == "emp"


async def test_a_past_expiry_date_is_refused(harness: Harness) -> None:
    await _fill(harness)
    await _press(harness, "jp:ed")
    await _press(harness, "jp:ef:exp")
    yesterday = (date.today() - timedelta(days=2)).isoformat()

    asked = _last(await _say(harness, yesterday))

    assert t("zh", "jp-bad-date_past") in asked.text
    state = await _flow(harness.db)
    assert state is not None
    assert state.step == "exp"


async def test_editing_one_answer_from_the_preview_returns_to_the_preview(
    harness: Harness,
) -> None:
    await _fill(harness)
    menu = _last(await _press(harness, "jp:ed"))
    assert "jp:ef:title" in menu.callback_data

    asked = _last(await _press(harness, "jp:ef:title"))
    assert t("zh", "jp-current", value="快递分拣员") in asked.text
    preview = _last(await _say(harness, "仓库理货员"))

    assert t("zh", "jp-preview-header") in preview.text
    assert "仓库理货员" in preview.text
    next_year = (date.today() + timedelta(days=365)).isoformat()
    await _press(harness, "jp:ed")
    await _press(harness, "jp:ef:exp")
    preview = _last(await _say(harness, next_year))
    assert t("zh", "job-card-expires", date=next_year) in preview.text


async def test_a_button_of_another_step_is_answered_as_stale(harness: Harness) -> None:
    await _say(harness, "/post_job")

    calls = await _press(harness, "jp:i:0")

    assert _popup(calls) == t("zh", "button-stale")
    state = await _flow(harness.db)
    assert state is not None
    assert state.step == "emp"


async def test_pressing_submit_twice_stores_one_posting(harness: Harness) -> None:
    await _submit(harness)

    calls = await _press(harness, "jp:ok")

    assert _popup(calls) == t("zh", "button-stale")
    assert len(await _postings(harness.db)) == 1


async def test_a_known_verified_employer_is_found_by_its_registration_number(
    harness: Harness,
) -> None:
    async with harness.db.engine.begin() as conn:
        await conn.execute(
            insert(EMPLOYERS).values(
                name="顺达物流",
                registration_no="91410100MA44XXXX1K",
                contact="",
                verified=True,
                owner_id=None,
                created_at=utcnow(),
            )
        )
    await _say(harness, "/post_job")
    await _say(harness, "郑州顺达物流有限公司")
    asked = _last(await _say(harness, "91410100ma44xxxx1k"))
    assert t("zh", "jp-ask-title") in asked.text

    await _say(harness, "快递分拣员")
    await _say(harness, "郑州市 金水区")
    for data in ("jp:s:addr", "jp:s:metro", "jp:i:0", "jp:t:0"):
        await _press(harness, data)
    await _say(harness, "5000元/月")
    await _press(harness, "jp:s:hours")
    await _say(harness, "能吃苦")
    await _press(harness, "jp:gd")
    await _say(harness, "13800000000")
    await _press(harness, "jp:s:exp")
    await _press(harness, "jp:ok")

    async with harness.db.engine.connect() as conn:
        employers = (await conn.execute(select(EMPLOYERS))).mappings().all()
    [posting] = await _postings(harness.db)
    assert len(employers) == 1
    assert posting["employer_id"] == employers[0]["id"]


# --- screening --------------------------------------------------------------------------------


async def test_a_deposit_demand_is_held_with_the_fee_flag_and_the_submitter_told(
    harness: Harness,
) -> None:
    texts = [c.text for c in _sent(await _submit(harness, requirements="入职交押金200元，包住"))]

    [posting] = await _postings(harness.db)
    assert posting["status"] == "pending"
    assert posting["flags"] == ["fee"]
    assert len(texts) == 1
    assert t("zh", "jp-submitted", id=str(posting["id"])) in texts[0]
    assert t("zh", "jp-note-fee") in texts[0]


async def test_the_preview_warns_about_a_deposit_before_it_is_submitted(
    harness: Harness,
) -> None:
    preview = _last(await _fill(harness, requirements="需交体检费100元"))

    assert t("zh", "jp-preview-fee") in preview.text
    assert await _postings(harness.db) == []


async def test_pay_below_the_local_minimum_wage_is_flagged(harness: Harness) -> None:
    texts = [c.text for c in _sent(await _submit(harness, pay="1200元/月"))]

    [posting] = await _postings(harness.db)
    assert posting["flags"] == ["below_min_wage"]
    assert t("zh", "jp-note-below_min_wage") in texts[0]


async def test_a_second_submission_of_the_same_job_is_flagged_as_a_duplicate(
    harness: Harness,
) -> None:
    await _submit(harness)

    texts = [c.text for c in _sent(await _submit(harness))]

    first, second = await _postings(harness.db)
    assert first["flags"] == []
    assert second["flags"] == ["duplicate"]
    assert t("zh", "jp-note-duplicate") in texts[0]


# --- the review queue -------------------------------------------------------------------------


async def _pending(
    db: Database, *, requirements: str = "能吃苦", title: str = "快递分拣员"
) -> int:
    return await pending_posting(db, owner_id=EMPLOYER_ID, title=title, requirements=requirements)


async def test_a_worker_cannot_open_the_review_queue(harness: Harness) -> None:
    await _pending(harness.db)

    texts = [c.text for c in _sent(await _say(harness, "/review_jobs", WORKER_ID))]

    assert texts == [t("zh", "role-refused")]
    assert await _audits(harness.db, "jobs.review_view") == []


@pytest.mark.parametrize("action", ["a", "r", "e"])
async def test_a_worker_pressing_a_review_button_is_refused_and_nothing_changes(
    harness: Harness, action: str
) -> None:
    posting_id = await _pending(harness.db)

    calls = await _press(harness, f"jq:{action}:{posting_id}", WORKER_ID)

    assert _popup(calls) == t("zh", "role-refused")
    assert _sent(calls) == []
    [posting] = await _postings(harness.db)
    assert posting["status"] == "pending"
    assert await _flow(harness.db, WORKER_ID) is None


async def test_a_worker_pressing_a_field_or_queue_button_is_refused(harness: Harness) -> None:
    posting_id = await _pending(harness.db)

    for data in (f"jq:f:{posting_id}:0", "jq:n:1", "jq:list"):
        calls = await _press(harness, data, WORKER_ID)
        assert _popup(calls) == t("zh", "role-refused")
        assert _sent(calls) == []


async def test_a_worker_in_the_review_flow_cannot_reject_by_text(harness: Harness) -> None:
    posting_id = await _pending(harness.db)
    await _say(harness, "/start", WORKER_ID)
    async with harness.db.engine.begin() as conn:
        await conn.execute(
            insert(FLOWS).values(
                user_id=WORKER_ID,
                flow="jobreview",
                step="reason",
                data={"id": posting_id},
                updated_at=utcnow(),
            )
        )

    texts = [c.text for c in _sent(await _say(harness, "不合格", WORKER_ID))]

    assert texts == [t("zh", "role-refused")]
    [posting] = await _postings(harness.db)
    assert posting["status"] == "pending"


async def test_staff_see_flagged_postings_first_with_their_flags_and_contact(
    harness: Harness,
) -> None:
    await _make_staff(harness.db)
    await _pending(harness.db, title="仓库理货员")
    flagged = await _pending(harness.db, requirements="先交培训费300元")

    card = _last(await _say(harness, "/review_jobs", STAFF_ID))

    assert t("zh", "jp-q-header", position=1, total=2) in card.text
    assert t("zh", "job-card-flags", flags=t("zh", "flag-fee")) in card.text
    assert t("zh", "job-card-contact", contact="13800000000") in card.text
    assert card.callback_data == [
        f"jq:a:{flagged}",
        f"jq:r:{flagged}",
        f"jq:e:{flagged}",
        "jq:n:1",
    ]
    [viewed] = await _audits(harness.db, "jobs.review_view")
    assert viewed["actor_id"] == STAFF_ID
    assert viewed["subject"] == f"posting:{flagged}"
    second = _last(await _press(harness, "jq:n:1", STAFF_ID))
    assert "仓库理货员" in second.text


async def test_staff_see_when_the_queue_is_empty(harness: Harness) -> None:
    await _make_staff(harness.db)

    texts = [c.text for c in _sent(await _say(harness, "/review_jobs", STAFF_ID))]

    assert texts == [t("zh", "jp-q-empty")]


async def test_staff_approve_publishes_tells_the_submitter_and_queues_alerts(
    harness: Harness,
) -> None:
    await _make_staff(harness.db)
    await _say(harness, "/start", SEEKER_ID)
    async with harness.db.engine.begin() as conn:
        await conn.execute(
            insert(SEEKERS).values(
                user_id=SEEKER_ID,
                districts=["金水区"],
                industries=[],
                types=[],
                metro_lines=[],
                tags=0,
                min_pay=None,
                min_pay_unit=None,
                alerts=True,
                created_at=utcnow(),
                updated_at=utcnow(),
            )
        )
    await _submit(harness)
    [pending] = await _postings(harness.db)

    calls = await _press(harness, f"jq:a:{pending['id']}", STAFF_ID)

    [posting] = await _postings(harness.db)
    assert posting["status"] == "published"
    assert posting["reviewed_by"] == STAFF_ID
    assert posting["expires_on"] is not None
    told = [c for c in _sent(calls) if c.params["chat_id"] == EMPLOYER_ID]
    expires = posting["expires_on"].isoformat()
    assert [c.text for c in told] == [
        t("zh", "jp-owner-published", title="快递分拣员", date=expires)
    ]
    staff_texts = [c.text for c in _sent(calls) if c.params["chat_id"] == STAFF_ID]
    assert t("zh", "jp-q-approved", title="快递分拣员", alerts=1) in staff_texts[0]
    async with harness.db.engine.connect() as conn:
        alerts = (await conn.execute(select(ALERTS.c.user_id, ALERTS.c.posting_id))).all()
    assert [tuple(row) for row in alerts] == [(SEEKER_ID, posting["id"])]
    [audited] = await _audits(harness.db, "jobs.approve")
    assert audited["actor_id"] == STAFF_ID


async def test_approving_an_already_published_posting_is_answered_as_stale(
    harness: Harness,
) -> None:
    await _make_staff(harness.db)
    posting_id = await _pending(harness.db)
    await _press(harness, f"jq:a:{posting_id}", STAFF_ID)

    calls = await _press(harness, f"jq:a:{posting_id}", STAFF_ID)

    assert _popup(calls) == t("zh", "button-stale")
    assert len(await _audits(harness.db, "jobs.approve")) == 1


@pytest.mark.parametrize(
    "data", ["jq:a:999999", "jq:r:999999", "jq:e:999999", "jq:f:1:99", "jq:x"]
)
async def test_forged_review_buttons_are_answered_as_stale(harness: Harness, data: str) -> None:
    await _make_staff(harness.db)
    await _pending(harness.db)

    calls = await _press(harness, data, STAFF_ID)

    assert _popup(calls) == t("zh", "button-stale")
    [posting] = await _postings(harness.db)
    assert posting["status"] == "pending"


async def test_staff_reject_with_a_reason_and_the_submitter_gets_it_in_their_language(
    harness: Harness,
) -> None:
    await _make_staff(harness.db)
    await _submit(harness, lang="en")
    [pending] = await _postings(harness.db)

    asked = _last(await _press(harness, f"jq:r:{pending['id']}", STAFF_ID))
    assert asked.text == t("zh", "jp-q-ask-reason", title="快递分拣员")
    calls = await _say(harness, "联系电话打不通，请核实后重新提交", STAFF_ID)

    [posting] = await _postings(harness.db)
    assert posting["status"] == "rejected"
    assert posting["review_note"] == "联系电话打不通，请核实后重新提交"
    told = [c.text for c in _sent(calls) if c.params["chat_id"] == EMPLOYER_ID]
    assert told == [
        t(
            "en",
            "jp-owner-rejected",
            title="快递分拣员",
            reason="联系电话打不通，请核实后重新提交",
        )
    ]
    [audited] = await _audits(harness.db, "jobs.reject")
    assert audited["actor_id"] == STAFF_ID
    assert await _flow(harness.db, STAFF_ID) is None


async def test_an_overlong_rejection_reason_is_refused_and_asked_again(harness: Harness) -> None:
    await _make_staff(harness.db)
    posting_id = await _pending(harness.db)
    await _press(harness, f"jq:r:{posting_id}", STAFF_ID)

    asked = _last(await _say(harness, "不" * (LIMITS["review_note"] + 1), STAFF_ID))

    assert t("zh", "jp-bad-too_long", limit=LIMITS["review_note"]) in asked.text
    [posting] = await _postings(harness.db)
    assert posting["status"] == "pending"


async def test_staff_edit_screens_the_posting_again(harness: Harness) -> None:
    await _make_staff(harness.db)
    posting_id = await _pending(harness.db, requirements="入职交押金200元")
    menu = _last(await _press(harness, f"jq:e:{posting_id}", STAFF_ID))
    field = f"jq:f:{posting_id}:8"  # requirements
    assert field in menu.callback_data

    asked = _last(await _press(harness, field, STAFF_ID))
    assert "入职交押金200元" in asked.text

    shown = _last(await _say(harness, "身体健康，能吃苦", STAFF_ID))

    assert t("zh", "jp-q-edited") in shown.text
    [posting] = await _postings(harness.db)
    assert posting["requirements"] == "身体健康，能吃苦"
    assert posting["flags"] == []
    assert posting["status"] == "pending"
    [audited] = await _audits(harness.db, "jobs.edit")
    assert audited["actor_id"] == STAFF_ID
    assert await _flow(harness.db, STAFF_ID) is None


async def test_a_staff_edit_of_the_pay_below_the_minimum_wage_flags_it(harness: Harness) -> None:
    await _make_staff(harness.db)
    posting_id = await _pending(harness.db)
    await _press(harness, f"jq:f:{posting_id}:6", STAFF_ID)  # pay

    await _say(harness, "10元/小时", STAFF_ID)

    [posting] = await _postings(harness.db)
    assert (posting["pay_max"], posting["pay_unit"]) == (10, "hour")
    assert posting["flags"] == ["below_min_wage"]


async def test_an_unreadable_staff_edit_is_asked_again(harness: Harness) -> None:
    await _make_staff(harness.db)
    posting_id = await _pending(harness.db)
    await _press(harness, f"jq:f:{posting_id}:10", STAFF_ID)  # expires_on

    asked = _last(await _say(harness, "下个月", STAFF_ID))

    assert t("zh", "jp-bad-date_format") in asked.text
    state = await _flow(harness.db, STAFF_ID)
    assert state is not None
    assert state.flow == "jobreview"


# --- the submitter's postings -----------------------------------------------------------------


async def test_my_postings_lists_status_and_a_withdraw_button(harness: Harness) -> None:
    await _submit(harness)
    [posting] = await _postings(harness.db)

    listing = _last(await _say(harness, "/my_postings"))

    assert t("zh", "status-pending") in listing.text
    assert listing.callback_data == [f"jp:w:{posting['id']}"]


async def test_the_owner_can_withdraw_their_posting(harness: Harness) -> None:
    await _submit(harness)
    [posting] = await _postings(harness.db)

    texts = [c.text for c in _sent(await _press(harness, f"jp:w:{posting['id']}"))]

    assert texts == [t("zh", "jp-withdrawn", id=str(posting["id"]))]
    [posting] = await _postings(harness.db)
    assert posting["status"] == "withdrawn"


async def test_someone_else_cannot_withdraw_a_posting(harness: Harness) -> None:
    await _submit(harness)
    [posting] = await _postings(harness.db)

    calls = await _press(harness, f"jp:w:{posting['id']}", WORKER_ID)

    assert _popup(calls) == t("zh", "button-stale")
    [posting] = await _postings(harness.db)
    assert posting["status"] == "pending"


async def test_forgetting_a_submitter_deletes_their_unpublished_postings(
    harness: Harness,
) -> None:
    await _submit(harness)

    async with harness.db.session() as session:
        deleted = await forget_user(session, user_id=EMPLOYER_ID, audit_key=b"test-audit-key")

    assert "jp-forget-item" in deleted
    assert await _postings(harness.db) == []


def test_the_preview_card_matches_the_shared_renderer() -> None:
    from bot.jobs.review import draft_view, new_draft

    draft = {**new_draft(), "employer": "甲", "title": "乙", "type": "daily", "pay": "200元/天"}
    view = draft_view(draft)

    assert view.salary == parse_salary("200元/天")
    assert "乙" in posting_card("zh", view, contact=True)
