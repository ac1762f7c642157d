"""Daily suggestions: who is shown, in what order, how often; likes, skips, blocks, reports."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from bot.config import Settings
from bot.core.clock import today_in
from bot.core.models import AuditLog, utcnow
from bot.core.users import set_language
from bot.db import Database
from bot.i18n import t
from bot.localapi import Call
from bot.match.core import pack_districts
from bot.match.models import MatchDecision, MatchPair, MatchProfile, MatchReport, MatchSuggestion
from bot.match.suggest import (
    PROFILES,
    SUGGESTIONS,
    CardProfile,
    Seeker,
    Suggestion,
    best_candidate,
    card_of,
    pool_conditions,
    score,
    seeker_of,
    wide_wishes,
)
from handlers.match.suggest import CAPTION_LIMIT, card_text
from tests.conftest import Harness
from tests.factories import ADMIN_ID, WORKER_ID, callback
from tests.match_factories import make_profile, verify_member

ME = WORKER_ID
HER = 500_001
OTHERS = (500_002, 500_003, 500_004, 500_005, 500_006, 500_007)
TODAY = date.today()


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The shared test settings, with room for many presses in a second."""
    return Settings(
        bot_token="123456:TEST-token",
        database_url=database_url,
        outbound_rate_limit=False,
        admin_ids=[ADMIN_ID],
        default_language="zh",
        flood_limit="100 per 1 second",
        _env_file=None,
    )


# --- helpers ----------------------------------------------------------------------------------


async def _man(db: Database, user_id: int = ME, **fields: Any) -> MatchProfile:
    """A 30-year-old man in 金水区 looking for a woman of 22-40 (the factory's default)."""
    return await make_profile(db, user_id, **fields)


async def _woman(db: Database, user_id: int = HER, **fields: Any) -> MatchProfile:
    """A 28-year-old woman in 金水区 looking for a man of 25-40."""
    values: dict[str, Any] = {
        "gender": "f",
        "birth_year": TODAY.year - 28,
        "want_gender": "m",
        "want_age_min": 25,
        "want_age_max": 40,
        "occupation": "纺织厂质检员",
        "intro": "性格开朗，周末喜欢去公园散步。",
        "tg_name": f"姑娘{user_id}",
        "tg_username": f"girl{user_id}",
    }
    values.update(fields)
    return await make_profile(db, user_id, **values)


async def _press(harness: Harness, data: str, user_id: int = ME) -> list[Call]:
    return await harness.feed(callback(data, user_id=user_id))


def _cards(calls: list[Call]) -> list[Call]:
    """The suggestion cards among the calls."""
    return [
        c
        for c in calls
        if c.method in ("sendMessage", "sendPhoto")
        and any(d.startswith("ms:l:") for d in c.callback_data)
    ]


def _card_id(calls: list[Call]) -> int:
    """The profile id on the one card among the calls."""
    cards = _cards(calls)
    assert len(cards) == 1, [(c.method, c.text[:40]) for c in calls]
    like = next(d for d in cards[0].callback_data if d.startswith("ms:l:"))
    return int(like.split(":")[2])


def _texts(calls: list[Call]) -> list[str]:
    return [c.text for c in calls if c.method in ("sendMessage", "sendPhoto", "editMessageText")]


def _sent_to(calls: list[Call], chat_id: int) -> list[Call]:
    return [
        c
        for c in calls
        if c.method in ("sendMessage", "sendPhoto") and int(c.params["chat_id"]) == chat_id
    ]


def _popup(calls: list[Call]) -> str:
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answers, [c.method for c in calls]
    return str(answers[-1].params.get("text") or "")


async def _rows(db: Database, model: Any) -> list[Any]:
    async with db.session() as session:
        return list((await session.exec(select(model))).all())


async def _suggested(db: Database, user_id: int = ME) -> list[MatchSuggestion]:
    async with db.session() as session:
        found = await session.exec(
            select(MatchSuggestion)
            .where(MatchSuggestion.user_id == user_id)
            .order_by(col(MatchSuggestion.id))
        )
        return list(found.all())


async def _decision(db: Database, user_id: int, target_id: int) -> str | None:
    async with db.session() as session:
        row = await session.get(MatchDecision, (user_id, target_id))
        return row.decision if row is not None else None


