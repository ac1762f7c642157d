"""The worker's guided intake: answering, going back, skipping, evidence, consent, the case."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import select

from bot.app import build_application, encoders
from bot.config import Settings
from bot.core.clock import today_in
from bot.core.models import FlowState, utcnow
from bot.core.outbox import OUTBOX, OutboxSender
from bot.db import Database
from bot.i18n import t
from bot.legal.core import CONSENT_VERSION, INTAKE_FLOW
from bot.legal.intake import MAX_FILE_BYTES
from bot.legal.kb import forget_cached_kb
from bot.legal.models import CaseStatus, LegalCase, LegalEvidence
from bot.localapi import Call, LocalBotApi
from handlers.notifier import TelegramNotifier
from tests.conftest import Harness
from tests.factories import WORKER_ID, callback, message, sticker

OTHER_ID = 444_444
STORY = "老板拖欠三个月工资，一直说下个月给，现在电话也不接。"
PHOTO = [
    {"file_id": "photo-small", "file_unique_id": "p1-s", "width": 90, "height": 90},
    {
        "file_id": "photo-large",
        "file_unique_id": "p1",
        "width": 1280,
        "height": 960,
        "file_size": 180_000,
    },
]
DOCUMENT = {
    "file_id": "doc-contract",
    "file_unique_id": "d1",
    "file_name": "劳动合同.pdf",
    "mime_type": "application/pdf",
    "file_size": 250_000,
}


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The shared test settings, with room for a whole intake in a few seconds."""
    return Settings(
        bot_token="123456:TEST-token",
        database_url=database_url,
        outbound_rate_limit=False,
        admin_ids=[333_333],
        default_language="zh",
        flood_limit="100 per 1 second",
        _env_file=None,
    )


@pytest.fixture(autouse=True)
def _fresh_kb() -> None:
    """Each test reads the knowledge base of its own database."""
    forget_cached_kb()


# --- helpers ----------------------------------------------------------------------------------


def _sent(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method in ("sendMessage", "editMessageText")]


def _text(calls: list[Call]) -> str:
    return "\n".join(c.text for c in _sent(calls))


def _last(calls: list[Call]) -> Call:
    sent = _sent(calls)
    assert sent, [c.method for c in calls]
    return sent[-1]


def _popup(calls: list[Call]) -> str:
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answers, [c.method for c in calls]
    return str(answers[-1].params.get("text") or "")


async def _say(harness: Harness, text: str, user_id: int = WORKER_ID) -> list[Call]:
    return await harness.feed(message(text, user_id=user_id))


async def _press(harness: Harness, data: str, user_id: int = WORKER_ID) -> list[Call]:
    return await harness.feed(callback(data, user_id=user_id))


async def _send_photo(harness: Harness, photo: list[dict[str, Any]] = PHOTO) -> list[Call]:
    return await harness.feed(message(None, photo=photo))


async def _send_document(harness: Harness, **changes: Any) -> list[Call]:
    return await harness.feed(message(None, document={**DOCUMENT, **changes}))


async def _send_contact(harness: Harness, *, owner: int | None) -> list[Call]:
    contact: dict[str, Any] = {"phone_number": "+86 138 0013 8000", "first_name": "阿强"}
    if owner is not None:
        contact["user_id"] = owner
    return await harness.feed(message(None, contact=contact))


async def _flow(db: Database, user_id: int = WORKER_ID) -> FlowState | None:
    async with db.session() as session:
        return await session.get(FlowState, user_id)


async def _step(db: Database) -> str | None:
    state = await _flow(db)
    return state.step if state is not None and state.flow == INTAKE_FLOW else None


async def _draft(db: Database) -> dict[str, Any]:
    state = await _flow(db)
    assert state is not None
    return dict(state.data["d"])


async def _cases(db: Database) -> list[LegalCase]:
    async with db.session() as session:
        return list((await session.exec(select(LegalCase).order_by(LegalCase.id))).all())  # type: ignore[arg-type]


async def _evidence(db: Database) -> list[LegalEvidence]:
    async with db.session() as session:
        rows = await session.exec(select(LegalEvidence).order_by(LegalEvidence.id))  # type: ignore[arg-type]
        return list(rows.all())


