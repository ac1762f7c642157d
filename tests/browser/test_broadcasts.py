"""Broadcasts in a real browser: compose, preview, send, and watch it finish."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.panel.demo import subscribers
from tests.browser.helpers import page_module, sign_in
from tests.browser.server import PanelServer

page_module("broadcasts")

STAFF = 660_001
WORKERS = range(660_100, 660_120)
TEXT = "本周六上午九点，工会驿站免费体检，带上身份证。"


def test_staff_send_a_broadcast_and_watch_it_finish(page: Any, server: PanelServer) -> None:
    server.run(subscribers(server.db, WORKERS))
    sign_in(page, server, STAFF, ["staff"], language="en")
    page.goto(f"{server.panel_url}/broadcasts")
    page.get_by_role("textbox", name=t("en", "panel-broadcasts-text")).fill(TEXT)
    page.get_by_role("button", name=t("en", "panel-broadcasts-preview")).click()

    assert t("en", "panel-broadcasts-recipients", count=len(WORKERS)) in page.inner_text("main")
    page.get_by_role("button", name=t("en", "panel-broadcasts-send", count=len(WORKERS))).click()

    # the progress card refreshes itself (static/poll.js) until the broadcast is done
    page.locator("[data-poll] [data-final]").wait_for(timeout=30_000)
    figures = page.locator("[data-poll] dl.figures")
    delivered = figures.locator("div", has_text=t("en", "panel-broadcasts-delivered"))
    assert delivered.locator("dd").inner_text() == str(len(WORKERS))
    received = {int(c.params["chat_id"]) for c in server.api.sent("sendMessage") if TEXT in c.text}
    assert received == set(WORKERS)