async def _profile(db: Database, profile_id: int | None) -> MatchProfile:
    async with db.session() as session:
        profile = await session.get(MatchProfile, profile_id)
        assert profile is not None
        return profile


async def _set(db: Database, profile_id: int | None, **columns: Any) -> None:
    """Change a stored profile (as a matchmaker's or the member's action would)."""
    async with db.session() as session:
        profile = await session.get(MatchProfile, profile_id)
        assert profile is not None
        for name, value in columns.items():
            setattr(profile, name, value)
        session.add(profile)
        await session.commit()


def _today(harness: Harness) -> date:
    return today_in(harness.app.bot_data["services"].settings.timezone, utcnow())


async def _shown_and_report(
    harness: Harness, reporter: int, profile_id: int | None, reason: str = "fake"
) -> list[Call]:
    """``reporter`` (a man) is shown the profile and reports it."""
    assert _card_id(await _press(harness, "ms:next", reporter)) == profile_id
    await _press(harness, f"ms:r:{profile_id}", reporter)
    return await _press(harness, f"ms:rr:{profile_id}:{reason}", reporter)


# --- the card ---------------------------------------------------------------------------------


async def test_a_card_shows_the_profile_without_name_contact_or_number(harness: Harness) -> None:
    await _man(harness.db)
    her = await _woman(harness.db)

    calls = await _press(harness, "ms:next")

    (card,) = _cards(calls)
    assert card.method == "sendMessage"
    assert "纺织厂质检员" in card.text
    assert t("zh", "ms-card-head", count=1, limit=5) in card.text
    for secret in (
        f"姑娘{HER}",
        f"girl{HER}",
        str(HER),
        t("zh", "match-card-number", number=her.id),
    ):
        assert secret not in card.text
    assert card.callback_data == [
        f"ms:l:{her.id}",
        f"ms:s:{her.id}",
        f"ms:b:{her.id}",
        f"ms:r:{her.id}",
    ]
    assert [c.method for c in calls if c.method == "answerCallbackQuery"] == [
        "answerCallbackQuery"
    ]


async def test_a_shown_card_is_stored_as_todays_suggestion(harness: Harness) -> None:
    await _man(harness.db, interests=("cooking", "family", "music"))
    await _woman(harness.db, interests=("cooking", "music"), education="bachelor")

    await _press(harness, "ms:next")

    (row,) = await _suggested(harness.db)
    assert (row.target_id, row.day, row.score) == (HER, _today(harness), 2 * 10 + 3)


async def test_a_profile_with_a_photo_is_sent_as_a_photo_with_the_card_as_caption(
    harness: Harness,
) -> None:
    await _man(harness.db)
    her = await _woman(harness.db, photo_file_id="AgACAgUAAxk-photo")

    calls = await _press(harness, "ms:next")

    (card,) = _cards(calls)
    assert card.method == "sendPhoto"
    assert card.params["photo"] == "AgACAgUAAxk-photo"
    assert "纺织厂质检员" in card.params["caption"]
    assert card.callback_data[0] == f"ms:l:{her.id}"


def test_a_card_too_long_for_a_caption_has_its_intro_cut() -> None:
    profile = CardProfile(
        id=7,
        gender="f",
        birth_year=TODAY.year - 28,
        city="郑州市",
        district="金水区",
        education="high",
        occupation="纺" * 40,
        height_cm=160,
        intro="很" * 300,
        want_gender="m",
        want_age_min=25,
        want_age_max=40,
        want_districts="",
        want_other="要" * 200,
        interests=3,
        visibility="members",
        photo_file_id="x",
    )
    suggestion = Suggestion(profile=profile, score=0, shared=0, shown_today=1, limit=5)

    text = card_text("zh", suggestion, today=TODAY, limit=500)
    whole = card_text("zh", suggestion, today=TODAY, limit=CAPTION_LIMIT * 4)

    assert len(text) <= 500
    assert "很…" in text
    assert "要" * 200 in text
    assert "很" * 300 in whole


