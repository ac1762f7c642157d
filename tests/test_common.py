"""What every user meets: /start, /help, /menu, /lang, /cancel, the text router, the catch-alls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select
from telegram import Update

from bot.core.models import AuditLog, FlowState, User
from bot.core.users import get_flow, set_flow
from bot.db import Database
from bot.i18n import t
from bot.localapi import Call
from handlers.base import FLOW_HANDLERS, register_flow
from handlers.base import MENU as SERVICES
from handlers.router import MAX_TEXT
from knowledge.index import default_router
from knowledge.router import Decision, Intent
from tests.conftest import Harness
from tests.factories import ADMIN_ID, WORKER_ID, callback, location, message, sticker

MAIN_MENU = ["m:jobs", "m:legal", "m:match", "m:station", "lang", "help"]
SERVICE_BUTTONS = [f"m:{s}" for s in SERVICES]
BACK_TO_MENU = ["m:menu"]
TEST_FLOW = "test_echo"


def sent(calls: list[Call]) -> list[Call]:
    """Only the messages the bot sent."""
    return [c for c in calls if c.method == "sendMessage"]


def only_message(calls: list[Call]) -> Call:
    """The one message the bot sent in answer to an update."""
    messages = sent(calls)
    assert len(messages) == 1, [(c.method, c.text) for c in calls]
    return messages[0]


def service_text(lang: str, service: str) -> str:
    """The first reply of a service (its menu, or 'not available yet')."""
    if service == "jobs":
        return t(lang, "jobs-menu")
    if service == "legal":
        return t(lang, "lg-menu")
    if service == "match":  # members only: an unverified worker is asked to prove membership
        return t(lang, "mv-intro")
    return t(
        lang, "service-soon", service=t(lang, f"btn-{service}"), about=t(lang, f"about-{service}")
    )


async def stored_user(db: Database, user_id: int) -> User | None:
    async with db.session() as session:
        return await session.get(User, user_id)


async def snapshot(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Everything a user action could change (processed update ids aside)."""
    out = {}
    async with db.session() as session:
        for model in (User, FlowState, AuditLog):
            rows = (await session.exec(select(model))).all()
            out[model.__name__] = sorted((r.model_dump() for r in rows), key=repr)
    return out


async def start_flow(db: Database, flow: str, step: str = "ask", user_id: int = WORKER_ID) -> None:
    async with db.session() as session:
        await set_flow(session, user_id=user_id, flow=flow, step=step, data={"n": 1})


async def flow_of(db: Database, user_id: int = WORKER_ID) -> FlowState | None:
    async with db.session() as session:
        return await get_flow(session, user_id=user_id)


@pytest.fixture
def echo_flow() -> Iterator[list[tuple[str, str]]]:
    """A flow registered for one test: records and echoes the text it receives."""
    seen: list[tuple[str, str]] = []

    async def handler(update: Update, context: Any, state: FlowState) -> None:
        text = update.effective_message.text if update.effective_message else ""
        seen.append((state.step, text or ""))
        await context.bot.send_message(update.effective_chat.id, f"echo {state.step}: {text}")

    register_flow(TEST_FLOW, handler)
    yield seen
    FLOW_HANDLERS.pop(TEST_FLOW, None)


# /start


async def test_start_welcomes_a_chinese_user_with_the_main_menu(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("/start", lang="zh-hans")))

    assert reply.text == t("zh", "welcome")
    assert reply.callback_data == MAIN_MENU


async def test_start_welcomes_an_english_user_in_english(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("/start", lang="en-GB")))

    assert reply.text == t("en", "welcome")
    assert reply.callback_data == MAIN_MENU


async def test_the_main_menu_labels_the_four_services_in_the_users_language(
    harness: Harness,
) -> None:
    reply = only_message(await harness.feed(message("/start", lang="en-GB")))

    labels = [b["text"] for row in reply.buttons for b in row][:4]
    assert labels == [t("en", f"btn-{s}") for s in SERVICES]


@pytest.mark.parametrize(
    ("payload", "service"),
    [
        ("jobs", "jobs"),
        ("legal", "legal"),
        ("match", "match"),
    ],
)
async def test_a_start_deep_link_opens_its_service(
    harness: Harness, payload: str, service: str
) -> None:
    reply = only_message(await harness.feed(message(f"/start {payload}")))

    assert reply.text.startswith(service_text("zh", service))
    if service not in ("jobs", "legal", "match"):
        assert reply.callback_data == BACK_TO_MENU


async def test_the_stations_deep_link_asks_for_a_location(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("/start stations")))

    assert reply.text == t("zh", "st-ask-where")
    assert reply.params["reply_markup"]["keyboard"][0][0]["request_location"] is True


