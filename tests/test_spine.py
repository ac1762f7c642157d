"""The spine under every service: roles, redelivery, users, errors, flood and rate limits."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select
from telegram import Update
from telegram.request import RequestData

import bot.app
from bot import metrics
from bot.config import Settings
from bot.context import GongyouContext
from bot.core.models import AuditLog, FlowState, InboxItem, Role, User, utcnow
from bot.core.users import (
    LAST_SEEN_RESOLUTION,
    bootstrap_admins,
    grant_role,
    set_flow,
    touch_user,
)
from bot.db import Database
from bot.i18n import t
from bot.localapi import Call, LocalBotApi
from handlers.base import FLOW_HANDLERS
from knowledge.index import default_router
from tests.conftest import TOKEN, Harness
from tests.factories import ADMIN_ID, WORKER_ID, callback, message

OTHER_WORKER_ID = 444_444
ROLE_NAMES = ", ".join(r.value for r in Role)


def sent(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "sendMessage"]


def texts(calls: list[Call]) -> list[str]:
    return [c.text for c in sent(calls)]


async def rows(db: Database, model: Any) -> list[Any]:
    async with db.session() as session:
        return list((await session.exec(select(model))).all())


async def stored_user(db: Database, user_id: int) -> User | None:
    async with db.session() as session:
        return await session.get(User, user_id)


def outbound(method: str, outcome: str) -> float:
    """The OUTBOUND counter for one method and outcome."""
    value = metrics.REGISTRY.get_sample_value(
        "gongyou_outbound_calls_total", {"method": method, "outcome": outcome}
    )
    return value or 0.0


def retry_afters() -> float:
    return metrics.REGISTRY.get_sample_value("gongyou_retry_after_total") or 0.0


@asynccontextmanager
async def custom_harness(
    db: Database, database_url: str, **overrides: Any
) -> AsyncIterator[Harness]:
    """A second application over the test database, with settings of the test's choosing."""
    options: dict[str, Any] = {
        "bot_token": TOKEN,
        "database_url": database_url,
        "outbound_rate_limit": False,
        "admin_ids": [ADMIN_ID],
        "_env_file": None,
    }
    config = Settings(**{**options, **overrides})
    api = LocalBotApi(strict=True)
    app = bot.app.build_application(config, db=db, request=api, job_queue=False)
    await app.initialize()
    try:
        yield Harness(app, api, db)
    finally:
        await app.shutdown()
    assert not api.unexpected, f"unexpected Bot API calls: {api.unexpected}"


# Roles


async def test_a_worker_cannot_grant_roles(harness: Harness) -> None:
    calls = await harness.feed(message("/role add 5 staff"))

    assert texts(calls) == [t("zh", "role-refused")]
    assert await stored_user(harness.db, 5) is None


async def test_a_refused_role_command_writes_no_audit_record(harness: Harness) -> None:
    before = len(await rows(harness.db, AuditLog))

    await harness.feed(message("/role add 5 staff"))

    assert len(await rows(harness.db, AuditLog)) == before


async def test_the_admin_grants_a_role(harness: Harness) -> None:
    calls = await harness.feed(message("/role add 5 staff", user_id=ADMIN_ID))

    assert texts(calls) == [t("zh", "role-add-done", user="5", role="staff")]
    user = await stored_user(harness.db, 5)
    assert user is not None
    assert user.roles == ["staff"]


async def test_granting_a_role_is_audited_with_the_admin_as_actor(harness: Harness) -> None:
    await harness.feed(message("/role add 5 staff", user_id=ADMIN_ID))

    grants = [r for r in await rows(harness.db, AuditLog) if r.subject == "user:5"]
    assert [(r.action, r.actor_id, r.detail) for r in grants] == [
        ("role.grant", ADMIN_ID, {"role": "staff"})
    ]


async def test_a_granted_role_takes_effect_for_that_user(harness: Harness) -> None:
    await harness.feed(message(f"/role add {WORKER_ID} admin", user_id=ADMIN_ID))

    calls = await harness.feed(message("/role list"))

    holders = f"{WORKER_ID}: admin\n{ADMIN_ID}: admin"
    assert texts(calls) == [t("zh", "role-list", holders=holders)]