async def test_shared_interests_are_named_on_the_card(harness: Harness) -> None:
    await _man(harness.db, interests=("cooking", "family", "music"))
    await _woman(harness.db, interests=("music", "pets"))

    (card,) = _cards(await _press(harness, "ms:next"))

    assert t("zh", "ms-card-shared", value=t("zh", "match-interest-music")) in card.text


# --- choosing and scoring ---------------------------------------------------------------------


async def test_profiles_sharing_more_interests_come_first(harness: Harness) -> None:
    await _man(harness.db, interests=("cooking", "family", "music"), education="high")
    two_shared = await _woman(
        harness.db, 500_002, interests=("cooking", "music"), district="二七区"
    )
    one_shared_same_district = await _woman(harness.db, 500_003, interests=("family",))
    none_shared_same_all = await _woman(harness.db, 500_004, interests=("pets",), education="high")
    none_shared = await _woman(harness.db, 500_005, interests=("pets",), district="二七区")

    shown = [_card_id(await _press(harness, "ms:next"))]
    for _ in range(3):
        shown.append(_card_id(await _press(harness, f"ms:s:{shown[-1]}")))

    assert shown == [
        two_shared.id,
        one_shared_same_district.id,
        none_shared_same_all.id,
        none_shared.id,
    ]


async def test_equal_scores_show_the_most_recently_updated_profile_first(
    harness: Harness,
) -> None:
    await _man(harness.db)
    older = await _woman(harness.db, 500_002, updated_at=utcnow() - timedelta(days=3))
    newer = await _woman(harness.db, 500_003, updated_at=utcnow() - timedelta(days=1))

    first = _card_id(await _press(harness, "ms:next"))
    second = _card_id(await _press(harness, f"ms:s:{first}"))

    assert [first, second] == [newer.id, older.id]


def test_the_score_counts_shared_interests_then_district_then_education() -> None:
    me = Seeker(
        user_id=1,
        gender="m",
        birth_year=1995,
        district="金水区",
        education="high",
        want_gender="f",
        want_age_min=20,
        want_age_max=40,
        want_districts=(),
        interests=0b1011,
    )

    assert score(me, interests=0b0011, district="二七区", education="") == 20
    assert score(me, interests=0b0100, district="金水区", education="high") == 4
    assert score(me, interests=0b1111, district="金水区", education="master") == 33


async def test_a_member_with_nothing_to_score_on_still_gets_suggestions(
    harness: Harness,
) -> None:
    await _man(harness.db, interests=(), education="", district="")
    her = await _woman(harness.db)

    assert _card_id(await _press(harness, "ms:next")) == her.id


@pytest.mark.parametrize(
    ("mine", "hers"),
    [
        pytest.param({"want_gender": "m"}, {}, id="I want a man"),
        pytest.param({}, {"want_gender": "f"}, id="she wants a woman"),
        pytest.param({"want_age_min": 30}, {}, id="she is younger than I want"),
        pytest.param({}, {"birth_year": TODAY.year - 45}, id="she is older than I want"),
        pytest.param({}, {"want_age_max": 29}, id="I am older than she wants"),
        pytest.param({}, {"want_age_min": 31}, id="I am younger than she wants"),
        pytest.param({"want_districts": ("二七区",)}, {}, id="her district is not in mine"),
        pytest.param({}, {"want_districts": ("二七区",)}, id="my district is not in hers"),
    ],
)
async def test_a_profile_failing_a_mutual_wish_is_not_suggested(
    harness: Harness, mine: dict[str, Any], hers: dict[str, Any]
) -> None:
    await _man(harness.db, **mine)
    await _woman(harness.db, **hers)

    calls = await _press(harness, "ms:next")

    assert _cards(calls) == []
    assert _texts(calls) == [t("zh", "ms-none-left")]
    assert await _suggested(harness.db) == []


async def test_district_wishes_that_include_each_other_match(harness: Harness) -> None:
    await _man(harness.db, want_districts=("二七区", "金水区"))
    her = await _woman(harness.db, want_districts=("金水区", "中原区"))

    assert _card_id(await _press(harness, "ms:next")) == her.id


async def test_a_woman_looking_for_either_gender_is_suggested(harness: Harness) -> None:
    await _man(harness.db, want_gender="a")
    her = await _woman(harness.db, want_gender="a")

    assert _card_id(await _press(harness, "ms:next")) == her.id