@asynccontextmanager
async def _another_bot(settings: Settings, db: Database) -> AsyncIterator[Harness]:
    """A second application over the same database (a restart, or other settings)."""
    api = LocalBotApi(strict=True)
    app = build_application(settings, db=db, request=api, job_queue=False)
    await app.initialize()
    try:
        yield Harness(app, api, db)
    finally:
        await app.shutdown()
    assert not api.unexpected, api.unexpected


def _local_today(harness: Harness) -> Any:
    return today_in(harness.app.bot_data["services"].settings.timezone, utcnow())


Action = Callable[[Harness], Awaitable[list[Call]]]


def _says(text: str) -> Action:
    async def act(harness: Harness) -> list[Call]:
        return await _say(harness, text)

    return act


def _presses(data: str) -> Action:
    async def act(harness: Harness) -> list[Call]:
        return await _press(harness, data)

    return act


#: How each step is answered unless a test says otherwise.
DEFAULTS: dict[str, Action] = {
    "category": _presses("li:k:wages"),
    "employer": _says("郑州某建筑劳务公司"),
    "place": _says("郑州 金水区"),
    "start": _says("2024-03-01"),
    "end": _presses("li:w"),
    "incident": _says("2025-06-01"),
    "amount": _says("18000"),
    "story": _says(STORY),
    "evidence": _presses("li:s:evidence"),
    "contact": _presses("li:c:bot"),
    "phone": _says("13800138000"),
    "consent": _presses("li:a:y"),
    "name": _presses("li:n:n"),
}


async def _reach(harness: Harness, stop: str, **answers: Action) -> list[Call]:
    """Open a case and answer every question until the flow stands at ``stop``."""
    calls = await _press(harness, "li:new")
    for _ in range(20):
        step = await _step(harness.db)
        if step == stop:
            return calls
        assert step is not None, f"the flow ended before {stop}"
        calls = await {**DEFAULTS, **answers}[step](harness)
    raise AssertionError(f"never reached {stop}")


# --- the whole intake -------------------------------------------------------------------------


async def test_the_whole_intake_opens_one_case_with_its_photo_and_document(
    harness: Harness,
) -> None:
    await _reach(harness, "evidence")
    await _send_photo(harness)
    await _send_document(harness)
    await _press(harness, "li:d")
    await _press(harness, "li:c:bot")
    await _press(harness, "li:a:y")
    await _press(harness, "li:n:n")

    await _press(harness, "li:go")

    cases = await _cases(harness.db)
    assert len(cases) == 1
    case = cases[0]
    assert (case.user_id, case.category, case.status) == (WORKER_ID, "wages", CaseStatus.open)
    assert (case.employer, case.place, case.amount) == ("郑州某建筑劳务公司", "郑州 金水区", 18000)
    assert case.still_working is True
    assert case.work_start is not None
    assert case.work_start.isoformat() == "2024-03-01"
    assert case.description == STORY
    evidence = await _evidence(harness.db)
    assert [(e.case_id, e.kind, e.file_id) for e in evidence] == [
        (case.id, "photo", "photo-large"),
        (case.id, "document", "doc-contract"),
    ]
    assert evidence[1].file_name == "劳动合同.pdf"
    assert await _flow(harness.db) is None


async def test_the_case_keeps_when_and_to_which_text_the_worker_consented(
    harness: Harness,
) -> None:
    await _reach(harness, "summary")

    await _press(harness, "li:go")

    case = (await _cases(harness.db))[0]
    assert case.consent_version == CONSENT_VERSION
    assert abs(case.consent_at - utcnow()) < timedelta(minutes=1)


async def test_submitting_tells_the_case_number_and_what_happens_next(harness: Harness) -> None:
    await _reach(harness, "summary")

    calls = await _press(harness, "li:go")

    case = (await _cases(harness.db))[0]
    text = _last(calls).text
    assert f"L{case.id:04d}" in text
    assert t("zh", "li-next") in text
    assert "lw:list" in _last(calls).callback_data