async def test_granting_a_role_twice_changes_nothing_the_second_time(harness: Harness) -> None:
    await harness.feed(message("/role add 5 staff", user_id=ADMIN_ID))

    calls = await harness.feed(message("/role add 5 staff", user_id=ADMIN_ID))

    assert texts(calls) == [t("zh", "role-add-unchanged", user="5", role="staff")]
    grants = [r for r in await rows(harness.db, AuditLog) if r.subject == "user:5"]
    assert len(grants) == 1


async def test_the_admin_removes_a_role(harness: Harness) -> None:
    await harness.feed(message("/role add 5 volunteer_legal", user_id=ADMIN_ID))

    calls = await harness.feed(message("/role remove 5 volunteer_legal", user_id=ADMIN_ID))

    assert texts(calls) == [t("zh", "role-remove-done", user="5", role="volunteer_legal")]
    user = await stored_user(harness.db, 5)
    assert user is not None
    assert user.roles == []


async def test_removing_a_role_is_audited_with_the_admin_as_actor(harness: Harness) -> None:
    await harness.feed(message("/role add 5 staff", user_id=ADMIN_ID))
    await harness.feed(message("/role remove 5 staff", user_id=ADMIN_ID))

    audited = [r for r in await rows(harness.db, AuditLog) if r.subject == "user:5"]
    assert sorted((r.action, r.actor_id, r.detail["role"]) for r in audited) == [
        ("role.grant", ADMIN_ID, "staff"),
        ("role.revoke", ADMIN_ID, "staff"),
    ]


async def test_removing_a_role_the_user_lacks_changes_nothing(harness: Harness) -> None:
    before = len(await rows(harness.db, AuditLog))

    calls = await harness.feed(message("/role remove 5 staff", user_id=ADMIN_ID))

    assert texts(calls) == [t("zh", "role-remove-unchanged", user="5", role="staff")]
    assert len(await rows(harness.db, AuditLog)) == before
    assert await stored_user(harness.db, 5) is None


async def test_removing_one_role_keeps_the_others(harness: Harness) -> None:
    await harness.feed(message("/role add 5 staff", user_id=ADMIN_ID))
    await harness.feed(message("/role add 5 volunteer_match", user_id=ADMIN_ID))

    await harness.feed(message("/role remove 5 staff", user_id=ADMIN_ID))

    user = await stored_user(harness.db, 5)
    assert user is not None
    assert user.roles == ["volunteer_match"]


@pytest.mark.parametrize(
    "command",
    [
        "/role",
        "/role add",
        "/role add 5",
        "/role add five staff",
        "/role add 5 boss",
        "/role give 5 staff",
        "/role add 5 staff now",
    ],
)
async def test_bad_role_usage_gets_the_usage_and_changes_nothing(
    harness: Harness, command: str
) -> None:
    before = await rows(harness.db, AuditLog)

    calls = await harness.feed(message(command, user_id=ADMIN_ID))

    assert texts(calls) == [t("zh", "role-usage", roles=ROLE_NAMES)]
    assert len(await rows(harness.db, AuditLog)) == len(before)


async def test_a_user_id_too_big_for_telegram_gets_the_usage(harness: Harness) -> None:
    calls = await harness.feed(message("/role add 99999999999999999999 staff", user_id=ADMIN_ID))

    assert texts(calls) == [t("zh", "role-usage", roles=ROLE_NAMES)]


async def test_role_list_lists_every_holder_with_their_roles(harness: Harness) -> None:
    await harness.feed(message("/role add 5 staff", user_id=ADMIN_ID))
    await harness.feed(message("/role add 5 volunteer_legal", user_id=ADMIN_ID))

    calls = await harness.feed(message("/role list", user_id=ADMIN_ID))

    holders = f"5: staff, volunteer_legal\n{ADMIN_ID}: admin"
    assert texts(calls) == [t("zh", "role-list", holders=holders)]


async def test_role_list_leaves_out_users_without_roles(harness: Harness) -> None:
    await harness.feed(message("/start"))

    calls = await harness.feed(message("/role list", user_id=ADMIN_ID))

    assert texts(calls) == [t("zh", "role-list", holders=f"{ADMIN_ID}: admin")]


