"""Matchmaking for members: membership first, consent, the profile walk, pause and delete."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.core.models import AuditLog, FlowState, User, utcnow
from bot.core.users import set_flow
from bot.db import Database
from bot.i18n import t
from bot.localapi import Call
from bot.match.core import (
    CONSENT_KEY,
    CONSENT_VERSION,
    PROFILE_FLOW,
    interest_bits,
    pack_districts,
)
from bot.match.models import (
    MatchDecision,
    MatchIntro,
    MatchPair,
    MatchProfile,
    MatchReport,
    MatchSuggestion,
    ProfileStatus,
)
from bot.match.profile import MIN_INTRO, ProfileError, answer_text
from tests.conftest import Harness
from tests.factories import WORKER_ID, callback, message, sticker
from tests.match_factories import make_profile, verify_member

OTHER_ID = 444_444
THIRD_ID = 555_555
INTRO = "性格开朗，爱笑，休息时喜欢做饭和爬山。"
PHOTO = [
    {"file_id": "photo-small", "file_unique_id": "p1-s", "width": 90, "height": 90},
    {"file_id": "photo-large", "file_unique_id": "p1", "width": 1280, "height": 960},
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared test settings, with room for a whole profile in a few seconds."""
    return settings.model_copy(update={"flood_limit": "100 per 1 second"})