async def _outbox_rows(db: Database) -> dict[str, dict[str, Any]]:
    async with db.engine.connect() as conn:
        rows = (await conn.execute(sa_select(OUTBOX))).mappings().all()
    return {str(row["key"]): dict(row) for row in rows}


async def test_the_case_number_goes_through_the_outbox(harness: Harness) -> None:
    await _reach(harness, "summary")

    calls = await _press(harness, "li:go")

    [case] = await _cases(harness.db)
    row = (await _outbox_rows(harness.db))[f"case-opened:{case.id}"]
    assert (row["chat_id"], row["kind"], row["state"]) == (WORKER_ID, "case-opened", "sent")
    assert _last(calls).text == row["text"]


async def test_a_case_number_that_could_not_go_at_once_is_sent_by_the_outbox_sender(
    harness: Harness,
) -> None:
    await _reach(harness, "summary")
    harness.api.fail_next("sendMessage", 502, "Bad Gateway")

    await _press(harness, "li:go")

    [case] = await _cases(harness.db)
    key = f"case-opened:{case.id}"
    assert (await _outbox_rows(harness.db))[key]["state"] == "pending"
    later = utcnow() + timedelta(minutes=1)
    sender = OutboxSender(
        TelegramNotifier(harness.app.bot, encoders()), harness.db, clock=lambda: later
    )
    await sender.step()
    assert (await _outbox_rows(harness.db))[key]["state"] == "sent"
    told = [c for c in harness.api.sent("sendMessage") if c.result is not None]
    assert f"L{case.id:04d}" in told[-1].text


async def test_pressing_submit_twice_opens_one_case(harness: Harness) -> None:
    await _reach(harness, "summary")

    await _press(harness, "li:go")
    again = await _press(harness, "li:go")

    assert len(await _cases(harness.db)) == 1
    assert _popup(again) == t("zh", "button-stale")


async def test_the_summary_shows_every_answer_before_submitting(harness: Harness) -> None:
    calls = await _reach(harness, "summary")

    text = _last(calls).text
    for expected in ("郑州某建筑劳务公司", "郑州 金水区", "2024-03-01", "18,000", STORY):
        assert expected in text
    assert t("zh", "legal-sum-still-working") in text
    assert {"li:go", "li:ed", "li:x"} <= set(_last(calls).callback_data)


# --- leaving and coming back ------------------------------------------------------------------


async def test_the_cancel_button_leaves_no_case_and_no_draft(harness: Harness) -> None:
    await _reach(harness, "evidence")
    await _send_photo(harness)

    calls = await _press(harness, "li:x")

    assert await _flow(harness.db) is None
    assert await _cases(harness.db) == []
    assert await _evidence(harness.db) == []
    assert t("zh", "li-cancelled") in _text(calls)


async def test_the_cancel_command_ends_the_intake(harness: Harness) -> None:
    await _reach(harness, "story")

    await _say(harness, "/cancel")

    assert await _flow(harness.db) is None
    assert await _cases(harness.db) == []


async def test_a_restarted_bot_continues_the_intake_where_it_stopped(
    harness: Harness, settings: Settings, db: Database
) -> None:
    await _reach(harness, "start")

    async with _another_bot(settings, db) as restarted:
        await restarted.feed(message("2024-03-01"))
        calls = await restarted.feed(callback("li:w"))

    assert await _step(db) == "amount"
    assert t("zh", "li-ask-amount") in _text(calls)
    draft = await _draft(db)
    assert (draft["place"], draft["start"], draft["still"]) == ("郑州 金水区", "2024-03-01", True)


async def test_opening_a_case_again_resumes_the_draft_and_says_so(harness: Harness) -> None:
    await _reach(harness, "place")
    await _say(harness, "/legal")

    calls = await _press(harness, "li:new")

    text = _text(calls)
    assert t("zh", "li-resume") in text
    assert t("zh", "li-ask-place") in text
    assert (await _draft(harness.db))["employer"] == "郑州某建筑劳务公司"


async def test_the_legal_menu_offers_to_continue_an_unfinished_request(harness: Harness) -> None:
    await _reach(harness, "place")

    calls = await _say(harness, "/legal")

    labels = [b["text"] for row in _last(calls).buttons for b in row]
    assert t("zh", "lg-btn-case-resume") in labels


