"""Volunteer matchmakers: the review queue, the reports queue, introductions and their answers."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from bot.config import Settings
from bot.core.models import AuditLog, FlowState, Role, utcnow
from bot.core.users import grant_role
from bot.db import Database
from bot.i18n import t
from bot.localapi import Call
from bot.match.core import REASON_LIMIT, REVIEW_FLOW
from bot.match.models import MatchDecision, MatchIntro, MatchPair, MatchProfile, MatchReport
from handlers.match.review import announce_pending
from tests.conftest import Harness
from tests.factories import ADMIN_ID, WORKER_ID, callback, message
from tests.match_factories import make_profile

MATCHMAKER_ID = 555_001
OTHER_MATCHMAKER_ID = 555_002
LAWYER_ID = 444_444
MEMBER_A = 600_001
MEMBER_B = 600_002
MEMBER_C = 600_003
VOLUNTEERS_CHAT = -100_777
GROUP = {"id": -100_500, "type": "supergroup", "title": "志愿者群"}
#: A Monday 10:00 in Zhengzhou, 23:00 the same day (quiet hours) and 07:00 next morning.
DAY = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
NIGHT = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
MORNING = datetime(2025, 3, 3, 23, 0, tzinfo=UTC)


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The shared test settings, with room for many presses in a second."""
    return Settings(
        bot_token="123456:TEST-token",  # type: ignore[arg-type]
        database_url=database_url,
        outbound_rate_limit=False,
        admin_ids=[ADMIN_ID],
        default_language="zh",
        flood_limit="100 per 1 second",
        quiet_hours="22:00-07:00",
        _env_file=None,  # type: ignore[call-arg]
    )