@pytest.fixture(autouse=True)
def verification_started(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record where the membership check would continue instead of running it."""
    started: list[str] = []

    async def start(update: Any, context: Any, *, then: str) -> None:
        started.append(then)

    monkeypatch.setattr("handlers.membership.start_verification", start)
    return started


@pytest.fixture(autouse=True)
def announced(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the profiles announced to the matchmakers."""
    profiles: list[int] = []

    async def announce(bot: Any, db: Any, settings: Any, *, profile_id: int) -> None:
        profiles.append(profile_id)

    monkeypatch.setattr("handlers.match.review.announce_pending", announce)
    return profiles


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


async def _flow(db: Database, user_id: int = WORKER_ID) -> FlowState | None:
    async with db.session() as session:
        return await session.get(FlowState, user_id)


async def _step(db: Database) -> str | None:
    state = await _flow(db)
    return state.step if state is not None and state.flow == PROFILE_FLOW else None


async def _draft(db: Database) -> dict[str, Any]:
    state = await _flow(db)
    assert state is not None
    return dict(state.data["d"])


async def _profiles(db: Database) -> list[MatchProfile]:
    async with db.session() as session:
        rows = await session.exec(select(MatchProfile).order_by(MatchProfile.id))  # type: ignore[arg-type]
        return list(rows.all())


async def _user(db: Database, user_id: int = WORKER_ID) -> User:
    async with db.session() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


async def _audits(db: Database, action: str) -> list[AuditLog]:
    async with db.session() as session:
        rows = await session.exec(select(AuditLog).where(AuditLog.action == action))
        return list(rows.all())


async def _member(harness: Harness, user_id: int = WORKER_ID) -> None:
    """A verified member who has agreed to the rules."""
    await verify_member(harness.db, user_id)
    await _press(harness, "mp:ok", user_id)


def _birth_year(age: int) -> int:
    return date.today().year - age


Action = Callable[[Harness], Awaitable[list[Call]]]


def _says(text: str) -> Action:
    async def act(harness: Harness) -> list[Call]:
        return await _say(harness, text)

    return act


def _presses(*data: str) -> Action:
    async def act(harness: Harness) -> list[Call]:
        calls: list[Call] = []
        for item in data:
            calls = await _press(harness, item)
        return calls

    return act


async def _sends_photo(harness: Harness) -> list[Call]:
    return await harness.feed(message(None, photo=PHOTO))


#: How each step is answered unless a test says otherwise.
DEFAULTS: dict[str, Action] = {
    "gender": _presses("mp:g:f"),
    "birth_year": _says(str(_birth_year(30))),
    "district": _presses("mp:d:1"),
    "education": _presses("mp:e:vocational"),
    "occupation": _says("电子厂普工"),
    "height": _says("162"),
    "intro": _says(INTRO),
    "want_gender": _presses("mp:w:m"),
    "want_age": _says("28-38"),
    "want_districts": _presses("mp:wd:0", "mp:wd:3", "mp:dn:want_districts"),
    "want_other": _says("不抽烟"),
    "interests": _presses("mp:i:cooking", "mp:i:outdoors", "mp:dn:interests"),
    "photo": _sends_photo,
    "visibility": _presses("mp:v:members"),
}


async def _reach(harness: Harness, stop: str, **answers: Action) -> list[Call]:
    """Start a profile and answer every question until the flow stands at ``stop``."""
    calls = await _press(harness, "mp:edit")
    for _ in range(20):
        step = await _step(harness.db)
        if step == stop:
            return calls
        assert step is not None, f"the flow ended before {stop}"
        calls = await {**DEFAULTS, **answers}[step](harness)
    raise AssertionError(f"never reached {stop}")


# --- membership and consent first -------------------------------------------------------------


async def test_an_unverified_worker_is_sent_to_the_membership_check(
    harness: Harness, verification_started: list[str]
) -> None:
    calls = await _say(harness, "/match")

    assert verification_started == ["match"]
    assert t("zh", "mp-consent", version=CONSENT_VERSION) not in _text(calls)
    assert await _flow(harness.db) is None
    assert await _profiles(harness.db) == []


async def test_an_unverified_worker_pressing_a_profile_button_is_sent_to_the_check(
    harness: Harness, verification_started: list[str]
) -> None:
    await _press(harness, "mp:edit")

    assert verification_started == ["match"]
    assert await _flow(harness.db) is None


async def test_the_rules_come_first_for_a_verified_member(harness: Harness) -> None:
    await verify_member(harness.db, WORKER_ID)

    calls = await _say(harness, "/match")

    last = _last(calls)
    assert t("zh", "mp-consent", version=CONSENT_VERSION) in last.text
    assert CONSENT_VERSION in last.text
    assert last.callback_data == ["mp:ok", "mp:no"]
    assert await _flow(harness.db) is None


async def test_the_main_menu_button_opens_matchmaking_too(harness: Harness) -> None:
    await verify_member(harness.db, WORKER_ID)

    calls = await _press(harness, "m:match")

    assert "mp:ok" in _last(calls).callback_data


async def test_agreeing_stores_the_consent_with_its_version_and_date(harness: Harness) -> None:
    await verify_member(harness.db, WORKER_ID)

    calls = await _press(harness, "mp:ok")

    version, _, moment = (await _user(harness.db)).consents[CONSENT_KEY].partition("@")
    assert version == CONSENT_VERSION
    assert abs(utcnow() - datetime.fromisoformat(moment)) < timedelta(minutes=1)
    assert len(await _audits(harness.db, "match.consent")) == 1
    assert "mp:edit" in _last(calls).callback_data
    assert t("zh", "mp-status-none") in _last(calls).text


async def test_not_now_stores_no_consent(harness: Harness) -> None:
    await verify_member(harness.db, WORKER_ID)

    calls = await _press(harness, "mp:no")

    assert CONSENT_KEY not in (await _user(harness.db)).consents
    assert t("zh", "mp-consent-later") in _text(calls)


@pytest.mark.parametrize("data", ["mp:edit", "mp:g:f", "mp:view", "mp:pause", "mp:delok"])
async def test_profile_buttons_before_consent_only_bring_back_the_rules(
    harness: Harness, data: str
) -> None:
    await verify_member(harness.db, WORKER_ID)

    calls = await _press(harness, data)

    assert t("zh", "mp-consent-needed") in _last(calls).text
    assert _last(calls).callback_data == ["mp:ok", "mp:no"]
    assert await _flow(harness.db) is None
    assert await _profiles(harness.db) == []


async def test_typed_answers_before_consent_are_not_stored(harness: Harness) -> None:
    await verify_member(harness.db, WORKER_ID)
    async with harness.db.session() as session:
        data = {"d": {"gender": "f"}, "e": False}
        await set_flow(session, user_id=WORKER_ID, flow=PROFILE_FLOW, step="birth_year", data=data)

    calls = await _say(harness, "1995")

    assert t("zh", "mp-consent-needed") in _text(calls)
    assert (await _draft(harness.db)).get("birth_year") is None


# --- the profile walk -------------------------------------------------------------------------


async def test_the_whole_walk_stores_one_pending_profile_with_every_answer(
    harness: Harness, announced: list[int]
) -> None:
    await _member(harness)
    await _reach(harness, "summary")

    calls = await _press(harness, "mp:go")

    [profile] = await _profiles(harness.db)
    assert profile.user_id == WORKER_ID
    assert profile.status == ProfileStatus.pending
    assert (profile.gender, profile.birth_year) == ("f", _birth_year(30))
    assert (profile.city, profile.district) == ("郑州市", "二七区")
    assert (profile.education, profile.occupation, profile.height_cm) == (
        "vocational",
        "电子厂普工",
        162,
    )
    assert profile.intro == INTRO
    assert (profile.want_gender, profile.want_age_min, profile.want_age_max) == ("m", 28, 38)
    assert profile.want_districts == pack_districts(["中原区", "金水区"])
    assert profile.want_other == "不抽烟"
    assert profile.interests == interest_bits(["cooking", "outdoors"])
    assert profile.photo_file_id == "photo-large"
    assert profile.visibility == "members"
    assert (profile.paused, profile.hidden, profile.review_note) == (False, False, "")
    assert profile.consent_version == CONSENT_VERSION
    assert profile.tg_name == "阿强"
    assert await _flow(harness.db) is None
    assert announced == [profile.id]
    assert len(await _audits(harness.db, "match.profile.submit")) == 1
    assert t("zh", "mp-submitted-new") in _text(calls)


async def test_the_summary_shows_the_card_without_name_or_contact(harness: Harness) -> None:
    await _member(harness)

    calls = await _reach(harness, "summary")

    text = _last(calls).text
    for expected in ("电子厂普工", INTRO, "二七区", "162", t("zh", "mp-summary-photo-yes")):
        assert expected in text
    assert "阿强" not in text
    assert {"mp:go", "mp:chg", "mp:x"} <= set(_last(calls).callback_data)


async def test_pressing_submit_twice_stores_one_profile(
    harness: Harness, announced: list[int]
) -> None:
    await _member(harness)
    await _reach(harness, "summary")

    await _press(harness, "mp:go")
    again = await _press(harness, "mp:go")

    assert len(await _profiles(harness.db)) == 1
    assert len(announced) == 1
    assert _popup(again) == t("zh", "button-stale")


@pytest.mark.parametrize(
    ("step", "text", "kind"),
    [
        ("occupation", "快递员 13800138000", "phone"),
        ("intro", "人很老实，想认识的话加我微信 abc_12345 聊聊", "wechat"),
        ("intro", "我的主页 https://example.com/me 上有更多照片", "link"),
        ("want_other", "先打电话 一三八零零一三八零零零", "phone"),
    ],
)
async def test_contact_details_in_a_text_are_refused_and_nothing_is_stored(
    harness: Harness, step: str, text: str, kind: str
) -> None:
    await _member(harness)
    await _reach(harness, step)
    before = await _draft(harness.db)

    calls = await _say(harness, text)

    assert t("zh", f"match-contact-{kind}") in _text(calls)
    assert t("zh", "match-contact-why") in _text(calls)
    assert await _draft(harness.db) == before
    assert await _step(harness.db) == step


async def test_an_under_18_birth_year_is_refused(harness: Harness) -> None:
    await _member(harness)
    await _reach(harness, "birth_year")

    calls = await _say(harness, str(_birth_year(17)))

    assert t("zh", "mp-bad-too-young", limit=18) in _text(calls)
    assert await _step(harness.db) == "birth_year"
    assert (await _draft(harness.db))["birth_year"] is None


async def test_a_birth_year_must_be_four_digits(harness: Harness) -> None:
    await _member(harness)
    await _reach(harness, "birth_year")

    calls = await _say(harness, "九五年")

    assert t("zh", "mp-bad-year") in _text(calls)
    assert await _step(harness.db) == "birth_year"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("35-25", "mp-bad-age-order"),
        ("16-30", "mp-bad-age-bounds"),
        ("25-90", "mp-bad-age-bounds"),
        ("三十左右", "mp-bad-age-range"),
        ("25", "mp-bad-age-range"),
    ],
)
async def test_a_wrong_age_range_is_refused(harness: Harness, text: str, key: str) -> None:
    await _member(harness)
    await _reach(harness, "want_age")

    calls = await _say(harness, text)

    assert t("zh", key, low=18, high=80) in _text(calls)
    assert await _step(harness.db) == "want_age"
    assert (await _draft(harness.db))["want_min"] is None