async def test_a_case_button_with_a_category_starts_at_the_employer(harness: Harness) -> None:
    calls = await _press(harness, "li:new:injury")

    assert await _step(harness.db) == "employer"
    assert (await _draft(harness.db))["category"] == "injury"
    assert t("zh", "legal-cat-injury") in _text(calls)


# --- back, skip, edit -------------------------------------------------------------------------


async def test_back_returns_to_the_previous_question_keeping_the_answer(harness: Harness) -> None:
    await _reach(harness, "place")

    calls = await _press(harness, "li:b:place")

    assert await _step(harness.db) == "employer"
    assert t("zh", "li-ask-employer") in _text(calls)
    assert (await _draft(harness.db))["employer"] == "郑州某建筑劳务公司"


async def test_back_from_the_consent_of_a_phone_contact_goes_to_the_phone_number(
    harness: Harness,
) -> None:
    await _reach(harness, "consent", contact=_presses("li:c:phone"))

    await _press(harness, "li:b:consent")

    assert await _step(harness.db) == "phone"


async def test_the_back_button_of_another_question_is_stale(harness: Harness) -> None:
    await _reach(harness, "place")

    calls = await _press(harness, "li:b:story")

    assert _popup(calls) == t("zh", "button-stale")
    assert await _step(harness.db) == "place"


async def test_skip_leaves_the_employer_blank(harness: Harness) -> None:
    await _reach(harness, "employer")

    await _press(harness, "li:s:employer")

    assert await _step(harness.db) == "place"
    assert (await _draft(harness.db))["employer"] == ""


async def test_a_required_question_cannot_be_skipped(harness: Harness) -> None:
    await _reach(harness, "place")

    calls = await _press(harness, "li:s:place")

    assert _popup(calls) == t("zh", "button-stale")
    assert await _step(harness.db) == "place"


async def test_an_injury_date_cannot_be_skipped(harness: Harness) -> None:
    await _reach(harness, "incident", category=_presses("li:k:injury"))

    calls = await _press(harness, "li:s:incident")

    assert _popup(calls) == t("zh", "button-stale")


async def test_a_wage_case_is_not_asked_for_an_incident_date(harness: Harness) -> None:
    await _reach(harness, "end")

    await _press(harness, "li:w")

    assert await _step(harness.db) == "amount"


async def test_editing_from_the_summary_changes_an_answer_and_comes_back(
    harness: Harness,
) -> None:
    await _reach(harness, "summary")
    await _press(harness, "li:ed")
    await _press(harness, "li:ef:place")

    calls = await _say(harness, "北京 朝阳区")

    assert await _step(harness.db) == "summary"
    assert "北京 朝阳区" in _last(calls).text


async def test_changing_the_category_to_injury_asks_for_the_injury_date(
    harness: Harness,
) -> None:
    await _reach(harness, "summary")
    await _press(harness, "li:ed")
    await _press(harness, "li:ef:category")

    calls = await _press(harness, "li:k:injury")

    assert await _step(harness.db) == "incident"
    assert t("zh", "li-ask-injury-date") in _text(calls)


# --- answers that cannot be used --------------------------------------------------------------


@pytest.mark.parametrize("text", ["去年吧", "2024-02-30", "13月", "下个月"])
async def test_a_date_that_cannot_be_read_is_asked_again(harness: Harness, text: str) -> None:
    await _reach(harness, "start")

    calls = await _say(harness, text)

    assert t("zh", "li-bad-date") in _text(calls)
    assert await _step(harness.db) == "start"


@pytest.mark.parametrize("text", ["2099-01-01", "2099年3月"])
async def test_a_date_still_to_come_is_refused_as_not_yet_come(
    harness: Harness, text: str
) -> None:
    await _reach(harness, "start")

    calls = await _say(harness, text)

    assert t("zh", "li-bad-date-future") in _text(calls)
    assert await _step(harness.db) == "start"
    assert (await _draft(harness.db))["start"] is None


