"""The panel's broadcasts: compose, preview, send once, live progress, steering and history."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import ClientResponse
from sqlalchemy import func, insert, select

from bot.app import encoders
from bot.config import Settings
from bot.core.models import utcnow
from bot.core.privacy import export_user
from bot.core.tables import AUDIT
from bot.core.users import USERS, forget_user
from bot.db import Database
from bot.jobs.broadcast import BROADCASTS, BroadcastSender
from bot.jobs.core import SEEKERS
from bot.panel.drafts import DRAFTS, add_draft, take_draft
from bot.panel.guard import COOKIE
from handlers.notifier import TelegramNotifier
from tests.conftest import Harness
from tests.panel_helpers import PREFIX, Panel, panel_client, signed_in

STAFF = 500_301
JINSHUI, ERQI, ANYWHERE = 900_101, 900_102, 900_103
TOKEN = re.compile(r'name="token" value="([^"]+)"')


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Test settings without quiet hours (tests that need them set their own)."""
    return settings.model_copy(update={"quiet_hours": "off"})


async def _subscribers(db: Database) -> None:
    now = datetime.now(UTC)
    places = {JINSHUI: ["金水区"], ERQI: ["二七区"], ANYWHERE: []}
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(USERS),
            [
                {"id": uid, "language": "zh", "roles": [], "consents": {}, "first_seen": now,
                 "last_seen": now}
                for uid in places
            ],
        )  # fmt: skip
        await conn.execute(
            insert(SEEKERS),
            [
                {"user_id": uid, "districts": districts, "industries": [], "types": [],
                 "metro_lines": [], "tags": 0, "min_pay": None, "min_pay_unit": None,
                 "alerts": True, "created_at": now, "updated_at": now}
                for uid, districts in places.items()
            ],
        )  # fmt: skip


async def _preview(panel: Panel, fields: list[tuple[str, str]]) -> ClientResponse:
    return await panel.client.post(
        f"{PREFIX}/broadcasts/preview", data=[("csrf", panel.csrf), *fields]
    )


async def _previewed_token(panel: Panel, text: str = "周六有招聘会", **extra: str) -> str:
    page = await _preview(panel, [("kind", "text"), ("text", text), *extra.items()])
    assert page.status == 200, await page.text()
    found = TOKEN.search(await page.text())
    assert found is not None
    return found.group(1)


async def _send(panel: Panel, token: str, when: str = "later") -> ClientResponse:
    return await panel.client.post(
        f"{PREFIX}/broadcasts/send",
        data={"csrf": panel.csrf, "token": token, "when": when},
        allow_redirects=False,
    )


async def _broadcasts(db: Database) -> list[dict[str, Any]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(select(BROADCASTS).order_by(BROADCASTS.c.id))
        return [dict(row) for row in rows.mappings()]


async def test_staff_preview_send_once_and_watch_the_broadcast_finish(
    harness: Harness, settings: Settings
) -> None:
    await _subscribers(harness.db)
    async with signed_in(harness.db, settings, user_id=STAFF, roles=["staff"]) as panel:
        compose = await (await panel.get("/broadcasts")).text()
        assert 'value="金水区"' in compose
        page = await _preview(
            panel,
            [("kind", "text"), ("text", "<b>周六</b>有招聘会"), ("districts", "金水区")],
        )
        shown = await page.text()
        assert "收件人 2 位" in shown  # the 金水区 worker and the one with no preference
        assert "&lt;b&gt;周六&lt;/b&gt;有招聘会" in shown
        found = TOKEN.search(shown)
        assert found is not None
        first, second = await asyncio.gather(
            _send(panel, found.group(1)), _send(panel, found.group(1))
        )
        places = sorted([first.headers["Location"], second.headers["Location"]])
        [launched] = await _broadcasts(harness.db)
        assert places == [
            f"{PREFIX}/broadcasts/{launched['id']}",
            f"{PREFIX}/broadcasts?done=spent",
        ]
        assert launched["created_by"] == STAFF
        assert launched["total"] == 2

        status = await (await panel.get(f"/broadcasts/{launched['id']}")).text()
        assert "poll.js" in status
        assert "data-final" not in status

        sender = BroadcastSender(
            TelegramNotifier(harness.app.bot, encoders()), harness.db, rate=1000, owner="panel"
        )
        for _ in range(10):
            if await sender.step() == 0:
                break
        fragment = await panel.get(f"/broadcasts/{launched['id']}/status")
        card = await fragment.text()
        assert "data-final" in card
        assert "<dt>已送达</dt><dd>2</dd>" in card
        assert "剩余时间" not in card  # done: the finish time instead of "0 min 0 s" left
        assert "<dt>完成时间</dt><dd>20" in card
        history = await (await panel.get("/broadcasts")).text()
        assert "<td>2</td><td>2</td><td>0</td><td>0</td><td>0</td>" in history
    sent = {
        int(call.params["chat_id"])
        for call in harness.api.sent("sendMessage")
        if "周六" in call.text
    }
    assert sent == {JINSHUI, ANYWHERE}


async def test_pause_resume_and_cancel_are_the_bots_and_audited_as_the_staff_member(
    db: Database, settings: Settings
) -> None:
    await _subscribers(db)
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        sent = await _send(panel, await _previewed_token(panel))
        place = sent.headers["Location"].removeprefix(PREFIX)
        paused = await panel.post(f"{place}/pause")
        assert "已暂停" in await paused.text()
        assert "继续" in await (await panel.get(f"{place}/status")).text()
        assert "剩余时间" not in await (await panel.get(f"{place}/status")).text()
        assert "已继续" in await (await panel.post(f"{place}/resume")).text()
        assert "剩余时间" in await (await panel.get(f"{place}/status")).text()  # sending
        stopped = await (await panel.post(f"{place}/cancel")).text()
        assert "已停止" in stopped
        assert "剩余时间" not in stopped
        again = await panel.post(f"{place}/pause")
        assert "没有变化" in await again.text()
        assert (await panel.post(f"{place}/explode")).status == 404
    [broadcast] = await _broadcasts(db)
    assert broadcast["status"] == "cancelled"
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            select(AUDIT.c.action, AUDIT.c.actor_id).where(AUDIT.c.action.like("broadcast.%"))
        )
        audited = {(row.action, row.actor_id) for row in rows}
    assert {("broadcast.paused", STAFF), ("broadcast.running", STAFF),
            ("broadcast.cancelled", STAFF)} <= audited  # fmt: skip