@pytest.mark.parametrize("text", ["25到35", "25 35", "25～35岁"])
async def test_an_age_range_may_be_written_in_several_ways(harness: Harness, text: str) -> None:
    await _member(harness)
    await _reach(harness, "want_age")

    await _say(harness, text)

    draft = await _draft(harness.db)
    assert (draft["want_min"], draft["want_max"]) == (25, 35)
    assert await _step(harness.db) == "want_districts"


async def test_a_too_long_self_introduction_is_refused_with_the_limit(harness: Harness) -> None:
    await _member(harness)
    await _reach(harness, "intro")

    calls = await _say(harness, "很" * 301)

    assert t("zh", "mp-bad-too-long", limit=300) in _text(calls)
    assert await _step(harness.db) == "intro"


async def test_a_too_short_self_introduction_is_refused_with_the_minimum(
    harness: Harness,
) -> None:
    await _member(harness)
    await _reach(harness, "intro")

    calls = await _say(harness, "  你好  ")

    assert t("zh", "mp-bad-too-short", limit=MIN_INTRO) in _text(calls)
    assert await _step(harness.db) == "intro"


def test_contact_details_are_named_before_a_too_short_introduction() -> None:
    with pytest.raises(ProfileError) as caught:
        answer_text({}, "intro", "vx ab1234", today=date(2026, 1, 1))

    assert (caught.value.reason, caught.value.kind) == ("contact", "wechat")