async def test_an_overlong_date_is_refused_with_the_limit(harness: Harness) -> None:
    await _reach(harness, "start")

    calls = await _say(harness, "2024年3月" * 10)

    assert t("zh", "li-bad-too-long", limit=40) in _text(calls)
    assert await _step(harness.db) == "start"


async def test_an_end_before_the_start_is_refused(harness: Harness) -> None:
    await _reach(harness, "end")

    calls = await _say(harness, "2023-12-31")

    assert t("zh", "li-bad-end-before-start") in _text(calls)
    assert await _step(harness.db) == "end"


async def test_an_amount_that_cannot_be_read_is_asked_again(harness: Harness) -> None:
    await _reach(harness, "amount")

    calls = await _say(harness, "好几个月的工资")

    assert t("zh", "li-bad-amount") in _text(calls)
    assert await _step(harness.db) == "amount"


async def test_a_story_too_short_is_asked_again(harness: Harness) -> None:
    await _reach(harness, "story")

    calls = await _say(harness, "没给钱")

    assert t("zh", "li-bad-too-short", limit=10) in _text(calls)
    assert await _step(harness.db) == "story"


@pytest.mark.parametrize("text", ["12345", "call me", "138-0013-8000-1234-5678-90"])
async def test_a_phone_number_that_cannot_be_used_is_asked_again(
    harness: Harness, text: str
) -> None:
    await _reach(harness, "phone", contact=_presses("li:c:phone"))

    calls = await _say(harness, text)

    assert t("zh", "li-bad-phone") in _text(calls)
    assert await _step(harness.db) == "phone"


async def test_a_typed_phone_number_is_kept_with_the_case(harness: Harness) -> None:
    await _reach(harness, "phone", contact=_presses("li:c:phone"))
    await _say(harness, "138-0013 8000")
    await _press(harness, "li:a:y")
    summary = await _press(harness, "li:n:n")

    await _press(harness, "li:go")

    assert "13800138000" in _last(summary).text
    case = (await _cases(harness.db))[0]
    assert (case.contact, case.phone) == ("phone", "13800138000")


async def test_the_phone_question_offers_telegrams_share_button(harness: Harness) -> None:
    await _reach(harness, "contact")

    calls = await _press(harness, "li:c:phone")

    keyboards = [c.params.get("reply_markup") or {} for c in calls]
    shares = [
        button
        for markup in keyboards
        if isinstance(markup, dict)
        for row in markup.get("keyboard", [])
        for button in row
        if button.get("request_contact")
    ]
    assert shares


async def test_the_workers_own_shared_contact_is_taken_as_the_phone_number(
    harness: Harness,
) -> None:
    await _reach(harness, "phone", contact=_presses("li:c:phone"))

    await _send_contact(harness, owner=WORKER_ID)

    assert await _step(harness.db) == "consent"
    assert (await _draft(harness.db))["phone"] == "+8613800138000"


@pytest.mark.parametrize("owner", [OTHER_ID, None])
async def test_a_shared_contact_that_is_not_the_workers_own_is_refused(
    harness: Harness, owner: int | None
) -> None:
    await _reach(harness, "phone", contact=_presses("li:c:phone"))

    calls = await _send_contact(harness, owner=owner)

    assert t("zh", "li-bad-contact-other") in _text(calls)
    assert await _step(harness.db) == "phone"
    assert (await _draft(harness.db))["phone"] == ""


# --- consent and name -------------------------------------------------------------------------


async def test_saying_no_to_consent_keeps_the_draft_and_explains(harness: Harness) -> None:
    await _reach(harness, "consent")

    calls = await _press(harness, "li:a:n")

    assert t("zh", "li-consent-needed") in _text(calls)
    assert await _step(harness.db) == "consent"
    assert (await _draft(harness.db))["story"] == STORY
    assert "li:a:y" in _last(calls).callback_data


async def test_without_consent_submit_is_refused(harness: Harness) -> None:
    await _reach(harness, "consent")
    await _press(harness, "li:a:n")

    calls = await _press(harness, "li:go")

    assert _popup(calls) == t("zh", "button-stale")
    assert await _cases(harness.db) == []