async def test_bootstrap_grants_the_configured_admins(db: Database) -> None:
    async with db.session() as session:
        changed = await bootstrap_admins(session, admin_ids=[1, 2])

    assert changed == [1, 2]
    assert {u.id: u.roles for u in await rows(db, User)} == {1: ["admin"], 2: ["admin"]}
    assert [(r.action, r.actor_id, r.subject) for r in await rows(db, AuditLog)] == [
        ("role.grant", None, "user:1"),
        ("role.grant", None, "user:2"),
    ]


async def test_bootstrapping_admins_again_changes_nothing(db: Database) -> None:
    async with db.session() as session:
        await bootstrap_admins(session, admin_ids=[1, 2])
    async with db.session() as session:
        changed = await bootstrap_admins(session, admin_ids=[1, 2])

    assert changed == []
    assert len(await rows(db, AuditLog)) == 2
    assert {u.id: u.roles for u in await rows(db, User)} == {1: ["admin"], 2: ["admin"]}


async def test_bootstrap_keeps_other_roles_an_admin_already_has(db: Database) -> None:
    async with db.session() as session:
        await bootstrap_admins(session, admin_ids=[])
        await grant_role(session, actor_id=None, user_id=1, role=Role.staff)
        await bootstrap_admins(session, admin_ids=[1])

    user = await stored_user(db, 1)
    assert user is not None
    assert user.roles == ["admin", "staff"]


# Redelivered updates


async def test_a_redelivered_update_is_answered_only_once(harness: Harness) -> None:
    payload = message("/menu")

    first = await harness.feed(payload)
    second = await harness.feed(payload)

    assert texts(first) == [t("zh", "menu")]
    assert second == []


async def test_a_redelivered_update_is_recorded_once(harness: Harness) -> None:
    payload = message("/menu")

    await harness.feed(payload)
    await harness.feed(payload)

    ids = [r.update_id for r in await rows(harness.db, InboxItem)]
    assert ids == [payload["update_id"]]


async def test_a_redelivered_language_change_is_not_applied_twice(harness: Harness) -> None:
    change = message("/lang en")
    await harness.feed(change)
    await harness.feed(message("/lang zh"))

    assert await harness.feed(change) == []

    user = await stored_user(harness.db, WORKER_ID)
    assert user is not None
    assert user.language == "zh"


# Users


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("zh-hans", "zh"),
        ("zh-TW", "zh"),
        ("en-GB", "en"),
        ("en", "en"),
        (None, "zh"),
        ("fr", "zh"),
    ],
)
async def test_a_new_user_gets_the_language_of_their_telegram_app(
    harness: Harness, code: str | None, language: str
) -> None:
    await harness.feed(message("/menu", lang=code))

    user = await stored_user(harness.db, WORKER_ID)
    assert user is not None
    assert user.language == language


async def test_a_new_user_row_records_when_they_were_first_and_last_seen(
    harness: Harness,
) -> None:
    before = utcnow()

    await harness.feed(message("/menu"))

    user = await stored_user(harness.db, WORKER_ID)
    assert user is not None
    assert user.roles == []
    assert before - timedelta(seconds=1) <= user.first_seen <= utcnow()
    assert user.last_seen == user.first_seen


async def test_a_stored_language_wins_over_the_telegram_app_language(harness: Harness) -> None:
    await harness.feed(message("/menu", lang="en-GB"))

    calls = await harness.feed(message("/menu", lang="zh-hans"))

    assert texts(calls) == [t("en", "menu")]


async def test_a_bot_sender_gets_no_user_row(harness: Harness) -> None:
    payload = message("/menu", user_id=OTHER_WORKER_ID)
    payload["message"]["from"]["is_bot"] = True

    await harness.feed(payload)

    assert await stored_user(harness.db, OTHER_WORKER_ID) is None


