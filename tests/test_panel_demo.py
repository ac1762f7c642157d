"""`gongyou panel --demo`: the demo world gives every staff task something to work on, and the
demo's stand-in for Telegram sends a broadcast to its end and tells workers what staff did."""

from __future__ import annotations

import asyncio
import re
import socket

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.chat import DemoTelegram
from bot.cli import _serve_panel
from bot.config import Settings
from bot.context import Services
from bot.db import Database
from bot.i18n import t
from bot.jobs.broadcast import BROADCASTS, RECIPIENTS
from bot.legal.intake import CASES
from bot.panel.demo import DEMO_ADMIN, DEMO_SUBSCRIBERS, DEMO_WORKERS, load_demo, load_demo_world
from tests.panel_helpers import signed_in

TOKEN = re.compile(r'name="token" value="([^"]+)"')
NONCE = re.compile(r'name="nonce" value="([^"]+)"')


async def _wait_for(db: Database, broadcast_id: int, status: str) -> None:
    for _ in range(200):
        async with db.engine.connect() as conn:
            found = await conn.scalar(
                select(BROADCASTS.c.status).where(BROADCASTS.c.id == broadcast_id)
            )
        if str(found) == status:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"broadcast {broadcast_id} still {found}, not {status}")


async def test_a_newcomer_does_the_staff_tasks_on_the_demo_world_without_telegram(
    db: Database, settings: Settings
) -> None:
    settings = settings.model_copy(update={"quiet_hours": "off"})
    await load_demo(db, settings)
    await load_demo_world(db, settings)
    services = Services(settings=settings, db=db, router=None)  # type: ignore[arg-type]
    lines: list[str] = []
    telegram = DemoTelegram(services, write=lines.append)
    await telegram.start()
    try:
        async with signed_in(db, settings, user_id=DEMO_ADMIN, roles=["admin"],
                             notifier=services.notifier) as panel:  # fmt: skip
            cases = await (await panel.get("/cases")).text()
            flagged = await (await panel.get("/stations/flagged")).text()
            review = await (await panel.get("/review")).text()
            async with db.engine.connect() as conn:
                opened = (await conn.scalars(select(CASES.c.id).order_by(CASES.c.id))).all()
            assert len(opened) == 3
            for case_id in opened:
                assert f"L{case_id:04d}" in cases
            assert t("zh", "panel-cases-urgent") in cases  # the work injury near its deadline
            assert "饮水机坏了" in flagged
            assert "叉车司机（夜班）" in review
            assert "仓库打包员" in review
            # a broadcast to everyone reaches the 40 demo subscribers and finishes
            preview = await panel.client.post(
                "/panel/broadcasts/preview",
                data={"csrf": panel.csrf, "kind": "text", "text": "周六上午工会驿站免费体检"},
            )
            shown = await preview.text()
            assert preview.status == 200, shown
            assert str(len(DEMO_SUBSCRIBERS)) in shown
            found = TOKEN.search(shown)
            assert found is not None
            sent = await panel.client.post(
                "/panel/broadcasts/send",
                data={"csrf": panel.csrf, "token": found.group(1), "when": "now"},
                allow_redirects=False,
            )
            assert sent.status == 303
            broadcast_id = int(sent.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
            await _wait_for(db, broadcast_id, "done")
            # a volunteer's claim and answer reach the worker
            async with db.engine.connect() as conn:
                case_id = await conn.scalar(
                    select(CASES.c.id).where(CASES.c.user_id == DEMO_WORKERS[0])
                )
            claimed = await panel.post(f"/cases/{case_id}/claim", allow_redirects=False)
            assert claimed.status == 303
            page = await (await panel.get(f"/cases/{case_id}")).text()
            nonce = NONCE.search(page)
            assert nonce is not None, page
            answered = await panel.post(
                f"/cases/{case_id}/answer",
                {"text": "请把工资条和考勤记录拍照发来", "nonce": nonce.group(1)},
                allow_redirects=False,
            )
            assert answered.status == 303
    finally:
        await telegram.stop()
    assert services.notifier is None
    async with db.engine.connect() as conn:
        delivered = await conn.scalar(
            select(func.count())
            .select_from(RECIPIENTS)
            .where(RECIPIENTS.c.broadcast_id == broadcast_id, RECIPIENTS.c.status == "sent")
        )
    assert delivered == len(DEMO_SUBSCRIBERS)
    told = [line for line in lines if line.startswith("(demo Telegram) to ")]
    for subscriber in DEMO_SUBSCRIBERS:
        assert any(f" to {subscriber}: 周六上午工会驿站免费体检" in line for line in told)
    worker = [line for line in told if f" to {DEMO_WORKERS[0]}: " in line]
    assert any("请把工资条和考勤记录拍照发来" in line for line in worker), worker


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_gongyou_panel_demo_prints_a_link_that_signs_in_and_stops_cleanly(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    port = _free_port()
    settings = settings.model_copy(update={"panel_port": port, "admin_ids": []})
    stop = asyncio.Event()
    serving = asyncio.create_task(_serve_panel(settings, demo=True, stop=stop))
    link = None
    for _ in range(600):
        found = re.search(r"(http://127\.0\.0\.1:\d+/panel/signin/\S+)", capsys.readouterr().out)
        if found:
            link = found.group(1)
            break
        assert not serving.done()
        await asyncio.sleep(0.1)
    assert link is not None
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            page = await client.get(link)
            assert page.status == 200
            token = link.rsplit("/", 1)[-1]
            signed = await client.post(
                f"http://127.0.0.1:{port}/panel/signin", data={"token": token}
            )
            assert signed.status == 200
            assert "/panel/dashboard" in str(signed.url)
            cases = await (await client.get(f"http://127.0.0.1:{port}/panel/cases")).text()
            assert t("zh", "panel-cases-urgent") in cases
    finally:
        stop.set()
        assert await asyncio.wait_for(serving, 30) == 0