async def test_agreeing_after_saying_no_goes_on_to_the_name(harness: Harness) -> None:
    await _reach(harness, "consent")
    await _press(harness, "li:a:n")

    await _press(harness, "li:a:y")

    assert await _step(harness.db) == "name"


async def test_the_summary_hides_the_name_when_the_worker_says_no(harness: Harness) -> None:
    await _reach(harness, "name")

    calls = await _press(harness, "li:n:n")

    text = _last(calls).text
    assert t("zh", "legal-sum-name-hidden") in text
    assert "阿强" not in text


async def test_the_summary_shows_the_name_when_the_worker_agrees(harness: Harness) -> None:
    await _reach(harness, "name")

    calls = await _press(harness, "li:n:y")
    await _press(harness, "li:go")

    assert t("zh", "legal-sum-name", name="阿强") in _last(calls).text
    case = (await _cases(harness.db))[0]
    assert (case.show_name, case.display_name) == (True, "阿强")


async def test_a_hidden_name_is_not_stored_with_the_case(harness: Harness) -> None:
    await _reach(harness, "summary")

    await _press(harness, "li:go")

    case = (await _cases(harness.db))[0]
    assert (case.show_name, case.display_name) == (False, "")


# --- deadlines --------------------------------------------------------------------------------


async def test_an_old_injury_makes_an_urgent_case_with_the_warning(harness: Harness) -> None:
    injured = _local_today(harness) - timedelta(days=400)
    await _reach(harness, "incident", category=_presses("li:k:injury"))

    warned = await _say(harness, injured.isoformat())
    await _reach(harness, "summary")
    done = await _press(harness, "li:go")

    assert t("zh", "legal-rule-injury") in _text(warned)
    assert "⚠️" in _text(done)
    case = (await _cases(harness.db))[0]
    assert case.urgent is True
    assert case.deadline_rule == "injury"
    assert case.incident_on == injured


async def test_a_near_wage_deadline_is_shown_right_after_the_dates(harness: Harness) -> None:
    ended = _local_today(harness) - timedelta(days=340)
    await _reach(harness, "end")

    calls = await _say(harness, ended.isoformat())

    assert await _step(harness.db) == "amount"
    assert t("zh", "legal-rule-arbitration_wages") in _text(calls)


async def test_a_worker_still_employed_with_wages_owed_gets_no_warning(harness: Harness) -> None:
    await _reach(harness, "end")

    calls = await _press(harness, "li:w")

    assert t("zh", "legal-rule-arbitration_wages") not in _text(calls)


async def test_a_recent_case_is_not_urgent(harness: Harness) -> None:
    await _reach(harness, "summary")

    await _press(harness, "li:go")

    case = (await _cases(harness.db))[0]
    assert (case.urgent, case.deadline) == (False, None)


# --- rough dates ------------------------------------------------------------------------------


async def test_a_start_said_as_last_december_is_kept_as_a_month_and_shown_as_one(
    harness: Harness,
) -> None:
    year = _local_today(harness).year - 1

    calls = await _reach(harness, "summary", start=_says("去年12月"))
    await _press(harness, "li:go")

    assert f"{year}年12月" in _last(calls).text
    assert f"{year}-12-01" not in _last(calls).text
    case = (await _cases(harness.db))[0]
    assert (case.work_start, case.work_start_precision) == (date(year, 12, 1), "month")


async def test_a_start_said_as_the_year_before_last_is_kept_as_a_year(harness: Harness) -> None:
    year = _local_today(harness).year - 2

    calls = await _reach(harness, "summary", start=_says("前年"))
    await _press(harness, "li:go")

    assert t(
        "zh", "legal-sum-dates", start=f"{year}年", end=t("zh", "legal-sum-still-working")
    ) in (_last(calls).text)
    case = (await _cases(harness.db))[0]
    assert (case.work_start, case.work_start_precision) == (date(year, 1, 1), "year")


