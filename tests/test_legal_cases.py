"""Legal cases: the volunteers' group, volunteer actions, the relay, follow-up, /forget."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.config import Settings
from bot.core.models import AuditLog, FlowState, Role, utcnow
from bot.core.notify import Notifier
from bot.core.users import grant_role, set_language
from bot.db import Database
from bot.i18n import t
from bot.legal.cases import announce_case, follow_up
from bot.legal.core import ASK_FLOW, REPLY_FLOW
from bot.legal.models import CaseStatus, LegalCase, LegalConsultation, LegalEvidence, LegalMessage
from bot.localapi import BOT_USER, Call
from tests.conftest import Harness
from tests.factories import ADMIN_ID, STAFF_ID, WORKER_ID, callback, message
from tests.legal_factories import make_case

GROUP_ID = -1001234
GROUP = {"id": GROUP_ID, "type": "supergroup", "title": "志愿律师", "is_forum": True}
LAWYER_ID = 444_444
LAWYER2_ID = 555_555
STRANGER_ID = 666_666
OTHER_WORKER_ID = 777_777
#: A fixed moment for the follow-up clock.
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PHOTO = [{"file_id": "AgAC-photo", "file_unique_id": "AQAD-photo", "width": 90, "height": 90}]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test settings with a volunteers' group, and room for quick tapping."""
    return settings.model_copy(
        update={"volunteers_chat_id": GROUP_ID, "flood_limit": "100 per 1 second"}
    )


@pytest.fixture
async def legal(harness: Harness) -> Harness:
    """The harness with two volunteer lawyers and a staff member."""
    async with harness.db.session() as session:
        for lawyer in (LAWYER_ID, LAWYER2_ID):
            await grant_role(session, actor_id=None, user_id=lawyer, role=Role.volunteer_legal)
        await grant_role(session, actor_id=None, user_id=STAFF_ID, role=Role.staff)
    return harness


# --- helpers ----------------------------------------------------------------------------------


def _settings(harness: Harness) -> Settings:
    settings: Settings = harness.app.bot_data["services"].settings
    return settings


def _notifier(harness: Harness) -> Notifier:
    notifier: Notifier = harness.app.bot_data["services"].notifier
    return notifier


def _without_group(harness: Harness) -> None:
    services = harness.app.bot_data["services"]
    services.settings = services.settings.model_copy(update={"volunteers_chat_id": None})


async def _announce(harness: Harness, case: LegalCase, now: datetime | None = None) -> LegalCase:
    assert case.id is not None
    await announce_case(
        _notifier(harness), harness.db, _settings(harness), case_id=case.id, now=now or utcnow()
    )
    return await _load(harness.db, case.id)


async def _load(db: Database, case_id: int) -> LegalCase:
    async with db.session() as session:
        case = await session.get(LegalCase, case_id)
        assert case is not None
        return case


async def _rows(db: Database, model: Any, *where: Any) -> list[Any]:
    async with db.session() as session:
        return list((await session.exec(select(model).where(*where))).all())


async def _audits(db: Database, action: str) -> list[AuditLog]:
    return await _rows(db, AuditLog, col(AuditLog.action) == action)


async def _flow(db: Database, user_id: int) -> FlowState | None:
    async with db.session() as session:
        return await session.get(FlowState, user_id)


def _chat(call: Call) -> int:
    return int(call.params["chat_id"])


def _to(calls: list[Call], chat_id: int, method: str = "sendMessage") -> list[Call]:
    return [c for c in calls if c.method == method and _chat(c) == chat_id]


def _popup(calls: list[Call]) -> str:
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answers, [c.method for c in calls]
    return str(answers[-1].params.get("text") or "")


def _reply_target(call: Call) -> int | None:
    params = call.params.get("reply_parameters")
    if params is None:
        return None
    if isinstance(params, str):
        params = json.loads(params)
    return int(params["message_id"])


def _in_group(
    text: str | None, *, user_id: int = LAWYER_ID, thread: int | None = None, **extra: Any
) -> dict[str, Any]:
    """A message in the volunteers' group (in a topic when ``thread`` is given)."""
    if thread is not None:
        extra.update(message_thread_id=thread, is_topic_message=True)
    return message(text, user_id=user_id, chat=GROUP, **extra)


def _press_in_group(
    data: str,
    *,
    user_id: int = LAWYER_ID,
    thread: int | None = None,
    message_id: int = 1,
    buttons: list[str] | None = None,
) -> dict[str, Any]:
    """A button pressed on a message of the bot in the volunteers' group."""
    payload = callback(data, user_id=user_id, message_id=message_id)
    pressed = payload["callback_query"]["message"]
    pressed["chat"] = GROUP
    if thread is not None:
        pressed.update(message_thread_id=thread, is_topic_message=True)
    if buttons:
        pressed["reply_markup"] = {
            "inline_keyboard": [[{"text": b, "callback_data": b}] for b in buttons]
        }
    return payload


def _bot_message(chat: dict[str, Any], message_id: int, text: str = "") -> dict[str, Any]:
    """A message of the bot, as it appears in ``reply_to_message``."""
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat,
        "from": BOT_USER,
        "text": text,
    }


async def _claimed(harness: Harness, **fields: Any) -> LegalCase:
    """An announced case (in its own topic) claimed by LAWYER_ID."""
    case = await _announce(harness, await make_case(harness.db, **fields))
    await harness.feed(_press_in_group(f"lc:k:{case.id}", thread=case.thread_id))
    return await _load(harness.db, case.id)  # type: ignore[arg-type]


async def _relayed_question(harness: Harness, case: LegalCase) -> Call:
    """The claimer writes in the case's topic; return the message the worker got."""
    calls = await harness.feed(_in_group("请问你有劳动合同吗？", thread=case.thread_id))
    [relayed] = _to(calls, WORKER_ID)
    return relayed


# --- announcing -------------------------------------------------------------------------------


async def test_a_new_case_gets_a_topic_with_its_summary_buttons_and_evidence(
    legal: Harness,
) -> None:
    case = await make_case(legal.db, evidence=2)

    before = len(legal.api.calls)
    announced = await _announce(legal, case)
    calls = legal.api.calls[before:]

    [topic] = [c for c in calls if c.method == "createForumTopic"]
    thread = int(topic.result["message_thread_id"])
    [summary] = _to(calls, GROUP_ID)
    assert summary.params["message_thread_id"] == thread
    assert "L0001" in summary.text
    assert "郑州某建筑劳务公司" in summary.text
    assert f"lc:k:{case.id}" in summary.callback_data
    photos = _to(calls, GROUP_ID, "sendPhoto")
    assert [p.params["photo"] for p in photos] == [f"photo-{case.id}-0", f"photo-{case.id}-1"]
    assert all(p.params["message_thread_id"] == thread for p in photos)
    assert announced.chat_id == GROUP_ID
    assert announced.thread_id == thread
    assert announced.announced_at is not None


async def test_the_bots_posts_about_a_case_are_mapped_to_it(legal: Harness) -> None:
    case = await _announce(legal, await make_case(legal.db, evidence=1))

    rows = await _rows(legal.db, LegalMessage, col(LegalMessage.case_id) == case.id)

    assert len(rows) == 2
    assert {r.direction for r in rows} == {"bot"}
    assert {r.chat_id for r in rows} == {GROUP_ID}


async def test_announcing_writes_an_audit_record(legal: Harness) -> None:
    case = await _announce(legal, await make_case(legal.db))

    [record] = await _audits(legal.db, "legal.case.announce")

    assert record.subject == f"case:{case.id}"


async def test_an_urgent_case_topic_is_marked_and_names_no_one(legal: Harness) -> None:
    await _announce(legal, await make_case(legal.db, urgent=True, display_name="王小明"))

    [topic] = legal.api.sent("createForumTopic")

    name = str(topic.params["name"])
    assert name == "L0001 拖欠工资 🔴"
    assert "郑州" not in name
    assert "王小明" not in name


async def test_a_group_without_topics_gets_a_root_message_per_case(legal: Harness) -> None:
    legal.api.no_topics.add(GROUP_ID)
    case = await make_case(legal.db, evidence=1)

    before = len(legal.api.calls)
    announced = await _announce(legal, case)
    calls = legal.api.calls[before:]

    [summary] = _to(calls, GROUP_ID)
    [photo] = _to(calls, GROUP_ID, "sendPhoto")
    assert announced.thread_id is None
    assert announced.root_message_id == summary.result["message_id"]
    assert _reply_target(photo) == announced.root_message_id
    assert announced.announced_at is not None


