"""The panel's imports: upload, check (dry run as a table), confirm once; refusals of bad files."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiohttp import ClientResponse, FormData
from sqlalchemy import func, select

from bot.config import Settings
from bot.core.models import utcnow
from bot.core.tables import AUDIT
from bot.db import Database
from bot.jobs.core import POSTINGS
from bot.membership.roster import DEMO_ROSTER, ROSTER
from bot.panel import imports, uploads
from bot.panel.guard import COOKIE
from bot.panel.uploads import UPLOADS
from bot.stations.imports import STATIONS
from tests.panel_helpers import PREFIX, Panel, panel_client, signed_in

STAFF = 500_101
OTHER_STAFF = 500_102
STATIONS_FILE = Path(__file__).parent / "data" / "stations-gcj02.csv"
HEADER = "岗位名称,招聘单位,区县,薪资待遇,联系方式\n"


def _jobs_csv(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


async def _upload(
    panel: Panel, kind: str, name: str, data: bytes, **fields: str
) -> ClientResponse:
    form = FormData()
    form.add_field("kind", kind)
    for key, value in fields.items():
        form.add_field(key, value)
    form.add_field(
        "file", io.BytesIO(data), filename=name, content_type="application/octet-stream"
    )
    return await panel.client.post(
        f"{PREFIX}/imports?csrf={panel.csrf}", data=form, allow_redirects=False
    )


async def _settled(panel: Panel, location: str) -> str:
    """The upload's page once its check or import has finished (it refreshes until then)."""
    for _ in range(400):
        page = await panel.client.get(location)
        assert page.status == 200
        if "Refresh" not in page.headers:
            return await page.text()
        await asyncio.sleep(0.025)
    raise AssertionError("the upload did not finish")


async def _count(db: Database, table: Any, *where: Any) -> int:
    async with db.engine.connect() as conn:
        query = select(func.count()).select_from(table)
        for condition in where:
            query = query.where(condition)
        return int((await conn.execute(query)).scalar_one())


@pytest.fixture
async def staff(db: Database, settings: Settings) -> AsyncIterator[Panel]:
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        yield panel


async def test_a_job_list_is_checked_as_a_table_and_imported_once_on_a_double_confirm(
    db: Database, staff: Panel
) -> None:
    data = _jobs_csv(
        "仓库分拣员,示例物流公司,金水区,5000-6000元/月,0371-12345678",
        ",没有岗位名的公司,二七区,4000元/月,0371-1",
        "装卸工,示例搬运公司,中原区,6000元/月,0371-7654321",
    )
    sent = await _upload(staff, "jobs", "本周岗位.csv", data, city="郑州市")
    assert sent.status == 303
    location = sent.headers["Location"]
    checked = await _settled(staff, location)
    assert "已检查，尚未导入" in checked
    assert "<td>3</td><td>已跳过</td>" in checked  # the row without a title, by its line
    assert await _count(db, POSTINGS) == 0  # the check changes nothing

    confirm = f"{location}/confirm"
    form = {"csrf": staff.csrf}
    first, second = await asyncio.gather(
        staff.client.post(confirm, data=form, allow_redirects=False),
        staff.client.post(confirm, data=form, allow_redirects=False),
    )
    assert first.status == second.status == 303
    done = await _settled(staff, location)
    assert "已导入" in done
    assert await _count(db, POSTINGS) == 2
    assert await _count(db, AUDIT, AUDIT.c.action == "jobs.import") == 1
    async with db.engine.connect() as conn:
        query = select(AUDIT.c.actor_id).where(AUDIT.c.action == "jobs.import")
        actor = (await conn.execute(query)).scalar_one()
    assert actor == STAFF
    again = await staff.client.post(confirm, data=form, allow_redirects=False)
    assert again.status == 303
    assert await _count(db, POSTINGS) == 2


async def test_a_station_file_in_gcj02_is_converted_and_imported(
    db: Database, staff: Panel
) -> None:
    sent = await _upload(staff, "stations", STATIONS_FILE.name, STATIONS_FILE.read_bytes(),
                         crs="gcj02")  # fmt: skip
    location = sent.headers["Location"]
    assert "新增" in await _settled(staff, location)
    await staff.client.post(f"{location}/confirm", data={"csrf": staff.csrf})
    await _settled(staff, location)
    async with db.engine.connect() as conn:
        row = (
            await conn.execute(
                select(STATIONS.c.lat, STATIONS.c.lon, STATIONS.c.source_crs).where(
                    STATIONS.c.external_id == "ZZ-001"
                )
            )
        ).one()
    assert row.source_crs == "gcj02"
    assert (row.lat, row.lon) != (34.7536, 113.6688)  # moved from GCJ-02 to WGS-84
    assert abs(row.lat - 34.7536) < 0.01