async def test_an_end_of_last_month_gives_an_about_deadline_from_the_first_of_the_month(
    harness: Harness,
) -> None:
    today = _local_today(harness)
    month = date(today.year - 1, today.month, 1) + timedelta(days=32)
    first = month.replace(day=1)  # eleven months ago
    due = first.replace(year=first.year + 1)
    await _reach(harness, "end")

    calls = await _say(harness, "11个月前")
    await _reach(harness, "summary")
    await _press(harness, "li:go")

    rule = t("zh", "legal-rule-arbitration_wages")
    warning = t(
        "zh", "legal-deadline-near-about", due=due.isoformat(), days=(due - today).days, rule=rule
    )
    assert warning in _text(calls)
    assert "约" in warning
    case = (await _cases(harness.db))[0]
    assert (case.work_end, case.work_end_precision) == (first, "month")
    assert (case.deadline, case.deadline_approximate, case.urgent) == (due, True, True)


async def test_an_exact_end_date_gives_a_deadline_without_about(harness: Harness) -> None:
    ended = _local_today(harness) - timedelta(days=340)
    await _reach(harness, "end")

    calls = await _say(harness, ended.isoformat())
    await _reach(harness, "summary")
    await _press(harness, "li:go")

    assert "约" not in _text(calls)
    case = (await _cases(harness.db))[0]
    assert (case.work_end_precision, case.deadline_approximate) == ("day", False)


async def test_an_end_month_before_the_start_month_is_refused(harness: Harness) -> None:
    await _reach(harness, "end")  # started 2024-03-01

    calls = await _say(harness, "2024年2月")

    assert t("zh", "li-bad-end-before-start") in _text(calls)
    assert await _step(harness.db) == "end"


async def test_an_end_in_the_start_month_is_accepted(harness: Harness) -> None:
    await _reach(harness, "end", start=_says("2024-03-20"))

    await _say(harness, "2024年3月")

    assert (await _draft(harness.db))["end"] == "2024-03"
    assert await _step(harness.db) == "amount"


async def test_a_date_being_changed_is_shown_to_its_precision(harness: Harness) -> None:
    await _reach(harness, "summary", start=_says("2024年3月"))
    await _press(harness, "li:ed")

    calls = await _press(harness, "li:ef:start")

    assert t("zh", "li-current", value="2024年3月") in _text(calls)


async def test_an_amount_said_in_chinese_numerals_is_read(harness: Harness) -> None:
    await _reach(harness, "summary", amount=_says("两万五"))
    await _press(harness, "li:go")

    assert (await _cases(harness.db))[0].amount == 25_000


async def test_an_english_worker_gives_a_month_and_reads_it_back_in_english(
    harness: Harness,
) -> None:
    async def say(text: str) -> list[Call]:
        return await harness.feed(message(text, lang="en"))

    async def press(data: str) -> list[Call]:
        return await harness.feed(callback(data, lang="en"))

    await press("li:new")
    await press("li:k:wages")
    await say("Acme Building Co.")
    await say("Zhengzhou")
    await say("March 2025")
    await press("li:w")
    await say("18k")
    await say(STORY)
    await press("li:s:evidence")
    await press("li:c:bot")
    await press("li:a:y")
    calls = await press("li:n:n")

    still = t("en", "legal-sum-still-working")
    assert t("en", "legal-sum-dates", start="March 2025", end=still) in _last(calls).text
    await press("li:go")
    case = (await _cases(harness.db))[0]
    assert (case.work_start, case.work_start_precision, case.amount) == (
        date(2025, 3, 1),
        "month",
        18_000,
    )


# --- files and other messages -----------------------------------------------------------------


async def test_each_file_is_acknowledged_with_the_count(harness: Harness) -> None:
    await _reach(harness, "evidence")

    await _send_photo(harness)
    calls = await _send_document(harness)

    assert t("zh", "li-evidence-got", count=2) in _text(calls)
    assert "li:d" in _last(calls).callback_data


async def test_the_same_photo_sent_twice_is_kept_once(harness: Harness) -> None:
    await _reach(harness, "evidence")

    await _send_photo(harness)
    await _send_photo(harness)

    assert len((await _draft(harness.db))["evidence"]) == 1


async def test_a_document_over_20_mb_is_refused(harness: Harness) -> None:
    await _reach(harness, "evidence")

    calls = await _send_document(harness, file_size=MAX_FILE_BYTES + 1)

    assert t("zh", "li-bad-file-too-big", limit=20) in _text(calls)
    assert (await _draft(harness.db))["evidence"] == []


