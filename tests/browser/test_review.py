"""Job review in a real browser: approve a posting, reject one with a reason, edit one."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.jobs.models import JobPosting, PostingStatus
from bot.panel.demo import pending_posting
from tests.browser.helpers import page_module, sign_in
from tests.browser.server import PanelServer

page_module("review")

STAFF = 650_001


def _posting(server: PanelServer, posting_id: int) -> JobPosting:
    async def read() -> JobPosting:
        async with server.db.session() as session:
            found = await session.get(JobPosting, posting_id)
            assert found is not None
            return found

    return server.run(read())


def _told(server: PanelServer, chat_id: int) -> None:
    server.run(
        server.api.wait_until(
            lambda: any(
                c.params.get("chat_id") == chat_id for c in server.api.sent("sendMessage")
            ),
            within=15,
            what=f"a message to the employer {chat_id}",
        )
    )


def test_staff_approve_a_posting_and_the_employer_is_told(page: Any, server: PanelServer) -> None:
    posting_id = server.run(
        pending_posting(server.db, owner_id=650_101, title="浏览器审核叉车司机")
    )
    sign_in(page, server, STAFF, ["staff"], language="en")
    page.goto(f"{server.panel_url}/review")
    card = page.locator("section.card", has_text="浏览器审核叉车司机")

    card.get_by_role("button", name=t("en", "panel-review-approve")).click()

    page.get_by_text(t("en", "panel-review-done-approved")).wait_for()
    assert page.locator("section.card", has_text="浏览器审核叉车司机").count() == 0
    assert _posting(server, posting_id).status == PostingStatus.published
    _told(server, 650_101)


def test_staff_reject_a_posting_with_a_reason(page: Any, server: PanelServer) -> None:
    posting_id = server.run(
        pending_posting(server.db, owner_id=650_102, title="浏览器审核收费岗位")
    )
    sign_in(page, server, STAFF, ["staff"], language="zh")
    page.goto(f"{server.panel_url}/review")
    card = page.locator("section.card", has_text="浏览器审核收费岗位")

    card.get_by_label(t("zh", "panel-review-reason")).fill("要求工人先交押金")
    card.get_by_role("button", name=t("zh", "panel-review-reject")).click()

    page.get_by_text(t("zh", "panel-review-done-rejected")).wait_for()
    stored = _posting(server, posting_id)
    assert stored.status == PostingStatus.rejected
    assert "押金" in stored.review_note
    _told(server, 650_102)


def test_staff_edit_a_posting_before_approving_it(page: Any, server: PanelServer) -> None:
    posting_id = server.run(
        pending_posting(
            server.db, owner_id=650_103, title="浏览器审核打包员", requirements="入职先交押金"
        )
    )
    sign_in(page, server, STAFF, ["staff"], language="en")
    page.goto(f"{server.panel_url}/review")
    card = page.locator("section.card", has_text="浏览器审核打包员")

    card.get_by_role("link", name=t("en", "panel-review-edit")).click()
    page.get_by_label(t("en", "jp-rf-requirements")).fill("能吃苦，不收任何押金")
    page.get_by_role("button", name=t("en", "panel-review-save")).click()

    page.get_by_text(t("en", "panel-review-saved")).wait_for()
    stored = _posting(server, posting_id)
    assert stored.requirements == "能吃苦，不收任何押金"
    assert stored.status == PostingStatus.pending  # edited, still waiting for a decision
