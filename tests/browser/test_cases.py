"""Legal cases in a real browser: filter the list, export it as CSV (downloaded, audited)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from bot.core.models import AuditLog
from bot.i18n import t
from bot.legal.core import case_label
from tests.browser.helpers import page_module, sign_in
from tests.browser.server import PanelServer
from tests.legal_factories import make_case

page_module("cases")

STAFF = 630_001


def _exports(server: PanelServer) -> list[AuditLog]:
    async def read() -> list[AuditLog]:
        async with server.db.session() as session:
            found = await session.exec(
                select(AuditLog).where(
                    col(AuditLog.action) == "legal.export", col(AuditLog.actor_id) == STAFF
                )
            )
            return list(found.all())

    return server.run(read())


def test_staff_filter_the_cases_and_export_them(page: Any, server: PanelServer) -> None:
    wages = server.run(make_case(server.db, user_id=630_101, category="wages"))
    injury = server.run(
        make_case(server.db, user_id=630_102, category="injury", description="脚手架上摔伤")
    )
    assert wages.id is not None
    assert injury.id is not None
    sign_in(page, server, STAFF, ["staff"], language="en")
    page.goto(f"{server.panel_url}/cases")
    page.get_by_label(t("en", "panel-cases-category")).select_option("injury")
    page.get_by_role("button", name=t("en", "panel-cases-filter")).click()

    page.wait_for_url("**/cases?*category=injury*")
    listed = page.locator("table").inner_text()
    assert case_label(injury.id) in listed
    assert case_label(wages.id) not in listed

    with page.expect_download() as started:
        page.get_by_role("link", name=t("en", "panel-cases-export")).click()
    download = started.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) >= 3  # a header and both cases
    assert "脚手架上摔伤" not in text  # the export never carries what the worker wrote
    assert len(_exports(server)) == 1
