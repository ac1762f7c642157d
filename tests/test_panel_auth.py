"""The staff panel's sign-in: one-time links, sessions, CSRF, roles on every request."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from bot.config import Settings
from bot.core.models import AuditLog, Role, utcnow
from bot.db import Database
from bot.i18n import t
from bot.panel.auth import PANEL_ROLES, create_link, digest
from bot.panel.models import PanelLink, PanelSession
from tests.conftest import Harness
from tests.factories import ADMIN_ID, STAFF_ID, WORKER_ID, message
from tests.panel_helpers import (
    PREFIX,
    give_roles,
    new_link,
    panel_client,
    signed_in,
    use_link,
)

STAFF = 500_001
WORKER = 500_002


async def _actions(db: Database) -> list[str]:
    async with db.session() as session:
        return [
            r.action for r in (await session.exec(select(AuditLog).order_by(AuditLog.id))).all()
        ]


async def test_a_staff_link_signs_in_with_an_httponly_lax_cookie(
    db: Database, settings: Settings
) -> None:
    await give_roles(db, STAFF, ["staff"])
    token = await new_link(db, STAFF)
    async with panel_client(db, settings) as client:
        response = await use_link(client, token)
        assert response.status == 303
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
        assert "Secure" not in cookie  # the panel's address is http here
        page = await client.get(f"{PREFIX}/")
        assert page.status == 200
        assert "数据概览" in await page.text()
    async with db.session() as session:
        links = (await session.exec(select(PanelLink))).all()
        sessions = (await session.exec(select(PanelSession))).all()
    assert [link.token_hash for link in links] == [digest(token)]
    assert links[0].used_at is not None
    assert len(sessions) == 1
    assert "panel.signin" in await _actions(db)


async def test_without_a_session_a_page_sends_you_to_sign_in(
    db: Database, settings: Settings
) -> None:
    async with panel_client(db, settings) as client:
        response = await client.get(f"{PREFIX}/dashboard", allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == f"{PREFIX}/signin"
        page = await client.get(f"{PREFIX}/dashboard")
        assert "/panel" in await page.text()
        assert "请先登录" in await page.text()


async def test_a_workers_link_is_refused_politely(db: Database, settings: Settings) -> None:
    await give_roles(db, WORKER, [])
    async with panel_client(db, settings) as client:
        response = await use_link(client, await new_link(db, WORKER))
        assert response.status == 403
        assert "工作人员和志愿者" in await response.text()
        assert "Set-Cookie" not in response.headers
        after = await client.get(f"{PREFIX}/dashboard", allow_redirects=False)
        assert after.status == 303


async def test_behind_an_https_address_the_cookie_is_secure(
    db: Database, settings: Settings
) -> None:
    settings = settings.model_copy(update={"panel_url": "https://union.example.org/panel/"})
    await give_roles(db, STAFF, ["staff"])
    async with panel_client(db, settings) as client:
        response = await use_link(client, await new_link(db, STAFF))
        assert response.status == 303
        cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie


async def test_one_link_opened_in_two_tabs_at_once_opens_one_session(
    db: Database, settings: Settings
) -> None:
    await give_roles(db, STAFF, ["staff"])
    token = await new_link(db, STAFF)
    async with panel_client(db, settings) as first, panel_client(db, settings) as second:
        answers = await asyncio.gather(
            first.post(f"{PREFIX}/signin", data={"token": token}, allow_redirects=False),
            second.post(f"{PREFIX}/signin", data={"token": token}, allow_redirects=False),
        )
    assert sorted(answer.status for answer in answers) == [303, 403]
    async with db.session() as session:
        assert len((await session.exec(select(PanelSession))).all()) == 1


async def test_a_bad_link_is_logged_with_the_address_it_came_from(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.panel.guard"):
        async with panel_client(db, settings) as client:
            refused = await client.post(f"{PREFIX}/signin", data={"token": "made-up"})
    assert refused.status == 403
    [record] = [r for r in caplog.records if "sign-in link refused" in r.getMessage()]
    assert "127.0.0.1" in record.getMessage()
    assert "made-up" not in record.getMessage()  # the token itself is never written down


async def test_a_link_works_only_once(db: Database, settings: Settings) -> None:
    await give_roles(db, STAFF, ["staff"])
    token = await new_link(db, STAFF)
    async with panel_client(db, settings) as first:
        assert (await use_link(first, token)).status == 303
    async with panel_client(db, settings) as second:
        again = await use_link(second, token)
        assert again.status == 403
        assert "已经用过" in await again.text()


async def test_an_expired_link_is_refused(db: Database, settings: Settings) -> None:
    await give_roles(db, STAFF, ["staff"])
    async with db.session() as session:
        token = await create_link(session, user_id=STAFF, now=utcnow() - timedelta(minutes=11))
    async with panel_client(db, settings) as client:
        response = await use_link(client, token)
        assert response.status == 403
        assert "过期" in await response.text()


async def test_a_made_up_link_is_refused_and_repeated_tries_are_limited(
    db: Database, settings: Settings
) -> None:
    async with panel_client(db, settings) as client:
        statuses = [
            (await client.post(f"{PREFIX}/signin", data={"token": f"guess{i}"})).status
            for i in range(11)
        ]
        assert statuses[:10] == [403] * 10
        assert statuses[10] == 429
        # even a good link waits now: the address is limited, not the token
        await give_roles(db, STAFF, ["staff"])
        blocked = await use_link(client, await new_link(db, STAFF))
        assert blocked.status == 429


async def test_a_post_without_or_with_a_wrong_form_token_is_refused(
    db: Database, settings: Settings
) -> None:
    async with signed_in(db, settings, user_id=STAFF) as panel:
        bare = await panel.client.post(f"{PREFIX}/lang", data={"lang": "en"})
        assert bare.status == 403
        assert "表单已过期" in await bare.text()
        wrong = await panel.client.post(f"{PREFIX}/lang", data={"lang": "en", "csrf": "x" * 43})
        assert wrong.status == 403
        right = await panel.post("/lang", {"lang": "en", "next": f"{PREFIX}/dashboard"})
        assert right.status == 200
        assert "Dashboard" in await right.text()


async def test_a_post_without_a_session_is_refused(db: Database, settings: Settings) -> None:
    async with panel_client(db, settings) as client:
        response = await client.post(f"{PREFIX}/signout-all", data={"csrf": "anything"})
        assert response.status == 403


async def test_a_revoked_role_is_refused_on_the_next_request(
    db: Database, settings: Settings
) -> None:
    async with signed_in(db, settings, user_id=STAFF) as panel:
        assert (await panel.get("/dashboard")).status == 200
        await give_roles(db, STAFF, [])
        refused = await panel.get("/dashboard")
        assert refused.status == 403
        assert "你的角色不能查看" in await refused.text()


async def test_a_page_for_another_role_is_a_polite_403(db: Database, settings: Settings) -> None:
    async with signed_in(db, settings, user_id=STAFF, roles=["volunteer_legal"]) as panel:
        page = await panel.get("/dashboard")
        assert "/panel/admin" not in await page.text()
        refused = await panel.get("/admin")
        assert refused.status == 403
        assert "你的角色不能查看" in await refused.text()


async def test_unknown_pages_are_a_polite_404(db: Database, settings: Settings) -> None:
    async with signed_in(db, settings, user_id=STAFF, roles=["admin"]) as panel:
        missing = await panel.get("/nothing/here")
        assert missing.status == 404
        assert "没有这个页面" in await missing.text()


async def test_a_configured_admin_signs_in_without_a_stored_role(
    db: Database, settings: Settings
) -> None:
    admin = settings.admin_ids[0]
    async with signed_in(db, settings, user_id=admin, roles=[]) as panel:
        assert (await panel.get("/admin")).status == 200


async def test_sign_out_everywhere_ends_every_session_of_the_user(
    db: Database, settings: Settings
) -> None:
    async with (
        signed_in(db, settings, user_id=STAFF) as phone,
        signed_in(db, settings, user_id=STAFF) as desk,
    ):
        assert (await desk.get("/dashboard")).status == 200
        out = await phone.post("/signout-all")
        assert out.status == 200
        assert "所有设备" in await out.text()
        assert (await desk.get("/dashboard", allow_redirects=False)).status == 303
        assert (await phone.get("/dashboard", allow_redirects=False)).status == 303
    assert "panel.signout_all" in await _actions(db)


async def test_sign_out_ends_only_this_session(db: Database, settings: Settings) -> None:
    async with (
        signed_in(db, settings, user_id=STAFF) as phone,
        signed_in(db, settings, user_id=STAFF) as desk,
    ):
        assert (await phone.post("/signout")).status == 200
        assert (await phone.get("/dashboard", allow_redirects=False)).status == 303
        assert (await desk.get("/dashboard", allow_redirects=False)).status == 200
    assert "panel.signout" in await _actions(db)


async def test_a_session_idle_too_long_has_ended(db: Database, settings: Settings) -> None:
    async with signed_in(db, settings, user_id=STAFF) as panel:
        async with db.session() as session:
            await session.exec(
                update(PanelSession)
                .where(col(PanelSession.user_id) == STAFF)
                .values(last_seen=utcnow() - timedelta(minutes=settings.panel_idle_minutes + 1))
            )
            await session.commit()
        assert (await panel.get("/dashboard", allow_redirects=False)).status == 303


async def test_pages_carry_security_headers_and_serve_their_own_css(
    db: Database, settings: Settings
) -> None:
    async with signed_in(db, settings, user_id=STAFF) as panel:
        page = await panel.get("/dashboard")
        assert page.headers["X-Frame-Options"] == "DENY"
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        assert "/panel/static/panel.css" in await page.text()
        css = await panel.get("/static/panel.css")
        assert css.status == 200
        assert "max-width" in await css.text()


def test_every_key_the_panel_templates_and_refusals_use_is_in_both_catalogs() -> None:
    from pathlib import Path

    from bot.i18n import message_ids
    from bot.panel.auth import LinkRefusal
    from bot.panel.render import TEMPLATES

    used = {f"panel-link-{refusal.value}" for refusal in LinkRefusal}
    dynamic = {"panel-admin-grant-done", "panel-admin-grant-unchanged"}
    dynamic |= {"panel-admin-revoke-done", "panel-admin-revoke-unchanged"}
    for template in Path(TEMPLATES).glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9-]+)["']\s*[,)]""", template.read_text()))
    assert "panel-signout-all" in used
    for lang in ("zh", "en"):
        assert used | dynamic <= message_ids(lang), lang


