"""The panel's post stations: list and search, flagged stations resolved and status changes
(audited, once for a double submit), escaping, forged ids and refusals."""

from __future__ import annotations

import asyncio

from sqlmodel import col, select

from bot.config import Settings
from bot.core.models import AuditLog
from bot.db import Database
from bot.stations.geo import cell_of
from bot.stations.models import ReportKind, Station, StationStatus
from bot.stations.search import add_report, set_status
from tests.panel_helpers import panel_client, signed_in

STAFF = 500_201
LAWYER = 500_202


async def _station(db: Database, name: str, *, district: str = "金水区") -> int:
    lat, lon = 34.77, 113.66
    async with db.session() as session:
        station = Station(name=name, district=district, address=f"{district}文化路1号",
                          lat=lat, lon=lon, cell=cell_of(lat, lon))  # fmt: skip
        session.add(station)
        await session.commit()
        assert station.id is not None
        return station.id


async def _flag(db: Database, station_id: int, text: str = "") -> None:
    async with db.session() as session:
        for reporter in (111_001, 111_002, 111_003):
            await add_report(session, station_id=station_id, reporter_id=reporter,
                             kind=ReportKind.other, text=text)  # fmt: skip


async def _records(db: Database, action: str) -> list[AuditLog]:
    async with db.session() as session:
        found = await session.exec(select(AuditLog).where(col(AuditLog.action) == action))
        return list(found.all())


async def _status(db: Database, station_id: int) -> str:
    async with db.session() as session:
        station = await session.get(Station, station_id)
        assert station is not None
        return str(station.status)


async def test_staff_list_stations_and_search_them_as_the_bot_does(
    db: Database, settings: Settings
) -> None:
    garden = await _station(db, "花园路驿站")
    await _station(db, "二七广场驿站", district="二七区")
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        listed = await (await panel.get("/stations")).text()
        found = await (await panel.get("/stations?q=花园路")).text()
        temporary = await (await panel.get("/stations?status=temporarily_closed")).text()
    assert "花园路驿站" in listed
    assert "二七广场驿站" in listed
    assert "共 2 个驿站" in listed
    assert "花园路驿站" in found
    assert "二七广场驿站" not in found
    assert f'href="/panel/stations/{garden}"' in found
    assert "没有找到驿站" in temporary


async def test_a_station_name_with_html_is_shown_as_text(db: Database, settings: Settings) -> None:
    station_id = await _station(db, "<script>alert(1)</script>驿站")
    await _flag(db, station_id, text="<b onclick=x>没水</b>")
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        pages = [
            await (await panel.get(path)).text()
            for path in ("/stations", f"/stations/{station_id}", "/stations/flagged")
        ]
    for page in pages:
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;驿站" in page
    assert "<b onclick" not in pages[2]
    assert "&lt;b onclick=x&gt;没水&lt;/b&gt;" in pages[2]


async def test_staff_resolve_a_flagged_station_once_even_when_submitted_twice(
    db: Database, settings: Settings
) -> None:
    station_id = await _station(db, "花园路驿站")
    await _flag(db, station_id, text="饮水机坏了")
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        flagged = await (await panel.get("/stations/flagged")).text()
        first = await panel.post(f"/stations/{station_id}/resolve", {"back": "flagged"})
        second = await panel.post(f"/stations/{station_id}/resolve", {"back": "flagged"})
        after = await (await panel.get("/stations/flagged")).text()
        assert "饮水机坏了" in flagged
        assert "花园路驿站" in flagged
        assert "已解除提醒" in await first.text()
        assert "没有待处理的提醒" in await second.text()
    assert "目前没有待处理的驿站" in after
    [record] = await _records(db, "stations.resolve_flag")
    assert record.actor_id == STAFF
    assert record.subject == f"station:{station_id}"


async def test_staff_change_a_status_and_a_repeated_submit_changes_nothing(
    db: Database, settings: Settings
) -> None:
    station_id = await _station(db, "花园路驿站")
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"], language="en") as panel:
        form = {"status": "temporarily_closed"}
        done = await panel.post(f"/stations/{station_id}/status", form)
        again = await panel.post(f"/stations/{station_id}/status", form)
        page = await (await panel.get(f"/stations/{station_id}")).text()
        assert "The status was changed." in await done.text()
        assert "already had that status" in await again.text()
    assert "Temporarily closed" in page
    assert await _status(db, station_id) == StationStatus.temporarily_closed.value
    [record] = await _records(db, "stations.status")
    assert record.actor_id == STAFF
    assert record.detail == {"from": "open", "to": "temporarily_closed"}


