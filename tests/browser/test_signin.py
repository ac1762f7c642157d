"""Signing in to the staff panel with a one-time link, and every way in that is refused."""

from __future__ import annotations

import re
from typing import Any

from bot.core.models import Role
from bot.i18n import t
from tests.browser.helpers import STEP_MS, press_sign_in, sign_in
from tests.browser.server import PanelServer

LINK = re.compile(r"https?://\S+/panel/signin/\S+")


def test_staff_sign_in_with_the_link_the_bot_sends(page: Any, server: PanelServer) -> None:
    server.give_roles(610_001, ["staff"], language="en")
    server.send_update("/panel", user_id=610_001)

    def link_sent() -> bool:
        return any(
            LINK.search(call.text)
            for call in server.api.sent("sendMessage")
            if call.params.get("chat_id") == 610_001
        )

    server.run(server.api.wait_until(link_sent, within=15, what="the sign-in link"))
    text = next(
        c.text for c in server.api.sent("sendMessage") if c.params.get("chat_id") == 610_001
    )
    found = LINK.search(text)
    assert found is not None
    page.goto(found.group(0))
    press_sign_in(page)

    page.wait_for_url(f"{server.panel_url}/dashboard")
    assert page.get_by_role("link", name=t("en", "panel-nav-dashboard")).is_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "gongyou_panel")
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Lax"


def test_without_a_session_the_panel_asks_to_sign_in(page: Any, server: PanelServer) -> None:
    page.goto(f"{server.panel_url}/dashboard")

    assert page.url == f"{server.panel_url}/signin"
    assert t("zh", "panel-signin-needed") in page.inner_text("main")


def test_a_workers_link_is_refused(page: Any, server: PanelServer) -> None:
    server.give_roles(610_002, [])
    page.goto(server.new_link(610_002))

    with page.expect_response(f"{server.panel_url}/signin") as answer:
        press_sign_in(page)

    assert answer.value.status == 403
    assert t("zh", "panel-link-no-role") in page.inner_text("main")
    page.goto(f"{server.panel_url}/dashboard")
    assert page.url == f"{server.panel_url}/signin"


def test_a_used_link_is_refused(browser: Any, page: Any, server: PanelServer) -> None:
    server.give_roles(610_003, ["staff"])
    link = server.new_link(610_003)
    page.goto(link)
    press_sign_in(page)
    page.wait_for_url(f"{server.panel_url}/dashboard")

    other = browser.new_context(locale="zh-CN")
    other.set_default_timeout(STEP_MS)
    try:
        second = other.new_page()
        second.goto(link)
        press_sign_in(second)
        assert t("zh", "panel-link-used") in second.inner_text("main")
        second.goto(f"{server.panel_url}/dashboard")
        assert second.url == f"{server.panel_url}/signin"
    finally:
        other.close()


def test_an_expired_link_is_refused(page: Any, server: PanelServer) -> None:
    server.give_roles(610_004, ["staff"], language="en")
    page.goto(server.new_link(610_004, expired=True))
    press_sign_in(page)

    assert t("zh", "panel-link-expired") in page.inner_text("main")
    page.goto(f"{server.panel_url}/dashboard")
    assert page.url == f"{server.panel_url}/signin"


def test_a_post_without_the_form_token_is_refused(page: Any, server: PanelServer) -> None:
    sign_in(page, server, 610_005, ["admin"], language="en")
    server.give_roles(610_006, [])

    answer = page.request.post(
        f"{server.panel_url}/admin/roles",
        form={"user": "610006", "role": "staff", "change": "grant"},
        max_redirects=0,
    )

    assert answer.status == 403
    assert t("en", "panel-csrf-refused") in answer.text()
    user = server.user(610_006)
    assert user is not None
    assert user.roles == []


def test_a_revoked_role_takes_effect_at_once(browser: Any, page: Any, server: PanelServer) -> None:
    sign_in(page, server, 610_007, ["staff"], language="en")
    assert page.url == f"{server.panel_url}/dashboard"

    admin = browser.new_context(locale="zh-CN")
    admin.set_default_timeout(STEP_MS)
    try:
        desk = admin.new_page()
        sign_in(desk, server, 610_008, ["admin"], language="en")
        desk.goto(f"{server.panel_url}/admin")
        desk.locator("input[name=user]").fill("610007")
        desk.locator("select[name=role]").select_option(Role.staff.value)
        desk.get_by_role("button", name=t("en", "panel-admin-revoke")).click()
        assert t("en", "panel-admin-revoke-done") in desk.inner_text("main")
    finally:
        admin.close()

    with page.expect_response(f"{server.panel_url}/dashboard") as answer:
        page.reload()
    assert answer.value.status == 403
    assert t("en", "panel-forbidden") in page.inner_text("main")
    assert page.get_by_role("link", name=t("en", "panel-nav-dashboard")).count() == 0