class Clock:
    """The time the matchmakers' handlers read; daytime unless a test moves it."""

    def __init__(self, now: datetime = DAY) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Decisions are made at 10:00 unless a test sets the clock to the night."""
    moment = Clock()
    monkeypatch.setattr("handlers.match.review.utcnow", moment)
    return moment


@pytest.fixture(autouse=True)
async def people(db: Database) -> None:
    """Two volunteer matchmakers and a volunteer lawyer."""
    async with db.session() as session:
        for user_id, role in (
            (MATCHMAKER_ID, Role.volunteer_match),
            (OTHER_MATCHMAKER_ID, Role.volunteer_match),
            (LAWYER_ID, Role.volunteer_legal),
        ):
            await grant_role(session, actor_id=None, user_id=user_id, role=role)


# --- helpers ------------------------------------------------------------------------------------


async def _say(harness: Harness, text: str, user_id: int = MATCHMAKER_ID) -> list[Call]:
    return await harness.feed(message(text, user_id=user_id))


async def _press(
    harness: Harness, data: str, user_id: int = MATCHMAKER_ID, *, shown_ago: int = 0
) -> list[Call]:
    payload = callback(data, user_id=user_id)
    payload["callback_query"]["message"]["date"] = int(time.time()) - shown_ago
    return await harness.feed(payload)


def _sent(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method in ("sendMessage", "sendPhoto", "editMessageText")]


def _sent_to(calls: list[Call], chat_id: int) -> list[Call]:
    return [c for c in _sent(calls) if int(c.params["chat_id"]) == chat_id]


def _popup(calls: list[Call]) -> str:
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answers, [c.method for c in calls]
    return str(answers[-1].params.get("text") or "")


async def _pending(db: Database, user_id: int, **fields: Any) -> int:
    profile = await make_profile(db, user_id, status="pending", **fields)
    assert profile.id is not None
    return profile.id


async def _approved(db: Database, user_id: int, **fields: Any) -> int:
    profile = await make_profile(db, user_id, **fields)
    assert profile.id is not None
    return profile.id


async def _get(db: Database, profile_id: int) -> MatchProfile:
    async with db.session() as session:
        profile = await session.get(MatchProfile, profile_id)
        assert profile is not None
        return profile


async def _audits(db: Database, action: str) -> list[AuditLog]:
    async with db.session() as session:
        rows = await session.exec(
            select(AuditLog).where(col(AuditLog.action) == action).order_by(col(AuditLog.id))
        )
        return list(rows.all())


async def _flow(db: Database, user_id: int) -> FlowState | None:
    async with db.session() as session:
        return await session.get(FlowState, user_id)


async def _report(db: Database, target_id: int, reporter_id: int | None, reason: str) -> None:
    async with db.session() as session:
        session.add(MatchReport(reporter_id=reporter_id, target_id=target_id, reason=reason))
        await session.commit()


async def _reports(db: Database, target_id: int) -> list[MatchReport]:
    async with db.session() as session:
        rows = await session.exec(
            select(MatchReport).where(col(MatchReport.target_id) == target_id)
        )
        return list(rows.all())


async def _intros(db: Database) -> list[MatchIntro]:
    async with db.session() as session:
        return list((await session.exec(select(MatchIntro).order_by(col(MatchIntro.id)))).all())


async def _pairs(db: Database) -> list[MatchPair]:
    async with db.session() as session:
        return list((await session.exec(select(MatchPair))).all())


# --- role checks --------------------------------------------------------------------------------


@pytest.mark.parametrize("user_id", [WORKER_ID, LAWYER_ID])
@pytest.mark.parametrize("text", ["/match review", "/match reports", "/match intro 1 2"])
async def test_matchmaker_commands_are_refused_to_workers_and_legal_volunteers(
    harness: Harness, db: Database, user_id: int, text: str
) -> None:
    first = await _pending(db, MEMBER_A)
    second = await _approved(db, MEMBER_B, gender="f", want_gender="m")

    calls = await harness.feed(message(text.replace("1 2", f"{first} {second}"), user_id=user_id))

    assert [c.text for c in _sent(calls)] == [t("zh", "role-refused")]
    assert await _audits(db, "match.review.view") == []
    assert await _intros(db) == []


@pytest.mark.parametrize("user_id", [WORKER_ID, LAWYER_ID])
@pytest.mark.parametrize("verb", ["a", "c", "r", "n", "k", "h"])
async def test_matchmaker_buttons_are_refused_to_workers_and_legal_volunteers(
    harness: Harness, db: Database, user_id: int, verb: str
) -> None:
    profile_id = await _pending(db, MEMBER_A, hidden=True)
    await _report(db, MEMBER_A, MEMBER_B, "fake")

    calls = await _press(harness, f"mr:{verb}:{profile_id}", user_id)

    assert _popup(calls) == t("zh", "role-refused")
    assert _sent(calls) == []
    profile = await _get(db, profile_id)
    assert (profile.status, profile.hidden, profile.reviewed_by) == ("pending", True, None)
    assert all(r.resolved_at is None for r in await _reports(db, MEMBER_A))
    assert await _flow(db, user_id) is None


async def test_a_forged_cancel_button_from_a_worker_is_refused(harness: Harness) -> None:
    calls = await _press(harness, "mr:x", WORKER_ID)

    assert _popup(calls) == t("zh", "role-refused")


async def test_an_admin_may_review(harness: Harness, db: Database) -> None:
    profile_id = await _pending(db, MEMBER_A)

    calls = await _say(harness, "/match review", ADMIN_ID)

    assert t("zh", "match-card-number", number=profile_id) in _sent(calls)[0].text


async def test_matchmaker_commands_in_a_group_are_refused_to_keep_profiles_private(
    harness: Harness, db: Database
) -> None:
    await _pending(db, MEMBER_A)

    calls = await harness.feed(message("/match review", user_id=MATCHMAKER_ID, chat=GROUP))

    assert [c.text for c in _sent(calls)] == [t("zh", "mr-private-only")]
    assert await _audits(db, "match.review.view") == []


async def test_an_unknown_matchmaker_word_gets_the_usage(harness: Harness) -> None:
    calls = await _say(harness, "/match review everything")

    assert [c.text for c in _sent(calls)] == [t("zh", "mr-usage")]


# --- the review queue ---------------------------------------------------------------------------


async def test_review_shows_the_oldest_pending_profile_with_its_number_and_buttons(
    harness: Harness, db: Database
) -> None:
    now = utcnow()
    newer = await _pending(db, MEMBER_A, updated_at=now - timedelta(hours=1))
    oldest = await _pending(db, MEMBER_B, gender="f", updated_at=now - timedelta(hours=5))

    calls = await _say(harness, "/match review")

    [card] = _sent(calls)
    assert t("zh", "match-card-number", number=oldest) in card.text
    assert t("zh", "match-card-number", number=newer) not in card.text
    assert "2" in card.text.splitlines()[0]  # how many wait
    assert t("zh", "mr-review-visibility", value=t("zh", "match-visibility-members")) in card.text
    assert card.callback_data == [f"mr:{v}:{oldest}" for v in ("a", "c", "r", "n")]


async def test_the_review_card_carries_no_name_and_no_telegram_identity(
    harness: Harness, db: Database
) -> None:
    await _pending(db, MEMBER_A, tg_name="王小明", tg_username="xiaoming88")

    calls = await _say(harness, "/match review")

    text = _sent(calls)[0].text
    assert "王小明" not in text
    assert "xiaoming88" not in text
    assert str(MEMBER_A) not in text


async def test_review_shows_only_pending_profiles(harness: Harness, db: Database) -> None:
    await _approved(db, MEMBER_A)
    await make_profile(db, MEMBER_B, status="changes")
    await make_profile(db, MEMBER_C, status="rejected")

    calls = await _say(harness, "/match review")

    assert [c.text for c in _sent(calls)] == [t("zh", "mr-review-empty")]


async def test_each_card_shown_is_written_to_the_audit_log(harness: Harness, db: Database) -> None:
    profile_id = await _pending(db, MEMBER_A)

    await _say(harness, "/match review")

    [view] = await _audits(db, "match.review.view")
    assert (view.actor_id, view.subject) == (MATCHMAKER_ID, f"profile:{profile_id}")


async def test_a_profile_with_a_photo_is_shown_on_its_photo(
    harness: Harness, db: Database
) -> None:
    profile_id = await _pending(db, MEMBER_A, photo_file_id="AgAC-photo")

    calls = await _say(harness, "/match review")

    [card] = _sent(calls)
    assert card.method == "sendPhoto"
    assert card.params["photo"] == "AgAC-photo"
    assert len(card.text) <= 1024
    assert f"mr:a:{profile_id}" in card.callback_data


async def test_next_shows_the_following_pending_profile_and_then_starts_over(
    harness: Harness, db: Database
) -> None:
    now = utcnow()
    first = await _pending(db, MEMBER_A, updated_at=now - timedelta(hours=2))
    second = await _pending(db, MEMBER_B, gender="f", updated_at=now - timedelta(hours=1))

    after_first = await _press(harness, f"mr:n:{first}")
    after_second = await _press(harness, f"mr:n:{second}")

    assert t("zh", "match-card-number", number=second) in _sent(after_first)[0].text
    assert t("zh", "match-card-number", number=first) in _sent(after_second)[0].text


async def test_approving_updates_the_profile_tells_the_member_and_shows_the_next(
    harness: Harness, db: Database
) -> None:
    now = utcnow()
    first = await _pending(db, MEMBER_A, updated_at=now - timedelta(hours=2))
    second = await _pending(db, MEMBER_B, gender="f", updated_at=now - timedelta(hours=1))

    calls = await _press(harness, f"mr:a:{first}")

    profile = await _get(db, first)
    assert profile.status == "approved"
    assert profile.reviewed_by == MATCHMAKER_ID
    assert profile.reviewed_at is not None
    assert profile.review_note == ""
    assert [c.text for c in _sent_to(calls, MEMBER_A)] == [t("zh", "mr-member-approved")]
    mine = [c.text for c in _sent_to(calls, MATCHMAKER_ID)]
    assert mine[0].startswith(t("zh", "mr-approved", number=str(first)))
    assert t("zh", "match-card-number", number=second) in mine[1]
    [audit] = await _audits(db, "match.review.approve")
    assert (audit.actor_id, audit.subject) == (MATCHMAKER_ID, f"profile:{first}")


async def test_approving_takes_the_buttons_off_the_card(harness: Harness, db: Database) -> None:
    profile_id = await _pending(db, MEMBER_A)

    calls = await _press(harness, f"mr:a:{profile_id}")

    assert any(c.method == "editMessageReplyMarkup" for c in calls)


async def test_a_double_press_on_approve_approves_once(harness: Harness, db: Database) -> None:
    profile_id = await _pending(db, MEMBER_A)
    await _press(harness, f"mr:a:{profile_id}")

    calls = await _press(harness, f"mr:a:{profile_id}")

    assert _popup(calls) == t("zh", "mr-already")
    assert _sent_to(calls, MEMBER_A) == []
    assert len(await _audits(db, "match.review.approve")) == 1


async def test_a_second_matchmaker_cannot_reject_what_the_first_approved(
    harness: Harness, db: Database
) -> None:
    profile_id = await _pending(db, MEMBER_A)
    await _press(harness, f"mr:a:{profile_id}", MATCHMAKER_ID)

    calls = await _press(harness, f"mr:r:{profile_id}", OTHER_MATCHMAKER_ID)

    assert _popup(calls) == t("zh", "mr-already")
    assert (await _get(db, profile_id)).status == "approved"
    assert await _flow(db, OTHER_MATCHMAKER_ID) is None


async def test_a_reason_typed_after_another_matchmaker_decided_changes_nothing(
    harness: Harness, db: Database
) -> None:
    profile_id = await _pending(db, MEMBER_A)
    await _press(harness, f"mr:r:{profile_id}", OTHER_MATCHMAKER_ID)
    await _press(harness, f"mr:a:{profile_id}", MATCHMAKER_ID)

    calls = await _say(harness, "照片不清楚", OTHER_MATCHMAKER_ID)

    assert t("zh", "mr-already") in [c.text for c in _sent(calls)]
    profile = await _get(db, profile_id)
    assert (profile.status, profile.review_note) == ("approved", "")
    assert await _flow(db, OTHER_MATCHMAKER_ID) is None
    assert await _audits(db, "match.review.reject") == []


async def test_asking_for_changes_takes_a_typed_reason_and_gives_the_member_an_edit_button(
    harness: Harness, db: Database
) -> None:
    profile_id = await _pending(db, MEMBER_A)

    asked = await _press(harness, f"mr:c:{profile_id}")
    calls = await _say(harness, "自我介绍再多写几句，说说平时喜欢做什么。")

    prompt = _sent(asked)[0]
    assert prompt.text == t("zh", "mr-ask-changes", number=str(profile_id), limit=REASON_LIMIT)
    assert prompt.callback_data == ["mr:x"]
    profile = await _get(db, profile_id)
    assert profile.status == "changes"
    assert profile.review_note == "自我介绍再多写几句，说说平时喜欢做什么。"
    [told] = _sent_to(calls, MEMBER_A)
    assert "自我介绍再多写几句" in told.text
    assert told.callback_data == ["mp:edit"]
    assert await _flow(db, MATCHMAKER_ID) is None
    assert len(await _audits(db, "match.review.changes")) == 1


async def test_rejecting_tells_the_member_the_reason_and_where_to_ask(
    harness: Harness, db: Database
) -> None:
    profile_id = await _pending(db, MEMBER_A)

    await _press(harness, f"mr:r:{profile_id}")
    calls = await _say(harness, "资料里写明已婚。")

    profile = await _get(db, profile_id)
    assert (profile.status, profile.review_note) == ("rejected", "资料里写明已婚。")
    [told] = _sent_to(calls, MEMBER_A)
    assert told.text == t("zh", "mr-member-rejected", reason="资料里写明已婚。")
    assert told.callback_data == []
    [audit] = await _audits(db, "match.review.reject")
    assert audit.subject == f"profile:{profile_id}"


async def test_a_too_long_reason_is_refused_and_the_matchmaker_can_try_again(
    harness: Harness, db: Database
) -> None:
    profile_id = await _pending(db, MEMBER_A)
    await _press(harness, f"mr:c:{profile_id}")

    calls = await _say(harness, "字" * (REASON_LIMIT + 1))

    assert t("zh", "mr-reason-too-long", limit=REASON_LIMIT) in _sent(calls)[0].text
    assert (await _get(db, profile_id)).status == "pending"
    state = await _flow(db, MATCHMAKER_ID)
    assert state is not None
    assert state.flow == REVIEW_FLOW


async def test_cancelling_the_reason_leaves_the_profile_pending(
    harness: Harness, db: Database
) -> None:
    profile_id = await _pending(db, MEMBER_A)
    await _press(harness, f"mr:r:{profile_id}")

    calls = await _press(harness, "mr:x")

    assert [c.text for c in _sent(calls)] == [t("zh", "mr-reason-cancelled")]
    assert (await _get(db, profile_id)).status == "pending"
    assert await _flow(db, MATCHMAKER_ID) is None


async def test_a_sticker_instead_of_the_reason_gets_a_hint(harness: Harness, db: Database) -> None:
    profile_id = await _pending(db, MEMBER_A)
    await _press(harness, f"mr:c:{profile_id}")
    sticker = {
        "file_id": "CAAC",
        "file_unique_id": "AgAD",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }

    calls = await harness.feed(message(None, user_id=MATCHMAKER_ID, sticker=sticker))

    assert [c.text for c in _sent(calls)] == [t("zh", "mr-reason-text-only")]
    assert (await _get(db, profile_id)).status == "pending"


async def test_a_profile_edited_after_its_card_was_shown_is_shown_again_not_approved(
    harness: Harness, db: Database
) -> None:
    profile_id = await _pending(db, MEMBER_A)

    calls = await _press(harness, f"mr:a:{profile_id}", shown_ago=600)

    assert (await _get(db, profile_id)).status == "pending"
    texts = [c.text for c in _sent(calls)]
    assert texts[0] == t("zh", "mr-changed", number=str(profile_id))
    assert t("zh", "match-card-number", number=profile_id) in texts[1]
    assert _sent_to(calls, MEMBER_A) == []


async def test_a_matchmakers_own_profile_is_left_for_another_matchmaker(
    harness: Harness, db: Database
) -> None:
    profile_id = await _pending(db, MATCHMAKER_ID)

    mine = await _say(harness, "/match review", MATCHMAKER_ID)
    pressed = await _press(harness, f"mr:a:{profile_id}", MATCHMAKER_ID)
    theirs = await _say(harness, "/match review", OTHER_MATCHMAKER_ID)

    assert [c.text for c in _sent(mine)] == [t("zh", "mr-review-empty")]
    assert _popup(pressed) == t("zh", "mr-own")
    assert (await _get(db, profile_id)).status == "pending"
    assert t("zh", "match-card-number", number=profile_id) in _sent(theirs)[0].text


async def test_a_hidden_pending_profile_says_it_has_open_reports(
    harness: Harness, db: Database
) -> None:
    await _pending(db, MEMBER_A, hidden=True)

    calls = await _say(harness, "/match review")

    assert t("zh", "mr-review-hidden") in _sent(calls)[0].text


async def test_a_review_button_for_a_missing_profile_is_stale(harness: Harness) -> None:
    calls = await _press(harness, "mr:a:999999")

    assert _popup(calls) == t("zh", "button-stale")


@pytest.mark.parametrize("data", ["mr:z:1", "mr:a:", "mr:a:12x", "mr:a:1234567890", "mr:"])
async def test_a_malformed_review_button_is_stale(harness: Harness, data: str) -> None:
    calls = await _press(harness, data)

    assert _popup(calls) == t("zh", "button-stale")


# --- the reports queue --------------------------------------------------------------------------


async def test_reports_list_the_most_reported_first_with_reasons_but_no_reporters(
    harness: Harness, db: Database
) -> None:
    once = await _approved(db, MEMBER_B, gender="f", want_gender="m")
    often = await _approved(db, MEMBER_A, hidden=True)
    await _report(db, MEMBER_B, MEMBER_C, "rude")
    await _report(db, MEMBER_A, MEMBER_B, "fake")
    await _report(db, MEMBER_A, MEMBER_C, "fake")
    await _report(db, MEMBER_A, 600_009, "money")

    calls = await _say(harness, "/match reports")

    header, first, second = _sent(calls)
    assert header.text == t("zh", "mr-reports-header", profiles=2, shown=2)
    assert t("zh", "match-card-number", number=often) in first.text
    assert t("zh", "mr-report-head", count=3, hidden=t("zh", "mr-report-hidden-yes")) in (
        first.text
    )
    fake = t("zh", "mr-report-reason", reason=t("zh", "mr-reason-fake"), count=2)
    money = t("zh", "mr-report-reason", reason=t("zh", "mr-reason-money"), count=1)
    assert t("zh", "mr-report-reasons", reasons=f"{fake}、{money}") in first.text
    assert first.callback_data == [f"mr:k:{often}", f"mr:h:{often}"]
    assert t("zh", "match-card-number", number=once) in second.text
    for call in _sent(calls):
        for reporter in (MEMBER_B, MEMBER_C, 600_009):
            assert str(reporter) not in call.text
    assert len(await _audits(db, "match.reports.view")) == 2


async def test_resolved_reports_are_not_listed(harness: Harness, db: Database) -> None:
    await _approved(db, MEMBER_A)
    async with db.session() as session:
        session.add(
            MatchReport(
                reporter_id=MEMBER_B,
                target_id=MEMBER_A,
                reason="fake",
                resolved_at=utcnow(),
                resolution="kept",
            )
        )
        await session.commit()

    calls = await _say(harness, "/match reports")

    assert [c.text for c in _sent(calls)] == [t("zh", "mr-reports-empty")]


async def test_keeping_a_profile_resolves_its_reports_and_unhides_it(
    harness: Harness, db: Database
) -> None:
    profile_id = await _approved(db, MEMBER_A, hidden=True)
    for reporter in (MEMBER_B, MEMBER_C, 600_009):
        await _report(db, MEMBER_A, reporter, "rude")

    calls = await _press(harness, f"mr:k:{profile_id}")

    profile = await _get(db, profile_id)
    assert (profile.status, profile.hidden) == ("approved", False)
    reports = await _reports(db, MEMBER_A)
    assert {(r.resolution, r.resolved_by) for r in reports} == {("kept", MATCHMAKER_ID)}
    assert all(r.resolved_at is not None for r in reports)
    assert [c.text for c in _sent(calls)] == [t("zh", "mr-kept", number=str(profile_id), count=3)]
    assert _sent_to(calls, MEMBER_A) == []
    assert len(await _audits(db, "match.report.keep")) == 1


async def test_suspending_a_profile_rejects_it_and_tells_the_member(
    harness: Harness, db: Database
) -> None:
    profile_id = await _approved(db, MEMBER_A, hidden=True)
    await _report(db, MEMBER_A, MEMBER_B, "money")
    await _report(db, MEMBER_A, MEMBER_C, "money")

    calls = await _press(harness, f"mr:h:{profile_id}")

    profile = await _get(db, profile_id)
    assert (profile.status, profile.hidden) == ("rejected", False)
    assert profile.review_note == t("zh", "mr-suspended-note")
    assert profile.reviewed_by == MATCHMAKER_ID
    assert {r.resolution for r in await _reports(db, MEMBER_A)} == {"suspended"}
    assert [c.text for c in _sent_to(calls, MEMBER_A)] == [t("zh", "mr-member-suspended")]
    [audit] = await _audits(db, "match.report.suspend")
    assert audit.detail == {"reports": 2}


async def test_a_second_press_on_handled_reports_changes_nothing(
    harness: Harness, db: Database
) -> None:
    profile_id = await _approved(db, MEMBER_A)
    await _report(db, MEMBER_A, MEMBER_B, "fake")
    await _press(harness, f"mr:k:{profile_id}", MATCHMAKER_ID)

    calls = await _press(harness, f"mr:h:{profile_id}", OTHER_MATCHMAKER_ID)

    assert _popup(calls) == t("zh", "mr-reports-handled")
    assert (await _get(db, profile_id)).status == "approved"
    assert await _audits(db, "match.report.suspend") == []


# --- introductions ------------------------------------------------------------------------------


async def _two(db: Database, **b_fields: Any) -> tuple[int, int]:
    a = await _approved(db, MEMBER_A)
    fields = {"gender": "f", "want_gender": "m", **b_fields}
    b = await _approved(db, MEMBER_B, **fields)
    return a, b


async def _intro_id(db: Database) -> int:
    [intro] = await _intros(db)
    assert intro.id is not None
    return intro.id


async def test_an_introduction_sends_each_member_the_others_card_without_contact(
    harness: Harness, db: Database
) -> None:
    a, b = await _two(db, intro="喜欢爬山和做饭，性格开朗。")

    calls = await _say(harness, f"/match intro {a} {b} 你们都喜欢做饭，可以聊聊。")

    [intro] = await _intros(db)
    assert (intro.proposer_id, intro.a_id, intro.b_id) == (MATCHMAKER_ID, MEMBER_A, MEMBER_B)
    assert intro.note == "你们都喜欢做饭，可以聊聊。"
    [to_a] = _sent_to(calls, MEMBER_A)
    [to_b] = _sent_to(calls, MEMBER_B)
    assert "喜欢爬山和做饭" in to_a.text
    assert "喜欢爬山和做饭" not in to_b.text
    assert t("zh", "mr-intro-note", note="你们都喜欢做饭，可以聊聊。") in to_a.text
    assert to_a.callback_data == [f"mi:y:{intro.id}", f"mi:n:{intro.id}"]
    for call, other in ((to_a, MEMBER_B), (to_b, MEMBER_A)):
        assert f"member{other}" not in call.text
        assert str(other) not in call.text
        assert "资料编号" not in call.text
    [told] = _sent_to(calls, MATCHMAKER_ID)
    assert told.text == t("zh", "mr-intro-sent", intro=str(intro.id), a=str(a), b=str(b))
    [audit] = await _audits(db, "match.intro.propose")
    assert audit.subject == f"intro:{intro.id}"


async def test_an_introduction_shows_the_photo_of_a_member_who_shares_it(
    harness: Harness, db: Database
) -> None:
    a, b = await _two(db, photo_file_id="AgAC-b")

    calls = await _say(harness, f"/match intro {a} {b}")

    [to_a] = _sent_to(calls, MEMBER_A)
    assert to_a.method == "sendPhoto"
    assert to_a.params["photo"] == "AgAC-b"


async def test_an_introduction_does_not_show_a_matchmakers_only_profile_to_the_other(
    harness: Harness, db: Database
) -> None:
    a, b = await _two(
        db, visibility="matchmakers", intro="只想让红娘看到的介绍。", photo_file_id="x"
    )

    calls = await _say(harness, f"/match intro {a} {b}")

    [to_a] = _sent_to(calls, MEMBER_A)
    assert to_a.method == "sendMessage"
    assert "只想让红娘看到的介绍" not in to_a.text
    assert t("zh", "mr-intro-private-card") in to_a.text


@pytest.mark.parametrize(
    "fields",
    [{"status": "pending"}, {"status": "rejected"}, {"paused": True}, {"hidden": True}],
)
async def test_an_introduction_needs_two_approved_visible_profiles(
    harness: Harness, db: Database, fields: dict[str, Any]
) -> None:
    a, b = await _two(db, **fields)

    calls = await _say(harness, f"/match intro {a} {b}")

    assert [c.text for c in _sent(calls)] == [t("zh", "mr-intro-unavailable", number=str(b))]
    assert await _intros(db) == []


async def test_an_introduction_of_a_profile_with_itself_is_refused(
    harness: Harness, db: Database
) -> None:
    a, _ = await _two(db)

    calls = await _say(harness, f"/match intro {a} #{a}")

    assert [c.text for c in _sent(calls)] == [t("zh", "mr-intro-same")]


async def test_a_matchmaker_cannot_introduce_themselves(harness: Harness, db: Database) -> None:
    a, _ = await _two(db)
    own = await _approved(db, MATCHMAKER_ID, gender="f", want_gender="m")

    calls = await _say(harness, f"/match intro {a} {own}")

    assert [c.text for c in _sent(calls)] == [t("zh", "mr-intro-own")]
    assert await _intros(db) == []


async def test_an_introduction_of_an_unknown_number_is_refused(
    harness: Harness, db: Database
) -> None:
    a, _ = await _two(db)

    calls = await _say(harness, f"/match intro {a} 99999")

    assert [c.text for c in _sent(calls)] == [t("zh", "mr-intro-missing", number="99999")]


async def test_members_who_are_already_a_pair_are_not_introduced(
    harness: Harness, db: Database
) -> None:
    a, b = await _two(db)
    async with db.session() as session:
        session.add(MatchPair(a_id=MEMBER_A, b_id=MEMBER_B, source="like"))
        await session.commit()

    calls = await _say(harness, f"/match intro {a} {b}")

    assert [c.text for c in _sent(calls)] == [t("zh", "mr-intro-pair")]


async def test_a_second_introduction_while_one_is_open_is_refused(
    harness: Harness, db: Database
) -> None:
    a, b = await _two(db)
    await _say(harness, f"/match intro {a} {b}")

    calls = await _say(harness, f"/match intro {b} {a}", OTHER_MATCHMAKER_ID)

    assert [c.text for c in _sent(calls)] == [t("zh", "mr-intro-open")]
    assert len(await _intros(db)) == 1


@pytest.mark.parametrize("decision", ["block", "report"])
async def test_members_who_blocked_or_reported_each_other_are_not_introduced(
    harness: Harness, db: Database, decision: str
) -> None:
    a, b = await _two(db)
    async with db.session() as session:
        session.add(MatchDecision(user_id=MEMBER_B, target_id=MEMBER_A, decision=decision))
        await session.commit()

    calls = await _say(harness, f"/match intro {a} {b}")

    assert [c.text for c in _sent(calls)] == [t("zh", "mr-intro-blocked")]
    assert await _intros(db) == []


@pytest.mark.parametrize("text", ["/match intro", "/match intro 12", "/match intro 12 abc"])
async def test_a_malformed_introduction_gets_the_usage(harness: Harness, text: str) -> None:
    calls = await _say(harness, text)

    assert [c.text for c in _sent(calls)] == [t("zh", "mr-intro-usage")]


async def test_a_note_with_a_phone_number_is_refused(harness: Harness, db: Database) -> None:
    a, b = await _two(db)

    calls = await _say(harness, f"/match intro {a} {b} 加她电话 138 1234 5678")

    [refused] = _sent(calls)
    assert t("zh", "match-contact-phone") in refused.text
    assert await _intros(db) == []


async def test_a_too_long_note_is_refused(harness: Harness, db: Database) -> None:
    a, b = await _two(db)

    calls = await _say(harness, f"/match intro {a} {b} " + "好" * 301)

    assert [c.text for c in _sent(calls)] == [t("zh", "mr-intro-note-long", limit=300)]


async def test_an_introduction_a_member_cannot_receive_is_withdrawn(
    harness: Harness, db: Database
) -> None:
    a, b = await _two(db)
    harness.api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")

    calls = await _say(harness, f"/match intro {a} {b}")

    [intro] = await _intros(db)
    assert intro.closed_at is not None
    assert t("zh", "mr-intro-unreachable", number=str(a)) in [c.text for c in _sent(calls)]


async def test_when_both_accept_they_become_a_pair_and_each_gets_the_others_contact(
    harness: Harness, db: Database
) -> None:
    a, b = await _two(db)
    await _say(harness, f"/match intro {a} {b}")
    intro_id = await _intro_id(db)

    first = await _press(harness, f"mi:y:{intro_id}", MEMBER_A)
    second = await _press(harness, f"mi:y:{intro_id}", MEMBER_B)

    assert [c.text for c in _sent(first)] == [t("zh", "mr-intro-accepted-wait")]
    assert not any("tg://user" in c.text for c in _sent(first))
    [pair] = await _pairs(db)
    assert (pair.a_id, pair.b_id, pair.source) == (MEMBER_A, MEMBER_B, "intro")
    [to_a] = _sent_to(second, MEMBER_A)
    [to_b] = _sent_to(second, MEMBER_B)
    assert f"tg://user?id={MEMBER_B}" in to_a.text
    assert f"tg://user?id={MEMBER_A}" in to_b.text
    [outcome] = _sent_to(second, MATCHMAKER_ID)
    assert outcome.text == t("zh", "mr-intro-outcome-pair", intro=str(intro_id))
    [intro] = await _intros(db)
    assert (intro.a_answer, intro.b_answer) == (True, True)
    assert intro.closed_at is not None


async def test_a_pair_announcement_goes_through_the_outbox(harness: Harness, db: Database) -> None:
    from bot.core.outbox import OUTBOX

    a, b = await _two(db)
    await _say(harness, f"/match intro {a} {b}")
    intro_id = await _intro_id(db)
    await _press(harness, f"mi:y:{intro_id}", MEMBER_A)
    second = await _press(harness, f"mi:y:{intro_id}", MEMBER_B)

    async with db.engine.connect() as conn:
        rows = (await conn.execute(sa_select(OUTBOX))).mappings().all()
    [pair] = await _pairs(db)
    pairs = {row["chat_id"]: row for row in rows if row["kind"] == "pair"}
    assert {row["key"] for row in pairs.values()} == {
        f"pair:{pair.id}:user:{MEMBER_A}",
        f"pair:{pair.id}:user:{MEMBER_B}",
    }
    assert {row["state"] for row in pairs.values()} == {"sent"}
    [to_a] = _sent_to(second, MEMBER_A)
    assert to_a.text == pairs[MEMBER_A]["text"]
    assert to_a.params["parse_mode"] == "HTML"


async def test_a_decline_sends_no_contact_and_tells_the_accepting_member_gently(
    harness: Harness, db: Database
) -> None:
    a, b = await _two(db)
    await _say(harness, f"/match intro {a} {b}")
    intro_id = await _intro_id(db)

    first = await _press(harness, f"mi:y:{intro_id}", MEMBER_A)
    second = await _press(harness, f"mi:n:{intro_id}", MEMBER_B)

    assert await _pairs(db) == []
    for call in _sent(first) + _sent(second):
        assert "tg://user" not in call.text
        assert "member6000" not in call.text
    assert [c.text for c in _sent_to(second, MEMBER_A)] == [t("zh", "mr-intro-not-this-time")]
    assert [c.text for c in _sent_to(second, MEMBER_B)] == [t("zh", "mr-intro-declined-ok")]
    [outcome] = _sent_to(second, MATCHMAKER_ID)
    assert outcome.text == t("zh", "mr-intro-outcome-no", intro=str(intro_id))
    [intro] = await _intros(db)
    assert (intro.a_answer, intro.b_answer) == (True, False)
    assert intro.closed_at is not None


async def test_a_first_decline_closes_the_introduction_for_the_other_member(
    harness: Harness, db: Database
) -> None:
    a, b = await _two(db)
    await _say(harness, f"/match intro {a} {b}")
    intro_id = await _intro_id(db)

    declined = await _press(harness, f"mi:n:{intro_id}", MEMBER_A)
    late = await _press(harness, f"mi:y:{intro_id}", MEMBER_B)

    assert _sent_to(declined, MEMBER_B) == []
    assert _popup(late) == t("zh", "mr-intro-closed")
    assert await _pairs(db) == []


async def test_only_the_two_members_addressed_can_answer_an_introduction(
    harness: Harness, db: Database
) -> None:
    a, b = await _two(db)
    await _say(harness, f"/match intro {a} {b}")
    intro_id = await _intro_id(db)

    calls = await _press(harness, f"mi:y:{intro_id}", MEMBER_C)

    assert _popup(calls) == t("zh", "button-stale")
    [intro] = await _intros(db)
    assert (intro.a_answer, intro.b_answer, intro.closed_at) == (None, None, None)


async def test_a_member_answers_an_introduction_only_once(harness: Harness, db: Database) -> None:
    a, b = await _two(db)
    await _say(harness, f"/match intro {a} {b}")
    intro_id = await _intro_id(db)
    await _press(harness, f"mi:y:{intro_id}", MEMBER_A)

    calls = await _press(harness, f"mi:n:{intro_id}", MEMBER_A)

    assert _popup(calls) == t("zh", "mr-intro-answered")
    [intro] = await _intros(db)
    assert (intro.a_answer, intro.closed_at) == (True, None)


async def test_both_accepting_after_one_was_suspended_makes_no_pair(
    harness: Harness, db: Database
) -> None:
    a, b = await _two(db)
    await _say(harness, f"/match intro {a} {b}")
    intro_id = await _intro_id(db)
    await _press(harness, f"mi:y:{intro_id}", MEMBER_A)
    await _report(db, MEMBER_A, MEMBER_C, "fake")
    await _press(harness, f"mr:h:{a}")

    calls = await _press(harness, f"mi:y:{intro_id}", MEMBER_B)

    assert await _pairs(db) == []
    assert not any("tg://user" in c.text for c in _sent(calls))
    assert [c.text for c in _sent_to(calls, MEMBER_B)] == [t("zh", "mr-intro-not-this-time")]


@pytest.mark.parametrize("data", ["mi:y:999999", "mi:x:1", "mi:y:", "mi:y:1:2"])
async def test_a_forged_introduction_button_is_stale(harness: Harness, data: str) -> None:
    calls = await _press(harness, data, MEMBER_A)

    assert _popup(calls) == t("zh", "button-stale")


# --- telling the matchmakers --------------------------------------------------------------------


async def test_a_new_profile_is_announced_to_the_volunteers_without_personal_data(
    harness: Harness, db: Database, settings: Settings
) -> None:
    profile_id = await _pending(db, MEMBER_A, intro="我在富士康上班，喜欢做饭。")
    with_chat = settings.model_copy(update={"volunteers_chat_id": VOLUNTEERS_CHAT})

    await announce_pending(harness.app.bot, db, with_chat, profile_id=profile_id)

    [notice] = harness.api.sent("sendMessage")
    assert int(notice.params["chat_id"]) == VOLUNTEERS_CHAT
    assert notice.text == t("zh", "mr-pending-notice", number=str(profile_id), waiting=1)


async def test_without_a_volunteers_group_nothing_is_announced(
    harness: Harness, db: Database, settings: Settings
) -> None:
    profile_id = await _pending(db, MEMBER_A)

    await announce_pending(harness.app.bot, db, settings, profile_id=profile_id)

    assert harness.api.sent("sendMessage") == []


async def test_a_failed_announcement_does_not_raise(
    harness: Harness, db: Database, settings: Settings
) -> None:
    profile_id = await _pending(db, MEMBER_A)
    with_chat = settings.model_copy(update={"volunteers_chat_id": VOLUNTEERS_CHAT})
    harness.api.fail_next("sendMessage", 403, "Forbidden: bot was kicked from the group")

    await announce_pending(harness.app.bot, db, with_chat, profile_id=profile_id)

    assert len(harness.api.sent("sendMessage")) == 1


# --- quiet hours --------------------------------------------------------------------------------


def _morning_sender(harness: Harness, at: datetime = MORNING) -> Any:
    """The outbox sender (it delivers held notices) as a freshly started replica runs it."""
    from bot.app import encoders
    from bot.core.outbox import OutboxSender
    from handlers.notifier import TelegramNotifier

    return OutboxSender(
        TelegramNotifier(harness.app.bot, encoders()),
        harness.db,
        owner="morning",
        clock=lambda: at,
    )


async def _deliver(harness: Harness, at: datetime) -> list[Call]:
    before = len(harness.api.calls)
    sender = _morning_sender(harness, at)
    for _ in range(10):
        if await sender.step() == 0:
            break
    return harness.api.calls[before:]


async def test_an_approval_at_night_is_held_and_the_member_is_told_in_the_morning(
    harness: Harness, db: Database, clock: Clock
) -> None:
    profile_id = await _pending(db, MEMBER_A)
    clock.now = NIGHT

    calls = await _press(harness, f"mr:a:{profile_id}")
    at_night = await _deliver(harness, NIGHT + timedelta(hours=1))
    morning = await _deliver(harness, MORNING)
    again = await _deliver(harness, MORNING + timedelta(hours=1))

    assert (await _get(db, profile_id)).status == "approved"
    assert _sent_to(calls, MEMBER_A) == []
    mine = [c.text for c in _sent_to(calls, MATCHMAKER_ID)]
    assert mine[0] == "\n".join(
        (t("zh", "mr-approved", number=str(profile_id)), t("zh", "mr-member-held", time="07:00"))
    )
    assert at_night == []
    assert [c.text for c in _sent(morning)] == [t("zh", "mr-member-approved")]
    assert [int(c.params["chat_id"]) for c in _sent(morning)] == [MEMBER_A]
    assert _sent(again) == []  # delivered once


async def test_a_request_for_changes_at_night_reaches_an_english_member_in_the_morning(
    harness: Harness, db: Database, clock: Clock
) -> None:
    from bot.core.users import set_language

    profile_id = await _pending(db, MEMBER_A)
    async with db.session() as session:
        await set_language(session, user_id=MEMBER_A, language="en")
    clock.now = NIGHT
    await _press(harness, f"mr:c:{profile_id}")

    calls = await _say(harness, "请补充一张清楚的照片。", MATCHMAKER_ID)
    morning = await _deliver(harness, MORNING)

    assert _sent_to(calls, MEMBER_A) == []
    assert t("zh", "mr-member-held", time="07:00") in _sent_to(calls, MATCHMAKER_ID)[0].text
    [told] = _sent(morning)
    assert told.text == "\n".join(
        (
            t("en", "mr-member-changes", reason="请补充一张清楚的照片。"),
            t("en", "mr-member-edit-hint"),
        )
    )


async def test_a_suspension_at_night_is_held_until_quiet_hours_end(
    harness: Harness, db: Database, clock: Clock
) -> None:
    profile_id = await _approved(db, MEMBER_A, hidden=True)
    await _report(db, MEMBER_A, MEMBER_B, "money")
    clock.now = NIGHT

    calls = await _press(harness, f"mr:h:{profile_id}")
    morning = await _deliver(harness, MORNING)

    assert _sent_to(calls, MEMBER_A) == []
    assert [c.text for c in _sent_to(morning, MEMBER_A)] == [t("zh", "mr-member-suspended")]


async def test_how_an_introduction_ended_reaches_the_matchmaker_in_the_morning(
    harness: Harness, db: Database, clock: Clock
) -> None:
    a, b = await _two(db)
    await _say(harness, f"/match intro {a} {b}")
    intro_id = await _intro_id(db)
    await _press(harness, f"mi:y:{intro_id}", MEMBER_A)
    clock.now = NIGHT

    declined = await _press(harness, f"mi:n:{intro_id}", MEMBER_B)
    morning = await _deliver(harness, MORNING)

    assert [c.text for c in _sent_to(declined, MEMBER_B)] == [t("zh", "mr-intro-declined-ok")]
    assert _sent_to(declined, MEMBER_A) == []
    assert _sent_to(declined, MATCHMAKER_ID) == []
    assert [c.text for c in _sent_to(morning, MEMBER_A)] == [t("zh", "mr-intro-not-this-time")]
    assert [c.text for c in _sent_to(morning, MATCHMAKER_ID)] == [
        t("zh", "mr-intro-outcome-no", intro=str(intro_id))
    ]


async def test_held_notices_wait_in_the_outbox_not_among_staff_broadcasts(
    harness: Harness, db: Database, clock: Clock
) -> None:
    from bot.core.outbox import OUTBOX
    from bot.jobs.broadcast import BROADCASTS

    async with db.session() as session:
        await grant_role(session, actor_id=None, user_id=ADMIN_ID, role=Role.staff)
    profile_id = await _pending(db, MEMBER_A)
    clock.now = NIGHT
    await _press(harness, f"mr:r:{profile_id}")
    await _say(harness, "资料里写明已婚。")
    async with db.engine.connect() as conn:
        broadcasts = (await conn.execute(sa_select(BROADCASTS.c.id))).all()
        held = (await conn.execute(sa_select(OUTBOX))).mappings().one()

    status = await _say(harness, "/broadcast status", ADMIN_ID)

    assert broadcasts == []
    assert (held["chat_id"], held["kind"], held["state"]) == (MEMBER_A, "notice", "pending")
    assert held["not_before"] == MORNING
    assert [c.text for c in _sent(status)] == [t("zh", "bc-status-none")]
    assert "已婚" not in " ".join(c.text for c in _sent(status))