async def test_a_member_roster_is_imported_as_hashes_in_english(
    db: Database, settings: Settings
) -> None:
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"], language="en") as panel:
        sent = await _upload(panel, "members", "roster.csv", DEMO_ROSTER.read_bytes())
        location = sent.headers["Location"]
        checked = await _settled(panel, location)
        assert "Already in the roster" in checked
        await panel.client.post(f"{location}/confirm", data={"csrf": panel.csrf})
        assert "Imported" in await _settled(panel, location)
    assert await _count(db, ROSTER) > 0


async def test_wrong_file_types_get_a_clear_answer_and_nothing_is_kept(staff: Panel) -> None:
    refused = await _upload(staff, "jobs", "list.pdf", b"%PDF-1.4 ...")
    assert refused.status == 400
    assert "不是这项导入能用的文件" in await refused.text()
    nothing = await _upload(staff, "jobs", "empty.csv", b"")
    assert nothing.status == 400
    assert "请选择要上传的文件" in await nothing.text()
    odd_kind = await _upload(staff, "pets", "x.csv", b"a,b\n")
    assert odd_kind.status == 400


async def test_a_spreadsheet_with_formulas_is_refused_naming_the_cell(staff: Panel) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["岗位名称", "招聘单位", "薪资待遇"])
    sheet.append(["分拣员", "示例公司", "=4000+1000"])
    buffer = io.BytesIO()
    book.save(buffer)
    refused = await _upload(staff, "jobs", "jobs.xlsx", buffer.getvalue())
    assert refused.status == 400
    text = await refused.text()
    assert "含有公式" in text
    assert "C2" in text


async def test_a_job_list_of_100000_rows_is_refused_with_a_clear_answer(
    db: Database, staff: Panel
) -> None:
    rows = [f"分拣员{n},示例公司,金水区,5000元/月,0371-1" for n in range(100_000)]
    sent = await _upload(staff, "jobs", "huge.csv", _jobs_csv(*rows))
    page = await _settled(staff, sent.headers["Location"])
    assert "文件未被接受" in page
    assert "20000" in page.replace(",", "")
    assert "立即导入" not in page
    assert await _count(db, POSTINGS) == 0


async def test_an_upload_over_the_limit_is_refused_before_it_is_read_whole(
    staff: Panel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "UPLOAD_LIMIT", 64 * 1024)
    produced = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal produced
        chunk = b"x" * 65_536
        for _ in range(800):  # 50 MB
            produced += len(chunk)
            yield chunk

    form = FormData()
    form.add_field("kind", "jobs")
    form.add_field("file", body(), filename="big.csv", content_type="text/csv")
    try:
        response = await staff.client.post(f"{PREFIX}/imports?csrf={staff.csrf}", data=form)
    except (ConnectionError, OSError):
        response = None  # the server closed the connection without reading the rest
    if response is not None:
        assert response.status == 413
        assert "文件太大" in await response.text()
    assert produced < 50 * 1024 * 1024
    declared = await staff.client.post(
        f"{PREFIX}/imports?csrf={staff.csrf}",
        data=b"x" * 1024,
        headers={"Content-Type": "multipart/form-data; boundary=x", "Content-Length": "1024"},
    )
    assert declared.status == 400


async def test_a_too_long_request_is_refused_by_its_declared_length(
    staff: Panel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "UPLOAD_LIMIT", 1024)
    response = await _upload(staff, "jobs", "big.csv", b"a,b\n" * 50_000)
    assert response.status == 413
    assert "文件太大" in await response.text()


async def test_html_in_a_file_name_and_rows_is_shown_as_text(staff: Panel) -> None:
    data = _jobs_csv("<script>alert(1)</script>,<b>公司</b>,金水区,5000元/月,")
    sent = await _upload(staff, "jobs", "<img src=x onerror=alert(1)>.csv", data)
    page = await _settled(staff, sent.headers["Location"])
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page, page[
        page.find("<h1>") : page.find("</h1>")
    ]