async def test_typing_at_a_button_step_points_to_the_buttons(harness: Harness) -> None:
    await _member(harness)
    await _reach(harness, "education")

    calls = await _say(harness, "大专")

    assert t("zh", "mp-use-buttons") in _text(calls)
    assert "mp:e:college" in _last(calls).callback_data
    assert await _step(harness.db) == "education"


async def test_the_photo_step_keeps_the_largest_size(harness: Harness) -> None:
    await _member(harness)
    await _reach(harness, "photo")

    calls = await _sends_photo(harness)

    assert (await _draft(harness.db))["photo"] == "photo-large"
    assert await _step(harness.db) == "visibility"
    assert t("zh", "mp-photo-got") in _text(calls)


async def test_a_sticker_at_the_photo_step_gets_a_hint(harness: Harness) -> None:
    await _member(harness)
    await _reach(harness, "photo")

    calls = await harness.feed(sticker())

    assert t("zh", "mp-photo-only") in _text(calls)
    assert (await _draft(harness.db))["photo"] == ""
    assert await _step(harness.db) == "photo"


async def test_the_photo_and_height_may_be_skipped(harness: Harness) -> None:
    await _member(harness)
    await _reach(harness, "summary", height=_presses("mp:s:height"), photo=_presses("mp:s:photo"))

    await _press(harness, "mp:go")

    [profile] = await _profiles(harness.db)
    assert (profile.height_cm, profile.photo_file_id) == (None, "")


async def test_choosing_interests_toggles_and_stops_at_eight(harness: Harness) -> None:
    await _member(harness)
    await _reach(harness, "interests")
    keys = ["cooking", "sports", "music", "movies", "reading", "travel", "games", "pets"]
    for key in keys:
        await _press(harness, f"mp:i:{key}")
    await _press(harness, "mp:i:music")
    await _press(harness, "mp:i:crafts")

    refused = await _press(harness, "mp:i:dancing")

    assert _popup(refused) == t("zh", "mp-bad-too-many", limit=8)
    chosen = (await _draft(harness.db))["interests"]
    assert sorted(chosen) == sorted([k for k in keys if k != "music"] + ["crafts"])