async def test_last_seen_is_not_rewritten_on_every_update(db: Database) -> None:
    start = utcnow()
    async with db.session() as session:
        await touch_user(session, user_id=9, language="zh", now=start)
        await session.commit()
        await touch_user(session, user_id=9, language="zh", now=start + LAST_SEEN_RESOLUTION / 2)
        await session.commit()

    user = await stored_user(db, 9)
    assert user is not None
    assert abs(user.last_seen - start) < timedelta(milliseconds=1)


async def test_last_seen_is_refreshed_after_a_while_and_first_seen_kept(db: Database) -> None:
    start = utcnow()
    later = start + LAST_SEEN_RESOLUTION
    async with db.session() as session:
        await touch_user(session, user_id=9, language="zh", now=start)
        await session.commit()
        await touch_user(session, user_id=9, language="en", now=later)
        await session.commit()

    user = await stored_user(db, 9)
    assert user is not None
    assert abs(user.last_seen - later) < timedelta(milliseconds=1)
    assert abs(user.first_seen - start) < timedelta(milliseconds=1)
    assert user.language == "zh"


# Errors


def reject_second_answers(api: LocalBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse a second answer to the same callback query, as Telegram does."""
    answered: set[str] = set()
    answer_once = api.do_request

    async def do_request(
        url: str, method: str, request_data: RequestData | None = None, *args: Any, **kw: Any
    ) -> tuple[int, bytes]:
        if url.endswith("/answerCallbackQuery") and request_data is not None:
            query_id = str(request_data.parameters["callback_query_id"])
            if query_id in answered:
                return 400, json.dumps(
                    {
                        "ok": False,
                        "error_code": 400,
                        "description": "Bad Request: query is too old and response timeout "
                        "expired or query ID is invalid",
                    }
                ).encode()
            answered.add(query_id)
        return await answer_once(url, method, request_data, *args, **kw)

    monkeypatch.setattr(api, "do_request", do_request)


def _raise(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("boom")


async def test_a_failing_handler_tells_the_user_in_their_language(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(default_router(), "route", _raise)

    calls = await harness.feed(message("hello", lang="en-GB"))

    assert texts(calls) == [t("en", "error-generic")]


async def test_a_failing_handler_tells_a_chinese_user_in_chinese(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("handlers.router.plan_reply", _raise)

    calls = await harness.feed(message("你好"))

    assert texts(calls) == [t("zh", "error-generic")]


async def test_a_button_that_fails_before_answering_is_answered_and_explained(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(default_router(), "entry", _raise)

    calls = await harness.feed(callback("a:faq.legal_aid_line"))

    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    assert calls[1].text == t("zh", "error-generic")


async def test_a_button_that_fails_after_answering_still_explains(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("handlers.common.show_menu", _raise)

    calls = await harness.feed(callback("m:menu"))

    assert calls[0].method == "answerCallbackQuery"
    assert texts(calls) == [t("zh", "error-generic")]


async def test_a_failing_button_explains_even_when_telegram_refuses_a_second_answer(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    reject_second_answers(harness.api, monkeypatch)
    monkeypatch.setattr("handlers.common.show_menu", _raise)

    calls = await harness.feed(callback("m:menu"))

    assert texts(calls) == [t("zh", "error-generic")]


async def test_a_failing_handler_leaves_nothing_half_written(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def write_then_fail(update: Update, context: GongyouContext, state: FlowState) -> None:
        context.db.add(AuditLog(actor_id=WORKER_ID, action="test.half", subject="x"))
        state.step = "half-done"
        context.db.add(state)
        await context.db.flush()
        raise RuntimeError("boom after writing")

    monkeypatch.setitem(FLOW_HANDLERS, "test_half", write_then_fail)
    async with harness.db.session() as session:
        await set_flow(session, user_id=WORKER_ID, flow="test_half", step="start", data={})

    calls = await harness.feed(message("第一步"))

    assert texts(calls) == [t("zh", "error-generic")]
    assert [r.action for r in await rows(harness.db, AuditLog) if r.actor_id == WORKER_ID] == []
    assert [s.step for s in await rows(harness.db, FlowState)] == ["start"]


async def test_the_update_after_a_failure_is_handled_normally(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr("handlers.router.plan_reply", _raise)
        await harness.feed(message("你好"))

    calls = await harness.feed(message("/menu"))

    assert texts(calls) == [t("zh", "menu")]


async def test_a_database_failure_while_receiving_gets_the_error_reply(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.app, "admit_update", _raise)

    calls = await harness.feed(message("/menu", user_id=OTHER_WORKER_ID, lang="en-GB"))

    assert texts(calls)[0] == t("en", "error-generic")
    assert await stored_user(harness.db, OTHER_WORKER_ID) is None


async def test_a_database_failure_while_receiving_gets_only_the_error_reply(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.app, "admit_update", _raise)

    calls = await harness.feed(message("/menu", user_id=OTHER_WORKER_ID, lang="en-GB"))

    assert texts(calls) == [t("en", "error-generic")]


async def test_a_failure_is_counted_in_the_error_metric(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def errors() -> float:
        value = metrics.REGISTRY.get_sample_value("gongyou_errors_total", {"kind": "RuntimeError"})
        return value or 0.0

    before = errors()
    monkeypatch.setattr("handlers.router.plan_reply", _raise)

    await harness.feed(message("你好"))

    assert errors() == before + 1


# Flood control


async def test_flood_control_answers_up_to_the_limit_and_sends_one_notice(
    db: Database, database_url: str
) -> None:
    async with custom_harness(db, database_url, flood_limit="3 per 1 minute") as flood:
        replies = [texts(await flood.feed(message("/menu"))) for _ in range(6)]

    assert replies == [
        [t("zh", "menu")],
        [t("zh", "menu")],
        [t("zh", "menu")],
        [t("zh", "flood-notice")],
        [],
        [],
    ]


async def test_flood_control_counts_each_user_separately(db: Database, database_url: str) -> None:
    async with custom_harness(db, database_url, flood_limit="3 per 1 minute") as flood:
        for _ in range(6):
            await flood.feed(message("/menu"))

        calls = await flood.feed(message("/menu", user_id=OTHER_WORKER_ID))

    assert texts(calls) == [t("zh", "menu")]


async def test_flood_control_speaks_the_users_language(db: Database, database_url: str) -> None:
    async with custom_harness(db, database_url, flood_limit="1 per 1 minute") as flood:
        await flood.feed(message("/menu", lang="en-GB"))
        calls = await flood.feed(message("/menu", lang="en-GB"))

    assert texts(calls) == [t("en", "flood-notice")]


# Outbound limits and metrics


async def test_the_outbound_limiter_retries_after_telegram_asks_to_wait(
    db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Opt in to PTB's timedelta periods so that building RetryAfter raises no deprecation warning.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with custom_harness(db, database_url, outbound_rate_limit=True) as limited:
        limited.api.fail_next(
            "sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1
        )
        started = time.monotonic()
        calls = await limited.feed(message("/menu"))
        waited = time.monotonic() - started

    assert [c.text for c in sent(calls)] == [t("zh", "menu"), t("zh", "menu")]
    assert 1.0 <= waited < 3.0


async def test_a_retry_after_answer_is_counted(
    db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with custom_harness(db, database_url, outbound_rate_limit=True) as limited:
        limited.api.fail_next(
            "sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1
        )
        before = (retry_afters(), outbound("sendMessage", "429"), outbound("sendMessage", "ok"))
        await limited.feed(message("/menu"))
        after = (retry_afters(), outbound("sendMessage", "429"), outbound("sendMessage", "ok"))

    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1]


async def test_every_outbound_call_is_counted_by_method(harness: Harness) -> None:
    before = outbound("sendMessage", "ok"), outbound("answerCallbackQuery", "ok")

    await harness.feed(message("/menu"))
    await harness.feed(callback("m:menu"))

    after = outbound("sendMessage", "ok"), outbound("answerCallbackQuery", "ok")
    assert (after[0] - before[0], after[1] - before[1]) == (2, 1)


async def test_a_failed_outbound_call_is_counted_with_its_status(harness: Harness) -> None:
    before = outbound("sendMessage", "403")
    harness.api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")

    calls = await harness.feed(message("/menu"))

    assert outbound("sendMessage", "403") == before + 1
    assert len(sent(calls)) == 1  # a blocked user is not told about the error