async def test_a_station_deep_link_opens_that_station(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("/start st_12")))

    assert reply.text == t("zh", "st-not-found")  # no station 12 in an empty database


async def test_the_lang_en_deep_link_stores_english_and_answers_in_english(
    harness: Harness,
) -> None:
    reply = only_message(await harness.feed(message("/start lang_en", lang="zh-hans")))

    assert reply.text == t("en", "lang-set")
    user = await stored_user(harness.db, WORKER_ID)
    assert user is not None
    assert user.language == "en"


async def test_an_unknown_deep_link_just_shows_the_welcome(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("/start lang_fr")))

    assert reply.text == t("zh", "welcome")


# /help and /menu


async def test_help_for_a_worker_has_no_staff_or_admin_section(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("/help")))

    assert reply.text == t("zh", "help")
    assert "/role" not in reply.text
    assert reply.callback_data == BACK_TO_MENU


async def test_help_for_the_admin_adds_the_role_commands(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("/help", user_id=ADMIN_ID)))

    assert reply.text == "\n\n".join(
        [
            t("zh", "help"),
            t("zh", "help-volunteer-legal"),
            t("zh", "help-volunteer-match"),
            t("zh", "help-staff"),
            t("zh", "help-admin"),
        ]
    )
    assert "/role add" in reply.text


async def test_help_for_staff_adds_the_staff_section_only(harness: Harness) -> None:
    await harness.feed(message(f"/role add {WORKER_ID} staff", user_id=ADMIN_ID))

    reply = only_message(await harness.feed(message("/help")))

    assert reply.text == f"{t('zh', 'help')}\n\n{t('zh', 'help-staff')}"
    assert "/role" not in reply.text


async def test_the_help_button_shows_help(harness: Harness) -> None:
    calls = await harness.feed(callback("help"))

    assert calls[0].method == "answerCallbackQuery"
    assert only_message(calls).text == t("zh", "help")


async def test_menu_shows_the_main_menu(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("/menu")))

    assert reply.text == t("zh", "menu")
    assert reply.callback_data == MAIN_MENU


async def test_the_main_menu_button_shows_the_main_menu(harness: Harness) -> None:
    calls = await harness.feed(callback("m:menu", lang="en"))

    assert calls[0].method == "answerCallbackQuery"
    assert only_message(calls).text == t("en", "menu")


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_button_opens_that_service(harness: Harness, service: str) -> None:
    calls = await harness.feed(callback(f"m:{service}"))

    assert calls[0].method == "answerCallbackQuery"
    expected = t("zh", "st-ask-where") if service == "station" else service_text("zh", service)
    assert only_message(calls).text.startswith(expected)


# /lang


async def test_lang_without_an_argument_offers_both_languages(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("/lang")))

    assert reply.text == t("zh", "lang-choose")
    assert reply.callback_data == ["lang:zh", "lang:en"]


async def test_the_language_button_of_the_menu_offers_both_languages(harness: Harness) -> None:
    reply = only_message(await harness.feed(callback("lang")))

    assert reply.callback_data == ["lang:zh", "lang:en"]


async def test_lang_en_stores_english_for_the_user(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("/lang en")))

    assert reply.text == t("en", "lang-set")
    assert reply.callback_data == MAIN_MENU
    user = await stored_user(harness.db, WORKER_ID)
    assert user is not None
    assert user.language == "en"


async def test_the_lang_en_button_stores_english_for_the_user(harness: Harness) -> None:
    calls = await harness.feed(callback("lang:en"))

    assert calls[0].method == "answerCallbackQuery"
    assert only_message(calls).text == t("en", "lang-set")
    user = await stored_user(harness.db, WORKER_ID)
    assert user is not None
    assert user.language == "en"


async def test_after_choosing_english_later_replies_are_english(harness: Harness) -> None:
    await harness.feed(message("/lang en", lang="zh-hans"))

    reply = only_message(await harness.feed(message("/menu", lang="zh-hans")))

    assert reply.text == t("en", "menu")


async def test_an_english_user_can_switch_to_chinese(harness: Harness) -> None:
    await harness.feed(message("/lang zh", lang="en-GB"))

    reply = only_message(await harness.feed(message("/menu", lang="en-GB")))

    assert reply.text == t("zh", "menu")
    user = await stored_user(harness.db, WORKER_ID)
    assert user is not None
    assert user.language == "zh"


async def test_lang_with_an_unknown_language_offers_the_buttons(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("/lang fr")))

    assert reply.text == t("zh", "lang-choose")
    user = await stored_user(harness.db, WORKER_ID)
    assert user is not None
    assert user.language == "zh"


# The free-text router