async def test_the_same_change_submitted_at_once_is_written_and_audited_once(
    db: Database, settings: Settings
) -> None:
    station_id = await _station(db, "花园路驿站")
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"], language="en") as panel:
        form = {"status": "closed"}
        answers = await asyncio.gather(
            *(panel.post(f"/stations/{station_id}/status", form) for _ in range(6))
        )
        texts = [await answer.text() for answer in answers]
    assert sum("The status was changed." in text for text in texts) == 1
    assert sum("already had that status" in text for text in texts) == 5
    assert await _status(db, station_id) == StationStatus.closed.value
    [record] = await _records(db, "stations.status")
    assert record.detail == {"from": "open", "to": "closed"}


async def test_a_change_made_meanwhile_by_someone_else_is_not_made_or_audited_again(
    db: Database,
) -> None:
    """The panel reads the station, then changes it: another staff member's change committed
    in between is seen, not written over from the first read."""
    station_id = await _station(db, "花园路驿站")
    async with db.session() as first, db.session() as other:
        assert await first.get(Station, station_id) is not None  # the panel's own read
        assert await set_status(other, station_id=station_id, status=StationStatus.closed,
                                staff_id=STAFF + 1) is True  # fmt: skip
        assert await set_status(first, station_id=station_id, status=StationStatus.closed,
                                staff_id=STAFF) is False  # fmt: skip
        assert await set_status(first, station_id=424242, status=StationStatus.closed,
                                staff_id=STAFF) is None  # fmt: skip
    [record] = await _records(db, "stations.status")
    assert record.actor_id == STAFF + 1


async def test_a_bad_status_is_refused_politely_and_changes_nothing(
    db: Database, settings: Settings
) -> None:
    station_id = await _station(db, "花园路驿站")
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        response = await panel.post(f"/stations/{station_id}/status", {"status": "<gone>"})
        assert response.status == 400
        assert "请从列表中选择一个状态" in await response.text()
        assert (await panel.get("/stations?q=" + "字" * 101)).status == 400
    assert await _status(db, station_id) == "open"
    assert await _records(db, "stations.status") == []


async def test_forged_station_ids_are_not_found(db: Database, settings: Settings) -> None:
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        for path in ("/stations/424242", "/stations/abc", "/stations/" + "9" * 40):
            assert (await panel.get(path)).status == 404, path
        missing = await panel.post("/stations/424242/status", {"status": "closed"})
        resolve = await panel.post("/stations/424242/resolve")
        forged = await panel.post("/stations/x1/resolve")
        assert (missing.status, resolve.status, forged.status) == (404, 404, 404)
    assert await _records(db, "stations.status") == []
    assert await _records(db, "stations.resolve_flag") == []


async def test_a_legal_volunteer_and_no_session_are_refused(
    db: Database, settings: Settings
) -> None:
    station_id = await _station(db, "花园路驿站")
    await _flag(db, station_id)
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"]) as panel:
        assert (await panel.get("/stations")).status == 403
        assert (await panel.get(f"/stations/{station_id}")).status == 403
        refused = await panel.post(f"/stations/{station_id}/status", {"status": "closed"})
        assert refused.status == 403
        assert (await panel.post(f"/stations/{station_id}/resolve")).status == 403
    async with panel_client(db, settings) as client:
        response = await client.get("/panel/stations", allow_redirects=False)
        assert response.status == 303
        posted = await client.post(f"/panel/stations/{station_id}/status",
                                   data={"status": "closed"}, allow_redirects=False)  # fmt: skip
        assert posted.status in (303, 403)
    assert await _status(db, station_id) == "open"
    assert await _records(db, "stations.resolve_flag") == []


async def test_a_post_without_the_form_token_is_refused(db: Database, settings: Settings) -> None:
    station_id = await _station(db, "花园路驿站")
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        response = await panel.client.post(
            f"/panel/stations/{station_id}/status", data={"status": "closed"}
        )
        assert response.status == 403
    assert await _status(db, station_id) == "open"