# --- /panel in the bot ---------------------------------------------------------------------------


async def test_panel_in_the_bot_sends_staff_a_link_that_signs_them_in(
    harness: Harness, settings: Settings
) -> None:
    await give_roles(harness.db, STAFF_ID, ["staff"])
    [call] = await harness.feed(message("/panel", user_id=STAFF_ID))
    assert call.method == "sendMessage"
    assert call.params["link_preview_options"] == {"is_disabled": True}
    found = re.search(r"http://127\.0\.0\.1:8081/panel/signin/(\S+)", call.text)
    assert found is not None, call.text
    assert "10 分钟" in call.text
    async with panel_client(harness.db, settings) as client:
        assert (await use_link(client, found.group(1))).status == 303
        assert (await client.get(f"{PREFIX}/dashboard")).status == 200


async def test_panel_in_the_bot_tells_a_worker_it_is_for_staff(harness: Harness) -> None:
    texts = await harness.texts(message("/panel", user_id=WORKER_ID))
    assert texts == [t("zh", "panel-cmd-refused")]
    async with harness.db.session() as session:
        assert (await session.exec(select(PanelLink))).all() == []


async def test_panel_tells_a_matchmaker_the_panel_has_no_pages_for_them_yet(
    harness: Harness, settings: Settings
) -> None:
    matchmaker = 700_301
    await give_roles(harness.db, matchmaker, ["volunteer_match"], language="en")
    texts = await harness.texts(message("/panel", user_id=matchmaker))
    assert texts == [t("en", "panel-cmd-no-pages")]
    assert "/match review" in texts[0]
    async with harness.db.session() as session:
        assert (await session.exec(select(PanelLink))).all() == []
        # a link made anyway (by hand, or before the role changed) signs nobody in
        token = await create_link(session, user_id=matchmaker)
    async with panel_client(harness.db, settings) as client:
        assert (await use_link(client, token)).status == 403
    async with harness.db.session() as session:
        assert (await session.exec(select(PanelSession))).all() == []