async def test_a_sticker_at_the_evidence_question_gets_an_explanation(harness: Harness) -> None:
    await _reach(harness, "evidence")

    calls = await harness.feed(sticker())

    assert t("zh", "li-evidence-kinds") in _text(calls)
    assert (await _draft(harness.db))["evidence"] == []


async def test_a_photo_at_a_text_question_is_refused_politely(harness: Harness) -> None:
    await _reach(harness, "place")

    calls = await _send_photo(harness)

    assert t("zh", "li-text-only") in _text(calls)
    assert await _step(harness.db) == "place"
    assert (await _draft(harness.db))["evidence"] == []


async def test_a_voice_message_at_a_button_question_asks_for_the_buttons(
    harness: Harness,
) -> None:
    await _reach(harness, "contact")

    voice = {"file_id": "voice", "file_unique_id": "v1", "duration": 4}
    calls = await harness.feed(message(None, voice=voice))

    assert t("zh", "li-use-buttons") in _text(calls)


async def test_text_at_a_button_question_asks_for_the_buttons(harness: Harness) -> None:
    await _reach(harness, "category")

    calls = await _say(harness, "工资")

    assert t("zh", "li-use-buttons") in _text(calls)
    assert await _step(harness.db) == "category"


async def test_text_at_the_evidence_question_asks_for_files(harness: Harness) -> None:
    await _reach(harness, "evidence")

    calls = await _say(harness, "我有合同")

    assert t("zh", "li-evidence-send") in _text(calls)


# --- buttons that are not what they seem ------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    ["li:k:nonsense", "li:zz", "li:k:wages:x", "li:new:robbery", "li:ef:consent", "li:go"],
)
async def test_forged_intake_buttons_get_the_stale_popup(harness: Harness, data: str) -> None:
    await _reach(harness, "category")

    calls = await _press(harness, data)

    assert _popup(calls) == t("zh", "button-stale")
    assert await _step(harness.db) == "category"


async def test_an_intake_button_without_an_intake_is_stale(harness: Harness) -> None:
    calls = await _press(harness, "li:k:wages")

    assert _popup(calls) == t("zh", "button-stale")
    assert await _flow(harness.db) is None


async def test_another_workers_buttons_do_not_touch_this_draft(harness: Harness) -> None:
    await _reach(harness, "category")

    calls = await _press(harness, "li:k:wages", user_id=OTHER_ID)

    assert _popup(calls) == t("zh", "button-stale")
    assert (await _draft(harness.db))["category"] == ""


# --- telling the volunteers ------------------------------------------------------------------


async def test_a_new_case_is_announced_in_the_volunteers_group(
    settings: Settings, db: Database
) -> None:
    group = settings.model_copy(update={"volunteers_chat_id": -100_777})
    async with _another_bot(group, db) as bot:
        await _reach(bot, "summary")

        calls = await _press(bot, "li:go")

    topics = [c for c in calls if c.method == "createForumTopic"]
    assert [int(c.params["chat_id"]) for c in topics] == [-100_777]


async def test_a_failed_announcement_keeps_the_case_and_tells_the_worker(
    settings: Settings, db: Database
) -> None:
    group = settings.model_copy(update={"volunteers_chat_id": -100_777})
    async with _another_bot(group, db) as bot:
        await _reach(bot, "summary")
        bot.api.fail_next("createForumTopic", 400, "Bad Request: not enough rights")

        calls = await _press(bot, "li:go")

    case = (await _cases(db))[0]
    assert f"L{case.id:04d}" in _text(calls)
    assert t("zh", "error-generic") not in _text(calls)


# --- in English -------------------------------------------------------------------------------


async def test_the_intake_speaks_english_to_an_english_worker(harness: Harness) -> None:
    calls = await harness.feed(callback("li:new", lang="en"))

    text = _text(calls)
    assert t("en", "li-ask-category") in text
    labels = [b["text"] for row in _last(calls).buttons for b in row]
    assert t("en", "legal-cat-wages") in labels
