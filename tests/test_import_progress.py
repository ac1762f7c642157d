"""Real progress counts of the imports: the callback, the panel's page and the CLI's bar."""

from __future__ import annotations

import asyncio
import io
import itertools
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse, FormData
from sqlalchemy import select

from bot.config import Settings
from bot.core import tables
from bot.db import Database
from bot.jobs import imports as job_imports
from bot.jobs.imports import import_jobs
from bot.membership import roster
from bot.membership.roster import import_roster
from bot.panel import imports
from bot.panel.uploads import UPLOADS
from bot.stations import imports as station_imports
from bot.stations.geo import Crs
from bot.stations.imports import import_stations
from tests.panel_helpers import PREFIX, Panel, signed_in

STAFF = 500_201
KEY = b"k" * 32
HEADER = "岗位名称,招聘单位,区县,薪资待遇,联系方式\n"


def _jobs_csv(count: int, *, bad: int = 0) -> bytes:
    rows = [
        f"分拣员{n},示例物流公司{n % 7},金水区,5000元/月,0371-{10_000_000 + n}"
        for n in range(count)
    ]
    rows += [f",没有岗位名的公司{n},二七区,4000元/月,0371-1" for n in range(bad)]
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


def _stations_csv(count: int) -> bytes:
    lines = ["名称,地址,区县,经度,纬度"]
    lines += [f"驿站{n},示例路{n}号,金水区,113.{6500 + n},34.{7500 + n}" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def _roster_csv(count: int, *, bad: int = 0) -> bytes:
    lines = ["会员卡号,姓名"] + [f"{100_000_000 + n},张{n}" for n in range(count)]
    lines += [f",李{n}" for n in range(bad)]
    return ("\n".join(lines) + "\n").encode()


#: The counts the imports' counters gave their callbacks, as the rows went (the callback, run
#: on the event loop, may get only the latest of several that came while it was busy).
TOLD: list[tuple[int, int]] = []


@pytest.fixture
def every_row(monkeypatch: pytest.MonkeyPatch, told: None) -> None:
    """Tell the callback on every row (a file of a few rows would otherwise get two calls)."""
    monkeypatch.setattr(tables, "PROGRESS_ROWS", 1)
    monkeypatch.setattr(job_imports, "_CHUNK", 4)  # rows are written a few at a time
    monkeypatch.setattr(roster, "_CHUNK", 4)
    monkeypatch.setattr(station_imports, "_WRITE_CHUNK", 3)
    monkeypatch.setattr(station_imports, "_ID_CHUNK", 3)


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep the counts the counters give in :data:`TOLD`."""
    tell = tables.RowCounter._tell

    def told(self: tables.RowCounter) -> None:
        TOLD.append((self._done, self._total))
        tell(self)

    monkeypatch.setattr(tables.RowCounter, "_tell", told)
    TOLD.clear()
    yield
    TOLD.clear()


class Calls:
    """A progress callback that records its calls (awaiting, like the panel's)."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, int]] = []

    async def __call__(self, done: int, total: int) -> None:
        self.seen.append((done, total))
        await asyncio.sleep(0)

    def assert_counted_up_to(self, total: int) -> None:
        assert self.seen, "the callback was never called"
        assert self.seen[-1] == (total, total)
        reading, counting = _steps(self.seen)
        # rows read while the file is read (total not known yet), then rows done of the total
        assert reading, "the rows read were never counted"
        assert reading == sorted(reading)
        assert reading[-1] <= total
        assert all(seen_total == total for _, seen_total in counting)
        dones = [done for done, _ in counting]
        assert dones == sorted(dones)
        # counted as the rows went, not only at the end; the callback heard the latest of them
        told_reading, told_counting = _steps(TOLD)
        assert told_reading[0] == 1  # the first row read is told at once
        assert told_reading == sorted(set(told_reading))
        assert [done for done, _ in told_counting] == sorted(done for done, _ in told_counting)
        assert len({done for done, _ in told_counting}) > 2
        assert set(self.seen) <= set(TOLD)


def _steps(counts: list[tuple[int, int]]) -> tuple[list[int], list[tuple[int, int]]]:
    """The counts of rows read (given first, with a total of 0) and the counts after them."""
    read = 0
    while read < len(counts) and counts[read][1] == 0:
        read += 1
    assert all(total > 0 for _, total in counts[read:]), "rows read after the count began"
    return [done for done, _ in counts[:read]], counts[read:]


async def _jobs(db: Database, data: bytes, *, dry_run: bool, progress: Any = None) -> Any:
    return await import_jobs(
        db, data, filename="jobs.csv", dry_run=dry_run, actor_id=None, default_city="郑州市",
        min_wages={}, progress=progress,
    )  # fmt: skip


@pytest.mark.usefixtures("every_row")
@pytest.mark.parametrize("dry_run", [True, False])
async def test_a_job_import_counts_its_rows_up_to_the_total(db: Database, dry_run: bool) -> None:
    calls = Calls()
    report = await _jobs(db, _jobs_csv(12, bad=2), dry_run=dry_run, progress=calls)
    calls.assert_counted_up_to(14)
    assert report.counts() == {"added": 12, "updated": 0, "unchanged": 0, "rejected": 2}


@pytest.mark.usefixtures("every_row")
async def test_a_second_job_import_counts_the_unchanged_rows(db: Database) -> None:
    await _jobs(db, _jobs_csv(9), dry_run=False)
    calls = Calls()
    report = await _jobs(db, _jobs_csv(9), dry_run=False, progress=calls)
    calls.assert_counted_up_to(9)
    assert report.unchanged == 9


@pytest.mark.usefixtures("every_row")
@pytest.mark.parametrize("dry_run", [True, False])
async def test_a_station_import_counts_its_rows_up_to_the_total(
    db: Database, dry_run: bool
) -> None:
    await import_stations(db, _stations_csv(4), filename="s.csv", crs=Crs.wgs84)
    TOLD.clear()
    seen: list[tuple[int, int]] = []
    report = await import_stations(
        db, _stations_csv(8), filename="s.csv", crs=Crs.wgs84, dry_run=dry_run,
        progress=lambda done, total: seen.append((done, total)),  # a plain callback works too
    )  # fmt: skip
    assert (report.added, report.unchanged) == (4, 4)
    assert seen[-1] == (8, 8)
    reading, counting = _steps(seen)
    assert reading  # a plain callback hears them too
    assert reading == sorted(reading)
    assert reading[-1] <= 8
    assert _steps(TOLD)[0] == list(range(1, 9))
    assert [done for done, _ in counting] == sorted(done for done, _ in counting)
    assert {total for _, total in counting} == {8}
    assert len({done for done, _ in TOLD}) > 2


@pytest.mark.usefixtures("every_row")
@pytest.mark.parametrize("dry_run", [True, False])
async def test_a_roster_import_counts_its_rows_up_to_the_total(
    db: Database, dry_run: bool
) -> None:
    calls = Calls()
    report = await import_roster(
        db, _roster_csv(10, bad=1), filename="r.csv", key=KEY, dry_run=dry_run, progress=calls
    )
    calls.assert_counted_up_to(11)
    assert (report.rows, report.added, len(report.rejected)) == (11, 10, 1)


@pytest.mark.usefixtures("told")
async def test_counts_are_throttled_to_every_so_many_rows(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "PROGRESS_ROWS", 100)
    monkeypatch.setattr(tables, "PROGRESS_SECONDS", 3600.0)
    monkeypatch.setattr(roster, "_CHUNK", 10)
    calls = Calls()
    await import_roster(db, _roster_csv(1_000), filename="r.csv", key=KEY, progress=calls)
    calls.assert_counted_up_to(1_000)
    reading, counting = _steps(TOLD)
    # the first row read is told at once, then every 100 rows read
    assert reading == [1, 101, 201, 301, 401, 501, 601, 701, 801, 901]
    dones = [done for done, _ in counting]
    assert dones[0] == 0  # the first count when the file is read
    steps = [later - earlier for earlier, later in itertools.pairwise(dones[:-1])]
    assert steps
    assert min(steps) >= 100  # not every 10 rows written


async def test_a_failing_callback_does_not_change_the_import(db: Database) -> None:
    def broken(done: int, total: int) -> None:
        raise RuntimeError("the screen went away")

    report = await _jobs(db, _jobs_csv(3), dry_run=False, progress=broken)
    assert report.added == 3


async def test_a_slow_callback_does_not_hold_up_the_import(db: Database) -> None:
    called, release = asyncio.Event(), asyncio.Event()
    seen: list[tuple[int, int]] = []

    async def slow(done: int, total: int) -> None:
        seen.append((done, total))
        called.set()
        if done < total:
            await release.wait()

    running = asyncio.create_task(_jobs(db, _jobs_csv(5), dry_run=False, progress=slow))
    await asyncio.wait_for(called.wait(), 10)
    # the first count waits; the import stores its rows meanwhile, and ends with the last count
    async with db.engine.connect() as conn:
        for _ in range(500):
            stored = (await conn.execute(select(job_imports.POSTINGS.c.id))).all()
            if len(stored) == 5:
                break
            await asyncio.sleep(0.01)
    assert len(stored) == 5
    assert not running.done()
    release.set()
    report = await running
    assert report.added == 5
    assert seen[-1] == (5, 5)


# --- the panel's page -------------------------------------------------------------------------


@pytest.fixture
async def staff(db: Database, settings: Settings) -> AsyncIterator[Panel]:
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        yield panel


async def _upload(panel: Panel, data: bytes) -> str:
    form = FormData()
    form.add_field("kind", "jobs")
    form.add_field("city", "郑州市")
    form.add_field("file", io.BytesIO(data), filename="jobs.csv")
    sent = await panel.client.post(
        f"{PREFIX}/imports?csrf={panel.csrf}", data=form, allow_redirects=False
    )
    assert sent.status == 303
    return sent.headers["Location"]


async def _settled(panel: Panel, location: str) -> str:
    for _ in range(400):
        page = await panel.client.get(location)
        if "Refresh" not in page.headers:
            return await page.text()
        await asyncio.sleep(0.025)
    raise AssertionError("the upload did not finish")


async def _stored(db: Database) -> Any:
    async with db.engine.connect() as conn:
        return (
            await conn.execute(
                select(UPLOADS.c.state, UPLOADS.c.rows, UPLOADS.c.rows_done, UPLOADS.c.rows_read)
            )
        ).one()


async def test_the_page_shows_the_real_count_of_a_running_check_and_stores_it(
    db: Database, staff: Panel, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = asyncio.Event()
    release = asyncio.Event()

    async def slow_import(*args: Any, progress: Any, **kwargs: Any) -> Any:
        await progress(4, 10)  # the panel's own callback, as an import calls it
        counted.set()
        await release.wait()
        return await import_jobs(*args, progress=progress, **kwargs)

    monkeypatch.setattr(imports, "import_jobs", slow_import)
    location = await _upload(staff, _jobs_csv(10))
    await asyncio.wait_for(counted.wait(), 10)

    page = await staff.client.get(location)
    text = await page.text()
    assert "Refresh" in page.headers
    assert '<progress max="10" value="4">' in text
    assert "已完成 4 / 10 行（40%）" in text
    assert "约" not in text
    assert tuple(await _stored(db))[:3] == ("checking", 10, 4)

    release.set()
    assert "已检查，尚未导入" in await _settled(staff, location)
    assert tuple(await _stored(db))[:3] == ("checked", 10, 10)  # the last count: every row


async def test_the_page_says_about_until_the_first_count_arrives(
    db: Database, staff: Panel, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    async def reading(*args: Any, **kwargs: Any) -> Any:
        started.set()
        await release.wait()
        return await import_jobs(*args, **kwargs)

    monkeypatch.setattr(imports, "import_jobs", reading)
    location = await _upload(staff, _jobs_csv(10))
    await asyncio.wait_for(started.wait(), 10)
    text = await (await staff.client.get(location)).text()
    assert "约 " in text
    assert "已完成" not in text
    release.set()
    await _settled(staff, location)


async def test_the_page_shows_the_rows_read_while_the_file_is_read(
    db: Database, staff: Panel, monkeypatch: pytest.MonkeyPatch
) -> None:
    reached, release = threading.Event(), threading.Event()
    read = tables.RowCounter.read

    def held(self: tables.RowCounter, rows: int = 1) -> None:
        read(self, rows)
        if self._done == 4:  # the reader's thread waits at the fourth row
            reached.set()
            release.wait(10)

    monkeypatch.setattr(tables.RowCounter, "read", held)
    monkeypatch.setattr(tables, "PROGRESS_ROWS", 1)
    try:
        location = await _upload(staff, _jobs_csv(10))
        assert await asyncio.to_thread(reached.wait, 10)
        for _ in range(100):
            page = await staff.client.get(location)
            text = await page.text()
            if "已读 4 行" in text:
                break
            await asyncio.sleep(0.02)
        assert "正在读取文件：已读 4 行，约共 10 行" in text  # the rows estimated at upload
        assert '<progress max="10" value="4">' in text
        assert "Refresh" in page.headers
        for _ in range(100):
            if (await _stored(db)).rows_read == 4:
                break
            await asyncio.sleep(0.02)
        assert tuple(await _stored(db)) == ("checking", 10, None, 4)
    finally:
        release.set()
    assert "已检查，尚未导入" in await _settled(staff, location)
    assert tuple(await _stored(db))[:3] == ("checked", 10, 10)


async def test_rows_read_in_the_row_are_shown_against_the_estimate(
    db: Database, staff: Panel
) -> None:
    from bot.core.models import utcnow
    from bot.panel import uploads

    token = "r" * 32
    await db.transact(
        uploads.add_upload, token=token, user_id=STAFF, kind="members", filename="big.xlsx",
        options={"replace": False}, data=b"x", rows=9_000, now=utcnow(),
    )  # fmt: skip
    await db.transact(uploads.note_progress, token=token, done=3_000, total=0)
    text = await (await staff.get(f"/imports/{token}")).text()
    assert '<progress max="9000" value="3000">' in text
    assert "已读 3,000 行，约共 9,000 行" in text or "已读 3000 行，约共 9000 行" in text
    # more rows read than estimated: the total shown is never below them
    await db.transact(uploads.note_progress, token=token, done=9_500, total=0)
    await staff.post("/lang", {"lang": "en", "next": f"{PREFIX}/imports"})
    text = await (await staff.get(f"/imports/{token}")).text()
    assert "9,500 rows read, of about 9,501" in text


@pytest.fixture
def held_writer(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Hold a job import inside its transaction at its first row written (SQLite's writer
    thread runs it): (reached, release)."""
    reached, release = threading.Event(), threading.Event()
    add = tables.RowCounter.add

    def held(self: tables.RowCounter, rows: int = 1) -> None:
        add(self, rows)
        if not reached.is_set():
            reached.set()
            release.wait(10)

    monkeypatch.setattr(tables.RowCounter, "add", held)
    monkeypatch.setattr(tables, "PROGRESS_ROWS", 1)
    monkeypatch.setattr(job_imports, "_CHUNK", 1)  # one posting per insert
    monkeypatch.setattr(imports, "COUNT_WRITE_WAIT", 0.2)
    yield reached, release
    release.set()


async def test_on_sqlite_the_page_shows_the_count_while_the_import_holds_the_writer(
    db: Database, staff: Panel, held_writer: tuple[threading.Event, threading.Event]
) -> None:
    if not db.is_sqlite:
        pytest.skip("on PostgreSQL the import's transaction runs on the event loop")
    reached, release = held_writer
    reached.set()  # not during the check
    location = await _upload(staff, _jobs_csv(3))
    await _settled(staff, location)
    reached.clear()
    confirm = await staff.client.post(
        f"{location}/confirm", data={"csrf": staff.csrf}, allow_redirects=False
    )
    assert confirm.status == 303
    assert await asyncio.to_thread(reached.wait, 10)  # one posting written, the lock held

    for _ in range(100):
        page: ClientResponse = await asyncio.wait_for(staff.client.get(location), 5)
        text = await page.text()
        if "已完成 1 / 3 行" in text:
            break
        await asyncio.sleep(0.02)
    assert "已完成 1 / 3 行（33%）" in text
    assert "Refresh" in page.headers

    release.set()
    assert "已导入" in await _settled(staff, location)
    assert tuple(await _stored(db))[:3] == ("imported", 3, 3)


async def test_a_count_in_the_row_is_shown_without_about(db: Database, staff: Panel) -> None:
    from bot.core.models import utcnow
    from bot.panel import uploads

    token = "p" * 32
    await db.transact(
        uploads.add_upload, token=token, user_id=STAFF, kind="jobs", filename="big.csv",
        options={"city": ""}, data=b"x", rows=9_000, now=utcnow(),
    )  # fmt: skip
    await db.transact(uploads.note_progress, token=token, done=5_000, total=10_000)
    text = await (await staff.get(f"/imports/{token}")).text()
    assert '<progress max="10000" value="5000">' in text
    assert "已完成 5,000 / 10,000 行（50%）" in text or "已完成 5000 / 10000 行（50%）" in text
    assert "约" not in text


# --- the CLI's bar ----------------------------------------------------------------------------


def test_the_cli_bar_gets_the_total_and_ends_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GONGYOU_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    bars: list[Any] = []
    made = cli._import_progress

    def keep(settings: Settings, path: Path) -> Any:
        bars.append(made(settings, path))
        return bars[-1]

    monkeypatch.setattr(cli, "_import_progress", keep)
    path = tmp_path / "stations.csv"
    path.write_bytes(_stations_csv(6))

    assert cli.main(["import", "stations", str(path), "--crs", "wgs84"]) == 0

    [bar] = bars
    [task] = bar.tasks
    assert (task.total, task.completed) == (6, 6)


def test_off_a_terminal_the_cli_has_no_bar_and_no_callback(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import _count_rows, _import_progress

    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    with _import_progress(settings, Path("a.csv")) as bar:
        assert _count_rows(bar) is None