def test_the_roles_sent_a_link_are_the_roles_some_page_is_for() -> None:
    from bot.panel import pages

    shown: set[Role] = {Role.admin}  # admins see every page
    for page in pages():
        shown |= page.NAV.roles
    assert shown == PANEL_ROLES


async def test_panel_in_a_group_asks_for_a_private_chat(harness: Harness) -> None:
    group = {"id": -100_123, "type": "supergroup", "title": "工会"}
    texts = await harness.texts(message("/panel", user_id=ADMIN_ID, chat=group))
    assert texts == [t("zh", "panel-cmd-private")]


async def test_the_staff_help_lists_panel(harness: Harness) -> None:
    for lang in ("zh", "en"):
        assert "/panel" in t(lang, "help-staff")
        assert "/panel" in t(lang, "help-volunteer-legal")
        assert "/panel" not in t(lang, "help-volunteer-match")  # no page is theirs yet


async def test_the_webhook_app_serves_the_panel_under_panel(harness: Harness) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.web import make_web_app

    app = make_web_app(harness.app, path="/telegram", secret="s", manage_application=False)
    async with TestClient(TestServer(app)) as client:
        bare = await client.get("/panel", allow_redirects=False)
        assert bare.headers["Location"] == "/panel/"
        page = await client.get("/panel/")
        assert page.status == 200
        assert "请先登录" in await page.text()
        assert (await client.get("/healthz")).status == 200