async def test_a_reply_to_the_root_message_in_a_group_without_topics_reaches_the_worker(
    legal: Harness,
) -> None:
    legal.api.no_topics.add(GROUP_ID)
    case = await _announce(legal, await make_case(legal.db))
    root = case.root_message_id
    assert root is not None
    await legal.feed(_press_in_group(f"lc:k:{case.id}", message_id=root))

    calls = await legal.feed(
        _in_group("工资条有吗？", reply_to_message=_bot_message(GROUP, root, "L0001"))
    )

    [relayed] = _to(calls, WORKER_ID)
    assert "L0001" in relayed.text
    assert "工资条有吗？" in relayed.text


async def test_notes_in_a_group_without_topics_reply_to_the_root_message(legal: Harness) -> None:
    legal.api.no_topics.add(GROUP_ID)
    case = await _announce(legal, await make_case(legal.db))

    calls = await legal.feed(_press_in_group(f"lc:k:{case.id}", message_id=1))

    [note] = _to(calls, GROUP_ID)
    assert _reply_target(note) == case.root_message_id


async def test_without_a_volunteers_group_a_case_is_announced_without_posting(
    legal: Harness,
) -> None:
    _without_group(legal)
    case = await make_case(legal.db, evidence=1)

    before = len(legal.api.calls)
    announced = await _announce(legal, case)

    assert legal.api.calls[before:] == []
    assert announced.announced_at is not None
    assert announced.chat_id is None


async def test_a_failed_announcement_is_retried_in_the_same_topic(legal: Harness) -> None:
    case = await make_case(legal.db, created_at=T0)
    legal.api.fail_next("sendMessage", 403, "Forbidden: bot was kicked from the supergroup chat")

    failed = await _announce(legal, case, now=T0)
    done = await follow_up(
        _notifier(legal), legal.db, _settings(legal), now=T0 + timedelta(minutes=10)
    )

    announced = await _load(legal.db, failed.id)  # type: ignore[arg-type]
    assert failed.announced_at is None
    assert done.announced == 1
    assert announced.announced_at == T0 + timedelta(minutes=10)
    assert len(legal.api.sent("createForumTopic")) == 1
    assert announced.thread_id == failed.thread_id


# --- claim, release, close --------------------------------------------------------------------


async def test_a_volunteer_claims_an_open_case_in_its_topic(legal: Harness) -> None:
    case = await _announce(legal, await make_case(legal.db))

    calls = await legal.feed(_press_in_group(f"lc:k:{case.id}", thread=case.thread_id))

    claimed = await _load(legal.db, case.id)  # type: ignore[arg-type]
    assert claimed.status == CaseStatus.claimed
    assert claimed.claimed_by == LAWYER_ID
    assert claimed.claimed_at is not None
    assert "L0001" in _popup(calls)
    [note] = _to(calls, GROUP_ID)
    assert note.params["message_thread_id"] == case.thread_id


async def test_the_worker_is_told_in_their_language_when_a_volunteer_takes_the_case(
    legal: Harness,
) -> None:
    case = await _announce(legal, await make_case(legal.db, lang="en"))

    calls = await legal.feed(_press_in_group(f"lc:k:{case.id}", thread=case.thread_id))

    [told] = _to(calls, WORKER_ID)
    assert told.text == t("en", "lw-claimed", number="L0001")


async def test_a_claim_is_written_to_the_audit_log(legal: Harness) -> None:
    case = await _claimed(legal)

    [record] = await _audits(legal.db, "legal.case.claim")

    assert record.actor_id == LAWYER_ID
    assert record.subject == f"case:{case.id}"


async def test_of_two_volunteers_claiming_at_once_exactly_one_gets_the_case(
    legal: Harness,
) -> None:
    case = await _announce(legal, await make_case(legal.db))
    presses = [
        _press_in_group(f"lc:k:{case.id}", user_id=lawyer, thread=case.thread_id)
        for lawyer in (LAWYER_ID, LAWYER2_ID)
    ]

    before = len(legal.api.calls)
    await asyncio.gather(*(legal.feed(p) for p in presses))

    calls = legal.api.calls[before:]
    claimed = await _load(legal.db, case.id)  # type: ignore[arg-type]
    popups = [str(c.params.get("text")) for c in calls if c.method == "answerCallbackQuery"]
    assert claimed.claimed_by in (LAWYER_ID, LAWYER2_ID)
    assert popups.count(t("zh", "lc-claim-taken")) == 1
    assert len(_to(calls, WORKER_ID)) == 1
    assert len(await _audits(legal.db, "legal.case.claim")) == 1