def legal_answer(lang: str, calls: list[Call]) -> Call:
    """The legal FAQ's answer among the calls: its disclaimer and its 'did this help' buttons."""
    reply = only_message(calls)
    assert t(lang, "lg-disclaimer") in reply.text
    assert any(data.startswith("lg:y:") for data in reply.callback_data)
    return reply


async def test_a_confident_chinese_message_goes_straight_to_legal_help(harness: Harness) -> None:
    legal_answer("zh", await harness.feed(message("老板拖欠工资三个月了")))


async def test_a_confident_english_message_goes_straight_to_legal_help(harness: Harness) -> None:
    legal_answer("en", await harness.feed(message("my boss didnt pay my wages", lang="en-GB")))


async def test_a_greeting_gets_the_answer_of_its_knowledge_entry(harness: Harness) -> None:
    entry = default_router().route("你好").best
    assert entry is not None
    assert entry.intent is Intent.smalltalk

    reply = only_message(await harness.feed(message("你好")))

    assert reply.text == entry.entry.answer["zh"]
    assert reply.callback_data == []


async def test_an_english_greeting_gets_the_english_answer(harness: Harness) -> None:
    entry = default_router().route("hello").best
    assert entry is not None

    reply = only_message(await harness.feed(message("hello", lang="en-GB")))

    assert reply.text == entry.entry.answer["en"]


async def test_an_unsure_message_asks_which_service_with_a_few_buttons(harness: Harness) -> None:
    text = "老板"  # a boss who hires, or a boss who does not pay?
    assert default_router().route(text).decision is Decision.ask

    reply = only_message(await harness.feed(message(text)))

    assert reply.text == t("zh", "router-unsure")
    assert 2 <= len(reply.callback_data) <= 4
    assert reply.callback_data[-1] == "m:menu"
    router = default_router()
    for data in reply.callback_data[:-1]:
        kind, value = data.split(":")
        assert (kind == "m" and value in (*SERVICES, "union")) or (
            kind == "a" and router.entry(value)
        )


async def test_an_answer_button_sends_the_entrys_answer(harness: Harness) -> None:
    entry = next(
        e for e in default_router().entries if e.intent is Intent.faq and "en" in e.answer
    )

    calls = await harness.feed(callback(f"a:{entry.id}", lang="en-GB"))

    assert calls[0].method == "answerCallbackQuery"
    assert only_message(calls).text == entry.answer["en"]


async def test_gibberish_gets_router_unknown_with_the_service_buttons(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("zzzz qqqq")))

    assert reply.text == t("zh", "router-unknown")
    assert reply.callback_data == SERVICE_BUTTONS


async def test_emoji_only_gets_router_unknown(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("🙂🙂🙂", lang="en")))

    assert reply.text == t("en", "router-unknown")


