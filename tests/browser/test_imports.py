"""Imports in a real browser: upload a job list, read the dry-run report, confirm it."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot.i18n import t
from bot.jobs.models import JobPosting
from tests.browser.helpers import page_module, sign_in
from tests.browser.server import PanelServer

page_module("imports")

HEADER = (
    "序号,岗位名称,招聘单位,统一社会信用代码,城市,区县,工作地点,附近地铁,行业,用工形式,"
    "薪资待遇,工作时间,任职要求,适合人群,联系方式,截止日期"
)
ROWS = (
    "1,浏览器测试仓管员,浏览器测试物流有限公司,,郑州市,金水区,金水区示例路9号,,物流,全职,"
    "6000-7000元/月,8:00-17:00,能吃苦,学历不限,0371-0000-0901,2030-12-31",
    "2,浏览器测试保洁员,浏览器测试物业有限公司,,郑州市,二七区,二七区示例街3号,,物业,全职,"
    "4500-5000元/月,7:00-16:00,身体健康,学历不限,0371-0000-0902,2030-12-31",
    "3,,没有岗位名称的单位,,郑州市,中原区,中原区示例街5号,,餐饮,全职,5000元/月,,,,,",
)
TITLES = ("浏览器测试仓管员", "浏览器测试保洁员")


def _postings(server: PanelServer) -> list[JobPosting]:
    async def read() -> list[JobPosting]:
        async with server.db.session() as session:
            found = await session.exec(select(JobPosting).where(col(JobPosting.title).in_(TITLES)))
            return list(found.all())

    return server.run(read())


def test_staff_upload_a_job_list_check_it_and_confirm(page: Any, server: PanelServer) -> None:
    sign_in(page, server, 620_001, ["staff"], language="en")
    page.goto(f"{server.panel_url}/imports")
    page.get_by_label(t("en", "panel-imports-kind")).select_option("jobs")
    page.get_by_label(t("en", "panel-imports-file")).set_input_files(
        {
            "name": "this-week.csv",
            "mimeType": "text/csv",
            "buffer": "\n".join((HEADER, *ROWS)).encode("utf-8"),
        }
    )
    page.get_by_role("button", name=t("en", "panel-imports-check")).click()

    checked = page.get_by_role("heading", name=t("en", "panel-imports-state-checked"))
    checked.wait_for()
    report = page.locator("table").last.inner_text()
    assert "4" in report  # the nameless row, by its line in the file
    assert t("en", "panel-imports-outcome-rejected") in report
    assert _postings(server) == []

    page.get_by_role("button", name=t("en", "panel-imports-confirm")).click()
    page.get_by_role("heading", name=t("en", "panel-imports-state-imported")).wait_for()
    stored = _postings(server)
    assert sorted(p.title for p in stored) == sorted(TITLES)