@pytest.mark.parametrize(
    "hers",
    [
        pytest.param({"paused": True}, id="paused"),
        pytest.param({"hidden": True}, id="hidden"),
        pytest.param({"status": "pending"}, id="pending"),
        pytest.param({"status": "changes"}, id="changes asked"),
        pytest.param({"status": "rejected"}, id="rejected"),
        pytest.param({"visibility": "matchmakers"}, id="matchmakers only"),
        pytest.param({"verified": False}, id="unverified"),
    ],
)
async def test_a_profile_not_open_to_suggestions_is_never_suggested(
    harness: Harness, hers: dict[str, Any]
) -> None:
    await _man(harness.db)
    await _woman(harness.db, **hers)

    calls = await _press(harness, "ms:next")

    assert _texts(calls) == [t("zh", "ms-none-left")]


async def test_a_member_is_never_suggested_to_themself(harness: Harness) -> None:
    await _man(harness.db, want_gender="a", want_districts=())

    calls = await _press(harness, "ms:next")

    assert _texts(calls) == [t("zh", "ms-none-left")]


async def test_members_already_a_pair_are_not_suggested_to_each_other(harness: Harness) -> None:
    await _man(harness.db)
    await _woman(harness.db)
    async with harness.db.session() as session:
        session.add(MatchPair(a_id=ME, b_id=HER, source="intro"))
        await session.commit()

    assert _texts(await _press(harness, "ms:next")) == [t("zh", "ms-none-left")]


# --- the daily limit and double taps ----------------------------------------------------------


async def test_after_the_daily_limit_the_member_is_asked_to_come_back_tomorrow(
    harness: Harness,
) -> None:
    await _man(harness.db)
    for user_id in OTHERS:
        await _woman(harness.db, user_id)

    shown = _card_id(await _press(harness, "ms:next"))
    for _ in range(4):
        shown = _card_id(await _press(harness, f"ms:s:{shown}"))
    calls = await _press(harness, f"ms:s:{shown}")

    assert _texts(calls) == [t("zh", "ms-limit", limit=5)]
    assert _sent_to(calls, ME)[-1].callback_data == ["me:list", "mp:menu"]
    assert len(await _suggested(harness.db)) == 5


async def test_the_limit_starts_again_the_next_day(harness: Harness) -> None:
    await _man(harness.db)
    for user_id in OTHERS:
        await _woman(harness.db, user_id)
    shown = _card_id(await _press(harness, "ms:next"))
    for _ in range(4):
        shown = _card_id(await _press(harness, f"ms:s:{shown}"))
    await _press(harness, f"ms:s:{shown}")
    async with harness.db.engine.begin() as conn:
        yesterday = _today(harness) - timedelta(days=1)
        await conn.execute(update(SUGGESTIONS).values(day=yesterday))

    calls = await _press(harness, "ms:next")

    assert len(_cards(calls)) == 1


async def test_a_double_tap_on_next_shows_the_same_card_and_uses_one_suggestion(
    harness: Harness,
) -> None:
    await _man(harness.db)
    await _woman(harness.db, 500_002)
    await _woman(harness.db, 500_003)

    first = _card_id(await _press(harness, "ms:next"))
    second_calls = await _press(harness, "ms:next")

    assert _card_id(second_calls) == first
    assert t("zh", "ms-card-again") in _cards(second_calls)[0].text
    assert len(await _suggested(harness.db)) == 1


# --- skip, block, report ----------------------------------------------------------------------


async def test_a_skipped_profile_is_never_suggested_again(harness: Harness) -> None:
    await _man(harness.db)
    her = await _woman(harness.db)
    await _press(harness, "ms:next")

    calls = await _press(harness, f"ms:s:{her.id}")

    assert _popup(calls) == t("zh", "ms-skipped")
    assert _texts(calls) == [t("zh", "ms-none-left")]
    assert await _decision(harness.db, ME, HER) == "skip"
    assert _texts(await _press(harness, "ms:next")) == [t("zh", "ms-none-left")]