async def test_inside_quiet_hours_the_preview_says_when_it_starts_or_sends_now_anyway(
    db: Database, settings: Settings
) -> None:
    hour = datetime.now(ZoneInfo(settings.timezone)).hour
    quiet = settings.model_copy(
        update={"quiet_hours": f"{(hour - 1) % 24:02d}:00-{(hour + 2) % 24:02d}:00"}
    )
    await _subscribers(db)
    async with signed_in(db, quiet, user_id=STAFF, roles=["staff"]) as panel:
        page = await _preview(panel, [("kind", "text"), ("text", "明早的通知")])
        text = await page.text()
        assert f"{(hour + 2) % 24:02d}:00" in text
        assert "仍然立即发送" in text
        found = TOKEN.search(text)
        assert found is not None
        await _send(panel, found.group(1), when="later")
        await _send(panel, await _previewed_token(panel, "立即的通知"), when="now")
    later, now = await _broadcasts(db)
    assert later["starts_at"] is not None
    assert later["ignore_quiet"] is False
    assert now["starts_at"] is None
    assert now["ignore_quiet"] is True


async def test_bad_drafts_get_polite_answers_and_launch_nothing(
    db: Database, settings: Settings
) -> None:
    await _subscribers(db)
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        empty = await _preview(panel, [("kind", "text"), ("text", "  ")])
        assert empty.status == 400
        assert "请填写要发送的消息" in await empty.text()
        long = await _preview(panel, [("kind", "text"), ("text", "长" * 5000)])
        assert long.status == 400
        odd = await _preview(panel, [("kind", "text"), ("text", "x"), ("industries", "piracy")])
        assert odd.status == 400
        assert "无法使用这个发送对象" in await odd.text()
        weekly = await _preview(panel, [("kind", "weekly")])
        assert weekly.status == 400
        assert "本周没有" in await weekly.text()
        forged = await _send(panel, "made-up-token")
        assert forged.headers["Location"] == f"{PREFIX}/broadcasts?done=spent"
    async with db.engine.connect() as conn:
        count = (await conn.execute(select(func.count()).select_from(BROADCASTS))).scalar_one()
    assert count == 0


async def test_volunteers_get_403_and_unknown_broadcasts_404(
    db: Database, settings: Settings
) -> None:
    async with signed_in(db, settings, user_id=500_302, roles=["volunteer_legal"]) as volunteer:
        assert (await volunteer.get("/broadcasts")).status == 403
        assert (await volunteer.post("/broadcasts/preview", {"kind": "text"})).status == 403
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        assert (await panel.get("/broadcasts/424242")).status == 404
        assert (await panel.get("/broadcasts/424242/status")).status == 404
        assert (await panel.post("/broadcasts/424242/cancel")).status == 404
        assert (await panel.get("/broadcasts/x1")).status == 404


# --- previews in the database: any replica sends them, once ------------------------------------

SPENT = f"{PREFIX}/broadcasts?done=spent"


@asynccontextmanager
async def _other_replica(panel: Panel, url: str, settings: Settings) -> AsyncIterator[Panel]:
    """The same signed-in browser, served by a second panel app with a database connection of
    its own (another replica behind the load balancer)."""
    [morsel] = [m for m in panel.client.session.cookie_jar if m.key == COOKIE]
    database = Database(url)
    try:
        async with panel_client(database, settings) as client:
            client.session.cookie_jar.update_cookies({COOKIE: morsel.value})
            yield Panel(client, panel.user_id, panel.csrf)
    finally:
        await database.dispose()