async def test_interests_need_at_least_one_choice(harness: Harness) -> None:
    await _member(harness)
    await _reach(harness, "interests")

    calls = await _press(harness, "mp:dn:interests")

    assert _popup(calls) == t("zh", "mp-bad-too-few", limit=1)
    assert await _step(harness.db) == "interests"


async def test_wished_districts_toggle_with_a_check_mark(harness: Harness) -> None:
    await _member(harness)
    await _reach(harness, "want_districts")
    await _press(harness, "mp:wd:0")
    await _press(harness, "mp:wd:4")

    calls = await _press(harness, "mp:wd:0")

    assert (await _draft(harness.db))["want_districts"] == ["惠济区"]
    labels = [b["text"] for row in _last(calls).buttons for b in row]
    assert "✅ 惠济区" in labels
    assert "中原区" in labels


async def test_any_district_clears_the_wished_districts(harness: Harness) -> None:
    await _member(harness)
    await _reach(harness, "want_districts")
    await _press(harness, "mp:wd:2")

    await _press(harness, "mp:wd:any")

    assert (await _draft(harness.db))["want_districts"] == []
    assert await _step(harness.db) == "want_other"


async def test_back_returns_to_the_previous_question(harness: Harness) -> None:
    await _member(harness)
    await _reach(harness, "occupation")

    calls = await _press(harness, "mp:b:occupation")

    assert await _step(harness.db) == "education"
    assert t("zh", "mp-ask-education") in _text(calls)


@pytest.mark.parametrize(
    "data",
    ["mp:d:99", "mp:d:01", "mp:g:x", "mp:e:phd", "mp:i:money", "mp:zzz", "mp:go", "mp:b:intro"],
)
async def test_forged_or_misplaced_buttons_are_refused(harness: Harness, data: str) -> None:
    await _member(harness)
    await _reach(harness, "district")
    before = await _draft(harness.db)

    calls = await _press(harness, data)

    assert _popup(calls) == t("zh", "button-stale")
    assert await _draft(harness.db) == before
    assert await _step(harness.db) == "district"


async def test_a_new_match_command_continues_the_draft(harness: Harness) -> None:
    await _member(harness)
    await _reach(harness, "intro")

    calls = await _say(harness, "/match")

    assert t("zh", "mp-resume") in _text(calls)
    assert t("zh", "mp-ask-intro", min=10, limit=300) in _text(calls)
    assert (await _draft(harness.db))["occupation"] == "电子厂普工"


async def test_the_cancel_button_drops_the_draft(harness: Harness) -> None:
    await _member(harness)
    await _reach(harness, "intro")

    calls = await _press(harness, "mp:x")

    assert await _flow(harness.db) is None
    assert await _profiles(harness.db) == []
    assert t("zh", "mp-cancelled") in _text(calls)


# --- editing ----------------------------------------------------------------------------------


async def test_editing_an_approved_profile_sends_it_back_for_review(
    harness: Harness, announced: list[int]
) -> None:
    stored = await make_profile(harness.db, WORKER_ID, review_note="")
    edit = await _press(harness, "mp:edit")
    assert await _step(harness.db) == "summary"
    assert t("zh", "mp-edit-intro") in _text(edit)
    await _press(harness, "mp:chg")
    await _press(harness, "mp:f:occupation")

    await _say(harness, "外卖骑手")
    calls = await _press(harness, "mp:go")

    [profile] = await _profiles(harness.db)
    assert profile.id == stored.id
    assert profile.status == ProfileStatus.pending
    assert profile.occupation == "外卖骑手"
    assert profile.intro == stored.intro
    assert profile.interests == stored.interests
    assert announced == [stored.id]
    assert t("zh", "mp-submitted-edit") in _text(calls)