async def test_volunteers_and_other_staff_cannot_reach_an_upload(
    db: Database, settings: Settings, staff: Panel
) -> None:
    sent = await _upload(staff, "jobs", "jobs.csv", _jobs_csv("分拣员,示例公司,金水区,,0371-1"))
    location = sent.headers["Location"]
    await _settled(staff, location)
    async with signed_in(db, settings, user_id=OTHER_STAFF, roles=["staff"]) as other:
        assert (await other.client.get(location)).status == 404
        forged = await other.client.post(f"{location}/confirm", data={"csrf": other.csrf})
        assert forged.status == 404
        assert (await other.get("/imports/not-a-token")).status == 404
    async with signed_in(db, settings, user_id=500_103, roles=["volunteer_legal"]) as volunteer:
        assert (await volunteer.get("/imports")).status == 403
        refused = await volunteer.client.post(f"{location}/confirm", data={"csrf": volunteer.csrf})
        assert refused.status == 403
    assert await _count(db, POSTINGS) == 0


async def test_a_multipart_upload_without_the_form_token_is_refused(staff: Panel) -> None:
    form = FormData()
    form.add_field("kind", "jobs")
    form.add_field("file", b"a,b\n", filename="a.csv")
    response = await staff.client.post(f"{PREFIX}/imports", data=form)
    assert response.status == 403


