"""Stations in a real browser: resolve a station that workers' reports flagged."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot.core.models import AuditLog
from bot.i18n import t
from bot.panel.demo import flagged_station
from bot.stations.models import Station, StationReport
from tests.browser.helpers import page_module, sign_in
from tests.browser.server import PanelServer

page_module("stations")

STAFF = 640_001


async def _state(server: PanelServer, station_id: int) -> tuple[Station, list[StationReport]]:
    async with server.db.session() as session:
        station = await session.get(Station, station_id)
        assert station is not None
        reports = await session.exec(
            select(StationReport).where(col(StationReport.station_id) == station_id)
        )
        return station, list(reports.all())


async def _audited(server: PanelServer, station_id: int) -> list[AuditLog]:
    async with server.db.session() as session:
        rows = await session.exec(
            select(AuditLog).where(
                col(AuditLog.action) == "stations.resolve_flag",
                col(AuditLog.subject) == f"station:{station_id}",
            )
        )
        return list(rows.all())


def test_staff_resolve_a_flagged_station(page: Any, server: PanelServer) -> None:
    station = server.run(flagged_station(server.db, first_reporter=640_100))
    assert station.id is not None
    sign_in(page, server, STAFF, ["staff"], language="zh")
    page.goto(f"{server.panel_url}/stations/flagged")
    card = page.locator("section.card", has_text=station.name)
    assert t("zh", "st-report-no_water") in card.inner_text()

    card.get_by_role("button", name=t("zh", "panel-stations-resolve")).click()

    page.get_by_text(t("zh", "panel-stations-done-resolved")).wait_for()
    assert page.locator("section.card", has_text=station.name).count() == 0
    stored, reports = server.run(_state(server, station.id))
    assert stored.flagged_at is None
    assert reports
    assert all(r.resolved_by == STAFF for r in reports)
    assert [row.actor_id for row in server.run(_audited(server, station.id))] == [STAFF]