async def test_a_changes_request_shows_the_matchmakers_note_in_the_menu(harness: Harness) -> None:
    await make_profile(harness.db, WORKER_ID, status="changes", review_note="请写清楚职业")

    calls = await _say(harness, "/match")

    text = _last(calls).text
    assert "请写清楚职业" in text
    assert "mp:edit" in _last(calls).callback_data
    assert "ms:next" not in _last(calls).callback_data


async def test_an_approved_member_is_offered_suggestions_and_socials(harness: Harness) -> None:
    await make_profile(harness.db, WORKER_ID)

    calls = await _say(harness, "/match")

    assert t("zh", "mp-status-approved") in _last(calls).text
    assert {"ms:next", "me:list", "mp:view", "mp:pause", "mp:del"} <= set(
        _last(calls).callback_data
    )


async def test_a_hidden_profile_says_it_is_under_review_after_reports(harness: Harness) -> None:
    await make_profile(harness.db, WORKER_ID, hidden=True)

    calls = await _say(harness, "/match")

    assert t("zh", "mp-status-hidden") in _last(calls).text
    assert "ms:next" not in _last(calls).callback_data


async def test_opening_matchmaking_refreshes_the_telegram_name(harness: Harness) -> None:
    await make_profile(harness.db, WORKER_ID, tg_name="旧名字", tg_username="old")

    await _say(harness, "/match")

    [profile] = await _profiles(harness.db)
    assert (profile.tg_name, profile.tg_username) == ("阿强", "")


async def test_viewing_the_profile_shows_the_card_and_the_photo(harness: Harness) -> None:
    await make_profile(harness.db, WORKER_ID, photo_file_id="photo-x")

    calls = await _press(harness, "mp:view")

    photos = [c for c in calls if c.method == "sendPhoto"]
    assert [c.params["photo"] for c in photos] == ["photo-x"]
    assert "快递员" in _last(calls).text


# --- pause and resume -------------------------------------------------------------------------


async def test_pausing_hides_the_profile_and_resuming_brings_it_back(harness: Harness) -> None:
    await make_profile(harness.db, WORKER_ID)

    paused = await _press(harness, "mp:pause")

    assert (await _profiles(harness.db))[0].paused is True
    assert t("zh", "mp-paused") in _text(paused)
    assert "mp:resume" in _last(paused).callback_data
    assert "ms:next" not in _last(paused).callback_data

    await _press(harness, "mp:resume")

    assert (await _profiles(harness.db))[0].paused is False


async def test_pausing_twice_changes_nothing_the_second_time(harness: Harness) -> None:
    await make_profile(harness.db, WORKER_ID)
    await _press(harness, "mp:pause")

    again = await _press(harness, "mp:pause")

    assert t("zh", "mp-unchanged") in _text(again)
    assert (await _profiles(harness.db))[0].paused is True


# --- deleting ---------------------------------------------------------------------------------


async def _matchmaking_around(db: Database) -> None:
    """Decisions, suggestions, a pair, an introduction and reports by and about the worker."""
    now = utcnow()
    today = date.today()
    async with db.session() as session:
        session.add_all(
            [
                MatchDecision(user_id=WORKER_ID, target_id=OTHER_ID, decision="like"),
                MatchDecision(user_id=OTHER_ID, target_id=WORKER_ID, decision="like"),
                MatchDecision(user_id=THIRD_ID, target_id=OTHER_ID, decision="skip"),
                MatchSuggestion(user_id=WORKER_ID, target_id=OTHER_ID, day=today),
                MatchSuggestion(user_id=OTHER_ID, target_id=WORKER_ID, day=today),
                MatchSuggestion(user_id=THIRD_ID, target_id=OTHER_ID, day=today),
                MatchPair(a_id=WORKER_ID, b_id=OTHER_ID, source="like"),
                MatchPair(a_id=OTHER_ID, b_id=THIRD_ID, source="intro"),
                MatchIntro(proposer_id=THIRD_ID, a_id=WORKER_ID, b_id=OTHER_ID),
                MatchReport(reporter_id=OTHER_ID, target_id=WORKER_ID, reason="rude"),
                MatchReport(
                    reporter_id=THIRD_ID,
                    target_id=WORKER_ID,
                    reason="fake",
                    resolved_at=now,
                    resolution="kept",
                ),
                MatchReport(reporter_id=WORKER_ID, target_id=OTHER_ID, reason="money"),
            ]
        )
        await session.commit()