def test_the_cli_import_shows_a_progress_bar_only_on_a_terminal(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.progress import Progress

    from bot.cli import _import_progress

    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert not isinstance(_import_progress(settings, STATIONS_FILE), Progress)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    bar = _import_progress(settings, STATIONS_FILE)
    assert isinstance(bar, Progress)
    [task] = bar.tasks
    assert task.description == f"正在导入 {STATIONS_FILE.name}"


# --- pending uploads in the database: every replica serves them --------------------------------


def _cookie(panel: Panel) -> str:
    [morsel] = [m for m in panel.client.session.cookie_jar if m.key == COOKIE]
    return morsel.value


async def test_an_upload_checked_on_one_replica_is_confirmed_on_another_and_imported_once(
    db: Database, settings: Settings, staff: Panel
) -> None:
    data = _jobs_csv(
        "仓库分拣员,示例物流公司,金水区,5000-6000元/月,0371-12345678",
        "装卸工,示例搬运公司,中原区,6000元/月,0371-7654321",
    )
    sent = await _upload(staff, "jobs", "jobs.csv", data, city="郑州市")
    location = sent.headers["Location"]
    headers = {"Cookie": f"{COOKIE}={_cookie(staff)}"}
    async with panel_client(db, settings) as other_replica:
        for _ in range(400):
            page = await other_replica.get(location, headers=headers)
            assert page.status == 200
            if "Refresh" not in page.headers:
                break
            await asyncio.sleep(0.025)
        assert "已检查，尚未导入" in await page.text()
        assert (
            "jobs.csv"
            in await (await other_replica.get(f"{PREFIX}/imports", headers=headers)).text()
        )
        form = {"csrf": staff.csrf}
        here, there = await asyncio.gather(
            staff.client.post(f"{location}/confirm", data=form, allow_redirects=False),
            other_replica.post(
                f"{location}/confirm", data=form, headers=headers, allow_redirects=False
            ),
        )
        assert here.status == there.status == 303
        done = await _settled(staff, location)
    assert "已导入" in done
    assert await _count(db, POSTINGS) == 2
    assert await _count(db, AUDIT, AUDIT.c.action == "jobs.import") == 1
    async with db.engine.connect() as conn:
        row = (await conn.execute(select(UPLOADS.c.state, UPLOADS.c.data))).one()
    assert row.state == "imported"
    assert row.data is None  # the file goes once it is imported


async def test_a_running_import_shows_rows_done_of_the_total_and_a_percent(
    db: Database, staff: Panel
) -> None:
    now = utcnow()
    token = "t" * 32
    await db.transact(
        uploads.add_upload, token=token, user_id=STAFF, kind="jobs", filename="big.csv",
        options={"city": ""}, data=b"x", rows=10_000, now=now - timedelta(seconds=300),
    )  # fmt: skip
    async with db.engine.begin() as conn:
        await conn.execute(
            UPLOADS.update().values(
                state="importing", check_seconds=600.0 / imports.IMPORT_FACTOR["jobs"]
            )
        )  # an import expected to take 600 s, half-way after 300 s
    page = await staff.get(f"/imports/{token}")
    text = await page.text()
    assert page.headers["Refresh"] == str(imports.REFRESH_SECONDS)
    assert '<progress max="10000" value="50' in text
    assert "（50%）" in text
    assert "/ 10,000 行" in text or "/ 10000 行" in text


def test_progress_is_estimated_from_the_check_and_stays_below_the_last_row() -> None:
    now = utcnow()
    upload = uploads.Upload(
        token="t" * 32, user_id=1, kind="jobs", filename="a.csv", size=1, options={},
        state="importing", rows=2_000, check_seconds=10.0, result={}, created_at=now,
        started_at=now - timedelta(seconds=5), expires_at=now + timedelta(hours=1),
    )  # fmt: skip
    # a check of 10 s: the import is expected to take 2.5 times as long, 25 s
    assert imports.progress(upload, now) == imports.Progress(done=400, total=2_000, percent=20)
    late = imports.progress(upload, now + timedelta(minutes=5))
    assert late == imports.Progress(done=1_999, total=2_000, percent=99)
    checking = replace(upload, state="checking", started_at=now - timedelta(seconds=0.25))
    assert imports.progress(checking, now) == imports.Progress(done=1_000, total=2_000, percent=50)
    assert imports.progress(replace(upload, state="checked"), now) is None


def test_the_rows_of_a_file_are_estimated_before_its_check() -> None:
    assert imports.estimate_rows(_jobs_csv("a,b,c,d,e", "f,g,h,i,j"), "x.csv") == 2
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for n in range(31):
        sheet.append([f"row {n}", n])
    buffer = io.BytesIO()
    book.save(buffer)
    assert imports.scan_workbook(buffer.getvalue()) == (None, 30)
    geojson = (
        b'{"type": "FeatureCollection", "features": ['
        + b",".join(b'{"type": "Feature", "properties": {}}' for _ in range(7))
        + b"]}"
    )
    assert imports.estimate_rows(geojson, "s.geojson") == 7


async def test_a_person_keeps_at_most_three_uploads_and_expired_ones_are_forgotten(
    db: Database, staff: Panel
) -> None:
    for n in range(4):
        sent = await _upload(
            staff, "jobs", f"jobs{n}.csv", _jobs_csv("分拣员,示例公司,金水区,,0371-1")
        )
        await _settled(staff, sent.headers["Location"])
    assert await _count(db, UPLOADS) == uploads.PER_PERSON
    listed = await (await staff.get("/imports")).text()
    assert "jobs0.csv" not in listed
    assert "jobs3.csv" in listed
    async with db.engine.begin() as conn:
        await conn.execute(UPLOADS.update().values(expires_at=utcnow() - timedelta(seconds=1)))
    assert (await staff.client.get(sent.headers["Location"])).status == 404
    await staff.get("/imports")
    assert await _count(db, UPLOADS) == 0


async def test_a_run_cut_off_with_its_replica_is_shown_as_failed(
    db: Database, staff: Panel
) -> None:
    token = "c" * 32
    long_ago = utcnow() - uploads.STALE_AFTER - timedelta(minutes=1)
    await db.transact(
        uploads.add_upload, token=token, user_id=STAFF, kind="jobs", filename="a.csv",
        options={"city": ""}, data=b"x", rows=10, now=long_ago,
    )  # fmt: skip
    async with db.engine.begin() as conn:
        await conn.execute(UPLOADS.update().values(expires_at=utcnow() + timedelta(minutes=5)))
    page = await staff.get(f"/imports/{token}")
    assert "Refresh" not in page.headers
    assert "导入没有完成" in await page.text()


async def test_a_fourth_upload_waits_while_three_are_running(db: Database, staff: Panel) -> None:
    for n in range(uploads.PER_PERSON):
        await db.transact(
            uploads.add_upload, token=f"{n}" * 32, user_id=STAFF, kind="jobs",
            filename=f"run{n}.csv", options={"city": ""}, data=b"x", rows=1, now=utcnow(),
        )  # fmt: skip
    refused = await _upload(staff, "jobs", "more.csv", _jobs_csv("分拣员,示例公司,金水区,,0371-1"))
    assert refused.status == 429
    assert "正在检查或导入" in await refused.text()
    assert await _count(db, UPLOADS) == uploads.PER_PERSON