async def _drafts(db: Database) -> list[dict[str, Any]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(select(DRAFTS).order_by(DRAFTS.c.created_at))
        return [dict(row) for row in rows.mappings()]


async def test_a_preview_made_on_one_replica_is_sent_from_another_once(
    db: Database, settings: Settings, migrated_url: str
) -> None:
    await _subscribers(db)
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        token = await _previewed_token(panel, districts="二七区")
        async with _other_replica(panel, migrated_url, settings) as other:
            sent = await _send(other, token)
            [launched] = await _broadcasts(db)
            assert sent.headers["Location"] == f"{PREFIX}/broadcasts/{launched['id']}"
            page = await other.get(f"/broadcasts/{launched['id']}")
            assert "周六有招聘会" in await page.text()
        again = await _send(panel, token)
        assert again.headers["Location"] == SPENT
    assert launched["created_by"] == STAFF
    assert launched["text"] == "周六有招聘会"
    assert launched["total"] == 2  # the 二七区 worker and the one with no preference
    assert len(await _broadcasts(db)) == 1
    assert await _drafts(db) == []


async def test_two_sends_of_one_preview_on_two_replicas_launch_one_broadcast(
    db: Database, settings: Settings, migrated_url: str
) -> None:
    await _subscribers(db)
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        token = await _previewed_token(panel)
        async with _other_replica(panel, migrated_url, settings) as other:
            here, there = await asyncio.gather(_send(panel, token), _send(other, token))
    [launched] = await _broadcasts(db)
    assert sorted([here.headers["Location"], there.headers["Location"]]) == [
        f"{PREFIX}/broadcasts/{launched['id']}",
        SPENT,
    ]
    assert launched["total"] == 3


async def test_an_expired_preview_is_refused_politely_and_forgotten(
    db: Database, settings: Settings
) -> None:
    await _subscribers(db)
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        token = await _previewed_token(panel)
        async with db.engine.begin() as conn:
            await conn.execute(DRAFTS.update().values(expires_at=utcnow() - timedelta(seconds=1)))
        sent = await _send(panel, token)
        assert sent.headers["Location"] == SPENT
        history = await (await panel.client.get(SPENT)).text()
        assert "这个预览已经发送过（或已过期）" in history
        fresh = await _previewed_token(panel, "新的通知")  # a new preview forgets expired ones
    assert [row["token"] for row in await _drafts(db)] == [fresh]
    assert await _broadcasts(db) == []


async def test_another_staff_members_preview_is_refused_and_stays_theirs(
    db: Database, settings: Settings
) -> None:
    await _subscribers(db)
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as author:
        token = await _previewed_token(author)
        async with signed_in(db, settings, user_id=500_303, roles=["staff"]) as colleague:
            taken = await _send(colleague, token)
            assert taken.headers["Location"] == SPENT
        assert await _broadcasts(db) == []
        sent = await _send(author, token)
    [launched] = await _broadcasts(db)
    assert sent.headers["Location"] == f"{PREFIX}/broadcasts/{launched['id']}"
    assert launched["created_by"] == STAFF


async def test_a_weekly_preview_keeps_its_postings_until_it_is_taken(db: Database) -> None:
    now = utcnow()
    await _subscribers(db)
    await db.transact(
        add_draft,
        token="t" * 32,
        user_id=JINSHUI,
        audience={"districts": ["金水区"]},
        kind="weekly",
        text="",
        postings=(7, 3, 11),
        now=now,
    )
    assert await db.transact(take_draft, token="t" * 32, user_id=ERQI, now=now) is None
    later = now + timedelta(minutes=29)
    draft = await db.transact(take_draft, token="t" * 32, user_id=JINSHUI, now=later)
    assert draft is not None
    assert (draft.kind, draft.postings, draft.audience) == (
        "weekly",
        (7, 3, 11),
        {"districts": ["金水区"]},
    )
    assert await db.transact(take_draft, token="t" * 32, user_id=JINSHUI, now=later) is None


async def test_mydata_shows_a_staff_members_previews_and_forget_removes_them(
    harness: Harness, settings: Settings
) -> None:
    async with signed_in(harness.db, settings, user_id=STAFF, roles=["staff"]) as panel:
        token = await _previewed_token(panel, "给工友的通知")
    async with harness.db.session() as session:
        copy = await export_user(session, STAFF)
    [row] = copy["mydata-panel"]["panel_drafts"]
    assert row["text"] == "给工友的通知"
    assert "token" not in row
    assert token not in str(copy)
    async with harness.db.session() as session:
        deleted = await forget_user(session, user_id=STAFF, audit_key=b"k")
    assert "forget-item-panel" in deleted
    assert await _drafts(harness.db) == []