async def _rows(db: Database, model: Any) -> list[Any]:
    async with db.session() as session:
        return list((await session.exec(select(model))).all())


async def test_deleting_removes_the_profile_and_everything_made_from_it(
    harness: Harness,
) -> None:
    await make_profile(harness.db, WORKER_ID, photo_file_id="photo-x")
    await make_profile(harness.db, OTHER_ID, gender="f", want_gender="m")
    await _matchmaking_around(harness.db)
    await _press(harness, "mp:del")

    calls = await _press(harness, "mp:delok")

    assert [p.user_id for p in await _profiles(harness.db)] == [OTHER_ID]
    decisions = await _rows(harness.db, MatchDecision)
    assert [(d.user_id, d.target_id) for d in decisions] == [(THIRD_ID, OTHER_ID)]
    suggestions = await _rows(harness.db, MatchSuggestion)
    assert [(s.user_id, s.target_id) for s in suggestions] == [(THIRD_ID, OTHER_ID)]
    assert [(p.a_id, p.b_id) for p in await _rows(harness.db, MatchPair)] == [(OTHER_ID, THIRD_ID)]
    assert await _rows(harness.db, MatchIntro) == []
    reports = await _rows(harness.db, MatchReport)
    assert sorted((r.reporter_id, r.target_id) for r in reports) == [
        (WORKER_ID, OTHER_ID),  # filed by the worker: kept
        (THIRD_ID, WORKER_ID),  # resolved: kept
    ]
    text = _text(calls)
    for line in (
        t("zh", "mp-deleted-profile-photo"),
        t("zh", "mp-deleted-decisions", count=2),
        t("zh", "mp-deleted-suggestions", count=2),
        t("zh", "mp-deleted-pairs", count=1),
        t("zh", "mp-deleted-intros", count=1),
        t("zh", "mp-deleted-reports", count=1),
    ):
        assert line in text
    [record] = await _audits(harness.db, "match.profile.delete")
    assert record.detail["profile"] == 1
    assert record.detail["decisions"] == 2


async def test_deleting_asks_first_and_says_what_goes(harness: Harness) -> None:
    await make_profile(harness.db, WORKER_ID)

    calls = await _press(harness, "mp:del")

    assert t("zh", "mp-delete-ask") in _text(calls)
    assert _last(calls).callback_data == ["mp:delok", "mp:menu"]
    assert len(await _profiles(harness.db)) == 1


async def test_deleting_also_drops_a_draft_being_written(harness: Harness) -> None:
    await make_profile(harness.db, WORKER_ID)
    await _press(harness, "mp:edit")

    await _press(harness, "mp:delok")

    assert await _flow(harness.db) is None
    assert await _profiles(harness.db) == []


async def test_deleting_twice_says_there_is_nothing_left(harness: Harness) -> None:
    await make_profile(harness.db, WORKER_ID)
    await _press(harness, "mp:delok")

    again = await _press(harness, "mp:delok")

    assert t("zh", "mp-deleted-nothing") in _text(again)


async def test_forget_removes_the_profile_every_report_about_them_and_anonymises_filed_ones(
    harness: Harness,
) -> None:
    await make_profile(harness.db, WORKER_ID)
    await make_profile(harness.db, OTHER_ID, gender="f", want_gender="m")
    await _matchmaking_around(harness.db)
    await _say(harness, "/forget")

    calls = await _press(harness, "forget:yes")

    assert [p.user_id for p in await _profiles(harness.db)] == [OTHER_ID]
    assert await _rows(harness.db, MatchIntro) == []
    reports = await _rows(harness.db, MatchReport)
    assert sorted((r.reporter_id or 0, r.target_id) for r in reports) == [(0, OTHER_ID)]
    assert t("zh", "mp-forget-item") in _text(calls)