async def test_a_decision_takes_the_buttons_off_the_card(harness: Harness) -> None:
    await _man(harness.db)
    her = await _woman(harness.db)
    await _press(harness, "ms:next")

    calls = await _press(harness, f"ms:b:{her.id}")

    edits = [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert len(edits) == 1
    assert edits[0].callback_data == []


async def test_a_block_keeps_both_members_apart(harness: Harness) -> None:
    await _man(harness.db)
    her = await _woman(harness.db)
    await _press(harness, "ms:next")

    calls = await _press(harness, f"ms:b:{her.id}")

    assert _texts(calls) == [t("zh", "ms-blocked")]
    assert await _decision(harness.db, ME, HER) == "block"
    assert _texts(await _press(harness, "ms:next")) == [t("zh", "ms-none-left")]
    assert _texts(await _press(harness, "ms:next", HER)) == [t("zh", "ms-none-left")]


async def test_a_block_is_final(harness: Harness) -> None:
    await _man(harness.db)
    her = await _woman(harness.db)
    await _press(harness, "ms:next")
    await _press(harness, f"ms:b:{her.id}")

    calls = await _press(harness, f"ms:l:{her.id}")

    assert _popup(calls) == t("zh", "ms-already-final")
    assert await _decision(harness.db, ME, HER) == "block"


async def test_report_shows_the_reasons_and_back_restores_the_choices(harness: Harness) -> None:
    await _man(harness.db)
    her = await _woman(harness.db)
    await _press(harness, "ms:next")

    asked = await _press(harness, f"ms:r:{her.id}")
    back = await _press(harness, f"ms:rb:{her.id}")

    (reasons,) = [c for c in asked if c.method == "editMessageReplyMarkup"]
    assert reasons.callback_data == [
        *(f"ms:rr:{her.id}:{r}" for r in ("fake", "rude", "money", "married", "other")),
        f"ms:rb:{her.id}",
    ]
    assert _popup(asked) == t("zh", "ms-report-choose")
    (restored,) = [c for c in back if c.method == "editMessageReplyMarkup"]
    assert restored.callback_data[0] == f"ms:l:{her.id}"
    assert await _decision(harness.db, ME, HER) is None


async def test_a_report_is_queued_for_matchmakers_and_hides_the_profile_from_the_reporter(
    harness: Harness,
) -> None:
    await _man(harness.db)
    her = await _woman(harness.db)

    calls = await _shown_and_report(harness, ME, her.id, "money")

    assert _texts(calls) == [t("zh", "ms-reported")]
    (report,) = await _rows(harness.db, MatchReport)
    assert (report.reporter_id, report.target_id, report.reason) == (ME, HER, "money")
    assert report.resolved_at is None
    assert await _decision(harness.db, ME, HER) == "report"
    assert (await _profile(harness.db, her.id)).hidden is False
    audits = [a for a in await _rows(harness.db, AuditLog) if a.action == "match.report"]
    assert [(a.actor_id, a.subject, a.detail["reason"]) for a in audits] == [
        (ME, f"profile:{her.id}", "money")
    ]
    assert _texts(await _press(harness, "ms:next")) == [t("zh", "ms-none-left")]


async def test_the_third_report_hides_the_profile_from_everyone(harness: Harness) -> None:
    reporters = (ME, 600_001, 600_002)
    for reporter in reporters:
        await _man(harness.db, reporter)
    await _man(harness.db, 600_003)
    her = await _woman(harness.db)

    await _shown_and_report(harness, reporters[0], her.id)
    await _shown_and_report(harness, reporters[1], her.id, "rude")
    still_shown = (await _profile(harness.db, her.id)).hidden
    await _shown_and_report(harness, reporters[2], her.id)

    assert still_shown is False
    assert (await _profile(harness.db, her.id)).hidden is True
    assert len(await _rows(harness.db, MatchReport)) == 3
    assert _texts(await _press(harness, "ms:next", 600_003)) == [t("zh", "ms-none-left")]


async def test_reports_a_matchmaker_resolved_do_not_count_towards_hiding(
    harness: Harness,
) -> None:
    await _man(harness.db)
    her = await _woman(harness.db)
    async with harness.db.session() as session:
        for reporter in (700_001, 700_002):
            session.add(
                MatchReport(
                    reporter_id=reporter,
                    target_id=HER,
                    reason="fake",
                    resolved_by=ADMIN_ID,
                    resolved_at=utcnow(),
                    resolution="kept",
                )
            )
        await session.commit()

    await _shown_and_report(harness, ME, her.id)

    assert (await _profile(harness.db, her.id)).hidden is False


# --- forged buttons ---------------------------------------------------------------------------


@pytest.mark.parametrize("verb", ["l", "s", "b", "r"])
async def test_a_profile_not_suggested_to_the_member_is_refused(
    harness: Harness, verb: str
) -> None:
    await _man(harness.db)
    her = await _woman(harness.db)

    calls = await _press(harness, f"ms:{verb}:{her.id}")

    assert _popup(calls) == t("zh", "button-stale")
    assert await _decision(harness.db, ME, HER) is None
    assert await _rows(harness.db, MatchReport) == []


async def test_a_report_reason_for_a_profile_not_suggested_is_refused(harness: Harness) -> None:
    await _man(harness.db)
    her = await _woman(harness.db)

    calls = await _press(harness, f"ms:rr:{her.id}:fake")

    assert _popup(calls) == t("zh", "button-stale")
    assert await _rows(harness.db, MatchReport) == []


@pytest.mark.parametrize(
    "data",
    ["ms:l:abc", "ms:l:0", "ms:x:1", "ms:rr:1:evil", "ms:next:1", "ms:l:99999999", "ms:"],
)
async def test_malformed_or_unknown_suggestion_buttons_get_the_stale_notice(
    harness: Harness, data: str
) -> None:
    await _man(harness.db)

    calls = await _press(harness, data)

    assert _popup(calls) == t("zh", "button-stale")
    assert _texts(calls) == []


async def test_a_decision_about_my_own_profile_is_refused(harness: Harness) -> None:
    me = await _man(harness.db)

    calls = await _press(harness, f"ms:l:{me.id}")

    assert _popup(calls) == t("zh", "button-stale")


# --- likes ------------------------------------------------------------------------------------


async def test_a_one_sided_like_reveals_nothing_to_either_member(harness: Harness) -> None:
    await _man(harness.db, tg_name="阿强", tg_username="aqiang88")
    her = await _woman(harness.db)
    shown = await _press(harness, "ms:next")

    calls = await _press(harness, f"ms:l:{her.id}")

    assert _texts(calls) == [t("zh", "ms-liked")]
    assert _sent_to(calls, HER) == []
    everything = "\n".join(str(c.params) for c in [*shown, *calls])
    for secret in (f"姑娘{HER}", f"girl{HER}", str(HER), "tg://"):
        assert secret not in everything
    assert await _decision(harness.db, ME, HER) == "like"
    assert await _rows(harness.db, MatchPair) == []


async def test_a_mutual_like_gives_each_member_the_others_contact_once(
    harness: Harness,
) -> None:
    me = await _man(harness.db)
    her = await _woman(harness.db)
    assert _card_id(await _press(harness, "ms:next", HER)) == me.id
    her_like = await _press(harness, f"ms:l:{me.id}", HER)
    await _press(harness, "ms:next")

    calls = await _press(harness, f"ms:l:{her.id}")
    again = await _press(harness, f"ms:l:{her.id}")

    assert _texts(her_like) == [t("zh", "ms-liked")]
    to_me, to_her = _sent_to(calls, ME), _sent_to(calls, HER)
    assert len(to_me) == 1
    assert len(to_her) == 1
    assert f"tg://user?id={HER}" in to_me[0].text
    assert "阿强" in to_me[0].text  # her name as Telegram gave it when she pressed like
    assert f"tg://user?id={ME}" in to_her[0].text
    assert f"tg://user?id={ME}" not in to_me[0].text
    (pair,) = await _rows(harness.db, MatchPair)
    assert (pair.a_id, pair.b_id, pair.source) == (ME, HER, "like")
    assert _sent_to(again, ME) == []
    assert _sent_to(again, HER) == []


async def test_a_like_keeps_the_likers_telegram_name_current(harness: Harness) -> None:
    me = await _man(harness.db, tg_name="旧名字", tg_username="")
    her = await _woman(harness.db)
    await _press(harness, "ms:next")

    await _press(harness, f"ms:l:{her.id}")

    profile = await _profile(harness.db, me.id)
    assert profile.tg_name == "阿强"


async def test_no_pair_is_made_with_a_profile_hidden_after_reports(harness: Harness) -> None:
    me = await _man(harness.db)
    her = await _woman(harness.db)
    await _press(harness, "ms:next", HER)
    await _press(harness, f"ms:l:{me.id}", HER)
    await _press(harness, "ms:next")
    await _set(harness.db, her.id, hidden=True)

    calls = await _press(harness, f"ms:l:{her.id}")

    assert _texts(calls) == [t("zh", "ms-liked")]
    assert _sent_to(calls, HER) == []
    assert await _rows(harness.db, MatchPair) == []


# --- who may ask ------------------------------------------------------------------------------


async def test_an_unverified_member_is_sent_to_the_membership_check(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []

    async def start(update: Any, context: Any, *, then: str) -> None:
        started.append(then)

    monkeypatch.setattr("handlers.membership.start_verification", start)
    await _woman(harness.db)

    calls = await _press(harness, "ms:next")

    assert started == ["match"]
    assert _cards(calls) == []
    assert await _suggested(harness.db) == []


async def test_a_verified_member_without_a_profile_is_asked_to_create_one(
    harness: Harness,
) -> None:
    await verify_member(harness.db, ME)
    await _woman(harness.db)

    calls = await _press(harness, "ms:next")

    assert _texts(calls) == [t("zh", "ms-no-profile")]
    assert _sent_to(calls, ME)[0].callback_data == ["mp:edit"]


@pytest.mark.parametrize(
    ("mine", "key", "buttons"),
    [
        pytest.param({"status": "pending"}, "ms-pending", ["mp:menu"], id="pending"),
        pytest.param({"status": "changes"}, "ms-changes", ["mp:edit"], id="changes"),
        pytest.param({"status": "rejected"}, "ms-rejected", ["mp:menu"], id="rejected"),
        pytest.param({"hidden": True}, "ms-hidden", ["mp:menu"], id="hidden"),
        pytest.param({"paused": True}, "ms-paused", ["mp:resume"], id="paused"),
        pytest.param(
            {"visibility": "matchmakers"}, "ms-matchmakers", ["mp:edit"], id="matchmakers only"
        ),
    ],
)
async def test_a_member_whose_profile_is_not_open_gets_no_suggestions_and_is_told_why(
    harness: Harness, mine: dict[str, Any], key: str, buttons: list[str]
) -> None:
    await _man(harness.db, **mine)
    await _woman(harness.db)

    calls = await _press(harness, "ms:next")

    assert _texts(calls) == [t("zh", key)]
    assert _sent_to(calls, ME)[0].callback_data == buttons
    assert await _suggested(harness.db) == []


async def test_a_member_hidden_after_reports_cannot_like_from_an_old_card(
    harness: Harness,
) -> None:
    me = await _man(harness.db)
    her = await _woman(harness.db)
    await _press(harness, "ms:next")
    await _set(harness.db, me.id, hidden=True)

    calls = await _press(harness, f"ms:l:{her.id}")

    assert _texts(calls) == [t("zh", "ms-hidden")]
    assert await _decision(harness.db, ME, HER) is None


async def test_the_card_shows_english_to_an_english_speaker(harness: Harness) -> None:
    await _man(harness.db)
    await _woman(harness.db)
    async with harness.db.session() as session:
        await set_language(session, user_id=ME, language="en")

    calls = await harness.feed(callback("ms:next", user_id=ME, lang="en"))

    (card,) = _cards(calls)
    assert t("en", "ms-card-head", count=1, limit=5) in card.text


def test_card_of_reads_a_profile_row() -> None:
    profile = MatchProfile(
        id=3,
        user_id=1,
        gender="f",
        birth_year=1996,
        interests=5,
        want_districts=pack_districts(["金水区"]),
    )

    card = card_of(profile)

    assert (card.id, card.gender, card.interests, card.want_districts) == (3, "f", 5, "|金水区|")
    assert card.visibility == "members"


# --- the two ways the pool is read ------------------------------------------------------------


def _pool_ids(conn: Connection, *, user_id: int, use_index: bool) -> list[int]:
    p = PROFILES.c
    me = seeker_of(conn.execute(sa_select(PROFILES).where(p.user_id == user_id)).one())
    conditions = pool_conditions(me, today=TODAY, use_index=use_index)
    found = conn.execute(sa_select(p.id).where(*conditions).order_by(p.id))
    return [int(i) for i in found.scalars()]


async def test_reading_the_table_or_the_pool_index_selects_the_same_profiles(db: Database) -> None:
    rng = random.Random(6)
    members = [800_000 + n for n in range(40)]
    for user_id in members:
        age = rng.randint(20, 50)
        await make_profile(
            db,
            user_id,
            gender=rng.choice("mf"),
            birth_year=TODAY.year - age,
            want_gender=rng.choice("mfa"),
            want_age_min=max(18, age - rng.randint(2, 15)),
            want_age_max=age + rng.randint(2, 15),
            district=rng.choice(("金水区", "二七区", "中原区")),
            want_districts=tuple(rng.sample(("金水区", "二七区", "中原区"), rng.randint(0, 2))),
            paused=rng.random() < 0.1,
        )

    chosen = {
        use_index: [
            await db.transact(_pool_ids, user_id=user_id, use_index=use_index)
            for user_id in members
        ]
        for use_index in (True, False)
    }

    assert chosen[True] == chosen[False]
    assert sum(len(ids) for ids in chosen[True]) > 40


async def test_wishes_taking_in_a_large_share_of_profiles_read_the_table(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.match.suggest._histograms", {})  # another test's pool is gone
    for user_id in range(900_000, 900_010):
        await make_profile(db, user_id, gender="f", birth_year=TODAY.year - 30)
    wide = Seeker(ME, "m", TODAY.year - 30, "金水区", "", "f", 18, 60, (), 0)
    narrow = replace(wide, want_age_min=40, want_age_max=45)

    def check(conn: Connection, *, me: Seeker) -> bool:
        return wide_wishes(conn, me, today=TODAY)

    assert await db.transact(check, me=wide) is True
    assert await db.transact(check, me=narrow) is False


async def test_the_matchmakers_group_hears_when_reports_hide_a_profile(harness: Harness) -> None:
    group = -1_001_000_000_001
    services = harness.app.bot_data["services"]
    services.settings = services.settings.model_copy(update={"volunteers_chat_id": group})
    reporters = (ME, 600_001, 600_002)
    for reporter in reporters:
        await _man(harness.db, reporter)
    her = await _woman(harness.db)

    early = [await _shown_and_report(harness, r, her.id) for r in reporters[:2]]
    third = await _shown_and_report(harness, reporters[2], her.id)

    def to_group(calls: list[Call]) -> list[str]:
        return [c.text for c in calls if c.params.get("chat_id") in (group, str(group))]

    assert to_group(early[0] + early[1]) == []
    assert to_group(third) == [t("zh", "mr-hidden-notice", number=str(her.id))]


async def test_when_the_best_candidates_are_unverified_the_best_verified_one_is_chosen(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.match.suggest.TOP_CHECKED", 2)
    await make_profile(db, ME, interests=("cooking", "family", "hiking"))
    # the two best by score are not verified; then the best verified one, and a weaker one
    await make_profile(
        db, 700_001, gender="f", want_gender="m", verified=False, interests=("cooking", "family")
    )
    await make_profile(
        db, 700_002, gender="f", want_gender="m", verified=False, interests=("cooking", "family")
    )
    chosen = await make_profile(db, 700_003, gender="f", want_gender="m", interests=("cooking",))
    await make_profile(db, 700_004, gender="f", want_gender="m", interests=())

    def best(conn: Connection) -> int | None:
        me = seeker_of(conn.execute(sa_select(PROFILES).where(PROFILES.c.user_id == ME)).one())
        found = best_candidate(conn, me, today=TODAY)
        return None if found is None else int(found.id)

    assert await db.transact(best) == chosen.id
    monkeypatch.setattr("bot.match.suggest.TOP_CHECKED", 3)  # found among the first checked
    assert await db.transact(best) == chosen.id