async def test_claiming_redraws_the_buttons_of_the_case_message(legal: Harness) -> None:
    case = await _announce(legal, await make_case(legal.db))
    press = _press_in_group(
        f"lc:k:{case.id}", thread=case.thread_id, buttons=[f"lc:k:{case.id}", f"lc:c:{case.id}"]
    )

    calls = await legal.feed(press)

    [redraw] = [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert f"lc:r:{case.id}" in redraw.callback_data
    assert f"lc:k:{case.id}" not in redraw.callback_data


async def test_the_claimer_releases_a_case_back_to_open(legal: Harness) -> None:
    case = await _claimed(legal)
    await legal.feed(_press_in_group(f"lc:r:{case.id}", thread=case.thread_id))

    calls = await legal.feed(_press_in_group(f"lc:u:{case.id}", thread=case.thread_id))

    released = await _load(legal.db, case.id)  # type: ignore[arg-type]
    assert released.status == CaseStatus.open
    assert released.claimed_by is None
    assert len(_to(calls, GROUP_ID)) == 1
    assert len(await _audits(legal.db, "legal.case.release")) == 1


async def test_another_volunteer_cannot_release_a_claimed_case(legal: Harness) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(
        _press_in_group(f"lc:r:{case.id}", user_id=LAWYER2_ID, thread=case.thread_id)
    )

    assert _popup(calls) == t("zh", "lc-release-not-yours")
    assert (await _load(legal.db, case.id)).claimed_by == LAWYER_ID  # type: ignore[arg-type]


async def test_closing_offers_every_outcome(legal: Harness) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(_press_in_group(f"lc:c:{case.id}", thread=case.thread_id))

    [menu] = _to(calls, GROUP_ID)
    assert menu.callback_data == [f"lc:o:{case.id}:{k}" for k in range(4)]
    assert menu.params["message_thread_id"] == case.thread_id


async def test_closing_with_an_outcome_closes_the_case_and_its_topic(legal: Harness) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(_press_in_group(f"lc:y:{case.id}:1", thread=case.thread_id))

    closed = await _load(legal.db, case.id)  # type: ignore[arg-type]
    assert closed.status == CaseStatus.closed
    assert closed.outcome == "mediation"
    assert closed.closed_by == LAWYER_ID
    assert closed.closed_at is not None
    [topic] = [c for c in calls if c.method == "closeForumTopic"]
    assert topic.params["message_thread_id"] == case.thread_id
    assert len(await _audits(legal.db, "legal.case.close")) == 1


async def test_the_worker_is_told_the_outcome_and_asked_for_a_rating(legal: Harness) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(_press_in_group(f"lc:y:{case.id}:0", thread=case.thread_id))

    [told] = _to(calls, WORKER_ID)
    assert "L0001" in told.text
    assert "已解答" in told.text
    assert told.callback_data == [f"lw:s:{case.id}:{n}" for n in range(1, 6)]


async def test_another_volunteer_cannot_close_a_claimed_case(legal: Harness) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(
        _press_in_group(f"lc:y:{case.id}:0", user_id=LAWYER2_ID, thread=case.thread_id)
    )

    assert _popup(calls) == t("zh", "lc-close-not-yours")
    assert (await _load(legal.db, case.id)).status == CaseStatus.claimed  # type: ignore[arg-type]


async def test_a_closed_case_cannot_be_claimed(legal: Harness) -> None:
    case = await _claimed(legal)
    await legal.feed(_press_in_group(f"lc:y:{case.id}:0", thread=case.thread_id))

    calls = await legal.feed(_press_in_group(f"lc:k:{case.id}", user_id=LAWYER2_ID))

    assert _popup(calls) == t("zh", "lc-case-closed")


async def test_a_forged_case_button_is_stale(legal: Harness) -> None:
    calls = await legal.feed(_press_in_group("lc:k:999"))

    assert _popup(calls) == t("zh", "button-stale")


async def test_choosing_an_outcome_asks_to_confirm_before_closing(legal: Harness) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(_press_in_group(f"lc:o:{case.id}:1", thread=case.thread_id))

    [ask] = [c for c in calls if c.method == "editMessageText"]
    outcome = t("zh", "legal-outcome-mediation")
    assert ask.text == t("zh", "lc-close-ask", number="L0001", outcome=outcome)
    assert ask.text.startswith("确定结案吗？")
    assert ask.callback_data == [f"lc:y:{case.id}:1", f"lc:x:{case.id}"]
    assert (await _load(legal.db, case.id)).status == CaseStatus.claimed  # type: ignore[arg-type]
    assert await _audits(legal.db, "legal.case.close") == []


async def test_the_close_confirmation_speaks_the_volunteers_language(legal: Harness) -> None:
    case = await _claimed(legal)
    async with legal.db.session() as session:
        await set_language(session, user_id=LAWYER_ID, language="en")

    calls = await legal.feed(callback(f"lc:o:{case.id}:0", user_id=LAWYER_ID, lang="en"))

    [ask] = [c for c in calls if c.method == "editMessageText"]
    outcome = t("en", "legal-outcome-answered")
    assert ask.text == t("en", "lc-close-ask", number="L0001", outcome=outcome)
    assert [b["text"] for row in ask.buttons for b in row] == [
        t("en", "lc-btn-close-yes"),
        t("en", "lc-btn-keep"),
    ]


async def test_cancelling_a_close_keeps_the_case_open(legal: Harness) -> None:
    case = await _claimed(legal)
    await legal.feed(_press_in_group(f"lc:o:{case.id}:0", thread=case.thread_id))

    calls = await legal.feed(_press_in_group(f"lc:x:{case.id}", thread=case.thread_id))

    [kept] = [c for c in calls if c.method == "editMessageText"]
    assert kept.text == t("zh", "lc-close-kept", number="L0001")
    assert (await _load(legal.db, case.id)).status == CaseStatus.claimed  # type: ignore[arg-type]
    assert _to(calls, WORKER_ID) == []


@pytest.mark.parametrize("data", ["lc:y:{id}:7", "lc:y:99999:0", "lc:o:{id}:9", "lc:y:{id}"])
async def test_a_forged_close_confirmation_is_refused_politely(legal: Harness, data: str) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(_press_in_group(data.format(id=case.id), thread=case.thread_id))

    assert _popup(calls) == t("zh", "button-stale")
    assert (await _load(legal.db, case.id)).status == CaseStatus.claimed  # type: ignore[arg-type]


async def test_a_stale_close_confirmation_says_the_case_is_closed(legal: Harness) -> None:
    case = await _claimed(legal)
    await legal.feed(_press_in_group(f"lc:y:{case.id}:0", thread=case.thread_id))

    calls = await legal.feed(_press_in_group(f"lc:y:{case.id}:1", thread=case.thread_id))

    assert _popup(calls) == t("zh", "lc-case-closed")
    assert (await _load(legal.db, case.id)).outcome == "answered"  # type: ignore[arg-type]
    assert len(await _audits(legal.db, "legal.case.close")) == 1


async def test_another_volunteer_is_refused_before_the_close_confirmation(legal: Harness) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(
        _press_in_group(f"lc:o:{case.id}:0", user_id=LAWYER2_ID, thread=case.thread_id)
    )

    assert _popup(calls) == t("zh", "lc-close-not-yours")
    assert [c for c in calls if c.method == "editMessageText"] == []


async def test_releasing_asks_first_on_the_pressed_buttons(legal: Harness) -> None:
    case = await _claimed(legal)
    buttons = [f"lc:r:{case.id}", f"lc:c:{case.id}"]

    calls = await legal.feed(
        _press_in_group(f"lc:r:{case.id}", thread=case.thread_id, buttons=buttons)
    )

    assert _popup(calls) == t("zh", "lc-release-ask", number="L0001")
    [ask] = [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert ask.callback_data == [f"lc:u:{case.id}", f"lc:x:{case.id}"]
    assert (await _load(legal.db, case.id)).claimed_by == LAWYER_ID  # type: ignore[arg-type]


async def test_cancelling_a_release_puts_the_case_buttons_back(legal: Harness) -> None:
    case = await _claimed(legal)
    buttons = [f"lc:u:{case.id}", f"lc:x:{case.id}"]

    calls = await legal.feed(
        _press_in_group(f"lc:x:{case.id}", thread=case.thread_id, buttons=buttons)
    )

    assert _popup(calls) == t("zh", "lc-kept")
    [redraw] = [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert f"lc:r:{case.id}" in redraw.callback_data
    assert (await _load(legal.db, case.id)).claimed_by == LAWYER_ID  # type: ignore[arg-type]


async def test_a_confirmed_release_redraws_the_case_buttons(legal: Harness) -> None:
    case = await _claimed(legal)
    buttons = [f"lc:u:{case.id}", f"lc:x:{case.id}"]

    calls = await legal.feed(
        _press_in_group(f"lc:u:{case.id}", thread=case.thread_id, buttons=buttons)
    )

    assert _popup(calls) == t("zh", "lc-released", number="L0001")
    [redraw] = [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert f"lc:k:{case.id}" in redraw.callback_data


async def test_another_volunteer_cannot_confirm_a_release(legal: Harness) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(
        _press_in_group(f"lc:u:{case.id}", user_id=LAWYER2_ID, thread=case.thread_id)
    )

    assert _popup(calls) == t("zh", "lc-release-not-yours")
    assert (await _load(legal.db, case.id)).claimed_by == LAWYER_ID  # type: ignore[arg-type]


# --- the relay: volunteer to worker -----------------------------------------------------------


async def test_the_claimers_message_in_the_topic_reaches_the_worker_as_a_new_message(
    legal: Harness,
) -> None:
    case = await _claimed(legal)

    relayed = await _relayed_question(legal, case)

    assert relayed.text == t("zh", "lw-from-volunteer", number="L0001") + "\n请问你有劳动合同吗？"
    assert relayed.callback_data == [f"lw:r:{case.id}"]
    assert legal.api.sent("forwardMessage") == []


async def test_a_relayed_message_is_mapped_and_sets_the_first_reply_time(legal: Harness) -> None:
    case = await _claimed(legal)

    relayed = await _relayed_question(legal, case)

    [row] = await _rows(legal.db, LegalMessage, col(LegalMessage.direction) == "volunteer")
    assert row.chat_id == WORKER_ID
    assert row.message_id == relayed.result["message_id"]
    assert row.author_id == LAWYER_ID
    assert (await _load(legal.db, case.id)).first_reply_at is not None  # type: ignore[arg-type]


async def test_the_first_reply_time_is_that_of_the_first_message(legal: Harness) -> None:
    case = await _claimed(legal)
    await _relayed_question(legal, case)
    first = (await _load(legal.db, case.id)).first_reply_at  # type: ignore[arg-type]

    await legal.feed(_in_group("还有别的证据吗？", thread=case.thread_id))

    assert (await _load(legal.db, case.id)).first_reply_at == first  # type: ignore[arg-type]


async def test_the_volunteers_name_is_shown_only_after_they_choose_so(legal: Harness) -> None:
    case = await _claimed(legal)
    calls = await legal.feed(_press_in_group(f"lc:n:{case.id}", thread=case.thread_id))
    assert _popup(calls) == t("zh", "lc-name-shown")

    relayed = await _relayed_question(legal, case)

    assert relayed.text.startswith(t("zh", "lw-from-volunteer-named", number="L0001", name="阿强"))


async def test_a_volunteers_photo_is_sent_by_file_id_with_the_case_caption(
    legal: Harness,
) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(
        _in_group(None, thread=case.thread_id, photo=PHOTO, caption="这是仲裁申请书样本")
    )

    [photo] = _to(calls, WORKER_ID, "sendPhoto")
    assert photo.params["photo"] == "AgAC-photo"
    assert "L0001" in photo.text
    assert "这是仲裁申请书样本" in photo.text


async def test_internal_notes_starting_with_two_slashes_are_not_relayed(legal: Harness) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(_in_group("// 这个老板上个月也被投诉过", thread=case.thread_id))

    assert calls == []


async def test_a_non_claimers_message_is_not_relayed_and_gets_one_hint(legal: Harness) -> None:
    case = await _claimed(legal)

    first = await legal.feed(_in_group("我也看看", user_id=LAWYER2_ID, thread=case.thread_id))
    second = await legal.feed(_in_group("还在吗", user_id=LAWYER2_ID, thread=case.thread_id))

    assert _to(first + second, WORKER_ID) == []
    [hint] = _to(first, GROUP_ID)
    assert hint.text == t("zh", "lc-hint-claim")
    assert _to(second, GROUP_ID) == []


async def test_a_message_in_an_unclaimed_case_topic_is_not_relayed(legal: Harness) -> None:
    case = await _announce(legal, await make_case(legal.db))

    calls = await legal.feed(_in_group("你好", thread=case.thread_id))

    assert _to(calls, WORKER_ID) == []


async def test_a_group_member_without_the_role_is_ignored_in_a_topic(legal: Harness) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(_in_group("你好", user_id=STRANGER_ID, thread=case.thread_id))

    assert calls == []


async def test_a_message_in_a_closed_case_is_refused(legal: Harness) -> None:
    case = await _claimed(legal)
    await legal.feed(_press_in_group(f"lc:y:{case.id}:0", thread=case.thread_id))

    calls = await legal.feed(_in_group("补充一句", thread=case.thread_id))

    assert _to(calls, WORKER_ID) == []
    assert [c.text for c in _to(calls, GROUP_ID)] == [t("zh", "lc-relay-closed")]


async def test_a_message_in_another_group_is_ignored(legal: Harness) -> None:
    case = await _claimed(legal)
    other = {**GROUP, "id": -1009999}

    calls = await legal.feed(
        message("你好", user_id=LAWYER_ID, chat=other, message_thread_id=case.thread_id)
    )

    assert calls == []


async def test_a_worker_who_blocked_the_bot_is_reported_to_the_volunteer(legal: Harness) -> None:
    case = await _claimed(legal)
    legal.api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")

    calls = await legal.feed(_in_group("请问？", thread=case.thread_id))

    assert [c.text for c in _to(calls, GROUP_ID)] == [t("zh", "lc-relay-blocked")]
    assert (await _load(legal.db, case.id)).first_reply_at is None  # type: ignore[arg-type]


async def test_a_volunteer_asks_from_a_private_chat_with_one_message(legal: Harness) -> None:
    case = await _claimed(legal)
    await legal.feed(callback(f"lc:q:{case.id}", user_id=LAWYER_ID))
    assert (await _flow(legal.db, LAWYER_ID)).flow == ASK_FLOW  # type: ignore[union-attr]

    calls = await legal.feed(message("你在公司做了多久？", user_id=LAWYER_ID))

    [relayed] = _to(calls, WORKER_ID)
    assert "你在公司做了多久？" in relayed.text
    assert _to(calls, LAWYER_ID)[-1].text == t("zh", "lc-relay-sent-once", number="L0001")
    assert await _flow(legal.db, LAWYER_ID) is None


async def test_a_question_asked_from_a_private_chat_is_recorded_in_the_case_topic(
    legal: Harness,
) -> None:
    case = await _claimed(legal)
    await legal.feed(callback(f"lc:q:{case.id}", user_id=LAWYER_ID))

    calls = await legal.feed(message("你在公司做了多久？", user_id=LAWYER_ID))

    [note] = _to(calls, GROUP_ID)
    assert note.params["message_thread_id"] == case.thread_id
    assert "你在公司做了多久？" in note.text


async def test_asking_requires_the_claim(legal: Harness) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(callback(f"lc:q:{case.id}", user_id=LAWYER2_ID))

    assert _popup(calls) == t("zh", "lc-ask-claim-first")
    assert await _flow(legal.db, LAWYER2_ID) is None


async def test_asking_in_the_group_explains_to_write_in_the_topic(legal: Harness) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(_press_in_group(f"lc:q:{case.id}", thread=case.thread_id))

    assert _popup(calls) == t("zh", "lc-ask-in-topic")


# --- the relay: worker to case ----------------------------------------------------------------


async def test_the_workers_reply_goes_to_the_topic_as_a_new_message(legal: Harness) -> None:
    case = await _claimed(legal)
    await _relayed_question(legal, case)
    await legal.feed(callback(f"lw:r:{case.id}"))
    assert (await _flow(legal.db, WORKER_ID)).flow == REPLY_FLOW  # type: ignore[union-attr]

    calls = await legal.feed(message("有，签了一年的合同"))

    [post] = _to(calls, GROUP_ID)
    assert post.params["message_thread_id"] == case.thread_id
    assert post.text == t("zh", "lc-from-worker", number="L0001") + "\n有，签了一年的合同"
    assert _to(calls, WORKER_ID)[-1].text == t("zh", "lw-delivered", number="L0001")
    assert await _flow(legal.db, WORKER_ID) is None


async def test_a_worker_who_hides_forwards_is_still_heard_under_the_case_number(
    legal: Harness,
) -> None:
    case = await _claimed(legal)
    await legal.feed(callback(f"lw:a:{case.id}"))

    calls = await legal.feed(
        message(
            "老板说月底再给",
            forward_origin={
                "type": "hidden_user",
                "sender_user_name": "阿强",
                "date": int(time.time()),
            },
        )
    )

    [post] = _to(calls, GROUP_ID)
    assert "L0001" in post.text
    assert "老板说月底再给" in post.text
    assert [c for c in calls if c.method in ("forwardMessage", "copyMessage")] == []


async def test_a_volunteers_reply_to_the_workers_post_goes_back_without_forward_data(
    legal: Harness,
) -> None:
    legal.api.no_topics.add(GROUP_ID)
    case = await _announce(legal, await make_case(legal.db))
    await legal.feed(_press_in_group(f"lc:k:{case.id}", message_id=case.root_message_id or 0))
    await legal.feed(callback(f"lw:a:{case.id}"))
    [post] = _to(await legal.feed(message("我有工资条")), GROUP_ID)

    calls = await legal.feed(
        _in_group(
            "请拍照发过来",
            reply_to_message=_bot_message(GROUP, int(post.result["message_id"]), post.text),
        )
    )

    [relayed] = _to(calls, WORKER_ID)
    assert "请拍照发过来" in relayed.text


async def test_a_worker_reply_is_stored_both_in_their_chat_and_in_the_group(
    legal: Harness,
) -> None:
    case = await _claimed(legal)
    await legal.feed(callback(f"lw:a:{case.id}"))

    await legal.feed(message("补充：老板姓张"))

    rows = await _rows(legal.db, LegalMessage, col(LegalMessage.direction) != "bot")
    assert [(r.chat_id, r.direction, r.text) for r in rows] == [
        (WORKER_ID, "worker", "补充：老板姓张")
    ]
    posts = await _rows(
        legal.db,
        LegalMessage,
        col(LegalMessage.text) == "补充：老板姓张",
        col(LegalMessage.direction) == "bot",
    )
    assert [p.chat_id for p in posts] == [GROUP_ID]


async def test_a_telegram_reply_to_a_relayed_message_goes_to_the_case(legal: Harness) -> None:
    case = await _claimed(legal)
    relayed = await _relayed_question(legal, case)
    replied = _bot_message({"id": WORKER_ID, "type": "private"}, relayed.result["message_id"])

    calls = await legal.feed(message("没有合同", reply_to_message=replied))

    [post] = _to(calls, GROUP_ID)
    assert "没有合同" in post.text
    assert [c.text for c in _to(calls, WORKER_ID)] == [t("zh", "lw-delivered", number="L0001")]


async def test_a_reply_to_an_unrelated_message_goes_on_to_the_other_services(
    legal: Harness,
) -> None:
    await _claimed(legal)
    replied = _bot_message({"id": WORKER_ID, "type": "private"}, 424242)

    calls = await legal.feed(message("附近有驿站吗", reply_to_message=replied))

    assert _to(calls, GROUP_ID) == []
    assert _to(calls, WORKER_ID) != []


async def test_a_workers_photo_becomes_evidence_and_is_posted_with_the_case_number(
    legal: Harness,
) -> None:
    case = await _claimed(legal)
    await legal.feed(callback(f"lw:a:{case.id}"))

    calls = await legal.feed(message(None, photo=PHOTO, caption="工资条"))

    [photo] = _to(calls, GROUP_ID, "sendPhoto")
    assert photo.params["photo"] == "AgAC-photo"
    assert "L0001" in photo.text
    [evidence] = await _rows(legal.db, LegalEvidence, col(LegalEvidence.case_id) == case.id)
    assert evidence.file_id == "AgAC-photo"
    assert evidence.kind == "photo"


async def test_a_workers_document_becomes_evidence(legal: Harness) -> None:
    case = await _claimed(legal)
    await legal.feed(callback(f"lw:a:{case.id}"))
    document = {"file_id": "BQAC-doc", "file_unique_id": "u-doc", "file_name": "合同.pdf"}

    calls = await legal.feed(message(None, document=document))

    [sent] = _to(calls, GROUP_ID, "sendDocument")
    assert sent.params["document"] == "BQAC-doc"
    [evidence] = await _rows(legal.db, LegalEvidence, col(LegalEvidence.case_id) == case.id)
    assert evidence.file_name == "合同.pdf"


async def test_a_worker_text_over_the_limit_is_refused_and_the_flow_stays(
    legal: Harness,
) -> None:
    case = await _claimed(legal)
    await legal.feed(callback(f"lw:a:{case.id}"))

    calls = await legal.feed(message("长" * 2001))

    assert _to(calls, GROUP_ID) == []
    assert _to(calls, WORKER_ID)[-1].text == t("zh", "lw-too-long", limit=2000)
    assert (await _flow(legal.db, WORKER_ID)).flow == REPLY_FLOW  # type: ignore[union-attr]


async def test_without_a_group_the_workers_message_goes_privately_to_the_claimer(
    legal: Harness,
) -> None:
    _without_group(legal)
    case = await _announce(legal, await make_case(legal.db))
    await legal.feed(callback(f"lc:k:{case.id}", user_id=LAWYER_ID))
    await legal.feed(callback(f"lw:a:{case.id}"))

    calls = await legal.feed(message("我还有考勤记录"))

    [sent] = _to(calls, LAWYER_ID)
    assert "L0001" in sent.text
    assert "我还有考勤记录" in sent.text
    assert sent.callback_data == [f"lc:q:{case.id}"]


async def test_a_message_for_an_unclaimed_case_without_a_group_is_saved(legal: Harness) -> None:
    _without_group(legal)
    case = await _announce(legal, await make_case(legal.db))
    await legal.feed(callback(f"lw:a:{case.id}"))

    calls = await legal.feed(message("我还有考勤记录"))

    assert [c.text for c in calls if c.method == "sendMessage"] == [
        t("zh", "lw-saved", number="L0001")
    ]
    assert len(await _rows(legal.db, LegalMessage, col(LegalMessage.direction) == "worker")) == 1


# --- the relay: plain text after a volunteer's question ---------------------------------------

ANSWER = "有微信聊天记录，还有他写的欠条"


async def _answered(harness: Harness, text: str = ANSWER, **extra: Any) -> tuple[Call, Call]:
    """The worker types ``text`` without replying; return the group post and the confirmation."""
    calls = await harness.feed(message(text, **extra))
    [post] = _to(calls, GROUP_ID)
    [confirmation] = _to(calls, WORKER_ID)
    return post, confirmation


async def _age_questions(db: Database, hours: float) -> None:
    """Make the volunteers' messages to the worker ``hours`` old."""
    async with db.session() as session:
        rows = await session.exec(
            select(LegalMessage).where(LegalMessage.direction == "volunteer")
        )
        for row in rows.all():
            row.at = utcnow() - timedelta(hours=hours)
            session.add(row)
        await session.commit()


async def test_plain_text_after_a_volunteers_question_goes_to_the_case(legal: Harness) -> None:
    case = await _claimed(legal)
    await _relayed_question(legal, case)

    post, confirmation = await _answered(legal)

    assert post.params["message_thread_id"] == case.thread_id
    assert post.text == t("zh", "lc-from-worker", number="L0001") + "\n" + ANSWER
    assert confirmation.text == t("zh", "lw-delivered", number="L0001")
    [undo] = confirmation.buttons[0]
    assert undo["text"] == t("zh", "lw-btn-not-for-lawyer") == "↩️ 不是给律师的"
    assert undo["callback_data"].startswith("lw:u:")
    rows = await _rows(legal.db, LegalMessage, col(LegalMessage.text) == ANSWER)
    assert sorted((r.chat_id, r.direction) for r in rows) == [
        (GROUP_ID, "bot"),
        (WORKER_ID, "worker"),
    ]


async def test_an_english_worker_gets_the_confirmation_and_undo_in_english(
    legal: Harness,
) -> None:
    case = await _claimed(legal, lang="en")
    await legal.feed(message("/start", lang="en"))
    await _relayed_question(legal, case)

    _post, confirmation = await _answered(legal, "Yes, I have the chat records", lang="en")

    assert confirmation.text == t("en", "lw-delivered", number="L0001")
    assert [b["text"] for row in confirmation.buttons for b in row] == ["↩️ Not for the lawyer"]


async def test_plain_text_long_after_the_question_is_read_as_a_new_message(
    legal: Harness,
) -> None:
    case = await _claimed(legal)
    await _relayed_question(legal, case)
    await _age_questions(legal.db, hours=49)

    calls = await legal.feed(message(ANSWER))

    assert _to(calls, GROUP_ID) == []
    assert await _rows(legal.db, LegalMessage, col(LegalMessage.text) == ANSWER) == []


async def test_plain_text_is_not_taken_without_a_volunteers_question(legal: Harness) -> None:
    await _claimed(legal)

    calls = await legal.feed(message(ANSWER))

    assert _to(calls, GROUP_ID) == []


async def test_plain_text_is_not_taken_for_a_closed_case(legal: Harness) -> None:
    case = await _claimed(legal)
    await _relayed_question(legal, case)
    await legal.feed(_press_in_group(f"lc:y:{case.id}:0", thread=case.thread_id))

    calls = await legal.feed(message(ANSWER))

    assert _to(calls, GROUP_ID) == []
    assert t("zh", "lw-case-closed", number="L0001") not in [c.text for c in calls]


@pytest.mark.parametrize("key", ["btn-station", "btn-menu", "btn-jobs"])
async def test_a_menu_button_label_is_never_taken(legal: Harness, key: str) -> None:
    case = await _claimed(legal)
    await _relayed_question(legal, case)

    calls = await legal.feed(message(t("zh", key)))

    assert _to(calls, GROUP_ID) == []


async def test_a_command_is_never_taken(legal: Harness) -> None:
    case = await _claimed(legal)
    await _relayed_question(legal, case)

    calls = await legal.feed(message("/my_cases"))

    assert _to(calls, GROUP_ID) == []
    assert t("zh", "lw-my-header") in _to(calls, WORKER_ID)[0].text


async def test_text_in_another_flow_is_not_taken(legal: Harness) -> None:
    case = await _claimed(legal)
    await _relayed_question(legal, case)
    await legal.feed(callback(f"lw:a:{case.id}"))  # the worker chose to add to the case
    await legal.feed(message("第一条补充"))
    await legal.feed(callback("li:new"))  # and now opens a new case

    calls = await legal.feed(message(ANSWER))

    assert _to(calls, GROUP_ID) == []


async def test_the_latest_question_decides_which_case_gets_the_text(legal: Harness) -> None:
    first = await _claimed(legal)
    second = await _announce(legal, await make_case(legal.db, category="contract"))
    await legal.feed(
        _press_in_group(f"lc:k:{second.id}", user_id=LAWYER2_ID, thread=second.thread_id)
    )
    await _relayed_question(legal, first)
    await legal.feed(
        _in_group("合同上写的是哪家公司？", user_id=LAWYER2_ID, thread=second.thread_id)
    )

    post, confirmation = await _answered(legal, "写的是劳务公司")

    assert post.params["message_thread_id"] == second.thread_id
    assert confirmation.text == t("zh", "lw-delivered", number="L0002")


async def _undo(harness: Harness, confirmation: Call, **extra: Any) -> list[Call]:
    [data] = confirmation.callback_data
    return await harness.feed(
        callback(data, message_id=int(confirmation.result["message_id"]), **extra)
    )


async def test_not_for_the_lawyer_takes_the_text_back_and_answers_it_anew(legal: Harness) -> None:
    case = await _claimed(legal)
    await _relayed_question(legal, case)
    post, confirmation = await _answered(legal, "加班费怎么算")

    calls = await _undo(legal, confirmation)

    [deleted] = [c for c in calls if c.method == "deleteMessage"]
    assert _chat(deleted) == GROUP_ID
    assert int(deleted.params["message_id"]) == int(post.result["message_id"])
    assert await _rows(legal.db, LegalMessage, col(LegalMessage.text) == "加班费怎么算") == []
    [retract] = await _audits(legal.db, "legal.case.retract")
    assert (retract.actor_id, retract.subject) == (WORKER_ID, f"case:{case.id}")
    [edited] = [c for c in calls if c.method == "editMessageText"]
    assert edited.text == t("zh", "lw-retracted", number="L0001")
    [answer] = _to(calls, WORKER_ID)
    assert t("zh", "lg-disclaimer") in answer.text  # the FAQ answers it as a new question
    assert (await _load(legal.db, case.id)).status == CaseStatus.claimed  # type: ignore[arg-type]


async def test_when_telegram_refuses_to_delete_the_copy_a_note_says_it_was_taken_back(
    legal: Harness,
) -> None:
    case = await _claimed(legal)
    await _relayed_question(legal, case)
    post, confirmation = await _answered(legal)
    legal.api.fail_next("deleteMessage", 400, "Bad Request: message can't be deleted")

    calls = await _undo(legal, confirmation)

    [note] = _to(calls, GROUP_ID)
    assert note.text == t("zh", "lc-note-retracted")
    assert note.params["message_thread_id"] == case.thread_id
    assert _reply_target(note) == int(post.result["message_id"])
    assert await _rows(legal.db, LegalMessage, col(LegalMessage.text) == ANSWER) == []


async def test_the_undo_button_works_once(legal: Harness) -> None:
    case = await _claimed(legal)
    await _relayed_question(legal, case)
    _post, confirmation = await _answered(legal)
    await _undo(legal, confirmation)

    calls = await _undo(legal, confirmation)

    assert _popup(calls) == t("zh", "button-stale")
    assert [c for c in calls if c.method == "deleteMessage"] == []
    assert len(await _audits(legal.db, "legal.case.retract")) == 1


async def test_only_the_worker_can_take_their_text_back(legal: Harness) -> None:
    case = await _claimed(legal)
    await _relayed_question(legal, case)
    _post, confirmation = await _answered(legal)

    calls = await _undo(legal, confirmation, user_id=OTHER_WORKER_ID)

    assert _popup(calls) == t("zh", "button-stale")
    assert len(await _rows(legal.db, LegalMessage, col(LegalMessage.text) == ANSWER)) == 2


async def test_without_a_group_the_claimers_copy_is_taken_back_or_noted_privately(
    legal: Harness,
) -> None:
    _without_group(legal)
    case = await _announce(legal, await make_case(legal.db))
    await legal.feed(callback(f"lc:k:{case.id}", user_id=LAWYER_ID))
    await legal.feed(callback(f"lc:q:{case.id}", user_id=LAWYER_ID))
    await legal.feed(message("有证据吗？", user_id=LAWYER_ID))
    calls = await legal.feed(message(ANSWER))
    [copy] = _to(calls, LAWYER_ID)
    [confirmation] = _to(calls, WORKER_ID)
    legal.api.fail_next("deleteMessage", 400, "Bad Request: message to delete not found")

    calls = await _undo(legal, confirmation)

    [deleted] = [c for c in calls if c.method == "deleteMessage"]
    assert _chat(deleted) == LAWYER_ID
    [note] = _to(calls, LAWYER_ID)
    assert note.text == t("zh", "lc-note-retracted")
    assert _reply_target(note) == int(copy.result["message_id"])


async def test_a_forged_undo_cannot_delete_another_post_of_the_case(legal: Harness) -> None:
    case = await _claimed(legal)
    await _relayed_question(legal, case)
    _post, confirmation = await _answered(legal)
    [data] = confirmation.callback_data
    worker_row = data.split(":")[2]
    [summary] = await _rows(
        legal.db, LegalMessage, col(LegalMessage.case_id) == case.id, col(LegalMessage.id) == 1
    )

    calls = await legal.feed(callback(f"lw:u:{worker_row}:{summary.id}"))

    assert _popup(calls) == t("zh", "button-stale")
    assert [c for c in calls if c.method == "deleteMessage"] == []
    assert len(await _rows(legal.db, LegalMessage, col(LegalMessage.text) == ANSWER)) == 2


# --- who may do what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "verb", ["l", "v:{id}", "k:{id}", "r:{id}", "q:{id}", "c:{id}", "e:{id}", "n:{id}", "o:{id}:0"]
)
async def test_a_worker_pressing_a_volunteer_button_is_refused(legal: Harness, verb: str) -> None:
    case = await make_case(legal.db, evidence=1)

    calls = await legal.feed(callback("lc:" + verb.format(id=case.id)))

    assert _popup(calls) == t("zh", "role-refused")
    assert _to(calls, WORKER_ID) == []
    unchanged = await _load(legal.db, case.id)  # type: ignore[arg-type]
    assert unchanged.status == CaseStatus.open


@pytest.mark.parametrize("command", ["/cases", "/case 1"])
async def test_a_worker_typing_a_volunteer_command_is_refused(
    legal: Harness, command: str
) -> None:
    await make_case(legal.db)

    assert await legal.texts(message(command)) == [t("zh", "role-refused")]


async def test_a_group_member_without_the_role_cannot_claim(legal: Harness) -> None:
    case = await _announce(legal, await make_case(legal.db))

    calls = await legal.feed(
        _press_in_group(f"lc:k:{case.id}", user_id=STRANGER_ID, thread=case.thread_id)
    )

    assert _popup(calls) == t("zh", "role-refused")
    assert (await _load(legal.db, case.id)).status == CaseStatus.open  # type: ignore[arg-type]


async def test_a_group_member_without_the_role_cannot_list_cases(legal: Harness) -> None:
    texts = await legal.texts(_in_group("/cases", user_id=STRANGER_ID))

    assert texts == [t("zh", "role-refused")]


async def test_a_volunteer_who_left_the_group_is_refused_in_private(legal: Harness) -> None:
    legal.api.members[(GROUP_ID, LAWYER_ID)] = "left"
    case = await make_case(legal.db)

    texts = await legal.texts(message("/cases", user_id=LAWYER_ID))
    calls = await legal.feed(callback(f"lc:k:{case.id}", user_id=LAWYER_ID))

    assert texts == [t("zh", "lc-not-member")]
    assert _popup(calls) == t("zh", "lc-not-member")
    assert (await _load(legal.db, case.id)).status == CaseStatus.open  # type: ignore[arg-type]


async def test_a_volunteer_telegram_does_not_know_in_the_group_cannot_view_a_case(
    legal: Harness,
) -> None:
    legal.api.fail_next("getChatMember", 400, "Bad Request: user not found")
    case = await make_case(legal.db)

    texts = await legal.texts(message(f"/case {case.id}", user_id=LAWYER_ID))

    assert texts == [t("zh", "lc-not-member")]
    assert await _audits(legal.db, "legal.case.view") == []


async def test_a_volunteer_in_the_group_may_claim_from_a_private_chat(legal: Harness) -> None:
    case = await _announce(legal, await make_case(legal.db))

    calls = await legal.feed(callback(f"lc:k:{case.id}", user_id=LAWYER_ID))

    assert [c for c in calls if c.method == "getChatMember"] != []
    assert (await _load(legal.db, case.id)).claimed_by == LAWYER_ID  # type: ignore[arg-type]


async def test_staff_may_view_a_case_but_not_claim_it(legal: Harness) -> None:
    case = await make_case(legal.db)

    texts = await legal.texts(message(f"/case {case.id}", user_id=STAFF_ID))
    calls = await legal.feed(callback(f"lc:k:{case.id}", user_id=STAFF_ID))

    assert "L0001" in texts[0]
    assert _popup(calls) == t("zh", "role-refused")
    assert (await _load(legal.db, case.id)).status == CaseStatus.open  # type: ignore[arg-type]


async def test_staff_see_no_action_buttons_on_a_case(legal: Harness) -> None:
    case = await make_case(legal.db, evidence=1)

    calls = await legal.feed(message(f"/case {case.id}", user_id=STAFF_ID))

    [view] = _to(calls, STAFF_ID)
    assert view.callback_data == [f"lc:e:{case.id}", "lc:l"]


async def test_an_admin_may_close_a_case_someone_else_claimed(legal: Harness) -> None:
    case = await _claimed(legal)

    await legal.feed(callback(f"lc:y:{case.id}:2", user_id=ADMIN_ID))

    closed = await _load(legal.db, case.id)  # type: ignore[arg-type]
    assert closed.status == CaseStatus.closed
    assert closed.outcome == "legal_aid"


# --- views, lists, audit ----------------------------------------------------------------------


async def test_every_view_of_a_case_is_written_to_the_audit_log(legal: Harness) -> None:
    case = await make_case(legal.db)

    await legal.feed(message(f"/case L{case.id:04d}", user_id=LAWYER_ID))
    await legal.feed(callback(f"lc:v:{case.id}", user_id=STAFF_ID))

    records = await _audits(legal.db, "legal.case.view")
    assert [(r.actor_id, r.subject) for r in records] == [
        (LAWYER_ID, f"case:{case.id}"),
        (STAFF_ID, f"case:{case.id}"),
    ]


async def test_a_case_view_shows_the_summary_status_and_the_workers_additions(
    legal: Harness,
) -> None:
    case = await _claimed(legal)
    await legal.feed(callback(f"lw:a:{case.id}"))
    await legal.feed(message("我还有考勤记录"))

    [view] = _to(await legal.feed(message(f"/case {case.id}", user_id=LAWYER_ID)), LAWYER_ID)

    assert "郑州某建筑劳务公司" in view.text
    assert t("zh", "lc-view-claimer-you") in view.text
    assert "我还有考勤记录" in view.text
    assert f"lc:r:{case.id}" in view.callback_data
    assert f"ld:n:{case.id}" in view.callback_data


async def test_viewing_the_evidence_sends_the_files_and_is_audited(legal: Harness) -> None:
    case = await make_case(legal.db, evidence=2)

    calls = await legal.feed(callback(f"lc:e:{case.id}", user_id=LAWYER_ID))

    assert len(_to(calls, LAWYER_ID, "sendPhoto")) == 2
    [record] = await _audits(legal.db, "legal.evidence.view")
    assert record.actor_id == LAWYER_ID


async def test_a_view_in_the_group_goes_into_the_topic_it_was_asked_in(legal: Harness) -> None:
    case = await _announce(legal, await make_case(legal.db))

    calls = await legal.feed(_in_group(f"/case {case.id}", thread=case.thread_id))

    [view] = _to(calls, GROUP_ID)
    assert view.params["message_thread_id"] == case.thread_id
    assert "L0001" in view.text


async def test_an_unknown_case_number_is_said_so(legal: Harness) -> None:
    texts = await legal.texts(message("/case 42", user_id=LAWYER_ID))

    assert texts == [t("zh", "lc-case-unknown", ref="L0042")]


async def test_case_without_a_number_explains_the_usage(legal: Harness) -> None:
    texts = await legal.texts(message("/case", user_id=LAWYER_ID))

    assert texts == [t("zh", "lc-case-usage")]


async def test_the_case_list_puts_urgent_cases_first_then_the_oldest(legal: Harness) -> None:
    now = utcnow()
    old = await make_case(legal.db, created_at=now - timedelta(hours=5))
    new = await make_case(legal.db, created_at=now - timedelta(hours=1))
    urgent = await make_case(legal.db, created_at=now - timedelta(minutes=10), urgent=True)
    await make_case(legal.db, status=CaseStatus.closed)

    [listing] = _to(await legal.feed(message("/cases", user_id=LAWYER_ID)), LAWYER_ID)

    assert listing.callback_data == [f"lc:v:{c.id}" for c in (urgent, old, new)]
    assert "5 小时" in listing.text


async def test_the_case_list_marks_the_viewers_own_cases(legal: Harness) -> None:
    await _claimed(legal)

    [listing] = _to(await legal.feed(message("/cases", user_id=LAWYER_ID)), LAWYER_ID)

    assert t("zh", "lc-list-you") in listing.text


async def test_an_empty_case_list_says_so(legal: Harness) -> None:
    assert await legal.texts(message("/cases", user_id=LAWYER_ID)) == [t("zh", "lc-list-empty")]


# --- the worker's cases -----------------------------------------------------------------------


async def test_my_cases_lists_the_workers_cases_with_buttons_for_open_ones(
    legal: Harness,
) -> None:
    open_case = await make_case(legal.db)
    closed = await make_case(legal.db, status=CaseStatus.closed, category="injury")
    await make_case(legal.db, user_id=OTHER_WORKER_ID)

    [listing] = _to(await legal.feed(message("/my_cases")), WORKER_ID)

    assert f"L{open_case.id:04d}" in listing.text
    assert f"L{closed.id:04d}" in listing.text
    assert "L0003" not in listing.text
    assert listing.callback_data == [f"lw:a:{open_case.id}", f"lw:w:{open_case.id}"]


async def test_my_cases_without_cases_points_to_legal_help(legal: Harness) -> None:
    assert await legal.texts(message("/my_cases")) == [t("zh", "lw-my-none")]


async def test_withdrawing_asks_first(legal: Harness) -> None:
    case = await make_case(legal.db)

    calls = await legal.feed(callback(f"lw:w:{case.id}"))

    [ask] = _to(calls, WORKER_ID)
    assert ask.callback_data == [f"lw:wy:{case.id}", f"lw:wn:{case.id}"]
    assert (await _load(legal.db, case.id)).status == CaseStatus.open  # type: ignore[arg-type]


async def test_a_withdrawn_case_is_closed_and_the_topic_is_told(legal: Harness) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(callback(f"lw:wy:{case.id}"))

    closed = await _load(legal.db, case.id)  # type: ignore[arg-type]
    assert closed.status == CaseStatus.closed
    assert closed.outcome == "withdrawn"
    [note] = _to(calls, GROUP_ID)
    assert note.text == t("zh", "lc-note-withdrawn")
    assert [c for c in calls if c.method == "closeForumTopic"] != []


@pytest.mark.parametrize("verb", ["a", "r", "w", "wy"])
async def test_another_worker_cannot_act_on_a_case(legal: Harness, verb: str) -> None:
    case = await make_case(legal.db)

    calls = await legal.feed(callback(f"lw:{verb}:{case.id}", user_id=OTHER_WORKER_ID))

    assert _popup(calls) == t("zh", "button-stale")
    assert await _flow(legal.db, OTHER_WORKER_ID) is None
    assert (await _load(legal.db, case.id)).status == CaseStatus.open  # type: ignore[arg-type]


async def test_adding_to_a_closed_case_is_refused(legal: Harness) -> None:
    case = await make_case(legal.db, status=CaseStatus.closed)

    calls = await legal.feed(callback(f"lw:a:{case.id}"))

    assert _popup(calls) == t("zh", "lw-case-closed", number="L0001")
    assert await _flow(legal.db, WORKER_ID) is None


async def test_the_worker_rates_a_closed_case(legal: Harness) -> None:
    case = await make_case(legal.db, status=CaseStatus.closed, outcome="answered")

    texts = await legal.texts(callback(f"lw:s:{case.id}:4"))

    assert texts == [t("zh", "lw-rated", rating=4)]
    assert (await _load(legal.db, case.id)).rating == 4  # type: ignore[arg-type]


async def test_a_case_is_rated_only_once(legal: Harness) -> None:
    case = await make_case(legal.db, status=CaseStatus.closed, outcome="answered")
    await legal.feed(callback(f"lw:s:{case.id}:4"))

    calls = await legal.feed(callback(f"lw:s:{case.id}:1"))

    assert _popup(calls) == t("zh", "lw-already-rated")
    assert (await _load(legal.db, case.id)).rating == 4  # type: ignore[arg-type]


async def test_only_the_cases_worker_may_rate_it(legal: Harness) -> None:
    case = await make_case(legal.db, status=CaseStatus.closed, outcome="answered")

    calls = await legal.feed(callback(f"lw:s:{case.id}:5", user_id=OTHER_WORKER_ID))

    assert _popup(calls) == t("zh", "button-stale")
    assert (await _load(legal.db, case.id)).rating is None  # type: ignore[arg-type]


async def test_an_open_case_cannot_be_rated(legal: Harness) -> None:
    case = await make_case(legal.db)

    calls = await legal.feed(callback(f"lw:s:{case.id}:5"))

    assert _popup(calls) == t("zh", "button-stale")
    assert (await _load(legal.db, case.id)).rating is None  # type: ignore[arg-type]


async def test_a_rating_outside_one_to_five_is_stale(legal: Harness) -> None:
    case = await make_case(legal.db, status=CaseStatus.closed, outcome="answered")

    calls = await legal.feed(callback(f"lw:s:{case.id}:9"))

    assert _popup(calls) == t("zh", "button-stale")


# --- follow-up --------------------------------------------------------------------------------


async def _waiting(harness: Harness, **fields: Any) -> LegalCase:
    """An open case announced at T0 in topic 77."""
    return await make_case(
        harness.db, created_at=T0, announced_at=T0, chat_id=GROUP_ID, thread_id=77, **fields
    )


async def _follow(harness: Harness, after: timedelta) -> tuple[Any, list[Call]]:
    before = len(harness.api.calls)
    done = await follow_up(_notifier(harness), harness.db, _settings(harness), now=T0 + after)
    return done, harness.api.calls[before:]


async def test_no_reminder_before_the_reannounce_time(legal: Harness) -> None:
    await _waiting(legal)

    done, calls = await _follow(legal, timedelta(hours=3, minutes=59))

    assert done.reannounced == 0
    assert calls == []


async def test_an_unclaimed_case_is_reannounced_in_its_topic_after_four_hours(
    legal: Harness,
) -> None:
    case = await _waiting(legal)

    done, calls = await _follow(legal, timedelta(hours=4))

    [reminder] = _to(calls, GROUP_ID)
    assert reminder.params["message_thread_id"] == 77
    assert "L0001" in reminder.text
    assert f"lc:k:{case.id}" in reminder.callback_data
    again = await _load(legal.db, case.id)  # type: ignore[arg-type]
    assert done.reannounced == 1
    assert again.reannounced == 1
    assert again.announced_at == T0 + timedelta(hours=4)


async def test_the_second_reminder_comes_four_hours_after_the_first(legal: Harness) -> None:
    case = await _waiting(legal)
    await _follow(legal, timedelta(hours=4))

    early, _ = await _follow(legal, timedelta(hours=7, minutes=59))
    due, _ = await _follow(legal, timedelta(hours=8))

    assert early.reannounced == 0
    assert due.reannounced == 1
    assert (await _load(legal.db, case.id)).reannounced == 2  # type: ignore[arg-type]


async def test_an_urgent_reminder_is_marked(legal: Harness) -> None:
    await _waiting(legal, urgent=True)

    _, calls = await _follow(legal, timedelta(hours=4))

    [reminder] = _to(calls, GROUP_ID)
    assert reminder.text.startswith("⏰🔴")


async def test_a_claimed_case_gets_no_reminder(legal: Harness) -> None:
    await _waiting(legal, status=CaseStatus.claimed, claimed_by=LAWYER_ID)

    done, calls = await _follow(legal, timedelta(hours=30))

    assert (done.reannounced, done.escalated) == (0, 0)
    assert calls == []


async def test_an_unclaimed_case_is_escalated_to_staff_once_after_a_day(legal: Harness) -> None:
    case = await _waiting(legal)

    early, _ = await _follow(legal, timedelta(hours=23, minutes=59))
    due, calls = await _follow(legal, timedelta(hours=24))
    later, again = await _follow(legal, timedelta(hours=24, minutes=10))

    assert early.escalated == 0
    assert due.escalated == 1
    assert later.escalated == 0
    [told] = _to(calls, STAFF_ID)
    assert told.callback_data == [f"lc:v:{case.id}"]
    assert _to(again, STAFF_ID) == []
    escalated = await _load(legal.db, case.id)  # type: ignore[arg-type]
    assert escalated.escalated_at == T0 + timedelta(hours=24)


async def test_the_escalation_carries_no_personal_data(legal: Harness) -> None:
    await _waiting(legal, phone="13800000000", display_name="王小明")

    _, calls = await _follow(legal, timedelta(hours=24))

    [told] = _to(calls, STAFF_ID)
    assert "L0001" in told.text
    assert "拖欠工资" in told.text
    for private in ("郑州某建筑劳务公司", "13800000000", "王小明", "老板拖欠"):
        assert private not in told.text


async def test_without_a_group_waiting_cases_are_still_escalated(legal: Harness) -> None:
    _without_group(legal)
    await make_case(legal.db, created_at=T0, announced_at=T0)

    done, calls = await _follow(legal, timedelta(hours=24))

    assert (done.reannounced, done.escalated) == (0, 1)
    assert len(_to(calls, STAFF_ID)) == 1


async def test_the_follow_up_is_configurable(legal: Harness) -> None:
    services = legal.app.bot_data["services"]
    services.settings = services.settings.model_copy(update={"legal_reannounce_hours": 1.0})
    await _waiting(legal)

    done, _ = await _follow(legal, timedelta(hours=1))

    assert done.reannounced == 1


# --- /forget ----------------------------------------------------------------------------------


async def test_forget_anonymises_the_workers_cases_and_keeps_the_statistics(
    legal: Harness,
) -> None:
    case = await _claimed(legal, evidence=1, phone="13800000000", display_name="王小明")
    await _relayed_question(legal, case)
    async with legal.db.session() as session:
        session.add(LegalConsultation(user_id=WORKER_ID, entry_id="wages.arrears", score=90.0))
        await session.commit()
    await legal.feed(message("/forget"))

    texts = await legal.texts(callback("forget:yes"))

    assert t("zh", "forget-item-legal") in texts[0]
    kept = await _load(legal.db, case.id)  # type: ignore[arg-type]
    assert kept.user_id is None
    personal = (kept.employer, kept.place, kept.description, kept.phone, kept.display_name)
    assert personal == ("", "", "", "", "")
    assert (kept.category, kept.created_at, kept.claimed_at) == (
        case.category,
        case.created_at,
        case.claimed_at,
    )
    assert kept.status == CaseStatus.closed
    assert kept.outcome == "withdrawn"
    assert await _rows(legal.db, LegalEvidence, col(LegalEvidence.case_id) == case.id) == []
    assert await _rows(legal.db, LegalMessage, col(LegalMessage.case_id) == case.id) == []
    [consultation] = await _rows(legal.db, LegalConsultation)
    assert consultation.user_id is None


async def test_forget_keeps_the_outcome_of_a_closed_case(legal: Harness) -> None:
    case = await make_case(legal.db, status=CaseStatus.closed, outcome="mediation", rating=5)
    await legal.feed(message("/forget"))

    await legal.feed(callback("forget:yes"))

    kept = await _load(legal.db, case.id)  # type: ignore[arg-type]
    assert (kept.outcome, kept.rating, kept.user_id) == ("mediation", 5, None)


async def test_a_volunteer_cannot_reach_a_worker_who_was_forgotten(legal: Harness) -> None:
    case = await _claimed(legal)
    await legal.feed(message("/forget"))
    await legal.feed(callback("forget:yes"))

    calls = await legal.feed(_in_group("还在吗？", thread=case.thread_id))

    assert _to(calls, WORKER_ID) == []


# --- staff may look but not act; a volunteer who leaves hands over ------------------------------


@pytest.mark.parametrize("verb", ["r", "u"])
async def test_staff_cannot_release_a_case_a_volunteer_claimed(legal: Harness, verb: str) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(callback(f"lc:{verb}:{case.id}", user_id=STAFF_ID))

    assert _popup(calls) == t("zh", "role-refused")
    kept = await _load(legal.db, case.id)  # type: ignore[arg-type]
    assert (kept.status, kept.claimed_by) == (CaseStatus.claimed, LAWYER_ID)
    assert _to(calls, GROUP_ID) == []
    assert await _audits(legal.db, "legal.case.release") == []


async def test_an_admin_cannot_release_a_case_someone_else_claimed(legal: Harness) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(callback(f"lc:u:{case.id}", user_id=ADMIN_ID))

    assert _popup(calls) == t("zh", "lc-release-not-yours")
    assert (await _load(legal.db, case.id)).claimed_by == LAWYER_ID  # type: ignore[arg-type]
    assert await _audits(legal.db, "legal.case.release") == []


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_volunteer_asking_to_be_forgotten_is_shown_their_roles_and_claimed_cases(
    legal: Harness, lang: str
) -> None:
    case = await _claimed(legal)
    async with legal.db.session() as session:
        await set_language(session, user_id=LAWYER_ID, language=lang)

    calls = await legal.feed(message("/forget", user_id=LAWYER_ID))

    [ask] = _to(calls, LAWYER_ID)
    assert t(lang, "forget-ask-roles", roles=t(lang, "role-name-volunteer_legal")) in ask.text
    assert t(lang, "forget-ask-cases", count=1, cases="L0001") in ask.text
    assert ask.text.endswith(t(lang, "forget-ask"))
    assert (await _load(legal.db, case.id)).claimed_by == LAWYER_ID  # type: ignore[arg-type]


async def test_a_volunteer_who_forgets_hands_their_claimed_cases_back_to_the_queue(
    legal: Harness,
) -> None:
    case = await _claimed(legal)
    await legal.feed(message("/forget", user_id=LAWYER_ID))

    calls = await legal.feed(callback("forget:yes", user_id=LAWYER_ID))

    released = await _load(legal.db, case.id)  # type: ignore[arg-type]
    assert (released.status, released.claimed_by) == (CaseStatus.open, None)
    [note] = _to(calls, GROUP_ID)
    assert note.text == t("zh", "lc-note-released-left")
    assert note.params["message_thread_id"] == case.thread_id
    assert f"lc:k:{case.id}" in note.callback_data
    [done] = _to(calls, LAWYER_ID)
    assert t("zh", "forget-item-cases", cases="L0001") in done.text
    assert t("zh", "forget-item-roles") in done.text
    [release] = await _audits(legal.db, "legal.case.release")
    assert release.actor_id is None
    assert release.subject == f"case:{case.id}"
    [revoked] = await _audits(legal.db, "role.revoke")
    assert revoked.detail["role"] == "volunteer_legal"
    # another volunteer takes it up
    await legal.feed(_press_in_group(f"lc:k:{case.id}", user_id=LAWYER2_ID, thread=case.thread_id))
    assert (await _load(legal.db, case.id)).claimed_by == LAWYER2_ID  # type: ignore[arg-type]


async def test_taking_the_legal_role_away_hands_the_claimed_cases_back_to_the_queue(
    legal: Harness,
) -> None:
    case = await _claimed(legal)

    calls = await legal.feed(
        message(f"/role remove {LAWYER_ID} volunteer_legal", user_id=ADMIN_ID)
    )

    released = await _load(legal.db, case.id)  # type: ignore[arg-type]
    assert (released.status, released.claimed_by) == (CaseStatus.open, None)
    [note] = _to(calls, GROUP_ID)
    assert note.text == t("zh", "lc-note-released-role")
    assert note.params["message_thread_id"] == case.thread_id
    assert f"lc:k:{case.id}" in note.callback_data
    texts = [call.text for call in _to(calls, ADMIN_ID)]
    assert texts == [
        t("zh", "role-remove-done", user=str(LAWYER_ID), role="volunteer_legal"),
        t("zh", "role-remove-cases", cases="L0001"),
    ]
    assert len(await _audits(legal.db, "legal.case.release")) == 1


async def test_a_claimer_who_keeps_a_role_that_may_answer_keeps_their_cases(
    legal: Harness,
) -> None:
    case = await _claimed(legal)
    async with legal.db.session() as session:
        await grant_role(session, actor_id=None, user_id=LAWYER_ID, role=Role.admin)

    calls = await legal.feed(
        message(f"/role remove {LAWYER_ID} volunteer_legal", user_id=ADMIN_ID)
    )

    kept = await _load(legal.db, case.id)  # type: ignore[arg-type]
    assert (kept.status, kept.claimed_by) == (CaseStatus.claimed, LAWYER_ID)
    assert _to(calls, GROUP_ID) == []
    assert await _audits(legal.db, "legal.case.release") == []