async def test_overlong_text_is_not_routed_but_answered_with_text_too_long(
    harness: Harness,
) -> None:
    reply = only_message(await harness.feed(message("欠薪" * (MAX_TEXT // 2) + "!")))

    assert reply.text == t("zh", "text-too-long", limit=MAX_TEXT)


async def test_text_of_exactly_the_limit_is_still_routed(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("z" * MAX_TEXT)))

    assert reply.text != t("zh", "text-too-long", limit=MAX_TEXT)


# Other kinds of messages


async def test_a_shared_location_goes_to_the_station_service(harness: Harness) -> None:
    reply = only_message(await harness.feed(location(31.23, 121.47)))

    assert reply.text == t("zh", "st-none-at-all")  # the station service, with no stations


async def test_a_sticker_gets_a_hint_and_the_menu(harness: Harness) -> None:
    reply = only_message(await harness.feed(sticker(lang="en-GB")))

    assert reply.text == t("en", "hint-other")
    assert reply.callback_data == MAIN_MENU


async def test_an_unknown_command_points_to_help(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("/frobnicate now")))

    assert reply.text == t("zh", "unknown-command")


# Buttons that are forged, old or unknown


@pytest.mark.parametrize(
    "data",
    ["m:evil", "zzz", "a:nonexistent", "lang:fr", "m:" + "A" * 62, "\u00ff" * 32],
    ids=[
        "unknown-service",
        "no-prefix",
        "unknown-answer",
        "unknown-language",
        "junk-64",
        "junk-64-bytes-utf8",
    ],
)
async def test_a_forged_button_gets_an_alert_and_changes_nothing(
    harness: Harness, data: str
) -> None:
    await harness.feed(message("/start"))
    before = await snapshot(harness.db)

    calls = await harness.feed(callback(data))

    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == t("zh", "button-stale")
    assert calls[0].params["show_alert"] is True
    assert await snapshot(harness.db) == before


# /cancel and flows


async def test_cancel_without_a_flow_says_there_is_nothing_to_cancel(harness: Harness) -> None:
    reply = only_message(await harness.feed(message("/cancel")))

    assert reply.text == t("zh", "cancel-nothing")
    assert reply.callback_data == MAIN_MENU


async def test_cancel_in_a_flow_leaves_it_and_deletes_its_state(harness: Harness) -> None:
    await start_flow(harness.db, TEST_FLOW)

    reply = only_message(await harness.feed(message("/cancel")))

    assert reply.text == t("zh", "cancel-done")
    assert await flow_of(harness.db) is None


async def test_cancel_in_english_out_of_a_share_button_flow_ends_with_the_menu(
    harness: Harness,
) -> None:
    await harness.feed(message("/match", lang="en"))

    calls = [c for c in await harness.feed(message("/cancel", lang="en")) if c.text]

    assert calls[0].text == t("en", "cancel-done")
    assert calls[0].params["reply_markup"] == {"remove_keyboard": True}
    assert calls[-1].text == t("en", "menu")
    assert calls[-1].callback_data == MAIN_MENU


async def test_cancel_leaves_other_users_flows_alone(harness: Harness) -> None:
    await start_flow(harness.db, TEST_FLOW, user_id=ADMIN_ID)

    await harness.feed(message("/cancel"))

    assert await flow_of(harness.db, ADMIN_ID) is not None


async def test_free_text_in_a_flow_goes_to_the_flow_handler(
    harness: Harness, echo_flow: list[tuple[str, str]]
) -> None:
    await start_flow(harness.db, TEST_FLOW, step="name")

    reply = only_message(await harness.feed(message("老板拖欠工资三个月了")))

    assert echo_flow == [("name", "老板拖欠工资三个月了")]
    assert reply.text == "echo name: 老板拖欠工资三个月了"


async def test_a_command_in_a_flow_is_still_a_command(
    harness: Harness, echo_flow: list[tuple[str, str]]
) -> None:
    await start_flow(harness.db, TEST_FLOW)

    reply = only_message(await harness.feed(message("/menu")))

    assert echo_flow == []
    assert reply.text == t("zh", "menu")


async def test_a_flow_nobody_handles_is_cleared_and_the_text_routed(harness: Harness) -> None:
    await start_flow(harness.db, "retired_flow")

    legal_answer("zh", await harness.feed(message("老板拖欠工资三个月了")))
    assert await flow_of(harness.db) is None


async def test_forget_asks_for_confirmation_before_deleting(harness: Harness) -> None:
    calls = await harness.feed(message("/forget"))
    assert calls[-1].text == t("zh", "forget-ask")
    assert calls[-1].callback_data == ["forget:yes", "forget:no"]
    async with harness.db.session() as session:
        assert await session.get(User, WORKER_ID) is not None


async def test_forget_confirmed_deletes_the_user_row_and_flow_and_says_what_went(
    harness: Harness,
) -> None:
    await harness.feed(message("/start"))
    async with harness.db.session() as session:
        await set_flow(session, user_id=WORKER_ID, flow="legal", step="employer", data={})
    texts = await harness.texts(callback("forget:yes"))
    assert texts[-1].startswith(t("zh", "forget-done", items="").splitlines()[0])
    assert t("zh", "forget-item-profile") in texts[-1]
    assert t("zh", "forget-item-flow") in texts[-1]
    async with harness.db.session() as session:
        assert await session.get(User, WORKER_ID) is None
        assert await session.get(FlowState, WORKER_ID) is None
        records = (await session.exec(select(AuditLog))).all()
    [forgot] = [r for r in records if r.action == "user.forget"]
    # the record stands for the user by a keyed pseudonym, never by the id (tests/test_privacy.py)
    assert forgot.subject.startswith("user:~")
    assert str(WORKER_ID) not in forgot.subject


async def test_forget_declined_keeps_everything(harness: Harness) -> None:
    await harness.feed(message("/start"))
    texts = await harness.texts(callback("forget:no"))
    assert texts == [t("zh", "forget-kept")]
    async with harness.db.session() as session:
        assert await session.get(User, WORKER_ID) is not None


async def test_a_worker_who_forgot_starts_afresh_on_the_next_message(harness: Harness) -> None:
    await harness.feed(message("/lang en", lang="zh-hans"))
    await harness.feed(callback("forget:yes"))
    texts = await harness.texts(message("/start", lang="zh-hans"))
    assert texts == [t("zh", "welcome")]
    async with harness.db.session() as session:
        user = await session.get(User, WORKER_ID)
    assert user is not None
    assert user.language == "zh"
